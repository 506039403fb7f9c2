//! The in-memory VTK data model of the arraydict workspace.
//!
//! Three dataset kinds -- [`PolyData`], [`ImageData`] and [`UnstructuredGrid`] -- built from typed
//! [`DataArray`]s (ten numeric dtypes, any component count), [`CellArray`]s in VTK 9's offsets +
//! connectivity layout, and ordered point/cell [`Attributes`]. Every constructor checks the invariants
//! (ids in range, array lengths matching point and cell counts) and reports a [`ModelError`].
//!
//! This crate has no project dependencies: readers/writers (`vtk-formats`) and the ArrayDict layer
//! (`arraydict`) both build on it.
//!
//! # Example: a surface built in code
//!
//! Two triangles sharing an edge, with a scalar per point; [`PolyData::try_new`] refuses ids past
//! the points and arrays whose length does not match.
//!
//! ```
//! use vtk_model::{Attributes, CellArray, DataArray, PolyCells, PolyData};
//!
//! let points = DataArray::new(
//!     "Points",
//!     3,
//!     vec![0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0].into(),
//! )?;
//! let triangles = CellArray::from_cells([[0i64, 1, 2].as_slice(), &[0, 2, 3]]);
//! let mut point_data = Attributes::new();
//! point_data.push(DataArray::new("Height", 1, vec![0.0f64, 0.0, 1.0, 1.0].into())?);
//! let surface = PolyData::try_new(points, PolyCells::polys(triangles), point_data, Attributes::new())?;
//! assert_eq!((surface.num_points(), surface.num_cells()), (4, 2));
//! assert_eq!(surface.cells().polys.cell(1), &[0, 2, 3]);
//!
//! // A cell naming point 4 of 4 points is refused.
//! let bad_points = DataArray::new("Points", 3, vec![0.0f32; 12].into())?;
//! let bad_cells = PolyCells::polys(CellArray::from_cells([[0i64, 1, 4].as_slice()]));
//! assert!(PolyData::try_new(bad_points, bad_cells, Attributes::new(), Attributes::new()).is_err());
//! # Ok::<(), vtk_model::ModelError>(())
//! ```

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
pub use cells::CellArray;
#[doc(hidden)]
pub use data::__typed;
pub use data::{ArrayData, Element};
pub use dtype::DType;
pub use error::{byte_size, byte_size_exact, location as error_location, over_limit, ModelError};
pub use ids::StoredIds;
pub use image::ImageData;
pub use nalgebra::{Matrix3, Vector3};
pub use polydata::{PolyCells, PolyData};
#[doc(hidden)]
pub use shared::__AsShared;
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
