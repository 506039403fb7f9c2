//! `MetaImage` reader.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use vtk_model::{ArrayData, Attributes, DataArray, ImageData, Matrix3, Vector3};

use super::header::{parse_header, DataFile, Header};
use crate::{FormatError, ImageFrame, ReadOptions};

/// The largest expansion deflate can achieve (1032:1); a declared size beyond it is a lie.
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Reads a `MetaImage` (`.mha`, or `.mhd` with its `.raw`/`.zraw` data file) into an image whose single
/// point array is named `MetaImage` (as `vtkMetaImageReader` names it).
///
/// **Direction convention.** `TransformMatrix` (synonyms `Orientation`, `Rotation`) is read in ITK's
/// convention, ITK being the reference implementation of the format: the file lists the direction
/// matrix column by column, i.e. value `k` is `D[k % n][k / n]` and the first `n` values are the
/// world direction of the image's i axis. (`SimpleITK` writes a direction whose rows are `(0,1,0)`,
/// `(0,0,1)`, `(1,0,0)` as `TransformMatrix = 0 0 1 1 0 0 0 1 0`; VTK's `vtkMetaImageReader` reads the
/// same numbers row by row, i.e. it reports the transpose.)
///
/// **World frame.** The file's geometry is LPS. With [`ImageFrame::Ras`] (the default) origin and
/// direction are multiplied by `diag(-1, -1, 1)` as VMTK's reader reports them; with
/// [`ImageFrame::Lps`] the file's numbers are kept.
///
/// Compressed data is inflated into a buffer of exactly the declared size, which is checked against
/// `opts.max_alloc` and against what the compressed bytes can possibly expand to before allocating.
///
/// **Data file policy.** A relative `ElementDataFile` is resolved against the header's directory.
/// An absolute path, or a relative one whose `..` components leave that directory, is an error
/// naming the header and the key unless `opts.allow_external_data_files` is set: a header that
/// arrived from elsewhere must not make the reader open any file it names. (Symbolic links inside
/// the directory are followed; they are the directory owner's choice.)
pub fn read(path: &Path, opts: &ReadOptions) -> Result<ImageData, FormatError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source: std::io::Error| FormatError::Io {
            path: p.clone(),
            source,
        }
    };
    let file = File::open(path).map_err(io(path))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let h = parse_header(path, &mut reader)?;
    let (data_path, mut reader, start): (PathBuf, BufReader<File>, u64) = match &h.data_file {
        DataFile::Local => (path.to_path_buf(), reader, h.length),
        DataFile::File(name) => {
            let p = data_file_path(path, h.length, name, opts.allow_external_data_files)?;
            let f = File::open(&p).map_err(|e| data_io(path, &p, h.length, 0, &e))?;
            (p, BufReader::with_capacity(1 << 16, f), 0)
        }
    };
    let file_len = reader
        .get_ref()
        .metadata()
        .map_err(|e| data_io(path, &data_path, h.length, 0, &e))?
        .len();
    let n_values = value_count(path, &h)?;
    let bytes = n_values
        .checked_mul(h.dtype.size() as u64)
        .ok_or_else(|| too_large(path, "DimSize", u64::MAX, 0, opts))?;
    let compressed = h.compressed
        || matches!(&h.data_file, DataFile::File(n) if n.to_ascii_lowercase().ends_with(".zraw"));
    let stored = if compressed {
        h.compressed_size
    } else {
        Some(bytes)
    };
    let data_start = data_start(path, &data_path, &h, stored, file_len, start, opts)?;
    if data_start > file_len {
        return Err(too_large(
            &data_path,
            "HeaderSize",
            data_start,
            file_len,
            opts,
        ));
    }
    let available = file_len - data_start;
    if bytes > opts.max_alloc {
        return Err(too_large(
            path,
            "DimSize x ElementType",
            bytes,
            available,
            opts,
        ));
    }
    if data_start != start {
        reader
            .seek(SeekFrom::Start(data_start))
            .map_err(|e| data_io(path, &data_path, h.length, data_start, &e))?;
    }
    let span = DataSpan {
        header: path,
        path: data_path,
        start: data_start,
        available,
    };
    let mut data = if !h.binary {
        read_ascii(path, &span.path, &mut reader, &h, n_values, available, opts)?
    } else if compressed {
        read_compressed(&span, &mut reader, &h, bytes, opts)?
    } else {
        read_raw(&span, &mut reader, &h, n_values, bytes, opts)?
    };
    if h.binary && h.msb && h.dtype.size() > 1 {
        data.swap_bytes();
    }
    build_image(path, &h, data, opts.frame)
}

