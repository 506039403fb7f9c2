//! The package's exceptions, and how a failure of the Rust crates becomes one of them.
//!
//! `ArrayDictError` (a `ValueError`) is the base of `FormatError` (a VTK file), `StoreError` (an
//! ArrayDict file) and `InvalidTreeError` (a tree that breaks its kind's schema, with `.problems`).
//! A failure whose cause is the operating system refusing a file becomes the matching `OSError`
//! (`FileNotFoundError`, `PermissionError`, ...), found by walking the error's `source()` chain.
//! The message is the one the `arraydict` command prints.

use std::error::Error;
use std::io;

use pyo3::exceptions::{
    PyFileExistsError, PyFileNotFoundError, PyIsADirectoryError, PyNotADirectoryError, PyOSError,
    PyPermissionError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    arraydict,
    ArrayDictError,
    PyValueError,
    "Base of the errors arraydict raises for bad data: a file that is not what its format requires, \
     a tree that breaks its kind's schema. A subclass of ValueError."
);
pyo3::create_exception!(
    arraydict,
    FormatError,
    ArrayDictError,
    "A VTK file (.vtp .vtu .vti .vtk .mha .mhd .stl) that cannot be read or written: the message \
     names the file and where (byte offset, element) and what was expected."
);
pyo3::create_exception!(
    arraydict,
    StoreError,
    ArrayDictError,
    "An ArrayDict file (.hdf5 .pickle .msgpack) that cannot be read or written: the message names \
     the file and where (byte offset, key) and what was expected. A pickle that names anything but \
     numpy arrays and dicts raises this, and nothing of it is run."
);
pyo3::create_exception!(
    arraydict,
    InvalidTreeError,
    ArrayDictError,
    "A tree that does not follow its kind's schema. `.problems` is the list of every problem found, \
     each 'path: message' (the lines `arraydict validate` prints)."
);

/// Why a call failed, before it becomes a Python exception (built without the GIL, on the worker).
#[derive(Debug)]
pub enum Failure {
    /// A VTK file could not be read or written.
    Format(Box<dyn Error + Send + Sync>),
    /// An ArrayDict file could not be read or written.
    Store(Box<dyn Error + Send + Sync>),
    /// A tree could not be converted (to or from the VTK model); the message names the file.
    Tree(String),
    /// A tree breaks its kind's schema.
    Invalid {
        /// The whole message (the problems one per line, after a first line naming the kind).
        message: String,
        /// Each problem, `path: message`.
        problems: Vec<String>,
    },
    /// A bad argument (unknown option value): `ValueError`.
    Argument(String),
    /// The caller was interrupted (Ctrl-C) and has gone; nobody sees this one.
    Interrupted,
}

impl Failure {
    /// An unreadable or unwritable VTK file.
    pub fn format(e: impl Error + Send + Sync + 'static) -> Self {
        Self::Format(Box::new(e))
    }

    /// An unreadable or unwritable ArrayDict file.
    pub fn store(e: impl Error + Send + Sync + 'static) -> Self {
        Self::Store(Box::new(e))
    }

    /// The Python exception.
    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Self::Format(e) => os_error(py, e.as_ref())
                .unwrap_or_else(|| FormatError::new_err(message(e.as_ref()))),
            Self::Store(e) => {
                os_error(py, e.as_ref()).unwrap_or_else(|| StoreError::new_err(message(e.as_ref())))
            }
            Self::Tree(m) => ArrayDictError::new_err(m),
            Self::Invalid { message, problems } => invalid_tree(py, message, problems),
            Self::Argument(m) => PyValueError::new_err(m),
            Self::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err(()),
        }
    }
}

/// `InvalidTreeError(message)` with `.problems`.
pub fn invalid_tree(py: Python<'_>, message: String, problems: Vec<String>) -> PyErr {
    let err = InvalidTreeError::new_err(message);
    let list = PyList::new(py, problems);
    if let Err(e) = list.and_then(|l| err.value(py).setattr("problems", l)) {
        return e;
    }
    err
}

/// The message the `arraydict` command prints for the error (the CLI library's own function): its
/// causes joined with ": ", each part once.
pub fn message(e: &(dyn Error + 'static)) -> String {
    arraydict_cli::error_message(e)
}

/// The `OSError` subclass for an error whose cause is the operating system refusing a file
/// (missing, not permitted, a directory, ...), with `errno` set; `None` when the
/// file was there but its content was wrong (a truncated file's unexpected end is a format
/// problem, not an OS one).
fn os_error(py: Python<'_>, e: &(dyn Error + 'static)) -> Option<PyErr> {
    let mut cause = Some(e);
    let io = loop {
        let c = cause?;
        if let Some(io) = c.downcast_ref::<io::Error>() {
            break io;
        }
        cause = c.source();
    };
    let text = message(e);
    let err = match io.kind() {
        io::ErrorKind::NotFound => PyFileNotFoundError::new_err(text),
        io::ErrorKind::PermissionDenied => PyPermissionError::new_err(text),
        io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(text),
        io::ErrorKind::NotADirectory => PyNotADirectoryError::new_err(text),
        io::ErrorKind::AlreadyExists => PyFileExistsError::new_err(text),
        _ if io.raw_os_error().is_some() => PyOSError::new_err(text),
        _ => return None,
    };
    // Only `errno`: with `strerror` or `filename` set, OSError's str() would replace the message
    // (which names the file already) with "[Errno 2] ...: 'path'".
    if let Some(errno) = io.raw_os_error() {
        let _ = err.value(py).setattr("errno", errno);
    }
    Some(err)
}
