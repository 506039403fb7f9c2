//! `cargo xtask bench-compare`: our `arraydict` binary against the Python reference
//! (`xtask/python/bench_reference.py`: VTK readers/writers + numpy + h5py/pickle), case by case in
//! one session. Each round runs both, alternating which goes first, so machine-load drift hits
//! both alike; the table reports medians of process wall time and of peak RSS.
//!
//! Peak RSS comes from `/usr/bin/time -v` (installed with apt-get when missing and we are root),
//! else from `xtask/python/bench_rusage.py` (`getrusage(RUSAGE_CHILDREN)`).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{venv, Failure};

/// Parsed command-line options.
pub struct Options {
    /// Runs of each side per case.
    pub rounds: usize,
    /// `small` (smoke check, about a minute) or `full` (the sizes of issue 6).
    pub full: bool,
    /// Input groups to run; empty means all but `scaling`.
    pub cases: Vec<String>,
    /// Also ask the reference for in-process steady-state times.
    pub steady: bool,
    /// A prebuilt `arraydict` to measure instead of building the release binary (before/after
    /// comparisons of a change).
    pub binary: Option<PathBuf>,
}

impl Options {
    /// Parses `[--rounds N] [--sizes small|full] [--cases a,b] [--steady] [--binary PATH]`.
    pub fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut o = Options {
            rounds: 0,
            full: false,
            cases: Vec::new(),
            steady: false,
            binary: None,
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
                _ => return Err(Failure(format!("bench-compare: unknown flag {a:?}"))),
            }
        }
        if o.rounds == 0 {
            o.rounds = if o.full { 5 } else { 3 };
        }
        for c in &o.cases {
            if !GROUPS.contains(&c.as_str()) {
                return Err(Failure(format!(
                    "--cases: unknown {c:?}; expected some of {GROUPS:?}"
                )));
            }
        }
        Ok(o)
    }
}

const GROUPS: [&str; 7] = [
    "surface",
    "surface-raw",
    "centerlines",
    "image-mha",
    "image-vti",
    "mesh",
    "scaling",
];

/// One measured process run.
#[derive(Clone, Copy)]
struct Sample {
    wall_s: f64,
    rss_kb: u64,
}

/// One row of the table.
struct Case {
    name: String,
    ours: Vec<String>,
    reference: Vec<String>,
    /// Output whose `cp` time is the floor of an uncompressed path.
    cp_of: Option<PathBuf>,
    /// Bytes of the arrays moved (the pickle's size), for the RSS target.
    array_bytes_of: PathBuf,
    compressed_output: bool,
}

#[derive(Default)]
struct Row {
    ours: Vec<Sample>,
    reference: Vec<Sample>,
    cp: Vec<f64>,
    array_bytes: u64,
    steady_ref: Option<f64>,
    failed: Option<String>,
}

