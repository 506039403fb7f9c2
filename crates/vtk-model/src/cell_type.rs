/// A VTK cell type id (`vtkCellType.h`), with the VTK class name used by `CellTypesAsStrings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CellType(pub u8);

/// `(id, VTK class name, fixed number of points or 0 when variable)`: every id `vtkCellType.h` (VTK
/// 9.7) defines, and no other. The ids in between (17-20, 38-40, 43-50, 57-59, 82-255) are not cell
/// types, and files that use them are refused.
const TABLE: &[(u8, &str, usize)] = &[
    (0, "vtkEmptyCell", 0),
    (1, "vtkVertex", 1),
    (2, "vtkPolyVertex", 0),
    (3, "vtkLine", 2),
    (4, "vtkPolyLine", 0),
    (5, "vtkTriangle", 3),
    (6, "vtkTriangleStrip", 0),
    (7, "vtkPolygon", 0),
    (8, "vtkPixel", 4),
    (9, "vtkQuad", 4),
    (10, "vtkTetra", 4),
    (11, "vtkVoxel", 8),
    (12, "vtkHexahedron", 8),
    (13, "vtkWedge", 6),
    (14, "vtkPyramid", 5),
    (15, "vtkPentagonalPrism", 10),
    (16, "vtkHexagonalPrism", 12),
    (21, "vtkQuadraticEdge", 3),
    (22, "vtkQuadraticTriangle", 6),
    (23, "vtkQuadraticQuad", 8),
    (24, "vtkQuadraticTetra", 10),
    (25, "vtkQuadraticHexahedron", 20),
    (26, "vtkQuadraticWedge", 15),
    (27, "vtkQuadraticPyramid", 13),
    (28, "vtkBiQuadraticQuad", 9),
    (29, "vtkTriQuadraticHexahedron", 27),
    (30, "vtkQuadraticLinearQuad", 6),
    (31, "vtkQuadraticLinearWedge", 12),
    (32, "vtkBiQuadraticQuadraticWedge", 18),
    (33, "vtkBiQuadraticQuadraticHexahedron", 24),
    (34, "vtkBiQuadraticTriangle", 7),
    (35, "vtkCubicLine", 4),
    (36, "vtkQuadraticPolygon", 0),
    (37, "vtkTriQuadraticPyramid", 19),
    (41, "vtkConvexPointSet", 0),
    (42, "vtkPolyhedron", 0),
    // Deprecated in VTK 9.7 ("no longer used") but still defined, and named by vtkCellTypes.
    (51, "vtkParametricCurve", 0),
    (52, "vtkParametricSurface", 0),
    (53, "vtkParametricTriSurface", 0),
    (54, "vtkParametricQuadSurface", 0),
    (55, "vtkParametricTetraRegion", 0),
    (56, "vtkParametricHexRegion", 0),
    (60, "vtkHigherOrderEdge", 0),
    (61, "vtkHigherOrderTriangle", 0),
    (62, "vtkHigherOrderQuad", 0),
    (63, "vtkHigherOrderPolygon", 0),
    (64, "vtkHigherOrderTetrahedron", 0),
    (65, "vtkHigherOrderWedge", 0),
    (66, "vtkHigherOrderPyramid", 0),
    (67, "vtkHigherOrderHexahedron", 0),
    (68, "vtkLagrangeCurve", 0),
    (69, "vtkLagrangeTriangle", 0),
    (70, "vtkLagrangeQuadrilateral", 0),
    (71, "vtkLagrangeTetra", 0),
    (72, "vtkLagrangeHexahedron", 0),
    (73, "vtkLagrangeWedge", 0),
    (74, "vtkLagrangePyramid", 0),
    (75, "vtkBezierCurve", 0),
    (76, "vtkBezierTriangle", 0),
    (77, "vtkBezierQuadrilateral", 0),
    (78, "vtkBezierTetra", 0),
    (79, "vtkBezierHexahedron", 0),
    (80, "vtkBezierWedge", 0),
    (81, "vtkBezierPyramid", 0),
];

