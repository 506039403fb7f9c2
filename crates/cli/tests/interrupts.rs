//! Interrupts leave nothing behind (issue 17, section 2): SIGINT, SIGTERM and SIGHUP during a write
//! remove its temporary, keep the previous output, say "interrupted" and exit 128 + the signal; an
//! interrupted `batch` resumes with `--skip-existing`.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{arraydict, big_surface, workspace};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".arraydict-"))
        .collect()
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_arraydict"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} failed");
}

/// Polls until `ready` holds (then true) or the child has exited (false).
fn wait_for(child: &mut Child, ready: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if ready() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(
            start.elapsed() < Duration::from_mins(5),
            "the run neither wrote nor finished"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `args` and sends `signal` once its temporary output exists in `out_dir`; returns the exit
/// code and standard error, or `None` when the run finished before its temporary was seen.
fn interrupt_mid_write(args: &[&str], out_dir: &Path, signal: &str) -> Option<(i32, String)> {
    let mut child = spawn(args);
    if !wait_for(&mut child, || !temporaries(out_dir).is_empty()) {
        child.wait().unwrap();
        return None;
    }
    send(&child, signal);
    let out = child.wait_with_output().unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn scenario(cmd: &str, small_input: &Path, big_input: &Path, out: &Path) {
    let out_dir = out.parent().unwrap();
    let r = arraydict(&[cmd, s(small_input), "-o", s(out)]);
    assert_eq!(r.code, 0, "{r:?}");
    let previous = std::fs::read(out).unwrap();
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let args = [cmd, s(big_input), "-o", s(out)];
        let Some((got, stderr)) = (0..5).find_map(|_| {
            let r = interrupt_mid_write(&args, out_dir, signal);
            match &r {
                // The signal came after the rename (or as the process was exiting after it): the
                // new output is whole and said to be.
                Some((code, stderr)) if *code == 0 || stderr.contains("was written") => {
                    assert!(
                        std::fs::read(out).unwrap() != previous,
                        "{stderr}: but the output is the old one"
                    );
                }
                Some(_) => return r,
                None => {}
            }
            std::fs::write(out, &previous).unwrap(); // it outran the signal: try again
            None
        }) else {
            panic!("{cmd}: the big write finished before it could be interrupted; make the input bigger");
        };
        assert_eq!(got, code, "{cmd} SIG{signal}: {stderr}");
        assert!(
            stderr.contains("arraydict: interrupted") && stderr.contains(&format!("SIG{signal}")),
            "{stderr}"
        );
        assert!(stderr.contains("was not written"), "{stderr}");
        assert_eq!(
            temporaries(out_dir),
            Vec::<String>::new(),
            "{cmd} SIG{signal}: temporary left behind"
        );
        assert!(
            std::fs::read(out).unwrap() == previous,
            "{cmd} SIG{signal}: previous output damaged"
        );
    }
}

#[test]
fn signals_during_to_numpy_remove_the_temporary_and_keep_the_old_output() {
    let inputs = tempfile::tempdir().unwrap();
    let big = big_surface(inputs.path(), 1_000_000);
    let small = workspace().join("fixtures/surface/surface.appended-raw.zlib.h64.id64.vtp");
    for ext in ["hdf5", "pickle"] {
        let outs = tempfile::tempdir().unwrap();
        scenario(
            "to-numpy",
            &small,
            &big,
            &outs.path().join(format!("out.{ext}")),
        );
    }
}

#[test]
fn signals_during_from_numpy_remove_the_temporary_and_keep_the_old_output() {
    let inputs = tempfile::tempdir().unwrap();
    let big_vtk = big_surface(inputs.path(), 1_000_000);
    let big = inputs.path().join("big.pickle");
    let r = arraydict(&["to-numpy", s(&big_vtk), "-o", s(&big)]);
    assert_eq!(r.code, 0, "{r:?}");
    let small = inputs.path().join("small.pickle");
    let small_vtk = workspace().join("fixtures/surface/surface.appended-raw.zlib.h64.id64.vtp");
    let r = arraydict(&["to-numpy", s(&small_vtk), "-o", s(&small)]);
    assert_eq!(r.code, 0, "{r:?}");
    let outs = tempfile::tempdir().unwrap();
    scenario("from-numpy", &small, &big, &outs.path().join("out.vtp"));
}

fn modified(p: &Path) -> SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

/// A batch interrupted after its first output: the outputs it reports are complete, nothing else is
/// left; resumed with --skip-existing it converts only the rest and says how many it skipped.
#[test]
fn an_interrupted_batch_resumes_with_skip_existing() {
    const N: usize = 4;
    let inputs = tempfile::tempdir().unwrap();
    let big = big_surface(inputs.path(), 1_000_000);
    let names: Vec<String> = (0..N).map(|i| format!("case{i}")).collect();
    for name in &names {
        std::fs::copy(&big, inputs.path().join(format!("{name}.vtk"))).unwrap();
    }
    std::fs::remove_file(&big).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outputs: Vec<_> = names
        .iter()
        .map(|n| out.path().join(format!("{n}.pickle")))
        .collect();
    let args = [
        "--threads",
        "1",
        "batch",
        s(inputs.path()),
        "-o",
        s(out.path()),
        "--format",
        "pickle",
        "--quiet",
    ];
    let mut child = spawn(&args);
    let mid_write = || outputs.iter().any(|o| o.exists()) && !temporaries(out.path()).is_empty();
    assert!(
        wait_for(&mut child, mid_write),
        "the batch finished before it could be interrupted"
    );
    send(&child, "INT");
    let run = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("arraydict: interrupted (SIGINT)"),
        "{stderr}"
    );
    assert_eq!(
        temporaries(out.path()),
        Vec::<String>::new(),
        "temporary left behind"
    );
    let done: Vec<_> = outputs.iter().filter(|o| o.exists()).collect();
    assert!(!done.is_empty() && done.len() < N, "{} outputs", done.len());
    assert!(
        stderr.contains(&format!("{} of {N} inputs converted", done.len())),
        "{stderr}"
    );
    for o in &done {
        let r = arraydict(&["validate", s(o)]);
        assert_eq!(
            r.code,
            0,
            "{}: an output of the interrupted batch is not complete: {r:?}",
            o.display()
        );
    }
    let before: Vec<_> = done.iter().map(|o| modified(o)).collect();
    let r = arraydict(
        &args[..args.len() - 1]
            .iter()
            .copied()
            .chain(["--skip-existing"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let summary = format!(
        "batch: {} converted, 0 failed, {} skipped, {N} inputs",
        N - done.len(),
        done.len()
    );
    assert!(r.stderr.contains(&summary), "expected '{summary}': {r:?}");
    assert!(outputs.iter().all(|o| o.exists()));
    let after: Vec<_> = done.iter().map(|o| modified(o)).collect();
    assert_eq!(
        before, after,
        "--skip-existing rewrote an output that was up to date"
    );
    // An input newer than its output is converted again.
    let touched = inputs.path().join("case0.vtk");
    let file = std::fs::File::options()
        .append(true)
        .open(&touched)
        .unwrap();
    file.set_modified(modified(&outputs[0]) + Duration::from_secs(10))
        .unwrap();
    let r = arraydict(
        &args[..args.len() - 1]
            .iter()
            .copied()
            .chain(["--skip-existing"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("batch: 1 converted, 0 failed, {} skipped", N - 1)),
        "{r:?}"
    );
}
