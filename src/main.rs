//! The edge of the program: parse the command line, pick the language, dispatch, and turn the
//! result into one line for the user and an exit code. No work happens here.

use std::process::ExitCode;

use clap::Parser;
use toolkit::cli::{self, ChatCommand, Cli, Command};
use toolkit::error::{CmdResult, exit_code_of, is_broken_pipe};
use toolkit::i18n::{self, Lang};
use toolkit::{chat, demos, inspect, lessons};

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
        Command::ForkDemo(args) => demos::fork_demo::run(
            &demos::fork_demo::Options {
                rounds: args.rounds,
                zombie: args.zombie,
                orphan: args.orphan,
                tree: args.tree,
                buffer_trap: args.buffer_trap,
                json: args.json,
                pause: std::time::Duration::from_millis(args.pause_ms),
            },
            lang,
        ),
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
        Command::Nice(args) => demos::nice::run(args, lang),
        Command::Renice(args) => demos::nice::renice(args, lang),
        Command::Chat(args) => match args.command {
            ChatCommand::Server(a) => chat::server::run(a, lang),
            ChatCommand::Client(a) => chat::client::run(a, lang),
            ChatCommand::Bench(a) => chat::bench::run(a, lang),
        },
        Command::Lesson(args) => lessons::run(args, lang),
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
