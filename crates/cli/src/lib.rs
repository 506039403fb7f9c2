//! The `arraydict` command as a library: [`run`] is the whole command, entered by the
//! `arraydict` binary (`src/main.rs`) and by the Python package's `arraydict` console script
//! (crates/python), so both are the same program.
//!
//! Exit codes: 0 success, 1 bad input or failed conversion (the message names the file and the
//! problem), 2 usage error, 130 / 143 / 129 interrupted by SIGINT / SIGTERM / SIGHUP.

mod args;
pub mod batch;
mod commands;
mod inspect;
mod interrupt;
mod options;
mod paths;

use std::ffi::OsString;
use std::io::Write as _;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::args::{Cli, Command};
pub use crate::args::{
    CompressionArg, LegacyVersionArg, StoreOptions, VtkWriteArgs, XmlCompressionArg, XmlEncodingArg,
};
pub use crate::commands::{store_options, vtk_options, RunContext};
pub use crate::options::GivenOptions;
use crate::options::Refused;
pub use crate::paths::is_store_file;
/// The trait of the command's choices (for [`parse_choice`]).
pub use clap::ValueEnum;

/// The value of a command-line choice (`--xml-compression lz4`) named `name`, ignoring case, as
/// the command parses it: for hosts that take the command's options by name (the Python package).
pub fn parse_choice<T: ValueEnum>(name: &str) -> Option<T> {
    T::from_str(name, true).ok()
}

/// What the process hosting the command lets [`run`] install for the whole process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signals {
    /// Install the handlers of a process that is the command: `SIGINT`, `SIGTERM` and `SIGHUP`
    /// remove the temporaries of the writes in flight, say what was finished and end the process
    /// with 128 + the signal's number; `SIGBUS` (a mapped input truncated under us) ends it with
    /// a message and 1. They stay installed after `run` returns.
    Install,
    /// Leave the process's signal dispositions as they are (a host with handlers of its own).
    Leave,
}

/// Runs the `arraydict` command with `args` (the program name first, as
/// [`std::env::args_os`] gives them) and returns its exit code. Usage errors, `--help` and
/// `--version` are printed here and give 2, 0 and 0; nothing ends the process but a signal
/// (with [`Signals::Install`]).
///
/// Made for a process that ends when it returns: `--threads` sizes rayon's global pool (when none
/// exists yet), and the last conversion's data is left for the exit to free rather than freed
/// here.
pub fn run<I, T>(args: I, signals: Signals) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // Help and version go to standard output with 0, usage errors to standard error with 2.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    if let Command::Completions(a) = &cli.command {
        clap_complete::generate(
            a.shell,
            &mut Cli::command(),
            "arraydict",
            &mut std::io::stdout(),
        );
        return 0;
    }
    if let Err(refused) = check_options_before_the_subcommand(&cli) {
        eprintln!("arraydict: error: {refused}");
        return 2;
    }
    if signals == Signals::Install {
        #[cfg(unix)]
        report_sigbus();
        if let Err(e) = interrupt::install() {
            eprintln!("arraydict: error: {}", message(&e));
            return 1;
        }
    }
    if let Some(n) = cli
        .threads
        .or_else(|| cli.command.write_run().and_then(|w| w.threads))
    {
        // Fails only when a pool exists already, which cannot happen this early in the command's
        // own process.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let mut run = commands::RunContext::from_cli(&cli);
    run.given = GivenOptions::from_matches(&matches);
    let result = match cli.command {
        Command::ToNumpy(a) => commands::to_numpy(&a, &run),
        Command::FromNumpy(a) => commands::from_numpy(&a, &run),
        Command::Inspect(a) => inspect::run(&a, &run),
        Command::Validate(a) => commands::validate(&a, &run),
        Command::Batch(a) => batch::run(&a, &run),
        Command::Completions(_) => Ok(0),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("arraydict: error: {}", message(&e));
            // An option that cannot apply is a usage error, as clap's own.
            if e.downcast_ref::<Refused>().is_some() {
                2
            } else {
                1
            }
        }
    };
    // A binary's runtime flushes standard output after `main`; a host such as Python's
    // interpreter does not flush Rust's buffer.
    let _ = std::io::stdout().flush();
    code
}

/// Refuses `--threads`, `--sync` and `--no-map` written before a subcommand that does not use
/// them (they are accepted there as earlier versions took them).
fn check_options_before_the_subcommand(cli: &Cli) -> Result<(), Refused> {
    let name = cli.command.name();
    if cli.command.write_run().is_none() {
        if cli.threads.is_some() {
            return Err(Refused::new(
                "--threads",
                format!("{name} writes no output"),
            ));
        }
        if cli.sync {
            return Err(Refused::new("--sync", format!("{name} writes no output")));
        }
    }
    if cli.no_map && cli.command.read_run().is_none() {
        return Err(Refused::new(
            "--no-map",
            format!("{name} reads no ArrayDict file (only those are mapped)"),
        ));
    }
    Ok(())
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
    // anyhow's `{:#}` is this chain.
    error_message(e.as_ref())
}

/// The message the command prints for an error: the error and its causes (its `source()`
/// chain), joined by ": ", each printing only its own part (`a.vtp: No such file or directory`);
/// a write that failed because a mapped input was truncated says so. The Python package's
/// exceptions carry this message too.
pub fn error_message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    // The kernel answers EFAULT when a write's source is a mapped input's page that a truncation
    // took away (see `report_sigbus`).
    #[cfg(unix)]
    if std::iter::successors(Some(e), |c| c.source()).any(|c| {
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
    use super::{message, run, Signals};

    #[test]
    fn run_returns_the_exit_code_without_touching_the_process() {
        assert_eq!(run(["arraydict", "--version"], Signals::Leave), 0);
        assert_eq!(run(["arraydict", "to-numpy"], Signals::Leave), 2);
        let missing = std::env::temp_dir().join("arraydict-no-such-input.vtp");
        let out = std::env::temp_dir().join("arraydict-no-such-output.hdf5");
        let args = [
            "arraydict".into(),
            "to-numpy".into(),
            missing.into_os_string(),
            "-o".into(),
            out.clone().into_os_string(),
        ];
        assert_eq!(run(args, Signals::Leave), 1);
        assert!(!out.exists());
    }

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
