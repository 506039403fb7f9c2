//! `--allow-external-data-file`: a MetaImage header naming a data file outside its directory is
//! refused by every command that reads VTK input, unless the flag is given; errors are said once.

mod common;

use std::path::Path;

use common::{arraydict, write_bytes};

const H: &str =
    "ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nBinaryData = True\nElementType = MET_UCHAR\n";

/// `dir/img/img.mhd` naming `../x.raw`, with `dir/x.raw` present.
fn escaping_header(dir: &Path) -> String {
    write_bytes(dir, "x.raw", &[1, 2, 3, 4, 5, 6, 7, 8]);
    std::fs::create_dir_all(dir.join("img")).unwrap();
    let h = write_bytes(
        &dir.join("img"),
        "img.mhd",
        format!("{H}ElementDataFile = ../x.raw\n").as_bytes(),
    );
    h.display().to_string()
}

#[test]
fn every_reading_command_refuses_then_accepts_with_the_flag() {
    let d = tempfile::tempdir().unwrap();
    let h = escaping_header(d.path());
    let out = d.path().join("out");
    let out_file = d.path().join("out.pickle");
    let out_dir = out.display().to_string();
    let out_file = out_file.display().to_string();
    let commands: [Vec<&str>; 4] = [
        vec!["inspect", &h],
        vec!["validate", &h],
        vec!["to-numpy", &h, "-o", &out_file],
        vec!["batch", &h, "-o", &out_dir, "--quiet"],
    ];
    for args in &commands {
        let refused = arraydict(args);
        assert_eq!(refused.code, 1, "{args:?}: {refused:?}");
        let msg = refused.stderr;
        assert!(msg.contains("img.mhd"), "{args:?}: {msg}");
        assert!(
            msg.contains("leaves the header's directory"),
            "{args:?}: {msg}"
        );
        // batch says a failure as it happens and again in its list after the summary.
        let times = if args[0] == "batch" { 2 } else { 1 };
        assert_eq!(
            msg.matches("leaves the header's directory").count(),
            times,
            "{msg}"
        );
        assert!(
            msg.lines()
                .all(|l| l.matches("leaves the header's directory").count() <= 1),
            "{msg}"
        );
        let mut with_flag = args.clone();
        with_flag.push("--allow-external-data-file");
        let ok = arraydict(&with_flag);
        assert_eq!(ok.code, 0, "{with_flag:?}: {ok:?}");
    }
}
