//! Messages of `toolkit threads`.

use super::Lang;

pub fn intro(lang: Lang) -> String {
    match lang {
        Lang::Zh => "多线程：同一个进程里的几条执行流。和 fork-demo（多进程）对照着看：\
                     线程共享内存、共用一个 PID，各有自己的 TID，可以同时用上每个核心。"
            .into(),
        Lang::En => {
            "Threads: several flows of execution inside one process. Compare with fork-demo \
                     (processes): threads share memory and one PID, each has a TID of its own, and \
                     they can use every core at once."
                .into()
        }
    }
}

pub fn alone(lang: Lang, pid: i32, threads: i64, stat: &str) -> String {
    match lang {
        Lang::Zh => format!("开始时：进程 {pid} 只有 {threads} 个线程，STAT = {stat}（没有 l）"),
        Lang::En => {
            format!("At the start: process {pid} has {threads} thread, STAT = {stat} (no l)")
        }
    }
}

pub fn memory_plan(lang: Lang, value: i64, address: usize) -> String {
    match lang {
        Lang::Zh => {
            format!("变量 value = {value}，地址 {address:#x}；启动一个线程，让它把 value 改成 200")
        }
        Lang::En => format!(
            "variable value = {value} at address {address:#x}; starting a thread that sets it to 200"
        ),
    }
}

pub fn memory_seen(
    lang: Lang,
    tid: i32,
    address: usize,
    before: i64,
    after: i64,
    seen: i64,
) -> String {
    match lang {
        Lang::Zh => format!(
            "[线程 {tid}] 在地址 {address:#x} 把 {before} 改成了 {after}；主线程在同一个地址读到 {seen}"
        ),
        Lang::En => format!(
            "[thread {tid}] changed {before} to {after} at {address:#x}; the main thread reads {seen} \
             at the same address"
        ),
    }
}

pub fn memory_lesson(lang: Lang) -> String {
    match lang {
        Lang::Zh => "线程共享进程的内存：一个线程写，别的线程马上看得到（所以要用锁或原子操作来协调）。\
                     fork 出来的子进程改的是自己的副本，父进程看不到（toolkit fork-demo）"
            .into(),
        Lang::En => "Threads share the process's memory: what one writes, the others see at once (so \
                     they need locks or atomics to cooperate). A forked child changes its own copy, \
                     which the parent never sees (toolkit fork-demo)"
            .into(),
    }
}

pub fn busy_plan(lang: Lang, k: usize, ms: u64) -> String {
    match lang {
        Lang::Zh => format!(
            "启动 {k} 个线程，每个都做 {ms} ms 的纯计算；它们都在运行时读 /proc/PID/task 和 STAT"
        ),
        Lang::En => format!(
            "starting {k} threads, each computing for {ms} ms of CPU time; reading /proc/PID/task \
             and STAT while they all run"
        ),
    }
}

pub fn thread_says(lang: Lang, name: &str, tid: i32, pid: i32) -> String {
    match lang {
        Lang::Zh => format!("[{name}] gettid() = {tid}，getpid() = {pid}"),
        Lang::En => format!("[{name}] gettid() = {tid}, getpid() = {pid}"),
    }
}

pub fn tasks_seen(
    lang: Lang,
    pid: i32,
    tids: &[i32],
    names: &[String],
    threads: i64,
    stat: &str,
) -> String {
    let list: Vec<String> = tids
        .iter()
        .zip(names)
        .map(|(tid, name)| format!("{tid} ({name})"))
        .collect();
    let list = list.join(", ");
    match lang {
        Lang::Zh => format!(
            "/proc/{pid}/task/ 里有 {} 项: {list}；stat 的线程数 = {threads}，STAT = {stat}（多了 l）",
            tids.len()
        ),
        Lang::En => format!(
            "/proc/{pid}/task/ has {} entries: {list}; threads in stat = {threads}, STAT = {stat} \
             (l appeared)",
            tids.len()
        ),
    }
}

pub fn pid_lesson(lang: Lang) -> String {
    match lang {
        Lang::Zh => "所有线程的 getpid() 都一样：PID 属于进程；每个线程有自己的 TID（主线程的 TID 就是 PID），\
                     内核按 TID 调度。看它们: ps -L -p PID、top -H -p PID，以及 toolkit ps-tree -p PID 里的 {名字}（和 pstree 一样）"
            .into(),
        Lang::En => "Every thread's getpid() is the same: the PID belongs to the process; each thread \
                     has a TID of its own (the main thread's TID is the PID), and the kernel schedules \
                     TIDs. See them with ps -L -p PID, top -H -p PID, and as {name} in toolkit ps-tree -p PID (as in pstree)"
            .into(),
    }
}

pub fn cores_seen(
    lang: Lang,
    k: usize,
    cpus: usize,
    wall_ms: f64,
    cpu_ms: f64,
    used: f64,
) -> String {
    match lang {
        Lang::Zh => format!(
            "{k} 个线程（{cpus} 个可用 CPU）：墙上时间 {wall_ms:.0} ms，进程的 CPU 时间 {cpu_ms:.0} ms，\
             相当于同时用了 {used:.2} 个核心"
        ),
        Lang::En => format!(
            "{k} threads ({cpus} CPUs available): {wall_ms:.0} ms of wall-clock time, {cpu_ms:.0} ms \
             of the process's CPU time: {used:.2} cores in use at once"
        ),
    }
}

pub fn cores_lesson(lang: Lang, cpus: usize) -> String {
    if cpus < 2 {
        return match lang {
            Lang::Zh => {
                "这台机器只有一个可用 CPU：线程只能轮流运行（并发），不能同时运行（并行）".into()
            }
            Lang::En => {
                "This machine lets us use one CPU only: the threads take turns (concurrency), \
                         they cannot run at the same time (parallelism)"
                    .into()
            }
        };
    }
    match lang {
        Lang::Zh => {
            "一个进程的几个线程同时在不同的核心上运行（并行）：进程的 CPU 时间比墙上时间增长得快"
                .into()
        }
        Lang::En => {
            "The threads of one process ran on different cores at the same time (parallelism): \
                     the process's CPU time grew faster than the clock"
                .into()
        }
    }
}

pub fn cores_busy_machine(lang: Lang, used: f64, ideal: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "注意：只用了 {used:.2} 个核心，理想是 {ideal:.0} 个——机器上还有别的负载，这次的数字说明不了并行；\
             空闲时再运行一次"
        ),
        Lang::En => format!(
            "Note: only {used:.2} cores were in use where {ideal:.0} were possible: other load on the \
             machine makes this run say nothing about parallelism; run it again when it is idle"
        ),
    }
}

pub fn joined(lang: Lang, threads: i64, stat: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("所有线程都结束（join）之后：线程数 = {threads}，STAT = {stat}（l 又没了）")
        }
        Lang::En => format!(
            "After every thread was joined: threads = {threads}, STAT = {stat} (no l again)"
        ),
    }
}

pub fn compare_lesson(lang: Lang) -> String {
    match lang {
        Lang::Zh => "多进程与多线程：进程各有一份内存，互不干扰，一个崩溃不连累别人，但通信要靠管道、套接字；\
                     线程共享内存，创建和通信都便宜，但一个线程出错会带垮整个进程，共享的数据要加锁"
            .into(),
        Lang::En => "Processes and threads: processes each have their own memory, cannot corrupt one \
                     another and survive each other's crashes, but talk through pipes and sockets; \
                     threads share memory, are cheap to make and to talk between, but one bad thread \
                     takes the whole process down and shared data needs locks"
            .into(),
    }
}
