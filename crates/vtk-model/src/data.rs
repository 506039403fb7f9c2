use crate::shared::SharedArray;
use crate::DType;

/// A typed, flat buffer of one of the ten numeric dtypes: owned, or viewed in a shared buffer.
///
/// Values are stored in native (little-endian on every supported platform) order, so
/// [`ArrayData::as_bytes`] is the on-disk little-endian representation without a copy.
///
/// Equality compares dtypes and values, whichever way they are held.
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum ArrayData {
    I8(Vec<i8>),
    U8(Vec<u8>),
    I16(Vec<i16>),
    U16(Vec<u16>),
    I32(Vec<i32>),
    U32(Vec<u32>),
    I64(Vec<i64>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    /// Elements viewed in place in a shared buffer (a mapped file), not copied.
    Shared(SharedArray),
}

/// Runs `$body` with `$v` bound to a reference to the inner `Vec<T>` of an [`ArrayData`] reference,
/// or to the typed slice `&[T]` of a [`ArrayData::Shared`] one. Bodies that need a `Vec` (to own
/// or grow it) must [`make_owned`](ArrayData::make_owned) the data first.
///
/// ```
/// use vtk_model::{with_array_data, ArrayData};
/// let d = ArrayData::F32(vec![1.0, 2.0]);
/// let n = with_array_data!(&d, v => v.len());
/// assert_eq!(n, 2);
/// ```
#[macro_export]
macro_rules! with_array_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            $crate::ArrayData::I8($v) => $body,
            $crate::ArrayData::U8($v) => $body,
            $crate::ArrayData::I16($v) => $body,
            $crate::ArrayData::U16($v) => $body,
            $crate::ArrayData::I32($v) => $body,
            $crate::ArrayData::U32($v) => $body,
            $crate::ArrayData::I64($v) => $body,
            $crate::ArrayData::U64($v) => $body,
            $crate::ArrayData::F32($v) => $body,
            $crate::ArrayData::F64($v) => $body,
            $crate::ArrayData::Shared(shared) => {
                let shared: &$crate::SharedArray = $crate::__AsShared::__as_shared(shared);
                match shared.dtype() {
                    $crate::DType::I8 => {
                        let $v = $crate::__typed::<i8>(shared);
                        $body
                    }
                    $crate::DType::U8 => {
                        let $v = $crate::__typed::<u8>(shared);
                        $body
                    }
                    $crate::DType::I16 => {
                        let $v = $crate::__typed::<i16>(shared);
                        $body
                    }
                    $crate::DType::U16 => {
                        let $v = $crate::__typed::<u16>(shared);
                        $body
                    }
                    $crate::DType::I32 => {
                        let $v = $crate::__typed::<i32>(shared);
                        $body
                    }
                    $crate::DType::U32 => {
                        let $v = $crate::__typed::<u32>(shared);
                        $body
                    }
                    $crate::DType::I64 => {
                        let $v = $crate::__typed::<i64>(shared);
                        $body
                    }
                    $crate::DType::U64 => {
                        let $v = $crate::__typed::<u64>(shared);
                        $body
                    }
                    $crate::DType::F32 => {
                        let $v = $crate::__typed::<f32>(shared);
                        $body
                    }
                    $crate::DType::F64 => {
                        let $v = $crate::__typed::<f64>(shared);
                        $body
                    }
                }
            }
        }
    };
}

/// [`with_array_data!`] for changing the data: binds `$v` to `&mut Vec<T>`, after copying shared
/// data into an owned buffer ([`ArrayData::make_owned`]).
#[macro_export]
macro_rules! with_array_data_mut {
    ($data:expr, $v:ident => $body:expr) => {{
        let data: &mut $crate::ArrayData = $data;
        data.make_owned();
        match data {
            $crate::ArrayData::I8($v) => $body,
            $crate::ArrayData::U8($v) => $body,
            $crate::ArrayData::I16($v) => $body,
            $crate::ArrayData::U16($v) => $body,
            $crate::ArrayData::I32($v) => $body,
            $crate::ArrayData::U32($v) => $body,
            $crate::ArrayData::I64($v) => $body,
            $crate::ArrayData::U64($v) => $body,
            $crate::ArrayData::F32($v) => $body,
            $crate::ArrayData::F64($v) => $body,
            $crate::ArrayData::Shared(_) => unreachable!("make_owned leaves no shared data"),
        }
    }};
}

