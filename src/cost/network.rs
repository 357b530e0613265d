//! Walking distance along a street network: the cost of a walk is the origin's snap distance to its street, the
//! way along the streets, and the facility's snap distance (see [`crate::network::walk`]).
//!
//! Nearest facilities: one multi-source search per group over the whole network. Within a cut-off: one bounded
//! search per facility, in parallel, each on its thread's reusable scratch. A facility added to a scenario: one
//! search from it, bounded by the farthest current nearest, and the origins it is strictly nearer to.

use rayon::prelude::*;

use super::{CostModel, Nearest, Unit, Within};
use crate::model::facilities::Facilities;
use crate::network::Walk;

/// Walking distance from the origins a [`Walk`] was built over.
#[derive(Debug)]
pub struct Streets<'a> {
    walk: &'a Walk,
}

impl<'a> Streets<'a> {
    /// The cost model of `walk`'s origins along its network.
    pub fn new(walk: &'a Walk) -> Self {
        Streets { walk }
    }
}

/// A table from [`Walk::nearest_of`]'s entries.
fn table(entries: Vec<Option<(u32, f64)>>, rows: usize, groups: usize) -> Nearest {
    let mut table = Nearest::empty(rows, groups);
    for (k, e) in entries.into_iter().enumerate() {
        if let Some((f, c)) = e {
            table.set(k / groups, k % groups, f, c);
        }
    }
    table
}

impl CostModel for Streets<'_> {
    fn name(&self) -> &'static str {
        "network"
    }

    fn unit(&self) -> Unit {
        Unit::Metres
    }

    fn origins(&self) -> usize {
        self.walk.origins()
    }

    fn nearest(&self, facilities: &Facilities, group: &[Option<usize>], groups: usize) -> Nearest {
        let found = self.walk.nearest(&facilities.positions(), group, groups, f64::INFINITY);
        table(found, self.walk.origins(), groups)
    }

    fn within(&self, facilities: &Facilities, cutoff: &[f64]) -> Within {
        let rows: Vec<Vec<(u32, f64)>> = facilities
            .as_slice()
            .par_iter()
            .zip(cutoff)
            .map_init(
                || self.walk.scratch(),
                |scratch, (f, &r)| match self.walk.snap(f.position) {
                    Some(snap) => self.walk.reach(&snap, r, scratch),
                    None => Vec::new(),
                },
            )
            .collect();
        Within::from_rows(rows)
    }

    fn nearest_of(&self, origins: &[u32], facilities: &Facilities, group: &[Option<usize>], groups: usize) -> Nearest {
        let found = self.walk.nearest_of(Some(origins), &facilities.positions(), group, groups, f64::INFINITY);
        table(found, origins.len(), groups)
    }

    fn nearer(
        &self,
        facilities: &Facilities,
        f: usize,
        current: &(dyn Fn(usize) -> Option<(u32, f64)> + Sync),
    ) -> Vec<(u32, f64)> {
        let Some(snap) = self.walk.snap(facilities.get(f).position) else { return Vec::new() };
        // No origin farther than its current nearest can change: search no farther than the farthest of those.
        let bound = (0..self.walk.origins())
            .into_par_iter()
            .filter(|&o| self.walk.snap_distance(o).is_some())
            .map(|o| current(o).map_or(f64::INFINITY, |(_, c)| c))
            .reduce(|| 0.0, f64::max);
        let mut scratch = self.walk.scratch();
        let mut reached = self.walk.reach(&snap, bound, &mut scratch);
        reached.retain(|&(o, c)| current(o as usize).is_none_or(|(_, now)| c < now));
        reached
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::facilities::Facility;
    use crate::model::kinds::KindId;
    use crate::network::Graph;

    /// A street grid with a few streets missing, `n` × `n` nodes `step` apart.
    fn grid(rng: &mut ChaCha8Rng, n: u32, step: f64) -> Graph {
        let coords = (0..n * n).map(|k| [(k % n) as f64 * step, (k / n) as f64 * step]).collect();
        let mut edges = Vec::new();
        for y in 0..n {
            for x in 0..n {
                let k = y * n + x;
                if x + 1 < n && rng.random_bool(0.85) {
                    edges.push((k, k + 1, step));
                }
                if y + 1 < n && rng.random_bool(0.85) {
                    edges.push((k, k + n, step));
                }
            }
        }
        Graph::from_edges(coords, &edges)
    }

    fn facilities(rng: &mut ChaCha8Rng, n: usize, extent: f64) -> Facilities {
        Facilities::new(
            (0..n)
                .map(|i| Facility {
                    id: format!("f{i}"),
                    name: String::new(),
                    kind: KindId(rng.random_range(0..2)),
                    position: [rng.random_range(0.0..extent), rng.random_range(0.0..extent)],
                    capacity: 1.0,
                })
                .collect(),
        )
    }

    #[test]
    fn within_and_nearer_agree_with_the_nearest_table() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for case in 0..20 {
            let graph = grid(&mut rng, 12, 100.0);
            let origins: Vec<[f64; 2]> =
                (0..300).map(|_| [rng.random_range(-50.0..1150.0), rng.random_range(-50.0..1150.0)]).collect();
            let walk = Walk::new(graph, &origins);
            let model = Streets::new(&walk);
            let count = rng.random_range(1..8);
            let fs = facilities(&mut rng, count, 1100.0);
            let group: Vec<Option<usize>> = fs.iter().map(|f| Some(f.kind.index())).collect();
            let nearest = model.nearest(&fs, &group, 2);
            // Within an infinite cut-off, each origin's least cost over a group's facilities is its nearest.
            let within = model.within(&fs, &vec![f64::INFINITY; fs.len()]).by_origin(origins.len());
            for o in 0..origins.len() {
                for g in 0..2 {
                    let (fs_of, cs) = within.row(o);
                    let least = fs_of
                        .iter()
                        .zip(cs)
                        .filter(|(f, _)| group[**f as usize] == Some(g))
                        .map(|(f, c)| (*c, *f))
                        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    assert_eq!(nearest.get(o, g), least.map(|(c, f)| (f, c)), "case {case}, origin {o}, group {g}");
                }
            }
            // Adding the last facility to the others: nearer() names exactly the origins whose nearest it becomes.
            let last = fs.len() - 1;
            let Some(g) = group[last] else { continue };
            let mut before = group.clone();
            before[last] = None;
            let old = model.nearest(&fs, &before, 2);
            let taken = model.nearer(&fs, last, &|o| old.get(o, g));
            let want: Vec<(u32, f64)> = (0..origins.len())
                .filter_map(|o| match nearest.get(o, g) {
                    Some((f, c)) if f as usize == last && old.get(o, g).is_none_or(|(_, oc)| c < oc) => {
                        Some((o as u32, c))
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(taken, want, "case {case}");
            let rows: Vec<u32> = (0..origins.len() as u32).step_by(7).collect();
            let some = model.nearest_of(&rows, &fs, &group, 2);
            for (k, &o) in rows.iter().enumerate() {
                for g in 0..2 {
                    assert_eq!(some.get(k, g), nearest.get(o as usize, g), "case {case}");
                }
            }
        }
    }
}
