//! Surfaces and centerlines (`vtkPolyData`), SPEC sections 3-4.

use vtk_model::{ArrayData, CellArray, DType, Element, PolyCells, PolyData, StoredIds};

use super::cell_to_point::cell_to_point;
use super::ToArrayDictOptions;
use super::{
    ids_narrow, ids_wide, named, nd_to_tuples, put_arrays, take_arrays, take_points, tuples_to_nd,
};
use crate::array::{MemoryOrder, NdArray};
use crate::error::ArrayDictError;
use crate::keys::CELL_KIND_COUNTS;
use crate::kind::Kind;
use crate::tree::{Dict, Node};
use crate::validate::validate;

/// Index of the kind's default cell array in `[verts, lines, polys, strips]`.
fn default_slot(kind: Kind) -> usize {
    if kind == Kind::Centerlines {
        1
    } else {
        2
    }
}

/// Converts polydata to a surface or centerlines tree.
///
/// Surfaces: `CellPointIds` is `i4 (nCells, P)` when every cell has P points, else (VMTK defect 1,
/// SPEC 6) one 1-D `i4` legacy cell stream `[n0, ids0..., n1, ids1...]`. Centerlines: always the list
/// of 1-D `i4` arrays (SPEC 4). `CellKindCounts` is added when the cells are not all of the kind's
/// default array (polygons / lines).
pub fn polydata_to_arraydict(
    pd: PolyData,
    kind: Kind,
    opts: &ToArrayDictOptions,
) -> Result<Dict, ArrayDictError> {
    if !matches!(kind, Kind::Surface | Kind::Centerlines) {
        return Err(ArrayDictError::Path {
            path: "/".into(),
            detail: format!("a vtkPolyData cannot be converted to a '{kind}' tree"),
        });
    }
    let (points, cells, point_data, cell_data) = pd.into_parts();
    let n_points = points.tuples();
    let parts = [&cells.verts, &cells.lines, &cells.polys, &cells.strips];
    let counts = parts.map(CellArray::num_cells);
    // The rule of `validate/declared.rs`: centerlines are polylines (and vertices); a dataset with
    // polygons or strips is a surface, and its tree would be refused as centerlines.
    if kind == Kind::Centerlines && (counts[2] > 0 || counts[3] > 0) {
        return Err(ArrayDictError::Path {
            path: "/".into(),
            detail: format!(
                "cannot make centerlines of a vtkPolyData with {} polygons and {} strips (centerlines are \
                 polylines); it is a surface",
                counts[2], counts[3]
            ),
        });
    }
    let slot = default_slot(kind);
    let only_default = counts.iter().enumerate().all(|(i, &c)| i == slot || c == 0);

    let uniform = uniform_size(&parts);
    let as_array = kind == Kind::Surface && uniform.is_some();

    let mut tree = Dict::new();
    let mut pd_dict = Dict::new();
    put_arrays(&mut pd_dict, "/PointData", point_data, &[], tuples_to_nd)?;
    let mut cd_dict = Dict::new();
    let has_cell_arrays = named(&cell_data) > 0;
    if opts.cell_to_point {
        let averaged = cell_to_point(&parts, n_points, cell_data);
        put_arrays(&mut pd_dict, "/PointData", averaged, &[], tuples_to_nd)?;
    } else {
        put_arrays(
            &mut cd_dict,
            "/CellData",
            cell_data,
            &["CellPointIds"],
            tuples_to_nd,
        )?;
    }
    let ids: Node = if as_array {
        let shape = vec![counts.iter().sum(), uniform.unwrap_or(0)];
        NdArray::new(
            cells_as_rows(cells, counts, n_points),
            shape,
            MemoryOrder::C,
        )?
        .into()
    } else if kind == Kind::Surface {
        NdArray::vector(cell_stream(&parts, n_points)).into()
    } else {
        let list: Vec<NdArray> = parts
            .iter()
            .flat_map(|c| c.iter())
            .map(|ids| NdArray::vector(ids_narrow(&[ids], n_points)))
            .collect();
        list.into()
    };
    cd_dict.insert("CellPointIds", ids);
    // Surfaces always have PointData (possibly empty); centerlines only with point arrays (SPEC 3-4).
    let write_pd = kind == Kind::Surface || !pd_dict.is_empty();
    if has_cell_arrays && !opts.cell_to_point {
        tree.insert("CellData", cd_dict);
        tree.insert("Points", tuples_to_nd(3, points.into_data())?);
        if write_pd {
            tree.insert("PointData", pd_dict);
        }
    } else {
        tree.insert("Points", tuples_to_nd(3, points.into_data())?);
        if write_pd {
            tree.insert("PointData", pd_dict);
        }
        tree.insert("CellData", cd_dict);
    }
    if !only_default {
        tree.insert(
            CELL_KIND_COUNTS,
            NdArray::vector(counts.map(|c| c as i64).to_vec()),
        );
    }
    Ok(tree)
}

