//! `toolkit quiz`: the questions, the marks and the reasons.

use super::Lang;

// ---- quiz fork ------------------------------------------------------------------------------

/// The comment at the top of the Python program.
pub fn python_note(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Zh => [
            "每个 print 是一次 write()。不要用 python3 -u 或 PYTHONUNBUFFERED=1 运行：那样文字和换行",
            "是两次 write()，两个进程的行会混在一起（\"AA\"、\"\"）。",
        ],
        Lang::En => [
            "Each print is one write(). Not with python3 -u or PYTHONUNBUFFERED=1: then the text and",
            "the newline are two write()s, and the lines of two processes can mix (\"AA\", \"\").",
        ],
    }
}

/// The comment above `setvbuf` in the C program.
pub fn c_note(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Zh => [
            "即使输出到管道也按行缓冲：每一行用一次 write() 写出，",
            "缓冲区里不会留下要被 fork() 复制的行。",
        ],
        Lang::En => [
            "Line-buffered even into a pipe: each line leaves in one write(), and no line is",
            "left in the buffer for fork() to copy.",
        ],
    }
}

pub fn heading(lang: Lang, seed: u64, level: u8) -> String {
    match lang {
        Lang::Zh => format!(
            "先预测，再在真实的内核上验证（种子 {seed}，难度 {level}；用 --seed {seed} 可以再出同一道题）："
        ),
        Lang::En => format!(
            "Predict, then verify on the real kernel (seed {seed}, level {level}; --seed {seed} asks the same again):"
        ),
    }
}

pub fn question_processes(lang: Lang) -> &'static str {
    lang.pick(
        "1) 这个程序一共会有多少个进程（包括最初那一个）？",
        "1) How many processes exist in total (the first one included)?",
    )
}

pub fn question_lines(lang: Lang) -> &'static str {
    lang.pick(
        "2) 一共会打印多少行？",
        "2) How many lines are printed in total?",
    )
}

pub fn question_orders(lang: Lang) -> &'static str {
    lang.pick(
        "3) 下面哪些输出顺序是可能的（可以多选，也可能都不可能）？",
        "3) Which of these outputs are possible (any number of them, maybe none)?",
    )
}

pub fn how_to_answer(lang: Lang) -> &'static str {
    lang.pick(
        "（回答后程序才真的运行；也可以用 --answer processes=N,lines=M,orders=ac）",
        "(The program runs for real after you answer; or give --answer processes=N,lines=M,orders=ac)",
    )
}

pub fn prompt_processes(lang: Lang) -> String {
    lang.pick("进程数？ ", "Processes? ").to_string()
}

pub fn prompt_lines(lang: Lang) -> String {
    lang.pick("行数？ ", "Lines? ").to_string()
}

pub fn prompt_orders(lang: Lang) -> String {
    lang.pick(
        "可能的输出（字母，如 ac；都不可能就写 none）？ ",
        "Possible outputs (letters, e.g. ac; none if none)? ",
    )
    .to_string()
}

pub fn real_run_heading(lang: Lang) -> &'static str {
    lang.pick(
        "真的运行了一次：程序里的每个 fork() 都是真的 fork()",
        "It ran for real: every fork() in the program was a real fork()",
    )
}

pub fn real_counts(lang: Lang, processes: usize, lines: usize) -> String {
    match lang {
        Lang::Zh => {
            format!("{processes} 个进程，打印了 {lines} 行。真实的进程树（PID:它打印的内容）：")
        }
        Lang::En => format!(
            "{processes} processes, {lines} lines printed. The real tree (PID:what it printed):"
        ),
    }
}

pub fn real_output(lang: Lang) -> &'static str {
    lang.pick(
        "真实的输出顺序（这次调度的结果，再运行一次可能不同）：",
        "The real output order (this run's scheduling; another run may differ):",
    )
}

pub fn model_disagrees(lang: Lang) -> &'static str {
    lang.pick(
        "这次真实运行与推理模型不一致：请把 --seed 和这段输出报告给工具的作者。",
        "This real run disagrees with the model: please report the --seed and this output to the toolkit's authors.",
    )
}

pub fn marks_heading(lang: Lang) -> &'static str {
    lang.pick("你的答案：", "Your answers:")
}

