//! `cargo xtask fuzz` and the fuzz smoke of `cargo xtask test`: builds the cargo-fuzz targets in
//! `fuzz/` and runs each for a fixed time, seeded from the committed corpus (`fuzz/corpus/<target>`)
//! and the matching files of `fixtures/`.
//!
//! The toolchain is stable; libFuzzer's sanitizer flags need nightly features, so every cargo-fuzz
//! call runs with `RUSTC_BOOTSTRAP=1`. After one `cargo fuzz build` the target binaries are run
//! directly (not through `cargo fuzz run`), so parallel targets do not queue on cargo's build lock.
//! New corpus entries go to `fuzz/runs/...` (never into the committed corpus), crashes to
//! `fuzz/artifacts/<target>/`.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Failure;

mod build;
use build::{build, Unbuilt};

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

/// Seconds per target in the smoke of `cargo xtask test` (issue 7: "about a minute").
const SMOKE_SECONDS: u64 = 60;
/// Targets run side by side in the smoke: CI has 2 cores.
const SMOKE_JOBS: usize = 2;
/// What to run.
#[derive(Debug)]
pub struct Options {
    /// Seconds per target.
    pub seconds: u64,
    /// Targets to run; empty means all.
    pub targets: Vec<String>,
    /// Targets fuzzed at the same time (one libFuzzer process each).
    pub jobs: usize,
}

