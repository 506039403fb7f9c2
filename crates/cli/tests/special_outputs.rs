//! Outputs that are not regular files (issue 17, section 1): symbolic links are followed and stay,
//! devices and FIFOs are written through and never replaced, `-o -` is standard output, `-` as input
//! is standard input. Each special output must receive exactly the bytes a regular file gets.
#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{arraydict, workspace};

fn surface() -> PathBuf {
    workspace().join("fixtures/surface/surface.appended-raw.zlib.h64.id64.vtp")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The bytes `args` (with `-o OUT` appended) write to a regular file.
fn regular_output(args: &[&str], ext: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("out.{ext}"));
    let mut all = args.to_vec();
    all.extend(["-o", s(&out)]);
    let r = arraydict(&all);
    assert_eq!(r.code, 0, "{r:?}");
    std::fs::read(out).unwrap()
}

/// Runs the binary with `args`, `stdin` as its standard input; returns exit code, stdout, stderr.
fn run_piped(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arraydict"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes); // the binary may refuse before reading it all
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A pickle and a VTK conversion, as (args, format flag, extension) triples.
fn conversions(tree: &Path) -> Vec<(Vec<String>, &'static str, &'static str)> {
    let input = surface().to_str().unwrap().to_string();
    let tree = tree.to_str().unwrap().to_string();
    vec![
        (vec!["to-numpy".into(), input.clone()], "pickle", "pickle"),
        (vec!["to-numpy".into(), input.clone()], "hdf5", "hdf5"),
        (vec!["to-numpy".into(), input], "msgpack", "msgpack"),
        (vec!["from-numpy".into(), tree.clone()], "vtp", "vtp"),
        (vec!["from-numpy".into(), tree.clone()], "vtk", "vtk"),
        (vec!["from-numpy".into(), tree], "stl", "stl"),
    ]
}

fn tree_file(dir: &Path) -> PathBuf {
    let tree = dir.join("tree.hdf5");
    let r = arraydict(&["to-numpy", s(&surface()), "-o", s(&tree)]);
    assert_eq!(r.code, 0, "{r:?}");
    tree
}

#[test]
fn dash_output_into_a_pipe_equals_the_file_output() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree_file(dir.path());
    for (args, format, ext) in conversions(&tree) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expected = regular_output(&args, ext);
        let mut piped = args.clone();
        piped.extend(["-o", "-", "--format", format]);
        let (code, stdout, stderr) = run_piped(&piped, b"");
        assert_eq!(code, 0, "{piped:?}: {stderr}");
        assert!(
            stdout == expected,
            "{piped:?}: standard output differs from the file output"
        );
        // `/dev/stdout` is a link to `/proc/self/fd/1`, a "magic" link to the pipe: written through.
        let mut named = args.clone();
        named.extend(["-o", "/dev/stdout", "--format", format]);
        let (code, stdout, stderr) = run_piped(&named, b"");
        assert_eq!(code, 0, "{named:?}: {stderr}");
        assert!(
            stdout == expected,
            "{named:?}: the pipe got other bytes than the file output"
        );
    }
    // Without --format there is no extension to go by.
    for cmd in [["to-numpy", s(&surface())], ["from-numpy", s(&tree)]] {
        let (code, stdout, stderr) = run_piped(&[cmd[0], cmd[1], "-o", "-"], b"");
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("--format"), "{stderr}");
        assert!(stdout.is_empty());
    }
}

#[test]
fn dash_input_reads_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = workspace().join("fixtures");
    for input in [
        "surface/surface.appended-raw.zlib.h64.id64.vtp",
        "surface/surface.legacy51.binary.vtk",
        "stl/surface.binary.stl",
        "stl/surface.ascii.stl",
    ] {
        let input = fixtures.join(input);
        let expected = regular_output(&["to-numpy", s(&input), "--format", "pickle"], "pickle");
        let out = dir.path().join("from-stdin.pickle");
        let (code, _, stderr) = run_piped(
            &["to-numpy", "-", "-o", s(&out)],
            &std::fs::read(&input).unwrap(),
        );
        assert_eq!(code, 0, "{}: {stderr}", input.display());
        assert!(
            std::fs::read(&out).unwrap() == expected,
            "{}: standard input read differently",
            input.display()
        );
    }
    let tree = tree_file(dir.path());
    for ext in ["pickle", "msgpack"] {
        let stored = dir.path().join(format!("tree.{ext}"));
        let r = arraydict(&["to-numpy", s(&surface()), "-o", s(&stored)]);
        assert_eq!(r.code, 0, "{r:?}");
        let expected = regular_output(&["from-numpy", s(&tree)], "vtp");
        // Both ends are pipes.
        let (code, stdout, stderr) = run_piped(
            &["from-numpy", "-", "-o", "-", "--format", "vtp"],
            &std::fs::read(&stored).unwrap(),
        );
        assert_eq!(code, 0, "{ext}: {stderr}");
        assert!(
            stdout == expected,
            "{ext} from standard input: a different .vtp"
        );
    }
}

