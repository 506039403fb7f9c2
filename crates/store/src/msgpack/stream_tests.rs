//! The MessagePack reader over a stream that leaves every `data` payload in place.

use std::io::Cursor;
use std::path::Path;

use arraydict::{ArrayData, Dict};

use super::{read_bytes, read_input, write_to};
use crate::input::StreamInput;
use crate::StoreError;

fn path() -> &'static Path {
    Path::new("t.msgpack")
}

fn streamed(bytes: &[u8], defer_from: usize) -> Result<Dict, StoreError> {
    read_input(
        StreamInput::new(Cursor::new(bytes), defer_from).unwrap(),
        path(),
    )
}

fn same(bytes: &[u8]) {
    let want = format!("{:?}", read_bytes(bytes, path()));
    for defer_from in [0, 1, 5, 1 << 20] {
        let got = format!("{:?}", streamed(bytes, defer_from));
        assert_eq!(got, want, "defer from {defer_from}");
    }
}

#[test]
fn deferred_data_gives_the_slice_results_and_errors() {
    let t = crate::pickle::tests::sample_tree();
    let mut bytes = Vec::new();
    write_to(&mut bytes, &t, path()).unwrap();
    assert_eq!(streamed(&bytes, 0).unwrap(), t);
    for cut in 0..=bytes.len() {
        same(&bytes[..cut]);
    }
    bytes.push(0xc0);
    same(&bytes);
}

#[test]
fn deferred_data_before_other_keys_and_big_endian() {
    // data first, then type and shape: the stream must continue after the skipped payload
    let mut b: Vec<u8> = b"\x81\xa1x\x84\xc4\x04data\xc4\x08".to_vec();
    b.extend_from_slice(&7i32.to_be_bytes());
    b.extend_from_slice(&(-3i32).to_be_bytes());
    b.extend_from_slice(b"\xc4\x02nd\xc3\xc4\x04type\xa3>i4\xc4\x05shape\x91\x02");
    let t = streamed(&b, 0).unwrap();
    assert_eq!(
        t.array_at("/x").unwrap().data(),
        &ArrayData::I32(vec![7, -3])
    );
    same(&b);
}
