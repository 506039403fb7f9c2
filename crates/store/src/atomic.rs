//! Output files through `atomic-output`: a regular file is written to a temporary beside it and
//! renamed into place, so a failed write leaves no output and never damages an existing file; a
//! device, FIFO or standard output (`-`) is written through; symbolic links are followed.

use std::io::Write;
use std::path::Path;

use crate::StoreError;

/// Runs `fill` on a buffered writer to the output `path` names (see [`atomic_output::OutputTarget`])
/// and, when it succeeds, commits it (flushing it to disk first when `commit` asks for it, refusing to replace a file when it
/// says so), through
/// [`atomic_output::write_with`] as every other writer of the workspace. On any error a temporary
/// file is removed and an existing file at `path` is untouched.
pub(crate) fn write_atomically(
    path: &Path,
    commit: atomic_output::Commit,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    atomic_output::write_with(path, commit, io, fill)
}

/// [`write_atomically`] for a writer that creates its file itself (the HDF5 library): `create`
/// must create the path it is given exclusively, `fill` then writes and closes what it returned.
/// For a stream or standard output the file is made in the temporary directory and copied through.
/// See [`atomic_output::create_with`] for why the file is not made first and reopened.
pub(crate) fn write_atomically_created<F>(
    path: &Path,
    commit: atomic_output::Commit,
    mut create: impl FnMut(&Path) -> Result<F, StoreError>,
    fill: impl FnOnce(F) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut failure = None;
    let made = atomic_output::create_with(path, |tmp_path| {
        create(tmp_path).or_else(|e| {
            // A directory that takes no new file (missing, read-only) is an I/O error as for the
            // other formats, with the OS's reason, not whatever the library made of it.
            std::fs::File::create_new(tmp_path)?;
            let _ = std::fs::remove_file(tmp_path);
            failure = Some(e);
            Err(std::io::Error::other(
                "the writer could not create its temporary file",
            ))
        })
    });
    let (file, output) = made.map_err(|e| failure.take().unwrap_or_else(|| io(e)))?;
    let temporary = output.temp_path().to_path_buf();
    fill(file).map_err(|e| naming_the_target(e, &temporary, path))?;
    output.commit(commit).map_err(io)
}

/// The library's messages name the file it wrote, the temporary (`filename =
/// '/dir/.arraydict-123-abc.tmp'`): a user knows the output by its own name.
fn naming_the_target(e: StoreError, temporary: &Path, target: &Path) -> StoreError {
    match e {
        StoreError::Hdf5 { path, key, detail } => StoreError::Hdf5 {
            path,
            key,
            detail: detail.replace(
                temporary.to_string_lossy().as_ref(),
                target.to_string_lossy().as_ref(),
            ),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_messages_name_the_target_not_the_temporary() {
        let temporary = Path::new("/out/.arraydict-12-abc.tmp");
        let e = StoreError::Hdf5 {
            path: "/out/x.hdf5".into(),
            key: "/Points".into(),
            detail: "file write failed: filename = '/out/.arraydict-12-abc.tmp', errno = 28".into(),
        };
        let named = naming_the_target(e, temporary, Path::new("/out/x.hdf5"));
        let text = named.to_string();
        assert!(text.contains("filename = '/out/x.hdf5'"), "{text}");
        assert!(!text.contains(".arraydict-"), "{text}");
    }
}
