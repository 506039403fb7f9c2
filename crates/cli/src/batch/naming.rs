//! Where `batch` writes each input's output. Pure (no file-system access), so that every host
//! converting "as `batch` does" (the Python package's `convert_many`) names outputs alike.
//!
//! The rule: an output keeps its input's path relative to where the input was found (see
//! [`Input::relative`]), with the output's extension in place of the input's (`a/x.vtp` ->
//! `OUT/a/x.hdf5`). Inputs that would share an output keep their own extension too (`x.mha`,
//! `x.mhd` -> `OUT/x.mha.hdf5`, `OUT/x.mhd.hdf5`), so an input's name changes only when another
//! input would otherwise take it. Outputs still shared after that are a [`NameClash`].

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// One input of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The file to convert.
    pub path: PathBuf,
    /// Where its output goes below the output directory, with the input's own file name: its path
    /// below the directory it was found in (or below a glob pattern's part before its first
    /// wildcard), or only its file name when it was named on the command line. A path that is not
    /// plainly relative (`..`, a root) is reduced to its file name.
    pub relative: PathBuf,
}

/// Outputs that several inputs would write: the run is refused before anything is converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[error("{}", describe_clashes(.clashes))]
pub struct NameClash {
    /// Each shared output, in path order, with the inputs that would write it, in input order.
    pub clashes: Vec<(PathBuf, Vec<PathBuf>)>,
}

fn describe_clashes(clashes: &[(PathBuf, Vec<PathBuf>)]) -> String {
    let mut text = format!(
        "{} output{} would be written by more than one input; nothing was converted (rename the \
         inputs, or convert them in separate runs or into separate output directories):",
        clashes.len(),
        if clashes.len() == 1 { "" } else { "s" }
    );
    for (output, inputs) in clashes {
        let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        let _ = write!(text, "\n  {}: {}", output.display(), inputs.join(", "));
    }
    text
}

/// The output of each input (in input order) under `out_dir`, with the extension `extension`
/// (`hdf5` or `.hdf5`), following the module's rule; a [`NameClash`] listing every output that
/// more than one input would write.
pub fn plan(inputs: &[Input], out_dir: &Path, extension: &str) -> Result<Vec<PathBuf>, NameClash> {
    let extension = extension.trim_start_matches('.');
    let short: Vec<PathBuf> = inputs
        .iter()
        .map(|i| output_name(&i.relative, extension, false))
        .collect();
    let mut takers: HashMap<&Path, usize> = HashMap::new();
    for name in &short {
        *takers.entry(name.as_path()).or_default() += 1;
    }
    let names: Vec<PathBuf> = inputs
        .iter()
        .zip(&short)
        .map(|(input, name)| {
            if takers[name.as_path()] > 1 {
                output_name(&input.relative, extension, true)
            } else {
                name.clone()
            }
        })
        .collect();
    let mut writers: BTreeMap<&Path, Vec<PathBuf>> = BTreeMap::new();
    for (input, name) in inputs.iter().zip(&names) {
        writers
            .entry(name.as_path())
            .or_default()
            .push(input.path.clone());
    }
    let clashes: Vec<(PathBuf, Vec<PathBuf>)> = writers
        .into_iter()
        .filter(|(_, inputs)| inputs.len() > 1)
        .map(|(name, inputs)| (out_dir.join(name), inputs))
        .collect();
    if !clashes.is_empty() {
        return Err(NameClash { clashes });
    }
    Ok(names.iter().map(|name| out_dir.join(name)).collect())
}

