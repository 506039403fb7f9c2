//! `arraydict batch`: many conversions in parallel, one direction per run; one bad file does not
//! stop the others.
//!
//! [`find`] and [`plan`] are the command's input expansion and output naming, public so that other
//! hosts (the Python package) convert many files "as `batch` does".

mod inputs;
mod naming;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use arraydict::schema::Kind;
use arraydict_store::StoreFormat;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

pub use self::inputs::{find, Direction, Found};
pub use self::naming::{plan, Input, NameClash};
use crate::args::BatchArgs;
use crate::commands::{
    read_tree, store_options, tree_to_vtk, vtk_options, vtk_to_tree, RunContext,
};
use crate::interrupt;
use crate::paths::check_input;

/// The `--to` formats, as messages list them.
const TO_FORMATS: &str = "vtp|vti|vtu|vtk|mha";

/// The extension of a store format's files.
pub fn store_extension(format: StoreFormat) -> &'static str {
    match format {
        StoreFormat::Pickle => "pickle",
        StoreFormat::Hdf5 => "hdf5",
        StoreFormat::MessagePack => "msgpack",
    }
}

/// What became of one input.
enum Outcome {
    /// Written to its output.
    Converted,
    /// Its output was up to date (`--skip-existing`).
    Skipped,
}

/// True when `output` exists and was modified no earlier than `input` (`--skip-existing`).
/// Outputs are renamed into place only once complete, so one that exists is complete.
fn is_up_to_date(input: &Path, output: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    matches!((modified(input), modified(output)), (Ok(i), Ok(o)) if o >= i)
}

/// How every output of the batch is written, made once from the command line.
struct Outputs {
    /// The run's direction.
    direction: Direction,
    /// For ArrayDict inputs.
    vtk: vtk_formats::WriteOptions,
    /// For VTK inputs.
    store: arraydict_store::WriteOptions,
}

/// Converts `input` to `output`.
fn convert_one(
    a: &BatchArgs,
    run: &RunContext,
    opts: &Outputs,
    input: &Path,
    output: &Path,
) -> Result<Outcome> {
    check_input(input)?;
    if a.skip_existing && is_up_to_date(input, output) {
        return Ok(Outcome::Skipped);
    }
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create output directory", dir.display()))?;
    }
    match opts.direction {
        Direction::ToVtk => {
            let tree = read_tree(input, run)?;
            let (ds, _) = tree_to_vtk(input, tree, a.tree.kind.map(Kind::from))?;
            // As from-numpy: a surface to .vtu becomes a grid, STL's losses are said.
            let format = vtk_formats::Format::from_path(output);
            let ds = crate::commands::fit_output(ds, format, &output.display().to_string())?;
            vtk_formats::write(output, &ds, &opts.vtk)?;
        }
        Direction::ToArrayDict => {
            let (tree, _) = vtk_to_tree(input, &a.tree)?;
            arraydict_store::write(output, &tree, &opts.store)?;
        }
    }
    Ok(Outcome::Converted)
}

/// The message of `input`'s failure, naming the file once: most errors name it already.
fn failure_message(input: &Path, e: &anyhow::Error) -> String {
    let message = crate::message(e);
    let file = input.display().to_string();
    let names_it = message
        .strip_prefix(&file)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'));
    if names_it {
        message
    } else {
        format!("{file}: {message}")
    }
}

/// The files of the other direction, as a phrase.
fn other_files(direction: Direction, count: usize) -> String {
    let kind = match direction {
        Direction::ToArrayDict => "ArrayDict",
        Direction::ToVtk => "VTK",
    };
    format!("{count} {kind} file{}", if count == 1 { "" } else { "s" })
}

/// What this run converts, and how to convert the other way.
fn direction_note(direction: Direction) -> String {
    match direction {
        Direction::ToArrayDict => format!(
            "this run converts VTK -> ArrayDict; use --to {TO_FORMATS} for the other direction"
        ),
        Direction::ToVtk => {
            "this run converts ArrayDict -> VTK; leave out --to for the other direction".into()
        }
    }
}

