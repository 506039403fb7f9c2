//! HDF5 and MessagePack store throughput on a 256^3 i16 image tree and a 1M-triangle surface
//! tree, plus the speed-up of compressing gzip chunks on 1 vs all threads.
//!
//! Reference numbers for h5py on the same trees: `python crates/store/tests/python/bench_h5py.py`
//! in the same run (see the store README for the last measured ratios).

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use std::hint::black_box;

use arraydict::{ArrayData, Dict, MemoryOrder, NdArray, Node};
use arraydict_store::{read, write, Compression, ReadOptions, StoreFormat, WriteOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// A CT-like image: smooth structures plus low-bit noise, so gzip works as on real data.
pub fn image_tree(n: usize) -> Dict {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut voxels = Vec::with_capacity(n * n * n);
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let (dx, dy, dz) = (x as i64 - 128, y as i64 - 128, z as i64 - 128);
                let body = if dx * dx + dy * dy < 90 * 90 {
                    40
                } else {
                    -1000
                };
                let vessel = if (dx - 20) * (dx - 20) + dy * dy < 100 {
                    300
                } else {
                    0
                };
                voxels.push((body + vessel + (state % 16) as i64 - 8 + dz / 16) as i16);
            }
        }
    }
    // VTK buffers are x-fastest: the (nx, ny, nz) array is Fortran-ordered.
    let image = NdArray::new(ArrayData::I16(voxels), vec![n, n, n], MemoryOrder::F).unwrap();
    let mut pd = Dict::new();
    pd.insert("ImageScalars", image);
    let mut t = Dict::new();
    t.insert("Origin", NdArray::vector(vec![0.0f64; 3]));
    t.insert("Dimensions", NdArray::vector(vec![n as i64; 3]));
    t.insert("Spacing", NdArray::vector(vec![0.5f64; 3]));
    t.insert("PointData", pd);
    t
}

/// A triangulated surface with `cells` triangles on a grid of about `cells / 2` points.
pub fn surface_tree(cells: usize) -> Dict {
    let side = ((cells / 2) as f64).sqrt() as usize + 1;
    let np = side * side;
    let mut points = Vec::with_capacity(np * 3);
    let mut normals = Vec::with_capacity(np * 3);
    for j in 0..side {
        for i in 0..side {
            let (u, v) = (i as f32 / side as f32, j as f32 / side as f32);
            points.extend([
                u * 100.0,
                v * 100.0,
                (u * 20.0).sin() * (v * 15.0).cos() * 5.0,
            ]);
            normals.extend([0.1 * u, 0.1 * v, 0.99]);
        }
    }
    let mut ids = Vec::with_capacity(cells * 3);
    'outer: for j in 0..side - 1 {
        for i in 0..side - 1 {
            let p = (j * side + i) as i32;
            let s = side as i32;
            for tri in [[p, p + 1, p + s], [p + 1, p + s + 1, p + s]] {
                if ids.len() == cells * 3 {
                    break 'outer;
                }
                ids.extend(tri);
            }
        }
    }
    let nc = ids.len() / 3;
    let mut cd = Dict::new();
    cd.insert("CellPointIds", NdArray::c(ids, vec![nc, 3]).unwrap());
    let mut pd = Dict::new();
    pd.insert("Normals", NdArray::c(normals, vec![np, 3]).unwrap());
    let mut t = Dict::new();
    t.insert("CellData", cd);
    t.insert("Points", NdArray::c(points, vec![np, 3]).unwrap());
    t.insert("PointData", pd);
    t
}

fn tree_bytes(d: &Dict) -> u64 {
    d.iter()
        .map(|(_, n)| match n {
            Node::Dict(d) => tree_bytes(d),
            Node::Array(a) => a.data().byte_len() as u64,
            Node::List(l) => l.iter().map(|a| a.data().byte_len() as u64).sum(),
        })
        .sum()
}

fn opts(format: StoreFormat, compression: Compression) -> WriteOptions {
    WriteOptions {
        format: Some(format),
        compression,
        ..WriteOptions::default()
    }
}

fn bench_store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let trees = [
        ("image256_i16", image_tree(256)),
        ("surface_1M_tri", surface_tree(1_000_000)),
    ];
    let configs = [
        ("hdf5_gzip4", StoreFormat::Hdf5, Compression::Gzip(4)),
        ("hdf5_none", StoreFormat::Hdf5, Compression::None),
        ("msgpack", StoreFormat::MessagePack, Compression::None),
    ];
    let mut g = c.benchmark_group("store");
    g.sample_size(10);
    for (tname, tree) in &trees {
        g.throughput(Throughput::Bytes(tree_bytes(tree)));
        for (cname, format, compression) in configs {
            let path = dir.path().join(format!("{tname}.{}", format.extension()));
            let o = opts(format, compression);
            g.bench_function(BenchmarkId::new(format!("write_{cname}"), tname), |b| {
                b.iter(|| write(&path, black_box(tree), &o).unwrap());
            });
            write(&path, tree, &o).unwrap();
            g.bench_function(BenchmarkId::new(format!("read_{cname}"), tname), |b| {
                b.iter(|| read(black_box(&path), &ReadOptions::default()).unwrap());
            });
        }
    }
    g.finish();
}

fn bench_gzip_threads(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let tree = image_tree(256);
    let path = dir.path().join("image.hdf5");
    let mut g = c.benchmark_group("hdf5_gzip4_threads");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(tree_bytes(&tree)));
    let max = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    for threads in [1, max.max(2)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        g.bench_function(BenchmarkId::new("write_image256_i16", threads), |b| {
            b.iter(|| {
                pool.install(|| {
                    write(&path, &tree, &opts(StoreFormat::Hdf5, Compression::Gzip(4))).unwrap();
                });
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench_store, bench_gzip_threads);
criterion_main!(benches);
