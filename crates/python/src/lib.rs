//! `arraydict._native`: the compiled half of the `arraydict` Python package (PyO3 + rust-numpy).
//!
//! A thin layer: [`io`] composes the workspace's library calls as the `arraydict` command does,
//! [`to_python`] and [`from_python`] move trees between Rust and numpy without copying array data,
//! [`worker`] runs the file work with the GIL released and Ctrl-C honoured, and [`errors`] turns
//! failures into the package's exceptions. The docstrings below are the Python ones
//! (`help(arraydict.read)`), which is why they are written for Python readers.
// The docstrings are Python's (shown by `help()`), not rustdoc: Python names are not in backticks.
#![allow(clippy::doc_markdown, clippy::doc_link_with_quotes)]

mod errors;
mod from_python;
mod io;
mod to_python;
mod vtk_objects;
mod worker;

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::errors::{invalid_tree, Failure};
use crate::io::{ReadSettings, WriteArgs, WriteSettings};
use crate::worker::Writes;

/// Converts a Python tree, raising `InvalidTreeError` for a value that cannot be an array.
pub(crate) fn tree_from_python(tree: &Bound<'_, PyAny>) -> PyResult<arraydict::Dict> {
    from_python::tree(tree)?.map_err(|p| {
        let line = format!("{}: {}", p.path, p.message);
        invalid_tree(tree.py(), line.clone(), vec![line])
    })
}

fn kind_arg(kind: Option<&str>) -> Result<Option<arraydict::Kind>, Failure> {
    kind.map(io::parse_kind).transpose()
}

/// Read a VTK file or an ArrayDict file into an ArrayDict: a dict of numpy arrays.
///
/// A VTK file (.vtp .vtu .vti .vtk .mha .mhd .stl) gives the tree VMTK's
/// vmtkSurfaceToNumpy / vmtkCenterlinesToNumpy / vmtkImageToNumpy / vmtkMeshToNumpy give, plus our
/// extension keys; an ArrayDict file (.hdf5/.h5 .pickle/.pkl .msgpack/.mpk) gives the tree it
/// holds. The result is exactly what pickle.load gives for the pickle `arraydict to-numpy` writes
/// of the same file: plain dict, list and numpy.ndarray, same key order, dtypes, shapes and memory
/// orders (an image array is the Fortran-ordered (nx, ny, nz) view of VTK's buffer).
///
/// No array is copied on the way to Python: numpy owns the buffers the Rust reader filled. The one
/// exception: arrays VTK stores with permuted axes (3x3 tensors, multi-component image arrays)
/// come C-ordered, as the command's pickle stores them, which takes one copy.
/// Uncompressed HDF5 datasets of 64 KiB and more are read-only views of a mapping of the file
/// (their .base keeps it mapped) unless copy=True: while such a view is alive, another program
/// that changes or truncates the file changes the array or crashes the reader.
///
/// Parameters
/// ----------
/// path : str or os.PathLike
/// kind : {"surface", "centerlines", "image", "mesh"}, optional
///     The tree a VTK file becomes (default: polygons -> surface, only lines -> centerlines).
/// cell_to_point : bool
///     VMTK's ConvertCellToPoint: cell arrays averaged onto the points.
/// cells_as_list : bool
///     VMTK's StructureCellsAsList: mesh cells as a list of per-cell id arrays.
/// type_names : bool
///     VMTK's ReturnCellTypesAsStrings: the mesh's /Cells/CellTypesAsStrings dict.
/// frame : {"ras", "lps"}
///     MetaImage geometry in VMTK's view ("ras") or the file's own numbers ("lps").
/// copy : bool
///     Read HDF5 datasets into writable memory instead of viewing the mapped file.
/// allow_external_data_file : bool
///     Let a .mhd header name a data file outside its directory.
/// threads : int, optional
///     Worker threads for this call (default: all cores; see below).
///
/// Returns
/// -------
/// dict
///
/// Raises
/// ------
/// FileNotFoundError, PermissionError
///     The file is missing or not readable.
/// FormatError, StoreError
///     The file is not a valid file of its format (the message says where and why).
///
/// Threads and interruption: the file is read with the GIL released, so Python threads reading
/// other files run in parallel. Decompression and conversion use rayon's pool, all cores by
/// default: set RAYON_NUM_THREADS before the first call, or pass threads=N for one call. Ctrl-C
/// interrupts a long read (KeyboardInterrupt).
///
/// Examples
/// --------
/// >>> import arraydict as ad
/// >>> surface = ad.read("aorta-surface.vtp")
/// >>> surface["Points"].shape, surface["CellData"]["CellPointIds"].dtype
/// ((6468, 3), dtype('int32'))
/// >>> image = ad.read("aorta.mha", frame="lps")
/// >>> image["PointData"]["MetaImage"].flags.f_contiguous
/// True
#[pyfunction]
#[pyo3(signature = (
    path, *, kind=None, cell_to_point=false, cells_as_list=false, type_names=true, frame="ras",
    copy=false, allow_external_data_file=false, threads=None
))]
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
fn read<'py>(
    py: Python<'py>,
    path: PathBuf,
    kind: Option<&str>,
    cell_to_point: bool,
    cells_as_list: bool,
    type_names: bool,
    frame: &str,
    copy: bool,
    allow_external_data_file: bool,
    threads: Option<usize>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let settings = (|| -> Result<ReadSettings, Failure> {
        Ok(ReadSettings {
            kind: kind_arg(kind)?,
            cell_to_point,
            cells_as_list,
            type_names,
            frame: io::parse_frame(frame)?,
            allow_external_data_file,
            copy,
        })
    })()
    .map_err(|f| f.into_pyerr(py))?;
    let tree = worker::run(py, threads, Writes::No, move |_| {
        io::read_file(&path, &settings)
    })?;
    to_python::dict(py, tree)
}

