//! Array data that lives in someone else's buffer: a file mapped into memory, most often.

use std::fmt;
use std::sync::Arc;

use crate::DType;

/// The bytes a [`SharedArray`] views: any buffer that can be shared between threads, such as a
/// read-only file mapping.
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Elements of one dtype viewed in place inside a shared buffer, without a copy.
///
/// An uncompressed HDF5 dataset's bytes in the file *are* its little-endian array, so a reader
/// can map the file and hand out views of it: nothing is copied into fresh memory (which the
/// kernel must first clear) and the writer of the next format copies straight from the page
/// cache. Arrays that must change are copied into owned ones first
/// ([`ArrayData::make_owned`](crate::ArrayData::make_owned)).
#[derive(Clone)]
pub struct SharedArray {
    dtype: DType,
    bytes: SharedBytes,
    start: usize,
    len: usize,
}

impl SharedArray {
    /// `len` elements of `dtype` at byte `start` of `bytes`. `None` when they do not lie inside
    /// the buffer, when the host is big-endian (the data is read as little-endian), or when they
    /// are not aligned for `dtype` in memory (a typed view needs that).
    pub fn new(dtype: DType, bytes: SharedBytes, start: usize, len: usize) -> Option<Self> {
        let end = len.checked_mul(dtype.size())?.checked_add(start)?;
        let buf: &[u8] = (*bytes).as_ref();
        let all = buf.get(start..end)?;
        let aligned = (all.as_ptr() as usize).is_multiple_of(dtype.size());
        (aligned && cfg!(target_endian = "little")).then_some(Self {
            dtype,
            bytes,
            start,
            len,
        })
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The elements' bytes.
    pub fn as_bytes(&self) -> &[u8] {
        let buf: &[u8] = (*self.bytes).as_ref();
        &buf[self.start..self.start + self.len * self.dtype.size()]
    }
}

impl fmt::Debug for SharedArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedArray")
            .field("dtype", &self.dtype)
            .field("start", &self.start)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// The [`SharedArray`] that [`with_array_data!`](crate::with_array_data) matched, through a shared
/// or a mutable reference, as a shared reference of the same lifetime.
#[doc(hidden)]
pub trait __AsShared<'a> {
    fn __as_shared(self) -> &'a SharedArray;
}

impl<'a> __AsShared<'a> for &'a SharedArray {
    fn __as_shared(self) -> &'a SharedArray {
        self
    }
}

impl<'a> __AsShared<'a> for &'a mut SharedArray {
    fn __as_shared(self) -> &'a SharedArray {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{with_array_data, ArrayData, CellArray, Element};

    /// A buffer holding `f32` 1.5, -0.0 and 7.0 at byte 4, then `i32` ids 0..6 at byte 16.
    fn buffer() -> SharedBytes {
        let mut b = vec![0xEEu8; 4];
        for x in [1.5f32, -0.0, 7.0] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        for i in 0..6i32 {
            b.extend_from_slice(&i.to_le_bytes());
        }
        // Kept in `u32`s, so the views below are 4-byte aligned.
        Arc::new(AlignedBytes(
            b.chunks(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                .collect(),
        ))
    }

    /// Bytes kept in `u32`s, so that they are 4-byte aligned.
    struct AlignedBytes(Vec<u32>);
    impl AsRef<[u8]> for AlignedBytes {
        fn as_ref(&self) -> &[u8] {
            bytemuck::cast_slice(&self.0)
        }
    }

    #[test]
    fn views_are_checked_and_compare_with_owned_data_by_value() {
        let bytes = buffer();
        let f = SharedArray::new(DType::F32, bytes.clone(), 4, 3).unwrap();
        assert_eq!(f.typed::<f32>(), Some(&[1.5f32, -0.0, 7.0][..]));
        assert_eq!(f.typed::<i32>(), None);
        // Past the end, and misaligned for the dtype.
        assert!(SharedArray::new(DType::F32, bytes.clone(), 4, 10).is_none());
        assert!(SharedArray::new(DType::I32, bytes.clone(), usize::MAX - 2, 1).is_none());
        assert!(SharedArray::new(DType::F32, bytes.clone(), 5, 1).is_none());
        let shared = ArrayData::Shared(f);
        let owned = ArrayData::F32(vec![1.5, 0.0, 7.0]);
        assert_eq!(shared, owned, "-0.0 == 0.0, as f32 compares");
        assert_eq!(owned, shared);
        assert_ne!(shared, ArrayData::F32(vec![1.5, 0.0]));
        assert_ne!(shared, ArrayData::I32(vec![0, 0, 0]));
        assert_eq!(shared.dtype(), DType::F32);
        assert_eq!(shared.len(), 3);
        assert_eq!(shared.as_bytes(), &bytes.as_ref().as_ref()[4..16]);
        assert_eq!(with_array_data!(&shared, v => v.len()), 3);
        assert_eq!(shared.get_i64(0), None, "1.5 is not an integer");
        assert_eq!(shared.get_i64(2), Some(7));
        assert_eq!(f32::slice(&shared), Some(&[1.5f32, -0.0, 7.0][..]));
        assert_eq!(f32::unwrap(shared.clone()).unwrap(), vec![1.5, -0.0, 7.0]);
        assert!(!shared.clone().into_owned().is_shared());
        let mut changed = shared.clone();
        changed.as_bytes_mut()[0] = 0;
        assert!(!changed.is_shared());
        assert!(shared.is_shared(), "the original view is untouched");
    }

    #[test]
    fn shared_ids_act_as_owned_ones() {
        let ids = SharedArray::new(DType::I32, buffer(), 16, 6).unwrap();
        let shared = CellArray::uniform_shared_i32(2, 3, ids.clone()).unwrap();
        let owned = CellArray::uniform_i32(2, 3, (0..6).collect()).unwrap();
        assert_eq!(shared, owned);
        assert_eq!(shared.connectivity(), owned.connectivity());
        assert_eq!(shared.stored_connectivity(), owned.stored_connectivity());
        assert!(shared.check_ids("polys", 6).is_ok());
        assert!(shared.check_ids("polys", 5).is_err());
        assert_eq!(
            shared.clone().into_connectivity_i32().unwrap(),
            (0..6).collect::<Vec<i32>>()
        );
        let floats = SharedArray::new(DType::F32, buffer(), 4, 3).unwrap();
        assert!(CellArray::uniform_shared_i32(1, 3, floats).is_err());
        assert!(CellArray::uniform_shared_i32(4, 3, ids).is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn shared_data_serialises_as_owned_data() {
        let shared = ArrayData::Shared(SharedArray::new(DType::I32, buffer(), 16, 6).unwrap());
        let owned = ArrayData::I32((0..6).collect());
        let json = serde_json::to_string(&shared).unwrap();
        assert_eq!(json, serde_json::to_string(&owned).unwrap());
        let back: ArrayData = serde_json::from_str(&json).unwrap();
        assert!(!back.is_shared());
        assert_eq!(back, owned);
    }
}
