//! The markdown report: header, tables, and one verdict line per issue-6 target.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use super::cases::Case;
use super::measure::{Row, Timer};
use super::Options;

/// A per-M-triangle figure may grow by at most this factor from one scaling step to the next.
const LINEAR_SLACK: f64 = 1.25;

/// What the report is made from.
pub struct Context<'a> {
    pub cases: &'a [Case],
    pub rows: &'a [Row],
    pub options: &'a Options,
    pub python: &'a Path,
    pub timer: &'a Timer,
    /// Why the steady bench produced nothing, if it failed.
    pub steady_failure: Option<&'a str>,
}

fn tool_output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd).args(args).output().map_or_else(
        |_| "?".into(),
        |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
    )
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.digits$}"))
}

/// The RSS limit of target 4 in MiB, when the array bytes are known.
fn rss_limit(r: &Row) -> Option<f64> {
    (r.array_bytes > 0).then(|| r.array_bytes as f64 * 1.5 / 1_048_576.0 + 50.0)
}

/// Verdict of one target: failures, plus a one-line summary of what held.
struct Verdict {
    /// Cases (or, when not `per_case`, checks) measured.
    measured: usize,
    /// Whether `measured` and `fails` count cases; target 5 is one verdict over several checks.
    per_case: bool,
    fails: Vec<String>,
    holds: String,
}

impl Verdict {
    fn new(per_case: bool) -> Verdict {
        Verdict {
            measured: 0,
            per_case,
            fails: Vec::new(),
            holds: String::new(),
        }
    }

    fn line(&self, n: usize, what: &str, not_measured: &str) -> String {
        if self.measured == 0 {
            return format!("{n}. {what}: **not measured** ({not_measured})");
        }
        if self.fails.is_empty() {
            format!("{n}. {what}: **holds** ({})", self.holds)
        } else if !self.per_case {
            let mut s = format!("{n}. {what}: **fails** ({})", self.holds);
            for f in &self.fails {
                let _ = write!(s, "\n   - {f}");
            }
            s
        } else {
            let mut s = format!(
                "{n}. {what}: **fails** on {} of {} cases ({})",
                self.fails.len(),
                self.measured,
                self.holds
            );
            for f in &self.fails {
                let _ = write!(s, "\n   - {f}");
            }
            s
        }
    }
}

/// The smallest ratio and its case, for the summary of a "faster by" target.
fn min_of(v: &[(f64, &str)]) -> String {
    v.iter()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(String::new, |(x, n)| {
            let max = v.iter().map(|p| p.0).fold(f64::NAN, f64::max);
            format!("{x:.1}x-{max:.1}x, lowest on {n}")
        })
}

fn header(s: &mut String, c: &Context) {
    let o = c.options;
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "?".into());
    let versions = tool_output(
        &c.python.display().to_string(),
        &["-c", "import sys,numpy,h5py,vtk;print(f'python {sys.version.split()[0]}, numpy {numpy.__version__}, h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}), vtk {vtk.vtkVersion.GetVTKVersion()}')"],
    );
    let sizes = if o.full { "full" } else { "small" };
    let _ = writeln!(
        s,
        "# bench-compare ({sizes} sizes, {} rounds, medians)\n",
        o.rounds
    );
    let _ = writeln!(
        s,
        "- machine: {cpu}, {} cores, {}",
        tool_output("nproc", &[]),
        tool_output("uname", &["-sr"])
    );
    let _ = writeln!(
        s,
        "- load average at the end: {}",
        fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let _ = writeln!(
        s,
        "- ours: {}; reference: {versions}",
        tool_output("rustc", &["--version"])
    );
    let _ = writeln!(
        s,
        "- peak RSS: {}; wall time: std::time::Instant around the process",
        c.timer.describe()
    );
    let _ = writeln!(
        s,
        "- steady: {}",
        if o.steady {
            "ours = criterion median of bench `pipeline` (10 samples, in process, warm); python = \
             median of 3 in-process repeats after one warm-up run (imports excluded)"
        } else {
            "not measured (add --steady)"
        }
    );
    let cases = if o.cases.is_empty() {
        String::new()
    } else {
        format!(" --cases {}", o.cases.join(","))
    };
    let _ = writeln!(
        s,
        "- reproduce: `cargo xtask bench-compare --sizes {sizes} --rounds {}{cases}{}`\n",
        o.rounds,
        if o.steady { " --steady" } else { "" }
    );
    if let Some(e) = c.steady_failure {
        let _ = writeln!(s, "**The steady bench failed**: {}\n", e.replace('\n', " "));
    }
}

