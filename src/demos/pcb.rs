//! `toolkit pcb`: the process control block as Linux exposes it.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

pub fn run(_args: crate::cli::PcbArgs, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
