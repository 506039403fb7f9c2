//! Top-level `read` / `write` choosing the codec by format.

use std::path::Path;

use vtk_model::DataSet;

use crate::legacy::{LegacyVersion, LegacyWriteOptions};
use crate::metaimage::MetaWriteOptions;
use crate::xml::{self, XmlWriteOptions};
use crate::{detect, legacy, metaimage, stl, Format, FormatError, ImageFrame, ReadOptions};

/// Options for [`write`]; each format uses its own fields.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// VTK XML (`.vtp`, `.vtu`, `.vti`) encoding and compression.
    pub xml: XmlWriteOptions,
    /// Legacy `.vtk` file version.
    pub legacy_version: LegacyVersion,
    /// Legacy `.vtk`: binary (big-endian) instead of ascii.
    pub legacy_binary: bool,
    /// `MetaImage`: zlib-compress the pixel data.
    pub meta_compress: bool,
    /// `MetaImage`: the frame of the image's geometry (converted to the file's LPS frame).
    pub frame: ImageFrame,
    /// Whether outputs are flushed to disk before they are renamed into place (every format).
    pub durability: crate::Durability,
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
        Format::Vtp | Format::Vtu | Format::Vti => xml::read_file(path, opts),
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
        Format::LegacyVtk => legacy::parse(name, bytes, opts),
        Format::Stl => stl::parse(name, bytes, opts).map(DataSet::PolyData),
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

/// Writes a dataset in the format `opts.format` or else its extension names (atomically; symbolic
/// links, devices, FIFOs and `-` for standard output as [`write_atomic`](crate::write_atomic) says):
/// `.vtp`/`.vtu`/`.vti` must match the dataset kind, `.vtk` takes any kind, `.mha`/`.mhd` images,
/// `.stl` polygon surfaces. Anything else is [`FormatError::CannotWrite`] (or
/// [`FormatError::UnknownFormat`] for unknown extensions).
pub fn write(path: &Path, ds: &DataSet, opts: &WriteOptions) -> Result<(), FormatError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = opts
        .format
        .or_else(|| Format::from_extension(ext))
        .ok_or_else(|| FormatError::UnknownFormat {
            path: path.to_path_buf(),
            detail: format!("cannot choose a writer for extension '{ext}'"),
        })?;
    let cannot = |format: &str| FormatError::CannotWrite {
        path: path.to_path_buf(),
        what: kind(ds).into(),
        format: format.into(),
    };
    match (format, ds) {
        (Format::LegacyVtk, _) => legacy::write(
            path,
            ds,
            &LegacyWriteOptions {
                version: opts.legacy_version,
                binary: opts.legacy_binary,
                durability: opts.durability,
            },
        ),
        (Format::MetaImage, DataSet::ImageData(img)) => metaimage::write(
            path,
            img,
            &MetaWriteOptions {
                compress: opts.meta_compress,
                frame: opts.frame,
                durability: opts.durability,
            },
        ),
        (Format::Stl, DataSet::PolyData(pd))
            if !pd.cells().polys.is_empty() || !pd.cells().strips.is_empty() =>
        {
            stl::write(path, pd, opts.durability)
        }
        (Format::Stl, DataSet::PolyData(_)) => Err(FormatError::CannotWrite {
            path: path.to_path_buf(),
            what: "a PolyData without polygons".into(),
            format: "STL".into(),
        }),
        (Format::Vtp, DataSet::PolyData(_))
        | (Format::Vtu, DataSet::UnstructuredGrid(_))
        | (Format::Vti, DataSet::ImageData(_)) => xml::write_file(
            path,
            ds,
            &XmlWriteOptions {
                durability: opts.durability,
                ..opts.xml
            },
        ),
        (Format::Vtp, _) => Err(cannot("VTK XML PolyData (.vtp)")),
        (Format::Vtu, _) => Err(cannot("VTK XML UnstructuredGrid (.vtu)")),
        (Format::Vti, _) => Err(cannot("VTK XML ImageData (.vti)")),
        (Format::MetaImage, _) => Err(cannot("MetaImage")),
        (Format::Stl, _) => Err(cannot("STL")),
    }
}
