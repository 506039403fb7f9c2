//! Shared input generators for the benches.

/// A closed-ish triangulated surface of about `n_tri` triangles: a `(w+1) x (h+1)` grid of f32
/// points with two triangles per quad, `Normals_` (f32, 3 components) and `Scalars_` (f32) point
/// arrays -- the shape of VMTK's aorta surface, scaled up.
pub fn triangle_surface(n_tri: usize) -> vtk_model::PolyData {
    grid_surface(n_tri, n_tri / 2, false)
}

/// A surface of exactly `n_cells` quads and triangles (issue 17's mixed-cell target, like the real
/// `cow.vtp`): the grid of [`triangle_surface`] with the squares of a checkerboard kept as quads
/// and the others split in two triangles -- a third of the cells are quads -- and the same point
/// arrays. Its cells differ in size, so its tree holds SPEC 6's 1-D cell stream.
pub fn quad_triangle_surface(n_cells: usize) -> vtk_model::PolyData {
    // 1.5 cells per square, plus a row's worth of slack for the checkerboard's odd rows.
    let squares = (2 * n_cells).div_ceil(3) + ((n_cells as f64).sqrt() as usize + 2);
    grid_surface(n_cells, squares, true)
}

/// Up to `n_cells` cells on a grid of about `squares` squares, each square two triangles, or
/// with `quads` a quad on the white squares of a checkerboard.
// `w` x `h` squares; `a`, `b`, `c`, `d` are a square's corners (`b` right of `a`, `c` and `d` the
// row above), the names a drawing of the square would use.
#[allow(clippy::many_single_char_names)]
fn grid_surface(n_cells: usize, squares: usize, quads: bool) -> vtk_model::PolyData {
    use vtk_model::{ArrayData, Attributes, CellArray, DataArray, PolyCells, PolyData};
    let w = (squares as f64).sqrt().ceil().max(1.0) as usize;
    let h = squares.div_ceil(w).max(1);
    let n_points = (w + 1) * (h + 1);
    let mut pts = Vec::with_capacity(3 * n_points);
    for j in 0..=h {
        for i in 0..=w {
            pts.extend_from_slice(&[i as f32, j as f32, ((i * j) % 7) as f32]);
        }
    }
    let mut conn = Vec::with_capacity(4 * n_cells);
    let mut offsets = Vec::with_capacity(n_cells + 1);
    offsets.push(0);
    'squares: for j in 0..h {
        for i in 0..w {
            let a = (j * (w + 1) + i) as i64;
            let b = a + 1;
            let c = a + (w + 1) as i64;
            let d = c + 1;
            let quad = [a, b, d, c];
            let (one, two) = ([a, b, d], [a, d, c]);
            let cells: [&[i64]; 2] = if quads && (i + j) % 2 == 0 {
                [&quad, &[]]
            } else {
                [&one, &two]
            };
            for cell in cells.into_iter().filter(|c| !c.is_empty()) {
                if offsets.len() > n_cells {
                    break 'squares;
                }
                conn.extend_from_slice(cell);
                offsets.push(conn.len() as i64);
            }
        }
    }
    let polys = CellArray::new(offsets, conn).expect("valid cells");
    let normals: Vec<f32> = (0..3 * n_points).map(|k| (k % 3) as f32).collect();
    let scalars: Vec<f32> = (0..n_points).map(|k| k as f32).collect();
    let point_data = Attributes::from(vec![
        DataArray::new("Scalars_", 1, ArrayData::F32(scalars)).expect("1 component"),
        DataArray::new("Normals_", 3, ArrayData::F32(normals)).expect("3 components"),
    ]);
    let points = DataArray::new("Points", 3, ArrayData::F32(pts)).expect("3 components");
    PolyData::try_new(
        points,
        PolyCells::polys(polys),
        point_data,
        Attributes::new(),
    )
    .expect("valid surface")
}

/// An `n x n x n` i16 image (one `Scalars` array, values a cheap function of the index).
pub fn image_i16(n: usize) -> vtk_model::ImageData {
    use vtk_model::{ArrayData, Attributes, DataArray, ImageData, Matrix3};
    let voxels: Vec<i16> = (0..n * n * n).map(|k| (k % 4093) as i16 - 1024).collect();
    let pd = Attributes::from(vec![
        DataArray::new("Scalars", 1, ArrayData::I16(voxels)).expect("1 component")
    ]);
    let e = n as i64 - 1;
    ImageData::try_new(
        [0, e, 0, e, 0, e],
        [0.0; 3],
        [0.5; 3],
        Matrix3::identity(),
        pd,
        Attributes::new(),
    )
    .expect("valid image")
}
