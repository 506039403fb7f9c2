//! STL, ascii and binary.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vtk_formats::{stl, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let _ = stl::parse(Path::new("fuzz.stl"), data, &ReadOptions::default());
});
