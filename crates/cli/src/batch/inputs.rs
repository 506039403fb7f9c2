//! The inputs of `batch`: the files, directories and glob patterns of the command line expanded
//! into the files one direction converts, each with the path its output keeps
//! ([`Input::relative`]).

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use super::naming::Input;
use crate::paths::is_store_file;

/// Which way a batch converts. One way per run: files of the other way are not its inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// VTK files (.vtp .vtu .vti .vtk .mha .mhd .stl) to ArrayDict files (the default).
    ToArrayDict,
    /// ArrayDict files (.pickle .pkl .hdf5 .h5 .msgpack .mpk) to VTK files (`--to`).
    ToVtk,
}

impl Direction {
    /// Whether this direction converts `path`, by its extension: ArrayDict extensions go to VTK,
    /// any other file (a VTK file, or one the VTK readers recognise by content) to ArrayDict.
    pub fn converts(self, path: &Path) -> bool {
        is_store_file(path) == (self == Self::ToVtk)
    }
}

/// What the command line's inputs name, for one direction.
#[derive(Debug, Default)]
pub struct Found {
    /// The files to convert, in the command line's order (a directory's files sorted by path),
    /// each file once.
    pub inputs: Vec<Input>,
    /// Files of the other direction found in directories or by glob patterns: skipped.
    pub other_direction: Vec<PathBuf>,
    /// Files of the other direction named on the command line: the run is refused.
    pub wrong_direction: Vec<PathBuf>,
}

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

impl Found {
    /// Takes `path` as an input (its output at `relative`) when `direction` converts it; counts it
    /// as skipped otherwise.
    fn offer(&mut self, direction: Direction, path: PathBuf, relative: PathBuf) {
        if direction.converts(&path) {
            self.inputs.push(Input { path, relative });
        } else {
            self.other_direction.push(path);
        }
    }
}

/// Expands `specs` (files, directories searched recursively for known extensions, glob patterns)
/// into the files `direction` converts. The output directory `out_dir` is not searched when it is
/// inside an input directory.
pub fn find(specs: &[String], direction: Direction, out_dir: &Path) -> Result<Found> {
    let out_dir = out_dir.canonicalize().ok();
    let mut found = Found::default();
    for spec in specs {
        let p = Path::new(spec);
        if p.is_dir() {
            search_dir(p, direction, out_dir.as_deref(), &mut found)?;
        } else if p.exists() {
            // A file named `-` is a file here, not standard input as for to-numpy and from-numpy.
            let path = if spec == "-" {
                Path::new(".").join(p)
            } else {
                p.to_path_buf()
            };
            if direction.converts(&path) {
                let relative = path.file_name().map_or_else(|| path.clone(), PathBuf::from);
                found.inputs.push(Input { path, relative });
            } else {
                found.wrong_direction.push(path);
            }
        } else if spec.contains(['*', '?', '[']) {
            search_glob(spec, direction, &mut found)?;
        } else {
            bail!("{spec}: no such file or directory");
        }
    }
    found.inputs.retain(once(|i: &Input| &i.path));
    found.other_direction.retain(once(PathBuf::as_path));
    found.wrong_direction.retain(once(PathBuf::as_path));
    Ok(found)
}

/// A filter keeping the first of the items that name the same file.
fn once<T>(path: impl Fn(&T) -> &Path) -> impl FnMut(&T) -> bool {
    let mut seen = HashSet::new();
    move |item| {
        let p = path(item);
        seen.insert(p.canonicalize().unwrap_or_else(|_| p.to_path_buf()))
    }
}

/// The files of known extensions below `dir` (following symbolic links), sorted by path.
fn search_dir(
    dir: &Path,
    direction: Direction,
    out_dir: Option<&Path>,
    found: &mut Found,
) -> Result<()> {
    let is_out_dir = |e: &walkdir::DirEntry| {
        e.depth() > 0
            && e.file_type().is_dir()
            && out_dir.is_some_and(|o| e.path().canonicalize().is_ok_and(|p| p == o))
    };
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_out_dir(e));
    for entry in walk {
        let entry = entry.with_context(|| format!("{}: cannot search directory", dir.display()))?;
        if entry.file_type().is_dir() || !has_known_extension(entry.path()) {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(dir)
            .map_or_else(|_| entry.file_name().into(), Path::to_path_buf);
        found.offer(direction, entry.into_path(), relative);
    }
    Ok(())
}

/// The files `spec` matches, sorted by path; their outputs keep their path below the pattern's
/// part before its first wildcard (`data/**/*.vtp`: below `data`).
fn search_glob(spec: &str, direction: Direction, found: &mut Found) -> Result<()> {
    let mut hits: Vec<PathBuf> = glob::glob(spec)
        .with_context(|| format!("bad glob pattern '{spec}'"))?
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .collect();
    hits.sort();
    if hits.is_empty() {
        return Err(anyhow!("'{spec}' matches no file"));
    }
    let base: PathBuf = Path::new(spec)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .collect();
    for hit in hits {
        let relative = hit
            .strip_prefix(&base)
            .ok()
            .filter(|r| r.components().all(|c| matches!(c, Component::Normal(_))))
            .map_or_else(
                || hit.file_name().map_or_else(|| hit.clone(), PathBuf::from),
                Path::to_path_buf,
            );
        found.offer(direction, hit, relative);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{find, Direction};

    #[test]
    fn folders_globs_and_files_keep_the_paths_their_outputs_keep() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for name in [
            "d/a/x.vtp",
            "d/b/x.vtp",
            "d/b/x.hdf5",
            "d/notes.txt",
            "e/f/y.vtk",
        ] {
            let p = root.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"").unwrap();
        }
        let s = |p: &str| root.join(p).display().to_string();
        let specs = [s("d"), s("e/**/*.vtk"), s("d/b/x.vtp"), s("e/f/y.vtk")];
        let found = find(&specs, Direction::ToArrayDict, &root.join("out")).unwrap();
        let relative: Vec<_> = found.inputs.iter().map(|i| i.relative.clone()).collect();
        let want: Vec<_> = ["a/x.vtp", "b/x.vtp", "f/y.vtk"]
            .iter()
            .map(|r| Path::new(r).to_path_buf())
            .collect();
        assert_eq!(relative, want, "each file once, as first found");
        assert_eq!(found.other_direction, [root.join("d/b/x.hdf5")]);
        assert!(found.wrong_direction.is_empty());

        let specs = [s("d"), s("d/a/x.vtp"), s("d/*/*.vtp"), s("d/a/x.vtp")];
        let found = find(&specs, Direction::ToVtk, &root.join("d")).unwrap();
        assert_eq!(found.other_direction.len(), 2, "each file counted once");
        assert_eq!(found.wrong_direction, [root.join("d/a/x.vtp")]);
        assert_eq!(found.inputs.len(), 1);
        assert_eq!(found.inputs[0].relative, Path::new("b/x.hdf5"));
    }

    #[test]
    fn an_output_directory_inside_an_input_directory_is_not_searched() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("out/sub")).unwrap();
        std::fs::write(d.path().join("x.vtp"), b"").unwrap();
        std::fs::write(d.path().join("out/sub/x.vtp"), b"").unwrap();
        let spec = [d.path().display().to_string()];
        let found = find(&spec, Direction::ToArrayDict, &d.path().join("out")).unwrap();
        assert_eq!(found.inputs.len(), 1);
        let found = find(&spec, Direction::ToArrayDict, &d.path().join("elsewhere")).unwrap();
        assert_eq!(found.inputs.len(), 2);
    }
}
