use std::io::{BufWriter, Write};
use std::path::Path;

use crate::{Durability, FormatError};

/// Writes a file atomically: the content goes to a temporary file in the target's directory, which is
/// renamed over the target only when `write` succeeded (`atomic-output`). A failure leaves no output
/// and never damages an existing file.
pub fn write_atomic<F>(path: &Path, durability: Durability, write: F) -> Result<(), FormatError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), FormatError>,
{
    let io = |source: std::io::Error| FormatError::Io { path: path.to_path_buf(), source };
    let tmp = atomic_output::create_temp(path).map_err(io)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        write(&mut w)?;
        w.flush().map_err(io)?;
    }
    atomic_output::persist(tmp, path, durability).map_err(io)
}
