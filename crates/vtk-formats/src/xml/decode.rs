//! Decoding one `<DataArray>`: ascii text, inline base64, appended base64 or appended raw bytes,
//! each optionally split into compressed blocks.
//!
//! Every size read from the file is checked against the bytes present and the allocation limit
//! before anything is allocated.

use std::borrow::Cow;
use std::path::Path;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use rayon::prelude::*;
use vtk_model::{ArrayData, DType};

use super::codec::Compressor;
use super::tree::{Appended, Element};
use crate::FormatError;

/// VTK pads every base64 stream, other writers may not; accept both.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Per-file decoding context.
pub(crate) struct Ctx<'a> {
    pub path: &'a Path,
    pub max_alloc: u64,
    /// `header_type="UInt64"` (otherwise `UInt32`).
    pub header64: bool,
    pub big_endian: bool,
    pub compressor: Option<Compressor>,
    pub appended: Option<Appended<'a>>,
}

impl Ctx<'_> {
    pub fn malformed(
        &self,
        offset: Option<u64>,
        element: Option<&str>,
        detail: String,
    ) -> FormatError {
        FormatError::Malformed {
            path: self.path.to_path_buf(),
            offset,
            element: element.map(str::to_owned),
            detail,
        }
    }

    pub(crate) fn too_large(
        &self,
        offset: u64,
        what: &str,
        declared: u64,
        available: u64,
    ) -> FormatError {
        FormatError::TooLarge {
            path: self.path.to_path_buf(),
            offset: Some(offset),
            what: what.to_owned(),
            declared,
            available,
            limit: self.max_alloc,
        }
    }

    pub(crate) fn header_size(&self) -> usize {
        if self.header64 {
            8
        } else {
            4
        }
    }

    pub(crate) fn header_value(&self, bytes: &[u8], index: usize) -> u64 {
        let h = self.header_size();
        let mut b = [0u8; 8];
        let src = &bytes[index * h..(index + 1) * h];
        if self.big_endian {
            b[8 - h..].copy_from_slice(src);
            u64::from_be_bytes(b)
        } else {
            b[..h].copy_from_slice(src);
            u64::from_le_bytes(b)
        }
    }
}

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
    let at = Some(el.offset);
    let bad = |detail: String| ctx.malformed(at, Some(label), detail);
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
    let name = el.attr("Name").unwrap_or_default().to_owned();
    let expected = expected_tuples.map(|t| t.saturating_mul(components as u64));
    let format = el.attr("format").unwrap_or("ascii");
    if let Some(n) = expected {
        let bytes = n.saturating_mul(dtype.size() as u64);
        if bytes > ctx.max_alloc {
            return Err(ctx.too_large(el.offset, label, bytes, ctx.max_alloc));
        }
    }
    let data = match format {
        "ascii" => parse_ascii(ctx, el, label, dtype, expected)?,
        "binary" => {
            let text: Vec<u8> = el
                .text
                .iter()
                .flat_map(|t| t.iter().copied())
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            decode_binary(
                ctx,
                Source::Base64(Cow::Owned(text)),
                dtype,
                el.offset,
                label,
                expected,
            )?
        }
        "appended" => {
            let app = ctx.appended.ok_or_else(|| {
                bad("format=\"appended\" but the file has no <AppendedData>".into())
            })?;
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
            let at = app.file_offset + off;
            if let Some(file) = app.file {
                let range = super::file::FileRange {
                    file,
                    start: at,
                    len: app.len - off,
                };
                super::file::decode_raw(ctx, &range, dtype, label, expected, narrow_ids)?
            } else {
                let rest = app.data.get(off as usize..).unwrap_or_default();
                let src = if app.raw {
                    Source::Raw(rest)
                } else {
                    Source::Base64(Cow::Borrowed(rest))
                };
                decode_binary(ctx, src, dtype, at, label, expected)?
            }
        }
        other => {
            return Err(bad(format!(
                "format=\"{other}\", expected ascii, binary or appended"
            )))
        }
    };
    if data.len() % components != 0 {
        return Err(bad(format!(
            "{} values do not form tuples of {components} components",
            data.len()
        )));
    }
    if let Some(n) = expected {
        if data.len() as u64 != n {
            return Err(bad(format!("holds {} values, expected {n}", data.len())));
        }
    }
    let tuples = (data.len() / components) as u64;
    if let Some(t) = declared_tuples.filter(|&t| t != tuples) {
        return Err(bad(format!(
            "NumberOfTuples=\"{t}\", but the data holds {tuples} tuples of {components} components"
        )));
    }
    Ok(RawArray {
        name,
        components,
        data,
    })
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

fn decode_b64(
    ctx: &Ctx<'_>,
    text: &[u8],
    offset: u64,
    label: &str,
) -> Result<Vec<u8>, FormatError> {
    B64.decode(text)
        .map_err(|e| ctx.malformed(Some(offset), Some(label), format!("invalid base64: {e}")))
}

