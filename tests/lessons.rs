//! `toolkit lesson` and the lessons themselves, checked against the real CLI and the real binary.
//!
//! - Every lesson exists in zh and en with the same four sections, and no file in `lessons/` is
//!   left out of the binary.
//! - Every `toolkit ...` command quoted in a lesson (or in the concept table) parses with the real
//!   CLI, and the safe, short ones in [`SAFE`] are run through the binary and must succeed.
//! - The concept table in `lessons/README.md` has no row without both lesson files, a command that
//!   parses and a test that exists in `tests/`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use clap::Parser;
use predicates::prelude::*;
use toolkit::cli::Cli;
use toolkit::i18n::Lang;
use toolkit::lessons::{LESSONS, Section, commands_to_run, quoted_commands, section_headings};

mod support;

/// The lesson commands that are safe and short: they only look at the machine or make a few
/// children that end by themselves. The tests run each one and expect success. Every entry must be
/// quoted in a lesson (checked below), so this list cannot drift away from the course.
const SAFE: &[&str] = &[
    "toolkit ps -p 1",
    "toolkit ps",
    "toolkit ps --explain",
    "toolkit stat-codes",
    "toolkit ps-tree",
    "toolkit ps-tree -p --no-kernel",
    "toolkit fork-demo",
    "toolkit fork-demo --rounds 1",
    "toolkit fork-demo --buffer-trap",
    "toolkit fork-demo --tree 3",
    "toolkit states",
    "toolkit parallel --jobs 2 --work 50",
    "toolkit parallel --jobs 4 --work 200",
    "toolkit parallel",
    "toolkit pcb",
    "toolkit nice",
    "toolkit nice 5 true",
    "toolkit threads",
    "toolkit threads --json",
    "toolkit top -b -n 2 -d 0.5",
    "toolkit quiz fork --level 3 --seed 42",
    "toolkit quiz states --all",
];

/// Not a timing assertion: a bound so that a command that hangs fails the test instead of the run.
const GUARD: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn toolkit() -> Command {
    let mut cmd = Command::from_std(support::toolkit());
    cmd.timeout(GUARD);
    cmd
}

