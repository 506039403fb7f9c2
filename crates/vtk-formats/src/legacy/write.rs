//! Legacy `.vtk` writer.

use std::io::Write;
use std::path::Path;

use vtk_model::{ArrayData, Attributes, CellArray, CellType, DataArray, DataSet, UnstructuredGrid};

use super::values::{encode_name, type_name, write_values};
use crate::{Commit, FormatError};

/// Which legacy file version to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LegacyVersion {
    /// `4.2`: cells as `[n, ids...]` streams of 32-bit ints (readable by every VTK since 4.2).
    V4_2,
    /// `5.1`: cells as 64-bit `OFFSETS` + `CONNECTIVITY` (VTK 9's default).
    #[default]
    V5_1,
}

/// Options of the legacy writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LegacyWriteOptions {
    /// File version.
    pub version: LegacyVersion,
    /// Big-endian binary blocks instead of ascii.
    pub binary: bool,
}

/// Writes a dataset as a legacy VTK file at `path`, atomically (a failed write leaves no file and
/// keeps an existing one), as [`write_to`] writes it; `commit` says whether it is flushed to disk
/// before its rename and whether it may replace a file. A dataset the format cannot hold is refused before the output is opened.
pub fn write(
    path: &Path,
    ds: &DataSet,
    opts: &LegacyWriteOptions,
    commit: impl Into<Commit>,
) -> Result<(), FormatError> {
    check_names(path, ds)?;
    crate::atomic::write_atomic(path, commit, |w| write_checked(w, ds, *opts, path))
}

/// Writes a dataset as a legacy VTK file to any writer.
///
/// All point and cell arrays go into `FIELD FieldData` blocks, which VTK reads back as plain named
/// arrays with their exact dtype and component count. Images are written as `STRUCTURED_POINTS`:
/// the legacy format has no direction matrix (VTK 9's reader rejects a `DIRECTION` keyword), so the
/// direction is not written and the origin written is the world position of the extent's first point.
pub fn write_to(
    w: &mut dyn Write,
    ds: &DataSet,
    opts: &LegacyWriteOptions,
) -> Result<(), FormatError> {
    let name = Path::new(crate::atomic::STREAM);
    check_names(name, ds)?;
    write_checked(w, ds, *opts, name)
}

/// [`write_to`] after [`check_names`]; `name` is the output as errors name it.
fn write_checked(
    w: &mut dyn Write,
    ds: &DataSet,
    opts: LegacyWriteOptions,
    name: &Path,
) -> Result<(), FormatError> {
    let mut wr = Writer {
        w,
        opts,
        path: name,
    };
    wr.dataset(ds).map_err(|e| match e {
        WriteErr::Io(source) => FormatError::Io {
            path: name.to_path_buf(),
            source,
        },
        WriteErr::Format(f) => f,
    })
}

fn check_names(path: &Path, ds: &DataSet) -> Result<(), FormatError> {
    let (pd, cd) = match ds {
        DataSet::PolyData(p) => (p.point_data(), p.cell_data()),
        DataSet::ImageData(i) => (i.point_data(), i.cell_data()),
        DataSet::UnstructuredGrid(g) => (g.point_data(), g.cell_data()),
    };
    if pd.iter().chain(cd.iter()).any(|a| a.name().is_empty()) {
        return Err(FormatError::CannotWrite {
            path: path.to_path_buf(),
            what: "a dataset with an unnamed array".into(),
            format: "legacy VTK (arrays need names)".into(),
        });
    }
    Ok(())
}

enum WriteErr {
    Io(std::io::Error),
    Format(FormatError),
}
impl From<std::io::Error> for WriteErr {
    fn from(e: std::io::Error) -> Self {
        WriteErr::Io(e)
    }
}

struct Writer<'a, 'w> {
    w: &'w mut dyn Write,
    opts: LegacyWriteOptions,
    path: &'a Path,
}

