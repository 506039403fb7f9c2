//! `MetaImage` header parsing (the `Key = Value` lines up to `ElementDataFile`).

use std::io::BufRead;
use std::path::Path;

use vtk_model::DType;

use crate::FormatError;

/// Upper bound for a header: real headers are a few hundred bytes.
const MAX_HEADER: u64 = 1 << 20;

/// Where the pixel data is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DataFile {
    /// Right after the header in the same file.
    Local,
    /// A separate file, relative to the header's directory.
    File(String),
}

/// The parsed header.
#[derive(Clone, Debug)]
#[allow(clippy::struct_field_names)]
pub(crate) struct Header {
    pub ndims: usize,
    pub dims: Vec<u64>,
    pub dtype: DType,
    pub channels: usize,
    pub spacing: Vec<f64>,
    pub origin: Vec<f64>,
    /// `TransformMatrix` values as listed in the file (ITK: direction matrix column by column).
    pub transform: Option<Vec<f64>>,
    pub binary: bool,
    pub msb: bool,
    pub compressed: bool,
    pub compressed_size: Option<u64>,
    pub header_size: Option<i64>,
    pub data_file: DataFile,
    /// Bytes of header text, i.e. where `LOCAL` data starts.
    pub length: u64,
}

/// The dtype of a `MET_*` element type (`MET_LONG`/`MET_ULONG` are 32-bit in `MetaIO`).
pub(crate) fn met_dtype(s: &str) -> Option<DType> {
    let base = s.strip_suffix("_ARRAY").unwrap_or(s);
    Some(match base {
        "MET_CHAR" => DType::I8,
        "MET_UCHAR" => DType::U8,
        "MET_SHORT" => DType::I16,
        "MET_USHORT" => DType::U16,
        "MET_INT" | "MET_LONG" => DType::I32,
        "MET_UINT" | "MET_ULONG" => DType::U32,
        "MET_LONG_LONG" => DType::I64,
        "MET_ULONG_LONG" => DType::U64,
        "MET_FLOAT" => DType::F32,
        "MET_DOUBLE" => DType::F64,
        _ => return None,
    })
}

/// The `MET_*` name our writer uses.
pub(crate) fn met_name(d: DType) -> &'static str {
    match d {
        DType::I8 => "MET_CHAR",
        DType::U8 => "MET_UCHAR",
        DType::I16 => "MET_SHORT",
        DType::U16 => "MET_USHORT",
        DType::I32 => "MET_INT",
        DType::U32 => "MET_UINT",
        DType::I64 => "MET_LONG_LONG",
        DType::U64 => "MET_ULONG_LONG",
        DType::F32 => "MET_FLOAT",
        DType::F64 => "MET_DOUBLE",
    }
}

fn bool_value(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "true" | "t" | "1" | "yes")
}

