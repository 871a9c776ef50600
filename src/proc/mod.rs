//! The one model of `/proc`: what the kernel tells us about each process.
//!
//! Everything the toolkit knows about processes is read here, and only here. A [`Process`] is built
//! from one read of `/proc/PID/stat`; the other files are read only when a command asks for the
//! fields that live there ([`Fields`]):
//!
//! | field                          | file                    | who needs it                  |
//! |--------------------------------|-------------------------|-------------------------------|
//! | pid ppid comm state nice prio… | `/proc/PID/stat`        | always                        |
//! | uid                            | owner of `/proc/PID`    | `ps`, `ps-tree -u` and `USER` |
//! | locked memory (STAT `L`)       | `/proc/PID/status`      | `ps`, `ps-tree --stat`        |
//! | command line                   | `/proc/PID/cmdline`     | `ps`, `ps-tree -a`            |
//! | one thread, the same fields    | `/proc/PID/task/TID/…`  | `top -H`                      |
//! | the last PID handed out        | `/proc/loadavg`         | `top` (was anyone born?)      |
//!
//! Processes come and go while we read. A process that disappears between listing `/proc` and
//! reading its files is skipped silently; a file we may not read (another user's, or hardened
//! `/proc`) leaves its field empty and never aborts the scan.
//!
//! `stat` is split by hand ([`parse_stat`]): one line whose only trap, a command name with spaces
//! and parentheses, is worth seeing. The `procfs` crate supplies the rest (clock ticks, page size,
//! boot time, the PCB's files).
//!
//! Why our own model rather than `sysinfo`'s process list: the lesson *is* `/proc`. A student who
//! opens this file sees which file each field comes from and when it is read, and the values
//! match `ps` because they come from the files `ps` reads; what they mean is decided here and in
//! [`stat`]. System-wide figures that are not about one process (CPU usage per core, memory, load for a live view) are what `sysinfo` is for:
//! `toolkit top` takes its header from there and its rows from here.
//!
//! The pure parts live in submodules a student can read on their own: [`stat`] turns the kernel's
//! fields into the `STAT` string `ps` prints, and [`tree`] builds the parent/child tree.

pub mod pcb;
pub mod stat;
pub mod tree;

use std::collections::HashMap;
use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Serialize;
use thiserror::Error;

/// PID of `kthreadd`, the parent of every kernel thread.
pub const KTHREADD_PID: i32 = 2;

/// What can go wrong reading `/proc`.
#[derive(Debug, Error)]
pub enum ProcError {
    /// The process does not exist (or exited while we looked).
    #[error("no process with PID {0}")]
    NoSuchProcess(i32),
    /// `/proc` itself (not one process) could not be read.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A file had a shape we did not expect.
    #[error("cannot parse {path}: {message}")]
    Malformed { path: PathBuf, message: String },
}

/// Which optional fields to read besides `/proc/PID/stat`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields {
    /// The owner uid (one `stat()` of the `/proc/PID` directory).
    pub uid: bool,
    /// `/proc/PID/status` (locked memory, for STAT's `L`).
    pub status: bool,
    /// `/proc/PID/cmdline`.
    pub cmdline: bool,
}

impl Fields {
    /// Only `/proc/PID/stat`.
    pub const STAT_ONLY: Fields = Fields {
        uid: false,
        status: false,
        cmdline: false,
    };
    /// Everything the `ps` listing shows.
    pub const ALL: Fields = Fields {
        uid: true,
        status: true,
        cmdline: true,
    };
}

/// One process, as `/proc` describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Process {
    pub pid: i32,
    pub ppid: i32,
    /// Process group; `+` in STAT when it is the terminal's foreground group (`tpgid`).
    pub pgrp: i32,
    /// Session id; `s` in STAT when the process leads its session (`session == pid`).
    pub session: i32,
    /// Controlling terminal as the kernel encodes it (major/minor), 0 for none.
    pub tty_nr: i32,
    /// Foreground process group of the controlling terminal, -1 for none.
    pub tpgid: i32,
    /// The command name (at most 15 bytes, as the kernel keeps it).
    pub comm: String,
    /// The state letter: R S D T t Z I X W …
    pub state: char,
    /// Niceness, -20..19.
    pub nice: i64,
    /// The kernel's priority as `top` shows it in PR (20 + nice for normal tasks; negative for
    /// real-time). Lower means more important.
    pub priority: i64,
    pub num_threads: i64,
    /// Start time in clock ticks after boot.
    pub start_ticks: u64,
    /// User and system CPU time in clock ticks.
    pub utime: u64,
    pub stime: u64,
    /// Resident set size in pages.
    pub rss_pages: u64,
    /// Virtual memory size in bytes (field 23, `vsize`): everything mapped, as ps's VSZ.
    pub vsize_bytes: u64,
    /// Kernel flags (`PF_*`), e.g. `PF_KTHREAD`.
    pub flags: u32,
    /// Owner uid, when asked for and readable.
    pub uid: Option<u32>,
    /// Locked memory in KiB (`VmLck`), when `status` was asked for and readable.
    pub locked_kib: Option<u64>,
    /// Resident memory in KiB as `/proc/PID/status` counts it (`VmRSS`), when `status` was asked
    /// for: the figure `ps` prints. (`stat`'s page count can lag behind it: newer kernels keep
    /// the counters per CPU and `stat` reads them without summing.)
    pub vm_rss_kib: Option<u64>,
    /// The argument vector, when asked for and readable (empty for kernel threads and zombies).
    pub cmdline: Option<Vec<String>>,
}

/// `PF_KTHREAD` from the kernel's `sched.h`: the task is a kernel thread.
const PF_KTHREAD: u32 = 0x0020_0000;

