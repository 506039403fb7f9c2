//! MetaImage and STL codecs: a 256^3 `i16` `.mha` (raw and zlib) and a ~1M-triangle binary STL.
//!
//! The files are kept in `$TMPDIR/arraydict-bench-formats-other/` so the Python reference
//! (SimpleITK / VTK) can be timed on exactly the same bytes.

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use vtk_formats::metaimage::{self, MetaWriteOptions};
use vtk_formats::stl::StlWriteOptions;
use vtk_formats::{stl, Durability, ImageFrame, ReadOptions};
use vtk_model::{
    ArrayData, Attributes, CellArray, DataArray, ImageData, Matrix3, PolyCells, PolyData,
};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join("arraydict-bench-formats-other");
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

/// A CT-like volume: smooth structure plus a little noise, so zlib has realistic work.
fn volume() -> ImageData {
    let n = 256usize;
    let mut v = Vec::with_capacity(n * n * n);
    let mut seed = 12345u32;
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let r2 = (x as i64 - 128).pow(2) + (y as i64 - 128).pow(2);
                let base = if r2 < 40 * 40 {
                    300
                } else if r2 < 100 * 100 {
                    40
                } else {
                    -1000
                };
                v.push((base + (z as i64 % 7) + i64::from((seed >> 16) % 8)) as i16);
            }
        }
    }
    let a = DataArray::new("MetaImage", 1, ArrayData::I16(v)).expect("array");
    ImageData::try_new(
        [0, 255, 0, 255, 0, 255],
        [0.0; 3],
        [0.7, 0.7, 1.0],
        Matrix3::identity(),
        vec![a].into(),
        Attributes::new(),
    )
    .expect("image")
}

/// A wavy height-field surface of 2 * 707^2 = 999,698 triangles.
fn surface() -> PolyData {
    let m = 708usize;
    let mut pts = Vec::with_capacity(m * m * 3);
    for j in 0..m {
        for i in 0..m {
            let (x, y) = (i as f32 * 0.1, j as f32 * 0.1);
            pts.extend_from_slice(&[x, y, (x * 0.7).sin() * (y * 0.3).cos()]);
        }
    }
    let mut polys = CellArray::empty();
    for j in 0..m - 1 {
        for i in 0..m - 1 {
            let a = (j * m + i) as i64;
            polys.push_cell(&[a, a + 1, a + m as i64 + 1]);
            polys.push_cell(&[a, a + m as i64 + 1, a + m as i64]);
        }
    }
    let p = DataArray::new("Points", 3, ArrayData::F32(pts)).expect("points");
    PolyData::try_new(
        p,
        PolyCells::polys(polys),
        Attributes::new(),
        Attributes::new(),
    )
    .expect("surface")
}

fn bench(c: &mut Criterion) {
    let d = dir();
    let img = volume();
    let raw = d.join("vol_raw.mha");
    let zlib = d.join("vol_zlib.mha");
    let lps = |compress| MetaWriteOptions {
        compress,
        frame: ImageFrame::Lps,
    };
    metaimage::write(&raw, &img, &lps(false), Durability::default()).expect("write raw");
    metaimage::write(&zlib, &img, &lps(true), Durability::default()).expect("write zlib");
    let surf = surface();
    let stl_path = d.join("surface_1m.stl");
    stl::write(
        &stl_path,
        &surf,
        &StlWriteOptions::default(),
        Durability::default(),
    )
    .expect("write stl");
    let opts = ReadOptions::default();

    let mut g = c.benchmark_group("formats_other");
    g.sample_size(10);
    g.bench_function("mha_read_raw_256cube_i16", |b| {
        b.iter(|| metaimage::read(&raw, &opts).expect("read"));
    });
    g.bench_function("mha_read_zlib_256cube_i16", |b| {
        b.iter(|| metaimage::read(&zlib, &opts).expect("read"));
    });
    let out = d.join("out.mha");
    g.bench_function("mha_write_raw_256cube_i16", |b| {
        b.iter(|| metaimage::write(&out, &img, &lps(false), Durability::default()).expect("write"));
    });
    g.bench_function("mha_write_zlib_256cube_i16", |b| {
        b.iter(|| metaimage::write(&out, &img, &lps(true), Durability::default()).expect("write"));
    });
    g.bench_function("stl_read_binary_1m_triangles", |b| {
        b.iter(|| stl::read(&stl_path, &opts).expect("read"));
    });
    let out = d.join("out.stl");
    g.bench_function("stl_write_binary_1m_triangles", |b| {
        b.iter(|| {
            stl::write(
                &out,
                &surf,
                &StlWriteOptions::default(),
                Durability::default(),
            )
            .expect("write");
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
