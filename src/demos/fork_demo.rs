//! `toolkit fork-demo`: a real `fork()`, shown step by step.
//!
//! Only the original process prints: every other process reports through a pipe (see
//! [`crate::demos::show`], the narrator all demos share).
//!
//! Every fork goes through [`crate::child::fork_child`]: the toolkit is single-threaded at
//! that point, each child is held by a guard that kills and reaps it on every path, and Ctrl-C
//! turns into an orderly unwind (exit 130) instead of leaving zombies or orphans behind.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::wait::WaitStatus;
use nix::unistd::{Pid, getpid, getppid};

use crate::child::{
    self, Child, ChildError, ReapAllOnDrop, die_with_parent, fork_child, interrupt,
    pipe::{self, LineReader, Next, wait_readable},
};
use crate::demos::show::{
    First, Observation, REPORT_TIMEOUT, Show, Who, explain_fork_error, fork, next_report, report,
    show_report,
};
use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;
use crate::i18n::demos as t;
use crate::proc;

/// `--tree N` makes 2^N processes; 2^6 = 64 is readable on one screen and harmless to the system.
pub const MAX_TREE: u32 = 6;
/// The value the child stores into the shared-looking variable.
const CHILD_VALUE: i64 = 200;
/// The value the variable has before the fork.
const PARENT_VALUE: i64 = 100;
/// The exit code the child returns in the default demo, so the parent has something to report.
const CHILD_EXIT_CODE: i32 = 3;

/// What `fork-demo` should show.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub rounds: u32,
    pub zombie: bool,
    pub orphan: bool,
    pub tree: Option<u32>,
    pub buffer_trap: bool,
    pub json: bool,
    /// With `tree`: write the live tree as an SVG picture to this file.
    pub svg: Option<std::path::PathBuf>,
    /// With `tree`: print only the live tree, as Graphviz DOT.
    pub dot: bool,
    /// How long `--zombie` leaves the zombie in place before reaping (time to look with `ps`).
    pub pause: Duration,
}

pub fn run(opts: &Options, lang: Lang) -> CmdResult {
    interrupt::install();
    let mut show = if opts.dot {
        Show::quiet()
    } else {
        Show::new(opts.json)
    };
    if let Some(n) = opts.tree
        && n > MAX_TREE
    {
        return Err(Failure::new(2, t::tree_too_big(lang, n, MAX_TREE)).into());
    }
    if opts.zombie {
        zombie(&mut show, lang, opts.pause)?;
    }
    if opts.orphan {
        orphan(&mut show, lang)?;
    }
    if let Some(n) = opts.tree {
        tree(&mut show, lang, n, opts)?;
    }
    if opts.buffer_trap {
        buffer_trap(&mut show, lang)?;
    }
    if !(opts.zombie || opts.orphan || opts.tree.is_some() || opts.buffer_trap) {
        basic(&mut show, lang)?;
        rounds(&mut show, lang, opts.rounds)?;
    }
    show.flush()?;
    Ok(0)
}

fn raw(pid: Pid) -> i32 {
    pid.as_raw()
}

