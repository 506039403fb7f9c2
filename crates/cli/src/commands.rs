//! `to-numpy`, `from-numpy` and `validate`, and the conversions `batch` and `inspect` reuse.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use arraydict::convert::{from_arraydict, to_arraydict, ToArrayDictOptions};
use arraydict::schema::{detect_kind, validate as validate_tree, Kind};
use arraydict::Dict;
use arraydict_store::{Compression, StoreFormat};
use vtk_formats::{ImageFrame, ReadOptions};

use crate::args::{
    Cli, CompressionArg, FrameArg, FromNumpyArgs, KindArg, LegacyVersionArg, StoreFormatArg,
    StoreOptions, ToNumpyArgs, ToTreeOptions, ValidateArgs, VtkFormatArg, VtkWriteArgs,
    XmlCompressionArg, XmlEncodingArg,
};
use crate::interrupt;
use crate::options::{self, GivenOptions};
use crate::paths::{check_input, check_output, is_store_file};

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Surface => Kind::Surface,
            KindArg::Centerlines => Kind::Centerlines,
            KindArg::Image => Kind::Image,
            KindArg::Mesh => Kind::Mesh,
        }
    }
}

impl From<FrameArg> for ImageFrame {
    fn from(f: FrameArg) -> Self {
        match f {
            FrameArg::Ras => ImageFrame::Ras,
            FrameArg::Lps => ImageFrame::Lps,
        }
    }
}

/// True for the path `-`: standard input as an input, standard output as an output.
pub fn is_std_stream(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How standard input is named in messages.
const STDIN: &str = "<stdin>";

/// The path as messages name it (`-` is standard input or output).
fn shown(path: &Path, stream: &'static str) -> String {
    if is_std_stream(path) {
        stream.into()
    } else {
        path.display().to_string()
    }
}

/// All of standard input, for the readers that parse from memory (a pipe cannot be mapped or
/// seeked as the file readers do), up to `limit` bytes (the readers' allocation limit): an endless
/// stream (`/dev/zero`) is an error, not an endless allocation.
fn read_stdin(limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let stdin = std::io::stdin().lock();
    stdin
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("{STDIN}: cannot read"))?;
    if bytes.len() as u64 > limit {
        bail!(
            "{STDIN}: more than {} on standard input (the readers' limit)",
            vtk_model::byte_size(limit)
        );
    }
    Ok(bytes)
}

/// Reads a VTK file (or standard input, `-`) and converts it to the ArrayDict VMTK's
/// `vmtk*tonumpy` would give.
pub fn vtk_to_tree(input: &Path, opts: &ToTreeOptions) -> Result<(Dict, Kind)> {
    let read = ReadOptions {
        frame: opts.frame.into(),
        allow_external_data_files: opts.allow_external_data_file,
        ..ReadOptions::default()
    };
    let ds = if is_std_stream(input) {
        vtk_formats::read_bytes(&read_stdin(read.max_alloc)?, Path::new(STDIN), &read)?
    } else {
        vtk_formats::read(input, &read)?
    };
    let kind = opts.kind.map_or_else(|| Kind::infer(&ds), Kind::from);
    let conv = ToArrayDictOptions {
        cell_to_point: opts.cell_to_point,
        cells_as_list: opts.cells_as_list,
        cell_types_as_strings: !opts.no_type_names,
    };
    let tree =
        to_arraydict(ds, kind, &conv).map_err(|e| anyhow!("{}: {e}", shown(input, STDIN)))?;
    Ok((tree, kind))
}

/// Reads an ArrayDict file (any store format), or standard input (`-`: pickle or MessagePack).
pub fn read_tree(input: &Path, run: &RunContext) -> Result<Dict> {
    let opts = arraydict_store::ReadOptions {
        no_map: run.no_map,
        ..arraydict_store::ReadOptions::default()
    };
    if is_std_stream(input) {
        return Ok(arraydict_store::read_bytes(
            &read_stdin(opts.pickle.max_alloc)?,
            Path::new(STDIN),
            &opts,
        )?);
    }
    Ok(arraydict_store::read(input, &opts)?)
}

