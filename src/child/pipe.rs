//! Pipes that carry children's reports to the parent, so one process does all the printing.
//!
//! A message is one line. Lines are written with a single `write` and are shorter than
//! `PIPE_BUF` (4096 bytes), so lines from several processes never interleave.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::{ChildError, interrupt};
use crate::lines::LineFramer;

/// A new pipe as `(reader, writer)`. Children forked later inherit both ends.
pub fn new() -> io::Result<(File, File)> {
    let (read, write) = nix::unistd::pipe().map_err(io::Error::from)?;
    Ok((File::from(read), File::from(write)))
}

/// Send one line (a newline is added) with a single `write`.
pub fn send_line(mut writer: &File, line: &str) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    writer.write_all(&bytes)
}

/// What [`LineReader::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Line(String),
    /// Every write end is closed.
    Eof,
    /// Nothing arrived in time.
    TimedOut,
}

/// Longest line a demo child reports; anything longer is not one of ours and is skipped.
const MAX_REPORT: usize = 64 * 1024;

/// Reads lines from a pipe; a wait ends on a line, end of file, a timeout, or Ctrl-C.
#[derive(Debug)]
pub struct LineReader {
    file: File,
    lines: LineFramer,
    eof: bool,
}

impl LineReader {
    pub fn new(file: File) -> LineReader {
        LineReader {
            file,
            lines: LineFramer::new(MAX_REPORT),
            eof: false,
        }
    }

    /// Bytes received after the last complete line (what is left at end of file).
    pub fn take_rest(&mut self) -> Vec<u8> {
        self.lines.take_pending()
    }

    /// The next line, waiting at most `timeout`. Ctrl-C gives
    /// `Err(ChildError::Interrupted)` (inside the `anyhow::Error`).
    pub fn next_line(&mut self, timeout: Duration) -> anyhow::Result<Next> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.lines.next_line() {
                return Ok(Next::Line(String::from_utf8_lossy(line).into_owned()));
            }
            if self.eof {
                return Ok(Next::Eof);
            }
            if let Some(sig) = interrupt::pending() {
                return Err(ChildError::Interrupted(sig).into());
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Next::TimedOut);
            }
            let slice = (deadline - now).min(Duration::from_millis(100));
            let millis = u16::try_from(slice.as_millis()).unwrap_or(100).max(1);
            let mut fds = [PollFd::new(self.file.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::from(millis)) {
                Ok(0) | Err(Errno::EINTR) => continue,
                Ok(_) => {}
                Err(errno) => return Err(io::Error::from(errno).into()),
            }
            match self.file.read(self.lines.spare(4096)) {
                Ok(0) => self.eof = true,
                Ok(n) => self.lines.commit(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Whether `file` becomes readable within `millis`.
pub fn wait_readable(file: &File, millis: u16) -> bool {
    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
    matches!(poll(&mut fds, PollTimeout::from(millis)), Ok(n) if n > 0)
}
