//! Whether a tree has the shape of the kind it is declared to be: a surface read as centerlines
//! (or the reverse) would convert without complaint into the wrong cells -- 12,932 triangles
//! becoming 12,932 lines, six polylines becoming polygons of 21 to 116 vertices -- so a mismatch is
//! a problem of its own, named with the kind the tree looks like.
//!
//! The rule, and why:
//! - Image keys (`Dimensions`, `Origin`, `Spacing`) make an image, `/Cells` a mesh,
//!   `/CellData/CellPointIds` polydata (a surface or centerlines): a tree of one of these families
//!   declared as another is refused (its schema's problems would only list every key as unknown).
//! - Between surface and centerlines, what matters is whether the declared kind changes what the
//!   cells are. A surface is any polydata (VTK's polydata may mix vertices, lines, polygons and
//!   strips, and [`Kind::infer`] calls such a dataset a surface), centerlines are polylines (and
//!   vertices) only. So:
//!   - `/CellKindCounts` (ours) says what every cell is, whatever the declared kind: counts with
//!     polygons or strips cannot be centerlines; counts of lines and vertices only are centerlines,
//!     or a surface that holds only lines (what `to-numpy --kind surface` writes for a line
//!     dataset) -- both accepted, as nothing changes meaning.
//!   - Without it, the declared kind decides whether the cells are polygons or lines, and the form
//!     of `/CellData/CellPointIds` is what VMTK and we write for each kind: a list of arrays is
//!     centerlines' (SPEC 4; surfaces are never a list without the counts), a `(nCells, P)` array
//!     or a 1-D cell stream is a surface's (SPEC 3 and 6). A surface form whose cells all have one
//!     or two points (vertices, segments) fits both kinds and is accepted for either; one with a
//!     cell of three or more points is polygons, and refused as centerlines. An empty list fits
//!     both too.
//!
//! A hand-made tree of another form says what it holds with `/CellKindCounts`.

use crate::error::Problem;
use crate::keys::CELL_KIND_COUNTS;
use crate::kind::Kind;
use crate::parse::{shape_str, stream_largest_cell};
use crate::tree::{Dict, Node};

/// The problem with declaring `tree` a `declared`, if its shape is another kind's.
pub(crate) fn mismatch(tree: &Dict, declared: Kind) -> Option<Problem> {
    let (looks, path, evidence) = family(tree, declared).or_else(|| poly_cells(tree, declared))?;
    Some(Problem {
        path: path.into(),
        message: format!("declared {declared}, but the tree looks like {looks}: {evidence}"),
    })
}

/// "a surface", "an image".
fn article(kind: Kind) -> String {
    match kind {
        Kind::Image => "an image".into(),
        Kind::Centerlines => "centerlines".into(),
        k => format!("a {k}"),
    }
}

/// The image, mesh or polydata family the tree's keys say, when it is not `declared`'s.
fn family(tree: &Dict, declared: Kind) -> Option<(String, &'static str, String)> {
    let image_keys: Vec<&str> = ["Dimensions", "Origin", "Spacing"]
        .into_iter()
        .filter(|k| tree.contains_key(k))
        .collect();
    if !image_keys.is_empty() {
        return (declared != Kind::Image).then(|| {
            (
                article(Kind::Image),
                "/",
                format!("it has {}", image_keys.join(", ")),
            )
        });
    }
    if tree.contains_key("Cells") {
        return (declared != Kind::Mesh).then(|| {
            (
                article(Kind::Mesh),
                "/Cells",
                "it has /Cells (a mesh's cells)".into(),
            )
        });
    }
    let poly =
        matches!(tree.get("CellData"), Some(Node::Dict(cd)) if cd.contains_key("CellPointIds"));
    if poly && matches!(declared, Kind::Image | Kind::Mesh) {
        let looks = if matches!(tree.at("/CellData/CellPointIds"), Some(Node::List(_))) {
            Kind::Centerlines
        } else {
            Kind::Surface
        };
        return Some((
            article(looks),
            "/CellData/CellPointIds",
            "it has /CellData/CellPointIds (polydata's cells)".into(),
        ));
    }
    None
}

/// Surface against centerlines, by the rule of the module's documentation.
fn poly_cells(tree: &Dict, declared: Kind) -> Option<(String, &'static str, String)> {
    let other = match declared {
        Kind::Surface => Kind::Centerlines,
        Kind::Centerlines => Kind::Surface,
        Kind::Image | Kind::Mesh => return None,
    };
    let refuse = |path, evidence: String| Some((article(other), path, evidence));
    if let Some(Node::Array(counts)) = tree.get(CELL_KIND_COUNTS) {
        // Malformed counts are the schema's to report; they say nothing here.
        let Ok(c) = counts.data().to_i64_vec() else {
            return None;
        };
        return match c[..] {
            [_, _, polys, strips] if declared == Kind::Centerlines && (polys > 0 || strips > 0) => refuse(
                "/CellKindCounts",
                format!("/CellKindCounts counts {polys} polygons and {strips} strips, and centerlines are polylines"),
            ),
            _ => None,
        };
    }
    let path = "/CellData/CellPointIds";
    match (tree.at(path)?, declared) {
        (Node::List(l), Kind::Surface) if !l.is_empty() => refuse(
            path,
            format!(
                "{path} is a list of {} arrays, the form of centerlines' polylines (a surface's cells are an \
                 (nCells, P) array or a 1-D cell stream, or carry /CellKindCounts)",
                l.len()
            ),
        ),
        (Node::Array(a), Kind::Centerlines) if !a.dtype().is_float() => {
            let largest = match a.ndim() {
                2 => a.shape()[1],
                1 => stream_largest_cell(a.data()),
                _ => 0,
            };
            (!a.is_empty() && largest >= 3).then(|| {
                let form = if a.ndim() == 2 {
                    format!("{path} is a {} array, one polygon of {largest} points per row", shape_str(a.shape()))
                } else {
                    format!("{path} is a 1-D cell stream, a surface's cells of several sizes (up to {largest} points)")
                };
                (
                    article(other),
                    path,
                    format!("{form}; centerlines' polylines are a list of arrays (or carry /CellKindCounts)"),
                )
            })
        }
        _ => None,
    }
}
