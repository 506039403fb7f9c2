use rayon::prelude::*;

use crate::ids::{Ids, Narrow, StoredIds};
use crate::ModelError;
use crate::SharedArray;

/// Cells in VTK 9's layout: `offsets` (`n_cells + 1` entries, starting at 0, non-decreasing) into a
/// count-free `connectivity` of point ids.
///
/// Ids built from 32-bit data ([`CellArray::uniform_i32`]) stay 32-bit, and the offsets of cells
/// of one size ([`CellArray::uniform`]) are not stored, until something asks for them as `i64`;
/// [`CellArray::stored_connectivity`] and [`CellArray::stored_offsets`] give them as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(into = "WideCells", from = "WideCells"))]
pub struct CellArray {
    offsets: Ids,
    connectivity: Ids,
}

/// The serde form of a [`CellArray`]: both vectors 64-bit, whatever the width in memory.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct WideCells {
    offsets: Vec<i64>,
    connectivity: Vec<i64>,
}

#[cfg(feature = "serde")]
impl From<CellArray> for WideCells {
    fn from(c: CellArray) -> Self {
        let (offsets, connectivity) = c.into_parts();
        Self {
            offsets,
            connectivity,
        }
    }
}

#[cfg(feature = "serde")]
impl From<WideCells> for CellArray {
    fn from(w: WideCells) -> Self {
        Self {
            offsets: w.offsets.into(),
            connectivity: w.connectivity.into(),
        }
    }
}

impl Default for CellArray {
    fn default() -> Self {
        Self::empty()
    }
}

impl CellArray {
    /// No cells.
    pub fn empty() -> Self {
        Self {
            offsets: vec![0i64].into(),
            connectivity: Ids::default(),
        }
    }

    /// `n_cells` cells of `cell_size` points each (an ArrayDict's `(nCells, P)` `CellPointIds`).
    /// The offsets are not stored: they are `0, P, 2P, ...`.
    pub fn uniform(
        n_cells: usize,
        cell_size: usize,
        connectivity: Vec<i64>,
    ) -> Result<Self, ModelError> {
        Self::uniform_of(n_cells, cell_size, connectivity.into())
    }

    /// [`CellArray::uniform`] from 32-bit ids (SPEC's `i4`), kept 32-bit.
    pub fn uniform_i32(
        n_cells: usize,
        cell_size: usize,
        connectivity: Vec<i32>,
    ) -> Result<Self, ModelError> {
        Self::uniform_of(n_cells, cell_size, connectivity.into())
    }

    /// [`CellArray::uniform_i32`] from 32-bit ids viewed in a shared buffer, kept there.
    pub fn uniform_shared_i32(
        n_cells: usize,
        cell_size: usize,
        connectivity: SharedArray,
    ) -> Result<Self, ModelError> {
        let dtype = connectivity.dtype();
        let ids = Ids::shared_i32(connectivity).ok_or_else(|| ModelError::BadOffsets {
            what: "cells".into(),
            detail: format!("32-bit ids expected, found {}", dtype.vtk_name()),
        })?;
        Self::uniform_of(n_cells, cell_size, ids)
    }

    fn uniform_of(n_cells: usize, cell_size: usize, connectivity: Ids) -> Result<Self, ModelError> {
        let len = connectivity.len();
        let steps = n_cells
            .checked_mul(cell_size)
            .filter(|&l| l == len)
            .and_then(|_| i64::try_from(cell_size).ok());
        let Some(step) = steps else {
            return Err(ModelError::BadOffsets {
                what: "cells".into(),
                detail: format!("{len} ids do not make {n_cells} cells of {cell_size} points"),
            });
        };
        Ok(Self {
            offsets: Ids::steps(step, n_cells + 1),
            connectivity,
        })
    }

    /// Builds from VTK 9 offsets and connectivity. An empty `offsets` means no cells.
    ///
    /// VTK XML files store offsets without the leading 0 (`n_cells` entries, each the end of a cell);
    /// use [`CellArray::from_end_offsets`] for those.
    pub fn new(offsets: Vec<i64>, connectivity: Vec<i64>) -> Result<Self, ModelError> {
        Self::with_ids(offsets, connectivity.into())
    }

