//! The schema of meshes (SPEC section 5; polyhedra as `PolyhedronFaces`, `PolyhedronFaceLocations`).

use vtk_model::{with_array_data, ArrayData, CellType, Element, ModelError};

use super::checks::{array, attribute_dict, check_keys, dict, integer, points, Problems};
use crate::array::NdArray;
use crate::ids::first_bad_in;
use crate::keys::{POLYHEDRON_FACES, POLYHEDRON_FACE_LOCATIONS, UNKNOWN_CLASS};
use crate::parse::{face_ranges, parse_cells, parse_types, shape_str};
use crate::tree::{Dict, Node};

/// Checks a mesh tree: keys, `/Points`, the attribute dicts, `/Cells`.
pub(crate) fn check(tree: &Dict, p: &mut Problems) {
    check_keys(tree, "", &["Points", "Cells", "CellData", "PointData"], p);
    let n_points = points(tree, p);
    if let Some(pd) = dict(tree.get("PointData"), "/PointData", false, p) {
        attribute_dict(pd, "/PointData", n_points, "/Points has {} rows", "", p);
    }
    let n_cells = dict(tree.get("Cells"), "/Cells", true, p).and_then(|c| cells(c, n_points, p));
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

/// What validation needs to know of `/Cells/CellPointIds`: the cells' VTK 9 offsets
/// (`n_cells + 1` entries, from 0). Validation walks the stream where it lies: building the cells
/// (and before that copying the stream to `int64`) only to check them doubled the peak memory of
/// every tree -> mesh conversion, the stream being a mesh's largest array.
struct CellLayout {
    offsets: Vec<i64>,
}

impl CellLayout {
    fn num_cells(&self) -> usize {
        self.offsets.len() - 1
    }
    fn cell_size(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }
}

/// The layout of `/Cells/CellPointIds` and its first id outside `0..n_points` as (index into the
/// count-free connectivity, value), or a message when the stream is malformed.
fn layout(
    node: &Node,
    n_points: Option<usize>,
) -> Result<(CellLayout, Option<(usize, String)>), String> {
    match node {
        Node::Array(a) if a.ndim() == 1 => scan_legacy(a.data(), n_points),
        Node::List(_) => {
            let cells = parse_cells(node)?;
            let bad = n_points.and_then(|n| first_bad_in(cells.connectivity(), n));
            let (offsets, _) = cells.into_parts();
            Ok((CellLayout { offsets }, bad))
        }
        // parse_cells says what is wrong with any other shape.
        _ => Err(parse_cells(node)
            .err()
            .unwrap_or_else(|| "expected a 1-D legacy stream or a list of arrays".into())),
    }
}

fn scan_legacy(
    data: &ArrayData,
    n_points: Option<usize>,
) -> Result<(CellLayout, Option<(usize, String)>), String> {
    fn scan<T: Element>(
        v: &[T],
        n_points: Option<usize>,
    ) -> Result<(CellLayout, Option<(usize, String)>), String> {
        let mut offsets = vec![0i64];
        let mut bad = None;
        let mut pos = 0usize;
        while pos < v.len() {
            let count = v[pos]
                .to_i64()
                .ok_or_else(|| format!("element {pos} does not fit in int64"))?;
            let malformed = |detail: String| {
                ModelError::BadLegacyCells {
                    what: "cells".into(),
                    position: pos,
                    detail,
                }
                .to_string()
            };
            let n = usize::try_from(count)
                .map_err(|_| malformed(format!("negative point count {count}")))?;
            let end = pos
                .checked_add(1 + n)
                .filter(|&e| e <= v.len())
                .ok_or_else(|| {
                    malformed(format!(
                        "cell of {n} points runs past the end ({} values)",
                        v.len()
                    ))
                })?;
            let before = *offsets.last().unwrap_or(&0);
            if bad.is_none() {
                if let Some(limit) = n_points {
                    bad = first_bad_in(&v[pos + 1..end], limit)
                        .map(|(i, s)| (before as usize + i, s));
                }
            }
            offsets.push(before + n as i64);
            pos = end;
        }
        Ok((CellLayout { offsets }, bad))
    }
    with_array_data!(data, v => scan(v, n_points))
}

/// Checks `/Cells`; returns the number of cells when it is known.
fn cells(c: &Dict, n_points: Option<usize>, p: &mut Problems) -> Option<usize> {
    check_keys(
        c,
        "/Cells",
        &[
            "CellLocations",
            "CellPointIds",
            "CellTypes",
            "CellTypesAsStrings",
            POLYHEDRON_FACES,
            POLYHEDRON_FACE_LOCATIONS,
        ],
        p,
    );
    let types = cell_types(c, p);
    let cells = cell_point_ids(c, n_points, p);
    let n_cells = cell_count(cells.as_ref(), types.as_deref(), p);
    if let (Some(a), Some(cl)) = (
        array(c.get("CellLocations"), "/Cells/CellLocations", false, p),
        &cells,
    ) {
        locations(a, cl, p);
    }
    if let Some(d) = dict(
        c.get("CellTypesAsStrings"),
        "/Cells/CellTypesAsStrings",
        false,
        p,
    ) {
        type_names(d, p);
    }
    faces(c, n_points, types.as_deref(), p);
    n_cells
}

/// `/Cells/CellTypes`: a 1-d integer array of cell type ids.
fn cell_types(c: &Dict, p: &mut Problems) -> Option<Vec<CellType>> {
    array(c.get("CellTypes"), "/Cells/CellTypes", true, p).and_then(|a| {
        if a.ndim() != 1 || !integer(a, "/Cells/CellTypes", p) {
            if a.ndim() != 1 {
                p.push(
                    "/Cells/CellTypes",
                    format!("shape {}, expected (nCells,)", shape_str(a.shape())),
                );
            }
            return None;
        }
        parse_types(a)
            .map_err(|e| p.push("/Cells/CellTypes", e))
            .ok()
    })
}

/// The layout of `/Cells/CellPointIds` (any of its encodings) when its ids are integers and its
/// stream is well formed; an id past `/Points` is a problem, not a reason to drop the layout.
fn cell_point_ids(c: &Dict, n_points: Option<usize>, p: &mut Problems) -> Option<CellLayout> {
    let ids_path = "/Cells/CellPointIds";
    match c.get("CellPointIds") {
        None => {
            p.push(ids_path, "missing");
            None
        }
        Some(node) => {
            let int_ok = match node {
                Node::Array(a) => integer(a, ids_path, p),
                Node::List(l) => l
                    .iter()
                    .enumerate()
                    .all(|(i, a)| integer(a, &format!("{ids_path}/{i}"), p)),
                Node::Dict(_) => true,
            };
            if int_ok {
                match layout(node, n_points) {
                    Ok((l, bad)) => {
                        if let (Some((i, v)), Some(n)) = (bad, n_points) {
                            p.push(
                                ids_path,
                                format!(
                                    "id {v} (element {i}) is out of range, /Points has {n} rows"
                                ),
                            );
                        }
                        Some(l)
                    }
                    Err(e) => {
                        p.push(ids_path, e);
                        None
                    }
                }
            } else {
                None
            }
        }
    }
}

/// The number of cells, when `CellTypes` and `CellPointIds` agree on it or only one is known;
/// a cell type with a fixed size must have that many points.
fn cell_count(
    cells: Option<&CellLayout>,
    types: Option<&[CellType]>,
    p: &mut Problems,
) -> Option<usize> {
    let ids_path = "/Cells/CellPointIds";
    match (cells, types) {
        (Some(cl), Some(t)) if cl.num_cells() != t.len() => {
            p.push(
                ids_path,
                format!(
                    "{} cells, but /Cells/CellTypes has {} entries",
                    cl.num_cells(),
                    t.len()
                ),
            );
            None
        }
        (Some(cl), Some(t)) => {
            for (i, ty) in t.iter().enumerate() {
                if let Some(n) = ty.fixed_size().filter(|&n| n != cl.cell_size(i)) {
                    let name = ty.vtk_class_name().unwrap_or(UNKNOWN_CLASS);
                    p.push(
                        ids_path,
                        format!(
                            "cell {i} is a {name} with {} points, expected {n}",
                            cl.cell_size(i)
                        ),
                    );
                }
            }
            Some(t.len())
        }
        (_, Some(t)) => Some(t.len()),
        (Some(cl), None) => Some(cl.num_cells()),
        (None, None) => None,
    }
}

/// `CellLocations` must be VTK 9's count-free offsets (what VMTK writes) or the legacy locations
/// into `CellPointIds` (what VMTK's own `_ConvertListToFlatCellsArray` and VTK 8 produce).
fn locations(a: &NdArray, cells: &CellLayout, p: &mut Problems) {
    let path = "/Cells/CellLocations";
    if a.ndim() != 1 || !integer(a, path, p) {
        if a.ndim() != 1 {
            p.push(
                path,
                format!("shape {}, expected (nCells,)", shape_str(a.shape())),
            );
        }
        return;
    }
    let n = cells.num_cells();
    if a.len() != n {
        p.push(
            path,
            format!("{} values, but /Cells/CellPointIds has {n} cells", a.len()),
        );
        return;
    }
    let Ok(v) = a.data().to_i64_vec() else {
        p.push(path, "values do not fit in int64");
        return;
    };
    let offsets = &cells.offsets[..n];
    let vtk9 = v.as_slice() == offsets;
    let legacy = v
        .iter()
        .zip(offsets)
        .enumerate()
        .all(|(i, (&l, &o))| Some(l) == o.checked_add(i as i64));
    if !vtk9 && !legacy {
        p.push(path, "neither VTK 9 offsets into the count-free connectivity nor legacy locations into /Cells/CellPointIds");
    }
}

fn type_names(d: &Dict, p: &mut Problems) {
    for (name, node) in d.iter() {
        let path = format!("/Cells/CellTypesAsStrings/{name}");
        let Some(a) = array(Some(node), &path, true, p) else {
            continue;
        };
        if name == UNKNOWN_CLASS {
            continue;
        }
        let Some(ty) = CellType::from_vtk_class_name(name) else {
            p.push(&path, "not a VTK cell class name");
            continue;
        };
        if a.len() != 1 || a.data().get_i64(0) != Some(i64::from(ty.0)) {
            p.push(&path, format!("expected array([{}])", ty.0));
        }
    }
}

fn faces(cells: &Dict, n_points: Option<usize>, types: Option<&[CellType]>, p: &mut Problems) {
    let fp = format!("/Cells/{POLYHEDRON_FACES}");
    let lp = format!("/Cells/{POLYHEDRON_FACE_LOCATIONS}");
    let faces = array(cells.get(POLYHEDRON_FACES), &fp, false, p);
    let locs = array(cells.get(POLYHEDRON_FACE_LOCATIONS), &lp, false, p);
    let (faces, locs) = match (faces, locs) {
        (Some(f), Some(l)) => (f, l),
        (None, None) => {
            if let Some(i) = types.and_then(|t| t.iter().position(|&t| t == CellType::POLYHEDRON)) {
                p.push(
                    "/Cells/CellTypes",
                    format!(
                        "cell {i} is a vtkPolyhedron, but /Cells/{POLYHEDRON_FACES} is missing"
                    ),
                );
            }
            return;
        }
        (Some(_), None) => return p.push(&lp, format!("missing (required with {fp})")),
        (None, Some(_)) => return p.push(&fp, format!("missing (required with {lp})")),
    };
    let ok_f = faces.ndim() == 1 && integer(faces, &fp, p);
    let ok_l = locs.ndim() == 1 && integer(locs, &lp, p);
    if !ok_f || !ok_l {
        if faces.ndim() != 1 {
            p.push(
                &fp,
                format!("shape {}, expected a 1-D array", shape_str(faces.shape())),
            );
        }
        if locs.ndim() != 1 {
            p.push(
                &lp,
                format!("shape {}, expected (nCells,)", shape_str(locs.shape())),
            );
        }
        return;
    }
    let (Ok(f), Ok(l)) = (faces.data().to_i64_vec(), locs.data().to_i64_vec()) else {
        return p.push(&fp, "values do not fit in int64");
    };
    if let Some(t) = types {
        if l.len() != t.len() {
            p.push(
                &lp,
                format!(
                    "{} values, but /Cells/CellTypes has {} entries",
                    l.len(),
                    t.len()
                ),
            );
        }
    }
    match face_ranges(&f, &l) {
        Err(msg) => p.push(&fp, msg),
        Ok(ranges) => {
            for (i, &(s, e)) in ranges.iter().enumerate() {
                if s == e && types.and_then(|t| t.get(i)) == Some(&CellType::POLYHEDRON) {
                    p.push(
                        &lp,
                        format!("cell {i} is a vtkPolyhedron without faces (location -1)"),
                    );
                }
            }
            // Face point ids: every value of a stream that is not a count.
            if let Some(n) = n_points {
                for (i, &(s, e)) in ranges.iter().enumerate() {
                    let mut pos = s + 1;
                    while pos < e {
                        let len = f[pos] as usize;
                        if let Some(&bad) = f[pos + 1..pos + 1 + len]
                            .iter()
                            .find(|&&id| id < 0 || id as usize >= n)
                        {
                            p.push(&fp, format!("cell {i}: face point id {bad} is out of range, /Points has {n} rows"));
                            break;
                        }
                        pos += 1 + len;
                    }
                }
            }
        }
    }
}
