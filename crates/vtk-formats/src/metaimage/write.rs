//! `MetaImage` writer.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use vtk_model::{ImageData, Matrix3, Vector3};

use super::header::met_name;
use super::read::lps_ras;
use crate::{FormatError, ImageFrame};

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
    /// Whether the outputs are flushed to disk before they are renamed into place.
    pub durability: crate::Durability,
}

/// Writes an image with exactly one point array as `.mha` (data in the same file) or `.mhd` (data in
/// `<stem>.raw`, or `<stem>.zraw` when compressed, next to it). Both files are written atomically.
///
/// `Offset` is the world position of the extent's first point, so an image whose extent does not
/// start at 0 comes back with the same world geometry and an extent starting at 0.
/// `TransformMatrix` is written column by column (ITK's convention, see [`read`](super::read)), and
/// `AnatomicalOrientation` the way ITK derives it from the direction.
#[allow(clippy::many_single_char_names)]
pub fn write(path: &Path, img: &ImageData, opts: &MetaWriteOptions) -> Result<(), FormatError> {
    let cannot = |what: String| FormatError::CannotWrite {
        path: path.to_path_buf(),
        what,
        format: "MetaImage".into(),
    };
    if img.point_data().len() != 1 || !img.cell_data().is_empty() {
        return Err(cannot(format!(
            "an image with {} point arrays and {} cell arrays (MetaImage holds exactly one point array)",
            img.point_data().len(),
            img.cell_data().len()
        )));
    }
    let arr = img.point_data().iter().next().expect("checked: one array");
    let e = img.extent();
    let mut origin = Vector3::from(img.index_to_world([e[0] as f64, e[2] as f64, e[4] as f64]));
    let mut dir = img.direction();
    if opts.frame == ImageFrame::Ras {
        origin = lps_ras() * origin;
        dir = lps_ras() * dir;
    }
    let payload: std::borrow::Cow<'_, [u8]> = if opts.compress {
        let mut enc =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(META_ZLIB_LEVEL));
        let io = |source| FormatError::Io {
            path: path.to_path_buf(),
            source,
        };
        enc.write_all(arr.data().as_bytes()).map_err(io)?;
        enc.finish().map_err(io)?.into()
    } else {
        arr.data().as_bytes().into()
    };
    let mhd = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("mhd"));
    // The data file goes beside the header's final file (through any symbolic links), which a
    // stream or standard output has not.
    let header_file = match atomic_output::OutputTarget::resolve(path) {
        Ok(atomic_output::OutputTarget::File(file)) => file,
        Ok(_) if mhd => {
            return Err(FormatError::Unsupported {
                path: path.to_path_buf(),
                detail: "a .mhd header and its separate data file cannot be written to a stream or standard \
                         output; write .mha, which holds both"
                    .into(),
            })
        }
        _ => path.to_path_buf(),
    };
    let data_name = if mhd {
        let stem = header_file
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| cannot("a file name that is not UTF-8".into()))?;
        Some(format!(
            "{stem}.{}",
            if opts.compress { "zraw" } else { "raw" }
        ))
    } else {
        None
    };
    let d = img.dimensions();
    let s = img.spacing();
    let mut h = String::new();
    h.push_str(
        "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n",
    );
    let _ = writeln!(
        h,
        "CompressedData = {}",
        if opts.compress { "True" } else { "False" }
    );
    if opts.compress {
        let _ = writeln!(h, "CompressedDataSize = {}", payload.len());
    }
    let tm: Vec<f64> = (0..3)
        .flat_map(|c| (0..3).map(move |r| (r, c)))
        .map(|(r, c)| dir[(r, c)])
        .collect();
    let _ = writeln!(h, "TransformMatrix = {}", nums(&tm));
    let _ = writeln!(h, "Offset = {}", nums(origin.as_slice()));
    h.push_str("CenterOfRotation = 0 0 0\n");
    let _ = writeln!(h, "AnatomicalOrientation = {}", orientation(&dir));
    let _ = writeln!(h, "ElementSpacing = {}", nums(&s));
    let _ = writeln!(h, "DimSize = {} {} {}", d[0], d[1], d[2]);
    if arr.components() > 1 {
        let _ = writeln!(h, "ElementNumberOfChannels = {}", arr.components());
    }
    let _ = writeln!(h, "ElementType = {}", met_name(arr.dtype()));
    let _ = writeln!(
        h,
        "ElementDataFile = {}",
        data_name.as_deref().unwrap_or("LOCAL")
    );
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| FormatError::Io {
            path: p.clone(),
            source,
        }
    };
    if let Some(name) = data_name {
        let data_path = header_file.parent().unwrap_or(Path::new("")).join(name);
        crate::write_atomic(&data_path, opts.durability, |w| {
            w.write_all(&payload).map_err(io(&data_path))
        })?;
        crate::write_atomic(path, opts.durability, |w| {
            w.write_all(h.as_bytes()).map_err(io(path))
        })
    } else {
        crate::write_atomic(path, opts.durability, |w| {
            w.write_all(h.as_bytes()).map_err(io(path))?;
            w.write_all(&payload).map_err(io(path))
        })
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
