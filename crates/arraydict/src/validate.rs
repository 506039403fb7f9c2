//! Schema checks of `ArrayDict` trees: every problem is collected, each line starting with its path.

use vtk_model::{with_array_data, ArrayData, DType, Element};

use crate::schema::{Kind, CELL_KIND_COUNTS, DIRECTION, EXTENT_START};
use crate::{ArrayDictError, Dict, NdArray, Node};

/// Checks `tree` against the schema of `kind` (SPEC sections 2-6 plus our extension keys).
///
/// Accepts VMTK's trees and ours, in any key order (HDF5 returns keys sorted), ids of any integer
/// dtype, arrays in any memory order. Rejects missing required keys, unknown keys (they would be
/// silently dropped otherwise), non-integer or out-of-range ids, length and shape mismatches, and a
/// list where an array belongs or vice versa. The error lists every problem found.
pub fn validate(tree: &Dict, kind: Kind) -> Result<(), ArrayDictError> {
    let mut p = Problems::default();
    match kind {
        Kind::Surface | Kind::Centerlines => poly(tree, &mut p),
        Kind::Image => image(tree, &mut p),
        Kind::Mesh => mesh(tree, &mut p),
    }
    if p.0.is_empty() {
        Ok(())
    } else {
        Err(ArrayDictError::Invalid {
            kind: kind.to_string(),
            problems: p.0,
        })
    }
}

#[derive(Default)]
pub(crate) struct Problems(Vec<String>);

impl Problems {
    pub(crate) fn push(&mut self, path: &str, msg: impl std::fmt::Display) {
        self.0.push(format!("{path}: {msg}"));
    }
}

/// numpy's spelling of a shape: `(6,)`, `(12932, 3)`.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
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

/// First element outside `0..n`, as `(flat index, value)`.
pub(crate) fn first_bad_id(data: &ArrayData, n: usize) -> Option<(usize, String)> {
    with_array_data!(data, v => first_bad_in(v, n))
}

/// The first element of `v` that is not a point id in `0..n`, as (index, value).
pub(crate) fn first_bad_in<T: Element>(v: &[T], n: usize) -> Option<(usize, String)> {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    // One unsigned compare tests both ends: a negative id sign-extends to a huge u64. The
    // element types are matched so that the test inlines to plain integer compares, which the
    // chunked fold below vectorises (through `Element::to_i64` it did not).
    macro_rules! signed {
        ($t:ty) => {
            |x: &T| i64::from(bytemuck::cast::<T, $t>(*x)) as u64 >= n
        };
    }
    macro_rules! unsigned {
        ($t:ty) => {
            |x: &T| u64::from(bytemuck::cast::<T, $t>(*x)) >= n
        };
    }
    match T::DTYPE {
        DType::I8 => first_bad_by(v, signed!(i8)),
        DType::I16 => first_bad_by(v, signed!(i16)),
        // The usual id type, compared in 32 bits (4 ids per SSE2 compare): with n below 2^31, a
        // negative id is at least 2^31 as u32.
        DType::I32 if i32::try_from(n).is_ok() => {
            let n32 = n as u32;
            first_bad_by(v, |x: &T| bytemuck::cast::<T, i32>(*x) as u32 >= n32)
        }
        DType::I32 => first_bad_by(v, signed!(i32)),
        DType::I64 => {
            let n64 = i64::try_from(n).unwrap_or(i64::MAX);
            first_bad_by(v, |x: &T| {
                vtk_model::id_out_of_range(bytemuck::cast::<T, i64>(*x), n64) != 0
            })
        }
        DType::U8 => first_bad_by(v, unsigned!(u8)),
        DType::U16 => first_bad_by(v, unsigned!(u16)),
        DType::U32 => first_bad_by(v, unsigned!(u32)),
        DType::U64 => first_bad_by(v, unsigned!(u64)),
        DType::F32 | DType::F64 => {
            first_bad_by(v, |x: &T| x.to_i64().is_none_or(|i| i as u64 >= n))
        }
    }
}

