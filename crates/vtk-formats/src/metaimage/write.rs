//! `MetaImage` writer.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use vtk_model::{DataArray, ImageData, Matrix3, Vector3};

use super::header::met_name;
use super::read::lps_ras;
use crate::{Commit, FormatError, ImageFrame};

/// zlib level of compressed pixel data: `MetaIO`'s default (2). On CT-like data level 6 is ~6x slower
/// for ~10% smaller files.
const META_ZLIB_LEVEL: u32 = 2;

/// Options of the `MetaImage` writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MetaWriteOptions {
    /// zlib-compress the pixel data (`CompressedData = True`, `.zraw` for `.mhd`).
    pub compress: bool,
    /// The frame the image's geometry is in; it is converted to the file's LPS frame
    /// (the inverse of what [`read`](super::read) does), so reading back in the same frame gives the
    /// same numbers.
    pub frame: ImageFrame,
}

/// True when `path` names a `.mhd` header (any case): its pixel data goes to a second file beside it
/// (`<stem>.raw`, or `<stem>.zraw` when compressed), so writing it makes two files and it can be
/// written to a file only, never to a stream or standard output (a `.mha` holds both in one file).
/// The one place this rule is decided.
pub fn has_separate_data_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("mhd"))
}

/// Writes an image with exactly one point array as `.mha` (data in the same file, as [`write_to`]
/// writes it) or `.mhd` (data in `<stem>.raw`, or `<stem>.zraw` when compressed, next to it). Every
/// file is written atomically; `commit` says whether they are flushed to disk before their
/// rename and whether they may replace files.
///
/// A `.mhd` is written here only, not by [`write_to`]: it is two files, and the header names its data
/// file, which goes beside the header's final file (through any symbolic links) -- a place a stream
/// has not.
///
/// `Offset` is the world position of the extent's first point, so an image whose extent does not
/// start at 0 comes back with the same world geometry and an extent starting at 0.
/// `TransformMatrix` is written column by column (ITK's convention, see [`read`](super::read)), and
/// `AnatomicalOrientation` the way ITK derives it from the direction.
pub fn write(
    path: &Path,
    img: &ImageData,
    opts: &MetaWriteOptions,
    commit: impl Into<Commit>,
) -> Result<(), FormatError> {
    let commit = commit.into();
    let encoded = Encoded::new(img, *opts, path)?;
    if !has_separate_data_file(path) {
        return crate::atomic::write_atomic(path, commit, |w| encoded.write_mha(w, path));
    }
    let header_file = match atomic_output::OutputTarget::resolve(path) {
        Ok(atomic_output::OutputTarget::File(file)) => file,
        Ok(_) => {
            return Err(FormatError::Unsupported {
                path: path.to_path_buf(),
                detail: "a .mhd header and its separate data file cannot be written to a stream or standard \
                         output; write .mha, which holds both"
                    .into(),
            })
        }
        // A path that does not resolve (a directory, a loop of links) fails when its header is written.
        Err(_) => path.to_path_buf(),
    };
    let stem = header_file
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| cannot(path, "a file name that is not UTF-8".into()))?;
    let data_name = format!("{stem}.{}", if opts.compress { "zraw" } else { "raw" });
    let header = encoded.header(&data_name);
    let data_path = header_file
        .parent()
        .unwrap_or(Path::new(""))
        .join(data_name);
    crate::atomic::write_atomic(&data_path, commit, |w| {
        w.write_all(&encoded.payload).map_err(io(&data_path))
    })?;
    crate::atomic::write_atomic(path, commit, |w| {
        w.write_all(header.as_bytes()).map_err(io(path))
    })
}

/// Writes an image with exactly one point array as a `.mha` (header and data in one stream) to any
/// writer; see [`write()`] for the geometry written, and for `.mhd`.
pub fn write_to(
    w: &mut dyn Write,
    img: &ImageData,
    opts: &MetaWriteOptions,
) -> Result<(), FormatError> {
    let name = Path::new(crate::atomic::STREAM);
    Encoded::new(img, *opts, name)?.write_mha(w, name)
}

fn cannot(name: &Path, what: String) -> FormatError {
    FormatError::CannotWrite {
        path: name.to_path_buf(),
        what,
        format: "MetaImage".into(),
    }
}

fn io(name: &Path) -> impl Fn(std::io::Error) -> FormatError {
    let name = name.to_path_buf();
    move |source| FormatError::Io {
        path: name.clone(),
        source,
    }
}