/// The checks before a conversion from `input` to `output`, either of which may be `-`.
fn check_paths(input: &Path, output: &Path) -> Result<()> {
    if !is_std_stream(input) {
        check_input(input)?;
    }
    if !is_std_stream(output) {
        check_output(input, output)?;
    }
    Ok(())
}

/// The tree of FILE: read from an ArrayDict file, or converted from a VTK file.
pub fn any_to_tree(
    file: &Path,
    opts: &ToTreeOptions,
    run: &RunContext,
) -> Result<(Dict, Option<Kind>)> {
    check_input(file)?;
    if is_store_file(file) {
        options::check_store_input(file, &run.given)?;
        let tree = read_tree(file, run)?;
        let kind = opts.kind.map(Kind::from).or_else(|| detect_kind(&tree));
        Ok((tree, kind))
    } else {
        options::check_vtk_input(file, &run.given)?;
        let (tree, kind) = vtk_to_tree(file, opts)?;
        options::check_kind(kind, &run.given)?;
        Ok((tree, Some(kind)))
    }
}

/// The command line's choices that hold for the whole run (`--sync`, `--no-map`,
/// `--no-clobber`, the options given), made once by [`crate::run`] and handed to every command
/// that reads or writes.
#[derive(Clone, Debug, Default)]
pub struct RunContext {
    /// `--sync`: whether outputs are flushed to disk before they are renamed into place.
    pub durability: arraydict_store::Durability,
    /// `--no-map`: read uncompressed HDF5 datasets into memory instead of mapping the file.
    pub no_map: bool,
    /// `--no-clobber`: keep an existing output (and fail) instead of replacing it.
    pub existing: arraydict_store::Existing,
    /// The options the user wrote, which are refused where they cannot apply (none for a host
    /// that builds its own context).
    pub given: GivenOptions,
}

impl RunContext {
    /// The run's context from the parsed command line (its options before the subcommand and
    /// after it).
    pub fn from_cli(cli: &Cli) -> Self {
        let write = cli.command.write_run();
        let sync = cli.sync || write.is_some_and(|w| w.sync);
        let no_clobber = write.is_some_and(|w| w.no_clobber);
        Self {
            durability: if sync {
                arraydict_store::Durability::Synced
            } else {
                arraydict_store::Durability::Atomic
            },
            no_map: cli.no_map || cli.command.read_run().is_some_and(|r| r.no_map),
            existing: if no_clobber {
                arraydict_store::Existing::Keep
            } else {
                arraydict_store::Existing::Replace
            },
            given: GivenOptions::default(),
        }
    }

    /// True with `--no-clobber`.
    pub fn no_clobber(&self) -> bool {
        self.existing == arraydict_store::Existing::Keep
    }
}

/// Store write options from the command line (also the Python package's `write`/`convert`).
pub fn store_options(
    s: &StoreOptions,
    default_format: Option<StoreFormat>,
    run: &RunContext,
) -> arraydict_store::WriteOptions {
    let mut o = arraydict_store::WriteOptions {
        format: s
            .format
            .map(|f| match f {
                StoreFormatArg::Pickle => StoreFormat::Pickle,
                StoreFormatArg::Hdf5 => StoreFormat::Hdf5,
                StoreFormatArg::Msgpack => StoreFormat::MessagePack,
            })
            .or(default_format),
        compression: match s.compression {
            CompressionArg::Gzip => Compression::Gzip(s.level),
            CompressionArg::None => Compression::None,
        },
        durability: run.durability,
        existing: run.existing,
        ..arraydict_store::WriteOptions::default()
    };
    o.pickle.protocol = s.pickle_protocol;
    o
}

