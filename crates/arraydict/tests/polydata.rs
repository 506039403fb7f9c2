//! SPEC sections 2-4 and 6-7 for surfaces and centerlines, one test per rule, with hand-made models
//! shaped like the real VMTK files.
// Compared floats are small integers or literals copied through unchanged, so exact equality is meant.
#![allow(clippy::float_cmp, clippy::unreadable_literal)]

mod common;

use arraydict::{
    detect_kind, from_arraydict, to_arraydict, validate, Dict, Kind, MemoryOrder, NdArray, Node,
    ToArrayDictOptions,
};
use common::{arr, array_at, cells, dict_at, keys, points_f32, poly, sig};
use vtk_model::{ArrayData, CellArray, DType, DataSet, PolyCells, PolyData, StoredIds};

fn surface_tree(pd: PolyData) -> arraydict::Dict {
    to_arraydict(pd.into(), Kind::Surface, &ToArrayDictOptions::default()).unwrap()
}

fn triangles(n_tri: usize, n_points: usize) -> PolyCells {
    let ids: Vec<Vec<i64>> = (0..n_tri)
        .map(|i| (0..3).map(|k| ((i + k) % n_points) as i64).collect())
        .collect();
    PolyCells::polys(cells(&ids.iter().map(Vec::as_slice).collect::<Vec<_>>()))
}

/// SPEC 3: the real aorta-surface.vtp tree, from a model of the same shape.
#[test]
fn aorta_surface_shape() {
    let n = 6468;
    let pd = poly(
        points_f32(n),
        triangles(12932, n),
        vec![
            arr("Scalars_", 1, vec![0f32; n]),
            arr("Normals_", 3, vec![0f32; 3 * n]),
        ],
        vec![],
    );
    let t = surface_tree(pd);
    assert_eq!(keys(&t), ["Points", "PointData", "CellData"]);
    assert_eq!(sig(&t, "/Points"), (DType::F32, vec![6468, 3]));
    assert_eq!(keys(dict_at(&t, "/PointData")), ["Scalars_", "Normals_"]);
    assert_eq!(sig(&t, "/PointData/Scalars_"), (DType::F32, vec![6468]));
    assert_eq!(sig(&t, "/PointData/Normals_"), (DType::F32, vec![6468, 3]));
    assert_eq!(keys(dict_at(&t, "/CellData")), ["CellPointIds"]);
    assert_eq!(
        sig(&t, "/CellData/CellPointIds"),
        (DType::I32, vec![12932, 3])
    );
    assert!(
        !t.contains_key("CellKindCounts"),
        "a pure triangle surface must stay VMTK-identical"
    );
}

/// SPEC 3: with cell arrays the order is `CellData, Points, PointData`; `CellPointIds` comes last.
#[test]
fn surface_key_order_with_cell_arrays() {
    let pd = poly(
        points_f32(3),
        triangles(2, 3),
        vec![],
        vec![arr("Group", 1, vec![1i32, 2])],
    );
    let t = surface_tree(pd);
    assert_eq!(keys(&t), ["CellData", "Points", "PointData"]);
    assert_eq!(keys(dict_at(&t, "/CellData")), ["Group", "CellPointIds"]);
}

/// SPEC 3: no point arrays -> `PointData` is an empty dict (the STL case).
#[test]
fn surface_without_point_arrays_has_empty_point_data() {
    let t = surface_tree(poly(points_f32(3), triangles(1, 3), vec![], vec![]));
    assert!(dict_at(&t, "/PointData").is_empty());
}

/// SPEC 3: Points keep f8 when the VTK points are double.
#[test]
fn points_keep_their_dtype() {
    let pts = arr("Points", 3, vec![0f64; 9]);
    let t = surface_tree(poly(pts, triangles(1, 3), vec![], vec![]));
    assert_eq!(sig(&t, "/Points"), (DType::F64, vec![3, 3]));
}

