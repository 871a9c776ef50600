//! `toolkit chat bench`: a load generator for chat servers — ours, an IRC server, or the
//! homework's UDP reference design — so they can be measured with the same load in the same run.
//!
//! Shape of a run:
//! 1. open `--clients N` connections and enter the room with names `b0`, `b1`, ...; every client
//!    starts reading at once, so join notices never pile up on the server;
//! 2. when all have entered (or failed), the first `--senders K` clients each send `--messages M`
//!    messages, at `--rate` per second or as fast as the connection takes them;
//! 3. every receiver counts what arrives ([`stats::Receiver`]): each message carries its sender,
//!    sequence number and send time, so loss, reordering and latency are measured at the receiver.
//!    Latency runs to the kernel's arrival stamp on the receiving socket ([`arrival`]); the time
//!    to the load generator's read, which adds its own delay in getting round to the socket, is
//!    reported beside it;
//! 4. the run ends when everyone has everything, or at the `--duration` cap.
//!
//! One process, one thread by default (a current-thread tokio runtime): on a 2-core machine the
//! other core belongs to the server being measured. `--threads N` spreads the clients over N
//! threads, for loads one thread cannot read fast enough. A thread serving a thousand clients
//! is often saturated and then reads late, which inflates its latencies ([`GeneratorUsage`]);
//! so `--probes` clients (10 by default), spread over the room, run on a thread of their own
//! that reads promptly, and their latency is reported apart ([`Prompt`]). Loopback only: the
//! address must be on 127.0.0.0/8 or ::1.

pub mod arrival;
pub mod dialect;
pub mod stats;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant as TokioInstant, timeout_at};

use self::arrival::RunClock;
use self::dialect::Incoming;
use self::stats::{Latencies, Latency, Receiver, Stamps, Summary};
use crate::chat::protocol::LineFramer;
use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;
use crate::i18n::bench::{self as msg, Row};
use crate::output;
use crate::proc;

/// Which server protocol to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Toolkit,
    Irc,
    Udp,
    /// Our server's WebSocket (`chat server --web`), as the page speaks it.
    Ws,
    /// Half the clients on TCP (`--addr`), half on the WebSocket (`--web-addr`): a classroom.
    Mixed,
}

/// A bench run's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// The WebSocket's address, for [`Protocol::Mixed`] (for [`Protocol::Ws`] it is `addr`).
    pub web_addr: Option<SocketAddr>,
    pub clients: usize,
    pub senders: usize,
    pub messages: usize,
    /// Messages per second per sender; 0 for as fast as possible.
    pub rate: u64,
    pub duration: Duration,
    pub protocol: Protocol,
    pub server_pid: Option<i32>,
    /// Threads the clients run on (for the load generator's busy share).
    pub threads: usize,
    /// Clients run on the prompt readers' own thread (see [`Prompt`]).
    pub probes: usize,
}

/// Most connections opened at the same moment: a burst of thousands of SYNs overflows the
/// server's listen backlog and turns into retransmission delays that measure nothing useful.
const CONNECT_CONCURRENCY: usize = 64;

/// How long one client may take to enter the room.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Longest line we accept from a server; anything longer is not a bench message.
const MAX_LINE: usize = 64 * 1024;

/// The server's CPU and memory during the run, from `/proc/SERVER_PID`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServerUsage {
    /// CPU time (user + system) the server spent while the messages flowed.
    pub cpu_seconds: f64,
    /// Peak resident memory over the server's life (`VmHWM`).
    pub peak_rss_kib: u64,
    /// Resident memory before the bench connected anyone, and once everyone had entered.
    pub rss_before_kib: u64,
    pub rss_connected_kib: u64,
    /// (connected - before) / connected clients: what one idle client costs the server.
    pub rss_per_client_bytes: u64,
}

/// The load generator's own CPU while the messages flowed.
///
/// A thread serving hundreds of sockets that is busy most of the time reads many of them late.
/// Late reads inflate the latencies twice over: the wait before the read (the "to the read"
/// figure), and the kernel's arrival stamp itself, because a read that takes several segments
/// gets the newest one's stamp for all their lines: the older segments' lines are charged up to a
/// whole server sweep late, and the busier the thread, the more reads take several segments.
/// Past [`SATURATED`] the report says the latencies are upper bounds; the prompt readers
/// ([`Prompt`]) give what a client with its own core sees. (How much a saturated generator
/// overstates, against server-side write times: docs/performance.md.)
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GeneratorUsage {
    /// User + system time of the load generator's client threads (all but the prompt
    /// readers' thread, see [`Prompt`]).
    pub cpu_seconds: f64,
    pub threads: usize,
    /// `cpu_seconds` over (wall time x threads): 1.0 means every thread was busy throughout.
    /// None for a run under [`MIN_WALL`]: CPU time comes in clock ticks (10 ms).
    pub busy: Option<f64>,
    /// `busy` reached [`SATURATED`]: the latencies are upper bounds.
    pub saturated: bool,
}

/// The busy share from which the load generator's latencies are reported as upper bounds.
pub const SATURATED: f64 = 0.75;

/// The shortest run whose busy share means something: CPU time is counted in 10 ms ticks.
pub const MIN_WALL: f64 = 0.5;

