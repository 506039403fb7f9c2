//! Symbolic values of the restricted unpickler. Nothing here can run code: a "call" is only ever
//! one of the interpretations in `numpy.rs`, chosen from the allow-list when the global is read.

use std::borrow::Cow;

use arraydict::{DType, MemoryOrder};

use crate::input::Payload;

/// Index of a value in the VM's arena. The stack and the memo hold ids, so that BUILD and SETITEMS
/// mutate the one object every reference sees, as in Python.
pub(super) type Id = u32;

/// The globals the reader accepts (SPEC section 8); every other global is refused when read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Global {
    /// `numpy.core.multiarray._reconstruct` / `numpy._core.multiarray._reconstruct`.
    Reconstruct,
    /// `numpy.core.numeric._frombuffer` / `numpy._core.numeric._frombuffer`.
    FromBuffer,
    /// `numpy.core.multiarray.scalar` / `numpy._core.multiarray.scalar`.
    Scalar,
    /// `numpy.ndarray`.
    NdArrayClass,
    /// `vtk*.numpy_interface.dataset_adapter.VTKArray`, an ndarray subclass read as an ndarray.
    VtkArrayClass,
    /// `numpy.dtype`.
    DtypeClass,
    /// `_codecs.encode` (protocol 2 writes bytes as `encode(text, 'latin1')`).
    CodecsEncode,
    /// `vmtk.*.vividict` or `collections.OrderedDict`: dict subclasses read as dicts.
    DictClass,
    /// `builtins.bytes` (`__builtin__` in protocol 2): protocol 2 writes `b''` as `bytes()`.
    Bytes,
}

impl Global {
    /// Maps a `module.name` pair to an allowed global, or `None` to refuse it.
    pub(super) fn resolve(module: &str, name: &str) -> Option<Global> {
        let numpy_core = |sub: &str| {
            module
                .strip_prefix("numpy.core.")
                .or_else(|| module.strip_prefix("numpy._core."))
                == Some(sub)
        };
        Some(match name {
            "_reconstruct" if numpy_core("multiarray") => Global::Reconstruct,
            "_frombuffer" if numpy_core("numeric") => Global::FromBuffer,
            "scalar" if numpy_core("multiarray") => Global::Scalar,
            "ndarray" if module == "numpy" => Global::NdArrayClass,
            "dtype" if module == "numpy" => Global::DtypeClass,
            "encode" if module == "_codecs" => Global::CodecsEncode,
            "bytes" if module == "builtins" || module == "__builtin__" => Global::Bytes,
            "OrderedDict" if module == "collections" => Global::DictClass,
            "vividict" if module.starts_with("vmtk.") && module.split('.').all(is_identifier) => {
                Global::DictClass
            }
            "VTKArray"
                if module
                    .strip_suffix(".numpy_interface.dataset_adapter")
                    .is_some_and(|pkg| pkg.starts_with("vtk") && is_identifier(pkg)) =>
            {
                Global::VtkArrayClass
            }
            _ => return None,
        })
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// An array whose bytes still live in the input (or in a decoded protocol-2 string); it becomes an
/// `NdArray` only when the tree is assembled, so the VM itself allocates nothing per array byte
/// (from a stream, it holds only payloads too small to defer).
#[derive(Clone, Debug)]
pub(super) struct ArraySpec {
    /// The arena id of the `bytes` value holding the data in memory order (shared, never copied).
    pub data: Id,
    pub dtype: DType,
    pub big_endian: bool,
    /// Logical shape.
    pub shape: Vec<usize>,
    pub order: MemoryOrder,
}

/// A value on the VM's stack, in its memo or inside a container.
#[derive(Clone, Debug)]
pub(super) enum Value<'a> {
    None,
    Bool(bool),
    Int(i64),
    /// An integer beyond 64 bits; never valid where this reader needs a number.
    BigInt,
    Float,
    Str(Cow<'a, str>),
    /// bytes or bytearray.
    Bytes(Payload<'a>),
    /// Protocol 0-2 `str` of Python 2 (BINSTRING): bytes that Python 3 decodes as ASCII.
    LegacyStr(Cow<'a, [u8]>),
    Tuple(Vec<Id>),
    List(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    Global(Global),
    /// A `numpy.dtype`; BUILD sets the byte order.
    Dtype {
        dtype: DType,
        big_endian: bool,
    },
    /// `_reconstruct(cls, (0,), b'b')` before its BUILD.
    PendingArray,
    Array(ArraySpec),
    /// An array (or dtype) no `ArrayDict` holds -- object, string, bool, complex, structured --
    /// with why; made only by an inspection read, which lists it instead of failing.
    Unsupported(String),
}

impl Value<'_> {
    /// Python's name for the value's type, for error messages.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt => "int",
            Value::Float => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::LegacyStr(_) => "Python 2 str",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Global(_) => "class or function",
            Value::Dtype { .. } => "numpy.dtype",
            Value::PendingArray => "ndarray awaiting its state",
            Value::Array(_) => "numpy.ndarray",
            Value::Unsupported(_) => "unsupported numpy value",
        }
    }

    /// The value as text: `str`, or an ASCII Python 2 `str` (Python 3's default decoding).
    pub(super) fn as_text(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::LegacyStr(b) if b.is_ascii() => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }
}
