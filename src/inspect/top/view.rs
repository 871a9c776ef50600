//! Drawing one frame on the terminal (ratatui).
//!
//! From top to bottom: the header (uptime and load, the Tasks line in top's words and in the
//! course's, one bar per CPU, memory), a status line (sort column, filters, or the prompt being
//! answered), the process table, and the transitions pane. Nothing here reads `/proc` or changes
//! state: a frame and the view's settings go in, cells come out, so the screen can be drawn again
//! at any time (after a key, after a resize) without sampling again.

use ratatui::Frame as Surface;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::frame::{Frame, header_lines};
use super::keys::Ui;
use super::rows::{self, Column, Row};
use super::transitions::{Kind, Log};
use crate::i18n::{Lang, top as msg};

/// Below this, the screen cannot show its parts: a message is drawn instead.
pub const MIN_WIDTH: u16 = 70;
pub const MIN_HEIGHT: u16 = 18;

/// How the screen may look.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Colours allowed (`NO_COLOR` unset, `TERM` not dumb). Without them, emphasis is bold, dim
    /// and reverse video only.
    pub color: bool,
}

impl Look {
    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }
}

/// The rows as the view shows them, each with its depth in the forest view (0 otherwise):
/// filtered, then sorted or laid out as a forest; the processes that exited since the previous
/// refresh are kept, dimmed, where they were. References only: a frame may hold 2,000 rows, and
/// only the few that fit on the screen are turned into cells.
pub fn ordered_rows<'a>(frame: &'a Frame, ui: &Ui) -> Vec<(&'a Row, usize)> {
    let mut rows: Vec<&Row> = frame
        .rows
        .iter()
        .chain(&frame.exited)
        .filter(|r| ui.filter.keeps(r))
        .collect();
    if ui.forest {
        rows::forest(&rows, ui.sort)
    } else {
        rows.sort_by(|a, b| rows::compare(ui.sort, a, b));
        rows.into_iter().map(|r| (r, 0)).collect()
    }
}

