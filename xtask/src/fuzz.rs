//! `cargo xtask fuzz`: builds the cargo-fuzz targets in `fuzz/` and runs each for a fixed time,
//! seeded from the committed corpus (`fuzz/corpus/<target>`) and the matching files of `fixtures/`.
//!
//! The toolchain is stable; libFuzzer's sanitizer flags need nightly features, so every cargo-fuzz
//! call runs with `RUSTC_BOOTSTRAP=1`. New corpus entries go to `fuzz/runs/<target>/corpus` (not
//! into the committed corpus), crashes to `fuzz/artifacts/<target>/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Failure;

/// Every target, with the fixture extensions that seed it (lowercase, without the dot).
pub const TARGETS: &[(&str, &[&str])] = &[
    ("vtk_xml", &["vtp", "vtu", "vti"]),
    ("vtk_legacy", &["vtk"]),
    ("metaimage", &["mha"]),
    ("stl", &["stl"]),
    ("pickle", &[]),
    ("msgpack", &[]),
    ("hdf5", &[]),
    ("arraydict_convert", &[]),
];

/// What to run.
#[derive(Debug)]
pub struct Options {
    /// Seconds per target.
    pub seconds: u64,
    /// Targets to run; empty means all.
    pub targets: Vec<String>,
}

impl Options {
    /// Parses `[--smoke | --minutes N | --seconds N] [--target NAME]...`.
    pub fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut seconds = 5 * 60;
        let mut targets = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |what: &str| {
                it.next()
                    .ok_or_else(|| Failure(format!("{a} needs {what}")))
                    .cloned()
            };
            match a.as_str() {
                "--smoke" => seconds = 60,
                "--minutes" => seconds = number(&value("a number of minutes")?)? * 60,
                "--seconds" => seconds = number(&value("a number of seconds")?)?,
                "--target" => {
                    let t = value("a target name")?;
                    if !TARGETS.iter().any(|(n, _)| *n == t) {
                        let names: Vec<_> = TARGETS.iter().map(|(n, _)| *n).collect();
                        return Err(Failure(format!(
                            "unknown fuzz target {t:?}; targets: {names:?}"
                        )));
                    }
                    targets.push(t);
                }
                other => return Err(Failure(format!("unknown fuzz flag {other:?}"))),
            }
        }
        Ok(Self { seconds, targets })
    }
}

fn number(s: &str) -> Result<u64, Failure> {
    s.parse()
        .map_err(|_| Failure(format!("expected a whole number, got {s:?}")))
}

/// One target's outcome.
struct Outcome {
    target: &'static str,
    executions: Option<u64>,
    seconds: f64,
    crash: Option<String>,
}

/// Builds and runs the targets; returns whether none crashed.
pub fn run(root: &Path, opts: &Options) -> Result<bool, Failure> {
    let fuzz_dir = root.join("fuzz");
    ensure_cargo_fuzz()?;
    eprintln!("xtask: building fuzz targets (cargo fuzz build -O -a)");
    let status = cargo_fuzz(&fuzz_dir)
        .args(["build", "-O", "-a"])
        .status()
        .map_err(|e| Failure(format!("cannot run cargo fuzz: {e}")))?;
    if !status.success() {
        return Err(Failure("cargo fuzz build failed".into()));
    }
    let mut outcomes = Vec::new();
    for &(target, exts) in TARGETS {
        if !opts.targets.is_empty() && !opts.targets.iter().any(|t| t == target) {
            continue;
        }
        outcomes.push(run_target(root, &fuzz_dir, target, exts, opts.seconds)?);
    }
    println!(
        "\n{:<18} {:>12} {:>9} {:>9}  result",
        "target", "executions", "seconds", "exec/s"
    );
    let mut ok = true;
    for o in &outcomes {
        let execs = o
            .executions
            .map_or_else(|| "?".to_owned(), |n| n.to_string());
        let rate = o.executions.map_or_else(
            || "?".to_owned(),
            |n| format!("{:.0}", n as f64 / o.seconds.max(1e-3)),
        );
        let result = o.crash.clone().unwrap_or_else(|| "ok".to_owned());
        ok &= o.crash.is_none();
        println!(
            "{:<18} {execs:>12} {:>9.0} {rate:>9}  {result}",
            o.target, o.seconds
        );
    }
    Ok(ok)
}

