//! The administrator's channel, both ends: a forked console child that reads the server's
//! terminal, and the server task that reads what it sends.
//!
//! Why a separate process: this is the homework's design, and it shows inter-process communication
//! at work. Before the server starts its tokio runtime (fork is only safe while the process has one
//! thread), it creates a connected pair of Unix sockets and forks ([`spawn`]). The child keeps
//! stdin and one end; it reads the terminal line by line and writes each line into its end
//! (`console_loop`). The parent keeps the other end; [`pump`] turns every line into an admin line
//! for the room. Each end is shut down in the direction it does not use, so the channel is one-way,
//! as a pipe would be.
//!
//! Why a socket pair and not a pipe: who can write into the channel. The pair has no name and no
//! address, so no network client can reach it. A pipe has no name either, but Linux lets any
//! process of the same user *reopen* it through `/proc/SERVER/fd/N` (`echo x > /proc/PID/fd/N`)
//! and post as the administrator; a socket cannot be opened through `/proc` (`open` fails with
//! ENXIO). So the only writers are the console child and processes that already hold its
//! descriptor: its own children, and a debugger attached with root or the same user's ptrace
//! rights, which can do anything to the server anyway.
//!
//! On a terminal (stdin, stdout and stderr all one), the console draws its own input line,
//! `管理员> `, with the same line editor as the client ([`super::terminal`]), and a second socket
//! pair, server -> console, carries the server's log lines: `chat::log` hands each one to the
//! console, which prints it above the administrator's half-typed announcement and redraws it,
//! instead of the server writing onto the middle of it. Ctrl-C there is a byte in raw mode; the console passes it
//! on to the server as SIGINT, so it still stops the server. The server restores the terminal's
//! settings (saved before the fork) once it has reaped the console.
//!
//! Both ends cut their input with [`LineFramer`], so neither a terminal line without a newline nor
//! a misbehaving pipe makes either process buffer without bound.
//!
//! Endings:
//! - stdin closes (Ctrl-D, or `< /dev/null`): the child exits; the parent sees end-of-file on the
//!   pipe, reaps the child and keeps serving.
//! - the server shuts down: it sends the child SIGTERM and reaps it.
//! - the server dies: the child gets SIGTERM from the kernel (`PR_SET_PDEATHSIG`), so it never
//!   lingers as an orphan holding the terminal.

use std::io::{IsTerminal, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use tokio::io::AsyncReadExt;
use tokio::sync::{broadcast, mpsc};

use super::log;
use super::terminal::{Console, Event, RestoreOnDrop, SavedTerminal};
use crate::chat::protocol::{MAX_LINE, MAX_TEXT};
use crate::child::{Child, ChildError, die_with_parent, fork_child, interrupt};
use crate::i18n::{Lang, chat as msg};
use crate::lines::{Frame, LineFramer};

/// Longest line the console reads from the terminal (a pasted paragraph); what fits is then cut to
/// [`MAX_TEXT`], a longer line is dropped with a note.
const MAX_TYPED_LINE: usize = 64 * 1024;

/// The forked console: its process, and the server's end of the channel.
#[derive(Debug)]
pub struct AdminConsole {
    pub child: Child,
    pub channel: OwnedFd,
    /// On a terminal: the settings to put back once the child is reaped (dropped last).
    terminal: Option<RestoreGuard>,
}

/// [`RestoreOnDrop`], with a `Debug` for [`AdminConsole`].
struct RestoreGuard(#[allow(dead_code)] RestoreOnDrop);

impl std::fmt::Debug for RestoreGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RestoreGuard")
    }
}