impl Process {
    /// A kernel thread: kthreadd itself, one of its children, or anything flagged `PF_KTHREAD`.
    pub fn is_kernel_thread(&self) -> bool {
        self.pid == KTHREADD_PID || self.ppid == KTHREADD_PID || self.flags & PF_KTHREAD != 0
    }

    /// The STAT string exactly as `ps` prints it (for example `Ss+`, `SLl`, `R<`).
    pub fn stat_string(&self) -> String {
        stat::decode_stat(&self.stat_inputs())
    }

    /// The fields the STAT decoder needs.
    pub fn stat_inputs(&self) -> stat::StatInputs {
        stat::StatInputs {
            state: self.state,
            nice: self.nice,
            locked: self.locked_kib.is_some_and(|kib| kib > 0),
            session_leader: self.session == self.pid,
            threads: self.num_threads,
            foreground: self.tpgid != -1 && self.pgrp == self.tpgid,
        }
    }

    /// The command line as one string, or `[comm]` as `ps` shows processes without one.
    pub fn command_line(&self) -> String {
        match &self.cmdline {
            Some(args) if !args.is_empty() => args.join(" "),
            _ => format!("[{}]", self.comm),
        }
    }

    /// The terminal name as `ps` shows it (`pts/0`, `tty1`, `?` for none).
    pub fn tty_name(&self) -> String {
        tty_name(self.tty_nr)
    }

    /// Resident memory in KiB.
    /// Resident memory in KiB: `status`'s exact figure when it was read, else `stat`'s pages.
    pub fn rss_kib(&self) -> u64 {
        self.vm_rss_kib
            .unwrap_or_else(|| self.rss_pages * page_size() / 1024)
    }

    /// Seconds since the Unix epoch at which the process started.
    pub fn start_epoch_secs(&self) -> Option<u64> {
        let boot = boot_time_secs()?;
        Some(boot + self.start_ticks / ticks_per_second())
    }

    /// Total CPU time (user + system) in clock ticks.
    pub fn cpu_ticks(&self) -> u64 {
        self.utime + self.stime
    }
}

