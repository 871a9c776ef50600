//! The chat's terminal, when a person sits at it: one process owns the keyboard *and* the screen,
//! and the other process hands it the lines to show.
//!
//! # The problem
//! The client is two processes (see [`super::client`]): the child reads the keyboard, the parent
//! prints what arrives. In the terminal's ordinary (canonical) mode the half-typed line lives in
//! the kernel's line buffer, where no process can see it; when the parent prints a line, the
//! half-typed text vanishes from the screen although it is still there, and is sent. The server's
//! console has the same trouble: the server logs joins onto the administrator's half-typed line.
//!
//! # The mechanism: a socket pair, and one process that draws
//! Before `fork()`, the parent saves the terminal's settings ([`SavedTerminal`]) and creates a
//! connected pair of Unix sockets. After the fork:
//! - the **child** puts the terminal in raw mode and keeps the edit buffer ([`super::editor`]): it
//!   is the only process that draws. It waits on two descriptors at once (`poll`): the keyboard and
//!   its end of the pair. A key edits the line and the line is redrawn; a line from the pair is
//!   printed *above* the input line, and the prompt with the half-typed text is drawn again, the
//!   cursor where it was ([`Console`]).
//! - the **parent** never writes to the terminal while the child lives: it writes each row it
//!   wants shown, already laid out and styled, as one `\n`-ended line into its end of the pair.
//!
//! Why this and not "the parent prints, then tells the child to redraw": two processes writing to
//! one terminal race, byte against byte (a key echoed in the middle of an incoming line); with one
//! writer there is nothing to coordinate but the order of lines. Why a socket pair and not a pipe:
//! the same reason as the admin channel ([`super::admin`]): nobody else can reopen it through
//! `/proc`. The pair is one-way (parent to child) as a pipe would be.
//!
//! # Restoring the terminal
//! Raw mode is a setting of the terminal, not of a process: if the process that set it dies without
//! undoing it, the shell is left without echo. So both processes know the saved settings. The child
//! restores them on every way it ends by itself (Enter on `quit`, Ctrl-D, Ctrl-C, SIGTERM, the
//! other end of the pair gone); the parent, which saved them before the fork, restores them again
//! once it has reaped the child ([`RestoreOnDrop`]), which covers a child killed with SIGKILL.
//! Ctrl-C in raw mode is a byte like any other (no SIGINT is generated): the editor reads it as
//! "leave".

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::termios::{self, InputFlags, LocalFlags, SetArg, SpecialCharacterIndices, Termios};
use std::sync::atomic::{AtomicBool, Ordering};

use super::editor::{Edit, Key, KeyDecoder, LineEditor, view};
use crate::child::interrupt;
use crate::lines::{Frame, LineFramer};

/// The terminal's settings before the chat changed them.
#[derive(Clone)]
pub struct SavedTerminal {
    termios: Termios,
}

impl SavedTerminal {
    /// The settings of the terminal on stdin, or `None` if stdin is not a terminal.
    pub fn save() -> Option<SavedTerminal> {
        termios::tcgetattr(io::stdin().as_fd())
            .ok()
            .map(|termios| SavedTerminal { termios })
    }

    /// Put the settings back (after the output already written has been sent).
    pub fn restore(&self) {
        let _ = termios::tcsetattr(io::stdin().as_fd(), SetArg::TCSADRAIN, &self.termios);
    }

    /// Raw input: no line buffering, no echo, no signals from Ctrl-C / Ctrl-Z, no flow control,
    /// Enter as `\r`. Output processing stays on, so `\n` still starts a new line at column 0.
    fn enter_raw(&self) -> io::Result<()> {
        let mut raw = self.termios.clone();
        raw.local_flags &=
            !(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG | LocalFlags::IEXTEN);
        raw.input_flags &= !(InputFlags::IXON
            | InputFlags::ICRNL
            | InputFlags::INLCR
            | InputFlags::IGNCR
            | InputFlags::BRKINT
            | InputFlags::ISTRIP);
        raw.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        raw.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        termios::tcsetattr(io::stdin().as_fd(), SetArg::TCSADRAIN, &raw).map_err(io::Error::from)
    }
}

/// In the process that saved the settings: put them back when dropped, and leave the cursor at the
/// start of a clean row (a killed child may have left its prompt there).
pub struct RestoreOnDrop(pub SavedTerminal);

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        self.0.restore();
        let mut out = io::stdout().lock();
        let _ = out.write_all(b"\r\x1b[2K");
        let _ = out.flush();
    }
}

