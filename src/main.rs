//! The edge of the program: parse the command line, pick the language, turn every clap struct into
//! the plain options of the module that does the work, dispatch, and turn the result into one line
//! for the user and an exit code. No work happens here, and no module behind it sees clap.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches, Parser};
use toolkit::cli::{self, ChatCommand, Cli, Command};
use toolkit::error::{CmdResult, Failure, exit_code_of, is_broken_pipe};
use toolkit::i18n::cli::{ParseError, ValueProblem};
use toolkit::i18n::{self, Lang};
use toolkit::{bench, chat, demos, inspect, lessons, quiz};

/// The Chinese command line: help texts and headings from the catalogue.
const ZH: cli::Texts = cli::Texts {
    about: i18n::cli::zh_about,
    after_help: i18n::cli::zh_after_help,
    arg: i18n::cli::zh_arg,
    usage: i18n::cli::ZH_HELP_WORDS.usage,
    arguments: i18n::cli::ZH_HELP_WORDS.arguments,
    options: i18n::cli::ZH_HELP_WORDS.options,
    commands: i18n::cli::ZH_HELP_WORDS.commands,
    command_value: i18n::cli::ZH_HELP_WORDS.command_value,
    default: i18n::cli::ZH_HELP_WORDS.default,
    possible: i18n::cli::ZH_HELP_WORDS.possible,
};

fn main() -> ExitCode {
    let args = cli::bsd_ps_words(std::env::args_os().collect());
    // The language is needed before clap runs, so that its help and errors can be in it too.
    let lang = lang_in_args(&args).unwrap_or_else(Lang::from_env);
    let command = match lang {
        Lang::Zh => cli::localized(&ZH),
        Lang::En => Cli::command(),
    };
    let cli = match command
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(err) => return parse_failure(&err, lang, &args),
    };
    match dispatch(cli.command, lang) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err, lang);
            ExitCode::from(exit_code_of(&err))
        }
    }
}

/// The one line the user reads about a failure, in their language.
fn report(err: &anyhow::Error, lang: Lang) {
    use toolkit::child::ChildError;
    use toolkit::i18n::common as t;
    let Some(child_error) = err.downcast_ref::<ChildError>() else {
        eprintln!("{}{err:#}", t::error_prefix(lang));
        return;
    };
    let name = |errno: nix::errno::Errno| format!("{errno:?}");
    let message = match child_error {
        ChildError::Interrupted(sig) => {
            // Not an error of ours: the user asked. On a terminal the echoed ^C has no newline.
            let newline = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                "\n"
            } else {
                ""
            };
            eprintln!("{newline}toolkit: {}", t::interrupted(lang, sig.as_str()));
            return;
        }
        ChildError::MultiThreaded(n) => t::multi_threaded(lang, *n),
        ChildError::ThreadsUnknown => t::threads_unknown(lang),
        ChildError::Fork(errno) => t::fork_failed_plain(lang, &name(*errno), errno.desc()),
        ChildError::Wait { pid, errno } => t::wait_failed(lang, *pid, &name(*errno), errno.desc()),
    };
    eprintln!("{}{message}", t::error_prefix(lang));
}

/// `--lang zh` / `--lang=en` among the words, read before clap (which would refuse a bad value
/// itself, in the environment's language).
fn lang_in_args(args: &[OsString]) -> Option<Lang> {
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .map_while(|a| a.to_str())
        .take_while(|w| *w != "--")
        .collect();
    let value = words.iter().enumerate().find_map(|(i, w)| match *w {
        "--lang" => words.get(i + 1).copied(),
        _ => w.strip_prefix("--lang="),
    })?;
    match value {
        "zh" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// clap refused the words, or was asked for help or the version. Exit codes as the tools users
/// know: 125 for `nice` (coreutils), 1 for `renice` (util-linux), clap's 2 elsewhere.
fn parse_failure(err: &clap::Error, lang: Lang, args: &[OsString]) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) || lang == Lang::En
    {
        let _ = err.print();
    } else {
        let path = cli::subcommand_path(args);
        let usage = err.get(ContextKind::Usage).map(|u| {
            u.to_string()
                .replacen("Usage:", i18n::cli::ZH_HELP_WORDS.usage, 1)
        });
        let command = std::iter::once("toolkit".to_string())
            .chain(path)
            .collect::<Vec<_>>()
            .join(" ");
        let mut text = format!(
            "{}{}\n",
            i18n::common::error_prefix(lang),
            i18n::cli::zh_parse_error(&parse_error(err, &mut String::new()))
        );
        if let Some(usage) = usage {
            text.push_str(&format!("\n{usage}\n"));
        }
        text.push_str(&format!("\n{}\n", i18n::cli::zh_more_help(&command)));
        eprint!("{text}");
    }
    let code = match err.exit_code() {
        0 => 0,
        clap_code => match cli::subcommand_path(args).first().map(String::as_str) {
            Some("nice") => demos::nice::EXIT_CANCELED,
            Some("renice") => demos::nice::renice::EXIT_FAILURE,
            _ => clap_code as u8,
        },
    };
    ExitCode::from(code)
}