/// Renders the report.
pub fn render(c: &Context) -> String {
    let mut s = String::new();
    header(&mut s, c);
    let [t1, t2, t4] = main_table(&mut s, c);
    let _ = writeln!(
        s,
        "\nRSS limit = 1.5 x array bytes (the reference's pickle) + 50 MiB. Steady speed-up = python \
         steady / ours steady, both in process with start-up excluded.\n"
    );
    let t3 = cp_table(&mut s, c);
    let t5 = scaling_table(&mut s, c);
    let _ = writeln!(s, "## Targets (issue 6)\n");
    for line in [
        t1.line(
            1,
            "process wall time >= 3x python on every case",
            "no case ran",
        ),
        t2.line(
            2,
            "steady state >= 1.5x python on every case, >= 2x on compressed outputs",
            "run with --steady",
        ),
        t3.line(
            3,
            "uncompressed paths <= 2x `cp` of the larger file (ours process / cp)",
            "the surface-raw group did not run",
        ),
        t4.line(
            4,
            "peak RSS <= 1.5 x array bytes + 50 MiB",
            "no case with known array bytes",
        ),
        t5.line(
            5,
            "time and peak RSS linear in triangles over 4 sizes",
            "run --cases scaling",
        ),
    ] {
        let _ = writeln!(s, "{line}");
    }
    s
}

