//! Legacy VTK files (`.vtk`): versions 1.0 to 5.1, ascii and big-endian binary.

pub(crate) mod cursor;
mod read;
pub(crate) mod values;
mod write;

pub use read::{read, read_bytes};
pub use write::{write, write_to, LegacyVersion, LegacyWriteOptions};
