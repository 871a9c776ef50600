//! The process rows: what each column shows, how rows are sorted, filtered, and laid out as a tree.
//!
//! Columns are top's: `PID USER PR NI STAT %CPU %MEM RSS TIME+ COMMAND`. PR is the kernel's
//! priority as top shows it (20 + nice for normal tasks, `rt` for real-time ones); NI is the nice
//! value; STAT is the `ps` string ([`crate::proc::stat::decode_stat`], without `L`, which would
//! cost one more file per process); %CPU comes from two samples ([`super::sample::cpu_percent`]).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Serialize;

use super::sample::{self, Sample};
use crate::proc::{self, Process};

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub pid: i32,
    pub ppid: i32,
    pub user: String,
    pub uid: Option<u32>,
    /// PR as top shows it (lower runs first); real-time tasks have -2..-100.
    pub priority: i64,
    pub nice: i64,
    pub stat: String,
    pub state: char,
    pub cpu_percent: f64,
    pub mem_percent: f64,
    pub rss_kib: u64,
    pub cpu_ticks: u64,
    /// TIME+, `minutes:seconds.hundredths`.
    pub time: String,
    pub command: String,
    pub threads: i64,
    /// Not there at the previous refresh (highlighted for one refresh).
    pub new: bool,
    /// Gone since the previous refresh: the last reading, shown dimmed for one refresh.
    #[serde(skip)]
    pub exited: bool,
}

impl Row {
    /// The column headers, aligned as [`Row::line`] aligns the values.
    pub fn header_line() -> String {
        let titles: Vec<String> = Column::ALL.iter().map(|&c| c.align(c.title())).collect();
        titles.join(" ")
    }

    /// The row as one line: every column at its width (as [`Column::align`] pads them), COMMAND
    /// last and whole, indented for `depth` in the forest view.
    pub fn line(&self, depth: usize) -> String {
        RowLine { row: self, depth }.to_string()
    }

    /// PR as top prints it: `rt` for the highest real-time priority.
    pub fn priority_text(&self) -> String {
        if self.priority <= -100 {
            "rt".to_string()
        } else {
            self.priority.to_string()
        }
    }
}

/// A row as its line of text, written straight into whatever formats it (a batch frame prints
/// 2,000 of these: no string is built per column).
pub struct RowLine<'a> {
    pub row: &'a Row,
    pub depth: usize,
}

impl std::fmt::Display for RowLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.row;
        // Text padded by display width (a user or STAT could hold wide characters).
        let pad = |f: &mut std::fmt::Formatter<'_>, text: &str, width: usize| {
            f.write_str(text)?;
            for _ in crate::output::display_width(text)..width {
                f.write_str(" ")?;
            }
            Ok(())
        };
        write!(f, "{:>7} ", r.pid)?;
        pad(f, &r.user, Column::User.width())?;
        if r.priority <= -100 {
            write!(f, " {:>3}", "rt")?;
        } else {
            write!(f, " {:>3}", r.priority)?;
        }
        write!(f, " {:>3} ", r.nice)?;
        pad(f, &r.stat, Column::Stat.width())?;
        write!(
            f,
            " {:>5.1} {:>4.1} {:>7} {:>9} ",
            r.cpu_percent, r.mem_percent, r.rss_kib, r.time
        )?;
        if self.depth > 0 {
            for _ in 1..self.depth {
                f.write_str("   ")?;
            }
            f.write_str("`- ")?;
        }
        f.write_str(&r.command)
    }
}

