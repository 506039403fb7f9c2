//! Pickle write/read of a 256^3 i16 image tree and a 1M-triangle surface tree, in memory and to
//! a temporary file. With `ARRAYDICT_PYTHON` set, Python's own `pickle.dump(protocol=5)` /
//! `pickle.load` of the same trees are timed in the same run (`tests/python/pickle_bench.py`) and
//! printed next to ours.

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use arraydict::{ArrayData, Dict, MemoryOrder, NdArray};
use arraydict_store::pickle::{read_bytes, write_to, PickleLimits, PickleWriteOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn image_tree(n: usize) -> Dict {
    let voxels: Vec<i16> = (0..n * n * n).map(|i| (i % 4093) as i16 - 1000).collect();
    let mut pd = Dict::new();
    pd.insert(
        "ImageScalars",
        NdArray::new(ArrayData::I16(voxels), vec![n, n, n], MemoryOrder::F).expect("shape"),
    );
    let mut t = Dict::new();
    t.insert("Origin", NdArray::vector(vec![0.0f64; 3]));
    t.insert("Dimensions", NdArray::vector(vec![n as i64; 3]));
    t.insert("Spacing", NdArray::vector(vec![1.0f64; 3]));
    t.insert("PointData", pd);
    t
}

fn surface_tree(n_tri: usize) -> Dict {
    let n_pts = n_tri / 2 + 2;
    let points: Vec<f32> = (0..n_pts * 3).map(|i| i as f32 * 0.001).collect();
    let normals: Vec<f32> = (0..n_pts * 3).map(|i| (i % 3) as f32).collect();
    let ids: Vec<i32> = (0..n_tri * 3)
        .map(|i| ((i / 3 + i % 3) % n_pts) as i32)
        .collect();
    let mut pd = Dict::new();
    pd.insert(
        "Normals",
        NdArray::c(normals, vec![n_pts, 3]).expect("shape"),
    );
    let mut cd = Dict::new();
    cd.insert(
        "CellPointIds",
        NdArray::c(ids, vec![n_tri, 3]).expect("shape"),
    );
    let mut t = Dict::new();
    t.insert("Points", NdArray::c(points, vec![n_pts, 3]).expect("shape"));
    t.insert("PointData", pd);
    t.insert("CellData", cd);
    t
}

fn python_reference(file: &Path) -> Option<String> {
    let py = std::env::var("ARRAYDICT_PYTHON").ok()?;
    if !file.exists() {
        return None; // this case's benches were filtered out
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/store/tests/python/pickle_bench.py");
    let out = Command::new(py).arg(script).arg(file).output().ok()?;
    Some(
        String::from_utf8_lossy(if out.status.success() {
            &out.stdout
        } else {
            &out.stderr
        })
        .trim()
        .to_owned(),
    )
}

fn store_pickle(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("store_pickle");
    g.sample_size(10);
    for (name, tree) in [
        ("image_256cubed_i16", image_tree(256)),
        ("surface_1M_triangles", surface_tree(1_000_000)),
    ] {
        for protocol in [4u8, 5] {
            let opts = PickleWriteOptions { protocol };
            let mut bytes = Vec::new();
            write_to(&mut bytes, &tree, &opts, Path::new("mem")).expect("writes");
            g.throughput(Throughput::Bytes(bytes.len() as u64));
            g.bench_function(format!("{name}/p{protocol}/write_mem"), |b| {
                b.iter(|| {
                    let mut out = Vec::with_capacity(bytes.len());
                    write_to(&mut out, &tree, &opts, Path::new("mem")).expect("writes");
                    black_box(out)
                });
            });
            let file = dir.path().join(format!("{name}_p{protocol}.pickle"));
            g.bench_function(format!("{name}/p{protocol}/write_file"), |b| {
                b.iter(|| {
                    let f = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
                    write_to(f, &tree, &opts, &file).expect("writes");
                });
            });
            g.bench_function(format!("{name}/p{protocol}/read_mem"), |b| {
                b.iter(|| {
                    read_bytes(
                        black_box(&bytes),
                        Path::new("mem"),
                        &PickleLimits::default(),
                    )
                    .expect("reads")
                });
            });
            g.bench_function(format!("{name}/p{protocol}/read_file"), |b| {
                b.iter(|| {
                    let data = std::fs::read(&file).expect("read");
                    read_bytes(&data, &file, &PickleLimits::default()).expect("reads")
                });
            });
            if protocol == 5 {
                match python_reference(&file) {
                    Some(line) => eprintln!("python reference {name}: {line}"),
                    None => {
                        eprintln!("python reference {name}: SKIPPED (ARRAYDICT_PYTHON not set)");
                    }
                }
            }
        }
    }
    g.finish();
}

criterion_group!(benches, store_pickle);
criterion_main!(benches);
