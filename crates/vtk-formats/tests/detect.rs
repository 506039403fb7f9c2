//! Format detection and the top-level read/write dispatch.

// Exact float comparisons are intended: every codec here must be lossless.
#![allow(
    clippy::float_cmp,
    clippy::unreadable_literal,
    clippy::doc_markdown,
    clippy::large_stack_arrays
)]

use std::path::{Path, PathBuf};

use vtk_formats::legacy::LegacyWriteOptions;
use vtk_formats::metaimage::MetaWriteOptions;
use vtk_formats::{
    detect, detect_content, read, write, Format, FormatError, LegacyVersion, ReadOptions,
    WriteOptions,
};
use vtk_model::{
    ArrayData, Attributes, CellArray, DataArray, DataSet, ImageData, Matrix3, PolyCells, PolyData,
};

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn by_extension_case_insensitive() {
    for (name, f) in [
        ("a.VTP", Format::Vtp),
        ("a.vtu", Format::Vtu),
        ("a.Vti", Format::Vti),
        ("a.vtk", Format::LegacyVtk),
        ("a.MHA", Format::MetaImage),
        ("a.mhd", Format::MetaImage),
        ("a.StL", Format::Stl),
    ] {
        assert_eq!(detect(Path::new(name)).unwrap(), f, "{name}");
    }
}

#[test]
fn by_content_without_extension() {
    let d = tempfile::tempdir().unwrap();
    let cases: Vec<(&[u8], Format)> = vec![
        (b"# vtk DataFile Version 4.2\nt\nASCII\n", Format::LegacyVtk),
        (
            b"<?xml version=\"1.0\"?>\n<VTKFile type=\"PolyData\" version=\"1.0\">",
            Format::Vtp,
        ),
        (b"<VTKFile type='UnstructuredGrid'>", Format::Vtu),
        (b"<VTKFile version=\"0.1\" type=\"ImageData\">", Format::Vti),
        (b"ObjectType = Image\nNDims = 3\n", Format::MetaImage),
        (b"NDims = 2\n", Format::MetaImage),
        (b"solid part\nfacet normal 0 0 1\n", Format::Stl),
    ];
    for (i, (bytes, f)) in cases.into_iter().enumerate() {
        let p = put(d.path(), &format!("noext{i}"), bytes);
        assert_eq!(detect(&p).unwrap(), f, "case {i}");
    }
    let mut bin = vec![0u8; 80];
    bin.extend_from_slice(&2u32.to_le_bytes());
    bin.extend_from_slice(&[0u8; 100]);
    assert_eq!(detect_content(&bin, bin.len() as u64), Some(Format::Stl));
    let p = put(d.path(), "data.bin", b"\x00\x01 random");
    let e = detect(&p).unwrap_err();
    assert!(
        matches!(e, FormatError::UnknownFormat { .. }) && e.to_string().contains("data.bin"),
        "{e}"
    );
    assert_eq!(
        detect_content(b"<VTKFile type=\"StructuredGrid\">", 40),
        None
    );
}

fn surface() -> PolyData {
    let pts = DataArray::new(
        "Points",
        3,
        ArrayData::F32(vec![0., 0., 0., 1., 0., 0., 0., 1., 0.]),
    )
    .unwrap();
    PolyData::try_new(
        pts,
        PolyCells::polys(CellArray::from_cells([&[0i64, 1, 2][..]])),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap()
}

fn image() -> ImageData {
    let a = DataArray::new("MetaImage", 1, ArrayData::F32(vec![1.0, 2.0])).unwrap();
    ImageData::try_new(
        [0, 1, 0, 0, 0, 0],
        [1.0, 2.0, 3.0],
        [1.0; 3],
        Matrix3::identity(),
        vec![a].into(),
        Attributes::new(),
    )
    .unwrap()
}

#[test]
fn write_and_read_dispatch_by_extension() {
    let d = tempfile::tempdir().unwrap();
    let opts = WriteOptions {
        legacy: LegacyWriteOptions {
            version: LegacyVersion::V4_2,
            binary: true,
        },
        metaimage: MetaWriteOptions {
            compress: true,
            ..MetaWriteOptions::default()
        },
        ..WriteOptions::default()
    };
    let s: DataSet = surface().into();
    let img: DataSet = image().into();
    for (name, ds) in [
        ("s.vtk", &s),
        ("i.vtk", &img),
        ("i.mha", &img),
        ("i.mhd", &img),
    ] {
        let p = d.path().join(name);
        write(&p, ds, &opts).unwrap();
        assert_eq!(&read(&p, &ReadOptions::default()).unwrap(), ds, "{name}");
    }
    let ug = {
        let pts = DataArray::new(
            "Points",
            3,
            ArrayData::F64(vec![0., 0., 0., 1., 0., 0., 0., 1., 0., 0., 0., 1.]),
        )
        .unwrap();
        let cells = CellArray::from_cells([&[0i64, 1, 2, 3][..]]);
        let g = vtk_model::UnstructuredGrid::try_new(
            pts,
            cells,
            vec![vtk_model::CellType::TETRA],
            None,
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap();
        DataSet::from(g)
    };
    for (name, ds) in [("s.vtp", &s), ("g.vtu", &ug), ("i.vti", &img)] {
        let p = d.path().join(name);
        write(&p, ds, &opts).unwrap();
        assert_eq!(&read(&p, &ReadOptions::default()).unwrap(), ds, "{name}");
    }
    let p = d.path().join("s.stl");
    write(&p, &s, &opts).unwrap();
    assert_eq!(read(&p, &ReadOptions::default()).unwrap(), s);
}

#[test]
fn write_refuses_mismatched_kinds() {
    let d = tempfile::tempdir().unwrap();
    let opts = WriteOptions::default();
    let s: DataSet = surface().into();
    let img: DataSet = image().into();
    for (name, ds) in [
        ("a.mha", &s),
        ("a.stl", &img),
        ("a.vti", &s),
        ("a.vtp", &img),
        ("a.vtu", &s),
    ] {
        let e = write(&d.path().join(name), ds, &opts).unwrap_err();
        assert!(matches!(e, FormatError::CannotWrite { .. }), "{name}: {e}");
        assert!(!d.path().join(name).exists());
    }
    assert!(matches!(
        write(&d.path().join("a.png"), &s, &opts),
        Err(FormatError::UnknownFormat { .. })
    ));
}
