//! MetaImage reader and writer.

// Exact float comparisons are intended: every codec here must be lossless.
#![allow(
    clippy::float_cmp,
    clippy::unreadable_literal,
    clippy::doc_markdown,
    clippy::large_stack_arrays
)]

use std::io::Write;
use std::path::{Path, PathBuf};

use vtk_formats::metaimage::{self, MetaWriteOptions};
use vtk_formats::Durability;
use vtk_formats::{FormatError, ImageFrame, ReadOptions};
use vtk_model::{ArrayData, Attributes, DType, DataArray, ImageData, Matrix3};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn opts(frame: ImageFrame) -> ReadOptions {
    ReadOptions {
        frame,
        ..ReadOptions::default()
    }
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn mha(header: &str, data: &[u8]) -> Vec<u8> {
    let mut v = header.as_bytes().to_vec();
    v.extend_from_slice(data);
    v
}

fn read_mha(bytes: &[u8], frame: ImageFrame) -> Result<ImageData, FormatError> {
    let d = tmp();
    let p = put(d.path(), "case.mha", bytes);
    metaimage::read(&p, &opts(frame))
}

fn hostile(bytes: &[u8]) -> FormatError {
    let d = tmp();
    let p = put(d.path(), "hostile.mha", bytes);
    let e = metaimage::read(&p, &ReadOptions::default()).expect_err("hostile input must fail");
    assert!(
        e.to_string().contains("hostile.mha"),
        "error does not name the file: {e}"
    );
    e
}

const REAL: &str = "../../../shared/real-vmtk/aorta.mha";

fn real() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(REAL);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: real aorta.mha not found at {} (../shared absent)",
            p.display()
        );
        None
    }
}

fn close(a: [f64; 3], b: [f64; 3]) -> bool {
    a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-9)
}

#[test]
fn real_aorta_ras_frame() {
    let Some(p) = real() else { return };
    let img = metaimage::read(&p, &opts(ImageFrame::Ras)).unwrap();
    assert_eq!(img.dimensions(), [157, 393, 34]);
    assert!(
        close(img.origin(), [156.445, 24.6094, 0.0]),
        "{:?}",
        img.origin()
    );
    assert_eq!(img.direction(), Matrix3::identity());
    assert!(close(img.spacing(), [0.878906, 0.878906, 1.50009]));
    let a = img.point_data().get("MetaImage").unwrap();
    assert_eq!(
        (a.dtype(), a.components(), a.tuples()),
        (DType::F32, 1, 157 * 393 * 34)
    );
}

#[test]
fn real_aorta_lps_frame() {
    let Some(p) = real() else { return };
    let img = metaimage::read(&p, &opts(ImageFrame::Lps)).unwrap();
    assert!(
        close(img.origin(), [-156.445, -24.6094, 0.0]),
        "{:?}",
        img.origin()
    );
    assert_eq!(
        img.direction(),
        Matrix3::from_diagonal(&vtk_model::Vector3::new(-1.0, -1.0, 1.0))
    );
}

#[test]
fn real_aorta_round_trips_in_both_frames() {
    let Some(p) = real() else { return };
    for frame in [ImageFrame::Ras, ImageFrame::Lps] {
        let img = metaimage::read(&p, &opts(frame)).unwrap();
        let d = tmp();
        let out = d.path().join("a.mha");
        metaimage::write(
            &out,
            &img,
            &MetaWriteOptions {
                compress: true,
                frame,
            },
            Durability::default(),
        )
        .unwrap();
        assert_eq!(
            metaimage::read(&out, &opts(frame)).unwrap(),
            img,
            "{frame:?}"
        );
    }
}

#[test]
fn every_element_type() {
    let cases: &[(&str, DType)] = &[
        ("MET_CHAR", DType::I8),
        ("MET_UCHAR", DType::U8),
        ("MET_SHORT", DType::I16),
        ("MET_USHORT", DType::U16),
        ("MET_INT", DType::I32),
        ("MET_UINT", DType::U32),
        ("MET_LONG", DType::I32),
        ("MET_ULONG", DType::U32),
        ("MET_LONG_LONG", DType::I64),
        ("MET_ULONG_LONG", DType::U64),
        ("MET_FLOAT", DType::F32),
        ("MET_DOUBLE", DType::F64),
        ("MET_FLOAT_ARRAY", DType::F32),
    ];
    for &(name, dt) in cases {
        let mut data = ArrayData::zeros(dt, 6);
        for (i, b) in data.as_bytes_mut().iter_mut().enumerate() {
            *b = (i * 7 + 1) as u8;
        }
        let h = format!("ObjectType = Image\nNDims = 3\nBinaryData = True\nDimSize = 3 2 1\nElementType = {name}\nElementDataFile = LOCAL\n");
        let img = read_mha(&mha(&h, data.as_bytes()), ImageFrame::Lps)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            img.point_data().get("MetaImage").unwrap().data(),
            &data,
            "{name}"
        );
    }
}

