//! The command line in Chinese: every `--help` text, and clap's error sentences.
//!
//! The English texts are the doc comments in `cli.rs` (clap reads them at compile time); these are
//! their Chinese twins, looked up by the command's path (`""` for `toolkit` itself, `"chat server"`)
//! and the argument's id (the field name in `cli.rs`). A unit test in `main.rs` walks the whole
//! command tree and fails if any command or argument has no Chinese text here.

/// What a command does, in one line.
pub fn zh_about(path: &str) -> Option<&'static str> {
    Some(match path {
        "" => "在真实的机器上看懂 Linux 进程",
        "ps-tree" => "从 /proc 画出父子进程树，和 pstree 一样",
        "ps" => "像 `ps aux` 一样列出进程，并解释 STAT 列",
        "stat-codes" => "解释 ps 的每个 STAT 字母和修饰符，并对应到三态、五态模型",
        "fork-demo" => "真正地 fork：返回值、PID、复制的内存、僵尸进程、孤儿进程",
        "states" => "让一个子进程走过各个进程状态，每一步都从 /proc 读回来",
        "parallel" => "并发与并行：同样的任务先在一个 CPU 上跑，再在所有 CPU 上跑",
        "threads" => {
            "多线程，另一种手段：共享内存，一个 PID、每个线程一个 TID，STAT 里的 l，用上每个核心"
        }
        "pcb" => "显示 Linux 为一个进程公开的进程控制块（PCB）字段",
        "nice" => "以调整后的 nice 值运行命令（和 coreutils 的 nice 一样），或让两个优先级比赛",
        "renice" => "修改正在运行的进程的 nice 值（和 util-linux 的 renice 一样）",
        "top" => "实时查看优先级和状态，和 top 一样，另有每一次状态变化的记录",
        "chat" => "多进程聊天室：服务器、客户端、压力测试",
        "chat server" => "运行聊天服务器（fork 出一个读这个终端的管理员子进程）",
        "chat client" => "加入聊天（fork：子进程发送你输入的内容，父进程打印收到的消息）",
        "chat bench" => "压力测试：许多客户端，测量送达数和延迟",
        "lesson" => "阅读课程（已内置在程序里），或逐条运行一课的命令来讲课",
        "quiz" => "先预测，再在真实的内核上验证：fork 程序和进程状态",
        "quiz fork" => "随机的 fork 程序：先预测进程数、行数和可能的输出，再真的运行它",
        "quiz states" => "课上讲过的进程：先预测它的 STAT 字符串，再从 /proc 读出来",
        p if p == "help" || p.ends_with(" help") => "显示本帮助，或某个子命令的帮助",
        _ => return None,
    })
}

