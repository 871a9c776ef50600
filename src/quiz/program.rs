//! A small fork program: generated at random (repeatably, from a seed), printed as Python or C,
//! and compiled to a few instructions that both the model ([`super::model`]) and the real run
//! ([`super::run`]) execute.
//!
//! The language is the part of Python (and C) the exercises use, and nothing more:
//! `os.fork()`, `print("A")`, `for i in range(2):`, `pid = os.fork()` with
//! `if pid == 0: ... else: ...`, `os.waitpid(pid, 0)` (only in the parent's branch, for the child
//! that branch's fork made) and `os._exit(0)`.
//!
//! Every `print` flushes (`flush=True`; in C, stdout is line-buffered). Without it a
//! line still in the buffer at a `fork()` is copied into the child and printed twice, which is
//! another lesson (`toolkit fork-demo --buffer-trap`), not this one.

use std::fmt::Write as _;

use crate::i18n::{Lang, quiz as t};

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// `print("A", flush=True)`: prints its label on a line of its own.
    Print(char),
    /// `os.fork()`, its value ignored: both processes go on with the next statement.
    Fork,
    /// `for i in range(times):`
    Loop {
        var: char,
        times: u32,
        body: Vec<Stmt>,
    },
    /// `pidN = os.fork()` then `if pidN == 0: child else: parent`.
    ForkIf {
        var: u32,
        child: Vec<Stmt>,
        parent: Vec<Stmt>,
    },
    /// `os.waitpid(pidN, 0)`: in the parent's branch of `ForkIf { var: N }`, wait for that child.
    Wait { var: u32 },
    /// `os._exit(0)`: this process ends here.
    Exit,
}

/// A whole program, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub seed: u64,
    pub level: u8,
    pub body: Vec<Stmt>,
}

/// The two languages a program is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Python,
    C,
}

/// Program limits: a generated program makes at most this many processes...
pub const MAX_PROCESSES: usize = 64;
/// ...and prints at most this many lines (so every possible order can be checked exactly).
pub const MAX_LINES: usize = 24;

/// The lowest and highest `--level`.
pub const LEVELS: std::ops::RangeInclusive<u8> = 1..=3;

impl Program {
    /// A random program of `level` from `seed`: the same pair gives the same program. Draws are
    /// repeated (from the same seed's stream) until the program fits [`MAX_PROCESSES`] and
    /// [`MAX_LINES`], makes more than one process and prints something.
    pub fn generate(seed: u64, level: u8) -> Program {
        let mut rng = fastrand::Rng::with_seed(seed);
        loop {
            let mut g = Gen {
                rng: &mut rng,
                level,
                labels: 0,
                vars: 0,
                loops: 0,
            };
            let body = g.top();
            let program = Program { seed, level, body };
            if program.shows_its_level()
                && let Ok(model) = super::model::Model::of(&program)
                && model.processes.len() > 1
                && model.processes.len() <= MAX_PROCESSES
                && (2..=MAX_LINES).contains(&model.prints.len())
            {
                return program;
            }
        }
    }

    /// Whether the program uses what its level is about: a loop or an `if pid == 0` branch from
    /// level 2, a `waitpid` at level 3.
    fn shows_its_level(&self) -> bool {
        fn any(block: &[Stmt], want: &dyn Fn(&Stmt) -> bool) -> bool {
            block.iter().any(|s| {
                want(s)
                    || match s {
                        Stmt::Loop { body, .. } => any(body, want),
                        Stmt::ForkIf { child, parent, .. } => any(child, want) || any(parent, want),
                        _ => false,
                    }
            })
        }
        match self.level {
            1 => true,
            2 => any(&self.body, &|s| {
                matches!(s, Stmt::Loop { .. } | Stmt::ForkIf { .. })
            }),
            _ => any(&self.body, &|s| matches!(s, Stmt::Wait { .. })),
        }
    }

    /// The program's source in `code`.
    pub fn source(&self, code: Code, lang: Lang) -> String {
        match code {
            Code::Python => python(self, lang),
            Code::C => c(self, lang),
        }
    }

    /// The instructions the model and the real run execute.
    pub fn compile(&self) -> Compiled {
        let mut out = Compiled {
            ops: Vec::new(),
            loops: 0,
            vars: 0,
        };
        compile_block(&self.body, &mut out);
        out
    }
}

/// The random choices behind [`Program::generate`].
struct Gen<'a> {
    rng: &'a mut fastrand::Rng,
    level: u8,
    labels: u32,
    vars: u32,
    loops: u32,
}

