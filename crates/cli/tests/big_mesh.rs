//! Huge data: a mesh whose point ids exceed 2^31 (so 32-bit ids would wrap), through `.vtu` (Int64
//! offsets and connectivity), the ArrayDict conversion and HDF5. Points are `u8` (the model keeps
//! any dtype) so 2^31 + 16 points take 6 GiB instead of 25. `#[ignore]`d: run with
//! `cargo xtask big` (needs about 16 GiB of memory and 7 GiB of disk next to the target dir).

use arraydict::{from_arraydict, to_arraydict, Kind, ToArrayDictOptions};
use arraydict_store::{Compression, StoreFormat, WriteOptions};
use vtk_formats::xml::{self, HeaderType, XmlCompression, XmlEncoding, XmlWriteOptions};
use vtk_formats::Durability;
use vtk_formats::ReadOptions;
use vtk_model::{ArrayData, Attributes, CellArray, CellType, DataArray, DataSet, UnstructuredGrid};

use test_support::memory;

use memory::{available_mib, peak_rss_mib};

#[test]
#[ignore = "big: run `cargo xtask big`"]
fn big_mesh_with_point_ids_above_2_pow_31_round_trips() {
    const N_POINTS: usize = (1 << 31) + 16;
    let need = 2 * ((3 * N_POINTS) >> 20) + 2048;
    if available_mib().is_some_and(|a| a < need as u64) {
        eprintln!("SKIPPED: big_mesh: needs about {need} MiB of free memory");
        return;
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = std::time::Instant::now();
    let points: Vec<u8> = (0..3 * N_POINTS).map(|i| (i % 253) as u8).collect();
    let top = N_POINTS as i64 - 1;
    // Two triangles: one at the start, one using ids above 2^31 (and exactly 2^31).
    let cells = CellArray::new(vec![0, 3, 6], vec![0, 1, 2, 1 << 31, top - 1, top]).unwrap();
    let grid = UnstructuredGrid::try_new(
        DataArray::new("Points", 3, ArrayData::U8(points)).unwrap(),
        cells,
        vec![CellType::TRIANGLE, CellType::TRIANGLE],
        None,
        Attributes::new(),
        Attributes::new(),
    )
    .unwrap();
    let ds = DataSet::UnstructuredGrid(grid);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();

    let vtu = dir.path().join("huge.vtu");
    let opts = XmlWriteOptions {
        encoding: XmlEncoding::AppendedRaw,
        compression: XmlCompression::None,
        header: HeaderType::UInt64,
        ..XmlWriteOptions::default()
    };
    xml::write(&vtu, &ds, &opts, Durability::default()).unwrap();
    let back = xml::read(&vtu, &ReadOptions::default()).unwrap();
    assert!(back == ds, "the mesh did not round-trip through .vtu");
    drop(back);
    std::fs::remove_file(&vtu).unwrap();

    let tree = to_arraydict(ds.clone(), Kind::Mesh, &ToArrayDictOptions::default()).unwrap();
    let h5 = dir.path().join("huge.hdf5");
    let wopts = WriteOptions {
        format: Some(StoreFormat::Hdf5),
        compression: Compression::None,
        ..WriteOptions::default()
    };
    arraydict_store::write(&h5, &tree, &wopts).unwrap();
    drop(tree);
    let tree = arraydict_store::read(&h5, &arraydict_store::ReadOptions::default()).unwrap();
    let again = from_arraydict(tree, Kind::Mesh).unwrap();
    assert!(
        again == ds,
        "the mesh did not round-trip through the ArrayDict and HDF5"
    );
    let peak = peak_rss_mib().map_or_else(|| "?".to_owned(), |p| p.to_string());
    println!(
        "BIG: big_mesh ids > 2^31 (.vtu, ArrayDict, HDF5): ok in {:.0} s, peak RSS {peak} MiB",
        started.elapsed().as_secs_f64()
    );
}
