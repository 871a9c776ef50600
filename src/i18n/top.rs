//! Messages of `toolkit top`: the header, the transitions log, prompts, help and errors.
//!
//! States come in as the letters `ps` prints (`'R'`, `'Z'`) and model states as their `--json`
//! names (`"waiting"`), so this catalogue depends on no other module of the crate.

use super::Lang;

/// The first header line, like top's: clock, uptime, load average.
pub fn header_uptime(lang: Lang, clock: &str, uptime: &str, load: [f64; 3]) -> String {
    let [one, five, fifteen] = load;
    match lang {
        Lang::Zh => format!(
            "toolkit top - {clock} 已运行 {uptime}，平均负载: {one:.2}, {five:.2}, {fifteen:.2}"
        ),
        Lang::En => format!(
            "toolkit top - {clock} up {uptime},  load average: {one:.2}, {five:.2}, {fifteen:.2}"
        ),
    }
}

/// Uptime as top writes it: `3 days, 1:02`, `1:02`, `5 min`.
pub fn uptime_text(lang: Lang, days: u64, hours: u64, minutes: u64) -> String {
    let clock = if hours > 0 {
        format!("{hours}:{minutes:02}")
    } else {
        match lang {
            Lang::Zh => format!("{minutes} 分钟"),
            Lang::En => format!("{minutes} min"),
        }
    };
    match (lang, days) {
        (_, 0) => clock,
        (Lang::Zh, d) => format!("{d} 天 {clock}"),
        (Lang::En, 1) => format!("1 day, {clock}"),
        (Lang::En, d) => format!("{d} days, {clock}"),
    }
}

/// top's Tasks line (or Threads, with `H`).
pub fn tasks_line(
    lang: Lang,
    threads: bool,
    [total, running, sleeping, stopped, zombie]: [usize; 5],
) -> String {
    match lang {
        Lang::Zh => {
            let what = if threads { "线程" } else { "任务" };
            format!(
                "{what}: 共 {total}，{running} 运行，{sleeping} 睡眠，{stopped} 停止，{zombie} 僵尸"
            )
        }
        Lang::En => {
            let what = if threads { "Threads" } else { "Tasks" };
            format!(
                "{what}: {total} total, {running} running, {sleeping} sleeping, {stopped} stopped, \
                 {zombie} zombie"
            )
        }
    }
}

/// The same counts in the course's words: how many processes show each STAT letter.
pub fn states_line(lang: Lang, letters: &[(char, usize)]) -> String {
    let counts: Vec<String> = letters.iter().map(|(l, n)| format!("{l} {n}")).collect();
    match lang {
        Lang::Zh => format!("STAT 字母: {}", counts.join("  ")),
        Lang::En => format!("STAT letters: {}", counts.join("  ")),
    }
}

