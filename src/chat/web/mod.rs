//! The chatroom in the browser: one page and one WebSocket, served by the chat server's own
//! process and runtime, into the same room as `toolkit chat client` and `nc`.
//!
//! # How a browser becomes a member
//! 1. `GET /` serves the page ([`page`]: HTML, CSS and JS embedded in the binary; no CDN, no build
//!    step), with a Content-Security-Policy that allows only the page's own script and style.
//! 2. The page opens `GET /ws`. The upgrade is refused unless its `Origin` is the page's own host
//!    (or one allowed with `--web-origin`): another site open in the same browser cannot join the
//!    room in the student's name.
//! 3. The WebSocket takes a place in the room (`--max-clients`, `--max-per-address`) and a socket
//!    pair. The server's end of the pair gets the very same session as a TCP connection
//!    ([`super::wire`] says why); this module's [`relay`] sits on the other end and translates:
//!    JSON commands from the page into protocol lines, the room's lines into JSON events
//!    ([`events`]).
//!
//! Nothing the members say is ever inserted into the page as HTML: the page builds its DOM with
//! `textContent` only, and the CSP forbids inline scripts besides.

pub mod events;
pub mod page;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::mpsc;

use super::protocol::{ErrorCode, LineFramer, MAX_LINE, ServerEvent};
use super::server::{AddressPlace, GOODBYE_TIMEOUT, Hub};
use super::wire;
use crate::i18n::{Lang, chat as msg};

/// A text frame from the page longer than this is refused with `ERR line-too-long` and the
/// connection stays: the protocol's line limit, with room for the JSON around the text (quotes
/// and backslashes escaped can double it).
pub const MAX_FRAME: usize = 2 * MAX_LINE + 256;

/// A frame longer than this is not read at all: the WebSocket is closed with code 1009 (message
/// too big), as RFC 6455 section 7.4.1 provides.
pub const MAX_FRAME_HARD: usize = 64 * 1024;

/// An HTTP connection must send its request headers within this time, and one that is not
/// upgraded to a WebSocket is closed after [`HTTP_IDLE`]: neither can hold a descriptor forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const HTTP_IDLE: Duration = Duration::from_secs(30);

/// Kernel buffer of each end of a web member's socket pair. Small, so that a browser that stops
/// reading shows up in its session's queue (and is dropped by the same rule as a TCP client)
/// instead of hiding in a large buffer.
const PAIR_BUFFER: usize = 16 * 1024;

/// The page's routes, sharing the hub.
pub(super) fn pages(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/", get(|| async { page::file(page::INDEX) }))
        .route("/app.js", get(|| async { page::file(page::SCRIPT) }))
        .route("/style.css", get(|| async { page::file(page::STYLE) }))
        .route("/ws", get(websocket))
        .with_state(hub)
}

/// Serve one HTTP connection: the page, or the upgrade to a WebSocket (after which the
/// WebSocket's own task carries on, see [`bridge`]).
pub(super) async fn serve_http(
    hub: Arc<Hub>,
    pages: Router,
    socket: TcpStream,
    peer: SocketAddr,
    held: AddressPlace,
) {
    use tower_service::Service;
    let service = hyper::service::service_fn(move |mut request| {
        request.extensions_mut().insert(ConnectInfo(peer));
        pages.clone().call(request)
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HANDSHAKE_TIMEOUT);
    let connection = http
        .serve_connection(TokioIo::new(socket), service)
        .with_upgrades();
    tokio::select! {
        _ = connection => {}
        _ = tokio::time::sleep(HTTP_IDLE) => {}
        _ = super::server::closing(hub.stop.clone()) => {}
    }
    drop(held);
}

/// `GET /ws`: check the origin, then upgrade.
async fn websocket(
    State(hub): State<Arc<Hub>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &hub.config.web_origins) {
        super::log(&msg::log_web_origin_refused(
            hub.config.lang,
            &peer,
            headers
                .get(header::ORIGIN)
                .and_then(|o| o.to_str().ok())
                .unwrap_or("?"),
        ));
        return (
            StatusCode::FORBIDDEN,
            "this page's origin may not join the room (see --web-origin)\n",
        )
            .into_response();
    }
    upgrade
        .max_message_size(MAX_FRAME_HARD)
        .max_frame_size(MAX_FRAME_HARD)
        // Nothing set aside for an idle member: the library's read buffer grows when frames come
        // (beside its fixed 4 KiB chunk), and writes are gathered up to a line's size.
        .read_buffer_size(0)
        .write_buffer_size(MAX_LINE)
        .on_upgrade(move |socket| bridge(hub, peer, socket))
}

