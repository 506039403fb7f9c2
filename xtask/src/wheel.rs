//! `cargo xtask wheel`: the `arraydict` Python package (crates/python) as one abi3 wheel for
//! `CPython` >= 3.10, in `target/wheels/`, built by maturin from a pinned venv (`target/py/maturin`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{venv, Failure};

/// Builds the wheel (release profile, or dev with `dev`) and returns its path.
pub fn build(root: &Path, dev: bool) -> Result<PathBuf, Failure> {
    let python = venv::ensure(root, "maturin", "requirements-maturin.txt")?;
    let out = root.join("target/wheels");
    let before = wheels(&out);
    let mut cmd = Command::new(&python);
    cmd.args(["-m", "maturin", "build", "--manifest-path"])
        .arg(root.join("crates/python/Cargo.toml"))
        .arg("--out")
        .arg(&out)
        // The workspace's own target directory, so what `cargo test`/`cargo build` compiled (the
        // dependencies) is reused.
        .arg("--target-dir")
        .arg(root.join("target"));
    if dev {
        cmd.args(["--profile", "dev"]);
    } else {
        cmd.arg("--release");
    }
    let status = cmd
        .status()
        .map_err(|e| Failure(format!("running maturin: {e}")))?;
    if !status.success() {
        return Err(Failure(format!("maturin build failed ({status})")));
    }
    // The newest wheel of the package: maturin overwrites a wheel of the same name, so compare
    // modification times rather than names.
    let mut built = wheels(&out);
    built.sort_by_key(|(_, modified)| *modified);
    match built.pop() {
        Some((path, modified)) if !before.contains(&(path.clone(), modified)) => {
            println!("xtask: wheel {}", path.display());
            Ok(path)
        }
        _ => Err(Failure(format!(
            "maturin reported success but wrote no wheel to {}",
            out.display()
        ))),
    }
}

/// The package's wheels in `dir`, with their modification times.
fn wheels(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "whl")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("arraydict-"))
        })
        .filter_map(|p| {
            let modified = p.metadata().and_then(|m| m.modified()).ok()?;
            Some((p, modified))
        })
        .collect()
}
