//! Modules import one way: fails when sibling modules of a workspace crate use each other in a loop,
//! printing every loop with one line of code for each of its steps.
//!
//! # The rule
//!
//! Every crate root (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`) of every workspace member is read,
//! and its module tree followed through `mod x;` declarations (`x.rs`, `x/mod.rs` or `#[path]`).
//! A module *uses* another when one of its lines names it by a path: a `use` (`crate::`, `super::`,
//! `self::` or a child declared in the same file) or a `crate::a::b` / `super::a` path in code. A
//! path is resolved to the deepest module it names; a name a module re-exports (`pub use`, any
//! visibility) is followed to where it comes from, so `use crate::Dict` counts as a use of the
//! module `Dict` is defined in, not of `lib.rs`.
//!
//! Uses are then lifted to siblings: when `a::x` uses `b::y`, siblings `a` and `b` use each other.
//! A loop among the children of one module (`a` uses `b`, `b` uses `a`, directly or through other
//! siblings) is a cycle and fails the test. Uses between a module and its own ancestors or
//! descendants are not edges: a parent declares and re-exports its children (its facade), and a
//! child may use what its parent defines (`use super::*` in tests, shared helpers of `mod.rs`).
//!
//! # Limits (a line-based scan, not a compiler)
//!
//! - Comments and string literals are blanked before the scan (raw strings with `#` delimiters
//!   included); a path split across lines outside a `use` statement is not seen.
//! - Glob imports and glob re-exports (`use a::*`) resolve to the module they name only.
//! - Macros are not expanded: a path built inside `macro_rules!` is seen as written.
//! - Items of an inline `mod x { ... }` belong to the file's module (their `super::` is adjusted),
//!   so an inline module is never one end of a cycle.
//! - `#[cfg(test)]` modules (inline or in their own file) are skipped: tests stand above the code
//!   they test and may use anything. Any other `#[cfg]` is ignored (platform-only uses count).
//! - A path starting with a name brought in by an earlier `use` (`use crate::a; a::f()`) is not
//!   followed -- the `use` itself already counts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One module of a crate: its path from the root (`[]` for the root) and its source file.
#[derive(Debug)]
struct Module {
    path: Vec<String>,
    file: PathBuf,
}

/// A use found in a module: the path it names (from `crate`) and where it was written.
#[derive(Debug)]
struct Reference {
    target: Vec<String>,
    line: usize,
    text: String,
}

/// A `pub use` of a module: `name` (the alias, if any) stands for `target` (from `crate`).
#[derive(Debug, Default)]
struct Reexports(HashMap<String, Vec<String>>);

/// The modules of one crate root, their references and re-exports, indexed by module path.
#[derive(Debug, Default)]
struct CrateGraph {
    name: String,
    modules: BTreeMap<Vec<String>, Module>,
    references: BTreeMap<Vec<String>, Vec<Reference>>,
    reexports: BTreeMap<Vec<String>, Reexports>,
}

/// A loop among the children of one module: `steps[i]` uses `steps[i + 1]` (and the last the
/// first), each with the line that shows it.
#[derive(Debug)]
struct Cycle {
    crate_name: String,
    parent: Vec<String>,
    /// Every sibling in the loop's strongly connected component (sorted).
    component: Vec<String>,
    steps: Vec<(String, String)>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.steps.iter().map(|(n, _)| n.as_str()).collect();
        let parent = if self.parent.is_empty() {
            "crate".to_string()
        } else {
            format!("crate::{}", self.parent.join("::"))
        };
        writeln!(
            f,
            "{}: {parent}: {{{}}}, e.g. {} -> {}",
            self.crate_name,
            self.component.join(", "),
            names.join(" -> "),
            names[0]
        )?;
        for (_, evidence) in &self.steps {
            writeln!(f, "    {evidence}")?;
        }
        Ok(())
    }
}

