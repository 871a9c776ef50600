//! What a fork program *must* do, worked out without running it: how many processes it makes,
//! how many lines it prints, and which output orders are possible.
//!
//! The model executes the program's instructions for every process in turn (no real fork): a
//! `fork` queues a new process with a copy of the registers. Each process leaves a chain of
//! events (start, prints, forks, waits, end). Two kinds of edges join the chains:
//!
//! - **fork**: everything a process did before a `fork()` happens before anything its child does;
//! - **wait**: everything a child did happens before its parent's `os.waitpid()` returns.
//!
//! Nothing else orders two processes: the scheduler may run them in any interleaving. So an
//! output is possible exactly when it is a *linear extension* of this partial order restricted to
//! the prints: an order of all the lines that puts every line after the lines that must come
//! before it. [`Model::check`] decides that for a given sequence of labels (several processes
//! print the same label, so it searches, remembering the states it has seen), and says why an
//! impossible one is impossible.

use std::collections::HashSet;

use super::program::{Action, MAX_PROCESSES, Program};

/// One process of the model: who forked it, and which print events are its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelProcess {
    /// The process that forked it (`None` for the first).
    pub parent: Option<usize>,
    /// Its prints, in its own program order (indices into [`Model::prints`]).
    pub prints: Vec<usize>,
    /// How many `fork()` calls it made.
    pub forks: usize,
}

/// One line printed: its label and the process that prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintEvent {
    pub label: char,
    pub process: usize,
}

/// Why one line must come before another (ordered from the weakest reason to the one a student
/// most needs to see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Because {
    /// The same process prints both, in this order.
    SameProcess,
    /// The first is printed before the `fork()` that leads to the process printing the second.
    BeforeFork,
    /// The second is printed after an `os.waitpid()` that waits for the first's process.
    Wait,
    /// Not an order at all: the output has more lines of this label than the program prints.
    TooMany,
}

/// Why an output cannot happen: at `position` (0-based) it shows `label`, but every process that
/// could print that label still has to print one of `blocked_by` first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impossible {
    pub position: usize,
    pub label: char,
    pub blocked_by: Vec<char>,
    pub because: Because,
}

/// The model of one program.
#[derive(Debug, Clone)]
pub struct Model {
    pub processes: Vec<ModelProcess>,
    pub prints: Vec<PrintEvent>,
    /// For each print, the prints that must come before it (bit i = print i).
    before: Vec<u64>,
    /// For each print and each earlier print, why (filled for the direct predecessors only).
    reasons: Vec<Vec<(usize, Because)>>,
}

/// The model would exceed its limits (the generator then draws another program).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooBig;

/// An event in a process's chain.
#[derive(Debug, Clone, Copy)]
enum Event {
    Start,
    Print(usize),
    Fork(usize),
    /// A wait for this process.
    Wait(usize),
    End,
}

impl Model {
    pub fn of(program: &Program) -> Result<Model, TooBig> {
        let code = program.compile();
        let mut processes = vec![ModelProcess {
            parent: None,
            prints: Vec::new(),
            forks: 0,
        }];
        let mut chains: Vec<Vec<Event>> = Vec::new();
        let mut prints: Vec<PrintEvent> = Vec::new();
        // The queue of processes still to run: (process, registers); the first is process 0.
        let mut queue = vec![(0usize, code.start())];
        let mut next = 0;
        while next < queue.len() {
            let (me, mut regs) = queue[next].clone();
            next += 1;
            let mut chain = vec![Event::Start];
            loop {
                match code.step(&mut regs) {
                    Action::Print(label) => {
                        if prints.len() == 64 {
                            return Err(TooBig);
                        }
                        prints.push(PrintEvent { label, process: me });
                        processes[me].prints.push(prints.len() - 1);
                        chain.push(Event::Print(prints.len() - 1));
                    }
                    Action::Fork(var) => {
                        if processes.len() == MAX_PROCESSES {
                            return Err(TooBig);
                        }
                        let kid = processes.len();
                        processes.push(ModelProcess {
                            parent: Some(me),
                            prints: Vec::new(),
                            forks: 0,
                        });
                        processes[me].forks += 1;
                        // Process numbers are stored +1: 0 means "I am the child".
                        queue.push((kid, regs.child_copy(var)));
                        regs.set(var, kid as i64 + 1);
                        chain.push(Event::Fork(kid));
                    }
                    Action::Wait(value) => chain.push(Event::Wait(value as usize - 1)),
                    Action::End => {
                        chain.push(Event::End);
                        break;
                    }
                }
                if chain.len() > 4096 {
                    return Err(TooBig);
                }
            }
            if chains.len() <= me {
                chains.resize(me + 1, Vec::new());
            }
            chains[me] = chain;
        }
        let (before, reasons) = order(&chains, prints.len());
        Ok(Model {
            processes,
            prints,
            before,
            reasons,
        })
    }

