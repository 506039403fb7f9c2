//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Move vascular-modeling data between VTK files and ArrayDicts (HDF5, pickle, MessagePack).
#[derive(Parser, Debug)]
#[command(name = "arraydict", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// `--threads` before the subcommand, as earlier versions took it (hidden: each subcommand
    /// that uses it lists it).
    #[arg(long, value_name = "N", hide = true)]
    pub threads: Option<usize>,
    /// `--sync` before the subcommand (hidden, as `--threads`).
    #[arg(long, hide = true)]
    pub sync: bool,
    /// `--no-map` before the subcommand (hidden, as `--threads`).
    #[arg(long, hide = true)]
    pub no_map: bool,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Examples:
  arraydict to-numpy aorta-surface.vtp -o aorta_surface.hdf5
  arraydict from-numpy aorta_surface.pickle -o surface.vtp
  arraydict inspect aorta.mha
  arraydict validate centerlines.hdf5 --kind centerlines
  arraydict batch 'cases/*.vtp' -o out/ --format pickle
  arraydict completions bash > ~/.local/share/bash-completion/completions/arraydict

VMTK equivalents:
  vmtksurfacetonumpy -ifile s.vtp --pipe vmtknumpywriter -ofile s.hdf5 -format hdf5
      = arraydict to-numpy s.vtp -o s.hdf5
  vmtknumpyreader -ifile s.pickle --pipe vmtknumpytosurface -ofile s.vtp
      = arraydict from-numpy s.pickle -o s.vtp";

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Convert a VTK file (.vtp .vtu .vti .vtk .mha .mhd .stl) to an ArrayDict file.
    // A fixed usage line: clap's own adds the options used (`--frame <FRAME>`) to the usage of a
    // usage error, as if they were required.
    #[command(override_usage = "arraydict to-numpy [OPTIONS] -o <OUTPUT> <INPUT>")]
    #[command(after_help = "\
Examples:
  arraydict to-numpy aorta-surface.vtp -o aorta_surface.hdf5
  arraydict to-numpy aorta-centerlines.vtp -o cl.pickle --cell-to-point
  arraydict to-numpy aorta.mha -o aorta.h5 --compression none --frame lps
  arraydict to-numpy mesh.vtu -o mesh.msgpack --cells-as-list
  cat surface.vtp | arraydict to-numpy - -o - --format pickle > surface.pickle")]
    ToNumpy(ToNumpyArgs),
    /// Convert an ArrayDict file (.pickle .hdf5 .msgpack; ours, VMTK's or Python's) to a VTK file.
    #[command(override_usage = "arraydict from-numpy [OPTIONS] -o <OUTPUT> <INPUT>")]
    #[command(after_help = "\
Examples:
  arraydict from-numpy aorta_surface.pickle -o surface.vtp
  arraydict from-numpy aorta.hdf5 -o aorta.mha
  arraydict from-numpy mesh.h5 -o mesh.vtu --xml-compression lz4
  arraydict from-numpy surface.hdf5 -o surface.vtk --legacy-version 4.2 --legacy-ascii
  arraydict from-numpy surface.pickle -o - --format vtp | gzip > surface.vtp.gz")]
    FromNumpy(FromNumpyArgs),
    /// Print the tree of ArrayDict files, or of the ArrayDicts VTK files would give.
    #[command(after_help = "\
Each array is listed as: path, numpy dtype, shape, memory order, then its values when it has at
most 9, else its range; NaN and infinite values are counted (nan=1 +inf=2 -inf=1).