impl Gen<'_> {
    fn label(&mut self) -> Stmt {
        let c = char::from(b'A' + (self.labels % 26) as u8);
        self.labels += 1;
        Stmt::Print(c)
    }

    fn top(&mut self) -> Vec<Stmt> {
        match self.level {
            1 => {
                // Straight line: 2 to 4 forks, a print after (and sometimes before) them.
                let mut body = Vec::new();
                if self.rng.bool() {
                    body.push(self.label());
                }
                for _ in 0..self.rng.u32(2..=4) {
                    body.push(Stmt::Fork);
                    if self.rng.u8(0..3) == 0 {
                        body.push(self.label());
                    }
                }
                if !matches!(body.last(), Some(Stmt::Print(_))) {
                    body.push(self.label());
                }
                body
            }
            _ => {
                let mut body = Vec::new();
                for _ in 0..self.rng.u32(2..=3) {
                    body.push(self.statement(0));
                }
                if !matches!(body.last(), Some(Stmt::Print(_))) {
                    body.push(self.label());
                }
                body
            }
        }
    }

    /// One statement of level 2 or 3, nested `depth` blocks deep.
    fn statement(&mut self, depth: u32) -> Stmt {
        let roll = self.rng.u8(0..10);
        match roll {
            0..=1 => self.label(),
            2..=3 => Stmt::Fork,
            4..=5 if depth == 0 => {
                let var = char::from(b'i' + (self.loops % 3) as u8);
                self.loops += 1;
                let times = self.rng.u32(2..=3);
                let mut body = vec![Stmt::Fork];
                if self.rng.bool() {
                    body.push(self.label());
                }
                if self.rng.u8(0..3) == 0 {
                    body.reverse();
                }
                Stmt::Loop { var, times, body }
            }
            _ if depth < 2 => self.fork_if(depth),
            _ => self.label(),
        }
    }

    fn fork_if(&mut self, depth: u32) -> Stmt {
        self.vars += 1;
        let var = self.vars;
        let mut child = vec![self.label()];
        if depth == 0 && self.rng.u8(0..3) == 0 {
            child.push(self.statement(depth + 1));
        }
        let mut parent = Vec::new();
        if self.rng.u8(0..3) > 0 {
            parent.push(self.label());
        }
        if self.level >= 3 {
            if self.rng.bool() {
                child.push(Stmt::Exit);
            }
            if self.rng.u8(0..3) > 0 {
                // wait first, then print: the print comes after everything the child printed.
                let at = if self.rng.bool() { 0 } else { parent.len() };
                parent.insert(at, Stmt::Wait { var });
                if at == parent.len() - 1 {
                    parent.push(self.label());
                }
            }
        }
        Stmt::ForkIf { var, child, parent }
    }
}

// ---- the two languages ---------------------------------------------------------------------

fn python(p: &Program, lang: Lang) -> String {
    let mut out = format!(
        "# toolkit quiz fork --seed {} --level {}\n",
        p.seed, p.level
    );
    for line in t::python_note(lang) {
        let _ = writeln!(out, "# {line}");
    }
    out.push_str("import os\n\n");
    py_block(&p.body, 0, &mut out);
    out
}

fn py_block(block: &[Stmt], depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for stmt in block {
        match stmt {
            Stmt::Print(c) => {
                let _ = writeln!(out, "{pad}print(\"{c}\", flush=True)");
            }
            Stmt::Fork => {
                let _ = writeln!(out, "{pad}os.fork()");
            }
            Stmt::Loop { var, times, body } => {
                let _ = writeln!(out, "{pad}for {var} in range({times}):");
                py_block(body, depth + 1, out);
            }
            Stmt::ForkIf { var, child, parent } => {
                let _ = writeln!(out, "{pad}pid{var} = os.fork()");
                let _ = writeln!(out, "{pad}if pid{var} == 0:");
                py_block(child, depth + 1, out);
                if !parent.is_empty() {
                    let _ = writeln!(out, "{pad}else:");
                    py_block(parent, depth + 1, out);
                }
            }
            Stmt::Wait { var } => {
                let _ = writeln!(out, "{pad}os.waitpid(pid{var}, 0)");
            }
            Stmt::Exit => {
                let _ = writeln!(out, "{pad}os._exit(0)");
            }
        }
    }
}

fn c(p: &Program, lang: Lang) -> String {
    let mut out = format!(
        "/* toolkit quiz fork --seed {} --level {} --code c */\n\
         #include <stdio.h>\n#include <sys/wait.h>\n#include <unistd.h>\n\n\
         int main(void)\n{{\n",
        p.seed, p.level
    );
    let note = t::c_note(lang);
    for (i, line) in note.iter().enumerate() {
        let open = if i == 0 { "/* " } else { "   " };
        let close = if i + 1 == note.len() { " */" } else { "" };
        let _ = writeln!(out, "    {open}{line}{close}");
    }
    out.push_str("    setvbuf(stdout, NULL, _IOLBF, BUFSIZ);\n");
    c_block(&p.body, 1, &mut out);
    out.push_str("    return 0;\n}\n");
    out
}

