//! The chat protocol: lines to messages and back, names, limits. Pure: no I/O, no tokio, no clap.
//!
//! The full specification, for people who want to talk to the server with `nc`, is in
//! `docs/chat-protocol.md`. In short: one message per line, UTF-8, `\n` ends a line (a `\r` before
//! it is dropped). The first word says what the line is.
//!
//! Design decisions:
//! - **The wire carries events, not sentences.** The server sends `JOINED alice`, never
//!   `alice 进入了聊天室`: the *client* that displays an event picks the language, so a Chinese and
//!   an English user can sit in the same room.
//! - **Simple enough for `nc`.** After `NAME alice`, any line that is not a command is a message, so
//!   a person typing into `nc 127.0.0.1 8888` can chat. Our own client always sends `SAY text`, so a
//!   message that happens to start with `QUIT` is still a message.
//! - **Every limit is a constant here**, so the server, the client and the tests agree on it.
//! - **Framing never buffers without bound.** [`LineFramer`] keeps at most one maximal line; a longer
//!   line is reported as [`Frame::TooLong`] and the rest of it is thrown away as it arrives.

use std::time::{Duration, Instant};

pub use crate::lines::{Frame, LineFramer};

/// Longest line, in bytes, without its `\n`. 4 KiB is far more than anyone types in a chat and
/// small enough that one connection can never make the server hold much memory.
pub const MAX_LINE: usize = 4096;

pub use super::names::{MAX_NAME_CHARS, NameError, validate_name};

/// Longest text a client may put after `SAY ` and still fit in [`MAX_LINE`] as the server's
/// `MSG <name> <text>` (the name can take up to 4 bytes per character).
/// It also leaves room for the `HISTORY <time> ` a late joiner sees in front of it.
pub const MAX_TEXT: usize = MAX_LINE - HISTORY_PREFIX_MAX - "MSG ".len() - MAX_NAME_CHARS * 4 - 1;

/// Longest `HISTORY <unix seconds> ` in front of a past line: the word and a space, an `i64`
/// (up to 19 digits and a sign), a space.
pub const HISTORY_PREFIX_MAX: usize = "HISTORY ".len() + 20 + 1;

/// Protocol version announced in `HELLO`.
pub const VERSION: u32 = 1;

/// What a client sends to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCommand {
    /// `NAME <name>`: enter the room with this name.
    Name(String),
    /// `SAY <text>` (or, once named, any other non-empty line): a message to everyone else.
    Say(String),
    /// `QUIT`: leave the room; the server answers `BYE` and closes.
    Quit,
    /// `WHO`: who is in the room; the server answers with `MEMBERS` lines.
    Who,
    /// An empty line: ignored.
    Empty,
}

/// What the server sends to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// `HELLO toolkit-chat <version>`: sent once, on connect.
    Hello { version: u32 },
    /// `WELCOME <name>`: your name was accepted, you are in the room.
    Welcome { name: String },
    /// `JOINED <name>`: someone else entered.
    Joined { name: String },
    /// `MSG <name> <text>`: someone else said something.
    Msg { name: String, text: String },
    /// `LEFT <name>`: someone else left (quit, disconnected, or was dropped for not reading).
    Left { name: String },
    /// `ADMIN <text>`: the administrator, typing at the server's terminal, said something.
    Admin { text: String },
    /// `ERR <code> <reason>`: something you sent was refused (see [`ErrorCode`]).
    Err { code: ErrorCode, reason: String },
    /// `BYE`: answer to `QUIT`; the server closes the connection next.
    Bye,
    /// `CLOSING`: the server is shutting down; the connection closes next.
    Closing,
    /// `MEMBERS <total> <name>...`: who is in the room (answer to `WHO`), sorted; a long list is
    /// split over several lines, each carrying the total.
    Members { total: usize, names: Vec<String> },
    /// `HISTORY <unix seconds> <MSG or ADMIN line>`: a line said before you entered (`--history`),
    /// sent right after `WELCOME`, oldest first. It is the past: show it as such.
    History { at: i64, event: Box<ServerEvent> },
}