    fn with_ids(mut offsets: Vec<i64>, connectivity: Ids) -> Result<Self, ModelError> {
        if offsets.is_empty() {
            offsets.push(0);
        }
        let bad = |detail: String| ModelError::BadOffsets {
            what: "cells".into(),
            detail,
        };
        if offsets[0] != 0 {
            return Err(bad(format!("first offset is {}, expected 0", offsets[0])));
        }
        // A branchless fold per chunk vectorises (an early-exit loop does not); only a failing
        // chunk is searched for the position. Chunks overlap by one so no pair is skipped.
        let decreasing = |c: &[i64]| {
            c.windows(2)
                .fold(0u32, |acc, w| acc | u32::from(w[1] < w[0]))
                != 0
        };
        let mut start = 0;
        while start + 1 < offsets.len() {
            let end = (start + 4096).min(offsets.len() - 1);
            let chunk = &offsets[start..=end];
            if decreasing(chunk) {
                if let Some(j) = chunk.windows(2).position(|w| w[1] < w[0]) {
                    let i = start + j;
                    return Err(bad(format!(
                        "offset {} ({}) is smaller than offset {} ({})",
                        i + 1,
                        offsets[i + 1],
                        i,
                        offsets[i]
                    )));
                }
            }
            start = end;
        }
        let last = *offsets.last().unwrap_or(&0);
        if usize::try_from(last).ok() != Some(connectivity.len()) {
            return Err(bad(format!(
                "last offset is {last}, but connectivity has {} ids",
                connectivity.len()
            )));
        }
        Ok(Self {
            offsets: offsets.into(),
            connectivity,
        })
    }

    /// Builds from end offsets (VTK XML's `offsets` array: one entry per cell, the end of that cell).
    /// Cells all of one size keep no offsets (see [`CellArray::uniform`]).
    pub fn from_end_offsets(
        end_offsets: &[i64],
        connectivity: Vec<i64>,
    ) -> Result<Self, ModelError> {
        let connectivity = Ids::from(connectivity);
        if let Some(step) = uniform_step(end_offsets, connectivity.len()) {
            return Self::uniform_of(end_offsets.len(), step, connectivity);
        }
        let mut offsets = Vec::with_capacity(end_offsets.len() + 1);
        offsets.push(0);
        offsets.extend_from_slice(end_offsets);
        Self::with_ids(offsets, connectivity)
    }

    /// [`CellArray::from_end_offsets`] taking the end offsets by value: when cells differ in size
    /// the leading 0 goes into the same buffer (an exact reserve lets a large block grow in place).
    pub fn from_end_offsets_vec(
        end_offsets: Vec<i64>,
        connectivity: Vec<i64>,
    ) -> Result<Self, ModelError> {
        Self::from_end_offsets_ids(end_offsets, connectivity.into())
    }

    /// [`CellArray::from_end_offsets_vec`] with 32-bit connectivity, kept 32-bit (a reader that
    /// found every id of a 64-bit array to fit).
    pub fn from_end_offsets_vec_i32(
        end_offsets: Vec<i64>,
        connectivity: Vec<i32>,
    ) -> Result<Self, ModelError> {
        Self::from_end_offsets_ids(end_offsets, connectivity.into())
    }

    fn from_end_offsets_ids(
        mut end_offsets: Vec<i64>,
        connectivity: Ids,
    ) -> Result<Self, ModelError> {
        if let Some(step) = uniform_step(&end_offsets, connectivity.len()) {
            return Self::uniform_of(end_offsets.len(), step, connectivity);
        }
        end_offsets.reserve_exact(1);
        end_offsets.insert(0, 0);
        Self::with_ids(end_offsets, connectivity)
    }

    /// Builds from a legacy stream `[n0, ids0..., n1, ids1...]`.
    pub fn from_legacy(stream: &[i64]) -> Result<Self, ModelError> {
        Self::from_legacy_vec(stream.to_vec())
    }

    /// Builds from an owned legacy stream `[n0, ids0..., n1, ids1...]`, compacting it in place into
    /// the count-free connectivity: a mesh's stream is its largest array, and converting it through
    /// a second buffer doubled the peak memory of a tree -> mesh conversion.
    pub fn from_legacy_vec(stream: Vec<i64>) -> Result<Self, ModelError> {
        Self::compact_legacy(stream)
    }

    /// [`CellArray::from_legacy_vec`] for a 32-bit stream (an ArrayDict surface's `i4` cell
    /// stream), whose connectivity stays 32-bit in the same buffer.
    pub fn from_legacy_vec_i32(stream: Vec<i32>) -> Result<Self, ModelError> {
        Self::compact_legacy(stream)
    }

