//! A scenario against the baseline: which child points and districts got better or worse, and the numbers a
//! planner asks first (children newly covered, children losing coverage, districts gaining or losing a family
//! centre, gap-rank moves). Pure: two evaluations in, the differences out.
//!
//! The two sides share the districts. Their child points are paired by position: the same study (an arena
//! scenario) pairs each point with itself; another population pairs points at the same coordinates, and a point
//! on one side only is `new` or `gone`.

use std::collections::HashMap;

use super::{DistrictMetrics, Evaluation};
use crate::model::facilities::Facilities;
use crate::model::study::Study;

/// One side of a comparison: a study and the evaluation of a facility set on it.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// The study (children, districts).
    pub study: &'a Study,
    /// The arenas evaluated.
    pub facilities: &'a Facilities,
    /// Their evaluation.
    pub eval: &'a Evaluation,
}

/// Better, worse or the same, for a child point or a district.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// Nearer an arena, or newly covered (a district: a lower gap score, more children covered or nearer).
    Better,
    /// Farther, or no longer covered.
    Worse,
    /// As before (a district listed with no change in any compared number).
    Unchanged,
    /// A child point of the scenario's population only.
    New,
    /// A child point of the baseline's population only.
    Gone,
}

impl Change {
    /// The value written in the `change` field: `better`, `worse`, `unchanged`, `new`, `gone`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Unchanged => "unchanged",
            Change::New => "new",
            Change::Gone => "gone",
        }
    }
}

/// A child point whose nearest arena (of any kind) or coverage changed: its index on each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildChange {
    /// Its index in the baseline's children; `None` for a point of the scenario's population only.
    pub before: Option<u32>,
    /// Its index in the scenario's children; `None` for a point of the baseline's population only.
    pub after: Option<u32>,
    /// Better or worse.
    pub change: Change,
}

/// The headline numbers of a scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Children in the districts, before and after.
    pub children: (f64, f64),
    /// Children covered (within the "any" radius of a coverage-kind arena), before and after.
    pub covered: (f64, f64),
    /// Children at points covered after and not before.
    pub newly_covered: f64,
    /// Per kind (by kind index): children within the kind's radius of one of its arenas after and not before.
    pub newly_covered_kind: Vec<f64>,
    /// Children at points covered before and not after.
    pub losing_coverage: f64,
    /// The child-weighted mean distance to the nearest coverage-kind arena, before and after.
    pub mean_distance: (Option<f64>, Option<f64>),
    /// Districts better and worse off.
    pub districts_better: usize,
    /// Districts worse off.
    pub districts_worse: usize,
    /// Districts that gain an arena of the policy kind (a family centre) and that lose their last one.
    pub policy_gained: usize,
    /// Districts that lose their last arena of the policy kind.
    pub policy_lost: usize,
    /// Districts whose gap rank changed.
    pub rank_moves: usize,
    /// The district whose rank moved most (the first by district order of equal moves): (district, before, after).
    pub largest_rank_move: Option<(usize, u32, u32)>,
}

/// Everything that differs between the baseline and a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The child points that changed, in the scenario's order (points gone last, in the baseline's order).
    pub children: Vec<ChildChange>,
    /// Per district (the study's order): better, worse or unchanged.
    pub districts: Vec<Change>,
    /// The headline numbers.
    pub summary: Summary,
}

