use crate::{Attributes, CellArray, CellType, DataArray, ModelError, PolyData};

/// Faces of polyhedron cells, VTK 9.4's layout: every face's point ids, and per cell the indices of
/// its faces (empty for cells that are not polyhedra).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PolyhedronFaces {
    /// One cell per face: the face's point ids.
    pub faces: CellArray,
    /// One cell per grid cell: the indices (into `faces`) of its faces.
    pub cell_faces: CellArray,
}

impl PolyhedronFaces {
    /// Builds from the legacy per-cell face streams (`[nFaces, n0, ids0..., n1, ids1...]`, empty for
    /// non-polyhedra), the form VTU files and VTK's `GetFaces` use.
    pub fn from_legacy_streams<'a, I: IntoIterator<Item = &'a [i64]>>(
        streams: I,
    ) -> Result<Self, ModelError> {
        let mut faces = CellArray::empty();
        let mut cell_faces = CellArray::empty();
        for (cell, s) in streams.into_iter().enumerate() {
            let mut ids = Vec::new();
            if !s.is_empty() {
                let bad = || ModelError::BadFaces(format!("cell {cell}: malformed face stream"));
                let n_faces = usize::try_from(s[0]).map_err(|_| bad())?;
                let mut pos = 1usize;
                for _ in 0..n_faces {
                    let n = usize::try_from(*s.get(pos).ok_or_else(bad)?).map_err(|_| bad())?;
                    let face = s.get(pos + 1..pos + 1 + n).ok_or_else(bad)?;
                    ids.push(faces.num_cells() as i64);
                    faces.push_cell(face);
                    pos += 1 + n;
                }
                if pos != s.len() {
                    return Err(bad());
                }
            }
            cell_faces.push_cell(&ids);
        }
        Ok(Self { faces, cell_faces })
    }

    /// The legacy face stream of cell `i` (empty when it has no faces).
    pub fn legacy_stream(&self, i: usize) -> Vec<i64> {
        let f = self.cell_faces.cell(i);
        if f.is_empty() {
            return Vec::new();
        }
        let mut out = vec![f.len() as i64];
        for &fi in f {
            let face = self.faces.cell(fi as usize);
            out.push(face.len() as i64);
            out.extend_from_slice(face);
        }
        out
    }
}

/// A `vtkUnstructuredGrid`: volume meshes of any cell types.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UnstructuredGrid {
    points: DataArray,
    cells: CellArray,
    cell_types: Vec<CellType>,
    faces: Option<PolyhedronFaces>,
    point_data: Attributes,
    cell_data: Attributes,
}

impl UnstructuredGrid {
    /// Builds and validates: one type per cell, each one VTK defines, ids in range, fixed-size cell
    /// types have their size, polyhedra have faces, one tuple per point / per cell.
    pub fn try_new(
        points: DataArray,
        cells: CellArray,
        cell_types: Vec<CellType>,
        faces: Option<PolyhedronFaces>,
        point_data: Attributes,
        cell_data: Attributes,
    ) -> Result<Self, ModelError> {
        if points.components() != 3 {
            return Err(ModelError::PointComponents(points.components()));
        }
        let n_points = points.tuples();
        if cell_types.len() != cells.num_cells() {
            return Err(ModelError::CellTypeCount {
                types: cell_types.len(),
                cells: cells.num_cells(),
            });
        }
        cells.check_ids("cells", n_points)?;
        for (i, t) in cell_types.iter().enumerate() {
            if !t.is_known() {
                return Err(ModelError::UnknownCellType { cell: i, id: t.0 });
            }
            if let Some(n) = t.fixed_size() {
                if cells.cell_size(i) != n {
                    return Err(ModelError::BadOffsets {
                        what: "cells".into(),
                        detail: format!(
                            "cell {i} is a {} with {} points, expected {n}",
                            t.vtk_class_name().unwrap_or("cell"),
                            cells.cell_size(i)
                        ),
                    });
                }
            }
        }
        if let Some(f) = &faces {
            if f.cell_faces.num_cells() != cells.num_cells() {
                return Err(ModelError::BadFaces(format!(
                    "{} face lists for {} cells",
                    f.cell_faces.num_cells(),
                    cells.num_cells()
                )));
            }
            f.faces.check_ids("polyhedron faces", n_points)?;
            f.cell_faces
                .check_ids("polyhedron face lists", f.faces.num_cells())?;
        }
        for (i, t) in cell_types.iter().enumerate() {
            if *t == CellType::POLYHEDRON
                && faces
                    .as_ref()
                    .is_none_or(|f| f.cell_faces.cell_size(i) == 0)
            {
                return Err(ModelError::BadFaces(format!(
                    "cell {i} is a polyhedron without faces"
                )));
            }
        }
        point_data.check_tuples("point", n_points)?;
        cell_data.check_tuples("cell", cells.num_cells())?;
        Ok(Self {
            points,
            cells,
            cell_types,
            faces,
            point_data,
            cell_data,
        })
    }

