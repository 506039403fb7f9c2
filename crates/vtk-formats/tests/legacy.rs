//! Legacy `.vtk` reader and writer.

// Exact float comparisons are intended: every codec here must be lossless.
#![allow(
    clippy::float_cmp,
    clippy::unreadable_literal,
    clippy::doc_markdown,
    clippy::large_stack_arrays
)]

use std::path::{Path, PathBuf};

use vtk_formats::legacy::{self, LegacyVersion, LegacyWriteOptions};
use vtk_formats::Durability;
use vtk_formats::{FormatError, ReadOptions};
use vtk_model::{
    ArrayData, Attributes, CellArray, CellType, DType, DataArray, DataSet, ImageData, Matrix3,
    PolyCells, PolyData, PolyhedronFaces, UnstructuredGrid,
};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read_bytes(bytes: &[u8]) -> Result<DataSet, FormatError> {
    let d = tmp();
    let p = put(d.path(), "case.vtk", bytes);
    legacy::read(&p, &ReadOptions::default())
}

fn poly(ds: DataSet) -> PolyData {
    match ds {
        DataSet::PolyData(p) => p,
        other => panic!("expected polydata, got {other:?}"),
    }
}

/// The error must name the file and must not be a panic.
fn assert_err_names_file(bytes: &[u8]) -> FormatError {
    let d = tmp();
    let p = put(d.path(), "hostile.vtk", bytes);
    let e = legacy::read(&p, &ReadOptions::default()).expect_err("hostile input must fail");
    assert!(
        e.to_string().contains("hostile.vtk"),
        "error does not name the file: {e}"
    );
    e
}

const ASCII_POLY: &str = "# vtk DataFile Version 4.2
my title
ASCII
DATASET POLYDATA
POINTS 4 float
0 0 0 1 0 0 0 1 0
0 0 1
METADATA
INFORMATION 0

VERTICES 1 2
1 3
LINES 1 3
2 0 1
POLYGONS 2 8
3 0 1 2
3 0 2 3
POINT_DATA 4
SCALARS temp%20C double 2
LOOKUP_TABLE default
0 1 2 3 4 5 6 7
COLOR_SCALARS rgb 3
0.5 1 0 0.2 0.1 1 0 0 0 1 1 1
VECTORS vel float
1 2 3 4 5 6 7 8 9 10 11 12
NORMALS nrm float
0 0 1 0 0 1 0 0 1 0 0 1
TEXTURE_COORDINATES uv 2 float
0 0 1 0 0 1 1 1
CELL_DATA 4
TENSORS t float
1 2 3 4 5 6 7 8 9
1 2 3 4 5 6 7 8 9
1 2 3 4 5 6 7 8 9
1 2 3 4 5 6 7 8 9
FIELD FieldData 2
ids 1 4 int
10 20 30 40
METADATA
COMPONENT_NAMES
a

big 1 4 vtktypeint64
-1 9000000000 3 4
";

#[test]
fn ascii_polydata_every_attribute_keyword() {
    let p = poly(read_bytes(ASCII_POLY.as_bytes()).unwrap());
    assert_eq!(p.num_points(), 4);
    assert_eq!(p.cells().verts.cell(0), &[3]);
    assert_eq!(p.cells().lines.cell(0), &[0, 1]);
    assert_eq!(p.cells().polys.cell(1), &[0, 2, 3]);
    let pd = p.point_data();
    let names: Vec<&str> = pd.iter().map(DataArray::name).collect();
    assert_eq!(names, ["temp C", "rgb", "vel", "nrm", "uv"]);
    let s = pd.get("temp C").unwrap();
    assert_eq!(
        (s.components(), s.data()),
        (2, &ArrayData::F64((0..8).map(f64::from).collect()))
    );
    // VTK's reader: ascii colour floats become (255 v + 0.5) as u8.
    assert_eq!(
        pd.get("rgb").unwrap().data(),
        &ArrayData::U8(vec![128, 255, 0, 51, 26, 255, 0, 0, 0, 255, 255, 255])
    );
    assert_eq!(pd.get("vel").unwrap().components(), 3);
    assert_eq!(pd.get("uv").unwrap().components(), 2);
    let cd = p.cell_data();
    assert_eq!(cd.get("t").unwrap().components(), 9);
    assert_eq!(
        cd.get("ids").unwrap().data(),
        &ArrayData::I32(vec![10, 20, 30, 40])
    );
    assert_eq!(
        cd.get("big").unwrap().data(),
        &ArrayData::I64(vec![-1, 9_000_000_000, 3, 4])
    );
}

