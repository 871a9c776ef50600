//! `toolkit ps-tree`: the parent/child tree, drawn like `pstree`, byte for byte.
//!
//! Three steps, kept apart so the middle one can be tested without a kernel:
//!
//! 1. **scan**: one read of `/proc/PID/stat` per process (plus the owner, `status` or `cmdline` only
//!    when `-u`, a `USER`, `--stat` or `-a` ask for them);
//! 2. **shape** ([`shape`]): pick the root (or the chain of parents with `-s`, or a user's tops),
//!    drop kernel threads if asked, sort siblings as pstree does (by name, namesakes by owner), and
//!    fold identical sibling subtrees into one node with a count (`3*[sleep]`) unless `-c` or `-p`;
//! 3. **draw** ([`draw`]): pstree's layout, where the first child continues its parent's line and
//!    the others hang below it (`-a` puts every process on its own line), in Unicode, ASCII or
//!    VT100 line drawing.
//!
//! pstree decides a few things by the column it has reached (a name at the edge draws none of its
//! children; an argument that would pass it becomes `...`), so drawing keeps count of columns as
//! pstree counts them: one per character written, each byte of a VT100 escape included.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::error::{CmdResult, Failure};
use crate::i18n::{Lang, common, inspect as msg, picture as pt};
use crate::output::{self, Paint};
use crate::picture::tree::{TreeBox, TreePicture, tree_dot, tree_svg};
use crate::proc::{self, Fields, Process, ProcessTable};

/// What to draw.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Root of the tree (default 1); with `show_parents`, the process whose ancestry is shown.
    /// 0 is pstree's `?`: the kernel, parent of init and of kthreadd, which /proc does not list.
    pub root: Option<i32>,
    /// pstree's `USER` form: instead of one root, every process of this uid met walking down
    /// from PID 1 (its parent is another user's), each tree drawn apart.
    pub user: Option<u32>,
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
    /// `-G`: VT100 line drawing (the terminal's graphic character set); wins over `ascii`.
    pub vt100: bool,
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
            uid: self.uid_changes || self.user.is_some(),
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
    /// The name and what the flags add to it (`sleep(42,nobody)`), escaped as pstree escapes it.
    pub label: String,
    /// `-a`: the arguments drawn after the label, split as pstree splits them ([`arguments`]);
    /// escaped when drawn, and cut with `...` where they would pass the line's width.
    pub args: Vec<Vec<u8>>,
    /// What two siblings must share to fold: pstree compares names (and owners with `-u`), not
    /// the PIDs or groups the label may show.
    pub key: String,
    /// `-a`: the name is one character (pstree's `?`), so pstree indents the children by one
    /// space instead of two.
    pub narrow: bool,
    pub count: usize,
    pub highlighted: bool,
    pub children: Vec<Node>,
    pub thread: bool,
}