fn progress_bar(len: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} eta {eta} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The inputs and their outputs, or the exit code of a run refused before it starts (2, with
/// the reason printed).
fn prepare(
    a: &BatchArgs,
    direction: Direction,
    extension: &str,
) -> Result<std::result::Result<(Found, Vec<PathBuf>), u8>> {
    let found = find(&a.inputs, direction, &a.output)?;
    if !found.wrong_direction.is_empty() {
        let named: Vec<String> = found
            .wrong_direction
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let (run, other, how) = match direction {
            Direction::ToArrayDict => (
                "VTK -> ArrayDict",
                "ArrayDict",
                format!("with --to {TO_FORMATS}"),
            ),
            Direction::ToVtk => ("ArrayDict -> VTK", "VTK", "without --to".into()),
        };
        let (count, are) = match named.len() {
            1 => ("an input", "is a"),
            _ => ("inputs", "are"),
        };
        eprintln!(
            "arraydict: error: this run converts {run}, but {count} named on the command line {are} \
             {other} file{}: {} (convert {} in a separate run {how}); nothing was converted",
            if named.len() == 1 { "" } else { "s" },
            named.join(", "),
            if named.len() == 1 { "it" } else { "them" },
        );
        return Ok(Err(2));
    }
    if found.inputs.is_empty() {
        let skipped = match found.other_direction.len() {
            0 => String::new(),
            n => format!(
                " (skipped {}: {})",
                other_files(direction, n),
                direction_note(direction)
            ),
        };
        bail!("no input files found in {}{skipped}", a.inputs.join(", "));
    }
    match plan(&found.inputs, &a.output, extension) {
        Ok(outputs) => Ok(Ok((found, outputs))),
        Err(clash) => {
            eprintln!("arraydict: error: {clash}");
            Ok(Err(2))
        }
    }
}

/// Runs `batch`.
pub(crate) fn run(a: &BatchArgs, run: &RunContext) -> Result<u8> {
    let direction = if a.to.is_some() {
        Direction::ToVtk
    } else {
        Direction::ToArrayDict
    };
    let opts = Outputs {
        direction,
        vtk: vtk_options(&a.vtk, a.tree.frame.into(), run),
        store: store_options(&a.store, Some(StoreFormat::Hdf5), run),
    };
    crate::options::check_store_format(opts.store.format, &run.given)?;
    crate::options::check_xml_level(&a.vtk, &run.given)?;
    let extension =
        a.to.as_deref()
            .unwrap_or_else(|| store_extension(opts.store.format.unwrap_or(StoreFormat::Hdf5)));
    let (found, outputs) = match prepare(a, direction, extension)? {
        Ok(planned) => planned,
        Err(code) => return Ok(code),
    };
    std::fs::create_dir_all(&a.output)
        .with_context(|| format!("{}: cannot create output directory", a.output.display()))?;
    let bar = progress_bar(found.inputs.len(), a.quiet);
    // Each output is one renamed file, except a .mhd header with its data file.
    let one_file_each = !a.to.as_deref().is_some_and(|ext| {
        vtk_formats::files_written(&Path::new("output").with_extension(ext), &opts.vtk) > 1
    });
    interrupt::set_progress(interrupt::Progress::Batch {
        total: found.inputs.len(),
        converted: 0,
        skipped: 0,
        commits_at_start: one_file_each.then(atomic_output::committed_outputs),
    });
    let results: Vec<std::result::Result<Outcome, String>> = found
        .inputs
        .par_iter()
        .zip(&outputs)
        .map(|(input, output)| {
            let r = convert_one(a, run, &opts, &input.path, output);
            let r = match r {
                Ok(outcome) => {
                    interrupt::batch_done(matches!(outcome, Outcome::Converted));
                    Ok(outcome)
                }
                Err(e) => {
                    let message = failure_message(&input.path, &e);
                    bar.suspend(|| eprintln!("arraydict: error: {message}"));
                    Err(message)
                }
            };
            bar.set_message(input.path.display().to_string());
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    Ok(report(a, direction, found.other_direction.len(), &results))
}

/// Prints the summary, the files of the other direction skipped and the failures again; the exit
/// code (1 when any input failed).
fn report(
    a: &BatchArgs,
    direction: Direction,
    other_direction: usize,
    results: &[std::result::Result<Outcome, String>],
) -> u8 {
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let skipped = results
        .iter()
        .filter(|r| matches!(r, Ok(Outcome::Skipped)))
        .count();
    let converted = results.len() - failures.len() - skipped;
    eprintln!(
        "batch: {converted} converted, {} failed, {skipped} skipped, {} inputs, output in {}",
        failures.len(),
        results.len(),
        a.output.display()
    );
    if other_direction > 0 {
        eprintln!(
            "batch: skipped {} ({})",
            other_files(direction, other_direction),
            direction_note(direction)
        );
    }
    if !failures.is_empty() {
        eprintln!("batch: {} failed:", failures.len());
        for message in &failures {
            eprintln!("  {message}");
        }
    }
    u8::from(!failures.is_empty())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::failure_message;

    #[test]
    fn a_failure_names_its_file_once() {
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, "bad header");
        let e = anyhow::Error::new(io).context("bad/array.pickle");
        let input = Path::new("bad/array.pickle");
        assert_eq!(failure_message(input, &e), "bad/array.pickle: bad header");
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
        let e = anyhow::Error::new(io).context("out/array.vtp");
        assert_eq!(
            failure_message(input, &e),
            "bad/array.pickle: out/array.vtp: no space left"
        );
        // A file whose name starts like the input's is another file.
        let e = anyhow::anyhow!("bad/array.pickle.vtp: unreadable");
        assert_eq!(
            failure_message(input, &e),
            "bad/array.pickle: bad/array.pickle.vtp: unreadable"
        );
    }
}
