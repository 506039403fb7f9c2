//! The restricted pickle machine: decodes opcodes of protocols 2-5 into symbolic values and never
//! imports, calls or executes anything.
//!
//! Every length prefix is checked against the bytes left before anything is taken, values borrow
//! the input instead of copying it, nesting of MARKs is limited, and each opcode adds at most one
//! arena entry, so the machine's memory stays proportional to the input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::opcodes as op;
use super::value::{Global, Id, Value};
use super::PickleLimits;
use crate::StoreError;

pub(super) struct Vm<'a, 'p> {
    input: &'a [u8],
    pos: usize,
    /// Offset of the opcode being executed, for messages.
    pub(super) at: usize,
    pub(super) path: &'p Path,
    pub(super) arena: Vec<Value<'a>>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u32, Id>,
    max_depth: usize,
    /// Bytes decoded from protocol-2 latin-1 strings so far; limited to the input size, since a
    /// memoized string could otherwise be decoded again and again.
    decoded: u64,
}

/// What the machine produced: the arena and the id of the value STOP returned.
pub(super) struct Outcome<'a> {
    pub arena: Vec<Value<'a>>,
    pub root: Id,
}

impl<'a, 'p> Vm<'a, 'p> {
    pub(super) fn new(input: &'a [u8], path: &'p Path, limits: &PickleLimits) -> Self {
        Self {
            input,
            pos: 0,
            at: 0,
            path,
            arena: Vec::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            max_depth: limits.max_depth,
            decoded: 0,
        }
    }

    pub(super) fn malformed(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Malformed {
            path: self.path.into(),
            offset: Some(self.at as u64),
            key: None,
            detail: detail.into(),
        }
    }

    fn truncated(&self, what: &str, need: usize) -> StoreError {
        let left = self.input.len() - self.pos;
        self.malformed(format!(
            "truncated pickle: {what} needs {need} more bytes, {left} left"
        ))
    }

