//! `arraydict inspect`: the tree of each file as text or as SPEC section 10's JSON, with how the
//! file stores it (`h5ls -r` / `h5dump -H` / `pickletools` in one).

mod listing;
mod values;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use arraydict::schema::{detect_kind, Kind};
use arraydict::{Dict, Node};
use arraydict_store::Inspection;
use serde_json::{json, Map, Value};

use crate::args::InspectArgs;
use crate::commands::{print_stdout, vtk_to_tree, RunContext};
use crate::paths::{check_input, is_store_file};
use listing::{Limits, Lister, Start};

/// A file as `inspect` shows it.
struct Shown {
    tree: Dict,
    kind: Option<Kind>,
    /// The store's view of an ArrayDict file (`None` for a VTK file).
    stored: Option<Inspection>,
    file_size: u64,
}

fn load(file: &Path, a: &InspectArgs, run: &RunContext) -> Result<Shown> {
    check_input(file)?;
    let file_size = std::fs::metadata(file).map_or(0, |m| m.len());
    if is_store_file(file) {
        crate::options::check_store_input(file, &run.given)?;
        let opts = arraydict_store::ReadOptions {
            no_map: run.no_map,
            ..arraydict_store::ReadOptions::default()
        };
        let mut stored = arraydict_store::inspect(file, &opts)?;
        let tree = std::mem::take(&mut stored.tree);
        let kind = a.tree.kind.map(Kind::from).or_else(|| detect_kind(&tree));
        Ok(Shown {
            tree,
            kind,
            stored: Some(stored),
            file_size,
        })
    } else {
        crate::options::check_vtk_input(file, &run.given)?;
        let (tree, kind) = vtk_to_tree(file, &a.tree)?;
        crate::options::check_kind(kind, &run.given)?;
        Ok(Shown {
            tree,
            kind: Some(kind),
            stored: None,
            file_size,
        })
    }
}

/// The node at `path` (`/CellData`, `/CellData/CellPointIds/3`), or an error naming the path and
/// what exists where it stops.
fn select<'a>(
    shown: &'a Shown,
    unsupported: &'a [(String, String)],
    path: &str,
) -> Result<Start<'a>> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Ok(Start::Root(&shown.tree));
    }
    let normal = format!("/{}", parts.join("/"));
    if let Some((_, why)) = unsupported.iter().find(|(k, _)| *k == normal) {
        return Ok(Start::Unsupported(why));
    }
    let mut here = String::new();
    let mut dict = &shown.tree;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let Some(node) = dict.get(part) else {
            let keys: Vec<&str> = dict.keys().collect();
            let at = if here.is_empty() { "/" } else { &here };
            bail!("{normal}: no such key; {at} has {}", key_list(&keys));
        };
        here = format!("{here}/{part}");
        match node {
            _ if last => return Ok(Start::Node(node)),
            Node::Dict(d) => dict = d,
            Node::List(l) => {
                let index = parts[i + 1];
                let element = index.parse::<usize>().ok().and_then(|k| l.get(k));
                return match (element, i + 2 == parts.len()) {
                    (Some(a), true) => Ok(Start::Element(a)),
                    (Some(_), false) => {
                        bail!("{normal}: {here}/{index} is an array, it has no keys")
                    }
                    (None, _) => bail!(
                        "{normal}: no such element; {here} is a list of {} arrays (0 to {})",
                        l.len(),
                        l.len().saturating_sub(1)
                    ),
                };
            }
            Node::Array(_) => bail!("{normal}: {here} is an array, it has no keys"),
        }
    }
    unreachable!("the loop returns at the last part")
}

/// `a, b, c` (the first 20, then how many more), or `no keys`.
fn key_list(keys: &[&str]) -> String {
    match keys.len() {
        0 => "no keys".into(),
        n if n > 20 => format!("keys {}, ... ({} more)", keys[..20].join(", "), n - 20),
        _ => format!("keys {}", keys.join(", ")),
    }
}

/// What the first JSON entry says of the file itself.
fn file_fields(file: &Path, shown: &Shown) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("file".into(), file.display().to_string().into());
    m.insert(
        "kind".into(),
        shown.kind.map_or(Value::Null, |k| k.name().into()),
    );
    m.insert("file_size".into(), shown.file_size.into());
    let format = shown.stored.as_ref().map_or_else(
        || {
            vtk_formats::detect(file)
                .ok()
                .map_or(Value::Null, |f| vtk_format_name(f).into())
        },
        |s| s.format.extension().into(),
    );
    m.insert("format".into(), format);
    if let Some(p) = shown.stored.as_ref().and_then(|s| s.pickle_protocol) {
        m.insert("pickle_protocol".into(), p.into());
    }
    m
}

fn vtk_format_name(f: vtk_formats::Format) -> &'static str {
    match f {
        vtk_formats::Format::Vtp => "vtp",
        vtk_formats::Format::Vtu => "vtu",
        vtk_formats::Format::Vti => "vti",
        vtk_formats::Format::LegacyVtk => "vtk",
        vtk_formats::Format::MetaImage => "metaimage",
        vtk_formats::Format::Stl => "stl",
    }
}