    /// Total number of processes, the first one included.
    pub fn process_count(&self) -> usize {
        self.processes.len()
    }

    /// Total number of lines printed.
    pub fn line_count(&self) -> usize {
        self.prints.len()
    }

    /// How many times each label is printed, in label order.
    pub fn label_counts(&self) -> Vec<(char, usize)> {
        let mut counts: Vec<(char, usize)> = Vec::new();
        for p in &self.prints {
            match counts.iter_mut().find(|(c, _)| *c == p.label) {
                Some((_, n)) => *n += 1,
                None => counts.push((p.label, 1)),
            }
        }
        counts.sort();
        counts
    }

    /// Whether `labels` is a possible output; if not, why not.
    pub fn check(&self, labels: &[char]) -> Result<(), Impossible> {
        if labels.len() != self.prints.len() {
            // Not a permutation of the lines: the counts are wrong, which the caller explains.
            return Err(Impossible {
                position: labels.len().min(self.prints.len()),
                label: labels.get(self.prints.len()).copied().unwrap_or('?'),
                blocked_by: Vec::new(),
                because: Because::TooMany,
            });
        }
        let mut seen = HashSet::new();
        let mut deepest = (0usize, 0u64);
        if self.extend(labels, 0, &mut seen, &mut deepest) {
            return Ok(());
        }
        Err(self.why_stuck(labels, deepest.0, deepest.1))
    }

    /// Depth-first search for a way to print `labels` from `done` (the prints already out).
    fn extend(
        &self,
        labels: &[char],
        done: u64,
        seen: &mut HashSet<u64>,
        deepest: &mut (usize, u64),
    ) -> bool {
        let at = done.count_ones() as usize;
        if at == labels.len() {
            return true;
        }
        if !seen.insert(done) {
            return false;
        }
        if at >= deepest.0 {
            *deepest = (at, done);
        }
        for (i, p) in self.prints.iter().enumerate() {
            let bit = 1u64 << i;
            if done & bit == 0
                && p.label == labels[at]
                && self.before[i] & !done == 0
                && self.extend(labels, done | bit, seen, deepest)
            {
                return true;
            }
        }
        false
    }

    /// At the deepest point the search reached: the label it needed, and what blocks every print
    /// of that label that is still to come.
    fn why_stuck(&self, labels: &[char], position: usize, done: u64) -> Impossible {
        let label = labels[position];
        let mut blocked_by = Vec::new();
        let mut because = None;
        for (i, p) in self.prints.iter().enumerate() {
            if done & (1 << i) != 0 || p.label != label {
                continue;
            }
            // The direct reasons whose earlier print is not out yet, else the first indirect one.
            let mut missing: Vec<(usize, Because)> = self.reasons[i]
                .iter()
                .filter(|(j, _)| done & (1 << j) == 0)
                .copied()
                .collect();
            if missing.is_empty()
                && let Some(j) =
                    (0..self.prints.len()).find(|&j| self.before[i] & !done & (1 << j) != 0)
            {
                missing.push((j, Because::SameProcess));
            }
            for (j, kind) in missing {
                blocked_by.push((kind, self.prints[j].label));
                because = Some(because.map_or(kind, |k: Because| k.max(kind)));
            }
        }
        // Name the blocks of the strongest kind only, so the sentence says one true thing.
        let mut blocked_by: Vec<char> = blocked_by
            .into_iter()
            .filter(|(kind, _)| Some(*kind) == because)
            .map(|(_, c)| c)
            .collect();
        blocked_by.sort();
        blocked_by.dedup();
        Impossible {
            position,
            label,
            blocked_by,
            // No print of this label is left: the output has too many of it.
            because: because.unwrap_or(Because::TooMany),
        }
    }

