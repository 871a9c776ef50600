//! Messages of the `nice`, `renice` and `nice --race` commands.

use super::Lang;

/// The prefix of a warning line (the command goes on).
pub fn warning_prefix(lang: Lang) -> &'static str {
    lang.pick("toolkit: 警告: ", "toolkit: warning: ")
}

/// `toolkit nice --help`.
pub fn help(lang: Lang) -> String {
    match lang {
        Lang::Zh => "\
用法: toolkit nice [N | -n N | --adjustment=N] [-q] [--] 命令 [参数]...
      toolkit nice                         显示当前的 nice 值（和 nice 一样）
      toolkit nice --race [N] [--seconds S] [--json]
      toolkit nice --explain

把 nice 值加上 N（默认 10，结果限制在 -20..19），然后直接 exec 命令（不经过 shell），
退出码就是命令自己的退出码。nice 值越小，优先级越高；调小 nice 值（N < 0）需要 root 或 CAP_SYS_NICE。

选项:
  N, -n N, --adjustment=N  在当前 nice 值上加 N；N 可以是负数：toolkit nice -9 命令
  -q, --quiet              执行命令前不打印 nice/PR 那一行
  --race [N]               两个死循环绑在同一个 CPU 上比赛：一个 nice 0，一个 nice N（默认 9）
  --seconds S              比赛时长，秒（默认 2，0.1..60，可以是小数）
  --json                   以 JSON 输出比赛结果
  --explain                对照 toolkit 与 coreutils 的两种写法
  -h, --help               显示本帮助

两种写法（注意：coreutils 的旧写法里 -9 是 +9！）:
  想要     toolkit                coreutils             coreutils 旧写法（课程笔记）
  +9       toolkit nice 9 命令    nice -n 9 命令        nice -9 命令
  -9       toolkit nice -9 命令   nice -n -9 命令       nice --9 命令

优先级的三种显示: NI = nice 值；top 的 PR = 20 + NI（toolkit ps 也用它，越小越优先）；
ps -o pri = 39 - PR（越大越优先）。

退出码: 125 toolkit nice 自身出错（选项或数值不对），126 找到命令但无法执行，
127 找不到命令，其余为命令自己的退出码。

示例:
  toolkit nice 9 python3 while.py
  toolkit nice -n 5 sh -c 'cut -d\" \" -f19 /proc/self/stat'
  toolkit nice --race 9 --seconds 1
"
        .to_string(),
        Lang::En => "\
Usage: toolkit nice [N | -n N | --adjustment=N] [-q] [--] COMMAND [ARG]...
       toolkit nice                         print the current niceness (like nice)
       toolkit nice --race [N] [--seconds S] [--json]
       toolkit nice --explain

Add N (default 10) to the niceness, clamped to -20..19, then exec COMMAND directly (no shell);
the exit status is COMMAND's own. A lower nice value means a higher priority; lowering it
(N < 0) needs root or CAP_SYS_NICE.

Options:
  N, -n N, --adjustment=N  add N to the current niceness; N may be negative: toolkit nice -9 CMD
  -q, --quiet              do not print the nice/PR line before running COMMAND
  --race [N]               race two busy loops pinned to one CPU: nice 0 against nice N (default 9)
  --seconds S              length of the race in seconds (default 2, 0.1..60, fractions allowed)
  --json                   race results as JSON
  --explain                toolkit's spelling next to coreutils' two spellings
  -h, --help               this help

Two spellings (careful: in coreutils' obsolete form, -9 means +9!):
  want   toolkit               coreutils            coreutils, obsolete (course notes)
  +9     toolkit nice 9 CMD    nice -n 9 CMD        nice -9 CMD
  -9     toolkit nice -9 CMD   nice -n -9 CMD       nice --9 CMD

Three ways a priority is shown: NI = the nice value; top's PR = 20 + NI (toolkit ps uses it too;
lower = more important); ps -o pri = 39 - PR (higher = more important).

Exit status: 125 toolkit nice itself failed (bad option or value), 126 COMMAND found but not
runnable, 127 COMMAND not found, else COMMAND's own exit status.

Examples:
  toolkit nice 9 python3 while.py
  toolkit nice -n 5 sh -c 'cut -d\" \" -f19 /proc/self/stat'
  toolkit nice --race 9 --seconds 1
"
        .to_string(),
    }
}

