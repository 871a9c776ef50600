//! `toolkit chat server --web`: WebSocket clients (tungstenite) and TCP clients in one room, against
//! the real binary on 127.0.0.1 with ephemeral ports. The browser test is tests/browser.rs.

use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, Message, WebSocket, client::IntoClientRequest};

mod support;
use support::chat::*;

/// A server with its web side; returns it, the TCP address and the page's URL.
fn web_server(extra: &[&str]) -> (Proc, String, String) {
    let mut args = vec!["--web", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let (mut srv, addr) = server(&args);
    let url = srv.next_line();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (srv, addr, url)
}

/// A WebSocket client, as the page would be (but without an `Origin`, like any non-browser).
struct Web {
    socket: WebSocket<TcpStream>,
    /// Events of a frame that carried several, not yet looked at.
    pending: std::collections::VecDeque<Value>,
}

impl Web {
    fn connect(url: &str) -> Web {
        Web::connect_with(url, &[]).expect("handshake")
    }

    fn connect_with(
        url: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Web, tungstenite::Error> {
        let ws_url = format!("{}ws", url.replace("http://", "ws://"));
        let mut request = ws_url.into_client_request()?;
        for (k, v) in headers {
            request
                .headers_mut()
                .insert(*k, v.parse().expect("header value"));
        }
        let host = url.trim_start_matches("http://").trim_end_matches('/');
        let stream = TcpStream::connect(host).expect("connect");
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let (socket, _) = tungstenite::client(request, stream).map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => e,
            tungstenite::HandshakeError::Interrupted(_) => panic!("handshake interrupted"),
        })?;
        let mut web = Web {
            socket,
            pending: Default::default(),
        };
        assert_eq!(web.event()["type"], "hello");
        Ok(web)
    }

    fn named(url: &str, name: &str) -> Web {
        let mut web = Web::connect(url);
        web.send(json!({"type": "name", "name": name}));
        assert_eq!(web.event(), json!({"type": "welcome", "name": name}));
        web
    }

    fn send(&mut self, command: Value) {
        self.socket
            .send(Message::Text(command.to_string().into()))
            .unwrap();
    }

    /// The next event; panics on close or after [`WAIT`].
    fn event(&mut self) -> Value {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return event;
            }
            match self.socket.read().expect("read") {
                Message::Text(text) => match serde_json::from_str(&text).expect("JSON event") {
                    Value::Array(events) => self.pending.extend(events),
                    event => return event,
                },
                Message::Close(frame) => panic!("closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Skip events until one of type `kind`.
    fn skip_to(&mut self, kind: &str) -> Value {
        loop {
            let event = self.event();
            if event["type"] == kind {
                return event;
            }
        }
    }

    /// The close frame's code, skipping everything before it.
    fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.socket.read() {
                Ok(Message::Close(frame)) => return frame.map(|f| f.code.into()),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}

#[test]
fn browsers_and_terminals_share_one_room_with_one_set_of_names() {
    let (mut srv, addr, url) = web_server(&["--rate", "0"]);
    let mut alice = Web::named(&url, "alice");
    // Names are unique across TCP and web, ignoring case.
    let mut tcp = Raw::connect(&addr);
    tcp.send("NAME Alice");
    assert!(tcp.line().starts_with("ERR name-taken "));
    tcp.send("NAME bob");
    assert_eq!(tcp.line(), "WELCOME bob");
    assert_eq!(alice.event(), json!({"type": "joined", "name": "bob"}));
    // And the other way round, with the same reserved names.
    let mut web2 = Web::connect(&url);
    web2.send(json!({"type": "name", "name": "BOB"}));
    assert_eq!(web2.event()["code"], "name-taken");
    web2.send(json!({"type": "name", "name": "管理员"}));
    assert_eq!(web2.event()["code"], "name-reserved");
    web2.send(json!({"type": "name", "name": "carol"}));
    assert_eq!(web2.event(), json!({"type": "welcome", "name": "carol"}));
    assert_eq!(alice.event()["name"], "carol");
    assert_eq!(tcp.line(), "JOINED carol");

    tcp.send("SAY 你好 <img src=x onerror=alert(1)>");
    for web in [&mut alice, &mut web2] {
        assert_eq!(
            web.event(),
            json!({"type": "msg", "name": "bob", "text": "你好 <img src=x onerror=alert(1)>"})
        );
    }
    alice.send(json!({"type": "say", "text": "hi from the browser"}));
    assert_eq!(tcp.line(), "MSG alice hi from the browser");
    assert_eq!(web2.event()["text"], "hi from the browser");
    // The administrator reaches both kinds.
    srv.type_line("下课了");
    assert_eq!(tcp.line(), "ADMIN 下课了");
    assert_eq!(alice.event(), json!({"type": "admin", "text": "下课了"}));
    assert_eq!(web2.event()["type"], "admin");
    alice.send(json!({"type": "who"}));
    assert_eq!(
        alice.event(),
        json!({"type": "members", "total": 3, "names": ["alice", "bob", "carol"]})
    );
    // A page that goes away leaves the room.
    drop(alice);
    assert_eq!(tcp.line(), "LEFT alice");
    assert_eq!(web2.event(), json!({"type": "left", "name": "alice"}));
    web2.send(json!({"type": "quit"}));
    assert_eq!(web2.event()["type"], "bye");
    assert_eq!(web2.close_code(), Some(1000));
    assert_eq!(tcp.line(), "LEFT carol");
    // Shutdown says CLOSING on both kinds.
    let mut late = Web::named(&url, "dave");
    assert_eq!(tcp.line(), "JOINED dave");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(srv.pid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(tcp.skip_to("CLOSING"), "CLOSING");
    assert_eq!(late.skip_to("closing")["type"], "closing");
    assert!(srv.wait_exit().success());
}

#[test]
fn a_late_joiner_sees_recent_history_marked_as_past() {
    let (_srv, addr, url) = web_server(&["--rate", "0", "--history", "2"]);
    let mut bob = Raw::named(&addr, "bob");
    let mut carol = Raw::named(&addr, "carol");
    assert_eq!(bob.line(), "JOINED carol");
    for i in 1..=3 {
        carol.send(&format!("SAY m{i}"));
        assert_eq!(bob.line(), format!("MSG carol m{i}"));
    }
    let mut web = Web::named(&url, "alice");
    for i in 2..=3 {
        let past = web.event();
        assert_eq!(past["type"], "history");
        assert!(past["at"].as_i64().unwrap() > 1_700_000_000);
        assert_eq!(
            past["event"],
            json!({"type": "msg", "name": "carol", "text": format!("m{i}")})
        );
    }
    carol.send("SAY live");
    assert_eq!(
        web.event(),
        json!({"type": "msg", "name": "carol", "text": "live"})
    );
    // Over TCP the same past arrives as HISTORY lines.
    let mut dave = Raw::connect(&addr);
    dave.send("NAME dave");
    assert_eq!(dave.line(), "WELCOME dave");
    assert!(dave.line().ends_with(" MSG carol m3"));
    assert!(dave.line().starts_with("HISTORY "));
    // The terminal client shows the past as such.
    let mut erin = client(&addr, "erin", "en", &[]);
    let past = erin.expect("carol says: live");
    assert!(past.starts_with("[earlier "), "{past}");
    // With --history 0 there is none.
    let (_srv0, _addr0, url0) = web_server(&["--history", "0"]);
    let mut first = Web::named(&url0, "first");
    let mut second = Web::named(&url0, "second");
    second.send(json!({"type": "say", "text": "x"}));
    assert_eq!(first.skip_to("msg")["text"], "x");
    let mut third = Web::named(&url0, "third");
    third.send(json!({"type": "who"}));
    assert_eq!(third.event()["type"], "members");
}

#[test]
fn bad_frames_are_refused_and_oversized_ones_close_the_socket() {
    let (_srv, addr, url) = web_server(&["--rate", "0"]);
    let mut bob = Raw::named(&addr, "bob");
    let mut web = Web::named(&url, "alice");
    assert_eq!(bob.line(), "JOINED alice");
    web.socket
        .send(Message::Text("not json".to_string().into()))
        .unwrap();
    assert_eq!(web.event()["code"], "bad-command");
    web.socket
        .send(Message::Binary(vec![1, 2, 3].into()))
        .unwrap();
    assert_eq!(web.event()["code"], "bad-command");
    // A name with a line break cannot smuggle in a command; a message with one is two messages.
    web.send(json!({"type": "say", "text": "one\nQUIT"}));
    assert_eq!(bob.line(), "MSG alice one");
    assert_eq!(bob.line(), "MSG alice QUIT");
    // Over the line limit but under the frame cap: refused, the connection stays.
    web.send(json!({"type": "say", "text": "x".repeat(5000)}));
    assert_eq!(web.event()["code"], "line-too-long");
    web.send(json!({"type": "say", "text": "y".repeat(9000)}));
    assert_eq!(web.event()["code"], "line-too-long");
    web.send(json!({"type": "say", "text": "still here"}));
    assert_eq!(bob.line(), "MSG alice still here");
    // A frame too big to read closes the WebSocket with 1009; the room hears the member leave.
    let _ = web.socket.send(Message::Text("z".repeat(100_000).into()));
    assert_eq!(web.close_code(), Some(1009));
    assert_eq!(bob.line(), "LEFT alice");
}

#[test]
fn a_page_from_another_origin_may_not_join() {
    let (_srv, _addr, url) = web_server(&["--web-origin", "http://teacher.local:8080"]);
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    match Web::connect_with(&url, &[("Origin", "http://evil.example")]) {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("not refused: {:?}", other.map(|_| ())),
    }
    let own = format!("http://{host}");
    Web::connect_with(&url, &[("Origin", own.as_str())]).expect("own origin");
    Web::connect_with(&url, &[("Origin", "http://teacher.local:8080")]).expect("allowed origin");
}

#[test]
fn a_web_member_that_stops_reading_is_dropped_and_nobody_loses_anything() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let (_srv, addr, url) = web_server(&["--rate", "0"]);
    // The non-reader's socket has a small receive buffer, so it fills quickly.
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let request = format!("ws://{host}/ws").into_client_request().unwrap();
    let (mut slow, _) = tungstenite::client(request, small_buffer_connection(host)).unwrap();
    assert!(matches!(slow.read().unwrap(), Message::Text(_)));
    let name = json!({"type": "name", "name": "slow"}).to_string();
    slow.send(Message::Text(name.into())).unwrap();
    let mut fast = Web::named(&url, "fast");
    let mut watcher = Raw::named(&addr, "watcher");
    let sender = Raw::named(&addr, "sender");
    assert_eq!(watcher.line(), "JOINED sender");

    // Each healthy member reads on its own thread and publishes how many messages it has, in
    // order; the sender never runs more than WINDOW ahead of them (well under the 256-line
    // queue), so they are healthy by construction. Bounded: at most 8000 x 1 KB.
    const WINDOW: usize = 64;
    let slow_left = Arc::new(AtomicBool::new(false));
    let (fast_count, watcher_count) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let fast_thread = {
        let count = Arc::clone(&fast_count);
        std::thread::spawn(move || {
            loop {
                let event = fast.event();
                if event["type"] == "msg" {
                    let text = event["text"].as_str().unwrap().to_string();
                    if text == "end" {
                        return;
                    }
                    let n = count.load(Ordering::SeqCst);
                    assert!(text.starts_with(&format!("{n} ")), "order: {n} {text:.20}");
                    count.store(n + 1, Ordering::SeqCst);
                }
            }
        })
    };
    let watcher_thread = {
        let (count, slow_left) = (Arc::clone(&watcher_count), Arc::clone(&slow_left));
        std::thread::spawn(move || {
            loop {
                let line = watcher.line();
                if line == "LEFT slow" {
                    slow_left.store(true, Ordering::SeqCst);
                } else if let Some(text) = line.strip_prefix("MSG sender ") {
                    if text == "end" {
                        return;
                    }
                    let n = count.load(Ordering::SeqCst);
                    assert!(text.starts_with(&format!("{n} ")), "order: {n} {text:.20}");
                    count.store(n + 1, Ordering::SeqCst);
                }
            }
        })
    };
    let mut writer = sender.reader.get_ref().try_clone().unwrap();
    let pad = "m".repeat(1000);
    let (mut sent, mut after_drop) = (0, 0);
    while after_drop < 100 {
        let deadline = std::time::Instant::now() + WAIT;
        while fast_count.load(Ordering::SeqCst) + WINDOW < sent
            || watcher_count.load(Ordering::SeqCst) + WINDOW < sent
        {
            assert!(
                std::time::Instant::now() < deadline,
                "readers stopped receiving"
            );
            std::thread::yield_now();
        }
        std::io::Write::write_all(&mut writer, format!("SAY {sent} {pad}\n").as_bytes()).unwrap();
        sent += 1;
        if slow_left.load(Ordering::SeqCst) {
            after_drop += 1;
        }
        assert!(
            sent < 8000,
            "the web member that never reads was never dropped"
        );
    }
    std::io::Write::write_all(&mut writer, b"SAY end\n").unwrap();
    fast_thread.join().unwrap();
    watcher_thread.join().unwrap();
    assert_eq!(fast_count.load(Ordering::SeqCst), sent);
    assert_eq!(watcher_count.load(Ordering::SeqCst), sent);
    drop(slow);
}

#[test]
fn the_page_is_served_with_its_security_headers() {
    let (_srv, _addr, url) = web_server(&[]);
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let response = http_get(host, "/");
    assert!(response.starts_with("HTTP/1.1 200"), "{response:.200}");
    let lower = response.to_ascii_lowercase();
    assert!(lower.contains("content-security-policy: default-src 'none'; script-src 'self';"));
    assert!(lower.contains("x-content-type-options: nosniff"));
    assert!(response.contains("<script src=\"/app.js\" defer></script>"));
    assert!(http_get(host, "/app.js").contains("textContent"));
    assert!(http_get(host, "/style.css").contains(".admin"));
    assert!(http_get(host, "/nothing").starts_with("HTTP/1.1 404"));
}

/// One plain HTTP/1.1 GET, the whole response as text.
fn http_get(host: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// A page that closes its WebSocket gets the server's Close back (RFC 6455, 5.5.1), after the
/// room has said goodbye, and the room hears it leave.
#[test]
fn a_page_that_closes_gets_a_close_back() {
    let (_srv, addr, url) = web_server(&[]);
    let mut bob = Raw::named(&addr, "bob");
    let mut web = Web::named(&url, "alice");
    assert_eq!(bob.line(), "JOINED alice");
    web.socket.close(None).unwrap();
    assert_eq!(web.close_code(), Some(1000));
    assert_eq!(bob.line(), "LEFT alice");
}
