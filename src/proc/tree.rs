//! The parent/child tree: every process has exactly one parent and any number of children.
//!
//! Built from `(pid, ppid)` pairs alone, so it can be tested without a kernel. A parent that is
//! missing from the snapshot (PID 0 for init and kthreadd, or a parent that exited between reads)
//! makes its children roots of their own.

use std::collections::{HashMap, HashSet};

/// Parent and children of every PID in one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    parent: HashMap<i32, i32>,
    children: HashMap<i32, Vec<i32>>,
}

impl Tree {
    /// Build the tree from `(pid, ppid)` pairs. Children are kept in PID order.
    pub fn build(pairs: impl IntoIterator<Item = (i32, i32)>) -> Tree {
        let mut tree = Tree::default();
        for (pid, ppid) in pairs {
            tree.parent.insert(pid, ppid);
        }
        for (&pid, &ppid) in &tree.parent {
            if ppid != pid {
                tree.children.entry(ppid).or_default().push(pid);
            }
        }
        for kids in tree.children.values_mut() {
            kids.sort_unstable();
        }
        tree
    }

    pub fn contains(&self, pid: i32) -> bool {
        self.parent.contains_key(&pid)
    }

    /// The parent's PID as the process reported it (it may be absent from the snapshot).
    pub fn parent(&self, pid: i32) -> Option<i32> {
        self.parent.get(&pid).copied()
    }

    /// The children of `pid`, in PID order.
    pub fn children(&self, pid: i32) -> &[i32] {
        self.children.get(&pid).map_or(&[], Vec::as_slice)
    }

    /// PIDs whose parent is not in the snapshot, in PID order.
    pub fn roots(&self) -> Vec<i32> {
        let mut roots: Vec<i32> = self
            .parent
            .iter()
            .filter(|&(_, ppid)| !self.parent.contains_key(ppid))
            .map(|(&pid, _)| pid)
            .collect();
        roots.sort_unstable();
        roots
    }

    /// The ancestors of `pid` present in the snapshot, nearest first (parent, grandparent, ...).
    /// Stops at a repeated PID, so a corrupt snapshot cannot loop forever.
    pub fn ancestors(&self, pid: i32) -> Vec<i32> {
        let mut seen = HashSet::from([pid]);
        let mut out = Vec::new();
        let mut current = pid;
        while let Some(ppid) = self.parent(current) {
            if !self.contains(ppid) || !seen.insert(ppid) {
                break;
            }
            out.push(ppid);
            current = ppid;
        }
        out
    }

    /// `pid` and everything below it, parents before children.
    pub fn descendants(&self, pid: i32) -> Vec<i32> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![pid];
        while let Some(p) = stack.pop() {
            if !seen.insert(p) {
                continue;
            }
            out.push(p);
            stack.extend(self.children(p).iter().rev());
        }
        out
    }

    /// Whether `ancestor` is `pid` itself or one of its ancestors.
    pub fn is_ancestor_or_self(&self, ancestor: i32, pid: i32) -> bool {
        ancestor == pid || self.ancestors(pid).contains(&ancestor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 ─┬─ 10 ─── 100
    ///    └─ 11 ─┬─ 110
    ///           └─ 111
    /// 2 ─── 20          (kthreadd-like second root, parent 0)
    fn sample() -> Tree {
        Tree::build([
            (1, 0),
            (2, 0),
            (10, 1),
            (11, 1),
            (100, 10),
            (111, 11),
            (110, 11),
            (20, 2),
        ])
    }

    #[test]
    fn children_are_in_pid_order() {
        let t = sample();
        assert_eq!(t.children(1), [10, 11]);
        assert_eq!(t.children(11), [110, 111]);
        assert!(t.children(100).is_empty());
        assert!(t.children(999).is_empty());
    }

    #[test]
    fn roots_are_processes_without_a_known_parent() {
        assert_eq!(sample().roots(), [1, 2]);
        // A parent that vanished makes its child a root.
        let t = Tree::build([(1, 0), (50, 49)]);
        assert_eq!(t.roots(), [1, 50]);
    }

    #[test]
    fn ancestors_nearest_first() {
        let t = sample();
        assert_eq!(t.ancestors(111), [11, 1]);
        assert_eq!(t.ancestors(1), Vec::<i32>::new());
        assert!(t.is_ancestor_or_self(1, 110));
        assert!(t.is_ancestor_or_self(110, 110));
        assert!(!t.is_ancestor_or_self(10, 110));
    }

    #[test]
    fn descendants_preorder() {
        assert_eq!(sample().descendants(1), [1, 10, 100, 11, 110, 111]);
        assert_eq!(sample().descendants(20), [20]);
    }

    #[test]
    fn a_cycle_does_not_hang() {
        let t = Tree::build([(5, 6), (6, 5)]);
        assert_eq!(t.ancestors(5), [6]);
        assert_eq!(t.descendants(5), [5, 6]);
        assert!(t.roots().is_empty());
    }

    #[test]
    fn self_parent_is_not_its_own_child() {
        let t = Tree::build([(1, 1)]);
        assert!(t.children(1).is_empty());
    }
}