/// The plain values of a clap error, for the catalogue. `why` holds the reason a value was refused.
fn parse_error<'a>(err: &'a clap::Error, why: &'a mut String) -> ParseError<'a> {
    let text = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let strings = |kind| match err.get(kind) {
        Some(ContextValue::Strings(v)) => Some(v.as_slice()),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or("");
    let value = text(ContextKind::InvalidValue).unwrap_or("");
    match err.kind() {
        ErrorKind::InvalidValue => ParseError::InvalidValue {
            arg,
            value,
            valid: strings(ContextKind::ValidValue).unwrap_or(&[]),
        },
        ErrorKind::ValueValidation => {
            *why = i18n::cli::zh_value_problem(value_problem(err));
            ParseError::BadValue { arg, value, why }
        }
        ErrorKind::UnknownArgument => ParseError::UnknownArgument {
            arg,
            suggestion: text(ContextKind::SuggestedArg),
        },
        ErrorKind::InvalidSubcommand => ParseError::UnknownSubcommand {
            name: text(ContextKind::InvalidSubcommand).unwrap_or(""),
            suggestion: strings(ContextKind::SuggestedSubcommand)
                .and_then(|s| s.first())
                .map(String::as_str),
        },
        ErrorKind::MissingRequiredArgument => ParseError::MissingArguments {
            args: strings(ContextKind::InvalidArg).unwrap_or(&[]),
        },
        ErrorKind::ArgumentConflict => ParseError::Conflict {
            arg,
            with: text(ContextKind::PriorArg).or_else(|| {
                strings(ContextKind::PriorArg)
                    .and_then(|s| s.first())
                    .map(String::as_str)
            }),
        },
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            ParseError::WrongNumberOfValues { arg }
        }
        _ => ParseError::Other {
            english: err.kind().as_str().unwrap_or("?"),
        },
    }
}

/// Why the value parser refused a value, from its error.
fn value_problem(err: &clap::Error) -> ValueProblem {
    let Some(source) = std::error::Error::source(err) else {
        return ValueProblem::Other(String::new());
    };
    if let Some(e) = source.downcast_ref::<std::num::ParseIntError>() {
        use std::num::IntErrorKind::*;
        return match e.kind() {
            Empty => ValueProblem::Empty,
            PosOverflow | NegOverflow => ValueProblem::TooLarge,
            _ => ValueProblem::NotANumber,
        };
    }
    let message = source.to_string();
    match message.split_once(" is not in ") {
        Some((_, range)) => ValueProblem::OutOfRange(range.to_string()),
        None => ValueProblem::Other(message),
    }
}

fn dispatch(command: Command, lang: Lang) -> CmdResult {
    match command {
        Command::PsTree(args) => inspect::ps_tree::run(&ps_tree_options(args, lang)?, lang),
        Command::Ps(args) => inspect::ps::run(&ps_options(args), lang),
        Command::StatCodes(args) => inspect::stat_codes::run(args.json, lang),
        Command::ForkDemo(args) => demos::fork_demo::run(&fork_demo_options(args), lang),
        Command::States(args) => demos::states::run(args.json, args.svg.as_deref(), lang),
        Command::Parallel(args) => demos::parallel::run(
            demos::parallel::Options {
                jobs: args.jobs,
                work_ms: args.work,
                json: args.json,
            },
            lang,
        ),
        Command::Threads(args) => demos::threads::run(args.json, lang),
        Command::Pcb(args) => demos::pcb::run(args.pid, args.json, lang),
        Command::Nice(args) => demos::nice::run(&args.words, lang),
        Command::Renice(args) => demos::nice::renice::run(&args.words, lang),
        Command::Top(args) => inspect::top::run(top_options(args), lang),
        Command::Chat(args) => match args.command {
            ChatCommand::Server(a) => chat::server::run(chat_server_options(a, lang), lang),
            ChatCommand::Client(a) => chat::client::run(
                chat::client::Options {
                    addr: a.addr,
                    name: a.name,
                    explain: a.explain,
                    timestamps: a.timestamps,
                },
                lang,
            ),
            ChatCommand::Bench(a) => bench::run(bench_options(a), lang),
        },
        Command::Quiz(args) => match args.command {
            cli::QuizCommand::Fork(a) => quiz::fork::run(
                &quiz::fork::Options {
                    seed: a.seed,
                    level: a.level,
                    code: match a.code {
                        cli::CodeArg::Python => quiz::program::Code::Python,
                        cli::CodeArg::C => quiz::program::Code::C,
                    },
                    answer: a.answer,
                    json: a.json,
                    export: a.export,
                    svg: a.svg,
                    dot: a.dot,
                    ascii: !locale_is_utf8(),
                },
                lang,
            ),
            cli::QuizCommand::States(a) => quiz::states::run(
                &quiz::states::Options {
                    scenario: a
                        .scenario
                        .as_deref()
                        .and_then(quiz::states::Scenario::from_id),
                    seed: a.seed,
                    all: a.all,
                    answer: a.answer,
                    json: a.json,
                },
                lang,
            ),
        },
        Command::Lesson(args) => lessons::run(
            lessons::Options {
                number: args.number,
                run: args.run,
                yes: args.yes,
            },
            &classify_lesson_command,
            lang,
        ),
    }
}