/// VTK write options from the command line (also the Python package's `write`/`convert`):
/// the command's defaults are its clap defaults (binary legacy files, compressed MetaImage).
pub fn vtk_options(
    v: &VtkWriteArgs,
    frame: ImageFrame,
    run: &RunContext,
) -> vtk_formats::WriteOptions {
    use vtk_formats::xml::{XmlCompression, XmlEncoding};
    let mut o = vtk_formats::WriteOptions::default();
    o.xml.encoding = match v.xml_encoding {
        XmlEncodingArg::AppendedRaw => XmlEncoding::AppendedRaw,
        XmlEncodingArg::AppendedBase64 => XmlEncoding::AppendedBase64,
        XmlEncodingArg::InlineBase64 => XmlEncoding::InlineBase64,
        XmlEncodingArg::Ascii => XmlEncoding::Ascii,
    };
    o.xml.compression = match v.xml_compression {
        XmlCompressionArg::Zlib => match vtk_formats::xml::XmlWriteOptions::default().compression {
            XmlCompression::Zlib(default) => XmlCompression::Zlib(v.xml_level.unwrap_or(default)),
            _ => XmlCompression::Zlib(v.xml_level.unwrap_or(6)),
        },
        XmlCompressionArg::Lz4 => XmlCompression::Lz4,
        XmlCompressionArg::Lzma => XmlCompression::Lzma(v.xml_level.unwrap_or(LZMA_DEFAULT_LEVEL)),
        XmlCompressionArg::None => XmlCompression::None,
    };
    o.legacy.version = match v.legacy_version {
        LegacyVersionArg::V42 => vtk_formats::LegacyVersion::V4_2,
        LegacyVersionArg::V51 => vtk_formats::LegacyVersion::V5_1,
    };
    o.legacy.binary = !v.legacy_ascii;
    o.metaimage.compress = !v.meta_uncompressed;
    o.metaimage.frame = frame;
    o.stl.ascii = v.stl_ascii;
    o.durability = run.durability;
    o.existing = run.existing;
    o
}

/// `arraydict to-numpy`.
pub fn to_numpy(a: &ToNumpyArgs, run: &RunContext) -> Result<u8> {
    check_paths(&a.input, &a.output)?;
    if is_store_file(&a.input) {
        bail!("{}: already an ArrayDict file; to-numpy reads VTK files (.vtp .vtu .vti .vtk .mha .mhd .stl); use from-numpy to convert it to VTK", a.input.display());
    }
    let format = options::check_store_output(&a.output, a.store.format, &run.given)?;
    options::check_vtk_input(&a.input, &run.given)?;
    if let Some(kind) = a.tree.kind {
        options::check_kind(kind.into(), &run.given)?;
    }
    if format.is_none() {
        if is_std_stream(&a.output) {
            bail!("-o -: standard output has no extension to take the format from; pass --format pickle, hdf5 or msgpack");
        }
        StoreFormat::from_extension(&a.output)?;
    }
    options::check_no_clobber(&a.output, run.no_clobber())?;
    let opts = store_options(&a.store, None, run);
    interrupt::set_progress(interrupt::Progress::single(
        &a.output,
        shown(&a.output, "standard output"),
        1,
    ));
    let (tree, kind) = vtk_to_tree(&a.input, &a.tree)?;
    options::check_kind(kind, &run.given)?;
    arraydict_store::write(&a.output, &tree, &opts).map_err(|e| refused_if_kept(e.into(), run))?;
    free_at_exit(tree);
    Ok(0)
}

/// A `--no-clobber` write that met a file at its output (one that appeared during the run, or a
/// `.mhd`'s data file, which the check before the run does not look for; the commit's rename does
/// not replace it) is refused as the check before the run refuses an existing output.
fn refused_if_kept(e: anyhow::Error, run: &RunContext) -> anyhow::Error {
    let kept = run.no_clobber()
        && e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::AlreadyExists)
        });
    if kept {
        // The error itself prints the file that was there (a `.mhd`'s data file, say).
        options::Refused::new("--no-clobber", format!("{e} exists; not replaced")).into()
    } else {
        e
    }
}

/// Leaves `data` to the kernel, for a command that ends the process next: it frees every page at
/// exit anyway, and freeing them first took 1.2 ms of a 27 ms HDF5 -> raw `.vtp` run (one
/// `munmap` per block, presumably each interrupting the pool's threads to flush their TLBs).
/// Only for data dropped just before [`crate::run`] returns (its process ends next).
fn free_at_exit<T>(data: T) {
    std::mem::forget(data);
}

