//! A real terminal for the tests: a tmux server of our own (`tmux -L toolkit-test-<pid>-<name>`),
//! driven with `send-keys` and read with `capture-pane`. Only that server is killed at the end,
//! and its socket removed (tmux leaves it behind).
//!
//! Waits poll the screen against a deadline: a slow machine fails late instead of flaking early.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use toolkit::proc::{Fields, ProcessTable};

/// Upper bound on one wait for the screen; never reached when things work.
pub const SCREEN_WAIT: Duration = Duration::from_secs(15);

/// A tmux server of our own, killed (and only it) when the test ends.
pub struct Tmux {
    socket: String,
    /// Where tmux puts that server's socket; removed at the end.
    socket_path: PathBuf,
}

impl Tmux {
    /// `None` (the test is skipped, saying so) when tmux is not installed outside CI; in CI,
    /// `.ci/run` installs it, so its absence is a failure.
    pub fn start(name: &str) -> Option<Tmux> {
        let installed = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install tmux (.ci/run)"
            );
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let socket = format!("toolkit-test-{}-{name}", std::process::id());
        let dir: PathBuf =
            std::env::var_os("TMUX_TMPDIR").map_or_else(|| "/tmp".into(), Into::into);
        let socket_path = dir
            .join(format!("tmux-{}", nix::unistd::getuid()))
            .join(&socket);
        Some(Tmux {
            socket,
            socket_path,
        })
    }

    /// Run one tmux command on our server (`-u`: UTF-8, whatever the test's locale).
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// A new session `name`, `columns` x `rows`, running `command` in its one pane (through
    /// `sh -c`; the pane closes when the command ends).
    pub fn open(&self, name: &str, columns: u16, rows: u16, command: &str) {
        let (columns, rows) = (columns.to_string(), rows.to_string());
        let out = self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &columns,
            "-y",
            &rows,
            command,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Type into `target`: `"Enter"` is the key, anything else is typed as literal text.
    pub fn keys(&self, target: &str, keys: &[&str]) {
        for key in keys {
            let out = match *key {
                "Enter" => self.run(&["send-keys", "-t", target, "Enter"]),
                literal => self.run(&["send-keys", "-t", target, "-l", literal]),
            };
            assert!(out.status.success(), "send-keys {key}");
        }
    }

    /// Press keys by their tmux names (`Left`, `BSpace`, `DC`, `Home`, `C-c`, ...).
    pub fn press(&self, target: &str, keys: &[&str]) {
        for key in keys {
            let out = self.run(&["send-keys", "-t", target, key]);
            assert!(out.status.success(), "send-keys {key}");
        }
    }

    /// What `target` shows now, one line per row.
    pub fn screen(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", target]).stdout)
            .into_owned()
    }

    /// Poll the screen of `target` until `done` holds (at most [`SCREEN_WAIT`]); returns it.
    pub fn wait_screen(&self, target: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + SCREEN_WAIT;
        loop {
            let screen = self.screen(target);
            if done(&screen) {
                return screen;
            }
            assert!(Instant::now() < end, "no {what} on the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A `#{...}` format of `target` (`cursor_x`, `pane_pid`).
    pub fn format(&self, target: &str, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", target, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The PID of the shell (`sh -c COMMAND`) running in `target`'s pane.
    pub fn pane_pid(&self, target: &str) -> i32 {
        self.format(target, "#{pane_pid}")
            .parse()
            .expect("the pane's shell")
    }

    /// The process named `comm` whose parent is the pane's shell, once there is one.
    pub fn process_in_pane(&self, target: &str, comm: &str) -> i32 {
        let shell = self.pane_pid(target);
        let end = Instant::now() + SCREEN_WAIT;
        loop {
            let table = ProcessTable::scan(Fields::STAT_ONLY).expect("scan /proc");
            if let Some(p) = table.iter().find(|p| p.ppid == shell && p.comm == comm) {
                return p.pid;
            }
            assert!(Instant::now() < end, "no {comm} under the pane's shell");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_file(&self.socket_path);
    }
}

/// Wait until `file` holds what `stty -a` said once the program in the pane had ended, and check
/// that the terminal is back to normal: echo and canonical input on.
pub fn assert_terminal_restored(stty_file: &Path) {
    let end = Instant::now() + SCREEN_WAIT;
    while !std::fs::read_to_string(stty_file).is_ok_and(|s| s.contains("icanon")) {
        assert!(Instant::now() < end, "gave up waiting for stty -a");
        std::thread::sleep(Duration::from_millis(50));
    }
    let stty = std::fs::read_to_string(stty_file).unwrap();
    let words: Vec<&str> = stty.split([' ', ';', '\n']).collect();
    assert!(
        words.contains(&"echo") && !words.contains(&"-echo"),
        "{stty}"
    );
    assert!(
        words.contains(&"icanon") && !words.contains(&"-icanon"),
        "{stty}"
    );
}
