//! MessagePack backend, in msgpack-numpy's encoding (SPEC section 8), so that Python's
//! `msgpack.unpackb(data, object_hook=msgpack_numpy.decode)` returns the tree.
//!
//! - A dict is a map with str keys, a list a msgpack array of arrays.
//! - An array is the map msgpack-numpy 0.4 writes, in its key order: `{b'nd': True, b'type':
//!   '<f4', b'kind': b'', b'shape': [..], b'data': <C-order bytes>}`. The keys are *bin* (Python
//!   bytes) and `type` a str: `msgpack_numpy.decode` tests `b'nd' in obj`, which only bin keys
//!   satisfy when `unpackb` decodes str as str (`raw=False`, the default). Because dict keys are
//!   str, a dict with a key `"nd"` is never mistaken for an array.
//!
//! The reader takes its input as a slice or a seekable stream: every length prefix is checked
//! against the bytes that remain before anything is allocated, nesting is bounded, and errors give
//! the byte offset. From a stream, large array data is skipped and then read straight into the
//! array's buffer, so a file is never held in memory besides the tree.

use std::borrow::Cow;
use std::io::{BufRead, Seek, Write};
use std::path::Path;

use arraydict::{ArrayData, DType, Dict, MemoryOrder, NdArray, Node};
use rmp::encode;
use rmp::Marker;

use crate::input::{utf8, Input, Payload, SliceInput, StreamInput};
use crate::layout::c_order_data;
use crate::StoreError;

/// Deepest dict nesting the reader accepts (ArrayDicts are 2-3 levels deep).
pub const MAX_DEPTH: usize = 64;

