//! The restricted unpickler: every opcode, memo, numpy reconstruction, VMTK dict classes.
//!
//! Differential: the same bytes read from memory and streamed from a reader that leaves every
//! payload in place until its array is built must give the same tree or the same error.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use arraydict_store::pickle::{
    read_from_slice, read_node_from_reader_deferring, read_node_from_slice, PickleLimits,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = PickleLimits::default();
    let path = Path::new("fuzz.pickle");
    let _ = read_from_slice(data, path, &limits);
    let in_memory = read_node_from_slice(data, path, &limits);
    let streamed = read_node_from_reader_deferring(Cursor::new(data), path, &limits, 1);
    match (in_memory, streamed) {
        // Compared through Debug, which prints every float exactly and a NaN as NaN (NaN != NaN).
        (Ok(a), Ok(b)) => assert!(
            format!("{a:?}") == format!("{b:?}"),
            "slice and stream give different trees"
        ),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("slice gave {a:?}, stream gave {b:?}"),
    }
});
