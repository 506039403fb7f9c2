//! End to end through the built binary: every committed fixture goes VTK -> ArrayDict (each store
//! format) -> VTK and comes back equal (dtypes, values, cell types, image geometry); `inspect` and
//! `validate` agree with the tree.

mod common;

use std::path::Path;

use common::{arraydict, fixtures};
use vtk_formats::{read, ReadOptions};
use vtk_model::{Attributes, DataSet, ImageData, PolyData, UnstructuredGrid};

/// VTK arrays without a name are not exported (SPEC section 2), so they cannot come back.
fn named(a: Attributes) -> Attributes {
    a.into_iter().filter(|x| !x.name().is_empty()).collect()
}

fn without_unnamed(ds: DataSet) -> DataSet {
    match ds {
        DataSet::PolyData(p) => {
            let (pts, cells, pd, cd) = p.into_parts();
            PolyData::try_new(pts, cells, named(pd), named(cd))
                .unwrap()
                .into()
        }
        DataSet::ImageData(i) => {
            let (extent, origin, spacing, direction, pd, cd) = i.into_parts();
            ImageData::try_new(extent, origin, spacing, direction, named(pd), named(cd))
                .unwrap()
                .into()
        }
        DataSet::UnstructuredGrid(g) => {
            let (pts, cells, types, faces, pd, cd) = g.into_parts();
            UnstructuredGrid::try_new(pts, cells, types, faces, named(pd), named(cd))
                .unwrap()
                .into()
        }
    }
}

fn vtk_ext(ds: &DataSet) -> &'static str {
    match ds {
        DataSet::PolyData(_) => "vtp",
        DataSet::ImageData(_) => "vti",
        DataSet::UnstructuredGrid(_) => "vtu",
    }
}

fn round_trip(input: &Path, store_ext: &str, dir: &Path) -> Result<(), String> {
    let original =
        read(input, &ReadOptions::default()).map_err(|e| format!("library read: {e}"))?;
    let expected = without_unnamed(original);
    let tree = dir.join(format!("t.{store_ext}"));
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        tree.to_str().unwrap(),
    ]);
    if r.code != 0 {
        return Err(format!("to-numpy exit {}: {}", r.code, r.stderr));
    }
    let v = arraydict(&["validate", tree.to_str().unwrap()]);
    if v.code != 0 {
        return Err(format!(
            "validate exit {}: {}{}",
            v.code, v.stdout, v.stderr
        ));
    }
    let back = dir.join(format!("back.{}", vtk_ext(&expected)));
    let r = arraydict(&[
        "from-numpy",
        tree.to_str().unwrap(),
        "-o",
        back.to_str().unwrap(),
    ]);
    if r.code != 0 {
        return Err(format!("from-numpy exit {}: {}", r.code, r.stderr));
    }
    let got =
        read(&back, &ReadOptions::default()).map_err(|e| format!("reading our output: {e}"))?;
    if got != expected {
        return Err(
            format!("round trip differs:\nexpected {expected:?}\ngot {got:?}")
                .chars()
                .take(3000)
                .collect(),
        );
    }
    Ok(())
}

#[test]
fn every_fixture_round_trips_through_every_store_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for (path, _) in fixtures() {
        if path.extension().is_some_and(|e| e == "raw" || e == "zraw") {
            continue; // data files of .mhd headers
        }
        for ext in ["hdf5", "pickle", "msgpack"] {
            count += 1;
            if let Err(e) = round_trip(&path, ext, dir.path()) {
                failures.push(format!("{} via {ext}: {e}", path.display()));
            }
        }
    }
    assert!(
        count > 600,
        "expected every fixture in 3 formats, ran {count}"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} round trips failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn inspect_json_lists_every_node_of_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let input = common::fixture("surface").unwrap();
    let tree = dir.path().join("s.hdf5");
    assert_eq!(
        arraydict(&[
            "to-numpy",
            input.to_str().unwrap(),
            "-o",
            tree.to_str().unwrap()
        ])
        .code,
        0
    );
    for file in [input.as_path(), tree.as_path()] {
        let r = arraydict(&["inspect", file.to_str().unwrap(), "--json"]);
        assert_eq!(r.code, 0, "{r:?}");
        let v: serde_json::Value =
            serde_json::from_str(&r.stdout).expect("inspect --json prints JSON");
        let nodes = v.as_array().expect("an array of nodes");
        assert_eq!(nodes[0]["path"], "/");
        let points = nodes
            .iter()
            .find(|n| n["path"] == "/Points")
            .expect("/Points listed");
        assert_eq!(points["type"], "array");
        assert_eq!(points["shape"][1], 3);
        let cpi = nodes
            .iter()
            .find(|n| n["path"] == "/CellData/CellPointIds")
            .expect("/CellData/CellPointIds");
        assert_eq!(cpi["dtype"], "<i4");
        // every dict lists exactly the children that follow it
        for n in nodes.iter().filter(|n| n["type"] == "dict") {
            let p = n["path"].as_str().unwrap();
            for k in n["keys"].as_array().unwrap() {
                let child = if p == "/" {
                    format!("/{}", k.as_str().unwrap())
                } else {
                    format!("{p}/{}", k.as_str().unwrap())
                };
                assert!(
                    nodes.iter().any(|m| m["path"] == child.as_str()),
                    "{child} missing"
                );
            }
        }
    }
}

