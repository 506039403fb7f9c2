//! VTK XML files: `.vtp` (`PolyData`), `.vtu` (`UnstructuredGrid`) and `.vti` (`ImageData`).
//!
//! The reader accepts everything VTK 5 to 9.7 writes: ascii, inline base64 and appended (base64 or
//! raw) data; no compression or the zlib, LZ4 and LZMA (`.xz`) block compressors; `UInt32` and
//! `UInt64` headers; little- and big-endian files; ids of any integer type; the pre-9.4
//! (`faces`/`faceoffsets`) and 9.4+ (`face_connectivity`, `polyhedron_to_faces`, ...) polyhedron
//! layouts; and any number of pieces, which are joined into one dataset. `<FieldData>` is ignored.
//!
//! Every size in a file is checked against the bytes present and [`ReadOptions::max_alloc`] before
//! anything is allocated, and compressed blocks are decompressed into buffers of their declared size,
//! so a truncated, corrupt or hostile file gives a [`FormatError`] naming the file and the byte
//! offset or element -- never a panic or an unbounded allocation. A document cut short before its
//! `</VTKFile>` is an error even when every array before the cut decodes, as are cell type ids VTK
//! does not define and `NumberOfTuples` attributes that disagree with the piece or the data.
//!
//! The writer produces files VTK, `ParaView` and VMTK open; by default appended raw data, zlib level 6
//! in 32 KiB blocks (VTK's block size) compressed in parallel, `UInt64` headers and `Int64` ids.
//!
//! The modules import one way, so each can be read knowing only those below it. At the bottom,
//! importing no sibling: `bulk` (parallel byte copies and swaps), `codec` (one block through zlib,
//! LZ4 or LZMA) and `extent` (points and cells of an image extent). Reading: `context` (the file's
//! name, limits, byte order, compressor and appended section) on `codec`; `tree` (the XML as
//! elements) on `context`; `blocks` (one binary array's size checks and compressed blocks) on
//! `context`, `codec` and `bulk`; `file` (raw appended data read from the file) on `blocks` and
//! `tree`; `decode` (one `<DataArray>` in any encoding) on `file`, `blocks` and `tree`; `merge`
//! (joining pieces) on `extent`; `reader` (a dataset from the tree) on `decode`, `merge` and `tree`.
//! Writing: `writer` on `codec` and this module's option types. This module's functions, on top,
//! call `file`, `reader` and `writer`.

mod blocks;
mod bulk;
mod codec;
mod context;
mod decode;
mod extent;
mod file;
mod merge;
mod reader;
mod tree;
mod writer;

use std::io::Write;
use std::path::Path;

use vtk_model::DataSet;

use crate::{Commit, FormatError, ReadOptions};

/// How array data is stored in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlEncoding {
    /// All data in an `<AppendedData encoding="raw">` section after the XML (smallest, fastest).
    AppendedRaw,
    /// All data in an `<AppendedData encoding="base64">` section (VTK's writer default).
    AppendedBase64,
    /// base64 text inside each `<DataArray>` (`format="binary"`; what most VMTK files use).
    InlineBase64,
    /// Decimal text; compression does not apply.
    Ascii,
}

/// The block compressor (ignored for [`XmlEncoding::Ascii`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlCompression {
    /// No compression.
    None,
    /// `vtkZLibDataCompressor` with the given level (0-9).
    Zlib(u32),
    /// `vtkLZ4DataCompressor`.
    Lz4,
    /// `vtkLZMADataCompressor` (`.xz` blocks). The level is accepted for API symmetry; the pure-Rust
    /// encoder has a single setting.
    Lzma(u32),
}

/// Integer type of the size headers that precede binary data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderType {
    /// `UInt32` (VTK's default; limits one array to 4 GiB).
    UInt32,
    /// `UInt64`.
    UInt64,
}

/// Options for writing VTK XML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XmlWriteOptions {
    /// Where and how array data is stored.
    pub encoding: XmlEncoding,
    /// Block compressor.
    pub compression: XmlCompression,
    /// Size header type.
    pub header: HeaderType,
    /// Uncompressed bytes per compressed block (VTK uses 32 KiB).
    pub block_size: usize,
}

impl Default for XmlWriteOptions {
    fn default() -> Self {
        Self {
            encoding: XmlEncoding::AppendedRaw,
            compression: XmlCompression::Zlib(6),
            header: HeaderType::UInt64,
            block_size: 32 * 1024,
        }
    }
}

/// Reads a `.vtp`, `.vtu` or `.vti` file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<DataSet, FormatError> {
    let io = |source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    match file::read_head(&f, len).map_err(io)? {
        file::Head::Whole(bytes) => read_bytes(&bytes, path, opts),
        file::Head::Partial { head, appended_end } => {
            reader::read_document_file(&head, &f, appended_end, path, opts)
        }
    }
}

/// Reads VTK XML held in memory; `path` is used only in error messages.
pub fn read_bytes(bytes: &[u8], path: &Path, opts: &ReadOptions) -> Result<DataSet, FormatError> {
    reader::read_document(bytes, path, opts)
}

/// Writes `ds` to `path` atomically (a failed write leaves no file and keeps an existing one), as
/// [`write_to`] writes it; `commit` says whether it is flushed to disk before its rename
/// and whether it may replace a file.
pub fn write(
    path: &Path,
    ds: &DataSet,
    opts: &XmlWriteOptions,
    commit: impl Into<Commit>,
) -> Result<(), FormatError> {
    crate::atomic::write_atomic(path, commit, |w| writer::write_document(w, ds, opts, path))
}

/// Writes `ds` to any writer. The dataset kind picks the file type: `PolyData` is `.vtp`,
/// `UnstructuredGrid` `.vtu`, `ImageData` `.vti`.
pub fn write_to(
    w: &mut dyn Write,
    ds: &DataSet,
    opts: &XmlWriteOptions,
) -> Result<(), FormatError> {
    writer::write_document(w, ds, opts, Path::new(crate::atomic::STREAM))
}
