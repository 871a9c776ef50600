//! Pictures for slides: the process tree as SVG or Graphviz DOT, and a child's states as an SVG
//! timeline. Pure: plain data in, text out; no `/proc`, no files, no printing. The commands that
//! own the data (`ps-tree`, `fork-demo --tree`, `states`, `quiz fork`) turn it into these shapes
//! and write the text where the user asked.
//!
//! Why hand-written SVG rather than a drawing crate: the pictures are boxes, lines and text, and
//! the one hard part is text width. Labels may be Chinese, so boxes are sized with the crate's one
//! width function ([`crate::output::display_width`], East Asian Width) in a monospace font, where
//! a CJK character takes exactly two columns. Every piece of text goes through [`xml_text`], so a
//! process named `<a&b>` cannot break the document.
//!
//! - [`tree`]: one box per process (PID, PPID, command, STAT or what it printed), an edge from each
//!   parent to each child, and an optional highlighted path from the root down to one process;
//! - [`timeline`]: one coloured band per observed state (R S D T t Z), with the 3- and 5-state
//!   names under it and a tick per sample.

pub mod timeline;
pub mod tree;

/// The font every picture uses: monospace, so that width is columns times [`COLUMN_PX`]; the CJK
/// fallbacks have double-width glyphs that match `display_width`'s two columns.
pub const FONT_FAMILY: &str =
    "DejaVu Sans Mono, Noto Sans Mono CJK SC, Noto Sans CJK SC, WenQuanYi Zen Hei Mono, monospace";
/// Text size in pixels: large enough to read when projected.
pub const FONT_PX: f64 = 15.0;
/// Width of one terminal column at [`FONT_PX`] (monospace glyphs are about 0.6 em wide).
pub const COLUMN_PX: f64 = FONT_PX * 0.62;

/// The width in pixels of `text` drawn in [`FONT_FAMILY`] at `font_px`.
pub fn text_px(text: &str, font_px: f64) -> f64 {
    crate::output::display_width(text) as f64 * font_px * 0.62
}

/// `text` made safe as XML character data or an attribute value: the five special characters
/// escaped, and characters XML 1.0 forbids (most control characters) replaced by U+FFFD.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The opening of every picture: the `<svg>` element sized `width` x `height`, a title for
/// screen readers and file browsers, and a white background (slides are not always white).
fn svg_open(out: &mut String, width: f64, height: f64, title: &str) {
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\" font-size=\"{FONT_PX}\">\n",
        w = width.ceil(),
        h = height.ceil(),
    ));
    out.push_str(&format!("<title>{}</title>\n", xml_text(title)));
    out.push_str("<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    out.push_str(&format!(
        "<text class=\"heading\" x=\"16\" y=\"28\" font-size=\"{}\" font-weight=\"bold\">{}</text>\n",
        FONT_PX + 3.0,
        xml_text(title)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            xml_text("<a&b> \"x\" 'y'"),
            "&lt;a&amp;b&gt; &quot;x&quot; &apos;y&apos;"
        );
        assert_eq!(xml_text("a\u{1}b"), "a\u{fffd}b");
        assert_eq!(xml_text("进程"), "进程");
    }

    #[test]
    fn chinese_text_is_twice_as_wide() {
        assert_eq!(text_px("进程", 10.0), 2.0 * text_px("ab", 10.0));
    }
}
