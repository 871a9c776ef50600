//! The words after `toolkit nice`, turned into a request (pure, no I/O).
//!
//! clap cannot say "a signed number, then a command whose own flags are not ours", so the CLI hands
//! us the raw words and this module reads them exactly the way coreutils' `nice` does:
//!
//! ```text
//! toolkit nice [-n N | --adjustment=N | -N | --N] [-q] [--] [COMMAND [ARG]...]
//! toolkit nice N COMMAND [ARG]...           (ours: a bare number, `9` or `+9`, means +N)
//! toolkit nice --race [N] [--seconds S] [--json]
//! toolkit nice --explain | --help
//! ```
//!
//! Options come first; the first word that is not an option starts the command, and every word
//! after it belongs to the command (`toolkit nice -n 5 sh -c 'exit 7'`). As in coreutils:
//! - `-N` is the *obsolete* spelling of `-n N`: `nice -9 CMD` adds **9** (the course notes'
//!   `nice -9 python3 while.py` runs at 9), and `nice --9 CMD` adds **-9**. Because that surprises
//!   everyone who reads `-9` as minus nine, using it prints one warning line that says what it
//!   meant and how to write it unambiguously (`-q` silences it);
//! - the last adjustment given wins (`nice -n 3 -n 5` adds 5);
//! - long options may be shortened while unambiguous (`--adj=5`);
//! - `--` ends the options.
//!
//! Our additions on top: the bare number (`toolkit nice 9 CMD`, the design's spelling), `-q`,
//! `--race`, `--explain`, `-h`.

use super::weights::{NICE_MAX, NICE_MIN};

/// What `nice` adds when no adjustment is given, as coreutils.
pub const DEFAULT_ADJUSTMENT: i64 = 10;
/// Adjustments beyond ±39 cannot change anything more (the range -20..19 is 39 wide); coreutils
/// clamps them the same way, so `nice -n 100` is simply "as nice as possible".
pub const ADJUSTMENT_LIMIT: i64 = NICE_MAX - NICE_MIN;
/// The nice value of the second runner in `--race` when none is given: the course's example.
pub const DEFAULT_RACE_NICE: i64 = 9;
/// The default length of a race: long enough for a few hundred clock ticks of CPU time.
pub const DEFAULT_RACE_SECONDS: f64 = 2.0;
/// Shorter races measure only a handful of ticks (10 ms each), too few to show a share.
pub const MIN_RACE_SECONDS: f64 = 0.1;
/// A race keeps one CPU busy; a minute is plenty to see the shares settle.
pub const MAX_RACE_SECONDS: f64 = 60.0;

/// What the user asked `toolkit nice` to do.
#[derive(Debug, Clone, PartialEq)]
pub enum NiceRequest {
    /// `--help` / `-h`.
    Help,
    /// `--explain`: our spelling next to coreutils'.
    Explain,
    /// No command: print the current niceness, like `nice`.
    Show,
    /// Adjust the niceness by `adjustment` (already within ±39), then exec `command`.
    Run {
        adjustment: i64,
        command: Vec<String>,
    },
    /// Race a nice-0 busy loop against a nice-`nice` one.
    Race { nice: i64, seconds: f64, json: bool },
}

/// Why the words do not make a request. Every one of these exits 125, as coreutils' usage errors.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageError {
    /// The adjustment is not an integer (`-n abc`, `--adjustment=5x`, `-5x`).
    InvalidAdjustment(String),
    /// An option that needs a value came last.
    MissingValue(&'static str),
    /// `--seconds` is not a number in range.
    InvalidSeconds(String),
    /// An option we do not know.
    UnknownOption(String),
    /// A long option that takes no value was given one (`--race=3`).
    UnexpectedValue(String),
    /// An adjustment without a command (coreutils: "a command must be given with an adjustment").
    AdjustmentWithoutCommand,
    /// `--race` and a command at the same time; the first word of the command.
    RaceWithCommand(String),
    /// `--race N` with N outside -20..19.
    RaceNiceOutOfRange(i64),
    /// `--explain` with something it would silently ignore (`--race`, a command, an adjustment).
    ExplainAlone,
    /// `--seconds` or `--json` without `--race`.
    RaceOnly(&'static str),
}

/// The words, read: the request, plus what is said around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub request: NiceRequest,
    /// `-q`: no warning about an obsolete spelling and no nice/PR line before the command.
    pub quiet: bool,
    /// The obsolete spelling used, as typed (`-9`, `--9`), and the adjustment it stands for.
    pub obsolete: Option<(String, i64)>,
}

