//! Command-line definitions, and nothing else.
//!
//! Every subcommand, its flags and its help text live here so `toolkit --help` is the index of the
//! course. The work lives in modules that know nothing of clap: `main.rs` turns these structs into
//! plain options. From the rest of the crate this file takes only default values, so a default
//! shown in `--help` is the one the code uses.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::chat::server::{
    DEFAULT_HISTORY, DEFAULT_LINGER_MS, DEFAULT_MAX_CLIENTS, DEFAULT_MAX_PER_ADDRESS,
    DEFAULT_NAME_TIMEOUT_SECS, DEFAULT_QUEUE, DEFAULT_RATE,
};

/// Linux processes, shown on the live machine / 在真实的机器上看懂 Linux 进程
#[derive(Debug, Parser)]
#[command(name = "toolkit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Language of messages: zh or en (default: from LC_ALL, else LC_MESSAGES, else LANG: zh when
    /// it starts with zh)
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
    /// Threads, the other means: one memory, one PID with a TID each, `l` in STAT, every core
    Threads(ThreadsArgs),
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
    /// Predict, then verify on the real kernel: fork programs and process states
    Quiz(QuizArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit ps-tree\n  toolkit ps-tree -p $$\n  toolkit ps-tree -s -p $$\n  toolkit ps-tree --stat --json 1"
)]
pub struct PsTreeArgs {
    /// Root of the tree: a PID (default 1; 0 draws the kernel's `?` above init and kthreadd;
    /// with -s, the process whose ancestors are shown), or a USER: every tree rooted at a process
    /// of that user whose parent is another user's
    #[arg(value_name = "PID|USER")]
    pub root: Option<String>,
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
    /// Use ASCII line drawing characters (the default when the locale is not UTF-8)
    #[arg(short = 'A', long = "ascii", overrides_with_all = ["unicode", "vt100"])]
    pub ascii: bool,
    /// Don't truncate long lines (without it, lines are cut at $COLUMNS, else the terminal's
    /// width, else 132, as pstree cuts them)
    #[arg(short = 'l', long = "long")]
    pub long: bool,
    /// Sort children by PID instead of by name
    #[arg(short = 'n', long = "numeric-sort")]
    pub numeric_sort: bool,
    /// Show process group IDs
    #[arg(short = 'g', long = "show-pgids")]
    pub show_pgids: bool,
    /// Use UTF-8 line drawing characters whatever the locale
    #[arg(short = 'U', long = "unicode", overrides_with_all = ["ascii", "vt100"])]
    pub unicode: bool,
    /// Use VT100 line drawing characters (the terminal's graphic character set); of -A, -G and
    /// -U the last one given wins, as in pstree
    #[arg(short = 'G', long = "vt100", overrides_with_all = ["ascii", "unicode"])]
    pub vt100: bool,
    /// Hide threads (shown by default as {name} children, as pstree shows them)
    #[arg(short = 'T', long = "hide-threads")]
    pub hide_threads: bool,
    /// Name threads by their own names (as a thread sets it with PR_SET_NAME), not their process's
    #[arg(short = 't', long = "thread-names")]
    pub thread_names: bool,
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
    /// Print the tree as nested JSON (for a USER, an array of that user's trees)
    #[arg(long)]
    pub json: bool,
    /// Also write the tree as an SVG picture (one box per process: PID, PPID, command, STAT)
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
    /// Print the tree in Graphviz's DOT language instead (pipe it into `dot -Tpng`)
    #[arg(long, conflicts_with = "json")]
    pub dot: bool,
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
    /// Columns by ps's names, laid out as ps lays them out (comma-separated, may repeat):
    /// pid ppid user uid ni pri priority stat tty start time rss vsz %cpu %mem nlwp comm args
    #[arg(short = 'o', long = "format", value_name = "LIST", conflicts_with_all = ["tree", "json"])]
    pub format: Vec<String>,
    /// Sort by ps's column names, comma-separated, `-` in front for descending: --sort=-%cpu,pid
    #[arg(long = "sort", value_name = "KEYS", allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// Every process (as ps -e; it is the default)
    #[arg(short = 'e')]
    pub every: bool,
    /// Only the processes of this user (name or uid), as ps -u
    #[arg(short = 'u', long = "user", value_name = "USER")]
    pub user: Option<String>,
    /// One row per thread, with its LWP (thread ID) and NLWP (threads in the process), as ps -L
    #[arg(short = 'L', long = "threads", conflicts_with = "tree")]
    pub threads: bool,
    /// Explain the STAT codes instead of listing processes (same as `toolkit stat-codes`)
    #[arg(long, conflicts_with_all = ["pids", "no_kernel", "tree", "threads"])]
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
    /// How many fork rounds to run when counting who prints first (1 to 1000)
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
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
    /// With --tree: also write the live tree as an SVG picture
    #[arg(long, value_name = "FILE", requires = "tree")]
    pub svg: Option<std::path::PathBuf>,
    /// With --tree: print only the live tree, in Graphviz's DOT language
    #[arg(long, requires = "tree", conflicts_with = "json")]
    pub dot: bool,
    /// Show why buffered output written before fork() can appear twice
    #[arg(long = "buffer-trap")]
    pub buffer_trap: bool,
    /// Print one JSON object per observation
    #[arg(long)]
    pub json: bool,
    /// With --zombie: how long to leave the zombie in place before reaping it, in milliseconds
    /// (0 to 600000, ten minutes)
    #[arg(long = "pause-ms", default_value_t = 1500, value_name = "MS", requires = "zombie", value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub pause_ms: u64,
}

