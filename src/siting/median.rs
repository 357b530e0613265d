//! The p-median problem with existing sites: choose `k` candidates that, with the existing arenas kept, minimise
//! the weighted sum of every demand point's distance to its nearest open site.
//!
//! - **Incumbent**: greedy (each step the candidate that saves most), then vertex substitution (Teitz and Bart):
//!   the best swap of a chosen site for an unchosen candidate, repeated while one improves. A swap is priced for
//!   every pair in one pass over the demand per entering candidate, from each point's nearest and second-nearest
//!   open site (Whitaker's fast interchange).
//! - **Bound**: Lagrangian relaxation of the assignment constraints (every point is served once), maximised by
//!   subgradient steps. For any multipliers the relaxed problem's optimum is a lower bound on the true optimum, so
//!   the bound is valid whenever the loop stops; each relaxed solution is also tried as a start for the local
//!   search.

use std::time::Instant;

use rayon::prelude::*;

use super::{Progress, Schedule, Solution};

/// A p-median instance: `n` demand points with weights, `m` candidates, a dense `n × m` distance table (row per
/// point), and each point's distance to its nearest existing site (`f64::INFINITY` when there is none).
#[derive(Clone, Debug)]
pub struct MedianProblem {
    /// Weight of each demand point (children, times need when need weights are used).
    pub weights: Vec<f64>,
    /// Distance from each point to its nearest existing site.
    pub existing: Vec<f64>,
    /// `distance[i * m + j]`: from point `i` to candidate `j`.
    pub distance: Vec<f64>,
    /// How many candidates.
    pub candidates: usize,
}

impl MedianProblem {
    fn d(&self, i: usize, j: usize) -> f64 {
        self.distance[i * self.candidates + j]
    }

    /// The weighted distance sum of a choice (`f64::INFINITY` if some point with weight has no site at all).
    pub fn cost(&self, chosen: &[usize]) -> f64 {
        (0..self.weights.len())
            .map(|i| {
                let best = chosen.iter().map(|&j| self.d(i, j)).fold(self.existing[i], f64::min);
                if self.weights[i] > 0.0 {
                    self.weights[i] * best
                } else {
                    0.0
                }
            })
            .sum()
    }
}

/// Each point's nearest and second-nearest open site: distances and which chosen site (`NONE` = an existing one).
struct Nearest {
    d1: Vec<f64>,
    c1: Vec<usize>,
    d2: Vec<f64>,
}

const NONE: usize = usize::MAX;

fn nearest(p: &MedianProblem, chosen: &[usize]) -> Nearest {
    let n = p.weights.len();
    let (mut d1, mut c1, mut d2) = (vec![0.0; n], vec![NONE; n], vec![0.0; n]);
    for i in 0..n {
        let (mut a, mut ca, mut b) = (p.existing[i], NONE, f64::INFINITY);
        for &j in chosen {
            let d = p.d(i, j);
            if d < a {
                b = a;
                a = d;
                ca = j;
            } else if d < b {
                b = d;
            }
        }
        // An existing site never leaves: the second nearest is at most the existing one.
        (d1[i], c1[i], d2[i]) = (a, ca, b.min(if ca == NONE { f64::INFINITY } else { p.existing[i] }));
    }
    Nearest { d1, c1, d2 }
}

/// Greedy: `k` times, the candidate that lowers the cost most (ties: the lowest index).
fn greedy(p: &MedianProblem, k: usize) -> Vec<usize> {
    let n = p.weights.len();
    let mut best: Vec<f64> = p.existing.clone();
    let mut chosen = Vec::with_capacity(k);
    let mut open = vec![false; p.candidates];
    for _ in 0..k {
        let saving = |j: usize| -> f64 {
            (0..n).map(|i| if p.d(i, j) < best[i] { p.weights[i] * (best[i].min(1e18) - p.d(i, j)) } else { 0.0 }).sum()
        };
        let savings: Vec<f64> =
            (0..p.candidates).into_par_iter().map(|j| if open[j] { -1.0 } else { saving(j) }).collect();
        let Some(j) =
            (0..p.candidates).filter(|&j| !open[j]).max_by(|&a, &b| savings[a].total_cmp(&savings[b]).then(b.cmp(&a)))
        else {
            break;
        };
        open[j] = true;
        chosen.push(j);
        for (i, b) in best.iter_mut().enumerate() {
            *b = b.min(p.d(i, j));
        }
    }
    chosen
}

/// Vertex substitution from `chosen`: the best improving swap, while there is one. Returns the local optimum and
/// its cost.
fn swap_search(p: &MedianProblem, mut chosen: Vec<usize>, deadline: Option<Instant>) -> (Vec<usize>, f64) {
    let n = p.weights.len();
    let mut cost = p.cost(&chosen);
    loop {
        if deadline.is_some_and(|d| Instant::now() > d) {
            break;
        }
        let near = nearest(p, &chosen);
        let mut position = vec![NONE; p.candidates];
        for (k, &j) in chosen.iter().enumerate() {
            position[j] = k;
        }
        // For each entering candidate: the best chosen site to drop, and the change in cost.
        let moves: Vec<(f64, usize, usize)> = (0..p.candidates)
            .into_par_iter()
            .filter(|&j| position[j] == NONE)
            .map(|j_in| {
                let mut common = 0.0;
                let mut loss = vec![0.0; chosen.len()];
                for i in 0..n {
                    let w = p.weights[i];
                    if w <= 0.0 {
                        continue;
                    }
                    let din = p.d(i, j_in);
                    let with_in = near.d1[i].min(din);
                    common += w * (with_in - near.d1[i]);
                    if near.c1[i] != NONE {
                        loss[position[near.c1[i]]] += w * (near.d2[i].min(din) - with_in);
                    }
                }
                let (out, extra) = loss
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(&b.0)))
                    .map_or((0, 0.0), |(k, &l)| (k, l));
                (common + extra, j_in, out)
            })
            .collect();
        let best = moves.into_iter().min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        match best {
            Some((delta, j_in, out)) if delta < -1e-9 * cost.max(1.0) => {
                chosen[out] = j_in;
                let exact = p.cost(&chosen);
                if exact >= cost {
                    break; // Rounding: no real improvement.
                }
                cost = exact;
            }
            _ => break,
        }
    }
    chosen.sort_unstable();
    (chosen, cost)
}

