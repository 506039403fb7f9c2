use std::io::Write;
use std::path::Path;

use crate::{Commit, FormatError};

/// How errors name an output that is a [`Write`] rather than a path (the formats' `write_to`).
pub(crate) const STREAM: &str = "<stream>";

/// Writes a file through [`atomic_output::write_with`], the one place every output is persisted: a
/// regular file's content goes to a temporary file in its directory, which is renamed over it only
/// when `write` succeeded, so a failure leaves no output and never damages an existing file. A
/// symbolic link is followed (its final target is replaced, the link stays); a character device,
/// FIFO or socket is written through and never replaced; `-` is standard output. See
/// [`atomic_output::OutputTarget`].
pub(crate) fn write_atomic<F>(
    path: &Path,
    commit: impl Into<Commit>,
    write: F,
) -> Result<(), FormatError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), FormatError>,
{
    let io = |source: std::io::Error| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    atomic_output::write_with(path, commit, io, write)
}