#[derive(Debug, Args)]
pub struct StatesArgs {
    /// Print the observations as JSON
    #[arg(long)]
    pub json: bool,
    /// Also write the states as an SVG timeline (one coloured band per observed state)
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
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
pub struct ThreadsArgs {
    /// Print one JSON object per observation
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

/// `toolkit renice` takes util-linux's words (`renice 5 1234`, `renice -n 5 -g 100 -u alice`),
/// where the kind of each ID depends on the flag before it; the `renice` module parses them itself.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct ReniceArgs {
    /// [-n] PRIORITY [[-p] PID...] [-g PGRP...] [-u USER...] [--relative]
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub words: Vec<String>,
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
    /// Most connections from one IP address at once (a classroom behind one router shares one;
    /// 0: no limit, for load tests)
    #[arg(long = "max-per-address", default_value_t = DEFAULT_MAX_PER_ADDRESS, value_name = "N")]
    pub max_per_address: usize,
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
    /// Also serve the chat page and its WebSocket here, into the same room (e.g. 127.0.0.1:8080;
    /// 0.0.0.0:8080 lets the classroom's phones and laptops in, and prints a QR code)
    #[arg(long, value_name = "ADDR")]
    pub web: Option<String>,
    /// Also let pages from this origin open the WebSocket (e.g. http://teacher.local:8080);
    /// repeatable. The page's own origin is always allowed
    #[arg(long = "web-origin", value_name = "ORIGIN", requires = "web")]
    pub web_origin: Vec<String>,
    /// Past messages a newcomer is shown, marked as past (0: none)
    #[arg(long, default_value_t = DEFAULT_HISTORY, value_name = "N")]
    pub history: usize,
    /// Print which process does which job
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit chat client --name alice\n  toolkit --lang zh chat client --addr 127.0.0.1:8888 --explain\n  printf 'hello\\nquit\\n' | toolkit chat client --name bot\n\nType quit or press Ctrl-D to leave, /help for the commands and editing keys. Exit codes: 0 left normally, 1 server gone or refused,\n2 name refused and stdin is not a terminal, 130 Ctrl-C."
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
    /// Put the local time (HH:MM) before every line shown
    #[arg(long)]
    pub timestamps: bool,
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
    /// Protocol to speak: toolkit (our line protocol, docs/chat-protocol.md), irc (the minimum of
    /// IRC, RFC 2812, for ngircd or InspIRCd), udp (the homework's UDP reference design,
    /// examples/python/udp_server.py), ws (our server's WebSocket, `chat server --web`; --addr is
    /// the web address), mixed (half the clients on --addr, half on the WebSocket at --web-addr)
    #[arg(long, value_enum, default_value_t = BenchProtocol::Toolkit)]
    pub protocol: BenchProtocol,
    /// The WebSocket's address, for --protocol mixed
    #[arg(long = "web-addr", value_name = "ADDR")]
    pub web_addr: Option<String>,
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

/// The protocols `--protocol` names (described in its help, so that it can be said in Chinese).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchProtocol {
    Toolkit,
    Irc,
    Udp,
    Ws,
    Mixed,
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

#[derive(Debug, Args)]
pub struct QuizArgs {
    #[command(subcommand)]
    pub command: QuizCommand,
}

#[derive(Debug, Subcommand)]
pub enum QuizCommand {
    /// A random fork program: predict how many processes, lines and which outputs, then it runs
    /// for real
    Fork(QuizForkArgs),
    /// A process from the lessons: predict its STAT string, then read it from /proc
    States(QuizStatesArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CodeArg {
    Python,
    C,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit quiz fork\n  toolkit quiz fork --level 3 --seed 42\n  toolkit quiz fork --seed 42 --answer processes=4,lines=6,orders=ac\n  toolkit quiz fork --seed 42 --export quiz.py && python3 quiz.py\n  toolkit quiz fork --code c --seed 42\n  toolkit quiz fork --seed 42 --svg tree.svg"
)]
pub struct QuizForkArgs {
    /// The same seed gives the same program (default: a new one, shown)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// 1: forks in a straight line; 2: loops and `if pid == 0` branches; 3: waitpid, _exit and
    /// prints in both branches
    #[arg(long, default_value_t = 1, value_name = "1-3", value_parser = clap::value_parser!(u8).range(1..=3))]
    pub level: u8,
    /// The language the program is shown and exported in
    #[arg(long, value_enum, default_value_t = CodeArg::Python)]
    pub code: CodeArg,
    /// Answer without being asked: processes=N,lines=M,orders=LETTERS (orders=none: none is
    /// possible)
    #[arg(long, value_name = "ANSWERS")]
    pub answer: Option<String>,
    /// Print the program, the answers, the real run and the marks as one JSON document
    #[arg(long)]
    pub json: bool,
    /// Write the program to FILE, to run it yourself (python3 FILE)
    #[arg(long, value_name = "FILE")]
    pub export: Option<std::path::PathBuf>,
    /// Also write the real process tree as an SVG picture
    #[arg(long, value_name = "FILE")]
    pub svg: Option<std::path::PathBuf>,
    /// Print only the real process tree, in Graphviz's DOT language
    #[arg(long, conflicts_with = "json")]
    pub dot: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  toolkit quiz states\n  toolkit quiz states zombie\n  toolkit quiz states nice --answer SN\n  toolkit quiz states --all"
)]
pub struct QuizStatesArgs {
    /// The scenario (default: one at random)
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::quiz::states::IDS))]
    pub scenario: Option<String>,
    /// Draw the random scenario from this seed
    #[arg(long, value_name = "N", conflicts_with = "scenario")]
    pub seed: Option<u64>,
    /// Create and read every scenario in turn, as a table (no questions)
    #[arg(long, conflicts_with_all = ["scenario", "seed", "answer"])]
    pub all: bool,
    /// Answer without being asked: a STAT string such as SN
    #[arg(long, value_name = "STAT")]
    pub answer: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// The subcommand path the words name (`["chat", "server"]`), as far as it goes.