/// The table of every case, and the verdicts of targets 1 (process speed-up), 2 (steady
/// speed-up) and 4 (peak RSS).
fn main_table(s: &mut String, c: &Context) -> [Verdict; 3] {
    let _ = writeln!(s, "| case | ours s | python s | speed-up | ours RSS MiB | python RSS MiB | RSS limit MiB | ours steady s | python steady s | steady speed-up |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut t1 = Verdict::new(true);
    let mut t2 = Verdict::new(true);
    let mut t4 = Verdict::new(true);
    let (mut speeds, mut steadies, mut rss_ratios) = (Vec::new(), Vec::new(), Vec::new());
    for (case, r) in c.cases.iter().zip(c.rows) {
        if let Some(e) = &r.failed {
            let _ = writeln!(
                s,
                "| {} | FAILED: {} |||||||||",
                case.name,
                e.replace('|', "/")
            );
            t1.fails.push(format!("{}: run failed", case.name));
            continue;
        }
        let (ow, orss) = r.ours_stats();
        let (rw, rrss) = r.reference_stats();
        let speed = rw / ow;
        let steady = r.steady_ref.zip(r.steady_ours).map(|(p, ours)| p / ours);
        let limit = rss_limit(r);
        let _ = writeln!(
            s,
            "| {} | {ow:.3} | {rw:.3} | {speed:.1}x | {orss:.0} | {rrss:.0} | {} | {} | {} | {} |",
            case.name,
            opt(limit, 0),
            opt(r.steady_ours, 4),
            opt(r.steady_ref, 4),
            steady.map_or_else(|| "-".into(), |x| format!("{x:.1}x")),
        );
        t1.measured += 1;
        speeds.push((speed, case.name.as_str()));
        if speed < 3.0 {
            t1.fails.push(format!(
                "{}: {speed:.1}x (ours {ow:.3} s, python {rw:.3} s)",
                case.name
            ));
        }
        if let Some(x) = steady {
            t2.measured += 1;
            steadies.push((x, case.name.as_str()));
            let need = if case.compressed_output { 2.0 } else { 1.5 };
            if x < need {
                t2.fails.push(format!(
                    "{}: {x:.1}x < {need}x (ours {:.4} s, python {:.4} s)",
                    case.name,
                    r.steady_ours.unwrap_or(f64::NAN),
                    r.steady_ref.unwrap_or(f64::NAN)
                ));
            }
        }
        if let Some(limit) = limit {
            t4.measured += 1;
            rss_ratios.push((orss / limit, case.name.as_str()));
            if orss > limit {
                t4.fails
                    .push(format!("{}: {orss:.0} MiB > {limit:.0} MiB", case.name));
            }
        }
    }
    t1.holds = min_of(&speeds);
    t2.holds = min_of(&steadies);
    t4.holds = rss_ratios
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(String::new, |(x, n)| {
            format!("highest {:.0}% of the limit, on {n}", x * 100.0)
        });
    [t1, t2, t4]
}

/// The `cp` table of the uncompressed cases and target 3's verdict (on our process time, the
/// time a user waits; the steady ratio is shown beside it).
fn cp_table(s: &mut String, c: &Context) -> Verdict {
    let mut v = Verdict::new(true);
    let rows: Vec<_> = c
        .cases
        .iter()
        .zip(c.rows)
        .filter(|(case, r)| case.cp.is_some() && r.failed.is_none())
        .collect();
    if rows.is_empty() {
        return v;
    }
    let _ = writeln!(
        s,
        "### Uncompressed paths against `cp` (medians of {} runs of each side and of {} warm copies)\n",
        super::measure::CP_CASE_ROUNDS,
        super::measure::CP_ROUNDS
    );
    let _ = writeln!(s, "| case | input MB | output MB | cp input s | cp output s | ours s | ours / cp | ours steady s | ours steady / cp |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut worst: Option<(f64, &str)> = None;
    for (case, r) in rows {
        let (ow, _) = r.ours_stats();
        let bound = r.cp_bound();
        let ratio = bound.map(|b| ow / b);
        let steady_ratio = bound.zip(r.steady_ours).map(|(b, t)| t / b);
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.1} | {} | {} | {ow:.3} | {} | {} | {} |",
            case.name,
            r.cp_bytes.0 as f64 / 1e6,
            r.cp_bytes.1 as f64 / 1e6,
            opt(r.cp_in, 4),
            opt(r.cp_out, 4),
            opt(ratio, 1),
            opt(r.steady_ours, 4),
            opt(steady_ratio, 1),
        );
        let Some(x) = ratio else { continue };
        v.measured += 1;
        if worst.is_none_or(|(w, _)| x > w) {
            worst = Some((x, case.name.as_str()));
        }
        if x > 2.0 {
            v.fails.push(format!(
                "{}: {x:.1}x cp (ours {ow:.3} s, cp {:.4} s; in process {})",
                case.name,
                bound.unwrap_or(f64::NAN),
                steady_ratio.map_or_else(|| "not measured".into(), |y| format!("{y:.1}x"))
            ));
        }
    }
    v.holds = worst.map_or_else(String::new, |(x, n)| format!("worst {x:.1}x cp, on {n}"));
    let _ = writeln!(
        s,
        "\n`cp` is the larger of the input and output files (the bytes the conversion must move at \
         least); each `cp` is a fresh process and a fresh destination file.\n"
    );
    v
}

