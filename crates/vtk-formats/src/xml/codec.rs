//! Block compressors of VTK XML files: zlib (`vtkZLibDataCompressor`, zlib-wrapped deflate), LZ4
//! (`vtkLZ4DataCompressor`, raw LZ4 blocks without frame or size prefix) and LZMA
//! (`vtkLZMADataCompressor`, liblzma's easy encoder, i.e. the `.xz` container).

use std::io::Write;

use std::cell::RefCell;

use libdeflater::{
    CompressionLvl, Compressor as Deflater, DecompressionError, Decompressor as Inflater,
};

thread_local! {
    // libdeflate's (de)compressor state is tens of KiB to set up, so each thread keeps one.
    static INFLATER: RefCell<Inflater> = RefCell::new(Inflater::new());
    static DEFLATER: RefCell<Option<(i32, Deflater)>> = const { RefCell::new(None) };
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A compressor as named by the `compressor` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compressor {
    Zlib,
    Lz4,
    Lzma,
}

impl Compressor {
    /// Parses the `compressor` attribute.
    pub fn from_vtk_name(name: &str) -> Option<Self> {
        match name {
            "vtkZLibDataCompressor" => Some(Self::Zlib),
            "vtkLZ4DataCompressor" => Some(Self::Lz4),
            "vtkLZMADataCompressor" => Some(Self::Lzma),
            _ => None,
        }
    }

    /// The `compressor` attribute value.
    pub fn vtk_name(self) -> &'static str {
        match self {
            Self::Zlib => "vtkZLibDataCompressor",
            Self::Lz4 => "vtkLZ4DataCompressor",
            Self::Lzma => "vtkLZMADataCompressor",
        }
    }

    /// Largest uncompressed size a valid block of `compressed` bytes can have, used to reject
    /// declared sizes before allocating. Deflate cannot exceed about 1032:1 and LZ4 about 255:1; an
    /// LZMA2 chunk yields at most 2 MiB and takes at least 10 bytes (its 5-byte header and the range
    /// coder's 5 initial bytes).
    pub fn max_expansion(self, compressed: u64) -> u64 {
        match self {
            Self::Zlib => compressed.saturating_mul(1040).saturating_add(64),
            Self::Lz4 => compressed.saturating_mul(256).saturating_add(64),
            Self::Lzma => (compressed / 10).saturating_mul(LZMA2_CHUNK_MAX),
        }
    }

    /// Decompresses one block into `out`, which has exactly the declared uncompressed size; a block
    /// that decodes to more or fewer bytes is an error (so a bomb stops at the declared size).
    pub fn decompress_into(self, input: &[u8], out: &mut [u8]) -> Result<(), String> {
        match self {
            Self::Zlib => {
                let r = INFLATER.with(|d| d.borrow_mut().zlib_decompress(input, out));
                match r {
                    Ok(n) if n == out.len() => Ok(()),
                    Ok(n) => Err(format!(
                        "zlib block decompresses to {n} bytes, header declares {}",
                        out.len()
                    )),
                    Err(DecompressionError::InsufficientSpace) => Err(format!(
                        "zlib block decompresses to more than the declared {} bytes",
                        out.len()
                    )),
                    Err(DecompressionError::BadData) => {
                        Err("corrupt or truncated zlib data".to_owned())
                    }
                }
            }
            Self::Lz4 => {
                let n = lz4_flex::block::decompress_into(input, out)
                    .map_err(|e| format!("corrupt LZ4 block: {e}"))?;
                if n != out.len() {
                    return Err(format!(
                        "LZ4 block decompresses to {n} bytes, header declares {}",
                        out.len()
                    ));
                }
                Ok(())
            }
            Self::Lzma => {
                xz_check_declared(input, out.len())?;
                let mut w = SliceWriter { out, pos: 0 };
                let mut r = input;
                // lzma-rs 0.3 computes `backward_size + 1` on the stream footer's u32 unchecked: a
                // footer of 0xFFFFFFFF panics where overflow checks are on (found by fuzzing). Reject
                // that footer up front, and turn any other decoder panic into an error.
                if input.len() >= 12 && input[input.len() - 8..input.len() - 4] == [0xFF; 4] {
                    return Err(
                        "corrupt LZMA (xz) block: stream footer has an impossible index size"
                            .to_owned(),
                    );
                }
                let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    lzma_rs::xz_decompress(&mut r, &mut w)
                }))
                .map_err(|_| {
                    "corrupt LZMA (xz) block: the decoder failed on malformed data".to_owned()
                })?;
                decoded.map_err(|e| format!("corrupt LZMA (xz) block: {e}"))?;
                if w.pos != w.out.len() {
                    return Err(format!(
                        "LZMA block decompresses to {} bytes, header declares {}",
                        w.pos,
                        w.out.len()
                    ));
                }
                Ok(())
            }
        }
    }
}

/// The most an LZMA2 chunk can decompress to.
const LZMA2_CHUNK_MAX: u64 = 1 << 21;