/// Runs the comparison; `Ok(false)` when a run failed.
pub fn run(root: &Path, o: &Options) -> Result<bool, Failure> {
    let python = match std::env::var_os("ARRAYDICT_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => venv::ensure(root, "np2", "requirements-np2.txt")?,
    };
    let binary = match &o.binary {
        Some(b) => b.clone(),
        None => build_release(root)?,
    };
    let timer = Timer::detect(root, &python);
    let dir = root.join("target/bench-compare");
    let inputs = dir.join(if o.full {
        "inputs-full"
    } else {
        "inputs-small"
    });
    let out = dir.join("out");
    fs::create_dir_all(&out)?;
    let wanted = |g: &str| {
        if o.cases.is_empty() {
            g != "scaling"
        } else {
            o.cases.iter().any(|c| c == g)
        }
    };
    let (tri, cl, side, hex) = if o.full {
        (1_000_000, 1_000_000, 256, 1_000_000)
    } else {
        (20_000, 20_000, 48, 8_000)
    };
    let scaling: &[u64] = if o.full {
        &[10_000, 100_000, 1_000_000, 10_000_000]
    } else {
        &[10_000, 20_000, 40_000, 80_000]
    };
    let mut specs = vec![
        format!("surface={tri}"),
        format!("centerlines={cl}"),
        format!("image={side}"),
        format!("mesh={hex}"),
    ];
    if wanted("scaling") {
        specs.extend(scaling.iter().map(|n| format!("surface={n}")));
    }
    eprintln!(
        "xtask: bench-compare: generating inputs in {}",
        inputs.display()
    );
    let gen = root.join("xtask/python/bench_inputs.py");
    check_status(
        Command::new(&python).arg(&gen).arg(&inputs).args(&specs),
        "bench_inputs.py",
    )?;

    let reference = root.join("xtask/python/bench_reference.py");
    let inp = |f: String| inputs.join(f);
    let all_inputs = [
        (
            "surface",
            inp(format!("surface_{tri}_zlib.vtp")),
            "surface",
            "vtp",
        ),
        (
            "surface-raw",
            inp(format!("surface_{tri}_raw.vtp")),
            "surface",
            "vtp",
        ),
        (
            "centerlines",
            inp(format!("centerlines_{cl}.vtp")),
            "centerlines",
            "vtp",
        ),
        (
            "image-mha",
            inp(format!("image_{side}.mha")),
            "image",
            "vti",
        ),
        (
            "image-vti",
            inp(format!("image_{side}.vti")),
            "image",
            "vti",
        ),
        ("mesh", inp(format!("mesh_{hex}.vtu")), "mesh", "vtu"),
    ];
    let mut cases = Vec::new();
    let mut back = Vec::new();
    let py = python.display().to_string();
    let refs = reference.display().to_string();
    let bin = binary.display().to_string();
    for (group, path, kind, ext) in &all_inputs {
        if !wanted(group) {
            continue;
        }
        let p = path.display().to_string();
        let stem = |side: &str, fmt: &str| {
            out.join(format!("{group}.{side}.{fmt}"))
                .display()
                .to_string()
        };
        let pickle_ref = PathBuf::from(stem("ref", "pickle"));
        for (fmt, ours_args, ext_out) in [
            (
                "hdf5-gzip",
                vec!["--compression", "gzip", "--level", "4"],
                "hdf5",
            ),
            ("hdf5-none", vec!["--compression", "none"], "hdf5"),
            ("pickle", vec![], "pickle"),
        ] {
            let ours_out = stem("ours", &format!("{fmt}.{ext_out}"));
            let ref_out = if fmt == "pickle" {
                stem("ref", "pickle")
            } else {
                stem("ref", &format!("{fmt}.{ext_out}"))
            };
            let mut ours = vec![
                bin.clone(),
                "to-numpy".into(),
                p.clone(),
                "-o".into(),
                ours_out.clone(),
            ];
            ours.extend(ours_args.iter().map(|s| (*s).to_owned()));
            cases.push(Case {
                name: format!("{} -> {fmt}", file_name(path)),
                ours,
                reference: vec![
                    py.clone(),
                    refs.clone(),
                    "to-numpy".into(),
                    p.clone(),
                    ref_out.clone(),
                    fmt.into(),
                ],
                // Only raw input -> raw output is a pure byte-moving path that `cp` bounds.
                cp_of: (*group == "surface-raw" && fmt != "hdf5-gzip")
                    .then(|| PathBuf::from(&ours_out)),
                array_bytes_of: pickle_ref.clone(),
                compressed_output: fmt == "hdf5-gzip",
            });
        }
        // One reverse pair per kind: the .vtp/.mha input's trees, read from the reference's files.
        if ["surface", "centerlines", "image-mha", "mesh"].contains(group) {
            for src in [stem("ref", "hdf5-gzip.hdf5"), stem("ref", "pickle")] {
                let name = format!("{} -> .{ext}", file_name(Path::new(&src)));
                let ours_out = stem(
                    "ours-back",
                    &format!("{}.{ext}", file_name(Path::new(&src))),
                );
                let ref_out = stem("ref-back", &format!("{}.{ext}", file_name(Path::new(&src))));
                back.push(Case {
                    name,
                    ours: vec![
                        bin.clone(),
                        "from-numpy".into(),
                        src.clone(),
                        "-o".into(),
                        ours_out,
                    ],
                    reference: vec![
                        py.clone(),
                        refs.clone(),
                        "from-numpy".into(),
                        src,
                        ref_out,
                        (*kind).into(),
                    ],
                    cp_of: None,
                    array_bytes_of: pickle_ref.clone(),
                    compressed_output: true,
                });
            }
        }
    }
    if wanted("scaling") {
        for n in scaling {
            let p = inp(format!("surface_{n}_zlib.vtp")).display().to_string();
            let o1 = out
                .join(format!("scaling_{n}.ours.hdf5"))
                .display()
                .to_string();
            let o2 = out
                .join(format!("scaling_{n}.ref.hdf5"))
                .display()
                .to_string();
            cases.push(Case {
                name: format!("scaling: surface_{n}_zlib.vtp -> hdf5-gzip"),
                ours: vec![bin.clone(), "to-numpy".into(), p.clone(), "-o".into(), o1],
                reference: vec![
                    py.clone(),
                    refs.clone(),
                    "to-numpy".into(),
                    p,
                    o2,
                    "hdf5-gzip".into(),
                ],
                cp_of: None,
                array_bytes_of: PathBuf::new(),
                compressed_output: true,
            });
        }
    }
    cases.extend(back);

    let mut rows = Vec::new();
    let mut ok = true;
    for case in &cases {
        let row = measure(case, o, &timer);
        eprintln!("xtask: bench-compare: {}: {}", case.name, summary(&row));
        ok &= row.failed.is_none();
        rows.push(row);
    }
    // The reference's pickle of a tree exists only once its case ran, hence sized at the end.
    for (case, row) in cases.iter().zip(&mut rows) {
        row.array_bytes = fs::metadata(&case.array_bytes_of).map_or(0, |m| m.len());
    }
    let report = render(&cases, &rows, o, &python, &timer);
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

/// `cargo build --release -p arraydict-cli`; the binary path honours `CARGO_TARGET_DIR`.
fn build_release(root: &Path) -> Result<PathBuf, Failure> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("xtask: bench-compare: cargo build --release -p arraydict-cli");
    check_status(
        Command::new(cargo)
            .current_dir(root)
            .args(["build", "--release", "-p", "arraydict-cli"]),
        "cargo build --release",
    )?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let target = if target.is_absolute() {
        target
    } else {
        root.join(target)
    };
    Ok(target.join("release/arraydict"))
}

