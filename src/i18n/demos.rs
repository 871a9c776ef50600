//! Messages of the `demos` commands (`fork-demo`, `states`, `parallel`, `pcb`).
//!
//! Where the course notes are imprecise the sentences here say what is right, for example what a
//! failed `fork()` really returns, or that `T` (stopped) is a state of its own.

use super::Lang;

/// English singular or plural for a count.
fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

// ---- shared ------------------------------------------------------------------------------------

pub fn report_timeout(lang: Lang) -> String {
    match lang {
        Lang::Zh => "子进程在 10 秒内没有报告，演示中止（所有子进程已回收）".into(),
        Lang::En => {
            "a child did not report within 10 s; the demo stopped (every child was reaped)".into()
        }
    }
}

pub fn fork_failed(lang: Lang, desc: &str, errno: i32, name: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "fork() 失败：{name}（errno {errno}，{desc}）。笔记说失败时\"返回一个负数\"，准确地说：\
             C 的 fork() 返回 -1 并设置 errno；Rust/nix 返回 Err(Errno::{name})；\
             Python 的 os.fork() 不返回值，而是抛出 OSError（其 errno 属性为 {errno}）。\
             常见原因：进程数达到上限（ulimit -u）或内存不足"
        ),
        Lang::En => format!(
            "fork() failed: {name} (errno {errno}, {desc}). The notes say it \"returns a negative \
             number\"; precisely: C's fork() returns -1 and sets errno; Rust/nix returns \
             Err(Errno::{name}); Python's os.fork() returns nothing and raises OSError (its errno \
             attribute is {errno}). Usual causes: the process limit (ulimit -u) or no memory"
        ),
    }
}

// ---- fork-demo: the default run -----------------------------------------------------------------

pub fn basic_intro(lang: Lang) -> String {
    match lang {
        Lang::Zh => "真实的 fork()：看返回值、PID、各自独立的内存、子进程从哪里开始执行、以及父进程如何回收子进程".into(),
        Lang::En => "A real fork(): return values, PIDs, separate memory, where the child starts, and how the \
         parent collects the child"
            .into(),
    }
}

pub fn before_fork(lang: Lang, pid: i32, ppid: i32) -> String {
    match lang {
        Lang::Zh => format!(
            "[父进程 {pid}] fork 之前：getpid() = {pid}，getppid() = {ppid}（启动 toolkit 的进程）"
        ),
        Lang::En => format!(
            "[parent {pid}] before fork: getpid() = {pid}, getppid() = {ppid} (the process that \
             started toolkit)"
        ),
    }
}

pub fn about_to_fork(lang: Lang, value: i64, address: usize) -> String {
    match lang {
        Lang::Zh => format!("变量 value = {value}，地址 {address:#x}；现在调用 fork()"),
        Lang::En => format!("variable value = {value} at address {address:#x}; calling fork() now"),
    }
}

pub fn parent_fork_return(lang: Lang, me: i32, child: i32) -> String {
    match lang {
        Lang::Zh => format!("[父进程 {me}] fork() 返回了 {child}：新子进程的 PID"),
        Lang::En => format!("[parent {me}] fork() returned {child}: the PID of the new child"),
    }
}

pub fn child_fork_return(lang: Lang, pid: i32, ppid: i32) -> String {
    match lang {
        Lang::Zh => {
            format!("[子进程 {pid}] fork() 在这里返回了 0；getpid() = {pid}，getppid() = {ppid}")
        }
        Lang::En => {
            format!("[child {pid}] fork() returned 0 here; getpid() = {pid}, getppid() = {ppid}")
        }
    }
}

pub fn lesson_return_values(lang: Lang) -> String {
    match lang {
        Lang::Zh => "一次调用，两次返回：父进程得到子进程的 PID，子进程得到 0——程序靠判断返回值让两个进程走不同的分支".into(),
        Lang::En => "One call, two returns: the parent gets the child's PID, the child gets 0, and the program \
         branches on that value"
            .into(),
    }
}

pub fn lesson_ppid(lang: Lang, matches: bool) -> String {
    if matches {
        match lang {
            Lang::Zh => "子进程的 getppid() 等于父进程的 getpid()：父子关系由内核记录".into(),
            Lang::En => {
                "The child's getppid() equals the parent's getpid(): the kernel records the \
             parent/child link"
                    .into()
            }
        }
    } else {
        match lang {
            Lang::Zh => "注意：子进程报告的 PPID 与父进程 PID 不同（父进程已退出？）".into(),
            Lang::En => {
                "Note: the PPID the child reported differs from the parent's PID (did the parent \
             exit?)"
                    .into()
            }
        }
    }
}

pub fn child_start_point(lang: Lang, marker: u32) -> String {
    match lang {
        Lang::Zh => format!(
            "[子进程] 我已经有 marker = {marker}（由 fork 之前的代码设置，我从没执行过那段代码）"
        ),
        Lang::En => format!(
            "[child] I already have marker = {marker} (set by code before the fork, which I never \
             ran)"
        ),
    }
}

pub fn lesson_start_point(lang: Lang) -> String {
    match lang {
        Lang::Zh => "子进程从 fork() 的下一条语句开始执行，而不是从程序开头：它继承了 fork 那一刻的全部状态，而上面 fork 之前的输出只出现了一次"
            .into(),
        Lang::En => "The child starts at the statement after fork(), not at the top of the program: it \
         inherits the whole state at the moment of the fork, and the lines printed before the \
         fork above appear only once"
            .into(),
    }
}

pub fn child_memory(lang: Lang, address: usize, before: i64, after: i64) -> String {
    match lang {
        Lang::Zh => format!("[子进程] 地址 {address:#x} 处 value = {before}，改为 {after}"),
        Lang::En => format!("[child] value at {address:#x} = {before}; changed it to {after}"),
    }
}

