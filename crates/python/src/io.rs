//! Every call into `vtk-formats`, `arraydict-store`, `arraydict` and `arraydict-cli`, and every
//! option struct of theirs, in this one module (but for `errors`' message, which is the command's
//! `arraydict_cli::error_message`): the rest of the crate moves Python objects, not files. The compositions are those of the `arraydict` command (crates/cli/src/commands.rs), so
//! a file gives the same tree here as there.

use std::path::Path;
use std::str::FromStr;

use arraydict::convert::{from_arraydict, to_arraydict, ToArrayDictOptions};
use arraydict::schema::{detect_kind, validate, Kind};
use arraydict::{ArrayDictError, Dict};
use arraydict_store::{Durability, StoreFormat};
use vtk_formats::{Format, ImageFrame};
use vtk_model::DataSet;

use crate::errors::Failure;

/// How a file becomes a tree (`read`'s keyword options).
// Each bool is an independent keyword option, not a state machine in disguise.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug)]
pub struct ReadSettings {
    /// The kind of tree a VTK file gives (`None`: inferred from the dataset).
    pub kind: Option<Kind>,
    /// VMTK's `ConvertCellToPoint`.
    pub cell_to_point: bool,
    /// VMTK's `StructureCellsAsList`.
    pub cells_as_list: bool,
    /// VMTK's `ReturnCellTypesAsStrings`.
    pub type_names: bool,
    /// The world frame of MetaImage geometry.
    pub frame: ImageFrame,
    /// Let a `.mhd` name a data file outside its directory.
    pub allow_external_data_file: bool,
    /// Read uncompressed HDF5 datasets into memory instead of viewing a mapping of the file.
    pub copy: bool,
}

impl ReadSettings {
    /// The settings of a dataset held in memory (`from_vtk`): no file, so no frame (an image is
    /// taken as it is, as a `.vti` is) and no HDF5 mapping.
    #[allow(clippy::fn_params_excessive_bools)]
    pub fn for_dataset(
        kind: Option<Kind>,
        cell_to_point: bool,
        cells_as_list: bool,
        type_names: bool,
    ) -> Self {
        Self {
            kind,
            cell_to_point,
            cells_as_list,
            type_names,
            frame: ImageFrame::Lps,
            allow_external_data_file: false,
            copy: false,
        }
    }
}

/// How a tree becomes a file (`write`'s keyword options).
#[derive(Clone, Debug)]
pub struct WriteSettings {
    /// The kind of the tree (`None`: detected from its keys).
    pub kind: Option<Kind>,
    /// The output format (`None`: from the extension).
    pub format: Option<OutputFormat>,
    /// ArrayDict file options.
    pub store: arraydict_store::WriteOptions,
    /// VTK file options.
    pub vtk: vtk_formats::WriteOptions,
}

/// The two families of output files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// An ArrayDict file.
    Store(StoreFormat),
    /// A VTK file.
    Vtk(Format),
}

/// Parses a kind name (`"surface"`, `"centerlines"`, `"image"`, `"mesh"`).
pub fn parse_kind(name: &str) -> Result<Kind, Failure> {
    Kind::from_str(name).map_err(|_| {
        Failure::Argument(format!(
            "kind={name:?}: expected 'surface', 'centerlines', 'image' or 'mesh'"
        ))
    })
}

/// The name of a kind.
pub fn kind_name(kind: Kind) -> &'static str {
    kind.name()
}

/// Parses a frame name (`"ras"`, VMTK's, or `"lps"`, the file's own).
pub fn parse_frame(name: &str) -> Result<ImageFrame, Failure> {
    match name.to_ascii_lowercase().as_str() {
        "ras" => Ok(ImageFrame::Ras),
        "lps" => Ok(ImageFrame::Lps),
        _ => Err(Failure::Argument(format!(
            "frame={name:?}: expected 'ras' (VMTK's view) or 'lps' (the file's own numbers)"
        ))),
    }
}

/// Parses an output format name: a store format or a VTK one.
pub fn parse_format(name: &str) -> Result<OutputFormat, Failure> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "pickle" | "pkl" => OutputFormat::Store(StoreFormat::Pickle),
        "hdf5" | "h5" => OutputFormat::Store(StoreFormat::Hdf5),
        "msgpack" | "mpk" => OutputFormat::Store(StoreFormat::MessagePack),
        "vtp" => OutputFormat::Vtk(Format::Vtp),
        "vtu" => OutputFormat::Vtk(Format::Vtu),
        "vti" => OutputFormat::Vtk(Format::Vti),
        "vtk" => OutputFormat::Vtk(Format::LegacyVtk),
        "mha" => OutputFormat::Vtk(Format::MetaImage),
        "stl" => OutputFormat::Vtk(Format::Stl),
        _ => {
            return Err(Failure::Argument(format!(
                "format={name:?}: expected one of 'hdf5', 'pickle', 'msgpack', 'vtp', 'vtu', \
                 'vti', 'vtk', 'mha', 'stl'"
            )))
        }
    })
}