    fn compact_legacy<T: Copy + Into<i64>>(mut stream: Vec<T>) -> Result<Self, ModelError>
    where
        Ids: From<Vec<T>>,
    {
        let mut offsets = vec![0i64];
        let (mut read, mut write) = (0usize, 0usize);
        let len = stream.len();
        while read < len {
            let n: i64 = stream[read].into();
            let bad = |detail: String| ModelError::BadLegacyCells {
                what: "cells".into(),
                position: read,
                detail,
            };
            let n = usize::try_from(n).map_err(|_| bad(format!("negative point count {n}")))?;
            let end = read
                .checked_add(1 + n)
                .filter(|&e| e <= len)
                .ok_or_else(|| {
                    bad(format!(
                        "cell of {n} points runs past the end ({len} values)"
                    ))
                })?;
            // The write cursor trails the read cursor by the counts seen so far, so this never
            // overwrites an id not yet moved.
            stream.copy_within(read + 1..end, write);
            write += n;
            offsets.push(write as i64);
            read = end;
        }
        stream.truncate(write);
        Ok(Self {
            offsets: offsets.into(),
            connectivity: stream.into(),
        })
    }

    /// Builds from one slice of point ids per cell.
    pub fn from_cells<'a, I: IntoIterator<Item = &'a [i64]>>(cells: I) -> Self {
        let mut out = Self::empty();
        for c in cells {
            out.push_cell(c);
        }
        out
    }

    /// Appends one cell.
    pub fn push_cell(&mut self, ids: &[i64]) {
        let connectivity = self.connectivity.wide_mut();
        connectivity.extend_from_slice(ids);
        let end = connectivity.len() as i64;
        self.offsets.wide_mut().push(end);
    }

