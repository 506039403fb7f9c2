//! Unfiltered contiguous datasets (h5py's and our layout without compression) read by us: each
//! one's bytes are a single run at the address HDF5 reports.
//!
//! The reader walks the whole tree with HDF5 first and only notes these runs; then all of them are
//! read together, in pieces spread over every core. Reading each dataset as the walk met it left
//! cores idle at the end of every dataset (a 6 MB array is three 2 MiB pieces for two cores) and
//! sent small ones through `H5Dread` on one core: an HDF5 -> raw `.vtp` run of a 1M-triangle
//! surface spent 7.7 ms in its four datasets that way.

use std::fs::File;
use std::os::unix::fs::FileExt;

use arraydict::{ArrayData, DType};
use hdf5::Dataset;
use rayon::prelude::*;

/// Runs shorter than this are left to `H5Dread`: noting and placing them costs more than it saves.
const MIN_RUN: usize = 64 << 10;

/// The pieces runs are read in.
const PIECE: usize = 2 << 20;

/// A dataset to read once the walk is done: its key, where its bytes are, and the array they go to.
pub(super) struct Deferred {
    pub key: String,
    pub addr: u64,
    pub data: ArrayData,
    pub shape: Vec<usize>,
}

/// Where `ds`'s bytes lie, when they can be read straight into an array of `dtype`: contiguous,
/// unfiltered, allocated, stored as exactly the native type (order, size, precision, padding), and
/// at least [`MIN_RUN`] bytes. `None` sends the dataset to `H5Dread`; an error is a run past the
/// end of the file.
pub(super) fn run_of(file: &File, ds: &Dataset, dtype: DType, shape: &[usize]) -> Option<Result<u64, String>> {
    if ds.chunk().is_some() || !ds.filters().is_empty() {
        return None;
    }
    let len = shape.iter().try_fold(dtype.size(), |acc, &d| acc.checked_mul(d))?;
    if len < MIN_RUN || ds.storage_size() != len as u64 {
        return None;
    }
    let native = hdf5::Datatype::from_descriptor(&super::native_descriptor(dtype)).ok()?;
    if ds.dtype().ok()? != native {
        return None;
    }
    let addr = ds.offset()?;
    let file_len = file.metadata().ok()?.len();
    let end = addr.checked_add(len as u64)?;
    Some(if end > file_len {
        Err(format!("the data lies at bytes {addr}..{end}, past the end of the file ({file_len} bytes)"))
    } else {
        Ok(addr)
    })
}

/// Reads every run into its array, in pieces on all cores. An error names the first dataset (in
/// walk order) that failed, and what failed.
pub(super) fn read_all(file: &File, runs: &mut [Deferred]) -> Result<(), (String, String)> {
    let mut pieces: Vec<(usize, u64, &mut [u8])> = Vec::new();
    for (i, run) in runs.iter_mut().enumerate() {
        let addr = run.addr;
        for (k, piece) in run.data.as_bytes_mut().chunks_mut(PIECE).enumerate() {
            pieces.push((i, addr + (k * PIECE) as u64, piece));
        }
    }
    let first_failure = pieces
        .into_par_iter()
        .filter_map(|(i, at, piece)| {
            let len = piece.len();
            file.read_exact_at(piece, at)
                .err()
                .map(|e| (i, format!("reading {len} bytes at byte {at}: {e}")))
        })
        .min_by_key(|(i, _)| *i);
    match first_failure {
        Some((i, detail)) => Err((runs[i].key.clone(), detail)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::ArrayData;
    use arraydict::{Dict, MemoryOrder, NdArray, Node};

    /// Contiguous datasets of every size class -- below the run minimum, one piece, several
    /// pieces with a partial last one -- in nested groups and a list read back exactly.
    #[test]
    fn deferred_runs_land_in_their_places() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.h5");
        let mut t = Dict::new();
        let big: Vec<f64> = (0..700_001).map(|i| f64::from(i) * 0.25).collect();
        t.insert("big", NdArray::new(ArrayData::F64(big), vec![700_001], MemoryOrder::C).unwrap());
        let mut inner = Dict::new();
        inner.insert("small", NdArray::vector((0..100).collect::<Vec<i32>>()));
        let ids: Vec<i32> = (0..3 * 50_000).map(|i| i % 977).collect();
        inner.insert("ids", NdArray::new(ArrayData::I32(ids), vec![50_000, 3], MemoryOrder::C).unwrap());
        t.insert("inner", inner);
        let list: Vec<NdArray> = (0..3).map(|k| NdArray::vector((0..40_000 * (k + 1)).map(|i| i as u16).collect::<Vec<_>>())).collect();
        let mut cd = Dict::new();
        cd.insert("CellPointIds", Node::List(list));
        t.insert("CellData", cd);
        let opts = crate::WriteOptions { format: Some(crate::StoreFormat::Hdf5), compression: crate::Compression::None, ..crate::WriteOptions::default() };
        crate::write(&path, &t, &opts).unwrap();
        let back = crate::read(&path, &crate::ReadOptions::default()).unwrap();
        assert_eq!(back, t);
    }
}
