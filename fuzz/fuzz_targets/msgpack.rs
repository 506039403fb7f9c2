//! MessagePack in msgpack-numpy's encoding.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = arraydict_store::msgpack::read_from_slice(data, Path::new("fuzz.msgpack"));
});