pub fn parent_memory(lang: Lang, address: usize, value: i64) -> String {
    match lang {
        Lang::Zh => format!("[父进程] 子进程改完之后，同一地址 {address:#x} 处 value 仍是 {value}"),
        Lang::En => format!(
            "[parent] after the child changed it, value at the same address {address:#x} is still {value}"
        ),
    }
}

pub fn lesson_memory(lang: Lang) -> String {
    match lang {
        Lang::Zh => "同一个虚拟地址，不同的内容：每个进程有自己的地址空间。fork 复制的是地址空间（写时复制，\
         copy-on-write：页面先共享，谁写谁得到自己的副本），不是共享内存"
            .into(),
        Lang::En => "Same virtual address, different contents: each process has its own address space. fork \
         copies the address space (copy-on-write: pages are shared until one side writes, which \
         then gets its own copy); it does not share memory"
            .into(),
    }
}

pub fn about_to_wait(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("父进程调用 waitpid({pid}) 等待子进程结束并回收它"),
        Lang::En => format!("the parent calls waitpid({pid}) to wait for the child and collect it"),
    }
}

pub fn exit_status(lang: Lang, pid: i32, code: Option<i32>, signal: Option<&str>) -> String {
    match (code, signal) {
        (Some(code), _) => match lang {
            Lang::Zh => format!("waitpid 返回：子进程 {pid} 正常退出，退出码 {code}"),
            Lang::En => format!("waitpid returned: child {pid} exited normally with code {code}"),
        },
        (None, Some(sig)) => match lang {
            Lang::Zh => format!("waitpid 返回：子进程 {pid} 被信号 {sig} 终止"),
            Lang::En => format!("waitpid returned: child {pid} was killed by {sig}"),
        },
        _ => match lang {
            Lang::Zh => format!("waitpid 返回：子进程 {pid} 已结束"),
            Lang::En => format!("waitpid returned: child {pid} has ended"),
        },
    }
}

pub fn lesson_wait(lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            "父进程通过 wait/waitpid 取得子进程的退出状态；取走之后内核才删除子进程的 PCB".into()
        }
        Lang::En => {
            "The parent gets the child's exit status with wait/waitpid; only then does the kernel \
         delete the child's PCB"
                .into()
        }
    }
}

pub fn rounds_intro(lang: Lang, rounds: u32) -> String {
    match lang {
        Lang::Zh => format!(
            "谁先运行？fork {rounds} 次；fork 之后父子进程的第一件事都是往同一个管道写一个字节，\
             管道里的先后就是它们真正执行的先后"
        ),
        Lang::En => format!(
            "Who runs first? {rounds} forks; right after each fork both processes write one byte \
             into the same pipe, and the order in the pipe is the order they really ran"
        ),
    }
}

pub fn round_result(lang: Lang, round: u32, parent_first: bool) -> String {
    let who_zh = if parent_first {
        "父进程"
    } else {
        "子进程"
    };
    let who_en = if parent_first { "parent" } else { "child" };
    match lang {
        Lang::Zh => format!("第 {round} 轮：{who_zh}先写"),
        Lang::En => format!("round {round}: the {who_en} wrote first"),
    }
}

pub fn rounds_summary(lang: Lang, rounds: u32, parent: u32, child: u32) -> String {
    match lang {
        Lang::Zh => format!("{rounds} 轮中：父进程先 {parent} 次，子进程先 {child} 次"),
        Lang::En => {
            format!("of {rounds} rounds: parent first {parent} times, child first {child} times")
        }
    }
}

/// Why one side may win every round on an idle machine.
pub fn rounds_one_sided(lang: Lang, parent_won_all: bool) -> String {
    if parent_won_all {
        match lang {
            Lang::Zh => "这里父进程每次都先：fork 返回时它已经在 CPU 上，而子进程还要先被调度".into(),
            Lang::En => "Here the parent won every round: it is already on a CPU when fork returns, while the \
             child must first be scheduled"
                .into(),
        }
    } else {
        match lang {
            Lang::Zh => "这里子进程每次都先：调度器让新进程先运行（或者父进程被抢占了）".into(),
            Lang::En => {
                "Here the child won every round: the scheduler ran the new process first (or the \
             parent was preempted)"
                    .into()
            }
        }
    }
}

pub fn lesson_order(lang: Lang) -> String {
    match lang {
        Lang::Zh => "fork 之后父子进程的执行顺序由调度器决定，不固定；即使这里某一方总是先，程序也不能依赖它——需要顺序就用 wait、管道等同步手段".into(),
        Lang::En => "After fork the scheduler decides who runs first; the order is not fixed. Even if one side \
         always won here, a program must not rely on it: use wait, pipes or other synchronisation \
         when order matters"
            .into(),
    }
}

// ---- fork-demo --zombie ---------------------------------------------------------------------------

pub fn zombie_intro(lang: Lang) -> String {
    match lang {
        Lang::Zh => "僵尸进程：子进程立刻退出，父进程先不调用 wait".into(),
        Lang::En => "Zombie: the child exits at once; the parent does not call wait yet".into(),
    }
}

pub fn zombie_seen(lang: Lang, pid: i32, letter: &str) -> String {
    match lang {
        Lang::Zh => format!("/proc/{pid}/stat 中子进程的状态是 {letter}"),
        Lang::En => format!("the child's state in /proc/{pid}/stat is {letter}"),
    }
}

pub fn lesson_zombie(lang: Lang) -> String {
    match lang {
        Lang::Zh => "Z（僵尸）：进程已经结束，内存等资源已释放，但 PID 和退出状态还留在内核里，等父进程来取"
            .into(),
        Lang::En => "Z (zombie): the process has ended and its memory is freed, but its PID and exit status \
         stay in the kernel until the parent collects them"
            .into(),
    }
}

pub fn zombie_pause(lang: Lang, pid: i32, secs: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "  （等待 {secs:.1} 秒：可在另一个终端运行 `ps -o pid,stat,cmd -p {pid}` 或 `toolkit ps -p {pid}` 查看）"
        ),
        Lang::En => format!(
            "  (waiting {secs:.1} s: try `ps -o pid,stat,cmd -p {pid}` or `toolkit ps -p {pid}` in another terminal)"
        ),
    }
}

