//! Joining the pieces of a multi-piece file into one dataset.

use std::ops::Range;

use vtk_model::{with_array_data_mut, ArrayData, Attributes, DataArray, Element};

use super::extent::extent_counts;

/// Appends `src[range]` (same dtype as `dst`) to `dst`.
fn append(dst: &mut ArrayData, src: &ArrayData, range: Range<usize>) -> Result<(), String> {
    with_array_data_mut!(dst, v => {
        let s = Element::slice(src).ok_or_else(|| format!("pieces store {} and {}", src.dtype().vtk_name(), v.len()))?;
        let part = s.get(range).ok_or_else(|| "piece array is shorter than its piece".to_owned())?;
        v.extend_from_slice(part);
    });
    Ok(())
}

/// Concatenates the points of all pieces (they must share a dtype).
pub(crate) fn concat_points<'a>(
    pieces: impl Iterator<Item = &'a DataArray>,
) -> Result<DataArray, String> {
    let pieces: Vec<&DataArray> = pieces.collect();
    let Some(first) = pieces.first() else {
        return DataArray::new("Points", 3, ArrayData::F32(Vec::new())).map_err(|e| e.to_string());
    };
    let mut data = ArrayData::empty(first.dtype());
    for p in &pieces {
        if p.dtype() != first.dtype() {
            return Err(format!(
                "pieces store points as {} and {}",
                first.dtype().vtk_name(),
                p.dtype().vtk_name()
            ));
        }
        append(&mut data, p.data(), 0..p.data().len())?;
    }
    DataArray::new(first.name(), 3, data).map_err(|e| e.to_string())
}

/// Concatenates tuple ranges of attribute sets that hold the same arrays in the same order.
pub(crate) fn concat_attributes<'a>(
    parts: impl Iterator<Item = (&'a Attributes, Range<usize>)>,
) -> Result<Attributes, String> {
    let parts: Vec<(&Attributes, Range<usize>)> = parts.collect();
    let Some((first, _)) = parts.first() else {
        return Ok(Attributes::new());
    };
    if let Some((a, _)) = parts.iter().find(|(a, _)| a.len() != first.len()) {
        return Err(format!(
            "pieces have different arrays ({} and {})",
            first.len(),
            a.len()
        ));
    }
    let mut out = Attributes::new();
    for (j, a0) in first.iter().enumerate() {
        let nc = a0.components();
        let mut data = ArrayData::empty(a0.dtype());
        for (attrs, r) in &parts {
            let a = attrs.iter().nth(j).ok_or("pieces have different arrays")?;
            if a.name() != a0.name() || a.dtype() != a0.dtype() || a.components() != nc {
                return Err(format!(
                    "pieces disagree on array {j}: '{}' vs '{}'",
                    a0.name(),
                    a.name()
                ));
            }
            append(&mut data, a.data(), r.start * nc..r.end * nc)?;
        }
        out.push(DataArray::new(a0.name(), nc, data).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Copies a `src_dims` block of tuples into `dst` (of `dst_dims`) at `at`, x fastest.
fn copy_block<T: Copy>(
    dst: &mut [T],
    dst_dims: [usize; 3],
    src: &[T],
    src_dims: [usize; 3],
    at: [usize; 3],
    nc: usize,
) -> Option<()> {
    let row = src_dims[0] * nc;
    for k in 0..src_dims[2] {
        for j in 0..src_dims[1] {
            let s = (k * src_dims[1] + j) * row;
            let d = (((k + at[2]) * dst_dims[1] + j + at[1]) * dst_dims[0] + at[0]) * nc;
            dst.get_mut(d..d + row)?
                .copy_from_slice(src.get(s..s + row)?);
        }
    }
    Some(())
}

fn dims(e: [i64; 6], cells: bool) -> [usize; 3] {
    let mut d = [0usize; 3];
    for a in 0..3 {
        let n = (e[2 * a + 1] - e[2 * a] + 1).max(0) as usize;
        d[a] = if cells { n.saturating_sub(1).max(1) } else { n };
    }
    d
}

/// Assembles image pieces into the whole extent (gaps stay zero, as in VTK's reader).
pub(crate) fn merge_images(
    whole: [i64; 6],
    pieces: &[([i64; 6], Attributes, Attributes)],
    max_alloc: u64,
) -> Result<([i64; 6], Attributes, Attributes), String> {
    let (wp, wc) = extent_counts(whole).ok_or_else(|| format!("bad WholeExtent {whole:?}"))?;
    for (e, _, _) in pieces {
        if (0..3).any(|a| e[2 * a] < whole[2 * a] || e[2 * a + 1] > whole[2 * a + 1]) {
            return Err(format!(
                "piece extent {e:?} is outside the whole extent {whole:?}"
            ));
        }
    }
    let Some((_, pd0, cd0)) = pieces.first() else {
        return Err("no <Piece>".into());
    };
    let mut out = [Attributes::new(), Attributes::new()];
    for (which, (first, total)) in [(pd0, wp), (cd0, wc)].into_iter().enumerate() {
        let cells = which == 1;
        for (j, a0) in first.iter().enumerate() {
            let nc = a0.components();
            let n = total
                .checked_mul(nc as u64)
                .filter(|&n| n.saturating_mul(a0.dtype().size() as u64) <= max_alloc);
            let n = n.ok_or_else(|| {
                format!("whole extent {whole:?} is larger than the allocation limit")
            })?;
            let mut data = ArrayData::zeros(a0.dtype(), n as usize);
            for (e, pd, cd) in pieces {
                let attrs = if cells { cd } else { pd };
                let a = attrs.iter().nth(j).filter(|a| {
                    a.name() == a0.name() && a.dtype() == a0.dtype() && a.components() == nc
                });
                let a = a.ok_or_else(|| format!("pieces disagree on array '{}'", a0.name()))?;
                let at = [0, 1, 2].map(|ax| (e[2 * ax] - whole[2 * ax]) as usize);
                let ok = with_array_data_mut!(&mut data, v => {
                    Element::slice(a.data()).and_then(|s| copy_block(v, dims(whole, cells), s, dims(*e, cells), at, nc))
                });
                ok.ok_or_else(|| format!("piece {e:?} does not fit array '{}'", a0.name()))?;
            }
            out[which].push(DataArray::new(a0.name(), nc, data).map_err(|e| e.to_string())?);
        }
    }
    let [pd, cd] = out;
    Ok((whole, pd, cd))
}
