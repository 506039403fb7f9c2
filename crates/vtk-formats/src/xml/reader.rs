//! Builds a [`DataSet`] from the parsed element tree: `<PolyData>`, `<UnstructuredGrid>` and
//! `<ImageData>`, any number of pieces, every cell layout VTK 5 to 9.7 writes.

use std::path::Path;

use vtk_model::{
    ArrayData, Attributes, CellArray, CellType, DataArray, DataSet, ImageData, Matrix3, PolyCells,
    PolyData, PolyhedronFaces, UnstructuredGrid,
};

use super::codec::Compressor;
use super::context::Ctx;
use super::decode::{read_data_array, read_ids_array, RawArray};
use super::extent::extent_counts;
use super::merge::{concat_attributes, concat_points, merge_images};
use super::tree::{self, Element};
use crate::{FormatError, ReadOptions};

/// Parses a whole file held in memory.
pub(crate) fn read_document(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
) -> Result<DataSet, FormatError> {
    read_document_from(bytes, None, path, opts)
}

/// Parses `head`, the start of `file` up to its raw appended data, which ends at byte
/// `appended_end`; the arrays are read from the file.
pub(crate) fn read_document_file(
    head: &[u8],
    file: &std::fs::File,
    appended_end: u64,
    path: &Path,
    opts: &ReadOptions,
) -> Result<DataSet, FormatError> {
    read_document_from(head, Some((file, appended_end)), path, opts)
}

fn read_document_from(
    bytes: &[u8],
    file: Option<(&std::fs::File, u64)>,
    path: &Path,
    opts: &ReadOptions,
) -> Result<DataSet, FormatError> {
    let pre = Ctx {
        path,
        max_alloc: opts.max_alloc,
        header64: false,
        big_endian: false,
        compressor: None,
        appended: None,
    };
    let mut doc = tree::parse(&pre, bytes, file.is_some())?;
    if let (Some((file, end)), Some(app)) = (file, doc.appended.as_mut()) {
        app.file = Some(file);
        app.len = end.saturating_sub(app.file_offset);
    }
    let root = &doc.root;
    let bad_root = |detail: String| pre.malformed(Some(root.offset), Some("VTKFile"), detail);
    let big_endian = match root.attr("byte_order").unwrap_or("LittleEndian") {
        "LittleEndian" => false,
        "BigEndian" => true,
        other => {
            return Err(bad_root(format!(
                "byte_order=\"{other}\", expected LittleEndian or BigEndian"
            )))
        }
    };
    let header64 = match root.attr("header_type").unwrap_or("UInt32") {
        "UInt32" => false,
        "UInt64" => true,
        other => {
            return Err(bad_root(format!(
                "header_type=\"{other}\", expected UInt32 or UInt64"
            )))
        }
    };
    let compressor = match root.attr("compressor").unwrap_or("") {
        "" => None,
        name => Some(Compressor::from_vtk_name(name).ok_or_else(|| FormatError::Unsupported {
            path: path.to_path_buf(),
            detail: format!("compressor \"{name}\" (known: vtkZLibDataCompressor, vtkLZ4DataCompressor, vtkLZMADataCompressor)"),
        })?),
    };
    let ctx = Ctx {
        path,
        max_alloc: opts.max_alloc,
        header64,
        big_endian,
        compressor,
        appended: doc.appended,
    };
    let kind = root
        .attr("type")
        .ok_or_else(|| bad_root("missing type attribute".into()))?;
    let ds = root
        .child(kind)
        .ok_or_else(|| bad_root(format!("type is {kind}, but there is no <{kind}> element")))?;
    let model = |source| FormatError::Model {
        path: path.to_path_buf(),
        source,
    };
    match kind {
        "PolyData" => read_polydata(&ctx, ds)
            .and_then(|p| p.map_err(model))
            .map(DataSet::PolyData),
        "UnstructuredGrid" => read_ugrid(&ctx, ds)
            .and_then(|g| g.map_err(model))
            .map(DataSet::UnstructuredGrid),
        "ImageData" => read_image(&ctx, ds).map(DataSet::ImageData),
        other => Err(FormatError::Unsupported {
            path: path.to_path_buf(),
            detail: format!(
                "VTK XML dataset type {other} (supported: PolyData, UnstructuredGrid, ImageData)"
            ),
        }),
    }
}