/// Return values, PIDs, separate memory, where the child starts, and the exit status.
fn basic(show: &mut Show, lang: Lang) -> anyhow::Result<()> {
    let me = getpid();
    let my_parent = getppid();
    show.plan(&t::basic_intro(lang))?;
    show.observe(
        &Observation::BeforeFork {
            who: Who::Parent,
            pid: raw(me),
            ppid: raw(my_parent),
        },
        &t::before_fork(lang, raw(me), raw(my_parent)),
    )?;

    // The variable both processes will look at. `black_box` keeps the compiler from answering
    // "what is its value in the parent" from its own bookkeeping instead of reading memory.
    let mut value: i64 = PARENT_VALUE;
    let address = std::ptr::addr_of!(value) as usize;
    // Set by code that runs before the fork; the child will see it although it never ran that code.
    let marker: u32 = std::hint::black_box(42);
    let (reader, writer) = pipe::new()?;
    let value_in_child = &mut value;
    show.plan(&t::about_to_fork(lang, PARENT_VALUE, address))?;
    let mut child = fork(lang, move || {
        // Everything from here on runs only in the child: fork() returned 0 here.
        let pid = raw(getpid());
        let ppid = raw(getppid());
        report(
            &writer,
            Observation::ForkReturn {
                who: Who::Child,
                pid,
                ppid,
                fork_returned: 0,
            },
            t::child_fork_return(lang, pid, ppid),
        );
        report(
            &writer,
            Observation::StartPoint {
                who: Who::Child,
                pid,
                marker,
            },
            t::child_start_point(lang, marker),
        );
        let before = *std::hint::black_box(&*value_in_child);
        *value_in_child = CHILD_VALUE;
        let after = *std::hint::black_box(&*value_in_child);
        report(
            &writer,
            Observation::Memory {
                who: Who::Child,
                pid,
                address,
                before: Some(before),
                after: Some(after),
                value: None,
                child_changed_it: None,
            },
            t::child_memory(lang, address, before, after),
        );
        CHILD_EXIT_CODE
    })?;
    let child_pid = child.pid_i32();
    show.observe(
        &Observation::ForkReturn {
            who: Who::Parent,
            pid: raw(me),
            ppid: raw(my_parent),
            fork_returned: child_pid,
        },
        &t::parent_fork_return(lang, raw(me), child_pid),
    )?;

    let mut reader = LineReader::new(reader);
    let mut child_memory_seen = false;
    while let Some(r) = next_report(&mut reader, lang)? {
        show_report(show, &r)?;
        match r.obs {
            Observation::ForkReturn { ppid, .. } => {
                show.lesson(&t::lesson_return_values(lang))?;
                show.lesson(&t::lesson_ppid(lang, ppid == raw(me)))?;
            }
            Observation::StartPoint { .. } => show.lesson(&t::lesson_start_point(lang))?,
            Observation::Memory { .. } => child_memory_seen = true,
            _ => {}
        }
    }
    // The child has written everything and closed the pipe: it changed its copy of `value`.
    let in_parent = *std::hint::black_box(&value);
    show.observe(
        &Observation::Memory {
            who: Who::Parent,
            pid: raw(me),
            address,
            before: None,
            after: None,
            value: Some(in_parent),
            child_changed_it: Some(child_memory_seen),
        },
        &t::parent_memory(lang, address, in_parent),
    )?;
    show.lesson(&t::lesson_memory(lang))?;

    show.plan(&t::about_to_wait(lang, child_pid))?;
    let status = child.wait()?;
    let (code, signal) = status_parts(status);
    show.observe(
        &Observation::ExitStatus {
            who: Who::Parent,
            pid: raw(me),
            child: child_pid,
            exit_code: code,
            signal: signal.clone(),
        },
        &t::exit_status(lang, child_pid, code, signal.as_deref()),
    )?;
    show.lesson(&t::lesson_wait(lang))?;
    Ok(())
}

/// The exit code or the signal name of a reaped child.
pub(crate) fn status_parts(status: WaitStatus) -> (Option<i32>, Option<String>) {
    match status {
        WaitStatus::Exited(_, code) => (Some(code), None),
        WaitStatus::Signaled(_, sig, _) => (None, Some(sig.as_str().to_string())),
        _ => (None, None),
    }
}

/// Who runs first after `fork()`? Both processes write one byte into the same pipe as their very
/// first action; the pipe keeps the order in which the writes happened.
fn rounds(show: &mut Show, lang: Lang, rounds: u32) -> anyhow::Result<()> {
    if rounds == 0 {
        return Ok(());
    }
    show.plan(&t::rounds_intro(lang, rounds))?;
    let (mut parent_first, mut child_first) = (0u32, 0u32);
    for round in 1..=rounds {
        let (reader, writer) = pipe::new()?;
        let child_writer = writer.try_clone()?;
        let mut child = fork(lang, move || {
            let _ = (&child_writer).write_all(b"C");
            0
        })?;
        (&writer).write_all(b"P")?;
        drop(writer);
        let bytes = read_to_end(reader, lang)?;
        child.wait()?;
        let first = match bytes.first() {
            Some(b'C') => {
                child_first += 1;
                First::Child
            }
            Some(b'P') => {
                parent_first += 1;
                First::Parent
            }
            // The child died before writing: nothing to count.
            _ => continue,
        };
        show.observe(
            &Observation::Order {
                round,
                child: child.pid_i32(),
                first,
                pipe: String::from_utf8_lossy(&bytes).into_owned(),
            },
            &t::round_result(lang, round, first == First::Parent),
        )?;
    }
    show.observe(
        &Observation::OrderSummary {
            rounds,
            parent_first,
            child_first,
        },
        &t::rounds_summary(lang, rounds, parent_first, child_first),
    )?;
    if parent_first == 0 || child_first == 0 {
        show.lesson(&t::rounds_one_sided(lang, child_first == 0))?;
    }
    show.lesson(&t::lesson_order(lang))?;
    Ok(())
}

