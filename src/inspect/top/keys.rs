//! The keys people already know from top and htop, and the prompts they open.
//!
//! Everything here is pure: a key goes in, the view's state changes, and an [`Action`] comes out
//! when something must happen outside the view (quit, renice, send a signal, switch to threads).
//! `r` and `k` ask two questions like top does: first the PID (Enter takes the top row's), then
//! the nice value or the signal (Enter takes SIGTERM, as top's does).

use std::str::FromStr;

use nix::sys::signal::Signal;

use super::rows::{Column, Filter};
use crate::i18n::{Lang, top as msg};

/// A key, reduced to what the view distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    /// Ctrl-C: in raw mode the terminal sends it as a key, not as SIGINT.
    Interrupt,
}

/// What a prompt is asking for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asking {
    User,
    Name,
    /// The PID to renice; Enter alone takes the default (the top row).
    RenicePid(Option<i32>),
    ReniceValue(i32),
    SignalPid(Option<i32>),
    SignalName(i32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub asking: Asking,
    pub input: String,
}

/// What must happen outside the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Quit,
    /// Threads on or off: the samples change meaning.
    SetThreads(bool),
    Renice {
        pid: i32,
        nice: i64,
    },
    Signal {
        pid: i32,
        signal: Signal,
    },
}

/// The state of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ui {
    pub sort: Column,
    pub forest: bool,
    pub threads: bool,
    pub paused: bool,
    pub help: bool,
    pub filter: Filter,
    pub prompt: Option<Prompt>,
    /// One line of feedback (a result or an error), shown until the next key.
    pub message: Option<String>,
}

impl Default for Ui {
    fn default() -> Ui {
        Ui {
            sort: Column::Cpu,
            forest: false,
            threads: false,
            paused: false,
            help: false,
            filter: Filter::default(),
            prompt: None,
            message: None,
        }
    }
}

impl Ui {
    /// Handle one key. `top_pid` is the PID of the first row shown (the prompts' default).
    pub fn on_key(&mut self, key: Key, top_pid: Option<i32>, lang: Lang) -> Action {
        if key == Key::Interrupt {
            return Action::Quit;
        }
        if self.prompt.is_some() {
            return self.on_prompt_key(key, lang);
        }
        self.message = None;
        if self.help {
            self.help = false;
            return Action::None;
        }
        let Key::Char(c) = key else {
            return Action::None;
        };
        let ask = |asking| {
            Some(Prompt {
                asking,
                input: String::new(),
            })
        };
        match c {
            'q' => return Action::Quit,
            'P' => self.sort = Column::Cpu,
            'M' => self.sort = Column::Mem,
            'N' => self.sort = Column::Pid,
            'T' => self.sort = Column::Time,
            '<' => self.sort = self.sort.left(),
            '>' => self.sort = self.sort.right(),
            'V' => self.forest = !self.forest,
            'H' => {
                self.threads = !self.threads;
                return Action::SetThreads(self.threads);
            }
            'p' => self.paused = !self.paused,
            '?' | 'h' => self.help = true,
            'u' => self.prompt = ask(Asking::User),
            'o' | '/' => self.prompt = ask(Asking::Name),
            'r' => self.prompt = ask(Asking::RenicePid(top_pid)),
            'k' => self.prompt = ask(Asking::SignalPid(top_pid)),
            _ => {}
        }
        Action::None
    }