/// The Lagrangian lower bound, maximised by subgradient steps aimed at `target` (the incumbent's cost); each
/// relaxed solution that is new is handed to `improve`. Returns the best bound found.
fn lagrangian(
    p: &MedianProblem,
    k: usize,
    target: &mut f64,
    deadline: Option<Instant>,
    improve: &mut dyn FnMut(Vec<usize>) -> f64,
) -> f64 {
    let n = p.weights.len();
    let m = p.candidates;
    // Multipliers start at each point's weighted distance to its nearest existing site or, if none, to its
    // second-nearest candidate: a point's "price" of being served.
    let mut lambda: Vec<f64> = (0..n)
        .map(|i| {
            let w = p.weights[i];
            if w <= 0.0 {
                return 0.0;
            }
            let mut ds: Vec<f64> = (0..m).map(|j| p.d(i, j)).collect();
            ds.sort_by(f64::total_cmp);
            let d = ds.get(1).or(ds.first()).copied().unwrap_or(f64::INFINITY).min(p.existing[i]);
            if d.is_finite() {
                w * d
            } else {
                0.0
            }
        })
        .collect();
    let mut schedule = Schedule::new(true);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3000 {
        if deadline.is_some_and(|d| Instant::now() > d) {
            break;
        }
        // ρ_j = Σ_i min(0, w_i d_ij − λ_i): what opening j is worth under the multipliers.
        let rho: Vec<f64> = (0..m)
            .into_par_iter()
            .map(|j| (0..n).map(|i| (p.weights[i] * p.d(i, j) - lambda[i]).min(0.0)).sum())
            .collect();
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|&a, &b| rho[a].total_cmp(&rho[b]).then(a.cmp(&b)));
        let open: Vec<usize> = order[..k.min(m)].to_vec();
        let value: f64 = (0..n).map(|i| lambda[i] + (p.weights[i] * p.existing[i] - lambda[i]).min(0.0)).sum::<f64>()
            + open.iter().map(|&j| rho[j]).sum::<f64>();
        schedule.record(value);
        let mut sorted = open.clone();
        sorted.sort_unstable();
        if seen.insert(sorted.clone()) {
            let cost = improve(sorted);
            *target = target.min(cost);
        }
        if *target - schedule.best <= 1e-7 * target.abs().max(1.0) || schedule.spent() {
            break;
        }
        // Subgradient: 1 − (how many open sites, existing included, serve i in the relaxation).
        let mut is_open = vec![false; m];
        for &j in &open {
            is_open[j] = true;
        }
        let g: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| {
                if p.weights[i] <= 0.0 {
                    return 0.0;
                }
                let mut served = if p.weights[i] * p.existing[i] < lambda[i] { 1.0 } else { 0.0 };
                for &j in &open {
                    if p.weights[i] * p.d(i, j) < lambda[i] {
                        served += 1.0;
                    }
                }
                1.0 - served
            })
            .collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            // The relaxed solution is feasible: its value is the optimum.
            break;
        }
        let step = schedule.theta * (*target - value).max(1e-9 * target.abs()) / norm;
        for (l, gi) in lambda.iter_mut().zip(&g) {
            *l = (*l + step * gi).max(0.0);
        }
    }
    schedule.best
}

/// Solves a p-median instance: the best choice found of `k` candidates and a lower bound on the optimum.
pub fn solve(p: &MedianProblem, k: usize, deadline: Option<Instant>, progress: &mut dyn Progress) -> Solution {
    let k = k.min(p.candidates);
    progress.note("p-median: greedy and vertex substitution");
    let (mut chosen, mut cost) = swap_search(p, greedy(p, k), deadline);
    progress.note("p-median: Lagrangian bound");
    let mut incumbent = cost;
    let mut best_chosen = chosen.clone();
    let bound = {
        let mut improve = |start: Vec<usize>| {
            let (c, v) = swap_search(p, start, deadline);
            if v < incumbent {
                incumbent = v;
                best_chosen = c;
            }
            incumbent
        };
        let mut target = cost;
        lagrangian(p, k, &mut target, deadline, &mut improve)
    };
    if incumbent < cost {
        cost = incumbent;
        chosen = best_chosen;
    }
    // A bound that needs no multipliers: every point at its nearest site, existing or candidate, as if all were open.
    let floor: f64 = (0..p.weights.len())
        .filter(|&i| p.weights[i] > 0.0)
        .map(|i| p.weights[i] * (0..p.candidates).map(|j| p.d(i, j)).fold(p.existing[i], f64::min))
        .sum();
    // The bound can never be above a feasible cost; rounding aside, clamp it there.
    let bound = bound.max(floor).min(cost);
    Solution {
        chosen,
        value: cost,
        bound,
        method: "greedy + vertex substitution; Lagrangian relaxation bound (subgradient)".into(),
    }
}
