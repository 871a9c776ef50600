//! The chatroom in the browser: one page and one WebSocket, served by the chat server's own
//! process and runtime, into the same room as `toolkit chat client` and `nc`.
//!
//! # How a browser becomes a member
//! 1. `GET /` serves the page ([`page`]: HTML, CSS and JS embedded in the binary; no CDN, no build
//!    step), with a Content-Security-Policy that allows only the page's own script and style.
//! 2. The page opens `GET /ws`. The upgrade is refused unless its `Origin` is the page's own host
//!    (or one allowed with `--web-origin`): another site open in the same browser cannot join the
//!    room in the student's name.
//! 3. The server answers the handshake itself (101, `Sec-WebSocket-Accept`) and takes the TCP
//!    socket back from hyper. The WebSocket takes a place in the room (`--max-clients`,
//!    `--max-per-address`) and gets the very same session as a TCP connection ([`super::wire`]
//!    says why): the sweeper writes the room's lines to the browser's socket as frames of JSON
//!    events ([`frames`], [`events`]); this module's reader ([`read_frames`]) turns the page's
//!    JSON commands into protocol lines for the session, through a one-way socket pair.
//!
//! Nothing the members say is ever inserted into the page as HTML: the page builds its DOM with
//! `textContent` only, and the CSP forbids inline scripts besides.

pub mod events;
pub mod frames;
pub mod page;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream, tcp};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use super::fanout::Batch;
use super::protocol::{self, ErrorCode, MAX_LINE, ServerEvent};
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

/// `GET /ws`: check the origin and the handshake (RFC 6455, section 4.2), answer 101, and hand the
/// upgraded TCP socket to [`bridge`].
async fn websocket(
    State(hub): State<Arc<Hub>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
) -> Response {
    let headers = request.headers();
    if !origin_allowed(headers, &hub.config.web_origins) {
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
    let Some(key) = handshake_key(headers) else {
        return (
            StatusCode::BAD_REQUEST,
            "not a WebSocket handshake (RFC 6455: Upgrade, Connection, Sec-WebSocket-Key, version 13)\n",
        )
            .into_response();
    };
    let accept = derive_accept_key(key.as_bytes());
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else {
            return;
        };
        // The connection was served on our own TcpStream (`serve_http`): take it back, with
        // whatever the browser sent after its request that hyper had already read.
        let Ok(parts) = upgraded.downcast::<TokioIo<TcpStream>>() else {
            return;
        };
        bridge(hub, peer, parts.io.into_inner(), parts.read_buf.to_vec()).await;
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "upgrade")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept)
        .body(axum::body::Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The request's `Sec-WebSocket-Key`, if it is a WebSocket handshake: `GET` (routed), `Upgrade:
/// websocket`, `Connection` naming `upgrade`, version 13.
fn handshake_key(headers: &HeaderMap) -> Option<String> {
    let has = |name: header::HeaderName, word: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|w| w.trim().eq_ignore_ascii_case(word)))
        })
    };
    let version = headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v.as_bytes() == b"13");
    if !(has(header::UPGRADE, "websocket") && has(header::CONNECTION, "upgrade") && version) {
        return None;
    }
    headers
        .get(header::SEC_WEBSOCKET_KEY)?
        .to_str()
        .ok()
        .map(str::to_string)
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

