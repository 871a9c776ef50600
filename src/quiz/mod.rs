//! PREDICT, THEN VERIFY: `toolkit quiz`. The student answers first; then the toolkit makes the
//! processes for real, reads what the kernel did, and marks each answer with its reason.
//!
//! - [`fork`]: `quiz fork`, a random fork program ([`program`]), what it must do worked out by
//!   the [`model`] (counts, and which output orders are possible), and its real run ([`run`]).
//! - [`states`]: `quiz states`, a scenario from the lessons; the student predicts the `STAT`
//!   string, the toolkit creates exactly that process and reads its STAT from /proc.

pub mod fork;
pub mod model;
pub mod program;
pub mod run;
pub mod states;