/// The name `ps` gives a terminal device number (`tty_nr` in `/proc/PID/stat`).
pub fn tty_name(tty_nr: i32) -> String {
    if tty_nr == 0 {
        return "?".to_string();
    }
    let nr = tty_nr as u32;
    // Linux's encoding: major in bits 8..19, minor in bits 0..7 and 20..31.
    let major = (nr >> 8) & 0xfff;
    let minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
    match major {
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        5 if minor == 0 => "tty".to_string(),
        5 if minor == 1 => "console".to_string(),
        _ => format!("{major}:{minor}"),
    }
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`, almost always 100).
pub fn ticks_per_second() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(procfs::ticks_per_second)
}

/// The page size in bytes.
pub fn page_size() -> u64 {
    static PAGE: OnceLock<u64> = OnceLock::new();
    *PAGE.get_or_init(procfs::page_size)
}

/// Total usable memory in KiB (`MemTotal` of `/proc/meminfo`), what ps's %MEM divides by.
pub fn mem_total_kib() -> Option<u64> {
    static TOTAL: OnceLock<Option<u64>> = OnceLock::new();
    *TOTAL.get_or_init(|| {
        let meminfo = fs::read("/proc/meminfo").ok()?;
        parse_status_kib(&meminfo, "MemTotal")
    })
}

/// Seconds since boot, whole (`/proc/uptime`), as ps counts a process's elapsed time.
pub fn uptime_secs() -> Option<u64> {
    let text = fs::read_to_string("/proc/uptime").ok()?;
    let whole = text.split(['.', ' ']).next()?;
    whole.parse().ok()
}

/// The largest PID the kernel hands out (`/proc/sys/kernel/pid_max`), which sets how wide ps
/// makes its PID columns.
pub fn pid_max() -> Option<u64> {
    fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Boot time in seconds since the epoch (from `/proc/stat`), if readable.
pub fn boot_time_secs() -> Option<u64> {
    static BOOT: OnceLock<Option<u64>> = OnceLock::new();
    *BOOT.get_or_init(|| procfs::boot_time_secs().ok())
}

fn proc_path(pid: i32, file: &str) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/{file}"))
}

/// Read a file of a process. `Ok(None)` when the process is gone; permission errors come back as
/// `Err` so the caller can choose to leave the field empty.
fn read_proc_file(pid: i32, file: &str) -> io::Result<Option<Vec<u8>>> {
    read_file(&proc_path(pid, file))
}

/// [`read_proc_file`] for any path under `/proc`.
fn read_file(path: &std::path::Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        // ENOENT: the process is gone. ESRCH: it died while we were reading.
        Err(e) if e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH) => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Parse the contents of `/proc/PID/stat`: one line, `PID (COMM) STATE PPID ...`, the fields
/// numbered as in `man 5 proc`. The command name may itself contain spaces and parentheses, so it
/// is whatever lies between the *first* `(` and the *last* `)`; after it, the fields are plain
/// numbers separated by spaces.
pub fn parse_stat(bytes: &[u8]) -> Result<Process, String> {
    let open = memchr::memchr(b'(', bytes).ok_or("no '(' before the command name")?;
    let close = memchr::memrchr(b')', bytes)
        .filter(|&c| c > open)
        .ok_or("no ')' after the command name")?;
    let pid = number(bytes[..open].trim_ascii(), "pid")?;
    let comm = String::from_utf8_lossy(&bytes[open + 1..close]).into_owned();
    // fields[0] is field 3 of the man page (state), fields[1] field 4 (ppid)... up to field 24
    // (rss), the last one read. A fixed array: this runs for every process at every refresh.
    let mut fields: [&[u8]; 22] = [&[]; 22];
    let words = bytes[close + 1..]
        .split(|&b| b == b' ' || b == b'\n')
        .filter(|f| !f.is_empty());
    for (slot, word) in fields.iter_mut().zip(words) {
        *slot = word;
    }
    let field = |n: usize, name: &str| -> Result<&[u8], String> {
        Some(fields[n - 3])
            .filter(|f| !f.is_empty())
            .ok_or_else(|| format!("no field {n} ({name})"))
    };
    let state = match field(3, "state")? {
        [letter] => char::from(*letter),
        _ => return Err("the state is not one letter".to_string()),
    };
    Ok(Process {
        pid,
        ppid: number(field(4, "ppid")?, "ppid")?,
        pgrp: number(field(5, "pgrp")?, "pgrp")?,
        session: number(field(6, "session")?, "session")?,
        tty_nr: number(field(7, "tty_nr")?, "tty_nr")?,
        tpgid: number(field(8, "tpgid")?, "tpgid")?,
        flags: number(field(9, "flags")?, "flags")?,
        utime: number(field(14, "utime")?, "utime")?,
        stime: number(field(15, "stime")?, "stime")?,
        priority: number(field(18, "priority")?, "priority")?,
        nice: number(field(19, "nice")?, "nice")?,
        num_threads: number(field(20, "num_threads")?, "num_threads")?,
        start_ticks: number(field(22, "starttime")?, "starttime")?,
        // A signed long in the kernel; never negative in practice.
        rss_pages: number::<i64>(field(24, "rss")?, "rss")?.max(0) as u64,
        vsize_bytes: number(field(23, "vsize")?, "vsize")?,
        comm,
        state,
        uid: None,
        locked_kib: None,
        vm_rss_kib: None,
        cmdline: None,
    })
}

/// One decimal field of a `/proc` file.
fn number<T: std::str::FromStr>(field: &[u8], name: &str) -> Result<T, String> {
    std::str::from_utf8(field)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            format!(
                "{name} is not a number: {:?}",
                String::from_utf8_lossy(field)
            )
        })
}

/// Parse one `Key:   N kB` line of `/proc/PID/status`, in KiB. Kernel threads have no `Vm*` lines.
pub fn parse_status_kib(status: &[u8], key: &str) -> Option<u64> {
    let rest = status_value(status, key.as_bytes())?;
    let number = rest
        .split(|b| b.is_ascii_whitespace())
        .find(|w| !w.is_empty())?;
    std::str::from_utf8(number).ok()?.parse().ok()
}

/// Memory figures of a process that `ps` does not show but a benchmark wants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MemoryPeak {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set size (`VmHWM`, the "high water mark").
    pub peak_rss_kib: u64,
}

/// CPU time (user + system, in clock ticks) of thread `tid` of process `pid`, from
/// `/proc/PID/task/TID/stat`; None if either is gone. (`/proc/TID/stat` would give the whole
/// process: the kernel sums a thread group there, whichever of its threads is named.)
pub fn thread_cpu_ticks(pid: i32, tid: i32) -> Option<u64> {
    read_thread(pid, tid, Fields::STAT_ONLY)
        .ok()
        .map(|t| t.cpu_ticks())
}

/// Current and peak resident memory of a process, from `/proc/PID/status`.
pub fn memory_peak(pid: i32) -> Result<MemoryPeak, ProcError> {
    let status = match read_proc_file(pid, "status") {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(ProcError::NoSuchProcess(pid)),
        Err(source) => {
            return Err(ProcError::Unreadable {
                path: proc_path(pid, "status"),
                source,
            });
        }
    };
    Ok(MemoryPeak {
        rss_kib: parse_status_kib(&status, "VmRSS").unwrap_or(0),
        peak_rss_kib: parse_status_kib(&status, "VmHWM").unwrap_or(0),
    })
}

/// Split the NUL-separated contents of `/proc/PID/cmdline` into arguments.
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    let trimmed = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split(|&b| b == 0)
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect()
}

/// Read one process. `Err(NoSuchProcess)` when it does not exist (or vanished while reading).
pub fn read_process(pid: i32, fields: Fields) -> Result<Process, ProcError> {
    Reader::default().process(pid, fields)
}

/// Read one thread (a *task*) of process `pid`, from `/proc/PID/task/TID/`. The result's `pid`
/// is the thread's id (TID), its other fields are the thread's own (state, CPU time, priority).
pub fn read_thread(pid: i32, tid: i32, fields: Fields) -> Result<Process, ProcError> {
    Reader::default().thread(pid, tid, fields)
}

/// Reads processes one after the other with one buffer, and with as few system calls as the
/// fields allow: `stat` is opened, its owner taken from the open file (`fstat`; every file of
/// `/proc/PID` belongs to the process's effective uid, as the directory does), read with one
/// `read` (a `stat` line is a few hundred bytes), and closed. A scan of 2,000 processes does this
/// 2,000 times, so each system call saved is saved 2,000 times; a command that scans again and
/// again (`top`) keeps the files open instead ([`StatFiles`]).
///
/// `status` and `cmdline`, when asked for, go the same way into a second reused buffer: one
/// `open`, one `read` (4 KiB holds a `status`; a longer command line grows the buffer), one
/// `close`. When `status` is read, the owner comes from its `Uid:` line (the effective uid, the
/// one `ps` shows) and `stat` is not `fstat`ed at all.
#[derive(Debug, Default)]
pub struct Reader {
    buf: Vec<u8>,
    other: Vec<u8>,
}

impl Reader {
    pub fn process(&mut self, pid: i32, fields: Fields) -> Result<Process, ProcError> {
        if pid <= 0 {
            return Err(ProcError::NoSuchProcess(pid));
        }
        self.entry(&format!("/proc/{pid}"), pid, fields)
    }

    pub fn thread(&mut self, pid: i32, tid: i32, fields: Fields) -> Result<Process, ProcError> {
        if pid <= 0 || tid <= 0 {
            return Err(ProcError::NoSuchProcess(tid));
        }
        self.entry(&format!("/proc/{pid}/task/{tid}"), tid, fields)
    }

    /// Read the entry `dir` (`/proc/PID` or `/proc/PID/task/TID`); `id` names it in errors.
    fn entry(&mut self, dir: &str, id: i32, fields: Fields) -> Result<Process, ProcError> {
        let path = PathBuf::from(format!("{dir}/stat"));
        let gone = |e: &io::Error| {
            // ENOENT: the process is gone. ESRCH: it died while we were reading.
            e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH)
        };
        let uid = match read_stat_file(&path, fields.uid && !fields.status, &mut self.buf) {
            Ok(uid) => uid,
            Err(e) if gone(&e) => return Err(ProcError::NoSuchProcess(id)),
            Err(source) => return Err(ProcError::Unreadable { path, source }),
        };
        let mut process = parse_stat(&self.buf).map_err(|message| ProcError::Malformed {
            path: path.clone(),
            message,
        })?;
        process.uid = uid;
        let file = |name: &str| PathBuf::from(format!("{dir}/{name}"));
        if fields.status {
            match read_into(&file("status"), &mut self.other) {
                Ok(true) => {
                    process.locked_kib = parse_status_kib(&self.other, "VmLck");
                    process.vm_rss_kib = parse_status_kib(&self.other, "VmRSS");
                    if fields.uid {
                        process.uid = parse_status_euid(&self.other);
                    }
                }
                Ok(false) => return Err(ProcError::NoSuchProcess(id)),
                Err(_) => {}
            }
        }
        if fields.cmdline {
            match read_into(&file("cmdline"), &mut self.other) {
                Ok(true) => process.cmdline = Some(parse_cmdline(&self.other)),
                Ok(false) => return Err(ProcError::NoSuchProcess(id)),
                Err(_) => {}
            }
        }
        Ok(process)
    }
}

/// The most of one `/proc` file read (a command line can be up to `ARG_MAX`, 2 MiB, plus what a
/// process wrote over its environment; `ps` stops at 128 KiB).
const MAX_PROC_FILE: usize = 4 << 20;

/// Read a whole `/proc` file into `buf` with as few `read`s as it takes (one, when it fits):
/// `/proc` files are generated whole at each `read`, so a read shorter than the room offered is the
/// end. `Ok(false)` when the process is gone.
fn read_into(path: &std::path::Path, buf: &mut Vec<u8>) -> io::Result<bool> {
    use std::io::Read;
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH) => {
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let mut filled = 0;
    buf.clear();
    buf.resize(4096, 0);
    loop {
        if filled == buf.len() {
            if filled >= MAX_PROC_FILE {
                break;
            }
            buf.resize(buf.len() * 2, 0);
        }
        let room = buf.len() - filled;
        match file.read(&mut buf[filled..]) {
            Ok(n) => {
                filled += n;
                if n < room {
                    break;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(true)
}

/// The effective uid from a `status` file's `Uid:` line (real, effective, saved, filesystem).
pub fn parse_status_euid(status: &[u8]) -> Option<u32> {
    status_value(status, b"Uid")?
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .nth(1)
        .and_then(|w| std::str::from_utf8(w).ok()?.parse().ok())
}

/// The text after `key:` on its line of a `status` file.
fn status_value<'a>(status: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    status
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(b":"))
}

/// Read a `stat` file into `buf`, and, when asked, the owner of the open file.
fn read_stat_file(
    path: &std::path::Path,
    owner: bool,
    buf: &mut Vec<u8>,
) -> io::Result<Option<u32>> {
    read_open_stat(&fs::File::open(path)?, owner, buf)
}

/// The thread ids of process `pid` (`/proc/PID/task`) in the kernel's order, the main thread first
/// and the others as they were created (the order `ps -L` lists them; not ascending once PIDs have
/// wrapped around); empty once it is gone.
pub fn list_tids(pid: i32) -> Vec<i32> {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// Every thread of process `pid` that could be read (none once it is gone).
pub fn read_threads(pid: i32, fields: Fields) -> Vec<Process> {
    let mut reader = Reader::default();
    list_tids(pid)
        .into_iter()
        .filter_map(|tid| reader.thread(pid, tid, fields).ok())
        .collect()
}

/// The state letter of one process, or `None` once it is gone (reaped). Demos use this to watch a
/// child change state.
pub fn state_of(pid: i32) -> Option<char> {
    read_process(pid, Fields::STAT_ONLY).ok().map(|p| p.state)
}

/// Whether `/proc/PID` exists.
pub fn exists(pid: i32) -> bool {
    pid > 0 && proc_path(pid, "").exists()
}

/// The owner uid of one process (one `stat()` of `/proc/PID`), `None` once it is gone. For a
/// command that needs the owner of a few processes only, not of the whole table: `ps-tree` sorts
/// two siblings of the same name by owner, as pstree does.
pub fn owner(pid: i32) -> Option<u32> {
    if pid <= 0 {
        return None;
    }
    fs::metadata(proc_path(pid, "")).ok().map(|m| m.uid())
}

/// The PIDs listed in `/proc` right now, in ascending order.
pub fn list_pids() -> Result<Vec<i32>, ProcError> {
    let entries = fs::read_dir("/proc").map_err(|source| ProcError::Unreadable {
        path: PathBuf::from("/proc"),
        source,
    })?;
    let mut pids: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    Ok(pids)
}

/// A snapshot of every process, sorted by PID (so a PID is found by binary search).
#[derive(Debug, Clone, Default)]
pub struct ProcessTable {
    processes: Vec<Process>,
}

impl ProcessTable {
    /// Read every process in `/proc`, with the given optional fields.
    pub fn scan(fields: Fields) -> Result<ProcessTable, ProcError> {
        let mut processes = Vec::new();
        let mut reader = Reader::default();
        for pid in list_pids()? {
            match reader.process(pid, fields) {
                Ok(p) => processes.push(p),
                // Gone between the listing and the read: that is life on a busy machine.
                Err(ProcError::NoSuchProcess(_)) => {}
                // A single unreadable or odd process must not take the whole listing down.
                Err(ProcError::Unreadable { .. }) | Err(ProcError::Malformed { .. }) => {}
            }
        }
        Ok(ProcessTable::from_processes(processes))
    }

    /// [`ProcessTable::scan`] on several threads at once (up to the CPUs this process may use, at
    /// most 4), for the commands that only list (`ps`, `ps-tree`): reading `/proc` is kernel work,
    /// and the kernel does it on every core in parallel. Never call it in a process that forks
    /// afterwards: a thread just joined may still count in `/proc/self/stat` for a moment, and
    /// [`crate::child::fork_child`] would rightly refuse.
    pub fn scan_parallel(fields: Fields) -> Result<ProcessTable, ProcError> {
        let pids = list_pids()?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        if threads == 1 || pids.len() < 256 {
            return ProcessTable::scan(fields);
        }
        let chunk = pids.len().div_ceil(threads);
        let mut processes = Vec::with_capacity(pids.len());
        std::thread::scope(|scope| {
            let parts: Vec<_> = pids
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut reader = Reader::default();
                        part.iter()
                            .filter_map(|&pid| reader.process(pid, fields).ok())
                            .collect::<Vec<Process>>()
                    })
                })
                .collect();
            for part in parts {
                processes.extend(part.join().unwrap_or_default());
            }
        });
        Ok(ProcessTable::from_processes(processes))
    }

    /// A table from processes already read (tests build these by hand).
    pub fn from_processes(mut processes: Vec<Process>) -> ProcessTable {
        processes.sort_by_key(|p| p.pid);
        processes.dedup_by_key(|p| p.pid);
        ProcessTable { processes }
    }

    pub fn get(&self, pid: i32) -> Option<&Process> {
        self.processes
            .binary_search_by_key(&pid, |p| p.pid)
            .ok()
            .map(|i| &self.processes[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Process> {
        self.processes.iter()
    }

    pub fn len(&self) -> usize {
        self.processes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.processes.is_empty()
    }

    /// The parent/child tree of this snapshot.
    pub fn tree(&self) -> tree::Tree {
        tree::Tree::build(self.processes.iter().map(|p| (p.pid, p.ppid)))
    }
}

/// `stat` files kept open from one scan to the next, for a command that reads the same processes
/// again and again (`top`).
///
/// Opening `/proc/PID/stat` costs the kernel a path walk and a new open file every time. A file
/// already open can simply be read again from offset 0 (`pread`), and the kernel writes a fresh
/// line: one system call per process per refresh instead of three. The open file stays bound to
/// the *process*, not to the number: once the process is reaped, reading fails (ESRCH) even if a
/// new process has got the same PID, so the file is closed and the number opened afresh.
///
/// The owner (for USER) costs one more call, `fstat`, so it is read when the file is opened,
/// again after an `exec` (a new command name: that is when a set-uid program such as `su` changes
/// the owner) and otherwise every fifth read: a process that changes its uid without an exec (a
/// daemon dropping root) shows its new owner within five refreshes.
///
/// Each open file counts against the open-files limit (`ulimit -n`); past [`StatFiles::new`]'s
/// capacity, the rest are opened, read and closed as [`Reader`] does.
#[derive(Debug)]
pub struct StatFiles {
    open: HashMap<i32, OpenStat>,
    capacity: usize,
    buf: Vec<u8>,
    /// Threads (`/proc/PID/task/TID/stat`, keyed by TID) rather than processes.
    threads: bool,
    births: Births,
}

impl StatFiles {
    /// Keep at most `capacity` files open; `threads` chooses what is read.
    pub fn new(capacity: usize, threads: bool) -> StatFiles {
        StatFiles {
            open: HashMap::new(),
            capacity,
            buf: Vec::new(),
            threads,
            births: Births::new(),
        }
    }

    pub fn threads(&self) -> bool {
        self.threads
    }

    /// Every process (or thread) now, with its owner when `owner` is set. Files of the processes
    /// that are gone are closed.
    pub fn scan(&mut self, owner: bool) -> Result<ProcessTable, ProcError> {
        let last_pid = self.births.last_pid();
        let pids = match self.births.known_if_none_born(last_pid) {
            Some(known) if !self.threads => known,
            _ => list_pids()?,
        };
        let table = self.read_pids(&pids, owner);
        self.open.retain(|id, _| table.get(*id).is_some());
        self.births
            .listed(last_pid, table.iter().map(|p| p.pid).collect());
        Ok(table)
    }

    /// Only these processes (or their threads).
    pub fn read_pids(&mut self, pids: &[i32], owner: bool) -> ProcessTable {
        let mut found = Vec::with_capacity(pids.len());
        for &pid in pids {
            if self.threads {
                for tid in list_tids(pid) {
                    found.extend(self.read(tid, || format!("/proc/{pid}/task/{tid}/stat"), owner));
                }
            } else {
                found.extend(self.read(pid, || format!("/proc/{pid}/stat"), owner));
            }
        }
        ProcessTable::from_processes(found)
    }

    /// Read one entry through its open file, opening it (again) when needed. `None` once gone or
    /// unreadable, as [`ProcessTable::scan`] skips those.
    fn read(&mut self, id: i32, path: impl Fn() -> String, owner: bool) -> Option<Process> {
        if let Some(open) = self.open.get_mut(&id) {
            let fresh = read_open_stat(&open.file, false, &mut self.buf)
                .ok()
                .and_then(|_| parse_stat(&self.buf).ok());
            if let Some(mut process) = fresh {
                if owner {
                    open.owner_age += 1;
                    if open.uid.is_none()
                        || open.owner_age >= OWNER_RECHECK
                        || open.comm != process.comm
                    {
                        open.uid = open.file.metadata().ok().map(|m| m.uid());
                        open.owner_age = 0;
                        open.comm.clone_from(&process.comm);
                    }
                    process.uid = open.uid;
                }
                return Some(process);
            }
            // Reaped (perhaps with its PID reused): forget it, and look at the number again.
            self.open.remove(&id);
        }
        let file = fs::File::open(path()).ok()?;
        let uid = read_open_stat(&file, owner, &mut self.buf).ok()?;
        let process = parse_stat(&self.buf).ok()?;
        if self.open.len() < self.capacity {
            let comm = process.comm.clone();
            let open = OpenStat {
                file,
                uid,
                owner_age: 0,
                comm,
            };
            self.open.insert(id, open);
        }
        Some(Process { uid, ..process })
    }
}

/// Whether anyone was born since the last look, from the kernel's last PID handed out.
///
/// Listing `/proc` costs the kernel work for every entry, at every refresh. But a new process (or
/// thread) always gets a new PID, and `/proc/loadavg` ends with the last PID the kernel handed
/// out. If that number has not moved, nobody was born: the processes are the ones we know, less
/// the dead, whom reading their files reveals anyway. One caveat makes the rule safe: a PID is
/// handed out a moment before its process appears in `/proc`, so a listing is trusted only if the
/// number had already stopped moving before it was taken.
#[derive(Debug)]
struct Births {
    /// `/proc/loadavg`, kept open; `None` when this `/proc` is not of our PID namespace (its
    /// numbers would not be the ones listed) or cannot be read.
    loadavg: Option<fs::File>,
    /// The last PID at the previous scan.
    previous: Option<u32>,
    /// The last PID at a scan whose listing is complete, and the PIDs that listing found.
    settled: Option<(u32, Vec<i32>)>,
}

impl Births {
    fn new() -> Births {
        let ours = fs::read_link("/proc/self")
            .ok()
            .and_then(|target| target.to_str()?.parse::<u32>().ok())
            == Some(std::process::id());
        Births {
            loadavg: ours.then(|| fs::File::open("/proc/loadavg").ok()).flatten(),
            previous: None,
            settled: None,
        }
    }

    /// The last PID handed out, from the 5th field of `/proc/loadavg` (`0.12 0.20 0.18 1/93 4242`).
    fn last_pid(&mut self) -> Option<u32> {
        use std::os::unix::fs::FileExt;
        let file = self.loadavg.as_ref()?;
        let mut buf = [0u8; 128];
        let n = file.read_at(&mut buf, 0).ok()?;
        parse_last_pid(&buf[..n])
    }

    /// The PIDs of the last complete listing, if nobody was born since.
    fn known_if_none_born(&self, last_pid: Option<u32>) -> Option<Vec<i32>> {
        match (&self.settled, last_pid) {
            (Some((settled, pids)), Some(now)) if *settled == now => Some(pids.clone()),
            _ => None,
        }
    }

    /// Record a scan: `pids` were found with `last_pid` read just before.
    fn listed(&mut self, last_pid: Option<u32>, pids: Vec<i32>) {
        self.settled = match last_pid {
            // Unchanged since the previous scan: every PID up to it had time to appear.
            Some(now) if self.previous == Some(now) => Some((now, pids)),
            _ => None,
        };
        self.previous = last_pid;
    }
}

/// The last field of `/proc/loadavg`.
fn parse_last_pid(loadavg: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(loadavg).ok()?;
    text.split_whitespace().nth(4)?.parse().ok()
}

/// How many reads of a kept-open file may pass before its owner is read again (see
/// [`StatFiles`]).
const OWNER_RECHECK: u32 = 5;

/// A `stat` file kept open, and the owner last read through it.
#[derive(Debug)]
struct OpenStat {
    file: fs::File,
    uid: Option<u32>,
    /// Reads since the owner was read.
    owner_age: u32,
    /// The command name when the owner was read: a new one means an `exec`, which is when a
    /// set-uid program (`su`, `sudo`) changes the owner.
    comm: String,
}

/// Read an open `stat` file from its start into `buf`, and, when asked, the file's owner.
fn read_open_stat(file: &fs::File, owner: bool, buf: &mut Vec<u8>) -> io::Result<Option<u32>> {
    use std::os::unix::fs::FileExt;
    let uid = if owner {
        Some(file.metadata()?.uid())
    } else {
        None
    };
    buf.clear();
    let mut chunk = [0u8; 1024];
    loop {
        let n = file.read_at(&mut chunk, buf.len() as u64)?;
        buf.extend_from_slice(&chunk[..n]);
        if n == 0 || buf.ends_with(b"\n") {
            break;
        }
    }
    if buf.is_empty() {
        // A file that reads empty belongs to a process that is gone.
        return Err(io::Error::from_raw_os_error(libc::ESRCH));
    }
    Ok(uid)
}

/// The user name for a uid (from the password database), or the number. Each uid is looked up
/// once per run: a listing of 2,000 processes of three users reads the database three times.
pub fn user_name(uid: u32) -> String {
    static NAMES: std::sync::Mutex<Option<HashMap<u32, String>>> = std::sync::Mutex::new(None);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    names
        .get_or_insert_with(HashMap::new)
        .entry(uid)
        .or_insert_with(
            || match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
                Ok(Some(user)) => user.name,
                _ => uid.to_string(),
            },
        )
        .clone()
}

/// The name of group `gid`, or the number when it has none.
pub fn group_name(gid: u32) -> String {
    match nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid)) {
        Ok(Some(group)) => group.name,
        _ => gid.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread that waits until the sender is dropped: its TID, the sender, its handle.
    fn idle_thread() -> (
        i32,
        std::sync::mpsc::Sender<()>,
        std::thread::JoinHandle<()>,
    ) {
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let idle = std::thread::spawn(move || {
            tid_tx.send(nix::unistd::gettid().as_raw()).unwrap();
            let _ = done_rx.recv();
        });
        (tid_rx.recv().unwrap(), done_tx, idle)
    }

    /// Stop the thread from [`idle_thread`] and wait until it has left `/proc` (at most 2 s).
    /// `join` returns once the kernel has cleared the thread's id, which it does on the way out,
    /// a moment before the thread's `task/TID` goes away.
    fn end_idle_thread(
        pid: i32,
        tid: i32,
        done: std::sync::mpsc::Sender<()>,
        idle: std::thread::JoinHandle<()>,
    ) {
        drop(done);
        idle.join().unwrap();
        let gone_by = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while read_thread(pid, tid, Fields::STAT_ONLY).is_ok()
            && std::time::Instant::now() < gone_by
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// An idle thread's CPU is its own, not the whole process's (which `/proc/TID/stat` gives).
    #[test]
    fn a_threads_cpu_is_its_own() {
        let pid = std::process::id() as i32;
        let (tid, done_tx, idle) = idle_thread();
        // Burn CPU on this thread until the process has clearly used some.
        let process = || read_process(pid, Fields::STAT_ONLY).unwrap().cpu_ticks();
        let start = process();
        let mut x = 1u64;
        while process() < start + 5 {
            for i in 0..1_000_000u64 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
            }
        }
        let idle_ticks = thread_cpu_ticks(pid, tid).expect("the idle thread is there");
        assert!(idle_ticks <= 1, "an idle thread charged {idle_ticks} ticks");
        end_idle_thread(pid, tid, done_tx, idle);
        assert_eq!(thread_cpu_ticks(pid, tid), None, "a thread that is gone");
    }

    /// A thread is read from `task/TID`: its own id, its own CPU time.
    #[test]
    fn threads_are_listed_with_their_own_ids() {
        let pid = std::process::id() as i32;
        let (tid, done_tx, idle) = idle_thread();
        assert!(
            list_tids(pid).contains(&pid),
            "the main thread's TID is the PID"
        );
        assert!(list_tids(pid).contains(&tid));
        let thread = read_thread(pid, tid, Fields::STAT_ONLY).unwrap();
        assert_eq!(thread.pid, tid);
        assert!(
            read_threads(pid, Fields::STAT_ONLY)
                .iter()
                .any(|t| t.pid == tid)
        );
        end_idle_thread(pid, tid, done_tx, idle);
        assert!(matches!(
            read_thread(pid, tid, Fields::STAT_ONLY),
            Err(ProcError::NoSuchProcess(_))
        ));
        assert!(list_tids(i32::MAX).is_empty());
    }

    /// The owner read from the open `stat` file is the owner of the process's directory.
    #[test]
    fn the_owner_of_stat_is_the_owner_of_the_process() {
        let pid = std::process::id() as i32;
        let dir = fs::metadata(format!("/proc/{pid}")).unwrap().uid();
        let me = read_process(
            pid,
            Fields {
                uid: true,
                ..Fields::STAT_ONLY
            },
        )
        .unwrap();
        assert_eq!(me.uid, Some(dir));
        let mut reader = Reader::default();
        let again = reader.process(pid, Fields::STAT_ONLY).unwrap();
        assert_eq!((again.pid, again.uid), (pid, None), "no owner unless asked");
    }

    #[test]
    fn every_field_lands_where_man_5_proc_says() {
        // Fields 1..=24 numbered by their own value, so a shifted index shows at once.
        let line = b"1 (c) R 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25\n";
        let p = parse_stat(line).unwrap();
        assert_eq!(
            (p.ppid, p.pgrp, p.session, p.tty_nr, p.tpgid),
            (4, 5, 6, 7, 8)
        );
        assert_eq!((p.flags, p.utime, p.stime), (9, 14, 15));
        assert_eq!((p.priority, p.nice, p.num_threads), (18, 19, 20));
        assert_eq!((p.start_ticks, p.rss_pages), (22, 24));
        // A real-time task's priority and a detached terminal are negative.
        let rt = b"18 (migration/0) S 2 0 0 0 -1 69238848 0 0 0 0 0 1 0 0 -100 0 1 0 3 0 0\n";
        let p = parse_stat(rt).unwrap();
        assert_eq!((p.tpgid, p.priority), (-1, -100));
        assert!(parse_stat(b"5 (x) RR 1 2 3\n").is_err());
        assert!(parse_stat(b"5 (x) R 1 2 3 4 x 6\n").is_err());
    }

    /// A kept-open stat file reads fresh each time, and a reaped process is dropped.
    #[test]
    fn open_stat_files_read_fresh_lines_and_forget_the_dead() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let me = std::process::id() as i32;
        let mut files = StatFiles::new(16, false);
        let first = files.read_pids(&[me, pid], true);
        assert_eq!(first.len(), 2);
        let owner = fs::metadata(format!("/proc/{me}")).unwrap().uid();
        // The owner is there on every read, whether read again or remembered.
        for _ in 0..2 * OWNER_RECHECK {
            assert_eq!(
                files.read_pids(&[me], true).get(me).unwrap().uid,
                Some(owner)
            );
        }
        assert_eq!(files.read_pids(&[me], false).get(me).unwrap().uid, None);
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGSTOP,
        )
        .unwrap();
        // The same open file now says T (the kernel stops the process asynchronously).
        let mut state = ' ';
        for _ in 0..100 {
            state = files.read_pids(&[pid], false).get(pid).unwrap().state;
            if state == 'T' {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(state, 'T');
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(files.read_pids(&[pid], false).is_empty(), "reaped: gone");
        assert!(!files.open.contains_key(&pid));
        // With no room to keep files open, it still reads.
        let mut none = StatFiles::new(0, true);
        assert!(
            none.read_pids(&[me], false).get(me).is_some(),
            "the main thread"
        );
        assert!(none.open.is_empty());
    }

    #[test]
    fn the_last_pid_is_the_fifth_field_of_loadavg() {
        assert_eq!(parse_last_pid(b"0.12 0.20 0.18 1/93 4242\n"), Some(4242));
        assert_eq!(parse_last_pid(b"0.12 0.20"), None);
    }

    /// A listing is reused only once the last PID has stood still across two scans, and never
    /// after a birth.
    #[test]
    fn births_decide_when_proc_must_be_listed_again() {
        let mut b = Births {
            loadavg: None,
            previous: None,
            settled: None,
        };
        b.listed(Some(100), vec![1, 2]);
        assert_eq!(
            b.known_if_none_born(Some(100)),
            None,
            "the number may just have moved"
        );
        b.listed(Some(100), vec![1, 2, 3]);
        assert_eq!(b.known_if_none_born(Some(100)), Some(vec![1, 2, 3]));
        assert_eq!(b.known_if_none_born(Some(101)), None, "someone was born");
        b.listed(Some(101), vec![1, 2, 3, 4]);
        assert_eq!(b.known_if_none_born(Some(101)), None);
        assert_eq!(b.known_if_none_born(None), None);
    }

    /// A process born between two scans is listed, whatever the shortcut.
    #[test]
    fn a_scan_sees_a_newborn() {
        let mut files = StatFiles::new(64, false);
        for _ in 0..3 {
            files.scan(false).unwrap();
        }
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let seen = files.scan(false).unwrap().get(pid).is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(seen, "the new process {pid} was not listed");
        assert!(
            files.scan(false).unwrap().get(pid).is_none(),
            "nor kept once reaped"
        );
    }

    const BASH_STAT: &[u8] = b"1032 (bash) S 1031 1032 1032 34816 2101 4194560 1790 9140 0 0 3 2 12 9 20 0 1 0 2330 8396800 1120 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    #[test]
    fn parses_a_stat_line() {
        let p = parse_stat(BASH_STAT).unwrap();
        assert_eq!((p.pid, p.ppid, p.pgrp, p.session), (1032, 1031, 1032, 1032));
        assert_eq!(p.comm, "bash");
        assert_eq!(p.state, 'S');
        assert_eq!((p.nice, p.priority, p.num_threads), (0, 20, 1));
        assert_eq!(p.tty_nr, 34816);
        assert_eq!(p.tpgid, 2101);
        assert_eq!(p.start_ticks, 2330);
        assert_eq!(p.rss_pages, 1120);
    }

    #[test]
    fn comm_may_contain_spaces_and_parentheses() {
        let line = b"77 (my (odd) prog) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
        let p = parse_stat(line).unwrap();
        assert_eq!(p.comm, "my (odd) prog");
        assert_eq!(p.state, 'R');
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_stat(b"").is_err());
        assert!(parse_stat(b"12 (x").is_err());
    }

    #[test]
    fn tty_names_follow_ps() {
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(34816), "pts/0");
        assert_eq!(tty_name(34817), "pts/1");
        assert_eq!(tty_name(1025), "tty1");
        assert_eq!(tty_name(1088), "ttyS0");
        // pts/256 needs the high minor bits.
        assert_eq!(tty_name((136 << 8) | (1 << 20)), "pts/256");
    }

    #[test]
    fn cmdline_splits_on_nul() {
        assert_eq!(parse_cmdline(b"sleep\x0030\x00"), ["sleep", "30"]);
        assert_eq!(parse_cmdline(b""), Vec::<String>::new());
        assert_eq!(parse_cmdline(b"a\x00\x00b\x00"), ["a", "", "b"]);
    }

    #[test]
    fn locked_memory_comes_from_vmlck() {
        assert_eq!(
            parse_status_kib(b"Name:\tx\nVmLck:\t     12 kB\nVmPin:\t0 kB\n", "VmLck"),
            Some(12)
        );
        assert_eq!(parse_status_kib(b"Name:\tkthreadd\n", "VmLck"), None);
        assert_eq!(
            parse_status_kib(b"VmHWMx:\t5 kB\nVmHWM:\t7 kB\n", "VmHWM"),
            Some(7)
        );
    }

    #[test]
    fn reads_own_memory_peak() {
        let m = memory_peak(std::process::id() as i32).unwrap();
        assert!(m.rss_kib > 0 && m.peak_rss_kib >= m.rss_kib);
    }

    #[test]
    fn reads_itself() {
        let me = read_process(std::process::id() as i32, Fields::ALL).unwrap();
        assert_eq!(me.pid, std::process::id() as i32);
        assert!(me.uid.is_some());
        assert!(me.cmdline.as_ref().is_some_and(|c| !c.is_empty()));
    }

    #[test]
    fn missing_process_is_no_such_process() {
        // PIDs are at most 2^22; this one cannot exist.
        assert!(matches!(
            read_process(i32::MAX, Fields::ALL),
            Err(ProcError::NoSuchProcess(_))
        ));
        assert!(!exists(i32::MAX));
        assert!(matches!(
            read_process(0, Fields::STAT_ONLY),
            Err(ProcError::NoSuchProcess(0))
        ));
    }
}
