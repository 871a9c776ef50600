//! The one model of `/proc`: what the kernel tells us about each process.
//!
//! Everything the toolkit knows about processes is read here, and only here. A [`Process`] is built
//! from one read of `/proc/PID/stat`; the other files are read only when a command asks for the
//! fields that live there ([`Fields`]):
//!
//! | field                          | file                    | who needs it                  |
//! |--------------------------------|-------------------------|-------------------------------|
//! | pid ppid comm state nice prio… | `/proc/PID/stat`        | always                        |
//! | uid                            | owner of `/proc/PID`    | `ps`, `ps-tree -u`            |
//! | locked memory (STAT `L`)       | `/proc/PID/status`      | `ps`, `ps-tree --stat`        |
//! | command line                   | `/proc/PID/cmdline`     | `ps`, `ps-tree -a`            |
//! | one thread, the same fields    | `/proc/PID/task/TID/…`  | `top -H`                      |
//!
//! Processes come and go while we read. A process that disappears between listing `/proc` and
//! reading its files is skipped silently; a file we may not read (another user's, or hardened
//! `/proc`) leaves its field empty and never aborts the scan.
//!
//! Why our own model rather than `sysinfo`'s process list: the lesson *is* `/proc`. A student who
//! opens this file sees which file each field comes from and when it is read, and the values
//! match `ps` because they come from the files `ps` reads. The `procfs` crate only splits a
//! file into its fields (the 52 of `stat`); what they mean is decided here and in [`stat`]. System-wide figures that are not about
//! one process (CPU usage per core, memory, load for a live view) are what `sysinfo` is for:
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