impl Node {
    /// A node that is only its label (no arguments), folded with the nodes of the same label.
    pub fn new(label: impl Into<String>) -> Node {
        let label = label.into();
        Node {
            key: label.clone(),
            label,
            args: Vec::new(),
            narrow: false,
            count: 1,
            highlighted: false,
            children: Vec::new(),
            thread: false,
        }
    }
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
    let table = with_kernel_root(table, opts);
    // The roots: the one asked for, or (USER) every top process of that user.
    let roots: Vec<(i32, Option<u32>)> = match opts.user {
        Some(uid) => {
            let tops = user_tops(&table, opts, uid);
            if tops.is_empty() {
                return Err(Failure::new(1, msg::no_processes_found(lang)).into());
            }
            tops.into_iter().map(|pid| (pid, Some(uid))).collect()
        }
        None => vec![(opts.root.unwrap_or(1), Some(0))],
    };
    let mut out = io::stdout().lock();
    if opts.svg.is_some() || opts.dot {
        // Where am I: the toolkit's own ancestry, unless -H names another process.
        let lit = opts.highlight.or(Some(std::process::id() as i32));
        // One picture: of the first tree when a user has several.
        let first = Options {
            root: Some(roots[0].0),
            ..opts.clone()
        };
        let picture = picture(&table, &first, lit, lang).ok_or_else(|| missing(opts, lang))?;
        if let Some(path) = &opts.svg {
            output::write_picture(path, &tree_svg(&picture), lang)?;
        }
        if opts.dot {
            out.write_all(tree_dot(&picture).as_bytes())?;
            return Ok(0);
        }
    }
    if opts.json {
        if opts.user.is_some() {
            // A user's trees: a JSON array of them.
            let trees: Vec<JsonNode> = roots
                .iter()
                .filter_map(|&(pid, _)| {
                    let one = Options {
                        root: Some(pid),
                        user: None,
                        ..opts.clone()
                    };
                    json_tree(&table, &one)
                })
                .collect();
            output::write_json(&mut out, &trees)?;
        } else {
            let root = json_tree(&table, opts).ok_or_else(|| missing(opts, lang))?;
            output::write_json(&mut out, &root)?;
        }
        return Ok(0);
    }
    let paint = Paint::for_stdout();
    let highlight = match opts.highlight {
        Some(pid) => Some(pid),
        // pstree highlights nothing by default; on a terminal we show "where am I" for free.
        None if paint.enabled && io::stdout().is_terminal() => Some(std::process::id() as i32),
        None => None,
    };
    let trees: Vec<Node> = match opts.user {
        Some(_) => {
            let lit = lit_ancestry(&table.tree(), highlight);
            roots
                .iter()
                .map(|&(pid, prev_uid)| {
                    build_node(&table, &table.tree(), pid, prev_uid, opts, &lit, 0)
                })
                .collect()
        }
        None => vec![shape(&table, opts, highlight).ok_or_else(|| missing(opts, lang))?],
    };
    for (i, root) in trees.iter().enumerate() {
        // pstree leaves an empty line between a user's trees.
        if i > 0 {
            writeln!(out)?;
        }
        for line in draw(root, opts, paint) {
            match opts.width {
                Some(width) => writeln!(out, "{}", truncate(&line, width))?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(0)
}

/// The table with pstree's PID 0 added when the options ask for it: `?`, owned by root, the
/// parent of init and kthreadd (which name PID 0 as their parent, but /proc lists no PID 0).
fn with_kernel_root(table: ProcessTable, opts: &Options) -> ProcessTable {
    if opts.root != Some(0) || table.get(0).is_some() {
        return table;
    }
    let line = "0 (?) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n";
    let Ok(mut kernel) = proc::parse_stat(line.as_bytes()) else {
        return table;
    };
    kernel.uid = Some(0);
    // A name with no arguments (not an empty command line, which -a would draw as `(?)`).
    kernel.cmdline = Some(vec!["?".to_string()]);
    let mut processes: Vec<Process> = table.iter().cloned().collect();
    processes.push(kernel);
    ProcessTable::from_processes(processes)
}

/// pstree's `USER` form: walking down from PID 1 in drawing order, every process of `uid` met is
/// the top of a tree, and what lies below it is not searched further.
fn user_tops(table: &ProcessTable, opts: &Options, uid: u32) -> Vec<i32> {
    let tree = table.tree();
    let mut tops = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![1];
    while let Some(pid) = stack.pop() {
        let Some(p) = table.get(pid) else { continue };
        if !seen.insert(pid) {
            continue;
        }
        if p.uid == Some(uid) {
            tops.push(pid);
            continue;
        }
        let kids = sorted_children(table, &tree, pid, opts);
        stack.extend(kids.iter().rev().map(|c| c.pid));
    }
    tops
}

/// A line cut to `width` columns as pstree cuts it: a line of `width` characters or more keeps
/// `width - 1` of them and a `+`. pstree counts one column per character it writes, and so each
/// byte of VT100's escapes (`-G`); our colour escapes are kept and do not count, and a cut line
/// ends with a reset.
pub fn truncate(line: &str, width: usize) -> String {
    if width == 0 || columns(line) < width {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut used = 0;
    let mut chars = line.chars().peekable();
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            escaped = true;
            out.push(c);
            for e in chars.by_ref() {
                out.push(e);
                if ('@'..='~').contains(&e) && e != '[' {
                    break;
                }
            }
            continue;
        }
        if used + 1 > width - 1 {
            break;
        }
        used += 1;
        out.push(c);
    }
    out.push('+');
    if escaped {
        out.push_str("\x1b[0m");
    }
    out
}

/// The columns pstree counts for `text`: one per character, colour escapes (`ESC [ ... m`) none.
fn columns(text: &str) -> usize {
    let mut n = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for e in chars.by_ref() {
                if ('@'..='~').contains(&e) && e != '[' {
                    break;
                }
            }
            continue;
        }
        n += 1;
    }
    n
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

/// The children of `pid` to show, sorted as pstree sorts them: by name, namesakes by owner when
/// the owners were read (`-u`, `USER`), then by PID (the order /proc lists them in); or with `-n`
/// by PID alone. (The text tree reads the owners it lacks where they matter:
/// [`order_namesakes_by_owner`].) Init also adopts, as in pstree, the processes whose parent is
/// not in the snapshot: hidden by `hidepid`, or gone between two reads.
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
    if pid == 1 {
        kids.extend(table.iter().filter(|p| {
            p.pid > 1 && p.ppid != 0 && table.get(p.ppid).is_none() && visible(p, opts)
        }));
    }
    if opts.numeric_sort {
        kids.sort_by_key(|p| p.pid);
    } else {
        kids.sort_by(|a, b| {
            a.comm
                .cmp(&b.comm)
                .then(a.uid.cmp(&b.uid))
                .then(a.pid.cmp(&b.pid))
        });
    }
    kids
}

