//! `toolkit ps-tree`: the parent/child tree, drawn like `pstree`.
//!
//! Three steps, kept apart so the middle one can be tested without a kernel:
//!
//! 1. **scan**: one read of `/proc/PID/stat` per process (plus the owner, `status` or `cmdline` only
//!    when `-u`, `--stat` or `-a` ask for them);
//! 2. **shape** ([`shape`]): pick the root (or the chain of parents with `-s`), drop kernel threads
//!    if asked, sort siblings by name as pstree does, and fold identical sibling subtrees into one
//!    node with a count (`3*[sleep]`) unless `-c` or `-p`;
//! 3. **draw** ([`draw`]): pstree's layout, where the first child continues its parent's line and
//!    the others hang below it (`-a` puts every process on its own line), in Unicode or ASCII.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, common, picture as pt};
use crate::output::{self, Paint};
use crate::picture::tree::{TreeBox, TreePicture, tree_dot, tree_svg};
use crate::proc::{self, Fields, Process, ProcessTable};

/// What to draw.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Root of the tree (default 1); with `show_parents`, the process whose ancestry is shown.
    pub root: Option<i32>,
    pub show_pids: bool,
    pub arguments: bool,
    pub uid_changes: bool,
    /// Fold identical sibling subtrees into `N*[...]`.
    pub compact: bool,
    /// Fold identical threads into `N*[{name}]` (pstree does even with `-a`; not with `-c`, `-p`).
    pub compact_threads: bool,
    /// Show each process's threads as `{name}` children (pstree's default; `-T` hides them).
    pub threads: bool,
    /// Name threads by their own names (`-t`) rather than their process's, as pstree does.
    pub thread_names: bool,
    /// `-n`: children in PID order instead of by name.
    pub numeric_sort: bool,
    /// `-g`: show process group IDs (after the PID with `-p`).
    pub show_pgids: bool,
    /// Truncate lines to this many columns (pstree without `-l`); `None`: never.
    pub width: Option<usize>,
    pub ascii: bool,
    pub highlight: Option<i32>,
    pub show_parents: bool,
    pub stat: bool,
    pub no_kernel: bool,
    pub json: bool,
    /// Also write the tree as an SVG picture to this file.
    pub svg: Option<PathBuf>,
    /// Print the tree in Graphviz's DOT language instead of drawing it as text.
    pub dot: bool,
}

impl Options {
    /// The `/proc` fields these options need beyond `stat`.
    fn fields(&self) -> Fields {
        Fields {
            uid: self.uid_changes,
            // The pictures show STAT, whose `L` needs `status`.
            status: self.stat || self.svg.is_some() || self.dot,
            cmdline: self.arguments,
        }
    }
}

/// One node as drawn: a process (or a thread, `{name}`), or `count` identical sibling subtrees
/// folded together.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub label: String,
    pub count: usize,
    pub highlighted: bool,
    pub children: Vec<Node>,
    pub thread: bool,
}

/// The nested JSON form: `{"pid","ppid","comm","state","nice","children":[...]}`.
#[derive(Debug, Serialize)]
pub struct JsonNode {
    pub pid: i32,
    pub ppid: i32,
    pub comm: String,
    pub state: char,
    pub nice: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<Vec<String>>,
    pub children: Vec<JsonNode>,
    /// The process's other threads (not the main one, whose TID is the PID).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<JsonThread>,
}

/// One thread of a process, in the JSON form.
#[derive(Debug, Serialize)]
pub struct JsonThread {
    pub tid: i32,
    pub comm: String,
    pub state: char,
}

