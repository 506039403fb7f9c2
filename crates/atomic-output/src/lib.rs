//! Output files that appear whole or not at all.
//!
//! Every writer of the workspace (VTK formats and ArrayDict stores) writes into a temporary file in
//! the target's directory and renames it over the target only when the write succeeded, so a failed
//! or killed conversion never leaves a partial file or damages an existing one. Temporaries of killed
//! writers are removed by the next write into the same directory.

use std::io;
use std::path::Path;

pub use tempfile::{NamedTempFile, TempPath};

/// A new temporary file in `path`'s directory, to be filled and then handed to [`persist`].
/// Dropping it without persisting removes it.
pub fn create_temp(path: &Path) -> io::Result<NamedTempFile> {
    let dir = parent_dir(path);
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
    builder.tempfile_in(dir)
}

/// A new temporary file in `path`'s directory that `create` makes itself, for writers that must
/// open their file themselves (the HDF5 library). `create` gets a path no file has and must create
/// it exclusively (failing with [`io::ErrorKind::AlreadyExists`] if one appeared meanwhile, upon
/// which another name is tried). Returns what `create` returned and the temporary's path, which
/// removes the file when dropped unless [`persist_path`] renamed it.
///
/// Why not [`create_temp`] and reopening it: a writer that reopens an existing file with `O_TRUNC`
/// (as `H5F_ACC_TRUNC` does) makes ext4 flush the whole file to disk when it is closed (its
/// `auto_da_alloc` heuristic for files rewritten through a truncation), which costs about as much
/// as writing an uncompressed output in the first place.
pub fn create_temp_with<R>(path: &Path, create: impl FnMut(&Path) -> io::Result<R>) -> io::Result<(R, TempPath)> {
    let dir = parent_dir(path);
    remove_stale_temporaries(dir);
    let prefix = temp_prefix();
    let tmp = tempfile::Builder::new().prefix(&prefix).suffix(".tmp").make_in(dir, create)?;
    Ok(tmp.into_parts())
}

