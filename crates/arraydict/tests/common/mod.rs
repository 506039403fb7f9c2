//! Builders of hand-made models and proptest strategies shared by the integration tests.
#![allow(dead_code, clippy::missing_panics_doc)]

use arraydict::{Dict, NdArray, Node};
use proptest::prelude::*;
use vtk_model::{
    ArrayData, Attributes, CellArray, CellType, DType, DataArray, ImageData, Matrix3, PolyCells,
    PolyData, PolyhedronFaces, UnstructuredGrid,
};

/// A named array.
pub fn arr(name: &str, components: usize, data: impl Into<ArrayData>) -> DataArray {
    DataArray::new(name, components, data.into()).unwrap()
}

/// `n` f32 points on a line.
pub fn points_f32(n: usize) -> DataArray {
    arr(
        "Points",
        3,
        (0..3 * n).map(|i| i as f32 * 0.5).collect::<Vec<f32>>(),
    )
}

/// A polydata from cell lists.
pub fn poly(
    points: DataArray,
    cells: PolyCells,
    pd: Vec<DataArray>,
    cd: Vec<DataArray>,
) -> PolyData {
    PolyData::try_new(points, cells, pd.into(), cd.into()).unwrap()
}

/// Cells from id lists.
pub fn cells(ids: &[&[i64]]) -> CellArray {
    CellArray::from_cells(ids.iter().copied())
}

/// The keys of a dict in order.
pub fn keys(d: &Dict) -> Vec<&str> {
    d.keys().collect()
}

/// The dict at a path.
pub fn dict_at<'a>(d: &'a Dict, path: &str) -> &'a Dict {
    match d.at(path) {
        Some(Node::Dict(x)) => x,
        other => panic!("{path}: expected a dict, found {other:?}"),
    }
}

/// The array at a path.
pub fn array_at<'a>(d: &'a Dict, path: &str) -> &'a NdArray {
    d.array_at(path).unwrap()
}

/// `(dtype, shape)` of the array at a path.
pub fn sig(d: &Dict, path: &str) -> (DType, Vec<usize>) {
    let a = array_at(d, path);
    (a.dtype(), a.shape().to_vec())
}

/// Image with the given point arrays.
pub fn image(dims: [usize; 3], pd: Vec<DataArray>) -> ImageData {
    let extent = [
        0,
        dims[0] as i64 - 1,
        0,
        dims[1] as i64 - 1,
        0,
        dims[2] as i64 - 1,
    ];
    ImageData::try_new(
        extent,
        [1.0, 2.0, 3.0],
        [0.5, 0.5, 2.0],
        Matrix3::identity(),
        pd.into(),
        Attributes::new(),
    )
    .unwrap()
}

// ---------------------------------------------------------------- proptest strategies

/// `len` values of `dtype` (finite floats, so that equality is the identity).
pub fn data(dtype: DType, len: usize) -> BoxedStrategy<ArrayData> {
    use prop::collection::vec;
    match dtype {
        DType::I8 => vec(any::<i8>(), len).prop_map(ArrayData::from).boxed(),
        DType::U8 => vec(any::<u8>(), len).prop_map(ArrayData::from).boxed(),
        DType::I16 => vec(any::<i16>(), len).prop_map(ArrayData::from).boxed(),
        DType::U16 => vec(any::<u16>(), len).prop_map(ArrayData::from).boxed(),
        DType::I32 => vec(any::<i32>(), len).prop_map(ArrayData::from).boxed(),
        DType::U32 => vec(any::<u32>(), len).prop_map(ArrayData::from).boxed(),
        DType::I64 => vec(any::<i64>(), len).prop_map(ArrayData::from).boxed(),
        DType::U64 => vec(any::<u64>(), len).prop_map(ArrayData::from).boxed(),
        DType::F32 => vec(-1e6f32..1e6, len).prop_map(ArrayData::from).boxed(),
        DType::F64 => vec(-1e12f64..1e12, len).prop_map(ArrayData::from).boxed(),
    }
}

