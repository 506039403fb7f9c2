//! The errors of the `ArrayDict` layer, and the problems validation reports.

use std::fmt;

use crate::kind::Kind;

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
    /// A tree does not follow its kind's schema (one line per problem, `path: message`).
    #[error("invalid {kind} tree:\n{}", Lines(.problems))]
    Invalid {
        /// The kind the tree was checked against.
        kind: Kind,
        /// Every problem found, in the order the checks ran.
        problems: Vec<Problem>,
    },
    /// The VTK model rejected the converted data.
    #[error(transparent)]
    Model(#[from] vtk_model::ModelError),
}

/// One way a tree breaks its schema: where (a path into the tree such as `/Cells/CellTypes`,
/// `/CellData/CellPointIds/3`) and what is wrong there. Printed `path: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The path of the offending node, from the tree's root (`/Points`).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Problems one per line (joined by line breaks, none after the last).
struct Lines<'a>(&'a [Problem]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
