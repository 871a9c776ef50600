//! Commands that only look at processes: `ps`, `ps-tree`, `stat-codes`, and `top`, the live view.

pub mod ps;
pub mod ps_columns;
pub mod ps_tree;
pub mod stat_codes;
pub mod top;
