//! The few lines of each protocol the load generator needs to speak.
//!
//! Pure: each function turns a name or a text into the bytes to send, or an incoming line into
//! what the bench cares about. The network driver ([`super`]) does the I/O.
//!
//! - `irc`: the minimum of RFC 2812: `NICK`, `USER`, `JOIN #room`, `PRIVMSG #room`, `PING`/`PONG`.
//! - `udp`: the homework's reference design (`examples/python/udp_server.py`): one UDP datagram per
//!   request, `L name` to enter, `C name text` to speak, `Q name` to leave; the server answers
//!   `OK` and relays `name 说 ： text` to everyone else.
//! - `toolkit`: our own line protocol (docs/chat-protocol.md).

use crate::chat::protocol::{self, ClientCommand};

/// The room every bench client joins on IRC.
pub const IRC_CHANNEL: &str = "#bench";

/// What an incoming line means to the bench.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// A chat message from `from` with this text.
    Message { from: &'a str, text: &'a str },
    /// The server accepted our login (IRC: welcome `001`; UDP: `OK`).
    Welcome,
    /// The server confirmed we joined the room (IRC: end of `NAMES`, `366`).
    Joined,
    /// A keep-alive the client must answer with this line.
    Ping(String),
    /// The server refused us (name taken, full, ...).
    Refused(&'a str),
    /// Anything else (join notices, server chatter).
    Other,
}

/// IRC registration: nickname and user lines.
pub fn irc_login(name: &str) -> String {
    format!("NICK {name}\r\nUSER {name} 0 * :toolkit bench\r\n")
}

pub fn irc_join() -> String {
    format!("JOIN {IRC_CHANNEL}\r\n")
}

pub fn irc_say(text: &str) -> String {
    format!("PRIVMSG {IRC_CHANNEL} :{text}\r\n")
}

pub fn irc_quit() -> &'static str {
    "QUIT :bench done\r\n"
}

/// Classify one IRC line (without its line ending).
pub fn irc_parse(line: &str) -> Incoming<'_> {
    let line = line.trim_end_matches(['\r', '\n']);
    if let Some(token) = line.strip_prefix("PING ") {
        return Incoming::Ping(format!("PONG {token}\r\n"));
    }
    let Some(rest) = line.strip_prefix(':') else {
        return Incoming::Other;
    };
    let mut parts = rest.splitn(3, ' ');
    let (Some(prefix), Some(command)) = (parts.next(), parts.next()) else {
        return Incoming::Other;
    };
    let params = parts.next().unwrap_or("");
    match command {
        "001" => Incoming::Welcome,
        "366" => Incoming::Joined,
        // Nickname in use, erroneous, or a closing link.
        "432" | "433" | "465" => Incoming::Refused(params),
        "PRIVMSG" => {
            let from = prefix.split('!').next().unwrap_or(prefix);
            match params.split_once(" :") {
                Some((_target, text)) => Incoming::Message { from, text },
                None => Incoming::Other,
            }
        }
        _ => Incoming::Other,
    }
}

/// Enter our server's room.
pub fn toolkit_login(name: &str) -> String {
    protocol::encode_client(&ClientCommand::Name(name.to_string()))
}

pub fn toolkit_say(text: &str) -> String {
    protocol::encode_client(&ClientCommand::Say(text.to_string()))
}

pub fn toolkit_quit() -> String {
    protocol::encode_client(&ClientCommand::Quit)
}

/// Classify the JSON events of one frame from our server's WebSocket (docs/chat-protocol.md,
/// "WebSocket"): one event, or an array of them.
pub fn ws_events(frame: &str) -> Vec<Incoming<'_>> {
    if frame.starts_with('[') {
        // One pass over the array: each event is read straight into its fields.
        let events: Vec<Event<'_>> = serde_json::from_str(frame).unwrap_or_default();
        events.into_iter().map(Event::classify).collect()
    } else {
        vec![ws_parse(frame)]
    }
}