/// Header of the `--explain` table.
pub fn explain_headers(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::Zh => [
            "想要",
            "toolkit",
            "coreutils",
            "coreutils 旧写法（课程笔记）",
        ],
        Lang::En => [
            "want",
            "toolkit",
            "coreutils",
            "coreutils, obsolete (course notes)",
        ],
    }
}

/// Rows of the `--explain` table: what the user wants, then the three spellings.
pub fn explain_rows(lang: Lang) -> Vec<[String; 4]> {
    let (lower, higher, default) = match lang {
        Lang::Zh => (
            "nice +9（优先级更低）",
            "nice -9（优先级更高，需要 root）",
            "nice +10（默认）",
        ),
        Lang::En => (
            "nice +9 (lower priority)",
            "nice -9 (higher priority, needs root)",
            "nice +10 (the default)",
        ),
    };
    let cmd = lang.pick("命令", "CMD");
    vec![
        [
            lower.to_string(),
            format!("toolkit nice 9 {cmd}"),
            format!("nice -n 9 {cmd}"),
            format!("nice -9 {cmd}"),
        ],
        [
            higher.to_string(),
            format!("toolkit nice -9 {cmd}"),
            format!("nice -n -9 {cmd}"),
            format!("nice --9 {cmd}"),
        ],
        [
            default.to_string(),
            format!("toolkit nice {cmd}"),
            format!("nice {cmd}"),
            format!("nice {cmd}"),
        ],
    ]
}

/// The paragraph under the `--explain` table.
pub fn explain_notes(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "\
课程笔记里的 `nice -9 python3 while.py` 是 coreutils 的旧写法：`-9` 表示“加 9”，
`nice --9` 才表示“减 9”。toolkit 把数字当成带符号的数：`toolkit nice -9` 就是减 9，
和 `nice -n -9` 一样。`--9` 会被拒绝并提示正确写法，避免猜错。

nice 是相对的：在当前值上加 N，结果限制在 -20..19。renice 默认是绝对的：把 nice 值设为 N。
nice 值越小，优先级越高。同一个优先级有三种显示：
  NI  nice 值，-20..19                     （ps -o ni，top 的 NI 列）
  PR  20 + NI，0..39，越小越优先           （top 的 PR 列，/proc/PID/stat 第 18 个字段，toolkit ps）
  PRI 39 - PR，越大越优先                  （ps -o pri）
调度器按 nice 值给每个进程一个权重（nice 0 = 1024，每差 1 约差 1.25 倍），
两个抢同一个 CPU 的进程按权重分 CPU：每差 1 级约差 10%。`toolkit nice --race` 可以亲眼看到。",
        Lang::En => "\
The course notes' `nice -9 python3 while.py` is coreutils' obsolete form: there `-9` means
\"add 9\", and `nice --9` means \"subtract 9\". toolkit reads the number as a signed number:
`toolkit nice -9` subtracts 9, like `nice -n -9`. `--9` is refused with a hint, not guessed.

nice is relative: it adds N to the current value, clamped to -20..19. renice is absolute by
default: it sets the nice value to N. A lower nice value means a higher priority. One priority,
three ways it is shown:
  NI  the nice value, -20..19               (ps -o ni, top's NI column)
  PR  20 + NI, 0..39, lower = first         (top's PR column, field 18 of /proc/PID/stat, toolkit ps)
  PRI 39 - PR, higher = first               (ps -o pri)
The scheduler turns each nice value into a weight (nice 0 = 1024, each step about x1.25) and
shares a CPU in proportion to the weights: one nice step is about 10% of the CPU between two
competing processes. `toolkit nice --race` shows it happening.",
    }
}

/// The one line printed before exec: old and new nice, and the priority top (`pr`) and ps
/// (`pri`) will show, each as (old, new).
pub fn before_exec(
    lang: Lang,
    (old, new): (i64, i64),
    (pr_old, pr_new): (i64, i64),
    (pri_old, pri_new): (i64, i64),
    command: &str,
) -> String {
    match lang {
        Lang::Zh => format!(
            "toolkit nice: nice {old} -> {new}，PR {pr_old} -> {pr_new}（top 的 PR = 20 + nice；\
             ps -o pri 显示 {pri_old} -> {pri_new}）；nice/PR 越小优先级越高。执行: {command}"
        ),
        Lang::En => format!(
            "toolkit nice: nice {old} -> {new}, PR {pr_old} -> {pr_new} (top's PR = 20 + nice; \
             ps -o pri shows {pri_old} -> {pri_new}); a lower nice/PR means a higher priority. \
             Running: {command}"
        ),
    }
}

/// Coreutils-style warning: we could not raise the priority, the command runs anyway.
pub fn cannot_raise_priority_running_anyway(
    lang: Lang,
    old: i64,
    wanted: i64,
    err: &std::io::Error,
) -> String {
    match lang {
        Lang::Zh => format!(
            "无法把 nice 值从 {old} 调到 {wanted}（{err}）：提高优先级（调小 nice 值）需要 root \
             或 CAP_SYS_NICE 能力（试试 sudo）；命令仍以原来的 nice {old} 运行"
        ),
        Lang::En => format!(
            "cannot set niceness from {old} to {wanted} ({err}): raising the priority (a lower \
             nice value) needs root or the CAP_SYS_NICE capability (try sudo); running the command \
             at its unchanged niceness {old}"
        ),
    }
}

pub fn cannot_read_niceness(lang: Lang, err: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("无法读取当前的 nice 值（getpriority: {err}）"),
        Lang::En => format!("cannot read the current niceness (getpriority: {err})"),
    }
}

