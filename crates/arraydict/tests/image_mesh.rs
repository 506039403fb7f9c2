//! SPEC sections 5-7 for images and meshes, one test per rule, with hand-made models.
// Compared floats are small integers or literals copied through unchanged, so exact equality is meant.
#![allow(clippy::float_cmp, clippy::unreadable_literal)]

mod common;

use arraydict::{
    from_arraydict, to_arraydict, validate, Dict, Kind, MemoryOrder, NdArray, Node,
    ToArrayDictOptions,
};
use common::{arr, array_at, cells, dict_at, image, keys, points_f32, sig};
use vtk_model::{
    ArrayData, Attributes, CellArray, CellType, DType, DataSet, ImageData, Matrix3,
    PolyhedronFaces, UnstructuredGrid,
};

fn tree(ds: impl Into<DataSet>, kind: Kind) -> Dict {
    to_arraydict(ds.into(), kind, &ToArrayDictOptions::default()).unwrap()
}

/// SPEC 5: the real aorta.mha tree (VTK's reader names the array `MetaImage`), zero-copy F order.
#[test]
fn aorta_mha_shape_and_zero_copy() {
    let dims = [157, 393, 34];
    let img = image(dims, vec![arr("MetaImage", 1, vec![0f32; 157 * 393 * 34])]);
    let ptr = img
        .point_data()
        .get("MetaImage")
        .unwrap()
        .data()
        .as_bytes()
        .as_ptr();
    let t = tree(img, Kind::Image);
    assert_eq!(
        keys(&t),
        ["Origin", "Dimensions", "Spacing", "PointData", "Direction"]
    );
    assert_eq!(sig(&t, "/Origin"), (DType::F64, vec![3]));
    assert_eq!(
        array_at(&t, "/Dimensions").data(),
        &ArrayData::I64(vec![157, 393, 34])
    );
    assert_eq!(sig(&t, "/Spacing"), (DType::F64, vec![3]));
    let a = array_at(&t, "/PointData/MetaImage");
    assert_eq!(
        (a.dtype(), a.shape(), a.order()),
        (DType::F32, &[157usize, 393, 34][..], &MemoryOrder::F)
    );
    assert_eq!(
        a.data().as_bytes().as_ptr(),
        ptr,
        "the voxel buffer must move, not be copied"
    );
    let DataSet::ImageData(back) = from_arraydict(t, Kind::Image).unwrap() else {
        panic!()
    };
    assert_eq!(
        back.point_data()
            .get("MetaImage")
            .unwrap()
            .data()
            .as_bytes()
            .as_ptr(),
        ptr,
        "and move back"
    );
}

/// SPEC 5: arr[i, j, k] = voxel (x=i, y=j, z=k); a 2-D image is (nx, ny, 1); no point arrays -> no
/// `PointData` key.
#[test]
fn image_indexing_2d_and_no_point_data() {
    let v: Vec<u16> = (0..6).collect(); // x fastest: (0,0) (1,0) (2,0) (0,1) (1,1) (2,1)
    let t = tree(image([3, 2, 1], vec![arr("v", 1, v)]), Kind::Image);
    let a = array_at(&t, "/PointData/v");
    assert_eq!(a.shape(), [3, 2, 1]);
    assert_eq!(a.get_f64(&[2, 1, 0]), 5.0);
    assert_eq!(a.get_f64(&[0, 1, 0]), 3.0);
    let t = tree(image([3, 2, 1], vec![]), Kind::Image);
    assert_eq!(keys(&t), ["Origin", "Dimensions", "Spacing", "Direction"]);
}

