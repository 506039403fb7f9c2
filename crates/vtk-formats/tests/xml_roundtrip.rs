//! Write -> read round trips of the VTK XML codec in every encoding, compressor and header type.

mod xml_support;

use std::path::Path;

use proptest::prelude::*;
use vtk_formats::xml::{self, read_bytes, write_to, XmlCompression, XmlEncoding, XmlWriteOptions};
use vtk_formats::Durability;
use vtk_formats::ReadOptions;
use vtk_model::{ArrayData, Attributes, CellArray, DataArray, DataSet, PolyCells, PolyData};
use xml_support::{all_modes, arr, image, polydata, ugrid};

fn round_trip(ds: &DataSet, opts: &XmlWriteOptions) -> DataSet {
    let mut buf = Vec::new();
    write_to(&mut buf, ds, opts).unwrap();
    read_bytes(&buf, Path::new("mem.vtk"), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{opts:?}: {e}"))
}

fn check_all(ds: &DataSet) {
    for opts in all_modes() {
        assert_eq!(&round_trip(ds, &opts), ds, "{opts:?}");
    }
}

#[test]
fn polydata_f32_points_every_mode() {
    check_all(&polydata(false));
}

#[test]
fn polydata_f64_points_every_mode() {
    check_all(&polydata(true));
}

#[test]
fn image_every_mode() {
    check_all(&image());
}

#[test]
fn ugrid_without_polyhedra_every_mode() {
    check_all(&ugrid(false));
}

#[test]
fn ugrid_with_polyhedron_every_mode() {
    check_all(&ugrid(true));
}

#[test]
fn empty_polydata_every_mode() {
    let empty = PolyData::try_new(
        arr("Points", 3, Vec::<f32>::new()),
        PolyCells::default(),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap()
    .into();
    check_all(&empty);
}

#[test]
fn default_options_are_appended_raw_zlib() {
    let mut buf = Vec::new();
    write_to(&mut buf, &polydata(false), &XmlWriteOptions::default()).unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.contains("compressor=\"vtkZLibDataCompressor\""));
    assert!(text.contains("header_type=\"UInt64\""));
    assert!(text.contains("<AppendedData encoding=\"raw\">"));
    assert!(text.contains("type=\"Int64\" Name=\"connectivity\""));
}

#[test]
fn write_is_atomic_and_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.vtp");
    let ds = polydata(false);
    xml::write(
        &path,
        &ds,
        &XmlWriteOptions::default(),
        Durability::default(),
    )
    .unwrap();
    assert_eq!(xml::read(&path, &ReadOptions::default()).unwrap(), ds);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temporary file left behind"
    );
}

