//! Hostile and broken pickles: every one fails with a clear error, executes nothing, allocates
//! nothing beyond the input and never panics.

// Exact float comparisons are intended (values must round-trip bit for bit); the rest is test style.
#![allow(
    clippy::float_cmp,
    clippy::cast_lossless,
    clippy::unnested_or_patterns,
    clippy::doc_markdown,
    clippy::redundant_closure_for_method_calls
)]

use std::io::Cursor;
use std::path::Path;

use arraydict::{Dict, NdArray};
use arraydict_store::pickle::{
    read_bytes, read_from, read_node_bytes, write_to, PickleLimits, PickleWriteOptions,
};
use arraydict_store::StoreError;

/// A hand-assembled pickle.
#[derive(Default)]
struct P(Vec<u8>);

impl P {
    fn proto(p: u8) -> Self {
        P(vec![0x80, p])
    }
    fn op(mut self, ops: &[u8]) -> Self {
        self.0.extend_from_slice(ops);
        self
    }
    fn s(mut self, text: &str) -> Self {
        self.0.push(0x8c);
        self.0.push(text.len() as u8);
        self.0.extend_from_slice(text.as_bytes());
        self
    }
    fn global(self, module: &str, name: &str) -> Self {
        self.op(format!("c{module}\n{name}\n").as_bytes())
    }
    fn stack_global(self, module: &str, name: &str) -> Self {
        self.s(module).s(name).op(&[0x93])
    }
    fn bytes(mut self, b: &[u8]) -> Self {
        self.0.push(b'B');
        self.0.extend_from_slice(&(b.len() as u32).to_le_bytes());
        self.0.extend_from_slice(b);
        self
    }
    /// `numpy.dtype(code, False, True)`, without BUILD.
    fn dtype(self, code: &str) -> Self {
        self.stack_global("numpy", "dtype")
            .s(code)
            .op(&[0x89, 0x88, 0x87, b'R'])
    }
    fn stop(self) -> Vec<u8> {
        self.op(b".").0
    }
}

/// Reads from memory, and checks that reading the same bytes as a stream gives the same outcome.
fn read(bytes: &[u8]) -> Result<Dict, StoreError> {
    let path = Path::new("evil.pickle");
    let from_slice = read_bytes(bytes, path, &PickleLimits::default());
    let streamed = read_from(Cursor::new(bytes), path, &PickleLimits::default());
    assert_eq!(format!("{streamed:?}"), format!("{from_slice:?}"));
    from_slice
}

fn forbidden(bytes: &[u8], module: &str, name: &str, offset: u64) {
    match read(bytes) {
        Err(StoreError::ForbiddenGlobal {
            module: m,
            name: n,
            offset: o,
            ..
        }) => {
            assert_eq!((m.as_str(), n.as_str(), o), (module, name, offset));
        }
        other => panic!("expected ForbiddenGlobal {module}.{name}, got {other:?}"),
    }
}

fn malformed(bytes: &[u8], needle: &str) {
    match read(bytes) {
        Err(e @ StoreError::Malformed { .. }) => assert!(e.to_string().contains(needle), "{e}"),
        other => panic!("expected Malformed ({needle}), got {other:?}"),
    }
}

