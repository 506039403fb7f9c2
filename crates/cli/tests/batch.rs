//! `arraydict batch`: a directory of mixed fixtures, some of them corrupt; output names (folders
//! kept, `.mha`/`.mhd` apart, clashes refused); one direction per run; failures reported.

mod common;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use common::{arraydict, fixtures, workspace};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn fixture(rel: &str) -> PathBuf {
    let p = workspace().join("fixtures").join(rel);
    assert!(p.exists(), "fixture {rel} missing");
    p
}

/// Copies fixture `rel` to `dir/name`, creating folders.
fn copy_to(dir: &Path, rel: &str, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixture(rel), &to).unwrap();
    to
}

/// Every file below `dir`, as paths relative to it, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// The part of stderr after the summary line.
fn after_summary(stderr: &str) -> &str {
    let at = stderr.find(" converted, ").expect("a summary line");
    let start = stderr[..at].rfind('\n').map_or(0, |i| i + 1);
    &stderr[start..]
}

const SURFACE: &str = "surface/surface.appended-raw.zlib.h64.id64.vtp";
const CENTERLINES: &str = "centerlines/centerlines.ascii.id32.vtp";

#[test]
fn batch_converts_the_good_files_and_reports_each_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    let out = dir.path().join("out");
    std::fs::create_dir(&inputs).unwrap();
    // 45 good files of every kind and encoding (self-contained ones: .mhd need their data file).
    let good: Vec<_> = fixtures()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            !p.extension()
                .is_some_and(|e| e == "mhd" || e == "raw" || e == "zraw")
        })
        .step_by(5)
        .take(45)
        .collect();
    assert_eq!(good.len(), 45);
    for (i, p) in good.iter().enumerate() {
        let name = format!("{i:02}-{}", p.file_name().unwrap().to_string_lossy());
        std::fs::copy(p, inputs.join(name)).unwrap();
    }
    // 5 corrupt ones: truncated copies of real files and garbage with a VTK extension.
    let mut bad = Vec::new();
    for (i, p) in good.iter().take(4).enumerate() {
        let bytes = std::fs::read(p).unwrap();
        let name = format!("bad{i}-{}", p.file_name().unwrap().to_string_lossy());
        std::fs::write(inputs.join(&name), &bytes[..bytes.len() / 3]).unwrap();
        bad.push(name);
    }
    std::fs::write(inputs.join("bad4-garbage.vtp"), b"this is not xml").unwrap();
    bad.push("bad4-garbage.vtp".into());

    let r = arraydict(&["batch", s(&inputs), "-o", s(&out), "--format", "pickle"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("45 converted, 5 failed"), "{r:?}");
    assert!(!r.stderr.contains("panicked"), "{r:?}");
    // Each failure said once as it happens, naming its file once...
    let live: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("arraydict: error: "))
        .collect();
    assert_eq!(live.len(), 5, "{r:?}");
    for name in &bad {
        let line = live.iter().find(|l| l.contains(name.as_str()));
        let line = line.unwrap_or_else(|| panic!("failure of {name} not reported: {r:?}"));
        assert_eq!(line.matches(name.as_str()).count(), 1, "{line}");
    }
    // ... and listed again after the summary.
    let end = after_summary(&r.stderr);
    assert!(end.contains("\nbatch: 5 failed:\n"), "{r:?}");
    for name in &bad {
        assert_eq!(end.matches(name.as_str()).count(), 1, "{name} in {end}");
    }
    assert_eq!(files_below(&out).len(), 45, "one output per good input");
}

