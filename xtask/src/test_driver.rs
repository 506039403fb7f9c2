//! `cargo xtask test`: the whole test suite, as the README gives it and CI runs it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::summary::{Scanner, Tally};
use crate::{fixtures, fuzz, pytest, venv, wheel, Failure};

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

/// What the steps found so far: the counts, the per-test skips and the closing notes.
#[derive(Default)]
struct Outcome {
    tally: Tally,
    /// Tests not run: ignored ones, runtime skips, fuzz targets not run.
    skipped: u64,
    /// `(test, SKIPPED line)` of tests that skipped themselves at run time.
    skipped_by_test: Vec<(String, String)>,
    notes: Vec<String>,
}

impl Outcome {
    /// A check counted as one test: passed with `pass_note`, or failed with the reason.
    fn check(&mut self, what: &str, result: Result<(), Failure>, pass_note: &str) {
        match result {
            Ok(()) => {
                self.tally.passed += 1;
                self.notes
                    .push(format!("{what}: {pass_note} (counted as 1 passed)"));
            }
            Err(Failure(why)) => {
                self.tally.failed += 1;
                self.notes.push(format!("{what}: FAILED: {why}"));
            }
        }
    }

    /// A `cargo test` run's counts; a failed exit without a failing test (a build error) counts as
    /// one failure, described by `what`.
    fn add_run(&mut self, run: &Run, what: &str) {
        add(&mut self.tally, &run.scanner.tally);
        self.skipped += run.scanner.tally.ignored;
        if !run.exit_ok && run.scanner.tally.failed == 0 {
            self.tally.failed += 1;
            self.notes.push(format!(
                "`{what}` failed without a failing test (build error?)"
            ));
        }
    }
}

/// The Python package's crate (`crates/python`: a `PyO3` extension, not a default member).
const PYTHON_PACKAGE: &str = "arraydict-python";

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
    let mut outcome = Outcome::default();

    // Plain run: exactly what `cargo test` gives a developer without Python (interop tests ignored).
    // The Python package's crate (crates/python) is left out of the workspace runs: its test
    // binary links libpython, which a developer without Python lacks; it has its own step below.
    let plain = cargo_test(
        root,
        &[
            "--workspace",
            "--exclude",
            PYTHON_PACKAGE,
            "--all-targets",
            "--no-fail-fast",
            "--",
            "--show-output",
        ],
        &[],
    )?;
    outcome.add_run(&plain, "cargo test --workspace --all-targets");
    outcome
        .skipped_by_test
        .extend(plain.scanner.skips.iter().cloned());

    // `--all-targets` leaves out doctests: the crates' runnable doc examples run here.
    let doc = cargo_test(
        root,
        &[
            "--workspace",
            "--exclude",
            PYTHON_PACKAGE,
            "--doc",
            "--no-fail-fast",
        ],
        &[],
    )?;
    outcome.add_run(&doc, "cargo test --workspace --doc");

    // The house rules are checked like tests: one result each.
    outcome.check(
        "cargo fmt --check",
        format_check(root),
        "the workspace and fuzz/ are formatted",
    );
    outcome.check(
        "cargo clippy -D warnings",
        clippy_check(root),
        "no warning in the workspace's code, tests, benches and xtask",
    );

    match &pythons {
        Some((np2, np1)) => {
            interop(root, np2, np1, opts.fixtures_check, &mut outcome)?;
            python_package(root, np2, np1, &mut outcome)?;
        }
        None => outcome.notes.push(
            "--no-python: interop tests, fixtures --check and the Python package (cargo test -p \
             arraydict-python, its wheel, its pytest suite) not run (the ignored count includes \
             the interop tests)"
                .into(),
        ),
    }

    // Last, so a developer sees the unit and interop results before the minutes of fuzzing.
    fuzz_smoke(root, opts.fuzz, &mut outcome);

    // Tests that printed SKIPPED passed in libtest's eyes; count them as skipped.
    let runtime_skips = outcome.skipped_by_test.len() as u64;
    outcome.tally.passed = outcome.tally.passed.saturating_sub(runtime_skips);
    outcome.skipped += runtime_skips;

    println!();
    for (name, line) in &outcome.skipped_by_test {
        println!("xtask: skipped {name}: {line}");
    }
    for n in &outcome.notes {
        println!("xtask: {n}");
    }
    println!("xtask: finished in {:.0} s", start.elapsed().as_secs_f64());
    println!(
        "xtask: {} passed, {} failed, {} skipped",
        outcome.tally.passed, outcome.tally.failed, outcome.skipped
    );
    Ok(outcome.tally.failed == 0)
}

/// The interop tests (ignored by the plain run) with both Pythons, then `fixtures --check`.
fn interop(
    root: &Path,
    np2: &Path,
    np1: &Path,
    fixtures_check: bool,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let env = [
        (PY_ENV[0], np2.as_os_str().to_owned()),
        (PY_ENV[1], np1.as_os_str().to_owned()),
    ];
    let interop = cargo_test(
        root,
        &[
            "--workspace",
            "--exclude",
            PYTHON_PACKAGE,
            "--no-fail-fast",
            "--",
            "--ignored",
            "interop_",
        ],
        &env,
    )?;
    let t = &interop.scanner.tally;
    outcome.tally.passed += t.passed;
    outcome.tally.failed += t.failed;
    // These were counted as ignored by the plain run; now they ran.
    outcome.skipped = outcome.skipped.saturating_sub(t.passed + t.failed);
    if !interop.exit_ok && t.failed == 0 {
        outcome.tally.failed += 1;
        outcome.notes.push(
            "interop `cargo test -- --ignored interop_` failed without a failing test".into(),
        );
    }
    outcome.notes.push(format!(
        "interop tests run: {} (numpy 2: {}, numpy 1: {})",
        t.passed + t.failed,
        np2.display(),
        np1.display()
    ));
    if fixtures_check {
        if fixtures::check(root)? {
            outcome.tally.passed += 1;
            outcome.notes.push(
                "fixtures --check: fixtures/ regenerates byte for byte (counted as 1 passed)"
                    .into(),
            );
        } else {
            outcome.tally.failed += 1;
            outcome.notes.push(
                "fixtures --check: FAILED, fixtures/ does not match a fresh generation".into(),
            );
        }
    }
    Ok(())
}