/// A Rust element type that maps to one [`DType`].
pub trait Element: bytemuck::Pod + PartialEq + std::fmt::Debug + Send + Sync + 'static {
    /// The dtype of this element type.
    const DTYPE: DType;
    /// Wraps a vector in the matching [`ArrayData`] variant.
    fn wrap(v: Vec<Self>) -> ArrayData;
    /// Borrows the vector if `data` holds this element type.
    fn slice(data: &ArrayData) -> Option<&[Self]>;
    /// Takes the vector if `data` holds this element type.
    fn unwrap(data: ArrayData) -> Result<Vec<Self>, ArrayData>;
    /// Lossy conversion to `f64` (exact for all but 64-bit integers above 2^53).
    fn to_f64(self) -> f64;
    /// Conversion from `f64` with Rust's saturating `as` semantics.
    fn from_f64(v: f64) -> Self;
    /// Exact conversion to `i64` for integer types (floats truncate), `None` when it does not fit.
    fn to_i64(self) -> Option<i64>;
}

macro_rules! impl_element {
    ($t:ident, $variant:ident, $to_i64:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn wrap(v: Vec<Self>) -> ArrayData {
                ArrayData::$variant(v)
            }
            fn slice(data: &ArrayData) -> Option<&[Self]> {
                match data {
                    ArrayData::$variant(v) => Some(v),
                    ArrayData::Shared(s) => s.typed(),
                    _ => None,
                }
            }
            fn unwrap(data: ArrayData) -> Result<Vec<Self>, ArrayData> {
                match data.into_owned() {
                    ArrayData::$variant(v) => Ok(v),
                    other => Err(other),
                }
            }
            #[allow(clippy::cast_lossless)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn to_i64(self) -> Option<i64> {
                let f: fn($t) -> Option<i64> = $to_i64;
                f(self)
            }
        }
    };
}

/// `x` as `i64` when it is an integer that fits; a float must have no fractional part.
fn exact_i64<T: Element>(x: T) -> Option<i64> {
    if T::DTYPE.is_float() && x.to_f64().fract() != 0.0 {
        return None;
    }
    x.to_i64()
}

/// Largest magnitude bound of `i64` as `f64` (2^63).
const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;

fn float_to_i64(f: f64) -> Option<i64> {
    (f.is_finite() && (-I64_BOUND..I64_BOUND).contains(&f)).then_some(f as i64)
}

impl_element!(i8, I8, |x| Some(i64::from(x)));
impl_element!(u8, U8, |x| Some(i64::from(x)));
impl_element!(i16, I16, |x| Some(i64::from(x)));
impl_element!(u16, U16, |x| Some(i64::from(x)));
impl_element!(i32, I32, |x| Some(i64::from(x)));
impl_element!(u32, U32, |x| Some(i64::from(x)));
impl_element!(i64, I64, Some);
impl_element!(u64, U64, |x| i64::try_from(x).ok());
impl_element!(f32, F32, |x| float_to_i64(f64::from(x)));
impl_element!(f64, F64, float_to_i64);

// The typed views of a shared array are here, beside `Element`, so that `shared.rs` (the bytes
// and their bounds) needs nothing from this file.
impl SharedArray {
    /// The elements as a typed slice, when `T` is their type.
    pub fn typed<T: Element>(&self) -> Option<&[T]> {
        // `new` checked the bounds and the alignment; the size divides exactly.
        (T::DTYPE == self.dtype()).then(|| bytemuck::cast_slice(self.as_bytes()))
    }

    /// A copy in an owned buffer.
    pub fn to_owned_data(&self) -> ArrayData {
        let mut out = ArrayData::zeros(self.dtype(), self.len());
        out.as_bytes_mut().copy_from_slice(self.as_bytes());
        out
    }
}

/// The typed slice of `s` for the element type `T`, for [`with_array_data!`](crate::with_array_data)
/// (which picks `T` from `s.dtype()`).
#[doc(hidden)]
pub fn __typed<T: Element>(s: &SharedArray) -> &[T] {
    s.typed().unwrap_or_default()
}

