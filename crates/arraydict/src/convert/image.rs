//! Images (`vtkImageData`), SPEC section 5 and the image extensions of section 6.

use vtk_model::{ArrayData, ImageData, Matrix3};

use super::{named, put_arrays, take_arrays};
use crate::array::{MemoryOrder, NdArray};
use crate::error::ArrayDictError;
use crate::keys::{DIRECTION, EXTENT_START};
use crate::kind::Kind;
use crate::parse::image_dims;
use crate::tree::{Dict, Node};
use crate::validate::validate;

/// Memory order of a VTK image buffer seen as the SPEC's array: x fastest, then y, z, and the
/// components fastest of all. 1 component: `(nx, ny, nz)` Fortran order; C components:
/// `(nx, ny, nz, C)` over physical `(nz, ny, nx, C)`; 9 components: `(nx, ny, nz, 3, 3)` over
/// physical `(nz, ny, nx, 3, 3)` with the tensor transposed (SPEC 2).
fn grid_order(components: usize) -> MemoryOrder {
    match components {
        1 => MemoryOrder::F,
        9 => MemoryOrder::Permuted(vec![2, 1, 0, 4, 3]),
        _ => MemoryOrder::Permuted(vec![2, 1, 0, 3]),
    }
}

fn grid_shape(dims: [usize; 3], components: usize) -> Vec<usize> {
    let mut s = dims.to_vec();
    match components {
        1 => {}
        9 => s.extend([3, 3]),
        c => s.push(c),
    }
    s
}

fn grid_to_nd(
    dims: [usize; 3],
    components: usize,
    data: ArrayData,
) -> Result<NdArray, ArrayDictError> {
    NdArray::new(data, grid_shape(dims, components), grid_order(components))
}

/// The inverse of [`grid_to_nd`] for a validated array, moving the buffer when it is in VTK order.
fn nd_to_grid(a: NdArray) -> (usize, ArrayData) {
    let components = match a.shape() {
        [_, _, _, 3, 3] => 9,
        [_, _, _, c] => *c,
        _ => 1,
    };
    (components, a.into_order(grid_order(components)).into_data())
}

/// Converts an image to its tree: `Origin, Dimensions, Spacing, PointData` (VMTK's keys and order,
/// `PointData` only with point arrays), then our extensions `Direction` (always), `ExtentStart`
/// (when the extent does not start at 0) and `CellData` (when there are cell arrays).
/// Voxel buffers move into the tree without a copy.
pub fn image_to_arraydict(img: ImageData) -> Result<Dict, ArrayDictError> {
    let dims = img.dimensions();
    let dims_i64 = dims.map(|d| d as i64);
    let cell_dims = image_dims(dims_i64).map_or([0; 3], |d| d.1);
    let (extent, origin, spacing, direction, point_data, cell_data) = img.into_parts();
    let mut tree = Dict::new();
    tree.insert("Origin", NdArray::vector(origin.to_vec()));
    tree.insert("Dimensions", NdArray::vector(dims_i64.to_vec()));
    tree.insert("Spacing", NdArray::vector(spacing.to_vec()));
    if named(&point_data) > 0 {
        let mut pd = Dict::new();
        put_arrays(&mut pd, "/PointData", point_data, &[], |k, d| {
            grid_to_nd(dims, k, d)
        })?;
        tree.insert("PointData", pd);
    }
    let rows: Vec<f64> = (0..3)
        .flat_map(|r| (0..3).map(move |c| (r, c)))
        .map(|rc| direction[rc])
        .collect();
    tree.insert(DIRECTION, NdArray::c(rows, vec![3, 3])?);
    let start = [extent[0], extent[2], extent[4]];
    if start != [0; 3] {
        tree.insert(EXTENT_START, NdArray::vector(start.to_vec()));
    }
    if named(&cell_data) > 0 {
        let mut cd = Dict::new();
        put_arrays(&mut cd, "/CellData", cell_data, &[], |k, d| {
            grid_to_nd(cell_dims, k, d)
        })?;
        tree.insert("CellData", cd);
    }
    Ok(tree)
}

fn take_vec3(tree: &Dict, key: &str) -> [f64; 3] {
    match tree.get(key) {
        Some(Node::Array(a)) if a.len() == 3 => [
            a.data().get_f64(0),
            a.data().get_f64(1),
            a.data().get_f64(2),
        ],
        _ => [0.0; 3],
    }
}

fn take_ivec3(tree: &Dict, key: &str) -> [i64; 3] {
    match tree.get(key) {
        Some(Node::Array(a)) if a.len() == 3 => [0, 1, 2].map(|i| a.data().get_i64(i).unwrap_or(0)),
        _ => [0; 3],
    }
}

/// Validates and converts an image tree back to an image. `Direction` defaults to the identity and
/// `ExtentStart` to 0 (VMTK's trees have neither). Integer origins and spacings are accepted.
pub fn arraydict_to_image(mut tree: Dict) -> Result<ImageData, ArrayDictError> {
    validate(&tree, Kind::Image)?;
    let origin = take_vec3(&tree, "Origin");
    let spacing = take_vec3(&tree, "Spacing");
    let dims = take_ivec3(&tree, "Dimensions");
    let start = take_ivec3(&tree, EXTENT_START);
    let direction = match tree.get(DIRECTION) {
        Some(Node::Array(a)) if a.shape() == [3, 3] => Matrix3::from_fn(|r, c| a.get_f64(&[r, c])),
        _ => Matrix3::identity(),
    };
    let mut extent = [0i64; 6];
    for a in 0..3 {
        let end = start[a].checked_add(dims[a]).and_then(|e| e.checked_sub(1));
        let end = end.ok_or_else(|| ArrayDictError::Path {
            path: "/Dimensions".into(),
            detail: format!("{dims:?} with extent start {start:?} overflows int64"),
        })?;
        extent[2 * a] = start[a];
        extent[2 * a + 1] = end;
    }
    let point_data = take_arrays(tree.remove("PointData"), "", nd_to_grid)?;
    let cell_data = take_arrays(tree.remove("CellData"), "", nd_to_grid)?;
    Ok(ImageData::try_new(
        extent, origin, spacing, direction, point_data, cell_data,
    )?)
}
