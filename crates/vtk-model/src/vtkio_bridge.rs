//! Conversions between [vtkio](https://docs.rs/vtkio)'s model and ours (feature `vtkio`).
//!
//! They live here, beside our types, because Rust's orphan rule allows `From`/`TryFrom` impls
//! between vtkio's types and ours only in one of the two crates: `DataSet::try_from(vtkio_ds)`,
//! `vtkio::model::DataSet::try_from(&ds)`, and the same for buffers and cell numbering; the
//! functions [`from_vtkio`] and [`to_vtkio`] do the same. Both directions refuse what the other side
//! cannot represent instead of dropping it: vtkio has no image direction, stores origin/spacing as
//! `f32`, has no polyhedron faces; our model has no structured or rectilinear grids, bit arrays or
//! multi-piece data.

use crate::{
    ArrayData, Attributes, CellArray, CellType, DataArray, DataSet, ImageData, Matrix3, PolyCells,
    PolyData, UnstructuredGrid,
};
use num_traits::FromPrimitive;
use vtkio::model as vm;

/// Why a conversion between vtkio's model and ours failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VtkioError {
    /// The data uses something the target model cannot represent.
    #[error("cannot convert: {0}")]
    Unsupported(String),
    /// The converted data violates a model invariant.
    #[error(transparent)]
    Model(#[from] crate::ModelError),
}

fn unsupported(s: impl Into<String>) -> VtkioError {
    VtkioError::Unsupported(s.into())
}

/// vtkio's buffer to ours (bit arrays are refused).
pub fn buffer_from_vtkio(b: vm::IOBuffer) -> Result<ArrayData, VtkioError> {
    Ok(match b {
        vm::IOBuffer::Bit(_) => return Err(unsupported("bit arrays")),
        vm::IOBuffer::U8(v) => ArrayData::U8(v),
        vm::IOBuffer::I8(v) => ArrayData::I8(v),
        vm::IOBuffer::U16(v) => ArrayData::U16(v),
        vm::IOBuffer::I16(v) => ArrayData::I16(v),
        vm::IOBuffer::U32(v) => ArrayData::U32(v),
        vm::IOBuffer::I32(v) => ArrayData::I32(v),
        vm::IOBuffer::U64(v) => ArrayData::U64(v),
        vm::IOBuffer::I64(v) => ArrayData::I64(v),
        vm::IOBuffer::F32(v) => ArrayData::F32(v),
        vm::IOBuffer::F64(v) => ArrayData::F64(v),
    })
}

/// Our buffer to vtkio's.
pub fn buffer_to_vtkio(d: ArrayData) -> vm::IOBuffer {
    match d.into_owned() {
        ArrayData::I8(v) => vm::IOBuffer::I8(v),
        ArrayData::U8(v) => vm::IOBuffer::U8(v),
        ArrayData::I16(v) => vm::IOBuffer::I16(v),
        ArrayData::U16(v) => vm::IOBuffer::U16(v),
        ArrayData::I32(v) => vm::IOBuffer::I32(v),
        ArrayData::U32(v) => vm::IOBuffer::U32(v),
        ArrayData::I64(v) => vm::IOBuffer::I64(v),
        ArrayData::U64(v) => vm::IOBuffer::U64(v),
        ArrayData::F32(v) => vm::IOBuffer::F32(v),
        ArrayData::F64(v) => vm::IOBuffer::F64(v),
        // `into_owned` leaves no shared data.
        ArrayData::Shared(_) => vm::IOBuffer::U8(Vec::new()),
    }
}

fn attributes_from(attrs: Vec<vm::Attribute>) -> Result<Attributes, VtkioError> {
    let mut out = Attributes::new();
    for a in attrs {
        match a {
            vm::Attribute::DataArray(d) => {
                let comps = d.elem.num_comp() as usize;
                out.push(DataArray::new(d.name, comps, buffer_from_vtkio(d.data)?)?);
            }
            vm::Attribute::Field { data_array, .. } => {
                for f in data_array {
                    out.push(DataArray::new(
                        f.name,
                        f.elem as usize,
                        buffer_from_vtkio(f.data)?,
                    )?);
                }
            }
        }
    }
    Ok(out)
}

fn attributes_to(attrs: Attributes) -> Vec<vm::Attribute> {
    attrs
        .into_iter()
        .map(|a| {
            let (name, comps, data) = a.into_parts();
            vm::Attribute::DataArray(vm::DataArray {
                name,
                elem: vm::ElementType::Generic(comps as u32),
                data: buffer_to_vtkio(data),
            })
        })
        .collect()
}

