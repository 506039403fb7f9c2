//! Process runs: wall time, peak RSS and `cp` floors.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::cases::Case;
use super::{median, Options};

/// Timed `cp` runs per file of an uncompressed case, after one untimed warm-up copy.
pub const CP_ROUNDS: usize = 11;

/// Rounds of both sides for a case bounded by `cp` (target 3), whatever `--rounds` says: these runs
/// take 20-40 ms, where one slow moment of the host in three rounds moved a median by 40 %
/// (a raw `.vtp` -> pickle run measured 37 ms in a run whose in-process time was 18 ms).
pub const CP_CASE_ROUNDS: usize = 11;

/// One measured process run.
#[derive(Clone, Copy)]
pub struct Sample {
    /// Wall time around the process, seconds.
    pub wall_s: f64,
    /// Peak resident set size, KiB.
    pub rss_kb: u64,
}

/// Everything measured for one case.
#[derive(Default)]
pub struct Row {
    /// Our process runs.
    pub ours: Vec<Sample>,
    /// The reference's process runs.
    pub reference: Vec<Sample>,
    /// Median `cp` time of the case's input file, seconds.
    pub cp_in: Option<f64>,
    /// Median `cp` time of our output file, seconds.
    pub cp_out: Option<f64>,
    /// Bytes of the input and of our output (for the `cp` bound).
    pub cp_bytes: (u64, u64),
    /// Bytes of the arrays (the reference's pickle), 0 when unknown.
    pub array_bytes: u64,
    /// The reference's in-process median, seconds.
    pub steady_ref: Option<f64>,
    /// Our criterion median (bench `pipeline`), seconds.
    pub steady_ours: Option<f64>,
    /// Why a run failed.
    pub failed: Option<String>,
}

impl Row {
    /// Medians of (wall s, RSS MiB) of our runs.
    pub fn ours_stats(&self) -> (f64, f64) {
        stats(&self.ours)
    }

    /// Medians of (wall s, RSS MiB) of the reference's runs.
    pub fn reference_stats(&self) -> (f64, f64) {
        stats(&self.reference)
    }

    /// The `cp` time of the larger of input and output: "the same number of bytes" as the
    /// bigger side of the conversion moves.
    pub fn cp_bound(&self) -> Option<f64> {
        if self.cp_bytes.0 >= self.cp_bytes.1 {
            self.cp_in
        } else {
            self.cp_out
        }
    }
}

fn stats(s: &[Sample]) -> (f64, f64) {
    (
        median(s.iter().map(|x| x.wall_s).collect()),
        median(s.iter().map(|x| x.rss_kb as f64 / 1024.0).collect()),
    )
}

/// How peak RSS is measured.
pub enum Timer {
    GnuTime,
    Rusage(PathBuf),
}

impl Timer {
    /// GNU time when it works (installing it when root), else the getrusage wrapper.
    pub fn detect(root: &Path) -> Timer {
        let works = || {
            Command::new("/usr/bin/time")
                .args(["-v", "true"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if works() {
            return Timer::GnuTime;
        }
        let root_user = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        if root_user {
            eprintln!("xtask: bench-compare: installing GNU time with apt-get");
            let _ = Command::new("apt-get")
                .args(["install", "-y", "-qq", "time"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status();
            if works() {
                return Timer::GnuTime;
            }
        }
        eprintln!(
            "xtask: bench-compare: no /usr/bin/time; peak RSS from getrusage(RUSAGE_CHILDREN)"
        );
        Timer::Rusage(root.join("xtask/python/bench_rusage.py"))
    }

    /// One line for the report.
    pub fn describe(&self) -> &'static str {
        match self {
            Timer::GnuTime => "/usr/bin/time -v (Maximum resident set size)",
            Timer::Rusage(_) => "python getrusage(RUSAGE_CHILDREN).ru_maxrss",
        }
    }

    /// Runs `argv`, returning wall time (measured here, around the wrapper) and peak RSS.
    fn run(&self, argv: &[String], python: &str) -> Result<Sample, String> {
        let rss_file =
            std::env::temp_dir().join(format!("bench-compare-{}.rss", std::process::id()));
        let mut cmd = match self {
            Timer::GnuTime => {
                let mut c = Command::new("/usr/bin/time");
                c.arg("-v").arg("-o").arg(&rss_file).args(argv);
                c
            }
            Timer::Rusage(script) => {
                let mut c = Command::new(python);
                c.arg(script).arg(&rss_file).args(argv);
                c
            }
        };
        let start = Instant::now();
        let out = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| e.to_string())?;
        let wall_s = start.elapsed().as_secs_f64();
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "{} failed: {}",
                argv.join(" "),
                err.lines().rev().take(3).collect::<Vec<_>>().join(" | ")
            ));
        }
        let text = fs::read_to_string(&rss_file).unwrap_or_default();
        let rss_kb = text.lines().find_map(|l| {
            let l = l.trim();
            l.strip_prefix("Maximum resident set size (kbytes):")
                .or_else(|| l.strip_prefix("maxrss_kb="))
                .and_then(|v| v.trim().parse().ok())
        });
        Ok(Sample {
            wall_s,
            rss_kb: rss_kb.unwrap_or(0),
        })
    }
}

