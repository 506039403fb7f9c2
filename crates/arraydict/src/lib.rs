//! `ArrayDict`: the nested dictionary of n-d arrays that VMTK's numpy adaptors produce, with its
//! schemas for the four VMTK kinds and the conversions to and from the VTK model.
//!
//! A [`Node`] is a [`Dict`] (ordered string keys), an [`NdArray`] (dtype, shape, memory order) or a
//! list of arrays. See `SPEC.md` for the exact trees and `EXTENSIONS.md` for our additive keys.

// Nothing here needs unsafe code (the mapped files and the allocator live in the store and the CLI).
#![forbid(unsafe_code)]

mod array;
mod error;
mod tree;
mod validate;
mod validate_mesh;

pub mod convert;
pub mod schema;

pub use array::{MemoryOrder, NdArray};
pub use convert::{from_arraydict, to_arraydict, ToArrayDictOptions};
pub use error::ArrayDictError;
pub use schema::{detect_kind, validate, Kind};
pub use tree::{Dict, Node};
pub use vtk_model::{ArrayData, DType, Element};
