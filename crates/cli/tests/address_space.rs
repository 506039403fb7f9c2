//! Decompression bombs under a 4 GiB address-space limit (issue 17 section 4): a compressed block
//! that inflates past its declared size must be refused (exit 1, the file and the problem named),
//! not abort when an allocation the limit cannot hold fails. lzma-rs 0.3 collected the 2.06 GiB of
//! `xml-lzma-bomb.vtp` in one growing buffer before its output could refuse them.

mod common;

use std::process::Command;

use common::workspace;

/// The limit the issue names; a debug build with its threads needs far less than this.
const ADDRESS_SPACE: u64 = 4 << 30;

/// Hostile cases that are compressed bombs, with what the message must say.
const BOMBS: &[(&str, &str)] = &[
    ("xml-lzma-bomb.vtp", "chunks declare more than the declared 1944 bytes"),
    ("xml-zlib-overflow.vtp", "decompresses to more than the declared 1944 bytes"),
    ("xml-lz4-overflow.vtp", "corrupt LZ4 block"),
    ("xml-zlib-bomb.vtp", "header declares 67108864 bytes, expected 1944"),
    ("xml-bomb-header.vtp", "block 0 declares 1099511627776 bytes"),
    ("mha-zlib-bomb.mha", "zlib stream inflates to more than the declared 8 bytes"),
];

#[cfg(target_os = "linux")]
fn run_limited(case: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arraydict"));
    cmd.arg("to-numpy").arg(case).arg("-o").arg(out);
    let limit = libc::rlimit {
        rlim_cur: ADDRESS_SPACE as libc::rlim_t,
        rlim_max: ADDRESS_SPACE as libc::rlim_t,
    };
    // SAFETY: the closure runs in the forked child before exec and only calls setrlimit, which is
    // async-signal-safe; `limit` is a plain value copied into the closure.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, std::ptr::addr_of!(limit)) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    cmd.output().expect("run arraydict under an address-space limit")
}

#[cfg(target_os = "linux")]
#[test]
fn bombs_under_a_4_gib_address_space_are_errors_not_aborts() {
    let cases = workspace().join("tests/hostile/cases");
    let mut failures = Vec::new();
    for (name, expected) in BOMBS {
        let scratch = tempfile::tempdir().expect("scratch dir");
        let out = scratch.path().join("out.pickle");
        let run = run_limited(&cases.join(name), &out);
        let stderr = String::from_utf8_lossy(&run.stderr);
        let code = run.status.code();
        if code != Some(1) || !stderr.contains(name) || !stderr.contains(expected) || out.exists() {
            failures.push(format!("{name}: exit {code:?} (a signal when None), stderr: {}", stderr.trim()));
        }
    }
    assert!(failures.is_empty(), "under RLIMIT_AS = 4 GiB:\n{}", failures.join("\n"));
}

#[cfg(not(target_os = "linux"))]
#[test]
fn bombs_under_a_4_gib_address_space_are_errors_not_aborts() {
    println!("SKIPPED: setting RLIMIT_AS for a child is done on Linux only");
}
