//! `xml::read` on big files with raw appended data reads only the XML head into memory and
//! each array straight from the file; it must give exactly what reading the bytes in memory gives,
//! and fail cleanly on truncated or corrupt files.

use std::path::Path;

use vtk_formats::xml::{
    self, read_bytes, write_to, HeaderType, XmlCompression, XmlEncoding, XmlWriteOptions,
};
use vtk_formats::{FormatError, ReadOptions};
use vtk_model::{ArrayData, Attributes, CellArray, DataArray, DataSet, PolyCells, PolyData};

/// A strip of triangles big enough (about 10 MB of connectivity) for the file path and for the
/// parallel conversions of big arrays.
fn big_surface() -> DataSet {
    let tris = 400_000usize;
    let n_points = tris + 2;
    let coords: Vec<f32> = (0..3 * n_points).map(|i| (i as f32) * 0.25).collect();
    let conn: Vec<i64> = (0..tris)
        .flat_map(|t| [t as i64, t as i64 + 1, t as i64 + 2])
        .collect();
    let offsets: Vec<i64> = (0..=tris).map(|t| 3 * t as i64).collect();
    let polys = CellArray::new(offsets, conn).unwrap();
    let mut pd = Attributes::new();
    pd.push(
        DataArray::new(
            "s",
            1,
            ArrayData::F64((0..n_points).map(|i| i as f64).collect()),
        )
        .unwrap(),
    );
    let mut cd = Attributes::new();
    cd.push(DataArray::new("c", 1, ArrayData::I32((0..tris as i32).collect())).unwrap());
    let points = DataArray::new("Points", 3, ArrayData::F32(coords)).unwrap();
    PolyData::try_new(points, PolyCells::polys(polys), pd, cd)
        .unwrap()
        .into()
}

fn write(
    dir: &Path,
    name: &str,
    ds: &DataSet,
    opts: &XmlWriteOptions,
) -> (std::path::PathBuf, Vec<u8>) {
    let mut bytes = Vec::new();
    write_to(&mut bytes, ds, opts).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

/// Offset of the first byte after the `_` that starts the appended data.
fn appended_start(bytes: &[u8]) -> usize {
    let tag = bytes
        .windows(13)
        .position(|w| w == b"<AppendedData")
        .unwrap();
    tag + bytes[tag..].iter().position(|&b| b == b'_').unwrap() + 1
}

#[test]
fn big_raw_appended_files_read_from_disk_equal_in_memory_reads() {
    let ds = big_surface();
    let dir = tempfile::tempdir().unwrap();
    for compression in [
        XmlCompression::None,
        XmlCompression::Zlib(1),
        XmlCompression::Lz4,
    ] {
        for header in [HeaderType::UInt32, HeaderType::UInt64] {
            for encoding in [XmlEncoding::AppendedRaw, XmlEncoding::AppendedBase64] {
                let opts = XmlWriteOptions {
                    encoding,
                    compression,
                    header,
                    block_size: 1 << 20,
                };
                let (path, bytes) = write(dir.path(), "s.vtp", &ds, &opts);
                assert!(
                    bytes.len() > 1 << 20,
                    "{opts:?}: file too small to take the file path"
                );
                let from_disk = xml::read(&path, &ReadOptions::default()).unwrap();
                let from_memory = read_bytes(&bytes, &path, &ReadOptions::default()).unwrap();
                assert_eq!(from_disk, from_memory, "{opts:?}");
                assert_eq!(from_disk, ds, "{opts:?}");
            }
        }
    }
}

#[test]
fn truncated_big_files_are_errors() {
    let ds = big_surface();
    let dir = tempfile::tempdir().unwrap();
    for compression in [XmlCompression::None, XmlCompression::Zlib(1)] {
        let opts = XmlWriteOptions {
            compression,
            ..XmlWriteOptions::default()
        };
        let (path, bytes) = write(dir.path(), "t.vtp", &ds, &opts);
        let data_start = appended_start(&bytes);
        for cut in [
            data_start + 4,
            data_start + 100,
            bytes.len() / 2,
            bytes.len() - 40,
            bytes.len() - 31,
        ] {
            // Keep the closing tag so the file path, not the whole-file fallback, sees the damage.
            let mut t = bytes[..cut].to_vec();
            t.extend_from_slice(b"\n</AppendedData>\n</VTKFile>\n");
            if t.len() < 1 << 20 {
                continue;
            }
            std::fs::write(&path, &t).unwrap();
            let r = xml::read(&path, &ReadOptions::default());
            assert!(
                r.is_err(),
                "{compression:?}: cut at {cut} of {} read fine",
                bytes.len()
            );
            // Same verdict as in memory.
            assert!(read_bytes(&t, &path, &ReadOptions::default()).is_err());
        }
    }
}

#[test]
fn big_files_without_their_closing_tags_are_truncated_not_smaller() {
    let ds = big_surface();
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = write(dir.path(), "c.vtp", &ds, &XmlWriteOptions::default());
    let rfind = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .rposition(|w| w == needle)
            .unwrap()
    };
    // Every array is whole in both: only the end of the document is missing.
    for cut in [rfind(b"</VTKFile>"), rfind(b"</AppendedData>")] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let from_disk = xml::read(&path, &ReadOptions::default());
        let from_memory = read_bytes(&bytes[..cut], &path, &ReadOptions::default());
        for r in [from_disk, from_memory] {
            let msg = r
                .expect_err("a file cut before its closing tags must not read")
                .to_string();
            assert!(msg.contains("the file is truncated"), "cut at {cut}: {msg}");
        }
    }
}

