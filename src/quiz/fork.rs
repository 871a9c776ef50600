//! `toolkit quiz fork`: predict what a fork program does, then watch the kernel do it.
//!
//! 1. A program is drawn from the seed ([`Program::generate`]) and shown in Python (or C).
//! 2. The student predicts: how many processes, how many lines, which of the shown outputs are
//!    possible. The answers are worked out by the [`Model`], never by running the program.
//! 3. The program runs for real ([`run::run`]): the real tree, the real output order.
//! 4. Each answer is marked, with the reason (`2^n`, the lines each print makes, why an order is
//!    impossible: a line printed before the fork, or a `waitpid`).

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::model::{Because, Impossible, Model};
use super::program::{Code, Program, Stmt};
use super::run::{self, RealRun, RunError};
use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, quiz as t};
use crate::inspect::ps_tree::{self, Node};
use crate::output::Paint;
use crate::picture::tree::{TreeBox, TreePicture};

/// What `toolkit quiz fork` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// `None`: a fresh seed (shown, so the same program can be asked again).
    pub seed: Option<u64>,
    pub level: u8,
    pub code: Code,
    /// `processes=8,lines=12,orders=ac`, instead of asking.
    pub answer: Option<String>,
    pub json: bool,
    pub export: Option<PathBuf>,
    pub svg: Option<PathBuf>,
    pub dot: bool,
    pub ascii: bool,
}

/// One of the outputs offered in the multiple-choice question.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub letter: char,
    /// The lines, in order (each line is one label).
    pub output: String,
    pub possible: bool,
    /// Why it is impossible (`None` when possible).
    pub why: Option<String>,
}

/// The student's answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Answers {
    pub processes: Option<usize>,
    pub lines: Option<usize>,
    /// The letters of the outputs the student thinks possible.
    pub orders: Option<Vec<char>>,
}

/// One answer, marked.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    pub question: &'static str,
    pub given: String,
    pub expected: String,
    pub right: bool,
    pub why: String,
}

/// `--json`: the whole quiz in one document.
#[derive(Debug, Serialize)]
struct Report<'a> {
    seed: u64,
    level: u8,
    code: &'static str,
    program: String,
    expected: Expected<'a>,
    answers: Option<&'a Answers>,
    marks: &'a [Mark],
    run: JsonRun,
}

#[derive(Debug, Serialize)]
struct Expected<'a> {
    processes: usize,
    lines: usize,
    choices: &'a [Choice],
}

#[derive(Debug, Serialize)]
struct JsonRun {
    processes: Vec<JsonProcess>,
    output: Vec<JsonLine>,
    /// Whether the model accepts the order the run printed (always true, or the model is wrong).
    output_possible: bool,
}

#[derive(Debug, Serialize)]
struct JsonProcess {
    pid: i32,
    ppid: i32,
    printed: String,
}

#[derive(Debug, Serialize)]
struct JsonLine {
    pid: i32,
    label: char,
}

