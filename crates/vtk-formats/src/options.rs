/// Which world frame `MetaImage` geometry is reported in (SPEC section 9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ImageFrame {
    /// VMTK's view (its ITK-based reader): origin and direction multiplied by `diag(-1, -1, 1)`.
    /// For the real aorta.mha this gives origin `(156.445, 24.6094, 0)` and an identity direction.
    #[default]
    Ras,
    /// The file's own LPS numbers (what `vtkMetaImageReader` reports, plus the direction).
    Lps,
}

/// Options for reading any supported file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// World frame for `MetaImage` files (`.vti`/`.vtk` images carry no frame and are read as they are).
    pub frame: ImageFrame,
    /// Upper bound for any single allocation a reader makes from sizes declared in the file (bytes).
    /// Declared sizes are also checked against the bytes actually present.
    pub max_alloc: u64,
    /// Let a `MetaImage` header's `ElementDataFile` name an absolute path or one that leaves the
    /// header's directory (`../x.raw`). Off by default: a header from elsewhere must not make the
    /// reader open arbitrary files. Relative paths inside the header's directory always work.
    pub allow_external_data_files: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            frame: ImageFrame::Ras,
            max_alloc: 64 << 30,
            allow_external_data_files: false,
        }
    }
}
