//! District summaries: per district, its children's coverage, distances and gap score, summed over the district's
//! own child points ([`crate::model::members::Members`]); then arena counts and ranks over all districts.
//!
//! A district's sums run over its points in input order, grouped in fixed chunks of the input whose partial sums
//! are added in chunk order: every number is the same whatever the number of threads, and the same whether every
//! district is summed (an evaluation) or only those a scenario touched (a re-scoring).

use rayon::prelude::*;

use super::{gap_contribution, DistrictMetrics, Evaluation, NO_KIND};
use crate::model::facilities::Facilities;
use crate::model::study::Study;

/// Child points are summed in chunks of this many (of the input order).
const CHUNK: u32 = 8192;

/// The sums kept per district: `FIELDS` fixed ones, then three per kind (covered, distance sum, distance weight).
struct Sums;

impl Sums {
    const CHILDREN: usize = 0;
    const COVERED: usize = 1;
    const GAP: usize = 2;
    const GAP_WEIGHTED: usize = 3;
    const DISTANCE_SUM: usize = 4;
    const DISTANCE_WEIGHT: usize = 5;
    const NEAR_RADIUS: usize = 6;
    const FIELDS: usize = 7;
}

/// Fresh metrics for every district: need weights set, per-kind vectors sized, nothing summed.
pub(super) fn empty_metrics(study: &Study, kinds: usize) -> Vec<DistrictMetrics> {
    study
        .need_weight
        .iter()
        .map(|&w| DistrictMetrics {
            need_weight: w,
            arenas: vec![0; kinds],
            children_covered_kind: vec![0.0; kinds],
            mean_distance_kind: vec![None; kinds],
            ..Default::default()
        })
        .collect()
}

/// Sums the children of each district in `which` into `metrics` (the child fields: children, coverage, distances,
/// gap scores, percentile); the other districts are left as they are.
pub(super) fn sum_districts(study: &Study, eval: &Evaluation, which: &[usize], metrics: &mut [DistrictMetrics]) {
    let results: Vec<(usize, DistrictMetrics)> = which
        .par_iter()
        .map(|&d| {
            let mut m = metrics[d].clone();
            sum_district(study, eval, d, &mut m);
            (d, m)
        })
        .collect();
    for (d, m) in results {
        metrics[d] = m;
    }
}

/// One district's child fields.
fn sum_district(study: &Study, eval: &Evaluation, d: usize, m: &mut DistrictMetrics) {
    let kinds = eval.radius.len();
    let fields = Sums::FIELDS + 3 * kinds;
    let children = &study.children;
    let need = study.need_weight[d];
    let partials: Vec<Vec<f64>> = study
        .members
        .of(d)
        .par_chunk_by(|a, b| a / CHUNK == b / CHUNK)
        .map(|segment| {
            let mut row = vec![0.0; fields];
            for &i in segment {
                let i = i as usize;
                let count = children.counts[i];
                row[Sums::CHILDREN] += count;
                let nearest = eval.nearest_any_cost(i);
                if nearest.is_some_and(|x| x <= eval.radius_any) {
                    row[Sums::COVERED] += count;
                }
                if nearest.is_some_and(|x| near_radius(x, eval.radius_any)) {
                    row[Sums::NEAR_RADIUS] += count;
                }
                let contribution = gap_contribution(count, nearest, eval.radius_any);
                row[Sums::GAP] += contribution;
                row[Sums::GAP_WEIGHTED] += need * contribution;
                if let Some(x) = nearest {
                    row[Sums::DISTANCE_SUM] += count * x;
                    row[Sums::DISTANCE_WEIGHT] += count;
                }
                for k in 0..kinds {
                    if let Some(c) = eval.nearest.cost(i, k) {
                        let at = Sums::FIELDS + 3 * k;
                        if c <= eval.radius[k] {
                            row[at] += count;
                        }
                        row[at + 1] += count * c;
                        row[at + 2] += count;
                    }
                }
            }
            row
        })
        .collect();
    let mut row = vec![0.0; fields];
    for part in &partials {
        for (total, p) in row.iter_mut().zip(part) {
            *total += p;
        }
    }
    m.children = row[Sums::CHILDREN];
    m.children_covered = row[Sums::COVERED];
    m.children_near_radius = row[Sums::NEAR_RADIUS];
    m.gap_score_unweighted = row[Sums::GAP];
    m.gap_score = row[Sums::GAP_WEIGHTED];
    m.mean_distance_m = None;
    m.p90_distance_m = None;
    m.distance_weight = row[Sums::DISTANCE_WEIGHT];
    if row[Sums::DISTANCE_WEIGHT] > 0.0 {
        m.mean_distance_m = Some(row[Sums::DISTANCE_SUM] / row[Sums::DISTANCE_WEIGHT]);
        let members = study.members.of(d);
        let mut distances: Vec<(f64, f64)> =
            Vec::with_capacity(members.iter().filter(|&&i| eval.any_kind[i as usize] != NO_KIND).count());
        for &i in members {
            if let Some(x) = eval.nearest_any_cost(i as usize) {
                distances.push((x, children.counts[i as usize]));
            }
        }
        m.p90_distance_m = weighted_percentile(&mut distances, 0.9);
    }
    for k in 0..kinds {
        let at = Sums::FIELDS + 3 * k;
        m.children_covered_kind[k] = row[at];
        m.mean_distance_kind[k] = (row[at + 2] > 0.0).then(|| row[at + 1] / row[at + 2]);
    }
}

