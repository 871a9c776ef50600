//! Messages of the inspection commands: `ps`, `ps-tree`, `stat-codes`.

#[allow(unused_imports)]
use super::Lang;
