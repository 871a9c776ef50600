//! Borrowing the terminal, and always giving it back.
//!
//! A full-screen program changes two things a shell relies on: *raw mode* (keys arrive one by
//! one, unechoed, and Ctrl-C is a key instead of SIGINT) and the *alternate screen* (a second
//! screen the program draws on, so the shell's scrollback is untouched). Left behind, the shell
//! echoes nothing and ignores Enter until the user types `reset` blind. So every way out restores
//! both:
//!
//! - a normal return, an error, and Ctrl-C (a key in raw mode, so `q`'s path): [`Screen`]'s
//!   `Drop`;
//! - a panic: the hook installed by [`Screen::enter`] restores first, then prints the panic
//!   message on the normal screen where it can be read (unwinding then runs `Drop` too, which is
//!   harmless: restoring twice changes nothing);
//! - SIGTERM, or SIGINT sent by `kill`: [`crate::child::interrupt`] only records the signal; the
//!   signal also interrupts the wait for a key ([`Keyboard`]), so the loop sees it at once and
//!   returns, and `Drop` restores.

use std::io::{self, BufWriter, Stdout};
use std::sync::Once;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};

use super::keys::Key;

/// Restores the terminal when dropped. Made *before* the terminal is changed, so a failure
/// half-way through entering (raw mode on, alternate screen refused) still restores.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// The terminal, in raw mode on the alternate screen, for as long as this lives.
pub struct Screen {
    /// Drawn through a buffer: the many small writes of one redraw leave in one `write`.
    pub terminal: Terminal<CrosstermBackend<BufWriter<Stdout>>>,
    _restore: Restore,
}

impl Screen {
    pub fn enter() -> io::Result<Screen> {
        install_panic_hook();
        let restore = Restore;
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
        let out = BufWriter::with_capacity(1 << 16, io::stdout());
        let terminal = Terminal::new(CrosstermBackend::new(out))?;
        Ok(Screen {
            terminal,
            _restore: restore,
        })
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// What the terminal had to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// The window changed size: draw again.
    Resize,
    Nothing,
}

/// Where keys come from, and how the loop waits for them.
///
/// crossterm's own wait goes back to waiting when a signal interrupts it, so a SIGTERM would only
/// be noticed at its next timeout, and the loop would have to wake up every so often just to
/// look. `poll(2)` on the terminal instead returns at once when a signal arrives (EINTR), so the
/// loop sleeps until the next refresh or the next key, and still sees SIGTERM the moment it comes.
pub struct Keyboard {
    /// The controlling terminal, which crossterm reads too; `None` if it cannot be opened (then
    /// crossterm's wait is used, in slices of at most [`Keyboard::SLICE`]).
    tty: Option<std::fs::File>,
}

impl Keyboard {
    /// The longest wait without looking at the signal flag, when `poll(2)` cannot be used.
    pub const SLICE: Duration = Duration::from_millis(250);

    pub fn open() -> Keyboard {
        Keyboard {
            tty: std::fs::File::open("/dev/tty").ok(),
        }
    }

    /// Wait at most `timeout` for a key or a resize; `Nothing` also when a signal arrived.
    pub fn next_input(&self, timeout: Duration) -> io::Result<Input> {
        let Some(tty) = &self.tty else {
            return crossterm_input(timeout.min(Self::SLICE));
        };
        // Keys crossterm has already read (several can come in one read) are not on the fd.
        if event::poll(Duration::ZERO)? {
            return crossterm_input(Duration::ZERO);
        }
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::os::fd::AsFd;
        let wait = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(tty.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, wait) {
            Ok(0) => Ok(Input::Nothing),
            // A key, or a signal (SIGWINCH for a resize lands in crossterm's own queue).
            Ok(_) | Err(nix::errno::Errno::EINTR) => crossterm_input(Duration::ZERO),
            Err(e) => Err(io::Error::from(e)),
        }
    }
}

/// Wait at most `timeout` for crossterm to deliver a key or a resize.
fn crossterm_input(timeout: Duration) -> io::Result<Input> {
    match event::poll(timeout) {
        Ok(true) => {}
        Ok(false) => return Ok(Input::Nothing),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(Input::Nothing),
        Err(e) => return Err(e),
    }
    let event = match event::read() {
        Ok(event) => event,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(Input::Nothing),
        Err(e) => return Err(e),
    };
    Ok(match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => match k.code {
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                Input::Key(Key::Interrupt)
            }
            KeyCode::Char(c) => Input::Key(Key::Char(c)),
            KeyCode::Enter => Input::Key(Key::Enter),
            KeyCode::Esc => Input::Key(Key::Esc),
            KeyCode::Backspace => Input::Key(Key::Backspace),
            _ => Input::Nothing,
        },
        Event::Resize(..) => Input::Resize,
        _ => Input::Nothing,
    })
}
