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
用法: toolkit nice [-n N | --adjustment=N | -N | --N] [-q] [--] 命令 [参数]...
      toolkit nice N 命令 [参数]...          （toolkit 的写法：N 或 +N 表示加 N）
      toolkit nice                         显示当前的 nice 值（和 nice 一样）
      toolkit nice --race [N] [--seconds S] [--json]
      toolkit nice --explain

把 nice 值加上 N（默认 10，结果限制在 -20..19），然后直接 exec 命令（不经过 shell），
退出码就是命令自己的退出码。nice 值越小，优先级越高；调小 nice 值（N < 0）需要 root 或 CAP_SYS_NICE。
读法和 coreutils 的 nice 完全一样，所以课程笔记的两行照抄就对:
  nice -9 python3 while.py     以 9 的优先级运行（-9 是旧写法，表示加 9）
  nice --9 python3 while.py    以 -9 的优先级运行（--9 表示加 -9）

选项:
  -n N, --adjustment=N     在当前 nice 值上加 N；N 可以是负数: -n -9
  -N, --N                  coreutils 的旧写法: -9 表示加 9，--9 表示加 -9（会提示一行）
  N, +N                    toolkit 的写法: 加 N（N ≥ 0）
  -q, --quiet              不打印旧写法的提示，也不打印执行前的 nice/PR 那一行
  --race [N]               两个死循环绑在同一个 CPU 上比赛：一个 nice 0，一个 nice N（默认 9）
  --seconds S              比赛时长，秒（默认 2，0.1..60，可以是小数）
  --json                   以 JSON 输出比赛结果
  --explain                对照各种写法
  -h, --help               显示本帮助
  --                       选项到此结束，后面都是命令
长选项可以缩写（--adj=5），和 coreutils 一样；给了几次调整值，以最后一次为准。

优先级的三种显示: NI = nice 值；top 的 PR = 20 + NI（toolkit ps 也用它，越小越优先）；
ps -o pri = 39 - PR（越大越优先）。

退出码: 125 toolkit nice 自身出错（选项或数值不对），126 找到命令但无法执行，
127 找不到命令，其余为命令自己的退出码。

示例:
  toolkit nice -n 9 python3 examples/python/while.py
  sudo toolkit nice -n -9 python3 examples/python/while.py
  toolkit nice 9 sh -c 'cut -d\" \" -f19 /proc/self/stat'
  toolkit nice --race 9 --seconds 1
"
        .to_string(),
        Lang::En => "\
Usage: toolkit nice [-n N | --adjustment=N | -N | --N] [-q] [--] COMMAND [ARG]...
       toolkit nice N COMMAND [ARG]...          (toolkit's spelling: N or +N adds N)
       toolkit nice                         print the current niceness (like nice)
       toolkit nice --race [N] [--seconds S] [--json]
       toolkit nice --explain

Add N (default 10) to the niceness, clamped to -20..19, then exec COMMAND directly (no shell);
the exit status is COMMAND's own. A lower nice value means a higher priority; lowering it
(N < 0) needs root or CAP_SYS_NICE. The words are read exactly as coreutils' nice reads them,
so the course notes' two lines work as typed:
  nice -9 python3 while.py     runs at 9  (-9 is the obsolete spelling of +9)
  nice --9 python3 while.py    runs at -9 (--9 adds -9)

Options:
  -n N, --adjustment=N     add N to the current niceness; N may be negative: -n -9
  -N, --N                  coreutils' obsolete spelling: -9 adds 9, --9 adds -9 (says so once)
  N, +N                    toolkit's spelling: add N (N >= 0)
  -q, --quiet              no note about an obsolete spelling, no nice/PR line before COMMAND
  --race [N]               race two busy loops pinned to one CPU: nice 0 against nice N (default 9)
  --seconds S              length of the race in seconds (default 2, 0.1..60, fractions allowed)
  --json                   race results as JSON
  --explain                the spellings side by side
  -h, --help               this help
  --                       end of options: the rest is COMMAND
Long options may be shortened (--adj=5), as in coreutils; of several adjustments the last wins.

Three ways a priority is shown: NI = the nice value; top's PR = 20 + NI (toolkit ps uses it too;
lower = more important); ps -o pri = 39 - PR (higher = more important).

Exit status: 125 toolkit nice itself failed (bad option or value), 126 COMMAND found but not
runnable, 127 COMMAND not found, else COMMAND's own exit status.

