//! Evaluation: for one facility set, every child's nearest arena of each kind (with its identity), then
//! per-district metrics, gap scores and ranks, and the children within each arena's radius. Pure: no I/O, the
//! same answer every call, cheap to call again with another facility set on the same [`Study`] (what scenarios
//! and siting do). Distances come only from the [`CostModel`].
//!
//! Sums over children run in input order, so every number, and so every output byte, is the same whatever the
//! number of threads.

pub mod compare;
mod rescore;
mod summary;

pub use rescore::{rescore, Rescored};
pub use summary::weighted_percentile;

use rayon::prelude::*;

use crate::cost::{CostModel, Nearest, Unit};
use crate::model::facilities::Facilities;
use crate::model::study::Study;

/// "No kind" in [`Evaluation::any_kind`].
pub const NO_KIND: u16 = u16::MAX;

/// A child with no arena at all in the data counts as this many radii away in the gap score.
pub const NO_ARENA_RADII: f64 = 10.0;

/// Facilities are measured for "children within radius" this many at a time, so that the pairs in flight stay
/// few even for a million children.
const WITHIN_BATCH: usize = 8;

/// What an evaluation is asked, beyond the study's kinds (which carry each kind's radius and coverage flag).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// "Covered": within this cost of an arena of a coverage kind.
    pub radius_any: f64,
}

/// What one facility set gives on a study.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// Per child point and kind: the nearest arena of that kind (index into the facility set) and its cost.
    pub nearest: Nearest,
    /// Per child point: the kind of its nearest arena of any coverage kind ([`NO_KIND`] when there is none); the
    /// arena and its cost are in `nearest` (a kind index, not a copy: a million children stay small).
    pub any_kind: Vec<u16>,
    /// Per district, aligned with the study's districts.
    pub districts: Vec<DistrictMetrics>,
    /// Per facility: the children within its kind's radius.
    pub children_within: Vec<f64>,
    /// Per facility: the district it lies in.
    pub facility_district: Vec<Option<u32>>,
    /// Child points outside every district, and their children.
    pub outside: (usize, f64),
    /// The "any" radius used.
    pub radius_any: f64,
    /// Each kind's radius, by kind index.
    pub radius: Vec<f64>,
    /// Whether each kind counts for coverage.
    pub coverage: Vec<bool>,
    /// The cost model's unit and name.
    pub unit: Unit,
    /// The cost model's name.
    pub cost_model: &'static str,
}

impl Evaluation {
    /// The nearest arena of any coverage kind to child `i`, and its cost.
    pub fn nearest_any(&self, i: usize) -> Option<(u32, f64)> {
        let k = self.any_kind[i];
        if k == NO_KIND {
            return None;
        }
        self.nearest.get(i, k as usize)
    }

    /// The cost to the nearest arena of any coverage kind from child `i`.
    pub fn nearest_any_cost(&self, i: usize) -> Option<f64> {
        self.nearest_any(i).map(|x| x.1)
    }

    /// Whether child point `i` is covered (within the "any" radius of a coverage-kind arena).
    pub fn covered(&self, i: usize) -> bool {
        self.nearest_any(i).is_some_and(|(_, c)| c <= self.radius_any)
    }

    /// All children covered.
    pub fn children_covered(&self) -> f64 {
        self.districts.iter().map(|d| d.children_covered).sum()
    }
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

/// A district whose children near the radius are more than this share of its children is flagged: its coverage
/// could swing by more than 10 percentage points.
pub const SWING_SHARE: f64 = 0.1;

/// Per-district results. Field names follow the output contract. Per-kind vectors are by kind index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DistrictMetrics {
    /// Children living in the district.
    pub children: f64,
    /// Arenas located in the district, per kind.
    pub arenas: Vec<u32>,
    /// Arenas of the coverage kinds located in the district.
    pub arenas_total: u32,
    /// Children within the "any" radius of some coverage-kind arena.
    pub children_covered: f64,
    /// Children within each kind's radius of an arena of that kind.
    pub children_covered_kind: Vec<f64>,
    /// Children whose nearest coverage-kind arena is within ±10 % of the "any" radius of it: the children whose
    /// side of the radius a small shift of a point could change.
    pub children_near_radius: f64,
    /// Child-weighted mean distance to the nearest coverage-kind arena.
    pub mean_distance_m: Option<f64>,
    /// The children that mean is over: those with an arena of a coverage kind at all (every child, unless there is
    /// none in the data).
    pub distance_weight: f64,
    /// Child-weighted mean distance to the nearest arena of each kind.
    pub mean_distance_kind: Vec<Option<f64>>,
    /// Child-weighted 90th percentile of the distance to the nearest coverage-kind arena.
    pub p90_distance_m: Option<f64>,
    /// The city's policy: an arena of the policy kind (a family centre) in the district.
    pub has_policy_kind: bool,
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
    /// Children beyond the "any" radius.
    pub fn children_uncovered(&self) -> f64 {
        self.children - self.children_covered
    }
    /// Share of children covered (0..1); `None` for a district without children.
    pub fn coverage_share(&self) -> Option<f64> {
        (self.children > 0.0).then(|| self.children_covered / self.children)
    }
    /// Whether the coverage share could swing by more than [`SWING_SHARE`] on the children near the radius: a
    /// figure to read with care.
    pub fn coverage_could_swing(&self) -> bool {
        self.children > 0.0 && self.children_near_radius > SWING_SHARE * self.children
    }
}

