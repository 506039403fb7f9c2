//! Deterministic output: the same input and options give byte-identical files across runs and
//! across thread counts (`--threads`), for every output format, both directions.

mod common;

use std::path::{Path, PathBuf};

use common::{arraydict, workspace};

const THREADS: [&str; 3] = ["1", "2", "7"];

fn fixture(rel: &str) -> PathBuf {
    let p = workspace().join("fixtures").join(rel);
    assert!(
        p.exists(),
        "fixture {rel} missing (run `cargo xtask fixtures`)"
    );
    p
}

/// Runs `cmd input -o <dir>/<name>` once per thread count and twice with the first; returns the
/// outputs' bytes.
fn outputs(cmd: &str, input: &Path, name: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (i, t) in THREADS
        .iter()
        .chain(std::iter::once(&THREADS[0]))
        .enumerate()
    {
        let out = dir.path().join(format!("{i}-{name}"));
        let mut args = vec![
            "--threads",
            t,
            cmd,
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let r = arraydict(&args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        runs.push((format!("--threads {t}"), std::fs::read(&out).unwrap()));
    }
    runs
}

fn assert_identical(what: &str, runs: &[(String, Vec<u8>)]) {
    let (first_label, first) = &runs[0];
    for (label, bytes) in &runs[1..] {
        assert!(
            bytes == first,
            "{what}: output with {label} ({} bytes) differs from {first_label} ({} bytes)",
            bytes.len(),
            first.len()
        );
    }
}

#[test]
fn to_numpy_is_byte_identical_across_runs_and_threads() {
    let inputs = [
        "surface/surface.appended-raw.zlib.h64.id64.vtp",
        "image/image-int16.legacy42.binary.vtk",
        "mesh/mesh.binary.zlib.h64.id64.vtu",
    ];
    for rel in inputs {
        let input = fixture(rel);
        for ext in ["hdf5", "pickle", "msgpack"] {
            let runs = outputs("to-numpy", &input, &format!("out.{ext}"), &[]);
            assert_identical(&format!("{rel} -> .{ext}"), &runs);
        }
    }
}

#[test]
fn hdf5_uncompressed_is_byte_identical_too() {
    let input = fixture("surface/surface.appended-raw.zlib.h64.id64.vtp");
    let runs = outputs("to-numpy", &input, "out.hdf5", &["--compression", "none"]);
    assert_identical("surface -> uncompressed .hdf5", &runs);
}

#[test]
fn from_numpy_is_byte_identical_across_runs_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("surface.hdf5");
    let src = fixture("surface/surface.appended-raw.zlib.h64.id64.vtp");
    let r = arraydict(&[
        "to-numpy",
        src.to_str().unwrap(),
        "-o",
        tree.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    for name in ["out.vtp", "out.vtk", "out.stl"] {
        let runs = outputs("from-numpy", &tree, name, &[]);
        assert_identical(&format!("surface.hdf5 -> {name}"), &runs);
    }
    let image = dir.path().join("image.pickle");
    // MetaImage holds exactly one point array, so the image comes from a MetaImage fixture.
    let src = fixture("metaimage/float32.sitk-zlib.mha");
    let r = arraydict(&[
        "to-numpy",
        src.to_str().unwrap(),
        "-o",
        image.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    for name in ["out.vti", "out.mha"] {
        let runs = outputs("from-numpy", &image, name, &[]);
        assert_identical(&format!("image.pickle -> {name}"), &runs);
    }
}

#[test]
fn outputs_do_not_depend_on_the_time_of_writing() {
    // HDF5 records object timestamps by default; seconds apart they differ (found by this suite).
    let input = fixture("surface/surface.appended-raw.zlib.h64.id64.vtp");
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for i in 0..2 {
        if i > 0 {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let mut bytes = Vec::new();
        for ext in ["hdf5", "pickle", "msgpack"] {
            let out = dir.path().join(format!("{i}.{ext}"));
            let r = arraydict(&[
                "to-numpy",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ]);
            assert_eq!(r.code, 0, "{r:?}");
            bytes.push(std::fs::read(&out).unwrap());
        }
        let vtp = dir.path().join(format!("{i}.vtp"));
        let tree = dir.path().join("0.hdf5");
        let r = arraydict(&[
            "from-numpy",
            tree.to_str().unwrap(),
            "-o",
            vtp.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{r:?}");
        bytes.push(std::fs::read(&vtp).unwrap());
        runs.push((format!("run {i}"), bytes.concat()));
    }
    assert_identical("outputs written a second apart", &runs);
}

/// `--sync` (fsync before the rename) changes durability, never content.
#[test]
fn sync_writes_the_same_bytes() {
    let input = fixture("mesh/mesh.binary.zlib.h64.id64.vtu");
    for ext in ["hdf5", "pickle", "msgpack"] {
        let plain = outputs("to-numpy", &input, &format!("out.{ext}"), &[]);
        let synced = outputs("to-numpy", &input, &format!("out.{ext}"), &["--sync"]);
        assert_identical(
            &format!("mesh -> .{ext} with --sync"),
            &[plain[0].clone(), synced[0].clone()],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("mesh.hdf5");
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        tree.to_str().unwrap(),
        "--sync",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    for name in ["out.vtu", "out.vtk"] {
        let plain = outputs("from-numpy", &tree, name, &[]);
        let synced = outputs("from-numpy", &tree, name, &["--sync"]);
        assert_identical(
            &format!("mesh.hdf5 -> {name} with --sync"),
            &[plain[0].clone(), synced[0].clone()],
        );
    }
}