fn count_attr(ctx: &Ctx<'_>, el: &Element<'_>, key: &str) -> Result<u64, FormatError> {
    match el.attr(key) {
        None => Ok(0),
        Some(s) => s.trim().parse::<u64>().map_err(|_| {
            ctx.malformed(
                Some(el.offset),
                Some(&el.name),
                format!("{key}=\"{s}\" is not a non-negative integer"),
            )
        }),
    }
}

fn data_arrays<'s, 'a>(el: &'s Element<'a>) -> impl Iterator<Item = &'s Element<'a>> + 's {
    el.children
        .iter()
        .filter(|c| c.name == "DataArray" || c.name == "Array")
}

/// Reads `<PointData>`/`<CellData>` (absent means no arrays), keeping the file's order.
fn read_attributes(
    ctx: &Ctx<'_>,
    el: Option<&Element<'_>>,
    assoc: &str,
    tuples: u64,
) -> Result<Attributes, FormatError> {
    let mut out = Attributes::new();
    let Some(el) = el else { return Ok(out) };
    for (i, a) in data_arrays(el).enumerate() {
        let label = match a.attr("Name") {
            Some(n) => format!("{assoc}/DataArray[{n}]"),
            None => format!("{assoc}/DataArray #{i}"),
        };
        let RawArray {
            name,
            components,
            data,
        } = read_data_array(ctx, a, &label, Some(tuples))?;
        let arr = DataArray::new(name, components, data)
            .map_err(|e| ctx.malformed(Some(a.offset), Some(&label), e.to_string()))?;
        out.push(arr);
    }
    Ok(out)
}

fn read_points(
    ctx: &Ctx<'_>,
    piece: &Element<'_>,
    n_points: u64,
) -> Result<DataArray, FormatError> {
    let arr = piece.child("Points").and_then(|p| data_arrays(p).next());
    let Some(arr) = arr else {
        if n_points == 0 {
            return DataArray::new("Points", 3, ArrayData::F32(Vec::new()))
                .map_err(|e| ctx.malformed(None, Some("Points"), e.to_string()));
        }
        return Err(ctx.malformed(
            Some(piece.offset),
            Some("Piece"),
            format!("{n_points} points but no <Points> array"),
        ));
    };
    let raw = read_data_array(ctx, arr, "Points/DataArray", Some(n_points))?;
    if raw.components != 3 {
        return Err(ctx.malformed(
            Some(arr.offset),
            Some("Points/DataArray"),
            format!("{} components, expected 3", raw.components),
        ));
    }
    let name = if raw.name.is_empty() {
        "Points".to_owned()
    } else {
        raw.name
    };
    DataArray::new(name, 3, raw.data)
        .map_err(|e| ctx.malformed(Some(arr.offset), Some("Points/DataArray"), e.to_string()))
}

/// Converts an integer array of any width to ids.
fn to_ids(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    label: &str,
    data: ArrayData,
) -> Result<Vec<i64>, FormatError> {
    let bad = |detail: String| ctx.malformed(Some(el.offset), Some(label), detail);
    match data {
        ArrayData::I64(v) => Ok(v),
        ArrayData::I32(v) => Ok(super::bulk::widen_ids(&v)),
        d if d.dtype().is_float() => Err(bad(format!(
            "ids must be integers, found {}",
            d.dtype().vtk_name()
        ))),
        d => d.to_i64_vec().map_err(|i| {
            bad(format!(
                "value {} at index {i} does not fit in a 64-bit id",
                d.get_f64(i)
            ))
        }),
    }
}

fn named_array<'s, 'a>(el: Option<&'s Element<'a>>, name: &str) -> Option<&'s Element<'a>> {
    el.and_then(|e| data_arrays(e).find(|a| a.attr("Name") == Some(name)))
}