/// The first element of `v` for which `bad` holds, as (index, value).
fn first_bad_by<T: Element>(
    v: &[T],
    bad: impl Fn(&T) -> bool + Copy + Sync,
) -> Option<(usize, String)> {
    vtk_model::first_position(v, bad).map(|i| (i, format!("{:?}", v[i])))
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

/// The number of cells of a polydata's legacy cell stream `[n0, ids0..., n1, ids1...]` (SPEC 6), or
/// what is wrong with it, naming the element: a negative count, a cell running past the end, an id
/// outside `0..n_points` (negative ones when `n_points` is not known). One pass over the stream,
/// nothing allocated.
pub(crate) fn cell_stream_len(data: &ArrayData, n_points: Option<usize>) -> Result<usize, String> {
    fn scan<T: Element>(v: &[T], n_points: Option<usize>) -> Result<usize, String> {
        // Ids at or past `limit` as u64 are bad; a negative id is at least 2^63 as u64.
        let limit = n_points.map_or(1 << 63, |n| {
            u64::try_from(n).map_or(1 << 63, |n| n.min(1 << 63))
        });
        let (mut pos, mut cells) = (0usize, 0usize);
        while pos < v.len() {
            // A count beyond i64 (a u8 stream's cannot be) runs past the end as surely as a large one.
            let n = match v[pos].to_i64() {
                Some(c) if c < 0 => {
                    return Err(format!("element {pos}: point count {c} is negative"))
                }
                Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
                None => usize::MAX,
            };
            let end = pos.checked_add(n).and_then(|e| e.checked_add(1)).filter(|&e| e <= v.len()).ok_or_else(|| {
                format!("element {pos}: a cell of {:?} points runs past the end of the stream ({} values)", v[pos], v.len())
            })?;
            // One compare tests both ends.
            if let Some(i) = v[pos + 1..end]
                .iter()
                .position(|x| x.to_i64().is_none_or(|i| i as u64 >= limit))
            {
                let at = pos + 1 + i;
                return Err(match n_points {
                    Some(rows) => format!(
                        "id {:?} (element {at}) is out of range, /Points has {rows} rows",
                        v[at]
                    ),
                    None => format!("id {:?} (element {at}) is negative", v[at]),
                });
            }
            cells += 1;
            pos = end;
        }
        Ok(cells)
    }
    with_array_data!(data, v => scan(v, n_points))
}

/// `/Points`: `(n, 3)`; returns n.
fn points(tree: &Dict, p: &mut Problems) -> Option<usize> {
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
fn attribute_dict(
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

fn poly(tree: &Dict, p: &mut Problems) {
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
    let path = "/CellData/CellPointIds";
    let n_cells = match cd.get("CellPointIds") {
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
    };
    attribute_dict(
        cd,
        "/CellData",
        n_cells,
        "/CellData/CellPointIds has {} cells",
        "CellPointIds",
        p,
    );
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

/// A `(3,)` array of finite numbers.
fn vec3(tree: &Dict, key: &str, required: bool, p: &mut Problems) -> Option<[f64; 3]> {
    let path = format!("/{key}");
    let a = array(tree.get(key), &path, required, p)?;
    if a.shape() != [3] {
        p.push(
            &path,
            format!("shape {}, expected (3,)", shape_str(a.shape())),
        );
        return None;
    }
    let v = [
        a.data().get_f64(0),
        a.data().get_f64(1),
        a.data().get_f64(2),
    ];
    if v.iter().any(|x| !x.is_finite()) {
        p.push(&path, format!("{v:?} must be finite"));
        return None;
    }
    Some(v)
}

/// A `(3,)` integer array.
fn ivec3(tree: &Dict, key: &str, required: bool, p: &mut Problems) -> Option<[i64; 3]> {
    let path = format!("/{key}");
    let a = array(tree.get(key), &path, required, p)?;
    if a.shape() != [3] || a.dtype().is_float() {
        p.push(
            &path,
            format!(
                "{} {}, expected an integer array of shape (3,)",
                a.dtype(),
                shape_str(a.shape())
            ),
        );
        return None;
    }
    match a.data().to_i64_vec() {
        Ok(v) => Some([v[0], v[1], v[2]]),
        Err(i) => {
            p.push(&path, format!("element {i} does not fit in int64"));
            None
        }
    }
}

/// Image dimensions and the VTK cell-grid dimensions (a flat axis counts as one cell layer).
pub(crate) fn image_dims(dims: [i64; 3]) -> Option<([usize; 3], [usize; 3])> {
    let d = [
        usize::try_from(dims[0]).ok()?,
        usize::try_from(dims[1]).ok()?,
        usize::try_from(dims[2]).ok()?,
    ];
    d.iter().try_fold(1usize, |a, &x| a.checked_mul(x))?;
    let cells = if d.contains(&0) {
        [0; 3]
    } else {
        d.map(|x| x.saturating_sub(1).max(1))
    };
    Some((d, cells))
}

fn grid_dict(d: &Dict, base: &str, dims: Option<[usize; 3]>, p: &mut Problems) {
    for (name, node) in d.iter() {
        let path = format!("{base}/{name}");
        let Some(a) = array(Some(node), &path, true, p) else {
            continue;
        };
        let s = a.shape();
        let ok_tail = match s.len() {
            3 => true,
            4 => s[3] >= 1,
            5 => s[3] == 3 && s[4] == 3,
            _ => false,
        };
        let ok = ok_tail && dims.is_none_or(|d| s[..3] == d);
        if !ok {
            let want = dims.map_or_else(|| "(nx, ny, nz)".to_string(), |d| shape_str(&d));
            p.push(
                &path,
                format!(
                    "shape {}, expected {want}, {want} + (C,) or {want} + (3, 3) from /Dimensions",
                    shape_str(s)
                ),
            );
        }
    }
}

fn image(tree: &Dict, p: &mut Problems) {
    check_keys(
        tree,
        "",
        &[
            "Origin",
            "Dimensions",
            "Spacing",
            "PointData",
            "CellData",
            DIRECTION,
            EXTENT_START,
        ],
        p,
    );
    vec3(tree, "Origin", true, p);
    vec3(tree, "Spacing", true, p);
    let dims = ivec3(tree, "Dimensions", true, p).and_then(|d| {
        let r = image_dims(d);
        if r.is_none() {
            p.push(
                "/Dimensions",
                format!("{d:?} must be non-negative and their product must fit in memory"),
            );
        }
        r
    });
    if let (Some(start), Some((d, _))) = (ivec3(tree, EXTENT_START, false, p), dims) {
        let fits = (0..3).all(|a| {
            i64::try_from(d[a])
                .ok()
                .and_then(|n| start[a].checked_add(n))
                .is_some()
        });
        if !fits {
            p.push(
                &format!("/{EXTENT_START}"),
                format!("{start:?} + /Dimensions overflows int64"),
            );
        }
    }
    let dp = format!("/{DIRECTION}");
    if let Some(a) = array(tree.get(DIRECTION), &dp, false, p) {
        if a.shape() != [3, 3] {
            p.push(
                &dp,
                format!("shape {}, expected (3, 3)", shape_str(a.shape())),
            );
        } else if (0..9).any(|i| !a.data().get_f64(i).is_finite()) {
            p.push(&dp, "must be finite");
        }
    }
    if let Some(pd) = dict(tree.get("PointData"), "/PointData", false, p) {
        grid_dict(pd, "/PointData", dims.map(|d| d.0), p);
    }
    if let Some(cd) = dict(tree.get("CellData"), "/CellData", false, p) {
        grid_dict(cd, "/CellData", dims.map(|d| d.1), p);
    }
}

fn mesh(tree: &Dict, p: &mut Problems) {
    check_keys(tree, "", &["Points", "Cells", "CellData", "PointData"], p);
    let n_points = points(tree, p);
    if let Some(pd) = dict(tree.get("PointData"), "/PointData", false, p) {
        attribute_dict(pd, "/PointData", n_points, "/Points has {} rows", "", p);
    }
    let n_cells = dict(tree.get("Cells"), "/Cells", true, p)
        .and_then(|c| crate::validate_mesh::cells(c, n_points, p));
    if let Some(cd) = dict(tree.get("CellData"), "/CellData", false, p) {
        attribute_dict(
            cd,
            "/CellData",
            n_cells,
            "/Cells/CellTypes has {} entries",
            "",
            p,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectorised search against the plain definition, for every integer dtype, near and far
    /// from the 4096-element chunks, with `n` small and above `i32::MAX`.
    #[test]
    fn first_bad_id_finds_what_a_plain_search_finds() {
        fn check<T: Element + TryFrom<i64>>(n: usize) {
            let plain = |v: &[T]| {
                v.iter()
                    .position(|x| x.to_i64().is_none_or(|i| i < 0 || i as u64 >= n as u64))
            };
            let values: Vec<i64> = vec![
                -1,
                0,
                1,
                5,
                6,
                7,
                127,
                128,
                255,
                256,
                1 << 31,
                (1 << 32) + 3,
                i64::MAX,
                i64::MIN,
            ];
            for at in [0usize, 4095, 4096, 9000] {
                for &bad in &values {
                    let Ok(bad) = T::try_from(bad) else { continue };
                    let Ok(good) = T::try_from(1) else { continue };
                    let mut v = vec![good; 9001];
                    v[at] = bad;
                    let found = first_bad_in(&v, n).map(|(i, _)| i);
                    assert_eq!(found, plain(&v), "{:?} {bad:?} at {at}, n {n}", T::DTYPE);
                }
            }
        }
        for n in [0usize, 2, 7, 256, 1 << 31, 1 << 33] {
            check::<i8>(n);
            check::<i16>(n);
            check::<i32>(n);
            check::<i64>(n);
            check::<u8>(n);
            check::<u16>(n);
            check::<u32>(n);
            check::<u64>(n);
        }
    }
}
