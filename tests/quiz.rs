//! `toolkit quiz`: the real binary, the real kernel, and a peer implementation of fork semantics.
//!
//! For `quiz fork` the peer is the real `python3` running the program the toolkit exports: its
//! counts of processes and lines must equal the toolkit's real run (and the model's), and every
//! order Python prints must be one the model calls possible (and never one it offered as
//! impossible). Python's processes are counted by wrapping `os.fork` so each child writes a line
//! on stderr; the program itself is exactly the exported file.
//!
//! This test process is a child subreaper while the tests run (they are serialized): the orphans a
//! Python program leaves (a parent that exits before its children, as the programs do) are
//! re-parented to us, and [`reap_orphans`] collects them, so nothing is left behind.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use toolkit::quiz::model::Model;
use toolkit::quiz::program::{LEVELS, Program};

mod support;
use support::{assert_nothing_left, serial, toolkit};

/// Counts `os.fork()` children (one `born` line each on stderr), then runs the program unchanged.
const FORK_COUNTER: &str = r#"
import os, sys
real_fork = os.fork
def counted_fork():
    pid = real_fork()
    if pid == 0:
        os.write(2, b"born\n")
    return pid
os.fork = counted_fork
path = sys.argv[1]
exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
"#;

fn become_subreaper() {
    nix::sys::prctl::set_child_subreaper(true).expect("PR_SET_CHILD_SUBREAPER");
}

/// Reap the orphans of a run, until this process has no child left. Called once the run's
/// stdout and stderr are closed, i.e. when every process of it is exiting; the tests that call
/// it are serialized, so no other child of ours exists meanwhile.
fn reap_orphans() {
    use nix::errno::Errno;
    use nix::sys::wait::waitpid;
    // Until ECHILD: none left.
    while let Ok(_) | Err(Errno::EINTR) = waitpid(None, None) {}
}

/// `quiz fork --json` for a seed and level, exporting the program to `export`.
fn quiz_json(seed: u64, level: u8, extra: &[&str], export: &Path) -> Value {
    let out = toolkit()
        .args(["quiz", "fork", "--json", "--seed", &seed.to_string()])
        .args(["--level", &level.to_string(), "--export"])
        .arg(export)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Run the exported program with the real python3: (processes, lines printed).
fn python_run(program: &Path) -> (usize, Vec<char>) {
    // As `python3 FILE` runs by default: each print one write() (see the exported header).
    let out = Command::new("python3")
        .env_remove("PYTHONUNBUFFERED")
        .args(["-c", FORK_COUNTER])
        .arg(program)
        .stdin(Stdio::null())
        .output()
        .expect("python3 is installed (.ci/run installs it)");
    reap_orphans();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let born = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| *l == "born")
        .count();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            assert_eq!(l.chars().count(), 1, "a line is one label: {l:?}");
            l.chars().next().unwrap()
        })
        .collect();
    (1 + born, lines)
}

fn sorted(labels: &[char]) -> Vec<char> {
    let mut v = labels.to_vec();
    v.sort();
    v
}

