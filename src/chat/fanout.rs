//! Fan-out: the room's lines to every member's socket, written by a few sweeper tasks rather than
//! by a task per member.
//!
//! # Why sweep
//! A chatroom's cost is fan-out: one line in, N lines out. The simple design is one queue per
//! member and a writer task per member: a broadcast pushes the line into every member's queue,
//! and each writer wakes, gathers what is queued and writes it. That costs one push per member per
//! broadcast (each a lock last touched on another core), one task wake-up per write, and a timer
//! per writer to gather lines. Worse, nobody decides *when* a member is written to: with many
//! members that is left to the order in which the runtime happens to poll their tasks, so some
//! members wait much longer than others. So this server sweeps instead (measurements:
//! docs/performance.md).
//!
//! The members are split into a few shards (one per runtime worker). A broadcast appends its
//! lines once to each shard's inbox (a `Vec` behind a mutex: a handful of pushes instead of one per
//! member). Each shard has one sweeper task. A sweep takes everything in the inbox, lays the
//! lines out in one buffer, and goes through its members in order, handing each the bytes meant
//! for it in one `writev`. Most members get the whole buffer: the same bytes, encoded once.
//!
//! The batching is self-clocking, with no timer: lines that arrive while a sweep is writing wait
//! for the next sweep, so the busier the room, the more lines each write carries. A line waits at
//! most about two sweeps, and every member is written in turn.
//!
//! # Order and audience
//! Everything a member may receive goes through its shard's inbox in one sequence: entering and
//! leaving the room, room lines (to every member in the room but the sender), and lines for one
//! member only (replies, `WELCOME`, `BYE`). The room pushes its events while holding its own lock,
//! so every member sees the same order, and a member sees exactly the room lines between its
//! [`Link::enter`] and its [`Link::exit`].
//!
//! # Slow members
//! A write the kernel does not take in full leaves the rest in the member's backlog, and the next
//! sweep writes the backlog first. A member whose backlog passes `capacity` lines is not reading:
//! the sweeper stops writing to it and tells its session ([`Link::ended`]), which drops it. So a
//! slow member costs bounded memory and never delays anyone else. A member with a backlog is written
//! again as soon as its socket is writable, even if the room is quiet.
//!
//! # Idle members are cheap
//! A member the sweeper is not writing to costs one small record: no task, no buffer.

use std::collections::HashMap;
use std::io::IoSlice;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::wire::WriteSide;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// Buffer (in bytes) a member's backlog or a sender's batch may keep when empty.
const IDLE_KEEP: usize = 512;

/// A sweep's buffer above this size is freed after the sweep, so one flood does not pin memory.
const SWEEP_KEEP: usize = 1 << 20;

/// At most this many pieces per `writev`; a member needing more gets its bytes copied into one.
const MAX_IOV: usize = 64;

/// Bytes a member's backlog may hold per line of `capacity` (the default 256 lines: 64 KiB, on top
/// of the kernel's capped send buffer of 512 KiB). A member that does not read is dropped when
/// either bound is passed, so one fed maximal lines costs a sixteenth of what 256 lines of 4 KiB
/// would.
pub const QUEUED_LINE_BYTES: usize = 256;

/// A sweeper lets other tasks (the readers of the senders) run after this many writes.
const WRITES_PER_TURN: usize = 64;

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
}

/// Why the sweeper stopped writing to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteEnd {
    /// More than `capacity` lines were waiting: the member is not reading.
    TooSlow,
    /// The socket refused the data (the peer is gone).
    Failed,
}

/// What a member's session and the sweeper share: how the writing ended, if it has.
#[derive(Debug, Default)]
struct Ending {
    end: OnceLock<WriteEnd>,
    told: Notify,
}

impl Ending {
    fn set(&self, end: WriteEnd) {
        if self.end.set(end).is_ok() {
            self.told.notify_one();
        }
    }
}

/// One entry in a shard's inbox, in the order the room and the sessions pushed them.
enum Entry {
    /// A new connection: from now on the sweeper writes to it.
    Attach(Box<Member>),
    /// The member entered the room: it receives room lines from here on.
    Enter(u64),
    /// The member left the room: no more room lines.
    Exit(u64),
    /// Lines for everyone in the room except `except`.
    Room {
        lines: Arc<Batch>,
        except: Option<u64>,
    },
    /// Lines for one member only.
    Direct { id: u64, lines: Batch },
    /// Write what is queued, then close the connection and say so.
    Close { id: u64, done: oneshot::Sender<()> },
    /// Forget the member at once (the connection is gone or being cut off).
    Detach(u64),
}