fn run_target(
    root: &Path,
    fuzz_dir: &Path,
    target: &'static str,
    exts: &[&str],
    seconds: u64,
) -> Result<Outcome, Failure> {
    let run_dir = fuzz_dir.join("runs").join(target);
    let new_corpus = run_dir.join("corpus");
    let seeds = run_dir.join("seeds");
    let committed = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    for d in [&new_corpus, &seeds, &committed, &artifacts] {
        fs::create_dir_all(d).map_err(|e| Failure(format!("{}: {e}", d.display())))?;
    }
    seed_from_fixtures(&root.join("fixtures"), exts, &seeds)?;
    let log_path = run_dir.join("fuzz.log");
    let log =
        fs::File::create(&log_path).map_err(|e| Failure(format!("{}: {e}", log_path.display())))?;
    eprintln!(
        "xtask: fuzzing {target} for {seconds} s (log: {})",
        log_path.display()
    );
    let started = Instant::now();
    let status = cargo_fuzz(fuzz_dir)
        .args(["run", "-O", "-a", target])
        .arg(&new_corpus)
        .arg(&committed)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"])
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| Failure(format!("cannot run cargo fuzz: {e}")))?;
    let elapsed = started.elapsed().as_secs_f64();
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let executions = text
        .lines()
        .rev()
        .filter_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .find_map(|v| v.trim().parse().ok());
    // libFuzzer's own "Done N runs in S second(s)" excludes the build; fall back to wall time.
    let fuzz_seconds = text
        .lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix("Done ")
                .and_then(|r| r.split_once(" runs in "))
        })
        .and_then(|(_, r)| r.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(elapsed);
    let crash = (!status.success()).then(|| {
        let artifact = text
            .lines()
            .rev()
            .find_map(|l| {
                l.split_once("Test unit written to ")
                    .map(|(_, p)| p.trim().to_owned())
            })
            .unwrap_or_else(|| format!("see {}", log_path.display()));
        format!("CRASH: {artifact}")
    });
    Ok(Outcome {
        target,
        executions,
        seconds: fuzz_seconds,
        crash,
    })
}

/// Copies the fixtures with one of `exts` into `seeds` (flat, names made unique by their path).
fn seed_from_fixtures(fixtures: &Path, exts: &[&str], seeds: &Path) -> Result<(), Failure> {
    if exts.is_empty() {
        return Ok(());
    }
    let mut stack = vec![fixtures.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let path = entry.map_err(|e| Failure(e.to_string()))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if !ext.is_some_and(|e| exts.contains(&e.as_str())) {
                continue;
            }
            let rel = path.strip_prefix(fixtures).unwrap_or(&path);
            let flat = rel.to_string_lossy().replace(['/', '\\'], "__");
            fs::copy(&path, seeds.join(flat))
                .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        }
    }
    Ok(())
}

/// `cargo fuzz` in `fuzz_dir` with the nightly-features switch the stable toolchain needs.
fn cargo_fuzz(fuzz_dir: &Path) -> Command {
    let mut c = Command::new(cargo());
    c.arg("fuzz")
        .current_dir(fuzz_dir)
        .env("RUSTC_BOOTSTRAP", "1");
    // The fuzz crate has its own workspace and target dir; an inherited one would mix sanitizer
    // builds into the main workspace's.
    c.env_remove("CARGO_TARGET_DIR");
    c
}

fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Installs cargo-fuzz when `cargo fuzz` is not available.
fn ensure_cargo_fuzz() -> Result<(), Failure> {
    let present = Command::new(cargo())
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz (cargo install cargo-fuzz --locked)");
    let status = Command::new(cargo())
        .args(["install", "cargo-fuzz", "--locked"])
        .status()
        .map_err(|e| Failure(format!("cannot run cargo install: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure("cargo install cargo-fuzz failed".into()))
    }
}
