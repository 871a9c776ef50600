//! The chat server: one tokio task per connection, one shared room, one admin console child.
//!
//! # Processes
//! [`run`] forks the admin console ([`super::admin`]) *first*, while the process still has a single
//! thread, and only then builds the tokio runtime by hand (no `#[tokio::main]`: a runtime starts
//! worker threads, and forking after that is unsafe). The parent serves the network; the child reads
//! the terminal and writes lines into a socket pair (and, on a terminal, draws the server's log
//! lines above the administrator's input line: see [`super::admin`]).
//!
//! # Tasks
//! [`serve`] is the whole server, testable in-process: `serve(listener, config, admin_lines,
//! shutdown)`. Its accept loop also receives admin lines and the shutdown signal. Each connection
//! has one task, its reader (parses lines, applies limits, broadcasts); the writing half of its
//! socket goes to one of a few sweeper tasks ([`super::fanout`]), one per runtime worker. The
//! reader yields after each chunk it handles, so one flooding sender cannot keep the others'
//! lines waiting.
//!
//! # Fan-out, batched
//! What one read from a sender brings in (often dozens of lines) is broadcast as one [`Batch`]:
//! each line is encoded once, the room is locked once, and the batch is appended once to each
//! shard's inbox. A sweeper lays out everything in its inbox once and writes each member the
//! bytes meant for it in one `writev`. While lines keep coming, a sweep starts at most once per
//! `--linger-ms` (default 4), so that the lines of a busy room leave together; a quiet room is
//! written to at once. See [`super::fanout`] for why this replaced a writer task per member.
//!
//! # Why members are dropped
//! Broadcasting never waits. A client that stops reading builds up a backlog; past `--queue`
//! lines the sweeper stops writing to it and the client is dropped (everyone else sees it leave).
//! A slow reader therefore costs a bounded amount of memory and never delays anybody else.
//!
//! # Ordering
//! Joins, leaves and broadcasts happen while holding the room's lock (a plain mutex: nothing inside
//! it waits), so all members see events in the same order, and a new member sees exactly the
//! events after its `WELCOME`.
//!
//! # Shutdown
//! As in mini-redis: the accept loop stops on SIGINT/SIGTERM, drops a broadcast sender that every
//! connection task listens to, and waits until every connection task has finished (each one holds a
//! clone of an mpsc sender; when the last is dropped, `recv` returns `None`). A connection that is
//! told to stop sends what is queued and `CLOSING` (bounded by [`GOODBYE_TIMEOUT`]) and closes.
//! Then the admin child is told to stop and is reaped.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, broadcast, mpsc, watch};
use tokio::time::{Instant, sleep_until, timeout};

use super::fanout::{self, Batch, Fanout, Link, Pace, WriteEnd};
use super::names::NameKeys;
use super::protocol::{
    self, ClientCommand, CommandReader, ErrorCode, MAX_LINE, MAX_TEXT, RateLimiter, ServerEvent,
};
use super::wire::{self, ReadSide, WriteSide};
use super::{admin, log, web};
use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, chat as msg};

/// Most clients at once; more are refused with `ERR server-full`.
pub const DEFAULT_MAX_CLIENTS: usize = 10_000;

/// Messages waiting for one client before it counts as "not reading" and is dropped. 256 lines
/// ride out a burst while the client's terminal scrolls; at most 256 x 4 KiB = 1 MiB per client.
pub const DEFAULT_QUEUE: usize = 256;

/// While lines keep coming, the most milliseconds from the start of one sweep to the start of the
/// next (see [`Pace::interval`]; sooner when sweeps are cheap, [`Pace::rest`]).
pub const DEFAULT_LINGER_MS: u64 = 4;

/// Seconds a new connection has to send its name; an idle anonymous connection is closed so it
/// cannot hold one of the `--max-clients` places forever.
pub const DEFAULT_NAME_TIMEOUT_SECS: u64 = 30;

/// Messages per second per client once the burst is used up (0 turns the limit off). Five a second
/// is faster than anyone types; it stops a script from flooding the room.
pub const DEFAULT_RATE: u32 = 5;

/// Messages a client may send at once before the rate applies (a pasted paragraph).
pub const RATE_BURST: u32 = 10;

/// Bytes read from a socket at a time (one maximal line), into a buffer on the stack.
const READ_CHUNK: usize = MAX_LINE;

/// How long a closing connection may take to send its last lines (queue, then `BYE`/`CLOSING`). A
/// client that does not read must not hold up the shutdown.
pub const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// A client over its rate is told so at most once per this interval, not once per message.
const RATE_NOTICE_INTERVAL: Duration = Duration::from_secs(10);

