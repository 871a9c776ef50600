//! Messages of the `demos` commands.

#[allow(unused_imports)]
use super::Lang;
