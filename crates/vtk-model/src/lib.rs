//! The in-memory VTK data model of the arraydict workspace.
//!
//! Three dataset kinds -- [`PolyData`], [`ImageData`] and [`UnstructuredGrid`] -- built from typed
//! [`DataArray`]s (ten numeric dtypes, any component count), [`CellArray`]s in VTK 9's offsets +
//! connectivity layout, and ordered point/cell [`Attributes`]. Every constructor checks the invariants
//! (ids in range, array lengths matching point and cell counts) and reports a [`ModelError`].
//!
//! This crate has no project dependencies: readers/writers (`vtk-formats`) and the ArrayDict layer
//! (`arraydict`) both build on it.

// Nothing here needs unsafe code (the mapped files and the allocator live in the store and the CLI).
#![forbid(unsafe_code)]

mod attributes;
mod cell_type;
mod cells;
mod data;
mod dtype;
mod error;
mod ids;
mod image;
mod polydata;
mod shared;
mod ugrid;
#[cfg(feature = "vtkio")]
pub mod vtkio_bridge;

pub use attributes::{Attributes, DataArray};
pub use cell_type::CellType;
pub use cells::{first_position, id_out_of_range, CellArray, PARALLEL_SCAN_FROM};
pub use data::{ArrayData, Element};
pub use dtype::DType;
pub use error::ModelError;
pub use ids::StoredIds;
pub use image::ImageData;
pub use nalgebra::{Matrix3, Vector3};
pub use polydata::{PolyCells, PolyData};
#[doc(hidden)]
pub use shared::{__AsShared, __typed};
pub use shared::{SharedArray, SharedBytes};
pub use ugrid::{PolyhedronFaces, UnstructuredGrid};

/// Any of the three dataset kinds.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSet {
    /// Surfaces and centerlines.
    PolyData(PolyData),
    /// Regular grids (images).
    ImageData(ImageData),
    /// Volume meshes.
    UnstructuredGrid(UnstructuredGrid),
}

impl From<PolyData> for DataSet {
    fn from(v: PolyData) -> Self {
        DataSet::PolyData(v)
    }
}
impl From<ImageData> for DataSet {
    fn from(v: ImageData) -> Self {
        DataSet::ImageData(v)
    }
}
impl From<UnstructuredGrid> for DataSet {
    fn from(v: UnstructuredGrid) -> Self {
        DataSet::UnstructuredGrid(v)
    }
}
