//! Messages of the `lessons` commands.

#[allow(unused_imports)]
use super::Lang;