/// The counts in the 3- and 5-state models of the course, as `[(model state id, count)]`.
pub fn models_line(lang: Lang, three: &[(&str, usize)], five: &[(&str, usize)]) -> String {
    let join = |counts: &[(&str, usize)], name: fn(Lang, &str) -> &'static str| {
        counts
            .iter()
            .map(|(id, n)| format!("{} {n}", name(lang, id)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let three = join(three, super::inspect::three_state_name);
    let five = join(five, super::inspect::five_state_name);
    match lang {
        Lang::Zh => format!("三态模型: {three} | 五态模型: {five}"),
        Lang::En => format!("3-state model: {three} | 5-state model: {five}"),
    }
}

/// The memory line, in MiB as top's default.
pub fn memory_line(lang: Lang, total: f64, free: f64, used: f64, available: f64) -> String {
    match lang {
        Lang::Zh => {
            format!("MiB 内存: 共 {total:.1}，{free:.1} 空闲，{used:.1} 已用，{available:.1} 可用")
        }
        Lang::En => format!(
            "MiB Mem : {total:>8.1} total, {free:>8.1} free, {used:>8.1} used, {available:>8.1} avail Mem"
        ),
    }
}

pub fn swap_line(lang: Lang, total: f64, used: f64) -> String {
    match lang {
        Lang::Zh => format!("MiB 交换: 共 {total:.1}，{used:.1} 已用"),
        Lang::En => format!("MiB Swap: {total:>8.1} total, {used:>8.1} used"),
    }
}

/// A short name for a state letter, for the transitions log.
pub fn state_word(lang: Lang, letter: char) -> &'static str {
    match letter {
        'R' => lang.pick("运行/就绪", "running/ready"),
        'S' => lang.pick("等待", "waiting"),
        'D' => lang.pick("等待（不可中断）", "waiting, uninterruptible"),
        'I' => lang.pick("空闲（内核线程）", "idle kernel thread"),
        'T' => lang.pick("停止（模型之外）", "stopped, outside the models"),
        't' => lang.pick("被调试器停住", "stopped by a tracer"),
        'Z' => lang.pick("终止，僵尸", "terminated, zombie"),
        'X' => lang.pick("死亡", "dead"),
        _ => lang.pick("未知", "unknown"),
    }
}

/// The title of the transitions pane: what it shows, and what it cannot.
pub fn transitions_title(lang: Lang, sample_ms: u64) -> String {
    match lang {
        Lang::Zh => {
            format!(" 状态变化（最新在上；每 {sample_ms} ms 采样一次：比这更短的变化看不到） ")
        }
        Lang::En => format!(
            " State transitions (newest first; sampled every {sample_ms} ms: a change shorter than that is not seen) "
        ),
    }
}

/// The heading of the transitions in a batch frame.
pub fn transitions_heading(lang: Lang, sample_ms: u64, count: usize) -> String {
    match lang {
        Lang::Zh => {
            format!("状态变化（自上一帧起 {count} 条，每 {sample_ms} ms 采样：更短的变化看不到）:")
        }
        Lang::En => format!(
            "State transitions since the previous frame ({count}; sampled every {sample_ms} ms, \
             shorter changes are not seen):"
        ),
    }
}

pub fn no_transitions(lang: Lang) -> &'static str {
    lang.pick("（还没有看到状态变化）", "(no state change seen yet)")
}

/// `S -> R  (waiting -> running/ready)`.
pub fn changed(lang: Lang, from: char, to: char) -> String {
    format!(
        "{from} -> {to}  ({} -> {})",
        state_word(lang, from),
        state_word(lang, to)
    )
}

/// A process became a zombie: who should collect its exit status.
pub fn became_zombie(lang: Lang, from: char, parent: i32, parent_comm: Option<&str>) -> String {
    let parent = match parent_comm {
        Some(comm) => format!("{parent} {comm}"),
        None => parent.to_string(),
    };
    match lang {
        Lang::Zh => format!("{from} -> Z  （已终止；父进程 {parent} 应当用 wait() 回收它）"),
        Lang::En => {
            format!("{from} -> Z  (terminated; its parent {parent} should reap it with wait())")
        }
    }
}

pub fn born(lang: Lang, state: char) -> String {
    match lang {
        Lang::Zh => format!("（新进程，{state}）"),
        Lang::En => format!("(new, {state})"),
    }
}

/// A process is gone; `reaped` when it was last seen as a zombie.
pub fn died(lang: Lang, reaped: bool) -> &'static str {
    match (lang, reaped) {
        (Lang::Zh, true) => "（已被父进程回收）",
        (Lang::Zh, false) => "（已终止并被回收）",
        (Lang::En, true) => "(reaped by its parent)",
        (Lang::En, false) => "(terminated)",
    }
}

/// What the status line says about the view.
pub fn status_line(
    lang: Lang,
    sort_column: &str,
    user: Option<&str>,
    name: Option<&str>,
    forest: bool,
    paused: bool,
) -> String {
    let mut parts = Vec::new();
    match lang {
        Lang::Zh => {
            parts.push(format!("排序: {sort_column}"));
            if let Some(u) = user {
                parts.push(format!("用户: {u}"));
            }
            if let Some(n) = name {
                parts.push(format!("名字含: {n}"));
            }
            if forest {
                parts.push("树状视图".to_string());
            }
            if paused {
                parts.push("已暂停（p 继续）".to_string());
            }
            parts.push("? 帮助  q 退出".to_string());
        }
        Lang::En => {
            parts.push(format!("sort: {sort_column}"));
            if let Some(u) = user {
                parts.push(format!("user: {u}"));
            }
            if let Some(n) = name {
                parts.push(format!("name: {n}"));
            }
            if forest {
                parts.push("forest view".to_string());
            }
            if paused {
                parts.push("PAUSED (p resumes)".to_string());
            }
            parts.push("? help  q quit".to_string());
        }
    }
    parts.join("  |  ")
}

