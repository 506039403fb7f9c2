//! Hostile and broken VTK XML input: every case must give a `FormatError`, never a panic, a hang or
//! an allocation the input does not justify.

mod xml_support;

use std::io::Write;
use std::path::Path;

use vtk_formats::xml::{
    read_bytes, write_to, HeaderType, XmlCompression, XmlEncoding, XmlWriteOptions,
};
use vtk_formats::{FormatError, ReadOptions};
use xml_support::{all_modes, polydata};

fn read(bytes: &[u8]) -> Result<vtk_model::DataSet, FormatError> {
    read_bytes(bytes, Path::new("hostile.vtp"), &ReadOptions::default())
}

/// A file with two `f4` points whose `Points` array is the raw appended `payload`.
fn raw_file(compressor: Option<&str>, ty: &str, offset: &str, payload: &[u8]) -> Vec<u8> {
    let comp = compressor
        .map(|c| format!(" compressor=\"{c}\""))
        .unwrap_or_default();
    let mut f = format!(
        "<?xml version=\"1.0\"?>\n<VTKFile type=\"PolyData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\"{comp}>\n\
         <PolyData><Piece NumberOfPoints=\"2\"><Points>\
         <DataArray type=\"{ty}\" Name=\"Points\" NumberOfComponents=\"3\" format=\"appended\" offset=\"{offset}\"/>\
         </Points></Piece></PolyData>\n<AppendedData encoding=\"raw\">\n_"
    )
    .into_bytes();
    f.extend_from_slice(payload);
    f.extend_from_slice(b"\n</AppendedData>\n</VTKFile>\n");
    f
}

fn points_bytes() -> Vec<u8> {
    [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect()
}

fn header(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One compressed block of `data` with its header.
fn one_block(compressed: &[u8], uncompressed_len: u64) -> Vec<u8> {
    let mut p = header(&[1, uncompressed_len, 0, compressed.len() as u64]);
    p.extend_from_slice(compressed);
    p
}

#[test]
fn harness_files_are_valid() {
    let mut p = header(&[24]);
    p.extend(points_bytes());
    read(&raw_file(None, "Float32", "0", &p)).unwrap();
    read(&raw_file(
        Some("vtkZLibDataCompressor"),
        "Float32",
        "0",
        &one_block(&zlib(&points_bytes()), 24),
    ))
    .unwrap();
}

#[test]
fn truncated_appended_data() {
    let mut p = header(&[24]);
    p.extend(points_bytes());
    let mut f = raw_file(None, "Float32", "0", &p);
    let cut = f.len() - 30; // inside the point data
    f.truncate(cut);
    let msg = read(&f).expect_err("truncated file read").to_string();
    assert!(msg.contains("the file is truncated"), "{msg}");
}

/// `NumberOfTuples` must agree with the piece's count and, for arrays no count sizes (polyhedron
/// faces), with the data.
#[test]
fn number_of_tuples_that_disagrees_is_an_error() {
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::Ascii,
        ..XmlWriteOptions::default()
    };
    let mut buf = Vec::new();
    write_to(&mut buf, &xml_support::ugrid(true), &opts).unwrap();
    let text = String::from_utf8(buf).unwrap();
    read(text.as_bytes()).unwrap();
    for (name, tuples, expected) in [
        ("faces", "1", "NumberOfTuples=\"1\", but the data holds"),
        ("types", "1", "NumberOfTuples=\"1\", but the piece has"),
        (
            "types",
            "x",
            "NumberOfTuples=\"x\" is not a non-negative integer",
        ),
    ] {
        let tag = format!("Name=\"{name}\"");
        assert!(text.contains(&tag), "the writer names an array {name}");
        let lying = text.replacen(&tag, &format!("{tag} NumberOfTuples=\"{tuples}\""), 1);
        let msg = read(lying.as_bytes()).expect_err(name).to_string();
        assert!(msg.contains(expected), "{name}: {msg}");
    }
}

/// A truncated file is an error, never a smaller dataset: every prefix of a valid file that stops
/// before its `</VTKFile>` is refused, in every encoding (inline and ascii arrays that all decode
/// included).
#[test]
fn every_prefix_before_the_closing_tag_is_an_error() {
    for (i, opts) in all_modes().into_iter().enumerate() {
        let ds = if i % 2 == 0 {
            polydata(false)
        } else {
            xml_support::ugrid(false)
        };
        let mut buf = Vec::new();
        write_to(&mut buf, &ds, &opts).unwrap();
        let end = buf.windows(10).rposition(|w| w == b"</VTKFile>").unwrap();
        for cut in (0..end).rev().step_by(5).chain([end - 1]) {
            assert!(
                read(&buf[..cut]).is_err(),
                "{opts:?}: the first {cut} of {} bytes read",
                buf.len()
            );
        }
        read(&buf[..end + 10]).unwrap();
    }
}

#[test]
fn every_truncation_and_byte_flip_is_an_error_or_ok_never_a_panic() {
    for opts in all_modes().into_iter().step_by(3) {
        let mut buf = Vec::new();
        write_to(&mut buf, &polydata(false), &opts).unwrap();
        for cut in (0..buf.len()).step_by(7) {
            let _ = read(&buf[..cut]);
        }
        let mut seed = 0x9E37_79B9u32;
        for _ in 0..200 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let mut b = buf.clone();
            let i = seed as usize % b.len();
            b[i] ^= (seed >> 24) as u8 | 1;
            let _ = read(&b);
        }
    }
}