#[test]
fn big_endian_channels_and_2d() {
    let vals: Vec<u16> = (0..12).map(|i| i * 1000 + 1).collect();
    let be: Vec<u8> = vals.iter().flat_map(|v| v.to_be_bytes()).collect();
    let h = "NDims = 2\nDimSize = 3 2\nElementNumberOfChannels = 2\nBinaryData = True\nElementByteOrderMSB = True\nElementType = MET_USHORT_ARRAY\nElementDataFile = LOCAL\n";
    let img = read_mha(&mha(h, &be), ImageFrame::Lps).unwrap();
    assert_eq!(img.dimensions(), [3, 2, 1]);
    let a = img.point_data().get("MetaImage").unwrap();
    assert_eq!((a.components(), a.data()), (2, &ArrayData::U16(vals)));
}

#[test]
fn synonyms_and_itk_direction_convention() {
    // SimpleITK writes the direction with rows (0,1,0), (0,0,1), (1,0,0) as these numbers.
    let h = "ObjectType = Image\nNDims = 3\nBinaryData = True\nOrientation = 0 0 1 1 0 0 0 1 0\nPosition = 1 2 3\nElementSize = 0.5 1 2\nDimSize = 1 1 1\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n";
    let img = read_mha(&mha(h, &[9]), ImageFrame::Lps).unwrap();
    assert_eq!(
        img.direction(),
        Matrix3::new(0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0)
    );
    assert_eq!(img.origin(), [1.0, 2.0, 3.0]);
    assert_eq!(img.spacing(), [0.5, 1.0, 2.0]);
    let ras = read_mha(&mha(h, &[9]), ImageFrame::Ras).unwrap();
    assert_eq!(ras.origin(), [-1.0, -2.0, 3.0]);
    assert_eq!(
        ras.direction(),
        Matrix3::new(0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 1.0, 0.0, 0.0)
    );
}

#[test]
fn compressed_local_and_ascii_data() {
    let raw: Vec<u8> = (0..24u8).collect();
    let z = zlib(&raw);
    let h = format!("NDims = 3\nDimSize = 2 3 4\nBinaryData = True\nCompressedData = True\nCompressedDataSize = {}\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", z.len());
    let img = read_mha(&mha(&h, &z), ImageFrame::Lps).unwrap();
    assert_eq!(
        img.point_data().get("MetaImage").unwrap().data(),
        &ArrayData::U8(raw)
    );
    let h = "NDims = 2\nDimSize = 2 2\nBinaryData = False\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n";
    let img = read_mha(&mha(h, b"1.5 -2\n3 4e2\n"), ImageFrame::Lps).unwrap();
    assert_eq!(
        img.point_data().get("MetaImage").unwrap().data(),
        &ArrayData::F32(vec![1.5, -2.0, 3.0, 400.0])
    );
}

#[test]
fn mhd_with_raw_zraw_and_header_size() {
    let d = tmp();
    let raw: Vec<u8> = (0..8u8).collect();
    let mut with_junk = vec![0xAA; 5];
    with_junk.extend_from_slice(&raw);
    put(d.path(), "img.raw", &with_junk);
    let p = put(d.path(), "img.mhd", b"NDims = 3\nDimSize = 2 2 2\nBinaryData = True\nHeaderSize = 5\nElementType = MET_CHAR\nElementDataFile = img.raw\n");
    let img = metaimage::read(&p, &ReadOptions::default()).unwrap();
    assert_eq!(
        img.point_data().get("MetaImage").unwrap().data(),
        &ArrayData::I8((0..8).collect())
    );
    let p = put(d.path(), "end.mhd", b"NDims = 3\nDimSize = 2 2 2\nBinaryData = True\nHeaderSize = -1\nElementType = MET_CHAR\nElementDataFile = img.raw\n");
    let img = metaimage::read(&p, &ReadOptions::default()).unwrap();
    assert_eq!(
        img.point_data().get("MetaImage").unwrap().data(),
        &ArrayData::I8((0..8).collect())
    );
    put(d.path(), "img.zraw", &zlib(&raw));
    let p = put(d.path(), "z.mhd", b"NDims = 3\nDimSize = 2 2 2\nBinaryData = True\nCompressedData = True\nElementType = MET_UCHAR\nElementDataFile = img.zraw\n");
    let img = metaimage::read(&p, &ReadOptions::default()).unwrap();
    assert_eq!(
        img.point_data().get("MetaImage").unwrap().data(),
        &ArrayData::U8(raw)
    );
}