/// Whether a browser page from `Origin` may open the WebSocket: the page's own host (the `Host`
/// it asked for), or one listed with `--web-origin`. A request without `Origin` is not from a
/// browser page (a script, a test) and cannot be a cross-site attack, so it is let in.
pub fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

/// A WebSocket's life as a member: a place in the room, a socket pair, the session on one end and
/// the relay on the other, until both are done.
async fn bridge(hub: Arc<Hub>, peer: SocketAddr, mut socket: WebSocket) {
    let refuse = |code, reason: &str| {
        Message::Text(
            events::to_json(&ServerEvent::Err {
                code,
                reason: reason.into(),
            })
            .into(),
        )
    };
    let Some(held) = hub.address_place(peer) else {
        let _ = socket
            .send(refuse(
                ErrorCode::TooManyConnections,
                "too many connections from your address",
            ))
            .await;
        return;
    };
    let Some(permit) = hub.place() else {
        super::log(&msg::log_full(hub.config.lang, &peer));
        let _ = socket
            .send(refuse(
                ErrorCode::ServerFull,
                "the room is full, try again later",
            ))
            .await;
        return;
    };
    let Ok((ours, theirs)) = UnixStream::pair() else {
        return;
    };
    for end in [&ours, &theirs] {
        use nix::sys::socket::{setsockopt, sockopt};
        let _ = setsockopt(end, sockopt::SndBuf, &PAIR_BUFFER);
        let _ = setsockopt(end, sockopt::RcvBuf, &PAIR_BUFFER);
    }
    // The session runs to its end on every path (so the room always hears that this member
    // left); the relay is bounded once the session is over.
    let session_hub = Arc::clone(&hub);
    let mut session =
        tokio::spawn(async move { session_hub.session(peer, wire::pair(theirs)).await });
    let relay = relay(socket, ours);
    tokio::pin!(relay);
    tokio::select! {
        _ = &mut session => {
            let _ = tokio::time::timeout(GOODBYE_TIMEOUT, relay).await;
        }
        _ = &mut relay => {
            let _ = session.await;
        }
    }
    drop(permit);
    drop(held);
}

