//! `toolkit ps-tree`, `toolkit ps`, `toolkit stat-codes`, driven through the real binary and
//! checked against the real `ps` and against processes these tests create.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;
use serde_json::Value;
use toolkit::proc::{Fields, ProcessTable};

mod support;
use support::toolkit;

/// A shell and its descendants, cleaned up without leaving zombies: leaves are killed first, so
/// every process is reaped by its own (still living) parent, and the root by us. A zombie the
/// family keeps on purpose (its parent never reaps) does not count as a child: its parent is a
/// leaf, killed, and the zombie goes to init, which reaps it.
struct Family {
    root: Child,
    /// The zombies the family keeps on purpose.
    zombies: HashSet<i32>,
}

impl Family {
    /// Start `sh -c script` and wait until it has `expect` descendants, every leaf of them a
    /// `sleep` (or a copy of it) that has gone to sleep (or been stopped).
    fn spawn(script: &str, expect: usize) -> Family {
        Family::spawn_with_zombies(script, expect, 0)
    }

    /// [`Family::spawn`], where `zombies` of the `expect` leaves are zombies (a `sleep` that
    /// exited and that its parent does not reap).
    fn spawn_with_zombies(script: &str, expect: usize, zombies: usize) -> Family {
        let root = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn sh");
        let mut family = Family {
            root,
            zombies: HashSet::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !family.settled(expect, zombies) {
            assert!(Instant::now() < deadline, "the process family did not form");
            sleep(Duration::from_millis(20));
        }
        let table = ProcessTable::scan(Fields::STAT_ONLY).unwrap();
        family.zombies = family
            .descendants()
            .iter()
            .filter(|(pid, _)| table.get(*pid).is_some_and(|p| p.state == 'Z'))
            .map(|&(pid, _)| pid)
            .collect();
        family
    }

    fn settled(&self, expect: usize, zombies: usize) -> bool {
        let table = ProcessTable::scan(Fields::STAT_ONLY).unwrap();
        let all = self.descendants();
        let parents: HashSet<i32> = all.iter().map(|&(_, ppid)| ppid).collect();
        let leaves: Vec<char> = all
            .iter()
            .filter(|(pid, _)| !parents.contains(pid))
            .map(|(pid, _)| match table.get(*pid) {
                // A leaf that is still a launcher has not reached its `exec` yet.
                Some(p) if !["sh", "setpriv", "setsid", "nice"].contains(&p.comm.as_str()) => {
                    p.state
                }
                _ => '?',
            })
            .collect();
        all.len() == expect
            && leaves.iter().filter(|&&s| s == 'Z').count() == zombies
            && leaves.iter().all(|s| matches!(s, 'S' | 'T' | 'Z'))
    }

    fn pid(&self) -> i32 {
        self.root.id() as i32
    }

    /// `(pid, ppid)` of every descendant of the root.
    fn descendants(&self) -> Vec<(i32, i32)> {
        let table = ProcessTable::scan(Fields::STAT_ONLY).unwrap();
        let tree = table.tree();
        tree.descendants(self.pid())
            .into_iter()
            .filter(|&p| p != self.pid())
            .filter_map(|p| table.get(p).map(|q| (q.pid, q.ppid)))
            .collect()
    }
}

impl Drop for Family {
    fn drop(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let all: Vec<(i32, i32)> = self
                .descendants()
                .into_iter()
                .filter(|(pid, _)| !self.zombies.contains(pid))
                .collect();
            if all.is_empty() || Instant::now() > deadline {
                break;
            }
            // The parent of a kept zombie counts as a leaf: killing it hands the zombie to init,
            // which reaps it.
            let parents: HashSet<i32> = all.iter().map(|&(_, ppid)| ppid).collect();
            for &(pid, _) in all.iter().filter(|(pid, _)| !parents.contains(pid)) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            sleep(Duration::from_millis(20));
        }
        let _ = self.root.kill();
        let _ = self.root.wait();
    }
}

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Every `(pid, parent pid)` edge of a nested JSON tree.
fn edges(node: &Value, out: &mut Vec<(i32, i32)>) {
    let pid = node["pid"].as_i64().unwrap() as i32;
    for child in node["children"].as_array().unwrap() {
        out.push((child["pid"].as_i64().unwrap() as i32, pid));
        assert_eq!(child["ppid"].as_i64().unwrap() as i32, pid);
        edges(child, out);
    }
}