/// The keyword options of `write` that the `arraydict` command also has, as strings and numbers.
#[derive(Clone, Debug)]
// One field per flag of the command (`--legacy-ascii`, `--stl-ascii`, ...), as its arguments are.
#[allow(clippy::struct_excessive_bools)]
pub struct WriteArgs<'a> {
    /// `hdf5` compression: `"gzip"` or `"none"`.
    pub compression: &'a str,
    /// gzip level 0-9.
    pub level: u8,
    /// Pickle protocol 2-5.
    pub pickle_protocol: u8,
    /// `"zlib"`, `"lz4"`, `"lzma"` or `"none"`.
    pub xml_compression: &'a str,
    /// Level 0-9 of the zlib or LZMA compressor (`None`: the command's default).
    pub xml_level: Option<u32>,
    /// `"appended-raw"`, `"appended-base64"`, `"inline-base64"` or `"ascii"`.
    pub xml_encoding: &'a str,
    /// `"4.2"` or `"5.1"`.
    pub legacy_version: &'a str,
    /// Legacy `.vtk` as text.
    pub legacy_ascii: bool,
    /// MetaImage data uncompressed.
    pub meta_uncompressed: bool,
    /// STL as text.
    pub stl_ascii: bool,
    /// The frame of the tree's image geometry, for MetaImage output.
    pub frame: ImageFrame,
    /// Flush to disk before the rename.
    pub sync: bool,
}

/// A choice named as the command names it (`"appended-raw"`, `"4.2"`), ignoring case.
fn choice<T: arraydict_cli::ValueEnum>(
    name: &str,
    option: &str,
    expected: &str,
) -> Result<T, Failure> {
    arraydict_cli::parse_choice(name)
        .ok_or_else(|| Failure::Argument(format!("{option}={name:?}: expected {expected}")))
}

/// The write options: the `arraydict` command's own (`arraydict_cli::store_options` and
/// `vtk_options`, with its defaults where the libraries' differ: binary legacy files, compressed
/// MetaImage, the zlib level), from the keyword options' names.
pub fn write_settings(
    kind: Option<Kind>,
    format: Option<OutputFormat>,
    a: &WriteArgs<'_>,
) -> Result<WriteSettings, Failure> {
    if a.level > 9 {
        return Err(Failure::Argument(format!(
            "level={}: expected 0 to 9",
            a.level
        )));
    }
    if let Some(level) = a.xml_level.filter(|&l| l > 9) {
        return Err(Failure::Argument(format!(
            "xml_level={level}: expected 0 to 9"
        )));
    }
    if !(2..=5).contains(&a.pickle_protocol) {
        return Err(Failure::Argument(format!(
            "pickle_protocol={}: expected 2 to 5 (4, the default, loads in numpy 1.x and 2.x)",
            a.pickle_protocol
        )));
    }
    let run = arraydict_cli::RunContext {
        durability: if a.sync {
            Durability::Synced
        } else {
            Durability::Atomic
        },
        no_map: false,
        ..arraydict_cli::RunContext::default()
    };
    let store_args = arraydict_cli::StoreOptions {
        format: None,
        compression: choice(a.compression, "compression", "'gzip' or 'none'")?,
        level: a.level,
        pickle_protocol: a.pickle_protocol,
    };
    let vtk_args = arraydict_cli::VtkWriteArgs {
        xml_encoding: choice(
            a.xml_encoding,
            "xml_encoding",
            "'appended-raw', 'appended-base64', 'inline-base64' or 'ascii'",
        )?,
        xml_compression: choice(
            a.xml_compression,
            "xml_compression",
            "'zlib', 'lz4', 'lzma' or 'none'",
        )?,
        legacy_version: choice(a.legacy_version, "legacy_version", "'4.2' or '5.1'")?,
        legacy_ascii: a.legacy_ascii,
        meta_uncompressed: a.meta_uncompressed,
        stl_ascii: a.stl_ascii,
        xml_level: a.xml_level,
    };
    let mut store = arraydict_cli::store_options(&store_args, None, &run);
    let mut vtk = arraydict_cli::vtk_options(&vtk_args, a.frame, &run);
    if let Some(OutputFormat::Vtk(f)) = format {
        vtk.format = Some(f);
    }
    if let Some(OutputFormat::Store(f)) = format {
        store.format = Some(f);
    }
    Ok(WriteSettings {
        kind,
        format,
        store,
        vtk,
    })
}