/// The texts of the chat messages in one frame from our server's WebSocket, read without a JSON
/// parser; `None` when the frame holds anything else, and the caller then reads it with
/// [`ws_events`].
///
/// During a run nearly every frame is an array of `msg` events, written by our server with its
/// fields in one order and, for the bench's texts, no escapes. The frame is read front to back,
/// as a JSON parser would, but only in that shape: `[`, then events of exactly the form
/// `{"type":"msg","name":"N","text":"T"}` separated by `,`, then `]` (or one such event alone),
/// where N and T hold no `"`, no `\` and no control character. Outside a string every `"`
/// opens or closes one, so a frame read this way means what the parser would make of it; a test
/// checks both agree. This is the WebSocket twin of [`message_text`]: a full parser costs the
/// load generator about half its time at a million deliveries a second.
pub fn ws_message_texts(frame: &[u8]) -> Option<Vec<&[u8]>> {
    const OPEN: &[u8] = br#"{"type":"msg","name":""#;
    const BETWEEN: &[u8] = br#"","text":""#;
    const CLOSE: &[u8] = br#""}"#;
    /// A string's contents up to its closing quote (which stays in the rest), if it has no escape
    /// and no control character (which JSON forbids inside a string).
    ///
    /// One pass, byte by byte: the strings are a few bytes to a few dozen, too short for a
    /// vectorised search to pay for its set-up (that search and a second pass for control
    /// characters took a fifth of the load generator's samples).
    fn plain(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
        for (at, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => return Some(bytes.split_at(at)),
                b'\\' | 0..0x20 => return None,
                _ => {}
            }
        }
        None
    }
    let (mut rest, array) = match frame.strip_prefix(b"[") {
        Some(rest) => (rest, true),
        None => (frame, false),
    };
    // A bench event is about 60 bytes: room for all of a frame's texts at once.
    let mut texts = Vec::with_capacity(rest.len() / 48 + 1);
    loop {
        let (_name, after) = plain(rest.strip_prefix(OPEN)?)?;
        let (text, after) = plain(after.strip_prefix(BETWEEN)?)?;
        texts.push(text);
        rest = after.strip_prefix(CLOSE)?;
        match rest {
            [] if !array => return Some(texts),
            [b']'] if array => return Some(texts),
            [b',', more @ ..] if array => rest = more,
            _ => return None,
        }
    }
}

/// One JSON event from our server's WebSocket, as the bench needs it.
/// Borrows: the bench's texts carry no escapes, so they come out of the frame without a copy.
#[derive(serde::Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(borrow, default)]
    name: Option<&'a str>,
    #[serde(borrow, default)]
    text: Option<&'a str>,
    #[serde(borrow, default)]
    code: Option<&'a str>,
}

impl<'a> Event<'a> {
    fn classify(self) -> Incoming<'a> {
        match self {
            Event {
                kind: "msg",
                name: Some(from),
                text: Some(text),
                ..
            } => Incoming::Message { from, text },
            Event {
                kind: "welcome", ..
            } => Incoming::Welcome,
            Event {
                kind: "err",
                code: Some(code),
                ..
            } => Incoming::Refused(code),
            _ => Incoming::Other,
        }
    }
}

/// Classify one JSON event from our server's WebSocket.
pub fn ws_parse(frame: &str) -> Incoming<'_> {
    match serde_json::from_str::<Event<'_>>(frame) {
        Ok(event) => event.classify(),
        Err(_) => Incoming::Other,
    }
}

/// Classify one line from our server. Hand-written rather than [`protocol::parse_server_line`]
/// because it borrows instead of allocating for each of the million lines of a run; a test checks
/// that both agree.
pub fn toolkit_parse(line: &str) -> Incoming<'_> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    match word {
        "WELCOME" => Incoming::Welcome,
        "MSG" => match rest.split_once(' ') {
            Some((from, text)) => Incoming::Message { from, text },
            None => Incoming::Other,
        },
        "ERR" => Incoming::Refused(rest),
        _ => Incoming::Other,
    }
}

/// The text of a chat message, if `line` (without its line ending) is one: the fast path for the
/// millions of message lines of a run, on bytes, with no UTF-8 check and no allocation. Anything
/// it does not recognise goes through the full parsers above ([`irc_parse`], [`toolkit_parse`]).
pub fn message_text(irc: bool, line: &[u8]) -> Option<&[u8]> {
    if irc {
        // `:nick!user@host PRIVMSG #room :text`
        let rest = line.strip_prefix(b":")?;
        let (_prefix, rest) = split_word(rest)?;
        let (command, rest) = split_word(rest)?;
        if command != b"PRIVMSG" {
            return None;
        }
        let (_target, text) = split_word(rest)?;
        text.strip_prefix(b":")
    } else {
        // `MSG name text`
        let rest = line.strip_prefix(b"MSG ")?;
        let (_name, text) = split_word(rest)?;
        Some(text)
    }
}

