//! Reading files with raw appended data without loading them whole: only the XML head is read into
//! memory, then every array is read from the file straight into its own buffer. That saves a copy
//! of the whole file and, above all, the page faults of a second file-sized buffer.

use std::fs::File;
use std::io;

use vtk_model::{ArrayData, DType};

use super::blocks::BinaryArray;
use super::codec::Compressor;
use super::context::Ctx;
use crate::FormatError;

/// Files smaller than this are read whole: the saving would not pay for the extra reads.
const SMALL_FILE: u64 = 1 << 20;
/// How much of the file's start to search for `<AppendedData`; a longer XML head (thousands of
/// arrays or pieces) falls back to reading the whole file.
const HEAD: u64 = 1 << 20;
/// The closing tag is searched for in this many bytes at the end of the file.
const TAIL: u64 = 4 << 10;

/// The start of a file, or all of it.
pub(crate) enum Head {
    /// The whole file (small, no raw appended data, or an unusual layout).
    Whole(Vec<u8>),
    /// The bytes up to and including the `_` that starts raw appended data, which ends at byte
    /// `appended_end` of the file.
    Partial { head: Vec<u8>, appended_end: u64 },
}

/// Reads exactly `buf.len()` bytes at `offset`, without moving a shared cursor (so threads can
/// read one file at once).
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let (mut buf, mut offset) = (buf, offset);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, buf, offset);
        Err(io::ErrorKind::Unsupported.into())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads the head of a file of `len` bytes when it has raw appended data, else the whole file.
pub(crate) fn read_head(file: &File, len: u64) -> io::Result<Head> {
    let whole = |mut bytes: Vec<u8>| -> io::Result<Head> {
        let have = bytes.len();
        let rest =
            usize::try_from(len).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))? - have;
        bytes.reserve_exact(rest);
        bytes.resize(have + rest, 0);
        read_at(file, &mut bytes[have..], have as u64)?;
        Ok(Head::Whole(bytes))
    };
    if len < SMALL_FILE || !cfg!(any(unix, windows)) {
        return whole(Vec::new());
    }
    let mut head = vec![0u8; HEAD.min(len) as usize];
    read_at(file, &mut head, 0)?;
    let marker = find(&head, b"<AppendedData").and_then(|t| {
        let gt = t + head[t..].iter().position(|&b| b == b'>')?;
        let tag = &head[t..gt];
        let raw = find(tag, b"base64").is_none();
        let u = gt
            + 1
            + head[gt + 1..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())?;
        (raw && head[u] == b'_').then_some(u + 1)
    });
    let Some(data_start) = marker else {
        return whole(head);
    };
    let tail_len = TAIL.min(len - data_start as u64);
    let mut tail = vec![0u8; tail_len as usize];
    read_at(file, &mut tail, len - tail_len)?;
    let close = super::tree::APPENDED_END;
    let Some(at) = tail.windows(close.len()).rposition(|w| w == close) else {
        return whole(head);
    };
    // A file without its closing tags is read whole, where the parser reports what is missing.
    if !super::tree::ends_document(&tail[at..]) {
        return whole(head);
    }
    head.truncate(data_start);
    Ok(Head::Partial {
        head,
        appended_end: len - tail_len + at as u64,
    })
}

/// A span of raw appended data in a file: one array's header and data, and what follows.
pub(crate) struct FileRange<'a> {
    pub file: &'a File,
    /// File offset of the array's size header.
    pub start: u64,
    /// Bytes from `start` to the end of the appended data.
    pub len: u64,
}

/// Ids read per task when narrowing: 256 KiB of file through a buffer that stays in cache.
const NARROW_IDS: usize = 1 << 15;