/// True when `path` names an ArrayDict file (by its extension): the command's own test.
fn is_store_file(path: &Path) -> bool {
    arraydict_cli::is_store_file(path)
}

/// Whether the output is an ArrayDict file (`Some(true)`), a VTK one (`Some(false)`), or unknown.
fn output_is_store(path: &Path, format: Option<OutputFormat>) -> Result<bool, Failure> {
    match format {
        Some(OutputFormat::Store(_)) => Ok(true),
        Some(OutputFormat::Vtk(_)) => Ok(false),
        None if is_store_file(path) => Ok(true),
        None => {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if Format::from_extension(ext).is_some() || ext.eq_ignore_ascii_case("mhd") {
                Ok(false)
            } else {
                Err(Failure::Argument(format!(
                    "{}: cannot choose a writer for extension '{ext}'; expected .vtp, .vtu, .vti, \
                     .vtk, .mha, .mhd, .stl, .hdf5/.h5, .pickle/.pkl or .msgpack/.mpk, or pass \
                     format=",
                    path.display()
                )))
            }
        }
    }
}

/// Reads a VTK file and converts it to its tree, as `arraydict to-numpy` does.
fn vtk_to_tree(path: &Path, s: &ReadSettings) -> Result<Dict, Failure> {
    let read = vtk_formats::ReadOptions {
        frame: s.frame,
        allow_external_data_files: s.allow_external_data_file,
        ..vtk_formats::ReadOptions::default()
    };
    let ds = vtk_formats::read(path, &read).map_err(Failure::format)?;
    dataset_to_tree(ds, s, path)
}

/// The tree of a dataset held in memory (a live VTK object's, see `vtk_objects`), converted as
/// `read` converts a file's; `what` names the object in errors.
pub fn dataset_to_tree(ds: DataSet, s: &ReadSettings, what: &Path) -> Result<Dict, Failure> {
    let kind = s.kind.unwrap_or_else(|| Kind::infer(&ds));
    let conv = ToArrayDictOptions {
        cell_to_point: s.cell_to_point,
        cells_as_list: s.cells_as_list,
        cell_types_as_strings: s.type_names,
    };
    to_arraydict(ds, kind, &conv).map_err(|e| tree_failure(what, &e))
}

/// The dataset of a tree (its kind given, or detected from its keys), checked as `write` checks
/// it before writing a VTK file.
pub fn tree_to_dataset(tree: Dict, kind: Option<Kind>) -> Result<DataSet, Failure> {
    let kind = kind_of(&tree, kind)?;
    from_arraydict(tree, kind).map_err(|e| match e {
        ArrayDictError::Invalid { ref problems, .. } => Failure::Invalid {
            message: e.to_string(),
            problems: problems.iter().map(ToString::to_string).collect(),
        },
        other => Failure::Tree(other.to_string()),
    })
}

/// Reads an ArrayDict file.
fn read_store(path: &Path, copy: bool) -> Result<Dict, Failure> {
    let opts = arraydict_store::ReadOptions {
        no_map: copy,
        ..arraydict_store::ReadOptions::default()
    };
    arraydict_store::read(path, &opts).map_err(Failure::store)
}

/// The tree of any file: an ArrayDict file's, or the one a VTK file converts to.
pub fn read_file(path: &Path, s: &ReadSettings) -> Result<Dict, Failure> {
    if is_store_file(path) {
        read_store(path, s.copy)
    } else {
        vtk_to_tree(path, s)
    }
}

/// The kind of `tree`: given, or detected from its keys.
fn kind_of(tree: &Dict, kind: Option<Kind>) -> Result<Kind, Failure> {
    kind.or_else(|| detect_kind(tree))
        .ok_or_else(|| Failure::Invalid {
            message:
                "/: cannot tell the kind from the keys (expected surface, centerlines, image or \
                  mesh keys); pass kind="
                    .into(),
            problems: vec![
            "/: cannot tell the kind from the keys (expected surface, centerlines, image or mesh \
             keys); pass kind="
                .into(),
        ],
        })
}

/// A tree-layer error of the file `path`: schema problems keep their list.
fn tree_failure(path: &Path, e: &ArrayDictError) -> Failure {
    match e {
        ArrayDictError::Invalid { problems, .. } => Failure::Invalid {
            message: format!("{}: {e}", path.display()),
            problems: problems.iter().map(ToString::to_string).collect(),
        },
        _ => Failure::Tree(format!("{}: {e}", path.display())),
    }
}