Memory orders (how the values lie in memory, which numpy and VTK care about):
  order=C  row-major, numpy's default: the last index varies fastest.
  order=F  column-major (Fortran): the first index varies fastest; VTK images' voxels
           (x fastest) are an F-ordered (nx, ny, nz) array, so they need no copy.
  order=K  another axis order, kept as it is (numpy's order='K'): VTK's 3x3 tensors are
           (n, 3, 3) arrays with their last two axes transposed in memory.

Entries a tree cannot hold (an HDF5 string dataset, a soft link) are listed as
unsupported (why) instead of failing the file.

Examples:
  arraydict inspect aorta_surface.hdf5
  arraydict inspect aorta_surface.hdf5 /CellData --max-items 5
  arraydict inspect a.hdf5 b.pickle c.vtp --depth 1
  arraydict inspect aorta.mha --json")]
    Inspect(InspectArgs),
    /// Check ArrayDicts (files, or the ones VTK files give) against their kind's schema.
    #[command(after_help = "\
Prints \"FILE: valid KIND\", or one line per problem (each naming the file and the key); with
several files, a summary line last (\"3 files: 2 valid, 1 invalid\").
Exit status: 0 when every tree is valid, 1 when any is invalid or cannot be read (all are checked).

Examples:
  arraydict validate aorta_surface.pickle
  arraydict validate mesh.hdf5 --kind mesh
  arraydict validate out/*.hdf5")]
    // The shared tree options' `--kind` text is about producing a tree; here it is the schema.
    #[command(mut_arg("kind", |a| a.help(VALIDATE_KIND_HELP)))]
    Validate(ValidateArgs),
    /// Convert many files (paths, directories, globs) into an output directory, in parallel.
    #[command(override_usage = "arraydict batch [OPTIONS] -o <OUTPUT> <INPUTS>...")]
    #[command(after_help = "\
One direction per run: VTK inputs (.vtp .vtu .vti .vtk .mha .mhd .stl) become ArrayDict files
(--format, default hdf5); with --to FORMAT, ArrayDict inputs (.pickle .pkl .hdf5 .h5 .msgpack
.mpk) become VTK files instead. Files of the other direction found in a directory or by a glob
are skipped and counted; named on the command line, they are refused (exit 2).

Output names: an output keeps its input's path below the directory it was found in (below a
glob's part before its first wildcard; for a file named on the command line, only its name),
with the output's extension: d/a/x.vtp -> OUT/a/x.hdf5. Inputs that would write the same output
keep their own extension as well: x.mha and x.mhd -> OUT/x.mha.hdf5 and OUT/x.mhd.hdf5. Outputs
still shared by several inputs are all listed and the run refused before converting (exit 2).
A name depends only on the run's inputs: adding x.mhd beside x.mha renames x.mha's output.

One bad file does not stop the others: each failure is said as it happens and all are listed
again after the summary; the exit status is 1 when any failed.
Interrupted (Ctrl-C, SIGTERM, SIGHUP), it removes its temporary files, says how many outputs were
finished (each is complete) and exits 130 (143, 129); rerun with --skip-existing to resume: it
converts only the inputs whose output is missing or older than the input.

Examples:
  arraydict batch cases/ -o out/
  arraydict batch cases/ -o out/ --skip-existing
  arraydict batch 'data/**/*.vtp' extra/aorta.mha -o out/ --format pickle
  arraydict batch arraydicts/ -o vtk/ --to vtp")]
    Batch(BatchArgs),
    /// Print a shell completion script (bash, zsh or fish).
    #[command(after_help = "\
Examples:
  source <(arraydict completions bash)
  arraydict completions bash > ~/.local/share/bash-completion/completions/arraydict
  arraydict completions zsh > ~/.zfunc/_arraydict
  arraydict completions fish > ~/.config/fish/completions/arraydict.fish")]
    Completions(CompletionsArgs),
}

impl Command {
    /// The subcommand's name, as the user types it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ToNumpy(_) => "to-numpy",
            Self::FromNumpy(_) => "from-numpy",
            Self::Inspect(_) => "inspect",
            Self::Validate(_) => "validate",
            Self::Batch(_) => "batch",
            Self::Completions(_) => "completions",
        }
    }

    /// The run options of a subcommand that writes outputs.
    pub fn write_run(&self) -> Option<&WriteRunArgs> {
        match self {
            Self::ToNumpy(a) => Some(&a.run),
            Self::FromNumpy(a) => Some(&a.run),
            Self::Batch(a) => Some(&a.run),
            Self::Inspect(_) | Self::Validate(_) | Self::Completions(_) => None,
        }
    }

    /// The read options of a subcommand that reads ArrayDict files.
    pub fn read_run(&self) -> Option<&ReadRunArgs> {
        match self {
            Self::FromNumpy(a) => Some(&a.read),
            Self::Inspect(a) => Some(&a.read),
            Self::Validate(a) => Some(&a.read),
            Self::Batch(a) => Some(&a.read),
            Self::ToNumpy(_) | Self::Completions(_) => None,
        }
    }
}

