//! Conversions between the VTK model and `ArrayDict` trees, VMTK-exact (SPEC sections 2-6) with our
//! fixes of VMTK's defects (SPEC section 7) and the extension keys of `EXTENSIONS.md`.
//!
//! Both directions take ownership so that buffers move into the result whenever the layout allows:
//! data arrays, points and image voxels are never copied on the way to a tree (a VTK image buffer
//! *is* a Fortran-ordered `(nx, ny, nz)` array, a 3x3 tensor array *is* a `(n, 3, 3)` array with
//! axes `(0, 2, 1)`), and trees whose arrays are already in VTK's memory order move back.

mod cell_to_point;
mod image;
mod mesh;
mod poly;

use rayon::prelude::*;
use vtk_model::{ArrayData, Attributes, DataArray, DataSet, Element};

use crate::array::{MemoryOrder, NdArray};
use crate::error::ArrayDictError;
use crate::kind::Kind;
use crate::tree::{Dict, Node};

pub use image::{arraydict_to_image, image_to_arraydict};
pub use mesh::{arraydict_to_mesh, mesh_to_arraydict};
pub use poly::{arraydict_to_polydata, polydata_to_arraydict};

/// Options of the model -> `ArrayDict` direction (VMTK's script options).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ToArrayDictOptions {
    /// `ConvertCellToPoint` (surfaces, centerlines, meshes): average cell arrays onto the points the
    /// way VTK's `vtkCellDataToPointData` does and append them to `PointData`; `CellData` keeps only
    /// the connectivity. Images ignore it.
    pub cell_to_point: bool,
    /// `StructureCellsAsList` (meshes): `/Cells/CellPointIds` as one `i8` array per cell.
    pub cells_as_list: bool,
    /// `ReturnCellTypesAsStrings` (meshes): write `/Cells/CellTypesAsStrings`.
    pub cell_types_as_strings: bool,
}

impl Default for ToArrayDictOptions {
    fn default() -> Self {
        Self {
            cell_to_point: false,
            cells_as_list: false,
            cell_types_as_strings: true,
        }
    }
}

/// Converts a dataset to the `ArrayDict` tree of `kind`.
///
/// Polydata can be written as a surface or as centerlines, images only as images, unstructured
/// grids only as meshes. Fails on duplicate array names (`ArrayDict` keys are unique) and on names
/// that collide with a reserved key (`CellPointIds` among the cell arrays).
pub fn to_arraydict(
    ds: DataSet,
    kind: Kind,
    opts: &ToArrayDictOptions,
) -> Result<Dict, ArrayDictError> {
    match (ds, kind) {
        (DataSet::PolyData(p), Kind::Surface | Kind::Centerlines) => {
            polydata_to_arraydict(p, kind, opts)
        }
        (DataSet::ImageData(i), Kind::Image) => image_to_arraydict(i),
        (DataSet::UnstructuredGrid(g), Kind::Mesh) => mesh_to_arraydict(g, opts),
        (ds, kind) => {
            let what = match ds {
                DataSet::PolyData(_) => "a vtkPolyData",
                DataSet::ImageData(_) => "a vtkImageData",
                DataSet::UnstructuredGrid(_) => "a vtkUnstructuredGrid",
            };
            Err(ArrayDictError::Path {
                path: "/".into(),
                detail: format!("{what} cannot be converted to a '{kind}' tree"),
            })
        }
    }
}

/// Converts a tree of `kind` back to a dataset, after [`validate`](crate::validate)-ing it.
///
/// Every dtype is kept exactly (points included); arrays in any memory order are accepted and
/// reordered to VTK's tuple-major layout only when they are not in it already.
pub fn from_arraydict(tree: Dict, kind: Kind) -> Result<DataSet, ArrayDictError> {
    Ok(match kind {
        Kind::Surface | Kind::Centerlines => arraydict_to_polydata(tree, kind)?.into(),
        Kind::Image => arraydict_to_image(tree)?.into(),
        Kind::Mesh => arraydict_to_mesh(tree)?.into(),
    })
}

/// The name VTK's XML writers give the points array; trees do not carry it.
pub(crate) const POINTS_NAME: &str = "Points";

/// A VTK tuple-major buffer as the SPEC's array: `(n,)`, `(n, k)`, or `(n, 3, 3)` for 9 components
/// with `arr[i, r, c]` = component `3c + r` -- physical `(n, 3, 3)` seen through axes `(0, 2, 1)`.
/// Never copies.
pub(crate) fn tuples_to_nd(components: usize, data: ArrayData) -> Result<NdArray, ArrayDictError> {
    let n = data.len() / components.max(1);
    match components {
        1 => NdArray::new(data, vec![n], MemoryOrder::C),
        9 => NdArray::new(data, vec![n, 3, 3], MemoryOrder::Permuted(vec![0, 2, 1])),
        k => NdArray::new(data, vec![n, k], MemoryOrder::C),
    }
}