pub fn right(lang: Lang) -> &'static str {
    lang.pick("✓ 对", "✓ right")
}

pub fn wrong(lang: Lang) -> &'static str {
    lang.pick("✗ 错", "✗ wrong")
}

/// `question` is `processes`, `lines` or `orders`.
pub fn mark_line(lang: Lang, question: &str, given: &str, expected: &str) -> String {
    let what = match (question, lang) {
        ("processes", Lang::Zh) => "进程数",
        ("processes", Lang::En) => "processes",
        ("lines", Lang::Zh) => "行数",
        ("lines", Lang::En) => "lines",
        (_, Lang::Zh) => "可能的输出",
        (_, Lang::En) => "possible outputs",
    };
    match lang {
        Lang::Zh => format!("{what}：你答 {given}，答案 {expected}"),
        Lang::En => format!("{what}: you said {given}, the answer is {expected}"),
    }
}

pub fn score(lang: Lang, right: usize, total: usize) -> String {
    match lang {
        Lang::Zh => format!("答对 {right} / {total}"),
        Lang::En => format!("{right} of {total} right"),
    }
}

/// `straight`: `Some(n)` when every process runs every later fork (the total is `2^n`).
pub fn why_processes(lang: Lang, total: usize, forks: usize, straight: Option<u32>) -> String {
    match (lang, straight) {
        (Lang::Zh, Some(n)) => format!(
            "没有分支：每个进程都会执行它后面的每一个 fork()，每个 fork() 让进程数翻倍：2^{n} = {total}（一共执行了 {forks} 次 fork()，每次多一个进程：1 + {forks} = {total}）"
        ),
        (Lang::En, Some(n)) => format!(
            "No branch: every process runs every fork() after it, and each fork() doubles the processes: 2^{n} = {total} ({forks} fork() calls in all, each adds one process: 1 + {forks} = {total})"
        ),
        (Lang::Zh, None) => format!(
            "每执行一次 fork() 就多一个进程。子进程从 fork() 返回处接着执行，if pid == 0 的分支和 _exit 决定谁还会执行后面的 fork()：一共执行了 {forks} 次，所以 1 + {forks} = {total}"
        ),
        (Lang::En, None) => format!(
            "Each fork() that runs adds one process. A child goes on from where fork() returned; the `if pid == 0` branches and _exit decide who runs the later forks: {forks} ran in all, so 1 + {forks} = {total}"
        ),
    }
}

/// `parts`: `A×1 + B×4`.
pub fn why_lines(lang: Lang, parts: &str, total: usize) -> String {
    match lang {
        Lang::Zh => format!("每条 print 由执行到它的每个进程各打印一次：{parts} = {total}"),
        Lang::En => {
            format!("Each print runs once in every process that reaches it: {parts} = {total}")
        }
    }
}

pub fn possible(lang: Lang) -> &'static str {
    lang.pick(
        "可能：每一行都在它必须等的那些行之后",
        "possible: every line comes after the lines it must wait for",
    )
}

pub fn none(lang: Lang) -> &'static str {
    lang.pick("都不可能", "none")
}

/// `A`, `A or B`, `A, B or C`.
pub fn one_of(lang: Lang, labels: &[char]) -> String {
    let words: Vec<String> = labels.iter().map(char::to_string).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => match lang {
            Lang::Zh => format!("{} 或 {last}", rest.join("、")),
            Lang::En => format!("{} or {last}", rest.join(", ")),
        },
    }
}

/// `before`: from [`one_of`].
pub fn impossible_same_process(lang: Lang, line: usize, label: char, before: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "不可能：第 {line} 行是 {label}，但每个还要打印 {label} 的进程都得先打印 {before}（一个进程按程序顺序执行）"
        ),
        Lang::En => format!(
            "impossible: line {line} is {label}, but every process still to print {label} has to print {before} before it (a process runs in program order)"
        ),
    }
}

pub fn impossible_before_fork(lang: Lang, line: usize, label: char, before: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "不可能：第 {line} 行是 {label}，但打印它的进程要等 {before} 打印之后才被 fork 出来（fork 之前打印的行一定在前）"
        ),
        Lang::En => format!(
            "impossible: line {line} is {label}, but the process printing it is forked only after {before} is printed (a line printed before the fork comes first)"
        ),
    }
}

