//! Seeing state changes: what no top shows.
//!
//! A state change is not an event anyone announces: `/proc` only says what each process is doing
//! *now*. So we compare two samples, process by process:
//!
//! - same process, different letter: a transition (`S -> R`, `R -> T`, `S -> Z`...), named in the
//!   3- and 5-state models of the course; a zombie also says who should reap it (its parent);
//! - a process in the new sample only: a birth (`+`);
//! - a process in the old sample only: a death (`-`), *reaped* if it was last seen as a zombie.
//!
//! The catch is the sampling interval: a process that sleeps for 3 ms between two samples taken
//! 100 ms apart is seen in `S` both times, and its trip to `R` and back is invisible. A change
//! shorter than the interval cannot be seen, which is why the pane's title says how often we look
//! (`--sample-ms` looks more often).

use std::collections::VecDeque;
use std::rc::Rc;

use serde::Serialize;

use crate::i18n::{Lang, top as msg};
use crate::proc::stat::StateCode;
use crate::proc::{Process, ProcessTable};

/// One change seen between two samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    /// Wall-clock time of the sample that saw it (`HH:MM:SS.hh`).
    pub at: String,
    pub pid: i32,
    pub comm: String,
    #[serde(flatten)]
    pub kind: Kind,
}

/// Where a state sits in the course's models (their `--json` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Models {
    pub three_state: &'static str,
    pub five_state: &'static str,
}

impl Models {
    pub fn of(letter: char) -> Option<Models> {
        StateCode::from_letter(letter).map(|code| Models {
            three_state: code.three_state().id(),
            five_state: code.five_state().id(),
        })
    }
}

/// The parent that should reap a zombie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reaper {
    pub pid: i32,
    /// Its command name, when the parent is among the watched processes.
    pub comm: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// The state letter changed.
    Changed {
        from: char,
        to: char,
        from_models: Option<Models>,
        to_models: Option<Models>,
        /// For `-> Z`: who should collect the exit status.
        reaper: Option<Reaper>,
    },
    /// Not there at the previous sample.
    Born { state: char },
    /// Gone since the previous sample.
    Died {
        last_state: char,
        /// Last seen as a zombie, so its parent collected it.
        reaped: bool,
    },
}

/// Every change between `before` and `now`, in a fixed order: deaths, changes, births, each by
/// PID. A new zombie's parent is named from `now` when it is watched too.
///
/// Both tables are sorted by PID, so they are walked side by side, like merging two sorted lists:
/// a PID only in `before` died, a PID only in `now` was born, and a PID in both is the same
/// process if it started at the same time (else the number was reused: a death and a birth).
pub fn detect(before: &ProcessTable, now: &ProcessTable, at: &str) -> Vec<Transition> {
    let mut deaths = Vec::new();
    let mut changes = Vec::new();
    let mut births = Vec::new();
    let died = |old: &Process| Transition {
        at: at.to_string(),
        pid: old.pid,
        comm: old.comm.clone(),
        kind: Kind::Died {
            last_state: old.state,
            reaped: old.state == 'Z',
        },
    };
    let born = |new: &Process| Transition {
        at: at.to_string(),
        pid: new.pid,
        comm: new.comm.clone(),
        kind: Kind::Born { state: new.state },
    };
    let (mut old, mut new) = (before.iter().peekable(), now.iter().peekable());
    loop {
        match (old.peek().copied(), new.peek().copied()) {
            (None, None) => break,
            (Some(o), Some(n)) if o.pid == n.pid => {
                if o.start_ticks != n.start_ticks {
                    deaths.push(died(o));
                    births.push(born(n));
                } else if o.state != n.state {
                    let reaper = (n.state == 'Z').then(|| Reaper {
                        pid: n.ppid,
                        comm: now.get(n.ppid).map(|p| p.comm.clone()),
                    });
                    changes.push(Transition {
                        at: at.to_string(),
                        pid: n.pid,
                        comm: n.comm.clone(),
                        kind: Kind::Changed {
                            from: o.state,
                            to: n.state,
                            from_models: Models::of(o.state),
                            to_models: Models::of(n.state),
                            reaper,
                        },
                    });
                }
                old.next();
                new.next();
            }
            (Some(o), Some(n)) if o.pid < n.pid => {
                deaths.push(died(o));
                old.next();
            }
            (Some(o), None) => {
                deaths.push(died(o));
                old.next();
            }
            (_, Some(n)) => {
                births.push(born(n));
                new.next();
            }
        }
    }
    deaths.into_iter().chain(changes).chain(births).collect()
}

