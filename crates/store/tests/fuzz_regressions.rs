//! Inputs the fuzzers (`fuzz/`, `cargo xtask fuzz`) found, each now a clean, bounded error.

use std::path::Path;

use arraydict_store::{read, ReadOptions, StoreError, StoreFormat};

/// `hdf5` finding 1: a 28 KB file whose chunked-layout message declares a chunk of about 4 GiB
/// for a small dataset; HDF5 allocated the whole chunk (a 4 GiB malloc) before reading it.
#[test]
fn hdf5_chunk_larger_than_the_file_can_hold_is_refused_before_allocating() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/hdf5-huge-chunk.h5");
    let opts = ReadOptions {
        format: Some(StoreFormat::Hdf5),
        ..ReadOptions::default()
    };
    let err = read(&path, &opts).expect_err("a 4 GiB chunk in a 28 KB file must be refused");
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("hdf5-huge-chunk.h5") && msg.contains("chunk"),
        "{msg}"
    );
}

/// `hdf5` finding 2: a 14 KB file whose group `/Cells` holds a hard link back to an object
/// reached before; reading it recursed until the stack overflowed (an abort, not an error).
#[test]
fn hdf5_object_linked_twice_is_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions/hdf5-group-links-back.h5");
    let opts = ReadOptions {
        format: Some(StoreFormat::Hdf5),
        ..ReadOptions::default()
    };
    let err = read(&path, &opts).expect_err("a link back into the tree must be refused");
    assert!(matches!(err, StoreError::Malformed { .. }), "{err:?}");
    assert!(
        err.to_string().contains("links to the same object as"),
        "{err}"
    );
}

/// The shapes of that finding made on purpose: a group linked into itself, one group linked
/// twice (read 2^depth times when repeated level after level), and nesting past the depth limit.
#[test]
fn hdf5_graphs_that_are_not_trees_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReadOptions {
        format: Some(StoreFormat::Hdf5),
        ..ReadOptions::default()
    };
    let cycle = dir.path().join("cycle.h5");
    {
        let f = hdf5::File::create(&cycle).unwrap();
        let a = f.create_group("a").unwrap();
        a.new_dataset::<i32>().shape([2]).create("x").unwrap();
        a.link_hard("/a", "loop").unwrap();
    }
    let err = read(&cycle, &opts).unwrap_err().to_string();
    assert!(
        err.contains("/a/loop") && err.contains("links to the same object as /a"),
        "{err}"
    );

    let twice = dir.path().join("twice.h5");
    {
        let f = hdf5::File::create(&twice).unwrap();
        let g = f.create_group("g").unwrap();
        g.new_dataset::<f32>().shape([3]).create("v").unwrap();
        f.link_hard("/g", "h").unwrap();
    }
    let err = read(&twice, &opts).unwrap_err().to_string();
    assert!(err.contains("links to the same object as"), "{err}");

    let deep = dir.path().join("deep.h5");
    {
        let f = hdf5::File::create(&deep).unwrap();
        let mut g = f.group("/").unwrap();
        for _ in 0..70 {
            g = g.create_group("d").unwrap();
        }
    }
    let err = read(&deep, &opts).unwrap_err().to_string();
    assert!(err.contains("groups nested deeper than 64"), "{err}");
}
