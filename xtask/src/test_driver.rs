//! `cargo xtask test`: the whole test suite, as the README gives it and CI runs it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::summary::{Scanner, Tally};
use crate::{fixtures, fuzz, venv, Failure};

/// What to run besides plain `cargo test`.
pub struct Options {
    /// Create the venvs and run the interop tests.
    pub python: bool,
    /// Run `fixtures --check` (needs `python`).
    pub fixtures_check: bool,
    /// Run the fuzz smoke (every cargo-fuzz target for a minute).
    pub fuzz: bool,
}

/// Env vars through which interop tests find their interpreters.
const PY_ENV: [&str; 2] = ["ARRAYDICT_PYTHON", "ARRAYDICT_PYTHON_NP1"];

/// One `cargo test` invocation's result.
struct Run {
    scanner: Scanner,
    exit_ok: bool,
}

/// Runs everything, prints `xtask: N passed, N failed, N skipped`; `Ok(true)` when nothing failed.
pub fn run(root: &Path, opts: &Options) -> Result<bool, Failure> {
    let start = Instant::now();
    let pythons = if opts.python {
        let np2 = venv::ensure(root, "np2", "requirements-np2.txt")?;
        let np1 = venv::ensure(root, "np1", "requirements-np1.txt")?;
        Some((np2, np1))
    } else {
        None
    };

    let mut notes: Vec<String> = Vec::new();
    let mut tally = Tally::default();
    let mut skipped_by_test = Vec::new();

    // Plain run: exactly what `cargo test` gives a developer without Python (interop tests ignored).
    let plain = cargo_test(
        root,
        &[
            "--workspace",
            "--all-targets",
            "--no-fail-fast",
            "--",
            "--show-output",
        ],
        &[],
    )?;
    add(&mut tally, &plain.scanner.tally);
    skipped_by_test.extend(plain.scanner.skips.iter().cloned());
    if !plain.exit_ok && plain.scanner.tally.failed == 0 {
        tally.failed += 1;
        notes.push(
            "`cargo test --workspace --all-targets` failed without a failing test (build error?)"
                .into(),
        );
    }
    let mut skipped = plain.scanner.tally.ignored;

    // `--all-targets` leaves out doctests: the crates' runnable doc examples run here.
    let doc = cargo_test(root, &["--workspace", "--doc", "--no-fail-fast"], &[])?;
    add(&mut tally, &doc.scanner.tally);
    skipped += doc.scanner.tally.ignored;
    if !doc.exit_ok && doc.scanner.tally.failed == 0 {
        tally.failed += 1;
        notes.push(
            "`cargo test --workspace --doc` failed without a failing test (build error?)".into(),
        );
    }

    // The house style (rustfmt.toml) is checked like a test: one result for both workspaces.
    match format_check(root) {
        Ok(()) => {
            tally.passed += 1;
            notes.push(
                "cargo fmt --check: the workspace and fuzz/ are formatted (counted as 1 passed)"
                    .into(),
            );
        }
        Err(Failure(why)) => {
            tally.failed += 1;
            notes.push(format!("cargo fmt --check: FAILED: {why}"));
        }
    }

    if let Some((np2, np1)) = &pythons {
        let env = [
            (PY_ENV[0], np2.as_os_str().to_owned()),
            (PY_ENV[1], np1.as_os_str().to_owned()),
        ];
        let interop = cargo_test(
            root,
            &[
                "--workspace",
                "--no-fail-fast",
                "--",
                "--ignored",
                "interop_",
            ],
            &env,
        )?;
        let t = &interop.scanner.tally;
        tally.passed += t.passed;
        tally.failed += t.failed;
        // These were counted as ignored by the plain run; now they ran.
        skipped = skipped.saturating_sub(t.passed + t.failed);
        if !interop.exit_ok && t.failed == 0 {
            tally.failed += 1;
            notes.push(
                "interop `cargo test -- --ignored interop_` failed without a failing test".into(),
            );
        }
        notes.push(format!(
            "interop tests run: {} (numpy 2: {}, numpy 1: {})",
            t.passed + t.failed,
            np2.display(),
            np1.display()
        ));
        if opts.fixtures_check {
            if fixtures::check(root)? {
                tally.passed += 1;
                notes.push(
                    "fixtures --check: fixtures/ regenerates byte for byte (counted as 1 passed)"
                        .into(),
                );
            } else {
                tally.failed += 1;
                notes.push(
                    "fixtures --check: FAILED, fixtures/ does not match a fresh generation".into(),
                );
            }
        }
    } else {
        notes.push("--no-python: interop tests and fixtures --check not run (the ignored count includes them)".into());
    }

    // Last, so a developer sees the unit and interop results before the minutes of fuzzing.
    if opts.fuzz {
        match fuzz::smoke(root) {
            Ok(smoke) => {
                tally.passed += smoke.passed;
                tally.failed += smoke.failed;
                skipped += smoke.skipped;
                notes.extend(smoke.notes);
            }
            // A scratch-dir or spawn error after the build: still end with the summary line.
            Err(Failure(why)) => {
                tally.failed += fuzz::TARGETS.len() as u64;
                notes.push(format!(
                    "fuzz smoke: FAILED ({} targets counted as failed): {why}",
                    fuzz::TARGETS.len()
                ));
            }
        }
    } else {
        skipped += fuzz::TARGETS.len() as u64;
        notes.push(format!(
            "--no-fuzz: fuzz smoke not run ({} targets counted as skipped)",
            fuzz::TARGETS.len()
        ));
    }

    // Tests that printed SKIPPED passed in libtest's eyes; count them as skipped.
    let runtime_skips = skipped_by_test.len() as u64;
    tally.passed = tally.passed.saturating_sub(runtime_skips);
    skipped += runtime_skips;

    println!();
    for (name, line) in &skipped_by_test {
        println!("xtask: skipped {name}: {line}");
    }
    for n in &notes {
        println!("xtask: {n}");
    }
    println!("xtask: finished in {:.0} s", start.elapsed().as_secs_f64());
    println!(
        "xtask: {} passed, {} failed, {} skipped",
        tally.passed, tally.failed, skipped
    );
    Ok(tally.failed == 0)
}

