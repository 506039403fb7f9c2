use std::fmt;

/// The ten numeric element types VTK data arrays (and ArrayDict arrays) can hold.
///
/// VTK's `char`/`signed char` map to [`DType::I8`], `long`/`vtkIdType`/`long long` to [`DType::I64`]
/// (8 bytes on Linux), and so on; see SPEC section 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DType {
    /// Signed 8-bit integer (`i1`).
    I8,
    /// Unsigned 8-bit integer (`u1`).
    U8,
    /// Signed 16-bit integer (`i2`).
    I16,
    /// Unsigned 16-bit integer (`u2`).
    U16,
    /// Signed 32-bit integer (`i4`).
    I32,
    /// Unsigned 32-bit integer (`u4`).
    U32,
    /// Signed 64-bit integer (`i8`).
    I64,
    /// Unsigned 64-bit integer (`u8`).
    U64,
    /// 32-bit IEEE float (`f4`).
    F32,
    /// 64-bit IEEE float (`f8`).
    F64,
}

impl DType {
    /// All ten dtypes, in a fixed order.
    pub const ALL: [DType; 10] = [
        DType::I8,
        DType::U8,
        DType::I16,
        DType::U16,
        DType::I32,
        DType::U32,
        DType::I64,
        DType::U64,
        DType::F32,
        DType::F64,
    ];

    /// Size of one element in bytes.
    pub const fn size(self) -> usize {
        match self {
            DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// True for `f4` and `f8`.
    pub const fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// True for the signed integer types.
    pub const fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// numpy's kind+size code without byte order: `"f4"`, `"u1"`, ...
    pub const fn numpy_code(self) -> &'static str {
        match self {
            DType::I8 => "i1",
            DType::U8 => "u1",
            DType::I16 => "i2",
            DType::U16 => "u2",
            DType::I32 => "i4",
            DType::U32 => "u4",
            DType::I64 => "i8",
            DType::U64 => "u8",
            DType::F32 => "f4",
            DType::F64 => "f8",
        }
    }

    /// numpy's `dtype.str` of the little-endian type: `"<f4"`, `"|u1"` (single bytes have no order).
    pub const fn numpy_str(self) -> &'static str {
        match self {
            DType::I8 => "|i1",
            DType::U8 => "|u1",
            DType::I16 => "<i2",
            DType::U16 => "<u2",
            DType::I32 => "<i4",
            DType::U32 => "<u4",
            DType::I64 => "<i8",
            DType::U64 => "<u8",
            DType::F32 => "<f4",
            DType::F64 => "<f8",
        }
    }

    /// Parses numpy's type strings: `"<f4"`, `"|u1"`, `"=i8"`, `"f8"`, and `">i4"`.
    ///
    /// Returns the dtype and whether the data is big-endian. Anything outside the ten types is `None`.
    pub fn from_numpy_str(s: &str) -> Option<(DType, bool)> {
        let (big, code) = match s.as_bytes().first()? {
            b'<' | b'|' | b'=' => (false, &s[1..]),
            b'>' => (true, &s[1..]),
            _ => (false, s),
        };
        let dt = DType::ALL.into_iter().find(|d| d.numpy_code() == code)?;
        Some((dt, big && dt.size() > 1))
    }

    /// VTK XML `type` attribute: `"Int8"`, `"UInt8"`, ..., `"Float64"`.
    pub const fn vtk_name(self) -> &'static str {
        match self {
            DType::I8 => "Int8",
            DType::U8 => "UInt8",
            DType::I16 => "Int16",
            DType::U16 => "UInt16",
            DType::I32 => "Int32",
            DType::U32 => "UInt32",
            DType::I64 => "Int64",
            DType::U64 => "UInt64",
            DType::F32 => "Float32",
            DType::F64 => "Float64",
        }
    }

    /// Parses a VTK XML `type` attribute (also the pre-VTK-6 `"Char"`-style aliases are not used by XML).
    pub fn from_vtk_name(s: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.vtk_name() == s)
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.numpy_str())
    }
}
