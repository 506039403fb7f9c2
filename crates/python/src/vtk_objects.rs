//! Live VTK objects (`vtkPolyData`, `vtkImageData`, `vtkUnstructuredGrid`) to trees and back: the
//! compiled half of `arraydict.from_vtk` / `to_vtk` (python/arraydict/_vtk_objects.py).
//!
//! The Python half takes a VTK object apart into *parts*: `vtk_to_numpy` views of its arrays (no
//! copy), the VTK 9 offsets and connectivity of its cell arrays, its cell types and polyhedron
//! faces, and an image's geometry. Here the parts become a `vtk_model::DataSet`, and that the tree
//! `read` gives for a file holding it (the same conversion), with the GIL released; the arrays of
//! the tree are then copied out of VTK's memory once, so the tree owns them as `read`'s do. The
//! reverse gives the parts of the dataset a tree converts to as new numpy arrays, which the Python
//! half hands to VTK without copying.
//!
//! Measured against serialising in memory through VTK's raw appended XML writer / reader and ours,
//! on a 1M-triangle surface: 0.03 s against 0.38 s (from_vtk) and 0.25 s (to_vtk), VTK's XML codec
//! being most of those (figures in the docstring of `_vtk_objects`).

use std::path::Path;

use arraydict::{ArrayData, Dict, NdArray, Node};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use vtk_model::{
    Attributes, CellArray, CellType, DType, DataArray, DataSet, Element, ImageData, Matrix3,
    PolyCells, PolyData, PolyhedronFaces, UnstructuredGrid,
};

use crate::errors::Failure;
use crate::io::{self, ReadSettings};
use crate::worker::{self, Writes};
use crate::{from_python, to_python};

/// A VTK 9 cell array: `n + 1` offsets starting at 0 and the count-free connectivity (int32 or
/// int64 from VTK, int64 towards it).
struct RawCells {
    offsets: ArrayData,
    connectivity: ArrayData,
}

/// A named data array: its name, components per tuple and flat (tuple-major) values.
struct RawArray {
    name: String,
    components: usize,
    values: ArrayData,
}

/// What makes each kind of dataset, beside its point and cell data.
enum Geometry {
    Poly {
        points: ArrayData,
        /// Verts, lines, polys, strips.
        cells: [RawCells; 4],
    },
    Image {
        extent: [i64; 6],
        origin: [f64; 3],
        spacing: [f64; 3],
        /// Row-major; columns are the i, j, k axes' world directions (VTK's `GetDirectionMatrix`).
        direction: [f64; 9],
    },
    Grid {
        points: ArrayData,
        cells: RawCells,
        types: ArrayData,
        /// VTK 9.4's polyhedron faces and per-cell face lists, when there are polyhedra.
        faces: Option<(RawCells, RawCells)>,
    },
}

/// A dataset taken apart.
struct Parts {
    /// The VTK class name, for error messages.
    class: String,
    geometry: Geometry,
    point_data: Vec<RawArray>,
    cell_data: Vec<RawArray>,
}

const DATASETS: &str = "'polydata', 'image' or 'grid'";

fn item<'py>(parts: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    parts
        .get_item(key)?
        .ok_or_else(|| PyKeyError::new_err(format!("arraydict: parts without {key:?}")))
}