fn sample(dt: DType, comps: usize) -> ImageData {
    let mut data = ArrayData::zeros(dt, 4 * 3 * 2 * comps);
    for (i, b) in data.as_bytes_mut().iter_mut().enumerate() {
        *b = (i * 13 + 3) as u8;
    }
    if let ArrayData::F64(v) = &mut data {
        v.iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as f64 / 3.0);
    }
    if let ArrayData::F32(v) = &mut data {
        v.iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as f32 / 3.0);
    }
    let a = DataArray::new("MetaImage", comps, data).unwrap();
    let dir = Matrix3::new(0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0);
    ImageData::try_new(
        [0, 3, 0, 2, 0, 1],
        [1.25, -2.0, 3.5],
        [0.5, 0.75, 1.1],
        dir,
        vec![a].into(),
        Attributes::new(),
    )
    .unwrap()
}

#[test]
fn round_trip_mha_and_mhd_compressed_or_not_in_both_frames() {
    for dt in DType::ALL {
        for (ext, compress, frame) in [
            ("mha", false, ImageFrame::Ras),
            ("mha", true, ImageFrame::Lps),
            ("mhd", false, ImageFrame::Lps),
            ("mhd", true, ImageFrame::Ras),
        ] {
            let img = sample(dt, 1 + (dt.size() % 3));
            let d = tmp();
            let p = d.path().join(format!("x.{ext}"));
            metaimage::write(
                &p,
                &img,
                &MetaWriteOptions { compress, frame },
                Durability::default(),
            )
            .unwrap();
            if ext == "mhd" {
                assert!(d
                    .path()
                    .join(if compress { "x.zraw" } else { "x.raw" })
                    .exists());
            }
            let back = metaimage::read(&p, &opts(frame)).unwrap();
            assert_eq!(back, img, "{dt:?} {ext} {compress} {frame:?}");
        }
    }
}

#[test]
fn writer_converts_ras_to_lps_numbers() {
    let img = sample(DType::U8, 1);
    let d = tmp();
    let p = d.path().join("x.mha");
    metaimage::write(
        &p,
        &img,
        &MetaWriteOptions {
            compress: false,
            frame: ImageFrame::Ras,
        },
        Durability::default(),
    )
    .unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
    assert!(text.contains("Offset = -1.25 2 3.5\n"), "{text}");
    // File direction = diag(-1,-1,1) * D, listed column by column.
    assert!(
        text.contains("TransformMatrix = 0 0 1 -1 0 0 0 -1 0\n"),
        "{text}"
    );
}