/// pstree puts namesakes (siblings of one name) in the order of their owners' uids. Where the
/// owners were not read, read them here, but only where the order shows: not for namesakes that
/// fold into one `N*[...]` anyway, so a shell with 50 identical sleeps costs no more reads.
fn order_namesakes_by_owner(kids: &mut [(&Process, Node)], opts: &Options) {
    if opts.numeric_sort {
        return;
    }
    let mut start = 0;
    while start < kids.len() {
        let mut end = start + 1;
        while end < kids.len() && kids[end].0.comm == kids[start].0.comm {
            end += 1;
        }
        let run = &mut kids[start..end];
        let folds_into_one = opts.compact
            && !opts.arguments
            && run.iter().all(|(_, node)| same_tree(node, &run[0].1));
        if run.len() > 1 && !folds_into_one && run.iter().any(|(p, _)| p.uid.is_none()) {
            // One read of each owner; then in owner order, and in PID order for one owner.
            run.sort_by_cached_key(|(p, _)| (p.uid.or_else(|| proc::owner(p.pid)), p.pid));
        }
        start = end;
    }
}

/// A number as pstree prints it: 0 prints as nothing (`kthreadd(2,)` with `-p -g`, `?()`).
fn number(n: i32) -> String {
    if n == 0 { String::new() } else { n.to_string() }
}

