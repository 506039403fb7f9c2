//! VTK XML (`.vtp`/`.vtu`/`.vti`): header, inline/appended data, every compressor.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vtk_formats::{xml, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let _ = xml::read_bytes(data, Path::new("fuzz.vtp"), &ReadOptions::default());
});
