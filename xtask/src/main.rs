//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `cargo xtask test [--no-python] [--no-fixtures-check] [--no-fuzz]`: the whole test suite (what CI
//!   runs), ending with a one-minute fuzz smoke of every cargo-fuzz target.
//! - `cargo xtask wheel [--dev]`: the Python package's abi3 wheel in `target/wheels/`.
//! - `cargo xtask fixtures [--check]`: regenerate `fixtures/` with Python VTK + `SimpleITK`, or check that a
//!   regeneration reproduces the committed files byte for byte.
//!
//! Only the standard library: xtask must build fast on a clean machine before anything else works.

mod bench_compare;
mod big;
mod fixtures;
mod fuzz;
mod pytest;
mod summary;
mod test_driver;
mod venv;
mod wheel;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test [--no-python] [--no-fixtures-check] [--no-fuzz]
        run the whole test suite: `cargo test --workspace --all-targets` (without the Python
        package's crate), doctests, fmt and clippy checks, then the Python interop tests
        (`interop_*`, #[ignore]d in plain cargo test) against numpy 2.x and 1.26 venvs in
        target/py/, then `fixtures --check`, then the Python package: `cargo test -p
        arraydict-python`, its wheel (dev profile) installed into both venvs and its pytest suite
        run in each, then the fuzz smoke (`cargo fuzz build -O -a`, every target for 60 s, two at
        a time, from fuzz/corpus + fixtures; one result per target). --no-python skips the venvs,
        interop tests, the fixtures check and the Python package; --no-fuzz skips the smoke (its
        targets count as skipped). Ends with `xtask: N passed, N failed, N skipped`.
  wheel [--dev]
        build the Python package (crates/python) as one abi3 wheel for CPython >= 3.10 into
        target/wheels/, with maturin from a pinned venv (target/py/maturin); release profile, or
        the dev profile with --dev (faster to build, slower to run).
  fixtures [--check]
        regenerate fixtures/ (Python VTK + SimpleITK in target/py/fixtures) and its manifest.json;
        --check regenerates into a scratch dir and compares with the committed files instead.
  bench-compare [--rounds N] [--sizes small|full] [--cases a,b,..] [--steady] [--binary PATH]
                [--python]
        our release binary against the Python reference (VTK + numpy + h5py/pickle), medians of
        wall time and peak RSS; report in target/bench-compare/report.md (see PERFORMANCE.md).
        --python: the Python package in process against VMTK 1.5.2's numpy adaptors (downloaded
        from PyPI) and the expert pipeline; report in target/bench-compare/python-report.md.
  fuzz [--smoke | --minutes N | --seconds N] [--jobs N] [--target NAME]...
        build the cargo-fuzz targets in fuzz/ (installs cargo-fuzz if missing; RUSTC_BOOTSTRAP=1)
        and run each for N minutes (default 5; --smoke: 60 s) from fuzz/corpus/<target> plus the
        matching fixtures, --jobs N targets at a time (default 1); new inputs go to
        fuzz/runs/<target>/corpus; prints executions and time per target, exit 1 on any crash.
  big   the #[ignore]d huge-data tests (`big_*`: arrays > 4 GiB through .vtp, HDF5 and pickle,
        ids above 2^31) in release mode, one at a time, with their peak memory.";

/// An error that ends the command: printed as `xtask: <message>`, exit code 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("test") => parse_flags(
            &args[1..],
            &["--no-python", "--no-fixtures-check", "--no-fuzz"],
        )
        .and_then(|f| {
            test_driver::run(
                &root,
                &test_driver::Options {
                    python: !f.contains(&"--no-python"),
                    fixtures_check: !f.contains(&"--no-fixtures-check"),
                    fuzz: !f.contains(&"--no-fuzz"),
                },
            )
        }),
        Some("fixtures") => parse_flags(&args[1..], &["--check"]).and_then(|f| {
            if f.contains(&"--check") {
                fixtures::check(&root)
            } else {
                fixtures::generate(&root)
            }
        }),
        Some("wheel") => parse_flags(&args[1..], &["--dev"])
            .and_then(|f| wheel::build(&root, f.contains(&"--dev")).map(|_| true)),
        Some("fuzz") => fuzz::Options::parse(&args[1..]).and_then(|o| fuzz::run(&root, &o)),
        Some("big") => parse_flags(&args[1..], &[]).and_then(|_| big::run(&root)),
        Some("bench-compare") => {
            bench_compare::Options::parse(&args[1..]).and_then(|o| bench_compare::run(&root, &o))
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => Err(Failure(format!("unknown or missing command\n{USAGE}"))),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Failure(msg)) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Checks that every argument is one of `known` and returns them.
fn parse_flags<'a>(args: &'a [String], known: &[&'static str]) -> Result<Vec<&'a str>, Failure> {
    args.iter()
        .map(|a| {
            if known.contains(&a.as_str()) {
                Ok(a.as_str())
            } else {
                Err(Failure(format!(
                    "unknown flag {a:?}; expected one of {known:?}\n{USAGE}"
                )))
            }
        })
        .collect()
}

/// The workspace root: xtask's manifest lives in `<root>/xtask`.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}