pub fn cannot_set_niceness(lang: Lang, wanted: i64, err: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("无法把 nice 值设为 {wanted}（setpriority: {err}）"),
        Lang::En => format!("cannot set the niceness to {wanted} (setpriority: {err})"),
    }
}

pub fn command_not_found(lang: Lang, command: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("找不到命令 '{command}'：检查拼写，或用 `which {command}` 看它是否在 PATH 里")
        }
        Lang::En => format!(
            "'{command}': command not found (check the spelling, or `which {command}` to see \
             whether it is on PATH)"
        ),
    }
}

/// `command` exists but exec failed. `searched_path`: it was looked up on `PATH` (no `/` in it), where
/// EACCES can also mean a directory on `PATH` that the user may not search.
pub fn command_not_runnable(
    lang: Lang,
    command: &str,
    searched_path: bool,
    err: &std::io::Error,
) -> String {
    match (lang, searched_path) {
        (Lang::Zh, false) => format!(
            "无法执行 '{command}'（{err}）：它存在但不能运行，是否缺少执行权限（chmod +x）？"
        ),
        (Lang::Zh, true) => format!(
            "无法执行 '{command}'（{err}）：PATH 里有同名文件但不能运行（缺少执行权限？chmod +x），\
             或者 PATH 里有你无权进入的目录"
        ),
        (Lang::En, false) => format!(
            "cannot run '{command}' ({err}): it exists but cannot be executed; does it lack the \
             execute permission (chmod +x)?"
        ),
        (Lang::En, true) => format!(
            "cannot run '{command}' ({err}): a file of that name on PATH cannot be executed (no \
             execute permission? chmod +x), or PATH has a directory you may not enter"
        ),
    }
}

/// A usage error (one of the sentences below), with where to look.
pub fn usage_error(lang: Lang, what: &str) -> String {
    match lang {
        Lang::Zh => format!("{what}（见 `toolkit nice --help`）"),
        Lang::En => format!("{what} (see `toolkit nice --help`)"),
    }
}

pub fn invalid_adjustment(lang: Lang, word: &str) -> String {
    match lang {
        Lang::Zh => format!("无效的调整值 '{word}'：应为整数，例如 9 或 -9"),
        Lang::En => format!("invalid adjustment '{word}': expected an integer such as 9 or -9"),
    }
}