/// How often a failing `accept` is written to the log (it can fail hundreds of times a second).
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Default for `--max-per-address`: connections one address may hold at once. A whole classroom
/// behind one NAT router shares an address, so it is generous; it only stops one machine from
/// taking every place.
pub const DEFAULT_MAX_PER_ADDRESS: usize = 256;

/// Default for `--history`: past messages a newcomer is shown (0: none).
pub const DEFAULT_HISTORY: usize = 50;

/// Admin lines waiting for the accept loop.
const ADMIN_QUEUE: usize = 64;

/// The server's limits, from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    pub max_clients: usize,
    /// Connections one IP address may hold at once (0: no limit).
    pub max_per_address: usize,
    pub name_timeout: Duration,
    pub rate_per_second: u32,
    pub rate_burst: u32,
    pub queue_len: usize,
    /// While lines keep coming, write to each client at most once per this interval (0: as soon
    /// as possible).
    pub linger: Duration,
    /// Past messages (and the administrator's lines) a newcomer is shown after `WELCOME`.
    pub history: usize,
    /// Origins besides the page's own whose pages may open the WebSocket (`--web-origin`).
    pub web_origins: Vec<String>,
    pub lang: Lang,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_clients: DEFAULT_MAX_CLIENTS,
            max_per_address: DEFAULT_MAX_PER_ADDRESS,
            name_timeout: Duration::from_secs(DEFAULT_NAME_TIMEOUT_SECS),
            rate_per_second: DEFAULT_RATE,
            rate_burst: RATE_BURST,
            queue_len: DEFAULT_QUEUE,
            linger: Duration::from_millis(DEFAULT_LINGER_MS),
            history: DEFAULT_HISTORY,
            web_origins: Vec::new(),
            lang: Lang::En,
        }
    }
}

/// What `toolkit chat server` was asked to do: where to listen, the room's limits, and whether to
/// explain the processes.
#[derive(Debug, Clone)]
pub struct Options {
    pub addr: String,
    /// Where to serve the web page and its WebSocket (`--web`), if anywhere.
    pub web: Option<String>,
    pub config: Config,
    pub explain: bool,
}

/// `toolkit chat server`.
pub fn run(args: Options, lang: Lang) -> CmdResult {
    let config = args.config;
    super::raise_fd_limit();
    // 1. Fork while single-threaded.
    let console = admin::spawn(lang).map_err(|e| Failure::new(1, msg::fork_failed(lang, &e)))?;
    let admin_pid = console.child.pid_i32();
    // 2. Only now start threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(async move {
        let listener = match TcpListener::bind(&args.addr).await {
            Ok(l) => l,
            Err(e) => {
                // Dropping the console's `Child` kills and reaps it.
                return Err(Failure::new(1, msg::bind_failed(lang, &args.addr, &e)));
            }
        };
        let local = listener
            .local_addr()
            .map_err(|e| Failure::new(1, e.to_string()))?;
        let web_listener = match &args.web {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|e| Failure::new(1, msg::bind_failed(lang, addr, &e)))?,
            ),
            None => None,
        };
        // The first line of stdout is the real address, for scripts and tests; the page's
        // addresses follow, one per line.
        let mut out = format!("{local}\n");
        if let Some(web) = &web_listener {
            let at = web
                .local_addr()
                .map_err(|e| Failure::new(1, e.to_string()))?;
            out.push_str(&web::announce(at, lang));
        }
        if args.explain {
            out.push_str(&msg::explain_server(
                lang,
                std::process::id(),
                nix::unistd::getppid().as_raw(),
                admin_pid,
            ));
            out.push('\n');
        }
        super::print_out(&out);
        log(&msg::log_listening(lang, &local));

        let (admin_tx, admin_rx) = mpsc::channel(ADMIN_QUEUE);
        let (stop_admin, stop_admin_rx) = broadcast::channel(1);
        let admin_task = tokio::spawn(admin::pump(console, admin_tx, stop_admin_rx, lang));
        serve_all(listener, web_listener, config, admin_rx, shutdown_signal()).await;
        drop(stop_admin);
        let _ = admin_task.await;
        Ok(())
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome?;
    log(msg::log_stopped(lang));
    Ok(0)
}

/// Resolves on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        // Without handlers the default action (exit) still applies; just wait forever.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}

/// Serve until `shutdown` resolves; then tell every connection to close and wait for them all.
/// `admin` carries the administrator's lines (from the console child's pipe, or from a test).
pub async fn serve(
    listener: TcpListener,
    config: Config,
    admin: mpsc::Receiver<String>,
    shutdown: impl Future,
) {
    serve_all(listener, None, config, admin, shutdown).await;
}

