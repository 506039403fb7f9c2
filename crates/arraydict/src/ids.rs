//! Point-id range scans: the first id outside `0..n` of a slice of any element type, found by a
//! scan that vectorises (and runs on all cores for long slices).

use rayon::prelude::*;
use vtk_model::{with_array_data, ArrayData, DType, Element};

/// First element outside `0..n`, as `(flat index, value)`.
pub(crate) fn first_bad_id(data: &ArrayData, n: usize) -> Option<(usize, String)> {
    with_array_data!(data, v => first_bad_in(v, n))
}

/// The first element of `v` that is not a point id in `0..n`, as (index, value).
pub(crate) fn first_bad_in<T: Element>(v: &[T], n: usize) -> Option<(usize, String)> {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    // One unsigned compare tests both ends: a negative id sign-extends to a huge u64. The
    // element types are matched so that the test inlines to plain integer compares, which the
    // chunked fold below vectorises (through `Element::to_i64` it did not).
    macro_rules! signed {
        ($t:ty) => {
            |x: &T| i64::from(bytemuck::cast::<T, $t>(*x)) as u64 >= n
        };
    }
    macro_rules! unsigned {
        ($t:ty) => {
            |x: &T| u64::from(bytemuck::cast::<T, $t>(*x)) >= n
        };
    }
    match T::DTYPE {
        DType::I8 => first_bad_by(v, signed!(i8)),
        DType::I16 => first_bad_by(v, signed!(i16)),
        // The usual id type, compared in 32 bits (4 ids per SSE2 compare): with n below 2^31, a
        // negative id is at least 2^31 as u32.
        DType::I32 if i32::try_from(n).is_ok() => {
            let n32 = n as u32;
            first_bad_by(v, |x: &T| bytemuck::cast::<T, i32>(*x) as u32 >= n32)
        }
        DType::I32 => first_bad_by(v, signed!(i32)),
        DType::I64 => {
            let n64 = i64::try_from(n).unwrap_or(i64::MAX);
            first_bad_by(v, |x: &T| {
                id_out_of_range(bytemuck::cast::<T, i64>(*x), n64) != 0
            })
        }
        DType::U8 => first_bad_by(v, unsigned!(u8)),
        DType::U16 => first_bad_by(v, unsigned!(u16)),
        DType::U32 => first_bad_by(v, unsigned!(u32)),
        DType::U64 => first_bad_by(v, unsigned!(u64)),
        DType::F32 | DType::F64 => {
            first_bad_by(v, |x: &T| x.to_i64().is_none_or(|i| i as u64 >= n))
        }
    }
}

/// The first element of `v` for which `bad` holds, as (index, value).
fn first_bad_by<T: Element>(
    v: &[T],
    bad: impl Fn(&T) -> bool + Copy + Sync,
) -> Option<(usize, String)> {
    first_position(v, bad).map(|i| (i, format!("{:?}", v[i])))
}

/// The index of the first element of `v` for which `bad` holds, found by a scan that vectorises:
/// a branchless fold per chunk of 4096 (`position` stops early and does not), then `position`
/// inside the failing chunk only. The fold ORs flags widened to `u32`: LLVM vectorises that, not
/// an OR of `bool`s. A copy of `vtk_model`'s (crate-private there), which checks a model's cells
/// the same way.
///
/// From [`PARALLEL_SCAN_FROM`] elements on, the chunks are scanned on all cores: an HDF5 -> raw
/// `.vtp` run checks its 3M ids twice (the tree's schema, then the model), which took 23.7 ms a
/// run with one core scanning and 22.7 ms with two.
fn first_position<T: Sync>(v: &[T], bad: impl Fn(&T) -> bool + Copy + Sync) -> Option<usize> {
    const CHUNK: usize = 4096;
    let chunk_fails = |c: &[T]| c.iter().fold(0u32, |acc, x| acc | u32::from(bad(x))) != 0;
    let chunk = if v.len() >= PARALLEL_SCAN_FROM {
        v.par_chunks(CHUNK).position_first(chunk_fails)?
    } else {
        v.chunks(CHUNK).position(chunk_fails)?
    };
    v[chunk * CHUNK..]
        .iter()
        .position(bad)
        .map(|i| chunk * CHUNK + i)
}

/// Slices at least this long are scanned in parallel by [`first_position`]; below it, handing out
/// the work costs more than a core saves.
const PARALLEL_SCAN_FROM: usize = 1 << 20;

/// 1 when `id` is not in `0..n` (`n >= 0`), else 0, in the 64-bit add, and-not and shift that
/// baseline x86-64 (SSE2) vectorises; it has no 64-bit compare. `id - n` is negative exactly when
/// `id < n`, and `!id` is negative exactly when `id >= 0`.
#[inline]
fn id_out_of_range(id: i64, n: i64) -> u64 {
    ((id.wrapping_sub(n) & !id) as u64 >> 63) ^ 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectorised search against the plain definition, for every integer dtype, near and far
    /// from the 4096-element chunks, with `n` small and above `i32::MAX`.
    #[test]
    fn first_bad_id_finds_what_a_plain_search_finds() {
        fn check<T: Element + TryFrom<i64>>(n: usize) {
            let plain = |v: &[T]| {
                v.iter()
                    .position(|x| x.to_i64().is_none_or(|i| i < 0 || i as u64 >= n as u64))
            };
            let values: Vec<i64> = vec![
                -1,
                0,
                1,
                5,
                6,
                7,
                127,
                128,
                255,
                256,
                1 << 31,
                (1 << 32) + 3,
                i64::MAX,
                i64::MIN,
            ];
            for at in [0usize, 4095, 4096, 9000] {
                for &bad in &values {
                    let Ok(bad) = T::try_from(bad) else { continue };
                    let Ok(good) = T::try_from(1) else { continue };
                    let mut v = vec![good; 9001];
                    v[at] = bad;
                    let found = first_bad_in(&v, n).map(|(i, _)| i);
                    assert_eq!(found, plain(&v), "{:?} {bad:?} at {at}, n {n}", T::DTYPE);
                }
            }
        }
        for n in [0usize, 2, 7, 256, 1 << 31, 1 << 33] {
            check::<i8>(n);
            check::<i16>(n);
            check::<i32>(n);
            check::<i64>(n);
            check::<u8>(n);
            check::<u16>(n);
            check::<u32>(n);
            check::<u64>(n);
        }
    }
}