/// VMTK defect 2 / SPEC 6: multi-component images are (nx, ny, nz, C), arr[i,j,k,c] = component c
/// of voxel (i,j,k), zero-copy; 9 components are (nx, ny, nz, 3, 3) transposed.
#[test]
fn defect2_multi_component_images() {
    let rgb: Vec<u8> = (0..2 * 2 * 3 * 3).map(|i| i as u8).collect();
    let tensor: Vec<f64> = (0..12 * 9).map(f64::from).collect();
    let img = image([2, 2, 3], vec![arr("rgb", 3, rgb), arr("T", 9, tensor)]);
    let ptr = img
        .point_data()
        .get("rgb")
        .unwrap()
        .data()
        .as_bytes()
        .as_ptr();
    let expected = img.clone();
    let t = tree(img, Kind::Image);
    let a = array_at(&t, "/PointData/rgb");
    assert_eq!(a.shape(), [2, 2, 3, 3]);
    assert_eq!(a.data().as_bytes().as_ptr(), ptr);
    // voxel (1, 0, 2) is tuple 1 + 2*(0 + 2*2) = 9, component 2 -> value 29
    assert_eq!(a.get_f64(&[1, 0, 2, 2]), 29.0);
    let t9 = array_at(&t, "/PointData/T");
    assert_eq!(t9.shape(), [2, 2, 3, 3, 3]);
    // tuple 9, arr[.., r=1, c=2] = component 3*2 + 1 = 7
    assert_eq!(t9.get_f64(&[1, 0, 2, 1, 2]), f64::from(9 * 9 + 7));
    assert_eq!(
        from_arraydict(t, Kind::Image).unwrap(),
        DataSet::ImageData(expected)
    );
}

/// SPEC 6 + VMTK defect 6: `Direction` always written, `ExtentStart` only when non-zero, image cell
/// data in `CellData`, exact dtypes -- all round-trip.
#[test]
fn defect6_direction_extent_and_cell_data_are_kept() {
    let d = Matrix3::new(-1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0);
    let img = ImageData::try_new(
        [2, 4, -1, 0, 5, 5],
        [-156.445, -24.6094, 0.0],
        [0.878906, 0.878906, 1.50009],
        d,
        vec![arr("i8", 1, vec![-1i8; 6])].into(),
        vec![arr("cells", 2, vec![7u64; 4])].into(),
    )
    .unwrap();
    let t = tree(img.clone(), Kind::Image);
    assert_eq!(
        keys(&t),
        [
            "Origin",
            "Dimensions",
            "Spacing",
            "PointData",
            "Direction",
            "ExtentStart",
            "CellData"
        ]
    );
    assert_eq!(
        array_at(&t, "/Direction").data(),
        &ArrayData::F64(vec![-1., 0., 0., 0., -1., 0., 0., 0., 1.])
    );
    assert_eq!(
        array_at(&t, "/ExtentStart").data(),
        &ArrayData::I64(vec![2, -1, 5])
    );
    assert_eq!(sig(&t, "/CellData/cells"), (DType::U64, vec![2, 1, 1, 2]));
    assert_eq!(sig(&t, "/PointData/i8"), (DType::I8, vec![3, 2, 1]));
    assert_eq!(
        from_arraydict(t, Kind::Image).unwrap(),
        DataSet::ImageData(img)
    );
}

/// SPEC 6: numpy -> image without `Direction` (VMTK's trees) uses the identity; integer origin and
/// spacing, and a C-ordered array written from Python, are accepted.
#[test]
fn vmtk_image_tree_without_extensions() {
    let mut t = Dict::new();
    t.insert("Origin", NdArray::vector(vec![1i64, 2, 3]));
    t.insert("Dimensions", NdArray::vector(vec![2i32, 3, 1]));
    t.insert("Spacing", NdArray::vector(vec![1.0f32, 1.0, 1.0]));
    let mut pd = Dict::new();
    pd.insert(
        "v",
        NdArray::c((0..6).collect::<Vec<i32>>(), vec![2, 3, 1]).unwrap(),
    ); // C: v[i,j] = 3i + j
    t.insert("PointData", pd);
    let DataSet::ImageData(img) = from_arraydict(t, Kind::Image).unwrap() else {
        panic!()
    };
    assert_eq!(img.direction(), Matrix3::identity());
    assert_eq!(img.origin(), [1.0, 2.0, 3.0]);
    // VTK order is x fastest: (0,0)=0 (1,0)=3 (0,1)=1 (1,1)=4 ...
    assert_eq!(
        img.point_data().get("v").unwrap().data(),
        &ArrayData::I32(vec![0, 3, 1, 4, 2, 5])
    );
}