/// The columns, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Column {
    Pid,
    User,
    Pr,
    Ni,
    Stat,
    Cpu,
    Mem,
    Rss,
    Time,
    Command,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Pid,
        Column::User,
        Column::Pr,
        Column::Ni,
        Column::Stat,
        Column::Cpu,
        Column::Mem,
        Column::Rss,
        Column::Time,
        Column::Command,
    ];

    /// The header, as top writes it.
    pub fn title(self) -> &'static str {
        match self {
            Column::Pid => "PID",
            Column::User => "USER",
            Column::Pr => "PR",
            Column::Ni => "NI",
            Column::Stat => "STAT",
            Column::Cpu => "%CPU",
            Column::Mem => "%MEM",
            Column::Rss => "RSS",
            Column::Time => "TIME+",
            Column::Command => "COMMAND",
        }
    }

    /// Columns wide enough for their values; COMMAND takes the rest.
    pub fn width(self) -> usize {
        match self {
            Column::Pid => 7,
            Column::User => 8,
            Column::Pr => 3,
            Column::Ni => 3,
            Column::Stat => 5,
            Column::Cpu => 5,
            Column::Mem => 4,
            Column::Rss => 7,
            Column::Time => 9,
            Column::Command => 0,
        }
    }

    /// Text columns are left-aligned, numbers right-aligned.
    pub fn left_aligned(self) -> bool {
        matches!(self, Column::User | Column::Stat | Column::Command)
    }

    /// `text` padded to the column's width: on the right for text, on the left for numbers.
    pub fn align(self, text: &str) -> String {
        let width = self.width();
        if self.left_aligned() {
            crate::output::pad_to(text, width)
        } else {
            let pad = width.saturating_sub(crate::output::display_width(text));
            format!("{}{text}", " ".repeat(pad))
        }
    }

    fn index(self) -> usize {
        Column::ALL.iter().position(|&c| c == self).unwrap_or(0)
    }

    /// The sort column one step to the right (top's `>`), stopping at the last.
    pub fn right(self) -> Column {
        Column::ALL[(self.index() + 1).min(Column::ALL.len() - 1)]
    }

    /// The sort column one step to the left (top's `<`), stopping at the first.
    pub fn left(self) -> Column {
        Column::ALL[self.index().saturating_sub(1)]
    }

    /// The column's text in a row.
    pub fn cell(self, row: &Row) -> String {
        self.cell_at(row, 0)
    }

    /// The column's text in a row shown at `depth` in the forest view (COMMAND is indented).
    pub fn cell_at(self, row: &Row, depth: usize) -> String {
        match self {
            Column::Pid => row.pid.to_string(),
            Column::User => row.user.clone(),
            Column::Pr => row.priority_text(),
            Column::Ni => row.nice.to_string(),
            Column::Stat => row.stat.clone(),
            Column::Cpu => format!("{:.1}", row.cpu_percent),
            Column::Mem => format!("{:.1}", row.mem_percent),
            Column::Rss => row.rss_kib.to_string(),
            Column::Time => row.time.clone(),
            Column::Command => {
                if depth == 0 {
                    row.command.clone()
                } else {
                    format!("{}`- {}", "   ".repeat(depth - 1), row.command)
                }
            }
        }
    }
}

/// How two rows compare for `column`: the busiest, biggest, longest-running first for numbers (as
/// top sorts), ascending for PID and text; ties by PID, so the order never flickers.
pub fn compare(column: Column, a: &Row, b: &Row) -> Ordering {
    let by = match column {
        Column::Pid => Ordering::Equal,
        Column::User => a.user.cmp(&b.user),
        Column::Pr => b.priority.cmp(&a.priority),
        Column::Ni => b.nice.cmp(&a.nice),
        Column::Stat => a.stat.cmp(&b.stat),
        Column::Cpu => b.cpu_percent.total_cmp(&a.cpu_percent),
        Column::Mem | Column::Rss => b.rss_kib.cmp(&a.rss_kib),
        Column::Time => b.cpu_ticks.cmp(&a.cpu_ticks),
        Column::Command => a.command.cmp(&b.command),
    };
    by.then(a.pid.cmp(&b.pid))
}