    /// A random possible order: repeatedly print one of the lines whose predecessors are out.
    pub fn random_order(&self, rng: &mut fastrand::Rng) -> Vec<char> {
        let mut done = 0u64;
        let mut out = Vec::new();
        while out.len() < self.prints.len() {
            let ready: Vec<usize> = (0..self.prints.len())
                .filter(|&i| done & (1 << i) == 0 && self.before[i] & !done == 0)
                .collect();
            let pick = ready[rng.usize(..ready.len())];
            done |= 1 << pick;
            out.push(self.prints[pick].label);
        }
        out
    }
}

/// The partial order on prints: for each print the set of prints before it, and its direct
/// reasons. Events are numbered per chain; an edge joins each event to the next in its chain, a
/// fork to the child's start, a child's end to the parent's wait.
fn order(chains: &[Vec<Event>], print_count: usize) -> (Vec<u64>, Vec<Vec<(usize, Because)>>) {
    // Predecessors of each event, with the kind of edge.
    type Node = (usize, usize); // (process, index in its chain)
    let mut preds: Vec<Vec<Vec<(Node, Edge)>>> =
        chains.iter().map(|c| vec![Vec::new(); c.len()]).collect();
    for (p, chain) in chains.iter().enumerate() {
        for (k, event) in chain.iter().enumerate() {
            if k > 0 {
                preds[p][k].push(((p, k - 1), Edge::Program));
            }
            match *event {
                Event::Fork(kid) => preds[kid][0].push(((p, k), Edge::Fork)),
                Event::Wait(kid) => {
                    let end = chains[kid].len() - 1;
                    preds[p][k].push(((kid, end), Edge::Wait));
                }
                _ => {}
            }
        }
    }
    // For each event: the prints before it, each with the strongest edge kind on a path to it
    // (wait > fork > program order), so the explanation names the edge a student must notice.
    let mut memo: Memo = chains.iter().map(|c| vec![None; c.len()]).collect();
    fn visit(
        node: Node,
        chains: &[Vec<Event>],
        preds: &[Vec<Vec<(Node, Edge)>>],
        memo: &mut Memo,
    ) -> Earlier {
        if let Some(known) = &memo[node.0][node.1] {
            return known.clone();
        }
        let mut acc: Earlier = Vec::new();
        for &(pred, edge) in &preds[node.0][node.1] {
            let mut add = |print: usize, kind: Edge| match acc.iter_mut().find(|(p, _)| *p == print)
            {
                Some((_, k)) => *k = (*k).max(kind),
                None => acc.push((print, kind)),
            };
            if let Event::Print(i) = chains[pred.0][pred.1] {
                add(i, edge);
            }
            for (i, kind) in visit(pred, chains, preds, memo) {
                add(i, kind.max(edge));
            }
        }
        memo[node.0][node.1] = Some(acc.clone());
        acc
    }
    let mut before = vec![0u64; print_count];
    let mut reasons = vec![Vec::new(); print_count];
    for (p, chain) in chains.iter().enumerate() {
        for (k, event) in chain.iter().enumerate() {
            if let Event::Print(i) = *event {
                let preds_of = visit((p, k), chains, &preds, &mut memo);
                for &(j, _) in &preds_of {
                    before[i] |= 1 << j;
                }
                let mut list: Vec<(usize, Because)> = preds_of
                    .into_iter()
                    .map(|(j, kind)| (j, kind.because()))
                    .collect();
                // The nearest first: the latest print before it.
                list.sort_by_key(|&(j, _)| std::cmp::Reverse(j));
                reasons[i] = list;
            }
        }
    }
    (before, reasons)
}

/// The prints before an event, each with the strongest kind of edge on a path from it.
type Earlier = Vec<(usize, Edge)>;
/// [`Earlier`] per event of each chain, once computed.
type Memo = Vec<Vec<Option<Earlier>>>;

/// The kind of an edge, ordered by how much it tells a student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Edge {
    Program,
    Fork,
    Wait,
}

