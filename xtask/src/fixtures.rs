//! `cargo xtask fixtures [--check]`: runs `xtask/python/make_fixtures.py` in the fixtures venv.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{venv, Failure};

/// Regenerates `fixtures/` in place (its hand-written README.md is kept).
pub fn generate(root: &Path) -> Result<bool, Failure> {
    let python = venv::ensure(root, "fixtures", "requirements-fixtures.txt")?;
    run_generator(root, &python, &root.join("fixtures"))?;
    Ok(true)
}

/// Regenerates into `target/fixtures-check` and compares every file (manifest included) with the
/// committed `fixtures/`. Prints the differences; `Ok(false)` when there are any.
pub fn check(root: &Path) -> Result<bool, Failure> {
    let python = venv::ensure(root, "fixtures", "requirements-fixtures.txt")?;
    let scratch = root.join("target/fixtures-check");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)?;
    }
    fs::create_dir_all(&scratch)?;
    run_generator(root, &python, &scratch)?;
    let committed = files_under(&root.join("fixtures"))?;
    let fresh = files_under(&scratch)?;
    let diffs = compare(&committed, &fresh);
    if diffs.is_empty() {
        eprintln!(
            "xtask: fixtures --check: {} files regenerate identically",
            fresh.len()
        );
        let _ = fs::remove_dir_all(&scratch);
        return Ok(true);
    }
    eprintln!(
        "xtask: fixtures --check: {} difference(s) between fixtures/ and a fresh generation in {}:",
        diffs.len(),
        scratch.display()
    );
    for d in diffs.iter().take(25) {
        eprintln!("  {d}");
    }
    if diffs.len() > 25 {
        eprintln!("  ... and {} more", diffs.len() - 25);
    }
    eprintln!("xtask: run `cargo xtask fixtures` and commit fixtures/ if the change is intended");
    Ok(false)
}

fn run_generator(root: &Path, python: &Path, out: &Path) -> Result<(), Failure> {
    let script = root.join("xtask/python/make_fixtures.py");
    let status = Command::new(python)
        .arg(&script)
        .arg(out)
        // Hash seeds and thread counts must not leak into the files.
        .env("PYTHONHASHSEED", "0")
        .env("OMP_NUM_THREADS", "1")
        .status()
        .map_err(|e| Failure(format!("running {}: {e}", python.display())))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("{} failed ({status})", script.display())))
    }
}

/// Every file below `dir` (except the hand-written README.md) by relative path, with its bytes.
fn files_under(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, Failure> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| Failure(format!("{}: {e}", d.display())))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if rel != "README.md" {
                let bytes =
                    fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
                out.insert(rel, bytes);
            }
        }
    }
    Ok(out)
}

/// Human-readable differences between two file trees.
fn compare(
    committed: &BTreeMap<String, Vec<u8>>,
    fresh: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut diffs = Vec::new();
    for (name, bytes) in fresh {
        match committed.get(name) {
            None => diffs.push(format!("{name}: generated but not in fixtures/")),
            Some(old) if old != bytes => {
                let at = old
                    .iter()
                    .zip(bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(old.len().min(bytes.len()));
                diffs.push(format!(
                    "{name}: differs from byte {at} ({} bytes committed, {} generated)",
                    old.len(),
                    bytes.len()
                ));
            }
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
        diffs.push(format!("{name}: in fixtures/ but no longer generated"));
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(items: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
        items
            .iter()
            .map(|(n, b)| ((*n).to_string(), b.to_vec()))
            .collect()
    }

    #[test]
    fn identical_trees_have_no_differences() {
        let a = tree(&[("a.vtp", b"xyz"), ("m.json", b"{}")]);
        assert!(compare(&a, &a.clone()).is_empty());
    }

    #[test]
    fn reports_changed_missing_and_extra_files() {
        let committed = tree(&[("a.vtp", b"xyz"), ("old.vtp", b"1")]);
        let fresh = tree(&[("a.vtp", b"xYz"), ("new.vtp", b"2")]);
        let d = compare(&committed, &fresh);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0].starts_with("a.vtp: differs from byte 1"), "{d:?}");
        assert!(d[1].starts_with("new.vtp: generated but not"), "{d:?}");
        assert!(d[2].starts_with("old.vtp: in fixtures/ but"), "{d:?}");
    }
}