#[test]
fn the_real_run_and_python3_agree_for_many_seeds_and_every_level() {
    let _one = serial();
    become_subreaper();
    let dir = tempfile::tempdir().unwrap();
    let mut runs = 0;
    for level in LEVELS {
        for seed in 0..12u64 {
            let file = dir.path().join(format!("quiz-{level}-{seed}.py"));
            let doc = quiz_json(seed, level, &[], &file);
            let expected_processes = doc["expected"]["processes"].as_u64().unwrap() as usize;
            let expected_lines = doc["expected"]["lines"].as_u64().unwrap() as usize;
            let real = &doc["run"];
            let real_processes = real["processes"].as_array().unwrap().len();
            let real_output: Vec<char> = real["output"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["label"].as_str().unwrap().chars().next().unwrap())
                .collect();
            assert_eq!(
                real_processes, expected_processes,
                "seed {seed} level {level}"
            );
            assert_eq!(
                real_output.len(),
                expected_lines,
                "seed {seed} level {level}"
            );
            assert_eq!(real["output_possible"], true, "seed {seed} level {level}");
            // Every real process but the first has a parent among them.
            let pids: Vec<i64> = real["processes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["pid"].as_i64().unwrap())
                .collect();
            for p in &real["processes"].as_array().unwrap()[1..] {
                assert!(pids.contains(&p["ppid"].as_i64().unwrap()), "{p}");
            }

            // The peer: the exported program, run by python3.
            let program = Program::generate(seed, level);
            let model = Model::of(&program).unwrap();
            let impossible: Vec<String> = doc["expected"]["choices"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["possible"] == false)
                .map(|c| c["output"].as_str().unwrap().to_string())
                .collect();
            for _ in 0..3 {
                let (processes, lines) = python_run(&file);
                runs += 1;
                assert_eq!(processes, real_processes, "seed {seed} level {level}");
                assert_eq!(lines.len(), real_output.len(), "seed {seed} level {level}");
                assert_eq!(sorted(&lines), sorted(&real_output));
                assert_eq!(model.check(&lines), Ok(()), "python3 printed {lines:?}");
                let text: String = lines.iter().collect();
                assert!(
                    !impossible.contains(&text),
                    "python3 printed {text}, offered as impossible"
                );
            }
        }
    }
    assert_eq!(runs, 3 * 12 * 3);
    assert_nothing_left(-1, &[]);
}

#[test]
fn the_c_version_prints_the_same_lines() {
    let _one = serial();
    become_subreaper();
    let Ok(cc) = Command::new("cc").arg("--version").output() else {
        eprintln!("skipped: no C compiler");
        return;
    };
    assert!(cc.status.success());
    let dir = tempfile::tempdir().unwrap();
    for (seed, level) in [(1u64, 1u8), (5, 2), (9, 3), (11, 3)] {
        let source = dir.path().join(format!("quiz-{seed}.c"));
        let doc = quiz_json(seed, level, &["--code", "c"], &source);
        assert_eq!(doc["code"], "c");
        let binary = dir.path().join(format!("quiz-{seed}"));
        let built = Command::new("cc")
            .args(["-Wall", "-Werror", "-o"])
            .arg(&binary)
            .arg(&source)
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let out = Command::new(&binary).stdin(Stdio::null()).output().unwrap();
        reap_orphans();
        let lines: Vec<char> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.chars().next().unwrap())
            .collect();
        let model = Model::of(&Program::generate(seed, level)).unwrap();
        assert_eq!(lines.len(), model.line_count());
        assert_eq!(
            model.check(&lines),
            Ok(()),
            "the C program printed {lines:?}"
        );
    }
    assert_nothing_left(-1, &[]);
}

