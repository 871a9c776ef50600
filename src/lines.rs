//! Cutting a byte stream into lines, with a bound on how much an unfinished line may hold.
//!
//! Pure (no I/O of its own, no tokio): the chat server, the chat client, the load generator and the
//! demos' pipe reader all read bytes their own way and hand them to one [`LineFramer`].

/// One unit cut from the byte stream by [`LineFramer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A complete line, without `\n` (and without a `\r` before it). Not yet checked for UTF-8.
    /// It borrows the framer's buffer: no copy, no allocation per line.
    Line(&'a [u8]),
    /// A line longer than the limit began; its bytes are being discarded up to the next `\n`.
    TooLong,
}

/// Cuts a byte stream into lines of at most `max` bytes, holding at most `max` bytes of an
/// unfinished line plus the unread rest of one input chunk.
///
/// Why not "read until newline": a peer that never sends `\n` would make such a reader grow its
/// buffer forever. Here, once an unfinished line passes `max`, the framer reports [`Frame::TooLong`]
/// once and then drops bytes until the next `\n`.
///
/// Lines are cut in place (the consumed ones are skipped, and what is left is moved to the front
/// only when room is needed), so a chunk of a hundred lines costs no more than one pass over it.
/// The server, the client and the load generator all frame with it.
#[derive(Debug)]
pub struct LineFramer {
    max: usize,
    /// Unconsumed bytes are `buf[start..end]`; `buf[end..]` is room for the next read.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Where to look for the next `\n` (bytes before it were already searched).
    scanned: usize,
    discarding: bool,
}

impl LineFramer {
    pub fn new(max: usize) -> Self {
        LineFramer {
            max,
            buf: Vec::new(),
            start: 0,
            end: 0,
            scanned: 0,
            discarding: false,
        }
    }

    /// Make at least `n` bytes of room after the unconsumed ones.
    fn make_room(&mut self, n: usize) {
        if self.start == self.end {
            (self.start, self.end, self.scanned) = (0, 0, 0);
        } else if self.buf.len() - self.end < n && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < n {
            self.buf.resize(self.end + n, 0);
        }
    }

