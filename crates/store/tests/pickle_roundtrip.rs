//! Pickle write -> read is the identity, for every dtype, layout, protocol and tree shape.

// Exact float comparisons are intended (values must round-trip bit for bit); the rest is test style.
#![allow(
    clippy::float_cmp,
    clippy::cast_lossless,
    clippy::unnested_or_patterns,
    clippy::doc_markdown,
    clippy::redundant_closure_for_method_calls
)]

use std::path::Path;

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};
use arraydict_store::pickle::{
    read_bytes, read_node_bytes, write_to, PickleLimits, PickleWriteOptions,
};
use arraydict_store::testing::pickle_bytes;
use arraydict_store::StoreError;

const PROTOCOLS: [u8; 4] = [2, 3, 4, 5];

fn roundtrip(tree: &Dict, protocol: u8) -> Dict {
    let bytes = pickle_bytes(tree, protocol);
    read_bytes(&bytes, Path::new("t.pickle"), &PickleLimits::default()).unwrap()
}

/// Values covering each type's extremes, `n` of them.
fn sample(dtype: DType, n: usize) -> ArrayData {
    let i = (0..n).map(|k| k as i64 * 7919 - 3);
    match dtype {
        DType::I8 => ArrayData::I8(
            i.map(|k| [i8::MIN, i8::MAX, k as i8][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::U8 => ArrayData::U8(
            i.map(|k| [0, u8::MAX, k as u8][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::I16 => ArrayData::I16(
            i.map(|k| [i16::MIN, i16::MAX, k as i16][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::U16 => ArrayData::U16(
            i.map(|k| [0, u16::MAX, k as u16][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::I32 => ArrayData::I32(
            i.map(|k| [i32::MIN, i32::MAX, k as i32][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::U32 => ArrayData::U32(
            i.map(|k| [0, u32::MAX, k as u32][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::I64 => ArrayData::I64(
            i.map(|k| [i64::MIN, i64::MAX, k][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::U64 => ArrayData::U64(
            i.map(|k| [0, u64::MAX, k as u64][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::F32 => ArrayData::F32(
            i.map(|k| [f32::MIN, f32::INFINITY, k as f32 * 0.25][k.rem_euclid(3) as usize])
                .collect(),
        ),
        DType::F64 => ArrayData::F64(
            i.map(|k| {
                [f64::MIN_POSITIVE, f64::NEG_INFINITY, k as f64 / 3.0][k.rem_euclid(3) as usize]
            })
            .collect(),
        ),
    }
}

fn single(key: &str, a: NdArray) -> Dict {
    let mut d = Dict::new();
    d.insert(key, a);
    d
}

#[test]
fn every_dtype_every_protocol() {
    for p in PROTOCOLS {
        for dt in DType::ALL {
            let a = NdArray::c(sample(dt, 12), vec![4, 3]).unwrap();
            let tree = single("A", a);
            assert_eq!(roundtrip(&tree, p), tree, "protocol {p} dtype {dt:?}");
        }
    }
}

#[test]
fn zero_length_arrays() {
    for p in PROTOCOLS {
        for shape in [vec![0], vec![0, 3], vec![5, 0, 2]] {
            let tree = single(
                "Empty",
                NdArray::c(ArrayData::F32(vec![]), shape.clone()).unwrap(),
            );
            assert_eq!(roundtrip(&tree, p), tree, "protocol {p} shape {shape:?}");
        }
    }
}

#[test]
fn zero_dimensional_arrays() {
    for p in PROTOCOLS {
        let tree = single(
            "Scalar",
            NdArray::c(ArrayData::F64(vec![2.5]), vec![]).unwrap(),
        );
        assert_eq!(roundtrip(&tree, p), tree, "protocol {p}");
    }
}

#[test]
fn fortran_3d_arrays_stay_fortran() {
    let data: Vec<i16> = (0..(5 * 4 * 3)).map(|x| x as i16 - 30).collect();
    let a = NdArray::new(ArrayData::I16(data), vec![5, 4, 3], MemoryOrder::F).unwrap();
    let mut pd = Dict::new();
    pd.insert("MetaImage", a.clone());
    let mut tree = Dict::new();
    tree.insert("PointData", pd);
    for p in PROTOCOLS {
        let back = roundtrip(&tree, p);
        let b = back.array_at("/PointData/MetaImage").unwrap();
        assert_eq!(b.order(), &MemoryOrder::F, "protocol {p}");
        assert_eq!(b, &a, "protocol {p}");
        assert_eq!(b.get_f64(&[4, 1, 2]), a.get_f64(&[4, 1, 2]));
    }
}

#[test]
fn permuted_arrays_keep_values_and_layout_in_protocol_5() {
    let a = NdArray::new(
        ArrayData::I64((0..24).collect()),
        vec![3, 2, 4],
        MemoryOrder::Permuted(vec![1, 0, 2]),
    )
    .unwrap();
    let tree = single("P", a.clone());
    for p in PROTOCOLS {
        let back = roundtrip(&tree, p);
        let b = back.array_at("/P").unwrap();
        assert_eq!(b.shape(), &[3, 2, 4]);
        if p == 5 {
            assert_eq!(b, &a, "protocol 5 keeps the permutation");
        } else {
            assert_eq!(b.order(), &MemoryOrder::C, "protocol {p} writes C order");
        }
        assert_eq!(
            b.clone().into_c_order(),
            a.clone().into_c_order(),
            "protocol {p}"
        );
    }
}

#[test]
fn nested_and_empty_dicts_keep_key_order() {
    let mut inner = Dict::new();
    inner.insert("z", NdArray::vector(vec![1u8, 2]));
    inner.insert("a", Dict::new());
    inner.insert("m", NdArray::vector(vec![3.0f64]));
    let mut tree = Dict::new();
    tree.insert("Zeta", inner);
    tree.insert("Empty", Dict::new());
    tree.insert("Alpha", NdArray::vector(vec![7i32]));
    for p in PROTOCOLS {
        let back = roundtrip(&tree, p);
        assert_eq!(back, tree, "protocol {p}");
        assert_eq!(back.keys().collect::<Vec<_>>(), ["Zeta", "Empty", "Alpha"]);
        assert_eq!(
            back.at("/Zeta")
                .and_then(Node::as_dict)
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["z", "a", "m"]
        );
    }
    assert_eq!(roundtrip(&Dict::new(), 4), Dict::new());
}

#[test]
fn lists_of_0_to_20_arrays() {
    for n in 0..=20usize {
        let list: Vec<NdArray> = (0..n)
            .map(|i| NdArray::vector((0..i as i32).collect::<Vec<_>>()))
            .collect();
        let mut cd = Dict::new();
        cd.insert("CellPointIds", list);
        let tree = single_dict("CellData", cd);
        for p in PROTOCOLS {
            assert_eq!(roundtrip(&tree, p), tree, "protocol {p}, {n} arrays");
        }
    }
}

fn single_dict(key: &str, d: Dict) -> Dict {
    let mut t = Dict::new();
    t.insert(key, d);
    t
}

#[test]
fn more_than_one_batch_of_items() {
    let mut tree = Dict::new();
    for i in 0..2501 {
        tree.insert(format!("k{i}"), NdArray::vector(vec![i as u16]));
    }
    tree.insert(
        "list",
        (0..1001)
            .map(|i| NdArray::vector(vec![i as f32]))
            .collect::<Vec<_>>(),
    );
    for p in PROTOCOLS {
        assert_eq!(roundtrip(&tree, p), tree, "protocol {p}");
    }
}

#[test]
fn unicode_and_long_keys() {
    let mut tree = Dict::new();
    tree.insert("Ünïcødé ✓ 血管", NdArray::vector(vec![1u8]));
    tree.insert("", NdArray::vector(vec![2u8]));
    tree.insert("k".repeat(300), NdArray::vector(vec![3u8]));
    for p in PROTOCOLS {
        assert_eq!(roundtrip(&tree, p), tree, "protocol {p}");
    }
}

#[test]
fn large_arrays_are_written_outside_frames() {
    // > 64 KiB goes straight from the buffer; protocol 2 re-encodes bytes >= 0x80 as latin-1 text.
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 37 % 256) as u8).collect();
    let tree = single("Big", NdArray::c(data, vec![300, 1000]).unwrap());
    for p in PROTOCOLS {
        let bytes = pickle_bytes(&tree, p);
        let back = read_bytes(&bytes, Path::new("t"), &PickleLimits::default()).unwrap();
        assert_eq!(back, tree, "protocol {p}");
        if p >= 3 {
            assert!(
                bytes.len() < 300_000 + 1000,
                "protocol {p} stores the raw bytes once ({} bytes)",
                bytes.len()
            );
        }
    }
}

#[test]
fn node_reader_accepts_any_top_level_and_dict_reader_requires_a_dict() {
    let tree = single("A", NdArray::vector(vec![1.0f32]));
    let bytes = pickle_bytes(&tree, 4);
    let node = read_node_bytes(&bytes, Path::new("t"), &PickleLimits::default()).unwrap();
    assert_eq!(node, Node::Dict(tree));
    // a bare list at top level: PROTO 4, EMPTY_LIST, STOP
    let list = [0x80, 4, b']', b'.'];
    assert_eq!(
        read_node_bytes(&list, Path::new("t"), &PickleLimits::default()).unwrap(),
        Node::List(vec![])
    );
    let err = read_bytes(&list, Path::new("t"), &PickleLimits::default()).unwrap_err();
    assert!(err.to_string().contains("expected a dict"), "{err}");
}

#[test]
fn unsupported_protocols_are_refused() {
    for protocol in [0, 1, 6] {
        let mut out = Vec::new();
        let err = write_to(
            &mut out,
            &Dict::new(),
            &PickleWriteOptions { protocol },
            Path::new("t"),
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::Unsupported { .. }), "{err}");
    }
    assert_eq!(PickleWriteOptions::default().protocol, 4);
}
