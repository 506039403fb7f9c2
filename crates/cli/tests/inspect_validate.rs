//! `inspect` and `validate` as a user of `h5ls -r`, `h5dump -H` and `pickletools` expects them
//! (issue 19): small arrays show their values, NaN and infinities are counted, long lists and
//! dicts are elided with a count, a path selects a subtree, `--json` carries the kind and the
//! storage, unsupported entries are marked instead of failing the file, several files at once;
//! and a `--kind` the tree does not have is refused naming the kind it looks like.

mod common;

use std::path::{Path, PathBuf};

use arraydict::{Dict, NdArray};
use arraydict_store::{Compression, StoreFormat, WriteOptions};
use common::{arraydict, fixture};
use test_support::shared_dir;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn write(dir: &Path, name: &str, tree: &Dict, opts: &WriteOptions) -> PathBuf {
    let p = dir.join(name);
    arraydict_store::write(&p, tree, opts).expect("write test tree");
    p
}

/// An image-like tree with small geometry arrays and a float array holding NaN and infinities.
fn image_tree() -> Dict {
    let mut pd = Dict::new();
    let mut v = vec![
        f64::NAN,
        1.0,
        2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    v.extend([1.5; 6]);
    pd.insert("Values", NdArray::c(v, vec![2, 2, 3]).unwrap());
    let mut t = Dict::new();
    t.insert("Origin", NdArray::vector(vec![156.445f64, 24.6094, 0.0]));
    t.insert("Dimensions", NdArray::vector(vec![2i64, 2, 3]));
    t.insert("Spacing", NdArray::vector(vec![0.5f64, 0.75, 1.25]));
    t.insert(
        "Direction",
        NdArray::c(vec![-1f64, 0., 0., 0., -1., 0., 0., 0., 1.], vec![3, 3]).unwrap(),
    );
    t.insert("PointData", pd);
    t
}

fn line_of<'a>(stdout: &'a str, path: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{path}  ")))
        .unwrap_or_else(|| panic!("no line for {path} in:\n{stdout}"))
}

#[test]
fn small_arrays_show_values_and_nan_and_inf_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let h5 = write(
        dir.path(),
        "img.hdf5",
        &image_tree(),
        &WriteOptions::default(),
    );
    let r = arraydict(&["inspect", s(&h5)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.starts_with(&format!("{} (image)\n", h5.display())),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/Origin").ends_with("values=[156.445, 24.6094, 0]"),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/Dimensions").ends_with("<i8 (3,) order=C values=[2, 2, 3]"),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/Direction").ends_with("values=[[-1, 0, 0], [0, -1, 0], [0, 0, 1]]"),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/PointData/Values").ends_with("range=[-inf, inf] nan=1 +inf=1 -inf=2"),
        "{}",
        r.stdout
    );
    let r = arraydict(&["inspect", s(&h5), "--json"]);
    let nodes: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let values = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"] == "/PointData/Values")
        .unwrap();
    assert_eq!(
        (
            values["nan"].as_u64(),
            values["posinf"].as_u64(),
            values["neginf"].as_u64()
        ),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(
        (values["min"].as_str(), values["max"].as_str()),
        (Some("-inf"), Some("inf"))
    );
}

/// A centerlines-like tree with a list of 60 arrays and a dict of 30 arrays.
fn long_tree() -> Dict {
    let mut arrays = Dict::new();
    for i in 0..30 {
        arrays.insert(format!("A{i:02}"), NdArray::vector(vec![i as f32; 61]));
    }
    let mut cd = Dict::new();
    cd.insert(
        "CellPointIds",
        (0..60)
            .map(|i| NdArray::vector(vec![i, i + 1]))
            .collect::<Vec<_>>(),
    );
    let mut t = Dict::new();
    t.insert("Points", NdArray::c(vec![0f32; 183], vec![61, 3]).unwrap());
    t.insert("PointData", arrays);
    t.insert("CellData", cd);
    t
}

