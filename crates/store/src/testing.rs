//! The conformance suite every storage backend passes (feature `testing`), in the manner of
//! zarrs' `store_test`: random trees are written and read back, and the result must be the
//! input up to what the format defines.
//!
//! What each backend preserves:
//! - All: keys and their order, dtypes, shapes and every value bit (NaN payloads included).
//! - Memory order is not compared: HDF5 and MessagePack return C order, pickle keeps the order it
//!   wrote; arrays are compared by logical value.
//! - HDF5 cannot tell an empty list from an empty dict (both are empty groups; they read back as
//!   dicts), nor a dict of arrays keyed exactly `'0'..'n-1'` from a list (read back as a list,
//!   SPEC 7.8). [`expected_after_round_trip`] applies exactly these rules.

use std::path::Path;

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::{read, write, Compression, ReadOptions, StoreError, StoreFormat, WriteOptions};

/// Keys: any Unicode except what HDF5 cannot name (`/`, NUL, `.` alone, empty).
fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_]{0,10}",
        "[a-zé中😀 .-]{1,6}".prop_filter("'.' is not an HDF5 name", |k| k != "."),
        (0usize..3).prop_map(|i| i.to_string()),
    ]
}

fn arb_dtype() -> impl Strategy<Value = DType> {
    proptest::sample::select(DType::ALL.to_vec())
}

/// An array of any dtype, 0-3 dimensions (0-length axes included), in C, Fortran or a permuted
/// memory order, with arbitrary bytes as values.
pub fn arb_array() -> impl Strategy<Value = NdArray> {
    (
        arb_dtype(),
        proptest::collection::vec(0usize..5, 0..=3),
        0u8..3,
    )
        .prop_flat_map(|(dtype, shape, order_pick)| {
            let n: usize = shape.iter().product();
            proptest::collection::vec(any::<u8>(), n * dtype.size()).prop_map(move |bytes| {
                let data = ArrayData::from_le_bytes(dtype, &bytes).expect("whole elements");
                let order = match (shape.len(), order_pick) {
                    (2.., 1) => MemoryOrder::F,
                    (3, 2) => MemoryOrder::Permuted(vec![1, 2, 0]),
                    _ => MemoryOrder::C,
                };
                NdArray::new(data, shape.clone(), order).expect("consistent shape")
            })
        })
}

/// A Fortran-ordered 3-D array, as images are.
pub fn arb_image() -> impl Strategy<Value = NdArray> {
    (arb_dtype(), 1usize..12, 1usize..12, 1usize..6).prop_flat_map(|(dtype, nx, ny, nz)| {
        proptest::collection::vec(any::<u8>(), nx * ny * nz * dtype.size()).prop_map(move |bytes| {
            let data = ArrayData::from_le_bytes(dtype, &bytes).expect("whole elements");
            NdArray::new(data, vec![nx, ny, nz], MemoryOrder::F).expect("consistent shape")
        })
    })
}

/// A random tree: nested dicts (empty ones too), arrays, images and lists of 0-20 arrays.
pub fn arb_tree() -> impl Strategy<Value = Dict> {
    let leaf = prop_oneof![
        4 => arb_array().prop_map(Node::Array),
        1 => arb_image().prop_map(Node::Array),
        1 => proptest::collection::vec(arb_array(), 0..=20).prop_map(Node::List),
        1 => Just(Node::Dict(Dict::new())),
    ];
    let node = leaf.prop_recursive(3, 24, 5, |inner| {
        proptest::collection::vec((arb_key(), inner), 0..5)
            .prop_map(|entries| Node::Dict(entries.into_iter().collect()))
    });
    proptest::collection::vec((arb_key(), node), 0..6)
        .prop_map(|entries| entries.into_iter().collect())
}

/// `tree` pickled in memory with `protocol`, as the pickle tests start from.
pub fn pickle_bytes(tree: &Dict, protocol: u8) -> Vec<u8> {
    let mut out = Vec::new();
    crate::pickle::write_to(
        &mut out,
        tree,
        &crate::pickle::PickleWriteOptions { protocol },
        Path::new("t.pickle"),
    )
    .expect("pickling an in-memory tree");
    out
}

/// The tree `format` gives back for `tree` (see the module documentation).
pub fn expected_after_round_trip(format: StoreFormat, tree: &Dict) -> Dict {
    if format != StoreFormat::Hdf5 {
        return tree.clone();
    }
    tree.iter()
        .map(|(k, node)| {
            let node = match node {
                Node::List(l) if l.is_empty() => Node::Dict(Dict::new()),
                Node::Dict(d) => crate::h5::as_list(expected_after_round_trip(format, d)),
                other => other.clone(),
            };
            (k.to_owned(), node)
        })
        .collect()
}