pub fn about_to_reap(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("现在调用 waitpid({pid}) 回收它"),
        Lang::En => format!("calling waitpid({pid}) now to reap it"),
    }
}

pub fn reaped(lang: Lang, pid: i32, gone: bool) -> String {
    if gone {
        match lang {
            Lang::Zh => format!("已回收：/proc/{pid} 不存在了"),
            Lang::En => format!("reaped: /proc/{pid} no longer exists"),
        }
    } else {
        match lang {
            Lang::Zh => format!("已回收，但 /proc/{pid} 仍存在（PID 已被新进程复用？）"),
            Lang::En => {
                format!("reaped, but /proc/{pid} still exists (PID reused by a new process?)")
            }
        }
    }
}

pub fn lesson_reaped(lang: Lang) -> String {
    match lang {
        Lang::Zh => "wait 取走退出状态后，内核删除进程表项，僵尸消失；父进程从不 wait 的话，僵尸会一直占着 PID"
            .into(),
        Lang::En => "Once wait has taken the exit status the kernel removes the entry and the zombie is gone; \
         a parent that never waits leaves zombies holding PIDs"
            .into(),
    }
}

// ---- fork-demo --orphan ---------------------------------------------------------------------------

pub fn orphan_intro(lang: Lang, me: i32) -> String {
    match lang {
        Lang::Zh => format!(
            "孤儿进程：toolkit（{me}）先用 prctl(PR_SET_CHILD_SUBREAPER) 成为\"子孙收养者\"，\
             再创建 子进程 → 孙进程，然后让子进程先退出"
        ),
        Lang::En => format!(
            "Orphan: toolkit ({me}) first becomes a child subreaper with \
             prctl(PR_SET_CHILD_SUBREAPER), then makes child → grandchild, and lets the child exit \
             first"
        ),
    }
}

pub fn subreaper_failed(lang: Lang, desc: &str) -> String {
    match lang {
        Lang::Zh => format!("无法成为 subreaper：{desc}"),
        Lang::En => format!("cannot become a subreaper: {desc}"),
    }
}

pub fn orphan_ppid_before(lang: Lang, g: i32, ppid: i32, middle: i32) -> String {
    let note_zh = if ppid == middle {
        "即中间的子进程"
    } else {
        ""
    };
    let note_en = if ppid == middle {
        ", the middle child"
    } else {
        ""
    };
    match lang {
        Lang::Zh => format!("/proc/{g}/stat：子进程还活着时，孙进程的 PPID = {ppid}{note_zh}"),
        Lang::En => format!(
            "/proc/{g}/stat: while the child lives, the grandchild's PPID = {ppid}{note_en}"
        ),
    }
}

pub fn middle_forked(lang: Lang, middle: i32, grandchild: i32) -> String {
    match lang {
        Lang::Zh => {
            format!("[子进程 {middle}] 创建了孙进程 {grandchild}，它不等孙进程，马上就要退出")
        }
        Lang::En => format!(
            "[child {middle}] made grandchild {grandchild} and is about to exit without waiting for it"
        ),
    }
}

pub fn about_to_reap_middle(lang: Lang, middle: i32) -> String {
    match lang {
        Lang::Zh => format!("让子进程 {middle} 退出，并回收它"),
        Lang::En => format!("letting the child {middle} exit, and reaping it"),
    }
}

pub fn middle_exited(lang: Lang, middle: i32, code: Option<i32>) -> String {
    let code = code.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
    match lang {
        Lang::Zh => format!("子进程 {middle} 已退出（退出码 {code}）：孙进程成了孤儿"),
        Lang::En => {
            format!("child {middle} has exited (code {code}): the grandchild is now an orphan")
        }
    }
}

pub fn orphan_ppid(lang: Lang, g: i32, before: i32, after: i32, me: i32) -> String {
    let who_zh = if after == me {
        "toolkit 自己（最近的 subreaper）".to_string()
    } else if after == 1 {
        "PID 1（init）".to_string()
    } else {
        format!("{after}（最近的 subreaper）")
    };
    let who_en = if after == me {
        "toolkit itself (the nearest subreaper)".to_string()
    } else if after == 1 {
        "PID 1 (init)".to_string()
    } else {
        format!("{after} (the nearest subreaper)")
    };
    match lang {
        Lang::Zh => {
            format!("/proc/{g}/stat：孙进程的 PPID 从 {before} 变成了 {after}，即 {who_zh}")
        }
        Lang::En => format!(
            "/proc/{g}/stat: the grandchild's PPID changed from {before} to {after}, i.e. {who_en}"
        ),
    }
}

pub fn grandchild_adopted(lang: Lang, pid: i32, ppid: i32) -> String {
    match lang {
        Lang::Zh => format!("[孙进程 {pid}] 现在 getppid() = {ppid}"),
        Lang::En => format!("[grandchild {pid}] now getppid() = {ppid}"),
    }
}

pub fn lesson_orphan(lang: Lang) -> String {
    match lang {
        Lang::Zh => "父进程先退出，子进程成为孤儿，被\"收养\"：默认由 PID 1（init/systemd）收养，若有祖先设置了 \
         subreaper 则由最近的 subreaper 收养；收养者负责回收它，所以孤儿不会变成永久僵尸"
            .into(),
        Lang::En => "When a parent exits first its child becomes an orphan and is adopted: by PID 1 \
         (init/systemd), or by the nearest ancestor that is a subreaper. The adopter reaps it, so \
         orphans do not stay zombies forever"
            .into(),
    }
}

// ---- fork-demo --tree -------------------------------------------------------------------------------

