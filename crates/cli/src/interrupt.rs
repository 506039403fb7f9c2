//! Ctrl-C (SIGINT), SIGTERM and SIGHUP: remove the temporaries of the writes in flight, say what was
//! finished, and exit 128 + the signal's number (130, 143, 129), as shells report a signalled process.
//!
//! SIGKILL cannot be caught: a killed run's temporaries stay until the next write into the same
//! directory removes them (`atomic-output` tells them by their dead process id).

use std::sync::Mutex;

use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// What the run has finished, for the message. Process-wide because the handler is: whichever
/// command runs keeps it current.
static FINISHED: Mutex<String> = Mutex::new(String::new());

/// Records what the run has finished so far, for the message an interrupt prints.
pub fn set_finished(what: String) {
    *FINISHED.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = what;
}

/// Starts the thread that handles the signals. The handler runs there, not in signal context, so it
/// may take locks: it waits for a rename under way to complete, removes every temporary and exits
/// while holding the registry, so no write can start or finish after it.
pub fn install() -> Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP]).context("cannot install the signal handlers")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let removed = atomic_output::remove_temporaries_in_flight();
                let finished = FINISHED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                let finished = if finished.is_empty() { "nothing was written".into() } else { finished };
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