pub fn impossible_wait(lang: Lang, line: usize, label: char, before: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "不可能：第 {line} 行是 {label}，但它要等 waitpid() 返回才打印，而被等的子进程还要打印 {before}"
        ),
        Lang::En => format!(
            "impossible: line {line} is {label}, but it is printed only after waitpid() returns, and the child waited for still has to print {before}"
        ),
    }
}

pub fn too_many_of(lang: Lang, label: char) -> String {
    match lang {
        Lang::Zh => format!("不可能：{label} 打印的次数不对"),
        Lang::En => format!("impossible: {label} is not printed that many times"),
    }
}

pub fn answer_unknown_key(lang: Lang, key: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "--answer 里的 “{key}” 不认识：请写 processes=N,lines=M,orders=字母（如 orders=ac 或 orders=none）"
        ),
        Lang::En => format!(
            "--answer: unknown key “{key}”: write processes=N,lines=M,orders=LETTERS (e.g. orders=ac or orders=none)"
        ),
    }
}

pub fn answer_not_a_number(lang: Lang, value: &str) -> String {
    match lang {
        Lang::Zh => format!("“{value}” 不是一个数：请写一个整数，如 8"),
        Lang::En => format!("“{value}” is not a number: give a whole number, such as 8"),
    }
}

pub fn answer_unknown_choice(lang: Lang, letter: char) -> String {
    match lang {
        Lang::Zh => format!("没有选项 “{letter}”：请从列出的字母里选，或写 none"),
        Lang::En => format!("there is no choice “{letter}”: pick from the letters shown, or none"),
    }
}

pub fn too_big(lang: Lang) -> &'static str {
    lang.pick(
        "这道题的程序超出了进程数上限：请换一个 --seed",
        "this program exceeds the process limit: try another --seed",
    )
}

pub fn run_failed(lang: Lang, why: &str) -> String {
    match lang {
        Lang::Zh => format!("真实运行失败：{why}；所有子进程都已结束并回收"),
        Lang::En => format!("the real run failed: {why}; every child has been ended and reaped"),
    }
}

pub fn export_failed(lang: Lang, path: &str, e: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("无法写入 {path}：{e}；请检查目录是否存在、是否可写"),
        Lang::En => {
            format!("cannot write {path}: {e}; check that the directory exists and is writable")
        }
    }
}

pub fn exported(lang: Lang, path: &str, c: bool) -> String {
    match (lang, c) {
        (Lang::Zh, false) => format!("程序已写入 {path}：自己运行 python3 {path}，数一数输出"),
        (Lang::En, false) => {
            format!("The program is in {path}: run python3 {path} yourself and count")
        }
        (Lang::Zh, true) => format!("程序已写入 {path}：cc -o quiz {path} && ./quiz，数一数输出"),
        (Lang::En, true) => {
            format!("The program is in {path}: cc -o quiz {path} && ./quiz, and count")
        }
    }
}

pub fn picture_title(lang: Lang, processes: usize, lines: usize) -> String {
    match lang {
        Lang::Zh => format!("quiz fork 的真实进程树：{processes} 个进程，{lines} 行输出"),
        Lang::En => format!("The real tree of quiz fork: {processes} processes, {lines} lines"),
    }
}

pub fn picture_detail(lang: Lang, ppid: i32, printed: &str) -> String {
    match (lang, printed.is_empty()) {
        (Lang::Zh, false) => format!("父进程 {ppid} · 打印 {printed}"),
        (Lang::En, false) => format!("PPID {ppid} · printed {printed}"),
        (Lang::Zh, true) => format!("父进程 {ppid} · 没有打印"),
        (Lang::En, true) => format!("PPID {ppid} · printed nothing"),
    }
}

// ---- quiz states ----------------------------------------------------------------------------

