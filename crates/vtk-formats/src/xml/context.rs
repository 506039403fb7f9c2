//! What every part of the reader needs to know about the file being read: its name and allocation
//! limit (for errors), its size headers, byte order and compressor, and where its appended data is.

use std::path::Path;

use super::codec::Compressor;
use crate::FormatError;

/// Where the appended data lives.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Appended<'a> {
    /// `encoding="raw"` (otherwise base64).
    pub raw: bool,
    /// The bytes after the `_` marker up to the closing tag (or the end of a truncated file); empty
    /// when they are read from `file` instead.
    pub data: &'a [u8],
    /// Raw data left in the file (only the XML head was read): it spans `len` bytes from
    /// `file_offset`, and each array is read straight into its buffer.
    pub file: Option<&'a std::fs::File>,
    /// Length of the appended data.
    pub len: u64,
    /// File offset of `data[0]`, for messages.
    pub file_offset: u64,
}

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
