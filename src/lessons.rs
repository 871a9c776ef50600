//! The course lessons, embedded in the binary, and `toolkit lesson`.
//!
//! The lesson texts live in `lessons/zh/` and `lessons/en/` as Markdown, one file per lesson with the
//! same name in both languages. They are compiled in with `include_str!` so `toolkit lesson 3` works
//! on a machine that has only the binary. Every lesson has the same four level-2 sections, in order
//! ([`Section`]): the idea, the commands to run, what to look for, and questions with worked answers.
//! Keeping that shape fixed is what lets the program (and the tests) find a lesson's commands.
//!
//! Three things happen here:
//! - **listing and rendering**: Markdown is turned into terminal text by a small line-based renderer
//!   ([`render`]): headings bold and underlined, code blocks indented, inline code bold. Colour is
//!   decided by [`crate::output`] (a terminal, no `NO_COLOR`); without it the same layout comes out
//!   plain, so `toolkit lesson 3 | less` and `> file` read well too.
//! - **finding commands**: [`commands_to_run`] takes the `toolkit ...` lines of the code blocks in the
//!   "commands to run" section; [`quoted_commands`] finds every `toolkit ...` anywhere in the text, so
//!   the tests can check that each one still parses with the real CLI.
//! - **presenting** (`--run`): [`walk`] shows each command, waits for Enter (unless `--yes`), runs it
//!   and shows how it ended. Commands are parsed with the real command line parser first (main.rs hands
//!   it in as `classify`, since this module knows nothing of clap): the parse
//!   both rejects a stale command and tells which ones must not run here (`chat ...` waits for a
//!   terminal or serves forever, so it is shown as "run this in another terminal"). A command runs as
//!   `current_exe() --lang L <words...>`, with no shell in between, so what runs is exactly the
//!   lesson's words; `--lang` goes before the subcommand because `nice` takes everything after it.
//!   When stdin is not a terminal and `--yes` was not given there is no key to wait for, so the walk
//!   runs straight through and says so on stderr (a teacher's `toolkit lesson 3 --run < /dev/null`
//!   or a script does what it obviously means). Ctrl-C reaches the running command and this process
//!   alike (same foreground process group), which ends both; `status()` has reaped the child before
//!   we print its exit status, so no zombie is left behind.

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::Command as ProcessCommand;

use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, lessons as msg};
use crate::output::{self, Paint};

/// One lesson: its number, its file name (without `.md`) and its text in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    pub number: u32,
    pub slug: &'static str,
    zh: &'static str,
    en: &'static str,
}

macro_rules! lesson {
    ($number:literal, $slug:literal) => {
        Lesson {
            number: $number,
            slug: $slug,
            zh: include_str!(concat!("../lessons/zh/", $slug, ".md")),
            en: include_str!(concat!("../lessons/en/", $slug, ".md")),
        }
    };
}

/// The course, in the order of the notes.
pub const LESSONS: [Lesson; 14] = [
    lesson!(1, "01-multitasking"),
    lesson!(2, "02-program-and-process"),
    lesson!(3, "03-birth-of-a-process"),
    lesson!(4, "04-cpu-time-slice"),
    lesson!(5, "05-pcb"),
    lesson!(6, "06-pid-and-ps"),
    lesson!(7, "07-parents-and-children"),
    lesson!(8, "08-states"),
    lesson!(9, "09-priority-and-nice"),
    lesson!(10, "10-properties"),
    lesson!(11, "11-fork"),
    lesson!(12, "12-chatroom"),
    lesson!(13, "13-threads"),
    lesson!(14, "14-network"),
];

impl Lesson {
    /// The lesson with this number, if there is one.
    pub fn get(number: u32) -> Option<&'static Lesson> {
        LESSONS.iter().find(|l| l.number == number)
    }

    pub fn text(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }

    /// The lesson's `# ` heading.
    pub fn title(&self, lang: Lang) -> &'static str {
        self.text(lang)
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map_or(self.slug, str::trim)
    }
}

/// The four sections every lesson has, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Idea,
    Commands,
    LookFor,
    Questions,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Idea,
        Section::Commands,
        Section::LookFor,
        Section::Questions,
    ];

    /// The exact `## ` heading of the section in each language.
    pub fn heading(self, lang: Lang) -> &'static str {
        match self {
            Section::Idea => lang.pick("概念", "The idea"),
            Section::Commands => lang.pick("要运行的命令", "Commands to run"),
            Section::LookFor => lang.pick("在输出中看什么", "What to look for"),
            Section::Questions => lang.pick("问题与解答", "Questions and answers"),
        }
    }
}

