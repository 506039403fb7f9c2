//! The pickles VMTK 1.5.2 (numpy 2.4, protocol 5, `vividict`) wrote from the real test data read
//! into the trees SPEC sections 3-5 describe. Expected values are what Python's `pickle.load`
//! gives for the same files.

// Exact float comparisons are intended (values must round-trip bit for bit); the rest is test style.
#![allow(
    clippy::float_cmp,
    clippy::cast_lossless,
    clippy::unnested_or_patterns,
    clippy::doc_markdown,
    clippy::redundant_closure_for_method_calls
)]

use std::path::PathBuf;

use arraydict::{DType, Dict, MemoryOrder, Node};
use arraydict_store::pickle::{read_bytes, write_to, PickleLimits, PickleWriteOptions};

fn load(name: &str) -> Option<Dict> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-vmtk/vmtk-output")
        .join(name);
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("SKIPPED: {} (../shared absent)", path.display());
        return None;
    };
    Some(read_bytes(&bytes, &path, &PickleLimits::default()).unwrap_or_else(|e| panic!("{e}")))
}

fn keys(d: &Dict) -> Vec<&str> {
    d.keys().collect()
}

fn dict<'a>(d: &'a Dict, path: &str) -> &'a Dict {
    d.at(path)
        .and_then(Node::as_dict)
        .unwrap_or_else(|| panic!("{path} is not a dict"))
}

#[test]
fn aorta_image_is_fortran_ordered() {
    let Some(t) = load("aorta.pickle") else {
        return;
    };
    assert_eq!(keys(&t), ["Origin", "Dimensions", "Spacing", "PointData"]);
    let img = t.array_at("/PointData/MetaImage").unwrap();
    assert_eq!(img.dtype(), DType::F32);
    assert_eq!(img.shape(), &[157, 393, 34]);
    assert_eq!(img.order(), &MemoryOrder::F);
    assert_eq!(img.get_f64(&[0, 0, 0]), f64::from(385.836f32));
    assert_eq!(img.get_f64(&[156, 392, 33]), f64::from(28.082_998f32));
    assert_eq!(img.get_f64(&[10, 20, 5]), f64::from(284.492_98f32));
    assert_eq!(img.get_f64(&[100, 3, 30]), f64::from(330.891f32));
    let sum: f64 = img.data().to_f64_vec().iter().sum();
    assert!((sum - 593_110_274.239_505_8).abs() < 1e-3, "{sum}");
    let origin = t.array_at("/Origin").unwrap();
    assert_eq!(origin.data().to_f64_vec(), [-156.445, -24.6094, 0.0]);
    assert_eq!(
        t.array_at("/Dimensions").unwrap().data().to_f64_vec(),
        [157.0, 393.0, 34.0]
    );
    assert_eq!(t.array_at("/Dimensions").unwrap().dtype(), DType::I64);
}

#[test]
fn aorta_surface() {
    let Some(t) = load("aorta_surface.pickle") else {
        return;
    };
    assert_eq!(keys(&t), ["Points", "PointData", "CellData"]);
    let p = t.array_at("/Points").unwrap();
    assert_eq!((p.dtype(), p.shape()), (DType::F32, &[6468usize, 3][..]));
    assert_eq!(p.get_f64(&[0, 0]), 219.726_226_806_640_62);
    assert_eq!(p.get_f64(&[6467, 2]), 34.673_610_687_255_86);
    assert_eq!(keys(dict(&t, "/PointData")), ["Scalars_", "Normals_"]);
    assert_eq!(t.array_at("/PointData/Scalars_").unwrap().shape(), &[6468]);
    assert_eq!(
        t.array_at("/PointData/Normals_").unwrap().get_f64(&[5, 2]),
        0.936_801_791_191_101_1
    );
    let ids = t.array_at("/CellData/CellPointIds").unwrap();
    assert_eq!(
        (ids.dtype(), ids.shape()),
        (DType::I32, &[12932usize, 3][..])
    );
    assert_eq!(
        [
            ids.get_f64(&[12931, 0]),
            ids.get_f64(&[12931, 1]),
            ids.get_f64(&[12931, 2])
        ],
        [6401.0, 6467.0, 6409.0]
    );
}

#[test]
fn aorta_centerlines_have_a_list_of_cells() {
    let Some(t) = load("aorta_centerline_branches.pickle") else {
        return;
    };
    assert_eq!(keys(&t), ["CellData", "Points", "PointData"]);
    assert_eq!(
        keys(dict(&t, "/CellData")),
        [
            "CenterlineIds",
            "TractIds",
            "Blanking",
            "GroupIds",
            "CellPointIds"
        ]
    );
    let cells = t
        .at("/CellData/CellPointIds")
        .and_then(Node::as_list)
        .unwrap();
    assert_eq!(
        cells.iter().map(|a| a.len()).collect::<Vec<_>>(),
        [78, 21, 116, 73, 26, 103]
    );
    assert!(cells
        .iter()
        .all(|a| a.dtype() == DType::I32 && a.ndim() == 1));
    assert_eq!(cells[2].get_f64(&[115]), 214.0);
    assert_eq!(
        t.array_at("/PointData/MaximumInscribedSphereRadius")
            .unwrap()
            .get_f64(&[100]),
        5.223_524_793_396_734
    );
    assert_eq!(
        t.array_at("/PointData/EdgeArray").unwrap().shape(),
        &[417, 2]
    );
}

#[test]
fn real_trees_survive_our_writer_at_every_protocol() {
    for name in [
        "aorta.pickle",
        "aorta_surface.pickle",
        "aorta_centerline_branches.pickle",
    ] {
        let Some(t) = load(name) else { return };
        for protocol in [2, 3, 4, 5] {
            let mut out = Vec::new();
            write_to(
                &mut out,
                &t,
                &PickleWriteOptions { protocol },
                name.as_ref(),
            )
            .unwrap();
            let back = read_bytes(&out, name.as_ref(), &PickleLimits::default()).unwrap();
            assert_eq!(back, t, "{name} protocol {protocol}");
        }
    }
}
