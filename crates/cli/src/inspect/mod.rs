//! `arraydict inspect`: the tree as text or as SPEC section 10's JSON.

use std::fmt::Write as _;

use anyhow::Result;
use arraydict::{Dict, MemoryOrder, NdArray, Node};
use serde_json::{json, Value};

use crate::args::InspectArgs;
use crate::commands::{any_to_tree, print_stdout, RunContext};

/// One line of the listing.
struct Entry {
    path: String,
    json: Value,
    text: String,
}

fn order_name(a: &NdArray) -> &'static str {
    match a.order() {
        MemoryOrder::C => "C",
        MemoryOrder::F => "F",
        MemoryOrder::Permuted(_) => "K",
    }
}

fn json_number(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn array_entry(path: String, a: &NdArray) -> Entry {
    let range = a.data().min_max();
    let mut json = json!({
        "path": path,
        "type": "array",
        "dtype": a.dtype().numpy_str(),
        "shape": a.shape(),
        "order": order_name(a),
    });
    if let Value::Object(m) = &mut json {
        let number = |v: f64| {
            // integers print as integers (exact below 2^53, which covers ids and dimensions)
            if !a.dtype().is_float() && v.abs() < 9.007_199_254_740_992e15 {
                Value::from(v as i64)
            } else {
                json_number(v)
            }
        };
        m.insert("min".into(), range.map_or(Value::Null, |r| number(r.0)));
        m.insert("max".into(), range.map_or(Value::Null, |r| number(r.1)));
    }
    let shape = a
        .shape()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let shape = if a.ndim() == 1 {
        format!("({shape},)")
    } else {
        format!("({shape})")
    };
    let mut text = format!(
        "{path}  {} {shape} order={}",
        a.dtype().numpy_str(),
        order_name(a)
    );
    if let Some((lo, hi)) = range {
        let _ = write!(text, " range=[{lo}, {hi}]");
    }
    Entry { path, json, text }
}

fn walk(dict: &Dict, prefix: &str, out: &mut Vec<Entry>) {
    for (key, node) in dict.iter() {
        let path = format!("{prefix}/{key}");
        match node {
            Node::Array(a) => {
                let mut e = array_entry(path, a);
                // A surface's 1-D cell stream mixes counts and ids, so its shape and range do not
                // say how many cells it holds (SPEC 6).
                if e.path == "/CellData/CellPointIds" {
                    if let Some(n) = arraydict::schema::cell_stream_cells(a) {
                        let _ = write!(e.text, "  cell stream of {n} cells");
                    }
                }
                out.push(e);
            }
            Node::Dict(d) => {
                let keys: Vec<&str> = d.keys().collect();
                out.push(Entry {
                    json: json!({"path": path, "type": "dict", "keys": keys}),
                    text: format!("{path}/  dict of {}", d.len()),
                    path: path.clone(),
                });
                walk(d, &path, out);
            }
            Node::List(l) => {
                out.push(Entry {
                    json: json!({"path": path, "type": "list", "len": l.len()}),
                    text: format!("{path}  list of {} arrays", l.len()),
                    path: path.clone(),
                });
                for (i, a) in l.iter().enumerate() {
                    out.push(array_entry(format!("{path}/{i}"), a));
                }
            }
        }
    }
}

/// The entries of a tree in tree order, the root first.
fn entries(tree: &Dict) -> Vec<Entry> {
    let keys: Vec<&str> = tree.keys().collect();
    let mut out = vec![Entry {
        path: "/".into(),
        json: json!({"path": "/", "type": "dict", "keys": keys}),
        text: format!("/  dict of {}", tree.len()),
    }];
    walk(tree, "", &mut out);
    out
}

/// Runs `inspect`.
pub fn run(a: &InspectArgs, run: &RunContext) -> Result<u8> {
    let (tree, kind) = any_to_tree(&a.file, &a.tree, run)?;
    let list = entries(&tree);
    let mut text = String::new();
    if a.json {
        let arr: Vec<Value> = list.into_iter().map(|e| e.json).collect();
        text = serde_json::to_string_pretty(&Value::Array(arr))?;
        text.push('\n');
    } else {
        let kind = kind.map_or_else(|| "unknown kind".to_string(), |k| k.to_string());
        let _ = writeln!(text, "{} ({kind})", a.file.display());
        for e in list {
            let depth = e.path.matches('/').count().saturating_sub(1);
            let _ = writeln!(text, "{}{}", "  ".repeat(depth), e.text);
        }
    }
    print_stdout(&text)?;
    Ok(0)
}
