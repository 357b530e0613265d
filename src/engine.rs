//! The engine: for every child point its district and the distance to the nearest arena of each kind, then
//! per-district metrics, a gap score and a ranking. Independent of files and the command line.
//!
//! Work on children runs in parallel over fixed-size chunks whose partial results are combined in chunk order,
//! so sums, and so every output byte, are the same whatever the number of threads.

use rayon::prelude::*;

use crate::index::PolygonIndex;
use crate::metric::DistanceModel;
use crate::model::{Arena, ArenaKind, Children, District};

/// Children are processed in chunks of this many points.
const CHUNK: usize = 8192;

/// A child with no arena at all in the data counts as this many radii away in the gap score.
pub const NO_ARENA_RADII: f64 = 10.0;

/// Coverage radii, metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Radii {
    /// For any arena.
    pub any: f64,
    /// Per kind, indexed by [`ArenaKind::index`].
    pub kind: [f64; 4],
}

/// What the engine found for one child point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChildResult {
    /// The district it lies in (index into the district list), `None` when outside all of them.
    pub district: Option<u32>,
    /// Distance in metres to the nearest arena of each kind (by [`ArenaKind::index`]) and, last, of any kind;
    /// NaN when there is none of that kind.
    pub distance: [f64; 5],
}

impl ChildResult {
    /// Distance to the nearest arena of any kind, if there is one.
    pub fn nearest_any(&self) -> Option<f64> {
        let d = self.distance[4];
        (!d.is_nan()).then_some(d)
    }
    /// Distance to the nearest arena of `kind`, if there is one.
    pub fn nearest(&self, kind: ArenaKind) -> Option<f64> {
        let d = self.distance[kind.index()];
        (!d.is_nan()).then_some(d)
    }
}

/// Locates every child in its district and measures the distance to the nearest arena of each kind.
pub fn measure(children: &Children, districts: &PolygonIndex, model: &dyn DistanceModel) -> Vec<ChildResult> {
    let nearest = model.nearest_by_kind(&children.points);
    let located = districts.locate_all(&children.points);
    nearest
        .par_iter()
        .zip(located.par_iter())
        .with_min_len(CHUNK)
        .map(|(by_kind, &district)| {
            let mut distance = [f64::NAN; 5];
            distance[..4].copy_from_slice(by_kind);
            // The nearest of any kind is the nearest of the kinds' nearest.
            distance[4] = by_kind.iter().copied().filter(|d| !d.is_nan()).reduce(f64::min).unwrap_or(f64::NAN);
            ChildResult { district, distance }
        })
        .collect()
}

/// How much one uncovered child point adds to a gap score, before the need weight: its children times its
/// distance in radii (`count × d / R`), so the score grows both with how many children are uncovered and with how
/// far beyond the radius they live. Covered children add nothing.
pub fn gap_contribution(count: f64, distance: Option<f64>, radius: f64) -> f64 {
    match distance {
        Some(d) if d <= radius => 0.0,
        Some(d) => count * d / radius,
        None => count * NO_ARENA_RADII,
    }
}

/// Per-district results. Field names follow the output contract.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DistrictMetrics {
    /// Children living in the district.
    pub children: f64,
    /// Arenas located in the district, per kind.
    pub arenas: [u32; 4],
    /// Children within the "any" radius of some arena.
    pub children_covered: f64,
    /// Children within each kind's radius of an arena of that kind.
    pub children_covered_kind: [f64; 4],
    /// Child-weighted mean distance to the nearest arena, metres.
    pub mean_distance_m: Option<f64>,
    /// Child-weighted 90th percentile of that distance, metres.
    pub p90_distance_m: Option<f64>,
    /// The need weight used.
    pub need_weight: f64,
    /// Need-weighted gap score: the sum of `need × gap_contribution` over its uncovered children.
    pub gap_score: f64,
    /// Rank by `gap_score` (1 = most underserved).
    pub gap_rank: u32,
    /// The gap score with every need weight 1.
    pub gap_score_unweighted: f64,
    /// Rank by `gap_score_unweighted`.
    pub gap_rank_unweighted: u32,
}

