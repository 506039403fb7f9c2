//! The `arraydict` command: VMTK's eight numpy scripts (`vmtksurfacetonumpy`, `vmtknumpytosurface`,
//! ..., `vmtknumpywriter`, `vmtknumpyreader`) in one fast, safe tool.
//!
//! Exit codes: 0 success, 1 bad input or failed conversion (the message names the file and the
//! problem), 2 usage error.

mod alloc;
mod args;
mod batch;
mod commands;
mod inspect;
mod paths;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

#[global_allocator]
static GLOBAL: alloc::HugePageHint = alloc::HugePageHint;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        // A second call fails only when a pool exists already, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    commands::set_durability(if cli.sync {
        arraydict_store::Durability::Synced
    } else {
        arraydict_store::Durability::Atomic
    });
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
            eprintln!("arraydict: error: {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, each once: our error types include their source's text in their own
/// message (so a library user printing `{e}` sees it) and also return it as `source()`, so printing
/// the whole chain would repeat it.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("a.vtp: no such file");
        assert_eq!(message(&e), "a.vtp: no such file");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("reading a.vtp");
        assert_eq!(message(&e), "reading a.vtp: no such file");
    }
}
