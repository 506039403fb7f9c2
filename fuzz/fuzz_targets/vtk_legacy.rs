//! Legacy `.vtk` (ascii and binary, 4.2 and 5.1).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vtk_formats::{legacy, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let _ = legacy::read_bytes(data, Path::new("fuzz.vtk"), &ReadOptions::default());
});
