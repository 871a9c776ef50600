//! The chat in a real terminal (tmux): the line being typed survives incoming lines, the editing
//! keys work on Chinese text, and every way of leaving gives the terminal back as it was.
//!
//! The client under test runs in a tmux pane; the other member is a hand-made connection
//! ([`Raw`]), so the test sees exactly the protocol lines the client sent. Each test has a tmux
//! server of its own ([`Tmux`]); screens are polled against a deadline, never slept on.

use std::path::PathBuf;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use toolkit::proc::{Fields, ProcessTable};

mod support;
use support::chat::{Proc, Raw, server, wait_gone};
use support::tmux::{Tmux, assert_terminal_restored};
use support::{BIN, Guard};

/// What `PROMPT` + `TEXT` takes on the screen: two columns per Chinese character.
fn width(s: &str) -> usize {
    toolkit::output::display_width(s)
}

/// The last row that is not blank: the input line.
fn input_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
}

/// A client in a pane of `tmux`, its files, and its two processes.
struct TerminalClient<'a> {
    tmux: &'a Tmux,
    target: String,
    stty: PathBuf,
    code: PathBuf,
    /// The pane's shell, the client's parent (receiver) and child (keyboard reader).
    shell: i32,
    parent: i32,
    child: i32,
    _dir: tempfile::TempDir,
}

impl<'a> TerminalClient<'a> {
    /// `toolkit --lang LANG chat client --name NAME` in session `target`, 100x30; once it exits,
    /// the pane records its exit code and `stty -a`. Returns once its prompt is drawn.
    fn start(tmux: &'a Tmux, target: &str, addr: &str, name: &str, lang: &str) -> Self {
        Self::start_with(tmux, target, addr, name, lang, "NO_COLOR=1", "")
    }

    /// [`TerminalClient::start`] with more environment (`env` words) and arguments.
    fn start_with(
        tmux: &'a Tmux,
        target: &str,
        addr: &str,
        name: &str,
        lang: &str,
        env: &str,
        extra: &str,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let stty = dir.path().join("stty");
        let code = dir.path().join("code");
        let command = format!(
            "env -u NO_COLOR LANG=C.UTF-8 {env} {BIN} --lang {lang} chat client --addr {addr} \
             --name {name} {extra}; echo $? > {}; stty -a > {}",
            code.display(),
            stty.display()
        );
        tmux.open(target, 100, 30, &command);
        let prompt = format!("{name}> ");
        tmux.wait_screen(target, "the prompt", |s| input_line(s) == prompt.trim_end());
        let parent = tmux.process_in_pane(target, "toolkit");
        let child = child_of(parent);
        TerminalClient {
            shell: tmux.pane_pid(target),
            tmux,
            target: target.to_string(),
            stty,
            code,
            parent,
            child,
            _dir: dir,
        }
    }

    fn keys(&self, keys: &[&str]) {
        self.tmux.keys(&self.target, keys);
    }

    fn press(&self, keys: &[&str]) {
        self.tmux.press(&self.target, keys);
    }

    fn wait_screen(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        self.tmux.wait_screen(&self.target, what, done)
    }

    /// Wait until the input line reads exactly `line`; returns the screen.
    fn wait_input(&self, line: &str) -> String {
        self.wait_screen(&format!("the input line {line:?}"), |s| {
            input_line(s) == line
        })
    }

    fn cursor_x(&self) -> usize {
        self.tmux
            .format(&self.target, "#{cursor_x}")
            .parse()
            .unwrap()
    }

    /// The client has ended with `code`, the terminal is restored, and both processes are gone.
    fn assert_ended(&self, code: i32) {
        assert_terminal_restored(&self.stty);
        let written = std::fs::read_to_string(&self.code).unwrap();
        assert_eq!(written.trim(), code.to_string(), "exit code");
        wait_gone(self.child, self.parent);
        wait_gone(self.parent, self.shell);
    }
}