pub fn run(opts: &Options, lang: Lang) -> CmdResult {
    // Only lists, never forks: the scan may use every core.
    let table = ProcessTable::scan_parallel(opts.fields()).map_err(|e| {
        Failure::new(
            1,
            format!("{}: {e}", common::proc_unreadable(lang, "/proc")),
        )
    })?;
    let mut out = io::stdout().lock();
    if opts.svg.is_some() || opts.dot {
        // Where am I: the toolkit's own ancestry, unless -H names another process.
        let lit = opts.highlight.or(Some(std::process::id() as i32));
        let picture = picture(&table, opts, lit, lang).ok_or_else(|| missing(opts, lang))?;
        if let Some(path) = &opts.svg {
            output::write_picture(path, &tree_svg(&picture), lang)?;
        }
        if opts.dot {
            out.write_all(tree_dot(&picture).as_bytes())?;
            return Ok(0);
        }
    }
    if opts.json {
        let root = json_tree(&table, opts).ok_or_else(|| missing(opts, lang))?;
        output::write_json(&mut out, &root)?;
        return Ok(0);
    }
    let paint = Paint::for_stdout();
    let highlight = match opts.highlight {
        Some(pid) => Some(pid),
        // pstree highlights nothing by default; on a terminal we show "where am I" for free.
        None if paint.enabled && io::stdout().is_terminal() => Some(std::process::id() as i32),
        None => None,
    };
    let root = shape(&table, opts, highlight).ok_or_else(|| missing(opts, lang))?;
    for line in draw(&root, opts, paint) {
        match opts.width {
            Some(width) => writeln!(out, "{}", truncate(&line, width))?,
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(0)
}

/// A line cut to `width` columns as pstree cuts it: the last column that fits becomes `+`.
/// Colour escapes are kept and do not count, and a cut line ends with a reset.
pub fn truncate(line: &str, width: usize) -> String {
    if width == 0 || output::display_width(line) <= width {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut used = 0;
    let mut chars = line.chars().peekable();
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            escaped = true;
            out.push(c);
            if chars.peek() == Some(&'[') {
                for e in chars.by_ref() {
                    out.push(e);
                    if ('@'..='~').contains(&e) && e != '[' {
                        break;
                    }
                }
            }
            continue;
        }
        let w = output::display_width(c.encode_utf8(&mut [0; 4]));
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('+');
    if escaped {
        out.push_str("\x1b[0m");
    }
    out
}

/// The tree below `root`, drawn as text (what `toolkit ps-tree ROOT` prints with these options),
/// from a fresh scan of /proc, never coloured. Demos use this to show the processes they made.
pub fn render_text(root: i32, opts: &Options, lang: Lang) -> anyhow::Result<String> {
    let opts = Options {
        root: Some(root),
        ..opts.clone()
    };
    let table = ProcessTable::scan(opts.fields())?;
    let node = shape(&table, &opts, None).ok_or_else(|| missing(&opts, lang))?;
    let mut text = draw(&node, &opts, Paint { enabled: false }).join("\n");
    text.push('\n');
    Ok(text)
}

/// The processes these options show (the root's subtree, kernel threads dropped if asked, the
/// ancestors with `-s`) as a picture, one box per process: `comm (PID)`, then PPID and STAT.
/// Threads are not drawn. `None` when the root does not exist.
pub fn picture(
    table: &ProcessTable,
    opts: &Options,
    highlight: Option<i32>,
    lang: Lang,
) -> Option<TreePicture> {
    let root = root_pid(table, opts)?;
    let tree = table.tree();
    let mut pids = Vec::new();
    let mut stack = vec![root];
    let mut seen = HashSet::new();
    while let Some(pid) = stack.pop() {
        if !seen.insert(pid) || seen.len() > MAX_DEPTH * 16 {
            continue;
        }
        pids.push(pid);
        stack.extend(
            sorted_children(table, &tree, pid, opts)
                .iter()
                .map(|p| p.pid),
        );
    }
    if opts.show_parents {
        pids.extend(tree.ancestors(root));
    }
    let boxes: Vec<TreeBox> = pids
        .iter()
        .filter_map(|&pid| table.get(pid))
        .map(|p| TreeBox {
            pid: p.pid,
            ppid: p.ppid,
            lines: vec![
                pt::process_heading(&p.comm, p.pid),
                pt::process_detail(lang, p.ppid, &p.stat_string()),
            ],
        })
        .collect();
    Some(TreePicture {
        title: pt::tree_title(lang, root, boxes.len()),
        boxes,
        highlight,
    })
}

/// The tree below `root` as a picture, from a fresh scan of /proc (for the demos' `--svg`).
pub fn render_picture(
    root: i32,
    highlight: Option<i32>,
    lang: Lang,
) -> anyhow::Result<TreePicture> {
    let opts = Options {
        root: Some(root),
        numeric_sort: true,
        svg: Some(PathBuf::new()),
        ..Options::default()
    };
    let table = ProcessTable::scan(opts.fields())?;
    picture(&table, &opts, highlight, lang).ok_or_else(|| missing(&opts, lang))
}

fn missing(opts: &Options, lang: Lang) -> anyhow::Error {
    Failure::new(1, common::no_such_process(lang, opts.root.unwrap_or(1))).into()
}

/// The root the options ask for, if it exists in the snapshot.
fn root_pid(table: &ProcessTable, opts: &Options) -> Option<i32> {
    let pid = opts.root.unwrap_or(1);
    table.get(pid).map(|p| p.pid)
}

/// Whether `p` is shown at all under these options.
fn visible(p: &Process, opts: &Options) -> bool {
    !(opts.no_kernel && p.is_kernel_thread())
}

/// The children of `pid` to show, sorted as pstree sorts them: by name, then PID.
fn sorted_children<'a>(
    table: &'a ProcessTable,
    tree: &crate::proc::tree::Tree,
    pid: i32,
    opts: &Options,
) -> Vec<&'a Process> {
    let mut kids: Vec<&Process> = tree
        .children(pid)
        .iter()
        .filter_map(|&c| table.get(c))
        .filter(|p| visible(p, opts))
        .collect();
    if opts.numeric_sort {
        kids.sort_by_key(|p| p.pid);
    } else {
        kids.sort_by(|a, b| a.comm.cmp(&b.comm).then(a.pid.cmp(&b.pid)));
    }
    kids
}

