//! The checks every kind's schema uses: the problem list, key sets, node types, integer ids in
//! range, `/Points` and the attribute dicts of points and cells.

use crate::array::NdArray;
use crate::error::Problem;
use crate::ids::first_bad_id;
use crate::parse::shape_str;
use crate::tree::{Dict, Node};

/// Every problem found so far, in the order the checks ran.
#[derive(Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub(crate) fn push(&mut self, path: &str, msg: impl std::fmt::Display) {
        self.0.push(Problem {
            path: path.to_string(),
            message: msg.to_string(),
        });
    }

    pub(crate) fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}

pub(crate) fn check_keys(d: &Dict, base: &str, allowed: &[&str], p: &mut Problems) {
    for k in d.keys() {
        if !allowed.contains(&k) {
            p.push(
                &format!("{base}/{k}"),
                format!("unknown key (expected one of {})", allowed.join(", ")),
            );
        }
    }
}

pub(crate) fn array<'a>(
    node: Option<&'a Node>,
    path: &str,
    required: bool,
    p: &mut Problems,
) -> Option<&'a NdArray> {
    match node {
        Some(Node::Array(a)) => Some(a),
        Some(other) => {
            p.push(
                path,
                format!("expected an array, found a {}", other.type_name()),
            );
            None
        }
        None => {
            if required {
                p.push(path, "missing");
            }
            None
        }
    }
}

pub(crate) fn dict<'a>(
    node: Option<&'a Node>,
    path: &str,
    required: bool,
    p: &mut Problems,
) -> Option<&'a Dict> {
    match node {
        Some(Node::Dict(d)) => Some(d),
        Some(other) => {
            p.push(
                path,
                format!("expected a dict, found a {}", other.type_name()),
            );
            None
        }
        None => {
            if required {
                p.push(path, "missing");
            }
            None
        }
    }
}

pub(crate) fn integer(a: &NdArray, path: &str, p: &mut Problems) -> bool {
    if a.dtype().is_float() {
        p.push(
            path,
            format!("ids must have an integer dtype, found {}", a.dtype()),
        );
        return false;
    }
    true
}

pub(crate) fn check_ids(a: &NdArray, path: &str, n_points: Option<usize>, p: &mut Problems) {
    if !integer(a, path, p) {
        return;
    }
    if let Some(n) = n_points {
        if let Some((i, v)) = first_bad_id(a.data(), n) {
            p.push(
                path,
                format!("id {v} (element {i}) is out of range, /Points has {n} rows"),
            );
        }
    }
}

/// `/Points`: `(n, 3)`; returns n.
pub(crate) fn points(tree: &Dict, p: &mut Problems) -> Option<usize> {
    let a = array(tree.get("Points"), "/Points", true, p)?;
    match a.shape() {
        [n, 3] => Some(*n),
        s => {
            p.push(
                "/Points",
                format!("shape {}, expected (n, 3)", shape_str(s)),
            );
            None
        }
    }
}

/// Point or cell arrays of polydata and meshes: `(n,)`, `(n, k)` or `(n, 3, 3)`.
pub(crate) fn attribute_dict(
    attrs: &Dict,
    base: &str,
    n: Option<usize>,
    what: &str,
    skip: &str,
    p: &mut Problems,
) {
    for (name, node) in attrs.iter() {
        if name == skip {
            continue;
        }
        let path = format!("{base}/{name}");
        let Some(a) = array(Some(node), &path, true, p) else {
            continue;
        };
        let rows = match a.shape() {
            [rows] => Some((*rows, "values")),
            [rows, comps] if *comps >= 1 => Some((*rows, "rows")),
            [rows, 3, 3] => Some((*rows, "rows")),
            other => {
                p.push(
                    &path,
                    format!(
                        "shape {}, expected (n,), (n, k) with k >= 1, or (n, 3, 3)",
                        shape_str(other)
                    ),
                );
                None
            }
        };
        if let (Some((found, unit)), Some(n)) = (rows, n) {
            if found != n {
                p.push(
                    &path,
                    format!("{found} {unit}, but {}", what.replace("{}", &n.to_string())),
                );
            }
        }
    }
}
