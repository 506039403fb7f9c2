//! In-process, warm steady-state times of exactly what the `arraydict` CLI does for each
//! `cargo xtask bench-compare` case, so the harness can set our steady time against the Python
//! reference's in-process time (issue 6, target 2) instead of our whole process time.
//!
//! Environment:
//! - `ARRAYDICT_BENCH_INPUTS`: base directory of the inputs. Unset: prints a skip line and
//!   benches nothing (plain `cargo bench` has no inputs to read).
//! - `ARRAYDICT_BENCH_CASES`: cases separated by commas or newlines, each `INPUT:MODE` with INPUT
//!   relative to `ARRAYDICT_BENCH_INPUTS` (or absolute). MODE is
//!   `hdf5-gzip` | `hdf5-none` | `pickle` (VTK file -> ArrayDict, `to-numpy` with the harness's
//!   flags) or `vtp` | `vti` | `vtu` | `vtp-none` | ... (ArrayDict -> VTK XML, `from-numpy`;
//!   `-none` is `--xml-compression none`). Unset: every VTK file directly in the input directory
//!   to each of the three store modes.
//! - `ARRAYDICT_BENCH_OUT`: directory in which the per-run temporary output directory is made
//!   (default: the system temp dir); the harness points it at its own output directory so both
//!   sides write to the same file system.
//!
//! The criterion id of a case is [`case_id`]; the harness computes the same name to find
//! `<criterion home>/pipeline/<id>/new/estimates.json`.

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arraydict::{detect_kind, from_arraydict, to_arraydict, Kind, ToArrayDictOptions};
use arraydict_store::{Compression, StoreFormat};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use vtk_formats::xml::XmlCompression;
use vtk_formats::{ImageFrame, ReadOptions};

// The CLI's allocator, so in-process times see the same page-fault behaviour as the binary.
#[global_allocator]
static GLOBAL: huge_page_alloc::HugePageHint = huge_page_alloc::HugePageHint;

/// What one case does, mirroring one `arraydict` command line of the harness.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// `to-numpy IN -o OUT.<ext> [--compression none]` (`--level 4` is the CLI default).
    ToStore {
        format: StoreFormat,
        compression: Compression,
        ext: &'static str,
    },
    /// `from-numpy IN -o OUT.<ext> [--xml-compression none]`.
    ToVtk {
        ext: &'static str,
        uncompressed: bool,
    },
}

impl Mode {
    fn parse(mode: &str) -> Result<Mode, String> {
        Ok(match mode {
            "hdf5-gzip" => Mode::ToStore {
                format: StoreFormat::Hdf5,
                compression: Compression::Gzip(4),
                ext: "hdf5",
            },
            "hdf5-none" => Mode::ToStore {
                format: StoreFormat::Hdf5,
                compression: Compression::None,
                ext: "hdf5",
            },
            // The CLI's `--compression` default (gzip 4) is passed but ignored for pickle.
            "pickle" => Mode::ToStore {
                format: StoreFormat::Pickle,
                compression: Compression::Gzip(4),
                ext: "pickle",
            },
            _ => {
                let (ext, uncompressed) = match mode.strip_suffix("-none") {
                    Some(e) => (e, true),
                    None => (mode, false),
                };
                let ext = match ext {
                    "vtp" => "vtp",
                    "vti" => "vti",
                    "vtu" => "vtu",
                    _ => return Err(format!("unknown mode {mode:?}")),
                };
                Mode::ToVtk { ext, uncompressed }
            }
        })
    }

    fn ext(self) -> &'static str {
        match self {
            Mode::ToStore { ext, .. } | Mode::ToVtk { ext, .. } => ext,
        }
    }
}

use test_support::bench_case_id::case_id;

/// `to-numpy`: `commands::vtk_to_tree` + `arraydict_store::write` with the CLI's options.
fn to_store(input: &Path, output: &Path, format: StoreFormat, compression: Compression) {
    let read = ReadOptions {
        frame: ImageFrame::Ras,
        ..ReadOptions::default()
    };
    let ds = vtk_formats::read(input, &read).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let kind = Kind::infer(&ds);
    // The CLI's ToTreeOptions defaults: no cell-to-point, cells as an array, type names on.
    let conv = ToArrayDictOptions {
        cell_to_point: false,
        cells_as_list: false,
        cell_types_as_strings: true,
    };
    let tree = to_arraydict(ds, kind, &conv).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    // The CLI leaves the format to the extension; naming it here is the same choice.
    let opts = arraydict_store::WriteOptions {
        format: Some(format),
        compression,
        ..Default::default()
    };
    arraydict_store::write(output, &tree, &opts)
        .unwrap_or_else(|e| panic!("{}: {e}", output.display()));
}