/// SPEC 3: cells in VTK order verts, lines, polys, strips; a same-size mixture stays an (n, P)
/// array, and the kinds travel in `CellKindCounts` (our extension).
#[test]
fn cell_order_and_kind_counts() {
    let c = PolyCells {
        verts: cells(&[&[0, 1, 2]]),
        lines: cells(&[&[1, 2, 3]]),
        polys: cells(&[&[2, 3, 0]]),
        strips: cells(&[&[3, 0, 1]]),
    };
    let pd = poly(points_f32(4), c, vec![], vec![]);
    let t = surface_tree(pd.clone());
    let ids = array_at(&t, "/CellData/CellPointIds");
    assert_eq!(
        ids.data(),
        &ArrayData::I32(vec![0, 1, 2, 1, 2, 3, 2, 3, 0, 3, 0, 1])
    );
    assert_eq!(
        array_at(&t, "/CellKindCounts").data(),
        &ArrayData::I64(vec![1, 1, 1, 1])
    );
    assert_eq!(
        from_arraydict(t, Kind::Surface).unwrap(),
        DataSet::PolyData(pd)
    );
}

/// VMTK defect 1, SPEC 6: cells of different sizes (cow.vtp: quads, triangles, polygons) -> ONE 1-D
/// `i4` legacy cell stream `[n0, ids0..., n1, ids1...]`, nothing truncated, nothing raised, no
/// `CellKindCounts` (every cell is a polygon); back, the ids stay 32-bit.
#[test]
fn defect1_mixed_cell_sizes_become_one_cell_stream() {
    let c = PolyCells::polys(cells(&[&[0, 1, 2, 3], &[0, 1, 2], &[0, 1, 2, 3, 4]]));
    let pd = poly(points_f32(5), c, vec![], vec![arr("G", 1, vec![7u8, 8, 9])]);
    let t = surface_tree(pd.clone());
    assert_eq!(sig(&t, "/CellData/CellPointIds"), (DType::I32, vec![15]));
    assert_eq!(
        array_at(&t, "/CellData/CellPointIds").data(),
        &ArrayData::I32(vec![4, 0, 1, 2, 3, 3, 0, 1, 2, 5, 0, 1, 2, 3, 4])
    );
    assert_eq!(keys(&t), ["CellData", "Points", "PointData"]);
    assert!(
        !t.contains_key("CellKindCounts"),
        "only polygons: no extension key needed"
    );
    assert_eq!(detect_kind(&t), Some(Kind::Surface));
    let DataSet::PolyData(back) = from_arraydict(t, Kind::Surface).unwrap() else {
        panic!("a surface tree gives polydata")
    };
    assert!(
        matches!(back.cells().polys.stored_connectivity(), StoredIds::I32(_)),
        "an i4 stream becomes 32-bit connectivity, not a widened copy"
    );
    assert_eq!(back, pd);
}

/// SPEC 6: verts, lines, polys and strips of different sizes in one stream, in VTK order, with their
/// kinds in `CellKindCounts`; the cell arrays follow the same order; all of it round-trips.
#[test]
fn cell_kinds_of_a_mixed_surface_travel_in_kind_counts() {
    let c = PolyCells {
        verts: cells(&[&[0], &[1, 2]]),
        lines: cells(&[&[0, 1], &[1, 2, 3]]),
        polys: cells(&[&[0, 1, 2], &[0, 1, 2, 3]]),
        strips: cells(&[&[0, 1, 2, 3, 4]]),
    };
    let pd = poly(
        points_f32(5),
        c,
        vec![],
        vec![arr("Id", 1, (0..7).collect::<Vec<i64>>())],
    );
    let t = surface_tree(pd.clone());
    assert_eq!(
        array_at(&t, "/CellData/CellPointIds").data(),
        &ArrayData::I32(vec![
            1, 0, 2, 1, 2, 2, 0, 1, 3, 1, 2, 3, 3, 0, 1, 2, 4, 0, 1, 2, 3, 5, 0, 1, 2, 3, 4
        ])
    );
    assert_eq!(
        array_at(&t, "/CellKindCounts").data(),
        &ArrayData::I64(vec![2, 2, 2, 1])
    );
    assert_eq!(
        keys(&t),
        ["CellData", "Points", "PointData", "CellKindCounts"]
    );
    assert_eq!(detect_kind(&t), Some(Kind::Surface));
    validate(&t, Kind::Surface).unwrap();
    assert_eq!(
        from_arraydict(t, Kind::Surface).unwrap(),
        DataSet::PolyData(pd)
    );
}