/// `relative` with `extension` for the input's (`keep_extension`: after it).
fn output_name(relative: &Path, extension: &str, keep_extension: bool) -> PathBuf {
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let name = if keep_extension {
        relative.file_name()
    } else {
        relative.file_stem()
    };
    let mut name = name.map_or_else(|| OsString::from("output"), ToOwned::to_owned);
    name.push(".");
    name.push(extension);
    match relative.parent() {
        Some(dir) if plain => dir.join(name),
        _ => PathBuf::from(name),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{plan, Input};

    fn input(path: &str, relative: &str) -> Input {
        Input {
            path: path.into(),
            relative: relative.into(),
        }
    }

    fn planned(inputs: &[Input], extension: &str) -> Vec<String> {
        plan(inputs, Path::new("out"), extension)
            .unwrap()
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    #[test]
    fn outputs_keep_the_folders_and_swap_the_extension() {
        let inputs = [
            input("d/a/x.vtp", "a/x.vtp"),
            input("d/b/x.vtp", "b/x.vtp"),
            input("d/y.vtk", "y.vtk"),
            input("e/aorta.tar.vtu", "aorta.tar.vtu"),
        ];
        assert_eq!(
            planned(&inputs, "hdf5"),
            [
                "out/a/x.hdf5",
                "out/b/x.hdf5",
                "out/y.hdf5",
                "out/aorta.tar.hdf5"
            ]
        );
        assert_eq!(planned(&inputs[2..3], ".pickle"), ["out/y.pickle"]);
    }

    #[test]
    fn inputs_that_would_share_an_output_keep_their_extension() {
        let inputs = [
            input("m/x.mha", "x.mha"),
            input("m/x.mhd", "x.mhd"),
            input("m/z.mha", "z.mha"),
            input("m/sub/x.mha", "sub/x.mha"),
        ];
        assert_eq!(
            planned(&inputs, "hdf5"),
            [
                "out/x.mha.hdf5",
                "out/x.mhd.hdf5",
                "out/z.hdf5",
                "out/sub/x.hdf5"
            ]
        );
        // ArrayDict -> VTK: x.pickle and x.hdf5 both want x.vtp.
        let inputs = [input("x.pickle", "x.pickle"), input("x.hdf5", "x.hdf5")];
        assert_eq!(
            planned(&inputs, "vtp"),
            ["out/x.pickle.vtp", "out/x.hdf5.vtp"]
        );
    }

    #[test]
    fn remaining_clashes_are_all_listed() {
        let inputs = [
            input("a/x.vtp", "x.vtp"),
            input("b/x.vtp", "x.vtp"),
            input("a/ok.vtp", "ok.vtp"),
            input("a/y.vtk", "y.vtk"),
            input("b/y.vtk", "y.vtk"),
            input("c/y.vtk", "y.vtk"),
            // Keeping its extension, x.mha takes the name x.mha.vtp's plain name gives.
            input("c/x.mha", "x.mha"),
            input("c/x.mhd", "x.mhd"),
            input("c/x.mha.vtp", "x.mha.vtp"),
        ];
        let clash = plan(&inputs, Path::new("out"), "hdf5").unwrap_err();
        let p = PathBuf::from;
        assert_eq!(
            clash.clashes,
            [
                (p("out/x.mha.hdf5"), vec![p("c/x.mha"), p("c/x.mha.vtp")]),
                (p("out/x.vtp.hdf5"), vec![p("a/x.vtp"), p("b/x.vtp")]),
                (
                    p("out/y.vtk.hdf5"),
                    vec![p("a/y.vtk"), p("b/y.vtk"), p("c/y.vtk")]
                ),
            ]
        );
        let text = clash.to_string();
        assert!(text.starts_with("3 outputs would be written"), "{text}");
        assert!(
            text.contains("\n  out/y.vtk.hdf5: a/y.vtk, b/y.vtk, c/y.vtk"),
            "{text}"
        );
    }

    #[test]
    fn a_relative_path_that_leaves_its_folder_is_reduced_to_its_name() {
        let inputs = [
            input("d/../x.vtp", "../x.vtp"),
            input("/abs/y.vtp", "/abs/y.vtp"),
        ];
        assert_eq!(planned(&inputs, "hdf5"), ["out/x.hdf5", "out/y.hdf5"]);
    }
}
