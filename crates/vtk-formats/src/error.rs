use std::path::PathBuf;

use vtk_model::{byte_size_exact, error_location, over_limit};

/// Errors of the VTK file-format layer. Every variant says which file and where.
///
/// A variant that wraps a cause prints only its own part and returns the cause from `source()`;
/// print the whole chain (anyhow's `{:#}`, or each `source()` in turn) to see both.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file could not be opened, read or written. Prints the file; the OS error is its source.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file's content is not what its format requires.
    #[error("{path}: {}{detail}", error_location(*.offset, .element.as_deref()))]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Byte offset in the file where the problem was found, when known.
        offset: Option<u64>,
        /// The XML element / header key / section, when known (`"PointData/DataArray[Normals]"`).
        element: Option<String>,
        /// What was expected and what was found.
        detail: String,
    },
    /// A declared size or count is larger than the input can hold or than the configured limit.
    #[error("{path}: {}{what} declares {}{}, but only {} are available", error_location(*.offset, None), byte_size_exact(*.declared), over_limit(*.declared, *.limit), byte_size_exact(*.available))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Byte offset of the declaration.
        offset: Option<u64>,
        /// What declared the size.
        what: String,
        /// The declared size in bytes.
        declared: u64,
        /// What the input can actually hold.
        available: u64,
        /// The configured allocation limit.
        limit: u64,
    },
    /// A valid file uses a feature this library does not support.
    #[error("{path}: unsupported: {detail}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is unsupported.
        detail: String,
    },
    /// The file format could not be recognised from the extension or the content.
    #[error("{path}: unknown file format ({detail}); expected .vtp, .vtu, .vti, .vtk, .mha, .mhd or .stl")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was seen.
        detail: String,
    },
    /// The decoded data does not form a valid VTK dataset. Prints the file; the failed invariant is
    /// its source.
    #[error("{path}")]
    Model {
        /// The file.
        path: PathBuf,
        /// The model invariant that failed.
        source: vtk_model::ModelError,
    },
    /// The dataset cannot be written in the requested format (e.g. an image to `.stl`).
    #[error("{path}: cannot write {what} as {format}")]
    CannotWrite {
        /// The file.
        path: PathBuf,
        /// Dataset kind.
        what: String,
        /// Target format.
        format: String,
    },
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::FormatError;

    #[test]
    fn a_wrapped_cause_is_printed_by_the_chain_not_by_its_wrapper() {
        let e = FormatError::Io {
            path: "a.vtp".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        assert_eq!(e.to_string(), "a.vtp");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("no such file")
        );
        let e = FormatError::Model {
            path: "a.vtp".into(),
            source: vtk_model::ModelError::PointComponents(2),
        };
        assert_eq!(e.to_string(), "a.vtp");
        assert_eq!(
            e.source().map(ToString::to_string).as_deref(),
            Some("points must have 3 components, found 2")
        );
    }

    #[test]
    fn malformed_names_the_byte_and_the_element() {
        let e = FormatError::Malformed {
            path: "a.vtp".into(),
            offset: Some(12),
            element: Some("Points".into()),
            detail: "bad".into(),
        };
        assert_eq!(e.to_string(), "a.vtp: at byte 12, Points: bad");
    }
}