/// [`serve`], and also the web page and its WebSocket on `web` ([`super::web`]), into the same room.
pub async fn serve_all(
    listener: TcpListener,
    web: Option<TcpListener>,
    config: Config,
    mut admin: mpsc::Receiver<String>,
    shutdown: impl Future,
) {
    let config = Arc::new(config);
    let room = Arc::new(Room::new(
        Fanout::start_per_worker(Pace {
            capacity: config.queue_len,
            interval: config.linger,
            rest: fanout::REST,
        }),
        config.history,
    ));
    // A descriptor kept free for one purpose: to accept-and-refuse when all others are in use.
    let mut reserve = std::fs::File::open("/dev/null").ok();
    let mut accept_errors_logged: Option<Instant> = None;
    let (notify_shutdown, stop) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    let hub = Arc::new(Hub {
        room: Arc::clone(&room),
        config: Arc::clone(&config),
        places: Arc::new(Semaphore::new(config.max_clients)),
        addresses: Arc::default(),
        stop,
        _done: done_tx,
    });
    let pages = web.as_ref().map(|_| web::pages(Arc::clone(&hub)));
    let mut admin_open = true;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => {
                log(&msg::log_shutting_down(config.lang, room.online()));
                break;
            }
            line = admin.recv(), if admin_open => match line {
                Some(text) => {
                    let text = text.trim();
                    if !text.is_empty() {
                        log(&msg::log_admin(config.lang, text));
                        room.broadcast(&ServerEvent::Admin { text: text.to_string() }, None);
                    }
                }
                None => admin_open = false,
            },
            accepted = accept_on(&web), if web.is_some() => match (accepted, &pages) {
                (Ok((socket, peer)), Some(pages)) => {
                    prepare_socket(&socket);
                    match hub.address_place(peer) {
                        Some(held) => {
                            tokio::spawn(web::serve_http(Arc::clone(&hub), pages.clone(), socket, peer, held));
                        }
                        None => log(&msg::log_too_many_from(config.lang, &peer)),
                    }
                }
                // Out of descriptors, most likely: the web side waits a little instead of
                // spinning (the chat port's branch below logs and keeps a reserve).
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            },
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    prepare_socket(&socket);
                    let hub = Arc::clone(&hub);
                    let Some(held) = hub.address_place(peer) else {
                        log(&msg::log_too_many_from(config.lang, &peer));
                        tokio::spawn(async move {
                            refuse(socket, ErrorCode::TooManyConnections, "too many connections from your address").await;
                            drop(hub);
                        });
                        continue;
                    };
                    match hub.place() {
                        Some(permit) => {
                            tokio::spawn(async move {
                                let _ = socket.set_nodelay(true);
                                hub.session(peer, wire::tcp(socket)).await;
                                drop(permit);
                                drop(held);
                            });
                        }
                        None => {
                            log(&msg::log_full(config.lang, &peer));
                            tokio::spawn(async move {
                                refuse(socket, ErrorCode::ServerFull, "the room is full, try again later").await;
                                drop(hub);
                            });
                        }
                    }
                }
                Err(e) => {
                    let out_of_files = matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE));
                    if accept_errors_logged.is_none_or(|at: Instant| at.elapsed() >= ACCEPT_LOG_INTERVAL) {
                        accept_errors_logged = Some(Instant::now());
                        log(&msg::log_accept_error(config.lang, &e));
                    }
                    if out_of_files {
                        // Out of descriptors: give back the one kept in reserve, take the waiting
                        // connection with it, tell it the room is full and close it, then keep
                        // one in reserve again. Without this it would wait unanswered.
                        drop(reserve.take());
                        if let Ok((socket, _)) = listener.accept().await {
                            refuse(socket, ErrorCode::ServerFull, "the server has no room for more connections").await;
                        }
                        reserve = std::fs::File::open("/dev/null").ok();
                    }
                    // Either way, wait a little instead of spinning.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    drop(listener);
    drop(web);
    drop(pages);
    let _ = notify_shutdown.send(true);
    // Every connection task holds the hub; when the last one has finished, so has the server.
    drop(hub);
    let _ = done_rx.recv().await;
    room.fanout.stop().await;
}

/// Resolves once the server shuts down (`stop` turns `true`, or its sender is gone).
pub(super) async fn closing(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|closing| *closing).await;
}

/// The next connection on `listener`; never, if there is none.
async fn accept_on(listener: &Option<TcpListener>) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// What every connection task shares: the room, the limits, and the way to stop. A task holds it
/// for as long as it runs, so the server knows when the last one has finished (see [`Hub::done`]).
pub(super) struct Hub {
    room: Arc<Room>,
    pub(super) config: Arc<Config>,
    /// One permit per place in the room (`--max-clients`), TCP and web alike.
    places: Arc<Semaphore>,
    addresses: Addresses,
    /// Becomes `true` when the server shuts down.
    pub(super) stop: watch::Receiver<bool>,
    /// Never sent on: the server waits until every clone of the hub, and with it this sender, is
    /// gone.
    _done: mpsc::Sender<()>,
}

