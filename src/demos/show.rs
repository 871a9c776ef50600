//! The narrator every demo shares: what it is about to do, what it observed, and which point of
//! the lesson that shows; and the [`Observation`]s other processes send to it.
//!
//! Design: **only the original process prints.** Every other process (a child, a grandchild, the
//! members of `fork-demo --tree`) writes its observations as one JSON line into a pipe the parent
//! reads ([`report`], [`next_report`]). So output never interleaves half-lines, `--json` is one
//! clean stream, and the parent can *count* things (who wrote first, how many processes exist):
//! the order in the pipe is the order the `write` calls happened.
//!
//! An observation is typed ([`Observation`], tagged by its `step`): the demo that makes it, the
//! parent that reads it back from the pipe and the tests that read `--json` all use the same type.

use std::fs::File;
use std::io::{self, Write};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::child::pipe::{self, LineReader, Next};
use crate::child::{Child, ChildError, fork_child};
use crate::error::Failure;
use crate::i18n::Lang;
use crate::i18n::demos as t;
use crate::output::Paint;

/// How long the parent waits for any one report before it gives up (a child that hangs must not
/// hang the demo).
pub const REPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which process made an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The toolkit itself, the process that forked.
    Parent,
    Child,
    /// `--orphan`: the child that forks the grandchild and exits.
    Middle,
    Grandchild,
    /// A member of `--tree`.
    Process,
}

/// Which process ran first after a `fork()` (`fork-demo` rounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum First {
    Parent,
    Child,
}

/// One thing a demo saw, as `--json` prints it (one object per line, `step` first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Observation {
    /// The toolkit's own PID and PPID, before anything is forked.
    BeforeFork {
        who: Who,
        pid: i32,
        ppid: i32,
    },
    /// What `fork()` returned in this process: 0 in the child, the child's PID in the parent.
    ForkReturn {
        who: Who,
        pid: i32,
        ppid: i32,
        fork_returned: i32,
    },
    /// The child sees a value set before the fork by code it never ran.
    StartPoint {
        who: Who,
        pid: i32,
        marker: u32,
    },
    /// The variable at one address: the child changes its copy (`before` -> `after`); the parent
    /// then reads its own (`value`, and whether the child reported a change).
    Memory {
        who: Who,
        pid: i32,
        address: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        child_changed_it: Option<bool>,
    },
    /// How the reaped child ended: its exit code, or the signal that killed it.
    ExitStatus {
        who: Who,
        pid: i32,
        child: i32,
        exit_code: Option<i32>,
        signal: Option<String>,
    },
    /// One round of "who runs first": the bytes both processes wrote into one pipe.
    Order {
        round: u32,
        child: i32,
        first: First,
        pipe: String,
    },
    OrderSummary {
        rounds: u32,
        parent_first: u32,
        child_first: u32,
    },
    /// The state letter /proc shows for a child that exited and was not waited for.
    ZombieState {
        who: Who,
        pid: i32,
        state: String,
    },
    /// After `waitpid()`: the child's exit code and whether its /proc entry is gone.
    Reaped {
        who: Who,
        child: i32,
        exit_code: Option<i32>,
        gone: bool,
    },
    MiddleForked {
        who: Who,
        pid: i32,
        grandchild: i32,
    },
    MiddleForkFailed {
        who: Who,
        error: String,
    },
    OrphanPpidBefore {
        who: Who,
        pid: i32,
        ppid: i32,
    },
    MiddleExited {
        who: Who,
        pid: i32,
        exit_code: Option<i32>,
    },
    /// The grandchild's PPID, read from /proc by the toolkit, before and after its parent exited.
    OrphanPpid {
        who: Who,
        pid: i32,
        ppid_before: i32,
        ppid_after: i32,
        subreaper: i32,
    },
    /// The grandchild's own view of its new parent.
    GrandchildAdopted {
        who: Who,
        pid: i32,
        ppid: i32,
    },
    /// A member of `--tree`: born at loop iteration `born_at` (`None` for the toolkit itself,
    /// which also says how many of its own forks failed).
    TreeMember {
        who: Who,
        pid: i32,
        ppid: i32,
        born_at: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failed_forks: Option<usize>,
    },
    /// A fork of `--tree` that failed, at loop iteration `at`.
    ForkFailed {
        pid: i32,
        at: u32,
        errno: String,
        errno_num: i32,
    },
    /// How many processes `--tree N` made: expected (2^N), reported, and seen in /proc.
    TreeCount {
        n: u32,
        expected: u32,
        reported: u32,
        in_proc: usize,
    },
    /// How many copies of a buffered line came out, with and without a flush before `fork()`.
    BufferTrap {
        flushed_before_fork: bool,
        copies: usize,
    },
}

/// Prints the three kinds of lines every demo uses: what it is about to do, what it observed,
/// and which point of the lesson that shows. With `--json` only observations are printed, one JSON
/// object per line.
pub struct Show {
    out: io::Stdout,
    pub json: bool,
    /// Say nothing at all: stdout carries something else (`fork-demo --tree N --dot`).
    quiet: bool,
    paint: Paint,
}