#[derive(Default)]
struct Inbox {
    entries: Vec<Entry>,
    /// The sweeper, when it waits for entries.
    waker: Option<Waker>,
    stopped: bool,
}

struct Shard {
    inbox: Mutex<Inbox>,
    /// Cuts a sweeper's pause between sweeps short when the server stops.
    stopping: Notify,
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, Inbox> {
        // Every change under this lock is one push, swap or flag: a panic elsewhere cannot leave
        // it half-done, so a poisoned lock is still consistent.
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, entry: Entry) {
        let waker = {
            let mut inbox = self.lock();
            inbox.entries.push(entry);
            inbox.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn stop(&self) {
        let waker = {
            let mut inbox = self.lock();
            inbox.stopped = true;
            inbox.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        self.stopping.notify_one();
    }
}

/// How a sweeper paces its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Lines a member may have waiting before it counts as not reading and is dropped.
    pub capacity: usize,
    /// While lines keep coming, the longest time from the start of one sweep to the start of the
    /// next (zero: sweep again at once). Lines that arrive in between wait and leave together, in
    /// one write per member: Nagle's idea at the level of chat lines. A room that has been quiet
    /// for this long is written to at once.
    pub interval: Duration,
    /// A sweep that took `t` is followed by the next one `rest × t` after its start, if that is
    /// sooner than `interval`: the sweeper then works one part in `rest` of the time. A small
    /// room (cheap sweeps) is written to soon; a large one is paced by `interval`.
    pub rest: u32,
}

/// [`Pace::rest`] for the server: a sweeper works at most a quarter of the time. Small rooms,
/// whose sweeps are cheap, are written to soon; a large room's sweeps last over a quarter of the
/// interval, so `interval` still paces it. A smaller rest leaves large rooms too little time to
/// gather lines; a larger one gives small rooms less of the gain. (Measurements:
/// docs/performance.md.)
pub const REST: u32 = 4;

/// The sweepers of one server. Create it inside the tokio runtime; it starts one sweeper task per
/// shard.
pub struct Fanout {
    shards: Vec<Arc<Shard>>,
    sweepers: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fanout")
            .field("shards", &self.shards.len())
            .finish()
    }
}

impl Fanout {
    /// `shards` sweepers (at least 1), paced by `pace`.
    pub fn start(shards: usize, pace: Pace) -> Fanout {
        let shards: Vec<Arc<Shard>> = (0..shards.max(1))
            .map(|_| {
                Arc::new(Shard {
                    inbox: Mutex::new(Inbox::default()),
                    stopping: Notify::new(),
                })
            })
            .collect();
        let sweepers = shards
            .iter()
            .map(|shard| tokio::spawn(Sweeper::new(Arc::clone(shard), pace).run()))
            .collect();
        Fanout {
            shards,
            sweepers: Mutex::new(sweepers),
        }
    }

    /// One shard per worker thread of the current runtime.
    pub fn start_per_worker(pace: Pace) -> Fanout {
        let workers = tokio::runtime::Handle::current().metrics().num_workers();
        Fanout::start(workers, pace)
    }

    /// Hand a new connection's writing half to its sweeper. The returned link is how the session
    /// talks to it.
    pub fn attach(&self, id: u64, wr: WriteSide) -> Link {
        let shard = Arc::clone(&self.shards[(id % self.shards.len() as u64) as usize]);
        let ending = Arc::new(Ending::default());
        shard.push(Entry::Attach(Box::new(Member::new(
            id,
            wr,
            Arc::clone(&ending),
        ))));
        Link { id, shard, ending }
    }

    /// Lines for everyone in the room except `except`. The caller holds the room's lock, so that
    /// every shard gets the room's events in the same order.
    pub fn room(&self, lines: Batch, except: Option<u64>) {
        if lines.is_empty() {
            return;
        }
        let lines = Arc::new(lines);
        for shard in &self.shards {
            shard.push(Entry::Room {
                lines: Arc::clone(&lines),
                except,
            });
        }
    }

