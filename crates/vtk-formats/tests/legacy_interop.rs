//! Python interop: VTK reads our legacy and STL files, SimpleITK our MetaImage files, with the same
//! content; and vtkSTLReader's point merging matches ours on the real aorta surface.
//! Run with `cargo xtask test` (or set ARRAYDICT_PYTHON and pass `--ignored`).

// Exact float comparisons are intended: every codec here must be lossless.
#![allow(
    clippy::float_cmp,
    clippy::unreadable_literal,
    clippy::doc_markdown,
    clippy::large_stack_arrays
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use vtk_formats::legacy::{self, LegacyVersion, LegacyWriteOptions};
use vtk_formats::metaimage::{self, MetaWriteOptions};
use vtk_formats::stl::StlWriteOptions;
use vtk_formats::Durability;
use vtk_formats::{stl, ImageFrame, ReadOptions};
use vtk_model::{
    ArrayData, Attributes, CellArray, CellType, DType, DataArray, DataSet, ImageData, Matrix3,
    PolyCells, PolyData, PolyhedronFaces, UnstructuredGrid,
};

fn arrays(n: usize, seed: usize) -> Vec<DataArray> {
    DType::ALL
        .iter()
        .enumerate()
        .map(|(k, &dt)| {
            let comps = [1, 3, 9][k % 3];
            let vals: Vec<f64> = (0..n * comps)
                .map(|i| {
                    ((i * 31 + k * 7 + seed) % 120) as f64
                        - if dt.is_signed_int() || dt.is_float() {
                            60.0
                        } else {
                            0.0
                        }
                })
                .collect();
            let data = match dt {
                DType::I8 => ArrayData::I8(vals.iter().map(|&v| v as i8).collect()),
                DType::U8 => ArrayData::U8(vals.iter().map(|&v| v as u8).collect()),
                DType::I16 => ArrayData::I16(vals.iter().map(|&v| v as i16 * 300).collect()),
                DType::U16 => ArrayData::U16(vals.iter().map(|&v| v as u16 * 500).collect()),
                DType::I32 => ArrayData::I32(vals.iter().map(|&v| v as i32 * 70_000).collect()),
                DType::U32 => ArrayData::U32(vals.iter().map(|&v| v as u32 * 30_000_000).collect()),
                DType::I64 => {
                    ArrayData::I64(vals.iter().map(|&v| v as i64 * 100_000_000_000).collect())
                }
                DType::U64 => {
                    ArrayData::U64(vals.iter().map(|&v| v as u64 * 100_000_000_000).collect())
                }
                DType::F32 => ArrayData::F32(vals.iter().map(|&v| v as f32 / 7.0).collect()),
                DType::F64 => ArrayData::F64(vals.iter().map(|&v| v / 3.0 + 1e-9).collect()),
            };
            DataArray::new(format!("{} a{k}", dt.numpy_code()), comps, data).unwrap()
        })
        .collect()
}

fn poly() -> PolyData {
    let pts = DataArray::new(
        "Points",
        3,
        ArrayData::F32((0..18).map(|i| i as f32 * 0.25).collect()),
    )
    .unwrap();
    let cells = PolyCells {
        verts: CellArray::from_cells([&[5i64][..]]),
        lines: CellArray::from_cells([&[0i64, 1, 2][..]]),
        polys: CellArray::from_cells([&[0i64, 1, 2][..], &[1, 2, 3, 4]]),
        strips: CellArray::from_cells([&[0i64, 1, 2, 3][..]]),
    };
    PolyData::try_new(pts, cells, arrays(6, 1).into(), arrays(5, 2).into()).unwrap()
}

fn ugrid() -> UnstructuredGrid {
    let pts = DataArray::new(
        "Points",
        3,
        ArrayData::F64(vec![
            0., 0., 0., 1., 0., 0., 0., 1., 0., 0., 0., 1., 1., 1., 1.,
        ]),
    )
    .unwrap();
    let s: Vec<i64> = vec![4, 3, 0, 1, 2, 3, 0, 1, 3, 3, 1, 2, 3, 3, 0, 2, 3];
    let faces = PolyhedronFaces::from_legacy_streams([&[][..], s.as_slice(), &[]]).unwrap();
    let cells = CellArray::from_cells([&[0i64, 1, 2, 3][..], &[0, 1, 2, 3], &[4, 1, 2]]);
    let types = vec![CellType::TETRA, CellType::POLYHEDRON, CellType::TRIANGLE];
    UnstructuredGrid::try_new(
        pts,
        cells,
        types,
        Some(faces),
        arrays(5, 3).into(),
        arrays(3, 4).into(),
    )
    .unwrap()
}