/// The write options shared by `write` and `convert`.
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
fn write_settings(
    kind: Option<&str>,
    format: Option<&str>,
    compression: &str,
    level: u8,
    pickle_protocol: u8,
    xml_compression: &str,
    xml_level: Option<u32>,
    xml_encoding: &str,
    legacy_version: &str,
    legacy_ascii: bool,
    meta_uncompressed: bool,
    stl_ascii: bool,
    frame: &str,
    sync: bool,
) -> Result<WriteSettings, Failure> {
    let format = format.map(io::parse_format).transpose()?;
    io::write_settings(
        kind_arg(kind)?,
        format,
        &WriteArgs {
            compression,
            level,
            pickle_protocol,
            xml_compression,
            xml_level,
            xml_encoding,
            legacy_version,
            legacy_ascii,
            meta_uncompressed,
            stl_ascii,
            frame: io::parse_frame(frame)?,
            sync,
        },
    )
}

/// Write an ArrayDict to a VTK file or an ArrayDict file, atomically.
///
/// The format is the extension's (or format=): .vtp .vtu .vti .vtk .mha .mhd .stl make a VTK file
/// (what VMTK's vmtkNumpyTo* + a VTK writer make, without their losses), .hdf5/.h5 .pickle/.pkl
/// .msgpack/.mpk an ArrayDict file. The tree is first checked against its kind's schema (kind=,
/// else detected from its keys), with the rules and messages of `arraydict validate`: an invalid
/// tree raises InvalidTreeError and writes nothing. The file appears complete or not at all: it is
/// written beside its final name and renamed into place (an existing file stays as it was if the
/// write fails or is interrupted).
///
/// Accepted trees: dicts and any Mapping (VMTK's vividict, OrderedDict), lists or tuples of
/// arrays, numpy arrays of int8-int64, uint8-uint64, float32 and float64 in any memory order or
/// byte order (and ndarray subclasses such as VMTK's VTKArray), and array-likes (lists of numbers),
/// converted as numpy.asarray converts them. C- or Fortran-contiguous arrays are read in place,
/// not copied; strided views and byte-swapped arrays are copied once. Do not change the arrays from
/// another thread while they are being written.
///
/// Parameters
/// ----------
/// tree : Mapping
/// path : str or os.PathLike
/// kind : {"surface", "centerlines", "image", "mesh"}, optional
/// format : str, optional
///     "hdf5", "pickle", "msgpack", "vtp", "vtu", "vti", "vtk", "mha" or "stl", for a path whose
///     extension does not say.
/// compression : {"gzip", "none"}
///     HDF5 datasets chunked + deflate (VMTK's default) or contiguous.
/// level : int
///     HDF5 gzip level, 0-9.
/// pickle_protocol : int
///     2-5; 4 loads in numpy 1.x and 2.x, 5 only in numpy 2.x.
/// xml_compression : {"zlib", "lz4", "lzma", "none"}
/// xml_level : int, optional
///     0-9, the level of the zlib or LZMA compressor (default 6 for zlib, 5 for LZMA as VTK).
/// xml_encoding : {"appended-raw", "appended-base64", "inline-base64", "ascii"}
/// legacy_version : {"4.2", "5.1"}
/// legacy_ascii : bool
///     Legacy .vtk as text instead of binary.
/// meta_uncompressed : bool
///     MetaImage pixel data without zlib.
/// stl_ascii : bool
///     STL as text (vtkSTLWriter's ASCII layout) instead of binary.
/// frame : {"ras", "lps"}
///     The frame of the tree's image geometry, for MetaImage output.
/// sync : bool
///     Flush the file to disk before renaming it into place (survives a power loss; slower).
/// threads : int, optional
///     Worker threads for this call (default: all cores, or RAYON_NUM_THREADS).
///
/// Raises
/// ------
/// InvalidTreeError
///     The tree breaks its kind's schema (.problems lists every problem).
/// FormatError, StoreError, OSError
///
/// The file is written with the GIL released; Ctrl-C interrupts it (KeyboardInterrupt) and no
/// output appears (Ctrl-C cancels every arraydict write in flight in the process).
///
/// Examples
/// --------
/// >>> import arraydict as ad
/// >>> surface = ad.read("aorta-surface.vtp")
/// >>> surface["PointData"]["Scalars_"] *= 2
/// >>> ad.write(surface, "aorta-scaled.vtp")
/// >>> ad.write(surface, "aorta-surface.hdf5", compression="none")
#[pyfunction]
#[pyo3(signature = (
    tree, path, *, kind=None, format=None, compression="gzip", level=4, pickle_protocol=4,
    xml_compression="zlib", xml_level=None, xml_encoding="appended-raw", legacy_version="4.2", legacy_ascii=false,
    meta_uncompressed=false, stl_ascii=false, frame="ras", sync=false, threads=None
))]
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
fn write(
    py: Python<'_>,
    tree: &Bound<'_, PyAny>,
    path: PathBuf,
    kind: Option<&str>,
    format: Option<&str>,
    compression: &str,
    level: u8,
    pickle_protocol: u8,
    xml_compression: &str,
    xml_level: Option<u32>,
    xml_encoding: &str,
    legacy_version: &str,
    legacy_ascii: bool,
    meta_uncompressed: bool,
    stl_ascii: bool,
    frame: &str,
    sync: bool,
    threads: Option<usize>,
) -> PyResult<()> {
    let settings = write_settings(
        kind,
        format,
        compression,
        level,
        pickle_protocol,
        xml_compression,
        xml_level,
        xml_encoding,
        legacy_version,
        legacy_ascii,
        meta_uncompressed,
        stl_ascii,
        frame,
        sync,
    )
    .map_err(|f| f.into_pyerr(py))?;
    let tree = tree_from_python(tree)?;
    worker::run(py, threads, Writes::Yes, move |cancel| {
        if cancel.is_set() {
            return Err(Failure::Interrupted);
        }
        io::write_tree(tree, &path, &settings)
    })
}

