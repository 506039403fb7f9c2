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
            PolyData::try_new(pts, cells, named(pd), named(cd)).unwrap().into()
        }
        DataSet::ImageData(i) => {
            let (e, o, s, d, pd, cd) = i.into_parts();
            ImageData::try_new(e, o, s, d, named(pd), named(cd)).unwrap().into()
        }
        DataSet::UnstructuredGrid(g) => {
            let (pts, cells, types, faces, pd, cd) = g.into_parts();
            UnstructuredGrid::try_new(pts, cells, types, faces, named(pd), named(cd)).unwrap().into()
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
    let original = read(input, &ReadOptions::default()).map_err(|e| format!("library read: {e}"))?;
    let expected = without_unnamed(original);
    let tree = dir.join(format!("t.{store_ext}"));
    let r = arraydict(&["to-numpy", input.to_str().unwrap(), "-o", tree.to_str().unwrap()]);
    if r.code != 0 {
        return Err(format!("to-numpy exit {}: {}", r.code, r.stderr));
    }
    let v = arraydict(&["validate", tree.to_str().unwrap()]);
    if v.code != 0 {
        return Err(format!("validate exit {}: {}{}", v.code, v.stdout, v.stderr));
    }
    let back = dir.join(format!("back.{}", vtk_ext(&expected)));
    let r = arraydict(&["from-numpy", tree.to_str().unwrap(), "-o", back.to_str().unwrap()]);
    if r.code != 0 {
        return Err(format!("from-numpy exit {}: {}", r.code, r.stderr));
    }
    let got = read(&back, &ReadOptions::default()).map_err(|e| format!("reading our output: {e}"))?;
    if got != expected {
        return Err(format!("round trip differs:\nexpected {expected:?}\ngot {got:?}")
            .chars()
            .take(3000)
            .collect());
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
    assert!(count > 600, "expected every fixture in 3 formats, ran {count}");
    assert!(failures.is_empty(), "{} of {count} round trips failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn inspect_json_lists_every_node_of_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let input = common::fixture("surface").unwrap();
    let tree = dir.path().join("s.hdf5");
    assert_eq!(arraydict(&["to-numpy", input.to_str().unwrap(), "-o", tree.to_str().unwrap()]).code, 0);
    for file in [input.as_path(), tree.as_path()] {
        let r = arraydict(&["inspect", file.to_str().unwrap(), "--json"]);
        assert_eq!(r.code, 0, "{r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("inspect --json prints JSON");
        let nodes = v.as_array().expect("an array of nodes");
        assert_eq!(nodes[0]["path"], "/");
        let points = nodes.iter().find(|n| n["path"] == "/Points").expect("/Points listed");
        assert_eq!(points["type"], "array");
        assert_eq!(points["shape"][1], 3);
        let cpi = nodes.iter().find(|n| n["path"] == "/CellData/CellPointIds").expect("/CellData/CellPointIds");
        assert_eq!(cpi["dtype"], "<i4");
        // every dict lists exactly the children that follow it
        for n in nodes.iter().filter(|n| n["type"] == "dict") {
            let p = n["path"].as_str().unwrap();
            for k in n["keys"].as_array().unwrap() {
                let child = if p == "/" { format!("/{}", k.as_str().unwrap()) } else { format!("{p}/{}", k.as_str().unwrap()) };
                assert!(nodes.iter().any(|m| m["path"] == child.as_str()), "{child} missing");
            }
        }
    }
}