#[test]
fn ps_tree_json_places_every_spawned_process_under_its_parent() {
    // root sh ─┬─ sleep
    //          ├─ sleep
    //          └─ sh ─┬─ sleep
    //                 └─ sleep
    let family = Family::spawn(
        "sleep 300 & sleep 300 & sh -c 'sleep 300 & sleep 300 & wait' & wait",
        5,
    );
    let tree = json_of(toolkit().args(["ps-tree", "-p", "--json", &family.pid().to_string()]));
    assert_eq!(tree["pid"].as_i64().unwrap() as i32, family.pid());
    assert_eq!(tree["comm"], "sh");
    let mut seen = Vec::new();
    edges(&tree, &mut seen);
    let mut expected = family.descendants();
    seen.sort_unstable();
    expected.sort_unstable();
    assert_eq!(seen, expected);
    assert_eq!(tree["children"].as_array().unwrap().len(), 3);
}

#[test]
fn ps_tree_text_shows_pids_and_compacts_by_default() {
    let family = Family::spawn("sleep 301 & sleep 301 & sleep 301 & wait", 3);
    let root = family.pid().to_string();
    // Into a pipe pstree draws ASCII even in a UTF-8 locale (UTF-8 only on a terminal): so do we.
    let out = toolkit().args(["ps-tree", &root]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "sh---3*[sleep]\n");
    let theirs = Command::new("pstree")
        .env("LANG", "C.UTF-8")
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.stdout, theirs.stdout);
    let out = toolkit().args(["ps-tree", "-U", &root]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "sh───3*[sleep]\n");

    let out = toolkit()
        .args(["ps-tree", "-p", "-A", &root])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for (pid, _) in family.descendants() {
        assert!(text.contains(&format!("sleep({pid})")), "{text}");
    }
    assert!(text.starts_with(&format!("sh({root})-+-")), "{text}");

    // -s shows the way up: our own test process is an ancestor of the family.
    let out = toolkit()
        .args(["ps-tree", "-l", "-s", "-p", &root])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("({})", std::process::id())),
        "{text}"
    );
}

/// `toolkit ps-tree FLAGS ROOT` prints exactly what `pstree FLAGS ROOT` prints (with `COLUMNS`
/// set for both when given).
fn assert_draws_like_pstree(flags: &[&str], root: &str, columns: Option<&str>) {
    let mut ours = toolkit();
    ours.arg("ps-tree").args(flags).arg(root);
    let mut theirs = Command::new("pstree");
    theirs.args(flags).arg(root);
    if let Some(columns) = columns {
        ours.env("COLUMNS", columns);
        theirs.env("COLUMNS", columns);
    }
    let (ours, theirs) = (ours.output().unwrap(), theirs.output().unwrap());
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout),
        "ps-tree {flags:?} {root} (COLUMNS {columns:?})"
    );
}