/// Evaluates `facilities` on `study`, measuring with `cost` (built over the study's child points).
pub fn evaluate(study: &Study, facilities: &Facilities, cost: &dyn CostModel, params: &Params) -> Evaluation {
    evaluate_with(study, facilities, cost, params, |_| ()).0
}

/// [`evaluate`], running `alongside` in parallel with the district summary: it is given the evaluation's
/// per-child results (`nearest`, `any_kind`; the district metrics and `children_within` are still empty), which is
/// all that gap zones need, so that a run draws its zones while the districts are summed.
pub fn evaluate_with<T: Send>(
    study: &Study,
    facilities: &Facilities,
    cost: &dyn CostModel,
    params: &Params,
    alongside: impl FnOnce(&Evaluation) -> T + Send,
) -> (Evaluation, T) {
    let kinds = study.kinds.len();
    let radius = study.kinds.radii();
    let coverage = study.kinds.coverage_flags();
    let group: Vec<Option<usize>> = facilities.iter().map(|f| Some(f.kind.index()).filter(|&k| k < kinds)).collect();
    let nearest = cost.nearest(facilities, &group, kinds);
    let n = study.children.len();
    let any_kind: Vec<u16> = (0..n)
        .into_par_iter()
        .with_min_len(8192)
        .map(|i| nearest.nearest_kind_among(i, &coverage).map_or(NO_KIND, |k| k as u16))
        .collect();
    let facility_district = study.locate_facilities(facilities);
    let mut eval = Evaluation {
        nearest,
        any_kind,
        districts: Vec::new(),
        children_within: Vec::new(),
        facility_district,
        outside: (0, 0.0),
        radius_any: params.radius_any,
        radius,
        coverage,
        unit: cost.unit(),
        cost_model: cost.name(),
    };
    let ((districts, within), extra) = rayon::join(
        || {
            rayon::join(
                || {
                    let mut metrics = summary::empty_metrics(study, kinds);
                    let all: Vec<usize> = (0..metrics.len()).collect();
                    summary::sum_districts(study, &eval, &all, &mut metrics);
                    summary::finish(study, facilities, &eval, &mut metrics);
                    metrics
                },
                || children_within(study, facilities, cost, &eval.radius),
            )
        },
        || alongside(&eval),
    );
    eval.districts = districts;
    eval.outside = summary::outside(study);
    eval.children_within = within;
    (eval, extra)
}