/// Whether Rust `source` defines `item`: one of the defining keywords, then the name, then a
/// character that cannot continue an identifier.
fn defines(source: &str, item: &str) -> bool {
    [
        "fn", "struct", "enum", "const", "static", "mod", "trait", "type",
    ]
    .iter()
    .any(|keyword| {
        let needle = format!("{keyword} {item}");
        source.match_indices(&needle).any(|(at, _)| {
            let before = source[..at].chars().next_back();
            let after = source[at + needle.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}

#[test]
fn defines_finds_items_and_not_prefixes() {
    let source =
        "pub fn fork_child() {}\nstruct Tree;\nfn treehouse() {}\nconst NICE_MIN: i64 = -20;";
    assert!(defines(source, "fork_child"));
    assert!(defines(source, "Tree"));
    assert!(defines(source, "NICE_MIN"));
    assert!(!defines(source, "fork"));
    assert!(!defines(source, "tree"));
    assert!(!defines(source, "child"));
}

/// The words as the binary hands them to clap (the notes' `ps aux` spellings taken out first).
fn parsed_words(line: &str) -> Vec<std::ffi::OsString> {
    toolkit::cli::bsd_ps_words(words(line).into_iter().map(Into::into).collect())
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn md_files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".md"))
        .collect()
}

fn every_quoted_command() -> Vec<String> {
    let mut all = Vec::new();
    for lesson in &LESSONS {
        for lang in [Lang::Zh, Lang::En] {
            all.extend(
                quoted_commands(lesson.text(lang))
                    .iter()
                    .map(|w| w.join(" ")),
            );
        }
    }
    all
}

/// Run every [`SAFE`] command of one subcommand through the binary; each must succeed.
fn run_safe(subcommand: &str) {
    let chosen: Vec<&str> = SAFE
        .iter()
        .copied()
        .filter(|line| line.split_whitespace().nth(1) == Some(subcommand))
        .collect();
    assert!(!chosen.is_empty(), "no safe command for {subcommand}");
    for line in chosen {
        let output = toolkit().args(&words(line)[1..]).output().unwrap();
        assert!(
            output.status.success(),
            "`{line}` failed: {:?}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn every_lesson_has_the_same_sections_in_both_languages() {
    let dir = root().join("lessons");
    let zh = md_files(&dir.join("zh"));
    let en = md_files(&dir.join("en"));
    assert_eq!(zh, en, "lessons/zh and lessons/en must hold the same files");
    let embedded: BTreeSet<String> = LESSONS.iter().map(|l| format!("{}.md", l.slug)).collect();
    assert_eq!(
        zh, embedded,
        "every lesson file must be embedded, and only those"
    );

    for lesson in &LESSONS {
        for (lang, sub) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
            let on_disk =
                fs::read_to_string(dir.join(sub).join(format!("{}.md", lesson.slug))).unwrap();
            assert_eq!(on_disk, lesson.text(lang), "{sub}/{}", lesson.slug);
            let want: Vec<&str> = Section::ALL.iter().map(|s| s.heading(lang)).collect();
            assert_eq!(section_headings(&on_disk), want, "{sub}/{}", lesson.slug);
            let questions =
                toolkit::lessons::section_body(&on_disk, Section::Questions.heading(lang)).unwrap();
            let (q, a) = (lang.pick("**问：", "**Q:"), lang.pick("答：", "A:"));
            assert!(
                questions.contains(q) && questions.contains(a),
                "{sub}/{}: the questions section needs a question and a worked answer",
                lesson.slug
            );
        }
        assert_eq!(
            commands_to_run(lesson.text(Lang::Zh), Lang::Zh),
            commands_to_run(lesson.text(Lang::En), Lang::En),
            "{}: both languages must run the same commands",
            lesson.slug
        );
    }
}

#[test]
fn lesson_commands_parse_with_the_real_cli() {
    let all = every_quoted_command();
    assert!(all.len() >= 2 * LESSONS.len());
    for line in all {
        if let Err(e) = Cli::try_parse_from(parsed_words(&line)) {
            panic!("`{line}` is quoted in a lesson but does not parse:\n{e}");
        }
    }
}

#[test]
fn the_notes_corrections_are_in_both_languages() {
    let text = |slug: &str, lang: Lang| LESSONS.iter().find(|l| l.slug == slug).unwrap().text(lang);
    for lang in [Lang::Zh, Lang::En] {
        let fork = text("11-fork", lang);
        assert!(fork.contains("-1") && fork.contains("OSError"), "{lang:?}");
        let nice = text("09-priority-and-nice", lang);
        assert!(
            nice.contains("`nice --9 cmd`") && nice.contains("CAP_SYS_NICE"),
            "{lang:?}"
        );
        let ps = text("06-pid-and-ps", lang);
        assert!(
            ps.contains("`ps aux`") && ps.contains("`ps -aux`"),
            "{lang:?}"
        );
        let states = text("08-states", lang);
        for code in ["`T`", "`l`", "`s`", "`D`", "`Z`"] {
            assert!(states.contains(code), "{lang:?}: {code}");
        }
    }
}

#[test]
fn safe_commands_are_the_lessons_own() {
    let quoted = every_quoted_command();
    for line in SAFE {
        assert!(quoted.iter().any(|q| q == line), "`{line}` is in no lesson");
        Cli::try_parse_from(parsed_words(line)).unwrap();
    }
}

#[test]
fn listing_names_every_lesson_in_both_languages() {
    for (lang, flag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let output = toolkit().args(["--lang", flag, "lesson"]).output().unwrap();
        assert!(output.status.success());
        let stdout = String::from_utf8(output.stdout).unwrap();
        for lesson in &LESSONS {
            assert!(
                stdout.contains(lesson.title(lang)),
                "{flag}: {}",
                lesson.slug
            );
        }
    }
}

#[test]
fn a_lesson_prints_from_the_binary_alone_and_plain_in_a_pipe() {
    // A copy of the binary in an empty directory: nothing to read but what was embedded.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("toolkit");
    fs::copy(support::BIN, &copy).unwrap();
    let lesson = &LESSONS[7];
    for (lang, flag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        // ETXTBSY: another test thread may fork while the copy is still open for writing, and its
        // child holds that descriptor until it execs. Wait for it to let go.
        let mut tries = 0;
        let output = loop {
            match std::process::Command::new(&copy)
                .args(["--lang", flag, "lesson", "8"])
                .current_dir(dir.path())
                .env_remove("NO_COLOR")
                .output()
            {
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => break other.unwrap(),
            }
        };
        assert!(output.status.success());
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(lesson.title(lang)));
        for section in Section::ALL {
            assert!(
                stdout.contains(section.heading(lang)),
                "{flag}: {section:?}"
            );
        }
        // Rendered, not raw: no fences, code indented; and no colour when stdout is a pipe.
        assert!(!stdout.contains("```"));
        assert!(!stdout.contains("## "));
        assert!(stdout.contains("\n    toolkit states\n"));
        assert!(!stdout.contains('\x1b'));
    }
}

#[test]
fn an_unknown_lesson_is_an_error_naming_the_range() {
    let last = LESSONS.len();
    for n in ["0".to_string(), (last + 1).to_string()] {
        toolkit()
            .args(["--lang", "en", "lesson", &n])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "no lesson {n}: lessons are numbered 1 to {last}"
            )));
    }
    toolkit()
        .args(["--lang", "zh", "lesson", &(last + 1).to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("1 到 {last}")));
}