pub fn prompt_user(lang: Lang) -> &'static str {
    lang.pick(
        "只看哪个用户（名字或 uid，留空 = 全部）: ",
        "Which user (name or uid, blank for all): ",
    )
}

pub fn prompt_name(lang: Lang) -> &'static str {
    lang.pick(
        "只看名字里含有（留空 = 全部）: ",
        "Show commands containing (blank for all): ",
    )
}

pub fn prompt_pid(lang: Lang, action: &str, default: Option<i32>) -> String {
    let default = default.map(|p| p.to_string()).unwrap_or_default();
    match lang {
        Lang::Zh => format!("要{action}的 PID [默认 {default}]: "),
        Lang::En => format!("PID to {action} [default pid = {default}]: "),
    }
}

pub fn action_renice(lang: Lang) -> &'static str {
    lang.pick("renice", "renice")
}

pub fn action_signal(lang: Lang) -> &'static str {
    lang.pick("发信号", "signal/kill")
}

pub fn prompt_nice(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("把 PID {pid} 的 nice 值设为（-20..19）: "),
        Lang::En => format!("Renice PID {pid} to value (-20..19): "),
    }
}

pub fn prompt_signal(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("给 PID {pid} 发什么信号 [默认 15/TERM；STOP 暂停，CONT 继续]: "),
        Lang::En => format!("Send PID {pid} signal [15/sigterm; STOP pauses, CONT resumes]: "),
    }
}

pub fn not_a_pid(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("'{text}' 不是 PID"),
        Lang::En => format!("'{text}' is not a PID"),
    }
}

pub fn not_a_nice_value(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("'{text}' 不是 nice 值（-20..19 的整数）"),
        Lang::En => format!("'{text}' is not a nice value (a whole number, -20..19)"),
    }
}

pub fn not_a_signal(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("'{text}' 不是信号（例如 TERM、KILL、STOP、CONT 或编号）"),
        Lang::En => {
            format!("'{text}' is not a signal (for example TERM, KILL, STOP, CONT, or a number)")
        }
    }
}

pub fn reniced(lang: Lang, pid: i32, nice: i64, pr: i64) -> String {
    match lang {
        Lang::Zh => format!("PID {pid} 的 nice 值已设为 {nice}（PR {pr}）"),
        Lang::En => format!("PID {pid} reniced to {nice} (PR {pr})"),
    }
}

pub fn signal_sent(lang: Lang, signal: &str, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("已向 PID {pid} 发送 {signal}"),
        Lang::En => format!("sent {signal} to PID {pid}"),
    }
}

pub fn signal_failed(lang: Lang, signal: &str, pid: i32, err: &str) -> String {
    match lang {
        Lang::Zh => format!("无法向 PID {pid} 发送 {signal}: {err}"),
        Lang::En => format!("cannot send {signal} to PID {pid}: {err}"),
    }
}

/// The terminal is smaller than the screen needs.
pub fn too_small(lang: Lang, width: u16, height: u16, min_width: u16, min_height: u16) -> String {
    match lang {
        Lang::Zh => format!(
            "终端太小：{width}x{height}，至少需要 {min_width}x{min_height}。请放大窗口（q 退出）。"
        ),
        Lang::En => format!(
            "The terminal is too small: {width}x{height}, toolkit top needs at least \
             {min_width}x{min_height}. Enlarge the window (q quits)."
        ),
    }
}

pub fn help_title(lang: Lang) -> &'static str {
    lang.pick(" 帮助（任意键返回） ", " Help (any key returns) ")
}

