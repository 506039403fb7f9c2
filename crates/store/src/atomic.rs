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

/// [`write_atomically`] for a writer that creates its file itself (the HDF5 library): `create`
/// must create the path it is given exclusively, `fill` then writes and closes what it returned.
/// See [`atomic_output::create_temp_with`] for why the file is not made first and reopened.
pub(crate) fn write_atomically_created<F>(
    path: &Path,
    durability: atomic_output::Durability,
    mut create: impl FnMut(&Path) -> Result<F, StoreError>,
    fill: impl FnOnce(F) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut failure = None;
    let made = atomic_output::create_temp_with(path, |tmp_path| {
        create(tmp_path).map_err(|e| {
            failure = Some(e);
            std::io::Error::other("the writer could not create its temporary file")
        })
    });
    let (file, tmp) = match made {
        Ok(parts) => parts,
        Err(e) => {
            // A directory that takes no new file (missing, read-only) is an I/O error as for the
            // other formats, with the OS's reason, not whatever the library made of it.
            if let Err(unusable) = atomic_output::create_temp(path) {
                return Err(io(unusable));
            }
            return Err(failure.unwrap_or_else(|| io(e)));
        }
    };
    fill(file)?;
    atomic_output::persist_path(tmp, path, durability).map_err(io)
}
