//! The restricted unpickler: every opcode, memo, numpy reconstruction, VMTK dict classes.
//!
//! Differential: the same bytes read from memory and streamed from a reader that leaves every
//! payload in place until its array is built must give the same tree or the same error.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use arraydict_store::pickle::{
    read_bytes, read_node_bytes, read_node_from_deferring, PickleLimits,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = PickleLimits::default();
    let path = Path::new("fuzz.pickle");
    let _ = read_bytes(data, path, &limits);
    let in_memory = read_node_bytes(data, path, &limits);
    let streamed = read_node_from_deferring(Cursor::new(data), path, &limits, 1);
    arraydict_fuzz::assert_same_outcome(in_memory, streamed);
});
