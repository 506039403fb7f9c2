//! Legacy `.vtk` reader.

use std::path::Path;

use vtk_model::{
    ArrayData, CellArray, CellType, DataArray, DataSet, ImageData, Matrix3, PolyCells, PolyData,
    PolyhedronFaces, UnstructuredGrid,
};

use super::cursor::{shorten, Cursor};
use super::values::{decode_name, parse_type, read_ids, read_values, Ctx, LegacyType};
use crate::{FormatError, ReadOptions};

/// Reads a legacy VTK file (versions 1.0-5.1, ascii or binary) into a dataset.
///
/// Supported: `POLYDATA`, `UNSTRUCTURED_GRID` (polyhedra included) and `STRUCTURED_POINTS`, with
/// point/cell `SCALARS`, `COLOR_SCALARS`, `VECTORS`, `NORMALS`, `TENSORS`, `TENSORS6`,
/// `TEXTURE_COORDINATES`, `GLOBAL_IDS`, `PEDIGREE_IDS` and `FIELD` arrays. Dataset-level field data,
/// lookup tables and `METADATA` blocks are parsed and dropped (the model has no place for them).
/// `COLOR_SCALARS` come out `u8` in both encodings: ascii values `v` in `[0, 1]` become
/// `(255 v + 0.5) as u8`, as VTK's reader does.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<DataSet, FormatError> {
    let buf = crate::detect::read_all(path)?;
    read_bytes(&buf, path, opts)
}

/// Reads a legacy VTK file held in memory; `path` is used only in error messages.
pub fn read_bytes(buf: &[u8], path: &Path, opts: &ReadOptions) -> Result<DataSet, FormatError> {
    let mut cur = Cursor::new(path, buf);
    let first = cur.line();
    let magic = b"# vtk DataFile Version";
    if first.len() < magic.len() || !first[..magic.len()].eq_ignore_ascii_case(magic) {
        return Err(cur.err_at(
            0,
            "header",
            "expected '# vtk DataFile Version x.y' on the first line",
        ));
    }
    let version = std::str::from_utf8(&first[magic.len()..])
        .unwrap_or("")
        .trim()
        .to_owned();
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| {
            cur.err_at(
                magic.len(),
                "header",
                format!("bad version '{}'", shorten(&version)),
            )
        })?;
    if major > 5 {
        return Err(FormatError::Unsupported {
            path: path.to_path_buf(),
            detail: format!("legacy file version {version} (this reader knows 1.0 to 5.1)"),
        });
    }
    let _title = cur.line();
    let enc = cur.expect_token("header", "ASCII or BINARY")?;
    let binary = if enc.eq_ignore_ascii_case("binary") {
        true
    } else if enc.eq_ignore_ascii_case("ascii") {
        false
    } else {
        return Err(cur.err(
            "header",
            format!("expected ASCII or BINARY, found '{}'", shorten(enc)),
        ));
    };
    let mut r = Reader {
        cur,
        ctx: Ctx {
            binary,
            max_alloc: opts.max_alloc,
        },
        new_cells: major >= 5,
        sections: Vec::new(),
    };
    let kw = r.cur.expect_token("header", "DATASET")?;
    if !kw.eq_ignore_ascii_case("dataset") {
        return Err(r.cur.err(
            "header",
            format!("expected DATASET, found '{}'", shorten(kw)),
        ));
    }
    let kind = r
        .cur
        .expect_token("DATASET", "a dataset type")?
        .to_ascii_uppercase();
    match kind.as_str() {
        "POLYDATA" => r.polydata(),
        "UNSTRUCTURED_GRID" => r.ugrid(),
        "STRUCTURED_POINTS" => r.image(),
        "STRUCTURED_GRID" | "RECTILINEAR_GRID" | "FIELD" => Err(FormatError::Unsupported {
            path: path.to_path_buf(),
            detail: format!(
                "legacy DATASET {kind} (supported: POLYDATA, UNSTRUCTURED_GRID, STRUCTURED_POINTS)"
            ),
        }),
        _ => Err(r.cur.err(
            "DATASET",
            format!("unknown dataset type '{}'", shorten(&kind)),
        )),
    }
}

struct Reader<'a> {
    cur: Cursor<'a>,
    ctx: Ctx,
    new_cells: bool,
    /// Geometry keywords with the byte offset they start at, so that an invariant the model checks
    /// only once the whole dataset is read can still be reported where its section is.
    sections: Vec<(String, usize)>,
}