/// `toolkit ps-tree FLAGS ROOT` and `pstree FLAGS ROOT`, byte for byte, on trees these tests make:
/// identical siblings that are not next to each other, nested identical subtrees, a uid change.
/// (`-T`: pstree hides threads; toolkit shows none yet.)
#[test]
fn ps_tree_draws_what_pstree_draws() {
    let corpora = [
        // sh ─┬─ sh───sleep, sh───2*[sleep], sh───sleep: the two `sh───sleep` are one entry.
        (
            "sh -c 'sleep 310; true' & sh -c 'sleep 311 & sleep 312; true' & sh -c 'sleep 313; true' & wait",
            7,
        ),
        // Nested: two identical subtrees of two levels, and a different one between them.
        (
            "sh -c 'sh -c \"sleep 314; true\" & sleep 315; true' & sleep 316 & sh -c 'sh -c \"sleep 317; true\" & sleep 318; true' & wait",
            9,
        ),
    ];
    let flag_sets: [&[&str]; 13] = [
        &["-A", "-l", "-T"],
        &["-A", "-l", "-T", "-p"],
        &["-A", "-l", "-T", "-c"],
        &["-A", "-l", "-T", "-u"],
        &["-A", "-l", "-T", "-p", "-u"],
        &["-A", "-l", "-T", "-a"],
        &["-A", "-l", "-T", "-a", "-p"],
        &["-A", "-l", "-T", "-n"],
        &["-A", "-l", "-T", "-n", "-p"],
        &["-A", "-l", "-T", "-g"],
        &["-A", "-l", "-T", "-g", "-p"],
        &["-U", "-l", "-T"],
        &["-A", "-l", "-T", "-s", "-p"],
    ];
    for (script, processes) in corpora {
        let family = Family::spawn(script, processes);
        let root = family.pid().to_string();
        for flags in flag_sets {
            assert_draws_like_pstree(flags, &root, None);
        }
        // Without -l, lines are cut at $COLUMNS, the last column that fits becoming `+`.
        for columns in ["40", "25"] {
            assert_draws_like_pstree(&["-A", "-T", "-p"], &root, Some(columns));
        }
    }
}

/// The flags every tree of the corpus is drawn with, by `ps-tree` and by `pstree`.
const EVERY_FLAG: [&[&str]; 24] = [
    &["-A", "-l"],
    &["-A", "-l", "-p"],
    &["-A", "-l", "-a"],
    &["-A", "-l", "-a", "-p", "-u"],
    &["-A", "-l", "-a", "-g"],
    &["-A", "-l", "-c"],
    &["-A", "-l", "-n"],
    &["-A", "-l", "-n", "-p"],
    &["-A", "-l", "-g"],
    &["-A", "-l", "-g", "-p"],
    &["-A", "-l", "-u"],
    &["-A", "-l", "-u", "-p"],
    &["-A", "-l", "-t"],
    &["-A", "-l", "-T"],
    &["-A", "-l", "-s"],
    &["-A", "-l", "-s", "-p", "-u"],
    &["-U", "-l"],
    &["-U", "-l", "-a"],
    &["-G", "-l"],
    &["-G", "-l", "-a"],
    // Of -A, -G and -U the last one wins.
    &["-A", "-U", "-l"],
    &["-U", "-G", "-l"],
    &["-G", "-A", "-l"],
    &["-A", "-G", "-l", "-p"],
];

/// Without -l, lines are cut at COLUMNS (and with -a, arguments that would not fit are `...`).
const EVERY_CUT: [(&[&str], &str); 8] = [
    (&["-A"], "40"),
    (&["-A", "-p"], "25"),
    (&["-A", "-a"], "40"),
    (&["-A", "-a"], "132"),
    (&["-A", "-a", "-p"], "80"),
    (&["-U", "-a"], "60"),
    (&["-G"], "40"),
    (&["-G", "-a"], "90"),
];

