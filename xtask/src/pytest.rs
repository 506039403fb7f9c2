//! The Python package's pytest suite (crates/python/tests) in one of the test venvs: the wheel
//! installed into the venv, pytest run with the built `arraydict` command as `ARRAYDICT_CLI`, the
//! results counted from pytest's junit xml.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Failure;

/// What one pytest run found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    /// Failures and errors (a collection or fixture error is an error, not a failure).
    pub failed: u64,
    pub skipped: u64,
}

/// Installs `wheel` into the venv of `python` (no dependencies: numpy is pinned there already; no
/// index: the wheel is the only package wanted) and runs the suite; `name` names the venv in file
/// names (`target/py/pytest-<name>.xml`).
pub fn run(
    root: &Path,
    python: &Path,
    name: &str,
    wheel: &Path,
    cli: &Path,
) -> Result<Counts, Failure> {
    let status = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-index",
            "--force-reinstall",
        ])
        .arg(wheel)
        .status()
        .map_err(|e| Failure(format!("running {}: {e}", python.display())))?;
    if !status.success() {
        return Err(Failure(format!(
            "pip could not install {} into {} ({status})",
            wheel.display(),
            python.display()
        )));
    }
    let junit = root.join(format!("target/py/pytest-{name}.xml"));
    let _ = fs::remove_file(&junit);
    // Scratch files on the workspace's disk (pytest empties its --basetemp first).
    let tmp = root.join("target/tmp");
    fs::create_dir_all(&tmp)?;
    println!(
        "xtask: running pytest crates/python/tests in {} (ARRAYDICT_CLI={})",
        python.display(),
        cli.display()
    );
    // `-rs` lists each skip with its reason; no cache directory is left in the source tree.
    let status = Command::new(python)
        .args(["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"])
        .arg(format!("--junitxml={}", junit.display()))
        .arg(format!(
            "--basetemp={}",
            tmp.join(format!("pytest-{name}")).display()
        ))
        .arg("tests")
        .current_dir(root.join("crates/python"))
        .env("ARRAYDICT_CLI", cli)
        .env("TMPDIR", &tmp)
        .status()
        .map_err(|e| Failure(format!("running pytest in {}: {e}", python.display())))?;
    let xml = fs::read_to_string(&junit).map_err(|e| {
        Failure(format!(
            "pytest ({status}) wrote no results to {}: {e}",
            junit.display()
        ))
    })?;
    let counts = junit_counts(&xml).ok_or_else(|| {
        Failure(format!(
            "{}: no <testsuite> with tests/failures/errors/skipped counts",
            junit.display()
        ))
    })?;
    if !status.success() && counts.failed == 0 {
        return Err(Failure(format!(
            "pytest failed ({status}) without a failing test"
        )));
    }
    Ok(counts)
}

/// The counts of pytest's junit xml (its one `<testsuite tests= failures= errors= skipped=>`).
fn junit_counts(xml: &str) -> Option<Counts> {
    let start = xml.find("<testsuite ")?;
    let tag = &xml[start..start + xml[start..].find('>')?];
    let attr = |name: &str| -> Option<u64> {
        let key = format!(" {name}=\"");
        let from = tag.find(&key)? + key.len();
        tag[from..from + tag[from..].find('"')?].parse().ok()
    };
    let (tests, failures, errors, skipped) = (
        attr("tests")?,
        attr("failures")?,
        attr("errors")?,
        attr("skipped")?,
    );
    Some(Counts {
        passed: tests.saturating_sub(failures + errors + skipped),
        failed: failures + errors,
        skipped,
    })
}

/// The `arraydict` command the suite compares with: the one `cargo test --workspace` built
/// (target/debug/arraydict), built here if it is missing.
pub fn cli(root: &Path) -> Result<PathBuf, Failure> {
    let path = root.join("target/debug/arraydict");
    if !path.is_file() {
        let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
        let status = Command::new(&cargo)
            .args(["build", "-p", "arraydict-cli"])
            .current_dir(root)
            .status()
            .map_err(|e| Failure(format!("running {}: {e}", cargo.display())))?;
        if !status.success() || !path.is_file() {
            return Err(Failure(format!(
                "cargo build -p arraydict-cli failed ({status})"
            )));
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_counts_take_failures_errors_and_skips_out_of_the_passed() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="3" tests="664" time="15.2" timestamp="x" hostname="h"><testcase classname="a" name="b" time="0.1" /></testsuite></testsuites>"#;
        assert_eq!(
            junit_counts(xml),
            Some(Counts {
                passed: 658,
                failed: 3,
                skipped: 3
            })
        );
        assert_eq!(junit_counts("<testsuites></testsuites>"), None);
    }
}
