use nalgebra::{Matrix3, Vector3};

use crate::{Attributes, ModelError};

/// A `vtkImageData`: a regular grid with extent, origin, spacing and a direction matrix.
///
/// Point data is x-fastest (VTK's layout), i.e. a Fortran-ordered `(nx, ny, nz)` array.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ImageData {
    extent: [i64; 6],
    origin: [f64; 3],
    spacing: [f64; 3],
    direction: [f64; 9],
    point_data: Attributes,
    cell_data: Attributes,
}

impl ImageData {
    /// Builds and validates. `extent` is `[x0, x1, y0, y1, z0, z1]` (inclusive);
    /// `direction` is a 3x3 matrix whose columns are the world directions of the i, j, k axes.
    pub fn try_new(
        extent: [i64; 6],
        origin: [f64; 3],
        spacing: [f64; 3],
        direction: Matrix3<f64>,
        point_data: Attributes,
        cell_data: Attributes,
    ) -> Result<Self, ModelError> {
        let dims = dims_of(extent)?;
        if !origin
            .iter()
            .chain(spacing.iter())
            .chain(direction.iter())
            .all(|v| v.is_finite())
        {
            return Err(ModelError::BadGeometry(format!(
                "origin {origin:?}, spacing {spacing:?} and direction must be finite"
            )));
        }
        let n_points = dims
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or(ModelError::BadExtent(extent))?;
        let n_cells = dims
            .iter()
            .map(|&d| d.saturating_sub(1).max(1))
            .product::<usize>();
        let n_cells = if n_points == 0 { 0 } else { n_cells };
        point_data.check_tuples("point", n_points)?;
        cell_data.check_tuples("cell", n_cells)?;
        let mut d = [0.0; 9];
        // row-major storage keeps serde output readable
        for r in 0..3 {
            for c in 0..3 {
                d[3 * r + c] = direction[(r, c)];
            }
        }
        Ok(Self {
            extent,
            origin,
            spacing,
            direction: d,
            point_data,
            cell_data,
        })
    }

    /// `[x0, x1, y0, y1, z0, z1]`.
    pub fn extent(&self) -> [i64; 6] {
        self.extent
    }
    /// Points per axis.
    pub fn dimensions(&self) -> [usize; 3] {
        dims_of(self.extent).expect("validated")
    }
    /// Number of points.
    pub fn num_points(&self) -> usize {
        self.dimensions().iter().product()
    }
    /// Number of cells (VTK counts a flat axis as one cell layer).
    pub fn num_cells(&self) -> usize {
        if self.num_points() == 0 {
            return 0;
        }
        self.dimensions()
            .iter()
            .map(|&d| d.saturating_sub(1).max(1))
            .product()
    }
    /// World position of index (0, 0, 0) -- not of the extent's first point.
    pub fn origin(&self) -> [f64; 3] {
        self.origin
    }
    /// Distance between points per axis.
    pub fn spacing(&self) -> [f64; 3] {
        self.spacing
    }
    /// The direction matrix (columns: world directions of the i, j, k axes).
    pub fn direction(&self) -> Matrix3<f64> {
        Matrix3::from_row_slice(&self.direction)
    }
    /// Point data (x-fastest).
    pub fn point_data(&self) -> &Attributes {
        &self.point_data
    }
    /// Cell data (x-fastest).
    pub fn cell_data(&self) -> &Attributes {
        &self.cell_data
    }
    /// World coordinates of a (continuous) structured index: `origin + D * diag(spacing) * ijk`.
    pub fn index_to_world(&self, ijk: [f64; 3]) -> [f64; 3] {
        let w = Vector3::from(self.origin)
            + self.direction()
                * Vector3::new(
                    ijk[0] * self.spacing[0],
                    ijk[1] * self.spacing[1],
                    ijk[2] * self.spacing[2],
                );
        [w.x, w.y, w.z]
    }
    /// Continuous index of a world point, `None` when the direction or spacing is singular.
    pub fn world_to_index(&self, xyz: [f64; 3]) -> Option<[f64; 3]> {
        let m = self.direction() * Matrix3::from_diagonal(&Vector3::from(self.spacing));
        let v = m.try_inverse()? * (Vector3::from(xyz) - Vector3::from(self.origin));
        Some([v.x, v.y, v.z])
    }
    /// Splits into `(extent, origin, spacing, direction, point_data, cell_data)`.
    #[allow(clippy::type_complexity)]
    pub fn into_parts(
        self,
    ) -> (
        [i64; 6],
        [f64; 3],
        [f64; 3],
        Matrix3<f64>,
        Attributes,
        Attributes,
    ) {
        let d = Matrix3::from_row_slice(&self.direction);
        (
            self.extent,
            self.origin,
            self.spacing,
            d,
            self.point_data,
            self.cell_data,
        )
    }
}

fn dims_of(extent: [i64; 6]) -> Result<[usize; 3], ModelError> {
    let mut dims = [0usize; 3];
    for a in 0..3 {
        let n = extent[2 * a + 1]
            .checked_sub(extent[2 * a])
            .and_then(|d| d.checked_add(1))
            .filter(|&d| d >= 0)
            .ok_or(ModelError::BadExtent(extent))?;
        dims[a] = usize::try_from(n).map_err(|_| ModelError::BadExtent(extent))?;
    }
    Ok(dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry() {
        let img = ImageData::try_new(
            [0, 1, 0, 2, 0, 0],
            [1.0, 2.0, 3.0],
            [0.5, 1.0, 2.0],
            Matrix3::new(-1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0),
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap();
        assert_eq!(img.dimensions(), [2, 3, 1]);
        assert_eq!(img.num_cells(), 2);
        let world = img.index_to_world([1.0, 1.0, 0.0]);
        assert!(
            world
                .iter()
                .zip([0.5, 1.0, 3.0])
                .all(|(w, e)| (w - e).abs() < 1e-12),
            "{world:?}"
        );
        let back = img.world_to_index([0.5, 1.0, 3.0]).unwrap();
        assert!((back[0] - 1.0).abs() < 1e-12 && (back[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_extent() {
        let r = ImageData::try_new(
            [0, -2, 0, 0, 0, 0],
            [0.0; 3],
            [1.0; 3],
            Matrix3::identity(),
            Attributes::new(),
            Attributes::new(),
        );
        assert!(matches!(r, Err(ModelError::BadExtent(_))));
    }
}
