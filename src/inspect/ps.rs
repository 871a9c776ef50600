//! `toolkit ps`: a `ps aux`-like listing, with the STAT column built the way `ps` builds it.
//!
//! Columns: USER PID PPID NI PR STAT TTY START RSS COMMAND, sorted by PID. PR is the kernel's
//! priority as `top` shows it (PR: 20 + nice for normal tasks, lower runs first); `ps -o pri`
//! prints 39 minus that number, which is why the two tools seem to disagree.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};

use chrono::{DateTime, Datelike, Local};
use serde::Serialize;

use super::{ps_tree, stat_codes};
use crate::error::{CmdResult, Failure};
use crate::i18n::inspect as msg;
use crate::i18n::{Lang, common};
use crate::output;
use crate::proc::{self, Fields, ProcError, Process, ProcessTable};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these PIDs (empty: all).
    pub pids: Vec<i32>,
    pub no_kernel: bool,
    pub tree: bool,
    pub explain: bool,
    pub json: bool,
    /// `-L`: one row per thread.
    pub threads: bool,
    /// `-o`: ps's column names (each string may hold several, comma-separated).
    pub format: Vec<String>,
    /// `-u`: only the processes of this user (name or uid).
    pub user: Option<String>,
    /// `--sort`: ps's keys (`-rss,pid`).
    pub sort: Option<String>,
}

/// One row of the listing, as JSON shows it.
#[derive(Debug, Serialize)]
pub struct Row {
    pub user: String,
    pub uid: Option<u32>,
    pub pid: i32,
    pub ppid: i32,
    pub nice: i64,
    pub priority: i64,
    pub stat: String,
    pub state: char,
    pub threads: i64,
    pub tty: String,
    /// Seconds since the epoch.
    pub start: Option<u64>,
    pub rss_kib: u64,
    /// Virtual memory, KiB (ps's VSZ).
    pub vsz_kib: u64,
    /// ps's %CPU: CPU time over the process's whole life, in percent.
    pub cpu_percent: f64,
    /// ps's %MEM: resident memory over the machine's, in percent.
    pub mem_percent: f64,
    /// CPU time used, in seconds (ps's TIME).
    pub cpu_seconds: u64,
    pub command: String,
    /// With `-L`: the thread's ID (LWP, "light-weight process"); the main thread's is the PID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lwp: Option<i32>,
}

pub fn run(opts: &Options, lang: Lang) -> CmdResult {
    if opts.explain {
        return stat_codes::run(opts.json, lang);
    }
    if opts.tree {
        let tree_opts = ps_tree::Options {
            root: opts.pids.first().copied(),
            show_pids: true,
            stat: true,
            no_kernel: opts.no_kernel,
            json: opts.json,
            ..ps_tree::Options::default()
        };
        return ps_tree::run(&tree_opts, lang);
    }

    let mut processes = select(opts, fields_needed(opts), lang)?;
    if let Some(user) = &opts.user {
        let uid = user_id(user).ok_or_else(|| Failure::new(1, msg::unknown_user(lang, user)))?;
        processes.retain(|p| p.uid == Some(uid));
    }
    let ctx = super::ps_columns::Context::now();
    if let Some(list) = &opts.sort {
        let keys = super::ps_columns::parse_sort(list).map_err(|bad| {
            Failure::new(
                1,
                msg::unknown_column(lang, &bad, super::ps_columns::Column::NAMES),
            )
        })?;
        super::ps_columns::sort(&mut processes, &keys, &ctx);
    }
    if !opts.format.is_empty() {
        let columns = super::ps_columns::parse(&opts.format).map_err(|bad| {
            Failure::new(
                1,
                msg::unknown_column(lang, &bad, super::ps_columns::Column::NAMES),
            )
        })?;
        let mut out = io::stdout().lock();
        write!(
            out,
            "{}",
            super::ps_columns::render(&columns, &processes, &ctx)
        )?;
        return Ok(u8::from(processes.is_empty() && !opts.pids.is_empty()));
    }
    let mut users = HashMap::new();
    let rows: Vec<Row> = if opts.threads {
        processes
            .iter()
            .flat_map(|p| thread_rows(p, &mut users, &ctx))
            .collect()
    } else {
        processes.iter().map(|p| row(p, &mut users, &ctx)).collect()
    };

    let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    if opts.json {
        output::write_json(&mut out, &rows)?;
    } else {
        let mut headers = msg::ps_headers(lang).to_vec();
        if opts.threads {
            headers.splice(2..2, ["LWP", "NLWP"]);
        }
        let now = Local::now();
        let cells = |r: &Row| -> Vec<String> {
            let mut cells = vec![r.user.clone(), r.pid.to_string()];
            if opts.threads {
                cells.push(r.lwp.unwrap_or(r.pid).to_string());
                cells.push(r.threads.to_string());
            }
            cells.extend([
                r.ppid.to_string(),
                format!("{:.1}", r.cpu_percent),
                format!("{:.1}", r.mem_percent),
                r.vsz_kib.to_string(),
                r.rss_kib.to_string(),
                r.nice.to_string(),
                r.priority.to_string(),
                r.stat.clone(),
                r.tty.clone(),
                r.start
                    .map_or_else(|| "?".to_string(), |s| start_text(s, now)),
                super::ps_columns::cpu_time(r.cpu_seconds),
                r.command.clone(),
            ]);
            cells
        };
        if io::stdout().is_terminal() {
            let mut table = output::table(headers);
            for r in &rows {
                table.add_row(cells(r));
            }
            output::write_table(&mut out, &table)?;
        } else {
            write_plain(
                &mut out,
                &headers,
                rows.iter().map(cells),
                &ctx,
                opts.threads,
            )?;
        }
        writeln!(out, "{}", msg::ps_footer(lang, rows.len()))?;
    }
    out.flush()?;
    Ok(if processes.is_empty() && !opts.pids.is_empty() {
        1
    } else {
        0
    })
}