    /// Points.
    pub fn points(&self) -> &DataArray {
        &self.points
    }
    /// Number of points.
    pub fn num_points(&self) -> usize {
        self.points.tuples()
    }
    /// Number of cells.
    pub fn num_cells(&self) -> usize {
        self.cells.num_cells()
    }
    /// Cell connectivity.
    pub fn cells(&self) -> &CellArray {
        &self.cells
    }
    /// One type per cell.
    pub fn cell_types(&self) -> &[CellType] {
        &self.cell_types
    }
    /// Polyhedron faces, when any cell is a polyhedron.
    pub fn faces(&self) -> Option<&PolyhedronFaces> {
        self.faces.as_ref()
    }
    /// Point data.
    pub fn point_data(&self) -> &Attributes {
        &self.point_data
    }
    /// Cell data.
    pub fn cell_data(&self) -> &Attributes {
        &self.cell_data
    }
    /// The unstructured grid of a polydata, as `vtkAppendFilter` makes it: the same points, arrays
    /// and cells, in the polydata's cell order (verts, lines, polys, strips, which its cell data
    /// follows), each cell typed as `vtkPolyData::GetCellType` types it: a vertex (1 point) or
    /// poly-vertex, a line (2) or poly-line, a triangle (3), quad (4) or polygon, a triangle strip.
    pub fn from_poly_data(pd: PolyData) -> Result<Self, ModelError> {
        let (points, poly_cells, point_data, cell_data) = pd.into_parts();
        let n = poly_cells.num_cells();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut connectivity = Vec::new();
        let mut cell_types = Vec::with_capacity(n);
        offsets.push(0);
        let typed = |kind: &str, size: usize| match (kind, size) {
            ("verts", 1) => CellType::VERTEX,
            ("verts", _) => CellType::POLY_VERTEX,
            ("lines", 2) => CellType::LINE,
            ("lines", _) => CellType::POLY_LINE,
            ("polys", 3) => CellType::TRIANGLE,
            ("polys", 4) => CellType::QUAD,
            ("polys", _) => CellType::POLYGON,
            _ => CellType::TRIANGLE_STRIP,
        };
        for (kind, cells) in poly_cells.named() {
            for cell in cells.iter() {
                connectivity.extend_from_slice(cell);
                offsets.push(connectivity.len() as i64);
                cell_types.push(typed(kind, cell.len()));
            }
        }
        let cells = CellArray::new(offsets, connectivity)?;
        Self::try_new(points, cells, cell_types, None, point_data, cell_data)
    }