use procfs::FromRead;
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
    /// Kernel flags (`PF_*`), e.g. `PF_KTHREAD`.
    pub flags: u32,
    /// Owner uid, when asked for and readable.
    pub uid: Option<u32>,
    /// Locked memory in KiB (`VmLck`), when `status` was asked for and readable.
    pub locked_kib: Option<u64>,
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
    pub fn rss_kib(&self) -> u64 {
        self.rss_pages * page_size() / 1024
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

/// Parse the contents of `/proc/PID/stat`.
pub fn parse_stat(bytes: &[u8]) -> Result<Process, String> {
    let s = procfs::process::Stat::from_read(bytes).map_err(|e| e.to_string())?;
    Ok(Process {
        pid: s.pid,
        ppid: s.ppid,
        pgrp: s.pgrp,
        session: s.session,
        tty_nr: s.tty_nr,
        tpgid: s.tpgid,
        comm: s.comm,
        state: s.state,
        nice: s.nice,
        priority: s.priority,
        num_threads: s.num_threads,
        start_ticks: s.starttime,
        utime: s.utime,
        stime: s.stime,
        rss_pages: s.rss,
        flags: s.flags,
        uid: None,
        locked_kib: None,
        cmdline: None,
    })
}

/// Parse one `Key:   N kB` line of `/proc/PID/status`, in KiB. Kernel threads have no `Vm*` lines.
pub fn parse_status_kib(status: &[u8], key: &str) -> Option<u64> {
    let text = String::from_utf8_lossy(status);
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
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
    let process = procfs::process::Process::new(pid).ok()?;
    let stat = process.task_from_tid(tid).ok()?.stat().ok()?;
    Some(stat.utime + stat.stime)
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
    if pid <= 0 {
        return Err(ProcError::NoSuchProcess(pid));
    }
    read_entry(&format!("{pid}"), pid, fields)
}

/// Read one thread (a *task*) of process `pid`, from `/proc/PID/task/TID/`. The result's `pid`
/// is the thread's id (TID), its other fields are the thread's own (state, CPU time, priority).
pub fn read_thread(pid: i32, tid: i32, fields: Fields) -> Result<Process, ProcError> {
    if pid <= 0 || tid <= 0 {
        return Err(ProcError::NoSuchProcess(tid));
    }
    read_entry(&format!("{pid}/task/{tid}"), tid, fields)
}

/// The thread ids of process `pid` (`/proc/PID/task`), ascending; empty once it is gone.
pub fn list_tids(pid: i32) -> Vec<i32> {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut tids: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    tids
}

/// Every thread of process `pid` that could be read (none once it is gone).
pub fn read_threads(pid: i32, fields: Fields) -> Vec<Process> {
    list_tids(pid)
        .into_iter()
        .filter_map(|tid| read_thread(pid, tid, fields).ok())
        .collect()
}

/// Read the entry `/proc/<dir>/` (a process, or `PID/task/TID` for a thread); `id` names it in
/// errors.
fn read_entry(dir: &str, id: i32, fields: Fields) -> Result<Process, ProcError> {
    let file = |name: &str| PathBuf::from(format!("/proc/{dir}/{name}"));
    let path = file("stat");
    let bytes = match read_file(&path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(ProcError::NoSuchProcess(id)),
        Err(source) => return Err(ProcError::Unreadable { path, source }),
    };
    let mut process = parse_stat(&bytes).map_err(|message| ProcError::Malformed {
        path: path.clone(),
        message,
    })?;
    if fields.uid {
        match fs::metadata(format!("/proc/{dir}")) {
            Ok(meta) => process.uid = Some(meta.uid()),
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(ProcError::NoSuchProcess(id)),
            Err(_) => {}
        }
    }
    if fields.status {
        match read_file(&file("status")) {
            Ok(Some(status)) => process.locked_kib = parse_status_kib(&status, "VmLck"),
            Ok(None) => return Err(ProcError::NoSuchProcess(id)),
            Err(_) => {}
        }
    }
    if fields.cmdline {
        match read_file(&file("cmdline")) {
            Ok(Some(cmdline)) => process.cmdline = Some(parse_cmdline(&cmdline)),
            Ok(None) => return Err(ProcError::NoSuchProcess(id)),
            Err(_) => {}
        }
    }
    Ok(process)
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

/// A snapshot of every process, sorted by PID.
#[derive(Debug, Clone, Default)]
pub struct ProcessTable {
    processes: Vec<Process>,
    index: HashMap<i32, usize>,
}

impl ProcessTable {
    /// Read every process in `/proc`, with the given optional fields.
    pub fn scan(fields: Fields) -> Result<ProcessTable, ProcError> {
        let mut processes = Vec::new();
        for pid in list_pids()? {
            match read_process(pid, fields) {
                Ok(p) => processes.push(p),
                // Gone between the listing and the read: that is life on a busy machine.
                Err(ProcError::NoSuchProcess(_)) => {}
                // A single unreadable or odd process must not take the whole listing down.
                Err(ProcError::Unreadable { .. }) | Err(ProcError::Malformed { .. }) => {}
            }
        }
        Ok(ProcessTable::from_processes(processes))
    }

    /// Read every thread of every process (what `top -H` lists), indexed by thread id.
    pub fn scan_threads(fields: Fields) -> Result<ProcessTable, ProcError> {
        let mut threads = Vec::new();
        for pid in list_pids()? {
            threads.extend(read_threads(pid, fields));
        }
        Ok(ProcessTable::from_processes(threads))
    }

    /// A table from processes already read (tests build these by hand).
    pub fn from_processes(mut processes: Vec<Process>) -> ProcessTable {
        processes.sort_by_key(|p| p.pid);
        processes.dedup_by_key(|p| p.pid);
        let index = processes
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pid, i))
            .collect();
        ProcessTable { processes, index }
    }

    pub fn get(&self, pid: i32) -> Option<&Process> {
        self.index.get(&pid).map(|&i| &self.processes[i])
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

/// The user name for a uid (from the password database), or the number.
pub fn user_name(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => uid.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An idle thread's CPU is its own, not the whole process's (which `/proc/TID/stat` gives).
    #[test]
    fn a_threads_cpu_is_its_own() {
        let pid = std::process::id() as i32;
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let idle = std::thread::spawn(move || {
            tid_tx.send(nix::unistd::gettid().as_raw()).unwrap();
            let _ = done_rx.recv();
        });
        let tid = tid_rx.recv().unwrap();
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
        drop(done_tx);
        idle.join().unwrap();
        assert_eq!(thread_cpu_ticks(pid, tid), None, "a thread that is gone");
    }

    /// A thread is read from `task/TID`: its own id, its own CPU time.
    #[test]
    fn threads_are_listed_with_their_own_ids() {
        let pid = std::process::id() as i32;
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let idle = std::thread::spawn(move || {
            tid_tx.send(nix::unistd::gettid().as_raw()).unwrap();
            let _ = done_rx.recv();
        });
        let tid = tid_rx.recv().unwrap();
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
        drop(done_tx);
        idle.join().unwrap();
        assert!(matches!(
            read_thread(pid, tid, Fields::STAT_ONLY),
            Err(ProcError::NoSuchProcess(_))
        ));
        assert!(list_tids(i32::MAX).is_empty());
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
