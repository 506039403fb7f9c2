//! Runs a call's file work off the interpreter: on a thread of its own, with the GIL released, while
//! the calling thread waits in slices of [`POLL`] and checks for signals between them, so Ctrl-C
//! interrupts a long conversion (`KeyboardInterrupt`) and other Python threads run meanwhile.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors::Failure;
use crate::io;

/// How often the waiting thread checks for signals.
const POLL: Duration = Duration::from_millis(50);

/// Set when the caller was interrupted: the work checks it between reading and writing and then
/// stops rather than write an output nobody waits for.
#[derive(Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// True once the caller has gone.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Whether the work writes files (an interrupt then removes the temporaries of writes in flight).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Reads only.
    No,
    /// Writes an output atomically.
    Yes,
}

/// Runs `work` on a new thread, on a rayon pool of `threads` threads when given (else rayon's
/// global pool: all cores, or `RAYON_NUM_THREADS`), and waits for it with the GIL released.
///
/// On a signal whose handler raises (Ctrl-C: `KeyboardInterrupt`) the wait ends with that
/// exception; the work is told to stop before its write, and, when it writes, the temporary files of
/// the writes in flight are removed, so no output appears and an existing file stays as it was. The
/// thread itself cannot be stopped mid-step: it finishes what it was doing in the background (its
/// rename then fails, as its temporary is gone).
///
/// A panic of the work is raised again here, where PyO3 turns it into `PanicException`.
pub fn run<T: Send + 'static>(
    py: Python<'_>,
    threads: Option<usize>,
    writes: Writes,
    work: impl FnOnce(&Cancel) -> Result<T, Failure> + Send + 'static,
) -> PyResult<T> {
    let pool = match threads {
        None => None,
        Some(0) => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "threads=0: expected at least 1 (or None for all cores)",
            ))
        }
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("arraydict-{i}"))
                .build()
                .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?,
        ),
    };
    let cancel = Cancel::default();
    let (tx, rx) = mpsc::sync_channel(1);
    let worker_cancel = cancel.clone();
    std::thread::Builder::new()
        .name("arraydict-call".into())
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| match &pool {
                Some(pool) => pool.install(|| work(&worker_cancel)),
                None => work(&worker_cancel),
            }));
            // The receiver is gone when the caller was interrupted: nobody wants the result.
            let _ = tx.send(outcome);
        })
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("cannot start a thread: {e}")))?;
    let mut rx = rx;
    loop {
        // The receiver moves into the detached closure and back (it is `Send`, not `Sync`).
        let (received, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
        rx = back;
        match received {
            Ok(Ok(result)) => return result.map_err(|f| f.into_pyerr(py)),
            Ok(Err(panic)) => resume_unwind(panic),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    cancel.0.store(true, Ordering::SeqCst);
                    if writes == Writes::Yes {
                        io::remove_temporaries_in_flight();
                    }
                    return Err(interrupt);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "arraydict: the worker thread ended without a result",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Called from Python, as the package's functions are.
    #[pyfunction]
    fn panics_on_the_worker(py: Python<'_>) -> PyResult<()> {
        run(py, None, Writes::No, |_| -> Result<(), Failure> {
            panic!("a bug on the worker thread")
        })
    }

    #[pyfunction]
    fn panics_in_the_pool(py: Python<'_>) -> PyResult<()> {
        run(py, Some(2), Writes::No, |_| -> Result<(), Failure> {
            rayon::scope(|s| s.spawn(|_| panic!("a bug in a pool thread")));
            Ok(())
        })
    }

    #[test]
    fn a_panic_of_the_work_is_a_python_exception_not_an_abort() {
        Python::initialize();
        Python::attach(|py| {
            for (f, text) in [
                (wrap_pyfunction!(panics_on_the_worker, py), "worker"),
                (wrap_pyfunction!(panics_in_the_pool, py), "pool"),
            ] {
                let locals = pyo3::types::PyDict::new(py);
                locals.set_item("f", f.unwrap()).unwrap();
                // Caught in Python: PyO3 resumes a PanicException's panic when Rust fetches it.
                py.run(
                    c"try:\n    f()\n    caught = None\nexcept BaseException as e:\n    caught = (type(e).__name__, str(e))",
                    None,
                    Some(&locals),
                )
                .unwrap();
                let (name, message): (String, String) = locals
                    .get_item("caught")
                    .unwrap()
                    .unwrap()
                    .extract()
                    .unwrap();
                assert_eq!(name, "PanicException");
                assert!(message.contains(text), "{message}");
            }
            // The interpreter goes on.
            let two: i32 = py.eval(c"1 + 1", None, None).unwrap().extract().unwrap();
            assert_eq!(two, 2);
        });
    }
}
