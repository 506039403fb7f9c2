//! Which options apply: an option the user gave that cannot change the output (`--level` for a
//! pickle, `--frame` for a `.vtp`) is refused with exit code 2 rather than silently ignored, and
//! so is a `--format` that contradicts the output's extension.

use std::collections::BTreeSet;
use std::path::Path;

use arraydict::schema::Kind;
use arraydict_store::StoreFormat;
use clap::parser::ValueSource;
use clap::ArgMatches;
use vtk_formats::Format;

use crate::args::{StoreFormatArg, VtkFormatArg, VtkWriteArgs, XmlCompressionArg};

/// An option that cannot apply, or a run the options forbid (`--no-clobber` and an existing
/// output): a usage error, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{option}: {why}")]
#[non_exhaustive]
pub struct Refused {
    /// The option as the user wrote it (`--level`).
    pub option: String,
    /// Why it cannot apply, and what to do.
    pub why: String,
}

impl Refused {
    /// The refusal of `option`, because `why`.
    pub fn new(option: &str, why: impl Into<String>) -> Self {
        Self {
            option: option.into(),
            why: why.into(),
        }
    }
}

/// The options the user wrote on the command line (`--level`, not a default value), as their long
/// names. Empty for a host that calls the conversions with options of its own (the Python
/// package), which then refuses nothing.
#[derive(Clone, Debug, Default)]
pub struct GivenOptions(BTreeSet<String>);

impl GivenOptions {
    /// The options given on the command line, before the subcommand and after it.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        let mut given = BTreeSet::new();
        let mut level = Some(matches);
        while let Some(m) = level {
            for id in m.ids() {
                if m.value_source(id.as_str()) == Some(ValueSource::CommandLine) {
                    given.insert(format!("--{}", id.as_str().replace('_', "-")));
                }
            }
            level = m.subcommand().map(|(_, sub)| sub);
        }
        Self(given)
    }

    /// True when the user wrote `option` (a long name with its dashes: `--level`).
    pub fn has(&self, option: &str) -> bool {
        self.0.contains(option)
    }

    /// Refuses the first of `options` the user wrote, because `why`.
    fn refuse_any(&self, options: &[&str], why: impl Fn(&str) -> String) -> Result<(), Refused> {
        match options.iter().find(|o| self.has(o)) {
            Some(option) => Err(Refused::new(option, why(option))),
            None => Ok(()),
        }
    }
}

/// The extension of `path`, lower case.
fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// What the extension of `path` says the file is: an ArrayDict format, a VTK one, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Named {
    Store(StoreFormat),
    Vtk(Format),
    Unknown,
}

fn named(path: &Path) -> Named {
    if let Ok(f) = StoreFormat::from_extension(path) {
        return Named::Store(f);
    }
    match extension(path).as_deref() {
        Some("mhd") => Named::Vtk(Format::MetaImage),
        Some(ext) => Format::from_extension(ext).map_or(Named::Unknown, Named::Vtk),
        None => Named::Unknown,
    }
}

fn store_name(f: StoreFormat) -> &'static str {
    match f {
        StoreFormat::Pickle => "pickle",
        StoreFormat::Hdf5 => "HDF5",
        StoreFormat::MessagePack => "MessagePack",
    }
}

fn vtk_name(f: Format) -> &'static str {
    match f {
        Format::Vtp => "VTK XML PolyData (.vtp)",
        Format::Vtu => "VTK XML UnstructuredGrid (.vtu)",
        Format::Vti => "VTK XML ImageData (.vti)",
        Format::LegacyVtk => "legacy VTK (.vtk)",
        Format::MetaImage => "MetaImage (.mha/.mhd)",
        Format::Stl => "STL",
    }
}

fn named_as(n: Named) -> String {
    match n {
        Named::Store(f) => store_name(f).into(),
        Named::Vtk(f) => vtk_name(f).into(),
        Named::Unknown => "unknown".into(),
    }
}

