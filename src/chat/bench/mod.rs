//! `toolkit chat bench`: a load generator for chat servers (ours, or IRC servers).
//!
//! The accounting is in [`stats`] (pure); the network driver lands with the chat protocol.

pub mod stats;

use crate::error::{CmdResult, Failure};
use crate::i18n::Lang;

pub fn run(_args: crate::cli::ChatBenchArgs, lang: Lang) -> CmdResult {
    Err(Failure::new(1, lang.pick("尚未实现", "not implemented yet")).into())
}