/// Translate between the page and the session until either side is done: frames to lines on the
/// way in, lines to frames on the way out. Ends when the session closes its end (after `BYE`,
/// `CLOSING`, or a drop), or when the page goes away (then the session sees the end of its input).
async fn relay(socket: WebSocket, pair: UnixStream) {
    let (mut to_page, mut from_page) = socket.split();
    let (rd, mut wr) = pair.into_split();
    // Answers the relay gives itself (a frame that is not a command), in order with the room's.
    let (local_tx, mut local_rx) = mpsc::channel::<Message>(4);
    let inbound = async move {
        while let Some(frame) = from_page.next().await {
            let answer = match frame {
                Ok(Message::Text(text)) if text.len() > MAX_FRAME => Some(ServerEvent::Err {
                    code: ErrorCode::LineTooLong,
                    reason: format!("a frame has at most {MAX_FRAME} bytes; not sent"),
                }),
                Ok(Message::Text(text)) => match events::to_lines(&text) {
                    Ok(lines) => {
                        if wr.write_all(lines.as_bytes()).await.is_err() {
                            break;
                        }
                        None
                    }
                    Err(refused) => Some(refused.event()),
                },
                Ok(Message::Binary(_)) => Some(ServerEvent::Err {
                    code: ErrorCode::BadCommand,
                    reason: "binary frames are not commands; send JSON text".into(),
                }),
                Ok(Message::Ping(_) | Message::Pong(_)) => None,
                Ok(Message::Close(_)) => break,
                Err(e) => {
                    let _ = local_tx.send(Message::Close(Some(close_for(e)))).await;
                    break;
                }
            };
            if let Some(event) = answer {
                let frame = Message::Text(events::to_json(&event).into());
                if local_tx.send(frame).await.is_err() {
                    break;
                }
            }
        }
        // The page is gone: the session reads the end of its input and leaves the room.
        let _ = wr.shutdown().await;
    };
    let outbound = async move {
        let mut framer = LineFramer::new(MAX_LINE);
        loop {
            tokio::select! {
                local = local_rx.recv() => match local {
                    Some(frame) => {
                        let close = matches!(frame, Message::Close(_));
                        if to_page.send(frame).await.is_err() || close {
                            return;
                        }
                    }
                    None => return,
                },
                ready = rd.readable() => {
                    if ready.is_err() {
                        break;
                    }
                    // One read takes what the sweeper wrote since the last (up to 64 KiB), into
                    // the worker thread's scratch buffer: the framer keeps only a partial line.
                    let read = SCRATCH.with_borrow_mut(|chunk| match rd.try_read(chunk) {
                        Ok(n) => {
                            framer.push(&chunk[..n]);
                            Ok(n)
                        }
                        Err(e) => Err(e),
                    });
                    match read {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    // What one read brought in goes out as one frame: a single event, or an
                    // array of them in order (docs/chat-protocol.md), at most BATCH bytes each.
                    let mut batch = Vec::new();
                    let mut events = 0;
                    while let Some(line) = framer.next_line() {
                        let Ok(line) = std::str::from_utf8(line) else {
                            continue;
                        };
                        let mark = batch.len();
                        batch.push(b',');
                        if !events::append_line(line, &mut batch) {
                            batch.truncate(mark);
                            continue;
                        }
                        events += 1;
                        if batch.len() >= BATCH {
                            let frame = batch_frame(std::mem::take(&mut batch), events);
                            events = 0;
                            if to_page.feed(frame).await.is_err() {
                                return;
                            }
                        }
                    }
                    if events > 0 && to_page.feed(batch_frame(batch, events)).await.is_err() {
                        return;
                    }
                    if to_page.flush().await.is_err() {
                        return;
                    }
                }
            }
        }
        // The session closed its end: say goodbye the WebSocket way.
        let _ = to_page
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: "".into(),
            })))
            .await;
    };
    tokio::join!(inbound, outbound);
}

thread_local! {
    /// Where a relay reads its socket pair: one per runtime worker, not one per member.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 64 * 1024]);
}

/// Bytes of events gathered into one frame before it is sent.
const BATCH: usize = 16 * 1024;

/// One frame for `events` events written as `,e1,e2...`: the single event, or `[e1,e2...]`.
fn batch_frame(mut batch: Vec<u8>, events: usize) -> Message {
    if events == 1 {
        batch.remove(0);
    } else {
        batch[0] = b'[';
        batch.push(b']');
    }
    // Only JSON text (valid UTF-8) was written.
    Message::Text(String::from_utf8(batch).unwrap_or_default().into())
}

/// The close frame for a WebSocket that broke the rules: 1009 for a frame too big to read, 1002
/// for anything else (not a valid WebSocket frame, bad UTF-8 in a text frame).
fn close_for(error: axum::Error) -> CloseFrame {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::error::CapacityError;
    let too_big = matches!(
        error.into_inner().downcast_ref::<Error>(),
        Some(Error::Capacity(CapacityError::MessageTooLong { .. }))
    );
    let (code, reason) = if too_big {
        (1009, "frame too big")
    } else {
        (1002, "not a valid WebSocket frame")
    };
    CloseFrame {
        code,
        reason: reason.into(),
    }
}