impl Transition {
    /// The transition as one line of the log:
    /// `10:02:03.41  4242 python3  S -> R  (waiting -> running/ready)`.
    pub fn describe(&self, lang: Lang) -> String {
        let Transition {
            at,
            pid,
            comm,
            kind,
        } = self;
        match kind {
            Kind::Changed {
                from,
                to: 'Z',
                reaper,
                ..
            } => {
                let (parent, parent_comm) = reaper
                    .as_ref()
                    .map_or((0, None), |r| (r.pid, r.comm.as_deref()));
                format!(
                    "{at}  {pid} {comm}  {}",
                    msg::became_zombie(lang, *from, parent, parent_comm)
                )
            }
            Kind::Changed { from, to, .. } => {
                format!("{at}  {pid} {comm}  {}", msg::changed(lang, *from, *to))
            }
            Kind::Born { state } => format!("{at}  + {pid} {comm} {}", msg::born(lang, *state)),
            Kind::Died { reaped, .. } => {
                format!("{at}  - {pid} {comm} {}", msg::died(lang, *reaped))
            }
        }
    }
}

/// Follows the watched processes from sample to sample and collects what changed.
#[derive(Debug, Default)]
pub struct Tracker {
    /// The previous sample (shared with the frame that may also need it, not copied).
    last: Option<Rc<ProcessTable>>,
    pending: Vec<Transition>,
}

impl Tracker {
    /// Compare a new sample with the previous one; the first sample only sets the baseline.
    pub fn observe(&mut self, table: Rc<ProcessTable>, at: &str) {
        if let Some(before) = &self.last {
            self.pending.extend(detect(before, &table, at));
        }
        self.last = Some(table);
    }

    /// The transitions seen since the last call, oldest first.
    pub fn take(&mut self) -> Vec<Transition> {
        std::mem::take(&mut self.pending)
    }

    /// Forget the baseline (when what is watched changes meaning, e.g. processes -> threads, so
    /// that the switch is not reported as thousands of births and deaths).
    pub fn reset(&mut self) {
        self.last = None;
        self.pending.clear();
    }
}

/// The transitions pane's memory: the newest `capacity` transitions, newest first.
#[derive(Debug)]
pub struct Log {
    entries: VecDeque<Transition>,
    capacity: usize,
}

