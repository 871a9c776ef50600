//! `toolkit quiz states`: a scenario from the lessons; the student predicts the `STAT` string `ps`
//! would show (`S`, `SN`, `T`, `Z`, `D`, `R+`...), then the toolkit creates exactly that process,
//! reads its STAT from /proc the way `ps` builds it ([`crate::proc::Process::stat_string`]),
//! compares, and explains every character with the 3- and 5-state models.
//!
//! Each scenario is a child made through [`crate::child`] and held by a [`Child`] guard, so it is
//! killed and reaped on every path (a stopped or traced child too: SIGKILL ends both). The state
//! is *read*, never assumed: the toolkit samples until the letter the scenario aims at appears
//! (a signal is delivered asynchronously, a busy child may be off the CPU for an instant) and
//! then compares the student's answer with what /proc says, whatever that is.
//!
//! The modifiers depend on where the toolkit runs: `+` appears only when the child is in the
//! terminal's foreground process group (run from a shell prompt: yes; from a script with no
//! terminal: no). That is part of the lesson, so the answer is always the STAT read, and the
//! explanation says where each modifier came from.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde::Serialize;

use crate::child::{self, Child, ReapAllOnDrop, fork_child, interrupt, pipe, vfork};
use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, inspect as names, quiz as t};
use crate::output::Paint;
use crate::proc::{self, stat::StateCode};

/// A process the quiz can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// A busy loop.
    Busy,
    /// `read()` on an empty pipe nobody writes to.
    EmptyPipe,
    /// Sent SIGSTOP.
    Stopped,
    /// Stopped under a tracer (`ptrace(PTRACE_TRACEME)` then a signal).
    Traced,
    /// Exited, not yet waited for.
    Zombie,
    /// The parent of a `vfork()` child, waiting for it to exit.
    VforkParent,
    /// Sleeping at nice 19.
    Niced,
    /// A busy loop at nice 19.
    NicedBusy,
    /// Called `setsid()`, then sleeps.
    SessionLeader,
    /// Started a second thread, then sleeps.
    Threads,
}

pub const ALL: [Scenario; 10] = [
    Scenario::Busy,
    Scenario::EmptyPipe,
    Scenario::Stopped,
    Scenario::Traced,
    Scenario::Zombie,
    Scenario::VforkParent,
    Scenario::Niced,
    Scenario::NicedBusy,
    Scenario::SessionLeader,
    Scenario::Threads,
];

/// The scenarios' ids, as the command line accepts them.
pub const IDS: [&str; 10] = [
    "busy",
    "pipe",
    "stopped",
    "traced",
    "zombie",
    "vfork",
    "nice",
    "nice-busy",
    "session",
    "threads",
];

impl Scenario {
    pub fn id(self) -> &'static str {
        match self {
            Scenario::Busy => "busy",
            Scenario::EmptyPipe => "pipe",
            Scenario::Stopped => "stopped",
            Scenario::Traced => "traced",
            Scenario::Zombie => "zombie",
            Scenario::VforkParent => "vfork",
            Scenario::Niced => "nice",
            Scenario::NicedBusy => "nice-busy",
            Scenario::SessionLeader => "session",
            Scenario::Threads => "threads",
        }
    }

    pub fn from_id(id: &str) -> Option<Scenario> {
        ALL.into_iter().find(|s| s.id() == id)
    }

    /// The state letter the scenario aims at (what the sampling waits for).
    fn aim(self) -> char {
        match self {
            Scenario::Busy | Scenario::NicedBusy => 'R',
            Scenario::EmptyPipe | Scenario::Niced | Scenario::SessionLeader | Scenario::Threads => {
                'S'
            }
            Scenario::Stopped => 'T',
            Scenario::Traced => 't',
            Scenario::Zombie => 'Z',
            Scenario::VforkParent => 'D',
        }
    }
}

/// What `toolkit quiz states` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// `None`: one drawn at random (from `seed`).
    pub scenario: Option<Scenario>,
    pub seed: Option<u64>,
    /// Every scenario, without questions (the teacher's overview).
    pub all: bool,
    pub answer: Option<String>,
    pub json: bool,
}

/// One character of a STAT string, explained.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub symbol: char,
    pub meaning: &'static str,
}

/// One scenario, created and read.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    pub question: String,
    pub pid: i32,
    /// The STAT string read from /proc.
    pub stat: String,
    pub parts: Vec<Part>,
    pub three_state: &'static str,
    pub five_state: &'static str,
    pub why: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The whole string is right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<bool>,
    /// The state letter is right (the modifiers may not be).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letter_right: Option<bool>,
}

