//! The browser's side of the protocol: JSON events that mirror the protocol's lines one for one
//! (docs/chat-protocol.md, "WebSocket"). Pure: no I/O.
//!
//! The server still sends events, never sentences: `{"type":"joined","name":"alice"}`, and the page
//! says `alice 进入了聊天室` or `alice joined the chat` in the reader's language.

use serde::{Deserialize, Serialize};

use crate::chat::protocol::{ClientCommand, ErrorCode, ServerEvent};

/// One server event as the page receives it.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Outgoing<'a> {
    Hello {
        version: u32,
    },
    Welcome {
        name: &'a str,
    },
    Joined {
        name: &'a str,
    },
    Msg {
        name: &'a str,
        text: &'a str,
    },
    Left {
        name: &'a str,
    },
    Admin {
        text: &'a str,
    },
    Err {
        code: &'a str,
        reason: &'a str,
    },
    Bye,
    Closing,
    Members {
        total: usize,
        names: &'a [String],
    },
    /// Said before you entered, at `at` (Unix seconds).
    History {
        at: i64,
        event: Box<Outgoing<'a>>,
    },
}

impl<'a> Outgoing<'a> {
    pub fn of(event: &'a ServerEvent) -> Outgoing<'a> {
        match event {
            ServerEvent::Hello { version } => Outgoing::Hello { version: *version },
            ServerEvent::Welcome { name } => Outgoing::Welcome { name },
            ServerEvent::Joined { name } => Outgoing::Joined { name },
            ServerEvent::Msg { name, text } => Outgoing::Msg { name, text },
            ServerEvent::Left { name } => Outgoing::Left { name },
            ServerEvent::Admin { text } => Outgoing::Admin { text },
            ServerEvent::Err { code, reason } => Outgoing::Err {
                code: code.as_str(),
                reason,
            },
            ServerEvent::Bye => Outgoing::Bye,
            ServerEvent::Closing => Outgoing::Closing,
            ServerEvent::Members { total, names } => Outgoing::Members {
                total: *total,
                names,
            },
            ServerEvent::History { at, event } => Outgoing::History {
                at: *at,
                event: Box::new(Outgoing::of(event)),
            },
        }
    }
}

/// Append the JSON of the protocol line `line` (without `\n`) to `out`; false for a line this
/// version does not know. The common line, `MSG`, is converted borrowing from the line, without
/// building the event first: the sweeper does this once per sweep for every browser member.
pub fn append_line(line: &str, out: &mut Vec<u8>) -> bool {
    let msg = line
        .strip_prefix("MSG ")
        .and_then(|rest| rest.split_once(' '))
        .map(|(name, text)| Outgoing::Msg { name, text });
    match msg {
        Some(event) => serde_json::to_writer(out, &event).is_ok(),
        None => match crate::chat::protocol::parse_server_line(line) {
            Some(event) => serde_json::to_writer(out, &Outgoing::of(&event)).is_ok(),
            None => false,
        },
    }
}

/// The JSON text of one event.
pub fn to_json(event: &ServerEvent) -> String {
    // Serialising these plain structs cannot fail.
    serde_json::to_string(&Outgoing::of(event)).unwrap_or_default()
}

/// What the page sends.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum Incoming {
    Name { name: String },
    Say { text: String },
    Who,
    Quit,
}

/// Why a frame from the page could not be turned into protocol lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not one of the JSON commands (or not JSON at all).
    BadCommand(String),
    /// A name with a line break in it (which would smuggle a second line onto the wire).
    NameWithLineBreak,
}

impl Refused {
    /// The event the page is sent instead.
    pub fn event(&self) -> ServerEvent {
        match self {
            Refused::BadCommand(why) => ServerEvent::Err {
                code: ErrorCode::BadCommand,
                reason: format!("not a command: {why}"),
            },
            Refused::NameWithLineBreak => ServerEvent::Err {
                code: ErrorCode::NameInvalid,
                reason: "a name cannot contain a line break".into(),
            },
        }
    }
}

