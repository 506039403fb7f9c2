//! Exit codes and messages of the built binary on bad input.

mod common;

use common::{arraydict, fixture, write_bytes};

#[test]
fn missing_input_file_is_exit_1_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.hdf5");
    let r = arraydict(&[
        "to-numpy",
        "/nonexistent/surface.vtp",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("/nonexistent/surface.vtp"), "{r:?}");
    assert!(!out.exists());
}

#[test]
fn unknown_output_extension_is_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let Some(input) = fixture("surface") else {
        return;
    };
    let out = dir.path().join("o.xyz");
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("o.xyz"), "{r:?}");
    assert!(!out.exists());
}

#[test]
fn unknown_input_format_is_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(
        dir.path(),
        "data.bin",
        b"\x00\x01 definitely not a VTK file",
    );
    let out = dir.path().join("o.hdf5");
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("data.bin"), "{r:?}");
    assert!(!out.exists());
}

#[test]
fn corrupt_input_is_exit_1_without_output_or_panic() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(
        dir.path(),
        "broken.vtp",
        b"<?xml version=\"1.0\"?>\n<VTKFile type=\"PolyData\" version=\"1.0\" byte_order=\"LittleEndian\">\n<PolyData><Piece NumberOfPoints=\"3\"",
    );
    let out = dir.path().join("o.pickle");
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("broken.vtp"), "{r:?}");
    assert!(!r.stderr.contains("panicked"), "{r:?}");
    assert!(!out.exists());
}

#[test]
fn invalid_tree_is_exit_1_with_the_path_of_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    // A msgpack surface whose CellPointIds refer to a point that does not exist.
    let tree = common::msgpack_surface_with_bad_ids();
    let input = write_bytes(dir.path(), "bad.msgpack", &tree);
    let out = dir.path().join("o.vtp");
    let r = arraydict(&[
        "from-numpy",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("CellPointIds"), "{r:?}");
    assert!(!out.exists());
    let v = arraydict(&["validate", input.to_str().unwrap()]);
    assert_eq!(v.code, 1, "{v:?}");
    assert!(v.stdout.contains("/CellData/CellPointIds"), "{v:?}");
}

#[test]
fn missing_output_directory_is_exit_1() {
    let Some(input) = fixture("surface") else {
        return;
    };
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        "/nonexistent-dir/o.hdf5",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("/nonexistent-dir"), "{r:?}");
}

#[test]
fn output_equal_to_input_is_refused_and_input_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let Some(src) = fixture("surface") else {
        return;
    };
    let input = dir.path().join("s.vtp");
    std::fs::copy(&src, &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        input.to_str().unwrap(),
        "--format",
        "hdf5",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("output is the input"), "{r:?}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn unwritable_target_is_exit_1_and_leaves_nothing() {
    let Some(input) = fixture("surface") else {
        return;
    };
    // Root ignores directory permissions, so use /proc, which nobody can create files in.
    let r = arraydict(&[
        "to-numpy",
        input.to_str().unwrap(),
        "-o",
        "/proc/arraydict-test.hdf5",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("/proc/arraydict-test.hdf5"), "{r:?}");
    assert!(!r.stderr.contains("panicked"), "{r:?}");
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(arraydict(&["to-numpy"]).code, 2);
    assert_eq!(arraydict(&["frobnicate"]).code, 2);
    assert_eq!(
        arraydict(&["to-numpy", "a.vtp", "-o", "b.hdf5", "--level", "12"]).code,
        2
    );
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in ["to-numpy", "from-numpy", "inspect", "validate", "batch"] {
        let r = arraydict(&[sub, "--help"]);
        assert_eq!(r.code, 0, "{sub}: {r:?}");
        assert!(r.stdout.contains("Examples:"), "{sub}: {r:?}");
        assert!(
            r.stdout.contains(&format!("arraydict {sub}")),
            "{sub}: {r:?}"
        );
    }
}