/// `word` is `--N`; `n` is its number.
pub fn obsolete_spelling(lang: Lang, word: &str, n: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "'{word}' 是 coreutils 的旧写法（表示 -{n}）；在 toolkit 里请写 `toolkit nice -{n} 命令`"
        ),
        Lang::En => format!(
            "'{word}' is coreutils' obsolete spelling of -{n}; with toolkit write `toolkit nice -{n} CMD`"
        ),
    }
}

pub fn missing_value(lang: Lang, option: &str) -> String {
    match lang {
        Lang::Zh => format!("选项 {option} 需要一个值"),
        Lang::En => format!("option {option} needs a value"),
    }
}

pub fn adjustment_twice(lang: Lang) -> String {
    match lang {
        Lang::Zh => "调整值只能给一次".to_string(),
        Lang::En => "the adjustment was given twice".to_string(),
    }
}

pub fn invalid_seconds(lang: Lang, word: &str) -> String {
    match lang {
        Lang::Zh => format!("无效的时长 '{word}'：应为 0.1 到 60 之间的秒数"),
        Lang::En => format!("invalid duration '{word}': expected seconds between 0.1 and 60"),
    }
}

pub fn unknown_option(lang: Lang, word: &str) -> String {
    match lang {
        Lang::Zh => format!("未知选项 '{word}'"),
        Lang::En => format!("unknown option '{word}'"),
    }
}

pub fn adjustment_without_command(lang: Lang) -> String {
    match lang {
        Lang::Zh => "给了调整值就必须给出要运行的命令；只看当前 nice 值请不带参数运行 toolkit nice"
            .to_string(),
        Lang::En => "a command must be given with an adjustment; to print the current niceness, \
                     run `toolkit nice` alone"
            .to_string(),
    }
}

pub fn race_with_command(lang: Lang) -> String {
    match lang {
        Lang::Zh => "--race 自己启动比赛的子进程，不能再跟命令".to_string(),
        Lang::En => "--race starts its own children and takes no command".to_string(),
    }
}

pub fn race_only(lang: Lang, option: &str) -> String {
    match lang {
        Lang::Zh => format!("{option} 只能和 --race 一起用"),
        Lang::En => format!("{option} only works with --race"),
    }
}

/// Why setpriority on another process failed, in words that say what to do.
pub fn renice_denied(lang: Lang, pid: i32, wanted: i64, err: &std::io::Error) -> String {
    match err.raw_os_error() {
        Some(libc::EACCES) => match lang {
            Lang::Zh => format!(
                "无法把进程 {pid} 的 nice 值设为 {wanted}（{err}）：提高优先级（调小 nice 值）需要 \
                 root 或 CAP_SYS_NICE 能力（试试 sudo）"
            ),
            Lang::En => format!(
                "cannot set the niceness of process {pid} to {wanted} ({err}): raising the \
                 priority (a lower nice value) needs root or the CAP_SYS_NICE capability (try sudo)"
            ),
        },
        _ => match lang {
            Lang::Zh => format!(
                "无法修改进程 {pid} 的 nice 值（{err}）：它属于另一个用户；修改别人的进程需要 root \
                 或 CAP_SYS_NICE 能力"
            ),
            Lang::En => format!(
                "cannot change the niceness of process {pid} ({err}): it belongs to another user; \
                 changing other users' processes needs root or the CAP_SYS_NICE capability"
            ),
        },
    }
}

pub fn renice_failed(lang: Lang, pid: i32, wanted: i64, err: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("无法把进程 {pid} 的 nice 值设为 {wanted}（setpriority: {err}）"),
        Lang::En => {
            format!("cannot set the niceness of process {pid} to {wanted} (setpriority: {err})")
        }
    }
}

/// One line per process changed by `renice`, like util-linux's "old priority X, new priority Y".
/// `pr` is top's PR before and after.
pub fn reniced(
    lang: Lang,
    pid: i32,
    comm: &str,
    (old, new): (i64, i64),
    (pr_old, pr_new): (i64, i64),
) -> String {
    match lang {
        Lang::Zh => format!(
            "{pid} ({comm}): nice {old} -> {new}，PR {pr_old} -> {pr_new}（越小优先级越高）"
        ),
        Lang::En => format!(
            "{pid} ({comm}): nice {old} -> {new}, PR {pr_old} -> {pr_new} (lower = higher priority)"
        ),
    }
}