pub fn run(opts: &Options, lang: Lang) -> CmdResult {
    crate::child::interrupt::install();
    let seed = opts.seed.unwrap_or_else(|| fastrand::u64(..1_000_000));
    let program = Program::generate(seed, opts.level);
    let model = Model::of(&program).map_err(|_| Failure::new(1, t::too_big(lang)))?;
    let choices = choices(&model, seed, lang);
    let given = match &opts.answer {
        Some(text) => {
            Some(parse_answers(text, &choices).map_err(|e| Failure::new(2, e.say(lang)))?)
        }
        None => None,
    };
    let source = program.source(opts.code, lang);
    if let Some(path) = &opts.export {
        std::fs::write(path, &source).map_err(|e| {
            Failure::new(1, t::export_failed(lang, &path.display().to_string(), &e))
        })?;
    }
    let mut out = io::stdout().lock();
    let paint = Paint::for_stdout();
    let text = !opts.json && !opts.dot;
    let answers = if text {
        show_questions(&mut out, paint, &program, &source, &choices, opts, lang)?;
        match given {
            Some(a) => Some(a),
            None => ask(&mut out, &choices, lang)?,
        }
    } else {
        given
    };
    let real = run::run(&program).map_err(|e| match e {
        // Ctrl-C (exit 130), a failed fork explained with its errno.
        RunError::Child(child) => crate::demos::show::explain_fork_error(child, lang),
        other => Failure::new(1, t::run_failed(lang, &other.to_string())).into(),
    })?;
    let real_order: Vec<char> = real.output.iter().map(|l| l.label).collect();
    let output_possible = model.check(&real_order).is_ok();
    let marks = answers
        .as_ref()
        .map(|a| mark(a, &program, &model, &choices, lang))
        .unwrap_or_default();
    if let Some(path) = &opts.svg {
        let svg = crate::picture::tree::tree_svg(&picture(&real, lang));
        crate::output::write_picture(path, &svg, lang)?;
    }
    if opts.dot {
        out.write_all(crate::picture::tree::tree_dot(&picture(&real, lang)).as_bytes())?;
        return Ok(0);
    }
    if opts.json {
        let report = Report {
            seed,
            level: program.level,
            code: match opts.code {
                Code::Python => "python",
                Code::C => "c",
            },
            program: source,
            expected: Expected {
                processes: model.process_count(),
                lines: model.line_count(),
                choices: &choices,
            },
            answers: answers.as_ref(),
            marks: &marks,
            run: JsonRun {
                processes: real
                    .processes
                    .iter()
                    .map(|p| JsonProcess {
                        pid: p.pid,
                        ppid: p.ppid,
                        printed: p.printed.iter().collect(),
                    })
                    .collect(),
                output: real
                    .output
                    .iter()
                    .map(|l| JsonLine {
                        pid: l.pid,
                        label: l.label,
                    })
                    .collect(),
                output_possible,
            },
        };
        crate::output::write_json(&mut out, &report)?;
        return Ok(0);
    }
    show_run(&mut out, paint, &real, &model, output_possible, opts, lang)?;
    show_marks(&mut out, paint, &marks, lang)?;
    if let Some(path) = &opts.export {
        writeln!(
            out,
            "{}",
            t::exported(lang, &path.display().to_string(), opts.code == Code::C)
        )?;
    }
    if let Some(path) = &opts.svg {
        writeln!(
            out,
            "{}",
            crate::i18n::picture::written(lang, &path.display().to_string())
        )?;
    }
    Ok(0)
}

/// Up to four outputs: two possible (drawn as the scheduler might), two impossible (a possible
/// one with two lines swapped so that an order the program enforces is broken), in random order.
pub fn choices(model: &Model, seed: u64, lang: Lang) -> Vec<Choice> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed_0fc4_01ce);
    let mut possible: Vec<Vec<char>> = Vec::new();
    for _ in 0..40 {
        let order = model.random_order(&mut rng);
        if !possible.contains(&order) {
            possible.push(order);
        }
        if possible.len() == 2 {
            break;
        }
    }
    let mut impossible: Vec<(Vec<char>, Impossible)> = Vec::new();
    for _ in 0..200 {
        if impossible.len() == 2 {
            break;
        }
        let mut order = model.random_order(&mut rng);
        let (i, j) = (rng.usize(..order.len()), rng.usize(..order.len()));
        if order[i] == order[j] {
            continue;
        }
        order.swap(i, j);
        if let Err(why) = model.check(&order)
            && !impossible.iter().any(|(o, _)| *o == order)
        {
            impossible.push((order, why));
        }
    }
    let mut all: Vec<(Vec<char>, Option<Impossible>)> = possible
        .into_iter()
        .map(|o| (o, None))
        .chain(impossible.into_iter().map(|(o, w)| (o, Some(w))))
        .collect();
    rng.shuffle(&mut all);
    all.into_iter()
        .enumerate()
        .map(|(k, (order, why))| Choice {
            letter: char::from(b'a' + k as u8),
            output: order.iter().collect(),
            possible: why.is_none(),
            why: why.map(|w| explain_impossible(&w, lang)),
        })
        .collect()
}

fn explain_impossible(why: &Impossible, lang: Lang) -> String {
    let line = why.position + 1;
    let list = t::one_of(lang, &why.blocked_by);
    match why.because {
        Because::TooMany => t::too_many_of(lang, why.label),
        Because::SameProcess => t::impossible_same_process(lang, line, why.label, &list),
        Because::BeforeFork => t::impossible_before_fork(lang, line, why.label, &list),
        Because::Wait => t::impossible_wait(lang, line, why.label, &list),
    }
}

