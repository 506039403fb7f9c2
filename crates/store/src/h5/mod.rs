//! HDF5 backend (SPEC section 8): dict -> group, array -> dataset, list -> group of datasets
//! `'0'..'n-1'`, no attributes.
//!
//! Layout choices:
//! - Datasets hold the array's logical shape in C order (Fortran-ordered images are transposed
//!   on write) and its little-endian dtype.
//! - `Compression::Gzip(level)`: chunked with h5py's chunk-shape guess (so our files look like
//!   VMTK's) and the deflate filter, no shuffle. The chunks are compressed by us on all cores and
//!   handed to HDF5 pre-filtered (`H5Dwrite_chunk`). `Compression::None`, empty arrays and 0-d
//!   arrays are contiguous (HDF5 has no zero-sized or 0-d chunks).
//! - Every group we write tracks and indexes link creation order (as h5py's `track_order=True`),
//!   so reading our own files gives the keys back in the order they were written. Groups without a
//!   creation-order index (VMTK's and h5py's default) are read in HDF5 name order.
//! - Reading: a group whose members are exactly `'0'..'n-1'` (n >= 1), all datasets, is a list in
//!   numeric order (SPEC 7.8); any integer/float dataset of the ten dtypes, any byte order, any
//!   layout or standard filter HDF5 decodes (gzip, shuffle, fletcher32) is converted to native.
//!
//! What an HDF5 file cannot carry: an empty list (it is an empty group, which reads back as an
//! empty dict), a dict whose keys are exactly `'0'..'n-1'` with only arrays (reads back as a list),
//! keys that are empty, `.` or contain `/` or NUL (rejected on write).

#[cfg(unix)]
mod chunked_read;
#[cfg(unix)]
mod contiguous;
mod ffi;
mod read;

use std::path::Path;

use arraydict::{DType, Dict, NdArray, Node};
use hdf5::plist::group_create::LinkCreationOrder;
use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use hdf5::{Group, H5Type};
use rayon::prelude::*;

use crate::layout::{c_order_data, guess_chunk, ChunkGrid};
use crate::{Compression, StoreError};

#[cfg(feature = "testing")]
pub(crate) use read::as_list;
pub(crate) use read::{inspect_file, read_file};

/// How one HDF5 dataset is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatasetStorage {
    /// `contiguous`, `chunked`, `compact` or `virtual`.
    pub layout: String,
    /// The chunk shape of a chunked dataset.
    pub chunks: Option<Vec<usize>>,
    /// The filter pipeline, in order.
    pub filters: Vec<StorageFilter>,
    /// Bytes the dataset occupies in the file (compressed, when it is).
    pub stored_bytes: u64,
}

/// One filter of an HDF5 dataset's pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorageFilter {
    /// `gzip`, `shuffle`, `fletcher32`, `szip`, `nbit`, `scaleoffset`, or HDF5's description.
    pub name: String,
    /// The compression level, for `gzip`.
    pub level: Option<u32>,
}

impl StorageFilter {
    pub(crate) fn named(name: &str) -> Self {
        Self {
            name: name.into(),
            level: None,
        }
    }
}

/// How `ds` is stored: layout, chunk shape, filters with their levels.
fn storage_of(ds: &hdf5::Dataset) -> DatasetStorage {
    use hdf5::filters::Filter;
    use hdf5::plist::dataset_create::Layout;
    let layout = match ds.layout() {
        Layout::Compact => "compact",
        Layout::Contiguous => "contiguous",
        Layout::Chunked => "chunked",
        Layout::Virtual => "virtual",
    };
    let filters = ds
        .filters()
        .into_iter()
        .map(|f| match f {
            Filter::Deflate(level) => StorageFilter {
                name: "gzip".into(),
                level: Some(u32::from(level)),
            },
            Filter::Shuffle => StorageFilter::named("shuffle"),
            Filter::Fletcher32 => StorageFilter::named("fletcher32"),
            Filter::SZip(..) => StorageFilter::named("szip"),
            Filter::NBit => StorageFilter::named("nbit"),
            Filter::ScaleOffset(_) => StorageFilter::named("scaleoffset"),
            Filter::User(id, _) => StorageFilter::named(&format!("filter {id}")),
        })
        .collect();
    DatasetStorage {
        layout: layout.into(),
        chunks: ds.chunk(),
        filters,
        stored_bytes: ds.storage_size(),
    }
}

/// Uncompressed bytes compressed per parallel batch before the batch is handed to HDF5; bounds
/// the memory held in compressed chunks (at most about this much).
const BATCH_BYTES: usize = 32 << 20;

