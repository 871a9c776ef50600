//! The pictures (`--svg`, `--dot`) read back: the SVG parsed as XML, the DOT handed to Graphviz's
//! own `dot`, and both compared with the processes that really exist.
//!
//! Like every integration test, nothing here forks in-process: the trees are made by `sh`, by
//! `toolkit fork-demo --tree` or by `toolkit states`, and checked for leftovers afterwards.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use toolkit::demos::show::Observation;
use toolkit::proc::{Fields, ProcessTable};

mod support;
use support::{Guard, assert_nothing_left, serial, toolkit};

type Edges = BTreeSet<(i32, i32)>;

/// The processes and parent -> child edges drawn in one of our SVG trees.
fn svg_tree(svg: &str) -> (BTreeSet<i32>, Edges) {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let mut boxes = BTreeSet::new();
    let mut edges = Edges::new();
    let number =
        |node: roxmltree::Node, name| -> i32 { node.attribute(name).unwrap().parse().unwrap() };
    for node in doc.descendants().filter(|n| n.is_element()) {
        let class = node.attribute("class").unwrap_or("");
        if class.split(' ').any(|c| c == "process") {
            assert!(
                node.descendants().any(|n| n.has_tag_name("rect")),
                "a box is drawn"
            );
            assert!(
                boxes.insert(number(node, "data-pid")),
                "one box per process"
            );
        }
        if class.split(' ').any(|c| c == "edge") {
            edges.insert((number(node, "data-from"), number(node, "data-to")));
        }
    }
    (boxes, edges)
}

/// The nodes and edges of Graphviz's own SVG rendering of our DOT (`<g class="node">` and
/// `<g class="edge">`, each with a `<title>` naming it: `p123`, `p1->p123`).
fn graphviz_tree(dot: &str) -> (BTreeSet<i32>, Edges) {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Graphviz's dot is installed (.ci/run installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot refused the DOT: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    // Graphviz writes a DOCTYPE line; it declares nothing the parse needs.
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&svg, options).expect("dot's SVG parses");
    let pid = |name: &str| -> i32 { name.trim().trim_start_matches('p').parse().unwrap() };
    let mut nodes = BTreeSet::new();
    let mut edges = Edges::new();
    for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
        let Some(title) = g
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|t| t.text())
        else {
            continue;
        };
        match g.attribute("class") {
            Some("node") => {
                nodes.insert(pid(title));
            }
            Some("edge") => {
                let (from, to) = title.split_once("->").expect("an edge title is from->to");
                edges.insert((pid(from), pid(to)));
            }
            _ => {}
        }
    }
    (nodes, edges)
}