/// Where the data starts in `data_path`: at `start` (right after the header for LOCAL data, 0 in
/// a separate file), after `HeaderSize` bytes, or `stored` bytes (the data's size in the file,
/// unknown for compressed data without `CompressedDataSize`) before the end (`HeaderSize = -1`).
fn data_start(
    path: &Path,
    data_path: &Path,
    h: &Header,
    stored: Option<u64>,
    file_len: u64,
    start: u64,
    opts: &ReadOptions,
) -> Result<u64, FormatError> {
    Ok(match h.header_size {
        Some(-1) => {
            let stored = stored.ok_or_else(|| FormatError::Unsupported {
                path: path.to_path_buf(),
                detail: "HeaderSize = -1 with compressed data of unknown size".into(),
            })?;
            file_len
                .checked_sub(stored)
                .ok_or_else(|| too_large(data_path, "data", stored, file_len, opts))?
        }
        Some(s) if s >= 0 && h.data_file != DataFile::Local => s as u64,
        Some(s) if s < 0 => {
            return Err(malformed(
                path,
                h.length,
                "HeaderSize",
                format!("negative HeaderSize {s}"),
            ))
        }
        _ => start,
    })
}

/// The file holding the pixel data, positioned at `start`, and what is left of it.
struct DataSpan<'a> {
    /// The header file, which the errors about the header's declarations name.
    header: &'a Path,
    /// The data file: the header itself for `LOCAL` data.
    path: PathBuf,
    start: u64,
    /// Bytes from `start` to the end of the file.
    available: u64,
}

/// Compressed binary data of `bytes` bytes once inflated, after checking the declared sizes
/// against the file and against the largest deflate ratio.
fn read_compressed(
    span: &DataSpan,
    reader: &mut BufReader<File>,
    h: &Header,
    bytes: u64,
    opts: &ReadOptions,
) -> Result<ArrayData, FormatError> {
    let (path, data_path, available) = (span.header, &span.path, span.available);
    let stored = h.compressed_size.unwrap_or(available);
    if stored > available {
        return Err(too_large(
            data_path,
            "CompressedDataSize",
            stored,
            available,
            opts,
        ));
    }
    if bytes > stored.saturating_mul(MAX_DEFLATE_RATIO).saturating_add(64) {
        return Err(too_large(
            data_path,
            "DimSize x ElementType (compressed)",
            bytes,
            stored,
            opts,
        ));
    }
    // Bytes after the declared stream: the header lies about the data, as for raw data.
    if stored < available {
        return Err(malformed(
            path,
            h.length,
            "CompressedDataSize",
            format!("CompressedDataSize declares {stored} bytes, but the data holds {available}"),
        ));
    }
    inflate(path, data_path, span.start, reader, stored, h, bytes)
}

/// Raw binary data: `n_values` values, exactly `bytes` bytes, neither fewer nor more in the file.
fn read_raw(
    span: &DataSpan,
    reader: &mut BufReader<File>,
    h: &Header,
    n_values: u64,
    bytes: u64,
    opts: &ReadOptions,
) -> Result<ArrayData, FormatError> {
    let (path, data_path, available) = (span.header, span.path.as_path(), span.available);
    if bytes > available {
        return Err(too_large(
            data_path,
            "DimSize x ElementType",
            bytes,
            available,
            opts,
        ));
    }
    let mut d = ArrayData::zeros(h.dtype, n_values as usize);
    reader
        .read_exact(d.as_bytes_mut())
        .map_err(|e| data_io(path, data_path, h.length, span.start, &e))?;
    // More bytes than the header declares: the header lies about the image (reading only the
    // declared part would silently drop the rest).
    if bytes < available {
        let data = if data_path == path {
            String::new()
        } else {
            format!(" of {}", data_path.display())
        };
        return Err(malformed(
            path,
            h.length,
            "DimSize",
            format!("DimSize x ElementType declares {bytes} bytes, but the data{data} holds {available}"),
        ));
    }
    Ok(d)
}

