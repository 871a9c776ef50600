//! One member's outgoing lines: what the room has said and the member's socket has not yet taken.
//!
//! # Why not a channel
//! The first server gave each member a tokio `mpsc` channel. A profile of a 1,000-member room under
//! load put half of the server's own CPU time in the channel: every line to every member was one
//! push into a linked list of blocks, one semaphore permit taken and given back, and often one task
//! wake-up. A room delivers millions of lines a second, so per-line costs are what matter.
//!
//! An outbox is a plain byte buffer behind a mutex that only two parties ever touch (whoever
//! broadcasts, and the member's writer task), so the lock is nearly always free:
//! - the room appends a whole [`Batch`] of lines (everything one sender's read brought in) under
//!   one lock, [`Outbox::push`], instead of one operation per line;
//! - the lines are copied in, back to back. Copying 40 bytes costs less than what sharing them
//!   cost: a reference count bumped by one thread and dropped by another, and one `iovec` per line
//!   for the kernel to walk;
//! - the writer takes *everything* queued in one swap, [`Outbox::take`], and hands it to a single
//!   `write`;
//! - the writer is woken only when it is parked with nothing to do. A writer that is still busy
//!   with the last batch finds the new lines when it comes back, without a wake-up.
//!
//! # Bounded
//! The outbox holds at most `capacity` lines. A push that would pass the bound fails with
//! [`Full`]: the member is not reading, and the room drops it rather than buffer without end.
//!
//! # Idle members are cheap
//! A parked writer gives back any buffer beyond a few hundred bytes, so a member who only listens
//! costs the server almost nothing between bursts.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

/// Buffer (in bytes) an idle outbox may keep; more is freed when the writer parks.
const IDLE_KEEP: usize = 512;

/// Whole lines, back to back, and how many there are: what one broadcast delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    bytes: Vec<u8>,
    lines: usize,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    /// A batch of one line (which ends in `\n`).
    pub fn one(line: impl Into<Vec<u8>>) -> Batch {
        let bytes = line.into();
        debug_assert!(bytes.ends_with(b"\n"));
        Batch { bytes, lines: 1 }
    }

    /// Append a line (which ends in `\n`).
    pub fn push_line(&mut self, line: &[u8]) {
        debug_assert!(line.ends_with(b"\n"));
        self.bytes.extend_from_slice(line);
        self.lines += 1;
    }

    pub fn lines(&self) -> usize {
        self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Empty it, keeping a small buffer for the next batch but not a flood's worth.
    pub fn clear(&mut self) {
        self.lines = 0;
        if self.bytes.capacity() > IDLE_KEEP * 8 {
            self.bytes = Vec::new();
        } else {
            self.bytes.clear();
        }
    }
}

/// The outbox is full: its member has stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

#[derive(Debug, Default)]
struct State {
    /// The queued lines, back to back.
    bytes: Vec<u8>,
    /// How many lines `bytes` holds (the bound counts lines).
    lines: usize,
    /// The writer found nothing to do and waits for a wake-up.
    parked: bool,
    /// The writer has just written and waits a moment for more lines to gather (see
    /// [`Outbox::linger`]); it is woken early only if the outbox is half full.
    lingering: bool,
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

    /// Queue a batch (all of it or none). `Ok(true)` means the writer is parked and must be woken
    /// with [`Outbox::wake`]; the caller may wait until it has finished a whole broadcast, so that
    /// the writer wakes once to a full batch. Lines for a closed outbox are dropped: its member is
    /// leaving.
    pub fn push(&self, batch: &Batch) -> Result<bool, Full> {
        let mut state = self.lock();
        if state.closed {
            return Ok(false);
        }
        if state.lines + batch.lines > self.capacity {
            return Err(Full);
        }
        state.bytes.extend_from_slice(&batch.bytes);
        state.lines += batch.lines;
        let half_full = state.lines >= self.half();
        let wake = state.parked || (state.lingering && half_full);
        if wake {
            state.parked = false;
            state.lingering = false;
        }
        Ok(wake)
    }