/// The machine-readable part of an `ERR` line. The text after it is for humans using `nc`; our
/// client shows its own translated sentence for the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    NameTaken,
    NameReserved,
    NameInvalid,
    NeedName,
    AlreadyNamed,
    LineTooLong,
    BadUtf8,
    RateLimited,
    ServerFull,
    /// This address already has `--max-per-address` connections open.
    TooManyConnections,
    NameTimeout,
    /// A WebSocket frame that is not one of the page's JSON commands (docs/chat-protocol.md).
    BadCommand,
    /// A code this version does not know (a newer server); kept so the client can still show it.
    Other,
}

impl ErrorCode {
    const ALL: [(ErrorCode, &'static str); 12] = [
        (ErrorCode::NameTaken, "name-taken"),
        (ErrorCode::NameReserved, "name-reserved"),
        (ErrorCode::NameInvalid, "name-invalid"),
        (ErrorCode::NeedName, "need-name"),
        (ErrorCode::AlreadyNamed, "already-named"),
        (ErrorCode::LineTooLong, "line-too-long"),
        (ErrorCode::BadUtf8, "bad-utf8"),
        (ErrorCode::RateLimited, "rate-limited"),
        (ErrorCode::ServerFull, "server-full"),
        (ErrorCode::TooManyConnections, "too-many-connections"),
        (ErrorCode::NameTimeout, "name-timeout"),
        (ErrorCode::BadCommand, "bad-command"),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, s)| *s)
            .unwrap_or("error")
    }

    pub fn parse(word: &str) -> ErrorCode {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == word)
            .map(|(c, _)| *c)
            .unwrap_or(ErrorCode::Other)
    }

    /// True for the refusals of a `NAME`: the client may try another name.
    pub fn is_name_refusal(self) -> bool {
        matches!(
            self,
            ErrorCode::NameTaken | ErrorCode::NameReserved | ErrorCode::NameInvalid
        )
    }
}

/// Parse one line (already without `\n` and `\r`) sent by a client. `named` says whether the
/// connection has entered the room: after that, a line that is not a command is a message.
pub fn parse_client_line(line: &str, named: bool) -> Result<ClientCommand, ErrorCode> {
    let (word, rest) = split_word(line);
    match word {
        "" if rest.is_empty() => Ok(ClientCommand::Empty),
        "NAME" => {
            if named {
                Err(ErrorCode::AlreadyNamed)
            } else {
                Ok(ClientCommand::Name(rest.to_string()))
            }
        }
        "QUIT" if rest.is_empty() => Ok(ClientCommand::Quit),
        "WHO" if named && rest.is_empty() => Ok(ClientCommand::Who),
        "SAY" if named => Ok(ClientCommand::Say(rest.to_string())),
        _ if named => Ok(ClientCommand::Say(line.to_string())),
        _ => Err(ErrorCode::NeedName),
    }
}

/// A client's line the server will not act on: the `ERR` it answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    /// English, for people using `nc`; our client shows its own sentence for the code.
    pub reason: String,
}

impl Refusal {
    fn new(code: ErrorCode, reason: impl Into<String>) -> Self {
        Refusal {
            code,
            reason: reason.into(),
        }
    }

    /// The `ERR` event that tells the client.
    pub fn event(self) -> ServerEvent {
        ServerEvent::Err {
            code: self.code,
            reason: self.reason,
        }
    }
}

/// The server's reader of one connection: bytes in, commands out. Framing (bounded lines), the
/// UTF-8 check and parsing happen here and only here, so the server's session handles nothing but
/// commands and refusals (as the client's reader hands it nothing but events).
#[derive(Debug)]
pub struct CommandReader {
    framer: LineFramer,
}

impl Default for CommandReader {
    fn default() -> Self {
        CommandReader {
            framer: LineFramer::new(MAX_LINE),
        }
    }
}

impl CommandReader {
    /// Bytes read from the socket.
    pub fn push(&mut self, bytes: &[u8]) {
        self.framer.push(bytes);
    }

    /// Bytes of an unfinished line (lost if the connection ends now).
    pub fn pending(&self) -> usize {
        self.framer.pending()
    }