/// Per facility, the children within its kind's radius, through [`CostModel::within`] in batches.
fn children_within(study: &Study, facilities: &Facilities, cost: &dyn CostModel, radius: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(facilities.len());
    for batch in facilities.as_slice().chunks(WITHIN_BATCH) {
        let batch = Facilities::new(batch.to_vec());
        let cutoff: Vec<f64> = batch.iter().map(|f| radius.get(f.kind.index()).copied().unwrap_or(f64::NAN)).collect();
        let within = cost.within(&batch, &cutoff);
        for f in 0..within.rows() {
            let (origins, _) = within.row(f);
            out.push(origins.iter().map(|&o| study.children.counts[o as usize]).sum());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::cost::StraightLine;
    use crate::crs::Crs;
    use crate::index::tests::{brute_district, random_districts};
    use crate::model::facilities::Facility;
    use crate::model::kinds::{KindEdit, KindId, Kinds};
    use crate::model::Children;

    fn random_facilities(rng: &mut ChaCha8Rng, n: usize, kinds: usize, extent: f64) -> Facilities {
        Facilities::new(
            (0..n)
                .map(|i| Facility {
                    id: format!("a{i}"),
                    name: format!("Arena {i}"),
                    kind: KindId(rng.random_range(0..kinds) as u16),
                    // Coarse coordinates so that exact ties happen and the tie rule is exercised.
                    position: [
                        (rng.random_range(0.0..extent) / 50.0).round() * 50.0,
                        (rng.random_range(0.0..extent) / 50.0).round() * 50.0,
                    ],
                    capacity: 1.0,
                })
                .collect(),
        )
    }

    /// Nearest facility among those `include`d by kind: smallest distance, then first in the set.
    fn brute_nearest(fs: &Facilities, p: [f64; 2], include: impl Fn(usize) -> bool) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for (i, f) in fs.iter().enumerate() {
            if !include(f.kind.index()) {
                continue;
            }
            let d = ((f.position[0] - p[0]).powi(2) + (f.position[1] - p[1]).powi(2)).sqrt();
            if best.is_none_or(|(_, b)| d < b) {
                best = Some((i, d));
            }
        }
        best
    }

    #[test]
    fn coverage_counts_and_scores_match_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for round in 0..8 {
            let districts = random_districts(&mut rng, 12, 10_000.0);
            // The four defaults and a fifth kind that is not a coverage kind (a reference layer).
            let mut kinds = Kinds::defaults();
            kinds.upsert("lekplats", KindEdit { radius: Some(500.0), ..Default::default() }).unwrap();
            let facilities = random_facilities(&mut rng, 18, 5, 10_000.0);
            let n = 3000;
            let children = Children {
                points: (0..n).map(|_| [rng.random_range(0.0..10_000.0), rng.random_range(0.0..10_000.0)]).collect(),
                counts: (0..n).map(|_| rng.random_range(0..5) as f64).collect(),
                footprints: None,
            };
            let need: Vec<f64> = (0..districts.len()).map(|_| rng.random_range(0.5..2.0)).collect();
            let study =
                Study::from_parts(districts, children, kinds, facilities.clone(), Some(need.clone()), Crs::SWEREF99_TM);
            let model = StraightLine::new(&study.children.points);
            let params = Params { radius_any: 1000.0 };
            let eval = evaluate(&study, &facilities, &model, &params);
            let radius = study.kinds.radii();
            let coverage = study.kinds.coverage_flags();
            assert!(!coverage[4]);
            let (districts, children) = (&study.districts, &study.children);
            for (i, &p) in children.points.iter().enumerate() {
                let want = brute_nearest(&facilities, p, |k| coverage[k]);
                assert_eq!(eval.nearest_any(i).map(|(f, c)| (f as usize, c)), want, "round {round} child {i}");
                for k in 0..5 {
                    let want = brute_nearest(&facilities, p, |kk| kk == k);
                    assert_eq!(eval.nearest.get(i, k).map(|(f, c)| (f as usize, c)), want);
                }
            }
            // Brute force, district by district.
            for (d, m) in eval.districts.iter().enumerate() {
                let (mut total, mut covered, mut score, mut kind_covered) = (0.0, 0.0, 0.0, [0.0; 5]);
                let (mut sum, mut weight) = (0.0, 0.0);
                for (p, &c) in children.points.iter().zip(&children.counts) {
                    if brute_district(districts, *p) != Some(d) {
                        continue;
                    }
                    total += c;
                    let near = brute_nearest(&facilities, *p, |k| coverage[k]).map(|x| x.1);
                    if near.is_some_and(|x| x <= 1000.0) {
                        covered += c;
                    }
                    if let Some(x) = near {
                        sum += c * x;
                        weight += c;
                    }
                    score += need[d] * gap_contribution(c, near, 1000.0);
                    for k in 0..5 {
                        if brute_nearest(&facilities, *p, |kk| kk == k).is_some_and(|x| x.1 <= radius[k]) {
                            kind_covered[k] += c;
                        }
                    }
                }
                assert_eq!(m.children, total);
                assert_eq!(m.children_covered, covered);
                assert_eq!(m.children_covered_kind, kind_covered.to_vec());
                assert!((m.gap_score - score).abs() < 1e-6 * score.max(1.0));
                if weight > 0.0 {
                    assert!((m.mean_distance_m.unwrap() - sum / weight).abs() < 1e-6);
                }
                let in_district: Vec<usize> = (0..facilities.len())
                    .filter(|&f| brute_district(districts, facilities.get(f).position) == Some(d))
                    .collect();
                let total_arenas = in_district.iter().filter(|&&f| coverage[facilities.get(f).kind.index()]).count();
                assert_eq!(m.arenas_total as usize, total_arenas);
                assert_eq!(m.arenas.iter().sum::<u32>() as usize, in_district.len());
            }
            // Children within each arena's radius, by brute force.
            for (a, f) in facilities.iter().enumerate() {
                let r = radius[f.kind.index()];
                let want: f64 = children
                    .points
                    .iter()
                    .zip(&children.counts)
                    .filter(|(p, _)| ((p[0] - f.position[0]).powi(2) + (p[1] - f.position[1]).powi(2)).sqrt() <= r)
                    .map(|(_, c)| c)
                    .sum();
                assert_eq!(eval.children_within[a], want);
            }
            // The reference kind changes nothing of the gap numbers: drop its arenas and compare.
            let without = Facilities::new(facilities.iter().filter(|f| f.kind.index() != 4).cloned().collect());
            let eval2 = evaluate(&study, &without, &model, &params);
            for (a, b) in eval.districts.iter().zip(&eval2.districts) {
                assert_eq!(
                    (a.gap_score, a.gap_rank, a.children_covered, a.arenas_total),
                    (b.gap_score, b.gap_rank, b.children_covered, b.arenas_total)
                );
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