pub fn run(opts: &Options, lang: Lang) -> CmdResult {
    interrupt::install();
    // A vfork parent killed in its wait leaves its child to us: adopted and reaped here.
    let _reaper = ReapAllOnDrop::new().map_err(std::io::Error::from)?;
    let mut out = io::stdout().lock();
    let paint = Paint::for_stdout();
    if opts.all {
        let mut outcomes = Vec::new();
        for scenario in ALL {
            outcomes.push(observe(scenario, None, lang)?);
        }
        if opts.json {
            crate::output::write_json(&mut out, &outcomes)?;
        } else {
            let mut table = crate::output::table(t::states_all_headers(lang));
            for o in &outcomes {
                table.add_row(vec![
                    o.scenario.to_string(),
                    o.question.clone(),
                    o.stat.clone(),
                    format!("{} · {}", o.three_state, o.five_state),
                ]);
            }
            crate::output::write_table(&mut out, &table)?;
        }
        return Ok(0);
    }
    let scenario = opts.scenario.unwrap_or_else(|| {
        let mut rng = fastrand::Rng::with_seed(opts.seed.unwrap_or_else(|| fastrand::u64(..)));
        ALL[rng.usize(..ALL.len())]
    });
    let question = t::states_question(lang, scenario.id());
    let answer = match &opts.answer {
        Some(a) => Some(check_answer(a).map_err(|bad| Failure::new(2, t::bad_stat(lang, &bad)))?),
        None if opts.json => None,
        None => {
            writeln!(out, "{}", paint.bold(&question))?;
            ask(&mut out, lang)?
        }
    };
    let outcome = observe(scenario, answer, lang)?;
    if opts.json {
        crate::output::write_json(&mut out, &outcome)?;
        return Ok(0);
    }
    if opts.answer.is_some() {
        writeln!(out, "{}", paint.bold(&question))?;
    }
    show(&mut out, paint, &outcome, lang)?;
    Ok(0)
}

/// A STAT string as a student may type it: a state letter, then modifiers. Returns it trimmed,
/// or the text when it is not one.
fn check_answer(text: &str) -> Result<String, String> {
    let text = text.trim();
    let mut chars = text.chars();
    let letter_ok = chars
        .next()
        .is_some_and(|c| StateCode::from_letter(c).is_some());
    let modifiers_ok = chars.all(|c| proc::stat::Modifier::from_symbol(c).is_some());
    if letter_ok && modifiers_ok {
        Ok(text.to_string())
    } else {
        Err(text.to_string())
    }
}

fn ask(out: &mut impl Write, lang: Lang) -> anyhow::Result<Option<String>> {
    let mut keyboard = super::Keyboard::new()?;
    let mut prompt = t::states_prompt(lang).to_string();
    while let Some(line) = keyboard.ask(out, &prompt)? {
        match check_answer(&line) {
            Ok(a) => return Ok(Some(a)),
            Err(bad) => prompt = format!("{}\n{}", t::bad_stat(lang, &bad), t::states_prompt(lang)),
        }
    }
    Ok(None)
}

/// How long to sample for the aimed-at letter before reading whatever is there.
const SETTLE: Duration = Duration::from_secs(2);

/// Create the scenario's process, read its STAT, end it.
fn observe(scenario: Scenario, answer: Option<String>, lang: Lang) -> anyhow::Result<Outcome> {
    let (hold_r, hold_w) = pipe::new()?;
    let (ready_r, ready_w) = pipe::new()?;
    let mut kid = create(scenario, &hold_r, &hold_w, &ready_w)?;
    let pid = kid.pid_i32();
    // The child says when its set-up (nice, setsid, a thread, ptrace) is done; only then is its
    // state the scenario's.
    if !pipe::wait_readable(&ready_r, 2000) {
        anyhow::bail!(t::states_not_ready(lang, pid));
    }
    if scenario == Scenario::Stopped {
        kid.signal(Signal::SIGSTOP)?;
    }
    if scenario == Scenario::Zombie {
        kid.wait_for_exit_keep_zombie()?;
    }
    let deadline = Instant::now() + SETTLE;
    while proc::state_of(pid) != Some(scenario.aim()) && Instant::now() < deadline {
        child::sleep_interruptible(Duration::from_millis(5))?;
    }
    let fields = proc::Fields {
        status: true,
        ..proc::Fields::STAT_ONLY
    };
    let process = proc::read_process(pid, fields)?;
    let stat = process.stat_string();
    // Done: the guard kills (SIGKILL ends a stopped, traced or D-killable child too) and reaps.
    kid.kill_and_reap();
    drop(hold_w);
    let mut symbols = stat.chars();
    let letter = symbols.next().unwrap_or('?');
    let code = StateCode::from_letter(letter);
    let mut parts = vec![Part {
        symbol: letter,
        meaning: names::state_meaning(lang, letter),
    }];
    parts.extend(symbols.map(|c| Part {
        symbol: c,
        meaning: names::modifier_meaning(lang, c),
    }));
    let (right, letter_right) = match &answer {
        Some(a) => {
            let same_set = |x: &str, y: &str| {
                let mut a: Vec<char> = x.chars().skip(1).collect();
                let mut b: Vec<char> = y.chars().skip(1).collect();
                a.sort();
                b.sort();
                a == b
            };
            let letter_right = a.starts_with(letter);
            (Some(letter_right && same_set(a, &stat)), Some(letter_right))
        }
        None => (None, None),
    };
    Ok(Outcome {
        scenario: scenario.id(),
        question: t::states_question(lang, scenario.id()),
        pid,
        stat,
        parts,
        three_state: code.map_or("?", |c| names::three_state_name(lang, c.three_state().id())),
        five_state: code.map_or("?", |c| names::five_state_name(lang, c.five_state().id())),
        why: t::states_why(lang, scenario.id()),
        answer,
        right,
        letter_right,
    })
}

