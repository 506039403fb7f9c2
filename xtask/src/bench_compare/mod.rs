//! `cargo xtask bench-compare`: our `arraydict` binary against the Python reference
//! (`xtask/python/bench_reference.py`: VTK readers/writers + numpy + h5py/pickle), case by case in
//! one session. Each round runs both, alternating which goes first, so machine-load drift hits
//! both alike; the table reports medians of process wall time and of peak RSS.
//!
//! With `--steady` it also runs the criterion bench `pipeline` (benches/benches/pipeline.rs: the
//! CLI's read -> convert -> write in process, warm) for the same cases and asks the reference for
//! its in-process median, so the steady speed-up compares like with like. Uncompressed cases are
//! set against `cp` of their input and output files; the `scaling` group checks linear growth of
//! time and peak RSS over four sizes. The report ends with a verdict per issue-6 target.
//!
//! Peak RSS comes from `/usr/bin/time -v` (installed with apt-get when missing and we are root),
//! else from `xtask/python/bench_rusage.py` (`getrusage(RUSAGE_CHILDREN)`).

mod cases;
mod measure;
mod python;
mod report;
mod steady;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{venv, Failure};

/// Parsed command-line options.
pub struct Options {
    /// Runs of each side per case.
    pub rounds: usize,
    /// `small` (smoke check, about a minute) or `full` (the sizes of issue 6).
    pub full: bool,
    /// Input groups to run; empty means all but `scaling`.
    pub cases: Vec<String>,
    /// Also measure in-process steady-state times (criterion bench `pipeline` + the reference's
    /// `--repeat`).
    pub steady: bool,
    /// A prebuilt `arraydict` to measure instead of building the release binary (before/after
    /// comparisons of a change). The steady bench is always built from the current source.
    pub binary: Option<PathBuf>,
    /// Measure the Python package against VMTK's adaptors instead (`python.rs`).
    pub python: bool,
}

impl Options {
    /// Parses `[--rounds N] [--sizes small|full] [--cases a,b] [--steady] [--binary PATH]
    /// [--python]`.
    pub fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut o = Options {
            rounds: 0,
            full: false,
            cases: Vec::new(),
            steady: false,
            binary: None,
            python: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || {
                it.next()
                    .ok_or_else(|| Failure(format!("{a} needs a value")))
            };
            match a.as_str() {
                "--rounds" => {
                    o.rounds = value()?
                        .parse()
                        .map_err(|e| Failure(format!("--rounds: {e}")))?;
                }
                "--sizes" => match value()?.as_str() {
                    "small" => o.full = false,
                    "full" => o.full = true,
                    s => {
                        return Err(Failure(format!(
                            "--sizes: expected small or full, got {s:?}"
                        )))
                    }
                },
                "--cases" => o.cases = value()?.split(',').map(str::to_owned).collect(),
                "--steady" => o.steady = true,
                "--binary" => o.binary = Some(PathBuf::from(value()?)),
                "--python" => o.python = true,
                _ => return Err(Failure(format!("bench-compare: unknown flag {a:?}"))),
            }
        }
        if o.rounds == 0 {
            o.rounds = if o.full { 5 } else { 3 };
        }
        for c in &o.cases {
            if !cases::GROUPS.contains(&c.as_str()) {
                return Err(Failure(format!(
                    "--cases: unknown {c:?}; expected some of {:?}",
                    cases::GROUPS
                )));
            }
        }
        Ok(o)
    }

    fn wants(&self, group: &str) -> bool {
        if self.cases.is_empty() {
            group != "scaling"
        } else {
            self.cases.iter().any(|c| c == group)
        }
    }
}

/// Runs the comparison; `Ok(false)` when a run failed.
pub fn run(root: &Path, o: &Options) -> Result<bool, Failure> {
    let python = match std::env::var_os("ARRAYDICT_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => venv::ensure(root, "np2", "requirements-np2.txt")?,
    };
    if o.python {
        return python::run(root, &python, o.full, o.rounds);
    }
    let binary = match &o.binary {
        Some(b) => b.clone(),
        None => build_release(root)?,
    };
    let timer = measure::Timer::detect(root);
    let dir = root.join("target/bench-compare");
    let layout = cases::Layout::new(&dir, o.full);
    fs::create_dir_all(&layout.out)?;
    let specs = layout.input_specs(o);
    eprintln!(
        "xtask: bench-compare: generating inputs in {}",
        layout.inputs.display()
    );
    check_status(
        Command::new(&python)
            .arg(root.join("xtask/python/bench_inputs.py"))
            .arg(&layout.inputs)
            .args(&specs),
        "bench_inputs.py",
    )?;
    let cases = layout.cases(
        o,
        &python,
        &root.join("xtask/python/bench_reference.py"),
        &binary,
    );

    let mut rows = Vec::new();
    let mut ok = true;
    for case in &cases {
        let row = measure::measure(case, o, &timer);
        eprintln!(
            "xtask: bench-compare: {}: {}",
            case.name,
            measure::summary(&row)
        );
        ok &= row.failed.is_none();
        rows.push(row);
    }
    // The reference's pickle of a tree exists only once its case ran, hence sized at the end.
    for (case, row) in cases.iter().zip(&mut rows) {
        row.array_bytes = fs::metadata(&case.array_bytes_of).map_or(0, |m| m.len());
    }
    let mut steady_note = None;
    if o.steady {
        // After the process rounds: the reverse cases read files the reference wrote there.
        match steady::run_bench(root, &dir, &layout.out, &cases) {
            Ok(times) => {
                for (case, row) in cases.iter().zip(&mut rows) {
                    row.steady_ours = case
                        .bench
                        .as_ref()
                        .and_then(|b| times.get(&steady::case_id(&b.input, &b.mode)).copied());
                }
            }
            Err(Failure(e)) => {
                eprintln!("xtask: bench-compare: steady bench failed: {e}");
                steady_note = Some(e);
                ok = false;
            }
        }
    }
    let report = report::render(&report::Context {
        cases: &cases,
        rows: &rows,
        options: o,
        python: &python,
        timer: &timer,
        steady_failure: steady_note.as_deref(),
    });
    println!("{report}");
    fs::write(dir.join("report.md"), &report)?;
    eprintln!(
        "xtask: bench-compare: report written to {}",
        dir.join("report.md").display()
    );
    Ok(ok)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn check_status(cmd: &mut Command, what: &str) -> Result<(), Failure> {
    let st = cmd
        .status()
        .map_err(|e| Failure(format!("running {what}: {e}")))?;
    if st.success() {
        Ok(())
    } else {
        Err(Failure(format!("{what} failed ({st})")))
    }
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The cargo target directory, honouring a relative or absolute `CARGO_TARGET_DIR`.
fn target_dir(root: &Path) -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    if target.is_absolute() {
        target
    } else {
        root.join(target)
    }
}

/// `cargo build --release -p arraydict-cli`; the binary path honours `CARGO_TARGET_DIR`.
fn build_release(root: &Path) -> Result<PathBuf, Failure> {
    eprintln!("xtask: bench-compare: cargo build --release -p arraydict-cli");
    check_status(
        Command::new(cargo())
            .current_dir(root)
            .args(["build", "--release", "-p", "arraydict-cli"]),
        "cargo build --release",
    )?;
    Ok(target_dir(root).join("release/arraydict"))
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}
