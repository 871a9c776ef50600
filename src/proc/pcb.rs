//! The parts of the process control block that `/proc/PID/stat` does not carry: memory sizes,
//! context switches and the owner's user and group ids from `/proc/PID/status`, the number of open
//! files from `/proc/PID/fd`, and the program file and working directory (the links
//! `/proc/PID/exe` and `/proc/PID/cwd`).
//!
//! `toolkit pcb` combines these with a [`crate::proc::Process`] (from `/proc/PID/stat`). Every
//! field is optional: a zombie has no memory lines, and another user's `/proc/PID/fd` may not be
//! listable; a missing field is shown as such instead of failing the command.

use std::io;
use std::path::PathBuf;

use serde::Serialize;

use super::ProcError;

/// What `/proc/PID/status` and `/proc/PID/fd` add to the PCB.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PcbExtras {
    /// Virtual memory size (`VmSize`), KiB.
    pub vm_size_kib: Option<u64>,
    /// Resident memory (`VmRSS`), KiB.
    pub vm_rss_kib: Option<u64>,
    /// Slots allocated in the file descriptor table (`FDSize`).
    pub fd_slots: Option<u32>,
    /// Open file descriptors (entries of `/proc/PID/fd`).
    pub open_files: Option<usize>,
    /// Times the process gave up the CPU to wait (`voluntary_ctxt_switches`).
    pub voluntary_switches: Option<u64>,
    /// Times the scheduler took the CPU away (`nonvoluntary_ctxt_switches`).
    pub involuntary_switches: Option<u64>,
    /// Real and effective user id (`Uid`, first two columns): who started it, and whose rights it
    /// uses (they differ for set-uid programs such as `passwd`).
    pub uid: Option<u32>,
    pub euid: Option<u32>,
    /// Real and effective group id (`Gid`).
    pub gid: Option<u32>,
    pub egid: Option<u32>,
    /// The program file it runs (`/proc/PID/exe`); None for kernel threads, zombies, and other
    /// users' processes without privilege.
    pub exe: Option<String>,
    /// Its current working directory (`/proc/PID/cwd`), with the same gaps.
    pub cwd: Option<String>,
}

fn convert(pid: i32, err: procfs::ProcError) -> ProcError {
    match err {
        procfs::ProcError::NotFound(_) => ProcError::NoSuchProcess(pid),
        other => ProcError::Unreadable {
            path: PathBuf::from(format!("/proc/{pid}/status")),
            source: io::Error::other(other.to_string()),
        },
    }
}

/// Read the extra PCB fields of `pid`. `Err(NoSuchProcess)` when it does not exist (or vanished).
pub fn read_extras(pid: i32) -> Result<PcbExtras, ProcError> {
    if pid <= 0 {
        return Err(ProcError::NoSuchProcess(pid));
    }
    let process = procfs::process::Process::new(pid).map_err(|e| convert(pid, e))?;
    let status = process.status().map_err(|e| convert(pid, e))?;
    Ok(PcbExtras {
        vm_size_kib: status.vmsize,
        vm_rss_kib: status.vmrss,
        fd_slots: Some(status.fdsize),
        open_files: count_open_files(pid),
        voluntary_switches: status.voluntary_ctxt_switches,
        involuntary_switches: status.nonvoluntary_ctxt_switches,
        uid: Some(status.ruid),
        euid: Some(status.euid),
        gid: Some(status.rgid),
        egid: Some(status.egid),
        exe: link(pid, "exe"),
        cwd: link(pid, "cwd"),
    })
}

/// The entries of `/proc/PID/fd` that are descriptors (named by their number). A zombie has none:
/// its files were closed when it exited.
fn count_open_files(pid: i32) -> Option<usize> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count(),
    )
}

/// Where the link `/proc/PID/NAME` points, if it may be read.
fn link(pid: i32, name: &str) -> Option<String> {
    std::fs::read_link(format!("/proc/{pid}/{name}"))
        .ok()
        .map(|path| path.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_process() {
        let extras = read_extras(std::process::id() as i32).unwrap();
        assert!(extras.vm_size_kib.unwrap_or(0) > 0);
        // stdin, stdout and stderr at least... unless the harness closed some; one is certain.
        assert!(extras.open_files.unwrap_or(0) >= 1);
        assert_eq!(extras.uid, Some(nix::unistd::getuid().as_raw()));
        assert_eq!(extras.gid, Some(nix::unistd::getgid().as_raw()));
        let exe = std::env::current_exe().unwrap();
        assert_eq!(extras.exe.as_deref(), exe.to_str());
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(extras.cwd.as_deref(), cwd.to_str());
    }

    #[test]
    fn a_missing_process_is_reported_as_such() {
        assert!(matches!(read_extras(-5), Err(ProcError::NoSuchProcess(-5))));
        // PID max is at most 2^22, so this one cannot exist.
        let pid = 1 << 23;
        assert!(matches!(read_extras(pid), Err(ProcError::NoSuchProcess(p)) if p == pid));
    }
}