pub fn tree_too_big(lang: Lang, n: u32, max: u32) -> String {
    match lang {
        Lang::Zh => format!(
            "--tree {n} 太大：会创建 2^{n} 个进程；最多允许 --tree {max}（{} 个进程）",
            1u64 << max
        ),
        Lang::En => format!(
            "--tree {n} is too large: it would make 2^{n} processes; the limit is --tree {max} ({} \
             processes)",
            1u64 << max
        ),
    }
}

pub fn tree_intro(lang: Lang, n: u32, total: u32) -> String {
    match lang {
        Lang::Zh => format!(
            "经典练习：for i in 0..{n} {{ fork() }}——每个进程（包括新生的）都继续这个循环；\
             预计共有 2^{n} = {total} 个进程，每个进程都会报告自己"
        ),
        Lang::En => format!(
            "The classic exercise: for i in 0..{n} {{ fork() }}: every process, new ones too, \
             carries on with the loop; expect 2^{n} = {total} processes, each reporting itself"
        ),
    }
}

pub fn tree_member(lang: Lang, pid: i32, ppid: i32, born_at: Option<u32>) -> String {
    match born_at {
        None => match lang {
            Lang::Zh => format!("[进程 {pid}] 原始进程（父进程 {ppid}）"),
            Lang::En => format!("[process {pid}] the original process (parent {ppid})"),
        },
        Some(i) => match lang {
            Lang::Zh => format!("[进程 {pid}] 父进程 {ppid}，诞生于循环第 i = {i} 次的 fork"),
            Lang::En => format!(
                "[process {pid}] parent {ppid}, born from the fork at loop iteration i = {i}"
            ),
        },
    }
}

pub fn tree_fork_failed(lang: Lang, pid: i32, at: u32, errno: &str) -> String {
    match lang {
        Lang::Zh => format!("[进程 {pid}] 第 i = {at} 次 fork 失败：{errno}"),
        Lang::En => format!("[process {pid}] the fork at i = {at} failed: {errno}"),
    }
}

pub fn tree_not_drawn(lang: Lang, err: &str) -> String {
    match lang {
        Lang::Zh => format!("  （进程树暂时画不出来：{err}；可在另一终端用 `pstree -p` 查看）"),
        Lang::En => format!(
            "  (the tree cannot be drawn yet: {err}; `pstree -p` in another terminal shows it)"
        ),
    }
}

pub fn tree_count(lang: Lang, n: u32, expected: u32, reported: u32, in_proc: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "计数：2^{n} = {expected}；报告了自己的进程 {reported} 个；/proc 中这棵树有 {in_proc} 个进程"
        ),
        Lang::En => format!(
            "count: 2^{n} = {expected}; {reported} processes reported themselves; /proc shows \
             {in_proc} processes in this tree"
        ),
    }
}

pub fn lesson_tree(lang: Lang, n: u32) -> String {
    // For 0 and 1 iterations 2^N and N+1 happen to agree, so the contrast is only drawn from 2 on.
    let (not_zh, not_en) = if n >= 2 {
        (format!("（不是 {n}+1 个）"), format!(" (not {n}+1)"))
    } else {
        (String::new(), String::new())
    };
    match lang {
        Lang::Zh => format!(
            "每次 fork 都让正在执行循环的进程数翻倍，所以 {n} 次循环得到 2^{n} 个进程{not_zh}"
        ),
        Lang::En => format!(
            "Each fork doubles the number of processes running the loop, so {n} iterations give \
             2^{n} processes{not_en}"
        ),
    }
}

// ---- fork-demo --buffer-trap ---------------------------------------------------------------------

pub fn buffer_intro(lang: Lang) -> String {
    match lang {
        Lang::Zh => "缓冲区陷阱：fork 之前写进缓冲区但还没刷新的数据，会随内存一起被复制到子进程。\
         这里用自己的 BufWriter 写入一个管道（相当于重定向到管道/文件的 stdout），再数这一行出现了几次"
            .into(),
        Lang::En => "The buffer trap: data written into a buffer but not yet flushed before fork is copied into \
         the child with the rest of memory. Here a BufWriter of our own writes into a pipe (like \
         stdout redirected to a pipe or file), and the toolkit counts how often the line arrives"
            .into(),
    }
}

pub fn buffer_line(lang: Lang, flushed: bool) -> String {
    match (lang, flushed) {
        (Lang::Zh, false) => "fork 之前写入的一行（未刷新）".into(),
        (Lang::Zh, true) => "fork 之前写入的一行（已刷新）".into(),
        (Lang::En, false) => "one line written before fork (not flushed)".into(),
        (Lang::En, true) => "one line written before fork (flushed)".into(),
    }
}

pub fn buffer_result(lang: Lang, flushed: bool, copies: usize) -> String {
    if flushed {
        match lang {
            Lang::Zh => format!("fork 之前先 flush：这一行出现了 {copies} 次"),
            Lang::En => format!(
                "flushed before fork: the line arrived {copies} {}",
                plural(copies, "time", "times")
            ),
        }
    } else {
        match lang {
            Lang::Zh => {
                format!("fork 之前没有 flush：这一行出现了 {copies} 次（父子进程各刷新了一份副本）")
            }
            Lang::En => format!(
                "not flushed before fork: the line arrived {copies} {} (parent and child \
                 each flushed their copy of the buffer)",
                plural(copies, "time", "times")
            ),
        }
    }
}

pub fn lesson_buffer(lang: Lang) -> String {
    match lang {
        Lang::Zh => "C 的 printf 在终端上是行缓冲（遇到换行就输出），重定向到管道或文件时是全缓冲，所以\
         `./a.out | cat` 会看到 fork 之前的输出出现两次。规则：fork 之前先 fflush(stdout)（Rust：\
         flush）；子进程若不想刷新继承来的缓冲区就用 _exit()。toolkit 自己在每次 fork 前都会 flush"
            .into(),
        Lang::En => "C's printf is line-buffered on a terminal (a newline flushes) but fully buffered into a \
         pipe or file, so `./a.out | cat` shows output from before the fork twice. Rule: \
         fflush(stdout) before fork (Rust: flush); a child that must not flush inherited buffers \
         ends with _exit(). toolkit itself flushes before every fork"
            .into(),
    }
}