/// Every kind of process pstree draws in a way of its own, in one family, drawn with every flag:
/// a child of another user (`nobody`, `-u` shows the change), a zombie whose parent never reaps it
/// (`(sleep)` with `-a`), a session leader, a command line of 400 characters (cut with `...`
/// without `-l`) and one of 9,000 (pstree reads 8 KiB of it), a name pstree escapes (`h\303\251llo`) and a one-character name (whose children
/// `-a` indents by one space). Then pstree's `USER` form on the user's trees.
#[test]
fn ps_tree_draws_every_kind_of_process_as_pstree_does() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: running a child as nobody needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, program) in [
        ("x", "/bin/sleep"),
        ("héllo", "/bin/sleep"),
        ("s", "/bin/sh"),
    ] {
        std::fs::copy(program, dir.path().join(name)).unwrap();
    }
    let long: Vec<String> = (0..50).map(|i| format!("argument{i:02}")).collect();
    let nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";
    // The root sh's children:
    //   sleep (nobody)             sh (nobody) ─┬─ sleep, sleep
    //   sleep ─── (sleep), a zombie  sleep (setsid: a session leader)
    //   sh LONG... ─── sleep         sh y*9000 ─── sleep
    //   x, héllo (copies of sleep)   s (a copy of sh) ─── sleep
    let script = format!(
        "cd '{dir}' || exit 1; \
         {nobody} sleep 340 & \
         {nobody} sh -c 'sleep 341 & sleep 342; true' & \
         sh -c 'sleep 0.1 & exec sleep 343' & \
         setsid -w sleep 344 & \
         sh -c 'sleep 345; true' {long} 'a\\b' & \
         sh -c 'sleep 349; true' {huge} & \
         ./x 346 & ./héllo 347 & \
         ./s -c 'sleep 348; true' & \
         wait",
        dir = dir.path().display(),
        long = long.join(" "),
        // Longer than the 8 KiB pstree -a -l reads of a command line.
        huge = "y".repeat(9000),
    );
    let family = Family::spawn_with_zombies(&script, 15, 1);
    let root = family.pid().to_string();
    for flags in EVERY_FLAG {
        assert_draws_like_pstree(flags, &root, None);
    }
    for (flags, columns) in EVERY_CUT {
        assert_draws_like_pstree(flags, &root, Some(columns));
    }
    // Rooted at nobody's shell, -u names nobody at once: pstree compares a root with root.
    let owners = ProcessTable::scan(Fields {
        uid: true,
        ..Fields::STAT_ONLY
    })
    .unwrap();
    let nobody_sh = family
        .descendants()
        .iter()
        .filter_map(|&(pid, _)| owners.get(pid))
        .find(|p| p.comm == "sh" && p.uid == Some(65534))
        .map(|p| p.pid.to_string())
        .expect("nobody's sh");
    for flags in [&["-A", "-l", "-u"][..], &["-A", "-l", "-u", "-a", "-p"]] {
        assert_draws_like_pstree(flags, &nobody_sh, None);
    }

    // USER: the trees of every process of nobody whose parent is not nobody's. Compared only
    // when the family's are nobody's only processes (another one would be drawn too, and could
    // change between the two runs).
    let table = ProcessTable::scan(Fields {
        uid: true,
        ..Fields::STAT_ONLY
    })
    .unwrap();
    let tree = table.tree();
    let strangers: Vec<i32> = table
        .iter()
        .filter(|p| p.uid == Some(65534) && !tree.is_ancestor_or_self(family.pid(), p.pid))
        .map(|p| p.pid)
        .collect();
    if !strangers.is_empty() {
        eprintln!("USER form not compared: nobody also runs {strangers:?}");
        return;
    }
    for flags in [
        &["-A", "-l"][..],
        &["-A", "-l", "-p"],
        &["-A", "-l", "-a", "-p"],
        &["-A", "-l", "-u", "-p"],
        &["-A", "-l", "-n"],
        &["-G", "-l"],
    ] {
        assert_draws_like_pstree(flags, "nobody", None);
    }
    assert_draws_like_pstree(&["-A"], "nobody", Some("30"));
}

