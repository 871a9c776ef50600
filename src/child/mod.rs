//! MAKING processes: the one place the toolkit forks, tracks and reaps its children.
//!
//! Demos, the chat server's admin console and the chat client all create their children here;
//! nothing else in the crate calls `fork()` or `clone()`.
//!
//! - this file: [`fork_child`], the [`Child`] guard, reaping ([`ReapAllOnDrop`],
//!   [`reap_terminated`]) and [`die_with_parent`];
//! - [`interrupt`]: Ctrl-C and SIGTERM turned into an orderly unwind;
//! - [`pipe`]: the pipes children report through;
//! - [`vfork`]: a `vfork`-style child, whose parent the kernel holds in `D`.
//!
//! Three promises, kept here so no demo has to remember them:
//!
//! 1. **Fork only while single-threaded.** After `fork()` only the calling thread exists in the
//!    child; a lock held by another thread (the allocator's, stdout's, a runtime's) would stay locked
//!    forever. [`fork_child`] reads `/proc/self/stat` and refuses if the process has more than one
//!    thread, so a fork after a tokio runtime has started is an error, not a deadlock.
//! 2. **The child never returns into the parent's code.** Its body runs inside `catch_unwind` and
//!    the child exits with the body's code (101 on panic), flushing stdout first.
//! 3. **Every child is reaped.** A [`Child`] is a guard: dropping it without waiting kills the child
//!    (SIGKILL) and reaps it. [`interrupt`] turns Ctrl-C / SIGTERM into an error that unwinds the
//!    parent normally, so the guards run on that path too.
//!
//! Why `stdout` is flushed before `fork()`: anything still in the parent's buffer is copied into the
//! child and would be printed twice (`toolkit fork-demo --buffer-trap` shows this on purpose with a
//! buffer of its own).

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

use nix::errno::Errno;
use nix::sys::signal::{self, Signal};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use thiserror::Error;

use crate::proc;

pub mod interrupt;
pub mod pipe;
pub mod vfork;

/// Why a fork or a wait failed.
#[derive(Debug, Error)]
pub enum ChildError {
    /// `fork()` itself failed (EAGAIN under `ulimit -u`, ENOMEM).
    #[error("fork() failed: {0} (errno {errno})", errno = *.0 as i32)]
    Fork(Errno),
    /// The process has more than one thread; forking now would be unsafe.
    #[error("refusing to fork: this process has {0} threads (fork only while single-threaded)")]
    MultiThreaded(i64),
    /// `/proc/self/stat` could not be read, so we cannot know that forking is safe.
    #[error("refusing to fork: cannot read this process's thread count from /proc/self/stat")]
    ThreadsUnknown,
    /// A wait failed for a reason other than an interruption.
    #[error("waitpid({pid}) failed: {errno}")]
    Wait { pid: i32, errno: Errno },
    /// The user pressed Ctrl-C (or sent SIGTERM); children were stopped and reaped.
    #[error("interrupted by {0}")]
    Interrupted(Signal),
}

impl ChildError {
    /// The exit code a shell would show: 128 + signal for interruptions, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            ChildError::Interrupted(sig) => 128 + *sig as u8,
            _ => 1,
        }
    }
}

/// A forked child that will be reaped: by [`Child::wait`], or by `Drop` (kill, then reap).
#[derive(Debug)]
pub struct Child {
    pid: Pid,
    status: Option<WaitStatus>,
}

/// Number of threads in this process, from `/proc/self/stat`. `None` when it cannot be read: the
/// callers then refuse to fork, because "one thread" is the premise of their `SAFETY` comments and
/// an unknown count does not establish it.
pub(crate) fn thread_count() -> Option<i64> {
    proc::read_process(std::process::id() as i32, proc::Fields::STAT_ONLY)
        .ok()
        .map(|p| p.num_threads)
}

/// Ok when this process has exactly one thread; the reason to refuse a fork otherwise.
pub(crate) fn ensure_single_threaded() -> Result<(), ChildError> {
    match thread_count() {
        Some(1) => Ok(()),
        Some(n) => Err(ChildError::MultiThreaded(n)),
        None => Err(ChildError::ThreadsUnknown),
    }
}

/// Fork. The child runs `body` and exits with the code it returns; the parent gets a [`Child`].
///
/// The child dies with its parent: before `body` runs it asks the kernel for SIGKILL when the
/// parent dies (`PR_SET_PDEATHSIG`), then checks that the parent is still the one that forked it
/// (if the parent died in between, nobody would send the signal: the child exits at once). So a
/// `kill -9` of the toolkit never leaves a busy loop spinning, a child blocked on a pipe, or a
/// stopped child behind. A child that should use another signal sets it again itself.
///
/// The child's SIGINT and SIGTERM go back to their default action, so Ctrl-C ends a busy child even
/// when the parent has installed [`interrupt::install`].
pub fn fork_child<F: FnOnce() -> i32>(body: F) -> Result<Child, ChildError> {
    fork_with(body, true)
}

