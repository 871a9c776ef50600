//! The error that reaches the user.
//!
//! Inside the crate, modules use their own `thiserror` types or `anyhow`. At the edge, `main` prints
//! one line, `toolkit: <what went wrong and what to do>`, and exits with a code. A [`Failure`] carries
//! a specific exit code (for example 125-127 as coreutils' `nice` uses); any other error exits 1.

use std::fmt;

/// An error with the exit code the user should see.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// What a command returns: the process exit code on success (usually 0).
pub type CmdResult = anyhow::Result<u8>;

/// True when the error chain says the reader of our stdout went away (`toolkit ps | head`).
/// That is not a failure of ours: the command stops quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for an error: the [`Failure`]'s own, 128 + signal for an interruption, else 1.
pub fn exit_code_of(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|cause| {
            if let Some(f) = cause.downcast_ref::<Failure>() {
                return Some(f.code);
            }
            cause
                .downcast_ref::<crate::child::ChildError>()
                .map(|e| e.exit_code())
        })
        .unwrap_or(1)
}