    /// Stop the sweepers once they have handled everything pushed so far, and wait for them.
    pub async fn stop(&self) {
        for shard in &self.shards {
            shard.stop();
        }
        let sweepers =
            std::mem::take(&mut *self.sweepers.lock().unwrap_or_else(|p| p.into_inner()));
        for sweeper in sweepers {
            let _ = sweeper.await;
        }
    }
}

impl Drop for Fanout {
    fn drop(&mut self) {
        for shard in &self.shards {
            shard.stop();
        }
    }
}

/// A session's handle on its connection's writing side.
#[derive(Debug)]
pub struct Link {
    id: u64,
    shard: Arc<Shard>,
    ending: Arc<Ending>,
}

impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shard")
    }
}

/// Sends lines to one member only, in order with everything else it receives: what a browser's
/// reader answers by itself (an `ERR` for a frame that is not a command, a Close order).
#[derive(Debug, Clone)]
pub struct Sender {
    id: u64,
    shard: Arc<Shard>,
}

impl Sender {
    pub fn send(&self, lines: Batch) {
        if !lines.is_empty() {
            self.shard.push(Entry::Direct { id: self.id, lines });
        }
    }
}

impl Link {
    /// A handle that sends to this member only (see [`Sender`]).
    pub fn sender(&self) -> Sender {
        Sender {
            id: self.id,
            shard: Arc::clone(&self.shard),
        }
    }

    /// Lines for this member only.
    pub fn send(&self, lines: Batch) {
        if !lines.is_empty() {
            self.shard.push(Entry::Direct { id: self.id, lines });
        }
    }

    /// From now on this member receives room lines (call with the room locked).
    pub fn enter(&self) {
        self.shard.push(Entry::Enter(self.id));
    }

    /// No more room lines for this member (call with the room locked).
    pub fn exit(&self) {
        self.shard.push(Entry::Exit(self.id));
    }

    /// Resolves when the sweeper has stopped writing to this member, and says why.
    pub async fn ended(&self) -> WriteEnd {
        loop {
            if let Some(end) = self.ending.end.get() {
                return *end;
            }
            self.ending.told.notified().await;
        }
    }

    /// Write what is queued, then close the connection; after `within`, close it anyway. Returns
    /// whether everything was written in time.
    pub async fn close(self, within: Duration) -> bool {
        let (done, written) = oneshot::channel();
        self.shard.push(Entry::Close { id: self.id, done });
        // If time runs out, dropping `self` detaches the connection.
        matches!(tokio::time::timeout(within, written).await, Ok(Ok(())))
    }

    /// Close the connection now, dropping whatever is queued.
    pub fn detach(&self) {
        self.shard.push(Entry::Detach(self.id));
    }
}

impl Drop for Link {
    /// A session that ends without closing (a panic, a cancelled task) must not leave its
    /// connection attached for ever. After a close or a detach this entry finds nobody and does
    /// nothing.
    fn drop(&mut self) {
        self.detach();
    }
}

/// One connection, as its sweeper sees it.
struct Member {
    id: u64,
    wr: WriteSide,
    ending: Arc<Ending>,
    in_room: bool,
    /// Bytes the socket has not taken yet (possibly starting mid-line), written first next time.
    backlog: Vec<u8>,
    /// Told to close: done once the backlog is written.
    closing: Option<oneshot::Sender<()>>,
    /// The sweeper stopped writing to it (too slow, or the socket failed).
    dead: bool,
    /// The sweep in which this member has entries of its own (see [`Sweep::number`]).
    special: u64,
    /// A browser member whose Close frame has been queued: nothing more may follow it.
    ws_closed: bool,
}

impl Member {
    fn new(id: u64, wr: WriteSide, ending: Arc<Ending>) -> Member {
        Member {
            id,
            wr,
            ending,
            in_room: false,
            backlog: Vec::new(),
            closing: None,
            dead: false,
            special: 0,
            ws_closed: false,
        }
    }

    fn end(&mut self, why: WriteEnd) {
        self.dead = true;
        self.backlog = Vec::new();
        if why == WriteEnd::TooSlow {
            // Its socket still holds what it did not read: an abortive close frees that at once.
            self.wr.reset_on_close();
        }
        self.ending.set(why);
    }