/// The scenario, as a question. `id` is a scenario's id (`busy`, `pipe`...).
pub fn states_question(lang: Lang, id: &str) -> String {
    let (zh, en) = match id {
        "busy" => (
            "子进程在死循环里不停地计算（while True: pass）。ps 的 STAT 列显示什么？",
            "A child computes in an endless loop (while True: pass). What does ps show in its STAT column?",
        ),
        "pipe" => (
            "子进程对一个空管道调用 read()，没有任何进程往里写。ps 的 STAT 列显示什么？",
            "A child calls read() on an empty pipe that nobody writes to. What does ps show in its STAT column?",
        ),
        "stopped" => (
            "子进程在 read() 里等着，父进程给它发了 SIGSTOP（就像在终端里按 Ctrl-Z）。ps 的 STAT 列显示什么？",
            "A child waits in read(); its parent sends it SIGSTOP (what Ctrl-Z does in a terminal). What does ps show in its STAT column?",
        ),
        "traced" => (
            "子进程调用 ptrace(PTRACE_TRACEME) 让父进程当它的调试器，然后给自己发了 SIGSTOP。ps 的 STAT 列显示什么？",
            "A child calls ptrace(PTRACE_TRACEME), making its parent its debugger, then sends itself SIGSTOP. What does ps show in its STAT column?",
        ),
        "zombie" => (
            "子进程已经退出，但父进程还没有调用 wait()。ps 的 STAT 列显示什么？",
            "A child has exited, and its parent has not called wait() yet. What does ps show in its STAT column?",
        ),
        "vfork" => (
            "子进程调用 vfork()，它的 vfork 子进程要睡 30 秒才退出。调用 vfork() 的那个进程，ps 的 STAT 列显示什么？",
            "A child calls vfork(); its vfork child sleeps 30 s before it exits. What does ps show in the STAT column of the process that called vfork()?",
        ),
        "nice" => (
            "子进程把自己的 nice 值调到 19（最低的优先级），然后在空管道上 read()。ps 的 STAT 列显示什么？",
            "A child sets its own nice value to 19 (the lowest priority), then calls read() on an empty pipe. What does ps show in its STAT column?",
        ),
        "nice-busy" => (
            "子进程把 nice 值调到 19，然后进入死循环。ps 的 STAT 列显示什么？",
            "A child sets its nice value to 19, then runs an endless loop. What does ps show in its STAT column?",
        ),
        "session" => (
            "子进程调用 setsid() 成为一个新会话的首进程，然后在空管道上 read()。ps 的 STAT 列显示什么？",
            "A child calls setsid(), becoming the leader of a new session, then calls read() on an empty pipe. What does ps show in its STAT column?",
        ),
        "threads" => (
            "子进程再创建一个线程，然后两个线程都在等待。ps 的 STAT 列显示什么？",
            "A child starts a second thread, then both threads wait. What does ps show in its STAT column?",
        ),
        _ => ("?", "?"),
    };
    lang.pick(zh, en).to_string()
}

