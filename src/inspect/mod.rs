//! Commands that only look at processes: `ps`, `ps-tree`, `stat-codes`.

pub mod ps;
pub mod ps_tree;
pub mod stat_codes;