/// A problem with `--answer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    UnknownKey(String),
    NotANumber(String),
    UnknownChoice(char),
}

impl AnswerError {
    fn say(&self, lang: Lang) -> String {
        match self {
            AnswerError::UnknownKey(k) => t::answer_unknown_key(lang, k),
            AnswerError::NotANumber(v) => t::answer_not_a_number(lang, v),
            AnswerError::UnknownChoice(c) => t::answer_unknown_choice(lang, *c),
        }
    }
}

/// `processes=8,lines=12,orders=ac` (any subset, any order; `orders=none` or `orders=` for "none
/// is possible"). `p`, `l`, `o` are short for the three keys.
pub fn parse_answers(text: &str, choices: &[Choice]) -> Result<Answers, AnswerError> {
    let mut answers = Answers::default();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let number = || {
            value
                .trim()
                .parse::<usize>()
                .map_err(|_| AnswerError::NotANumber(value.to_string()))
        };
        match key.trim() {
            "processes" | "p" => answers.processes = Some(number()?),
            "lines" | "l" => answers.lines = Some(number()?),
            "orders" | "o" => answers.orders = Some(parse_letters(value, choices)?),
            other => return Err(AnswerError::UnknownKey(other.to_string())),
        }
    }
    Ok(answers)
}

fn parse_letters(value: &str, choices: &[Choice]) -> Result<Vec<char>, AnswerError> {
    let value = value.trim();
    if value == "none" || value == "无" {
        return Ok(Vec::new());
    }
    let mut letters = Vec::new();
    for c in value.chars().filter(|c| !c.is_whitespace() && *c != ' ') {
        let c = c.to_ascii_lowercase();
        if !choices.iter().any(|ch| ch.letter == c) {
            return Err(AnswerError::UnknownChoice(c));
        }
        if !letters.contains(&c) {
            letters.push(c);
        }
    }
    letters.sort();
    Ok(letters)
}

/// Mark each answer given.
pub fn mark(
    answers: &Answers,
    program: &Program,
    model: &Model,
    choices: &[Choice],
    lang: Lang,
) -> Vec<Mark> {
    let mut marks = Vec::new();
    if let Some(n) = answers.processes {
        let forks: usize = model.processes.iter().map(|p| p.forks).sum();
        marks.push(Mark {
            question: "processes",
            given: n.to_string(),
            expected: model.process_count().to_string(),
            right: n == model.process_count(),
            why: t::why_processes(
                lang,
                model.process_count(),
                forks,
                straight_forks(program, model),
            ),
        });
    }
    if let Some(n) = answers.lines {
        let parts: Vec<String> = model
            .label_counts()
            .iter()
            .map(|(c, k)| format!("{c}×{k}"))
            .collect();
        marks.push(Mark {
            question: "lines",
            given: n.to_string(),
            expected: model.line_count().to_string(),
            right: n == model.line_count(),
            why: t::why_lines(lang, &parts.join(" + "), model.line_count()),
        });
    }
    if let Some(letters) = &answers.orders {
        let expected: Vec<char> = choices
            .iter()
            .filter(|c| c.possible)
            .map(|c| c.letter)
            .collect();
        let reasons: Vec<String> = choices
            .iter()
            .map(|c| match &c.why {
                None => format!("{}) {}", c.letter, t::possible(lang)),
                Some(why) => format!("{}) {why}", c.letter),
            })
            .collect();
        marks.push(Mark {
            question: "orders",
            given: letters_text(letters, lang),
            expected: letters_text(&expected, lang),
            right: *letters == expected,
            why: reasons.join("\n"),
        });
    }
    marks
}

fn letters_text(letters: &[char], lang: Lang) -> String {
    if letters.is_empty() {
        t::none(lang).to_string()
    } else {
        letters.iter().collect()
    }
}