/// What the server prints after its first line when it serves the page: the page's address, one
/// per line (one per interface address for an unspecified one such as `0.0.0.0`), and a QR code
/// of the first when phones can reach it (not loopback).
pub fn announce(at: SocketAddr, lang: Lang) -> String {
    let urls: Vec<String> = addresses_for(at.ip())
        .into_iter()
        .map(|ip| url(SocketAddr::new(ip, at.port())))
        .collect();
    let mut out = String::new();
    for url in &urls {
        out.push_str(url);
        out.push('\n');
    }
    let first_reachable = addresses_for(at.ip())
        .first()
        .is_some_and(|ip| !ip.is_loopback());
    if let (Some(first), true) = (urls.first(), first_reachable)
        && let Ok(code) = qrcode::QrCode::new(first.as_bytes())
    {
        use qrcode::render::unicode::Dense1x2;
        out.push_str(&msg::web_scan(lang, first));
        out.push('\n');
        out.push_str(
            &code
                .render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build(),
        );
        out.push('\n');
    }
    out
}

/// `http://ip:port/`, with brackets around an IPv6 address.
pub fn url(at: SocketAddr) -> String {
    format!("http://{at}/")
}

/// The addresses a page bound to `ip` can be reached at: `ip` itself, or for an unspecified
/// address every address of this machine's interfaces of that family (both families for `::`,
/// which Linux binds dual-stack), those other machines can reach first.
fn addresses_for(ip: IpAddr) -> Vec<IpAddr> {
    if !ip.is_unspecified() {
        return vec![ip];
    }
    let mut found: Vec<IpAddr> = nix::ifaddrs::getifaddrs()
        .map(|all| {
            all.filter_map(|a| {
                let address = a.address?;
                if let Some(v4) = address.as_sockaddr_in() {
                    Some(IpAddr::V4(v4.ip()))
                } else {
                    address
                        .as_sockaddr_in6()
                        .map(|v6| IpAddr::V6(v6.ip()))
                        .filter(|v6| ip.is_ipv6() && !is_link_local(v6))
                }
            })
            .collect()
        })
        .unwrap_or_default();
    found.sort_by_key(|a| (a.is_loopback(), a.is_ipv6()));
    found.dedup();
    if found.is_empty() {
        found.push(ip);
    }
    found
}

/// fe80::/10: needs an interface name in the URL, which browsers do not take.
fn is_link_local(ip: &IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn only_the_pages_own_origin_may_open_the_websocket() {
        let none: &[String] = &[];
        assert!(origin_allowed(
            &headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"),
            none
        ));
        assert!(origin_allowed(&headers(None, "127.0.0.1:8080"), none));
        for other in [
            "http://evil.example",
            "http://127.0.0.1:9999",
            "null",
            "file://",
            "http://127.0.0.1:8080.evil.example",
        ] {
            assert!(
                !origin_allowed(&headers(Some(other), "127.0.0.1:8080"), none),
                "{other}"
            );
        }
        let allowed = ["http://teacher.local:8080".to_string()];
        assert!(origin_allowed(
            &headers(Some("http://TEACHER.local:8080"), "10.0.0.5:8080"),
            &allowed
        ));
    }

    #[test]
    fn the_page_is_announced_on_every_address_with_a_qr_code_when_reachable() {
        let loopback = announce("127.0.0.1:8080".parse().unwrap(), Lang::En);
        assert_eq!(loopback, "http://127.0.0.1:8080/\n");
        let everywhere = announce("0.0.0.0:8080".parse().unwrap(), Lang::En);
        let urls: Vec<&str> = everywhere
            .lines()
            .take_while(|l| l.starts_with("http://"))
            .collect();
        assert!(urls.contains(&"http://127.0.0.1:8080/"), "{everywhere}");
        if urls.len() > 1 {
            assert!(!urls[0].starts_with("http://127."), "{everywhere}");
            assert!(everywhere.contains('█') || everywhere.contains('▀'));
        }
        assert_eq!(url("[::1]:80".parse().unwrap()), "http://[::1]:80/");
    }
}