impl GeneratorUsage {
    fn new(cpu_seconds: f64, wall_seconds: f64, threads: usize) -> GeneratorUsage {
        let busy = (wall_seconds >= MIN_WALL)
            .then(|| cpu_seconds / (wall_seconds * threads.max(1) as f64));
        GeneratorUsage {
            cpu_seconds,
            threads,
            busy,
            saturated: busy.is_some_and(|b| b >= SATURATED),
        }
    }
}

/// What the prompt readers saw: a few clients, spread evenly over the room (so over the server's
/// write order too), served by a thread of their own that is idle most of the time.
///
/// They read each segment soon after it arrives, before the next one comes, so each read's
/// arrival stamp is the stamp of every line in it. Their latency is what a client with a core
/// of its own sees, also when the thread serving everyone else is saturated and its figures
/// are upper bounds (see [`GeneratorUsage`]). Their deliveries count in the overall figures too.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Prompt {
    pub clients: usize,
    pub latency: Latency,
    pub read_latency: Latency,
}

/// The prompt readers' runtime, on a thread of its own until dropped.
struct PromptThread {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PromptThread {
    fn start() -> std::io::Result<PromptThread> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // A current-thread runtime runs its tasks while a thread is inside `block_on`.
        let thread = std::thread::Builder::new()
            .name("bench-prompt".into())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })?;
        Ok(PromptThread {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    fn handle(&self) -> tokio::runtime::Handle {
        self.handle.clone()
    }
}

impl Drop for PromptThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Which of `clients` are the `probes` prompt readers: evenly spaced, the first one included.
fn prompt_readers(clients: usize, probes: usize) -> Vec<bool> {
    let probes = probes.min(clients);
    let mut chosen = vec![false; clients];
    for k in 0..probes {
        chosen[k * clients / probes] = true;
    }
    chosen
}

/// What a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub protocol: Protocol,
    pub clients: usize,
    pub connected: usize,
    pub senders: usize,
    pub messages: usize,
    pub rate: u64,
    pub connect_seconds: f64,
    pub run_seconds: f64,
    pub deliveries_per_second: f64,
    pub timed_out: bool,
    #[serde(flatten)]
    pub summary: Summary,
    pub server: Option<ServerUsage>,
    pub load_generator: Option<GeneratorUsage>,
    pub prompt: Option<Prompt>,
}

/// Names the bench gives its clients.
fn client_name(i: usize) -> String {
    format!("b{i}")
}

/// How many bench messages client `i` should receive: everyone else's (no echo to the sender).
fn expected_for(i: usize, cfg: &Config) -> u64 {
    let others = if i < cfg.senders {
        cfg.senders - 1
    } else {
        cfg.senders
    };
    (others * cfg.messages) as u64
}

/// What `toolkit chat bench` was asked to do, as plain values (`main.rs` converts the flags).
#[derive(Debug, Clone)]
pub struct Options {
    pub addr: String,
    pub web_addr: Option<String>,
    pub clients: usize,
    pub senders: usize,
    pub messages: usize,
    pub rate: u64,
    pub duration: Duration,
    pub protocol: Protocol,
    pub server_pid: Option<i32>,
    pub threads: u16,
    pub probes: u16,
    pub json: bool,
}

/// `toolkit chat bench`.
pub fn run(args: Options, lang: Lang) -> CmdResult {
    let addr: SocketAddr = args
        .addr
        .parse()
        .map_err(|_| Failure::new(2, msg::bad_addr(lang, &args.addr)))?;
    if !addr.ip().is_loopback() {
        return Err(Failure::new(2, msg::not_loopback(lang, &args.addr)).into());
    }
    if args.senders > args.clients || args.clients == 0 {
        return Err(Failure::new(2, msg::bad_shape(lang)).into());
    }
    let web_addr = match (&args.web_addr, args.protocol) {
        (Some(text), Protocol::Mixed) => {
            let web: SocketAddr = text
                .parse()
                .map_err(|_| Failure::new(2, msg::bad_addr(lang, text)))?;
            if !web.ip().is_loopback() {
                return Err(Failure::new(2, msg::not_loopback(lang, text)).into());
            }
            Some(web)
        }
        (None, Protocol::Mixed) | (Some(_), _) => {
            return Err(Failure::new(2, msg::web_addr_for_mixed(lang)).into());
        }
        (None, _) => None,
    };
    let mut cfg = Config {
        addr,
        web_addr,
        clients: args.clients,
        senders: args.senders,
        messages: args.messages,
        rate: args.rate,
        duration: args.duration.max(Duration::from_secs(1)),
        protocol: args.protocol,
        server_pid: args.server_pid,
        threads: 1,
        probes: usize::from(args.probes).min(args.clients),
    };
    let limit = crate::chat::raise_fd_limit();
    if (cfg.clients as u64) + 64 > limit {
        return Err(Failure::new(2, msg::fd_limit(lang, cfg.clients, limit)).into());
    }
    let runtime = match args.threads {
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(n))
            .enable_all()
            .build(),
    }
    .context(msg::runtime_failed(lang))?;
    // What the runtime really runs on, not what was asked for.
    cfg.threads = runtime.metrics().num_workers();
    let addr_text = cfg.addr.to_string();
    let prompt = (cfg.probes > 0)
        .then(PromptThread::start)
        .transpose()
        .context(msg::prompt_thread_failed(lang))?;
    let report = runtime.block_on(bench(cfg, prompt.as_ref().map(PromptThread::handle)));
    // Every client task has finished (bench waits for them all); stop the thread either way.
    drop(prompt);
    let report = report?;
    if report.connected == 0 {
        return Err(Failure::new(1, msg::nobody_connected(lang, &addr_text)).into());
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        output::write_json(&mut out, &report)?;
    } else {
        print_report(&mut out, &report, lang)?;
    }
    Ok(
        if report.summary.lost == 0 && report.summary.out_of_order == 0 {
            0
        } else {
            1
        },
    )
}