/// Make the child. `hold_r` is a pipe nobody writes to: a child that must sleep reads it (and
/// first closes its own copy of the write end, so it never waits on a pipe it holds itself).
/// Each child writes one byte into `ready` once its set-up is done.
fn create(scenario: Scenario, hold_r: &File, hold_w: &File, ready: &File) -> anyhow::Result<Child> {
    let write_end = hold_w.as_raw_fd();
    let say_ready = || {
        let _ = (&*ready).write_all(b"r");
    };
    let sleep_on_pipe = move || -> i32 {
        let _ = nix::unistd::close(write_end);
        say_ready();
        let _ = (&*hold_r).read(&mut [0u8; 1]);
        0
    };
    let busy = || -> i32 {
        say_ready();
        let mut x: u64 = 1;
        loop {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    };
    let renice = || {
        let _ = crate::demos::nice::set_nice(None, 19);
    };
    let kid = match scenario {
        Scenario::Busy => fork_child(busy)?,
        Scenario::EmptyPipe | Scenario::Stopped => fork_child(sleep_on_pipe)?,
        Scenario::Traced => fork_child(|| {
            if nix::sys::ptrace::traceme().is_err() {
                return 1;
            }
            // The tracer (the toolkit) now gets this child's signals first: it stops in `t`.
            say_ready();
            let _ = nix::sys::signal::raise(Signal::SIGSTOP);
            sleep_on_pipe()
        })?,
        Scenario::Zombie => fork_child(|| {
            say_ready();
            0
        })?,
        Scenario::VforkParent => fork_child(|| {
            // This child waits in the kernel for its own vfork child: ps shows it as D.
            say_ready();
            match vfork::vfork_and_wait(Duration::from_secs(30)) {
                Ok(()) => 0,
                Err(_) => 1,
            }
        })?,
        Scenario::Niced => fork_child(|| {
            renice();
            sleep_on_pipe()
        })?,
        Scenario::NicedBusy => fork_child(|| {
            renice();
            busy()
        })?,
        Scenario::SessionLeader => fork_child(|| {
            let _ = nix::unistd::setsid();
            sleep_on_pipe()
        })?,
        Scenario::Threads => fork_child(|| {
            // After the fork this process has one thread; now it starts a second one.
            let _second = std::thread::spawn(std::thread::park);
            sleep_on_pipe()
        })?,
    };
    Ok(kid)
}

fn show(out: &mut impl Write, paint: Paint, o: &Outcome, lang: Lang) -> io::Result<()> {
    writeln!(out, "{}", t::states_read(lang, o.pid, &o.stat))?;
    if let (Some(answer), Some(right), Some(letter_right)) = (&o.answer, o.right, o.letter_right) {
        let verdict = match (right, letter_right) {
            (true, _) => paint.green(t::right(lang)),
            (false, true) => paint.red(t::half_right(lang)),
            (false, false) => paint.red(t::wrong(lang)),
        };
        writeln!(out, "{verdict} {}", t::states_mark(lang, answer, &o.stat))?;
    }
    for part in &o.parts {
        writeln!(out, "    {}  {}", part.symbol, part.meaning)?;
    }
    writeln!(
        out,
        "{}",
        t::states_models(lang, o.three_state, o.five_state)
    )?;
    writeln!(out, "{}", o.why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_must_look_like_a_stat_string() {
        assert_eq!(check_answer(" SN "), Ok("SN".into()));
        assert_eq!(check_answer("R+"), Ok("R+".into()));
        assert_eq!(check_answer("Ssl+"), Ok("Ssl+".into()));
        assert!(check_answer("sleeping").is_err());
        assert!(check_answer("").is_err());
        assert!(check_answer("Q").is_err());
    }

    #[test]
    fn every_scenario_has_an_id_and_a_text() {
        for s in ALL {
            assert_eq!(Scenario::from_id(s.id()), Some(s));
            assert!(IDS.contains(&s.id()));
            for lang in [Lang::Zh, Lang::En] {
                let others = ALL.iter().filter(|o| **o != s);
                let question = t::states_question(lang, s.id());
                assert!(
                    others
                        .clone()
                        .all(|o| t::states_question(lang, o.id()) != question)
                );
                assert!(
                    others
                        .clone()
                        .all(|o| t::states_why(lang, o.id()) != t::states_why(lang, s.id()))
                );
            }
        }
    }
}