/// The text under the options (examples and notes).
pub fn zh_after_help(path: &str) -> Option<&'static str> {
    Some(match path {
        "ps-tree" => {
            "示例:\n  toolkit ps-tree\n  toolkit ps-tree -p $$\n  toolkit ps-tree -s -p $$\n  toolkit ps-tree --stat --json 1"
        }
        "ps" => {
            "示例:\n  toolkit ps\n  toolkit ps -p 1,$$\n  toolkit ps --explain\n  toolkit ps --json -p $$"
        }
        "fork-demo" => {
            "示例:\n  toolkit fork-demo\n  toolkit fork-demo --zombie\n  toolkit fork-demo --orphan\n  toolkit fork-demo --tree 3\n  toolkit fork-demo --buffer-trap"
        }
        "chat server" => {
            "示例:\n  toolkit chat server\n  toolkit chat server --addr 127.0.0.1:0 --explain\n  toolkit chat server --max-clients 50 --rate 2\n\n在服务器的终端里输入一行，就是以管理员身份喊话。\n协议: docs/chat-protocol.md（简单到可以用 `nc 127.0.0.1 8888`）。"
        }
        "chat client" => {
            "示例:\n  toolkit chat client --name 小明\n  toolkit --lang zh chat client --addr 127.0.0.1:8888 --explain\n  printf '你好\\nquit\\n' | toolkit chat client --name bot\n\n输入 quit 或按 Ctrl-D 离开，/help 列出命令和编辑键。退出码: 0 正常离开，1 服务器断开或拒绝，\n2 名字被拒绝且标准输入不是终端，130 Ctrl-C。"
        }
        "top" => {
            "示例:\n  toolkit top\n  toolkit top -p 4242,4243          只看两个进程（例如 `toolkit nice --race` 的两个参赛者）\n  toolkit top -d 0.5 --sample-ms 50  每秒刷新两次，每秒找 20 次状态变化\n  toolkit top -b -n 3 -d 1          三帧文字输出，和 top -b 一样\n  toolkit top --json -n 2 -p $$     两帧 JSON（每行一个对象）\n\n按键: P M N T 按 %CPU / %MEM / PID / TIME+ 排序，< > 移动排序列，u 按用户过滤，\no 或 / 按名字过滤，H 线程，V 树形视图，r 调整 nice 值，k 发送信号（STOP、CONT……），\np 暂停，? 或 h 帮助，q 退出。\n\n%CPU 是 Irix 模式，和 top 的默认一样：两次采样之间用掉的 CPU 时间占一个 CPU 的百分比\n（一个有 4 个忙碌线程的进程显示 400%）。标准输出不是终端时，按文字逐帧输出（批处理模式）。"
        }
        "quiz fork" => {
            "示例:\n  toolkit quiz fork\n  toolkit quiz fork --level 3 --seed 42\n  toolkit quiz fork --seed 42 --answer processes=4,lines=6,orders=ac\n  toolkit quiz fork --seed 42 --export quiz.py && python3 quiz.py\n  toolkit quiz fork --code c --seed 42\n  toolkit quiz fork --seed 42 --svg tree.svg"
        }
        "quiz states" => {
            "示例:\n  toolkit quiz states\n  toolkit quiz states zombie\n  toolkit quiz states nice --answer SN\n  toolkit quiz states --all"
        }
        "lesson" => {
            "示例:\n  toolkit lesson\n  toolkit lesson 3\n  toolkit --lang en lesson 3\n  toolkit lesson 3 --run\n  toolkit lesson 3 --run --yes"
        }
        _ => return None,
    })
}

