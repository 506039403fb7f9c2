use crate::{Attributes, CellArray, DataArray, ModelError};

/// The four cell arrays of a `vtkPolyData`, in VTK's cell order (verts, lines, polys, strips).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PolyCells {
    /// Vertices and poly-vertices.
    pub verts: CellArray,
    /// Lines and polylines.
    pub lines: CellArray,
    /// Polygons (triangles, quads, ...).
    pub polys: CellArray,
    /// Triangle strips.
    pub strips: CellArray,
}

impl PolyCells {
    /// Only polygons.
    pub fn polys(polys: CellArray) -> Self {
        Self {
            polys,
            ..Self::default()
        }
    }
    /// Only lines.
    pub fn lines(lines: CellArray) -> Self {
        Self {
            lines,
            ..Self::default()
        }
    }
    /// Total number of cells.
    pub fn num_cells(&self) -> usize {
        self.verts.num_cells()
            + self.lines.num_cells()
            + self.polys.num_cells()
            + self.strips.num_cells()
    }
    /// `(name, cells)` in VTK order.
    pub fn named(&self) -> [(&'static str, &CellArray); 4] {
        [
            ("verts", &self.verts),
            ("lines", &self.lines),
            ("polys", &self.polys),
            ("strips", &self.strips),
        ]
    }
    /// Iterates all cells in VTK order (verts, lines, polys, strips).
    pub fn iter_all(&self) -> impl Iterator<Item = &[i64]> + '_ {
        self.verts
            .iter()
            .chain(self.lines.iter())
            .chain(self.polys.iter())
            .chain(self.strips.iter())
    }
}

/// A `vtkPolyData`: surfaces and centerlines.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PolyData {
    points: DataArray,
    cells: PolyCells,
    point_data: Attributes,
    cell_data: Attributes,
}

impl PolyData {
    /// Builds and validates: points are 3-component, ids in range, one tuple per point / per cell.
    pub fn try_new(
        points: DataArray,
        cells: PolyCells,
        point_data: Attributes,
        cell_data: Attributes,
    ) -> Result<Self, ModelError> {
        if points.components() != 3 {
            return Err(ModelError::PointComponents(points.components()));
        }
        let n_points = points.tuples();
        for (what, c) in cells.named() {
            c.check_ids(what, n_points)?;
        }
        point_data.check_tuples("point", n_points)?;
        cell_data.check_tuples("cell", cells.num_cells())?;
        Ok(Self {
            points,
            cells,
            point_data,
            cell_data,
        })
    }

    /// Points, `(n, 3)` tuple-major.
    pub fn points(&self) -> &DataArray {
        &self.points
    }
    /// Number of points.
    pub fn num_points(&self) -> usize {
        self.points.tuples()
    }
    /// Number of cells (all four kinds).
    pub fn num_cells(&self) -> usize {
        self.cells.num_cells()
    }
    /// The cell arrays.
    pub fn cells(&self) -> &PolyCells {
        &self.cells
    }
    /// Point data.
    pub fn point_data(&self) -> &Attributes {
        &self.point_data
    }
    /// Cell data (one tuple per cell, cells in VTK order).
    pub fn cell_data(&self) -> &Attributes {
        &self.cell_data
    }
    /// Splits into `(points, cells, point_data, cell_data)`.
    pub fn into_parts(self) -> (DataArray, PolyCells, Attributes, Attributes) {
        (self.points, self.cells, self.point_data, self.cell_data)
    }
}