fn image(dt: DType, comps: usize) -> ImageData {
    let n = 4 * 3 * 2 * comps;
    let mut data = ArrayData::zeros(dt, n);
    for (i, b) in data.as_bytes_mut().iter_mut().enumerate() {
        *b = (i * 13 + 3) as u8;
    }
    match &mut data {
        ArrayData::F32(v) => v
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as f32 / 3.0),
        ArrayData::F64(v) => v
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as f64 / 3.0),
        _ => {}
    }
    let a = DataArray::new("MetaImage", comps, data).unwrap();
    let dir = Matrix3::new(0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0);
    ImageData::try_new(
        [0, 3, 0, 2, 0, 1],
        [1.25, -2.0, 3.5],
        [0.5, 0.75, 1.1],
        dir,
        vec![a].into(),
        Attributes::new(),
    )
    .unwrap()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

fn check_array(ctx: &str, got: &Value, want: &DataArray) {
    assert_eq!(got["name"], want.name(), "{ctx}");
    // VTK's legacy reader gives `char` arrays back as vtkCharArray (numpy int8): same dtype.
    assert_eq!(
        got["dtype"],
        want.dtype().numpy_str(),
        "{ctx} {}",
        want.name()
    );
    assert_eq!(
        got["components"].as_u64().unwrap() as usize,
        want.components(),
        "{ctx}"
    );
    assert_eq!(
        unhex(&got["hex"]),
        want.data().as_bytes(),
        "{ctx} {}: values differ",
        want.name()
    );
}

fn unhex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    unhex(v)
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn check_cells(ctx: &str, got: &Value, want: &CellArray) {
    assert_eq!(ints(&got[0]), want.offsets(), "{ctx} offsets");
    assert_eq!(ints(&got[1]), want.connectivity(), "{ctx} connectivity");
}

fn check_attrs(ctx: &str, got: &Value, want: &Attributes) {
    let g = got.as_array().unwrap();
    assert_eq!(g.len(), want.len(), "{ctx}");
    for (a, w) in g.iter().zip(want) {
        check_array(ctx, a, w);
    }
}

fn python() -> String {
    std::env::var("ARRAYDICT_PYTHON").unwrap_or_else(|_| {
        panic!("ARRAYDICT_PYTHON is not set: point it at a Python with numpy 2.x, vtk and SimpleITK (`cargo xtask test` does)")
    })
}

/// Every dataset as legacy VTK 4.2 and 5.1, ascii and binary: `<stem>_<42|51>_<ascii|bin>.vtk`.
fn write_legacy_files(d: &Path) -> Vec<(&'static str, DataSet)> {
    let datasets: Vec<(&str, DataSet)> = vec![
        ("poly", poly().into()),
        ("ugrid", ugrid().into()),
        ("image", image(DType::I16, 3).into()),
    ];
    for (stem, ds) in &datasets {
        for (v, version) in [("42", LegacyVersion::V4_2), ("51", LegacyVersion::V5_1)] {
            for binary in [false, true] {
                let p = d.join(format!(
                    "{stem}_{v}_{}.vtk",
                    if binary { "bin" } else { "ascii" }
                ));
                legacy::write(
                    &p,
                    ds,
                    &LegacyWriteOptions { version, binary },
                    Durability::default(),
                )
                .unwrap();
            }
        }
    }
    datasets
}

/// An image of every dtype as `.mha` / `.mhd`, compressed or not: `img_<numpy code>.<ext>`.
fn write_metaimages(d: &Path) -> Vec<(String, ImageData)> {
    let mut images = Vec::new();
    for (i, dt) in DType::ALL.into_iter().enumerate() {
        let (ext, compress) = [("mha", false), ("mha", true), ("mhd", false), ("mhd", true)][i % 4];
        let img = image(dt, if i % 3 == 0 { 2 } else { 1 });
        let name = format!("img_{}.{ext}", dt.numpy_code());
        metaimage::write(
            &d.join(&name),
            &img,
            &MetaWriteOptions {
                compress,
                frame: ImageFrame::Lps,
            },
            Durability::default(),
        )
        .unwrap();
        images.push((name, img));
    }
    images
}