/// The ids of cells of one size, row after row, as SPEC's `i4` (`i8` past 2^31 points). Ids a
/// reader kept 32-bit are moved, not copied, when one cell array holds every cell (the usual case).
fn cells_as_rows(mut cells: PolyCells, counts: [usize; 4], n_points: usize) -> ArrayData {
    let total: usize = counts.iter().sum();
    let sole = match counts.iter().position(|&c| c == total) {
        Some(0) => Some(&mut cells.verts),
        Some(1) => Some(&mut cells.lines),
        Some(2) => Some(&mut cells.polys),
        Some(3) => Some(&mut cells.strips),
        _ => None,
    };
    if let Some(c) = sole.filter(|_| i32::try_from(n_points).is_ok()) {
        match std::mem::take(c).into_connectivity_i32() {
            Ok(ids) => return ArrayData::I32(ids),
            Err(back) => *c = back,
        }
    }
    let conn =
        [&cells.verts, &cells.lines, &cells.polys, &cells.strips].map(CellArray::connectivity);
    ids_narrow(&conn, n_points)
}

/// Every cell of the four arrays in one legacy stream `[n0, ids0..., n1, ids1...]` (SPEC 6), built in
/// one pass into a buffer of its final size. SPEC's `i4`, or `i8` when a point index or a count
/// would not fit in 32 bits (the rule of [`ids_narrow`]).
fn cell_stream(parts: &[&CellArray; 4], n_points: usize) -> ArrayData {
    let n_ids: usize = parts.iter().map(|c| c.stored_connectivity().len()).sum();
    let n_cells: usize = parts.iter().map(|c| c.num_cells()).sum();
    let fits_i32 = |n: usize| i32::try_from(n).is_ok();
    // A count is at most the number of ids; only past 2^31 ids must the cells be looked at.
    let counts_fit = fits_i32(n_ids)
        || parts
            .iter()
            .all(|c| (0..c.num_cells()).all(|i| fits_i32(c.cell_size(i))));
    if !(fits_i32(n_points) && counts_fit) {
        return ArrayData::I64(parts.iter().flat_map(|c| c.to_legacy()).collect());
    }
    let mut out: Vec<i32> = Vec::with_capacity(n_ids + n_cells);
    for c in parts {
        let offsets = c.offsets();
        // The checks above make every `as i32` below exact.
        if let StoredIds::I32(ids) = c.stored_connectivity() {
            for w in offsets.windows(2) {
                out.push((w[1] - w[0]) as i32);
                out.extend_from_slice(&ids[w[0] as usize..w[1] as usize]);
            }
        } else {
            let ids = c.connectivity();
            for w in offsets.windows(2) {
                out.push((w[1] - w[0]) as i32);
                out.extend(ids[w[0] as usize..w[1] as usize].iter().map(|&i| i as i32));
            }
        }
    }
    ArrayData::I32(out)
}

/// The common size of every cell of the four arrays; `Some(0)` when there are no cells.
fn uniform_size(parts: &[&CellArray; 4]) -> Option<usize> {
    let mut size = None;
    for c in parts {
        if c.is_empty() {
            continue;
        }
        let s = c.uniform_size()?;
        if size.is_some_and(|p| p != s) {
            return None;
        }
        size = Some(s);
    }
    Some(size.unwrap_or(0))
}