// ---- states ----------------------------------------------------------------------------------------

pub fn states_intro(lang: Lang) -> String {
    match lang {
        Lang::Zh => "创建一个子进程，让它依次经历各个状态；每一步之后都从 /proc/子进程PID/stat 读取它的状态字母".into(),
        Lang::En => "One child is driven through the states; after each step its state letter is read from \
         /proc/CHILD/stat"
            .into(),
    }
}

pub fn states_plan(lang: Lang, step: &str) -> String {
    let (zh, en) = match step {
        "new" => (
            "新建：fork() 一个子进程，立刻读取它的状态",
            "new: fork() a child and read its state at once",
        ),
        "running" => (
            "运行：子进程在忙循环里计算",
            "running: the child computes in a busy loop",
        ),
        "waiting" => (
            "等待：让子进程在一个空管道上调用 read() 阻塞",
            "waiting: tell the child to block in read() on an empty pipe",
        ),
        "stopped" => (
            "暂停：向子进程发送 SIGSTOP",
            "stopped: send SIGSTOP to the child",
        ),
        "continued" => ("继续：发送 SIGCONT", "continued: send SIGCONT"),
        "uninterruptible" => (
            "不可中断等待：子进程用 clone(CLONE_VFORK) 像 vfork() 那样创建自己的子进程；在那个子进程退出前（约 0.4 秒），内核让它不可中断地等待",
            "uninterruptible: the child makes a child of its own with clone(CLONE_VFORK), like \
             vfork(); until that one exits (~0.4 s) the kernel keeps our child in an \
             uninterruptible wait",
        ),
        "killed_in_d" => (
            "哪一种 D？再 fork 一个子进程，让它在同样的 vfork 等待里等 10 秒，趁它处于 D 时发送 SIGKILL",
            "which D? fork a second child into the same vfork wait, for 10 s, and send it SIGKILL \
             while it is in D",
        ),
        "zombie" => (
            "终止：子进程退出，父进程暂不回收",
            "terminated: the child exits; the parent does not reap it yet",
        ),
        _ => (
            "回收：父进程调用 waitpid()",
            "gone: the parent calls waitpid()",
        ),
    };
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

pub fn states_observed(lang: Lang, pid: i32, observed: char, samples: &str) -> String {
    let n = samples.chars().count();
    if observed == '-' {
        return match lang {
            Lang::Zh => format!("/proc/{pid} 已不存在"),
            Lang::En => format!("/proc/{pid} no longer exists"),
        };
    }
    match lang {
        Lang::Zh => {
            format!("/proc/{pid}/stat 的状态：{observed}（采样 {n} 次，依次看到 {samples}）")
        }
        Lang::En => format!(
            "state in /proc/{pid}/stat: {observed} ({n} {}, seen in order: {samples})",
            plural(n, "sample", "samples")
        ),
    }
}

pub fn states_lesson(lang: Lang, step: &str) -> String {
    let (zh, en) = match step {
        "new" => (
            "五态模型的\"新建态\"在 Linux 里没有字母：内核在 fork() 内部完成创建，等我们能看到时它已经是可运行的 R",
            "The 5-state model's \"new\" has no letter on Linux: the kernel sets the task up inside \
             fork(), and by the time anyone can look it is already runnable (R)",
        ),
        "running" => (
            "R 表示可运行：正在 CPU 上，或在运行队列里等 CPU——ps 分不出\"就绪\"和\"运行\"",
            "R means runnable: on a CPU or in the run queue waiting for one; ps cannot tell \
             \"ready\" from \"running\"",
        ),
        "waiting" => (
            "S：可中断睡眠，在等一个事件（这里是管道里的数据），信号可以唤醒它；对应三态的\"等待态\"",
            "S: interruptible sleep, waiting for an event (here: data in the pipe); a signal can \
             wake it. The 3-state model's \"waiting\"",
        ),
        "stopped" => (
            "T：被信号暂停。笔记把 T 归入等待态，但它是独立的状态：进程不是在等事件，而是被冻结，直到 SIGCONT；它在简单的三态/五态模型之外（把它画进模型的教材会另加一个\"挂起\"状态）",
            "T: stopped by a signal. The notes put T under waiting, but it is a state of its own: \
             the process waits for no event, it is frozen until SIGCONT. It lies outside the \
             simple 3- and 5-state models (textbooks that draw it add a \"suspended\" state)",
        ),
        "continued" => (
            "SIGCONT 让进程从原处继续：它仍阻塞在 read() 里，所以又是 S",
            "SIGCONT resumes the process where it was: still blocked in read(), so S again",
        ),
        "uninterruptible" => (
            "D：不可中断睡眠，普通信号打断不了它；在三态模型里也算\"等待态\"。D 其实有两种，下一步揭晓这是哪一种",
            "D: uninterruptible sleep, which ordinary signals cannot interrupt; \"waiting\" in the \
             3-state model. There are two kinds of D: the next step shows which one this is",
        ),
        "killed_in_d" => (
            "SIGKILL 立刻结束了这个 D：vfork 的等待是 TASK_KILLABLE（可被致命信号杀死的不可中断睡眠）。\
             另一种 D 是 TASK_UNINTERRUPTIBLE（例如等磁盘或 NFS 的 I/O），连 kill -9 也要等 I/O 结束；ps 把两种都显示成 D",
            "SIGKILL ended this D at once: the vfork wait is TASK_KILLABLE (an uninterruptible \
             sleep that a fatal signal still ends). The other D, TASK_UNINTERRUPTIBLE (waiting for \
             disk or NFS I/O, say), lets not even kill -9 through until the I/O is done; ps shows \
             both as D",
        ),
        "zombie" => (
            "Z：已终止但未被回收，即五态模型的\"终止态\"：资源已释放，只剩 PID 和退出状态",
            "Z: terminated but not reaped, the 5-state model's \"terminated\": resources are \
             freed, only the PID and exit status remain",
        ),
        _ => (
            "回收之后 /proc/PID 消失：内核释放了它的 PCB",
            "After the reap /proc/PID is gone: the kernel has freed its PCB",
        ),
    };
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

/// The second child was (or was not) seen in D, and was (or was not) Z `ms` after SIGKILL, where
/// its wait would have lasted `secs` seconds.
pub fn killable_proof(lang: Lang, saw_d: bool, died: bool, ms: f64, secs: u64) -> String {
    match (lang, saw_d, died) {
        (Lang::Zh, true, true) => format!(
            "它处于 D；发送 SIGKILL 后 {ms:.0} ms 就成了 Z，而不是等满 {secs} 秒：这个 D 可以被杀死"
        ),
        (Lang::En, true, true) => format!(
            "it was in D; {ms:.0} ms after SIGKILL it was Z, not {secs} s later: this D is killable"
        ),
        (Lang::Zh, false, true) => format!("没来得及看到 D，SIGKILL 后 {ms:.0} ms 它成了 Z"),
        (Lang::En, false, true) => {
            format!("D was not caught in time; {ms:.0} ms after SIGKILL it was Z")
        }
        (Lang::Zh, _, false) => format!(
            "SIGKILL 之后 {ms:.0} ms 它仍未结束：这是真正的不可中断睡眠，要等它的等待结束（最多 {secs} 秒）"
        ),
        (Lang::En, _, false) => format!(
            "{ms:.0} ms after SIGKILL it was still there: a truly uninterruptible sleep, which ends \
             only when its wait does (up to {secs} s)"
        ),
    }
}

pub fn states_mismatch(lang: Lang, step: &str, expected: char, observed: char) -> String {
    if step == "uninterruptible" {
        return match lang {
            Lang::Zh => format!(
                "没有观察到 D（看到的是 {observed}）：这个内核在 vfork 等待期间没有显示 D，或者等待太短没采样到；\
                 D 通常出现在等待磁盘或网络文件系统 I/O 时"
            ),
            Lang::En => format!(
                "D was not observed (saw {observed}): this kernel does not show the vfork wait as \
                 D, or it was too short to sample; D usually appears while waiting for disk or \
                 network-filesystem I/O"
            ),
        };
    }
    match lang {
        Lang::Zh => {
            format!("预期 {expected}，实际看到 {observed}：状态变化是异步的，以实际读取为准")
        }
        Lang::En => format!(
            "expected {expected} but saw {observed}: state changes are asynchronous, and what \
             was read is what is reported"
        ),
    }
}

pub fn states_headers(lang: Lang) -> Vec<&'static str> {
    match lang {
        Lang::Zh => vec!["步骤", "预期", "观察到", "三态模型", "五态模型"],
        Lang::En => vec!["step", "expected", "observed", "3-state", "5-state"],
    }
}

pub fn states_step_name(lang: Lang, step: &str) -> String {
    let (zh, en) = match step {
        "new" => ("新建（刚 fork）", "new (just forked)"),
        "running" => ("忙循环", "busy loop"),
        "waiting" => ("阻塞在 read()", "blocked in read()"),
        "stopped" => ("SIGSTOP", "SIGSTOP"),
        "continued" => ("SIGCONT", "SIGCONT"),
        "uninterruptible" => ("vfork 式等待", "vfork-style wait"),
        "killed_in_d" => ("D 中收到 SIGKILL", "SIGKILL while in D"),
        "zombie" => ("已退出，未回收", "exited, not reaped"),
        _ => ("waitpid() 之后", "after waitpid()"),
    };
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

pub fn observed_cell(lang: Lang, observed: char, samples: &str) -> String {
    if observed == '-' {
        return match lang {
            Lang::Zh => "-（不存在）".into(),
            Lang::En => "- (gone)".into(),
        };
    }
    if samples.chars().count() > 1 {
        match lang {
            Lang::Zh => format!("{observed}（采样：{samples}）"),
            Lang::En => format!("{observed} (samples: {samples})"),
        }
    } else {
        observed.to_string()
    }
}

pub fn three_state_name(lang: Lang, state: &str) -> &'static str {
    match state {
        "ready" => lang.pick("就绪态", "ready"),
        "running" => lang.pick("运行态", "running"),
        "ready_or_running" => lang.pick("就绪或运行", "ready or running"),
        "waiting" => lang.pick("等待态", "waiting"),
        "outside" => lang.pick("模型之外", "outside the model"),
        _ => "?",
    }
}

pub fn five_state_name(lang: Lang, state: &str) -> &'static str {
    match state {
        "new" => lang.pick("新建态", "new"),
        "ready" => lang.pick("就绪态", "ready"),
        "running" => lang.pick("运行态", "running"),
        "ready_or_running" => lang.pick("就绪或运行", "ready or running"),
        "waiting" => lang.pick("等待态", "waiting"),
        "terminated" => lang.pick("终止态", "terminated"),
        "outside" => lang.pick("模型之外", "outside the model"),
        _ => "?",
    }
}

