//! Building the fuzz targets: cargo-fuzz (installed when missing), `cargo fuzz build -O -a`, and
//! telling a build our code broke (a failure) from one the machine cannot do (a skip).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::TARGETS;

/// Crates whose compile errors are our bugs (a failure), not the environment's (a skip).
const OUR_CRATES: &[&str] = &[
    "arraydict-fuzz",
    "vtk-model",
    "vtk-formats",
    "arraydict",
    "arraydict-store",
];

/// Why the targets could not be built.
pub(super) enum Unbuilt {
    /// The environment lacks something (cargo-fuzz not installable, a toolchain or system
    /// library problem): the targets are skipped.
    Environment(String),
    /// Our code does not compile: a failure.
    OurCode(String),
}

/// `cargo fuzz build -O -a` (release with debug assertions and overflow checks, so arithmetic
/// overflow on sizes read from files is a crash, not a wrap); returns the binaries' directory.
pub(super) fn build(fuzz_dir: &Path) -> Result<PathBuf, Unbuilt> {
    ensure_cargo_fuzz().map_err(Unbuilt::Environment)?;
    let host = host_triple().map_err(Unbuilt::Environment)?;
    println!("xtask: building fuzz targets (cargo fuzz build -O -a)");
    let started = Instant::now();
    let mut child = cargo_fuzz(fuzz_dir)
        .args(["build", "-O", "-a"])
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Unbuilt::Environment(format!("cannot run cargo fuzz: {e}")))?;
    // Echo cargo's progress and keep its error lines to tell our bugs from the machine's.
    let mut errors = Vec::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            eprintln!("{line}");
            if line.trim_start().starts_with("error") {
                errors.push(line);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Unbuilt::Environment(format!("waiting for cargo fuzz build: {e}")))?;
    if !status.success() {
        return Err(classify_build_failure(&errors));
    }
    println!(
        "xtask: fuzz targets built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let bin_dir = fuzz_dir.join("target").join(host).join("release");
    match TARGETS.iter().find(|(t, _)| !bin_dir.join(t).is_file()) {
        Some((missing, _)) => Err(Unbuilt::OurCode(format!(
            "cargo fuzz build succeeded but {} is missing (a target not declared in fuzz/Cargo.toml?)",
            bin_dir.join(missing).display()
        ))),
        None => Ok(bin_dir),
    }
}

/// A failed fuzz build is our bug when an error names one of our crates, else the environment's.
fn classify_build_failure(errors: &[String]) -> Unbuilt {
    // cargo ends a compile error with "could not compile `crate` ..."; the crate says whose it is.
    let ours = errors.iter().find(|l| {
        l.contains("could not compile `")
            && l.split('`')
                .nth(1)
                .is_some_and(|krate| OUR_CRATES.contains(&krate))
    });
    let summary = if errors.is_empty() {
        "cargo fuzz build failed without an error line".to_owned()
    } else {
        errors
            .iter()
            .rev()
            .take(3)
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join(" | ")
    };
    match ours {
        Some(l) => Unbuilt::OurCode(format!("cargo fuzz build: our code does not compile: {l}")),
        None => Unbuilt::Environment(format!(
            "cargo fuzz build failed for a reason outside our crates: {summary}"
        )),
    }
}

/// `cargo fuzz` in `fuzz_dir` with the nightly-features switch the stable toolchain needs.
fn cargo_fuzz(fuzz_dir: &Path) -> Command {
    let mut c = Command::new(cargo());
    c.arg("fuzz")
        .current_dir(fuzz_dir)
        .env("RUSTC_BOOTSTRAP", "1");
    // The fuzz crate has its own workspace and target dir (fuzz/target, where `build` looks for
    // the binaries); an inherited one would mix sanitizer builds into the main workspace's.
    c.env_remove("CARGO_TARGET_DIR");
    c
}

fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// The host triple, cargo-fuzz's default `--target` and so the binaries' directory name.
fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
        .ok_or_else(|| "rustc -vV printed no host triple".to_owned())
}

/// Installs cargo-fuzz when `cargo fuzz` is not available.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = Command::new(cargo())
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    println!("xtask: installing cargo-fuzz (cargo install cargo-fuzz --locked)");
    let status = Command::new(cargo())
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| format!("cargo-fuzz is missing and `cargo install` cannot run: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo-fuzz is missing and `cargo install cargo-fuzz --locked` failed ({status})"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn compile_error_in_our_crate_is_a_failure() {
        let e = lines(&[
            "error[E0425]: cannot find value `x` in this scope",
            "error: could not compile `vtk-formats` (lib) due to 1 previous error",
        ]);
        assert!(matches!(classify_build_failure(&e), Unbuilt::OurCode(_)));
    }

    #[test]
    fn third_party_or_toolchain_failure_is_a_skip() {
        let e = lines(&[
            "error: linker `cc` not found",
            "error: could not compile `proc-macro2` (build script) due to 1 previous error",
        ]);
        assert!(matches!(
            classify_build_failure(&e),
            Unbuilt::Environment(_)
        ));
        assert!(matches!(
            classify_build_failure(&[]),
            Unbuilt::Environment(_)
        ));
    }
}
