use std::path::PathBuf;

use vtk_model::{byte_size_exact, error_location};

/// Errors of the storage layer. Every variant names the file and, where it applies, the key path or
/// byte offset.
///
/// A variant that wraps a cause prints only its own part and returns the cause from `source()`;
/// print the whole chain (anyhow's `{:#}`, or each `source()` in turn) to see both.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file could not be opened, read or written. Prints the file; the OS error is its source.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file's content is not a valid file of its format.
    #[error("{path}: {}{detail}", error_location(*.offset, .key.as_deref()))]
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
    #[error("{path}: at byte {offset}: {what} declares {}, but only {} are available", byte_size_exact(*.declared), byte_size_exact(*.available))]
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
    /// The decoded data does not form a valid array. Prints the file and key; what is wrong is its
    /// source.
    #[error("{path}: {key}")]
    Tree {
        /// The file.
        path: PathBuf,
        /// Key path.
        key: String,
        /// What is wrong.
        source: arraydict::ArrayDictError,
    },
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::StoreError;

    #[test]
    fn a_wrapped_cause_is_printed_by_the_chain_not_by_its_wrapper() {
        let e = StoreError::Io {
            path: "a.h5".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        assert_eq!(e.to_string(), "a.h5");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("no such file")
        );
        let e = StoreError::Tree {
            path: "a.h5".into(),
            key: "/Points".into(),
            source: arraydict::ArrayDictError::Model(vtk_model::ModelError::PointComponents(2)),
        };
        assert_eq!(e.to_string(), "a.h5: /Points");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("points must have 3 components, found 2")
        );
    }

    #[test]
    fn malformed_names_the_byte_and_the_key() {
        let e = StoreError::Malformed {
            path: "a.h5".into(),
            offset: None,
            key: Some("/Points".into()),
            detail: "bad".into(),
        };
        assert_eq!(e.to_string(), "a.h5: /Points: bad");
    }
}
