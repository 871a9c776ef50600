//! A member's connection as the room sees it: a TCP socket (`toolkit chat client`, `nc`), or a
//! browser's WebSocket ([`super::web`]).
//!
//! A browser member is given exactly the same session and sweeper as a terminal, so names,
//! limits, the rate limit, slow-reader drops, ordering and shutdown are one set of code, not two
//! copies that could drift apart. The two directions differ only where the bytes do:
//! - **to the browser**, the sweeper writes straight to the browser's TCP socket
//!   ([`WriteSide::Ws`]), turning the room's lines into WebSocket frames itself
//!   ([`super::web::frames`], once per sweep for all browsers), so a delivery is one write, as for
//!   a terminal;
//! - **from the browser**, a reader task turns the page's JSON frames into protocol lines and
//!   writes them into a socket pair whose other end the session reads ([`ReadSide::Pair`]).
//!
//! Until session 9 the room's lines went to the browser through the pair too, and a relay task
//! turned them into frames once per member: three system calls and a JSON encoding per member per
//! sweep instead of one write (docs/performance.md has the figures).

use std::io::{self, IoSlice};
use std::task::{Context, Poll};

use tokio::net::{tcp, unix};

/// The reading half of a member's connection.
#[derive(Debug)]
pub enum ReadSide {
    Tcp(tcp::OwnedReadHalf),
    Pair(unix::OwnedReadHalf),
}

/// The writing half of a member's connection, which its sweeper owns.
#[derive(Debug)]
pub enum WriteSide {
    Tcp(tcp::OwnedWriteHalf),
    /// A browser's TCP socket after the WebSocket upgrade: the sweeper writes frames, not lines
    /// ([`super::web::frames`]).
    Ws(tcp::OwnedWriteHalf),
}

impl ReadSide {
    /// Resolves when a read may succeed (or the connection has failed).
    pub async fn readable(&self) -> io::Result<()> {
        match self {
            ReadSide::Tcp(rd) => rd.readable().await,
            ReadSide::Pair(rd) => rd.readable().await,
        }
    }

    /// Read what is there without waiting (`WouldBlock` if nothing is).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            ReadSide::Tcp(rd) => rd.try_read(buf),
            ReadSide::Pair(rd) => rd.try_read(buf),
        }
    }
}

impl WriteSide {
    /// Write what the kernel takes now, in one system call, without waiting.
    pub fn try_write_vectored(&self, slices: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            WriteSide::Tcp(wr) | WriteSide::Ws(wr) => wr.try_write_vectored(slices),
        }
    }

    /// Make the coming close abortive (TCP: a reset, `SO_LINGER` 0): the kernel drops what the
    /// peer never read at once instead of keeping it, and the socket, for minutes (FIN-WAIT).
    /// Best effort.
    pub fn reset_on_close(&self) {
        use nix::sys::socket::{setsockopt, sockopt};
        let (WriteSide::Tcp(wr) | WriteSide::Ws(wr)) = self;
        let now = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        let _ = setsockopt(wr.as_ref(), sockopt::Linger, &now);
    }

    /// Ready once the kernel would take more bytes.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            WriteSide::Tcp(wr) | WriteSide::Ws(wr) => wr.as_ref().poll_write_ready(cx),
        }
    }

    /// Whether the sweeper writes WebSocket frames to it.
    pub fn is_websocket(&self) -> bool {
        matches!(self, WriteSide::Ws(_))
    }
}

/// A TCP connection, split.
pub fn tcp(socket: tokio::net::TcpStream) -> (ReadSide, WriteSide) {
    let (rd, wr) = socket.into_split();
    (ReadSide::Tcp(rd), WriteSide::Tcp(wr))
}