/// The HDF5 type of each of the ten dtypes, in native byte order: the one table for writing,
/// reading and checking that stored bytes need no conversion.
fn native_descriptor(dtype: DType) -> TypeDescriptor {
    match dtype {
        DType::I8 => TypeDescriptor::Integer(IntSize::U1),
        DType::I16 => TypeDescriptor::Integer(IntSize::U2),
        DType::I32 => TypeDescriptor::Integer(IntSize::U4),
        DType::I64 => TypeDescriptor::Integer(IntSize::U8),
        DType::U8 => TypeDescriptor::Unsigned(IntSize::U1),
        DType::U16 => TypeDescriptor::Unsigned(IntSize::U2),
        DType::U32 => TypeDescriptor::Unsigned(IntSize::U4),
        DType::U64 => TypeDescriptor::Unsigned(IntSize::U8),
        DType::F32 => TypeDescriptor::Float(FloatSize::U4),
        DType::F64 => TypeDescriptor::Float(FloatSize::U8),
    }
}

/// The dtype `desc` describes, if it is one of the ten.
fn dtype_of(desc: &TypeDescriptor) -> Option<DType> {
    DType::ALL
        .into_iter()
        .find(|&d| native_descriptor(d) == *desc)
}

/// Maps an HDF5 error to [`StoreError::Hdf5`] naming `path` and `key` (`/` for the root).
fn hdf5_error(path: &Path, key: &str) -> impl Fn(hdf5::Error) -> StoreError {
    let key = if key.is_empty() {
        "/".to_owned()
    } else {
        key.to_owned()
    };
    let path = path.to_path_buf();
    move |e: hdf5::Error| StoreError::Hdf5 {
        path: path.clone(),
        key: key.clone(),
        detail: e.to_string(),
    }
}

/// The boundary datasets of at least [`contiguous::MIN_RUN`] bytes start on in files we write.
const DATA_ALIGNMENT: u64 = 64;

/// Creates a new HDF5 file at `target` (a temporary path no file has yet, created exclusively:
/// `H5F_ACC_TRUNC` on an existing file costs a flush to disk at close on ext4); errors name `path`.
pub(crate) fn create_file(target: &Path, path: &Path) -> Result<hdf5::File, StoreError> {
    hdf5::File::with_options()
        // No object timestamps (HDF5's default records them): same tree, same bytes, any day.
        .with_fcpl(|p| {
            p.link_creation_order(LinkCreationOrder::Indexed)
                .obj_track_times(false)
        })
        // The target is a fresh temporary file only we know, so HDF5's flock protects nothing;
        // and HDF5 opens without O_CLOEXEC, so a child process spawned meanwhile would inherit
        // the lock and keep the renamed file locked against readers.
        // Large datasets start on a 64-byte boundary, so a reader mapping the file (ours, numpy's
        // memmap) can view every dtype in place: without it an int64 dataset lands at any 4-byte
        // offset and must be copied (a 1M-hexahedron mesh read 75 MB of copies that way).
        .with_fapl(|p| {
            p.file_locking(false)
                .alignment(contiguous::MIN_RUN as u64, DATA_ALIGNMENT)
        })
        .create_excl(target)
        .map_err(hdf5_error(path, ""))
}

/// Writes `tree` into `file` (made by [`create_file`]) and closes it; errors name `path`.
pub(crate) fn write_tree(
    file: hdf5::File,
    path: &Path,
    tree: &Dict,
    compression: Compression,
) -> Result<(), StoreError> {
    let writer = Writer { path, compression };
    writer.write_dict(&file, tree, "")?;
    file.close().map_err(hdf5_error(path, ""))
}

struct Writer<'a> {
    path: &'a Path,
    compression: Compression,
}