#[test]
fn binary_every_type_keyword() {
    let cases: Vec<(&str, Vec<u8>, ArrayData)> = vec![
        ("unsigned_char", vec![200, 7], ArrayData::U8(vec![200, 7])),
        ("char", vec![0xff, 7], ArrayData::I8(vec![-1, 7])),
        ("signed_char", vec![0x80, 7], ArrayData::I8(vec![-128, 7])),
        (
            "short",
            [(-2i16).to_be_bytes(), 3i16.to_be_bytes()].concat(),
            ArrayData::I16(vec![-2, 3]),
        ),
        (
            "unsigned_short",
            [65535u16.to_be_bytes(), 3u16.to_be_bytes()].concat(),
            ArrayData::U16(vec![65535, 3]),
        ),
        (
            "int",
            [(-5i32).to_be_bytes(), 6i32.to_be_bytes()].concat(),
            ArrayData::I32(vec![-5, 6]),
        ),
        (
            "unsigned_int",
            [u32::MAX.to_be_bytes(), 6u32.to_be_bytes()].concat(),
            ArrayData::U32(vec![u32::MAX, 6]),
        ),
        (
            "long",
            [(-7i64).to_be_bytes(), 8i64.to_be_bytes()].concat(),
            ArrayData::I64(vec![-7, 8]),
        ),
        (
            "unsigned_long",
            [u64::MAX.to_be_bytes(), 8u64.to_be_bytes()].concat(),
            ArrayData::U64(vec![u64::MAX, 8]),
        ),
        (
            "vtktypeint64",
            [i64::MIN.to_be_bytes(), 8i64.to_be_bytes()].concat(),
            ArrayData::I64(vec![i64::MIN, 8]),
        ),
        (
            "vtktypeuint64",
            [1u64.to_be_bytes(), 8u64.to_be_bytes()].concat(),
            ArrayData::U64(vec![1, 8]),
        ),
        (
            "float",
            [1.5f32.to_be_bytes(), (-0.25f32).to_be_bytes()].concat(),
            ArrayData::F32(vec![1.5, -0.25]),
        ),
        (
            "double",
            [1e300f64.to_be_bytes(), 2f64.to_be_bytes()].concat(),
            ArrayData::F64(vec![1e300, 2.0]),
        ),
        // VTK writes vtkIdType as 4-byte ints in binary files.
        (
            "vtkIdType",
            [(-1i32).to_be_bytes(), 9i32.to_be_bytes()].concat(),
            ArrayData::I64(vec![-1, 9]),
        ),
    ];
    for (name, be, expected) in cases {
        let mut f =
            b"# vtk DataFile Version 3.0\nt\nBINARY\nDATASET POLYDATA\nPOINTS 2 float\n".to_vec();
        f.extend_from_slice(&[0u8; 24]);
        f.extend_from_slice(
            format!("\nPOINT_DATA 2\nFIELD FieldData 1\nx 1 2 {name}\n").as_bytes(),
        );
        f.extend_from_slice(&be);
        f.push(b'\n');
        let p = poly(read_bytes(&f).unwrap_or_else(|e| panic!("{name}: {e}")));
        assert_eq!(p.point_data().get("x").unwrap().data(), &expected, "{name}");
    }
}

#[test]
fn bit_type_is_unsupported() {
    let f = b"# vtk DataFile Version 3.0\nt\nASCII\nDATASET POLYDATA\nPOINTS 1 float\n0 0 0\nPOINT_DATA 1\nSCALARS b bit\nLOOKUP_TABLE default\n1\n";
    assert!(matches!(
        read_bytes(f),
        Err(FormatError::Unsupported { .. })
    ));
}

#[test]
fn structured_and_rectilinear_grids_are_unsupported() {
    for kind in ["STRUCTURED_GRID", "RECTILINEAR_GRID"] {
        let f = format!("# vtk DataFile Version 3.0\nt\nASCII\nDATASET {kind}\nDIMENSIONS 1 1 1\n");
        let e = read_bytes(f.as_bytes()).unwrap_err();
        assert!(
            matches!(&e, FormatError::Unsupported { detail, .. } if detail.contains(kind)),
            "{e}"
        );
    }
}

