//! `toolkit nice --race [N]`: priorities made visible.
//!
//! Two children spin in a busy loop (they never sleep, so both always want the CPU). Both are
//! pinned to the *same* CPU: on separate CPUs each would get a whole CPU and the nice values would
//! change nothing, which is a lesson too, but not this one. One runs at nice 0, the other at nice N.
//!
//! The parent sets the affinity and the nice value of each child itself (`sched_setaffinity`,
//! `setpriority` on the child's PID), so a refusal is reported here, in one clear line, instead of
//! being lost inside a child. It then reads each child's CPU time (`utime + stime` from
//! `/proc/PID/stat`) once before and once after the race, and compares the measured shares with the
//! shares the scheduler aims for, computed from its weight table ([`super::weights`]).
//!
//! The racers' PIDs are printed first, with the command that watches the race while it runs
//! (`toolkit top -p A,B`: the split appears live in %CPU, PR 20 against PR 20 + N).
//!
//! The children are read *before* they are reaped: once reaped, `/proc/PID` is gone. Both are
//! [`Child`] guards, so they are killed and reaped on every path: the normal end, an error, and
//! Ctrl-C (the sleep below wakes up often to look at [`interrupt::pending`]).

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;
use serde::Serialize;

use super::set_nice;
use super::weights::{predicted_percent, top_pr, weight_of};
use crate::child::{Child, ChildError, fork_child, interrupt};
use crate::error::{CmdResult, Failure};
use crate::i18n::{self, Lang};
use crate::output::{self, Paint};
use crate::proc::{self, ProcError};

/// How often the waiting parent looks for Ctrl-C.
const POLL: Duration = Duration::from_millis(50);
/// Width of a full (100%) bar, in characters.
const BAR_WIDTH: usize = 40;

/// One child's CPU time at the start and at the end of the race.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub pid: i32,
    pub nice: i64,
    pub ticks_before: u64,
    pub ticks_after: u64,
}

/// One runner of the race, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Runner {
    pub pid: i32,
    pub nice: i64,
    /// PR as `top` shows it (20 + nice).
    pub priority: i64,
    pub weight: u32,
    pub cpu_ticks: u64,
    pub cpu_seconds: f64,
    /// Share of the pair's CPU time; `None` when neither was charged any time.
    pub measured_percent: Option<f64>,
    /// Share the scheduler aims for, from the weights.
    pub predicted_percent: f64,
}

/// The result of a race.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceReport {
    pub cpu: usize,
    pub seconds: f64,
    pub elapsed_seconds: f64,
    pub ticks_per_second: u64,
    pub runners: Vec<Runner>,
    /// How much of the one CPU the pair used together (the rest went to other processes).
    pub pair_cpu_percent: f64,
    /// Why the measured shares say nothing about nice, if they do not: too few clock ticks to
    /// tell shares apart, or other load that took the CPU from the pair. `None`: they are a
    /// result.
    pub doubt: Option<Doubt>,
}

/// Why a race's measurement is not a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Doubt {
    /// Fewer than [`ENOUGH_TICKS`] clock ticks were charged in all.
    TooFewTicks,
    /// The pair had less than [`ENOUGH_CPU_PERCENT`] of its CPU: something else ran there.
    BusyCpu,
}

/// A share is read in clock ticks (10 ms each at 100 Hz); below this many the rounding alone moves
/// a share by several percent.
pub const ENOUGH_TICKS: u64 = 50;
/// The pair should have its CPU to itself; below this share, other load shaped the result.
pub const ENOUGH_CPU_PERCENT: f64 = 80.0;

