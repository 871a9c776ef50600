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