/// The elements of a 1-D array, read in place.
fn values(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<ArrayData> {
    from_python::flat_array(obj, path)?
        .map_err(|p| Failure::Tree(format!("{}: {}", p.path, p.message)).into_pyerr(obj.py()))
}

fn raw_cells(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<RawCells> {
    let (offsets, connectivity): (Bound<'_, PyAny>, Bound<'_, PyAny>) = obj.extract()?;
    Ok(RawCells {
        offsets: values(&offsets, &format!("{path} offsets"))?,
        connectivity: values(&connectivity, &format!("{path} connectivity"))?,
    })
}

fn raw_arrays(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Vec<RawArray>> {
    let mut out = Vec::new();
    for entry in obj.try_iter()? {
        let (name, components, array): (String, usize, Bound<'_, PyAny>) = entry?.extract()?;
        let values = values(&array, &format!("{path} '{name}'"))?;
        out.push(RawArray {
            name,
            components,
            values,
        });
    }
    Ok(out)
}

impl Parts {
    /// Reads the parts dict `_vtk_objects` builds (its arrays in place, not copied).
    fn from_python(parts: &Bound<'_, PyDict>) -> PyResult<Self> {
        let class: String = item(parts, "class")?.extract()?;
        let dataset: String = item(parts, "dataset")?.extract()?;
        let geometry = match dataset.as_str() {
            "polydata" => {
                let cells: Vec<Bound<'_, PyAny>> = item(parts, "cells")?.extract()?;
                let [v, l, p, s] = cells.as_slice() else {
                    return Err(PyKeyError::new_err(
                        "arraydict: polydata parts need 4 cells",
                    ));
                };
                Geometry::Poly {
                    points: values(&item(parts, "points")?, &format!("{class} points"))?,
                    cells: [
                        raw_cells(v, &format!("{class} verts"))?,
                        raw_cells(l, &format!("{class} lines"))?,
                        raw_cells(p, &format!("{class} polys"))?,
                        raw_cells(s, &format!("{class} strips"))?,
                    ],
                }
            }
            "image" => Geometry::Image {
                extent: item(parts, "extent")?.extract()?,
                origin: item(parts, "origin")?.extract()?,
                spacing: item(parts, "spacing")?.extract()?,
                direction: item(parts, "direction")?.extract()?,
            },
            "grid" => {
                let faces = item(parts, "faces")?;
                let faces = if faces.is_none() {
                    None
                } else {
                    let (f, l): (Bound<'_, PyAny>, Bound<'_, PyAny>) = faces.extract()?;
                    Some((
                        raw_cells(&f, &format!("{class} polyhedron faces"))?,
                        raw_cells(&l, &format!("{class} polyhedron face locations"))?,
                    ))
                };
                Geometry::Grid {
                    points: values(&item(parts, "points")?, &format!("{class} points"))?,
                    cells: raw_cells(&item(parts, "cells")?, &format!("{class} cells"))?,
                    types: values(&item(parts, "cell_types")?, &format!("{class} cell types"))?,
                    faces,
                }
            }
            other => {
                return Err(PyKeyError::new_err(format!(
                    "arraydict: dataset {other:?}, expected {DATASETS}"
                )))
            }
        };
        Ok(Self {
            geometry,
            point_data: raw_arrays(&item(parts, "point_data")?, &format!("{class} point array"))?,
            cell_data: raw_arrays(&item(parts, "cell_data")?, &format!("{class} cell array"))?,
            class,
        })
    }

    /// The parts dict `_vtk_objects` builds a VTK object from (every array a new numpy array).
    fn into_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("class", &self.class)?;
        let cells = |c: RawCells| -> PyResult<Bound<'py, PyTuple>> {
            PyTuple::new(
                py,
                [
                    to_python::vector(py, c.offsets)?,
                    to_python::vector(py, c.connectivity)?,
                ],
            )
        };
        match self.geometry {
            Geometry::Poly { points, cells: all } => {
                out.set_item("dataset", "polydata")?;
                out.set_item("points", to_python::vector(py, points)?)?;
                let all = all.into_iter().map(&cells).collect::<PyResult<Vec<_>>>()?;
                out.set_item("cells", PyList::new(py, all)?)?;
            }
            Geometry::Image {
                extent,
                origin,
                spacing,
                direction,
            } => {
                out.set_item("dataset", "image")?;
                out.set_item("extent", extent)?;
                out.set_item("origin", origin)?;
                out.set_item("spacing", spacing)?;
                out.set_item("direction", direction)?;
            }
            Geometry::Grid {
                points,
                cells: grid_cells,
                types,
                faces,
            } => {
                out.set_item("dataset", "grid")?;
                out.set_item("points", to_python::vector(py, points)?)?;
                out.set_item("cells", cells(grid_cells)?)?;
                out.set_item("cell_types", to_python::vector(py, types)?)?;
                match faces {
                    Some((f, l)) => out.set_item("faces", (cells(f)?, cells(l)?))?,
                    None => out.set_item("faces", py.None())?,
                }
            }
        }
        for (key, arrays) in [
            ("point_data", self.point_data),
            ("cell_data", self.cell_data),
        ] {
            let list = PyList::empty(py);
            for a in arrays {
                list.append((a.name, a.components, to_python::vector(py, a.values)?))?;
            }
            out.set_item(key, list)?;
        }
        Ok(out)
    }
}

/// The end offsets (VTK XML's form: one per cell) of VTK 9 offsets, which start at 0.
fn end_offsets(offsets: &ArrayData, what: &str) -> Result<Vec<i64>, Failure> {
    if offsets.is_empty() {
        return Ok(Vec::new());
    }
    if offsets.get_i64(0) != Some(0) {
        return Err(Failure::Tree(format!(
            "{what}: the first offset is {}, expected 0",
            offsets.get_f64(0)
        )));
    }
    if let Some(v) = i64::slice(offsets) {
        return Ok(v[1..].to_vec());
    }
    let mut v = offsets
        .to_i64_vec()
        .map_err(|i| Failure::Tree(format!("{what}: offset {i} is not an integer id")))?;
    v.remove(0);
    Ok(v)
}

/// The ids as `i32` when they all fit (one pass to check, vectorised, one to copy).
fn narrowed(ids: &[i64]) -> Option<Vec<i32>> {
    let (lo, hi) = ids
        .iter()
        .fold((0i64, 0i64), |(lo, hi), &i| (lo.min(i), hi.max(i)));
    (i32::try_from(lo).is_ok() && i32::try_from(hi).is_ok())
        .then(|| ids.iter().map(|&i| i as i32).collect())
}

fn cell_array(raw: RawCells, what: &str) -> Result<CellArray, Failure> {
    let ends = end_offsets(&raw.offsets, what)?;
    // VTK's two storages, each copied once (`unwrap` of another dtype would copy for nothing).
    let cells = match raw.connectivity.dtype() {
        DType::I32 => {
            let ids = i32::unwrap(raw.connectivity).unwrap_or_default();
            CellArray::from_end_offsets_vec_i32(ends, ids)
        }
        DType::I64 => {
            // VTK's default 64-bit ids, narrowed as our XML reader narrows them: the tree's ids
            // are int32, so the conversion then moves them instead of copying.
            if let Some(ids) = i64::slice(&raw.connectivity).and_then(narrowed) {
                CellArray::from_end_offsets_vec_i32(ends, ids)
            } else {
                let ids = i64::unwrap(raw.connectivity).unwrap_or_default();
                CellArray::from_end_offsets_vec(ends, ids)
            }
        }
        _ => {
            let ids = raw
                .connectivity
                .to_i64_vec()
                .map_err(|i| Failure::Tree(format!("{what}: id {i} is not an integer")))?;
            CellArray::from_end_offsets_vec(ends, ids)
        }
    };
    cells.map_err(|e| Failure::Tree(format!("{what}: {e}")))
}

fn attributes(arrays: Vec<RawArray>, what: &str) -> Result<Attributes, Failure> {
    arrays
        .into_iter()
        .map(|a| {
            DataArray::new(a.name, a.components, a.values)
                .map_err(|e| Failure::Tree(format!("{what}: {e}")))
        })
        .collect()
}

fn points(values: ArrayData, what: &str) -> Result<DataArray, Failure> {
    DataArray::new("Points", 3, values).map_err(|e| Failure::Tree(format!("{what} points: {e}")))
}

impl Parts {
    /// The dataset (its arrays still in VTK's memory).
    fn into_dataset(self) -> Result<DataSet, Failure> {
        let what = self.class.as_str();
        let point_data = attributes(self.point_data, what)?;
        let cell_data = attributes(self.cell_data, what)?;
        let model = |e: vtk_model::ModelError| Failure::Tree(format!("{what}: {e}"));
        Ok(match self.geometry {
            Geometry::Poly { points: p, cells } => {
                let [verts, lines, polys, strips] = cells;
                let cells = PolyCells {
                    verts: cell_array(verts, &format!("{what} verts"))?,
                    lines: cell_array(lines, &format!("{what} lines"))?,
                    polys: cell_array(polys, &format!("{what} polys"))?,
                    strips: cell_array(strips, &format!("{what} strips"))?,
                };
                PolyData::try_new(points(p, what)?, cells, point_data, cell_data)
                    .map_err(model)?
                    .into()
            }
            Geometry::Image {
                extent,
                origin,
                spacing,
                direction,
            } => ImageData::try_new(
                extent,
                origin,
                spacing,
                Matrix3::from_row_slice(&direction),
                point_data,
                cell_data,
            )
            .map_err(model)?
            .into(),
            Geometry::Grid {
                points: p,
                cells,
                types,
                faces,
            } => {
                let types = u8::unwrap(types)
                    .map_err(|d| Failure::Tree(format!("{what}: cell types of {:?}", d.dtype())))?;
                let faces = match faces {
                    Some((f, l)) => Some(PolyhedronFaces {
                        faces: cell_array(f, &format!("{what} polyhedron faces"))?,
                        cell_faces: cell_array(l, &format!("{what} polyhedron face locations"))?,
                    }),
                    None => None,
                };
                UnstructuredGrid::try_new(
                    points(p, what)?,
                    cell_array(cells, &format!("{what} cells"))?,
                    types.into_iter().map(CellType).collect(),
                    faces,
                    point_data,
                    cell_data,
                )
                .map_err(model)?
                .into()
            }
        })
    }
}

/// VTK 9 offsets and connectivity, as `int64` (`vtkIdType`, the storage VTK's readers give).
fn wide_cells(cells: CellArray) -> RawCells {
    let (offsets, connectivity) = cells.into_parts();
    RawCells {
        offsets: ArrayData::I64(offsets),
        connectivity: ArrayData::I64(connectivity),
    }
}

/// The arrays of `attributes`, owned (copied out of the tree's numpy arrays).
fn owned_arrays(attributes: Attributes) -> Vec<RawArray> {
    attributes
        .into_iter()
        .map(|a| {
            let (name, components, values) = a.into_parts();
            RawArray {
                name,
                components,
                values: values.into_owned(),
            }
        })
        .collect()
}

impl Parts {
    /// The parts of `ds`, every array owned (a new VTK object must not share the tree's memory).
    fn of_dataset(ds: DataSet) -> Self {
        let (class, geometry, point_data, cell_data) = match ds {
            DataSet::PolyData(pd) => {
                let (p, cells, pd, cd) = pd.into_parts();
                let PolyCells {
                    verts,
                    lines,
                    polys,
                    strips,
                } = cells;
                let cells = [verts, lines, polys, strips].map(wide_cells);
                let points = p.into_data().into_owned();
                ("vtkPolyData", Geometry::Poly { points, cells }, pd, cd)
            }
            DataSet::ImageData(img) => {
                let (extent, origin, spacing, d, pd, cd) = img.into_parts();
                let mut direction = [0.0; 9];
                for (i, v) in direction.iter_mut().enumerate() {
                    *v = d[(i / 3, i % 3)];
                }
                let geometry = Geometry::Image {
                    extent,
                    origin,
                    spacing,
                    direction,
                };
                ("vtkImageData", geometry, pd, cd)
            }
            DataSet::UnstructuredGrid(grid) => {
                let (p, cells, types, faces, pd, cd) = grid.into_parts();
                let geometry = Geometry::Grid {
                    points: p.into_data().into_owned(),
                    cells: wide_cells(cells),
                    types: ArrayData::U8(types.into_iter().map(|t| t.0).collect()),
                    faces: faces.map(|f| (wide_cells(f.faces), wide_cells(f.cell_faces))),
                };
                ("vtkUnstructuredGrid", geometry, pd, cd)
            }
        };
        Self {
            class: class.into(),
            geometry,
            point_data: owned_arrays(point_data),
            cell_data: owned_arrays(cell_data),
        }
    }
}

/// The tree with every array in memory of its own: arrays the conversion passed through still
/// view VTK's buffers, which the tree must not share (VTK may free or change them).
fn owned_tree(tree: Dict) -> Result<Dict, Failure> {
    let owned = |a: NdArray| {
        let (data, shape, order) = a.into_parts();
        NdArray::new(data.into_owned(), shape, order).map_err(|e| Failure::Tree(e.to_string()))
    };
    let mut out = Dict::new();
    for (key, node) in tree {
        let node = match node {
            Node::Dict(d) => Node::Dict(owned_tree(d)?),
            Node::Array(a) => Node::Array(owned(a)?),
            Node::List(items) => {
                Node::List(items.into_iter().map(owned).collect::<Result<_, _>>()?)
            }
        };
        out.insert(key, node);
    }
    Ok(out)
}

/// The tree of a VTK object taken apart by arraydict.from_vtk (private: call from_vtk).
#[pyfunction]
#[pyo3(
    name = "_from_vtk_parts",
    signature = (parts, *, kind=None, cell_to_point=false, cells_as_list=false, type_names=true)
)]
#[allow(clippy::fn_params_excessive_bools)]
pub fn from_vtk_parts<'py>(
    py: Python<'py>,
    parts: &Bound<'py, PyDict>,
    kind: Option<&str>,
    cell_to_point: bool,
    cells_as_list: bool,
    type_names: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let kind = kind
        .map(io::parse_kind)
        .transpose()
        .map_err(|f| f.into_pyerr(py))?;
    let settings = ReadSettings::for_dataset(kind, cell_to_point, cells_as_list, type_names);
    let parts = Parts::from_python(parts)?;
    let tree = worker::run(py, None, Writes::No, move |_| {
        let class = parts.class.clone();
        let ds = parts.into_dataset()?;
        owned_tree(io::dataset_to_tree(ds, &settings, Path::new(&class))?)
    })?;
    to_python::dict(py, tree)
}

/// The parts arraydict.to_vtk builds a VTK object from (private: call to_vtk).
#[pyfunction]
#[pyo3(name = "_to_vtk_parts", signature = (tree, *, kind=None))]
pub fn to_vtk_parts<'py>(
    py: Python<'py>,
    tree: &Bound<'py, PyAny>,
    kind: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let kind = kind
        .map(io::parse_kind)
        .transpose()
        .map_err(|f| f.into_pyerr(py))?;
    let tree = crate::tree_from_python(tree)?;
    let parts = worker::run(py, None, Writes::No, move |_| {
        Ok(Parts::of_dataset(io::tree_to_dataset(tree, kind)?))
    })?;
    parts.into_python(py)
}