/// Checks `tree` against its kind's schema (given, or detected from its keys).
pub fn validate_tree(tree: &Dict, kind: Option<Kind>) -> Result<(), Failure> {
    let kind = kind_of(tree, kind)?;
    validate(tree, kind).map_err(|e| match e {
        ArrayDictError::Invalid { ref problems, .. } => Failure::Invalid {
            message: e.to_string(),
            problems: problems.iter().map(ToString::to_string).collect(),
        },
        other => Failure::Tree(other.to_string()),
    })
}

/// The kind `tree`'s keys say, if any.
pub fn detect(tree: &Dict) -> Option<Kind> {
    detect_kind(tree)
}

/// Writes `tree` to `path` (atomically), after checking it against its kind's schema.
pub fn write_tree(tree: Dict, path: &Path, s: &WriteSettings) -> Result<(), Failure> {
    if output_is_store(path, s.format)? {
        validate_tree(&tree, s.kind)?;
        arraydict_store::write(path, &tree, &s.store).map_err(Failure::store)
    } else {
        let kind = kind_of(&tree, s.kind)?;
        // `from_arraydict` validates first (validating here too would read every array twice).
        let ds = from_arraydict(tree, kind).map_err(|e| match e {
            ArrayDictError::Invalid { ref problems, .. } => Failure::Invalid {
                message: e.to_string(),
                problems: problems.iter().map(ToString::to_string).collect(),
            },
            other => Failure::Tree(format!("{}: {other}", path.display())),
        })?;
        vtk_formats::write(path, &ds, &s.vtk).map_err(Failure::format)
    }
}

/// Converts the file `src` to `dst` without building Python objects: a VTK file to an ArrayDict
/// file (`arraydict to-numpy`), an ArrayDict file to a VTK file (`arraydict from-numpy`), or
/// either to another file of its own family. `cancelled` is asked between reading and writing.
pub fn convert(
    src: &Path,
    dst: &Path,
    r: &ReadSettings,
    w: &WriteSettings,
    cancelled: &dyn Fn() -> bool,
) -> Result<(), Failure> {
    let to_store = output_is_store(dst, w.format)?;
    match (is_store_file(src), to_store) {
        (false, true) => {
            let tree = vtk_to_tree(src, r)?;
            if cancelled() {
                return Err(Failure::Interrupted);
            }
            arraydict_store::write(dst, &tree, &w.store).map_err(Failure::store)
        }
        (true, false) => {
            let tree = read_store(src, r.copy)?;
            let kind = w.kind.or_else(|| detect_kind(&tree)).ok_or_else(|| {
                Failure::Tree(format!(
                    "{}: cannot tell the kind of this tree from its keys; pass kind=",
                    src.display()
                ))
            })?;
            let ds = from_arraydict(tree, kind).map_err(|e| tree_failure(src, &e))?;
            if cancelled() {
                return Err(Failure::Interrupted);
            }
            vtk_formats::write(dst, &ds, &w.vtk).map_err(Failure::format)
        }
        (false, false) => {
            let read = vtk_formats::ReadOptions {
                frame: r.frame,
                allow_external_data_files: r.allow_external_data_file,
                ..vtk_formats::ReadOptions::default()
            };
            let ds = vtk_formats::read(src, &read).map_err(Failure::format)?;
            if cancelled() {
                return Err(Failure::Interrupted);
            }
            vtk_formats::write(dst, &ds, &w.vtk).map_err(Failure::format)
        }
        (true, true) => {
            let tree = read_store(src, r.copy)?;
            if cancelled() {
                return Err(Failure::Interrupted);
            }
            arraydict_store::write(dst, &tree, &w.store).map_err(Failure::store)
        }
    }
}

/// Removes the temporary files of every write in flight in this process (an interrupted call's
/// output never appears; see `worker`).
pub fn remove_temporaries_in_flight() -> usize {
    atomic_output::remove_temporaries_in_flight().count()
}

/// Runs the `arraydict` command (`argv[0]` is the program name) in this process, with its signal
/// handling installed, and returns its exit code; a panic (its message printed by the hook) gives
/// 101, as a Rust binary's does.
pub fn run_command(argv: Vec<std::ffi::OsString>) -> u8 {
    std::panic::catch_unwind(move || arraydict_cli::run(argv, arraydict_cli::Signals::Install))
        .unwrap_or(101)
}