/// Turn the samples into shares (pure).
pub fn report(
    cpu: usize,
    seconds: f64,
    elapsed_seconds: f64,
    ticks_per_second: u64,
    samples: &[Sample],
) -> RaceReport {
    let used: Vec<u64> = samples
        .iter()
        .map(|s| s.ticks_after.saturating_sub(s.ticks_before))
        .collect();
    let total: u64 = used.iter().sum();
    let nices: Vec<i64> = samples.iter().map(|s| s.nice).collect();
    let predicted = predicted_percent(&nices);
    let hz = ticks_per_second.max(1) as f64;
    let runners = samples
        .iter()
        .zip(&used)
        .zip(predicted)
        .map(|((s, &ticks), predicted_percent)| Runner {
            pid: s.pid,
            nice: s.nice,
            priority: top_pr(s.nice),
            weight: weight_of(s.nice),
            cpu_ticks: ticks,
            cpu_seconds: ticks as f64 / hz,
            measured_percent: (total > 0).then(|| 100.0 * ticks as f64 / total as f64),
            predicted_percent,
        })
        .collect();
    let pair_cpu_percent = if elapsed_seconds > 0.0 {
        100.0 * total as f64 / hz / elapsed_seconds
    } else {
        0.0
    };
    let doubt = if total < ENOUGH_TICKS {
        Some(Doubt::TooFewTicks)
    } else if pair_cpu_percent < ENOUGH_CPU_PERCENT {
        Some(Doubt::BusyCpu)
    } else {
        None
    };
    RaceReport {
        cpu,
        seconds,
        elapsed_seconds,
        ticks_per_second,
        runners,
        pair_cpu_percent,
        doubt,
    }
}

/// A bar of `percent` (0..100) on `width` characters.
pub fn bar(percent: f64, width: usize, ascii: bool) -> String {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    let (full, empty) = if ascii { ('#', '.') } else { ('█', '░') };
    let mut s = String::with_capacity(width * 3);
    s.extend(std::iter::repeat_n(full, filled));
    s.extend(std::iter::repeat_n(empty, width - filled));
    s
}

/// Run the race and print it.
pub fn run(nice: i64, seconds: f64, json: bool, lang: Lang) -> CmdResult {
    interrupt::install();
    let cpu = first_allowed_cpu().ok_or_else(|| Failure::new(1, i18n::nice::race_no_cpu(lang)))?;
    let mut runners = [
        (start_runner(0, cpu, lang)?, 0),
        (start_runner(nice, cpu, lang)?, nice),
    ];

    // First the PIDs, so a student can watch the race live while it runs. With --json, stdout
    // holds only the report.
    let hint = i18n::nice::race_watch_hint(
        lang,
        (runners[0].0.pid_i32(), 0),
        (runners[1].0.pid_i32(), nice),
    );
    if json {
        eprintln!("{hint}");
    } else {
        let mut out = io::stdout().lock();
        writeln!(out, "{hint}")?;
        out.flush()?;
    }

    let before = [
        cpu_ticks(&runners[0].0, lang)?,
        cpu_ticks(&runners[1].0, lang)?,
    ];
    let start = Instant::now();
    let length = Duration::from_secs_f64(seconds);
    while start.elapsed() < length {
        if let Some(sig) = interrupt::pending() {
            return Err(ChildError::Interrupted(sig).into());
        }
        std::thread::sleep(POLL.min(length.saturating_sub(start.elapsed())));
    }
    // Read both before reaping: once reaped, /proc/PID is gone.
    let after = [
        cpu_ticks(&runners[0].0, lang)?,
        cpu_ticks(&runners[1].0, lang)?,
    ];
    let elapsed = start.elapsed().as_secs_f64();
    for (child, _) in &mut runners {
        child.kill_and_reap();
    }

    let samples: Vec<Sample> = runners
        .iter()
        .zip(before.iter().zip(after))
        .map(|((child, nice), (&ticks_before, ticks_after))| Sample {
            pid: child.pid_i32(),
            nice: *nice,
            ticks_before,
            ticks_after,
        })
        .collect();
    let report = report(cpu, seconds, elapsed, proc::ticks_per_second(), &samples);
    let mut out = io::stdout().lock();
    if json {
        output::write_json(&mut out, &report)?;
    } else {
        print_report(&mut out, &report, lang)?;
    }
    Ok(0)
}