    fn on_prompt_key(&mut self, key: Key, lang: Lang) -> Action {
        let Some(prompt) = self.prompt.as_mut() else {
            return Action::None;
        };
        match key {
            Key::Char(c) => {
                prompt.input.push(c);
                return Action::None;
            }
            Key::Backspace => {
                prompt.input.pop();
                return Action::None;
            }
            Key::Esc => {
                self.prompt = None;
                return Action::None;
            }
            Key::Enter | Key::Interrupt => {}
        }
        let Some(Prompt { asking, input }) = self.prompt.take() else {
            return Action::None;
        };
        let text = input.trim();
        let blank = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let pid_or = |default: Option<i32>| -> Result<i32, String> {
            match (text, default) {
                ("", Some(pid)) => Ok(pid),
                _ => text
                    .parse::<i32>()
                    .ok()
                    .filter(|&p| p > 0)
                    .ok_or_else(|| msg::not_a_pid(lang, text)),
            }
        };
        let next = |asking| {
            Some(Prompt {
                asking,
                input: String::new(),
            })
        };
        match asking {
            Asking::User => self.filter.user = blank(text),
            Asking::Name => self.filter.name = blank(text),
            Asking::RenicePid(default) => match pid_or(default) {
                Ok(pid) => self.prompt = next(Asking::ReniceValue(pid)),
                Err(e) => self.message = Some(e),
            },
            Asking::SignalPid(default) => match pid_or(default) {
                Ok(pid) => self.prompt = next(Asking::SignalName(pid)),
                Err(e) => self.message = Some(e),
            },
            // Enter alone cancels, as in top.
            Asking::ReniceValue(_) if text.is_empty() => {}
            Asking::ReniceValue(pid) => match text.parse::<i64>() {
                Ok(nice) => return Action::Renice { pid, nice },
                Err(_) => self.message = Some(msg::not_a_nice_value(lang, text)),
            },
            Asking::SignalName(pid) => match parse_signal(text) {
                Some(signal) => return Action::Signal { pid, signal },
                None => self.message = Some(msg::not_a_signal(lang, text)),
            },
        }
        Action::None
    }

    /// The prompt's question and what was typed so far.
    pub fn prompt_line(&self, lang: Lang) -> Option<String> {
        let prompt = self.prompt.as_ref()?;
        let question = match &prompt.asking {
            Asking::User => msg::prompt_user(lang).to_string(),
            Asking::Name => msg::prompt_name(lang).to_string(),
            Asking::RenicePid(default) => msg::prompt_pid(lang, msg::action_renice(lang), *default),
            Asking::SignalPid(default) => msg::prompt_pid(lang, msg::action_signal(lang), *default),
            Asking::ReniceValue(pid) => msg::prompt_nice(lang, *pid),
            Asking::SignalName(pid) => msg::prompt_signal(lang, *pid),
        };
        Some(format!("{question}{}", prompt.input))
    }
}

