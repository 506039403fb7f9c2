//! Readers and writers for the VTK file formats VMTK users have: VTK XML (`.vtp`, `.vtu`, `.vti`),
//! legacy `.vtk`, MetaImage (`.mha`, `.mhd`) and STL.

mod error;

pub use error::FormatError;
