//! Turning Ctrl-C and SIGTERM into an orderly shutdown.
//!
//! The handler only stores the signal number in an atomic, the one thing that is safe to do in a
//! signal handler. It is installed without `SA_RESTART`, so a blocking `waitpid` or `read` returns
//! `EINTR`; the waiting code then sees [`pending`] and unwinds, and the
//! [`Child`](super::Child) guards reap.

use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(sig: libc::c_int) {
    PENDING.store(sig, Ordering::SeqCst);
}

/// Install the handler for SIGINT and SIGTERM.
pub fn install() {
    let action = SigAction::new(
        SigHandler::Handler(record),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: `record` is async-signal-safe: it performs one atomic store and nothing else.
        let _ = unsafe { sigaction(sig, &action) };
    }
}

/// The signal received since [`install`], if any.
pub fn pending() -> Option<Signal> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        n => Signal::try_from(n).ok(),
    }
}

/// In a freshly forked child: default actions again, and no inherited pending flag.
pub(super) fn reset_in_child() {
    PENDING.store(0, Ordering::SeqCst);
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: restoring the default disposition installs no Rust code as a handler.
        let _ = unsafe { sigaction(sig, &default) };
    }
}
