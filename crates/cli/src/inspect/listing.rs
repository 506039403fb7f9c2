//! The entries of a tree (or of the subtree at a path) in tree order, as `inspect` lists them:
//! at most `max_items` children of each dict and list (then a count of the rest, as `ls`-like
//! listings do for a 12,932-cell list), at most `depth` levels, and the entries the store could
//! not read marked `unsupported (<why>)` in their place.

use std::collections::HashMap;
use std::fmt::Write as _;

use arraydict::{Dict, MemoryOrder, NdArray, Node};
use serde_json::{json, Map, Value};

use super::values;

/// How much of the tree to list.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// Children listed per dict or list (`None`: all).
    pub max_items: Option<usize>,
    /// Levels listed below the first entry (`None`: all).
    pub depth: Option<usize>,
}

/// One line of the listing.
pub(super) struct Entry {
    /// Levels below the first entry.
    pub level: usize,
    /// The JSON object of this node (`None` for the "... more items" lines, which JSON says with
    /// an `"elided"` count on their parent).
    pub json: Option<Value>,
    pub text: String,
}

/// A node the listing can start from: the root, a node of it, a list element, an unsupported entry.
pub(super) enum Start<'a> {
    Node(&'a Node),
    Root(&'a Dict),
    Element(&'a NdArray),
    Unsupported(&'a str),
}

/// The entries the store left out, by their parent's path: `(name, why)`.
pub(super) type Unsupported<'a> = HashMap<String, Vec<(String, &'a str)>>;

/// Groups `(key path, why)` pairs by parent path.
pub(super) fn by_parent(entries: &[(String, String)]) -> Unsupported<'_> {
    let mut out: Unsupported<'_> = HashMap::new();
    for (key, why) in entries {
        let (parent, name) = key.rsplit_once('/').unwrap_or(("", key));
        let parent = if parent.is_empty() { "/" } else { parent };
        out.entry(parent.to_owned())
            .or_default()
            .push((name.to_owned(), why.as_str()));
    }
    out
}

fn order_name(a: &NdArray) -> &'static str {
    match a.order() {
        MemoryOrder::C => "C",
        MemoryOrder::F => "F",
        MemoryOrder::Permuted(_) => "K",
    }
}

/// numpy's spelling of a shape: `(6,)`, `(12932, 3)`.
fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(ToString::to_string).collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(", "))
    }
}

fn array_entry(path: &str, a: &NdArray, level: usize) -> Entry {
    let mut json = Map::new();
    json.insert("path".into(), path.into());
    json.insert("type".into(), "array".into());
    json.insert("dtype".into(), a.dtype().numpy_str().into());
    json.insert("shape".into(), json!(a.shape()));
    json.insert("order".into(), order_name(a).into());
    let mut text = format!(
        "{path}  {} {} order={}",
        a.dtype().numpy_str(),
        shape_text(a.shape()),
        order_name(a)
    );
    values::describe(a, &mut text, &mut json);
    // A surface's 1-D cell stream mixes counts and ids, so its shape and range do not say how
    // many cells it holds (SPEC 6).
    if path.ends_with("/CellData/CellPointIds") {
        if let Some(n) = arraydict::schema::cell_stream_cells(a) {
            let _ = write!(text, "  cell stream of {n} cells");
        }
    }
    Entry {
        level,
        json: Some(Value::Object(json)),
        text,
    }
}

/// Walks the tree, appending entries.
pub(super) struct Lister<'a> {
    pub limits: Limits,
    pub unsupported: &'a Unsupported<'a>,
    pub out: Vec<Entry>,
}

impl Lister<'_> {
    /// Lists `start` at `path`, then what is below it.
    pub(super) fn start(&mut self, path: &str, start: &Start<'_>) {
        match start {
            Start::Root(d) => self.dict(path, d, 0),
            Start::Node(node) => self.node(path, node, 0),
            Start::Element(a) => self.out.push(array_entry(path, a, 0)),
            Start::Unsupported(why) => self.out.push(unsupported_entry(path, why, 0)),
        }
    }

    fn node(&mut self, path: &str, node: &Node, level: usize) {
        match node {
            Node::Array(a) => self.out.push(array_entry(path, a, level)),
            Node::Dict(d) => self.dict(path, d, level),
            Node::List(l) => self.list(path, l, level),
        }
    }

    /// Whether the children of an entry at `level` are listed.
    fn opens(&self, level: usize) -> bool {
        self.limits.depth.is_none_or(|d| level < d)
    }

    fn dict(&mut self, path: &str, d: &Dict, level: usize) {
        let missing = self.unsupported.get(path).map_or(&[][..], Vec::as_slice);
        let mut keys: Vec<&str> = d.keys().collect();
        keys.extend(missing.iter().map(|(name, _)| name.as_str()));
        let n = keys.len();
        let shown = self.limits.max_items.map_or(n, |m| m.min(n));
        let mut json = json!({"path": path, "type": "dict", "keys": keys});
        let at = self.out.len();
        self.out.push(Entry {
            level,
            json: None,
            text: format!("{}/  dict of {n}", path.trim_end_matches('/')),
        });
        if self.opens(level) {
            let child = |name: &str| format!("{}/{name}", path.trim_end_matches('/'));
            for (name, node) in d.iter().take(shown) {
                self.node(&child(name), node, level + 1);
            }
            for (name, why) in missing.iter().take(shown.saturating_sub(d.len())) {
                self.out
                    .push(unsupported_entry(&child(name), why, level + 1));
            }
            self.elided(n - shown, level + 1, &mut json);
        }
        self.out[at].json = Some(json);
    }

    fn list(&mut self, path: &str, l: &[NdArray], level: usize) {
        let n = l.len();
        let shown = self.limits.max_items.map_or(n, |m| m.min(n));
        let mut json = json!({"path": path, "type": "list", "len": n});
        let at = self.out.len();
        self.out.push(Entry {
            level,
            json: None,
            text: format!("{path}  list of {n} arrays"),
        });
        if self.opens(level) {
            for (i, a) in l.iter().take(shown).enumerate() {
                self.out
                    .push(array_entry(&format!("{path}/{i}"), a, level + 1));
            }
            self.elided(n - shown, level + 1, &mut json);
        }
        self.out[at].json = Some(json);
    }

    /// The "... N more items" line of a dict or list with `n` children left out.
    fn elided(&mut self, n: usize, level: usize, json: &mut Value) {
        if n > 0 {
            json["elided"] = n.into();
            self.out.push(Entry {
                level,
                json: None,
                text: format!("... {n} more items"),
            });
        }
    }
}

fn unsupported_entry(path: &str, why: &str, level: usize) -> Entry {
    Entry {
        level,
        json: Some(json!({"path": path, "type": "unsupported", "reason": why})),
        text: format!("{path}  unsupported ({why})"),
    }
}
