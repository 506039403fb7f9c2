//! The stream input with every payload deferred (the public readers defer only large ones).

use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use arraydict::{Dict, NdArray, Node};

use super::{as_node, read_node_bytes, run, stream, write_to, PickleLimits, PickleWriteOptions};
use crate::StoreError;

fn streamed(bytes: &[u8], defer_from: usize) -> Result<Node, StoreError> {
    let p = Path::new("t.pickle");
    run(
        stream(Cursor::new(bytes), p, defer_from)?,
        p,
        &PickleLimits::default(),
        as_node,
    )
}

fn sliced(bytes: &[u8]) -> Result<Node, StoreError> {
    read_node_bytes(bytes, Path::new("t.pickle"), &PickleLimits::default())
}

fn same(bytes: &[u8]) {
    let want = format!("{:?}", sliced(bytes));
    for defer_from in [0, 1, 3, 64] {
        assert_eq!(
            format!("{:?}", streamed(bytes, defer_from)),
            want,
            "defer from {defer_from}"
        );
    }
}

/// A small tree with a 2-D float array, an empty array and a list; also used by the MessagePack
/// streaming tests.
pub(crate) fn sample_tree() -> Dict {
    let mut t = Dict::new();
    t.insert(
        "A",
        NdArray::c((0..12).map(f64::from).collect::<Vec<_>>(), vec![4, 3]).unwrap(),
    );
    t.insert("E", NdArray::vector(Vec::<u16>::new()));
    t.insert(
        "L",
        vec![NdArray::vector(vec![1i8, -2]), NdArray::vector(vec![3u32])],
    );
    t
}

#[test]
fn deferred_payloads_give_the_slice_results_and_errors() {
    for protocol in 2..=5 {
        let mut bytes = Vec::new();
        let opts = PickleWriteOptions { protocol };
        write_to(&mut bytes, &sample_tree(), &opts, Path::new("t")).unwrap();
        assert!(sliced(&bytes).is_ok());
        for cut in 0..=bytes.len() {
            same(&bytes[..cut]);
        }
    }
}

#[cfg(feature = "testing")]
#[test]
fn deferred_payloads_on_conformance_trees() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&crate::testing::arb_tree(), |tree| {
            for protocol in 2..=5 {
                let mut bytes = Vec::new();
                let opts = PickleWriteOptions { protocol };
                write_to(&mut bytes, &tree, &opts, Path::new("t")).unwrap();
                let back = streamed(&bytes, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let Node::Dict(back) = back else {
                    return Err(TestCaseError::fail(format!("not a dict: {back:?}")));
                };
                // protocols before 5 write permuted layouts in C order: compare logical values
                crate::testing::compare_trees(&tree, &back).map_err(TestCaseError::fail)?;
            }
            Ok(())
        })
        .unwrap();
}

/// `{'a': _frombuffer(bytearray(...), dtype('>f8'), (3,), 'C')}` as numpy 2 writes it.
fn big_endian_pickle(values: &[f64]) -> Vec<u8> {
    let s = |b: &mut Vec<u8>, t: &str| {
        b.push(0x8c);
        b.push(t.len() as u8);
        b.extend_from_slice(t.as_bytes());
    };
    let mut b = vec![0x80, 5, b'}'];
    s(&mut b, "a");
    s(&mut b, "numpy._core.numeric");
    s(&mut b, "_frombuffer");
    b.extend_from_slice(&[0x93, b'(', 0x96]);
    b.extend_from_slice(&(values.len() as u64 * 8).to_le_bytes());
    for v in values {
        b.extend_from_slice(&v.to_be_bytes());
    }
    s(&mut b, "numpy");
    s(&mut b, "dtype");
    b.push(0x93);
    s(&mut b, "f8");
    b.extend_from_slice(&[0x89, 0x88, 0x87, b'R', b'(', b'K', 3]);
    s(&mut b, ">");
    b.extend_from_slice(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb");
    b.extend_from_slice(&[b'K', values.len() as u8, 0x85]);
    s(&mut b, "C");
    b.extend_from_slice(b"tRs.");
    b
}

#[test]
fn deferred_big_endian_payloads_are_swapped() {
    let values = [1.5, -2.0, 3.25];
    let b = big_endian_pickle(&values);
    let mut want = Dict::new();
    want.insert("a", NdArray::vector(values.to_vec()));
    assert_eq!(sliced(&b).unwrap(), Node::Dict(want.clone()));
    assert_eq!(streamed(&b, 0).unwrap(), Node::Dict(want));
}

/// A stream that claims `extra` more bytes than it has, like a file that shrank after it was opened.
struct Shrunk {
    inner: Cursor<Vec<u8>>,
    extra: u64,
}

impl Read for Shrunk {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
impl BufRead for Shrunk {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }
}
impl Seek for Shrunk {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let at = self.inner.seek(to)?;
        Ok(if matches!(to, SeekFrom::End(_)) {
            at + self.extra
        } else {
            at
        })
    }
}

#[test]
fn a_file_that_shrinks_while_read_fails_with_an_io_error() {
    let b = big_endian_pickle(&[1.0; 4]);
    // cut inside the payload: the machine skips it, reading it for the array finds the end
    let cut = b.len() - 60;
    let p = Path::new("t.pickle");
    for (bytes, defer_from) in [(&b[..cut], 0), (&b[..10], 0), (&b[..cut], 1 << 20)] {
        let r = Shrunk {
            inner: Cursor::new(bytes.to_vec()),
            extra: (b.len() - bytes.len()) as u64,
        };
        match run(
            stream(r, p, defer_from).unwrap(),
            p,
            &PickleLimits::default(),
            as_node,
        ) {
            Err(StoreError::Io { source, .. }) => {
                assert_eq!(source.kind(), io::ErrorKind::UnexpectedEof);
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
    }
}
