//! What REDUCE, NEWOBJ and BUILD mean for the allowed globals: numpy's array and dtype
//! reconstruction, `_codecs.encode`, and dict subclasses. Each is decoded from its arguments
//! exactly as numpy would interpret them; nothing is called.

use std::borrow::Cow;

use arraydict::{DType, MemoryOrder};

use super::value::{ArraySpec, Global, Id, Value};
use super::vm::Vm;
use crate::input::{Input, Payload};
use crate::StoreError;

impl<'a, I: Input<'a>> Vm<'a, '_, I> {
    fn unsupported(&self, detail: String) -> StoreError {
        StoreError::Unsupported {
            path: self.path.into(),
            key: format!("(pickle byte {})", self.at),
            detail,
        }
    }

    fn items(&self, id: Id, what: &str) -> Result<Vec<Id>, StoreError> {
        match self.get(id) {
            Value::Tuple(t) => Ok(t.clone()),
            other => Err(self.malformed(format!(
                "{what}: expected a tuple, found a {}",
                other.type_name()
            ))),
        }
    }

    fn int_of(&self, id: Id, what: &str) -> Result<i64, StoreError> {
        match self.get(id) {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(self.malformed(format!(
                "{what}: expected an int, found a {}",
                other.type_name()
            ))),
        }
    }

    fn text_of(&self, id: Id, what: &str) -> Result<&str, StoreError> {
        let v = self.get(id);
        v.as_text().ok_or_else(|| {
            self.malformed(format!("{what}: expected a str, found a {}", v.type_name()))
        })
    }

    fn dims(&self, id: Id, what: &str) -> Result<Vec<usize>, StoreError> {
        let ids = match self.get(id) {
            Value::Tuple(t) | Value::List(t) => t.clone(),
            Value::Int(_) => vec![id],
            other => {
                return Err(self.malformed(format!(
                    "{what}: expected a tuple of ints, found a {}",
                    other.type_name()
                )))
            }
        };
        ids.iter()
            .map(|&d| {
                let v = self.int_of(d, what)?;
                usize::try_from(v)
                    .map_err(|_| self.malformed(format!("{what}: {v} is not a valid size")))
            })
            .collect()
    }

    fn dtype_of(&self, id: Id, what: &str) -> Result<(DType, bool), StoreError> {
        match self.get(id) {
            Value::Dtype { dtype, big_endian } => Ok((*dtype, *big_endian)),
            other => Err(self.malformed(format!(
                "{what}: expected a numpy.dtype, found a {}",
                other.type_name()
            ))),
        }
    }

    /// In an inspection read, why an array of this dtype and data cannot be in a tree (the
    /// array then becomes [`Value::Unsupported`]); `None` otherwise.
    fn unsupported_array(&self, dtype: Id, data: Id) -> Option<String> {
        match (self.get(dtype), self.get(data)) {
            _ if !self.lenient => None,
            (Value::Unsupported(why), _) => Some(why.clone()),
            (_, Value::List(_)) => {
                Some("an object array (data pickled as a list of Python objects)".into())
            }
            _ => None,
        }
    }

    /// The bytes value holding array data, with its length.
    fn data_of(&self, id: Id, what: &str) -> Result<usize, StoreError> {
        match self.get(id) {
            Value::Bytes(b) => Ok(b.len()),
            Value::LegacyStr(b) => Ok(b.len()),
            Value::List(_) => Err(self.unsupported(format!(
                "{what}: an object array (data pickled as a list of Python objects)"
            ))),
            other => Err(self.malformed(format!(
                "{what}: expected bytes, found a {}",
                other.type_name()
            ))),
        }
    }

