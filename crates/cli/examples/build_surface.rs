//! Builds a surface in code -- a unit cube of twelve triangles with a point array and a cell
//! array -- and writes it to every path given: a VTK file (`.vtp`, `.vtk`, `.stl`) by its
//! extension, or an ArrayDict store (`.hdf5`, `.pickle`, `.msgpack`) through `to_arraydict`.
//!
//! ```text
//! cargo run -p arraydict-cli --example build_surface -- /tmp/cube.vtp /tmp/cube.hdf5
//! ```

use std::error::Error;
use std::path::PathBuf;

use arraydict::{to_arraydict, Kind, ToArrayDictOptions};
use arraydict_store::StoreFormat;
use vtk_model::{Attributes, CellArray, DataArray, DataSet, ModelError, PolyCells, PolyData};

fn main() -> Result<(), Box<dyn Error>> {
    let outputs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if outputs.is_empty() {
        return Err(
            "usage: build_surface OUTPUT... (.vtp, .vtk, .stl, .hdf5, .pickle, .msgpack)".into(),
        );
    }
    let cube = DataSet::PolyData(unit_cube()?);
    for path in &outputs {
        if StoreFormat::from_extension(path).is_ok() {
            let tree = to_arraydict(cube.clone(), Kind::Surface, &ToArrayDictOptions::default())?;
            arraydict_store::write(path, &tree, &arraydict_store::WriteOptions::default())?;
        } else {
            vtk_formats::write(path, &cube, &vtk_formats::WriteOptions::default())?;
        }
        println!("wrote {} (8 points, 12 triangles)", path.display());
    }
    Ok(())
}

/// The cube `[0, 1]^3`: corner `i` is at `(i & 1, i >> 1 & 1, i >> 2 & 1)`; each face is two
/// triangles wound so that their normals point outwards.
fn unit_cube() -> Result<PolyData, ModelError> {
    let corners: Vec<f32> = (0..8u8)
        .flat_map(|i| [i & 1, i >> 1 & 1, i >> 2 & 1].map(f32::from))
        .collect();
    let faces: [[i64; 4]; 6] = [
        [0, 2, 3, 1], // z = 0
        [4, 5, 7, 6], // z = 1
        [0, 1, 5, 4], // y = 0
        [2, 6, 7, 3], // y = 1
        [0, 4, 6, 2], // x = 0
        [1, 3, 7, 5], // x = 1
    ];
    let mut triangles = CellArray::empty();
    for [a, b, c, d] in faces {
        triangles.push_cell(&[a, b, c]);
        triangles.push_cell(&[a, c, d]);
    }
    let mut point_data = Attributes::new();
    let heights = corners
        .chunks(3)
        .map(|p| f64::from(p[2]))
        .collect::<Vec<_>>();
    point_data.push(DataArray::new("Height", 1, heights.into())?);
    let mut cell_data = Attributes::new();
    let face_ids = (0..12).map(|t| t / 2).collect::<Vec<i32>>();
    cell_data.push(DataArray::new("FaceId", 1, face_ids.into())?);
    let points = DataArray::new("Points", 3, corners.into())?;
    PolyData::try_new(points, PolyCells::polys(triangles), point_data, cell_data)
}
