//! Command-line definitions, and nothing else.
//!
//! Every subcommand, its flags and its help text live here so `toolkit --help` is the index of the
//! course. The work lives in modules that know nothing of clap: `main.rs` turns these structs into
//! plain options. From the rest of the crate this file takes only default values, so a default
//! shown in `--help` is the one the code uses.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::chat::server::{
    DEFAULT_LINGER_MS, DEFAULT_MAX_CLIENTS, DEFAULT_NAME_TIMEOUT_SECS, DEFAULT_QUEUE, DEFAULT_RATE,
};

/// Linux processes, shown on the live machine / 在真实的机器上看懂 Linux 进程
#[derive(Debug, Parser)]
#[command(name = "toolkit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Language of messages: zh or en (default: zh when LANG starts with zh, else en)
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Draw the parent/child process tree from /proc, like pstree
    #[command(name = "ps-tree")]
    PsTree(PsTreeArgs),
    /// List processes like `ps aux`, with the STAT column decoded
    Ps(PsArgs),
    /// Explain every ps STAT letter and modifier, and map them to the 3- and 5-state models
    #[command(name = "stat-codes")]
    StatCodes(StatCodesArgs),
    /// Fork for real: return values, PIDs, copied memory, zombies, orphans
    #[command(name = "fork-demo")]
    ForkDemo(ForkDemoArgs),
    /// Drive one child through the process states and read each one back from /proc
    States(StatesArgs),
    /// Concurrency vs parallelism: the same jobs on one CPU, then on all CPUs
    Parallel(ParallelArgs),
    /// Show the process control block (PCB) fields Linux exposes for a process
    Pcb(PcbArgs),
    /// Run a command at an adjusted niceness (like coreutils nice), or race two priorities
    Nice(NiceArgs),
    /// Change the niceness of a running process (like renice)
    Renice(ReniceArgs),
    /// Watch priorities and states live, like top, with a log of every state change
    Top(TopArgs),
    /// The multi-process chatroom: server, client, load generator
    Chat(ChatArgs),
    /// Read the course lessons (embedded), or present one by running its commands
    Lesson(LessonArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit ps-tree\n  toolkit ps-tree -p $$\n  toolkit ps-tree -s -p $$\n  toolkit ps-tree --stat --json 1"
)]
pub struct PsTreeArgs {
    /// Root of the tree (default: 1; with -s, the process whose ancestors are shown)
    pub pid: Option<i32>,
    /// Show PIDs
    #[arg(short = 'p', long = "show-pids")]
    pub show_pids: bool,
    /// Show command-line arguments
    #[arg(short = 'a', long = "arguments")]
    pub arguments: bool,
    /// Show uid transitions
    #[arg(short = 'u', long = "uid-changes")]
    pub uid_changes: bool,
    /// Don't compact identical subtrees
    #[arg(short = 'c', long = "compact-not")]
    pub no_compact: bool,
    /// Use ASCII line drawing characters
    #[arg(short = 'A', long = "ascii")]
    pub ascii: bool,
    /// Highlight this process and its ancestors (default on a TTY: the toolkit's own ancestry)
    #[arg(short = 'H', long = "highlight", value_name = "PID")]
    pub highlight: Option<i32>,
    /// Show the parents (ancestors) of the selected process
    #[arg(short = 's', long = "show-parents")]
    pub show_parents: bool,
    /// Show STAT and NI beside each process
    #[arg(long)]
    pub stat: bool,
    /// Hide kernel threads (children of kthreadd, PID 2)
    #[arg(long = "no-kernel")]
    pub no_kernel: bool,
    /// Print the tree as nested JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit ps\n  toolkit ps -p 1,$$\n  toolkit ps --explain\n  toolkit ps --json -p $$"
)]
pub struct PsArgs {
    /// Select processes by PID (comma-separated, may repeat)
    #[arg(short = 'p', long = "pid", value_delimiter = ',', value_name = "PID")]
    pub pids: Vec<i32>,
    /// Hide kernel threads (children of kthreadd, PID 2)
    #[arg(long = "no-kernel")]
    pub no_kernel: bool,
    /// Show the processes as a tree (the ps-tree view)
    #[arg(long)]
    pub tree: bool,
    /// Explain the STAT codes instead of listing processes (same as `toolkit stat-codes`)
    #[arg(long)]
    pub explain: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatCodesArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit fork-demo\n  toolkit fork-demo --zombie\n  toolkit fork-demo --orphan\n  toolkit fork-demo --tree 3\n  toolkit fork-demo --buffer-trap"
)]
pub struct ForkDemoArgs {
    /// How many fork rounds to run when counting who prints first
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub rounds: u32,
    /// Show a zombie: the child exits, the parent waits before reaping it
    #[arg(long)]
    pub zombie: bool,
    /// Show an orphan: the grandchild's parent exits first and the grandchild is re-parented
    #[arg(long)]
    pub orphan: bool,
    /// fork() N times in a loop (N <= 6) and draw the live tree of 2^N processes
    #[arg(long, value_name = "N")]
    pub tree: Option<u32>,
    /// Show why buffered output written before fork() can appear twice
    #[arg(long = "buffer-trap")]
    pub buffer_trap: bool,
    /// Print one JSON object per observation
    #[arg(long)]
    pub json: bool,
    /// With --zombie: how long to leave the zombie in place before reaping it, in milliseconds
    #[arg(long = "pause-ms", default_value_t = 1500, value_name = "MS")]
    pub pause_ms: u64,
}