/// The listing into a pipe or a file, as `ps` writes it: fixed column widths (a wider value pushes
/// the rest of its line right), numbers aligned right, one line at a time, so the listing streams
/// and costs no more memory than its rows. On a terminal the listing is a table instead.
fn write_plain(
    out: &mut impl Write,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    ctx: &super::ps_columns::Context,
    threads: bool,
) -> io::Result<()> {
    let pid = ctx.pid_width;
    // (width, right-aligned) per column, as ps's own widths for the columns it shares.
    let mut layout = vec![(8, false), (pid, true)];
    if threads {
        layout.extend([(pid, true), (4, true)]);
    }
    layout.extend([
        (pid, true),
        (4, true),
        (4, true),
        (6, true),
        (5, true),
        (3, true),
        (3, true),
        (4, false),
        (8, false),
        (5, false),
        (8, true),
        (0, false),
    ]);
    let mut line = String::with_capacity(256);
    super::ps_columns::push_line(&mut line, headers.iter().copied(), &layout);
    out.write_all(line.as_bytes())?;
    for row in rows {
        line.clear();
        super::ps_columns::push_line(&mut line, row.iter().map(String::as_str), &layout);
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// A user by name or uid.
fn user_id(user: &str) -> Option<u32> {
    match nix::unistd::User::from_name(user) {
        Ok(Some(u)) => Some(u.uid.as_raw()),
        _ => user.parse().ok(),
    }
}

/// The files of each process the listing needs: everything for the default listing, only what
/// the columns (and sort keys, and `-u`) of `-o` use. Unknown names are reported later, by the
/// parse that prints the error.
fn fields_needed(opts: &Options) -> Fields {
    use super::ps_columns::{Column, parse, parse_sort};
    if opts.format.is_empty() {
        return Fields::ALL;
    }
    let mut columns: Vec<Column> = parse(&opts.format).unwrap_or_default();
    if let Some(list) = &opts.sort {
        columns.extend(
            parse_sort(list)
                .unwrap_or_default()
                .into_iter()
                .map(|(c, _)| c),
        );
    }
    let mut fields = Fields {
        uid: opts.user.is_some(),
        ..Fields::STAT_ONLY
    };
    for c in columns {
        let f = c.fields();
        fields.uid |= f.uid;
        fields.status |= f.status;
        fields.cmdline |= f.cmdline;
    }
    fields
}

/// The processes to list: the selected PIDs (warning about missing ones) or everything.
fn select(opts: &Options, fields: Fields, lang: Lang) -> Result<Vec<Process>, Failure> {
    let processes: Vec<Process> = if opts.pids.is_empty() {
        ProcessTable::scan_parallel(fields)
            .map_err(|e| {
                Failure::new(
                    1,
                    format!("{}: {e}", common::proc_unreadable(lang, "/proc")),
                )
            })?
            .iter()
            .cloned()
            .collect()
    } else {
        let mut pids = opts.pids.clone();
        pids.sort_unstable();
        pids.dedup();
        let mut found = Vec::new();
        for pid in pids {
            match proc::read_process(pid, fields) {
                Ok(p) => found.push(p),
                Err(ProcError::NoSuchProcess(_)) => {
                    eprintln!("{}", msg::pid_not_found_warning(lang, pid));
                }
                Err(e) => eprintln!("toolkit: {e}"),
            }
        }
        if found.is_empty() {
            return Err(Failure::new(1, msg::none_selected(lang)));
        }
        found
    };
    Ok(processes
        .into_iter()
        .filter(|p| !(opts.no_kernel && p.is_kernel_thread()))
        .collect())
}

/// `-L`: one row per thread, as `ps -L` lists them: the process's PID, the thread's LWP, the
/// thread's own state (its STAT), everything else the process's. `task/` is read only for
/// processes with more than one thread.
fn thread_rows(
    p: &Process,
    users: &mut HashMap<u32, String>,
    ctx: &super::ps_columns::Context,
) -> Vec<Row> {
    let threads = if p.num_threads > 1 {
        proc::read_threads(p.pid, Fields::STAT_ONLY)
    } else {
        Vec::new()
    };
    if threads.is_empty() {
        let mut only = row(p, users, ctx);
        only.lwp = Some(p.pid);
        return vec![only];
    }
    threads
        .into_iter()
        .map(|mut t| {
            let tid = t.pid;
            t.uid = p.uid;
            t.cmdline = p.cmdline.clone();
            t.locked_kib = p.locked_kib;
            t.vm_rss_kib = p.vm_rss_kib;
            let mut r = row(&t, users, ctx);
            r.pid = p.pid;
            r.lwp = Some(tid);
            r
        })
        .collect()
}

fn row(p: &Process, users: &mut HashMap<u32, String>, ctx: &super::ps_columns::Context) -> Row {
    use super::ps_columns::{cpu_per_mille, mem_per_mille};
    let user = match p.uid {
        Some(uid) => users
            .entry(uid)
            .or_insert_with(|| proc::user_name(uid))
            .clone(),
        None => "?".to_string(),
    };
    Row {
        user,
        uid: p.uid,
        pid: p.pid,
        ppid: p.ppid,
        nice: p.nice,
        priority: p.priority,
        stat: p.stat_string(),
        state: p.state,
        threads: p.num_threads,
        tty: p.tty_name(),
        start: p.start_epoch_secs(),
        rss_kib: p.rss_kib(),
        vsz_kib: p.vsize_bytes / 1024,
        cpu_percent: cpu_per_mille(p, ctx) as f64 / 10.0,
        mem_percent: mem_per_mille(p, ctx) as f64 / 10.0,
        cpu_seconds: p.cpu_ticks() / proc::ticks_per_second().max(1),
        command: p.command_line(),
        lwp: None,
    }
}

/// START as `ps` prints it: `HH:MM` today, `MonDD` this year, else the year.
pub fn start_text(epoch_secs: u64, now: DateTime<Local>) -> String {
    let Some(start) = DateTime::from_timestamp(epoch_secs as i64, 0) else {
        return "?".to_string();
    };
    let start = start.with_timezone(&Local);
    if start.date_naive() == now.date_naive() {
        start.format("%H:%M").to_string()
    } else if start.year() == now.year() {
        start.format("%b%d").to_string()
    } else {
        start.year().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_plain_listing_keeps_ps_widths_and_lets_wide_values_push() {
        let ctx = super::super::ps_columns::Context {
            pid_width: 5,
            uptime_secs: 0,
            mem_total_kib: 0,
        };
        let headers = msg::ps_headers(Lang::En);
        let row = |user: &str| -> Vec<String> {
            [
                user, "42", "1", "0.0", "0.1", "1234", "56", "0", "20", "S", "?", "09:05",
                "00:00:01", "sleep 9",
            ]
            .map(String::from)
            .to_vec()
        };
        let mut out = Vec::new();
        write_plain(
            &mut out,
            &headers,
            [row("root"), row("a-long-name")].into_iter(),
            &ctx,
            false,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "USER       PID  PPID %CPU %MEM    VSZ   RSS  NI  PR STAT TTY      START     TIME COMMAND"
        );
        assert_eq!(
            lines[1],
            "root        42     1  0.0  0.1   1234    56   0  20 S    ?        09:05 00:00:01 sleep 9"
        );
        assert!(lines[2].starts_with("a-long-name    42 "), "{}", lines[2]);
    }

    #[test]
    fn start_column_like_ps() {
        let now = Local.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).unwrap();
        let today = Local.with_ymd_and_hms(2026, 11, 24, 9, 5, 0).unwrap();
        let earlier = Local.with_ymd_and_hms(2026, 3, 2, 9, 5, 0).unwrap();
        let last_year = Local.with_ymd_and_hms(2025, 3, 2, 9, 5, 0).unwrap();
        assert_eq!(start_text(today.timestamp() as u64, now), "09:05");
        assert_eq!(start_text(earlier.timestamp() as u64, now), "Mar02");
        assert_eq!(start_text(last_year.timestamp() as u64, now), "2025");
    }

    #[test]
    fn own_row_is_complete() {
        let me = proc::read_process(std::process::id() as i32, Fields::ALL).unwrap();
        let r = row(
            &me,
            &mut HashMap::new(),
            &crate::inspect::ps_columns::Context::now(),
        );
        assert_eq!(r.pid, std::process::id() as i32);
        assert!(r.stat.starts_with(['R', 'S', 'D']));
        assert!(r.start.is_some());
        assert!(r.rss_kib > 0);
        assert!(!r.user.is_empty());
    }
}
