//! `MetaImage` header and payload. The reader takes a path, so the input becomes an `.mha` file
//! (header plus local data, raw or zlib); `ElementDataFile` names pointing elsewhere are fuzzed too
//! and simply fail to open.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vtk_formats::{metaimage, ReadOptions};

fuzz_target!(|data: &[u8]| {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| arraydict_fuzz::scratch_file("mha"));
    arraydict_fuzz::put(path, data);
    let _ = metaimage::read(path, &ReadOptions::default());
});
