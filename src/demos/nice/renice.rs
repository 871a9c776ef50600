//! `toolkit renice`: change the niceness of processes that are already running, read exactly as
//! util-linux `renice` reads its words:
//!
//! ```text
//! toolkit renice [-n] PRIORITY [[-p] PID...] [-g PGRP...] [-u USER...]   (and --relative, ours)
//! ```
//!
//! The first word (after an optional `-n`/`--priority`) is the new nice value, absolute: `renice 5
//! 1234` makes it 5 whatever it was. Every later word is an ID of the kind chosen by the last `-p`
//! (process, the default), `-g` (process group: every process in it) or `-u` (user, by name or uid:
//! every process of that user). Each ID is tried in order; a bad one is reported and the rest still
//! run; the exit status is 1 if any failed. For each ID changed, the report line is util-linux's:
//! `1234 (process ID) old priority 0, new priority 5` (for a group or a user, the kernel's
//! `getpriority` gives the highest priority, i.e. the lowest nice value, among its processes).
//!
//! Ours on top: `--relative`, which adds PRIORITY to each ID's current value instead of setting it.

use std::io;

use rustix::process::{
    Pid as RustixPid, Uid, getpriority_pgrp, getpriority_process, getpriority_user,
    setpriority_pgrp, setpriority_process, setpriority_user,
};

use super::weights::clamp_nice;
use crate::error::{CmdResult, Failure};
use crate::i18n::{self, Lang};

/// util-linux renice's exit status for a usage error and for any failed ID.
pub const EXIT_FAILURE: u8 = 1;

/// Which kind of ID a word names, as `setpriority`'s `which`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Process,
    Group,
    User,
}

impl Which {
    /// util-linux's name for the kind, as its report prints it ("process ID").
    pub fn id_type(self) -> &'static str {
        match self {
            Which::Process => "process ID",
            Which::Group => "process group ID",
            Which::User => "user ID",
        }
    }
}

/// One word after the priority: an ID to change, or why it cannot be one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A numeric ID (for users, a uid, looked up from the name if one was given).
    Id(Which, u32),
    /// Not a non-negative integer (`bad process ID value: x`).
    BadValue(Which, String),
    /// `-u NAME` where no user has that name and it is not a number.
    UnknownUser(String),
}

/// What `toolkit renice` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Help,
    Change {
        priority: i64,
        relative: bool,
        targets: Vec<Target>,
    },
}

/// Why the words are not a request (exit 1, as util-linux).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageError {
    NotEnoughArguments,
    InvalidPriority(String),
}

/// `strtol`-like reading of a whole word as an integer: optional sign, digits, nothing else.
fn integer(word: &str) -> Option<i64> {
    super::args::parse_integer(word)
}

/// Turn the words after `toolkit renice` into a request. `user_id` looks a user name up (it is
/// passed in so that this stays pure).
pub fn parse(
    words: &[String],
    user_id: impl Fn(&str) -> Option<u32>,
) -> Result<Request, UsageError> {
    if let [only] = words
        && (only == "-h" || only == "--help")
    {
        return Ok(Request::Help);
    }
    let relative = words.iter().any(|w| w == "--relative");
    let mut words = words.iter().filter(|w| *w != "--relative").peekable();
    if words
        .peek()
        .is_some_and(|w| *w == "-n" || *w == "--priority")
    {
        words.next();
    }
    let rest: Vec<&String> = words.collect();
    let [priority, ids @ ..] = rest.as_slice() else {
        return Err(UsageError::NotEnoughArguments);
    };
    if ids.is_empty() {
        return Err(UsageError::NotEnoughArguments);
    }
    let priority =
        integer(priority).ok_or_else(|| UsageError::InvalidPriority(priority.to_string()))?;
    let mut which = Which::Process;
    let mut targets = Vec::new();
    for word in ids {
        match word.as_str() {
            "-p" | "--pid" => which = Which::Process,
            "-g" | "--pgrp" => which = Which::Group,
            "-u" | "--user" => which = Which::User,
            _ => {
                let number = integer(word).and_then(|n| u32::try_from(n).ok());
                targets.push(match (which, number) {
                    (Which::User, _) => match user_id(word).or(number) {
                        Some(uid) => Target::Id(Which::User, uid),
                        None => Target::UnknownUser(word.to_string()),
                    },
                    (_, Some(id)) => Target::Id(which, id),
                    (_, None) => Target::BadValue(which, word.to_string()),
                });
            }
        }
    }
    Ok(Request::Change {
        priority,
        relative,
        targets,
    })
}

/// The uid of a user name, from the system's user database.
fn user_id(name: &str) -> Option<u32> {
    match nix::unistd::User::from_name(name) {
        Ok(Some(user)) => Some(user.uid.as_raw()),
        _ => None,
    }
}

