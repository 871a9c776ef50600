//! `toolkit ps`: a `ps aux`-like listing, with the STAT column built the way `ps` builds it.
//!
//! Columns: USER PID PPID NI PR STAT TTY START RSS COMMAND, sorted by PID. PR is the kernel's
//! priority as `top` shows it (PR: 20 + nice for normal tasks, lower runs first); `ps -o pri`
//! prints 39 minus that number, which is why the two tools seem to disagree.

use std::collections::HashMap;
use std::io::{self, Write};

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

    let mut processes = select(opts, lang)?;
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

    let mut out = io::stdout().lock();
    if opts.json {
        output::write_json(&mut out, &rows)?;
    } else {
        let mut headers = msg::ps_headers(lang).to_vec();
        if opts.threads {
            headers.splice(2..2, ["LWP", "NLWP"]);
        }
        let mut table = output::table(headers);
        let now = Local::now();
        for r in &rows {
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
            table.add_row(cells);
        }
        output::write_table(&mut out, &table)?;
        writeln!(out, "{}", msg::ps_footer(lang, rows.len()))?;
    }
    Ok(if processes.is_empty() && !opts.pids.is_empty() {
        1
    } else {
        0
    })
}

/// A user by name or uid.
fn user_id(user: &str) -> Option<u32> {
    match nix::unistd::User::from_name(user) {
        Ok(Some(u)) => Some(u.uid.as_raw()),
        _ => user.parse().ok(),
    }
}

/// The processes to list: the selected PIDs (warning about missing ones) or everything.
fn select(opts: &Options, lang: Lang) -> Result<Vec<Process>, Failure> {
    let processes: Vec<Process> = if opts.pids.is_empty() {
        ProcessTable::scan(Fields::ALL)
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
            match proc::read_process(pid, Fields::ALL) {
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