/// The one child of `parent`, once it has been forked.
fn child_of(parent: i32) -> i32 {
    let end = std::time::Instant::now() + support::tmux::SCREEN_WAIT;
    loop {
        let table = ProcessTable::scan(Fields::STAT_ONLY).unwrap();
        if let Some(p) = table.iter().find(|p| p.ppid == parent) {
            return p.pid;
        }
        assert!(std::time::Instant::now() < end, "no child of {parent}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A server on a free port (stdio piped, no rate limit) and a member `bob` on a raw connection.
fn room() -> (Proc, String, Raw) {
    let (srv, addr) = server(&["--rate", "0"]);
    let bob = Raw::named(&addr, "bob");
    (srv, addr, bob)
}

#[test]
fn a_line_that_arrives_is_printed_above_the_half_typed_one() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("half") else {
        return;
    };
    let (_srv, addr, mut bob) = room();
    let a = TerminalClient::start(&tmux, "a", &addr, "小明", "zh");
    assert_eq!(bob.skip_to("JOINED"), "JOINED 小明");

    a.keys(&["一半的话"]);
    a.wait_input("小明> 一半的话");
    bob.send("SAY 你好，小明");
    let screen = a.wait_screen("bob's line, then the input line", |s| {
        s.contains("bob 说 ： 你好，小明") && input_line(s) == "小明> 一半的话"
    });
    // bob's line above, and under it the prompt with the half-typed text, the cursor after it.
    let rows: Vec<&str> = screen.lines().collect();
    let said = rows
        .iter()
        .position(|l| l.contains("bob 说 ： 你好，小明"))
        .unwrap();
    let typing = rows.iter().rposition(|l| l.trim_end() == "小明> 一半的话");
    assert!(typing.is_some_and(|t| t > said), "{screen}");
    assert_eq!(input_line(&screen), "小明> 一半的话", "{screen}");
    assert_eq!(a.cursor_x(), width("小明> 一半的话"));

    // Finish the line: bob gets all of it, as it is on A's screen.
    a.keys(&["，另一半", "Enter"]);
    assert_eq!(bob.skip_to("MSG"), "MSG 小明 一半的话，另一半");
    let screen = a.wait_input("小明>");
    assert!(screen.contains("小明> 一半的话，另一半"), "{screen}");
    a.keys(&["/quit", "Enter"]);
    a.assert_ended(0);
}

#[test]
fn chinese_text_is_edited_with_the_cursor_keys() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("edit") else {
        return;
    };
    let (_srv, addr, mut bob) = room();
    let a = TerminalClient::start(&tmux, "a", &addr, "小明", "zh");

    a.keys(&["你好世界"]);
    a.press(&["Left", "Left"]);
    a.keys(&["的"]);
    a.press(&["BSpace"]);
    a.keys(&["们"]);
    a.wait_input("小明> 你好们世界");
    // The cursor stands after 们: prompt (4 + 2) + 你好们 (6).
    assert_eq!(a.cursor_x(), width("小明> 你好们"));
    a.press(&["Home"]);
    a.keys(&["【"]);
    a.press(&["End"]);
    a.keys(&["】", "Enter"]);
    assert_eq!(bob.skip_to("MSG"), "MSG 小明 【你好们世界】");

    // Delete under the cursor, Ctrl-A / Ctrl-E, Ctrl-U.
    a.keys(&["x世界"]);
    a.press(&["C-a", "DC", "C-e"]);
    a.keys(&["！"]);
    a.wait_input("小明> 世界！");
    a.keys(&["Enter"]);
    assert_eq!(bob.skip_to("MSG"), "MSG 小明 世界！");
    a.keys(&["不要了"]);
    a.press(&["C-u"]);
    a.keys(&["要", "Enter"]);
    assert_eq!(bob.skip_to("MSG"), "MSG 小明 要");
    a.keys(&["quit", "Enter"]);
    a.assert_ended(0);
}

#[test]
fn a_line_wider_than_the_terminal_scrolls_sideways_and_is_sent_whole() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("wide") else {
        return;
    };
    let (_srv, addr, mut bob) = room();
    let a = TerminalClient::start(&tmux, "a", &addr, "小明", "zh");
    // 60 characters, 120 columns, on a 100-column terminal: the end is shown, on one row.
    let long: String = "天地玄黄宇宙洪荒日月盈昃辰宿列张"
        .chars()
        .cycle()
        .take(60)
        .collect();
    a.keys(&[&long]);
    let screen = a.wait_screen("the end of the line", |s| {
        input_line(s).starts_with("小明> ") && input_line(s).ends_with(&long[long.len() - 30..])
    });
    assert!(width(input_line(&screen)) < 100, "{screen}");
    assert!(a.cursor_x() < 100);
    // Home: the start comes back; a narrower terminal is drawn again at its new width.
    a.press(&["Home"]);
    a.wait_screen("the start of the line", |s| {
        input_line(s).starts_with(&format!("小明> {}", &long[..30]))
    });
    assert_eq!(a.cursor_x(), width("小明> "));
    a.press(&["End"]);
    a.wait_screen("the end again", |s| {
        input_line(s).ends_with(&long[long.len() - 30..])
    });
    tmux.run(&["resize-window", "-t", "a", "-x", "50"]);
    let screen = a.wait_screen("the end at 50 columns", |s| {
        input_line(s).ends_with(&long[long.len() - 15..]) && width(input_line(s)) < 50
    });
    assert!(a.cursor_x() < 50, "{screen}");
    // No piece of the line as drawn for 100 columns is left on the rows above.
    let rows: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(rows[rows.len() - 2].starts_with("在线的人"), "{screen}");
    a.keys(&["Enter"]);
    assert_eq!(bob.skip_to("MSG"), format!("MSG 小明 {long}"));
    a.press(&["C-d"]);
    a.assert_ended(0);
}

