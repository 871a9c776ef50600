//! PREDICT, THEN VERIFY: `toolkit quiz`. The student answers first; then the toolkit makes the
//! processes for real, reads what the kernel did, and marks each answer with its reason.
//!
//! - [`fork`]: `quiz fork`, a random fork program ([`program`]), what it must do worked out by
//!   the [`model`] (counts, and which output orders are possible), and its real run ([`run`]).
//! - [`states`]: `quiz states`, a scenario from the lessons; the student predicts the `STAT`
//!   string, the toolkit creates exactly that process and reads its STAT from /proc.

pub mod fork;
pub mod model;
pub mod program;
pub mod run;
pub mod states;

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::time::Duration;

use crate::child::pipe::{LineReader, Next};

/// The student's answers, a line at a time, from stdin (a terminal or a pipe).
///
/// Read through the child module's [`LineReader`], not `stdin().lines()`: std retries a read that
/// Ctrl-C interrupted and would go on waiting, where this returns the interruption (exit 130).
struct Keyboard {
    lines: LineReader,
    /// Piped answers are echoed after their prompt, so the transcript reads as a dialogue.
    echo: bool,
}

impl Keyboard {
    fn new() -> anyhow::Result<Keyboard> {
        let stdin = std::io::stdin();
        let echo = !stdin.is_terminal();
        let file = std::fs::File::from(stdin.as_fd().try_clone_to_owned()?);
        Ok(Keyboard {
            lines: LineReader::new(file),
            echo,
        })
    }

    /// Show `prompt`, then the next line typed; `None` at the end of input.
    fn ask(&mut self, out: &mut dyn Write, prompt: &str) -> anyhow::Result<Option<String>> {
        write!(out, "{prompt}")?;
        out.flush()?;
        loop {
            match self.lines.next_line(Duration::from_secs(3600))? {
                Next::Line(line) => {
                    if self.echo {
                        writeln!(out, "{line}")?;
                    }
                    return Ok(Some(line));
                }
                Next::Eof => return Ok(None),
                Next::TimedOut => continue,
            }
        }
    }
}