    /// The next complete line as a command, or why it was refused; `None` until more bytes come.
    /// `named`: whether the connection has entered the room (see [`parse_client_line`]).
    pub fn next_command(&mut self, named: bool) -> Option<Result<ClientCommand, Refusal>> {
        let line = match self.framer.next_frame()? {
            Frame::TooLong => {
                return Some(Err(Refusal::new(
                    ErrorCode::LineTooLong,
                    format!("lines are limited to {MAX_LINE} bytes; this one was dropped"),
                )));
            }
            Frame::Line(raw) => match std::str::from_utf8(raw) {
                Ok(line) => line,
                Err(_) => {
                    return Some(Err(Refusal::new(
                        ErrorCode::BadUtf8,
                        "this line is not valid UTF-8 and was dropped",
                    )));
                }
            },
        };
        Some(parse_client_line(line, named).map_err(|code| {
            Refusal::new(
                code,
                match code {
                    ErrorCode::NeedName => "send NAME <yourname> first",
                    ErrorCode::AlreadyNamed => "you already have a name",
                    _ => "refused",
                },
            )
        }))
    }
}

/// The line a client sends for a command (with its `\n`).
pub fn encode_client(cmd: &ClientCommand) -> String {
    match cmd {
        ClientCommand::Name(n) => format!("NAME {n}\n"),
        ClientCommand::Say(t) => format!("SAY {t}\n"),
        ClientCommand::Quit => "QUIT\n".to_string(),
        ClientCommand::Who => "WHO\n".to_string(),
        ClientCommand::Empty => "\n".to_string(),
    }
}

/// The line the server sends for an event (with its `\n`). A broadcast is encoded once and the
/// same bytes are shared by every recipient.
pub fn encode_server(event: &ServerEvent) -> String {
    match event {
        ServerEvent::Hello { version } => format!("HELLO toolkit-chat {version}\n"),
        ServerEvent::Welcome { name } => format!("WELCOME {name}\n"),
        ServerEvent::Joined { name } => format!("JOINED {name}\n"),
        ServerEvent::Msg { name, text } => format!("MSG {name} {text}\n"),
        ServerEvent::Left { name } => format!("LEFT {name}\n"),
        ServerEvent::Admin { text } => format!("ADMIN {text}\n"),
        ServerEvent::Err { code, reason } => format!("ERR {} {reason}\n", code.as_str()),
        ServerEvent::Bye => "BYE\n".to_string(),
        ServerEvent::Closing => "CLOSING\n".to_string(),
        ServerEvent::Members { total, names } => format!("MEMBERS {total} {}\n", names.join(" ")),
        ServerEvent::History { at, event } => format!("HISTORY {at} {}", encode_server(event)),
    }
}

/// The `MEMBERS` lines that list `names` (sorted by the caller), each within [`MAX_LINE`].
pub fn members_lines(names: &[String]) -> Vec<ServerEvent> {
    let total = names.len();
    let room = MAX_LINE - format!("MEMBERS {total} ").len();
    let mut lines = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut used = 0;
    for name in names {
        let cost = name.len() + usize::from(!current.is_empty());
        if !current.is_empty() && used + cost > room {
            lines.push(ServerEvent::Members {
                total,
                names: std::mem::take(&mut current),
            });
            used = 0;
        }
        used += name.len() + usize::from(!current.is_empty());
        current.push(name.clone());
    }
    lines.push(ServerEvent::Members {
        total,
        names: current,
    });
    lines
}

