//! `toolkit`: Linux processes, shown on the live machine.
//!
//! The program exists to teach. Every command makes one idea of an operating-systems course visible:
//! a process tree read from `/proc`, a real `fork()`, a child driven through its states, a priority
//! race, and a complete multi-process chatroom.
//!
//! # Layout
//! The folder layout is the table of contents of the course. `main.rs` is the edge: it parses the
//! command line (clap, defined in [`cli`]), picks the language, turns the flags into each module's
//! plain `Options`, and maps every error to an exit code. No other module sees clap.
//!
//! - [`proc`]: READING processes. The only code that opens `/proc`; its pure parts are
//!   [`proc::stat`] (STAT decoded) and [`proc::tree`] (parents and children).
//! - [`child`]: MAKING processes. The only `fork()` and `clone()`, reaping, parent-death signals,
//!   Ctrl-C, report pipes; used by the demos and the chat alike.
//! - [`inspect`]: commands that only look (`ps`, `ps-tree`, `stat-codes`, and `top`, the live
//!   view with its log of state transitions).
//! - [`demos`]: commands that make processes and show what happens (`fork-demo`, `states`,
//!   `parallel`, `pcb`, `nice`/`renice`); [`demos::show`] is their shared narrator.
//! - [`chat`]: the homework and only the homework: protocol, server, fan-out, admin channel,
//!   client, its terminal (line editor, one drawing process), and the web page with its
//!   WebSocket (`chat server --web`).
//! - [`quiz`]: predict, then verify: `quiz fork` (a random fork program, its model, its real run)
//!   and `quiz states` (predict a STAT string, then read it from /proc).
//! - [`bench`](mod@bench): `toolkit chat bench`, the load generator that measures chat servers.
//! - [`lessons`]: the course text, embedded in the binary, and its presentation.
//! - [`i18n`] (every sentence, zh and en), [`output`] (tables, JSON, colour, display width),
//!   [`error`] (errors that carry an exit code), [`lines`] (bounded line framing).
//!
//! # Concept -> file
//! | concept | where |
//! |---|---|
//! | where `fork()` happens | `src/child/mod.rs` · [`child::fork_child`] |
//! | a `vfork`-style child, the parent in `D` | `src/child/vfork.rs` · [`child::vfork::vfork_and_wait`] |
//! | reaping, zombies, orphans and subreapers | `src/child/mod.rs` · [`child::Child`], [`child::ReapAllOnDrop`] |
//! | dying with the parent | `src/child/mod.rs` · [`child::die_with_parent`] |
//! | where STAT is decoded | `src/proc/stat.rs` · [`proc::stat::decode_stat`] |
//! | which fork outputs are possible | `src/quiz/model.rs` · [`quiz::model::Model::check`] |
//! | a predicted STAT checked on a real process | `src/quiz/states.rs` · [`quiz::states::Scenario`] |
//! | the 3- and 5-state models | `src/proc/stat.rs` · [`proc::stat::ThreeState`], [`proc::stat::FiveState`] |
//! | the PCB as Linux exposes it | `src/proc/pcb.rs`, `src/demos/pcb.rs` |
//! | parents and children (pstree) | `src/proc/tree.rs`, `src/inspect/ps_tree.rs` |
//! | nice, weights and PR | `src/demos/nice/weights.rs` |
//! | %CPU from two samples | `src/inspect/top/sample.rs` · [`inspect::top::sample::cpu_percent`] |
//! | state transitions seen live | `src/inspect/top/transitions.rs` · [`inspect::top::transitions::detect`] |
//! | broadcast to everyone | `src/chat/fanout.rs` · [`chat::fanout::Fanout`] |
//! | the admin channel | `src/chat/admin.rs` · [`chat::admin::spawn`], [`chat::admin::pump`] |
//! | the client's two processes | `src/chat/client.rs` · [`chat::client::run`] |
//! | two processes, one terminal (one draws, one hands it lines) | `src/chat/terminal.rs` · [`chat::terminal::Console`] |
//! | the line being typed (keys, graphemes, history) | `src/chat/editor.rs` · [`chat::editor::LineEditor`] |
//! | the wire protocol | `src/chat/protocol.rs`, `docs/chat-protocol.md` |
//! | a browser joins the room | `src/chat/web/mod.rs` · [`chat::web::origin_allowed`], [`chat::wire`] |
//!
//! Rules the code keeps: `fork()` happens only while the process is single-threaded (never after a
//! tokio runtime has started); every child is reaped on every path; `/proc` is parsed in [`proc`]
//! only; `i18n` imports no domain type.

pub mod bench;
pub mod chat;
pub mod child;
pub mod cli;
pub mod demos;
pub mod error;
pub mod i18n;
pub mod inspect;
pub mod lessons;
pub mod lines;
pub mod output;
pub mod picture;
pub mod proc;
pub mod quiz;
