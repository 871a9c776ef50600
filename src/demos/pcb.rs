//! `toolkit pcb [PID]`: the process control block as Linux exposes it.
//!
//! The course describes the PCB as "a block of kernel memory holding a process's basic
//! information". Linux's PCB is `struct task_struct`; it is not readable directly, but `/proc`
//! shows its fields. This command gathers the ones the course names from `/proc/PID/stat` (via
//! [`crate::proc::read_process`]), `/proc/PID/status` and `/proc/PID/fd` (via
//! [`crate::proc::pcb::read_extras`]) and explains each in one line.

use serde::Serialize;

use crate::error::{CmdResult, Failure};
use crate::i18n::demos as t;
use crate::i18n::{Lang, common};
use crate::proc::{self, ProcError, pcb::PcbExtras};

/// One field of the PCB as shown.
#[derive(Debug, Serialize)]
pub struct Field {
    /// Stable key (pid, ppid, command, user, group, exe, cwd, state, priority, nice, vm_size,
    /// vm_rss, open_files, threads, cpu_time, start_time, context_switches).
    pub key: &'static str,
    /// The value itself, typed: a number (KiB for memory, seconds for CPU time, seconds since the
    /// epoch for the start time), a string, an object (the two ids, the two switch counts), or
    /// null where it could not be read.
    pub value: serde_json::Value,
    /// The value as the table shows it.
    pub text: String,
    /// Where in /proc it was read.
    pub source: &'static str,
    pub meaning: String,
}

#[derive(Debug, Serialize)]
struct Pcb {
    pid: i32,
    fields: Vec<Field>,
}

fn missing(err: ProcError, pid: i32, lang: Lang) -> anyhow::Error {
    match err {
        ProcError::NoSuchProcess(_) => Failure::new(1, common::no_such_process(lang, pid)).into(),
        other => Failure::new(1, common::proc_unreadable(lang, &other.to_string())).into(),
    }
}

pub fn run(pid: Option<i32>, json: bool, lang: Lang) -> CmdResult {
    let pid = pid.unwrap_or(std::process::id() as i32);
    let p = proc::read_process(pid, proc::Fields::STAT_ONLY).map_err(|e| missing(e, pid, lang))?;
    let extras = match proc::pcb::read_extras(pid) {
        Ok(extras) => extras,
        Err(ProcError::NoSuchProcess(_)) => {
            return Err(Failure::new(1, common::no_such_process(lang, pid)).into());
        }
        // /proc/PID/status unreadable (hardened /proc): show what stat gave us.
        Err(_) => PcbExtras::default(),
    };
    let fields = fields(&p, &extras, lang);
    let mut out = std::io::stdout();
    if json {
        crate::output::write_json(&mut out, &Pcb { pid, fields })?;
        return Ok(0);
    }
    let mut table = crate::output::table(t::pcb_headers(lang));
    for f in &fields {
        table.add_row(vec![
            t::pcb_field_name(lang, f.key).to_string(),
            f.text.clone(),
            f.source.to_string(),
            f.meaning.clone(),
        ]);
    }
    use std::io::Write;
    writeln!(out, "{}", t::pcb_title(lang, pid, &p.comm))?;
    crate::output::write_table(&mut out, &table)?;
    Ok(0)
}

fn opt<T: ToString>(value: Option<T>, lang: Lang) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| t::pcb_unavailable(lang))
}

