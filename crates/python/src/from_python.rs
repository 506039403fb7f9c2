//! Python objects to a tree, reading numpy memory in place.
//!
//! Accepted: any mapping with string keys (`dict`, VMTK's `vividict`, `OrderedDict`, other dict
//! subclasses and `collections.abc.Mapping`s), lists and tuples of arrays, numpy arrays of the ten
//! numeric dtypes in any memory order and byte order (and their subclasses, such as VMTK's
//! `VTKArray`), and array-likes (`numpy.asarray` of them: lists of numbers, numpy scalars).
//!
//! A C- or Fortran-contiguous, aligned array in native byte order is not copied: the tree's
//! array is a [`SharedArray`] over a [`NumpyBytes`] that holds a reference to the numpy array.
//! Only strided views and byte-swapped arrays are copied (by numpy, into a new contiguous array).

use arraydict::{ArrayData, Dict, MemoryOrder, NdArray, Node};
use numpy::{
    PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyMapping, PyString, PyTuple};
use vtk_model::{DType, SharedArray, SharedBytes};

/// Where a conversion failed: the path in the tree and what was wrong.
pub struct Problem {
    /// `/PointData/Radius`.
    pub path: String,
    /// What was wrong there.
    pub message: String,
}

type Converted<T> = Result<T, Problem>;

/// Converts a Python tree. Python errors (a mapping whose `items()` raises) propagate as they are;
/// values that cannot be arrays are [`Problem`]s.
pub fn tree(root: &Bound<'_, PyAny>) -> PyResult<Converted<Dict>> {
    let mut path = String::new();
    dict(root, &mut path)
}

fn problem<T>(path: &str, message: impl Into<String>) -> Converted<T> {
    Err(Problem {
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        message: message.into(),
    })
}

fn dict(obj: &Bound<'_, PyAny>, path: &mut String) -> PyResult<Converted<Dict>> {
    let items: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = if let Ok(d) = obj.cast::<PyDict>() {
        // Any dict subclass (vividict, OrderedDict) iterates its entries in order.
        d.iter().collect()
    } else if let Ok(m) = obj.cast::<PyMapping>() {
        m.items()?
            .iter()
            .map(|item| item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
            .collect::<PyResult<_>>()?
    } else {
        return Ok(problem(
            path,
            format!(
                "expected a dict (a mapping of names to arrays), found {}",
                type_name(obj)
            ),
        ));
    };
    let mut out = Dict::new();
    for (key, value) in items {
        let Ok(key) = key.cast::<PyString>() else {
            return Ok(problem(
                path,
                format!(
                    "keys must be strings, found the {} {}",
                    type_name(&key),
                    key.repr()?
                ),
            ));
        };
        let key = key.to_str()?.to_owned();
        let saved = path.len();
        path.push('/');
        path.push_str(&key);
        let converted = node(&value, path)?;
        path.truncate(saved);
        match converted {
            Ok(n) => {
                out.insert(key, n);
            }
            Err(p) => return Ok(Err(p)),
        }
    }
    Ok(Ok(out))
}

fn node(obj: &Bound<'_, PyAny>, path: &mut String) -> PyResult<Converted<Node>> {
    if obj.cast::<PyDict>().is_ok() || obj.cast::<PyMapping>().is_ok() {
        return Ok(dict(obj, path)?.map(Node::Dict));
    }
    if let Ok(a) = obj.cast::<PyUntypedArray>() {
        return Ok(array(a, path)?.map(Node::Array));
    }
    let is_sequence = obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok();
    if !is_sequence {
        return Ok(array_like(obj, path)?.map(Node::Array));
    }
    match sequence(obj)? {
        Sequence::Array(a) => Ok(array(&a, path)?.map(Node::Array)),
        Sequence::ListOfArrays => {
            let mut items = Vec::new();
            for (i, item) in obj.try_iter()?.enumerate() {
                let saved = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                let converted = array_like(&item?, path)?;
                path.truncate(saved);
                match converted {
                    Ok(a) => items.push(a),
                    Err(p) => return Ok(Err(p)),
                }
            }
            Ok(Ok(Node::List(items)))
        }
    }
}

/// What a list or tuple stands for.
enum Sequence<'py> {
    /// A list of arrays (`Node::List`): the sequence is empty, holds a numpy array, or is ragged.
    ListOfArrays,
    /// One array: numpy made a numeric array of it (a list of numbers, of equal-length lists).
    Array(Bound<'py, PyUntypedArray>),
}

fn sequence<'py>(seq: &Bound<'py, PyAny>) -> PyResult<Sequence<'py>> {
    if seq.len()? == 0 {
        return Ok(Sequence::ListOfArrays);
    }
    for item in seq.try_iter()? {
        if item?.cast::<PyUntypedArray>().is_ok() {
            return Ok(Sequence::ListOfArrays);
        }
    }
    match asarray(seq) {
        Ok(a) if a.dtype().kind() != b'O' => Ok(Sequence::Array(a)),
        // An object array, or (numpy >= 1.24) an error: a ragged nested sequence.
        _ => Ok(Sequence::ListOfArrays),
    }
}

fn asarray<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = obj.py();
    let asarray = ASARRAY.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("numpy")?.getattr("asarray")?.unbind())
    })?;
    Ok(asarray
        .bind(py)
        .call1((obj,))?
        .cast_into::<PyUntypedArray>()?)
}

