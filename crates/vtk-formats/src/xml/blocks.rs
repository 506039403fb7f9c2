//! The binary form of one array, whether it is read from memory or from the file: the checks of
//! its declared size, and VTK's compressed layout -- a header `[nblocks, blocksize, lastblocksize,
//! compressed sizes...]` followed by the blocks, each decompressed by a [`Compressor`].

use std::ops::Range;

use rayon::prelude::*;
use vtk_model::{ArrayData, DType};

use super::codec::Compressor;
use super::context::Ctx;
use crate::FormatError;

/// One compressed block: where it is in the payload, and its declared uncompressed size.
struct Block {
    input: Range<usize>,
    len: u64,
}

/// One array being decoded from its binary form: what it must hold and how its errors name it.
pub(crate) struct BinaryArray<'a> {
    pub ctx: &'a Ctx<'a>,
    pub dtype: DType,
    /// Byte offset of the array's data (or of its element) in the file, for messages.
    pub offset: u64,
    /// Names the array in errors.
    pub label: &'a str,
    /// Values the dataset requires, when known.
    pub expected: Option<u64>,
}

impl BinaryArray<'_> {
    /// A [`FormatError::Malformed`] at this array.
    pub fn malformed(&self, detail: String) -> FormatError {
        self.ctx
            .malformed(Some(self.offset), Some(self.label), detail)
    }

    /// A [`FormatError::TooLarge`]: the file declares `declared` bytes for `what` of this array
    /// where `available` are present (or allowed).
    pub fn too_large(&self, what: &str, declared: u64, available: u64) -> FormatError {
        let what = format!("{}: {what}", self.label);
        self.ctx.too_large(self.offset, &what, declared, available)
    }

    /// Checks the declared size of the data, `bytes`, against the expected number of values and
    /// the allocation limit.
    pub fn check_size(&self, bytes: u64) -> Result<(), FormatError> {
        if let Some(n) = self.expected {
            let want = n.saturating_mul(self.dtype.size() as u64);
            if bytes != want {
                return Err(self.malformed(format!(
                    "header declares {bytes} bytes, expected {want} ({n} values of {})",
                    self.dtype.vtk_name()
                )));
            }
        }
        if bytes > self.ctx.max_alloc {
            return Err(self.too_large("data", bytes, self.ctx.max_alloc));
        }
        Ok(())
    }

    /// Length of the compression header `[nblocks, blocksize, lastblocksize, sizes...]` from its
    /// first three values in `head`; `available` bounds it for raw data.
    pub fn compression_header_len(
        &self,
        head: &[u8],
        available: usize,
    ) -> Result<usize, FormatError> {
        let ctx = self.ctx;
        let h = ctx.header_size();
        if head.len() < 3 * h {
            return Err(self.too_large("compression header", 3 * h as u64, head.len() as u64));
        }
        let nblocks = ctx.header_value(head, 0);
        let len = nblocks
            .checked_add(3)
            .and_then(|n| n.checked_mul(h as u64))
            .unwrap_or(u64::MAX);
        let avail = available as u64;
        if len > avail {
            return Err(self.too_large(
                &format!("compression header of {nblocks} blocks"),
                len,
                avail,
            ));
        }
        Ok(len as usize)
    }

    /// The sum of the compressed block sizes in a whole compression `header`.
    pub fn compressed_len(&self, header: &[u8]) -> u64 {
        (0..header.len() / self.ctx.header_size() - 3)
            .map(|i| self.ctx.header_value(header, 3 + i))
            .fold(0u64, u64::saturating_add)
    }

    /// Decompresses the blocks that `header` describes from `payload` into one array, in parallel
    /// when there are more than two.
    pub fn decompress_blocks(
        &self,
        c: Compressor,
        header: &[u8],
        payload: &[u8],
    ) -> Result<ArrayData, FormatError> {
        let (ctx, dtype) = (self.ctx, self.dtype);
        let (blocks, total) = self.block_table(c, header, payload.len())?;
        self.check_size(total)?;
        if total % dtype.size() as u64 != 0 {
            return Err(self.malformed(format!(
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
                self.malformed(format!(
                    "compression header declares {total} bytes, more than this process can allocate"
                ))
            })?;
        let buf = out.as_bytes_mut();
        let mut pieces: Vec<(&[u8], &mut [u8], usize)> = Vec::with_capacity(blocks.len());
        let mut rest = buf;
        for (i, block) in blocks.into_iter().enumerate() {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(block.len as usize);
            pieces.push((&payload[block.input], head, i));
            rest = tail;
        }
        let run = |(input, dst, i): (&[u8], &mut [u8], usize)| {
            c.decompress_into(input, dst)
                .map_err(|e| self.malformed(format!("block {i}: {e}")))
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

    /// Per block of `header`: its range in a payload of `payload_len` bytes and its declared
    /// uncompressed size, each checked against what the compressor can produce and the bytes
    /// present; and the declared total.
    fn block_table(
        &self,
        c: Compressor,
        header: &[u8],
        payload_len: usize,
    ) -> Result<(Vec<Block>, u64), FormatError> {
        let ctx = self.ctx;
        let nblocks = ctx.header_value(header, 0) as usize;
        let block_size = ctx.header_value(header, 1);
        let last_size = ctx.header_value(header, 2);
        if nblocks > 0 && (block_size == 0 || last_size > block_size) {
            return Err(self.malformed(format!(
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
                return Err(self.malformed(format!("block {i} declares {usize_} bytes from {csize} compressed bytes, more than {c:?} can produce")));
            }
            let end = comp_pos
                .checked_add(csize)
                .filter(|&e| e <= payload_len as u64)
                .ok_or_else(|| {
                    self.too_large(
                        &format!("compressed block {i}"),
                        comp_pos.saturating_add(csize),
                        payload_len as u64,
                    )
                })?;
            blocks.push(Block {
                input: comp_pos as usize..end as usize,
                len: usize_,
            });
            comp_pos = end;
            total = total.saturating_add(usize_);
        }
        Ok((blocks, total))
    }
}