// ---- pcb -----------------------------------------------------------------------------------------

pub fn pcb_title(lang: Lang, pid: i32, comm: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("进程 {pid}（{comm}）的进程控制块（PCB）：Linux 通过 /proc 展示其中的字段")
        }
        Lang::En => format!(
            "Process control block (PCB) of {pid} ({comm}): the fields Linux shows in /proc"
        ),
    }
}

pub fn pcb_headers(lang: Lang) -> Vec<&'static str> {
    match lang {
        Lang::Zh => vec!["字段", "值", "来源", "含义"],
        Lang::En => vec!["field", "value", "source", "meaning"],
    }
}

pub fn pcb_unavailable(lang: Lang) -> String {
    match lang {
        Lang::Zh => "（不可读）".into(),
        Lang::En => "(not readable)".into(),
    }
}

pub fn pcb_field_name(lang: Lang, key: &str) -> &'static str {
    match key {
        "pid" => "PID",
        "ppid" => "PPID",
        "command" => lang.pick("命令名", "command"),
        "user" => lang.pick("用户（uid）", "user (uid)"),
        "group" => lang.pick("组（gid）", "group (gid)"),
        "exe" => lang.pick("程序文件", "program file"),
        "cwd" => lang.pick("工作目录", "working directory"),
        "state" => lang.pick("状态", "state"),
        "priority" => lang.pick("优先级", "priority"),
        "nice" => "nice",
        "vm_size" => lang.pick("虚拟内存", "virtual memory"),
        "vm_rss" => lang.pick("常驻内存", "resident memory"),
        "open_files" => lang.pick("打开的文件数", "open files"),
        "threads" => lang.pick("线程数", "threads"),
        "cpu_time" => lang.pick("CPU 时间", "CPU time"),
        "start_time" => lang.pick("启动时间", "start time"),
        "context_switches" => lang.pick("上下文切换", "context switches"),
        _ => "?",
    }
}