/// Read a pipe to its end, waking for Ctrl-C.
fn read_to_end(reader: File, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut lines = LineReader::new(reader);
    let mut bytes = Vec::new();
    loop {
        match lines.next_line(REPORT_TIMEOUT)? {
            Next::Line(l) => {
                bytes.extend_from_slice(l.as_bytes());
                bytes.push(b'\n');
            }
            Next::Eof => break,
            Next::TimedOut => return Err(Failure::new(1, t::report_timeout(lang)).into()),
        }
    }
    // Whatever followed the last newline (the one-byte marks of `rounds` have none).
    bytes.extend(lines.take_rest());
    Ok(bytes)
}

/// `--zombie`: the child exits, the parent does not wait yet.
fn zombie(show: &mut Show, lang: Lang, pause: Duration) -> anyhow::Result<()> {
    show.plan(&t::zombie_intro(lang))?;
    let mut child = fork(lang, || 0)?;
    let pid = child.pid_i32();
    child.wait_for_exit_keep_zombie()?;
    let state = proc::state_of(pid);
    let letter = state.map(String::from).unwrap_or_else(|| "-".into());
    show.observe(
        &Observation::ZombieState {
            who: Who::Child,
            pid,
            state: letter.clone(),
        },
        &t::zombie_seen(lang, pid, &letter),
    )?;
    show.lesson(&t::lesson_zombie(lang))?;
    if !pause.is_zero() {
        show.text(&t::zombie_pause(lang, pid, pause.as_secs_f64()))?;
        show.flush()?;
        child::sleep_interruptible(pause)?;
    }
    show.plan(&t::about_to_reap(lang, pid))?;
    let status = child.wait()?;
    let (code, _) = status_parts(status);
    let gone = !proc::exists(pid);
    show.observe(
        &Observation::Reaped {
            who: Who::Parent,
            child: pid,
            exit_code: code,
            gone,
        },
        &t::reaped(lang, pid, gone),
    )?;
    show.lesson(&t::lesson_reaped(lang))?;
    Ok(())
}

