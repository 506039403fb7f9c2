//! Unfiltered contiguous datasets (h5py's and our layout without compression) read by us: each
//! one's bytes are a single run at the address HDF5 reports.
//!
//! The reader walks the whole tree with HDF5 first and only notes these runs; then each becomes a
//! view of a read-only mapping of the file (no copy, no fresh memory for the kernel to clear: an
//! HDF5 -> raw `.vtp` run of 26 MB of datasets went from 25.6 to 20.8 ms), or, where the
//! file cannot be mapped or a run is not aligned for its dtype, all of them are read together,
//! in pieces spread over every core. Reading each dataset as the walk met it left
//! cores idle at the end of every dataset (a 6 MB array is three 2 MiB pieces for two cores) and
//! sent small ones through `H5Dread` on one core: an HDF5 -> raw `.vtp` run of a 1M-triangle
//! surface spent 7.7 ms in its four datasets that way.

use std::fs::File;
use std::os::unix::fs::FileExt;

use arraydict::{ArrayData, DType};
use hdf5::Dataset;
use rayon::prelude::*;
use vtk_model::{SharedArray, SharedBytes};

/// Runs shorter than this are left to `H5Dread`: noting and placing them costs more than it saves.
pub(super) const MIN_RUN: usize = 64 << 10;

/// The pieces runs are read in.
const PIECE: usize = 2 << 20;

/// A dataset to read once the walk is done: its key, where its bytes are, and what they hold.
pub(super) struct Deferred {
    pub key: String,
    pub addr: u64,
    pub dtype: DType,
    pub shape: Vec<usize>,
}

impl Deferred {
    fn len(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Where `ds`'s bytes lie, when they can be read straight into an array of `dtype`: contiguous,
/// unfiltered, allocated, stored as exactly the native type (order, size, precision, padding), and
/// at least [`MIN_RUN`] bytes. `None` sends the dataset to `H5Dread`; an error is a run past the
/// end of the file.
pub(super) fn run_of(
    file: &File,
    ds: &Dataset,
    dtype: DType,
    shape: &[usize],
) -> Option<Result<u64, String>> {
    if ds.chunk().is_some() || !ds.filters().is_empty() {
        return None;
    }
    let len = shape
        .iter()
        .try_fold(dtype.size(), |acc, &d| acc.checked_mul(d))?;
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
        Err(format!(
            "the data lies at bytes {addr}..{end}, past the end of the file ({file_len} bytes)"
        ))
    } else {
        Ok(addr)
    })
}

/// The arrays of `runs`, in order. With `map`, each is a view of a read-only mapping of the file
/// where it can be (its bytes aligned for its dtype), so its bytes are neither copied nor given
/// fresh memory; the rest are read in pieces on all cores. An error names the first dataset (in
/// walk order) that failed, and what failed.
pub(super) fn read_all(
    file: &File,
    runs: &[Deferred],
    map: bool,
) -> Result<Vec<ArrayData>, (String, String)> {
    let mut out: Vec<Option<ArrayData>> = vec![None; runs.len()];
    if let Some(mapping) = map.then(|| map_file(file)).flatten() {
        for (slot, run) in out.iter_mut().zip(runs) {
            let start = usize::try_from(run.addr).ok();
            *slot = start
                .and_then(|start| SharedArray::new(run.dtype, mapping.clone(), start, run.len()))
                .map(ArrayData::Shared);
        }
    }
    let mut pieces: Vec<(usize, u64, &mut [u8])> = Vec::new();
    let mut owned: Vec<(usize, ArrayData)> = runs
        .iter()
        .enumerate()
        .filter(|(i, _)| out[*i].is_none())
        .map(|(i, run)| (i, ArrayData::zeros(run.dtype, run.len())))
        .collect();
    for (i, data) in &mut owned {
        let addr = runs[*i].addr;
        for (k, piece) in data.as_bytes_mut().chunks_mut(PIECE).enumerate() {
            pieces.push((*i, addr + (k * PIECE) as u64, piece));
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
    if let Some((i, detail)) = first_failure {
        return Err((runs[i].key.clone(), detail));
    }
    for (i, data) in owned {
        out[i] = Some(data);
    }
    // Every slot is filled: mapped above or read just now.
    Ok(out
        .into_iter()
        .zip(runs)
        .map(|(d, run)| d.unwrap_or_else(|| ArrayData::empty(run.dtype)))
        .collect())
}

/// A read-only mapping of the whole file, its pages mapped up front (one call instead of a fault
/// per 64 KiB when the writer first touches them); `None` where the file cannot be mapped.
fn map_file(file: &File) -> Option<SharedBytes> {
    // SAFETY: the mapping is read-only and private; what it cannot rule out is another process
    // truncating the file while it is mapped, which makes a later access raise SIGBUS (the CLI
    // reports that and exits) -- the risk every reader of mapped files takes.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(file) }.ok()?;
    Some(std::sync::Arc::new(map))
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
        t.insert(
            "big",
            NdArray::new(ArrayData::F64(big), vec![700_001], MemoryOrder::C).unwrap(),
        );
        let mut inner = Dict::new();
        inner.insert("small", NdArray::vector((0..100).collect::<Vec<i32>>()));
        let ids: Vec<i32> = (0..3 * 50_000).map(|i| i % 977).collect();
        inner.insert(
            "ids",
            NdArray::new(ArrayData::I32(ids), vec![50_000, 3], MemoryOrder::C).unwrap(),
        );
        t.insert("inner", inner);
        let list: Vec<NdArray> = (0..3)
            .map(|k| NdArray::vector((0..40_000 * (k + 1)).map(|i| i as u16).collect::<Vec<_>>()))
            .collect();
        let mut cd = Dict::new();
        cd.insert("CellPointIds", Node::List(list));
        t.insert("CellData", cd);
        let opts = crate::WriteOptions {
            format: Some(crate::StoreFormat::Hdf5),
            compression: crate::Compression::None,
            ..crate::WriteOptions::default()
        };
        crate::write(&path, &t, &opts).unwrap();
        let back = crate::read(&path, &crate::ReadOptions::default()).unwrap();
        assert_eq!(back, t);
        // Mapped by default, read into owned memory on request: the same tree either way.
        let data = |tree: &Dict, key: &str| match tree.get(key) {
            Some(Node::Array(a)) => a.data().clone(),
            _ => panic!("{key} is not an array"),
        };
        assert!(data(&back, "big").is_shared());
        let owned = crate::read(
            &path,
            &crate::ReadOptions {
                no_map: true,
                ..crate::ReadOptions::default()
            },
        )
        .unwrap();
        assert!(!data(&owned, "big").is_shared());
        assert_eq!(owned, t);
    }
}
