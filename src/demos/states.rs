//! `toolkit states`: one child driven through the process states, each read back from /proc.
//!
//! The parent steers the child through a command pipe (one byte per step) and signals, and after
//! every step reads `/proc/CHILD/stat`. Observations are *read, never assumed*: a state can lag
//! behind the step that causes it (a signal is delivered asynchronously, a busy child may be
//! briefly off the CPU), so each step samples the state several times and reports every letter
//! it saw, not only the one it hoped for.
//!
//! The child's script:
//! 1. spin in a busy loop (R) until the first byte arrives;
//! 2. block in `read()` on the empty pipe (S); the parent stops (T) and continues it meanwhile;
//! 3. on the second byte, create a child with `clone(CLONE_VFORK)` (vfork's waiting, without its
//!    shared memory): the kernel keeps our child in an uninterruptible wait (D) until its own
//!    child has exited;
//! 4. exit without being reaped (Z), until the parent's `waitpid()` removes it.
//!
//! Between 3 and 4 a second child proves which D it was: it waits in the same vfork-style wait for
//! far longer, and the parent sends it SIGKILL. Linux has two sleeps that `ps` both shows as D:
//! `TASK_UNINTERRUPTIBLE` (no signal at all gets through, not even SIGKILL, until the wait ends:
//! typically disk or NFS I/O) and `TASK_KILLABLE` (uninterruptible by ordinary signals, but a fatal
//! one ends it at once). The vfork wait is killable: the child is Z within milliseconds.

use std::fs::File;
use std::io::{Read, Write};
use std::time::Duration;

use nix::sys::signal::Signal;
use serde::Serialize;

use crate::child::pipe::wait_readable;
use crate::child::{self, Child, interrupt, pipe, vfork};
use crate::demos::show::{Show, fork};
use crate::error::CmdResult;
use crate::i18n::Lang;
use crate::i18n::demos as t;
use crate::proc::{self, stat::FiveState, stat::StateCode, stat::ThreeState};

/// Time between two samples of the child's state.
const SAMPLE_GAP: Duration = Duration::from_millis(10);
/// Most samples per step (about one second).
const MAX_SAMPLES: usize = 100;
/// How long the vfork grandchild sleeps, i.e. how long the child stays in D.
const VFORK_SLEEP: Duration = Duration::from_millis(400);
/// How long the second child would stay in D if SIGKILL did not end its wait.
const KILLABLE_SLEEP: Duration = Duration::from_secs(10);

/// One row of the table (and of `--json`).
#[derive(Debug, Serialize)]
pub struct Row {
    /// Stable identifier of the step: new, running, waiting, stopped, continued,
    /// uninterruptible, killed_in_d, zombie, gone.
    pub step: &'static str,
    /// The letter the step should produce (`-` for "no /proc entry").
    pub expected: char,
    /// The letter read from /proc (`-` when the entry is gone).
    pub observed: char,
    /// Every letter seen while sampling, in order.
    pub samples: String,
    pub three_state: Option<ThreeState>,
    pub five_state: Option<FiveState>,
}

/// The steps, in order.
#[derive(Debug, Clone, Copy)]
enum Step {
    New,
    Running,
    Waiting,
    Stopped,
    Continued,
    Uninterruptible,
    /// SIGKILL sent to a second child while it is in D.
    KilledInD,
    Zombie,
    Gone,
}

impl Step {
    fn id(self) -> &'static str {
        match self {
            Step::New => "new",
            Step::Running => "running",
            Step::Waiting => "waiting",
            Step::Stopped => "stopped",
            Step::Continued => "continued",
            Step::Uninterruptible => "uninterruptible",
            Step::KilledInD => "killed_in_d",
            Step::Zombie => "zombie",
            Step::Gone => "gone",
        }
    }

    fn expected(self) -> char {
        match self {
            Step::New | Step::Running => 'R',
            Step::Waiting | Step::Continued => 'S',
            Step::Stopped => 'T',
            Step::Uninterruptible => 'D',
            Step::KilledInD | Step::Zombie => 'Z',
            Step::Gone => '-',
        }
    }
}