/// VTK's legacy reader stores a polyhedron's point ids as the sorted unique ids of its faces, not
/// in first-occurrence order; the faces keep their own order.
#[test]
fn polyhedron_point_ids_are_sorted_unique_face_ids() {
    let f = "# vtk DataFile Version 4.2
vtk output
ASCII
DATASET UNSTRUCTURED_GRID
POINTS 5 float
0 0 0 1 0 0 0 1 0
0 0 1 9 9 9
CELLS 1 18
17 4 3 4 3 1 3 4 1 2 3 4 2 3 3 3 1 2
CELL_TYPES 1
42
";
    let DataSet::UnstructuredGrid(g) = read_bytes(f.as_bytes()).unwrap() else {
        panic!("not a grid")
    };
    assert_eq!(g.cells().cell(0), &[1, 2, 3, 4]);
    assert_eq!(
        g.faces().unwrap().legacy_stream(0),
        vec![4, 3, 4, 3, 1, 3, 4, 1, 2, 3, 4, 2, 3, 3, 3, 1, 2]
    );
}

#[test]
fn version_5_1_ugrid_with_polyhedron() {
    let f = "# vtk DataFile Version 5.1
vtk output
ASCII
DATASET UNSTRUCTURED_GRID
POINTS 4 float
0 0 0 1 0 0 0 1 0
0 0 1
CELLS 3 20
OFFSETS vtktypeint64
0 17 20
CONNECTIVITY vtktypeint64
4 3 0 1 2 3 0 1 3
3 1 2 3 3 0 2 3 0
1 2
CELL_TYPES 2
42
5

CELL_DATA 2
SCALARS c int 1
LOOKUP_TABLE default
7 8
";
    let DataSet::UnstructuredGrid(g) = read_bytes(f.as_bytes()).unwrap() else {
        panic!("not a grid")
    };
    assert_eq!(g.cell_types(), &[CellType::POLYHEDRON, CellType::TRIANGLE]);
    assert_eq!(g.cells().cell(0), &[0, 1, 2, 3]);
    assert_eq!(g.cells().cell(1), &[0, 1, 2]);
    let faces = g.faces().unwrap();
    assert_eq!(
        faces.legacy_stream(0),
        vec![4, 3, 0, 1, 2, 3, 0, 1, 3, 3, 1, 2, 3, 3, 0, 2, 3]
    );
    assert_eq!(
        g.cell_data().get("c").unwrap().data(),
        &ArrayData::I32(vec![7, 8])
    );
}

#[test]
fn version_2_ugrid_legacy_cells() {
    let f = "# vtk DataFile Version 2.0\nt\nASCII\nDATASET UNSTRUCTURED_GRID\nPOINTS 4 double\n0 0 0 1 0 0 0 1 0 0 0 1\nCELLS 2 9\n4 0 1 2 3\n3 0 1 2\nCELL_TYPES 2\n10 5\n";
    let DataSet::UnstructuredGrid(g) = read_bytes(f.as_bytes()).unwrap() else {
        panic!("not a grid")
    };
    assert_eq!(g.cells().offsets(), &[0, 4, 7]);
    assert_eq!(g.points().dtype(), DType::F64);
}

#[test]
fn structured_points_with_aspect_ratio() {
    let f = "# vtk DataFile Version 2.0\nt\nASCII\nDATASET STRUCTURED_POINTS\nDIMENSIONS 3 2 1\nASPECT_RATIO 0.5 2 1\nORIGIN 1 2 3\nPOINT_DATA 6\nSCALARS s unsigned_short\nLOOKUP_TABLE default\n0 1 2 3 4 5\n";
    let DataSet::ImageData(img) = read_bytes(f.as_bytes()).unwrap() else {
        panic!("not an image")
    };
    assert_eq!(img.dimensions(), [3, 2, 1]);
    assert_eq!(img.spacing(), [0.5, 2.0, 1.0]);
    assert_eq!(img.origin(), [1.0, 2.0, 3.0]);
    assert_eq!(
        img.point_data().get("s").unwrap().data(),
        &ArrayData::U16(vec![0, 1, 2, 3, 4, 5])
    );
}

#[test]
fn tensors6_global_ids_and_lookup_table_block() {
    let f = "# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 1 float\n0 0 0\nPOINT_DATA 1\nSCALARS s float\nLOOKUP_TABLE mine\n0.5\nLOOKUP_TABLE mine 2\n0 0 0 1 1 1 1 1\nTENSORS6 t6 double\n1 2 3 4 5 6\nGLOBAL_IDS g vtkIdType\n42\n";
    let p = poly(read_bytes(f.as_bytes()).unwrap());
    assert_eq!(p.point_data().get("t6").unwrap().components(), 6);
    assert_eq!(
        p.point_data().get("g").unwrap().data(),
        &ArrayData::I64(vec![42])
    );
}