impl ArrayData {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            ArrayData::I8(_) => DType::I8,
            ArrayData::U8(_) => DType::U8,
            ArrayData::I16(_) => DType::I16,
            ArrayData::U16(_) => DType::U16,
            ArrayData::I32(_) => DType::I32,
            ArrayData::U32(_) => DType::U32,
            ArrayData::I64(_) => DType::I64,
            ArrayData::U64(_) => DType::U64,
            ArrayData::F32(_) => DType::F32,
            ArrayData::F64(_) => DType::F64,
            ArrayData::Shared(s) => s.dtype(),
        }
    }

    /// The same data in an owned buffer: shared data is copied, owned data moves.
    #[must_use]
    pub fn into_owned(self) -> Self {
        match self {
            ArrayData::Shared(s) => s.to_owned_data(),
            owned => owned,
        }
    }

    /// Copies shared data into an owned buffer in place, so that it can change.
    pub fn make_owned(&mut self) {
        if let ArrayData::Shared(s) = self {
            *self = s.to_owned_data();
        }
    }

    /// True when the data is viewed in a shared buffer rather than owned.
    pub fn is_shared(&self) -> bool {
        matches!(self, ArrayData::Shared(_))
    }

    /// Number of elements (not tuples).
    pub fn len(&self) -> usize {
        with_array_data!(self, v => v.len())
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of bytes of the data.
    pub fn byte_len(&self) -> usize {
        self.len() * self.dtype().size()
    }

    /// An empty buffer of the given dtype.
    pub fn empty(dtype: DType) -> Self {
        Self::zeros(dtype, 0)
    }

    /// `n` zeros of the given dtype.
    pub fn zeros(dtype: DType, n: usize) -> Self {
        match dtype {
            DType::I8 => ArrayData::I8(vec![0; n]),
            DType::U8 => ArrayData::U8(vec![0; n]),
            DType::I16 => ArrayData::I16(vec![0; n]),
            DType::U16 => ArrayData::U16(vec![0; n]),
            DType::I32 => ArrayData::I32(vec![0; n]),
            DType::U32 => ArrayData::U32(vec![0; n]),
            DType::I64 => ArrayData::I64(vec![0; n]),
            DType::U64 => ArrayData::U64(vec![0; n]),
            DType::F32 => ArrayData::F32(vec![0.0; n]),
            DType::F64 => ArrayData::F64(vec![0.0; n]),
        }
    }

    /// [`ArrayData::zeros`] that reports a failed allocation (`None`) instead of aborting: for
    /// buffers whose size comes from a file, sized before the data proves it (a decompression
    /// header), where running out of address space must be an error.
    pub fn try_zeros(dtype: DType, n: usize) -> Option<Self> {
        use bytemuck::allocation::try_zeroed_vec as z;
        Some(match dtype {
            DType::I8 => ArrayData::I8(z(n).ok()?),
            DType::U8 => ArrayData::U8(z(n).ok()?),
            DType::I16 => ArrayData::I16(z(n).ok()?),
            DType::U16 => ArrayData::U16(z(n).ok()?),
            DType::I32 => ArrayData::I32(z(n).ok()?),
            DType::U32 => ArrayData::U32(z(n).ok()?),
            DType::I64 => ArrayData::I64(z(n).ok()?),
            DType::U64 => ArrayData::U64(z(n).ok()?),
            DType::F32 => ArrayData::F32(z(n).ok()?),
            DType::F64 => ArrayData::F64(z(n).ok()?),
        })
    }

    /// The raw bytes in native (little-endian) order, without copying.
    pub fn as_bytes(&self) -> &[u8] {
        with_array_data!(self, v => bytemuck::cast_slice(v))
    }

    /// Mutable raw bytes, without copying (e.g. to read a file straight into the buffer). Shared
    /// data is copied into an owned buffer first.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        with_array_data_mut!(self, v => bytemuck::cast_slice_mut(v.as_mut_slice()))
    }

    /// Builds a buffer from little-endian bytes. `bytes.len()` must be a multiple of the element size;
    /// the trailing remainder, if any, is reported as `Err(remainder_len)`.
    pub fn from_le_bytes(dtype: DType, bytes: &[u8]) -> Result<Self, usize> {
        Self::from_bytes(dtype, bytes, false)
    }

    /// Builds a buffer from bytes in the given byte order (`big_endian`), swapping as needed.
    pub fn from_bytes(dtype: DType, bytes: &[u8], big_endian: bool) -> Result<Self, usize> {
        let rem = bytes.len() % dtype.size();
        if rem != 0 {
            return Err(rem);
        }
        let mut out = Self::zeros(dtype, bytes.len() / dtype.size());
        out.as_bytes_mut().copy_from_slice(bytes);
        if big_endian != cfg!(target_endian = "big") {
            out.swap_bytes();
        }
        Ok(out)
    }

    /// Reverses the byte order of every element in place.
    pub fn swap_bytes(&mut self) {
        let size = self.dtype().size();
        if size > 1 {
            for chunk in self.as_bytes_mut().chunks_exact_mut(size) {
                chunk.reverse();
            }
        }
    }

    /// Element `i` as `f64` (exact except 64-bit integers beyond 2^53).
    pub fn get_f64(&self, i: usize) -> f64 {
        with_array_data!(self, v => v[i].to_f64())
    }

    /// Element `i` as `i64` when it is an integer that fits (floats must be integral).
    pub fn get_i64(&self, i: usize) -> Option<i64> {
        with_array_data!(self, v => exact_i64(v[i]))
    }

    /// All elements converted to `f64`.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        with_array_data!(self, v => v.iter().map(|x| x.to_f64()).collect())
    }

    /// All elements as `i64`; `Err(index)` names the first element that is not an integer in range.
    pub fn to_i64_vec(&self) -> Result<Vec<i64>, usize> {
        if let Some(v) = i64::slice(self) {
            return Ok(v.to_vec());
        }
        // One dispatch for the whole array, not one per element.
        with_array_data!(self, v => v.iter().enumerate().map(|(i, &x)| exact_i64(x).ok_or(i)).collect())
    }

    /// The elements `start..end` as a new buffer of the same dtype.
    #[must_use]
    pub fn slice_range(&self, start: usize, end: usize) -> ArrayData {
        with_array_data!(self, v => Element::wrap(v[start..end].to_vec()))
    }

    /// Minimum and maximum as `f64`, ignoring NaN; `None` when empty or all NaN.
    pub fn min_max(&self) -> Option<(f64, f64)> {
        let mut out: Option<(f64, f64)> = None;
        with_array_data!(self, v => {
            for &x in v {
                let f = x.to_f64();
                if f.is_nan() {
                    continue;
                }
                out = Some(match out {
                    None => (f, f),
                    Some((lo, hi)) => (lo.min(f), hi.max(f)),
                });
            }
        });
        out
    }
}