/// `d/a/x.vtp` and `d/b/x.vtp` keep their folders; `x.mha` and `x.mhd` of one folder keep their
/// extension; a lone `y.mha` is `y.hdf5` as before. --skip-existing then finds every output.
#[test]
fn outputs_keep_the_folders_and_mha_and_mhd_apart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    copy_to(&d, SURFACE, "a/x.vtp");
    copy_to(&d, CENTERLINES, "b/x.vtp");
    copy_to(&d, "metaimage/int16.vtk-zlib.mha", "m/x.mha");
    copy_to(&d, "metaimage/float32.vtk-raw.mhd", "m/x.mhd");
    copy_to(&d, "metaimage/float32.vtk-raw.raw", "m/float32.vtk-raw.raw");
    copy_to(&d, "metaimage/vector.sitk-zlib.mha", "m/y.mha");
    let out = dir.path().join("out");
    let r = arraydict(&["batch", s(&d), "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("5 converted, 0 failed"), "{r:?}");
    assert_eq!(
        files_below(&out),
        [
            "a/x.hdf5",
            "b/x.hdf5",
            "m/x.mha.hdf5",
            "m/x.mhd.hdf5",
            "m/y.hdf5"
        ]
    );
    // Each output is its own input's: the same bytes as to-numpy gives.
    let pairs = [
        ("a/x.vtp", "a/x.hdf5"),
        ("b/x.vtp", "b/x.hdf5"),
        ("m/x.mha", "m/x.mha.hdf5"),
        ("m/x.mhd", "m/x.mhd.hdf5"),
    ];
    let single = dir.path().join("single.hdf5");
    for (input, output) in pairs {
        let r = arraydict(&["to-numpy", s(&d.join(input)), "-o", s(&single)]);
        assert_eq!(r.code, 0, "{r:?}");
        let (want, got) = (std::fs::read(&single), std::fs::read(out.join(output)));
        assert!(want.unwrap() == got.unwrap(), "{output} is not {input}'s");
    }
    // Resuming finds every output under its new name.
    let modified = |p: &str| -> SystemTime {
        let m = std::fs::metadata(out.join(p)).unwrap();
        m.modified().unwrap()
    };
    let before = modified("m/x.mha.hdf5");
    let r = arraydict(&["batch", s(&d), "-o", s(&out), "--skip-existing"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("0 converted, 0 failed, 5 skipped"),
        "{r:?}"
    );
    assert_eq!(before, modified("m/x.mha.hdf5"));
}

/// Inputs named from different folders with one name: refused before anything is converted, every
/// clash listed with its inputs.
#[test]
fn clashes_that_remain_are_refused_all_listed() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = "surface/surface.legacy42.binary.vtk";
    let inputs: Vec<PathBuf> = [
        ("a/x.vtp", SURFACE),
        ("b/x.vtp", SURFACE),
        ("a/y.vtk", legacy),
        ("b/y.vtk", legacy),
        ("c/ok.vtp", SURFACE),
    ]
    .iter()
    .map(|(name, from)| copy_to(dir.path(), from, name))
    .collect();
    let out = dir.path().join("out");
    let mut args = vec!["batch"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(["-o", s(&out)]);
    let r = arraydict(&args);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("2 outputs would be written by more than one input"),
        "{r:?}"
    );
    for (output, a, b) in [("x.vtp.hdf5", 0, 1), ("y.vtk.hdf5", 2, 3)] {
        let line = format!(
            "  {}: {}, {}",
            out.join(output).display(),
            inputs[a].display(),
            inputs[b].display()
        );
        assert!(r.stderr.contains(&line), "expected '{line}': {r:?}");
    }
    assert!(!r.stderr.contains("ok.vtp"), "{r:?}");
    assert!(!out.exists(), "nothing is written when the run is refused");
}

/// Writes `n` surface pickles and `m` surface `.vtp` files into `dir`.
fn mixed_directions(dir: &Path, pickles: usize, vtps: usize) {
    for i in 0..pickles {
        let to = dir.join(format!("p{i}.pickle"));
        let r = arraydict(&["to-numpy", s(&fixture(SURFACE)), "-o", s(&to)]);
        assert_eq!(r.code, 0, "{r:?}");
    }
    for i in 0..vtps {
        copy_to(dir, SURFACE, &format!("v{i}.vtp"));
    }
}

#[test]
fn files_of_the_other_direction_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    mixed_directions(&d, 3, 2);
    let out = dir.path().join("out");
    let r = arraydict(&["batch", s(&d), "-o", s(&out)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("2 converted, 0 failed, 0 skipped, 2 inputs"),
        "{r:?}"
    );
    let note = "skipped 3 ArrayDict files (this run converts VTK -> ArrayDict; use --to vtp|";
    assert!(after_summary(&r.stderr).contains(note), "{r:?}");
    assert_eq!(files_below(&out), ["v0.hdf5", "v1.hdf5"]);

    let back = dir.path().join("back");
    let r = arraydict(&["batch", s(&d), "-o", s(&back), "--to", "vtp"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("3 converted, 0 failed, 0 skipped, 3 inputs"),
        "{r:?}"
    );
    let note = "skipped 2 VTK files (this run converts ArrayDict -> VTK; leave out --to";
    assert!(r.stderr.contains(note), "{r:?}");
    assert_eq!(files_below(&back), ["p0.vtp", "p1.vtp", "p2.vtp"]);
    for name in ["p0.vtp", "p2.vtp"] {
        let r = arraydict(&["validate", s(&back.join(name))]);
        assert_eq!(r.code, 0, "{name}: {r:?}");
    }
}

#[test]
fn to_writes_the_format_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    mixed_directions(&d, 2, 0);
    for to in ["vtk", "stl"] {
        let out = dir.path().join(to);
        let r = arraydict(&["batch", s(&d), "-o", s(&out), "--to", to]);
        assert_eq!(r.code, 0, "{r:?}");
        let want = [format!("p0.{to}"), format!("p1.{to}")];
        assert_eq!(files_below(&out), want);
        let r = arraydict(&["inspect", s(&out.join(&want[0]))]);
        assert_eq!(r.code, 0, "{r:?}");
    }
    let head = std::fs::read(dir.path().join("vtk/p0.vtk")).unwrap();
    assert!(
        head.starts_with(b"# vtk DataFile Version"),
        "not legacy VTK"
    );
    let stl = std::fs::read(dir.path().join("stl/p0.stl")).unwrap();
    let triangles = u32::from_le_bytes(stl[80..84].try_into().unwrap()) as usize;
    assert!(
        triangles > 0 && stl.len() == 84 + 50 * triangles,
        "not binary STL"
    );
}

/// As from-numpy: a surface to `.vtu` becomes an UnstructuredGrid (not a refusal), and what STL
/// drops is said.
#[test]
fn to_vtu_makes_grids_of_surfaces_and_stl_says_what_it_drops() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    mixed_directions(&d, 1, 0);
    let out = dir.path().join("vtu");
    let r = arraydict(&["batch", s(&d), "-o", s(&out), "--to", "vtu"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("written as an UnstructuredGrid"), "{r:?}");
    let r = arraydict(&["inspect", s(&out.join("p0.vtu"))]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("(mesh)"), "{r:?}");
    let r = arraydict(&[
        "batch",
        s(&d),
        "-o",
        s(&dir.path().join("stl")),
        "--to",
        "stl",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("STL has no arrays"), "{r:?}");
}

#[test]
fn inputs_named_in_the_wrong_direction_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    mixed_directions(dir.path(), 2, 1);
    let (p0, p1, v0) = (
        dir.path().join("p0.pickle"),
        dir.path().join("p1.pickle"),
        dir.path().join("v0.vtp"),
    );
    let out = dir.path().join("out");
    let r = arraydict(&["batch", s(&v0), s(&p0), s(&p1), "-o", s(&out)]);
    assert_eq!(r.code, 2, "{r:?}");
    let line = format!(
        "this run converts VTK -> ArrayDict, but inputs named on the command line are ArrayDict \
         files: {}, {} (convert them in a separate run with --to vtp|",
        p0.display(),
        p1.display()
    );
    assert!(r.stderr.contains(&line), "expected '{line}': {r:?}");
    assert!(!out.exists(), "{r:?}");
    let r = arraydict(&["batch", s(&v0), s(&p0), "-o", s(&out), "--to", "vtp"]);
    assert_eq!(r.code, 2, "{r:?}");
    let line = format!(
        "this run converts ArrayDict -> VTK, but an input named on the command line is a VTK \
         file: {} (convert it in a separate run without --to)",
        v0.display()
    );
    assert!(r.stderr.contains(&line), "{r:?}");
    assert!(!out.exists(), "{r:?}");
}

/// The whole fixtures folder, with the `.mha`/`.mhd` twins of `metaimage/`: no clash, every
/// fixture converted.
#[test]
fn the_whole_fixtures_folder_converts_without_clashes() {
    let all = fixtures();
    let out = tempfile::tempdir().unwrap();
    let r = arraydict(&[
        "batch",
        s(&workspace().join("fixtures")),
        "-o",
        s(out.path()),
        "--format",
        "msgpack",
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let summary = format!(
        "{n} converted, 0 failed, 0 skipped, {n} inputs",
        n = all.len()
    );
    assert!(r.stderr.contains(&summary), "expected '{summary}': {r:?}");
    let written = files_below(out.path());
    assert_eq!(written.len(), all.len());
    let twins = written
        .iter()
        .filter(|f| f.ends_with(".mhd.msgpack"))
        .count();
    assert!(
        twins > 0
            && written
                .iter()
                .filter(|f| f.ends_with(".mha.msgpack"))
                .count()
                == twins
    );
}

/// A glob's outputs keep the folders below its part before the first wildcard.
#[test]
fn a_glob_keeps_the_folders_below_its_fixed_part() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    copy_to(&d, SURFACE, "a/x.vtp");
    copy_to(&d, CENTERLINES, "b/c/x.vtp");
    copy_to(&d, SURFACE, "b/skipped.vtk");
    let out = dir.path().join("out");
    let pattern = format!("{}/**/*.vtp", d.display());
    let r = arraydict(&["batch", &pattern, "-o", s(&out), "--format", "pickle"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(files_below(&out), ["a/x.pickle", "b/c/x.pickle"]);
}
