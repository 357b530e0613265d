//! Snapping a point to the network: the nearest point on the nearest edge, found with an R-tree over the edges.
//! A child or an arena joins the network there; its distance along the network is the snap distance plus the way
//! along the edge to either end.

use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use super::graph::Graph;

/// An edge in the R-tree: its segment, with its two nodes and length.
type EdgeSegment = GeomWithData<Line<[f64; 2]>, (u32, u32, f64)>;

/// Where a point joins the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    /// The edge's nodes, `from` → `to`, and its length along the network.
    pub from: u32,
    /// The other end.
    pub to: u32,
    /// The edge's length, metres.
    pub length: f64,
    /// How far along the segment from `from` the snapped point is, 0 to 1.
    pub t: f64,
    /// The snapped point.
    pub at: [f64; 2],
    /// The straight distance from the point to the snapped point, metres.
    pub distance: f64,
}

impl Snap {
    /// The two ways into the network: (node, cost to it from the point) for both ends of the edge, the snap
    /// distance included, the edge's length shared out by where the point joins it.
    pub fn entries(&self) -> [(u32, f64); 2] {
        [(self.from, self.distance + self.t * self.length), (self.to, self.distance + (1.0 - self.t) * self.length)]
    }
}

/// An R-tree over a graph's edges (each street once).
pub struct EdgeIndex {
    tree: RTree<EdgeSegment>,
}

impl EdgeIndex {
    /// The index of `graph`'s edges.
    pub fn new(graph: &Graph) -> EdgeIndex {
        let mut segments = Vec::with_capacity(graph.directed_edges() / 2);
        for u in 0..graph.nodes() as u32 {
            for (v, len) in graph.neighbours(u).filter(|&(v, _)| u < v) {
                let line = Line::new(graph.coords[u as usize], graph.coords[v as usize]);
                segments.push(GeomWithData::new(line, (u, v, len)));
            }
        }
        EdgeIndex { tree: RTree::bulk_load(segments) }
    }

    /// Where `point` joins the network: the nearest point of the nearest edge (among equally near edges, the one
    /// the tree gives first); `None` for an empty network or a point that is not finite.
    pub fn snap(&self, point: [f64; 2]) -> Option<Snap> {
        if !(point[0].is_finite() && point[1].is_finite()) {
            return None;
        }
        let edge = self.tree.nearest_neighbor(&point)?;
        let line = edge.geom();
        let (a, b) = (line.from, line.to);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t =
            if len2 > 0.0 { (((point[0] - a[0]) * dx + (point[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
        let at = [a[0] + t * dx, a[1] + t * dy];
        let (from, to, length) = edge.data;
        Some(Snap { from, to, length, t, at, distance: line.distance_2(&point).sqrt() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The distance from `p` to the segment a–b, the plain way: the nearest of many points along it refined.
    fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 == 0.0 { 0.0 } else { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0) };
        (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
    }

    #[test]
    fn the_snap_is_the_true_nearest_point_of_the_nearest_edge() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        for case in 0..100 {
            let n = rng.random_range(2..30);
            let coords: Vec<[f64; 2]> =
                (0..n).map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)]).collect();
            let edges: Vec<(u32, u32, f64)> = (0..rng.random_range(1..2 * n))
                .map(|_| (rng.random_range(0..n as u32), rng.random_range(0..n as u32), 1.0))
                .collect();
            let graph = Graph::from_edges(coords.clone(), &edges);
            let index = EdgeIndex::new(&graph);
            for _ in 0..20 {
                let p = [rng.random_range(-200.0..1200.0), rng.random_range(-200.0..1200.0)];
                let Some(snap) = index.snap(p) else {
                    assert_eq!(graph.directed_edges(), 0, "case {case}");
                    continue;
                };
                // Brute force over every edge: none is nearer.
                let best = (0..n as u32)
                    .flat_map(|u| graph.neighbours(u).map(move |(v, _)| (u, v)))
                    .map(|(u, v)| segment_distance(p, coords[u as usize], coords[v as usize]))
                    .fold(f64::INFINITY, f64::min);
                assert!((snap.distance - best).abs() < 1e-9, "case {case}: {} vs {best}", snap.distance);
                // The snapped point lies on its edge, at the distance said, and no point of the edge is nearer.
                let (a, b) = (coords[snap.from as usize], coords[snap.to as usize]);
                let on = [a[0] + snap.t * (b[0] - a[0]), a[1] + snap.t * (b[1] - a[1])];
                assert!((on[0] - snap.at[0]).abs() < 1e-9 && (on[1] - snap.at[1]).abs() < 1e-9);
                assert!(((p[0] - snap.at[0]).hypot(p[1] - snap.at[1]) - snap.distance).abs() < 1e-9);
                for k in 0..=100 {
                    let s = k as f64 / 100.0;
                    let q = [a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])];
                    assert!((p[0] - q[0]).hypot(p[1] - q[1]) + 1e-9 >= snap.distance, "case {case}");
                }
            }
        }
        let empty = EdgeIndex::new(&Graph::default());
        assert_eq!(empty.snap([0.0, 0.0]), None);
    }

    #[test]
    fn entries_share_the_edge_out() {
        let g = Graph::from_edges(vec![[0.0, 0.0], [100.0, 0.0]], &[(0, 1, 120.0)]);
        let snap = EdgeIndex::new(&g).snap([25.0, 10.0]).unwrap();
        assert_eq!((snap.from, snap.to), (0, 1));
        assert!((snap.t - 0.25).abs() < 1e-12 && (snap.distance - 10.0).abs() < 1e-12);
        let [(a, ca), (b, cb)] = snap.entries();
        assert_eq!((a, b), (0, 1));
        assert!((ca - 40.0).abs() < 1e-9 && (cb - 100.0).abs() < 1e-9);
        assert_eq!(EdgeIndex::new(&g).snap([f64::NAN, 0.0]), None);
    }
}
