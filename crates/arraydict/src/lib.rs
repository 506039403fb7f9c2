//! `ArrayDict`: the nested dictionary of n-d arrays that VMTK's numpy adaptors produce, with its
//! schemas for the four VMTK kinds and the conversions to and from the VTK model.
//!
//! A [`Node`] is a [`Dict`] (ordered string keys), an [`NdArray`] (dtype, shape, memory order) or a
//! list of arrays. See `SPEC.md` for the exact trees and `EXTENSIONS.md` for our additive keys.
//!
//! # Layout
//!
//! Modules import one way, each using only those listed before it (`xtask/tests/module_graph.rs`
//! fails on a loop): `kind` (the four kinds), `error` ([`ArrayDictError`], [`Problem`]), `array`
//! and `tree` (the data), `keys` (extension key names), `ids` (point-id range scans), `parse`
//! (reading cell streams and lists, cell types, face streams, image dimensions -- shared by
//! validation and conversion), `validate` (the schemas: `checks` shared by the kinds' `poly`,
//! `image` and `mesh`), `convert` (model <-> tree, validating first), and `schema` (the public
//! face of kinds, keys and validation).
//!
//! # Example: model -> `ArrayDict` -> model
//!
//! [`to_arraydict`] gives the tree VMTK's `vmtksurfacetonumpy` would; [`validate`] checks a tree
//! against its kind's schema (as [`from_arraydict`] does before converting back).
//!
//! ```
//! use arraydict::{from_arraydict, to_arraydict, validate, Kind, ToArrayDictOptions};
//! use vtk_model::{Attributes, CellArray, DataArray, DataSet, PolyCells, PolyData};
//!
//! let points = DataArray::new(
//!     "Points",
//!     3,
//!     vec![0.0f64, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0].into(),
//! )?;
//! let triangle = PolyCells::polys(CellArray::from_cells([[0i64, 1, 2].as_slice()]));
//! let surface = PolyData::try_new(points, triangle, Attributes::new(), Attributes::new())?;
//! let model = DataSet::PolyData(surface);
//!
//! let tree = to_arraydict(model.clone(), Kind::Surface, &ToArrayDictOptions::default())?;
//! assert_eq!(tree.array_at("/Points")?.shape(), &[3, 3]);
//! assert!(tree.contains_key("CellData"));
//! validate(&tree, Kind::Surface)?;
//!
//! let back = from_arraydict(tree, Kind::Surface)?;
//! assert_eq!(back, model);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Nothing here needs unsafe code (the mapped files and the allocator live in the store and the CLI).
#![forbid(unsafe_code)]

mod array;
mod error;
mod ids;
mod keys;
mod kind;
mod parse;
mod tree;
mod validate;

pub mod convert;
pub mod schema;

pub use array::{MemoryOrder, NdArray};
pub use convert::{from_arraydict, to_arraydict, ToArrayDictOptions};
pub use error::{ArrayDictError, Problem};
pub use kind::Kind;
pub use schema::detect_kind;
pub use tree::{Dict, Node};
pub use validate::validate;
pub use vtk_model::{ArrayData, DType, Element};