/// Reads an end-offsets array of `n_cells` entries (absent is fine for zero cells).
fn read_end_offsets(
    ctx: &Ctx<'_>,
    section: Option<&Element<'_>>,
    name: &str,
    label: &str,
    n: u64,
) -> Result<Vec<i64>, FormatError> {
    match named_array(section, name) {
        None if n == 0 => Ok(Vec::new()),
        None => Err(ctx.malformed(
            section.map(|s| s.offset),
            Some(label),
            format!("missing {name} array for {n} entries"),
        )),
        Some(a) => {
            let raw = read_data_array(ctx, a, label, Some(n))?;
            to_ids(ctx, a, label, raw.data)
        }
    }
}

/// The length of a connectivity-like array: the last end offset.
fn flat_len(
    ctx: &Ctx<'_>,
    section: Option<&Element<'_>>,
    label: &str,
    ends: &[i64],
) -> Result<u64, FormatError> {
    let len = ends.last().copied().unwrap_or(0);
    u64::try_from(len).map_err(|_| {
        ctx.malformed(
            section.map(|s| s.offset),
            Some(label),
            format!("last offset is negative ({len})"),
        )
    })
}

/// A connectivity-like array as read: 64-bit ids, or 32-bit ones kept so.
enum FlatIds {
    I64(Vec<i64>),
    I32(Vec<i32>),
}

/// Reads a connectivity-like array whose length is the last end offset. With `narrow_ids`,
/// 32-bit ids (stored so, or raw 64-bit ones that all fit, narrowed as read) stay 32-bit.
fn read_flat(
    ctx: &Ctx<'_>,
    section: Option<&Element<'_>>,
    name: &str,
    label: &str,
    ends: &[i64],
    narrow_ids: bool,
) -> Result<FlatIds, FormatError> {
    let len = flat_len(ctx, section, label, ends)?;
    match named_array(section, name) {
        None if len == 0 => Ok(FlatIds::I64(Vec::new())),
        None => Err(ctx.malformed(
            section.map(|s| s.offset),
            Some(label),
            format!("missing {name} array for {len} ids"),
        )),
        Some(a) => {
            let read = if narrow_ids {
                read_ids_array
            } else {
                read_data_array
            };
            match read(ctx, a, label, Some(len))?.data {
                ArrayData::I32(v) if narrow_ids => Ok(FlatIds::I32(v)),
                data => to_ids(ctx, a, label, data).map(FlatIds::I64),
            }
        }
    }
}

/// [`read_flat`] as 64-bit ids.
fn read_flat_ids(
    ctx: &Ctx<'_>,
    section: Option<&Element<'_>>,
    name: &str,
    label: &str,
    ends: &[i64],
) -> Result<Vec<i64>, FormatError> {
    Ok(match read_flat(ctx, section, name, label, ends, false)? {
        FlatIds::I64(v) => v,
        FlatIds::I32(v) => super::bulk::widen_ids(&v),
    })
}

/// Reads `<Verts>`-style sections and `<Cells>`: `connectivity` + end `offsets`. With
/// `narrow_ids` (polydata, whose ArrayDict keeps `i4` ids), 32-bit connectivity stays 32-bit and
/// raw 64-bit connectivity is narrowed as it is read when every id fits.
fn read_cells(
    ctx: &Ctx<'_>,
    section: Option<&Element<'_>>,
    what: &str,
    n_cells: u64,
    narrow_ids: bool,
) -> Result<CellArray, FormatError> {
    let ends = read_end_offsets(ctx, section, "offsets", &format!("{what}/offsets"), n_cells)?;
    let label = format!("{what}/connectivity");
    match read_flat(ctx, section, "connectivity", &label, &ends, narrow_ids)? {
        FlatIds::I64(conn) => CellArray::from_end_offsets_vec(ends, conn),
        FlatIds::I32(conn) => CellArray::from_end_offsets_vec_i32(ends, conn),
    }
    .map_err(|e| ctx.malformed(section.map(|s| s.offset), Some(what), e.to_string()))
}

