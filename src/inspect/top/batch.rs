//! Batch mode (`-b`): frames as text, like `top -b`, or as JSON lines (`--json`), for scripts,
//! tests and slides. Also what happens when stdout is not a terminal.
//!
//! A text frame is the header, one line per CPU, the rows sorted by %CPU (every process, as
//! `top -b` prints them), and the transitions seen since the previous frame. A JSON frame is one
//! object per line with the same content ([`Frame`] serialized), so `jq` can follow a run.

use std::io::{self, Write};

use super::frame::{Frame, header_lines};
use super::rows::{Column, Row, RowLine, compare};
use crate::i18n::Lang;
use crate::output;

/// Width of a CPU bar in batch frames.
const BAR: usize = 30;

/// One text frame.
pub fn write_text(out: &mut impl Write, frame: &Frame, lang: Lang) -> io::Result<()> {
    for line in header_lines(frame, lang) {
        writeln!(out, "{line}")?;
    }
    for (cpu, percent) in frame.system.cpu_percent.iter().enumerate() {
        writeln!(out, "{}", cpu_line(cpu, f64::from(*percent), BAR))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", Row::header_line())?;
    let mut rows: Vec<&Row> = frame.rows.iter().collect();
    rows.sort_by(|a, b| compare(Column::Cpu, a, b));
    for row in rows {
        writeln!(out, "{}", RowLine { row, depth: 0 })?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        crate::i18n::top::transitions_heading(lang, frame.sample_ms, frame.transitions.len())
    )?;
    // Newest first, as on the screen.
    for t in frame.transitions.iter().rev() {
        writeln!(out, "{}", t.describe(lang))?;
    }
    writeln!(out)
}

/// One JSON frame, on one line.
pub fn write_json(out: &mut impl Write, frame: &Frame) -> io::Result<()> {
    output::write_json_line(out, frame)
}

/// `%Cpu0   12.3% [####..........]`: the share of one CPU that was busy since the last refresh.
pub fn cpu_line(cpu: usize, percent: f64, width: usize) -> String {
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    format!(
        "%Cpu{cpu:<3} {percent:5.1}% [{}{}]",
        "#".repeat(filled),
        ".".repeat(width - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_row_lines_up_with_the_header() {
        let row = Row {
            pid: 4242,
            ppid: 1,
            user: "alice".to_string(),
            uid: Some(1000),
            priority: 29,
            nice: 9,
            stat: "RN".to_string(),
            state: 'R',
            cpu_percent: 99.44,
            mem_percent: 0.06,
            rss_kib: 1234,
            cpu_ticks: 250,
            time: "0:02.50".to_string(),
            command: "burner".to_string(),
            threads: 1,
            new: false,
            exited: false,
        };
        let by_columns: Vec<String> = Column::ALL.iter().map(|c| c.align(&c.cell(&row))).collect();
        assert_eq!(row.line(0), by_columns.join(" "));
        assert_eq!(
            Row::header_line().find("PID").unwrap() + 3,
            row.line(0).find("4242").unwrap() + 4
        );
        assert!(row.line(2).ends_with("   `- burner"));
    }

    #[test]
    fn cpu_bars_scale_and_clamp() {
        assert_eq!(cpu_line(0, 50.0, 4), "%Cpu0    50.0% [##..]");
        assert_eq!(cpu_line(1, 150.0, 2), "%Cpu1   150.0% [##]");
    }
}
