//! Readers and writers for the VTK file formats VMTK users have: VTK XML (`.vtp`, `.vtu`, `.vti`),
//! legacy `.vtk`, `MetaImage` (`.mha`, `.mhd`) and STL.
//!
//! [`read`] and [`write()`] pick the codec from the extension (and, for reading, from the content when
//! the extension is unknown); the per-format modules give direct access with their own options,
//! each in the same shape: `read` (a path), `read_bytes` (a file held in memory, with a name for
//! errors), `write` (a path, atomically: see [`atomic_output::write_with`]) and `write_to` (any
//! [`Write`](std::io::Write)). [`metaimage`] has no `read_bytes` and writes only `.mha` to a
//! `Write`: a `.mhd` header names a data file beside it.
//!
//! # Example: read a `.vtp`, write it as legacy `.vtk`, read it back
//!
//! ```
//! use std::path::Path;
//! use vtk_formats::{read, write, ReadOptions, WriteOptions};
//! use vtk_model::DataSet;
//!
//! let input = Path::new(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../fixtures/surface/surface.binary.zlib.h64.id64.vtp"
//! ));
//! let DataSet::PolyData(surface) = read(input, &ReadOptions::default())? else {
//!     panic!("a .vtp holds a vtkPolyData");
//! };
//! assert!(surface.num_points() > 0 && surface.num_cells() > 0);
//!
//! let dir = tempfile::tempdir()?;
//! let output = dir.path().join("surface.vtk");
//! write(&output, &DataSet::PolyData(surface.clone()), &WriteOptions::default())?;
//! let DataSet::PolyData(again) = read(&output, &ReadOptions::default())? else {
//!     panic!("the legacy file holds the same polydata");
//! };
//! assert_eq!((again.num_points(), again.num_cells()), (surface.num_points(), surface.num_cells()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Nothing here needs unsafe code (the mapped files and the allocator live in the store and the CLI).
#![forbid(unsafe_code)]

mod atomic;
mod detect;
mod dispatch;
mod error;
pub mod legacy;
pub mod metaimage;
mod options;
pub mod stl;
pub mod xml;

pub use atomic_output::{Commit, Durability, Existing};
pub use detect::{detect, detect_content, Format};
pub use dispatch::{files_written, read, read_bytes, write, WriteOptions};
pub use error::FormatError;
pub use legacy::LegacyVersion;
pub use options::{ImageFrame, ReadOptions};