/// Reads a piece's points and attributes on one thread while another reads its cells (usually
/// the largest arrays), so the page faults of both run at once. Errors keep the sequential order:
/// points, then cells, then the attributes.
fn beside_cells<P, C, A>(
    points: impl FnOnce() -> Result<P, FormatError> + Send,
    cells: impl FnOnce() -> Result<C, FormatError> + Send,
    attributes: impl FnOnce() -> Result<A, FormatError> + Send,
) -> (
    Result<P, FormatError>,
    Result<C, FormatError>,
    Result<A, FormatError>,
)
where
    P: Send,
    C: Send,
    A: Send,
{
    let ((points, attributes), cells) = rayon::join(|| (points(), attributes()), cells);
    (points, cells, attributes)
}

/// `<PointData>` and `<CellData>` of a piece.
fn read_point_and_cell_data(
    ctx: &Ctx<'_>,
    piece: &Element<'_>,
    n_points: u64,
    n_cells: u64,
) -> Result<(Attributes, Attributes), FormatError> {
    let point_data = read_attributes(ctx, piece.child("PointData"), "PointData", n_points)?;
    let cell_data = read_attributes(ctx, piece.child("CellData"), "CellData", n_cells)?;
    Ok((point_data, cell_data))
}

struct PolyPiece {
    points: DataArray,
    cells: PolyCells,
    point_data: Attributes,
    cell_data: Attributes,
}

fn read_polydata(
    ctx: &Ctx<'_>,
    ds: &Element<'_>,
) -> Result<Result<PolyData, vtk_model::ModelError>, FormatError> {
    let mut pieces = Vec::new();
    for piece in ds.children_named("Piece") {
        let n_points = count_attr(ctx, piece, "NumberOfPoints")?;
        let counts = ["Verts", "Lines", "Polys", "Strips"]
            .map(|s| count_attr(ctx, piece, &format!("NumberOf{s}")));
        let [nv, nl, np, ns] = counts;
        let (nv, nl, np, ns) = (nv?, nl?, np?, ns?);
        let n_cells = nv.saturating_add(nl).saturating_add(np).saturating_add(ns);
        let read_cell_sections = || -> Result<PolyCells, FormatError> {
            Ok(PolyCells {
                verts: read_cells(ctx, piece.child("Verts"), "Verts", nv, true)?,
                lines: read_cells(ctx, piece.child("Lines"), "Lines", nl, true)?,
                polys: read_cells(ctx, piece.child("Polys"), "Polys", np, true)?,
                strips: read_cells(ctx, piece.child("Strips"), "Strips", ns, true)?,
            })
        };
        let (points, cells, attributes) = beside_cells(
            || read_points(ctx, piece, n_points),
            read_cell_sections,
            || read_point_and_cell_data(ctx, piece, n_points, n_cells),
        );
        let (points, cells, (point_data, cell_data)) = (points?, cells?, attributes?);
        pieces.push(PolyPiece {
            points,
            cells,
            point_data,
            cell_data,
        });
    }
    let merged = if pieces.len() == 1 {
        pieces
            .pop()
            .map(|p| (p.points, p.cells, p.point_data, p.cell_data))
    } else {
        None
    };
    let (points, cells, point_data, cell_data) = match merged {
        Some(m) => m,
        None => merge_poly_pieces(ctx, ds, &pieces)?,
    };
    Ok(PolyData::try_new(points, cells, point_data, cell_data))
}

