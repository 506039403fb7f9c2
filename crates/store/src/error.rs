use std::path::PathBuf;

/// Errors of the storage layer. Every variant names the file and, where it applies, the key path or
/// byte offset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file's content is not a valid file of its format.
    #[error("{path}: {}{detail}", location(*.offset, .key.as_deref()))]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Byte offset where the problem was found, when known.
        offset: Option<u64>,
        /// Key path in the tree (`/PointData/Radius`), when known.
        key: Option<String>,
        /// What was expected and what was found.
        detail: String,
    },
    /// A pickle refers to a global (class or function) that is not on the allow-list; nothing was run.
    #[error("{path}: at byte {offset}: refusing pickle global '{module}.{name}' (only numpy array/dtype reconstruction, VMTK vividict, VTKArray and OrderedDict are allowed; nothing was executed)")]
    ForbiddenGlobal {
        /// The file.
        path: PathBuf,
        /// Byte offset of the GLOBAL / STACK_GLOBAL opcode.
        offset: u64,
        /// Module name.
        module: String,
        /// Attribute name.
        name: String,
    },
    /// A declared size is larger than the input can hold or than the configured limit.
    #[error("{path}: at byte {offset}: {what} declares {declared} bytes, but only {available} are available")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Byte offset of the declaration.
        offset: u64,
        /// What declared the size.
        what: String,
        /// Declared size.
        declared: u64,
        /// What the input (or the limit) allows.
        available: u64,
    },
    /// The tree holds something the format cannot store (or a value Python could not load).
    #[error("{path}: {key}: {detail}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Key path in the tree.
        key: String,
        /// What is unsupported.
        detail: String,
    },
    /// The file extension does not name a known store format.
    #[error("{path}: unknown store format; expected .pickle/.pkl, .hdf5/.h5 or .msgpack/.mpk")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// An error reported by the HDF5 library.
    #[error("{path}: {key}: HDF5: {detail}")]
    Hdf5 {
        /// The file.
        path: PathBuf,
        /// Key path being read or written.
        key: String,
        /// HDF5's message.
        detail: String,
    },
    /// The decoded data does not form a valid array.
    #[error("{path}: {key}: {source}")]
    Tree {
        /// The file.
        path: PathBuf,
        /// Key path.
        key: String,
        /// What is wrong.
        source: arraydict::ArrayDictError,
    },
}

fn location(offset: Option<u64>, key: Option<&str>) -> String {
    match (offset, key) {
        (Some(o), Some(k)) => format!("at byte {o}, {k}: "),
        (Some(o), None) => format!("at byte {o}: "),
        (None, Some(k)) => format!("{k}: "),
        (None, None) => String::new(),
    }
}