/// The elements of a 1-D array (or array-like), read in place as [`array`] reads them: a live VTK
/// object's arrays, flattened by the caller (`vtk_objects`).
pub fn flat_array(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Converted<ArrayData>> {
    Ok(match array_like(obj, path)? {
        Ok(a) if a.ndim() == 1 => Ok(a.into_data()),
        Ok(a) => problem(
            path,
            format!("expected a 1-D array, found shape {:?}", a.shape()),
        ),
        Err(p) => Err(p),
    })
}

fn array_like(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Converted<NdArray>> {
    if let Ok(a) = obj.cast::<PyUntypedArray>() {
        return array(a, path);
    }
    match asarray(obj) {
        Ok(a) => array(&a, path),
        Err(e) => Ok(problem(
            path,
            format!(
                "expected an array, found {} ({})",
                type_name(obj),
                e.value(obj.py())
            ),
        )),
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".into(), |n| n.to_string())
}

/// The dtype of a numpy dtype kind and size, if it is one of the ten.
fn dtype_of(kind: u8, size: usize) -> Option<DType> {
    Some(match (kind, size) {
        (b'i', 1) => DType::I8,
        (b'u', 1) => DType::U8,
        (b'i', 2) => DType::I16,
        (b'u', 2) => DType::U16,
        (b'i', 4) => DType::I32,
        (b'u', 4) => DType::U32,
        (b'i', 8) => DType::I64,
        (b'u', 8) => DType::U64,
        (b'f', 4) => DType::F32,
        (b'f', 8) => DType::F64,
        _ => return None,
    })
}

fn array(a: &Bound<'_, PyUntypedArray>, path: &str) -> PyResult<Converted<NdArray>> {
    let descr = a.dtype();
    let Some(dtype) = dtype_of(descr.kind(), descr.itemsize()) else {
        return Ok(problem(
            path,
            format!("dtype {descr} is not one of int8-int64, uint8-uint64, float32, float64"),
        ));
    };
    let mut a = a.clone();
    if descr.is_native_byteorder() == Some(false)
        || !(a.is_c_contiguous() || a.is_fortran_contiguous())
        || !a.is_aligned()
    {
        // numpy copies into a new C-ordered native array (`astype` with the native dtype): the one
        // case that copies. Aligned as numpy allocates it.
        let native = dtype.numpy_code();
        let kwargs = PyDict::new(a.py());
        kwargs.set_item("order", "C")?;
        a = a
            .call_method("astype", (native,), Some(&kwargs))?
            .cast_into::<PyUntypedArray>()?;
    }
    let shape = a.shape().to_vec();
    let order = if a.is_c_contiguous() {
        MemoryOrder::C
    } else {
        MemoryOrder::F
    };
    let data = match dtype {
        DType::I8 => in_place::<i8>(&a),
        DType::U8 => in_place::<u8>(&a),
        DType::I16 => in_place::<i16>(&a),
        DType::U16 => in_place::<u16>(&a),
        DType::I32 => in_place::<i32>(&a),
        DType::U32 => in_place::<u32>(&a),
        DType::I64 => in_place::<i64>(&a),
        DType::U64 => in_place::<u64>(&a),
        DType::F32 => in_place::<f32>(&a),
        DType::F64 => in_place::<f64>(&a),
    }?;
    match NdArray::new(data, shape, order) {
        Ok(nd) => Ok(Ok(nd)),
        Err(e) => Ok(problem(path, e.to_string())),
    }
}

/// The bytes of a contiguous numpy array, read in place: holds a reference to the array so that
/// its memory stays allocated while the tree lives.
pub struct NumpyBytes {
    /// The array (keeps the data alive).
    _array: Py<PyAny>,
    /// Address of the first byte (an address, not a pointer, so the type is `Send + Sync`).
    address: usize,
    /// Number of bytes.
    len: usize,
}

impl AsRef<[u8]> for NumpyBytes {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `address` and `len` are the data pointer and byte size of a contiguous numpy
        // array (`in_place` checked the flags; a non-empty array's pointer is non-null), and
        // `_array` holds a reference to it, so numpy keeps that allocation: it frees or moves an
        // array's data only when the array is deallocated, or in `ndarray.resize`, which refuses
        // while another reference exists (its `refcheck=False` is documented by numpy as unsafe).
        // The bytes are only read. numpy has no lock: a Python thread that writes into the array
        // while a write of it runs races with that read, as it would with h5py or `tofile`; the
        // docstring of `write` says not to.
        unsafe { std::slice::from_raw_parts(self.address as *const u8, self.len) }
    }
}

/// The elements of a contiguous, aligned, native array of element type `T`, viewed in place.
fn in_place<T: numpy::Element + vtk_model::Element>(
    a: &Bound<'_, PyUntypedArray>,
) -> PyResult<ArrayData> {
    let typed = a.cast::<PyArrayDyn<T>>()?;
    let len = typed.len();
    if len == 0 {
        return Ok(ArrayData::empty(T::DTYPE));
    }
    let bytes: SharedBytes = std::sync::Arc::new(NumpyBytes {
        _array: a.clone().into_any().unbind(),
        address: typed.data() as usize,
        len: len * std::mem::size_of::<T>(),
    });
    if let Some(shared) = SharedArray::new(T::DTYPE, bytes.clone(), 0, len) {
        return Ok(ArrayData::Shared(shared));
    }
    // Misaligned for T (numpy reported the array aligned, so this does not happen): copy.
    let mut owned = ArrayData::zeros(T::DTYPE, len);
    owned.as_bytes_mut().copy_from_slice((*bytes).as_ref());
    Ok(owned)
}