/// `--orphan`: the middle process exits while its child (the grandchild) lives on.
fn orphan(show: &mut Show, lang: Lang) -> anyhow::Result<()> {
    let me = getpid();
    show.plan(&t::orphan_intro(lang, raw(me)))?;
    // Makes the toolkit the subreaper the lesson needs, and reaps whatever an error leaves.
    let _reaper =
        ReapAllOnDrop::new().map_err(|e| Failure::new(1, t::subreaper_failed(lang, e.desc())))?;
    let (reader, writer) = pipe::new()?;
    let (release_r, release_w) = pipe::new()?;
    let (middle_go_r, middle_go_w) = pipe::new()?;
    let mut middle = fork(lang, || {
        let middle_pid = getpid();
        // Not `fork_child`: this one must survive its parent's exit, which is the lesson.
        let grandchild =
            child::fork_orphanable(|| orphan_grandchild(lang, middle_pid, me, &writer, &release_r));
        match grandchild {
            Ok(g) => {
                let g = raw(g.disown());
                report(
                    &writer,
                    Observation::MiddleForked {
                        who: Who::Middle,
                        pid: raw(middle_pid),
                        grandchild: g,
                    },
                    t::middle_forked(lang, raw(middle_pid), g),
                );
                // Stay alive until the toolkit has looked at the grandchild's PPID.
                let _ = (&middle_go_r).read(&mut [0u8; 1]);
                0
            }
            Err(e) => {
                report(
                    &writer,
                    Observation::MiddleForkFailed {
                        who: Who::Middle,
                        error: e.to_string(),
                    },
                    e.to_string(),
                );
                1
            }
        }
    })?;
    drop(writer);
    let middle_pid = middle.pid_i32();
    let mut reader = LineReader::new(reader);
    let mut grand: Option<Child> = None;
    while grand.is_none() {
        let Some(r) = next_report(&mut reader, lang)? else {
            break;
        };
        show_report(show, &r)?;
        match r.obs {
            Observation::MiddleForked { grandchild, .. } => {
                grand = Some(Child::from_pid(Pid::from_raw(grandchild)));
            }
            Observation::MiddleForkFailed { .. } => {
                return Err(Failure::new(1, r.text).into());
            }
            _ => {}
        }
    }
    let Some(mut grand) = grand else {
        return Err(Failure::new(1, t::report_timeout(lang)).into());
    };
    let g = grand.pid_i32();
    let ppid_before = proc::read_process(g, proc::Fields::STAT_ONLY)
        .map(|p| p.ppid)
        .unwrap_or(0);
    show.observe(
        &Observation::OrphanPpidBefore {
            who: Who::Grandchild,
            pid: g,
            ppid: ppid_before,
        },
        &t::orphan_ppid_before(lang, g, ppid_before, middle_pid),
    )?;
    show.plan(&t::about_to_reap_middle(lang, middle_pid))?;
    (&middle_go_w).write_all(b"x")?;
    let status = middle.wait()?;
    let (code, _) = status_parts(status);
    show.observe(
        &Observation::MiddleExited {
            who: Who::Parent,
            pid: middle_pid,
            exit_code: code,
        },
        &t::middle_exited(lang, middle_pid, code),
    )?;
    // The evidence, read from /proc by the toolkit itself.
    let after = proc::read_process(g, proc::Fields::STAT_ONLY)
        .map(|p| p.ppid)
        .unwrap_or(0);
    show.observe(
        &Observation::OrphanPpid {
            who: Who::Grandchild,
            pid: g,
            ppid_before,
            ppid_after: after,
            subreaper: raw(me),
        },
        &t::orphan_ppid(lang, g, ppid_before, after, raw(me)),
    )?;
    // The grandchild's own view.
    loop {
        let Some(r) = next_report(&mut reader, lang)? else {
            break;
        };
        show_report(show, &r)?;
        if matches!(r.obs, Observation::GrandchildAdopted { .. }) {
            break;
        }
    }
    show.lesson(&t::lesson_orphan(lang))?;
    (&release_w).write_all(b"x")?;
    show.plan(&t::about_to_reap(lang, g))?;
    let status = grand.wait()?;
    let (code, _) = status_parts(status);
    let gone = !proc::exists(g);
    show.observe(
        &Observation::Reaped {
            who: Who::Parent,
            child: g,
            exit_code: code,
            gone,
        },
        &t::reaped(lang, g, gone),
    )?;
    // Nothing else may be left for us to adopt.
    child::reap_terminated();
    Ok(())
}