/// Uncompressed HDF5 datasets of 64 KiB and more are read in place from a mapping of the file;
/// `--no-map` copies them instead. Both give the same `.vtp`, byte for byte, and the surface that
/// went in -- in every array a mapped tree can hold (`f4` points and normals, `f8` and `i2` point
/// data, `i4` cell ids, `i4` cell data).
/// `surface` written as `dir/s.vtp`, then converted by the binary to an uncompressed `dir/s.hdf5`
/// (whose large datasets are then read from a mapping of the file).
fn uncompressed_hdf5_of(dir: &Path, surface: &PolyData) -> std::path::PathBuf {
    let vtp = dir.join("s.vtp");
    let ds = DataSet::PolyData(surface.clone());
    vtk_formats::write(&vtp, &ds, &vtk_formats::WriteOptions::default()).unwrap();
    let h5 = dir.join("s.hdf5");
    let (vtp, h5s) = (vtp.to_str().unwrap(), h5.to_str().unwrap());
    let r = arraydict(&["to-numpy", vtp, "-o", h5s, "--compression", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    h5
}

/// `from-numpy h5` with the file mapped and with `--no-map` (plus `args`) must give the same bytes;
/// returns the mapped run's `.vtp`.
fn mapped_equals_copied(dir: &Path, h5: &Path, args: &[&str]) -> std::path::PathBuf {
    let mapped = dir.join("mapped.vtp");
    let copied = dir.join("copied.vtp");
    let h5 = h5.to_str().unwrap();
    let r = arraydict(&[&["from-numpy", h5, "-o", mapped.to_str().unwrap()], args].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let no_map = [
        &["--no-map", "from-numpy", h5, "-o", copied.to_str().unwrap()],
        args,
    ]
    .concat();
    let r = arraydict(&no_map);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read(&mapped).unwrap(),
        std::fs::read(&copied).unwrap()
    );
    mapped
}

#[test]
fn mapped_and_copied_hdf5_inputs_give_the_same_output() {
    use vtk_model::{ArrayData, CellArray, DataArray, PolyCells};
    let dir = tempfile::tempdir().unwrap();
    let side = 200usize; // 40,000 points, 79,202 triangles: every array above 64 KiB
    let points: Vec<f32> = (0..side * side)
        .flat_map(|i| [(i % side) as f32, (i / side) as f32, ((i * 7) % 13) as f32])
        .collect();
    let mut ids = Vec::new();
    for y in 0..side - 1 {
        for x in 0..side - 1 {
            let p = (y * side + x) as i64;
            let s = side as i64;
            ids.extend_from_slice(&[p, p + 1, p + s, p + 1, p + s + 1, p + s]);
        }
    }
    let n_cells = ids.len() / 3;
    let n_points = side * side;
    let pd = Attributes::from(vec![
        DataArray::new(
            "Normals",
            3,
            ArrayData::F32((0..3 * n_points).map(|i| (i % 3) as f32).collect()),
        )
        .unwrap(),
        DataArray::new(
            "Distance",
            1,
            ArrayData::F64((0..n_points).map(|i| i as f64 * 0.5).collect()),
        )
        .unwrap(),
        DataArray::new(
            "Label",
            1,
            ArrayData::I16((0..n_points).map(|i| (i % 300) as i16).collect()),
        )
        .unwrap(),
    ]);
    let cd = Attributes::from(vec![DataArray::new(
        "Region",
        1,
        ArrayData::I32((0..n_cells).map(|i| i as i32).collect()),
    )
    .unwrap()]);
    let cells = PolyCells::polys(CellArray::uniform(n_cells, 3, ids).unwrap());
    let surface = PolyData::try_new(
        DataArray::new("Points", 3, ArrayData::F32(points)).unwrap(),
        cells,
        pd,
        cd,
    )
    .unwrap();
    let h5 = uncompressed_hdf5_of(dir.path(), &surface);
    let mapped = mapped_equals_copied(dir.path(), &h5, &["--xml-compression", "none"]);
    let back = read(&mapped, &ReadOptions::default()).unwrap();
    assert_eq!(back, DataSet::PolyData(surface));
}

/// SPEC 6's cell stream through HDF5 both ways: a quad/triangle surface of 59,401 cells gives one
/// `i4` stream dataset (about 1 MB uncompressed, so it is read from a mapping of the file), which
/// `inspect` shows with its cell count; mapped and `--no-map` reads give the same `.vtp` and the
/// surface that went in.
#[test]
fn mixed_cell_surfaces_round_trip_as_one_mapped_stream() {
    use vtk_model::{ArrayData, CellArray, DataArray, PolyCells};
    let dir = tempfile::tempdir().unwrap();
    let side = 200usize;
    let points: Vec<f32> = (0..side * side)
        .flat_map(|i| [(i % side) as f32, (i / side) as f32, 0.0])
        .collect();
    let mut cells = CellArray::empty();
    for y in 0..side - 1 {
        for x in 0..side - 1 {
            let p = (y * side + x) as i64;
            let s = side as i64;
            if (x + y) % 2 == 0 {
                cells.push_cell(&[p, p + 1, p + s + 1, p + s]);
            } else {
                cells.push_cell(&[p, p + 1, p + s + 1]);
                cells.push_cell(&[p, p + s + 1, p + s]);
            }
        }
    }
    let (n_cells, n_ids) = (cells.num_cells(), cells.connectivity().len());
    let cd = Attributes::from(vec![DataArray::new(
        "Region",
        1,
        ArrayData::I32((0..n_cells).map(|i| i as i32).collect()),
    )
    .unwrap()]);
    let points = DataArray::new("Points", 3, ArrayData::F32(points)).unwrap();
    let surface =
        PolyData::try_new(points, PolyCells::polys(cells), Attributes::new(), cd).unwrap();
    let h5 = uncompressed_hdf5_of(dir.path(), &surface);
    let r = arraydict(&["inspect", h5.to_str().unwrap()]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("/CellData/CellPointIds"))
        .unwrap_or_default()
        .to_string();
    assert!(
        line.contains(&format!("<i4 ({},)", n_cells + n_ids)),
        "{line}"
    );
    assert!(
        line.ends_with(&format!("cell stream of {n_cells} cells")),
        "{line}"
    );
    let mapped = mapped_equals_copied(dir.path(), &h5, &[]);
    assert_eq!(
        read(&mapped, &ReadOptions::default()).unwrap(),
        DataSet::PolyData(surface)
    );
}

/// A stored surface whose cell stream lies (a count running past the end, an id past /Points) is
/// refused by `validate` and `from-numpy`: exit 1, the path and the element offset named, no output.
#[test]
fn a_lying_cell_stream_is_refused_naming_the_element() {
    use arraydict::{Dict, NdArray};
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            vec![3i32, 0, 1, 2, 9, 0, 1],
            "element 4: a cell of 9 points runs past the end of the stream (7 values)",
        ),
        (
            vec![3i32, 0, 1, 2, 3, 0, 1, 7],
            "id 7 (element 7) is out of range, /Points has 4 rows",
        ),
    ];
    for (stream, expected) in cases {
        let mut cd = Dict::new();
        cd.insert("CellPointIds", NdArray::vector(stream));
        let mut tree = Dict::new();
        tree.insert("Points", NdArray::c(vec![0f32; 12], vec![4, 3]).unwrap());
        tree.insert("PointData", Dict::new());
        tree.insert("CellData", cd);
        let input = dir.path().join("bad.pickle");
        arraydict_store::write(&input, &tree, &arraydict_store::WriteOptions::default()).unwrap();
        let output = dir.path().join("bad.vtp");
        for args in [
            vec!["validate", input.to_str().unwrap()],
            vec![
                "from-numpy",
                input.to_str().unwrap(),
                "-o",
                output.to_str().unwrap(),
            ],
        ] {
            let r = arraydict(&args);
            assert_eq!(r.code, 1, "{args:?}: {r:?}");
            let said = format!("{}{}", r.stdout, r.stderr);
            assert!(
                said.contains(&format!("/CellData/CellPointIds: {expected}")),
                "{args:?}: {said}"
            );
        }
        assert!(!output.exists(), "nothing is written");
    }
}
