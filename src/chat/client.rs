//! The chat client: two processes, as in the homework.
//!
//! 1. One process connects and enters with a name (asking again, in a terminal, if it is taken).
//! 2. It forks. The **child** reads stdin line by line and sends each line as `SAY text` (`/who`
//!    asks for the members, `/help` lists the commands); on `quit`, `/quit`, `退出` or end of input
//!    (Ctrl-D) it sends `QUIT` and exits. The **parent** reads the socket and prints
//!    every event, in the language of this client.
//! 3. The parent stops when the socket closes. After our own `QUIT` the server answers `BYE` and
//!    closes: the parent reaps the child and exits 0. Any other close means the server went away:
//!    the parent says so, stops the child (SIGTERM), reaps it, and exits 1.
//!
//! Both processes share one TCP socket (fork copies the descriptor table): one only reads it, the
//! other only writes it. Blocking I/O is enough for each, so the client needs no async runtime.
//!
//! No zombie, no orphan: the parent always waits for the child ([`Child`] kills and reaps on every
//! other path, Ctrl-C included, via [`interrupt`]); the child asks the kernel for SIGTERM if the
//! parent dies first (`PR_SET_PDEATHSIG`).
//!
//! # On a terminal: one process draws
//! When stdin and stdout are both a terminal, a person is typing, and the client behaves like a
//! chat program: a prompt (`alice> `), the line being typed never lost when a message arrives,
//! the editing keys people expect, `/help`. The two processes stay, with one more channel between
//! them, created before the fork: a socket pair, parent -> child. The child puts the terminal in
//! raw mode, keeps the edit buffer ([`super::editor`]) and is the only process that writes to the
//! terminal; the parent turns each event into rows (laid out, coloured) and hands them over the
//! pair; the child prints them above the input line and redraws it ([`super::terminal`] explains
//! why one writer and not "print, then tell the child to redraw"). The parent saved the terminal's
//! settings before the fork and puts them back once it has reaped the child, whatever killed it.
//!
//! With stdin or stdout in a pipe (a script, a test) nothing of this happens: the child reads
//! lines, the parent prints lines, exactly as the homework's client does.
//!
//! # Terminal safety
//! Every text from another user goes through [`protocol::escape_for_terminal`] before it is
//! printed, so nobody can send colours, cursor moves or a fake prompt. On a terminal the client
//! lays long lines out itself ([`lay_out`]), so typed blanks cannot push text onto a row of its
//! own that looks like an event; names get a colour from a hash of the name and the
//! administrator's lines are bold, styles no member's text can produce (when colour is on:
//! `NO_COLOR` and `TERM=dumb` turn it off, see [`crate::output::color_enabled`]).

use std::io::{self, IsTerminal, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;

use super::protocol::{
    self, ClientCommand, ErrorCode, Frame, LineFramer, MAX_LINE, MAX_TEXT, ServerEvent,
};
use super::terminal::{self, Console, Event, RestoreOnDrop, SavedTerminal};
use crate::child::{Child, ChildError, die_with_parent, fork_child, interrupt};
use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, chat as msg};

/// Exit code when the name is refused and we cannot ask again (stdin is not a terminal).
pub const EXIT_NAME_REFUSED: u8 = 2;

/// Exit code when the server goes away (or refuses us) before we quit.
pub const EXIT_SERVER_GONE: u8 = 1;

/// What `toolkit chat client` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub addr: String,
    /// The name to enter with (asked for when `None`).
    pub name: Option<String>,
    pub explain: bool,
    /// Put the local time (`HH:MM `) before every line shown.
    pub timestamps: bool,
}

