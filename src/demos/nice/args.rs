//! The words after `toolkit nice`, turned into a request (pure, no I/O).
//!
//! clap cannot say "a signed number, then a command whose own flags are not ours", so the CLI hands
//! us the raw words and this module reads them the way coreutils' `nice` does:
//!
//! ```text
//! toolkit nice [N | -n N | --adjustment N | --adjustment=N] [-q] [--] [COMMAND [ARG]...]
//! toolkit nice --race [N] [--seconds S] [--json]
//! toolkit nice --explain | --help
//! ```
//!
//! Options come first; the first word that is neither an option nor the adjustment starts the
//! command, and every word after it belongs to the command (`toolkit nice 5 sh -c 'exit 7'`).
//! A word that is a signed integer (`9`, `-9`, `+9`) is the adjustment. Unlike coreutils' obsolete
//! form, `-9` here means minus nine; `--9` (coreutils' way of writing minus nine) is rejected with a
//! hint instead of being guessed.

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
        quiet: bool,
        command: Vec<String>,
    },
    /// Race a nice-0 busy loop against a nice-`nice` one.
    Race { nice: i64, seconds: f64, json: bool },
}

/// Why the words do not make a request. Every one of these exits 125, as coreutils' usage errors.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageError {
    /// The adjustment is not an integer (`-n abc`, `--adjustment=5x`).
    InvalidAdjustment(String),
    /// `--9`: coreutils' obsolete spelling of -9.
    ObsoleteSpelling(String),
    /// An option that needs a value came last.
    MissingValue(&'static str),
    /// `-n` given twice (or after a positional adjustment).
    AdjustmentTwice,
    /// `--seconds` is not a number in range.
    InvalidSeconds(String),
    /// An option we do not know.
    UnknownOption(String),
    /// An adjustment without a command (coreutils: "a command must be given with an adjustment").
    AdjustmentWithoutCommand,
    /// `--race` and a command at the same time.
    RaceWithCommand,
    /// `--seconds` or `--json` without `--race`.
    RaceOnly(&'static str),
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

fn parse_seconds(word: &str) -> Result<f64, UsageError> {
    match word.parse::<f64>() {
        Ok(s) if (MIN_RACE_SECONDS..=MAX_RACE_SECONDS).contains(&s) => Ok(s),
        _ => Err(UsageError::InvalidSeconds(word.to_string())),
    }
}

/// `--9`, `--15`: a double dash in front of digits.
fn is_obsolete_negative(word: &str) -> bool {
    word.strip_prefix("--")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

fn set_adjustment(slot: &mut Option<i64>, value: i64) -> Result<(), UsageError> {
    match slot.replace(value) {
        Some(_) => Err(UsageError::AdjustmentTwice),
        None => Ok(()),
    }
}

/// Turn the words after `toolkit nice` into a request.
pub fn parse(words: &[String]) -> Result<NiceRequest, UsageError> {
    let mut adjustment: Option<i64> = None;
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
        // The value of an option written as two words (`-n 5`).
        let mut next_value = |name: &'static str| -> Result<&str, UsageError> {
            i += 1;
            words
                .get(i)
                .map(String::as_str)
                .ok_or(UsageError::MissingValue(name))
        };
        match word {
            "--" => {
                command = words[i + 1..].to_vec();
                break;
            }
            "-h" | "--help" => help = true,
            "--explain" => explain = true,
            "-q" | "--quiet" => quiet = true,
            "--race" => race = true,
            "--json" => json = true,
            "-n" | "--adjustment" => {
                set_adjustment(&mut adjustment, parse_adjustment(next_value("-n")?)?)?
            }
            "--seconds" => seconds = Some(parse_seconds(next_value("--seconds")?)?),
            _ if word.starts_with("--adjustment=") => set_adjustment(
                &mut adjustment,
                parse_adjustment(&word["--adjustment=".len()..])?,
            )?,
            _ if word.starts_with("--seconds=") => {
                seconds = Some(parse_seconds(&word["--seconds=".len()..])?)
            }
            // `-n5`, as getopt allows.
            _ if word.starts_with("-n") && word.len() > 2 => {
                set_adjustment(&mut adjustment, parse_adjustment(&word[2..])?)?
            }
            _ if adjustment.is_none() && parse_integer(word).is_some() => {
                set_adjustment(&mut adjustment, parse_adjustment(word)?)?
            }
            _ if is_obsolete_negative(word) => {
                return Err(UsageError::ObsoleteSpelling(word.to_string()));
            }
            _ if word.starts_with('-') && word.len() > 1 => {
                return Err(UsageError::UnknownOption(word.to_string()));
            }
            _ => {
                command = words[i..].to_vec();
                break;
            }
        }
        i += 1;
    }

    if help {
        return Ok(NiceRequest::Help);
    }
    if explain {
        return Ok(NiceRequest::Explain);
    }
    if race {
        if !command.is_empty() {
            return Err(UsageError::RaceWithCommand);
        }
        return Ok(NiceRequest::Race {
            nice: adjustment
                .unwrap_or(DEFAULT_RACE_NICE)
                .clamp(NICE_MIN, NICE_MAX),
            seconds: seconds.unwrap_or(DEFAULT_RACE_SECONDS),
            json,
        });
    }
    if seconds.is_some() {
        return Err(UsageError::RaceOnly("--seconds"));
    }
    if json {
        return Err(UsageError::RaceOnly("--json"));
    }
    match (adjustment, command.is_empty()) {
        (None, true) => Ok(NiceRequest::Show),
        (Some(_), true) => Err(UsageError::AdjustmentWithoutCommand),
        (adjustment, false) => Ok(NiceRequest::Run {
            adjustment: adjustment.unwrap_or(DEFAULT_ADJUSTMENT),
            quiet,
            command,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &[&str]) -> Vec<String> {
        text.iter().map(|w| w.to_string()).collect()
    }

    fn run(adjustment: i64, quiet: bool, command: &[&str]) -> NiceRequest {
        NiceRequest::Run {
            adjustment,
            quiet,
            command: words(command),
        }
    }

    fn parsed(text: &[&str]) -> Result<NiceRequest, UsageError> {
        parse(&words(text))
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
    fn positional_adjustment_in_both_directions() {
        assert_eq!(
            parsed(&["9", "python3", "while.py"]),
            Ok(run(9, false, &["python3", "while.py"]))
        );
        assert_eq!(
            parsed(&["-9", "python3", "while.py"]),
            Ok(run(-9, false, &["python3", "while.py"]))
        );
        assert_eq!(parsed(&["+3", "true"]), Ok(run(3, false, &["true"])));
    }

    #[test]
    fn coreutils_option_spellings() {
        assert_eq!(parsed(&["-n", "5", "true"]), Ok(run(5, false, &["true"])));
        assert_eq!(parsed(&["-n", "-5", "true"]), Ok(run(-5, false, &["true"])));
        assert_eq!(parsed(&["-n5", "true"]), Ok(run(5, false, &["true"])));
        assert_eq!(
            parsed(&["--adjustment", "4", "true"]),
            Ok(run(4, false, &["true"]))
        );
        assert_eq!(
            parsed(&["--adjustment=-4", "true"]),
            Ok(run(-4, false, &["true"]))
        );
        assert_eq!(
            parsed(&["-q", "-n", "2", "true"]),
            Ok(run(2, true, &["true"]))
        );
    }

    #[test]
    fn no_number_means_ten_and_no_command_means_show() {
        assert_eq!(parsed(&["sleep", "1"]), Ok(run(10, false, &["sleep", "1"])));
        assert_eq!(parsed(&[]), Ok(NiceRequest::Show));
        assert_eq!(parsed(&["-q"]), Ok(NiceRequest::Show));
    }

    #[test]
    fn words_after_the_command_belong_to_it() {
        assert_eq!(
            parsed(&["5", "sh", "-c", "exit 7"]),
            Ok(run(5, false, &["sh", "-c", "exit 7"]))
        );
        // A second number is the command, as in `nice -n 5 7`.
        assert_eq!(parsed(&["5", "7", "-q"]), Ok(run(5, false, &["7", "-q"])));
        assert_eq!(
            parsed(&["grep", "--help"]),
            Ok(run(10, false, &["grep", "--help"]))
        );
        assert_eq!(
            parsed(&["--", "-weird", "x"]),
            Ok(run(10, false, &["-weird", "x"]))
        );
        assert_eq!(parsed(&["-3", "--", "-9"]), Ok(run(-3, false, &["-9"])));
    }

    #[test]
    fn out_of_range_adjustments_clamp() {
        assert_eq!(parsed(&["100", "true"]), Ok(run(39, false, &["true"])));
        assert_eq!(
            parsed(&["-n", "-100", "true"]),
            Ok(run(-39, false, &["true"]))
        );
        assert_eq!(
            parsed(&["-n", "99999999999999999999999", "true"]),
            Ok(run(39, false, &["true"]))
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
        assert_eq!(parsed(&["-n"]), Err(MissingValue("-n")));
        assert_eq!(
            parsed(&["--9", "true"]),
            Err(ObsoleteSpelling("--9".into()))
        );
        assert_eq!(
            parsed(&["--bogus", "true"]),
            Err(UnknownOption("--bogus".into()))
        );
        assert_eq!(parsed(&["5"]), Err(AdjustmentWithoutCommand));
        assert_eq!(parsed(&["5", "-n", "3", "true"]), Err(AdjustmentTwice));
        assert_eq!(parsed(&["--race", "true"]), Err(RaceWithCommand));
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
            parsed(&["--race", "-5", "--seconds", "0.5"]),
            Ok(race(-5, 0.5, false))
        );
        assert_eq!(
            parsed(&["--race", "--seconds=1", "--json"]),
            Ok(race(9, 1.0, true))
        );
        assert_eq!(parsed(&["--race", "30"]), Ok(race(19, 2.0, false)));
    }

    #[test]
    fn help_and_explain_win() {
        assert_eq!(parsed(&["--help"]), Ok(NiceRequest::Help));
        assert_eq!(parsed(&["-h"]), Ok(NiceRequest::Help));
        assert_eq!(parsed(&["5", "--explain"]), Ok(NiceRequest::Explain));
        // But a command's own --help is the command's.
        assert_eq!(
            parsed(&["ls", "--help"]),
            Ok(run(10, false, &["ls", "--help"]))
        );
    }
}
