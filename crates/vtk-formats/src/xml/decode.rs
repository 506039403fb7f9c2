//! Decoding one `<DataArray>`: ascii text, inline base64, appended base64 or appended raw bytes,
//! each optionally split into compressed blocks.
//!
//! Every size read from the file is checked against the bytes present and the allocation limit
//! before anything is allocated.

use std::borrow::Cow;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use vtk_model::{ArrayData, DType};

use super::blocks::BinaryArray;
use super::codec::Compressor;
use super::context::{Appended, Ctx};
use super::file::{decode_raw, FileRange};
use super::tree::Element;
use crate::FormatError;

/// VTK pads every base64 stream, other writers may not; accept both.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A decoded `<DataArray>`.
pub(crate) struct RawArray {
    pub name: String,
    pub components: usize,
    pub data: ArrayData,
}

/// The binary payload of an array: raw bytes or whitespace-free base64 text, starting at its header.
enum Source<'a> {
    Raw(&'a [u8]),
    Base64(Cow<'a, [u8]>),
}

fn b64_len(bytes: u64) -> u64 {
    bytes.div_ceil(3).saturating_mul(4)
}

/// Reads a `<DataArray>`. `label` names it in errors; `expected_tuples` is the number of tuples the
/// dataset requires, when known.
pub(crate) fn read_data_array(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    label: &str,
    expected_tuples: Option<u64>,
) -> Result<RawArray, FormatError> {
    read_array(ctx, el, label, expected_tuples, false)
}

/// [`read_data_array`] for point ids: raw appended `Int64` ids that all fit in 32 bits are read
/// as [`ArrayData::I32`] when that saves a pass (uncompressed data in a file).
pub(crate) fn read_ids_array(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    label: &str,
    expected_tuples: Option<u64>,
) -> Result<RawArray, FormatError> {
    read_array(ctx, el, label, expected_tuples, true)
}

fn read_array(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    label: &str,
    expected_tuples: Option<u64>,
    narrow_ids: bool,
) -> Result<RawArray, FormatError> {
    let bad = |detail: String| ctx.malformed(Some(el.offset), Some(label), detail);
    let attrs = ArrayAttrs::parse(ctx, el, label, expected_tuples)?;
    let expected = expected_tuples.map(|t| t.saturating_mul(attrs.components as u64));
    if let Some(n) = expected {
        let bytes = n.saturating_mul(attrs.dtype.size() as u64);
        if bytes > ctx.max_alloc {
            return Err(ctx.too_large(el.offset, label, bytes, ctx.max_alloc));
        }
    }
    let binary = |offset| BinaryArray {
        ctx,
        dtype: attrs.dtype,
        offset,
        label,
        expected,
    };
    let data = match attrs.format {
        "ascii" => parse_ascii(ctx, el, label, attrs.dtype, expected)?,
        "binary" => {
            let text: Vec<u8> = el
                .text
                .iter()
                .flat_map(|t| t.iter().copied())
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            decode_binary(&binary(el.offset), Source::Base64(Cow::Owned(text)))?
        }
        "appended" => {
            let (app, off) = appended_offset(ctx, el, label)?;
            read_appended(&binary(app.file_offset + off), app, off, narrow_ids)?
        }
        other => {
            return Err(bad(format!(
                "format=\"{other}\", expected ascii, binary or appended"
            )))
        }
    };
    attrs.check_decoded(&data, expected).map_err(bad)?;
    Ok(RawArray {
        name: attrs.name,
        components: attrs.components,
        data,
    })
}

/// The attributes of a `<DataArray>` that say what it holds and how it is stored.
struct ArrayAttrs<'e> {
    name: String,
    dtype: DType,
    components: usize,
    /// `NumberOfTuples`, when present.
    declared_tuples: Option<u64>,
    /// `ascii`, `binary` or `appended` (anything else is refused when the data is read).
    format: &'e str,
}