/// `toolkit chat client`.
pub fn run(args: Options, lang: Lang) -> CmdResult {
    let stream = TcpStream::connect(&args.addr)
        .map_err(|e| Failure::new(1, msg::connect_failed(lang, &args.addr, &e)))?;
    let _ = stream.set_nodelay(true);
    let mut events = EventReader::new(stream.try_clone()?);

    match events.next_event_within(ANSWER_TIMEOUT) {
        Ok(Some(ServerEvent::Hello { .. })) => {}
        Ok(Some(ServerEvent::Err {
            code: ErrorCode::ServerFull,
            ..
        })) => return Err(Failure::new(EXIT_SERVER_GONE, msg::server_full_exit(lang)).into()),
        Ok(Some(ServerEvent::Err {
            code: code @ ErrorCode::TooManyConnections,
            reason,
        })) => return Err(Failure::new(EXIT_SERVER_GONE, refusal(lang, code, "", &reason)).into()),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e.into()),
        _ => return Err(Failure::new(1, msg::not_a_chat_server(lang, &args.addr)).into()),
    }

    let name = enter(&stream, &mut events, args.name.clone(), lang)?;
    // Who is here already: the answer is printed like any event once the room starts.
    let _ = (&stream).write_all(protocol::encode_client(&ClientCommand::Who).as_bytes());
    let mut out = io::stdout();
    let _ = writeln!(
        out,
        "{}",
        msg::welcome(lang, &protocol::escape_for_terminal(&name))
    );

    // A person at a terminal gets the line editor: the child owns the terminal and draws, the
    // parent hands it the rows to show over a socket pair made before the fork (see
    // `super::terminal`). Anything else (a script, a test, a pipe) gets plain lines as before.
    let (saved, mut screen, child_rows) = match console_pair()? {
        Some((saved, parent_end, child_end)) => {
            (Some(saved), Screen::Console(parent_end), Some(child_end))
        }
        None => (None, Screen::Plain, None),
    };
    let paint = crate::output::Paint::for_stdout();
    let shown_name = protocol::escape_for_terminal(&name);
    let prompt = Prompt {
        width: crate::output::display_width(&shown_name) + PROMPT_END.len(),
        text: format!("{}{PROMPT_END}", paint.by_name(&name, &shown_name)),
    };

    // Fork: the child sends, the parent receives. The child gets its own handle on the socket
    // (dropped unused in the parent when the closure is dropped).
    let sender_socket = stream.try_clone()?;
    let receiver_pid = nix::unistd::getpid();
    let parent_end = screen.raw_fd();
    // Before the fork, with the settings saved before anything changed them: dropped last, after
    // the child has been reaped, so the terminal gets its settings back even if the child was
    // killed (SIGKILL) in raw mode.
    let _restore = saved.clone().map(RestoreOnDrop);
    let child = fork_child(move || match (saved, child_rows) {
        (Some(saved), Some(rows)) => {
            // The parent's end stays with the parent: if the child kept a copy, the pair would
            // never report the parent gone.
            if let Some(fd) = parent_end {
                let _ = nix::unistd::close(fd);
            }
            edit_loop(sender_socket, receiver_pid, lang, saved, rows, prompt)
        }
        _ => send_loop(sender_socket, receiver_pid, lang),
    })
    .map_err(|e| Failure::new(1, msg::fork_failed(lang, &e)))?;
    interrupt::install();
    if args.explain {
        let ppid = nix::unistd::getppid().as_raw();
        let line = msg::explain_client(lang, std::process::id(), ppid, child.pid_i32());
        let _ = screen.show(&line.lines().map(str::to_string).collect::<Vec<_>>(), false);
    }
    let view = View {
        lang,
        paint,
        timestamps: args.timestamps,
    };
    receive_loop(events, child, screen, &name, view)
}

/// When stdin and stdout are a terminal: its settings as they are now, and a socket pair, one-way
/// from the parent's end (first) to the child's; `None` otherwise.
fn console_pair() -> io::Result<Option<(SavedTerminal, UnixStream, UnixStream)>> {
    if !(io::stdin().is_terminal() && io::stdout().is_terminal()) {
        return Ok(None);
    }
    let Some(saved) = SavedTerminal::save() else {
        return Ok(None);
    };
    let (parent_end, child_end) = UnixStream::pair()?;
    parent_end.shutdown(Shutdown::Read)?;
    child_end.shutdown(Shutdown::Write)?;
    // A child that stops reading (stopped from elsewhere) must not stop the parent for good.
    parent_end.set_write_timeout(Some(terminal::HAND_OVER_TIMEOUT))?;
    Ok(Some((saved, parent_end, child_end)))
}