/// vtkio's cell numbering (legacy counts or XML offsets, with or without a leading 0) to ours.
pub fn cells_from_vtkio(v: vm::VertexNumbers) -> Result<CellArray, VtkioError> {
    match v {
        vm::VertexNumbers::Legacy { vertices, .. } => {
            let s: Vec<i64> = vertices.into_iter().map(i64::from).collect();
            Ok(CellArray::from_legacy(&s)?)
        }
        vm::VertexNumbers::XML {
            connectivity,
            offsets,
        } => {
            let to_i64 = |v: Vec<u64>| -> Result<Vec<i64>, VtkioError> {
                v.into_iter()
                    .map(|x| i64::try_from(x).map_err(|_| unsupported("ids beyond 2^63")))
                    .collect()
            };
            let conn = to_i64(connectivity)?;
            let offs = to_i64(offsets)?;
            if offs.first() == Some(&0) && offs.len() > 1 {
                Ok(CellArray::new(offs, conn)?)
            } else {
                Ok(CellArray::from_end_offsets(&offs, conn)?)
            }
        }
    }
}

/// Our cells to vtkio's XML numbering (end offsets, no leading 0).
pub fn cells_to_vtkio(c: &CellArray) -> vm::VertexNumbers {
    vm::VertexNumbers::XML {
        connectivity: c.connectivity().iter().map(|&x| x as u64).collect(),
        offsets: c.offsets()[1..].iter().map(|&x| x as u64).collect(),
    }
}

fn single_piece<P>(pieces: Vec<vm::Piece<P>>) -> Result<P, VtkioError> {
    let mut it = pieces.into_iter();
    match (it.next(), it.next()) {
        (Some(vm::Piece::Inline(p)), None) => Ok(*p),
        (None, _) => Err(unsupported("a dataset without pieces")),
        (Some(_), None) => Err(unsupported(
            "pieces stored in other files (load them first)",
        )),
        (Some(_), Some(_)) => Err(unsupported("multi-piece datasets")),
    }
}

fn points(b: vm::IOBuffer) -> Result<DataArray, VtkioError> {
    Ok(DataArray::new("Points", 3, buffer_from_vtkio(b)?)?)
}

/// Converts a vtkio dataset (one inline piece) into ours.
pub fn from_vtkio(ds: vm::DataSet) -> Result<DataSet, VtkioError> {
    match ds {
        vm::DataSet::PolyData { pieces, .. } => {
            let p = single_piece(pieces)?;
            let cells =
                |v: Option<vm::VertexNumbers>| v.map_or(Ok(CellArray::empty()), cells_from_vtkio);
            let pc = PolyCells {
                verts: cells(p.verts)?,
                lines: cells(p.lines)?,
                polys: cells(p.polys)?,
                strips: cells(p.strips)?,
            };
            let pd = PolyData::try_new(
                points(p.points)?,
                pc,
                attributes_from(p.data.point)?,
                attributes_from(p.data.cell)?,
            )?;
            Ok(pd.into())
        }
        vm::DataSet::UnstructuredGrid { pieces, .. } => {
            let p = single_piece(pieces)?;
            let types: Vec<CellType> = p.cells.types.iter().map(|&t| CellType(t as u8)).collect();
            if types.contains(&CellType::POLYHEDRON) {
                return Err(unsupported("polyhedra (vtkio has no face arrays)"));
            }
            let cells = cells_from_vtkio(p.cells.cell_verts)?;
            let g = UnstructuredGrid::try_new(
                points(p.points)?,
                cells,
                types,
                None,
                attributes_from(p.data.point)?,
                attributes_from(p.data.cell)?,
            )?;
            Ok(g.into())
        }
        vm::DataSet::ImageData {
            extent,
            origin,
            spacing,
            pieces,
            ..
        } => {
            let p = single_piece(pieces)?;
            let ext = match p.extent {
                vm::Extent::Dims(_) => extent,
                e @ vm::Extent::Ranges(_) => e,
            };
            let extent = match ext {
                vm::Extent::Dims(d) => [
                    0,
                    i64::from(d[0]) - 1,
                    0,
                    i64::from(d[1]) - 1,
                    0,
                    i64::from(d[2]) - 1,
                ],
                vm::Extent::Ranges(r) => [
                    i64::from(*r[0].start()),
                    i64::from(*r[0].end()),
                    i64::from(*r[1].start()),
                    i64::from(*r[1].end()),
                    i64::from(*r[2].start()),
                    i64::from(*r[2].end()),
                ],
            };
            let img = ImageData::try_new(
                extent,
                origin.map(f64::from),
                spacing.map(f64::from),
                Matrix3::identity(),
                attributes_from(p.data.point)?,
                attributes_from(p.data.cell)?,
            )?;
            Ok(img.into())
        }
        vm::DataSet::StructuredGrid { .. } => Err(unsupported("structured grids")),
        vm::DataSet::RectilinearGrid { .. } => Err(unsupported("rectilinear grids")),
        vm::DataSet::Field { .. } => Err(unsupported("field-only datasets")),
    }
}

