//! `arraydict batch`: many conversions in parallel; one bad file does not stop the others.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use arraydict::schema::Kind;
use arraydict_store::StoreFormat;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::args::BatchArgs;
use crate::commands::{
    read_tree, store_options, tree_to_vtk, vtk_options, vtk_to_tree, RunContext,
};
use crate::interrupt;
use crate::paths::{check_input, is_store_file};

/// Extensions a directory is searched for.
const KNOWN: &[&str] = &[
    "vtp", "vtu", "vti", "vtk", "mha", "mhd", "stl", "pickle", "pkl", "hdf5", "h5", "msgpack",
    "mpk",
];

fn has_known_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| KNOWN.contains(&e.to_ascii_lowercase().as_str()))
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list directory", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk_dir(&p, out)?;
        } else if has_known_extension(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Expands files, directories and glob patterns, in a stable order without duplicates.
fn expand(inputs: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for spec in inputs {
        let p = Path::new(spec);
        if p.is_dir() {
            walk_dir(p, &mut out)?;
        } else if p.exists() {
            // A file named `-` is a file here, not standard input as for to-numpy and from-numpy.
            out.push(if spec == "-" {
                Path::new(".").join(p)
            } else {
                p.to_path_buf()
            });
        } else if spec.contains(['*', '?', '[']) {
            let mut hits: Vec<PathBuf> = glob::glob(spec)
                .with_context(|| format!("bad glob pattern '{spec}'"))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            hits.sort();
            if hits.is_empty() {
                bail!("'{spec}' matches no file");
            }
            out.extend(hits);
        } else {
            bail!("{spec}: no such file or directory");
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    Ok(out)
}

fn default_vtk_ext(kind: Kind) -> &'static str {
    match kind {
        Kind::Surface | Kind::Centerlines => "vtp",
        Kind::Image => "vti",
        Kind::Mesh => "vtu",
    }
}

fn store_ext(format: StoreFormat) -> &'static str {
    match format {
        StoreFormat::Pickle => "pickle",
        StoreFormat::Hdf5 => "hdf5",
        StoreFormat::MessagePack => "msgpack",
    }
}

/// What became of one input.
enum Outcome {
    /// Written to this output.
    Converted,
    /// Its output was up to date (`--skip-existing`).
    Skipped,
}

/// True when `output` exists and was modified no earlier than `input` (`--skip-existing`).
fn is_up_to_date(input: &Path, output: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    matches!((modified(input), modified(output)), (Ok(i), Ok(o)) if o >= i)
}

/// How every output of the batch is written, made once from the command line.
struct Outputs {
    /// For ArrayDict inputs.
    vtk: vtk_formats::WriteOptions,
    /// For VTK inputs.
    store: arraydict_store::WriteOptions,
}

/// Converts one file.
fn convert_one(
    a: &BatchArgs,
    run: &RunContext,
    opts: &Outputs,
    input: &Path,
    claimed: &Mutex<HashMap<PathBuf, PathBuf>>,
) -> Result<Outcome> {
    check_input(input)?;
    let stem = input
        .file_stem()
        .map_or_else(|| "output".into(), |s| s.to_string_lossy().into_owned());
    let claim = |out: PathBuf| -> Result<PathBuf> {
        let mut map = claimed
            .lock()
            .map_err(|_| anyhow::anyhow!("internal: lock poisoned"))?;
        if let Some(other) = map.get(&out) {
            bail!(
                "{}: output {} is already written for {}",
                input.display(),
                out.display(),
                other.display()
            );
        }
        map.insert(out.clone(), input.to_path_buf());
        Ok(out)
    };
    let up_to_date = |out: &Path| a.skip_existing && is_up_to_date(input, out);
    if is_store_file(input) {
        // Without --vtk-format the output's extension depends on the tree's kind, known once read.
        let named = a
            .vtk_format
            .as_deref()
            .map(|ext| a.output.join(format!("{stem}.{ext}")));
        if named.as_deref().is_some_and(up_to_date) {
            return Ok(Outcome::Skipped);
        }
        let tree = read_tree(input, run)?;
        let (ds, kind) = tree_to_vtk(input, tree, a.tree.kind.map(Kind::from))?;
        let out =
            named.unwrap_or_else(|| a.output.join(format!("{stem}.{}", default_vtk_ext(kind))));
        if up_to_date(&out) {
            return Ok(Outcome::Skipped);
        }
        let out = claim(out)?;
        vtk_formats::write(&out, &ds, &opts.vtk)?;
    } else {
        let format = opts.store.format.unwrap_or(StoreFormat::Hdf5);
        let out = a.output.join(format!("{stem}.{}", store_ext(format)));
        if up_to_date(&out) {
            return Ok(Outcome::Skipped);
        }
        let (tree, _) = vtk_to_tree(input, &a.tree)?;
        let out = claim(out)?;
        arraydict_store::write(&out, &tree, &opts.store)?;
    }
    Ok(Outcome::Converted)
}

/// Runs `batch`.
pub fn run(a: &BatchArgs, run: &RunContext) -> Result<u8> {
    let files = expand(&a.inputs)?;
    if files.is_empty() {
        bail!("no input files found in {}", a.inputs.join(", "));
    }
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("{}: cannot create output directory", a.output.display()))?;
    let bar = if a.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(files.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} {elapsed_precise} eta {eta} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    };
    let claimed = Mutex::new(HashMap::new());
    // Each output is one renamed file, except a .mhd header with its data file.
    let opts = Outputs {
        vtk: vtk_options(&a.vtk, a.tree.frame.into(), run),
        store: store_options(&a.store, Some(StoreFormat::Hdf5), run),
    };
    crate::options::check_store_format(opts.store.format, &run.given)?;
    let one_file_each = !a.vtk_format.as_deref().is_some_and(|ext| {
        vtk_formats::files_written(&Path::new("output").with_extension(ext), &opts.vtk) > 1
    });
    interrupt::set_progress(interrupt::Progress::Batch {
        total: files.len(),
        converted: 0,
        skipped: 0,
        commits_at_start: one_file_each.then(atomic_output::committed_outputs),
    });
    let results: Vec<(PathBuf, Result<Outcome>)> = files
        .par_iter()
        .map(|f| {
            let r = convert_one(a, run, &opts, f, &claimed);
            if let Ok(outcome) = &r {
                interrupt::batch_done(matches!(outcome, Outcome::Converted));
            }
            bar.set_message(f.display().to_string());
            bar.inc(1);
            (f.clone(), r)
        })
        .collect();
    bar.finish_and_clear();
    let (mut failed, mut skipped) = (0usize, 0usize);
    for (file, r) in &results {
        match r {
            Err(e) => {
                failed += 1;
                eprintln!("arraydict: error: {}: {e:#}", file.display());
            }
            Ok(Outcome::Skipped) => skipped += 1,
            Ok(Outcome::Converted) => {}
        }
    }
    let ok = results.len() - failed - skipped;
    eprintln!(
        "batch: {ok} converted, {failed} failed, {skipped} skipped, {} inputs, output in {}",
        results.len(),
        a.output.display()
    );
    // 1 when any input failed.
    Ok(u8::from(failed != 0))
}
