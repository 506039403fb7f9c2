//! Memory layout work for writers: logical C order, HDF5 chunk shapes and chunk gathering.
//!
//! Everything here is pure Rust over plain slices so it can run on all cores with rayon while
//! the HDF5 library (which is not thread-safe) stays on one thread.

use std::borrow::Cow;

use arraydict::{ArrayData, NdArray};
use rayon::prelude::*;

/// Target chunk sizes of h5py's `guess_chunk` (`h5py/_hl/filters.py`).
const CHUNK_BASE: f64 = 16.0 * 1024.0;
const CHUNK_MIN: f64 = 8.0 * 1024.0;
const CHUNK_MAX: f64 = 1024.0 * 1024.0;

/// Side of the square tiles of the blocked transpose: 32x32 elements of up to 8 bytes touch
/// 32 source cache lines per tile, which stay in L1 while the tile is written.
const TILE: usize = 32;

/// h5py's chunk shape guess, reproduced exactly so our chunked datasets have the shapes VMTK's
/// (h5py's) have for the same array: halve the axes round-robin until a chunk is within 50% of a
/// target that grows with the dataset (8 KiB..1 MiB).
///
/// h5py's chunks are small (16-50 KiB for typical images), which is what we want anyway: many
/// chunks give the parallel compressor work for every core, and readers' default 1 MiB chunk cache
/// holds them. `shape` must not be empty and must not contain zeros (empty arrays are stored
/// contiguous).
pub(crate) fn guess_chunk(shape: &[usize], type_size: usize) -> Vec<usize> {
    let mut chunks: Vec<f64> = shape.iter().map(|&d| d as f64).collect();
    let ndims = chunks.len();
    if ndims == 0 {
        return Vec::new();
    }
    let product = |c: &[f64]| c.iter().product::<f64>();
    let dset_size = product(&chunks) * type_size as f64;
    let target = (CHUNK_BASE * 2f64.powf((dset_size / (1024.0 * 1024.0)).log10()))
        .clamp(CHUNK_MIN, CHUNK_MAX);
    let mut idx = 0;
    loop {
        let chunk_bytes = product(&chunks) * type_size as f64;
        if (chunk_bytes < target || (chunk_bytes - target).abs() / target < 0.5)
            && chunk_bytes < CHUNK_MAX
        {
            break;
        }
        if product(&chunks) <= 1.0 {
            break;
        }
        let axis = idx % ndims;
        chunks[axis] = (chunks[axis] / 2.0).ceil();
        idx += 1;
    }
    chunks.into_iter().map(|c| c as usize).collect()
}

/// The array's data in logical C order: borrowed when the buffer already is, otherwise a
/// parallel, cache-blocked permutation (Fortran-ordered images are the common case).
pub(crate) fn c_order_data(array: &NdArray) -> Cow<'_, ArrayData> {
    if array.is_c_contiguous() {
        return Cow::Borrowed(array.data());
    }
    let strides = logical_strides(array);
    let shape = array.shape();
    Cow::Owned(
        vtk_model::with_array_data!(array.data(), v => ArrayData::from(permute_to_c(v, shape, &strides))),
    )
}

/// Element strides of each logical axis of `array`'s buffer.
fn logical_strides(array: &NdArray) -> Vec<usize> {
    let axes = array.axes();
    let phys = array.physical_shape();
    let mut phys_strides = vec![1usize; phys.len()];
    for p in (0..phys.len().saturating_sub(1)).rev() {
        phys_strides[p] = phys_strides[p + 1] * phys[p + 1];
    }
    axes.iter().map(|&p| phys_strides[p]).collect()
}

