//! `validate` rejects broken trees with every problem, each line starting with its path; and the
//! serde derive round-trips a tree through JSON.
// Compared floats are small integers or literals copied through unchanged, so exact equality is meant.
#![allow(clippy::float_cmp, clippy::unreadable_literal)]

mod common;

use arraydict::{
    from_arraydict, to_arraydict, validate, ArrayDictError, Dict, Kind, NdArray, Node,
    ToArrayDictOptions,
};
use common::{arr, cells, image, points_f32, poly};
use vtk_model::{Attributes, CellArray, CellType, PolyCells, UnstructuredGrid};

fn problems(t: &Dict, kind: Kind) -> Vec<String> {
    match validate(t, kind) {
        Err(ArrayDictError::Invalid { kind: k, problems }) => {
            assert_eq!(k, kind);
            problems.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn surface() -> Dict {
    let pd = poly(
        points_f32(4),
        PolyCells::polys(cells(&[&[0, 1, 2], &[1, 2, 3]])),
        vec![arr("Radius", 1, vec![1f64; 4])],
        vec![arr("G", 1, vec![1i32, 2])],
    );
    to_arraydict(pd.into(), Kind::Surface, &ToArrayDictOptions::default()).unwrap()
}

fn set(t: &mut Dict, path: &str, node: impl Into<Node>) {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let mut d = t;
    for p in &parts[..parts.len() - 1] {
        let Some(Node::Dict(next)) = d.get_mut(p) else {
            panic!("{p}")
        };
        d = next;
    }
    d.insert(parts[parts.len() - 1], node);
}

#[test]
fn length_mismatch_names_both_paths() {
    let mut t = surface();
    set(&mut t, "/PointData/Radius", NdArray::vector(vec![0f64; 3]));
    assert_eq!(
        problems(&t, Kind::Surface),
        ["/PointData/Radius: 3 values, but /Points has 4 rows"]
    );
}

#[test]
fn every_problem_is_reported() {
    let mut t = surface();
    set(&mut t, "/PointData/Radius", NdArray::vector(vec![0f64; 3]));
    set(&mut t, "/CellData/G", NdArray::vector(vec![0i32; 5]));
    set(&mut t, "/Bogus", NdArray::vector(vec![0i32]));
    let p = problems(&t, Kind::Surface);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p.iter().any(|l| l.starts_with("/Bogus: unknown key")));
    assert!(p
        .iter()
        .any(|l| l == "/CellData/G: 5 values, but /CellData/CellPointIds has 2 cells"));
    let msg = from_arraydict(t, Kind::Surface).unwrap_err().to_string();
    assert!(msg.starts_with("invalid surface tree:\n/"), "{msg}");
}

#[test]
fn missing_required_keys() {
    let mut t = surface();
    t.remove("Points");
    assert_eq!(problems(&t, Kind::Surface), ["/Points: missing"]);
    let mut t = surface();
    let Some(Node::Dict(cd)) = t.get_mut("CellData") else {
        panic!()
    };
    cd.remove("CellPointIds");
    assert_eq!(
        problems(&t, Kind::Surface),
        ["/CellData/CellPointIds: missing"]
    );
    assert!(problems(&Dict::new(), Kind::Image).len() >= 3);
    assert_eq!(
        problems(&Dict::new(), Kind::Mesh),
        ["/Points: missing", "/Cells: missing"]
    );
}

#[test]
fn float_ids_and_out_of_range_ids() {
    let mut t = surface();
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::c(vec![0f32, 1.0, 2.0, 1.0, 2.0, 3.0], vec![2, 3]).unwrap(),
    );
    assert_eq!(
        problems(&t, Kind::Surface),
        ["/CellData/CellPointIds: ids must have an integer dtype, found <f4"]
    );
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::c(vec![0u8, 1, 2, 1, 2, 4], vec![2, 3]).unwrap(),
    );
    assert_eq!(
        problems(&t, Kind::Surface),
        ["/CellData/CellPointIds: id 4 (element 5) is out of range, /Points has 4 rows"]
    );
    set(
        &mut t,
        "/CellData/CellPointIds",
        vec![NdArray::vector(vec![0i32, 1]), NdArray::vector(vec![-1i32])],
    );
    // A list is centerlines' form (as a surface it is refused, see tests/declared_kind.rs).
    assert_eq!(
        problems(&t, Kind::Centerlines),
        ["/CellData/CellPointIds/1: id -1 (element 0) is out of range, /Points has 4 rows"]
    );
}

