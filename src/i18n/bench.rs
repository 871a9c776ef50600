//! Messages of `toolkit chat bench`, the load generator.

use super::Lang;

/// The rows of the bench's report table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Protocol,
    Clients,
    Senders,
    Deliveries,
    Rate,
    P50,
    P90,
    P99,
    Max,
    P99Read,
    Lost,
    OutOfOrder,
    ConnectTime,
    RunTime,
    ServerCpu,
    ServerRss,
    Prompt,
    GeneratorCpu,
    Note,
}

pub fn report_headers(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Zh => ["指标", "数值"],
        Lang::En => ["METRIC", "VALUE"],
    }
}

/// The name of a row of the report.
pub fn row(lang: Lang, row: Row) -> &'static str {
    match row {
        Row::Protocol => lang.pick("协议", "protocol"),
        Row::Clients => lang.pick("客户端（已连接）", "clients (connected)"),
        Row::Senders => lang.pick("发送者 x 每人消息数", "senders x messages"),
        Row::Deliveries => lang.pick("送达 / 应送达", "deliveries / expected"),
        Row::Rate => lang.pick("每秒送达", "deliveries per second"),
        Row::P50 => lang.pick("延迟 p50", "latency p50"),
        Row::P90 => lang.pick("延迟 p90", "latency p90"),
        Row::P99 => lang.pick("延迟 p99", "latency p99"),
        Row::Max => lang.pick("延迟最大值", "latency max"),
        Row::P99Read => lang.pick("延迟 p99（到读出为止）", "latency p99, to the read"),
        Row::Lost => lang.pick("丢失", "lost"),
        Row::OutOfOrder => lang.pick("乱序", "out of order"),
        Row::ConnectTime => lang.pick("连接用时", "connect time"),
        Row::RunTime => lang.pick("运行用时", "run time"),
        Row::ServerCpu => lang.pick("服务器 CPU", "server CPU"),
        Row::ServerRss => lang.pick("服务器峰值 RSS", "server peak RSS"),
        Row::Prompt => lang.pick("及时读者", "prompt readers"),
        Row::GeneratorCpu => lang.pick("压测进程 CPU", "load generator CPU"),
        Row::Note => lang.pick("注意", "note"),
    }
}

/// A duration in milliseconds, as the table shows it.
pub fn millis(ms: f64) -> String {
    format!("{ms:.2} ms")
}

/// A duration in seconds, as the table shows it.
pub fn seconds(s: f64) -> String {
    format!("{s:.2} s")
}

pub fn run_time(lang: Lang, seconds: f64, cap_reached: bool) -> String {
    match (lang, cap_reached) {
        (_, false) => format!("{seconds:.2} s"),
        (Lang::Zh, true) => format!("{seconds:.2} s（达到时长上限）"),
        (Lang::En, true) => format!("{seconds:.2} s (cap reached)"),
    }
}

pub fn prompt_readers(
    lang: Lang,
    clients: usize,
    p50: &str,
    p99: &str,
    max: &str,
    read_p99: &str,
) -> String {
    match lang {
        Lang::Zh => format!(
            "{clients} 个客户端在单独的线程上：p50 {p50}，p99 {p99}，最大 {max}（到读出为止的 p99 {read_p99}）"
        ),
        Lang::En => format!(
            "{clients} clients on their own thread: p50 {p50}, p99 {p99}, max {max} (p99 to the read {read_p99})"
        ),
    }
}

/// The load generator's CPU time and, for a run long enough to have one, its busy share.
pub fn generator_cpu(lang: Lang, cpu_seconds: f64, busy: Option<f64>, threads: usize) -> String {
    match (lang, busy) {
        (Lang::Zh, Some(busy)) => {
            format!(
                "{cpu_seconds:.2} s，占 {threads} 个线程的 {:.0}%",
                busy * 100.0
            )
        }
        (Lang::En, Some(busy)) => format!(
            "{cpu_seconds:.2} s, {:.0}% of {threads} thread{}",
            busy * 100.0,
            if threads == 1 { "" } else { "s" }
        ),
        (Lang::Zh, None) => format!("{cpu_seconds:.2} s（运行太短，算不出占比）"),
        (Lang::En, None) => format!("{cpu_seconds:.2} s (too short a run for a share)"),
    }
}

pub fn saturated_note(lang: Lang) -> &'static str {
    lang.pick(
        "压测进程自己几乎满负荷，读得晚：总体延迟只是上限；单独线程上的及时读者（prompt readers）不受影响",
        "the load generator was nearly saturated and read late: the overall latencies are \
         upper bounds; the prompt readers, on their own thread, are not affected",
    )
}

pub fn bad_addr(lang: Lang, addr: &str) -> String {
    match lang {
        Lang::Zh => format!("地址 {addr} 不对：要写成 127.0.0.1:8888 这样的 IP:端口"),
        Lang::En => format!("bad address {addr}: give IP:PORT, for example 127.0.0.1:8888"),
    }
}

pub fn not_loopback(lang: Lang, addr: &str) -> String {
    match lang {
        Lang::Zh => format!("压测只对本机回环地址进行（127.0.0.0/8 或 ::1），{addr} 不是"),
        Lang::En => format!("the bench only targets loopback (127.0.0.0/8 or ::1); {addr} is not"),
    }
}

pub fn web_addr_for_mixed(lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            "--web-addr 只用于 --protocol mixed，而 mixed 需要它（WebSocket 的地址）".into()
        }
        Lang::En => {
            "--web-addr goes with --protocol mixed, and mixed needs it (the WebSocket's address)"
                .into()
        }
    }
}

pub fn nobody_connected(lang: Lang, addr: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "没有一个客户端能进入 {addr} 的聊天室：先在另一个终端启动服务器（toolkit chat server --addr {addr} --rate 0）"
        ),
        Lang::En => format!(
            "no client could enter the room at {addr}: start a server first (toolkit chat server --addr {addr} --rate 0)"
        ),
    }
}

pub fn bad_shape(lang: Lang) -> &'static str {
    lang.pick(
        "--clients 至少为 1，--senders 不能多于 --clients",
        "--clients must be at least 1 and --senders at most --clients",
    )
}

pub fn fd_limit(lang: Lang, clients: usize, limit: u64) -> String {
    match lang {
        Lang::Zh => {
            format!("{clients} 个连接超过了打开文件数上限 {limit}：先运行 `ulimit -n 65536`")
        }
        Lang::En => format!(
            "{clients} connections exceed the open-file limit {limit}: run `ulimit -n 65536` first"
        ),
    }
}

pub fn runtime_failed(lang: Lang) -> &'static str {
    lang.pick("无法启动异步运行时", "cannot start the async runtime")
}

pub fn prompt_thread_failed(lang: Lang) -> &'static str {
    lang.pick(
        "无法启动及时读者的线程",
        "cannot start the prompt readers' thread",
    )
}