/// Copies a strided array into a new C-ordered buffer.
///
/// The two axes that matter for the cache are the destination's fastest (the last logical axis)
/// and the source's fastest; they are walked in `TILE` x `TILE` tiles so both sides stay in cache.
/// Work is split over slabs of the first logical axis, which are contiguous in the destination.
pub(crate) fn permute_to_c<T: Copy + Default + Send + Sync>(
    src: &[T],
    shape: &[usize],
    src_strides: &[usize],
) -> Vec<T> {
    let n = shape.len();
    let total: usize = shape.iter().product();
    let mut dst = vec![T::default(); total];
    if total == 0 || n == 0 {
        dst.copy_from_slice(&src[..total]);
        return dst;
    }
    let mut dst_strides = vec![1usize; n];
    for a in (0..n - 1).rev() {
        dst_strides[a] = dst_strides[a + 1] * shape[a + 1];
    }
    let a_fast = n - 1;
    // Source-fastest axis among those longer than 1 (length-1 axes have arbitrary strides).
    let b_fast = (0..n)
        .filter(|&a| shape[a] > 1)
        .min_by_key(|&a| src_strides[a])
        .unwrap_or(a_fast);
    let slab_rows = if b_fast == 0 && a_fast != 0 { TILE } else { 1 };
    let slab_len = slab_rows * dst_strides[0];
    dst.par_chunks_mut(slab_len)
        .enumerate()
        .for_each(|(slab, out)| {
            let row0 = slab * slab_rows;
            let rows = out.len() / dst_strides[0];
            let mut lo = vec![0usize; n];
            let mut hi = shape.to_vec();
            lo[0] = row0;
            hi[0] = row0 + rows;
            copy_block(
                src,
                out,
                row0 * dst_strides[0],
                &lo,
                &hi,
                src_strides,
                &dst_strides,
                a_fast,
                b_fast,
            );
        });
    dst
}

/// Copies the index box `lo..hi` from `src` to `out` (which starts at destination element
/// `out_base`), tiling the `a` (destination-fastest) and `b` (source-fastest) axes.
#[allow(clippy::too_many_arguments)]
fn copy_block<T: Copy>(
    src: &[T],
    out: &mut [T],
    out_base: usize,
    lo: &[usize],
    hi: &[usize],
    src_strides: &[usize],
    dst_strides: &[usize],
    a: usize,
    b: usize,
) {
    let n = lo.len();
    let outer: Vec<usize> = (0..n).filter(|&x| x != a && x != b).collect();
    let mut idx = lo.to_vec();
    if outer.iter().any(|&x| lo[x] >= hi[x]) || lo[a] >= hi[a] || lo[b] >= hi[b] {
        return;
    }
    loop {
        let s0: usize = outer.iter().map(|&x| idx[x] * src_strides[x]).sum();
        // Global destination offset; every element of the box lies at or after `out_base`.
        let d0: usize = outer.iter().map(|&x| idx[x] * dst_strides[x]).sum();
        if a == b {
            for i in lo[a]..hi[a] {
                out[d0 + i * dst_strides[a] - out_base] = src[s0 + i * src_strides[a]];
            }
        } else {
            let (sa, sb, da, db) = (
                src_strides[a],
                src_strides[b],
                dst_strides[a],
                dst_strides[b],
            );
            let mut tb = lo[b];
            while tb < hi[b] {
                let tb_end = (tb + TILE).min(hi[b]);
                let mut ta = lo[a];
                while ta < hi[a] {
                    let ta_end = (ta + TILE).min(hi[a]);
                    for ib in tb..tb_end {
                        let (sbase, dbase) = (s0 + ib * sb, d0 + ib * db - out_base);
                        for ia in ta..ta_end {
                            out[dbase + ia * da] = src[sbase + ia * sa];
                        }
                    }
                    ta = ta_end;
                }
                tb = tb_end;
            }
        }
        // advance the odometer over the outer axes, last one fastest
        let mut level = outer.len();
        loop {
            if level == 0 {
                return;
            }
            level -= 1;
            let x = outer[level];
            idx[x] += 1;
            if idx[x] < hi[x] {
                break;
            }
            idx[x] = lo[x];
        }
    }
}