/// SPEC 6's 1-D cell stream: each malformation is one problem naming the path and the element
/// offset -- a negative count, a cell running past the end (also a count near `i64::MAX`, which must
/// neither allocate nor overflow), an id outside `/Points`, a float dtype, a cell array whose length
/// is not the stream's cell count -- and conversion refuses it instead of panicking.
#[test]
fn cell_stream_problems_name_the_element() {
    let cases: [(NdArray, &str); 7] = [
        (
            NdArray::vector(vec![3i32, 0, 1, 2, -1, 0]),
            "/CellData/CellPointIds: element 4: point count -1 is negative",
        ),
        (
            NdArray::vector(vec![3i32, 0, 1, 2, 4, 0, 1]),
            "/CellData/CellPointIds: element 4: a cell of 4 points runs past the end of the stream (7 values)",
        ),
        (
            NdArray::vector(vec![3i64, 0, 1, 2, i64::MAX, 0]),
            &format!(
                "/CellData/CellPointIds: element 4: a cell of {} points runs past the end of the stream (6 values)",
                i64::MAX
            ),
        ),
        (
            NdArray::vector(vec![3u64, 0, 1, 2, u64::MAX, 0]),
            &format!(
                "/CellData/CellPointIds: element 4: a cell of {} points runs past the end of the stream (6 values)",
                u64::MAX
            ),
        ),
        (
            NdArray::vector(vec![3i16, 0, 1, 2, 2, 3, 4]),
            "/CellData/CellPointIds: id 4 (element 6) is out of range, /Points has 4 rows",
        ),
        (
            NdArray::vector(vec![3i32, 0, 1, 2, 2, -3, 1]),
            "/CellData/CellPointIds: id -3 (element 5) is out of range, /Points has 4 rows",
        ),
        (
            NdArray::vector(vec![3f64, 0.0, 1.0, 2.0]),
            "/CellData/CellPointIds: ids must have an integer dtype, found <f8",
        ),
    ];
    for (stream, expected) in cases {
        let mut t = surface();
        set(&mut t, "/CellData/CellPointIds", stream);
        assert_eq!(problems(&t, Kind::Surface), [expected]);
        let e = from_arraydict(t, Kind::Surface).unwrap_err().to_string();
        assert!(e.contains(expected), "{e}");
    }
    // Two cells in the stream, but /CellData/G has 2 values: fine; 3 cells: named.
    let mut t = surface();
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::vector(vec![3i32, 0, 1, 2, 4, 0, 1, 2, 3]),
    );
    validate(&t, Kind::Surface).unwrap();
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::vector(vec![3i32, 0, 1, 2, 1, 3, 2, 0, 1]),
    );
    assert_eq!(
        problems(&t, Kind::Surface),
        ["/CellData/G: 2 values, but /CellData/CellPointIds has 3 cells"]
    );
    // An empty stream is a surface without cells.
    let mut t = surface();
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::vector(Vec::<i32>::new()),
    );
    set(&mut t, "/CellData/G", NdArray::vector(Vec::<i32>::new()));
    validate(&t, Kind::Surface).unwrap();
    // Without /Points the ids cannot be range-checked, but a negative one is still found.
    let mut t = surface();
    t.remove("Points");
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::vector(vec![3i64, 0, 1, 2, 3, 0, -2, 1]),
    );
    assert_eq!(
        problems(&t, Kind::Surface),
        [
            "/Points: missing",
            "/CellData/CellPointIds: id -2 (element 6) is negative"
        ]
    );
    // Three dimensions are neither form.
    let mut t = surface();
    set(
        &mut t,
        "/CellData/CellPointIds",
        NdArray::c(vec![0i32; 8], vec![2, 2, 2]).unwrap(),
    );
    let p = problems(&t, Kind::Surface);
    assert!(
        p[0].starts_with(
            "/CellData/CellPointIds: shape (2, 2, 2), expected (nCells, P), a 1-D cell stream"
        ),
        "{p:?}"
    );
}