/// Parse one line (without `\n`) sent by the server. `None` for a line this version does not
/// understand (the client ignores it rather than failing).
pub fn parse_server_line(line: &str) -> Option<ServerEvent> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (word, rest) = split_word(line);
    let one_name = || (!rest.is_empty() && !rest.contains(' ')).then(|| rest.to_string());
    match word {
        "HELLO" => {
            let (_, v) = split_word(rest);
            Some(ServerEvent::Hello {
                version: v.parse().ok()?,
            })
        }
        "WELCOME" => Some(ServerEvent::Welcome { name: one_name()? }),
        "JOINED" => Some(ServerEvent::Joined { name: one_name()? }),
        "LEFT" => Some(ServerEvent::Left { name: one_name()? }),
        "MSG" => {
            let (name, text) = split_word(rest);
            (!name.is_empty()).then(|| ServerEvent::Msg {
                name: name.to_string(),
                text: text.to_string(),
            })
        }
        "MEMBERS" => {
            let (total, names) = split_word(rest);
            Some(ServerEvent::Members {
                total: total.parse().ok()?,
                names: names
                    .split(' ')
                    .filter(|n| !n.is_empty())
                    .map(String::from)
                    .collect(),
            })
        }
        "ADMIN" => Some(ServerEvent::Admin {
            text: rest.to_string(),
        }),
        "ERR" => {
            let (code, reason) = split_word(rest);
            Some(ServerEvent::Err {
                code: ErrorCode::parse(code),
                reason: reason.to_string(),
            })
        }
        "HISTORY" => {
            let (at, past) = split_word(rest);
            let at = at.parse().ok()?;
            match parse_server_line(past)? {
                event @ (ServerEvent::Msg { .. } | ServerEvent::Admin { .. }) => {
                    Some(ServerEvent::History {
                        at,
                        event: Box::new(event),
                    })
                }
                _ => None,
            }
        }
        "BYE" => Some(ServerEvent::Bye),
        "CLOSING" => Some(ServerEvent::Closing),
        _ => None,
    }
}

/// Split at the first space: (`"SAY"`, `"hello world"`).
fn split_word(line: &str) -> (&str, &str) {
    match line.split_once(' ') {
        Some((w, rest)) => (w, rest),
        None => (line, ""),
    }
}

/// Combining marks kept on one character when a text is shown; more are dropped ("Zalgo" text
/// stacks hundreds on one letter to paint over the lines around it).
pub const MAX_MARKS_PER_CHAR: usize = 3;