pub fn subcommand_path(args: &[std::ffi::OsString]) -> Vec<String> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut path = Vec::new();
    let mut words = args.iter().skip(1).map_while(|a| a.to_str());
    while let Some(word) = words.next() {
        if word == "--lang" {
            words.next();
            continue;
        }
        if word.starts_with('-') {
            continue;
        }
        match command.find_subcommand(word) {
            Some(sub) => {
                path.push(word.to_string());
                command = sub.clone();
            }
            None => break,
        }
    }
    path
}

/// `toolkit ps aux` and `toolkit ps -aux` (the notes' spelling): BSD-style words that ask for
/// every process in the user-oriented format, which is what `toolkit ps` shows anyway. They are
/// dropped before clap parses, which would read `-aux` as three flags.
pub fn bsd_ps_words(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let at = args.iter().position(|a| a == "ps");
    if let Some(at) = at
        && args.get(at + 1).is_some_and(|w| w == "aux" || w == "-aux")
        && subcommand_path(&args[..=at]) == ["ps"]
    {
        args.remove(at + 1);
    }
    args
}

/// The texts of another language for the command tree, looked up by command path (`""` for
/// `toolkit`, `"chat server"`) and argument id (the field name above). Plain functions, so this file
/// needs nothing from the catalogues.
pub struct Texts {
    pub about: fn(&str) -> Option<&'static str>,
    pub after_help: fn(&str) -> Option<&'static str>,
    pub arg: fn(&str, &str) -> Option<&'static str>,
    /// "Usage:", and the headings of the argument, option and subcommand lists.
    pub usage: &'static str,
    pub arguments: &'static str,
    pub options: &'static str,
    pub commands: &'static str,
    /// The placeholder of a subcommand in the usage line (`<COMMAND>`).
    pub command_value: &'static str,
    /// How a default value and the possible values are introduced, after an argument's help.
    pub default: &'static str,
    pub possible: &'static str,
}