/// The text of one process: `comm`, then `(pid,user)` / `[STAT NI]` / arguments as asked.
fn label(p: &Process, parent: Option<&Process>, opts: &Options) -> String {
    let mut extras = Vec::new();
    if opts.show_pids {
        extras.push(p.pid.to_string());
    }
    if opts.show_pgids {
        extras.push(p.pgrp.to_string());
    }
    if opts.uid_changes
        && let (Some(uid), Some(parent_uid)) = (p.uid, parent.and_then(|q| q.uid))
        && uid != parent_uid
    {
        extras.push(proc::user_name(uid));
    }
    let mut text = p.comm.clone();
    if opts.arguments {
        // pstree -a: `name,pid,user args`.
        for extra in &extras {
            text.push(',');
            text.push_str(extra);
        }
        if let Some(args) = &p.cmdline
            && args.len() > 1
        {
            text.push(' ');
            text.push_str(&printable(&args[1..].join(" ")));
        }
    } else if !extras.is_empty() {
        text.push('(');
        text.push_str(&extras.join(","));
        text.push(')');
    }
    if opts.stat {
        text.push_str(&format!("[{} {}]", p.stat_string(), p.nice));
    }
    text
}

/// A command line as pstree prints it: control characters as `\ooo` (a newline is `\012`).
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c as u32) < 0x20 || c == '\u{7f}' {
            out.push_str(&format!("\\{:03o}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The threads of `p` other than its main thread, as pstree draws them: `{name}` (the process's
/// name, or with `-t` the thread's own), with `(tid)`
/// (or `,tid` with `-a`) when PIDs are shown. Read only for a process whose `stat` says it has
/// more than one thread, so single-threaded ones cost no more than their one read.
fn thread_nodes(p: &Process, opts: &Options) -> Vec<Node> {
    if !opts.threads || p.num_threads <= 1 {
        return Vec::new();
    }
    proc::read_threads(p.pid, Fields::STAT_ONLY)
        .iter()
        .filter(|t| t.pid != p.pid)
        .map(|t| {
            let name = if opts.thread_names { &t.comm } else { &p.comm };
            let mut label = format!("{{{name}}}");
            if opts.show_pids {
                label.push_str(&if opts.arguments {
                    format!(",{}", t.pid)
                } else {
                    format!("({})", t.pid)
                });
            }
            Node {
                label,
                count: 1,
                highlighted: false,
                children: Vec::new(),
                thread: true,
            }
        })
        .collect()
}

/// Build the tree to draw: rooted at the requested process (or, with `-s`, at the top of its
/// chain of ancestors), kernel threads dropped if asked, identical siblings folded if asked.
/// `None` when the root does not exist.
pub fn shape(table: &ProcessTable, opts: &Options, highlight: Option<i32>) -> Option<Node> {
    let root = root_pid(table, opts)?;
    let tree = table.tree();
    let lit: HashSet<i32> = match highlight {
        Some(pid) if tree.contains(pid) => {
            std::iter::once(pid).chain(tree.ancestors(pid)).collect()
        }
        _ => HashSet::new(),
    };
    let subtree = build_node(table, &tree, root, opts, &lit, 0);
    if !opts.show_parents {
        return Some(subtree);
    }
    // -s: wrap the subtree in its ancestors, each showing only the next one down.
    let mut node = subtree;
    for ancestor in tree.ancestors(root) {
        let Some(p) = table.get(ancestor) else { break };
        node = Node {
            label: label(p, table.get(p.ppid), opts),
            count: 1,
            highlighted: lit.contains(&ancestor),
            children: vec![node],
            thread: false,
        };
    }
    Some(node)
}

/// Deeper than any real process tree; stops a corrupt snapshot from recursing without end.
const MAX_DEPTH: usize = 4096;

fn build_node(
    table: &ProcessTable,
    tree: &crate::proc::tree::Tree,
    pid: i32,
    opts: &Options,
    lit: &HashSet<i32>,
    depth: usize,
) -> Node {
    let p = table
        .get(pid)
        .expect("build_node is called for PIDs in the table");
    let children = if depth >= MAX_DEPTH {
        Vec::new()
    } else {
        let processes = sorted_children(table, tree, pid, opts)
            .into_iter()
            .map(|c| {
                (
                    c.comm.clone(),
                    c.pid,
                    build_node(table, tree, c.pid, opts, lit, depth + 1),
                )
            });
        let threads = thread_nodes(p, opts)
            .into_iter()
            .map(|t| (t.label.clone(), 0, t));
        // pstree sorts threads among the children by their drawn name (`{` comes after the
        // letters), processes by name then PID, threads in TID order.
        let mut kids: Vec<(String, i32, Node)> = processes.chain(threads).collect();
        kids.sort_by(|a, b| {
            let name = |k: &(String, i32, Node)| {
                if k.2.thread {
                    format!("{{{}", &k.0[1..])
                } else {
                    k.0.clone()
                }
            };
            if opts.numeric_sort {
                // By PID, threads after the processes, as pstree -n lists them.
                a.1.cmp(&b.1)
            } else {
                name(a).cmp(&name(b)).then(a.1.cmp(&b.1))
            }
        });
        let kids: Vec<Node> = kids.into_iter().map(|(_, _, node)| node).collect();
        fold(kids, |n| {
            if n.thread {
                opts.compact_threads
            } else {
                opts.compact
            }
        })
    };
    Node {
        label: label(p, table.get(p.ppid), opts),
        count: 1,
        highlighted: lit.contains(&pid),
        children,
        thread: false,
    }
}

/// Fold identical sibling subtrees (same labels all the way down) into one node with a count, as
/// pstree does: wherever the copies stand among the siblings (two `sh---sleep` with an
/// `sh---2*[sleep]` between them are still `2*[sh---sleep]`), shown where the first one stands.
/// `foldable` says which nodes may fold (threads and processes have their own switches).
pub fn fold(nodes: Vec<Node>, foldable: impl Fn(&Node) -> bool) -> Vec<Node> {
    let mut folded: Vec<Node> = Vec::with_capacity(nodes.len());
    for node in nodes {
        if !foldable(&node) {
            folded.push(node);
            continue;
        }
        let same = |n: &&mut Node| {
            n.label == node.label
                && n.thread == node.thread
                && n.highlighted == node.highlighted
                && n.children == node.children
        };
        match folded.iter_mut().find(same) {
            Some(first) => first.count += node.count,
            None => folded.push(node),
        }
    }
    folded
}

/// Line-drawing characters.
struct Glyphs {
    first_of_many: &'static str,
    only: &'static str,
    middle: &'static str,
    last: &'static str,
    vertical: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    first_of_many: "─┬─",
    only: "───",
    middle: "├─",
    last: "└─",
    vertical: "│",
};

const ASCII: Glyphs = Glyphs {
    first_of_many: "-+-",
    only: "---",
    middle: "|-",
    last: "`-",
    vertical: "|",
};

/// Draw the tree as lines of text.
pub fn draw(root: &Node, opts: &Options, paint: Paint) -> Vec<String> {
    let glyphs = if opts.ascii { &ASCII } else { &UNICODE };
    if opts.arguments {
        draw_one_per_line(root, glyphs, paint)
    } else {
        draw_compact(root, glyphs, paint)
    }
}

/// The text of a node, highlighted if it is on the highlighted ancestry.
fn node_text(node: &Node, paint: Paint) -> String {
    if node.highlighted {
        paint.highlight(&node.label)
    } else {
        node.label.clone()
    }
}

/// Wrap a subtree's lines as `N*[...]` when the node stands for several identical subtrees.
fn with_count(node: &Node, mut lines: Vec<String>) -> Vec<String> {
    if node.count > 1 {
        let prefix = format!("{}*[", node.count);
        let pad = " ".repeat(prefix.len());
        for (i, line) in lines.iter_mut().enumerate() {
            *line = if i == 0 {
                format!("{prefix}{line}")
            } else {
                format!("{pad}{line}")
            };
        }
        // pstree closes the bracket on every line the group spans, not only on its last.
        for line in lines.iter_mut() {
            line.push(']');
        }
    }
    lines
}

/// pstree's default layout: the first child continues the parent's line.
fn draw_compact(node: &Node, g: &Glyphs, paint: Paint) -> Vec<String> {
    let text = node_text(node, paint);
    if node.children.is_empty() {
        return with_count(node, vec![text]);
    }
    let pad = " ".repeat(crate::output::display_width(&text) + 1);
    let n = node.children.len();
    let mut lines = Vec::new();
    for (i, child) in node.children.iter().enumerate() {
        let child_lines = draw_compact(child, g, paint);
        let is_last = i == n - 1;
        for (j, line) in child_lines.into_iter().enumerate() {
            let rendered = match (i, j) {
                (0, 0) => {
                    let joint = if n == 1 { g.only } else { g.first_of_many };
                    format!("{text}{joint}{line}")
                }
                (_, 0) => format!("{pad}{}{line}", if is_last { g.last } else { g.middle }),
                _ => {
                    let bar = if is_last { " " } else { g.vertical };
                    format!("{pad}{bar} {line}")
                }
            };
            lines.push(rendered);
        }
    }
    with_count(node, lines)
}

/// `-a` layout: every process on a line of its own, children indented below.
fn draw_one_per_line(node: &Node, g: &Glyphs, paint: Paint) -> Vec<String> {
    let bar = format!("{} ", g.vertical);
    let mut lines = vec![node_text(node, paint)];
    let n = node.children.len();
    for (i, child) in node.children.iter().enumerate() {
        let is_last = i == n - 1;
        for (j, line) in draw_one_per_line(child, g, paint).into_iter().enumerate() {
            let rendered = if j == 0 {
                format!("  {}{line}", if is_last { g.last } else { g.middle })
            } else {
                format!("  {}{line}", if is_last { "  " } else { bar.as_str() })
            };
            lines.push(rendered);
        }
    }
    with_count(node, lines)
}

/// The nested JSON tree (never folded: every PID appears).
pub fn json_tree(table: &ProcessTable, opts: &Options) -> Option<JsonNode> {
    let root = root_pid(table, opts)?;
    let tree = table.tree();
    let mut node = json_node(table, &tree, root, opts, 0);
    if opts.show_parents {
        for ancestor in tree.ancestors(root) {
            let Some(p) = table.get(ancestor) else { break };
            node = JsonNode {
                children: vec![node],
                ..json_leaf(p, opts)
            };
        }
    }
    Some(node)
}

fn json_leaf(p: &Process, opts: &Options) -> JsonNode {
    JsonNode {
        pid: p.pid,
        ppid: p.ppid,
        comm: p.comm.clone(),
        state: p.state,
        nice: p.nice,
        stat: opts.stat.then(|| p.stat_string()),
        uid: p.uid,
        cmdline: p.cmdline.clone(),
        children: Vec::new(),
        threads: Vec::new(),
    }
}

fn json_node(
    table: &ProcessTable,
    tree: &crate::proc::tree::Tree,
    pid: i32,
    opts: &Options,
    depth: usize,
) -> JsonNode {
    let p = table
        .get(pid)
        .expect("json_node is called for PIDs in the table");
    let mut node = json_leaf(p, opts);
    if opts.threads && p.num_threads > 1 {
        node.threads = proc::read_threads(pid, Fields::STAT_ONLY)
            .into_iter()
            .filter(|t| t.pid != pid)
            .map(|t| JsonThread {
                tid: t.pid,
                comm: t.comm,
                state: t.state,
            })
            .collect();
    }
    if depth < MAX_DEPTH {
        node.children = sorted_children(table, tree, pid, opts)
            .into_iter()
            .map(|c| json_node(table, tree, c.pid, opts, depth + 1))
            .collect();
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proc::parse_stat;

    fn process(pid: i32, ppid: i32, comm: &str) -> Process {
        let line = format!(
            "{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0\n"
        );
        parse_stat(line.as_bytes()).unwrap()
    }

    /// init ─┬─ cron
    ///       ├─ sh ─── sleep
    ///       ├─ sh ─── sleep
    ///       └─ sshd ─┬─ bash
    ///                ├─ sleep
    ///                ├─ sleep
    ///                └─ sleep
    fn sample() -> ProcessTable {
        ProcessTable::from_processes(vec![
            process(1, 0, "init"),
            process(20, 1, "sshd"),
            process(10, 1, "cron"),
            process(30, 1, "sh"),
            process(31, 30, "sleep"),
            process(40, 1, "sh"),
            process(41, 40, "sleep"),
            process(21, 20, "bash"),
            process(22, 20, "sleep"),
            process(23, 20, "sleep"),
            process(24, 20, "sleep"),
        ])
    }

    fn opts() -> Options {
        Options {
            compact: true,
            ..Options::default()
        }
    }

    fn render(table: &ProcessTable, opts: &Options) -> String {
        let node = shape(table, opts, None).unwrap();
        draw(&node, opts, Paint { enabled: false }).join("\n")
    }

    #[test]
    fn identical_siblings_fold_wherever_they_stand() {
        let leaf = |label: &str| Node {
            label: label.into(),
            count: 1,
            highlighted: false,
            children: vec![],
            thread: false,
        };
        let with = |label: &str, children: Vec<Node>| Node {
            children,
            ..leaf(label)
        };
        let folded = fold(
            vec![
                with("sh", vec![leaf("sleep")]),
                with("sh", vec![leaf("cat")]),
                with("sh", vec![leaf("sleep")]),
            ],
            |_| true,
        );
        assert_eq!(folded.len(), 2);
        assert_eq!(
            (folded[0].count, folded[0].children[0].label.as_str()),
            (2, "sleep")
        );
        assert_eq!(
            (folded[1].count, folded[1].children[0].label.as_str()),
            (1, "cat")
        );
    }

    #[test]
    fn draws_like_pstree_with_compaction() {
        let expected = "\
init─┬─cron
     ├─2*[sh───sleep]
     └─sshd─┬─bash
            └─3*[sleep]";
        assert_eq!(render(&sample(), &opts()), expected);
    }

    #[test]
    fn no_compaction_with_c_and_pids_with_p() {
        let o = Options {
            show_pids: true,
            ..Options::default()
        };
        let expected = "\
init(1)─┬─cron(10)
        ├─sh(30)───sleep(31)
        ├─sh(40)───sleep(41)
        └─sshd(20)─┬─bash(21)
                   ├─sleep(22)
                   ├─sleep(23)
                   └─sleep(24)";
        assert_eq!(render(&sample(), &o), expected);
    }

    #[test]
    fn ascii_lines() {
        let o = Options {
            ascii: true,
            root: Some(20),
            ..opts()
        };
        assert_eq!(render(&sample(), &o), "sshd-+-bash\n     `-3*[sleep]");
    }

    #[test]
    fn continuation_bars_reach_later_siblings() {
        let table = ProcessTable::from_processes(vec![
            process(1, 0, "a"),
            process(2, 1, "b"),
            process(3, 2, "c"),
            process(4, 2, "d"),
            process(5, 1, "e"),
        ]);
        let expected = "\
a─┬─b─┬─c
  │   └─d
  └─e";
        assert_eq!(render(&table, &opts()), expected);
    }

    #[test]
    fn show_parents_draws_the_chain_above() {
        let o = Options {
            root: Some(31),
            show_parents: true,
            show_pids: true,
            ..Options::default()
        };
        assert_eq!(render(&sample(), &o), "init(1)───sh(30)───sleep(31)");
    }

    #[test]
    fn one_per_line_with_arguments() {
        let mut procs = vec![
            process(1, 0, "init"),
            process(2, 1, "sleep"),
            process(3, 1, "sleep"),
        ];
        procs[1].cmdline = Some(vec!["sleep".into(), "30".into()]);
        procs[2].cmdline = Some(vec!["sleep".into(), "60".into()]);
        let table = ProcessTable::from_processes(procs);
        let o = Options {
            arguments: true,
            ..opts()
        };
        assert_eq!(render(&table, &o), "init\n  ├─sleep 30\n  └─sleep 60");
    }

    #[test]
    fn uid_transitions_are_shown_where_the_user_changes() {
        let mut procs = vec![
            process(1, 0, "init"),
            process(2, 1, "daemon"),
            process(3, 2, "worker"),
        ];
        procs[0].uid = Some(0);
        // A uid with no name in the password database prints as its number.
        procs[1].uid = Some(54_321);
        procs[2].uid = Some(54_321);
        let table = ProcessTable::from_processes(procs);
        let o = Options {
            uid_changes: true,
            show_pids: true,
            ..Options::default()
        };
        assert_eq!(render(&table, &o), "init(1)───daemon(2,54321)───worker(3)");
    }

    #[test]
    fn missing_root_is_none() {
        let o = Options {
            root: Some(999),
            ..opts()
        };
        assert!(shape(&sample(), &o, None).is_none());
        assert!(json_tree(&sample(), &o).is_none());
    }

    #[test]
    fn kernel_threads_can_be_hidden() {
        let table = ProcessTable::from_processes(vec![
            process(1, 0, "init"),
            process(2, 1, "kthreadd"),
            process(3, 2, "kworker"),
            process(4, 1, "sh"),
        ]);
        let o = Options {
            no_kernel: true,
            ..opts()
        };
        assert_eq!(render(&table, &o), "init───sh");
    }

    #[test]
    fn highlight_marks_the_ancestry_only() {
        let node = shape(&sample(), &opts(), Some(31)).unwrap();
        assert!(node.highlighted);
        let sh: Vec<&Node> = node.children.iter().filter(|n| n.label == "sh").collect();
        // The highlighted sh is no longer identical to its sibling, so they are not folded.
        assert_eq!(sh.len(), 2);
        assert_eq!(sh.iter().filter(|n| n.highlighted).count(), 1);
        let painted = draw(&node, &opts(), Paint { enabled: true }).join("\n");
        assert!(painted.contains("\x1b[7msh\x1b[0m"));
    }

    #[test]
    fn json_nests_every_pid() {
        let root = json_tree(&sample(), &opts()).unwrap();
        assert_eq!(root.pid, 1);
        let sshd = root.children.iter().find(|c| c.pid == 20).unwrap();
        let pids: Vec<i32> = sshd.children.iter().map(|c| c.pid).collect();
        assert_eq!(pids, [21, 22, 23, 24]);
        assert!(sshd.children.iter().all(|c| c.ppid == 20));
    }
}