fn merge_poly_pieces(
    ctx: &Ctx<'_>,
    ds: &Element<'_>,
    pieces: &[PolyPiece],
) -> Result<(DataArray, PolyCells, Attributes, Attributes), FormatError> {
    let bad = |detail: String| ctx.malformed(Some(ds.offset), Some("PolyData/Piece"), detail);
    let points = concat_points(pieces.iter().map(|p| &p.points)).map_err(bad)?;
    let mut cells = PolyCells::default();
    let mut base = 0i64;
    for p in pieces {
        for (dst, src) in [
            (&mut cells.verts, &p.cells.verts),
            (&mut cells.lines, &p.cells.lines),
            (&mut cells.polys, &p.cells.polys),
            (&mut cells.strips, &p.cells.strips),
        ] {
            let shifted: Vec<i64> = src.connectivity().iter().map(|&i| i + base).collect();
            let part =
                CellArray::new(src.offsets().to_vec(), shifted).map_err(|e| bad(e.to_string()))?;
            dst.extend(&part);
        }
        base += p.points.tuples() as i64;
    }
    let pd = concat_attributes(pieces.iter().map(|p| (&p.point_data, 0..p.points.tuples())))
        .map_err(bad)?;
    // Cell data follows VTK's cell order: all verts, then all lines, polys and strips, across pieces.
    let mut parts = Vec::new();
    for kind in 0..4 {
        for p in pieces {
            let sizes = [
                p.cells.verts.num_cells(),
                p.cells.lines.num_cells(),
                p.cells.polys.num_cells(),
                p.cells.strips.num_cells(),
            ];
            let start: usize = sizes[..kind].iter().sum();
            parts.push((&p.cell_data, start..start + sizes[kind]));
        }
    }
    let cd = concat_attributes(parts.into_iter()).map_err(bad)?;
    Ok((points, cells, pd, cd))
}

struct GridPiece {
    points: DataArray,
    cells: CellArray,
    types: Vec<CellType>,
    faces: Option<PolyhedronFaces>,
    point_data: Attributes,
    cell_data: Attributes,
}

fn read_faces(
    ctx: &Ctx<'_>,
    section: Option<&Element<'_>>,
    n_cells: u64,
) -> Result<Option<PolyhedronFaces>, FormatError> {
    let bad =
        |detail: String| ctx.malformed(section.map(|s| s.offset), Some("Cells/faces"), detail);
    if named_array(section, "polyhedron_offsets").is_some() {
        // VTK >= 9.4: faces as a cell array, and per cell the indices of its faces.
        let cell_ends = read_end_offsets(
            ctx,
            section,
            "polyhedron_offsets",
            "Cells/polyhedron_offsets",
            n_cells,
        )?;
        let cell_faces_ids = read_flat_ids(
            ctx,
            section,
            "polyhedron_to_faces",
            "Cells/polyhedron_to_faces",
            &cell_ends,
        )?;
        let cell_faces = CellArray::from_end_offsets(&cell_ends, cell_faces_ids)
            .map_err(|e| bad(e.to_string()))?;
        // The number of faces is not declared anywhere but in the offsets array itself.
        let face_ends = match named_array(section, "face_offsets") {
            None => Vec::new(),
            Some(a) => {
                let raw = read_data_array(ctx, a, "Cells/face_offsets", None)?;
                to_ids(ctx, a, "Cells/face_offsets", raw.data)?
            }
        };
        let face_ids = read_flat_ids(
            ctx,
            section,
            "face_connectivity",
            "Cells/face_connectivity",
            &face_ends,
        )?;
        let faces =
            CellArray::from_end_offsets(&face_ends, face_ids).map_err(|e| bad(e.to_string()))?;
        return Ok(Some(PolyhedronFaces { faces, cell_faces }));
    }
    if named_array(section, "faceoffsets").is_none() {
        return Ok(None);
    }
    // VTK < 9.4: per cell the end offset of its legacy face stream in `faces`, -1 for other cells.
    let ends = read_end_offsets(ctx, section, "faceoffsets", "Cells/faceoffsets", n_cells)?;
    let stream = match named_array(section, "faces") {
        None => Vec::new(),
        Some(a) => {
            let raw = read_data_array(ctx, a, "Cells/faces", None)?;
            to_ids(ctx, a, "Cells/faces", raw.data)?
        }
    };
    let mut streams: Vec<&[i64]> = Vec::with_capacity(ends.len());
    let mut start = 0usize;
    for (i, &end) in ends.iter().enumerate() {
        if end < 0 {
            streams.push(&[]);
            continue;
        }
        let end = usize::try_from(end)
            .ok()
            .filter(|&e| e >= start && e <= stream.len())
            .ok_or_else(|| {
                bad(format!(
                    "faceoffsets[{i}] = {end} is outside {start}..={}",
                    stream.len()
                ))
            })?;
        streams.push(&stream[start..end]);
        start = end;
    }
    PolyhedronFaces::from_legacy_streams(streams)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}

