//! Reading a MessagePack file streams it (`arraydict_store::read`, `msgpack::read_from`):
//! the results and errors are those of reading the same bytes from memory.

use std::io::Cursor;
use std::path::Path;

use arraydict::{ArrayData, Dict, MemoryOrder, NdArray};
use arraydict_store::msgpack::{read_bytes, read_from, write_to};
use arraydict_store::testing::compare_trees;
use arraydict_store::{read, ReadOptions};

fn big_tree() -> Dict {
    let mut t = Dict::new();
    let points = (0..30_000 * 3)
        .map(|i| (i % 977) as f32 * 0.5)
        .collect::<Vec<_>>();
    t.insert("Points", NdArray::c(points, vec![30_000, 3]).unwrap());
    let image = (0..40 * 30 * 20)
        .map(|i| (i % 1000) as i16)
        .collect::<Vec<_>>();
    t.insert(
        "Image",
        NdArray::new(ArrayData::I16(image), vec![40, 30, 20], MemoryOrder::F).unwrap(),
    );
    t.insert(
        "List",
        vec![NdArray::vector(
            (0..5000).map(i64::from).collect::<Vec<_>>(),
        )],
    );
    t.insert("Small", NdArray::vector(vec![7u8; 10]));
    t
}

#[test]
fn file_and_reader_equal_slice_on_big_arrays() {
    let mut bytes = Vec::new();
    write_to(&mut bytes, &big_tree(), Path::new("t.msgpack")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.msgpack");
    std::fs::write(&path, &bytes).unwrap();
    let from_slice = read_bytes(&bytes, &path).unwrap();
    compare_trees(&big_tree(), &from_slice).unwrap();
    compare_trees(&from_slice, &read(&path, &ReadOptions::default()).unwrap()).unwrap();
    compare_trees(&from_slice, &read_from(Cursor::new(&bytes), &path).unwrap()).unwrap();
}

#[test]
fn truncated_file_fails_as_the_truncated_slice_does() {
    let mut bytes = Vec::new();
    write_to(&mut bytes, &big_tree(), Path::new("t.msgpack")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.msgpack");
    for cut in (0..200).chain((200..bytes.len()).step_by(3001)) {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let from_file = format!("{:?}", read(&path, &ReadOptions::default()));
        let from_slice = format!("{:?}", read_bytes(&bytes[..cut], &path));
        assert_eq!(from_file, from_slice, "cut at {cut}");
        assert!(from_file.starts_with("Err("), "cut at {cut}");
    }
}
