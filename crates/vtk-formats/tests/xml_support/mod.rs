//! Datasets and option grids shared by the VTK XML tests.
#![allow(dead_code)]

use vtk_formats::xml::{HeaderType, XmlCompression, XmlEncoding, XmlWriteOptions};
use vtk_model::{
    ArrayData, Attributes, CellArray, CellType, DataArray, DataSet, ImageData, Matrix3, PolyCells,
    PolyData, PolyhedronFaces, UnstructuredGrid,
};

pub fn arr(name: &str, comps: usize, data: impl Into<ArrayData>) -> DataArray {
    DataArray::new(name, comps, data.into()).unwrap()
}

/// Every encoding x compression x header, with a small block size so arrays span several blocks.
pub fn all_modes() -> Vec<XmlWriteOptions> {
    let mut out = Vec::new();
    for encoding in [
        XmlEncoding::AppendedRaw,
        XmlEncoding::AppendedBase64,
        XmlEncoding::InlineBase64,
        XmlEncoding::Ascii,
    ] {
        for compression in [
            XmlCompression::None,
            XmlCompression::Zlib(6),
            XmlCompression::Lz4,
            XmlCompression::Lzma(6),
        ] {
            for header in [HeaderType::UInt32, HeaderType::UInt64] {
                for block_size in [40, 32768] {
                    if encoding == XmlEncoding::Ascii
                        && (compression != XmlCompression::None || block_size != 40)
                    {
                        continue;
                    }
                    out.push(XmlWriteOptions {
                        encoding,
                        compression,
                        header,
                        block_size,
                    });
                }
            }
        }
    }
    out
}

/// PolyData with all four cell kinds, point and cell data, `f4` or `f8` points.
pub fn polydata(f64_points: bool) -> DataSet {
    let n = 9usize;
    let coords: Vec<f64> = (0..3 * n).map(|i| (i as f64) * 0.37 - 2.0).collect();
    let points = if f64_points {
        arr("Points", 3, coords.clone())
    } else {
        arr(
            "Points",
            3,
            coords.iter().map(|&x| x as f32).collect::<Vec<f32>>(),
        )
    };
    let cells = PolyCells {
        verts: CellArray::from_cells([&[0i64][..], &[1, 2]]),
        lines: CellArray::from_cells([&[0i64, 3][..], &[3, 4, 5, 6]]),
        polys: CellArray::from_cells([&[0i64, 1, 2][..], &[2, 3, 4, 5], &[5, 6, 7, 8, 0]]),
        strips: CellArray::from_cells([&[1i64, 2, 3, 4, 5][..]]),
    };
    let nc = cells.num_cells();
    let pd = Attributes::from(vec![
        arr(
            "Scalars_",
            1,
            (0..n).map(|i| i as f32 * 1.5).collect::<Vec<f32>>(),
        ),
        arr(
            "Normals_",
            3,
            (0..3 * n).map(|i| (i as f64).sin()).collect::<Vec<f64>>(),
        ),
        arr(
            "Tensor",
            9,
            (0..9 * n).map(|i| i as i32 - 40).collect::<Vec<i32>>(),
        ),
        arr("Bytes", 1, (0..n).map(|i| i as u8).collect::<Vec<u8>>()),
        arr(
            "Big",
            2,
            (0..2 * n).map(|i| (i as u64) << 40).collect::<Vec<u64>>(),
        ),
    ]);
    let cd = Attributes::from(vec![
        arr(
            "CellIds",
            1,
            (0..nc)
                .map(|i| i as i64 * 1_000_000_007)
                .collect::<Vec<i64>>(),
        ),
        arr(
            "Pair",
            2,
            (0..2 * nc).map(|i| -(i as f32) / 3.0).collect::<Vec<f32>>(),
        ),
        arr(
            "Small",
            1,
            (0..nc).map(|i| i as i8 - 3).collect::<Vec<i8>>(),
        ),
    ]);
    PolyData::try_new(points, cells, pd, cd).unwrap().into()
}

/// An image with a non-zero extent, non-unit spacing, an origin and a rotation.
pub fn image() -> DataSet {
    let extent = [2, 5, -1, 3, 4, 6];
    let (np, nc) = (4 * 5 * 3, 3 * 4 * 2);
    let rot = Matrix3::new(0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0);
    let pd = Attributes::from(vec![arr(
        "ImageScalars",
        1,
        (0..np)
            .map(|i| (i as i16) * 311 - 9000)
            .collect::<Vec<i16>>(),
    )]);
    let cd = Attributes::from(vec![arr(
        "Grad",
        3,
        (0..3 * nc).map(|i| i as f32 * 0.1).collect::<Vec<f32>>(),
    )]);
    ImageData::try_new(
        extent,
        [-1.5, 2.0, 3.25],
        [0.5, 0.25, 2.000_000_1],
        rot,
        pd,
        cd,
    )
    .unwrap()
    .into()
}

/// A grid of a tetra, a hexahedron, a wedge, a triangle and a polyhedron (a pyramid given by faces).
pub fn ugrid(with_polyhedron: bool) -> DataSet {
    let pts: Vec<f32> = (0..3 * 12)
        .map(|i| (i % 7) as f32 + (i / 7) as f32 * 0.5)
        .collect();
    let mut cells = CellArray::from_cells([
        &[0i64, 1, 2, 3][..],
        &[0, 1, 2, 3, 4, 5, 6, 7],
        &[4, 5, 6, 7, 8, 9],
        &[9, 10, 11],
    ]);
    let mut types = vec![
        CellType::TETRA,
        CellType::HEXAHEDRON,
        CellType::WEDGE,
        CellType::TRIANGLE,
    ];
    let mut faces = None;
    if with_polyhedron {
        cells.push_cell(&[0, 1, 2, 3, 11]);
        types.push(CellType::POLYHEDRON);
        let pyr: Vec<i64> = vec![
            5, 4, 0, 1, 2, 3, 3, 0, 1, 11, 3, 1, 2, 11, 3, 2, 3, 11, 3, 3, 0, 11,
        ];
        let empty: &[i64] = &[];
        faces = Some(
            PolyhedronFaces::from_legacy_streams([empty, empty, empty, empty, pyr.as_slice()])
                .unwrap(),
        );
    }
    let nc = types.len();
    let pd = Attributes::from(vec![arr(
        "Temp",
        1,
        (0..12).map(|i| f64::from(i) / 7.0).collect::<Vec<f64>>(),
    )]);
    let cd = Attributes::from(vec![arr(
        "Region",
        1,
        (0..nc).map(|i| i as u16 + 1).collect::<Vec<u16>>(),
    )]);
    UnstructuredGrid::try_new(arr("Points", 3, pts), cells, types, faces, pd, cd)
        .unwrap()
        .into()
}
