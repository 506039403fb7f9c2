//! The restricted unpickler: every opcode, memo, numpy reconstruction, VMTK dict classes.
#![no_main]

use std::path::Path;

use arraydict_store::pickle::{read_from_slice, read_node_from_slice, PickleLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = PickleLimits::default();
    let path = Path::new("fuzz.pickle");
    let _ = read_from_slice(data, path, &limits);
    let _ = read_node_from_slice(data, path, &limits);
});
