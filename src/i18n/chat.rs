//! Messages of the `chat` commands.
//!
//! The four room events use the homework's exact sentences, byte for byte as the course notes print
//! them: `xxx 进入了聊天室`, `xxx 说 ： ...` (a FULLWIDTH colon U+FF1A with a space on each side),
//! `xxx 退出了聊天`, `管理员说 :...` (an ASCII colon after a space, none after it) (and `alice joined the chat`, `alice says: ...`,
//! `alice left the chat`, `Admin says: ...` in English). They are chosen by the client that shows
//! them; the server only sends events.

use std::net::SocketAddr;

use super::Lang;

// ---- The room, as a client shows it ----

pub fn joined(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => format!("{name} 进入了聊天室"),
        Lang::En => format!("{name} joined the chat"),
    }
}

pub fn says(lang: Lang, name: &str, text: &str) -> String {
    match lang {
        Lang::Zh => format!("{name} 说 ： {text}"),
        Lang::En => format!("{name} says: {text}"),
    }
}

pub fn left(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => format!("{name} 退出了聊天"),
        Lang::En => format!("{name} left the chat"),
    }
}

/// The members of the room (the answer to `/who`, and on entry): `total` in all, `names` of
/// them on this line.
pub fn members(lang: Lang, total: usize, names: &[String]) -> String {
    match lang {
        Lang::Zh => format!("在线的人（共 {total} 位）：{}", names.join("、")),
        Lang::En => format!("In the room ({total}): {}", names.join(", ")),
    }
}

pub fn admin_says(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("管理员说 :{text}"),
        Lang::En => format!("Admin says: {text}"),
    }
}

pub fn welcome(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("你以 {name} 的名字进入了聊天室（离开：quit、退出 或 Ctrl-D；命令：/help）")
        }
        Lang::En => {
            format!("You entered the chat as {name} (leave: quit, 退出 or Ctrl-D; commands: /help)")
        }
    }
}

/// The client left on the user's word (quit, 退出, Ctrl-D) and the server said goodbye.
pub fn you_left(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => format!("你（{name}）退出了聊天"),
        Lang::En => format!("You ({name}) left the chat"),
    }
}

/// The answer to `/help`: the commands, and on a terminal the editing keys. One row each, the
/// descriptions lined up by display width.
pub fn help(lang: Lang, editing: bool) -> Vec<String> {
    let commands: [(&str, &str); 3] = match lang {
        Lang::Zh => [
            ("/who", "在线的人"),
            ("/help", "这份说明"),
            ("/quit、quit、退出", "离开聊天室（Ctrl-D 也可以）"),
        ],
        Lang::En => [
            ("/who", "who is in the room"),
            ("/help", "this list"),
            ("/quit, quit, 退出", "leave the room (so does Ctrl-D)"),
        ],
    };
    let keys: [(&str, &str); 5] = match lang {
        Lang::Zh => [
            ("← →、Home End（Ctrl-A Ctrl-E）", "移动光标"),
            ("Backspace、Delete", "删除一个字"),
            ("Ctrl-U、Ctrl-W、Ctrl-K", "删到行首、删一个词、删到行尾"),
            ("↑ ↓", "翻出发过的话"),
            ("Ctrl-C", "离开"),
        ],
        Lang::En => [
            ("Left Right, Home End (Ctrl-A Ctrl-E)", "move the cursor"),
            ("Backspace, Delete", "erase a character"),
            (
                "Ctrl-U, Ctrl-W, Ctrl-K",
                "erase to the start, a word, to the end",
            ),
            ("Up Down", "the lines you sent"),
            ("Ctrl-C", "leave"),
        ],
    };
    let table = |title: &str, rows: &[(&str, &str)]| {
        let width = rows
            .iter()
            .map(|(k, _)| crate::output::display_width(k))
            .max()
            .unwrap_or(0);
        let mut out = vec![title.to_string()];
        out.extend(
            rows.iter()
                .map(|(k, d)| format!("  {}  {d}", crate::output::pad_to(k, width))),
        );
        out
    };
    let mut rows = table(lang.pick("命令：", "Commands:"), &commands);
    if editing {
        rows.extend(table(lang.pick("编辑：", "Editing:"), &keys));
    }
    rows
}