fn value_count(path: &Path, h: &Header) -> Result<u64, FormatError> {
    h.dims
        .iter()
        .try_fold(h.channels as u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| {
            malformed(
                path,
                h.length,
                "DimSize",
                format!("{:?} x {} channels overflows", h.dims, h.channels),
            )
        })
}

/// Where `ElementDataFile = name` points, under the policy of [`read`].
fn data_file_path(
    header: &Path,
    offset: u64,
    name: &str,
    allow_external: bool,
) -> Result<PathBuf, FormatError> {
    let rel = Path::new(name);
    let dir = header.parent().unwrap_or(Path::new(""));
    if allow_external {
        return Ok(dir.join(rel));
    }
    let refuse = |why: &str| {
        malformed(
            header,
            offset,
            "ElementDataFile",
            format!(
                "data file '{name}' {why}; expected a path relative to the header's directory \
                 (pass --allow-external-data-file to allow it; allow_external_data_file=True in Python)"
            ),
        )
    };
    // Resolved lexically: the OS would take `sub/..` as the parent of wherever a symlinked `sub`
    // points, which could leave the directory although the name looks contained.
    let mut inside = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return Err(refuse("is an absolute path")),
            Component::CurDir => {}
            Component::Normal(part) => inside.push(part),
            Component::ParentDir => {
                if !inside.pop() {
                    return Err(refuse("leaves the header's directory"));
                }
            }
        }
    }
    Ok(dir.join(inside))
}

/// An OS error on the pixel data as one message naming the header and, when it is another file,
/// the data file and the byte offset (a `FormatError::Io` names one path and no offset).
/// `offset` is where reading failed when the pixels follow the header in the same file; for a
/// separate data file the header's `ElementDataFile` line (the header's end) is named instead.
fn data_io(
    header: &Path,
    data: &Path,
    header_len: u64,
    offset: u64,
    e: &std::io::Error,
) -> FormatError {
    if data == header {
        malformed(header, offset, "pixel data", format!("cannot read: {e}"))
    } else {
        malformed(
            header,
            header_len,
            "ElementDataFile",
            format!("cannot read data file {}: {e}", data.display()),
        )
    }
}

fn malformed(path: &Path, offset: u64, key: &str, detail: String) -> FormatError {
    FormatError::Malformed {
        path: path.to_path_buf(),
        offset: Some(offset),
        element: Some(key.into()),
        detail,
    }
}

fn too_large(
    path: &Path,
    what: &str,
    declared: u64,
    available: u64,
    opts: &ReadOptions,
) -> FormatError {
    FormatError::TooLarge {
        path: path.to_path_buf(),
        offset: None,
        what: what.into(),
        declared,
        available,
        limit: opts.max_alloc,
    }
}

/// Inflates exactly `bytes` bytes (zlib, or gzip when the stream says so) and checks that the stream
/// holds no more than that.
///
/// The stored stream (at most the file's remaining bytes) is read whole and inflated in one shot by
/// libdeflate into the exactly-sized output, about 2x faster than streaming; any stream libdeflate does
/// not accept as exactly `bytes` bytes (corrupt, short, too long, trailing data) is decoded again by
/// flate2's streaming decoder, whose findings make the error message.
fn inflate(
    header: &Path,
    path: &Path,
    data_start: u64,
    reader: &mut BufReader<File>,
    stored: u64,
    h: &Header,
    bytes: u64,
) -> Result<ArrayData, FormatError> {
    let corrupt = |detail: String| malformed(path, data_start, "compressed data", detail);
    // The size is only declared (bounded by what the stored bytes can inflate to): an allocation
    // the address space cannot hold is an error, not an abort.
    let mut out = ArrayData::try_zeros(h.dtype, (bytes / h.dtype.size() as u64) as usize)
        .ok_or_else(|| {
            malformed(
                header,
                h.length,
                "DimSize",
                format!("{bytes} bytes of image are more than this process can allocate"),
            )
        })?;
    let mut compressed = Vec::new();
    reader
        .take(stored)
        .read_to_end(&mut compressed)
        .map_err(|e| data_io(header, path, h.length, data_start, &e))?;
    let gzip = compressed.starts_with(&[0x1f, 0x8b]);
    let mut fast = libdeflater::Decompressor::new();
    let done = if gzip {
        fast.gzip_decompress(&compressed, out.as_bytes_mut())
    } else {
        fast.zlib_decompress(&compressed, out.as_bytes_mut())
    };
    if matches!(done, Ok(n) if n as u64 == bytes) {
        return Ok(out);
    }
    let mut dec: Box<dyn Read> = if gzip {
        Box::new(flate2::bufread::GzDecoder::new(compressed.as_slice()))
    } else {
        Box::new(flate2::bufread::ZlibDecoder::new(compressed.as_slice()))
    };
    dec.read_exact(out.as_bytes_mut()).map_err(|e| {
        corrupt(format!(
            "zlib stream ends early or is corrupt ({e}); expected {bytes} bytes after inflating"
        ))
    })?;
    let mut extra = [0u8; 1];
    match dec.read(&mut extra) {
        Ok(0) => Ok(out),
        Ok(_) => Err(corrupt(format!(
            "zlib stream inflates to more than the declared {bytes} bytes"
        ))),
        Err(e) => Err(corrupt(format!(
            "zlib stream is corrupt after {bytes} bytes ({e})"
        ))),
    }
}