fn all_dtype_arrays(n: usize) -> Vec<DataArray> {
    DType::ALL
        .iter()
        .enumerate()
        .map(|(k, &dt)| {
            let comps = 1 + k % 3;
            let mut data = ArrayData::zeros(dt, n * comps);
            for (i, b) in data.as_bytes_mut().iter_mut().enumerate() {
                *b = (i * 37 + k) as u8;
            }
            // Keep floats finite so equality holds.
            let data = match data {
                ArrayData::F32(v) => ArrayData::F32(
                    v.iter()
                        .enumerate()
                        .map(|(i, _)| i as f32 * 0.1 - 1.0)
                        .collect(),
                ),
                ArrayData::F64(v) => ArrayData::F64(
                    v.iter()
                        .enumerate()
                        .map(|(i, _)| (i as f64).sqrt() * 1e-7)
                        .collect(),
                ),
                d => d,
            };
            DataArray::new(format!("{} arr%{k}", dt.numpy_code()), comps, data).unwrap()
        })
        .collect()
}

fn sample_poly() -> PolyData {
    let pts = DataArray::new(
        "Points",
        3,
        ArrayData::F32((0..15).map(|i| i as f32 * 0.5).collect()),
    )
    .unwrap();
    let cells = PolyCells {
        verts: CellArray::from_cells([&[4i64][..]]),
        lines: CellArray::from_cells([&[0i64, 1, 2][..]]),
        polys: CellArray::from_cells([&[0i64, 1, 2][..], &[1, 2, 3, 4]]),
        strips: CellArray::from_cells([&[0i64, 1, 2, 3][..]]),
    };
    PolyData::try_new(
        pts,
        cells,
        all_dtype_arrays(5).into(),
        all_dtype_arrays(5).into(),
    )
    .unwrap()
}

fn sample_ugrid() -> UnstructuredGrid {
    let pts = DataArray::new(
        "Points",
        3,
        ArrayData::F64(vec![
            0., 0., 0., 1., 0., 0., 0., 1., 0., 0., 0., 1., 1., 1., 1.,
        ]),
    )
    .unwrap();
    let s: Vec<i64> = vec![4, 3, 0, 1, 2, 3, 0, 1, 3, 3, 1, 2, 3, 3, 0, 2, 3];
    let faces = PolyhedronFaces::from_legacy_streams([&[][..], s.as_slice(), &[]]).unwrap();
    let cells = CellArray::from_cells([&[0i64, 1, 2, 3][..], &[0, 1, 2, 3], &[4, 1, 2]]);
    UnstructuredGrid::try_new(
        pts,
        cells,
        vec![CellType::TETRA, CellType::POLYHEDRON, CellType::TRIANGLE],
        Some(faces),
        all_dtype_arrays(5).into(),
        all_dtype_arrays(3).into(),
    )
    .unwrap()
}

fn sample_image() -> ImageData {
    let data = DataArray::new("v", 2, ArrayData::I16((0..24).collect())).unwrap();
    let cd = DataArray::new("c", 1, ArrayData::F32(vec![1.0, 2.0])).unwrap();
    ImageData::try_new(
        [0, 2, 0, 1, 0, 1],
        [1.0, -2.5, 3.0],
        [0.5, 0.25, 2.0],
        Matrix3::identity(),
        vec![data].into(),
        vec![cd].into(),
    )
    .unwrap()
}

#[test]
fn round_trip_every_version_and_encoding() {
    let datasets: Vec<DataSet> = vec![
        sample_poly().into(),
        sample_ugrid().into(),
        sample_image().into(),
    ];
    for version in [LegacyVersion::V4_2, LegacyVersion::V5_1] {
        for binary in [false, true] {
            for ds in &datasets {
                let d = tmp();
                let p = d.path().join("rt.vtk");
                legacy::write(
                    &p,
                    ds,
                    &LegacyWriteOptions { version, binary },
                    Durability::default(),
                )
                .unwrap();
                let back = legacy::read(&p, &ReadOptions::default()).unwrap();
                assert_eq!(&back, ds, "{version:?} binary={binary}");
            }
        }
    }
}