/// The title of the race.
pub fn race_title(lang: Lang, cpu: usize, seconds: f64, nice: i64) -> String {
    match lang {
        Lang::Zh => format!(
            "两个死循环被绑在 CPU {cpu} 上比赛 {seconds} 秒：一个 nice 0，一个 nice {nice}。谁分到更多 CPU？"
        ),
        Lang::En => format!(
            "Two busy loops pinned to CPU {cpu} for {seconds} s, one at nice 0 and one at nice {nice}: \
             who gets the CPU?"
        ),
    }
}

/// The racers' PIDs, printed first, and how to watch them while they run.
pub fn race_watch_hint(lang: Lang, (a, nice_a): (i32, i64), (b, nice_b): (i32, i64)) -> String {
    match lang {
        Lang::Zh => format!(
            "参赛进程：PID {a}（nice {nice_a}）和 PID {b}（nice {nice_b}）。在另一个终端实时观看：toolkit top -p {a},{b}"
        ),
        Lang::En => format!(
            "Racers: PID {a} (nice {nice_a}) and PID {b} (nice {nice_b}). Watch them live in another \
             terminal: toolkit top -p {a},{b}"
        ),
    }
}

pub fn race_headers(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Zh => [
            "PID",
            "NI",
            "PR",
            "权重",
            "CPU 时间",
            "实测份额",
            "预测份额",
        ],
        Lang::En => [
            "PID",
            "NI",
            "PR",
            "weight",
            "CPU time",
            "measured",
            "predicted",
        ],
    }
}

pub fn bar_measured(lang: Lang) -> &'static str {
    lang.pick("实测", "measured")
}

pub fn bar_predicted(lang: Lang) -> &'static str {
    lang.pick("预测", "predicted")
}

/// How the prediction is made, with the figures of this race.
pub fn race_explanation(lang: Lang, nice: i64, w0: u32, wn: u32, predicted0: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "预测：调度器按权重分 CPU（内核的 sched_prio_to_weight 表：nice 0 -> {w0}，nice {nice} -> {wn}），\
             nice 0 的份额 = {w0} / ({w0} + {wn}) = {predicted0:.1}%。每差 1 级 nice，权重约差 1.25 倍，\
             也就是约 10% 的 CPU。"
        ),
        Lang::En => format!(
            "Prediction: the scheduler shares the CPU by weight (the kernel's sched_prio_to_weight: \
             nice 0 -> {w0}, nice {nice} -> {wn}), so nice 0 gets {w0} / ({w0} + {wn}) = \
             {predicted0:.1}%. Each nice step changes the weight by about x1.25, about 10% of the CPU."
        ),
    }
}

/// How much of the one CPU the pair got; the rest went to other processes on that CPU.
pub fn race_pair_usage(lang: Lang, cpu: usize, percent: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "两者合计用了 CPU {cpu} 的 {percent:.0}% 时间（其余给了这个 CPU 上的其他进程）。"
        ),
        Lang::En => format!(
            "Together they used {percent:.0}% of CPU {cpu} (the rest went to other processes on it)."
        ),
    }
}

pub fn race_no_cpu_time(lang: Lang) -> &'static str {
    lang.pick(
        "两个子进程都没有记录到 CPU 时间，无法计算份额：用 --seconds 跑久一点",
        "neither child was charged any CPU time, so there are no shares to show: run longer with --seconds",
    )
}

pub fn race_cannot_pin(lang: Lang, pid: i32, cpu: usize, err: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("无法把子进程 {pid} 绑定到 CPU {cpu}（sched_setaffinity: {err}）"),
        Lang::En => format!("cannot pin child {pid} to CPU {cpu} (sched_setaffinity: {err})"),
    }
}

pub fn race_no_cpu(lang: Lang) -> &'static str {
    lang.pick(
        "找不到本进程可以使用的 CPU（sched_getaffinity）",
        "found no CPU this process may run on (sched_getaffinity)",
    )
}

pub fn race_child_vanished(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("比赛中的子进程 {pid} 意外消失了（被别人杀掉了？）"),
        Lang::En => format!("race child {pid} vanished during the race (killed by someone else?)"),
    }
}
