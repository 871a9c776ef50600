//! `toolkit ps`: a `ps aux`-like listing with STAT decoded.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub pids: Vec<i32>,
    pub no_kernel: bool,
    pub tree: bool,
    pub explain: bool,
    pub json: bool,
}

pub fn run(_opts: &Options, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
