//! The chatroom of the course's homework, as real software.
//!
//! # Layout
//! - [`protocol`]: lines to messages and back, limits, terminal escaping. Pure: no I/O.
//!   The wire format is specified in `docs/chat-protocol.md`.
//! - [`names`]: who may be called what: look-alike names refused, uniqueness by appearance.
//! - [`server`]: the tokio server (`serve(listener, config, admin_lines, shutdown)`): the room,
//!   bounded per-client queues, rate limits, graceful shutdown.
//! - [`fanout`]: the sweepers that write the room's lines to every member's socket.
//! - [`admin`]: the administrator's channel, both ends: the console child forked before the
//!   runtime starts, and the server task that reads its socket pair.
//! - [`client`]: the client, forked into a sender (child) and a receiver (parent).
//! - [`terminal`]: when a person types: the child owns the terminal (raw mode) and draws, the
//!   parent hands it the rows to show over a socket pair; the same for the server's console.
//! - [`editor`]: the line being typed (keys, cursor, history, what fits on the row). Pure.
//! - [`web`]: the page and the WebSocket (`--web`): browsers in the same room.
//! - [`wire`]: a member's connection, a TCP socket or a web member's socket pair.
//!
//! The process family, as `toolkit ps-tree -p <server pid>` shows it:
//!
//! ```text
//! toolkit chat server (PID S)          toolkit chat client (PID C)
//!  ├─ tokio threads: network, room      │  parent: socket -> screen
//!  └─ admin console (PID A, PPID S)     └─ sender (PID D, PPID C): keyboard -> socket
//!       terminal -> socket pair -> server        on a terminal, also: parent's rows -> pair ->
//!       (on a terminal: server's log -> pair)    the sender, which draws them above the input
//! ```

pub mod admin;
pub mod client;
pub mod editor;
pub mod fanout;
pub mod names;
pub mod protocol;
pub mod server;
pub mod terminal;
pub mod web;
pub mod wire;

/// Raise the soft limit on open files to the hard limit and return it: every connection is a file
/// descriptor, and the usual soft limit of 1,024 would cap the room far below `--max-clients`.
pub fn raise_fd_limit() -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => {
            if setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            }
        }
        Ok((soft, _)) => soft,
        Err(_) => 1024,
    }
}

/// One line on the server's stderr, with a timestamp: joins, leaves, admin broadcasts. While the
/// admin console draws on the terminal ([`admin`], [`terminal`]), the line goes to it instead, to
/// be printed above the administrator's half-typed line.
pub(crate) fn log(line: &str) {
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
    let line = format!("[{now}] {line}\n");
    if !to_console(&line) {
        use std::io::Write;
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Text for the server's stdout (its address, the web page's): through the console too when
/// stdout is the console's terminal.
pub(crate) fn print_out(text: &str) {
    use std::io::{IsTerminal, Write};
    if std::io::stdout().is_terminal() && to_console(text) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// The server's end of the pair to the drawing console, while there is one.
static CONSOLE: std::sync::Mutex<Option<std::os::unix::net::UnixStream>> =
    std::sync::Mutex::new(None);

/// From now on, [`log`] hands its lines to the console on `pair` (`None`: back to stderr).
pub(crate) fn log_through(pair: Option<std::os::unix::net::UnixStream>) {
    *CONSOLE.lock().unwrap_or_else(|e| e.into_inner()) = pair;
}

/// Hand `text` (whole lines) to the console; `false` when there is none to take it. The pair is
/// non-blocking: a console that does not read (stopped with Ctrl-Z from elsewhere) must not stop
/// the server, so a line that does not fit goes to stderr instead, and a console gone for good
/// is forgotten.
fn to_console(text: &str) -> bool {
    use std::io::Write;
    let mut console = CONSOLE.lock().unwrap_or_else(|e| e.into_inner());
    let Some(pair) = console.as_mut() else {
        return false;
    };
    match pair.write_all(text.as_bytes()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(_) => {
            *console = None;
            false
        }
    }
}