#[test]
fn image_origin_is_first_point_and_direction_is_dropped() {
    let img = ImageData::try_new(
        [1, 2, 0, 0, 0, 0],
        [0.0; 3],
        [2.0, 1.0, 1.0],
        Matrix3::identity(),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let d = tmp();
    let p = d.path().join("x.vtk");
    legacy::write(
        &p,
        &img.into(),
        &LegacyWriteOptions::default(),
        Durability::default(),
    )
    .unwrap();
    let DataSet::ImageData(back) = legacy::read(&p, &ReadOptions::default()).unwrap() else {
        panic!()
    };
    assert_eq!(back.origin(), [2.0, 0.0, 0.0]);
    assert_eq!(back.dimensions(), [2, 1, 1]);
}

#[test]
fn v4_2_rejects_ids_beyond_32_bits_and_unnamed_arrays() {
    let n = 3;
    let pts = DataArray::new("Points", 3, ArrayData::F32(vec![0.0; 3 * n])).unwrap();
    let unnamed = DataArray::new("", 1, ArrayData::F32(vec![0.0; n])).unwrap();
    let pd = PolyData::try_new(
        pts,
        PolyCells::default(),
        vec![unnamed].into(),
        Attributes::new(),
    )
    .unwrap();
    let d = tmp();
    let e = legacy::write(
        &d.path().join("u.vtk"),
        &pd.into(),
        &LegacyWriteOptions::default(),
        Durability::default(),
    )
    .unwrap_err();
    assert!(matches!(e, FormatError::CannotWrite { .. }), "{e}");
    assert!(!d.path().join("u.vtk").exists());
}

// ---- hostile inputs: one test per case ----

#[test]
fn hostile_wrong_magic() {
    assert!(matches!(
        assert_err_names_file(b"# not vtk\nt\nASCII\n"),
        FormatError::Malformed { .. }
    ));
}

#[test]
fn hostile_truncated_header() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\ntitle\n");
}

#[test]
fn hostile_bad_encoding_word() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\ntitle\nEBCDIC\nDATASET POLYDATA\n");
}

#[test]
fn hostile_points_larger_than_file_binary() {
    let e = assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nBINARY\nDATASET POLYDATA\nPOINTS 1000000000000 float\n\x00\x00");
    assert!(matches!(e, FormatError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_points_larger_than_file_ascii() {
    let e = assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 99999999999 float\n0 0 0\n");
    assert!(matches!(e, FormatError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_count_overflow() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 9223372036854775807 float\n0 0 0\n");
}

#[test]
fn hostile_negative_count() {
    let e = assert_err_names_file(
        b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS -3 float\n0 0 0\n",
    );
    assert!(e.to_string().contains("negative"), "{e}");
}

#[test]
fn hostile_unknown_keyword() {
    let e = assert_err_names_file(
        b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nBANANAS 3\n",
    );
    assert!(e.to_string().contains("BANANAS"), "{e}");
}

#[test]
fn hostile_unknown_type() {
    let e = assert_err_names_file(
        b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 1 quaternion\n0 0 0\n",
    );
    assert!(e.to_string().contains("quaternion"), "{e}");
}

#[test]
fn hostile_truncated_binary_data() {
    let mut f =
        b"# vtk DataFile Version 4.2\nt\nBINARY\nDATASET POLYDATA\nPOINTS 2 float\n".to_vec();
    f.extend_from_slice(&[0u8; 20]);
    assert!(matches!(
        assert_err_names_file(&f),
        FormatError::TooLarge { .. }
    ));
}

#[test]
fn hostile_truncated_ascii_data() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 3 float\n0 0 0 1 1 1 2 2\n");
}

#[test]
fn hostile_cell_id_out_of_range() {
    let e = assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 1 float\n0 0 0\nLINES 1 3\n2 0 7\n");
    // Malformed, not Model: the model's text is said once, at the LINES section's offset.
    assert!(
        matches!(
            e,
            FormatError::Malformed {
                offset: Some(_),
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn hostile_cell_stream_count_mismatch() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n0 0 0 1 1 1\nLINES 2 3\n2 0 1\n");
}

#[test]
fn hostile_bad_offsets_5_1() {
    assert_err_names_file(b"# vtk DataFile Version 5.1\nt\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n0 0 0 1 1 1\nLINES 2 2\nOFFSETS vtktypeint64\n0 5\nCONNECTIVITY vtktypeint64\n0 1\n");
}

#[test]
fn hostile_attribute_tuple_count_mismatch() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 1 float\n0 0 0\nPOINT_DATA 2\nSCALARS s float\nLOOKUP_TABLE default\n1 2\n");
}

#[test]
fn hostile_binary_garbage_where_keyword_expected() {
    assert_err_names_file(
        b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\n\xff\xfe\x00\x01\n",
    );
}

#[test]
fn hostile_polyhedron_bad_face_stream() {
    assert_err_names_file(b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET UNSTRUCTURED_GRID\nPOINTS 4 float\n0 0 0 1 0 0 0 1 0 0 0 1\nCELLS 1 4\n3 9 0 1\nCELL_TYPES 1\n42\n");
}
