//! The HDF5 compression setting, in a module of its own because both the format dispatch
//! (`format.rs`, which holds it in its options) and the HDF5 writer (`h5/`) use it, and `format.rs`
//! calls into `h5/`: kept in either, the two would import each other.

/// HDF5 dataset compression (VMTK's `-compression` flag and `-compressionlevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Contiguous datasets.
    None,
    /// Chunked datasets with the deflate filter at this level (0-9; larger values are taken as 9).
    Gzip(u8),
}

impl Default for Compression {
    /// VMTK's default: gzip level 4.
    fn default() -> Self {
        Self::Gzip(4)
    }
}