/// What ends the prompt after the user's name (`alice> `).
const PROMPT_END: &str = "> ";

/// The prompt drawn before the line being typed: styled text, and its width in columns.
struct Prompt {
    text: String,
    width: usize,
}

/// Send `NAME` until the server welcomes us. Returns the accepted name.
fn enter(
    stream: &TcpStream,
    events: &mut EventReader,
    mut given: Option<String>,
    lang: Lang,
) -> Result<String, anyhow::Error> {
    let interactive = io::stdin().is_terminal();
    let mut writer = stream;
    loop {
        let name = match given.take() {
            Some(n) => n,
            None => ask_name(interactive, lang)?,
        };
        let refused = match protocol::validate_name(&name) {
            Err(e) => Some(refusal(lang, e.code(), &name, &e.reason())),
            Ok(()) => {
                writer.write_all(
                    protocol::encode_client(&ClientCommand::Name(name.clone())).as_bytes(),
                )?;
                loop {
                    let event = match events.next_event_within(ANSWER_TIMEOUT) {
                        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                            return Err(Failure::new(EXIT_SERVER_GONE, msg::no_answer(lang)).into());
                        }
                        other => other?,
                    };
                    match event {
                        Some(ServerEvent::Welcome { name }) => return Ok(name),
                        Some(ServerEvent::Err { code, reason }) if code.is_name_refusal() => {
                            break Some(refusal(lang, code, &name, &reason));
                        }
                        Some(ServerEvent::Err { code, reason }) => {
                            return Err(Failure::new(
                                EXIT_SERVER_GONE,
                                refusal(lang, code, &name, &reason),
                            )
                            .into());
                        }
                        Some(_) => continue,
                        None => {
                            return Err(
                                Failure::new(EXIT_SERVER_GONE, msg::server_gone(lang)).into()
                            );
                        }
                    }
                }
            }
        };
        if let Some(refusal) = refused {
            let refusal = protocol::escape_for_terminal(&refusal);
            if interactive {
                eprintln!("{refusal}");
                continue;
            }
            return Err(
                Failure::new(EXIT_NAME_REFUSED, msg::name_refused_exit(lang, &refusal)).into(),
            );
        }
    }
}

/// Read a name from stdin (prompting on a terminal).
fn ask_name(interactive: bool, lang: Lang) -> Result<String, anyhow::Error> {
    if interactive {
        print!("{}", msg::name_prompt(lang));
        let _ = io::stdout().flush();
    }
    let mut line = String::new();
    // `Stdin` buffers; whatever it read past this line is copied into the child by fork and is
    // read there, so no typed line is lost.
    if io::stdin().read_line(&mut line)? == 0 {
        return Err(Failure::new(EXIT_NAME_REFUSED, msg::no_name(lang)).into());
    }
    Ok(line.trim().to_string())
}

