//! The room's lines as WebSocket frames, made by the sweeper itself ([`super::super::fanout`]) for
//! a browser member, so that a delivery to a browser is one write to its socket, as it is for a
//! terminal: no socket pair, no second task, no second copy.
//!
//! What one write carries becomes JSON text frames (docs/chat-protocol.md): a single event, or an
//! array of events in order, at most [`BATCH`] bytes of events per frame. A sweep encodes the
//! lines every browser member receives once and hands the same frames to all of them.
//!
//! One line is not a protocol line but an order for this encoder: [`CLOSE_PREFIX`] followed by a
//! close code and a reason makes a Close frame. The browser's reader sends it (after an oversized
//! frame, say) through the session's link, so it goes out in order with the room's lines. The
//! room's own lines can never start with it: they start with a protocol word.

use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

use super::events;

/// Bytes of events gathered into one frame.
pub const BATCH: usize = 16 * 1024;

/// A line that is an order to close: `\0close <code> <reason>`.
pub const CLOSE_PREFIX: &str = "\0close ";

/// The line that makes [`encode`] write a Close frame with `code` and `reason`.
pub fn close_line(code: u16, reason: &str) -> String {
    format!("{CLOSE_PREFIX}{code} {reason}\n")
}

/// Append to `out` the frames for the protocol lines in `pieces` of `bytes` (whole lines, each
/// ending in `\n`). Returns whether a Close frame was written (nothing may follow it).
pub fn encode(bytes: &[u8], pieces: &[(usize, usize)], out: &mut Vec<u8>) -> bool {
    let mut batch = Vec::new();
    let mut events = 0;
    for &(start, end) in pieces {
        for line in bytes[start..end].split(|&b| b == b'\n') {
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            if line.is_empty() {
                continue;
            }
            if let Some(order) = line.strip_prefix(CLOSE_PREFIX) {
                flush(&mut batch, &mut events, out);
                let (code, reason) = order.split_once(' ').unwrap_or((order, ""));
                close(code.parse().unwrap_or(1000), reason, out);
                return true;
            }
            let mark = batch.len();
            batch.push(b',');
            if !events::append_line(line, &mut batch) {
                batch.truncate(mark);
                continue;
            }
            events += 1;
            if batch.len() >= BATCH {
                flush(&mut batch, &mut events, out);
            }
        }
    }
    flush(&mut batch, &mut events, out);
    false
}

/// Write the gathered events `,e1,e2...` as one text frame: the single event, or `[e1,e2...]`.
fn flush(batch: &mut Vec<u8>, events: &mut usize, out: &mut Vec<u8>) {
    if *events == 0 {
        return;
    }
    if *events == 1 {
        batch.remove(0);
    } else {
        batch[0] = b'[';
        batch.push(b']');
    }
    text(batch, out);
    batch.clear();
    *events = 0;
}

/// One text frame (server to client: not masked).
pub fn text(payload: &[u8], out: &mut Vec<u8>) {
    let frame = Frame::message(payload.to_vec(), OpCode::Data(Data::Text), true);
    // Writing into a Vec cannot fail.
    let _ = frame.format(out);
}

/// A Close frame with `code` and `reason`.
pub fn close(code: u16, reason: &str, out: &mut Vec<u8>) {
    let frame = Frame::close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.to_string().into(),
    }));
    let _ = frame.format(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_one_frame_of_events_and_a_close_order_ends_them() {
        let lines = b"MSG alice hi\nJOINED bob\n";
        let mut out = Vec::new();
        assert!(!encode(lines, &[(0, lines.len())], &mut out));
        // FIN + text, then the length, then the array of both events.
        assert_eq!(out[0], 0x81);
        let payload = &out[2..];
        assert_eq!(out[1] as usize, payload.len());
        let json: serde_json::Value = serde_json::from_slice(payload).unwrap();
        assert_eq!(json[0]["type"], "msg");
        assert_eq!(json[1]["type"], "joined");

        let mut out = Vec::new();
        let with_close = format!(
            "MSG a x\n{}MSG a never\n",
            close_line(1009, "frame too big")
        );
        assert!(encode(
            with_close.as_bytes(),
            &[(0, with_close.len())],
            &mut out
        ));
        let first_len = 2 + out[1] as usize;
        assert_eq!(out[first_len], 0x88, "a close frame follows the text frame");
        assert_eq!(
            u16::from_be_bytes([out[first_len + 2], out[first_len + 3]]),
            1009
        );
        assert_eq!(&out[first_len + 4..], b"frame too big");
    }

    #[test]
    fn a_large_sweep_is_cut_into_frames_of_about_a_batch() {
        let line = format!("MSG alice {}\n", "x".repeat(1000));
        let lines = line.repeat(40);
        let mut out = Vec::new();
        encode(lines.as_bytes(), &[(0, lines.len())], &mut out);
        // 40 KB of events: three frames, each with a 16-bit length.
        let mut at = 0;
        let mut frames = 0;
        while at < out.len() {
            assert_eq!(out[at], 0x81);
            assert_eq!(out[at + 1], 126);
            let len = u16::from_be_bytes([out[at + 2], out[at + 3]]) as usize;
            assert!(len <= BATCH + 1100);
            at += 4 + len;
            frames += 1;
        }
        assert_eq!(frames, 3);
    }
}