/// Writes `tree` as MessagePack to `w`; `path` names the file in errors.
pub fn write_to<W: Write>(mut w: W, tree: &Dict, path: &Path) -> Result<(), StoreError> {
    let mut enc = Encoder { w: &mut w, path };
    enc.dict(tree, "")?;
    w.flush().map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a tree from MessagePack bytes; `path` names the file in errors.
pub fn read_bytes(bytes: &[u8], path: &Path) -> Result<Dict, StoreError> {
    read_input(SliceInput::new(bytes), path)
}

/// Reads a tree from `reader`'s current position to its end (a `BufReader<File>`, say), with the
/// same checks, errors and results as [`read_bytes`]. Large array data is read straight
/// from the stream into each array's buffer, so the input is never held in memory besides the
/// tree.
pub fn read_from<R: BufRead + Seek>(reader: R, path: &Path) -> Result<Dict, StoreError> {
    read_from_deferring(reader, path, crate::pickle::DEFER_FROM)
}

/// [`read_from`] with payloads of `defer_from` bytes or more left in the stream until their
/// array is built; for the differential fuzz target, which defers every payload.
#[doc(hidden)]
pub fn read_from_deferring<R: BufRead + Seek>(
    reader: R,
    path: &Path,
    defer_from: usize,
) -> Result<Dict, StoreError> {
    let input = StreamInput::new(reader, defer_from).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_input(input, path)
}

fn read_input<'a, I: Input<'a>>(input: I, path: &Path) -> Result<Dict, StoreError> {
    let mut dec = Decoder { input, path };
    let marker = dec.marker("the top-level map")?;
    let Some(n) = map_len(&mut dec, marker)? else {
        return Err(dec.malformed(
            0,
            None,
            format!("expected a map at the top level, found {marker:?}"),
        ));
    };
    let Node::Dict(tree) = dec.map_body(n, "", 1)? else {
        return Err(dec.malformed(0, None, "the top level is an array, not a dict".into()));
    };
    let trailing = dec.available();
    if trailing != 0 {
        return Err(dec.malformed(
            dec.pos(),
            None,
            format!("{trailing} bytes of trailing data after the tree"),
        ));
    }
    Ok(tree)
}

/// A str's bytes, without copying owned text.
fn str_bytes(s: Cow<'_, str>) -> Cow<'_, [u8]> {
    match s {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

struct Encoder<'a, W: Write> {
    w: &'a mut W,
    path: &'a Path,
}

impl<W: Write> Encoder<'_, W> {
    fn io(&self, key: &str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Io {
            path: self.path.to_path_buf(),
            source: std::io::Error::other(format!("{key}: {e}")),
        }
    }

    fn len32(&self, n: usize, key: &str, what: &str) -> Result<u32, StoreError> {
        u32::try_from(n).map_err(|_| StoreError::Unsupported {
            path: self.path.to_path_buf(),
            key: if key.is_empty() {
                "/".into()
            } else {
                key.into()
            },
            detail: format!("{what} of {n} exceeds MessagePack's 2^32-1 limit"),
        })
    }

    fn dict(&mut self, dict: &Dict, prefix: &str) -> Result<(), StoreError> {
        let n = self.len32(dict.len(), prefix, "a map")?;
        encode::write_map_len(self.w, n).map_err(|e| self.io(prefix, e))?;
        for (k, node) in dict.iter() {
            let key = format!("{prefix}/{k}");
            encode::write_str(self.w, k).map_err(|e| self.io(&key, e))?;
            match node {
                Node::Dict(d) => self.dict(d, &key)?,
                Node::Array(a) => self.array(a, &key)?,
                Node::List(list) => {
                    let n = self.len32(list.len(), &key, "a list")?;
                    encode::write_array_len(self.w, n).map_err(|e| self.io(&key, e))?;
                    for (i, a) in list.iter().enumerate() {
                        self.array(a, &format!("{key}/{i}"))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn array(&mut self, a: &NdArray, key: &str) -> Result<(), StoreError> {
        let data = c_order_data(a);
        let bytes = data.as_bytes();
        let n = self.len32(bytes.len(), key, "an array")?;
        let (path, w) = (self.path, &mut *self.w);
        let io = |e: String| StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(format!("{key}: {e}")),
        };
        encode::write_map_len(w, 5).map_err(|e| io(e.to_string()))?;
        encode::write_bin(w, b"nd").map_err(|e| io(e.to_string()))?;
        encode::write_bool(w, true).map_err(|e| io(e.to_string()))?;
        encode::write_bin(w, b"type").map_err(|e| io(e.to_string()))?;
        encode::write_str(w, a.dtype().numpy_str()).map_err(|e| io(e.to_string()))?;
        encode::write_bin(w, b"kind").map_err(|e| io(e.to_string()))?;
        encode::write_bin(w, b"").map_err(|e| io(e.to_string()))?;
        encode::write_bin(w, b"shape").map_err(|e| io(e.to_string()))?;
        encode::write_array_len(w, a.ndim() as u32).map_err(|e| io(e.to_string()))?;
        for &d in a.shape() {
            encode::write_uint(w, d as u64).map_err(|e| io(e.to_string()))?;
        }
        encode::write_bin(w, b"data").map_err(|e| io(e.to_string()))?;
        encode::write_bin_len(w, n).map_err(|e| io(e.to_string()))?;
        w.write_all(bytes).map_err(|e| io(e.to_string()))
    }
}

struct Decoder<'p, I> {
    input: I,
    path: &'p Path,
}

/// A decoded msgpack scalar or container header that the tree format uses.
enum Value<'a> {
    Bytes(Cow<'a, [u8]>),
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i128),
    Array(usize),
    Map(usize),
    Other(Marker),
}

impl Value<'_> {
    fn describe(&self) -> String {
        match self {
            Value::Bytes(_) => "bytes".into(),
            Value::Str(_) => "a str".into(),
            Value::Bool(_) => "a bool".into(),
            Value::Int(_) => "an integer".into(),
            Value::Array(_) => "an array".into(),
            Value::Map(_) => "a map".into(),
            Value::Other(m) => format!("{m:?}"),
        }
    }
}

fn map_len<'a, I: Input<'a>>(
    dec: &mut Decoder<'_, I>,
    marker: Marker,
) -> Result<Option<usize>, StoreError> {
    Ok(match marker {
        Marker::FixMap(n) => Some(usize::from(n)),
        Marker::Map16 => Some(dec.uint(2)? as usize),
        Marker::Map32 => Some(dec.uint(4)? as usize),
        _ => None,
    })
}

impl<'a, I: Input<'a>> Decoder<'_, I> {
    fn pos(&self) -> u64 {
        self.input.pos()
    }

    fn available(&self) -> u64 {
        self.input.len().saturating_sub(self.input.pos())
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.to_path_buf(),
            source,
        }
    }

    fn malformed(&self, offset: u64, key: Option<&str>, detail: String) -> StoreError {
        StoreError::Malformed {
            path: self.path.to_path_buf(),
            offset: Some(offset),
            key: key.map(str::to_owned),
            detail,
        }
    }

    /// Refuses `n` bytes when fewer remain, before anything is taken or allocated.
    fn check_len(&self, n: usize, what: &str) -> Result<(), StoreError> {
        let available = self.available();
        if n as u64 > available {
            return Err(StoreError::TooLarge {
                path: self.path.to_path_buf(),
                offset: self.pos(),
                what: what.to_owned(),
                declared: n as u64,
                available,
            });
        }
        Ok(())
    }

    fn take(&mut self, n: usize, what: &str) -> Result<Cow<'a, [u8]>, StoreError> {
        self.check_len(n, what)?;
        self.input.take(n).map_err(|e| self.io(e))
    }

    fn uint(&mut self, n: usize) -> Result<u64, StoreError> {
        let b = self.take(n, "a length or integer")?;
        Ok(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    }

    fn marker(&mut self, what: &str) -> Result<Marker, StoreError> {
        self.check_len(1, what)?;
        match self.input.next_byte().map_err(|e| self.io(e))? {
            Some(b) => Ok(Marker::from_u8(b)),
            None => Err(self.io(std::io::ErrorKind::UnexpectedEof.into())),
        }
    }

    /// Checks that `count` elements of at least one byte each can still follow.
    fn check_count(&self, count: usize, what: &str) -> Result<usize, StoreError> {
        self.check_len(count, what)?;
        Ok(count)
    }

    fn value(&mut self) -> Result<Value<'a>, StoreError> {
        let m = self.marker("a value")?;
        self.value_of(m)
    }

    /// The value of an array's `data` key: large bin payloads of a stream stay in the file until
    /// the array's typed buffer is read from it.
    fn data_value(&mut self) -> Result<Option<Payload<'a>>, StoreError> {
        let Some(m) = self
            .input
            .peek()
            .map_err(|e| self.io(e))?
            .map(Marker::from_u8)
        else {
            return Ok(None);
        };
        let width = match m {
            Marker::Bin8 => 1,
            Marker::Bin16 => 2,
            Marker::Bin32 => 4,
            _ => return Ok(None),
        };
        self.marker("a value")?;
        let n = self.uint(width)? as usize;
        self.check_len(n, "a bin value")?;
        self.input.payload(n).map(Some).map_err(|e| self.io(e))
    }

    fn value_of(&mut self, m: Marker) -> Result<Value<'a>, StoreError> {
        Ok(match m {
            Marker::FixPos(v) => Value::Int(i128::from(v)),
            Marker::FixNeg(v) => Value::Int(i128::from(v)),
            Marker::U8 => Value::Int(i128::from(self.uint(1)?)),
            Marker::U16 => Value::Int(i128::from(self.uint(2)?)),
            Marker::U32 => Value::Int(i128::from(self.uint(4)?)),
            Marker::U64 => Value::Int(i128::from(self.uint(8)?)),
            Marker::I8 => Value::Int(i128::from(self.uint(1)? as u8 as i8)),
            Marker::I16 => Value::Int(i128::from(self.uint(2)? as u16 as i16)),
            Marker::I32 => Value::Int(i128::from(self.uint(4)? as u32 as i32)),
            Marker::I64 => Value::Int(i128::from(self.uint(8)? as i64)),
            Marker::True => Value::Bool(true),
            Marker::False => Value::Bool(false),
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                let n = self.uint(match m {
                    Marker::Bin8 => 1,
                    Marker::Bin16 => 2,
                    _ => 4,
                })? as usize;
                Value::Bytes(self.take(n, "a bin value")?)
            }
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let n = match m {
                    Marker::FixStr(n) => usize::from(n),
                    Marker::Str8 => self.uint(1)? as usize,
                    Marker::Str16 => self.uint(2)? as usize,
                    _ => self.uint(4)? as usize,
                };
                let at = self.pos();
                let b = self.take(n, "a str value")?;
                Value::Str(
                    utf8(b)
                        .map_err(|e| self.malformed(at, None, format!("str is not UTF-8: {e}")))?,
                )
            }
            Marker::FixArray(n) => Value::Array(self.check_count(usize::from(n), "an array")?),
            Marker::Array16 | Marker::Array32 => {
                let n = self.uint(if m == Marker::Array16 { 2 } else { 4 })? as usize;
                Value::Array(self.check_count(n, "an array")?)
            }
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                let n = map_len(self, m)?.unwrap_or(0);
                Value::Map(self.check_count(n.saturating_mul(2), "a map")? / 2)
            }
            other => Value::Other(other),
        })
    }

    /// A map's entries after its header: an msgpack-numpy array or a dict.
    fn map_body(&mut self, n: usize, key: &str, depth: usize) -> Result<Node, StoreError> {
        if depth > MAX_DEPTH {
            return Err(self.malformed(
                self.pos(),
                Some(key),
                format!("dicts nested deeper than {MAX_DEPTH}"),
            ));
        }
        let start = self.pos();
        // Peek at the first key: msgpack-numpy arrays are maps with bin keys.
        let first = self.input.peek().map_err(|e| self.io(e))?;
        if n > 0
            && matches!(
                first.map(Marker::from_u8),
                Some(Marker::Bin8 | Marker::Bin16 | Marker::Bin32)
            )
        {
            return self.array_body(n, key, start).map(Node::Array);
        }
        let mut dict = Dict::new();
        for _ in 0..n {
            let at = self.pos();
            let name = match self.value()? {
                Value::Str(s) => s.into_owned(),
                v => {
                    return Err(self.malformed(
                        at,
                        Some(key),
                        format!("expected a str dict key, found {}", v.describe()),
                    ))
                }
            };
            let child = format!("{key}/{name}");
            let at = self.pos();
            let node = match self.value()? {
                Value::Map(m) => self.map_body(m, &child, depth + 1)?,
                Value::Array(len) => {
                    let mut list = Vec::with_capacity(len);
                    for i in 0..len {
                        let item = format!("{child}/{i}");
                        let at = self.pos();
                        match self.value()? {
                            Value::Map(m) => match self.map_body(m, &item, depth + 1)? {
                                Node::Array(a) => list.push(a),
                                _ => {
                                    return Err(self.malformed(
                                        at,
                                        Some(&item),
                                        "list items must be arrays".into(),
                                    ))
                                }
                            },
                            _ => {
                                return Err(self.malformed(
                                    at,
                                    Some(&item),
                                    "list items must be arrays".into(),
                                ))
                            }
                        }
                    }
                    Node::List(list)
                }
                v => {
                    return Err(self.malformed(
                        at,
                        Some(&child),
                        format!(
                            "expected a map (dict or array) or a list, found {}",
                            v.describe()
                        ),
                    ))
                }
            };
            if dict.insert(name, node).is_some() {
                return Err(self.malformed(at, Some(&child), "duplicate key".into()));
            }
        }
        Ok(Node::Dict(dict))
    }

    fn array_body(&mut self, n: usize, key: &str, start: u64) -> Result<NdArray, StoreError> {
        let (mut nd, mut dtype, mut kind, mut shape, mut data) = (None, None, None, None, None);
        for _ in 0..n {
            let at = self.pos();
            let Value::Bytes(k) = self.value()? else {
                return Err(self.malformed(at, Some(key), "array map keys must be bytes".into()));
            };
            let at = self.pos();
            if &*k == b"data" {
                if let Some(p) = self.data_value()? {
                    data = Some((p, at));
                    continue;
                }
            }
            let v = self.value()?;
            match (&*k, v) {
                (b"nd", Value::Bool(b)) => nd = Some(b),
                (b"type", Value::Str(s)) => dtype = Some((s.into_owned(), at)),
                (b"type", Value::Bytes(b)) => {
                    dtype = Some((String::from_utf8_lossy(&b).into_owned(), at));
                }
                (b"kind", Value::Bytes(b)) => kind = Some(b),
                (b"kind", Value::Str(s)) => kind = Some(str_bytes(s)),
                (b"shape", Value::Array(len)) => shape = Some(self.shape(len, key)?),
                (b"data", Value::Bytes(b)) => data = Some((Payload::Mem(b), at)),
                (b"data", Value::Str(s)) => data = Some((Payload::Mem(str_bytes(s)), at)),
                (other, v) => {
                    // Unknown keys are skipped as msgpack-numpy does, but nested containers are
                    // not part of the encoding.
                    if matches!(v, Value::Array(_) | Value::Map(_) | Value::Other(_)) {
                        return Err(self.malformed(
                            at,
                            Some(key),
                            format!(
                                "unexpected value under array key {:?}",
                                String::from_utf8_lossy(other)
                            ),
                        ));
                    }
                }
            }
        }
        let missing = |what: &str| {
            self.malformed(
                start,
                Some(key),
                format!("msgpack-numpy array without {what}"),
            )
        };
        let nd = nd.ok_or_else(|| missing("b'nd'"))?;
        let (type_str, type_at) = dtype.ok_or_else(|| missing("b'type'"))?;
        if let Some(k) = kind.filter(|k| !k.is_empty()) {
            return Err(self.structured_kind(key, &k));
        }
        let Some((dt, big_endian)) = DType::from_numpy_str(&type_str) else {
            return Err(self.malformed(
                type_at,
                Some(key),
                format!("dtype {type_str:?} is not one of the ten numeric dtypes"),
            ));
        };
        let (payload, data_at) = data.ok_or_else(|| missing("b'data'"))?;
        // nd False is a numpy scalar: a 0-d array.
        let shape = if nd {
            shape.ok_or_else(|| missing("b'shape'"))?
        } else {
            Vec::new()
        };
        let expected = shape
            .iter()
            .try_fold(dt.size(), |acc, &d| acc.checked_mul(d));
        if expected != Some(payload.len()) {
            return Err(self.malformed(
                data_at,
                Some(key),
                match expected {
                    Some(n) => format!(
                        "shape {shape:?} of {type_str} needs {n} bytes, data has {}",
                        payload.len()
                    ),
                    None => format!("shape {shape:?} of {type_str} overflows the address space"),
                },
            ));
        }
        let values = self.payload_values(payload, dt, big_endian, data_at, key)?;
        NdArray::new(values, shape, MemoryOrder::C).map_err(|source| StoreError::Tree {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            source,
        })
    }

    /// The `shape` array's `len` dimensions.
    fn shape(&mut self, len: usize, key: &str) -> Result<Vec<usize>, StoreError> {
        let mut dims = Vec::with_capacity(len);
        for _ in 0..len {
            let at = self.pos();
            match self.value()? {
                Value::Int(d) if d >= 0 => {
                    dims.push(usize::try_from(d).map_err(|_| {
                        self.malformed(at, Some(key), "dimension too large".into())
                    })?);
                }
                _ => {
                    return Err(self.malformed(
                        at,
                        Some(key),
                        "shape entries must be non-negative integers".into(),
                    ))
                }
            }
        }
        Ok(dims)
    }

    /// The refusal of a non-empty `kind`: structured and object arrays have no numeric dtype.
    fn structured_kind(&self, key: &str, kind: &[u8]) -> StoreError {
        StoreError::Unsupported {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            detail: format!(
                "msgpack-numpy kind {:?} (structured or object arrays) is not a numeric array",
                String::from_utf8_lossy(kind)
            ),
        }
    }

    /// The typed values of a `data` payload whose size already matches the shape.
    fn payload_values(
        &mut self,
        payload: Payload<'a>,
        dt: DType,
        big_endian: bool,
        data_at: u64,
        key: &str,
    ) -> Result<ArrayData, StoreError> {
        Ok(match payload {
            Payload::Mem(bytes) => {
                ArrayData::from_bytes(dt, &bytes, big_endian).map_err(|rem| {
                    self.malformed(data_at, Some(key), format!("{rem} trailing bytes"))
                })?
            }
            Payload::Deferred { offset, len } => {
                // straight from the file into the typed buffer (the size matches the shape)
                let mut values = ArrayData::zeros(dt, len / dt.size());
                self.input
                    .read_at(offset, values.as_bytes_mut())
                    .map_err(|e| self.io(e))?;
                if big_endian != cfg!(target_endian = "big") {
                    values.swap_bytes();
                }
                values
            }
        })
    }
}