#[test]
fn writer_rejects_images_without_exactly_one_point_array() {
    let img = ImageData::try_new(
        [0, 1, 0, 0, 0, 0],
        [0.0; 3],
        [1.0; 3],
        Matrix3::identity(),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let d = tmp();
    let e = metaimage::write(
        &d.path().join("e.mha"),
        &img,
        &MetaWriteOptions::default(),
        Durability::default(),
    )
    .unwrap_err();
    assert!(matches!(e, FormatError::CannotWrite { .. }));
}

// ---- hostile inputs ----

const H: &str = "NDims = 3\nDimSize = 2 2 2\nBinaryData = True\nElementType = MET_UCHAR\n";

#[test]
fn hostile_no_element_data_file() {
    hostile(H.as_bytes());
}

#[test]
fn hostile_not_a_header() {
    hostile(b"\x89PNG\r\n\x1a\n binary junk");
}

#[test]
fn hostile_truncated_data() {
    let e = hostile(&mha(&format!("{H}ElementDataFile = LOCAL\n"), &[1, 2, 3]));
    assert!(matches!(e, FormatError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_huge_dims() {
    let e = hostile(b"NDims = 3\nDimSize = 100000 100000 100000\nBinaryData = True\nElementType = MET_DOUBLE\nElementDataFile = LOCAL\n\x00");
    assert!(matches!(e, FormatError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_dims_overflow() {
    hostile(b"NDims = 3\nDimSize = 18446744073709551615 18446744073709551615 2\nBinaryData = True\nElementType = MET_DOUBLE\nElementDataFile = LOCAL\n");
}

#[test]
fn hostile_negative_dims() {
    hostile(b"NDims = 3\nDimSize = 2 -2 2\nBinaryData = True\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n");
}

#[test]
fn hostile_dimsize_count_mismatch() {
    hostile(b"NDims = 3\nDimSize = 2 2\nBinaryData = True\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n");
}

#[test]
fn hostile_unknown_element_type() {
    let e = hostile(b"NDims = 3\nDimSize = 2 2 2\nBinaryData = True\nElementType = MET_QUATERNION\nElementDataFile = LOCAL\n");
    assert!(e.to_string().contains("MET_QUATERNION"), "{e}");
}

#[test]
fn hostile_corrupt_zlib() {
    let h = format!("{H}CompressedData = True\nElementDataFile = LOCAL\n");
    let e = hostile(&mha(&h, b"\x78\x9c this is not deflate data"));
    assert!(matches!(e, FormatError::Malformed { .. }), "{e}");
}

#[test]
fn hostile_zlib_bomb_declared_larger_than_possible() {
    // 1 GiB declared from 100 compressed bytes: more than deflate can expand to.
    let z = zlib(&[0u8; 1000]);
    let h = format!("NDims = 3\nDimSize = 1024 1024 1024\nBinaryData = True\nCompressedData = True\nCompressedDataSize = {}\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", z.len());
    let e = hostile(&mha(&h, &z));
    assert!(matches!(e, FormatError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_zlib_stream_longer_than_declared() {
    let z = zlib(&[7u8; 100_000]);
    let h = format!("{H}CompressedData = True\nElementDataFile = LOCAL\n");
    let e = hostile(&mha(&h, &z));
    assert!(e.to_string().contains("more than"), "{e}");
}

#[test]
fn hostile_compressed_size_larger_than_file() {
    let h =
        format!("{H}CompressedData = True\nCompressedDataSize = 999999\nElementDataFile = LOCAL\n");
    assert!(matches!(
        hostile(&mha(&h, &zlib(&[0; 8]))),
        FormatError::TooLarge { .. }
    ));
}

#[test]
fn hostile_missing_data_file() {
    let e = hostile(format!("{H}ElementDataFile = nowhere.raw\n").as_bytes());
    assert!(e.to_string().contains("nowhere.raw"), "{e}");
}

#[test]
fn hostile_list_data_file_is_unsupported() {
    assert!(matches!(
        hostile(format!("{H}ElementDataFile = LIST\na.raw\n").as_bytes()),
        FormatError::Unsupported { .. }
    ));
}

#[test]
fn hostile_header_size_beyond_file() {
    let d = tmp();
    put(d.path(), "s.raw", &[0; 8]);
    let p = put(
        d.path(),
        "hostile.mhd",
        format!("{H}HeaderSize = 100\nElementDataFile = s.raw\n").as_bytes(),
    );
    let e = metaimage::read(&p, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, FormatError::TooLarge { .. }), "{e}");
}

#[test]
fn hostile_bad_number_in_spacing() {
    hostile(format!("{H}ElementSpacing = 1 abc 1\nElementDataFile = LOCAL\n").as_bytes());
}

#[test]
fn hostile_ndims_4_is_unsupported() {
    assert!(matches!(
        hostile(
            b"NDims = 4\nDimSize = 1 1 1 1\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n\x00"
        ),
        FormatError::Unsupported { .. }
    ));
}

#[test]
fn max_alloc_is_honoured() {
    let h = format!("{H}ElementDataFile = LOCAL\n");
    let d = tmp();
    let p = put(d.path(), "lim.mha", &mha(&h, &[0; 8]));
    let e = metaimage::read(
        &p,
        &ReadOptions {
            max_alloc: 4,
            ..ReadOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, FormatError::TooLarge { limit: 4, .. }), "{e}");
}