/// `from-numpy`: `read_tree` + `tree_to_vtk` (validate, convert) + `vtk_formats::write`.
fn to_vtk(input: &Path, output: &Path, uncompressed: bool) {
    let tree = arraydict_store::read(input, &arraydict_store::ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let kind =
        detect_kind(&tree).unwrap_or_else(|| panic!("{}: no kind detected", input.display()));
    let ds = from_arraydict(tree, kind).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    // `commands::vtk_options` with the CLI defaults (appended raw, VTK's zlib, legacy binary 4.2,
    // compressed MetaImage, RAS frame).
    let mut opts = vtk_formats::WriteOptions::default();
    opts.xml.encoding = vtk_formats::xml::XmlEncoding::AppendedRaw;
    opts.xml.compression = if uncompressed {
        XmlCompression::None
    } else {
        match vtk_formats::xml::XmlWriteOptions::default().compression {
            c @ XmlCompression::Zlib(_) => c,
            _ => XmlCompression::Zlib(6),
        }
    };
    opts.legacy.version = vtk_formats::LegacyVersion::V4_2;
    opts.legacy.binary = true;
    opts.metaimage.compress = true;
    opts.metaimage.frame = ImageFrame::Ras;
    vtk_formats::write(output, &ds, &opts).unwrap_or_else(|e| panic!("{}: {e}", output.display()));
}

fn run_case(mode: Mode, input: &Path, output: &Path) {
    match mode {
        Mode::ToStore {
            format,
            compression,
            ..
        } => to_store(input, output, format, compression),
        Mode::ToVtk { uncompressed, .. } => to_vtk(input, output, uncompressed),
    }
}

/// `ARRAYDICT_BENCH_CASES`: `INPUT:MODE` entries separated by commas or newlines, inputs relative
/// to `base`.
fn listed_cases(base: &Path, spec: &str) -> Result<Vec<(PathBuf, String)>, String> {
    spec.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let (input, mode) = entry
                .rsplit_once(':')
                .ok_or_else(|| format!("case {entry:?}: expected INPUT:MODE"))?;
            Ok((base.join(input), mode.to_owned()))
        })
        .collect()
}

/// Every VTK input in `base`, each to HDF5 with and without gzip and to pickle.
fn default_cases(base: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(base)
        .map_err(|e| format!("{}: {e}", base.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| {
                ["vtp", "vtu", "vti", "mha"]
                    .iter()
                    .any(|k| x.eq_ignore_ascii_case(k))
            })
        })
        .collect();
    files.sort();
    Ok(files
        .into_iter()
        .flat_map(|f| ["hdf5-gzip", "hdf5-none", "pickle"].map(|m| (f.clone(), m.to_owned())))
        .collect())
}

/// The cases to run: `(id, input path, mode)`.
fn cases(base: &Path) -> Result<Vec<(String, PathBuf, Mode)>, String> {
    let list = if let Ok(spec) = std::env::var("ARRAYDICT_BENCH_CASES") {
        listed_cases(base, &spec)?
    } else {
        default_cases(base)?
    };
    list.into_iter()
        .map(|(input, mode)| {
            let m =
                Mode::parse(&mode).map_err(|e| format!("case {}:{mode}: {e}", input.display()))?;
            if !input.is_file() {
                return Err(format!(
                    "case {}:{mode}: input file missing",
                    input.display()
                ));
            }
            Ok((case_id(&input, &mode), input, m))
        })
        .collect()
}

fn pipeline(c: &mut Criterion) {
    let Some(base) = std::env::var_os("ARRAYDICT_BENCH_INPUTS").map(PathBuf::from) else {
        eprintln!("pipeline: SKIPPED: set ARRAYDICT_BENCH_INPUTS (and ARRAYDICT_BENCH_CASES) to bench the CLI's pipelines; `cargo xtask bench-compare --steady` does");
        return;
    };
    let cases = cases(&base).unwrap_or_else(|e| panic!("pipeline: {e}"));
    let out_parent =
        std::env::var_os("ARRAYDICT_BENCH_OUT").map_or_else(std::env::temp_dir, PathBuf::from);
    let tmp = tempfile::Builder::new()
        .prefix("pipeline-")
        .tempdir_in(&out_parent)
        .unwrap_or_else(|e| panic!("pipeline: temp dir in {}: {e}", out_parent.display()));
    let mut g = c.benchmark_group("pipeline");
    // Each iteration is a whole file conversion (ms to s): flat sampling keeps 10 samples of a
    // few iterations each instead of criterion's linear 1..10 ramp, so 30 cases take minutes.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (id, input, mode) in &cases {
        let output = tmp.path().join(format!("{id}.{}", mode.ext()));
        // A fresh output each iteration, removed outside the timing, as bench-compare does for
        // both sides (replacing a file costs extra on ext4: `auto_da_alloc` starts writeback),
        // and synced as the harness does.
        g.bench_function(id.as_str(), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let _ = std::fs::remove_file(&output);
                    // Earlier iterations' outputs written back first, so no flusher thread
                    // takes a core during the timing.
                    let _ = std::process::Command::new("sync").status();
                    let start = Instant::now();
                    run_case(*mode, input, &output);
                    total += start.elapsed();
                }
                total
            });
        });
        // Outputs of large cases add up; each is only needed while its case runs.
        let _ = std::fs::remove_file(&output);
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
