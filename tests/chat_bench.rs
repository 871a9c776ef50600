//! `toolkit chat bench` against the real `toolkit chat server`, on loopback: a short bounded run
//! must deliver every message, in order. No timing is asserted.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

mod support;
use support::toolkit;

/// A server that is stopped (SIGINT, the orderly way) and reaped when the test ends.
struct Server {
    child: Child,
    addr: String,
    /// The WebSocket's address (`--web`), or empty.
    web: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = toolkit()
            .args([
                "chat",
                "server",
                "--addr",
                "127.0.0.1:0",
                "--max-per-address",
                "0",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        // With --web, the page's address comes next.
        let mut web = String::new();
        if extra.contains(&"--web") {
            stdout.read_line(&mut web).unwrap();
        }
        Server {
            child,
            addr: first.trim().to_string(),
            web: web
                .trim()
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn bench(server: &Server, args: &[&str]) -> Value {
    bench_on(server, &server.addr, args)
}

/// A bench run against `addr` (the server's TCP address, or its WebSocket's).
fn bench_on(server: &Server, addr: &str, args: &[&str]) -> Value {
    let out = toolkit()
        .args([
            "chat",
            "bench",
            "--json",
            "--duration",
            "30",
            "--addr",
            addr,
        ])
        .args(["--server-pid", &server.child.id().to_string()])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bench failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_short_run_loses_nothing() {
    let server = Server::start(&["--rate", "0"]);
    let r = bench(
        &server,
        &["--clients", "20", "--senders", "2", "--messages", "20"],
    );
    // 2 senders x 20 messages reach the 18 listeners, and each sender hears the other one.
    assert_eq!(r["expected"], 18 * 40 + 2 * 20);
    assert_eq!(r["deliveries"], r["expected"]);
    assert_eq!(r["lost"], 0);
    assert_eq!(r["out_of_order"], 0);
    assert_eq!(r["connected"], 20);
    assert_eq!(r["timed_out"], false);
    let server_usage = &r["server"];
    assert!(server_usage["peak_rss_kib"].as_u64().unwrap() > 0);
    // Ten of the clients (the default) read on their own thread; their deliveries are part of
    // the overall figures, so their latencies lie within the overall ones.
    let prompt = &r["prompt"];
    assert_eq!(prompt["clients"], 10);
    let overall = |k: &str| r["latency"][k].as_f64().unwrap();
    let theirs = |k: &str| prompt["latency"][k].as_f64().unwrap();
    assert!(theirs("p50_us") > 0.0, "{prompt}");
    assert!(
        theirs("max_us") <= overall("max_us"),
        "{prompt} {}",
        r["latency"]
    );
}

#[test]
fn without_prompt_readers_there_is_no_prompt_figure() {
    let server = Server::start(&["--rate", "0"]);
    let r = bench(
        &server,
        &[
            "--clients",
            "6",
            "--senders",
            "2",
            "--messages",
            "10",
            "--probes",
            "0",
        ],
    );
    assert_eq!(r["lost"], 0);
    assert!(r["prompt"].is_null(), "{}", r["prompt"]);
}

#[test]
fn a_paced_run_with_everyone_sending_loses_nothing() {
    let server = Server::start(&["--rate", "0"]);
    let r = bench(
        &server,
        &[
            "--clients",
            "8",
            "--senders",
            "8",
            "--messages",
            "10",
            "--rate",
            "200",
        ],
    );
    assert_eq!(r["expected"], 8 * 7 * 10);
    assert_eq!(r["lost"], 0);
    assert_eq!(r["out_of_order"], 0);
}

#[test]
fn a_run_on_two_threads_loses_nothing_and_reports_both_latencies() {
    let server = Server::start(&["--rate", "0"]);
    let r = bench(
        &server,
        &[
            "--clients",
            "16",
            "--senders",
            "4",
            "--messages",
            "50",
            "--threads",
            "2",
        ],
    );
    assert_eq!(r["expected"], 12 * 200 + 4 * 150);
    assert_eq!(r["deliveries"], r["expected"]);
    assert_eq!(r["lost"], 0);
    assert_eq!(r["out_of_order"], 0);
    // Arrival at the socket (the kernel's stamp) comes before the read. The two are on different
    // clocks (wall and monotonic), so allow a millisecond for the wall clock being adjusted.
    let arrival = r["latency"]["max_us"].as_f64().unwrap();
    let read = r["read_latency"]["max_us"].as_f64().unwrap();
    assert!(arrival > 0.0 && read > 0.0, "{arrival} {read}");
    assert!(
        arrival <= read + 1000.0,
        "arrival {arrival} µs, read {read} µs"
    );
    // Its own CPU is reported against the threads its runtime really has (two), as a share of
    // them, in seconds rather than clock ticks.
    let generator = &r["load_generator"];
    assert_eq!(generator["threads"], 2);
    // (A run this short may have no share: CPU time is counted in 10 ms ticks.)
    let cpu = generator["cpu_seconds"].as_f64().unwrap();
    assert!((0.0..60.0).contains(&cpu), "cpu {cpu}");
    match generator["busy"].as_f64() {
        Some(busy) => {
            assert!((0.0..=1.05).contains(&busy), "busy {busy}");
            assert_eq!(generator["saturated"], busy >= 0.75);
        }
        None => assert_eq!(generator["saturated"], false),
    }
}

#[test]
fn the_bench_rejects_a_thread_count_out_of_range() {
    let out = toolkit()
        .args(["chat", "bench", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--threads"));
}

#[test]
fn the_bench_only_targets_loopback() {
    let out = toolkit()
        .args(["chat", "bench", "--addr", "192.0.2.1:8888"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[test]
fn no_server_is_a_clear_error() {
    // Bind and drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = toolkit()
        .args([
            "chat",
            "bench",
            "--clients",
            "3",
            "--senders",
            "1",
            "--messages",
            "1",
        ])
        .args(["--duration", "5", "--addr", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("start a server first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn websocket_and_mixed_runs_lose_nothing() {
    let server = Server::start(&["--rate", "0", "--web", "127.0.0.1:0"]);
    let shape = ["--clients", "20", "--senders", "4", "--messages", "30"];
    let ws = bench_on(
        &server,
        &server.web,
        &[&["--protocol", "ws"][..], &shape[..]].concat(),
    );
    let mixed = bench(
        &server,
        &[
            &["--protocol", "mixed", "--web-addr", server.web.as_str()][..],
            &shape[..],
        ]
        .concat(),
    );
    for r in [&ws, &mixed] {
        // 4 senders x 30 messages reach the 16 listeners, and each sender hears the other three.
        assert_eq!(r["expected"], 16 * 120 + 4 * 90, "{r}");
        assert_eq!(r["deliveries"], r["expected"], "{r}");
        assert_eq!(r["lost"], 0);
        assert_eq!(r["out_of_order"], 0);
    }
    assert_eq!(ws["protocol"], "ws");
    assert_eq!(mixed["protocol"], "mixed");
}
