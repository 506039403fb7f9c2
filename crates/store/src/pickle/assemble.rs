//! Turns the machine's symbolic result into an `ArrayDict` tree.
//!
//! This is where array bytes are copied out of the input, or read from the file into each array's
//! buffer when the machine left them there. An object the pickle references more than
//! once (through the memo) is copied for each reference, so those extra copies are limited to the
//! input size, and everything to `PickleLimits::max_alloc`; nesting (and thereby cycles) is limited
//! to `max_depth`.

use std::path::Path;

use arraydict::{ArrayData, Dict, NdArray, Node};

use super::value::{Id, Value};
use super::PickleLimits;
use crate::input::{Input, Payload};
use crate::StoreError;

/// Per-node bookkeeping charged against the allocation limits besides array bytes.
const NODE_OVERHEAD: u64 = 64;

pub(super) struct Assembler<'o, 'a, 'p, I> {
    arena: &'o [Value<'a>],
    /// Where deferred payloads are read from.
    input: &'o mut I,
    seen: Vec<bool>,
    path: &'p Path,
    max_depth: usize,
    max_alloc: u64,
    total: u64,
    /// Bytes spent on second and later copies of shared objects, and their cap (the input size).
    repeated: u64,
    repeated_cap: u64,
    /// For an inspection read: the entries left out, `(key, why)`, instead of failing the read.
    pub(super) skipped: Option<Vec<(String, String)>>,
}