impl<'e> ArrayAttrs<'e> {
    fn parse(
        ctx: &Ctx<'_>,
        el: &'e Element<'_>,
        label: &str,
        expected_tuples: Option<u64>,
    ) -> Result<Self, FormatError> {
        let bad = |detail: String| ctx.malformed(Some(el.offset), Some(label), detail);
        let type_name = el
            .attr("type")
            .ok_or_else(|| bad("missing type attribute".into()))?;
        let dtype = DType::from_vtk_name(type_name).ok_or_else(|| match type_name {
            "String" | "Bit" | "Char" => FormatError::Unsupported {
                path: ctx.path.to_path_buf(),
                detail: format!("{label} (byte {}): arrays of type {type_name}", el.offset),
            },
            _ => bad(format!(
                "unknown type \"{type_name}\"; expected Int8..Int64, UInt8..UInt64, Float32 or Float64"
            )),
        })?;
        let components = match el.attr("NumberOfComponents") {
            None => 1,
            Some(s) => s
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    bad(format!(
                        "NumberOfComponents=\"{s}\" is not a positive integer"
                    ))
                })?,
        };
        let declared_tuples = declared_tuples(el, expected_tuples).map_err(bad)?;
        Ok(Self {
            name: el.attr("Name").unwrap_or_default().to_owned(),
            dtype,
            components,
            declared_tuples,
            format: el.attr("format").unwrap_or("ascii"),
        })
    }

    /// Checks the decoded values against the components, the `expected` count of values (when
    /// known) and `NumberOfTuples`.
    #[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87, the workspace supports 1.80
    fn check_decoded(&self, data: &ArrayData, expected: Option<u64>) -> Result<(), String> {
        let components = self.components;
        if data.len() % components != 0 {
            return Err(format!(
                "{} values do not form tuples of {components} components",
                data.len()
            ));
        }
        if let Some(n) = expected {
            if data.len() as u64 != n {
                return Err(format!("holds {} values, expected {n}", data.len()));
            }
        }
        let tuples = (data.len() / components) as u64;
        if let Some(t) = self.declared_tuples.filter(|&t| t != tuples) {
            return Err(format!(
                "NumberOfTuples=\"{t}\", but the data holds {tuples} tuples of {components} components"
            ));
        }
        Ok(())
    }
}

/// The appended section and the `offset` attribute of an array stored there, checked to lie in it.
fn appended_offset<'a>(
    ctx: &Ctx<'a>,
    el: &Element<'_>,
    label: &str,
) -> Result<(Appended<'a>, u64), FormatError> {
    let bad = |detail: String| ctx.malformed(Some(el.offset), Some(label), detail);
    let app = ctx
        .appended
        .ok_or_else(|| bad("format=\"appended\" but the file has no <AppendedData>".into()))?;
    let off = el
        .attr("offset")
        .ok_or_else(|| bad("appended array without offset attribute".into()))?;
    let off: u64 = off
        .trim()
        .parse()
        .map_err(|_| bad(format!("offset=\"{off}\" is not an integer")))?;
    if off > app.len {
        return Err(bad(format!(
            "offset {off} is beyond the appended data ({} bytes)",
            app.len
        )));
    }
    Ok((app, off))
}

/// Decodes an array at `off` in the appended data `app`: from the file when the data was left
/// there, else from memory.
fn read_appended(
    arr: &BinaryArray<'_>,
    app: Appended<'_>,
    off: u64,
    narrow_ids: bool,
) -> Result<ArrayData, FormatError> {
    if let Some(file) = app.file {
        let range = FileRange {
            file,
            start: arr.offset,
            len: app.len - off,
        };
        return decode_raw(arr, &range, narrow_ids);
    }
    let rest = app.data.get(off as usize..).unwrap_or_default();
    let src = if app.raw {
        Source::Raw(rest)
    } else {
        Source::Base64(Cow::Borrowed(rest))
    };
    decode_binary(arr, src)
}

/// The optional `NumberOfTuples` attribute, which must agree with the tuples the piece requires
/// (`expected`, when known); agreement with the data is checked once it is decoded.
fn declared_tuples(el: &Element<'_>, expected: Option<u64>) -> Result<Option<u64>, String> {
    let Some(s) = el.attr("NumberOfTuples") else {
        return Ok(None);
    };
    let t = s
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("NumberOfTuples=\"{s}\" is not a non-negative integer"))?;
    match expected {
        Some(n) if n != t => Err(format!(
            "NumberOfTuples=\"{t}\", but the piece has {n} tuples for this array"
        )),
        _ => Ok(Some(t)),
    }
}