impl Log {
    pub fn new(capacity: usize) -> Log {
        Log {
            entries: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Add transitions given oldest first.
    pub fn extend(&mut self, transitions: impl IntoIterator<Item = Transition>) {
        for t in transitions {
            if self.entries.len() == self.capacity {
                self.entries.pop_back();
            }
            self.entries.push_front(t);
        }
    }

    /// Newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Transition> {
        self.entries.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of processes given as (pid, comm, state, ppid, start time).
    fn snap(entries: &[(i32, &str, char, i32, u64)]) -> ProcessTable {
        ProcessTable::from_processes(
            entries
                .iter()
                .map(|&(pid, comm, state, ppid, start)| {
                    let line = format!(
                        "{pid} ({comm}) {state} {ppid} {pid} {pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 {start} 0 0\n"
                    );
                    crate::proc::parse_stat(line.as_bytes()).unwrap()
                })
                .collect(),
        )
    }

    fn transition(kind: Kind) -> Transition {
        Transition {
            at: "10:02:03.41".to_string(),
            pid: 4242,
            comm: "python3".to_string(),
            kind,
        }
    }

    #[test]
    fn transitions_read_like_the_issue_says() {
        let changed = transition(Kind::Changed {
            from: 'S',
            to: 'R',
            from_models: None,
            to_models: None,
            reaper: None,
        });
        assert_eq!(
            changed.describe(Lang::En),
            "10:02:03.41  4242 python3  S -> R  (waiting -> running/ready)"
        );
        let zombie = transition(Kind::Changed {
            from: 'S',
            to: 'Z',
            from_models: None,
            to_models: None,
            reaper: Some(Reaper {
                pid: 4241,
                comm: Some("bash".to_string()),
            }),
        });
        assert!(
            zombie
                .describe(Lang::En)
                .contains("S -> Z  (terminated; its parent 4241 bash should reap it with wait())")
        );
        let born = transition(Kind::Born { state: 'S' });
        assert_eq!(
            born.describe(Lang::En),
            "10:02:03.41  + 4242 python3 (new, S)"
        );
        let died = transition(Kind::Died {
            last_state: 'S',
            reaped: false,
        });
        assert_eq!(
            died.describe(Lang::En),
            "10:02:03.41  - 4242 python3 (terminated)"
        );
    }

    #[test]
    fn a_letter_change_is_a_transition_with_model_names() {
        let before = snap(&[(42, "python3", 'S', 1, 7)]);
        let now = snap(&[(42, "python3", 'R', 1, 7)]);
        let t = detect(&before, &now, "10:02:03.41");
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].pid, t[0].comm.as_str()), (42, "python3"));
        match &t[0].kind {
            Kind::Changed {
                from,
                to,
                from_models,
                to_models,
                reaper,
            } => {
                assert_eq!((*from, *to), ('S', 'R'));
                assert_eq!(from_models.unwrap().three_state, "waiting");
                assert_eq!(to_models.unwrap().five_state, "ready_or_running");
                assert_eq!(*reaper, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nothing_changed_is_nothing_reported() {
        let s = snap(&[(1, "init", 'S', 0, 1), (2, "k", 'I', 0, 2)]);
        assert!(detect(&s, &s, "t").is_empty());
    }

    #[test]
    fn a_zombie_names_the_parent_that_should_reap_it() {
        let before = snap(&[(100, "bash", 'S', 1, 5), (200, "sleep", 'S', 100, 9)]);
        let now = snap(&[(100, "bash", 'S', 1, 5), (200, "sleep", 'Z', 100, 9)]);
        let t = detect(&before, &now, "t");
        assert_eq!(t.len(), 1);
        let Kind::Changed { to, reaper, .. } = &t[0].kind else {
            panic!("{t:?}");
        };
        assert_eq!(*to, 'Z');
        assert_eq!(
            reaper.clone(),
            Some(Reaper {
                pid: 100,
                comm: Some("bash".to_string())
            })
        );
    }

    #[test]
    fn births_and_deaths_and_reaping() {
        let before = snap(&[(1, "init", 'S', 0, 1), (7, "sleep", 'Z', 1, 3)]);
        let now = snap(&[(1, "init", 'S', 0, 1), (8, "sh", 'R', 1, 4)]);
        let t = detect(&before, &now, "t");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].pid, 7);
        assert_eq!(
            t[0].kind,
            Kind::Died {
                last_state: 'Z',
                reaped: true
            }
        );
        assert_eq!(t[1].pid, 8);
        assert_eq!(t[1].kind, Kind::Born { state: 'R' });
    }

    #[test]
    fn a_reused_pid_is_a_death_and_a_birth_not_a_transition() {
        let before = snap(&[(9, "old", 'S', 1, 100)]);
        let now = snap(&[(9, "new", 'R', 1, 200)]);
        let t = detect(&before, &now, "t");
        let kinds: Vec<_> = t.iter().map(|t| (&t.comm[..], &t.kind)).collect();
        assert_eq!(
            kinds,
            [
                (
                    "old",
                    &Kind::Died {
                        last_state: 'S',
                        reaped: false
                    }
                ),
                ("new", &Kind::Born { state: 'R' })
            ]
        );
    }

    #[test]
    fn the_tracker_starts_silently_and_the_log_keeps_the_newest() {
        let mut tracker = Tracker::default();
        let table = |state: char| Rc::new(snap(&[(5, "x", state, 1, 77)]));
        tracker.observe(table('S'), "a");
        assert!(tracker.take().is_empty(), "a baseline is not a change");
        tracker.observe(table('T'), "b");
        tracker.observe(table('S'), "c");
        let seen = tracker.take();
        assert_eq!(seen.len(), 2);
        assert_eq!((seen[0].at.as_str(), seen[1].at.as_str()), ("b", "c"));

        let mut log = Log::new(1);
        log.extend(seen);
        let kept: Vec<_> = log.iter().map(|t| t.at.as_str()).collect();
        assert_eq!(kept, ["c"], "newest first, at most the capacity");
    }
}
