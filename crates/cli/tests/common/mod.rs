//! Helpers for driving the built `arraydict` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args`.
pub fn arraydict(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_arraydict"))
        .args(args)
        .output()
        .expect("run arraydict");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Every fixture file listed in `fixtures/manifest.json`, with its manifest entry.
pub fn fixtures() -> Vec<(PathBuf, serde_json::Value)> {
    let root = workspace().join("fixtures");
    let text = std::fs::read_to_string(root.join("manifest.json"))
        .expect("fixtures/manifest.json (run `cargo xtask fixtures`)");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    let entries = manifest
        .get("fixtures")
        .and_then(|f| f.as_array())
        .cloned()
        .expect("manifest lists fixtures");
    entries
        .into_iter()
        .map(|e| {
            let file = e
                .get("path")
                .and_then(|f| f.as_str())
                .expect("entry has file")
                .to_string();
            (root.join(file), e)
        })
        .collect()
}

/// The first committed `.vtp` fixture whose name contains `name`.
pub fn fixture(name: &str) -> Option<PathBuf> {
    let hit = fixtures()
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.extension().is_some_and(|e| e == "vtp") && p.to_string_lossy().contains(name));
    assert!(hit.is_some(), "no .vtp fixture named like '{name}'");
    hit
}

/// Writes `bytes` to `dir/name`.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test input");
    p
}

/// A surface ArrayDict in MessagePack whose `CellPointIds` name point 7 of 3 points.
pub fn msgpack_surface_with_bad_ids() -> Vec<u8> {
    use arraydict::{Dict, NdArray};
    let mut tree = Dict::new();
    tree.insert("Points", NdArray::c(vec![0.0f32; 9], vec![3, 3]).unwrap());
    tree.insert("PointData", Dict::new());
    let mut cd = Dict::new();
    cd.insert(
        "CellPointIds",
        NdArray::c(vec![0i32, 1, 7], vec![1, 3]).unwrap(),
    );
    tree.insert("CellData", cd);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.msgpack");
    arraydict_store::write(&p, &tree, &arraydict_store::WriteOptions::default())
        .expect("write msgpack");
    std::fs::read(p).unwrap()
}

/// Writes a binary legacy `.vtk` triangle strip-like surface of `n` points (big enough that
/// writing it takes a while).
pub fn big_surface(dir: &Path, n: usize) -> PathBuf {
    use std::io::Write;
    let path = dir.join("big.vtk");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(
        f,
        "# vtk DataFile Version 4.2\nbig\nBINARY\nDATASET POLYDATA\nPOINTS {n} float\n"
    )
    .unwrap();
    for i in 0..n {
        let x = i as f32;
        for v in [x, (x * 0.37).sin(), (x * 0.11).cos()] {
            f.write_all(&v.to_be_bytes()).unwrap();
        }
    }
    let m = n - 2;
    write!(f, "\nPOLYGONS {m} {}\n", 4 * m).unwrap();
    for i in 0..m {
        for v in [3, i, i + 1, i + 2] {
            f.write_all(&(v as i32).to_be_bytes()).unwrap();
        }
    }
    writeln!(f).unwrap();
    f.into_inner().unwrap().sync_all().unwrap();
    path
}