/// Convert a file to another without building Python objects: what the arraydict command does.
///
/// A VTK file becomes an ArrayDict file (`arraydict to-numpy`), an ArrayDict file a VTK file
/// (`arraydict from-numpy`, checking the tree first); a VTK file may also become another VTK file,
/// and an ArrayDict file another ArrayDict file. The output appears complete or not at all.
/// Options are read's (for the source) and write's (for the destination); frame= applies to
/// both (MetaImage geometry read and written in that frame).
///
/// All the work runs with the GIL released, on rayon's pool (all cores by default; threads=N for
/// this call, or RAYON_NUM_THREADS), so a pool of Python threads converts files in parallel.
/// Ctrl-C interrupts it (KeyboardInterrupt) and no output appears (Ctrl-C cancels every arraydict
/// write in flight in the process).
///
/// Raises
/// ------
/// FileNotFoundError, PermissionError, FormatError, StoreError, InvalidTreeError
///
/// Examples
/// --------
/// >>> import arraydict as ad
/// >>> ad.convert("aorta-surface.vtp", "aorta-surface.hdf5", compression="none")
/// >>> ad.convert("aorta-surface.hdf5", "aorta-surface.vtk", legacy_version="5.1")
#[pyfunction]
#[pyo3(signature = (
    src, dst, *, kind=None, cell_to_point=false, cells_as_list=false, type_names=true,
    frame="ras", allow_external_data_file=false, format=None, compression="gzip", level=4,
    pickle_protocol=4, xml_compression="zlib", xml_level=None, xml_encoding="appended-raw", legacy_version="4.2",
    legacy_ascii=false, meta_uncompressed=false, stl_ascii=false, sync=false, threads=None
))]
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
fn convert(
    py: Python<'_>,
    src: PathBuf,
    dst: PathBuf,
    kind: Option<&str>,
    cell_to_point: bool,
    cells_as_list: bool,
    type_names: bool,
    frame: &str,
    allow_external_data_file: bool,
    format: Option<&str>,
    compression: &str,
    level: u8,
    pickle_protocol: u8,
    xml_compression: &str,
    xml_level: Option<u32>,
    xml_encoding: &str,
    legacy_version: &str,
    legacy_ascii: bool,
    meta_uncompressed: bool,
    stl_ascii: bool,
    sync: bool,
    threads: Option<usize>,
) -> PyResult<()> {
    let (read, write) = (|| -> Result<_, Failure> {
        let read = ReadSettings {
            kind: kind_arg(kind)?,
            cell_to_point,
            cells_as_list,
            type_names,
            frame: io::parse_frame(frame)?,
            allow_external_data_file,
            copy: false,
        };
        let write = write_settings(
            kind,
            format,
            compression,
            level,
            pickle_protocol,
            xml_compression,
            xml_level,
            xml_encoding,
            legacy_version,
            legacy_ascii,
            meta_uncompressed,
            stl_ascii,
            frame,
            sync,
        )?;
        Ok((read, write))
    })()
    .map_err(|f| f.into_pyerr(py))?;
    worker::run(py, threads, Writes::Yes, move |cancel| {
        io::convert(&src, &dst, &read, &write, &|| cancel.is_set())
    })
}