/// Run one bench against a server.
///
/// With `prompt`, [`Config::probes`] of the clients run there instead (see [`Prompt`]).
pub async fn bench(cfg: Config, prompt: Option<tokio::runtime::Handle>) -> anyhow::Result<Report> {
    let cfg = Arc::new(cfg);
    let rss_before = cfg.server_pid.and_then(|pid| proc::memory_peak(pid).ok());
    let clock = RunClock::start();
    let base = clock.base();
    let deadline = TokioInstant::now() + cfg.duration;
    let (go_tx, go_rx) = watch::channel(false);
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<bool>();
    let permits = Arc::new(tokio::sync::Semaphore::new(CONNECT_CONCURRENCY));
    let latencies = Arc::new(Mutex::new(Latencies::default()));
    let prompt_latencies = Arc::new(Mutex::new(Latencies::default()));
    let probes = match &prompt {
        Some(_) => prompt_readers(cfg.clients, cfg.probes),
        None => vec![false; cfg.clients],
    };

    let mut tasks = Vec::with_capacity(cfg.clients);
    for (i, &is_probe) in probes.iter().enumerate() {
        let cfg = Arc::clone(&cfg);
        let go = go_rx.clone();
        let ready = ready_tx.clone();
        let permits = Arc::clone(&permits);
        // A prompt reader records into the prompt readers' own latencies (merged into the
        // overall ones at the end): a lock shared with the other thread could be held by a
        // preempted thread and stall this one.
        let latencies = Arc::clone(if is_probe {
            &prompt_latencies
        } else {
            &latencies
        });
        let task = async move {
            let permit = permits.acquire_owned().await.ok();
            let result = client(ClientRun {
                i,
                cfg: &cfg,
                clock,
                deadline,
                go,
                ready: &ready,
                permit,
                latencies: &latencies,
            })
            .await;
            if result.is_err() {
                let _ = ready.send(false);
            }
            result
        };
        tasks.push(match (&prompt, is_probe) {
            (Some(handle), true) => handle.spawn(task),
            _ => tokio::spawn(task),
        });
    }
    drop(ready_tx);

    // Wait until every client has entered (or failed), then start the senders.
    let mut connected = 0;
    let mut answered = 0;
    while answered < cfg.clients {
        match timeout_at(deadline, ready_rx.recv()).await {
            Ok(Some(ok)) => {
                answered += 1;
                connected += usize::from(ok);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let connect_seconds = base.elapsed().as_secs_f64();
    if let Some(pid) = cfg.server_pid {
        wait_until_idle(pid, deadline).await;
    }
    let rss_connected = cfg.server_pid.and_then(|pid| proc::memory_peak(pid).ok());
    let cpu_before = cfg.server_pid.and_then(cpu_ticks);
    let own_pid = i32::try_from(std::process::id()).ok();
    // The prompt readers' thread is mostly idle and not one of the threads the busy share is
    // about: its CPU is left out of it.
    let prompt_tid = match &prompt {
        Some(handle) => handle
            .spawn(async { nix::unistd::gettid().as_raw() })
            .await
            .ok(),
        None => None,
    };
    let own_ticks = || {
        let all = own_pid.and_then(cpu_ticks)?;
        let prompt = own_pid
            .zip(prompt_tid)
            .and_then(|(pid, tid)| proc::thread_cpu_ticks(pid, tid))
            .unwrap_or(0);
        Some(all.saturating_sub(prompt))
    };
    let own_before = own_ticks();
    let start = Instant::now();
    let _ = go_tx.send(true);

    let mut receivers = Vec::with_capacity(cfg.clients);
    let mut expected = Vec::with_capacity(cfg.clients);
    let mut timed_out = false;
    let mut last_delivery = start;
    for (i, task) in tasks.into_iter().enumerate() {
        expected.push(expected_for(i, &cfg));
        match task.await {
            Ok(Ok(outcome)) => {
                timed_out |= outcome.timed_out;
                if let Some(t) = outcome.last_delivery {
                    last_delivery = last_delivery.max(t);
                }
                receivers.push(outcome.receiver);
            }
            // A client that failed received nothing: its messages count as lost.
            Ok(Err(_)) | Err(_) => receivers.push(Receiver::new(cfg.senders, cfg.messages)),
        }
    }
    let run_seconds = last_delivery.duration_since(start).as_secs_f64();
    let load_generator = own_before.zip(own_ticks()).map(|(before, after)| {
        GeneratorUsage::new(
            after.saturating_sub(before) as f64 / proc::ticks_per_second() as f64,
            start.elapsed().as_secs_f64(),
            cfg.threads,
        )
    });
    let prompt_latencies = lock(&prompt_latencies);
    let mut latencies = lock(&latencies).clone();
    latencies.merge(&prompt_latencies);
    let summary = stats::summarize(&receivers, &expected, &latencies);
    let prompt = prompt.map(|_| {
        let (latency, read_latency) = prompt_latencies.percentiles();
        Prompt {
            clients: probes.iter().filter(|&&p| p).count(),
            latency,
            read_latency,
        }
    });
    let server = cfg.server_pid.and_then(|pid| {
        let after = cpu_ticks(pid)?;
        let memory = proc::memory_peak(pid).ok()?;
        let before_kib = rss_before.map_or(0, |m| m.rss_kib);
        let connected_kib = rss_connected.map_or(0, |m| m.rss_kib);
        Some(ServerUsage {
            cpu_seconds: after.saturating_sub(cpu_before.unwrap_or(after)) as f64
                / proc::ticks_per_second() as f64,
            peak_rss_kib: memory.peak_rss_kib,
            rss_before_kib: before_kib,
            rss_connected_kib: connected_kib,
            rss_per_client_bytes: (connected_kib.saturating_sub(before_kib) * 1024)
                / connected.max(1) as u64,
        })
    });
    Ok(Report {
        protocol: cfg.protocol,
        clients: cfg.clients,
        connected,
        senders: cfg.senders,
        messages: cfg.messages,
        rate: cfg.rate,
        connect_seconds,
        run_seconds,
        deliveries_per_second: if run_seconds > 0.0 {
            summary.deliveries as f64 / run_seconds
        } else {
            0.0
        },
        timed_out,
        summary,
        server,
        load_generator,
        prompt,
    })
}

/// Wait until the server has used no CPU for a few samples in a row: the join notices of a large
/// room have been delivered, and what remains in memory is what idle members cost.
async fn wait_until_idle(pid: i32, deadline: TokioInstant) {
    const SAMPLE: Duration = Duration::from_millis(100);
    let mut quiet = 0;
    let mut last = cpu_ticks(pid);
    while quiet < 3 && TokioInstant::now() + SAMPLE < deadline {
        tokio::time::sleep(SAMPLE).await;
        let now = cpu_ticks(pid);
        quiet = if now == last { quiet + 1 } else { 0 };
        last = now;
    }
}

fn cpu_ticks(pid: i32) -> Option<u64> {
    proc::read_process(pid, proc::Fields::STAT_ONLY)
        .ok()
        .map(|p| p.cpu_ticks())
}

/// What one client brings back.
struct Outcome {
    receiver: Receiver,
    last_delivery: Option<Instant>,
    timed_out: bool,
}

/// Everything one client task needs to know about the run.
struct ClientRun<'a> {
    /// The client's number: its name is `b{i}`, and clients `0..senders` send.
    i: usize,
    cfg: &'a Config,
    /// The clock every send time and latency is measured against.
    clock: RunClock,
    /// The run's cap.
    deadline: TokioInstant,
    /// Becomes true when every client has entered: the senders start.
    go: watch::Receiver<bool>,
    /// Where the client says it has entered (or failed to).
    ready: &'a mpsc::UnboundedSender<bool>,
    /// A place among the clients allowed to connect at the same moment.
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    /// Where this receiver records its latencies.
    latencies: &'a Mutex<Latencies>,
}

async fn client(run: ClientRun<'_>) -> anyhow::Result<Outcome> {
    match run.cfg.protocol {
        Protocol::Udp => udp_client(run).await,
        Protocol::Irc | Protocol::Toolkit => tcp_client(run).await,
        Protocol::Ws => {
            let at = run.cfg.addr;
            ws_client(run, at).await
        }
        // Even clients on the WebSocket, odd ones on TCP: senders and probes on both.
        Protocol::Mixed if run.i.is_multiple_of(2) => {
            let at = run.cfg.web_addr.unwrap_or(run.cfg.addr);
            ws_client(run, at).await
        }
        Protocol::Mixed => tcp_client(run).await,
    }
}

/// One client on our server's WebSocket at `at`: the JSON the page speaks
/// ([`crate::chat::web::events`]). The WebSocket library reads the socket through
/// [`arrival::Stamped`], so a frame's arrival is the kernel's stamp of the read that completed
/// it, as for a TCP client's lines.
async fn ws_client(run: ClientRun<'_>, at: SocketAddr) -> anyhow::Result<Outcome> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let ClientRun {
        i,
        cfg,
        clock,
        deadline,
        mut go,
        ready,
        permit,
        latencies,
    } = run;
    let name = client_name(i);
    let base = clock.base();
    let login_deadline = (TokioInstant::now() + LOGIN_TIMEOUT).min(deadline);
    let stream = timeout_at(login_deadline, TcpStream::connect(at))
        .await
        .context("connect timed out")??;
    stream.set_nodelay(true)?;
    let (stream, stamp) = arrival::Stamped::new(stream, clock)?;
    let (socket, _) = timeout_at(
        login_deadline,
        // A 16 KiB read at a time (the library's default, 128 KiB, is zero-filled before every
        // read: a sixth of the load generator's time went to that memset).
        tokio_tungstenite::client_async_with_config(
            format!("ws://{at}/ws"),
            stream,
            Some(
                tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                    .read_buffer_size(16 * 1024),
            ),
        ),
    )
    .await
    .context("WebSocket handshake timed out")??;
    let (mut to_server, mut from_server) = socket.split();
    let command = |v: serde_json::Value| Message::Text(v.to_string().into());
    to_server
        .send(command(serde_json::json!({"type": "name", "name": name})))
        .await?;
    loop {
        let frame = timeout_at(login_deadline, from_server.next())
            .await
            .context("login timed out")?;
        let Some(frame) = frame else {
            bail!("server closed the connection during login");
        };
        if let Message::Text(text) = frame? {
            let events = dialect::ws_events(&text);
            if let Some(Incoming::Refused(reason)) =
                events.iter().find(|e| matches!(e, Incoming::Refused(_)))
            {
                bail!("refused: {reason}");
            }
            // Lines after the welcome in the same frame are join notices, not bench messages.
            if events.contains(&Incoming::Welcome) {
                break;
            }
        }
    }
    drop(permit);
    let _ = ready.send(true);

    let is_sender = i < cfg.senders;
    let (rate, senders, messages) = (cfg.rate, cfg.senders, cfg.messages);
    let mut reader_go = go.clone();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<()>();
    let writer = tokio::spawn(async move {
        if is_sender {
            wait_for_go(&mut go).await;
            let mut pacer = Pacer::new(rate, i, senders);
            for seq in 0..messages as u64 {
                pacer.wait().await;
                let text = payload(i, seq, base);
                let frame = command(serde_json::json!({"type": "say", "text": text}));
                if pacer.is_paced() {
                    to_server.send(frame).await?;
                } else {
                    to_server.feed(frame).await?;
                }
            }
            to_server.flush().await?;
        }
        let _ = done_rx.recv().await;
        to_server
            .send(command(serde_json::json!({"type": "quit"})))
            .await?;
        anyhow::Ok(())
    });

    let mut receiver = Receiver::new(cfg.senders, cfg.messages);
    let want = expected_for(i, cfg);
    let mut last_delivery_ns = None;
    let mut timed_out = false;
    let cap = tokio::time::sleep_until(deadline);
    tokio::pin!(cap);
    loop {
        if receiver.received_total() >= want && *reader_go.borrow() {
            break;
        }
        let frame = tokio::select! {
            biased;
            frame = from_server.next() => frame,
            _ = reader_go.changed(), if !*reader_go.borrow() => continue,
            _ = &mut cap => {
                timed_out = true;
                break;
            }
        };
        let Some(Ok(frame)) = frame else { break };
        let read_at = clock.now_ns();
        let arrived_at = arrival::last(&stamp).unwrap_or(read_at).min(read_at);
        if let Message::Text(frame) = frame {
            // The frames of a run the fast way; anything else through the JSON parser.
            let texts = dialect::ws_message_texts(frame.as_bytes()).unwrap_or_else(|| {
                dialect::ws_events(&frame)
                    .into_iter()
                    .filter_map(|event| match event {
                        Incoming::Message { text, .. } => Some(text.as_bytes()),
                        _ => None,
                    })
                    .collect()
            });
            let mut sink = lock(latencies);
            for text in texts {
                if account(&mut receiver, &mut sink, text, arrived_at, read_at) {
                    last_delivery_ns = Some(read_at);
                }
            }
        }
    }
    drop(done_tx);
    let _ = timeout_at(deadline + Duration::from_secs(2), writer).await;
    Ok(Outcome {
        receiver,
        last_delivery: last_delivery_ns.map(|ns| base + Duration::from_nanos(ns)),
        timed_out,
    })
}

/// Message `seq` of sender `i`, stamped with the time it is sent.
fn payload(i: usize, seq: u64, base: Instant) -> String {
    stats::encode_payload(i, seq, base.elapsed().as_nanos() as u64)
}

async fn wait_for_go(go: &mut watch::Receiver<bool>) {
    while !*go.borrow() {
        if go.changed().await.is_err() {
            return;
        }
    }
}

/// Pause between two messages of one sender at `rate` per second.
fn pacing(rate: u64) -> Option<Duration> {
    (rate > 0).then(|| Duration::from_nanos(1_000_000_000 / rate))
}

/// When sender `i` of `senders` sends its first message, as an offset into the first period.
/// Senders are spread evenly over the period rather than all sending at the same instant: the
/// room then sees a steady stream at the total rate, not bursts of `senders` messages at once.
fn phase(pause: Duration, i: usize, senders: usize) -> Duration {
    pause.mul_f64(i as f64 / senders.max(1) as f64)
}

/// The send schedule of one sender: at `rate` per second (evenly phased among the senders), or
/// as fast as the connection takes them when `rate` is 0.
struct Pacer {
    pause: Option<Duration>,
    next: TokioInstant,
}

impl Pacer {
    fn new(rate: u64, i: usize, senders: usize) -> Pacer {
        let pause = pacing(rate);
        let offset = pause.map_or(Duration::ZERO, |p| phase(p, i, senders));
        Pacer {
            pause,
            next: TokioInstant::now() + offset,
        }
    }

    fn is_paced(&self) -> bool {
        self.pause.is_some()
    }

    /// Wait for the next slot (at once when not paced).
    async fn wait(&mut self) {
        if let Some(pause) = self.pause {
            tokio::time::sleep_until(self.next).await;
            self.next += pause;
        }
    }
}

/// Record a bench message if `text` is one, which arrived and was read at `arrived` and `read`
/// on the run's clock.
fn account(
    receiver: &mut Receiver,
    latencies: &mut Latencies,
    text: &[u8],
    arrived: u64,
    read: u64,
) -> bool {
    match stats::decode_payload(text) {
        Some((sender, seq, sent)) => receiver.record(
            sender,
            seq,
            Stamps {
                sent,
                arrived,
                read,
            },
            latencies,
        ),
        None => false,
    }
}

/// The run's latencies, for one read's worth of lines. A panicked client cannot leave them half
/// recorded: a histogram update is a counter increment.
fn lock(latencies: &Mutex<Latencies>) -> MutexGuard<'_, Latencies> {
    latencies.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Classify one line in the client's protocol; a line that is not UTF-8 is nothing we sent.
fn classify(protocol: Protocol, line: &[u8]) -> Incoming<'_> {
    match std::str::from_utf8(line) {
        Ok(text) if protocol == Protocol::Irc => dialect::irc_parse(text),
        Ok(text) => dialect::toolkit_parse(text),
        Err(_) => Incoming::Other,
    }
}

