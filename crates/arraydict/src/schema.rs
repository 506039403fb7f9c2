//! The four VMTK `ArrayDict` kinds, how to tell them apart, our extension keys and the schema
//! check ([`validate`]), in one public module.

use std::str::FromStr;

use crate::array::NdArray;
use crate::error::ArrayDictError;
use crate::parse::cell_stream_len;
use crate::tree::{Dict, Node};

pub use crate::keys::{
    CELL_KIND_COUNTS, DIRECTION, EXTENT_START, POLYHEDRON_FACES, POLYHEDRON_FACE_LOCATIONS,
};
pub use crate::kind::Kind;
pub use crate::validate::validate;

// Here rather than in `kind.rs`: the error type sits above the kind (it names one).
impl FromStr for Kind {
    type Err = ArrayDictError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ArrayDictError::Path {
                path: "/".into(),
                detail: format!(
                    "unknown kind '{s}', expected one of surface, centerlines, image, mesh"
                ),
            })
    }
}

/// The number of cells of a polydata's `/CellData/CellPointIds` when it is a well-formed 1-D legacy
/// cell stream `[n0, ids0..., n1, ids1...]` (SPEC 6), for showing it; `None` for any other array.
/// Point ids are not range-checked here: [`validate`] does that against `/Points`.
pub fn cell_stream_cells(ids: &NdArray) -> Option<usize> {
    if ids.ndim() != 1 || ids.dtype().is_float() {
        return None;
    }
    cell_stream_len(ids.data(), None).ok()
}

/// Guesses the kind of a tree from its keys, `None` when it matches none.
///
/// `Dimensions`/`Origin`/`Spacing` mean an image, `Cells` a mesh. Polydata trees are told apart by
/// the [`CELL_KIND_COUNTS`] extension when present (same rule as [`Kind::infer`]), else by the form of
/// `/CellData/CellPointIds`: a list is centerlines, an array (2-D, or the 1-D cell stream of mixed
/// cell sizes) a surface. The older list form of mixed-size surfaces always came with
/// `CellKindCounts` from our writer, so every tree we wrote is detected correctly; a list-form surface
/// written by someone else is detected as centerlines -- pass the kind explicitly.
pub fn detect_kind(tree: &Dict) -> Option<Kind> {
    if ["Dimensions", "Origin", "Spacing"]
        .iter()
        .any(|k| tree.contains_key(k))
    {
        return Some(Kind::Image);
    }
    if tree.contains_key("Cells") {
        return Some(Kind::Mesh);
    }
    if let Some(Node::Array(counts)) = tree.get(CELL_KIND_COUNTS) {
        if counts.len() == 4 {
            let c: Vec<f64> = (0..4).map(|i| counts.data().get_f64(i)).collect();
            let centerlines = c[1] > 0.0 && c[2] == 0.0 && c[3] == 0.0;
            return Some(if centerlines {
                Kind::Centerlines
            } else {
                Kind::Surface
            });
        }
    }
    match tree.at("/CellData/CellPointIds") {
        Some(Node::List(_)) => Some(Kind::Centerlines),
        Some(Node::Array(_)) => Some(Kind::Surface),
        _ if tree.contains_key("Points") => Some(Kind::Surface),
        _ => None,
    }
}