pub fn pcb_meaning(lang: Lang, key: &str) -> String {
    let (zh, en) = match key {
        "pid" => (
            "进程的唯一编号（大于 0 的整数）",
            "the process's unique number (an integer > 0)",
        ),
        "ppid" => (
            "父进程的 PID：谁 fork 了它（或收养了它）",
            "the parent's PID: who forked it (or adopted it)",
        ),
        "command" => (
            "程序名（内核只保留前 15 个字节）",
            "the program name (the kernel keeps 15 bytes)",
        ),
        "user" => (
            "谁的进程：真实用户 ID（谁启动了它）；有效用户 ID 不同时（set-uid 程序，如 passwd）一并列出，\
             权限检查看的是有效 ID",
            "whose process: the real user id (who started it); when the effective id differs (set-uid \
             programs such as passwd) both are shown: permission checks use the effective one",
        ),
        "group" => (
            "进程所属的组：真实组 ID 和有效组 ID",
            "the process's group: real and effective group id",
        ),
        "exe" => (
            "正在运行的程序文件：同一个程序可以同时是很多个进程",
            "the program file being run: one program can be many processes at once",
        ),
        "cwd" => (
            "当前工作目录：相对路径从这里算起，每个进程有自己的一份",
            "the current directory: relative paths start here, and each process has its own",
        ),
        "state" => (
            "进程状态字母，见 `toolkit stat-codes`",
            "the state letter; see `toolkit stat-codes`",
        ),
        "priority" => (
            "内核优先级，即 top 的 PR 列：普通进程为 20 + nice，数越小越优先",
            "the kernel priority, top's PR column: 20 + nice for normal tasks; lower runs first",
        ),
        "nice" => (
            "友好值 -20..19，数越小优先级越高",
            "niceness -20..19; lower means higher priority",
        ),
        "vm_size" => (
            "虚拟内存大小：映射到地址空间的全部内容，并不都占用物理内存",
            "virtual memory size: everything mapped in the address space, not all of it in RAM",
        ),
        "vm_rss" => (
            "常驻内存：此刻实际占用物理内存的部分",
            "resident set: the part in physical memory right now",
        ),
        "open_files" => (
            "当前打开的文件描述符个数（0、1、2 是标准输入/输出/错误）",
            "file descriptors open now (0, 1, 2 are stdin, stdout, stderr)",
        ),
        "threads" => (
            "进程中的线程数（它们共享同一个地址空间）",
            "threads in the process (sharing one address space)",
        ),
        "cpu_time" => (
            "已使用的 CPU 时间：用户态 + 内核态",
            "CPU time used so far: user mode + kernel (system) mode",
        ),
        "start_time" => (
            "进程创建的时刻（由开机时间加启动节拍换算）",
            "when the process was created (boot time + start ticks)",
        ),
        "context_switches" => (
            "主动 / 被动切换次数：主动是自己去等待（S），被动是时间片用完被调度器换下",
            "voluntary / involuntary: gave up the CPU to wait (S) / preempted by the scheduler",
        ),
        _ => ("", ""),
    };
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

/// Real and effective ids that differ.
pub fn pcb_real_effective(lang: Lang, real: &str, effective: &str) -> String {
    match lang {
        Lang::Zh => format!("真实 {real}，有效 {effective}"),
        Lang::En => format!("real {real}, effective {effective}"),
    }
}

pub fn pcb_state_meaning(lang: Lang, letter: char) -> String {
    let (zh, en) = match letter {
        'R' => ("运行或就绪", "running or runnable"),
        'S' => ("可中断睡眠", "interruptible sleep"),
        'D' => ("不可中断睡眠", "uninterruptible sleep"),
        'T' => ("已暂停", "stopped"),
        't' => ("被调试器暂停", "stopped by a debugger"),
        'Z' => ("僵尸", "zombie"),
        'I' => ("空闲内核线程", "idle kernel thread"),
        'X' => ("正在消亡", "dead"),
        'W' => ("换页", "paging"),
        _ => ("", ""),
    };
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

pub fn pcb_cpu_time(lang: Lang, total: f64, user: f64, system: f64) -> String {
    match lang {
        Lang::Zh => format!("{total:.2} 秒（用户态 {user:.2} + 内核态 {system:.2}）"),
        Lang::En => format!("{total:.2} s ({user:.2} user + {system:.2} system)"),
    }
}

// ---- parallel --------------------------------------------------------------------------------------

/// The run shows other load: the speed-up is given, but as meaningless.
pub fn parallel_busy_machine(lang: Lang, speedup: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "注意：这次运行中，任务没有拿到它们本该占满的 CPU（CPU 时间/墙钟时间偏低）：机器上还有别的负载，\
             {speedup:.2} 倍这个加速比说明不了并发和并行的区别；等机器空闲时再运行一次"
        ),
        Lang::En => format!(
            "Note: in this run the jobs did not get the CPUs they should have kept busy (CPU/wall is \
             low): other load on the machine took them, so the speed-up of {speedup:.2} says nothing \
             about concurrency vs parallelism; run it again when the machine is idle"
        ),
    }
}

