//! The Tasks line, twice: in top's words and in the course's.
//!
//! top folds the kernel's letters into four words: *running* (`R`), *sleeping* (`S`, `D` and the
//! idle kernel threads' `I`), *stopped* (`T`, `t`) and *zombie* (`Z`). The course asks for more:
//! every letter counted on its own, and where the processes sit in the 3-state and 5-state models
//! ([`crate::proc::stat::StateCode`] decides that, here we only count).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::proc::ProcessTable;
use crate::proc::stat::StateCode;

/// The letters always shown, even at 0, in this order.
pub const LETTERS: [char; 7] = ['R', 'S', 'D', 'T', 't', 'Z', 'I'];

/// How many processes are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub running: usize,
    pub sleeping: usize,
    pub stopped: usize,
    pub zombie: usize,
    /// Per STAT letter: every letter of [`LETTERS`], and any other letter that was seen.
    pub letters: BTreeMap<char, usize>,
    /// Per 3-state model state (by its `--json` name).
    pub three_state: BTreeMap<&'static str, usize>,
    /// Per 5-state model state.
    pub five_state: BTreeMap<&'static str, usize>,
}

impl Counts {
    /// Count the states of `letters`. Tallied in a plain array first (this runs over every
    /// process at every refresh), then named.
    pub fn of_letters(letters: impl IntoIterator<Item = char>) -> Counts {
        let mut tally = [0usize; 128];
        let mut total = 0;
        for letter in letters {
            total += 1;
            if letter.is_ascii() {
                tally[letter as usize] += 1;
            }
        }
        let n = |l: char| tally[l as usize];
        let mut c = Counts {
            total,
            running: n('R'),
            sleeping: n('S') + n('D') + n('I'),
            stopped: n('T') + n('t'),
            zombie: n('Z'),
            letters: LETTERS.iter().map(|&l| (l, n(l))).collect(),
            ..Counts::default()
        };
        for (byte, &count) in tally.iter().enumerate() {
            let letter = char::from(byte as u8);
            if count == 0 {
                continue;
            }
            c.letters.insert(letter, count);
            if let Some(code) = StateCode::from_letter(letter) {
                *c.three_state.entry(code.three_state().id()).or_default() += count;
                *c.five_state.entry(code.five_state().id()).or_default() += count;
            }
        }
        c
    }

    pub fn of_table(table: &ProcessTable) -> Counts {
        Counts::of_letters(table.iter().map(|p| p.state))
    }

    /// top's five numbers: total, running, sleeping, stopped, zombie.
    pub fn top_numbers(&self) -> [usize; 5] {
        [
            self.total,
            self.running,
            self.sleeping,
            self.stopped,
            self.zombie,
        ]
    }

    /// The letters in display order: [`LETTERS`] first, then the rare ones seen (`X`, `W`...).
    pub fn letters_in_order(&self) -> Vec<(char, usize)> {
        let mut out: Vec<(char, usize)> = LETTERS
            .iter()
            .map(|l| (*l, self.letters.get(l).copied().unwrap_or(0)))
            .collect();
        out.extend(
            self.letters
                .iter()
                .filter(|(l, _)| !LETTERS.contains(l))
                .map(|(l, n)| (*l, *n)),
        );
        out
    }

    /// A model's counts in the course's order.
    pub fn in_order(
        counts: &BTreeMap<&'static str, usize>,
        order: &[&'static str],
    ) -> Vec<(&'static str, usize)> {
        order
            .iter()
            .filter_map(|id| counts.get(id).map(|n| (*id, *n)))
            .collect()
    }
}

/// The 3-state model's states in the order the course draws them.
pub const THREE_STATE_ORDER: [&str; 5] =
    ["ready", "running", "ready_or_running", "waiting", "outside"];
/// The 5-state model's states in the order the course draws them.
pub const FIVE_STATE_ORDER: [&str; 7] = [
    "new",
    "ready",
    "running",
    "ready_or_running",
    "waiting",
    "terminated",
    "outside",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_tops_words_and_the_courses() {
        let c = Counts::of_letters("RSSDTtZIIS".chars());
        assert_eq!(c.top_numbers(), [10, 1, 6, 2, 1]);
        assert_eq!(c.letters[&'S'], 3);
        assert_eq!(c.letters[&'I'], 2);
        assert_eq!(c.three_state["waiting"], 6);
        assert_eq!(
            c.three_state["outside"], 3,
            "T, t and Z are outside the 3 states"
        );
        assert_eq!(c.five_state["terminated"], 1);
        assert_eq!(c.five_state["outside"], 2);
        assert_eq!(c.five_state["ready_or_running"], 1);
    }

    #[test]
    fn every_letter_is_shown_even_at_zero_and_rare_ones_when_seen() {
        let c = Counts::of_letters("SX".chars());
        let shown: Vec<char> = c.letters_in_order().iter().map(|(l, _)| *l).collect();
        assert_eq!(shown, ['R', 'S', 'D', 'T', 't', 'Z', 'I', 'X']);
        assert_eq!(c.top_numbers(), [2, 0, 1, 0, 0], "X is only in the total");
        let five = Counts::in_order(&c.five_state, &FIVE_STATE_ORDER);
        assert_eq!(five, [("waiting", 1), ("terminated", 1)]);
    }
}
