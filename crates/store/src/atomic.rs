//! Atomic file replacement: every backend writes into a temporary file next to the target and
//! renames it into place, so a failed write leaves no output and never damages an existing file.

use std::fs::File;
use std::path::Path;

use crate::StoreError;

/// Runs `fill` on a new temporary file in `path`'s directory (it gets the temporary path and the
/// open file) and, when it succeeds, flushes the file to disk and renames it to `path`. On any
/// error the temporary file is removed and `path` is untouched.
pub(crate) fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&Path, &mut File) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".arraydict-").suffix(".tmp");
    #[cfg(unix)]
    {
        // NamedTempFile defaults to 0600; a store file is an ordinary file (0666 minus umask).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    let tmp_path = tmp.path().to_path_buf();
    fill(&tmp_path, tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(io)?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Replacing a file keeps its permissions, as rewriting it in place would.
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