#[test]
fn list_where_array_belongs_and_vice_versa() {
    let mut t = surface();
    set(
        &mut t,
        "/PointData/Radius",
        vec![NdArray::vector(vec![0f64; 4])],
    );
    set(&mut t, "/Points", Dict::new());
    let p = problems(&t, Kind::Surface);
    assert!(
        p.contains(&"/PointData/Radius: expected an array, found a list".to_string()),
        "{p:?}"
    );
    assert!(
        p.contains(&"/Points: expected an array, found a dict".to_string()),
        "{p:?}"
    );
    let mut t = surface();
    set(&mut t, "/CellData", NdArray::vector(vec![0i32]));
    assert_eq!(
        problems(&t, Kind::Surface),
        ["/CellData: expected a dict, found a array"]
    );
}

#[test]
fn bad_shapes() {
    let mut t = surface();
    set(
        &mut t,
        "/Points",
        NdArray::c(vec![0f32; 8], vec![4, 2]).unwrap(),
    );
    set(
        &mut t,
        "/PointData/Radius",
        NdArray::c(vec![0f32; 16], vec![4, 2, 2]).unwrap(),
    );
    let p = problems(&t, Kind::Surface);
    assert!(
        p.contains(&"/Points: shape (4, 2), expected (n, 3)".to_string()),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|l| l.starts_with("/PointData/Radius: shape (4, 2, 2), expected")),
        "{p:?}"
    );
}

#[test]
fn image_shape_must_match_dimensions() {
    let mut t = to_arraydict(
        image([3, 2, 2], vec![arr("v", 1, vec![0u8; 12])]).into(),
        Kind::Image,
        &ToArrayDictOptions::default(),
    )
    .unwrap();
    set(
        &mut t,
        "/PointData/v",
        NdArray::c(vec![0u8; 12], vec![2, 3, 2]).unwrap(),
    );
    set(&mut t, "/Dimensions", NdArray::vector(vec![3i64, 2, 2]));
    set(&mut t, "/Direction", NdArray::vector(vec![1f64; 9]));
    let p = problems(&t, Kind::Image);
    assert!(
        p.iter()
            .any(|l| l.starts_with("/PointData/v: shape (2, 3, 2), expected (3, 2, 2)")),
        "{p:?}"
    );
    assert!(
        p.contains(&"/Direction: shape (9,), expected (3, 3)".to_string()),
        "{p:?}"
    );
    set(
        &mut t,
        "/Dimensions",
        NdArray::vector(vec![3.0f64, 2.0, 2.0]),
    );
    assert!(problems(&t, Kind::Image)
        .iter()
        .any(|l| l.starts_with("/Dimensions: <f8 (3,), expected an integer array")));
}

