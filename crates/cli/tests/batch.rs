//! `arraydict batch` over a directory of mixed fixtures, some of them corrupt.

mod common;

use common::{arraydict, fixtures};

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

    let r = arraydict(&[
        "batch",
        inputs.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "pickle",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("45 converted, 5 failed"), "{r:?}");
    for name in &bad {
        assert!(
            r.stderr.contains(name.as_str()),
            "failure of {name} not reported: {r:?}"
        );
    }
    assert!(!r.stderr.contains("panicked"), "{r:?}");
    let written = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(written, 45, "one output per good input, none for bad ones");
}