/// The help of one argument of the command at `path`.
pub fn zh_arg(path: &str, id: &str) -> Option<&'static str> {
    Some(match (path, id) {
        (_, "lang") => {
            "消息的语言（默认看 LC_ALL，其次 LC_MESSAGES，再次 LANG：以 zh 开头就是中文）"
        }
        (_, "help") => "显示帮助",
        (_, "version") => "显示版本",
        (p, "subcommand") if p == "help" || p.ends_with(" help") => "要看哪个子命令的帮助",

        ("ps-tree", "root") => {
            "树根：一个 PID（默认 1；0 画出 init 和 kthreadd 之上内核的 `?`；和 -s 一起用时，是要显示其祖先的进程），或一个用户名 USER：画出这个用户的每个父进程属于别的用户的进程为根的树"
        }
        ("ps-tree", "show_pids") => "显示 PID",
        ("ps-tree", "arguments") => "显示命令行参数",
        ("ps-tree", "uid_changes") => "显示 uid 的变化",
        ("ps-tree", "no_compact") => "不合并相同的子树",
        ("ps-tree", "ascii") => "用 ASCII 字符画线（语言环境不是 UTF-8 时的默认）",
        ("ps-tree", "long") => {
            "不截断过长的行（不加它时，和 pstree 一样按 $COLUMNS、否则终端宽度、否则 132 列截断）"
        }
        ("ps-tree", "numeric_sort") => "子进程按 PID 排序，而不是按名字",
        ("ps-tree", "show_pgids") => "显示进程组 ID",
        ("ps-tree", "unicode") => "不管语言环境如何，都用 UTF-8 画线字符",
        ("ps-tree", "vt100") => {
            "用 VT100 画线字符（终端的图形字符集）；-A、-G、-U 中最后给出的那个生效，和 pstree 一样"
        }
        ("ps-tree", "hide_threads") => "不显示线程（默认像 pstree 一样把线程显示成 {名字} 子节点）",
        ("ps-tree", "thread_names") => {
            "用线程自己的名字（线程用 PR_SET_NAME 设的）而不是进程的名字来显示线程"
        }
        ("ps-tree", "highlight") => "高亮这个进程及其祖先（在终端上默认高亮 toolkit 自己的祖先）",
        ("ps-tree", "show_parents") => "显示所选进程的父进程（祖先）",
        ("ps-tree", "stat") => "在每个进程旁边显示 STAT 和 NI",
        ("ps-tree", "no_kernel") | ("ps", "no_kernel") => {
            "隐藏内核线程（kthreadd，即 PID 2 的子进程）"
        }
        ("ps-tree", "json") => {
            "以嵌套的 JSON 输出进程树（给的是用户 USER 时，输出这个用户的所有树组成的数组）"
        }
        ("ps-tree", "svg") => {
            "另把进程树写成 SVG 图片（每个进程一个方框：PID、父进程、命令、STAT）"
        }
        ("ps-tree", "dot") => "改为以 Graphviz 的 DOT 语言输出进程树（可以接着 `dot -Tpng`）",

        ("ps", "pids") => "按 PID 选择进程（逗号分隔，可重复）",
        ("ps", "tree") => "以树的形式显示进程（即 ps-tree 的视图）",
        ("ps", "format") => {
            "按 ps 的列名选择列，排版和 ps 一样（逗号分隔，可重复）：pid ppid user uid ni pri priority stat tty start time rss vsz %cpu %mem nlwp comm args"
        }
        ("ps", "sort") => "按 ps 的列名排序，逗号分隔，前面加 - 表示从大到小：--sort=-%cpu,pid",
        ("ps", "every") => "所有进程（和 ps -e 一样；这是默认）",
        ("ps", "user") => "只列出这个用户的进程（用户名或 uid），和 ps -u 一样",
        ("ps", "threads") => {
            "每个线程一行，带 LWP（线程 ID）和 NLWP（进程的线程数），和 ps -L 一样"
        }
        ("ps", "explain") => "不列进程，而是解释 STAT 代码（同 `toolkit stat-codes`）",

        ("fork-demo", "rounds") => "统计谁先打印时，fork 多少轮（1 到 1000）",
        ("fork-demo", "zombie") => "演示僵尸进程：子进程退出，父进程等一会儿再回收它",
        ("fork-demo", "orphan") => "演示孤儿进程：孙进程的父进程先退出，孙进程被重新收养",
        ("fork-demo", "tree") => "在循环里 fork() N 次（N ≤ 6），画出 2^N 个进程的实时进程树",
        ("fork-demo", "svg") => "和 --tree 一起用：另把实时进程树写成 SVG 图片",
        ("fork-demo", "dot") => "和 --tree 一起用：只输出实时进程树，用 Graphviz 的 DOT 语言",
        ("fork-demo", "buffer_trap") => "演示为什么 fork() 之前写入缓冲区的输出会出现两次",
        ("fork-demo", "json") => "每个观察结果输出一个 JSON 对象（每行一个）",
        ("fork-demo", "pause_ms") => {
            "和 --zombie 一起用：回收僵尸进程之前让它保留多久，毫秒（0 到 600000，即十分钟）"
        }

        ("states", "json") => "以 JSON 输出观察结果",
        ("states", "svg") => "另把状态写成 SVG 时间线（每个观察到的状态一条彩色色带）",
        ("threads", "json") => "每个观察结果输出一个 JSON 对象（每行一个）",

        ("parallel", "jobs") => "工作进程的个数",
        ("parallel", "work") => "每个任务的 CPU 工作量，毫秒",

        ("pcb", "pid") => "要显示的进程（默认: toolkit 自己）",

        ("nice", "words") => {
            "[-n N | --adjustment=N | -N | --N | N] [-q] [--explain] [--race [N] [--seconds S]] [命令 [参数]...]"
        }
        ("renice", "words") => "[-n] 优先级 [[-p] PID...] [-g 进程组...] [-u 用户...] [--relative]",

        ("top", "delay") => "两次刷新之间的秒数（top 的 -d）",
        ("top", "iterations") => "显示这么多帧后退出（top 的 -n；默认一直到按 q）",
        ("top", "batch") => {
            "批处理模式：像 top -b 一样按文字输出每一帧（标准输出不是终端时也是这样）"
        }
        ("top", "pids") => "只看这些 PID（逗号分隔，可重复）",
        ("top", "user") => "只显示这个用户的进程（用户名或 uid）",
        ("top", "threads") => "显示线程而不是进程（top 的 -H）",
        ("top", "sample_ms") => {
            "每隔 MS 毫秒采样一次被观察的进程，记录状态变化（默认：每次刷新时）；比这更短的状态变化看不到"
        }
        ("top", "json") => "每帧输出一个 JSON 对象：头部数字、各行、自上一帧以来的状态变化",
        ("chat server", "addr") => {
            "监听的地址（端口 0 表示挑一个空闲端口；实际地址会第一个打印出来）"
        }
        ("chat server", "max_clients") => "同时在线的最多客户端数；更多的会收到一条消息并被拒绝",
        ("chat server", "max_per_address") => {
            "同一个 IP 地址最多同时有多少个连接（一个教室可能共用一个路由器的地址；0：不限，用于压力测试）"
        }
        ("chat server", "name_timeout") => "新连接必须在多少秒内发送名字，否则被关闭",
        ("chat server", "rate") => {
            "每个客户端在突发 10 条之后每秒最多发多少条（0: 不限）；发得更快的会被延后"
        }
        ("chat server", "queue") => "一个客户端最多积压多少条消息，超过就算不读，会被断开",
        ("chat server", "linger_ms") => {
            "消息不断到来时，两次写给同一客户端之间最多等这么久，把期间到来的消息一次写出\
             （负载高时系统调用更少；安静或人少的聊天室会更早写出；0: 从不等待）"
        }
        ("chat server", "web") => {
            "同时在这个地址提供聊天网页和它的 WebSocket，进入同一个聊天室（例如 127.0.0.1:8080；\
             0.0.0.0:8080 让教室里的手机和电脑都能进来，并打印二维码）"
        }
        ("chat server", "web_origin") => {
            "也允许来自这个来源的网页打开 WebSocket（例如 http://teacher.local:8080）；可重复。\
             网页自己的来源总是允许的"
        }
        ("chat server", "history") => "给新进来的人看多少条以前的消息，标明是历史（0：不给）",
        ("chat server", "explain") | ("chat client", "explain") => "打印哪个进程做哪件事",
        ("chat client", "timestamps") => "在显示的每一行前面加上本地时间（时:分）",

        ("chat client", "addr") | ("chat bench", "addr") => "服务器地址",
        ("chat client", "name") => "进入时用的名字（不给就会询问）",

        ("chat bench", "clients") => "要打开的连接数",
        ("chat bench", "senders") => "其中有多少个发送消息",
        ("chat bench", "messages") => "每个发送者发多少条消息",
        ("chat bench", "rate") => "每个发送者每秒发多少条（0: 尽快）",
        ("chat bench", "duration") => "运行时间的上限，秒",
        ("chat bench", "protocol") => {
            "说哪种协议: toolkit（我们的行协议，docs/chat-protocol.md）、irc（IRC 的最小子集，\
             RFC 2812，用于 ngircd 或 InspIRCd）、udp（作业的 UDP 参考设计，examples/python/udp_server.py）、\
             ws（我们服务器的 WebSocket，chat server --web；--addr 是网页地址）、mixed（一半客户端连 --addr，\
             一半连 --web-addr 上的 WebSocket）"
        }
        ("chat bench", "web_addr") => "WebSocket 的地址，用于 --protocol mixed",
        ("chat bench", "server_pid") => "服务器的 PID，用来从 /proc 读它的 CPU 时间和内存峰值",
        ("chat bench", "threads") => "压力测试程序运行客户端所用的线程数（1 到 64）",
        ("chat bench", "probes") => {
            "在自己的线程上读消息的客户端数，它们测得的延迟不会被压力测试程序自身的滞后放大（0: 不要）"
        }

        ("quiz fork", "seed") => "同一个种子出同一道题（不给就随机出一道，并显示种子）",
        ("quiz fork", "level") => {
            "1：一串 fork；2：循环和 `if pid == 0` 分支；3：waitpid、_exit，两个分支里都有 print"
        }
        ("quiz fork", "code") => "程序用哪种语言显示和导出",
        ("quiz fork", "answer") => {
            "不用问，直接回答：processes=N,lines=M,orders=字母（orders=none 表示都不可能）"
        }
        ("quiz fork", "json") => "把程序、答案、真实运行和评分输出成一个 JSON 文档",
        ("quiz fork", "export") => "把程序写进 FILE，自己运行（python3 FILE）",
        ("quiz fork", "svg") => "另把真实的进程树写成 SVG 图片",
        ("quiz fork", "dot") => "只输出真实的进程树，用 Graphviz 的 DOT 语言",
        ("quiz states", "scenario") => "场景（不给就随机选一个）",
        ("quiz states", "seed") => "用这个种子随机选场景",
        ("quiz states", "all") => "依次创建并读取每个场景，输出成表格（不提问）",
        ("quiz states", "answer") => "不用问，直接回答：一个 STAT 字符串，如 SN",
        ("quiz states", "json") => "输出 JSON",
        ("lesson", "number") => "课的编号（不给就列出所有课）",
        ("lesson", "run") => {
            "讲这一课：显示每条命令，等你按回车，运行它，显示退出码（聊天命令只显示：请在另一个终端里运行）"
        }
        ("lesson", "yes") => "和 --run 一起用：命令之间不等按键（标准输入不是终端时也是这样）",

        (_, "json") => "以 JSON 输出",
        _ => return None,
    })
}

