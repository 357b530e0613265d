//! The engine's hot path: district lookup and nearest arena of each kind for every child point, on a seeded
//! synthetic city shaped like `../shared/bench/make_synthetic.py` (a 40 km square of 100 districts, 200
//! arenas, children clustered around centres).
//!
//! cargo bench --bench engine

use arenagap::engine::measure;
use arenagap::index::PolygonIndex;
use arenagap::metric::{DistanceModel, StraightLine};
use arenagap::model::{Arena, ArenaKind, Children, District};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use geo::{LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const X0: f64 = 300_000.0;
const Y0: f64 = 6_380_000.0;
const W: f64 = 40_000.0;

fn city(children: usize) -> (Vec<District>, Vec<Arena>, Children) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let n = 10;
    let step = W / n as f64;
    let districts = (0..n * n)
        .map(|i| {
            let (x, y) = (X0 + (i % n) as f64 * step, Y0 + (i / n) as f64 * step);
            let ring = LineString::from(vec![(x, y), (x + step, y), (x + step, y + step), (x, y + step), (x, y)]);
            District {
                id: format!("D{i:04}"),
                name: format!("District {i}"),
                geometry: MultiPolygon(vec![Polygon::new(ring, vec![])]),
            }
        })
        .collect();
    let centres: Vec<[f64; 2]> =
        (0..33).map(|_| [X0 + rng.random_range(0.0..W), Y0 + rng.random_range(0.0..W)]).collect();
    let around = |rng: &mut ChaCha8Rng, spread: f64| {
        let c = centres[rng.random_range(0..centres.len())];
        let (u, v): (f64, f64) = (rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0));
        [(c[0] + spread * u).clamp(X0 + 1.0, X0 + W - 1.0), (c[1] + spread * v).clamp(Y0 + 1.0, Y0 + W - 1.0)]
    };
    let arenas = (0..200)
        .map(|i| Arena { name: format!("Arena {i}"), kind: ArenaKind::ALL[i % 4], position: around(&mut rng, 4000.0) })
        .collect();
    let mut points = Vec::with_capacity(children);
    let mut counts = Vec::with_capacity(children);
    for _ in 0..children {
        points.push(around(&mut rng, 2500.0));
        counts.push(rng.random_range(1..5) as f64);
    }
    (districts, arenas, Children { points, counts })
}

fn hot_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("measure");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let (districts, arenas, children) = city(n);
        let index = PolygonIndex::districts(&districts);
        let model = StraightLine::new(&arenas);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("nearest+district", n), &n, |b, _| {
            b.iter(|| measure(&children, &index, &model))
        });
        group.bench_with_input(BenchmarkId::new("children_within_radius", n), &n, |b, _| {
            b.iter(|| model.weight_within(&children.points, &children.counts, [2500.0, 1500.0, 1500.0, 1500.0]))
        });
    }
    group.finish();
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