#[test]
fn who_lists_the_members_help_lists_the_commands_and_up_recalls_the_last_line() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("who") else {
        return;
    };
    let (_srv, addr, mut bob) = room();
    let a = TerminalClient::start(&tmux, "a", &addr, "alice", "en");

    a.keys(&["/who", "Enter"]);
    a.wait_screen("the members", |s| {
        s.lines()
            .filter(|l| l.starts_with("In the room (2): "))
            .count()
            >= 2
    });
    a.keys(&["/help", "Enter"]);
    let screen = a.wait_screen("the help", |s| s.contains("Editing:"));
    assert!(
        screen.contains("/who") && screen.contains("/quit"),
        "{screen}"
    );

    a.keys(&["first line", "Enter"]);
    assert_eq!(bob.skip_to("MSG"), "MSG alice first line");
    a.press(&["Up"]);
    a.wait_input("alice> first line");
    a.keys(&[" again", "Enter"]);
    assert_eq!(bob.skip_to("MSG"), "MSG alice first line again");
    a.press(&["Up", "Up", "Down"]);
    a.wait_input("alice> first line again");
    a.press(&["C-u", "C-d"]);
    a.assert_ended(0);
}

/// `toolkit --lang zh chat server` in session `srv`, 120x30, `stty -a` into `stty` once it ends.
/// Returns its address, once the console's prompt is drawn, the server's PID and the console's.
fn server_in_pane(tmux: &Tmux, stty: &std::path::Path) -> (String, i32, i32) {
    tmux.open(
        "srv",
        120,
        30,
        &format!(
            "env LANG=C.UTF-8 NO_COLOR=1 {BIN} --lang zh chat server --addr 127.0.0.1:0; \
             stty -a > {}",
            stty.display()
        ),
    );
    let screen = tmux.wait_screen("srv", "the prompt", |s| input_line(s) == "管理员>");
    let addr = screen
        .lines()
        .find(|l| l.starts_with("127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address:\n{screen}"))
        .trim()
        .to_string();
    let server_pid = tmux.process_in_pane("srv", "toolkit");
    (addr, server_pid, child_of(server_pid))
}