/// Draw everything.
pub fn draw(surface: &mut Surface, frame: &Frame, ui: &Ui, log: &Log, lang: Lang, look: Look) {
    let area = surface.area();
    let header = header_lines(frame, lang);
    let cpus = &frame.system.cpu_percent;
    let columns = match cpus.len() {
        0..=4 => 1,
        5..=16 => 2,
        _ => 4,
    };
    let cpu_lines = cpus.len().div_ceil(columns) as u16;
    let header_height = header.len() as u16 + cpu_lines;
    let pane_height = (area.height / 4).clamp(5, 12);
    let needed_height = header_height + 1 + 4 + pane_height;
    if area.width < MIN_WIDTH || area.height < needed_height.max(MIN_HEIGHT) {
        let text = msg::too_small(
            lang,
            area.width,
            area.height,
            MIN_WIDTH,
            needed_height.max(MIN_HEIGHT),
        );
        surface.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [head, cpu_area, status, table, pane] = Layout::vertical([
        Constraint::Length(header.len() as u16),
        Constraint::Length(cpu_lines),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(pane_height),
    ])
    .areas(area);

    let head_lines: Vec<Line> = header.into_iter().map(Line::from).collect();
    put_lines(surface, head, &head_lines);
    draw_cpus(surface, cpu_area, cpus, columns, look);
    draw_status(surface, status, ui, lang);
    let rows = ordered_rows(frame, ui);
    draw_table(surface, table, &rows, ui.sort, look);
    draw_transitions(surface, pane, frame.sample_ms, log, lang, look);
    if ui.help {
        draw_help(surface, area, lang);
    }
}

fn draw_cpus(surface: &mut Surface, area: Rect, cpus: &[f32], columns: usize, look: Look) {
    let cell_width = (area.width as usize / columns).max(20);
    // "CPU12 [" + bar + "] 100.0%"
    let bar_width = cell_width.saturating_sub(17).max(4);
    let mut lines = Vec::new();
    for chunk in cpus.chunks(columns).enumerate() {
        let (line_no, chunk) = chunk;
        let mut spans = Vec::new();
        for (i, percent) in chunk.iter().enumerate() {
            let cpu = line_no * columns + i;
            let p = f64::from(*percent).clamp(0.0, 100.0);
            let filled = ((p / 100.0) * bar_width as f64).round() as usize;
            spans.push(Span::raw(format!("CPU{cpu:<3}[")));
            spans.push(Span::styled("|".repeat(filled), look.fg(Color::Green)));
            spans.push(Span::raw(" ".repeat(bar_width - filled)));
            spans.push(Span::raw(format!("] {p:5.1}%  ")));
        }
        lines.push(Line::from(spans));
    }
    put_lines(surface, area, &lines);
}

fn draw_status(surface: &mut Surface, area: Rect, ui: &Ui, lang: Lang) {
    let text = ui
        .prompt_line(lang)
        .or_else(|| ui.message.clone())
        .unwrap_or_else(|| {
            msg::status_line(
                lang,
                ui.sort.title(),
                ui.filter.user.as_deref(),
                ui.filter.name.as_deref(),
                ui.forest,
                ui.paused,
            )
        });
    let reversed = Style::default().add_modifier(Modifier::REVERSED);
    surface.buffer_mut().set_style(area, reversed);
    put_lines(surface, area, &[Line::styled(text, reversed)]);
}

fn draw_table(surface: &mut Surface, area: Rect, rows: &[(&Row, usize)], sort: Column, look: Look) {
    // The header, with the sort column in reverse video.
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut header = Vec::new();
    for (i, &c) in Column::ALL.iter().enumerate() {
        if i > 0 {
            header.push(Span::styled(" ", bold));
        }
        let style = if c == sort {
            bold.add_modifier(Modifier::REVERSED)
        } else {
            bold
        };
        header.push(Span::styled(c.align(c.title()), style));
    }
    let mut lines = vec![Line::from(header)];
    // One line per row that fits (a frame may hold 2,000), formatted as batch mode does.
    let visible = area.height.saturating_sub(1) as usize;
    lines.extend(rows.iter().take(visible).map(|&(row, depth)| {
        let style = if row.exited {
            look.fg(Color::DarkGray).add_modifier(Modifier::DIM)
        } else if row.new {
            look.fg(Color::Green).add_modifier(Modifier::BOLD)
        } else if matches!(row.state, 'R' | 'D' | 'T' | 't' | 'Z') && look.color {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        Line::styled(row.line(depth), style)
    }));
    put_lines(surface, area, &lines);
}

fn draw_transitions(
    surface: &mut Surface,
    area: Rect,
    sample_ms: u64,
    log: &Log,
    lang: Lang,
    look: Look,
) {
    let block = Block::bordered().title(msg::transitions_title(lang, sample_ms));
    let inner = block.inner(area).height as usize;
    let lines: Vec<Line> = if log.is_empty() {
        vec![Line::from(msg::no_transitions(lang))]
    } else {
        log.iter()
            .take(inner)
            .map(|t| {
                let style = match &t.kind {
                    Kind::Born { .. } => look.fg(Color::Green),
                    Kind::Died { .. } => Style::default().add_modifier(Modifier::DIM),
                    Kind::Changed { to: 'Z', .. } => look.fg(Color::Magenta),
                    Kind::Changed { to: 'T' | 't', .. } => look.fg(Color::Yellow),
                    Kind::Changed { .. } => Style::default(),
                };
                Line::styled(t.describe(lang), style)
            })
            .collect()
    };
    let inside = block.inner(area);
    surface.render_widget(block, area);
    put_lines(surface, inside, &lines);
}

/// Lines written straight into the screen's buffer, cut at the area's edges. (A `Paragraph`
/// would do the same after restyling every cell of its area and reflowing each line: work a
/// screen redrawn every second does not need.) Plain ASCII, most of what top shows, goes in one
/// cell per byte; anything else through ratatui's grapheme-aware `set_line`.
fn put_lines(surface: &mut Surface, area: Rect, lines: &[Line]) {
    let buffer = surface.buffer_mut();
    for (y, line) in (area.y..area.bottom()).zip(lines) {
        if !line.spans.iter().all(|s| s.content.is_ascii()) {
            buffer.set_line(area.x, y, line, area.width);
            continue;
        }
        let mut x = area.x;
        for span in &line.spans {
            let style = line.style.patch(span.style);
            for byte in span.content.bytes() {
                if x >= area.right() {
                    break;
                }
                buffer[(x, y)].set_char(char::from(byte)).set_style(style);
                x += 1;
            }
        }
    }
}

fn draw_help(surface: &mut Surface, area: Rect, lang: Lang) {
    let lines = msg::help_lines(lang);
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = area.width.saturating_sub(4).min(110);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    surface.render_widget(Clear, popup);
    let text: Vec<Line> = lines.into_iter().map(Line::from).collect();
    surface.render_widget(
        Paragraph::new(text).block(Block::bordered().title(msg::help_title(lang))),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use super::super::counts::Counts;
    use super::super::sample::SystemFigures;
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn frame() -> Frame {
        let row = |pid: i32, ppid: i32, command: &str, cpu: f64| Row {
            pid,
            ppid,
            user: "root".to_string(),
            uid: Some(0),
            priority: 29,
            nice: 9,
            stat: "RN".to_string(),
            state: 'R',
            cpu_percent: cpu,
            mem_percent: 0.1,
            rss_kib: 1234,
            cpu_ticks: 250,
            time: "0:02.50".to_string(),
            command: command.to_string(),
            threads: 1,
            new: false,
            exited: false,
        };
        Frame {
            time: "10:02:03".to_string(),
            threads: false,
            system: SystemFigures {
                cpu_percent: vec![99.0, 3.0],
                mem_total_kib: 2048 * 1024,
                ..SystemFigures::default()
            },
            tasks: Counts::of_letters("RS".chars()),
            rows: vec![row(4242, 1, "burner", 99.5), row(4243, 4242, "child", 0.5)],
            exited: vec![],
            transitions: vec![],
            sample_ms: 1000,
        }
    }

    fn screen(width: u16, height: u16, ui: &Ui) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let log = Log::new(10);
        terminal
            .draw(|s| draw(s, &frame(), ui, &log, Lang::En, Look { color: false }))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_screen_shows_header_rows_and_the_pane() {
        let text = screen(120, 30, &Ui::default());
        assert!(
            text.contains("Tasks: 2 total,   1 running")
                || text.contains("Tasks: 2 total, 1 running"),
            "{text}"
        );
        assert!(text.contains("3-state model"), "{text}");
        assert!(text.contains("CPU0"), "{text}");
        assert!(text.contains("4242 root      29   9 RN     99.5"), "{text}");
        assert!(text.contains("State transitions"), "{text}");
    }

    #[test]
    fn a_small_terminal_gets_a_message_not_a_panic() {
        let text = screen(40, 10, &Ui::default());
        assert!(text.contains("too small"), "{text}");
        // Even a single cell.
        screen(1, 1, &Ui::default());
    }

    #[test]
    fn forest_and_help_draw() {
        let ui = Ui {
            forest: true,
            help: true,
            ..Ui::default()
        };
        let text = screen(120, 30, &ui);
        assert!(text.contains("Irix mode"), "{text}");
        let ui = Ui {
            forest: true,
            ..Ui::default()
        };
        assert!(screen(120, 30, &ui).contains("`- child"));
    }
}