/// Check a tree against its kind's schema; return None or raise InvalidTreeError.
///
/// The rules and messages are those of `arraydict validate` (and of write, which validates
/// first). kind defaults to the one the tree's keys say (see detect_kind).
///
/// Raises
/// ------
/// InvalidTreeError
///     .problems lists every problem, each "path: message".
///
/// Examples
/// --------
/// >>> import numpy as np, arraydict as ad
/// >>> ad.validate({"Points": np.zeros((3, 3)), "PointData": {},
/// ...              "CellData": {"CellPointIds": np.array([[0, 1, 3]], np.int32)}})
/// Traceback (most recent call last):
///   ...
/// arraydict.InvalidTreeError: invalid surface tree:
/// /CellData/CellPointIds: ...
#[pyfunction]
#[pyo3(signature = (tree, kind=None))]
fn validate(py: Python<'_>, tree: &Bound<'_, PyAny>, kind: Option<&str>) -> PyResult<()> {
    let kind = kind_arg(kind).map_err(|f| f.into_pyerr(py))?;
    let tree = tree_from_python(tree)?;
    // The checks scan every id array: other threads run meanwhile.
    let (result, tree) = py.detach(move || (io::validate_tree(&tree, kind), tree));
    drop(tree);
    result.map_err(|f| f.into_pyerr(py))
}