/// `completions` arguments.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// How a subcommand that writes outputs runs.
#[derive(Args, Debug, Clone, Default)]
pub struct WriteRunArgs {
    /// Worker threads for compression and batch work (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Flush every output to disk before renaming it into place, so it survives a power loss
    /// (slower; without it an output is still never partial and an old file never damaged).
    #[arg(long)]
    pub sync: bool,
    /// Never replace an existing output: refuse before any work when it exists, and keep a file
    /// that appears at the output during the run (the conversion then fails).
    #[arg(long)]
    pub no_clobber: bool,
}

/// How a subcommand that reads ArrayDict files reads them.
#[derive(Args, Debug, Clone, Default)]
pub struct ReadRunArgs {
    /// Copy uncompressed HDF5 datasets into memory instead of reading them in place from a
    /// mapping of the file. Use it when another program may write to or truncate an HDF5 input
    /// during the run.
    #[arg(long)]
    pub no_map: bool,
}

/// `validate --kind`.
const VALIDATE_KIND_HELP: &str = "Kind to check the trees against (default: detected from an ArrayDict's keys, inferred \
from a VTK file's dataset); a tree shaped like another kind is invalid, the message naming that kind";

/// ArrayDict kinds.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindArg {
    /// Triangulated (or polygonal) surface.
    Surface,
    /// Polyline centerlines.
    Centerlines,
    /// Image data.
    Image,
    /// Unstructured mesh.
    Mesh,
}

/// ArrayDict storage formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreFormatArg {
    /// Python pickle (loads with stock numpy 1.x and 2.x).
    #[value(alias = "pkl")]
    Pickle,
    /// HDF5 (h5py reads it).
    #[value(alias = "h5")]
    Hdf5,
    /// MessagePack in msgpack-numpy's encoding.
    #[value(alias = "mpk")]
    Msgpack,
}

/// HDF5 compression.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompressionArg {
    /// Chunked + deflate (VMTK's default, level 4).
    Gzip,
    /// Contiguous, uncompressed.
    None,
}

/// World frame of MetaImage geometry.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameArg {
    /// VMTK's view: origin and direction flipped by diag(-1,-1,1) (default).
    Ras,
    /// The file's own LPS numbers (what vtkMetaImageReader reports).
    Lps,
}

/// Options shared by `to-numpy`, `inspect`, `validate` and `batch` when the input is a VTK file.
// Each bool is an independent command-line switch, not a state machine in disguise.
#[allow(clippy::struct_excessive_bools)]
#[derive(Args, Debug, Clone)]
pub struct ToTreeOptions {
    /// Kind of ArrayDict to produce (default: inferred -- polys or strips: surface; only lines:
    /// centerlines; images: image; unstructured grids: mesh).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Average cell arrays onto points like vtkCellDataToPointData (VMTK's `ConvertCellToPoint`).
    #[arg(long)]
    pub cell_to_point: bool,
    /// Mesh cells as a list of per-cell id arrays (VMTK's `StructureCellsAsList`).
    #[arg(long)]
    pub cells_as_list: bool,
    /// Leave out the mesh `CellTypesAsStrings` dict (VMTK's ReturnCellTypesAsStrings=0).
    #[arg(long)]
    pub no_type_names: bool,
    /// World frame for MetaImage input.
    #[arg(long, value_enum, default_value_t = FrameArg::Ras)]
    pub frame: FrameArg,
    /// Let a `MetaImage` header's `ElementDataFile` be an absolute path or leave the header's
    /// directory (`../x.raw`); refused by default.
    #[arg(long)]
    pub allow_external_data_file: bool,
}

