//! A child made the way `vfork()` makes one: the kernel suspends the parent until the child exits
//! (or execs). `/proc` shows that waiting parent as `D`, which is how `toolkit states` shows D.
//!
//! `libc::vfork` itself is unsound to call from Rust (the child would borrow our stack and memory
//! while the compiler assumes it does not). `clone(CLONE_VFORK)` *without* `CLONE_VM` keeps the
//! part we want to show, the parent waiting for the child to exec or exit, while the child gets
//! its own copy of memory exactly as with `fork()`.

use nix::errno::Errno;
use nix::unistd::Pid;

use super::{ChildError, ensure_single_threaded};

/// Create a `vfork`-style child that sleeps for `child_sleep` and exits; this process waits in the
/// kernel (state `D`, killable) until then, and reaps the child. The child dies with us
/// (`PR_SET_PDEATHSIG`), so a SIGKILL to this process leaves nothing behind.
///
/// Refuses, like [`super::fork_child`], unless this process has exactly one thread.
pub fn vfork_and_wait(child_sleep: std::time::Duration) -> Result<(), ChildError> {
    ensure_single_threaded()?;
    let nap = libc::timespec {
        tv_sec: child_sleep.as_secs() as libc::time_t,
        tv_nsec: child_sleep.subsec_nanos() as libc::c_long,
    };
    let flags = (libc::CLONE_VFORK | libc::SIGCHLD) as libc::c_long;
    // SAFETY: `ensure_single_threaded` read from /proc just above that this process has exactly one
    // thread, so, as for fork(), no other thread holds a lock the new process could inherit.
    // Without CLONE_VM the new process gets its own copy-on-write memory (stack pointer 0 = keep
    // using our stack, in its own copy). Its branch below only makes raw system calls (prctl,
    // nanosleep) and ends in _exit, so it never runs our code further or unwinds.
    let pid = unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) };
    if pid == 0 {
        // SAFETY: async-signal-safe system calls with arguments prepared before the clone;
        // _exit never returns.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            libc::nanosleep(&nap, std::ptr::null_mut());
            libc::_exit(0);
        }
    }
    if pid < 0 {
        return Err(ChildError::Fork(Errno::last()));
    }
    let pid = Pid::from_raw(pid as i32);
    loop {
        match nix::sys::wait::waitpid(pid, None) {
            Err(Errno::EINTR) => continue,
            Ok(_) => return Ok(()),
            Err(errno) => {
                return Err(ChildError::Wait {
                    pid: pid.as_raw(),
                    errno,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test harness runs tests on threads of its own: the clone must be refused.
    #[test]
    fn refuses_to_clone_when_multi_threaded() {
        match vfork_and_wait(std::time::Duration::ZERO) {
            Err(ChildError::MultiThreaded(n)) => assert!(n > 1),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
