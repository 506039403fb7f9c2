//! `ElementDataFile` path policy of the MetaImage reader: relative paths resolve against the
//! header's directory; absolute paths and paths leaving that directory are refused unless
//! `ReadOptions::allow_external_data_files` is set.

use std::error::Error as _;
use std::path::{Path, PathBuf};

use vtk_formats::{metaimage, FormatError, ReadOptions};

const H: &str = "NDims = 3\nDimSize = 2 2 2\nBinaryData = True\nElementType = MET_UCHAR\n";
const PIXELS: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

fn put(path: &Path, bytes: &[u8]) -> PathBuf {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

/// A header `dir/img/img.mhd` naming `data_file`; returns its path.
fn header(dir: &Path, data_file: &str) -> PathBuf {
    put(
        &dir.join("img").join("img.mhd"),
        format!("{H}ElementDataFile = {data_file}\n").as_bytes(),
    )
}

fn pixels(img: &vtk_model::ImageData) -> Vec<u8> {
    img.point_data()
        .iter()
        .next()
        .unwrap()
        .data()
        .as_bytes()
        .to_vec()
}

fn allow() -> ReadOptions {
    ReadOptions {
        allow_external_data_files: true,
        ..ReadOptions::default()
    }
}

/// The refusal: a `Malformed` naming the header and the key, its text said once.
fn assert_refused(e: &FormatError, header: &Path, why: &str) {
    let msg = e.to_string();
    assert!(matches!(e, FormatError::Malformed { .. }), "{msg}");
    assert!(msg.contains(&header.display().to_string()), "{msg}");
    assert!(msg.contains("ElementDataFile"), "{msg}");
    assert!(msg.contains(why), "{msg}");
    assert!(msg.contains("--allow-external-data-file"), "{msg}");
    assert!(
        !msg.contains("::"),
        "a user's words, not a Rust API's: {msg}"
    );
    assert!(
        e.source().is_none(),
        "the text must not repeat as a source: {msg}"
    );
}

#[test]
fn absolute_data_file_is_refused_by_default() {
    let d = tempfile::tempdir().unwrap();
    let raw = put(&d.path().join("elsewhere").join("x.raw"), &PIXELS);
    let h = header(d.path(), &raw.display().to_string());
    let e = metaimage::read(&h, &ReadOptions::default()).unwrap_err();
    assert_refused(&e, &h, "is an absolute path");
}

#[test]
fn parent_dir_data_file_is_refused_by_default() {
    let d = tempfile::tempdir().unwrap();
    put(&d.path().join("x.raw"), &PIXELS);
    let h = header(d.path(), "../x.raw");
    let e = metaimage::read(&h, &ReadOptions::default()).unwrap_err();
    assert_refused(&e, &h, "leaves the header's directory");
}

#[test]
fn escaping_through_a_subdirectory_is_refused() {
    let d = tempfile::tempdir().unwrap();
    put(&d.path().join("x.raw"), &PIXELS);
    let h = header(d.path(), "sub/../../x.raw");
    let e = metaimage::read(&h, &ReadOptions::default()).unwrap_err();
    assert_refused(&e, &h, "leaves the header's directory");
}

#[test]
fn subdirectory_data_file_is_read() {
    let d = tempfile::tempdir().unwrap();
    put(&d.path().join("img").join("sub").join("x.raw"), &PIXELS);
    let h = header(d.path(), "sub/x.raw");
    let img = metaimage::read(&h, &ReadOptions::default()).unwrap();
    assert_eq!(pixels(&img), PIXELS);
}

#[test]
fn dot_dot_that_stays_inside_is_read() {
    let d = tempfile::tempdir().unwrap();
    put(&d.path().join("img").join("x.raw"), &PIXELS);
    let h = header(d.path(), "./sub/../x.raw");
    let img = metaimage::read(&h, &ReadOptions::default()).unwrap();
    assert_eq!(pixels(&img), PIXELS);
}

#[test]
fn opt_in_reads_the_absolute_path() {
    let d = tempfile::tempdir().unwrap();
    let raw = put(&d.path().join("elsewhere").join("x.raw"), &PIXELS);
    let h = header(d.path(), &raw.display().to_string());
    let img = metaimage::read(&h, &allow()).unwrap();
    assert_eq!(pixels(&img), PIXELS);
}

#[test]
fn opt_in_reads_the_parent_dir_path() {
    let d = tempfile::tempdir().unwrap();
    put(&d.path().join("x.raw"), &PIXELS);
    let h = header(d.path(), "../x.raw");
    let img = metaimage::read(&h, &allow()).unwrap();
    assert_eq!(pixels(&img), PIXELS);
}

#[test]
fn unreadable_data_file_is_one_message_naming_header_and_data_file() {
    let d = tempfile::tempdir().unwrap();
    // A directory opens on Unix but fails to read: an OS error after a successful open.
    std::fs::create_dir_all(d.path().join("img").join("x.raw")).unwrap();
    let h = header(d.path(), "x.raw");
    let e = metaimage::read(&h, &ReadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains(&h.display().to_string()), "{msg}");
    assert!(msg.contains("ElementDataFile"), "{msg}");
    assert!(msg.contains("x.raw"), "{msg}");
    assert!(
        e.source().is_none(),
        "the text must not repeat as a source: {msg}"
    );
}