/// Converts a tree to a VTK dataset after validating it.
pub fn tree_to_vtk(
    input: &Path,
    tree: Dict,
    kind: Option<Kind>,
) -> Result<(vtk_model::DataSet, Kind)> {
    let kind = kind.or_else(|| detect_kind(&tree)).ok_or_else(|| {
        anyhow!(
            "{}: cannot tell the kind of this tree from its keys; pass --kind",
            input.display()
        )
    })?;
    // `from_arraydict` validates the tree first (doing it here too read every array twice).
    let ds = from_arraydict(tree, kind).map_err(|e| anyhow!("{}: {e}", input.display()))?;
    Ok((ds, kind))
}

impl From<VtkFormatArg> for vtk_formats::Format {
    fn from(f: VtkFormatArg) -> Self {
        match f {
            VtkFormatArg::Vtp => Self::Vtp,
            VtkFormatArg::Vtu => Self::Vtu,
            VtkFormatArg::Vti => Self::Vti,
            VtkFormatArg::Vtk => Self::LegacyVtk,
            VtkFormatArg::Mha => Self::MetaImage,
            VtkFormatArg::Stl => Self::Stl,
        }
    }
}

/// VTK's writers compress LZMA at level 5 unless told otherwise (`vtkXMLWriter`'s
/// `CompressionLevel`); files written with our default then compare with theirs.
const LZMA_DEFAULT_LEVEL: u32 = 5;

/// `arraydict from-numpy`.
pub fn from_numpy(a: &FromNumpyArgs, run: &RunContext) -> Result<u8> {
    check_paths(&a.input, &a.output)?;
    if !is_std_stream(&a.input) && is_vtk_file(&a.input) {
        bail!("{}: a VTK file; from-numpy reads ArrayDict files (.pickle .hdf5 .msgpack); use to-numpy to convert it to an ArrayDict", a.input.display());
    }
    let format = options::check_vtk_output(&a.output, a.format, &run.given)?;
    options::check_xml_level(&a.vtk, &run.given)?;
    if a.format.is_none() && is_std_stream(&a.output) {
        bail!("-o -: standard output has no extension to take the format from; pass --format vtp, vtu, vti, vtk, mha or stl");
    }
    options::check_no_clobber(&a.output, run.no_clobber())?;
    let mut opts = vtk_options(&a.vtk, a.frame.into(), run);
    opts.format = a.format.map(vtk_formats::Format::from);
    interrupt::set_progress(interrupt::Progress::single(
        &a.output,
        shown(&a.output, "standard output"),
        vtk_formats::files_written(&a.output, &opts),
    ));
    let tree = read_tree(&a.input, run)?;
    let (ds, _) = tree_to_vtk(
        Path::new(&shown(&a.input, STDIN)),
        tree,
        a.kind.map(Kind::from),
    )?;
    let ds = fit_output(ds, format, &shown(&a.output, "standard output"))?;
    vtk_formats::write(&a.output, &ds, &opts).map_err(|e| refused_if_kept(e.into(), run))?;
    free_at_exit(ds);
    Ok(0)
}

/// True when the path's extension names a VTK format (`.vtp`, `.mhd`, ...).
fn is_vtk_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    vtk_formats::Format::from_extension(ext).is_some() || ext.eq_ignore_ascii_case("mhd")
}