    /// Checks that `len` bytes hold exactly the elements of `shape` and builds the array value.
    fn array(
        &self,
        data: Id,
        len: usize,
        (dtype, big_endian): (DType, bool),
        shape: Vec<usize>,
        order: MemoryOrder,
        what: &str,
    ) -> Result<Value<'a>, StoreError> {
        let need = shape
            .iter()
            .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d));
        if need != Some(len) {
            let need = need.map_or_else(|| "more than 2^64".to_owned(), |n| n.to_string());
            return Err(self.malformed(format!(
                "{what}: shape {shape:?} of {} needs {need} bytes, the data has {len}",
                dtype.numpy_str()
            )));
        }
        Ok(Value::Array(ArraySpec {
            data,
            dtype,
            big_endian,
            shape,
            order,
        }))
    }

    pub(super) fn reduce(&mut self, callable: Id, args: Id) -> Result<Value<'a>, StoreError> {
        let g = match self.get(callable) {
            Value::Global(g) => *g,
            other => {
                return Err(self.malformed(format!(
                    "REDUCE: calling a {} is not allowed",
                    other.type_name()
                )))
            }
        };
        let a = self.items(args, "REDUCE arguments")?;
        match (g, a.as_slice()) {
            (Global::Reconstruct, &[cls, _shape, _typecode]) => match self.get(cls) {
                Value::Global(Global::NdArrayClass | Global::VtkArrayClass) => {
                    Ok(Value::PendingArray)
                }
                other => Err(self.malformed(format!(
                    "_reconstruct of a {}, expected numpy.ndarray or VTKArray",
                    other.type_name()
                ))),
            },
            (Global::FromBuffer, &[buf, dtype, shape, order, ref rest @ ..]) if rest.len() <= 1 => {
                self.array_from_buffer(buf, dtype, shape, order, rest.first().copied())
            }
            (Global::Scalar, &[dtype, data]) => {
                if let Some(why) = self.unsupported_array(dtype, data) {
                    return Ok(Value::Unsupported(why));
                }
                let dt = self.dtype_of(dtype, "numpy scalar")?;
                let len = self.data_of(data, "numpy scalar")?;
                self.array(data, len, dt, Vec::new(), MemoryOrder::C, "numpy scalar")
            }
            (Global::DtypeClass, &[code, ref flags @ ..]) if flags.len() <= 2 => {
                let code = self.text_of(code, "numpy.dtype")?;
                match DType::from_numpy_str(code) {
                    Some((dtype, big_endian)) => Ok(Value::Dtype { dtype, big_endian }),
                    None if self.lenient => Ok(Value::Unsupported(describe_dtype(code))),
                    None => Err(self.unsupported(describe_dtype(code))),
                }
            }
            (Global::CodecsEncode, &[text, encoding]) => self.codecs_encode(text, encoding),
            (Global::Bytes, &[]) => Ok(Value::Bytes(Payload::Mem(Cow::Borrowed(&[])))),
            (Global::DictClass, &[]) => Ok(Value::Dict(Vec::new())),
            (Global::DictClass, &[items]) => self.ordered_dict(items),
            (g, a) => Err(self.malformed(format!(
                "REDUCE of {g:?} with {} arguments is not a form numpy or VMTK writes",
                a.len()
            ))),
        }
    }

    /// `numpy.core.numeric._frombuffer(buf, dtype, shape, order[, axis order])` (`numpy._core` in
    /// numpy 2): how protocol 5 pickles an array, its data in a buffer.
    fn array_from_buffer(
        &mut self,
        buf: Id,
        dtype: Id,
        shape: Id,
        order: Id,
        axis_order: Option<Id>,
    ) -> Result<Value<'a>, StoreError> {
        let what = "_frombuffer";
        if let Some(why) = self.unsupported_array(dtype, buf) {
            return Ok(Value::Unsupported(why));
        }
        let len = self.data_of(buf, what)?;
        let dt = self.dtype_of(dtype, what)?;
        let shape = self.dims(shape, what)?;
        let axes = match axis_order.map(|x| (x, self.get(x))) {
            None | Some((_, Value::None)) => None,
            Some((x, _)) => Some(self.dims(x, "_frombuffer axis order")?),
        };
        let (shape, order) = match (self.text_of(order, what)?, axes) {
            ("C" | "A", _) => (shape, MemoryOrder::C),
            ("F", _) => (shape, MemoryOrder::F),
            ("K", Some(axes)) => {
                // numpy: frombuffer(buf).reshape(shape, order='C').transpose(axes)
                if axes.len() != shape.len() || axes.iter().any(|&x| x >= shape.len()) {
                    return Err(self.malformed(format!(
                        "_frombuffer: axis order {axes:?} does not fit shape {shape:?}"
                    )));
                }
                let logical = axes.iter().map(|&p| shape[p]).collect();
                (logical, MemoryOrder::Permuted(axes))
            }
            (o, _) => {
                return Err(self.malformed(format!(
                "_frombuffer: order {o:?} (numpy accepts 'C', 'F', 'A', or 'K' with an axis order)"
            )))
            }
        };
        self.array(buf, len, dt, shape, order, what)
    }

    /// `_codecs.encode(text, "latin1")`: how protocol 2 pickles bytes.
    fn codecs_encode(&mut self, text: Id, encoding: Id) -> Result<Value<'a>, StoreError> {
        let enc = self
            .text_of(encoding, "_codecs.encode")?
            .to_ascii_lowercase();
        if !matches!(
            enc.as_str(),
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1"
        ) {
            return Err(self.unsupported(format!(
                "_codecs.encode with encoding {enc:?} (only latin1, as protocol 2 writes bytes)"
            )));
        }
        let n = self.text_of(text, "_codecs.encode")?.len();
        self.charge_decoded(n)?;
        let s = self.text_of(text, "_codecs.encode")?;
        let bytes = s
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>();
        let bytes = bytes
            .ok_or_else(|| self.malformed("_codecs.encode: text has characters beyond latin1"))?;
        Ok(Value::Bytes(Payload::Mem(Cow::Owned(bytes))))
    }

    /// `OrderedDict([(k, v), ...])`.
    fn ordered_dict(&mut self, items: Id) -> Result<Value<'a>, StoreError> {
        let list = match self.get(items) {
            Value::List(l) => l.clone(),
            other => {
                return Err(self.malformed(format!(
                    "OrderedDict of a {}, expected a list of pairs",
                    other.type_name()
                )))
            }
        };
        let pairs = list
            .iter()
            .map(|&p| match self.items(p, "OrderedDict item")?.as_slice() {
                &[k, v] => Ok((k, v)),
                _ => Err(self.malformed("OrderedDict item is not a (key, value) pair")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::Dict(pairs))
    }

    pub(super) fn newobj(
        &mut self,
        cls: Id,
        args: Id,
        kwargs: Option<Id>,
    ) -> Result<Value<'a>, StoreError> {
        let a = self.items(args, "NEWOBJ arguments")?;
        let no_kwargs = match kwargs {
            None => true,
            Some(k) => matches!(self.get(k), Value::Dict(d) if d.is_empty()),
        };
        match self.get(cls) {
            Value::Global(Global::DictClass) if a.is_empty() && no_kwargs => {
                Ok(Value::Dict(Vec::new()))
            }
            Value::Global(g) => Err(self.malformed(format!(
                "NEWOBJ of {g:?} with these arguments is not a form numpy or VMTK writes"
            ))),
            other => Err(self.malformed(format!(
                "NEWOBJ of a {}, expected a class",
                other.type_name()
            ))),
        }
    }

    pub(super) fn build(&mut self, target: Id, state: Id) -> Result<(), StoreError> {
        let new = match self.get(target) {
            Value::Dtype { dtype, .. } => {
                let dtype = *dtype;
                let st = self.items(state, "numpy.dtype state")?;
                let endian = match st.get(1) {
                    Some(&e) => self.text_of(e, "numpy.dtype byte order")?,
                    None => return Err(self.malformed("numpy.dtype state has no byte order")),
                };
                if st
                    .get(3)
                    .is_some_and(|&n| !matches!(self.get(n), Value::None))
                {
                    let why = "a structured numpy dtype (with named fields)".to_owned();
                    if !self.lenient {
                        return Err(self.unsupported(why));
                    }
                    self.arena[target as usize] = Value::Unsupported(why);
                    return Ok(());
                }
                let big_endian = match endian {
                    ">" => dtype.size() > 1,
                    "<" | "|" | "=" => false,
                    e => return Err(self.malformed(format!("numpy.dtype byte order {e:?}"))),
                };
                Value::Dtype { dtype, big_endian }
            }
            Value::PendingArray => self.array_state(state)?,
            // Only an inspection read makes these; their state is of no use.
            Value::Unsupported(_) => return Ok(()),
            // Attributes of an ndarray subclass (VTKArray's DataSet, Association...) or of a dict
            // subclass are not part of the tree; they were decoded symbolically and are dropped.
            Value::Array(_) | Value::Dict(_)
                if matches!(self.get(state), Value::Dict(_) | Value::None) =>
            {
                return Ok(())
            }
            other => {
                return Err(self.malformed(format!(
                    "BUILD on a {} with a {} state is not a form numpy or VMTK writes",
                    other.type_name(),
                    self.get(state).type_name()
                )))
            }
        };
        self.arena[target as usize] = new;
        Ok(())
    }

    /// ndarray `__setstate__`: `(version, shape, dtype, is_fortran, data)` or the 4-tuple without
    /// version; an ndarray subclass may wrap it as the first item of a longer tuple.
    fn array_state(&self, state: Id) -> Result<Value<'a>, StoreError> {
        let what = "ndarray state";
        let st = self.items(state, what)?;
        let plain = match st.as_slice() {
            [version, ..] if st.len() == 5 => matches!(self.get(*version), Value::Int(_)),
            [_, dtype, ..] if st.len() == 4 => matches!(self.get(*dtype), Value::Dtype { .. }),
            _ => false,
        };
        let st = match st.first() {
            Some(&inner) if !plain && matches!(self.get(inner), Value::Tuple(_)) => {
                self.items(inner, what)?
            }
            _ => st,
        };
        let (shape, dtype, fortran, data) = match st.as_slice() {
            &[_, shape, dtype, fortran, data] | &[shape, dtype, fortran, data] => {
                (shape, dtype, fortran, data)
            }
            other => {
                return Err(
                    self.malformed(format!("{what} has {} items, expected 4 or 5", other.len()))
                )
            }
        };
        if let Some(why) = self.unsupported_array(dtype, data) {
            return Ok(Value::Unsupported(why));
        }
        let dt = self.dtype_of(dtype, what)?;
        let shape = self.dims(shape, what)?;
        let order = if self.int_of(fortran, what)? != 0 {
            MemoryOrder::F
        } else {
            MemoryOrder::C
        };
        let len = self.data_of(data, what)?;
        self.array(data, len, dt, shape, order, what)
    }
}

/// Why a numpy type code is not one of the ten supported dtypes.
fn describe_dtype(code: &str) -> String {
    let kind = code
        .trim_start_matches(['<', '>', '|', '='])
        .chars()
        .next()
        .unwrap_or(' ');
    let what = match kind {
        'b' | '?' => "bool arrays are not supported (ArrayDict arrays are numeric; store them as u1)",
        'c' => "complex arrays are not supported",
        'O' => "object arrays are not supported (only numeric arrays; a pickled object array could run code)",
        'U' | 'S' | 'a' => "string arrays are not supported",
        'V' => "structured (void) arrays are not supported",
        'M' | 'm' => "datetime arrays are not supported",
        'f' => "this float width is not supported (only f4 and f8)",
        _ => "unknown dtype (supported: i1 u1 i2 u2 i4 u4 i8 u8 f4 f8)",
    };
    format!("numpy dtype {code:?}: {what}")
}
