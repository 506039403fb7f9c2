//! Readers and writers for the VTK file formats VMTK users have: VTK XML (`.vtp`, `.vtu`, `.vti`),
//! legacy `.vtk`, MetaImage (`.mha`, `.mhd`) and STL.

mod atomic;
mod error;
mod options;

pub use atomic::write_atomic;
pub use error::FormatError;
pub use options::{ImageFrame, ReadOptions};