/// Point and cell data collected after the geometry.
#[derive(Default)]
struct Data {
    point: Vec<DataArray>,
    cell: Vec<DataArray>,
    /// Every `POINT_DATA n` / `CELL_DATA n` seen: (a point section, n, byte offset). `FIELD` arrays
    /// carry their own tuple counts, so the section's count is checked against the dataset apart.
    declared: Vec<(bool, usize, usize)>,
}

impl Reader<'_> {
    /// A model invariant broken by the section at `pos`, as a `Malformed` error, so the message
    /// gains the byte offset and the section's keyword, which a `FormatError::Model` lacks.
    fn model_at(&self, pos: usize, element: &str, e: &vtk_model::ModelError) -> FormatError {
        self.cur.err_at(pos, element, e.to_string())
    }

    /// A model invariant found when the dataset is assembled, reported at the section it concerns.
    fn model(&self, e: &vtk_model::ModelError) -> FormatError {
        use vtk_model::ModelError as M;
        let keyword = match e {
            M::PointIdOutOfRange { what, .. }
            | M::BadOffsets { what, .. }
            | M::BadLegacyCells { what, .. } => match what.as_str() {
                "verts" => "VERTICES",
                "lines" => "LINES",
                "polys" => "POLYGONS",
                "strips" => "TRIANGLE_STRIPS",
                _ => "CELLS",
            },
            M::CellTypeCount { .. } | M::UnknownCellType { .. } => "CELL_TYPES",
            M::BadFaces(_) => "CELLS",
            M::BadExtent(_) => "DIMENSIONS",
            M::PointComponents(_) => "POINTS",
            M::TupleCount { association, .. } if *association == "point" => "POINT_DATA",
            M::TupleCount { .. } => "CELL_DATA",
            _ => "DATASET",
        };
        self.model_in(&[keyword], e)
    }

    /// `e` at the last of `keywords` seen (the first one found in that order), else at the end.
    fn model_in(&self, keywords: &[&str], e: &vtk_model::ModelError) -> FormatError {
        let found = keywords.iter().find_map(|k| {
            self.sections
                .iter()
                .rev()
                .find(|(s, _)| s == k)
                .map(|(s, at)| (s.as_str(), *at))
        });
        match found {
            Some((kw, at)) => self.model_at(at, kw, e),
            None => self.model_at(self.cur.pos, "DATASET", e),
        }
    }

    /// Consumes the keyword just peeked and remembers where it started.
    fn enter(&mut self, kw: &str) -> Result<(), FormatError> {
        self.cur.token()?;
        let at = self.cur.pos.saturating_sub(kw.len());
        self.mark(kw, at);
        Ok(())
    }

    /// Remembers the latest start of section `kw`; one entry per keyword, so a file repeating
    /// sections cannot grow this list beyond the handful of keywords the reader accepts.
    fn mark(&mut self, kw: &str, at: usize) {
        match self.sections.iter_mut().find(|(s, _)| s == kw) {
            Some(entry) => entry.1 = at,
            None => self.sections.push((kw.to_owned(), at)),
        }
    }

    fn peek_token(&mut self) -> Result<Option<String>, FormatError> {
        let save = self.cur.pos;
        let t = self.cur.token()?.map(str::to_ascii_uppercase);
        self.cur.pos = save;
        Ok(t)
    }

    fn points(&mut self) -> Result<DataArray, FormatError> {
        let start = self.cur.pos;
        let n = self.cur.count("POINTS", "the number of points")?;
        let ty = self.cur.expect_token("POINTS", "a data type")?;
        let ty = parse_type(&self.cur, ty, "POINTS")?;
        let n3 = n
            .checked_mul(3)
            .ok_or_else(|| self.cur.err("POINTS", "point count overflows"))?;
        let data = read_values(&mut self.cur, self.ctx, ty, n3, "POINTS")?;
        DataArray::new("Points", 3, data).map_err(|e| self.model_at(start, "POINTS", &e))
    }

    /// `CELLS`-style block: legacy `n size` + `[n, ids...]` stream, or 5.x `OFFSETS`/`CONNECTIVITY`.
    fn cells(&mut self, element: &str) -> Result<CellArray, FormatError> {
        let start = self.cur.pos;
        let a = self.cur.count(element, "a cell count")?;
        let b = self.cur.count(element, "a size")?;
        if !self.new_cells {
            let stream = read_ids(
                &mut self.cur,
                self.ctx,
                LegacyType::Plain(vtk_model::DType::I32),
                b,
                element,
            )?;
            let cells =
                CellArray::from_legacy(&stream).map_err(|e| self.model_at(start, element, &e))?;
            if cells.num_cells() != a {
                return Err(self.cur.err(
                    element,
                    format!("declares {a} cells, the stream holds {}", cells.num_cells()),
                ));
            }
            return Ok(cells);
        }
        let offsets = self.id_block("OFFSETS", element, a)?;
        let conn = self.id_block("CONNECTIVITY", element, b)?;
        CellArray::new(offsets, conn).map_err(|e| self.model_at(start, element, &e))
    }

    fn id_block(&mut self, kw: &str, element: &str, n: usize) -> Result<Vec<i64>, FormatError> {
        let what = format!("{element}/{kw}");
        let t = self.cur.expect_token(&what, kw)?;
        if !t.eq_ignore_ascii_case(kw) {
            return Err(self
                .cur
                .err(&what, format!("expected {kw}, found '{}'", shorten(t))));
        }
        let ty = self.cur.expect_token(&what, "a data type")?;
        let ty = parse_type(&self.cur, ty, &what)?;
        read_ids(&mut self.cur, self.ctx, ty, n, &what)
    }

    fn skip_metadata(&mut self) {
        self.cur.line();
        while self.cur.remaining() > 0 {
            if self.cur.line().iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
    }

    fn polydata(mut self) -> Result<DataSet, FormatError> {
        let mut points = None;
        let mut cells = PolyCells::default();
        let data = loop {
            let Some(kw) = self.peek_token()? else {
                break Data::default();
            };
            match kw.as_str() {
                "POINT_DATA" | "CELL_DATA" => break self.attributes()?,
                _ => {}
            }
            self.enter(&kw)?;
            match kw.as_str() {
                "POINTS" => points = Some(self.points()?),
                "VERTICES" => cells.verts = self.cells("VERTICES")?,
                "LINES" => cells.lines = self.cells("LINES")?,
                "POLYGONS" => cells.polys = self.cells("POLYGONS")?,
                "TRIANGLE_STRIPS" => cells.strips = self.cells("TRIANGLE_STRIPS")?,
                "FIELD" => drop(self.field("FIELD")?),
                "METADATA" => self.skip_metadata(),
                _ => return Err(self.unknown(&kw, "POLYDATA")),
            }
        };
        let points = points.unwrap_or_else(empty_points);
        let pd = PolyData::try_new(points, cells, data.point.into(), data.cell.into())
            .map_err(|e| self.model(&e))?;
        self.check_declared(&data.declared, pd.num_points(), pd.num_cells())?;
        Ok(DataSet::PolyData(pd))
    }

    fn ugrid(mut self) -> Result<DataSet, FormatError> {
        let mut points = None;
        let mut cells = CellArray::empty();
        let mut types = Vec::new();
        let data = loop {
            let Some(kw) = self.peek_token()? else {
                break Data::default();
            };
            match kw.as_str() {
                "POINT_DATA" | "CELL_DATA" => break self.attributes()?,
                _ => {}
            }
            self.enter(&kw)?;
            match kw.as_str() {
                "POINTS" => points = Some(self.points()?),
                "CELLS" => cells = self.cells("CELLS")?,
                "CELL_TYPES" => {
                    let n = self.cur.count("CELL_TYPES", "a cell count")?;
                    let start = self.cur.pos;
                    let ids = read_ids(
                        &mut self.cur,
                        self.ctx,
                        LegacyType::Plain(vtk_model::DType::I32),
                        n,
                        "CELL_TYPES",
                    )?;
                    types = ids
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| {
                            CellType::from_id(t).ok_or_else(|| {
                                let detail = format!("cell {i} has type {t}, which is not a VTK cell type (see vtkCellType.h)");
                                self.cur.err_at(start, "CELL_TYPES", detail)
                            })
                        })
                        .collect::<Result<_, _>>()?;
                }
                "FIELD" => drop(self.field("FIELD")?),
                "METADATA" => self.skip_metadata(),
                _ => return Err(self.unknown(&kw, "UNSTRUCTURED_GRID")),
            }
        };
        let points = points.unwrap_or_else(empty_points);
        let (cells, faces) = split_polyhedra(&cells, &types).map_err(|e| self.model(&e))?;
        let g = UnstructuredGrid::try_new(
            points,
            cells,
            types,
            faces,
            data.point.into(),
            data.cell.into(),
        )
        .map_err(|e| self.model(&e))?;
        self.check_declared(&data.declared, g.num_points(), g.num_cells())?;
        Ok(DataSet::UnstructuredGrid(g))
    }

    fn image(mut self) -> Result<DataSet, FormatError> {
        let mut dims = None;
        let mut origin = [0.0; 3];
        let mut spacing = [1.0; 3];
        let data = loop {
            let Some(kw) = self.peek_token()? else {
                break Data::default();
            };
            match kw.as_str() {
                "POINT_DATA" | "CELL_DATA" => break self.attributes()?,
                _ => {}
            }
            self.enter(&kw)?;
            match kw.as_str() {
                "DIMENSIONS" => {
                    let mut d = [0i64; 3];
                    for v in &mut d {
                        *v = self.cur.count("DIMENSIONS", "a dimension")? as i64;
                    }
                    dims = Some(d);
                }
                "ORIGIN" => origin = self.triple("ORIGIN")?,
                "SPACING" | "ASPECT_RATIO" => spacing = self.triple(&kw)?,
                "FIELD" => drop(self.field("FIELD")?),
                "METADATA" => self.skip_metadata(),
                _ => return Err(self.unknown(&kw, "STRUCTURED_POINTS")),
            }
        };
        let d = dims.ok_or_else(|| self.cur.err("STRUCTURED_POINTS", "no DIMENSIONS"))?;
        let extent = [0, d[0] - 1, 0, d[1] - 1, 0, d[2] - 1];
        let img = ImageData::try_new(
            extent,
            origin,
            spacing,
            Matrix3::identity(),
            data.point.into(),
            data.cell.into(),
        )
        .map_err(|e| match e {
            // The message shows origin and spacing; point at the keyword holding a bad number.
            vtk_model::ModelError::BadGeometry(_) if spacing.iter().any(|v| !v.is_finite()) => {
                self.model_in(&["SPACING", "ASPECT_RATIO"], &e)
            }
            vtk_model::ModelError::BadGeometry(_) => self.model_in(&["ORIGIN", "SPACING"], &e),
            _ => self.model(&e),
        })?;
        self.check_declared(&data.declared, img.num_points(), img.num_cells())?;
        Ok(DataSet::ImageData(img))
    }

    fn triple(&mut self, element: &str) -> Result<[f64; 3], FormatError> {
        let mut v = [0.0; 3];
        for x in &mut v {
            *x = self.cur.parse(element, "a number")?;
        }
        Ok(v)
    }

    fn unknown(&self, kw: &str, section: &str) -> FormatError {
        self.cur
            .err(section, format!("unknown keyword '{}'", shorten(kw)))
    }

    /// `POINT_DATA n` / `CELL_DATA n` sections up to the end of the file.
    fn attributes(&mut self) -> Result<Data, FormatError> {
        let mut data = Data::default();
        let mut assoc: Option<(bool, usize)> = None;
        while let Some(kw) = self.cur.token()? {
            let kw = kw.to_ascii_uppercase();
            let here = self.cur.pos;
            let section = match assoc {
                Some((true, _)) => "POINT_DATA",
                _ => "CELL_DATA",
            };
            let element = format!("{section}/{kw}");
            let n = assoc.map_or(0, |a| a.1);
            let mut arrays = Vec::new();
            match kw.as_str() {
                "POINT_DATA" | "CELL_DATA" => {
                    let at = here.saturating_sub(kw.len());
                    self.mark(&kw, at);
                    let n = self.cur.count(&kw, "a count")?;
                    assoc = Some((kw == "POINT_DATA", n));
                    data.declared.push((kw == "POINT_DATA", n, at));
                    continue;
                }
                "METADATA" => {
                    self.skip_metadata();
                    continue;
                }
                "LOOKUP_TABLE" => {
                    self.skip_lookup_table(&element)?;
                    continue;
                }
                _ if assoc.is_none() => {
                    return Err(self.cur.err_at(
                        here,
                        "",
                        format!("'{}' before POINT_DATA/CELL_DATA", shorten(&kw)),
                    ))
                }
                "SCALARS" => arrays.push(self.scalars(&element, n)?),
                "COLOR_SCALARS" => arrays.push(self.color_scalars(&element, n, here)?),
                "VECTORS" | "NORMALS" | "TENSORS" | "TENSORS6" | "GLOBAL_IDS" | "PEDIGREE_IDS" => {
                    let comps = match kw.as_str() {
                        "VECTORS" | "NORMALS" => 3,
                        "TENSORS" => 9,
                        "TENSORS6" => 6,
                        _ => 1,
                    };
                    let name = self.name(&element)?;
                    let ty = self.cur.expect_token(&element, "a data type")?;
                    let ty = parse_type(&self.cur, ty, &element)?;
                    arrays.push(self.array(&element, name, ty, comps, n)?);
                }
                "TEXTURE_COORDINATES" => arrays.push(self.texture_coordinates(&element, n)?),
                "FIELD" => arrays = self.field(&element)?,
                _ => {
                    return Err(self.cur.err_at(
                        here,
                        section,
                        format!("unknown keyword '{}'", shorten(&kw)),
                    ))
                }
            }
            match assoc {
                Some((true, _)) => data.point.extend(arrays),
                _ => data.cell.extend(arrays),
            }
        }
        Ok(data)
    }

    /// Skips a `LOOKUP_TABLE name size` section: its colours are not kept.
    fn skip_lookup_table(&mut self, element: &str) -> Result<(), FormatError> {
        self.cur.expect_token(element, "a table name")?;
        let size = self.cur.count(element, "a table size")?;
        let n4 = size
            .checked_mul(4)
            .ok_or_else(|| self.cur.err(element, "size overflows"))?;
        let ty = if self.ctx.binary {
            vtk_model::DType::U8
        } else {
            vtk_model::DType::F32
        };
        read_values(&mut self.cur, self.ctx, LegacyType::Plain(ty), n4, element)?;
        Ok(())
    }

    /// `SCALARS name type [components]` and its `LOOKUP_TABLE` line, then `n` tuples.
    fn scalars(&mut self, element: &str, n: usize) -> Result<DataArray, FormatError> {
        let name = self.name(element)?;
        let ty = self.cur.expect_token(element, "a data type")?;
        let ty = parse_type(&self.cur, ty, element)?;
        let mut t = self
            .cur
            .expect_token(element, "LOOKUP_TABLE or a component count")?;
        let mut comps = 1;
        if !t.eq_ignore_ascii_case("lookup_table") {
            let c: i64 = t.parse().unwrap_or(0);
            if !(1..=4096).contains(&c) {
                return Err(self
                    .cur
                    .err(element, format!("bad component count '{}'", shorten(t))));
            }
            comps = c as usize;
            t = self.cur.expect_token(element, "LOOKUP_TABLE")?;
        }
        if !t.eq_ignore_ascii_case("lookup_table") {
            return Err(self.cur.err(
                element,
                format!("expected LOOKUP_TABLE, found '{}'", shorten(t)),
            ));
        }
        self.cur.expect_token(element, "a lookup table name")?;
        self.array(element, name, ty, comps, n)
    }

    /// `COLOR_SCALARS name components`: bytes in binary files, floats in 0..1 in ASCII ones,
    /// both kept as `u8` (as VTK reads them).
    fn color_scalars(
        &mut self,
        element: &str,
        n: usize,
        here: usize,
    ) -> Result<DataArray, FormatError> {
        let name = self.name(element)?;
        let comps = self.cur.count(element, "a component count")?.max(1);
        let total = comps
            .checked_mul(n)
            .ok_or_else(|| self.cur.err(element, "size overflows"))?;
        let data = if self.ctx.binary {
            read_values(
                &mut self.cur,
                self.ctx,
                LegacyType::Plain(vtk_model::DType::U8),
                total,
                element,
            )?
        } else {
            let f = read_values(
                &mut self.cur,
                self.ctx,
                LegacyType::Plain(vtk_model::DType::F32),
                total,
                element,
            )?;
            let ArrayData::F32(f) = f else {
                unreachable!("read as f32")
            };
            ArrayData::U8(f.into_iter().map(|v| (255.0 * v + 0.5) as u8).collect())
        };
        DataArray::new(name, comps, data).map_err(|e| self.model_at(here, element, &e))
    }

    /// `TEXTURE_COORDINATES name dimension type`, the dimension 1 to 3.
    fn texture_coordinates(&mut self, element: &str, n: usize) -> Result<DataArray, FormatError> {
        let name = self.name(element)?;
        let comps = self.cur.count(element, "a dimension")?;
        if !(1..=3).contains(&comps) {
            return Err(self.cur.err(
                element,
                format!("texture dimension {comps}, expected 1 to 3"),
            ));
        }
        let ty = self.cur.expect_token(element, "a data type")?;
        let ty = parse_type(&self.cur, ty, element)?;
        self.array(element, name, ty, comps, n)
    }

    /// `POINT_DATA n` and `CELL_DATA n` must match the dataset's points and cells.
    fn check_declared(
        &self,
        declared: &[(bool, usize, usize)],
        n_points: usize,
        n_cells: usize,
    ) -> Result<(), FormatError> {
        for &(point, n, at) in declared {
            let (kw, actual, what) = if point {
                ("POINT_DATA", n_points, "points")
            } else {
                ("CELL_DATA", n_cells, "cells")
            };
            if n != actual {
                return Err(self.cur.err_at(
                    at,
                    kw,
                    format!("{kw} {n}, but the dataset has {actual} {what}"),
                ));
            }
        }
        Ok(())
    }

    fn name(&mut self, element: &str) -> Result<String, FormatError> {
        Ok(decode_name(
            self.cur.expect_token(element, "an array name")?,
        ))
    }

    fn array(
        &mut self,
        element: &str,
        name: String,
        ty: LegacyType,
        comps: usize,
        n: usize,
    ) -> Result<DataArray, FormatError> {
        let total = comps
            .checked_mul(n)
            .ok_or_else(|| self.cur.err(element, "size overflows"))?;
        let start = self.cur.pos;
        let data = read_values(&mut self.cur, self.ctx, ty, total, element)?;
        DataArray::new(name, comps, data).map_err(|e| self.model_at(start, element, &e))
    }

    /// `FIELD name nArrays` followed by `name comps tuples type` + values per array.
    fn field(&mut self, element: &str) -> Result<Vec<DataArray>, FormatError> {
        self.cur.expect_token(element, "a field name")?;
        let n_arrays = self.cur.count(element, "an array count")?;
        let mut out = Vec::new();
        let mut i = 0;
        while i < n_arrays {
            if self.peek_token()?.as_deref() == Some("METADATA") {
                self.cur.token()?;
                self.skip_metadata();
                continue;
            }
            i += 1;
            let raw = self.cur.expect_token(element, "an array name")?;
            if raw == "NULL_ARRAY" {
                continue;
            }
            let name = decode_name(raw);
            let what = format!("{element}/{}", shorten(&name));
            let comps = self.cur.count(&what, "a component count")?;
            if comps == 0 {
                return Err(self.cur.err(&what, "component count is 0"));
            }
            let tuples = self.cur.count(&what, "a tuple count")?;
            let ty = self.cur.expect_token(&what, "a data type")?;
            let ty = parse_type(&self.cur, ty, &what)?;
            out.push(self.array(&what, name, ty, comps, tuples)?);
        }
        Ok(out)
    }
}