/// How peak RSS is measured.
enum Timer {
    GnuTime,
    Rusage(PathBuf),
}

impl Timer {
    fn detect(root: &Path, python: &Path) -> Timer {
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
        let _ = python;
        Timer::Rusage(root.join("xtask/python/bench_rusage.py"))
    }

    fn describe(&self) -> &'static str {
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

fn measure(case: &Case, o: &Options, timer: &Timer) -> Row {
    let mut row = Row::default();
    let python = case.reference.first().cloned().unwrap_or_default();
    for round in 0..o.rounds {
        // Alternate which side goes first so load drift and cache warmth hit both alike.
        let order: [bool; 2] = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for ours in order {
            let argv = if ours { &case.ours } else { &case.reference };
            match timer.run(argv, &python) {
                Ok(s) if ours => row.ours.push(s),
                Ok(s) => row.reference.push(s),
                Err(e) => {
                    row.failed = Some(e);
                    return row;
                }
            }
        }
        if let Some(src) = &case.cp_of {
            let dst = src.with_extension("cp");
            let start = Instant::now();
            if Command::new("cp")
                .arg(src)
                .arg(&dst)
                .status()
                .is_ok_and(|s| s.success())
            {
                row.cp.push(start.elapsed().as_secs_f64());
            }
            let _ = fs::remove_file(dst);
        }
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

#[allow(clippy::cast_precision_loss)]
fn stats(s: &[Sample]) -> (f64, f64) {
    (
        median(s.iter().map(|x| x.wall_s).collect()),
        median(s.iter().map(|x| x.rss_kb as f64 / 1024.0).collect()),
    )
}

fn summary(r: &Row) -> String {
    if let Some(e) = &r.failed {
        return format!("FAILED: {e}");
    }
    let (ow, _) = stats(&r.ours);
    let (rw, _) = stats(&r.reference);
    format!("ours {ow:.3} s, python {rw:.3} s, {:.1}x", rw / ow)
}

fn tool_output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd).args(args).output().map_or_else(
        |_| "?".into(),
        |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
    )
}

#[allow(clippy::cast_precision_loss)]
fn render(cases: &[Case], rows: &[Row], o: &Options, python: &Path, timer: &Timer) -> String {
    let mut s = String::new();
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "?".into());
    let versions = tool_output(
        &python.display().to_string(),
        &["-c", "import sys,numpy,h5py,vtk;print(f'python {sys.version.split()[0]}, numpy {numpy.__version__}, h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}), vtk {vtk.vtkVersion.GetVTKVersion()}')"],
    );
    let _ = writeln!(
        s,
        "# bench-compare ({} sizes, {} rounds, medians)\n",
        if o.full { "full" } else { "small" },
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
        timer.describe()
    );
    let _ = writeln!(
        s,
        "- reproduce: `cargo xtask bench-compare --sizes {} --rounds {}{}`\n",
        if o.full { "full" } else { "small" },
        o.rounds,
        if o.steady { " --steady" } else { "" }
    );
    let _ = writeln!(s, "| case | ours s | python s | speed-up | ours RSS MiB | python RSS MiB | RSS limit MiB | cp s | ours/cp | python steady s | steady speed-up |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut fails = Vec::new();
    for (c, r) in cases.iter().zip(rows) {
        if let Some(e) = &r.failed {
            let _ = writeln!(
                s,
                "| {} | FAILED: {} |||||||||",
                c.name,
                e.replace('|', "/")
            );
            fails.push(format!("{}: run failed", c.name));
            continue;
        }
        let (ow, orss) = stats(&r.ours);
        let (rw, rrss) = stats(&r.reference);
        let limit = r.array_bytes as f64 * 1.5 / 1_048_576.0 + 50.0;
        let cp = median(r.cp.clone());
        let speed = rw / ow;
        let steady = r.steady_ref.map(|t| t / ow);
        let _ = writeln!(
            s,
            "| {} | {ow:.3} | {rw:.3} | {speed:.1}x | {orss:.0} | {rrss:.0} | {} | {} | {} | {} | {} |",
            c.name,
            if r.array_bytes > 0 { format!("{limit:.0}") } else { "-".into() },
            if cp.is_nan() { "-".into() } else { format!("{cp:.3}") },
            if cp.is_nan() { "-".into() } else { format!("{:.1}", ow / cp) },
            r.steady_ref.map_or("-".into(), |t| format!("{t:.3}")),
            steady.map_or("-".into(), |x| format!("{x:.1}x")),
        );
        if speed < 3.0 {
            fails.push(format!("{}: process speed-up {speed:.1}x < 3x", c.name));
        }
        if let Some(x) = steady {
            let need = if c.compressed_output { 2.0 } else { 1.5 };
            if x < need {
                fails.push(format!("{}: steady speed-up {x:.1}x < {need}x", c.name));
            }
        }
        if !cp.is_nan() && ow > 2.0 * cp {
            fails.push(format!("{}: {:.1}x the time of cp (> 2x)", c.name, ow / cp));
        }
        if r.array_bytes > 0 && orss > limit {
            fails.push(format!(
                "{}: peak RSS {orss:.0} MiB > {limit:.0} MiB",
                c.name
            ));
        }
    }
    let _ = writeln!(s, "\nRSS limit = 1.5 x array bytes (the pickle's size) + 50 MiB. `python steady` is the reference's \
        in-process median over 3 repeats (imports excluded); `steady speed-up` divides it by OUR PROCESS time, a \
        lower bound on our in-process ratio.\n");
    if fails.is_empty() {
        let _ = writeln!(s, "All per-case targets hold.");
    } else {
        let _ = writeln!(s, "Targets missed:\n");
        for f in &fails {
            let _ = writeln!(s, "- {f}");
        }
    }
    s
}