/// The child: stdin to `SAY` lines, then `QUIT`. Returns its exit code.
fn send_loop(mut socket: TcpStream, parent: nix::unistd::Pid, lang: Lang) -> i32 {
    if !die_with_parent(parent, Signal::SIGTERM) {
        // The receiver died before the request above took effect.
        return 1;
    }
    let mut input = io::stdin().lock();
    // A line is kept whole only up to a bound (a paste without a newline cannot fill memory);
    // past it, the line is refused with a note, as one too long to send.
    let mut lines = LineFramer::new(MAX_TYPED_LINE);
    let mut end_of_input = false;
    'typing: loop {
        while let Some(frame) = lines.next_frame() {
            let Frame::Line(raw) = frame else {
                eprintln!("{}", msg::too_long_local(lang, MAX_TEXT));
                continue;
            };
            let text = String::from_utf8_lossy(raw);
            let text = text.trim_end_matches('\r');
            if is_leave_command(text) {
                break 'typing;
            }
            if text.trim() == "/who" {
                if socket
                    .write_all(protocol::encode_client(&ClientCommand::Who).as_bytes())
                    .is_err()
                {
                    return 1;
                }
                continue;
            }
            if text.trim() == "/help" {
                let mut out = io::stdout().lock();
                for row in msg::help(lang, false) {
                    let _ = writeln!(out, "{row}");
                }
                let _ = out.flush();
                continue;
            }
            if text.trim().is_empty() {
                continue;
            }
            if text.len() > MAX_TEXT {
                eprintln!("{}", msg::too_long_local(lang, MAX_TEXT));
                continue;
            }
            let line = protocol::encode_client(&ClientCommand::Say(text.to_string()));
            if socket.write_all(line.as_bytes()).is_err() {
                // The server is gone; the parent reports it.
                return 1;
            }
        }
        if end_of_input {
            break;
        }
        match input.read(lines.spare(4096)) {
            Ok(0) => {
                // A last line without its newline is sent too.
                end_of_input = true;
                if lines.pending() > 0 {
                    lines.push(b"\n");
                }
            }
            Ok(n) => lines.commit(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    let _ = socket.write_all(protocol::encode_client(&ClientCommand::Quit).as_bytes());
    0
}

/// The child on a terminal: the line editor ([`Console`]) instead of stdin lines. It sends what
/// is entered, as [`send_loop`] does, and prints the rows the parent hands over on `rows` above the
/// line being typed. Returns its exit code, the terminal restored.
fn edit_loop(
    mut socket: TcpStream,
    parent: nix::unistd::Pid,
    lang: Lang,
    saved: SavedTerminal,
    rows: UnixStream,
    prompt: Prompt,
) -> i32 {
    if !die_with_parent(parent, Signal::SIGTERM) {
        return 1;
    }
    // SIGTERM (the parent's "the server is gone", or the kernel's when the parent died) must not
    // kill us in raw mode: it sets a flag, the console sees it and restores the terminal.
    interrupt::install();
    let Ok(mut console) = Console::start(saved, prompt.text, prompt.width, Some(rows), true) else {
        return send_loop(socket, parent, lang);
    };
    let mut send = |command: &ClientCommand| {
        socket
            .write_all(protocol::encode_client(command).as_bytes())
            .is_ok()
    };
    loop {
        match console.next_event() {
            Event::Line(text) => {
                if is_leave_command(&text) {
                    break;
                }
                match text.trim() {
                    "" => {}
                    "/who" => {
                        if !send(&ClientCommand::Who) {
                            return 1;
                        }
                    }
                    "/help" => console.print_above(&msg::help(lang, true)),
                    _ if text.len() > MAX_TEXT => {
                        console.print_above(&[msg::too_long_local(lang, MAX_TEXT)]);
                    }
                    _ => {
                        if !send(&ClientCommand::Say(text)) {
                            return 1;
                        }
                    }
                }
            }
            // Ctrl-D on an empty line and Ctrl-C leave, like `quit`.
            Event::EndOfInput | Event::Interrupt => break,
            // The parent is gone or tells us to stop: it reports why.
            Event::Closed | Event::Signal(_) => return 0,
            // The keyboard is gone (the terminal hung up): leave, as at the end of piped input.
            Event::Failed => break,
        }
    }
    let _ = send(&ClientCommand::Quit);
    0
}

/// What a user types to leave: `quit` (any case), `/quit`, or the course's own word `退出`.
pub fn is_leave_command(text: &str) -> bool {
    let word = text.trim();
    word.eq_ignore_ascii_case("quit") || word.eq_ignore_ascii_case("/quit") || word == "退出"
}

/// Where the parent shows what arrives.
enum Screen {
    /// Straight to stdout and stderr (a pipe, a script, or a terminal nobody types into).
    Plain,
    /// Through the socket pair to the child, which owns the terminal (see [`super::terminal`]).
    Console(UnixStream),
}

impl Screen {
    /// The descriptor of the parent's end of the pair, for the child to close.
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match self {
            Screen::Plain => None,
            Screen::Console(pair) => Some(pair.as_raw_fd()),
        }
    }

    /// Show `rows`; an error means nobody reads them any more.
    fn show(&mut self, rows: &[String], to_stderr: bool) -> io::Result<()> {
        match self {
            Screen::Console(pair) => terminal::hand_over(pair, rows),
            Screen::Plain => {
                let mut text = rows.join("\n");
                text.push('\n');
                if to_stderr {
                    io::stderr().write_all(text.as_bytes())
                } else {
                    io::stdout().write_all(text.as_bytes())
                }
            }
        }
    }
}

/// How the parent turns events into rows.
struct View {
    lang: Lang,
    paint: crate::output::Paint,
    timestamps: bool,
}

impl View {
    /// The rows for one event (none for the protocol's own), and whether it is a notice.
    ///
    /// On a terminal the client lays long lines out itself (see [`lay_out`]), names are shown in
    /// their colour and the administrator's lines in bold when colour is on: text a member typed
    /// can never look like either (their escapes are shown as text). In a pipe a line is one row,
    /// as the homework prints it.
    fn rows(&self, event: &ServerEvent, tty: bool) -> Option<(Vec<String>, bool)> {
        let (line, to_stderr) = display(event, self.lang)?;
        let stamp = if self.timestamps && !matches!(event, ServerEvent::History { .. }) {
            chrono::Local::now().format("%H:%M ").to_string()
        } else {
            String::new()
        };
        let line = format!("{stamp}{line}");
        if !tty {
            return Some((vec![line], to_stderr));
        }
        let mut rows = lay_out(&line, terminal::columns());
        match event {
            ServerEvent::Admin { .. } => {
                for row in &mut rows {
                    *row = self.paint.bold(row);
                }
            }
            ServerEvent::Joined { name }
            | ServerEvent::Msg { name, .. }
            | ServerEvent::Left { name } => {
                let shown = protocol::escape_for_terminal(name);
                if let Some(rest) = rows[0]
                    .strip_prefix(&stamp)
                    .and_then(|r| r.strip_prefix(&shown))
                {
                    rows[0] = format!("{stamp}{}{rest}", self.paint.by_name(name, &shown));
                }
            }
            _ => {}
        }
        Some((rows, to_stderr))
    }
}

/// The parent: print events until the socket closes, then reap the child.
fn receive_loop(
    mut events: EventReader,
    mut child: Child,
    mut screen: Screen,
    name: &str,
    view: View,
) -> CmdResult {
    let lang = view.lang;
    let tty = io::stdout().is_terminal();
    let mut said_bye = false;
    let mut closing = false;
    // When the child left on the user's word (it sent QUIT and exited 0), the server's BYE is on
    // its way: wait for it, but not forever.
    let mut left_at: Option<Instant> = None;
    loop {
        let event = match events.next() {
            Ok(Some(Incoming::Event(e))) => e,
            Ok(Some(Incoming::Quiet)) => {
                // The sender may have died (killed, or its stdin gone bad): without it nothing the
                // user types is sent, so say so and leave rather than go on printing.
                match child.try_wait() {
                    Ok(Some(WaitStatus::Exited(_, 0))) => {
                        let since = *left_at.get_or_insert_with(Instant::now);
                        if since.elapsed() > ANSWER_TIMEOUT {
                            break;
                        }
                    }
                    Ok(Some(_)) => {
                        let _ = events
                            .stream
                            .write_all(protocol::encode_client(&ClientCommand::Quit).as_bytes());
                        return Err(Failure::new(
                            EXIT_SERVER_GONE,
                            msg::sender_died(lang, child.pid_i32()),
                        )
                        .into());
                    }
                    _ => {}
                }
                continue;
            }
            Ok(Some(Incoming::TooLong)) => {
                let note = msg::notice(lang, &msg::line_dropped(lang, MAX_LINE));
                let _ = screen.show(&[note], true);
                continue;
            }
            Ok(None) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                if let Some(sig) = interrupt::pending() {
                    child.kill_and_reap();
                    return Err(ChildError::Interrupted(sig).into());
                }
                continue;
            }
            Err(_) => break,
        };
        match event {
            ServerEvent::Bye => said_bye = true,
            ServerEvent::Closing => closing = true,
            other => {
                let Some((rows, to_stderr)) = view.rows(&other, tty) else {
                    continue;
                };
                let rows = match (&screen, tty) {
                    // A terminal nobody types into: clear the row first, as before the editor.
                    (Screen::Plain, true) => {
                        let mut rows = rows;
                        rows[0] = format!("\r\x1b[2K{}", rows[0]);
                        rows
                    }
                    _ => rows,
                };
                if screen.show(&rows, to_stderr).is_err() {
                    if let Screen::Console(_) = screen {
                        // The child no longer reads: it has left (the BYE follows) or died (the
                        // next quiet moment says so). Nothing more is shown.
                        screen = Screen::Plain;
                        continue;
                    }
                    // Nobody reads our output any more (`| head`): stop quietly, like other
                    // commands do on a closed pipe. Closing the socket tells the server.
                    child.kill_and_reap();
                    return Ok(0);
                }
            }
        }
    }
    if said_bye {
        // After our QUIT the sender has already ended; a BYE nobody asked for finds it still
        // reading the keyboard, and it must not wait for the next line to learn the news.
        if child.try_wait()?.is_none() {
            std::thread::sleep(Duration::from_millis(100));
            if child.try_wait()?.is_none() {
                let _ = child.signal(Signal::SIGTERM);
            }
        }
        child.wait()?;
        eprintln!(
            "{}",
            msg::you_left(lang, &protocol::escape_for_terminal(name))
        );
        return Ok(0);
    }
    let _ = child.signal(Signal::SIGTERM);
    child.wait()?;
    let why = if closing {
        msg::server_closing(lang)
    } else {
        msg::server_gone(lang)
    };
    Err(Failure::new(EXIT_SERVER_GONE, why).into())
}