    /// Splits into `(points, cells, cell_types, faces, point_data, cell_data)`.
    #[allow(clippy::type_complexity)]
    pub fn into_parts(
        self,
    ) -> (
        DataArray,
        CellArray,
        Vec<CellType>,
        Option<PolyhedronFaces>,
        Attributes,
        Attributes,
    ) {
        (
            self.points,
            self.cells,
            self.cell_types,
            self.faces,
            self.point_data,
            self.cell_data,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ArrayData;

    fn pts(n: usize) -> DataArray {
        DataArray::new("Points", 3, ArrayData::F64(vec![0.0; 3 * n])).unwrap()
    }

    #[test]
    fn tet_and_triangle() {
        let cells = CellArray::from_legacy(&[4, 0, 1, 2, 3, 3, 0, 1, 2]).unwrap();
        let g = UnstructuredGrid::try_new(
            pts(4),
            cells,
            vec![CellType::TETRA, CellType::TRIANGLE],
            None,
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap();
        assert_eq!(g.cells().offsets(), &[0, 4, 7]);
    }

    #[test]
    fn wrong_size_and_missing_faces() {
        let cells = CellArray::from_legacy(&[3, 0, 1, 2]).unwrap();
        assert!(UnstructuredGrid::try_new(
            pts(4),
            cells.clone(),
            vec![CellType::TETRA],
            None,
            Attributes::new(),
            Attributes::new()
        )
        .is_err());
        assert!(matches!(
            UnstructuredGrid::try_new(
                pts(4),
                cells,
                vec![CellType::POLYHEDRON],
                None,
                Attributes::new(),
                Attributes::new()
            ),
            Err(ModelError::BadFaces(_))
        ));
    }

    /// Every kind of polydata cell gets `vtkPolyData::GetCellType`'s type, in VTK's cell order,
    /// and the cell data stays with its cells.
    #[test]
    fn a_polydata_becomes_the_grid_vtk_append_filter_makes() {
        use crate::{PolyCells, PolyData};
        let poly_cells = PolyCells {
            verts: CellArray::from_cells([&[0i64][..], &[1, 2][..]]),
            lines: CellArray::from_cells([&[0i64, 1][..], &[0, 1, 2][..]]),
            polys: CellArray::from_cells([
                &[0i64, 1, 2][..],
                &[0, 1, 2, 3][..],
                &[0, 1, 2, 3, 4][..],
            ]),
            strips: CellArray::from_cells([&[0i64, 1, 2, 3][..]]),
        };
        let mut cell_data = Attributes::new();
        let ids = DataArray::new("Id", 1, ArrayData::I32((0..8).collect())).unwrap();
        cell_data.push(ids.clone());
        let pd = PolyData::try_new(pts(5), poly_cells, Attributes::new(), cell_data).unwrap();
        let g = UnstructuredGrid::from_poly_data(pd).unwrap();
        let types: Vec<u8> = g.cell_types().iter().map(|t| t.0).collect();
        assert_eq!(types, [1, 2, 3, 4, 5, 9, 7, 6]);
        assert_eq!(g.cells().offsets(), &[0, 1, 3, 5, 8, 11, 15, 20, 24]);
        assert_eq!(&g.cells().connectivity()[15..20], &[0, 1, 2, 3, 4]);
        assert_eq!(g.num_points(), 5);
        assert_eq!(g.cell_data().iter().next(), Some(&ids));
    }

    #[test]
    fn type_ids_vtk_does_not_define_are_refused() {
        let cells = CellArray::from_legacy(&[3, 0, 1, 2, 3, 0, 1, 2]).unwrap();
        for id in [17, 43, 82, 138, 200, 255] {
            let r = UnstructuredGrid::try_new(
                pts(3),
                cells.clone(),
                vec![CellType::TRIANGLE, CellType(id)],
                None,
                Attributes::new(),
                Attributes::new(),
            );
            assert_eq!(r, Err(ModelError::UnknownCellType { cell: 1, id }));
        }
    }

    #[test]
    fn face_streams_round_trip() {
        let s: Vec<i64> = vec![4, 3, 0, 1, 2, 3, 0, 1, 3, 3, 1, 2, 3, 3, 0, 2, 3];
        let f = PolyhedronFaces::from_legacy_streams([s.as_slice(), &[]]).unwrap();
        assert_eq!(f.legacy_stream(0), s);
        assert!(f.legacy_stream(1).is_empty());
        assert!(PolyhedronFaces::from_legacy_streams([&[2i64, 3, 0][..]]).is_err());
    }
}
