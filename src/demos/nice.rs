//! `toolkit nice` and `toolkit renice`: priorities.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

pub fn run(_args: crate::cli::NiceArgs, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}

pub fn renice(_args: crate::cli::ReniceArgs, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
