//! The words inside the pictures (`--svg`, `--dot`) and the messages about writing them.

use super::Lang;

/// The heading of a tree picture rooted at `root`.
pub fn tree_title(lang: Lang, root: i32, count: usize) -> String {
    match lang {
        Lang::Zh => format!("进程树：从 PID {root} 开始，共 {count} 个进程"),
        Lang::En => format!("Process tree from PID {root}: {count} processes"),
    }
}

/// The first line of a process's box.
pub fn process_heading(comm: &str, pid: i32) -> String {
    format!("{comm} ({pid})")
}

/// The second line of a process's box: its parent and its STAT string.
pub fn process_detail(lang: Lang, ppid: i32, stat: &str) -> String {
    match lang {
        Lang::Zh => format!("父进程 {ppid} · 状态 {stat}"),
        Lang::En => format!("PPID {ppid} · STAT {stat}"),
    }
}

/// The heading of the `states` timeline.
pub fn timeline_title(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("子进程 {pid} 的状态，依次从 /proc/{pid}/stat 读出"),
        Lang::En => format!("The states of child {pid}, read in turn from /proc/{pid}/stat"),
    }
}

/// The row headings of the timeline: the letter, the step, the two models.
pub fn timeline_rows(lang: Lang) -> [String; 4] {
    match lang {
        Lang::Zh => [
            "STAT".into(),
            "步骤".into(),
            "三态模型".into(),
            "五态模型".into(),
        ],
        Lang::En => [
            "STAT".into(),
            "step".into(),
            "3-state".into(),
            "5-state".into(),
        ],
    }
}

pub fn cannot_write(lang: Lang, path: &str, err: &str) -> String {
    match lang {
        Lang::Zh => format!("无法写入图片 {path}：{err}"),
        Lang::En => format!("cannot write the picture {path}: {err}"),
    }
}

/// Said after a picture was written.
pub fn written(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Zh => format!("图片已写入 {path}（用浏览器打开，或 rsvg-convert 转成 PNG）"),
        Lang::En => {
            format!("picture written to {path} (open it in a browser, or rsvg-convert it to PNG)")
        }
    }
}
