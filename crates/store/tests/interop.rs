//! Python interop (ignored by default; run with `cargo xtask test`, which sets `ARRAYDICT_PYTHON`
//! and `ARRAYDICT_PYTHON_NP1`). Both sides describe trees as SPEC section 10's JSON node list with
//! the values added, and every node, key order, dtype, shape and value must agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};
use arraydict_store::{read, write, Compression, ReadOptions, StoreFormat, WriteOptions};
use serde_json::{json, Value};

/// The tests spawn Python while HDF5 files may be open in this process; HDF5's descriptors are
/// inherited by children (no `O_CLOEXEC`) with their locks, so the tests run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn python(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: this interop test needs a Python venv with numpy, h5py and msgpack-numpy (`cargo xtask test` creates it)"))
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

fn run_json(py: &str, args: &[&std::ffi::OsStr]) -> Value {
    let out = Command::new(py)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {py}: {e}"));
    assert!(
        out.status.success(),
        "{py} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the Python script")
}

fn array_json(path: &str, a: &NdArray) -> Value {
    let c = a.clone().into_c_order();
    let values: Vec<Value> = match c.data() {
        ArrayData::I64(v) => v.iter().map(|&x| json!(x)).collect(),
        ArrayData::U64(v) => v.iter().map(|&x| json!(x)).collect(),
        ArrayData::F32(v) => v.iter().map(|&x| json!(f64::from(x))).collect(),
        ArrayData::F64(v) => v.iter().map(|&x| json!(x)).collect(),
        d => (0..d.len()).map(|i| json!(d.get_f64(i) as i64)).collect(),
    };
    json!({"path": path, "type": "array", "dtype": a.dtype().numpy_str(), "shape": a.shape(), "values": values})
}

/// Our tree as the node list the Python scripts print.
fn tree_json(tree: &Dict, prefix: &str, out: &mut Vec<Value>) {
    out.push(json!({"path": if prefix.is_empty() { "/" } else { prefix }, "type": "dict", "keys": tree.keys().collect::<Vec<_>>()}));
    for (k, node) in tree.iter() {
        let p = format!("{prefix}/{k}");
        match node {
            Node::Dict(d) => tree_json(d, &p, out),
            Node::Array(a) => out.push(array_json(&p, a)),
            Node::List(l) => {
                out.push(json!({"path": p, "type": "list", "len": l.len()}));
                out.extend(
                    l.iter()
                        .enumerate()
                        .map(|(i, a)| array_json(&format!("{p}/{i}"), a)),
                );
            }
        }
    }
}

fn nodes(tree: &Dict) -> Vec<Value> {
    let mut v = Vec::new();
    tree_json(tree, "", &mut v);
    v
}

fn assert_same_nodes(ours: &[Value], theirs: &Value, what: &str) {
    let theirs = theirs
        .as_array()
        .unwrap_or_else(|| panic!("{what}: not a node list"));
    assert_eq!(ours.len(), theirs.len(), "{what}: node count");
    for (o, t) in ours.iter().zip(theirs) {
        assert_eq!(o, t, "{what}: node {}", o["path"]);
    }
}