impl PartialEq for ArrayData {
    /// Same dtype and equal values (as the element type compares them: `NaN != NaN`), whether
    /// owned or shared.
    fn eq(&self, other: &Self) -> bool {
        fn same<T: Element>(v: &[T], other: &ArrayData) -> bool {
            T::slice(other).is_some_and(|w| v == w)
        }
        with_array_data!(self, v => same(v, other))
    }
}

/// Serialised as the owned variant of its dtype, so shared data reads back as owned data.
#[cfg(feature = "serde")]
impl serde::Serialize for ArrayData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let index = DType::ALL
            .iter()
            .position(|&d| d == self.dtype())
            .unwrap_or_default();
        let name = OWNED_VARIANTS[index];
        with_array_data!(self, v => s.serialize_newtype_variant("ArrayData", index as u32, name, v))
    }
}

#[cfg(feature = "serde")]
const OWNED_VARIANTS: [&str; 10] = [
    "I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "F32", "F64",
];

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ArrayData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename = "ArrayData")]
        enum Owned {
            I8(Vec<i8>),
            U8(Vec<u8>),
            I16(Vec<i16>),
            U16(Vec<u16>),
            I32(Vec<i32>),
            U32(Vec<u32>),
            I64(Vec<i64>),
            U64(Vec<u64>),
            F32(Vec<f32>),
            F64(Vec<f64>),
        }
        Ok(match Owned::deserialize(d)? {
            Owned::I8(v) => ArrayData::I8(v),
            Owned::U8(v) => ArrayData::U8(v),
            Owned::I16(v) => ArrayData::I16(v),
            Owned::U16(v) => ArrayData::U16(v),
            Owned::I32(v) => ArrayData::I32(v),
            Owned::U32(v) => ArrayData::U32(v),
            Owned::I64(v) => ArrayData::I64(v),
            Owned::U64(v) => ArrayData::U64(v),
            Owned::F32(v) => ArrayData::F32(v),
            Owned::F64(v) => ArrayData::F64(v),
        })
    }
}

impl<T: Element> From<Vec<T>> for ArrayData {
    fn from(v: Vec<T>) -> Self {
        T::wrap(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_every_dtype() {
        for dt in DType::ALL {
            let mut d = ArrayData::zeros(dt, 3);
            for (i, b) in d.as_bytes_mut().iter_mut().enumerate() {
                *b = i as u8 + 1;
            }
            let back = ArrayData::from_le_bytes(dt, d.as_bytes()).unwrap();
            assert_eq!(back, d);
            let mut be_bytes = d.as_bytes().to_vec();
            for c in be_bytes.chunks_exact_mut(dt.size()) {
                c.reverse();
            }
            assert_eq!(ArrayData::from_bytes(dt, &be_bytes, true).unwrap(), d);
        }
    }

    #[test]
    fn from_bytes_reports_remainder() {
        assert_eq!(ArrayData::from_le_bytes(DType::F32, &[0; 6]), Err(2));
    }

    #[test]
    fn get_i64_rejects_fractions_and_overflow() {
        let d = ArrayData::F64(vec![1.0, 1.5, 1e300]);
        assert_eq!(d.get_i64(0), Some(1));
        assert_eq!(d.get_i64(1), None);
        assert_eq!(d.get_i64(2), None);
        assert_eq!(ArrayData::U64(vec![u64::MAX]).get_i64(0), None);
    }
}
