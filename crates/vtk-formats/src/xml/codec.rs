//! Block compressors of VTK XML files: zlib (`vtkZLibDataCompressor`, zlib-wrapped deflate), LZ4
//! (`vtkLZ4DataCompressor`, raw LZ4 blocks without frame or size prefix) and LZMA
//! (`vtkLZMADataCompressor`, liblzma's easy encoder, i.e. the `.xz` container).

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
            Self::Lzma => lzma_decompress_into(input, out),
        }
    }
}

/// The most an LZMA2 chunk can decompress to.
const LZMA2_CHUNK_MAX: u64 = 1 << 21;

/// The most memory the LZMA decoder may take. VTK's levels go up to 9 (a 64 MiB dictionary, about
/// 65 MiB to decode); a block whose header asks for more is refused by liblzma before it allocates.
const LZMA_DECODER_MEMLIMIT: u64 = 128 << 20;

/// Decodes one `.xz` stream straight into `out`. liblzma writes only into the slice it is given,
/// so a bomb stops at the declared size, and the memory limit bounds the dictionary a hostile
/// header can ask for.
fn lzma_decompress_into(input: &[u8], out: &mut [u8]) -> Result<(), String> {
    use liblzma::stream::{Action, Error, Status, Stream};
    let mut stream = Stream::new_stream_decoder(LZMA_DECODER_MEMLIMIT, 0)
        .map_err(|e| format!("LZMA decoder: {e}"))?;
    let declared = out.len();
    let status = stream.process(input, out, Action::Finish);
    let written = usize::try_from(stream.total_out()).unwrap_or(usize::MAX);
    match status {
        Ok(Status::StreamEnd) if written == declared => Ok(()),
        Ok(Status::StreamEnd) => Err(format!(
            "LZMA block decompresses to {written} bytes, header declares {declared}"
        )),
        Ok(_) if written == declared => Err(format!(
            "LZMA block decompresses to more than the declared {declared} bytes"
        )),
        Ok(_) => Err("corrupt LZMA (xz) block: truncated".to_owned()),
        Err(Error::MemLimit) => Err(format!(
            "corrupt LZMA (xz) block: its dictionary needs more than {} MiB to decode",
            LZMA_DECODER_MEMLIMIT >> 20
        )),
        Err(e) => Err(format!("corrupt LZMA (xz) block: {e}")),
    }
}

impl Compressor {
    /// Compresses one block. `level` is the 0-9 preset of zlib and of liblzma (as VTK's
    /// `SetCompressionLevel`); LZ4 has a single setting.
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
            Self::Lzma => lzma_compress(level, input),
        }
    }
}

/// One `.xz` stream as VTK's `vtkLZMADataCompressor` writes it: liblzma's easy encoder at
/// `level` (0-9), CRC32 check.
fn lzma_compress(level: u32, input: &[u8]) -> Vec<u8> {
    use liblzma::stream::{Action, Check, Status, Stream};
    let mut out = Vec::with_capacity(input.len() / 4 + 128);
    // Presets 0-9 with a valid check cannot fail to initialise; memory exhaustion aborts as any
    // other allocation does.
    let Ok(mut stream) = Stream::new_easy_encoder(level.min(9), Check::Crc32) else {
        return out;
    };
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(4096));
        }
        let consumed = usize::try_from(stream.total_in()).unwrap_or(input.len());
        match stream.process_vec(
            &input[consumed.min(input.len())..],
            &mut out,
            Action::Finish,
        ) {
            Ok(Status::StreamEnd) | Err(_) => return out,
            Ok(_) => {}
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
    fn lzma_level_reaches_the_encoder_and_output_is_a_crc32_xz_stream() {
        // A smooth signal with noise in its low bits, as point coordinates are. Sizes are not
        // monotonic in the preset (here preset 0 wins), so the test asks only that the level
        // reaches the encoder; sizes against VTK's are checked by the interop tests.
        let mut seed = 12345u32;
        let data: Vec<u8> = (0..100_000u32)
            .flat_map(|i| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let v = (f64::from(i) * 0.01).sin() * 100.0 + f64::from(seed >> 28) * 1e-3;
                (v as f32).to_le_bytes()
            })
            .collect();
        let fast = Compressor::Lzma.compress(0, &data);
        let best = Compressor::Lzma.compress(9, &data);
        assert_eq!(&best[..6], b"\xfd7zXZ\x00");
        assert_eq!(best[7], 1, "check id: CRC32 as VTK writes");
        assert_ne!(best, fast, "the preset made no difference");
        assert!(
            best.len() * 4 < data.len() * 3,
            "not compressed: {}",
            best.len()
        );
    }

    #[test]
    fn lzma_bomb_stops_at_the_declared_size() {
        let data = vec![7u8; 3_000_000];
        let z = Compressor::Lzma.compress(6, &data);
        let mut out = vec![0u8; 1000];
        let e = Compressor::Lzma.decompress_into(&z, &mut out).unwrap_err();
        assert!(e.contains("more than the declared 1000 bytes"), "{e}");
    }

    #[test]
    fn lzma_dictionary_beyond_the_memory_limit_is_refused() {
        // An .xz stream whose LZMA2 filter properties ask for a 4 GiB dictionary (property byte 40,
        // the largest encodable); liblzma refuses it before allocating.
        let mut z = Compressor::Lzma.compress(6, &[1u8; 1000]);
        // Stream header (12 bytes), then the block header: size byte, flags, filter id 0x21,
        // properties size 1, the dictionary-size byte.
        assert_eq!(&z[14..16], &[0x21, 0x01]);
        z[16] = 40;
        // The block header carries its own CRC32 after padding; recompute it.
        let header_len = (usize::from(z[12]) + 1) * 4;
        let crc = crc32(&z[12..12 + header_len - 4]);
        z[12 + header_len - 4..12 + header_len].copy_from_slice(&crc.to_le_bytes());
        let mut out = vec![0u8; 1000];
        let e = Compressor::Lzma.decompress_into(&z, &mut out).unwrap_err();
        assert!(e.contains("more than 128 MiB"), "{e}");
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = (crc >> 1) ^ (0xEDB8_8320 & (!(crc & 1)).wrapping_add(1));
            }
        }
        !crc
    }
}
