//! Commands that make processes and show what happens to them.
//!
//! Every demo forks only while the toolkit is single-threaded, and reaps every child it creates on
//! every path, including errors and Ctrl-C.

pub mod fork_demo;
pub mod nice;
pub mod parallel;
pub mod pcb;
pub mod show;
pub mod states;
pub mod threads;