fn tet_and_triangle() -> UnstructuredGrid {
    UnstructuredGrid::try_new(
        points_f32(4),
        CellArray::from_legacy(&[4, 0, 1, 2, 3, 3, 0, 1, 2]).unwrap(),
        vec![CellType::TETRA, CellType::TRIANGLE],
        None,
        vec![arr("p", 1, vec![1f64; 4])].into(),
        vec![arr("EntityIds", 1, vec![1i32, 2])].into(),
    )
    .unwrap()
}

/// SPEC 5 mesh: key order, legacy `CellPointIds` i8, VTK 9 count-free `CellLocations` [0, 4], u1
/// `CellTypes`, `CellTypesAsStrings` in ascending type id.
#[test]
fn mesh_tree_layout() {
    let t = tree(tet_and_triangle(), Kind::Mesh);
    assert_eq!(keys(&t), ["Points", "Cells", "CellData", "PointData"]);
    assert_eq!(
        keys(dict_at(&t, "/Cells")),
        [
            "CellLocations",
            "CellPointIds",
            "CellTypes",
            "CellTypesAsStrings"
        ]
    );
    assert_eq!(
        array_at(&t, "/Cells/CellPointIds").data(),
        &ArrayData::I64(vec![4, 0, 1, 2, 3, 3, 0, 1, 2])
    );
    assert_eq!(
        array_at(&t, "/Cells/CellLocations").data(),
        &ArrayData::I64(vec![0, 4])
    );
    assert_eq!(
        array_at(&t, "/Cells/CellTypes").data(),
        &ArrayData::U8(vec![10, 5])
    );
    let names = dict_at(&t, "/Cells/CellTypesAsStrings");
    assert_eq!(keys(names), ["vtkTriangle", "vtkTetra"]);
    assert_eq!(
        array_at(&t, "/Cells/CellTypesAsStrings/vtkTetra").data(),
        &ArrayData::U8(vec![10])
    );
    assert_eq!(
        from_arraydict(t, Kind::Mesh).unwrap(),
        DataSet::UnstructuredGrid(tet_and_triangle())
    );
}