/// The first word of `bytes` and the rest after one space.
fn split_word(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = memchr::memchr(b' ', bytes)?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

pub fn udp_login(name: &str) -> String {
    format!("L {name}")
}

pub fn udp_say(name: &str, text: &str) -> String {
    format!("C {name} {text}")
}

pub fn udp_quit(name: &str) -> String {
    format!("Q {name}")
}

/// Classify one datagram from the reference server.
pub fn udp_parse(datagram: &str) -> Incoming<'_> {
    if datagram == "OK" {
        return Incoming::Welcome;
    }
    if let Some(reason) = datagram.strip_prefix("FAIL") {
        return Incoming::Refused(reason.trim());
    }
    match datagram.split_once(" 说 ： ") {
        Some((from, text)) => Incoming::Message { from, text },
        None => Incoming::Other,
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn irc_lines() {
        assert_eq!(irc_login("b1"), "NICK b1\r\nUSER b1 0 * :toolkit bench\r\n");
        assert_eq!(irc_say("hi there"), "PRIVMSG #bench :hi there\r\n");
        assert_eq!(
            irc_parse(":b3!~b3@localhost PRIVMSG #bench :bench 3 7 99\r\n"),
            Incoming::Message {
                from: "b3",
                text: "bench 3 7 99"
            }
        );
        assert_eq!(
            irc_parse(":irc.local 001 b1 :Welcome to the network"),
            Incoming::Welcome
        );
        assert_eq!(
            irc_parse(":irc.local 366 b1 #bench :End of /NAMES list."),
            Incoming::Joined
        );
        assert_eq!(
            irc_parse("PING :irc.local"),
            Incoming::Ping("PONG :irc.local\r\n".into())
        );
        assert!(matches!(
            irc_parse(":irc.local 433 * b1 :Nickname is already in use"),
            Incoming::Refused(_)
        ));
        assert_eq!(irc_parse(":b2!~b2@localhost JOIN :#bench"), Incoming::Other);
        assert_eq!(irc_parse("garbage"), Incoming::Other);
        assert_eq!(irc_parse(":"), Incoming::Other);
    }

    #[test]
    fn toolkit_lines_agree_with_the_protocol_module() {
        use crate::chat::protocol::{ErrorCode, ServerEvent, encode_server};
        assert_eq!(toolkit_login("b1"), "NAME b1\n");
        assert_eq!(toolkit_say("bench 1 2 3"), "SAY bench 1 2 3\n");
        let msg = encode_server(&ServerEvent::Msg {
            name: "b2".into(),
            text: "bench 2 0 77".into(),
        });
        assert_eq!(
            toolkit_parse(&msg),
            Incoming::Message {
                from: "b2",
                text: "bench 2 0 77"
            }
        );
        let welcome = encode_server(&ServerEvent::Welcome { name: "b1".into() });
        assert_eq!(toolkit_parse(&welcome), Incoming::Welcome);
        let err = encode_server(&ServerEvent::Err {
            code: ErrorCode::NameTaken,
            reason: "taken".into(),
        });
        assert!(matches!(toolkit_parse(&err), Incoming::Refused(_)));
        let joined = encode_server(&ServerEvent::Joined { name: "b3".into() });
        assert_eq!(toolkit_parse(&joined), Incoming::Other);
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_parsers() {
        let lines = [
            ":b3!~b3@localhost PRIVMSG #bench :bench 3 7 99",
            ":b3!~b3@localhost PRIVMSG #bench :two words: here",
            ":irc.local 001 b1 :Welcome to the network",
            ":b2!~b2@localhost JOIN :#bench",
            "PING :irc.local",
            ":",
            "MSG b2 bench 2 0 77",
            "MSG b2 hello there",
            "MSG b2",
            "JOINED b3",
            "WELCOME b1",
            "",
        ];
        for line in lines {
            for irc in [true, false] {
                let full = if irc {
                    irc_parse(line)
                } else {
                    toolkit_parse(line)
                };
                let full = match full {
                    Incoming::Message { text, .. } => Some(text.as_bytes()),
                    _ => None,
                };
                assert_eq!(
                    message_text(irc, line.as_bytes()),
                    full,
                    "{line:?} irc={irc}"
                );
            }
        }
    }

    #[test]
    fn the_websocket_fast_path_agrees_with_the_json_parser() {
        use crate::chat::protocol::{ServerEvent, encode_server};
        use crate::chat::web::events;
        // Frames as the server builds them (one event, or an array), and frames it never sends.
        let msg = |name: &str, text: &str| {
            let line = encode_server(&ServerEvent::Msg {
                name: name.into(),
                text: text.into(),
            });
            let mut out = Vec::new();
            assert!(events::append_line(line.trim_end(), &mut out));
            String::from_utf8(out).unwrap()
        };
        let joined = events::to_json(&ServerEvent::Joined { name: "b3".into() });
        let plain = [msg("b1", "bench 1 2 3"), msg("b22", "bench 22 0 77")];
        let quoted = msg("b1", r#"say "hi" \ there"#);
        let texts = |frame: &str| -> Vec<Vec<u8>> {
            ws_events(frame)
                .into_iter()
                .filter_map(|e| match e {
                    Incoming::Message { text, .. } => Some(text.as_bytes().to_vec()),
                    _ => None,
                })
                .collect()
        };
        let fast = |frame: &str| -> Option<Vec<Vec<u8>>> {
            ws_message_texts(frame.as_bytes()).map(|t| t.into_iter().map(<[u8]>::to_vec).collect())
        };
        // What the server sends during a run: read the fast way, to the same texts.
        for frame in [
            plain[0].clone(),
            format!("[{}]", plain[0]),
            format!("[{},{}]", plain[0], plain[1]),
        ] {
            assert_eq!(fast(&frame), Some(texts(&frame)), "{frame}");
        }
        // Texts beyond ASCII and bytes JSON allows raw (DEL) are read as the parser reads them.
        for frame in [
            format!("[{},{}]", msg("b1", "你好 bench"), plain[1]),
            msg("b1", "\u{7f}"),
            msg("名字", "x"),
        ] {
            assert_eq!(fast(&frame), Some(texts(&frame)), "{frame}");
        }
        // Valid JSON in any other shape is left to the parser.
        for frame in [
            format!("[{},{},{}]", plain[0], joined, plain[1]),
            format!("[{},{}]", plain[0], quoted),
            quoted.clone(),
            joined.clone(),
            format!("[{}] ", plain[0]),
            format!("[ {}]", plain[0]),
            r#"{"type":"msg","name":"b1","text":"x","extra":1}"#.into(),
            r#"{"type":"msg","text":"x","name":"b1"}"#.into(),
            r#"{"type": "msg","name":"b1","text":"x"}"#.into(),
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(&frame).is_ok(),
                "{frame}"
            );
            assert_eq!(fast(&frame), None, "{frame}");
        }
        for broken in [
            format!("[{}", plain[0]),
            format!("[{},]", plain[0]),
            format!("{}]", plain[0]),
            format!("[{}{}]", plain[0], plain[1]),
            format!("{},{}", plain[0], plain[1]),
            "[]".into(),
            String::new(),
            "{\"type\":\"msg\",\"name\":\"b1\",\"text\":\"bench 1 2 3\n\"}".into(),
            "{\"type\":\"msg\",\"name\":\"b\t1\",\"text\":\"bench 1 2 3\"}".into(),
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(&broken).is_err()
                    || texts(&broken).is_empty()
            );
            assert_eq!(fast(&broken), None, "{broken}");
        }
        // Every frame of plain bench messages is read the fast way.
        let many: Vec<String> = (0..300)
            .map(|k| msg(&format!("b{k}"), &format!("bench {k} {k} 9")))
            .collect();
        let frame = format!("[{}]", many.join(","));
        let fast = ws_message_texts(frame.as_bytes()).expect("plain messages");
        assert_eq!(fast.len(), 300);
        assert_eq!(fast[299], b"bench 299 299 9");
    }

    #[test]
    fn udp_datagrams() {
        assert_eq!(udp_login("b1"), "L b1");
        assert_eq!(udp_say("b1", "x y"), "C b1 x y");
        assert_eq!(udp_parse("OK"), Incoming::Welcome);
        assert_eq!(
            udp_parse("FAIL name taken"),
            Incoming::Refused("name taken")
        );
        assert_eq!(
            udp_parse("b2 说 ： bench 1 2 3"),
            Incoming::Message {
                from: "b2",
                text: "bench 1 2 3"
            }
        );
        assert_eq!(udp_parse("b2 进入了聊天室"), Incoming::Other);
    }
}