/// The dataset as `format` can hold it, saying on standard error, once, what the output loses
/// or how it changes: a surface written as `.vtu` becomes an unstructured grid (as
/// `vtkAppendFilter` makes it); STL keeps no arrays and triangles only.
pub fn fit_output(
    ds: vtk_model::DataSet,
    format: Option<vtk_formats::Format>,
    output: &str,
) -> Result<vtk_model::DataSet> {
    use vtk_formats::Format;
    use vtk_model::DataSet;
    match (format, ds) {
        (Some(Format::Vtu), DataSet::PolyData(pd)) => {
            eprintln!("arraydict: note: {output}: the surface is written as an UnstructuredGrid (one VTK cell per polydata cell, as vtkAppendFilter makes it)");
            let grid = vtk_model::UnstructuredGrid::from_poly_data(pd)
                .map_err(|e| anyhow!("{output}: {e}"))?;
            Ok(DataSet::UnstructuredGrid(grid))
        }
        (Some(Format::Stl), DataSet::PolyData(pd)) => {
            let mut lost = Vec::new();
            for (association, arrays) in [("point", pd.point_data()), ("cell", pd.cell_data())] {
                if !arrays.is_empty() {
                    let names: Vec<&str> = arrays.iter().map(vtk_model::DataArray::name).collect();
                    lost.push(format!("{association} arrays {}", names.join(", ")));
                }
            }
            if !lost.is_empty() {
                eprintln!(
                    "arraydict: note: {output}: STL has no arrays; not written: {}",
                    lost.join("; ")
                );
            }
            let split = vtk_formats::stl::polygons_split(&pd);
            if split > 0 {
                let (polygons, are) = if split == 1 {
                    ("polygon", "is")
                } else {
                    ("polygons", "are")
                };
                eprintln!("arraydict: note: {output}: STL holds triangles only; {split} {polygons} of more than 3 points {are} split into triangles");
            }
            Ok(DataSet::PolyData(pd))
        }
        (_, ds) => Ok(ds),
    }
}

/// Writes to stdout; a closed pipe (`arraydict inspect f | head`) is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// What `validate` found for one file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Valid,
    Invalid,
}

/// Validates one file, printing its line (or one line per problem).
fn validate_one(file: &Path, opts: &ToTreeOptions, run: &RunContext) -> Result<Verdict> {
    let (tree, kind) = any_to_tree(file, opts, run)?;
    let Some(kind) = kind else {
        print_stdout(&format!(
            "{}: /: cannot tell the kind from the keys (expected surface, centerlines, image or mesh keys); pass --kind\n",
            file.display()
        ))?;
        return Ok(Verdict::Invalid);
    };
    match validate_tree(&tree, kind) {
        Ok(()) => {
            print_stdout(&format!("{}: valid {kind}\n", file.display()))?;
            Ok(Verdict::Valid)
        }
        Err(arraydict::ArrayDictError::Invalid { problems, .. }) => {
            let shown = file.display();
            let lines: String = problems.iter().fold(String::new(), |mut s, p| {
                let _ = writeln!(s, "{shown}: {p}");
                s
            });
            print_stdout(&lines)?;
            Ok(Verdict::Invalid)
        }
        Err(e) => Err(anyhow!("{}: {e}", file.display())),
    }
}

/// `arraydict validate`: every file is checked, even after one fails (as `h5ls` lists every file);
/// several files end with a summary line. Exit 1 when any is invalid or unreadable.
pub fn validate(a: &ValidateArgs, run: &RunContext) -> Result<u8> {
    if let [file] = a.files.as_slice() {
        // One file: its line, and a read error as the command's error.
        return Ok(u8::from(
            validate_one(file, &a.tree, run)? == Verdict::Invalid,
        ));
    }
    let (mut valid, mut invalid, mut unreadable) = (0usize, 0usize, 0usize);
    for file in &a.files {
        match validate_one(file, &a.tree, run) {
            Ok(Verdict::Valid) => valid += 1,
            Ok(Verdict::Invalid) => invalid += 1,
            Err(e) => {
                unreadable += 1;
                // Flushed in order with the results on standard output.
                let _ = std::io::Write::flush(&mut std::io::stdout());
                eprintln!("arraydict: error: {}", crate::error_message(e.as_ref()));
            }
        }
    }
    let mut summary = format!("{} files: {valid} valid, {invalid} invalid", a.files.len());
    if unreadable > 0 {
        let _ = write!(summary, ", {unreadable} unreadable");
    }
    print_stdout(&format!("{summary}\n"))?;
    Ok(u8::from(invalid + unreadable > 0))
}