#[test]
fn hdf5_and_metaimage_on_standard_input_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree_file(dir.path());
    let out = dir.path().join("out.vtp");
    let (code, _, stderr) = run_piped(
        &["from-numpy", "-", "-o", s(&out)],
        &std::fs::read(&tree).unwrap(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("<stdin>") && stderr.contains("HDF5") && stderr.contains("seekable"),
        "{stderr}"
    );
    let mha = workspace().join("fixtures/metaimage/float32.sitk-raw.mha");
    let out = dir.path().join("out.hdf5");
    let (code, _, stderr) = run_piped(
        &["to-numpy", "-", "-o", s(&out)],
        &std::fs::read(mha).unwrap(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("<stdin>") && stderr.contains("MetaImage"),
        "{stderr}"
    );
    assert_eq!(
        names(dir.path()),
        ["tree.hdf5"],
        "a refused conversion wrote something"
    );
}

/// link -> link -> file in another directory: the file gets exactly a regular output's bytes, the
/// links stay links, and no temporary is left in either directory.
#[test]
fn a_symlink_chain_is_followed_and_the_links_stay() {
    let links = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let tree = tree_file(files.path());
    for (args, _, ext) in conversions(&tree) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expected = regular_output(&args, ext);
        let real = files.path().join(format!("real.{ext}"));
        std::fs::write(&real, b"old").unwrap();
        let second = links.path().join(format!("second.{ext}"));
        let first = links.path().join(format!("first.{ext}"));
        std::os::unix::fs::symlink(&real, &second).unwrap();
        std::os::unix::fs::symlink(format!("second.{ext}"), &first).unwrap();
        let mut all = args.clone();
        all.extend(["-o", s(&first)]);
        let r = arraydict(&all);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            std::fs::read(&real).unwrap() == expected,
            "{all:?}: the link's target did not get the output"
        );
        for link in [&first, &second] {
            assert!(
                std::fs::symlink_metadata(link)
                    .unwrap()
                    .file_type()
                    .is_symlink(),
                "{} replaced",
                link.display()
            );
        }
        std::fs::remove_file(&first).unwrap();
        std::fs::remove_file(&second).unwrap();
        std::fs::remove_file(&real).unwrap();
        assert_eq!(names(links.path()), Vec::<String>::new());
        assert_eq!(names(files.path()), ["tree.hdf5"]);
    }
}

#[test]
fn a_dangling_symlink_creates_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.pickle");
    std::os::unix::fs::symlink("made.pickle", &link).unwrap();
    let r = arraydict(&["to-numpy", s(&surface()), "-o", s(&link)]);
    assert_eq!(r.code, 0, "{r:?}");
    let expected = regular_output(&["to-numpy", s(&surface())], "pickle");
    assert!(std::fs::read(dir.path().join("made.pickle")).unwrap() == expected);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(names(dir.path()), ["link.pickle", "made.pickle"]);
    // A loop of links is an error naming the output; nothing is written.
    let (a, b) = (dir.path().join("a.pickle"), dir.path().join("b.pickle"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let r = arraydict(&["to-numpy", s(&surface()), "-o", s(&a)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("a.pickle") && r.stderr.contains("symbolic links"),
        "{r:?}"
    );
    // So is a directory.
    let sub = dir.path().join("sub.pickle");
    std::fs::create_dir(&sub).unwrap();
    let r = arraydict(&["to-numpy", s(&surface()), "-o", s(&sub)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("sub.pickle") && r.stderr.contains("is a directory"),
        "{r:?}"
    );
    assert_eq!(names(&sub), Vec::<String>::new());
}

/// A FIFO with a reader gets exactly the bytes a regular output gets (HDF5 included: it is built
/// in a temporary file and copied through), and stays a FIFO.
#[test]
fn a_fifo_gets_exactly_the_bytes_of_a_regular_output() {
    let dir = tempfile::tempdir().unwrap();
    let tree = tree_file(dir.path());
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for (args, format, ext) in conversions(&tree) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let expected = regular_output(&args, ext);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                std::fs::File::open(fifo)
                    .unwrap()
                    .read_to_end(&mut bytes)
                    .unwrap();
                bytes
            })
        };
        let mut all = args.clone();
        all.extend(["-o", s(&fifo), "--format", format]);
        let r = arraydict(&all);
        assert_eq!(r.code, 0, "{r:?}");
        // Checked before joining: a reader of a FIFO that was replaced would wait forever.
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo(),
            "{all:?}: FIFO replaced"
        );
        assert!(
            reader.join().unwrap() == expected,
            "{all:?}: the FIFO's reader got other bytes"
        );
        assert_eq!(names(dir.path()), ["pipe", "tree.hdf5"]);
    }
}

/// A private character device with `/dev/null`'s numbers (1, 3), made with `mknod`: written
/// through, still a character device afterwards. Needs root.
#[test]
fn a_character_device_is_written_through_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        println!("SKIPPED: mknod needs root (not root here)");
        return;
    }
    let tree = tree_file(dir.path());
    for (args, format, _) in conversions(&tree) {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend(["-o", s(&dev), "--format", format]);
        let r = arraydict(&all);
        assert_eq!(r.code, 0, "{r:?}");
        let meta = std::fs::symlink_metadata(&dev).unwrap();
        assert!(
            meta.file_type().is_char_device(),
            "{all:?}: the device was replaced"
        );
        assert_eq!(names(dir.path()), ["null", "tree.hdf5"], "{all:?}");
    }
}

/// A .mhd needs a second file beside it, which a device has not: refused, nothing written.
#[test]
fn an_mhd_to_a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("image.hdf5");
    let r = arraydict(&[
        "to-numpy",
        s(&workspace().join("fixtures/metaimage/float32.sitk-raw.mha")),
        "-o",
        s(&image),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let link = dir.path().join("null.mhd");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let r = arraydict(&["from-numpy", s(&image), "-o", s(&link)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("null.mhd") && r.stderr.contains(".mha"),
        "{r:?}"
    );
    assert_eq!(names(dir.path()), ["image.hdf5", "null.mhd"]);
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}