    /// Queue a batch and wake the writer if needed.
    pub fn push_now(&self, batch: &Batch) -> Result<(), Full> {
        if self.push(batch)? {
            self.wake();
        }
        Ok(())
    }

    fn half(&self) -> usize {
        self.capacity.div_ceil(2)
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
        self.lock().lines
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Called by the writer right after a write of several lines (lines are arriving faster than
    /// they are written): wait up to `max` so that lines arriving in the meantime go out together
    /// in the next write, instead of one system call each. Returns at
    /// once if the outbox is closed or half full, and early if it fills to half while waiting: the
    /// pause may cost latency, never a healthy member its place.
    ///
    /// This is Nagle's idea at the level of chat lines: a member who was written to a moment ago
    /// waits a little; a member who has been quiet is written to at once.
    pub async fn linger(&self, max: std::time::Duration) {
        {
            let mut state = self.lock();
            if state.closed || state.lines >= self.half() {
                return;
            }
            state.lingering = true;
        }
        tokio::select! {
            _ = tokio::time::sleep(max) => {}
            _ = self.ready.notified() => {}
        }
        self.lock().lingering = false;
    }

    /// Wait for lines and move all of them, as bytes, into `into` (which must be empty; its
    /// buffer is reused). Returns how many lines it took, or `None` once the outbox is closed and
    /// drained.
    pub async fn take(&self, into: &mut Vec<u8>) -> Option<usize> {
        debug_assert!(into.is_empty());
        loop {
            {
                let mut state = self.lock();
                if state.lines > 0 {
                    std::mem::swap(&mut state.bytes, into);
                    return Some(std::mem::take(&mut state.lines));
                }
                if state.closed {
                    return None;
                }
                state.parked = true;
                if state.bytes.capacity() > IDLE_KEEP {
                    state.bytes = Vec::new();
                }
            }
            if into.capacity() > IDLE_KEEP {
                *into = Vec::new();
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

    /// A batch of these lines (each gets its `\n`).
    fn batch(texts: &[&str]) -> Batch {
        let mut b = Batch::new();
        for t in texts {
            b.push_line(format!("{t}\n").as_bytes());
        }
        b
    }

    async fn take_all(outbox: &Outbox) -> Option<String> {
        let mut got = Vec::new();
        outbox
            .take(&mut got)
            .await
            .map(|_| String::from_utf8(got).unwrap())
    }

    #[test]
    fn a_batch_counts_its_lines_and_forgets_a_flood_when_cleared() {
        let mut b = batch(&["a", "b"]);
        assert_eq!((b.lines(), b.as_bytes()), (2, &b"a\nb\n"[..]));
        for _ in 0..1000 {
            b.push_line(b"0123456789\n");
        }
        b.clear();
        assert!(b.is_empty());
        assert!(b.bytes.capacity() <= IDLE_KEEP * 8);
        assert_eq!(Batch::one("x\n").lines(), 1);
    }

    #[tokio::test]
    async fn the_writer_takes_everything_queued_in_order() {
        let outbox = Outbox::new(10);
        assert_eq!(outbox.push(&batch(&["a", "b"])), Ok(false));
        assert_eq!(outbox.push(&batch(&["c"])), Ok(false));
        assert_eq!(outbox.len(), 3);
        assert_eq!(take_all(&outbox).await.as_deref(), Some("a\nb\nc\n"));
        assert!(outbox.is_empty());
    }

    #[tokio::test]
    async fn a_push_past_the_bound_fails_whole_and_keeps_what_was_queued() {
        let outbox = Outbox::new(3);
        outbox.push(&batch(&["a", "b"])).unwrap();
        assert_eq!(outbox.push(&batch(&["c", "d"])), Err(Full));
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox.push_now(&batch(&["c"])), Ok(()));
        assert_eq!(outbox.push_now(&batch(&["d"])), Err(Full));
        assert_eq!(take_all(&outbox).await.as_deref(), Some("a\nb\nc\n"));
    }

    #[tokio::test]
    async fn a_parked_writer_asks_for_one_wake_and_gets_it() {
        let outbox = Arc::new(Outbox::new(10));
        let writer = {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move { take_all(&outbox).await })
        };
        // Let the writer find the outbox empty and park.
        while !outbox.lock().parked {
            tokio::task::yield_now().await;
        }
        assert_eq!(outbox.push(&batch(&["a"])), Ok(true));
        // Only the first push after parking asks for a wake.
        assert_eq!(outbox.push(&batch(&["b"])), Ok(false));
        outbox.wake();
        let got = tokio::time::timeout(Duration::from_secs(5), writer)
            .await
            .expect("the writer woke")
            .unwrap();
        assert_eq!(got.as_deref(), Some("a\nb\n"));
    }

    #[tokio::test]
    async fn close_lets_the_writer_drain_then_stop() {
        let outbox = Outbox::new(10);
        outbox.push_now(&batch(&["last"])).unwrap();
        outbox.close();
        // Nothing more is accepted after closing.
        assert_eq!(outbox.push(&batch(&["late"])), Ok(false));
        assert_eq!(take_all(&outbox).await.as_deref(), Some("last\n"));
        assert_eq!(take_all(&outbox).await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lingering_writer_is_woken_early_only_when_half_full() {
        let outbox = Arc::new(Outbox::new(4));
        let linger = {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move {
                let started = tokio::time::Instant::now();
                outbox.linger(Duration::from_secs(60)).await;
                started.elapsed()
            })
        };
        while !outbox.lock().lingering {
            tokio::task::yield_now().await;
        }
        // One line: no wake, the writer keeps gathering.
        assert_eq!(outbox.push(&batch(&["a"])), Ok(false));
        // Two lines is half of four: wake now.
        assert_eq!(outbox.push(&batch(&["b"])), Ok(true));
        outbox.wake();
        let waited = linger.await.unwrap();
        assert!(waited < Duration::from_secs(60), "{waited:?}");
        assert!(!outbox.lock().lingering);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lingering_writer_gathers_lines_until_its_time_is_up() {
        let outbox = Arc::new(Outbox::new(100));
        let writer = {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move {
                outbox.linger(Duration::from_millis(2)).await;
                take_all(&outbox).await
            })
        };
        while !outbox.lock().lingering {
            tokio::task::yield_now().await;
        }
        for line in ["a", "b", "c"] {
            assert_eq!(outbox.push(&batch(&[line])), Ok(false));
        }
        assert_eq!(writer.await.unwrap().as_deref(), Some("a\nb\nc\n"));
    }

    #[tokio::test]
    async fn a_closed_or_half_full_outbox_does_not_linger() {
        let outbox = Outbox::new(2);
        outbox.push_now(&batch(&["a"])).unwrap();
        // Would hang for a minute if it waited.
        outbox.linger(Duration::from_secs(60)).await;
        outbox.close();
        outbox.linger(Duration::from_secs(60)).await;
    }

    #[tokio::test]
    async fn a_parked_outbox_frees_its_burst_storage() {
        let outbox = Arc::new(Outbox::new(1000));
        let burst = batch(&["0123456789"; 500]);
        outbox.push(&burst).unwrap();
        let mut got = Vec::new();
        assert_eq!(outbox.take(&mut got).await, Some(500));
        assert_eq!(got.len(), 500 * 11);
        got.clear();
        let waiting = {
            let outbox = Arc::clone(&outbox);
            tokio::spawn(async move {
                let parked = outbox.take(&mut got).await;
                (parked, got.capacity())
            })
        };
        while !outbox.lock().parked {
            tokio::task::yield_now().await;
        }
        assert!(outbox.lock().bytes.capacity() <= IDLE_KEEP);
        outbox.close();
        let (took, capacity) = waiting.await.unwrap();
        assert_eq!(took, None);
        assert!(capacity <= IDLE_KEEP);
    }
}
