//! Reading the real VMTK `.vtp` files (skipped when ../shared is absent).

use std::path::PathBuf;

use vtk_formats::xml;
use vtk_formats::ReadOptions;
use vtk_model::{DType, DataSet, PolyData};

fn real(name: &str) -> Option<PolyData> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-vmtk")
        .join(name);
    if !path.exists() {
        eprintln!(
            "SKIPPED: {name} not found at {} (../shared absent)",
            path.display()
        );
        return None;
    }
    match xml::read(&path, &ReadOptions::default()) {
        Ok(DataSet::PolyData(p)) => Some(p),
        other => panic!("{name}: {other:?}"),
    }
}

fn check_array(p: &vtk_model::Attributes, name: &str, dtype: DType, comps: usize, tuples: usize) {
    let a = p
        .get(name)
        .unwrap_or_else(|| panic!("missing array {name}"));
    assert_eq!(
        (a.dtype(), a.components(), a.tuples()),
        (dtype, comps, tuples),
        "{name}"
    );
}

#[test]
fn aorta_surface() {
    let Some(p) = real("aorta-surface.vtp") else {
        return;
    };
    assert_eq!(p.num_points(), 6468);
    assert_eq!(p.cells().polys.num_cells(), 12932);
    assert_eq!(p.cells().polys.uniform_size(), Some(3));
    assert_eq!(p.points().dtype(), DType::F32);
    let names: Vec<&str> = p
        .point_data()
        .iter()
        .map(vtk_model::DataArray::name)
        .collect();
    assert_eq!(names, ["Scalars_", "Normals_"]);
    check_array(p.point_data(), "Scalars_", DType::F32, 1, 6468);
    check_array(p.point_data(), "Normals_", DType::F32, 3, 6468);
    let (lo, hi) = p
        .point_data()
        .get("Normals_")
        .unwrap()
        .data()
        .min_max()
        .unwrap();
    assert!(
        lo >= -1.0001 && hi <= 1.0001 && hi > 0.99,
        "normals range {lo}..{hi}"
    );
}

#[test]
fn aorta_centerlines() {
    let Some(p) = real("aorta-centerline-branches.vtp") else {
        return;
    };
    assert_eq!(p.num_points(), 417);
    assert_eq!(p.cells().lines.num_cells(), 6);
    check_array(
        p.point_data(),
        "MaximumInscribedSphereRadius",
        DType::F64,
        1,
        417,
    );
    check_array(p.point_data(), "EdgeArray", DType::I32, 2, 417);
    check_array(p.point_data(), "EdgePCoordArray", DType::F64, 1, 417);
    for name in ["CenterlineIds", "TractIds", "Blanking", "GroupIds"] {
        check_array(p.cell_data(), name, DType::I32, 1, 6);
    }
    let (lo, hi) = p
        .point_data()
        .get("MaximumInscribedSphereRadius")
        .unwrap()
        .data()
        .min_max()
        .unwrap();
    assert!(
        (lo - 2.775_868_085_2).abs() < 1e-9 && (hi - 7.578_021_852_1).abs() < 1e-9,
        "{lo} {hi}"
    );
}

#[test]
fn cow_mixed_polygons() {
    let Some(p) = real("cow.vtp") else { return };
    assert_eq!(p.num_points(), 2903);
    assert_eq!(p.cells().polys.num_cells(), 3263);
    assert_eq!(
        p.cells().polys.uniform_size(),
        None,
        "cow.vtp mixes triangles, quads and polygons"
    );
}