/// Converts our dataset into a vtkio dataset with one inline piece. Images must have an identity
/// direction and an origin/spacing exactly representable as `f32`; polyhedra are refused.
pub fn to_vtkio(ds: DataSet) -> Result<vm::DataSet, VtkioError> {
    match ds {
        DataSet::PolyData(p) => {
            let (pts, cells, pd, cd) = p.into_parts();
            let opt = |c: &CellArray| (!c.is_empty()).then(|| cells_to_vtkio(c));
            let piece = vm::PolyDataPiece {
                points: buffer_to_vtkio(pts.into_data()),
                verts: opt(&cells.verts),
                lines: opt(&cells.lines),
                polys: opt(&cells.polys),
                strips: opt(&cells.strips),
                data: vm::Attributes {
                    point: attributes_to(pd),
                    cell: attributes_to(cd),
                },
            };
            Ok(vm::DataSet::PolyData {
                meta: None,
                pieces: vec![vm::Piece::Inline(Box::new(piece))],
            })
        }
        DataSet::UnstructuredGrid(g) => {
            let (pts, cells, types, faces, pd, cd) = g.into_parts();
            if faces.is_some() {
                return Err(unsupported("polyhedra (vtkio has no face arrays)"));
            }
            let types = types
                .iter()
                .map(|t| {
                    vm::CellType::from_u8(t.0)
                        .ok_or_else(|| unsupported(format!("cell type {} unknown to vtkio", t.0)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let piece = vm::UnstructuredGridPiece {
                points: buffer_to_vtkio(pts.into_data()),
                cells: vm::Cells {
                    cell_verts: cells_to_vtkio(&cells),
                    types,
                },
                data: vm::Attributes {
                    point: attributes_to(pd),
                    cell: attributes_to(cd),
                },
            };
            Ok(vm::DataSet::UnstructuredGrid {
                meta: None,
                pieces: vec![vm::Piece::Inline(Box::new(piece))],
            })
        }
        DataSet::ImageData(img) => {
            let (extent, origin, spacing, dir, pd, cd) = img.into_parts();
            if dir != Matrix3::identity() {
                return Err(unsupported("an image direction (vtkio has none)"));
            }
            let f32_exact = |v: [f64; 3], what: &str| -> Result<[f32; 3], VtkioError> {
                let f = v.map(|x| x as f32);
                // Exactness is the point here: any rounding would change the geometry.
                #[allow(clippy::float_cmp)]
                let exact = f.iter().zip(&v).all(|(a, b)| f64::from(*a) == *b);
                if exact {
                    Ok(f)
                } else {
                    Err(unsupported(format!(
                        "{what} {v:?} is not exact in f32 (vtkio stores f32)"
                    )))
                }
            };
            let range = |a: usize| -> Result<std::ops::RangeInclusive<i32>, VtkioError> {
                let lo =
                    i32::try_from(extent[2 * a]).map_err(|_| unsupported("extent beyond i32"))?;
                let hi = i32::try_from(extent[2 * a + 1])
                    .map_err(|_| unsupported("extent beyond i32"))?;
                Ok(lo..=hi)
            };
            let ext = vm::Extent::Ranges([range(0)?, range(1)?, range(2)?]);
            let piece = vm::ImageDataPiece {
                extent: ext.clone(),
                data: vm::Attributes {
                    point: attributes_to(pd),
                    cell: attributes_to(cd),
                },
            };
            Ok(vm::DataSet::ImageData {
                extent: ext,
                origin: f32_exact(origin, "origin")?,
                spacing: f32_exact(spacing, "spacing")?,
                meta: None,
                pieces: vec![vm::Piece::Inline(Box::new(piece))],
            })
        }
    }
}

impl TryFrom<vm::DataSet> for DataSet {
    type Error = VtkioError;
    /// See [`from_vtkio`].
    fn try_from(ds: vm::DataSet) -> Result<Self, VtkioError> {
        from_vtkio(ds)
    }
}

impl TryFrom<DataSet> for vm::DataSet {
    type Error = VtkioError;
    /// See [`to_vtkio`].
    fn try_from(ds: DataSet) -> Result<Self, VtkioError> {
        to_vtkio(ds)
    }
}

impl TryFrom<&DataSet> for vm::DataSet {
    type Error = VtkioError;
    /// See [`to_vtkio`]; copies the arrays.
    fn try_from(ds: &DataSet) -> Result<Self, VtkioError> {
        to_vtkio(ds.clone())
    }
}

impl TryFrom<vm::IOBuffer> for ArrayData {
    type Error = VtkioError;
    /// See [`buffer_from_vtkio`].
    fn try_from(b: vm::IOBuffer) -> Result<Self, VtkioError> {
        buffer_from_vtkio(b)
    }
}

impl From<ArrayData> for vm::IOBuffer {
    /// See [`buffer_to_vtkio`].
    fn from(d: ArrayData) -> Self {
        buffer_to_vtkio(d)
    }
}

impl TryFrom<vm::VertexNumbers> for CellArray {
    type Error = VtkioError;
    /// See [`cells_from_vtkio`].
    fn try_from(v: vm::VertexNumbers) -> Result<Self, VtkioError> {
        cells_from_vtkio(v)
    }
}

impl From<&CellArray> for vm::VertexNumbers {
    /// See [`cells_to_vtkio`].
    fn from(c: &CellArray) -> Self {
        cells_to_vtkio(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polydata_and_image_round_trip() {
        let pts = DataArray::new(
            "Points",
            3,
            ArrayData::F32(vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
        )
        .unwrap();
        let arr = DataArray::new("a", 1, ArrayData::I64(vec![1, 2, 3])).unwrap();
        let pd = PolyData::try_new(
            pts,
            PolyCells::polys(CellArray::from_cells([&[0i64, 1, 2][..]])),
            vec![arr].into(),
            Attributes::new(),
        )
        .unwrap();
        let ds: DataSet = pd.into();
        assert_eq!(from_vtkio(to_vtkio(ds.clone()).unwrap()).unwrap(), ds);
        let a = DataArray::new("v", 1, ArrayData::U8(vec![1, 2])).unwrap();
        let img = ImageData::try_new(
            [2, 3, 0, 0, 0, 0],
            [0.5, 1.0, 2.0],
            [1.0; 3],
            Matrix3::identity(),
            vec![a].into(),
            Attributes::new(),
        )
        .unwrap();
        let ds: DataSet = img.into();
        assert_eq!(from_vtkio(to_vtkio(ds.clone()).unwrap()).unwrap(), ds);
    }

    #[test]
    fn refuses_lossy_image_geometry() {
        let img = ImageData::try_new(
            [0, 0, 0, 0, 0, 0],
            [0.1, 0.0, 0.0],
            [1.0; 3],
            Matrix3::identity(),
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap();
        assert!(matches!(
            to_vtkio(img.into()),
            Err(VtkioError::Unsupported(_))
        ));
    }

    #[test]
    fn legacy_numbering_and_leading_zero_offsets() {
        let c = cells_from_vtkio(vm::VertexNumbers::Legacy {
            num_cells: 2,
            vertices: vec![2, 0, 1, 1, 2],
        })
        .unwrap();
        assert_eq!(c.offsets(), &[0, 2, 3]);
        let c = cells_from_vtkio(vm::VertexNumbers::XML {
            connectivity: vec![0, 1, 2],
            offsets: vec![0, 2, 3],
        })
        .unwrap();
        assert_eq!(c.offsets(), &[0, 2, 3]);
        let c = cells_from_vtkio(vm::VertexNumbers::XML {
            connectivity: vec![0, 1, 2],
            offsets: vec![2, 3],
        })
        .unwrap();
        assert_eq!(c.offsets(), &[0, 2, 3]);
    }

    #[test]
    fn trait_conversions_match_the_functions() {
        let pts = DataArray::new(
            "Points",
            3,
            ArrayData::F64(vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0]),
        )
        .unwrap();
        let lines = CellArray::from_cells([&[0i64, 1][..]]);
        let pd = PolyData::try_new(
            pts,
            PolyCells::lines(lines.clone()),
            Attributes::new(),
            Attributes::new(),
        )
        .unwrap();
        let ds: DataSet = pd.into();
        let v = vm::DataSet::try_from(&ds).unwrap();
        assert_eq!(DataSet::try_from(v).unwrap(), ds);
        let v = vm::DataSet::try_from(ds.clone()).unwrap();
        assert_eq!(DataSet::try_from(v).unwrap(), ds);
        let b = vm::IOBuffer::from(ArrayData::I16(vec![1, -2]));
        assert_eq!(ArrayData::try_from(b).unwrap(), ArrayData::I16(vec![1, -2]));
        assert_eq!(
            CellArray::try_from(vm::VertexNumbers::from(&lines)).unwrap(),
            lines
        );
        assert!(matches!(
            ArrayData::try_from(vm::IOBuffer::Bit(vec![1])),
            Err(VtkioError::Unsupported(_))
        ));
    }
}