/// The headings and fixed words of a help page.
pub struct HelpWords {
    pub usage: &'static str,
    pub arguments: &'static str,
    pub options: &'static str,
    pub commands: &'static str,
    pub command_value: &'static str,
    pub default: &'static str,
    pub possible: &'static str,
}

pub const ZH_HELP_WORDS: HelpWords = HelpWords {
    usage: "用法:",
    arguments: "参数",
    options: "选项",
    commands: "命令",
    command_value: "命令",
    default: "默认",
    possible: "可选",
};

/// One of clap's parse errors, as plain values, to be said in Chinese.
pub enum ParseError<'a> {
    /// `--lang xx`: a value not among the allowed ones.
    InvalidValue {
        arg: &'a str,
        value: &'a str,
        valid: &'a [String],
    },
    /// A value the parser refused (`--jobs abc`, `--threads 0`); `why` is in Chinese already.
    BadValue {
        arg: &'a str,
        value: &'a str,
        why: &'a str,
    },
    UnknownArgument {
        arg: &'a str,
        suggestion: Option<&'a str>,
    },
    UnknownSubcommand {
        name: &'a str,
        suggestion: Option<&'a str>,
    },
    MissingArguments {
        args: &'a [String],
    },
    Conflict {
        arg: &'a str,
        with: Option<&'a str>,
    },
    WrongNumberOfValues {
        arg: &'a str,
    },
    /// Any other kind: clap's own English sentence is kept after a Chinese lead.
    Other {
        english: &'a str,
    },
}

