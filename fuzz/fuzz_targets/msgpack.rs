//! MessagePack in msgpack-numpy's encoding.
//!
//! Differential: the same bytes read from memory and streamed from a reader that leaves all array
//! data in place until its array is built must give the same tree or the same error.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use arraydict_store::msgpack::{read_bytes, read_from_deferring};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.msgpack");
    let in_memory = read_bytes(data, path);
    let streamed = read_from_deferring(Cursor::new(data), path, 1);
    arraydict_fuzz::assert_same_outcome(in_memory, streamed);
});