/// The administrator's prompt on the server's console.
pub fn admin_prompt(lang: Lang) -> &'static str {
    lang.pick("管理员> ", "admin> ")
}

pub fn name_prompt(lang: Lang) -> &'static str {
    lang.pick("请输入你的名字: ", "Your name: ")
}

/// Why the server (or the client itself, before asking) refused something, for the user.
/// `code` is the `ERR` line's word (`name-taken`); `max_name_chars` the protocol's name limit.
pub fn refusal(lang: Lang, code: &str, name: &str, reason: &str, max_name_chars: usize) -> String {
    match (lang, code) {
        (Lang::Zh, "name-taken") => format!("名字 {name} 已被占用，请换一个"),
        (Lang::En, "name-taken") => format!("the name {name} is taken, choose another"),
        (Lang::Zh, "name-reserved") => {
            format!("名字 {name} 是保留名字（管理员/系统），或者看起来和保留名字一样，不能使用")
        }
        (Lang::En, "name-reserved") => {
            format!(
                "the name {name} is reserved (administrator/system) or looks like one, choose another"
            )
        }
        (Lang::Zh, "name-invalid") => format!(
            "名字 {name} 不合规则：1 到 {max_name_chars} 个字符，由字母、数字（汉字也算）和 _ - . 组成；\
             不能有空格、看不见的字符、符号、表情或全角字母，也不能混用容易看错的文字（如拉丁字母和西里尔字母）"
        ),
        (Lang::En, "name-invalid") => format!(
            "the name {name} is not allowed: 1 to {max_name_chars} letters, digits (any script) and _ - .; \
             no spaces, invisible characters, symbols, emoji or fullwidth letters, and no mix of scripts \
             that look alike (such as Latin and Cyrillic)"
        ),
        (Lang::Zh, "line-too-long") => "这一行太长，服务器没有转发".into(),
        (Lang::En, "line-too-long") => "that line was too long; the server dropped it".into(),
        (Lang::Zh, "bad-utf8") => "这一行不是合法的 UTF-8，服务器没有转发".into(),
        (Lang::En, "bad-utf8") => "that line was not valid UTF-8; the server dropped it".into(),
        (Lang::Zh, "rate-limited") => "你发得太快了：消息会被延迟发送（没有丢失）".into(),
        (Lang::En, "rate-limited") => {
            "you are sending too fast: your messages are being delayed (none is lost)".into()
        }
        (Lang::Zh, "too-many-connections") => {
            "从你的地址来的连接太多了（服务器的 --max-per-address），请先关掉一些".into()
        }
        (Lang::En, "too-many-connections") => {
            "too many connections from your address (the server's --max-per-address); close some first".into()
        }
        (Lang::Zh, "server-full") => "聊天室已满，请稍后再试".into(),
        (Lang::En, "server-full") => "the chat room is full, try again later".into(),
        (Lang::Zh, "name-timeout") => "太久没有输入名字，服务器关闭了连接".into(),
        (Lang::En, "name-timeout") => {
            "no name was given in time; the server closed the connection".into()
        }
        (Lang::Zh, _) => format!("服务器拒绝：{reason}"),
        (Lang::En, _) => format!("the server refused: {reason}"),
    }
}

pub fn notice(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("提示: {text}"),
        Lang::En => format!("notice: {text}"),
    }
}

/// `max` is the longest text the protocol carries, in bytes.
pub fn too_long_local(lang: Lang, max: usize) -> String {
    match lang {
        Lang::Zh => format!("这条消息太长（最多 {max} 字节），没有发送"),
        Lang::En => format!("that message is too long (at most {max} bytes); not sent"),
    }
}

pub fn name_refused_exit(lang: Lang, refusal: &str) -> String {
    match lang {
        Lang::Zh => format!("{refusal}（用 --name 换一个名字再试）"),
        Lang::En => format!("{refusal} (run again with another --name)"),
    }
}

pub fn no_name(lang: Lang) -> &'static str {
    lang.pick(
        "没有得到名字：标准输入已结束（用 --name 指定名字）",
        "no name given: standard input ended (give one with --name)",
    )
}

