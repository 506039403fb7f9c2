//! Huge data through the stores: an array larger than 4 GiB written to HDF5 and pickle (protocol
//! 4's 64-bit BINBYTES8 / FRAME lengths) and read back. `#[ignore]`d: run with `cargo xtask big`
//! (needs about 10 GiB of memory and 5 GiB of disk next to the target dir).

use arraydict::{ArrayData, Dict, NdArray};
use arraydict_store::{read, write, Compression, ReadOptions, StoreFormat, WriteOptions};

use test_support::memory;

use memory::{available_mib, peak_rss_mib, reset_peak};

const N: usize = (4 << 30) + 12_345;

fn huge_tree() -> Dict {
    // Not periodic in 2^32, so a length or offset truncated to 32 bits reads wrong bytes.
    let values: Vec<u8> = (0..N).map(|i| (i % 251) as u8 ^ (i >> 32) as u8).collect();
    let mut pd = Dict::new();
    pd.insert("Huge", NdArray::c(ArrayData::U8(values), vec![N]).unwrap());
    let mut tree = Dict::new();
    tree.insert("PointData", pd);
    tree
}

fn round_trip(format: StoreFormat, ext: &str) {
    let need = 2 * (N >> 20) + 1024;
    if available_mib().is_some_and(|a| a < need as u64) {
        eprintln!("SKIPPED: big_store {ext}: needs about {need} MiB of free memory");
        return;
    }
    reset_peak();
    let started = std::time::Instant::now();
    let tree = huge_tree();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = dir.path().join(format!("huge.{ext}"));
    let opts = WriteOptions {
        format: Some(format),
        compression: Compression::None,
        ..WriteOptions::default()
    };
    write(&path, &tree, &opts).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 4 << 30, "file is only {size} bytes");
    let back = read(&path, &ReadOptions::default()).unwrap();
    assert!(
        back == tree,
        "the > 4 GiB array did not round-trip through {ext}"
    );
    let peak = peak_rss_mib().map_or_else(|| "?".to_owned(), |p| p.to_string());
    println!(
        "BIG: big_store {ext}: ok in {:.0} s, file {} MiB, peak RSS {peak} MiB",
        started.elapsed().as_secs_f64(),
        size >> 20
    );
}

#[test]
#[ignore = "big: run `cargo xtask big`"]
fn big_array_over_4_gib_round_trips_through_hdf5() {
    round_trip(StoreFormat::Hdf5, "hdf5");
}

#[test]
#[ignore = "big: run `cargo xtask big`"]
fn big_array_over_4_gib_round_trips_through_pickle() {
    round_trip(StoreFormat::Pickle, "pickle");
}