fn read_ascii(
    header: &Path,
    path: &Path,
    reader: &mut BufReader<File>,
    h: &Header,
    n: u64,
    available: u64,
    opts: &ReadOptions,
) -> Result<ArrayData, FormatError> {
    if n.saturating_mul(2).saturating_sub(1) > available || n.saturating_mul(8) > opts.max_alloc {
        return Err(too_large(
            path,
            "DimSize (ascii data)",
            n.saturating_mul(2),
            available,
            opts,
        ));
    }
    let mut text = Vec::new();
    reader
        .read_to_end(&mut text)
        .map_err(|e| data_io(header, path, h.length, h.length, &e))?;
    let mut cur = crate::legacy::cursor::Cursor::new(path, &text);
    let ctx = crate::legacy::values::Ctx {
        binary: false,
        max_alloc: opts.max_alloc,
    };
    crate::legacy::values::read_values(
        &mut cur,
        ctx,
        crate::legacy::values::LegacyType::Plain(h.dtype),
        n as usize,
        "ascii pixel data",
    )
}

/// `diag(-1, -1, 1)`: LPS <-> RAS (its own inverse).
pub(crate) fn lps_ras() -> Matrix3<f64> {
    Matrix3::from_diagonal(&Vector3::new(-1.0, -1.0, 1.0))
}

fn build_image(
    path: &Path,
    h: &Header,
    data: ArrayData,
    frame: ImageFrame,
) -> Result<ImageData, FormatError> {
    let n = h.ndims;
    let mut dims = [1i64; 3];
    let mut spacing = [1.0; 3];
    let mut origin = Vector3::zeros();
    let mut dir = Matrix3::identity();
    for a in 0..n {
        dims[a] = i64::try_from(h.dims[a]).unwrap_or(i64::MAX);
        spacing[a] = h.spacing[a];
        origin[a] = h.origin[a];
    }
    if let Some(t) = &h.transform {
        for c in 0..n {
            for r in 0..n {
                dir[(r, c)] = t[c * n + r];
            }
        }
    }
    if frame == ImageFrame::Ras {
        origin = lps_ras() * origin;
        dir = lps_ras() * dir;
    }
    // Malformed rather than `FormatError::Model`, so the message names the header keys that set
    // the geometry, which the model error cannot know.
    let model = |e: vtk_model::ModelError| {
        let keys = match e {
            vtk_model::ModelError::BadGeometry(_) => "ElementSpacing/Offset/TransformMatrix",
            vtk_model::ModelError::BadExtent(_) => "DimSize",
            _ => "DimSize/ElementNumberOfChannels",
        };
        malformed(path, h.length, keys, e.to_string())
    };
    let arr = DataArray::new("MetaImage", h.channels, data).map_err(model)?;
    let extent = [0, dims[0] - 1, 0, dims[1] - 1, 0, dims[2] - 1];
    ImageData::try_new(
        extent,
        origin.into(),
        spacing,
        dir,
        Attributes::from(vec![arr]),
        Attributes::new(),
    )
    .map_err(model)
}
