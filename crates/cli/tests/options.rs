//! Options that cannot apply are refused (exit 2, naming the option), `--format` against the
//! output's extension too; `--stl-ascii`, `--format pkl`, `--no-clobber`; what an output cannot
//! carry is said once; `completions`; help texts.

mod common;

use std::path::{Path, PathBuf};

use common::{arraydict, write_bytes, Run};

/// A legacy `.vtk` surface: a quad and a triangle, a point array and a cell array.
fn surface_vtk(dir: &Path) -> PathBuf {
    write_bytes(
        dir,
        "surface.vtk",
        b"# vtk DataFile Version 4.2\nsurface\nASCII\nDATASET POLYDATA\nPOINTS 5 float\n\
          0 0 0 1 0 0 1 1 0 0 1 0 0.5 2 0\nPOLYGONS 2 9\n4 0 1 2 3\n3 3 2 4\n\
          POINT_DATA 5\nSCALARS Radius float 1\nLOOKUP_TABLE default\n1 2 3 4 5\n\
          CELL_DATA 2\nSCALARS Group int 1\nLOOKUP_TABLE default\n0 1\n",
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The surface as a pickle ArrayDict.
fn surface_pickle(dir: &Path) -> PathBuf {
    let out = dir.join("surface.pickle");
    let r = arraydict(&["to-numpy", s(&surface_vtk(dir)), "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    out
}

fn assert_refused(r: &Run, option: &str, out: &Path) {
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains(&format!("error: {option}: ")),
        "the refusal must name {option}: {r:?}"
    );
    assert!(!out.exists(), "nothing may be written: {r:?}");
}

#[test]
fn store_options_that_cannot_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = surface_vtk(dir.path());
    let cases: &[(&str, &[&str], &str)] = &[
        ("o.pickle", &["--level", "9"], "--level"),
        ("o.msgpack", &["--compression", "none"], "--compression"),
        ("o.pickle", &["--compression", "gzip"], "--compression"),
        ("o.hdf5", &["--pickle-protocol", "2"], "--pickle-protocol"),
        (
            "o.msgpack",
            &["--pickle-protocol", "5"],
            "--pickle-protocol",
        ),
        ("o.hdf5", &["--frame", "lps"], "--frame"),
        ("o.hdf5", &["--cells-as-list"], "--cells-as-list"),
        ("o.hdf5", &["--no-type-names"], "--no-type-names"),
        ("f.pickle", &["--format", "hdf5"], "--format"),
        ("f.vtp", &["--format", "pickle"], "--format"),
    ];
    for (name, extra, option) in cases {
        let out = dir.path().join(name);
        let mut args = vec!["to-numpy", s(&input), "-o", s(&out)];
        args.extend_from_slice(extra);
        assert_refused(&arraydict(&args), option, &out);
    }
    // The same values, given where they apply or left at their defaults, are taken.
    let allowed: &[(&str, &[&str])] = &[
        ("a.pickle", &[]),
        ("b.hdf5", &["--level", "9", "--compression", "gzip"]),
        ("c.pickle", &["--pickle-protocol", "2"]),
        ("d.pkl", &["--format", "pkl"]),
        ("e.pickle", &["--format", "pkl"]),
        ("f.h5", &["--format", "hdf5"]),
    ];
    for (name, extra) in allowed {
        let out = dir.path().join(name);
        let mut args = vec!["to-numpy", s(&input), "-o", s(&out)];
        args.extend_from_slice(extra);
        let r = arraydict(&args);
        assert_eq!(r.code, 0, "{name} {extra:?}: {r:?}");
        assert!(r.stderr.is_empty(), "{r:?}");
        assert!(out.exists());
    }
}

#[test]
fn vtk_options_that_cannot_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tree = surface_pickle(dir.path());
    let cases: &[(&str, &[&str], &str)] = &[
        ("o.vtk", &["--xml-compression", "none"], "--xml-compression"),
        ("o.vtp", &["--legacy-ascii"], "--legacy-ascii"),
        ("o.stl", &["--legacy-ascii"], "--legacy-ascii"),
        ("o.stl", &["--xml-encoding", "ascii"], "--xml-encoding"),
        ("o.vtk", &["--meta-uncompressed"], "--meta-uncompressed"),
        ("o.vtp", &["--frame", "ras"], "--frame"),
        ("o.vtp", &["--stl-ascii"], "--stl-ascii"),
        ("o.vtp", &["--format", "vtu"], "--format"),
        ("o.hdf5", &["--format", "vtp"], "--format"),
    ];
    for (name, extra, option) in cases {
        let out = dir.path().join(name);
        let mut args = vec!["from-numpy", s(&tree), "-o", s(&out)];
        args.extend_from_slice(extra);
        assert_refused(&arraydict(&args), option, &out);
    }
    let mha = dir.path().join("o.mha");
    let r = arraydict(&[
        "from-numpy",
        s(&tree),
        "-o",
        s(&mha),
        "--xml-encoding",
        "ascii",
    ]);
    assert_refused(&r, "--xml-encoding", &mha);
    // An ArrayDict input is read as it is: the VTK reading options do not apply.
    let r = arraydict(&["inspect", s(&tree), "--frame", "lps"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--frame"), "{r:?}");
    let r = arraydict(&["validate", s(&tree), "--cell-to-point"]);
    assert_eq!(r.code, 2, "{r:?}");
    // Run options written before a subcommand that does not use them.
    let r = arraydict(&["--sync", "inspect", s(&tree)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--sync"), "{r:?}");
    let r = arraydict(&["--threads", "2", "inspect", s(&tree)]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn ascii_stl_is_written_and_what_stl_drops_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let tree = surface_pickle(dir.path());
    let out = dir.path().join("o.stl");
    let r = arraydict(&["from-numpy", s(&tree), "-o", s(&out), "--stl-ascii"]);
    assert_eq!(r.code, 0, "{r:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("solid"), "{text}");
    assert_eq!(text.matches("endfacet").count(), 3, "{text}");
    assert!(text.trim_end().ends_with("endsolid ascii"), "{text}");
    let notes: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(notes.len(), 2, "{r:?}");
    assert!(
        notes[0].contains("point arrays Radius") && notes[0].contains("cell arrays Group"),
        "{r:?}"
    );
    assert!(notes[1].contains("1 polygon of"), "{r:?}");
    // It reads back as the binary STL does.
    let binary = dir.path().join("b.stl");
    let r = arraydict(&["from-numpy", s(&tree), "-o", s(&binary)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!std::fs::read(&binary).unwrap().starts_with(b"solid"));
    let (a, b) = (dir.path().join("a.msgpack"), dir.path().join("b.msgpack"));
    assert_eq!(arraydict(&["to-numpy", s(&out), "-o", s(&a)]).code, 0);
    assert_eq!(arraydict(&["to-numpy", s(&binary), "-o", s(&b)]).code, 0);
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn a_surface_written_as_vtu_becomes_an_unstructured_grid() {
    let dir = tempfile::tempdir().unwrap();
    let tree = surface_pickle(dir.path());
    let out = dir.path().join("o.vtu");
    let r = arraydict(&["from-numpy", s(&tree), "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "said once: {r:?}");
    assert!(r.stderr.contains("UnstructuredGrid"), "{r:?}");
    let back = dir.path().join("back.msgpack");
    let r = arraydict(&["to-numpy", s(&out), "-o", s(&back)]);
    assert_eq!(r.code, 0, "{r:?}");
    let tree = arraydict_store::read(&back, &arraydict_store::ReadOptions::default()).unwrap();
    let types = tree
        .get("Cells")
        .and_then(|c| c.as_dict())
        .and_then(|c| c.get("CellTypes"))
        .and_then(|t| t.as_array())
        .unwrap_or_else(|| panic!("a mesh tree with cell types: {tree:?}"));
    // A quad (9) and a triangle (5), in the surface's order.
    assert_eq!(types.shape(), &[2]);
    assert_eq!((types.get_f64(&[0]), types.get_f64(&[1])), (9.0, 5.0));
}

#[test]
fn no_clobber_keeps_an_existing_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = surface_vtk(dir.path());
    let out = dir.path().join("o.hdf5");
    std::fs::write(&out, b"precious").unwrap();
    let r = arraydict(&["to-numpy", s(&input), "-o", s(&out), "--no-clobber"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("--no-clobber") && r.stderr.contains("o.hdf5"),
        "{r:?}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    let vtp = dir.path().join("o.vtp");
    std::fs::write(&vtp, b"precious").unwrap();
    let tree = surface_pickle(dir.path());
    let r = arraydict(&["from-numpy", s(&tree), "-o", s(&vtp), "--no-clobber"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(std::fs::read(&vtp).unwrap(), b"precious");
    // Without an existing file it writes; without the option it replaces.
    let fresh = dir.path().join("fresh.hdf5");
    let r = arraydict(&["to-numpy", s(&input), "-o", s(&fresh), "--no-clobber"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(fresh.exists());
    assert_eq!(arraydict(&["to-numpy", s(&input), "-o", s(&out)]).code, 0);
    assert_ne!(std::fs::read(&out).unwrap(), b"precious");
}

/// The check before the run looks at the output's own name; the commit's rename keeps any other
/// file it would replace: here a `.mhd`'s data file.
#[test]
fn no_clobber_keeps_a_file_the_commit_meets() {
    let dir = tempfile::tempdir().unwrap();
    let mha = common::workspace().join("fixtures/metaimage/float32.sitk-raw.mha");
    let tree = dir.path().join("image.pickle");
    assert_eq!(arraydict(&["to-numpy", s(&mha), "-o", s(&tree)]).code, 0);
    let data = dir.path().join("x.zraw");
    std::fs::write(&data, b"precious").unwrap();
    let header = dir.path().join("x.mhd");
    let r = arraydict(&["from-numpy", s(&tree), "-o", s(&header), "--no-clobber"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("--no-clobber: ") && r.stderr.contains("x.zraw"),
        "{r:?}"
    );
    assert_eq!(std::fs::read(&data).unwrap(), b"precious");
    assert!(!header.exists());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary is left: {names:?}");
    // Without the option both files are written.
    assert_eq!(
        arraydict(&["from-numpy", s(&tree), "-o", s(&header)]).code,
        0
    );
    assert_ne!(std::fs::read(&data).unwrap(), b"precious");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_arraydict()"),
        ("zsh", "#compdef arraydict"),
        ("fish", "complete -c arraydict"),
    ] {
        let r = arraydict(&["completions", shell]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains(marker), "{shell}: {}", r.stdout);
        assert!(r.stdout.contains("no-clobber"), "{shell}");
    }
    assert_eq!(arraydict(&["completions", "tcsh"]).code, 2);
}

#[test]
fn each_help_lists_the_options_its_subcommand_uses() {
    let help = |cmd: &str| {
        let r = arraydict(&[cmd, "--help"]);
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
    };
    for cmd in ["inspect", "validate"] {
        let text = help(cmd);
        for absent in ["--sync", "--threads", "--no-clobber"] {
            assert!(
                !text.contains(absent),
                "{cmd} --help lists {absent}:\n{text}"
            );
        }
        assert!(text.contains("--no-map"), "{text}");
    }
    let to_numpy = help("to-numpy");
    assert!(!to_numpy.contains("--no-map"), "{to_numpy}");
    assert!(to_numpy.contains("--no-clobber"), "{to_numpy}");
    assert!(to_numpy.contains("[default: 4]"), "{to_numpy}");
    let usage = to_numpy.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(!usage.contains("--frame"), "{usage}");
    for cmd in ["to-numpy", "from-numpy", "inspect", "validate", "batch"] {
        assert!(
            !help(cmd).contains("SPEC"),
            "{cmd} --help names a file users do not have"
        );
    }
}

#[test]
fn messages_say_what_to_do_in_the_users_words() {
    let dir = tempfile::tempdir().unwrap();
    let vtk = surface_vtk(dir.path());
    let out = dir.path().join("o.vtp");
    let r = arraydict(&["from-numpy", s(&vtk), "-o", s(&out)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("use to-numpy"), "{r:?}");
    let fake = write_bytes(
        dir.path(),
        "fake.hdf5",
        b"just some text, no superblock at all",
    );
    let r = arraydict(&["from-numpy", s(&fake), "-o", s(&out)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("not an HDF5 file"), "{r:?}");
    assert!(!r.stderr.contains("H5F"), "{r:?}");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let r = arraydict(&["to-numpy", s(&vtk), "-o", &format!("{}/", s(&sub))]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("is a directory"), "{r:?}");
}

/// `--xml-level` reaches the zlib and LZMA compressors, and is refused where it cannot apply.
#[test]
fn xml_level_sets_the_compressor_level_and_is_refused_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = surface_pickle(dir.path());
    let mut sizes = Vec::new();
    for (compressor, level) in [("zlib", "0"), ("zlib", "9"), ("lzma", "0"), ("lzma", "9")] {
        let out = dir.path().join(format!("{compressor}-{level}.vtp"));
        let r = arraydict(&[
            "from-numpy",
            s(&input),
            "-o",
            s(&out),
            "--xml-compression",
            compressor,
            "--xml-level",
            level,
        ]);
        assert_eq!(r.code, 0, "{r:?}");
        let back = dir.path().join(format!("{compressor}-{level}.pickle"));
        let r = arraydict(&["to-numpy", s(&out), "-o", s(&back)]);
        assert_eq!(r.code, 0, "{r:?}");
        sizes.push(std::fs::read(&out).unwrap());
    }
    // Level 0 of zlib stores the data; level 9 compresses it: the files differ.
    assert_ne!(sizes[0], sizes[1], "zlib level ignored");
    assert_ne!(sizes[2], sizes[3], "lzma level ignored");
    for (compressor, out) in [("lz4", "a.vtp"), ("none", "b.vtp")] {
        let out = dir.path().join(out);
        let r = arraydict(&[
            "from-numpy",
            s(&input),
            "-o",
            s(&out),
            "--xml-compression",
            compressor,
            "--xml-level",
            "3",
        ]);
        assert_refused(&r, "--xml-level", &out);
    }
    let out = dir.path().join("c.vtk");
    let r = arraydict(&["from-numpy", s(&input), "-o", s(&out), "--xml-level", "3"]);
    assert_refused(&r, "--xml-level", &out);
}