    /// Write the backlog and then `pieces` of `buf` in one system call, and keep what the socket
    /// did not take. Drops the member if that leaves more than `capacity` lines waiting.
    fn write(&mut self, buf: &[u8], pieces: &[(usize, usize)], capacity: usize) {
        let mut pieces = pieces;
        if pieces.len() >= MAX_IOV {
            for &(start, end) in pieces {
                self.backlog.extend_from_slice(&buf[start..end]);
            }
            pieces = &[];
        }
        let queued = self.backlog.len();
        let written = {
            let mut slices = [IoSlice::new(&[]); MAX_IOV];
            let mut n = 0;
            if queued > 0 {
                slices[0] = IoSlice::new(&self.backlog);
                n = 1;
            }
            for &(start, end) in pieces {
                slices[n] = IoSlice::new(&buf[start..end]);
                n += 1;
            }
            match self.wr.try_write_vectored(&slices[..n]) {
                Ok(written) => written,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
                Err(_) => return self.end(WriteEnd::Failed),
            }
        };
        if written < queued {
            self.backlog.drain(..written);
            for &(start, end) in pieces {
                self.backlog.extend_from_slice(&buf[start..end]);
            }
        } else {
            self.backlog.clear();
            let mut skip = written - queued;
            for &(start, end) in pieces {
                let len = end - start;
                if skip >= len {
                    skip -= len;
                    continue;
                }
                self.backlog.extend_from_slice(&buf[start + skip..end]);
                skip = 0;
            }
        }
        if self.backlog.is_empty() {
            if self.backlog.capacity() > IDLE_KEEP {
                self.backlog = Vec::new();
            }
        } else if self.backlog.len() > capacity.saturating_mul(QUEUED_LINE_BYTES)
            // Frames carry no newlines to count (and their headers may hold a 0x0A): a browser
            // member is held to the byte bound.
            || (!self.wr.is_websocket() && count_lines(&self.backlog) > capacity)
        {
            self.end(WriteEnd::TooSlow);
        }
    }
}

impl Member {
    /// [`Member::write`] for a browser member: the lines become WebSocket frames first (`shared`:
    /// frames already made for this sweep's room lines).
    fn write_frames(
        &mut self,
        buf: &[u8],
        pieces: &[(usize, usize)],
        shared: Option<&[u8]>,
        capacity: usize,
    ) {
        if self.ws_closed {
            return self.write(&[], &[], capacity);
        }
        let own;
        let frames: &[u8] = match shared {
            Some(frames) => frames,
            None => {
                let mut out = Vec::new();
                self.ws_closed = super::web::frames::encode(buf, pieces, &mut out);
                own = out;
                &own
            }
        };
        let whole: &[(usize, usize)] = if frames.is_empty() {
            &[]
        } else {
            &[(0, frames.len())]
        };
        self.write(frames, whole, capacity);
    }
}

/// Lines waiting in a backlog: every `\n`, counting a line the socket has taken in part.
fn count_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// What one sweep delivers, in inbox order.
#[derive(Debug, Clone, Copy)]
enum Event {
    Room {
        start: usize,
        end: usize,
        except: Option<u64>,
    },
    Direct {
        start: usize,
        end: usize,
        id: u64,
    },
    Enter(u64),
    Exit(u64),
}

/// The lines of one sweep, laid out once for all of the shard's members.
#[derive(Default)]
struct Sweep {
    /// Its number: a member whose `special` equals it has entries of its own in this sweep.
    number: u64,
    bytes: Vec<u8>,
    events: Vec<Event>,
    /// What a member in the room with no entries of its own receives: the room lines, as
    /// contiguous pieces of `bytes`.
    everyone: Vec<(usize, usize)>,
    /// Scratch for a member with entries of its own.
    own: Vec<(usize, usize)>,
    /// `everyone` as WebSocket frames, made once per sweep for the first browser member.
    ws_everyone: Option<Vec<u8>>,
}

/// Append the piece `start..end` to `pieces`, joining it to the last piece if they touch.
fn add_piece(pieces: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    match pieces.last_mut() {
        Some(last) if last.1 == start => last.1 = end,
        _ => pieces.push((start, end)),
    }
}

impl Sweep {
    fn clear(&mut self) {
        self.number += 1;
        if self.bytes.capacity() > SWEEP_KEEP {
            self.bytes = Vec::new();
        } else {
            self.bytes.clear();
        }
        self.events.clear();
        self.everyone.clear();
        self.ws_everyone = None;
    }