/// Compares two trees key by key, in order, and arrays by dtype, shape and logical bytes.
pub fn compare_trees(expected: &Dict, actual: &Dict) -> Result<(), String> {
    compare_dicts(expected, actual, "")
}

fn compare_dicts(expected: &Dict, actual: &Dict, prefix: &str) -> Result<(), String> {
    let ek: Vec<&str> = expected.keys().collect();
    let ak: Vec<&str> = actual.keys().collect();
    if ek != ak {
        return Err(format!("{prefix}/: keys {ak:?}, expected {ek:?}"));
    }
    for ((k, e), (_, a)) in expected.iter().zip(actual.iter()) {
        let key = format!("{prefix}/{k}");
        match (e, a) {
            (Node::Dict(e), Node::Dict(a)) => compare_dicts(e, a, &key)?,
            (Node::Array(e), Node::Array(a)) => compare_arrays(e, a, &key)?,
            (Node::List(e), Node::List(a)) => {
                if e.len() != a.len() {
                    return Err(format!("{key}: list of {}, expected {}", a.len(), e.len()));
                }
                for (i, (e, a)) in e.iter().zip(a).enumerate() {
                    compare_arrays(e, a, &format!("{key}/{i}"))?;
                }
            }
            (e, a) => {
                return Err(format!(
                    "{key}: a {}, expected a {}",
                    a.type_name(),
                    e.type_name()
                ))
            }
        }
    }
    Ok(())
}

/// Same dtype, shape and logical values (bit for bit), whatever the memory orders.
pub fn compare_arrays(expected: &NdArray, actual: &NdArray, key: &str) -> Result<(), String> {
    if expected.dtype() != actual.dtype() || expected.shape() != actual.shape() {
        return Err(format!(
            "{key}: {} {:?}, expected {} {:?}",
            actual.dtype(),
            actual.shape(),
            expected.dtype(),
            expected.shape()
        ));
    }
    let e = expected.clone().into_c_order();
    let a = actual.clone().into_c_order();
    if e.data().as_bytes() != a.data().as_bytes() {
        return Err(format!("{key}: values differ"));
    }
    Ok(())
}

/// Writes `tree` to `path` with `format` and `compression`, and reads it back.
pub fn round_trip(
    path: &Path,
    format: StoreFormat,
    compression: Compression,
    tree: &Dict,
) -> Result<Dict, StoreError> {
    write(
        path,
        tree,
        &WriteOptions {
            format: Some(format),
            compression,
            ..WriteOptions::default()
        },
    )?;
    read(
        path,
        &ReadOptions {
            format: Some(format),
            ..ReadOptions::default()
        },
    )
}

/// Runs the suite for `format`: `cases` random trees per compression setting (HDF5 is checked
/// both gzip-compressed and contiguous). Panics with the failing tree on a mismatch.
pub fn conformance(format: StoreFormat, cases: u32) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(format!("tree.{}", format.extension()));
    let compressions: &[Compression] = if format == StoreFormat::Hdf5 {
        &[Compression::Gzip(4), Compression::None]
    } else {
        &[Compression::default()]
    };
    for &compression in compressions {
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&arb_tree(), |tree| {
            let back = round_trip(&path, format, compression, &tree)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            compare_trees(&expected_after_round_trip(format, &tree), &back)
                .map_err(TestCaseError::fail)
        });
        if let Err(e) = result {
            panic!("{format:?} with {compression:?}: {e}");
        }
    }
}

/// Writes an HDF5 file as h5py users make them, with entries no `ArrayDict` holds: `/Points`
/// (f8 (2, 3)), `/PointData/Radius` (f4 (2,)), `/PointData/Name` (a variable-length string
/// dataset, as `f["Name"] = "aorta"` writes), and `/Alias` (a soft link to `/Points`).
pub fn hdf5_with_unsupported_entries(path: &Path) -> hdf5::Result<()> {
    use hdf5::types::VarLenUnicode;
    // No flock: HDF5 opens without O_CLOEXEC, so a command another test spawns meanwhile would
    // inherit the lock and the command under test could not open the file (seen: errno 11).
    let file = hdf5::File::with_options()
        .with_fapl(|p| p.file_locking(false))
        .create(path)?;
    file.new_dataset::<f64>()
        .shape([2, 3])
        .create("Points")?
        .write_raw(&[0.0f64, 1.0, 2.0, 3.0, 4.0, 5.0])?;
    let pd = file.create_group("PointData")?;
    pd.new_dataset_builder()
        .with_data(&[0.5f32, 1.5])
        .create("Radius")?;
    let name: VarLenUnicode = "aorta"
        .parse()
        .map_err(|e| hdf5::Error::from(format!("{e:?}")))?;
    pd.new_dataset_builder().with_data(&[name]).create("Name")?;
    file.link_soft("/Points", "Alias")?;
    Ok(())
}