impl<'o, 'a, 'p, I: Input<'a>> Assembler<'o, 'a, 'p, I> {
    pub(super) fn new(
        arena: &'o [Value<'a>],
        input: &'o mut I,
        path: &'p Path,
        limits: &PickleLimits,
    ) -> Self {
        let input_len = input.len();
        Self {
            arena,
            input,
            seen: vec![false; arena.len()],
            path,
            max_depth: limits.max_depth,
            max_alloc: limits.max_alloc,
            total: 0,
            repeated: 0,
            repeated_cap: input_len,
            skipped: None,
        }
    }

    /// In an inspection read, why the value `id` cannot be an entry of a tree, recorded under
    /// `key`; `false` (nothing recorded) for a value that can, or in a normal read.
    fn skip(&mut self, id: Id, key: &str) -> bool {
        let why = match self.value(id) {
            _ if self.skipped.is_none() => return false,
            Value::Unsupported(why) => why.clone(),
            Value::Dict(_) | Value::Array(_) => return false,
            Value::List(items) => {
                match items
                    .iter()
                    .map(|&i| self.value(i))
                    .find(|v| !matches!(v, Value::Array(_)))
                {
                    None => return false,
                    Some(Value::Unsupported(why)) => format!("a list holding {why}"),
                    Some(v) => format!("a list holding a Python {}", v.type_name()),
                }
            }
            other => format!(
                "a Python {}; an ArrayDict holds only dicts, numpy arrays and lists of arrays",
                other.type_name()
            ),
        };
        if let Some(skipped) = &mut self.skipped {
            skipped.push((display_key(key), why));
        }
        true
    }

    fn value(&self, id: Id) -> &'o Value<'a> {
        // ids come from the arena that produced them
        &self.arena[id as usize]
    }

    fn err(&self, key: &str, detail: String) -> StoreError {
        StoreError::Malformed {
            path: self.path.into(),
            offset: None,
            key: Some(display_key(key)),
            detail,
        }
    }

    fn trailing(&self, key: &str, rem: usize) -> StoreError {
        self.err(key, format!("array data has {rem} trailing bytes"))
    }

    fn unsupported(&self, key: &str, found: &Value<'_>) -> StoreError {
        StoreError::Unsupported {
            path: self.path.into(),
            key: display_key(key),
            detail: format!(
                "a Python {}; an ArrayDict holds only dicts, numpy arrays and lists of arrays",
                found.type_name()
            ),
        }
    }

    fn charge(&mut self, id: Id, bytes: u64, key: &str) -> Result<(), StoreError> {
        let cost = bytes.saturating_add(NODE_OVERHEAD);
        let again = std::mem::replace(&mut self.seen[id as usize], true);
        if again {
            self.repeated = self.repeated.saturating_add(cost);
            if self.repeated > self.repeated_cap {
                return Err(self.err(key, format!("objects referenced repeatedly through the memo would expand to more than the input's {} bytes", self.repeated_cap)));
            }
        }
        self.total = self.total.saturating_add(cost);
        if self.total > self.max_alloc {
            return Err(self.err(
                key,
                format!(
                    "the tree needs more than the allocation limit of {} bytes",
                    self.max_alloc
                ),
            ));
        }
        Ok(())
    }

    fn depth(&self, depth: usize, key: &str) -> Result<(), StoreError> {
        if depth > self.max_depth {
            return Err(self.err(
                key,
                format!("nesting deeper than {} levels (or a cycle)", self.max_depth),
            ));
        }
        Ok(())
    }

    pub(super) fn node(
        &mut self,
        id: Id,
        key: &mut String,
        depth: usize,
    ) -> Result<Node, StoreError> {
        self.depth(depth, key)?;
        match self.value(id) {
            Value::Dict(_) => self.dict(id, key, depth).map(Node::Dict),
            Value::Array(_) => self.array(id, key).map(Node::Array),
            Value::List(items) => {
                self.charge(id, 0, key)?;
                let mut out = Vec::with_capacity(items.len().min(self.arena.len()));
                for (i, &item) in items.iter().enumerate() {
                    let saved = key.len();
                    key.push('/');
                    key.push_str(&i.to_string());
                    match self.value(item) {
                        Value::Array(_) => out.push(self.array(item, key)?),
                        other => return Err(self.unsupported(key, other)),
                    }
                    key.truncate(saved);
                }
                Ok(Node::List(out))
            }
            other => Err(self.unsupported(key, other)),
        }
    }

    pub(super) fn dict(
        &mut self,
        id: Id,
        key: &mut String,
        depth: usize,
    ) -> Result<Dict, StoreError> {
        self.depth(depth, key)?;
        let Value::Dict(pairs) = self.value(id) else {
            return Err(self.err(
                key,
                format!(
                    "expected a dict, found a Python {}",
                    self.value(id).type_name()
                ),
            ));
        };
        self.charge(id, 0, key)?;
        let mut d = Dict::new();
        for &(k, v) in pairs {
            let name = self.value(k).as_text().ok_or_else(|| {
                self.err(
                    key,
                    format!(
                        "dict key is a Python {}, expected a str",
                        self.value(k).type_name()
                    ),
                )
            })?;
            let saved = key.len();
            key.push('/');
            key.push_str(name);
            if !self.skip(v, key) {
                let node = self.node(v, key, depth + 1)?;
                d.insert(name, node);
            }
            key.truncate(saved);
        }
        Ok(d)
    }

    fn array(&mut self, id: Id, key: &str) -> Result<NdArray, StoreError> {
        let arena = self.arena;
        let Value::Array(spec) = &arena[id as usize] else {
            return Err(self.unsupported(key, self.value(id)));
        };
        let len = match self.value(spec.data) {
            Value::Bytes(p) => p.len(),
            Value::LegacyStr(b) => b.len(),
            other => return Err(self.unsupported(key, other)),
        };
        self.charge(id, len as u64, key)?;
        let data = match &arena[spec.data as usize] {
            Value::Bytes(Payload::Mem(b)) | Value::LegacyStr(b) => {
                ArrayData::from_bytes(spec.dtype, b, spec.big_endian)
                    .map_err(|rem| self.trailing(key, rem))?
            }
            Value::Bytes(Payload::Deferred { offset, len }) => {
                // straight from the file into the typed buffer: no second copy of the bytes
                let size = spec.dtype.size();
                if len % size != 0 {
                    return Err(self.trailing(key, len % size));
                }
                let mut data = ArrayData::zeros(spec.dtype, len / size);
                self.input
                    .read_at(*offset, data.as_bytes_mut())
                    .map_err(|source| StoreError::Io {
                        path: self.path.into(),
                        source,
                    })?;
                if spec.big_endian != cfg!(target_endian = "big") {
                    data.swap_bytes();
                }
                data
            }
            other => return Err(self.unsupported(key, other)),
        };
        NdArray::new(data, spec.shape.clone(), spec.order.clone()).map_err(|source| {
            StoreError::Tree {
                path: self.path.into(),
                key: display_key(key),
                source,
            }
        })
    }
}

fn display_key(key: &str) -> String {
    if key.is_empty() {
        "/".into()
    } else {
        key.into()
    }
}