/// Any dtype.
pub fn dtype() -> impl Strategy<Value = DType> {
    prop::sample::select(DType::ALL.to_vec())
}

/// 0-3 arrays of `tuples` tuples, any dtype, 1/2/3/4/9 components, unique names with a prefix.
pub fn attributes(prefix: &'static str, tuples: usize) -> BoxedStrategy<Attributes> {
    let one = (dtype(), prop::sample::select(vec![1usize, 2, 3, 4, 9]));
    prop::collection::vec(one, 0..=3)
        .prop_flat_map(move |specs| {
            let arrays: Vec<_> = specs
                .into_iter()
                .enumerate()
                .map(|(i, (dt, k))| {
                    data(dt, tuples * k).prop_map(move |d| arr(&format!("{prefix}{i}"), k, d))
                })
                .collect();
            arrays.prop_map(Attributes::from)
        })
        .boxed()
}

/// `n` points of a float dtype (or any dtype: VTK allows integer points).
pub fn points(n: usize) -> BoxedStrategy<DataArray> {
    dtype()
        .prop_flat_map(move |dt| data(dt, 3 * n).prop_map(|d| arr("Points", 3, d)))
        .boxed()
}

/// `count` cells of 0-6 ids below `n_points` (no cells without points).
pub fn cell_array(
    n_points: usize,
    count: std::ops::RangeInclusive<usize>,
) -> BoxedStrategy<CellArray> {
    if n_points == 0 {
        return Just(CellArray::empty()).boxed();
    }
    let ids = 0..n_points as i64;
    prop::collection::vec(prop::collection::vec(ids, 0..=6), count)
        .prop_map(|cs| CellArray::from_cells(cs.iter().map(Vec::as_slice)))
        .boxed()
}

/// Uniform-size cells (every cell has `size` ids), so surfaces take the `(n, P)` array form.
pub fn uniform_cells(n_points: usize, size: usize) -> BoxedStrategy<CellArray> {
    if n_points == 0 {
        return Just(CellArray::empty()).boxed();
    }
    prop::collection::vec(prop::collection::vec(0..n_points as i64, size), 0..=6)
        .prop_map(|cs| CellArray::from_cells(cs.iter().map(Vec::as_slice)))
        .boxed()
}

/// Random polydata: 0-12 points, any mixture of verts/lines/polys/strips (or only uniform
/// polygons, or only lines), arrays of every dtype and component count.
pub fn polydata() -> BoxedStrategy<PolyData> {
    (0usize..=12, 0u8..3)
        .prop_flat_map(|(n, shape)| {
            let cells: BoxedStrategy<PolyCells> = match shape {
                0 => (
                    cell_array(n, 0..=3),
                    cell_array(n, 0..=3),
                    cell_array(n, 0..=4),
                    cell_array(n, 0..=2),
                )
                    .prop_map(|(verts, lines, polys, strips)| PolyCells {
                        verts,
                        lines,
                        polys,
                        strips,
                    })
                    .boxed(),
                1 => (1usize..=4)
                    .prop_flat_map(move |p| uniform_cells(n, p))
                    .prop_map(PolyCells::polys)
                    .boxed(),
                _ => cell_array(n, 0..=5).prop_map(PolyCells::lines).boxed(),
            };
            (points(n), cells, attributes("p", n)).prop_flat_map(|(pts, cells, pd)| {
                let nc = cells.num_cells();
                (Just(pts), Just(cells), Just(pd), attributes("c", nc))
            })
        })
        .prop_map(|(pts, cells, pd, cd)| PolyData::try_new(pts, cells, pd, cd).unwrap())
        .boxed()
}