#[test]
fn large_array_spans_many_parallel_blocks() {
    let n: i32 = 100_000;
    let pts: Vec<f64> = (0..3 * n).map(|i| f64::from(i).sqrt()).collect();
    let lines = CellArray::from_cells(
        (0..i64::from(n) - 1)
            .map(|i| [i, i + 1])
            .collect::<Vec<_>>()
            .iter()
            .map(|c| &c[..]),
    );
    let ds: DataSet = PolyData::try_new(
        arr("Points", 3, pts),
        PolyCells::lines(lines),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap()
    .into();
    for compression in [XmlCompression::Zlib(1), XmlCompression::Lz4] {
        let opts = XmlWriteOptions {
            compression,
            ..XmlWriteOptions::default()
        };
        assert_eq!(round_trip(&ds, &opts), ds);
    }
}

fn small_polydata() -> impl Strategy<Value = DataSet> {
    (1usize..12, any::<bool>()).prop_flat_map(|(n, f64_points)| {
        let coords = proptest::collection::vec(-1e6f64..1e6, 3 * n);
        let polys = proptest::collection::vec(proptest::collection::vec(0..n as i64, 1..6), 0..8);
        let scal = proptest::collection::vec(any::<i32>(), n);
        (coords, polys, scal).prop_map(move |(coords, polys, scal)| {
            let points = if f64_points {
                arr("Points", 3, coords)
            } else {
                arr(
                    "Points",
                    3,
                    coords.iter().map(|&x| x as f32).collect::<Vec<f32>>(),
                )
            };
            let polys = CellArray::from_cells(polys.iter().map(Vec::as_slice));
            let nc = polys.num_cells();
            let cd = Attributes::from(vec![DataArray::new(
                "c",
                1,
                ArrayData::F64((0..nc).map(|i| i as f64 / 3.0).collect()),
            )
            .unwrap()]);
            PolyData::try_new(
                points,
                PolyCells::polys(polys),
                Attributes::from(vec![arr("s", 1, scal)]),
                cd,
            )
            .unwrap()
            .into()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_polydata_round_trips(ds in small_polydata(), mode in 0usize..26) {
        let modes = all_modes();
        let opts = modes[mode % modes.len()];
        prop_assert_eq!(round_trip(&ds, &opts), ds);
    }
}

#[test]
fn ascii_writes_shortest_exact_floats() {
    let ds = polydata(true);
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::Ascii,
        ..XmlWriteOptions::default()
    };
    let mut buf = Vec::new();
    write_to(&mut buf, &ds, &opts).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(
        !text.contains("compressor="),
        "ascii files carry no compressor"
    );
    assert!(
        text.contains("-2.0 -1.63"),
        "points not written as shortest decimal: {}",
        &text[..text.len().min(2000)]
    );
}

#[test]
fn unnamed_arrays_get_vtk_readable_names() {
    let ds = polydata(false);
    let DataSet::PolyData(p) = &ds else {
        unreachable!()
    };
    let (points, cells, pd, cd) = p.clone().into_parts();
    let mut pd = pd.into_vec();
    pd[0].set_name("");
    let unnamed: DataSet = PolyData::try_new(points, cells, pd.into(), cd)
        .unwrap()
        .into();
    let back = round_trip(&unnamed, &XmlWriteOptions::default());
    let DataSet::PolyData(b) = back else {
        panic!("not polydata")
    };
    assert_eq!(b.point_data().iter().next().unwrap().name(), "Array 0");
}

#[test]
fn nameless_array_in_file_reads_with_empty_name() {
    let f = b"<VTKFile type=\"PolyData\"><PolyData><Piece NumberOfPoints=\"1\"><PointData>\
        <DataArray type=\"Int16\" format=\"ascii\">7</DataArray></PointData><Points>\
        <DataArray type=\"Float64\" NumberOfComponents=\"3\" format=\"ascii\">1 2 3</DataArray></Points></Piece></PolyData></VTKFile>";
    let DataSet::PolyData(p) = read_bytes(f, Path::new("n.vtp"), &ReadOptions::default()).unwrap()
    else {
        panic!()
    };
    let a = p.point_data().iter().next().unwrap();
    assert_eq!((a.name(), a.data()), ("", &ArrayData::I16(vec![7])));
}

/// Cells kept as an ArrayDict gives them (32-bit ids, offsets not stored) are written byte for
/// byte as their 64-bit form, in every mode; raw uncompressed output widens them piece by piece,
/// so 300,000 ids span two of its 2 MiB (262,144-id) pieces.
#[test]
fn uniform_32_bit_cells_write_the_same_bytes_as_64_bit_ones() {
    let n_tris = 100_000usize;
    let n_points = 1000;
    let ids: Vec<i32> = (0..n_tris * 3)
        .map(|i| ((i * 7919) % n_points) as i32)
        .collect();
    let points = arr(
        "Points",
        3,
        (0..n_points * 3).map(|i| i as f32).collect::<Vec<_>>(),
    );
    let make = |cells: CellArray| -> DataSet {
        PolyData::try_new(
            points.clone(),
            PolyCells::polys(cells),
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap()
        .into()
    };
    let narrow = make(CellArray::uniform_i32(n_tris, 3, ids.clone()).unwrap());
    let wide_ids: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
    let offsets: Vec<i64> = (0..=n_tris).map(|i| (i * 3) as i64).collect();
    let wide = make(CellArray::new(offsets, wide_ids).unwrap());
    assert_eq!(narrow, wide);
    // 40-byte blocks would make tens of thousands of them; every other mode is covered.
    for opts in all_modes()
        .into_iter()
        .filter(|o| o.block_size != 40 || o.encoding == XmlEncoding::Ascii)
    {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_to(&mut a, &narrow, &opts).unwrap();
        write_to(&mut b, &wide, &opts).unwrap();
        assert!(a == b, "{opts:?}: the two forms wrote different bytes");
        assert_eq!(round_trip(&narrow, &opts), wide, "{opts:?}");
    }
}
