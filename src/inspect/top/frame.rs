//! One frame of `toolkit top`: everything a refresh shows, computed once and then drawn on a
//! terminal ([`super::view`]) or printed ([`super::batch`]).
//!
//! A [`Watch`] owns the state that lives from frame to frame: the previous full sample (for %CPU
//! and the new/exited rows), the transitions tracker (fed by every sample, also the quick ones in
//! between refreshes), the user-name cache and the `sysinfo` source of the header.

use chrono::{DateTime, Local, Timelike};
use serde::Serialize;

use super::counts::{self, Counts};
use super::rows::{self, Row, Users};
use super::sample::{Sample, Sampler, SystemFigures, SystemSource};
use super::transitions::{Tracker, Transition};
use crate::i18n::{Lang, top as msg};
use crate::proc::ProcError;

/// What a refresh shows.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    /// Wall-clock time of the sample, `HH:MM:SS`.
    pub time: String,
    /// Rows are threads (top's `H`) rather than processes.
    pub threads: bool,
    pub system: SystemFigures,
    pub tasks: Counts,
    /// The processes present now, unsorted.
    pub rows: Vec<Row>,
    /// Processes seen at the previous refresh and gone now (dimmed for one refresh on screen).
    #[serde(skip)]
    pub exited: Vec<Row>,
    /// Every transition seen since the previous frame, oldest first.
    pub transitions: Vec<Transition>,
    /// How often the transitions were sampled.
    pub sample_ms: u64,
}

/// The header lines every view shows (uptime, Tasks, STAT letters, models, memory).
pub fn header_lines(frame: &Frame, lang: Lang) -> Vec<String> {
    let s = &frame.system;
    let mib = |kib: u64| kib as f64 / 1024.0;
    let up = s.uptime_secs;
    let uptime = msg::uptime_text(lang, up / 86_400, (up % 86_400) / 3600, (up % 3600) / 60);
    let t = &frame.tasks;
    vec![
        msg::header_uptime(lang, &frame.time, &uptime, s.load_average),
        msg::tasks_line(lang, frame.threads, t.top_numbers()),
        msg::states_line(lang, &t.letters_in_order()),
        msg::models_line(
            lang,
            &Counts::in_order(&t.three_state, &counts::THREE_STATE_ORDER),
            &Counts::in_order(&t.five_state, &counts::FIVE_STATE_ORDER),
        ),
        msg::memory_line(
            lang,
            mib(s.mem_total_kib),
            mib(s.mem_free_kib),
            mib(s.mem_used_kib),
            mib(s.mem_available_kib),
        ),
        msg::swap_line(lang, mib(s.swap_total_kib), mib(s.swap_used_kib)),
    ]
}

/// A clock with hundredths, for the transitions log (`10:02:03.41`).
pub fn clock_hundredths(at: DateTime<Local>) -> String {
    let hundredths = at.nanosecond().min(999_999_999) / 10_000_000;
    format!("{}.{hundredths:02}", at.format("%H:%M:%S"))
}

/// The state kept between frames.
pub struct Watch {
    sampler: Sampler,
    system: SystemSource,
    tracker: Tracker,
    users: Users,
    last: Option<Sample>,
    sample_ms: u64,
}

impl Watch {
    /// Start watching: the first sample only sets the baseline (%CPU, CPU usage and transitions
    /// are all differences, so the first frame needs something before it).
    pub fn start(
        sampler: Sampler,
        system: SystemSource,
        sample_ms: u64,
    ) -> Result<Watch, ProcError> {
        let mut watch = Watch {
            sampler,
            system,
            tracker: Tracker::default(),
            users: Users::default(),
            last: None,
            sample_ms,
        };
        watch.baseline()?;
        Ok(watch)
    }

    fn baseline(&mut self) -> Result<(), ProcError> {
        let sample = self.sampler.take(true)?;
        self.tracker.reset();
        self.tracker
            .observe(sample.table.clone(), &clock_hundredths(Local::now()));
        self.system.refresh();
        self.last = Some(sample);
        Ok(())
    }

    /// Switch between processes and threads; the next frame starts from a new baseline.
    pub fn set_threads(&mut self, on: bool) -> Result<(), ProcError> {
        if self.sampler.threads() != on {
            self.sampler.set_threads(on);
            self.baseline()?;
        }
        Ok(())
    }

    /// A sample between refreshes, for the transitions log only (reads `stat` and nothing else).
    pub fn quick_sample(&mut self) -> Result<(), ProcError> {
        let sample = self.sampler.take(false)?;
        self.tracker
            .observe(sample.table, &clock_hundredths(Local::now()));
        Ok(())
    }

    /// Take a full sample and make the frame.
    pub fn frame(&mut self) -> Result<Frame, ProcError> {
        let sample = self.sampler.take(true)?;
        let now = Local::now();
        self.tracker
            .observe(sample.table.clone(), &clock_hundredths(now));
        let system = self.system.refresh();
        let all = rows::build_rows(
            self.last.as_ref(),
            &sample,
            system.mem_total_kib,
            &mut self.users,
        );
        let (exited, rows): (Vec<Row>, Vec<Row>) = all.into_iter().partition(|r| r.exited);
        let frame = Frame {
            time: now.format("%H:%M:%S").to_string(),
            threads: sample.threads,
            tasks: Counts::of_table(&sample.table),
            system,
            rows,
            exited,
            transitions: self.tracker.take(),
            sample_ms: self.sample_ms,
        };
        self.last = Some(sample);
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_log_clock_has_hundredths() {
        let at = Local
            .with_ymd_and_hms(2026, 12, 2, 10, 2, 3)
            .unwrap()
            .with_nanosecond(419_000_000)
            .unwrap();
        assert_eq!(clock_hundredths(at), "10:02:03.41");
    }

    #[test]
    fn a_frame_of_this_process_shows_it() {
        let me = std::process::id() as i32;
        let sampler = Sampler::new(vec![me], false);
        let mut watch = Watch::start(sampler, SystemSource::new().unwrap(), 1000).unwrap();
        let frame = watch.frame().unwrap();
        assert_eq!(frame.tasks.total, 1);
        assert_eq!(frame.rows.len(), 1);
        assert_eq!(frame.rows[0].pid, me);
        assert!(!frame.rows[0].new, "seen in the baseline: not new");
        assert!(!frame.system.cpu_percent.is_empty());
        assert!(frame.system.mem_total_kib > 0);
        let header = header_lines(&frame, Lang::En);
        assert!(header[1].starts_with("Tasks: 1 total"), "{header:?}");
        watch.set_threads(true).unwrap();
        assert!(watch.frame().unwrap().rows.iter().any(|r| r.pid == me));
    }
}