/// Whether a base64 header of `header_len` bytes was encoded as its own padded stream (VTK does that
/// for compressed data) rather than as the start of one stream with the data (VTK's uncompressed form).
#[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87, the workspace supports 1.80
fn separate_header(text: &[u8], header_len: u64) -> bool {
    let chars = b64_len(header_len) as usize;
    header_len % 3 != 0 && chars >= 1 && text.get(chars - 1) == Some(&b'=')
}

fn decode_binary(
    ctx: &Ctx<'_>,
    src: Source<'_>,
    dtype: DType,
    offset: u64,
    label: &str,
    expected: Option<u64>,
) -> Result<ArrayData, FormatError> {
    let h = ctx.header_size() as u64;
    let bad = |detail: String| ctx.malformed(Some(offset), Some(label), detail);
    let short = |what: &str, declared: u64, available: u64| {
        ctx.too_large(offset, &format!("{label}: {what}"), declared, available)
    };
    let check_expected = |bytes: u64| -> Result<(), FormatError> {
        if let Some(n) = expected {
            let want = n.saturating_mul(dtype.size() as u64);
            if bytes != want {
                return Err(bad(format!(
                    "header declares {bytes} bytes, expected {want} ({n} values of {})",
                    dtype.vtk_name()
                )));
            }
        }
        if bytes > ctx.max_alloc {
            return Err(short("data", bytes, ctx.max_alloc));
        }
        Ok(())
    };
    let to_array = |bytes: &[u8]| {
        super::bulk::bytes_to_array(dtype, bytes, ctx.big_endian).map_err(|rem| {
            bad(format!(
                "{} bytes are not a whole number of {} values ({rem} left over)",
                bytes.len(),
                dtype.vtk_name()
            ))
        })
    };
    match (src, ctx.compressor) {
        (Source::Raw(bytes), None) => {
            if (bytes.len() as u64) < h {
                return Err(short("size header", h, bytes.len() as u64));
            }
            let size = ctx.header_value(bytes, 0);
            let avail = bytes.len() as u64 - h;
            if size > avail {
                return Err(short("uncompressed data", size, avail));
            }
            check_expected(size)?;
            to_array(&bytes[h as usize..(h + size) as usize])
        }
        (Source::Raw(bytes), Some(c)) => {
            let header_len = compression_header_len(
                ctx,
                &bytes[..bytes.len().min(3 * h as usize)],
                offset,
                label,
                bytes.len(),
            )?;
            let header = &bytes[..header_len];
            decompress_blocks(
                ctx,
                c,
                header,
                &bytes[header_len..],
                dtype,
                offset,
                label,
                &check_expected,
            )
        }
        (Source::Base64(text), None) => {
            let first = b64_len(h) as usize;
            if text.len() < first {
                return Err(short("base64 size header", first as u64, text.len() as u64));
            }
            let head = decode_b64(ctx, &text[..first], offset, label)?;
            if (head.len() as u64) < h {
                return Err(bad("base64 size header decodes to too few bytes".into()));
            }
            let size = ctx.header_value(&head, 0);
            let separate = separate_header(&text, h);
            let (skip_chars, skip_bytes, total) = if separate {
                (first, 0, size)
            } else {
                (0, h, h.saturating_add(size))
            };
            let need = b64_len(total);
            let avail = (text.len() - skip_chars) as u64;
            if need > avail {
                return Err(short("base64 data", need, avail));
            }
            check_expected(size)?;
            let raw = decode_b64(
                ctx,
                &text[skip_chars..skip_chars + need as usize],
                offset,
                label,
            )?;
            let data = raw
                .get(skip_bytes as usize..(skip_bytes + size) as usize)
                .ok_or_else(|| bad("base64 data decodes to too few bytes".into()))?;
            to_array(data)
        }
        (Source::Base64(text), Some(c)) => {
            let first = b64_len(3 * h) as usize;
            if text.len() < first {
                return Err(short(
                    "base64 compression header",
                    first as u64,
                    text.len() as u64,
                ));
            }
            let head = decode_b64(ctx, &text[..first], offset, label)?;
            let header_len =
                compression_header_len(ctx, &head, offset, label, text.len() / 4 * 3)? as u64;
            let hchars = b64_len(header_len) as usize;
            if text.len() < hchars {
                return Err(short(
                    "base64 compression header",
                    hchars as u64,
                    text.len() as u64,
                ));
            }
            let separate = separate_header(&text, header_len);
            let header = decode_b64(ctx, &text[..hchars], offset, label)?;
            let header = header
                .get(..header_len as usize)
                .ok_or_else(|| bad("compression header decodes to too few bytes".into()))?;
            let compressed: u64 = (0..header.len() / h as usize - 3)
                .map(|i| ctx.header_value(header, 3 + i))
                .fold(0u64, u64::saturating_add);
            let (skip_chars, skip_bytes, total) = if separate {
                (hchars, 0, compressed)
            } else {
                (0, header_len, header_len.saturating_add(compressed))
            };
            let need = b64_len(total);
            let avail = (text.len() - skip_chars) as u64;
            if need > avail {
                return Err(short("base64 compressed data", need, avail));
            }
            let raw = decode_b64(
                ctx,
                &text[skip_chars..skip_chars + need as usize],
                offset,
                label,
            )?;
            let payload = raw
                .get(skip_bytes as usize..)
                .ok_or_else(|| bad("base64 data decodes to too few bytes".into()))?;
            decompress_blocks(
                ctx,
                c,
                header,
                payload,
                dtype,
                offset,
                label,
                &check_expected,
            )
        }
    }
}