#[test]
fn bad_base64() {
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::InlineBase64,
        ..XmlWriteOptions::default()
    };
    let mut buf = Vec::new();
    write_to(&mut buf, &polydata(false), &opts).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let at = text.find("format=\"binary\">").unwrap() + 40;
    let mut bytes = text.into_bytes();
    bytes[at] = b'*';
    let err = read(&bytes).unwrap_err();
    assert!(
        matches!(
            &err,
            FormatError::Malformed {
                element: Some(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("base64"), "{err}");
}

#[test]
fn corrupt_zlib_block() {
    let mut z = zlib(&points_bytes());
    let n = z.len();
    z[n / 2] ^= 0xFF;
    z[n - 1] ^= 0xFF; // the Adler-32 checksum
    let err = read(&raw_file(
        Some("vtkZLibDataCompressor"),
        "Float32",
        "0",
        &one_block(&z, 24),
    ))
    .unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::Malformed {
                offset: Some(_),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn corrupt_lz4_block() {
    let mut z = lz4_flex::block::compress(&points_bytes());
    assert_eq!(z[0] >> 4, 15, "expected a long literal run");
    z[1] = 0xFE; // the literal run now reaches past the end of the block
    let err = read(&raw_file(
        Some("vtkLZ4DataCompressor"),
        "Float32",
        "0",
        &one_block(&z, 24),
    ))
    .unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err}");
}

#[test]
fn corrupt_lzma_block() {
    let mut z = Vec::new();
    std::io::Read::read_to_end(
        &mut liblzma::read::XzEncoder::new(&points_bytes()[..], 6),
        &mut z,
    )
    .unwrap();
    z[0] ^= 0xFF; // the xz magic
    let err = read(&raw_file(
        Some("vtkLZMADataCompressor"),
        "Float32",
        "0",
        &one_block(&z, 24),
    ))
    .unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err}");
}

#[test]
fn uncompressed_size_larger_than_file() {
    let mut p = header(&[1 << 40]);
    p.extend(points_bytes());
    let err = read(&raw_file(None, "Float32", "0", &p)).unwrap_err();
    assert!(
        matches!(err, FormatError::TooLarge { declared, .. } if declared == 1 << 40),
        "{err}"
    );
}

#[test]
fn block_count_larger_than_file() {
    let p = header(&[1 << 60, 32768, 0]);
    let err = read(&raw_file(Some("vtkZLibDataCompressor"), "Float32", "0", &p)).unwrap_err();
    assert!(matches!(err, FormatError::TooLarge { .. }), "{err}");
}

#[test]
fn compressed_block_larger_than_file() {
    let z = zlib(&points_bytes());
    let mut p = header(&[1, 24, 0, z.len() as u64 + 1000]);
    p.extend_from_slice(&z);
    let err = read(&raw_file(Some("vtkZLibDataCompressor"), "Float32", "0", &p)).unwrap_err();
    assert!(matches!(err, FormatError::TooLarge { .. }), "{err}");
}

#[test]
fn offset_out_of_range() {
    let mut p = header(&[24]);
    p.extend(points_bytes());
    let err = read(&raw_file(None, "Float32", "999999", &p)).unwrap_err();
    assert!(
        matches!(&err, FormatError::Malformed { element: Some(e), .. } if e.contains("Points")),
        "{err}"
    );
}

#[test]
fn unknown_type_name() {
    let mut p = header(&[24]);
    p.extend(points_bytes());
    let err = read(&raw_file(None, "Float16", "0", &p)).unwrap_err();
    assert!(err.to_string().contains("Float16"), "{err}");
}

#[test]
fn zlib_bomb_stops_at_declared_size() {
    // 64 MiB of zeros compress to ~64 KiB; the header claims 24 bytes.
    let bomb = zlib(&vec![0u8; 64 << 20]);
    let t = std::time::Instant::now();
    let err = read(&raw_file(
        Some("vtkZLibDataCompressor"),
        "Float32",
        "0",
        &one_block(&bomb, 24),
    ))
    .unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err}");
    assert!(t.elapsed().as_secs() < 5, "bomb was decompressed in full");
}

#[test]
fn declared_size_beyond_compression_ratio_is_rejected_before_allocation() {
    let z = zlib(&points_bytes());
    let mut p = header(&[1, 1 << 40, 0, z.len() as u64]);
    p.extend_from_slice(&z);
    let err = read(&raw_file(Some("vtkZLibDataCompressor"), "Float32", "0", &p)).unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err}");
}