/// Writes back the dirty pages of earlier runs before the next timed one, outside its timing.
/// Otherwise the kernel's flusher threads write the previous run's output (100+ MB at 10M
/// triangles) during the next run and take a core from it; on 2 cores that slowed our parallel
/// runs by up to 15 % and made the comparison depend on which side ran just before.
fn settle() {
    let _ = Command::new("sync").status();
}

/// Median wall time of `cp SRC <tmp>` over [`CP_ROUNDS`] runs after a warm-up copy, so both the
/// source and the destination directory are in the page cache like the conversion's files.
///
/// `cp` runs under the same `timer` as both sides' conversions, so the bound and the conversion
/// it bounds pay the same launch cost: `/usr/bin/time -v` adds 1.3-1.5 ms to a process here,
/// which a bare `cp` did not pay (5 % of a 27 ms conversion, against a bound of 2x).
fn cp_median(src: &Path, timer: &Timer, python: &str) -> Option<f64> {
    let dst = src.with_extension("cp-bound");
    let argv = [
        "cp".to_owned(),
        src.display().to_string(),
        dst.display().to_string(),
    ];
    let copy = || {
        settle();
        let t = timer.run(&argv, python).ok().map(|s| s.wall_s);
        // A fresh destination each time, as for both sides' runs (see `Case::outputs`).
        let _ = fs::remove_file(&dst);
        t
    };
    copy()?;
    let times: Option<Vec<f64>> = (0..CP_ROUNDS).map(|_| copy()).collect();
    times.map(median)
}

/// Runs both sides of `case` `o.rounds` times ([`CP_CASE_ROUNDS`] at least for a case bounded by
/// `cp`), then the `cp` floors and the reference's
/// in-process repeats.
pub fn measure(case: &Case, o: &Options, timer: &Timer) -> Row {
    let mut row = Row::default();
    let python = case.reference.first().cloned().unwrap_or_default();
    let rounds = if case.cp.is_some() {
        o.rounds.max(CP_CASE_ROUNDS)
    } else {
        o.rounds
    };
    for round in 0..rounds {
        // Alternate which side goes first so load drift and cache warmth hit both alike.
        let order: [bool; 2] = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for ours in order {
            let argv = if ours { &case.ours } else { &case.reference };
            let _ = fs::remove_file(&case.outputs[usize::from(!ours)]);
            settle();
            match timer.run(argv, &python) {
                Ok(s) if ours => row.ours.push(s),
                Ok(s) => row.reference.push(s),
                Err(e) => {
                    row.failed = Some(e);
                    return row;
                }
            }
        }
    }
    if let Some(cp) = &case.cp {
        row.cp_in = cp_median(&cp.input, timer, &python);
        row.cp_out = cp_median(&cp.output, timer, &python);
        let size = |p: &Path| fs::metadata(p).map_or(0, |m| m.len());
        row.cp_bytes = (size(&cp.input), size(&cp.output));
    }
    if o.steady {
        let mut argv = case.reference.clone();
        argv.extend(["--repeat".to_owned(), "3".to_owned()]);
        if let Some((exe, rest)) = argv.split_first() {
            if let Ok(out) = Command::new(exe).args(rest).output() {
                row.steady_ref = String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
                    l.strip_prefix("steady_s=")
                        .and_then(|v| v.trim().parse().ok())
                });
            }
        }
    }
    row
}

/// One progress line.
pub fn summary(r: &Row) -> String {
    if let Some(e) = &r.failed {
        return format!("FAILED: {e}");
    }
    let (ow, _) = r.ours_stats();
    let (rw, _) = r.reference_stats();
    let mut s = format!("ours {ow:.3} s, python {rw:.3} s, {:.1}x", rw / ow);
    if let (Some(i), Some(o)) = (r.cp_in, r.cp_out) {
        let _ = write!(s, ", cp in {i:.4} s / out {o:.4} s");
    }
    if let Some(t) = r.steady_ref {
        let _ = write!(s, ", python steady {t:.3} s");
    }
    s
}
