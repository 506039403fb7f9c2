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
    let mut fields = HeaderFields::default();
    loop {
        line.clear();
        let n = std::io::Read::take(&mut *r, MAX_HEADER - pos + 1)
            .read_until(b'\n', &mut line)
            // Not `FormatError::Io`: the message gains the header's byte offset.
            .map_err(|e| malformed(path, pos, "", format!("cannot read the header: {e}")))?;
        let start = pos;
        pos += n as u64;
        if n == 0 {
            return Err(malformed(
                path,
                start,
                "ElementDataFile",
                "end of file before the ElementDataFile line ending the header".into(),
            ));
        }
        if pos > MAX_HEADER {
            return Err(malformed(
                path,
                start,
                "",
                format!("no ElementDataFile line in the first {MAX_HEADER} bytes"),
            ));
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| malformed(path, start, "", "header line is not text".into()))?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let Some((key, value)) = text.split_once('=') else {
            return Err(malformed(
                path,
                start,
                "",
                format!("expected 'Key = Value', found '{}'", short(text)),
            ));
        };
        let entry = Entry {
            path,
            offset: start,
            key: key.trim(),
            value: value.trim(),
        };
        if entry.key == "ElementDataFile" {
            return fields.finish(&entry, pos);
        }
        fields.set(&entry)?;
    }
}

/// A `Malformed` error at `offset`, naming `key` unless it is empty.
fn malformed(path: &Path, offset: u64, key: &str, detail: String) -> FormatError {
    FormatError::Malformed {
        path: path.to_path_buf(),
        offset: Some(offset),
        element: (!key.is_empty()).then(|| key.to_owned()),
        detail,
    }
}

/// One `Key = Value` line of the header and where it starts, so that its errors can say so.
struct Entry<'a> {
    path: &'a Path,
    offset: u64,
    key: &'a str,
    value: &'a str,
}

impl Entry<'_> {
    /// A `Malformed` error at this line, naming `key` (not always this line's key: a missing one).
    fn malformed(&self, key: &str, detail: String) -> FormatError {
        malformed(self.path, self.offset, key, detail)
    }

    fn unsupported(&self, detail: String) -> FormatError {
        FormatError::Unsupported {
            path: self.path.to_path_buf(),
            detail,
        }
    }

    fn integer(&self) -> Result<i64, FormatError> {
        self.value.parse().map_err(|_| {
            self.malformed(
                self.key,
                format!("expected an integer, found '{}'", short(self.value)),
            )
        })
    }

    fn numbers(&self) -> Result<Vec<f64>, FormatError> {
        self.list("numbers")
    }

    fn sizes(&self) -> Result<Vec<u64>, FormatError> {
        self.list("non-negative integers")
    }

    /// The value's whitespace-separated items, each parsed as a `T` (`expected` names them).
    fn list<T: std::str::FromStr>(&self, expected: &str) -> Result<Vec<T>, FormatError> {
        self.value
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| {
                self.malformed(
                    self.key,
                    format!("expected {expected}, found '{}'", short(self.value)),
                )
            })
    }
}

/// The header keys read so far: `set` takes one line, `finish` checks them all at `ElementDataFile`.
#[derive(Default)]
struct HeaderFields {
    ndims: Option<usize>,
    /// The sizes and the offset of their line, which a count mismatch names.
    dims: Option<(u64, Vec<u64>)>,
    dtype: Option<DType>,
    /// `None` means the default of one channel.
    channels: Option<usize>,
    spacing: Option<Vec<f64>>,
    element_size: Option<Vec<f64>>,
    origin: Option<Vec<f64>>,
    transform: Option<Vec<f64>>,
    binary: bool,
    msb: bool,
    compressed: bool,
    compressed_size: Option<u64>,
    header_size: Option<i64>,
}

