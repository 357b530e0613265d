//! Gap zones: uncovered children clustered by proximity (single linkage: children within the link distance of
//! each other join one zone), each zone drawn as the convex hull of its children buffered by a margin.
//!
//! The hull is a plain, explainable shape ("the area where these children live, plus a margin") that QGIS
//! draws without slivers; it may include covered streets between the zone's children, which is why the
//! child counts, not the area, carry the meaning.

use std::collections::{BTreeMap, HashMap};

use geo::{ConvexHull, Coord, LineString, MultiPoint, MultiPolygon, Point, Polygon};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::measure::gap_contribution;
use crate::model::Children;

/// Segments used to draw the buffer around each hull corner.
const BUFFER_SEGMENTS: usize = 32;

/// Settings for gap zones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneSettings {
    /// Link distance, metres.
    pub link: f64,
    /// The side of the cells a point that stands for no area takes, metres.
    pub cell: f64,
    /// Zones with fewer children are dropped (and counted).
    pub min_children: f64,
    /// The "any arena" radius, metres (children beyond it are uncovered).
    pub radius: f64,
}

/// One gap zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    /// A stable id: zones numbered by their first child point in input order.
    pub zone_id: u32,
    /// Children in the zone.
    pub children: f64,
    /// Child-weighted mean distance to the nearest arena, metres (`None` when there are no arenas).
    pub nearest_arena_m: Option<f64>,
    /// The shortest distance to an arena from any of its children, metres.
    pub nearest_arena_min_m: Option<f64>,
    /// Districts its children live in, most children first.
    pub districts: Vec<u32>,
    /// Need-weighted gap score, as for districts.
    pub gap_score: f64,
    /// Rank by gap score among drawn zones (1 = most underserved).
    pub gap_rank: u32,
    /// Its outline.
    pub polygon: MultiPolygon<f64>,
}

/// The zones drawn, and what was dropped for being small.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Zones {
    /// Zones with at least the minimum of children, by rank.
    pub zones: Vec<Zone>,
    /// Zones dropped for having fewer children than the minimum.
    pub dropped: usize,
    /// Children in the dropped zones.
    pub dropped_children: f64,
}

/// Finds the gap zones. Per child point: `district` (index, `None` outside every district) and `nearest(i)` (the
/// cost to the nearest coverage-kind arena, `None` when there is none); `need_weight` is per district (children
/// outside every district weigh 1).
pub fn gap_zones(
    children: &Children,
    district: &[Option<u32>],
    nearest: &dyn Fn(usize) -> Option<f64>,
    need_weight: &[f64],
    settings: ZoneSettings,
) -> Zones {
    let near = nearest;
    let uncovered: Vec<usize> = (0..children.len())
        .filter(|&i| children.counts[i] > 0.0 && near(i).is_none_or(|d| d > settings.radius))
        .collect();
    let points: Vec<[f64; 2]> = uncovered.iter().map(|&i| children.points[i]).collect();
    let labels = single_linkage(&points, settings.link);
    let clusters = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); clusters];
    for (k, &label) in labels.iter().enumerate() {
        members[label as usize].push(uncovered[k]);
    }

    let mut result = Zones::default();
    for (zone_index, members) in members.into_iter().enumerate() {
        let total: f64 = members.iter().map(|&i| children.counts[i]).sum();
        if total < settings.min_children {
            result.dropped += 1;
            result.dropped_children += total;
            continue;
        }
        let mut per_district: BTreeMap<u32, f64> = BTreeMap::new();
        let (mut weighted, mut weight, mut min, mut score) = (0.0, 0.0, f64::INFINITY, 0.0);
        for &i in &members {
            let count = children.counts[i];
            if let Some(d) = district[i] {
                *per_district.entry(d).or_default() += count;
            }
            if let Some(d) = near(i) {
                weighted += count * d;
                weight += count;
                min = min.min(d);
            }
            let need = district[i].map_or(1.0, |d| need_weight[d as usize]);
            score += need * gap_contribution(count, near(i), settings.radius);
        }
        let mut districts: Vec<(u32, f64)> = per_district.into_iter().collect();
        districts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let points: Vec<[f64; 2]> = members.iter().map(|&i| children.points[i]).collect();
        result.zones.push(Zone {
            zone_id: zone_index as u32 + 1,
            children: total,
            nearest_arena_m: (weight > 0.0).then(|| weighted / weight),
            nearest_arena_min_m: min.is_finite().then_some(min),
            districts: districts.into_iter().map(|d| d.0).collect(),
            gap_score: score,
            gap_rank: 0,
            polygon: buffered_hull(&points, settings.cell),
        });
    }
    result.zones.sort_by(|a, b| {
        b.gap_score.total_cmp(&a.gap_score).then(b.children.total_cmp(&a.children)).then(a.zone_id.cmp(&b.zone_id))
    });
    for (rank, zone) in result.zones.iter_mut().enumerate() {
        zone.gap_rank = rank as u32 + 1;
    }
    result
}

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

fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The convex hull of `points` grown by `buffer` metres (the exact Minkowski sum with a 32-gon).
pub fn buffered_hull(points: &[[f64; 2]], buffer: f64) -> MultiPolygon<f64> {
    let cloud: MultiPoint<f64> = points.iter().map(|p| Point::new(p[0], p[1])).collect();
    let hull = cloud.convex_hull();
    let mut grown: Vec<Point<f64>> = Vec::with_capacity(hull.exterior().0.len() * BUFFER_SEGMENTS);
    for c in hull.exterior().coords() {
        for k in 0..BUFFER_SEGMENTS {
            let angle = std::f64::consts::TAU * k as f64 / BUFFER_SEGMENTS as f64;
            grown.push(Point::new(c.x + buffer * angle.cos(), c.y + buffer * angle.sin()));
        }
    }
    let outline = MultiPoint(grown).convex_hull();
    let ring: Vec<Coord<f64>> = outline.exterior().0.clone();
    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
}

/// Union-find with path halving and union by size (32-bit, as zones never hold four billion points).
struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets { parent: (0..n as u32).collect(), size: vec![1; n] }
    }
    fn find(&mut self, i: usize) -> usize {
        let mut i = i as u32;
        while self.parent[i as usize] != i {
            self.parent[i as usize] = self.parent[self.parent[i as usize] as usize];
            i = self.parent[i as usize];
        }
        i as usize
    }
    fn union(&mut self, a: usize, b: usize) {
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

    #[test]
    fn buffered_hull_contains_every_point_with_margin() {
        use geo::{Contains, Distance, Euclidean};
        let points = [[0.0, 0.0], [1000.0, 0.0], [500.0, 800.0], [400.0, 300.0]];
        let zone = buffered_hull(&points, 250.0);
        for p in points {
            let p = Point::new(p[0], p[1]);
            assert!(zone.contains(&p));
            let edge = Euclidean.distance(&p, zone.0[0].exterior());
            assert!(edge >= 250.0 * (std::f64::consts::PI / BUFFER_SEGMENTS as f64).cos() - 1e-6, "{edge}");
        }
        let single = buffered_hull(&[[10.0, 10.0]], 100.0);
        assert!((geo::Area::unsigned_area(&single) - std::f64::consts::PI * 100.0 * 100.0).abs() < 0.01 * 31416.0);
    }
}
