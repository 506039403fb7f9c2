//! The schema of surfaces and centerlines (SPEC sections 2, 3 and 6; `CellKindCounts`).

use super::checks::{
    array, attribute_dict, check_ids, check_keys, dict, integer, points, Problems,
};
use crate::keys::CELL_KIND_COUNTS;
use crate::parse::{cell_stream_len, shape_str};
use crate::tree::{Dict, Node};

/// Checks a surface or centerlines tree: keys, `/Points`, the attribute dicts, the cells.
pub(crate) fn check(tree: &Dict, p: &mut Problems) {
    check_keys(
        tree,
        "",
        &["Points", "PointData", "CellData", CELL_KIND_COUNTS],
        p,
    );
    let n_points = points(tree, p);
    if let Some(pd) = dict(tree.get("PointData"), "/PointData", false, p) {
        attribute_dict(pd, "/PointData", n_points, "/Points has {} rows", "", p);
    }
    let Some(cd) = dict(tree.get("CellData"), "/CellData", true, p) else {
        return;
    };
    let n_cells = cell_point_ids(cd, n_points, p);
    attribute_dict(
        cd,
        "/CellData",
        n_cells,
        "/CellData/CellPointIds has {} cells",
        "CellPointIds",
        p,
    );
    cell_kind_counts(tree, n_cells, p);
}

/// `/CellData/CellPointIds`: `(nCells, P)`, a legacy cell stream or a list of 1-D arrays, with
/// integer ids in `0..n_points`; returns the number of cells when it can be told.
fn cell_point_ids(cd: &Dict, n_points: Option<usize>, p: &mut Problems) -> Option<usize> {
    let path = "/CellData/CellPointIds";
    match cd.get("CellPointIds") {
        None => {
            p.push(path, "missing");
            None
        }
        Some(Node::Array(a)) => match a.ndim() {
            2 => {
                check_ids(a, path, n_points, p);
                Some(a.shape()[0])
            }
            1 if integer(a, path, p) => match cell_stream_len(a.data(), n_points) {
                Ok(n) => Some(n),
                Err(e) => {
                    p.push(path, e);
                    None
                }
            },
            1 => None,
            _ => {
                p.push(
                    path,
                    format!(
                        "shape {}, expected (nCells, P), a 1-D cell stream [n0, ids0..., n1, ...] or a list of \
                         1-D arrays",
                        shape_str(a.shape())
                    ),
                );
                None
            }
        },
        Some(Node::List(l)) => {
            for (i, a) in l.iter().enumerate() {
                let ep = format!("{path}/{i}");
                if a.ndim() == 1 {
                    check_ids(a, &ep, n_points, p);
                } else {
                    p.push(
                        &ep,
                        format!(
                            "shape {}, expected a 1-D array of point ids",
                            shape_str(a.shape())
                        ),
                    );
                }
            }
            Some(l.len())
        }
        Some(Node::Dict(_)) => {
            p.push(path, "expected an array or a list of arrays, found a dict");
            None
        }
    }
}

/// `/CellKindCounts` (ours): 4 non-negative integers adding up to the number of cells.
fn cell_kind_counts(tree: &Dict, n_cells: Option<usize>, p: &mut Problems) {
    let kp = format!("/{CELL_KIND_COUNTS}");
    if let Some(a) = array(tree.get(CELL_KIND_COUNTS), &kp, false, p) {
        if a.shape() != [4] || a.dtype().is_float() {
            p.push(
                &kp,
                format!(
                    "{} {}, expected an integer array of shape (4,)",
                    a.dtype(),
                    shape_str(a.shape())
                ),
            );
        } else if let Ok(c) = a.data().to_i64_vec() {
            let sum = c
                .iter()
                .try_fold(0i64, |s, &x| if x < 0 { None } else { s.checked_add(x) });
            match (sum, n_cells) {
                (None, _) => p.push(&kp, format!("counts {c:?} must be non-negative")),
                (Some(s), Some(n)) if usize::try_from(s).ok() != Some(n) => {
                    p.push(
                        &kp,
                        format!(
                            "counts {c:?} add up to {s}, but /CellData/CellPointIds has {n} cells"
                        ),
                    );
                }
                _ => {}
            }
        } else {
            p.push(&kp, "counts out of range");
        }
    }
}