fn read_ugrid(
    ctx: &Ctx<'_>,
    ds: &Element<'_>,
) -> Result<Result<UnstructuredGrid, vtk_model::ModelError>, FormatError> {
    let mut pieces = Vec::new();
    for piece in ds.children_named("Piece") {
        pieces.push(read_grid_piece(ctx, piece)?);
    }
    if pieces.len() == 1 {
        if let Some(p) = pieces.pop() {
            return Ok(UnstructuredGrid::try_new(
                p.points,
                p.cells,
                p.types,
                p.faces,
                p.point_data,
                p.cell_data,
            ));
        }
    }
    merge_grid_pieces(ctx, ds, &pieces)
}

fn read_grid_piece(ctx: &Ctx<'_>, piece: &Element<'_>) -> Result<GridPiece, FormatError> {
    let n_points = count_attr(ctx, piece, "NumberOfPoints")?;
    let n_cells = count_attr(ctx, piece, "NumberOfCells")?;
    let section = piece.child("Cells");
    let (points, cells, attributes) = beside_cells(
        || read_points(ctx, piece, n_points),
        || read_cells(ctx, section, "Cells", n_cells, false),
        || read_point_and_cell_data(ctx, piece, n_points, n_cells),
    );
    let (points, cells) = (points?, cells?);
    let types = read_types(ctx, piece, section, n_cells)?;
    let faces = read_faces(ctx, section, n_cells)?;
    let (point_data, cell_data) = attributes?;
    Ok(GridPiece {
        points,
        cells,
        types,
        faces,
        point_data,
        cell_data,
    })
}

/// The `types` array of `<Cells>`, each a cell type VTK defines.
fn read_types(
    ctx: &Ctx<'_>,
    piece: &Element<'_>,
    section: Option<&Element<'_>>,
    n_cells: u64,
) -> Result<Vec<CellType>, FormatError> {
    let Some(a) = named_array(section, "types") else {
        if n_cells == 0 {
            return Ok(Vec::new());
        }
        return Err(ctx.malformed(
            Some(piece.offset),
            Some("Cells"),
            "missing types array".into(),
        ));
    };
    let raw = read_data_array(ctx, a, "Cells/types", Some(n_cells))?;
    let ids = to_ids(ctx, a, "Cells/types", raw.data)?;
    ids.into_iter()
        .enumerate()
        .map(|(i, t)| {
            CellType::from_id(t).ok_or_else(|| {
                let detail = format!(
                    "cell {i} has type {t}, which is not a VTK cell type (see vtkCellType.h)"
                );
                ctx.malformed(Some(a.offset), Some("Cells/types"), detail)
            })
        })
        .collect()
}

/// Joins the pieces of an unstructured grid: point ids shifted past the earlier pieces' points,
/// face ids past their faces, and cells without faces given none.
fn merge_grid_pieces(
    ctx: &Ctx<'_>,
    ds: &Element<'_>,
    pieces: &[GridPiece],
) -> Result<Result<UnstructuredGrid, vtk_model::ModelError>, FormatError> {
    let bad =
        |detail: String| ctx.malformed(Some(ds.offset), Some("UnstructuredGrid/Piece"), detail);
    let shifted = |c: &CellArray, by: i64| {
        let ids: Vec<i64> = c.connectivity().iter().map(|&i| i + by).collect();
        CellArray::new(c.offsets().to_vec(), ids).map_err(|e| bad(e.to_string()))
    };
    let points = concat_points(pieces.iter().map(|p| &p.points)).map_err(bad)?;
    let mut cells = CellArray::empty();
    let mut types = Vec::new();
    let any_faces = pieces.iter().any(|p| p.faces.is_some());
    let mut faces = PolyhedronFaces {
        faces: CellArray::empty(),
        cell_faces: CellArray::empty(),
    };
    let mut base = 0i64;
    for p in pieces {
        cells.extend(&shifted(&p.cells, base)?);
        types.extend_from_slice(&p.types);
        if any_faces {
            let face_base = faces.faces.num_cells() as i64;
            match &p.faces {
                Some(f) => {
                    faces.faces.extend(&shifted(&f.faces, base)?);
                    faces.cell_faces.extend(&shifted(&f.cell_faces, face_base)?);
                }
                None => (0..p.cells.num_cells()).for_each(|_| faces.cell_faces.push_cell(&[])),
            }
        }
        base += p.points.tuples() as i64;
    }
    let pd = concat_attributes(pieces.iter().map(|p| (&p.point_data, 0..p.points.tuples())))
        .map_err(bad)?;
    let cd = concat_attributes(
        pieces
            .iter()
            .map(|p| (&p.cell_data, 0..p.cells.num_cells())),
    )
    .map_err(bad)?;
    Ok(UnstructuredGrid::try_new(
        points,
        cells,
        types,
        any_faces.then_some(faces),
        pd,
        cd,
    ))
}

