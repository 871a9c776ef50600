//! Messages shared by every command.

use super::Lang;

/// The prefix of every error line.
pub fn error_prefix(lang: Lang) -> &'static str {
    lang.pick("toolkit: 错误: ", "toolkit: error: ")
}

pub fn no_such_process(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("没有 PID 为 {pid} 的进程（用 `toolkit ps` 查看现有进程）"),
        Lang::En => {
            format!("no process with PID {pid} (see `toolkit ps` for the processes that exist)")
        }
    }
}

pub fn proc_unreadable(lang: Lang, what: &str) -> String {
    match lang {
        Lang::Zh => format!("无法读取 {what}：这台机器挂载了 /proc 吗？"),
        Lang::En => format!("cannot read {what}: is /proc mounted on this machine?"),
    }
}

/// The user stopped the command (`signal` is `SIGINT` for Ctrl-C, or `SIGTERM`); every child was
/// stopped and reaped.
pub fn interrupted(lang: Lang, signal: &str) -> String {
    match lang {
        Lang::Zh => format!("已被 {signal} 中断（Ctrl-C 就是 SIGINT）；所有子进程都已结束并回收"),
        Lang::En => format!(
            "interrupted by {signal} (Ctrl-C sends SIGINT); every child was stopped and reaped"
        ),
    }
}

/// A refusal to fork while more than one thread runs.
pub fn multi_threaded(lang: Lang, threads: i64) -> String {
    match lang {
        Lang::Zh => {
            format!("拒绝 fork：这个进程现在有 {threads} 个线程（只有单线程时 fork 才安全）")
        }
        Lang::En => format!(
            "refusing to fork: this process has {threads} threads (fork is only safe while single-threaded)"
        ),
    }
}

pub fn threads_unknown(lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            "拒绝 fork：读不到 /proc/self/stat 里的线程数，无法确认只有一个线程（/proc 挂载了吗？）"
                .into()
        }
        Lang::En => {
            "refusing to fork: cannot read this process's thread count from /proc/self/stat, \
                     so it cannot know that it is single-threaded (is /proc mounted?)"
                .into()
        }
    }
}

/// `errno` as its name and the system's description (`EAGAIN`, `Resource temporarily unavailable`).
pub fn fork_failed_plain(lang: Lang, name: &str, desc: &str) -> String {
    match lang {
        Lang::Zh => format!("fork() 失败：{name}（{desc}）"),
        Lang::En => format!("fork() failed: {name} ({desc})"),
    }
}

pub fn wait_failed(lang: Lang, pid: i32, name: &str, desc: &str) -> String {
    match lang {
        Lang::Zh => format!("waitpid({pid}) 失败：{name}（{desc}）"),
        Lang::En => format!("waitpid({pid}) failed: {name} ({desc})"),
    }
}

/// An operating-system error in the user's language: the kernel's own words in English, a
/// translation of the common ones in Chinese (the errno name stays, for searching).
pub fn os_error(lang: Lang, err: &std::io::Error) -> String {
    if lang == Lang::En {
        return err.to_string();
    }
    let zh = match err.raw_os_error() {
        Some(libc::ECONNREFUSED) => "连接被拒绝：那个地址上没有程序在监听",
        Some(libc::EADDRINUSE) => "地址已被占用：已经有程序在这个端口上监听",
        Some(libc::EADDRNOTAVAIL) => "这台机器没有这个地址",
        Some(libc::EACCES) => "权限不足",
        Some(libc::EPERM) => "不允许的操作",
        Some(libc::ETIMEDOUT) => "超时",
        Some(libc::ENETUNREACH) | Some(libc::EHOSTUNREACH) => "网络不可达",
        Some(libc::ECONNRESET) => "连接被对方重置",
        Some(libc::ENOENT) => "没有这个文件或目录",
        Some(libc::ESRCH) => "没有这个进程",
        Some(libc::EMFILE) | Some(libc::ENFILE) => "打开的文件太多",
        _ => return err.to_string(),
    };
    match err.raw_os_error() {
        Some(code) => format!("{zh}（errno {code}）"),
        None => zh.to_string(),
    }
}

/// `addr` is not written as an IP address and a port.
pub fn not_an_address(lang: Lang, addr: &str) -> String {
    match lang {
        Lang::Zh => format!("'{addr}' 不是“IP:端口”形式的地址，例如 127.0.0.1:8888"),
        Lang::En => {
            format!("'{addr}' is not an address of the form IP:PORT, such as 127.0.0.1:8888")
        }
    }
}
