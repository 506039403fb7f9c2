//! Trees whose arrays disagree with each other or hold cell types VTK does not define (issue 17
//! section 4), written in every store format (HDF5 included, which the hostile corpus cannot craft
//! without h5py): `from-numpy` and `validate` must exit 1 naming the file and the key, and write
//! nothing.

mod common;

use std::path::Path;

use arraydict::{to_arraydict, Dict, Kind, NdArray, Node, ToArrayDictOptions};
use arraydict_store::{StoreFormat, WriteOptions};
use common::{arraydict, workspace};

const FORMATS: &[(StoreFormat, &str)] = &[
    (StoreFormat::Hdf5, "hdf5"),
    (StoreFormat::Pickle, "pickle"),
    (StoreFormat::MessagePack, "msgpack"),
];

fn tree_of(fixture: &str, kind: Kind) -> Dict {
    let ds = vtk_formats::read(
        &workspace().join("fixtures").join(fixture),
        &vtk_formats::ReadOptions::default(),
    )
    .expect("read fixture");
    to_arraydict(ds, kind, &ToArrayDictOptions::default()).expect("fixture converts")
}

fn sub_dict<'a>(tree: &'a mut Dict, key: &str) -> &'a mut Dict {
    match tree.get_mut(key) {
        Some(Node::Dict(d)) => d,
        other => panic!("/{key} is not a dict: {other:?}"),
    }
}

/// Writes `tree` in every store format and checks that both commands refuse each file.
fn assert_refused(tree: &Dict, expected: &str) {
    let dir = tempfile::tempdir().expect("scratch dir");
    for (format, ext) in FORMATS {
        let input = dir.path().join(format!("lying.{ext}"));
        let opts = WriteOptions {
            format: Some(*format),
            ..WriteOptions::default()
        };
        arraydict_store::write(&input, tree, &opts).expect("the store writes any tree");
        let out = dir.path().join("out.vtu");
        let input_s = input.to_str().expect("utf-8 temp path");
        for args in [
            vec![
                "from-numpy",
                input_s,
                "-o",
                out.to_str().expect("utf-8 temp path"),
            ],
            vec!["validate", input_s],
        ] {
            let run = arraydict(&args);
            assert_eq!(run.code, 1, "{args:?}: {run:?}");
            // `validate` reports its findings on stdout, errors go to stderr.
            let said = format!("{}{}", run.stdout, run.stderr);
            assert!(
                said.contains(input_s),
                "{args:?} does not name the file: {said}"
            );
            assert!(
                said.contains(expected),
                "{args:?} lacks {expected:?}: {said}"
            );
            assert!(!said.contains("panicked"), "{args:?}: {said}");
            assert!(!Path::new(&out).exists(), "{args:?} left an output");
        }
    }
}

#[test]
fn mesh_trees_with_cell_types_vtk_does_not_define_are_refused() {
    for id in [17u8, 138, 200, 255] {
        let mut tree = tree_of("mesh/mesh.ascii.id64.vtu", Kind::Mesh);
        // The fixture's types are [12, 13, 14, 10, 5, 9, 10]; cell 4 (a triangle) gets `id`.
        sub_dict(&mut tree, "Cells").insert(
            "CellTypes",
            NdArray::vector(vec![12u8, 13, 14, 10, id, 9, 10]),
        );
        assert_refused(
            &tree,
            &format!("/Cells/CellTypes: element 4 is {id}, which is not a VTK cell type id"),
        );
    }
}

#[test]
fn surface_trees_whose_point_arrays_disagree_with_the_points_are_refused() {
    let mut tree = tree_of(
        "surface/surface.appended-raw.zlib.h64.id64.vtp",
        Kind::Surface,
    );
    sub_dict(&mut tree, "PointData").insert("Scalars_", NdArray::vector(vec![0.5f32; 161]));
    assert_refused(
        &tree,
        "/PointData/Scalars_: 161 values, but /Points has 162 rows",
    );
}
