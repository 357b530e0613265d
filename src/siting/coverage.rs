//! The maximal covering problem with existing sites: choose `k` candidates so that the most (weighted) demand lies
//! within the radius of an open site, the existing arenas' coverage counted.
//!
//! Demand already covered by an existing arena, or by no candidate at all, is a constant and leaves the problem.
//! The rest is merged: points covered by the same set of candidates are one row with their summed weight (on a
//! clustered city 40,000 points become about 2,000 rows). On that instance:
//!
//! - **Incumbent**: greedy (each step the candidate covering the most still uncovered weight), then the best swap
//!   of a chosen site for another candidate while one improves, each swap priced from how many chosen sites cover
//!   each row.
//! - **Optimum and bound**: the mixed-integer programme (binary sites, rows covered at most once, at most `k`
//!   sites) solved by HiGHS, warm-started with the incumbent. When HiGHS stops on the time limit, its dual bound
//!   is the bound; if it fails, the Lagrangian bound of the relaxed covering constraints is.

use std::collections::HashMap;
use std::time::Instant;

use super::{Progress, Schedule, Solution};

/// A covering instance after reduction: rows of merged demand, each with its weight and the candidates covering it.
#[derive(Clone, Debug, Default)]
pub struct CoverageProblem {
    /// Each row's weight.
    pub weights: Vec<f64>,
    /// Row `r`'s candidates are `sets[starts[r]..starts[r + 1]]`, ascending.
    starts: Vec<usize>,
    sets: Vec<u32>,
    /// How many candidates.
    pub candidates: usize,
    /// Weight covered whatever is chosen (by the existing sites).
    pub fixed: f64,
    /// Weight no candidate can cover and no existing site covers.
    pub unreachable: f64,
    /// How many demand points went into the rows.
    pub points: usize,
}

impl CoverageProblem {
    /// The instance for demand points with `weights`, point `i` covered by the candidates `covering(i)` (any order)
    /// and already covered when `existing[i]`. Points with the same candidates are merged.
    pub fn new<'a>(
        weights: &[f64],
        existing: &[bool],
        covering: impl Fn(usize) -> &'a [u32],
        candidates: usize,
    ) -> Self {
        let mut p = CoverageProblem { candidates, starts: vec![0], ..Default::default() };
        let mut row_of: HashMap<Vec<u32>, usize> = HashMap::new();
        for (i, &w) in weights.iter().enumerate() {
            if w <= 0.0 {
                continue;
            }
            if existing[i] {
                p.fixed += w;
                continue;
            }
            let mut set = covering(i).to_vec();
            if set.is_empty() {
                p.unreachable += w;
                continue;
            }
            set.sort_unstable();
            set.dedup();
            p.points += 1;
            match row_of.get(&set) {
                Some(&r) => p.weights[r] += w,
                None => {
                    row_of.insert(set.clone(), p.weights.len());
                    p.weights.push(w);
                    p.sets.extend(set);
                    p.starts.push(p.sets.len());
                }
            }
        }
        p
    }

    /// How many rows.
    pub fn rows(&self) -> usize {
        self.weights.len()
    }

    /// Row `r`'s candidates.
    pub fn row(&self, r: usize) -> &[u32] {
        &self.sets[self.starts[r]..self.starts[r + 1]]
    }

    /// The weight covered by a choice, the fixed part included.
    pub fn covered(&self, chosen: &[usize]) -> f64 {
        let mut open = vec![false; self.candidates];
        for &j in chosen {
            open[j] = true;
        }
        self.fixed
            + (0..self.rows())
                .filter(|&r| self.row(r).iter().any(|&j| open[j as usize]))
                .map(|r| self.weights[r])
                .sum::<f64>()
    }

    /// The rows each candidate covers.
    fn by_candidate(&self) -> Vec<Vec<u32>> {
        let mut lists = vec![Vec::new(); self.candidates];
        for r in 0..self.rows() {
            for &j in self.row(r) {
                lists[j as usize].push(r as u32);
            }
        }
        lists
    }
}

/// Greedy: `k` times the candidate covering the most uncovered weight (ties: the lowest index).
fn greedy(p: &CoverageProblem, rows_of: &[Vec<u32>], k: usize) -> Vec<usize> {
    let mut covered = vec![false; p.rows()];
    let mut open = vec![false; p.candidates];
    let mut chosen = Vec::with_capacity(k);
    for _ in 0..k.min(p.candidates) {
        let gain = |j: usize| -> f64 {
            rows_of[j].iter().filter(|&&r| !covered[r as usize]).map(|&r| p.weights[r as usize]).sum()
        };
        let best = (0..p.candidates)
            .filter(|&j| !open[j])
            .map(|j| (gain(j), j))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((_, j)) = best else { break };
        open[j] = true;
        chosen.push(j);
        for &r in &rows_of[j] {
            covered[r as usize] = true;
        }
    }
    chosen
}