#[cfg(test)]
mod stream_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("t.msgpack")
    }

    #[test]
    fn array_encoding_matches_msgpack_numpy_bytes() {
        // Bytes of msgpack_numpy.packb({'x': np.arange(6, dtype='<f4').reshape(2, 3)}) (0.4.8).
        let expected: &[u8] = b"\x81\xa1x\x85\xc4\x02nd\xc3\xc4\x04type\xa3<f4\xc4\x04kind\xc4\x00\xc4\x05shape\x92\x02\x03\xc4\x04data\xc4\x18\x00\x00\x00\x00\x00\x00\x80?\x00\x00\x00@\x00\x00@@\x00\x00\x80@\x00\x00\xa0@";
        let mut tree = Dict::new();
        tree.insert(
            "x",
            NdArray::c(vec![0f32, 1., 2., 3., 4., 5.], vec![2, 3]).unwrap(),
        );
        let mut out = Vec::new();
        write_to(&mut out, &tree, path()).unwrap();
        assert_eq!(out, expected);
        assert_eq!(read_bytes(expected, path()).unwrap(), tree);
    }

    #[test]
    fn reads_numpy_scalars_and_big_endian() {
        // msgpack_numpy.packb({'s': np.float64(3.0)}) is a scalar map with nd False.
        let mut b: Vec<u8> =
            b"\x81\xa1s\x83\xc4\x02nd\xc2\xc4\x04type\xa3<f8\xc4\x04data\xc4\x08".to_vec();
        b.extend_from_slice(&3f64.to_le_bytes());
        let t = read_bytes(&b, path()).unwrap();
        let a = t.array_at("/s").unwrap();
        assert_eq!((a.shape(), a.data()), (&[][..], &ArrayData::F64(vec![3.0])));
        let mut be: Vec<u8> = b"\x81\xa1s\x85\xc4\x02nd\xc3\xc4\x04type\xa3>i4\xc4\x04kind\xc4\x00\xc4\x05shape\x91\x01\xc4\x04data\xc4\x04".to_vec();
        be.extend_from_slice(&7i32.to_be_bytes());
        assert_eq!(
            read_bytes(&be, path())
                .unwrap()
                .array_at("/s")
                .unwrap()
                .data(),
            &ArrayData::I32(vec![7])
        );
    }

    #[test]
    fn huge_declared_lengths_are_refused_without_allocating() {
        // A map declaring 2^32-1 entries, a bin declaring 4 GiB, an array declaring 2^32-1 items.
        for bytes in [
            &b"\xdf\xff\xff\xff\xff"[..],
            b"\x81\xa1x\x81\xc6\xff\xff\xff\xff",
            b"\x81\xa1x\xdd\xff\xff\xff\xff",
        ] {
            assert!(
                matches!(read_bytes(bytes, path()), Err(StoreError::TooLarge { .. })),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn data_size_must_match_shape() {
        let b = b"\x81\xa1x\x85\xc4\x02nd\xc3\xc4\x04type\xa3<f4\xc4\x04kind\xc4\x00\xc4\x05shape\x91\x02\xc4\x04data\xc4\x04\x00\x00\x00\x00";
        let e = read_bytes(b, path()).unwrap_err().to_string();
        assert!(
            e.contains("/x") && e.contains("needs 8 bytes, data has 4"),
            "{e}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut b = Vec::new();
        for _ in 0..=MAX_DEPTH + 1 {
            b.extend_from_slice(b"\x81\xa1k");
        }
        b.push(0x80);
        assert!(read_bytes(&b, path())
            .unwrap_err()
            .to_string()
            .contains("nested deeper"));
    }

    #[test]
    fn truncated_input_and_trailing_bytes_fail_with_offsets() {
        let mut tree = Dict::new();
        tree.insert("x", NdArray::vector(vec![1u16, 2, 3]));
        let mut out = Vec::new();
        write_to(&mut out, &tree, path()).unwrap();
        for cut in 1..out.len() {
            assert!(read_bytes(&out[..cut], path()).is_err(), "cut at {cut}");
        }
        out.push(0);
        assert!(read_bytes(&out, path())
            .unwrap_err()
            .to_string()
            .contains("trailing"));
    }
}
