//! A tree whose shape is another kind's is refused with one problem naming the kind it looks like
//! (issue 19): surface triangles declared centerlines, polylines declared a surface, images and
//! meshes declared as anything else; and the trees that fit both polydata kinds stay accepted.

mod common;

use arraydict::{
    detect_kind, from_arraydict, to_arraydict, validate, ArrayDictError, Dict, Kind, NdArray, Node,
    ToArrayDictOptions,
};
use common::{arr, cells, image, points_f32, poly};
use vtk_model::{CellArray, PolyCells};

fn tree(cells: PolyCells, kind: Kind) -> Dict {
    let n = cells.verts.num_cells()
        + cells.lines.num_cells()
        + cells.polys.num_cells()
        + cells.strips.num_cells();
    let pd = poly(
        points_f32(5),
        cells,
        vec![],
        vec![arr("G", 1, vec![1i32; n])],
    );
    to_arraydict(pd.into(), kind, &ToArrayDictOptions::default()).unwrap()
}

fn triangles() -> Dict {
    tree(
        PolyCells::polys(cells(&[&[0, 1, 2], &[1, 2, 3], &[2, 3, 4]])),
        Kind::Surface,
    )
}

fn polylines() -> Dict {
    tree(
        PolyCells::lines(cells(&[&[0, 1, 2, 3], &[3, 4]])),
        Kind::Centerlines,
    )
}

/// The one problem of `validate(t, declared)`, as printed.
fn refusal(t: &Dict, declared: Kind) -> String {
    match validate(t, declared) {
        Err(ArrayDictError::Invalid { kind, problems }) => {
            assert_eq!(kind, declared);
            assert_eq!(problems.len(), 1, "{problems:?}");
            problems[0].to_string()
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn surface_triangles_are_not_centerlines() {
    let t = triangles();
    validate(&t, Kind::Surface).unwrap();
    let p = refusal(&t, Kind::Centerlines);
    assert!(
        p.starts_with("/CellData/CellPointIds: declared centerlines, but the tree looks like a surface: /CellData/CellPointIds is a (3, 3) array"),
        "{p}"
    );
    // The conversion refuses it too, instead of making three lines.
    let e = from_arraydict(t, Kind::Centerlines)
        .unwrap_err()
        .to_string();
    assert!(e.contains("looks like a surface"), "{e}");
}

#[test]
fn a_mixed_surface_stream_is_not_centerlines() {
    let t = tree(
        PolyCells::polys(cells(&[&[0, 1, 2], &[1, 2, 3, 4]])),
        Kind::Surface,
    );
    assert_eq!(t.array_at("/CellData/CellPointIds").unwrap().ndim(), 1);
    validate(&t, Kind::Surface).unwrap();
    let p = refusal(&t, Kind::Centerlines);
    assert!(p.contains("1-D cell stream"), "{p}");
    assert!(p.contains("up to 4 points"), "{p}");
}

#[test]
fn centerlines_are_not_a_surface() {
    let t = polylines();
    validate(&t, Kind::Centerlines).unwrap();
    let p = refusal(&t, Kind::Surface);
    assert!(
        p.starts_with("/CellData/CellPointIds: declared surface, but the tree looks like centerlines: /CellData/CellPointIds is a list of 2 arrays"),
        "{p}"
    );
    let e = from_arraydict(t, Kind::Surface).unwrap_err().to_string();
    assert!(e.contains("looks like centerlines"), "{e}");
}

/// `/CellKindCounts` says what the cells are whatever their form: polygons are never
/// centerlines, lines may be a surface's (a surface that holds only lines).
#[test]
fn kind_counts_decide_between_surface_and_centerlines() {
    let mut t = polylines();
    t.insert("CellKindCounts", NdArray::vector(vec![0i64, 2, 0, 0]));
    validate(&t, Kind::Surface).unwrap();
    validate(&t, Kind::Centerlines).unwrap();
    let lines_surface = tree(
        PolyCells::lines(cells(&[&[0, 1, 2], &[2, 3, 4]])),
        Kind::Surface,
    );
    assert!(lines_surface.contains_key("CellKindCounts"));
    validate(&lines_surface, Kind::Surface).unwrap();
    validate(&lines_surface, Kind::Centerlines).unwrap();
    let mut t = triangles();
    t.insert("CellKindCounts", NdArray::vector(vec![0i64, 0, 2, 1]));
    let p = refusal(&t, Kind::Centerlines);
    assert_eq!(p, "/CellKindCounts: declared centerlines, but the tree looks like a surface: /CellKindCounts counts 2 polygons and 1 strips, and centerlines are polylines");
}

/// Rows of one or two ids (vertices, segments) and empty cell lists fit both kinds.
#[test]
fn segments_and_empty_cells_fit_both() {
    let mut segments = triangles();
    let Some(Node::Dict(cd)) = segments.get_mut("CellData") else {
        panic!("CellData")
    };
    cd.insert(
        "CellPointIds",
        NdArray::c(vec![0i32, 1, 1, 2, 3, 4], vec![3, 2]).unwrap(),
    );
    let empty = tree(PolyCells::lines(CellArray::empty()), Kind::Centerlines);
    for t in [segments, empty] {
        validate(&t, Kind::Surface).unwrap();
        validate(&t, Kind::Centerlines).unwrap();
    }
}

#[test]
fn images_meshes_and_polydata_name_their_kind() {
    let img = to_arraydict(
        image([2, 2, 2], vec![arr("T", 1, vec![1f32; 8])]).into(),
        Kind::Image,
        &ToArrayDictOptions::default(),
    )
    .unwrap();
    for declared in [Kind::Surface, Kind::Centerlines, Kind::Mesh] {
        let p = refusal(&img, declared);
        assert_eq!(
            p,
            format!("/: declared {declared}, but the tree looks like an image: it has Dimensions, Origin, Spacing")
        );
    }
    let mut mesh = Dict::new();
    mesh.insert("Points", NdArray::c(vec![0f64; 3], vec![1, 3]).unwrap());
    mesh.insert("Cells", Dict::new());
    let p = refusal(&mesh, Kind::Surface);
    assert_eq!(
        p,
        "/Cells: declared surface, but the tree looks like a mesh: it has /Cells (a mesh's cells)"
    );
    let p = refusal(&triangles(), Kind::Mesh);
    assert!(
        p.contains("declared mesh, but the tree looks like a surface"),
        "{p}"
    );
    let p = refusal(&polylines(), Kind::Image);
    assert!(
        p.contains("declared image, but the tree looks like centerlines"),
        "{p}"
    );
}

/// Polydata with polygons cannot be made centerlines; polydata of lines can be made a surface.
#[test]
fn to_arraydict_refuses_polygons_as_centerlines() {
    let pd = poly(
        points_f32(3),
        PolyCells::polys(cells(&[&[0, 1, 2]])),
        vec![],
        vec![],
    );
    let e = to_arraydict(pd.into(), Kind::Centerlines, &ToArrayDictOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("1 polygons and 0 strips"), "{e}");
    let t = tree(PolyCells::lines(cells(&[&[0, 1, 2]])), Kind::Surface);
    validate(&t, Kind::Surface).unwrap();
}

/// Whatever `detect_kind` says is always accepted by the kind check.
#[test]
fn the_detected_kind_is_never_refused() {
    for t in [triangles(), polylines()] {
        let k = detect_kind(&t).unwrap();
        validate(&t, k).unwrap();
    }
}