/// The first CPU this process may run on.
fn first_allowed_cpu() -> Option<usize> {
    let allowed = sched_getaffinity(Pid::from_raw(0)).ok()?;
    (0..CpuSet::count()).find(|&cpu| allowed.is_set(cpu).unwrap_or(false))
}

/// Fork one busy child, pin it to `cpu` and give it `nice`. The guard kills it if anything fails.
fn start_runner(nice: i64, cpu: usize, lang: Lang) -> Result<Child, anyhow::Error> {
    let child = fork_child(|| {
        // Busy forever; the parent ends us with SIGKILL. black_box keeps the loop from being
        // optimised into nothing.
        let mut spins: u64 = 0;
        loop {
            spins = std::hint::black_box(spins.wrapping_add(1));
        }
    })?;
    let pid = child.pid_i32();
    let mut set = CpuSet::new();
    set.set(cpu)?;
    sched_setaffinity(child.pid(), &set).map_err(|e| {
        Failure::new(
            1,
            i18n::nice::race_cannot_pin(lang, pid, cpu, &io::Error::from(e)),
        )
    })?;
    set_nice(Some(pid), nice).map_err(|e| {
        let kind = super::renice::Which::Process.id_type();
        Failure::new(
            1,
            i18n::nice::renice_cannot_set(lang, pid as u32, kind, nice, &e),
        )
    })?;
    Ok(child)
}

/// utime + stime of a running child, from `/proc/PID/stat`.
fn cpu_ticks(child: &Child, lang: Lang) -> Result<u64, anyhow::Error> {
    let pid = child.pid_i32();
    match proc::read_process(pid, proc::Fields::STAT_ONLY) {
        // A zombie still has /proc/PID, but it no longer races: someone killed it.
        Ok(p) if p.state == 'Z' => {
            Err(Failure::new(1, i18n::nice::race_child_vanished(lang, pid)).into())
        }
        Ok(p) => Ok(p.cpu_ticks()),
        Err(ProcError::NoSuchProcess(_)) => {
            Err(Failure::new(1, i18n::nice::race_child_vanished(lang, pid)).into())
        }
        Err(e) => Err(e.into()),
    }
}

fn format_percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