/// The `## ` headings of a Markdown text, in order (code blocks excluded).
pub fn section_headings(text: &str) -> Vec<&str> {
    prose_lines(text)
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::trim)
        .collect()
}

/// The body of the section headed `## heading`: the lines up to the next `## ` heading.
pub fn section_body<'a>(text: &'a str, heading: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    let mut in_code = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && let Some(h) = trimmed.strip_prefix("## ") {
            if let Some(s) = start {
                return Some(&text[s..offset]);
            }
            if h.trim() == heading {
                start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    start.map(|s| &text[s..])
}

/// Lines outside fenced code blocks.
fn prose_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut in_code = false;
    text.lines().filter(move |l| {
        if l.trim_start().starts_with("```") {
            in_code = !in_code;
            false
        } else {
            !in_code
        }
    })
}

/// The words of a `toolkit ...` command line, without a trailing `  # comment`. A bare `toolkit`
/// is the program's name in a sentence, not a command.
fn command_words(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    if !line.starts_with("toolkit ") {
        return None;
    }
    let line = line.find(" #").map_or(line, |i| &line[..i]);
    Some(line.split_whitespace().map(str::to_string).collect())
}

/// The `toolkit ...` lines of the code blocks in the lesson's "commands to run" section.
pub fn commands_to_run(text: &str, lang: Lang) -> Vec<Vec<String>> {
    let Some(body) = section_body(text, Section::Commands.heading(lang)) else {
        return Vec::new();
    };
    let mut in_code = false;
    let mut commands = Vec::new();
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code && let Some(words) = command_words(line) {
            commands.push(words);
        }
    }
    commands
}

/// Every `toolkit ...` command quoted anywhere in the text: in code blocks and in inline code.
pub fn quoted_commands(text: &str) -> Vec<Vec<String>> {
    let mut in_code = false;
    let mut commands = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            commands.extend(command_words(line));
        } else {
            commands.extend(
                inline_code_spans(line)
                    .into_iter()
                    .filter_map(command_words),
            );
        }
    }
    commands
}

/// The contents of the `inline code` spans of a line (none if the backticks are unbalanced).
fn inline_code_spans(line: &str) -> Vec<&str> {
    let parts: Vec<&str> = line.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return Vec::new();
    }
    parts.into_iter().skip(1).step_by(2).collect()
}

/// `inline code`, `**strong**` and `*emphasis*` in one line of Markdown. With colour: code and
/// strong text bold, emphasis italic, markers dropped. Without colour: the `*` markers are dropped
/// (there is no bold to show) and code keeps its backticks, the plain-text way of marking a
/// command. Strong text may contain code (`**the `l` in STAT**`); markers inside code are literal;
/// a line whose markers do not pair up is left as typed.
fn render_inline(line: &str, paint: Paint) -> String {
    let segments: Vec<&str> = line.split('`').collect();
    if segments.len().is_multiple_of(2) {
        return line.to_string();
    }
    // The markers of the text segments (even indices) must pair up: `**`, then single `*`.
    let text = || segments.iter().step_by(2);
    let strong_markers: usize = text().map(|t| t.matches("**").count()).sum();
    let emphasis_markers: usize = text()
        .map(|t| t.replace("**", "").matches('*').count())
        .sum();
    if !strong_markers.is_multiple_of(2) || !emphasis_markers.is_multiple_of(2) {
        return line.to_string();
    }
    let (mut strong, mut emphasis) = (false, false);
    let style = |text: &str, strong: bool, emphasis: bool| -> String {
        match (strong, emphasis) {
            (true, _) => paint.bold(text),
            (false, true) => paint.italic(text),
            (false, false) => text.to_string(),
        }
    };
    let mut out = String::with_capacity(line.len());
    for (i, segment) in segments.iter().enumerate() {
        if i % 2 == 1 {
            let code = if paint.enabled {
                segment.to_string()
            } else {
                format!("`{segment}`")
            };
            out.push_str(&if paint.enabled {
                paint.bold(&code)
            } else {
                code
            });
            continue;
        }
        for (j, piece) in segment.split("**").enumerate() {
            if j > 0 {
                strong = !strong;
            }
            for (k, part) in piece.split('*').enumerate() {
                if k > 0 {
                    emphasis = !emphasis;
                }
                if !part.is_empty() {
                    out.push_str(&style(part, strong, emphasis));
                }
            }
        }
    }
    out
}