/// top's forest view (`V`): each process under its parent, children sorted by `column`, with
/// its depth. A row whose parent is not shown starts a tree of its own.
pub fn forest<'a>(rows: &[&'a Row], column: Column) -> Vec<(&'a Row, usize)> {
    let present: std::collections::HashSet<i32> = rows.iter().map(|r| r.pid).collect();
    let mut children: HashMap<i32, Vec<&Row>> = HashMap::new();
    let mut roots = Vec::new();
    for &row in rows {
        if row.ppid != row.pid && present.contains(&row.ppid) {
            children.entry(row.ppid).or_default().push(row);
        } else {
            roots.push(row);
        }
    }
    let by = |a: &&Row, b: &&Row| compare(column, a, b);
    roots.sort_by(by);
    let mut out = Vec::with_capacity(rows.len());
    // Depth first, with an explicit stack (a deep chain of processes must not overflow ours).
    let mut stack: Vec<(&Row, usize)> = roots.into_iter().rev().map(|r| (r, 0)).collect();
    while let Some((row, depth)) = stack.pop() {
        if let Some(mut kids) = children.remove(&row.pid) {
            kids.sort_by(by);
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push((row, depth));
    }
    out
}

/// What the user asked to see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A user name or uid (top's `u`).
    pub user: Option<String>,
    /// A part of the command name, any case (top's `o COMMAND=...`, htop's `/`).
    pub name: Option<String>,
}

impl Filter {
    pub fn keeps(&self, row: &Row) -> bool {
        let user_ok = self
            .user
            .as_deref()
            .is_none_or(|u| row.user == u || row.uid.is_some_and(|uid| uid.to_string() == u));
        let name_ok = self
            .name
            .as_deref()
            .is_none_or(|n| row.command.to_lowercase().contains(&n.to_lowercase()));
        user_ok && name_ok
    }
}

/// User names by uid, looked up once each (the password database is slow to ask 2,000 times a
/// second).
#[derive(Debug, Default)]
pub struct Users {
    names: HashMap<u32, String>,
}

impl Users {
    pub fn name(&mut self, uid: Option<u32>) -> String {
        match uid {
            Some(uid) => self
                .names
                .entry(uid)
                .or_insert_with(|| proc::user_name(uid))
                .clone(),
            None => "?".to_string(),
        }
    }
}

/// The rows of `now`, with %CPU over the time since `before`, and the processes of `before` that
/// are gone as `exited` rows. `before` is `None` for the very first frame (nothing is new then).
pub fn build_rows(
    before: Option<&Sample>,
    now: &Sample,
    mem_total_kib: u64,
    users: &mut Users,
) -> Vec<Row> {
    let hz = proc::ticks_per_second();
    let elapsed = before.map_or(std::time::Duration::ZERO, |b| {
        now.taken.saturating_duration_since(b.taken)
    });
    let mut rows: Vec<Row> = now
        .table
        .iter()
        .map(|p| {
            let old = before.and_then(|b| b.table.get(p.pid));
            let mut row = row_of(p, mem_total_kib, users);
            row.cpu_percent = if before.is_some() {
                sample::cpu_percent(old, p, elapsed, hz)
            } else {
                0.0
            };
            row.new = before.is_some() && !old.is_some_and(|o| sample::same_process(o, p));
            row
        })
        .collect();
    if let Some(before) = before {
        for old in before.table.iter() {
            let gone = now
                .table
                .get(old.pid)
                .is_none_or(|p| !sample::same_process(old, p));
            if gone {
                let mut row = row_of(old, mem_total_kib, users);
                row.exited = true;
                rows.push(row);
            }
        }
    }
    rows
}

