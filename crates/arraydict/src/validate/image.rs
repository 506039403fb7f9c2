//! The schema of images (SPEC section 4; `Direction`, `ExtentStart`).

use super::checks::{array, check_keys, dict, Problems};
use crate::keys::{DIRECTION, EXTENT_START};
use crate::parse::{image_dims, shape_str};
use crate::tree::Dict;

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

/// Checks an image tree: keys, origin, spacing, dimensions, extent start, direction, grid arrays.
pub(crate) fn check(tree: &Dict, p: &mut Problems) {
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
