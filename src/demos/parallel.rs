//! `toolkit parallel`: concurrency vs parallelism, measured.
//!
//! The same K CPU-bound jobs run twice: first every job is pinned to one CPU with
//! `sched_setaffinity`, so the kernel can only interleave them (concurrency: they take turns on a
//! single core); then they may use every CPU the toolkit may use, so they run at the same time
//! (parallelism). Each job burns a fixed amount of *CPU time* (it checks its own `getrusage`), so
//! the total CPU time is the same in both phases and only the wall-clock time changes.
//!
//! Accounting: wall time is measured around fork → last reap; CPU time is the difference of
//! `getrusage(RUSAGE_CHILDREN)` before and after, i.e. what the kernel charged to the reaped
//! children. The speed-up is wall(pinned) / wall(spread).

use std::io::Write;
use std::time::{Duration, Instant};

use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::sys::resource::{Usage, UsageWho, getrusage};
use nix::unistd::Pid;
use serde::Serialize;

use crate::child::interrupt;
use crate::demos::show::{Show, fork};
use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;
use crate::i18n::demos as t;

/// More jobs than this make the demo slow without teaching more.
pub const MAX_JOBS: u32 = 64;
/// Upper bound on the work per job, in milliseconds (the pinned phase takes jobs × work).
pub const MAX_WORK_MS: u64 = 10_000;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub jobs: u32,
    pub work_ms: u64,
    pub json: bool,
}

/// The measurements of one phase.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    /// `pinned` or `spread`.
    pub phase: &'static str,
    /// How many CPUs the jobs were allowed to use.
    pub cpus: usize,
    pub wall_ms: f64,
    /// User + system time charged to the jobs.
    pub cpu_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    jobs: u32,
    work_ms: u64,
    cpus_available: usize,
    phases: Vec<Phase>,
    /// wall(pinned) / wall(spread).
    speedup: f64,
    /// False when the run itself shows that other load took the CPUs, so the speed-up says
    /// nothing about concurrency and parallelism.
    meaningful: bool,
}

/// A phase used less than this share of the CPU time it could have had: something else ran.
const BUSY_MACHINE: f64 = 0.8;

/// Whether the run measured what it meant to (pure): pinned, the jobs should keep their one CPU
/// busy (CPU/wall near 1); spread, near min(jobs, CPUs).
pub fn meaningful(pinned: &Phase, spread: &Phase, jobs: u32) -> bool {
    let used = |p: &Phase| p.cpu_ms / p.wall_ms.max(1e-9);
    let parallel = (jobs as usize).min(spread.cpus).max(1) as f64;
    used(pinned) >= BUSY_MACHINE && used(spread) >= BUSY_MACHINE * parallel
}

pub fn run(opts: Options, lang: Lang) -> CmdResult {
    interrupt::install();
    if opts.jobs == 0 || opts.jobs > MAX_JOBS || opts.work_ms == 0 || opts.work_ms > MAX_WORK_MS {
        return Err(Failure::new(2, t::parallel_bad_args(lang, MAX_JOBS, MAX_WORK_MS)).into());
    }
    // With --json the one document at the end is the whole output.
    let mut show = Show::new(opts.json);
    let text = !opts.json;
    let allowed = allowed_cpus()?;
    let first_cpu = allowed[0];
    show.plan(&t::parallel_intro(
        lang,
        opts.jobs,
        opts.work_ms,
        allowed.len(),
    ))?;

    show.plan(&t::parallel_phase_plan(lang, true, first_cpu))?;
    let pinned = run_phase(&opts, Some(first_cpu), lang)?;
    if text {
        show.saw(&t::parallel_phase_result(
            lang,
            true,
            pinned.wall_ms,
            pinned.cpu_ms,
        ))?;
    }
    show.plan(&t::parallel_phase_plan(lang, false, allowed.len()))?;
    let mut spread = run_phase(&opts, None, lang)?;
    spread.cpus = allowed.len();
    if text {
        show.saw(&t::parallel_phase_result(
            lang,
            false,
            spread.wall_ms,
            spread.cpu_ms,
        ))?;
    }
    let speedup = speedup(pinned.wall_ms, spread.wall_ms);
    let meaningful = meaningful(&pinned, &spread, opts.jobs);
    let report = Report {
        jobs: opts.jobs,
        work_ms: opts.work_ms,
        cpus_available: allowed.len(),
        phases: vec![pinned, spread],
        speedup,
        meaningful,
    };
    let mut out = std::io::stdout();
    if opts.json {
        crate::output::write_json(&mut out, &report)?;
        return Ok(0);
    }
    let mut table = crate::output::table(t::parallel_headers(lang));
    for p in &report.phases {
        table.add_row(vec![
            t::parallel_phase_name(lang, p.phase).to_string(),
            p.cpus.to_string(),
            format!("{:.0}", p.wall_ms),
            format!("{:.0}", p.cpu_ms),
            format!("{:.2}", p.cpu_ms / p.wall_ms.max(1e-9)),
        ]);
    }
    writeln!(out)?;
    crate::output::write_table(&mut out, &table)?;
    if meaningful {
        show.saw(&t::parallel_speedup(
            lang,
            speedup,
            report.jobs,
            allowed.len(),
        ))?;
    } else {
        show.saw(&t::parallel_busy_machine(lang, speedup))?;
    }
    show.lesson(&t::parallel_lesson(lang))?;
    show.flush()?;
    Ok(0)
}