/// The grandchild of `--orphan`: report, wait to be re-parented, report again, wait for release.
fn orphan_grandchild(lang: Lang, middle: Pid, toolkit: Pid, writer: &File, release: &File) -> i32 {
    let pid = raw(getpid());
    // Wait (bounded) until the middle process has exited and someone adopted us.
    for _ in 0..1000 {
        if getppid() != middle {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let adopted_by = raw(getppid());
    // Adopted by the toolkit (the subreaper): from now on, die with it.
    if adopted_by == raw(toolkit) && !die_with_parent(toolkit, nix::sys::signal::Signal::SIGKILL) {
        return 0;
    }
    report(
        writer,
        Observation::GrandchildAdopted {
            who: Who::Grandchild,
            pid,
            ppid: adopted_by,
        },
        t::grandchild_adopted(lang, pid, adopted_by),
    );
    // Wait for the toolkit's go-ahead; leave at once if the toolkit itself has gone.
    loop {
        if wait_readable(release, 50) {
            let _ = (&*release).read(&mut [0u8; 1]);
            return 0;
        }
        if getppid() != toolkit {
            return 0;
        }
    }
}

/// `--tree N`: `for i in 0..N { fork() }`, like the classic exercise.
fn tree(show: &mut Show, lang: Lang, n: u32, opts: &Options) -> anyhow::Result<()> {
    // Members whose parent is killed on an error path are adopted by us and reaped here.
    let _reaper =
        ReapAllOnDrop::new().map_err(|e| Failure::new(1, t::subreaper_failed(lang, e.desc())))?;
    let root = getpid();
    let expected_total = 1u32 << n;
    show.plan(&t::tree_intro(lang, n, expected_total))?;
    let (reader, writer) = pipe::new()?;
    let (release_r, release_w) = pipe::new()?;
    let mut ctx = TreeCtx {
        n,
        lang,
        writer: &writer,
        release: &release_r,
    };
    let (mut kids, failures) = ctx.fork_loop(0);
    let failures = failures?;
    show.observe(
        &Observation::TreeMember {
            who: Who::Process,
            pid: raw(root),
            ppid: raw(getppid()),
            born_at: None,
            failed_forks: Some(failures.len()),
        },
        &t::tree_member(lang, raw(root), raw(getppid()), None),
    )?;
    // Every process that should exist, minus the subtrees of forks that failed.
    let mut expected_reports = expected_total - 1;
    let mut first_failure = failures.first().map(|&(_, errno)| errno);
    for &(i, errno) in &failures {
        expected_reports = expected_reports.saturating_sub(1 << (n - i - 1));
        show.observe(
            &Observation::ForkFailed {
                pid: raw(root),
                at: i,
                errno: errno_name(errno),
                errno_num: errno as i32,
            },
            &t::tree_fork_failed(lang, raw(root), i, &errno_name(errno)),
        )?;
    }
    let mut reader = LineReader::new(reader);
    let mut reported = 1u32;
    while reported - 1 < expected_reports {
        let Some(r) = next_report(&mut reader, lang)? else {
            break;
        };
        show_report(show, &r)?;
        match r.obs {
            Observation::TreeMember { .. } => reported += 1,
            Observation::ForkFailed { at, errno_num, .. } => {
                expected_reports = expected_reports.saturating_sub(1 << (n - at - 1));
                first_failure.get_or_insert(Errno::from_raw(errno_num));
            }
            _ => {}
        }
    }
    // Everyone has reported and is now blocked waiting for the release: the tree is complete.
    let in_proc = proc::ProcessTable::scan(proc::Fields::STAT_ONLY)
        .map(|table| table.tree().descendants(raw(root)).len())
        .unwrap_or(0);
    let text_opts = crate::inspect::ps_tree::Options {
        show_pids: true,
        ..Default::default()
    };
    match crate::inspect::ps_tree::render_text(raw(root), &text_opts, lang) {
        Ok(text) => show.text(text.trim_end())?,
        Err(e) => show.text(&t::tree_not_drawn(lang, &format!("{e:#}")))?,
    }
    if opts.svg.is_some() || opts.dot {
        draw_tree_picture(show, lang, raw(root), opts)?;
    }
    show.observe(
        &Observation::TreeCount {
            n,
            expected: expected_total,
            reported,
            in_proc,
        },
        &t::tree_count(lang, n, expected_total, reported, in_proc),
    )?;
    show.lesson(&t::lesson_tree(lang, n))?;
    // Let every member go (one byte each), then reap our own children; each member reaps its own.
    let release = vec![b'x'; (reported - 1) as usize];
    (&release_w).write_all(&release)?;
    for kid in kids.iter_mut() {
        kid.wait()?;
    }
    // The tree is incomplete: say so as an error, with the errno, after showing what exists.
    if let Some(errno) = first_failure {
        return Err(explain_fork_error(ChildError::Fork(errno), lang));
    }
    Ok(())
}

/// `--tree N --svg FILE` / `--dot`: the live tree as a picture, the longest chain of forks (the
/// process with the most ancestors) highlighted.
fn draw_tree_picture(show: &mut Show, lang: Lang, root: i32, opts: &Options) -> anyhow::Result<()> {
    let table = proc::ProcessTable::scan(proc::Fields::STAT_ONLY)?;
    let tree = table.tree();
    let deepest = tree
        .descendants(root)
        .into_iter()
        .max_by_key(|&pid| (tree.ancestors(pid).len(), std::cmp::Reverse(pid)));
    let picture = crate::inspect::ps_tree::render_picture(root, deepest, lang)?;
    if let Some(path) = &opts.svg {
        crate::output::write_picture(path, &crate::picture::tree::tree_svg(&picture), lang)?;
        show.saw(&crate::i18n::picture::written(
            lang,
            &path.display().to_string(),
        ))?;
    }
    if opts.dot {
        let mut out = io::stdout();
        out.write_all(crate::picture::tree::tree_dot(&picture).as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

/// What every member of `--tree` needs to know.
struct TreeCtx<'a> {
    n: u32,
    lang: Lang,
    writer: &'a File,
    release: &'a File,
}

impl TreeCtx<'_> {
    /// The loop body of the classic exercise, from iteration `start`: fork once per iteration.
    /// Returns the children made and the iterations whose fork failed.
    #[allow(clippy::type_complexity)]
    fn fork_loop(&mut self, start: u32) -> (Vec<Child>, anyhow::Result<Vec<(u32, Errno)>>) {
        let mut kids = Vec::new();
        let mut failed = Vec::new();
        for i in start..self.n {
            let parent = getpid();
            match fork_child(|| self.member(i, parent)) {
                Ok(kid) => kids.push(kid),
                Err(ChildError::Fork(errno)) => failed.push((i, errno)),
                Err(other) => return (kids, Err(other.into())),
            }
        }
        (kids, Ok(failed))
    }

    /// A process born at iteration `born_at` (dying with its `parent`, as every forked child
    /// does): it carries on with the loop, reports itself, waits until the tree has been drawn,
    /// then reaps its own children.
    fn member(&mut self, born_at: u32, parent: Pid) -> i32 {
        let (mut kids, failures) = self.fork_loop(born_at + 1);
        let pid = raw(getpid());
        for (i, errno) in failures.unwrap_or_default() {
            report(
                self.writer,
                Observation::ForkFailed {
                    pid,
                    at: i,
                    errno: errno_name(errno),
                    errno_num: errno as i32,
                },
                t::tree_fork_failed(self.lang, pid, i, &errno_name(errno)),
            );
        }
        report(
            self.writer,
            Observation::TreeMember {
                who: Who::Process,
                pid,
                ppid: raw(parent),
                born_at: Some(born_at),
                failed_forks: None,
            },
            t::tree_member(self.lang, pid, raw(parent), Some(born_at)),
        );
        let _ = (&*self.release).read(&mut [0u8; 1]);
        for kid in kids.iter_mut() {
            let _ = kid.wait();
        }
        0
    }
}

fn errno_name(errno: Errno) -> String {
    format!("{errno:?} ({})", errno.desc())
}

/// `--buffer-trap`: a buffer that is not flushed before `fork()` is copied into the child, and
/// both processes flush their copy. The buffer writes into a pipe standing in for a redirected
/// stdout, and the toolkit counts how often the line arrived.
fn buffer_trap(show: &mut Show, lang: Lang) -> anyhow::Result<()> {
    show.plan(&t::buffer_intro(lang))?;
    for flush_first in [false, true] {
        let line = t::buffer_line(lang, flush_first);
        let (reader, writer) = pipe::new()?;
        let mut buffered = io::BufWriter::new(writer);
        // Like printf() into a fully buffered stdout: the bytes stay in this process's memory.
        writeln!(buffered, "{line}")?;
        if flush_first {
            buffered.flush()?;
        }
        let buffered_in_child = &mut buffered;
        let mut child = fork(lang, move || {
            // exit() in C flushes stdio buffers; the child does the same with its copy.
            let _ = buffered_in_child.flush();
            0
        })?;
        child.wait()?;
        buffered.flush()?;
        drop(buffered);
        let bytes = read_to_end(reader, lang)?;
        let text = String::from_utf8_lossy(&bytes);
        let copies = text.lines().filter(|l| *l == line).count();
        show.observe(
            &Observation::BufferTrap {
                flushed_before_fork: flush_first,
                copies,
            },
            &t::buffer_result(lang, flush_first, copies),
        )?;
    }
    if !show.json {
        buffer_trap_on_stdout(show, lang)?;
    }
    show.lesson(&t::lesson_buffer(lang))?;
    Ok(())
}

/// The trap on the real stdout, buffered the way C's stdio buffers it: line by line on a
/// terminal (so the line is out before the fork and appears once), fully when stdout is a pipe or
/// a file (so it is still in the buffer at the fork and appears twice).
fn buffer_trap_on_stdout(show: &mut Show, lang: Lang) -> anyhow::Result<()> {
    let on_tty = io::stdout().is_terminal();
    show.plan(&t::buffer_stdout_plan(lang, on_tty))?;
    show.flush()?;
    let line = t::buffer_stdout_line(lang, raw(getpid()));
    let mut buffered: Box<dyn Write> = if on_tty {
        Box::new(io::LineWriter::new(io::stdout()))
    } else {
        Box::new(io::BufWriter::new(io::stdout()))
    };
    writeln!(buffered, "{line}")?;
    let buffered_in_child = &mut buffered;
    let mut child = fork(lang, move || {
        let _ = buffered_in_child.flush();
        0
    })?;
    child.wait()?;
    buffered.flush()?;
    drop(buffered);
    show.lesson(&t::buffer_stdout_result(lang, on_tty))?;
    Ok(())
}