/// The storage details of the HDF5 dataset at `path`, as JSON.
fn storage_json(s: &arraydict_store::DatasetStorage) -> Value {
    let filters: Vec<Value> = s
        .filters
        .iter()
        .map(|f| match f.level {
            Some(level) => json!({"name": f.name, "level": level}),
            None => json!({"name": f.name}),
        })
        .collect();
    json!({"layout": s.layout, "chunks": s.chunks, "filters": filters, "stored_bytes": s.stored_bytes})
}

/// The listing of one file: its text (header line first) and its JSON array.
fn listing(file: &Path, shown: &Shown, a: &InspectArgs, path: &str) -> Result<(String, Value)> {
    let json = a.json;
    let none = Vec::new();
    let unsupported = shown.stored.as_ref().map_or(&none, |s| &s.unsupported);
    let start = select(shown, unsupported, path).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let groups = listing::by_parent(unsupported);
    let limits = Limits {
        // JSON is for programs: complete unless a limit is asked for.
        max_items: match a.max_items {
            Some(0) => None,
            Some(n) => Some(n),
            None if json => None,
            None => Some(DEFAULT_MAX_ITEMS),
        },
        depth: a.depth,
    };
    let mut lister = Lister {
        limits,
        unsupported: &groups,
        out: Vec::new(),
    };
    let start_path = if path.trim_matches('/').is_empty() {
        "/".to_owned()
    } else {
        format!("/{}", path.trim_matches('/'))
    };
    lister.start(&start_path, &start);
    let kind = shown
        .kind
        .map_or_else(|| "unknown kind".to_string(), |k| k.to_string());
    let mut text = format!("{} ({kind})\n", file.display());
    let mut nodes = Vec::new();
    for e in lister.out {
        let _ = writeln!(text, "{}{}", "  ".repeat(e.level.saturating_sub(1)), e.text);
        if let Some(mut j) = e.json {
            if let (Some(stored), Some(p)) = (&shown.stored, j["path"].as_str()) {
                if let Some(s) = stored.storage.get(p) {
                    j["storage"] = storage_json(s);
                }
            }
            nodes.push(j);
        }
    }
    if let Some(Value::Object(first)) = nodes.first_mut() {
        first.extend(file_fields(file, shown));
    }
    Ok((text, Value::Array(nodes)))
}

/// Whether an argument of `inspect` is a path in the trees (`/CellData`) rather than a file: it
/// starts with `/`, does not exist, has no file extension we read, and its first component is not
/// in the file system's root either (so a missing `/data/x.hdf5` or `/tmp/y` is a missing file).
fn is_tree_path(arg: &Path) -> bool {
    let text = arg.to_string_lossy();
    let known_extension = is_store_file(arg) || vtk_formats::Format::from_path(arg).is_some();
    let first = text.trim_start_matches('/').split('/').next().unwrap_or("");
    text.starts_with('/')
        && !arg.exists()
        && !known_extension
        && (first.is_empty() || !Path::new("/").join(first).exists())
}

/// The files and the tree path among `inspect`'s arguments ([`is_tree_path`]); the path is
/// shown for every file.
fn files_and_path(args: &[PathBuf]) -> Result<(Vec<PathBuf>, String)> {
    let (paths, files): (Vec<&PathBuf>, Vec<&PathBuf>) = args.iter().partition(|a| is_tree_path(a));
    let path = match paths.as_slice() {
        [] => "/".to_owned(),
        [p] => p.to_string_lossy().into_owned(),
        [first, second, ..] => bail!(
            "{} and {}: one tree path at a time (each starts with / and is not a file)",
            first.display(),
            second.display()
        ),
    };
    if files.is_empty() {
        bail!(
            "{path}: no such file (a path in the tree needs a file before it: inspect FILE {path})"
        );
    }
    Ok((files.into_iter().cloned().collect(), path))
}

/// `--max-items` when not given (text output).
pub(crate) const DEFAULT_MAX_ITEMS: usize = 20;

/// Runs `inspect` on every file: each listing in turn (text: a blank line between files; JSON:
/// one file's array, or an array of the arrays of several files). A file that cannot be read is
/// reported on standard error and the others are still listed; the exit status is then 1.
pub fn run(a: &InspectArgs, run: &RunContext) -> Result<u8> {
    let (files, path) = files_and_path(&a.files)?;
    let mut failed = 0;
    let mut texts = Vec::new();
    let mut arrays = Vec::new();
    for file in &files {
        let result = load(file, a, run).and_then(|shown| listing(file, &shown, a, &path));
        match result {
            Ok((text, nodes)) => {
                texts.push(text);
                arrays.push(nodes);
            }
            Err(e) if files.len() == 1 => return Err(e),
            Err(e) => {
                failed += 1;
                eprintln!("arraydict: error: {}", crate::error_message(e.as_ref()));
            }
        }
    }
    let out = if a.json {
        let doc = if files.len() == 1 {
            arrays.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(arrays)
        };
        format!("{}\n", serde_json::to_string_pretty(&doc)?)
    } else {
        texts.join("\n")
    };
    print_stdout(&out)?;
    Ok(u8::from(failed > 0))
}
