//! VTK XML codec: reading (from memory and from a file) and writing a 1M-triangle surface as
//! appended raw data, zlib-compressed and uncompressed.
//!
//! The files are kept in `$TMPDIR/arraydict-bench-formats-xml/` so Python VTK's
//! `vtkXMLPolyDataReader` can be timed on exactly the same bytes.

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use vtk_formats::xml::{self, read_bytes, write_to, XmlCompression, XmlWriteOptions};
use vtk_formats::ReadOptions;
use vtk_model::DataSet;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join("arraydict-bench-formats-xml");
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

fn bench(c: &mut Criterion) {
    let ds: DataSet = arraydict_benches::triangle_surface(1_000_000).into();
    let modes = [
        ("zlib", XmlWriteOptions::default()),
        (
            "raw",
            XmlWriteOptions {
                compression: XmlCompression::None,
                ..XmlWriteOptions::default()
            },
        ),
    ];
    let mut g = c.benchmark_group("formats_xml");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (name, opts) in &modes {
        let mut bytes = Vec::new();
        write_to(&mut bytes, &ds, opts).expect("write");
        let path = dir().join(format!("surface_1m_{name}.vtp"));
        std::fs::write(&path, &bytes).expect("save");
        g.bench_function(format!("read_1m_triangles_appended_{name}"), |b| {
            b.iter(|| {
                read_bytes(&bytes, Path::new("bench.vtp"), &ReadOptions::default()).expect("read")
            });
        });
        // What Python VTK's reader is timed on: the file (in the page cache), not bytes in memory.
        g.bench_function(format!("read_file_1m_triangles_appended_{name}"), |b| {
            b.iter(|| xml::read(&path, &ReadOptions::default()).expect("read"));
        });
        g.bench_function(format!("write_1m_triangles_appended_{name}"), |b| {
            let mut out = Vec::with_capacity(bytes.len() + 1024);
            b.iter(|| {
                out.clear();
                write_to(&mut out, &ds, opts).expect("write");
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
