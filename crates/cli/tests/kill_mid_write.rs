//! No lost data: a process killed (`SIGKILL`) while writing leaves the previous output intact, and the next
//! run leaves no stray temporary files behind. Both writers are covered (ArrayDict stores via
//! `to-numpy`, VTK files via `from-numpy`).
#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{arraydict, big_surface, workspace};

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".arraydict-"))
        .collect()
}

/// Starts `args` and SIGKILLs it `delay` after a temporary output appears in `out_dir`; returns
/// whether it was killed mid-write, i.e. its temporary is still there (false: it renamed its
/// output, or finished, first).
fn kill_when_writing(args: &[&str], out_dir: &Path, delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arraydict"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if !temporaries(out_dir).is_empty() {
            // Let it write a little so the temporary holds partial content.
            std::thread::sleep(delay);
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            return !temporaries(out_dir).is_empty();
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(
            start.elapsed() < Duration::from_secs(450),
            "writer neither wrote nor finished"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn scenario(cmd: &str, small_input: &Path, big_input: &Path, out: &Path) {
    let out_dir = out.parent().unwrap();
    let r = arraydict(&[
        cmd,
        small_input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let previous = std::fs::read(out).unwrap();
    let big_args = [
        cmd,
        big_input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    // A write that outran the kill replaced the output with a complete new file, which is no
    // test of a killed write: put the old one back and kill sooner.
    let killed = [30, 10, 3, 0].into_iter().any(|ms| {
        if kill_when_writing(&big_args, out_dir, Duration::from_millis(ms)) {
            return true;
        }
        std::fs::write(out, &previous).unwrap();
        false
    });
    assert!(
        killed,
        "the big write finished before it could be killed; make the input bigger"
    );
    assert!(
        std::fs::read(out).unwrap() == previous,
        "{cmd}: previous output damaged by a killed write"
    );
    assert!(
        !temporaries(out_dir).is_empty(),
        "a SIGKILLed writer cannot clean up; expected its temporary"
    );
    let r = arraydict(&[
        cmd,
        small_input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        std::fs::read(out).unwrap() == previous,
        "{cmd}: same input, different bytes"
    );
    assert_eq!(
        temporaries(out_dir),
        Vec::<String>::new(),
        "{cmd}: stray temporaries after the next run"
    );
}

#[test]
fn sigkill_during_to_numpy_keeps_previous_store_file_and_next_run_cleans_up() {
    let inputs = tempfile::tempdir().unwrap();
    let big = big_surface(inputs.path(), 2_000_000);
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
fn sigkill_during_from_numpy_keeps_previous_vtk_file_and_next_run_cleans_up() {
    let inputs = tempfile::tempdir().unwrap();
    let big_vtk = big_surface(inputs.path(), 2_000_000);
    let big = inputs.path().join("big.pickle");
    let r = arraydict(&[
        "to-numpy",
        big_vtk.to_str().unwrap(),
        "-o",
        big.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let small_vtk = workspace().join("fixtures/surface/surface.appended-raw.zlib.h64.id64.vtp");
    let small = inputs.path().join("small.pickle");
    let r = arraydict(&[
        "to-numpy",
        small_vtk.to_str().unwrap(),
        "-o",
        small.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let outs = tempfile::tempdir().unwrap();
    scenario("from-numpy", &small, &big, &outs.path().join("out.vtp"));
}

#[test]
fn inputs_are_never_opened_for_writing() {
    // A read-only input copy: a reader that opened it for writing would fail with EACCES (unless
    // running as root, where the unchanged bytes and mtime are what is checked).
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let src = workspace().join("fixtures/surface/surface.appended-raw.zlib.h64.id64.vtp");
    let input = dir.path().join("in.vtp");
    std::fs::copy(&src, &input).unwrap();
    std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = (
        std::fs::read(&input).unwrap(),
        std::fs::metadata(&input).unwrap().modified().unwrap(),
    );
    let tree = dir.path().join("t.hdf5");
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        tree.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    std::fs::set_permissions(&tree, std::fs::Permissions::from_mode(0o444)).unwrap();
    let tree_before = std::fs::read(&tree).unwrap();
    let r = arraydict(&[
        "from-numpy",
        tree.to_str().unwrap(),
        "-o",
        dir.path().join("o.vtp").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        (
            std::fs::read(&input).unwrap(),
            std::fs::metadata(&input).unwrap().modified().unwrap()
        ),
        before
    );
    assert_eq!(std::fs::read(&tree).unwrap(), tree_before);
}