/// Per-M-triangle figures at each size, marginal costs between sizes, and target 5's verdict:
/// no per-M figure (process time, steady time, peak RSS) may grow by more than
/// [`LINEAR_SLACK`] from one size to the next, and the marginal cost of the last step may not
/// exceed [`LINEAR_SLACK`] times that of the step before (start-up cancels out of marginals).
fn scaling_table(s: &mut String, c: &Context) -> Verdict {
    let mut v = Verdict::new(false);
    let pts: Vec<(f64, f64, f64, Option<f64>, f64)> = c
        .cases
        .iter()
        .zip(c.rows)
        .filter(|(_, r)| r.failed.is_none())
        .filter_map(|(case, r)| {
            let n = case.triangles? as f64 / 1e6;
            let (ow, orss) = r.ours_stats();
            let (rw, _) = r.reference_stats();
            Some((n, ow, orss, r.steady_ours, rw))
        })
        .collect();
    if pts.len() < 2 {
        return v;
    }
    let _ = writeln!(s, "### Scaling (surface zlib `.vtp` -> HDF5 gzip 4)\n");
    let _ = writeln!(s, "| triangles | ours s | s per M tri | ours steady s | steady s per M tri | python s | ours RSS MiB | MiB per M tri | marginal s per M tri | marginal MiB per M tri |");
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut marg_t = Vec::new();
    let mut marg_m = Vec::new();
    for (i, &(n, t, m, st, rw)) in pts.iter().enumerate() {
        let (mt, mm) = match i.checked_sub(1).and_then(|j| pts.get(j)) {
            Some(&(n0, t0, m0, ..)) => (Some((t - t0) / (n - n0)), Some((m - m0) / (n - n0))),
            None => (None, None),
        };
        marg_t.extend(mt);
        marg_m.extend(mm);
        let _ = writeln!(
            s,
            "| {:.0} | {t:.3} | {:.3} | {} | {} | {rw:.3} | {m:.0} | {:.0} | {} | {} |",
            n * 1e6,
            t / n,
            opt(st, 4),
            opt(st.map(|x| x / n), 3),
            m / n,
            opt(mt, 3),
            opt(mm, 0),
        );
    }
    v.measured = 1;
    check_linear(&mut v, &pts, &marg_t, &marg_m);
    if !c.options.full && !v.fails.is_empty() {
        v.fails.push(
            "small sizes (10k-80k) are a smoke check: start-up noise and 1 MiB RSS steps dominate; \
             judge with --sizes full"
                .into(),
        );
    }
    let last = pts.last().copied().unwrap_or_default();
    v.holds = format!(
        "at {:.0} triangles {:.3} s and {:.0} MiB per M triangles; marginal {} s and {} MiB per M \
         over the last step; limit {LINEAR_SLACK}x growth per step",
        last.0 * 1e6,
        last.1 / last.0,
        last.2 / last.0,
        opt(marg_t.last().copied(), 3),
        opt(marg_m.last().copied(), 0)
    );
    let _ = writeln!(
        s,
        "\nMarginal = (figure at this size - figure at the previous size) / added M triangles, so \
         process start-up and the fixed RSS cancel out.\n"
    );
    v
}