/// A WebSocket's life as a member: a place in the room, the session, and the reader, until both
/// are done. The sweeper writes the room's lines to the browser's socket as frames
/// ([`frames`]); the reader ([`read_frames`]) turns the page's frames into protocol lines for the
/// session, through a one-way socket pair.
async fn bridge(hub: Arc<Hub>, peer: SocketAddr, socket: TcpStream, early: Vec<u8>) {
    let refuse = |code, reason: &str| {
        let mut out = Vec::new();
        let event = events::to_json(&ServerEvent::Err {
            code,
            reason: reason.into(),
        });
        frames::text(event.as_bytes(), &mut out);
        frames::close(1000, "", &mut out);
        out
    };
    let Some(held) = hub.address_place(peer) else {
        let mut socket = socket;
        let _ = socket
            .write_all(&refuse(
                ErrorCode::TooManyConnections,
                "too many connections from your address",
            ))
            .await;
        return;
    };
    let Some(permit) = hub.place() else {
        super::log(&msg::log_full(hub.config.lang, &peer));
        let mut socket = socket;
        let _ = socket
            .write_all(&refuse(
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
    let (from_page, to_page) = socket.into_split();
    // The pair carries lines one way, reader to session; the session's writing goes to the page.
    let (session_rd, _unused) = theirs.into_split();
    let (sender, session) = hub.web_session(
        peer,
        wire::ReadSide::Pair(session_rd),
        wire::WriteSide::Ws(to_page),
    );
    // The session runs to its end on every path (so the room always hears that this member
    // left); the reader is bounded once the session is over.
    let mut session = tokio::spawn(session);
    let reader = read_frames(from_page, early, ours, sender);
    tokio::pin!(reader);
    tokio::select! {
        _ = &mut session => {
            let _ = tokio::time::timeout(GOODBYE_TIMEOUT, reader).await;
        }
        _ = &mut reader => {
            let _ = session.await;
        }
    }
    drop(permit);
    drop(held);
}

/// Read the page's frames until it goes away or breaks the rules: each command becomes protocol
/// lines for the session; what is not a command is answered by `sender` in order with the room's
/// lines; a frame too big to read (or not a valid frame) ends with a Close order (1009 or 1002).
/// The library only reads here: whatever it would write back (a pong, the echo of a close) is
/// dropped, as the page neither pings nor waits for the echo.
async fn read_frames(
    from_page: tcp::OwnedReadHalf,
    early: Vec<u8>,
    pair: UnixStream,
    sender: super::fanout::Sender,
) {
    use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(MAX_FRAME_HARD);
    config.max_frame_size = Some(MAX_FRAME_HARD);
    // Nothing set aside for an idle member: the read buffer grows when frames come.
    config.read_buffer_size = 0;
    let mut frames = tokio_tungstenite::WebSocketStream::from_partially_read(
        ReadOnly(from_page),
        early,
        Role::Server,
        Some(config),
    )
    .await;
    let (_, mut wr) = pair.into_split();
    let answer = |event: ServerEvent| {
        sender.send(Batch::one(protocol::encode_server(&event)));
    };
    // The page is still there after the loop: it sent a Close (and waits for ours, RFC 6455
    // section 5.5.1) or broke the rules (and gets a Close order).
    let mut still_there = false;
    while let Some(frame) = frames.next().await {
        match frame {
            Ok(Message::Text(text)) if text.len() > MAX_FRAME => answer(ServerEvent::Err {
                code: ErrorCode::LineTooLong,
                reason: format!("a frame has at most {MAX_FRAME} bytes; not sent"),
            }),
            Ok(Message::Text(text)) => match events::to_lines(&text) {
                Ok(lines) => {
                    if wr.write_all(lines.as_bytes()).await.is_err() {
                        break;
                    }
                }
                Err(refused) => answer(refused.event()),
            },
            Ok(Message::Binary(_)) => answer(ServerEvent::Err {
                code: ErrorCode::BadCommand,
                reason: "binary frames are not commands; send JSON text".into(),
            }),
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            Ok(Message::Close(_)) => {
                still_there = true;
                break;
            }
            Err(e) => {
                let (code, reason) = close_for(&e);
                sender.send(Batch::one(frames::close_line(code, reason)));
                still_there = true;
                break;
            }
        }
    }
    if still_there {
        // Leave as a member that quits does, so the session writes what is queued (a Close order
        // first) and then its Close, instead of dropping it as it does for a connection that
        // has gone.
        let _ = wr.write_all(b"QUIT\n").await;
    }
    // The page is gone: the session reads the end of its input and leaves the room.
    let _ = wr.shutdown().await;
    if still_there {
        // What the page sent after its Close or the frame that broke the rules is still unread:
        // closing with it in the buffer would reset the connection and could destroy our Close
        // frame on its way. Read and drop until the page closes (it does on our Close) or time
        // runs out.
        // On the heap: an array here would sit in every connection's future, idle or not.
        let mut rest = vec![0u8; 4096];
        let drain = async {
            while let Ok(n) = frames.get_mut().0.read(&mut rest).await {
                if n == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(GOODBYE_TIMEOUT, drain).await;
    }
}

/// The read half of the browser's socket, as the WebSocket library wants a whole stream: it
/// reads, and anything it writes is dropped (see [`read_frames`]).
struct ReadOnly(tcp::OwnedReadHalf);

impl tokio::io::AsyncRead for ReadOnly {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for ReadOnly {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// The close for a WebSocket that broke the rules: 1009 for a frame too big to read, 1002 for
/// anything else (not a valid WebSocket frame, bad UTF-8 in a text frame).
fn close_for(error: &tokio_tungstenite::tungstenite::Error) -> (u16, &'static str) {
    use tokio_tungstenite::tungstenite::Error;
    use tokio_tungstenite::tungstenite::error::CapacityError;
    if matches!(error, Error::Capacity(CapacityError::MessageTooLong { .. })) {
        (1009, "frame too big")
    } else {
        (1002, "not a valid WebSocket frame")
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