impl Hub {
    /// A place for one more connection from `peer`'s address (`--max-per-address`).
    pub(super) fn address_place(&self, peer: SocketAddr) -> Option<AddressPlace> {
        AddressPlace::take(&self.addresses, peer.ip(), self.config.max_per_address)
    }

    /// A place in the room (`--max-clients`), if one is free.
    pub(super) fn place(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        Arc::clone(&self.places).try_acquire_owned().ok()
    }

    /// Serve one member's connection, TCP or web, until it ends.
    pub(super) async fn session(
        self: &Arc<Self>,
        peer: SocketAddr,
        (rd, wr): (ReadSide, WriteSide),
    ) {
        let session = Session::new(Arc::clone(&self.room), Arc::clone(&self.config), peer, wr);
        session.run(rd, self.stop.clone()).await;
    }

    /// A browser member's session: it reads the lines the WebSocket reader writes into its socket
    /// pair, and the sweeper writes frames straight to the browser's socket. Also returns how the
    /// reader sends this member answers of its own, in order with the room's lines.
    pub(super) fn web_session(
        self: &Arc<Self>,
        peer: SocketAddr,
        rd: ReadSide,
        wr: WriteSide,
    ) -> (
        super::fanout::Sender,
        impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let session = Session::new(Arc::clone(&self.room), Arc::clone(&self.config), peer, wr);
        let sender = session.link.sender();
        let stop = self.stop.clone();
        (sender, async move { session.run(rd, stop).await })
    }
}

/// Set up an accepted socket: dead peers noticed, the kernel's send buffer capped.
///
/// A peer that vanishes without a word (a laptop closed, a phone off the Wi-Fi: no FIN, no RST)
/// would hold its place forever. TCP keepalive probes an idle connection after 30 s, every 10 s,
/// and gives up after 3 unanswered probes; TCP_USER_TIMEOUT gives up on data unacknowledged for
/// 60 s. Either way the kernel reports an error on the socket and the session ends: a dead peer is
/// noticed within about a minute. (Best effort: a socket option the kernel refuses changes
/// nothing else.)
fn prepare_socket(socket: &TcpStream) {
    use nix::sys::socket::{setsockopt, sockopt};
    let _ = setsockopt(socket, sockopt::KeepAlive, &true);
    let _ = setsockopt(socket, sockopt::TcpKeepIdle, &DEAD_PEER_IDLE_SECS);
    let _ = setsockopt(socket, sockopt::TcpKeepInterval, &DEAD_PEER_PROBE_SECS);
    let _ = setsockopt(socket, sockopt::TcpKeepCount, &DEAD_PEER_PROBES);
    let _ = setsockopt(socket, sockopt::TcpUserTimeout, &DEAD_PEER_UNACKED_MS);
    // A member that does not read fills its socket's send buffer before its queue; capped, that
    // costs the kernel a bounded amount per connection (Linux doubles the value given).
    let _ = setsockopt(socket, sockopt::SndBuf, &SEND_BUFFER);
}

/// Bytes of kernel send buffer asked for per connection.
const SEND_BUFFER: usize = 256 * 1024;

/// Seconds of silence before the first keepalive probe, between probes, and probes unanswered.
const DEAD_PEER_IDLE_SECS: u32 = 30;
const DEAD_PEER_PROBE_SECS: u32 = 10;
const DEAD_PEER_PROBES: u32 = 3;
/// Milliseconds data may stay unacknowledged before the connection is given up.
const DEAD_PEER_UNACKED_MS: u32 = 60_000;

/// Connections per address, counted while they are open.
type Addresses = Arc<Mutex<HashMap<std::net::IpAddr, usize>>>;

/// One connection's place in its address's count, given back when dropped.
pub(super) struct AddressPlace {
    addresses: Addresses,
    ip: std::net::IpAddr,
}

impl AddressPlace {
    /// A place for one more connection from `ip`, unless it already holds `max` (0: no limit).
    fn take(addresses: &Addresses, ip: std::net::IpAddr, max: usize) -> Option<AddressPlace> {
        let mut counts = addresses.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(ip).or_insert(0);
        if max > 0 && *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressPlace {
            addresses: Arc::clone(addresses),
            ip,
        })
    }
}

