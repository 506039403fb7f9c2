//! Meshes (`vtkUnstructuredGrid`), SPEC section 5, with polyhedra as an extension (defect 7).

use std::collections::BTreeSet;

use vtk_model::{CellArray, CellType, PolyhedronFaces, UnstructuredGrid};

use super::cell_to_point::cell_to_point;
use super::{
    ids_wide, named, nd_to_tuples, put_arrays, take_arrays, take_points, tuples_to_nd,
    ToArrayDictOptions,
};
use crate::array::NdArray;
use crate::error::ArrayDictError;
use crate::keys::{POLYHEDRON_FACES, POLYHEDRON_FACE_LOCATIONS, UNKNOWN_CLASS};
use crate::kind::Kind;
use crate::parse::{face_ranges, parse_cells, parse_types};
use crate::tree::{Dict, Node};
use crate::validate::validate;

/// Converts a mesh to its tree: `Points, Cells, CellData, PointData` (the last two only with
/// arrays). `Cells` is `CellLocations, CellPointIds, CellTypes, CellTypesAsStrings` as VMTK writes
/// it, or with `cells_as_list` `CellPointIds` (one correct `i8` array per cell -- VMTK defect 3),
/// `CellTypes, CellTypesAsStrings`; then `PolyhedronFaces, PolyhedronFaceLocations` when the mesh
/// has polyhedra.
pub fn mesh_to_arraydict(
    grid: UnstructuredGrid,
    opts: &ToArrayDictOptions,
) -> Result<Dict, ArrayDictError> {
    let (points, cells, types, faces, point_data, mut cell_data) = grid.into_parts();
    let n_points = points.tuples();
    let n_cells = cells.num_cells();
    // Averaging needs the cells, which the legacy stream below consumes.
    let averaged = if opts.cell_to_point {
        let taken = std::mem::take(&mut cell_data);
        Some(cell_to_point(&[&cells], n_points, taken))
    } else {
        None
    };
    let mut c = Dict::new();
    if opts.cells_as_list {
        let list: Vec<NdArray> = cells
            .iter()
            .map(|ids| NdArray::vector(ids.to_vec()))
            .collect();
        c.insert("CellPointIds", list);
    } else {
        let (legacy, mut offsets) = cells.into_legacy();
        offsets.truncate(n_cells);
        c.insert("CellLocations", NdArray::vector(offsets));
        c.insert("CellPointIds", NdArray::vector(legacy));
    }
    let type_ids: Vec<u8> = types.iter().map(|t| t.0).collect();
    if opts.cell_types_as_strings {
        // Ascending type id like numpy.unique; unknown ids share VTK's "UnknownClass" name, the last
        // one winning as in VMTK's Python dict.
        let mut names = Dict::new();
        for id in type_ids.iter().copied().collect::<BTreeSet<u8>>() {
            let name = CellType(id).vtk_class_name().unwrap_or(UNKNOWN_CLASS);
            names.insert(name, NdArray::vector(vec![id]));
        }
        c.insert("CellTypes", NdArray::vector(type_ids));
        c.insert("CellTypesAsStrings", names);
    } else {
        c.insert("CellTypes", NdArray::vector(type_ids));
    }
    if let Some(f) = faces
        .as_ref()
        .filter(|f| !f.cell_faces.connectivity().is_empty())
    {
        let mut stream = Vec::new();
        let mut locations = Vec::with_capacity(n_cells);
        for i in 0..n_cells {
            let s = f.legacy_stream(i);
            locations.push(if s.is_empty() {
                -1
            } else {
                stream.len() as i64
            });
            stream.extend_from_slice(&s);
        }
        c.insert(POLYHEDRON_FACES, NdArray::vector(stream));
        c.insert(POLYHEDRON_FACE_LOCATIONS, NdArray::vector(locations));
    }
    let mut tree = Dict::new();
    tree.insert("Points", tuples_to_nd(3, points.into_data())?);
    tree.insert("Cells", c);
    let mut pd = Dict::new();
    put_arrays(&mut pd, "/PointData", point_data, &[], tuples_to_nd)?;
    if let Some(averaged) = averaged {
        put_arrays(&mut pd, "/PointData", averaged, &[], tuples_to_nd)?;
    } else if named(&cell_data) > 0 {
        let mut cd = Dict::new();
        put_arrays(&mut cd, "/CellData", cell_data, &[], tuples_to_nd)?;
        tree.insert("CellData", cd);
    }
    if !pd.is_empty() {
        tree.insert("PointData", pd);
    }
    Ok(tree)
}

/// Validates and converts a mesh tree back to a mesh. `CellPointIds` may be the legacy stream (VMTK's
/// `CellLocations` is not needed) or a list; polyhedra need the face extension keys.
pub fn arraydict_to_mesh(mut tree: Dict) -> Result<UnstructuredGrid, ArrayDictError> {
    validate(&tree, Kind::Mesh)?;
    let points = take_points(&mut tree)?;
    let bad = |path: &str, detail: String| ArrayDictError::Path {
        path: path.into(),
        detail,
    };
    let Some(Node::Dict(mut c)) = tree.remove("Cells") else {
        return Err(bad("/Cells", "missing".into()));
    };
    let cells = match c.remove("CellPointIds") {
        // The stream is the mesh's largest array: it becomes the connectivity in place.
        Some(Node::Array(a)) if a.ndim() == 1 => {
            CellArray::from_legacy_vec(ids_wide(a.into_data()))
                .map_err(|e| bad("/Cells/CellPointIds", e.to_string()))?
        }
        Some(n) => parse_cells(&n).map_err(|e| bad("/Cells/CellPointIds", e))?,
        None => return Err(bad("/Cells/CellPointIds", "missing".into())),
    };
    let types = match c.get("CellTypes") {
        Some(Node::Array(a)) => parse_types(a).map_err(|e| bad("/Cells/CellTypes", e))?,
        _ => return Err(bad("/Cells/CellTypes", "missing".into())),
    };
    let faces = match (c.get(POLYHEDRON_FACES), c.get(POLYHEDRON_FACE_LOCATIONS)) {
        (Some(Node::Array(f)), Some(Node::Array(l))) => {
            let path = format!("/Cells/{POLYHEDRON_FACES}");
            let f = f
                .data()
                .to_i64_vec()
                .map_err(|i| bad(&path, format!("element {i} does not fit in int64")))?;
            let l = l
                .data()
                .to_i64_vec()
                .map_err(|i| bad(&path, format!("location {i} does not fit in int64")))?;
            let ranges = face_ranges(&f, &l).map_err(|e| bad(&path, e))?;
            Some(PolyhedronFaces::from_legacy_streams(
                ranges.iter().map(|&(s, e)| &f[s..e]),
            )?)
        }
        _ => None,
    };
    let point_data = take_arrays(tree.remove("PointData"), "", nd_to_tuples)?;
    let cell_data = take_arrays(tree.remove("CellData"), "", nd_to_tuples)?;
    Ok(UnstructuredGrid::try_new(
        points, cells, types, faces, point_data, cell_data,
    )?)
}