#[test]
fn huge_declared_size_in_big_file_is_rejected_before_allocating() {
    let ds = big_surface();
    let dir = tempfile::tempdir().unwrap();
    let opts = XmlWriteOptions {
        compression: XmlCompression::None,
        ..XmlWriteOptions::default()
    };
    let (path, mut bytes) = write(dir.path(), "h.vtp", &ds, &opts);
    let data_start = appended_start(&bytes);
    bytes[data_start..data_start + 8].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    match xml::read(&path, &ReadOptions::default()) {
        Err(FormatError::TooLarge { declared, .. }) => assert_eq!(declared, u64::MAX / 2),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

/// Polydata connectivity read raw from a file is narrowed to 32 bits when every id fits (what the
/// ArrayDict side keeps); an id that does not fit is read as it is and reported by the id check.
#[test]
fn raw_64_bit_polydata_ids_that_fit_are_read_32_bit() {
    use vtk_model::StoredIds;
    let ds = big_surface();
    let dir = tempfile::tempdir().unwrap();
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::AppendedRaw,
        compression: XmlCompression::None,
        header: HeaderType::UInt64,
        ..XmlWriteOptions::default()
    };
    let (path, mut bytes) = write(dir.path(), "s.vtp", &ds, &opts);
    let back = xml::read(&path, &ReadOptions::default()).unwrap();
    assert_eq!(back, ds);
    let DataSet::PolyData(p) = &back else {
        panic!("not polydata")
    };
    assert!(matches!(
        p.cells().polys.stored_connectivity(),
        StoredIds::I32(_)
    ));
    assert!(matches!(
        p.cells().polys.stored_offsets(),
        StoredIds::Steps { step: 3, .. }
    ));

    // Id 5 of the connectivity becomes 2^40, past what 32 bits hold.
    let head = String::from_utf8_lossy(&bytes[..appended_start(&bytes)]).into_owned();
    let tag = &head[head.find("Name=\"connectivity\"").unwrap()..];
    let offset: usize = tag[tag.find("offset=\"").unwrap() + 8..]
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let at = appended_start(&bytes) + offset + 8 + 5 * 8;
    bytes[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = xml::read(&path, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("1099511627776"), "{err}");
}
