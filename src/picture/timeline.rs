//! A child's states over time, the picture a teacher draws on the board: one coloured band per
//! observed state, left to right in the order they were seen, the step that caused it written
//! under the band and, under that, where the letter sits in the 3- and 5-state models.
//!
//! Each band carries a small tick per sample taken (coloured by the letter that sample read), so
//! a state caught only after a few tries (a signal is delivered asynchronously) is visible too.
//! In the SVG a band is `<g class="band" data-state="R" data-step="running">`.

use super::{FONT_PX, svg_open, text_px, xml_text};

/// One observed state.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// The letter read from /proc (`-` once the process is gone).
    pub state: char,
    /// The step's identifier (`running`, `stopped`...), kept in the SVG for scripts.
    pub step: String,
    /// The step's name as the reader sees it.
    pub step_name: String,
    /// Every letter read while sampling, in order.
    pub samples: String,
    pub three_state: String,
    pub five_state: String,
}

/// What to draw: a heading, the names of the four rows, the bands.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub title: String,
    /// Row headings: the letter, the step, the 3-state model, the 5-state model.
    pub rows: [String; 4],
    pub bands: Vec<Band>,
}

const MARGIN: f64 = 16.0;
const TOP: f64 = 48.0;
const BAND_H: f64 = 64.0;
const LINE_PX: f64 = FONT_PX + 8.0;
const GAP: f64 = 4.0;

/// The colour of a state letter: running green, sleeping blue, D violet, stopped orange,
/// zombie red, gone grey.
pub fn state_colour(state: char) -> &'static str {
    match state {
        'R' => "#2f9e44",
        'S' => "#1971c2",
        'D' => "#7048e8",
        'T' => "#f08c00",
        't' => "#e8590c",
        'Z' => "#c92a2a",
        'I' => "#66a80f",
        _ => "#adb5bd",
    }
}

/// The timeline as a standalone SVG document.
pub fn timeline_svg(timeline: &Timeline) -> String {
    let texts = timeline
        .bands
        .iter()
        .flat_map(|b| [&b.step_name, &b.three_state, &b.five_state]);
    let band_w = texts.map(|t| text_px(t, FONT_PX)).fold(72.0, f64::max) + 14.0;
    let head_w = timeline
        .rows
        .iter()
        .map(|t| text_px(t, FONT_PX))
        .fold(0.0, f64::max)
        + 18.0;
    let n = timeline.bands.len();
    let width = (MARGIN * 2.0 + head_w + n as f64 * (band_w + GAP))
        .max(text_px(&timeline.title, FONT_PX + 3.0) + 2.0 * MARGIN);
    let height = TOP + BAND_H + 3.0 * LINE_PX + MARGIN + 8.0;
    let mut out = String::new();
    svg_open(&mut out, width, height, &timeline.title);
    let row_y = [
        TOP + BAND_H / 2.0 + 5.0,
        TOP + BAND_H + LINE_PX,
        TOP + BAND_H + 2.0 * LINE_PX,
        TOP + BAND_H + 3.0 * LINE_PX,
    ];
    for (heading, y) in timeline.rows.iter().zip(row_y) {
        out.push_str(&format!(
            "<text class=\"row-heading\" x=\"{MARGIN}\" y=\"{y:.1}\" fill=\"#495057\">{}</text>\n",
            xml_text(heading)
        ));
    }
    for (i, band) in timeline.bands.iter().enumerate() {
        let x = MARGIN + head_w + i as f64 * (band_w + GAP);
        let colour = state_colour(band.state);
        out.push_str(&format!(
            "<g class=\"band\" data-state=\"{}\" data-step=\"{}\">\n",
            xml_text(&band.state.to_string()),
            xml_text(&band.step)
        ));
        out.push_str(&format!(
            "  <rect x=\"{x:.1}\" y=\"{TOP}\" width=\"{band_w:.1}\" height=\"{BAND_H}\" rx=\"4\" fill=\"{colour}\"/>\n"
        ));
        out.push_str(&format!(
            "  <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#ffffff\" text-anchor=\"middle\">{}</text>\n",
            x + band_w / 2.0,
            TOP + BAND_H / 2.0 + 9.0,
            FONT_PX * 1.8,
            xml_text(&band.state.to_string())
        ));
        // One tick per sample, in the colour of the letter that sample read.
        let count = band.samples.chars().count().max(1);
        let tick_w = ((band_w - 8.0) / count as f64).min(12.0);
        for (j, letter) in band.samples.chars().enumerate() {
            out.push_str(&format!(
                "  <rect class=\"sample\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n",
                x + 4.0 + j as f64 * tick_w,
                TOP + BAND_H - 10.0,
                tick_w,
                state_colour(letter)
            ));
        }
        for (text, y) in [&band.step_name, &band.three_state, &band.five_state]
            .iter()
            .zip(&row_y[1..])
        {
            out.push_str(&format!(
                "  <text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">{}</text>\n",
                x + band_w / 2.0,
                xml_text(text)
            ));
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(state: char, step: &str) -> Band {
        Band {
            state,
            step: step.into(),
            step_name: format!("{step} 步骤"),
            samples: format!("R{state}"),
            three_state: "等待态".into(),
            five_state: "waiting".into(),
        }
    }

    #[test]
    fn one_band_per_state_in_order() {
        let timeline = Timeline {
            title: "states".into(),
            rows: ["STAT".into(), "step".into(), "3".into(), "5".into()],
            bands: vec![
                band('R', "running"),
                band('T', "stopped"),
                band('Z', "zombie"),
            ],
        };
        let svg = timeline_svg(&timeline);
        let states: Vec<&str> = svg
            .match_indices("data-state=\"")
            .map(|(at, m)| &svg[at + m.len()..at + m.len() + 1])
            .collect();
        assert_eq!(states, ["R", "T", "Z"]);
        assert_eq!(svg.matches("class=\"sample\"").count(), 6);
        assert!(svg.contains(state_colour('T')));
    }
}
