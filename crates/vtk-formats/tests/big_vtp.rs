//! Huge data through VTK XML: a point array larger than 4 GiB (needs `header_type="UInt64"`), written
//! and read back. `#[ignore]`d: run with `cargo xtask big` (needs about 10 GiB of memory and 5 GiB
//! of disk next to the target dir).

use std::path::Path;

use vtk_formats::xml::{self, HeaderType, XmlCompression, XmlEncoding, XmlWriteOptions};
use vtk_formats::Durability;
use vtk_formats::ReadOptions;
use vtk_model::{ArrayData, Attributes, CellArray, DataArray, DataSet, PolyCells, PolyData};

use test_support::memory;

use memory::{available_mib, peak_rss_mib, reset_peak};

#[test]
#[ignore = "big: run `cargo xtask big`"]
fn big_vtp_point_array_over_4_gib_round_trips_with_uint64_headers() {
    const POINTS: usize = 1 << 20;
    const COMPONENTS: usize = 4200; // u8: 4.1e9 + bytes > 4 GiB
    let need_mib = 2 * ((POINTS * COMPONENTS) >> 20) + 1024;
    if available_mib().is_some_and(|a| a < need_mib as u64) {
        eprintln!("SKIPPED: big_vtp: needs about {need_mib} MiB of free memory");
        return;
    }
    reset_peak();
    let started = std::time::Instant::now();
    let n = POINTS * COMPONENTS;
    assert!(n as u64 > 4 << 30);
    // A pattern that is not periodic in 2^32, so an offset truncated to 32 bits reads wrong bytes.
    let values: Vec<u8> = (0..n).map(|i| (i % 251) as u8 ^ (i >> 32) as u8).collect();
    let pts: Vec<f32> = (0..POINTS * 3).map(|i| i as f32).collect();
    let mut pd_attrs = Attributes::new();
    pd_attrs.push(DataArray::new("Huge", COMPONENTS, ArrayData::U8(values)).unwrap());
    let verts =
        CellArray::new((0..=POINTS as i64).collect(), (0..POINTS as i64).collect()).unwrap();
    let cells = PolyCells {
        verts,
        ..PolyCells::default()
    };
    let pd = PolyData::try_new(
        DataArray::new("Points", 3, ArrayData::F32(pts)).unwrap(),
        cells,
        pd_attrs,
        Attributes::new(),
    )
    .unwrap();
    let ds = DataSet::PolyData(pd);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = dir.path().join("huge.vtp");
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::AppendedRaw,
        compression: XmlCompression::None,
        header: HeaderType::UInt64,
        ..XmlWriteOptions::default()
    };
    xml::write(&path, &ds, &opts, Durability::default()).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 4 << 30, "file is only {size} bytes");
    let back = xml::read(&path, &ReadOptions::default()).unwrap();
    assert!(back == ds, "the > 4 GiB array did not round-trip");
    report(
        "big_vtp_point_array_over_4_gib_round_trips_with_uint64_headers",
        started,
        &path,
    );
}

fn report(name: &str, started: std::time::Instant, path: &Path) {
    let peak = peak_rss_mib().map_or_else(|| "?".to_owned(), |p| p.to_string());
    println!(
        "BIG: {name}: ok in {:.0} s, file {} MiB, peak RSS {peak} MiB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(path).map_or(0, |m| m.len() >> 20)
    );
}
