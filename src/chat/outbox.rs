//! One member's outgoing lines: what the room has said and the member's socket has not yet taken.
//!
//! # Why not a channel
//! The first server gave each member a tokio `mpsc` channel. A profile of a 1,000-member room under
//! load put half of the server's own CPU time in the channel: every line to every member was one
//! push into a linked list of blocks, one semaphore permit taken and given back, and often one task
//! wake-up. A room delivers millions of lines a second, so per-line costs are what matter.
//!
//! An outbox is a plain queue behind a mutex that only two parties ever touch (whoever broadcasts,
//! and the member's writer task), so the lock is nearly always free:
//! - the room pushes a whole batch of lines (everything one sender's read brought in) under one
//!   lock, [`Outbox::push_all`], instead of one operation per line;
//! - the writer takes *everything* queued in one swap, [`Outbox::take`], and hands it to a single
//!   `writev`;
//! - the writer is woken only when it is parked with nothing to do. A writer that is still busy
//!   with the last batch finds the new lines when it comes back, without a wake-up.
//!
//! # Bounded
//! The queue holds at most `capacity` lines. A push that would pass the bound fails with [`Full`]:
//! the member is not reading, and the room drops it rather than buffer without end.
//!
//! # Idle members are cheap
//! A parked writer gives back any queue storage beyond a few lines, so a member who only listens
//! costs the server almost nothing between bursts.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::Notify;

/// Queue storage (in lines) an idle outbox may keep; more is freed when the writer parks.
const IDLE_KEEP: usize = 16;

/// The outbox is full: its member has stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

#[derive(Debug, Default)]
struct State {
    lines: VecDeque<Bytes>,
    /// The writer found nothing to do and waits for a wake-up.
    parked: bool,
    /// No more lines will come: the writer sends what is queued and stops.
    closed: bool,
}

#[derive(Debug)]
pub struct Outbox {
    state: Mutex<State>,
    ready: Notify,
    capacity: usize,
}

impl Outbox {
    /// An outbox holding at most `capacity` lines (at least 1).
    pub fn new(capacity: usize) -> Outbox {
        Outbox {
            state: Mutex::new(State::default()),
            ready: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change under the lock is a single push, swap or flag, so a panic elsewhere cannot
        // leave the state half-changed: a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queue `lines` (all of them, in order, or none). `Ok(true)` means the writer is parked and
    /// must be woken with [`Outbox::wake`]; the caller may wait until it has finished a whole
    /// broadcast, so that the writer wakes once to a full batch. Lines for a closed outbox are
    /// dropped: its member is leaving.
    pub fn push_all(&self, lines: &[Bytes]) -> Result<bool, Full> {
        let mut state = self.lock();
        if state.closed {
            return Ok(false);
        }
        if state.lines.len() + lines.len() > self.capacity {
            return Err(Full);
        }
        state.lines.extend(lines.iter().cloned());
        Ok(std::mem::take(&mut state.parked))
    }

    /// Queue one line and wake the writer if needed.
    pub fn push_now(&self, line: Bytes) -> Result<(), Full> {
        if self.push_all(std::slice::from_ref(&line))? {
            self.wake();
        }
        Ok(())
    }

    /// Wake the writer (after a push returned `true`).
    pub fn wake(&self) {
        self.ready.notify_one();
    }

    /// No more lines: the writer drains what is queued, then [`Outbox::take`] returns `false`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.wake();
    }

    /// Lines queued now (for tests and logs).
    pub fn len(&self) -> usize {
        self.lock().lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Wait for lines and move all of them into `into` (which must be empty; its storage is
    /// reused). Returns `false` once the outbox is closed and drained.
    pub async fn take(&self, into: &mut VecDeque<Bytes>) -> bool {
        debug_assert!(into.is_empty());
        loop {
            {
                let mut state = self.lock();
                if !state.lines.is_empty() {
                    std::mem::swap(&mut state.lines, into);
                    return true;
                }
                if state.closed {
                    return false;
                }
                state.parked = true;
                if state.lines.capacity() > IDLE_KEEP {
                    state.lines = VecDeque::new();
                }
            }
            if into.capacity() > IDLE_KEEP {
                *into = VecDeque::new();
            }
            // A wake between the unlock above and this wait is not lost: `Notify` keeps it.
            self.ready.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    fn lines(texts: &[&'static str]) -> Vec<Bytes> {
        texts
            .iter()
            .map(|t| Bytes::from_static(t.as_bytes()))
            .collect()
    }

    #[tokio::test]
    async fn the_writer_takes_everything_queued_in_order() {
        let outbox = Outbox::new(10);
        assert_eq!(outbox.push_all(&lines(&["a", "b"])), Ok(false));
        assert_eq!(outbox.push_all(&lines(&["c"])), Ok(false));
        let mut got = VecDeque::new();
        assert!(outbox.take(&mut got).await);
        assert_eq!(got, lines(&["a", "b", "c"]));
        assert!(outbox.is_empty());
    }

    #[tokio::test]
    async fn a_push_past_the_bound_fails_whole_and_keeps_what_was_queued() {
        let outbox = Outbox::new(3);
        outbox.push_all(&lines(&["a", "b"])).unwrap();
        assert_eq!(outbox.push_all(&lines(&["c", "d"])), Err(Full));
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox.push_now(Bytes::from_static(b"c")), Ok(()));
        assert_eq!(outbox.push_now(Bytes::from_static(b"d")), Err(Full));
    }

    #[tokio::test]
    async fn a_parked_writer_asks_for_one_wake_and_gets_it() {
        let outbox = Arc::new(Outbox::new(10));
        let writer = {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move {
                let mut got = VecDeque::new();
                assert!(outbox.take(&mut got).await);
                got
            })
        };
        // Let the writer find the outbox empty and park.
        while !outbox.lock().parked {
            tokio::task::yield_now().await;
        }
        assert_eq!(outbox.push_all(&lines(&["a"])), Ok(true));
        // Only the first push after parking asks for a wake.
        assert_eq!(outbox.push_all(&lines(&["b"])), Ok(false));
        outbox.wake();
        let got = tokio::time::timeout(Duration::from_secs(5), writer)
            .await
            .expect("the writer woke")
            .unwrap();
        assert_eq!(got, lines(&["a", "b"]));
    }

    #[tokio::test]
    async fn close_lets_the_writer_drain_then_stop() {
        let outbox = Outbox::new(10);
        outbox.push_now(Bytes::from_static(b"last")).unwrap();
        outbox.close();
        // Nothing more is accepted after closing.
        assert_eq!(outbox.push_all(&lines(&["late"])), Ok(false));
        let mut got = VecDeque::new();
        assert!(outbox.take(&mut got).await);
        assert_eq!(got, lines(&["last"]));
        got.clear();
        assert!(!outbox.take(&mut got).await);
    }

    #[tokio::test]
    async fn a_parked_outbox_frees_its_burst_storage() {
        let outbox = Arc::new(Outbox::new(1000));
        let burst: Vec<Bytes> = (0..500).map(|_| Bytes::from_static(b"x")).collect();
        outbox.push_all(&burst).unwrap();
        let mut got = VecDeque::new();
        assert!(outbox.take(&mut got).await);
        assert_eq!(got.len(), 500);
        got.clear();
        let waiting = {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move { outbox.take(&mut got).await })
        };
        while !outbox.lock().parked {
            tokio::task::yield_now().await;
        }
        assert!(outbox.lock().lines.capacity() <= IDLE_KEEP);
        outbox.close();
        assert!(!waiting.await.unwrap());
    }
}
