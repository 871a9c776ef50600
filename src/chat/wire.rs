//! A member's connection as the room sees it: a TCP socket (`toolkit chat client`, `nc`), or the
//! server's end of a socket pair whose other end is a browser's WebSocket ([`super::web`]).
//!
//! Why a socket pair for the browser: the room's rules live in one place, the session that reads a
//! connection's lines ([`super::server`]) and the sweeper that writes them ([`super::fanout`]). A web
//! member is given exactly the same session and sweeper; a small bridge task on the other end of
//! the pair turns the browser's JSON into protocol lines and the room's lines into JSON. Names,
//! limits, the rate limit, slow-reader drops, ordering and shutdown are then the same code for
//! both, not two copies that could drift apart. The price is one more local write and read per
//! delivery to a browser (measured in docs/performance.md).

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
    Pair(unix::OwnedWriteHalf),
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
            WriteSide::Tcp(wr) => wr.try_write_vectored(slices),
            WriteSide::Pair(wr) => wr.try_write_vectored(slices),
        }
    }

    /// Make the coming close abortive (TCP: a reset, `SO_LINGER` 0): the kernel drops what the
    /// peer never read at once instead of keeping it, and the socket, for minutes (FIN-WAIT).
    /// Best effort; a socket pair has nothing to free.
    pub fn reset_on_close(&self) {
        if let WriteSide::Tcp(wr) = self {
            use nix::sys::socket::{setsockopt, sockopt};
            let now = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            let _ = setsockopt(wr.as_ref(), sockopt::Linger, &now);
        }
    }

    /// Ready once the kernel would take more bytes.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            WriteSide::Tcp(wr) => wr.as_ref().poll_write_ready(cx),
            WriteSide::Pair(wr) => wr.as_ref().poll_write_ready(cx),
        }
    }
}

/// A TCP connection, split.
pub fn tcp(socket: tokio::net::TcpStream) -> (ReadSide, WriteSide) {
    let (rd, wr) = socket.into_split();
    (ReadSide::Tcp(rd), WriteSide::Tcp(wr))
}

/// The server's end of a socket pair, split.
pub fn pair(socket: tokio::net::UnixStream) -> (ReadSide, WriteSide) {
    let (rd, wr) = socket.into_split();
    (ReadSide::Pair(rd), WriteSide::Pair(wr))
}
