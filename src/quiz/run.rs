//! The real run of a quiz program: every `fork()` in it is a real `fork()`, made through the
//! crate's one child module ([`crate::child`]).
//!
//! The toolkit (the *collector*) forks the program's first process and reads one pipe. Every
//! process of the program inherits the pipe's write end and writes one line per thing it does:
//! `born PID PPID` when it starts, `print PID A` for each `print("A")`, `end PID` when it ends.
//! Each line is one `write()` of less than `PIPE_BUF` bytes, so lines never mix, and **the order
//! in the pipe is the real output order**: the same thing that decides the order of `python3
//! prog.py | cat`. The pipe reaches end-of-file when the last process has ended.
//!
//! The program's own rules are kept: a parent that ends before its children leaves them running
//! (they are *orphans* for a moment), exactly as in Python. So the program's processes are forked
//! without a parent-death signal, which would kill such an orphan and change the output. What
//! keeps nothing behind instead:
//! - the collector is a child subreaper: orphans are re-parented to it, and it reaps them all
//!   ([`ReapAllOnDrop`]), on every path;
//! - the program runs in a process group of its own, which the collector kills (SIGKILL) on
//!   Ctrl-C, an error, or a program that makes more processes than allowed;
//! - the first process dies with the collector (parent-death signal), and every process of the
//!   program arms a 10-second alarm at birth: a program of a few prints takes milliseconds, so if
//!   the collector is killed the rest end by themselves, and none can outlive the alarm.
//! - no process reads the pipe, so none can block on it; a process only waits for its own child,
//!   which ends.

use std::fs::File;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::{Pid, getpid};

use super::program::{Action, Compiled, MAX_PROCESSES, Program, Regs};
use crate::child::pipe::{self, LineReader, Next};
use crate::child::{Child, ChildError, ReapAllOnDrop, fork_child, fork_orphanable};

/// How long a program may run before the collector gives up on it.
const RUN_TIMEOUT: Duration = Duration::from_secs(10);
/// The alarm every process of the program arms at birth, in seconds.
const ALARM_SECS: u32 = 10;

/// A process of the real run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealProcess {
    pub pid: i32,
    pub ppid: i32,
    /// What it printed, in order.
    pub printed: Vec<char>,
}

/// One line of the real output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RealLine {
    pub pid: i32,
    pub label: char,
}

/// What really happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealRun {
    /// In order of birth (the first process first).
    pub processes: Vec<RealProcess>,
    /// In the order the lines were written.
    pub output: Vec<RealLine>,
}

/// Why the run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Child(#[from] ChildError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the program made more than {MAX_PROCESSES} processes")]
    TooMany,
    #[error("the program did not finish within {} s", RUN_TIMEOUT.as_secs())]
    TimedOut,
    #[error("a process of the program failed: {0}")]
    Member(String),
}

/// Run `program` for real.
pub fn run(program: &Program) -> Result<RealRun, RunError> {
    let code = program.compile();
    // Declared first, so it is dropped last: after the first process's guard.
    let _reaper = ReapAllOnDrop::new().map_err(|e| RunError::Io(e.into()))?;
    let (reader, writer) = pipe::new()?;
    let collector = getpid();
    let mut first = fork_child(|| {
        // A process group of its own, which every later process inherits.
        let _ = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
        member(&code, code.start(), collector, &writer)
    })?;
    // Both sides set the group, so it is set before the collector may need to kill it.
    let group = first.pid();
    let _ = nix::unistd::setpgid(group, group);
    drop(writer);
    let kill_group = || {
        let _ = killpg(group, Signal::SIGKILL);
    };
    let result = collect(LineReader::new(reader));
    if result.is_err() {
        kill_group();
    }
    first.wait()?;
    result
}

/// Read the pipe until every process has ended.
fn collect(mut reader: LineReader) -> Result<RealRun, RunError> {
    let deadline = Instant::now() + RUN_TIMEOUT;
    let mut run = RealRun {
        processes: Vec::new(),
        output: Vec::new(),
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match reader.next_line(left) {
            Ok(Next::Line(line)) => line,
            Ok(Next::Eof) => return Ok(run),
            Ok(Next::TimedOut) => return Err(RunError::TimedOut),
            Err(e) => {
                return Err(match e.downcast::<ChildError>() {
                    Ok(child) => RunError::Child(child),
                    Err(other) => RunError::Member(format!("{other:#}")),
                });
            }
        };
        let words: Vec<&str> = line.split(' ').collect();
        let pid = |i: usize| words.get(i).and_then(|w| w.parse::<i32>().ok());
        match (words.first().copied(), pid(1)) {
            (Some("born"), Some(me)) => {
                run.processes.push(RealProcess {
                    pid: me,
                    ppid: pid(2).unwrap_or(0),
                    printed: Vec::new(),
                });
                if run.processes.len() > MAX_PROCESSES {
                    return Err(RunError::TooMany);
                }
            }
            (Some("print"), Some(me)) => {
                let label = words.get(2).and_then(|w| w.chars().next()).unwrap_or('?');
                run.output.push(RealLine { pid: me, label });
                if let Some(p) = run.processes.iter_mut().find(|p| p.pid == me) {
                    p.printed.push(label);
                }
            }
            (Some("end"), Some(_)) => {}
            _ => return Err(RunError::Member(line)),
        }
    }
}

/// The life of one process of the program, from its first instruction to its end. Returns its
/// exit code (the body of a forked child).
fn member(code: &Compiled, mut regs: Regs, parent: Pid, out: &File) -> i32 {
    let _ = nix::unistd::alarm::set(ALARM_SECS);
    let me = getpid();
    let say = |line: String| pipe::send_line(out, &line).is_ok();
    if !say(format!("born {me} {parent}")) {
        return 1;
    }
    let mut children: Vec<Child> = Vec::new();
    let code_of_end = loop {
        match code.step(&mut regs) {
            Action::Print(label) => {
                if !say(format!("print {me} {label}")) {
                    break 1;
                }
            }
            Action::Fork(var) => {
                let kid_regs = regs.child_copy(var);
                match fork_orphanable(|| member(code, kid_regs, me, out)) {
                    Ok(kid) => {
                        regs.set(var, i64::from(kid.pid_i32()));
                        children.push(kid);
                    }
                    Err(e) => {
                        let _ = say(format!("error {me} fork failed: {e}"));
                        break 1;
                    }
                }
            }
            Action::Wait(pid) => {
                if let Some(kid) = children.iter_mut().find(|k| i64::from(k.pid_i32()) == pid)
                    && let Err(e) = kid.wait()
                {
                    let _ = say(format!("error {me} waitpid failed: {e}"));
                    break 1;
                }
            }
            Action::End => break 0,
        }
    };
    let _ = say(format!("end {me}"));
    // Children not waited for go on without us, as in Python: the collector adopts and reaps them.
    for kid in children {
        if kid.status().is_none() {
            kid.disown();
        }
    }
    code_of_end
}
