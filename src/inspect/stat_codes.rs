//! `toolkit stat-codes` (and `toolkit ps --explain`): what every STAT letter means.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

pub fn run(_json: bool, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
