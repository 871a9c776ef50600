//! Who may be called what: the rules that keep a name from posing as the administrator or as a
//! classmate. Pure, and the same for every client.
//!
//! The homework says names are unique. Comparing the *bytes* (or the lowercased bytes) is not
//! enough, because Unicode has many ways to draw the same word: Cyrillic `а` looks exactly like
//! Latin `a`, fullwidth `ａｄｍｉｎ` like `admin`, a word joiner (U+2060) or a soft hyphen is
//! invisible, and `管` + U+F9E4 + `员` is a compatibility form of `管理员`. The rules follow the
//! Unicode identifier-spoofing defences (UTS #39, with the data of the `unicode-security` crate):
//!
//! 1. **Every character is one identifiers may use** (its Identifier_Status is Allowed): letters
//!    and digits of every living script (CJK included), combining marks, `_` `-` `.` and the like.
//!    That rules out invisible and format characters (word joiners, soft hyphens, zero-width and
//!    bidirectional controls, variation selectors, tags, Hangul fillers), compatibility forms that
//!    NFKC would change (fullwidth letters, compatibility ideographs), symbols, emoji and Braille.
//! 2. **At least one letter or digit**: no name made only of marks or punctuation.
//! 3. **One script, or a combination people really use**: Latin with Han and kana (Japanese), with
//!    Han and Bopomofo (Chinese), with Han and Hangul (Korean), or with one other script that is not
//!    easily confused with it; a Latin and Cyrillic (or Greek) mix like `аlice` is refused.
//! 4. **Unique and not reserved by what it looks like**: two names are the same if their
//!    *skeletons* (UTS #39's mapping of every character to a representative of the characters it
//!    can be mistaken for) agree, ignoring case. `Alice`, `ALICE` and `AIice` (capital i) are one
//!    name, and none of `管理员`'s or `admin`'s look-alikes may enter.

use unicode_normalization::UnicodeNormalization;
use unicode_security::{GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection};

use super::protocol::ErrorCode;

/// Longest name, in characters (not bytes: `管理员` is three characters).
pub const MAX_NAME_CHARS: usize = 32;

/// Names nobody may take, nor anything that looks like them: they would let a user pose as the
/// administrator or as the server itself.
pub const RESERVED_NAMES: [&str; 5] = ["管理员", "admin", "administrator", "server", "系统"];

/// Why a name is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    /// Whitespace, a control character, or an invisible or format character.
    Invisible,
    /// A character identifiers may not use (a symbol, an emoji, a compatibility form...).
    NotAllowed,
    /// Only marks or punctuation: nothing to read.
    NoLetter,
    /// Scripts that are mixed the way spoofers mix them (Latin with Cyrillic...).
    MixedScripts,
    Reserved,
}

impl NameError {
    pub fn code(self) -> ErrorCode {
        match self {
            NameError::Reserved => ErrorCode::NameReserved,
            _ => ErrorCode::NameInvalid,
        }
    }

    /// English reason, for the `ERR` line.
    pub fn reason(self) -> String {
        match self {
            NameError::Empty => "a name needs at least one character".into(),
            NameError::TooLong => format!("a name has at most {MAX_NAME_CHARS} characters"),
            NameError::Invisible => {
                "a name may not contain spaces, control or invisible characters".into()
            }
            NameError::NotAllowed => {
                "a name is made of letters, digits and _ - . (no symbols, emoji or fullwidth forms)"
                    .into()
            }
            NameError::NoLetter => "a name needs at least one letter or digit".into(),
            NameError::MixedScripts => {
                "a name may not mix scripts that look alike (such as Latin and Cyrillic)".into()
            }
            NameError::Reserved => "this name, or one that looks like it, is reserved".into(),
        }
    }
}

/// What two names are compared by: the same person if either key agrees with the other's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameKeys {
    /// The skeleton of the name lowercased: catches case and look-alike letters (`ALICE`, `аlice`).
    pub folded: String,
    /// The name's skeleton, lowercased afterwards: catches capitals that look like other lowercase
    /// letters (`AIice`, whose capital i is drawn like an l).
    pub shaped: String,
}

impl NameKeys {
    pub fn of(name: &str) -> NameKeys {
        let nfkc: String = name.nfkc().collect();
        let lower = nfkc.to_lowercase();
        NameKeys {
            folded: unicode_security::skeleton(&lower).collect(),
            shaped: unicode_security::skeleton(&nfkc)
                .collect::<String>()
                .to_lowercase(),
        }
    }

    /// Whether the two names would be taken for one another.
    pub fn clash(&self, other: &NameKeys) -> bool {
        self.folded == other.folded || self.shaped == other.shaped
    }
}