/// The best improving swap while there is one.
fn swap_search(
    p: &CoverageProblem,
    rows_of: &[Vec<u32>],
    mut chosen: Vec<usize>,
    deadline: Option<Instant>,
) -> Vec<usize> {
    loop {
        if deadline.is_some_and(|d| Instant::now() > d) {
            break;
        }
        let mut position = vec![usize::MAX; p.candidates];
        for (k, &j) in chosen.iter().enumerate() {
            position[j] = k;
        }
        // How many chosen sites cover each row, and for rows covered once, which.
        let mut count = vec![0u32; p.rows()];
        let mut only = vec![usize::MAX; p.rows()];
        for (k, &j) in chosen.iter().enumerate() {
            for &r in &rows_of[j] {
                count[r as usize] += 1;
                only[r as usize] = k;
            }
        }
        let mut loss = vec![0.0; chosen.len()];
        for r in 0..p.rows() {
            if count[r] == 1 {
                loss[only[r]] += p.weights[r];
            }
        }
        let mut best: Option<(f64, usize, usize)> = None;
        let mut extra = vec![0.0; chosen.len()];
        for j_in in (0..p.candidates).filter(|&j| position[j] == usize::MAX) {
            let mut gain = 0.0;
            extra.iter_mut().for_each(|e| *e = 0.0);
            for &r in &rows_of[j_in] {
                let r = r as usize;
                match count[r] {
                    0 => gain += p.weights[r],
                    1 => extra[only[r]] += p.weights[r],
                    _ => {}
                }
            }
            for (k, (&l, &e)) in loss.iter().zip(&extra).enumerate() {
                let delta = gain + e - l;
                if best.is_none_or(|b| delta > b.0) {
                    best = Some((delta, j_in, k));
                }
            }
        }
        match best {
            Some((delta, j_in, k)) if delta > 1e-9 * p.weights.iter().sum::<f64>().max(1.0) => chosen[k] = j_in,
            _ => break,
        }
    }
    chosen.sort_unstable();
    chosen
}

/// The Lagrangian bound of the covering constraints `z_r ≤ Σ_{j covers r} y_j` relaxed with multipliers `μ_r`:
/// `Σ_r max(0, w_r − μ_r) + (the k largest Σ_{r ∋ j} μ_r)`, minimised by subgradient steps towards `target`.
fn lagrangian(p: &CoverageProblem, rows_of: &[Vec<u32>], k: usize, target: f64, deadline: Option<Instant>) -> f64 {
    let mut mu: Vec<f64> = p.weights.iter().map(|w| w / 2.0).collect();
    let mut schedule = Schedule::new(false);
    for _ in 0..2000 {
        if deadline.is_some_and(|d| Instant::now() > d) {
            break;
        }
        let value_j: Vec<f64> = rows_of.iter().map(|rows| rows.iter().map(|&r| mu[r as usize]).sum()).collect();
        let mut order: Vec<usize> = (0..p.candidates).collect();
        order.sort_by(|&a, &b| value_j[b].total_cmp(&value_j[a]).then(a.cmp(&b)));
        let open = &order[..k.min(p.candidates)];
        let value: f64 = p.weights.iter().zip(&mu).map(|(w, m)| (w - m).max(0.0)).sum::<f64>()
            + open.iter().map(|&j| value_j[j]).sum::<f64>();
        schedule.record(value);
        if schedule.best - target <= 1e-9 * target.abs().max(1.0) || schedule.spent() {
            break;
        }
        let mut cover = vec![0.0; p.rows()];
        for &j in open {
            for &r in &rows_of[j] {
                cover[r as usize] += 1.0;
            }
        }
        // Subgradient of the relaxed constraint z_r − Σ y_j ≤ 0 at the relaxed solution.
        let g: Vec<f64> = (0..p.rows()).map(|r| if p.weights[r] > mu[r] { 1.0 } else { 0.0 } - cover[r]).collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            break;
        }
        let step = schedule.theta * (value - target).max(1e-9 * target.abs().max(1.0)) / norm;
        for (m, gr) in mu.iter_mut().zip(&g) {
            *m = (*m + step * gr).max(0.0);
        }
    }
    schedule.best
}

