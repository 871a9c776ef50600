//! `toolkit`: Linux processes, shown on the live machine.
//!
//! The program exists to teach. Every command makes one idea of an operating-systems course visible:
//! a process tree read from `/proc`, a real `fork()`, a child driven through its states, a priority
//! race, and a complete multi-process chatroom.
//!
//! # Layout
//! The folder layout is the table of contents of the course:
//!
//! - [`cli`]: clap definitions only. `main.rs` parses, picks the language and dispatches.
//! - [`i18n`]: every user-facing sentence, in Chinese and English.
//! - [`output`]: tables, JSON, colour decisions (TTY, `NO_COLOR`), broken pipes.
//! - [`error`]: the one error type that carries an exit code to the edge.
//! - [`proc`]: the one model of `/proc` (the pure parts: [`proc::stat`] decodes STAT, [`proc::tree`]
//!   builds the parent/child tree). Nothing else in the crate reads `/proc`.
//! - [`inspect`]: commands that only look (`ps`, `ps-tree`, `stat-codes`).
//! - [`demos`]: commands that make processes and show what happens (`fork-demo`, `states`,
//!   `parallel`, `pcb`, `nice`/`renice`); [`child`] is the one place children are forked,
//!   tracked and reaped, also on Ctrl-C.
//! - [`chat`]: the chatroom (protocol, server, admin console, client) and its load generator
//!   ([`chat::bench`]).
//! - [`lines`]: cutting byte streams into bounded lines; one framer for the chat (server, client,
//!   load generator) and the demos' pipes.
//! - [`lessons`]: the course text, embedded in the binary.
//!
//! Rules the code keeps: `fork()` happens only while the process is single-threaded (never after a
//! tokio runtime has started); every child is reaped on every path; `/proc` is parsed in [`proc`] only.

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
pub mod proc;