fn empty_points() -> DataArray {
    DataArray::new("Points", 3, ArrayData::F32(Vec::new())).expect("empty points are valid")
}

/// Legacy files store a polyhedron's face stream `[nFaces, n0, ids0..., ...]` as its "point ids";
/// the model wants its point ids plus faces. VTK's legacy reader (9.x) stores the sorted unique
/// ids of the faces as the cell's points, so we do too (first-occurrence order would differ).
fn split_polyhedra(
    cells: &CellArray,
    types: &[CellType],
) -> Result<(CellArray, Option<PolyhedronFaces>), vtk_model::ModelError> {
    if !types.contains(&CellType::POLYHEDRON) || types.len() != cells.num_cells() {
        return Ok((cells.clone(), None));
    }
    let mut out = CellArray::empty();
    let mut streams: Vec<&[i64]> = Vec::with_capacity(types.len());
    for (i, t) in types.iter().enumerate() {
        let c = cells.cell(i);
        if *t == CellType::POLYHEDRON {
            let faces = PolyhedronFaces::from_legacy_streams([c])?;
            let mut ids = faces.faces.connectivity().to_vec();
            ids.sort_unstable();
            ids.dedup();
            out.push_cell(&ids);
            streams.push(c);
        } else {
            out.push_cell(c);
            streams.push(&[]);
        }
    }
    Ok((out, Some(PolyhedronFaces::from_legacy_streams(streams)?)))
}