/// A chunk grid over a C-ordered array: which chunk starts where.
pub(crate) struct ChunkGrid {
    shape: Vec<usize>,
    chunk: Vec<usize>,
    counts: Vec<usize>,
}

impl ChunkGrid {
    /// The grid of `chunk`-shaped chunks covering `shape` (no zero extents in either).
    pub(crate) fn new(shape: &[usize], chunk: &[usize]) -> Self {
        let counts = shape
            .iter()
            .zip(chunk)
            .map(|(&s, &c)| s.div_ceil(c))
            .collect();
        Self {
            shape: shape.to_vec(),
            chunk: chunk.to_vec(),
            counts,
        }
    }

    /// Number of chunks.
    pub(crate) fn len(&self) -> usize {
        self.counts.iter().product()
    }

    /// Elements in one (full-size) chunk.
    pub(crate) fn chunk_elements(&self) -> usize {
        self.chunk.iter().product()
    }

    /// Element offset (HDF5's chunk "offset" argument) of chunk number `i` in C order of the grid.
    pub(crate) fn origin(&self, mut i: usize) -> Vec<usize> {
        let mut origin = vec![0; self.counts.len()];
        for a in (0..self.counts.len()).rev() {
            origin[a] = (i % self.counts[a]) * self.chunk[a];
            i /= self.counts[a];
        }
        origin
    }

    /// The chunk shape.
    pub(crate) fn chunk_shape(&self) -> &[usize] {
        &self.chunk
    }

    /// Whether every chunk spans the whole of every axis but the first, so chunk `i` is the `i`-th
    /// run of `chunk_elements()` elements of the C-ordered array (the last one shorter): a chunk
    /// is then a plain slice of the array, with no gathering or scattering of rows.
    pub(crate) fn is_row_chunked(&self) -> bool {
        self.shape
            .iter()
            .zip(&self.chunk)
            .skip(1)
            .all(|(s, c)| s == c)
    }

    /// Copies the chunk at `origin` out of the C-ordered `src` (element size `elem` bytes) into a
    /// full-size chunk buffer; the part beyond the array's edge stays zero, as HDF5 stores edge
    /// chunks at full size.
    pub(crate) fn gather(&self, src: &[u8], elem: usize, origin: &[usize]) -> Vec<u8> {
        let mut out = vec![0u8; self.chunk_elements() * elem];
        self.for_each_row(elem, origin, |array_at, chunk_at, len| {
            out[chunk_at..chunk_at + len].copy_from_slice(&src[array_at..array_at + len]);
        });
        out
    }

    /// The inverse of [`ChunkGrid::gather`]: copies the in-bounds part of a full-size chunk
    /// buffer into the C-ordered `dst`. `origin` must lie inside the array.
    pub(crate) fn scatter(&self, dst: &mut [u8], elem: usize, origin: &[usize], chunk: &[u8]) {
        self.for_each_row(elem, origin, |array_at, chunk_at, len| {
            dst[array_at..array_at + len].copy_from_slice(&chunk[chunk_at..chunk_at + len]);
        });
    }