#[test]
fn wrong_answers_are_marked_wrong_and_right_ones_right() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.py");
    let doc = quiz_json(7, 2, &[], &file);
    let processes = doc["expected"]["processes"].as_u64().unwrap();
    let lines = doc["expected"]["lines"].as_u64().unwrap();
    let right: String = doc["expected"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["possible"] == true)
        .map(|c| c["letter"].as_str().unwrap().to_string())
        .collect();
    let marks = |answer: String| -> BTreeMap<String, bool> {
        let doc = quiz_json(7, 2, &["--answer", &answer], &file);
        doc["marks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["question"].as_str().unwrap().to_string(),
                    m["right"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let all_right = marks(format!(
        "processes={processes},lines={lines},orders={right}"
    ));
    assert!(all_right.values().all(|r| *r), "{all_right:?}");
    let wrong = marks(format!(
        "processes={},lines={},orders=none",
        processes * 2,
        lines + 1
    ));
    assert_eq!(wrong.get("processes"), Some(&false));
    assert_eq!(wrong.get("lines"), Some(&false));
    assert_eq!(
        wrong.get("orders"),
        Some(&false),
        "some order is always possible"
    );

    // In text: the reasons are there, in the language asked for.
    let out = toolkit()
        .args([
            "--lang", "zh", "quiz", "fork", "--seed", "7", "--level", "2",
        ])
        .args(["--answer", &format!("processes={}", processes * 2)])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("✗ 错 进程数"), "{text}");
    assert!(
        text.contains(&format!("1 + {} = {processes}", processes - 1)),
        "{text}"
    );
    assert!(text.contains("真实的输出顺序"), "{text}");
}

#[test]
fn bad_answers_are_refused_with_one_line_and_nothing_runs() {
    let _one = serial();
    let out = toolkit()
        .args(["quiz", "fork", "--seed", "1", "--answer", "processes=lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a number"), "{err}");
    assert!(out.stdout.is_empty());
    let out = toolkit()
        .args(["quiz", "fork", "--level", "4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn answers_can_be_typed_on_stdin() {
    let _one = serial();
    let mut child = toolkit()
        .args(["quiz", "fork", "--seed", "3", "--level", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "many").unwrap(); // refused, asked again
        writeln!(stdin, "8").unwrap();
        writeln!(stdin, "8").unwrap();
        writeln!(stdin, "a").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("“many” is not a number"), "{text}");
    assert!(text.contains("processes: you said 8"), "{text}");
    assert!(text.contains("of 3 right"), "{text}");
}

/// Every scenario creates the process it describes; with no terminal there is no `+`.
#[test]
fn every_states_scenario_shows_its_stat_and_marks_the_answer() {
    let _one = serial();
    let expected = [
        ("busy", "R"),
        ("pipe", "S"),
        ("stopped", "T"),
        ("traced", "t"),
        ("zombie", "Z"),
        ("vfork", "D"),
        ("nice", "SN"),
        ("nice-busy", "RN"),
        ("session", "Ss"),
        ("threads", "Sl"),
    ];
    for (scenario, stat) in expected {
        let out = toolkit()
            .args(["quiz", "states", scenario, "--json", "--answer", stat])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{scenario}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["stat"], stat, "{scenario}: {doc}");
        assert_eq!(doc["right"], true, "{scenario}");
        let pid = doc["pid"].as_i64().unwrap() as i32;
        assert_nothing_left(-1, &[pid]);
    }
    // A wrong letter is wrong; the right letter with the wrong modifiers is half right.
    let out = toolkit()
        .args(["quiz", "states", "nice", "--json", "--answer", "S"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["right"].clone(), doc["letter_right"].clone()),
        (false.into(), true.into())
    );
    let out = toolkit()
        .args(["quiz", "states", "zombie", "--answer", "S"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("✗ wrong you said S, /proc says Z"), "{text}");
    assert!(text.contains("terminated"), "{text}");
    // A made-up STAT is refused.
    let out = toolkit()
        .args(["quiz", "states", "busy", "--answer", "running"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn states_all_creates_every_scenario() {
    let _one = serial();
    let out = toolkit()
        .args(["quiz", "states", "--all", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stats: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["stat"].as_str().unwrap())
        .collect();
    assert_eq!(
        stats,
        ["R", "S", "T", "t", "Z", "D", "SN", "RN", "Ss", "Sl"]
    );
    assert_nothing_left(-1, &[]);
}

/// SIGKILL (and Ctrl-C's SIGINT) of the quiz at several moments leaves no process of its run
/// behind within a second: its children die with it (parent-death signal), and what a fork
/// program left running ends by itself. This test process is the subreaper that would adopt them.
#[test]
fn killing_the_quiz_at_any_moment_leaves_nothing_behind() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    use std::time::{Duration, Instant};
    let _one = serial();
    become_subreaper();
    let me = std::process::id() as i32;
    let runs: [(&[&str], Signal, u64); 8] = [
        (&["quiz", "states", "--all"], Signal::SIGKILL, 100),
        (&["quiz", "states", "--all"], Signal::SIGKILL, 400),
        (&["quiz", "states", "--all"], Signal::SIGKILL, 900),
        (&["quiz", "states", "--all"], Signal::SIGINT, 300),
        (&["quiz", "states", "vfork"], Signal::SIGKILL, 150),
        (&["quiz", "states", "traced"], Signal::SIGKILL, 150),
        (
            &["quiz", "fork", "--level", "3", "--seed", "9"],
            Signal::SIGKILL,
            2,
        ),
        (
            &["quiz", "fork", "--level", "2", "--seed", "4"],
            Signal::SIGINT,
            5,
        ),
    ];
    for (args, signal, after_ms) in runs {
        let mut child = toolkit()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(after_ms));
        let _ = kill(Pid::from_raw(child.id() as i32), signal);
        let status = child.wait().unwrap();
        if signal == Signal::SIGINT
            && let Some(code) = status.code()
        {
            assert!(code == 130 || code == 0, "{args:?}: exit {code}");
        }
        // Within a second, nothing of that run is left (orphans it left are reaped here).
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            use nix::sys::wait::{WaitPidFlag, waitpid};
            while let Ok(s) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                if s == nix::sys::wait::WaitStatus::StillAlive {
                    break;
                }
            }
            let table =
                toolkit::proc::ProcessTable::scan(toolkit::proc::Fields::STAT_ONLY).unwrap();
            let left: Vec<String> = table
                .iter()
                .filter(|p| p.ppid == me)
                .map(|p| format!("{} {} {}", p.pid, p.state, p.comm))
                .collect();
            if left.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{args:?} after {after_ms} ms left {left:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Ctrl-C while the quiz waits for an answer ends it at once, with 130 (std's line reading would
/// retry the interrupted read and keep waiting).
#[test]
fn ctrl_c_at_a_question_ends_the_quiz_with_130() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let _one = serial();
    for args in [
        &["quiz", "states", "zombie"][..],
        &["quiz", "fork", "--seed", "2"],
    ] {
        let child = toolkit()
            .args(args)
            .stdin(Stdio::piped()) // open, and nothing typed
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    }
}
