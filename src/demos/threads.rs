//! `toolkit threads`: the second of the notes' two means of multitasking (多线程), shown next to
//! the first (多进程, `fork-demo`).
//!
//! A thread is a second flow of execution *inside the same process*. What that means, each point
//! observed on the live process and read back from `/proc`:
//!
//! 1. **One memory.** A thread writes 200 into a variable that held 100; the main thread reads the
//!    same address and sees 200. (`fork-demo` does the same with a child process, which changes its
//!    own copy: the parent still sees 100.)
//! 2. **One PID, a TID each.** Every thread's `getpid()` is the process's PID; its `gettid()` is its
//!    own, and `/proc/PID/task/` lists one directory per TID (the main thread's TID is the PID).
//!    `ps -L` and `top -H` show one row per thread; `ps-tree` shows them as `{name}`.
//! 3. **`l` in STAT.** While the process has more than one thread, `ps` adds `l` (multi-threaded)
//!    to its STAT; when they have ended it is gone again.
//! 4. **Every core.** The threads of one process are scheduled on their own, so K busy threads
//!    keep K cores busy at once: the process's CPU time grows about K times as fast as the clock.
//!
//! This module creates threads, so it never forks (fork is only safe while single-threaded, see
//! `crate::child`); every thread is joined before the command returns.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use nix::time::{ClockId, clock_gettime};
use serde::{Deserialize, Serialize};

use crate::demos::show::Show;
use crate::error::CmdResult;
use crate::i18n::Lang;
use crate::i18n::threads as t;
use crate::proc::{self, Fields};

/// The value before and after the thread's write (the same numbers as `fork-demo`).
const BEFORE: i64 = 100;
const AFTER: i64 = 200;
/// CPU time each busy thread burns in the "every core" part.
const BURN: Duration = Duration::from_millis(300);
/// Threads with less CPU/wall than this share of the ideal did not really run at once.
const PARALLEL_ENOUGH: f64 = 0.75;

/// The variable the threads share: one address for all of them.
static SHARED: AtomicI64 = AtomicI64::new(BEFORE);

/// One thing the demo saw, as `--json` prints it (one object per line, `step` first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Observation {
    /// The process before any thread is started.
    Alone {
        pid: i32,
        threads: i64,
        stat: String,
    },
    /// A thread wrote `after` where `before` was; the main thread then read `seen` at the same
    /// address.
    SharedMemory {
        writer_tid: i32,
        address: usize,
        before: i64,
        after: i64,
        seen_by_main: i64,
        main_address: usize,
    },
    /// What each running thread says of itself.
    Thread { tid: i32, pid: i32, name: String },
    /// `/proc/PID/task` and STAT while the threads run.
    Tasks {
        pid: i32,
        tids: Vec<i32>,
        names: Vec<String>,
        threads: i64,
        stat: String,
    },
    /// K busy threads: the process's CPU time against the wall clock.
    Cores {
        threads: usize,
        cpus: usize,
        wall_ms: f64,
        cpu_ms: f64,
        /// cpu / wall: about min(threads, cpus) when they really ran at once.
        cores_used: f64,
        /// False when the machine was too busy for the figure to mean anything.
        meaningful: bool,
    },
    /// After every thread has been joined.
    Joined { threads: i64, stat: String },
}

