//! Messages of the `lesson` command (the lesson texts themselves live in `lessons/`).

use super::Lang;

/// Header of the lesson list.
pub fn list_headers(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Zh => ["编号", "课程"],
        Lang::En => ["#", "lesson"],
    }
}

/// The line under the lesson list.
pub fn list_hint(lang: Lang) -> &'static str {
    lang.pick(
        "阅读一课：toolkit lesson 3；边讲边运行其中的命令：toolkit lesson 3 --run",
        "read one: toolkit lesson 3; present it, running its commands: toolkit lesson 3 --run",
    )
}

/// The line above a printed lesson.
pub fn lesson_of(lang: Lang, number: u32, last: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {number} 课（共 {last} 课）"),
        Lang::En => format!("Lesson {number} of {last}"),
    }
}

pub fn no_such_lesson(lang: Lang, number: u32, last: usize) -> String {
    match lang {
        Lang::Zh => {
            format!("没有第 {number} 课：课程编号是 1 到 {last}（`toolkit lesson` 列出全部课程）")
        }
        Lang::En => format!(
            "there is no lesson {number}: lessons are numbered 1 to {last} (`toolkit lesson` lists them)"
        ),
    }
}

/// First line of `--run`.
pub fn walk_intro(lang: Lang, number: u32, title: &str, commands: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {number} 课：{title}（命令：{commands} 条）"),
        Lang::En => format!("Lesson {number}: {title} (commands: {commands})"),
    }
}

/// Printed once when `--run` is used without `--yes` and stdin is not a terminal.
pub fn stdin_not_a_terminal(lang: Lang) -> &'static str {
    lang.pick(
        "标准输入不是终端，无法等待按键：像 --yes 一样连续运行所有命令",
        "stdin is not a terminal, so there is no key to wait for: running every command straight through, as with --yes",
    )
}

pub fn prompt(lang: Lang) -> &'static str {
    lang.pick(
        "按 Enter 运行，s 跳过，q 退出：",
        "Enter to run, s to skip, q to quit: ",
    )
}

pub fn answer_prompt(lang: Lang) -> &'static str {
    lang.pick(
        "按 Enter 显示答案，q 结束：",
        "Enter for the answer, q to stop: ",
    )
}

pub fn another_terminal(lang: Lang) -> &'static str {
    lang.pick(
        "请在另一个终端里运行它（它要等待输入或一直运行），这里不运行。",
        "run this in another terminal (it waits for input or runs until stopped); not run here.",
    )
}

pub fn skipped(lang: Lang) -> &'static str {
    lang.pick("已跳过", "skipped")
}

pub fn exit_status(lang: Lang, code: i32) -> String {
    match lang {
        Lang::Zh => format!("退出状态 {code}"),
        Lang::En => format!("exit status {code}"),
    }
}

pub fn killed_by_signal(lang: Lang, signal: i32) -> String {
    match lang {
        Lang::Zh => format!("被信号 {signal} 终止"),
        Lang::En => format!("killed by signal {signal}"),
    }
}

pub fn does_not_parse(lang: Lang, error: &str) -> String {
    match lang {
        Lang::Zh => format!("这条命令无法解析，未运行：{error}"),
        Lang::En => format!("this command does not parse, not run: {error}"),
    }
}

pub fn cannot_start(lang: Lang, error: &str) -> String {
    match lang {
        Lang::Zh => format!("无法启动：{error}"),
        Lang::En => format!("could not start it: {error}"),
    }
}

pub fn summary(lang: Lang, ran: usize, failed: usize, elsewhere: usize, skipped: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "已运行：{ran}，失败：{failed}；需在另一个终端运行：{elsewhere}；已跳过：{skipped}"
        ),
        Lang::En => format!(
            "run: {ran}, failed: {failed}; for another terminal: {elsewhere}; skipped: {skipped}"
        ),
    }
}

pub fn stopped_early(lang: Lang) -> &'static str {
    lang.pick("已按要求停止。", "stopped as asked.")
}
