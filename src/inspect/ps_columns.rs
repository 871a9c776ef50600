//! `toolkit ps -o LIST`: ps's own column names, headers, widths and figures, so that
//! `toolkit ps -o pid,stat,rss -p PID` prints what `ps -o pid,stat,rss -p PID` prints.
//!
//! Each column has ps's header and default width; numbers are right-aligned, text left-aligned,
//! one space between columns, and the last column is not padded. A value wider than its column
//! pushes the rest of the line to the right, as in ps. The figures follow procps:
//! - `%CPU` is the process's CPU time over its whole life (not top's recent share): CPU seconds
//!   divided by the seconds since it started, in tenths of a percent;
//! - `%MEM` is resident memory over the machine's total memory (`MemTotal`), in tenths;
//! - `TIME` is CPU time as `[DD-]HH:MM:SS`; `PRI` is `39 - PR` (higher runs first), `PRIORITY` is
//!   top's PR; `VSZ` and `RSS` are KiB.

use chrono::{DateTime, Local};

use crate::proc::{self, Process};

/// One column `-o` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Pid,
    Ppid,
    User,
    Uid,
    Ni,
    Pri,
    Priority,
    Stat,
    Tty,
    Start,
    Time,
    Rss,
    Vsz,
    Cpu,
    Mem,
    Nlwp,
    Comm,
    Args,
}

impl Column {
    /// A column by one of ps's names for it.
    pub fn named(name: &str) -> Option<Column> {
        Some(match name {
            "pid" => Column::Pid,
            "ppid" => Column::Ppid,
            "user" | "euser" => Column::User,
            "uid" | "euid" => Column::Uid,
            "ni" | "nice" => Column::Ni,
            "pri" => Column::Pri,
            "priority" => Column::Priority,
            "stat" => Column::Stat,
            "tty" | "tt" => Column::Tty,
            "start" => Column::Start,
            "time" | "cputime" => Column::Time,
            "rss" | "rssize" => Column::Rss,
            "vsz" | "vsize" => Column::Vsz,
            "%cpu" | "pcpu" => Column::Cpu,
            "%mem" | "pmem" => Column::Mem,
            "nlwp" | "thcount" => Column::Nlwp,
            "comm" | "ucmd" => Column::Comm,
            "args" | "cmd" | "command" => Column::Args,
            _ => return None,
        })
    }

    /// The names `-o` accepts, for the error that lists them.
    pub const NAMES: &'static str =
        "pid ppid user uid ni pri priority stat tty start time rss vsz %cpu %mem nlwp comm args";

