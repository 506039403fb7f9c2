//! The hostile-input corpus (`tests/hostile/`): every case must make the binary exit 1 with a
//! message naming the file and the problem (the substring in `manifest.tsv`), within a timeout,
//! without a panic, without touching the input and without leaving any output behind.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::workspace;

/// Generous for a debug build on a loaded 2-core machine; a hang is minutes, not seconds.
const TIMEOUT: Duration = Duration::from_secs(90);

const VTK_EXTS: &[&str] = &["vtp", "vtu", "vti", "vtk", "mha", "mhd", "stl"];

struct Case {
    file: String,
    expected: String,
}

fn corpus() -> (PathBuf, Vec<Case>) {
    let dir = workspace().join("tests/hostile");
    let text =
        std::fs::read_to_string(dir.join("manifest.tsv")).expect("tests/hostile/manifest.tsv");
    let cases = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, expected) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("manifest line without a tab: {l:?}"));
            Case {
                file: file.to_owned(),
                expected: expected.trim().to_owned(),
            }
        })
        .collect();
    (dir.join("cases"), cases)
}

/// Runs the binary with a timeout; `None` when it had to be killed.
fn run_bounded(args: &[&std::ffi::OsStr], cwd: &Path) -> Option<(i32, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arraydict"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn arraydict");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for arraydict") {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                std::io::Read::read_to_string(&mut e, &mut stderr).expect("read stderr");
            }
            return Some((status.code().unwrap_or(-1), stderr));
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("list scratch dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// Runs one case in a scratch directory holding only a copy of the input; returns what is wrong.
fn check(cases_dir: &Path, case: &Case) -> Option<String> {
    let scratch = tempfile::tempdir().expect("scratch dir");
    let input = scratch.path().join(&case.file);
    std::fs::copy(cases_dir.join(&case.file), &input).expect("copy case");
    let before = std::fs::read(&input).expect("read case");
    let ext = Path::new(&case.file)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let (cmd, out) = if VTK_EXTS.contains(&ext) {
        ("to-numpy", "out.pickle")
    } else {
        ("from-numpy", "out.vtp")
    };
    let out_path = scratch.path().join(out);
    let args = [
        cmd.as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ];
    let Some((code, stderr)) = run_bounded(&args, scratch.path()) else {
        return Some(format!(
            "{}: no answer within {TIMEOUT:?} (hang)",
            case.file
        ));
    };
    let mut problems = Vec::new();
    if code != 1 {
        problems.push(format!("exit code {code}, expected 1"));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("panicked".to_owned());
    }
    if !stderr.contains(&case.file) {
        problems.push("message does not name the file".to_owned());
    }
    if !stderr
        .to_lowercase()
        .contains(&case.expected.to_lowercase())
    {
        problems.push(format!("message lacks {:?}", case.expected));
    }
    let left: Vec<_> = listing(scratch.path())
        .into_iter()
        .filter(|n| *n != case.file)
        .collect();
    if !left.is_empty() {
        problems.push(format!("left behind {left:?}"));
    }
    if std::fs::read(&input).ok().as_deref() != Some(before.as_slice()) {
        problems.push("input was modified".to_owned());
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{}: {} -- stderr: {}",
            case.file,
            problems.join("; "),
            stderr.trim()
        )
    })
}

#[test]
fn every_hostile_case_is_a_clean_exit_1_naming_file_and_problem() {
    let (cases_dir, cases) = corpus();
    assert!(cases.len() >= 50, "corpus has only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| check(&cases_dir, c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn manifest_and_case_files_match() {
    let (cases_dir, cases) = corpus();
    let listed: BTreeSet<String> = cases.iter().map(|c| c.file.clone()).collect();
    assert_eq!(listed.len(), cases.len(), "a case is listed twice");
    let on_disk = listing(&cases_dir);
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "not in manifest: {unlisted:?}; missing files: {missing:?}"
    );
}
