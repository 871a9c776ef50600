//! Messages of the `nice` commands.

#[allow(unused_imports)]
use super::Lang;