/// Bytes read from a socket at a time: a few hundred bench lines.
///
/// One `read` brings in every line the kernel has queued, with one arrival stamp and one clock
/// reading for them all, so the per-read costs (system call, clock, wake-up) are shared by every
/// line in it. Reading line by line, with a timeout and a clock reading each, pays them per line;
/// at millions of lines a second the load generator would then measure itself, not the server.
const CHUNK: usize = 16 * 1024;

/// Read once from `rd` straight into the framer: how many bytes, and the kernel's arrival stamp
/// of what was read. Cancel-safe: a cancelled read consumed nothing.
async fn fill(
    lines: &mut LineFramer,
    rd: &OwnedReadHalf,
    clock: &RunClock,
) -> std::io::Result<(usize, Option<u64>)> {
    let (n, stamp) = arrival::read(rd, lines.spare(CHUNK), clock).await?;
    lines.commit(n);
    Ok((n, stamp))
}

async fn tcp_client(run: ClientRun<'_>) -> anyhow::Result<Outcome> {
    let ClientRun {
        i,
        cfg,
        clock,
        deadline,
        mut go,
        ready,
        permit,
        latencies,
    } = run;
    let name = client_name(i);
    let base = clock.base();
    // The run's cap bounds everything, connecting included: a server whose backlog is full lets
    // a connect hang through minutes of SYN retries.
    let login_deadline = (TokioInstant::now() + LOGIN_TIMEOUT).min(deadline);
    let stream = timeout_at(login_deadline, TcpStream::connect(cfg.addr))
        .await
        .context("connect timed out")??;
    stream.set_nodelay(true)?;
    arrival::stamp_arrivals(&stream)?;
    let (read_half, mut write_half) = stream.into_split();
    let mut lines = LineFramer::new(MAX_LINE);

    // Enter the room. Lines that come after the confirmation stay in `lines` for the run.
    let mut stage = 0;
    let login = match cfg.protocol {
        Protocol::Irc => dialect::irc_login(&name),
        _ => dialect::toolkit_login(&name),
    };
    write_half.write_all(login.as_bytes()).await?;
    while stage < 2 {
        let Some(line) = lines.next_line() else {
            let (n, _) = timeout_at(login_deadline, fill(&mut lines, &read_half, &clock))
                .await
                .context("login timed out")??;
            if n == 0 {
                bail!("server closed the connection during login");
            }
            continue;
        };
        match classify(cfg.protocol, line) {
            Incoming::Welcome if stage == 0 => {
                stage = 1;
                match cfg.protocol {
                    Protocol::Irc => write_half.write_all(dialect::irc_join().as_bytes()).await?,
                    // Our server puts a named client in the room at once.
                    _ => stage = 2,
                }
            }
            Incoming::Joined => stage = 2,
            Incoming::Ping(pong) => write_half.write_all(pong.as_bytes()).await?,
            Incoming::Refused(reason) => bail!("refused: {reason}"),
            _ => {}
        }
    }
    drop(permit);
    let _ = ready.send(true);

    // The sender half waits for the start signal; the reader half counts from now on.
    let is_sender = i < cfg.senders;
    let (pong_tx, mut pong_rx) = mpsc::unbounded_channel::<String>();
    let protocol = cfg.protocol;
    let rate = cfg.rate;
    let cfg_for_writer = cfg.clone();
    let mut reader_go = go.clone();
    let writer = tokio::spawn(async move {
        let mut out = tokio::io::BufWriter::new(write_half);
        if is_sender {
            wait_for_go(&mut go).await;
            let mut pacer = Pacer::new(rate, i, cfg_for_writer.senders);
            for seq in 0..cfg_for_writer.messages as u64 {
                pacer.wait().await;
                let text = payload(i, seq, base);
                let line = match protocol {
                    Protocol::Irc => dialect::irc_say(&text),
                    _ => dialect::toolkit_say(&text),
                };
                out.write_all(line.as_bytes()).await?;
                if pacer.is_paced() {
                    out.flush().await?;
                }
                while let Ok(pong) = pong_rx.try_recv() {
                    out.write_all(pong.as_bytes()).await?;
                }
            }
            out.flush().await?;
        }
        // Keep answering keep-alives until the reader is done.
        while let Some(pong) = pong_rx.recv().await {
            out.write_all(pong.as_bytes()).await?;
            out.flush().await?;
        }
        let bye = match protocol {
            Protocol::Irc => dialect::irc_quit().to_string(),
            _ => dialect::toolkit_quit(),
        };
        out.write_all(bye.as_bytes()).await?;
        out.flush().await?;
        anyhow::Ok(())
    });

    let mut receiver = Receiver::new(cfg.senders, cfg.messages);
    let want = expected_for(i, cfg);
    let mut last_delivery_ns = None;
    let mut timed_out = false;
    let cap = tokio::time::sleep_until(deadline);
    tokio::pin!(cap);
    // Lines left over from the login were read just now.
    let mut read_at = clock.now_ns();
    let mut arrived_at = read_at;
    // Stay in the room (and keep reading) until the run has started, even with nothing to
    // receive: the idle measurement counts every client as connected.
    loop {
        {
            // One lock for all the lines of a read; never held across an await.
            let mut sink = lock(latencies);
            while let Some(line) = lines.next_line() {
                if let Some(text) = dialect::message_text(cfg.protocol == Protocol::Irc, line) {
                    if account(&mut receiver, &mut sink, text, arrived_at, read_at) {
                        last_delivery_ns = Some(read_at);
                    }
                } else if let Incoming::Ping(pong) = classify(cfg.protocol, line) {
                    let _ = pong_tx.send(pong);
                }
            }
        }
        if receiver.received_total() >= want && *reader_go.borrow() {
            break;
        }
        let read = tokio::select! {
            biased;
            read = fill(&mut lines, &read_half, &clock) => read,
            _ = reader_go.changed(), if !*reader_go.borrow() => continue,
            _ = &mut cap => {
                timed_out = true;
                break;
            }
        };
        match read {
            Ok((0, _)) | Err(_) => break,
            Ok((_, stamp)) => {
                read_at = clock.now_ns();
                arrived_at = stamp.unwrap_or(read_at);
            }
        }
    }
    drop(pong_tx);
    let _ = timeout_at(deadline + Duration::from_secs(2), writer).await;
    Ok(Outcome {
        receiver,
        last_delivery: last_delivery_ns.map(|ns| base + Duration::from_nanos(ns)),
        timed_out,
    })
}