/// `cargo fmt --all --check` in the workspace and in `fuzz/` (its own workspace); the error lists
/// the files that differ, so `cargo fmt --all` (and in `fuzz/`) is the fix.
fn format_check(root: &Path) -> Result<(), Failure> {
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    let mut differing = Vec::new();
    for dir in [root.to_path_buf(), root.join("fuzz")] {
        let out = Command::new(&cargo)
            .args(["fmt", "--all", "--check", "--", "--files-with-diff"])
            .current_dir(&dir)
            .output()
            .map_err(|e| Failure(format!("running cargo fmt in {}: {e}", dir.display())))?;
        if !out.status.success() {
            let files = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if files.trim().is_empty() {
                return Err(Failure(format!(
                    "cargo fmt failed in {}: {}",
                    dir.display(),
                    stderr.trim()
                )));
            }
            differing.extend(files.lines().map(str::to_owned));
        }
    }
    if differing.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "{} files differ from rustfmt (run `cargo fmt --all`, and in fuzz/): {}",
            differing.len(),
            differing.join(", ")
        )))
    }
}

fn add(into: &mut Tally, t: &Tally) {
    into.passed += t.passed;
    into.failed += t.failed;
    into.ignored += t.ignored;
    into.binaries += t.binaries;
}

/// `cargo test ARGS` with the interop env vars removed, then `env` set; its stdout is scanned and
/// echoed (minus passing tests' captured output), its stderr passed through.
fn cargo_test(root: &Path, args: &[&str], env: &[(&str, OsString)]) -> Result<Run, Failure> {
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    println!("xtask: running cargo test {}", args.join(" "));
    let mut cmd = Command::new(&cargo);
    cmd.arg("test")
        .args(args)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for k in PY_ENV {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure(format!("running {}: {e}", cargo.display())))?;
    let mut scanner = Scanner::default();
    if let Some(out) = child.stdout.take() {
        let stdout = std::io::stdout();
        for line in BufReader::new(out).split(b'\n') {
            let line = line?;
            let text = String::from_utf8_lossy(&line);
            if scanner.line(&text) {
                let mut lock = stdout.lock();
                lock.write_all(&line)?;
                lock.write_all(b"\n")?;
                lock.flush()?;
            }
        }
    }
    let status = child.wait()?;
    Ok(Run {
        scanner,
        exit_ok: status.success(),
    })
}
