//! STL reader and writer.

// Exact float comparisons are intended: every codec here must be lossless.
#![allow(
    clippy::float_cmp,
    clippy::unreadable_literal,
    clippy::doc_markdown,
    clippy::large_stack_arrays
)]

use std::path::{Path, PathBuf};

use vtk_formats::stl::StlWriteOptions;
use vtk_formats::Durability;
use vtk_formats::{stl, FormatError, ReadOptions};
use vtk_model::{ArrayData, Attributes, CellArray, DataArray, PolyCells, PolyData};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn binary_stl(header: &[u8; 80], tris: &[[[f32; 3]; 3]]) -> Vec<u8> {
    let mut v = header.to_vec();
    v.extend_from_slice(&(tris.len() as u32).to_le_bytes());
    for t in tris {
        v.extend_from_slice(&[0u8; 12]);
        for p in t {
            for c in p {
                v.extend_from_slice(&c.to_le_bytes());
            }
        }
        v.extend_from_slice(&[0, 0]);
    }
    v
}

fn read(bytes: &[u8]) -> Result<PolyData, FormatError> {
    let d = tmp();
    let p = put(d.path(), "case.stl", bytes);
    stl::read(&p, &ReadOptions::default())
}

fn hostile(bytes: &[u8]) -> FormatError {
    let d = tmp();
    let p = put(d.path(), "hostile.stl", bytes);
    let e = stl::read(&p, &ReadOptions::default()).expect_err("hostile input must fail");
    assert!(
        e.to_string().contains("hostile.stl"),
        "error does not name the file: {e}"
    );
    e
}

const A: [f32; 3] = [0.0, 0.0, 0.0];
const B: [f32; 3] = [1.0, 0.0, 0.0];
const C: [f32; 3] = [0.0, 1.0, 0.0];
const D: [f32; 3] = [1.0, 1.0, 0.0];

#[test]
fn binary_points_merged_in_first_occurrence_order() {
    let f = binary_stl(&[b' '; 80], &[[B, C, A], [C, B, D]]);
    let p = read(&f).unwrap();
    assert_eq!(
        p.points().data(),
        &ArrayData::F32(vec![1., 0., 0., 0., 1., 0., 0., 0., 0., 1., 1., 0.])
    );
    assert_eq!(p.cells().polys.connectivity(), &[0, 1, 2, 1, 0, 3]);
    assert!(p.point_data().is_empty() && p.cell_data().is_empty());
}

#[test]
fn negative_zero_merges_with_zero_and_degenerate_triangles_are_dropped() {
    let f = binary_stl(
        &[b' '; 80],
        &[[A, B, C], [[-0.0, 0.0, -0.0], B, D], [A, A, B]],
    );
    let p = read(&f).unwrap();
    assert_eq!(p.num_points(), 4);
    assert_eq!(p.cells().polys.num_cells(), 2);
    assert_eq!(p.cells().polys.cell(1), &[0, 1, 3]);
}

#[test]
fn binary_file_whose_header_starts_with_solid() {
    let mut h = [b' '; 80];
    h[..5].copy_from_slice(b"solid");
    let p = read(&binary_stl(&h, &[[A, B, C]])).unwrap();
    assert_eq!(p.num_points(), 3);
}

#[test]
fn ascii_with_two_solids() {
    let f = "solid one\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid one\nsolid\nfacet normal 0 0 1\nouter loop\nvertex 1 0 0\nvertex 1 1 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n";
    let p = read(f.as_bytes()).unwrap();
    assert_eq!(p.num_points(), 4);
    assert_eq!(p.cells().polys.connectivity(), &[0, 1, 2, 1, 3, 2]);
}

#[test]
fn write_then_read_round_trip_with_fan_and_strip() {
    let pts = DataArray::new(
        "Points",
        3,
        ArrayData::F64(vec![
            0., 0., 0., 1., 0., 0., 1., 1., 0., 0., 1., 0., 0.5, 2., 0.,
        ]),
    )
    .unwrap();
    let cells = PolyCells {
        polys: CellArray::from_cells([&[0i64, 1, 2, 3][..]]),
        strips: CellArray::from_cells([&[3i64, 2, 4][..]]),
        ..PolyCells::default()
    };
    let pd = PolyData::try_new(pts, cells, Attributes::new(), Attributes::new()).unwrap();
    let d = tmp();
    let p = d.path().join("w.stl");
    stl::write(&p, &pd, &StlWriteOptions::default(), Durability::default()).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!(bytes.len(), 84 + 50 * 3);
    assert!(!bytes.starts_with(b"solid"));
    // First facet normal is +z.
    assert_eq!(&bytes[84..96], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f]);
    let back = stl::read(&p, &ReadOptions::default()).unwrap();
    assert_eq!(back.num_points(), 5);
    assert_eq!(
        back.cells().polys.connectivity(),
        &[0, 1, 2, 0, 2, 3, 3, 2, 4]
    );
}