#[test]
fn point_count_beyond_allocation_limit() {
    let f = b"<VTKFile type=\"PolyData\" version=\"1.0\"><PolyData><Piece NumberOfPoints=\"4611686018427387904\"><Points>\
        <DataArray type=\"Float32\" NumberOfComponents=\"3\" format=\"ascii\">1 2 3</DataArray></Points></Piece></PolyData></VTKFile>";
    let err = read(f).unwrap_err();
    assert!(matches!(err, FormatError::TooLarge { .. }), "{err}");
}

#[test]
fn connectivity_id_out_of_range() {
    let f = b"<VTKFile type=\"PolyData\" version=\"1.0\"><PolyData><Piece NumberOfPoints=\"1\" NumberOfLines=\"1\"><Points>\
        <DataArray type=\"Float32\" NumberOfComponents=\"3\" format=\"ascii\">1 2 3</DataArray></Points><Lines>\
        <DataArray type=\"Int32\" Name=\"connectivity\" format=\"ascii\">0 7</DataArray>\
        <DataArray type=\"Int32\" Name=\"offsets\" format=\"ascii\">2</DataArray></Lines></Piece></PolyData></VTKFile>";
    let err = read(f).unwrap_err();
    assert!(matches!(err, FormatError::Model { .. }), "{err}");
}

#[test]
fn offsets_beyond_connectivity() {
    let f = b"<VTKFile type=\"PolyData\" version=\"1.0\"><PolyData><Piece NumberOfPoints=\"1\" NumberOfLines=\"1\"><Points>\
        <DataArray type=\"Float32\" NumberOfComponents=\"3\" format=\"ascii\">1 2 3</DataArray></Points><Lines>\
        <DataArray type=\"Int32\" Name=\"connectivity\" format=\"ascii\">0 0</DataArray>\
        <DataArray type=\"Int32\" Name=\"offsets\" format=\"ascii\">5</DataArray></Lines></Piece></PolyData></VTKFile>";
    let err = read(f).unwrap_err();
    assert!(
        matches!(&err, FormatError::Malformed { element: Some(e), .. } if e.contains("connectivity")),
        "{err}"
    );
}

#[test]
fn bad_ascii_number() {
    let f = b"<VTKFile type=\"PolyData\"><PolyData><Piece NumberOfPoints=\"1\"><Points>\
        <DataArray type=\"Float32\" NumberOfComponents=\"3\" format=\"ascii\">1 2 x3</DataArray></Points></Piece></PolyData></VTKFile>";
    let err = read(f).unwrap_err();
    assert!(err.to_string().contains("x3"), "{err}");
}

#[test]
fn not_xml_and_wrong_root() {
    assert!(matches!(
        read(b"\x00\x01garbage<<<"),
        Err(FormatError::Malformed { .. })
    ));
    assert!(matches!(
        read(b"<foo/>"),
        Err(FormatError::Malformed { .. })
    ));
    assert!(matches!(
        read(b"<VTKFile type=\"PolyData\"><PolyData><Piece></Bad></VTKFile>"),
        Err(FormatError::Malformed { .. })
    ));
}

#[test]
fn deep_nesting_is_rejected() {
    let mut f = b"<VTKFile type=\"PolyData\">".to_vec();
    for _ in 0..100_000 {
        f.extend_from_slice(b"<a>");
    }
    assert!(matches!(read(&f), Err(FormatError::Malformed { .. })));
}

#[test]
fn unsupported_dataset_type_and_compressor() {
    assert!(matches!(
        read(b"<VTKFile type=\"StructuredGrid\"><StructuredGrid/></VTKFile>"),
        Err(FormatError::Unsupported { .. })
    ));
    assert!(matches!(
        read(b"<VTKFile type=\"PolyData\" compressor=\"vtkZstdDataCompressor\"><PolyData/></VTKFile>"),
        Err(FormatError::Unsupported { .. })
    ));
}

#[test]
fn allocation_limit_is_honoured() {
    let mut buf = Vec::new();
    let opts = XmlWriteOptions {
        header: HeaderType::UInt32,
        compression: XmlCompression::None,
        ..XmlWriteOptions::default()
    };
    write_to(&mut buf, &polydata(false), &opts).unwrap();
    let tight = ReadOptions {
        max_alloc: 16,
        ..ReadOptions::default()
    };
    let err = read_bytes(&buf, Path::new("t.vtp"), &tight).unwrap_err();
    assert!(
        matches!(err, FormatError::TooLarge { limit: 16, .. }),
        "{err}"
    );
}
