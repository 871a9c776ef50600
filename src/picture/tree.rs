//! A process tree as a picture: one box per process, an edge from each parent to each child.
//!
//! Laid out left to right like `pstree` (the root on the left, a generation per column), so a
//! tree of 64 processes from `fork()` in a loop is tall rather than impossibly wide. Leaves take
//! one row each in depth-first order; a parent sits level with the middle of its children.
//! Children are in PID order, the order in which they were forked.
//!
//! In the SVG each process is a `<g class="process" data-pid=.. data-ppid=..>` and each edge a
//! `<path class="edge" data-from=.. data-to=..>`, so the tests (and a teacher's script) can read
//! the tree back out of the picture.

use std::collections::{BTreeMap, HashSet};

use super::{FONT_PX, svg_open, text_px, xml_text};

/// One process: its PID, its parent's, and the lines of its box (the first is its heading).
#[derive(Debug, Clone, PartialEq)]
pub struct TreeBox {
    pub pid: i32,
    pub ppid: i32,
    pub lines: Vec<String>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct TreePicture {
    pub title: String,
    pub boxes: Vec<TreeBox>,
    /// Highlight this process and the path from its root down to it.
    pub highlight: Option<i32>,
}

/// Gap between two columns (generations), and between two rows.
const COLUMN_GAP: f64 = 56.0;
const ROW_GAP: f64 = 14.0;
const LINE_PX: f64 = FONT_PX + 5.0;
const PAD: f64 = 9.0;
const MARGIN: f64 = 16.0;
/// Room for the heading above the tree.
const TOP: f64 = 46.0;
const HIGHLIGHT: &str = "#d9480f";

/// The shape both outputs share: roots, children in PID order, the highlighted set.
struct Shape<'a> {
    by_pid: BTreeMap<i32, &'a TreeBox>,
    children: BTreeMap<i32, Vec<i32>>,
    roots: Vec<i32>,
    lit: HashSet<i32>,
}