/// [`persist`] for a temporary made by [`create_temp_with`], whose file the writer has closed.
pub fn persist_path(tmp: TempPath, path: &Path, durability: Durability) -> io::Result<()> {
    if durability == Durability::Synced {
        std::fs::File::open(&tmp)?.sync_all()?;
    }
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(&tmp, meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if durability == Durability::Synced {
        sync_parent_dir(path)?;
    }
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// How far [`persist`] goes to make an output survive failures.
///
/// Both levels make the output appear whole or not at all to every other process, and leave an
/// existing file intact when the writer fails or is killed. They differ only after an operating
/// system crash or power loss.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Durability {
    /// Rename only, as `cp`, h5py and VTK's writers do: after a power loss the new file may be
    /// missing or empty until the OS had written it back (a few seconds). The default, because an
    /// fsync per output costs as much as the conversion itself on large uncompressed files.
    #[default]
    Atomic,
    /// Also flush the file to the disk before the rename and the directory after it, so a renamed
    /// output survives a power loss.
    Synced,
}

/// Renames `tmp` to `path` (after flushing it to disk when `durability` asks for it), keeping the
/// permissions of a file it replaces.
pub fn persist(tmp: NamedTempFile, path: &Path, durability: Durability) -> io::Result<()> {
    if durability == Durability::Synced {
        tmp.as_file().sync_all()?;
    }
    if let Ok(meta) = std::fs::metadata(path) {
        // Replacing a file keeps its permissions, as rewriting it in place would.
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if durability == Durability::Synced {
        sync_parent_dir(path)?;
    }
    Ok(())
}

/// The rename itself is durable only once the directory entry is on disk.
#[cfg(unix)]
fn sync_parent_dir(path: &Path) -> io::Result<()> {
    std::fs::File::open(parent_dir(path))?.sync_all()
}

#[cfg(not(unix))]
fn sync_parent_dir(_path: &Path) -> io::Result<()> {
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
        if !process_alive(proc, pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A killed writer whose parent has not reaped it yet is a zombie: its `/proc` entry still exists
/// (state `Z` or `X`) but it will never finish its temporary file.
fn process_alive(proc: &Path, pid: &str) -> bool {
    let Ok(stat) = std::fs::read_to_string(proc.join(pid).join("stat")) else {
        return proc.join(pid).exists();
    };
    // `pid (comm) state ...`; comm may itself contain ')' and spaces, so split at the last ')'.
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, Some("Z" | "X"))
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
        let out = dir.path().join("out.bin");
        let mut tmp = create_temp(&out).unwrap();
        std::io::Write::write_all(tmp.as_file_mut(), b"done").unwrap();
        persist(tmp, &out, Durability::Atomic).unwrap();
        assert!(!dead.exists());
        assert!(live.exists() && own.exists() && unrelated.exists());
        assert_eq!(std::fs::read(&out).unwrap(), b"done");
    }

    #[test]
    fn temporaries_of_unreaped_killed_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
        let zombie = dir.path().join(format!(".arraydict-{}-abc.tmp", child.id()));
        std::fs::write(&zombie, b"partial").unwrap();
        child.kill().unwrap();
        // Not waited for yet: the child is a zombie whose /proc entry still exists.
        let stat = std::path::Path::new("/proc").join(child.id().to_string());
        for _ in 0..200 {
            if !process_alive(std::path::Path::new("/proc"), &child.id().to_string()) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(stat.exists(), "the killed child should still be an unreaped zombie");
        let out = dir.path().join("out.bin");
        let tmp = create_temp(&out).unwrap();
        persist(tmp, &out, Durability::Synced).unwrap();
        assert!(!zombie.exists(), "a zombie writer's temporary must be removed");
        child.wait().unwrap();
    }

    #[test]
    fn a_synced_persist_writes_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        let mut tmp = create_temp(&out).unwrap();
        std::io::Write::write_all(tmp.as_file_mut(), b"new").unwrap();
        persist(tmp, &out, Durability::Synced).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_unpersisted_temporary_leaves_nothing_and_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        let mut tmp = create_temp(&out).unwrap();
        std::io::Write::write_all(tmp.as_file_mut(), b"half").unwrap();
        drop(tmp); // a failed write never persists
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn replacing_keeps_the_permissions_of_the_old_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        let tmp = create_temp(&out).unwrap();
        persist(tmp, &out, Durability::Atomic).unwrap();
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o640);
    }

    /// The writer creates the temporary itself (exclusively, as HDF5 does with `H5F_ACC_EXCL`).
    #[test]
    fn a_temporary_the_writer_creates_is_persisted_or_removed() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.h5");
        std::fs::write(&out, b"old").unwrap();
        let create = |p: &Path| std::fs::OpenOptions::new().write(true).create_new(true).open(p);
        // Not persisted (a failed write): the temporary goes, the old file stays.
        let (mut file, tmp) = create_temp_with(&out, create).unwrap();
        assert!(tmp.exists() && tmp.file_name().unwrap().to_str().unwrap().starts_with(&temp_prefix()));
        file.write_all(b"half").unwrap();
        drop((file, tmp));
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Persisted, synced: the new bytes replace the old file.
        for durability in [Durability::Atomic, Durability::Synced] {
            let (mut file, tmp) = create_temp_with(&out, create).unwrap();
            file.write_all(b"new").unwrap();
            drop(file);
            persist_path(tmp, &out, durability).unwrap();
            assert_eq!(std::fs::read(&out).unwrap(), b"new");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
        // A failing creator's error comes back as it was.
        let err = create_temp_with(&out, |_| Err::<(), _>(io::Error::other("no HDF5 today"))).unwrap_err();
        assert_eq!(err.to_string(), "no HDF5 today");
    }

    #[cfg(unix)]
    #[test]
    fn a_writer_created_temporary_keeps_the_permissions_of_the_old_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.h5");
        std::fs::write(&out, b"old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        let (file, tmp) = create_temp_with(&out, |p| std::fs::File::create_new(p)).unwrap();
        drop(file);
        persist_path(tmp, &out, Durability::Atomic).unwrap();
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o640);
    }
}
