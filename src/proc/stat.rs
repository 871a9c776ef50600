//! The `STAT` column of `ps`: the kernel's state letter plus BSD-style modifiers.
//!
//! `ps` builds the string from several fields of `/proc/PID/stat` (and one of `status`), in this
//! order, which [`decode_stat`] follows exactly:
//!
//! 1. the state letter (`R S D T t Z I X W`);
//! 2. `<` if nice < 0 (more important than default) or `N` if nice > 0 (nicer to others);
//! 3. `L` if the process has pages locked in memory (`VmLck` > 0);
//! 4. `s` if it leads its session (`session == pid`);
//! 5. `l` if it is multi-threaded (more than one thread);
//! 6. `+` if it is in the foreground process group of its terminal (`pgrp == tpgid`).
//!
//! The course notes fold several letters into "waiting". The toolkit is more precise, and
//! [`StateCode::three_state`] / [`StateCode::five_state`] say where each letter sits in the models
//! and where it does not fit them at all (`T` is *stopped*, a state of its own).

use serde::Serialize;

/// The inputs `ps` uses to build a STAT string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatInputs {
    pub state: char,
    pub nice: i64,
    pub locked: bool,
    pub session_leader: bool,
    pub threads: i64,
    pub foreground: bool,
}

/// The STAT string as `ps` prints it.
pub fn decode_stat(input: &StatInputs) -> String {
    let mut s = String::with_capacity(6);
    s.push(input.state);
    if input.nice < 0 {
        s.push('<');
    } else if input.nice > 0 {
        s.push('N');
    }
    if input.locked {
        s.push('L');
    }
    if input.session_leader {
        s.push('s');
    }
    if input.threads > 1 {
        s.push('l');
    }
    if input.foreground {
        s.push('+');
    }
    s
}

/// The state letters the kernel reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StateCode {
    /// `R`: running, or runnable and waiting in the run queue for a CPU.
    Running,
    /// `S`: interruptible sleep, waiting for an event (input, a timer, a child).
    Sleeping,
    /// `D`: uninterruptible sleep, usually waiting for I/O; signals wait until it wakes.
    DiskSleep,
    /// `T`: stopped by a job-control signal (SIGSTOP, Ctrl-Z).
    Stopped,
    /// `t`: stopped by a debugger (tracing stop).
    TracingStop,
    /// `Z`: zombie: terminated, its exit status not yet collected by its parent.
    Zombie,
    /// `I`: idle kernel thread (an `D`-like sleep that does not count toward the load average).
    Idle,
    /// `X`: dead: being removed; never seen in practice.
    Dead,
    /// `W`: paging (before Linux 2.6) or waking; not shown by current kernels.
    Paging,
}

/// The 3-state model of the course: ready, running, waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreeState {
    Ready,
    Running,
    /// `R` does not tell the two apart: it means "on a CPU or waiting for one".
    ReadyOrRunning,
    Waiting,
    /// Outside the model (stopped, or already terminated).
    Outside,
}

/// The 5-state model: new, ready, running, waiting, terminated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FiveState {
    New,
    Ready,
    Running,
    ReadyOrRunning,
    Waiting,
    Terminated,
    /// Outside the model (stopped by a signal or a tracer).
    Outside,
}

impl ThreeState {
    /// The state's name in `--json` (and the key its translations are found by).
    pub fn id(self) -> &'static str {
        match self {
            ThreeState::Ready => "ready",
            ThreeState::Running => "running",
            ThreeState::ReadyOrRunning => "ready_or_running",
            ThreeState::Waiting => "waiting",
            ThreeState::Outside => "outside",
        }
    }
}

impl FiveState {
    /// The state's name in `--json` (and the key its translations are found by).
    pub fn id(self) -> &'static str {
        match self {
            FiveState::New => "new",
            FiveState::Ready => "ready",
            FiveState::Running => "running",
            FiveState::ReadyOrRunning => "ready_or_running",
            FiveState::Waiting => "waiting",
            FiveState::Terminated => "terminated",
            FiveState::Outside => "outside",
        }
    }
}

impl StateCode {
    /// Every letter, in the order a table shows them.
    pub const ALL: [StateCode; 9] = [
        StateCode::Running,
        StateCode::Sleeping,
        StateCode::DiskSleep,
        StateCode::Stopped,
        StateCode::TracingStop,
        StateCode::Zombie,
        StateCode::Idle,
        StateCode::Dead,
        StateCode::Paging,
    ];

    pub fn from_letter(letter: char) -> Option<StateCode> {
        StateCode::ALL.into_iter().find(|c| c.letter() == letter)
    }

    pub fn letter(self) -> char {
        match self {
            StateCode::Running => 'R',
            StateCode::Sleeping => 'S',
            StateCode::DiskSleep => 'D',
            StateCode::Stopped => 'T',
            StateCode::TracingStop => 't',
            StateCode::Zombie => 'Z',
            StateCode::Idle => 'I',
            StateCode::Dead => 'X',
            StateCode::Paging => 'W',
        }
    }

    pub fn three_state(self) -> ThreeState {
        match self {
            StateCode::Running => ThreeState::ReadyOrRunning,
            StateCode::Sleeping | StateCode::DiskSleep | StateCode::Idle | StateCode::Paging => {
                ThreeState::Waiting
            }
            StateCode::Stopped | StateCode::TracingStop | StateCode::Zombie | StateCode::Dead => {
                ThreeState::Outside
            }
        }
    }

