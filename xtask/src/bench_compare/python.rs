//! `cargo xtask bench-compare --python`: the Python package (`import arraydict`) in process against
//! VMTK 1.5.2's numpy adaptor scripts and the expert pipeline of `bench_reference.py`, run by
//! `xtask/python/bench_python.py` in the numpy-2 venv (issue 14's performance table).
//!
//! The package is the release wheel (`cargo xtask wheel`), installed with `pip --target` into
//! `target/bench-compare/py-site` so the test venvs keep their dev wheel. VMTK's wheel is
//! downloaded from `PyPI` into `target/bench-compare/vmtk` once (cp312 only, but its adaptors are
//! pure Python; the script runs them with stub compiled modules). VMTK's code is never committed.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::{cases::Layout, check_status};
use crate::{wheel, Failure};

/// The VMTK release whose adaptors the seed tutorial uses.
const VMTK: &str = "vmtk==1.5.2";

/// Runs the comparison and writes `target/bench-compare/python-report.md`; `Ok(false)` when a
/// target of issue 14 does not hold.
pub fn run(root: &Path, python: &Path, full: bool, rounds: usize) -> Result<bool, Failure> {
    let dir = root.join("target/bench-compare");
    let layout = Layout::new(&dir, full);
    let (surface, image, mesh) = layout.python_sizes();
    check_status(
        Command::new(python)
            .arg(root.join("xtask/python/bench_inputs.py"))
            .arg(&layout.inputs)
            .arg(format!("surface={surface}"))
            .arg(format!("image={image}"))
            .arg(format!("mesh={mesh}")),
        "bench_inputs.py",
    )?;
    let site = install_wheel(root, python, &dir)?;
    let vmtk_wheel = vmtk_wheel(python, &dir.join("vmtk"))?;
    let report = dir.join("python-report.md");
    let status = Command::new(python)
        .arg(root.join("xtask/python/bench_python.py"))
        .arg("--inputs")
        .arg(&layout.inputs)
        .arg("--work")
        .arg(dir.join("python-out"))
        .arg("--vmtk-wheel")
        .arg(&vmtk_wheel)
        .args(["--rounds", &rounds.to_string()])
        .args(["--sizes", &format!("{surface},{image},{mesh}")])
        .arg("--json")
        .arg(dir.join("python-report.json"))
        .arg("--markdown")
        .arg(&report)
        .env("PYTHONPATH", &site)
        .status()
        .map_err(|e| Failure(format!("running bench_python.py: {e}")))?;
    eprintln!(
        "xtask: bench-compare --python: report in {}",
        report.display()
    );
    Ok(status.success())
}

/// The release wheel, installed (without dependencies: numpy is the venv's) into a directory of
/// its own that the script gets as `PYTHONPATH`.
fn install_wheel(root: &Path, python: &Path, dir: &Path) -> Result<std::path::PathBuf, Failure> {
    let wheel = wheel::build(root, false)?;
    let site = dir.join("py-site");
    if site.exists() {
        fs::remove_dir_all(&site)?;
    }
    check_status(
        Command::new(python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(["--no-deps", "--target"])
            .arg(&site)
            .arg(&wheel),
        "pip install --target (the arraydict wheel)",
    )?;
    Ok(site)
}

/// VMTK's wheel in `dir`, downloaded from `PyPI` the first time.
fn vmtk_wheel(python: &Path, dir: &Path) -> Result<std::path::PathBuf, Failure> {
    let find = || {
        fs::read_dir(dir).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "whl"))
        })
    };
    if let Some(found) = find() {
        return Ok(found);
    }
    eprintln!("xtask: bench-compare --python: downloading {VMTK} (wheel only) from PyPI");
    check_status(
        Command::new(python)
            .args(["-m", "pip", "download", "-q", "--disable-pip-version-check"])
            .args([
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
            ])
            .args(["--platform", "manylinux_2_28_x86_64", "-d"])
            .arg(dir)
            .arg(VMTK),
        "pip download vmtk",
    )?;
    find().ok_or_else(|| Failure(format!("pip download wrote no wheel to {}", dir.display())))
}