#[test]
fn mesh_problems() {
    let g = UnstructuredGrid::try_new(
        points_f32(4),
        CellArray::from_legacy(&[4, 0, 1, 2, 3]).unwrap(),
        vec![CellType::TETRA],
        None,
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let good = to_arraydict(g.into(), Kind::Mesh, &ToArrayDictOptions::default()).unwrap();
    let mut t = good.clone();
    set(
        &mut t,
        "/Cells/CellPointIds",
        NdArray::vector(vec![4i64, 0, 1, 2]),
    );
    assert!(problems(&t, Kind::Mesh).iter().any(|l| l
        .starts_with("/Cells/CellPointIds: cells: legacy cell stream is malformed at position 0")));
    let mut t = good.clone();
    set(
        &mut t,
        "/Cells/CellPointIds",
        NdArray::vector(vec![3i64, 0, 1, 2]),
    );
    set(&mut t, "/Cells/CellLocations", NdArray::vector(vec![0i64]));
    assert!(problems(&t, Kind::Mesh).contains(
        &"/Cells/CellPointIds: cell 0 is a vtkTetra with 3 points, expected 4".to_string()
    ));
    let mut t = good.clone();
    set(&mut t, "/Cells/CellTypes", NdArray::vector(vec![10u8, 10]));
    assert!(problems(&t, Kind::Mesh)
        .contains(&"/Cells/CellPointIds: 1 cells, but /Cells/CellTypes has 2 entries".to_string()));
    let mut t = good;
    set(
        &mut t,
        "/Cells/CellTypesAsStrings/vtkTetra",
        NdArray::vector(vec![12u8]),
    );
    assert_eq!(
        problems(&t, Kind::Mesh),
        ["/Cells/CellTypesAsStrings/vtkTetra: expected array([10])"]
    );
}

/// Mesh streams are checked where they lie, in any integer dtype; an id out of range is named by
/// its index in the count-free connectivity, as for every other id array.
#[test]
fn mesh_stream_ids_and_counts_in_any_dtype() {
    let g = UnstructuredGrid::try_new(
        points_f32(4),
        CellArray::from_legacy(&[3, 0, 1, 2, 3, 1, 2, 3]).unwrap(),
        vec![CellType::TRIANGLE, CellType::TRIANGLE],
        None,
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let good = to_arraydict(g.clone().into(), Kind::Mesh, &ToArrayDictOptions::default()).unwrap();
    let mut t = good.clone();
    set(
        &mut t,
        "/Cells/CellPointIds",
        NdArray::vector(vec![3i32, 0, 1, 2, 3, 1, 4, 3]),
    );
    assert_eq!(
        problems(&t, Kind::Mesh),
        ["/Cells/CellPointIds: id 4 (element 4) is out of range, /Points has 4 rows"]
    );
    let mut t = good.clone();
    set(
        &mut t,
        "/Cells/CellPointIds",
        NdArray::vector(vec![3u8, 0, 1, 2, 3, 1, 2, 3]),
    );
    validate(&t, Kind::Mesh).unwrap();
    // An int32 stream converts to the same mesh as the int64 one.
    assert_eq!(from_arraydict(t, Kind::Mesh).unwrap(), g.clone().into());
    let mut t = good;
    set(
        &mut t,
        "/Cells/CellPointIds",
        NdArray::vector(vec![3i16, 0, 1, 2, -3, 1, 2, 3]),
    );
    assert!(problems(&t, Kind::Mesh).iter().any(|l| l.starts_with(
        "/Cells/CellPointIds: cells: legacy cell stream is malformed at position 4: negative point count -3"
    )));
}

#[test]
fn kind_counts_must_add_up() {
    let mut t = surface();
    set(
        &mut t,
        "/CellKindCounts",
        NdArray::vector(vec![0i64, 1, 0, 0]),
    );
    assert_eq!(problems(&t, Kind::Surface), ["/CellKindCounts: counts [0, 1, 0, 0] add up to 1, but /CellData/CellPointIds has 2 cells"]);
}

#[test]
fn kind_names_parse_and_print() {
    for k in Kind::ALL {
        assert_eq!(k.to_string().parse::<Kind>().unwrap(), k);
    }
    assert_eq!("centerlines".parse::<Kind>().unwrap(), Kind::Centerlines);
    assert!("Surface".parse::<Kind>().is_err());
}

#[test]
fn serde_json_round_trip() {
    let t = surface();
    let json = serde_json::to_string(&t).unwrap();
    let back: Dict = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    let img = to_arraydict(
        image([2, 2, 2], vec![arr("T", 9, vec![1f32; 72])]).into(),
        Kind::Image,
        &ToArrayDictOptions::default(),
    )
    .unwrap();
    let back: Dict = serde_json::from_str(&serde_json::to_string(&img).unwrap()).unwrap();
    assert_eq!(back, img);
    let opts: ToArrayDictOptions =
        serde_json::from_str(&serde_json::to_string(&ToArrayDictOptions::default()).unwrap())
            .unwrap();
    assert_eq!(opts, ToArrayDictOptions::default());
}
