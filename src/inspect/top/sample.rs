//! Taking a sample, and %CPU from two samples.
//!
//! The kernel does not know "how busy a process is right now". It keeps a running total of the
//! CPU time each process has used (`utime + stime` in `/proc/PID/stat`, in clock ticks, usually
//! 100 a second). A busy share is therefore a *difference*: read the totals twice, and divide what
//! was used in between by the time that passed. That is all top does, and all we do:
//!
//! ```text
//! %CPU = (ticks now - ticks before) / ticks_per_second / seconds between the samples * 100
//! ```
//!
//! This is top's default, *Irix mode*: 100% means one whole CPU, so a process with four busy
//! threads on four CPUs shows 400%. (top's `I` key switches to *Solaris mode*, which divides by
//! the number of CPUs as well; we keep Irix mode only, and say so in the help.)
//!
//! A process that was not there at the previous sample was born in between: all of its CPU time
//! was used in the interval. A PID seen twice with a different start time is a *new* process that
//! reused the number, never a continuation of the old one.
//!
//! Processes come from the toolkit's own `/proc` model ([`crate::proc`]); system-wide figures (CPU
//! usage per core, memory, load, uptime) from `sysinfo`, which reads `/proc/stat`,
//! `/proc/meminfo` and `/proc/loadavg` for them.

use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::proc::{ProcError, Process, ProcessTable, StatFiles};

/// Which processes a sample reads, and the `stat` files kept open to read them again.
#[derive(Debug)]
pub struct Sampler {
    /// Only these PIDs (top's `-p`); empty: every process.
    pids: Vec<i32>,
    files: StatFiles,
}

/// The watched processes (or threads) at one instant.
#[derive(Debug, Clone)]
pub struct Sample {
    pub taken: Instant,
    pub threads: bool,
    /// Shared with the transitions tracker, which compares it with the next sample.
    pub table: Rc<ProcessTable>,
}

impl Sampler {
    /// Watch `pids` (empty: every process), as threads when `threads` is set.
    pub fn new(pids: Vec<i32>, threads: bool) -> Sampler {
        Sampler {
            pids,
            files: StatFiles::new(open_files_capacity(), threads),
        }
    }

    pub fn threads(&self) -> bool {
        self.files.threads()
    }

    /// Switch between processes and threads (the files kept open are of the other kind).
    pub fn set_threads(&mut self, on: bool) {
        if self.files.threads() != on {
            self.files = StatFiles::new(open_files_capacity(), on);
        }
    }

    /// Read the watched processes now, with their owner (for the USER column) when `owner` is
    /// set; a sample for the transitions log needs only `stat`.
    pub fn take(&mut self, owner: bool) -> Result<Sample, ProcError> {
        let table = if self.pids.is_empty() {
            self.files.scan(owner)?
        } else {
            self.files.read_pids(&self.pids, owner)
        };
        Ok(Sample {
            taken: Instant::now(),
            threads: self.files.threads(),
            table: Rc::new(table),
        })
    }
}

/// How many `stat` files may stay open: the soft open-files limit, raised to the hard one (at most
/// 65,536), less a margin for everything else (the terminal, `sysinfo`'s files).
fn open_files_capacity() -> usize {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    const MARGIN: u64 = 64;
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return 0;
    };
    let wanted = hard.min(65_536).max(soft);
    let soft = if wanted > soft && setrlimit(Resource::RLIMIT_NOFILE, wanted, hard).is_ok() {
        wanted
    } else {
        soft
    };
    soft.saturating_sub(MARGIN) as usize
}

/// Whether two readings are of the same process: same PID *and* same start time (a PID can be
/// reused by a new process after the old one is reaped).
pub fn same_process(a: &Process, b: &Process) -> bool {
    a.pid == b.pid && a.start_ticks == b.start_ticks
}

/// %CPU of `now` over the `elapsed` time since `before` (Irix mode: 100 = one whole CPU).
/// `before` is the previous reading of the same PID, if there was one.
pub fn cpu_percent(before: Option<&Process>, now: &Process, elapsed: Duration, hz: u64) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds <= 0.0 || hz == 0 {
        return 0.0;
    }
    let used = match before {
        Some(b) if same_process(b, now) => now.cpu_ticks().saturating_sub(b.cpu_ticks()),
        // Born since the previous sample: every tick it has was used in the interval.
        _ => now.cpu_ticks(),
    };
    100.0 * used as f64 / hz as f64 / seconds
}

/// top's TIME+ column: total CPU time as `minutes:seconds.hundredths`.
pub fn time_plus(ticks: u64, hz: u64) -> String {
    let hz = hz.max(1);
    let hundredths = ticks * 100 / hz;
    let minutes = hundredths / 6000;
    let seconds = (hundredths / 100) % 60;
    format!("{minutes}:{seconds:02}.{:02}", hundredths % 100)
}