/// Target 5's checks on the scaling points `(M triangles, process s, RSS MiB, steady s, python
/// s)` and the marginal costs between them; each failure goes to `v.fails`.
fn check_linear(
    v: &mut Verdict,
    pts: &[(f64, f64, f64, Option<f64>, f64)],
    marg_t: &[f64],
    marg_m: &[f64],
) {
    let mut check = |what: &str, per_m: Vec<Option<f64>>| {
        for (w, (a, b)) in pts.windows(2).zip(per_m.windows(2).map(|p| (p[0], p[1]))) {
            if let (Some(a), Some(b)) = (a, b) {
                if b > LINEAR_SLACK * a {
                    v.fails.push(format!(
                        "{what} per M triangles grows {:.2}x from {:.0} to {:.0} triangles ({a:.3} -> {b:.3})",
                        b / a,
                        w[0].0 * 1e6,
                        w[1].0 * 1e6
                    ));
                }
            }
        }
    };
    check(
        "process time",
        pts.iter().map(|p| Some(p.1 / p.0)).collect(),
    );
    check(
        "steady time",
        pts.iter().map(|p| p.3.map(|x| x / p.0)).collect(),
    );
    check("peak RSS", pts.iter().map(|p| Some(p.2 / p.0)).collect());
    for (what, m) in [("process time", marg_t), ("peak RSS", marg_m)] {
        if let [.., a, b] = m[..] {
            if a > 0.0 && b > LINEAR_SLACK * a {
                v.fails.push(format!(
                    "marginal {what} per M triangles of the last step is {:.2}x the step before ({a:.3} -> {b:.3})",
                    b / a
                ));
            } else if a <= 0.0 {
                v.fails.push(format!(
                    "marginal {what} of the second-last step is not positive ({a:.3}): noise, inconclusive"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::bench_compare::measure::Sample;

    fn scaling_case(n: u64) -> Case {
        Case {
            name: format!("scaling {n}"),
            ours: Vec::new(),
            reference: Vec::new(),
            bench: None,
            cp: None,
            array_bytes_of: PathBuf::new(),
            compressed_output: true,
            triangles: Some(n),
            outputs: [PathBuf::new(), PathBuf::new()],
        }
    }

    fn row(wall_s: f64, rss_mib: u64) -> Row {
        let s = Sample {
            wall_s,
            rss_kb: rss_mib * 1024,
        };
        Row {
            ours: vec![s],
            reference: vec![s],
            ..Row::default()
        }
    }

    /// Target 5's verdict on `(triangles, seconds, MiB)` points.
    fn verdict(points: &[(u64, f64, u64)]) -> Verdict {
        let cases: Vec<Case> = points.iter().map(|p| scaling_case(p.0)).collect();
        let rows: Vec<Row> = points.iter().map(|p| row(p.1, p.2)).collect();
        let options = Options {
            rounds: 1,
            full: true,
            cases: Vec::new(),
            steady: false,
            binary: None,
            python: false,
        };
        let ctx = Context {
            cases: &cases,
            rows: &rows,
            options: &options,
            python: Path::new("python"),
            timer: &Timer::GnuTime,
            steady_failure: None,
        };
        scaling_table(&mut String::new(), &ctx)
    }

    #[test]
    fn linear_growth_with_start_up_and_fixed_rss_holds() {
        // 20 ms + 0.5 s per M triangles, 8 MiB + 60 MiB per M triangles.
        let pts: Vec<(u64, f64, u64)> = [10_000u64, 100_000, 1_000_000, 10_000_000]
            .iter()
            .map(|&n| (n, 0.02 + 0.5 * n as f64 / 1e6, 8 + 60 * n / 1_000_000))
            .collect();
        let v = verdict(&pts);
        assert_eq!(v.measured, 1);
        assert!(v.fails.is_empty(), "{:?}", v.fails);
    }

    #[test]
    fn quadratic_time_fails() {
        let pts: Vec<(u64, f64, u64)> = [10_000u64, 100_000, 1_000_000, 10_000_000]
            .iter()
            .map(|&n| {
                let m = n as f64 / 1e6;
                (n, 0.02 + 0.5 * m + 0.2 * m * m, 8 + 60 * n / 1_000_000)
            })
            .collect();
        let v = verdict(&pts);
        assert!(
            v.fails.iter().any(|f| f.contains("process time")),
            "{:?}",
            v.fails
        );
        assert!(!v.fails.iter().any(|f| f.contains("RSS")), "{:?}", v.fails);
    }

    #[test]
    fn cp_bound_uses_the_larger_file() {
        let mut r = Row {
            cp_in: Some(0.01),
            cp_out: Some(0.03),
            cp_bytes: (10, 30),
            ..Row::default()
        };
        assert_eq!(r.cp_bound(), Some(0.03));
        r.cp_bytes = (30, 10);
        assert_eq!(r.cp_bound(), Some(0.01));
    }
}
