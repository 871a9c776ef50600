//! What every integration test shares: how the real binary is started, and the guards that make
//! sure a test leaves no process behind, whether it passes or fails.
//!
//! Each `tests/*.rs` file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::ops::{Deref, DerefMut};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use toolkit::proc::{Fields, ProcessTable};

pub mod chat;
pub mod tmux;

/// The binary under test, built by cargo for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_toolkit");

/// The toolkit in a known environment: no locale variable but `LANG=C.UTF-8` (English, UTF-8),
/// `NO_COLOR=1`, stdin closed. A test about language or colour sets those itself on the result.
pub fn toolkit() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LC_CTYPE")
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// A process a test started: killed (SIGKILL) and reaped when the guard is dropped, so a failed
/// assertion leaves neither an orphan nor a zombie. Derefs to the [`Child`].
pub struct Guard(Child);

impl Guard {
    pub fn spawn(cmd: &mut Command) -> Guard {
        Guard(cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}")))
    }

    /// `sleep SECS`, a process that only waits to be looked at.
    pub fn sleep(secs: u32) -> Guard {
        Guard::spawn(Command::new("sleep").arg(secs.to_string()))
    }

    pub fn pid(&self) -> i32 {
        self.0.id() as i32
    }
}

impl Deref for Guard {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl DerefMut for Guard {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Held by tests that must not overlap within one test binary (for example, because they check
/// that no child of this test process remains).
pub fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Nothing the test (or the toolkit `toolkit_pid`) started is left: no process has either as its
/// parent, and each PID in `pids` is gone from /proc.
pub fn assert_nothing_left(toolkit_pid: i32, pids: &[i32]) {
    let me = std::process::id() as i32;
    // Re-parenting and reaping by init after a kill are not instantaneous: allow a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let table = ProcessTable::scan(Fields::STAT_ONLY).expect("scan /proc");
        let left: Vec<i32> = table
            .iter()
            .filter(|p| p.ppid == me || p.ppid == toolkit_pid || pids.contains(&p.pid))
            .map(|p| p.pid)
            .collect();
        if left.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            panic!("processes left behind: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