pub fn parallel_bad_args(lang: Lang, max_jobs: u32, max_work: u64) -> String {
    match lang {
        Lang::Zh => {
            format!("--jobs 必须在 1..={max_jobs} 之间，--work 必须在 1..={max_work} 毫秒之间")
        }
        Lang::En => format!("--jobs must be in 1..={max_jobs} and --work in 1..={max_work} ms"),
    }
}

pub fn parallel_intro(lang: Lang, jobs: u32, work: u64, cpus: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "并发与并行：{jobs} 个进程，每个做 {work} 毫秒 CPU 计算；先全部绑定到 1 个 CPU，\
             再放开到本进程可用的 {cpus} 个 CPU"
        ),
        Lang::En => format!(
            "Concurrency vs parallelism: {jobs} processes, each doing {work} ms of CPU work; first \
             all pinned to one CPU, then free to use the {cpus} {} this process may use",
            plural(cpus, "CPU", "CPUs")
        ),
    }
}

pub fn parallel_phase_plan(lang: Lang, pinned: bool, n: usize) -> String {
    if pinned {
        match lang {
            Lang::Zh => format!("第一轮：sched_setaffinity 把每个进程都绑到 CPU {n}"),
            Lang::En => format!("phase 1: sched_setaffinity pins every process to CPU {n}"),
        }
    } else {
        match lang {
            Lang::Zh => format!("第二轮：不绑定，进程可以同时运行在 {n} 个 CPU 上"),
            Lang::En => format!(
                "phase 2: no pinning; the processes may run on {n} {} at once",
                plural(n, "CPU", "CPUs")
            ),
        }
    }
}

pub fn parallel_phase_result(lang: Lang, pinned: bool, wall: f64, cpu: f64) -> String {
    let name_zh = if pinned {
        "绑定 1 个 CPU"
    } else {
        "分散到多个 CPU"
    };
    let name_en = if pinned {
        "pinned to one CPU"
    } else {
        "spread"
    };
    match lang {
        Lang::Zh => format!("{name_zh}：墙钟时间 {wall:.0} 毫秒，CPU 时间合计 {cpu:.0} 毫秒"),
        Lang::En => format!("{name_en}: wall time {wall:.0} ms, total CPU time {cpu:.0} ms"),
    }
}

pub fn parallel_headers(lang: Lang) -> Vec<&'static str> {
    match lang {
        Lang::Zh => vec!["阶段", "可用 CPU", "墙钟时间 ms", "CPU 时间 ms", "CPU/墙钟"],
        Lang::En => vec!["phase", "CPUs", "wall ms", "CPU ms", "CPU/wall"],
    }
}

pub fn parallel_phase_name(lang: Lang, phase: &str) -> &'static str {
    match phase {
        "pinned" => lang.pick("绑定（并发）", "pinned (concurrency)"),
        _ => lang.pick("分散（并行）", "spread (parallelism)"),
    }
}

pub fn parallel_speedup(lang: Lang, speedup: f64, jobs: u32, cpus: usize) -> String {
    let ideal = (jobs as usize).min(cpus);
    match lang {
        Lang::Zh => format!(
            "加速比 = 绑定的墙钟时间 / 分散的墙钟时间 = {speedup:.2}（理想值约为 min(进程数, CPU 数) = {ideal}）"
        ),
        Lang::En => format!(
            "speed-up = pinned wall time / spread wall time = {speedup:.2} (ideal: about \
             min(jobs, CPUs) = {ideal})"
        ),
    }
}

pub fn parallel_lesson(lang: Lang) -> String {
    match lang {
        Lang::Zh => "CPU 时间几乎不变，变的是墙钟时间：绑在一个核上时，内核在进程间不断切换，看起来同时在跑，其实轮流执行（并发）；\
         多个核同时执行多个进程才是并行，它不会减少工作量，只是让工作重叠"
            .into(),
        Lang::En => "The CPU time hardly changes; the wall time does. On one core the kernel switches between \
         the processes so they only seem to run at once, taking turns (concurrency); several cores \
         running several processes at the same instant is parallelism, which does not shrink the \
         work, it overlaps it"
            .into(),
    }
}

pub fn buffer_stdout_plan(lang: Lang, on_tty: bool) -> String {
    if on_tty {
        match lang {
            Lang::Zh => "再在真正的 stdout 上试一次：它是终端，所以像 C 一样按行缓冲".into(),
            Lang::En => {
                "Now on the real stdout: it is a terminal, so it is line-buffered, as C does".into()
            }
        }
    } else {
        match lang {
            Lang::Zh => "再在真正的 stdout 上试一次：它是管道或文件，所以像 C 一样全缓冲".into(),
            Lang::En => {
                "Now on the real stdout: it is a pipe or a file, so it is fully buffered, as C does"
                    .into()
            }
        }
    }
}

pub fn buffer_stdout_line(lang: Lang, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("    [进程 {pid} 在 fork 之前写入缓冲区的一行]"),
        Lang::En => format!("    [a line process {pid} wrote into the buffer before fork]"),
    }
}

pub fn buffer_stdout_result(lang: Lang, on_tty: bool) -> String {
    if on_tty {
        match lang {
            Lang::Zh => "上面那一行只出现一次：换行时就已经输出了。试试 `toolkit fork-demo --buffer-trap | cat`，它会出现两次".into(),
            Lang::En => "The line above appears once: the newline flushed it before the fork. Try `toolkit \
             fork-demo --buffer-trap | cat` and it appears twice"
                .into(),
        }
    } else {
        match lang {
            Lang::Zh => "上面那一行出现了两次：fork 时它还在缓冲区里，子进程和父进程各输出了一份".into(),
            Lang::En => "The line above appears twice: it was still in the buffer at the fork, and child and \
             parent each wrote their copy"
                .into(),
        }
    }
}