    /// Number of cells.
    pub fn num_cells(&self) -> usize {
        self.offsets.len() - 1
    }
    /// True when there are no cells.
    pub fn is_empty(&self) -> bool {
        self.num_cells() == 0
    }
    /// Offsets (`n_cells + 1` entries, starting at 0).
    pub fn offsets(&self) -> &[i64] {
        self.offsets.wide()
    }
    /// Count-free connectivity.
    pub fn connectivity(&self) -> &[i64] {
        self.connectivity.wide()
    }
    /// Offsets at the width they are stored in: for writers that can widen as they write.
    pub fn stored_offsets(&self) -> StoredIds<'_> {
        self.offsets.stored()
    }
    /// Connectivity at the width it is stored in: for writers that can widen as they write.
    pub fn stored_connectivity(&self) -> StoredIds<'_> {
        self.connectivity.stored()
    }
    /// Point ids of cell `i`.
    pub fn cell(&self, i: usize) -> &[i64] {
        let o = self.offsets();
        &self.connectivity()[o[i] as usize..o[i + 1] as usize]
    }
    /// Number of points of cell `i`.
    pub fn cell_size(&self, i: usize) -> usize {
        (self.offsets.get(i + 1) - self.offsets.get(i)) as usize
    }
    /// Iterates cells as id slices.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[i64]> + '_ {
        (0..self.num_cells()).map(move |i| self.cell(i))
    }
    /// The common size of all cells, `None` when sizes differ or there are no cells.
    pub fn uniform_size(&self) -> Option<usize> {
        if let StoredIds::Steps { len, .. } = self.offsets.stored() {
            return (len >= 2).then(|| self.cell_size(0));
        }
        let offsets = self.offsets();
        let n = *offsets.get(1)?;
        steps_by(offsets, n).then_some(n as usize)
    }
    /// Legacy stream `[n0, ids0..., n1, ids1...]`.
    /// See [`into_legacy`](Self::into_legacy) for the copy-free version.
    pub fn to_legacy(&self) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.connectivity.len() + self.num_cells());
        for c in self.iter() {
            out.push(c.len() as i64);
            out.extend_from_slice(c);
        }
        out
    }
    /// The legacy stream `[n0, ids0..., n1, ids1...]` and the offsets (`n_cells + 1` entries), built
    /// in the connectivity's own buffer: it grows by one slot per cell (a `realloc`, which for large
    /// blocks remaps instead of copying) and the ids move back to make room for the counts, so no
    /// second stream-sized buffer exists at any time.
    pub fn into_legacy(self) -> (Vec<i64>, Vec<i64>) {
        let (offsets, mut stream) = self.into_parts();
        let n_cells = offsets.len() - 1;
        let ids = stream.len();
        // Exactly: `resize` alone would double the capacity.
        stream.reserve_exact(n_cells);
        stream.resize(ids + n_cells, 0);
        // Cell i (from the last) ends at its end offset plus the i + 1 counts before it; moving
        // cells from the back never overwrites ids not yet moved.
        for i in (0..n_cells).rev() {
            let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
            let dest = start + i + 1;
            stream.copy_within(start..end, dest);
            stream[dest - 1] = (end - start) as i64;
        }
        (stream, offsets)
    }
    /// The connectivity when it is stored 32-bit (moved out, not copied); else the cells back.
    pub fn into_connectivity_i32(self) -> Result<Vec<i32>, Self> {
        match self.connectivity {
            Ids::Narrow {
                ids: Narrow::Owned(ids),
                ..
            } => Ok(ids),
            Ids::Narrow { ids: shared, .. } => Ok(shared.as_slice().to_vec()),
            connectivity => Err(Self {
                offsets: self.offsets,
                connectivity,
            }),
        }
    }
    /// Splits into offsets and connectivity.
    pub fn into_parts(self) -> (Vec<i64>, Vec<i64>) {
        (self.offsets.into_wide(), self.connectivity.into_wide())
    }
    /// Appends all cells of `other`.
    pub fn extend(&mut self, other: &CellArray) {
        let connectivity = self.connectivity.wide_mut();
        let base = connectivity.len() as i64;
        connectivity.extend_from_slice(other.connectivity());
        self.offsets
            .wide_mut()
            .extend(other.offsets()[1..].iter().map(|o| o + base));
    }
    /// Checks every id is in `0..n_points`; `what` names the cell array in the error.
    pub fn check_ids(&self, what: &str, n_points: usize) -> Result<(), ModelError> {
        let n = i64::try_from(n_points).unwrap_or(i64::MAX);
        let bad = match self.connectivity.stored() {
            // Compared in 32 bits, 4 ids per SSE2 compare: with n up to 2^31, a negative id is at
            // least 2^31 as u32, so one unsigned compare tests both ends.
            StoredIds::I32(ids) => match u32::try_from(n_points).ok().filter(|&n| n <= 1 << 31) {
                Some(n32) => first_position(ids, |&id| id as u32 >= n32),
                None => first_position(ids, |&id| id < 0),
            },
            StoredIds::I64(ids) => first_position(ids, |&id| id_out_of_range(id, n) != 0),
            StoredIds::Steps { len, .. } => {
                (0..len).position(|i| id_out_of_range(self.connectivity.get(i), n) != 0)
            }
        };
        if let Some(pos) = bad {
            let cell = self.offsets().partition_point(|&o| o <= pos as i64) - 1;
            return Err(ModelError::PointIdOutOfRange {
                what: what.into(),
                cell,
                id: self.connectivity.get(pos),
                n_points,
            });
        }
        Ok(())
    }
}

/// True when every element of `v` is `step` more than the one before it. The OR of every
/// difference XOR the step is zero exactly then: a fold of subtractions, XORs and ORs vectorises on
/// baseline x86-64, an early-exit `all` does not.
fn steps_by(v: &[i64], step: i64) -> bool {
    v.windows(2)
        .fold(0i64, |acc, w| acc | (w[1].wrapping_sub(w[0]) ^ step))
        == 0
}

/// `P` when `ends` are `P, 2P, ..., len` (P > 0) for `len` ids: cells all of size P.
fn uniform_step(ends: &[i64], len: usize) -> Option<usize> {
    let step = *ends.first()?;
    let p = usize::try_from(step)
        .ok()
        .filter(|&p| p > 0 && steps_by(ends, step))?;
    (p.checked_mul(ends.len()) == Some(len)).then_some(p)
}

