use vtk_model::{with_array_data, ArrayData, DType};

use crate::error::ArrayDictError;

/// How an array's elements are laid out in memory.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MemoryOrder {
    /// Row-major: last axis fastest.
    #[default]
    C,
    /// Column-major: first axis fastest (VTK image buffers, x fastest).
    F,
    /// numpy's `'K'` order with an axis permutation, as in `numpy._core.numeric._frombuffer`: the
    /// buffer is C-ordered over the *physical* shape `[shape[p[0]], shape[p[1]], ...]` where `p` is
    /// the inverse of `axes`; the logical array is `physical.transpose(axes)`, so logical axis `i`
    /// is physical axis `axes[i]`.
    Permuted(Vec<usize>),
}

/// An n-d array: typed flat data, a logical shape and a memory order.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NdArray {
    data: ArrayData,
    shape: Vec<usize>,
    order: MemoryOrder,
}

impl NdArray {
    /// Builds an array; the product of `shape` must equal `data.len()`, a permutation must be valid.
    /// A permutation that is the identity or the reversal is normalised to `C` or `F`.
    pub fn new(
        data: ArrayData,
        shape: Vec<usize>,
        order: MemoryOrder,
    ) -> Result<Self, ArrayDictError> {
        let expected = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .unwrap_or(usize::MAX);
        if expected != data.len() {
            return Err(ArrayDictError::ShapeMismatch {
                shape,
                expected,
                found: data.len(),
            });
        }
        let order = match order {
            MemoryOrder::Permuted(axes) => {
                let n = shape.len();
                let mut seen = vec![false; n];
                let valid = axes.len() == n
                    && axes
                        .iter()
                        .all(|&a| a < n && !std::mem::replace(&mut seen[a], true));
                if !valid {
                    return Err(ArrayDictError::BadAxisOrder { axes, ndim: n });
                }
                if axes.iter().enumerate().all(|(i, &a)| a == i) {
                    MemoryOrder::C
                } else if axes.iter().enumerate().all(|(i, &a)| a == n - 1 - i) {
                    MemoryOrder::F
                } else {
                    MemoryOrder::Permuted(axes)
                }
            }
            o => o,
        };
        Ok(Self { data, shape, order })
    }

    /// A C-ordered array.
    pub fn c(data: impl Into<ArrayData>, shape: Vec<usize>) -> Result<Self, ArrayDictError> {
        Self::new(data.into(), shape, MemoryOrder::C)
    }

    /// A C-ordered 1-D array.
    pub fn vector(data: impl Into<ArrayData>) -> Self {
        let data = data.into();
        let n = data.len();
        Self {
            data,
            shape: vec![n],
            order: MemoryOrder::C,
        }
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }
    /// Logical shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }
    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Memory order of [`NdArray::data`].
    pub fn order(&self) -> &MemoryOrder {
        &self.order
    }
    /// The flat buffer in memory order.
    pub fn data(&self) -> &ArrayData {
        &self.data
    }
    /// Takes the flat buffer (in memory order).
    pub fn into_data(self) -> ArrayData {
        self.data
    }
    /// Splits into data, shape and order.
    pub fn into_parts(self) -> (ArrayData, Vec<usize>, MemoryOrder) {
        (self.data, self.shape, self.order)
    }

    /// Whether the memory order is row-major for this shape (true also for 0-1-D arrays and
    /// for any order when at most one axis is longer than 1).
    pub fn is_c_contiguous(&self) -> bool {
        self.order == MemoryOrder::C || self.shape.iter().filter(|&&d| d > 1).count() <= 1
    }

    /// Whether the memory order is column-major for this shape.
    pub fn is_f_contiguous(&self) -> bool {
        self.order == MemoryOrder::F || self.shape.iter().filter(|&&d| d > 1).count() <= 1
    }

    /// Logical axis `i` is physical axis `axes()[i]`; physical axes are C-ordered.
    pub fn axes(&self) -> Vec<usize> {
        let n = self.ndim();
        match &self.order {
            MemoryOrder::C => (0..n).collect(),
            MemoryOrder::F => (0..n).rev().collect(),
            MemoryOrder::Permuted(a) => a.clone(),
        }
    }

    /// The physical (C-ordered in memory) shape.
    pub fn physical_shape(&self) -> Vec<usize> {
        let axes = self.axes();
        let mut phys = vec![0; self.ndim()];
        for (logical, &p) in axes.iter().enumerate() {
            phys[p] = self.shape[logical];
        }
        phys
    }

    /// The same logical array in C order (moves the buffer when it already is).
    #[must_use]
    pub fn into_c_order(self) -> NdArray {
        self.into_order(MemoryOrder::C)
    }