    fn add(&mut self, lines: &Batch) -> (usize, usize) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(lines.as_bytes());
        (start, self.bytes.len())
    }

    /// The sweep's bytes and the pieces of them `member` receives; updates whether it is in the
    /// room.
    fn pieces_for(&mut self, member: &mut Member) -> (&[u8], &[(usize, usize)]) {
        if member.special != self.number {
            let pieces: &[(usize, usize)] = if member.in_room { &self.everyone } else { &[] };
            return (&self.bytes, pieces);
        }
        self.own.clear();
        let id = member.id;
        for event in &self.events {
            match *event {
                Event::Room { start, end, except } => {
                    if member.in_room && except != Some(id) {
                        add_piece(&mut self.own, start, end);
                    }
                }
                Event::Direct { start, end, id: to } => {
                    if to == id {
                        add_piece(&mut self.own, start, end);
                    }
                }
                Event::Enter(who) if who == id => member.in_room = true,
                Event::Exit(who) if who == id => member.in_room = false,
                Event::Enter(_) | Event::Exit(_) => {}
            }
        }
        (&self.bytes, &self.own)
    }
}

/// One shard's sweeper task.
struct Sweeper {
    shard: Arc<Shard>,
    pace: Pace,
    members: Vec<Member>,
    /// Member id to its place in `members`.
    index: HashMap<u64, usize>,
    entries: Vec<Entry>,
    sweep: Sweep,
    /// Members to forget after this sweep.
    gone: Vec<u64>,
}

impl Sweeper {
    fn new(shard: Arc<Shard>, pace: Pace) -> Sweeper {
        Sweeper {
            shard,
            pace: Pace {
                capacity: pace.capacity.max(1),
                ..pace
            },
            members: Vec::new(),
            index: HashMap::new(),
            entries: Vec::new(),
            sweep: Sweep::default(),
            gone: Vec::new(),
        }
    }