/// A `--format` that names another format than the output's extension.
fn contradiction(output: &Path, format: &str, by_extension: Named) -> Refused {
    Refused::new(
        "--format",
        format!(
            "{format} contradicts the output's name {} ({}); rename the output or leave out --format",
            output.display(),
            named_as(by_extension)
        ),
    )
}

/// The store format an ArrayDict output is written in, after refusing the options that do not
/// apply to it: `--format` against the extension, `--compression`/`--level` without HDF5,
/// `--pickle-protocol` without pickle. `None` when neither says (the writer then reports it).
pub fn check_store_output(
    output: &Path,
    format: Option<StoreFormatArg>,
    given: &GivenOptions,
) -> Result<Option<StoreFormat>, Refused> {
    let chosen = format.map(|f| match f {
        StoreFormatArg::Pickle => StoreFormat::Pickle,
        StoreFormatArg::Hdf5 => StoreFormat::Hdf5,
        StoreFormatArg::Msgpack => StoreFormat::MessagePack,
    });
    let by_extension = named(output);
    if let Some(f) = chosen.filter(|_| given.has("--format")) {
        if by_extension != Named::Store(f) && by_extension != Named::Unknown {
            return Err(contradiction(output, store_name(f), by_extension));
        }
    }
    let format = chosen.or(match by_extension {
        Named::Store(f) => Some(f),
        _ => None,
    });
    check_store_format(format, given)?;
    Ok(format)
}

/// Refuses the HDF5 options without HDF5 and `--pickle-protocol` without pickle (`format` `None`:
/// not known yet, nothing refused).
pub fn check_store_format(
    format: Option<StoreFormat>,
    given: &GivenOptions,
) -> Result<(), Refused> {
    let Some(format) = format else {
        return Ok(());
    };
    let name = store_name(format);
    if format != StoreFormat::Hdf5 {
        given.refuse_any(&["--compression", "--level"], |_| {
            format!("sets HDF5 compression, and the output is {name}")
        })?;
    }
    if format != StoreFormat::Pickle {
        given.refuse_any(&["--pickle-protocol"], |_| {
            format!("the output is {name}, not pickle")
        })?;
    }
    Ok(())
}

/// The VTK format a VTK output is written in, after refusing the options that do not apply to
/// it: `--format` against the extension, `--xml-*` without VTK XML, `--legacy-*` without legacy
/// `.vtk`, `--meta-uncompressed` and `--frame` without MetaImage, `--stl-ascii` without STL.
pub fn check_vtk_output(
    output: &Path,
    format: Option<VtkFormatArg>,
    given: &GivenOptions,
) -> Result<Option<Format>, Refused> {
    let chosen = format.map(Format::from);
    let by_extension = named(output);
    if let Some(f) = chosen.filter(|_| given.has("--format")) {
        if by_extension != Named::Vtk(f) && by_extension != Named::Unknown {
            return Err(contradiction(output, vtk_name(f), by_extension));
        }
    }
    let format = chosen.or(match by_extension {
        Named::Vtk(f) => Some(f),
        _ => None,
    });
    if let Some(format) = format {
        check_vtk_format(format, given)?;
    }
    Ok(format)
}

/// Refuses the options of the VTK formats other than `format`.
pub fn check_vtk_format(format: Format, given: &GivenOptions) -> Result<(), Refused> {
    let name = vtk_name(format);
    let only = |options: &[&str], formats: &[Format], what: &str| {
        if formats.contains(&format) {
            return Ok(());
        }
        given.refuse_any(options, |_| {
            format!("applies to {what} output only, and the output is {name}")
        })
    };
    only(
        &["--xml-encoding", "--xml-compression", "--xml-level"],
        &[Format::Vtp, Format::Vtu, Format::Vti],
        "VTK XML (.vtp .vtu .vti)",
    )?;
    only(
        &["--legacy-version", "--legacy-ascii"],
        &[Format::LegacyVtk],
        "legacy VTK (.vtk)",
    )?;
    only(
        &["--meta-uncompressed", "--frame"],
        &[Format::MetaImage],
        "MetaImage (.mha .mhd)",
    )?;
    only(&["--stl-ascii"], &[Format::Stl], "STL")
}