/// Markdown as terminal text: headings underlined (and bold with colour), code blocks indented by
/// four spaces without their fences (commands green, comments dim with colour), tables aligned.
pub fn render(text: &str, paint: Paint) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let mut in_code = false;
    let mut table: Vec<&str> = Vec::new();
    for line in text.lines() {
        if !in_code && line.starts_with('|') {
            table.push(line);
            continue;
        }
        if !table.is_empty() {
            render_table(&table, paint, &mut out);
            table.clear();
        }
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            let shown = if command_words(line).is_some() {
                paint.green(line)
            } else if line.trim_start().starts_with('#') {
                paint.dim(line)
            } else {
                line.to_string()
            };
            out.push_str("    ");
            out.push_str(&shown);
        } else if let Some(h) = line.strip_prefix("# ").or_else(|| line.strip_prefix("## ")) {
            let rule = if line.starts_with("# ") { "=" } else { "-" };
            let h = h.trim();
            out.push_str(&paint.bold(h));
            out.push('\n');
            out.push_str(&paint.dim(&rule.repeat(output::display_width(h))));
        } else {
            out.push_str(&render_inline(line, paint));
        }
        out.push('\n');
    }
    if !table.is_empty() {
        render_table(&table, paint, &mut out);
    }
    out
}

/// A Markdown table as aligned columns, indented by two spaces; the `|---|` row becomes a rule.
fn render_table(rows: &[&str], paint: Paint, out: &mut String) {
    let cells: Vec<Vec<&str>> = rows
        .iter()
        .map(|row| {
            row.trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect()
        })
        .collect();
    let is_rule = |row: &Vec<&str>| {
        row.iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
    };
    // What a reader sees of a cell: with colour the markers are replaced by bold; without, only
    // the backticks stay.
    let visible = |cell: &str| -> String {
        if paint.enabled {
            cell.replace('`', "").replace("**", "")
        } else {
            cell.replace("**", "")
        }
    };
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in cells.iter().filter(|r| !is_rule(r)) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(output::display_width(&visible(cell)));
        }
    }
    for (n, row) in cells.iter().enumerate() {
        out.push_str("  ");
        if is_rule(row) {
            let total = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
            out.push_str(&paint.dim(&"-".repeat(total)));
        } else {
            let shown: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let pad = " ".repeat(widths[i] - output::display_width(&visible(cell)));
                    let text = if n == 0 {
                        paint.bold(&visible(cell))
                    } else {
                        render_inline(cell, paint)
                    };
                    format!("{text}{pad}")
                })
                .collect();
            out.push_str(shown.join("  ").trim_end());
        }
        out.push('\n');
    }
}

/// What `--run` does with one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Safe to run here, in this terminal, to completion.
    Run,
    /// Needs a terminal of its own or runs until stopped: show it, don't run it.
    AnotherTerminal,
    /// The real CLI rejects it (a stale lesson): show why, don't run it.
    DoesNotParse(String),
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    Signalled(i32),
}

impl Outcome {
    fn success(self) -> bool {
        self == Outcome::Exited(0)
    }
}

/// Whether `--run` waits for Enter before each command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    BeforeEach,
    Never,
}

/// What a walk did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub ran: usize,
    pub failed: usize,
    pub elsewhere: usize,
    pub skipped: usize,
    pub stopped: bool,
}

/// How a walk presents: whether it waits, in which language, with which colours.
#[derive(Debug, Clone, Copy)]
pub struct Presentation {
    pub pause: Pause,
    pub lang: Lang,
    pub paint: Paint,
}