/// The first line of a parse error, in Chinese.
pub fn zh_parse_error(error: &ParseError) -> String {
    match error {
        ParseError::InvalidValue { arg, value, valid } => {
            format!(
                "参数 {arg} 的值 '{value}' 无效；可选的值: {}",
                valid.join("、")
            )
        }
        ParseError::BadValue { arg, value, why } => {
            format!("参数 {arg} 的值 '{value}' 无效：{why}")
        }
        ParseError::UnknownArgument { arg, suggestion } => match suggestion {
            Some(s) => format!("不认识的参数 '{arg}'；你想写的是 '{s}' 吗？"),
            None => format!(
                "不认识的参数 '{arg}'（如果它是一个值而不是选项，请写在 `--` 之后: -- {arg}）"
            ),
        },
        ParseError::UnknownSubcommand { name, suggestion } => match suggestion {
            Some(s) => format!("没有子命令 '{name}'；你想写的是 '{s}' 吗？"),
            None => format!("没有子命令 '{name}'"),
        },
        ParseError::MissingArguments { args } => {
            format!("缺少必需的参数: {}", args.join("、"))
        }
        ParseError::Conflict { arg, with } => match with {
            Some(other) => format!("参数 {arg} 不能和 {other} 一起用"),
            None => format!("参数 {arg} 不能和其他参数一起用"),
        },
        ParseError::WrongNumberOfValues { arg } => format!("参数 {arg} 的值的个数不对"),
        ParseError::Other { english } => format!("命令行有误（{english}）"),
    }
}

/// Why a value was refused, from what the number parser said.
pub fn zh_value_problem(kind: ValueProblem) -> String {
    match kind {
        ValueProblem::NotANumber => "应为一个整数".to_string(),
        ValueProblem::TooLarge => "数太大了".to_string(),
        ValueProblem::Empty => "不能为空".to_string(),
        ValueProblem::OutOfRange(range) => format!("应在 {range} 之内"),
        ValueProblem::Other(english) => english,
    }
}

/// The kinds of refused values, as `main` reads them off clap's error.
pub enum ValueProblem {
    NotANumber,
    TooLarge,
    Empty,
    OutOfRange(String),
    Other(String),
}

/// The line after the usage, where to look next.
pub fn zh_more_help(command: &str) -> String {
    format!("更多信息请运行 '{command} --help'。")
}