/// Create the channel and fork the console child. Call only while single-threaded (before tokio).
pub fn spawn(lang: Lang) -> Result<AdminConsole, ChildError> {
    let errno = |e: std::io::Error| ChildError::Fork(io_errno(&e));
    let (server_end, console_end) = UnixStream::pair().map_err(errno)?;
    // One-way, server <- console.
    server_end.shutdown(Shutdown::Write).map_err(errno)?;
    let server_raw = server_end.as_raw_fd();
    // A person at the server's terminal gets the line editor: the console draws, and the server's
    // log lines reach it over a second pair, server -> console (see `super::terminal`).
    // All three on the terminal: the console draws on stdout, the log was stderr's; with any of
    // them redirected, the console reads lines as it always did.
    let on_terminal = std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && std::io::stderr().is_terminal();
    let saved = if on_terminal {
        SavedTerminal::save()
    } else {
        None
    };
    let logs = match saved {
        Some(_) => {
            let (log_server, log_console) = UnixStream::pair().map_err(errno)?;
            log_server.shutdown(Shutdown::Read).map_err(errno)?;
            log_console.shutdown(Shutdown::Write).map_err(errno)?;
            Some((log_server, log_console))
        }
        None => None,
    };
    let (log_server, log_console) = match logs {
        Some((server, console)) => (Some(server), Some(console)),
        None => (None, None),
    };
    let log_server_raw = log_server.as_ref().map(|server| server.as_raw_fd());
    let server_pid = nix::unistd::getpid();
    let terminal = saved.clone().map(|s| RestoreGuard(RestoreOnDrop(s)));
    let child = fork_child(move || {
        // The child closes its copy of the server's end by number: the stream itself stays with
        // the parent. Closing it matters: if the child kept it, writing after the parent died
        // would never fail with EPIPE (and the log pair would never report the server gone).
        let _ = nix::unistd::close(server_raw);
        if let Some(fd) = log_server_raw {
            let _ = nix::unistd::close(fd);
        }
        let _ = console_end.shutdown(Shutdown::Read);
        if !die_with_parent(server_pid, Signal::SIGTERM) {
            // The server died before the request above took effect.
            return 0;
        }
        // The console's end of the log pair was moved into this closure: the child owns it, and
        // in the parent it is closed with the closure.
        match (saved, log_console) {
            (Some(saved), Some(logs)) => edit_loop(console_end, logs, saved, lang),
            _ => console_loop(console_end, lang),
        }
    })?;
    // In the parent, the closure (and the console's end it captured) was dropped: only the child
    // can write, so its exit is seen here as end-of-file.
    if let Some(log_server) = log_server {
        let _ = log_server.set_nonblocking(true);
        super::log_through(Some(log_server));
    }
    Ok(AdminConsole {
        child,
        channel: OwnedFd::from(server_end),
        terminal,
    })
}

/// The console on a terminal: the line editor, the administrator's lines into `channel`, and the
/// server's log lines from `logs` printed above the line being typed. Returns the exit code, the
/// terminal restored.
fn edit_loop(mut channel: UnixStream, logs: UnixStream, saved: SavedTerminal, lang: Lang) -> i32 {
    // SIGTERM (the server stopping, or the kernel when it died) must not leave the terminal raw.
    interrupt::install();
    let paint = crate::output::Paint::for_stdout();
    let prompt = msg::admin_prompt(lang);
    let width = crate::output::display_width(prompt);
    let Ok(mut console) = Console::start(saved, paint.bold(prompt), width, Some(logs), false)
    else {
        return console_loop(channel, lang);
    };
    loop {
        match console.next_event() {
            Event::Line(text) => {
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                if writeln!(channel, "{}", truncate(text, MAX_TEXT)).is_err() {
                    return 0;
                }
            }
            // Ctrl-C in raw mode is a byte, not SIGINT: pass it on, so it stops the server as it
            // did before the console drew the line itself. The console stays until the server
            // tells it to go (SIGTERM), so the shutdown's log lines are still shown in order.
            Event::Interrupt => {
                let _ = nix::sys::signal::kill(nix::unistd::getppid(), Signal::SIGINT);
            }
            // Ctrl-D closes the console, as end of input always did; the server goes on.
            Event::EndOfInput | Event::Closed | Event::Signal(_) | Event::Failed => return 0,
        }
    }
}