fn too_large(bytes: &[u8], declared: u64) {
    match read(bytes) {
        Err(StoreError::TooLarge { declared: d, .. }) => assert_eq!(d, declared),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

fn unsupported(bytes: &[u8], needle: &str) {
    match read(bytes) {
        Err(e @ StoreError::Unsupported { .. }) => assert!(e.to_string().contains(needle), "{e}"),
        other => panic!("expected Unsupported ({needle}), got {other:?}"),
    }
}

#[test]
fn os_system_via_global() {
    let b = P::proto(2)
        .global("os", "system")
        .op(b"X\x02\x00\x00\x00ls\x85R")
        .stop();
    forbidden(&b, "os", "system", 2);
}

#[test]
fn builtins_eval_via_stack_global() {
    let b = P::proto(4)
        .stack_global("builtins", "eval")
        .s("1+1")
        .op(&[0x85, b'R'])
        .stop();
    forbidden(&b, "builtins", "eval", 2 + 10 + 6);
}

#[test]
fn subprocess_popen() {
    let b = P::proto(4)
        .op(b"}")
        .s("k")
        .stack_global("subprocess", "Popen")
        .s("id")
        .op(&[0x85, b'R', b's'])
        .stop();
    forbidden(&b, "subprocess", "Popen", 3 + 3 + 12 + 7);
}

#[test]
fn posix_system() {
    let b = P::proto(2).global("posix", "system").stop();
    forbidden(&b, "posix", "system", 2);
}

#[test]
fn inst_opcode_names_its_class_too() {
    let b = P::proto(2).op(b"(S'ls'\nios\nsystem\n").stop();
    assert!(matches!(
        read(&b),
        Err(StoreError::ForbiddenGlobal { .. }) | Err(StoreError::Malformed { .. })
    ));
    let b = P::proto(2).op(b"(ios\nsystem\n").stop();
    forbidden(&b, "os", "system", 3);
}

#[test]
fn numpy_functions_off_the_list_are_refused() {
    for (m, n) in [
        ("numpy", "load"),
        ("numpy", "frombuffer"),
        ("numpy.core.multiarray", "fromstring"),
        ("numpy.core.numeric", "frombuffer"),
        ("numpy.lib.npyio", "load"),
        ("numpy.core.multiarray", "_reconstruct_evil"),
        ("numpyx.core.multiarray", "_reconstruct"),
        ("vmtk", "system"),
        ("vmtkevil", "vividict"),
        ("collections", "namedtuple"),
        ("copyreg", "_reconstructor"),
        ("_codecs", "decode"),
        ("vtk.numpy_interface.dataset_adapter", "VTKObjectWrapper"),
    ] {
        let b = P::proto(4).stack_global(m, n).stop();
        forbidden(&b, m, n, (2 + 2 + m.len() + 2 + n.len()) as u64);
    }
}

#[test]
fn forbidden_global_hidden_inside_allowed_arguments() {
    // numpy.dtype(os.system, ...): refused when the global is read, before the REDUCE
    let b = P::proto(4)
        .stack_global("numpy", "dtype")
        .stack_global("os", "system")
        .op(&[0x85, b'R'])
        .stop();
    forbidden(&b, "os", "system", 2 + 15 + 12);
}

#[test]
fn scalar_misuse_with_object_dtype() {
    let b = P::proto(4)
        .stack_global("numpy.core.multiarray", "scalar")
        .dtype("O8")
        .s("payload")
        .op(&[0x86, b'R'])
        .stop();
    unsupported(&b, "object arrays");
}

#[test]
fn scalar_with_wrong_arguments() {
    let b = P::proto(4)
        .stack_global("numpy._core.multiarray", "scalar")
        .s("x")
        .op(&[0x85, b'R'])
        .stop();
    malformed(&b, "REDUCE of Scalar");
    let b = P::proto(4)
        .stack_global("numpy._core.multiarray", "scalar")
        .s("f8")
        .bytes(b"12345678")
        .op(&[0x86, b'R'])
        .stop();
    malformed(&b, "expected a numpy.dtype");
}

#[test]
fn nested_reduce_tricks() {
    // calling the result of a call
    let b = P::proto(4)
        .stack_global("numpy.core.multiarray", "_reconstruct")
        .stack_global("numpy", "ndarray")
        .op(&[b')', 0x43, 1, b'b', 0x87, b'R', b')', b'R'])
        .stop();
    malformed(&b, "calling a ndarray awaiting its state");
    // calling a string, a tuple
    malformed(
        &P::proto(4).s("os.system").op(b")R").stop(),
        "calling a str",
    );
    malformed(&P::proto(4).op(b"))R").stop(), "calling a tuple");
    // _reconstruct of a non-class; encode with another codec; NEWOBJ of a function
    let b = P::proto(4)
        .stack_global("numpy.core.multiarray", "_reconstruct")
        .s("x")
        .op(b")")
        .s("b")
        .op(&[0x87, b'R'])
        .stop();
    malformed(&b, "_reconstruct of a str");
    let b = P::proto(4)
        .stack_global("_codecs", "encode")
        .s("x")
        .s("rot13")
        .op(&[0x86, b'R'])
        .stop();
    unsupported(&b, "rot13");
    let b = P::proto(4)
        .stack_global("_codecs", "encode")
        .op(b")")
        .op(&[0x81])
        .stop();
    malformed(&b, "NEWOBJ of CodecsEncode");
    // BUILD on a class (would set attributes on numpy.ndarray itself in Python)
    let b = P::proto(4)
        .stack_global("numpy", "ndarray")
        .op(b"}b")
        .stop();
    malformed(&b, "BUILD on a class or function");
}

#[test]
fn unsupported_dtypes_are_named() {
    for (code, needle) in [
        ("b1", "bool"),
        ("c16", "complex"),
        ("U3", "string"),
        ("O8", "object"),
        ("V8", "structured"),
        ("f2", "float width"),
    ] {
        unsupported(&P::proto(4).dtype(code).stop(), needle);
    }
}

fn valid_pickle() -> Vec<u8> {
    let mut t = Dict::new();
    let mut pd = Dict::new();
    pd.insert(
        "A",
        NdArray::c((0..12).map(|x| x as f32).collect::<Vec<_>>(), vec![4, 3]).unwrap(),
    );
    pd.insert(
        "L",
        vec![NdArray::vector(vec![1i32, 2]), NdArray::vector(vec![3i32])],
    );
    t.insert("PointData", pd);
    t.insert("Empty", Dict::new());
    let mut out = Vec::new();
    write_to(
        &mut out,
        &t,
        &PickleWriteOptions { protocol: 5 },
        Path::new("t"),
    )
    .unwrap();
    out
}

#[test]
fn truncated_streams_at_every_offset() {
    for protocol in [2u8, 4, 5] {
        let mut t = Dict::new();
        t.insert(
            "A",
            NdArray::c((0..12).map(|x| x as f64).collect::<Vec<_>>(), vec![4, 3]).unwrap(),
        );
        let mut full = Vec::new();
        write_to(
            &mut full,
            &t,
            &PickleWriteOptions { protocol },
            Path::new("t"),
        )
        .unwrap();
        assert!(read(&full).is_ok());
        for cut in 0..full.len() {
            match read(&full[..cut]) {
                Err(StoreError::Malformed { .. } | StoreError::TooLarge { .. }) => {}
                other => panic!("protocol {protocol}, cut at {cut}: {other:?}"),
            }
        }
    }
    let full = valid_pickle();
    for cut in 0..full.len() {
        assert!(read(&full[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let full = valid_pickle();
    for i in 0..full.len() {
        for v in [0u8, 0x28, 0x2e, 0x7f, 0x80, 0xff] {
            let mut b = full.clone();
            b[i] = v;
            let _ = read(&b);
            let _ = read_node_bytes(&b, Path::new("t"), &PickleLimits::default());
        }
    }
}

#[test]
fn memo_get_of_unset_index() {
    malformed(&P::proto(4).op(b"h\x05").stop(), "memo index 5");
    malformed(
        &P::proto(4).op(b"j\xff\xff\xff\xff").stop(),
        "memo index 4294967295",
    );
}

#[test]
fn huge_memo_index_allocates_nothing() {
    // a sparse memo: index 2^32-1 is fine and fetches back the same dict
    let b = P::proto(4)
        .op(b"}r\xff\xff\xff\xff0j\xff\xff\xff\xff")
        .stop();
    assert_eq!(read(&b).unwrap(), Dict::new());
}

#[test]
fn huge_length_prefixes() {
    let huge = 1u64 << 60;
    for opcode in [0x8e, 0x96, 0x8d] {
        let mut b = P::proto(5).op(&[opcode]).0;
        b.extend_from_slice(&huge.to_le_bytes());
        b.extend_from_slice(b"tiny.");
        too_large(&b, huge);
    }
    too_large(&P::proto(4).op(b"X\xff\xff\xff\xffabc.").0, 0xFFFF_FFFF);
    too_large(&P::proto(4).op(b"B\xff\xff\xff\x7fabc.").0, 0x7FFF_FFFF);
    too_large(&P::proto(4).op(b"\x8b\xff\xff\xff\x7fabc.").0, 0x7FFF_FFFF);
    let mut b = P::proto(4).op(&[0x95]).0;
    b.extend_from_slice(&(1u64 << 63).to_le_bytes());
    b.push(b'.');
    too_large(&b, 1 << 63);
}

#[test]
fn deep_mark_nesting() {
    let b = P::proto(4).op(&vec![b'('; 100_000]).stop();
    malformed(&b, "nesting deeper than 64 MARKs");
}

#[test]
fn deep_dict_nesting_without_marks() {
    // {'k': {'k': {... 100k deep}}} built with SETITEM only: no MARKs, so the tree depth limit acts
    let n = 100_000;
    let mut b = P::proto(4).op(b"}");
    for _ in 0..n {
        b = b.s("k").op(b"}");
    }
    let b = b.op(&vec![b's'; n]).stop();
    malformed(&b, "nesting deeper than 64 levels");
}

#[test]
fn deep_list_nesting() {
    let n = 100_000;
    let b = P::proto(4)
        .op(b"}")
        .s("k")
        .op(&vec![b']'; n])
        .op(&vec![b'a'; n - 1])
        .op(b"s")
        .stop();
    unsupported(&b, "/k/0");
}

#[test]
fn self_referencing_dict() {
    // d = {}; d['a'] = d
    // stopped either as a cycle (depth) or as repeated expansion, whichever limit comes first
    match read(&P::proto(4).op(b"}\x94").s("a").op(b"h\x00s").stop()) {
        Err(e @ StoreError::Malformed { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("or a cycle") || m.contains("referenced repeatedly"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
    let deep = PickleLimits {
        max_depth: 64,
        max_alloc: u64::MAX,
    };
    let b = P::proto(4).op(b"}\x94").s("a").op(b"h\x00s").stop();
    let mut padded = b.clone();
    padded.extend_from_slice(&vec![0u8; 1 << 16]); // bytes after STOP raise the repeat cap
    let err = read_bytes(&padded, Path::new("t"), &deep).unwrap_err();
    assert!(err.to_string().contains("or a cycle"), "{err}");
}

#[test]
fn repeated_references_cannot_amplify() {
    // one 64 KiB array referenced 10 000 times from a list: 640 MB from a 100 KB file
    let mut b = P::proto(4)
        .op(b"}")
        .s("k")
        .op(b"]")
        .stack_global("numpy._core.numeric", "_frombuffer")
        .op(b"(");
    b.0.push(0x96);
    b.0.extend_from_slice(&65536u64.to_le_bytes());
    b.0.extend_from_slice(&vec![7u8; 65536]);
    let mut b = b
        .dtype("u1")
        .op(b"J\x00\x00\x01\x00\x85")
        .s("C")
        .op(b"tR\x940(");
    for _ in 0..10_000 {
        b = b.op(b"h\x00");
    }
    let b = b.op(b"es").stop();
    malformed(&b, "referenced repeatedly");
}

#[test]
fn stack_underflow() {
    malformed(&P::proto(4).stop(), "stack underflow");
    malformed(&P::proto(4).op(b"R").stop(), "stack underflow");
    malformed(&P::proto(4).op(b"}(s").stop(), "stack underflow");
    malformed(&P::proto(4).op(b"t").stop(), "without a MARK");
    malformed(&P::proto(4).op(b"(b").stop(), "stack underflow");
    malformed(&P::proto(4).op(b"]e").stop(), "without a MARK");
    malformed(&P::proto(4).op(b"\x93").stop(), "stack underflow");
}

#[test]
fn out_of_band_buffers_and_unknown_opcodes() {
    malformed(&P::proto(5).op(&[0x97]).stop(), "out-of-band");
    malformed(&P::proto(5).op(&[0x98]).stop(), "out-of-band");
    malformed(&P::proto(2).op(b"Pfoo\n").stop(), "PERSID");
    malformed(&P::proto(2).op(b"\x82\x01").stop(), "EXT1");
    malformed(&P::proto(2).op(&[0xfe]).stop(), "0xfe");
    malformed(&P::proto(6).op(b"}").stop(), "protocol 6");
}

#[test]
fn array_data_that_does_not_match_its_shape() {
    let b = P::proto(5)
        .stack_global("numpy._core.numeric", "_frombuffer")
        .op(b"(")
        .bytes(&[0; 10])
        .dtype("f4")
        .op(b"K\x03\x85")
        .s("C")
        .op(b"tR")
        .stop();
    match read_node_bytes(&b, Path::new("t"), &PickleLimits::default()) {
        Err(e @ StoreError::Malformed { .. }) => assert!(
            e.to_string().contains("needs 12 bytes, the data has 10"),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_string_keys_and_non_array_values() {
    malformed(
        &P::proto(4).op(b"}K\x01}s").stop(),
        "dict key is a Python int",
    );
    unsupported(
        &P::proto(4).op(b"}").s("x").op(b"K\x01s").stop(),
        "a Python int",
    );
    unsupported(
        &P::proto(4).op(b"}").s("x").s("text").op(b"s").stop(),
        "a Python str",
    );
}

#[test]
fn allocation_limit_is_enforced() {
    let full = valid_pickle();
    let tight = PickleLimits {
        max_alloc: 40,
        ..PickleLimits::default()
    };
    let err = read_bytes(&full, Path::new("t"), &tight).unwrap_err();
    assert!(err.to_string().contains("allocation limit"), "{err}");
}