/// The node of one process, without its children: `comm`, then `(pid,pgid,user)` (with `-a`:
/// `comm,pid,pgid,user` and the arguments; `(comm,pid)` for a process with no command line, a
/// kernel thread or a zombie), then `[STAT NI]` with `--stat`. `prev_uid` is the owner the user
/// is compared with for `-u`: the parent's, or for a root pstree's 0 (root), or the `USER`'s.
fn process_node(p: &Process, prev_uid: Option<u32>, opts: &Options) -> Node {
    let comm = escape(p.comm.as_bytes());
    let mut extras = Vec::new();
    if opts.show_pids {
        extras.push(number(p.pid));
    }
    if opts.show_pgids {
        extras.push(number(p.pgrp));
    }
    if opts.uid_changes
        && let Some(uid) = p.uid
        && prev_uid != Some(uid)
    {
        extras.push(proc::user_name(uid));
    }
    let mut label = String::new();
    let mut args = Vec::new();
    if opts.arguments {
        let swapped = p.cmdline.as_ref().is_some_and(Vec::is_empty);
        if swapped {
            label.push('(');
        }
        label.push_str(&comm);
        for extra in &extras {
            label.push(',');
            label.push_str(extra);
        }
        if swapped {
            label.push(')');
        }
        if let Some(cmdline) = &p.cmdline {
            args = arguments(cmdline, Some(opts.width.unwrap_or(LONGEST_ARGUMENTS)));
        }
    } else {
        label.push_str(&comm);
        if !extras.is_empty() {
            label.push('(');
            label.push_str(&extras.join(","));
            label.push(')');
        }
    }
    if opts.stat {
        label.push_str(&format!("[{} {}]", p.stat_string(), p.nice));
    }
    let mut key = comm.clone();
    if opts.uid_changes {
        key.push_str(&format!("\0{}", p.uid.unwrap_or(u32::MAX)));
    }
    Node {
        label,
        args,
        key,
        narrow: comm.len() <= 1,
        ..Node::new("")
    }
}

/// The most of a command line pstree `-a -l` shows: it reads it into a buffer of `BUFSIZ`.
const LONGEST_ARGUMENTS: usize = 8192;

/// The arguments pstree `-a` draws after a name, split as pstree splits them: the command line as
/// the kernel keeps it (`sleep\0300\0`), cut to `limit` bytes (pstree reads no more of it than a
/// line can show, and with `-l` no more than [`LONGEST_ARGUMENTS`]), one field per run of NULs
/// after the first NUL. Drawn each after a space but the last, which is empty for a complete
/// command line.
fn arguments(cmdline: &[String], limit: Option<usize>) -> Vec<Vec<u8>> {
    if cmdline.is_empty() {
        return Vec::new();
    }
    let mut raw = cmdline.join("\0").into_bytes();
    raw.push(0);
    if let Some(limit) = limit {
        raw.truncate(limit);
    }
    let runs = (0..raw.len())
        .filter(|&i| raw[i] == 0 && (i == 0 || raw[i - 1] != 0))
        .count();
    let Some(first) = raw.iter().position(|&b| b == 0) else {
        return Vec::new();
    };
    let mut rest = raw[first + 1..].to_vec();
    rest.push(0);
    rest.split(|&b| b == 0)
        .take(runs)
        .map(<[u8]>::to_vec)
        .collect()
}

/// Text as pstree prints names and arguments: printable ASCII as it is, `\` as `\\`, every other
/// byte as `\ooo` (a newline is `\012`, the `é` of UTF-8 `\303\251`).
fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

/// The threads of `p` other than its main thread, as pstree draws them: `{name}` (the process's
/// name, or with `-t` the thread's own), with `(tid,pgid)` (or `,tid,pgid` with `-a`) as `-p`
/// and `-g` ask, each with its TID. Read only for a process whose `stat` says it has more than one thread, so
/// single-threaded ones cost no more than their one read.
fn thread_nodes(p: &Process, opts: &Options) -> Vec<(i32, Node)> {
    if !opts.threads || p.num_threads <= 1 {
        return Vec::new();
    }
    proc::read_threads(p.pid, Fields::STAT_ONLY)
        .iter()
        .filter(|t| t.pid != p.pid)
        .map(|t| {
            let name = if opts.thread_names { &t.comm } else { &p.comm };
            let key = format!("{{{}}}", escape(name.as_bytes()));
            // Its TID and its process's group, as a process shows its PID and group.
            let mut extras = Vec::new();
            if opts.show_pids {
                extras.push(number(t.pid));
            }
            if opts.show_pgids {
                extras.push(number(p.pgrp));
            }
            let mut label = key.clone();
            if opts.arguments {
                for extra in &extras {
                    label.push(',');
                    label.push_str(extra);
                }
            } else if !extras.is_empty() {
                label.push_str(&format!("({})", extras.join(",")));
            }
            let node = Node {
                label,
                key,
                thread: true,
                ..Node::new("")
            };
            (t.pid, node)
        })
        .collect()
}