/// The inverse of [`tuples_to_nd`] for a validated array: `(components, tuple-major data)`,
/// moving the buffer when it is already in that order. A 2-D `(n, 9)` array (written by hand in
/// Python) is taken as 9 components in VTK order.
pub(crate) fn nd_to_tuples(a: NdArray) -> (usize, ArrayData) {
    match a.ndim() {
        3 => (
            9,
            a.into_order(MemoryOrder::Permuted(vec![0, 2, 1]))
                .into_data(),
        ),
        2 => (a.shape()[1], a.into_c_order().into_data()),
        _ => (1, a.into_c_order().into_data()),
    }
}

/// Appends the named arrays of `attrs` to `out` (unnamed ones are not exported, SPEC 2), converting
/// each with `f`. `base` is the dict's path for errors; `reserved` names keys the arrays must not use.
pub(crate) fn put_arrays(
    out: &mut Dict,
    base: &str,
    attrs: impl IntoIterator<Item = DataArray>,
    reserved: &[&str],
    f: impl Fn(usize, ArrayData) -> Result<NdArray, ArrayDictError>,
) -> Result<(), ArrayDictError> {
    for a in attrs {
        if a.name().is_empty() {
            continue;
        }
        let (name, components, data) = a.into_parts();
        if out.contains_key(&name) || reserved.contains(&name.as_str()) {
            let detail = if reserved.contains(&name.as_str()) {
                "this key is reserved for the connectivity; rename the array".to_string()
            } else {
                "two arrays have this name, and ArrayDict keys are unique; rename one".to_string()
            };
            return Err(ArrayDictError::Path {
                path: format!("{base}/{name}"),
                detail,
            });
        }
        out.insert(name, f(components, data)?);
    }
    Ok(())
}

/// Number of named arrays (the ones that are exported).
pub(crate) fn named(attrs: &Attributes) -> usize {
    attrs.iter().filter(|a| !a.name().is_empty()).count()
}

/// Takes the arrays of a validated attribute dict (skipping `skip`), converting each with `f`.
pub(crate) fn take_arrays(
    d: Option<Node>,
    skip: &str,
    f: impl Fn(NdArray) -> (usize, ArrayData),
) -> Result<Attributes, ArrayDictError> {
    let Some(Node::Dict(d)) = d else {
        return Ok(Attributes::new());
    };
    let mut out = Attributes::new();
    for (name, node) in d {
        if name == skip {
            continue;
        }
        if let Node::Array(a) = node {
            let (components, data) = f(a);
            out.push(DataArray::new(name, components, data)?);
        }
    }
    Ok(out)
}

/// Takes `/Points` of a validated tree as a 3-component array, keeping its dtype.
pub(crate) fn take_points(tree: &mut Dict) -> Result<DataArray, ArrayDictError> {
    match tree.remove("Points") {
        Some(Node::Array(a)) => Ok(DataArray::new(
            POINTS_NAME,
            3,
            a.into_c_order().into_data(),
        )?),
        _ => Err(ArrayDictError::Path {
            path: "/Points".into(),
            detail: "missing".into(),
        }),
    }
}

/// Id arrays at least this long are narrowed, widened or numbered in parallel.
pub(crate) const PARALLEL_FROM: usize = 1 << 20;

/// Appends `f` of every element of `src` to `out`. Filling fresh memory is mostly page faults,
/// so long inputs are mapped on all cores, which take the faults at once; short ones (a cell's
/// ids) on this thread, without the pool's hand-off.
fn extend_mapped<S: Sync, D: Send>(out: &mut Vec<D>, src: &[S], f: impl Fn(&S) -> D + Sync + Send) {
    if src.len() < PARALLEL_FROM {
        out.extend(src.iter().map(f));
    } else {
        out.par_extend(src.par_iter().with_min_len(PARALLEL_FROM / 2).map(f));
    }
}

/// Point ids as `i4` (SPEC's dtype for surface and centerline ids), or `i8` when a point index
/// would not fit in 32 bits -- VMTK would overflow there; we keep the ids exact instead.
pub(crate) fn ids_narrow(parts: &[&[i64]], n_points: usize) -> ArrayData {
    let total = parts.iter().map(|p| p.len()).sum();
    if i32::try_from(n_points).is_ok() {
        let mut out = Vec::with_capacity(total);
        for p in parts {
            extend_mapped(&mut out, p, |&i| i as i32);
        }
        ArrayData::I32(out)
    } else {
        ArrayData::I64(parts.concat())
    }
}

/// Ids of any integer dtype widened to `i64`, moving an `i64` buffer. Validated trees hold only
/// in-range ids; anything else becomes -1, which the model's id check then reports.
pub(crate) fn ids_wide(data: ArrayData) -> Vec<i64> {
    if let ArrayData::I64(v) = data {
        return v;
    }
    // `i4` ids, owned or shared (a mapped file's), in one vectorised pass; `to_i64_vec` copies
    // shared `i8` ones whole and converts the other dtypes.
    if let Some(v) = i32::slice(&data) {
        let mut out = Vec::with_capacity(v.len());
        extend_mapped(&mut out, v, |&i| i64::from(i));
        return out;
    }
    data.to_i64_vec().unwrap_or_else(|_| {
        (0..data.len())
            .map(|i| data.get_i64(i).unwrap_or(-1))
            .collect()
    })
}