    async fn run(mut self) {
        let mut next_sweep = None;
        loop {
            if let Some(at) = next_sweep.take() {
                // Lines that come in now wait for the next sweep. Only stopping cuts the pause short.
                if !self.shard.lock().stopped {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = self.shard.stopping.notified() => {}
                    }
                }
            }
            let go = std::future::poll_fn(|cx| {
                wait_for_work(&self.shard, &self.members, &mut self.entries, cx)
            })
            .await;
            if !go {
                return;
            }
            let started = tokio::time::Instant::now();
            self.take_entries();
            let wrote = self.write_all().await;
            self.forget_gone();
            if wrote && !self.pace.interval.is_zero() {
                let rest = started.elapsed().saturating_mul(self.pace.rest);
                next_sweep = Some(started + self.pace.interval.min(rest));
            }
        }
    }

    /// Lay out this sweep's lines and apply what is not about lines (new members, closes).
    fn take_entries(&mut self) {
        self.sweep.clear();
        let number = self.sweep.number;
        let mut entries = std::mem::take(&mut self.entries);
        for entry in entries.drain(..) {
            let mark = match entry {
                Entry::Attach(member) => {
                    self.index.insert(member.id, self.members.len());
                    self.members.push(*member);
                    None
                }
                Entry::Enter(id) => {
                    self.sweep.events.push(Event::Enter(id));
                    Some(id)
                }
                Entry::Exit(id) => {
                    self.sweep.events.push(Event::Exit(id));
                    Some(id)
                }
                Entry::Room { lines, except } => {
                    let (start, end) = self.sweep.add(&lines);
                    self.sweep.events.push(Event::Room { start, end, except });
                    add_piece(&mut self.sweep.everyone, start, end);
                    except
                }
                Entry::Direct { id, lines } => {
                    let (start, end) = self.sweep.add(&lines);
                    self.sweep.events.push(Event::Direct { start, end, id });
                    Some(id)
                }
                Entry::Close { id, done } => {
                    if let Some(&at) = self.index.get(&id) {
                        self.members[at].closing = Some(done);
                    }
                    None
                }
                Entry::Detach(id) => {
                    if let Some(&at) = self.index.get(&id) {
                        self.members[at].dead = true;
                        self.gone.push(id);
                    }
                    None
                }
            };
            if let Some(at) = mark.and_then(|id| self.index.get(&id)) {
                self.members[*at].special = number;
            }
        }
        // Keep the (now empty) vector's buffer for the next swap with the inbox.
        self.entries = entries;
    }

    /// One pass over the members, in order. Returns whether it wrote anything.
    async fn write_all(&mut self) -> bool {
        let mut wrote = false;
        let mut writes = 0;
        for at in 0..self.members.len() {
            let member = &mut self.members[at];
            if !member.dead {
                let shared = member.special != self.sweep.number && member.in_room;
                let websocket = member.wr.is_websocket();
                if websocket && shared && self.sweep.ws_everyone.is_none() {
                    let mut frames = Vec::new();
                    super::web::frames::encode(
                        &self.sweep.bytes,
                        &self.sweep.everyone,
                        &mut frames,
                    );
                    self.sweep.ws_everyone = Some(frames);
                }
                if websocket && shared {
                    let frames = self.sweep.ws_everyone.as_deref().unwrap_or(&[]);
                    if !frames.is_empty() || !member.backlog.is_empty() {
                        member.write_frames(&[], &[], Some(frames), self.pace.capacity);
                        wrote = true;
                        writes += 1;
                    }
                } else {
                    let (bytes, pieces) = self.sweep.pieces_for(member);
                    if !pieces.is_empty() || !member.backlog.is_empty() {
                        if websocket {
                            member.write_frames(bytes, pieces, None, self.pace.capacity);
                        } else {
                            member.write(bytes, pieces, self.pace.capacity);
                        }
                        wrote = true;
                        writes += 1;
                    }
                }
            }
            // A browser is told goodbye the WebSocket way, after everything queued for it.
            if member.closing.is_some()
                && member.wr.is_websocket()
                && !member.ws_closed
                && !member.dead
            {
                member.ws_closed = true;
                let mut close = Vec::new();
                super::web::frames::close(1000, "", &mut close);
                member.write(&close, &[(0, close.len())], self.pace.capacity);
            }
            // A member told to close is done once its backlog is written, or at once if the
            // sweeper has already stopped writing to it.
            if member.closing.is_some() && (member.backlog.is_empty() || member.dead) {
                if let Some(done) = member.closing.take() {
                    let _ = done.send(());
                }
                member.dead = true;
                self.gone.push(member.id);
            }
            if writes == WRITES_PER_TURN {
                writes = 0;
                tokio::task::yield_now().await;
            }
        }
        wrote
    }

    /// Drop the members detached or closed in this sweep (which closes their sockets).
    fn forget_gone(&mut self) {
        for id in self.gone.drain(..) {
            if let Some(at) = self.index.remove(&id) {
                self.members.swap_remove(at);
                if let Some(moved) = self.members.get(at) {
                    self.index.insert(moved.id, at);
                }
            }
        }
    }
}