#[test]
fn run_needs_a_number_and_yes_needs_run() {
    toolkit().args(["lesson", "--run"]).assert().code(2);
    toolkit().args(["lesson", "3", "--yes"]).assert().code(2);
}

#[test]
fn chat_commands_are_shown_not_run() {
    // The chat server would serve forever and the client would wait for the keyboard: the walk
    // ending at all shows they were not started.
    let output = toolkit()
        .args(["--lang", "en", "lesson", "12", "--run", "--yes"])
        .output()
        .unwrap();
    assert!(output.status.code().is_some(), "{:?}", output.status);
    let stdout = String::from_utf8(output.stdout).unwrap();
    for line in [
        "toolkit chat server --explain",
        "toolkit chat client --name alice --explain",
        "toolkit chat client --name bob",
    ] {
        assert!(
            stdout.contains(&format!("$ {line}\n    run this in another terminal")),
            "{line}:\n{stdout}"
        );
    }
    assert!(stdout.contains("$ toolkit ps-tree -p --no-kernel\n"));
    assert!(stdout.contains("for another terminal: 3; skipped: 0"));
    // The walk ends with what to look for.
    assert!(stdout.contains("What to look for\n"));
}

#[test]
fn run_without_a_terminal_goes_straight_through_and_says_so() {
    let output = toolkit()
        .args(["--lang", "en", "lesson", "12", "--run"])
        .write_stdin("")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("stdin is not a terminal"), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("Enter to run"));
    assert!(stdout.contains("run: 1, failed: "), "{stdout}");
}

#[test]
fn concept_table_rows_have_a_lesson_a_command_and_a_test() {
    let dir = root().join("lessons");
    let table = fs::read_to_string(dir.join("README.md")).unwrap();
    let mut tests_text = String::new();
    for entry in fs::read_dir(root().join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            tests_text.push_str(&fs::read_to_string(path).unwrap());
        }
    }
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .skip(1)
        .collect();
    assert!(rows.len() >= LESSONS.len(), "the table is too short");
    let mut covered = BTreeSet::new();
    for row in rows {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 5, "row: {row}");
        assert!(!cells[0].is_empty(), "row without a concept: {row}");

        let links: Vec<&str> = cells[1]
            .split("](")
            .skip(1)
            .map(|rest| &rest[..rest.find(')').unwrap()])
            .collect();
        assert!(
            links.iter().any(|l| l.starts_with("zh/"))
                && links.iter().any(|l| l.starts_with("en/")),
            "row without a zh and an en lesson: {row}"
        );
        for link in links {
            assert!(dir.join(link).is_file(), "missing lesson {link}: {row}");
            covered.insert(link.split('/').nth(1).unwrap().to_string());
        }

        let command = cells[2].trim_matches('`');
        assert!(
            command.starts_with("toolkit"),
            "row without a command: {row}"
        );
        if let Err(e) = Cli::try_parse_from(parsed_words(command)) {
            panic!("`{command}` does not parse: {e}");
        }

        let (file, item) = cells[3]
            .split_once(" · ")
            .unwrap_or_else(|| panic!("code cell is not `file` · `item`: {row}"));
        let (file, item) = (file.trim_matches('`'), item.trim_matches('`'));
        let source = fs::read_to_string(root().join(file))
            .unwrap_or_else(|e| panic!("row names a file that cannot be read, {file}: {e}"));
        assert!(
            defines(&source, item),
            "{file} does not define `{item}`: {row}"
        );

        let test = cells[4].trim_matches('`');
        assert!(
            tests_text.contains(&format!("fn {test}(")),
            "row names a test that does not exist: {test}"
        );
        // A row that says a command is run must name a command that really is run.
        if test.starts_with("runs_") {
            assert!(SAFE.contains(&command), "`{command}` is not in SAFE: {row}");
            let sub = command.split_whitespace().nth(1).unwrap().replace('-', "_");
            assert_eq!(test, format!("runs_{sub}"), "row: {row}");
        }
    }
    let every: BTreeSet<String> = LESSONS.iter().map(|l| format!("{}.md", l.slug)).collect();
    assert_eq!(
        covered, every,
        "every lesson must appear in the concept table"
    );
}