pub fn connect_failed(lang: Lang, addr: &str, err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::InvalidInput {
        return super::common::not_an_address(lang, addr);
    }
    let err = super::common::os_error(lang, err);
    match lang {
        Lang::Zh => format!(
            "连接不上 {addr}：{err}（服务器启动了吗？用 `toolkit chat server --addr {addr}` 启动）"
        ),
        Lang::En => format!(
            "cannot connect to {addr}: {err} (is the server running? start it with `toolkit chat server --addr {addr}`)"
        ),
    }
}

pub fn server_full_exit(lang: Lang) -> &'static str {
    lang.pick(
        "聊天室已满（服务器的 --max-clients），请稍后再试",
        "the chat room is full (the server's --max-clients); try again later",
    )
}

pub fn not_a_chat_server(lang: Lang, addr: &str) -> String {
    match lang {
        Lang::Zh => format!("{addr} 上的程序不像是 toolkit 聊天服务器（没有收到 HELLO）"),
        Lang::En => {
            format!("the program at {addr} does not look like a toolkit chat server (no HELLO)")
        }
    }
}

pub fn server_closing(lang: Lang) -> &'static str {
    lang.pick("服务器正在关闭", "the server is shutting down")
}

/// The server did not answer `NAME` in time.
pub fn no_answer(lang: Lang) -> &'static str {
    lang.pick(
        "服务器没有回答（10 秒内没有 WELCOME 或 ERR）：它可能卡住了，或者不是 toolkit 聊天服务器",
        "the server did not answer (no WELCOME or ERR within 10 s): it may be stuck, or not a toolkit chat server",
    )
}

/// The client's sending child died while the client was in the room.
pub fn sender_died(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => {
            format!("发送进程（PID {pid}）意外结束，输入的内容再也发不出去了；已回收它并离开聊天室")
        }
        Lang::En => format!(
            "the sending process (PID {pid}) ended unexpectedly, so nothing typed could be sent any \
             more; it was reaped and the client left the room"
        ),
    }
}

/// A line from the server longer than any event was dropped.
pub fn line_dropped(lang: Lang, max: usize) -> String {
    match lang {
        Lang::Zh => format!("服务器发来的一行超过 {max} 字节，已丢弃"),
        Lang::En => format!("a line from the server was longer than {max} bytes and was dropped"),
    }
}

pub fn server_gone(lang: Lang) -> &'static str {
    lang.pick(
        "与服务器的连接断开了（服务器关闭或把我们断开）；发送进程已停止并回收",
        "the connection to the server is gone (server stopped or dropped us); the sender process was stopped and reaped",
    )
}

pub fn fork_failed(lang: Lang, err: &dyn std::fmt::Display) -> String {
    match lang {
        Lang::Zh => format!("无法创建子进程：{err}"),
        Lang::En => format!("cannot create the child process: {err}"),
    }
}

pub fn explain_client(lang: Lang, pid: u32, ppid: i32, child: i32) -> String {
    match lang {
        Lang::Zh => format!(
            "进程分工:\n  PID {pid} (父进程 PPID {ppid})：接收进程，读取服务器发来的事件并打印\n  PID {child} (子进程 PPID {pid})：发送进程，读取你的输入并发给服务器\n  查看：toolkit ps-tree -p {pid}"
        ),
        Lang::En => format!(
            "Who does what:\n  PID {pid} (parent, PPID {ppid}): receiver, reads events from the server and prints them\n  PID {child} (child, PPID {pid}): sender, reads what you type and sends it\n  See: toolkit ps-tree -p {pid}"
        ),
    }
}

// ---- The server ----

pub fn explain_server(lang: Lang, pid: u32, ppid: i32, admin_pid: i32) -> String {
    match lang {
        Lang::Zh => format!(
            "进程分工:\n  PID {pid} (父进程 PPID {ppid})：tokio 服务器，接受连接并广播消息；把管理员通道（套接字对）里的发言广播给所有人\n  PID {admin_pid} (子进程 PPID {pid})：管理员控制台，逐行读取这个终端，写进管理员通道\n  查看：toolkit ps-tree -p {pid}"
        ),
        Lang::En => format!(
            "Who does what:\n  PID {pid} (parent, PPID {ppid}): tokio server, accepts connections and broadcasts; turns admin lines from the admin channel (a socket pair) into broadcasts\n  PID {admin_pid} (child, PPID {pid}): admin console, reads this terminal line by line into the admin channel\n  See: toolkit ps-tree -p {pid}"
        ),
    }
}