/// Files written before SPEC 6's revision hold mixed-size surfaces as a list of per-cell arrays, with
/// `CellKindCounts`; they still read (without the counts, a list is centerlines' and refused as a
/// surface).
#[test]
fn old_list_form_surfaces_still_read() {
    let c = PolyCells {
        verts: cells(&[&[4]]),
        lines: CellArray::empty(),
        polys: cells(&[&[0, 1, 2, 3], &[0, 1, 2]]),
        strips: CellArray::empty(),
    };
    let pd = poly(points_f32(5), c, vec![], vec![]);
    let list = |ids: &[&[i32]]| -> Vec<NdArray> {
        ids.iter().map(|c| NdArray::vector(c.to_vec())).collect()
    };
    let mut t = Dict::new();
    t.insert(
        "Points",
        NdArray::c(
            (0..15).map(|i| i as f32 * 0.5).collect::<Vec<f32>>(),
            vec![5, 3],
        )
        .unwrap(),
    );
    t.insert("PointData", Dict::new());
    let mut cd = Dict::new();
    cd.insert("CellPointIds", list(&[&[4], &[0, 1, 2, 3], &[0, 1, 2]]));
    t.insert("CellData", cd);
    t.insert("CellKindCounts", NdArray::vector(vec![1i64, 0, 2, 0]));
    assert_eq!(detect_kind(&t), Some(Kind::Surface));
    assert_eq!(
        from_arraydict(t.clone(), Kind::Surface).unwrap(),
        DataSet::PolyData(pd)
    );
    // Without the counts a list is centerlines' form (our writer always gave the old list form
    // its counts): read as a surface, its polylines would become polygons, so it is refused.
    t.remove("CellKindCounts");
    let e = from_arraydict(t, Kind::Surface).unwrap_err().to_string();
    assert!(
        e.contains("declared surface, but the tree looks like centerlines"),
        "{e}"
    );
}

/// A cell stream is a surface's form: read as centerlines it would turn polygons into lines, so
/// without `/CellKindCounts` it is refused naming the surface; with counts saying they are lines,
/// centerlines read it as lines.
#[test]
fn centerlines_read_a_cell_stream_as_lines_only_when_the_counts_say_so() {
    let mut t = to_arraydict(
        poly(
            points_f32(4),
            PolyCells::lines(cells(&[&[0, 1]])),
            vec![],
            vec![],
        )
        .into(),
        Kind::Centerlines,
        &ToArrayDictOptions::default(),
    )
    .unwrap();
    let Some(Node::Dict(cd)) = t.get_mut("CellData") else {
        panic!("CellData")
    };
    cd.insert(
        "CellPointIds",
        NdArray::vector(vec![2i32, 0, 1, 3, 1, 2, 3]),
    );
    let e = from_arraydict(t.clone(), Kind::Centerlines)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("declared centerlines, but the tree looks like a surface"),
        "{e}"
    );
    t.insert("CellKindCounts", NdArray::vector(vec![0i64, 2, 0, 0]));
    let DataSet::PolyData(p) = from_arraydict(t, Kind::Centerlines).unwrap() else {
        panic!("a centerlines tree gives polydata")
    };
    assert_eq!(p.cells().lines, cells(&[&[0, 1], &[1, 2, 3]]));
    assert!(p.cells().polys.is_empty());
}

/// Streams written from Python may use any integer dtype; the cells are the same.
#[test]
fn cell_streams_of_any_integer_dtype_are_read() {
    let expected = cells(&[&[0, 1, 2, 3], &[2, 1, 0]]);
    let stream = [4i64, 0, 1, 2, 3, 3, 2, 1, 0];
    let streams: [ArrayData; 3] = [
        ArrayData::I64(stream.to_vec()),
        ArrayData::U8(stream.iter().map(|&i| i as u8).collect()),
        ArrayData::I16(stream.iter().map(|&i| i as i16).collect()),
    ];
    for data in streams {
        let mut t = surface_tree(poly(points_f32(4), PolyCells::default(), vec![], vec![]));
        let Some(Node::Dict(cd)) = t.get_mut("CellData") else {
            panic!("CellData")
        };
        cd.insert(
            "CellPointIds",
            NdArray::new(data, vec![9], MemoryOrder::C).unwrap(),
        );
        let DataSet::PolyData(p) = from_arraydict(t, Kind::Surface).unwrap() else {
            panic!("a surface tree gives polydata")
        };
        assert_eq!(p.cells().polys, expected);
    }
}