/// Present `commands` one by one: show each, maybe wait for a key, run it with `runner`, show how
/// it ended. `input` is read only when pausing; end of input stops the walk like `q`.
pub fn walk(
    commands: &[Vec<String>],
    classify: &dyn Fn(&[String]) -> Step,
    Presentation { pause, lang, paint }: Presentation,
    input: &mut impl BufRead,
    out: &mut impl Write,
    mut runner: impl FnMut(&[String]) -> io::Result<Outcome>,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    let total = commands.len();
    for (i, words) in commands.iter().enumerate() {
        let shown = words.join(" ");
        writeln!(out)?;
        writeln!(out, "[{}/{total}] $ {}", i + 1, paint.green(&shown))?;
        match classify(words) {
            Step::AnotherTerminal => {
                writeln!(out, "    {}", msg::another_terminal(lang))?;
                tally.elsewhere += 1;
                continue;
            }
            Step::DoesNotParse(why) => {
                writeln!(out, "    {}", paint.red(&msg::does_not_parse(lang, &why)))?;
                tally.failed += 1;
                continue;
            }
            Step::Run => {}
        }
        if pause == Pause::BeforeEach {
            write!(out, "    {}", msg::prompt(lang))?;
            out.flush()?;
            let mut answer = String::new();
            if input.read_line(&mut answer)? == 0 {
                writeln!(out)?;
                tally.stopped = true;
                break;
            }
            match answer.trim().to_lowercase().as_str() {
                "q" => {
                    tally.stopped = true;
                    break;
                }
                "s" => {
                    writeln!(out, "    {}", msg::skipped(lang))?;
                    tally.skipped += 1;
                    continue;
                }
                _ => {}
            }
        }
        // The child writes to the same stdout: what we printed must be out first.
        out.flush()?;
        tally.ran += 1;
        let ending = match runner(words) {
            Ok(outcome) => {
                if !outcome.success() {
                    tally.failed += 1;
                }
                let text = match outcome {
                    Outcome::Exited(code) => msg::exit_status(lang, code),
                    Outcome::Signalled(sig) => msg::killed_by_signal(lang, sig),
                };
                if outcome.success() {
                    paint.green(&text)
                } else {
                    paint.red(&text)
                }
            }
            Err(e) => {
                tally.failed += 1;
                paint.red(&msg::cannot_start(lang, &e.to_string()))
            }
        };
        writeln!(out, "    → {ending}")?;
    }
    Ok(tally)
}

/// Run one lesson command as a child of this process: this same binary, no shell.
fn run_child(words: &[String], lang: Lang) -> io::Result<Outcome> {
    use std::os::unix::process::ExitStatusExt;
    let exe = std::env::current_exe()?;
    let status = ProcessCommand::new(exe)
        .arg("--lang")
        .arg(lang.pick("zh", "en"))
        .args(&words[1..])
        .status()?;
    Ok(match status.code() {
        Some(code) => Outcome::Exited(code),
        None => Outcome::Signalled(status.signal().unwrap_or(0)),
    })
}

/// What `toolkit lesson` was asked to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The lesson to show (`None`: list them).
    pub number: Option<u32>,
    /// Present it: run its commands one by one.
    pub run: bool,
    /// With `run`: don't wait for a key between commands.
    pub yes: bool,
}

/// `toolkit lesson [N] [--run [--yes]]`. `classify` decides, with the real command line parser
/// (which this module does not know), what `--run` may do with each command.
pub fn run(args: Options, classify: &dyn Fn(&[String]) -> Step, lang: Lang) -> CmdResult {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let paint = Paint::for_stdout();
    let Some(number) = args.number else {
        let mut table = output::table(msg::list_headers(lang));
        for lesson in &LESSONS {
            table.add_row([lesson.number.to_string(), lesson.title(lang).to_string()]);
        }
        output::write_table(&mut out, &table)?;
        writeln!(out, "{}", msg::list_hint(lang))?;
        return Ok(0);
    };
    let Some(lesson) = Lesson::get(number) else {
        return Err(Failure::new(1, msg::no_such_lesson(lang, number, LESSONS.len())).into());
    };
    let text = lesson.text(lang);
    if !args.run {
        writeln!(
            out,
            "{}",
            paint.dim(&msg::lesson_of(lang, number, LESSONS.len()))
        )?;
        write!(out, "{}", render(text, paint))?;
        return Ok(0);
    }

    let commands = commands_to_run(text, lang);
    let pause = if args.yes {
        Pause::Never
    } else if io::stdin().is_terminal() {
        Pause::BeforeEach
    } else {
        eprintln!("{}", msg::stdin_not_a_terminal(lang));
        Pause::Never
    };
    writeln!(
        out,
        "{}",
        paint.bold(&msg::walk_intro(
            lang,
            number,
            lesson.title(lang),
            commands.len()
        ))
    )?;
    // The whole lesson, in its order: the idea, the commands (each run after Enter), what to
    // look for, then the questions with their answers revealed one at a time.
    let section = |s: Section| {
        let heading = s.heading(lang);
        section_body(text, heading).map(|body| render(&format!("## {heading}\n{body}"), paint))
    };
    if let Some(idea) = section(Section::Idea) {
        writeln!(out)?;
        write!(out, "{idea}")?;
    }
    if let Some(commands_text) = section(Section::Commands) {
        writeln!(out)?;
        write!(out, "{commands_text}")?;
    }
    let mut input = io::stdin().lock();
    let tally = walk(
        &commands,
        classify,
        Presentation { pause, lang, paint },
        &mut input,
        &mut out,
        |words| run_child(words, lang),
    )?;
    writeln!(out)?;
    if tally.stopped {
        writeln!(out, "{}", msg::stopped_early(lang))?;
    }
    writeln!(
        out,
        "{}",
        msg::summary(
            lang,
            tally.ran,
            tally.failed,
            tally.elsewhere,
            tally.skipped
        )
    )?;
    if !tally.stopped {
        if let Some(look_for) = section(Section::LookFor) {
            writeln!(out)?;
            write!(out, "{look_for}")?;
        }
        let heading = Section::Questions.heading(lang);
        if let Some(body) = section_body(text, heading) {
            writeln!(out)?;
            write!(out, "{}", render(&format!("## {heading}"), paint))?;
            reveal(
                &questions(body),
                Presentation { pause, lang, paint },
                &mut input,
                &mut out,
            )?;
        }
    }
    Ok(if tally.failed > 0 { 1 } else { 0 })
}