impl DistrictMetrics {
    /// All arenas in the district.
    pub fn arenas_total(&self) -> u32 {
        self.arenas.iter().sum()
    }
    /// Children beyond the "any" radius.
    pub fn children_uncovered(&self) -> f64 {
        self.children - self.children_covered
    }
    /// Share of children covered (0..1); `None` for a district without children.
    pub fn coverage_share(&self) -> Option<f64> {
        (self.children > 0.0).then(|| self.children_covered / self.children)
    }
    /// The city's policy: at least one family centre in every district.
    pub fn has_familjecentral(&self) -> bool {
        self.arenas[ArenaKind::Familjecentral.index()] > 0
    }
}

/// The whole analysis.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Per child point, aligned with the children.
    pub children: Vec<ChildResult>,
    /// Per district, aligned with the districts.
    pub districts: Vec<DistrictMetrics>,
    /// Per arena: the children within its kind's radius of it.
    pub arena_children_within: Vec<f64>,
    /// The district each arena lies in, if any.
    pub arena_district: Vec<Option<u32>>,
    /// Child points outside every district, and their children.
    pub outside: (usize, f64),
    /// Radii used.
    pub radii: Radii,
}

/// The analysis inputs, in the analysis CRS.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// Districts.
    pub districts: &'a [District],
    /// Arenas.
    pub arenas: &'a [Arena],
    /// Child points.
    pub children: &'a Children,
}

/// What [`summarize`] finds: everything of an [`Analysis`] but the per-child results it reads.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Per district, aligned with the districts.
    pub districts: Vec<DistrictMetrics>,
    /// Per arena: the children within its kind's radius of it.
    pub arena_children_within: Vec<f64>,
    /// The district each arena lies in, if any.
    pub arena_district: Vec<Option<u32>>,
    /// Child points outside every district, and their children.
    pub outside: (usize, f64),
}

impl Analysis {
    /// The per-child results and their summary.
    pub fn new(children: Vec<ChildResult>, summary: Summary, radii: Radii) -> Self {
        let Summary { districts, arena_children_within, arena_district, outside } = summary;
        Analysis { children, districts, arena_children_within, arena_district, outside, radii }
    }
}

/// Per-district metrics, gap scores and ranks from the measured children. `need_weight` is per district.
pub fn summarize(
    inputs: Inputs<'_>,
    district_index: &PolygonIndex,
    results: &[ChildResult],
    model: &dyn DistanceModel,
    radii: Radii,
    need_weight: &[f64],
) -> Summary {
    let Inputs { districts, arenas, children } = inputs;
    let n = districts.len();
    let mut metrics: Vec<DistrictMetrics> =
        need_weight.iter().map(|&w| DistrictMetrics { need_weight: w, ..Default::default() }).collect();
    // Each district's (distance, children) pairs for its percentile, sized exactly up front: a million children
    // must not cost twice their memory in growing vectors.
    let mut sizes = vec![0usize; n];
    for r in results {
        if let (Some(d), false) = (r.district, r.distance[4].is_nan()) {
            sizes[d as usize] += 1;
        }
    }
    let mut distances: Vec<Vec<(f64, f64)>> = sizes.into_iter().map(Vec::with_capacity).collect();
    let mut weighted_sum = vec![0.0; n];
    let mut weight_with_arena = vec![0.0; n];
    let mut outside = (0usize, 0.0);
    for (r, &count) in results.iter().zip(&children.counts) {
        let Some(d) = r.district else {
            outside.0 += 1;
            outside.1 += count;
            continue;
        };
        let d = d as usize;
        let m = &mut metrics[d];
        m.children += count;
        let nearest = r.nearest_any();
        if nearest.is_some_and(|x| x <= radii.any) {
            m.children_covered += count;
        }
        for kind in ArenaKind::ALL {
            if r.nearest(kind).is_some_and(|x| x <= radii.kind[kind.index()]) {
                m.children_covered_kind[kind.index()] += count;
            }
        }
        let contribution = gap_contribution(count, nearest, radii.any);
        m.gap_score_unweighted += contribution;
        m.gap_score += m.need_weight * contribution;
        if let Some(x) = nearest {
            weighted_sum[d] += count * x;
            weight_with_arena[d] += count;
            distances[d].push((x, count));
        }
    }
    // Sorting each district's distances for the percentile is the costly part: districts in parallel.
    metrics.par_iter_mut().zip(distances.par_iter_mut()).enumerate().for_each(|(d, (m, distances))| {
        if weight_with_arena[d] > 0.0 {
            m.mean_distance_m = Some(weighted_sum[d] / weight_with_arena[d]);
            m.p90_distance_m = weighted_percentile(distances, 0.9);
        }
    });
    let arena_district: Vec<Option<u32>> =
        arenas.iter().map(|a| district_index.locate(a.position).map(|d| d as u32)).collect();
    for (a, d) in arenas.iter().zip(&arena_district) {
        if let Some(d) = d {
            metrics[*d as usize].arenas[a.kind.index()] += 1;
        }
    }
    rank(districts, &mut metrics, |m| m.gap_score, |m, r| m.gap_rank = r);
    rank(districts, &mut metrics, |m| m.gap_score_unweighted, |m, r| m.gap_rank_unweighted = r);
    let arena_children_within = model.weight_within(&children.points, &children.counts, radii.kind);
    Summary { districts: metrics, arena_children_within, arena_district, outside }
}

