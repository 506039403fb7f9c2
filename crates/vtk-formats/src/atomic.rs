use std::io::{BufWriter, Write};
use std::path::Path;

use crate::FormatError;

/// Writes a file atomically: the content goes to a temporary file in the target's directory, which is
/// renamed over the target only when `write` succeeded. A failure leaves no output and never damages
/// an existing file.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), FormatError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), FormatError>,
{
    let io = |source: std::io::Error| FormatError::Io { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".arraydict-").suffix(".tmp");
    #[cfg(unix)]
    {
        // NamedTempFile defaults to 0600; an output is an ordinary file (0666 minus umask).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(io)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        write(&mut w)?;
        w.flush().map_err(io)?;
    }
    tmp.as_file().sync_data().map_err(io)?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Replacing a file keeps its permissions, as rewriting it in place would.
        tmp.as_file().set_permissions(meta.permissions()).map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