impl Drop for AddressPlace {
    fn drop(&mut self) {
        let mut counts = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Say why instead of `HELLO`, then close.
async fn refuse(mut socket: TcpStream, code: ErrorCode, reason: &str) {
    let line = protocol::encode_server(&ServerEvent::Err {
        code,
        reason: reason.into(),
    });
    let _ = timeout(GOODBYE_TIMEOUT, async {
        socket.write_all(line.as_bytes()).await?;
        socket.shutdown().await
    })
    .await;
}

/// Everyone who has entered: their connection's id, findable by either key of their name
/// ([`NameKeys`]: two names clash when either agrees).
#[derive(Debug, Default)]
struct Members {
    folded: HashMap<String, u64>,
    shaped: HashMap<String, u64>,
    /// Their names as they entered, for `WHO`.
    names: HashMap<u64, Arc<str>>,
    /// The last `--history` messages and administrator's lines, as `HISTORY` lines, oldest first.
    history: std::collections::VecDeque<Vec<u8>>,
}

impl Members {
    fn len(&self) -> usize {
        self.folded.len()
    }

    fn taken(&self, keys: &NameKeys) -> bool {
        self.folded.contains_key(&keys.folded) || self.shaped.contains_key(&keys.shaped)
    }

    fn insert(&mut self, keys: NameKeys, id: u64, name: Arc<str>) {
        self.folded.insert(keys.folded, id);
        self.shaped.insert(keys.shaped, id);
        self.names.insert(id, name);
    }

    /// Every member's name, sorted.
    fn sorted_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.names.values().map(|n| n.to_string()).collect();
        names.sort();
        names
    }

    /// Remove the member `id` known by `keys`; false if that name is not (or no longer) theirs.
    fn remove(&mut self, keys: &NameKeys, id: u64) -> bool {
        if self.folded.get(&keys.folded) != Some(&id) {
            return false;
        }
        self.folded.remove(&keys.folded);
        self.names.remove(&id);
        if self.shaped.get(&keys.shaped) == Some(&id) {
            self.shaped.remove(&keys.shaped);
        }
        true
    }
}

/// Everyone who has entered, and the sweepers that write to them.
#[derive(Debug)]
struct Room {
    members: Mutex<Members>,
    fanout: Fanout,
    /// How many past lines a newcomer is shown (`--history`).
    history: usize,
}

impl Room {
    fn new(fanout: Fanout, history: usize) -> Self {
        Room {
            members: Mutex::new(Members::default()),
            fanout,
            history,
        }
    }

