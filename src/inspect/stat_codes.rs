//! `toolkit stat-codes` (and `toolkit ps --explain`): what every STAT letter and modifier means.
//!
//! The course teaches two paper models (3 states, 5 states) and then shows `ps`, whose letters do
//! not map one to one: `R` is both ready and running, `T` sits outside both models, `Z` is the
//! 5-state model's "terminated". This table puts the letters and the models side by side, and says
//! where the notes are loose.

use std::io::{self, Write};

use serde::Serialize;

use crate::error::CmdResult;
use crate::i18n::Lang;
use crate::i18n::inspect as msg;
use crate::output;
use crate::proc::stat::{FiveState, Modifier, StateCode, ThreeState};

#[derive(Debug, Serialize)]
struct LetterRow {
    code: char,
    meaning: &'static str,
    three_state: ThreeState,
    five_state: FiveState,
    correction: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct ModifierRow {
    symbol: char,
    meaning: &'static str,
    correction: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct Explanation {
    letters: Vec<LetterRow>,
    modifiers: Vec<ModifierRow>,
}

fn explanation(lang: Lang) -> Explanation {
    Explanation {
        letters: StateCode::ALL
            .into_iter()
            .map(|code| LetterRow {
                code: code.letter(),
                meaning: msg::state_meaning(lang, code.letter()),
                three_state: code.three_state(),
                five_state: code.five_state(),
                correction: msg::state_correction(lang, code.letter()),
            })
            .collect(),
        modifiers: Modifier::ALL
            .into_iter()
            .map(|m| ModifierRow {
                symbol: m.symbol(),
                meaning: msg::modifier_meaning(lang, m.symbol()),
                correction: msg::modifier_correction(lang, m.symbol()),
            })
            .collect(),
    }
}

pub fn run(json: bool, lang: Lang) -> CmdResult {
    let mut out = io::stdout().lock();
    let explanation = explanation(lang);
    if json {
        output::write_json(&mut out, &explanation)?;
        return Ok(0);
    }
    writeln!(out, "{}", msg::stat_codes_title(lang))?;
    let mut letters = output::table(msg::stat_codes_headers(lang));
    for row in &explanation.letters {
        let code = StateCode::from_letter(row.code).expect("rows come from StateCode::ALL");
        letters.add_row(vec![
            row.code.to_string(),
            row.meaning.to_string(),
            msg::three_state_name(lang, code.three_state().id()).to_string(),
            msg::five_state_name(lang, code.five_state().id()).to_string(),
            row.correction.unwrap_or("").to_string(),
        ]);
    }
    output::write_table(&mut out, &letters)?;
    writeln!(out)?;
    writeln!(out, "{}", msg::modifiers_title(lang))?;
    let mut modifiers = output::table(msg::modifiers_headers(lang));
    for row in &explanation.modifiers {
        modifiers.add_row(vec![
            row.symbol.to_string(),
            row.meaning.to_string(),
            row.correction.unwrap_or("").to_string(),
        ]);
    }
    output::write_table(&mut out, &modifiers)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_and_modifier_is_explained_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let e = explanation(lang);
            assert_eq!(e.letters.len(), StateCode::ALL.len());
            assert_eq!(e.modifiers.len(), Modifier::ALL.len());
            assert!(e.letters.iter().all(|r| !r.meaning.is_empty()));
            assert!(e.modifiers.iter().all(|r| !r.meaning.is_empty()));
        }
        // The catalogue is keyed by letters and names: none of ours may fall through to its
        // "unknown" answer.
        for lang in [Lang::Zh, Lang::En] {
            for code in StateCode::ALL {
                assert_ne!(
                    msg::state_meaning(lang, code.letter()),
                    msg::state_meaning(lang, '?')
                );
                assert_ne!(msg::three_state_name(lang, code.three_state().id()), "?");
                assert_ne!(msg::five_state_name(lang, code.five_state().id()), "?");
                let demos = |id| crate::i18n::demos::three_state_name(lang, id);
                assert_ne!(demos(code.three_state().id()), "?");
                assert_ne!(
                    crate::i18n::demos::five_state_name(lang, code.five_state().id()),
                    "?"
                );
            }
            for m in Modifier::ALL {
                assert_ne!(
                    msg::modifier_meaning(lang, m.symbol()),
                    msg::modifier_meaning(lang, '?')
                );
            }
        }
        let en = explanation(Lang::En);
        let l = en.modifiers.iter().find(|m| m.symbol == 'l').unwrap();
        assert!(l.meaning.contains("multi-threaded"));
        let t = en.letters.iter().find(|r| r.code == 'T').unwrap();
        assert!(t.meaning.contains("stopped"));
        assert_eq!(t.three_state, ThreeState::Outside);
    }
}
