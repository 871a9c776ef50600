//! Messages of the inspection commands: `ps`, `ps-tree`, `stat-codes`.
//!
//! States and modifiers come in as the letters `ps` prints (`'R'`, `'N'`) and model states as their
//! `--json` names (`"ready"`), so this catalogue depends on no other module; the tests in
//! `inspect::stat_codes` check that every letter the kernel has is translated here.

use super::Lang;

/// What a state letter means.
pub fn state_meaning(lang: Lang, letter: char) -> &'static str {
    match letter {
        'R' => lang.pick(
            "运行或可运行：正在 CPU 上，或在运行队列里等 CPU",
            "running, or runnable: on a CPU or queued for one",
        ),
        'S' => lang.pick(
            "可中断睡眠：等待事件（输入、定时器、子进程），信号可以唤醒它",
            "interruptible sleep: waiting for an event (input, a timer, a child); a signal wakes it",
        ),
        'D' => lang.pick(
            "不可中断睡眠：通常在等 I/O 完成，普通信号要等它醒来才处理",
            "uninterruptible sleep: usually waiting for I/O; ordinary signals wait until it wakes",
        ),
        'T' => lang.pick(
            "已停止：被 SIGSTOP / Ctrl-Z 暂停，收到 SIGCONT 才继续",
            "stopped by a job-control signal (SIGSTOP, Ctrl-Z) until SIGCONT",
        ),
        't' => lang.pick(
            "跟踪停止：被调试器（ptrace）停住",
            "tracing stop: halted by a debugger (ptrace)",
        ),
        'Z' => lang.pick(
            "僵尸：已经结束，但父进程还没有用 wait 回收它的退出状态",
            "zombie: terminated, its exit status not yet collected (wait) by its parent",
        ),
        'I' => lang.pick(
            "空闲的内核线程：在睡眠，但不计入负载",
            "idle kernel thread: asleep, not counted in the load average",
        ),
        'X' => lang.pick(
            "死亡：正在被销毁，几乎不可能看到",
            "dead: being torn down; practically never seen",
        ),
        'W' => lang.pick(
            "换页（2.6 之前的内核），现在的内核不会显示",
            "paging (kernels before 2.6); not shown by current kernels",
        ),
        _ => lang.pick("未知状态", "unknown state"),
    }
}

/// Where the course notes are loose about a letter, the correction; `None` where they are right.
pub fn state_correction(lang: Lang, letter: char) -> Option<&'static str> {
    match letter {
        'T' => Some(lang.pick(
            "笔记把 T 归为等待态；其实它是单独的“停止”状态：不在等任何事件，而是被信号挂起",
            "the notes call T waiting; it is a state of its own: not waiting for an event but suspended by a signal",
        )),
        'Z' => Some(lang.pick(
            "属于五态模型的“终止态”：资源已释放，只剩 PCB 里的退出状态等父进程回收",
            "the 5-state model's 'terminated': resources freed, only the exit status in the PCB remains for the parent",
        )),
        'R' => Some(lang.pick(
            "R 同时包括“运行态”和“就绪态”：ps 分不出在 CPU 上还是在排队",
            "R covers both 'running' and 'ready': ps cannot tell on-CPU from queued",
        )),
        'D' => Some(lang.pick(
            "等待态的一种，普通信号打断不了。有两种：TASK_UNINTERRUPTIBLE（如等磁盘 I/O，连 kill -9 也要等）和 TASK_KILLABLE（如 vfork 的等待，kill -9 立刻生效，见 toolkit states）",
            "a kind of waiting that ordinary signals cannot interrupt. Two kinds: TASK_UNINTERRUPTIBLE (disk I/O, say: even kill -9 waits) and TASK_KILLABLE (the vfork wait, say: kill -9 ends it at once, see toolkit states)",
        )),
        _ => None,
    }
}

pub fn three_state_name(lang: Lang, state: &str) -> &'static str {
    match state {
        "ready" => lang.pick("就绪态", "ready"),
        "running" => lang.pick("运行态", "running"),
        "ready_or_running" => lang.pick("运行态 / 就绪态", "running / ready"),
        "waiting" => lang.pick("等待态", "waiting"),
        "outside" => lang.pick("（模型之外）", "(outside the model)"),
        _ => "?",
    }
}

pub fn five_state_name(lang: Lang, state: &str) -> &'static str {
    match state {
        "new" => lang.pick("新建态", "new"),
        "ready" => lang.pick("就绪态", "ready"),
        "running" => lang.pick("运行态", "running"),
        "ready_or_running" => lang.pick("运行态 / 就绪态", "running / ready"),
        "waiting" => lang.pick("等待态", "waiting"),
        "terminated" => lang.pick("终止态", "terminated"),
        "outside" => lang.pick("（模型之外：停止）", "(outside the model: stopped)"),
        _ => "?",
    }
}