/// When no process takes a branch or exits early, every process runs every fork after the one
/// that made it, so each fork doubles the processes: the number of forks `n` (total `2^n`).
fn straight_forks(program: &Program, model: &Model) -> Option<u32> {
    fn straight(block: &[Stmt]) -> bool {
        block.iter().all(|s| match s {
            Stmt::Print(_) | Stmt::Fork => true,
            Stmt::Loop { body, .. } => straight(body),
            Stmt::ForkIf { .. } | Stmt::Wait { .. } | Stmt::Exit => false,
        })
    }
    straight(&program.body).then_some(model.processes[0].forks as u32)
}

fn show_questions(
    out: &mut impl Write,
    paint: Paint,
    program: &Program,
    source: &str,
    choices: &[Choice],
    opts: &Options,
    lang: Lang,
) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        paint.bold(&t::heading(lang, program.seed, program.level))
    )?;
    writeln!(out)?;
    for line in source.lines() {
        writeln!(out, "    {line}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", t::question_processes(lang))?;
    writeln!(out, "{}", t::question_lines(lang))?;
    writeln!(out, "{}", t::question_orders(lang))?;
    for c in choices {
        let lines: Vec<String> = c.output.chars().map(String::from).collect();
        writeln!(out, "    {}) {}", c.letter, lines.join(" "))?;
    }
    if opts.answer.is_none() {
        writeln!(out, "{}", t::how_to_answer(lang))?;
    }
    writeln!(out)
}

/// Ask the three questions on stdin (a terminal or a pipe). `None` when stdin ends first: the
/// quiz then only shows the answers.
fn ask(out: &mut impl Write, choices: &[Choice], lang: Lang) -> anyhow::Result<Option<Answers>> {
    let mut keyboard = super::Keyboard::new()?;
    let mut answers = Answers::default();
    let mut read = |prompt: &str, out: &mut dyn Write| keyboard.ask(out, prompt);
    loop {
        let Some(line) = read(&t::prompt_processes(lang), out)? else {
            return Ok(None);
        };
        match line.trim().parse() {
            Ok(n) => {
                answers.processes = Some(n);
                break;
            }
            Err(_) => writeln!(out, "{}", t::answer_not_a_number(lang, line.trim()))?,
        }
    }
    loop {
        let Some(line) = read(&t::prompt_lines(lang), out)? else {
            return Ok(Some(answers));
        };
        match line.trim().parse() {
            Ok(n) => {
                answers.lines = Some(n);
                break;
            }
            Err(_) => writeln!(out, "{}", t::answer_not_a_number(lang, line.trim()))?,
        }
    }
    loop {
        let Some(line) = read(&t::prompt_orders(lang), out)? else {
            return Ok(Some(answers));
        };
        match parse_letters(&line, choices) {
            Ok(letters) => {
                answers.orders = Some(letters);
                break;
            }
            Err(e) => writeln!(out, "{}", e.say(lang))?,
        }
    }
    writeln!(out)?;
    Ok(Some(answers))
}