fn interop_tree() -> Dict {
    let mut all = Dict::new();
    for (i, dt) in DType::ALL.into_iter().enumerate() {
        let n = 12;
        let vals: Vec<f64> = (0..n)
            .map(|k| (k as f64 - 3.0) * (i as f64 + 1.5))
            .collect();
        let data = match dt {
            DType::F32 => ArrayData::F32(vals.iter().map(|&x| x as f32 * 0.1).collect()),
            DType::F64 => ArrayData::F64(vals.iter().map(|&x| x * 0.1).collect()),
            DType::I64 => ArrayData::I64(vec![i64::MIN, i64::MAX, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
            DType::U64 => ArrayData::U64(vec![u64::MAX, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            other => {
                let mut d = ArrayData::zeros(other, n);
                for (k, b) in d.as_bytes_mut().iter_mut().enumerate() {
                    *b = (k * 37 + i) as u8;
                }
                d
            }
        };
        all.insert(
            dt.numpy_code(),
            NdArray::new(data, vec![4, 3], MemoryOrder::C).unwrap(),
        );
    }
    let (nx, ny, nz) = (33usize, 20, 9);
    let image = NdArray::new(
        ArrayData::I16(
            (0..nx * ny * nz)
                .map(|v| (v % 3001) as i16 - 1500)
                .collect(),
        ),
        vec![nx, ny, nz],
        MemoryOrder::F,
    )
    .unwrap();
    let mut pd = Dict::new();
    pd.insert("MetaImage", image);
    let mut tree = Dict::new();
    // deliberately not alphabetical: creation order must survive in HDF5
    tree.insert("Zeta", all);
    tree.insert("PointData", pd);
    tree.insert("EmptyDict", Dict::new());
    tree.insert("Empty", NdArray::c(Vec::<f32>::new(), vec![0, 3]).unwrap());
    tree.insert("Scalar", NdArray::c(vec![1.5f64], vec![]).unwrap());
    let cells: Vec<NdArray> = (0..11)
        .map(|i| NdArray::vector((0..=i).collect::<Vec<i32>>()))
        .collect();
    let mut cd = Dict::new();
    cd.insert("CellPointIds", Node::List(cells));
    tree.insert("CellData", cd);
    tree.insert("ünï cødé", NdArray::vector(vec![1u8, 2, 3]));
    tree
}

#[test]
#[ignore = "python interop: run `cargo xtask test`"]
fn interop_hdf5_msgpack_python_loads_ours() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let tree = interop_tree();
    let files: Vec<(PathBuf, StoreFormat, Compression)> = vec![
        (
            dir.path().join("gzip.hdf5"),
            StoreFormat::Hdf5,
            Compression::Gzip(4),
        ),
        (
            dir.path().join("plain.hdf5"),
            StoreFormat::Hdf5,
            Compression::None,
        ),
        (
            dir.path().join("tree.msgpack"),
            StoreFormat::MessagePack,
            Compression::default(),
        ),
    ];
    for (p, f, c) in &files {
        write(
            p,
            &tree,
            &WriteOptions {
                format: Some(*f),
                compression: *c,
                ..WriteOptions::default()
            },
        )
        .unwrap();
    }
    let ours = nodes(&tree);
    for var in ["ARRAYDICT_PYTHON", "ARRAYDICT_PYTHON_NP1"] {
        let py = python(var);
        let mut args: Vec<&std::ffi::OsStr> = vec![script("load_ours.py").into_os_string().leak()];
        args.extend(files.iter().map(|(p, _, _)| p.as_os_str()));
        let result = run_json(&py, &args);
        let numpy = result["numpy"].as_str().unwrap_or("?").to_owned();
        assert_eq!(
            numpy.starts_with("1."),
            var.ends_with("NP1"),
            "{var} has numpy {numpy}"
        );
        for (p, _, _) in &files {
            assert_same_nodes(
                &ours,
                &result[p.to_str().unwrap()],
                &format!("{} under numpy {numpy}", p.display()),
            );
        }
    }
}

#[test]
#[ignore = "python interop: run `cargo xtask test`"]
fn interop_hdf5_we_read_h5py_files() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    for var in ["ARRAYDICT_PYTHON", "ARRAYDICT_PYTHON_NP1"] {
        let py = python(var);
        let sub = dir.path().join(var);
        std::fs::create_dir(&sub).unwrap();
        let result = run_json(&py, &[script("write_h5py.py").as_os_str(), sub.as_os_str()]);
        let files = result["files"].as_object().expect("files");
        assert!(files.len() >= 10, "{files:?}");
        for (path, expected) in files {
            let tree =
                read(Path::new(path), &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
            assert_same_nodes(
                &nodes(&tree),
                expected,
                &format!(
                    "{path} (h5py {}, numpy {})",
                    result["h5py"], result["numpy"]
                ),
            );
        }
    }
}
