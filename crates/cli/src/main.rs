//! The `arraydict` command: VMTK's eight numpy scripts (`vmtksurfacetonumpy`, `vmtknumpytosurface`,
//! ..., `vmtknumpywriter`, `vmtknumpyreader`) in one fast, safe tool.
//!
//! Exit codes: 0 success, 1 bad input or failed conversion (the message names the file and the
//! problem), 2 usage error.

mod args;
mod batch;
mod commands;
mod inspect;
mod paths;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        // A second call fails only when a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let result = match cli.command {
        Command::ToNumpy(a) => commands::to_numpy(&a),
        Command::FromNumpy(a) => commands::from_numpy(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Validate(a) => commands::validate(&a),
        Command::Batch(a) => batch::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("arraydict: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