/// Ready with `true` when there are entries (moved into `into`) or a member with a backlog can be
/// written again; with `false` once the shard is stopped and drained.
fn wait_for_work(
    shard: &Shard,
    members: &[Member],
    into: &mut Vec<Entry>,
    cx: &mut Context<'_>,
) -> Poll<bool> {
    {
        let mut inbox = shard.lock();
        if !inbox.entries.is_empty() {
            std::mem::swap(&mut inbox.entries, into);
            return Poll::Ready(true);
        }
        if inbox.stopped {
            return Poll::Ready(false);
        }
        match &mut inbox.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
    }
    // A push after the unlock above finds the waker and wakes us: nothing is missed.
    for member in members {
        if !member.dead && !member.backlog.is_empty() && member.wr.poll_write_ready(cx).is_ready() {
            return Poll::Ready(true);
        }
    }
    Poll::Pending
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};

    /// A connected pair: the server's writing half, and the client's end.
    async fn pair() -> (WriteSide, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (_rd, wr) = server.into_split();
        (WriteSide::Tcp(wr), client)
    }

    /// Sweep as soon as there are lines.
    fn pace(capacity: usize) -> Pace {
        Pace {
            capacity,
            interval: Duration::ZERO,
            rest: REST,
        }
    }

    fn batch(texts: &[&str]) -> Batch {
        let mut b = Batch::new();
        for t in texts {
            b.push_line(format!("{t}\n").as_bytes());
        }
        b
    }

    struct Peer {
        link: Link,
        lines: tokio::io::Lines<BufReader<TcpStream>>,
    }

    impl Peer {
        async fn attach(fanout: &Fanout, id: u64) -> Peer {
            let (wr, client) = pair().await;
            Peer {
                link: fanout.attach(id, wr),
                lines: BufReader::new(client).lines(),
            }
        }

        async fn next(&mut self) -> Option<String> {
            tokio::time::timeout(Duration::from_secs(10), self.lines.next_line())
                .await
                .expect("a line within 10 s")
                .unwrap()
        }
    }

    #[test]
    fn a_batch_counts_its_lines() {
        let b = batch(&["a", "b"]);
        assert_eq!((b.lines(), b.as_bytes()), (2, &b"a\nb\n"[..]));
        assert_eq!(Batch::one("x\n").lines(), 1);
        assert!(Batch::new().is_empty());
    }

    #[test]
    fn touching_pieces_are_joined() {
        let mut pieces = Vec::new();
        add_piece(&mut pieces, 0, 4);
        add_piece(&mut pieces, 4, 9);
        add_piece(&mut pieces, 12, 20);
        assert_eq!(pieces, vec![(0, 9), (12, 20)]);
        assert_eq!(count_lines(b"tail\nfull\n"), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn room_lines_reach_members_in_the_room_but_not_the_sender() {
        let fanout = Fanout::start(2, pace(100));
        let mut peers = Vec::new();
        for id in 1..=4 {
            peers.push(Peer::attach(&fanout, id).await);
        }
        // 1, 2 and 3 enter; 4 never does.
        for peer in &peers[..3] {
            peer.link.enter();
        }
        fanout.room(batch(&["from 1: a", "from 1: b"]), Some(1));
        fanout.room(batch(&["from 2"]), Some(2));
        fanout.room(batch(&["admin"]), None);
        peers[3].link.send(batch(&["only for 4"]));
        assert_eq!(peers[0].next().await.unwrap(), "from 2");
        assert_eq!(peers[0].next().await.unwrap(), "admin");
        for want in ["from 1: a", "from 1: b", "admin"] {
            assert_eq!(peers[1].next().await.unwrap(), want);
        }
        for want in ["from 1: a", "from 1: b", "from 2", "admin"] {
            assert_eq!(peers[2].next().await.unwrap(), want);
        }
        assert_eq!(peers[3].next().await.unwrap(), "only for 4");
        fanout.stop().await;
    }

    #[tokio::test]
    async fn a_member_sees_exactly_the_room_lines_between_enter_and_exit() {
        let fanout = Fanout::start(1, pace(100));
        let a = Peer::attach(&fanout, 1).await;
        fanout.room(batch(&["before"]), None);
        a.link.send(batch(&["WELCOME a"]));
        a.link.enter();
        fanout.room(batch(&["during"]), None);
        a.link.exit();
        fanout.room(batch(&["after"]), None);
        a.link.send(batch(&["BYE"]));
        let Peer { link, mut lines } = a;
        assert!(link.close(Duration::from_secs(10)).await);
        let mut got = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            got.push(line);
        }
        assert_eq!(got, ["WELCOME a", "during", "BYE"]);
        fanout.stop().await;
    }

    #[tokio::test]
    async fn a_member_that_does_not_read_is_dropped_and_the_others_get_everything() {
        let fanout = Fanout::start(1, pace(50));
        let (wr, _never_read) = pair().await;
        let slow = fanout.attach(1, wr);
        slow.enter();
        let mut fast = Peer::attach(&fanout, 2).await;
        fast.link.enter();
        let line = "x".repeat(1000);
        let mut sent = 0;
        let end = loop {
            fanout.room(batch(&[&format!("{sent} {line}")]), None);
            sent += 1;
            // The fast member reads everything as it comes.
            let got = fast.next().await.unwrap();
            assert_eq!(got, format!("{} {line}", sent - 1));
            if let Ok(end) = tokio::time::timeout(Duration::ZERO, slow.ended()).await {
                break end;
            }
            assert!(sent < 100_000, "the slow member was never dropped");
        };
        assert_eq!(end, WriteEnd::TooSlow);
        // Kernel buffers took some lines first; then 50 waited, then it was dropped.
        assert!(sent > 50, "{sent}");
        // Closing a member the sweeper has given up on is done at once, not after the timeout.
        let closed = tokio::time::timeout(
            Duration::from_secs(10),
            slow.close(Duration::from_secs(3600)),
        )
        .await;
        assert_eq!(closed, Ok(true));
        fanout.room(batch(&["still here"]), None);
        assert_eq!(fast.next().await.unwrap(), "still here");
        fanout.stop().await;
    }

    #[tokio::test]
    async fn a_closed_peer_ends_the_writing_with_failed() {
        let fanout = Fanout::start(1, pace(1000));
        let (wr, client) = pair().await;
        let link = fanout.attach(7, wr);
        client.set_zero_linger().unwrap();
        drop(client);
        let end = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                link.send(batch(&["anyone there?"]));
                if let Ok(end) = tokio::time::timeout(Duration::from_millis(10), link.ended()).await
                {
                    break end;
                }
            }
        })
        .await
        .expect("the failed write was reported within 20 s");
        assert_eq!(end, WriteEnd::Failed);
        link.detach();
        fanout.stop().await;
    }

    #[tokio::test]
    async fn a_backlog_is_written_when_the_reader_catches_up_even_if_the_room_is_quiet() {
        let fanout = Fanout::start(1, pace(100_000));
        let (wr, mut client) = pair().await;
        let link = fanout.attach(1, wr);
        link.enter();
        // Far more than the kernel's buffers hold, in one go; then silence.
        let line = format!("{}\n", "y".repeat(999));
        let mut lines = Batch::new();
        for _ in 0..20_000 {
            lines.push_line(line.as_bytes());
        }
        fanout.room(lines, None);
        let mut got = vec![0u8; line.len() * 20_000];
        tokio::time::timeout(Duration::from_secs(20), client.read_exact(&mut got))
            .await
            .expect("the backlog drained")
            .unwrap();
        assert!(got.chunks(line.len()).all(|l| l == line.as_bytes()));
        link.detach();
        fanout.stop().await;
    }

    #[tokio::test]
    async fn lines_within_the_interval_wait_for_the_next_sweep_and_stopping_flushes_them() {
        let fanout = Fanout::start(
            1,
            Pace {
                capacity: 100,
                interval: Duration::from_secs(3600),
                // Never sooner than the interval.
                rest: u32::MAX,
            },
        );
        let mut a = Peer::attach(&fanout, 1).await;
        a.link.enter();
        // The room was quiet: the first line goes out at once.
        fanout.room(batch(&["first"]), None);
        assert_eq!(a.next().await.unwrap(), "first");
        // The next ones wait (an hour, here) and leave together.
        fanout.room(batch(&["second"]), None);
        fanout.room(batch(&["third"]), None);
        let early = tokio::time::timeout(Duration::from_millis(300), a.lines.next_line()).await;
        assert!(early.is_err(), "a line left before the interval: {early:?}");
        fanout.stop().await;
        assert_eq!(a.next().await.unwrap(), "second");
        assert_eq!(a.next().await.unwrap(), "third");
        assert_eq!(a.next().await, None);
    }

    #[tokio::test]
    async fn after_a_cheap_sweep_the_next_lines_do_not_wait_out_the_interval() {
        let fanout = Fanout::start(
            1,
            Pace {
                capacity: 100,
                interval: Duration::from_secs(3600),
                rest: REST,
            },
        );
        let mut a = Peer::attach(&fanout, 1).await;
        a.link.enter();
        fanout.room(batch(&["first"]), None);
        assert_eq!(a.next().await.unwrap(), "first");
        // A sweep writing one line to one member takes microseconds, so the next one is due
        // long before the hour.
        fanout.room(batch(&["second"]), None);
        let second = tokio::time::timeout(Duration::from_secs(20), a.next()).await;
        assert_eq!(second.ok().flatten().as_deref(), Some("second"));
        fanout.stop().await;
    }

    #[tokio::test]
    async fn a_dropped_link_closes_its_connection() {
        let fanout = Fanout::start(1, pace(100));
        let mut a = Peer::attach(&fanout, 1).await;
        a.link.send(batch(&["hello"]));
        assert_eq!(a.next().await.unwrap(), "hello");
        let Peer { link, mut lines } = a;
        drop(link);
        let end = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await;
        assert!(matches!(end, Ok(Ok(None))), "{end:?}");
        fanout.stop().await;
    }
}