#[test]
fn long_lists_and_dicts_are_elided_and_depth_limits_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "long.pickle",
        &long_tree(),
        &WriteOptions::default(),
    );
    let all = arraydict(&["inspect", s(&p), "--max-items", "0"]);
    assert_eq!(all.code, 0, "{all:?}");
    // header, root, 3 top-level entries, 30 arrays, the list, its 60 elements
    assert_eq!(
        all.stdout.lines().count(),
        1 + 1 + 3 + 30 + 1 + 60,
        "{}",
        all.stdout
    );
    let r = arraydict(&["inspect", s(&p)]);
    assert_eq!(
        r.stdout.lines().count(),
        1 + 1 + 3 + 20 + 1 + 1 + 20 + 1,
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n  ... 10 more items\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\n    ... 40 more items\n"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("/CellData/CellPointIds/20 "),
        "{}",
        r.stdout
    );
    let r = arraydict(&["inspect", s(&p), "--max-items", "3"]);
    assert!(r.stdout.contains("... 57 more items"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("/CellData/CellPointIds/2  <i4 (2,) order=C values=[2, 3]"),
        "{}",
        r.stdout
    );
    let r = arraydict(&["inspect", s(&p), "--depth", "1"]);
    assert_eq!(r.stdout.lines().count(), 1 + 1 + 3, "{}", r.stdout);
    assert!(r.stdout.contains("/PointData/  dict of 30"), "{}", r.stdout);
    // JSON is complete unless asked otherwise, and says what it left out.
    let j: serde_json::Value =
        serde_json::from_str(&arraydict(&["inspect", s(&p), "--json"]).stdout).unwrap();
    assert_eq!(j.as_array().unwrap().len(), 1 + 3 + 30 + 1 + 60);
    let j: serde_json::Value =
        serde_json::from_str(&arraydict(&["inspect", s(&p), "--json", "--max-items", "5"]).stdout)
            .unwrap();
    let list = j
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"] == "/CellData/CellPointIds")
        .unwrap();
    assert_eq!(
        (list["len"].as_u64(), list["elided"].as_u64()),
        (Some(60), Some(55))
    );
}

