//! A cell array's offsets and connectivity, kept in the form they arrived in.

use std::sync::OnceLock;

use crate::{DType, SharedArray};

/// Ids as a writer can take them: 32-bit as stored, 64-bit, or an arithmetic run never stored.
///
/// An ArrayDict keeps `CellPointIds` as `i4` `(nCells, P)` (SPEC), while VTK's model and files use
/// 64-bit connectivity and offsets. Making both 64-bit on the way from a tree to a `.vtp` cost
/// 32 MB of fresh memory for 1M triangles and passes over it before the writer copied it once
/// more; a writer given [`StoredIds::I32`] or [`StoredIds::Steps`] makes the 64-bit values piece
/// by piece as it writes instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredIds<'a> {
    /// 32-bit ids, each meaning the same `i64`.
    I32(&'a [i32]),
    /// 64-bit ids.
    I64(&'a [i64]),
    /// The `len` ids `start, start + step, start + 2 step, ...`: the offsets of cells that all
    /// have `step` points.
    Steps {
        /// The first id.
        start: i64,
        /// The difference between neighbours.
        step: i64,
        /// Number of ids.
        len: usize,
    },
}

impl StoredIds<'_> {
    /// Number of ids.
    pub fn len(&self) -> usize {
        match self {
            StoredIds::I32(v) => v.len(),
            StoredIds::I64(v) => v.len(),
            StoredIds::Steps { len, .. } => *len,
        }
    }
    /// True when there are no ids.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The ids from the `skip`-th on.
    #[must_use]
    pub fn skip(self, skip: usize) -> Self {
        match self {
            StoredIds::I32(v) => StoredIds::I32(v.get(skip..).unwrap_or_default()),
            StoredIds::I64(v) => StoredIds::I64(v.get(skip..).unwrap_or_default()),
            StoredIds::Steps { start, step, len } => StoredIds::Steps {
                start: start + step * skip.min(len) as i64,
                step,
                len: len.saturating_sub(skip),
            },
        }
    }
    /// Writes ids `at..at + out.len()` into `out` as `i64`.
    ///
    /// # Panics
    /// When that range is not inside the ids.
    pub fn widen_into(&self, at: usize, out: &mut [i64]) {
        match self {
            StoredIds::I32(v) => {
                let n = out.len();
                for (o, &i) in out.iter_mut().zip(&v[at..at + n]) {
                    *o = i64::from(i);
                }
            }
            StoredIds::I64(v) => out.copy_from_slice(&v[at..at + out.len()]),
            StoredIds::Steps { start, step, len } => {
                assert!(
                    at + out.len() <= *len,
                    "ids {at}..{} of {len}",
                    at + out.len()
                );
                // An added step per id (not a multiply, which baseline x86-64 lacks for 64-bit lanes).
                let mut next = start + step * at as i64;
                for o in out.iter_mut() {
                    *o = next;
                    next += step;
                }
            }
        }
    }
    /// All the ids as a new vector.
    pub fn to_vec(&self) -> Vec<i64> {
        let mut out = vec![0; self.len()];
        self.widen_into(0, &mut out);
        out
    }
}

/// Owned ids: 64-bit, 32-bit, or a run of steps; the last two get their 64-bit form made on first
/// request and kept (callers of [`CellArray::connectivity`](crate::CellArray::connectivity) get a
/// `&[i64]`).
#[derive(Clone, Debug)]
pub(crate) enum Ids {
    Wide(Vec<i64>),
    Narrow {
        ids: Narrow,
        wide: OnceLock<Vec<i64>>,
    },
    Steps {
        step: i64,
        len: usize,
        wide: OnceLock<Vec<i64>>,
    },
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Wide(Vec::new())
    }
}

impl From<Vec<i64>> for Ids {
    fn from(v: Vec<i64>) -> Self {
        Ids::Wide(v)
    }
}

impl From<Vec<i32>> for Ids {
    fn from(ids: Vec<i32>) -> Self {
        Ids::Narrow {
            ids: Narrow::Owned(ids),
            wide: OnceLock::new(),
        }
    }
}

/// 32-bit ids, owned or viewed in a shared buffer (an `i4` dataset of a mapped HDF5 file).
#[derive(Clone, Debug)]
pub(crate) enum Narrow {
    Owned(Vec<i32>),
    /// Always of dtype `I32` (checked where it is made); boxed to keep `Ids` as small as a `Vec`.
    Shared(Box<SharedArray>),
}

impl Narrow {
    pub(crate) fn as_slice(&self) -> &[i32] {
        match self {
            Narrow::Owned(v) => v,
            Narrow::Shared(s) => s.typed().unwrap_or_default(),
        }
    }
}

