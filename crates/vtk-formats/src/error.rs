use std::path::PathBuf;

/// Errors of the VTK file-format layer. Every variant says which file and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file's content is not what its format requires.
    #[error("{path}: {}{detail}", location(*.offset, .element.as_deref()))]
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
    #[error("{path}: {}{what} declares {declared} bytes, but only {available} are available (limit {limit})", location(*.offset, None))]
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
    /// The decoded data does not form a valid VTK dataset.
    #[error("{path}: {source}")]
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

fn location(offset: Option<u64>, element: Option<&str>) -> String {
    match (offset, element) {
        (Some(o), Some(e)) => format!("at byte {o}, {e}: "),
        (Some(o), None) => format!("at byte {o}: "),
        (None, Some(e)) => format!("{e}: "),
        (None, None) => String::new(),
    }
}
