//! Every sentence a user reads, in Chinese and English.
//!
//! The language is chosen once, in `main`: `--lang zh|en`, else `LANG` (zh for `zh_*`, else en).
//! Each wing of the program has its own catalogue file here (`chat`, `bench`, `demos`, `nice`,
//! `inspect`, `top`, `lessons`, and `common` for what they share), so the sentences of a lesson can be
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
pub mod common;
pub mod demos;
pub mod inspect;
pub mod lessons;
pub mod nice;
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

    /// The language from the environment (`LANG`).
    pub fn from_env() -> Lang {
        Lang::from_locale(std::env::var("LANG").ok().as_deref())
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
}