/// The subtree of `root` as /proc shows it now.
fn real_tree(root: i32) -> (BTreeSet<i32>, Edges) {
    let table = ProcessTable::scan(Fields::STAT_ONLY).unwrap();
    let tree = table.tree();
    let pids: BTreeSet<i32> = tree.descendants(root).into_iter().collect();
    let edges = pids
        .iter()
        .filter(|&&p| p != root)
        .map(|&p| (tree.parent(p).unwrap(), p))
        .collect();
    (pids, edges)
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.stderr(Stdio::piped()).output().expect("run toolkit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A shell with two sleeping children: a tree that stays put while it is drawn.
fn shell_with_two_sleeps() -> Guard {
    let sh = Guard::spawn(Command::new("sh").args(["-c", "sleep 30 & sleep 30 & wait"]));
    // Wait until both children exist.
    for _ in 0..200 {
        if real_tree(sh.pid()).0.len() == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    sh
}

#[test]
fn ps_tree_svg_has_one_box_per_process_and_the_real_edges() {
    let _guard = serial();
    let sh = shell_with_two_sleeps();
    let file = tempfile::NamedTempFile::new().unwrap();
    run_ok(
        toolkit()
            .args(["ps-tree", "--svg"])
            .arg(file.path())
            .arg(sh.pid().to_string()),
    );
    let (boxes, edges) = svg_tree(&std::fs::read_to_string(file.path()).unwrap());
    let (pids, real_edges) = real_tree(sh.pid());
    assert_eq!(pids.len(), 3);
    assert_eq!(boxes, pids);
    assert_eq!(edges, real_edges);
}

#[test]
fn ps_tree_dot_is_accepted_by_graphviz_with_the_same_nodes_and_edges() {
    let _guard = serial();
    let sh = shell_with_two_sleeps();
    let dot = run_ok(
        toolkit()
            .args(["ps-tree", "--dot"])
            .arg(sh.pid().to_string()),
    );
    let (nodes, edges) = graphviz_tree(&dot);
    let (pids, real_edges) = real_tree(sh.pid());
    assert_eq!(nodes, pids);
    assert_eq!(edges, real_edges);
    // Chinese labels survive Graphviz too.
    let dot = run_ok(
        toolkit()
            .args(["--lang", "zh", "ps-tree", "--dot"])
            .arg(sh.pid().to_string()),
    );
    assert!(dot.contains("父进程"), "{dot}");
    assert_eq!(graphviz_tree(&dot).0, pids);
}

#[test]
fn fork_demo_tree_svg_draws_every_member_with_its_parent() {
    let _guard = serial();
    let file = tempfile::NamedTempFile::new().unwrap();
    let child = toolkit()
        .args(["fork-demo", "--tree", "3", "--json", "--svg"])
        .arg(file.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let toolkit_pid = child.id() as i32;
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let members: Edges = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| match serde_json::from_str(l).unwrap() {
            Observation::TreeMember { pid, ppid, .. } => Some((ppid, pid)),
            _ => None,
        })
        .collect();
    assert_eq!(members.len(), 8);
    let (boxes, edges) = svg_tree(&std::fs::read_to_string(file.path()).unwrap());
    assert_eq!(boxes, members.iter().map(|&(_, pid)| pid).collect());
    // Every member but the toolkit itself has its parent's edge.
    let expected: Edges = members
        .into_iter()
        .filter(|&(_, pid)| pid != toolkit_pid)
        .collect();
    assert_eq!(edges, expected);
    assert_nothing_left(toolkit_pid, &boxes.iter().copied().collect::<Vec<_>>());
}

#[test]
fn fork_demo_tree_dot_is_only_dot_and_graphviz_reads_it() {
    let _guard = serial();
    let dot = run_ok(toolkit().args(["fork-demo", "--tree", "2", "--dot"]));
    assert!(dot.starts_with("digraph"), "{dot}");
    let (nodes, edges) = graphviz_tree(&dot);
    assert_eq!(nodes.len(), 4);
    assert_eq!(edges.len(), 3);
}

#[test]
fn states_svg_has_one_band_per_observed_state_in_order() {
    let _guard = serial();
    let file = tempfile::NamedTempFile::new().unwrap();
    let json = run_ok(
        toolkit()
            .args(["states", "--json", "--svg"])
            .arg(file.path()),
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let observed: Vec<String> = rows
        .iter()
        .map(|r| r["observed"].as_str().unwrap().to_string())
        .collect();
    let svg = std::fs::read_to_string(file.path()).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let bands: Vec<String> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("band"))
        .map(|n| n.attribute("data-state").unwrap().to_string())
        .collect();
    assert_eq!(bands, observed);
    for letter in ["R", "S", "T", "Z"] {
        assert!(bands.iter().any(|b| b == letter), "{letter} in {bands:?}");
    }
}

#[test]
fn quiz_fork_pictures_show_the_real_run_tree() {
    let _guard = serial();
    let file = tempfile::NamedTempFile::new().unwrap();
    let json = run_ok(
        toolkit()
            .args([
                "quiz", "fork", "--seed", "5", "--level", "2", "--json", "--svg",
            ])
            .arg(file.path()),
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let processes = doc["run"]["processes"].as_array().unwrap();
    let pid = |p: &serde_json::Value, key| p[key].as_i64().unwrap() as i32;
    let pids: BTreeSet<i32> = processes.iter().map(|p| pid(p, "pid")).collect();
    let real_edges: Edges = processes[1..]
        .iter()
        .map(|p| (pid(p, "ppid"), pid(p, "pid")))
        .collect();
    assert_eq!(
        pids.len(),
        doc["expected"]["processes"].as_u64().unwrap() as usize
    );
    let (boxes, edges) = svg_tree(&std::fs::read_to_string(file.path()).unwrap());
    assert_eq!(boxes, pids);
    assert_eq!(edges, real_edges);

    // The DOT of another run of the same program: Graphviz reads a tree of as many processes.
    let dot = run_ok(toolkit().args(["quiz", "fork", "--seed", "5", "--level", "2", "--dot"]));
    let (nodes, edges) = graphviz_tree(&dot);
    assert_eq!(nodes.len(), pids.len());
    assert_eq!(edges.len(), pids.len() - 1);
    assert!(
        edges
            .iter()
            .all(|(from, to)| nodes.contains(from) && nodes.contains(to))
    );
    assert_nothing_left(-1, &nodes.iter().copied().collect::<Vec<_>>());
}