/// The kind a tree's keys say: "surface", "centerlines", "image", "mesh", or None.
///
/// Dimensions/Origin/Spacing mean an image, Cells a mesh; a polydata tree is centerlines when its
/// /CellData/CellPointIds is a list, a surface otherwise.
///
/// Examples
/// --------
/// >>> import arraydict as ad
/// >>> ad.detect_kind(ad.read("aorta.mha"))
/// 'image'
#[pyfunction]
fn detect_kind(tree: &Bound<'_, PyAny>) -> PyResult<Option<&'static str>> {
    let tree = tree_from_python(tree)?;
    Ok(io::detect(&tree).map(io::kind_name))
}

/// The (input, output) pairs `arraydict batch` would convert: `inputs` are files, directories
/// (searched recursively) and glob patterns; outputs go under `out_dir` with the extension
/// `suffix`, named as batch names them. Files of the other direction found in directories are
/// skipped; the backend of `arraydict.dask.convert_many` and `arraydict.dask.plan`.
///
/// Raises ArrayDictError naming every clash (two inputs, one output) or every input named
/// explicitly that this direction does not convert, before anything is written.
#[pyfunction]
// pyo3 extracts arguments as owned values.
#[allow(clippy::needless_pass_by_value)]
fn batch_plan(
    py: Python<'_>,
    inputs: Vec<String>,
    out_dir: std::path::PathBuf,
    suffix: &str,
) -> PyResult<Vec<(std::path::PathBuf, std::path::PathBuf)>> {
    use arraydict_cli::batch::{find, plan, Direction};
    let direction = if arraydict_cli::is_store_file(std::path::Path::new(&format!(
        "x.{}",
        suffix.trim_start_matches('.')
    ))) {
        Direction::ToArrayDict
    } else {
        Direction::ToVtk
    };
    let planned = py.detach(|| -> Result<_, String> {
        let found = find(&inputs, direction, &out_dir).map_err(|e| format!("{e:#}"))?;
        if !found.wrong_direction.is_empty() {
            let names: Vec<String> = found
                .wrong_direction
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            return Err(format!(
                "these inputs are not converted to {suffix} files (wrong direction): {}",
                names.join(", ")
            ));
        }
        let outputs = plan(&found.inputs, &out_dir, suffix).map_err(|e| e.to_string())?;
        Ok(found
            .inputs
            .into_iter()
            .map(|i| i.path)
            .zip(outputs)
            .collect())
    });
    planned.map_err(errors::ArrayDictError::new_err)
}

/// Remove the temporaries that killed writers (a worker process lost mid-write) left in each of
/// `dirs`; those of live processes are kept. `arraydict.dask.convert_many` calls it on its output
/// directories at the end, as every write does in its own directory.
#[pyfunction]
// pyo3 extracts arguments as owned values.
#[allow(clippy::needless_pass_by_value)]
fn remove_stale_temporaries(py: Python<'_>, dirs: Vec<PathBuf>) {
    py.detach(|| {
        for dir in &dirs {
            atomic_output::remove_stale_temporaries(dir);
        }
    });
}

/// Run the arraydict command with argv (the program name first) and return its exit code.
///
/// The entry of the package's `arraydict` console script and of `python -m arraydict`
/// (arraydict/__main__.py): the same command as the Rust binary, with the GIL released while it
/// runs. It is made for a process of its own: it installs the command's signal handling for the
/// whole process (Ctrl-C, SIGTERM and SIGHUP remove the temporaries of the writes in flight and
/// end the process with 130, 143 or 129), so from a long-lived interpreter (Jupyter) run the
/// command in a subprocess, or call read/write/convert.
///
/// Examples
/// --------
/// >>> from arraydict import _native
/// >>> _native.main(["arraydict", "validate", "aorta_surface.hdf5"])
/// aorta_surface.hdf5: valid surface
/// 0
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<std::ffi::OsString>) -> u8 {
    py.detach(move || io::run_command(argv))
}

/// The compiled module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(write, m)?)?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(detect_kind, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(batch_plan, m)?)?;
    m.add_function(wrap_pyfunction!(remove_stale_temporaries, m)?)?;
    m.add_function(wrap_pyfunction!(vtk_objects::from_vtk_parts, m)?)?;
    m.add_function(wrap_pyfunction!(vtk_objects::to_vtk_parts, m)?)?;
    m.add("ArrayDictError", py.get_type::<errors::ArrayDictError>())?;
    m.add("FormatError", py.get_type::<errors::FormatError>())?;
    m.add("StoreError", py.get_type::<errors::StoreError>())?;
    m.add(
        "InvalidTreeError",
        py.get_type::<errors::InvalidTreeError>(),
    )?;
    m.add_class::<to_python::MappedBuffer>()?;
    Ok(())
}