/// A signal as a user types it in top's prompt: `STOP`, `sigstop`, `SIGSTOP`, `19`; blank is
/// SIGTERM (top's default).
pub fn parse_signal(text: &str) -> Option<Signal> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Signal::SIGTERM);
    }
    if let Ok(number) = text.parse::<i32>() {
        return Signal::try_from(number).ok();
    }
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    Signal::from_str(&name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(ui: &mut Ui, text: &str) -> Action {
        let mut last = Action::None;
        for c in text.chars() {
            last = ui.on_key(Key::Char(c), Some(77), Lang::En);
        }
        last
    }

    #[test]
    fn sort_keys_pick_top_columns() {
        let mut ui = Ui::default();
        assert_eq!(ui.sort, Column::Cpu, "top starts sorted by %CPU");
        typed(&mut ui, "M");
        assert_eq!(ui.sort, Column::Mem);
        typed(&mut ui, "N");
        assert_eq!(ui.sort, Column::Pid);
        typed(&mut ui, "T");
        assert_eq!(ui.sort, Column::Time);
        typed(&mut ui, "<");
        assert_eq!(ui.sort, Column::Rss);
        typed(&mut ui, ">>");
        assert_eq!(ui.sort, Column::Command);
        typed(&mut ui, "P");
        assert_eq!(ui.sort, Column::Cpu);
    }

    #[test]
    fn toggles_and_quit() {
        let mut ui = Ui::default();
        assert_eq!(typed(&mut ui, "H"), Action::SetThreads(true));
        assert_eq!(typed(&mut ui, "H"), Action::SetThreads(false));
        typed(&mut ui, "Vp");
        assert!(ui.forest && ui.paused);
        typed(&mut ui, "?");
        assert!(ui.help);
        // Any key closes the help, and does nothing else.
        assert_eq!(typed(&mut ui, "q"), Action::None);
        assert!(!ui.help);
        assert_eq!(typed(&mut ui, "q"), Action::Quit);
        assert_eq!(ui.on_key(Key::Interrupt, None, Lang::En), Action::Quit);
    }

    #[test]
    fn renice_asks_the_pid_then_the_value() {
        let mut ui = Ui::default();
        typed(&mut ui, "r4242");
        assert_eq!(
            ui.prompt_line(Lang::En).unwrap(),
            "PID to renice [default pid = 77]: 4242"
        );
        ui.on_key(Key::Enter, Some(77), Lang::En);
        typed(&mut ui, "5");
        assert_eq!(
            ui.on_key(Key::Enter, Some(77), Lang::En),
            Action::Renice { pid: 4242, nice: 5 }
        );
        assert!(ui.prompt.is_none());
        // Enter alone takes the top row.
        typed(&mut ui, "r");
        ui.on_key(Key::Enter, Some(77), Lang::En);
        typed(&mut ui, "-3");
        assert_eq!(
            ui.on_key(Key::Enter, Some(77), Lang::En),
            Action::Renice { pid: 77, nice: -3 }
        );
    }

    #[test]
    fn kill_asks_the_pid_then_the_signal() {
        let mut ui = Ui::default();
        typed(&mut ui, "k12");
        ui.on_key(Key::Backspace, None, Lang::En);
        ui.on_key(Key::Enter, None, Lang::En);
        typed(&mut ui, "stop");
        assert_eq!(
            ui.on_key(Key::Enter, None, Lang::En),
            Action::Signal {
                pid: 1,
                signal: Signal::SIGSTOP
            }
        );
    }

    #[test]
    fn bad_answers_say_why_and_esc_cancels() {
        let mut ui = Ui::default();
        typed(&mut ui, "kabc");
        assert_eq!(ui.on_key(Key::Enter, None, Lang::En), Action::None);
        assert_eq!(ui.message.as_deref(), Some("'abc' is not a PID"));
        ui.on_key(Key::Char('r'), None, Lang::En);
        ui.on_key(Key::Enter, None, Lang::En);
        assert_eq!(
            ui.message.as_deref(),
            Some("'' is not a PID"),
            "no default, none typed"
        );
        typed(&mut ui, "r5");
        ui.on_key(Key::Esc, None, Lang::En);
        assert!(ui.prompt.is_none());
    }

    #[test]
    fn filters_are_set_and_cleared_by_prompts() {
        let mut ui = Ui::default();
        typed(&mut ui, "uroot");
        ui.on_key(Key::Enter, None, Lang::En);
        typed(&mut ui, "/sleep");
        ui.on_key(Key::Enter, None, Lang::En);
        assert_eq!(ui.filter.user.as_deref(), Some("root"));
        assert_eq!(ui.filter.name.as_deref(), Some("sleep"));
        typed(&mut ui, "u");
        ui.on_key(Key::Enter, None, Lang::En);
        assert_eq!(ui.filter.user, None, "blank shows every user again");
    }

    #[test]
    fn signals_are_read_as_top_reads_them() {
        assert_eq!(parse_signal(""), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("STOP"), Some(Signal::SIGSTOP));
        assert_eq!(parse_signal("sigcont"), Some(Signal::SIGCONT));
        assert_eq!(parse_signal("9"), Some(Signal::SIGKILL));
        assert_eq!(parse_signal("SIGTERM"), Some(Signal::SIGTERM));
        assert_eq!(parse_signal("nope"), None);
        assert_eq!(parse_signal("999"), None);
    }
}
