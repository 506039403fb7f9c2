//! Locating the read-only real VMTK data in `../shared/real-vmtk` (relative to the workspace root)
//! from tests, skipping with a message when it is absent (a clone without ../shared beside it).
//!
//! ```
//! // In a test: skipped, saying so, without ../shared.
//! let Some(path) = test_support::shared_dir::real_vmtk("aorta-surface.vtp") else { return };
//! assert!(path.is_file());
//! ```
//!
//! `ARRAYDICT_SHARED` overrides the location of `shared/`.

use std::path::{Path, PathBuf};

/// The workspace root: the nearest ancestor of this crate with `xtask/` and `Cargo.lock`.
pub fn workspace_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .find(|p| p.join("xtask").is_dir() && p.join("Cargo.lock").is_file())
        .unwrap_or(crate_dir)
        .to_path_buf()
}

/// `shared/` (default `<workspace root>/../shared`), or `None` after printing
/// `SKIPPED: <what> (../shared absent)` when it does not exist.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("ARRAYDICT_SHARED")
        .map_or_else(|| workspace_root().join("../shared"), PathBuf::from);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {what} ({} absent)", dir.display());
        None
    }
}

/// `shared/real-vmtk/<name>`, or `None` after printing a `SKIPPED:` line when it is absent.
pub fn real_vmtk(name: &str) -> Option<PathBuf> {
    let path = shared_dir(&format!("real VMTK file {name}"))?
        .join("real-vmtk")
        .join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: real VMTK file {name} ({} absent; ../shared absent or incomplete)",
            path.display()
        );
        None
    }
}