/// Rows of at most `width` columns for one shown line: the first row starts at column 0, every
/// row after it is indented by [`CONTINUATION`], and runs of blanks are collapsed to one. So no
/// text a member typed can make a row of its own that starts where an event line starts (the
/// "wrap trick": 67 spaces and `管理员说 :...` wrapped by the terminal onto a row of its own).
pub fn lay_out(line: &str, width: usize) -> Vec<String> {
    let mut collapsed = String::with_capacity(line.len());
    let mut blank = false;
    for c in line.chars() {
        if c.is_whitespace() {
            if !blank {
                collapsed.push(' ');
            }
            blank = true;
        } else {
            collapsed.push(c);
            blank = false;
        }
    }
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for c in collapsed.chars() {
        let w = crate::output::display_width(c.encode_utf8(&mut [0; 4]));
        if used + w > width {
            rows.push(std::mem::take(&mut row));
            row.push_str(CONTINUATION);
            used = CONTINUATION.len();
            if c == ' ' {
                continue;
            }
        }
        row.push(c);
        used += w;
    }
    rows.push(row);
    rows
}

/// How continuation rows of a long line begin.
pub const CONTINUATION: &str = "    ";

/// The text shown for an event (escaped for the terminal), and whether it is a notice (stderr).
pub fn display(event: &ServerEvent, lang: Lang) -> Option<(String, bool)> {
    let e = protocol::escape_for_terminal;
    Some(match event {
        ServerEvent::Joined { name } => (msg::joined(lang, &e(name)), false),
        ServerEvent::Msg { name, text } => (msg::says(lang, &e(name), &e(text)), false),
        ServerEvent::Left { name } => (msg::left(lang, &e(name)), false),
        ServerEvent::Admin { text } => (msg::admin_says(lang, &e(text)), false),
        ServerEvent::Members { total, names } => {
            let names: Vec<String> = names.iter().map(|n| e(n)).collect();
            (msg::members(lang, *total, &names), false)
        }
        ServerEvent::Err { code, reason } => (
            msg::notice(lang, &refusal(lang, *code, "", &e(reason))),
            true,
        ),
        ServerEvent::History { at, event } => {
            let (line, notice) = display(event, lang)?;
            let when = chrono::DateTime::from_timestamp(*at, 0)
                .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
                .unwrap_or_default();
            (msg::past(lang, &when, &line), notice)
        }
        ServerEvent::Hello { .. }
        | ServerEvent::Welcome { .. }
        | ServerEvent::Bye
        | ServerEvent::Closing => return None,
    })
}

