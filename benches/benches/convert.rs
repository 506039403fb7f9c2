//! model <-> ArrayDict conversion: a 1M-triangle surface and a 256^3 i16 image, both directions.
//! `iter_batched` hands each iteration an owned input, so the move-based API is timed without the
//! clone that prepares it.

// `criterion_group!` generates an undocumented `pub fn`; a bench has no public API to document.
#![allow(missing_docs)]

use arraydict::{from_arraydict, to_arraydict, Kind, ToArrayDictOptions};
use arraydict_benches::{image_i16, triangle_surface};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use vtk_model::DataSet;

fn convert(c: &mut Criterion) {
    let opts = ToArrayDictOptions::default();
    let cases: [(&str, DataSet, Kind); 2] = [
        (
            "surface_1M_triangles",
            triangle_surface(1_000_000).into(),
            Kind::Surface,
        ),
        ("image_256cubed_i16", image_i16(256).into(), Kind::Image),
    ];
    let mut g = c.benchmark_group("convert");
    g.sample_size(10);
    for (name, ds, kind) in cases {
        let bytes = match &ds {
            DataSet::PolyData(p) => {
                p.points().data().byte_len() + p.cells().polys.connectivity().len() * 8
            }
            DataSet::ImageData(i) => i.point_data().iter().map(|a| a.data().byte_len()).sum(),
            DataSet::UnstructuredGrid(_) => 0,
        };
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(format!("{name}/to_arraydict"), |b| {
            b.iter_batched(
                || ds.clone(),
                |ds| to_arraydict(ds, kind, &opts).expect("converts"),
                BatchSize::LargeInput,
            );
        });
        let tree = to_arraydict(ds, kind, &opts).expect("converts");
        g.bench_function(format!("{name}/from_arraydict"), |b| {
            b.iter_batched(
                || tree.clone(),
                |t| from_arraydict(t, kind).expect("converts"),
                BatchSize::LargeInput,
            );
        });
    }
    g.finish();
}

criterion_group!(benches, convert);
criterion_main!(benches);