/// A surface without cells keeps VMTK's `i4 (0, 0)` array and reads back as no cells.
#[test]
fn empty_surface_round_trips() {
    let pd = poly(points_f32(3), PolyCells::default(), vec![], vec![]);
    let t = surface_tree(pd.clone());
    assert_eq!(sig(&t, "/CellData/CellPointIds"), (DType::I32, vec![0, 0]));
    assert!(!t.contains_key("CellKindCounts"));
    assert_eq!(
        from_arraydict(t, Kind::Surface).unwrap(),
        DataSet::PolyData(pd)
    );
}

/// SPEC 3 `ConvertCellToPoint`: averaged arrays appended after the point arrays, CellData keeps only
/// the ids, key order `Points, PointData, CellData`, ints -> f4, f4 stays f4, f8 stays f8.
#[test]
fn convert_cell_to_point() {
    let pd = poly(
        points_f32(4),
        PolyCells::polys(cells(&[&[0, 1, 2], &[1, 2, 3]])),
        vec![arr("Radius", 1, vec![1f64; 4])],
        vec![
            arr("I", 1, vec![2i64, 4]),
            arr("F", 1, vec![2f32, 4.0]),
            arr("D", 2, vec![2f64, 0.0, 4.0, 1.0]),
        ],
    );
    let opts = ToArrayDictOptions {
        cell_to_point: true,
        ..Default::default()
    };
    let t = to_arraydict(pd.into(), Kind::Surface, &opts).unwrap();
    assert_eq!(keys(&t), ["Points", "PointData", "CellData"]);
    assert_eq!(keys(dict_at(&t, "/PointData")), ["Radius", "I", "F", "D"]);
    assert_eq!(keys(dict_at(&t, "/CellData")), ["CellPointIds"]);
    assert_eq!(
        array_at(&t, "/PointData/I").data(),
        &ArrayData::F32(vec![2.0, 3.0, 3.0, 4.0])
    );
    assert_eq!(array_at(&t, "/PointData/F").dtype(), DType::F32);
    assert_eq!(
        array_at(&t, "/PointData/D").data(),
        &ArrayData::F64(vec![2.0, 0.0, 3.0, 0.5, 3.0, 0.5, 4.0, 1.0])
    );
}

