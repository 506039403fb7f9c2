//! Reading a pickle file streams it (`arraydict_store::read`, `pickle::read_from`): the
//! results and errors are those of reading the same bytes from memory (`read_bytes`).

use std::io::Cursor;
use std::path::Path;

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};
use arraydict_store::pickle::{
    read_bytes, read_from, read_node_bytes, read_node_from, PickleLimits,
};
use arraydict_store::testing::{arb_tree, compare_trees, pickle_bytes};
use arraydict_store::{read, ReadOptions, StoreError};
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Reads `bytes` from memory and from a file at `path`; both outcomes, as text.
fn both(bytes: &[u8], path: &Path) -> (String, String) {
    std::fs::write(path, bytes).unwrap();
    let from_file = read(path, &ReadOptions::default());
    let from_slice = read_bytes(bytes, path, &PickleLimits::default());
    (format!("{from_file:?}"), format!("{from_slice:?}"))
}

/// Arrays well beyond the stream's in-memory payload size, of every dtype and memory order.
fn big_tree() -> Dict {
    let mut t = Dict::new();
    let n = 3 * 4096;
    let bytes: Vec<u8> = (0..n * 8).map(|i| (i * 7 + i / 251) as u8).collect();
    let mut arrays = Dict::new();
    for dtype in DType::ALL {
        let data = ArrayData::from_le_bytes(dtype, &bytes[..n * dtype.size()]).unwrap();
        let a = NdArray::new(data, vec![n / 3, 3], MemoryOrder::C).unwrap();
        arrays.insert(dtype.numpy_str(), a);
    }
    t.insert("Arrays", arrays);
    let image = (0..40 * 30 * 20)
        .map(|i| (i % 1000) as i16)
        .collect::<Vec<_>>();
    t.insert(
        "Image",
        NdArray::new(
            ArrayData::I16(image.clone()),
            vec![40, 30, 20],
            MemoryOrder::F,
        )
        .unwrap(),
    );
    t.insert(
        "Permuted",
        NdArray::new(
            ArrayData::I16(image),
            vec![30, 40, 20],
            MemoryOrder::Permuted(vec![1, 0, 2]),
        )
        .unwrap(),
    );
    t.insert(
        "List",
        vec![
            NdArray::vector((0..5000).map(f64::from).collect::<Vec<_>>()),
            NdArray::vector(vec![1u8, 2, 3]),
        ],
    );
    t.insert("Small", NdArray::vector(vec![7i32; 10]));
    t
}

#[test]
fn file_equals_slice_on_big_arrays_in_every_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let tree = big_tree();
    for protocol in 2..=5 {
        let bytes = pickle_bytes(&tree, protocol);
        let path = dir.path().join(format!("big{protocol}.pickle"));
        std::fs::write(&path, &bytes).unwrap();
        let from_file = read(&path, &ReadOptions::default()).unwrap();
        let from_slice = read_bytes(&bytes, &path, &PickleLimits::default()).unwrap();
        // bit-exact comparison: the arrays' bytes include NaN patterns
        compare_trees(&from_slice, &from_file).unwrap();
        compare_trees(&tree, &from_file).unwrap();
        if protocol == 5 {
            // protocol 5 keeps every layout; older ones write permuted arrays in C order
            assert_eq!(from_file.get("Permuted"), tree.get("Permuted"));
        }
    }
}

#[test]
fn file_equals_slice_on_conformance_trees() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tree.pickle");
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&arb_tree(), |tree| {
            for protocol in 2..=5 {
                let bytes = pickle_bytes(&tree, protocol);
                let (from_file, from_slice) = both(&bytes, &path);
                if from_file != from_slice {
                    return Err(TestCaseError::fail(format!(
                        "protocol {protocol}: file {from_file} != slice {from_slice}"
                    )));
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn node_reader_equals_node_slice_reader() {
    let bytes = pickle_bytes(&big_tree(), 4);
    let p = Path::new("t.pickle");
    let lim = PickleLimits::default();
    let streamed = read_node_from(Cursor::new(&bytes), p, &lim).unwrap();
    let sliced = read_node_bytes(&bytes, p, &lim).unwrap();
    let (Node::Dict(streamed), Node::Dict(sliced)) = (streamed, sliced) else {
        panic!("the top level is a dict");
    };
    compare_trees(&sliced, &streamed).unwrap();
}

#[test]
fn reader_starts_at_its_current_position() {
    let bytes = pickle_bytes(&big_tree(), 5);
    let mut padded = b"header".to_vec();
    padded.extend_from_slice(&bytes);
    let mut cursor = Cursor::new(&padded);
    cursor.set_position(6);
    let p = Path::new("t.pickle");
    let streamed = read_from(cursor, p, &PickleLimits::default()).unwrap();
    compare_trees(&big_tree(), &streamed).unwrap();
}

#[test]
fn truncated_file_fails_as_the_truncated_slice_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.pickle");
    for protocol in [2, 4, 5] {
        let bytes = pickle_bytes(&big_tree(), protocol);
        // every early offset, then a sample through the payloads (deferred and in memory)
        let cuts = (0..300).chain((300..bytes.len()).step_by(4999));
        for cut in cuts {
            let (from_file, from_slice) = both(&bytes[..cut], &path);
            assert_eq!(from_file, from_slice, "protocol {protocol}, cut at {cut}");
            assert!(from_file.starts_with("Err("), "cut at {cut}: {from_file}");
        }
    }
}

#[test]
fn huge_declared_lengths_fail_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.pickle");
    // BINBYTES8, BYTEARRAY8, BINUNICODE8 and FRAME declaring 2^60 bytes
    for opcode in [0x8e_u8, 0x96, 0x8d, 0x95] {
        let mut b = vec![0x80, 5, opcode];
        b.extend_from_slice(&(1u64 << 60).to_le_bytes());
        b.extend_from_slice(&[0; 16]);
        std::fs::write(&path, &b).unwrap();
        match read(&path, &ReadOptions::default()) {
            Err(StoreError::TooLarge {
                offset,
                declared,
                available,
                ..
            }) => assert_eq!((offset, declared, available), (2, 1 << 60, 16)),
            other => panic!("opcode 0x{opcode:02x}: expected TooLarge, got {other:?}"),
        }
        let (from_file, from_slice) = both(&b, &path);
        assert_eq!(from_file, from_slice);
    }
}
