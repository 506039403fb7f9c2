//! Inputs the fuzzers (`fuzz/`, `cargo xtask fuzz`) found, each now a clean, bounded error.

use std::path::Path;

use arraydict_store::{read, ReadOptions, StoreError, StoreFormat};

/// `hdf5` finding 1: a 28 KB file whose chunked-layout message declares a chunk of about 4 GiB
/// for a small dataset; HDF5 allocated the whole chunk (a 4 GiB malloc) before reading it.
#[test]
fn hdf5_chunk_larger_than_the_file_can_hold_is_refused_before_allocating() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/hdf5-huge-chunk.h5");
    let opts = ReadOptions { format: Some(StoreFormat::Hdf5), ..ReadOptions::default() };
    let err = read(&path, &opts).expect_err("a 4 GiB chunk in a 28 KB file must be refused");
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("hdf5-huge-chunk.h5") && msg.contains("chunk"), "{msg}");
}