/// The rows, in the order the course lists them.
fn fields(p: &proc::Process, x: &PcbExtras, lang: Lang) -> Vec<Field> {
    const STAT: &str = "/proc/PID/stat";
    const STATUS: &str = "/proc/PID/status";
    let ticks = proc::ticks_per_second() as f64;
    let state_meaning = t::pcb_state_meaning(lang, p.state);
    let start = p
        .start_epoch_secs()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs as i64, 0))
        .map(|utc| {
            utc.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        });
    let kib = |v: Option<u64>| v.map(|k| format!("{k} KiB"));
    let switches = match (x.voluntary_switches, x.involuntary_switches) {
        (Some(v), Some(n)) => Some(format!("{v} / {n}")),
        _ => None,
    };
    let ids = |real: Option<u32>, effective: Option<u32>, name: fn(u32) -> String| match (
        real, effective,
    ) {
        (Some(r), Some(e)) if r == e => Some(format!("{} ({r})", name(r))),
        (Some(r), Some(e)) => Some(t::pcb_real_effective(
            lang,
            &format!("{} ({r})", name(r)),
            &format!("{} ({e})", name(e)),
        )),
        _ => None,
    };
    use serde_json::{Value, json};
    let or_null = |v: Option<Value>| v.unwrap_or(Value::Null);
    let id_pair = |real: Option<u32>, effective: Option<u32>| match (real, effective) {
        (Some(r), Some(e)) => json!({ "real": r, "effective": e }),
        _ => Value::Null,
    };
    let rows: Vec<(&'static str, Value, String, &'static str)> = vec![
        ("pid", json!(p.pid), p.pid.to_string(), STAT),
        ("ppid", json!(p.ppid), p.ppid.to_string(), STAT),
        ("command", json!(p.comm), p.comm.clone(), STAT),
        (
            "user",
            id_pair(x.uid, x.euid),
            opt(ids(x.uid, x.euid, proc::user_name), lang),
            STATUS,
        ),
        (
            "group",
            id_pair(x.gid, x.egid),
            opt(ids(x.gid, x.egid, proc::group_name), lang),
            STATUS,
        ),
        (
            "exe",
            or_null(x.exe.clone().map(Value::from)),
            opt(x.exe.clone(), lang),
            "/proc/PID/exe",
        ),
        (
            "cwd",
            or_null(x.cwd.clone().map(Value::from)),
            opt(x.cwd.clone(), lang),
            "/proc/PID/cwd",
        ),
        (
            "state",
            json!(p.state.to_string()),
            format!("{} ({state_meaning})", p.state),
            STAT,
        ),
        ("priority", json!(p.priority), p.priority.to_string(), STAT),
        ("nice", json!(p.nice), p.nice.to_string(), STAT),
        (
            "vm_size",
            or_null(x.vm_size_kib.map(Value::from)),
            opt(kib(x.vm_size_kib), lang),
            STATUS,
        ),
        (
            "vm_rss",
            json!(x.vm_rss_kib.unwrap_or(p.rss_kib())),
            opt(
                kib(x.vm_rss_kib).or(Some(format!("{} KiB", p.rss_kib()))),
                lang,
            ),
            STATUS,
        ),
        (
            "open_files",
            or_null(x.open_files.map(Value::from)),
            opt(x.open_files, lang),
            "/proc/PID/fd",
        ),
        (
            "threads",
            json!(p.num_threads),
            p.num_threads.to_string(),
            STAT,
        ),
        (
            "cpu_time",
            json!(p.cpu_ticks() as f64 / ticks),
            t::pcb_cpu_time(
                lang,
                p.cpu_ticks() as f64 / ticks,
                p.utime as f64 / ticks,
                p.stime as f64 / ticks,
            ),
            STAT,
        ),
        (
            "start_time",
            or_null(p.start_epoch_secs().map(Value::from)),
            opt(start, lang),
            STAT,
        ),
        (
            "context_switches",
            match (x.voluntary_switches, x.involuntary_switches) {
                (Some(v), Some(n)) => json!({ "voluntary": v, "involuntary": n }),
                _ => Value::Null,
            },
            opt(switches, lang),
            STATUS,
        ),
    ];
    rows.into_iter()
        .map(|(key, value, text, source)| Field {
            key,
            value,
            text,
            source,
            meaning: t::pcb_meaning(lang, key),
        })
        .collect()
}