/// The Python package (crates/python): its Rust tests (`cargo test -p arraydict-python`, which
/// links libpython), then its wheel, built once (dev profile, in the workspace's target/), installed
/// into both venvs, and its pytest suite run in each against the built `arraydict` command.
fn python_package(
    root: &Path,
    np2: &Path,
    np1: &Path,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let start = Instant::now();
    let rust = cargo_test(root, &["-p", PYTHON_PACKAGE, "--no-fail-fast"], &[])?;
    outcome.add_run(&rust, "cargo test -p arraydict-python");
    let cli = pytest::cli(root)?;
    let wheel_start = Instant::now();
    let wheel = match wheel::build(root, true) {
        Ok(w) => w,
        Err(Failure(why)) => {
            outcome.tally.failed += 1;
            outcome
                .notes
                .push(format!("Python package: FAILED to build the wheel: {why}"));
            return Ok(());
        }
    };
    let wheel_secs = wheel_start.elapsed().as_secs_f64();
    let mut runs = Vec::new();
    for (name, python) in [("np2", np2), ("np1", np1)] {
        match pytest::run(root, python, name, &wheel, &cli) {
            Ok(c) => {
                outcome.tally.passed += c.passed;
                outcome.tally.failed += c.failed;
                outcome.skipped += c.skipped;
                runs.push(format!(
                    "{name}: {} passed, {} failed, {} skipped",
                    c.passed, c.failed, c.skipped
                ));
            }
            Err(Failure(why)) => {
                outcome.tally.failed += 1;
                runs.push(format!("{name}: FAILED: {why}"));
            }
        }
    }
    outcome.notes.push(format!(
        "Python package: wheel {} (built in {wheel_secs:.0} s), pytest {} ({:.0} s in all)",
        wheel.display(),
        runs.join("; "),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Every cargo-fuzz target for a minute when `run`, else the targets counted as skipped.
fn fuzz_smoke(root: &Path, run: bool, outcome: &mut Outcome) {
    if !run {
        outcome.skipped += fuzz::TARGETS.len() as u64;
        outcome.notes.push(format!(
            "--no-fuzz: fuzz smoke not run ({} targets counted as skipped)",
            fuzz::TARGETS.len()
        ));
        return;
    }
    match fuzz::smoke(root) {
        Ok(smoke) => {
            outcome.tally.passed += smoke.passed;
            outcome.tally.failed += smoke.failed;
            outcome.skipped += smoke.skipped;
            outcome.notes.extend(smoke.notes);
        }
        // A scratch-dir or spawn error after the build: still end with the summary line.
        Err(Failure(why)) => {
            outcome.tally.failed += fuzz::TARGETS.len() as u64;
            outcome.notes.push(format!(
                "fuzz smoke: FAILED ({} targets counted as failed): {why}",
                fuzz::TARGETS.len()
            ));
        }
    }
}

/// `cargo clippy --workspace --all-targets -- -D warnings`; the error lists the warnings (one
/// `file:line:col: message` each).
fn clippy_check(root: &Path) -> Result<(), Failure> {
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    println!("xtask: running cargo clippy --workspace --all-targets -- -D warnings");
    let out = Command::new(&cargo)
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--message-format=short",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| Failure(format!("running cargo clippy: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings = diagnostics(&stderr);
    if warnings.is_empty() {
        return Err(Failure(format!("cargo clippy failed: {}", stderr.trim())));
    }
    Err(Failure(format!(
        "{} warnings (fix them, or `#[allow]` one with the reason): {}",
        warnings.len(),
        warnings.join("; ")
    )))
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

/// The diagnostics of a `cargo clippy --message-format=short` run, each once: the
/// `path:line:col: level: text` lines, not cargo's own `error: could not compile ...` summaries.
fn diagnostics(stderr: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(": error") || l.contains(": warning"))
        .filter(|l| !l.starts_with("error") && !l.starts_with("warning"))
        .collect();
    // The same file is checked once per target that includes it.
    lines.sort_unstable();
    lines.dedup();
    lines
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

#[cfg(test)]
mod tests {
    use super::diagnostics;

    #[test]
    fn clippy_diagnostics_are_the_located_lines_each_once() {
        let stderr = "    Checking vtk-model v0.1.0\n\
            crates/a/src/x.rs:3:5: error: strict comparison of `f32` or `f64` arrays\n\
            crates/a/tests/y.rs:1:9: error: item in documentation is missing backticks\n\
            crates/a/src/x.rs:3:5: error: strict comparison of `f32` or `f64` arrays\n\
            error: could not compile `vtk-model` (lib test) due to 2 previous errors\n\
            warning: build failed, waiting for other jobs to finish...\n";
        assert_eq!(
            diagnostics(stderr),
            [
                "crates/a/src/x.rs:3:5: error: strict comparison of `f32` or `f64` arrays",
                "crates/a/tests/y.rs:1:9: error: item in documentation is missing backticks",
            ]
        );
        assert!(diagnostics("    Finished `dev` profile\n").is_empty());
    }
}