/// SPEC 4: the real aorta-centerline-branches.vtp tree, from a model of the same shape.
#[test]
fn aorta_centerline_branches_shape() {
    let n = 417;
    let lens = [78usize, 21, 116, 78, 21, 103];
    let mut start = 0;
    let lines: Vec<Vec<i64>> = lens
        .iter()
        .map(|&l| {
            let c = (start..start + l).map(|i| (i % n) as i64).collect();
            start += l;
            c
        })
        .collect();
    let lines = cells(&lines.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let pd = poly(
        points_f32(n),
        PolyCells::lines(lines),
        vec![
            arr("MaximumInscribedSphereRadius", 1, vec![1f64; n]),
            arr("EdgeArray", 2, vec![0i32; 2 * n]),
            arr("EdgePCoordArray", 1, vec![0f64; n]),
        ],
        ["CenterlineIds", "TractIds", "Blanking", "GroupIds"]
            .iter()
            .map(|k| arr(k, 1, vec![0i32; 6]))
            .collect(),
    );
    let t = to_arraydict(
        pd.clone().into(),
        Kind::Centerlines,
        &ToArrayDictOptions::default(),
    )
    .unwrap();
    assert_eq!(keys(&t), ["CellData", "Points", "PointData"]);
    assert_eq!(
        keys(dict_at(&t, "/CellData")),
        [
            "CenterlineIds",
            "TractIds",
            "Blanking",
            "GroupIds",
            "CellPointIds"
        ]
    );
    for k in ["CenterlineIds", "TractIds", "Blanking", "GroupIds"] {
        assert_eq!(sig(&t, &format!("/CellData/{k}")), (DType::I32, vec![6]));
    }
    let Some(Node::List(l)) = t.at("/CellData/CellPointIds") else {
        panic!("expected a list")
    };
    assert_eq!(
        l.iter()
            .map(|a| (a.dtype(), a.shape()[0]))
            .collect::<Vec<_>>(),
        lens.map(|l| (DType::I32, l))
    );
    assert_eq!(sig(&t, "/Points"), (DType::F32, vec![417, 3]));
    assert_eq!(
        keys(dict_at(&t, "/PointData")),
        [
            "MaximumInscribedSphereRadius",
            "EdgeArray",
            "EdgePCoordArray"
        ]
    );
    assert_eq!(
        sig(&t, "/PointData/MaximumInscribedSphereRadius"),
        (DType::F64, vec![417])
    );
    assert_eq!(sig(&t, "/PointData/EdgeArray"), (DType::I32, vec![417, 2]));
    assert_eq!(
        sig(&t, "/PointData/EdgePCoordArray"),
        (DType::F64, vec![417])
    );
    assert!(!t.contains_key("CellKindCounts"));
    // VMTK defect 5: numpy -> centerlines kept the cell arrays (VMTK leaves them with 0 tuples).
    assert_eq!(
        from_arraydict(t, Kind::Centerlines).unwrap(),
        DataSet::PolyData(pd)
    );
}

/// SPEC 4: centerlines without point arrays have no `PointData` key at all.
#[test]
fn centerlines_without_point_arrays_have_no_point_data() {
    let pd = poly(
        points_f32(3),
        PolyCells::lines(cells(&[&[0, 1, 2]])),
        vec![],
        vec![],
    );
    let t = to_arraydict(pd.into(), Kind::Centerlines, &ToArrayDictOptions::default()).unwrap();
    assert_eq!(keys(&t), ["Points", "CellData"]);
}

/// SPEC 2: a 9-component array is (n, 3, 3) with arr[i, r, c] = component 3c + r, zero-copy.
#[test]
fn nine_components_are_transposed_3x3_without_copy() {
    let values: Vec<f64> = (0..18).map(f64::from).collect();
    let pd = poly(
        points_f32(2),
        PolyCells::default(),
        vec![arr("T", 9, values)],
        vec![],
    );
    let expected = pd.clone();
    let ptr = pd.point_data().get("T").unwrap().data().as_bytes().as_ptr();
    let t = surface_tree(pd);
    let a = array_at(&t, "/PointData/T");
    assert_eq!(a.shape(), [2, 3, 3]);
    assert_eq!(
        a.data().as_bytes().as_ptr(),
        ptr,
        "the buffer must move, not be copied"
    );
    let row = |r: usize| [0, 1, 2].map(|c| a.get_f64(&[1, r, c]));
    assert_eq!(
        [row(0), row(1), row(2)],
        [[9.0, 12.0, 15.0], [10.0, 13.0, 16.0], [11.0, 14.0, 17.0]]
    );
    let back = from_arraydict(t, Kind::Surface).unwrap();
    let DataSet::PolyData(p) = &back else {
        panic!()
    };
    assert_eq!(
        p.point_data().get("T").unwrap().data().as_bytes().as_ptr(),
        ptr,
        "and move back"
    );
    assert_eq!(back, DataSet::PolyData(expected));
}

/// SPEC 2: every VTK dtype keeps its numpy dtype; VMTK defect 4 (numpy -> surface downcasts to
/// f4/i4, points to f4) does not happen: model -> tree -> model keeps i8, u8, u8, f8 points...
#[test]
fn defect4_dtypes_and_components_are_kept() {
    let pd_arrays: Vec<_> = DType::ALL
        .iter()
        .map(|&dt| {
            vtk_model::DataArray::new(format!("a_{dt}"), 2, ArrayData::zeros(dt, 6)).unwrap()
        })
        .collect();
    let cd_arrays = vec![
        arr("big", 1, vec![i64::MAX]),
        arr("vec4", 4, vec![1u16, 2, 3, 4]),
    ];
    let pd = poly(
        arr("Points", 3, vec![0f64; 9]),
        PolyCells::polys(cells(&[&[0, 1, 2]])),
        pd_arrays,
        cd_arrays,
    );
    let t = surface_tree(pd.clone());
    for dt in DType::ALL {
        assert_eq!(sig(&t, &format!("/PointData/a_{dt}")), (dt, vec![3, 2]));
    }
    assert_eq!(sig(&t, "/CellData/vec4"), (DType::U16, vec![1, 4]));
    assert_eq!(
        from_arraydict(t, Kind::Surface).unwrap(),
        DataSet::PolyData(pd)
    );
}

/// SPEC 2: unnamed arrays are not exported.
#[test]
fn unnamed_arrays_are_skipped() {
    let pd = poly(
        points_f32(3),
        PolyCells::default(),
        vec![arr("", 1, vec![1u8, 2, 3]), arr("x", 1, vec![1u8, 2, 3])],
        vec![],
    );
    assert_eq!(keys(dict_at(&surface_tree(pd), "/PointData")), ["x"]);
}

/// Duplicate names, and a cell array called `CellPointIds`, are clear errors naming the path.
#[test]
fn duplicate_and_reserved_names_are_errors() {
    let pd = poly(
        points_f32(3),
        PolyCells::default(),
        vec![arr("x", 1, vec![1u8, 2, 3]), arr("x", 1, vec![0u8; 3])],
        vec![],
    );
    let e = to_arraydict(pd.into(), Kind::Surface, &ToArrayDictOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/PointData/x: two arrays"), "{e}");
    let pd = poly(
        points_f32(3),
        PolyCells::polys(cells(&[&[0, 1, 2]])),
        vec![],
        vec![arr("CellPointIds", 1, vec![1u8])],
    );
    let e = to_arraydict(pd.into(), Kind::Surface, &ToArrayDictOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("/CellData/CellPointIds: this key is reserved"),
        "{e}"
    );
}

/// Trees written from Python: C- or F-ordered arrays, int64 ids as an (n, P) array, a hand-made
/// (n, 9) array, and a centerline ids array of shape (n, 2) all convert, keeping their dtypes.
#[test]
fn python_written_trees_are_accepted() {
    let mut t = arraydict::Dict::new();
    // (3, 3) f8 points in Fortran order: columns x, y, z.
    let pts = NdArray::new(
        ArrayData::F64(vec![0., 1., 2., 10., 11., 12., 20., 21., 22.]),
        vec![3, 3],
        MemoryOrder::F,
    )
    .unwrap();
    t.insert("Points", pts);
    let mut pd = arraydict::Dict::new();
    pd.insert(
        "T",
        NdArray::c((0..27).map(|i| i as i8).collect::<Vec<i8>>(), vec![3, 9]).unwrap(),
    );
    t.insert("PointData", pd);
    let mut cd = arraydict::Dict::new();
    cd.insert(
        "CellPointIds",
        NdArray::c(vec![0i64, 1, 2], vec![1, 3]).unwrap(),
    );
    t.insert("CellData", cd);
    validate(&t, Kind::Surface).unwrap();
    let DataSet::PolyData(p) = from_arraydict(t, Kind::Surface).unwrap() else {
        panic!()
    };
    assert_eq!(
        p.points().data(),
        &ArrayData::F64(vec![0., 10., 20., 1., 11., 21., 2., 12., 22.])
    );
    assert_eq!(p.point_data().get("T").unwrap().components(), 9);
    assert_eq!(p.point_data().get("T").unwrap().dtype(), DType::I8);
    assert_eq!(p.cells().polys.connectivity(), &[0, 1, 2]);
}

/// Ids of more than 2^20 values are narrowed, widened and numbered on all cores; the result is the
/// same as for small surfaces: a `(n, 3)` `i4` array, and back the same model.
#[test]
fn big_surfaces_round_trip_through_the_parallel_id_paths() {
    let (n_tri, n_points) = (400_003, 200_000);
    let pd = poly(
        points_f32(n_points),
        triangles(n_tri, n_points),
        vec![],
        vec![],
    );
    let tree = surface_tree(pd.clone());
    let ids = array_at(&tree, "CellData/CellPointIds");
    assert_eq!((ids.dtype(), ids.shape()), (DType::I32, &[n_tri, 3][..]));
    assert_eq!(
        ids.get_f64(&[n_tri - 1, 2]),
        ((n_tri + 1) % n_points) as f64
    );
    let DataSet::PolyData(back) = from_arraydict(tree, Kind::Surface).unwrap() else {
        panic!("a surface tree gives polydata")
    };
    assert_eq!(back, pd);
}
