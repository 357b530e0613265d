//! Single linkage: points within the link distance of each other, directly or through a chain of such points,
//! share a cluster. A grid of cells and a union-find keep it near linear for a million points.

use std::collections::HashMap;

use rstar::primitives::GeomWithData;
use rstar::RTree;

/// Single-linkage clusters: points closer than or at `link` to each other (directly or through a chain) share a
/// label. Labels are numbered 0, 1, … in order of each cluster's first point.
///
/// Points are binned in a grid of cells `link / √2` wide, so all points of one cell are linked; only cells up to
/// two apart need comparing, and a pair of cells is compared only while they are still in different clusters.
pub fn single_linkage(points: &[[f64; 2]], link: f64) -> Vec<u32> {
    let n = points.len();
    let mut sets = DisjointSets::new(n);
    if n == 0 {
        return Vec::new();
    }
    let size = link / std::f64::consts::SQRT_2;
    let cell_of = |p: [f64; 2]| ((p[0] / size).floor() as i64, (p[1] / size).floor() as i64);
    // Points grouped by cell with one sort (hashing every point is slower), then a map of the few cells.
    let mut order: Vec<((i64, i64), usize)> = points.iter().enumerate().map(|(i, &p)| (cell_of(p), i)).collect();
    order.sort_unstable();
    let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        cells.insert(group[0].0, group.iter().map(|g| g.1).collect());
    }
    drop(order);
    for members in cells.values() {
        for &i in &members[1..] {
            sets.union(members[0], i);
        }
    }
    let mut keys: Vec<(i64, i64)> = cells.keys().copied().collect();
    keys.sort_unstable();
    let link2 = link * link;
    type CellTree = RTree<GeomWithData<[f64; 2], usize>>;
    let mut trees: HashMap<(i64, i64), CellTree> = HashMap::new();
    // Each unordered pair of cells once: first the touching ones, which in a dense area link at the first
    // comparison, then those two apart, most of which are joined through a middle cell by then.
    let offsets: Vec<(i64, i64)> = [1i64, 2]
        .into_iter()
        .flat_map(|ring| {
            (-2i64..=2)
                .flat_map(|dx| (-2i64..=2).map(move |dy| (dx, dy)))
                .filter(move |&(dx, dy)| dx.abs().max(dy.abs()) == ring && (dx, dy) > (0, 0))
        })
        .collect();
    for &(dx, dy) in &offsets {
        for &(cx, cy) in &keys {
            {
                let other = (cx + dx, cy + dy);
                let Some(b) = cells.get(&other) else { continue };
                let a = &cells[&(cx, cy)];
                if sets.find(a[0]) == sets.find(b[0]) {
                    continue;
                }
                let (small, large, large_key) = if a.len() <= b.len() { (a, b, other) } else { (b, a, (cx, cy)) };
                // Neighbouring cells of a dense area almost always link within a few comparisons: try a
                // bounded number of pairs first, and only then ask an R-tree of the larger cell.
                let mut budget = 4096usize;
                let mut exhausted = false;
                let mut linked = None;
                'pairs: for &i in small {
                    for &j in large {
                        if budget == 0 {
                            exhausted = true;
                            break 'pairs;
                        }
                        budget -= 1;
                        if distance2(points[i], points[j]) <= link2 {
                            linked = Some((i, j));
                            break 'pairs;
                        }
                    }
                }
                if exhausted {
                    let tree = trees.entry(large_key).or_insert_with(|| {
                        RTree::bulk_load(large.iter().map(|&j| GeomWithData::new(points[j], j)).collect())
                    });
                    linked = small.iter().find_map(|&i| {
                        tree.nearest_neighbor(&points[i])
                            .filter(|g| distance2(points[i], *g.geom()) <= link2)
                            .map(|g| (i, g.data))
                    });
                }
                if let Some((i, j)) = linked {
                    sets.union(i, j);
                }
            }
        }
    }
    let mut label_of_root: HashMap<usize, u32> = HashMap::new();
    (0..n)
        .map(|i| {
            let root = sets.find(i);
            let next = label_of_root.len() as u32;
            *label_of_root.entry(root).or_insert(next)
        })
        .collect()
}

pub(super) fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// Union-find with path halving and union by size (32-bit, as zones never hold four billion points).
pub(super) struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    pub(super) fn new(n: usize) -> Self {
        DisjointSets { parent: (0..n as u32).collect(), size: vec![1; n] }
    }
    pub(super) fn find(&mut self, i: usize) -> usize {
        let mut i = i as u32;
        while self.parent[i as usize] != i {
            self.parent[i as usize] = self.parent[self.parent[i as usize] as usize];
            i = self.parent[i as usize];
        }
        i as usize
    }
    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a as u32;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The dumbest possible single linkage: every pair.
    fn brute_force(points: &[[f64; 2]], link: f64) -> Vec<u32> {
        let mut sets = DisjointSets::new(points.len());
        for i in 0..points.len() {
            for j in i + 1..points.len() {
                if distance2(points[i], points[j]) <= link * link {
                    sets.union(i, j);
                }
            }
        }
        let mut labels = HashMap::new();
        (0..points.len())
            .map(|i| {
                let r = sets.find(i);
                let next = labels.len() as u32;
                *labels.entry(r).or_insert(next)
            })
            .collect()
    }

    #[test]
    fn single_linkage_matches_brute_force_on_random_points() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for round in 0..40 {
            let n = rng.random_range(0..400);
            let spread = rng.random_range(500.0..20_000.0);
            let link = rng.random_range(50.0..1500.0);
            // Clumps and scattered points, to get both dense cells and near-miss pairs.
            let points: Vec<[f64; 2]> = (0..n)
                .map(|_| {
                    if rng.random_bool(0.5) {
                        [rng.random_range(0.0..spread), rng.random_range(0.0..spread)]
                    } else {
                        [rng.random_range(0.0..200.0) + 1000.0, rng.random_range(0.0..200.0) - 3000.0]
                    }
                })
                .collect();
            assert_eq!(single_linkage(&points, link), brute_force(&points, link), "round {round}");
        }
    }

    #[test]
    fn large_cells_use_the_tree_and_still_match() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // Two dense clumps just over the link apart, and one just under: the big-cell path must decide right.
        let mut points = Vec::new();
        for _ in 0..300 {
            points.push([rng.random_range(0.0..10.0), rng.random_range(0.0..10.0)]);
            points.push([rng.random_range(1011.0..1020.0), rng.random_range(0.0..10.0)]);
            points.push([rng.random_range(0.0..10.0), rng.random_range(1009.0..1015.0)]);
        }
        let labels = single_linkage(&points, 1000.0);
        assert_eq!(labels, brute_force(&points, 1000.0));
    }
}
