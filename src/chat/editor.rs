//! The line being typed in the chat's terminal: keys decoded from bytes, the edit buffer with its
//! cursor and history, and what part of it fits on one screen row. Pure: no terminal, no I/O, so
//! every key is unit-tested here; [`super::terminal`] does the reading and drawing.
//!
//! Why our own editor and not rustyline or reedline: those libraries own the terminal. They read
//! the keyboard *and* draw, in one process, and offer no clean way for *another* process to print
//! a line above the prompt. The chat's lesson is two processes (the client's parent receives, its
//! child reads the keyboard), so the child needs an editor it can interrupt whenever the parent
//! hands it a line to show. What people expect of a line is small enough to write here: insert
//! anywhere, Left/Right, Home/End (Ctrl-A/Ctrl-E), Backspace and Delete over whole characters,
//! Ctrl-U, Ctrl-W, Ctrl-K, Up/Down through the lines sent.
//!
//! "Whole characters" means grapheme clusters (`unicode-segmentation`): `é` typed as `e` plus a
//! combining accent is one Backspace, as is `中`. Columns come from `unicode-width`, so a Chinese
//! character moves the cursor two columns.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// One key, as the editor understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Text to insert (one key, or a paste, without control characters).
    Text(String),
    Enter,
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    Left,
    Right,
    Home,
    End,
    /// The previous line sent (history).
    Up,
    /// The next line sent, or back to the line being typed.
    Down,
    /// Ctrl-U: delete from the start of the line to the cursor.
    KillToStart,
    /// Ctrl-K: delete from the cursor to the end of the line.
    KillToEnd,
    /// Ctrl-W: delete the word before the cursor.
    KillWord,
    /// Ctrl-L: draw the line again.
    Redraw,
    /// Ctrl-D: leave on an empty line, Delete otherwise.
    EndOfInput,
    /// Ctrl-C: with the terminal in raw mode it is a byte like any other, not a signal.
    Interrupt,
}

/// Bytes from a raw terminal to [`Key`]s. A key can arrive split over two reads (an escape
/// sequence, or the three bytes of a Chinese character): what is incomplete waits for the next
/// [`KeyDecoder::feed`].
#[derive(Debug, Default)]
pub struct KeyDecoder {
    pending: Vec<u8>,
}

impl KeyDecoder {
    pub fn new() -> Self {
        KeyDecoder::default()
    }

    /// The keys in `bytes` (after whatever was pending). Unknown escape sequences and other control
    /// bytes are dropped.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Key> {
        self.pending.extend_from_slice(bytes);
        let mut keys = Vec::new();
        let mut text = String::new();
        let mut at = 0;
        let buf = std::mem::take(&mut self.pending);
        while at < buf.len() {
            let b = buf[at];
            let (key, used) = match b {
                0x1b => match decode_escape(&buf[at..]) {
                    Some(found) => found,
                    None => break, // incomplete: wait for more
                },
                b'\r' | b'\n' => (Some(Key::Enter), 1),
                0x7f | 0x08 => (Some(Key::Backspace), 1),
                0x01 => (Some(Key::Home), 1),
                0x02 => (Some(Key::Left), 1),
                0x03 => (Some(Key::Interrupt), 1),
                0x04 => (Some(Key::EndOfInput), 1),
                0x05 => (Some(Key::End), 1),
                0x06 => (Some(Key::Right), 1),
                0x0b => (Some(Key::KillToEnd), 1),
                0x0c => (Some(Key::Redraw), 1),
                0x0e => (Some(Key::Down), 1),
                0x10 => (Some(Key::Up), 1),
                0x15 => (Some(Key::KillToStart), 1),
                0x17 => (Some(Key::KillWord), 1),
                b'\t' => (Some(Key::Text(" ".into())), 1),
                0x00..=0x1f => (None, 1),
                _ => {
                    let len = utf8_len(b);
                    if at + len > buf.len() {
                        // The rest of the character is still on its way... unless it cannot be.
                        if len > 1 && buf[at + 1..].iter().all(|&c| c & 0xc0 == 0x80) {
                            break;
                        }
                        (None, 1)
                    } else {
                        match std::str::from_utf8(&buf[at..at + len]) {
                            Ok(s) if !s.chars().any(char::is_control) => {
                                text.push_str(s);
                                at += len;
                                continue;
                            }
                            _ => (None, 1),
                        }
                    }
                }
            };
            if !text.is_empty() {
                keys.push(Key::Text(std::mem::take(&mut text)));
            }
            keys.extend(key);
            at += used;
        }
        if !text.is_empty() {
            keys.push(Key::Text(text));
        }
        self.pending = buf[at..].to_vec();
        keys
    }
}

