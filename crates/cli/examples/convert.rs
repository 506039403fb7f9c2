//! Converts a VTK file to an ArrayDict store, or a store back to a VTK file: the two halves of
//! `arraydict to-numpy` / `from-numpy` with the library's defaults, in a page.
//!
//! ```text
//! cargo run -p arraydict-cli --example convert -- fixtures/surface/surface.ascii.id32.vtp /tmp/surface.hdf5
//! cargo run -p arraydict-cli --example convert -- /tmp/surface.hdf5 /tmp/surface.vtp
//! ```
//!
//! The direction is chosen by the input's extension: `.hdf5`, `.pickle` and `.msgpack` are stores,
//! anything else is read as a VTK file.

use std::error::Error;
use std::path::{Path, PathBuf};

use arraydict::{detect_kind, from_arraydict, to_arraydict, Kind, ToArrayDictOptions};
use arraydict_store::StoreFormat;
use vtk_model::DataSet;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, output] = args.as_slice() else {
        return Err(
            "usage: convert INPUT OUTPUT (a VTK file and a store, either way round)".into(),
        );
    };
    if StoreFormat::from_extension(input).is_ok() {
        store_to_vtk(input, output)
    } else {
        vtk_to_store(input, output)
    }
}

fn vtk_to_store(input: &Path, output: &Path) -> Result<(), Box<dyn Error>> {
    let dataset = vtk_formats::read(input, &vtk_formats::ReadOptions::default())?;
    // A polydata with lines and no polygons is a centerline tree; everything else has one kind.
    let kind = Kind::infer(&dataset);
    let tree = to_arraydict(dataset, kind, &ToArrayDictOptions::default())?;
    arraydict_store::write(output, &tree, &arraydict_store::WriteOptions::default())?;
    println!(
        "{} -> {} ({kind}, {} top-level keys)",
        input.display(),
        output.display(),
        tree.len()
    );
    Ok(())
}

fn store_to_vtk(input: &Path, output: &Path) -> Result<(), Box<dyn Error>> {
    let tree = arraydict_store::read(input, &arraydict_store::ReadOptions::default())?;
    let kind =
        detect_kind(&tree).ok_or("the store's keys match none of the four ArrayDict kinds")?;
    let dataset = from_arraydict(tree, kind)?;
    vtk_formats::write(output, &dataset, &vtk_formats::WriteOptions::default())?;
    let (points, cells) = match &dataset {
        DataSet::PolyData(p) => (p.num_points(), p.num_cells()),
        DataSet::UnstructuredGrid(g) => (g.num_points(), g.num_cells()),
        DataSet::ImageData(i) => (i.num_points(), i.num_cells()),
    };
    println!(
        "{} -> {} ({kind}: {points} points, {cells} cells)",
        input.display(),
        output.display()
    );
    Ok(())
}