#[derive(Debug, Args)]
pub struct StatesArgs {
    /// Print the observations as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ParallelArgs {
    /// Number of worker processes
    #[arg(long, default_value_t = 4, value_name = "K")]
    pub jobs: u32,
    /// CPU work per job, in milliseconds
    #[arg(long, default_value_t = 200, value_name = "MS")]
    pub work: u64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PcbArgs {
    /// Process to show (default: the toolkit itself)
    pub pid: Option<i32>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `toolkit nice` takes coreutils-style arguments, including a signed adjustment (`-9`) in front of
/// the command, which clap cannot express as flags; the `nice` module parses these words itself.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct NiceArgs {
    /// [-n N | --adjustment N | N] [-q] [--explain] [--race [N] [--seconds S]] [COMMAND [ARG]...]
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub words: Vec<String>,
}

/// util-linux `renice` sets the nice value (absolute) by default; `--relative` adds to it instead.
#[derive(Debug, Args)]
#[command(
    override_usage = "toolkit renice [-n] PRIORITY [--relative] -p PID...",
    after_help = "Examples:\n  toolkit renice 5 -p 1234          set the nice value of 1234 to 5\n  toolkit renice -n -5 -p 1234      set it to -5 (needs root or CAP_SYS_NICE)\n  toolkit renice --relative 2 -p 1234 1235   add 2 to the nice value of both\n\nThe new value is clamped to -20..19. top's PR = 20 + nice (lower = higher priority)."
)]
pub struct ReniceArgs {
    /// New nice value, -20..19 (absolute, as util-linux renice; with --relative, an increment)
    #[arg(
        allow_negative_numbers = true,
        value_name = "PRIORITY",
        required_unless_present = "priority_flag",
        conflicts_with = "priority_flag"
    )]
    pub priority: Option<i32>,
    /// The same value, written as an option
    #[arg(
        short = 'n',
        long = "priority",
        value_name = "PRIORITY",
        allow_negative_numbers = true
    )]
    pub priority_flag: Option<i32>,
    /// Add PRIORITY to the current nice value instead of setting it
    #[arg(long)]
    pub relative: bool,
    /// Process(es) to change
    #[arg(short = 'p', long = "pid", value_name = "PID", required = true, num_args = 1..)]
    pub pids: Vec<i32>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit top\n  toolkit top -p 4242,4243          watch two processes (e.g. the racers of `toolkit nice --race`)\n  toolkit top -d 0.5 --sample-ms 50  refresh twice a second, look for state changes 20 times\n  toolkit top -b -n 3 -d 1          three text frames, like top -b\n  toolkit top --json -n 2 -p $$     two JSON frames (one object per line)\n\nKeys: P M N T sort by %CPU / %MEM / PID / TIME+, < > move the sort column, u user filter,\no or / name filter, H threads, V tree view, r renice, k send a signal (STOP, CONT...),\np pause, ? or h help, q quit.\n\n%CPU is Irix mode, like top's default: the CPU time used between two samples as a percentage\nof ONE CPU (a process with 4 busy threads shows 400%). When stdout is not a terminal, frames\nare printed as text (batch mode)."
)]
pub struct TopArgs {
    /// Seconds between refreshes (top's -d)
    #[arg(
        short = 'd',
        long = "delay",
        default_value_t = 1.0,
        value_name = "SECS"
    )]
    pub delay: f64,
    /// Show this many frames, then exit (top's -n; default: until q)
    #[arg(short = 'n', long = "iterations", value_name = "N")]
    pub iterations: Option<u32>,
    /// Batch mode: print frames as text, like top -b (also when stdout is not a terminal)
    #[arg(short = 'b', long = "batch")]
    pub batch: bool,
    /// Print one JSON object per frame: header figures, rows, transitions since the last frame
    #[arg(long)]
    pub json: bool,
    /// Watch only these PIDs (comma-separated, may repeat)
    #[arg(short = 'p', long = "pid", value_delimiter = ',', value_name = "PID")]
    pub pids: Vec<i32>,
    /// Show only the processes of this user (name or uid)
    #[arg(short = 'u', long = "user", value_name = "USER")]
    pub user: Option<String>,
    /// Show threads instead of processes (top's -H)
    #[arg(short = 'H', long = "threads")]
    pub threads: bool,
    /// Sample the watched processes every MS milliseconds for the transitions log (default: at
    /// each refresh); a state change shorter than this cannot be seen
    #[arg(long = "sample-ms", value_name = "MS")]
    pub sample_ms: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    #[command(subcommand)]
    pub command: ChatCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Run the chat server (forks an admin-console child that reads this terminal)
    Server(ChatServerArgs),
    /// Join the chat (forks: the child sends what you type, the parent prints what arrives)
    Client(ChatClientArgs),
    /// Load generator: many clients, measured deliveries and latency
    Bench(ChatBenchArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit chat server\n  toolkit chat server --addr 127.0.0.1:0 --explain\n  toolkit chat server --max-clients 50 --rate 2\n\nType a line into the server's terminal to speak as the administrator.\nProtocol: docs/chat-protocol.md (simple enough for `nc 127.0.0.1 8888`)."
)]
pub struct ChatServerArgs {
    /// Address to listen on (port 0 picks a free port; the real address is printed first)
    #[arg(long, default_value = "127.0.0.1:8888")]
    pub addr: String,
    /// Most clients at once; more are refused with a message
    #[arg(long = "max-clients", default_value_t = DEFAULT_MAX_CLIENTS)]
    pub max_clients: usize,
    /// Seconds a new connection has to send its name before it is closed
    #[arg(long = "name-timeout", default_value_t = DEFAULT_NAME_TIMEOUT_SECS, value_name = "SECS")]
    pub name_timeout: u64,
    /// Messages per second per client after a burst of 10 (0: no limit); faster senders are delayed
    #[arg(long, default_value_t = DEFAULT_RATE, value_name = "N")]
    pub rate: u32,
    /// Messages waiting for one client before it counts as not reading and is dropped
    #[arg(long, default_value_t = DEFAULT_QUEUE, value_name = "N")]
    pub queue: usize,
    /// While lines keep coming, wait at most this long between writes to a client, sending
    /// everything that came in meanwhile at once (fewer system calls under load; a quiet room or
    /// a small one is written to sooner; 0: never wait)
    #[arg(long = "linger-ms", default_value_t = DEFAULT_LINGER_MS, value_name = "MS")]
    pub linger_ms: u64,
    /// Print which process does which job
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit chat client --name alice\n  toolkit --lang zh chat client --addr 127.0.0.1:8888 --explain\n  printf 'hello\\nquit\\n' | toolkit chat client --name bot\n\nType quit or press Ctrl-D to leave. Exit codes: 0 left normally, 1 server gone or refused,\n2 name refused and stdin is not a terminal, 130 Ctrl-C."
)]
pub struct ChatClientArgs {
    /// Server address
    #[arg(long, default_value = "127.0.0.1:8888")]
    pub addr: String,
    /// Name to enter with (asked for when not given)
    #[arg(long)]
    pub name: Option<String>,
    /// Print which process does which job
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct ChatBenchArgs {
    /// Server address
    #[arg(long, default_value = "127.0.0.1:8888")]
    pub addr: String,
    /// Connections to open
    #[arg(long, default_value_t = 100)]
    pub clients: usize,
    /// How many of them send
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Messages per sender
    #[arg(long, default_value_t = 100)]
    pub messages: usize,
    /// Messages per second per sender (0: as fast as possible)
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Upper bound on the run, in seconds
    #[arg(long, default_value_t = 60)]
    pub duration: u64,
    /// Protocol to speak
    #[arg(long, value_enum, default_value_t = BenchProtocol::Toolkit)]
    pub protocol: BenchProtocol,
    /// Server PID, to read its CPU time and peak RSS from /proc
    #[arg(long = "server-pid")]
    pub server_pid: Option<i32>,
    /// Threads the load generator runs its clients on (1 to 64)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: u16,
    /// Clients read on a thread of their own, for a latency the load generator's lag cannot
    /// inflate (0 for none)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub probes: u16,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchProtocol {
    /// Our line protocol (docs/chat-protocol.md)
    Toolkit,
    /// The minimum of IRC (RFC 2812), for ngircd or InspIRCd
    Irc,
    /// The homework's UDP reference design (benches/reference_chat.py)
    Udp,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit lesson\n  toolkit lesson 3\n  toolkit --lang zh lesson 3\n  toolkit lesson 3 --run\n  toolkit lesson 3 --run --yes"
)]
pub struct LessonArgs {
    /// Lesson number (omit to list the lessons)
    pub number: Option<u32>,
    /// Present the lesson: show each of its commands, wait for Enter, run it, show its exit status
    /// (chat commands are only shown: run them in another terminal)
    #[arg(long, requires = "number")]
    pub run: bool,
    /// With --run: don't wait for a key between commands (also what happens when stdin is not a
    /// terminal)
    #[arg(long, requires = "run")]
    pub yes: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn nice_keeps_signed_adjustment_and_command_words() {
        let cli = Cli::try_parse_from(["toolkit", "nice", "-9", "sh", "-c", "exit 7"]).unwrap();
        match cli.command {
            Command::Nice(args) => assert_eq!(args.words, ["-9", "sh", "-c", "exit 7"]),
            other => panic!("parsed as {other:?}"),
        }
    }
}