/// SPEC 5: CellData only with cell arrays, PointData only with point arrays; no names when off.
#[test]
fn mesh_optional_keys() {
    let g = UnstructuredGrid::try_new(
        points_f32(3),
        cells(&[&[0, 1, 2]]),
        vec![CellType::TRIANGLE],
        None,
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let opts = ToArrayDictOptions {
        cell_types_as_strings: false,
        ..Default::default()
    };
    let t = to_arraydict(g.into(), Kind::Mesh, &opts).unwrap();
    assert_eq!(keys(&t), ["Points", "Cells"]);
    assert_eq!(
        keys(dict_at(&t, "/Cells")),
        ["CellLocations", "CellPointIds", "CellTypes"]
    );
}

/// VMTK defect 3: `StructureCellsAsList` gives each cell its own ids (VMTK mis-cuts them).
#[test]
fn defect3_cells_as_list_are_correct() {
    let opts = ToArrayDictOptions {
        cells_as_list: true,
        ..Default::default()
    };
    let t = to_arraydict(tet_and_triangle().into(), Kind::Mesh, &opts).unwrap();
    assert_eq!(
        keys(dict_at(&t, "/Cells")),
        ["CellPointIds", "CellTypes", "CellTypesAsStrings"]
    );
    let Some(Node::List(l)) = t.at("/Cells/CellPointIds") else {
        panic!()
    };
    assert_eq!(
        l.iter().map(|a| a.data().clone()).collect::<Vec<_>>(),
        [
            ArrayData::I64(vec![0, 1, 2, 3]),
            ArrayData::I64(vec![0, 1, 2])
        ]
    );
    assert_eq!(
        from_arraydict(t, Kind::Mesh).unwrap(),
        DataSet::UnstructuredGrid(tet_and_triangle())
    );
}

/// VMTK's numpytomesh input built by its own `_ConvertListToFlatCellsArray` has legacy locations
/// ([0, 5]); accepted like VTK 9's.
#[test]
fn legacy_cell_locations_are_accepted() {
    let mut t = tree(tet_and_triangle(), Kind::Mesh);
    let Some(Node::Dict(c)) = t.get_mut("Cells") else {
        panic!()
    };
    c.insert("CellLocations", NdArray::vector(vec![0i64, 5]));
    validate(&t, Kind::Mesh).unwrap();
    c_insert_bad(&mut t);
    let e = validate(&t, Kind::Mesh).unwrap_err().to_string();
    assert!(
        e.contains("/Cells/CellLocations: neither VTK 9 offsets"),
        "{e}"
    );
}

fn c_insert_bad(t: &mut Dict) {
    let Some(Node::Dict(c)) = t.get_mut("Cells") else {
        panic!()
    };
    c.insert("CellLocations", NdArray::vector(vec![0i64, 3]));
}

/// VMTK defect 7: polyhedra travel in `PolyhedronFaces` + `PolyhedronFaceLocations`; a tree with a
/// polyhedron but no faces is a clear validation error, never a crash.
#[test]
fn defect7_polyhedra() {
    let stream: Vec<i64> = vec![4, 3, 0, 1, 2, 3, 0, 1, 3, 3, 1, 2, 3, 3, 0, 2, 3];
    let faces = PolyhedronFaces::from_legacy_streams([&[][..], &stream[..]]).unwrap();
    let g = UnstructuredGrid::try_new(
        points_f32(4),
        cells(&[&[0, 1, 2], &[0, 1, 2, 3]]),
        vec![CellType::TRIANGLE, CellType::POLYHEDRON],
        Some(faces),
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let mut t = tree(g.clone(), Kind::Mesh);
    assert_eq!(
        array_at(&t, "/Cells/PolyhedronFaces").data(),
        &ArrayData::I64(stream)
    );
    assert_eq!(
        array_at(&t, "/Cells/PolyhedronFaceLocations").data(),
        &ArrayData::I64(vec![-1, 0])
    );
    assert_eq!(
        from_arraydict(t.clone(), Kind::Mesh).unwrap(),
        DataSet::UnstructuredGrid(g)
    );
    let Some(Node::Dict(c)) = t.get_mut("Cells") else {
        panic!()
    };
    c.remove("PolyhedronFaces");
    c.remove("PolyhedronFaceLocations");
    let e = from_arraydict(t, Kind::Mesh).unwrap_err().to_string();
    assert!(
        e.contains(
            "/Cells/CellTypes: cell 1 is a vtkPolyhedron, but /Cells/PolyhedronFaces is missing"
        ),
        "{e}"
    );
}

/// `ConvertCellToPoint` also works for meshes.
#[test]
fn mesh_cell_to_point() {
    let opts = ToArrayDictOptions {
        cell_to_point: true,
        ..Default::default()
    };
    let t = to_arraydict(tet_and_triangle().into(), Kind::Mesh, &opts).unwrap();
    assert_eq!(keys(&t), ["Points", "Cells", "PointData"]);
    assert_eq!(
        array_at(&t, "/PointData/EntityIds").data(),
        &ArrayData::F32(vec![1.5, 1.5, 1.5, 1.0])
    );
}

/// A dataset cannot be written as another family's kind.
#[test]
fn kind_mismatch_is_an_error() {
    let e = to_arraydict(
        tet_and_triangle().into(),
        Kind::Image,
        &ToArrayDictOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("vtkUnstructuredGrid cannot be converted to a 'image' tree"),
        "{e}"
    );
}
