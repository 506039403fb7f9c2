//! Legacy VTK data types and the reading/writing of value blocks (ascii or big-endian binary).

use std::fmt::Write as _;
use std::io::Write;

use vtk_model::{ArrayData, DType};

use super::cursor::{shorten, Cursor};
use crate::FormatError;

/// A legacy type keyword, resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LegacyType {
    /// Stored as the dtype itself.
    Plain(DType),
    /// `vtkIdType`: VTK writes 4-byte ints in binary files and reads them into 64-bit ids.
    IdType,
}

/// Resolves a legacy type keyword (case-insensitive, as VTK lower-cases it).
pub(crate) fn parse_type(
    cur: &Cursor<'_>,
    name: &str,
    element: &str,
) -> Result<LegacyType, FormatError> {
    let t = match name.to_ascii_lowercase().as_str() {
        "unsigned_char" => LegacyType::Plain(DType::U8),
        "char" | "signed_char" => LegacyType::Plain(DType::I8),
        "short" => LegacyType::Plain(DType::I16),
        "unsigned_short" => LegacyType::Plain(DType::U16),
        "int" => LegacyType::Plain(DType::I32),
        "unsigned_int" => LegacyType::Plain(DType::U32),
        // VTK's `long` is 8 bytes on the LP64 platforms VTK files come from.
        "long" | "vtktypeint64" => LegacyType::Plain(DType::I64),
        "unsigned_long" | "vtktypeuint64" => LegacyType::Plain(DType::U64),
        "float" => LegacyType::Plain(DType::F32),
        "double" => LegacyType::Plain(DType::F64),
        "vtkidtype" => LegacyType::IdType,
        "bit" => {
            return Err(FormatError::Unsupported {
                path: cur.path.to_path_buf(),
                detail: format!("{element}: legacy 'bit' arrays are not supported"),
            })
        }
        "string" | "utf8_string" | "variant" => {
            return Err(FormatError::Unsupported {
                path: cur.path.to_path_buf(),
                detail: format!("{element}: legacy '{name}' arrays are not numeric"),
            })
        }
        _ => return Err(cur.err(element, format!("unknown data type '{}'", shorten(name)))),
    };
    Ok(t)
}

/// The keyword our writer uses for a dtype (the ones every VTK 9 reader knows).
pub(crate) fn type_name(dtype: DType) -> &'static str {
    match dtype {
        DType::I8 => "char",
        DType::U8 => "unsigned_char",
        DType::I16 => "short",
        DType::U16 => "unsigned_short",
        DType::I32 => "int",
        DType::U32 => "unsigned_int",
        DType::I64 => "vtktypeint64",
        DType::U64 => "vtktypeuint64",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

/// Reading context: the file's encoding and the allocation limit.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub binary: bool,
    pub max_alloc: u64,
}

/// Checks that `n` values of `size` bytes fit the limit and (for binary data) the remaining input.
fn check_size(
    cur: &Cursor<'_>,
    ctx: Ctx,
    n: usize,
    size: usize,
    element: &str,
) -> Result<usize, FormatError> {
    let too_large = |declared: u64| FormatError::TooLarge {
        path: cur.path.to_path_buf(),
        offset: Some(cur.pos as u64),
        what: element.to_owned(),
        declared,
        available: cur.remaining() as u64,
        limit: ctx.max_alloc,
    };
    let bytes = n.checked_mul(size).ok_or_else(|| too_large(u64::MAX))?;
    let mem = n.checked_mul(8).ok_or_else(|| too_large(u64::MAX))?;
    // Binary data needs its bytes; ascii needs at least one digit and one separator per value.
    let needed = if ctx.binary {
        bytes
    } else {
        n.saturating_mul(2).saturating_sub(1)
    };
    if needed > cur.remaining() || mem as u64 > ctx.max_alloc {
        return Err(too_large(needed.max(bytes) as u64));
    }
    Ok(bytes)
}

/// Reads `n` values of the given type. For binary files the data starts after the current line.
pub(crate) fn read_values(
    cur: &mut Cursor<'_>,
    ctx: Ctx,
    ty: LegacyType,
    n: usize,
    element: &str,
) -> Result<ArrayData, FormatError> {
    if ctx.binary {
        cur.line();
        let (stored, out) = match ty {
            LegacyType::Plain(d) => (d, d),
            LegacyType::IdType => (DType::I32, DType::I64),
        };
        let bytes = check_size(cur, ctx, n, stored.size(), element)?;
        let start = cur.pos;
        let raw = cur.take(bytes, element)?;
        let data = ArrayData::from_bytes(stored, raw, true)
            .map_err(|_| cur.err_at(start, element, "partial value"))?;
        if out == stored {
            return Ok(data);
        }
        let ArrayData::I32(v) = data else {
            unreachable!("stored type is i32")
        };
        return Ok(ArrayData::I64(v.into_iter().map(i64::from).collect()));
    }
    let dtype = match ty {
        LegacyType::Plain(d) => d,
        LegacyType::IdType => DType::I64,
    };
    check_size(cur, ctx, n, 1, element)?;
    Ok(match dtype {
        DType::I8 => ArrayData::I8(parse_n(cur, n, element)?),
        DType::U8 => ArrayData::U8(parse_n(cur, n, element)?),
        DType::I16 => ArrayData::I16(parse_n(cur, n, element)?),
        DType::U16 => ArrayData::U16(parse_n(cur, n, element)?),
        DType::I32 => ArrayData::I32(parse_n(cur, n, element)?),
        DType::U32 => ArrayData::U32(parse_n(cur, n, element)?),
        DType::I64 => ArrayData::I64(parse_n(cur, n, element)?),
        DType::U64 => ArrayData::U64(parse_n(cur, n, element)?),
        DType::F32 => ArrayData::F32(parse_n(cur, n, element)?),
        DType::F64 => ArrayData::F64(parse_n(cur, n, element)?),
    })
}