/// Why the scenario gives its STAT.
pub fn states_why(lang: Lang, id: &str) -> String {
    let (zh, en) = match id {
        "busy" => (
            "为什么：它一直要用 CPU，要么正在某个核上运行，要么在就绪队列里等下一个时间片；Linux 用同一个 R 表示运行态和就绪态。",
            "Why: it always wants the CPU, so it is either running on a core or in the run queue waiting for its next time slice; Linux shows both running and ready as R.",
        ),
        "pipe" => (
            "为什么：没有数据可读，内核让它睡在管道的等待队列上，直到有数据或有信号（可中断睡眠）。这就是等待态（阻塞态）。",
            "Why: there is nothing to read, so the kernel puts it to sleep on the pipe's wait queue until data or a signal arrives (interruptible sleep). This is the waiting (blocked) state.",
        ),
        "stopped" => (
            "为什么：SIGSTOP 让进程停住，直到 SIGCONT。三态、五态模型里都没有“停止”：它既不在等事件，也不会被调度。",
            "Why: SIGSTOP halts the process until SIGCONT. Neither the 3- nor the 5-state model has \"stopped\": it waits for no event and is never scheduled.",
        ),
        "traced" => (
            "为什么：t 是被调试器停住（tracing stop）。和 T 一样不会被调度，但要由调试器（这里是 toolkit）让它继续；gdb 和 strace 就是这样停住进程的。",
            "Why: t is a tracing stop. Like T it is never scheduled, but it is its debugger (here the toolkit) that lets it go on; this is how gdb and strace hold a process.",
        ),
        "zombie" => (
            "为什么：僵尸进程。它的内存和打开的文件都已释放，只剩 PCB 里的退出状态等父进程来取；父进程 wait() 之后它才真正消失。这是五态模型的终止态。",
            "Why: a zombie. Its memory and open files are freed; only the exit status in its PCB is left for the parent to collect. It disappears when the parent calls wait(). This is the 5-state model's terminated state.",
        ),
        "vfork" => (
            "为什么：vfork() 让父进程在内核里等子进程 exec 或退出，普通信号打断不了这个等待（不可中断睡眠）。Linux 的这种等待其实是 TASK_KILLABLE：SIGKILL 仍能结束它（toolkit states 演示了这一点）。",
            "Why: vfork() makes the parent wait in the kernel until the child execs or exits, and no ordinary signal interrupts that wait (uninterruptible sleep). On Linux this wait is TASK_KILLABLE: SIGKILL still ends it (toolkit states shows it).",
        ),
        "nice" => (
            "为什么：S 是它在睡眠（等待态）；N 表示 nice 值大于 0，优先级低。nice 只影响它能分到多少 CPU，不影响它处在哪个状态。",
            "Why: S, it sleeps (waiting); N, its nice value is above 0, a low priority. Nice changes how much CPU it gets, never which state it is in.",
        ),
        "nice-busy" => (
            "为什么：R 是在运行或就绪；N 是低优先级（nice > 0）。机器空闲时它照样能跑满一个核：nice 只在争抢 CPU 时才起作用（toolkit nice --race 演示了这一点）。",
            "Why: R, running or ready; N, a low priority (nice > 0). On an idle machine it still fills a core: nice only matters when processes compete for a CPU (toolkit nice --race shows it).",
        ),
        "session" => (
            "为什么：S 是睡眠；s 表示会话首进程（session leader），比如登录后的 shell。setsid() 也让它离开了终端，所以不会有 +。",
            "Why: S, it sleeps; s, it leads a session, as a login shell does. setsid() also detached it from the terminal, so there is no +.",
        ),
        "threads" => (
            "为什么：S 是睡眠；l 表示多线程：一个进程里不止一个线程，它们共用一个 PID 和一份内存。",
            "Why: S, it sleeps; l, it is multi-threaded: more than one thread in one process, sharing one PID and one memory.",
        ),
        _ => ("", ""),
    };
    lang.pick(zh, en).to_string()
}

pub fn states_prompt(lang: Lang) -> &'static str {
    lang.pick(
        "你的答案（STAT 字符串，如 S、SN、R+）？ ",
        "Your answer (a STAT string, e.g. S, SN, R+)? ",
    )
}

pub fn bad_stat(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "“{text}” 不是 STAT 字符串：先写一个状态字母（R S D T t Z I），再写修饰符（< N L s l +），如 SN"
        ),
        Lang::En => format!(
            "“{text}” is not a STAT string: a state letter (R S D T t Z I), then modifiers (< N L s l +), e.g. SN"
        ),
    }
}

pub fn states_read(lang: Lang, pid: i32, stat: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("toolkit 创建了这个进程（PID {pid}），从 /proc/{pid}/stat 读到 STAT = {stat}")
        }
        Lang::En => format!(
            "The toolkit created that process (PID {pid}) and read STAT = {stat} from /proc/{pid}/stat"
        ),
    }
}

pub fn half_right(lang: Lang) -> &'static str {
    lang.pick(
        "½ 状态字母对了，修饰符不对",
        "½ the state letter is right, the modifiers are not",
    )
}

pub fn states_mark(lang: Lang, answer: &str, stat: &str) -> String {
    match lang {
        Lang::Zh => format!("你答 {answer}，/proc 里是 {stat}"),
        Lang::En => format!("you said {answer}, /proc says {stat}"),
    }
}

pub fn states_models(lang: Lang, three: &str, five: &str) -> String {
    match lang {
        Lang::Zh => format!("三态模型：{three}；五态模型：{five}"),
        Lang::En => format!("3-state model: {three}; 5-state model: {five}"),
    }
}

pub fn states_all_headers(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::Zh => ["场景", "问题", "STAT", "三态 · 五态"],
        Lang::En => ["scenario", "question", "STAT", "3-state · 5-state"],
    }
}

pub fn states_not_ready(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("子进程 {pid} 两秒内没有准备好：它已被结束并回收；请再试一次"),
        Lang::En => format!(
            "child {pid} was not ready within two seconds: it has been ended and reaped; try again"
        ),
    }
}
