//! Bulk conversion of file bytes into typed arrays.
//!
//! Filling a freshly mapped buffer costs mostly page faults, not the copy itself, so big arrays are
//! filled in parallel chunks: the faults then run on every core at once. Arrays are built in one
//! pass (no zero fill first), which matters once the allocator recycles memory.

use rayon::prelude::*;
use vtk_model::{ArrayData, DType, Element};

/// Bytes per parallel chunk: a multiple of every element size and of the 2 MiB a page-table lock
/// covers, so threads do not contend on one lock.
const CHUNK: usize = 4 << 20;

/// Fills `dst` by calling `fill(piece, offset of the piece in dst)`: once for small buffers, else
/// for each [`CHUNK`]-sized piece on all cores (fresh pages then fault in on every core at once).
pub(crate) fn par_fill<E: Send>(
    dst: &mut [u8],
    fill: impl Fn(&mut [u8], usize) -> Result<(), E> + Sync,
) -> Result<(), E> {
    if dst.len() < 2 * CHUNK {
        fill(dst, 0)
    } else {
        dst.par_chunks_mut(CHUNK)
            .enumerate()
            .try_for_each(|(i, piece)| fill(piece, i * CHUNK))
    }
}

/// Copies `src` into `dst` (same length), in parallel for big buffers.
pub(crate) fn par_copy(dst: &mut [u8], src: &[u8]) {
    let copy = |piece: &mut [u8], at: usize| {
        piece.copy_from_slice(&src[at..at + piece.len()]);
        Ok::<(), std::convert::Infallible>(())
    };
    let Ok(()) = par_fill(dst, copy);
}

/// Reverses the byte order of every `size`-byte element of `bytes`, in parallel for big buffers.
pub(crate) fn par_swap(bytes: &mut [u8], size: usize) {
    if size < 2 {
        return;
    }
    // Pieces are a multiple of every element size, so no element straddles two.
    let swap = |piece: &mut [u8], _| {
        piece.chunks_exact_mut(size).for_each(<[u8]>::reverse);
        Ok::<(), std::convert::Infallible>(())
    };
    let Ok(()) = par_fill(bytes, swap);
}

/// Builds an array of `dtype` from `bytes` in the given byte order; `Err` holds the number of bytes
/// left over when `bytes` is not a whole number of elements.
pub(crate) fn bytes_to_array(
    dtype: DType,
    bytes: &[u8],
    big_endian: bool,
) -> Result<ArrayData, usize> {
    let rem = bytes.len() % dtype.size();
    if rem != 0 {
        return Err(rem);
    }
    if big_endian != cfg!(target_endian = "big") {
        let mut out = ArrayData::zeros(dtype, bytes.len() / dtype.size());
        par_copy(out.as_bytes_mut(), bytes);
        par_swap(out.as_bytes_mut(), dtype.size());
        return Ok(out);
    }
    Ok(match dtype {
        DType::I8 => collect_native::<i8>(bytes),
        DType::U8 => collect_native::<u8>(bytes),
        DType::I16 => collect_native::<i16>(bytes),
        DType::U16 => collect_native::<u16>(bytes),
        DType::I32 => collect_native::<i32>(bytes),
        DType::U32 => collect_native::<u32>(bytes),
        DType::I64 => collect_native::<i64>(bytes),
        DType::U64 => collect_native::<u64>(bytes),
        DType::F32 => collect_native::<f32>(bytes),
        DType::F64 => collect_native::<f64>(bytes),
    })
}

/// Reads native-order elements from unaligned `bytes` straight into a new vector: one pass, where
/// a zero-filled buffer plus a copy would be two once the allocator recycles memory.
fn collect_native<T: Element>(bytes: &[u8]) -> ArrayData {
    let size = std::mem::size_of::<T>();
    let v: Vec<T> = if bytes.len() < 2 * CHUNK {
        // Through a small aligned buffer that stays in cache: two `memcpy`s beat an element loop.
        const STAGE: usize = 32 << 10;
        let mut v = Vec::with_capacity(bytes.len() / size);
        let mut stage = vec![T::zeroed(); STAGE / size];
        for src in bytes.chunks(STAGE) {
            let t = &mut stage[..src.len() / size];
            bytemuck::cast_slice_mut::<T, u8>(t).copy_from_slice(src);
            v.extend_from_slice(t);
        }
        v
    } else {
        let mut v = Vec::new();
        bytes
            .par_chunks_exact(size)
            .with_min_len(CHUNK / size)
            .map(bytemuck::pod_read_unaligned::<T>)
            .collect_into_vec(&mut v);
        v
    };
    T::wrap(v)
}

/// Widens 32-bit ids to 64 bits.
pub(crate) fn widen_ids(v: &[i32]) -> Vec<i64> {
    let mut out = Vec::with_capacity(v.len());
    if v.len() < 2 * CHUNK / 8 {
        out.extend(v.iter().map(|&s| i64::from(s)));
    } else {
        out.par_extend(v.par_iter().with_min_len(CHUNK / 8).map(|&s| i64::from(s)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_and_small_arrays_convert_in_both_byte_orders() {
        for n in [0usize, 3, CHUNK / 4 * 2 + 5] {
            let v: Vec<u32> = (0..n as u32)
                .map(|i| i.wrapping_mul(2_654_435_761))
                .collect();
            let le: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            let be: Vec<u8> = v.iter().flat_map(|x| x.to_be_bytes()).collect();
            assert_eq!(
                bytes_to_array(DType::U32, &le, false).unwrap(),
                ArrayData::U32(v.clone())
            );
            assert_eq!(
                bytes_to_array(DType::U32, &be, true).unwrap(),
                ArrayData::U32(v)
            );
        }
        assert_eq!(bytes_to_array(DType::F64, &[0; 12], false), Err(4));
    }

    #[test]
    fn widening_keeps_values() {
        for n in [0usize, 2, CHUNK / 8 * 2 + 7] {
            let v: Vec<i32> = (0..n).map(|i| (i as i32).wrapping_mul(-7919)).collect();
            let w = widen_ids(&v);
            assert_eq!(w.len(), n);
            assert!(w.iter().zip(&v).all(|(&a, &b)| a == i64::from(b)));
        }
    }
}