/// Length of the compression header `[nblocks, blocksize, lastblocksize, sizes...]` from its first
/// three values in `head`; `available` bounds it for raw data.
pub(crate) fn compression_header_len(
    ctx: &Ctx<'_>,
    head: &[u8],
    offset: u64,
    label: &str,
    available: usize,
) -> Result<usize, FormatError> {
    let h = ctx.header_size();
    if head.len() < 3 * h {
        return Err(ctx.too_large(
            offset,
            &format!("{label}: compression header"),
            3 * h as u64,
            head.len() as u64,
        ));
    }
    let nblocks = ctx.header_value(head, 0);
    let len = nblocks
        .checked_add(3)
        .and_then(|n| n.checked_mul(h as u64))
        .unwrap_or(u64::MAX);
    let avail = available as u64;
    if len > avail {
        return Err(ctx.too_large(
            offset,
            &format!("{label}: compression header of {nblocks} blocks"),
            len,
            avail,
        ));
    }
    Ok(len as usize)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn decompress_blocks(
    ctx: &Ctx<'_>,
    c: Compressor,
    header: &[u8],
    payload: &[u8],
    dtype: DType,
    offset: u64,
    label: &str,
    check_expected: &dyn Fn(u64) -> Result<(), FormatError>,
) -> Result<ArrayData, FormatError> {
    let bad = |detail: String| ctx.malformed(Some(offset), Some(label), detail);
    let nblocks = ctx.header_value(header, 0) as usize;
    let block_size = ctx.header_value(header, 1);
    let last_size = ctx.header_value(header, 2);
    if nblocks > 0 && (block_size == 0 || last_size > block_size) {
        return Err(bad(format!(
            "compression header: block size {block_size}, last block size {last_size}"
        )));
    }
    let mut blocks = Vec::with_capacity(nblocks);
    let (mut comp_pos, mut total) = (0u64, 0u64);
    for i in 0..nblocks {
        let csize = ctx.header_value(header, 3 + i);
        let usize_ = if i + 1 == nblocks && last_size != 0 {
            last_size
        } else {
            block_size
        };
        if usize_ > c.max_expansion(csize) {
            return Err(bad(format!("block {i} declares {usize_} bytes from {csize} compressed bytes, more than {c:?} can produce")));
        }
        let end = comp_pos
            .checked_add(csize)
            .filter(|&e| e <= payload.len() as u64)
            .ok_or_else(|| {
                ctx.too_large(
                    offset,
                    &format!("{label}: compressed block {i}"),
                    comp_pos.saturating_add(csize),
                    payload.len() as u64,
                )
            })?;
        blocks.push((comp_pos as usize..end as usize, total, usize_));
        comp_pos = end;
        total = total.saturating_add(usize_);
    }
    check_expected(total)?;
    if total % dtype.size() as u64 != 0 {
        return Err(bad(format!(
            "{total} bytes are not a whole number of {} values",
            dtype.vtk_name()
        )));
    }
    // The size is only declared so far (bounded by the expected count or by what the compressed
    // bytes can produce), so an allocation the address space cannot hold is an error, not an abort.
    let mut out = usize::try_from(total / dtype.size() as u64)
        .ok()
        .and_then(|n| ArrayData::try_zeros(dtype, n))
        .ok_or_else(|| {
            bad(format!(
                "compression header declares {total} bytes, more than this process can allocate"
            ))
        })?;
    let buf = out.as_bytes_mut();
    let mut pieces: Vec<(&[u8], &mut [u8], usize)> = Vec::with_capacity(nblocks);
    let mut rest = buf;
    for (i, (range, _, usize_)) in blocks.into_iter().enumerate() {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(usize_ as usize);
        pieces.push((&payload[range], head, i));
        rest = tail;
    }
    let run = |(input, dst, i): (&[u8], &mut [u8], usize)| {
        c.decompress_into(input, dst)
            .map_err(|e| bad(format!("block {i}: {e}")))
    };
    if pieces.len() > 2 {
        pieces.into_par_iter().try_for_each(run)?;
    } else {
        pieces.into_iter().try_for_each(run)?;
    }
    if ctx.big_endian {
        super::bulk::par_swap(out.as_bytes_mut(), dtype.size());
    }
    Ok(out)
}