/// The smallest distance at or below which `share` of the weight lies. Sorts `values` (distance, weight).
pub fn weighted_percentile(values: &mut [(f64, f64)], share: f64) -> Option<f64> {
    let total: f64 = values.iter().map(|v| v.1).sum();
    if total <= 0.0 {
        return None;
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let target = share * total;
    let mut cumulative = 0.0;
    for &(d, w) in values.iter() {
        cumulative += w;
        if cumulative >= target - 1e-9 * total {
            return Some(d);
        }
    }
    values.last().map(|v| v.0)
}

fn rank(
    districts: &[District],
    metrics: &mut [DistrictMetrics],
    score: impl Fn(&DistrictMetrics) -> f64,
    set: impl Fn(&mut DistrictMetrics, u32),
) {
    let mut order: Vec<usize> = (0..metrics.len()).collect();
    order.sort_by(|&a, &b| {
        score(&metrics[b])
            .total_cmp(&score(&metrics[a]))
            .then(metrics[b].children_uncovered().total_cmp(&metrics[a].children_uncovered()))
            .then_with(|| districts[a].id.cmp(&districts[b].id))
    });
    for (r, i) in order.into_iter().enumerate() {
        set(&mut metrics[i], r as u32 + 1);
    }
}

#[cfg(test)]
mod tests {
    use geo::{Contains, Intersects, LineString, MultiPolygon, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::metric::StraightLine;

    fn random_arenas(rng: &mut ChaCha8Rng, n: usize, extent: f64) -> Vec<Arena> {
        (0..n)
            .map(|i| Arena {
                name: format!("a{i}"),
                kind: ArenaKind::ALL[rng.random_range(0..4)],
                // Coarse coordinates so that exact ties happen and the tie rule is exercised.
                position: [
                    (rng.random_range(0.0..extent) / 50.0).round() * 50.0,
                    (rng.random_range(0.0..extent) / 50.0).round() * 50.0,
                ],
            })
            .collect()
    }

    /// Random star-shaped (often concave) polygons with a hole in some, scattered over the extent; they may
    /// overlap, which the lowest-index rule must resolve.
    fn random_districts(rng: &mut ChaCha8Rng, n: usize, extent: f64) -> Vec<District> {
        (0..n)
            .map(|i| {
                let (cx, cy) = (rng.random_range(0.0..extent), rng.random_range(0.0..extent));
                let r = rng.random_range(extent / 20.0..extent / 5.0);
                let k = rng.random_range(3..12);
                let ring: Vec<(f64, f64)> = (0..k)
                    .map(|j| {
                        let a = std::f64::consts::TAU * j as f64 / k as f64;
                        let rr = r * rng.random_range(0.3..1.0);
                        (cx + rr * a.cos(), cy + rr * a.sin())
                    })
                    .collect();
                let holes = if rng.random_bool(0.3) {
                    let h = r * 0.15;
                    vec![LineString::from(vec![(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)])]
                } else {
                    vec![]
                };
                District {
                    id: format!("d{i}"),
                    name: format!("District {i}"),
                    geometry: MultiPolygon(vec![Polygon::new(LineString::from(ring), holes)]),
                }
            })
            .collect()
    }

    fn brute_nearest(arenas: &[Arena], p: [f64; 2], kind: Option<ArenaKind>) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for (i, a) in arenas.iter().enumerate() {
            if kind.is_some_and(|k| a.kind != k) {
                continue;
            }
            let d = ((a.position[0] - p[0]).powi(2) + (a.position[1] - p[1]).powi(2)).sqrt();
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((i, d));
            }
        }
        best
    }

    fn brute_district(districts: &[District], p: [f64; 2]) -> Option<usize> {
        let point = Point::new(p[0], p[1]);
        districts
            .iter()
            .position(|d| d.geometry.contains(&point))
            .or_else(|| districts.iter().position(|d| d.geometry.intersects(&point)))
    }

    #[test]
    fn nearest_arena_matches_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for round in 0..30 {
            let n = rng.random_range(0..60);
            let arenas = random_arenas(&mut rng, n, 10_000.0);
            let model = StraightLine::new(&arenas);
            // Clustered and scattered points, some outside the arenas' extent.
            let m = rng.random_range(1..3000);
            let points: Vec<[f64; 2]> = (0..m)
                .map(|_| {
                    if rng.random_bool(0.3) {
                        [rng.random_range(4000.0..4300.0), rng.random_range(4000.0..4300.0)]
                    } else {
                        [rng.random_range(-2000.0..12_000.0), rng.random_range(-2000.0..12_000.0)]
                    }
                })
                .collect();
            let got = model.nearest_by_kind(&points);
            for (p, got) in points.iter().zip(&got) {
                for kind in ArenaKind::ALL {
                    let want = brute_nearest(&arenas, *p, Some(kind)).map(|x| x.1);
                    let g = got[kind.index()];
                    match want {
                        None => assert!(g.is_nan(), "round {round}"),
                        Some(w) => assert_eq!(g, w, "round {round}: {p:?} {kind:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn point_in_district_matches_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..10 {
            let n = rng.random_range(1..40);
            let districts = random_districts(&mut rng, n, 10_000.0);
            let index = PolygonIndex::districts(&districts);
            let points: Vec<[f64; 2]> =
                (0..5000).map(|_| [rng.random_range(0.0..10_000.0), rng.random_range(0.0..10_000.0)]).collect();
            let all = index.locate_all(&points);
            for (p, got) in points.iter().zip(all) {
                let want = brute_district(&districts, *p);
                assert_eq!(index.locate(*p), want, "{p:?}");
                assert_eq!(got.map(|d| d as usize), want, "{p:?}");
            }
            // Vertices lie on boundaries: the rule must still agree.
            for d in &districts {
                for c in d.geometry.0[0].exterior().coords().take(3) {
                    assert_eq!(index.locate([c.x, c.y]), brute_district(&districts, [c.x, c.y]));
                }
            }
        }
    }

    #[test]
    fn locating_many_points_in_tiled_squares_matches_brute_force() {
        // Square districts sharing edges, as in the synthetic benchmark: most grid cells lie wholly inside one
        // district (the fast path), and many points fall on shared edges and corners (the tie rule).
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let districts: Vec<District> = (0..16)
            .map(|i| {
                let (x, y) = ((i % 4) as f64 * 1000.0, (i / 4) as f64 * 1000.0);
                let ring =
                    LineString::from(vec![(x, y), (x + 1000.0, y), (x + 1000.0, y + 1000.0), (x, y + 1000.0), (x, y)]);
                District {
                    id: format!("d{i}"),
                    name: String::new(),
                    geometry: MultiPolygon(vec![Polygon::new(ring, vec![])]),
                }
            })
            .collect();
        let index = PolygonIndex::districts(&districts);
        let points: Vec<[f64; 2]> = (0..20_000)
            .map(|k| {
                if k % 10 == 0 {
                    [(rng.random_range(0..5) * 1000) as f64, rng.random_range(-100.0..4100.0)]
                } else {
                    [rng.random_range(-100.0..4100.0), rng.random_range(-100.0..4100.0)]
                }
            })
            .collect();
        for (p, got) in points.iter().zip(index.locate_all(&points)) {
            assert_eq!(got.map(|d| d as usize), brute_district(&districts, *p), "{p:?}");
        }
    }

    #[test]
    fn coverage_counts_and_scores_match_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..8 {
            let districts = random_districts(&mut rng, 12, 10_000.0);
            let arenas = random_arenas(&mut rng, 15, 10_000.0);
            let n = 3000;
            let children = Children {
                points: (0..n).map(|_| [rng.random_range(0.0..10_000.0), rng.random_range(0.0..10_000.0)]).collect(),
                counts: (0..n).map(|_| rng.random_range(0..5) as f64).collect(),
            };
            let radii = Radii { any: 1000.0, kind: [2500.0, 1500.0, 1500.0, 1500.0] };
            let need: Vec<f64> = (0..districts.len()).map(|_| rng.random_range(0.5..2.0)).collect();
            let model = StraightLine::new(&arenas);
            let index = PolygonIndex::districts(&districts);
            let results = measure(&children, &index, &model);
            let analysis = summarize(
                Inputs { districts: &districts, arenas: &arenas, children: &children },
                &index,
                &results,
                &model,
                radii,
                &need,
            );
            // Brute force, district by district.
            for (d, m) in analysis.districts.iter().enumerate() {
                let (mut total, mut covered, mut score, mut kinds) = (0.0, 0.0, 0.0, [0.0; 4]);
                for (p, &c) in children.points.iter().zip(&children.counts) {
                    if brute_district(&districts, *p) != Some(d) {
                        continue;
                    }
                    total += c;
                    let near = brute_nearest(&arenas, *p, None).map(|x| x.1);
                    if near.is_some_and(|x| x <= 1000.0) {
                        covered += c;
                    }
                    score += need[d] * gap_contribution(c, near, 1000.0);
                    for k in ArenaKind::ALL {
                        if brute_nearest(&arenas, *p, Some(k)).is_some_and(|x| x.1 <= radii.kind[k.index()]) {
                            kinds[k.index()] += c;
                        }
                    }
                }
                assert_eq!(m.children, total);
                assert_eq!(m.children_covered, covered);
                assert_eq!(m.children_covered_kind, kinds);
                assert!((m.gap_score - score).abs() < 1e-6 * score.max(1.0));
            }
            // Children within each arena's radius, by brute force.
            for (a, arena) in arenas.iter().enumerate() {
                let r = radii.kind[arena.kind.index()];
                let want: f64 = children
                    .points
                    .iter()
                    .zip(&children.counts)
                    .filter(|(p, _)| {
                        ((p[0] - arena.position[0]).powi(2) + (p[1] - arena.position[1]).powi(2)).sqrt() <= r
                    })
                    .map(|(_, c)| c)
                    .sum();
                assert_eq!(analysis.arena_children_within[a], want);
            }
        }
    }

    #[test]
    fn gap_score_grows_with_children_and_distance() {
        // 1,000 children all 5 km away are worse off than 1,200 just past 1 km.
        let far = gap_contribution(1000.0, Some(5000.0), 1000.0);
        let near = gap_contribution(1200.0, Some(1001.0), 1000.0);
        assert!(far > near);
        assert!(gap_contribution(2.0, Some(1500.0), 1000.0) > gap_contribution(1.0, Some(1500.0), 1000.0));
        assert_eq!(gap_contribution(5.0, Some(1000.0), 1000.0), 0.0);
        assert_eq!(gap_contribution(1.0, None, 1000.0), NO_ARENA_RADII);
    }

    #[test]
    fn weighted_percentile_is_the_first_distance_reaching_the_share() {
        let mut v = vec![(300.0, 1.0), (100.0, 1.0), (200.0, 8.0)];
        assert_eq!(weighted_percentile(&mut v, 0.9), Some(200.0));
        let mut v = vec![(100.0, 1.0), (200.0, 1.0)];
        assert_eq!(weighted_percentile(&mut v, 0.9), Some(200.0));
        assert_eq!(weighted_percentile(&mut [], 0.9), None);
    }
}