/// Random images: 0-4 points per axis, any extent start, geometry and direction, point and cell
/// arrays of every dtype with 1/2/3/4/9 components.
pub fn image_data() -> BoxedStrategy<ImageData> {
    let dims = [0usize..=4, 0usize..=4, 0usize..=4];
    let start = [-3i64..3, -3i64..3, -3i64..3];
    let geo = (
        prop::array::uniform3(-100.0f64..100.0),
        prop::array::uniform3(0.1f64..5.0),
        prop::array::uniform9(-1.0f64..1.0),
    );
    (dims, start, geo)
        .prop_flat_map(|(d, s, (origin, spacing, dir))| {
            let n: usize = d.iter().product();
            let nc = if n == 0 {
                0
            } else {
                d.iter().map(|&x| x.saturating_sub(1).max(1)).product()
            };
            let extent = [
                s[0],
                s[0] + d[0] as i64 - 1,
                s[1],
                s[1] + d[1] as i64 - 1,
                s[2],
                s[2] + d[2] as i64 - 1,
            ];
            (
                Just((extent, origin, spacing, dir)),
                attributes("p", n),
                attributes("c", nc),
            )
        })
        .prop_map(|((extent, origin, spacing, dir), pd, cd)| {
            ImageData::try_new(
                extent,
                origin,
                spacing,
                Matrix3::from_row_slice(&dir),
                pd,
                cd,
            )
            .unwrap()
        })
        .boxed()
}

/// One mesh cell: `(type, ids, polyhedron face stream)`.
fn mesh_cell(n_points: usize) -> BoxedStrategy<(CellType, Vec<i64>, Vec<i64>)> {
    let id = 0..n_points as i64;
    let fixed = prop::sample::select(vec![1u8, 3, 5, 8, 9, 10, 11, 12, 13, 14, 21, 24, 25])
        .prop_flat_map(move |t| {
            let n = CellType(t).fixed_size().unwrap();
            prop::collection::vec(0..n_points as i64, n)
                .prop_map(move |ids| (CellType(t), ids, Vec::new()))
        });
    let variable = (
        prop::sample::select(vec![2u8, 4, 7]),
        prop::collection::vec(id.clone(), 1..=7),
    )
        .prop_map(|(t, ids)| (CellType(t), ids, Vec::new()));
    let polyhedron = (
        prop::collection::vec(id.clone(), 4..=6),
        prop::collection::vec(prop::collection::vec(id, 3..=4), 1..=4),
    )
        .prop_map(|(ids, faces)| {
            let mut stream = vec![faces.len() as i64];
            for f in faces {
                stream.push(f.len() as i64);
                stream.extend(f);
            }
            (CellType::POLYHEDRON, ids, stream)
        });
    prop_oneof![4 => fixed, 2 => variable, 1 => polyhedron].boxed()
}

/// Random meshes: 0-10 points, 0-6 cells of linear, quadratic, variable-size and polyhedron types.
pub fn mesh() -> BoxedStrategy<UnstructuredGrid> {
    (0usize..=10)
        .prop_flat_map(|n| {
            let cells = if n == 0 {
                Just(Vec::new()).boxed()
            } else {
                prop::collection::vec(mesh_cell(n), 0..=6).boxed()
            };
            (points(n), cells, attributes("p", n))
        })
        .prop_flat_map(|(pts, cells, pd)| {
            let nc = cells.len();
            (Just(pts), Just(cells), Just(pd), attributes("c", nc))
        })
        .prop_map(|(pts, cs, pd, cd)| {
            let conn = CellArray::from_cells(cs.iter().map(|c| c.1.as_slice()));
            let types = cs.iter().map(|c| c.0).collect();
            let faces = cs.iter().any(|c| !c.2.is_empty()).then(|| {
                PolyhedronFaces::from_legacy_streams(cs.iter().map(|c| c.2.as_slice())).unwrap()
            });
            UnstructuredGrid::try_new(pts, conn, types, faces, pd, cd).unwrap()
        })
        .boxed()
}
