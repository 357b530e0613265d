//! Siting: where `k` new arenas would do most, with the existing ones kept. Two objectives, each solved to a
//! choice and a proven bound on the optimum:
//!
//! - [`coverage`]: maximal covering. The most (weighted) children within the radius of an arena, existing or new.
//! - [`median`]: p-median. The least weighted distance from every child to the nearest arena, existing or new.
//!
//! The instances are plain numbers (weights, candidate sets, distances): building them from a study and a cost
//! model is the command's business, so the solvers know nothing of files, kinds or CRSs, and the tests can hold
//! them to a brute-force optimum over every `k`-subset.

pub mod coverage;
pub mod instance;
pub mod median;

/// What a solver found: the chosen candidates (ascending), the objective's value for them, and a bound on the
/// optimum (coverage: an upper bound, ≥ `value`; distance: a lower bound, ≤ `value`).
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Indices of the chosen candidates, ascending.
    pub chosen: Vec<usize>,
    /// The objective for them: weight covered, or weighted distance sum.
    pub value: f64,
    /// The bound on the optimum.
    pub bound: f64,
    /// How they were found and bounded, for suggest.json.
    pub method: String,
}

impl Solution {
    /// How far the bound is from the value, in per cent of the bound (coverage) or the value (distance): 0 when
    /// the choice is proven optimal.
    pub fn gap_percent(&self) -> f64 {
        if !(self.bound.is_finite() && self.value.is_finite()) {
            return 100.0;
        }
        let gap = (self.bound - self.value).abs();
        let base = self.value.abs().max(self.bound.abs());
        if gap <= 1e-9 * base.max(1.0) {
            0.0
        } else {
            100.0 * gap / base
        }
    }
}

/// The step-size schedule of a subgradient loop (Held, Wolfe and Crowder): the step's factor θ starts at 2 and
/// halves after 20 steps without a better bound. Tracks the best bound, for a maximised (`rising`) or minimised
/// Lagrangian.
pub(crate) struct Schedule {
    /// The best bound so far.
    pub best: f64,
    /// The step factor.
    pub theta: f64,
    stale: u32,
    rising: bool,
}

impl Schedule {
    /// A schedule for a Lagrangian to maximise (`rising`: a lower bound) or to minimise (an upper bound).
    pub fn new(rising: bool) -> Self {
        Schedule { best: if rising { f64::NEG_INFINITY } else { f64::INFINITY }, theta: 2.0, stale: 0, rising }
    }

    /// Records the Lagrangian's value at this step.
    pub fn record(&mut self, value: f64) {
        let margin = 1e-9 * self.best.abs().max(1.0);
        let better =
            !self.best.is_finite() || if self.rising { value > self.best + margin } else { value < self.best - margin };
        if better {
            self.best = value;
            self.stale = 0;
        } else {
            self.stale += 1;
            if self.stale >= 20 {
                self.theta /= 2.0;
                self.stale = 0;
            }
        }
    }

    /// Whether θ has become too small to move the multipliers.
    pub fn spent(&self) -> bool {
        self.theta < 1e-4
    }
}

/// Told of each step, for the progress line.
pub trait Progress {
    /// A step begins.
    fn note(&mut self, step: &str);
}

impl<F: FnMut(&str)> Progress for F {
    fn note(&mut self, step: &str) {
        self(step)
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::coverage::CoverageProblem;
    use super::median::MedianProblem;
    use super::*;

    /// Every `k`-subset of `0..m`, in order.
    fn subsets(m: usize, k: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let mut current = Vec::new();
        fn walk(start: usize, m: usize, k: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if current.len() == k {
                out.push(current.clone());
                return;
            }
            for j in start..m {
                current.push(j);
                walk(j + 1, m, k, current, out);
                current.pop();
            }
        }
        walk(0, m, k, &mut current, &mut out);
        out
    }

    /// Demand points, their weights, candidates and existing sites.
    type City = (Vec<[f64; 2]>, Vec<f64>, Vec<[f64; 2]>, Vec<[f64; 2]>);

    /// A random city: clustered points, candidates and existing sites, on a coarse lattice so that ties happen.
    fn city(rng: &mut ChaCha8Rng, n: usize, m: usize, existing: usize) -> City {
        let centres: Vec<[f64; 2]> =
            (0..3).map(|_| [rng.random_range(0.0..5000.0), rng.random_range(0.0..5000.0)]).collect();
        let around = |rng: &mut ChaCha8Rng, s: f64| {
            let c = centres[rng.random_range(0..centres.len())];
            [
                ((c[0] + rng.random_range(-s..s)) / 50.0).round() * 50.0,
                ((c[1] + rng.random_range(-s..s)) / 50.0).round() * 50.0,
            ]
        };
        let points = (0..n).map(|_| around(rng, 1500.0)).collect();
        let weights = (0..n).map(|_| if rng.random_bool(0.1) { 0.0 } else { rng.random_range(1..6) as f64 }).collect();
        let candidates = (0..m).map(|_| around(rng, 2000.0)).collect();
        let sites = (0..existing).map(|_| around(rng, 2000.0)).collect();
        (points, weights, candidates, sites)
    }

    fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    }