/// Options for writing an ArrayDict file.
#[derive(Args, Debug, Clone)]
pub struct StoreOptions {
    /// Output format (default: from the output extension .pickle/.pkl, .hdf5/.h5, .msgpack/.mpk).
    #[arg(long, value_enum)]
    pub format: Option<StoreFormatArg>,
    /// HDF5 compression.
    #[arg(long, value_enum, default_value_t = CompressionArg::Gzip)]
    pub compression: CompressionArg,
    /// HDF5 gzip level.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(0..=9))]
    pub level: u8,
    /// Pickle protocol (2-5; 5 is what VMTK writes but numpy 1.x cannot load numpy-2 protocol-5 arrays).
    #[arg(
        long,
        default_value_t = arraydict_store::pickle::PickleWriteOptions::DEFAULT_PROTOCOL,
        value_parser = clap::value_parser!(u8).range(2..=5)
    )]
    pub pickle_protocol: u8,
}

/// `to-numpy` arguments.
#[derive(Args, Debug)]
pub struct ToNumpyArgs {
    /// VTK input file; `-` reads standard input (VTK XML, legacy .vtk or STL, recognised by content).
    pub input: PathBuf,
    /// ArrayDict output file; `-` writes to standard output (then --format is required). A symbolic
    /// link is followed; a device or FIFO is written through.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Tree options.
    #[command(flatten)]
    pub tree: ToTreeOptions,
    /// Store options.
    #[command(flatten)]
    pub store: StoreOptions,
    /// How the run goes.
    #[command(flatten, next_help_heading = "Run options")]
    pub run: WriteRunArgs,
}

/// VTK output formats, for outputs whose name has no extension (`-`, a device, a FIFO).
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VtkFormatArg {
    /// VTK XML PolyData (surfaces, centerlines).
    Vtp,
    /// VTK XML UnstructuredGrid (meshes).
    Vtu,
    /// VTK XML ImageData (images).
    Vti,
    /// Legacy VTK (any kind).
    Vtk,
    /// MetaImage with the data in the same file (images).
    Mha,
    /// STL (surfaces; binary unless --stl-ascii).
    Stl,
}

/// VTK XML encodings.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlEncodingArg {
    /// Appended raw binary (fastest, VTK reads it).
    AppendedRaw,
    /// Appended base64 (VTK 9's default).
    AppendedBase64,
    /// Inline base64 (most VMTK files).
    InlineBase64,
    /// Human-readable ASCII.
    Ascii,
}

/// VTK XML compressors.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlCompressionArg {
    /// vtkZLibDataCompressor.
    Zlib,
    /// vtkLZ4DataCompressor.
    Lz4,
    /// vtkLZMADataCompressor.
    Lzma,
    /// Uncompressed.
    None,
}

/// Legacy VTK file versions.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyVersionArg {
    /// Version 4.2 (read by every VTK).
    #[value(name = "4.2")]
    V42,
    /// Version 5.1 (VTK >= 9).
    #[value(name = "5.1")]
    V51,
}

/// `from-numpy` arguments.
#[derive(Args, Debug)]
pub struct FromNumpyArgs {
    /// ArrayDict input file (.pickle .hdf5 .msgpack); `-` reads standard input (pickle or MessagePack;
    /// HDF5 needs a seekable file).
    pub input: PathBuf,
    /// VTK output file (.vtp .vtu .vti .vtk .mha .mhd .stl); `-` writes to standard output (then
    /// --format is required). A symbolic link is followed; a device or FIFO is written through.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Output format (default: from the output extension).
    #[arg(long, value_enum)]
    pub format: Option<VtkFormatArg>,
    /// Kind of the tree (default: detected from its keys).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// World frame of the tree's image geometry, for MetaImage output (the inverse of to-numpy's).
    #[arg(long, value_enum, default_value_t = FrameArg::Ras)]
    pub frame: FrameArg,
    /// Output format options.
    #[command(flatten)]
    pub vtk: VtkWriteArgs,
    /// How the run goes.
    #[command(flatten, next_help_heading = "Run options")]
    pub run: WriteRunArgs,
    /// How the input is read.
    #[command(flatten, next_help_heading = "Run options")]
    pub read: ReadRunArgs,
}

