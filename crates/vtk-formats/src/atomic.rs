use std::io::{BufWriter, Write};
use std::path::Path;

use crate::{Durability, FormatError};

/// Writes a file through `atomic-output`: a regular file's content goes to a temporary file in its
/// directory, which is renamed over it only when `write` succeeded, so a failure leaves no output and
/// never damages an existing file. A symbolic link is followed (its final target is replaced, the link
/// stays); a character device, FIFO or socket is written through and never replaced; `-` is standard
/// output. See [`atomic_output::OutputTarget`].
pub fn write_atomic<F>(path: &Path, durability: Durability, write: F) -> Result<(), FormatError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), FormatError>,
{
    let io = |source: std::io::Error| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = atomic_output::Output::create(path).map_err(io)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, &mut out);
        write(&mut w)?;
        w.flush().map_err(io)?;
    }
    out.commit(durability).map_err(io)
}