/// Compares `after` with `before`. `candidates`: when both sides are one study, the points that may have changed
/// (all others are known to be as before), else `None`.
pub fn compare(before: Side, after: Side, candidates: Option<&[u32]>) -> Comparison {
    let same_study = std::ptr::eq(before.study, after.study);
    let pairs: Vec<(Option<u32>, Option<u32>)> = match (same_study, candidates) {
        (true, Some(list)) => list.iter().map(|&i| (Some(i), Some(i))).collect(),
        (true, None) => (0..before.study.children.len() as u32).map(|i| (Some(i), Some(i))).collect(),
        (false, _) => pair_by_position(before.study, after.study),
    };
    let kinds = after.eval.radius.len();
    let mut summary = Summary { newly_covered_kind: vec![0.0; kinds], ..Default::default() };
    let mut children = Vec::new();
    for &(b, a) in &pairs {
        let covered_b = b.is_some_and(|i| before.eval.covered(i as usize));
        let covered_a = a.is_some_and(|i| after.eval.covered(i as usize));
        if covered_a && !covered_b {
            summary.newly_covered += a.map_or(0.0, |i| after.study.children.counts[i as usize]);
        }
        if covered_b && !covered_a {
            summary.losing_coverage += b.map_or(0.0, |i| before.study.children.counts[i as usize]);
        }
        for (k, newly) in summary.newly_covered_kind.iter_mut().enumerate() {
            let within = |side: &Side, i: Option<u32>| {
                i.and_then(|i| side.eval.nearest.cost(i as usize, k)).is_some_and(|c| c <= side.eval.radius[k])
            };
            if within(&after, a) && !within(&before, b) {
                *newly += a.map_or(0.0, |i| after.study.children.counts[i as usize]);
            }
        }
        if let Some(change) = child_change(&before, &after, b, a) {
            children.push(ChildChange { before: b, after: a, change });
        }
    }
    // Points gone come last, in the baseline's order.
    children.sort_by_key(|c| (c.after.is_none(), c.after.or(c.before)));

    let (db, da) = (&before.eval.districts, &after.eval.districts);
    let districts: Vec<Change> = db.iter().zip(da).map(|(b, a)| district_change(b, a)).collect();
    summary.children = (total(db, |m| m.children), total(da, |m| m.children));
    summary.covered = (total(db, |m| m.children_covered), total(da, |m| m.children_covered));
    summary.mean_distance = (mean_distance(db), mean_distance(da));
    summary.districts_better = districts.iter().filter(|c| **c == Change::Better).count();
    summary.districts_worse = districts.iter().filter(|c| **c == Change::Worse).count();
    summary.policy_gained = db.iter().zip(da).filter(|(b, a)| !b.has_policy_kind && a.has_policy_kind).count();
    summary.policy_lost = db.iter().zip(da).filter(|(b, a)| b.has_policy_kind && !a.has_policy_kind).count();
    summary.rank_moves = db.iter().zip(da).filter(|(b, a)| b.gap_rank != a.gap_rank).count();
    for (d, (b, a)) in db.iter().zip(da).enumerate() {
        let moved = b.gap_rank.abs_diff(a.gap_rank);
        if moved > 0 && summary.largest_rank_move.is_none_or(|(_, x, y)| moved > x.abs_diff(y)) {
            summary.largest_rank_move = Some((d, b.gap_rank, a.gap_rank));
        }
    }
    Comparison { children, districts, summary }
}

fn total(metrics: &[DistrictMetrics], value: impl Fn(&DistrictMetrics) -> f64) -> f64 {
    metrics.iter().map(value).sum()
}

