//! STL, ascii and binary.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vtk_formats::{stl, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let _ = stl::read_bytes(data, Path::new("fuzz.stl"), &ReadOptions::default());
});
