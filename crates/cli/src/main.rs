//! The `arraydict` command: VMTK's eight numpy scripts (`vmtksurfacetonumpy`, `vmtknumpytosurface`,
//! ..., `vmtknumpywriter`, `vmtknumpyreader`) in one fast, safe tool. The command itself is the
//! library's [`arraydict_cli::run`]; this binary adds what belongs to a process of its own: the
//! allocator and the signal handlers.
//!
//! Exit codes: 0 success, 1 bad input or failed conversion (the message names the file and the
//! problem), 2 usage error, 130 / 143 / 129 interrupted by SIGINT / SIGTERM / SIGHUP.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: huge_page_alloc::HugePageHint = huge_page_alloc::HugePageHint;

fn main() -> ExitCode {
    ExitCode::from(arraydict_cli::run(
        std::env::args_os(),
        arraydict_cli::Signals::Install,
    ))
}
