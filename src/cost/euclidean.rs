//! Straight-line (Euclidean) distance in a metric CRS.
//!
//! Nearest facilities: the origins' extent is cut into a grid once; for each facility set, each cell and group, an
//! R-tree gives the few facilities that can be nearest to any origin of the cell (those within d₀ + 2h of its
//! centre, d₀ being the centre's nearest distance and h the half-diagonal), and each origin then checks only
//! those. Exact, and several times faster than one R-tree query per origin and group.
//!
//! Within a cut-off: the same grid holds the origins of each cell, so a facility looks only at the cells its
//! cut-off box overlaps.

use rayon::prelude::*;

use super::{CostModel, Nearest, Unit, Within, NONE};
use crate::index::{PointGrid, SiteIndex};
use crate::model::facilities::Facilities;

/// Origins are handled in chunks of this many.
const CHUNK: usize = 8192;

/// Straight-line distance from a fixed set of origins.
#[derive(Debug)]
pub struct StraightLine<'a> {
    origins: &'a [[f64; 2]],
    /// `None` when there are no origins.
    grid: Option<PointGrid>,
}

impl<'a> StraightLine<'a> {
    /// Prepares the origins (grids them). They are borrowed, not copied: a million child points stay one copy.
    pub fn new(origins: &'a [[f64; 2]]) -> Self {
        let grid = PointGrid::for_nearest(origins).map(|g| g.with_items(origins));
        StraightLine { origins, grid }
    }
}

fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The candidates per grid cell and group: `starts[cell * groups + g]..starts[cell * groups + g + 1]` in `ids`,
/// ascending, so that scanning them in order and keeping the first of equal distances applies the tie rule.
fn candidates(grid: &PointGrid, index: &SiteIndex) -> (Vec<u32>, Vec<u32>) {
    let groups = index.groups();
    let half_diagonal = grid.cell_size() * std::f64::consts::SQRT_2 / 2.0;
    let lists: Vec<Vec<Vec<u32>>> = (0..grid.cells())
        .into_par_iter()
        .map(|cell| {
            if grid.items(cell).is_empty() {
                return vec![Vec::new(); groups];
            }
            let centre = grid.centre(cell);
            (0..groups)
                .map(|g| match index.nearest(centre, g) {
                    None => Vec::new(),
                    Some((_, d2)) => {
                        let reach = d2.sqrt() + 2.0 * half_diagonal;
                        // A hair of slack so that rounding can never drop the true nearest.
                        let reach = reach * (1.0 + 1e-9) + 1e-6;
                        let mut ids: Vec<u32> = index.within(centre, g, reach).map(|(i, _)| i as u32).collect();
                        ids.sort_unstable();
                        ids
                    }
                })
                .collect()
        })
        .collect();
    let mut starts = Vec::with_capacity(grid.cells() * groups + 1);
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

impl CostModel for StraightLine<'_> {
    fn name(&self) -> &'static str {
        "straight-line"
    }

    fn unit(&self) -> Unit {
        Unit::Metres
    }

    fn origins(&self) -> usize {
        self.origins.len()
    }

    fn nearest(&self, facilities: &Facilities, group: &[Option<usize>], groups: usize) -> Nearest {
        let Some(grid) = &self.grid else { return Nearest::empty(0, groups) };
        let positions = facilities.positions();
        let index = SiteIndex::new(&positions, group, groups);
        let (starts, ids) = candidates(grid, &index);
        // Filled in place, chunk by chunk: a million origins never hold the table twice.
        let mut table = Nearest::empty(self.origins.len(), groups);
        let (cost, facility) = table.rows_mut();
        let span = CHUNK * groups;
        self.origins
            .par_chunks(CHUNK)
            .zip(cost.par_chunks_mut(span.max(1)))
            .zip(facility.par_chunks_mut(span.max(1)))
            .for_each(|((chunk, cost), facility)| {
                for (k, &p) in chunk.iter().enumerate() {
                    let cell = grid.cell_of(p);
                    for g in 0..groups {
                        let range = starts[cell * groups + g] as usize..starts[cell * groups + g + 1] as usize;
                        let mut best = (NONE, f64::INFINITY);
                        for &f in &ids[range] {
                            let d2 = distance2(positions[f as usize], p);
                            // Strictly nearer only: among equals the first (lowest index) stays.
                            if d2 < best.1 {
                                best = (f, d2);
                            }
                        }
                        if best.0 != NONE {
                            facility[k * groups + g] = best.0;
                            cost[k * groups + g] = best.1.sqrt();
                        }
                    }
                }
            });
        table
    }

    fn within(&self, facilities: &Facilities, cutoff: &[f64]) -> Within {
        let Some(grid) = &self.grid else { return Within::from_rows(vec![Vec::new(); facilities.len()]) };
        let rows = facilities
            .as_slice()
            .par_iter()
            .zip(cutoff)
            .map(|(f, &r)| {
                let a = f.position;
                let mut row = Vec::new();
                if r.is_nan() || r < 0.0 {
                    return row;
                }
                for cell in grid.cells_overlapping([a[0] - r, a[1] - r], [a[0] + r, a[1] + r]) {
                    for &i in grid.items(cell) {
                        let d2 = distance2(self.origins[i as usize], a);
                        if d2 <= r * r {
                            row.push((i, d2.sqrt()));
                        }
                    }
                }
                row.sort_unstable_by_key(|x| x.0);
                row
            })
            .collect();
        Within::from_rows(rows)
    }

    fn nearest_of(&self, origins: &[u32], facilities: &Facilities, group: &[Option<usize>], groups: usize) -> Nearest {
        let positions = facilities.positions();
        let index = SiteIndex::new(&positions, group, groups);
        let mut table = Nearest::empty(origins.len(), groups);
        let (cost, facility) = table.rows_mut();
        let span = (CHUNK * groups).max(1);
        origins.par_chunks(CHUNK).zip(cost.par_chunks_mut(span)).zip(facility.par_chunks_mut(span)).for_each(
            |((chunk, cost), facility)| {
                for (k, &o) in chunk.iter().enumerate() {
                    let p = self.origins[o as usize];
                    for g in 0..groups {
                        let Some((_, d2)) = index.nearest(p, g) else { continue };
                        // Every site as near as the one found (a hair of slack for rounding), then the tie rule:
                        // the smallest squared distance, the first of equals.
                        let reach = d2.sqrt() * (1.0 + 1e-9) + 1e-6;
                        let best = index
                            .within(p, g, reach)
                            .map(|(f, _)| (f as u32, distance2(positions[f], p)))
                            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                        if let Some((f, d2)) = best {
                            facility[k * groups + g] = f;
                            cost[k * groups + g] = d2.sqrt();
                        }
                    }
                }
            },
        );
        table
    }

    fn nearer(
        &self,
        facilities: &Facilities,
        f: usize,
        current: &(dyn Fn(usize) -> Option<(u32, f64)> + Sync),
    ) -> Vec<(u32, f64)> {
        let at = facilities.get(f).position;
        let chunks: Vec<Vec<(u32, f64)>> = self
            .origins
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut out = Vec::new();
                for (k, &p) in chunk.iter().enumerate() {
                    let o = c * CHUNK + k;
                    let d2 = distance2(at, p);
                    // The same squared distances the whole table compares, so a tie keeps the earlier facility.
                    // Squared distances, not the cost given, so that the comparison is the whole table's exactly.
                    let nearer = match current(o) {
                        None => true,
                        Some((g, _)) => d2 < distance2(facilities.get(g as usize).position, p),
                    };
                    if nearer {
                        out.push((o as u32, d2.sqrt()));
                    }
                }
                out
            })
            .collect();
        chunks.concat()
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::facilities::Facility;
    use crate::model::kinds::KindId;

    fn random_facilities(rng: &mut ChaCha8Rng, n: usize, groups: usize, extent: f64) -> Facilities {
        Facilities::new(
            (0..n)
                .map(|i| Facility {
                    id: format!("f{i}"),
                    name: String::new(),
                    kind: KindId(rng.random_range(0..groups) as u16),
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

    fn random_origins(rng: &mut ChaCha8Rng, m: usize) -> Vec<[f64; 2]> {
        // Clustered and scattered points, some outside the facilities' extent, some on the 50 m lattice.
        (0..m)
            .map(|_| match rng.random_range(0..10) {
                0..=2 => [rng.random_range(4000.0..4300.0), rng.random_range(4000.0..4300.0)],
                3 => [(rng.random_range(0.0..10_000.0) / 25.0f64).round() * 25.0, rng.random_range(0.0..10_000.0)],
                _ => [rng.random_range(-2000.0..12_000.0), rng.random_range(-2000.0..12_000.0)],
            })
            .collect()
    }

    /// The dumbest nearest search: every facility, strictly smaller squared distance wins, so the first of equals.
    fn brute_nearest(fs: &Facilities, group: &[Option<usize>], p: [f64; 2], g: usize) -> Option<(u32, f64)> {
        let mut best: Option<(u32, f64)> = None;
        for (i, f) in fs.iter().enumerate() {
            if group[i] != Some(g) {
                continue;
            }
            let d2 = distance2(f.position, p);
            if best.is_none_or(|(_, b)| d2 < b) {
                best = Some((i as u32, d2));
            }
        }
        best.map(|(i, d2)| (i, d2.sqrt()))
    }

    #[test]
    fn nearest_with_identity_matches_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut ties = 0;
        for round in 0..30 {
            let groups = rng.random_range(1..7);
            let n = rng.random_range(0..60);
            let fs = random_facilities(&mut rng, n, groups, 10_000.0);
            // Some facilities belong to no group (a kind left out).
            let group: Vec<Option<usize>> =
                fs.iter().map(|f| (!rng.random_bool(0.1)).then_some(f.kind.index())).collect();
            let m = rng.random_range(1..3000);
            let origins = random_origins(&mut rng, m);
            let model = StraightLine::new(&origins);
            let got = model.nearest(&fs, &group, groups);
            assert_eq!(got.origins(), origins.len());
            for (i, &p) in origins.iter().enumerate() {
                for g in 0..groups {
                    let want = brute_nearest(&fs, &group, p, g);
                    assert_eq!(got.get(i, g), want, "round {round}: origin {i} {p:?} group {g}");
                    if let Some((f, c)) = want {
                        ties += fs
                            .iter()
                            .enumerate()
                            .filter(|(j, o)| {
                                *j as u32 != f && group[*j] == Some(g) && distance2(o.position, p).sqrt() == c
                            })
                            .count();
                    }
                }
            }
            // The same answer whatever the thread count.
            let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
            let again = one.install(|| model.nearest(&fs, &group, groups));
            assert!((0..origins.len()).all(|i| (0..groups).all(|g| again.get(i, g) == got.get(i, g))));
        }
        assert!(ties > 0, "no ties were exercised");
    }

    #[test]
    fn nearest_among_groups_takes_the_first_of_equals() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..10 {
            let fs = random_facilities(&mut rng, 40, 4, 5000.0);
            let group: Vec<Option<usize>> = fs.iter().map(|f| Some(f.kind.index())).collect();
            let origins = random_origins(&mut rng, 2000);
            let got = StraightLine::new(&origins).nearest(&fs, &group, 4);
            let include = [true, false, true, true];
            for (i, &p) in origins.iter().enumerate() {
                let mut best: Option<(u32, f64)> = None;
                for (j, f) in fs.iter().enumerate() {
                    if !include[f.kind.index()] {
                        continue;
                    }
                    let c = distance2(f.position, p).sqrt();
                    if best.is_none_or(|(_, b)| c < b) {
                        best = Some((j as u32, c));
                    }
                }
                assert_eq!(got.nearest_among(i, &include), best);
            }
        }
    }

    #[test]
    fn within_matches_brute_force_pair_set() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..20 {
            let n = rng.random_range(0..40);
            let fs = random_facilities(&mut rng, n, 4, 10_000.0);
            let m = rng.random_range(1..3000);
            let origins = random_origins(&mut rng, m);
            // Cut-offs on the lattice too, so pairs exactly at the cut-off are tested (inclusive).
            let cutoff: Vec<f64> = (0..n).map(|_| rng.random_range(0..60) as f64 * 50.0).collect();
            let got = StraightLine::new(&origins).within(&fs, &cutoff);
            assert_eq!(got.rows(), n);
            let mut pairs = 0;
            for (f, fac) in fs.iter().enumerate() {
                let want: Vec<(u32, f64)> = origins
                    .iter()
                    .enumerate()
                    .filter_map(|(i, &p)| {
                        let d = distance2(fac.position, p).sqrt();
                        (distance2(fac.position, p) <= cutoff[f] * cutoff[f]).then_some((i as u32, d))
                    })
                    .collect();
                let (os, cs) = got.row(f);
                let row: Vec<(u32, f64)> = os.iter().copied().zip(cs.iter().copied()).collect();
                assert_eq!(row, want, "facility {f}");
                pairs += want.len();
            }
            assert_eq!(got.pairs(), pairs);
            // Transposed: the same pairs, per origin.
            let t = got.by_origin(origins.len());
            assert_eq!(t.rows(), origins.len());
            assert_eq!(t.pairs(), pairs);
            for i in 0..origins.len() {
                let (fs_of, cs) = t.row(i);
                for (&f, &c) in fs_of.iter().zip(cs) {
                    let (os, ocs) = got.row(f as usize);
                    let k = os.binary_search(&(i as u32)).unwrap();
                    assert_eq!(ocs[k], c);
                }
                assert!(fs_of.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }

    #[test]
    fn no_origins_or_no_facilities() {
        let fs = Facilities::default();
        let origins = vec![[0.0, 0.0]];
        let got = StraightLine::new(&origins).nearest(&fs, &[], 3);
        assert_eq!(got.get(0, 2), None);
        let empty: Vec<[f64; 2]> = Vec::new();
        let model = StraightLine::new(&empty);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let fs = random_facilities(&mut rng, 5, 2, 100.0);
        assert_eq!(model.nearest(&fs, &[Some(0); 5], 2).origins(), 0);
        assert_eq!(model.within(&fs, &[10.0; 5]).rows(), 5);
    }
}