/// The child-weighted mean distance to the nearest coverage-kind arena over the children in the districts, from
/// the districts' means and weights.
fn mean_distance(metrics: &[DistrictMetrics]) -> Option<f64> {
    let (mut sum, mut weight) = (0.0, 0.0);
    for m in metrics {
        if let Some(x) = m.mean_distance_m {
            sum += x * m.distance_weight;
            weight += m.distance_weight;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

/// Pairs the points of two populations at the same coordinates (each point once, in order), then the unpaired
/// ones: the scenario's in order, then the baseline's.
fn pair_by_position(before: &Study, after: &Study) -> Vec<(Option<u32>, Option<u32>)> {
    let key = |p: [f64; 2]| (p[0].to_bits(), p[1].to_bits());
    let mut at: HashMap<(u64, u64), Vec<u32>> = HashMap::new();
    for (i, &p) in before.children.points.iter().enumerate().rev() {
        at.entry(key(p)).or_default().push(i as u32);
    }
    let mut paired = vec![false; before.children.len()];
    let mut pairs = Vec::with_capacity(after.children.len());
    for (j, &p) in after.children.points.iter().enumerate() {
        let b = at.get_mut(&key(p)).and_then(Vec::pop);
        if let Some(b) = b {
            paired[b as usize] = true;
        }
        pairs.push((b, Some(j as u32)));
    }
    pairs.extend((0..before.children.len()).filter(|&i| !paired[i]).map(|i| (Some(i as u32), None)));
    pairs
}

/// How a child point changed: `None` when its count, coverage and every nearest distance are as before; else
/// better (covered now; else nearer its nearest arena of any coverage kind; else nearer the nearest of some kind
/// and farther from none) or worse (the other way round), and unchanged when only its count changed or its kinds
/// moved both ways.
fn child_change(before: &Side, after: &Side, b: Option<u32>, a: Option<u32>) -> Option<Change> {
    let (b, a) = match (b, a) {
        (Some(b), Some(a)) => (b as usize, a as usize),
        (None, _) => return Some(Change::New),
        (_, None) => return Some(Change::Gone),
    };
    let bits = |side: &Side, i: usize, k: usize| side.eval.nearest.cost(i, k).map(f64::to_bits);
    let (cb, ca) = (before.eval.covered(b), after.eval.covered(a));
    let (xb, xa) = (before.eval.nearest_any_cost(b), after.eval.nearest_any_cost(a));
    let same = cb == ca
        && xb.map(f64::to_bits) == xa.map(f64::to_bits)
        && before.study.children.counts[b].to_bits() == after.study.children.counts[a].to_bits()
        && (0..after.eval.nearest.groups()).all(|k| bits(before, b, k) == bits(after, a, k));
    if same {
        return None;
    }
    Some(if ca != cb {
        if ca {
            Change::Better
        } else {
            Change::Worse
        }
    } else {
        match (xb, xa) {
            (Some(x), Some(y)) if y < x => Change::Better,
            (Some(x), Some(y)) if y > x => Change::Worse,
            (None, Some(_)) => Change::Better,
            (Some(_), None) => Change::Worse,
            // The nearest arena of any kind is as near as before: by the kinds whose nearest moved (nearer only:
            // better, farther only: worse; both, or only the count changed: unchanged).
            _ => {
                let (mut nearer, mut farther) = (false, false);
                for k in 0..after.eval.nearest.groups() {
                    match (before.eval.nearest.cost(b, k), after.eval.nearest.cost(a, k)) {
                        (Some(x), Some(y)) if y < x => nearer = true,
                        (None, Some(_)) => nearer = true,
                        (Some(x), Some(y)) if y > x => farther = true,
                        (Some(_), None) => farther = true,
                        _ => {}
                    }
                }
                match (nearer, farther) {
                    (true, false) => Change::Better,
                    (false, true) => Change::Worse,
                    _ => Change::Unchanged,
                }
            }
        }
    })
}

/// A number as written (to the centimetre / hundredth of a child), so that "unchanged" means unchanged on paper.
fn written(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

/// How a district changed: by its gap score (lower is better), then children covered (more is better), then the
/// mean distance (nearer is better), each as written.
fn district_change(b: &DistrictMetrics, a: &DistrictMetrics) -> Change {
    use std::cmp::Ordering::*;
    let by_score = written(b.gap_score).cmp(&written(a.gap_score));
    let by_covered = written(a.children_covered).cmp(&written(b.children_covered));
    let by_distance = match (b.mean_distance_m, a.mean_distance_m) {
        (Some(x), Some(y)) => written(x).cmp(&written(y)),
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (None, None) => Equal,
    };
    match by_score.then(by_covered).then(by_distance) {
        Greater => Change::Better,
        Less => Change::Worse,
        Equal => Change::Unchanged,
    }
}
