//! The administrator's console: a forked child that reads the server's terminal.
//!
//! Why a separate process: this is the homework's design, and it shows a pipe at work. Before the
//! server starts its tokio runtime (fork is only safe while the process has one thread), it creates
//! a pipe and forks. The child keeps stdin and the pipe's write end; it reads the terminal line by
//! line and writes each line into the pipe. The parent keeps the read end and turns every line into
//! an `ADMIN` broadcast. The pipe exists only between these two processes, so nobody on the
//! network can pose as the administrator.
//!
//! Endings:
//! - stdin closes (Ctrl-D, or `< /dev/null`): the child exits; the parent sees end-of-file on the
//!   pipe, reaps the child and keeps serving.
//! - the server shuts down: it sends the child SIGTERM and reaps it.
//! - the server dies: the child gets SIGTERM from the kernel (`PR_SET_PDEATHSIG`), so it never
//!   lingers as an orphan holding the terminal.

use std::io::{BufRead, Write};
use std::os::fd::{AsRawFd, OwnedFd};

use nix::sys::signal::Signal;

use crate::chat::protocol::MAX_TEXT;
use crate::child::{Child, ChildError, die_with_parent, fork_child};

/// The forked console: its process, and the read end of its pipe.
#[derive(Debug)]
pub struct AdminConsole {
    pub child: Child,
    pub pipe: OwnedFd,
}

/// Create the pipe and fork the console child. Call only while single-threaded (before tokio).
pub fn spawn() -> Result<AdminConsole, ChildError> {
    let (read_end, write_end) = nix::unistd::pipe().map_err(ChildError::Fork)?;
    let read_raw = read_end.as_raw_fd();
    let server_pid = nix::unistd::getpid();
    let child = fork_child(move || {
        // The child closes its copy of the read end by number: the `OwnedFd` itself stays with
        // the parent. Closing it matters: if the child kept the read end, writing to the pipe
        // after the parent died would never fail with EPIPE.
        let _ = nix::unistd::close(read_raw);
        if !die_with_parent(server_pid, Signal::SIGTERM) {
            // The server died before the request above took effect.
            return 0;
        }
        console_loop(std::fs::File::from(write_end))
    })?;
    // In the parent, the closure (and the write end it captured) was dropped: only the child can
    // write, so its exit is seen here as end-of-file.
    Ok(AdminConsole {
        child,
        pipe: read_end,
    })
}

/// The child's whole life: stdin lines to pipe lines. Invalid UTF-8 is replaced, over-long lines
/// are cut, empty lines skipped. Returns the exit code.
fn console_loop(mut pipe: std::fs::File) -> i32 {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut raw = Vec::new();
    loop {
        raw.clear();
        match input.read_until(b'\n', &mut raw) {
            Ok(0) => return 0,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return 1,
        }
        let text = String::from_utf8_lossy(&raw);
        let text = text.trim_end_matches(['\n', '\r']).trim();
        if text.is_empty() {
            continue;
        }
        let text = truncate(text, MAX_TEXT);
        if writeln!(pipe, "{text}").is_err() {
            // The server is gone.
            return 0;
        }
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("abc", 10), "abc");
        assert_eq!(truncate("你好", 4), "你");
        assert_eq!(truncate("你好", 6), "你好");
    }
}
