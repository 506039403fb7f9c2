//! Pickle interop with stock Python + numpy (ignored by default; `cargo xtask test` sets
//! ARRAYDICT_PYTHON (numpy 2.x) and ARRAYDICT_PYTHON_NP1 (numpy 1.26)). Python runs with
//! `-W error`, so a warning while loading fails the test.

// Exact float comparisons are intended (values must round-trip bit for bit); the rest is test style.
#![allow(
    clippy::float_cmp,
    clippy::cast_lossless,
    clippy::unnested_or_patterns,
    clippy::doc_markdown,
    clippy::redundant_closure_for_method_calls
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};
use arraydict_store::pickle::{read_bytes, write_to, PickleLimits, PickleWriteOptions};
use serde_json::{json, Value};

fn python(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: this interop test needs a Python venv with numpy (`cargo xtask test` creates it)"))
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

fn run(py: &str, args: &[&Path]) -> Output {
    Command::new(py)
        .arg("-W")
        .arg("error")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {py}: {e}"))
}

fn order_name(a: &NdArray) -> &'static str {
    if a.is_c_contiguous() {
        "C"
    } else if a.is_f_contiguous() {
        "F"
    } else {
        "K"
    }
}

fn values(a: &NdArray) -> Vec<Value> {
    let c = a.clone().into_c_order();
    match c.data() {
        ArrayData::I64(v) => v.iter().map(|&x| json!(x)).collect(),
        ArrayData::U64(v) => v.iter().map(|&x| json!(x)).collect(),
        d => d.to_f64_vec().into_iter().map(|x| json!(x)).collect(),
    }
}

fn array_json(path: &str, a: &NdArray, protocol: u8) -> Value {
    // protocols 2-4 write permuted layouts in C order
    let order = if protocol < 5 && order_name(a) == "K" {
        "C"
    } else {
        order_name(a)
    };
    json!({"path": path, "type": "array", "dtype": a.dtype().numpy_str(), "shape": a.shape(), "order": order, "values": values(a)})
}

fn describe(tree: &Dict, prefix: &str, protocol: u8, out: &mut Vec<Value>) {
    out.push(json!({"path": if prefix.is_empty() { "/" } else { prefix }, "type": "dict", "keys": tree.keys().collect::<Vec<_>>()}));
    for (k, node) in tree.iter() {
        let p = format!("{prefix}/{k}");
        match node {
            Node::Dict(d) => describe(d, &p, protocol, out),
            Node::Array(a) => out.push(array_json(&p, a, protocol)),
            Node::List(l) => {
                out.push(json!({"path": p, "type": "list", "len": l.len()}));
                out.extend(
                    l.iter()
                        .enumerate()
                        .map(|(i, a)| array_json(&format!("{p}/{i}"), a, protocol)),
                );
            }
        }
    }
}

fn sample_tree() -> Dict {
    let mut tree = Dict::new();
    let mut pd = Dict::new();
    for (i, dt) in DType::ALL.into_iter().enumerate() {
        let data = ArrayData::from_le_bytes(dt, &vec![0u8; dt.size() * 6]).unwrap();
        let mut a = NdArray::c(data, vec![2, 3]).unwrap().into_data();
        for (k, b) in a.as_bytes_mut().iter_mut().enumerate() {
            // small positive values in every type (top byte of each element stays clear)
            *b = if (k + 1) % dt.size() == 0 && dt.size() > 1 {
                0
            } else {
                (k * 13 + i) as u8 % 100
            };
        }
        pd.insert(
            format!("{}_{}", dt.numpy_code(), "ä"),
            NdArray::c(a, vec![2, 3]).unwrap(),
        );
    }
    let image: Vec<f32> = (0..(6 * 5 * 4)).map(|x| x as f32 * 0.5 - 3.0).collect();
    pd.insert(
        "MetaImage",
        NdArray::new(ArrayData::F32(image), vec![6, 5, 4], MemoryOrder::F).unwrap(),
    );
    pd.insert(
        "Permuted",
        NdArray::new(
            ArrayData::I64((0..24).collect()),
            vec![3, 2, 4],
            MemoryOrder::Permuted(vec![1, 0, 2]),
        )
        .unwrap(),
    );
    pd.insert(
        "Big",
        NdArray::c(
            (0..100_000u32)
                .map(|x| x.wrapping_mul(2_654_435_761))
                .collect::<Vec<_>>(),
            vec![50_000, 2],
        )
        .unwrap(),
    );
    pd.insert(
        "Empty",
        NdArray::c(ArrayData::F64(vec![]), vec![0, 3]).unwrap(),
    );
    pd.insert(
        "ZeroD",
        NdArray::c(ArrayData::I32(vec![-5]), vec![]).unwrap(),
    );
    tree.insert("PointData", pd);
    let mut cd = Dict::new();
    cd.insert(
        "CellPointIds",
        (0..4)
            .map(|n| NdArray::vector((0..n).collect::<Vec<i32>>()))
            .collect::<Vec<_>>(),
    );
    tree.insert("CellData", cd);
    tree.insert("EmptyDict", Dict::new());
    tree
}

