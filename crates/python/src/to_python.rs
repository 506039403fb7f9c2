//! A tree to Python objects without copying array data: plain `dict`, `list` and `numpy.ndarray`,
//! exactly what `pickle.load` gives for the command's pickle of the same file.
//!
//! An owned buffer (`Vec<T>`) is handed to numpy (`PyArray1::from_vec`: numpy's array then owns
//! the allocation) and shaped as a view of it in the tree's memory order (an image's
//! Fortran-ordered `(nx, ny, nz)` is the F view of VTK's x-fastest buffer). A buffer viewed in a
//! mapped HDF5 file becomes a read-only view whose `base` is a [`MappedBuffer`] holding the
//! mapping alive.

use arraydict::{ArrayData, Dict, MemoryOrder, NdArray, Node};
use numpy::ndarray::{ArrayView, IxDyn, ShapeBuilder};
use numpy::npyffi::NPY_ORDER;
use numpy::{PyArray, PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use vtk_model::{DType, SharedArray};

/// A tree as a `dict`, keys in order.
pub fn dict(py: Python<'_>, tree: Dict) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for (key, node) in tree {
        out.set_item(key, self::node(py, node)?)?;
    }
    Ok(out)
}

fn node(py: Python<'_>, node: Node) -> PyResult<Bound<'_, PyAny>> {
    Ok(match node {
        Node::Dict(d) => dict(py, d)?.into_any(),
        Node::Array(a) => array(py, a)?,
        Node::List(items) => {
            let arrays = items
                .into_iter()
                .map(|a| array(py, a))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, arrays)?.into_any()
        }
    })
}

/// A 1-D `numpy.ndarray` owning `data` (shared elements are copied first; the caller copies them
/// with the GIL released, so this is a no-op there).
pub fn vector(py: Python<'_>, data: ArrayData) -> PyResult<Bound<'_, PyAny>> {
    array(py, NdArray::vector(data.into_owned()))
}

/// An array as a `numpy.ndarray` over the same memory.
fn array(py: Python<'_>, a: NdArray) -> PyResult<Bound<'_, PyAny>> {
    // The command's pickle (protocol 4) stores an axis-permuted array (a 3x3 tensor array, a
    // multi-component image array) in C order, so `pickle.load` gives it C-ordered: the one layout
    // change, and so the one copy, on the way to Python.
    let a = if matches!(a.order(), MemoryOrder::Permuted(_)) {
        a.into_c_order()
    } else {
        a
    };
    let fortran = a.order() == &MemoryOrder::F;
    let (data, shape, _) = a.into_parts();
    match data {
        ArrayData::I8(v) => owned(py, v, &shape, fortran),
        ArrayData::U8(v) => owned(py, v, &shape, fortran),
        ArrayData::I16(v) => owned(py, v, &shape, fortran),
        ArrayData::U16(v) => owned(py, v, &shape, fortran),
        ArrayData::I32(v) => owned(py, v, &shape, fortran),
        ArrayData::U32(v) => owned(py, v, &shape, fortran),
        ArrayData::I64(v) => owned(py, v, &shape, fortran),
        ArrayData::U64(v) => owned(py, v, &shape, fortran),
        ArrayData::F32(v) => owned(py, v, &shape, fortran),
        ArrayData::F64(v) => owned(py, v, &shape, fortran),
        ArrayData::Shared(s) => mapped(py, s, &shape, fortran),
    }
}

/// Hands `v` to numpy, shaped in C or F order (a view: reshaping a contiguous 1-D array never copies).
fn owned<'py, T: numpy::Element>(
    py: Python<'py>,
    v: Vec<T>,
    shape: &[usize],
    fortran: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let flat = PyArray1::from_vec(py, v);
    if shape.len() == 1 {
        return Ok(flat.into_any());
    }
    let order = if fortran {
        NPY_ORDER::NPY_FORTRANORDER
    } else {
        NPY_ORDER::NPY_CORDER
    };
    Ok(flat.reshape_with_order(IxDyn(shape), order)?.into_any())
}

/// The owner of a read-only numpy view into a mapped file: the `base` of such an array. Holding it
/// holds the mapping, so the file's pages stay readable while any view of them is alive.
#[pyclass(frozen, module = "arraydict._native", name = "MappedBuffer")]
pub struct MappedBuffer {
    data: SharedArray,
}

#[pymethods]
impl MappedBuffer {
    fn __repr__(&self) -> String {
        format!(
            "<arraydict MappedBuffer: {} {} elements ({} bytes) viewed in place in a mapped HDF5 \
             file, read-only; read(..., copy=True) gives writable copies>",
            self.data.len(),
            self.data.dtype().numpy_code(),
            self.data.as_bytes().len()
        )
    }

    /// Number of elements.
    fn __len__(&self) -> usize {
        self.data.len()
    }
}

/// A read-only view of `shared`'s elements whose base keeps the mapping alive.
fn mapped<'py>(
    py: Python<'py>,
    shared: SharedArray,
    shape: &[usize],
    fortran: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let owner = Bound::new(py, MappedBuffer { data: shared })?;
    let view = match owner.get().data.dtype() {
        DType::I8 => view::<i8>(&owner, shape, fortran),
        DType::U8 => view::<u8>(&owner, shape, fortran),
        DType::I16 => view::<i16>(&owner, shape, fortran),
        DType::U16 => view::<u16>(&owner, shape, fortran),
        DType::I32 => view::<i32>(&owner, shape, fortran),
        DType::U32 => view::<u32>(&owner, shape, fortran),
        DType::I64 => view::<i64>(&owner, shape, fortran),
        DType::U64 => view::<u64>(&owner, shape, fortran),
        DType::F32 => view::<f32>(&owner, shape, fortran),
        DType::F64 => view::<f64>(&owner, shape, fortran),
    }?;
    // The mapping is read-only (PROT_READ): a write through the view would crash the interpreter,
    // so numpy must refuse it. numpy also refuses to set the flag back, as the base (a
    // MappedBuffer) offers no writable buffer.
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("write", false)?;
    view.call_method("setflags", (), Some(&kwargs))?;
    Ok(view)
}

fn view<'py, T: numpy::Element + vtk_model::Element>(
    owner: &Bound<'py, MappedBuffer>,
    shape: &[usize],
    fortran: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let elements: &[T] = owner.get().data.typed().ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("arraydict: mapped data of another dtype")
    })?;
    let dims = IxDyn(shape);
    let array = if fortran {
        ArrayView::from_shape(dims.f(), elements)
    } else {
        ArrayView::from_shape(dims, elements)
    }
    .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("arraydict: {e}")))?;
    // SAFETY: `borrow_from_array` requires that `elements` stay valid and unmoved for as long as the
    // container (the numpy array's base) lives. The container is `owner`, which owns the
    // `SharedArray` the slice was taken from: its bytes live behind an `Arc` (the store's read-only
    // file mapping), which neither moves nor changes while a reference to it exists, and `owner` is
    // frozen, so nothing replaces its `SharedArray`. The view is made read-only right after.
    let array = unsafe { PyArray::borrow_from_array(&array, owner.clone().into_any()) };
    Ok(array.into_any())
}
