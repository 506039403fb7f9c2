//! The restricted pickle machine: decodes opcodes of protocols 2-5 into symbolic values and never
//! imports, calls or executes anything.
//!
//! Every length prefix is checked against the bytes left before anything is taken or allocated,
//! values borrow a slice input instead of copying it (a stream input leaves large payloads in the
//! file), nesting of MARKs is limited, and each opcode adds at most one arena entry, so the
//! machine's memory stays proportional to the input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::opcodes as op;
use super::value::{Global, Id, Value};
use super::PickleLimits;
use crate::input::{utf8, Input, Payload};
use crate::StoreError;

pub(super) struct Vm<'a, 'p, I> {
    input: I,
    /// Offset of the opcode being executed, for messages.
    pub(super) at: u64,
    /// The opcode being executed.
    code: u8,
    pub(super) path: &'p Path,
    pub(super) arena: Vec<Value<'a>>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u32, Id>,
    max_depth: usize,
    /// Bytes decoded from protocol-2 latin-1 strings so far; limited to the input size, since a
    /// memoized string could otherwise be decoded again and again.
    decoded: u64,
    /// An inspection read: arrays of dtypes no tree holds become [`Value::Unsupported`] instead
    /// of failing the read.
    pub(super) lenient: bool,
}

/// What the machine produced: the arena, the id of the value STOP returned, and the input (which
/// still holds deferred payloads).
pub(super) struct Outcome<'a, I> {
    pub arena: Vec<Value<'a>>,
    pub root: Id,
    pub input: I,
}

