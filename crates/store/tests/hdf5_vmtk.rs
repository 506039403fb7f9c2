//! Reading the HDF5 files VMTK 1.5.2 (h5py) wrote from the real test data.

use std::path::PathBuf;

use arraydict::{DType, Dict, NdArray};
use arraydict_store::{read, ReadOptions};

fn vmtk_output(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-vmtk/vmtk-output")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {name} (../shared absent)");
        None
    }
}

fn check(tree: &Dict, path: &str, dtype: DType, shape: &[usize]) {
    let a = tree.array_at(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((a.dtype(), a.shape()), (dtype, shape), "{path}");
}

#[test]
fn reads_vmtk_surface() {
    let Some(p) = vmtk_output("aorta_surface.hdf5") else {
        return;
    };
    let t = read(&p, &ReadOptions::default()).unwrap();
    // h5py default groups: alphabetical.
    assert_eq!(
        t.keys().collect::<Vec<_>>(),
        ["CellData", "PointData", "Points"]
    );
    check(&t, "/Points", DType::F32, &[6468, 3]);
    check(&t, "/PointData/Scalars_", DType::F32, &[6468]);
    check(&t, "/PointData/Normals_", DType::F32, &[6468, 3]);
    check(&t, "/CellData/CellPointIds", DType::I32, &[12932, 3]);
    let ids = t.array_at("/CellData/CellPointIds").unwrap();
    let arraydict::ArrayData::I32(v) = ids.data() else {
        panic!("i4 data")
    };
    assert_eq!(
        (v.iter().min(), v.iter().max()),
        (Some(&0), Some(&6467)),
        "cell point ids index all points"
    );
    // Normals are unit vectors: decoding garbage would not give that.
    let n = t.array_at("/PointData/Normals_").unwrap();
    let len2: f64 = (0..3).map(|k| n.get_f64(&[100, k]).powi(2)).sum();
    assert!((len2 - 1.0).abs() < 1e-4, "{len2}");
    // The uncompressed variant (contiguous datasets) holds the same tree.
    if let Some(u) = vmtk_output("aorta_surface_uncompressed.hdf5") {
        assert_eq!(read(&u, &ReadOptions::default()).unwrap(), t);
    }
}

#[test]
fn reads_vmtk_centerline_list_in_numeric_order() {
    let Some(p) = vmtk_output("aorta_centerline_branches.hdf5") else {
        return;
    };
    let t = read(&p, &ReadOptions::default()).unwrap();
    let list = t
        .at("/CellData/CellPointIds")
        .and_then(|n| n.as_list())
        .expect("CellPointIds is a list");
    let lens: Vec<usize> = list.iter().map(NdArray::len).collect();
    assert_eq!(lens, [78, 21, 116, 73, 26, 103]);
    assert!(list
        .iter()
        .all(|a| a.dtype() == DType::I32 && a.ndim() == 1));
    check(&t, "/Points", DType::F32, &[417, 3]);
    check(
        &t,
        "/PointData/MaximumInscribedSphereRadius",
        DType::F64,
        &[417],
    );
    check(&t, "/PointData/EdgeArray", DType::I32, &[417, 2]);
    check(&t, "/CellData/GroupIds", DType::I32, &[6]);
}

#[test]
fn reads_vmtk_image_in_c_order() {
    let Some(p) = vmtk_output("aorta.hdf5") else {
        return;
    };
    let t = read(&p, &ReadOptions::default()).unwrap();
    check(&t, "/PointData/MetaImage", DType::F32, &[157, 393, 34]);
    check(&t, "/Dimensions", DType::I64, &[3]);
    let dims = t.array_at("/Dimensions").unwrap();
    assert_eq!(
        (0..3).map(|i| dims.get_f64(&[i])).collect::<Vec<_>>(),
        [157.0, 393.0, 34.0]
    );
    check(&t, "/Origin", DType::F64, &[3]);
    check(&t, "/Spacing", DType::F64, &[3]);
}