    /// Takes `n` fixed argument bytes of the current opcode.
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let left = self.input.len() - self.pos;
        if n > left {
            return Err(self.truncated(op::name(self.input[self.at]), n));
        }
        let s = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Takes a length-declared payload, refusing sizes the input cannot hold before taking anything.
    fn take_declared(&mut self, declared: u64) -> Result<&'a [u8], StoreError> {
        let left = (self.input.len() - self.pos) as u64;
        if declared > left {
            return Err(StoreError::TooLarge {
                path: self.path.into(),
                offset: self.at as u64,
                what: format!("pickle opcode {}", op::name(self.input[self.at])),
                declared,
                available: left,
            });
        }
        self.take(declared as usize)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, StoreError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, StoreError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn line(&mut self) -> Result<&'a str, StoreError> {
        let rest = &self.input[self.pos..];
        let Some(n) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.malformed(format!(
                "truncated pickle: {} argument has no newline",
                op::name(self.input[self.at])
            )));
        };
        self.pos += n + 1;
        std::str::from_utf8(&rest[..n]).map_err(|_| self.malformed("GLOBAL names are not UTF-8"))
    }
    fn utf8(&self, b: &'a [u8]) -> Result<Value<'a>, StoreError> {
        std::str::from_utf8(b)
            .map(|s| Value::Str(Cow::Borrowed(s)))
            .map_err(|e| self.malformed(format!("string is not valid UTF-8: {e}")))
    }

    pub(super) fn charge_decoded(&mut self, n: usize) -> Result<(), StoreError> {
        self.decoded = self.decoded.saturating_add(n as u64);
        if self.decoded > self.input.len() as u64 {
            return Err(StoreError::TooLarge {
                path: self.path.into(),
                offset: self.at as u64,
                what: "_codecs.encode results (memoized text decoded repeatedly)".into(),
                declared: self.decoded,
                available: self.input.len() as u64,
            });
        }
        Ok(())
    }

    pub(super) fn alloc(&mut self, v: Value<'a>) -> Id {
        self.arena.push(v);
        (self.arena.len() - 1) as Id
    }
    fn push(&mut self, v: Value<'a>) {
        let id = self.alloc(v);
        self.stack.push(id);
    }
    pub(super) fn get(&self, id: Id) -> &Value<'a> {
        // ids are only ever created by `alloc`, so they are in range
        &self.arena[id as usize]
    }
    fn pop(&mut self) -> Result<Id, StoreError> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.malformed(format!(
                "stack underflow: {} needs a value",
                op::name(self.input[self.at])
            )));
        }
        self.stack
            .pop()
            .ok_or_else(|| self.malformed("stack underflow"))
    }
    fn top(&self) -> Result<Id, StoreError> {
        let floor = self.marks.last().copied().unwrap_or(0);
        match self.stack.last() {
            Some(&id) if self.stack.len() > floor => Ok(id),
            _ => Err(self.malformed(format!(
                "stack underflow: {} needs a value",
                op::name(self.input[self.at])
            ))),
        }
    }
    /// Pops everything above the last MARK, and the MARK.
    fn pop_mark(&mut self) -> Result<Vec<Id>, StoreError> {
        let Some(m) = self.marks.pop() else {
            return Err(self.malformed(format!("{} without a MARK", op::name(self.input[self.at]))));
        };
        Ok(self.stack.split_off(m.min(self.stack.len())))
    }
    fn memo_put(&mut self, index: u32) -> Result<(), StoreError> {
        let top = self.top()?;
        self.memo.insert(index, top);
        Ok(())
    }
    fn memo_get(&mut self, index: u32) -> Result<(), StoreError> {
        let Some(&id) = self.memo.get(&index) else {
            return Err(self.malformed(format!("memo index {index} was never stored")));
        };
        self.stack.push(id);
        Ok(())
    }

    /// Runs to STOP.
    pub(super) fn run(mut self) -> Result<Outcome<'a>, StoreError> {
        loop {
            self.at = self.pos;
            let Some(&code) = self.input.get(self.pos) else {
                return Err(self.malformed("truncated pickle: no STOP opcode"));
            };
            self.pos += 1;
            if code == op::STOP {
                let root = self.pop()?;
                return Ok(Outcome {
                    arena: self.arena,
                    root,
                });
            }
            self.step(code)?;
        }
    }

    fn step(&mut self, code: u8) -> Result<(), StoreError> {
        match code {
            op::PROTO => {
                let p = self.u8()?;
                if p > 5 {
                    return Err(self.malformed(format!(
                        "unsupported pickle protocol {p} (this reader knows 2-5)"
                    )));
                }
            }
            // Frames only group opcodes; their length must fit the input, the content is read as usual.
            op::FRAME => {
                let n = self.u64()?;
                let left = (self.input.len() - self.pos) as u64;
                if n > left {
                    return Err(StoreError::TooLarge {
                        path: self.path.into(),
                        offset: self.at as u64,
                        what: "pickle FRAME".into(),
                        declared: n,
                        available: left,
                    });
                }
            }
            op::MARK => {
                if self.marks.len() >= self.max_depth {
                    return Err(
                        self.malformed(format!("nesting deeper than {} MARKs", self.max_depth))
                    );
                }
                self.marks.push(self.stack.len());
            }
            op::POP => {
                if self.marks.last() == Some(&self.stack.len()) {
                    self.marks.pop();
                } else {
                    self.pop()?;
                }
            }
            op::POP_MARK => {
                self.pop_mark()?;
            }
            op::DUP => {
                let t = self.top()?;
                self.stack.push(t);
            }
            op::NONE => self.push(Value::None),
            op::NEWTRUE => self.push(Value::Bool(true)),
            op::NEWFALSE => self.push(Value::Bool(false)),
            op::BININT1 => {
                let v = self.u8()?;
                self.push(Value::Int(i64::from(v)));
            }
            op::BININT2 => {
                let b = self.take(2)?;
                self.push(Value::Int(i64::from(u16::from_le_bytes([b[0], b[1]]))));
            }
            op::BININT => {
                let v = self.u32()? as i32;
                self.push(Value::Int(i64::from(v)));
            }
            op::LONG1 => {
                let n = self.u8()?;
                let b = self.take_declared(u64::from(n))?;
                self.push(long(b));
            }
            op::LONG4 => {
                let n = self.u32()? as i32;
                let n =
                    u64::try_from(n).map_err(|_| self.malformed("LONG4 with a negative length"))?;
                let b = self.take_declared(n)?;
                self.push(long(b));
            }
            op::BINFLOAT => {
                // floats are never part of an ArrayDict: skip the value, keep the stack shape
                self.take(8)?;
                self.push(Value::Float);
            }
            op::SHORT_BINUNICODE => {
                let n = self.u8()?;
                let b = self.take_declared(u64::from(n))?;
                let v = self.utf8(b)?;
                self.push(v);
            }
            op::BINUNICODE => {
                let n = self.u32()?;
                let b = self.take_declared(u64::from(n))?;
                let v = self.utf8(b)?;
                self.push(v);
            }
            op::BINUNICODE8 => {
                let n = self.u64()?;
                let b = self.take_declared(n)?;
                let v = self.utf8(b)?;
                self.push(v);
            }
            op::SHORT_BINBYTES => {
                let n = self.u8()?;
                let b = self.take_declared(u64::from(n))?;
                self.push(Value::Bytes(Cow::Borrowed(b)));
            }
            op::BINBYTES => {
                let n = self.u32()?;
                let b = self.take_declared(u64::from(n))?;
                self.push(Value::Bytes(Cow::Borrowed(b)));
            }
            op::BINBYTES8 | op::BYTEARRAY8 => {
                let n = self.u64()?;
                let b = self.take_declared(n)?;
                self.push(Value::Bytes(Cow::Borrowed(b)));
            }
            op::SHORT_BINSTRING => {
                let n = self.u8()?;
                let b = self.take_declared(u64::from(n))?;
                self.push(Value::LegacyStr(b));
            }
            op::BINSTRING => {
                let n = self.u32()? as i32;
                let n = u64::try_from(n)
                    .map_err(|_| self.malformed("BINSTRING with a negative length"))?;
                let b = self.take_declared(n)?;
                self.push(Value::LegacyStr(b));
            }
            op::EMPTY_TUPLE => self.push(Value::Tuple(Vec::new())),
            op::TUPLE1 | op::TUPLE2 | op::TUPLE3 => {
                let n = usize::from(code - op::TUPLE1 + 1);
                let mut items = vec![0; n];
                for slot in items.iter_mut().rev() {
                    *slot = self.pop()?;
                }
                self.push(Value::Tuple(items));
            }
            op::TUPLE => {
                let items = self.pop_mark()?;
                self.push(Value::Tuple(items));
            }
            op::EMPTY_LIST => self.push(Value::List(Vec::new())),
            op::LIST => {
                let items = self.pop_mark()?;
                self.push(Value::List(items));
            }
            op::EMPTY_DICT => self.push(Value::Dict(Vec::new())),
            op::DICT => {
                let items = self.pop_mark()?;
                let pairs = self.pairs(&items)?;
                self.push(Value::Dict(pairs));
            }
            op::EMPTY_SET => self.push(Value::Set(Vec::new())),
            op::FROZENSET => {
                let items = self.pop_mark()?;
                self.push(Value::Set(items));
            }
            op::APPEND => {
                let v = self.pop()?;
                self.extend_list(&[v])?;
            }
            op::APPENDS => {
                let items = self.pop_mark()?;
                self.extend_list(&items)?;
            }
            op::ADDITEMS => {
                let items = self.pop_mark()?;
                let target = self.top()?;
                match &mut self.arena[target as usize] {
                    Value::Set(s) => s.extend_from_slice(&items),
                    other => {
                        let t = other.type_name();
                        return Err(self.malformed(format!("ADDITEMS on a {t}, expected a set")));
                    }
                }
            }
            op::SETITEM => {
                let v = self.pop()?;
                let k = self.pop()?;
                self.extend_dict(&[k, v])?;
            }
            op::SETITEMS => {
                let items = self.pop_mark()?;
                self.extend_dict(&items)?;
            }
            op::MEMOIZE => {
                let n = self.memo.len() as u32;
                self.memo_put(n)?;
            }
            op::BINPUT => {
                let i = self.u8()?;
                self.memo_put(u32::from(i))?;
            }
            op::LONG_BINPUT => {
                let i = self.u32()?;
                self.memo_put(i)?;
            }
            op::BINGET => {
                let i = self.u8()?;
                self.memo_get(u32::from(i))?;
            }
            op::LONG_BINGET => {
                let i = self.u32()?;
                self.memo_get(i)?;
            }
            op::GLOBAL => {
                let module = self.line()?;
                let name = self.line()?;
                let g = self.resolve(module, name)?;
                self.push(Value::Global(g));
            }
            op::STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(m), Some(n)) = (self.get(module).as_text(), self.get(name).as_text())
                else {
                    return Err(self.malformed("STACK_GLOBAL needs two strings (module, name)"));
                };
                let g = self.resolve(m, n)?;
                self.push(Value::Global(g));
            }
            b'i' => {
                // INST names its class inline: refuse unknown ones as globals, the rest as unsupported.
                let module = self.line()?;
                let name = self.line()?;
                self.resolve(module, name)?;
                return Err(self.malformed("opcode INST is not supported"));
            }
            op::REDUCE => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let v = self.reduce(callable, args)?;
                self.push(v);
            }
            op::NEWOBJ => {
                let args = self.pop()?;
                let cls = self.pop()?;
                let v = self.newobj(cls, args, None)?;
                self.push(v);
            }
            op::NEWOBJ_EX => {
                let kwargs = self.pop()?;
                let args = self.pop()?;
                let cls = self.pop()?;
                let v = self.newobj(cls, args, Some(kwargs))?;
                self.push(v);
            }
            op::BUILD => {
                let state = self.pop()?;
                let target = self.top()?;
                self.build(target, state)?;
            }
            op::NEXT_BUFFER | op::READONLY_BUFFER => {
                return Err(self.malformed(format!(
                    "{} needs out-of-band buffers, which a file cannot carry",
                    op::name(code)
                )));
            }
            other => {
                return Err(self.malformed(format!(
                    "opcode {} (0x{other:02x}) is not supported by this restricted reader",
                    op::name(other)
                )));
            }
        }
        Ok(())
    }

    fn resolve(&self, module: &str, name: &str) -> Result<Global, StoreError> {
        Global::resolve(module, name).ok_or_else(|| StoreError::ForbiddenGlobal {
            path: self.path.into(),
            offset: self.at as u64,
            module: module.into(),
            name: name.into(),
        })
    }

    fn pairs(&self, items: &[Id]) -> Result<Vec<(Id, Id)>, StoreError> {
        if items.len() & 1 == 1 {
            return Err(self.malformed(format!(
                "{} needs key/value pairs, got {} items",
                op::name(self.input[self.at]),
                items.len()
            )));
        }
        Ok(items.chunks_exact(2).map(|p| (p[0], p[1])).collect())
    }

    fn extend_list(&mut self, items: &[Id]) -> Result<(), StoreError> {
        let target = self.top()?;
        match &mut self.arena[target as usize] {
            Value::List(l) => {
                l.extend_from_slice(items);
                Ok(())
            }
            other => {
                let t = other.type_name();
                Err(self.malformed(format!(
                    "{} on a {t}, expected a list",
                    op::name(self.input[self.at])
                )))
            }
        }
    }

    fn extend_dict(&mut self, items: &[Id]) -> Result<(), StoreError> {
        let pairs = self.pairs(items)?;
        let target = self.top()?;
        match &mut self.arena[target as usize] {
            Value::Dict(d) => {
                d.extend(pairs);
                Ok(())
            }
            other => {
                let t = other.type_name();
                Err(self.malformed(format!(
                    "{} on a {t}, expected a dict",
                    op::name(self.input[self.at])
                )))
            }
        }
    }
}

/// A LONG1/LONG4 payload: little-endian two's complement.
fn long(b: &[u8]) -> Value<'static> {
    if b.len() > 8 {
        let sign = if b.last().is_some_and(|&x| x & 0x80 != 0) {
            0xFF
        } else {
            0
        };
        if b[8..].iter().any(|&x| x != sign) || (b[7] & 0x80 != 0) != (sign == 0xFF) {
            return Value::BigInt;
        }
        // fits after all: fall through with the low 8 bytes
        return long(&b[..8]);
    }
    if b.is_empty() {
        return Value::Int(0);
    }
    let fill = if b[b.len() - 1] & 0x80 != 0 { 0xFF } else { 0 };
    let mut a = [fill; 8];
    a[..b.len()].copy_from_slice(b);
    Value::Int(i64::from_le_bytes(a))
}