/// Whether a distance lies within [`NEAR_RADIUS_MARGIN`] of the radius: a child there would change sides if its
/// position (an area's interior point, a grid point) or the arena's moved by a tenth of the radius.
pub fn near_radius(distance: f64, radius: f64) -> bool {
    (distance - radius).abs() <= NEAR_RADIUS_MARGIN * radius
}

/// The margin around the radius that [`near_radius`] counts, as a share of the radius (±10 %).
pub const NEAR_RADIUS_MARGIN: f64 = 0.1;

/// The child points outside every district, and their children (summed as a district's are).
pub(super) fn outside(study: &Study) -> (usize, f64) {
    let points = study.members.outside();
    let counts = &study.children.counts;
    let mut total = 0.0;
    for segment in points.chunk_by(|a, b| a / CHUNK == b / CHUNK) {
        let mut part = 0.0;
        for &i in segment {
            part += counts[i as usize];
        }
        total += part;
    }
    (points.len(), total)
}

/// The facility fields of every district (arenas per kind, coverage-kind arenas, whether it has the policy kind),
/// then the gap ranks over all districts.
pub(super) fn finish(study: &Study, facilities: &Facilities, eval: &Evaluation, metrics: &mut [DistrictMetrics]) {
    let kinds = eval.radius.len();
    for m in metrics.iter_mut() {
        m.arenas.iter_mut().for_each(|n| *n = 0);
        m.arenas_total = 0;
        m.has_policy_kind = false;
    }
    let policy = study.kinds.policy_kind().map(|k| k.index());
    for (f, d) in facilities.iter().zip(&eval.facility_district) {
        let (Some(d), k) = (d, f.kind.index()) else { continue };
        if k >= kinds {
            continue;
        }
        let slot = &mut metrics[*d as usize];
        slot.arenas[k] += 1;
        if eval.coverage[k] {
            slot.arenas_total += 1;
        }
        if Some(k) == policy {
            slot.has_policy_kind = true;
        }
    }
    let ids: Vec<&str> = study.districts.iter().map(|d| d.id.as_str()).collect();
    rank(&ids, metrics, |m| m.gap_score, |m, r| m.gap_rank = r);
    rank(&ids, metrics, |m| m.gap_score_unweighted, |m, r| m.gap_rank_unweighted = r);
}

/// The smallest distance at or below which `share` of the weight lies. Sorts `values` (distance, weight).
pub fn weighted_percentile(values: &mut [(f64, f64)], share: f64) -> Option<f64> {
    let total: f64 = values.iter().map(|v| v.1).sum();
    if total <= 0.0 {
        return None;
    }
    // Unstable is enough: the answer is a distance, the same whichever of equal distances comes first.
    values.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
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

/// Ranks by score, most first; ties by more uncovered children, then district id.
fn rank(
    ids: &[&str],
    metrics: &mut [DistrictMetrics],
    score: impl Fn(&DistrictMetrics) -> f64,
    set: impl Fn(&mut DistrictMetrics, u32),
) {
    let mut order: Vec<usize> = (0..metrics.len()).collect();
    order.sort_by(|&a, &b| {
        score(&metrics[b])
            .total_cmp(&score(&metrics[a]))
            .then(metrics[b].children_uncovered().total_cmp(&metrics[a].children_uncovered()))
            .then_with(|| ids[a].cmp(ids[b]))
    });
    for (r, i) in order.into_iter().enumerate() {
        set(&mut metrics[i], r as u32 + 1);
    }
}