/// `toolkit threads [--json]`.
pub fn run(json: bool, lang: Lang) -> CmdResult {
    let mut show = Show::new(json);
    let pid = std::process::id() as i32;
    show.text(&t::intro(lang))?;

    // 1. Alone.
    let me = own(pid)?;
    let alone = Observation::Alone {
        pid,
        threads: me.num_threads,
        stat: me.stat_string(),
    };
    show.observe(
        &alone,
        &t::alone(lang, pid, me.num_threads, &me.stat_string()),
    )?;

    // 2. One memory.
    show.plan(&t::memory_plan(lang, BEFORE, address_of_shared()))?;
    let writer = thread::Builder::new().name("writer".into()).spawn(|| {
        let tid = nix::unistd::gettid().as_raw();
        let before = SHARED.swap(AFTER, Ordering::SeqCst);
        (tid, before, address_of_shared())
    })?;
    let (writer_tid, before, address) = writer.join().expect("the writer thread panicked");
    let seen = SHARED.load(Ordering::SeqCst);
    show.observe(
        &Observation::SharedMemory {
            writer_tid,
            address,
            before,
            after: AFTER,
            seen_by_main: seen,
            main_address: address_of_shared(),
        },
        &t::memory_seen(lang, writer_tid, address, before, AFTER, seen),
    )?;
    show.lesson(&t::memory_lesson(lang))?;
    SHARED.store(BEFORE, Ordering::SeqCst);

    // 3 and 4. Busy threads: one per CPU we may use, at least two.
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    let k = cpus.max(2);
    show.plan(&t::busy_plan(lang, k, BURN.as_millis() as u64))?;
    let cpu_before = own(pid)?.cpu_ticks();
    let start = Instant::now();
    // Everyone (the k workers and this thread) meets here once all have started, and again before
    // the workers leave, so that /proc is read while every thread exists.
    let started = Arc::new(Barrier::new(k + 1));
    let looked = Arc::new(Barrier::new(k + 1));
    let workers: Vec<_> = (1..=k)
        .map(|i| {
            let (started, looked) = (Arc::clone(&started), Arc::clone(&looked));
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    let me = (
                        nix::unistd::gettid().as_raw(),
                        nix::unistd::getpid().as_raw(),
                        format!("worker-{i}"),
                    );
                    started.wait();
                    burn(BURN);
                    looked.wait();
                    me
                })
        })
        .collect::<Result<_, _>>()?;
    started.wait();
    let tasks = proc::read_threads(pid, proc::Fields::STAT_ONLY);
    let me = own(pid)?;
    looked.wait();
    let mut reported = Vec::new();
    for worker in workers {
        reported.push(worker.join().expect("a worker thread panicked"));
    }
    let wall = start.elapsed();
    let cpu_ticks = own(pid)?.cpu_ticks().saturating_sub(cpu_before);

    for (tid, thread_pid, name) in &reported {
        show.observe(
            &Observation::Thread {
                tid: *tid,
                pid: *thread_pid,
                name: name.clone(),
            },
            &t::thread_says(lang, name, *tid, *thread_pid),
        )?;
    }
    let tids: Vec<i32> = tasks.iter().map(|p| p.pid).collect();
    let names: Vec<String> = tasks.iter().map(|p| p.comm.clone()).collect();
    show.observe(
        &Observation::Tasks {
            pid,
            tids: tids.clone(),
            names: names.clone(),
            threads: me.num_threads,
            stat: me.stat_string(),
        },
        &t::tasks_seen(lang, pid, &tids, &names, me.num_threads, &me.stat_string()),
    )?;
    show.lesson(&t::pid_lesson(lang))?;

    let wall_ms = wall.as_secs_f64() * 1000.0;
    let cpu_ms = cpu_ticks as f64 * 1000.0 / proc::ticks_per_second() as f64;
    let cores_used = if wall_ms > 0.0 { cpu_ms / wall_ms } else { 0.0 };
    let ideal = k.min(cpus) as f64;
    let meaningful = cores_used >= ideal * PARALLEL_ENOUGH || cpus < 2;
    show.observe(
        &Observation::Cores {
            threads: k,
            cpus,
            wall_ms,
            cpu_ms,
            cores_used,
            meaningful,
        },
        &t::cores_seen(lang, k, cpus, wall_ms, cpu_ms, cores_used),
    )?;
    if meaningful {
        show.lesson(&t::cores_lesson(lang, cpus))?;
    } else {
        show.lesson(&t::cores_busy_machine(lang, cores_used, ideal))?;
    }

    // After the join.
    let me = own(pid)?;
    show.observe(
        &Observation::Joined {
            threads: me.num_threads,
            stat: me.stat_string(),
        },
        &t::joined(lang, me.num_threads, &me.stat_string()),
    )?;
    show.lesson(&t::compare_lesson(lang))?;
    show.flush()?;
    Ok(0)
}

/// This process, as `/proc/PID/stat` (and `status`, for STAT's `L`) describes it.
fn own(pid: i32) -> anyhow::Result<proc::Process> {
    Ok(proc::read_process(
        pid,
        Fields {
            status: true,
            ..Fields::STAT_ONLY
        },
    )?)
}

fn address_of_shared() -> usize {
    &SHARED as *const AtomicI64 as usize
}

/// Keep this thread on a CPU until it has used `work` of CPU time (its own clock, not the wall's).
fn burn(work: Duration) {
    let used = || {
        clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
            .map(Duration::from)
            .unwrap_or(Duration::MAX)
    };
    let mut x: u64 = 1;
    while used() < work {
        for _ in 0..10_000 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
}
