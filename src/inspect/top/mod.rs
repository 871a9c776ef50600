//! `toolkit top`: watch priorities and states live, and see every state change as it happens.
//!
//! A live view is a loop of *samples*. Each refresh reads every watched process from `/proc`
//! (one `stat` file each, plus its owner), compares it with the previous sample, and draws:
//!
//! - %CPU is the CPU time used between two samples divided by the time between them
//!   ([`sample`]); that is why top's first screen is a guess and why a faster refresh is noisier;
//! - new and exited processes are what one sample has and the other has not ([`rows`]);
//! - a *state transition* (`S -> R`, `R -> T`, `-> Z`) is a letter that differs between two samples
//!   ([`transitions`]). `--sample-ms` takes extra samples between two refreshes, just for the log:
//!   a change that starts and ends between two samples is never seen.
//!
//! The header's system figures (per-CPU usage, memory, load, uptime) come from `sysinfo`; the rows
//! from the toolkit's own `/proc` model. [`frame`] puts one refresh together; [`view`] draws it
//! with ratatui, [`batch`] prints it (`-b`, `--json`, or whenever stdout is not a terminal);
//! [`keys`] is top's keyboard, [`terminal`] borrows the terminal and always gives it back.
//! `top` never forks: it only looks, renices (through [`crate::demos::nice::set_nice`]) and sends
//! signals.

pub mod batch;
pub mod counts;
pub mod frame;
pub mod keys;
pub mod rows;
pub mod sample;
pub mod terminal;
pub mod transitions;
pub mod view;

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use nix::sys::signal::kill;
use nix::unistd::Pid;

use crate::child::{ChildError, interrupt};
use crate::demos::nice::{set_nice, weights::top_pr};
use crate::error::{CmdResult, Failure};
use crate::i18n::{self, Lang, top as msg};
use crate::proc::{self, ProcError};

use frame::Watch;
use keys::{Action, Ui};
use rows::Filter;
use sample::{Sampler, SystemSource};
use terminal::{Input, Keyboard, Screen};
use transitions::Log;
use view::Look;

/// The first frame's differences are taken over this much time (or the delay, if shorter):
/// enough for `sysinfo`'s CPU usage, which needs two readings at least this far apart.
const PRIME: Duration = Duration::from_millis(200);
/// How long batch mode sleeps at most before looking at Ctrl-C / SIGTERM again.
const POLL_MAX: Duration = Duration::from_millis(500);
/// How many transitions the pane remembers.
const LOG_CAPACITY: usize = 500;
/// The shortest refresh delay and sampling interval accepted.
const MIN_DELAY_SECS: f64 = 0.05;
const MIN_SAMPLE_MS: u64 = 10;

/// What `toolkit top` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Seconds between refreshes (`-d`).
    pub delay_secs: f64,
    /// Frames to show before exiting (`-n`); `None`: until `q`.
    pub iterations: Option<u32>,
    /// Print frames as text (`-b`).
    pub batch: bool,
    /// Print frames as JSON lines (implies batch mode).
    pub json: bool,
    /// Watch only these PIDs (`-p`).
    pub pids: Vec<i32>,
    /// Show only this user's processes (`-u`).
    pub user: Option<String>,
    /// Threads instead of processes (`-H`).
    pub threads: bool,
    /// Sample for the transitions log this often (`--sample-ms`); `None`: at each refresh.
    pub sample_ms: Option<u64>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            delay_secs: 1.0,
            iterations: None,
            batch: false,
            json: false,
            pids: Vec::new(),
            user: None,
            threads: false,
            sample_ms: None,
        }
    }
}

/// `toolkit top`.
pub fn run(opts: Options, lang: Lang) -> CmdResult {
    if !(MIN_DELAY_SECS..=3600.0).contains(&opts.delay_secs) {
        return Err(Failure::new(2, msg::invalid_delay(lang, opts.delay_secs)).into());
    }
    let delay = Duration::from_secs_f64(opts.delay_secs);
    let sample_ms = opts.sample_ms.unwrap_or(delay.as_millis() as u64);
    if sample_ms < MIN_SAMPLE_MS || u128::from(sample_ms) > delay.as_millis() {
        return Err(Failure::new(2, msg::invalid_sample_ms(lang, sample_ms)).into());
    }
    let mut pids = opts.pids.clone();
    pids.sort_unstable();
    pids.dedup();
    let system = SystemSource::new()
        .map_err(|e| Failure::new(1, msg::no_system_figures(lang, &e.to_string())))?;
    let sampler = Sampler::new(pids, opts.threads);
    interrupt::install();
    let watch = Watch::start(sampler, system, sample_ms).map_err(|e| proc_failure(lang, &e))?;
    let timing = Timing {
        delay,
        sample: Duration::from_millis(sample_ms),
    };
    if opts.batch || opts.json || !io::stdout().is_terminal() {
        batch_loop(watch, &opts, timing, lang)
    } else {
        interactive_loop(watch, &opts, timing, lang)
    }
}

#[derive(Debug, Clone, Copy)]
struct Timing {
    delay: Duration,
    sample: Duration,
}

fn proc_failure(lang: Lang, err: &ProcError) -> Failure {
    Failure::new(1, i18n::common::proc_unreadable(lang, &err.to_string()))
}