#[test]
#[ignore = "python interop: run `cargo xtask test`"]
fn interop_pickle_python_loads_ours() {
    let np2 = python("ARRAYDICT_PYTHON");
    let np1 = python("ARRAYDICT_PYTHON_NP1");
    let dir = tempfile::tempdir().unwrap();
    let tree = sample_tree();
    for protocol in [2u8, 3, 4, 5] {
        let file = dir.path().join(format!("ours_p{protocol}.pickle"));
        let mut bytes = Vec::new();
        write_to(&mut bytes, &tree, &PickleWriteOptions { protocol }, &file).unwrap();
        std::fs::write(&file, &bytes).unwrap();
        let mut expected = Vec::new();
        describe(&tree, "", protocol, &mut expected);
        let json_file = dir.path().join(format!("ours_p{protocol}.json"));
        std::fs::write(&json_file, serde_json::to_vec(&expected).unwrap()).unwrap();
        let check = script("pickle_check_ours.py");
        for (py, numpy1) in [(&np2, false), (&np1, true)] {
            let out = run(py, &[&check, &file, &json_file]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if numpy1 && protocol == 5 {
                // documented: numpy 1.x has no numpy._core.numeric._frombuffer
                assert!(
                    !out.status.success(),
                    "numpy 1.x unexpectedly loaded a protocol 5 pickle"
                );
                assert!(
                    stderr.contains("numpy._core"),
                    "unexpected failure: {stderr}"
                );
            } else {
                assert!(out.status.success(), "{py} protocol {protocol}:\n{stderr}");
                assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK"));
            }
        }
    }
}

fn check_against(tree: &Dict, expected: &[Value], file: &str) {
    let mut got = Vec::new();
    describe(tree, "", 5, &mut got);
    assert_eq!(got.len(), expected.len(), "{file}: node count");
    for (g, e) in got.iter().zip(expected) {
        let where_ = format!("{file} {}", e["path"]);
        for field in ["path", "type", "keys", "len", "dtype", "shape"] {
            assert_eq!(g.get(field), e.get(field), "{where_}: {field}");
        }
        if e["type"] == "array" {
            let want: Vec<f64> = e["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let have: Vec<f64> = g["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(have, want, "{where_}: values");
            // C and F layouts survive; numpy writes permuted layouts as C (2-4) or 'K' (5)
            if e["order"] != "K" {
                assert_eq!(g["order"], e["order"], "{where_}: memory order");
            }
        }
    }
}

#[test]
#[ignore = "python interop: run `cargo xtask test`"]
fn interop_pickle_we_read_python_pickles() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for var in ["ARRAYDICT_PYTHON", "ARRAYDICT_PYTHON_NP1"] {
        let py = python(var);
        let out = run(&py, &[&script("pickle_make_vmtk.py"), dir.path()]);
        assert!(
            out.status.success(),
            "{py}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        eprintln!(
            "{var}: numpy {} (VTKArray included: {})",
            report["numpy"], report["vtk"]
        );
        for (name, expected) in report["files"].as_object().unwrap() {
            let path = dir.path().join(name);
            let bytes = std::fs::read(&path).unwrap();
            let tree = read_bytes(&bytes, &path, &PickleLimits::default())
                .unwrap_or_else(|e| panic!("{e}"));
            check_against(&tree, expected.as_array().unwrap(), name);
            seen += 1;
        }
    }
    assert_eq!(seen, 8, "protocols 2-5 from two numpy versions");
}