pub fn log_too_many_from(lang: Lang, peer: &SocketAddr) -> String {
    match lang {
        Lang::Zh => format!("拒绝 {peer}：这个地址的连接数已达上限（--max-per-address）"),
        Lang::En => format!(
            "refused {peer}: that address holds its limit of connections (--max-per-address)"
        ),
    }
}

pub fn bind_failed(lang: Lang, addr: &str, err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::InvalidInput {
        return super::common::not_an_address(lang, addr);
    }
    let hint = match (lang, err.raw_os_error()) {
        (Lang::Zh, Some(libc::EADDRINUSE)) => "换一个 --addr，或用 127.0.0.1:0 自动选一个空闲端口",
        (Lang::En, Some(libc::EADDRINUSE)) => "pick another --addr, or 127.0.0.1:0 for a free port",
        (Lang::Zh, Some(libc::EADDRNOTAVAIL)) => {
            "只能监听这台机器自己的地址：127.0.0.1（本机），或 0.0.0.0（所有网卡）"
        }
        (Lang::En, Some(libc::EADDRNOTAVAIL)) => {
            "only this machine's own addresses can be listened on: 127.0.0.1 (this machine), or 0.0.0.0 (every interface)"
        }
        (Lang::Zh, Some(libc::EACCES)) => "1024 以下的端口需要 root；换一个大于 1024 的端口",
        (Lang::En, Some(libc::EACCES)) => "ports below 1024 need root; pick one above 1024",
        (Lang::Zh, _) => "换一个 --addr 试试",
        (Lang::En, _) => "try another --addr",
    };
    let err = super::common::os_error(lang, err);
    match lang {
        Lang::Zh => format!("无法监听 {addr}：{err}（{hint}）"),
        Lang::En => format!("cannot listen on {addr}: {err} ({hint})"),
    }
}

pub fn log_listening(lang: Lang, addr: &SocketAddr) -> String {
    match lang {
        Lang::Zh => format!(
            "在 {addr} 上监听；在这个终端输入的每一行都会作为管理员发言广播（Ctrl-C 关闭服务器）"
        ),
        Lang::En => format!(
            "listening on {addr}; every line typed here is broadcast as the administrator (Ctrl-C stops the server)"
        ),
    }
}

pub fn log_joined(lang: Lang, name: &str, peer: &SocketAddr, online: usize) -> String {
    match lang {
        Lang::Zh => format!("{name} 从 {peer} 进入（在线 {online} 人）"),
        Lang::En => format!("{name} joined from {peer} ({online} online)"),
    }
}

/// Why someone left, for the server's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveReason {
    Quit,
    Disconnected,
    TooSlow,
    ServerClosing,
}

pub fn log_left(lang: Lang, name: &str, reason: LeaveReason, lost_bytes: usize) -> String {
    let why = match (lang, reason) {
        (Lang::Zh, LeaveReason::Quit) => "主动退出",
        (Lang::En, LeaveReason::Quit) => "quit",
        (Lang::Zh, LeaveReason::Disconnected) => "连接断开",
        (Lang::En, LeaveReason::Disconnected) => "connection closed",
        (Lang::Zh, LeaveReason::TooSlow) => "不读消息，发送队列已满，被断开",
        (Lang::En, LeaveReason::TooSlow) => "not reading, queue full, dropped",
        (Lang::Zh, LeaveReason::ServerClosing) => "服务器关闭",
        (Lang::En, LeaveReason::ServerClosing) => "server closing",
    };
    match (lang, lost_bytes) {
        (Lang::Zh, 0) => format!("{name} 离开（{why}）"),
        (Lang::En, 0) => format!("{name} left ({why})"),
        (Lang::Zh, n) => format!("{name} 离开（{why}；丢弃了未结束的半行 {n} 字节）"),
        (Lang::En, n) => format!("{name} left ({why}; dropped an unfinished line of {n} bytes)"),
    }
}

pub fn log_name_timeout(lang: Lang, peer: &SocketAddr) -> String {
    match lang {
        Lang::Zh => format!("{peer} 超时没有发送名字，已关闭"),
        Lang::En => format!("{peer} sent no name in time: closed"),
    }
}