/// A quad (two triangles once written) as `quad.stl`.
fn write_quad_stl(d: &Path) {
    let surface = {
        let pts = DataArray::new(
            "Points",
            3,
            ArrayData::F32(vec![0., 0., 0., 1., 0., 0., 1., 1., 0., 0., 1., 0.5]),
        )
        .unwrap();
        PolyData::try_new(
            pts,
            PolyCells::polys(CellArray::from_cells([&[0i64, 1, 2, 3][..]])),
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap()
    };
    stl::write(
        &d.join("quad.stl"),
        &surface,
        &StlWriteOptions::default(),
        Durability::default(),
    )
    .unwrap();
}

/// Runs the Python side over `d` (and the real aorta surface, when present) and returns its
/// description of every file.
fn read_with_python(d: &Path, aorta: &Path) -> Value {
    let py = python();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/interop_legacy_meta_stl.py");
    let mut cmd = Command::new(&py);
    cmd.arg(&script).arg(d);
    if aorta.exists() {
        cmd.arg(aorta);
    } else {
        eprintln!(
            "SKIPPED: aorta STL merge check ({} absent)",
            aorta.display()
        );
    }
    let out = cmd.output().expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What VTK read from the legacy files is what we wrote.
fn check_legacy(json: &Value, datasets: &[(&str, DataSet)]) {
    for (stem, ds) in datasets {
        for v in ["42", "51"] {
            for enc in ["ascii", "bin"] {
                let name = format!("{stem}_{v}_{enc}.vtk");
                let g = &json[&name];
                match ds {
                    DataSet::PolyData(p) => {
                        assert_eq!(g["class"], "vtkPolyData");
                        check_array(&name, &g["points"], p.points());
                        for (k, c) in p.cells().named() {
                            check_cells(&format!("{name} {k}"), &g[k], c);
                        }
                        check_attrs(&name, &g["point_data"], p.point_data());
                        check_attrs(&name, &g["cell_data"], p.cell_data());
                    }
                    DataSet::UnstructuredGrid(u) => {
                        assert_eq!(g["class"], "vtkUnstructuredGrid");
                        check_array(&name, &g["points"], u.points());
                        check_cells(&name, &g["cells"], u.cells());
                        let types: Vec<i64> =
                            u.cell_types().iter().map(|t| i64::from(t.0)).collect();
                        assert_eq!(ints(&g["types"]), types, "{name}");
                        let streams: Vec<Vec<i64>> = g["face_streams"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(ints)
                            .collect();
                        assert_eq!(streams[1], u.faces().unwrap().legacy_stream(1), "{name}");
                        check_attrs(&name, &g["point_data"], u.point_data());
                        check_attrs(&name, &g["cell_data"], u.cell_data());
                    }
                    DataSet::ImageData(img) => {
                        assert_eq!(g["class"], "vtkStructuredPoints");
                        assert_eq!(ints(&g["dims"]), img.dimensions().map(|x| x as i64));
                        assert_eq!(f64s(&g["origin"]), img.origin());
                        assert_eq!(f64s(&g["spacing"]), img.spacing());
                        check_attrs(&name, &g["point_data"], img.point_data());
                    }
                }
            }
        }
    }
}

/// What SimpleITK read from the MetaImage files is what we wrote.
fn check_metaimages(json: &Value, images: &[(String, ImageData)]) {
    for (name, img) in images {
        let g = &json[name];
        let a = img.point_data().iter().next().unwrap();
        assert_eq!(
            ints(&g["size"]),
            img.dimensions().map(|x| x as i64),
            "{name}"
        );
        assert_eq!(f64s(&g["origin"]), img.origin(), "{name}");
        assert_eq!(f64s(&g["spacing"]), img.spacing(), "{name}");
        let dir = img.direction();
        let rows: Vec<f64> = (0..3)
            .flat_map(|r| (0..3).map(move |c| (r, c)))
            .map(|(r, c)| dir[(r, c)])
            .collect();
        assert_eq!(
            f64s(&g["direction"]),
            rows,
            "{name}: SimpleITK's direction (row-major) differs"
        );
        assert_eq!(
            g["components"].as_u64().unwrap() as usize,
            a.components(),
            "{name}"
        );
        let fake = serde_json::json!({"name": a.name(), "dtype": g["dtype"], "components": g["components"], "hex": g["hex"]});
        check_array(name, &fake, a);
    }
}

/// VTK's reading of the quad, and, with the aorta, that our STL reader merges points in the
/// `.vtp`'s order and as vtkSTLReader does.
fn check_stl(json: &Value, d: &Path, aorta: &Path) {
    let q = &json["quad.stl"];
    assert_eq!(ints(&q["polys"][1]), vec![0, 1, 2, 0, 2, 3]);
    if aorta.exists() {
        let ours = stl::read(&d.join("aorta.stl"), &ReadOptions::default()).unwrap();
        assert_eq!(ours.num_points(), 6468);
        assert_eq!(
            unhex(&json["aorta_vtp_points"]["hex"]),
            ours.points().data().as_bytes(),
            "STL merge order differs from the .vtp"
        );
        let vtk_stl = &json["aorta.stl"];
        assert_eq!(
            ints(&vtk_stl["polys"][1]),
            ours.cells().polys.connectivity(),
            "differs from vtkSTLReader"
        );
        assert_eq!(
            ints(&json["aorta_vtp_polys"][1]),
            ours.cells().polys.connectivity()
        );
    }
}

#[test]
#[ignore = "python interop: run `cargo xtask test`"]
fn interop_legacy_meta_stl_written_files_read_by_python() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let datasets = write_legacy_files(d);
    let images = write_metaimages(d);
    write_quad_stl(d);
    let aorta =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-vmtk/aorta-surface.vtp");
    let json = read_with_python(d, &aorta);
    check_legacy(&json, &datasets);
    check_metaimages(&json, &images);
    check_stl(&json, d, &aorta);
}