/// An image ready to be written: its one array's bytes (compressed when asked) and its geometry in
/// the file's LPS frame.
struct Encoded<'a> {
    img: &'a ImageData,
    array: &'a DataArray,
    payload: Cow<'a, [u8]>,
    compressed: bool,
    origin: Vector3<f64>,
    direction: Matrix3<f64>,
}

impl<'a> Encoded<'a> {
    /// Checks that `MetaImage` can hold the image and encodes it; `name` is the output as errors
    /// name it.
    fn new(img: &'a ImageData, opts: MetaWriteOptions, name: &Path) -> Result<Self, FormatError> {
        if img.point_data().len() != 1 || !img.cell_data().is_empty() {
            return Err(cannot(
                name,
                format!(
                    "an image with {} point arrays and {} cell arrays (MetaImage holds exactly one point array)",
                    img.point_data().len(),
                    img.cell_data().len()
                ),
            ));
        }
        let array = img.point_data().iter().next().expect("checked: one array");
        let e = img.extent();
        let mut origin = Vector3::from(img.index_to_world([e[0] as f64, e[2] as f64, e[4] as f64]));
        let mut direction = img.direction();
        if opts.frame == ImageFrame::Ras {
            origin = lps_ras() * origin;
            direction = lps_ras() * direction;
        }
        let payload: Cow<'_, [u8]> = if opts.compress {
            let mut enc = flate2::write::ZlibEncoder::new(
                Vec::new(),
                flate2::Compression::new(META_ZLIB_LEVEL),
            );
            enc.write_all(array.data().as_bytes()).map_err(io(name))?;
            enc.finish().map_err(io(name))?.into()
        } else {
            array.data().as_bytes().into()
        };
        Ok(Self {
            img,
            array,
            payload,
            compressed: opts.compress,
            origin,
            direction,
        })
    }

    /// The `.mha` file: the header, then the data.
    fn write_mha(&self, w: &mut dyn Write, name: &Path) -> Result<(), FormatError> {
        w.write_all(self.header("LOCAL").as_bytes())
            .map_err(io(name))?;
        w.write_all(&self.payload).map_err(io(name))
    }

    /// The header text; `data_file` is its `ElementDataFile` (`LOCAL`: the data follows the header).
    fn header(&self, data_file: &str) -> String {
        let (d, s, dir) = (self.img.dimensions(), self.img.spacing(), &self.direction);
        let mut h = String::new();
        h.push_str(
            "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n",
        );
        let _ = writeln!(
            h,
            "CompressedData = {}",
            if self.compressed { "True" } else { "False" }
        );
        if self.compressed {
            let _ = writeln!(h, "CompressedDataSize = {}", self.payload.len());
        }
        let tm: Vec<f64> = (0..3)
            .flat_map(|c| (0..3).map(move |r| (r, c)))
            .map(|(r, c)| dir[(r, c)])
            .collect();
        let _ = writeln!(h, "TransformMatrix = {}", nums(&tm));
        let _ = writeln!(h, "Offset = {}", nums(self.origin.as_slice()));
        h.push_str("CenterOfRotation = 0 0 0\n");
        let _ = writeln!(h, "AnatomicalOrientation = {}", orientation(dir));
        let _ = writeln!(h, "ElementSpacing = {}", nums(&s));
        let _ = writeln!(h, "DimSize = {} {} {}", d[0], d[1], d[2]);
        if self.array.components() > 1 {
            let _ = writeln!(h, "ElementNumberOfChannels = {}", self.array.components());
        }
        let _ = writeln!(h, "ElementType = {}", met_name(self.array.dtype()));
        let _ = writeln!(h, "ElementDataFile = {data_file}");
        h
    }
}

fn num(v: f64) -> String {
    let s = format!("{v:?}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_owned(),
        None => s,
    }
}

fn nums(v: &[f64]) -> String {
    v.iter()
        .map(|&x| num(x + 0.0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// ITK's three-letter code: per axis, the LPS direction the axis comes *from* (identity is `RAI`).
fn orientation(dir: &Matrix3<f64>) -> String {
    (0..3)
        .map(|c| {
            let col = dir.column(c);
            let a = (0..3)
                .max_by(|&i, &j| col[i].abs().total_cmp(&col[j].abs()))
                .unwrap_or(c);
            let pos = col[a] >= 0.0;
            match (a, pos) {
                (0, true) => 'R',
                (0, false) => 'L',
                (1, true) => 'A',
                (1, false) => 'P',
                (_, true) => 'I',
                (_, false) => 'S',
            }
        })
        .collect()
}