/// `stty -a` of the terminal of `target`'s pane, asked from outside while its program runs.
fn stty_of(tmux: &Tmux, target: &str) -> String {
    let tty = tmux.format(target, "#{pane_tty}");
    let out = std::process::Command::new("stty")
        .args(["-a", "-F", &tty])
        .output()
        .expect("run stty");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_console_killed_with_sigkill_gets_its_terminal_back_from_the_server() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("console-kill") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stty = dir.path().join("stty");
    let (addr, server_pid, console_pid) = server_in_pane(&tmux, &stty);
    assert!(
        stty_of(&tmux, "srv").contains("-icanon"),
        "raw while the console draws"
    );
    kill(Pid::from_raw(console_pid), Signal::SIGKILL).unwrap();
    wait_gone(console_pid, server_pid);
    let end = std::time::Instant::now() + support::tmux::SCREEN_WAIT;
    loop {
        let now = stty_of(&tmux, "srv");
        let words: Vec<&str> = now.split([' ', ';', '\n']).collect();
        if words.contains(&"icanon") && words.contains(&"echo") {
            break;
        }
        assert!(std::time::Instant::now() < end, "still raw:\n{now}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The server goes on, its log straight on the terminal again.
    let _bob = Raw::named(&addr, "bob");
    tmux.wait_screen("srv", "bob's join", |s| s.contains("bob 从 127.0.0.1"));
    kill(Pid::from_raw(server_pid), Signal::SIGINT).unwrap();
    assert_terminal_restored(&stty);
    wait_gone(server_pid, server_pid);
}

#[test]
fn ctrl_d_closes_the_console_with_its_terminal_restored_and_the_server_goes_on() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("console-eof") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stty = dir.path().join("stty");
    let (addr, server_pid, console_pid) = server_in_pane(&tmux, &stty);
    tmux.press("srv", &["C-d"]);
    wait_gone(console_pid, server_pid);
    let now = stty_of(&tmux, "srv");
    let words: Vec<&str> = now.split([' ', ';', '\n']).collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "{now}"
    );
    let mut bob = Raw::named(&addr, "bob");
    tmux.wait_screen("srv", "bob's join", |s| s.contains("bob 从 127.0.0.1"));
    bob.send("SAY 还在");
    kill(Pid::from_raw(server_pid), Signal::SIGTERM).unwrap();
    assert_terminal_restored(&stty);
    wait_gone(server_pid, server_pid);
}

#[test]
fn the_server_console_keeps_the_administrators_half_typed_line_while_joins_are_logged() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("console") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stty = dir.path().join("stty");
    let (addr, server_pid, console_pid) = server_in_pane(&tmux, &stty);

    tmux.keys("srv", &["全体同学"]);
    tmux.wait_screen("srv", "the half-typed line", |s| {
        input_line(s) == "管理员> 全体同学"
    });
    let mut bob = Raw::named(&addr, "bob");
    let screen = tmux.wait_screen("srv", "bob's join, then the input line", |s| {
        s.contains("bob 从 127.0.0.1") && input_line(s) == "管理员> 全体同学"
    });
    let rows: Vec<&str> = screen.lines().collect();
    let joined = rows.iter().position(|l| l.contains("bob 从 127.0.0.1"));
    let typing = rows
        .iter()
        .rposition(|l| l.trim_end() == "管理员> 全体同学");
    assert!(joined < typing, "{screen}");
    let cursor: usize = tmux.format("srv", "#{cursor_x}").parse().unwrap();
    assert_eq!(cursor, width("管理员> 全体同学"));

    tmux.keys("srv", &["请注意", "Enter"]);
    assert_eq!(bob.skip_to("ADMIN"), "ADMIN 全体同学请注意");
    tmux.wait_screen("srv", "the broadcast logged", |s| {
        s.contains("管理员广播：全体同学请注意") && input_line(s) == "管理员>"
    });
    // Ctrl-C at the console stops the server, as it always did.
    tmux.press("srv", &["C-c"]);
    assert_terminal_restored(&stty);
    wait_gone(console_pid, server_pid);
    wait_gone(server_pid, server_pid);
}