/// The system-wide figures of the header.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SystemFigures {
    pub uptime_secs: u64,
    pub load_average: [f64; 3],
    /// Busy percentage of each CPU since the previous refresh.
    pub cpu_percent: Vec<f32>,
    pub mem_total_kib: u64,
    pub mem_free_kib: u64,
    pub mem_used_kib: u64,
    pub mem_available_kib: u64,
    pub swap_total_kib: u64,
    pub swap_used_kib: u64,
}

/// The source of the header's figures: a `sysinfo` system that refreshes only what the header
/// shows (CPU usage and memory; never its own process list).
pub struct SystemSource {
    system: sysinfo::System,
}

impl SystemSource {
    pub fn new() -> Result<SystemSource, sysinfo::Error> {
        let refresh = sysinfo::RefreshKind::nothing()
            .with_cpu(sysinfo::CpuRefreshKind::nothing().with_usage())
            .with_memory(sysinfo::MemoryRefreshKind::everything());
        Ok(SystemSource {
            system: sysinfo::System::new_with_specifics(refresh)?,
        })
    }

    /// Read the figures now. CPU usage is, like %CPU, a difference with the previous call.
    pub fn refresh(&mut self) -> SystemFigures {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        let s = &self.system;
        let load = sysinfo::System::load_average().ok();
        SystemFigures {
            uptime_secs: sysinfo::System::uptime().unwrap_or(0),
            load_average: load.map_or([0.0; 3], |l| [l.one, l.five, l.fifteen]),
            cpu_percent: s.cpus().iter().map(|c| c.usage()).collect(),
            mem_total_kib: s.total_memory() / 1024,
            mem_free_kib: s.free_memory() / 1024,
            mem_used_kib: s.used_memory() / 1024,
            mem_available_kib: s.available_memory() / 1024,
            swap_total_kib: s.total_swap() / 1024,
            swap_used_kib: s.used_swap() / 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proc;

    fn process(pid: i32, start_ticks: u64, utime: u64, stime: u64) -> Process {
        let line = format!(
            "{pid} (p) R 1 {pid} {pid} 0 -1 0 0 0 0 0 {utime} {stime} 0 0 20 0 1 0 {start_ticks} 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
        );
        proc::parse_stat(line.as_bytes()).unwrap()
    }

    #[test]
    fn cpu_is_the_difference_over_the_interval() {
        let before = process(10, 500, 100, 20);
        let now = process(10, 500, 180, 40);
        // 100 ticks in 1 s at 100 Hz: one whole CPU.
        let p = cpu_percent(Some(&before), &now, Duration::from_secs(1), 100);
        assert!((p - 100.0).abs() < 1e-9, "{p}");
        // The same 100 ticks over 2 s: half a CPU.
        let p = cpu_percent(Some(&before), &now, Duration::from_secs(2), 100);
        assert!((p - 50.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn irix_mode_may_exceed_one_cpu() {
        // Four threads busy for 0.5 s: 200 ticks in 0.5 s = 400%.
        let before = process(10, 500, 0, 0);
        let now = process(10, 500, 150, 50);
        let p = cpu_percent(Some(&before), &now, Duration::from_millis(500), 100);
        assert!((p - 400.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn a_newborn_used_all_its_ticks_in_the_interval() {
        let now = process(11, 900, 30, 0);
        let p = cpu_percent(None, &now, Duration::from_secs(1), 100);
        assert!((p - 30.0).abs() < 1e-9, "{p}");
        // A reused PID is a new process, not a continuation with a negative difference.
        let old = process(11, 100, 5000, 0);
        let p = cpu_percent(Some(&old), &now, Duration::from_secs(1), 100);
        assert!((p - 30.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn no_time_is_no_division_by_zero() {
        let p = process(1, 1, 10, 0);
        assert_eq!(cpu_percent(Some(&p), &p, Duration::ZERO, 100), 0.0);
        assert_eq!(cpu_percent(Some(&p), &p, Duration::from_secs(1), 0), 0.0);
    }

    #[test]
    fn time_plus_is_minutes_seconds_hundredths() {
        assert_eq!(time_plus(0, 100), "0:00.00");
        assert_eq!(time_plus(123, 100), "0:01.23");
        assert_eq!(time_plus(6000 + 4567, 100), "1:45.67");
        assert_eq!(time_plus(100 * 3600 * 2, 100), "120:00.00");
        assert_eq!(time_plus(250, 250), "0:01.00");
    }

    #[test]
    fn a_sample_of_one_pid_reads_only_that_pid() {
        let me = std::process::id() as i32;
        let mut sampler = Sampler::new(vec![me, i32::MAX], false);
        let sample = sampler.take(false).unwrap();
        assert_eq!(sample.table.len(), 1);
        assert!(sample.table.get(me).is_some());
        assert!(open_files_capacity() > 0);
    }
}
