//! The chat tests' tools: a spawned process read line by line ([`Proc`]), a server on a free port,
//! a client that has entered, and a hand-made connection as `nc` would make ([`Raw`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{ChildStdin, ExitStatus, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::Guard;

/// Upper bound on any single wait; never reached when things work.
pub const WAIT: Duration = Duration::from_secs(30);

pub static SPAWNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A spawned process (a `toolkit`, or a Python example) with its stdout and stderr read line by
/// line on threads.
pub struct Proc {
    pub child: Guard,
    out: mpsc::Receiver<String>,
    err: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Proc {
    pub fn spawn(args: &[&str]) -> Proc {
        Proc::spawn_with_stdin(args, Stdio::piped())
    }

    pub fn spawn_with_stdin(args: &[&str], stdin: Stdio) -> Proc {
        Proc::spawn_command(super::toolkit().args(args).stdin(stdin))
    }

    /// A Python example from examples/python, stdin piped.
    pub fn python(script: &str, args: &[&str]) -> Proc {
        let path = format!("{}/examples/python/{script}", env!("CARGO_MANIFEST_DIR"));
        Proc::spawn_command(
            std::process::Command::new("python3")
                .arg("-u")
                .arg(path)
                .args(args)
                .stdin(Stdio::piped()),
        )
    }

    pub fn spawn_command(cmd: &mut std::process::Command) -> Proc {
        let mut child = Guard::spawn(
            cmd.stdout(Stdio::piped())
                // CHAT_TEST_STDERR=DIR: keep every process's stderr in DIR/<pid>.err, for debugging.
                .stderr(match std::env::var_os("CHAT_TEST_STDERR") {
                    Some(dir) => {
                        let path = std::path::Path::new(&dir).join(format!(
                            "{}-{}.err",
                            std::process::id(),
                            SPAWNED.fetch_add(1, Ordering::SeqCst)
                        ));
                        Stdio::from(std::fs::File::create(path).expect("create stderr file"))
                    }
                    None => Stdio::piped(),
                }),
        );
        let out = lines_of(child.stdout.take().unwrap());
        let err = match child.stderr.take() {
            Some(stderr) => lines_of(stderr),
            None => mpsc::channel().1,
        };
        Proc {
            child,
            out,
            err,
            seen: Vec::new(),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().expect("stdin still open")
    }

    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// The next stdout line.
    pub fn next_line(&mut self) -> String {
        match self.out.recv_timeout(WAIT) {
            Ok(line) => {
                self.seen.push(line.clone());
                line
            }
            Err(e) => panic!("no stdout line ({e}); saw {:?}", self.seen),
        }
    }

    /// Skip stdout lines until one contains `needle`; returns it.
    pub fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(e) => panic!("{needle:?} not seen ({e}); saw {:?}", self.seen),
            }
        }
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "process did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// All of stderr (after exit).
    pub fn stderr_text(&mut self) -> String {
        let mut text = String::new();
        while let Ok(line) = self.err.recv_timeout(WAIT) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }

    /// All remaining stdout lines (after exit).
    pub fn rest_of_stdout(&mut self) -> Vec<String> {
        while let Ok(line) = self.out.recv_timeout(WAIT) {
            self.seen.push(line);
        }
        self.seen.clone()
    }
}

pub fn lines_of(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut raw = Vec::new();
        loop {
            raw.clear();
            match reader.read_until(b'\n', &mut raw) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&raw);
                    if tx.send(line.trim_end_matches('\n').to_string()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// A server on a free port; `extra` flags are appended.
pub fn server(extra: &[&str]) -> (Proc, String) {
    let mut args = vec!["--lang", "en", "chat", "server", "--addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut p = Proc::spawn(&args);
    let addr = p.next_line();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "first line is the address: {addr}"
    );
    (p, addr)
}

/// A `toolkit chat client` that has entered the room.
pub fn client(addr: &str, name: &str, lang: &str, extra: &[&str]) -> Proc {
    let mut args = vec![
        "--lang", lang, "chat", "client", "--addr", addr, "--name", name,
    ];
    args.extend_from_slice(extra);
    let mut p = Proc::spawn(&args);
    p.expect(name); // the welcome line names us
    p
}

/// The PID of the forked child, from `--explain` output ("PID n (child, ...").
pub fn explained_child_pid(p: &mut Proc) -> i32 {
    let line = p.expect("(child");
    line.trim()
        .strip_prefix("PID ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no PID in {line:?}"))
}

/// True once `pid` no longer runs. A zombie still counts as "gone" only if it is no longer the
/// child of `former_parent` (then it was orphaned and someone else's business to reap).
pub fn wait_gone(pid: i32, former_parent: i32) {
    let deadline = Instant::now() + WAIT;
    loop {
        match toolkit::proc::read_process(pid, toolkit::proc::Fields::STAT_ONLY) {
            Err(_) => return,
            Ok(p) if p.state == 'Z' && p.ppid != former_parent => return,
            Ok(p) => {
                assert!(
                    Instant::now() < deadline,
                    "process {pid} still there: state {} ppid {}",
                    p.state,
                    p.ppid
                );
            }
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A hand-made connection, as `nc` would make.
pub struct Raw {
    pub reader: BufReader<TcpStream>,
}

impl Raw {
    pub fn connect(addr: &str) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let mut raw = Raw {
            reader: BufReader::new(stream),
        };
        let hello = raw.line();
        assert!(hello.starts_with("HELLO toolkit-chat "), "{hello}");
        raw
    }

    pub fn named(addr: &str, name: &str) -> Raw {
        let mut raw = Raw::connect(addr);
        raw.send(&format!("NAME {name}"));
        assert_eq!(raw.line(), format!("WELCOME {name}"));
        raw
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).unwrap();
    }

    pub fn send(&mut self, line: &str) {
        self.send_bytes(format!("{line}\n").as_bytes());
    }

    /// The next line; panics at end of stream or after [`WAIT`].
    pub fn line(&mut self) -> String {
        self.try_line().expect("connection closed")
    }

    pub fn try_line(&mut self) -> Option<String> {
        let mut raw = Vec::new();
        match self.reader.read_until(b'\n', &mut raw) {
            Ok(0) => None,
            Ok(_) => Some(
                String::from_utf8(raw)
                    .unwrap()
                    .trim_end_matches('\n')
                    .to_string(),
            ),
            Err(e) => panic!("read failed: {e}"),
        }
    }

    /// Skip lines (room events) until one starts with `prefix`.
    pub fn skip_to(&mut self, prefix: &str) -> String {
        loop {
            let line = self.line();
            if line.starts_with(prefix) {
                return line;
            }
        }
    }

    pub fn into_reader(self) -> BufReader<TcpStream> {
        self.reader
    }
}

/// A TCP connection whose receive buffer is 4 KiB (set before connecting, so the window is small
/// from the start).
pub fn small_buffer_connection(host: &str) -> TcpStream {
    use nix::sys::socket::{
        AddressFamily, SockFlag, SockType, SockaddrIn, connect, setsockopt, socket, sockopt,
    };
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    setsockopt(&fd, sockopt::RcvBuf, &4096).unwrap();
    let addr: std::net::SocketAddrV4 = host.parse().unwrap();
    connect(
        std::os::fd::AsRawFd::as_raw_fd(&fd),
        &SockaddrIn::from(addr),
    )
    .unwrap();
    TcpStream::from(fd)
}
