//! ArrayDict: the nested dictionary of n-d arrays that VMTK's numpy adaptors produce, with its
//! schemas for the four VMTK kinds and the conversions to and from the VTK model.
//!
//! A [`Node`] is a [`Dict`] (ordered string keys), an [`NdArray`] (dtype, shape, memory order) or a
//! list of arrays. See `SPEC.md` for the exact trees.

mod array;
mod error;
mod tree;

pub use array::{MemoryOrder, NdArray};
pub use error::ArrayDictError;
pub use tree::{Dict, Node};
pub use vtk_model::{ArrayData, DType, Element};