fn show_run(
    out: &mut impl Write,
    paint: Paint,
    real: &RealRun,
    model: &Model,
    output_possible: bool,
    opts: &Options,
    lang: Lang,
) -> io::Result<()> {
    writeln!(out, "{}", paint.bold(t::real_run_heading(lang)))?;
    writeln!(
        out,
        "{}",
        t::real_counts(lang, real.processes.len(), real.output.len())
    )?;
    if let Some(root) = tree_node(real) {
        let tree_opts = ps_tree::Options {
            ascii: opts.ascii,
            ..Default::default()
        };
        for line in ps_tree::draw(&root, &tree_opts, paint) {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(out, "{}", t::real_output(lang))?;
    for (i, line) in real.output.iter().enumerate() {
        writeln!(out, "    {:>2}. {}   ← PID {}", i + 1, line.label, line.pid)?;
    }
    let counts_agree =
        real.processes.len() == model.process_count() && real.output.len() == model.line_count();
    if !counts_agree || !output_possible {
        writeln!(out, "{}", paint.red(t::model_disagrees(lang)))?;
    }
    writeln!(out)
}

fn show_marks(out: &mut impl Write, paint: Paint, marks: &[Mark], lang: Lang) -> io::Result<()> {
    if marks.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", paint.bold(t::marks_heading(lang)))?;
    for m in marks {
        let verdict = if m.right {
            paint.green(t::right(lang))
        } else {
            paint.red(t::wrong(lang))
        };
        writeln!(
            out,
            "{verdict} {}",
            t::mark_line(lang, m.question, &m.given, &m.expected)
        )?;
        for line in m.why.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    let right = marks.iter().filter(|m| m.right).count();
    writeln!(out, "{}", t::score(lang, right, marks.len()))
}

/// The real tree as `ps-tree` draws it: each process as `PID: what it printed`.
fn tree_node(real: &RealRun) -> Option<Node> {
    fn node(real: &RealRun, pid: i32) -> Node {
        let p = real.processes.iter().find(|p| p.pid == pid);
        let printed: String = p.map(|p| p.printed.iter().collect()).unwrap_or_default();
        let label = if printed.is_empty() {
            pid.to_string()
        } else {
            format!("{pid}:{printed}")
        };
        Node {
            children: real
                .processes
                .iter()
                .filter(|c| c.ppid == pid && c.pid != pid)
                .map(|c| node(real, c.pid))
                .collect(),
            ..Node::new(label)
        }
    }
    real.processes.first().map(|root| node(real, root.pid))
}

/// The real tree as a picture: a box per process with its PID, its parent and what it printed.
fn picture(real: &RealRun, lang: Lang) -> TreePicture {
    let root = real.processes.first().map_or(0, |p| p.pid);
    TreePicture {
        title: t::picture_title(lang, real.processes.len(), real.output.len()),
        boxes: real
            .processes
            .iter()
            .map(|p| TreeBox {
                pid: p.pid,
                ppid: p.ppid,
                lines: vec![
                    format!("PID {}", p.pid),
                    t::picture_detail(lang, p.ppid, &p.printed.iter().collect::<String>()),
                ],
            })
            .collect(),
        highlight: real
            .processes
            .iter()
            .filter(|p| p.pid != root)
            .max_by_key(|p| depth(real, p.pid))
            .map(|p| p.pid),
    }
}

fn depth(real: &RealRun, mut pid: i32) -> usize {
    let mut d = 0;
    while let Some(p) = real.processes.iter().find(|p| p.pid == pid) {
        if d > real.processes.len() {
            break;
        }
        d += 1;
        pid = p.ppid;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::program::LEVELS;
    use super::*;

    #[test]
    fn impossible_orders_are_never_offered_as_possible_and_vice_versa() {
        for level in LEVELS {
            for seed in 0..60 {
                let model = Model::of(&Program::generate(seed, level)).unwrap();
                let choices = choices(&model, seed, Lang::En);
                assert!(choices.iter().any(|c| c.possible));
                for c in &choices {
                    let order: Vec<char> = c.output.chars().collect();
                    assert_eq!(model.check(&order).is_ok(), c.possible, "{seed} {c:?}");
                    assert_eq!(c.why.is_some(), !c.possible);
                }
            }
        }
    }

    #[test]
    fn answers_are_parsed_and_a_wrong_one_is_marked_wrong() {
        let program = Program::generate(3, 1);
        let model = Model::of(&program).unwrap();
        let choices = choices(&model, 3, Lang::En);
        let right_orders: String = choices
            .iter()
            .filter(|c| c.possible)
            .map(|c| c.letter)
            .collect();
        let text = format!(
            "processes={},lines={},orders={right_orders}",
            model.process_count(),
            model.line_count()
        );
        let answers = parse_answers(&text, &choices).unwrap();
        assert!(
            mark(&answers, &program, &model, &choices, Lang::En)
                .iter()
                .all(|m| m.right)
        );
        let wrong = parse_answers(
            &format!("p={},l={}", model.process_count() + 1, model.line_count()),
            &choices,
        )
        .unwrap();
        let marks = mark(&wrong, &program, &model, &choices, Lang::En);
        assert!(!marks[0].right && marks[1].right);
        assert_eq!(
            parse_answers("colour=red", &choices),
            Err(AnswerError::UnknownKey("colour".into()))
        );
        assert_eq!(
            parse_answers("p=many", &choices),
            Err(AnswerError::NotANumber("many".into()))
        );
        assert_eq!(
            parse_answers("orders=z", &choices),
            Err(AnswerError::UnknownChoice('z'))
        );
        assert_eq!(
            parse_answers("o=none", &choices).unwrap().orders,
            Some(vec![])
        );
    }
}
