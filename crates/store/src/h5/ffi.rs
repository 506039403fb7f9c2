//! The only unsafe code of the crate: writing a pre-compressed chunk with `H5Dwrite_chunk`,
//! which hdf5-metno's safe API does not wrap. Compressing chunks ourselves is what lets gzip run
//! on every core while HDF5 itself stays single-threaded.

use hdf5::Dataset;
use hdf5_sys::h5::hsize_t;
use hdf5_sys::h5d::H5Dwrite_chunk;
use hdf5_sys::h5p::H5P_DEFAULT;

/// Writes one chunk of `dataset` whose bytes are already filtered (here: a zlib stream for the
/// dataset's deflate filter), starting at element `offset` (a multiple of the chunk shape).
///
/// Checks what HDF5 would otherwise trust blindly: one offset per dimension.
pub(crate) fn write_raw_chunk(
    dataset: &Dataset,
    offset: &[usize],
    filtered: &[u8],
) -> hdf5::Result<()> {
    let ndim = dataset.ndim();
    if offset.len() != ndim {
        return Err(hdf5::Error::from(format!(
            "chunk offset has {} dimensions, the dataset {ndim}",
            offset.len()
        )));
    }
    let offset: Vec<hsize_t> = offset.iter().map(|&o| o as hsize_t).collect();
    // Filter mask 0: every filter of the pipeline (deflate) was applied to `filtered`.
    let filter_mask = 0u32;
    hdf5::sync::sync(|| {
        // SAFETY: `dataset.id()` is a valid open dataset id for the lifetime of `dataset`;
        // `offset` points to `ndim` hsize_t values (checked above), which is what HDF5 reads;
        // `filtered` is a live buffer of exactly `filtered.len()` bytes that HDF5 only reads
        // during the call. The HDF5 library lock is held by `sync`, as hdf5-metno does for every
        // call, because the library is not thread-safe.
        let status = unsafe {
            H5Dwrite_chunk(
                dataset.id(),
                H5P_DEFAULT,
                filter_mask,
                offset.as_ptr(),
                filtered.len(),
                filtered.as_ptr().cast(),
            )
        };
        hdf5::h5check(status).map(|_| ())
    })
}