async fn udp_client(run: ClientRun<'_>) -> anyhow::Result<Outcome> {
    let ClientRun {
        i,
        cfg,
        clock,
        deadline,
        mut go,
        ready,
        permit,
        latencies,
    } = run;
    let name = client_name(i);
    let base = clock.base();
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
    socket.connect(cfg.addr).await?;
    let mut buf = vec![0u8; MAX_LINE];
    // Datagrams may be dropped: ask up to three times.
    let mut entered = false;
    for _ in 0..3 {
        socket.send(dialect::udp_login(&name).as_bytes()).await?;
        let wait = (TokioInstant::now() + Duration::from_secs(2)).min(deadline);
        while let Ok(Ok(n)) = timeout_at(wait, socket.recv(&mut buf)).await {
            match dialect::udp_parse(&String::from_utf8_lossy(&buf[..n])) {
                Incoming::Welcome => {
                    entered = true;
                    break;
                }
                Incoming::Refused(reason) => bail!("refused: {reason}"),
                _ => {}
            }
        }
        if entered {
            break;
        }
    }
    if !entered {
        bail!("no answer to login");
    }
    drop(permit);
    let _ = ready.send(true);

    let is_sender = i < cfg.senders;
    let sender_socket = Arc::clone(&socket);
    let rate = cfg.rate;
    let cfg_for_writer = cfg.clone();
    let mut writer_go = go.clone();
    let writer = tokio::spawn(async move {
        if is_sender {
            wait_for_go(&mut writer_go).await;
            let mut pacer = Pacer::new(rate, i, cfg_for_writer.senders);
            let name = client_name(i);
            let base = clock.base();
            for seq in 0..cfg_for_writer.messages as u64 {
                pacer.wait().await;
                let text = payload(i, seq, base);
                sender_socket
                    .send(dialect::udp_say(&name, &text).as_bytes())
                    .await?;
            }
        }
        anyhow::Ok(())
    });

    let mut receiver = Receiver::new(cfg.senders, cfg.messages);
    let want = expected_for(i, cfg);
    let mut last_delivery = None;
    let mut timed_out = false;
    // UDP never says "that was the last one": stop at the cap, or shortly after the traffic stops.
    let idle = Duration::from_secs(2);
    while receiver.received_total() < want {
        let until = if *go.borrow() && last_delivery.is_some() {
            deadline.min(TokioInstant::now() + idle)
        } else {
            deadline
        };
        match timeout_at(until, socket.recv(&mut buf)).await {
            Err(_) => {
                timed_out = TokioInstant::now() >= deadline;
                break;
            }
            Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                let now_ns = clock.now_ns();
                if let Ok(text) = std::str::from_utf8(&buf[..n])
                    && let Incoming::Message { text, .. } = dialect::udp_parse(text)
                    && account(
                        &mut receiver,
                        &mut lock(latencies),
                        text.as_bytes(),
                        now_ns,
                        now_ns,
                    )
                {
                    last_delivery = Some(base + Duration::from_nanos(now_ns));
                }
            }
        }
    }
    let _ = timeout_at(deadline + Duration::from_secs(2), writer).await;
    let _ = timeout_at(deadline, wait_for_go(&mut go)).await;
    let _ = socket.send(dialect::udp_quit(&name).as_bytes()).await;
    Ok(Outcome {
        receiver,
        last_delivery,
        timed_out,
    })
}

