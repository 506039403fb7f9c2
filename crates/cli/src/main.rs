//! The `arraydict` command: VMTK's eight numpy scripts (`vmtksurfacetonumpy`, `vmtknumpytosurface`,
//! ..., `vmtknumpywriter`, `vmtknumpyreader`) in one fast, safe tool.
//!
//! Exit codes: 0 success, 1 bad input or failed conversion (the message names the file and the
//! problem), 2 usage error, 130 / 143 / 129 interrupted by SIGINT / SIGTERM / SIGHUP.

mod args;
mod batch;
mod commands;
mod inspect;
mod interrupt;
mod paths;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

#[global_allocator]
static GLOBAL: huge_page_alloc::HugePageHint = huge_page_alloc::HugePageHint;

fn main() -> ExitCode {
    #[cfg(unix)]
    report_sigbus();
    let cli = Cli::parse();
    if let Err(e) = interrupt::install() {
        eprintln!("arraydict: error: {}", message(&e));
        return ExitCode::from(1);
    }
    if let Some(n) = cli.threads {
        // A second call fails only when a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let run = commands::RunContext::from_cli(&cli);
    let result = match cli.command {
        Command::ToNumpy(a) => commands::to_numpy(&a, &run),
        Command::FromNumpy(a) => commands::from_numpy(&a, &run),
        Command::Inspect(a) => inspect::run(&a, &run),
        Command::Validate(a) => commands::validate(&a, &run),
        Command::Batch(a) => batch::run(&a, &run),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("arraydict: error: {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// Turns `SIGBUS` into an error message and exit code 1.
///
/// Uncompressed HDF5 datasets are read as views of a mapping of the input file (unless
/// `--no-map`). If another process truncates that file during the
/// conversion, touching the lost pages raises `SIGBUS`, which would end the process with a bare
/// "Bus error". The output is written to a temporary file that is renamed into place only at the
/// end, so whatever was being written is left unreplaced.
#[cfg(unix)]
fn report_sigbus() {
    extern "C" fn on_sigbus(_: libc::c_int) {
        const MSG: &[u8] = b"arraydict: error: an input file was truncated while it was being read (SIGBUS); the output was not written\n";
        // SAFETY: `write` and `_exit` are async-signal-safe; MSG is a static buffer.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(1);
        }
    }
    // SAFETY: a zeroed `sigaction` is a valid "no flags, empty mask" value; the handler only calls
    // async-signal-safe functions.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&raw mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &raw const action, std::ptr::null_mut());
    }
}

/// The error and its causes, joined by ": ". Each error in the chain prints only its own part
/// (the file, the key) and hands its cause over as `source()`, so every cause is printed once.
fn message(e: &anyhow::Error) -> String {
    let mut text = format!("{e:#}");
    // The kernel answers EFAULT when a write's source is a mapped input's page that a truncation
    // took away (see `report_sigbus`).
    #[cfg(unix)]
    if e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
            == Some(libc::EFAULT)
    }) {
        text.push_str(" (an input file was truncated while it was being read)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn every_cause_is_printed_once_after_its_context() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("reading a.vtp");
        assert_eq!(message(&e), "reading a.vtp: no such file");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(vtk_formats::FormatError::Io {
            path: "a.vtp".into(),
            source: io,
        });
        assert_eq!(message(&e), "a.vtp: no such file");
    }

    #[cfg(unix)]
    #[test]
    fn a_write_from_a_truncated_mapping_is_explained() {
        let e =
            anyhow::Error::new(std::io::Error::from_raw_os_error(libc::EFAULT)).context("out.vtp");
        assert!(
            message(&e).ends_with("(an input file was truncated while it was being read)"),
            "{}",
            message(&e)
        );
        let e =
            anyhow::Error::new(std::io::Error::from_raw_os_error(libc::ENOSPC)).context("out.vtp");
        assert!(!message(&e).contains("truncated"));
    }
}
