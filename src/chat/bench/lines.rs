//! The load generator's line reader: one `read` brings in as many lines as the kernel has queued,
//! and they are cut out of the buffer in place.
//!
//! Why not `BufReader::read_until` per line: at millions of lines a second the bench itself was a
//! bottleneck, and a profile showed the per-line future, timeout and clock reads on top. Here one
//! `read` call and one clock reading serve every line it brought, so the load generator spends its
//! core on the server's output rather than on itself. Every line from one `read` arrived at the same
//! moment, so stamping them with one time is exact, not an approximation.

use tokio::io::{AsyncRead, AsyncReadExt};

/// Bytes read from a socket at a time: a few hundred bench lines.
pub const CHUNK: usize = 16 * 1024;

/// Lines cut from a byte stream, read in chunks.
#[derive(Debug)]
pub struct LineReader {
    buf: Vec<u8>,
    /// Unconsumed bytes are `buf[start..end]`.
    start: usize,
    end: usize,
}

impl Default for LineReader {
    fn default() -> Self {
        LineReader::new()
    }
}

impl LineReader {
    pub fn new() -> LineReader {
        LineReader {
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
        }
    }

    /// The free space after the unconsumed bytes, made as large as it can be. An error if the
    /// unfinished line fills the whole buffer: no bench line is that long.
    fn spare(&mut self) -> std::io::Result<&mut [u8]> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 && self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a line longer than {CHUNK} bytes"),
            ));
        }
        Ok(&mut self.buf[self.end..])
    }

    /// Read once from `rd`, appending to what is buffered. `Ok(0)` is end of file. Cancel-safe: a
    /// read that is cancelled has not consumed anything.
    pub async fn fill<R: AsyncRead + Unpin>(&mut self, rd: &mut R) -> std::io::Result<usize> {
        let n = rd.read(self.spare()?).await?;
        self.end += n;
        Ok(n)
    }

    /// Put bytes in as if they had been read (for tests and for protocols that get datagrams).
    #[cfg(test)]
    fn push(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let spare = self.spare()?;
        if spare.len() < bytes.len() {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        spare[..bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
        Ok(())
    }

    /// The next complete line, without `\n` or `\r\n`; `None` until more is read.
    pub fn next_line(&mut self) -> Option<&[u8]> {
        let pending = &self.buf[self.start..self.end];
        let at = memchr::memchr(b'\n', pending)?;
        let line = &self.buf[self.start..self.start + at];
        self.start += at + 1;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(r: &mut LineReader) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(line) = r.next_line() {
            out.push(String::from_utf8(line.to_vec()).unwrap());
        }
        out
    }

    #[test]
    fn cuts_lines_and_keeps_a_partial_one_for_later() {
        let mut r = LineReader::new();
        r.push(b"MSG a one\nMSG b two\r\nMSG c th").unwrap();
        assert_eq!(drain(&mut r), ["MSG a one", "MSG b two"]);
        r.push(b"ree\n\n").unwrap();
        assert_eq!(drain(&mut r), ["MSG c three", ""]);
        assert_eq!(r.next_line(), None);
    }

    #[test]
    fn a_partial_line_at_the_end_of_the_buffer_moves_to_the_front() {
        let mut r = LineReader::new();
        let line = vec![b'x'; 1000];
        let mut expected = 0;
        // Fill the buffer with whole lines and end on half a line, then finish that line.
        while r.end + 1001 <= CHUNK {
            r.push(&line).unwrap();
            r.push(b"\n").unwrap();
            expected += 1;
        }
        let room = CHUNK - r.end;
        r.push(&line[..room]).unwrap();
        assert_eq!(drain(&mut r).len(), expected);
        r.push(&line[room..]).unwrap();
        r.push(b"\n").unwrap();
        let rest = drain(&mut r);
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].len(), 1000);
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_an_error() {
        let mut r = LineReader::new();
        r.push(&vec![b'x'; CHUNK]).unwrap();
        assert_eq!(r.next_line(), None);
        assert!(r.spare().is_err());
    }

    #[tokio::test]
    async fn fill_reads_from_a_stream_until_end_of_file() {
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            a.write_all(b"one\ntwo\nthree\n").await.unwrap();
        });
        let mut r = LineReader::new();
        let mut lines = Vec::new();
        while r.fill(&mut b).await.unwrap() > 0 {
            lines.extend(drain(&mut r));
        }
        assert_eq!(lines, ["one", "two", "three"]);
    }
}