/// Wait `length`, taking the quick samples of the transitions log on the way, and looking for
/// Ctrl-C / SIGTERM at least every [`POLL_MAX`].
fn wait_sampling(watch: &mut Watch, length: Duration, sample: Duration, lang: Lang) -> CmdResult {
    let end = Instant::now() + length;
    let mut next_sample = Instant::now() + sample;
    loop {
        if let Some(sig) = interrupt::pending() {
            return Err(ChildError::Interrupted(sig).into());
        }
        let now = Instant::now();
        if now >= end {
            return Ok(0);
        }
        if now >= next_sample && next_sample < end {
            watch.quick_sample().map_err(|e| proc_failure(lang, &e))?;
            next_sample += sample;
            continue;
        }
        let until = end.min(next_sample).saturating_duration_since(now);
        std::thread::sleep(until.min(POLL_MAX));
    }
}

fn batch_loop(mut watch: Watch, opts: &Options, timing: Timing, lang: Lang) -> CmdResult {
    let filter = Filter {
        user: opts.user.clone(),
        name: None,
    };
    // One write per frame, not one per line (stdout alone is line-buffered).
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    wait_sampling(&mut watch, PRIME.min(timing.delay), timing.sample, lang)?;
    let mut shown = 0u32;
    loop {
        let mut frame = watch.frame().map_err(|e| proc_failure(lang, &e))?;
        frame.rows.retain(|r| filter.keeps(r));
        if opts.json {
            batch::write_json(&mut out, &frame)?;
        } else {
            batch::write_text(&mut out, &frame, lang)?;
        }
        out.flush()?;
        shown += 1;
        if opts.iterations.is_some_and(|n| shown >= n) {
            return Ok(0);
        }
        wait_sampling(&mut watch, timing.delay, timing.sample, lang)?;
    }
}

fn interactive_loop(mut watch: Watch, opts: &Options, timing: Timing, lang: Lang) -> CmdResult {
    let look = Look {
        color: crate::output::color_allowed(
            true,
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
        ),
    };
    let mut ui = Ui {
        threads: opts.threads,
        filter: Filter {
            user: opts.user.clone(),
            name: None,
        },
        ..Ui::default()
    };
    let mut log = Log::new(LOG_CAPACITY);
    let keyboard = Keyboard::open();
    let mut screen =
        Screen::enter().map_err(|e| Failure::new(1, msg::terminal_failed(lang, &e.to_string())))?;
    wait_sampling(&mut watch, PRIME.min(timing.delay), timing.sample, lang)?;
    let mut frame = watch.frame().map_err(|e| proc_failure(lang, &e))?;
    log.extend(frame.transitions.iter().cloned());
    let mut shown = 1u32;
    let mut next_refresh = Instant::now() + timing.delay;
    let mut next_sample = Instant::now() + timing.sample;
    let mut dirty = true;
    loop {
        if dirty {
            screen
                .terminal
                .draw(|s| view::draw(s, &frame, &ui, &log, lang, look))?;
            dirty = false;
            if opts.iterations.is_some_and(|n| shown >= n) {
                return Ok(0);
            }
        }
        if let Some(sig) = interrupt::pending() {
            return Err(ChildError::Interrupted(sig).into());
        }
        let now = Instant::now();
        if now >= next_refresh {
            next_refresh = now + timing.delay;
            next_sample = now + timing.sample;
            if !ui.paused {
                frame = watch.frame().map_err(|e| proc_failure(lang, &e))?;
                log.extend(frame.transitions.iter().cloned());
                shown += 1;
                dirty = true;
            }
            continue;
        }
        if now >= next_sample {
            next_sample = now + timing.sample;
            if !ui.paused && timing.sample < timing.delay {
                watch.quick_sample().map_err(|e| proc_failure(lang, &e))?;
            }
            continue;
        }
        let timeout = next_refresh.min(next_sample).saturating_duration_since(now);
        match keyboard.next_input(timeout)? {
            Input::Key(key) => {
                let top_pid = view::ordered_rows(&frame, &ui)
                    .iter()
                    .find(|(r, _)| !r.exited)
                    .map(|(r, _)| r.pid);
                match ui.on_key(key, top_pid, lang) {
                    Action::None => {}
                    Action::Quit => return Ok(0),
                    Action::SetThreads(on) => {
                        // A new baseline; the first frame of threads comes as the first frame
                        // of all does, a moment later (%CPU over no time would be noise).
                        watch.set_threads(on).map_err(|e| proc_failure(lang, &e))?;
                        next_refresh = Instant::now() + PRIME.min(timing.delay);
                    }
                    Action::Renice { pid, nice } => ui.message = Some(renice(pid, nice, lang)),
                    Action::Signal { pid, signal } => {
                        ui.message = Some(match kill(Pid::from_raw(pid), signal) {
                            Ok(()) => msg::signal_sent(lang, signal.as_str(), pid),
                            Err(e) => msg::signal_failed(lang, signal.as_str(), pid, e.desc()),
                        });
                    }
                }
                dirty = true;
            }
            Input::Resize => dirty = true,
            Input::Nothing => {}
        }
    }
}

/// top's `r`: set the nice value, then read back what the kernel made of it.
fn renice(pid: i32, nice: i64, lang: Lang) -> String {
    match set_nice(Some(pid), nice) {
        Ok(()) => match proc::read_process(pid, proc::Fields::STAT_ONLY) {
            Ok(p) => msg::reniced(lang, pid, p.nice, top_pr(p.nice)),
            Err(_) => i18n::common::no_such_process(lang, pid),
        },
        Err(e) => match e.raw_os_error() {
            Some(libc::ESRCH) => i18n::common::no_such_process(lang, pid),
            _ => {
                let kind = crate::demos::nice::renice::Which::Process.id_type();
                i18n::nice::renice_cannot_set(lang, pid as u32, kind, nice, &e)
            }
        },
    }
}
