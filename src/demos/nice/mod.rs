//! `toolkit nice` and `toolkit renice`: run a command at a priority, and make priorities visible.
//!
//! `toolkit nice N CMD` does what coreutils' `nice -n N CMD` does, in the same order:
//! read the current niceness, ask the kernel for `current + N` (it clamps to -20..19), then replace
//! this process with CMD by `exec`. Because of `exec` there is no child to wait for: CMD *becomes*
//! this process (same PID), inherits the new niceness, and its exit status reaches the shell directly.
//! That is also why every failure *before* the exec needs an exit code that CMD itself is unlikely to
//! use: 125 (we failed), 126 (CMD exists but cannot run), 127 (CMD not found), as coreutils does.
//!
//! Lowering the nice value (raising the priority) needs root or `CAP_SYS_NICE`. Like coreutils, a
//! refused request is a warning, not an error: the command still runs, at its unchanged niceness.
//!
//! `toolkit renice N PID` sets the nice value of running processes, absolute as util-linux `renice`
//! (`renice 5 PID` makes it 5, whatever it was); it lives in [`renice`].
//!
//! `toolkit nice --race` lives in [`race`]; the nice-to-weight arithmetic in [`weights`]; the reading
//! of the command line in [`args`]. The system calls go through `rustix`, which wraps
//! `getpriority`/`setpriority` safely (nix does not), so this module needs no `unsafe`.
//!
//! Layout:
//! - [`args`]: the words after `toolkit nice` -> a [`args::NiceRequest`] (pure, unit-tested);
//! - [`weights`]: the kernel's weight table, predicted shares, PR and PRI (pure, unit-tested);
//! - [`race`]: two pinned busy children and the measured shares;
//! - [`renice`]: util-linux's renice;
//! - this file: the exec path.

pub mod args;
pub mod race;
pub mod renice;
pub mod weights;

use std::io::{self, ErrorKind, Write};
use std::os::unix::process::CommandExt;
use std::process::Command;

use rustix::io::Errno;
use rustix::process::{Pid as RustixPid, getpriority_process, setpriority_process};

use crate::error::{CmdResult, Failure};
use crate::i18n::{self, Lang};

use args::{NiceRequest, UsageError};
use weights::{clamp_nice, ps_pri, top_pr};

/// coreutils' exit codes for failures before the command runs.
pub const EXIT_CANCELED: u8 = 125;
pub const EXIT_CANNOT_INVOKE: u8 = 126;
pub const EXIT_ENOENT: u8 = 127;

/// `toolkit nice WORDS...`: the words after `nice`, parsed here as coreutils parses them.
pub fn run(words: &[String], lang: Lang) -> CmdResult {
    let parsed =
        args::parse(words).map_err(|e| Failure::new(EXIT_CANCELED, usage_error(&e, lang)))?;
    let says_something = matches!(
        parsed.request,
        NiceRequest::Run { .. } | NiceRequest::Race { .. }
    );
    if let (Some((word, value)), false, true) = (&parsed.obsolete, parsed.quiet, says_something) {
        eprintln!(
            "{}{}",
            i18n::nice::warning_prefix(lang),
            i18n::nice::obsolete_spelling_used(lang, word, *value)
        );
    }
    match parsed.request {
        NiceRequest::Help => {
            print!("{}", i18n::nice::help(lang));
            Ok(0)
        }
        NiceRequest::Explain => explain(lang),
        NiceRequest::Show => {
            let nice = current_nice().map_err(|e| {
                Failure::new(EXIT_CANCELED, i18n::nice::cannot_read_niceness(lang, &e))
            })?;
            println!("{nice}");
            Ok(0)
        }
        NiceRequest::Run {
            adjustment,
            command,
        } => run_command(adjustment, parsed.quiet, &command, lang),
        NiceRequest::Race {
            nice,
            seconds,
            json,
        } => race::run(nice, seconds, json, lang),
    }
}

/// A usage error in the user's words.
fn usage_error(error: &UsageError, lang: Lang) -> String {
    use i18n::nice as t;
    let what = match error {
        UsageError::InvalidAdjustment(word) => t::invalid_adjustment(lang, word),
        UsageError::MissingValue(option) => t::missing_value(lang, option),
        UsageError::UnexpectedValue(option) => t::unexpected_value(lang, option),
        UsageError::InvalidSeconds(word) => t::invalid_seconds(lang, word),
        UsageError::UnknownOption(word) => t::unknown_option(lang, word),
        UsageError::AdjustmentWithoutCommand => t::adjustment_without_command(lang),
        UsageError::RaceWithCommand(word) => t::race_with_command(lang, word),
        UsageError::RaceNiceOutOfRange(n) => t::race_nice_out_of_range(lang, *n),
        UsageError::ExplainAlone => t::explain_alone(lang),
        UsageError::RaceOnly(option) => t::race_only(lang, option),
    };
    t::usage_error(lang, &what)
}

