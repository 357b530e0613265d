//! The distance seam: how far children live from arenas. Straight-line distance in the analysis CRS now; a
//! walking distance along streets can fill the same trait later, and the engine will not change.
//!
//! The questions are asked in bulk (all children at once), because that is how both a grid-accelerated
//! straight-line search and a street network (one multi-source Dijkstra per kind) answer them fastest.

use rayon::prelude::*;

use crate::index::{ArenaIndex, PointGrid};
use crate::model::{Arena, ArenaKind};

/// Points are handled in chunks of this many.
const CHUNK: usize = 8192;

/// A way of measuring how far arenas are from points, in metres.
pub trait DistanceModel: Sync {
    /// A short name for run.json: `straight-line`.
    fn name(&self) -> &'static str;
    /// For every point, the distance in metres to the nearest arena of each kind (by [`ArenaKind::index`]); NaN
    /// where there is no arena of that kind.
    fn nearest_by_kind(&self, points: &[[f64; 2]]) -> Vec<[f64; 4]>;
    /// For every arena, the sum of the `weights` of the points within `radius[kind]` metres of it.
    fn weight_within(&self, points: &[[f64; 2]], weights: &[f64], radius: [f64; 4]) -> Vec<f64>;
}

/// Straight-line (Euclidean) distance in a metric CRS.
///
/// Nearest arenas: the points' extent is cut into a grid; for each cell and kind, R-trees give the few arenas
/// that can be nearest to any point of the cell (those within d₀ + 2h of its centre, d₀ being the centre's
/// nearest distance and h the half-diagonal), and each point then checks only those. Exact, and several times
/// faster than one R-tree query per point and kind.
#[derive(Debug)]
pub struct StraightLine {
    index: ArenaIndex,
    arenas: Vec<([f64; 2], ArenaKind)>,
}

impl StraightLine {
    /// Indexes the arenas.
    pub fn new(arenas: &[Arena]) -> Self {
        StraightLine { index: ArenaIndex::new(arenas), arenas: arenas.iter().map(|a| (a.position, a.kind)).collect() }
    }

    /// The candidates per grid cell and kind: `starts[cell * 4 + kind]..starts[cell * 4 + kind + 1]` in `ids`.
    fn candidates(&self, grid: &PointGrid) -> (Vec<u32>, Vec<u32>) {
        let half_diagonal = grid.cell_size() * std::f64::consts::SQRT_2 / 2.0;
        let lists: Vec<Vec<Vec<u32>>> = (0..grid.cells())
            .into_par_iter()
            .map(|cell| {
                let centre = grid.centre(cell);
                ArenaKind::ALL
                    .map(|kind| match self.index.nearest(centre, Some(kind)) {
                        None => Vec::new(),
                        Some((_, d2)) => {
                            let reach = d2.sqrt() + 2.0 * half_diagonal;
                            // A hair of slack so that rounding can never drop the true nearest.
                            let reach = reach * (1.0 + 1e-9) + 1e-6;
                            let mut ids: Vec<u32> =
                                self.index.within(centre, Some(kind), reach).map(|(i, _)| i as u32).collect();
                            ids.sort_unstable();
                            ids
                        }
                    })
                    .into()
            })
            .collect();
        let mut starts = Vec::with_capacity(grid.cells() * 4 + 1);
        let mut ids = Vec::new();
        starts.push(0);
        for cell in lists {
            for list in cell {
                ids.extend(list);
                starts.push(ids.len() as u32);
            }
        }
        (starts, ids)
    }
}

fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

impl DistanceModel for StraightLine {
    fn name(&self) -> &'static str {
        "straight-line"
    }

    fn nearest_by_kind(&self, points: &[[f64; 2]]) -> Vec<[f64; 4]> {
        let Some(grid) = PointGrid::for_nearest(points) else { return Vec::new() };
        let (starts, ids) = self.candidates(&grid);
        points
            .par_iter()
            .with_min_len(CHUNK)
            .map(|&p| {
                let cell = grid.cell_of(p);
                let mut out = [f64::NAN; 4];
                for (k, slot) in out.iter_mut().enumerate() {
                    let range = starts[cell * 4 + k] as usize..starts[cell * 4 + k + 1] as usize;
                    let best = ids[range].iter().map(|&a| distance2(self.arenas[a as usize].0, p)).reduce(f64::min);
                    if let Some(d2) = best {
                        *slot = d2.sqrt();
                    }
                }
                out
            })
            .collect()
    }

    fn weight_within(&self, points: &[[f64; 2]], weights: &[f64], radius: [f64; 4]) -> Vec<f64> {
        let Some(grid) = PointGrid::for_nearest(points) else { return vec![0.0; self.arenas.len()] };
        let grid = grid.with_items(points);
        self.arenas
            .par_iter()
            .map(|&(a, kind)| {
                let r = radius[kind.index()];
                let mut sum = 0.0;
                for cell in grid.cells_overlapping([a[0] - r, a[1] - r], [a[0] + r, a[1] + r]) {
                    for &i in grid.items(cell) {
                        if distance2(points[i as usize], a) <= r * r {
                            sum += weights[i as usize];
                        }
                    }
                }
                sum
            })
            .collect()
    }
}