/// A refusal in the user's words (the catalogue takes the code's wire word and the name limit).
fn refusal(lang: Lang, code: ErrorCode, name: &str, reason: &str) -> String {
    msg::refusal(lang, code.as_str(), name, reason, protocol::MAX_NAME_CHARS)
}

/// Longest line read from the keyboard (a pasted paragraph) before it is refused unread.
const MAX_TYPED_LINE: usize = 64 * 1024;

/// How long the client waits for the server's `HELLO`, and for the answer to `NAME`.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a blocking read waits before it looks at the interrupt flag again.
///
/// A Ctrl-C that lands while the receiver is busy printing sets the flag but interrupts no system
/// call; the next `read` would then block until the server spoke again, possibly forever. With this
/// timeout the flag is seen within a fifth of a second. (Found by a test that sent SIGINT right
/// after the client entered.)
const CHECK_SIGNALS_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Server lines from a blocking socket, bounded by [`MAX_LINE`] (a misbehaving server cannot make
/// the client buffer without limit either).
struct EventReader {
    stream: TcpStream,
    framer: LineFramer,
}

impl EventReader {
    fn new(stream: TcpStream) -> Self {
        let _ = stream.set_read_timeout(Some(CHECK_SIGNALS_EVERY));
        EventReader {
            stream,
            framer: LineFramer::new(MAX_LINE),
        }
    }

    /// The next event this version understands, a quiet moment, or a line too long to be one;
    /// `None` at end of stream.
    fn next(&mut self) -> io::Result<Option<Incoming>> {
        loop {
            while let Some(frame) = self.framer.next_frame() {
                match frame {
                    Frame::Line(raw) => {
                        if let Some(event) =
                            protocol::parse_server_line(&String::from_utf8_lossy(raw))
                        {
                            return Ok(Some(Incoming::Event(event)));
                        }
                    }
                    Frame::TooLong => return Ok(Some(Incoming::TooLong)),
                }
            }
            let n = match self.stream.read(self.framer.spare(MAX_LINE)) {
                Ok(n) => n,
                // The read timeout: see [`CHECK_SIGNALS_EVERY`].
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if interrupt::pending().is_some() {
                        return Err(io::ErrorKind::Interrupted.into());
                    }
                    return Ok(Some(Incoming::Quiet));
                }
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(None);
            }
            self.framer.commit(n);
        }
    }

    /// The next event, waiting at most `limit`: a server that stays silent is not one we can
    /// talk to. A line too long to be an event is skipped here (there is no room to show yet).
    fn next_event_within(&mut self, limit: Duration) -> io::Result<Option<ServerEvent>> {
        let deadline = Instant::now() + limit;
        loop {
            match self.next()? {
                Some(Incoming::Event(event)) => return Ok(Some(event)),
                Some(Incoming::Quiet | Incoming::TooLong) if Instant::now() < deadline => {}
                Some(_) => return Err(io::ErrorKind::TimedOut.into()),
                None => return Ok(None),
            }
        }
    }
}

