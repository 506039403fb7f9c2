//! Storage backends for ArrayDict trees: HDF5, Python pickle and MessagePack.
//!
//! [`write`] and [`read`] pick the backend from [`WriteOptions::format`] / [`ReadOptions::format`],
//! the file's content (for reading) or its extension. Writes are atomic: the file appears
//! complete or not at all.

mod atomic;
mod error;
mod format;
mod h5;
mod input;
mod layout;
pub mod msgpack;
pub mod pickle;
#[cfg(feature = "testing")]
pub mod testing;

pub use atomic_output::Durability;
pub use error::StoreError;
pub use format::{read, read_bytes, write, Compression, ReadOptions, StoreFormat, WriteOptions};