#[test]
fn a_path_selects_a_subtree_and_a_missing_one_names_what_exists() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "long.hdf5",
        &long_tree(),
        &WriteOptions::default(),
    );
    let r = arraydict(&["inspect", s(&p), "/CellData"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[1], "/CellData/  dict of 1", "{}", r.stdout);
    assert!(
        lines[2].starts_with("/CellData/CellPointIds  list of 60 arrays"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("/Points"), "{}", r.stdout);
    let r = arraydict(&["inspect", s(&p), "/CellData/CellPointIds/7"]);
    assert_eq!(
        r.stdout.lines().nth(1),
        Some("/CellData/CellPointIds/7  <i4 (2,) order=C values=[7, 8]"),
        "{r:?}"
    );
    let r = arraydict(&["inspect", s(&p), "/PointData/Radius"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("long.hdf5: /PointData/Radius: no such key; /PointData has keys A00, A01"),
        "{r:?}"
    );
    assert!(r.stderr.contains("... (10 more)"), "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
}

#[test]
fn json_carries_kind_format_size_and_hdf5_storage() {
    let dir = tempfile::tempdir().unwrap();
    let tree = long_tree();
    let gz = write(
        dir.path(),
        "gz.hdf5",
        &tree,
        &WriteOptions {
            compression: Compression::Gzip(7),
            ..WriteOptions::default()
        },
    );
    let flat = write(
        dir.path(),
        "flat.hdf5",
        &tree,
        &WriteOptions {
            compression: Compression::None,
            ..WriteOptions::default()
        },
    );
    let mut pickle_opts = WriteOptions {
        format: Some(StoreFormat::Pickle),
        ..WriteOptions::default()
    };
    pickle_opts.pickle.protocol = 2;
    let pk = write(dir.path(), "t.pickle", &tree, &pickle_opts);
    let json = |p: &Path| -> Vec<serde_json::Value> {
        let r = arraydict(&["inspect", s(p), "--json"]);
        assert_eq!(r.code, 0, "{r:?}");
        serde_json::from_str::<serde_json::Value>(&r.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let nodes = json(&gz);
    assert_eq!(nodes[0]["kind"], "centerlines");
    assert_eq!(nodes[0]["format"], "hdf5");
    assert_eq!(
        nodes[0]["file_size"].as_u64(),
        Some(std::fs::metadata(&gz).unwrap().len())
    );
    let points = nodes.iter().find(|n| n["path"] == "/Points").unwrap();
    assert_eq!(points["storage"]["layout"], "chunked", "{points}");
    assert_eq!(
        points["storage"]["chunks"],
        serde_json::json!([61, 3]),
        "{points}"
    );
    assert_eq!(
        points["storage"]["filters"],
        serde_json::json!([{"name": "gzip", "level": 7}]),
        "{points}"
    );
    let element = nodes
        .iter()
        .find(|n| n["path"] == "/CellData/CellPointIds/3")
        .unwrap();
    assert_eq!(element["storage"]["filters"][0]["level"], 7, "{element}");
    let points = json(&flat)
        .into_iter()
        .find(|n| n["path"] == "/Points")
        .unwrap();
    assert_eq!(points["storage"]["layout"], "contiguous", "{points}");
    assert_eq!(
        points["storage"]["filters"],
        serde_json::json!([]),
        "{points}"
    );
    let nodes = json(&pk);
    assert_eq!(
        (
            nodes[0]["format"].as_str(),
            nodes[0]["pickle_protocol"].as_u64()
        ),
        (Some("pickle"), Some(2))
    );
    assert!(nodes.iter().all(|n| n.get("storage").is_none()));
}

#[test]
fn entries_a_tree_cannot_hold_are_marked_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let h5 = dir.path().join("h5py.hdf5");
    arraydict_store::testing::hdf5_with_unsupported_entries(&h5).unwrap();
    let r = arraydict(&["inspect", s(&h5)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        line_of(&r.stdout, "/PointData/Name").contains("unsupported (HDF5 type"),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/Alias").contains("unsupported (Soft links"),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/PointData/Radius").ends_with("values=[0.5, 1.5]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("/PointData/  dict of 2"), "{}", r.stdout);
    let j: serde_json::Value =
        serde_json::from_str(&arraydict(&["inspect", s(&h5), "--json"]).stdout).unwrap();
    let name = j
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"] == "/PointData/Name")
        .unwrap();
    assert_eq!(name["type"], "unsupported");
    // Reading it for real stays strict.
    let v = arraydict(&["validate", s(&h5)]);
    assert_eq!(v.code, 1, "{v:?}");
    assert!(
        v.stderr.contains("/Alias") || v.stderr.contains("/PointData/Name"),
        "{v:?}"
    );
    // A pickled bool array (a `u1` array whose dtype code is turned into numpy's `b1`).
    let mut t = image_tree();
    t.insert("Mask", NdArray::vector(vec![1u8, 0, 1]));
    let pk = write(dir.path(), "mask.pickle", &t, &WriteOptions::default());
    let mut bytes = std::fs::read(&pk).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b"\x8c\x02u1")
        .expect("dtype code u1");
    bytes[at + 2] = b'b';
    std::fs::write(&pk, bytes).unwrap();
    let r = arraydict(&["inspect", s(&pk)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        line_of(&r.stdout, "/Mask").contains("unsupported ("),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "/Origin").contains("values="),
        "{}",
        r.stdout
    );
    assert_eq!(arraydict(&["validate", s(&pk)]).code, 1);
}

#[test]
fn validate_takes_many_files_and_sums_up() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.hdf5",
        &long_tree(),
        &WriteOptions::default(),
    );
    let mut bad_tree = long_tree();
    bad_tree.insert("Extra", NdArray::vector(vec![1u8]));
    let bad = write(
        dir.path(),
        "bad.pickle",
        &bad_tree,
        &WriteOptions::default(),
    );
    let missing = dir.path().join("missing.msgpack");
    let vtp = fixture("centerlines").unwrap();
    let r = arraydict(&["validate", s(&good), s(&bad), s(&vtp)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "{}: valid centerlines\n{}: /Extra: unknown key (expected one of Points, PointData, CellData, CellKindCounts)\n{}: valid centerlines\n3 files: 2 valid, 1 invalid\n",
            good.display(),
            bad.display(),
            vtp.display()
        )
    );
    let r = arraydict(&["validate", s(&good), s(&missing), s(&good)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout
            .ends_with("3 files: 2 valid, 0 invalid, 1 unreadable\n"),
        "{r:?}"
    );
    assert!(r.stderr.contains("missing.msgpack"), "{r:?}");
    let r = arraydict(&["validate", s(&good), s(&good)]);
    assert_eq!(r.code, 0, "{r:?}");
    // One file: as before, no summary.
    let r = arraydict(&["validate", s(&good)]);
    assert_eq!(r.stdout, format!("{}: valid centerlines\n", good.display()));
}

#[test]
fn inspect_takes_many_files_each_with_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.hdf5",
        &image_tree(),
        &WriteOptions::default(),
    );
    let b = write(
        dir.path(),
        "b.pickle",
        &long_tree(),
        &WriteOptions::default(),
    );
    let missing = dir.path().join("missing.hdf5");
    let r = arraydict(&["inspect", s(&a), s(&b), "--depth", "1"]);
    assert_eq!(r.code, 0, "{r:?}");
    let a_header = format!("{} (image)", a.display());
    let b_header = format!("{} (centerlines)", b.display());
    assert!(r.stdout.starts_with(&a_header), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("\n\n{b_header}\n")),
        "{}",
        r.stdout
    );
    let r = arraydict(&["inspect", s(&a), s(&missing), s(&b), "/CellData"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("missing.hdf5"), "{r:?}");
    // The path is looked for in every file; the image has no /CellData.
    assert!(
        r.stderr
            .contains("/CellData: no such key; / has keys Origin"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("/CellData/CellPointIds  list of 60 arrays"),
        "{r:?}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&arraydict(&["inspect", s(&a), s(&b), "--json"]).stdout).unwrap();
    assert_eq!(j.as_array().map(Vec::len), Some(2));
    assert_eq!(j[1][0]["file"], s(&b));
}

#[test]
fn inspect_help_explains_the_memory_orders() {
    let r = arraydict(&["inspect", "--help"]);
    for order in ["order=C", "order=F", "order=K"] {
        assert!(r.stdout.contains(order), "{}", r.stdout);
    }
    let r = arraydict(&["validate", "--help"]);
    assert!(
        !r.stdout.contains("Kind of ArrayDict to produce"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Kind to check the trees against"),
        "{}",
        r.stdout
    );
}

/// `--kind` that is not the tree's: refused, naming the kind it looks like, by `validate`,
/// `from-numpy` and `to-numpy`, with nothing written.
#[test]
fn a_kind_the_tree_does_not_have_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let surface_vtp = fixture("surface.binary.zlib").unwrap();
    let centerlines_vtp = fixture("centerlines").unwrap();
    let surface = dir.path().join("surface.hdf5");
    let centerlines = dir.path().join("centerlines.hdf5");
    for (vtp, out) in [(&surface_vtp, &surface), (&centerlines_vtp, &centerlines)] {
        assert_eq!(arraydict(&["to-numpy", s(vtp), "-o", s(out)]).code, 0);
    }
    let r = arraydict(&["validate", s(&surface), "--kind", "centerlines"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("declared centerlines, but the tree looks like a surface: /CellData/CellPointIds is a (320, 3) array"), "{r:?}");
    let out = dir.path().join("out.vtp");
    let r = arraydict(&[
        "from-numpy",
        s(&surface),
        "-o",
        s(&out),
        "--kind",
        "centerlines",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("looks like a surface"), "{r:?}");
    let r = arraydict(&[
        "from-numpy",
        s(&centerlines),
        "-o",
        s(&out),
        "--kind",
        "surface",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("declared surface, but the tree looks like centerlines"),
        "{r:?}"
    );
    assert!(!out.exists());
    let r = arraydict(&[
        "to-numpy",
        s(&surface_vtp),
        "-o",
        s(&dir.path().join("x.hdf5")),
        "--kind",
        "centerlines",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("it is a surface"), "{r:?}");
    let r = arraydict(&["validate", s(&surface), "--kind", "image"]);
    assert!(
        r.stdout
            .contains("declared image, but the tree looks like a surface"),
        "{r:?}"
    );
    // The right kinds still pass.
    assert_eq!(
        arraydict(&["validate", s(&surface), "--kind", "surface"]).code,
        0
    );
    assert_eq!(
        arraydict(&["validate", s(&centerlines), "--kind", "centerlines"]).code,
        0
    );
}

/// VMTK's own trees pass with their kind, declared or detected, and are refused as the other one.
#[test]
fn real_vmtk_trees_keep_their_kind() {
    let cases = [
        ("aorta_surface.hdf5", "surface", "centerlines"),
        ("aorta_surface.pickle", "surface", "centerlines"),
        ("aorta_centerline_branches.hdf5", "centerlines", "surface"),
        ("aorta_centerline_branches.pickle", "centerlines", "surface"),
        ("aorta.hdf5", "image", "mesh"),
    ];
    for (name, kind, other) in cases {
        let Some(p) = shared_dir::real_vmtk(&format!("vmtk-output/{name}")) else {
            eprintln!("skipped: ../shared/real-vmtk is absent");
            return;
        };
        let r = arraydict(&["validate", s(&p)]);
        assert_eq!(
            r.stdout,
            format!("{}: valid {kind}\n", p.display()),
            "{r:?}"
        );
        assert_eq!(arraydict(&["validate", s(&p), "--kind", kind]).code, 0);
        let r = arraydict(&["validate", s(&p), "--kind", other]);
        assert_eq!(r.code, 1, "{name}: {r:?}");
        assert!(
            r.stdout.contains(&format!(
                "looks like {}",
                if kind == "image" {
                    "an image".to_string()
                } else if kind == "surface" {
                    "a surface".into()
                } else {
                    kind.into()
                }
            )),
            "{name}: {r:?}"
        );
    }
    for (vtp, kind) in [
        ("aorta-surface.vtp", "surface"),
        ("aorta-centerline-branches.vtp", "centerlines"),
        ("cow.vtp", "surface"),
    ] {
        let Some(p) = shared_dir::real_vmtk(vtp) else {
            return;
        };
        let r = arraydict(&["validate", s(&p)]);
        assert_eq!(
            r.stdout,
            format!("{}: valid {kind}\n", p.display()),
            "{r:?}"
        );
    }
}