pub fn modifier_meaning(lang: Lang, symbol: char) -> &'static str {
    match symbol {
        '<' => lang.pick("高优先级：nice 值小于 0", "high priority: nice below 0"),
        'N' => lang.pick(
            "低优先级：nice 值大于 0（对别人“友好”）",
            "low priority: nice above 0 (nice to others)",
        ),
        'L' => lang.pick(
            "有页面被锁在内存里（mlock），不会被换出",
            "has pages locked in memory (mlock), never swapped out",
        ),
        's' => lang.pick(
            "会话首进程（session leader），例如登录 shell",
            "session leader, for example a login shell",
        ),
        'l' => lang.pick(
            "多线程（线程数大于 1）",
            "multi-threaded (more than one thread)",
        ),
        '+' => lang.pick(
            "在终端的前台进程组里",
            "in the foreground process group of its terminal",
        ),
        _ => lang.pick("未知修饰符", "unknown modifier"),
    }
}

pub fn modifier_correction(lang: Lang, symbol: char) -> Option<&'static str> {
    match symbol {
        'l' => Some(lang.pick(
            "笔记写“有链接子进程”，不对：l 表示这个进程有多个线程",
            "the notes say 'has linked child processes'; wrong: l means the process has several threads",
        )),
        's' => Some(lang.pick(
            "笔记写“会话组组长”：准确地说是会话（session）的首进程，session id 等于它的 PID",
            "the notes say 'session group leader': precisely, the session's leader, whose PID is the session id",
        )),
        _ => None,
    }
}

pub fn stat_codes_title(lang: Lang) -> &'static str {
    lang.pick(
        "ps 的 STAT 列：第一个字母是状态",
        "The STAT column of ps: the first letter is the state",
    )
}

pub fn modifiers_title(lang: Lang) -> &'static str {
    lang.pick(
        "状态字母后面的修饰符（按 ps 输出的顺序）",
        "Modifiers after the letter (in the order ps prints them)",
    )
}

pub fn stat_codes_headers(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Zh => ["字母", "含义", "三态模型", "五态模型", "与课堂笔记的差别"],
        Lang::En => [
            "CODE",
            "MEANING",
            "3-STATE",
            "5-STATE",
            "WHERE THE NOTES DIFFER",
        ],
    }
}

pub fn modifiers_headers(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Zh => ["符号", "含义", "与课堂笔记的差别"],
        Lang::En => ["SYMBOL", "MEANING", "WHERE THE NOTES DIFFER"],
    }
}

pub fn ps_headers(lang: Lang) -> [&'static str; 14] {
    match lang {
        Lang::Zh => [
            "用户",
            "PID",
            "PPID",
            "%CPU",
            "%MEM",
            "VSZ",
            "RSS",
            "NI",
            "PR",
            "STAT",
            "终端",
            "启动",
            "CPU 时间",
            "命令",
        ],
        Lang::En => [
            "USER", "PID", "PPID", "%CPU", "%MEM", "VSZ", "RSS", "NI", "PR", "STAT", "TTY",
            "START", "TIME", "COMMAND",
        ],
    }
}

pub fn ps_footer(lang: Lang, shown: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "共 {shown} 个进程。VSZ、RSS 以 KiB 计；%CPU 是整个生命期的平均（和 ps 一样，不是 top 的近况）；PR 是内核优先级（和 top 的 PR 一样，普通进程 = 20 + NI），数字越小越优先；`toolkit stat-codes` 解释 STAT。"
        ),
        Lang::En => format!(
            "{shown} {}. VSZ and RSS in KiB; %CPU is over the whole life (as ps, not top's recent share); PR is the kernel priority (as top's PR, 20 + NI for normal tasks): lower runs first. `toolkit stat-codes` explains STAT.",
            if shown == 1 { "process" } else { "processes" }
        ),
    }
}

pub fn pid_not_found_warning(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("toolkit: 警告: 没有 PID 为 {pid} 的进程"),
        Lang::En => format!("toolkit: warning: no process with PID {pid}"),
    }
}

pub fn none_selected(lang: Lang) -> &'static str {
    lang.pick(
        "选中的 PID 都不存在（用 `toolkit ps` 查看现有进程）",
        "none of the selected PIDs exists (see `toolkit ps` for the processes that exist)",
    )
}

/// `ps-tree USER` names nobody: pstree's own words in English.
pub fn no_such_user_name(lang: Lang, user: &str) -> String {
    match lang {
        Lang::Zh => format!("没有这个用户名: {user}"),
        Lang::En => format!("No such user name: {user}"),
    }
}

/// `ps-tree USER`: the user exists but runs no process (pstree's own words in English).
pub fn no_processes_found(lang: Lang) -> &'static str {
    lang.pick("没有找到进程。", "No processes found.")
}

/// `ps-tree 12x`: it starts like a PID, so it is not read as a user name (as pstree reads it).
pub fn not_a_pid(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!("'{text}' 不是 PID（以数字开头的就当作 PID，不当作用户名）"),
        Lang::En => {
            format!("'{text}' is not a PID (what starts with a digit is a PID, not a user name)")
        }
    }
}

pub fn unknown_user(lang: Lang, user: &str) -> String {
    match lang {
        Lang::Zh => format!("没有名为 '{user}' 的用户（可以写用户名或 uid）"),
        Lang::En => format!("unknown user '{user}' (give a user name or a uid)"),
    }
}

pub fn unknown_column(lang: Lang, name: &str, known: &str) -> String {
    match lang {
        Lang::Zh => format!("不认识的列名 '{name}'；可用的列: {known}"),
        Lang::En => format!("unknown column '{name}'; the columns known: {known}"),
    }
}
