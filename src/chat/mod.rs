//! The chatroom of the course's homework, as real software.

pub mod bench;
pub mod client;
pub mod server;