/// The help screen: the keys, and how the numbers are computed.
pub fn help_lines(lang: Lang) -> Vec<&'static str> {
    match lang {
        Lang::Zh => vec![
            "P  按 %CPU 排序      M  按 %MEM 排序      N  按 PID 排序      T  按 TIME+ 排序",
            "<  >  排序列左移 / 右移",
            "u  只看某个用户      o 或 /  按名字过滤",
            "H  显示线程 开/关    V  树状（森林）视图 开/关",
            "r  renice：先问 PID，再问 nice 值（调大 nice = 降低优先级，PR = 20 + nice）",
            "k  发信号：先问 PID，再问信号；STOP 让进程变成 T，CONT 让它继续",
            "p  暂停 / 继续刷新   ? 或 h  本帮助      q 或 Ctrl-C  退出",
            "",
            "%CPU 是 Irix 模式（与 top 默认相同）：两次采样之间进程用掉的 CPU 时间，",
            "占一个 CPU 的百分比；多线程进程可以超过 100%。",
            "新出现的进程高亮一次刷新，刚退出的进程变暗显示一次刷新。",
            "下方窗格记录两次采样之间看到的每个状态变化；用 --sample-ms 采样得更密。",
        ],
        Lang::En => vec![
            "P  sort by %CPU     M  sort by %MEM     N  sort by PID     T  sort by TIME+",
            "<  >  move the sort column left / right",
            "u  show one user    o or /  filter by name",
            "H  threads on/off   V  tree (forest) view on/off",
            "r  renice: asks a PID, then a nice value (higher nice = lower priority; PR = 20 + nice)",
            "k  send a signal: asks a PID, then a signal; STOP makes a T, CONT resumes it",
            "p  pause/resume     ? or h  this help   q or Ctrl-C  quit",
            "",
            "%CPU is Irix mode (top's default): the CPU time a process used between two samples,",
            "as a percentage of ONE CPU, so a multi-threaded process can show more than 100%.",
            "New processes are highlighted for one refresh, exited ones shown dimmed for one.",
            "The pane below logs every state change seen between two samples; --sample-ms samples faster.",
        ],
    }
}

pub fn invalid_delay(lang: Lang, seconds: f64) -> String {
    match lang {
        Lang::Zh => format!("无效的刷新间隔 {seconds}：应为 0.05 到 3600 之间的秒数"),
        Lang::En => format!("invalid delay {seconds}: expected seconds between 0.05 and 3600"),
    }
}

pub fn invalid_sample_ms(lang: Lang, ms: u64) -> String {
    match lang {
        Lang::Zh => format!("无效的采样间隔 {ms} ms：应为 10 ms 到刷新间隔之间"),
        Lang::En => {
            format!("invalid sampling interval {ms} ms: expected 10 ms up to the refresh delay")
        }
    }
}

pub fn no_system_figures(lang: Lang, err: &str) -> String {
    match lang {
        Lang::Zh => format!("无法读取系统的 CPU 和内存数据（sysinfo: {err}）"),
        Lang::En => format!("cannot read the system's CPU and memory figures (sysinfo: {err})"),
    }
}

pub fn terminal_failed(lang: Lang, err: &str) -> String {
    match lang {
        Lang::Zh => format!("无法使用终端（{err}）；用 -b 以文本方式输出"),
        Lang::En => format!("cannot use the terminal ({err}); -b prints frames as text instead"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_like_tops() {
        assert_eq!(uptime_text(Lang::En, 0, 0, 5), "5 min");
        assert_eq!(uptime_text(Lang::En, 0, 1, 2), "1:02");
        assert_eq!(uptime_text(Lang::En, 1, 1, 2), "1 day, 1:02");
        assert_eq!(uptime_text(Lang::En, 3, 0, 7), "3 days, 7 min");
        assert_eq!(uptime_text(Lang::Zh, 3, 10, 0), "3 天 10:00");
    }

    #[test]
    fn every_kernel_letter_has_a_word() {
        for letter in ['R', 'S', 'D', 'I', 'T', 't', 'Z', 'X'] {
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(state_word(lang, letter), state_word(lang, '?'), "{letter}");
            }
        }
        assert_eq!(
            changed(Lang::En, 'S', 'R'),
            "S -> R  (waiting -> running/ready)"
        );
    }
}