impl Writer<'_, '_> {
    fn dataset(&mut self, ds: &DataSet) -> Result<(), WriteErr> {
        let version = match self.opts.version {
            LegacyVersion::V4_2 => "4.2",
            LegacyVersion::V5_1 => "5.1",
        };
        let enc = if self.opts.binary { "BINARY" } else { "ASCII" };
        write!(
            self.w,
            "# vtk DataFile Version {version}\nwritten by arraydict\n{enc}\n"
        )?;
        match ds {
            DataSet::PolyData(p) => {
                writeln!(self.w, "DATASET POLYDATA")?;
                self.points(p.points())?;
                for (kw, c) in [
                    ("VERTICES", &p.cells().verts),
                    ("LINES", &p.cells().lines),
                    ("POLYGONS", &p.cells().polys),
                    ("TRIANGLE_STRIPS", &p.cells().strips),
                ] {
                    if !c.is_empty() {
                        self.cells(kw, c)?;
                    }
                }
                self.attributes("POINT_DATA", p.num_points(), p.point_data())?;
                self.attributes("CELL_DATA", p.num_cells(), p.cell_data())?;
            }
            DataSet::UnstructuredGrid(g) => {
                writeln!(self.w, "DATASET UNSTRUCTURED_GRID")?;
                self.points(g.points())?;
                let cells = with_face_streams(g);
                self.cells("CELLS", &cells)?;
                writeln!(self.w, "CELL_TYPES {}", g.num_cells())?;
                let types: Vec<i32> = g
                    .cell_types()
                    .iter()
                    .map(|t: &CellType| i32::from(t.0))
                    .collect();
                write_values(self.w, &ArrayData::I32(types), self.opts.binary)?;
                self.attributes("POINT_DATA", g.num_points(), g.point_data())?;
                self.attributes("CELL_DATA", g.num_cells(), g.cell_data())?;
            }
            DataSet::ImageData(img) => {
                let d = img.dimensions();
                let e = img.extent();
                let o = img.index_to_world([e[0] as f64, e[2] as f64, e[4] as f64]);
                let s = img.spacing();
                writeln!(self.w, "DATASET STRUCTURED_POINTS")?;
                writeln!(self.w, "DIMENSIONS {} {} {}", d[0], d[1], d[2])?;
                writeln!(self.w, "SPACING {:?} {:?} {:?}", s[0], s[1], s[2])?;
                writeln!(self.w, "ORIGIN {:?} {:?} {:?}", o[0], o[1], o[2])?;
                self.attributes("POINT_DATA", img.num_points(), img.point_data())?;
                self.attributes("CELL_DATA", img.num_cells(), img.cell_data())?;
            }
        }
        Ok(())
    }

    fn points(&mut self, p: &DataArray) -> Result<(), WriteErr> {
        writeln!(self.w, "POINTS {} {}", p.tuples(), type_name(p.dtype()))?;
        write_values(self.w, p.data(), self.opts.binary)?;
        Ok(())
    }

    fn cells(&mut self, kw: &str, c: &CellArray) -> Result<(), WriteErr> {
        match self.opts.version {
            LegacyVersion::V4_2 => {
                let stream = c.to_legacy();
                let ints: Option<Vec<i32>> =
                    stream.iter().map(|&v| i32::try_from(v).ok()).collect();
                let Some(ints) = ints else {
                    return Err(WriteErr::Format(FormatError::CannotWrite {
                        path: self.path.to_path_buf(),
                        what: format!("{kw} with ids beyond 32 bits"),
                        format: "legacy VTK 4.2 (use version 5.1)".into(),
                    }));
                };
                writeln!(self.w, "{kw} {} {}", c.num_cells(), ints.len())?;
                write_values(self.w, &ArrayData::I32(ints), self.opts.binary)?;
            }
            LegacyVersion::V5_1 => {
                writeln!(
                    self.w,
                    "{kw} {} {}",
                    c.offsets().len(),
                    c.connectivity().len()
                )?;
                writeln!(self.w, "OFFSETS vtktypeint64")?;
                write_values(
                    self.w,
                    &ArrayData::I64(c.offsets().to_vec()),
                    self.opts.binary,
                )?;
                writeln!(self.w, "CONNECTIVITY vtktypeint64")?;
                write_values(
                    self.w,
                    &ArrayData::I64(c.connectivity().to_vec()),
                    self.opts.binary,
                )?;
            }
        }
        Ok(())
    }

    fn attributes(&mut self, kw: &str, n: usize, attrs: &Attributes) -> Result<(), WriteErr> {
        if attrs.is_empty() {
            return Ok(());
        }
        writeln!(self.w, "{kw} {n}")?;
        writeln!(self.w, "FIELD FieldData {}", attrs.len())?;
        for a in attrs {
            writeln!(
                self.w,
                "{} {} {} {}",
                encode_name(a.name()),
                a.components(),
                a.tuples(),
                type_name(a.dtype())
            )?;
            write_values(self.w, a.data(), self.opts.binary)?;
        }
        Ok(())
    }
}

/// VTK's legacy files store each polyhedron's face stream in place of its point ids.
fn with_face_streams(g: &UnstructuredGrid) -> CellArray {
    let Some(faces) = g.faces() else {
        return g.cells().clone();
    };
    let mut out = CellArray::empty();
    for (i, t) in g.cell_types().iter().enumerate() {
        if *t == CellType::POLYHEDRON {
            out.push_cell(&faces.legacy_stream(i));
        } else {
            out.push_cell(g.cells().cell(i));
        }
    }
    out
}