impl FileRange<'_> {
    /// Reads `n` native-order `i64` values at `at` as `i32`; `None` when one does not fit (the
    /// caller then reads them as they are). The 64-bit values never fill a buffer of their own.
    fn read_narrowed(
        &self,
        ctx: &Ctx<'_>,
        n: usize,
        at: u64,
    ) -> Result<Option<Vec<i32>>, FormatError> {
        use rayon::prelude::*;
        let mut out = vec![0i32; n];
        let fits = out
            .par_chunks_mut(NARROW_IDS)
            .enumerate()
            .map_init(
                || vec![0i64; NARROW_IDS],
                |stage, (k, dst)| {
                    let stage = &mut stage[..dst.len()];
                    read_at(
                        self.file,
                        bytemuck::cast_slice_mut(stage),
                        self.start + at + (k * NARROW_IDS * 8) as u64,
                    )?;
                    let mut lost = 0i64;
                    for (d, &v) in dst.iter_mut().zip(stage.iter()) {
                        *d = v as i32;
                        lost |= v ^ i64::from(*d);
                    }
                    Ok(lost == 0)
                },
            )
            .try_reduce(|| true, |a, b| Ok::<bool, io::Error>(a && b))
            .map_err(|source| FormatError::Io {
                path: ctx.path.to_path_buf(),
                source,
            })?;
        Ok(fits.then_some(out))
    }

    /// Big reads go in pieces on all cores: most of a read's time is the kernel faulting in and
    /// zeroing the fresh pages it copies into.
    fn read(&self, ctx: &Ctx<'_>, buf: &mut [u8], at: u64) -> Result<(), FormatError> {
        let start = self.start + at;
        super::bulk::par_fill(buf, |piece, offset| {
            read_at(self.file, piece, start + offset as u64)
        })
        .map_err(|source| FormatError::Io {
            path: ctx.path.to_path_buf(),
            source,
        })
    }
}

/// Decodes one raw appended array (compressed or not) read from the file at `range`; the same
/// checks as for data in memory, against the bytes the file holds. `arr.offset` is `range.start`.
///
/// With `narrow_ids`, an uncompressed `Int64` array whose values all fit in 32 bits comes back as
/// [`ArrayData::I32`] (for point ids, which the ArrayDict side keeps 32-bit).
pub(crate) fn decode_raw(
    arr: &BinaryArray<'_>,
    range: &FileRange<'_>,
    narrow_ids: bool,
) -> Result<ArrayData, FormatError> {
    match arr.ctx.compressor {
        None => read_uncompressed(arr, range, narrow_ids),
        Some(c) => read_compressed(arr, c, range),
    }
}

/// A size header, then the data, read straight into the array's buffer.
fn read_uncompressed(
    arr: &BinaryArray<'_>,
    range: &FileRange<'_>,
    narrow_ids: bool,
) -> Result<ArrayData, FormatError> {
    let (ctx, dtype) = (arr.ctx, arr.dtype);
    let h = ctx.header_size() as u64;
    if range.len < h {
        return Err(arr.too_large("size header", h, range.len));
    }
    let mut hb = [0u8; 8];
    range.read(ctx, &mut hb[..h as usize], 0)?;
    let size = ctx.header_value(&hb, 0);
    let avail = range.len - h;
    if size > avail {
        return Err(arr.too_large("uncompressed data", size, avail));
    }
    arr.check_size(size)?;
    let rem = size % dtype.size() as u64;
    if rem != 0 {
        return Err(arr.malformed(format!(
            "{size} bytes are not a whole number of {} values ({rem} left over)",
            dtype.vtk_name()
        )));
    }
    let n = (size / dtype.size() as u64) as usize;
    if narrow_ids && dtype == DType::I64 && ctx.big_endian == cfg!(target_endian = "big") {
        if let Some(ids) = range.read_narrowed(ctx, n, h)? {
            return Ok(ArrayData::I32(ids));
        }
    }
    // A fresh zeroed buffer costs no pass of its own, and the file is read straight into it.
    let mut out = ArrayData::zeros(dtype, n);
    range.read(ctx, out.as_bytes_mut(), h)?;
    if ctx.big_endian != cfg!(target_endian = "big") {
        super::bulk::par_swap(out.as_bytes_mut(), dtype.size());
    }
    Ok(out)
}

/// A compression header, then the blocks: both read into memory, then decompressed.
fn read_compressed(
    arr: &BinaryArray<'_>,
    c: Compressor,
    range: &FileRange<'_>,
) -> Result<ArrayData, FormatError> {
    let ctx = arr.ctx;
    let h = ctx.header_size() as u64;
    let mut head = vec![0u8; range.len.min(3 * h) as usize];
    range.read(ctx, &mut head, 0)?;
    let available = usize::try_from(range.len).unwrap_or(usize::MAX);
    let header_len = arr.compression_header_len(&head, available)?;
    let mut header = vec![0u8; header_len];
    range.read(ctx, &mut header, 0)?;
    let compressed = arr.compressed_len(&header);
    // Only the bytes the file holds are read; blocks that claim more fail in `decompress_blocks`.
    let payload_len = compressed.min(range.len - header_len as u64);
    let mut payload = vec![0u8; payload_len as usize];
    range.read(ctx, &mut payload, header_len as u64)?;
    arr.decompress_blocks(c, &header, &payload)
}
