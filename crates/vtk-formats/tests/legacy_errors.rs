//! Legacy reader error messages: each problem is said once (no "X: X" when printed with its
//! source chain, as the CLI does), and names the file, the byte offset and the section.

use std::error::Error as _;
use std::path::Path;

use vtk_formats::{legacy, FormatError, ReadOptions};

fn parse_err(bytes: &[u8]) -> FormatError {
    legacy::read_bytes(bytes, Path::new("bad.vtk"), &ReadOptions::default()).unwrap_err()
}

/// The message with its source chain, as `anyhow`'s `{:#}` prints it.
fn chain(e: &FormatError) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Checks the chained message holds `detail` exactly once, at `section`, at byte `offset`.
fn assert_once_at(e: &FormatError, detail: &str, section: &str, offset: usize) {
    let msg = chain(e);
    assert_eq!(msg.matches(detail).count(), 1, "{msg}");
    assert!(msg.starts_with("bad.vtk: "), "{msg}");
    assert!(
        msg.contains(&format!("at byte {offset}, {section}: ")),
        "expected byte {offset} and {section}: {msg}"
    );
}

const POLY_HEAD: &str =
    "# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n0 0 0 1 1 1\n";

#[test]
fn point_id_out_of_range_is_said_once_at_its_cell_section() {
    let f = format!("{POLY_HEAD}POLYGONS 1 4\n3 0 1 9\n");
    let at = f.find("POLYGONS").unwrap();
    let e = parse_err(f.as_bytes());
    assert_once_at(
        &e,
        "refers to point 9, but there are 2 points",
        "POLYGONS",
        at,
    );
}

#[test]
fn malformed_cell_stream_is_said_once_at_its_block() {
    let f = format!("{POLY_HEAD}LINES 1 3\n4 0 1\n");
    let e = parse_err(f.as_bytes());
    let at = f.find("LINES").unwrap() + "LINES".len();
    assert_once_at(&e, "runs past the end", "LINES", at);
}

#[test]
fn non_finite_spacing_is_said_once_at_spacing() {
    let f = "# vtk DataFile Version 3.0\nt\nASCII\nDATASET STRUCTURED_POINTS\nDIMENSIONS 1 1 1\nORIGIN 0 0 0\nSPACING inf 1 1\n";
    let at = f.find("SPACING").unwrap();
    let e = parse_err(f.as_bytes());
    assert_once_at(&e, "spacing [inf, 1.0, 1.0]", "SPACING", at);
}

#[test]
fn attribute_tuple_count_is_said_once_at_cell_data() {
    let bad = format!("{POLY_HEAD}VERTICES 2 4\n1 0\n1 1\nCELL_DATA 3\nSCALARS s float 1\nLOOKUP_TABLE default\n0 1 2\n");
    let at = bad.find("CELL_DATA").unwrap();
    let e = parse_err(bad.as_bytes());
    assert_once_at(
        &e,
        "has 3 tuples, but the dataset has 2 cells",
        "CELL_DATA",
        at,
    );
}

#[test]
fn no_legacy_error_repeats_its_text_as_a_source() {
    let cases: [&[u8]; 4] = [
        b"",
        b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 1 float\n0 0 0\nLINES 1 3\n2 0 7\n",
        b"# vtk DataFile Version 4.2\nt\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n0 0 0\n",
        b"# vtk DataFile Version 5.1\nt\nASCII\nDATASET POLYDATA\nPOINTS 2 float\n0 0 0 1 1 1\nLINES 2 2\nOFFSETS vtktypeint64\n0 5\nCONNECTIVITY vtktypeint64\n0 1\n",
    ];
    for c in cases {
        let e = parse_err(c);
        assert!(e.source().is_none(), "{}", chain(&e));
    }
}
