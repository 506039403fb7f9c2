//! Helpers shared by the fuzz targets.

use std::path::{Path, PathBuf};

/// A scratch file private to this fuzzing process, for readers that only take a path (`MetaImage`,
/// HDF5). It lives in `/dev/shm` when there is one, so rewriting it per input stays cheap.
pub fn scratch_file(ext: &str) -> PathBuf {
    let dir = Path::new("/dev/shm");
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("arraydict-fuzz-{}.{ext}", std::process::id()))
}

/// Writes `data` to `path`, overwriting; a failure here is the harness's, not the reader's.
pub fn put(path: &Path, data: &[u8]) {
    std::fs::write(path, data).expect("fuzz harness: write scratch file");
}

/// Differential check of two readers of the same bytes: the same tree or the same error message
/// (the whole chain: an error prints only its own part and hands its cause over as `source()`).
/// Trees are compared through `Debug`, which prints every float exactly and every NaN as `NaN`
/// (`NaN != NaN` would flag identical arrays).
pub fn assert_same_outcome<T: std::fmt::Debug, E: std::error::Error>(
    in_memory: Result<T, E>,
    streamed: Result<T, E>,
) {
    match (in_memory, streamed) {
        (Ok(a), Ok(b)) => assert!(
            format!("{a:?}") == format!("{b:?}"),
            "slice and stream give different trees"
        ),
        (Err(a), Err(b)) => assert_eq!(chain(&a), chain(&b)),
        (a, b) => panic!("slice gave {a:?}, stream gave {b:?}"),
    }
}

/// `error: cause: cause ...`, as the CLI prints it.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