/// Replaces comments and the contents of string and char literals by spaces, keeping line breaks,
/// so that the scan sees code only.
fn blank_comments_and_strings(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let keep_lines = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(keep_lines(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push('"');
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                out.push(keep_lines(b[j]));
                j += 1;
            }
            out.push('"');
            i = j;
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(keep_lines(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): only the former is blanked.
            let close = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            if let Some(j) = close {
                out.push('\'');
                out.push_str(&" ".repeat(j - i - 1));
                out.push('\'');
                i = j + 1;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d, e as f}, g::*}`) into `(path, name it binds)` pairs.
fn expand_use_tree(tree: &str) -> Vec<(Vec<String>, String)> {
    fn split_top(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&s[start..]);
        parts
    }
    fn go(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, String)>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut p = prefix.to_vec();
            p.extend(head);
            for part in split_top(inner) {
                go(&p, part, out);
            }
            return;
        }
        let (path, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p.trim(), Some(a.trim())),
            None => (tree, None),
        };
        let mut p = prefix.to_vec();
        p.extend(
            path.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        let name = alias
            .map(String::from)
            .or_else(|| p.last().cloned())
            .unwrap_or_default();
        // `self` in a group (`a::{self, b}`) names `a` itself.
        let name = if name == "self" {
            p.pop();
            p.last().cloned().unwrap_or_default()
        } else {
            name
        };
        out.push((p, name));
    }
    let mut out = Vec::new();
    go(&[], tree, &mut out);
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The statements and paths of one file, after blanking comments and strings.
struct FileScan {
    /// `mod x;` declarations: (name, `#[path]` if any, under `#[cfg(test)]`).
    child_decls: Vec<(String, Option<String>, bool)>,
    /// `use` statements: (line, is `pub`, text of the tree, inline-module depth).
    uses: Vec<(usize, bool, String, usize)>,
    /// `crate::`/`super::`/`self::` paths outside `use`: (line, segments, inline-module depth).
    paths: Vec<(usize, Vec<String>, usize)>,
}

/// The `crate::`/`super::`/`self::` paths in a line of code (not those inside a longer path such
/// as `a::super::b`), each as its segments.
fn qualified_paths(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for prefix in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix) {
            let at = from + i;
            from = at + prefix.len();
            if at > 0 {
                let before = text[..at].chars().last().unwrap_or(' ');
                if is_ident_char(before) || (before == ':' && prefix != "crate::") {
                    continue;
                }
            }
            let end = text[at..]
                .find(|c: char| !(is_ident_char(c) || c == ':'))
                .map_or(text.len(), |e| at + e);
            found.push(
                text[at..end]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            );
            from = end.max(from);
        }
    }
    found
}

/// Follows the brace depth through a line, closing the inline `mod x {` blocks that end on it.
fn track_braces(line: &str, depth: &mut usize, inline_mods: &mut Vec<(usize, bool)>) {
    for c in line.chars() {
        match c {
            '{' => *depth += 1,
            '}' => {
                *depth = depth.saturating_sub(1);
                if inline_mods.last().is_some_and(|m| m.0 == *depth) {
                    inline_mods.pop();
                }
            }
            _ => {}
        }
    }
}

fn scan_file(src: &str) -> FileScan {
    let code = blank_comments_and_strings(src);
    let mut scan = FileScan {
        child_decls: Vec::new(),
        uses: Vec::new(),
        paths: Vec::new(),
    };
    let mut pending_path: Option<String> = None;
    let mut pending_cfg_test = false;
    // Brace depth, and the depths at which inline `mod x {` blocks opened (and whether it is a
    // `#[cfg(test)]` one, whose lines are not scanned).
    let mut depth = 0usize;
    let mut inline_mods: Vec<(usize, bool)> = Vec::new();
    let mut in_use: Option<(usize, bool, String)> = None;
    for (n, line) in code.lines().enumerate() {
        let line_no = n + 1;
        let original = src.lines().nth(n).unwrap_or("");
        let trimmed = line.trim();
        if trimmed.starts_with("#[cfg(test)]") {
            pending_cfg_test = true;
        }
        if trimmed.starts_with("#[path") {
            pending_path = original.split('"').nth(1).map(String::from);
        }
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        let after_vis = words
            .iter()
            .position(|w| !w.starts_with("pub"))
            .unwrap_or(words.len());
        let is_pub = after_vis > 0;
        if words.get(after_vis) == Some(&"mod") {
            if let Some(name) = words.get(after_vis + 1) {
                if let Some(name) = name.strip_suffix(';') {
                    if inline_mods.is_empty() {
                        scan.child_decls.push((
                            name.to_string(),
                            pending_path.take(),
                            pending_cfg_test,
                        ));
                    }
                } else if trimmed.ends_with('{') {
                    let in_test = pending_cfg_test || inline_mods.last().is_some_and(|m| m.1);
                    inline_mods.push((depth, in_test));
                }
            }
        }
        if !trimmed.starts_with("#[") {
            pending_path = None;
            pending_cfg_test = false;
        }
        let in_test = inline_mods.last().is_some_and(|m| m.1);
        let mut rest_for_paths = line.to_string();
        if in_use.is_none() && words.get(after_vis) == Some(&"use") {
            let start = line.find("use ").map_or(0, |i| i + 4);
            in_use = Some((line_no, is_pub, String::new()));
            rest_for_paths = line[..start].to_string();
            if let Some((_, _, text)) = in_use.as_mut() {
                text.push_str(&line[start..]);
            }
        } else if let Some((_, _, text)) = in_use.as_mut() {
            text.push(' ');
            text.push_str(line);
            rest_for_paths.clear();
        }
        if let Some((start, is_pub, text)) = in_use.take() {
            if let Some(end) = text.find(';') {
                if !in_test {
                    scan.uses
                        .push((start, is_pub, text[..end].to_string(), inline_mods.len()));
                }
                rest_for_paths = text[end + 1..].to_string();
            } else {
                in_use = Some((start, is_pub, text));
            }
        }
        if !in_test {
            for segments in qualified_paths(&rest_for_paths) {
                scan.paths.push((line_no, segments, inline_mods.len()));
            }
        }
        track_braces(line, &mut depth, &mut inline_mods);
    }
    scan
}

