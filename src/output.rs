//! How results reach the screen: tables, JSON and colour.
//!
//! Decisions made here and nowhere else:
//! - colour only when stdout is a terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`;
//! - tables are drawn with comfy-table; on a terminal they have borders and fit its width; in a pipe
//!   they look like `ps` output (no borders, no colour, whole lines, no trailing blanks) so `grep`,
//!   `awk` and `sort` work on them;
//! - JSON is pretty-printed, one document per command (or one object per line where a command
//!   streams observations);
//! - writes go through `io::Write` so a closed pipe (`toolkit ps | head`) ends the command quietly
//!   instead of panicking (see [`crate::error::is_broken_pipe`]).

use std::io::{self, IsTerminal, Write};

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// Columns `s` takes on a terminal: CJK and full-width characters take two, combining marks none
/// (Unicode's East Asian Width, via `unicode-width`), and colour escapes (`ESC [ ... letter`) none.
/// The one width function of the crate: tables, trees, bars and lessons all line up with it.
pub fn display_width(s: &str) -> usize {
    if !s.contains('\x1b') {
        return s.width();
    }
    let mut width = 0;
    let mut rest = s;
    while let Some(at) = rest.find('\x1b') {
        width += rest[..at].width();
        rest = &rest[at + 1..];
        // A CSI sequence: `[`, parameters, then one final byte in '@'..='~'.
        if let Some(after) = rest.strip_prefix('[') {
            match after.find(|c: char| ('@'..='~').contains(&c)) {
                Some(end) => rest = &after[end + 1..],
                None => rest = "",
            }
        }
    }
    width + rest.width()
}

/// `s` followed by spaces up to `width` columns (by [`display_width`]; `format!("{:<w$}")` counts
/// characters, which misaligns Chinese text).
pub fn pad_to(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(s));
    let mut out = String::with_capacity(s.len() + pad);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Whether to colour output written to stdout.
pub fn color_enabled() -> bool {
    color_allowed(
        io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// The pure rule behind [`color_enabled`] (<https://no-color.org>: any non-empty value disables).
pub fn color_allowed(
    is_tty: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    is_tty && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

/// ANSI styles used by the toolkit, applied only when colour is on.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    pub fn for_stdout() -> Self {
        Paint {
            enabled: color_enabled(),
        }
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// Reverse video, as pstree uses for highlighting.
    pub fn highlight(self, text: &str) -> String {
        self.wrap("7", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }

    pub fn italic(self, text: &str) -> String {
        self.wrap("3", text)
    }

    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    pub fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    /// `text` in the colour of `name`: one of [`NAME_COLOURS`], picked by a hash of the name that
    /// is the same in every process and every run, so everybody sees alice in one colour.
    pub fn by_name(self, name: &str, text: &str) -> String {
        self.wrap(NAME_COLOURS[name_colour_index(name)], text)
    }
}

/// The colours names are shown in (SGR codes): green, yellow, blue, magenta, cyan, bright red.
/// Not bold: bold is the administrator's.
pub const NAME_COLOURS: [&str; 6] = ["32", "33", "34", "35", "36", "91"];

/// Which of [`NAME_COLOURS`] `name` gets: FNV-1a over its bytes (std's hasher is seeded per
/// process, which would give alice a different colour in every client).
pub fn name_colour_index(name: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    (hash % NAME_COLOURS.len() as u32) as usize
}

/// A table with the toolkit's look, with `headers` as its header row.
pub fn table<I, S>(headers: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut table = Table::new();
    let on_tty = io::stdout().is_terminal();
    if on_tty {
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table
            .load_style(NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
    }
    if !color_enabled() {
        table.force_no_tty();
    }
    table.set_header(headers);
    table
}

/// Write a table, line by line, without trailing blanks.
pub fn write_table(out: &mut impl Write, table: &Table) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Write `value` as pretty JSON followed by a newline, streamed through a 64 KiB buffer (a
/// listing of 2,000 processes is never held whole in memory, nor written a line per `write`).
///
/// A write error keeps its own kind (a closed pipe stays `BrokenPipe` and ends the command
/// quietly).
pub fn write_json<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut buffered, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    })?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// Write `value` as one line of JSON (for streams of observations).
pub fn write_json_line<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut bytes = serde_json::to_vec(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}

/// Write a picture (`--svg FILE`) to `path`, with an error that names the file.
pub fn write_picture(
    path: &std::path::Path,
    text: &str,
    lang: crate::i18n::Lang,
) -> anyhow::Result<()> {
    std::fs::write(path, text).map_err(|e| {
        let path = path.display().to_string();
        crate::error::Failure::new(
            1,
            crate::i18n::picture::cannot_write(lang, &path, &e.to_string()),
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_width_counts_cjk_as_two_and_escapes_as_nothing() {
        assert_eq!(display_width("ps"), 2);
        assert_eq!(display_width("进程 ps"), 7);
        assert_eq!(display_width("ｐｓ"), 4);
        assert_eq!(display_width("\x1b[7mabc\x1b[0m"), 3);
        assert_eq!(display_width("\x1b[1;32m进程\x1b[0m"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(pad_to("进程", 6), "进程  ");
        assert_eq!(pad_to("abc", 2), "abc");
    }
    use std::ffi::OsStr;

    #[test]
    fn colour_needs_a_tty_and_no_no_color() {
        assert!(color_allowed(true, None, Some(OsStr::new("xterm"))));
        assert!(!color_allowed(false, None, Some(OsStr::new("xterm"))));
        assert!(!color_allowed(true, Some(OsStr::new("1")), None));
        assert!(color_allowed(true, Some(OsStr::new("")), None));
        assert!(!color_allowed(true, None, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn a_name_keeps_its_colour_and_names_spread_over_the_colours() {
        assert_eq!(name_colour_index("alice"), name_colour_index("alice"));
        let used: std::collections::HashSet<usize> = [
            "alice", "bob", "carol", "小明", "dave", "eve", "小红", "mallory",
        ]
        .iter()
        .map(|n| name_colour_index(n))
        .collect();
        assert!(used.len() >= 3, "{used:?}");
        let p = Paint { enabled: true };
        assert!(p.by_name("bob", "bob").starts_with("\x1b["));
        assert_eq!(Paint { enabled: false }.by_name("bob", "bob"), "bob");
    }

    #[test]
    fn paint_is_plain_when_disabled() {
        let p = Paint { enabled: false };
        assert_eq!(p.bold("x"), "x");
        let p = Paint { enabled: true };
        assert_eq!(p.bold("x"), "\x1b[1mx\x1b[0m");
    }
}
