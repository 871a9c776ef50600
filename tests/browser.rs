//! The chat page in a real browser: Debian's chromium, headless, driven through chromedriver
//! (WebDriver) by fantoccini. Two browser sessions and one `toolkit chat client` over a pipe share
//! a room on 127.0.0.1; the homework's exact sentences appear in both pages and in the terminal.
//!
//! `.ci/run` installs chromium and chromium-driver. Set `TOOLKIT_SCREENSHOT=FILE.png` to save the
//! first page as it looks at the end (docs/web-chat.png was made that way).

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

mod support;
use support::chat::*;

/// chromedriver in a process group of its own: dropping the guard kills the group, so the
/// browsers it started cannot outlive a failed test.
struct Driver {
    child: std::process::Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; .ci/run installs it)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }

    /// A new headless browser with a fresh profile.
    async fn browser(&self, profile: &std::path::Path) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    "--disable-crash-reporter", "--disable-breakpad",
                    "--window-size=900,640",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        use nix::sys::signal::{Signal, kill};
        let group = nix::unistd::Pid::from_raw(-(self.child.id() as i32));
        // Politely first (chromedriver then ends its browsers), then the whole group for sure,
        // and wait until none of it is left, zombies included.
        let _ = kill(group, Signal::SIGTERM);
        let _ = self.child.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        while kill(group, None).is_ok() && Instant::now() < deadline {
            let _ = kill(group, Signal::SIGKILL);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The page's chat log as text, once it contains `needle` (within 20 s).
async fn log_with(page: &Client, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = page
            .execute("return document.getElementById('log').textContent", vec![])
            .await
            .unwrap();
        let text = text.as_str().unwrap_or_default().to_string();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} not in the page: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn enter(page: &Client, url: &str, name: &str) {
    page.goto(&format!("{url}?lang=zh")).await.unwrap();
    let field = page.wait().for_element(Locator::Id("name")).await.unwrap();
    field.send_keys(name).await.unwrap();
    page.find(Locator::Id("enter"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while page
        .execute("return document.getElementById('room').hidden", vec![])
        .await
        .unwrap()
        != json!(false)
    {
        assert!(Instant::now() < deadline, "{name} did not enter");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn say(page: &Client, text: &str) {
    let input = page.find(Locator::Id("text")).await.unwrap();
    input.send_keys(text).await.unwrap();
    input.send_keys("\u{E007}").await.unwrap(); // Enter sends
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_and_a_terminal_chat_in_one_room() {
    let (mut srv, addr) = server(&["--web", "127.0.0.1:0", "--rate", "0"]);
    let url = srv.next_line();
    let driver = Driver::start();
    let profiles = tempfile::tempdir().unwrap();
    let red = driver.browser(&profiles.path().join("a")).await;
    let blue = driver.browser(&profiles.path().join("b")).await;

    enter(&red, &url, "小红").await;
    enter(&blue, &url, "小蓝").await;
    log_with(&red, "小蓝 进入了聊天室").await;
    let mut term = client(&addr, "终端", "zh", &[]);
    term.expect("在线的人（共 3 位）");
    log_with(&red, "终端 进入了聊天室").await;
    log_with(&blue, "终端 进入了聊天室").await;
    let members = red
        .execute(
            "return document.getElementById('members').textContent",
            vec![],
        )
        .await
        .unwrap();
    for name in ["小红", "小蓝", "终端"] {
        assert!(members.as_str().unwrap().contains(name), "{members}");
    }

    // Terminal to browsers, browser to terminal and browser.
    term.type_line("你好，浏览器");
    log_with(&red, "终端 说 ： 你好，浏览器").await;
    log_with(&blue, "终端 说 ： 你好，浏览器").await;
    say(&red, "<img src=x onerror=alert(1)>").await;
    term.expect("小红 说 ： <img src=x onerror=alert(1)>");
    log_with(&blue, "小红 说 ： <img src=x onerror=alert(1)>").await;
    for page in [&red, &blue] {
        let images = page
            .execute("return document.querySelectorAll('img').length", vec![])
            .await
            .unwrap();
        assert_eq!(images, json!(0), "member text became HTML");
    }
    // Own messages on the right, others' with their name.
    let mine = red
        .execute(
            "return document.querySelector('#log .mine .text').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(mine, json!("<img src=x onerror=alert(1)>"));

    // The administrator, typing at the server's terminal, reaches everyone.
    srv.type_line("下课了");
    log_with(&red, "管理员说 :下课了").await;
    log_with(&blue, "管理员说 :下课了").await;
    term.expect("管理员说 :下课了");

    if let Some(path) = std::env::var_os("TOOLKIT_SCREENSHOT") {
        std::fs::write(path, red.screenshot().await.unwrap()).unwrap();
    }

    // Closing a browser is leaving.
    blue.close().await.unwrap();
    log_with(&red, "小蓝 退出了聊天").await;
    term.expect("小蓝 退出了聊天");
    red.close().await.unwrap();
    term.expect("小红 退出了聊天");
    term.type_line("/quit");
    assert!(term.wait_exit().success());
    drop(driver);
}
