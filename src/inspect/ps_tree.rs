//! `toolkit ps-tree`: the process tree, drawn like pstree.

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

/// What to draw.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: Option<i32>,
    pub show_pids: bool,
    pub arguments: bool,
    pub uid_changes: bool,
    pub compact: bool,
    pub ascii: bool,
    pub highlight: Option<i32>,
    pub show_parents: bool,
    pub stat: bool,
    pub no_kernel: bool,
    pub json: bool,
}

pub fn run(_opts: &Options, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}

/// The tree below `root`, drawn as text (what `toolkit ps-tree -p ROOT` prints), from a fresh scan
/// of /proc. Demos use this to show the processes they made while those are still alive.
pub fn render_text(root: i32, opts: &Options, lang: Lang) -> anyhow::Result<String> {
    let _ = (root, opts);
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