/// Options for writing VTK files.
#[derive(Args, Debug, Clone)]
pub struct VtkWriteArgs {
    /// VTK XML data encoding.
    #[arg(long, value_enum, default_value_t = XmlEncodingArg::AppendedRaw)]
    pub xml_encoding: XmlEncodingArg,
    /// VTK XML compressor.
    #[arg(long, value_enum, default_value_t = XmlCompressionArg::Zlib)]
    pub xml_compression: XmlCompressionArg,
    /// Level of the zlib or LZMA compressor, 0 (fastest) to 9 (smallest); default 6 for zlib, 5
    /// for LZMA (VTK's writers' default).
    #[arg(long, value_name = "0-9", value_parser = clap::value_parser!(u32).range(0..=9))]
    pub xml_level: Option<u32>,
    /// Legacy .vtk version.
    #[arg(long, value_enum, default_value_t = LegacyVersionArg::V42)]
    pub legacy_version: LegacyVersionArg,
    /// Write legacy .vtk as ASCII instead of binary.
    #[arg(long)]
    pub legacy_ascii: bool,
    /// Write MetaImage data uncompressed.
    #[arg(long)]
    pub meta_uncompressed: bool,
    /// Write STL as ASCII text instead of binary.
    #[arg(long)]
    pub stl_ascii: bool,
}

/// `inspect` arguments.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// ArrayDict or VTK files, each listed after a header line naming it and its kind; and
    /// optionally one path in the trees (`/CellData`, `/CellData/CellPointIds/0`) to list only
    /// what is there (an argument starting with / that is not a file).
    #[arg(required = true, value_name = "FILE|/PATH")]
    pub files: Vec<PathBuf>,
    /// Print JSON instead of the text listing: an array with an entry per node (for several files,
    /// an array of those arrays). The first entry also gives the file, its kind, format, size and
    /// pickle protocol; each HDF5 dataset a "storage" object (layout, chunks, filters with levels).
    #[arg(long)]
    pub json: bool,
    /// List at most N children of each dict and list, then "... K more items" (0: all). Default
    /// 20 for the text listing, all for --json.
    #[arg(long, value_name = "N")]
    pub max_items: Option<usize>,
    /// List N levels below the top (default: all).
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Options used when FILE is a VTK file.
    #[command(flatten)]
    pub tree: ToTreeOptions,
    /// How an ArrayDict file is read.
    #[command(flatten, next_help_heading = "Run options")]
    pub read: ReadRunArgs,
}

/// `validate` arguments.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// ArrayDict or VTK files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Options used when FILE is a VTK file; `--kind` also sets the schema to check against.
    #[command(flatten)]
    pub tree: ToTreeOptions,
    /// How an ArrayDict file is read.
    #[command(flatten, next_help_heading = "Run options")]
    pub read: ReadRunArgs,
}

/// `batch` arguments.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Input files, directories (searched recursively for known extensions) or glob patterns.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output directory (created when missing).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Tree options for VTK inputs.
    #[command(flatten)]
    pub tree: ToTreeOptions,
    /// Store options for VTK inputs (`--format` defaults to hdf5 here).
    #[command(flatten)]
    pub store: StoreOptions,
    /// Convert ArrayDict inputs to this VTK format instead of VTK inputs to ArrayDict files.
    #[arg(long, value_name = "FORMAT", alias = "vtk-format",
          value_parser = ["vtp", "vti", "vtu", "vtk", "mha", "mhd", "stl"])]
    pub to: Option<String>,
    /// VTK writing options for ArrayDict inputs.
    #[command(flatten)]
    pub vtk: VtkWriteArgs,
    /// Convert only inputs whose output is missing or older than the input (to resume an
    /// interrupted run); the summary says how many were skipped.
    #[arg(long)]
    pub skip_existing: bool,
    /// No progress bar even on a terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// How the run goes.
    #[command(flatten, next_help_heading = "Run options")]
    pub run: WriteRunArgs,
    /// How ArrayDict inputs are read.
    #[command(flatten, next_help_heading = "Run options")]
    pub read: ReadRunArgs,
}