fn parse_ascii(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    label: &str,
    dtype: DType,
    expected: Option<u64>,
) -> Result<ArrayData, FormatError> {
    fn parse_all<T: std::str::FromStr + vtk_model::Element>(
        tokens: &mut dyn Iterator<Item = &[u8]>,
        cap: usize,
    ) -> Result<ArrayData, String> {
        let mut v: Vec<T> = Vec::with_capacity(cap);
        for tok in tokens {
            let s = std::str::from_utf8(tok).map_err(|_| "non-UTF-8 text".to_owned())?;
            let x = s
                .parse::<T>()
                .map_err(|_| format!("\"{s}\" is not a valid {}", T::DTYPE.vtk_name()))?;
            v.push(x);
        }
        Ok(T::wrap(v))
    }
    // The text is in memory, so the capacity hint is bounded by what the file holds.
    let text_len: usize = el.text.iter().map(|t| t.len()).sum();
    let cap = expected.map_or(0, |n| n.min(text_len as u64 / 2 + 1) as usize);
    let mut tokens = el
        .text
        .iter()
        .flat_map(|t| t.split(u8::is_ascii_whitespace))
        .filter(|t| !t.is_empty());
    let r = match dtype {
        DType::I8 => parse_all::<i8>(&mut tokens, cap),
        DType::U8 => parse_all::<u8>(&mut tokens, cap),
        DType::I16 => parse_all::<i16>(&mut tokens, cap),
        DType::U16 => parse_all::<u16>(&mut tokens, cap),
        DType::I32 => parse_all::<i32>(&mut tokens, cap),
        DType::U32 => parse_all::<u32>(&mut tokens, cap),
        DType::I64 => parse_all::<i64>(&mut tokens, cap),
        DType::U64 => parse_all::<u64>(&mut tokens, cap),
        DType::F32 => parse_all::<f32>(&mut tokens, cap),
        DType::F64 => parse_all::<f64>(&mut tokens, cap),
    };
    r.map_err(|d| ctx.malformed(Some(el.offset), Some(label), format!("ascii data: {d}")))
}

fn decode_b64(arr: &BinaryArray<'_>, text: &[u8]) -> Result<Vec<u8>, FormatError> {
    B64.decode(text)
        .map_err(|e| arr.malformed(format!("invalid base64: {e}")))
}

/// Whether a base64 header of `header_len` bytes was encoded as its own padded stream (VTK does that
/// for compressed data) rather than as the start of one stream with the data (VTK's uncompressed form).
#[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87, the workspace supports 1.80
fn separate_header(text: &[u8], header_len: u64) -> bool {
    let chars = b64_len(header_len) as usize;
    header_len % 3 != 0 && chars >= 1 && text.get(chars - 1) == Some(&b'=')
}

/// Decodes binary data held in memory, in one of VTK's four forms.
fn decode_binary(arr: &BinaryArray<'_>, src: Source<'_>) -> Result<ArrayData, FormatError> {
    match (src, arr.ctx.compressor) {
        (Source::Raw(bytes), None) => raw(arr, bytes),
        (Source::Raw(bytes), Some(c)) => raw_compressed(arr, c, bytes),
        (Source::Base64(text), None) => base64(arr, &text),
        (Source::Base64(text), Some(c)) => base64_compressed(arr, c, &text),
    }
}

/// The values in `bytes`, which must be a whole number of them.
fn to_array(arr: &BinaryArray<'_>, bytes: &[u8]) -> Result<ArrayData, FormatError> {
    super::bulk::bytes_to_array(arr.dtype, bytes, arr.ctx.big_endian).map_err(|rem| {
        arr.malformed(format!(
            "{} bytes are not a whole number of {} values ({rem} left over)",
            bytes.len(),
            arr.dtype.vtk_name()
        ))
    })
}

