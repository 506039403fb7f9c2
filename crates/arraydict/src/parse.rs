//! Reading the encoded parts of a tree that both validation and conversion need: cell streams and
//! lists, cell types, polyhedron face streams, image dimensions, numpy's spelling of shapes. Each
//! parser returns what is wrong as a message without a path; the caller knows where it looked.

use vtk_model::{with_array_data, ArrayData, CellArray, CellType, Element};

use crate::array::NdArray;
use crate::tree::Node;

/// numpy's spelling of a shape: `(6,)`, `(12932, 3)`.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The number of cells of a polydata's legacy cell stream `[n0, ids0..., n1, ids1...]` (SPEC 6), or
/// what is wrong with it, naming the element: a negative count, a cell running past the end, an id
/// outside `0..n_points` (negative ones when `n_points` is not known). One pass over the stream,
/// nothing allocated.
pub(crate) fn cell_stream_len(data: &ArrayData, n_points: Option<usize>) -> Result<usize, String> {
    fn scan<T: Element>(v: &[T], n_points: Option<usize>) -> Result<usize, String> {
        // Ids at or past `limit` as u64 are bad; a negative id is at least 2^63 as u64.
        let limit = n_points.map_or(1 << 63, |n| {
            u64::try_from(n).map_or(1 << 63, |n| n.min(1 << 63))
        });
        let (mut pos, mut cells) = (0usize, 0usize);
        while pos < v.len() {
            // A count beyond i64 (a u8 stream's cannot be) runs past the end as surely as a large one.
            let n = match v[pos].to_i64() {
                Some(c) if c < 0 => {
                    return Err(format!("element {pos}: point count {c} is negative"))
                }
                Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
                None => usize::MAX,
            };
            let end = pos.checked_add(n).and_then(|e| e.checked_add(1)).filter(|&e| e <= v.len()).ok_or_else(|| {
                format!("element {pos}: a cell of {:?} points runs past the end of the stream ({} values)", v[pos], v.len())
            })?;
            // One compare tests both ends.
            if let Some(i) = v[pos + 1..end]
                .iter()
                .position(|x| x.to_i64().is_none_or(|i| i as u64 >= limit))
            {
                let at = pos + 1 + i;
                return Err(match n_points {
                    Some(rows) => format!(
                        "id {:?} (element {at}) is out of range, /Points has {rows} rows",
                        v[at]
                    ),
                    None => format!("id {:?} (element {at}) is negative", v[at]),
                });
            }
            cells += 1;
            pos = end;
        }
        Ok(cells)
    }
    with_array_data!(data, v => scan(v, n_points))
}

/// Image dimensions and the VTK cell-grid dimensions (a flat axis counts as one cell layer).
pub(crate) fn image_dims(dims: [i64; 3]) -> Option<([usize; 3], [usize; 3])> {
    let d = [
        usize::try_from(dims[0]).ok()?,
        usize::try_from(dims[1]).ok()?,
        usize::try_from(dims[2]).ok()?,
    ];
    d.iter().try_fold(1usize, |a, &x| a.checked_mul(x))?;
    let cells = if d.contains(&0) {
        [0; 3]
    } else {
        d.map(|x| x.saturating_sub(1).max(1))
    };
    Some((d, cells))
}

/// The cells of `/Cells/CellPointIds` (legacy stream or list of arrays), or a message.
pub(crate) fn parse_cells(node: &Node) -> Result<CellArray, String> {
    match node {
        Node::Array(a) => {
            if a.ndim() != 1 {
                return Err(format!(
                    "shape {}, expected a 1-D legacy stream [n0, ids0..., n1, ...]",
                    shape_str(a.shape())
                ));
            }
            let stream = a
                .data()
                .to_i64_vec()
                .map_err(|i| format!("element {i} does not fit in int64"))?;
            CellArray::from_legacy(&stream).map_err(|e| e.to_string())
        }
        Node::List(l) => {
            let mut cells = CellArray::empty();
            for (i, a) in l.iter().enumerate() {
                if a.ndim() != 1 {
                    return Err(format!(
                        "element {i} has shape {}, expected a 1-D array",
                        shape_str(a.shape())
                    ));
                }
                let ids = a
                    .data()
                    .to_i64_vec()
                    .map_err(|j| format!("element {i}: id {j} does not fit in int64"))?;
                cells.push_cell(&ids);
            }
            Ok(cells)
        }
        Node::Dict(_) => Err("expected an array or a list of arrays, found a dict".into()),
    }
}

/// One type per cell, from any integer dtype; the error names the first value that is not a cell
/// type `vtkCellType.h` defines.
pub(crate) fn parse_types(a: &NdArray) -> Result<Vec<CellType>, String> {
    (0..a.len())
        .map(|i| match a.data().get_i64(i) {
            Some(v) => CellType::from_id(v).ok_or_else(|| {
                format!("element {i} is {v}, which is not a VTK cell type id (see vtkCellType.h)")
            }),
            None => Err(format!("element {i} is not an integer")),
        })
        .collect()
}

/// The `(start, end)` of each cell's legacy face stream in `faces` (`start == end` for none).
pub(crate) fn face_ranges(faces: &[i64], locations: &[i64]) -> Result<Vec<(usize, usize)>, String> {
    let mut out = Vec::with_capacity(locations.len());
    for (cell, &loc) in locations.iter().enumerate() {
        if loc == -1 {
            out.push((0, 0));
            continue;
        }
        let bad = |what: &str| {
            format!(
                "cell {cell}: face stream at {loc} {what} ({} values)",
                faces.len()
            )
        };
        let start = usize::try_from(loc)
            .ok()
            .filter(|&s| s < faces.len())
            .ok_or_else(|| bad("is out of range"))?;
        let n_faces =
            usize::try_from(faces[start]).map_err(|_| bad("starts with a negative face count"))?;
        let mut pos = start + 1;
        for _ in 0..n_faces {
            let n = faces
                .get(pos)
                .and_then(|&n| usize::try_from(n).ok())
                .ok_or_else(|| bad("is truncated"))?;
            pos = pos
                .checked_add(1 + n)
                .filter(|&e| e <= faces.len())
                .ok_or_else(|| bad("is truncated"))?;
        }
        out.push((start, pos));
    }
    Ok(out)
}

/// The largest cell of a legacy cell stream `[n0, ids0..., n1, ids1...]`, reading only the counts;
/// it stops at the first count that is negative or runs past the end (validation reports those).
pub(crate) fn stream_largest_cell(data: &ArrayData) -> usize {
    fn scan<T: Element>(v: &[T]) -> usize {
        let (mut pos, mut largest) = (0usize, 0usize);
        while let Some(n) = v
            .get(pos)
            .and_then(|&c| c.to_i64())
            .and_then(|c| usize::try_from(c).ok())
        {
            largest = largest.max(n);
            match pos.checked_add(n).and_then(|e| e.checked_add(1)) {
                Some(next) if next <= v.len() => pos = next,
                _ => break,
            }
        }
        largest
    }
    with_array_data!(data, v => scan(v))
}