fn parse_n<T: std::str::FromStr>(
    cur: &mut Cursor<'_>,
    n: usize,
    element: &str,
) -> Result<Vec<T>, FormatError> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let start = cur.pos;
        let Some(t) = cur.token()? else {
            return Err(cur.err(
                element,
                format!("unexpected end of file after {i} of {n} values"),
            ));
        };
        let v = t.parse().map_err(|_| {
            cur.err_at(
                start,
                element,
                format!(
                    "value {i}: '{}' is not a {}",
                    shorten(t),
                    std::any::type_name::<T>()
                ),
            )
        })?;
        out.push(v);
    }
    Ok(out)
}

/// Reads an integer stream (cells, cell types) and widens it to `i64`.
pub(crate) fn read_ids(
    cur: &mut Cursor<'_>,
    ctx: Ctx,
    ty: LegacyType,
    n: usize,
    element: &str,
) -> Result<Vec<i64>, FormatError> {
    let start = cur.pos;
    let data = read_values(cur, ctx, ty, n, element)?;
    if data.dtype().is_float() {
        return Err(cur.err_at(
            start,
            element,
            format!("ids must be integers, found {}", data.dtype()),
        ));
    }
    data.to_i64_vec().map_err(|i| {
        cur.err_at(
            start,
            element,
            format!("id {i} does not fit a 64-bit signed integer"),
        )
    })
}

/// Decodes VTK's `%XX` escapes in array names.
pub(crate) fn decode_name(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes a name the way `vtkDataWriter::EncodeString` does: bytes that would break the
/// whitespace-separated syntax, `"` and `%` become `%XX`.
pub(crate) fn encode_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c <= b' ' || c >= 127 || c == b'"' || c == b'%' {
            let _ = write!(out, "%{c:02X}");
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Writes values: big-endian bytes for binary files, otherwise nine values per line.
pub(crate) fn write_values(
    w: &mut dyn Write,
    data: &ArrayData,
    binary: bool,
) -> std::io::Result<()> {
    if binary {
        let size = data.dtype().size();
        let mut chunk = Vec::with_capacity(size * 65536);
        for part in data.as_bytes().chunks(size * 65536) {
            chunk.clear();
            chunk.extend_from_slice(part);
            if size > 1 && cfg!(target_endian = "little") {
                for v in chunk.chunks_exact_mut(size) {
                    v.reverse();
                }
            }
            w.write_all(&chunk)?;
        }
        return w.write_all(b"\n");
    }
    vtk_model::with_array_data!(data, v => write_ascii(w, v))
}

/// Shortest round-trip text of a value (`Debug` switches to exponents for very large/small floats).
trait AsciiValue: Copy {
    fn put(self, out: &mut String);
}
macro_rules! ascii_int {
    ($($t:ty),*) => {$(impl AsciiValue for $t { fn put(self, out: &mut String) { use std::fmt::Write as _; let _ = write!(out, "{self}"); } })*};
}
ascii_int!(i8, u8, i16, u16, i32, u32, i64, u64);
macro_rules! ascii_float {
    ($($t:ty),*) => {$(impl AsciiValue for $t {
        fn put(self, out: &mut String) {
            use std::fmt::Write as _;
            if self.is_nan() { out.push_str("nan"); } else { let _ = write!(out, "{self:?}"); }
        }
    })*};
}
ascii_float!(f32, f64);

fn write_ascii<T: AsciiValue>(w: &mut dyn Write, v: &[T]) -> std::io::Result<()> {
    let mut line = String::with_capacity(256);
    for chunk in v.chunks(9) {
        line.clear();
        for (i, &x) in chunk.iter().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            x.put(&mut line);
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(encode_name("a b%\"c"), "a%20b%25%22c");
        assert_eq!(decode_name("a%20b%25%22c"), "a b%\"c");
        assert_eq!(decode_name("100%"), "100%");
        assert_eq!(decode_name("x%zz"), "x%zz");
    }
}