impl CellType {
    /// `VTK_VERTEX`.
    pub const VERTEX: CellType = CellType(1);
    /// `VTK_POLY_VERTEX`.
    pub const POLY_VERTEX: CellType = CellType(2);
    /// `VTK_LINE`.
    pub const LINE: CellType = CellType(3);
    /// `VTK_POLY_LINE`.
    pub const POLY_LINE: CellType = CellType(4);
    /// `VTK_TRIANGLE`.
    pub const TRIANGLE: CellType = CellType(5);
    /// `VTK_TRIANGLE_STRIP`.
    pub const TRIANGLE_STRIP: CellType = CellType(6);
    /// `VTK_POLYGON`.
    pub const POLYGON: CellType = CellType(7);
    /// `VTK_QUAD`.
    pub const QUAD: CellType = CellType(9);
    /// `VTK_TETRA`.
    pub const TETRA: CellType = CellType(10);
    /// `VTK_HEXAHEDRON`.
    pub const HEXAHEDRON: CellType = CellType(12);
    /// `VTK_WEDGE`.
    pub const WEDGE: CellType = CellType(13);
    /// `VTK_PYRAMID`.
    pub const PYRAMID: CellType = CellType(14);
    /// `VTK_POLYHEDRON`.
    pub const POLYHEDRON: CellType = CellType(42);

    fn entry(self) -> Option<&'static (u8, &'static str, usize)> {
        TABLE.iter().find(|e| e.0 == self.0)
    }

    /// True when VTK defines this id.
    pub fn is_known(self) -> bool {
        self.entry().is_some()
    }

    /// The cell type with id `id`, `None` unless `vtkCellType.h` defines it.
    pub fn from_id(id: i64) -> Option<CellType> {
        u8::try_from(id).ok().map(CellType).filter(|t| t.is_known())
    }

    /// VTK class name (`"vtkTetra"`), `None` for ids VTK does not define.
    pub fn vtk_class_name(self) -> Option<&'static str> {
        self.entry().map(|e| e.1)
    }

    /// Parses a VTK class name.
    pub fn from_vtk_class_name(name: &str) -> Option<CellType> {
        TABLE.iter().find(|e| e.1 == name).map(|e| CellType(e.0))
    }

    /// Fixed number of points for linear/quadratic cells, `None` for variable-size cells.
    pub fn fixed_size(self) -> Option<usize> {
        self.entry()
            .and_then(|e| (e.2 > 0 || e.0 == 0).then_some(e.2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(CellType::TETRA.vtk_class_name(), Some("vtkTetra"));
        assert_eq!(CellType::HEXAHEDRON.vtk_class_name(), Some("vtkHexahedron"));
        assert_eq!(
            CellType::from_vtk_class_name("vtkWedge"),
            Some(CellType::WEDGE)
        );
        assert_eq!(CellType(200).vtk_class_name(), None);
        assert_eq!(CellType::TRIANGLE.fixed_size(), Some(3));
        assert_eq!(CellType::POLYGON.fixed_size(), None);
    }

    #[test]
    fn exactly_vtks_ids_are_known() {
        // vtkCellType.h: 0-16, 21-37, 41, 42, 51-56, 60-81 (VTK_NUMBER_OF_CELL_TYPES = 82).
        let defined = |id: i64| matches!(id, 0..=16 | 21..=37 | 41 | 42 | 51..=56 | 60..=81);
        for id in -1..=300 {
            assert_eq!(CellType::from_id(id).is_some(), defined(id), "id {id}");
        }
        assert_eq!(CellType(62).vtk_class_name(), Some("vtkHigherOrderQuad"));
        for id in [17, 38, 43, 57, 82, 138, 200, 255] {
            assert!(!CellType(id).is_known(), "id {id}");
        }
    }
}
