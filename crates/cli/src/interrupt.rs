//! Ctrl-C (SIGINT), SIGTERM and SIGHUP: remove the temporaries of the writes in flight, say what was
//! finished, and exit 128 + the signal's number (130, 143, 129), as shells report a signalled process.
//!
//! SIGKILL cannot be caught: a killed run's temporaries stay until the next write into the same
//! directory removes them (`atomic-output` tells them by their dead process id).

use std::sync::Mutex;

use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// What the run is doing, for the message an interrupt prints.
#[derive(Clone, Debug)]
pub enum Progress {
    /// Nothing is being written.
    Idle,
    /// One conversion to `output`, complete once [`atomic_output::committed_outputs`] reaches
    /// `done_at` (a `.mhd` is two files).
    Single {
        /// The output as messages name it.
        output: String,
        /// A regular file (left as it was when unfinished) rather than a stream.
        is_file: bool,
        /// The commit count at which the output is complete.
        done_at: u64,
    },
    /// A batch of `total` inputs.
    Batch {
        /// Inputs.
        total: usize,
        /// Inputs converted so far (as their conversions returned).
        converted: usize,
        /// Inputs skipped as up to date.
        skipped: usize,
        /// The commit count when the batch started, when each output is one commit (no `.mhd`):
        /// then the count tells conversions whose rename beat the signal but not their report.
        commits_at_start: Option<u64>,
    },
}

impl Progress {
    /// A conversion to `output` of `files` files (2 for `.mhd` + data file), starting now.
    pub fn single(output: &std::path::Path, shown: String, files: u64) -> Self {
        let is_file = matches!(
            atomic_output::OutputTarget::resolve(output),
            Ok(atomic_output::OutputTarget::File(_))
        );
        Self::Single {
            output: shown,
            is_file,
            done_at: atomic_output::committed_outputs() + files,
        }
    }

    /// What was finished, given the commit count while no write can finish any more.
    fn describe(&self, committed: u64) -> String {
        match self {
            Self::Idle => "nothing was written".into(),
            Self::Single {
                output, done_at, ..
            } if committed >= *done_at => format!("{output} was written"),
            Self::Single {
                output,
                is_file: true,
                ..
            } => {
                format!("{output} was not written (an existing file there is unchanged)")
            }
            Self::Single {
                output,
                is_file: false,
                ..
            } => format!("the output to {output} is incomplete"),
            Self::Batch {
                total,
                converted,
                skipped,
                commits_at_start,
            } => {
                let renamed =
                    commits_at_start.map_or(0, |start| committed.saturating_sub(start) as usize);
                format!(
                    "{} of {total} inputs converted ({skipped} skipped as up to date), each of those outputs \
                     complete; the others were not written (rerun with --skip-existing to resume)",
                    (*converted).max(renamed)
                )
            }
        }
    }
}

/// What the run is doing. Process-wide because the handler is: whichever command runs keeps it
/// current.
static PROGRESS: Mutex<Progress> = Mutex::new(Progress::Idle);

fn progress() -> std::sync::MutexGuard<'static, Progress> {
    PROGRESS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Records what the run is doing, for the message an interrupt prints.
pub fn set_progress(p: Progress) {
    *progress() = p;
}

/// Updates a batch's counts (no-op for other progress).
pub fn batch_done(converted: bool) {
    if let Progress::Batch {
        converted: c,
        skipped: s,
        ..
    } = &mut *progress()
    {
        *(if converted { c } else { s }) += 1;
    }
}

/// Starts the thread that handles the signals. The handler runs there, not in signal context, so it
/// may take locks: it waits for a rename under way to complete, removes every temporary and exits
/// while holding the registry, so no write can start or finish after it.
pub fn install() -> Result<()> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM, SIGHUP]).context("cannot install the signal handlers")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let removed = atomic_output::remove_temporaries_in_flight();
                let finished = progress().describe(removed.committed());
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                eprintln!("arraydict: interrupted ({name}): {finished}");
                std::mem::forget(removed);
                // SAFETY: `_exit` ends the process at once. Not `exit`: its atexit handlers (the HDF5
                // library's) could wait for a lock a worker holds, and there is nothing left to flush.
                unsafe { libc::_exit(128 + signal) }
            }
        })
        .context("cannot start the signal thread")?;
    Ok(())
}