impl HeaderFields {
    /// Takes one line other than `ElementDataFile`; a later line overrides an earlier one.
    fn set(&mut self, entry: &Entry) -> Result<(), FormatError> {
        let value = entry.value;
        match entry.key {
            "ObjectType" if value != "Image" => {
                return Err(
                    entry.unsupported(format!("MetaIO ObjectType '{}' (only Image)", short(value)))
                )
            }
            "NDims" => {
                let v = entry.integer()?;
                if !(1..=3).contains(&v) {
                    return Err(entry.unsupported(format!("NDims = {v} (supported: 1 to 3)")));
                }
                self.ndims = Some(v as usize);
            }
            "DimSize" => self.dims = Some((entry.offset, entry.sizes()?)),
            "ElementType" => {
                self.dtype = Some(met_dtype(value).ok_or_else(|| {
                    entry.malformed(
                        entry.key,
                        format!(
                            "unknown ElementType '{}' (expected MET_UCHAR, MET_FLOAT, ...)",
                            short(value)
                        ),
                    )
                })?);
            }
            "ElementNumberOfChannels" => {
                let v = entry.integer()?;
                if !(1..=4096).contains(&v) {
                    return Err(
                        entry.malformed(entry.key, format!("channel count {v} outside 1..=4096"))
                    );
                }
                self.channels = Some(v as usize);
            }
            "ElementSpacing" => self.spacing = Some(entry.numbers()?),
            "ElementSize" => self.element_size = Some(entry.numbers()?),
            "Offset" | "Origin" | "Position" => self.origin = Some(entry.numbers()?),
            "TransformMatrix" | "Orientation" | "Rotation" => {
                self.transform = Some(entry.numbers()?);
            }
            "BinaryData" => self.binary = bool_value(value),
            "BinaryDataByteOrderMSB" | "ElementByteOrderMSB" => self.msb = bool_value(value),
            "CompressedData" => self.compressed = bool_value(value),
            "CompressedDataSize" => {
                let v = entry.integer()?;
                self.compressed_size = Some(
                    u64::try_from(v)
                        .map_err(|_| entry.malformed(entry.key, format!("negative size {v}")))?,
                );
            }
            "HeaderSize" => self.header_size = Some(entry.integer()?),
            // MetaIO keeps unknown keys as user fields; so do we (by ignoring them).
            _ => {}
        }
        Ok(())
    }

    /// Checks the fields at the `ElementDataFile` line `entry`, which ends the header at `length`.
    fn finish(self, entry: &Entry, length: u64) -> Result<Header, FormatError> {
        let data_file = data_file(entry)?;
        let ndims = self
            .ndims
            .ok_or_else(|| entry.malformed("NDims", "missing NDims".into()))?;
        let (dims_at, dims) = self
            .dims
            .ok_or_else(|| entry.malformed("DimSize", "missing DimSize".into()))?;
        if dims.len() != ndims {
            return Err(malformed(
                entry.path,
                dims_at,
                "DimSize",
                format!("{} sizes for NDims = {ndims}", dims.len()),
            ));
        }
        let dtype = self
            .dtype
            .ok_or_else(|| entry.malformed("ElementType", "missing ElementType".into()))?;
        let spacing = per_axis(
            entry,
            self.spacing.or(self.element_size),
            1.0,
            "ElementSpacing",
            ndims,
        )?;
        let origin = per_axis(entry, self.origin, 0.0, "Offset", ndims)?;
        let transform = match self.transform {
            Some(t) if t.len() >= ndims * ndims && t.iter().all(|x| x.is_finite()) => {
                Some(t[..ndims * ndims].to_vec())
            }
            Some(t) => {
                return Err(entry.malformed(
                    "TransformMatrix",
                    format!("{} finite values needed, found {}", ndims * ndims, t.len()),
                ))
            }
            None => None,
        };
        Ok(Header {
            ndims,
            dims,
            dtype,
            channels: self.channels.unwrap_or(1),
            spacing,
            origin,
            transform,
            binary: self.binary,
            msb: self.msb,
            compressed: self.compressed,
            compressed_size: self.compressed_size,
            header_size: self.header_size,
            data_file,
            length,
        })
    }
}

/// Where the `ElementDataFile` line `entry` puts the pixel data.
fn data_file(entry: &Entry) -> Result<DataFile, FormatError> {
    match entry.value {
        "LOCAL" | "Local" | "local" => Ok(DataFile::Local),
        v if v.starts_with("LIST") || v.contains('%') => Err(entry.unsupported(format!(
            "ElementDataFile = {} (file lists and patterns)",
            short(v)
        ))),
        "" => Err(entry.malformed(entry.key, "empty ElementDataFile".into())),
        v => Ok(DataFile::File(v.to_owned())),
    }
}

/// The first `ndims` of `values` (all finite), or `default` on every axis when the key is absent.
fn per_axis(
    entry: &Entry,
    values: Option<Vec<f64>>,
    default: f64,
    key: &str,
    ndims: usize,
) -> Result<Vec<f64>, FormatError> {
    match values {
        None => Ok(vec![default; ndims]),
        Some(v) if v.len() >= ndims && v.iter().all(|x| x.is_finite()) => Ok(v[..ndims].to_vec()),
        Some(v) => Err(entry.malformed(key, format!("{ndims} finite values needed, found {v:?}"))),
    }
}

fn short(s: &str) -> String {
    crate::legacy::cursor::shorten(s)
}
