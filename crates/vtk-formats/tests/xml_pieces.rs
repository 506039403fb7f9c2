//! Multi-piece files are joined into one dataset.

use std::path::Path;

use vtk_formats::xml::read_bytes;
use vtk_formats::ReadOptions;
use vtk_model::{ArrayData, DataSet};

fn piece(pts: &str, vert: &str, poly: &str, cell_vals: &str) -> String {
    format!(
        "<Piece NumberOfPoints=\"3\" NumberOfVerts=\"1\" NumberOfPolys=\"1\">\
         <CellData><DataArray type=\"Int32\" Name=\"c\" format=\"ascii\">{cell_vals}</DataArray></CellData>\
         <Points><DataArray type=\"Float32\" NumberOfComponents=\"3\" format=\"ascii\">{pts}</DataArray></Points>\
         <Verts><DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">{vert}</DataArray>\
         <DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">1</DataArray></Verts>\
         <Polys><DataArray type=\"Int32\" Name=\"connectivity\" format=\"ascii\">{poly}</DataArray>\
         <DataArray type=\"UInt8\" Name=\"offsets\" format=\"ascii\">3</DataArray></Polys></Piece>"
    )
}

#[test]
fn polydata_pieces_are_concatenated_in_vtk_cell_order() {
    let f = format!(
        "<VTKFile type=\"PolyData\"><FieldData><DataArray type=\"String\" Name=\"f\" format=\"ascii\">65 0</DataArray></FieldData>\
         <PolyData>{}{}</PolyData></VTKFile>",
        piece("0 0 0 1 0 0 0 1 0", "2", "0 1 2", "10 11"),
        piece("5 5 5 6 5 5 5 6 5", "0", "2 1 0", "20 21")
    );
    let DataSet::PolyData(p) =
        read_bytes(f.as_bytes(), Path::new("p.vtp"), &ReadOptions::default()).unwrap()
    else {
        panic!("not polydata")
    };
    assert_eq!(p.num_points(), 6);
    assert_eq!(p.cells().verts.connectivity(), &[2, 3]);
    assert_eq!(p.cells().polys.connectivity(), &[0, 1, 2, 5, 4, 3]);
    // verts of both pieces first, then polys
    assert_eq!(
        p.cell_data().get("c").unwrap().data(),
        &ArrayData::I32(vec![10, 20, 11, 21])
    );
}

#[test]
fn image_pieces_fill_the_whole_extent() {
    let f = "<VTKFile type=\"ImageData\"><ImageData WholeExtent=\"0 2 0 1 0 0\" Origin=\"1 2 3\" Spacing=\"1 1 1\">\
        <Piece Extent=\"0 2 0 0 0 0\"><PointData><DataArray type=\"Int16\" Name=\"v\" format=\"ascii\">1 2 3</DataArray></PointData></Piece>\
        <Piece Extent=\"0 2 1 1 0 0\"><PointData><DataArray type=\"Int16\" Name=\"v\" format=\"ascii\">4 5 6</DataArray></PointData></Piece>\
        </ImageData></VTKFile>";
    let DataSet::ImageData(img) =
        read_bytes(f.as_bytes(), Path::new("i.vti"), &ReadOptions::default()).unwrap()
    else {
        panic!("not an image")
    };
    assert_eq!(img.extent(), [0, 2, 0, 1, 0, 0]);
    assert_eq!(
        img.origin().map(f64::to_bits),
        [1.0, 2.0, 3.0].map(f64::to_bits)
    ); // read exactly
    assert_eq!(
        img.point_data().get("v").unwrap().data(),
        &ArrayData::I16(vec![1, 2, 3, 4, 5, 6])
    );
}

#[test]
fn piece_outside_whole_extent_is_an_error() {
    let f = "<VTKFile type=\"ImageData\"><ImageData WholeExtent=\"0 2 0 0 0 0\">\
        <Piece Extent=\"0 2 0 0 0 0\"></Piece><Piece Extent=\"0 2 1 1 0 0\"></Piece></ImageData></VTKFile>";
    assert!(read_bytes(f.as_bytes(), Path::new("i.vti"), &ReadOptions::default()).is_err());
}