impl Options {
    /// Parses `[--smoke | --minutes N | --seconds N] [--jobs N] [--target NAME]...`.
    pub fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut seconds = 5 * 60;
        let mut targets = Vec::new();
        let mut jobs = 1;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |what: &str| {
                it.next()
                    .ok_or_else(|| Failure(format!("{a} needs {what}")))
                    .cloned()
            };
            match a.as_str() {
                "--smoke" => seconds = SMOKE_SECONDS,
                "--minutes" => seconds = number(&value("a number of minutes")?)? * 60,
                "--seconds" => seconds = number(&value("a number of seconds")?)?,
                "--jobs" => {
                    jobs = usize::try_from(number(&value("a number of parallel targets")?)?)
                        .unwrap_or(usize::MAX)
                        .max(1);
                }
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
        Ok(Self {
            seconds,
            targets,
            jobs,
        })
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
    /// `None` when the run ended cleanly; else the artifact (or log) and the log's first lines.
    crash: Option<Crash>,
}

struct Crash {
    artifact: String,
    excerpt: Vec<String>,
}

/// The smoke's contribution to `cargo xtask test`'s tally.
pub struct SmokeReport {
    /// Targets that ran without a crash.
    pub passed: u64,
    /// Targets that crashed, or all of them when our code does not build.
    pub failed: u64,
    /// Targets not run because the environment cannot build them.
    pub skipped: u64,
    /// One-line notes for the final summary.
    pub notes: Vec<String>,
}

/// `cargo xtask fuzz`: builds and runs the targets; returns whether none crashed.
pub fn run(root: &Path, opts: &Options) -> Result<bool, Failure> {
    let fuzz_dir = root.join("fuzz");
    let bin_dir = match build(&fuzz_dir) {
        Ok(d) => d,
        Err(Unbuilt::Environment(why) | Unbuilt::OurCode(why)) => return Err(Failure(why)),
    };
    let selected: Vec<_> = TARGETS
        .iter()
        .filter(|(n, _)| opts.targets.is_empty() || opts.targets.iter().any(|t| t == n))
        .copied()
        .collect();
    let outcomes = run_all(
        root,
        &bin_dir,
        &selected,
        &fuzz_dir.join("runs"),
        false,
        opts,
    )?;
    print_table(&outcomes);
    Ok(outcomes.iter().all(|o| o.crash.is_none()))
}

/// The smoke run of `cargo xtask test`: every target for a minute, two at a time, from the
/// committed corpus and the fixtures, into a fresh scratch corpus under `fuzz/runs/smoke/`.
pub fn smoke(root: &Path) -> Result<SmokeReport, Failure> {
    let started = Instant::now();
    let fuzz_dir = root.join("fuzz");
    let n = TARGETS.len() as u64;
    println!(
        "xtask: fuzz smoke: {n} targets x {SMOKE_SECONDS} s, {SMOKE_JOBS} at a time (skip with --no-fuzz)"
    );
    let bin_dir = match build(&fuzz_dir) {
        Ok(d) => d,
        Err(Unbuilt::Environment(why)) => {
            return Ok(SmokeReport {
                passed: 0,
                failed: 0,
                skipped: n,
                notes: vec![format!(
                    "fuzz smoke: SKIPPED ({n} targets counted as skipped): {why}"
                )],
            })
        }
        Err(Unbuilt::OurCode(why)) => {
            return Ok(SmokeReport {
                passed: 0,
                failed: n,
                skipped: 0,
                notes: vec![format!(
                    "fuzz smoke: FAILED ({n} targets counted as failed): {why}"
                )],
            })
        }
    };
    let built = started.elapsed().as_secs_f64();
    let opts = Options {
        seconds: SMOKE_SECONDS,
        targets: Vec::new(),
        jobs: SMOKE_JOBS,
    };
    let outcomes = run_all(
        root,
        &bin_dir,
        TARGETS,
        &fuzz_dir.join("runs").join("smoke"),
        true,
        &opts,
    )?;
    print_table(&outcomes);
    let failed = outcomes.iter().filter(|o| o.crash.is_some()).count() as u64;
    let mut notes: Vec<String> = outcomes
        .iter()
        .map(|o| {
            format!(
                "fuzz smoke {}: {} executions in {:.0} s, {}",
                o.target,
                o.executions
                    .map_or_else(|| "?".to_owned(), |e| e.to_string()),
                o.seconds,
                o.crash
                    .as_ref()
                    .map_or_else(|| "ok".to_owned(), |c| format!("CRASH {}", c.artifact))
            )
        })
        .collect();
    notes.push(format!(
        "fuzz smoke: {} s in all (build {built:.0} s); {failed} of {n} targets crashed",
        started.elapsed().as_secs_f64().round()
    ));
    Ok(SmokeReport {
        passed: n - failed,
        failed,
        skipped: 0,
        notes,
    })
}

fn print_table(outcomes: &[Outcome]) {
    println!(
        "\n{:<18} {:>12} {:>9} {:>9}  result",
        "target", "executions", "seconds", "exec/s"
    );
    for o in outcomes {
        let execs = o
            .executions
            .map_or_else(|| "?".to_owned(), |n| n.to_string());
        #[allow(clippy::cast_precision_loss)]
        let rate = o.executions.map_or_else(
            || "?".to_owned(),
            |n| format!("{:.0}", n as f64 / o.seconds.max(1e-3)),
        );
        let result = o
            .crash
            .as_ref()
            .map_or_else(|| "ok".to_owned(), |c| format!("CRASH: {}", c.artifact));
        println!(
            "{:<18} {execs:>12} {:>9.0} {rate:>9}  {result}",
            o.target, o.seconds
        );
    }
    for o in outcomes {
        if let Some(c) = &o.crash {
            println!(
                "\nxtask: fuzz target {} crashed; input: {}\n  reproduce: cd fuzz && cargo fuzz run -O -a {} {}",
                o.target, c.artifact, o.target, c.artifact
            );
            for l in &c.excerpt {
                println!("  | {l}");
            }
        }
    }
}

/// Runs `targets` on `opts.jobs` threads, one libFuzzer process each; outcomes in `targets` order.
fn run_all(
    root: &Path,
    bin_dir: &Path,
    targets: &[(&'static str, &'static [&'static str])],
    runs: &Path,
    fresh: bool,
    opts: &Options,
) -> Result<Vec<Outcome>, Failure> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Outcome, Failure>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.min(targets.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(target, exts)) = targets.get(i) else {
                    break;
                };
                let spec = RunSpec {
                    root,
                    bin_dir,
                    runs,
                    fresh,
                    target,
                    exts,
                    seconds: opts.seconds,
                };
                let r = run_target(&spec);
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((i, r));
            });
        }
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

struct RunSpec<'a> {
    root: &'a Path,
    bin_dir: &'a Path,
    /// Parent of the per-target scratch dirs.
    runs: &'a Path,
    /// Start from an empty scratch corpus (the smoke), rather than from earlier runs' finds.
    fresh: bool,
    target: &'static str,
    exts: &'a [&'a str],
    seconds: u64,
}

fn io_err(p: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure(format!("{}: {e}", p.display()))
}