/// The protocol lines (each ending in `\n`) for one text frame from the page. A message with line
/// breaks becomes one `SAY` per line, as if pasted into `nc`: nothing is lost and nothing can be
/// smuggled in as a command.
pub fn to_lines(frame: &str) -> Result<String, Refused> {
    let command: Incoming =
        serde_json::from_str(frame).map_err(|e| Refused::BadCommand(e.to_string()))?;
    let one = |cmd: ClientCommand| crate::chat::protocol::encode_client(&cmd);
    Ok(match command {
        Incoming::Name { name } if name.contains(['\n', '\r']) => {
            return Err(Refused::NameWithLineBreak);
        }
        Incoming::Name { name } => one(ClientCommand::Name(name)),
        Incoming::Say { text } => text
            .split('\n')
            .map(|line| {
                one(ClientCommand::Say(
                    line.strip_suffix('\r').unwrap_or(line).into(),
                ))
            })
            .collect(),
        Incoming::Who => one(ClientCommand::Who),
        Incoming::Quit => one(ClientCommand::Quit),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::protocol::parse_server_line;

    #[test]
    fn every_event_has_its_json_twin() {
        let cases = [
            ("HELLO toolkit-chat 1", r#"{"type":"hello","version":1}"#),
            ("WELCOME alice", r#"{"type":"welcome","name":"alice"}"#),
            ("JOINED 小明", r#"{"type":"joined","name":"小明"}"#),
            (
                "MSG bob <img src=x onerror=alert(1)>",
                r#"{"type":"msg","name":"bob","text":"<img src=x onerror=alert(1)>"}"#,
            ),
            ("LEFT bob", r#"{"type":"left","name":"bob"}"#),
            ("ADMIN 下课", r#"{"type":"admin","text":"下课"}"#),
            (
                "ERR name-taken the name is taken",
                r#"{"type":"err","code":"name-taken","reason":"the name is taken"}"#,
            ),
            ("BYE", r#"{"type":"bye"}"#),
            ("CLOSING", r#"{"type":"closing"}"#),
            (
                "MEMBERS 2 alice bob",
                r#"{"type":"members","total":2,"names":["alice","bob"]}"#,
            ),
            (
                "HISTORY 5 MSG bob hi",
                r#"{"type":"history","at":5,"event":{"type":"msg","name":"bob","text":"hi"}}"#,
            ),
        ];
        for (line, json) in cases {
            let event = parse_server_line(line).unwrap();
            assert_eq!(to_json(&event), json, "{line}");
        }
    }

    #[test]
    fn lines_convert_the_fast_way_as_the_slow_way() {
        for line in [
            "MSG bob hi there",
            "MSG bob ",
            "MSG bob",
            "MSG 小明 \"quoted\" \\ \u{1b}[31m",
            "JOINED bob",
            "HISTORY 5 MSG bob hi",
        ] {
            let mut fast = Vec::new();
            let known = append_line(line, &mut fast);
            match parse_server_line(line) {
                Some(event) => {
                    assert!(known, "{line}");
                    assert_eq!(String::from_utf8(fast).unwrap(), to_json(&event), "{line}");
                }
                None => assert!(!known, "{line}"),
            }
        }
        assert!(!append_line("NOPE x", &mut Vec::new()));
    }

    #[test]
    fn commands_become_lines_and_cannot_smuggle_one_in() {
        assert_eq!(
            to_lines(r#"{"type":"name","name":"alice"}"#).unwrap(),
            "NAME alice\n"
        );
        assert_eq!(
            to_lines(r#"{"type":"say","text":"hi\r\nQUIT"}"#).unwrap(),
            "SAY hi\nSAY QUIT\n"
        );
        assert_eq!(to_lines(r#"{"type":"who"}"#).unwrap(), "WHO\n");
        assert_eq!(to_lines(r#"{"type":"quit"}"#).unwrap(), "QUIT\n");
        assert_eq!(
            to_lines(r#"{"type":"name","name":"a\nQUIT"}"#),
            Err(Refused::NameWithLineBreak)
        );
        for bad in ["hello", r#"{"type":"fly"}"#, r#"{"type":"say"}"#, "[]"] {
            assert!(
                matches!(to_lines(bad), Err(Refused::BadCommand(_))),
                "{bad}"
            );
        }
    }
}
