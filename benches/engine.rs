//! The engine's hot path on a seeded synthetic city shaped like `../shared/bench/make_synthetic.py` (a 40 km
//! square of 100 districts, 200 arenas, children clustered around centres):
//!
//! - `measure/nearest+district`: locating every child in its district and its nearest arena of each kind (what
//!   loading and one evaluation do for a million children);
//! - `evaluate/second facility set`: a whole evaluation of another facility set on an already loaded study —
//!   nearest of each kind with identity, coverage, gap scores, per-kind metrics, children within each arena's
//!   radius — which is what every scenario and siting step costs;
//! - `cost/within`: every child within each arena's radius, as a sparse table;
//! - `scenario/…`: a scenario on the loaded study of a million children, re-scored from the baseline's evaluation
//!   (`measure::rescore`) and compared with it (`measure::compare::compare`): one family centre added where
//!   children live, one arena closed. This is what `compare` spends per scenario before writing.
//!
//! cargo bench --bench engine

use arenagap::cost::{CostModel, StraightLine};
use arenagap::crs::Crs;
use arenagap::index::PolygonIndex;
use arenagap::measure::compare::{compare, Side};
use arenagap::measure::{evaluate, rescore, Params};
use arenagap::model::facilities::{Facilities, Facility};
use arenagap::model::kinds::{KindId, Kinds};
use arenagap::model::scenario::Scenario;
use arenagap::model::study::Study;
use arenagap::model::{Children, District};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use geo::{LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const X0: f64 = 300_000.0;
const Y0: f64 = 6_380_000.0;
const W: f64 = 40_000.0;

fn city(children: usize, seed: u64) -> (Vec<District>, Facilities, Children) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
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
    let facilities = Facilities::new(
        (0..200)
            .map(|i| Facility {
                id: format!("a#{i}"),
                name: format!("Arena {i}"),
                kind: KindId((i % 4) as u16),
                position: around(&mut rng, 4000.0),
                capacity: 1.0,
            })
            .collect(),
    );
    let mut points = Vec::with_capacity(children);
    let mut counts = Vec::with_capacity(children);
    for _ in 0..children {
        points.push(around(&mut rng, 2500.0));
        counts.push(rng.random_range(1..5) as f64);
    }
    (districts, facilities, Children { points, counts, footprints: None })
}

fn hot_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("measure");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let (districts, facilities, children) = city(n, 1);
        let index = PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect());
        let model = StraightLine::new(&children.points);
        let group_of: Vec<Option<usize>> = facilities.iter().map(|f| Some(f.kind.index())).collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("nearest+district", n), &n, |b, _| {
            b.iter(|| (model.nearest(&facilities, &group_of, 4), index.locate_all(&children.points)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("evaluate");
    group.sample_size(10);
    let n = 1_000_000;
    let (districts, facilities, children) = city(n, 1);
    // Another facility set on the same city: the baseline's arenas moved, as a scenario would.
    let (_, other, _) = city(0, 2);
    let study = Study::from_parts(districts, children, Kinds::defaults(), facilities, None, Crs::SWEREF99_TM);
    let model = StraightLine::new(&study.children.points);
    let params = Params { radius_any: 1000.0 };
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new("second facility set", n), |b| {
        b.iter(|| evaluate(&study, &other, &model, &params))
    });
    group.finish();

    let mut group = c.benchmark_group("cost");
    group.sample_size(10);
    let cutoff: Vec<f64> = study.facilities.iter().map(|f| if f.kind.index() == 0 { 2500.0 } else { 1500.0 }).collect();
    group.bench_function(BenchmarkId::new("within", n), |b| b.iter(|| model.within(&study.facilities, &cutoff)));
    group.finish();

    let mut group = c.benchmark_group("scenario");
    group.sample_size(20);
    let base = evaluate(&study, &study.facilities, &model, &params);
    let before = Side { study: &study, facilities: &study.facilities, eval: &base };
    // A family centre at the 1000th child's home (children are clustered, so among many).
    let mut added = study.facilities.get(0).clone();
    added.id = "new#0".into();
    added.position = study.children.points[1000];
    let scenarios = [
        ("add one arena", Scenario { name: "add".into(), added: vec![added], closed: vec![] }),
        ("close one arena", Scenario { name: "close".into(), added: vec![], closed: vec![5] }),
    ];
    for (name, scenario) in &scenarios {
        group.bench_function(BenchmarkId::new(*name, n), |b| {
            b.iter(|| {
                let scored = rescore(&study, &study.facilities, &base, scenario, &model, &params);
                let after = Side { study: &study, facilities: &scored.facilities, eval: &scored.eval };
                compare(before, after, Some(&scored.changed)).summary.newly_covered
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