pub fn run(json: bool, svg: Option<&std::path::Path>, lang: Lang) -> CmdResult {
    interrupt::install();
    let mut show = Show::new(json);
    show.plan(&t::states_intro(lang))?;
    // If the child is killed during its vfork-style wait, its own child is adopted and reaped here.
    let _reaper = child::ReapAllOnDrop::new().map_err(std::io::Error::from)?;
    let (cmd_r, cmd_w) = pipe::new()?;
    let mut rows = Vec::new();

    show.plan(&t::states_plan(lang, Step::New.id()))?;
    let mut child = fork(lang, || child_script(&cmd_r))?;
    let pid = child.pid_i32();
    let first = proc::state_of(pid).unwrap_or('-');
    step_done(
        &mut show,
        &mut rows,
        lang,
        Step::New,
        pid,
        first.to_string(),
    )?;

    show.plan(&t::states_plan(lang, Step::Running.id()))?;
    let samples = sample_until(pid, 'R', 20)?;
    step_done(&mut show, &mut rows, lang, Step::Running, pid, samples)?;

    show.plan(&t::states_plan(lang, Step::Waiting.id()))?;
    (&cmd_w).write_all(b"b")?;
    let samples = sample_until(pid, 'S', MAX_SAMPLES)?;
    step_done(&mut show, &mut rows, lang, Step::Waiting, pid, samples)?;

    show.plan(&t::states_plan(lang, Step::Stopped.id()))?;
    signal(&child, Signal::SIGSTOP)?;
    let samples = sample_until(pid, 'T', MAX_SAMPLES)?;
    step_done(&mut show, &mut rows, lang, Step::Stopped, pid, samples)?;

    show.plan(&t::states_plan(lang, Step::Continued.id()))?;
    signal(&child, Signal::SIGCONT)?;
    let samples = sample_until(pid, 'S', MAX_SAMPLES)?;
    step_done(&mut show, &mut rows, lang, Step::Continued, pid, samples)?;

    show.plan(&t::states_plan(lang, Step::Uninterruptible.id()))?;
    (&cmd_w).write_all(b"d")?;
    let samples = sample_until_with_gap(pid, 'D', 80, Duration::from_millis(5))?;
    step_done(
        &mut show,
        &mut rows,
        lang,
        Step::Uninterruptible,
        pid,
        samples,
    )?;

    killed_in_d(&mut show, &mut rows, lang)?;

    show.plan(&t::states_plan(lang, Step::Zombie.id()))?;
    child.wait_for_exit_keep_zombie()?;
    let samples = sample_until(pid, 'Z', 10)?;
    step_done(&mut show, &mut rows, lang, Step::Zombie, pid, samples)?;

    show.plan(&t::states_plan(lang, Step::Gone.id()))?;
    child.wait()?;
    let gone = if proc::exists(pid) {
        proc::state_of(pid).unwrap_or('-').to_string()
    } else {
        "-".to_string()
    };
    step_done(&mut show, &mut rows, lang, Step::Gone, pid, gone)?;

    if let Some(path) = svg {
        let svg = crate::picture::timeline::timeline_svg(&timeline(&rows, pid, lang));
        crate::output::write_picture(path, &svg, lang)?;
        show.saw(&crate::i18n::picture::written(
            lang,
            &path.display().to_string(),
        ))?;
    }
    if json {
        let mut out = std::io::stdout();
        crate::output::write_json(&mut out, &rows)?;
    } else {
        let mut table = crate::output::table(t::states_headers(lang));
        for row in &rows {
            table.add_row(vec![
                t::states_step_name(lang, row.step),
                row.expected.to_string(),
                t::observed_cell(lang, row.observed, &row.samples),
                row.three_state
                    .map(|s| t::three_state_name(lang, s.id()).to_string())
                    .unwrap_or_else(|| "-".into()),
                row.five_state
                    .map(|s| t::five_state_name(lang, s.id()).to_string())
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        show.text("")?;
        let mut out = std::io::stdout();
        crate::output::write_table(&mut out, &table)?;
    }
    show.flush()?;
    Ok(0)
}

/// The rows as a picture: one band per step, coloured by the letter observed. (The
/// `killed_in_d` row is the second child's; its band shows its D and Z samples.)
pub fn timeline(rows: &[Row], pid: i32, lang: Lang) -> crate::picture::timeline::Timeline {
    use crate::picture::timeline::{Band, Timeline};
    let dash = || "-".to_string();
    Timeline {
        title: crate::i18n::picture::timeline_title(lang, pid),
        rows: crate::i18n::picture::timeline_rows(lang),
        bands: rows
            .iter()
            .map(|row| Band {
                state: row.observed,
                step: row.step.to_string(),
                step_name: t::states_step_name(lang, row.step),
                samples: row.samples.clone(),
                three_state: row
                    .three_state
                    .map_or_else(dash, |s| t::three_state_name(lang, s.id()).to_string()),
                five_state: row
                    .five_state
                    .map_or_else(dash, |s| t::five_state_name(lang, s.id()).to_string()),
            })
            .collect(),
    }
}

/// Which D was it? A second child in the same vfork-style wait, for [`KILLABLE_SLEEP`], gets
/// SIGKILL: if it is Z at once, the wait was `TASK_KILLABLE`.
fn killed_in_d(show: &mut Show, rows: &mut Vec<Row>, lang: Lang) -> anyhow::Result<()> {
    show.plan(&t::states_plan(lang, Step::KilledInD.id()))?;
    let mut second = fork(lang, || {
        i32::from(vfork::vfork_and_wait(KILLABLE_SLEEP).is_err())
    })?;
    let pid = second.pid_i32();
    let before = sample_until_with_gap(pid, 'D', 200, Duration::from_millis(5))?;
    let sent = std::time::Instant::now();
    signal(&second, Signal::SIGKILL)?;
    let after = sample_until_with_gap(pid, 'Z', 200, Duration::from_millis(5))?;
    let took = sent.elapsed();
    // The row shows both halves: the D before the signal, the Z after it.
    step_done(
        show,
        rows,
        lang,
        Step::KilledInD,
        pid,
        format!("{before}{after}"),
    )?;
    if !show.json {
        show.saw(&t::killable_proof(
            lang,
            before.ends_with('D'),
            after.ends_with('Z'),
            took.as_secs_f64() * 1000.0,
            KILLABLE_SLEEP.as_secs(),
        ))?;
    }
    second.wait()?;
    Ok(())
}

fn signal(child: &Child, sig: Signal) -> anyhow::Result<()> {
    child.signal(sig).map_err(std::io::Error::from)?;
    Ok(())
}

/// Record one step: decide what was observed, print it and its lesson, keep the row.
fn step_done(
    show: &mut Show,
    rows: &mut Vec<Row>,
    lang: Lang,
    step: Step,
    pid: i32,
    samples: String,
) -> anyhow::Result<()> {
    let expected = step.expected();
    let observed = if samples.contains(expected) {
        expected
    } else {
        samples.chars().last().unwrap_or('-')
    };
    let code = StateCode::from_letter(observed);
    let row = Row {
        step: step.id(),
        expected,
        observed,
        samples,
        three_state: code.map(StateCode::three_state),
        five_state: code.map(StateCode::five_state),
    };
    if !show.json {
        show.saw(&t::states_observed(lang, pid, observed, &row.samples))?;
        if observed == expected {
            show.lesson(&t::states_lesson(lang, step.id()))?;
        } else {
            show.lesson(&t::states_mismatch(lang, step.id(), expected, observed))?;
        }
    }
    rows.push(row);
    Ok(())
}

/// Sample the state until `want` is seen or `max` samples were taken; every letter seen, in order
/// (`-` once the process is gone).
fn sample_until(pid: i32, want: char, max: usize) -> anyhow::Result<String> {
    sample_until_with_gap(pid, want, max, SAMPLE_GAP)
}

fn sample_until_with_gap(
    pid: i32,
    want: char,
    max: usize,
    gap: Duration,
) -> anyhow::Result<String> {
    let mut seen = String::new();
    for i in 0..max {
        if i > 0 {
            child::sleep_interruptible(gap)?;
        }
        let letter = proc::state_of(pid).unwrap_or('-');
        seen.push(letter);
        if letter == want || letter == '-' {
            break;
        }
    }
    Ok(seen)
}

/// What the child does; see the module documentation.
fn child_script(cmd: &File) -> i32 {
    // 1. Busy: compute, and now and then check (without blocking) whether a byte has arrived.
    let mut x: u64 = 1;
    loop {
        for i in 0..100_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        if wait_readable(cmd, 0) {
            let _ = (&*cmd).read(&mut [0u8; 1]);
            break;
        }
    }
    // 2. Blocked in read() until the next byte (stopped and continued meanwhile).
    if (&*cmd).read(&mut [0u8; 1]).unwrap_or(0) == 0 {
        return 1;
    }
    // 3. vfork: this process waits uninterruptibly until its vfork child exits.
    if vfork::vfork_and_wait(VFORK_SLEEP).is_err() {
        return 1;
    }
    // 4. Exit; the parent leaves us a zombie for a moment.
    0
}
