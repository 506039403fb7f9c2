//! The four VMTK `ArrayDict` kinds, how to tell them apart, and their schemas (see [`validate`]).

use std::fmt;
use std::str::FromStr;

use vtk_model::DataSet;

use crate::{ArrayDictError, Dict, NdArray, Node};

pub use crate::validate::validate;

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

/// Which of VMTK's four numpy adaptors a tree belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Kind {
    /// `vmtksurfacetonumpy`: a polygonal surface.
    Surface,
    /// `vmtkcenterlinestonumpy`: polylines.
    Centerlines,
    /// `vmtkimagetonumpy`: a regular grid.
    Image,
    /// `vmtkmeshtonumpy`: an unstructured volume mesh.
    Mesh,
}

impl Kind {
    /// All kinds, in a fixed order.
    pub const ALL: [Kind; 4] = [Kind::Surface, Kind::Centerlines, Kind::Image, Kind::Mesh];

    /// The lowercase name (`"surface"`, `"centerlines"`, `"image"`, `"mesh"`).
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Surface => "surface",
            Kind::Centerlines => "centerlines",
            Kind::Image => "image",
            Kind::Mesh => "mesh",
        }
    }

    /// The natural kind of a dataset: polydata with polygons or strips (or no cells at all) is a
    /// surface, polydata with lines and no polygons/strips is centerlines; images and meshes map
    /// directly. Polydata with only vertices counts as a surface (a point cloud).
    pub fn infer(ds: &DataSet) -> Kind {
        match ds {
            DataSet::PolyData(p) => {
                let c = p.cells();
                if c.polys.is_empty() && c.strips.is_empty() && !c.lines.is_empty() {
                    Kind::Centerlines
                } else {
                    Kind::Surface
                }
            }
            DataSet::ImageData(_) => Kind::Image,
            DataSet::UnstructuredGrid(_) => Kind::Mesh,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = ArrayDictError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ArrayDictError::Path {
                path: "/".into(),
                detail: format!(
                    "unknown kind '{s}', expected one of surface, centerlines, image, mesh"
                ),
            })
    }
}

/// The number of cells of a polydata's `/CellData/CellPointIds` when it is a well-formed 1-D legacy
/// cell stream `[n0, ids0..., n1, ids1...]` (SPEC 6), for showing it; `None` for any other array.
/// Point ids are not range-checked here: [`validate`] does that against `/Points`.
pub fn cell_stream_cells(ids: &NdArray) -> Option<usize> {
    if ids.ndim() != 1 || ids.dtype().is_float() {
        return None;
    }
    crate::validate::cell_stream_len(ids.data(), None).ok()
}

/// Guesses the kind of a tree from its keys, `None` when it matches none.
///
/// `Dimensions`/`Origin`/`Spacing` mean an image, `Cells` a mesh. Polydata trees are told apart by
/// the [`CELL_KIND_COUNTS`] extension when present (same rule as [`Kind::infer`]), else by the form of
/// `/CellData/CellPointIds`: a list is centerlines, an array (2-D, or the 1-D cell stream of mixed
/// cell sizes) a surface. The older list form of mixed-size surfaces always came with
/// `CellKindCounts` from our writer, so every tree we wrote is detected correctly; a list-form surface
/// written by someone else is detected as centerlines -- pass the kind explicitly.
pub fn detect_kind(tree: &Dict) -> Option<Kind> {
    if ["Dimensions", "Origin", "Spacing"]
        .iter()
        .any(|k| tree.contains_key(k))
    {
        return Some(Kind::Image);
    }
    if tree.contains_key("Cells") {
        return Some(Kind::Mesh);
    }
    if let Some(Node::Array(counts)) = tree.get(CELL_KIND_COUNTS) {
        if counts.len() == 4 {
            let c: Vec<f64> = (0..4).map(|i| counts.data().get_f64(i)).collect();
            let centerlines = c[1] > 0.0 && c[2] == 0.0 && c[3] == 0.0;
            return Some(if centerlines {
                Kind::Centerlines
            } else {
                Kind::Surface
            });
        }
    }
    match tree.at("/CellData/CellPointIds") {
        Some(Node::List(_)) => Some(Kind::Centerlines),
        Some(Node::Array(_)) => Some(Kind::Surface),
        _ if tree.contains_key("Points") => Some(Kind::Surface),
        _ => None,
    }
}
