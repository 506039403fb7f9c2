//! HDF5 tree reading through a file the fuzzer mutates (the HDF5 C library parses it; our side
//! walks groups, classifies datasets and converts dtypes/layouts).
#![no_main]

use std::sync::OnceLock;

use arraydict_store::{read, ReadOptions, StoreFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| arraydict_fuzz::scratch_file("h5"));
    arraydict_fuzz::put(path, data);
    let opts = ReadOptions {
        format: Some(StoreFormat::Hdf5),
        ..ReadOptions::default()
    };
    let _ = read(path, &opts);
});