impl<'a> Shape<'a> {
    fn of(picture: &'a TreePicture) -> Shape<'a> {
        let by_pid: BTreeMap<i32, &TreeBox> = picture.boxes.iter().map(|b| (b.pid, b)).collect();
        let mut children: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        let mut roots = Vec::new();
        for b in by_pid.values() {
            if b.ppid != b.pid && by_pid.contains_key(&b.ppid) {
                children.entry(b.ppid).or_default().push(b.pid);
            } else {
                roots.push(b.pid);
            }
        }
        let mut lit = HashSet::new();
        let mut at = picture.highlight.filter(|p| by_pid.contains_key(p));
        while let Some(pid) = at {
            if !lit.insert(pid) {
                break;
            }
            at = by_pid
                .get(&pid)
                .map(|b| b.ppid)
                .filter(|p| by_pid.contains_key(p));
        }
        Shape {
            by_pid,
            children,
            roots,
            lit,
        }
    }

    fn kids(&self, pid: i32) -> &[i32] {
        self.children.get(&pid).map_or(&[], Vec::as_slice)
    }

    /// Whether the edge parent -> child lies on the highlighted path.
    fn lit_edge(&self, from: i32, to: i32) -> bool {
        self.lit.contains(&from) && self.lit.contains(&to)
    }
}

/// The tree as a standalone SVG document.
pub fn tree_svg(picture: &TreePicture) -> String {
    let shape = Shape::of(picture);
    let lines = picture
        .boxes
        .iter()
        .map(|b| b.lines.len())
        .max()
        .unwrap_or(1);
    let widest = picture
        .boxes
        .iter()
        .flat_map(|b| b.lines.iter())
        .map(|l| text_px(l, FONT_PX))
        .fold(60.0, f64::max);
    let box_w = widest + 2.0 * PAD;
    let box_h = lines as f64 * LINE_PX + PAD;
    // Depth-first: each leaf takes the next row, each parent the middle of its children.
    let mut place: BTreeMap<i32, (usize, f64)> = BTreeMap::new();
    let mut next_row = 0usize;
    let mut seen = HashSet::new();
    for &root in &shape.roots {
        lay_out(&shape, root, 0, &mut next_row, &mut place, &mut seen);
    }
    let depth = place.values().map(|&(d, _)| d).max().unwrap_or(0);
    let heading_w = text_px(&picture.title, FONT_PX + 3.0) + 2.0 * MARGIN;
    let width =
        (MARGIN * 2.0 + (depth + 1) as f64 * box_w + depth as f64 * COLUMN_GAP).max(heading_w);
    let height = TOP + next_row.max(1) as f64 * (box_h + ROW_GAP) + MARGIN;
    let x_of = |d: usize| MARGIN + d as f64 * (box_w + COLUMN_GAP);
    let y_of = |row: f64| TOP + row * (box_h + ROW_GAP);

    let mut out = String::new();
    svg_open(&mut out, width, height, &picture.title);
    // Edges first, so boxes are drawn over their ends.
    for (&parent, kids) in &shape.children {
        let Some(&(d, row)) = place.get(&parent) else {
            continue;
        };
        let x1 = x_of(d) + box_w;
        let y1 = y_of(row) + box_h / 2.0;
        for &kid in kids {
            let Some(&(dk, rk)) = place.get(&kid) else {
                continue;
            };
            let x2 = x_of(dk);
            let y2 = y_of(rk) + box_h / 2.0;
            let xm = x1 + COLUMN_GAP / 2.0;
            let lit = shape.lit_edge(parent, kid);
            out.push_str(&format!(
                "<path class=\"edge{}\" data-from=\"{parent}\" data-to=\"{kid}\" \
                 d=\"M {x1:.1} {y1:.1} H {xm:.1} V {y2:.1} H {x2:.1}\" fill=\"none\" \
                 stroke=\"{}\" stroke-width=\"{}\"/>\n",
                if lit { " highlight" } else { "" },
                if lit { HIGHLIGHT } else { "#495057" },
                if lit { 3 } else { 1 },
            ));
        }
    }
    for (&pid, &(d, row)) in &place {
        let b = shape.by_pid[&pid];
        let lit = shape.lit.contains(&pid);
        let (x, y) = (x_of(d), y_of(row));
        out.push_str(&format!(
            "<g class=\"process{}\" data-pid=\"{pid}\" data-ppid=\"{}\">\n",
            if lit { " highlight" } else { "" },
            b.ppid
        ));
        out.push_str(&format!(
            "  <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{box_w:.1}\" height=\"{box_h:.1}\" rx=\"6\" \
             fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
            if lit { "#fff4e6" } else { "#f1f3f5" },
            if lit { HIGHLIGHT } else { "#343a40" },
            if lit { 3 } else { 1 },
        ));
        for (i, line) in b.lines.iter().enumerate() {
            out.push_str(&format!(
                "  <text x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>\n",
                x + PAD,
                y + PAD + FONT_PX + i as f64 * LINE_PX - 2.0,
                if i == 0 { " font-weight=\"bold\"" } else { "" },
                xml_text(line)
            ));
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// Give `pid` and its subtree their columns and rows. A PID met twice (a corrupt snapshot) is
/// drawn once.
fn lay_out(
    shape: &Shape,
    pid: i32,
    depth: usize,
    next_row: &mut usize,
    place: &mut BTreeMap<i32, (usize, f64)>,
    seen: &mut HashSet<i32>,
) -> f64 {
    if !seen.insert(pid) {
        return *next_row as f64;
    }
    let kids: Vec<i32> = shape
        .kids(pid)
        .iter()
        .copied()
        .filter(|k| !seen.contains(k))
        .collect();
    let row = if kids.is_empty() {
        *next_row += 1;
        (*next_row - 1) as f64
    } else {
        let rows: Vec<f64> = kids
            .iter()
            .map(|&k| lay_out(shape, k, depth + 1, next_row, place, seen))
            .collect();
        (rows[0] + rows[rows.len() - 1]) / 2.0
    };
    place.insert(pid, (depth, row));
    row
}

/// The tree in Graphviz's DOT language (`toolkit ps-tree --dot | dot -Tpng > tree.png`): one node
/// `pPID` per process, one edge per parent and child, the highlighted path in colour.
pub fn tree_dot(picture: &TreePicture) -> String {
    let shape = Shape::of(picture);
    let mut out = String::from("digraph processes {\n");
    out.push_str(&format!(
        "  label={};\n  labelloc=t;\n",
        dot_string(&picture.title)
    ));
    out.push_str("  rankdir=LR;\n");
    out.push_str(&format!(
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f1f3f5\", fontname={}];\n",
        dot_string("Noto Sans Mono CJK SC")
    ));
    for (&pid, b) in &shape.by_pid {
        let label = b.lines.join("\n");
        let extra = if shape.lit.contains(&pid) {
            format!(", color=\"{HIGHLIGHT}\", fillcolor=\"#fff4e6\", penwidth=3")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  p{pid} [label={}{extra}];\n",
            dot_string(&label)
        ));
    }
    for (&parent, kids) in &shape.children {
        for &kid in kids {
            let extra = if shape.lit_edge(parent, kid) {
                format!(" [color=\"{HIGHLIGHT}\", penwidth=3]")
            } else {
                String::new()
            };
            out.push_str(&format!("  p{parent} -> p{kid}{extra};\n"));
        }
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string: quotes and backslashes escaped, a newline as DOT's `\n` (centred line).
fn dot_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(pid: i32, ppid: i32, name: &str) -> TreeBox {
        TreeBox {
            pid,
            ppid,
            lines: vec![format!("{name} ({pid})"), format!("PPID {ppid}")],
        }
    }

    /// 1 ─┬─ 10 ─── 100
    ///    └─ 11
    fn sample() -> TreePicture {
        TreePicture {
            title: "tree".into(),
            boxes: vec![
                boxed(1, 0, "init"),
                boxed(11, 1, "sh"),
                boxed(10, 1, "<b&d>"),
                boxed(100, 10, "进程"),
            ],
            highlight: Some(100),
        }
    }

    #[test]
    fn svg_has_one_group_per_process_and_one_path_per_edge() {
        let svg = tree_svg(&sample());
        assert_eq!(svg.matches("<g class=\"process").count(), 4);
        assert_eq!(svg.matches("<path class=\"edge").count(), 3);
        assert!(svg.contains("data-from=\"10\" data-to=\"100\""));
        assert!(svg.contains("&lt;b&amp;d&gt; (10)"));
        // The highlighted path: 1 -> 10 -> 100, not 11.
        assert_eq!(svg.matches("class=\"process highlight\"").count(), 3);
        assert_eq!(svg.matches("class=\"edge highlight\"").count(), 2);
    }

    #[test]
    fn dot_has_nodes_edges_and_escapes() {
        let mut picture = sample();
        picture.boxes[0].lines[0] = "say \"hi\" \\".into();
        let dot = tree_dot(&picture);
        assert!(dot.contains("p1 -> p10 [color"));
        assert!(dot.contains("p1 -> p11;"));
        assert!(dot.contains("p10 -> p100 [color"));
        assert!(dot.contains(r#"label="say \"hi\" \\\nPPID 0""#), "{dot}");
    }

    #[test]
    fn a_parent_missing_from_the_picture_makes_a_root() {
        let picture = TreePicture {
            title: String::new(),
            boxes: vec![boxed(5, 4, "a"), boxed(6, 5, "b"), boxed(7, 99, "c")],
            highlight: None,
        };
        let shape = Shape::of(&picture);
        assert_eq!(shape.roots, [5, 7]);
        assert_eq!(shape.kids(5), [6]);
    }
}