fn c_block(block: &[Stmt], depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for stmt in block {
        match stmt {
            Stmt::Print(c) => {
                let _ = writeln!(out, "{pad}printf(\"{c}\\n\");");
            }
            Stmt::Fork => {
                let _ = writeln!(out, "{pad}fork();");
            }
            Stmt::Loop { var, times, body } => {
                let _ = writeln!(out, "{pad}for (int {var} = 0; {var} < {times}; {var}++) {{");
                c_block(body, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Stmt::ForkIf { var, child, parent } => {
                let _ = writeln!(out, "{pad}pid_t pid{var} = fork();");
                let _ = writeln!(out, "{pad}if (pid{var} == 0) {{");
                c_block(child, depth + 1, out);
                if parent.is_empty() {
                    let _ = writeln!(out, "{pad}}}");
                } else {
                    let _ = writeln!(out, "{pad}}} else {{");
                    c_block(parent, depth + 1, out);
                    let _ = writeln!(out, "{pad}}}");
                }
            }
            Stmt::Wait { var } => {
                let _ = writeln!(out, "{pad}waitpid(pid{var}, NULL, 0);");
            }
            Stmt::Exit => {
                let _ = writeln!(out, "{pad}_exit(0);");
            }
        }
    }
}

// ---- instructions ---------------------------------------------------------------------------

/// One instruction. Jumps are absolute indices into [`Compiled::ops`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Print(char),
    /// Fork; in the parent, store the child in `var` (the child stores 0).
    Fork(Option<u32>),
    /// Jump when `var` is not 0 (we are the parent of that fork).
    IfParentJump {
        var: u32,
        to: usize,
    },
    Jump(usize),
    /// Set loop counter `slot` to 0.
    LoopInit(u32),
    /// Jump to `to` once counter `slot` has reached `times`.
    LoopTest {
        slot: u32,
        times: u32,
        to: usize,
    },
    LoopNext(u32),
    Wait(u32),
    Exit,
}

/// A compiled program: its instructions, and how many loop counters and pid variables it uses.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub ops: Vec<Op>,
    loops: u32,
    vars: u32,
}

fn compile_block(block: &[Stmt], out: &mut Compiled) {
    for stmt in block {
        match stmt {
            Stmt::Print(c) => out.ops.push(Op::Print(*c)),
            Stmt::Fork => out.ops.push(Op::Fork(None)),
            Stmt::Loop { times, body, .. } => {
                let slot = out.loops;
                out.loops += 1;
                out.ops.push(Op::LoopInit(slot));
                let test = out.ops.len();
                out.ops.push(Op::Jump(0)); // patched below
                compile_block(body, out);
                out.ops.push(Op::LoopNext(slot));
                out.ops.push(Op::Jump(test));
                let end = out.ops.len();
                out.ops[test] = Op::LoopTest {
                    slot,
                    times: *times,
                    to: end,
                };
            }
            Stmt::ForkIf { var, child, parent } => {
                out.vars = out.vars.max(*var + 1);
                out.ops.push(Op::Fork(Some(*var)));
                let branch = out.ops.len();
                out.ops.push(Op::Jump(0)); // patched below
                compile_block(child, out);
                let skip = out.ops.len();
                out.ops.push(Op::Jump(0)); // patched below
                let else_at = out.ops.len();
                compile_block(parent, out);
                let end = out.ops.len();
                out.ops[branch] = Op::IfParentJump {
                    var: *var,
                    to: else_at,
                };
                out.ops[skip] = Op::Jump(end);
            }
            Stmt::Wait { var } => out.ops.push(Op::Wait(*var)),
            Stmt::Exit => out.ops.push(Op::Exit),
        }
    }
}

/// What a process does next, as far as anyone outside it can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Print(char),
    /// Fork; the caller makes the child (with [`Regs::child_copy`]) and tells the parent who it
    /// is ([`Regs::set`]).
    Fork(Option<u32>),
    /// Wait for the child stored in this variable.
    Wait(i64),
    /// The process ends (`os._exit` or the end of the program).
    End,
}

/// A process's registers: where it is, its loop counters, its pid variables. `fork()` copies
/// them, as it copies the whole memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regs {
    pc: usize,
    counters: Vec<u32>,
    vars: Vec<i64>,
}

impl Compiled {
    /// The registers of the first process.
    pub fn start(&self) -> Regs {
        Regs {
            pc: 0,
            counters: vec![0; self.loops as usize],
            vars: vec![0; self.vars as usize],
        }
    }