Examples:
  toolkit nice -n 9 python3 examples/python/while.py
  sudo toolkit nice -n -9 python3 examples/python/while.py
  toolkit nice 9 sh -c 'cut -d\" \" -f19 /proc/self/stat'
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
            "不会看错的写法（coreutils 与 toolkit）",
            "旧写法（课程笔记，coreutils 与 toolkit）",
            "toolkit 另有",
        ],
        Lang::En => [
            "want",
            "unambiguous (coreutils and toolkit)",
            "obsolete (course notes; coreutils and toolkit)",
            "toolkit also",
        ],
    }
}

/// Rows of the `--explain` table: what the user wants, then the spellings.
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
            format!("nice -n 9 {cmd}"),
            format!("nice -9 {cmd}"),
            format!("toolkit nice 9 {cmd}"),
        ],
        [
            higher.to_string(),
            format!("nice -n -9 {cmd}"),
            format!("nice --9 {cmd}"),
            "-".to_string(),
        ],
        [
            default.to_string(),
            format!("nice {cmd}"),
            format!("nice {cmd}"),
            format!("toolkit nice {cmd}"),
        ],
    ]
}

/// The paragraph under the `--explain` table.
pub fn explain_notes(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "\
每一种写法在 toolkit nice 和 coreutils 的 nice 里意思都一样（把 nice 换成 toolkit nice 即可）。
课程笔记里的 `nice -9 python3 while.py` 是旧写法：`-9` 表示“加 9”，`nice --9` 才表示“加 -9”。
很多人把 `-9` 读成“负 9”，所以用到旧写法时 toolkit 会提示一行它的意思（-q 关掉）；
写 `-n 9` / `-n -9` 就不会看错。

nice 是相对的：在当前值上加 N，结果限制在 -20..19。renice 默认是绝对的：把 nice 值设为 N。
nice 值越小，优先级越高。同一个优先级有三种显示：
  NI  nice 值，-20..19                     （ps -o ni，top 的 NI 列）
  PR  20 + NI，0..39，越小越优先           （top 的 PR 列，/proc/PID/stat 第 18 个字段，toolkit ps）
  PRI 39 - PR，越大越优先                  （ps -o pri）
调度器按 nice 值给每个进程一个权重（nice 0 = 1024，每差 1 约差 1.25 倍），
两个抢同一个 CPU 的进程按权重分 CPU：每差 1 级约差 10%。`toolkit nice --race` 可以亲眼看到。",
        Lang::En => "\
Every spelling means the same in toolkit nice as in coreutils' nice (put `toolkit` in front).
The course notes' `nice -9 python3 while.py` is the obsolete spelling: `-9` means \"add 9\", and
`nice --9` means \"add -9\". Many read `-9` as minus nine, so when an obsolete spelling is used
toolkit says in one line what it means (-q silences it); `-n 9` / `-n -9` cannot be misread.

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

/// The obsolete spelling `word` (`-9`, `--9`) was used and means an adjustment of `value`.
pub fn obsolete_spelling_used(lang: Lang, word: &str, value: i64) -> String {
    let (zh_effect, en_effect) = if value < 0 {
        ("提高优先级，需要 root", "a higher priority, needs root")
    } else {
        ("降低优先级", "a lower priority")
    };
    match lang {
        Lang::Zh => format!(
            "'{word}' 是 coreutils 的旧写法：nice 值加 {value}（{zh_effect}）；\
             不会看错的写法: toolkit nice -n {value} 命令（-q 不再提示）"
        ),
        Lang::En => format!(
            "'{word}' is coreutils' obsolete spelling: it adds {value} to the niceness \
             ({en_effect}); unambiguous: toolkit nice -n {value} CMD (-q silences this)"
        ),
    }
}

pub fn unexpected_value(lang: Lang, option: &str) -> String {
    match lang {
        Lang::Zh => format!("选项 {option} 不带值"),
        Lang::En => format!("option {option} takes no value"),
    }
}

pub fn missing_value(lang: Lang, option: &str) -> String {
    match lang {
        Lang::Zh => format!("选项 {option} 需要一个值"),
        Lang::En => format!("option {option} needs a value"),
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

pub fn race_with_command(lang: Lang, word: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "--race 后面只能跟一个 nice 值（-20..19），不能跟命令或别的词（'{word}'）：比赛的子进程由它自己启动"
        ),
        Lang::En => format!(
            "--race takes a nice value (-20..19), not a command or another word ('{word}'): it starts its own children"
        ),
    }
}

pub fn race_nice_out_of_range(lang: Lang, n: i64) -> String {
    match lang {
        Lang::Zh => format!("--race 的 nice 值必须在 -20..19 之间，不是 {n}"),
        Lang::En => format!("the nice value of --race must be in -20..19, not {n}"),
    }
}

pub fn explain_alone(lang: Lang) -> String {
    match lang {
        Lang::Zh => "--explain 只显示几种写法的对照，不能再跟 --race、调整值或命令".into(),
        Lang::En => "--explain only shows the spellings side by side; it takes no --race, adjustment or command".into(),
    }
}

pub fn race_only(lang: Lang, option: &str) -> String {
    match lang {
        Lang::Zh => format!("{option} 只能和 --race 一起用"),
        Lang::En => format!("{option} only works with --race"),
    }
}

/// `toolkit renice --help`.
pub fn renice_help(lang: Lang) -> String {
    match lang {
        Lang::Zh => "\
用法: toolkit renice [-n] 优先级 [[-p] PID...] [-g 进程组...] [-u 用户...] [--relative]

修改正在运行的进程的 nice 值，读法和 util-linux 的 renice 一样。优先级是新的 nice 值（-20..19，
绝对值：renice 5 1234 就把它设为 5）；之后的每个词都是一个 ID，类型由它前面最近的 -p（进程，默认）、
-g（进程组：组里的每个进程）或 -u（用户名或 uid：这个用户的每个进程）决定。
每个 ID 单独处理，出错的会报告，其余照做；只要有一个失败，退出码就是 1。

选项:
  -n, --priority 优先级   新的 nice 值（-n 可以省略）
  -p, --pid              后面的 ID 是进程 ID（默认）
  -g, --pgrp             后面的 ID 是进程组 ID
  -u, --user             后面的是用户名或 uid
  --relative             （toolkit 另有）在当前值上加优先级，而不是设为它
  -h, --help             显示本帮助

调小 nice 值（提高优先级）需要 root 或 CAP_SYS_NICE；只能修改自己的进程，除非是 root。
top 的 PR = 20 + nice，越小越优先。

示例:
  toolkit renice 5 1234               把 1234 的 nice 值设为 5
  toolkit renice -n 10 -p 1234 1235   把两个进程都设为 10
  toolkit renice 19 -u $USER          你的所有进程
  toolkit renice --relative 2 1234    在当前值上加 2
"
        .to_string(),
        Lang::En => "\
Usage: toolkit renice [-n] PRIORITY [[-p] PID...] [-g PGRP...] [-u USER...] [--relative]

Change the nice value of running processes, read exactly as util-linux renice reads its words.
PRIORITY is the new nice value (-20..19, absolute: renice 5 1234 makes it 5); every later word is
an ID of the kind chosen by the last -p (process, the default), -g (process group: every process
in it) or -u (user name or uid: every process of that user). Each ID is tried on its own; a bad
one is reported and the others still change; the exit status is 1 if any failed.

Options:
  -n, --priority PRIORITY  the new nice value (the -n may be left out)
  -p, --pid                the IDs that follow are process IDs (the default)
  -g, --pgrp               the IDs that follow are process group IDs
  -u, --user               the words that follow are user names or uids
  --relative               (toolkit's own) add PRIORITY to the current value instead of setting it
  -h, --help               this help

Lowering the nice value (raising the priority) needs root or CAP_SYS_NICE; only root may change
other users' processes. top's PR = 20 + nice, lower = more important.

Examples:
  toolkit renice 5 1234               set the nice value of 1234 to 5
  toolkit renice -n 10 -p 1234 1235   set both to 10
  toolkit renice 19 -u $USER          every process of yours
  toolkit renice --relative 2 1234    add 2 to the current value
"
        .to_string(),
    }
}

/// A renice usage error (one of the two sentences below), with where to look.
pub fn renice_usage_error(lang: Lang, what: &str) -> String {
    match lang {
        Lang::Zh => format!("{what}（见 `toolkit renice --help`）"),
        Lang::En => format!("{what} (see `toolkit renice --help`)"),
    }
}

pub fn renice_not_enough_arguments(lang: Lang) -> String {
    match lang {
        Lang::Zh => "参数不够：要给出新的优先级和至少一个 ID，例如 toolkit renice 5 1234".to_string(),
        Lang::En => {
            "not enough arguments: give the new priority and at least one ID, e.g. toolkit renice 5 1234"
                .to_string()
        }
    }
}

pub fn renice_invalid_priority(lang: Lang, word: &str) -> String {
    match lang {
        Lang::Zh => format!("无效的优先级 '{word}'：应为 -20 到 19 之间的整数"),
        Lang::En => format!("invalid priority '{word}': expected an integer from -20 to 19"),
    }
}

/// `kind` is util-linux's name of the ID type ("process ID", "process group ID", "user ID").
fn id_kind(lang: Lang, kind: &str) -> &str {
    match (lang, kind) {
        (Lang::Zh, "process ID") => "进程 ID",
        (Lang::Zh, "process group ID") => "进程组 ID",
        (Lang::Zh, "user ID") => "用户 ID",
        _ => kind,
    }
}

pub fn renice_bad_value(lang: Lang, kind: &str, word: &str) -> String {
    let kind = id_kind(lang, kind);
    match lang {
        Lang::Zh => format!("无效的{kind} '{word}'：应为非负整数"),
        Lang::En => format!("bad {kind} value: {word}"),
    }
}

pub fn renice_unknown_user(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => format!("没有名为 '{name}' 的用户（可以写用户名或 uid）"),
        Lang::En => format!("unknown user {name} (give a user name or a uid)"),
    }
}

pub fn renice_cannot_get(lang: Lang, id: u32, kind: &str, err: &std::io::Error) -> String {
    let no_such = err.raw_os_error() == Some(libc::ESRCH);
    let kind = id_kind(lang, kind);
    match (lang, no_such) {
        (Lang::Zh, true) => format!(
            "无法读取 {id}（{kind}）的优先级：没有这样的进程（用 toolkit ps 看看现有的 PID）"
        ),
        (Lang::Zh, false) => format!("无法读取 {id}（{kind}）的优先级（{err}）"),
        (Lang::En, true) => format!(
            "failed to get priority for {id} ({kind}): no such process (toolkit ps lists the PIDs)"
        ),
        (Lang::En, false) => format!("failed to get priority for {id} ({kind}): {err}"),
    }
}

/// Why setpriority failed, in words that say what to do.
pub fn renice_cannot_set(
    lang: Lang,
    id: u32,
    kind: &str,
    wanted: i64,
    err: &std::io::Error,
) -> String {
    let kind = id_kind(lang, kind);
    match (lang, err.raw_os_error()) {
        (Lang::Zh, Some(libc::EACCES)) => format!(
            "无法把 {id}（{kind}）的 nice 值设为 {wanted}（{err}）：提高优先级（调小 nice 值）需要 \
             root 或 CAP_SYS_NICE 能力（试试 sudo）"
        ),
        (Lang::Zh, Some(libc::EPERM)) => format!(
            "无法修改 {id}（{kind}）的 nice 值（{err}）：它属于另一个用户；修改别人的进程需要 root \
             或 CAP_SYS_NICE 能力"
        ),
        (Lang::Zh, _) => format!("无法把 {id}（{kind}）的 nice 值设为 {wanted}（{err}）"),
        (Lang::En, Some(libc::EACCES)) => format!(
            "failed to set priority for {id} ({kind}) to {wanted}: {err}; raising the priority \
             (a lower nice value) needs root or the CAP_SYS_NICE capability (try sudo)"
        ),
        (Lang::En, Some(libc::EPERM)) => format!(
            "failed to set priority for {id} ({kind}): {err}; it belongs to another user, and \
             changing other users' processes needs root or the CAP_SYS_NICE capability"
        ),
        (Lang::En, _) => format!("failed to set priority for {id} ({kind}) to {wanted}: {err}"),
    }
}

/// One line per ID changed, util-linux's own words in English.
pub fn reniced(lang: Lang, id: u32, kind: &str, old: i64, new: i64) -> String {
    match lang {
        Lang::Zh => format!(
            "{id}（{}）旧优先级 {old}，新优先级 {new}",
            id_kind(lang, kind)
        ),
        Lang::En => format!("{id} ({kind}) old priority {old}, new priority {new}"),
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

/// The race was charged only `ticks` clock ticks, fewer than `enough`.
pub fn race_too_few_ticks(lang: Lang, ticks: u64, enough: u64) -> String {
    match lang {
        Lang::Zh => format!(
            "注意：两者一共只记到 {ticks} 个时钟节拍（少于 {enough} 个），四舍五入就能让份额差好几个百分点，\
             这次的份额说明不了 nice 的作用：用 --seconds 跑久一点"
        ),
        Lang::En => format!(
            "Note: the pair was charged only {ticks} clock ticks (fewer than {enough}); rounding alone \
             moves a share by several percent, so these shares say nothing about nice: run longer with --seconds"
        ),
    }
}

/// The pair had only `percent` of its CPU.
pub fn race_busy_cpu(lang: Lang, percent: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "注意：两者只分到这个 CPU 的 {percent:.0}%，其余被机器上的其他负载拿走了，这次的份额说明不了 nice 的作用；\
             等机器空闲时再比一次"
        ),
        Lang::En => format!(
            "Note: the pair got only {percent:.0}% of its CPU; other load on the machine took the rest, so \
             these shares say nothing about nice: race again when the machine is idle"
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