/// A path as written in `module` (`crate::..`, `super::..`, `self::..`, or starting with a child
/// declared in the module), made absolute from `crate`; `None` for paths into other crates.
fn absolute(
    module: &[String],
    inline_depth: usize,
    segments: &[String],
    children: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let first = segments.first()?;
    let mut base: Vec<String> = module.to_vec();
    let mut rest = segments;
    match first.as_str() {
        "crate" => {
            base.clear();
            rest = &segments[1..];
        }
        "self" | "super" => {
            // Inside an inline module, the first `super` leads back to the file's module.
            let mut skip = inline_depth;
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "self" => {}
                    "super" if skip > 0 => skip -= 1,
                    "super" => {
                        base.pop()?;
                    }
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        name if children.contains(name) => {}
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

impl CrateGraph {
    /// Reads the module tree of the crate root `root` through `read`.
    fn load(name: &str, root: &Path, read: &dyn Fn(&Path) -> Option<String>) -> CrateGraph {
        let mut graph = CrateGraph {
            name: name.to_string(),
            ..CrateGraph::default()
        };
        let mut todo = vec![(Vec::<String>::new(), root.to_path_buf(), false)];
        while let Some((path, file, test_only)) = todo.pop() {
            if graph.modules.contains_key(&path) {
                continue;
            }
            let Some(src) = read(&file) else { continue };
            let scan = scan_file(&src);
            let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let is_dir_owner = path.is_empty() || stem == "mod";
            let children: BTreeSet<String> =
                scan.child_decls.iter().map(|(n, ..)| n.clone()).collect();
            for (child, explicit, cfg_test) in &scan.child_decls {
                let child_file = if let Some(p) = explicit {
                    dir.join(p)
                } else {
                    let child_dir = if is_dir_owner {
                        dir.clone()
                    } else {
                        dir.join(stem)
                    };
                    let flat = child_dir.join(format!("{child}.rs"));
                    if read(&flat).is_some() {
                        flat
                    } else {
                        child_dir.join(child).join("mod.rs")
                    }
                };
                let mut child_path = path.clone();
                child_path.push(child.clone());
                todo.push((child_path, child_file, test_only || *cfg_test));
            }
            let mut refs = Vec::new();
            let mut reexports = Reexports::default();
            let lines: Vec<&str> = src.lines().collect();
            let text_of = |line: usize| lines.get(line - 1).map_or("", |l| l.trim()).to_string();
            let no_uses = Vec::new();
            let (uses, paths) = if test_only {
                (&no_uses, &Vec::new())
            } else {
                (&scan.uses, &scan.paths)
            };
            for (line, is_pub, tree, inline_depth) in uses {
                for (segments, bound) in expand_use_tree(tree) {
                    let Some(target) = absolute(&path, *inline_depth, &segments, &children) else {
                        continue;
                    };
                    if *is_pub && *inline_depth == 0 && bound != "*" {
                        reexports.0.insert(bound, target.clone());
                    }
                    refs.push(Reference {
                        target,
                        line: *line,
                        text: text_of(*line),
                    });
                }
            }
            for (line, segments, inline_depth) in paths {
                if let Some(target) = absolute(&path, *inline_depth, segments, &children) {
                    refs.push(Reference {
                        target,
                        line: *line,
                        text: text_of(*line),
                    });
                }
            }
            graph.references.insert(path.clone(), refs);
            graph.reexports.insert(path.clone(), reexports);
            graph.modules.insert(
                path,
                Module {
                    path: Vec::new(),
                    file,
                },
            );
        }
        for (path, module) in &mut graph.modules {
            module.path.clone_from(path);
        }
        graph
    }

    /// The module an absolute path leads to: its deepest module prefix, through re-exports.
    fn resolve(&self, target: &[String], hops: usize) -> Vec<String> {
        let mut module: Vec<String> = Vec::new();
        for (i, seg) in target.iter().enumerate() {
            let mut next = module.clone();
            next.push(seg.clone());
            if self.modules.contains_key(&next) {
                module = next;
                continue;
            }
            if hops < 8 {
                if let Some(to) = self.reexports.get(&module).and_then(|r| r.0.get(seg)) {
                    let mut full = to.clone();
                    full.extend(target[i + 1..].iter().cloned());
                    if full != target {
                        return self.resolve(&full, hops + 1);
                    }
                }
            }
            break;
        }
        module
    }

    /// Sibling-level uses: for each parent, `from child -> to child -> evidence`.
    #[allow(clippy::type_complexity)]
    fn sibling_edges(&self) -> BTreeMap<Vec<String>, BTreeMap<String, BTreeMap<String, String>>> {
        let mut edges: BTreeMap<Vec<String>, BTreeMap<String, BTreeMap<String, String>>> =
            BTreeMap::new();
        for (from, refs) in &self.references {
            for r in refs {
                let to = self.resolve(&r.target, 0);
                let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
                // Same module, or one is an ancestor of the other: not a sibling use.
                if common == from.len() || common == to.len() {
                    continue;
                }
                let evidence = format!(
                    "{}:{}: {}",
                    self.modules[from].file.display(),
                    r.line,
                    r.text
                );
                edges
                    .entry(from[..common].to_vec())
                    .or_default()
                    .entry(from[common].clone())
                    .or_default()
                    .entry(to[common].clone())
                    .or_insert(evidence);
            }
        }
        edges
    }

    /// Every loop among siblings: one per strongly connected component of more than one module.
    fn cycles(&self) -> Vec<Cycle> {
        let mut found = Vec::new();
        for (parent, graph) in self.sibling_edges() {
            for component in strongly_connected(&graph) {
                if component.len() < 2 {
                    continue;
                }
                let steps = loop_through(&graph, &component)
                    .into_iter()
                    .collect::<Vec<_>>();
                found.push(Cycle {
                    crate_name: self.name.clone(),
                    parent: parent.clone(),
                    component: component.clone(),
                    steps,
                });
            }
        }
        found
    }
}

type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// Tarjan's strongly connected components.
fn strongly_connected(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: HashMap<&'a str, usize>,
        low: HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut s = State {
        graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// A shortest loop from the component's first module back to it, inside the component, as
/// (module, evidence of its use of the next).
fn loop_through(graph: &Graph, component: &[String]) -> Vec<(String, String)> {
    let start = &component[0];
    let inside: BTreeSet<&String> = component.iter().collect();
    // Breadth-first from start's successors back to start.
    let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        let Some(next) = graph.get(v) else { continue };
        for w in next.keys() {
            if !inside.contains(w) || came_from.contains_key(w) {
                continue;
            }
            came_from.insert(w, v);
            if w == start {
                queue.clear();
                break;
            }
            queue.push_back(w);
        }
    }
    let mut order = vec![start];
    let mut at = came_from[start];
    while at != start {
        order.push(at);
        at = came_from[at];
    }
    order.reverse();
    // `order` is start's predecessors back from start: rotate so it reads start -> ... .
    order.rotate_right(1);
    (0..order.len())
        .map(|i| {
            let (a, b) = (order[i], order[(i + 1) % order.len()]);
            (a.clone(), graph[a][b].clone())
        })
        .collect()
}

/// The workspace members listed in the root `Cargo.toml`.
fn workspace_members(root: &Path) -> Vec<PathBuf> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("root Cargo.toml");
    let start = manifest
        .find("members")
        .expect("a [workspace] members list");
    let list = &manifest[start..];
    let list = &list[list.find('[').expect("members = [")..list.find(']').expect("]")];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(|m| root.join(m))
        .collect()
}

/// The crate roots of a package: `src/lib.rs`, `src/main.rs`, `src/bin/*.rs`.
fn crate_roots(package: &Path) -> Vec<PathBuf> {
    let src = package.join("src");
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .filter(|p| p.is_file())
        .collect();
    if let Ok(bins) = std::fs::read_dir(src.join("bin")) {
        let mut bins: Vec<PathBuf> = bins
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        bins.sort();
        roots.extend(bins);
    }
    roots
}

/// Crate roots read, modules read and the cycles found; file names are relative to `root`.
fn workspace_cycles(root: &Path) -> (usize, usize, Vec<Cycle>) {
    let read = |p: &Path| std::fs::read_to_string(root.join(p)).ok();
    let (mut crates, mut modules, mut cycles) = (0, 0, Vec::new());
    for package in workspace_members(root) {
        let package_name = package.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        for crate_root in crate_roots(&package) {
            let crate_root = crate_root.strip_prefix(root).unwrap_or(&crate_root);
            let stem = crate_root
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("?");
            let graph = CrateGraph::load(&format!("{package_name} ({stem})"), crate_root, &read);
            crates += 1;
            modules += graph.modules.len();
            cycles.extend(graph.cycles());
        }
    }
    (crates, modules, cycles)
}

#[test]
fn no_module_cycles_in_the_workspace() {
    // MODULE_GRAPH_ROOT checks another checkout (to compare before and after a change).
    let root = std::env::var_os("MODULE_GRAPH_ROOT").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("xtask sits in the workspace root")
                .to_path_buf()
        },
        PathBuf::from,
    );
    let (crates, modules, cycles) = workspace_cycles(&root);
    // A scan that found nothing would pass for the wrong reason.
    assert!(
        crates >= 6 && modules >= 50,
        "read {crates} crate roots, {modules} modules"
    );
    let mut report = String::new();
    for c in &cycles {
        let _ = write!(report, "{c}");
    }
    assert!(
        cycles.is_empty(),
        "{} module cycles (of {modules} modules in {crates} crate roots); each line below one step \
         of the loop:\n{report}",
        cycles.len()
    );
}

/// The scan on a small crate in memory: the cycles it must find and the uses it must not count.
#[test]
fn finds_sibling_loops_and_ignores_facades() {
    let files: HashMap<PathBuf, &str> = [
        (
            "src/lib.rs",
            "mod a;\nmod b;\nmod c;\nmod d;\npub mod e;\npub use a::Thing;\npub use d::Other;\n\
             /// crate::c::x in a comment\nfn f() { let s = \"crate::c::y\"; }\n",
        ),
        // a -> b through the re-export of `Other` (crate::Other is d's): a uses d, not the root.
        ("src/a.rs", "use crate::b::helper;\nuse crate::Other;\npub struct Thing;\n"),
        // b -> a through the root's re-export of a::Thing: the loop a -> b -> a.
        ("src/b.rs", "pub fn helper() -> crate::Thing { todo!() }\n"),
        // c is only named in a comment, a string and a test of e::f: no loop.
        (
            "src/c.rs",
            "pub fn x() {}\nfn y() { crate::e::F; }\n#[cfg(test)]\nmod tests;\n",
        ),
        ("src/c/tests.rs", "use crate::b::helper;\nfn t() { crate::c::x(); }\n"),
        ("src/d.rs", "pub struct Other;\n"),
        // e/mod.rs re-exports its children and they use the parent's helper: no loop.
        ("src/e/mod.rs", "mod f;\nmod g;\npub use f::F;\npub(crate) fn shared() {}\n"),
        (
            "src/e/f.rs",
            "use super::shared;\nuse super::g::G;\npub struct F;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::c::x;\n}\n",
        ),
        // g -> f in a multi-line grouped use: the loop f -> g -> f.
        ("src/e/g.rs", "use super::{\n    f::F,\n    shared,\n};\npub struct G;\n"),
    ]
    .into_iter()
    .map(|(p, s)| (PathBuf::from(p), s))
    .collect();
    let read = |p: &Path| files.get(p).map(|s| (*s).to_string());
    let graph = CrateGraph::load("demo", Path::new("src/lib.rs"), &read);
    assert_eq!(graph.modules.len(), 9);
    let found: Vec<String> = graph
        .cycles()
        .iter()
        .map(|c| {
            let names: Vec<&str> = c.steps.iter().map(|(n, _)| n.as_str()).collect();
            format!("{}: {}", c.parent.join("::"), names.join(" -> "))
        })
        .collect();
    assert_eq!(found, [": a -> b", "e: f -> g"]);
    let report = graph.cycles()[0].to_string();
    assert!(
        report.contains("src/a.rs:1: use crate::b::helper;")
            && report.contains("src/b.rs:1: pub fn helper() -> crate::Thing"),
        "{report}"
    );
}