/// Checks, before decoding, that the LZMA2 chunks of the `.xz` stream `input` declare no more than
/// `declared` bytes in all, and that its blocks use LZMA2 alone.
///
/// lzma-rs (0.3) collects a whole xz block in a buffer that grows as it decodes and hands it to the
/// output only at the block's end, so writing into a fixed buffer does not stop a bomb: a block of
/// a few hundred KiB could grow that buffer to gigabytes first. Each chunk's header states its
/// size and the decoder keeps to it, so walking the headers (a few bytes per 2 MiB of output)
/// bounds the decoder's memory by the size the VTK header declares. Framing errors the walk runs
/// into are left to the decoder, which names them.
fn xz_check_declared(input: &[u8], declared: usize) -> Result<(), String> {
    let too_much =
        || format!("LZMA (xz) block's chunks declare more than the declared {declared} bytes");
    let Some(&check_id) = input.get(7) else {
        return Ok(());
    };
    // Check sizes by id, xz file format 1.1.0 section 3.4.
    let check_len =
        [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64][usize::from(check_id & 0x0F)];
    let (mut pos, mut total) = (12usize, 0u64);
    while let Some(&size_byte) = input.get(pos) {
        if size_byte == 0 {
            return Ok(()); // the index: no more blocks
        }
        // The block flags' low bits are the number of filters minus one; VTK writes LZMA2 alone, and
        // a second filter would decode the first one's output unchecked.
        if input.get(pos + 1).is_some_and(|flags| flags & 0x03 != 0) {
            return Err("LZMA (xz) block uses a filter chain; VTK writes LZMA2 alone".to_owned());
        }
        let mut at = pos + (usize::from(size_byte) + 1) * 4;
        loop {
            let Some(&control) = input.get(at) else {
                return Ok(());
            };
            let word = |i: usize| {
                input
                    .get(i..i + 2)
                    .map_or(0, |b| u64::from(u16::from_be_bytes([b[0], b[1]])) + 1)
            };
            let (unpacked, next) = match control {
                0 => break,
                1 | 2 => (word(at + 1), at + 3 + word(at + 1) as usize),
                0x80..=0xFF => {
                    let props = usize::from((control >> 5) & 3 >= 2);
                    let unpacked = (u64::from(control & 0x1F) << 16) + word(at + 1);
                    (unpacked, at + 5 + props + word(at + 3) as usize)
                }
                _ => return Ok(()),
            };
            total += unpacked;
            if total > declared as u64 {
                return Err(too_much());
            }
            at = next;
        }
        // Past the end marker: padding to a multiple of four bytes from the block's start, the check.
        pos += (at + 1 - pos).next_multiple_of(4) + check_len;
    }
    Ok(())
}

/// A writer into a fixed buffer that fails instead of growing.
struct SliceWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
}

impl Write for SliceWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let end = self
            .pos
            .checked_add(buf.len())
            .filter(|&e| e <= self.out.len())
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "block decompresses to more than the declared size",
                )
            })?;
        self.out[self.pos..end].copy_from_slice(buf);
        self.pos = end;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Compressor {
    /// Compresses one block. `level` is zlib's (0-9); LZ4 and the LZMA encoder have a single
    /// setting.
    pub fn compress(self, level: u32, input: &[u8]) -> Vec<u8> {
        match self {
            Self::Zlib => DEFLATER.with(|cell| {
                let level = level.min(9) as i32;
                let mut slot = cell.borrow_mut();
                let deflater = match &mut *slot {
                    Some((l, d)) if *l == level => d,
                    _ => {
                        // 0..=9 are all valid libdeflate levels (it goes up to 12).
                        let lvl = CompressionLvl::new(level).unwrap_or_default();
                        &mut slot.insert((level, Deflater::new(lvl))).1
                    }
                };
                // Compress into a reused per-thread buffer and keep only the compressed bytes: a
                // fresh bound-sized buffer per block, truncated but not shrunk, held as much memory
                // as the uncompressed array until the file was written.
                SCRATCH.with(|scratch| {
                    let mut out = scratch.borrow_mut();
                    out.resize(deflater.zlib_compress_bound(input.len()), 0);
                    // The bound makes running out of space impossible; an empty block would be
                    // caught by the reader's size check.
                    let n = deflater.zlib_compress(input, &mut out).unwrap_or(0);
                    out[..n].to_vec()
                })
            }),
            Self::Lz4 => lz4_flex::block::compress(input),
            Self::Lzma => {
                let mut out = Vec::with_capacity(input.len() / 2 + 64);
                let mut r = input;
                // lzma-rs has a single (fast, weak) encoder setting, so the level is not used.
                let _ = lzma_rs::xz_compress(&mut r, &mut out);
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compressor_round_trips_and_bounds_output() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for c in [Compressor::Zlib, Compressor::Lz4, Compressor::Lzma] {
            let z = c.compress(6, &data);
            let mut out = vec![0u8; data.len()];
            c.decompress_into(&z, &mut out).unwrap();
            assert_eq!(out, data);
            let mut small = vec![0u8; data.len() - 1];
            assert!(
                c.decompress_into(&z, &mut small).is_err(),
                "{c:?} overflow not detected"
            );
            let mut big = vec![0u8; data.len() + 1];
            assert!(
                c.decompress_into(&z, &mut big).is_err(),
                "{c:?} short output not detected"
            );
        }
    }

    #[test]
    fn lzma_chunks_declaring_more_than_the_block_are_refused_before_decoding() {
        let data = vec![7u8; 300_000];
        let z = Compressor::Lzma.compress(6, &data);
        let mut out = vec![0u8; 1000];
        let e = Compressor::Lzma.decompress_into(&z, &mut out).unwrap_err();
        assert!(
            e.contains("chunks declare more than the declared 1000 bytes"),
            "{e}"
        );
        // The walk accepts what the encoder writes: exactly the declared size.
        assert_eq!(xz_check_declared(&z, data.len()), Ok(()));
        assert!(xz_check_declared(&z, data.len() - 1).is_err());
    }
}