    /// Calls `row(array_byte, chunk_byte, len)` for each contiguous row of the chunk at `origin`
    /// that lies inside the array.
    fn for_each_row(
        &self,
        elem: usize,
        origin: &[usize],
        mut row: impl FnMut(usize, usize, usize),
    ) {
        let n = self.shape.len();
        let extent: Vec<usize> = (0..n)
            .map(|a| self.chunk[a].min(self.shape[a] - origin[a]))
            .collect();
        let row_bytes = extent[n - 1] * elem;
        let mut src_strides = vec![elem; n];
        let mut dst_strides = vec![elem; n];
        for a in (0..n - 1).rev() {
            src_strides[a] = src_strides[a + 1] * self.shape[a + 1];
            dst_strides[a] = dst_strides[a + 1] * self.chunk[a + 1];
        }
        let mut idx = vec![0usize; n - 1];
        loop {
            let s: usize = (0..n)
                .map(|a| (origin[a] + idx.get(a).copied().unwrap_or(0)) * src_strides[a])
                .sum();
            let d: usize = (0..n - 1).map(|a| idx[a] * dst_strides[a]).sum();
            row(s, d, row_bytes);
            let mut level = n - 1;
            loop {
                if level == 0 {
                    return;
                }
                level -= 1;
                idx[level] += 1;
                if idx[level] < extent[level] {
                    break;
                }
                idx[level] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arraydict::MemoryOrder;

    #[test]
    fn guess_chunk_matches_h5py() {
        // Values printed by h5py 3.16 `h5py._hl.filters.guess_chunk(shape, None, itemsize)`.
        assert_eq!(guess_chunk(&[157, 393, 34], 4), vec![20, 50, 9]);
        assert_eq!(guess_chunk(&[6468, 3], 4), vec![1617, 1]);
        assert_eq!(guess_chunk(&[12932, 3], 4), vec![3233, 1]);
        assert_eq!(guess_chunk(&[6], 4), vec![6]);
        assert_eq!(guess_chunk(&[3_000_000, 3], 4), vec![11719, 1]);
        assert_eq!(guess_chunk(&[256, 256, 256], 2), vec![32, 32, 32]);
    }

    #[test]
    fn fortran_3d_to_c_matches_reference() {
        let shape = vec![37usize, 5, 70];
        let total: usize = shape.iter().product();
        let data: Vec<i32> = (0..total as i32).collect();
        let f = NdArray::new(ArrayData::I32(data), shape.clone(), MemoryOrder::F).unwrap();
        let ours = c_order_data(&f).as_bytes().to_vec();
        let reference = f.clone().into_c_order();
        assert_eq!(ours, reference.data().as_bytes());
    }

    #[test]
    fn permuted_to_c_matches_reference() {
        let shape = vec![3usize, 40, 2, 33];
        let total: usize = shape.iter().product();
        let data: Vec<u16> = (0..total as u16).collect();
        let p = NdArray::new(
            ArrayData::U16(data),
            shape,
            MemoryOrder::Permuted(vec![2, 0, 3, 1]),
        )
        .unwrap();
        assert_eq!(
            c_order_data(&p).as_bytes().to_vec(),
            p.clone().into_c_order().data().as_bytes()
        );
    }

    #[test]
    fn row_chunked_grids_are_recognised() {
        assert!(ChunkGrid::new(&[10], &[3]).is_row_chunked());
        assert!(ChunkGrid::new(&[10, 3], &[4, 3]).is_row_chunked());
        assert!(!ChunkGrid::new(&[10, 3], &[4, 2]).is_row_chunked());
        // Row-chunked means chunk i is bytes i*chunk..(i+1)*chunk of the array.
        let src: Vec<u8> = (0..30).collect();
        let grid = ChunkGrid::new(&[10, 3], &[4, 3]);
        for i in 0..grid.len() {
            let o = grid.origin(i);
            let full = grid.gather(&src, 1, &o);
            let run = &src[i * 12..((i + 1) * 12).min(30)];
            assert_eq!(&full[..run.len()], run);
        }
    }

    #[test]
    fn gather_pads_edge_chunks() {
        // (3, 5) array of bytes 0..15, chunks (2, 2): chunk at (2, 4) holds only [14], rest zero.
        let src: Vec<u8> = (0..15).collect();
        let grid = ChunkGrid::new(&[3, 5], &[2, 2]);
        assert_eq!(grid.len(), 6);
        assert_eq!(grid.origin(5), vec![2, 4]);
        assert_eq!(grid.gather(&src, 1, &[2, 4]), vec![14, 0, 0, 0]);
        assert_eq!(grid.gather(&src, 1, &[0, 2]), vec![2, 3, 7, 8]);
        let mut back = vec![0u8; 15];
        for i in 0..grid.len() {
            let o = grid.origin(i);
            grid.scatter(&mut back, 1, &o, &grid.gather(&src, 1, &o));
        }
        assert_eq!(back, src);
    }
}
