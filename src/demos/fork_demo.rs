//! `toolkit fork-demo`: a real fork(), shown step by step.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

pub fn run(_args: crate::cli::ForkDemoArgs, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