/// ASCII STL has `vtkSTLWriter`'s layout, reads back (with our reader) as the binary file does,
/// and keeps every `f32` exactly, however small or long its decimal form.
#[test]
fn ascii_write_reads_back_as_the_binary_one() {
    let xyz = [
        0.1f64, 156.445, -24.609_4, 1.0e-30, 3.0, 7.25, 1.0, 2.0, -0.0, 4.5, 1.0e20, 5.0, 0.3, 0.7,
        9.0,
    ];
    let pts = DataArray::new("Points", 3, ArrayData::F64(xyz.to_vec())).unwrap();
    let cells = PolyCells {
        polys: CellArray::from_cells([&[0i64, 1, 2, 3][..]]),
        strips: CellArray::from_cells([&[3i64, 2, 4][..]]),
        ..PolyCells::default()
    };
    let pd = PolyData::try_new(pts, cells, Attributes::new(), Attributes::new()).unwrap();
    let d = tmp();
    let (text_path, binary_path) = (d.path().join("a.stl"), d.path().join("b.stl"));
    let mut ascii = StlWriteOptions::default();
    ascii.ascii = true;
    stl::write(&text_path, &pd, &ascii, Durability::default()).unwrap();
    stl::write(
        &binary_path,
        &pd,
        &StlWriteOptions::default(),
        Durability::default(),
    )
    .unwrap();
    let text = std::fs::read_to_string(&text_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 3 * 7, "{text}");
    assert!(lines[0].starts_with("solid"));
    assert!(lines[1].starts_with(" facet normal "));
    assert_eq!(lines[2], "  outer loop");
    assert!(lines[3].starts_with("   vertex "));
    assert_eq!(&lines[6..8], ["  endloop", " endfacet"]);
    assert!(lines[lines.len() - 1].starts_with("endsolid"));
    let from_text = stl::read(&text_path, &ReadOptions::default()).unwrap();
    let from_binary = stl::read(&binary_path, &ReadOptions::default()).unwrap();
    assert_eq!(from_text.num_points(), 5);
    assert_eq!(
        from_text.points().data().to_f64_vec(),
        from_binary.points().data().to_f64_vec()
    );
    assert_eq!(
        from_text.cells().polys.connectivity(),
        from_binary.cells().polys.connectivity()
    );
    let as_f32: Vec<f64> = xyz.iter().map(|v| f64::from(*v as f32)).collect();
    assert_eq!(from_text.points().data().to_f64_vec(), as_f32);
    // The stream writer writes the same text.
    let mut streamed = Vec::new();
    stl::write_to(&mut streamed, &pd, &ascii).unwrap();
    assert_eq!(streamed, text.as_bytes());
    assert_eq!(
        stl::polygons_split(&pd),
        1,
        "the quad is split, the strip not counted"
    );
}

#[test]
fn write_rejects_lines() {
    let pts = DataArray::new("Points", 3, ArrayData::F32(vec![0.0; 6])).unwrap();
    let pd = PolyData::try_new(
        pts,
        PolyCells::lines(CellArray::from_cells([&[0i64, 1][..]])),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let d = tmp();
    assert!(matches!(
        stl::write(
            &d.path().join("l.stl"),
            &pd,
            &StlWriteOptions::default(),
            Durability::default()
        ),
        Err(FormatError::CannotWrite { .. })
    ));
}

/// Many exporters write a wrong (often zero) count: VTK's reader then takes every whole triangle the
/// file holds, and so do we; a trailing piece shorter than a triangle is ignored, as by VTK.
#[test]
fn binary_count_smaller_than_the_file_reads_every_triangle() {
    let right = read(&binary_stl(&[b' '; 80], &[[A, B, C], [B, D, C]])).unwrap();
    for count in [0u32, 1] {
        let mut f = binary_stl(&[b' '; 80], &[[A, B, C], [B, D, C]]);
        f[80..84].copy_from_slice(&count.to_le_bytes());
        assert_eq!(read(&f).unwrap(), right, "count {count}");
        f.extend_from_slice(&[7; 49]);
        assert_eq!(
            read(&f).unwrap(),
            right,
            "count {count} and 49 trailing bytes"
        );
    }
}

// ---- hostile inputs ----

#[test]
fn hostile_triangle_count_larger_than_file() {
    let mut f = binary_stl(&[b' '; 80], &[[A, B, C]]);
    f[80..84].copy_from_slice(&1_000_000u32.to_le_bytes());
    assert!(matches!(hostile(&f), FormatError::TooLarge { .. }));
}

#[test]
fn hostile_shorter_than_binary_header() {
    hostile(b"\x00\x01\x02 not stl");
}

#[test]
fn hostile_empty_file() {
    hostile(b"");
}

#[test]
fn hostile_ascii_truncated_facet() {
    hostile(b"solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0");
}

#[test]
fn hostile_ascii_bad_number() {
    hostile(b"solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 zero\n");
}

#[test]
fn hostile_ascii_quad_facet() {
    hostile(b"solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 1 1 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n");
}