/// `toolkit renice WORDS...`.
pub fn run(words: &[String], lang: Lang) -> CmdResult {
    use i18n::nice as t;
    let request = parse(words, user_id).map_err(|e| {
        let what = match e {
            UsageError::NotEnoughArguments => t::renice_not_enough_arguments(lang),
            UsageError::InvalidPriority(word) => t::renice_invalid_priority(lang, &word),
        };
        Failure::new(EXIT_FAILURE, t::renice_usage_error(lang, &what))
    })?;
    let (priority, relative, targets) = match request {
        Request::Help => {
            print!("{}", t::renice_help(lang));
            return Ok(0);
        }
        Request::Change {
            priority,
            relative,
            targets,
        } => (priority, relative, targets),
    };
    let mut failed = false;
    for target in targets {
        let result = match target {
            Target::Id(which, id) => change(which, id, priority, relative, lang),
            Target::BadValue(which, word) => Err(t::renice_bad_value(lang, which.id_type(), &word)),
            Target::UnknownUser(name) => Err(t::renice_unknown_user(lang, &name)),
        };
        match result {
            Ok(line) => println!("{line}"),
            Err(message) => {
                failed = true;
                eprintln!("{}{message}", i18n::common::error_prefix(lang));
            }
        }
    }
    Ok(if failed { EXIT_FAILURE } else { 0 })
}

/// getpriority, setpriority, getpriority again, as util-linux's `donice`; the report line or why not.
fn change(which: Which, id: u32, value: i64, relative: bool, lang: Lang) -> Result<String, String> {
    use i18n::nice as t;
    let kind = which.id_type();
    let old = get(which, id).map_err(|e| t::renice_cannot_get(lang, id, kind, &e))?;
    let wanted = clamp_nice(if relative { old + value } else { value });
    set(which, id, wanted).map_err(|e| t::renice_cannot_set(lang, id, kind, wanted, &e))?;
    let new = get(which, id).map_err(|e| t::renice_cannot_get(lang, id, kind, &e))?;
    Ok(t::reniced(lang, id, kind, old, new))
}

/// ID 0 means "the caller" to the kernel, as it does to util-linux.
fn pid_of(id: u32) -> io::Result<Option<RustixPid>> {
    if id == 0 {
        return Ok(None);
    }
    let raw = i32::try_from(id).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    Ok(RustixPid::from_raw(raw))
}

fn get(which: Which, id: u32) -> io::Result<i64> {
    let nice = match which {
        Which::Process => getpriority_process(pid_of(id)?),
        Which::Group => getpriority_pgrp(pid_of(id)?),
        Which::User => getpriority_user(Uid::from_raw(id)),
    };
    nice.map(i64::from).map_err(super::errno_to_io)
}

fn set(which: Which, id: u32, nice: i64) -> io::Result<()> {
    let nice = nice as i32;
    match which {
        Which::Process => setpriority_process(pid_of(id)?, nice),
        Which::Group => setpriority_pgrp(pid_of(id)?, nice),
        Which::User => setpriority_user(Uid::from_raw(id), nice),
    }
    .map_err(super::errno_to_io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &[&str]) -> Result<Request, UsageError> {
        let words: Vec<String> = text.iter().map(|w| w.to_string()).collect();
        parse(&words, |name| (name == "daemon").then_some(1))
    }

    fn change(priority: i64, relative: bool, targets: Vec<Target>) -> Result<Request, UsageError> {
        Ok(Request::Change {
            priority,
            relative,
            targets,
        })
    }

    use Target::*;
    use Which::*;

    #[test]
    fn pids_are_the_default_and_n_is_optional() {
        assert_eq!(
            parsed(&["5", "1234"]),
            change(5, false, vec![Id(Process, 1234)])
        );
        assert_eq!(
            parsed(&["-n", "5", "-p", "1234", "99"]),
            change(5, false, vec![Id(Process, 1234), Id(Process, 99)])
        );
        assert_eq!(
            parsed(&["--priority", "-3", "7"]),
            change(-3, false, vec![Id(Process, 7)])
        );
        assert_eq!(parsed(&["+1", "7"]), change(1, false, vec![Id(Process, 7)]));
    }

    #[test]
    fn the_kind_switches_for_the_words_after_it() {
        // util-linux's own example: renice +1 987 -u daemon root -p 32
        assert_eq!(
            parsed(&["+1", "987", "-u", "daemon", "0", "-p", "32", "-g", "5"]),
            change(
                1,
                false,
                vec![
                    Id(Process, 987),
                    Id(User, 1),
                    Id(User, 0),
                    Id(Process, 32),
                    Id(Group, 5)
                ]
            )
        );
    }

    #[test]
    fn bad_ids_are_kept_in_order_to_be_reported() {
        assert_eq!(
            parsed(&["5", "x", "-5", "7", "-u", "nobody-here"]),
            change(
                5,
                false,
                vec![
                    BadValue(Process, "x".into()),
                    BadValue(Process, "-5".into()),
                    Id(Process, 7),
                    UnknownUser("nobody-here".into())
                ]
            )
        );
    }

    #[test]
    fn usage_errors_and_help() {
        assert_eq!(parsed(&[]), Err(UsageError::NotEnoughArguments));
        assert_eq!(parsed(&["5"]), Err(UsageError::NotEnoughArguments));
        assert_eq!(parsed(&["-n", "5"]), Err(UsageError::NotEnoughArguments));
        assert_eq!(
            parsed(&["abc", "1"]),
            Err(UsageError::InvalidPriority("abc".into()))
        );
        assert_eq!(parsed(&["--help"]), Ok(Request::Help));
        assert_eq!(parsed(&["-h"]), Ok(Request::Help));
    }

    #[test]
    fn relative_is_ours_and_may_stand_anywhere() {
        assert_eq!(
            parsed(&["--relative", "2", "-p", "7"]),
            change(2, true, vec![Id(Process, 7)])
        );
        assert_eq!(
            parsed(&["-n", "2", "7", "--relative"]),
            change(2, true, vec![Id(Process, 7)])
        );
    }
}