fn print_report(out: &mut impl Write, report: &RaceReport, lang: Lang) -> io::Result<()> {
    let paint = Paint::for_stdout();
    let nice = report.runners.last().map_or(0, |r| r.nice);
    writeln!(
        out,
        "{}",
        paint.bold(&i18n::nice::race_title(
            lang,
            report.cpu,
            report.seconds,
            nice
        ))
    )?;
    let mut table = output::table(i18n::nice::race_headers(lang));
    for r in &report.runners {
        table.add_row([
            r.pid.to_string(),
            r.nice.to_string(),
            r.priority.to_string(),
            r.weight.to_string(),
            format!("{:.2} s", r.cpu_seconds),
            format_percent(r.measured_percent),
            format!("{:.1}%", r.predicted_percent),
        ]);
    }
    output::write_table(out, &table)?;
    writeln!(out)?;

    let ascii = !io::stdout().is_terminal();
    let label_measured = i18n::nice::bar_measured(lang);
    let label_predicted = i18n::nice::bar_predicted(lang);
    let label_width =
        output::display_width(label_measured).max(output::display_width(label_predicted));
    for r in &report.runners {
        let measured = r.measured_percent.unwrap_or(0.0);
        writeln!(
            out,
            "nice {:>3}  {}  {}  {}",
            r.nice,
            output::pad_to(label_measured, label_width),
            paint.green(&bar(measured, BAR_WIDTH, ascii)),
            format_percent(r.measured_percent)
        )?;
        writeln!(
            out,
            "          {}  {}  {:.1}%",
            output::pad_to(label_predicted, label_width),
            paint.dim(&bar(r.predicted_percent, BAR_WIDTH, ascii)),
            r.predicted_percent
        )?;
    }
    writeln!(out)?;
    if report.runners.iter().all(|r| r.measured_percent.is_none()) {
        writeln!(out, "{}", i18n::nice::race_no_cpu_time(lang))?;
    }
    if let [first, second] = report.runners.as_slice() {
        writeln!(
            out,
            "{}",
            i18n::nice::race_explanation(
                lang,
                second.nice,
                first.weight,
                second.weight,
                first.predicted_percent
            )
        )?;
    }
    writeln!(
        out,
        "{}",
        i18n::nice::race_pair_usage(lang, report.cpu, report.pair_cpu_percent)
    )?;
    let ticks: u64 = report.runners.iter().map(|r| r.cpu_ticks).sum();
    match report.doubt {
        Some(Doubt::TooFewTicks) => writeln!(
            out,
            "{}",
            i18n::nice::race_too_few_ticks(lang, ticks, ENOUGH_TICKS)
        ),
        Some(Doubt::BusyCpu) => writeln!(
            out,
            "{}",
            i18n::nice::race_busy_cpu(lang, report.pair_cpu_percent)
        ),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(pid: i32, nice: i64, before: u64, after: u64) -> Sample {
        Sample {
            pid,
            nice,
            ticks_before: before,
            ticks_after: after,
        }
    }

    #[test]
    fn shares_come_from_the_differences() {
        let r = report(
            0,
            2.0,
            2.0,
            100,
            &[sample(10, 0, 5, 181), sample(11, 9, 7, 31)],
        );
        assert_eq!(r.runners[0].cpu_ticks, 176);
        assert_eq!(r.runners[1].cpu_ticks, 24);
        assert!((r.runners[0].measured_percent.unwrap() - 88.0).abs() < 1e-9);
        assert!((r.runners[1].measured_percent.unwrap() - 12.0).abs() < 1e-9);
        assert!((r.runners[0].predicted_percent - 88.2).abs() < 0.1);
        assert_eq!((r.runners[1].priority, r.runners[1].weight), (29, 137));
        assert!((r.runners[0].cpu_seconds - 1.76).abs() < 1e-9);
        // 200 ticks of 10 ms in 2 s: the pair had the whole CPU.
        assert!((r.pair_cpu_percent - 100.0).abs() < 1e-9);
    }

    #[test]
    fn no_time_means_no_shares_not_a_division_by_zero() {
        let r = report(
            1,
            0.1,
            0.1,
            100,
            &[sample(10, 0, 3, 3), sample(11, 9, 4, 4)],
        );
        assert!(r.runners.iter().all(|r| r.measured_percent.is_none()));
        assert_eq!(r.pair_cpu_percent, 0.0);
        assert_eq!(r.doubt, Some(Doubt::TooFewTicks));
    }

    #[test]
    fn a_result_is_doubted_when_the_run_itself_shows_why() {
        // 2 s at 100 Hz: 200 ticks would be the whole CPU.
        let race = |a: u64, b: u64| {
            report(0, 2.0, 2.0, 100, &[sample(1, 0, 0, a), sample(2, 9, 0, b)]).doubt
        };
        assert_eq!(race(176, 24), None);
        assert_eq!(race(90, 12), Some(Doubt::BusyCpu)); // half the CPU went elsewhere
        assert_eq!(race(30, 5), Some(Doubt::TooFewTicks));
    }

    #[test]
    fn bars_scale_to_their_width() {
        assert_eq!(bar(50.0, 10, true), "#####.....");
        assert_eq!(bar(0.0, 4, true), "....");
        assert_eq!(bar(100.0, 4, false), "████");
        assert_eq!(bar(150.0, 4, true), "####");
        assert_eq!(bar(88.2, 40, true).matches('#').count(), 35);
    }
}