fn floats<const N: usize>(
    ctx: &Ctx<'_>,
    el: &Element<'_>,
    key: &str,
    default: [f64; N],
) -> Result<[f64; N], FormatError> {
    let Some(s) = el.attr(key) else {
        return Ok(default);
    };
    let bad = || {
        ctx.malformed(
            Some(el.offset),
            Some(&el.name),
            format!("{key}=\"{s}\" is not {N} numbers"),
        )
    };
    let v: Vec<f64> = s
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    v.try_into().map_err(|_| bad())
}

fn extent(ctx: &Ctx<'_>, el: &Element<'_>, key: &str) -> Result<Option<[i64; 6]>, FormatError> {
    let Some(s) = el.attr(key) else {
        return Ok(None);
    };
    let bad = || {
        ctx.malformed(
            Some(el.offset),
            Some(&el.name),
            format!("{key}=\"{s}\" is not 6 integers"),
        )
    };
    let v: Vec<i64> = s
        .split_ascii_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    v.try_into().map(Some).map_err(|_| bad())
}

fn read_image(ctx: &Ctx<'_>, ds: &Element<'_>) -> Result<ImageData, FormatError> {
    let origin = floats(ctx, ds, "Origin", [0.0; 3])?;
    let spacing = floats(ctx, ds, "Spacing", [1.0; 3])?;
    let dir = floats(
        ctx,
        ds,
        "Direction",
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
    )?;
    let whole = extent(ctx, ds, "WholeExtent")?;
    let mut pieces = Vec::new();
    for piece in ds.children_named("Piece") {
        let ext = extent(ctx, piece, "Extent")?.or(whole).ok_or_else(|| {
            ctx.malformed(
                Some(piece.offset),
                Some("ImageData/Piece"),
                "no Extent and no WholeExtent".into(),
            )
        })?;
        let (n_points, n_cells) = extent_counts(ext).ok_or_else(|| {
            ctx.malformed(
                Some(piece.offset),
                Some("ImageData/Piece"),
                format!("bad extent {ext:?}"),
            )
        })?;
        let pd = read_attributes(ctx, piece.child("PointData"), "PointData", n_points)?;
        let cd = read_attributes(ctx, piece.child("CellData"), "CellData", n_cells)?;
        pieces.push((ext, pd, cd));
    }
    let direction = Matrix3::from_row_slice(&dir);
    let (ext, pd, cd) = if pieces.len() == 1 {
        pieces
            .pop()
            .ok_or_else(|| ctx.malformed(Some(ds.offset), Some("ImageData"), "no <Piece>".into()))?
    } else {
        let whole = whole.ok_or_else(|| {
            ctx.malformed(
                Some(ds.offset),
                Some("ImageData"),
                "several pieces but no WholeExtent".into(),
            )
        })?;
        merge_images(whole, &pieces, ctx.max_alloc)
            .map_err(|d| ctx.malformed(Some(ds.offset), Some("ImageData/Piece"), d))?
    };
    ImageData::try_new(ext, origin, spacing, direction, pd, cd).map_err(|source| {
        FormatError::Model {
            path: ctx.path.to_path_buf(),
            source,
        }
    })
}