    pub fn five_state(self) -> FiveState {
        match self {
            StateCode::Running => FiveState::ReadyOrRunning,
            StateCode::Sleeping | StateCode::DiskSleep | StateCode::Idle | StateCode::Paging => {
                FiveState::Waiting
            }
            StateCode::Zombie | StateCode::Dead => FiveState::Terminated,
            StateCode::Stopped | StateCode::TracingStop => FiveState::Outside,
        }
    }
}

/// The modifiers that may follow the letter, in `ps` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Modifier {
    /// `<`: high priority (nice < 0).
    HighPriority,
    /// `N`: low priority (nice > 0).
    LowPriority,
    /// `L`: has pages locked in memory.
    Locked,
    /// `s`: session leader.
    SessionLeader,
    /// `l`: multi-threaded.
    MultiThreaded,
    /// `+`: in the foreground process group of its terminal.
    Foreground,
}

impl Modifier {
    pub const ALL: [Modifier; 6] = [
        Modifier::HighPriority,
        Modifier::LowPriority,
        Modifier::Locked,
        Modifier::SessionLeader,
        Modifier::MultiThreaded,
        Modifier::Foreground,
    ];

    pub fn symbol(self) -> char {
        match self {
            Modifier::HighPriority => '<',
            Modifier::LowPriority => 'N',
            Modifier::Locked => 'L',
            Modifier::SessionLeader => 's',
            Modifier::MultiThreaded => 'l',
            Modifier::Foreground => '+',
        }
    }

    pub fn from_symbol(symbol: char) -> Option<Modifier> {
        Modifier::ALL.into_iter().find(|m| m.symbol() == symbol)
    }
}

/// Split a STAT string such as `Ssl+` into its letter and modifiers; `None` if it is not one.
pub fn parse_stat_string(stat: &str) -> Option<(StateCode, Vec<Modifier>)> {
    let mut chars = stat.chars();
    let code = StateCode::from_letter(chars.next()?)?;
    let modifiers = chars
        .map(Modifier::from_symbol)
        .collect::<Option<Vec<_>>>()?;
    Some((code, modifiers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proc::parse_stat;

    fn inputs(state: char) -> StatInputs {
        StatInputs {
            state,
            nice: 0,
            locked: false,
            session_leader: false,
            threads: 1,
            foreground: false,
        }
    }

    #[test]
    fn plain_letter() {
        assert_eq!(decode_stat(&inputs('S')), "S");
        assert_eq!(decode_stat(&inputs('Z')), "Z");
    }

    #[test]
    fn modifiers_come_in_ps_order() {
        let all = StatInputs {
            state: 'S',
            nice: -5,
            locked: true,
            session_leader: true,
            threads: 4,
            foreground: true,
        };
        assert_eq!(decode_stat(&all), "S<Lsl+");
        let nice = StatInputs {
            nice: 9,
            ..inputs('R')
        };
        assert_eq!(decode_stat(&nice), "RN");
    }

    /// Hand-written `/proc/PID/stat` lines, decoded the way `ps` would.
    #[test]
    fn decodes_real_looking_stat_lines() {
        let cases: [(&[u8], bool, &str); 5] = [
            // An interactive bash: session leader, foreground group (pgrp 1032 == tpgid 1032).
            (
                b"1032 (bash) S 1031 1032 1032 34816 1032 4194560 0 0 0 0 0 0 0 0 20 0 1 0 2330 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0\n",
                false,
                "Ss+",
            ),
            // A niced, multi-threaded background job on that terminal.
            (
                b"2200 (worker) R 1032 2200 1032 34816 1032 0 0 0 0 0 0 0 0 0 29 9 3 0 2400 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0\n",
                false,
                "RNl",
            ),
            // An init-like daemon with locked pages and threads, no terminal.
            (
                b"1 (init) S 0 0 0 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 13 0 20 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0\n",
                true,
                "SLl",
            ),
            // A zombie child.
            (
                b"3000 (sleep) Z 2999 2999 1032 34816 2999 0 0 0 0 0 0 0 0 0 20 0 1 0 2500 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0\n",
                false,
                "Z+",
            ),
            // An idle kernel thread at nice -20.
            (
                b"9 (kworker/0:0H) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 0 -20 1 0 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0\n",
                false,
                "I<",
            ),
        ];
        for (line, locked, expected) in cases {
            let mut p = parse_stat(line).unwrap();
            p.locked_kib = Some(if locked { 4 } else { 0 });
            assert_eq!(
                p.stat_string(),
                expected,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn letters_round_trip_and_map_to_models() {
        for code in StateCode::ALL {
            assert_eq!(StateCode::from_letter(code.letter()), Some(code));
        }
        assert_eq!(StateCode::from_letter('Q'), None);
        // Where the notes are loose: T is not "waiting", Z is terminated.
        assert_eq!(StateCode::Stopped.three_state(), ThreeState::Outside);
        assert_eq!(StateCode::Stopped.five_state(), FiveState::Outside);
        assert_eq!(StateCode::Zombie.five_state(), FiveState::Terminated);
        assert_eq!(StateCode::DiskSleep.three_state(), ThreeState::Waiting);
        assert_eq!(StateCode::Running.three_state(), ThreeState::ReadyOrRunning);
    }

    #[test]
    fn stat_strings_parse_back() {
        let (code, mods) = parse_stat_string("Ssl+").unwrap();
        assert_eq!(code, StateCode::Sleeping);
        assert_eq!(
            mods,
            [
                Modifier::SessionLeader,
                Modifier::MultiThreaded,
                Modifier::Foreground
            ]
        );
        assert!(parse_stat_string("").is_none());
        assert!(parse_stat_string("S?").is_none());
    }
}