    /// The same logical array in the requested order, copying only when the layout changes.
    #[must_use]
    pub fn into_order(self, order: MemoryOrder) -> NdArray {
        let target = NdArray {
            data: ArrayData::empty(self.dtype()),
            shape: self.shape.clone(),
            order,
        };
        let same = self.order == target.order
            || (self.is_c_contiguous() && target.is_c_contiguous() && self.ndim() <= 1)
            || self.shape.iter().filter(|&&d| d > 1).count() <= 1;
        if same {
            return NdArray {
                order: target.order,
                ..self
            };
        }
        let src_strides = logical_strides(&self.shape, &self.axes());
        let dst_strides = logical_strides(&target.shape, &target.axes());
        let data = with_array_data!(&self.data, v => {
            let mut out = <[_]>::to_vec(v);
            permute_copy(v, &mut out, &self.shape, &src_strides, &dst_strides);
            ArrayData::from(out)
        });
        NdArray { data, ..target }
    }

    /// The element at a logical multi-index, as `f64` (for tests and inspection).
    pub fn get_f64(&self, index: &[usize]) -> f64 {
        let strides = logical_strides(&self.shape, &self.axes());
        let off: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        self.data.get_f64(off)
    }
}

/// Element strides (in elements) of each logical axis for a buffer C-ordered over the physical axes.
fn logical_strides(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    let n = shape.len();
    let mut phys = vec![0; n];
    for (l, &p) in axes.iter().enumerate() {
        phys[p] = shape[l];
    }
    let mut phys_strides = vec![1usize; n];
    for p in (0..n.saturating_sub(1)).rev() {
        phys_strides[p] = phys_strides[p + 1] * phys[p + 1];
    }
    axes.iter().map(|&p| phys_strides[p]).collect()
}

/// Copies `src` to `dst` element by element in logical C order, reading with `src_strides` and
/// writing with `dst_strides`. The innermost loop runs over the axis that is contiguous in `dst`.
fn permute_copy<T: Copy>(
    src: &[T],
    dst: &mut [T],
    shape: &[usize],
    src_strides: &[usize],
    dst_strides: &[usize],
) {
    let n = shape.len();
    if src.is_empty() {
        return;
    }
    // Iterate with the destination's fastest axis innermost for sequential writes.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&a| std::cmp::Reverse(dst_strides[a]));
    let inner = *order.last().expect("ndim >= 2 here");
    let (inner_len, s_in, d_in) = (shape[inner], src_strides[inner], dst_strides[inner]);
    let outer = &order[..n - 1];
    let mut idx = vec![0usize; n];
    loop {
        let s0: usize = outer.iter().map(|&a| idx[a] * src_strides[a]).sum();
        let d0: usize = outer.iter().map(|&a| idx[a] * dst_strides[a]).sum();
        for k in 0..inner_len {
            dst[d0 + k * d_in] = src[s0 + k * s_in];
        }
        // advance the outer odometer, last outer axis fastest
        let mut level = outer.len();
        loop {
            if level == 0 {
                return;
            }
            level -= 1;
            let a = outer[level];
            idx[a] += 1;
            if idx[a] < shape[a] {
                break;
            }
            idx[a] = 0;
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn fortran_to_c() {
        // logical (2,3): a[i,j] = 10*i + j; F buffer is column-major
        let f = NdArray::new(
            ArrayData::I32(vec![0, 10, 1, 11, 2, 12]),
            vec![2, 3],
            MemoryOrder::F,
        )
        .unwrap();
        assert_eq!(f.get_f64(&[1, 2]), 12.0);
        let c = f.clone().into_c_order();
        assert_eq!(c.data(), &ArrayData::I32(vec![0, 1, 2, 10, 11, 12]));
        assert_eq!(c.into_order(MemoryOrder::F), f);
    }

    #[test]
    fn permuted_matches_numpy_frombuffer() {
        // numpy: np.arange(24).reshape(2,3,4).transpose(1,0,2) pickled with 'K', axes (1,0,2):
        // buffer C-ordered over physical (2,3,4); logical shape (3,2,4).
        let buf: Vec<i64> = (0..24).collect();
        let p = NdArray::new(
            ArrayData::I64(buf),
            vec![3, 2, 4],
            MemoryOrder::Permuted(vec![1, 0, 2]),
        )
        .unwrap();
        assert_eq!(p.physical_shape(), vec![2, 3, 4]);
        // logical [j,i,k] = physical [i,j,k] = 12 i + 4 j + k
        assert_eq!(p.get_f64(&[2, 1, 3]), f64::from(12 + 8 + 3));
        let c = p.into_c_order();
        assert_eq!(c.get_f64(&[2, 1, 3]), 23.0);
        if let ArrayData::I64(v) = c.data() {
            assert_eq!(&v[..8], &[0, 1, 2, 3, 12, 13, 14, 15]);
        }
    }

    #[test]
    fn normalises_trivial_permutations_and_checks() {
        let a = NdArray::new(
            ArrayData::U8(vec![0; 6]),
            vec![2, 3],
            MemoryOrder::Permuted(vec![1, 0]),
        )
        .unwrap();
        assert_eq!(a.order(), &MemoryOrder::F);
        assert!(NdArray::new(
            ArrayData::U8(vec![0; 6]),
            vec![2, 3],
            MemoryOrder::Permuted(vec![0, 0])
        )
        .is_err());
        assert!(NdArray::new(ArrayData::U8(vec![0; 5]), vec![2, 3], MemoryOrder::C).is_err());
    }
}