impl Show {
    pub fn new(json: bool) -> Show {
        Show {
            out: io::stdout(),
            json,
            quiet: false,
            paint: Paint::for_stdout(),
        }
    }

    /// A narrator that prints nothing, neither sentences nor JSON.
    pub fn quiet() -> Show {
        Show {
            json: true,
            quiet: true,
            ..Show::new(true)
        }
    }

    /// "About to ...".
    pub fn plan(&mut self, text: &str) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        writeln!(
            self.out,
            "{} {}",
            self.paint.bold("▶"),
            self.paint.bold(text)
        )
    }

    /// An observation (an [`Observation`], or another demo's own typed one): the JSON object, or
    /// its sentence.
    pub fn observe<T: Serialize>(&mut self, obs: &T, text: &str) -> io::Result<()> {
        if self.quiet {
            Ok(())
        } else if self.json {
            crate::output::write_json_line(&mut self.out, obs)
        } else {
            self.saw(text)
        }
    }

    /// An observation in words only (demos whose `--json` is one document printed at the end).
    pub fn saw(&mut self, text: &str) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        writeln!(self.out, "  • {text}")
    }

    /// The point of the lesson this shows.
    pub fn lesson(&mut self, text: &str) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        writeln!(
            self.out,
            "  {} {}",
            self.paint.green("⇒"),
            self.paint.green(text)
        )
    }

    /// Free text (a drawn tree, a blank line between parts).
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        if self.json {
            return Ok(());
        }
        writeln!(self.out, "{text}")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One observation sent by another process over the report pipe, with its sentence in the
/// parent's language (the child knows it: it is a copy of the parent).
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub obs: Observation,
    pub text: String,
}

/// In a child: send one observation to the parent. Errors are ignored: if the parent is gone
/// there is nobody to tell.
pub fn report(writer: &File, obs: Observation, text: String) {
    if let Ok(line) = serde_json::to_string(&Report { obs, text }) {
        let _ = pipe::send_line(writer, &line);
    }
}

/// In the parent: the next report, or `None` at end of file. A silent child is an error.
pub fn next_report(reader: &mut LineReader, lang: Lang) -> anyhow::Result<Option<Report>> {
    loop {
        match reader.next_line(REPORT_TIMEOUT)? {
            Next::Line(line) => match serde_json::from_str(&line) {
                Ok(report) => return Ok(Some(report)),
                Err(_) => continue,
            },
            Next::Eof => return Ok(None),
            Next::TimedOut => return Err(Failure::new(1, t::report_timeout(lang)).into()),
        }
    }
}

/// Show a report from another process.
pub fn show_report(show: &mut Show, report: &Report) -> io::Result<()> {
    show.observe(&report.obs, &report.text)
}

/// Fork through the guard, turning a failed `fork()` into an explained error.
pub fn fork<F: FnOnce() -> i32>(lang: Lang, body: F) -> anyhow::Result<Child> {
    fork_child(body).map_err(|e| explain_fork_error(e, lang))
}

/// A failed `fork()` explained (errno, and how C, Rust and Python report it); other child errors
/// (Ctrl-C, multi-threaded) pass through unchanged so their exit codes survive.
pub fn explain_fork_error(err: ChildError, lang: Lang) -> anyhow::Error {
    match err {
        ChildError::Fork(errno) => Failure::new(
            1,
            t::fork_failed(lang, errno.desc(), errno as i32, &format!("{errno:?}")),
        )
        .into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::errno::Errno;

    #[test]
    fn fork_errors_are_explained_with_errno() {
        let err = explain_fork_error(ChildError::Fork(Errno::EAGAIN), Lang::En);
        let text = format!("{err:#}");
        assert!(text.contains("EAGAIN"), "{text}");
        assert!(text.contains("OSError"), "{text}");
        assert_eq!(crate::error::exit_code_of(&err), 1);
    }

    #[test]
    fn interruptions_keep_their_exit_code() {
        let err = explain_fork_error(
            ChildError::Interrupted(nix::sys::signal::Signal::SIGINT),
            Lang::En,
        );
        assert_eq!(crate::error::exit_code_of(&err), 130);
    }

    /// `step` comes first and names the variant; absent optional fields are left out, and the
    /// line reads back as the same observation.
    #[test]
    fn observations_are_tagged_by_step_and_read_back() {
        let obs = Observation::Memory {
            who: Who::Child,
            pid: 7,
            address: 16,
            before: Some(100),
            after: Some(200),
            value: None,
            child_changed_it: None,
        };
        let line = serde_json::to_string(&obs).unwrap();
        assert_eq!(
            line,
            r#"{"step":"memory","who":"child","pid":7,"address":16,"before":100,"after":200}"#
        );
        assert_eq!(serde_json::from_str::<Observation>(&line).unwrap(), obs);
    }
}
