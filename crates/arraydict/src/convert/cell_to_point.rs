//! VTK's `vtkCellDataToPointData` averaging (VMTK's `ConvertCellToPoint`).
//!
//! Checked against VTK 9: each point gets the sum of the values of the cells that list it, divided by
//! the number of listings (a cell naming a point twice counts twice); points without cells get 0;
//! the output is `f8` for `f8` input and `f4` for every other dtype, and is accumulated in that type.

use std::ops::{AddAssign, DivAssign};

use vtk_model::{with_array_data, ArrayData, CellArray, DataArray, Element};

/// Averages each named cell array onto the points. Cells are numbered across `parts` in order.
pub(crate) fn cell_to_point(
    parts: &[&CellArray],
    n_points: usize,
    cell_data: impl IntoIterator<Item = DataArray>,
) -> Vec<DataArray> {
    let mut uses = vec![0u32; n_points];
    for c in parts {
        for &id in c.connectivity() {
            if let Some(u) = usize::try_from(id).ok().and_then(|i| uses.get_mut(i)) {
                *u += 1;
            }
        }
    }
    let mut out = Vec::new();
    for a in cell_data {
        if a.name().is_empty() {
            continue;
        }
        let (name, k, data) = a.into_parts();
        let averaged = if data.dtype() == vtk_model::DType::F64 {
            ArrayData::F64(with_array_data!(&data, v => average::<_, f64>(v, k, parts, &uses)))
        } else {
            ArrayData::F32(with_array_data!(&data, v => average::<_, f32>(v, k, parts, &uses)))
        };
        if let Ok(d) = DataArray::new(name, k, averaged) {
            out.push(d);
        }
    }
    out
}

fn average<S: Element, D: Element + AddAssign + DivAssign>(
    src: &[S],
    k: usize,
    parts: &[&CellArray],
    uses: &[u32],
) -> Vec<D> {
    let n_points = uses.len();
    let mut dst = vec![D::from_f64(0.0); n_points * k];
    let mut cell = 0usize;
    for c in parts {
        for ids in c.iter() {
            let Some(values) = src.get(cell * k..(cell + 1) * k) else {
                return dst;
            };
            for &id in ids {
                let Some(slot) = usize::try_from(id)
                    .ok()
                    .and_then(|i| dst.get_mut(i * k..(i + 1) * k))
                else {
                    continue;
                };
                for (d, s) in slot.iter_mut().zip(values) {
                    *d += D::from_f64(s.to_f64());
                }
            }
            cell += 1;
        }
    }
    for (slot, &n) in dst.chunks_exact_mut(k.max(1)).zip(uses) {
        if n > 0 {
            let n = D::from_f64(f64::from(n));
            for d in slot {
                *d /= n;
            }
        }
    }
    dst
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same polydata as the VTK 9.7 check: line [3,0] (1), triangle [0,1,2] (2), quad [1,2,3,1] (7).
    #[test]
    fn matches_vtk_including_repeated_ids_and_unused_points() {
        let lines = CellArray::from_cells([&[3i64, 0][..]]);
        let polys = CellArray::from_cells([&[0i64, 1, 2][..], &[1, 2, 3, 1]]);
        let arrays = vec![
            DataArray::new("I", 1, ArrayData::I32(vec![1, 2, 7])).unwrap(),
            DataArray::new("D", 1, ArrayData::F64(vec![1.0, 2.0, 7.0])).unwrap(),
            DataArray::new("V", 2, ArrayData::I16(vec![1, 2, 3, 4, 5, 6])).unwrap(),
        ];
        let out = cell_to_point(&[&CellArray::empty(), &lines, &polys], 5, arrays);
        assert_eq!(
            out[0].data(),
            &ArrayData::F32(vec![1.5, 16.0 / 3.0, 4.5, 4.0, 0.0])
        );
        assert_eq!(
            out[1].data(),
            &ArrayData::F64(vec![1.5, 16.0 / 3.0, 4.5, 4.0, 0.0])
        );
        assert_eq!(
            out[2].data(),
            &ArrayData::F32(vec![
                2.0,
                3.0,
                13.0 / 3.0,
                16.0 / 3.0,
                4.0,
                5.0,
                3.0,
                4.0,
                0.0,
                0.0
            ])
        );
    }
}