/// `pid` and its ancestors, the processes drawn highlighted.
fn lit_ancestry(tree: &crate::proc::tree::Tree, highlight: Option<i32>) -> HashSet<i32> {
    match highlight {
        Some(pid) if tree.contains(pid) => {
            std::iter::once(pid).chain(tree.ancestors(pid)).collect()
        }
        _ => HashSet::new(),
    }
}

/// Build the tree to draw: rooted at the requested process (or, with `-s`, at the top of its
/// chain of ancestors), kernel threads dropped if asked, identical siblings folded if asked.
/// `None` when the root does not exist.
pub fn shape(table: &ProcessTable, opts: &Options, highlight: Option<i32>) -> Option<Node> {
    let mut root = root_pid(table, opts)?;
    let tree = table.tree();
    let lit = lit_ancestry(&tree, highlight);
    let mut show_parents = opts.show_parents;
    if show_parents && !tree.is_ancestor_or_self(1, root) && table.get(1).is_some() {
        // pstree -s of a process outside init's tree (kthreadd's, or 0) keeps only the chain of
        // that process and then draws init's tree, whole.
        root = 1;
        show_parents = false;
    }
    let parent_uid = |p: &Process| match table.get(p.ppid) {
        Some(parent) if show_parents && parent.pid != p.pid => parent.uid,
        // The top of what is drawn is compared with root, as pstree does.
        _ => Some(0),
    };
    let top = table.get(root)?;
    let subtree = build_node(table, &tree, root, parent_uid(top), opts, &lit, 0);
    if !show_parents {
        return Some(subtree);
    }
    // -s: wrap the subtree in its ancestors, each showing only the next one down.
    let mut node = subtree;
    for ancestor in tree.ancestors(root) {
        let Some(p) = table.get(ancestor) else { break };
        node = Node {
            highlighted: lit.contains(&ancestor),
            children: vec![node],
            ..process_node(p, parent_uid(p), opts)
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
    prev_uid: Option<u32>,
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
        // (name to sort by, PID or TID, rank among its kind, node).
        let mut processes: Vec<(&Process, Node)> = sorted_children(table, tree, pid, opts)
            .into_iter()
            .map(|c| {
                (
                    c,
                    build_node(table, tree, c.pid, p.uid, opts, lit, depth + 1),
                )
            })
            .collect();
        order_namesakes_by_owner(&mut processes, opts);
        let processes = processes
            .into_iter()
            .enumerate()
            .map(|(rank, (c, node))| (c.comm.clone(), c.pid, rank, node));
        let threads = thread_nodes(p, opts)
            .into_iter()
            .enumerate()
            .map(|(rank, (tid, t))| (t.key.clone(), tid, rank, t));
        // pstree sorts threads among the children by their drawn name (`{` comes after the
        // letters), processes as `sorted_children` does, threads in TID order; with -n, every
        // child by its PID or TID.
        let mut kids: Vec<(String, i32, usize, Node)> = processes.chain(threads).collect();
        kids.sort_by(|a, b| {
            if opts.numeric_sort {
                a.1.cmp(&b.1)
            } else {
                a.0.cmp(&b.0).then(a.2.cmp(&b.2))
            }
        });
        let kids: Vec<Node> = kids.into_iter().map(|(_, _, _, node)| node).collect();
        // With -a pstree folds threads only: processes differ by their arguments.
        fold(kids, |n| {
            if n.thread {
                opts.compact_threads
            } else {
                opts.compact && !opts.arguments
            }
        })
    };
    Node {
        highlighted: lit.contains(&pid),
        children,
        ..process_node(p, prev_uid, opts)
    }
}

/// Fold identical sibling subtrees into one node with a count, as pstree does: wherever the
/// copies stand among the siblings (two `sh---sleep` with an `sh---2*[sleep]` between them are
/// still `2*[sh---sleep]`), shown where the first one stands. Identical means the same names all
/// the way down ([`Node::key`]), not the same labels: with `-g`, a group of its own does not keep
/// a process apart. `foldable` says which nodes may fold (threads and processes have their own
/// switches).
pub fn fold(nodes: Vec<Node>, foldable: impl Fn(&Node) -> bool) -> Vec<Node> {
    let mut folded: Vec<Node> = Vec::with_capacity(nodes.len());
    for node in nodes {
        if !foldable(&node) {
            folded.push(node);
            continue;
        }
        match folded.iter_mut().find(|n| same_tree(n, &node)) {
            Some(first) => first.count += node.count,
            None => folded.push(node),
        }
    }
    folded
}

/// Whether two subtrees fold into one: the same keys all the way down (below the top, the same
/// counts too, their children being folded already). A highlighted node stays apart from its
/// namesakes, so the way to it remains visible.
fn same_tree(a: &Node, b: &Node) -> bool {
    a.key == b.key
        && a.thread == b.thread
        && a.highlighted == b.highlighted
        && a.children.len() == b.children.len()
        && a.children
            .iter()
            .zip(&b.children)
            .all(|(x, y)| x.count == y.count && same_tree(x, y))
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

/// `-G`: the VT100's own line drawing. `ESC ( 0` and `SI` switch to its graphic character set,
/// where `q` is a horizontal line, `w` a tee down, `t` a tee right, `m` a corner, `x` a vertical
/// line; `ESC ( B` switches back. pstree wraps every joint in the pair.
const VT100: Glyphs = Glyphs {
    first_of_many: "\x1b(0\x0fqwq\x1b(B",
    only: "\x1b(0\x0fqqq\x1b(B",
    middle: "\x1b(0\x0ftq\x1b(B",
    last: "\x1b(0\x0fmq\x1b(B",
    vertical: "\x1b(0\x0fx\x1b(B",
};

/// Draw the tree as lines of text.
pub fn draw(root: &Node, opts: &Options, paint: Paint) -> Vec<String> {
    let glyphs = if opts.vt100 {
        &VT100
    } else if opts.ascii {
        &ASCII
    } else {
        &UNICODE
    };
    let layout = Layout {
        g: glyphs,
        paint,
        width: opts.width,
    };
    if opts.arguments {
        layout.one_per_line(root, 0, 0)
    } else {
        layout.compact(root, 0, 0)
    }
}

/// How lines are drawn, and the width pstree cuts them at (`None` with `-l`). pstree decides two
/// things by the column it has reached, so the layouts keep count: `first` is the number of
/// columns before a node on its own line, `rest` before its subtree on the lines below.
struct Layout<'a> {
    g: &'a Glyphs,
    paint: Paint,
    width: Option<usize>,
}

impl Layout<'_> {
    /// pstree's default layout: the first child continues the parent's line.
    fn compact(&self, node: &Node, first: usize, rest: usize) -> Vec<String> {
        let g = self.g;
        let text = node_text(node, self.paint);
        if node.children.is_empty() {
            return with_count(node, vec![text]);
        }
        let count = count_width(node);
        let label = columns(&node.label);
        if let Some(width) = self.width
            && 1 + first + count + label >= width
        {
            // The name already reaches the edge: pstree draws a `+` and none of the children,
            // not even on the lines below.
            return with_count(node, vec![format!("{text}{}+", g.first_of_many)]);
        }
        let pad = " ".repeat(label + 1);
        let n = node.children.len();
        let mut lines = Vec::new();
        for (i, child) in node.children.iter().enumerate() {
            let is_last = i == n - 1;
            let joint = match i {
                0 if n == 1 => g.only,
                0 => g.first_of_many,
                _ if is_last => g.last,
                _ => g.middle,
            };
            let bar = if is_last { " " } else { g.vertical };
            let child_first = if i == 0 {
                first + count + label + columns(joint)
            } else {
                rest + count + pad.len() + columns(joint)
            };
            let child_rest = rest + count + pad.len() + columns(bar) + 1;
            for (j, line) in self
                .compact(child, child_first, child_rest)
                .into_iter()
                .enumerate()
            {
                lines.push(match (i, j) {
                    (0, 0) => format!("{text}{joint}{line}"),
                    (_, 0) => format!("{pad}{joint}{line}"),
                    _ => format!("{pad}{bar} {line}"),
                });
            }
        }
        with_count(node, lines)
    }

    /// `-a` layout: every process on a line of its own, children indented below.
    fn one_per_line(&self, node: &Node, first: usize, rest: usize) -> Vec<String> {
        let g = self.g;
        let mut head = node_text(node, self.paint);
        let at = 1 + first + count_width(node) + columns(&node.label);
        head.push_str(&self.arguments(node, at));
        let mut lines = vec![head];
        let indent = if node.narrow { " " } else { "  " };
        let bar = format!("{} ", g.vertical);
        let n = node.children.len();
        for (i, child) in node.children.iter().enumerate() {
            let is_last = i == n - 1;
            let branch = if is_last { g.last } else { g.middle };
            let below = if is_last { "  " } else { bar.as_str() };
            let child_first = rest + indent.len() + columns(branch);
            let child_rest = rest + indent.len() + columns(below);
            for (j, line) in self
                .one_per_line(child, child_first, child_rest)
                .into_iter()
                .enumerate()
            {
                lines.push(if j == 0 {
                    format!("{indent}{branch}{line}")
                } else {
                    format!("{indent}{below}{line}")
                });
            }
        }
        with_count(node, lines)
    }

    /// The arguments of a node, escaped, from column `at` on. When lines are cut, pstree gives up
    /// at the first argument that would not fit (leaving 4 columns unless it is the last) and
    /// writes `...` instead. (It counts one column for a `\`, which it writes as two.)
    fn arguments(&self, node: &Node, mut at: usize) -> String {
        let mut out = String::new();
        let n = node.args.len();
        for (i, arg) in node.args.iter().enumerate() {
            let last = i + 1 == n;
            if !last {
                out.push(' ');
                at += 1;
            }
            let len: usize = arg
                .iter()
                .map(|b| if (b' '..=b'~').contains(b) { 1 } else { 4 })
                .sum();
            if let Some(width) = self.width
                && at + len > width.saturating_sub(if last { 0 } else { 4 })
            {
                out.push_str("...");
                break;
            }
            let text = escape(arg);
            at += text.len();
            out.push_str(&text);
        }
        out
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

/// The columns of a folded node's `N*[`.
fn count_width(node: &Node) -> usize {
    if node.count > 1 {
        node.count.to_string().len() + 2
    } else {
        0
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
        let leaf = |label: &str| Node::new(label);
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

    #[test]
    fn vt100_wraps_each_joint_in_the_graphic_set() {
        let o = Options {
            vt100: true,
            root: Some(20),
            ..opts()
        };
        assert_eq!(
            render(&sample(), &o),
            "sshd\x1b(0\x0fqwq\x1b(Bbash\n     \x1b(0\x0fmq\x1b(B3*[sleep]"
        );
    }

    #[test]
    fn pid_0_is_a_question_mark_above_init_and_kthreadd() {
        let table = ProcessTable::from_processes(vec![
            process(1, 0, "init"),
            process(2, 0, "kthreadd"),
            process(3, 2, "kworker"),
        ]);
        let o = Options {
            root: Some(0),
            show_pids: true,
            ..Options::default()
        };
        let table = with_kernel_root(table, &o);
        // pstree prints a PID (or group) of 0 as nothing.
        assert_eq!(
            render(&table, &o),
            "?()─┬─init(1)\n    └─kthreadd(2)───kworker(3)"
        );
        // -s of a process outside init's tree draws init's tree.
        let o = Options {
            root: Some(3),
            show_parents: true,
            ..Options::default()
        };
        assert_eq!(render(&table, &o), "init");
    }

    #[test]
    fn arguments_split_as_pstree_splits_them() {
        let args = |a: &[&str], limit| {
            let cmdline: Vec<String> = a.iter().map(|s| s.to_string()).collect();
            arguments(&cmdline, limit)
                .into_iter()
                .map(|f| String::from_utf8(f).unwrap())
                .collect::<Vec<_>>()
        };
        // Each field but the last is drawn after a space; the last is empty.
        assert_eq!(args(&["sleep", "300"], None), ["300", ""]);
        assert_eq!(args(&["bash"], None), [""]);
        // A run of NULs counts once: an empty argument swallows the next one's space.
        assert_eq!(args(&["a", "", "b"], None), ["", "b"]);
        // pstree reads no more of the command line than a line holds.
        assert_eq!(args(&["sleep", "300"], Some(8)), ["30"]);
        assert!(args(&[], None).is_empty());
        assert_eq!(escape("h\u{e9}\\\n".as_bytes()), "h\\303\\251\\\\\\012");
    }

    #[test]
    fn cut_lines_keep_one_column_less_than_the_width() {
        assert_eq!(truncate("abcde", 6), "abcde");
        assert_eq!(truncate("abcdef", 6), "abcde+");
        // VT100's escapes take a column per byte, as pstree counts them.
        assert_eq!(truncate("a\x1b(0\x0fq\x1b(B", 4), "a\x1b(+");
        // A node that reaches the edge draws a `+` and none of its children.
        let o = Options {
            ascii: true,
            width: Some(8),
            root: Some(20),
            ..opts()
        };
        let node = shape(&sample(), &o, None).unwrap();
        assert_eq!(draw(&node, &o, Paint { enabled: false }).len(), 2);
        let o = Options {
            width: Some(5),
            ..o
        };
        let node = shape(&sample(), &o, None).unwrap();
        assert_eq!(draw(&node, &o, Paint { enabled: false }), ["sshd-+-+"]);
    }

    #[test]
    fn namesakes_sort_by_owner_and_fold_by_name() {
        let mut procs = vec![
            process(1, 0, "init"),
            process(2, 1, "sleep"),
            process(3, 1, "sleep"),
        ];
        procs[0].uid = Some(0);
        procs[1].uid = Some(54_321);
        procs[2].uid = Some(0);
        procs[2].pgrp = 77;
        let table = ProcessTable::from_processes(procs);
        let o = Options {
            show_pids: true,
            ..Options::default()
        };
        assert_eq!(render(&table, &o), "init(1)─┬─sleep(3)\n        └─sleep(2)");
        // -g alone still folds: pstree compares names, not the groups it shows.
        let o = Options {
            show_pgids: true,
            ..opts()
        };
        assert_eq!(render(&table, &o), "init(1)───2*[sleep(77)]");
    }

    #[test]
    fn a_users_trees_are_the_tops_met_walking_down_from_init() {
        let mut procs = vec![
            process(1, 0, "init"),
            process(10, 1, "sshd"),
            process(11, 10, "bash"),
            process(12, 11, "sudo"),
            process(13, 12, "vim"),
            process(20, 1, "cron"),
        ];
        for (i, uid) in [0, 0, 1000, 0, 1000, 1000].into_iter().enumerate() {
            procs[i].uid = Some(uid);
        }
        let table = ProcessTable::from_processes(procs);
        // cron before bash: init's children are walked by name. vim is below bash: not a top.
        assert_eq!(user_tops(&table, &opts(), 1000), [20, 11]);
        assert_eq!(user_tops(&table, &opts(), 0), [1]);
        assert!(user_tops(&table, &opts(), 4242).is_empty());
    }

    #[test]
    fn init_adopts_the_processes_whose_parent_is_not_seen() {
        let table = ProcessTable::from_processes(vec![
            process(1, 0, "init"),
            process(2, 0, "kthreadd"),
            process(5, 1, "cron"),
            // Its parent, 4, is hidden (hidepid) or has just exited.
            process(7, 4, "bash"),
        ]);
        assert_eq!(render(&table, &opts()), "init─┬─bash\n     └─cron");
    }
}