/// The index of the first element of `v` for which `bad` holds, found by a scan that vectorises:
/// a branchless fold per chunk of 4096 (`position` stops early and does not), then `position`
/// inside the failing chunk only. The fold ORs flags widened to `u32`: LLVM vectorises that, not
/// an OR of `bool`s.
///
/// From [`PARALLEL_SCAN_FROM`] elements on, the chunks are scanned on all cores: an HDF5 -> raw
/// `.vtp` run checks its 3M ids twice (the tree's schema, then the model), which took 23.7 ms a
/// run with one core scanning and 22.7 ms with two.
pub(crate) fn first_position<T: Sync>(
    v: &[T],
    bad: impl Fn(&T) -> bool + Copy + Sync,
) -> Option<usize> {
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
pub(crate) const PARALLEL_SCAN_FROM: usize = 1 << 20;

/// 1 when `id` is not in `0..n` (`n >= 0`), else 0, in the 64-bit add, and-not and shift that
/// baseline x86-64 (SSE2) vectorises; it has no 64-bit compare. `id - n` is negative exactly when
/// `id < n`, and `!id` is negative exactly when `id >= 0`.
#[inline]
pub(crate) fn id_out_of_range(id: i64, n: i64) -> u64 {
    ((id.wrapping_sub(n) & !id) as u64 >> 63) ^ 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_range_test_matches_the_plain_comparison() {
        let ids = [
            i64::MIN,
            i64::MIN + 1,
            -2,
            -1,
            0,
            1,
            2,
            6,
            7,
            8,
            i64::MAX - 1,
            i64::MAX,
        ];
        for n in [0i64, 1, 7, 1 << 40, i64::MAX - 1, i64::MAX] {
            for &id in &ids {
                assert_eq!(
                    id_out_of_range(id, n) == 1,
                    !(0..n).contains(&id),
                    "id {id}, n {n}"
                );
            }
        }
    }

    #[test]
    fn the_parallel_scan_finds_the_first_bad_element() {
        let n = PARALLEL_SCAN_FROM + 12_345;
        let mut v = vec![0u32; n];
        assert_eq!(first_position(&v, |&x| x != 0), None);
        // At both ends, at chunk edges, and in the half a second core would take.
        for at in [
            0,
            1,
            4095,
            4096,
            n / 2 - 1,
            n / 2,
            n / 2 + 4096,
            n - 4097,
            n - 1,
        ] {
            v[at] = 1;
            assert_eq!(
                first_position(&v, |&x| x != 0),
                Some(at),
                "one bad element at {at}"
            );
            // A later bad element is not reported instead of the earlier one.
            v[n - 1] = 1;
            assert_eq!(
                first_position(&v, |&x| x != 0),
                Some(at),
                "bad at {at} and at the end"
            );
            v[at] = 0;
            v[n - 1] = 0;
        }
        // Just below the threshold the serial scan answers the same.
        let short = &v[..PARALLEL_SCAN_FROM - 1];
        assert_eq!(first_position(short, |&x| x != 0), None);
    }

    #[test]
    fn legacy_round_trip() {
        let c = CellArray::from_legacy(&[3, 0, 1, 2, 4, 0, 1, 2, 3]).unwrap();
        assert_eq!(c.offsets(), &[0, 3, 7]);
        assert_eq!(c.cell(1), &[0, 1, 2, 3]);
        assert_eq!(c.to_legacy(), vec![3, 0, 1, 2, 4, 0, 1, 2, 3]);
        assert_eq!(c.uniform_size(), None);
    }

    #[test]
    fn legacy_truncated_is_an_error() {
        assert!(matches!(
            CellArray::from_legacy(&[3, 0, 1]),
            Err(ModelError::BadLegacyCells { position: 0, .. })
        ));
        assert!(CellArray::from_legacy(&[-1]).is_err());
        let e = CellArray::from_legacy_vec_i32(vec![2, 0, 1, 3, 0, 1]).unwrap_err();
        assert!(
            matches!(e, ModelError::BadLegacyCells { position: 3, .. }),
            "{e}"
        );
        let e = CellArray::from_legacy_vec_i32(vec![1, 0, -2, 1]).unwrap_err();
        assert!(
            matches!(e, ModelError::BadLegacyCells { position: 2, .. }),
            "{e}"
        );
    }

    proptest::proptest! {
        #[test]
        fn legacy_streams_convert_in_place_both_ways(
            cells in proptest::collection::vec(proptest::collection::vec(0i64..1000, 0..9), 0..40)
        ) {
            let c = CellArray::from_cells(cells.iter().map(Vec::as_slice));
            let legacy = c.to_legacy();
            let (in_place, offsets) = c.clone().into_legacy();
            proptest::prop_assert_eq!(&in_place, &legacy);
            proptest::prop_assert_eq!(offsets.as_slice(), c.offsets());
            let narrow: Vec<i32> = legacy.iter().map(|&i| i32::try_from(i).unwrap()).collect();
            let back = CellArray::from_legacy_vec(legacy).unwrap();
            proptest::prop_assert_eq!(&back, &c);
            let back = CellArray::from_legacy_vec_i32(narrow).unwrap();
            proptest::prop_assert!(matches!(back.stored_connectivity(), StoredIds::I32(_)), "stays 32-bit");
            proptest::prop_assert_eq!(back, c);
        }
    }

    #[test]
    fn a_decrease_anywhere_in_long_offsets_is_found_and_placed() {
        // Around the 4096-offset chunks the check folds over, whose windows overlap by one.
        for at in [1usize, 2, 4095, 4096, 4097, 8191, 8192, 9999] {
            let mut offsets: Vec<i64> = (0..=10_000).collect();
            offsets[at] = offsets[at - 1] - 1;
            let connectivity = vec![0; 10_000];
            let err = CellArray::new(offsets.clone(), connectivity)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("offset {at} (")),
                "decrease at {at}: {err}"
            );
        }
        let ok: Vec<i64> = (0..=10_000).collect();
        assert!(CellArray::new(ok, vec![0; 10_000]).is_ok());
    }

    #[test]
    fn an_id_out_of_range_anywhere_is_found_and_placed() {
        for at in [0usize, 4095, 4096, 9999] {
            for bad in [-1i64, 10, i64::MIN, i64::MAX] {
                let mut ids = vec![3i64; 10_000];
                ids[at] = bad;
                let c = CellArray::from_cells(ids.chunks(2));
                assert_eq!(
                    c.check_ids("polys", 10),
                    Err(ModelError::PointIdOutOfRange {
                        what: "polys".into(),
                        cell: at / 2,
                        id: bad,
                        n_points: 10
                    })
                );
            }
        }
    }

    #[test]
    fn uniform_size_sees_any_odd_cell() {
        let tris: Vec<[i64; 3]> = (0..5000).map(|i| [i, i + 1, i + 2]).collect();
        let c = CellArray::from_cells(tris.iter().map(|t| &t[..]));
        assert_eq!(c.uniform_size(), Some(3));
        for at in [0usize, 1, 4095, 4999] {
            let mut cells: Vec<Vec<i64>> = tris.iter().map(|t| t.to_vec()).collect();
            cells[at].push(9);
            // A 4-cell next to a 2-cell: sizes that differ in opposite directions still show.
            let other = if at == 0 { 1 } else { at - 1 };
            cells[other].pop();
            let c = CellArray::from_cells(cells.iter().map(Vec::as_slice));
            assert_eq!(c.uniform_size(), None, "odd cells at {at} and {other}");
        }
        assert_eq!(CellArray::empty().uniform_size(), None);
    }

    #[test]
    fn uniform_cells_answer_like_cells_built_from_offsets() {
        let ids: Vec<i64> = (0..30).map(|i| (i * 7) % 12).collect();
        let general = CellArray::new((0..=10).map(|i| i * 3).collect(), ids.clone()).unwrap();
        let narrow =
            CellArray::uniform_i32(10, 3, ids.iter().map(|&i| i as i32).collect()).unwrap();
        let wide = CellArray::uniform(10, 3, ids.clone()).unwrap();
        assert!(matches!(narrow.stored_connectivity(), StoredIds::I32(_)));
        assert_eq!(
            narrow.stored_offsets(),
            StoredIds::Steps {
                start: 0,
                step: 3,
                len: 11
            }
        );
        assert_eq!(wide.stored_connectivity(), StoredIds::I64(&ids));
        for c in [&narrow, &wide] {
            assert_eq!(c, &general);
            assert_eq!(c.num_cells(), 10);
            assert_eq!(c.uniform_size(), Some(3));
            assert_eq!(c.cell_size(9), 3);
            assert_eq!(c.cell(4), general.cell(4));
            assert_eq!(c.offsets(), general.offsets());
            assert_eq!(c.connectivity(), general.connectivity());
            assert_eq!(c.to_legacy(), general.to_legacy());
            assert_eq!(c.clone().into_legacy(), general.clone().into_legacy());
            assert_eq!(c.clone().into_parts(), general.clone().into_parts());
            assert!(c.check_ids("polys", 12).is_ok());
            assert_eq!(c.check_ids("polys", 11), general.check_ids("polys", 11));
            // Appending makes the ids 64-bit for good and keeps every cell.
            let mut grown = c.clone();
            grown.push_cell(&[5, 6]);
            grown.extend(&general);
            assert_eq!(grown.num_cells(), 21);
            assert_eq!(grown.cell(10), &[5, 6]);
            assert_eq!(grown.cell(20), general.cell(9));
            assert_eq!(grown.uniform_size(), None);
        }
    }

    #[test]
    fn end_offsets_of_one_cell_size_keep_no_offsets() {
        let conn: Vec<i64> = (0..12).collect();
        for build in [
            |e: &[i64], c: Vec<i64>| CellArray::from_end_offsets(e, c),
            |e: &[i64], c: Vec<i64>| CellArray::from_end_offsets_vec(e.to_vec(), c),
        ] {
            let tris = build(&[3, 6, 9, 12], conn.clone()).unwrap();
            assert_eq!(
                tris.stored_offsets(),
                StoredIds::Steps {
                    start: 0,
                    step: 3,
                    len: 5
                }
            );
            assert_eq!(tris.offsets(), &[0, 3, 6, 9, 12]);
            // Mixed sizes, a first cell of 0 points, and ends past the ids keep the general form.
            let mixed = build(&[3, 7, 9, 12], conn.clone()).unwrap();
            assert_eq!(mixed.stored_offsets(), StoredIds::I64(&[0, 3, 7, 9, 12]));
            let empty_first = build(&[0, 6, 12], conn.clone()).unwrap();
            assert_eq!(empty_first.offsets(), &[0, 0, 6, 12]);
            assert!(build(&[3, 6, 9], conn.clone()).is_err());
            assert!(build(&[4, 8, 12, 16], conn.clone()).is_err());
            assert!(build(&[], Vec::new()).unwrap().is_empty());
        }
    }

    #[test]
    fn uniform_cells_check_their_counts_and_32_bit_ids() {
        assert!(CellArray::uniform_i32(3, 2, vec![0; 5]).is_err());
        assert!(CellArray::uniform(usize::MAX, 2, vec![]).is_err());
        assert!(CellArray::uniform(0, 3, vec![]).unwrap().is_empty());
        // Cells of no points, as `(n, 0)` arrays describe.
        let empty_cells = CellArray::uniform(2, 0, vec![]).unwrap();
        assert_eq!(empty_cells.num_cells(), 2);
        assert_eq!(empty_cells.offsets(), &[0, 0, 0]);
        let c = CellArray::uniform_i32(2, 3, vec![0, 1, 2, 3, -1, 4]).unwrap();
        let err = ModelError::PointIdOutOfRange {
            what: "polys".into(),
            cell: 1,
            id: -1,
            n_points: 5,
        };
        assert_eq!(c.check_ids("polys", 5), Err(err));
        // Past 2^31 points only the sign can be wrong.
        let err = ModelError::PointIdOutOfRange {
            what: "polys".into(),
            cell: 1,
            id: -1,
            n_points: 3 << 30,
        };
        assert_eq!(c.check_ids("polys", 3 << 30), Err(err));
        let c = CellArray::uniform_i32(1, 3, vec![0, i32::MAX, 2]).unwrap();
        assert!(c.check_ids("polys", 3 << 30).is_ok());
        assert!(c.check_ids("polys", 1 << 31).is_ok());
        assert!(c.check_ids("polys", (1 << 31) - 1).is_err());
    }

    #[test]
    fn offsets_checked() {
        assert!(CellArray::new(vec![0, 3, 2], vec![0, 1, 2]).is_err());
        assert!(CellArray::new(vec![1, 3], vec![0, 1, 2]).is_err());
        assert!(CellArray::new(vec![0, 4], vec![0, 1, 2]).is_err());
        assert!(CellArray::new(vec![], vec![]).unwrap().is_empty());
    }

    #[test]
    fn ids_checked() {
        let c = CellArray::from_legacy(&[2, 0, 1, 2, 1, 5]).unwrap();
        assert!(c.check_ids("lines", 6).is_ok());
        assert_eq!(
            c.check_ids("lines", 5),
            Err(ModelError::PointIdOutOfRange {
                what: "lines".into(),
                cell: 1,
                id: 5,
                n_points: 5
            })
        );
    }
}
