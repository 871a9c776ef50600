//! The command line in both languages, through the real binary: every `--help` of every command
//! is Chinese with `--lang zh` or a `zh_*` locale (LC_ALL over LC_MESSAGES over LANG), and so are
//! clap's errors, with the exit codes of the tools users know.

use std::process::Output;

use clap::CommandFactory;
use toolkit::cli::Cli;

mod support;

/// Every command path of the tree, `[]` for `toolkit` itself (clap's `help` left out).
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_string());
            walk(sub, sub_path, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut out);
    out
}

/// The English help texts of the command at `path`: none of them may appear in the Chinese help.
fn english_texts(path: &[String]) -> Vec<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut cmd = &cmd;
    for name in path {
        cmd = cmd.find_subcommand(name).unwrap();
    }
    let mut texts: Vec<String> = cmd
        .get_arguments()
        .filter_map(|a| a.get_help().map(|h| h.to_string()))
        .collect();
    texts.extend(cmd.get_about().map(|a| a.to_string()));
    texts.extend(
        [
            "Usage:",
            "Options:",
            "Arguments:",
            "Commands:",
            "[default:",
            "[possible values:",
        ]
        .map(String::from),
    );
    texts
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = support::toolkit();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run toolkit")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn every_help_is_chinese_with_lang_zh() {
    for path in command_paths() {
        let mut args = vec!["--lang", "zh"];
        args.extend(path.iter().map(String::as_str));
        args.push("--help");
        let out = run(&args, &[]);
        let help = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{path:?}: {}",
            text(&out.stderr)
        );
        assert!(
            help.contains("用法") && help.chars().any(is_chinese),
            "{path:?}:\n{help}"
        );
        for english in english_texts(&path) {
            assert!(
                !help.contains(&english),
                "{path:?} still says {english:?}:\n{help}"
            );
        }
    }
}

#[test]
fn english_stays_english() {
    let out = run(
        &["--lang", "en", "ps", "--help"],
        &[("LANG", "zh_CN.UTF-8")],
    );
    let help = text(&out.stdout);
    assert!(
        help.contains("Usage:") && !help.chars().any(is_chinese),
        "{help}"
    );
    let out = run(&["ps", "--no-such-flag"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: unexpected argument"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_locale_is_read_lc_all_then_lc_messages_then_lang() {
    let zh = "zh_CN.UTF-8";
    let en = "en_US.UTF-8";
    let chinese = |env: &[(&str, &str)]| {
        let help = text(&run(&["ps", "--help"], env).stdout);
        help.contains("用法")
    };
    assert!(chinese(&[("LANG", zh)]));
    assert!(chinese(&[("LC_ALL", zh), ("LANG", en)]));
    assert!(chinese(&[("LC_MESSAGES", zh), ("LANG", en)]));
    assert!(!chinese(&[("LC_ALL", "C"), ("LANG", zh)]));
    assert!(!chinese(&[("LC_ALL", en), ("LC_MESSAGES", zh)]));
    // And not only clap: the program's own sentences follow the same rule.
    let out = run(&["ps", "--explain"], &[("LC_ALL", zh), ("LANG", en)]);
    assert!(text(&out.stdout).contains("僵尸"), "{}", text(&out.stdout));
}

#[test]
fn argument_errors_are_one_chinese_line_then_the_usage_with_the_tools_exit_codes() {
    for path in command_paths() {
        let mut args = vec!["--lang", "zh"];
        args.extend(path.iter().map(String::as_str));
        args.push("--no-such-flag");
        let out = run(&args, &[]);
        let err = text(&out.stderr);
        let first = err.lines().next().unwrap_or("");
        assert!(
            first.starts_with("toolkit: 错误: ") && first.chars().any(is_chinese),
            "{path:?}: {err}"
        );
        // nice and renice read their own words: their usage errors, their exit codes.
        let want = match path.first().map(String::as_str) {
            Some("nice") => 125,
            Some("renice") => 1,
            _ => {
                assert!(err.contains("用法:"), "{path:?}: {err}");
                2
            }
        };
        assert_eq!(out.status.code(), Some(want), "{path:?}: {err}");
    }
    // A bad value, a missing subcommand, a misspelt subcommand.
    let out = run(&["--lang", "zh", "parallel", "--jobs", "abc"], &[]);
    assert!(
        text(&out.stderr).contains("'abc' 无效：应为一个整数"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["--lang", "zh", "pss"], &[]);
    assert!(
        text(&out.stderr).contains("你想写的是 'ps' 吗"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2));
    // A clap error under nice is still one of nice's own: 125, as coreutils.
    let out = run(&["--lang", "zh", "nice", "--lang", "xx", "true"], &[]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("可选的值: zh、en"),
        "{}",
        text(&out.stderr)
    );
}