fn run_target(spec: &RunSpec<'_>) -> Result<Outcome, Failure> {
    let fuzz_dir = spec.root.join("fuzz");
    let target = spec.target;
    let run_dir = spec.runs.join(target);
    let new_corpus = run_dir.join("corpus");
    let seeds = run_dir.join("seeds");
    let committed = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    if spec.fresh && run_dir.exists() {
        fs::remove_dir_all(&run_dir).map_err(io_err(&run_dir))?;
    }
    for d in [&new_corpus, &seeds, &committed, &artifacts] {
        fs::create_dir_all(d).map_err(io_err(d))?;
    }
    seed_from_fixtures(&spec.root.join("fixtures"), spec.exts, &seeds)?;
    let log_path = run_dir.join("fuzz.log");
    let log = fs::File::create(&log_path).map_err(io_err(&log_path))?;
    let log_out = log.try_clone().map_err(io_err(&log_path))?;
    println!(
        "xtask: fuzzing {target} for {} s (log: {})",
        spec.seconds,
        log_path.display()
    );
    let seconds = spec.seconds;
    let started = Instant::now();
    // libFuzzer writes new inputs to the first corpus dir only: the scratch one.
    let mut child = Command::new(spec.bin_dir.join(target))
        .arg(&new_corpus)
        .arg(&committed)
        .arg(&seeds)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"])
        .env("ASAN_OPTIONS", asan_options())
        .current_dir(&fuzz_dir)
        .stdin(Stdio::null())
        .stdout(log_out)
        .stderr(log)
        .spawn()
        .map_err(|e| Failure(format!("cannot run fuzz target {target}: {e}")))?;
    // libFuzzer stops itself; the guard is for a process wedged outside its timers.
    let deadline = Duration::from_secs(seconds + 120);
    let (status, wedged) = loop {
        if let Some(s) = child.try_wait()? {
            break (s, false);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            break (child.wait()?, true);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let elapsed = started.elapsed().as_secs_f64();
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let executions = text
        .lines()
        .rev()
        .filter_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .find_map(|v| v.trim().parse().ok());
    // libFuzzer's own "Done N runs in S second(s)"; wall time when it did not get that far.
    let fuzz_seconds = text
        .lines()
        .rev()
        .find_map(|l| {
            l.strip_prefix("Done ")
                .and_then(|r| r.split_once(" runs in "))
        })
        .and_then(|(_, r)| r.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(elapsed);
    let crash = (wedged || !status.success()).then(|| {
        let artifact = text
            .lines()
            .rev()
            .find_map(|l| {
                l.split_once("Test unit written to ")
                    .map(|(_, p)| p.trim().to_owned())
            })
            .unwrap_or_else(|| {
                if wedged {
                    format!(
                        "none (killed after {} s; log {})",
                        deadline.as_secs(),
                        log_path.display()
                    )
                } else {
                    format!("none ({status}; log {})", log_path.display())
                }
            });
        Crash {
            artifact,
            excerpt: crash_excerpt(&text),
        }
    });
    println!(
        "xtask: fuzzed {target}: {} executions in {fuzz_seconds:.0} s, {}",
        executions.map_or_else(|| "?".to_owned(), |n: u64| n.to_string()),
        if crash.is_some() { "CRASH" } else { "ok" }
    );
    Ok(Outcome {
        target,
        executions,
        seconds: fuzz_seconds,
        crash,
    })
}

/// cargo-fuzz's default for address-sanitized targets, after any the user set.
fn asan_options() -> String {
    let mut o = std::env::var("ASAN_OPTIONS").unwrap_or_default();
    if !o.is_empty() {
        o.push(':');
    }
    o.push_str("detect_odr_violation=0");
    o
}

/// The first lines of the crash report: from the first sanitizer / panic / libFuzzer error line.
fn crash_excerpt(log: &str) -> Vec<String> {
    const MARKERS: &[&str] = &[
        "==ERROR",
        "panicked at",
        "ERROR: libFuzzer",
        "deadly signal",
        "SUMMARY:",
    ];
    let lines: Vec<&str> = log.lines().collect();
    let start = lines
        .iter()
        .position(|l| MARKERS.iter().any(|m| l.contains(m)))
        .unwrap_or_else(|| lines.len().saturating_sub(20));
    lines
        .iter()
        .skip(start)
        .take(20)
        .map(|l| (*l).to_owned())
        .collect()
}

/// Copies the fixtures with one of `exts` into `seeds` (flat, names made unique by their path).
fn seed_from_fixtures(fixtures: &Path, exts: &[&str], seeds: &Path) -> Result<(), Failure> {
    if exts.is_empty() {
        return Ok(());
    }
    let mut stack = vec![fixtures.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(io_err(&dir))?;
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
            fs::copy(&path, seeds.join(flat)).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn crash_excerpt_starts_at_the_report() {
        let log = "INFO: seed\n#2 INITED\n==123==ERROR: AddressSanitizer: heap-buffer-overflow\n#0 frame\n";
        let ex = crash_excerpt(log);
        assert!(ex[0].contains("AddressSanitizer"), "{ex:?}");
        assert_eq!(ex.len(), 2);
    }

    #[test]
    fn jobs_flag_parses() {
        let o = Options::parse(&lines(&["--jobs", "2", "--seconds", "7"])).unwrap();
        assert_eq!((o.jobs, o.seconds), (2, 7));
        assert!(Options::parse(&lines(&["--jobs"])).is_err());
    }
}
