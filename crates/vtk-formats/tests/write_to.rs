//! Every format has the same shape: `write` (a path, atomic) writes exactly the bytes `write_to` (any
//! `Write`) writes, and `read_bytes` reads what `read` reads. `.mhd` is the one output that is two
//! files and only goes to a path.

use std::path::{Path, PathBuf};

use vtk_formats::legacy::{self, LegacyVersion, LegacyWriteOptions};
use vtk_formats::metaimage::{self, MetaWriteOptions};
use vtk_formats::stl::{self, StlWriteOptions};
use vtk_formats::xml::{self, XmlWriteOptions};
use vtk_formats::{files_written, Durability, Format, FormatError, ReadOptions, WriteOptions};
use vtk_model::DataSet;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn surface() -> DataSet {
    vtk_formats::read(
        &fixture("surface/surface.binary.zlib.h64.id64.vtp"),
        &ReadOptions::default(),
    )
    .unwrap()
}

fn image() -> vtk_model::ImageData {
    metaimage::read(
        &fixture("metaimage/float32.sitk-raw.mha"),
        &ReadOptions::default(),
    )
    .unwrap()
}

/// The bytes `write` put at a fresh path in a temporary directory, given what to call.
fn written(ext: &str, write: impl FnOnce(&Path) -> Result<(), FormatError>) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("out.{ext}"));
    write(&path).unwrap();
    std::fs::read(path).unwrap()
}

#[test]
fn path_and_stream_writers_write_the_same_bytes() {
    let ds = surface();
    let DataSet::PolyData(pd) = &ds else {
        panic!("a .vtp holds a polydata")
    };
    let durability = Durability::default();

    let xml_opts = XmlWriteOptions::default();
    let mut stream = Vec::new();
    xml::write_to(&mut stream, &ds, &xml_opts).unwrap();
    assert_eq!(
        written("vtp", |p| xml::write(p, &ds, &xml_opts, durability)),
        stream
    );

    for version in [LegacyVersion::V4_2, LegacyVersion::V5_1] {
        for binary in [false, true] {
            let opts = LegacyWriteOptions { version, binary };
            let mut stream = Vec::new();
            legacy::write_to(&mut stream, &ds, &opts).unwrap();
            assert_eq!(
                written("vtk", |p| legacy::write(p, &ds, &opts, durability)),
                stream,
                "{version:?} binary={binary}"
            );
        }
    }

    let mut stream = Vec::new();
    stl::write_to(&mut stream, pd, &StlWriteOptions::default()).unwrap();
    assert_eq!(
        written("stl", |p| stl::write(
            p,
            pd,
            &StlWriteOptions::default(),
            durability
        )),
        stream
    );

    let img = image();
    for compress in [false, true] {
        let opts = MetaWriteOptions {
            compress,
            ..MetaWriteOptions::default()
        };
        let mut stream = Vec::new();
        metaimage::write_to(&mut stream, &img, &opts).unwrap();
        assert_eq!(
            written("mha", |p| metaimage::write(p, &img, &opts, durability)),
            stream,
            "compress={compress}"
        );
    }
}

#[test]
fn read_bytes_reads_what_read_reads() {
    let opts = ReadOptions::default();
    let vtp = fixture("surface/surface.binary.zlib.h64.id64.vtp");
    assert_eq!(
        xml::read_bytes(&std::fs::read(&vtp).unwrap(), &vtp, &opts).unwrap(),
        xml::read(&vtp, &opts).unwrap()
    );
    let vtk = fixture("centerlines/centerlines.legacy51.binary.vtk");
    assert_eq!(
        legacy::read_bytes(&std::fs::read(&vtk).unwrap(), &vtk, &opts).unwrap(),
        legacy::read(&vtk, &opts).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let stl_path = dir.path().join("s.stl");
    let DataSet::PolyData(pd) = surface() else {
        panic!("a .vtp holds a polydata")
    };
    stl::write(
        &stl_path,
        &pd,
        &StlWriteOptions::default(),
        Durability::default(),
    )
    .unwrap();
    assert_eq!(
        stl::read_bytes(&std::fs::read(&stl_path).unwrap(), &stl_path, &opts).unwrap(),
        stl::read(&stl_path, &opts).unwrap()
    );
}

#[test]
fn stream_writers_name_the_stream_in_errors() {
    let img = image();
    let img = vtk_model::ImageData::try_new(
        img.extent(),
        img.origin(),
        img.spacing(),
        img.direction(),
        vtk_model::Attributes::new(),
        vtk_model::Attributes::new(),
    )
    .unwrap();
    let e = metaimage::write_to(&mut Vec::new(), &img, &MetaWriteOptions::default()).unwrap_err();
    assert!(
        matches!(&e, FormatError::CannotWrite { path, .. } if path == Path::new("<stream>")),
        "{e}"
    );
}

#[test]
fn only_a_metaimage_mhd_is_two_files() {
    assert!(metaimage::has_separate_data_file(Path::new("a/b.mhd")));
    assert!(metaimage::has_separate_data_file(Path::new("b.MHD")));
    assert!(!metaimage::has_separate_data_file(Path::new("b.mha")));
    assert!(!metaimage::has_separate_data_file(Path::new("mhd")));
    let by_extension = WriteOptions::default();
    assert_eq!(files_written(Path::new("x.mhd"), &by_extension), 2);
    assert_eq!(files_written(Path::new("x.mha"), &by_extension), 1);
    assert_eq!(files_written(Path::new("x.vtp"), &by_extension), 1);
    let as_vtp = WriteOptions {
        format: Some(Format::Vtp),
        ..WriteOptions::default()
    };
    assert_eq!(files_written(Path::new("x.mhd"), &as_vtp), 1);
}