pub fn log_full(lang: Lang, peer: &SocketAddr) -> String {
    match lang {
        Lang::Zh => format!("聊天室已满（--max-clients），拒绝 {peer}"),
        Lang::En => format!("room full (--max-clients): refused {peer}"),
    }
}

pub fn log_accept_error(lang: Lang, err: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("accept 失败：{err}（稍后重试）"),
        Lang::En => format!("accept failed: {err} (retrying shortly)"),
    }
}

pub fn log_admin(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("管理员广播：{text}"),
        Lang::En => format!("admin broadcast: {text}"),
    }
}

pub fn admin_line_too_long(lang: Lang, max: usize) -> String {
    match lang {
        Lang::Zh => format!("这一行超过 {max} 字节，没有发送"),
        Lang::En => format!("this line is longer than {max} bytes and was not sent"),
    }
}

pub fn log_admin_closed(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("管理员控制台（PID {pid}）的输入已结束；服务器继续运行"),
        Lang::En => {
            format!("the admin console (PID {pid}) reached end of input; the server keeps serving")
        }
    }
}

pub fn log_admin_reaped(lang: Lang, pid: i32, status: &str) -> String {
    match lang {
        Lang::Zh => format!("已回收管理员控制台子进程 PID {pid}：{status}"),
        Lang::En => format!("reaped the admin console child PID {pid}: {status}"),
    }
}

pub fn log_shutting_down(lang: Lang, online: usize) -> String {
    match lang {
        Lang::Zh => format!("收到关闭信号：通知 {online} 个在线用户并关闭连接"),
        Lang::En => format!("shutdown signal: telling {online} members and closing connections"),
    }
}

pub fn log_stopped(lang: Lang) -> &'static str {
    lang.pick("服务器已停止", "server stopped")
}

pub fn log_web_origin_refused(lang: Lang, peer: &SocketAddr, origin: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("拒绝 {peer} 的 WebSocket：来源 {origin} 不是本页面（可用 --web-origin 允许）")
        }
        Lang::En => format!(
            "refused a WebSocket from {peer}: origin {origin} is not this page's (allow it with --web-origin)"
        ),
    }
}

pub fn web_scan(lang: Lang, url: &str) -> String {
    match lang {
        Lang::Zh => format!("用手机扫码，或在浏览器中打开 {url} 加入聊天室："),
        Lang::En => format!("Scan with a phone, or open {url} in a browser, to join the chat:"),
    }
}

/// A line said before the reader entered, marked as past: `[历史 14:03] ...`.
pub fn past(lang: Lang, at: &str, line: &str) -> String {
    match lang {
        Lang::Zh => format!("[历史 {at}] {line}"),
        Lang::En => format!("[earlier {at}] {line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_fits_an_80_column_terminal_in_both_languages() {
        for editing in [false, true] {
            let (zh, en) = (help(Lang::Zh, editing), help(Lang::En, editing));
            assert_eq!(zh.len(), en.len());
            for row in zh.iter().chain(&en) {
                assert!(crate::output::display_width(row) < 80, "{row}");
            }
        }
        assert!(help(Lang::En, true).iter().any(|r| r.contains("/who")));
    }

    #[test]
    fn the_homework_sentences_are_exact() {
        assert_eq!(joined(Lang::Zh, "小明"), "小明 进入了聊天室");
        // The notes' bytes: "xxx 说 ： xxxxxxxx" and "管理员说 :xxxxxxxx".
        assert_eq!(
            says(Lang::Zh, "小明", "你好").as_bytes(),
            "小明 \u{8bf4} \u{ff1a} 你好".as_bytes()
        );
        assert_eq!(left(Lang::Zh, "小明"), "小明 退出了聊天");
        assert_eq!(
            admin_says(Lang::Zh, "下课").as_bytes(),
            "\u{7ba1}\u{7406}\u{5458}\u{8bf4} :下课".as_bytes()
        );
        assert_eq!(joined(Lang::En, "alice"), "alice joined the chat");
        assert_eq!(says(Lang::En, "alice", "hi"), "alice says: hi");
        assert_eq!(left(Lang::En, "alice"), "alice left the chat");
        assert_eq!(admin_says(Lang::En, "hi"), "Admin says: hi");
    }
}