    fn header(self) -> &'static str {
        match self {
            Column::Pid => "PID",
            Column::Ppid => "PPID",
            Column::User => "USER",
            Column::Uid => "UID",
            Column::Ni => "NI",
            Column::Pri | Column::Priority => "PRI",
            Column::Stat => "STAT",
            Column::Tty => "TT",
            Column::Start => "STARTED",
            Column::Time => "TIME",
            Column::Rss => "RSS",
            Column::Vsz => "VSZ",
            Column::Cpu => "%CPU",
            Column::Mem => "%MEM",
            Column::Nlwp => "NLWP",
            Column::Comm | Column::Args => "COMMAND",
        }
    }

    /// ps's default width, and whether the column is right-aligned.
    fn width(self, ctx: &Context) -> (usize, bool) {
        match self {
            Column::Pid | Column::Ppid => (ctx.pid_width, true),
            Column::User => (8, false),
            Column::Uid => (5, true),
            Column::Ni | Column::Pri | Column::Priority => (3, true),
            Column::Stat => (4, false),
            Column::Tty => (8, false),
            Column::Start | Column::Time => (8, true),
            Column::Rss => (5, true),
            Column::Vsz => (6, true),
            Column::Cpu | Column::Mem | Column::Nlwp => (4, true),
            Column::Comm => (15, false),
            Column::Args => (27, false),
        }
    }

    /// The files of `/proc/PID` beyond `stat` this column needs.
    pub fn fields(self) -> proc::Fields {
        let mut fields = proc::Fields::STAT_ONLY;
        match self {
            // The owner: from `status` when it is read anyway, else one fstat of `stat`.
            Column::User | Column::Uid => fields.uid = true,
            // VmRSS (as ps), and VmLck for STAT's L.
            Column::Rss | Column::Mem | Column::Stat => fields.status = true,
            Column::Args => fields.cmdline = true,
            _ => {}
        }
        fields
    }

    fn value(self, p: &Process, ctx: &Context) -> String {
        let hz = proc::ticks_per_second().max(1);
        match self {
            Column::Pid => p.pid.to_string(),
            Column::Ppid => p.ppid.to_string(),
            Column::User => {
                let name = p.uid.map_or_else(|| "?".to_string(), proc::user_name);
                // ps: a name wider than the column is cut, with `+` as its last character.
                if name.chars().count() > 8 {
                    format!("{}+", name.chars().take(7).collect::<String>())
                } else {
                    name
                }
            }
            Column::Uid => p.uid.map_or_else(|| "?".to_string(), |u| u.to_string()),
            Column::Ni => p.nice.to_string(),
            Column::Pri => (39 - p.priority).to_string(),
            Column::Priority => p.priority.to_string(),
            Column::Stat => p.stat_string(),
            Column::Tty => p.tty_name(),
            Column::Start => p
                .start_epoch_secs()
                .and_then(|s| DateTime::from_timestamp(s as i64, 0))
                .map_or_else(
                    || "-".to_string(),
                    |t| t.with_timezone(&Local).format("%H:%M:%S").to_string(),
                ),
            Column::Time => cpu_time(p.cpu_ticks() / hz),
            Column::Rss => p.rss_kib().to_string(),
            Column::Vsz => (p.vsize_bytes / 1024).to_string(),
            Column::Cpu => {
                let elapsed = ctx.uptime_secs.saturating_sub(p.start_ticks / hz);
                let per_mille = match elapsed {
                    0 => 0,
                    secs => p.cpu_ticks() * 1000 / hz / secs,
                };
                tenths(per_mille)
            }
            Column::Mem => {
                let per_mille = match ctx.mem_total_kib {
                    0 => 0,
                    total => p.rss_kib() * 1000 / total,
                };
                tenths(per_mille)
            }
            Column::Nlwp => p.num_threads.to_string(),
            Column::Comm => p.comm.clone(),
            Column::Args => p.command_line(),
        }
    }
}

/// What every row's figures are relative to, read once per listing.
#[derive(Debug, Clone)]
pub struct Context {
    pub pid_width: usize,
    pub uptime_secs: u64,
    pub mem_total_kib: u64,
}

impl Context {
    pub fn now() -> Context {
        Context {
            pid_width: proc::pid_max().map_or(5, |m| m.to_string().len().max(5)),
            uptime_secs: proc::uptime_secs().unwrap_or(0),
            mem_total_kib: proc::mem_total_kib().unwrap_or(0),
        }
    }
}

/// ps's %CPU in tenths of a percent: CPU time over the seconds since the process started.
pub fn cpu_per_mille(p: &Process, ctx: &Context) -> u64 {
    let hz = proc::ticks_per_second().max(1);
    match ctx.uptime_secs.saturating_sub(p.start_ticks / hz) {
        0 => 0,
        secs => p.cpu_ticks() * 1000 / hz / secs,
    }
}

/// ps's %MEM in tenths of a percent: resident memory over the machine's.
pub fn mem_per_mille(p: &Process, ctx: &Context) -> u64 {
    match ctx.mem_total_kib {
        0 => 0,
        total => p.rss_kib() * 1000 / total,
    }
}

/// A per-mille figure as ps prints it: `0.4`, `12.5`.
pub fn tenths(per_mille: u64) -> String {
    format!("{}.{}", per_mille / 10, per_mille % 10)
}

/// CPU seconds as `HH:MM:SS`, with `DD-` in front past a day.
pub fn cpu_time(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}-{hms}")
    } else {
        hms
    }
}

/// One `--sort` key: a column, and whether it sorts in descending order (`-`).
pub type SortKey = (Column, bool);

/// `--sort` as ps reads it: column names separated by commas, each with an optional `+`
/// (ascending, the default) or `-` (descending) in front. The first unknown name is the error.
pub fn parse_sort(list: &str) -> Result<Vec<SortKey>, String> {
    list.split(',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let (descending, name) = match w.as_bytes()[0] {
                b'-' => (true, &w[1..]),
                b'+' => (false, &w[1..]),
                _ => (false, w),
            };
            Column::named(&name.to_lowercase())
                .map(|c| (c, descending))
                .ok_or_else(|| w.to_string())
        })
        .collect()
}