#[test]
fn runs_ps() {
    run_safe("ps");
}

#[test]
fn runs_ps_tree() {
    run_safe("ps-tree");
}

#[test]
fn runs_stat_codes() {
    run_safe("stat-codes");
}

#[test]
fn runs_fork_demo() {
    run_safe("fork-demo");
}

#[test]
fn runs_states() {
    run_safe("states");
}

#[test]
fn runs_parallel() {
    run_safe("parallel");
}

#[test]
fn runs_pcb() {
    run_safe("pcb");
}

#[test]
fn runs_nice() {
    run_safe("nice");
}

#[test]
fn runs_threads() {
    run_safe("threads");
}

#[test]
fn runs_top() {
    run_safe("top");
}

#[test]
fn runs_quiz() {
    run_safe("quiz");
}

#[test]
fn presenting_a_lesson_runs_its_commands_to_success() {
    toolkit()
        .args(["--lang", "en", "lesson", "8", "--run", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("$ toolkit states\n"))
        .stdout(predicate::str::contains("run: 8, failed: 0;"));
}

#[test]
fn every_subcommand_of_safe_has_its_runs_test() {
    // SAFE is only useful if each of its subcommands has a `runs_*` test that runs it.
    let text = fs::read_to_string(root().join("tests/lessons.rs")).unwrap();
    for line in SAFE {
        let sub = line.split_whitespace().nth(1).unwrap();
        let name = format!("fn runs_{}(", sub.replace('-', "_"));
        let call = format!("run_safe(\"{sub}\")");
        assert!(text.contains(&name) && text.contains(&call), "{line}");
    }
}

/// `--run` presents the whole lesson, in its order, rendered: the idea, the commands (run), what to
/// look for, then every question with its answer.
#[test]
fn presenting_a_lesson_shows_every_section_and_every_answer() {
    for (lang, flag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let lesson = &LESSONS[12];
        let out = toolkit()
            .args(["--lang", flag, "lesson", "13", "--run", "--yes"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shown = String::from_utf8(out.stdout).unwrap();
        let mut at = 0;
        for section in Section::ALL {
            let heading = format!("{}\n", section.heading(lang));
            let found = shown[at..]
                .find(&heading)
                .unwrap_or_else(|| panic!("{flag}: {section:?} missing or out of order"));
            at += found;
        }
        let questions = toolkit::lessons::questions(
            toolkit::lessons::section_body(lesson.text(lang), Section::Questions.heading(lang))
                .unwrap(),
        );
        assert!(questions.len() >= 3);
        for (question, answer) in &questions {
            let first_answer_line = answer.lines().next().unwrap().replace("**", "");
            assert!(
                shown.contains(&question.replace("**", "")),
                "{flag}: {question}"
            );
            assert!(shown.contains(&first_answer_line), "{flag}: {answer}");
        }
        // Rendered, not raw.
        assert!(!shown.contains("**") && !shown.contains("```") && !shown.contains("## "));
    }
}

/// The README's own examples: every `toolkit ...` command it quotes (in code blocks or inline)
/// still parses with the real command line, so a renamed flag cannot leave the README behind.
#[test]
fn readme_commands_parse_with_the_real_cli() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let commands = quoted_commands(&readme);
    assert!(
        commands.len() >= 20,
        "only {} commands found",
        commands.len()
    );
    for words in commands {
        // The command ends where the shell's operators begin (`| cat`, `&& ...`, `> file`).
        let words: Vec<String> = words
            .into_iter()
            .take_while(|w| !["|", "||", "&&", "&", ";", ">", "2>", "<"].contains(&w.as_str()))
            .collect();
        // `$$` and `ROOT` stand for a PID.
        let line = words.join(" ").replace("$$", "1").replace("ROOT", "1");
        match Cli::try_parse_from(parsed_words(&line)) {
            // A heading naming a command group (`toolkit chat`) is not a command line.
            Err(e)
                if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            }
            Err(e) => panic!("`{line}` is quoted in the README but does not parse:\n{e}"),
            Ok(_) => {}
        }
    }
}
