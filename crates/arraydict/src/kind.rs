//! The four VMTK `ArrayDict` kinds and the natural kind of a dataset.

use std::fmt;

use vtk_model::DataSet;

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