/// Set by SIGWINCH: the terminal changed size, draw the line again.
static RESIZED: AtomicBool = AtomicBool::new(false);

extern "C" fn note_resize(_: libc::c_int) {
    RESIZED.store(true, Ordering::SeqCst);
}

/// Redraw on SIGWINCH: the handler only sets [`RESIZED`]; without `SA_RESTART` the `poll` returns
/// EINTR and the loop draws.
fn watch_resizes() {
    let action = SigAction::new(
        SigHandler::Handler(note_resize),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: `note_resize` is async-signal-safe: one atomic store.
    let _ = unsafe { sigaction(Signal::SIGWINCH, &action) };
}

/// Columns of the terminal (80 when it cannot be asked, at least 20).
pub fn columns() -> usize {
    ratatui::crossterm::terminal::size().map_or(80, |(columns, _)| usize::from(columns.max(20)))
}

/// Why [`Console::next_event`] returned something other than a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// Enter: a line the user typed.
    Line(String),
    /// Ctrl-D on an empty line.
    EndOfInput,
    /// Ctrl-C (a byte in raw mode).
    Interrupt,
    /// The other process closed its end of the pair.
    Closed,
    /// SIGTERM or SIGINT arrived (the other process, or the kernel when it died).
    Signal(Signal),
    /// The keyboard is gone (the terminal hung up) or could not be read.
    Failed,
}

/// Longest line the console keeps (a paste without a newline cannot fill memory).
const MAX_TYPED: usize = 64 * 1024;

/// Longest row the other process may hand over; anything longer is not one of ours.
const MAX_ROW: usize = 64 * 1024;

/// How often the loop looks at the signal flag even if no descriptor woke it.
const CHECK_SIGNALS_EVERY: u16 = 200;

/// The input line at the bottom of the terminal, and the rows printed above it.
pub struct Console {
    saved: SavedTerminal,
    prompt: String,
    prompt_width: usize,
    /// Leave the entered line on the screen (the client: nobody echoes our own lines back) or
    /// clear it (the server's console: the server logs what the administrator said).
    keep_entered: bool,
    editor: LineEditor,
    decoder: KeyDecoder,
    keys: std::collections::VecDeque<Key>,
    scroll: usize,
    above: Option<UnixStream>,
    rows: LineFramer,
    dirty: bool,
    /// The cursor's column after the last draw.
    cursor_col: usize,
    finished: bool,
}

impl Console {
    /// Raw mode on, the prompt drawn. `prompt` may carry colour; `prompt_width` is its width in
    /// columns. Rows to print arrive on `above`.
    pub fn start(
        saved: SavedTerminal,
        prompt: String,
        prompt_width: usize,
        above: Option<UnixStream>,
        keep_entered: bool,
    ) -> io::Result<Console> {
        saved.enter_raw()?;
        watch_resizes();
        let mut console = Console {
            saved,
            prompt,
            prompt_width,
            keep_entered,
            editor: LineEditor::new(MAX_TYPED),
            decoder: KeyDecoder::new(),
            keys: Default::default(),
            scroll: 0,
            above,
            rows: LineFramer::new(MAX_ROW),
            dirty: true,
            cursor_col: 0,
            finished: false,
        };
        console.draw();
        Ok(console)
    }

    /// Wait for the next line typed (showing every row that arrives meanwhile), or for the end.
    pub fn next_event(&mut self) -> Event {
        loop {
            while let Some(key) = self.keys.pop_front() {
                match self.editor.apply(&key) {
                    Edit::Changed => self.dirty = true,
                    Edit::Nothing => {}
                    Edit::Entered(line) => {
                        self.entered(&line);
                        return Event::Line(line);
                    }
                    Edit::Leave if key == Key::Interrupt => return Event::Interrupt,
                    Edit::Leave => return Event::EndOfInput,
                }
            }
            if RESIZED.swap(false, Ordering::SeqCst) {
                self.resized();
            }
            if self.dirty {
                self.draw();
            }
            if let Some(sig) = interrupt::pending() {
                return Event::Signal(sig);
            }
            let (keyboard, rows) = match self.wait() {
                Ok(ready) => ready,
                Err(Errno::EINTR) => continue,
                Err(_) => return Event::Failed,
            };
            if rows && let Some(ended) = self.read_rows() {
                return ended;
            }
            if keyboard {
                let mut buf = [0u8; 4096];
                match nix::unistd::read(io::stdin().as_fd(), &mut buf) {
                    Ok(0) => return Event::Failed,
                    Ok(n) => {
                        let keys = self.decoder.feed(&buf[..n]);
                        self.keys.extend(keys);
                    }
                    Err(Errno::EINTR | Errno::EAGAIN) => {}
                    Err(_) => return Event::Failed,
                }
            }
        }
    }

