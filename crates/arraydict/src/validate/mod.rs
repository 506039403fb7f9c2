//! Schema checks of `ArrayDict` trees: every problem is collected with its path (as gltf's
//! validation does), one module per kind over the shared [`checks`].

mod checks;
mod declared;
mod image;
mod mesh;
mod poly;

use crate::error::ArrayDictError;
use crate::kind::Kind;
use crate::tree::Dict;

/// Checks `tree` against the schema of `kind` (SPEC sections 2-6 plus our extension keys).
///
/// Accepts VMTK's trees and ours, in any key order (HDF5 returns keys sorted), ids of any integer
/// dtype, arrays in any memory order. Rejects missing required keys, unknown keys (they would be
/// silently dropped otherwise), non-integer or out-of-range ids, length and shape mismatches, and a
/// list where an array belongs or vice versa. The error lists every problem found.
///
/// A tree shaped like another kind (a surface's triangles declared centerlines, an image declared
/// a mesh) is refused with that one problem, naming the kind it looks like: converting it as
/// declared would give the wrong cells without complaint (the rule is in `declared.rs`).
pub fn validate(tree: &Dict, kind: Kind) -> Result<(), ArrayDictError> {
    if let Some(problem) = declared::mismatch(tree, kind) {
        return Err(ArrayDictError::Invalid {
            kind,
            problems: vec![problem],
        });
    }
    let mut p = checks::Problems::default();
    match kind {
        Kind::Surface | Kind::Centerlines => poly::check(tree, &mut p),
        Kind::Image => image::check(tree, &mut p),
        Kind::Mesh => mesh::check(tree, &mut p),
    }
    let problems = p.into_vec();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ArrayDictError::Invalid { kind, problems })
    }
}