fn io_errno(e: &std::io::Error) -> nix::errno::Errno {
    nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

/// The child's whole life: stdin lines to pipe lines. Invalid UTF-8 is replaced, over-long lines
/// are cut to [`MAX_TEXT`] (or dropped, past [`MAX_TYPED_LINE`]), empty lines skipped. Returns the
/// exit code.
fn console_loop(mut channel: impl Write, lang: Lang) -> i32 {
    let mut stdin = std::io::stdin().lock();
    let mut lines = LineFramer::new(MAX_TYPED_LINE);
    let mut end_of_input = false;
    loop {
        while let Some(frame) = lines.next_frame() {
            let Frame::Line(raw) = frame else {
                eprintln!("{}", msg::admin_line_too_long(lang, MAX_TYPED_LINE));
                continue;
            };
            let text = String::from_utf8_lossy(raw);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if writeln!(channel, "{}", truncate(text, MAX_TEXT)).is_err() {
                // The server is gone.
                return 0;
            }
        }
        if end_of_input {
            return 0;
        }
        match stdin.read(lines.spare(4096)) {
            Ok(0) => {
                // A last line without its newline is sent too.
                end_of_input = true;
                if lines.pending() > 0 {
                    lines.push(b"\n");
                }
            }
            Ok(n) => lines.commit(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return 1,
        }
    }
}

/// The server's end: read the console's channel, forward each line, and reap the child when it exits
/// (end of file) or when the server stops (SIGTERM first).
pub async fn pump(
    console: AdminConsole,
    lines: mpsc::Sender<String>,
    mut stop: broadcast::Receiver<()>,
    lang: Lang,
) {
    let AdminConsole {
        mut child,
        channel,
        terminal,
    } = console;
    let pid = child.pid_i32();
    let stream = UnixStream::from(channel);
    let receiver = stream
        .set_nonblocking(true)
        .and_then(|()| tokio::net::UnixStream::from_std(stream));
    match receiver {
        Ok(mut receiver) => {
            let mut framer = LineFramer::new(MAX_LINE);
            'reading: loop {
                while let Some(frame) = framer.next_frame() {
                    // The console never sends more than MAX_TEXT bytes a line; anything longer is
                    // not from it and is skipped.
                    let Frame::Line(raw) = frame else { continue };
                    let text = String::from_utf8_lossy(raw).into_owned();
                    if lines.send(text).await.is_err() {
                        let _ = child.signal(Signal::SIGTERM);
                        break 'reading;
                    }
                }
                tokio::select! {
                    _ = stop.recv() => {
                        let _ = child.signal(Signal::SIGTERM);
                        break;
                    }
                    n = receiver.read(framer.spare(4096)) => match n {
                        Ok(0) | Err(_) => {
                            log(&msg::log_admin_closed(lang, pid));
                            break;
                        }
                        Ok(n) => framer.commit(n),
                    },
                }
            }
        }
        Err(_) => {
            let _ = child.signal(Signal::SIGTERM);
        }
    }
    let reaped = tokio::task::spawn_blocking(move || {
        let status = child.wait();
        (child, status)
    })
    .await;
    if let Ok((_child, Ok(status))) = reaped {
        let how = match status {
            WaitStatus::Exited(_, code) => format!("exit {code}"),
            WaitStatus::Signaled(_, sig, _) => sig.as_str().to_string(),
            other => format!("{other:?}"),
        };
        log(&msg::log_admin_reaped(lang, pid, &how));
    }
    // The console is gone: log lines go to stderr again, on a terminal with its settings back.
    super::log_through(None);
    drop(terminal);
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("abc", 10), "abc");
        assert_eq!(truncate("你好", 4), "你");
        assert_eq!(truncate("你好", 6), "你好");
    }
}
