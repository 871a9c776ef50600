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
//! - [`web`]: the page and the WebSocket (`--web`): browsers in the same room.
//! - [`wire`]: a member's connection, a TCP socket or a web member's socket pair.
//!
//! The process family, as `toolkit ps-tree -p <server pid>` shows it:
//!
//! ```text
//! toolkit chat server (PID S)          toolkit chat client (PID C)
//!  ├─ tokio threads: network, room      │  parent: socket -> screen
//!  └─ admin console (PID A, PPID S)     └─ sender (PID D, PPID C): keyboard -> socket
//!       terminal -> socket pair -> server
//! ```

pub mod admin;
pub mod client;
pub mod fanout;
pub mod names;
pub mod protocol;
pub mod server;
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

/// One line on the server's stderr, with a timestamp: joins, leaves, admin broadcasts.
pub(crate) fn log(line: &str) {
    use std::io::Write;
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "[{now}] {line}");
}
