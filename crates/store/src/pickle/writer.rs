//! The pickle writer: plain dicts, lists and numpy arrays that stock Python + numpy 1.x/2.x load.
//!
//! Protocols 2-4 build arrays the way numpy 1.26 pickles them for those protocols:
//! `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` then BUILD with
//! `(1, shape, dtype, is_fortran, raw_bytes)`; numpy 2.x keeps `numpy.core.multiarray._reconstruct`
//! importable without a warning for exactly this purpose, so the file loads silently in both.
//! Protocol 5 writes what numpy 2.x writes: `numpy._core.numeric._frombuffer(bytearray, dtype, shape,
//! order[, axes])`, which numpy 1.x cannot import.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};

use super::opcodes as op;
use super::PickleWriteOptions;
use crate::StoreError;

/// Python's frame size target: frames are committed at opcode boundaries once this large, and
/// payloads of at least this size are written outside frames, straight from the array buffer.
const FRAME_TARGET: usize = 64 * 1024;
/// Python's batch size for SETITEMS / APPENDS.
const BATCH: usize = 1000;

pub(super) struct Writer<'p, W: Write> {
    out: W,
    buf: Vec<u8>,
    proto: u8,
    memo: HashMap<String, u32>,
    next_memo: u32,
    path: &'p Path,
    key: String,
}