/// wall(pinned) / wall(spread); 0 when the second phase took no measurable time.
pub fn speedup(pinned_wall_ms: f64, spread_wall_ms: f64) -> f64 {
    if spread_wall_ms > 0.0 {
        pinned_wall_ms / spread_wall_ms
    } else {
        0.0
    }
}

/// The CPUs this process may run on.
fn allowed_cpus() -> anyhow::Result<Vec<usize>> {
    let set = sched_getaffinity(Pid::from_raw(0)).map_err(std::io::Error::from)?;
    let cpus: Vec<usize> = (0..CpuSet::count())
        .filter(|&c| set.is_set(c).unwrap_or(false))
        .collect();
    if cpus.is_empty() {
        anyhow::bail!("sched_getaffinity returned no CPU");
    }
    Ok(cpus)
}

/// Run the K jobs once, optionally all pinned to `cpu`, and measure.
fn run_phase(opts: &Options, cpu: Option<usize>, lang: Lang) -> anyhow::Result<Phase> {
    let work = Duration::from_millis(opts.work_ms);
    let before = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(std::io::Error::from)?;
    let start = Instant::now();
    let mut children = Vec::with_capacity(opts.jobs as usize);
    for _ in 0..opts.jobs {
        children.push(fork(lang, move || {
            if let Some(cpu) = cpu {
                let mut set = CpuSet::new();
                if set.set(cpu).is_err() || sched_setaffinity(Pid::from_raw(0), &set).is_err() {
                    return 2;
                }
            }
            burn(work);
            0
        })?);
    }
    for child in children.iter_mut() {
        child.wait()?;
    }
    let wall = start.elapsed();
    let after = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(std::io::Error::from)?;
    Ok(Phase {
        phase: if cpu.is_some() { "pinned" } else { "spread" },
        cpus: 1,
        wall_ms: wall.as_secs_f64() * 1000.0,
        cpu_ms: (cpu_time(&after) - cpu_time(&before)).as_secs_f64() * 1000.0,
    })
}

/// User + system time of a rusage.
fn cpu_time(usage: &Usage) -> Duration {
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec().max(0) as u64)
            + Duration::from_micros(t.tv_usec().max(0) as u64)
    };
    tv(usage.user_time()) + tv(usage.system_time())
}

/// Compute until this process has used `work` of CPU time.
fn burn(work: Duration) {
    let mut x: u64 = 7;
    loop {
        for i in 0..50_000u64 {
            x = std::hint::black_box(x.wrapping_mul(2862933555777941757).wrapping_add(i));
        }
        match getrusage(UsageWho::RUSAGE_SELF) {
            Ok(usage) if cpu_time(&usage) >= work => return,
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_that_did_not_get_its_cpus_makes_the_run_meaningless() {
        let phase = |cpus, wall_ms, cpu_ms| Phase {
            phase: "x",
            cpus,
            wall_ms,
            cpu_ms,
        };
        // 4 jobs x 100 ms: pinned 400 ms wall, spread over 2 CPUs 200 ms wall.
        assert!(meaningful(
            &phase(1, 400.0, 400.0),
            &phase(2, 200.0, 400.0),
            4
        ));
        // Someone else had half of the pinned CPU.
        assert!(!meaningful(
            &phase(1, 800.0, 400.0),
            &phase(2, 200.0, 400.0),
            4
        ));
        // The spread phase ran on one CPU's worth only.
        assert!(!meaningful(
            &phase(1, 400.0, 400.0),
            &phase(2, 400.0, 400.0),
            4
        ));
        // One job cannot use two CPUs: no speed-up expected, and none is a fine result.
        assert!(meaningful(
            &phase(1, 100.0, 100.0),
            &phase(2, 100.0, 100.0),
            1
        ));
    }

    #[test]
    fn speedup_is_the_ratio_of_wall_times() {
        assert!((speedup(800.0, 400.0) - 2.0).abs() < 1e-9);
        assert_eq!(speedup(800.0, 0.0), 0.0);
    }
}