/// Bytes a UTF-8 character starting with `first` takes (1 for a byte that cannot start one).
fn utf8_len(first: u8) -> usize {
    match first {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 1,
    }
}

/// The key an escape sequence at the start of `buf` means, and its length; `None` while it is
/// incomplete. `ESC` followed by anything else is dropped alone (the next byte is read as usual).
fn decode_escape(buf: &[u8]) -> Option<(Option<Key>, usize)> {
    match buf.get(1) {
        None => None,
        Some(b'[') => {
            // CSI: parameters (digits, ';'), then one final byte in '@'..='~'.
            let end = buf[2..].iter().position(|b| (0x40..=0x7e).contains(b))?;
            let params = &buf[2..2 + end];
            let key = match (params, buf[2 + end]) {
                (_, b'A') => Some(Key::Up),
                (_, b'B') => Some(Key::Down),
                (_, b'C') => Some(Key::Right),
                (_, b'D') => Some(Key::Left),
                (_, b'H') => Some(Key::Home),
                (_, b'F') => Some(Key::End),
                (b"1" | b"7", b'~') => Some(Key::Home),
                (b"4" | b"8", b'~') => Some(Key::End),
                (b"3", b'~') => Some(Key::Delete),
                _ => None,
            };
            Some((key, 3 + end))
        }
        Some(b'O') => {
            let last = *buf.get(2)?;
            let key = match last {
                b'A' => Some(Key::Up),
                b'B' => Some(Key::Down),
                b'C' => Some(Key::Right),
                b'D' => Some(Key::Left),
                b'H' => Some(Key::Home),
                b'F' => Some(Key::End),
                _ => None,
            };
            Some((key, 3))
        }
        Some(_) => Some((None, 1)),
    }
}

/// Lines kept for Up/Down.
pub const HISTORY: usize = 100;

/// The line being typed: its text, the cursor (a byte offset, always at a grapheme boundary), and
/// the lines sent before it.
#[derive(Debug, Default)]
pub struct LineEditor {
    text: String,
    cursor: usize,
    history: Vec<String>,
    /// Which history line is shown (`None`: the line being typed), and that line meanwhile.
    browsing: Option<usize>,
    draft: String,
    /// Most bytes the line may hold (a paste cannot fill memory).
    max: usize,
}

/// What a key did to the line.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    /// The line (or the cursor) changed: draw it again.
    Changed,
    /// Enter: this line is done (already put in the history, the editor is empty again).
    Entered(String),
    /// Ctrl-D on an empty line, or Ctrl-C: the user wants to leave.
    Leave,
    /// Nothing happened (Backspace at the start, an unknown key).
    Nothing,
}

