//! Siting instances from a study: demand weights per child point, the existing arenas of the considered kinds, and
//! candidate sites, measured through the cost model (so a street network will site along streets).

use super::coverage::CoverageProblem;
use super::median::MedianProblem;
use crate::cost::{CostModel, Within};
use crate::model::facilities::Facilities;

/// The largest distance table the distance objective builds (demand points × candidates).
pub const MAX_DISTANCE_PAIRS: usize = 60_000_000;

/// A covering instance and what built it: per demand point, the candidates within the radius (rows by point) and
/// whether an existing arena already covers it.
pub struct CoverageInstance {
    /// The reduced problem.
    pub problem: CoverageProblem,
    /// Per demand point, the candidates within the radius.
    pub reach: Within,
    /// Per demand point, whether an existing arena of the considered kinds is within the radius.
    pub existing: Vec<bool>,
}

/// The covering instance: `weights` per origin of `cost`, `existing` arenas and `candidates` (as facilities), all
/// within `radius`.
pub fn coverage(
    cost: &dyn CostModel,
    weights: &[f64],
    existing: &Facilities,
    candidates: &Facilities,
    radius: f64,
) -> CoverageInstance {
    let n = cost.origins();
    let mut covered = vec![false; n];
    let near = cost.within(existing, &vec![radius; existing.len()]);
    for f in 0..near.rows() {
        for &o in near.row(f).0 {
            covered[o as usize] = true;
        }
    }
    let reach = cost.within(candidates, &vec![radius; candidates.len()]).by_origin(n);
    let problem = CoverageProblem::new(weights, &covered, |i| reach.row(i).0, candidates.len());
    CoverageInstance { problem, reach, existing: covered }
}

/// The p-median instance: each origin's distance to its nearest existing arena and to every candidate. An error
/// when the table would hold more than [`MAX_DISTANCE_PAIRS`] pairs.
pub fn median(
    cost: &dyn CostModel,
    weights: &[f64],
    existing: &Facilities,
    candidates: &Facilities,
) -> Result<MedianProblem, String> {
    let (n, m) = (cost.origins(), candidates.len());
    if n.saturating_mul(m) > MAX_DISTANCE_PAIRS {
        return Err(format!(
            "the distance objective would measure {n} demand points against {m} candidates ({} pairs, at most {} \
             here): use fewer candidates (a coarser --candidate-grid), demand summed to fewer points, or \
             --objective coverage",
            n.saturating_mul(m),
            MAX_DISTANCE_PAIRS
        ));
    }
    let group = vec![Some(0); existing.len()];
    let nearest = cost.nearest(existing, &group, 1);
    let existing_distance: Vec<f64> = (0..n)
        .map(|i| if existing.is_empty() { f64::INFINITY } else { nearest.cost(i, 0).unwrap_or(f64::INFINITY) })
        .collect();
    let all = cost.within(candidates, &vec![1e7; m]).by_origin(n);
    let mut distance = vec![f64::INFINITY; n * m];
    for i in 0..n {
        let (facilities, costs) = all.row(i);
        for (&j, &c) in facilities.iter().zip(costs) {
            distance[i * m + j as usize] = c;
        }
    }
    Ok(MedianProblem { weights: weights.to_vec(), existing: existing_distance, distance, candidates: m })
}