impl<'a, 'p, I: Input<'a>> Vm<'a, 'p, I> {
    pub(super) fn new(input: I, path: &'p Path, limits: &PickleLimits) -> Self {
        Self {
            input,
            at: 0,
            code: 0,
            path,
            arena: Vec::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            max_depth: limits.max_depth,
            decoded: 0,
            lenient: false,
        }
    }

    pub(super) fn malformed(&self, detail: impl Into<String>) -> StoreError {
        StoreError::Malformed {
            path: self.path.into(),
            offset: Some(self.at),
            key: None,
            detail: detail.into(),
        }
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.into(),
            source,
        }
    }

    fn left(&self) -> u64 {
        self.input.len().saturating_sub(self.input.pos())
    }

    /// Takes `N` fixed argument bytes of the current opcode.
    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let left = self.left();
        if N as u64 > left {
            return Err(self.malformed(format!(
                "truncated pickle: {} needs {N} more bytes, {left} left",
                op::name(self.code)
            )));
        }
        let mut a = [0u8; N];
        self.input.read_exact(&mut a).map_err(|e| self.io(e))?;
        Ok(a)
    }

    /// Refuses a declared size the input cannot hold, before anything is taken or allocated.
    fn check_declared(&self, declared: u64) -> Result<usize, StoreError> {
        let left = self.left();
        if declared > left {
            return Err(StoreError::TooLarge {
                path: self.path.into(),
                offset: self.at,
                what: format!("pickle opcode {}", op::name(self.code)),
                declared,
                available: left,
            });
        }
        // within the input's length, which is in memory or a file: fits usize on 64-bit targets
        usize::try_from(declared).map_err(|_| StoreError::TooLarge {
            path: self.path.into(),
            offset: self.at,
            what: format!(
                "pickle opcode {} (beyond the address space)",
                op::name(self.code)
            ),
            declared,
            available: left,
        })
    }

    /// Takes a length-declared argument into memory.
    fn take_declared(&mut self, declared: u64) -> Result<Cow<'a, [u8]>, StoreError> {
        let n = self.check_declared(declared)?;
        self.input.take(n).map_err(|e| self.io(e))
    }

    /// Takes (or, from a stream, skips over) a length-declared `bytes` payload.
    fn payload_declared(&mut self, declared: u64) -> Result<Payload<'a>, StoreError> {
        let n = self.check_declared(declared)?;
        self.input.payload(n).map_err(|e| self.io(e))
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.fixed::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_le_bytes(self.fixed()?))
    }
    fn u64(&mut self) -> Result<u64, StoreError> {
        Ok(u64::from_le_bytes(self.fixed()?))
    }
    fn line(&mut self) -> Result<Cow<'a, str>, StoreError> {
        let Some(line) = self.input.line().map_err(|e| self.io(e))? else {
            return Err(self.malformed(format!(
                "truncated pickle: {} argument has no newline",
                op::name(self.code)
            )));
        };
        utf8(line).map_err(|_| self.malformed("GLOBAL names are not UTF-8"))
    }
    fn text(&self, b: Cow<'a, [u8]>) -> Result<Value<'a>, StoreError> {
        utf8(b)
            .map(Value::Str)
            .map_err(|e| self.malformed(format!("string is not valid UTF-8: {e}")))
    }

    pub(super) fn charge_decoded(&mut self, n: usize) -> Result<(), StoreError> {
        self.decoded = self.decoded.saturating_add(n as u64);
        if self.decoded > self.input.len() {
            return Err(StoreError::TooLarge {
                path: self.path.into(),
                offset: self.at,
                what: "_codecs.encode results (memoized text decoded repeatedly)".into(),
                declared: self.decoded,
                available: self.input.len(),
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
                op::name(self.code)
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
                op::name(self.code)
            ))),
        }
    }
    /// Pops everything above the last MARK, and the MARK.
    fn pop_mark(&mut self) -> Result<Vec<Id>, StoreError> {
        let Some(m) = self.marks.pop() else {
            return Err(self.malformed(format!("{} without a MARK", op::name(self.code))));
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
    pub(super) fn run(mut self) -> Result<Outcome<'a, I>, StoreError> {
        loop {
            self.at = self.input.pos();
            let Some(code) = self.input.next_byte().map_err(|e| self.io(e))? else {
                return Err(self.malformed("truncated pickle: no STOP opcode"));
            };
            self.code = code;
            if code == op::STOP {
                let root = self.pop()?;
                return Ok(Outcome {
                    arena: self.arena,
                    root,
                    input: self.input,
                });
            }
            self.step(code)?;
        }
    }

    /// Runs one opcode.
    // One arm per pickle opcode, each a few lines: a dispatch table reads best whole, so it stays
    // one function however long the table grows.
    #[allow(clippy::too_many_lines)]
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
                let left = self.left();
                if n > left {
                    return Err(StoreError::TooLarge {
                        path: self.path.into(),
                        offset: self.at,
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
                let b = self.fixed()?;
                self.push(Value::Int(i64::from(u16::from_le_bytes(b))));
            }
            op::BININT => {
                let v = self.u32()? as i32;
                self.push(Value::Int(i64::from(v)));
            }
            op::LONG1 => {
                let n = self.u8()?;
                let b = self.take_declared(u64::from(n))?;
                self.push(long(&b));
            }
            op::LONG4 => {
                let n = self.u32()? as i32;
                let n =
                    u64::try_from(n).map_err(|_| self.malformed("LONG4 with a negative length"))?;
                let b = self.take_declared(n)?;
                self.push(long(&b));
            }
            op::BINFLOAT => {
                // floats are never part of an ArrayDict: skip the value, keep the stack shape
                self.fixed::<8>()?;
                self.push(Value::Float);
            }
            op::SHORT_BINUNICODE => {
                let n = self.u8()?;
                let b = self.take_declared(u64::from(n))?;
                let v = self.text(b)?;
                self.push(v);
            }
            op::BINUNICODE => {
                let n = self.u32()?;
                let b = self.take_declared(u64::from(n))?;
                let v = self.text(b)?;
                self.push(v);
            }
            op::BINUNICODE8 => {
                let n = self.u64()?;
                let b = self.take_declared(n)?;
                let v = self.text(b)?;
                self.push(v);
            }
            op::SHORT_BINBYTES => {
                let n = self.u8()?;
                let b = self.payload_declared(u64::from(n))?;
                self.push(Value::Bytes(b));
            }
            op::BINBYTES => {
                let n = self.u32()?;
                let b = self.payload_declared(u64::from(n))?;
                self.push(Value::Bytes(b));
            }
            op::BINBYTES8 | op::BYTEARRAY8 => {
                let n = self.u64()?;
                let b = self.payload_declared(n)?;
                self.push(Value::Bytes(b));
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
                let g = self.resolve(&module, &name)?;
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
                self.resolve(&module, &name)?;
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
            offset: self.at,
            module: module.into(),
            name: name.into(),
        })
    }

    fn pairs(&self, items: &[Id]) -> Result<Vec<(Id, Id)>, StoreError> {
        if items.len() & 1 == 1 {
            return Err(self.malformed(format!(
                "{} needs key/value pairs, got {} items",
                op::name(self.code),
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
                Err(self.malformed(format!("{} on a {t}, expected a list", op::name(self.code))))
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
                Err(self.malformed(format!("{} on a {t}, expected a dict", op::name(self.code))))
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
