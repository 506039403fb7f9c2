//! The names of our extension keys (EXTENSIONS.md) and of VTK's unknown cell class.

/// Extension key (ours): `[nVerts, nLines, nPolys, nStrips]` of a polydata whose cells are not all of
/// the kind's default (polygons for surfaces, lines for centerlines). Surfaces written in the older
/// list form of mixed cell sizes carry it too, whatever their kinds.
pub const CELL_KIND_COUNTS: &str = "CellKindCounts";
/// Extension key (ours): the image direction matrix, `f8 (3, 3)`.
pub const DIRECTION: &str = "Direction";
/// Extension key (ours): the image extent's first index, `i8 (3,)`, written only when non-zero.
pub const EXTENT_START: &str = "ExtentStart";
/// Extension key (ours): legacy face streams of all polyhedron cells of a mesh, `i8`, concatenated.
pub const POLYHEDRON_FACES: &str = "PolyhedronFaces";
/// Extension key (ours): per mesh cell, where its face stream starts in `PolyhedronFaces` (-1: none).
pub const POLYHEDRON_FACE_LOCATIONS: &str = "PolyhedronFaceLocations";

/// VTK's name for cell type ids it does not define (`vtkCellTypes::GetClassNameFromTypeId`).
pub(crate) const UNKNOWN_CLASS: &str = "UnknownClass";