/// Check a name against the rules (see the module documentation); uniqueness among the members is
/// the server's business, with [`NameKeys`].
pub fn validate_name(name: &str) -> Result<(), NameError> {
    let chars = name.chars().count();
    if chars == 0 {
        return Err(NameError::Empty);
    }
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong);
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
    {
        return Err(NameError::Invisible);
    }
    if !name.chars().all(|c| c.identifier_allowed()) {
        return Err(NameError::NotAllowed);
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err(NameError::NoLetter);
    }
    if matches!(
        name.detect_restriction_level(),
        RestrictionLevel::MinimallyRestrictive | RestrictionLevel::Unrestricted
    ) {
        return Err(NameError::MixedScripts);
    }
    let keys = NameKeys::of(name);
    if RESERVED_NAMES
        .iter()
        .any(|reserved| NameKeys::of(reserved).clash(&keys))
    {
        return Err(NameError::Reserved);
    }
    Ok(())
}

/// Default_Ignorable and format characters: drawn as nothing, or changing how what follows is
/// drawn. (Most are also refused by rule 1; these are named so the reason says "invisible".)
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2028}' | '\u{2029}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}' | '\u{2800}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names people really have: accepted.
    #[test]
    fn real_names_in_every_script_enter() {
        for name in [
            "alice",
            "Bob",
            "小明",
            "王小红",
            "bob_2",
            "li-lei",
            "j.doe",
            "Zoë",
            "José",
            "Дмитрий",
            "Σωκράτης",
            "さくら",
            "김철수",
            "小明abc",
            "b2",
        ] {
            assert_eq!(validate_name(name), Ok(()), "{name}");
        }
    }

    /// The look-alikes of the issue, and more: at least 40, each refused (invalid or reserved).
    #[test]
    fn look_alikes_of_the_administrator_are_refused() {
        let look_alikes = [
            // Invisible characters inside or around.
            "Admin\u{2060}",
            "Ad\u{00AD}min",
            "管理员\u{2060}",
            "\u{200B}admin",
            "adm\u{200D}in",
            "admin\u{FE0F}",
            "admin\u{E0041}",
            "\u{2066}admin\u{2069}",
            "ad\u{034F}min",
            "admin\u{180E}",
            "管\u{200C}理员",
            // Other scripts' letters.
            "\u{0410}dmin",        // Cyrillic А
            "\u{0391}dmin",        // Greek Α
            "\u{0430}dmin",        // Cyrillic а
            "adm\u{0456}n",        // Cyrillic і
            "\u{0430}dm\u{0456}n", // two Cyrillic
            "s\u{0435}rver",       // Cyrillic е
            "\u{0455}erver",       // Cyrillic ѕ
            // Fullwidth and other compatibility forms.
            "ａｄｍｉｎ",
            "ＡＤＭＩＮ",
            "admın",         // dotless i: skeleton i
            "\u{1D41A}dmin", // mathematical bold a
            "管\u{F9E4}员",  // compatibility ideograph of 理
            "\u{2F8A}理员",  // Kangxi radical? (a compatibility form)
            "㊀admin",
            // Case and shape.
            "ADMIN",
            "Admin",
            "AdMiN",
            "admIn",
            "ADMINISTRATOR",
            "Server",
            "SERVER",
            "系统",
            "管理员",
            // Only marks, blanks, or nothing readable.
            "\u{0301}\u{0301}",
            "\u{3164}",
            "\u{2800}",
            "\u{3164}\u{3164}",
            "---",
            "__",
            "...",
        ];
        assert!(look_alikes.len() >= 40);
        for name in look_alikes {
            assert!(
                validate_name(name).is_err(),
                "{name:?} ({:?}) was accepted",
                name.escape_unicode().to_string()
            );
        }
    }

    #[test]
    fn a_member_and_its_look_alikes_clash() {
        let alice = NameKeys::of("alice");
        for other in ["ALICE", "Alice", "AIice", "aIice"] {
            assert!(alice.clash(&NameKeys::of(other)), "{other}");
        }
        // (Cyrillic and fullwidth forms never get this far: validate_name refuses them.)
        assert!(!alice.clash(&NameKeys::of("alina")));
        assert!(!NameKeys::of("小明").clash(&NameKeys::of("小红")));
    }

    #[test]
    fn reasons_are_specific() {
        assert_eq!(validate_name(""), Err(NameError::Empty));
        assert_eq!(validate_name(&"字".repeat(32)), Ok(()));
        assert_eq!(validate_name(&"字".repeat(33)), Err(NameError::TooLong));
        assert_eq!(validate_name("a b"), Err(NameError::Invisible));
        assert_eq!(validate_name("a\tb"), Err(NameError::Invisible));
        assert_eq!(validate_name("a\u{1b}[31m"), Err(NameError::Invisible));
        assert_eq!(validate_name("a\u{202e}b"), Err(NameError::Invisible));
        assert_eq!(validate_name("a\u{2060}b"), Err(NameError::Invisible));
        assert_eq!(validate_name("ａｌｉｃｅ"), Err(NameError::NotAllowed));
        assert_eq!(validate_name("alice\u{1F600}"), Err(NameError::NotAllowed));
        assert_eq!(validate_name("--"), Err(NameError::NoLetter));
        assert_eq!(validate_name("\u{0430}lice"), Err(NameError::MixedScripts));
        assert_eq!(validate_name("Admin"), Err(NameError::Reserved));
        assert_eq!(validate_name("管理员"), Err(NameError::Reserved));
    }
}
