//! Messages of the `chat` commands.

#[allow(unused_imports)]
use super::Lang;