/// Make a text safe to print on a terminal: control characters (including ESC, which starts ANSI
/// escape sequences) and invisible or reordering characters (bidirectional controls, joiners, soft
/// hyphens, variation selectors, tags: [`super::names::is_invisible`]) are shown as visible escapes
/// such as `\x1b` or `\u{202e}`, and combining marks beyond [`MAX_MARKS_PER_CHAR`] on one character
/// are dropped. Everything else, Chinese included, passes unchanged.
pub fn escape_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut marks = 0;
    for c in text.chars() {
        if unicode_normalization::char::is_combining_mark(c) {
            marks += 1;
            if marks > MAX_MARKS_PER_CHAR {
                continue;
            }
        } else {
            marks = 0;
        }
        if c == '\\' {
            out.push_str("\\\\");
        } else if c.is_control() || super::names::is_invisible(c) {
            let n = c as u32;
            if n < 0x100 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A token bucket: up to `burst` messages at once, then `per_second` messages per second.
///
/// The server does not drop a message over the limit; it stops reading from that client until a
/// token is available (TCP then slows the sender down) and tells it once why. Nothing is lost, and
/// one fast sender cannot flood everybody else. Time is a parameter so this is testable without a
/// clock.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    per_second: u32,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// `per_second == 0` turns the limit off.
    pub fn new(per_second: u32, burst: u32, now: Instant) -> Self {
        RateLimiter {
            per_second,
            burst: f64::from(burst.max(1)),
            tokens: f64::from(burst.max(1)),
            last: now,
        }
    }

    /// Take a token for one message: `Ok` if allowed now, else how long to wait before asking again.
    pub fn check(&mut self, now: Instant) -> Result<(), Duration> {
        if self.per_second == 0 {
            return Ok(());
        }
        let rate = f64::from(self.per_second);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's reader: a command per line, a refusal per bad line, nothing for a half line.
    #[test]
    fn the_command_reader_turns_bytes_into_commands_and_refusals() {
        let mut reader = CommandReader::default();
        reader.push(b"hello\nNAME alice\n\xff\xfe\nSAY hi");
        assert_eq!(
            reader.next_command(false).map(|r| r.map_err(|e| e.code)),
            Some(Err(ErrorCode::NeedName))
        );
        assert_eq!(
            reader.next_command(false),
            Some(Ok(ClientCommand::Name("alice".into())))
        );
        assert_eq!(
            reader.next_command(true).map(|r| r.map_err(|e| e.code)),
            Some(Err(ErrorCode::BadUtf8))
        );
        assert_eq!(reader.next_command(true), None);
        reader.push(b"\n");
        assert_eq!(
            reader.next_command(true),
            Some(Ok(ClientCommand::Say("hi".into())))
        );
        reader.push(&vec![b'x'; MAX_LINE + 1]);
        reader.push(b"\nQUIT\n");
        assert_eq!(
            reader.next_command(true).map(|r| r.map_err(|e| e.code)),
            Some(Err(ErrorCode::LineTooLong))
        );
        assert_eq!(reader.next_command(true), Some(Ok(ClientCommand::Quit)));
    }

    /// A past line keeps its event and time; only messages and the administrator's lines can be
    /// past, and the longest message still fits in a line with the prefix in front.
    #[test]
    fn history_lines_round_trip_and_fit() {
        let past = ServerEvent::History {
            at: 1_764_700_000,
            event: Box::new(ServerEvent::Msg {
                name: "alice".into(),
                text: "你好 world".into(),
            }),
        };
        let line = encode_server(&past);
        assert_eq!(line, "HISTORY 1764700000 MSG alice 你好 world\n");
        assert_eq!(parse_server_line(line.trim_end()), Some(past));
        assert_eq!(parse_server_line("HISTORY 1 JOINED bob"), None);
        assert_eq!(parse_server_line("HISTORY soon ADMIN hi"), None);
        let longest = ServerEvent::History {
            at: i64::MIN,
            event: Box::new(ServerEvent::Msg {
                name: "𠀀".repeat(MAX_NAME_CHARS),
                text: "x".repeat(MAX_TEXT),
            }),
        };
        assert_eq!(encode_server(&longest).len(), MAX_LINE + 1);
    }

    #[test]
    fn client_lines_parse_before_and_after_naming() {
        assert_eq!(
            parse_client_line("NAME alice", false),
            Ok(ClientCommand::Name("alice".into()))
        );
        assert_eq!(parse_client_line("hello", false), Err(ErrorCode::NeedName));
        assert_eq!(parse_client_line("SAY hi", false), Err(ErrorCode::NeedName));
        assert_eq!(parse_client_line("QUIT", false), Ok(ClientCommand::Quit));
        assert_eq!(parse_client_line("", true), Ok(ClientCommand::Empty));
        assert_eq!(
            parse_client_line("SAY hi there", true),
            Ok(ClientCommand::Say("hi there".into()))
        );
        assert_eq!(
            parse_client_line("hi there", true),
            Ok(ClientCommand::Say("hi there".into()))
        );
        assert_eq!(
            parse_client_line("SAY QUIT", true),
            Ok(ClientCommand::Say("QUIT".into()))
        );
        assert_eq!(
            parse_client_line("NAME bob", true),
            Err(ErrorCode::AlreadyNamed)
        );
        assert_eq!(parse_client_line("QUIT", true), Ok(ClientCommand::Quit));
    }

    #[test]
    fn server_events_round_trip() {
        let events = [
            ServerEvent::Hello { version: VERSION },
            ServerEvent::Welcome { name: "a".into() },
            ServerEvent::Joined {
                name: "小明".into(),
            },
            ServerEvent::Msg {
                name: "a".into(),
                text: "hello  world ".into(),
            },
            ServerEvent::Msg {
                name: "a".into(),
                text: String::new(),
            },
            ServerEvent::Left { name: "a".into() },
            ServerEvent::Admin {
                text: "maintenance at 12:00".into(),
            },
            ServerEvent::Err {
                code: ErrorCode::NameTaken,
                reason: "the name alice is taken".into(),
            },
            ServerEvent::Bye,
            ServerEvent::Closing,
        ];
        for e in events {
            let line = encode_server(&e);
            assert!(line.ends_with('\n'));
            assert_eq!(parse_server_line(line.trim_end_matches('\n')), Some(e));
        }
        assert_eq!(parse_server_line("WHAT is this"), None);
        assert_eq!(
            parse_server_line("ERR brand-new oops"),
            Some(ServerEvent::Err {
                code: ErrorCode::Other,
                reason: "oops".into()
            })
        );
    }

    #[test]
    fn client_commands_encode_as_the_server_parses_them() {
        let say = ClientCommand::Say("QUIT now".into());
        let line = encode_client(&say);
        assert_eq!(parse_client_line(line.trim_end(), true), Ok(say));
        let name = ClientCommand::Name("bob".into());
        assert_eq!(
            parse_client_line(encode_client(&name).trim_end(), false),
            Ok(name)
        );
    }

    #[test]
    fn error_codes_have_stable_words() {
        for (code, word) in ErrorCode::ALL {
            assert_eq!(code.as_str(), word);
            assert_eq!(ErrorCode::parse(word), code);
        }
        assert!(ErrorCode::NameTaken.is_name_refusal());
        assert!(!ErrorCode::RateLimited.is_name_refusal());
    }

    #[test]
    fn members_lines_split_within_the_line_limit_and_round_trip() {
        let names: Vec<String> = (0..2000).map(|i| format!("student{i:04}")).collect();
        let lines = members_lines(&names);
        assert!(lines.len() > 1);
        let mut seen = Vec::new();
        for line in &lines {
            let encoded = encode_server(line);
            assert!(encoded.len() <= MAX_LINE + 1, "{}", encoded.len());
            match parse_server_line(encoded.trim_end()) {
                Some(ServerEvent::Members { total, names }) => {
                    assert_eq!(total, 2000);
                    seen.extend(names);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen, names);
        assert_eq!(parse_client_line("WHO", true), Ok(ClientCommand::Who));
        // Before entering, WHO is not a command (the room is not yours to see yet).
        assert_eq!(parse_client_line("WHO", false), Err(ErrorCode::NeedName));
    }

    #[test]
    fn terminal_escaping_neutralises_controls_and_keeps_text() {
        assert_eq!(escape_for_terminal("你好 world"), "你好 world");
        assert_eq!(
            escape_for_terminal("\u{1b}[31mred\u{1b}[0m"),
            "\\x1b[31mred\\x1b[0m"
        );
        assert_eq!(escape_for_terminal("a\rb\u{7}"), "a\\x0db\\x07");
        assert_eq!(escape_for_terminal("\u{9b}2J"), "\\x9b2J");
        assert_eq!(escape_for_terminal("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape_for_terminal("back\\slash"), "back\\\\slash");
        // The invisible ones the issue lists, each made visible.
        for c in [
            '\u{2060}',
            '\u{2064}',
            '\u{2028}',
            '\u{2029}',
            '\u{061C}',
            '\u{FE00}',
            '\u{FE0F}',
            '\u{E0000}',
            '\u{E007F}',
            '\u{180E}',
            '\u{00AD}',
        ] {
            let shown = escape_for_terminal(&format!("a{c}b"));
            assert_eq!(
                shown,
                format!("a\\u{{{:x}}}b", c as u32).replace("\\u{ad}", "\\xad"),
                "{c:?}"
            );
        }
        // Zalgo: a letter keeps three marks, the rest are dropped; the next letter starts again.
        let zalgo = format!("a{}b\u{301}", "\u{301}".repeat(50));
        assert_eq!(
            escape_for_terminal(&zalgo),
            "a\u{301}\u{301}\u{301}b\u{301}"
        );
        assert!(
            !escape_for_terminal("\u{1b}]0;title\u{7}")
                .chars()
                .any(char::is_control)
        );
    }

    #[test]
    fn max_text_fits_in_a_server_line() {
        let name = "字".repeat(MAX_NAME_CHARS);
        let line = encode_server(&ServerEvent::Msg {
            name,
            text: "x".repeat(MAX_TEXT),
        });
        assert!(line.len() - 1 <= MAX_LINE);
    }

    #[test]
    fn rate_limiter_allows_a_burst_then_the_rate() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(2, 3, t0);
        assert!(r.check(t0).is_ok());
        assert!(r.check(t0).is_ok());
        assert!(r.check(t0).is_ok());
        let wait = r.check(t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(r.check(t0 + Duration::from_millis(500)).is_ok());
        assert!(r.check(t0 + Duration::from_millis(500)).is_err());
        // A long pause refills to the burst, not beyond.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(r.check(later).is_ok());
        }
        assert!(r.check(later).is_err());
        let mut off = RateLimiter::new(0, 1, t0);
        for _ in 0..1000 {
            assert!(off.check(t0).is_ok());
        }
    }
}