fn ps_tree_options(a: cli::PsTreeArgs, lang: Lang) -> Result<inspect::ps_tree::Options, Failure> {
    // pstree's rule: what starts with a digit is a PID, anything else a user name.
    let (root, user) = match a.root.as_deref() {
        None => (None, None),
        Some(text) if text.starts_with(|c: char| c.is_ascii_digit()) => {
            let pid = text
                .parse::<i32>()
                .map_err(|_| Failure::new(1, i18n::inspect::not_a_pid(lang, text)))?;
            (Some(pid), None)
        }
        Some(name) => match nix::unistd::User::from_name(name) {
            Ok(Some(user)) => (None, Some(user.uid.as_raw())),
            _ => {
                return Err(Failure::new(
                    1,
                    i18n::inspect::no_such_user_name(lang, name),
                ));
            }
        },
    };
    Ok(inspect::ps_tree::Options {
        root,
        user,
        show_pids: a.show_pids,
        arguments: a.arguments,
        uid_changes: a.uid_changes,
        // pstree: -p and -a imply -c (-g does not: siblings of one group still fold).
        compact: !a.no_compact && !a.show_pids && !a.arguments,
        // pstree folds threads even with -a, but not with -c or -p.
        compact_threads: !a.no_compact && !a.show_pids,
        numeric_sort: a.numeric_sort,
        show_pgids: a.show_pgids,
        // pstree cuts lines at $COLUMNS, else the terminal's width, else 132, unless -l.
        width: (!a.long && !a.json).then(line_width),
        threads: !a.hide_threads,
        thread_names: a.thread_names,
        // -A, -U, else as pstree decides: UTF-8 lines only on a terminal with a UTF-8 locale,
        // ASCII into a pipe or a file.
        ascii: a.ascii
            || (!a.unicode
                && !a.vt100
                && (!locale_is_utf8() || !std::io::IsTerminal::is_terminal(&std::io::stdout()))),
        vt100: a.vt100,
        highlight: a.highlight,
        show_parents: a.show_parents,
        stat: a.stat,
        no_kernel: a.no_kernel,
        json: a.json,
        svg: a.svg,
        dot: a.dot,
    })
}

/// The width pstree cuts its lines at: `$COLUMNS`, else the terminal's, else 132.
fn line_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return columns;
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdout())
        && let Ok((columns, _)) = ratatui::crossterm::terminal::size()
        && columns > 0
    {
        return usize::from(columns);
    }
    132
}

/// Whether the locale's character set is UTF-8: `LC_ALL`, else `LC_CTYPE`, else `LANG`.
fn locale_is_utf8() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

fn ps_options(a: cli::PsArgs) -> inspect::ps::Options {
    inspect::ps::Options {
        pids: a.pids,
        no_kernel: a.no_kernel,
        tree: a.tree,
        explain: a.explain,
        json: a.json,
        threads: a.threads,
        format: a.format,
        user: a.user,
        sort: a.sort,
    }
}

fn fork_demo_options(a: cli::ForkDemoArgs) -> demos::fork_demo::Options {
    demos::fork_demo::Options {
        rounds: a.rounds,
        zombie: a.zombie,
        orphan: a.orphan,
        tree: a.tree,
        buffer_trap: a.buffer_trap,
        json: a.json,
        svg: a.svg,
        dot: a.dot,
        pause: Duration::from_millis(a.pause_ms),
    }
}

fn top_options(a: cli::TopArgs) -> inspect::top::Options {
    inspect::top::Options {
        delay_secs: a.delay,
        iterations: a.iterations,
        batch: a.batch,
        json: a.json,
        pids: a.pids,
        user: a.user,
        threads: a.threads,
        sample_ms: a.sample_ms,
    }
}