/// Fork a child that must be able to outlive its parent: the orphan of `fork-demo --orphan`. It
/// has to arrange its own end (see [`die_with_parent`], armed once it has been adopted).
pub fn fork_orphanable<F: FnOnce() -> i32>(body: F) -> Result<Child, ChildError> {
    fork_with(body, false)
}

fn fork_with<F: FnOnce() -> i32>(body: F, dies_with_parent: bool) -> Result<Child, ChildError> {
    ensure_single_threaded()?;
    let parent = nix::unistd::getpid();
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `ensure_single_threaded` read from /proc just above that this process has exactly
    // one thread, so no other thread can hold a lock (allocator, stdio) that the child would inherit in a locked state.
    match unsafe { fork() } {
        Err(errno) => Err(ChildError::Fork(errno)),
        Ok(ForkResult::Parent { child }) => Ok(Child {
            pid: child,
            status: None,
        }),
        Ok(ForkResult::Child) => {
            interrupt::reset_in_child();
            if dies_with_parent && !die_with_parent(parent, Signal::SIGKILL) {
                std::process::exit(1);
            }
            let code = catch_unwind(AssertUnwindSafe(body)).unwrap_or(101);
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().flush();
            std::process::exit(code)
        }
    }
}

impl Child {
    /// Give up responsibility for this child without killing it: the demo of an orphan needs the
    /// middle process to exit while its own child lives on (the subreaper then adopts and reaps it).
    pub fn disown(self) -> Pid {
        let pid = self.pid;
        std::mem::forget(self);
        pid
    }

    /// Track a child created some other way (for example the survivor of a `vfork`).
    pub fn from_pid(pid: Pid) -> Child {
        Child { pid, status: None }
    }

    pub fn pid(&self) -> Pid {
        self.pid
    }

    pub fn pid_i32(&self) -> i32 {
        self.pid.as_raw()
    }

    /// The exit status, once reaped.
    pub fn status(&self) -> Option<WaitStatus> {
        self.status
    }

    /// Block until the child terminates, and reap it. Stopped children are not "terminated":
    /// the wait goes on. Ctrl-C during the wait kills and reaps the child, then reports
    /// [`ChildError::Interrupted`].
    pub fn wait(&mut self) -> Result<WaitStatus, ChildError> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        loop {
            if let Some(sig) = interrupt::pending() {
                self.kill_and_reap();
                return Err(ChildError::Interrupted(sig));
            }
            match waitpid(self.pid, None) {
                Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                    self.status = Some(status);
                    return Ok(status);
                }
                Ok(_) => continue,
                Err(Errno::EINTR) => continue,
                Err(errno) => {
                    return Err(ChildError::Wait {
                        pid: self.pid.as_raw(),
                        errno,
                    });
                }
            }
        }
    }

    /// Reap the child if it has terminated; `None` while it still runs.
    pub fn try_wait(&mut self) -> Result<Option<WaitStatus>, ChildError> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        match waitpid(self.pid, Some(WaitPidFlag::WNOHANG)) {
            Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                self.status = Some(status);
                Ok(Some(status))
            }
            Ok(_) | Err(Errno::EINTR) => Ok(None),
            Err(errno) => Err(ChildError::Wait {
                pid: self.pid.as_raw(),
                errno,
            }),
        }
    }

    /// Block until the child has terminated but leave it unreaped: it stays a zombie (`Z`) until
    /// [`Child::wait`]. This is how the demos can show a zombie on purpose.
    pub fn wait_for_exit_keep_zombie(&mut self) -> Result<(), ChildError> {
        if self.status.is_some() {
            return Ok(());
        }
        loop {
            if let Some(sig) = interrupt::pending() {
                self.kill_and_reap();
                return Err(ChildError::Interrupted(sig));
            }
            match waitid(
                Id::Pid(self.pid),
                WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT,
            ) {
                Ok(_) => return Ok(()),
                Err(Errno::EINTR) => continue,
                Err(errno) => {
                    return Err(ChildError::Wait {
                        pid: self.pid.as_raw(),
                        errno,
                    });
                }
            }
        }
    }

    /// Send a signal to the child (no-op once it has been reaped, so a recycled PID is never hit).
    pub fn signal(&self, sig: Signal) -> Result<(), Errno> {
        if self.status.is_some() {
            return Ok(());
        }
        signal::kill(self.pid, sig)
    }

    /// Kill (SIGKILL) and reap; used on error paths and by `Drop`.
    pub fn kill_and_reap(&mut self) {
        if self.status.is_some() {
            return;
        }
        let _ = signal::kill(self.pid, Signal::SIGKILL);
        loop {
            match waitpid(self.pid, None) {
                Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                    self.status = Some(status);
                    return;
                }
                Ok(_) | Err(Errno::EINTR) => continue,
                // ECHILD: someone else reaped it; nothing left to do.
                Err(_) => return,
            }
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.kill_and_reap();
    }
}

