//! `toolkit nice`, `toolkit renice` and `toolkit nice --race`, driven through the real binary.
//!
//! The tests never fork inside the (multi-threaded) test process: every process is started with
//! `std::process::Command`, and every one that outlives its command is killed and waited by a guard.
//! They hold whether or not they run with privilege: where raising a priority may be refused, both
//! outcomes are checked for what they must look like.

use std::io::Write;
use std::process::{Command, Output};

use toolkit::proc::{Fields, exists, read_process};

mod support;
use support::{BIN, Guard};

/// Prints the niceness of the shell it runs in (field 19 of /proc/self/stat).
const PRINT_NICE: &str = r#"cut -d" " -f19 /proc/self/stat"#;

fn toolkit(args: &[&str]) -> Output {
    support::toolkit()
        .arg("--lang")
        .arg("en")
        .args(args)
        .output()
        .expect("run toolkit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// The niceness of this test process, which every toolkit it starts inherits.
fn my_nice() -> i64 {
    read_process(std::process::id() as i32, Fields::STAT_ONLY)
        .unwrap()
        .nice
}

fn nice_of(pid: i32) -> i64 {
    read_process(pid, Fields::STAT_ONLY).unwrap().nice
}

#[test]
fn adds_the_adjustment_to_the_current_niceness() {
    let out = toolkit(&["nice", "9", "sh", "-c", PRINT_NICE]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = (my_nice() + 9).clamp(-20, 19);
    assert_eq!(stdout(&out), expected.to_string());
    // The line before exec names old and new nice and top's PR.
    let err = stderr(&out);
    assert!(
        err.contains(&format!("nice {} -> {expected}", my_nice())),
        "{err}"
    );
    assert!(
        err.contains(&format!("PR {} -> {}", 20 + my_nice(), 20 + expected)),
        "{err}"
    );
}

#[test]
fn exit_status_passes_through() {
    let out = toolkit(&["nice", "5", "sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn negative_adjustment_lowers_or_warns() {
    let out = toolkit(&["nice", "-n", "-9", "sh", "-c", PRINT_NICE]);
    assert!(out.status.success(), "{}", stderr(&out));
    let wanted = (my_nice() - 9).clamp(-20, 19);
    let got: i64 = stdout(&out).parse().unwrap();
    if got == wanted {
        assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    } else {
        // Unprivileged: like coreutils, warn and run at the unchanged niceness.
        assert_eq!(got, my_nice());
        assert!(stderr(&out).contains("CAP_SYS_NICE"), "{}", stderr(&out));
    }
}

/// When the tests run as root, drop to `nobody` with setpriv to see the unprivileged path for sure.
#[test]
fn unprivileged_negative_adjustment_warns_and_runs_anyway() {
    let as_nobody = |args: &[&str]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(BIN)
            .args(["--lang", "en"])
            .args(args)
            .output()
    };
    let root = nix::unistd::geteuid().is_root();
    match as_nobody(&["nice"]) {
        Ok(o) if root && o.status.success() => {}
        _ => {
            eprintln!("skipped: needs root, setpriv, and a binary nobody may run");
            return;
        }
    }
    let out = as_nobody(&[
        "nice",
        "-n",
        "-5",
        "sh",
        "-c",
        &format!("{PRINT_NICE}; exit 3"),
    ])
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(stdout(&out), my_nice().to_string());
    let err = stderr(&out);
    assert!(
        err.contains("warning") && err.contains("CAP_SYS_NICE"),
        "{err}"
    );
    // The race cannot raise a child's priority either, and says why.
    let out = as_nobody(&["nice", "--race", "-n", "-3", "--seconds", "0.1"]).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("CAP_SYS_NICE"), "{}", stderr(&out));
}

#[test]
fn coreutils_option_spellings_parse() {
    let out = toolkit(&["nice", "-n", "3", "sh", "-c", PRINT_NICE]);
    assert_eq!(stdout(&out), (my_nice() + 3).clamp(-20, 19).to_string());
    let out = toolkit(&["nice", "--adjustment=2", "-q", "sh", "-c", PRINT_NICE]);
    assert_eq!(stdout(&out), (my_nice() + 2).clamp(-20, 19).to_string());
    // -q: nothing on stderr.
    assert_eq!(stderr(&out), "");
    // No number: 10, as coreutils.
    let out = toolkit(&["nice", "sh", "-c", PRINT_NICE]);
    assert_eq!(stdout(&out), (my_nice() + 10).clamp(-20, 19).to_string());
}

#[test]
fn out_of_range_values_clamp() {
    for big in ["100", "99999999999999999999999"] {
        let out = toolkit(&["nice", "-n", big, "sh", "-c", PRINT_NICE]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), "19");
    }
}

#[test]
fn bad_values_are_usage_errors() {
    for args in [
        &["nice", "-n", "abc", "true"][..],
        &["nice", "--adjustment=5x", "true"],
        &["nice", "--bogus", "true"],
        &["nice", "5"],
        &["nice", "--race", "--seconds", "0"],
    ] {
        let out = toolkit(args);
        assert_eq!(out.status.code(), Some(125), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("toolkit: error: "),
            "{}",
            stderr(&out)
        );
    }
    let out = toolkit(&["nice", "-n", "abc", "true"]);
    assert!(stderr(&out).contains("'abc'"));
}

/// `nice ARGS sh -c PRINT_NICE` by coreutils and by toolkit: the niceness the command ran at
/// (stdout) and the exit status must be the same, for every spelling the two share.
#[test]
fn every_shared_spelling_agrees_with_coreutils_nice() {
    let spellings: &[&[&str]] = &[
        &[],
        &["-9"],
        &["--9"],
        &["-+9"],
        &["-n", "9"],
        &["-n", "-9"],
        &["-n9"],
        &["-n-3"],
        &["--adjustment=5"],
        &["--adjustment", "5"],
        &["--adj=4"],
        &["--adjustment=-4"],
        &["-n", "3", "-n", "5"],
        &["-n", "3", "-5"],
        &["-5", "-n", "3"],
        &["-n", "100"],
        &["-n", "-100"],
        &["-n", "99999999999999999999999"],
        &["-n", "2", "--"],
        &["-7", "--"],
        &["-n", "abc"],
        &["--adjustment=5x"],
        &["-5x"],
        &["-x"],
        &["--bogus"],
        &["-n"],
    ];
    for args in spellings {
        let theirs = Command::new("nice")
            .args(*args)
            .args(["sh", "-c", PRINT_NICE])
            .env("LC_ALL", "C")
            .output()
            .expect("run coreutils nice");
        let ours = toolkit(&[&["nice"][..], args, &["sh", "-c", PRINT_NICE]].concat());
        assert_eq!(
            (ours.status.code(), stdout(&ours)),
            (theirs.status.code(), stdout(&theirs)),
            "nice {args:?}: ours {}, coreutils {}",
            stderr(&ours),
            stderr(&theirs)
        );
    }
}

#[test]
fn an_obsolete_spelling_says_what_it_means_unless_quiet() {
    let out = toolkit(&["nice", "-9", "true"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(err.contains("'-9'") && err.contains("adds 9"), "{err}");
    assert!(err.contains("toolkit nice -n 9"), "{err}");
    let out = toolkit(&["nice", "--9", "true"]);
    assert!(stderr(&out).contains("adds -9"), "{}", stderr(&out));
    let out = toolkit(&["nice", "-q", "-9", "true"]);
    assert_eq!(stderr(&out), "");
    // The unambiguous spellings say nothing of the kind.
    let out = toolkit(&["nice", "-n", "9", "true"]);
    assert!(!stderr(&out).contains("obsolete"), "{}", stderr(&out));
}

/// The notes' two lines, typed as the notes have them (with `while.py` from examples/python),
/// run at the same niceness under toolkit as under coreutils.
#[test]
fn the_notes_two_nice_lines_work_as_written() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/python/while.py");
    // What while.py prints first: "while.py: PID N, nice M".
    let started_nice = |mut child: Guard| -> i64 {
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        line.trim().rsplit(' ').next().unwrap().parse().unwrap()
    };
    for (adjustment, meant) in [("-9", 9), ("--9", -9)] {
        let ours = Guard::spawn(
            support::toolkit()
                .args(["--lang", "en", "nice", adjustment, "python3", script])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null()),
        );
        let theirs = Guard::spawn(
            Command::new("nice")
                .args([adjustment, "python3", script])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null()),
        );
        let (ours, theirs) = (started_nice(ours), started_nice(theirs));
        assert_eq!(ours, theirs, "nice {adjustment} python3 while.py");
        let wanted = (my_nice() + meant).clamp(-20, 19);
        // Unprivileged, -9 is refused and the command runs unchanged, in both.
        assert!(ours == wanted || (meant < 0 && ours == my_nice()), "{ours}");
    }
}

#[test]
fn missing_command_is_127() {
    // A PATH of directories anyone may search: an unreadable one would turn ENOENT into EACCES.
    let out = support::toolkit()
        .args(["--lang", "en", "nice", "5", "toolkit-no-such-command-here"])
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(
        stderr(&out).contains("command not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn non_executable_file_is_126() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "#!/bin/sh\necho should not run").unwrap();
    // A new temp file has mode 0600: no execute bit, not even for root.
    let path = file.path().to_str().unwrap().to_string();
    let out = toolkit(&["nice", "5", &path]);
    assert_eq!(out.status.code(), Some(126), "{}", stderr(&out));
    assert!(stderr(&out).contains("chmod +x"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn without_a_command_prints_the_niceness() {
    let out = toolkit(&["nice"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), my_nice().to_string());
}

#[test]
fn help_and_explain_show_both_spellings() {
    for flag in ["--help", "--explain"] {
        let out = toolkit(&["nice", flag]);
        assert!(out.status.success(), "{flag}");
        let text = stdout(&out);
        for spelling in [
            "nice -n 9",
            "nice -n -9",
            "nice --9",
            "nice -9",
            "toolkit nice 9",
        ] {
            assert!(text.contains(spelling), "{flag} lacks {spelling}:\n{text}");
        }
    }
}

#[test]
fn renice_sets_the_nice_value_of_a_running_process() {
    let sleeper = Guard::sleep(30);
    let pid = sleeper.pid().to_string();
    // Raising the nice value is allowed without privilege, so pick one at or above ours.
    let target = (my_nice() + 3).clamp(-20, 19);
    let out = toolkit(&["renice", &target.to_string(), "-p", &pid]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(nice_of(sleeper.pid()), target);
    assert_eq!(
        stdout(&out),
        format!(
            "{pid} (process ID) old priority {}, new priority {target}",
            my_nice()
        )
    );
    // --relative adds instead of setting.
    let out = toolkit(&["renice", "--relative", "1", "-p", &pid]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(nice_of(sleeper.pid()), (target + 1).clamp(-20, 19));
    // -n spelling, value clamped by the kernel.
    let out = toolkit(&["renice", "-n", "100", "-p", &pid]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(nice_of(sleeper.pid()), 19);
}

#[test]
fn renice_of_a_missing_process_says_so() {
    let out = toolkit(&["renice", "5", "-p", "2147483647"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("failed to get priority for 2147483647 (process ID): no such process"),
        "{}",
        stderr(&out)
    );
}

/// util-linux `renice ARGS` on one sleeping process and `toolkit renice ARGS` on another, each in
/// a process group of its own: the same exit status, the same report on stdout (PIDs and PGIDs
/// put back in place), and the same niceness read back from /proc.
#[test]
fn every_shared_spelling_agrees_with_util_linux_renice() {
    let spellings: &[&str] = &[
        "5 {P}",
        "-n 6 {P}",
        "-n 6 -p {P}",
        "--priority 7 --pid {P}",
        "+2 {P}",
        "-n +3 {P}",
        "4 {P} {P}",
        "7 {P} 2147483647",
        "7 -p 2147483647 {P}",
        "5 -- {P}",
        "5 x {P}",
        "100 {P}",
        "-100 {P}",
        "8 -g {G}",
        "9 -p {P} -g {G}",
        "3 -u toolkit-no-such-user",
        "abc {P}",
        "5x {P}",
        "{P}",
        "-n {P}",
        "",
    ];
    let sleeper = || {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        Guard::spawn(&mut cmd)
    };
    for spelling in spellings {
        let (theirs_target, ours_target) = (sleeper(), sleeper());
        let words = |target: &Guard| -> Vec<String> {
            let pid = target.pid().to_string();
            spelling
                .split_whitespace()
                .map(|w| w.replace("{P}", &pid).replace("{G}", &pid))
                .collect()
        };
        let theirs = Command::new("renice")
            .args(words(&theirs_target))
            .env("LC_ALL", "C")
            .output()
            .expect("run util-linux renice");
        let ours_words = words(&ours_target);
        let mut args = vec!["renice"];
        args.extend(ours_words.iter().map(String::as_str));
        let ours = toolkit(&args);
        let theirs_report = stdout(&theirs).replace(&theirs_target.pid().to_string(), "ID");
        let ours_report = stdout(&ours).replace(&ours_target.pid().to_string(), "ID");
        assert_eq!(
            (ours.status.code(), ours_report, nice_of(ours_target.pid())),
            (
                theirs.status.code(),
                theirs_report,
                nice_of(theirs_target.pid())
            ),
            "renice {spelling}: ours {}, util-linux {}",
            stderr(&ours),
            stderr(&theirs)
        );
    }
}

#[test]
fn race_accounting_adds_up() {
    let out = toolkit(&["nice", "--race", "--seconds", "1", "--json"]);
    if !out.status.success() && stderr(&out).contains("CAP_SYS_NICE") {
        // Unprivileged and already above nice 0: the nice-0 runner cannot be made.
        assert!(my_nice() > 0, "{}", stderr(&out));
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runners = report["runners"].as_array().unwrap();
    assert_eq!(runners.len(), 2);
    assert_eq!(runners[0]["nice"], 0);
    assert_eq!(runners[1]["nice"], 9);
    let f = |r: &serde_json::Value, key: &str| r[key].as_f64().unwrap();
    let measured: f64 = runners.iter().map(|r| f(r, "measured_percent")).sum();
    let predicted: f64 = runners.iter().map(|r| f(r, "predicted_percent")).sum();
    assert!((measured - 100.0).abs() < 0.01, "{measured}");
    assert!((predicted - 100.0).abs() < 0.01, "{predicted}");
    // The nicer process got less of the CPU.
    assert!(
        f(&runners[1], "measured_percent") < f(&runners[0], "measured_percent"),
        "{report}"
    );
    // Pinned to one CPU, the two together cannot have used more CPU time than wall time
    // (with a few ticks of slack for the sampling).
    let cpu: f64 = runners.iter().map(|r| f(r, "cpu_seconds")).sum();
    assert!(
        cpu <= f(&report, "elapsed_seconds") * 1.05 + 0.05,
        "{report}"
    );
    // Both children were reaped: their /proc entries are gone.
    for r in runners {
        assert!(!exists(r["pid"].as_i64().unwrap() as i32), "{report}");
    }
}

#[test]
fn race_prints_a_table_and_bars() {
    let out = toolkit(&["nice", "--race", "15", "--seconds", "0.5"]);
    if !out.status.success() && stderr(&out).contains("CAP_SYS_NICE") {
        return;
    }
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in ["measured", "predicted", "weight", "1024", "36", "#"] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
}