/// Refuses `--xml-level` with a compressor that has no levels (`lz4`, `none`).
pub fn check_xml_level(v: &VtkWriteArgs, given: &GivenOptions) -> Result<(), Refused> {
    let compressor = match v.xml_compression {
        XmlCompressionArg::Zlib | XmlCompressionArg::Lzma => return Ok(()),
        XmlCompressionArg::Lz4 => "lz4",
        XmlCompressionArg::None => "none",
    };
    given.refuse_any(&["--xml-level"], |_| {
        format!(
            "sets the level of --xml-compression zlib or lzma, and the compressor is {compressor}"
        )
    })
}

/// The options of [`ToTreeOptions`] that read MetaImage geometry and data files.
const METAIMAGE_INPUT: &[&str] = &["--frame", "--allow-external-data-file"];

/// Refuses the MetaImage-only input options for a VTK input in another format (`-`, standard
/// input, is never MetaImage). An input whose format cannot be told is left to the reader.
pub fn check_vtk_input(input: &Path, given: &GivenOptions) -> Result<(), Refused> {
    if !METAIMAGE_INPUT.iter().any(|o| given.has(o)) {
        return Ok(());
    }
    let format = if input.as_os_str() == "-" {
        None
    } else {
        match vtk_formats::detect(input) {
            Ok(f) => Some(f),
            Err(_) => return Ok(()),
        }
    };
    if format == Some(Format::MetaImage) {
        return Ok(());
    }
    let what = format.map_or("standard input", vtk_name);
    given.refuse_any(METAIMAGE_INPUT, |_| {
        format!(
            "applies to MetaImage (.mha .mhd) input only, and {} is {what}",
            input.display()
        )
    })
}

/// Refuses the conversion options that do not apply to a tree of `kind`: `--cells-as-list` and
/// `--no-type-names` are for meshes, `--cell-to-point` for datasets with cells.
pub fn check_kind(kind: Kind, given: &GivenOptions) -> Result<(), Refused> {
    if kind != Kind::Mesh {
        given.refuse_any(&["--cells-as-list", "--no-type-names"], |_| {
            format!("applies to meshes (unstructured grids) only, and this is a {kind}")
        })?;
    }
    if kind == Kind::Image {
        given.refuse_any(&["--cell-to-point"], |_| {
            "an image has no cells to average from".into()
        })?;
    }
    Ok(())
}

/// Refuses every VTK-input option (all of [`ToTreeOptions`] but `--kind`) for an ArrayDict
/// file, which is read as it is.
pub fn check_store_input(file: &Path, given: &GivenOptions) -> Result<(), Refused> {
    given.refuse_any(
        &[
            "--cell-to-point",
            "--cells-as-list",
            "--no-type-names",
            "--frame",
            "--allow-external-data-file",
        ],
        |_| {
            format!(
                "applies to VTK input only, and {} is an ArrayDict file (read as it is)",
                file.display()
            )
        },
    )
}

/// Refuses `--no-clobber` runs whose output exists already, before any work: a regular file (or
/// a link to one) would be replaced; a device, FIFO or standard output is written through.
pub fn check_no_clobber(output: &Path, no_clobber: bool) -> Result<(), Refused> {
    if !no_clobber {
        return Ok(());
    }
    match atomic_output::OutputTarget::resolve(output) {
        Ok(atomic_output::OutputTarget::File(target)) if target.exists() => Err(Refused::new(
            "--no-clobber",
            format!("{} exists; not replaced", output.display()),
        )),
        _ => Ok(()),
    }
}
