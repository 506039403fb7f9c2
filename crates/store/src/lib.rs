//! Storage backends for ArrayDict trees: HDF5, Python pickle and MessagePack.

mod error;

pub use error::StoreError;
