//! The edge of the program: parse the command line, pick the language, turn every clap struct into
//! the plain options of the module that does the work, dispatch, and turn the result into one line
//! for the user and an exit code. No work happens here, and no module behind it sees clap.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use toolkit::cli::{self, ChatCommand, Cli, Command};
use toolkit::error::{CmdResult, exit_code_of, is_broken_pipe};
use toolkit::i18n::{self, Lang};
use toolkit::{bench, chat, demos, inspect, lessons};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        Some(cli::LangArg::Zh) => Lang::Zh,
        Some(cli::LangArg::En) => Lang::En,
        None => Lang::from_env(),
    };
    match dispatch(cli.command, lang) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}{err:#}", i18n::common::error_prefix(lang));
            ExitCode::from(exit_code_of(&err))
        }
    }
}

fn dispatch(command: Command, lang: Lang) -> CmdResult {
    match command {
        Command::PsTree(args) => inspect::ps_tree::run(&ps_tree_options(args), lang),
        Command::Ps(args) => inspect::ps::run(&ps_options(args), lang),
        Command::StatCodes(args) => inspect::stat_codes::run(args.json, lang),
        Command::ForkDemo(args) => demos::fork_demo::run(&fork_demo_options(args), lang),
        Command::States(args) => demos::states::run(args.json, lang),
        Command::Parallel(args) => demos::parallel::run(
            demos::parallel::Options {
                jobs: args.jobs,
                work_ms: args.work,
                json: args.json,
            },
            lang,
        ),
        Command::Pcb(args) => demos::pcb::run(args.pid, args.json, lang),
        Command::Nice(args) => demos::nice::run(&args.words, lang),
        Command::Renice(args) => demos::nice::renice(&renice_options(args), lang),
        Command::Top(args) => inspect::top::run(top_options(args), lang),
        Command::Chat(args) => match args.command {
            ChatCommand::Server(a) => chat::server::run(chat_server_options(a, lang), lang),
            ChatCommand::Client(a) => chat::client::run(
                chat::client::Options {
                    addr: a.addr,
                    name: a.name,
                    explain: a.explain,
                },
                lang,
            ),
            ChatCommand::Bench(a) => bench::run(bench_options(a), lang),
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

fn ps_tree_options(a: cli::PsTreeArgs) -> inspect::ps_tree::Options {
    inspect::ps_tree::Options {
        root: a.pid,
        show_pids: a.show_pids,
        arguments: a.arguments,
        uid_changes: a.uid_changes,
        // pstree: -p implies -c (PIDs make every node different anyway).
        compact: !a.no_compact && !a.show_pids,
        ascii: a.ascii,
        highlight: a.highlight,
        show_parents: a.show_parents,
        stat: a.stat,
        no_kernel: a.no_kernel,
        json: a.json,
    }
}

fn ps_options(a: cli::PsArgs) -> inspect::ps::Options {
    inspect::ps::Options {
        pids: a.pids,
        no_kernel: a.no_kernel,
        tree: a.tree,
        explain: a.explain,
        json: a.json,
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
        pause: Duration::from_millis(a.pause_ms),
    }
}

fn renice_options(a: cli::ReniceArgs) -> demos::nice::ReniceOptions {
    demos::nice::ReniceOptions {
        // clap requires exactly one of the two spellings.
        value: i64::from(a.priority.or(a.priority_flag).unwrap_or(0)),
        relative: a.relative,
        pids: a.pids,
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
        config: chat::server::Config {
            max_clients: a.max_clients.max(1),
            name_timeout: Duration::from_secs(a.name_timeout.max(1)),
            rate_per_second: a.rate,
            rate_burst: chat::server::RATE_BURST,
            queue_len: a.queue.max(1),
            linger: Duration::from_millis(a.linger_ms),
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
        },
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
    match Cli::try_parse_from(words) {
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
        assert!(matches!(
            classify("toolkit ps --no-such-flag"),
            Step::DoesNotParse(_)
        ));
    }
}
