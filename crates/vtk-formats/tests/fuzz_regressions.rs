//! Inputs the fuzzers (`fuzz/`, `cargo xtask fuzz`) crashed on, each now a clean error.

use std::path::{Path, PathBuf};

use vtk_formats::{xml, ReadOptions};

fn case(name: &str) -> (PathBuf, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(name);
    let bytes = std::fs::read(&path).expect("regression input");
    (path, bytes)
}

/// `vtk_xml` crash 1: an LZMA block whose xz footer declares an index size of 0xFFFFFFFF made
/// lzma-rs 0.3 (our decoder then) overflow `backward_size + 1`; liblzma must refuse it too.
#[test]
fn lzma_block_with_overflowing_xz_footer_is_an_error() {
    let (path, bytes) = case("lzma-footer-overflow.vtp");
    let err = xml::read_bytes(&bytes, &path, &ReadOptions::default())
        .expect_err("corrupt xz footer must fail");
    let msg = err.to_string();
    assert!(msg.contains("LZMA"), "{msg}");
    assert!(msg.contains("lzma-footer-overflow.vtp"), "{msg}");
}