    fn online(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Members> {
        // A panic while holding the lock leaves the map consistent (every change is one insert or
        // remove), so a poisoned lock is still usable.
        self.members.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Enter with `name`: the joiner gets `WELCOME`, everyone else `JOINED`. Returns how many
    /// are in the room now.
    fn join(&self, id: u64, name: Arc<str>, link: &Link) -> Result<usize, ErrorCode> {
        let mut members = self.lock();
        let keys = NameKeys::of(&name);
        if members.taken(&keys) {
            return Err(ErrorCode::NameTaken);
        }
        link.send(encode(&ServerEvent::Welcome {
            name: name.to_string(),
        }));
        let mut past = Batch::new();
        for line in &members.history {
            past.push_line(line);
        }
        link.send(past);
        link.enter();
        self.fanout.room(
            encode(&ServerEvent::Joined {
                name: name.to_string(),
            }),
            Some(id),
        );
        members.insert(keys, id, name);
        Ok(members.len())
    }

    /// Leave (if still a member); everyone else gets `LEFT`.
    fn leave(&self, id: u64, name: &str, link: &Link) -> bool {
        let mut members = self.lock();
        if members.remove(&NameKeys::of(name), id) {
            link.exit();
            self.fanout.room(
                encode(&ServerEvent::Left {
                    name: name.to_string(),
                }),
                None,
            );
            true
        } else {
            false
        }
    }

    /// Send `event` to every member except `except`.
    fn broadcast(&self, event: &ServerEvent, except: Option<u64>) {
        self.broadcast_lines(encode(event), except);
    }

    /// Send already-encoded lines, in order, to every member except `except`.
    fn broadcast_lines(&self, lines: Batch, except: Option<u64>) {
        if lines.is_empty() {
            return;
        }
        let mut members = self.lock();
        if self.history > 0 {
            remember(&mut members.history, self.history, lines.as_bytes());
        }
        self.fanout.room(lines, except);
    }
}

/// Keep the messages and administrator's lines among `lines` as `HISTORY` lines, at most `keep`.
fn remember(history: &mut std::collections::VecDeque<Vec<u8>>, keep: usize, lines: &[u8]) {
    let now = chrono::Utc::now().timestamp();
    for line in lines.split_inclusive(|&b| b == b'\n') {
        if !(line.starts_with(b"MSG ") || line.starts_with(b"ADMIN ")) {
            continue;
        }
        if history.len() == keep {
            history.pop_front();
        }
        let mut past = format!("HISTORY {now} ").into_bytes();
        past.extend_from_slice(line);
        history.push_back(past);
    }
}

/// One event as a batch of one line.
fn encode(event: &ServerEvent) -> Batch {
    Batch::one(protocol::encode_server(event))
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Quit,
    Disconnected,
    /// The client's socket refuses our data.
    WriteFailed,
    TooSlow,
    NameTimeout,
    ServerClosing,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The state of one connection.
struct Session {
    room: Arc<Room>,
    config: Arc<Config>,
    peer: SocketAddr,
    id: u64,
    /// The connection's writing side, which a sweeper owns.
    link: Link,
    /// Messages this client said during the chunk being handled, broadcast together at its end.
    said: Batch,
    name: Option<Arc<str>>,
    reader: CommandReader,
    limiter: RateLimiter,
    /// A line held back by the rate limit, and when to act on it.
    held: Option<(Result<ClientCommand, protocol::Refusal>, Instant)>,
    /// When the client was last told it is over its rate (told again after a calm period).
    warned_at: Option<Instant>,
}

impl Session {
    /// A new connection: its writing half goes to the room's sweepers.
    fn new(room: Arc<Room>, config: Arc<Config>, peer: SocketAddr, wr: WriteSide) -> Self {
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let link = room.fanout.attach(id, wr);
        let limiter = RateLimiter::new(
            config.rate_per_second,
            config.rate_burst,
            Instant::now().into_std(),
        );
        Session {
            room,
            config,
            peer,
            id,
            link,
            said: Batch::new(),
            name: None,
            reader: CommandReader::default(),
            limiter,
            held: None,
            warned_at: None,
        }
    }

    async fn run(mut self, rd: ReadSide, stop: watch::Receiver<bool>) {
        let closing = closing(stop);
        tokio::pin!(closing);
        self.reply(ServerEvent::Hello {
            version: protocol::VERSION,
        });
        let name_deadline = Instant::now() + self.config.name_timeout;
        let end = loop {
            let retry_at = self.held.as_ref().map(|(_, at)| *at);
            tokio::select! {
                _ = &mut closing => break End::ServerClosing,
                why = self.link.ended() => break match why {
                    WriteEnd::TooSlow => End::TooSlow,
                    WriteEnd::Failed => End::WriteFailed,
                },
                _ = sleep_until(name_deadline), if self.name.is_none() => {
                    self.reply(ServerEvent::Err {
                        code: ErrorCode::NameTimeout,
                        reason: format!(
                            "no NAME within {} seconds",
                            self.config.name_timeout.as_secs()
                        ),
                    });
                    break End::NameTimeout;
                }
                _ = sleep_until(retry_at.unwrap_or(name_deadline)), if retry_at.is_some() => {
                    if let Some(end) = self.handle() {
                        break end;
                    }
                }
                ready = rd.readable(), if self.held.is_none() => {
                    if ready.is_err() {
                        break End::Disconnected;
                    }
                    // The read buffer lives on the stack only for this read, so an idle
                    // connection holds no buffer between messages.
                    let read = {
                        let mut chunk = [0u8; READ_CHUNK];
                        match rd.try_read(&mut chunk) {
                            Ok(n) => {
                                self.reader.push(&chunk[..n]);
                                Ok(n)
                            }
                            Err(e) => Err(e),
                        }
                    };
                    match read {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Ok(0) | Err(_) => break End::Disconnected,
                        Ok(_) => {
                            if let Some(end) = self.handle() {
                                break end;
                            }
                            // Let the writers we just woke run before reading more. Without
                            // this a flooding sender could, within one scheduling turn, push
                            // hundreds of lines into every queue and get healthy readers dropped.
                            tokio::task::yield_now().await;
                        }
                    }
                }
            }
        };
        self.finish(end).await;
    }

    /// Handle every complete line buffered so far, then broadcast what the client said.
    fn handle(&mut self) -> Option<End> {
        let end = self.process();
        if !self.said.is_empty() {
            self.room
                .broadcast_lines(std::mem::take(&mut self.said), Some(self.id));
        }
        end
    }

    /// Handle every complete line buffered so far (stopping early when rate-limited).
    fn process(&mut self) -> Option<End> {
        if let Some((line, _)) = self.held.take() {
            if let Some(end) = self.act(line) {
                return Some(end);
            }
            if self.held.is_some() {
                return None;
            }
        }
        while let Some(line) = self.reader.next_command(self.name.is_some()) {
            if let Some(end) = self.act(line) {
                return Some(end);
            }
            if self.held.is_some() {
                return None;
            }
        }
        None
    }

    /// Act on one line, or hold it back when the connection is over its rate. Every line counts
    /// (a message, a `NAME`, an empty line, junk, bad UTF-8), so lines that are not messages cannot
    /// cost the server more than messages may; only `QUIT` is never held.
    fn act(&mut self, line: Result<ClientCommand, protocol::Refusal>) -> Option<End> {
        if !matches!(line, Ok(ClientCommand::Quit)) {
            let now = Instant::now();
            if let Err(wait) = self.limiter.check(now.into_std()) {
                self.warn_rate(now);
                self.held = Some((line, now + wait));
                return None;
            }
        }
        match line {
            Err(refusal) => self.reply(refusal.event()),
            Ok(ClientCommand::Empty) => {}
            Ok(ClientCommand::Quit) => return Some(End::Quit),
            Ok(ClientCommand::Who) => {
                let names = self.room.lock().sorted_names();
                for line in protocol::members_lines(&names) {
                    self.reply(line);
                }
            }
            Ok(ClientCommand::Name(name)) => self.enter(name),
            Ok(ClientCommand::Say(text)) => self.say(text),
        }
        None
    }

    /// Tell the client it is over its rate, at most once every [`RATE_NOTICE_INTERVAL`].
    fn warn_rate(&mut self, now: Instant) {
        if self
            .warned_at
            .is_none_or(|at| now - at >= RATE_NOTICE_INTERVAL)
        {
            self.warned_at = Some(now);
            self.reply(ServerEvent::Err {
                code: ErrorCode::RateLimited,
                reason: format!(
                    "slow down: at most {} lines per second; your lines are delayed",
                    self.config.rate_per_second
                ),
            });
        }
    }

    fn enter(&mut self, name: String) {
        if let Err(e) = protocol::validate_name(&name) {
            self.reply(ServerEvent::Err {
                code: e.code(),
                reason: e.reason(),
            });
            return;
        }
        let name: Arc<str> = name.into();
        match self.room.join(self.id, name.clone(), &self.link) {
            Ok(online) => {
                log(&msg::log_joined(
                    self.config.lang,
                    &name,
                    &self.peer,
                    online,
                ));
                self.name = Some(name);
            }
            Err(code) => self.reply(ServerEvent::Err {
                code,
                reason: format!("the name {name} is taken, choose another"),
            }),
        }
    }

    /// Broadcast a message (the rate limit has been applied already).
    fn say(&mut self, text: String) {
        let Some(name) = self.name.clone() else {
            return;
        };
        // What everyone receives is `MSG <name> <text>`, which must fit in a line too: a text that
        // fitted in the sender's line can be too long once the name is in front of it, and a
        // client would have to drop it. Refused here, where the sender is told.
        if text.len() > MAX_TEXT {
            self.reply(ServerEvent::Err {
                code: ErrorCode::LineTooLong,
                reason: format!("a message has at most {MAX_TEXT} bytes; not sent"),
            });
            return;
        }
        self.said.push_line(
            protocol::encode_server(&ServerEvent::Msg {
                name: name.to_string(),
                text,
            })
            .as_bytes(),
        );
    }

    /// Queue a reply to this client only.
    fn reply(&mut self, event: ServerEvent) {
        self.link.send(encode(&event));
    }

    async fn finish(self, end: End) {
        if let Some(name) = self.name.clone() {
            self.room.leave(self.id, &name, &self.link);
            let reason = match end {
                End::Quit => msg::LeaveReason::Quit,
                End::Disconnected | End::WriteFailed | End::NameTimeout => {
                    msg::LeaveReason::Disconnected
                }
                End::TooSlow => msg::LeaveReason::TooSlow,
                End::ServerClosing => msg::LeaveReason::ServerClosing,
            };
            let lost = self.reader.pending();
            log(&msg::log_left(self.config.lang, &name, reason, lost));
        } else if end == End::NameTimeout {
            log(&msg::log_name_timeout(self.config.lang, &self.peer));
        }
        // Members that leave on their own (or are told to) get what is queued, then a last line;
        // the others are cut off at once.
        let last = match end {
            End::Quit => Some(ServerEvent::Bye),
            End::ServerClosing => Some(ServerEvent::Closing),
            End::NameTimeout => None,
            // Returning drops the link, which cuts the connection off.
            End::Disconnected | End::TooSlow | End::WriteFailed => return,
        };
        if let Some(last) = last {
            self.link.send(encode(&last));
        }
        // We left the room, so only our own lines are queued: they are written, then the
        // connection is closed (or cut off, if the client does not read them in time).
        self.link.close(GOODBYE_TIMEOUT).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

    struct TestClient {
        lines: tokio::io::Lines<BufReader<OwnedReadHalf>>,
        wr: OwnedWriteHalf,
    }

    impl TestClient {
        async fn connect(addr: SocketAddr) -> TestClient {
            let (rd, wr) = TcpStream::connect(addr).await.unwrap().into_split();
            let mut c = TestClient {
                lines: BufReader::new(rd).lines(),
                wr,
            };
            assert!(c.next().await.unwrap().starts_with("HELLO "));
            c
        }

        async fn send(&mut self, line: &str) {
            self.wr.write_all(line.as_bytes()).await.unwrap();
            self.wr.write_all(b"\n").await.unwrap();
        }

        async fn next(&mut self) -> Option<String> {
            self.lines.next_line().await.unwrap()
        }

        async fn named(addr: SocketAddr, name: &str) -> TestClient {
            let mut c = TestClient::connect(addr).await;
            c.send(&format!("NAME {name}")).await;
            assert_eq!(c.next().await.unwrap(), format!("WELCOME {name}"));
            c
        }
    }

    /// Start `serve` in-process; returns its address, the admin sender and the shutdown trigger.
    async fn start(
        config: Config,
    ) -> (
        SocketAddr,
        mpsc::Sender<String>,
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (admin_tx, admin_rx) = mpsc::channel(8);
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(serve(listener, config, admin_rx, async move {
            let _ = stop_rx.await;
        }));
        (addr, admin_tx, stop_tx, handle)
    }

    #[tokio::test]
    async fn broadcasts_reach_everyone_else_and_shutdown_says_closing() {
        let (addr, admin, stop, handle) = start(Config::default()).await;
        let mut a = TestClient::named(addr, "alice").await;
        let mut b = TestClient::named(addr, "bob").await;
        assert_eq!(a.next().await.unwrap(), "JOINED bob");
        b.send("SAY hi all").await;
        assert_eq!(a.next().await.unwrap(), "MSG bob hi all");
        a.send("plain line").await;
        assert_eq!(b.next().await.unwrap(), "MSG alice plain line");
        admin.send("hello from admin".into()).await.unwrap();
        assert_eq!(a.next().await.unwrap(), "ADMIN hello from admin");
        assert_eq!(b.next().await.unwrap(), "ADMIN hello from admin");
        stop.send(()).unwrap();
        for c in [&mut a, &mut b] {
            // Possibly the other's LEFT first (they close in any order), then CLOSING, then EOF.
            let mut line = c.next().await.unwrap();
            if line.starts_with("LEFT ") {
                line = c.next().await.unwrap();
            }
            assert_eq!(line, "CLOSING");
            assert_eq!(c.next().await, None);
        }
        handle.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_is_closed_after_the_name_timeout() {
        let (addr, _admin, _stop, _h) = start(Config::default()).await;
        let mut c = TestClient::connect(addr).await;
        // Waiting here lets the paused clock jump to the deadline.
        let line = c.next().await.unwrap();
        assert!(line.starts_with("ERR name-timeout "), "{line}");
        assert_eq!(c.next().await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fast_sender_is_slowed_and_told_but_loses_nothing() {
        let config = Config {
            rate_per_second: 2,
            rate_burst: 3,
            ..Config::default()
        };
        let (addr, _admin, _stop, _h) = start(config).await;
        let mut a = TestClient::named(addr, "alice").await;
        let mut b = TestClient::named(addr, "bob").await;
        assert_eq!(a.next().await.unwrap(), "JOINED bob");
        let started = Instant::now();
        for i in 0..7 {
            b.send(&format!("SAY m{i}")).await;
        }
        for i in 0..7 {
            assert_eq!(a.next().await.unwrap(), format!("MSG bob m{i}"));
        }
        // 3 at once, then 4 more at 2 per second: at least 2 s of (virtual) time.
        assert!(Instant::now() - started >= Duration::from_millis(1900));
        let notice = b.next().await.unwrap();
        assert!(notice.starts_with("ERR rate-limited "), "{notice}");
    }

    #[tokio::test]
    async fn names_are_unique_ignoring_case_and_reserved_names_refused() {
        let (addr, _admin, _stop, _h) = start(Config::default()).await;
        let _a = TestClient::named(addr, "Alice").await;
        let mut c = TestClient::connect(addr).await;
        c.send("hello?").await;
        assert!(c.next().await.unwrap().starts_with("ERR need-name "));
        c.send("NAME alice").await;
        assert!(c.next().await.unwrap().starts_with("ERR name-taken "));
        c.send("NAME Admin").await;
        assert!(c.next().await.unwrap().starts_with("ERR name-reserved "));
        c.send("NAME two words").await;
        assert!(c.next().await.unwrap().starts_with("ERR name-invalid "));
        c.send("NAME carol").await;
        assert_eq!(c.next().await.unwrap(), "WELCOME carol");
        c.send("QUIT").await;
        assert_eq!(c.next().await.unwrap(), "BYE");
        assert_eq!(c.next().await, None);
    }

    #[tokio::test]
    async fn a_full_room_refuses_with_a_message() {
        let config = Config {
            max_clients: 1,
            ..Config::default()
        };
        let (addr, _admin, _stop, _h) = start(config).await;
        let _a = TestClient::named(addr, "alice").await;
        let (rd, _wr) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut lines = BufReader::new(rd).lines();
        let line = lines.next_line().await.unwrap().unwrap();
        assert!(line.starts_with("ERR server-full "), "{line}");
    }
}