impl Edge {
    fn because(self) -> Because {
        match self {
            Edge::Program => Because::SameProcess,
            Edge::Fork => Because::BeforeFork,
            Edge::Wait => Because::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::program::{LEVELS, Stmt};
    use super::*;

    fn program(body: Vec<Stmt>) -> Program {
        Program {
            seed: 0,
            level: 3,
            body,
        }
    }

    #[test]
    fn n_forks_in_a_row_make_two_to_the_n_processes() {
        for n in 1..=5 {
            let m = Model::of(&program(
                std::iter::repeat_n(Stmt::Fork, n)
                    .chain([Stmt::Print('A')])
                    .collect(),
            ))
            .unwrap();
            assert_eq!(m.process_count(), 1 << n);
            assert_eq!(m.line_count(), 1 << n);
        }
    }

    #[test]
    fn a_line_printed_before_the_fork_comes_first() {
        let m = Model::of(&program(vec![
            Stmt::Print('A'),
            Stmt::Fork,
            Stmt::Print('B'),
        ]))
        .unwrap();
        assert_eq!(m.check(&['A', 'B', 'B']), Ok(()));
        let no = m.check(&['B', 'A', 'B']).unwrap_err();
        assert_eq!(
            (no.position, no.label, no.blocked_by, no.because),
            (0, 'B', vec!['A'], Because::BeforeFork)
        );
    }

    #[test]
    fn a_wait_orders_the_childs_lines_before_the_parents() {
        let m = Model::of(&program(vec![Stmt::ForkIf {
            var: 0,
            child: vec![Stmt::Print('B')],
            parent: vec![Stmt::Wait { var: 0 }, Stmt::Print('C')],
        }]))
        .unwrap();
        assert_eq!(m.check(&['B', 'C']), Ok(()));
        let no = m.check(&['C', 'B']).unwrap_err();
        assert_eq!(
            (no.label, no.blocked_by, no.because),
            ('C', vec!['B'], Because::Wait)
        );
        // Without the wait both orders are possible.
        let free = Model::of(&program(vec![Stmt::ForkIf {
            var: 0,
            child: vec![Stmt::Print('B')],
            parent: vec![Stmt::Print('C')],
        }]))
        .unwrap();
        assert_eq!(free.check(&['C', 'B']), Ok(()));
    }

    #[test]
    fn the_child_of_a_fork_cannot_print_before_what_came_before_the_fork() {
        let m = Model::of(&program(vec![
            Stmt::ForkIf {
                var: 0,
                child: vec![Stmt::Exit],
                parent: vec![Stmt::Print('A')],
            },
            Stmt::Fork,
            Stmt::Print('B'),
        ]))
        .unwrap();
        // The parent prints A, then forks; both print B. The child of the first fork exits.
        assert_eq!(m.process_count(), 3);
        let no = m.check(&['B', 'A', 'B']).unwrap_err();
        assert_eq!((no.label, no.blocked_by), ('B', vec!['A']));
    }

    #[test]
    fn a_wait_does_not_wait_for_grandchildren() {
        // The child forks a grandchild; both print G. The parent waits for its child only.
        let m = Model::of(&program(vec![Stmt::ForkIf {
            var: 0,
            child: vec![Stmt::Fork, Stmt::Print('G')],
            parent: vec![Stmt::Wait { var: 0 }, Stmt::Print('P')],
        }]))
        .unwrap();
        assert_eq!(m.check(&['G', 'P', 'G']), Ok(()));
        assert!(m.check(&['P', 'G', 'G']).is_err());
    }

    #[test]
    fn random_orders_are_possible_and_counts_match() {
        for level in LEVELS {
            for seed in 0..40 {
                let p = Program::generate(seed, level);
                let m = Model::of(&p).unwrap();
                let mut rng = fastrand::Rng::with_seed(seed);
                for _ in 0..5 {
                    let order = m.random_order(&mut rng);
                    assert_eq!(m.check(&order), Ok(()), "{p:?} {order:?}");
                }
                let total: usize = m.label_counts().iter().map(|(_, n)| n).sum();
                assert_eq!(total, m.line_count());
            }
        }
    }
}