/// The niceness of this process (`getpriority(PRIO_PROCESS, 0)`).
pub fn current_nice() -> io::Result<i64> {
    getpriority_process(None)
        .map(i64::from)
        .map_err(errno_to_io)
}

/// Set the niceness of `pid` (`None`: this process) to `nice`, clamped to -20..19.
pub fn set_nice(pid: Option<i32>, nice: i64) -> io::Result<()> {
    // PID 0 would mean "the caller" to the kernel; it is never a process the user meant.
    let pid = match pid {
        None => None,
        Some(raw) => Some(
            RustixPid::from_raw(raw).ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?,
        ),
    };
    setpriority_process(pid, clamp_nice(nice) as i32).map_err(errno_to_io)
}

pub(super) fn errno_to_io(e: Errno) -> io::Error {
    io::Error::from_raw_os_error(e.raw_os_error())
}

/// EPERM / EACCES: the kernel said "not allowed", as opposed to "no such process" or a bug.
fn is_permission_error(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EPERM | libc::EACCES))
}

/// Adjust our niceness, then become `command`. Returns only on failure.
fn run_command(adjustment: i64, quiet: bool, command: &[String], lang: Lang) -> CmdResult {
    let old = current_nice()
        .map_err(|e| Failure::new(EXIT_CANCELED, i18n::nice::cannot_read_niceness(lang, &e)))?;
    let wanted = clamp_nice(old + adjustment);
    let mut new = wanted;
    if wanted != old {
        match set_nice(None, wanted) {
            Ok(()) => {}
            Err(e) if is_permission_error(&e) => {
                eprintln!(
                    "{}{}",
                    i18n::nice::warning_prefix(lang),
                    i18n::nice::cannot_raise_priority_running_anyway(lang, old, wanted, &e)
                );
                new = old;
            }
            Err(e) => {
                return Err(Failure::new(
                    EXIT_CANCELED,
                    i18n::nice::cannot_set_niceness(lang, wanted, &e),
                )
                .into());
            }
        }
    }
    if !quiet {
        eprintln!(
            "{}",
            i18n::nice::before_exec(
                lang,
                (old, new),
                (top_pr(old), top_pr(new)),
                (ps_pri(old), ps_pri(new)),
                &shell_quoted(command)
            )
        );
    }
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    // On success `exec` does not return: this process is now `command`.
    let err = Command::new(&command[0]).args(&command[1..]).exec();
    let program = &command[0];
    if err.kind() == ErrorKind::NotFound {
        return Err(Failure::new(EXIT_ENOENT, i18n::nice::command_not_found(lang, program)).into());
    }
    // Anything else (EACCES: no x bit or a directory, ENOEXEC: not a binary nor a script) means it
    // was found but cannot run: 126, as coreutils.
    Err(Failure::new(
        EXIT_CANNOT_INVOKE,
        i18n::nice::command_not_runnable(lang, program, !program.contains('/'), &err),
    )
    .into())
}

/// The command as a user would type it into a shell, so the line before exec can be copied:
/// words with spaces or shell characters are single-quoted.
pub fn shell_quoted(command: &[String]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+%@".contains(c);
    command
        .iter()
        .map(|word| {
            if !word.is_empty() && word.chars().all(plain) {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `toolkit nice --explain`: the spellings side by side, then how the numbers read.
fn explain(lang: Lang) -> CmdResult {
    let mut table = crate::output::table(i18n::nice::explain_headers(lang));
    for row in i18n::nice::explain_rows(lang) {
        table.add_row(row);
    }
    let mut out = io::stdout().lock();
    crate::output::write_table(&mut out, &table)?;
    writeln!(out)?;
    writeln!(out, "{}", i18n::nice::explain_notes(lang))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_shown_as_typed() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            shell_quoted(&words(&["python3", "while.py"])),
            "python3 while.py"
        );
        assert_eq!(
            shell_quoted(&words(&["sh", "-c", "exit 7"])),
            "sh -c 'exit 7'"
        );
        assert_eq!(
            shell_quoted(&words(&["echo", "it's", ""])),
            r"echo 'it'\''s' ''"
        );
    }
}