impl<'p, W: Write> Writer<'p, W> {
    pub(super) fn new(
        out: W,
        opts: &PickleWriteOptions,
        path: &'p Path,
    ) -> Result<Self, StoreError> {
        if !(2..=5).contains(&opts.protocol) {
            return Err(StoreError::Unsupported {
                path: path.into(),
                key: "/".into(),
                detail: format!("pickle protocol {} (supported: 2, 3, 4, 5)", opts.protocol),
            });
        }
        Ok(Self {
            out,
            buf: Vec::with_capacity(FRAME_TARGET + 1024),
            proto: opts.protocol,
            memo: HashMap::new(),
            next_memo: 0,
            path,
            key: String::new(),
        })
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.into(),
            source,
        }
    }

    fn unsupported(&self, detail: String) -> StoreError {
        let key = if self.key.is_empty() {
            "/".to_owned()
        } else {
            self.key.clone()
        };
        StoreError::Unsupported {
            path: self.path.into(),
            key,
            detail,
        }
    }

    /// Writes the whole pickle: PROTO, the dict, STOP.
    pub(super) fn write_root(mut self, tree: &Dict) -> Result<(), StoreError> {
        let proto = [op::PROTO, self.proto];
        self.out.write_all(&proto).map_err(|e| self.io(e))?;
        self.dict(tree)?;
        self.buf.push(op::STOP);
        self.commit()?;
        self.out.flush().map_err(|e| self.io(e))
    }

    /// Flushes the pending opcodes, as one FRAME for protocol 4+.
    fn commit(&mut self) -> Result<(), StoreError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.proto >= 4 {
            let mut head = [0u8; 9];
            head[0] = op::FRAME;
            head[1..].copy_from_slice(&(self.buf.len() as u64).to_le_bytes());
            self.out.write_all(&head).map_err(|e| self.io(e))?;
        }
        let r = self.out.write_all(&self.buf);
        self.buf.clear();
        r.map_err(|e| self.io(e))
    }

    fn maybe_commit(&mut self) -> Result<(), StoreError> {
        if self.buf.len() >= FRAME_TARGET {
            self.commit()?;
        }
        Ok(())
    }

    fn dict(&mut self, d: &Dict) -> Result<(), StoreError> {
        self.buf.push(op::EMPTY_DICT);
        let entries: Vec<(&str, &Node)> = d.iter().collect();
        for chunk in entries.chunks(BATCH) {
            if chunk.len() > 1 {
                self.buf.push(op::MARK);
            }
            for &(k, v) in chunk {
                let saved = self.key.len();
                self.key.push('/');
                self.key.push_str(k);
                self.string(k)?;
                self.node(v)?;
                self.key.truncate(saved);
            }
            self.buf.push(if chunk.len() > 1 {
                op::SETITEMS
            } else {
                op::SETITEM
            });
        }
        Ok(())
    }

    fn node(&mut self, n: &Node) -> Result<(), StoreError> {
        match n {
            Node::Dict(d) => self.dict(d),
            Node::Array(a) => self.array(a),
            Node::List(items) => {
                self.buf.push(op::EMPTY_LIST);
                for (c, chunk) in items.chunks(BATCH).enumerate() {
                    if chunk.len() > 1 {
                        self.buf.push(op::MARK);
                    }
                    for (i, a) in chunk.iter().enumerate() {
                        let saved = self.key.len();
                        self.key.push('/');
                        self.key.push_str(&(c * BATCH + i).to_string());
                        self.array(a)?;
                        self.key.truncate(saved);
                    }
                    self.buf.push(if chunk.len() > 1 {
                        op::APPENDS
                    } else {
                        op::APPEND
                    });
                }
                Ok(())
            }
        }
    }

    fn string(&mut self, s: &str) -> Result<(), StoreError> {
        let b = s.as_bytes();
        if self.proto >= 4 && b.len() < 256 {
            self.buf.push(op::SHORT_BINUNICODE);
            self.buf.push(b.len() as u8);
        } else if let Ok(n) = u32::try_from(b.len()) {
            self.buf.push(op::BINUNICODE);
            self.buf.extend_from_slice(&n.to_le_bytes());
        } else if self.proto >= 4 {
            self.buf.push(op::BINUNICODE8);
            self.buf.extend_from_slice(&(b.len() as u64).to_le_bytes());
        } else {
            return Err(self.unsupported(format!(
                "a string of {} bytes needs pickle protocol 4",
                b.len()
            )));
        }
        self.buf.extend_from_slice(b);
        self.maybe_commit()
    }

    fn int(&mut self, v: u64) {
        if let Ok(x) = u8::try_from(v) {
            self.buf.extend_from_slice(&[op::BININT1, x]);
        } else if let Ok(x) = u16::try_from(v) {
            self.buf.push(op::BININT2);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else if let Ok(x) = i32::try_from(v) {
            self.buf.push(op::BININT);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else {
            // LONG1: minimal little-endian two's complement, so a set top bit needs a 0 byte.
            let mut bytes = v.to_le_bytes().to_vec();
            bytes.push(0);
            while bytes.len() > 1
                && bytes[bytes.len() - 1] == 0
                && bytes[bytes.len() - 2] & 0x80 == 0
            {
                bytes.pop();
            }
            self.buf.extend_from_slice(&[op::LONG1, bytes.len() as u8]);
            self.buf.extend_from_slice(&bytes);
        }
    }

    fn tuple_of_ints(&mut self, items: &[usize]) {
        match items.len() {
            0 => self.buf.push(op::EMPTY_TUPLE),
            n => {
                if n > 3 {
                    self.buf.push(op::MARK);
                }
                for &x in items {
                    self.int(x as u64);
                }
                self.buf.push(match n {
                    1 => op::TUPLE1,
                    2 => op::TUPLE2,
                    3 => op::TUPLE3,
                    _ => op::TUPLE,
                });
            }
        }
    }

    fn memoize(&mut self, key: String) {
        if self.proto >= 4 {
            self.buf.push(op::MEMOIZE);
        } else if let Ok(i) = u8::try_from(self.next_memo) {
            self.buf.extend_from_slice(&[op::BINPUT, i]);
        } else {
            self.buf.push(op::LONG_BINPUT);
            self.buf.extend_from_slice(&self.next_memo.to_le_bytes());
        }
        self.memo.insert(key, self.next_memo);
        self.next_memo += 1;
    }

    /// Pushes a memoized object again; false when it was never written.
    fn get(&mut self, key: &str) -> bool {
        let Some(&i) = self.memo.get(key) else {
            return false;
        };
        if let Ok(i) = u8::try_from(i) {
            self.buf.extend_from_slice(&[op::BINGET, i]);
        } else {
            self.buf.push(op::LONG_BINGET);
            self.buf.extend_from_slice(&i.to_le_bytes());
        }
        true
    }

    fn global(&mut self, module: &str, name: &str) -> Result<(), StoreError> {
        let key = format!("global:{module}.{name}");
        if self.get(&key) {
            return Ok(());
        }
        if self.proto >= 4 {
            self.string(module)?;
            self.string(name)?;
            self.buf.push(op::STACK_GLOBAL);
        } else {
            self.buf.push(op::GLOBAL);
            self.buf
                .extend_from_slice(format!("{module}\n{name}\n").as_bytes());
        }
        self.memoize(key);
        Ok(())
    }

    /// `numpy.dtype(code, False, True)` + BUILD `(3, endian, None, None, None, -1, -1, 0)`.
    fn dtype(&mut self, dt: DType) -> Result<(), StoreError> {
        let key = format!("dtype:{}", dt.numpy_code());
        if self.get(&key) {
            return Ok(());
        }
        self.global("numpy", "dtype")?;
        self.string(dt.numpy_code())?;
        self.buf
            .extend_from_slice(&[op::NEWFALSE, op::NEWTRUE, op::TUPLE3, op::REDUCE]);
        self.memoize(key);
        self.buf.extend_from_slice(&[op::MARK, op::BININT1, 3]);
        self.string(if dt.size() == 1 { "|" } else { "<" })?;
        self.buf
            .extend_from_slice(&[op::NONE, op::NONE, op::NONE, op::BININT]);
        self.buf.extend_from_slice(&(-1i32).to_le_bytes());
        self.buf.push(op::BININT);
        self.buf.extend_from_slice(&(-1i32).to_le_bytes());
        self.buf
            .extend_from_slice(&[op::BININT1, 0, op::TUPLE, op::BUILD]);
        Ok(())
    }

    /// Small bytes as a bytes object (protocol 2: `_codecs.encode(str, 'latin1')`, as Python does).
    fn small_bytes(&mut self, b: &[u8]) -> Result<(), StoreError> {
        if self.proto >= 3 {
            if let Ok(n) = u8::try_from(b.len()) {
                self.buf.extend_from_slice(&[op::SHORT_BINBYTES, n]);
                self.buf.extend_from_slice(b);
                return self.maybe_commit();
            }
        }
        self.payload(if self.proto >= 3 { op::BINBYTES } else { 0 }, b)
    }

    /// An array's bytes: in the frame when small, else straight from the buffer outside any frame.
    /// `opcode` 0 means protocol 2's latin-1 string.
    fn payload(&mut self, opcode: u8, b: &[u8]) -> Result<(), StoreError> {
        if self.proto < 3 {
            return self.latin1_payload(b);
        }
        let mut head = Vec::with_capacity(9);
        let len = b.len() as u64;
        match (opcode, u32::try_from(len)) {
            (op::BYTEARRAY8, _) => {
                head.push(op::BYTEARRAY8);
                head.extend_from_slice(&len.to_le_bytes());
            }
            (_, Ok(n)) => {
                head.push(op::BINBYTES);
                head.extend_from_slice(&n.to_le_bytes());
            }
            (_, Err(_)) if self.proto >= 4 => {
                head.push(op::BINBYTES8);
                head.extend_from_slice(&len.to_le_bytes());
            }
            _ => {
                return Err(self.unsupported(format!(
                    "{len} bytes of array data need pickle protocol 4 or 5"
                )))
            }
        }
        if b.len() < FRAME_TARGET {
            self.buf.extend_from_slice(&head);
            self.buf.extend_from_slice(b);
            return self.maybe_commit();
        }
        self.commit()?;
        self.out.write_all(&head).map_err(|e| self.io(e))?;
        self.out.write_all(b).map_err(|e| self.io(e))
    }

    /// Protocol 2 has no bytes opcode: Python writes `_codecs.encode(latin1_text, 'latin1')`, the
    /// text being the bytes as code points 0-255, UTF-8 encoded in a BINUNICODE.
    fn latin1_payload(&mut self, b: &[u8]) -> Result<(), StoreError> {
        self.global("_codecs", "encode")?;
        let high = b.iter().filter(|&&x| x >= 0x80).count();
        let len = u32::try_from(b.len() + high).map_err(|_| {
            self.unsupported(format!(
                "{} bytes of array data need pickle protocol 4 or 5",
                b.len()
            ))
        })?;
        self.buf.push(op::BINUNICODE);
        self.buf.extend_from_slice(&len.to_le_bytes());
        if b.len() >= FRAME_TARGET {
            self.commit()?;
        }
        for chunk in b.chunks(FRAME_TARGET) {
            for &x in chunk {
                if x < 0x80 {
                    self.buf.push(x);
                } else {
                    self.buf
                        .extend_from_slice(&[0xC0 | (x >> 6), 0x80 | (x & 0x3F)]);
                }
            }
            self.maybe_commit()?;
        }
        self.string("latin1")?;
        self.buf.extend_from_slice(&[op::TUPLE2, op::REDUCE]);
        Ok(())
    }

    fn array(&mut self, a: &NdArray) -> Result<(), StoreError> {
        if self.proto >= 5 {
            return self.array_frombuffer(a);
        }
        // _reconstruct/BUILD knows C and F only: a permuted layout is written in C order.
        if let MemoryOrder::Permuted(_) = a.order() {
            let c = a.clone().into_c_order();
            return self.array_reconstruct(&c);
        }
        self.array_reconstruct(a)
    }

    fn array_reconstruct(&mut self, a: &NdArray) -> Result<(), StoreError> {
        self.global("numpy.core.multiarray", "_reconstruct")?;
        self.global("numpy", "ndarray")?;
        self.buf.extend_from_slice(&[op::BININT1, 0, op::TUPLE1]);
        self.small_bytes(b"b")?;
        self.buf
            .extend_from_slice(&[op::TUPLE3, op::REDUCE, op::MARK, op::BININT1, 1]);
        self.tuple_of_ints(a.shape());
        self.dtype(a.dtype())?;
        let fortran = !a.is_c_contiguous();
        self.buf
            .push(if fortran { op::NEWTRUE } else { op::NEWFALSE });
        self.payload(op::BINBYTES, bytes_of(a.data()))?;
        self.buf.extend_from_slice(&[op::TUPLE, op::BUILD]);
        self.maybe_commit()
    }

    fn array_frombuffer(&mut self, a: &NdArray) -> Result<(), StoreError> {
        self.global("numpy._core.numeric", "_frombuffer")?;
        self.buf.push(op::MARK);
        self.payload(op::BYTEARRAY8, bytes_of(a.data()))?;
        self.dtype(a.dtype())?;
        if a.is_c_contiguous() {
            self.tuple_of_ints(a.shape());
            self.string("C")?;
        } else if a.is_f_contiguous() {
            self.tuple_of_ints(a.shape());
            self.string("F")?;
        } else {
            self.tuple_of_ints(&a.physical_shape());
            self.string("K")?;
            self.tuple_of_ints(&a.axes());
        }
        self.buf.extend_from_slice(&[op::TUPLE, op::REDUCE]);
        self.maybe_commit()
    }
}

/// The buffer's bytes as stored on disk (little-endian, which is the in-memory order on every
/// supported target).
fn bytes_of(d: &ArrayData) -> &[u8] {
    d.as_bytes()
}