impl LineEditor {
    /// An empty line that holds at most `max` bytes.
    pub fn new(max: usize) -> Self {
        LineEditor {
            max,
            ..LineEditor::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, as a byte offset into [`LineEditor::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Apply one key.
    pub fn apply(&mut self, key: &Key) -> Edit {
        let before = (self.text.len(), self.cursor);
        match key {
            Key::Text(s) => self.insert(s),
            Key::Enter => return Edit::Entered(self.take_line()),
            Key::Backspace => {
                if let Some(g) = self.text[..self.cursor].graphemes(true).next_back() {
                    let start = self.cursor - g.len();
                    self.text.replace_range(start..self.cursor, "");
                    self.cursor = start;
                }
            }
            Key::Delete => self.delete_forward(),
            Key::EndOfInput if self.text.is_empty() => return Edit::Leave,
            Key::EndOfInput => self.delete_forward(),
            Key::Interrupt => return Edit::Leave,
            Key::Left => {
                if let Some(g) = self.text[..self.cursor].graphemes(true).next_back() {
                    self.cursor -= g.len();
                }
            }
            Key::Right => {
                if let Some(g) = self.text[self.cursor..].graphemes(true).next() {
                    self.cursor += g.len();
                }
            }
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = self.text.len(),
            Key::KillToStart => {
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
            }
            Key::KillToEnd => self.text.truncate(self.cursor),
            Key::KillWord => {
                let head = &self.text[..self.cursor];
                let trimmed = head.trim_end();
                let start = trimmed
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace())
                    .map_or(0, |(i, c)| i + c.len_utf8());
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            Key::Up => return self.browse_back(),
            Key::Down => return self.browse_forward(),
            Key::Redraw => return Edit::Changed,
        }
        if (self.text.len(), self.cursor) == before && !matches!(key, Key::Text(_)) {
            Edit::Nothing
        } else {
            Edit::Changed
        }
    }

    fn insert(&mut self, s: &str) {
        let room = self.max.saturating_sub(self.text.len());
        let mut end = s.len().min(room);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.text.insert_str(self.cursor, &s[..end]);
        self.cursor += end;
        // A combining mark joins the character before it: the cursor must not stop inside.
        self.cursor = self.boundary_at_or_after(self.cursor);
    }

    fn boundary_at_or_after(&self, at: usize) -> usize {
        let mut pos = 0;
        for g in self.text.graphemes(true) {
            if pos >= at {
                return pos;
            }
            pos += g.len();
        }
        pos
    }

    fn delete_forward(&mut self) {
        if let Some(g) = self.text[self.cursor..].graphemes(true).next() {
            let end = self.cursor + g.len();
            self.text.replace_range(self.cursor..end, "");
        }
    }

    /// The finished line; it goes into the history (unless blank or the same as the last one).
    fn take_line(&mut self) -> String {
        let line = std::mem::take(&mut self.text);
        self.cursor = 0;
        self.browsing = None;
        self.draft.clear();
        if !line.trim().is_empty() && self.history.last() != Some(&line) {
            if self.history.len() == HISTORY {
                self.history.remove(0);
            }
            self.history.push(line.clone());
        }
        line
    }

    fn browse_back(&mut self) -> Edit {
        let to = match self.browsing {
            None if self.history.is_empty() => return Edit::Nothing,
            None => {
                self.draft = std::mem::take(&mut self.text);
                self.history.len() - 1
            }
            Some(0) => return Edit::Nothing,
            Some(i) => i - 1,
        };
        self.browsing = Some(to);
        self.show(self.history[to].clone());
        Edit::Changed
    }

    fn browse_forward(&mut self) -> Edit {
        match self.browsing {
            None => Edit::Nothing,
            Some(i) if i + 1 < self.history.len() => {
                self.browsing = Some(i + 1);
                self.show(self.history[i + 1].clone());
                Edit::Changed
            }
            Some(_) => {
                self.browsing = None;
                let draft = std::mem::take(&mut self.draft);
                self.show(draft);
                Edit::Changed
            }
        }
    }

    fn show(&mut self, text: String) {
        self.text = text;
        self.cursor = self.text.len();
    }
}

/// How one grapheme of the line is drawn: the user's own text is shown as others would see it
/// ([`super::protocol::escape_for_terminal`]), so an invisible or reordering character cannot
/// move the cursor away from where the editor believes it is.
fn shown(grapheme: &str) -> String {
    super::protocol::escape_for_terminal(grapheme)
}

/// The part of `text` that fits in `columns`, given the first byte shown so far (`scroll`, kept
/// between calls so the view moves only when the cursor leaves it). Returns what to draw and the
/// cursor's column within it; `scroll` is updated.
pub fn view(text: &str, cursor: usize, scroll: &mut usize, columns: usize) -> (String, usize) {
    let columns = columns.max(2);
    if *scroll > cursor || !text.is_char_boundary(*scroll) {
        *scroll = cursor;
    }
    // Move the start right until the text before the cursor fits (with one column to spare, where
    // the cursor stands at the end of the line). Widths are summed once: a pasted line is long.
    let mut before: usize = text[*scroll..cursor]
        .graphemes(true)
        .map(|g| shown(g).width())
        .sum();
    for g in text[*scroll..cursor].graphemes(true) {
        if before < columns {
            break;
        }
        before -= shown(g).width();
        *scroll += g.len();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut cursor_col = 0;
    let mut pos = *scroll;
    for g in text[*scroll..].graphemes(true) {
        if pos == cursor {
            cursor_col = used;
        }
        let s = shown(g);
        let w = s.width();
        if used + w > columns - 1 {
            break;
        }
        out.push_str(&s);
        used += w;
        pos += g.len();
    }
    if pos <= cursor {
        cursor_col = used;
    }
    (out, cursor_col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &[Key]) -> LineEditor {
        let mut e = LineEditor::new(1024);
        for k in keys {
            e.apply(k);
        }
        e
    }

    fn text(s: &str) -> Key {
        Key::Text(s.into())
    }

    #[test]
    fn keys_are_decoded_even_when_split_over_reads() {
        let mut d = KeyDecoder::new();
        assert_eq!(d.feed("一半".as_bytes()), vec![text("一半")]);
        let bytes = "的".as_bytes();
        assert_eq!(d.feed(&bytes[..1]), vec![]);
        assert_eq!(d.feed(&bytes[1..]), vec![text("的")]);
        assert_eq!(d.feed(b"\x1b"), vec![]);
        assert_eq!(d.feed(b"[D\x1b[C\x1bOH\x1b[F"), {
            vec![Key::Left, Key::Right, Key::Home, Key::End]
        });
        assert_eq!(
            d.feed(b"\x1b[3~\x1b[1~\x1b[4~\x1b[A\x1b[B"),
            vec![Key::Delete, Key::Home, Key::End, Key::Up, Key::Down]
        );
        assert_eq!(
            d.feed(b"ab\x7fc\r\x01\x05\x03\x04\x15\x17\x0b"),
            vec![
                text("ab"),
                Key::Backspace,
                text("c"),
                Key::Enter,
                Key::Home,
                Key::End,
                Key::Interrupt,
                Key::EndOfInput,
                Key::KillToStart,
                Key::KillWord,
                Key::KillToEnd,
            ]
        );
        // Unknown sequences, stray control bytes and broken UTF-8 are dropped, not inserted.
        assert_eq!(
            d.feed(b"\x1b[15~x\x1by\x07\xffz"),
            vec![text("x"), text("y"), text("z")]
        );
    }

    #[test]
    fn backspace_and_delete_remove_whole_characters() {
        let mut e = typed(&[text("一半的话")]);
        assert_eq!(e.apply(&Key::Backspace), Edit::Changed);
        assert_eq!(e.text(), "一半的");
        // e + combining acute is one grapheme: one Backspace removes both.
        let mut e2 = typed(&[text("cafe\u{301}")]);
        e2.apply(&Key::Backspace);
        assert_eq!(e2.text(), "caf");
        e.apply(&Key::Home);
        e.apply(&Key::Delete);
        assert_eq!(e.text(), "半的");
        assert_eq!(e.cursor(), 0);
        assert_eq!(e.apply(&Key::Backspace), Edit::Nothing);
        e.apply(&Key::End);
        assert_eq!(e.apply(&Key::Delete), Edit::Nothing);
    }

    #[test]
    fn chinese_text_is_edited_in_the_middle() {
        // 你好世界, Left, Left, insert 的, Backspace, insert 们, Home, insert 【, End, insert 】.
        let e = typed(&[
            text("你好世界"),
            Key::Left,
            Key::Left,
            text("的"),
            Key::Backspace,
            text("们"),
            Key::Home,
            text("【"),
            Key::End,
            text("】"),
        ]);
        assert_eq!(e.text(), "【你好们世界】");
        assert_eq!(e.cursor(), e.text().len());
    }

    #[test]
    fn ctrl_u_ctrl_w_and_ctrl_k_cut() {
        let mut e = typed(&[text("hello big  world")]);
        e.apply(&Key::KillWord);
        assert_eq!(e.text(), "hello big  ");
        e.apply(&Key::KillWord);
        assert_eq!(e.text(), "hello ");
        e.apply(&Key::Left);
        e.apply(&Key::Left);
        e.apply(&Key::KillToEnd);
        assert_eq!(e.text(), "hell");
        e.apply(&Key::Left);
        e.apply(&Key::KillToStart);
        assert_eq!((e.text(), e.cursor()), ("l", 0));
    }

    #[test]
    fn enter_hands_the_line_over_and_up_down_walk_the_history() {
        let mut e = LineEditor::new(1024);
        assert_eq!(e.apply(&Key::Up), Edit::Nothing);
        for line in ["first", "第二", "second"] {
            e.apply(&text(line));
            assert_eq!(e.apply(&Key::Enter), Edit::Entered(line.into()));
        }
        // Blank lines and repeats are not remembered.
        e.apply(&Key::Enter);
        e.apply(&text("second"));
        e.apply(&Key::Enter);
        e.apply(&text("draft"));
        e.apply(&Key::Up);
        assert_eq!(e.text(), "second");
        e.apply(&Key::Up);
        assert_eq!(e.text(), "第二");
        e.apply(&Key::Up);
        assert_eq!(e.text(), "first");
        assert_eq!(e.apply(&Key::Up), Edit::Nothing);
        e.apply(&Key::Down);
        e.apply(&Key::Down);
        e.apply(&Key::Down);
        assert_eq!(e.text(), "draft");
        assert_eq!(e.apply(&Key::Down), Edit::Nothing);
    }

    #[test]
    fn ctrl_d_leaves_only_on_an_empty_line_and_ctrl_c_always() {
        let mut e = typed(&[text("ab"), Key::Home]);
        assert_eq!(e.apply(&Key::EndOfInput), Edit::Changed);
        assert_eq!(e.text(), "b");
        assert_eq!(e.apply(&Key::Interrupt), Edit::Leave);
        let mut empty = LineEditor::new(10);
        assert_eq!(empty.apply(&Key::EndOfInput), Edit::Leave);
    }

    #[test]
    fn a_line_holds_at_most_its_bound() {
        let mut e = LineEditor::new(7);
        e.apply(&text("一二三"));
        assert_eq!(e.text(), "一二");
    }

    #[test]
    fn a_long_paste_is_viewed_quickly() {
        let long = "字".repeat(20_000);
        let mut scroll = 0;
        let started = std::time::Instant::now();
        let (shown, col) = view(&long, long.len(), &mut scroll, 81);
        assert_eq!((shown.chars().count(), col), (40, 80));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn the_view_keeps_the_cursor_on_screen_counting_two_columns_per_chinese_character() {
        let mut scroll = 0;
        assert_eq!(view("一半的话", 6, &mut scroll, 40), ("一半的话".into(), 4));
        assert_eq!(
            view("一半的话", 12, &mut scroll, 40),
            ("一半的话".into(), 8)
        );
        // Ten characters, twenty columns, in a room of 11: the end is shown, the start scrolled.
        let long = "一二三四五六七八九十";
        let (shown, col) = view(long, long.len(), &mut scroll, 11);
        assert_eq!((shown.as_str(), col), ("六七八九十", 10));
        // Home brings the start back.
        let (shown, col) = view(long, 0, &mut scroll, 11);
        assert_eq!((shown.as_str(), col), ("一二三四五", 0));
        // Invisible characters are drawn escaped, and counted as drawn.
        scroll = 0;
        assert_eq!(
            view("a\u{202e}b", 4, &mut scroll, 40),
            ("a\\u{202e}b".into(), 9)
        );
    }
}
