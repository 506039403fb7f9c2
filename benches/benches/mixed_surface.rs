//! Issue 17's target for SPEC 6's cell stream: a 1M-cell mixed quad/triangle surface to HDF5 gzip 4
//! and back within 1.5x the time and the file size of a 1M-triangle surface. Each surface is timed
//! model -> tree -> `.hdf5` (`write`; `to_arraydict` is its first step alone) and `.hdf5` -> tree ->
//! model (`read`); the file sizes and their ratio are printed once (criterion prints the times;
//! compare `mixed_quad_tri_1M` with `triangles_1M`). Measured figures: PERFORMANCE.md.

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use std::hint::black_box;

use arraydict::{from_arraydict, to_arraydict, Kind, ToArrayDictOptions};
use arraydict_benches::{quad_triangle_surface, triangle_surface};
use arraydict_store::{read, write, Compression, ReadOptions, StoreFormat, WriteOptions};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use vtk_model::DataSet;

fn mixed_surface(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = WriteOptions {
        format: Some(StoreFormat::Hdf5),
        compression: Compression::Gzip(4),
        ..WriteOptions::default()
    };
    let cases: [(&str, DataSet); 2] = [
        ("triangles_1M", triangle_surface(1_000_000).into()),
        ("mixed_quad_tri_1M", quad_triangle_surface(1_000_000).into()),
    ];
    let mut g = c.benchmark_group("mixed_surface_hdf5_gzip4");
    g.sample_size(10);
    let mut sizes = Vec::new();
    for (name, ds) in &cases {
        let path = dir.path().join(format!("{name}.hdf5"));
        let to_file = |ds: DataSet| {
            let tree =
                to_arraydict(ds, Kind::Surface, &ToArrayDictOptions::default()).expect("converts");
            write(&path, &tree, &opts).expect("writes");
        };
        // The conversion alone, to see what of `write` is the cell stream's and what is gzip's.
        g.bench_function(BenchmarkId::new("to_arraydict", name), |b| {
            b.iter_batched(
                || ds.clone(),
                |ds| {
                    to_arraydict(ds, Kind::Surface, &ToArrayDictOptions::default())
                        .expect("converts")
                },
                BatchSize::LargeInput,
            );
        });
        g.bench_function(BenchmarkId::new("write", name), |b| {
            b.iter_batched(|| ds.clone(), to_file, BatchSize::LargeInput);
        });
        to_file(ds.clone());
        let from_file = || {
            let tree = read(black_box(&path), &ReadOptions::default()).expect("reads");
            from_arraydict(tree, Kind::Surface).expect("converts")
        };
        assert_eq!(&from_file(), ds, "{name}: the round trip is lossless");
        g.bench_function(BenchmarkId::new("read", name), |b| b.iter(from_file));
        sizes.push((name, std::fs::metadata(&path).expect("output").len()));
    }
    g.finish();
    for (name, bytes) in &sizes {
        eprintln!("mixed_surface: {name}.hdf5 (gzip 4): {bytes} bytes");
    }
    if let [(_, tri), (_, mixed)] = sizes[..] {
        eprintln!(
            "mixed_surface: file size ratio mixed / triangles = {:.2} (target <= 1.5)",
            mixed as f64 / tri as f64
        );
    }
}

criterion_group!(benches, mixed_surface);
criterion_main!(benches);