/// The programme for HiGHS: binary `y_j`, `0 ≤ z_r ≤ 1`, `z_r ≤ Σ y_j`, `Σ y_j ≤ k`; maximise `Σ w_r z_r`.
/// Returns the best choice and the bound HiGHS proved, or `None` if it did not solve.
fn exact(p: &CoverageProblem, k: usize, start: &[usize], deadline: Option<Instant>) -> Option<(Vec<usize>, f64, bool)> {
    use highs::{HighsModelStatus, RowProblem, Sense};
    let mut pb = RowProblem::default();
    let y: Vec<highs::Col> = (0..p.candidates).map(|_| pb.add_integer_column(0.0, 0.0..=1.0)).collect();
    let z: Vec<highs::Col> = p.weights.iter().map(|&w| pb.add_column(w, 0.0..=1.0)).collect();
    for (r, &zr) in z.iter().enumerate() {
        let mut terms: Vec<(highs::Col, f64)> = vec![(zr, 1.0)];
        terms.extend(p.row(r).iter().map(|&j| (y[j as usize], -1.0)));
        pb.add_row(..=0.0, &terms);
    }
    let all: Vec<(highs::Col, f64)> = y.iter().map(|&c| (c, 1.0)).collect();
    pb.add_row(..=k as f64, &all);
    let mut model = pb.optimise(Sense::Maximise);
    model.make_quiet();
    model.set_option("threads", 1);
    model.set_option("random_seed", 0);
    if let Some(d) = deadline {
        let left = d.saturating_duration_since(Instant::now()).as_secs_f64().max(0.01);
        model.set_option("time_limit", left);
    }
    // The incumbent as a start: its sites and the rows they cover.
    let mut cols = vec![0.0; p.candidates + p.rows()];
    for &j in start {
        cols[j] = 1.0;
    }
    for r in 0..p.rows() {
        if p.row(r).iter().any(|&j| cols[j as usize] == 1.0) {
            cols[p.candidates + r] = 1.0;
        }
    }
    let _ = model.try_set_solution(Some(&cols), None, None, None);
    let solved = model.try_solve().ok()?;
    let status = solved.status();
    if !matches!(status, HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit) {
        return None;
    }
    let solution = solved.get_solution();
    let columns = solution.columns();
    let chosen: Vec<usize> = (0..p.candidates).filter(|&j| columns.get(j).is_some_and(|&v| v > 0.5)).collect();
    let objective = solved.objective_value();
    let gap = solved.mip_gap();
    let optimal = status == HighsModelStatus::Optimal;
    let bound = if optimal {
        objective
    } else if gap.is_finite() {
        objective + gap * objective.abs()
    } else {
        f64::INFINITY
    };
    Some((chosen, bound, optimal))
}

/// Solves a covering instance: the best choice of `k` candidates found, and an upper bound on the weight the best
/// choice covers (both with the fixed weight included).
pub fn solve(p: &CoverageProblem, k: usize, deadline: Option<Instant>, progress: &mut dyn Progress) -> Solution {
    let k = k.min(p.candidates);
    let rows_of = p.by_candidate();
    progress.note(&format!("coverage: {} demand points merged into {} rows; greedy and swaps", p.points, p.rows()));
    let mut chosen = swap_search(p, &rows_of, greedy(p, &rows_of, k), deadline);
    let mut value = p.covered(&chosen);
    // Every row coverable within k sites: nothing can do better.
    let everything = p.fixed + p.weights.iter().sum::<f64>();
    if value >= everything {
        return Solution { chosen, value, bound: value, method: "greedy (every coverable child covered)".into() };
    }
    // A bound that needs no solver: every coverable row, or the k candidates that cover most on their own.
    let mut alone: Vec<f64> = rows_of.iter().map(|rows| rows.iter().map(|&r| p.weights[r as usize]).sum()).collect();
    alone.sort_by(|a, b| b.total_cmp(a));
    let ceiling = everything.min(p.fixed + alone.iter().take(k).sum::<f64>());
    progress.note("coverage: exact programme (HiGHS)");
    match exact(p, k, &chosen, deadline) {
        Some((mip, bound, optimal)) => {
            let mip_value = p.covered(&mip);
            if mip.len() <= k && mip_value > value {
                chosen = mip;
                value = mip_value;
            }
            let bound = (p.fixed + bound).min(ceiling).max(value);
            let method = if optimal {
                "greedy + swaps, then HiGHS (mixed-integer programme on merged demand): proven optimum"
            } else {
                "greedy + swaps, then HiGHS (mixed-integer programme on merged demand), stopped at the time limit"
            };
            Solution {
                chosen,
                value,
                bound: if optimal { value.max(bound.min(value)) } else { bound },
                method: method.into(),
            }
        }
        None => {
            let bound = p.fixed + lagrangian(p, &rows_of, k, value - p.fixed, deadline);
            Solution {
                chosen,
                value,
                bound: bound.min(ceiling).max(value),
                method: "greedy + swaps; Lagrangian relaxation bound (HiGHS did not solve)".into(),
            }
        }
    }
}