/// Reads the header from `r`, stopping right after the `ElementDataFile` line.
pub(crate) fn parse_header<R: BufRead>(path: &Path, r: &mut R) -> Result<Header, FormatError> {
    let mut pos = 0u64;
    let mut line = Vec::new();
    let mut ndims = None;
    let mut dims = None;
    let mut dtype = None;
    let mut channels = 1usize;
    let mut spacing = None;
    let mut element_size = None;
    let mut origin = None;
    let mut transform = None;
    let mut binary = false;
    let mut msb = false;
    let mut compressed = false;
    let mut compressed_size = None;
    let mut header_size = None;
    let bad = |offset: u64, key: &str, detail: String| FormatError::Malformed {
        path: path.to_path_buf(),
        offset: Some(offset),
        element: (!key.is_empty()).then(|| key.to_owned()),
        detail,
    };
    loop {
        line.clear();
        let n = std::io::Read::take(&mut *r, MAX_HEADER - pos + 1)
            .read_until(b'\n', &mut line)
            // Not `FormatError::Io`: its text would repeat as its source under `{:#}`.
            .map_err(|e| bad(pos, "", format!("cannot read the header: {e}")))?;
        let start = pos;
        pos += n as u64;
        if n == 0 {
            return Err(bad(
                start,
                "ElementDataFile",
                "end of file before the ElementDataFile line ending the header".into(),
            ));
        }
        if pos > MAX_HEADER {
            return Err(bad(
                start,
                "",
                format!("no ElementDataFile line in the first {MAX_HEADER} bytes"),
            ));
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| bad(start, "", "header line is not text".into()))?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let Some((key, value)) = text.split_once('=') else {
            return Err(bad(
                start,
                "",
                format!("expected 'Key = Value', found '{}'", short(text)),
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let nums = |count: Option<usize>| -> Result<Vec<f64>, FormatError> {
            let v: Vec<f64> = value
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    bad(
                        start,
                        key,
                        format!("expected numbers, found '{}'", short(value)),
                    )
                })?;
            if let Some(c) = count {
                if v.len() < c {
                    return Err(bad(
                        start,
                        key,
                        format!("expected {c} numbers, found {}", v.len()),
                    ));
                }
            }
            Ok(v)
        };
        let int = || -> Result<i64, FormatError> {
            value.parse().map_err(|_| {
                bad(
                    start,
                    key,
                    format!("expected an integer, found '{}'", short(value)),
                )
            })
        };
        match key {
            "ObjectType" if value != "Image" => {
                return Err(FormatError::Unsupported {
                    path: path.to_path_buf(),
                    detail: format!("MetaIO ObjectType '{}' (only Image)", short(value)),
                })
            }
            "NDims" => {
                let v = int()?;
                if !(1..=3).contains(&v) {
                    return Err(FormatError::Unsupported {
                        path: path.to_path_buf(),
                        detail: format!("NDims = {v} (supported: 1 to 3)"),
                    });
                }
                ndims = Some(v as usize);
            }
            "DimSize" => {
                let v: Vec<u64> = value
                    .split_whitespace()
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        bad(
                            start,
                            key,
                            format!("expected non-negative integers, found '{}'", short(value)),
                        )
                    })?;
                dims = Some((start, v));
            }
            "ElementType" => {
                dtype = Some(met_dtype(value).ok_or_else(|| {
                    bad(
                        start,
                        key,
                        format!(
                            "unknown ElementType '{}' (expected MET_UCHAR, MET_FLOAT, ...)",
                            short(value)
                        ),
                    )
                })?);
            }
            "ElementNumberOfChannels" => {
                let v = int()?;
                if !(1..=4096).contains(&v) {
                    return Err(bad(
                        start,
                        key,
                        format!("channel count {v} outside 1..=4096"),
                    ));
                }
                channels = v as usize;
            }
            "ElementSpacing" => spacing = Some(nums(None)?),
            "ElementSize" => element_size = Some(nums(None)?),
            "Offset" | "Origin" | "Position" => origin = Some(nums(None)?),
            "TransformMatrix" | "Orientation" | "Rotation" => transform = Some(nums(None)?),
            "BinaryData" => binary = bool_value(value),
            "BinaryDataByteOrderMSB" | "ElementByteOrderMSB" => msb = bool_value(value),
            "CompressedData" => compressed = bool_value(value),
            "CompressedDataSize" => {
                let v = int()?;
                compressed_size = Some(
                    u64::try_from(v).map_err(|_| bad(start, key, format!("negative size {v}")))?,
                );
            }
            "HeaderSize" => header_size = Some(int()?),
            "ElementDataFile" => {
                let data_file = match value {
                    "LOCAL" | "Local" | "local" => DataFile::Local,
                    v if v.starts_with("LIST") || v.contains('%') => {
                        return Err(FormatError::Unsupported {
                            path: path.to_path_buf(),
                            detail: format!(
                                "ElementDataFile = {} (file lists and patterns)",
                                short(v)
                            ),
                        })
                    }
                    "" => return Err(bad(start, key, "empty ElementDataFile".into())),
                    v => DataFile::File(v.to_owned()),
                };
                let ndims = ndims.ok_or_else(|| bad(start, "NDims", "missing NDims".into()))?;
                let (dims_at, dims) =
                    dims.ok_or_else(|| bad(start, "DimSize", "missing DimSize".into()))?;
                if dims.len() != ndims {
                    return Err(bad(
                        dims_at,
                        "DimSize",
                        format!("{} sizes for NDims = {ndims}", dims.len()),
                    ));
                }
                let dtype =
                    dtype.ok_or_else(|| bad(start, "ElementType", "missing ElementType".into()))?;
                let fix = |v: Option<Vec<f64>>,
                           default: f64,
                           key: &str|
                 -> Result<Vec<f64>, FormatError> {
                    match v {
                        None => Ok(vec![default; ndims]),
                        Some(v) if v.len() >= ndims && v.iter().all(|x| x.is_finite()) => {
                            Ok(v[..ndims].to_vec())
                        }
                        Some(v) => Err(bad(
                            start,
                            key,
                            format!("{ndims} finite values needed, found {v:?}"),
                        )),
                    }
                };
                let spacing = fix(spacing.or(element_size), 1.0, "ElementSpacing")?;
                let origin = fix(origin, 0.0, "Offset")?;
                let transform = match transform {
                    Some(t) if t.len() >= ndims * ndims && t.iter().all(|x| x.is_finite()) => {
                        Some(t[..ndims * ndims].to_vec())
                    }
                    Some(t) => {
                        return Err(bad(
                            start,
                            "TransformMatrix",
                            format!("{} finite values needed, found {}", ndims * ndims, t.len()),
                        ))
                    }
                    None => None,
                };
                return Ok(Header {
                    ndims,
                    dims,
                    dtype,
                    channels,
                    spacing,
                    origin,
                    transform,
                    binary,
                    msb,
                    compressed,
                    compressed_size,
                    header_size,
                    data_file,
                    length: pos,
                });
            }
            // MetaIO keeps unknown keys as user fields; so do we (by ignoring them).
            _ => {}
        }
    }
}

fn short(s: &str) -> String {
    crate::legacy::cursor::shorten(s)
}
