//! Top-level `read` / `write` choosing the codec by format.

use std::path::Path;

use vtk_model::DataSet;

use crate::legacy::LegacyWriteOptions;
use crate::metaimage::MetaWriteOptions;
use crate::stl::StlWriteOptions;
use crate::xml::{self, XmlWriteOptions};
use crate::{
    detect, legacy, metaimage, stl, Commit, Durability, Existing, Format, FormatError, ReadOptions,
};

/// Options for [`write()`]: each format's own options, and what holds for every format.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// VTK XML (`.vtp`, `.vtu`, `.vti`): encoding and compression.
    pub xml: XmlWriteOptions,
    /// Legacy `.vtk`: file version, ascii or binary.
    pub legacy: LegacyWriteOptions,
    /// `MetaImage` (`.mha`, `.mhd`): compression and the frame of the image's geometry.
    pub metaimage: MetaWriteOptions,
    /// STL.
    pub stl: StlWriteOptions,
    /// Whether outputs are flushed to disk before they are renamed into place (every format).
    pub durability: Durability,
    /// What a write does with a file already at the output: replace it (the default) or keep it
    /// and fail (every format; a `.mhd`'s data file too).
    pub existing: Existing,
    /// The format to write; `None` takes it from the path's extension. Needed for standard output
    /// (`-`) and for paths without a known extension (`/dev/stdout`, a FIFO).
    pub format: Option<Format>,
}

/// Reads any supported file, detecting its format with [`detect`](crate::detect()).
pub fn read(path: &Path, opts: &ReadOptions) -> Result<DataSet, FormatError> {
    match detect(path)? {
        Format::LegacyVtk => legacy::read(path, opts),
        Format::MetaImage => metaimage::read(path, opts).map(DataSet::ImageData),
        Format::Stl => stl::read(path, opts).map(DataSet::PolyData),
        Format::Vtp | Format::Vtu | Format::Vti => xml::read(path, opts),
    }
}

/// Reads a file held in memory (standard input), detecting its format from its content with
/// [`detect_content`](crate::detect_content); `name` is used in errors only. `MetaImage` is refused:
/// a `.mhd` header names a data file beside it, which a stream has not.
pub fn read_bytes(bytes: &[u8], name: &Path, opts: &ReadOptions) -> Result<DataSet, FormatError> {
    let format = crate::detect_content(bytes, bytes.len() as u64).ok_or_else(|| {
        FormatError::UnknownFormat {
            path: name.to_path_buf(),
            detail: "unrecognised content".into(),
        }
    })?;
    match format {
        Format::LegacyVtk => legacy::read_bytes(bytes, name, opts),
        Format::Stl => stl::read_bytes(bytes, name, opts).map(DataSet::PolyData),
        Format::Vtp | Format::Vtu | Format::Vti => xml::read_bytes(bytes, name, opts),
        Format::MetaImage => Err(FormatError::Unsupported {
            path: name.to_path_buf(),
            detail: "MetaImage cannot be read from standard input (a .mhd header names a data file beside \
                     it); give the file's path"
                .into(),
        }),
    }
}

fn kind(ds: &DataSet) -> &'static str {
    match ds {
        DataSet::PolyData(_) => "PolyData",
        DataSet::ImageData(_) => "ImageData",
        DataSet::UnstructuredGrid(_) => "UnstructuredGrid",
    }
}

/// The format [`write()`] writes `path` in: `opts.format`, or else the one its extension names.
fn output_format(path: &Path, opts: &WriteOptions) -> Result<Format, FormatError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    opts.format
        .or_else(|| Format::from_extension(ext))
        .ok_or_else(|| FormatError::UnknownFormat {
            path: path.to_path_buf(),
            detail: format!("cannot choose a writer for extension '{ext}'"),
        })
}

/// How many files [`write()`] commits for `path`: two for a `MetaImage` `.mhd` (the header and its
/// data file, see [`metaimage::has_separate_data_file`]), one otherwise.
pub fn files_written(path: &Path, opts: &WriteOptions) -> u64 {
    let metaimage = output_format(path, opts).is_ok_and(|f| f == Format::MetaImage);
    if metaimage && metaimage::has_separate_data_file(path) {
        2
    } else {
        1
    }
}

/// Writes a dataset in the format `opts.format` or else its extension names (atomically; symbolic
/// links, devices, FIFOs and `-` for standard output as [`atomic_output::OutputTarget`] says):
/// `.vtp`/`.vtu`/`.vti` must match the dataset kind, `.vtk` takes any kind, `.mha`/`.mhd` images,
/// `.stl` polygon surfaces. Anything else is [`FormatError::CannotWrite`] (or
/// [`FormatError::UnknownFormat`] for unknown extensions).
pub fn write(path: &Path, ds: &DataSet, opts: &WriteOptions) -> Result<(), FormatError> {
    let format = output_format(path, opts)?;
    let cannot = |format: &str| FormatError::CannotWrite {
        path: path.to_path_buf(),
        what: kind(ds).into(),
        format: format.into(),
    };
    let commit = Commit::new(opts.durability, opts.existing);
    match (format, ds) {
        (Format::LegacyVtk, _) => legacy::write(path, ds, &opts.legacy, commit),
        (Format::MetaImage, DataSet::ImageData(img)) => {
            metaimage::write(path, img, &opts.metaimage, commit)
        }
        (Format::Stl, DataSet::PolyData(pd))
            if !pd.cells().polys.is_empty() || !pd.cells().strips.is_empty() =>
        {
            stl::write(path, pd, &opts.stl, commit)
        }
        (Format::Stl, DataSet::PolyData(_)) => Err(FormatError::CannotWrite {
            path: path.to_path_buf(),
            what: "a PolyData without polygons".into(),
            format: "STL".into(),
        }),
        (Format::Vtp, DataSet::PolyData(_))
        | (Format::Vtu, DataSet::UnstructuredGrid(_))
        | (Format::Vti, DataSet::ImageData(_)) => xml::write(path, ds, &opts.xml, commit),
        (Format::Vtp, _) => Err(cannot("VTK XML PolyData (.vtp)")),
        (Format::Vtu, _) => Err(cannot("VTK XML UnstructuredGrid (.vtu)")),
        (Format::Vti, _) => Err(cannot("VTK XML ImageData (.vti)")),
        (Format::MetaImage, _) => Err(cannot("MetaImage")),
        (Format::Stl, _) => Err(cannot("STL")),
    }
}
