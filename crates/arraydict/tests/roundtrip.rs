//! Property tests: model -> `ArrayDict` -> model is the identity for every kind, dtype, component
//! count and cell mixture, and every tree we write passes `validate`.
// Compared floats are small integers or literals copied through unchanged, so exact equality is meant.
#![allow(clippy::float_cmp, clippy::unreadable_literal)]

mod common;

use arraydict::{detect_kind, from_arraydict, to_arraydict, validate, Kind, ToArrayDictOptions};
use proptest::prelude::*;
use vtk_model::DataSet;

fn round_trip(ds: &DataSet, kind: Kind, opts: &ToArrayDictOptions) -> Result<(), TestCaseError> {
    let tree =
        to_arraydict(ds.clone(), kind, opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Err(e) = validate(&tree, kind) {
        return Err(TestCaseError::fail(format!("{e}\n{tree:#?}")));
    }
    // Detection may name the data's natural kind instead of the requested one (polygons written as
    // centerlines); either way, reading with the detected kind is lossless too.
    let detected = detect_kind(&tree);
    prop_assert!(
        detected == Some(kind) || detected == Some(Kind::infer(ds)),
        "detected {detected:?}"
    );
    let back =
        from_arraydict(tree.clone(), kind).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, ds);
    if let Some(d) = detected.filter(|&d| d != kind) {
        let back = from_arraydict(tree, d).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, ds);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn surface_round_trip(pd in common::polydata()) {
        round_trip(&pd.into(), Kind::Surface, &ToArrayDictOptions::default())?;
    }

    /// Polydata without polygons and strips round-trips as centerlines; with them it is a surface,
    /// refused as centerlines.
    #[test]
    fn centerlines_round_trip(pd in common::polydata()) {
        let surface = !pd.cells().polys.is_empty() || !pd.cells().strips.is_empty();
        let ds = DataSet::from(pd);
        if surface {
            let e = to_arraydict(ds, Kind::Centerlines, &ToArrayDictOptions::default()).unwrap_err();
            prop_assert!(e.to_string().contains("it is a surface"), "{e}");
        } else {
            round_trip(&ds, Kind::Centerlines, &ToArrayDictOptions::default())?;
        }
    }

    #[test]
    fn image_round_trip(img in common::image_data()) {
        round_trip(&img.into(), Kind::Image, &ToArrayDictOptions::default())?;
    }

    #[test]
    fn mesh_round_trip(g in common::mesh(), as_list in any::<bool>(), names in any::<bool>()) {
        let opts = ToArrayDictOptions { cells_as_list: as_list, cell_types_as_strings: names, ..Default::default() };
        round_trip(&g.into(), Kind::Mesh, &opts)?;
    }

    #[test]
    fn cell_to_point_trees_validate(pd in common::polydata(), g in common::mesh()) {
        let opts = ToArrayDictOptions { cell_to_point: true, ..Default::default() };
        let as_centerlines = pd.cells().polys.is_empty() && pd.cells().strips.is_empty();
        for (ds, kind) in [(DataSet::from(pd.clone()), Kind::Surface), (pd.into(), Kind::Centerlines), (g.into(), Kind::Mesh)] {
            if kind == Kind::Centerlines && !as_centerlines {
                continue;
            }
            let tree = to_arraydict(ds, kind, &opts).unwrap();
            prop_assert!(validate(&tree, kind).is_ok(), "{:?}", validate(&tree, kind));
            prop_assert!(tree.at("/CellData").and_then(|n| n.as_dict()).is_none_or(|d| d.keys().all(|k| k == "CellPointIds")));
        }
    }
}
