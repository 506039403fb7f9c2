//! Atomic file replacement: every backend writes into a temporary file next to the target and
//! renames it into place (`atomic-output`), so a failed write leaves no output and never damages an
//! existing file.

use std::fs::File;
use std::path::Path;

use crate::StoreError;

/// Runs `fill` on a new temporary file in `path`'s directory (it gets the temporary path and the
/// open file) and, when it succeeds, renames it to `path` (flushing it to disk first when
/// `durability` asks for it). On any error the temporary file is removed and `path` is untouched.
pub(crate) fn write_atomically(
    path: &Path,
    durability: atomic_output::Durability,
    fill: impl FnOnce(&Path, &mut File) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = atomic_output::create_temp(path).map_err(io)?;
    let tmp_path = tmp.path().to_path_buf();
    fill(&tmp_path, tmp.as_file_mut())?;
    atomic_output::persist(tmp, path, durability).map_err(io)
}
