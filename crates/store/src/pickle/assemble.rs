//! Turns the machine's symbolic result into an `ArrayDict` tree.
//!
//! This is where array bytes are copied out of the input. An object the pickle references more than
//! once (through the memo) is copied for each reference, so those extra copies are limited to the
//! input size, and everything to `PickleLimits::max_alloc`; nesting (and thereby cycles) is limited
//! to `max_depth`.

use std::path::Path;

use arraydict::{ArrayData, Dict, NdArray, Node};

use super::value::{Id, Value};
use super::vm::Outcome;
use super::PickleLimits;
use crate::StoreError;

/// Per-node bookkeeping charged against the allocation limits besides array bytes.
const NODE_OVERHEAD: u64 = 64;

pub(super) struct Assembler<'o, 'a, 'p> {
    arena: &'o [Value<'a>],
    seen: Vec<bool>,
    path: &'p Path,
    max_depth: usize,
    max_alloc: u64,
    total: u64,
    /// Bytes spent on second and later copies of shared objects, and their cap (the input size).
    repeated: u64,
    repeated_cap: u64,
}

impl<'o, 'a, 'p> Assembler<'o, 'a, 'p> {
    pub(super) fn new(
        out: &'o Outcome<'a>,
        path: &'p Path,
        limits: &PickleLimits,
        input_len: usize,
    ) -> Self {
        Self {
            arena: &out.arena,
            seen: vec![false; out.arena.len()],
            path,
            max_depth: limits.max_depth,
            max_alloc: limits.max_alloc,
            total: 0,
            repeated: 0,
            repeated_cap: input_len as u64,
        }
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
            let node = self.node(v, key, depth + 1)?;
            key.truncate(saved);
            d.insert(name, node);
        }
        Ok(d)
    }

    fn array(&mut self, id: Id, key: &str) -> Result<NdArray, StoreError> {
        let Value::Array(spec) = self.value(id) else {
            return Err(self.unsupported(key, self.value(id)));
        };
        let bytes: &[u8] = match self.value(spec.data) {
            Value::Bytes(b) => b,
            Value::LegacyStr(b) => b,
            other => return Err(self.unsupported(key, other)),
        };
        self.charge(id, bytes.len() as u64, key)?;
        let data = ArrayData::from_bytes(spec.dtype, bytes, spec.big_endian)
            .map_err(|rem| self.err(key, format!("array data has {rem} trailing bytes")))?;
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