/// pstree's way with kernel threads: `-a` draws each as `(name)` (it has no command line), and a
/// group or PID of 0 prints as nothing (`kthreadd(2,)`). Kernel threads come and go (kworkers),
/// so a difference is looked at again a few times before it counts.
#[test]
fn ps_tree_draws_kernel_threads_as_pstree_does() {
    for flags in [
        &["-A", "-l"][..],
        &["-A", "-l", "-a"],
        &["-A", "-l", "-a", "-p", "-g"],
        &["-A", "-l", "-p", "-g"],
        &["-A", "-l", "-n", "-p"],
        &["-G", "-l"],
    ] {
        let mut tries = 0;
        loop {
            let ours = toolkit()
                .arg("ps-tree")
                .args(flags)
                .arg("2")
                .output()
                .unwrap();
            let theirs = Command::new("pstree")
                .args(flags)
                .arg("2")
                .output()
                .unwrap();
            if ours.stdout == theirs.stdout {
                break;
            }
            tries += 1;
            assert!(
                tries < 5,
                "ps-tree {flags:?} 2:\n{}\npstree:\n{}",
                String::from_utf8_lossy(&ours.stdout),
                String::from_utf8_lossy(&theirs.stdout)
            );
            sleep(Duration::from_millis(100));
        }
    }
}

/// `pstree 0`: PID 0, `?`, above init's tree and kthreadd's. The whole machine is in it, the two
/// commands that draw it too, so what is compared is the `?` line and kthreadd's part, drawn
/// first (`kthreadd` sorts before init's name), up to the line of init's branch.
#[test]
fn ps_tree_0_draws_the_kernel_above_init_and_kthreadd() {
    let before_init = |text: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(text)
            .lines()
            .take_while(|l| !l.trim_start().starts_with("`-"))
            .map(str::to_string)
            .collect()
    };
    for flags in [
        &["-A", "-l"][..],
        &["-A", "-l", "-p"],
        &["-A", "-l", "-a"],
        &["-A", "-l", "-a", "-p"],
    ] {
        let mut tries = 0;
        loop {
            let ours = toolkit()
                .arg("ps-tree")
                .args(flags)
                .arg("0")
                .output()
                .unwrap();
            let theirs = Command::new("pstree")
                .args(flags)
                .arg("0")
                .output()
                .unwrap();
            let (ours, theirs) = (before_init(&ours.stdout), before_init(&theirs.stdout));
            assert!(ours.len() > 1, "{ours:?}");
            if ours == theirs {
                break;
            }
            tries += 1;
            if tries == 5 {
                assert_eq!(ours, theirs, "ps-tree {flags:?} 0");
            }
            sleep(Duration::from_millis(100));
        }
    }
}

/// A name that is neither a number nor a user: pstree's message and exit code 1, as for a PID
/// that is not a number; a user with no process: pstree's "No processes found." and 1.
#[test]
fn ps_tree_user_errors_are_pstrees() {
    for (arg, message) in [
        (
            "nosuchuser-toolkit",
            "No such user name: nosuchuser-toolkit",
        ),
        ("12abc", "'12abc' is not a PID"),
    ] {
        let theirs = Command::new("pstree").arg(arg).output().unwrap();
        toolkit()
            .args(["ps-tree", arg])
            .assert()
            .code(theirs.status.code().unwrap())
            .stderr(predicates::str::contains(message));
    }
    // A system user that runs nothing (the first of these that exists).
    let table = ProcessTable::scan(Fields {
        uid: true,
        ..Fields::STAT_ONLY
    })
    .unwrap();
    let idle = ["bin", "sys", "games", "man", "lp", "mail", "news"]
        .into_iter()
        .find(|name| {
            nix::unistd::User::from_name(name)
                .ok()
                .flatten()
                .is_some_and(|u| table.iter().all(|p| p.uid != Some(u.uid.as_raw())))
        });
    let Some(idle) = idle else {
        eprintln!("no idle system user: 'No processes found.' not compared");
        return;
    };
    let theirs = Command::new("pstree").arg(idle).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&theirs.stderr),
        "No processes found.\n"
    );
    toolkit()
        .args(["ps-tree", idle])
        .assert()
        .code(theirs.status.code().unwrap())
        .stdout("")
        .stderr(predicates::str::contains("No processes found."));
}