fn chat_server_options(a: cli::ChatServerArgs, lang: Lang) -> chat::server::Options {
    chat::server::Options {
        addr: a.addr,
        web: a.web,
        config: chat::server::Config {
            max_clients: a.max_clients.max(1),
            max_per_address: a.max_per_address,
            name_timeout: Duration::from_secs(a.name_timeout.max(1)),
            rate_per_second: a.rate,
            rate_burst: chat::server::RATE_BURST,
            queue_len: a.queue.max(1),
            linger: Duration::from_millis(a.linger_ms),
            history: a.history,
            web_origins: a.web_origin,
            lang,
        },
        explain: a.explain,
    }
}

fn bench_options(a: cli::ChatBenchArgs) -> bench::Options {
    bench::Options {
        addr: a.addr,
        clients: a.clients,
        senders: a.senders,
        messages: a.messages,
        rate: a.rate,
        duration: Duration::from_secs(a.duration),
        protocol: match a.protocol {
            cli::BenchProtocol::Toolkit => bench::Protocol::Toolkit,
            cli::BenchProtocol::Irc => bench::Protocol::Irc,
            cli::BenchProtocol::Udp => bench::Protocol::Udp,
            cli::BenchProtocol::Ws => bench::Protocol::Ws,
            cli::BenchProtocol::Mixed => bench::Protocol::Mixed,
        },
        web_addr: a.web_addr,
        server_pid: a.server_pid,
        threads: a.threads,
        probes: a.probes,
        json: a.json,
    }
}

/// What `toolkit lesson N --run` may do with one of the lesson's commands (`toolkit` first),
/// decided by the real command line parser.
fn classify_lesson_command(words: &[String]) -> lessons::Step {
    use lessons::Step;
    match Cli::try_parse_from(cli::bsd_ps_words(
        words.iter().map(OsString::from).collect(),
    )) {
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            Step::DoesNotParse(first.trim_start_matches("error: ").to_string())
        }
        // The chat server serves until stopped; the client reads the keyboard; bench needs a server.
        Ok(Cli {
            command: Command::Chat(_),
            ..
        }) => Step::AnotherTerminal,
        // top without a frame count runs until q: a live view for a terminal of its own.
        Ok(Cli {
            command: Command::Top(cli::TopArgs {
                iterations: None, ..
            }),
            ..
        }) => Step::AnotherTerminal,
        // A lesson presenting itself from inside a presentation would wait on the same keyboard.
        Ok(Cli {
            command: Command::Lesson(cli::LessonArgs { run: true, .. }),
            ..
        }) => Step::AnotherTerminal,
        Ok(_) => Step::Run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolkit::lessons::Step;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    /// Every command and argument of the tree has its Chinese text, and so has every
    /// `after_help` (the examples).
    #[test]
    fn every_help_text_has_a_chinese_twin() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if i18n::cli::zh_about(path).is_none() {
                missing.push(format!("about of {path:?}"));
            }
            if cmd.get_after_help().is_some() && i18n::cli::zh_after_help(path).is_none() {
                missing.push(format!("after_help of {path:?}"));
            }
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if i18n::cli::zh_arg(path, arg.get_id().as_str()).is_none() {
                    missing.push(format!("{path:?} {}", arg.get_id()));
                }
            }
            // `help`'s own subcommands are only names to complete, never shown.
            for sub in cmd.get_subcommands().filter(|_| cmd.get_name() != "help") {
                let sub_path = match path {
                    "" => sub.get_name().to_string(),
                    _ => format!("{path} {}", sub.get_name()),
                };
                walk(sub, &sub_path, missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "no Chinese text for: {missing:#?}");
    }

    #[test]
    fn the_language_is_read_from_the_words_before_clap() {
        let args = |line: &str| -> Vec<OsString> { line.split(' ').map(OsString::from).collect() };
        assert_eq!(lang_in_args(&args("toolkit --lang zh ps")), Some(Lang::Zh));
        assert_eq!(lang_in_args(&args("toolkit ps --lang=en")), Some(Lang::En));
        assert_eq!(lang_in_args(&args("toolkit ps --lang xx")), None);
        assert_eq!(lang_in_args(&args("toolkit nice -- --lang zh")), None);
    }

    #[test]
    fn chat_is_for_another_terminal_and_stale_commands_are_caught() {
        let classify = |line| classify_lesson_command(&words(line));
        assert_eq!(classify("toolkit ps -p 1"), Step::Run);
        assert_eq!(classify("toolkit chat server"), Step::AnotherTerminal);
        assert_eq!(
            classify("toolkit chat client --name alice"),
            Step::AnotherTerminal
        );
        assert_eq!(classify("toolkit lesson 1 --run"), Step::AnotherTerminal);
        assert_eq!(classify("toolkit top"), Step::AnotherTerminal);
        assert_eq!(classify("toolkit top -b -n 2"), Step::Run);
        assert!(matches!(
            classify("toolkit ps --no-such-flag"),
            Step::DoesNotParse(_)
        ));
    }
}