#[test]
fn names_have_their_colour_and_the_administrator_is_bold_on_a_colour_terminal() {
    let _serial = support::serial();
    let Some(tmux) = Tmux::start("colour") else {
        return;
    };
    let (mut srv, addr, mut bob) = room();
    let a = TerminalClient::start_with(&tmux, "a", &addr, "alice", "zh", "", "--timestamps");
    bob.send("SAY 管理员说 :假的");
    srv.type_line("真的");
    a.wait_screen("both lines", |s| {
        s.contains("管理员说 :真的") && s.contains("假的")
    });
    let out = tmux.run(&["capture-pane", "-p", "-e", "-t", "a"]);
    let styled = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = |needle: &str| {
        styled
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in {styled:?}"))
            .to_string()
    };
    // bob's name in a colour (SGR 3x or 9x), the rest of his line plain: never bold.
    let bobs = line("假的");
    let at = bobs.find("bob").unwrap();
    assert!(
        bobs[..at].contains("\x1b[3") || bobs[..at].contains("\x1b[9"),
        "{bobs:?}"
    );
    assert!(!bobs.contains("\x1b[1m"), "{bobs:?}");
    let admin = line("真的");
    assert!(
        admin[..admin.find("管理员").unwrap()].contains("\x1b[1m"),
        "{admin:?}"
    );
    // --timestamps: HH:MM before each line.
    let plain = a.wait_screen("the time", |s| s.contains("bob 说"));
    let stamped = plain.lines().find(|l| l.contains("bob 说")).unwrap();
    let (time, rest) = stamped.split_at(6);
    assert!(rest.starts_with("bob 说 ： "), "{stamped}");
    assert!(
        time.len() == 6
            && time.as_bytes()[2] == b':'
            && time
                .trim_end()
                .replace(':', "")
                .chars()
                .all(|c| c.is_ascii_digit()),
        "{stamped}"
    );
    a.press(&["C-c"]);
    a.assert_ended(0);
}

/// One way of leaving: what the test does to the client, and the exit code it must end with.
fn leave_and_check(name: &str, code: i32, leave: impl FnOnce(&TerminalClient, &mut Guard)) {
    let Some(tmux) = Tmux::start(name) else {
        return;
    };
    let (mut srv, addr, mut bob) = room();
    let a = TerminalClient::start(&tmux, "a", &addr, "alice", "en");
    a.keys(&["half a line"]);
    a.wait_input("alice> half a line");
    leave(&a, &mut srv.child);
    a.assert_ended(code);
    if code == 0 {
        assert_eq!(bob.skip_to("LEFT"), "LEFT alice");
    }
}

#[test]
fn every_way_of_leaving_restores_the_terminal_and_leaves_no_process() {
    let _serial = support::serial();
    leave_and_check("quit", 0, |a, _| {
        a.press(&["C-u"]);
        a.keys(&["/quit", "Enter"]);
    });
    leave_and_check("ctrl-d", 0, |a, _| a.press(&["C-u", "C-d"]));
    leave_and_check("ctrl-c", 0, |a, _| a.press(&["C-c"]));
    leave_and_check("server-gone", 1, |_, srv| {
        let _ = srv.kill();
        let _ = srv.wait();
    });
    leave_and_check("kill-9", 1, |a, _| {
        kill(Pid::from_raw(a.child), Signal::SIGKILL).unwrap();
    });
    leave_and_check("sigterm", 143, |a, _| {
        kill(Pid::from_raw(a.parent), Signal::SIGTERM).unwrap();
    });
}