/// Threads as pstree shows them: `{name}` children, folded as `N*[{name}]` (even with `-a`), one
/// per line with `-c` or `-p`, hidden with `-T`; and a command line with a newline in it, which
/// pstree prints as `\012`.
#[test]
fn ps_tree_shows_threads_as_pstree_does() {
    // Three threads that sleep, one of them named "worker" (PR_SET_NAME), under one python3.
    let script = "import ctypes, threading, time\n\
def named():\n    ctypes.CDLL(None).prctl(15, b'worker', 0, 0, 0)\n    time.sleep(60)\n\
for f in (named, lambda: time.sleep(60), lambda: time.sleep(60)):\n    threading.Thread(target=f, daemon=True).start()\n\
time.sleep(60)\n";
    let python = support::Guard::spawn(
        Command::new("python3")
            .args(["-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::null()),
    );
    let pid = python.pid();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let threads = toolkit::proc::read_threads(pid, Fields::STAT_ONLY);
        if threads.len() == 4 && threads.iter().any(|t| t.comm == "worker") {
            break;
        }
        assert!(Instant::now() < deadline, "the threads did not start");
        sleep(Duration::from_millis(20));
    }
    let root = pid.to_string();
    for flags in [
        &["-A", "-l"][..],
        &["-A", "-l", "-p"],
        &["-A", "-l", "-c"],
        &["-A", "-l", "-a"],
        &["-A", "-l", "-a", "-p"],
        &["-A", "-l", "-t"],
        &["-A", "-l", "-t", "-c"],
        &["-A", "-l", "-T"],
        &["-A", "-l", "-u"],
        // -n puts threads among the children by TID; -g gives them their process's group.
        &["-A", "-l", "-n"],
        &["-A", "-l", "-n", "-p"],
        &["-A", "-l", "-g"],
        &["-A", "-l", "-g", "-p"],
        &["-A", "-l", "-a", "-g", "-p"],
        &["-A", "-l", "-s", "-p"],
        &["-U", "-l"],
        &["-G", "-l"],
    ] {
        assert_draws_like_pstree(flags, &root, None);
    }
    for columns in ["20", "30"] {
        assert_draws_like_pstree(&["-A", "-p"], &root, Some(columns));
        assert_draws_like_pstree(&["-A", "-a"], &root, Some(columns));
    }
    // ps -L: one row per thread, the same LWPs, NLWP and per-thread STAT as the real ps.
    let ours = json_of(toolkit().args(["ps", "-L", "--json", "-p", &root]));
    let ours: Vec<String> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["pid"],
                r["lwp"],
                r["threads"],
                r["stat"].as_str().unwrap()
            )
        })
        .collect();
    let theirs = Command::new("ps")
        .args(["-L", "-o", "pid=,lwp=,nlwp=,stat=", "-p", &root])
        .output()
        .unwrap();
    let theirs: Vec<String> = String::from_utf8_lossy(&theirs.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(ours, theirs);

    // --json carries them too.
    let tree = json_of(toolkit().args(["ps-tree", "--json", &root]));
    let threads = tree["threads"].as_array().unwrap();
    assert_eq!(threads.len(), 3);
    assert!(threads.iter().any(|t| t["comm"] == "worker"));
}

/// `toolkit ps -o LIST -p PIDS` and `ps -o LIST -p PIDS`, byte for byte, on sleeping processes
/// (their figures do not move between the two reads): ps's headers, widths and values.
#[test]
fn ps_o_prints_what_ps_prints() {
    let family = Family::spawn(
        "sleep 330 & nice -n 7 sleep 330 & setsid sleep 330 & wait",
        3,
    );
    let mut pids: Vec<i32> = family.descendants().iter().map(|&(p, _)| p).collect();
    pids.sort_unstable();
    let list = pids
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    for columns in [
        "pid,ppid,user,uid,ni,pri,priority,stat,tty,start,time,rss,vsz,%cpu,%mem,nlwp,comm",
        "pid,comm",
        "stat,pid",
        "user,pid,%cpu,%mem,vsz,rss,tty,stat,start,time,args",
        "pid,ni,pri",
    ] {
        let ours = toolkit()
            .args(["ps", "-o", columns, "-p", &list])
            .output()
            .unwrap();
        let theirs = Command::new("ps")
            .args(["-o", columns, "-p", &list])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "-o {columns}"
        );
        assert_eq!(ours.status.code(), theirs.status.code());
    }
    // --sort as ps sorts: by PID down, by nice value then PID down.
    for keys in ["-pid", "ni,-pid", "-ni,pid", "+stat,pid"] {
        let ours = toolkit()
            .args(["ps", "--sort", keys, "-o", "pid,ni,stat", "-p", &list])
            .output()
            .unwrap();
        let theirs = Command::new("ps")
            .args(["--sort", keys, "-o", "pid,ni,stat", "-p", &list])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "--sort {keys}"
        );
    }
    // -u and -e select as ps does.
    let me = nix::unistd::getuid().as_raw().to_string();
    let ours = toolkit()
        .args(["ps", "-e", "-u", &me, "-o", "pid", "-p", &list])
        .output()
        .unwrap();
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let out = toolkit().args(["ps", "-o", "pid,bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'bogus'"));
}