    /// Poll the keyboard and the pair; which of them is readable.
    fn wait(&self) -> Result<(bool, bool), Errno> {
        let stdin = io::stdin();
        let mut fds = vec![PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
        if let Some(above) = &self.above {
            fds.push(PollFd::new(above.as_fd(), PollFlags::POLLIN));
        }
        poll(&mut fds, PollTimeout::from(CHECK_SIGNALS_EVERY))?;
        let ready = |fd: &PollFd| {
            fd.revents().is_some_and(|r| {
                r.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR)
            })
        };
        Ok((ready(&fds[0]), fds.get(1).is_some_and(ready)))
    }

    /// Read what the other process sent and print every complete row; `Some` when it has gone.
    fn read_rows(&mut self) -> Option<Event> {
        let above = self.above.as_mut()?;
        match above.read(self.rows.spare(4096)) {
            Ok(0) | Err(_) => {
                self.above = None;
                return Some(Event::Closed);
            }
            Ok(n) => self.rows.commit(n),
        }
        let mut shown = Vec::new();
        while let Some(frame) = self.rows.next_frame() {
            if let Frame::Line(row) = frame {
                shown.push(String::from_utf8_lossy(row).into_owned());
            }
        }
        self.print_above(&shown);
        None
    }

    /// Print `rows` above the input line, then draw the input line again.
    pub fn print_above<S: AsRef<str>>(&mut self, rows: &[S]) {
        if rows.is_empty() {
            return;
        }
        let mut out = String::from("\r\x1b[2K");
        for row in rows {
            out.push_str(row.as_ref());
            out.push_str("\x1b[0m\r\n");
        }
        // One write: the terminal never shows the rows without the input line under them.
        out.push_str(&self.render());
        self.write(&out);
    }

    /// The line the user just entered: left on the screen (or cleared), and a fresh prompt.
    fn entered(&mut self, line: &str) {
        self.scroll = 0;
        if self.keep_entered {
            let shown = super::protocol::escape_for_terminal(line);
            let mut out = format!("\r\x1b[2K{}{shown}\r\n", self.prompt);
            out.push_str(&self.render());
            self.write(&out);
        } else {
            self.dirty = true;
        }
    }

    /// The terminal changed size. A narrower terminal that rewraps its rows (tmux, most terminal
    /// emulators) has folded the input line drawn for the old width onto several rows, the cursor
    /// on one of them: go up to the first of those rows, and the next draw, which clears
    /// everything below it, leaves no piece of the old line behind.
    fn resized(&mut self) {
        let up = self.cursor_col / columns();
        if up > 0 {
            self.write(&format!("\x1b[{up}A"));
        }
        self.dirty = true;
    }

    /// Draw the prompt and the part of the line that fits, and put the cursor where it belongs.
    /// Everything below the input line is cleared: nothing is ever drawn there.
    fn draw(&mut self) {
        let out = self.render();
        self.write(&out);
    }

    /// What [`Console::draw`] writes.
    fn render(&mut self) -> String {
        let room = columns().saturating_sub(self.prompt_width).max(2);
        let (visible, col) = view(
            self.editor.text(),
            self.editor.cursor(),
            &mut self.scroll,
            room,
        );
        let col = self.prompt_width + col;
        self.cursor_col = col;
        let mut out = format!("\r{}{visible}\x1b[J\r", self.prompt);
        if col > 0 {
            out.push_str(&format!("\x1b[{col}C"));
        }
        self.dirty = false;
        out
    }

    fn write(&self, text: &str) {
        let mut out = io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Clear the input line and give the terminal its settings back.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.write("\r\x1b[2K");
        self.saved.restore();
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.finish();
    }
}

/// How long [`hand_over`] waits for a child that does not read before it gives up on a row.
pub const HAND_OVER_TIMEOUT: Duration = Duration::from_secs(5);

/// The other side: send `rows` to the console's process, one `\n`-ended line each, in one write.
pub fn hand_over(pair: &mut UnixStream, rows: &[String]) -> io::Result<()> {
    let mut bytes = Vec::new();
    for row in rows {
        bytes.extend_from_slice(row.as_bytes());
        bytes.push(b'\n');
    }
    pair.write_all(&bytes)
}
