/// Errors of the `ArrayDict` layer.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ArrayDictError {
    /// An array's shape does not match its number of elements.
    #[error("shape {shape:?} needs {expected} elements, the data has {found}")]
    ShapeMismatch {
        /// The shape.
        shape: Vec<usize>,
        /// Product of the shape.
        expected: usize,
        /// Elements present.
        found: usize,
    },
    /// An axis order is not a permutation of `0..ndim`.
    #[error("axis order {axes:?} is not a permutation of 0..{ndim}")]
    BadAxisOrder {
        /// The axis order.
        axes: Vec<usize>,
        /// Number of dimensions.
        ndim: usize,
    },
    /// A path does not lead to a node of the expected type.
    #[error("{path}: {detail}")]
    Path {
        /// Where.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// A tree does not follow its kind's schema (one line per problem).
    #[error("invalid {kind} tree:\n{}", .problems.join("\n"))]
    Invalid {
        /// The kind the tree was checked against.
        kind: String,
        /// Every problem found, each starting with its path.
        problems: Vec<String>,
    },
    /// The VTK model rejected the converted data.
    #[error(transparent)]
    Model(#[from] vtk_model::ModelError),
}
