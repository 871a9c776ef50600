//! Every sentence a user reads, in Chinese and English.
//!
//! The language is chosen once, in `main`: `--lang zh|en`, else the locale as every program reads
//! it for messages: `LC_ALL`, else `LC_MESSAGES`, else `LANG`, the first that is set and not empty
//! (zh for `zh_*`, else en).
//! Each wing of the program has its own catalogue file here (`chat`, `bench`, `demos`, `nice`,
//! `inspect`, `top`, `lessons`, `picture`, `quiz`, and `common` for what they share), so the sentences of a lesson can be
//! read side by side in both languages.
//!
//! One way of writing a message: a function of the language and plain values (numbers, `&str`,
//! the letters `ps` prints, protocol words), whose body is `match lang { Lang::Zh => …,
//! Lang::En => … }` (`lang.pick(zh, en)` for a fixed text). The compiler then checks that every
//! message exists in both languages. Catalogues import no domain module: the caller turns its
//! types into values (a `StateCode` into its letter, an `ErrorCode` into its wire word), so the
//! sentences can be read, and changed, without the code that uses them.

pub mod bench;
pub mod chat;
pub mod cli;
pub mod common;
pub mod demos;
pub mod inspect;
pub mod lessons;
pub mod nice;
pub mod picture;
pub mod quiz;
pub mod threads;
pub mod top;

use serde::Serialize;

/// The two languages of the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The language a `LANG` value asks for: Chinese for `zh`, `zh_CN.UTF-8`, `zh_TW`..., else English.
    pub fn from_locale(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v == "zh" || v.starts_with("zh_") || v.starts_with("zh-") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// The language from the environment: `LC_ALL`, else `LC_MESSAGES`, else `LANG`.
    pub fn from_env() -> Lang {
        Lang::from_vars(|name| std::env::var(name).ok())
    }

    /// The language the locale variables given by `var` ask for, in POSIX's order of precedence.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Lang {
        let value = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()));
        Lang::from_locale(value.as_deref())
    }

    /// Pick one of two texts.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_chinese_only_for_zh() {
        assert_eq!(Lang::from_locale(Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("zh_TW")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("zh")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("zu_ZA")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn lc_all_then_lc_messages_then_lang() {
        fn lang(pairs: &[(&str, &str)]) -> Lang {
            Lang::from_vars(|name| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            })
        }
        let zh = "zh_CN.UTF-8";
        let en = "en_US.UTF-8";
        assert_eq!(lang(&[("LANG", zh)]), Lang::Zh);
        assert_eq!(lang(&[("LC_ALL", zh), ("LANG", en)]), Lang::Zh);
        assert_eq!(lang(&[("LC_ALL", "C"), ("LANG", zh)]), Lang::En);
        assert_eq!(lang(&[("LC_MESSAGES", zh), ("LANG", en)]), Lang::Zh);
        assert_eq!(lang(&[("LC_ALL", en), ("LC_MESSAGES", zh)]), Lang::En);
        // Set but empty is the same as not set.
        assert_eq!(lang(&[("LC_ALL", ""), ("LANG", zh)]), Lang::Zh);
        assert_eq!(lang(&[]), Lang::En);
    }
}