/// Sort processes by the keys, in order, as ps --sort does (numbers as numbers, text as text);
/// ties keep PID order.
pub fn sort(processes: &mut [Process], keys: &[SortKey], ctx: &Context) {
    processes.sort_by(|a, b| {
        keys.iter()
            .map(|&(column, descending)| {
                let order = column.compare(a, b, ctx);
                if descending { order.reverse() } else { order }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.pid.cmp(&b.pid))
    });
}

impl Column {
    /// The order of two processes by this column's value.
    fn compare(self, a: &Process, b: &Process, ctx: &Context) -> std::cmp::Ordering {
        let number = |p: &Process| -> Option<i128> {
            Some(match self {
                Column::Pid => p.pid.into(),
                Column::Ppid => p.ppid.into(),
                Column::Uid => p.uid?.into(),
                Column::Ni => p.nice.into(),
                Column::Pri => (39 - p.priority).into(),
                Column::Priority => p.priority.into(),
                Column::Start => p.start_ticks.into(),
                Column::Time => p.cpu_ticks().into(),
                Column::Rss => p.rss_kib().into(),
                Column::Vsz => p.vsize_bytes.into(),
                Column::Cpu => cpu_per_mille(p, ctx).into(),
                Column::Mem => mem_per_mille(p, ctx).into(),
                Column::Nlwp => p.num_threads.into(),
                _ => return None,
            })
        };
        match (number(a), number(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => self.value(a, ctx).cmp(&self.value(b, ctx)),
        }
    }
}

/// The words of `-o` (comma- or space-separated, several `-o` allowed) as columns; the first
/// unknown name is the error.
pub fn parse(lists: &[String]) -> Result<Vec<Column>, String> {
    lists
        .iter()
        .flat_map(|l| l.split([',', ' ']))
        .filter(|w| !w.is_empty())
        .map(|w| Column::named(&w.to_lowercase()).ok_or_else(|| w.to_string()))
        .collect()
}

/// The header line and one line per process, as ps lays them out.
pub fn render(columns: &[Column], processes: &[Process], ctx: &Context) -> String {
    let layout: Vec<(usize, bool)> = columns.iter().map(|c| c.width(ctx)).collect();
    let mut out = String::new();
    let headers: Vec<&str> = columns.iter().map(|c| c.header()).collect();
    push_line(&mut out, headers.into_iter(), &layout);
    for p in processes {
        let cells: Vec<String> = columns.iter().map(|c| c.value(p, ctx)).collect();
        push_line(&mut out, cells.iter().map(String::as_str), &layout);
    }
    out
}

/// One line as `ps` lays it out: each cell in its `(width, right-aligned)` column, one space
/// between columns, a wider value pushing the rest of the line right, the last column unpadded.
pub fn push_line<'a>(
    out: &mut String,
    cells: impl Iterator<Item = &'a str>,
    layout: &[(usize, bool)],
) {
    for (i, (cell, &(width, right))) in cells.zip(layout).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let pad = width.saturating_sub(crate::output::display_width(cell));
        if right {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(cell);
        } else {
            out.push_str(cell);
            if i + 1 < layout.len() {
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_figures_as_ps_writes_them() {
        assert_eq!(
            parse(&["pid,ppid".into(), "stat %cpu".into()]),
            Ok(vec![Column::Pid, Column::Ppid, Column::Stat, Column::Cpu])
        );
        assert_eq!(parse(&["pid,bogus".into()]), Err("bogus".into()));
        assert_eq!(tenths(4), "0.4");
        assert_eq!(tenths(125), "12.5");
        assert_eq!(cpu_time(12), "00:00:12");
        assert_eq!(cpu_time(90_061), "1-01:01:01");
        assert_eq!(
            parse_sort("-rss,+pid,comm"),
            Ok(vec![
                (Column::Rss, true),
                (Column::Pid, false),
                (Column::Comm, false)
            ])
        );
        assert_eq!(parse_sort("-nope"), Err("-nope".into()));
    }
}