#[test]
fn ps_stat_matches_real_ps() {
    // A plain sleeper, a niced one, a high-priority one (we may lack the privilege: then ps and
    // we both see nice 0), a session leader, and a stopped one.
    let family = Family::spawn(
        "sleep 302 & nice -n 5 sleep 302 & nice -n -5 sleep 302 2>/dev/null & setsid sleep 302 & \
         sleep 302 & wait",
        5,
    );
    let mut pids: Vec<i32> = family.descendants().iter().map(|&(p, _)| p).collect();
    pids.sort_unstable();
    // Stop one plain sleeper, and wait until the kernel shows it stopped.
    let table = ProcessTable::scan(Fields::STAT_ONLY).unwrap();
    let plain = *pids
        .iter()
        .rev()
        .find(|&&p| {
            table
                .get(p)
                .is_some_and(|q| q.nice == 0 && q.session != q.pid)
        })
        .unwrap();
    let _ = Command::new("kill")
        .args(["-STOP", &plain.to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while toolkit::proc::state_of(plain) != Some('T') {
        assert!(Instant::now() < deadline, "{plain} did not stop");
        sleep(Duration::from_millis(20));
    }
    pids.push(family.pid());
    pids.push(1);
    pids.sort_unstable();
    let list = pids
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let ours = json_of(toolkit().args(["ps", "--json", "-p", &list]));
    let ps = Command::new("ps")
        .args(["-o", "pid=,stat=,rss=", "-p", &list])
        .output()
        .unwrap();
    // Resume the stopped one now that both snapshots are taken (before any assertion can fail),
    // so the family can be torn down normally.
    let _ = Command::new("kill")
        .args(["-CONT", &plain.to_string()])
        .status();
    let ps_text = String::from_utf8_lossy(&ps.stdout);
    // STAT and RSS (sleeping processes: their resident memory does not move between the reads).
    let theirs: Vec<(i32, String, u64)> = ps_text
        .lines()
        .map(|l| {
            let mut f = l.split_whitespace();
            (
                f.next().unwrap().parse().unwrap(),
                f.next().unwrap().to_string(),
                f.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let ours: Vec<(i32, String, u64)> = ours
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["pid"].as_i64().unwrap() as i32,
                r["stat"].as_str().unwrap().to_string(),
                r["rss_kib"].as_u64().unwrap(),
            )
        })
        .collect();
    // PID 1 and the family's shell may allocate between the two reads: their RSS is not compared.
    let steady = |rows: &[(i32, String, u64)]| -> Vec<(i32, String, Option<u64>)> {
        rows.iter()
            .map(|(pid, stat, rss)| {
                let sleeper = *pid != 1 && *pid != family.pid();
                (*pid, stat.clone(), sleeper.then_some(*rss))
            })
            .collect()
    };
    assert_eq!(steady(&ours), steady(&theirs));
    let stats: HashSet<&str> = ours.iter().map(|(_, s, _)| s.as_str()).collect();
    for expected in ["S", "SN", "Ss", "T"] {
        assert!(
            stats.contains(expected),
            "{expected} missing from {stats:?}"
        );
    }
}

#[test]
fn ps_table_has_the_ps_aux_columns() {
    let out = toolkit().args(["ps", "-p", "1"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "USER", "PID", "PPID", "%CPU", "%MEM", "VSZ", "RSS", "NI", "PR", "STAT", "TTY",
            "START", "TIME", "COMMAND"
        ]
    );
    let row: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[1], "1");
}

#[test]
fn missing_pid_is_a_clear_error_with_exit_1() {
    toolkit()
        .args(["ps-tree", "4194999"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no process with PID 4194999"));
    toolkit()
        .args(["--lang", "zh", "ps-tree", "4194999"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("没有 PID 为 4194999 的进程"));
    toolkit().args(["ps", "-p", "4194999"]).assert().code(1);
    // Not a number: a user name, as pstree reads it.
    toolkit()
        .args(["ps-tree", "not-a-pid"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("No such user name: not-a-pid"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["ps-tree", "-a"][..],
        &["ps"],
        &["ps", "--json"],
        &["stat-codes"],
    ] {
        let mut child = toolkit()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the toolkit writes: every write gets EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {stderr}");
    }
}

/// A shell that forks and reaps short-lived children in a loop until told to stop (a file appears)
/// or 3,000 rounds have run. Stopping it this way, rather than killing it, lets it reap its last
/// children itself, also when an assertion fails.
struct Churn {
    shell: Child,
    stop: tempfile::TempDir,
}

impl Churn {
    fn start() -> Churn {
        let stop = tempfile::tempdir().unwrap();
        let flag = stop.path().join("stop");
        let shell = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "i=0; while [ $i -lt 3000 ] && [ ! -e '{}' ]; do /bin/true & /bin/true & wait; i=$((i+1)); done",
                flag.display()
            ))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Churn { shell, stop }
    }
}

impl Drop for Churn {
    fn drop(&mut self) {
        let _ = std::fs::write(self.stop.path().join("stop"), b"");
        let _ = self.shell.wait();
    }
}

#[test]
fn ps_tree_survives_process_churn() {
    let _churn = Churn::start();
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut runs = 0;
    while Instant::now() < deadline && runs < 200 {
        for args in [&["ps-tree", "-a", "--stat", "-u"][..], &["ps"]] {
            let out = toolkit().args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "{args:?} failed during churn: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
        runs += 1;
    }
    assert!(runs > 0);
}

#[test]
fn stat_codes_explains_every_letter_in_both_languages() {
    let en = json_of(toolkit().args(["stat-codes", "--json"]));
    let letters: Vec<&str> = en["letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(letters, ["R", "S", "D", "T", "t", "Z", "I", "X", "W"]);
    let t = &en["letters"][3];
    assert_eq!(t["three_state"], "outside");
    assert!(t["meaning"].as_str().unwrap().contains("stopped"));
    let l = en["modifiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["symbol"] == "l")
        .unwrap();
    assert!(l["meaning"].as_str().unwrap().contains("multi-threaded"));

    // `ps --explain` is the same table; LANG picks Chinese.
    let zh = toolkit()
        .args(["ps", "--explain"])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&zh.stdout);
    assert!(text.contains("僵尸"), "{text}");
    assert!(text.contains("多线程"), "{text}");
}

#[test]
fn help_lists_every_subcommand_and_version_works() {
    let out = toolkit().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "ps-tree",
        "ps",
        "stat-codes",
        "fork-demo",
        "states",
        "parallel",
        "pcb",
        "nice",
        "renice",
        "chat",
        "lesson",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}");
    }
    toolkit()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::starts_with("toolkit "));
}

#[test]
fn no_color_and_pipes_get_plain_text() {
    let out = toolkit()
        .args(["ps-tree", "-H", "1"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
    let out = toolkit()
        .args(["ps-tree", "-H", "1"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}