fn row_of(p: &Process, mem_total_kib: u64, users: &mut Users) -> Row {
    let rss_kib = p.rss_kib();
    Row {
        pid: p.pid,
        ppid: p.ppid,
        user: users.name(p.uid),
        uid: p.uid,
        priority: p.priority,
        nice: p.nice,
        stat: p.stat_string(),
        state: p.state,
        cpu_percent: 0.0,
        mem_percent: if mem_total_kib > 0 {
            100.0 * rss_kib as f64 / mem_total_kib as f64
        } else {
            0.0
        },
        rss_kib,
        cpu_ticks: p.cpu_ticks(),
        time: sample::time_plus(p.cpu_ticks(), proc::ticks_per_second()),
        command: p.comm.clone(),
        threads: p.num_threads,
        new: false,
        exited: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pid: i32, ppid: i32, cpu: f64, rss: u64, ticks: u64, command: &str) -> Row {
        Row {
            pid,
            ppid,
            user: "u".to_string(),
            uid: Some(1000),
            priority: 20,
            nice: 0,
            stat: "S".to_string(),
            state: 'S',
            cpu_percent: cpu,
            mem_percent: 0.0,
            rss_kib: rss,
            cpu_ticks: ticks,
            time: String::new(),
            command: command.to_string(),
            threads: 1,
            new: false,
            exited: false,
        }
    }

    fn sort_rows(rows: &mut [Row], column: Column) {
        rows.sort_by(|a, b| compare(column, a, b));
    }

    fn pids(rows: &[Row]) -> Vec<i32> {
        rows.iter().map(|r| r.pid).collect()
    }

    #[test]
    fn sort_orders_follow_top() {
        let mut rows = vec![
            row(30, 1, 5.0, 100, 7, "b"),
            row(10, 1, 90.0, 50, 9, "a"),
            row(20, 1, 5.0, 300, 1, "c"),
        ];
        sort_rows(&mut rows, Column::Cpu);
        assert_eq!(pids(&rows), [10, 20, 30], "busiest first, ties by PID");
        sort_rows(&mut rows, Column::Mem);
        assert_eq!(pids(&rows), [20, 30, 10], "biggest first");
        sort_rows(&mut rows, Column::Pid);
        assert_eq!(pids(&rows), [10, 20, 30]);
        sort_rows(&mut rows, Column::Time);
        assert_eq!(pids(&rows), [10, 30, 20], "most CPU time first");
        sort_rows(&mut rows, Column::Command);
        assert_eq!(pids(&rows), [10, 30, 20], "alphabetical");
    }

    #[test]
    fn the_sort_column_moves_and_stops_at_the_ends() {
        assert_eq!(Column::Cpu.right(), Column::Mem);
        assert_eq!(Column::Cpu.left(), Column::Stat);
        assert_eq!(Column::Pid.left(), Column::Pid);
        assert_eq!(Column::Command.right(), Column::Command);
    }

    #[test]
    fn forest_puts_children_under_parents() {
        let rows = [
            row(1, 0, 0.0, 0, 0, "init"),
            row(50, 10, 0.0, 0, 0, "sleep"),
            row(10, 1, 0.0, 0, 0, "bash"),
            row(11, 1, 0.0, 0, 0, "cron"),
            // Its parent is not shown: a root of its own.
            row(99, 77, 0.0, 0, 0, "orphan"),
        ];
        let refs: Vec<&Row> = rows.iter().collect();
        let tree = forest(&refs, Column::Pid);
        let shape: Vec<(i32, usize)> = tree.iter().map(|(r, d)| (r.pid, *d)).collect();
        assert_eq!(shape, [(1, 0), (10, 1), (50, 2), (11, 1), (99, 0)]);
        assert_eq!(Column::Command.cell_at(tree[2].0, 2), "   `- sleep");
        assert_eq!(Column::Command.cell_at(tree[1].0, 1), "`- bash");
        assert_eq!(Column::Command.cell(tree[1].0), "bash");
    }

    #[test]
    fn filters_by_user_name_uid_and_command() {
        let r = row(5, 1, 0.0, 0, 0, "Python3");
        let by = |user: Option<&str>, name: Option<&str>| Filter {
            user: user.map(str::to_string),
            name: name.map(str::to_string),
        };
        assert!(by(None, None).keeps(&r));
        assert!(by(Some("u"), None).keeps(&r));
        assert!(by(Some("1000"), None).keeps(&r));
        assert!(!by(Some("root"), None).keeps(&r));
        assert!(by(None, Some("pyth")).keeps(&r));
        assert!(!by(Some("u"), Some("bash")).keeps(&r));
    }

    #[test]
    fn real_time_priority_reads_rt() {
        let mut r = row(5, 1, 0.0, 0, 0, "x");
        assert_eq!(r.priority_text(), "20");
        r.priority = -100;
        assert_eq!(r.priority_text(), "rt");
    }
}
