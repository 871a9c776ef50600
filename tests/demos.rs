//! End-to-end tests of `fork-demo`, `states`, `parallel` and `pcb`: the real binary, real forks,
//! evidence read back from its JSON output and from /proc.
//!
//! The test harness is multi-threaded, so nothing here forks in-process: every process is made by
//! the toolkit binary. The tests run one at a time (a lock) so that "no child of this test process
//! remains" is checked while no other test has a toolkit running. Nothing here asserts on timing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use toolkit::demos::show::{First, Observation, Who};
use toolkit::proc;

mod support;
use support::{BIN, assert_nothing_left, serial};

struct Run {
    pid: i32,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The toolkit in English, without colour, stdin closed, output captured.
fn toolkit_command(args: &[&str]) -> Command {
    let mut cmd = support::toolkit();
    cmd.args(["--lang", "en"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn toolkit(args: &[&str]) -> Run {
    let child = toolkit_command(args).spawn().expect("start toolkit");
    let pid = child.id() as i32;
    let out = child.wait_with_output().expect("wait for toolkit");
    Run {
        pid,
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The observations of a one-object-per-line stream (`fork-demo --json`).
fn observations(stdout: &str) -> Vec<Observation> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not an observation: {l:?}: {e}"))
        })
        .collect()
}

/// The first observation matching `pattern`, as `value`.
macro_rules! first {
    ($objs:expr, $pattern:pat => $value:expr) => {
        $objs
            .iter()
            .find_map(|o| match o {
                $pattern => Some($value),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {} in {:#?}", stringify!($pattern), $objs))
    };
}

/// Every observation matching `pattern`, as `value`s.
macro_rules! every {
    ($objs:expr, $pattern:pat => $value:expr) => {
        $objs
            .iter()
            .filter_map(|o| match o {
                $pattern => Some($value),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
}

fn as_pid(v: &Value) -> i32 {
    v.as_i64().unwrap_or_else(|| panic!("not a PID: {v}")) as i32
}

#[test]
fn the_parent_sees_the_pid_the_child_reports() {
    let _guard = serial();
    let run = toolkit(&["fork-demo", "--json", "--rounds", "3"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let objs = observations(&run.stdout);
    let (parent_pid, parent_got) = first!(objs, Observation::ForkReturn { who: Who::Parent, pid, fork_returned, .. } => (*pid, *fork_returned));
    let (child_pid, child_ppid, child_got) = first!(objs, Observation::ForkReturn { who: Who::Child, pid, ppid, fork_returned } => (*pid, *ppid, *fork_returned));
    assert_eq!(parent_got, child_pid);
    assert_eq!(child_got, 0);
    assert_eq!(child_ppid, parent_pid);
    assert_eq!(parent_pid, run.pid);
    // Same address, different contents.
    let (child_address, after) = first!(objs, Observation::Memory { who: Who::Child, address, after, .. } => (*address, *after));
    let (parent_address, value) = first!(objs, Observation::Memory { who: Who::Parent, address, value, .. } => (*address, *value));
    assert_eq!(child_address, parent_address);
    assert_eq!(after, Some(200));
    assert_eq!(value, Some(100));
    // The order was counted over every round.
    let total = first!(objs, Observation::OrderSummary { parent_first, child_first, .. } => parent_first + child_first);
    assert_eq!(total, 3);
    let rounds = every!(objs, Observation::Order { child, first, pipe, .. } => (*child, *first, pipe.clone()));
    for (_, first, pipe) in &rounds {
        assert!(pipe == "PC" || pipe == "CP", "{pipe}");
        assert_eq!(
            *first,
            if pipe == "PC" {
                First::Parent
            } else {
                First::Child
            }
        );
    }
    let exit_code = first!(objs, Observation::ExitStatus { exit_code, .. } => *exit_code);
    assert_eq!(exit_code, Some(3));
    let mut pids = vec![child_pid];
    pids.extend(rounds.iter().map(|(child, _, _)| *child));
    assert_nothing_left(run.pid, &pids);
}

#[test]
fn the_zombie_is_seen_as_z_and_then_reaped() {
    let _guard = serial();
    let run = toolkit(&["fork-demo", "--zombie", "--pause-ms", "0", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let objs = observations(&run.stdout);
    let (zombie, state) =
        first!(objs, Observation::ZombieState { pid, state, .. } => (*pid, state.clone()));
    assert_eq!(state, "Z");
    assert!(first!(objs, Observation::Reaped { gone, .. } => *gone));
    assert_nothing_left(run.pid, &[zombie]);
}

#[test]
fn the_orphan_is_adopted_by_the_toolkit() {
    let _guard = serial();
    let run = toolkit(&["fork-demo", "--orphan", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let objs = observations(&run.stdout);
    let ppid_at_first = first!(objs, Observation::OrphanPpidBefore { ppid, .. } => *ppid);
    let (before, after) = first!(objs, Observation::OrphanPpid { ppid_before, ppid_after, .. } => (*ppid_before, *ppid_after));
    let (middle, grandchild) =
        first!(objs, Observation::MiddleForked { pid, grandchild, .. } => (*pid, *grandchild));
    assert_eq!(ppid_at_first, middle);
    assert_ne!(after, before);
    assert_eq!(after, run.pid);
    assert!(first!(objs, Observation::Reaped { gone, .. } => *gone));
    assert_nothing_left(run.pid, &[middle, grandchild]);
}

#[test]
fn tree_3_makes_8_processes() {
    let _guard = serial();
    let run = toolkit(&["fork-demo", "--tree", "3", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let objs = observations(&run.stdout);
    let counts = first!(objs, Observation::TreeCount { expected, reported, in_proc, .. } => (*expected, *reported, *in_proc));
    assert_eq!(counts, (8, 8, 8));
    let members = every!(objs, Observation::TreeMember { pid, .. } => *pid);
    assert_eq!(members.len(), 8);
    assert_nothing_left(run.pid, &members[1..]);
}

#[test]
fn a_tree_too_large_is_refused() {
    let _guard = serial();
    let run = toolkit(&["fork-demo", "--tree", "7"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("--tree 7 is too large"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn the_buffer_trap_prints_twice_without_a_flush() {
    let _guard = serial();
    let run = toolkit(&["fork-demo", "--buffer-trap", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let objs = observations(&run.stdout);
    let copies = every!(objs, Observation::BufferTrap { flushed_before_fork, copies } => (*flushed_before_fork, *copies));
    assert_eq!(copies, [(false, 2), (true, 1)]);
    assert_nothing_left(run.pid, &[]);

    // On the real stdout, which is a pipe here: fully buffered, so the line comes out twice.
    let run = toolkit(&["fork-demo", "--buffer-trap"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let twice = run
        .stdout
        .lines()
        .filter(|l| l.contains("wrote into the buffer before fork"))
        .count();
    assert_eq!(twice, 2, "{}", run.stdout);
    assert_nothing_left(run.pid, &[]);
}

#[test]
fn states_are_observed_in_proc() {
    let _guard = serial();
    let run = toolkit(&["states", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).expect("one JSON document");
    let observed: String = rows
        .iter()
        .map(|r| r["observed"].as_str().unwrap().to_string())
        .collect();
    for letter in ['R', 'S', 'T', 'Z'] {
        assert!(observed.contains(letter), "{letter} not in {observed}");
    }
    let last = rows.last().unwrap();
    assert_eq!(last["step"], "gone");
    assert_eq!(last["observed"], "-");
    let zombie = rows.iter().find(|r| r["step"] == "zombie").unwrap();
    assert_eq!(zombie["five_state"], "terminated");
    let stopped = rows.iter().find(|r| r["step"] == "stopped").unwrap();
    assert_eq!(stopped["three_state"], "outside");
    // The vfork wait's D is killable: SIGKILL made that child a zombie within the sampling window
    // (about a second), far sooner than the 10 s its wait would have lasted.
    let killed = rows.iter().find(|r| r["step"] == "killed_in_d").unwrap();
    assert_eq!(killed["observed"], "Z", "{killed}");
    assert_nothing_left(run.pid, &[]);
}

#[test]
fn parallel_accounts_for_its_cpu_time() {
    let _guard = serial();
    let (jobs, work) = (2.0, 40.0);
    let run = toolkit(&["parallel", "--jobs", "2", "--work", "40", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let phases = report["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 2);
    assert_eq!(phases[0]["phase"], "pinned");
    assert_eq!(phases[0]["cpus"], 1);
    assert_eq!(phases[1]["phase"], "spread");
    for phase in phases {
        let cpu = phase["cpu_ms"].as_f64().unwrap();
        let wall = phase["wall_ms"].as_f64().unwrap();
        assert!(wall > 0.0);
        // Every job burns at least `work` ms of its own CPU time, as the kernel accounts it.
        assert!(cpu >= 0.9 * jobs * work, "cpu {cpu}");
        assert!(cpu < 50.0 * jobs * work, "cpu {cpu}");
    }
    let speedup = report["speedup"].as_f64().unwrap();
    let expected = phases[0]["wall_ms"].as_f64().unwrap() / phases[1]["wall_ms"].as_f64().unwrap();
    assert!((speedup - expected).abs() < 1e-9 * expected.max(1.0));
    assert_nothing_left(run.pid, &[]);
}

#[test]
fn parallel_refuses_zero_jobs() {
    let _guard = serial();
    let run = toolkit(&["parallel", "--jobs", "0"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--jobs"), "{}", run.stderr);
}

#[test]
fn pcb_of_the_toolkit_itself() {
    let _guard = serial();
    let run = toolkit(&["pcb", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let pcb: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(as_pid(&pcb["pid"]), run.pid);
    let keys: Vec<&str> = pcb["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    for key in [
        "pid",
        "ppid",
        "state",
        "priority",
        "nice",
        "vm_rss",
        "open_files",
        "threads",
        "cpu_time",
        "start_time",
        "user",
        "group",
        "exe",
        "cwd",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    // Typed: numbers are numbers.
    let field = |key: &str| {
        pcb["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(field("ppid"), serde_json::json!(std::process::id()));
    assert!(
        field("threads").is_i64() && field("vm_rss").is_u64(),
        "{pcb}"
    );
    let uid = nix::unistd::getuid().as_raw();
    assert_eq!(field("user")["real"], uid);
    assert!(pcb_value(&pcb, "user").ends_with(&format!("({uid})")));
    assert_eq!(pcb_value(&pcb, "exe"), support::BIN);
    assert_eq!(
        pcb_value(&pcb, "cwd"),
        std::env::current_dir().unwrap().to_str().unwrap()
    );
}

fn pcb_value(pcb: &Value, key: &str) -> String {
    pcb["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {pcb}"))["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A zombie's files were all closed when it exited: its PCB shows 0 open files.
#[test]
fn a_zombies_pcb_shows_no_open_files() {
    let _guard = serial();
    // `sleep 0` exits at once; its parent became `sleep 10` by exec and never reaps it.
    let parent = support::Guard::spawn(
        Command::new("sh")
            .args(["-c", "sleep 0 & exec sleep 10"])
            .stdin(Stdio::null()),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let zombie = loop {
        let table = proc::ProcessTable::scan(proc::Fields::STAT_ONLY).unwrap();
        if let Some(z) = table
            .iter()
            .find(|p| p.ppid == parent.pid() && p.state == 'Z')
        {
            break z.pid;
        }
        assert!(Instant::now() < deadline, "no zombie appeared");
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = toolkit(&["pcb", "--json", &zombie.to_string()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let pcb: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(pcb_value(&pcb, "open_files"), "0");
    assert!(pcb_value(&pcb, "state").starts_with('Z'));
    // Leave nothing behind: as a subreaper for a moment, this test adopts the zombie when its
    // parent is killed (and reaped by the guard), and reaps it itself.
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    drop(parent);
    let reaped = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(zombie), None);
    nix::sys::prctl::set_child_subreaper(false).unwrap();
    assert!(reaped.is_ok(), "{reaped:?}");
}

#[test]
fn pcb_of_a_missing_process_fails_clearly() {
    let _guard = serial();
    // PID max is at most 2^22, so this PID cannot exist.
    let run = toolkit(&["pcb", "8388608"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("no process with PID 8388608"),
        "{}",
        run.stderr
    );
}

/// Start the toolkit, wait for a line of its output that `ready` recognises, send SIGINT, and
/// check it exits with 130 and leaves nothing behind.
fn interrupt_when(args: &[&str], ready: impl Fn(&str) -> Option<i32>) {
    let mut child = toolkit_command(args).spawn().expect("start toolkit");
    let toolkit_pid = child.id() as i32;
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    let mut line = String::new();
    let victim = loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("toolkit ended before the point to interrupt: {seen:?}");
        }
        seen.push(line.clone());
        if let Some(pid) = ready(&line) {
            break pid;
        }
    };
    assert!(
        proc::exists(victim),
        "child {victim} should be alive or a zombie"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(toolkit_pid),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("toolkit did not stop after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    // Being interrupted is what the user asked for: said as such, not as an error.
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("interrupted by SIGINT") && !stderr.contains("error"),
        "{stderr}"
    );
    assert_nothing_left(toolkit_pid, &[victim]);
}

#[test]
fn ctrl_c_during_the_zombie_pause_reaps_and_exits_130() {
    let _guard = serial();
    interrupt_when(
        &["fork-demo", "--zombie", "--pause-ms", "60000", "--json"],
        |line| match serde_json::from_str(line).ok()? {
            Observation::ZombieState { pid, .. } => Some(pid),
            _ => None,
        },
    );
}

#[test]
fn ctrl_c_during_states_kills_reaps_and_exits_130() {
    let _guard = serial();
    // "  • state in /proc/PID/stat: ..." is printed after the first step; the child is busy then.
    interrupt_when(&["states"], |line| {
        let rest = line.split("/proc/").nth(1)?;
        rest.split('/').next()?.parse().ok()
    });
}

/// `ulimit -u 1` makes the toolkit's own fork fail with EAGAIN. Root ignores that limit, so as
/// root the toolkit runs as `nobody` (setpriv); where that is impossible the test says so and
/// passes without evidence.
#[test]
fn a_failed_fork_is_reported_with_errno() {
    let _guard = serial();
    let script = format!("ulimit -u 1 && exec {BIN} --lang en fork-demo --rounds 1");
    let mut cmd = if nix::unistd::geteuid().is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            "bash",
            "-c",
        ]);
        c
    } else {
        let mut c = Command::new("bash");
        c.arg("-c");
        c
    };
    let out = match cmd.arg(&script).stdin(Stdio::null()).output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: cannot run the limited shell: {e}");
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.contains("fork() failed") {
        eprintln!("skipped: the limit could not be applied here: {stderr}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for needle in ["EAGAIN", "errno 11", "-1", "OSError"] {
        assert!(stderr.contains(needle), "{needle} missing: {stderr}");
    }
}

#[test]
fn threads_share_memory_and_one_pid_and_show_l_in_stat() {
    use toolkit::demos::threads::Observation as T;
    let _guard = serial();
    let run = toolkit(&["threads", "--json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let objs: Vec<T> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let (pid, alone_stat) =
        first!(objs, T::Alone { pid, threads: 1, stat } => (*pid, stat.clone()));
    assert_eq!(pid, run.pid);
    assert!(!alone_stat.contains('l'), "{alone_stat}");

    // One memory: the value the thread wrote is what the main thread read, at the same address.
    let (address, main_address, after, seen) = first!(objs, T::SharedMemory { address, main_address, after, seen_by_main, .. } => (*address, *main_address, *after, *seen_by_main));
    assert_eq!(address, main_address);
    assert_eq!(seen, after);

    // One PID, a TID each, all of them under /proc/PID/task while they ran.
    let threads = every!(objs, T::Thread { tid, pid, name } => (*tid, *pid, name.clone()));
    assert!(threads.len() >= 2, "{threads:?}");
    let (tids, names, count, stat) = first!(objs, T::Tasks { tids, names, threads, stat, .. } => (tids.clone(), names.clone(), *threads, stat.clone()));
    assert!(
        tids.contains(&pid),
        "the main thread's TID is the PID: {tids:?}"
    );
    for (tid, thread_pid, name) in &threads {
        assert_eq!(*thread_pid, pid);
        assert_ne!(*tid, pid);
        let at = tids
            .iter()
            .position(|t| t == tid)
            .unwrap_or_else(|| panic!("{tid} not in {tids:?}"));
        assert_eq!(&names[at], name);
    }
    assert_eq!(count as usize, tids.len());
    assert!(stat.contains('l'), "multi-threaded STAT: {stat}");

    let (cpu_ms, wall_ms) = first!(objs, T::Cores { cpu_ms, wall_ms, .. } => (*cpu_ms, *wall_ms));
    assert!(cpu_ms > 0.0 && wall_ms > 0.0);
    let (after_threads, after_stat) =
        first!(objs, T::Joined { threads, stat } => (*threads, stat.clone()));
    assert_eq!(after_threads, 1);
    assert!(!after_stat.contains('l'), "{after_stat}");
    assert_nothing_left(run.pid, &[]);
}

/// `kill -9` of the toolkit at several points of each demo: within a second, nothing of that run
/// is left. The test is a child subreaper for the while, so whatever the toolkit leaves is
/// re-parented to it, seen, and reaped.
#[test]
fn sigkill_of_a_demo_leaves_nothing_behind() {
    let _guard = serial();
    let me = std::process::id() as i32;
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let runs: &[(&[&str], usize)] = &[
        (&["nice", "--race", "--seconds", "5"], 1),
        (&["nice", "--race", "--seconds", "5"], 2),
        (&["states"], 2),
        (&["states"], 5),
        (&["states"], 9),
        (&["fork-demo", "--orphan"], 2),
        (&["fork-demo", "--orphan"], 4),
        (&["fork-demo", "--zombie", "--pause-ms", "5000"], 3),
        (&["fork-demo", "--tree", "3"], 2),
        (&["fork-demo", "--rounds", "50"], 6),
        (&["parallel", "--jobs", "2", "--work", "2000"], 2),
    ];
    let mut failures = Vec::new();
    for &(args, lines) in runs {
        let mut child = toolkit_command(args).spawn().expect("start toolkit");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        for _ in 0..lines {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
        let _ = child.kill();
        let _ = child.wait();
        // Within a second, every process the run made has died (and been reaped here).
        let deadline = Instant::now() + Duration::from_secs(1);
        let left = loop {
            let table = proc::ProcessTable::scan(proc::Fields::STAT_ONLY).unwrap();
            let mine: Vec<(i32, char)> = table
                .iter()
                .filter(|p| p.ppid == me)
                .map(|p| (p.pid, p.state))
                .collect();
            for &(pid, state) in &mine {
                if state == 'Z' {
                    let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
                }
            }
            let alive: Vec<(i32, char)> = mine.into_iter().filter(|&(_, s)| s != 'Z').collect();
            if alive.is_empty() || Instant::now() > deadline {
                break alive;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if !left.is_empty() {
            failures.push(format!("{args:?} killed after {lines} lines left {left:?}"));
            for (pid, _) in &left {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(*pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
                let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(*pid), None);
            }
        }
    }
    nix::sys::prctl::set_child_subreaper(false).unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
}