    /// Add bytes read from the peer. Call [`LineFramer::next_frame`] until it returns `None` before
    /// adding more, so the buffer stays bounded.
    pub fn push(&mut self, bytes: &[u8]) {
        self.make_room(bytes.len());
        self.buf[self.end..self.end + bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Room for at least `n` more bytes, to read into directly; then call [`LineFramer::commit`]
    /// with how many were read. (The same contract as [`LineFramer::push`] applies.)
    pub fn spare(&mut self, n: usize) -> &mut [u8] {
        self.make_room(n);
        &mut self.buf[self.end..]
    }

    /// Count `n` bytes written into [`LineFramer::spare`] as read.
    pub fn commit(&mut self, n: usize) {
        assert!(
            self.end + n <= self.buf.len(),
            "committed more than the spare room"
        );
        self.end += n;
    }

    /// The next complete frame, if the buffered bytes contain one.
    pub fn next_frame(&mut self) -> Option<Frame<'_>> {
        Some(match self.next_span()? {
            Some((from, to)) => Frame::Line(&self.buf[from..to]),
            None => Frame::TooLong,
        })
    }

    /// The next complete line, skipping lines that are too long (for a reader that has nobody to
    /// tell about them).
    pub fn next_line(&mut self) -> Option<&[u8]> {
        loop {
            if let Some((from, to)) = self.next_span()? {
                return Some(&self.buf[from..to]);
            }
        }
    }

    /// Where the next line is in `buf` (`Some(None)` for a line too long).
    fn next_span(&mut self) -> Option<Option<(usize, usize)>> {
        loop {
            let Some(pos) = memchr::memchr(b'\n', &self.buf[self.scanned..self.end]) else {
                if self.discarding {
                    (self.start, self.scanned) = (self.end, self.end);
                    return None;
                }
                // Allow one extra byte for a '\r' that may precede the '\n'.
                if self.end - self.start > self.max + 1 {
                    (self.start, self.scanned) = (self.end, self.end);
                    self.discarding = true;
                    return Some(None);
                }
                self.scanned = self.end;
                return None;
            };
            let (from, newline) = (self.start, self.scanned + pos);
            (self.start, self.scanned) = (newline + 1, newline + 1);
            if self.discarding {
                self.discarding = false;
                continue;
            }
            let to = if newline > from && self.buf[newline - 1] == b'\r' {
                newline - 1
            } else {
                newline
            };
            return Some((to - from <= self.max).then_some((from, to)));
        }
    }

    /// Take the bytes of the unfinished line (what is left at end of file), emptying the framer.
    pub fn take_pending(&mut self) -> Vec<u8> {
        let rest = if self.discarding {
            Vec::new()
        } else {
            self.buf[self.start..self.end].to_vec()
        };
        (self.start, self.end, self.scanned, self.discarding) = (0, 0, 0, false);
        rest
    }

    /// Bytes of an unfinished line (what is lost if the peer closes now).
    pub fn pending(&self) -> usize {
        if self.discarding {
            0
        } else {
            self.end - self.start
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every frame buffered now: `Some(line)` for a line, `None` for [`Frame::TooLong`].
    fn frames(framer: &mut LineFramer) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        while let Some(frame) = framer.next_frame() {
            out.push(match frame {
                Frame::Line(line) => Some(line.to_vec()),
                Frame::TooLong => None,
            });
        }
        out
    }

    fn line(bytes: &[u8]) -> Option<Vec<u8>> {
        Some(bytes.to_vec())
    }

    #[test]
    fn framer_cuts_lines_across_chunks() {
        let mut f = LineFramer::new(10);
        f.push(b"ab");
        assert_eq!(frames(&mut f), vec![]);
        f.push(b"c\r\nde\n\nf");
        assert_eq!(frames(&mut f), vec![line(b"abc"), line(b"de"), line(b"")]);
        assert_eq!(f.pending(), 1);
    }

    #[test]
    fn framer_refuses_long_lines_without_buffering_them() {
        let mut f = LineFramer::new(4);
        f.push(b"1234\n12345\nok\n");
        assert_eq!(frames(&mut f), vec![line(b"1234"), None, line(b"ok")]);
        // A long line arriving in pieces: reported once, then discarded as it comes.
        f.push(b"abcdefgh");
        assert_eq!(frames(&mut f), vec![None]);
        for _ in 0..100 {
            f.push(b"xxxxxxxx");
            assert_eq!(frames(&mut f), vec![]);
            assert_eq!(f.pending(), 0);
            assert!(f.buf.len() <= 16, "discarded bytes are not kept");
        }
        f.push(b"xx\nnext\n");
        assert_eq!(frames(&mut f), vec![line(b"next")]);
        // "1234\r\n" is a 4-byte line, not a long one.
        f.push(b"1234\r\n");
        assert_eq!(frames(&mut f), vec![line(b"1234")]);
    }

    #[test]
    fn the_unfinished_line_can_be_taken_at_end_of_file() {
        let mut f = LineFramer::new(10);
        f.push(b"done\nhalf a");
        assert_eq!(f.next_line(), Some(&b"done"[..]));
        assert_eq!(f.next_line(), None);
        assert_eq!(f.take_pending(), b"half a");
        assert_eq!(f.pending(), 0);
        assert_eq!(f.take_pending(), b"");
    }

    #[test]
    fn next_line_skips_long_lines() {
        let mut f = LineFramer::new(4);
        f.push(b"12345\nok\nabcdefgh");
        assert_eq!(f.next_line(), Some(&b"ok"[..]));
        assert_eq!(f.next_line(), None);
        f.push(b"ij\nend\n");
        assert_eq!(f.next_line(), Some(&b"end"[..]));
        assert_eq!(f.next_line(), None);
    }

    #[test]
    fn framer_reads_in_place_and_moves_a_partial_line_to_the_front() {
        let mut f = LineFramer::new(100);
        let chunk = 64;
        // Fill whole lines up to near the end of the room, ending on half a line.
        let room = f.spare(chunk);
        assert!(room.len() >= chunk);
        let data = b"MSG a one\nMSG b two\r\nMSG c th";
        room[..data.len()].copy_from_slice(data);
        f.commit(data.len());
        assert_eq!(frames(&mut f), vec![line(b"MSG a one"), line(b"MSG b two")]);
        assert_eq!(f.pending(), 8);
        // Asking for more room than is left after the partial line moves it to the front.
        let room = f.spare(chunk);
        room[..4].copy_from_slice(b"ree\n");
        f.commit(4);
        assert_eq!(f.start, 0);
        assert_eq!(frames(&mut f), vec![line(b"MSG c three")]);
        assert_eq!(f.pending(), 0);
        assert!(
            f.buf.len() <= 2 * chunk,
            "the buffer stays one chunk and a line"
        );
    }
}