/// Make this process a child subreaper: orphaned descendants are re-parented to it instead of to
/// PID 1, so it can reap them (`prctl(PR_SET_CHILD_SUBREAPER)`).
pub fn become_subreaper() -> Result<(), Errno> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// Reap every child that has already terminated (adopted orphans included); returns their statuses.
pub fn reap_terminated() -> Vec<WaitStatus> {
    let mut reaped = Vec::new();
    while let Ok(status) = waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
        match status {
            WaitStatus::StillAlive => break,
            s => reaped.push(s),
        }
    }
    reaped
}

/// In a freshly forked child: ask the kernel to send us `signal` when our parent dies, so an
/// interrupted or killed parent leaves nothing behind. Returns `false` when the parent is already
/// gone (it died before the request took effect): the caller should then exit at once.
pub fn die_with_parent(parent: Pid, signal: Signal) -> bool {
    let _ = nix::sys::prctl::set_pdeathsig(signal);
    nix::unistd::getppid() == parent
}

/// Sleep, but wake up for Ctrl-C: returns [`ChildError::Interrupted`] when one arrived.
/// (`std::thread::sleep` restarts after a signal, so it sleeps in short slices and checks.)
pub fn sleep_interruptible(duration: std::time::Duration) -> Result<(), ChildError> {
    let end = std::time::Instant::now() + duration;
    loop {
        if let Some(sig) = interrupt::pending() {
            return Err(ChildError::Interrupted(sig));
        }
        let now = std::time::Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(std::time::Duration::from_millis(20)));
    }
}

/// For demos that make grandchildren: while this guard lives the process is a child subreaper,
/// so descendants orphaned by an error or Ctrl-C are re-parented to us instead of to PID 1 (which,
/// in a container, may never reap them). On drop it kills and reaps every child still left,
/// adopted ones included, within a bounded time.
///
/// Declare it *before* the [`Child`] guards of the demo, so it is dropped after them: the guards
/// kill the direct children first, then this collects whatever descendants that orphaned.
#[derive(Debug)]
pub struct ReapAllOnDrop {
    _private: (),
}

impl ReapAllOnDrop {
    pub fn new() -> Result<ReapAllOnDrop, Errno> {
        become_subreaper()?;
        Ok(ReapAllOnDrop { _private: () })
    }
}

impl Drop for ReapAllOnDrop {
    fn drop(&mut self) {
        kill_and_reap_all(std::time::Duration::from_secs(3));
    }
}

/// Kill (SIGKILL) and reap every child this process has, until none is left or `timeout` passes.
/// Children are found in /proc (PPID = us), so adopted orphans are included.
pub fn kill_and_reap_all(timeout: std::time::Duration) {
    let me = nix::unistd::getpid().as_raw();
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {}
            Ok(_) | Err(Errno::EINTR) => continue,
            // ECHILD: nothing left.
            Err(_) => return,
        }
        if std::time::Instant::now() > deadline {
            return;
        }
        if let Ok(table) = proc::ProcessTable::scan(proc::Fields::STAT_ONLY) {
            for p in table.iter().filter(|p| p.ppid == me && p.state != 'Z') {
                let _ = signal::kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test harness runs tests on worker threads, so this process is multi-threaded: the guard
    /// must refuse to fork (and the body must never run).
    #[test]
    fn refuses_to_fork_when_multi_threaded() {
        let result = fork_child(|| panic!("the child body must not run"));
        match result {
            Err(ChildError::MultiThreaded(n)) => assert!(n > 1),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn interruptions_exit_like_a_shell() {
        assert_eq!(ChildError::Interrupted(Signal::SIGINT).exit_code(), 130);
        assert_eq!(ChildError::Interrupted(Signal::SIGTERM).exit_code(), 143);
        assert_eq!(ChildError::Fork(Errno::EAGAIN).exit_code(), 1);
    }
}
