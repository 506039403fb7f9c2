//! ArrayDict -> VTK model conversion, structure-aware: `arbitrary` builds trees from the SPEC's key
//! vocabulary (plus arbitrary keys), any dtype, small shapes and any memory order, so the validator
//! and the converters see near-valid trees instead of noise.
//!
//! Invariants checked besides "no panic": a tree that converts to a dataset converts back, and the
//! dataset survives the XML writer and reader. `CellPointIds` is sometimes a built legacy cell stream
//! (SPEC 6's form of mixed-size surfaces), valid or nearly so.
#![no_main]

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use arraydict::{
    from_arraydict, to_arraydict, validate, ArrayData, DType, Dict, Kind, MemoryOrder,
};
use arraydict::{NdArray, Node, ToArrayDictOptions};
use libfuzzer_sys::fuzz_target;
use vtk_formats::xml::{self, XmlCompression, XmlEncoding, XmlWriteOptions};

/// Keys the four schemas use (SPEC section 4 and our extensions), so lookups hit.
const KEYS: &[&str] = &[
    "Points",
    "PointData",
    "CellData",
    "CellPointIds",
    "CellKindCounts",
    "Origin",
    "Spacing",
    "Dimensions",
    "Direction",
    "ExtentStart",
    "Cells",
    "CellLocations",
    "CellTypes",
    "CellTypesAsStrings",
    "PolyhedronFaces",
    "PolyhedronFaceLocations",
    "Scalars",
    "Normals",
    "",
    "a/b",
    "MaximumInscribedSphereRadius",
];

#[derive(Debug)]
struct Tree(Dict);

impl<'a> Arbitrary<'a> for Tree {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Tree(dict(u, 0)?))
    }
}

fn key(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    if u.ratio(7, 8)? {
        Ok((*u.choose(KEYS)?).to_owned())
    } else {
        String::arbitrary(u)
    }
}

fn dict(u: &mut Unstructured<'_>, depth: usize) -> arbitrary::Result<Dict> {
    let mut d = Dict::new();
    let n = u.int_in_range(0..=8)?;
    for _ in 0..n {
        let k = key(u)?;
        // SPEC 6's surface cell stream is hard to hit by chance: build one, mostly well-formed.
        if k == "CellPointIds" && u.ratio(1, 3)? {
            d.insert(k, Node::Array(cell_stream(u)?));
            continue;
        }
        let node = match u.int_in_range(0..=5)? {
            0 if depth < 3 => Node::Dict(dict(u, depth + 1)?),
            1 => {
                let len = u.int_in_range(0..=4)?;
                Node::List(
                    (0..len)
                        .map(|_| array(u))
                        .collect::<arbitrary::Result<_>>()?,
                )
            }
            _ => Node::Array(array(u)?),
        };
        d.insert(k, node);
    }
    Ok(d)
}

fn array(u: &mut Unstructured<'_>) -> arbitrary::Result<NdArray> {
    let dtype = *u.choose(&DType::ALL)?;
    let ndim = u.int_in_range(0..=3)?;
    let shape: Vec<usize> = (0..ndim)
        .map(|_| u.int_in_range(0..=12))
        .collect::<arbitrary::Result<_>>()?;
    let n: usize = shape.iter().product();
    let order = match u.int_in_range(0..=3)? {
        0 => MemoryOrder::F,
        1 => {
            let mut axes: Vec<usize> = (0..ndim).collect();
            for i in (1..axes.len()).rev() {
                let j = u.int_in_range(0..=i)?;
                axes.swap(i, j);
            }
            MemoryOrder::Permuted(axes)
        }
        _ => MemoryOrder::C,
    };
    // Values: mostly small integers (valid ids and counts), sometimes raw bytes (NaN, huge, negative).
    let data = if u.ratio(1, 2)? {
        let vals: Vec<i64> = (0..n)
            .map(|_| u.int_in_range(-2..=20))
            .collect::<arbitrary::Result<_>>()?;
        small_ints(dtype, &vals)
    } else {
        let mut bytes = vec![0u8; n * dtype.size()];
        u.fill_buffer(&mut bytes)?;
        ArrayData::from_le_bytes(dtype, &bytes).map_err(|_| arbitrary::Error::IncorrectFormat)?
    };
    NdArray::new(data, shape, order).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// A 1-D legacy cell stream `[n0, ids0..., n1, ...]` of any integer dtype: counts 0..=6 and ids
/// -1..=12 (so some are out of range for the points), now and then a negative, oversized or huge
/// count, or a stream cut short.
fn cell_stream(u: &mut Unstructured<'_>) -> arbitrary::Result<NdArray> {
    let dtype = *u.choose(&[
        DType::I32,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::I16,
        DType::U64,
    ])?;
    let mut v = Vec::new();
    for _ in 0..u.int_in_range(0..=8)? {
        let n = u.int_in_range(0..=6)?;
        let count = match u.int_in_range(0..=15)? {
            0 => -1,
            1 => n + 3,
            2 => i64::MAX,
            _ => n,
        };
        v.push(count);
        for _ in 0..n {
            v.push(u.int_in_range(-1..=12)?);
        }
    }
    if u.ratio(1, 10)? {
        v.pop();
    }
    let len = v.len();
    NdArray::new(small_ints(dtype, &v), vec![len], MemoryOrder::C)
        .map_err(|_| arbitrary::Error::IncorrectFormat)
}

fn small_ints(dtype: DType, v: &[i64]) -> ArrayData {
    match dtype {
        DType::I8 => ArrayData::I8(v.iter().map(|&x| x as i8).collect()),
        DType::U8 => ArrayData::U8(v.iter().map(|&x| x as u8).collect()),
        DType::I16 => ArrayData::I16(v.iter().map(|&x| x as i16).collect()),
        DType::U16 => ArrayData::U16(v.iter().map(|&x| x as u16).collect()),
        DType::I32 => ArrayData::I32(v.iter().map(|&x| x as i32).collect()),
        DType::U32 => ArrayData::U32(v.iter().map(|&x| x as u32).collect()),
        DType::I64 => ArrayData::I64(v.to_vec()),
        DType::U64 => ArrayData::U64(v.iter().map(|&x| x as u64).collect()),
        DType::F32 => ArrayData::F32(v.iter().map(|&x| x as f32).collect()),
        DType::F64 => ArrayData::F64(v.iter().map(|&x| x as f64).collect()),
    }
}

fuzz_target!(|input: (Tree, u8)| {
    let (Tree(tree), pick) = input;
    let kind = Kind::ALL[usize::from(pick) % Kind::ALL.len()];
    let _ = validate(&tree, kind);
    let _ = arraydict::detect_kind(&tree);
    let Ok(ds) = from_arraydict(tree, kind) else {
        return;
    };
    let back = to_arraydict(ds.clone(), kind, &ToArrayDictOptions::default());
    assert!(
        back.is_ok(),
        "converted {kind} tree does not convert back: {back:?}"
    );
    let mut bytes = Vec::new();
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::AppendedRaw,
        compression: XmlCompression::None,
        ..XmlWriteOptions::default()
    };
    let ext = match kind {
        Kind::Image => "vti",
        Kind::Mesh => "vtu",
        _ => "vtp",
    };
    let path = format!("fuzz.{ext}");
    if xml::write_to(&mut bytes, &ds, &opts).is_ok() {
        let again = xml::read_bytes(
            &bytes,
            Path::new(&path),
            &vtk_formats::ReadOptions::default(),
        );
        assert!(again.is_ok(), "our own XML does not read back: {again:?}");
    }
});