    /// Run until the next thing others can see.
    pub fn step(&self, regs: &mut Regs) -> Action {
        loop {
            let Some(op) = self.ops.get(regs.pc) else {
                return Action::End;
            };
            regs.pc += 1;
            match *op {
                Op::Print(c) => return Action::Print(c),
                Op::Fork(var) => return Action::Fork(var),
                Op::IfParentJump { var, to } => {
                    if regs.vars[var as usize] != 0 {
                        regs.pc = to;
                    }
                }
                Op::Jump(to) => regs.pc = to,
                Op::LoopInit(slot) => regs.counters[slot as usize] = 0,
                Op::LoopTest { slot, times, to } => {
                    if regs.counters[slot as usize] >= times {
                        regs.pc = to;
                    }
                }
                Op::LoopNext(slot) => regs.counters[slot as usize] += 1,
                Op::Wait(var) => return Action::Wait(regs.vars[var as usize]),
                Op::Exit => {
                    regs.pc = self.ops.len();
                    return Action::End;
                }
            }
        }
    }
}

impl Regs {
    /// After `Action::Fork(var)`: the child's registers, a copy of ours in which `var` is 0.
    pub fn child_copy(&self, var: Option<u32>) -> Regs {
        let mut kid = self.clone();
        kid.set(var, 0);
        kid
    }

    /// In the parent, after the fork: store who the child is (a PID in the real run, a process
    /// number in the model; never 0).
    pub fn set(&mut self, var: Option<u32>, value: i64) {
        if let Some(v) = var {
            self.vars[v as usize] = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_program_and_others_differ() {
        for level in LEVELS {
            let a = Program::generate(7, level);
            assert_eq!(a, Program::generate(7, level));
            let differs = (8..20).any(|s| Program::generate(s, level).body != a.body);
            assert!(differs, "level {level}: every seed gave one program");
        }
    }

    #[test]
    fn python_and_c_say_the_same_program() {
        let p = Program {
            seed: 1,
            level: 3,
            body: vec![
                Stmt::Print('A'),
                Stmt::Loop {
                    var: 'i',
                    times: 2,
                    body: vec![Stmt::Fork],
                },
                Stmt::ForkIf {
                    var: 1,
                    child: vec![Stmt::Print('B'), Stmt::Exit],
                    parent: vec![Stmt::Wait { var: 1 }, Stmt::Print('C')],
                },
            ],
        };
        assert_eq!(
            p.source(Code::Python, Lang::En),
            "# toolkit quiz fork --seed 1 --level 3\n\
             # Each print is one write(). Not with python3 -u or PYTHONUNBUFFERED=1: then the text and\n\
             # the newline are two write()s, and the lines of two processes can mix (\"AA\", \"\").\n\
             import os\n\n\
             print(\"A\", flush=True)\n\
             for i in range(2):\n    os.fork()\n\
             pid1 = os.fork()\n\
             if pid1 == 0:\n    print(\"B\", flush=True)\n    os._exit(0)\n\
             else:\n    os.waitpid(pid1, 0)\n    print(\"C\", flush=True)\n"
        );
        let c = p.source(Code::C, Lang::Zh);
        assert!(c.contains("setvbuf(stdout, NULL, _IOLBF, BUFSIZ);"));
        assert!(c.contains("    for (int i = 0; i < 2; i++) {\n        fork();\n    }\n"));
        assert!(c.contains("    if (pid1 == 0) {\n        printf(\"B\\n\");\n        _exit(0);\n    } else {\n        waitpid(pid1, NULL, 0);\n"));
    }

    #[test]
    fn the_instructions_run_loops_and_branches() {
        let p = Program {
            seed: 0,
            level: 2,
            body: vec![
                Stmt::Loop {
                    var: 'i',
                    times: 2,
                    body: vec![Stmt::Print('A')],
                },
                Stmt::ForkIf {
                    var: 0,
                    child: vec![Stmt::Print('B')],
                    parent: vec![Stmt::Print('C')],
                },
            ],
        };
        let code = p.compile();
        let mut parent = code.start();
        assert_eq!(code.step(&mut parent), Action::Print('A'));
        assert_eq!(code.step(&mut parent), Action::Print('A'));
        assert_eq!(code.step(&mut parent), Action::Fork(Some(0)));
        let mut child = parent.child_copy(Some(0));
        parent.set(Some(0), 42);
        assert_eq!(code.step(&mut parent), Action::Print('C'));
        assert_eq!(code.step(&mut parent), Action::End);
        assert_eq!(code.step(&mut child), Action::Print('B'));
        assert_eq!(code.step(&mut child), Action::End);
    }
}