/// Validates and converts a surface or centerlines tree back to polydata.
///
/// Without `CellKindCounts` every cell is a polygon (surface) or a line (centerlines).
pub fn arraydict_to_polydata(mut tree: Dict, kind: Kind) -> Result<PolyData, ArrayDictError> {
    if !matches!(kind, Kind::Surface | Kind::Centerlines) {
        return Err(ArrayDictError::Path {
            path: "/".into(),
            detail: format!("a '{kind}' tree is not polydata"),
        });
    }
    validate(&tree, kind)?;
    let points = take_points(&mut tree)?;
    let Some(Node::Dict(mut cd)) = tree.remove("CellData") else {
        return Err(ArrayDictError::Path {
            path: "/CellData".into(),
            detail: "missing".into(),
        });
    };
    let ids = cd.remove("CellPointIds");
    let all = match ids {
        Some(Node::Array(a)) if a.ndim() == 1 => stream_cells(a)?,
        Some(Node::Array(a)) => {
            let p = a.shape().get(1).copied().unwrap_or(0);
            let n = a.shape().first().copied().unwrap_or(0);
            match a.into_c_order().into_data() {
                // SPEC's `i4`: kept 32-bit, so a writer widens the ids as it writes them.
                ArrayData::I32(conn) => CellArray::uniform_i32(n, p, conn)?,
                // The same ids viewed in a mapped file stay there.
                ArrayData::Shared(conn) if conn.dtype() == DType::I32 => {
                    CellArray::uniform_shared_i32(n, p, conn)?
                }
                other => CellArray::uniform(n, p, ids_wide(other))?,
            }
        }
        Some(Node::List(l)) => {
            let mut c = CellArray::empty();
            for a in l {
                c.push_cell(&ids_wide(a.into_data()));
            }
            c
        }
        _ => {
            return Err(ArrayDictError::Path {
                path: "/CellData/CellPointIds".into(),
                detail: "missing".into(),
            })
        }
    };
    let mut counts = [0usize; 4];
    if let Some(Node::Array(a)) = tree.remove(CELL_KIND_COUNTS) {
        for (dst, src) in counts
            .iter_mut()
            .zip(a.data().to_i64_vec().unwrap_or_default())
        {
            *dst = usize::try_from(src).unwrap_or(0);
        }
    } else {
        counts[default_slot(kind)] = all.num_cells();
    }
    let cells = split(all, counts)?;
    let point_data = take_arrays(tree.remove("PointData"), "", nd_to_tuples)?;
    let cell_data = take_arrays(Some(Node::Dict(cd)), "CellPointIds", nd_to_tuples)?;
    Ok(PolyData::try_new(points, cells, point_data, cell_data)?)
}

/// The cells of a validated 1-D legacy cell stream (SPEC 6). `i4` streams, the usual ones, are
/// compacted into 32-bit connectivity in their own buffer; a mapped file's are copied out once.
fn stream_cells(a: NdArray) -> Result<CellArray, ArrayDictError> {
    let data = a.into_data();
    let cells = match data {
        ArrayData::I32(stream) => CellArray::from_legacy_vec_i32(stream),
        data => match i32::slice(&data) {
            Some(stream) => CellArray::from_legacy_vec_i32(stream.to_vec()),
            None => CellArray::from_legacy_vec(ids_wide(data)),
        },
    };
    cells.map_err(|e| ArrayDictError::Path {
        path: "/CellData/CellPointIds".into(),
        detail: e.to_string(),
    })
}

/// Splits cells into `[verts, lines, polys, strips]` by counts, moving `all` when one kind holds
/// every cell (the usual case).
fn split(all: CellArray, counts: [usize; 4]) -> Result<PolyCells, ArrayDictError> {
    let n = all.num_cells();
    if counts.iter().sum::<usize>() != n {
        return Err(ArrayDictError::Path {
            path: format!("/{CELL_KIND_COUNTS}"),
            detail: format!("counts {counts:?} do not add up to {n} cells"),
        });
    }
    let mut out = [
        CellArray::empty(),
        CellArray::empty(),
        CellArray::empty(),
        CellArray::empty(),
    ];
    if let Some(i) = counts.iter().position(|&c| c == n) {
        out[i] = all;
    } else {
        let mut next = 0;
        for (dst, &c) in out.iter_mut().zip(&counts) {
            for i in next..next + c {
                dst.push_cell(all.cell(i));
            }
            next += c;
        }
    }
    let [verts, lines, polys, strips] = out;
    Ok(PolyCells {
        verts,
        lines,
        polys,
        strips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stream is SPEC's `i4`; past 2^31 points an id may not fit it, and the stream is `i8`, as
    /// the `(nCells, P)` form's ids are then.
    #[test]
    fn streams_are_i4_or_i8_by_the_point_count() {
        let verts = CellArray::from_cells([&[1i64][..]]);
        let polys = CellArray::from_cells([&[0i64, 1, 2][..], &[3, 1, 2, 0]]);
        let empty = CellArray::empty();
        let parts = [&verts, &empty, &polys, &empty];
        assert_eq!(
            cell_stream(&parts, 4),
            ArrayData::I32(vec![1, 1, 3, 0, 1, 2, 4, 3, 1, 2, 0])
        );
        let far = CellArray::from_cells([&[0i64, 1, 2][..], &[3_000_000_000, 1, 2, 0]]);
        let parts = [&empty, &empty, &far, &empty];
        assert_eq!(
            cell_stream(&parts, 3_000_000_001),
            ArrayData::I64(vec![3, 0, 1, 2, 4, 3_000_000_000, 1, 2, 0])
        );
    }
}