/// The whole command tree with its help in the language of `texts`. The tree is built first, so
/// that clap's own `--help`, `--version` and `help` are there to be translated too.
pub fn localized(texts: &Texts) -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    localize(cmd, "", texts)
}

fn localize(mut cmd: clap::Command, path: &str, t: &Texts) -> clap::Command {
    if let Some(about) = (t.about)(path) {
        cmd = cmd.about(about).long_about(None);
    }
    if let Some(after) = (t.after_help)(path) {
        cmd = cmd.after_help(after).after_long_help(None);
    }
    cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            t.usage
        ))
        .subcommand_help_heading(t.commands)
        .subcommand_value_name(t.command_value);
    let args: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in args {
        let help = (t.arg)(path, &id);
        cmd = cmd.mut_arg(&id, |mut a| {
            if let Some(help) = help {
                let mut help = help.to_string();
                let defaults: Vec<_> = a
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy())
                    .collect();
                if !defaults.is_empty()
                    && !a.is_hide_default_value_set()
                    && a.get_action().takes_values()
                {
                    help.push_str(&format!("（{}: {}）", t.default, defaults.join(", ")));
                }
                let possible: Vec<_> = a
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                if !possible.is_empty() && !a.is_hide_possible_values_set() {
                    help.push_str(&format!("（{}: {}）", t.possible, possible.join("、")));
                }
                a = a
                    .help(help)
                    .long_help(None)
                    .hide_default_value(true)
                    .hide_possible_values(true);
            }
            a.help_heading(if positional { t.arguments } else { t.options })
        });
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subcommands {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |sub| localize(sub, &sub_path, t));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn args(line: &str) -> Vec<std::ffi::OsString> {
        line.split(' ').map(std::ffi::OsString::from).collect()
    }

    #[test]
    fn subcommand_paths_and_the_notes_ps_spellings() {
        assert_eq!(
            subcommand_path(&args("toolkit --lang zh chat server --addr x")),
            ["chat", "server"]
        );
        assert_eq!(subcommand_path(&args("toolkit nice -n 5 ps")), ["nice"]);
        assert_eq!(bsd_ps_words(args("toolkit ps aux")), args("toolkit ps"));
        assert_eq!(
            bsd_ps_words(args("toolkit --lang zh ps -aux")),
            args("toolkit --lang zh ps")
        );
        // Only right after `ps` itself: a command's own words are left alone.
        assert_eq!(
            bsd_ps_words(args("toolkit nice ps aux")),
            args("toolkit nice ps aux")
        );
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