impl Writer<'_> {
    fn hdf5_err(&self, key: &str) -> impl Fn(hdf5::Error) -> StoreError {
        hdf5_error(self.path, key)
    }

    fn new_group(&self, parent: &Group, name: &str, key: &str) -> Result<Group, StoreError> {
        parent
            .create_group_builder()
            .with_gcpl(|p| {
                p.link_creation_order(LinkCreationOrder::Indexed)
                    .obj_track_times(false)
            })
            .create(name)
            .map_err(self.hdf5_err(key))
    }

    fn write_dict(&self, group: &Group, dict: &Dict, prefix: &str) -> Result<(), StoreError> {
        for (name, node) in dict.iter() {
            let key = format!("{prefix}/{name}");
            self.check_name(name, &key)?;
            match node {
                Node::Dict(d) => {
                    let sub = self.new_group(group, name, &key)?;
                    self.write_dict(&sub, d, &key)?;
                }
                Node::Array(a) => self.write_dataset(group, name, a, &key)?,
                Node::List(list) => {
                    let sub = self.new_group(group, name, &key)?;
                    for (i, a) in list.iter().enumerate() {
                        self.write_dataset(&sub, &i.to_string(), a, &format!("{key}/{i}"))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn check_name(&self, name: &str, key: &str) -> Result<(), StoreError> {
        if name.is_empty() || name == "." || name.contains('/') || name.contains('\0') {
            return Err(StoreError::Unsupported {
                path: self.path.to_path_buf(),
                key: key.to_owned(),
                detail: format!(
                    "{name:?} cannot be an HDF5 link name (empty, '.', or contains '/' or NUL)"
                ),
            });
        }
        Ok(())
    }

    fn write_dataset(
        &self,
        group: &Group,
        name: &str,
        array: &NdArray,
        key: &str,
    ) -> Result<(), StoreError> {
        let data = c_order_data(array);
        let shape = array.shape();
        let chunked = match self.compression {
            Compression::Gzip(level) if !shape.is_empty() && !array.is_empty() => {
                Some(level.min(9))
            }
            _ => None,
        };
        vtk_model::with_array_data!(data.as_ref(), v => self.write_typed(group, name, v, shape, chunked, key))
    }

    fn write_typed<T: H5Type + bytemuck::Pod + Send + Sync>(
        &self,
        group: &Group,
        name: &str,
        values: &[T],
        shape: &[usize],
        gzip_level: Option<u8>,
        key: &str,
    ) -> Result<(), StoreError> {
        let err = self.hdf5_err(key);
        let Some(level) = gzip_level else {
            let ds = group
                .new_dataset::<T>()
                .shape(shape.to_vec())
                .obj_track_times(false)
                .create(name)
                .map_err(&err)?;
            if !values.is_empty() {
                ds.write_raw(values).map_err(&err)?;
            }
            return Ok(());
        };
        let elem = std::mem::size_of::<T>();
        let chunk = guess_chunk(shape, elem);
        let ds = group
            .new_dataset::<T>()
            .shape(shape.to_vec())
            .obj_track_times(false)
            .chunk(chunk.clone())
            .deflate(level)
            .create(name)
            .map_err(&err)?;
        let bytes: &[u8] = bytemuck::cast_slice(values);
        let grid = ChunkGrid::new(shape, &chunk);
        let chunk_bytes = chunk.iter().product::<usize>() * elem;
        let batch = (BATCH_BYTES / chunk_bytes.max(1))
            .max(rayon::current_num_threads())
            .max(1);
        let row_chunked = grid.is_row_chunked();
        let mut start = 0;
        while start < grid.len() {
            let end = (start + batch).min(grid.len());
            let compressed: Vec<(Vec<usize>, Vec<u8>)> = (start..end)
                .into_par_iter()
                .map_init(
                    || (Deflater::new(level), Vec::new(), Vec::new()),
                    |(deflater, scratch, gathered), i| {
                        let origin = grid.origin(i);
                        let run = i * chunk_bytes..(i + 1) * chunk_bytes;
                        // A full chunk of a row-chunked array is deflated where it lies.
                        let raw: &[u8] = if row_chunked && run.end <= bytes.len() {
                            &bytes[run]
                        } else {
                            *gathered = grid.gather(bytes, elem, &origin);
                            gathered
                        };
                        deflater.zlib(raw, scratch).map(|c| (origin, c))
                    },
                )
                .collect::<Result<_, String>>()
                .map_err(|detail| StoreError::Hdf5 {
                    path: self.path.to_path_buf(),
                    key: key.to_owned(),
                    detail,
                })?;
            for (origin, chunk) in compressed {
                ffi::write_raw_chunk(&ds, &origin, &chunk).map_err(&err)?;
            }
            start = end;
        }
        Ok(())
    }
}

/// Per-thread zlib compressor for chunks. libdeflate (whole-buffer, not streaming) is about twice
/// as fast as zlib at the same level and writes a standard zlib stream, which is what HDF5's
/// deflate filter stores and h5py inflates.
struct Deflater(libdeflater::Compressor);

impl Deflater {
    fn new(level: u8) -> Self {
        // Levels are clamped to 0..=9 by the caller; libdeflate accepts 0..=12.
        let lvl = libdeflater::CompressionLvl::new(i32::from(level.min(9))).unwrap_or_default();
        Deflater(libdeflater::Compressor::new(lvl))
    }

    /// A zlib stream of `raw`. It is deflated into `scratch` (reused by the caller's thread) and
    /// copied out at its exact size: a bound-sized buffer per chunk, truncated but not shrunk,
    /// held as much memory as the uncompressed chunks until they were written.
    fn zlib(&mut self, raw: &[u8], scratch: &mut Vec<u8>) -> Result<Vec<u8>, String> {
        scratch.resize(self.0.zlib_compress_bound(raw.len()), 0);
        let n = self
            .0
            .zlib_compress(raw, scratch)
            .map_err(|e| format!("deflating a {}-byte chunk: {e:?}", raw.len()))?;
        Ok(scratch[..n].to_vec())
    }
}