fn print_report(out: &mut impl Write, r: &Report, lang: Lang) -> std::io::Result<()> {
    let mut table = output::table(msg::report_headers(lang));
    let ms = |us: f64| msg::millis(us / 1000.0);
    let mut rows: Vec<(Row, String)> = vec![
        (Row::Protocol, format!("{:?}", r.protocol).to_lowercase()),
        (Row::Clients, format!("{} ({})", r.clients, r.connected)),
        (Row::Senders, format!("{} x {}", r.senders, r.messages)),
        (
            Row::Deliveries,
            format!("{} / {}", r.summary.deliveries, r.summary.expected),
        ),
        (Row::Rate, format!("{:.0}", r.deliveries_per_second)),
        (Row::P50, ms(r.summary.latency.p50_us)),
        (Row::P90, ms(r.summary.latency.p90_us)),
        (Row::P99, ms(r.summary.latency.p99_us)),
        (Row::Max, ms(r.summary.latency.max_us)),
        (Row::P99Read, ms(r.summary.read_latency.p99_us)),
        (Row::Lost, r.summary.lost.to_string()),
        (Row::OutOfOrder, r.summary.out_of_order.to_string()),
        (Row::ConnectTime, msg::seconds(r.connect_seconds)),
        (
            Row::RunTime,
            msg::run_time(lang, r.run_seconds, r.timed_out),
        ),
    ];
    if let Some(s) = r.server {
        rows.push((Row::ServerCpu, msg::seconds(s.cpu_seconds)));
        rows.push((
            Row::ServerRss,
            format!("{:.1} MiB", s.peak_rss_kib as f64 / 1024.0),
        ));
    }
    if let Some(p) = r.prompt {
        rows.push((
            Row::Prompt,
            msg::prompt_readers(
                lang,
                p.clients,
                &ms(p.latency.p50_us),
                &ms(p.latency.p99_us),
                &ms(p.latency.max_us),
                &ms(p.read_latency.p99_us),
            ),
        ));
    }
    if let Some(g) = r.load_generator {
        rows.push((
            Row::GeneratorCpu,
            msg::generator_cpu(lang, g.cpu_seconds, g.busy, g.threads),
        ));
        // (A run without deliveries has no latencies to qualify.)
        if g.saturated && r.summary.deliveries > 0 {
            rows.push((Row::Note, msg::saturated_note(lang).to_string()));
        }
    }
    for (row, v) in rows {
        table.add_row(vec![msg::row(lang, row).to_string(), v]);
    }
    output::write_table(out, &table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(clients: usize, senders: usize, messages: usize) -> Config {
        Config {
            addr: "127.0.0.1:1".parse().unwrap(),
            web_addr: None,
            clients,
            senders,
            messages,
            rate: 0,
            duration: Duration::from_secs(1),
            protocol: Protocol::Irc,
            server_pid: None,
            threads: 1,
            probes: 0,
        }
    }

    /// What is spawned on the prompt readers' handle runs on their thread, not the caller's,
    /// and dropping the thread stops and joins it.
    #[test]
    fn prompt_tasks_run_on_their_own_thread() {
        let prompt = PromptThread::start().unwrap();
        let caller = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let name = caller
            .block_on(
                prompt
                    .handle()
                    .spawn(async { std::thread::current().name().map(String::from) }),
            )
            .unwrap();
        assert_eq!(name.as_deref(), Some("bench-prompt"));
        drop(prompt);
    }

    #[test]
    fn prompt_readers_are_spread_evenly() {
        let at = |clients, probes| -> Vec<usize> {
            let chosen = prompt_readers(clients, probes);
            assert_eq!(chosen.len(), clients);
            (0..clients).filter(|&i| chosen[i]).collect()
        };
        assert_eq!(at(1000, 10), (0..10).map(|k| k * 100).collect::<Vec<_>>());
        assert_eq!(at(20, 10), (0..10).map(|k| k * 2).collect::<Vec<_>>());
        assert_eq!(at(3, 10), vec![0, 1, 2]);
        assert_eq!(at(7, 3), vec![0, 2, 4]);
        assert!(at(5, 0).is_empty());
    }

    #[test]
    fn busy_share_is_cpu_over_wall_times_threads() {
        let one = GeneratorUsage::new(0.9, 1.0, 1);
        assert!((one.busy.unwrap() - 0.9).abs() < 1e-9 && one.saturated);
        let two = GeneratorUsage::new(0.9, 1.0, 2);
        assert!((two.busy.unwrap() - 0.45).abs() < 1e-9 && !two.saturated);
        assert!(GeneratorUsage::new(SATURATED, 1.0, 1).saturated);
        // Two ticks in 30 ms is no share at all.
        let short = GeneratorUsage::new(0.02, 0.03, 1);
        assert_eq!(short.busy, None);
        assert!(!short.saturated);
    }

    #[test]
    fn senders_do_not_expect_their_own_messages() {
        let c = cfg(5, 2, 10);
        assert_eq!(expected_for(0, &c), 10);
        assert_eq!(expected_for(1, &c), 10);
        assert_eq!(expected_for(2, &c), 20);
        assert_eq!(expected_for(4, &c), 20);
    }

    #[test]
    fn pacing_from_rate() {
        assert_eq!(pacing(0), None);
        assert_eq!(pacing(100), Some(Duration::from_millis(10)));
    }

    #[test]
    fn senders_are_spread_over_the_period() {
        let p = Duration::from_millis(10);
        assert_eq!(phase(p, 0, 4), Duration::ZERO);
        assert_eq!(phase(p, 1, 4), Duration::from_micros(2500));
        assert_eq!(phase(p, 3, 4), Duration::from_micros(7500));
        assert_eq!(phase(p, 0, 0), Duration::ZERO);
    }
}
