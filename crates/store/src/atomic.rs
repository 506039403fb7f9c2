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
    remove_stale_temporaries(dir);
    let prefix = temp_prefix();
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn stale_temporaries_of_dead_writers_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 4294967295 exceeds any pid_max, so its writer is certainly gone; pid 1 is alive.
        let dead = dir.path().join(".arraydict-4294967295-abc.tmp");
        let live = dir.path().join(".arraydict-1-abc.tmp");
        let own = dir.path().join(format!("{}abc.tmp", temp_prefix()));
        let unrelated = dir.path().join(".arraydict-abc.tmp");
        for p in [&dead, &live, &own, &unrelated] {
            std::fs::write(p, b"partial").unwrap();
        }
        write_atomically(&dir.path().join("out.bin"), |_, f| {
            std::io::Write::write_all(f, b"done").map_err(|source| StoreError::Io {
                path: dir.path().to_path_buf(),
                source,
            })
        })
        .unwrap();
        assert!(!dead.exists());
        assert!(live.exists() && own.exists() && unrelated.exists());
        assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), b"done");
    }
}
