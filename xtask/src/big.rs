//! `cargo xtask big`: the huge-data tests. They are `#[ignore]`d in the default suite (each needs
//! several GiB of memory and disk), live in `crates/*/tests/big_*.rs`, and print one
//! `BIG: <test>: <result>, peak RSS <n> MiB` line each, which this command collects.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::Failure;

/// Runs every `big_*` test file in release mode, one test at a time; returns whether all passed.
pub fn run(root: &Path) -> Result<bool, Failure> {
    let mut suites = Vec::new();
    let crates = root.join("crates");
    for entry in fs::read_dir(&crates).map_err(|e| Failure(format!("{}: {e}", crates.display())))? {
        let dir = entry.map_err(|e| Failure(e.to_string()))?.path();
        let Ok(tests) = fs::read_dir(dir.join("tests")) else {
            continue;
        };
        let package = package_name(&dir.join("Cargo.toml"))?;
        for t in tests.flatten() {
            let name = t.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name
                .strip_prefix("big_")
                .and_then(|n| n.strip_suffix(".rs"))
            {
                suites.push((package.clone(), format!("big_{stem}")));
            }
        }
    }
    suites.sort();
    if suites.is_empty() {
        return Err(Failure("no crates/*/tests/big_*.rs found".into()));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut all_ok = true;
    let mut lines = Vec::new();
    for (package, test) in &suites {
        eprintln!("xtask: big: {package} --test {test}");
        let out = Command::new(&cargo)
            .current_dir(root)
            .args(["test", "--release", "-p", package, "--test", test, "--"])
            .args(["--ignored", "--nocapture", "--test-threads=1"])
            .output()
            .map_err(|e| Failure(format!("cannot run cargo test: {e}")))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        print!("{stdout}");
        eprint!("{stderr}");
        all_ok &= out.status.success();
        lines.extend(
            stdout
                .lines()
                .chain(stderr.lines())
                .filter(|l| l.starts_with("BIG: ") || l.starts_with("SKIPPED"))
                .map(str::to_owned),
        );
        if !out.status.success() {
            lines.push(format!(
                "BIG: {package} --test {test}: FAILED (exit {:?})",
                out.status.code()
            ));
        }
    }
    println!("\nxtask big summary:");
    for l in &lines {
        println!("  {l}");
    }
    Ok(all_ok)
}

/// The `name` of a crate's `[package]` table.
fn package_name(manifest: &Path) -> Result<String, Failure> {
    let text = fs::read_to_string(manifest)
        .map_err(|e| Failure(format!("{}: {e}", manifest.display())))?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(v) = line
                .strip_prefix("name")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
            {
                return Ok(v.trim().trim_matches('"').to_owned());
            }
        }
    }
    Err(Failure(format!(
        "{}: no [package] name",
        manifest.display()
    )))
}