impl Ids {
    /// Shared 32-bit ids; `None` when `ids` are not `i4`.
    pub(crate) fn shared_i32(ids: SharedArray) -> Option<Self> {
        (ids.dtype() == DType::I32).then(|| Ids::Narrow {
            ids: Narrow::Shared(Box::new(ids)),
            wide: OnceLock::new(),
        })
    }
}

impl Ids {
    /// `0, step, 2 step, ...`, `len` ids.
    pub(crate) fn steps(step: i64, len: usize) -> Self {
        Ids::Steps {
            step,
            len,
            wide: OnceLock::new(),
        }
    }
    pub(crate) fn len(&self) -> usize {
        self.stored().len()
    }
    pub(crate) fn stored(&self) -> StoredIds<'_> {
        match self {
            Ids::Wide(v) => StoredIds::I64(v),
            Ids::Narrow { ids, .. } => StoredIds::I32(ids.as_slice()),
            Ids::Steps { step, len, .. } => StoredIds::Steps {
                start: 0,
                step: *step,
                len: *len,
            },
        }
    }
    /// The ids as `i64`, made (once) when not stored so.
    pub(crate) fn wide(&self) -> &[i64] {
        match self {
            Ids::Wide(v) => v,
            Ids::Narrow { wide, .. } | Ids::Steps { wide, .. } => {
                wide.get_or_init(|| self.stored().to_vec())
            }
        }
    }
    pub(crate) fn get(&self, i: usize) -> i64 {
        match self {
            Ids::Wide(v) => v[i],
            Ids::Narrow { ids, .. } => i64::from(ids.as_slice()[i]),
            Ids::Steps { step, len, .. } => {
                assert!(i < *len, "id {i} of {len}");
                step * i as i64
            }
        }
    }
    pub(crate) fn into_wide(self) -> Vec<i64> {
        let made = match &self {
            Ids::Narrow { wide, .. } | Ids::Steps { wide, .. } if wide.get().is_none() => {
                Some(self.stored().to_vec())
            }
            _ => None,
        };
        match self {
            Ids::Wide(v) => v,
            Ids::Narrow { wide, .. } | Ids::Steps { wide, .. } => {
                wide.into_inner().or(made).unwrap_or_default()
            }
        }
    }
    /// The 64-bit vector, for appending: other forms become 64-bit for good.
    pub(crate) fn wide_mut(&mut self) -> &mut Vec<i64> {
        if !matches!(self, Ids::Wide(_)) {
            *self = Ids::Wide(std::mem::take(self).into_wide());
        }
        match self {
            Ids::Wide(v) => v,
            Ids::Narrow { .. } | Ids::Steps { .. } => unreachable!("ids were just made 64-bit"),
        }
    }
}

/// Equal when the ids are, whatever their forms.
impl PartialEq for Ids {
    fn eq(&self, other: &Self) -> bool {
        match (self.stored(), other.stored()) {
            (StoredIds::I32(a), StoredIds::I32(b)) => a == b,
            (StoredIds::I64(a), StoredIds::I64(b)) => a == b,
            _ => self.len() == other.len() && (0..self.len()).all(|i| self.get(i) == other.get(i)),
        }
    }
}

impl Eq for Ids {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_skips_and_widens_alike() {
        let wide: Vec<i64> = (0..10).map(|i| i * 4).collect();
        let narrow: Vec<i32> = (0..10).map(|i| i * 4).collect();
        let forms = [
            StoredIds::I64(&wide),
            StoredIds::I32(&narrow),
            StoredIds::Steps {
                start: 0,
                step: 4,
                len: 10,
            },
        ];
        for ids in forms {
            assert_eq!(ids.to_vec(), wide);
            assert_eq!(ids.skip(3).to_vec(), &wide[3..]);
            assert!(ids.skip(10).is_empty() && ids.skip(11).is_empty());
            let mut out = [0i64; 4];
            ids.widen_into(5, &mut out);
            assert_eq!(out, wide[5..9]);
        }
    }

    #[test]
    fn owned_forms_compare_by_value_and_become_64_bit() {
        let wide = Ids::from((0..6).map(|i| i * 2).collect::<Vec<i64>>());
        let narrow = Ids::from((0..6).map(|i| i * 2).collect::<Vec<i32>>());
        let steps = Ids::steps(2, 6);
        for a in [&wide, &narrow, &steps] {
            for b in [&wide, &narrow, &steps] {
                assert_eq!(a, b);
            }
            assert_eq!(a.wide(), wide.wide());
            assert_eq!(a.get(5), 10);
            assert_eq!(a.clone().into_wide(), wide.clone().into_wide());
            let mut grown = a.clone();
            grown.wide_mut().push(12);
            assert!(matches!(grown, Ids::Wide(_)));
            assert_ne!(&grown, a);
        }
        assert_ne!(Ids::steps(2, 6), Ids::steps(3, 6));
        assert_ne!(Ids::steps(2, 6), Ids::steps(2, 5));
    }
}
