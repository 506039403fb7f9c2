//! Path checks shared by the subcommands.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use arraydict_store::StoreFormat;

/// True when the path's extension names an ArrayDict store format.
pub fn is_store_file(path: &Path) -> bool {
    StoreFormat::from_extension(path).is_ok()
}

/// Fails unless `input` is an existing regular file.
pub fn check_input(input: &Path) -> Result<()> {
    let meta = std::fs::metadata(input)
        .with_context(|| format!("{}: cannot read input", input.display()))?;
    if !meta.is_file() {
        bail!("{}: not a regular file", input.display());
    }
    Ok(())
}

/// Fails when `output` is a directory, the input file itself, or in a directory that does not
/// exist. An input is never opened for writing.
pub fn check_output(input: &Path, output: &Path) -> Result<()> {
    if output.is_dir() {
        bail!(
            "{}: is a directory; give the output file's name (batch writes into a directory)",
            output.display()
        );
    }
    if output.as_os_str().as_encoded_bytes().ends_with(b"/") {
        bail!(
            "{}: names a directory (it ends with '/'); give the output file's name",
            output.display()
        );
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        bail!(
            "{}: output directory {} does not exist",
            output.display(),
            parent.display()
        );
    }
    if same_file(input, output) {
        bail!(
            "{}: output is the input file; choose another output path",
            output.display()
        );
    }
    Ok(())
}

fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((resolved(a), resolved(b)), (Some(x), Some(y)) if x == y)
}