/// The questions of a "Questions and answers" section: each paragraph is a question in bold (it
/// may wrap over several lines), then its answer.
pub fn questions(body: &str) -> Vec<(String, String)> {
    body.split("\n\n")
        .filter_map(|paragraph| {
            let rest = paragraph.trim().strip_prefix("**")?;
            let (question, answer) = rest.split_once("**")?;
            let question = question.trim();
            (!question.is_empty()).then(|| (question.to_string(), answer.trim().to_string()))
        })
        .collect()
}

/// Show each question, wait for Enter (when pausing), then its answer. `q` or the end of input
/// stops; returns whether it stopped early.
pub fn reveal(
    questions: &[(String, String)],
    Presentation { pause, lang, paint }: Presentation,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> io::Result<bool> {
    for (question, answer) in questions {
        writeln!(out)?;
        for line in question.lines() {
            writeln!(out, "{}", paint.bold(&render_inline(line, paint)))?;
        }
        if pause == Pause::BeforeEach {
            write!(out, "    {}", msg::answer_prompt(lang))?;
            out.flush()?;
            let mut typed = String::new();
            if input.read_line(&mut typed)? == 0 || typed.trim().eq_ignore_ascii_case("q") {
                writeln!(out)?;
                return Ok(true);
            }
        }
        for line in answer.lines() {
            writeln!(out, "{}", render_inline(line, paint))?;
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    const PLAIN: Paint = Paint { enabled: false };

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn numbers_are_one_to_n_and_slugs_carry_them() {
        for (i, lesson) in LESSONS.iter().enumerate() {
            assert_eq!(lesson.number as usize, i + 1);
            assert!(lesson.slug.starts_with(&format!("{:02}-", i + 1)));
        }
        assert!(Lesson::get(0).is_none());
        assert!(Lesson::get(LESSONS.len() as u32 + 1).is_none());
    }

    #[test]
    fn every_lesson_has_a_title_and_the_four_sections_in_both_languages() {
        for lesson in &LESSONS {
            for lang in [Lang::Zh, Lang::En] {
                let text = lesson.text(lang);
                assert!(text.starts_with("# "), "{} {lang:?}: no title", lesson.slug);
                let want: Vec<&str> = Section::ALL.iter().map(|s| s.heading(lang)).collect();
                assert_eq!(section_headings(text), want, "{} {lang:?}", lesson.slug);
            }
        }
    }

    #[test]
    fn both_languages_run_the_same_commands() {
        for lesson in &LESSONS {
            let zh = commands_to_run(lesson.zh, Lang::Zh);
            assert!(!zh.is_empty(), "{}: no command to run", lesson.slug);
            assert_eq!(zh, commands_to_run(lesson.en, Lang::En), "{}", lesson.slug);
        }
    }

    #[test]
    fn commands_come_from_code_blocks_of_the_commands_section_only() {
        let text = "# T\n## The idea\n```\ntoolkit ps\n```\n## Commands to run\nsee `toolkit pcb`\n```\n# a comment\ntoolkit ps -p 1   # pid 1\n\ntoolkit stat-codes\n```\n## What to look for\n```\ntoolkit states\n```\n";
        assert_eq!(
            commands_to_run(text, Lang::En),
            [words("toolkit ps -p 1"), words("toolkit stat-codes")]
        );
        let quoted: Vec<String> = quoted_commands(text).iter().map(|w| w.join(" ")).collect();
        assert_eq!(
            quoted,
            [
                "toolkit ps",
                "toolkit pcb",
                "toolkit ps -p 1",
                "toolkit stat-codes",
                "toolkit states"
            ]
        );
    }

    #[test]
    fn section_body_stops_at_the_next_section_but_not_inside_code() {
        let text = "## A\none\n```\n## not a heading\n```\n## B\ntwo\n";
        assert_eq!(
            section_body(text, "A"),
            Some("one\n```\n## not a heading\n```\n")
        );
        assert_eq!(section_body(text, "B"), Some("two\n"));
        assert_eq!(section_body(text, "C"), None);
        assert_eq!(section_headings(text), ["A", "B"]);
    }

    #[test]
    fn plain_rendering_has_no_escapes_and_indents_code() {
        let text = "# 进程\n## Idea\nuse `toolkit ps`\n```\ntoolkit ps\n```\n";
        let shown = render(text, PLAIN);
        assert!(!shown.contains('\x1b'));
        assert!(!shown.contains("```"));
        assert!(shown.contains("进程\n====\n"));
        assert!(shown.contains("Idea\n----\n"));
        assert!(shown.contains("use `toolkit ps`\n"));
        // Without colour, bold markers go (there is no bold to show), code keeps its backticks.
        assert_eq!(render("a **b** `c**d**`\n", PLAIN), "a b `c**d**`\n");
        assert_eq!(
            render("- **STAT 的 `l`。** *副本*\n", PLAIN),
            "- STAT 的 `l`。 副本\n"
        );
        // Markers that do not pair up are text.
        assert_eq!(render("2 * 3 = 6\n", PLAIN), "2 * 3 = 6\n");
        assert!(shown.contains("\n    toolkit ps\n"));
    }

    #[test]
    fn every_lesson_has_questions_each_with_an_answer() {
        for lesson in &LESSONS {
            for lang in [Lang::Zh, Lang::En] {
                let body =
                    section_body(lesson.text(lang), Section::Questions.heading(lang)).unwrap();
                let qs = questions(body);
                let paragraphs = body.split("\n\n").filter(|p| !p.trim().is_empty()).count();
                assert!(qs.len() >= 2, "{} {lang:?}", lesson.slug);
                assert_eq!(
                    qs.len(),
                    paragraphs,
                    "{} {lang:?}: a paragraph is not a question",
                    lesson.slug
                );
                assert!(
                    qs.iter().all(|(_, a)| !a.is_empty()),
                    "{} {lang:?}",
                    lesson.slug
                );
            }
        }
    }

    #[test]
    fn questions_are_revealed_one_at_a_time() {
        let body = "\n**Q: One?**\nA: First.\nMore.\n\n**问：二？**\n答：第二。\n\n**Q: Long\nquestion?**\nA: Yes.";
        let qs = questions(body);
        assert_eq!(
            qs,
            [
                ("Q: One?".to_string(), "A: First.\nMore.".to_string()),
                ("问：二？".to_string(), "答：第二。".to_string()),
                ("Q: Long\nquestion?".to_string(), "A: Yes.".to_string())
            ]
        );
        let show = |typed: &str| {
            let mut out = Vec::new();
            let stopped = reveal(
                &qs,
                Presentation {
                    pause: Pause::BeforeEach,
                    lang: Lang::En,
                    paint: PLAIN,
                },
                &mut Cursor::new(typed.as_bytes().to_vec()),
                &mut out,
            )
            .unwrap();
            (stopped, String::from_utf8(out).unwrap())
        };
        let (stopped, all) = show("\n\n\n");
        assert!(!stopped);
        assert!(all.contains("Q: One?\n") && all.contains("A: First.\nMore.\n"));
        assert!(all.contains("答：第二。"));
        // q after the first question: its answer is not shown, nor anything after it.
        let (stopped, first) = show("q\n");
        assert!(stopped);
        assert!(first.contains("Q: One?") && !first.contains("A: First."));
        assert!(!first.contains("问：二？"));
    }

    #[test]
    fn tables_are_aligned_with_a_rule_under_the_header() {
        let text = "before\n| a | 进程 |\n|---|---|\n| `R` | x |\nafter\n";
        assert_eq!(
            render(text, PLAIN),
            "before\n  a    进程\n  ---------\n  `R`  x\nafter\n"
        );
        let shown = render(text, Paint { enabled: true });
        assert!(shown.contains("  \x1b[1mR\x1b[0m  x\n"), "{shown:?}");
    }

    #[test]
    fn coloured_rendering_makes_headings_and_inline_code_bold() {
        let shown = render("# T\nuse `ps` **now**\n", Paint { enabled: true });
        assert!(shown.contains("\x1b[1mT\x1b[0m"));
        assert!(shown.contains("use \x1b[1mps\x1b[0m \x1b[1mnow\x1b[0m"));
        // Inside code, `**` is literal.
        let shown = render("`a**b**c`\n", Paint { enabled: true });
        assert_eq!(shown, "\x1b[1ma**b**c\x1b[0m\n");
    }

    /// Stands in for the real parser (main.rs has it, and tests it): chat commands go to another
    /// terminal, an unknown flag does not parse.
    fn classify(words: &[String]) -> Step {
        if words.get(1).map(String::as_str) == Some("chat") {
            Step::AnotherTerminal
        } else if words.iter().any(|w| w == "--no-such-flag") {
            Step::DoesNotParse("unexpected argument '--no-such-flag'".into())
        } else {
            Step::Run
        }
    }

    fn walk_with(
        lines: &[&str],
        pause: Pause,
        answers: &str,
        outcome: Outcome,
    ) -> (Tally, Vec<String>, String) {
        let commands: Vec<Vec<String>> = lines.iter().map(|l| words(l)).collect();
        let mut ran = Vec::new();
        let mut out = Vec::new();
        let tally = walk(
            &commands,
            &classify,
            Presentation {
                pause,
                lang: Lang::En,
                paint: PLAIN,
            },
            &mut Cursor::new(answers.as_bytes()),
            &mut out,
            |w| {
                ran.push(w.join(" "));
                Ok(outcome)
            },
        )
        .unwrap();
        (tally, ran, String::from_utf8(out).unwrap())
    }

    #[test]
    fn walk_runs_everything_without_pauses_but_never_the_chat() {
        let (tally, ran, out) = walk_with(
            &["toolkit ps", "toolkit chat server", "toolkit stat-codes"],
            Pause::Never,
            "",
            Outcome::Exited(0),
        );
        assert_eq!(ran, ["toolkit ps", "toolkit stat-codes"]);
        assert_eq!(
            tally,
            Tally {
                ran: 2,
                elsewhere: 1,
                ..Tally::default()
            }
        );
        assert!(out.contains("[2/3] $ toolkit chat server\n    run this in another terminal"));
        assert!(out.contains("[3/3] $ toolkit stat-codes\n    → exit status 0\n"));
        assert!(!out.contains("Enter to run"));
    }

    #[test]
    fn walk_waits_and_obeys_skip_and_quit() {
        let (tally, ran, out) = walk_with(
            &[
                "toolkit ps",
                "toolkit pcb",
                "toolkit states",
                "toolkit stat-codes",
            ],
            Pause::BeforeEach,
            "\ns\nq\n",
            Outcome::Exited(0),
        );
        assert_eq!(ran, ["toolkit ps"]);
        assert_eq!(tally.skipped, 1);
        assert!(tally.stopped);
        assert_eq!(out.matches("Enter to run, s to skip, q to quit").count(), 3);
    }

    #[test]
    fn walk_stops_at_end_of_input_and_counts_failures() {
        let (tally, ran, out) = walk_with(
            &["toolkit ps", "toolkit pcb"],
            Pause::BeforeEach,
            "\n",
            Outcome::Exited(1),
        );
        assert_eq!(ran, ["toolkit ps"]);
        assert_eq!(tally.failed, 1);
        assert!(tally.stopped);
        assert!(out.contains("→ exit status 1"));

        let (tally, _, out) = walk_with(&["toolkit ps"], Pause::Never, "", Outcome::Signalled(9));
        assert_eq!(tally.failed, 1);
        assert!(out.contains("→ killed by signal 9"));
    }
}