    fn silent() -> impl FnMut(&str) {
        |_: &str| {}
    }

    #[test]
    fn coverage_finds_the_brute_force_optimum_and_never_bounds_below_it() {
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        for round in 0..40 {
            let (n, m, e) = (rng.random_range(1..120), rng.random_range(1..11), rng.random_range(0..3));
            let k = rng.random_range(1..=m.min(4));
            let radius = rng.random_range(300.0..1500.0);
            let (points, weights, candidates, sites) = city(&mut rng, n, m, e);
            let existing: Vec<bool> = points.iter().map(|&p| sites.iter().any(|&s| dist(p, s) <= radius)).collect();
            let sets: Vec<Vec<u32>> = points
                .iter()
                .map(|&p| (0..m as u32).filter(|&j| dist(p, candidates[j as usize]) <= radius).collect())
                .collect();
            let problem = CoverageProblem::new(&weights, &existing, |i| &sets[i], m);
            let covered = |chosen: &[usize]| -> f64 {
                (0..n)
                    .filter(|&i| existing[i] || chosen.iter().any(|&j| dist(points[i], candidates[j]) <= radius))
                    .map(|i| weights[i])
                    .sum()
            };
            let optimum = subsets(m, k).iter().map(|s| covered(s)).fold(0.0, f64::max);
            let solution = coverage::solve(&problem, k, None, &mut silent());
            assert!(solution.chosen.len() <= k, "round {round}");
            assert_eq!(covered(&solution.chosen), solution.value, "round {round}: the value is what the choice covers");
            assert!(
                (solution.value - optimum).abs() < 1e-9,
                "round {round}: {} against the optimum {optimum}",
                solution.value
            );
            assert!(
                solution.bound >= optimum - 1e-9,
                "round {round}: bound {} below the optimum {optimum}",
                solution.bound
            );
            assert_eq!(solution.gap_percent(), 0.0, "round {round}: {solution:?}");
        }
    }

    #[test]
    fn p_median_comes_within_its_bound_of_the_brute_force_optimum() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let mut exact = 0;
        for round in 0..40 {
            let (n, m, e) = (rng.random_range(1..100), rng.random_range(1..10), rng.random_range(0..3));
            let k = rng.random_range(1..=m.min(4));
            let (points, weights, candidates, sites) = city(&mut rng, n, m, e);
            let problem = MedianProblem {
                existing: points
                    .iter()
                    .map(|&p| sites.iter().map(|&s| dist(p, s)).fold(f64::INFINITY, f64::min))
                    .collect(),
                distance: points.iter().flat_map(|&p| candidates.iter().map(move |&c| dist(p, c))).collect(),
                weights,
                candidates: m,
            };
            let optimum = subsets(m, k).iter().map(|s| problem.cost(s)).fold(f64::INFINITY, f64::min);
            let solution = median::solve(&problem, k, None, &mut silent());
            assert_eq!(solution.chosen.len(), k, "round {round}");
            assert_eq!(problem.cost(&solution.chosen), solution.value, "round {round}");
            assert!(solution.value >= optimum - 1e-6, "round {round}");
            assert!(
                solution.bound <= optimum + 1e-6 * optimum.max(1.0),
                "round {round}: bound {} above the optimum {optimum}",
                solution.bound
            );
            assert!(
                solution.bound.is_finite() && solution.gap_percent() < 5.0,
                "round {round}: {solution:?} against {optimum}"
            );
            if (solution.value - optimum).abs() <= 1e-6 * optimum.max(1.0) {
                exact += 1;
            }
        }
        assert!(exact >= 36, "the local search found the optimum in {exact} of 40");
    }
}