/// Read a signed integer the way coreutils reads an adjustment: optional `+`/`-`, then digits.
/// Values too large for `i64` saturate (they are clamped to ±39 later anyway).
pub fn parse_integer(word: &str) -> Option<i64> {
    let (negative, digits) = match word.as_bytes().first()? {
        b'-' => (true, &word[1..]),
        b'+' => (false, &word[1..]),
        _ => (false, word),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |acc, b| {
        acc.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// An adjustment word, clamped to ±[`ADJUSTMENT_LIMIT`].
fn parse_adjustment(word: &str) -> Result<i64, UsageError> {
    parse_integer(word)
        .map(|n| n.clamp(-ADJUSTMENT_LIMIT, ADJUSTMENT_LIMIT))
        .ok_or_else(|| UsageError::InvalidAdjustment(word.to_string()))
}

/// An adjustment word as typed (saturating), for the messages that quote it.
fn typed(word: &str) -> Option<i64> {
    parse_integer(word)
}

fn parse_seconds(word: &str) -> Result<f64, UsageError> {
    match word.parse::<f64>() {
        Ok(s) if (MIN_RACE_SECONDS..=MAX_RACE_SECONDS).contains(&s) => Ok(s),
        _ => Err(UsageError::InvalidSeconds(word.to_string())),
    }
}

/// coreutils' obsolete form: `-` then a digit, optionally after one more sign (`-9`, `--9`, `-+9`).
/// Returns the adjustment as written after the first dash (`9`, `-9`, `+9`).
fn obsolete_adjustment(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('-')?;
    let digits = rest.strip_prefix(['-', '+']).unwrap_or(rest);
    digits
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_digit)
        .then_some(rest)
}

/// The long options, as getopt knows them: name and whether it takes a value.
const LONG_OPTIONS: [(&str, bool); 7] = [
    ("adjustment", true),
    ("help", false),
    ("explain", false),
    ("quiet", false),
    ("race", false),
    ("seconds", true),
    ("json", false),
];

/// A long option by its full name or a start of it that fits only one, as getopt_long matches
/// them (no two of ours start with the same letter).
fn long_option(name: &str) -> Result<(&'static str, bool), UsageError> {
    let mut matches = LONG_OPTIONS
        .iter()
        .filter(|(n, _)| !name.is_empty() && n.starts_with(name));
    match (matches.next(), matches.next()) {
        (Some(&only), None) => Ok(only),
        _ => Err(UsageError::UnknownOption(format!("--{name}"))),
    }
}

/// Turn the words after `toolkit nice` into a request.
pub fn parse(words: &[String]) -> Result<Parsed, UsageError> {
    let mut adjustment: Option<i64> = None;
    // The same, as typed: `--race 100` is refused as 100, not as the 39 it clamps to.
    let mut adjustment_typed: Option<i64> = None;
    let mut obsolete: Option<(String, i64)> = None;
    let mut quiet = false;
    let mut explain = false;
    let mut help = false;
    let mut race = false;
    let mut seconds: Option<f64> = None;
    let mut json = false;
    let mut command: Vec<String> = Vec::new();

    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        if word == "--" {
            command = words[i + 1..].to_vec();
            break;
        }
        if let Some(written) = obsolete_adjustment(word) {
            let value = parse_adjustment(written)?;
            adjustment = Some(value);
            adjustment_typed = typed(written);
            obsolete = Some((word.to_string(), value));
            i += 1;
            continue;
        }
        // The value of an option, from `--name=value`, `-nvalue`, or the next word.
        let mut value_of =
            |inline: Option<&str>, name: &'static str| -> Result<String, UsageError> {
                if let Some(v) = inline {
                    return Ok(v.to_string());
                }
                i += 1;
                words.get(i).cloned().ok_or(UsageError::MissingValue(name))
            };
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let (name, takes_value) = long_option(name)?;
            if !takes_value && inline.is_some() {
                return Err(UsageError::UnexpectedValue(format!("--{name}")));
            }
            match name {
                "adjustment" => {
                    let word = value_of(inline, "--adjustment")?;
                    adjustment = Some(parse_adjustment(&word)?);
                    adjustment_typed = typed(&word);
                    obsolete = None;
                }
                "seconds" => seconds = Some(parse_seconds(&value_of(inline, "--seconds")?)?),
                "help" => help = true,
                "explain" => explain = true,
                "quiet" => quiet = true,
                "race" => race = true,
                _ => json = true,
            }
        } else if word == "-n" || (word.starts_with("-n") && word.len() > 2) {
            let inline = (word.len() > 2).then(|| &word[2..]);
            let word = value_of(inline, "-n")?;
            adjustment = Some(parse_adjustment(&word)?);
            adjustment_typed = typed(&word);
            obsolete = None;
        } else if word == "-q" {
            quiet = true;
        } else if word == "-h" {
            help = true;
        } else if word.starts_with('-') && word.len() > 1 {
            return Err(UsageError::UnknownOption(word.to_string()));
        } else if adjustment.is_none() && !word.starts_with('-') && parse_integer(word).is_some() {
            // Ours: the design's bare number, `9` or `+9`.
            adjustment = Some(parse_adjustment(word)?);
            adjustment_typed = typed(word);
        } else {
            command = words[i..].to_vec();
            break;
        }
        i += 1;
    }

    let request = if help {
        NiceRequest::Help
    } else if explain {
        if race || !command.is_empty() || adjustment.is_some() || seconds.is_some() || json {
            return Err(UsageError::ExplainAlone);
        }
        NiceRequest::Explain
    } else if race {
        if let Some(first) = command.first() {
            return Err(UsageError::RaceWithCommand(first.clone()));
        }
        let nice = adjustment_typed.unwrap_or(DEFAULT_RACE_NICE);
        if !(NICE_MIN..=NICE_MAX).contains(&nice) {
            return Err(UsageError::RaceNiceOutOfRange(nice));
        }
        NiceRequest::Race {
            nice,
            seconds: seconds.unwrap_or(DEFAULT_RACE_SECONDS),
            json,
        }
    } else if seconds.is_some() {
        return Err(UsageError::RaceOnly("--seconds"));
    } else if json {
        return Err(UsageError::RaceOnly("--json"));
    } else {
        match (adjustment, command.is_empty()) {
            (None, true) => NiceRequest::Show,
            (Some(_), true) => return Err(UsageError::AdjustmentWithoutCommand),
            (adjustment, false) => NiceRequest::Run {
                adjustment: adjustment.unwrap_or(DEFAULT_ADJUSTMENT),
                command,
            },
        }
    };
    Ok(Parsed {
        request,
        quiet,
        obsolete,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &[&str]) -> Vec<String> {
        text.iter().map(|w| w.to_string()).collect()
    }

    fn run(adjustment: i64, command: &[&str]) -> NiceRequest {
        NiceRequest::Run {
            adjustment,
            command: words(command),
        }
    }

    fn parsed(text: &[&str]) -> Result<NiceRequest, UsageError> {
        parse(&words(text)).map(|p| p.request)
    }

    #[test]
    fn integers_are_signed_and_saturate() {
        assert_eq!(parse_integer("9"), Some(9));
        assert_eq!(parse_integer("-9"), Some(-9));
        assert_eq!(parse_integer("+9"), Some(9));
        assert_eq!(parse_integer("99999999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_integer("-99999999999999999999999"), Some(-i64::MAX));
        for bad in ["", "-", "+", "abc", "5x", "1.5", "--9", " 5", "-n"] {
            assert_eq!(parse_integer(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_notes_two_lines_mean_what_the_notes_say() {
        // nice -9 python3 while.py      以9的优先级运行
        // nice --9 python3 while.py     以-9的优先级运行
        let plus = parse(&words(&["-9", "python3", "while.py"])).unwrap();
        assert_eq!(plus.request, run(9, &["python3", "while.py"]));
        assert_eq!(plus.obsolete, Some(("-9".to_string(), 9)));
        let minus = parse(&words(&["--9", "python3", "while.py"])).unwrap();
        assert_eq!(minus.request, run(-9, &["python3", "while.py"]));
        assert_eq!(minus.obsolete, Some(("--9".to_string(), -9)));
        assert_eq!(parsed(&["-+3", "true"]), Ok(run(3, &["true"])));
    }

    #[test]
    fn the_bare_number_is_ours_and_positive() {
        let p = parse(&words(&["9", "python3", "while.py"])).unwrap();
        assert_eq!(p.request, run(9, &["python3", "while.py"]));
        assert_eq!(p.obsolete, None);
        assert_eq!(parsed(&["+3", "true"]), Ok(run(3, &["true"])));
        // Once an adjustment is given, a number is the command, as coreutils (`nice -n 5 7`).
        assert_eq!(parsed(&["-n", "5", "7", "-q"]), Ok(run(5, &["7", "-q"])));
        assert_eq!(parsed(&["5", "7"]), Ok(run(5, &["7"])));
    }

    #[test]
    fn coreutils_option_spellings() {
        assert_eq!(parsed(&["-n", "5", "true"]), Ok(run(5, &["true"])));
        assert_eq!(parsed(&["-n", "-5", "true"]), Ok(run(-5, &["true"])));
        assert_eq!(parsed(&["-n5", "true"]), Ok(run(5, &["true"])));
        assert_eq!(parsed(&["-n-5", "true"]), Ok(run(-5, &["true"])));
        assert_eq!(
            parsed(&["--adjustment", "4", "true"]),
            Ok(run(4, &["true"]))
        );
        assert_eq!(parsed(&["--adjustment=-4", "true"]), Ok(run(-4, &["true"])));
        assert_eq!(parsed(&["--adj=-4", "true"]), Ok(run(-4, &["true"])));
        assert_eq!(parsed(&["--a", "2", "true"]), Ok(run(2, &["true"])));
        let quiet = parse(&words(&["-q", "-n", "2", "true"])).unwrap();
        assert_eq!((quiet.request, quiet.quiet), (run(2, &["true"]), true));
    }

    #[test]
    fn the_last_adjustment_wins_and_clears_an_earlier_obsolete_one() {
        assert_eq!(
            parsed(&["-n", "3", "-n", "5", "true"]),
            Ok(run(5, &["true"]))
        );
        assert_eq!(parsed(&["-n", "3", "-5", "true"]), Ok(run(5, &["true"])));
        let p = parse(&words(&["-5", "-n", "3", "true"])).unwrap();
        assert_eq!((p.request, p.obsolete), (run(3, &["true"]), None));
        assert_eq!(parsed(&["5", "-n", "3", "true"]), Ok(run(3, &["true"])));
    }

    #[test]
    fn no_number_means_ten_and_no_command_means_show() {
        assert_eq!(parsed(&["sleep", "1"]), Ok(run(10, &["sleep", "1"])));
        assert_eq!(parsed(&[]), Ok(NiceRequest::Show));
        assert_eq!(parsed(&["-q"]), Ok(NiceRequest::Show));
    }

    #[test]
    fn words_after_the_command_belong_to_it() {
        assert_eq!(
            parsed(&["5", "sh", "-c", "exit 7"]),
            Ok(run(5, &["sh", "-c", "exit 7"]))
        );
        assert_eq!(
            parsed(&["grep", "--help"]),
            Ok(run(10, &["grep", "--help"]))
        );
        assert_eq!(
            parsed(&["--", "-weird", "x"]),
            Ok(run(10, &["-weird", "x"]))
        );
        assert_eq!(parsed(&["-n", "-3", "--", "-9"]), Ok(run(-3, &["-9"])));
        assert_eq!(parsed(&["-3", "--", "--9"]), Ok(run(3, &["--9"])));
    }

    #[test]
    fn out_of_range_adjustments_clamp() {
        assert_eq!(parsed(&["100", "true"]), Ok(run(39, &["true"])));
        assert_eq!(parsed(&["--100", "true"]), Ok(run(-39, &["true"])));
        assert_eq!(parsed(&["-n", "-100", "true"]), Ok(run(-39, &["true"])));
        assert_eq!(
            parsed(&["-n", "99999999999999999999999", "true"]),
            Ok(run(39, &["true"]))
        );
    }

    #[test]
    fn usage_errors() {
        use UsageError::*;
        assert_eq!(
            parsed(&["-n", "abc", "true"]),
            Err(InvalidAdjustment("abc".into()))
        );
        assert_eq!(
            parsed(&["--adjustment=5x", "true"]),
            Err(InvalidAdjustment("5x".into()))
        );
        assert_eq!(
            parsed(&["-5x", "true"]),
            Err(InvalidAdjustment("5x".into()))
        );
        assert_eq!(parsed(&["-n"]), Err(MissingValue("-n")));
        assert_eq!(
            parsed(&["--bogus", "true"]),
            Err(UnknownOption("--bogus".into()))
        );
        assert_eq!(parsed(&["-x", "true"]), Err(UnknownOption("-x".into())));
        assert_eq!(parsed(&["--race=3"]), Err(UnexpectedValue("--race".into())));
        assert_eq!(parsed(&["5"]), Err(AdjustmentWithoutCommand));
        assert_eq!(parsed(&["-9"]), Err(AdjustmentWithoutCommand));
        assert_eq!(
            parsed(&["--race", "true"]),
            Err(RaceWithCommand("true".into()))
        );
        assert_eq!(
            parsed(&["--race", "abc"]),
            Err(RaceWithCommand("abc".into()))
        );
        assert_eq!(parsed(&["--race", "100"]), Err(RaceNiceOutOfRange(100)));
        assert_eq!(parsed(&["--explain", "--race"]), Err(ExplainAlone));
        assert_eq!(parsed(&["--explain", "true"]), Err(ExplainAlone));
        assert_eq!(parsed(&["--seconds", "1"]), Err(RaceOnly("--seconds")));
        assert_eq!(parsed(&["--json"]), Err(RaceOnly("--json")));
        assert_eq!(
            parsed(&["--race", "--seconds", "0"]),
            Err(InvalidSeconds("0".into()))
        );
        assert_eq!(
            parsed(&["--race", "--seconds=x"]),
            Err(InvalidSeconds("x".into()))
        );
        assert_eq!(
            parsed(&["--race", "--seconds"]),
            Err(MissingValue("--seconds"))
        );
    }

    #[test]
    fn race_defaults_and_values() {
        let race = |nice, seconds, json| NiceRequest::Race {
            nice,
            seconds,
            json,
        };
        assert_eq!(parsed(&["--race"]), Ok(race(9, 2.0, false)));
        assert_eq!(parsed(&["--race", "15"]), Ok(race(15, 2.0, false)));
        assert_eq!(
            parsed(&["--race", "-n", "-5", "--seconds", "0.5"]),
            Ok(race(-5, 0.5, false))
        );
        assert_eq!(
            parsed(&["--race", "--seconds=1", "--json"]),
            Ok(race(9, 1.0, true))
        );
        assert_eq!(parsed(&["--race", "19"]), Ok(race(19, 2.0, false)));
    }

    #[test]
    fn help_and_explain_win() {
        assert_eq!(parsed(&["--help"]), Ok(NiceRequest::Help));
        assert_eq!(parsed(&["-h"]), Ok(NiceRequest::Help));
        assert_eq!(parsed(&["--he"]), Ok(NiceRequest::Help));
        assert_eq!(parsed(&["--explain"]), Ok(NiceRequest::Explain));
        // But a command's own --help is the command's.
        assert_eq!(parsed(&["ls", "--help"]), Ok(run(10, &["ls", "--help"])));
    }
}
