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
    remove_stale_temporaries(dir);
    let prefix = temp_prefix();
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
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

/// Temporary outputs are named `.arraydict-<pid>-<random>.tmp` so that a later write into the same
/// directory can tell the temporaries of killed writers (their process is gone) from those of
/// writers still running, and remove the former.
fn temp_prefix() -> String {
    format!(".arraydict-{}-", std::process::id())
}

/// Removes temporaries left in `dir` by writers that were killed (SIGKILL, power loss) before they
/// could clean up. Only on systems with `/proc`, where "process gone" can be told; best effort.
fn remove_stale_temporaries(dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".arraydict-")) else { continue };
        let Some((pid, tail)) = rest.split_once('-') else { continue };
        let is_tmp = Path::new(tail).extension() == Some(std::ffi::OsStr::new("tmp"));
        if !is_tmp || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || pid == own {
            continue;
        }
        if !proc.join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