/// What the server's side of the socket brought.
enum Incoming {
    Event(ServerEvent),
    /// Nothing for a while (the read timeout).
    Quiet,
    /// A line longer than any event: dropped, and said so.
    TooLong,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_typed_text_makes_a_row_that_starts_like_an_event() {
        // The wrap trick of issue 20, on an 80-column terminal.
        let attack = format!("mal 说 ： {}管理员说 :全体同学请立即退出", " ".repeat(67));
        let rows = lay_out(&attack, 80);
        assert_eq!(rows.len(), 1, "{rows:?}");
        let long = format!("mal 说 ： {}管理员说 :全体同学请立即退出", "x".repeat(67));
        let rows = lay_out(&long, 80);
        assert!(rows.len() > 1);
        for row in &rows[1..] {
            assert!(row.starts_with(CONTINUATION), "{row:?}");
        }
        for row in &rows {
            assert!(crate::output::display_width(row) <= 80, "{row:?}");
        }
        // Chinese text wraps by columns, two per character.
        let rows = lay_out(&"字".repeat(50), 40);
        assert_eq!(crate::output::display_width(&rows[0]), 40);
    }

    #[test]
    fn on_a_colour_terminal_names_are_coloured_and_the_administrator_is_bold() {
        let view = View {
            lang: Lang::Zh,
            paint: crate::output::Paint { enabled: true },
            timestamps: false,
        };
        let said = ServerEvent::Msg {
            name: "bob".into(),
            text: "\u{1b}[1m管理员说 :假的".into(),
        };
        let (rows, notice) = view.rows(&said, true).unwrap();
        assert!(!notice);
        let colour = crate::output::NAME_COLOURS[crate::output::name_colour_index("bob")];
        assert_eq!(
            rows,
            vec![format!(
                "\x1b[{colour}mbob\x1b[0m 说 ： \\x1b[1m管理员说 :假的"
            )]
        );
        let admin = ServerEvent::Admin {
            text: "下课".into(),
        };
        assert_eq!(
            view.rows(&admin, true).unwrap().0,
            vec!["\x1b[1m管理员说 :下课\x1b[0m".to_string()]
        );
        // In a pipe: the homework's line, one row, no style, whatever the paint says.
        assert_eq!(
            view.rows(&said, false).unwrap().0,
            vec!["bob 说 ： \\x1b[1m管理员说 :假的".to_string()]
        );
        let stamped = View {
            timestamps: true,
            ..view
        };
        let rows = stamped.rows(&admin, false).unwrap().0;
        assert!(
            rows[0].ends_with(" 管理员说 :下课")
                && rows[0].len() == "HH:MM ".len() + "管理员说 :下课".len(),
            "{rows:?}"
        );
    }

    #[test]
    fn quit_slash_quit_and_the_chinese_word_leave() {
        for word in ["quit", "QUIT", " quit ", "/quit", "退出", " 退出"] {
            assert!(is_leave_command(word), "{word:?}");
        }
        for word in ["quitter", "退出了", "quit now", "", "/who"] {
            assert!(!is_leave_command(word), "{word:?}");
        }
    }

    #[test]
    fn events_are_shown_escaped_in_the_clients_language() {
        let msg = ServerEvent::Msg {
            name: "bob".into(),
            text: "\u{1b}[2Jhi".into(),
        };
        assert_eq!(
            display(&msg, Lang::Zh),
            Some(("bob 说 ： \\x1b[2Jhi".to_string(), false))
        );
        assert_eq!(
            display(&ServerEvent::Left { name: "bob".into() }, Lang::En),
            Some(("bob left the chat".to_string(), false))
        );
        assert_eq!(display(&ServerEvent::Bye, Lang::En), None);
    }
}
