//! Storage backends for ArrayDict trees: HDF5, Python pickle and MessagePack.
//!
//! [`write`] and [`read`] pick the backend from [`WriteOptions::format`] / [`ReadOptions::format`],
//! the file's content (for reading) or its extension. Writes are atomic: the file appears
//! complete or not at all.
//!
//! # Example: one tree in all three formats
//!
//! ```
//! use arraydict::{Dict, NdArray};
//! use arraydict_store::{read, write, ReadOptions, WriteOptions};
//!
//! let mut point_data = Dict::new();
//! point_data.insert("Radius", NdArray::vector(vec![0.5f64, 0.75, 1.0]));
//! let mut tree = Dict::new();
//! tree.insert("Points", NdArray::c(vec![0.0f64; 9], vec![3, 3])?);
//! tree.insert("PointData", point_data);
//!
//! let dir = tempfile::tempdir()?;
//! for name in ["tree.hdf5", "tree.pickle", "tree.msgpack"] {
//!     // The extension chooses the format; `WriteOptions::format` overrides it.
//!     let path = dir.path().join(name);
//!     write(&path, &tree, &WriteOptions::default())?;
//!     let back = read(&path, &ReadOptions::default())?;
//!     assert_eq!(back.array_at("/PointData/Radius")?, tree.array_at("/PointData/Radius")?);
//!     assert_eq!(back.array_at("/Points")?.shape(), &[3, 3]);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod atomic;
mod compression;
mod error;
mod format;
mod h5;
mod input;
mod inspect;
mod layout;
pub mod msgpack;
pub mod pickle;
#[cfg(feature = "testing")]
pub mod testing;

pub use atomic_output::{Commit, Durability, Existing};
pub use compression::Compression;
pub use error::StoreError;
pub use format::{read, read_bytes, write, ReadOptions, StoreFormat, WriteOptions};
pub use h5::{DatasetStorage, StorageFilter};
pub use inspect::{inspect, Inspection};
