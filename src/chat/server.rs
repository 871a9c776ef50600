//! The chat server.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

pub fn run(_args: crate::cli::ChatServerArgs, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