/// Raw bytes: a size header, then the data.
fn raw(arr: &BinaryArray<'_>, bytes: &[u8]) -> Result<ArrayData, FormatError> {
    let h = arr.ctx.header_size() as u64;
    if (bytes.len() as u64) < h {
        return Err(arr.too_large("size header", h, bytes.len() as u64));
    }
    let size = arr.ctx.header_value(bytes, 0);
    let avail = bytes.len() as u64 - h;
    if size > avail {
        return Err(arr.too_large("uncompressed data", size, avail));
    }
    arr.check_size(size)?;
    to_array(arr, &bytes[h as usize..(h + size) as usize])
}

/// Raw bytes: a compression header, then the blocks.
fn raw_compressed(
    arr: &BinaryArray<'_>,
    c: Compressor,
    bytes: &[u8],
) -> Result<ArrayData, FormatError> {
    let h = arr.ctx.header_size();
    let header_len = arr.compression_header_len(&bytes[..bytes.len().min(3 * h)], bytes.len())?;
    let header = &bytes[..header_len];
    arr.decompress_blocks(c, header, &bytes[header_len..])
}

/// base64 text of a size header and the data: one stream (as VTK writes it) or two.
fn base64(arr: &BinaryArray<'_>, text: &[u8]) -> Result<ArrayData, FormatError> {
    let h = arr.ctx.header_size() as u64;
    let first = b64_len(h) as usize;
    if text.len() < first {
        return Err(arr.too_large("base64 size header", first as u64, text.len() as u64));
    }
    let head = decode_b64(arr, &text[..first])?;
    if (head.len() as u64) < h {
        return Err(arr.malformed("base64 size header decodes to too few bytes".into()));
    }
    let size = arr.ctx.header_value(&head, 0);
    let separate = separate_header(text, h);
    let (skip_chars, skip_bytes, total) = if separate {
        (first, 0, size)
    } else {
        (0, h, h.saturating_add(size))
    };
    let need = b64_len(total);
    let avail = (text.len() - skip_chars) as u64;
    if need > avail {
        return Err(arr.too_large("base64 data", need, avail));
    }
    arr.check_size(size)?;
    let raw = decode_b64(arr, &text[skip_chars..skip_chars + need as usize])?;
    let data = raw
        .get(skip_bytes as usize..(skip_bytes + size) as usize)
        .ok_or_else(|| arr.malformed("base64 data decodes to too few bytes".into()))?;
    to_array(arr, data)
}

/// base64 text of a compression header and the blocks: two streams (as VTK writes them) or one.
fn base64_compressed(
    arr: &BinaryArray<'_>,
    c: Compressor,
    text: &[u8],
) -> Result<ArrayData, FormatError> {
    let h = arr.ctx.header_size() as u64;
    let first = b64_len(3 * h) as usize;
    if text.len() < first {
        let (need, have) = (first as u64, text.len() as u64);
        return Err(arr.too_large("base64 compression header", need, have));
    }
    let head = decode_b64(arr, &text[..first])?;
    let header_len = arr.compression_header_len(&head, text.len() / 4 * 3)? as u64;
    let hchars = b64_len(header_len) as usize;
    if text.len() < hchars {
        let (need, have) = (hchars as u64, text.len() as u64);
        return Err(arr.too_large("base64 compression header", need, have));
    }
    let separate = separate_header(text, header_len);
    let header = decode_b64(arr, &text[..hchars])?;
    let header = header
        .get(..header_len as usize)
        .ok_or_else(|| arr.malformed("compression header decodes to too few bytes".into()))?;
    let compressed = arr.compressed_len(header);
    let (skip_chars, skip_bytes, total) = if separate {
        (hchars, 0, compressed)
    } else {
        (0, header_len, header_len.saturating_add(compressed))
    };
    let need = b64_len(total);
    let avail = (text.len() - skip_chars) as u64;
    if need > avail {
        return Err(arr.too_large("base64 compressed data", need, avail));
    }
    let raw = decode_b64(arr, &text[skip_chars..skip_chars + need as usize])?;
    let payload = raw
        .get(skip_bytes as usize..)
        .ok_or_else(|| arr.malformed("base64 data decodes to too few bytes".into()))?;
    arr.decompress_blocks(c, header, payload)
}
