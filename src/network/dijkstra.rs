//! Multi-source Dijkstra: from many sources at once, every node's nearest source along the network and its
//! distance, in one search. Each source enters at a node with a starting cost (the length of its snap to the
//! network and along its edge), and the search stops at a cut-off.
//!
//! **Ties** go to the lower source index, as the cost model's do (the first in the facility set): labels are
//! compared as (distance, source), which adding an edge's length keeps in order, so the search settles each node
//! with the lexicographically least label. The answer is the same every run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::graph::Graph;

/// "No source" in [`Reach::source`].
pub const NO_SOURCE: u32 = u32::MAX;

/// Every node's nearest source and the distance to it; `f64::INFINITY` and [`NO_SOURCE`] beyond the cut-off.
#[derive(Clone, Debug, PartialEq)]
pub struct Reach {
    /// The distance of each node to its nearest source, metres.
    pub distance: Vec<f64>,
    /// The index of that source.
    pub source: Vec<u32>,
}

impl Reach {
    /// The nearest source of node `u` and its distance, if one is within the cut-off.
    pub fn get(&self, u: u32) -> Option<(u32, f64)> {
        let s = self.source[u as usize];
        (s != NO_SOURCE).then(|| (s, self.distance[u as usize]))
    }
}

/// A heap entry, least (distance, source) first.
#[derive(Clone, Copy, PartialEq)]
struct Entry {
    distance: f64,
    source: u32,
    node: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap.
        other.distance.total_cmp(&self.distance).then(other.source.cmp(&self.source)).then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Whether label (d, s) is better than (e, t).
fn better(d: f64, s: u32, e: f64, t: u32) -> bool {
    d < e || (d == e && s < t)
}

/// Searches `graph` from every `(node, starting cost, source index)` of `starts` at once, up to `cutoff` metres
/// (inclusive). Starts at nodes outside the graph or with a cost that is not finite and non-negative are left
/// out.
pub fn nearest_sources(graph: &Graph, starts: &[(u32, f64, u32)], cutoff: f64) -> Reach {
    let n = graph.nodes();
    let mut distance = vec![f64::INFINITY; n];
    let mut source = vec![NO_SOURCE; n];
    let mut heap = BinaryHeap::with_capacity(starts.len());
    for &(node, cost, s) in starts {
        if (node as usize) < n && cost.is_finite() && cost >= 0.0 && cost <= cutoff {
            let u = node as usize;
            if better(cost, s, distance[u], source[u]) {
                distance[u] = cost;
                source[u] = s;
                heap.push(Entry { distance: cost, source: s, node });
            }
        }
    }
    while let Some(Entry { distance: d, source: s, node: u }) = heap.pop() {
        if d != distance[u as usize] || s != source[u as usize] {
            continue; // a stale entry
        }
        for (v, len) in graph.neighbours(u) {
            let e = d + len;
            if e <= cutoff && better(e, s, distance[v as usize], source[v as usize]) {
                distance[v as usize] = e;
                source[v as usize] = s;
                heap.push(Entry { distance: e, source: s, node: v });
            }
        }
    }
    Reach { distance, source }
}

/// Reusable state for single-source searches on one graph: distances start infinite and are put back after each
/// search (only the nodes it touched), so many bounded searches cost what they visit, not the graph's size.
pub struct Scratch {
    distance: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Entry>,
}

impl Scratch {
    /// Scratch for a graph of `nodes` nodes.
    pub fn new(nodes: usize) -> Scratch {
        Scratch { distance: vec![f64::INFINITY; nodes], touched: Vec::new(), heap: BinaryHeap::new() }
    }
}

/// Searches `graph` from one place that enters it at the `(node, starting cost)` of `starts`, up to `cutoff`
/// metres (inclusive), and calls `settled(node, distance)` once for every node reached, nearest first. Starts
/// outside the graph or with a cost that is not finite and non-negative are left out.
pub fn search(
    graph: &Graph,
    starts: &[(u32, f64)],
    cutoff: f64,
    scratch: &mut Scratch,
    mut settled: impl FnMut(u32, f64),
) {
    let n = graph.nodes().min(scratch.distance.len());
    let Scratch { distance, touched, heap } = scratch;
    heap.clear();
    for &(node, cost) in starts {
        let u = node as usize;
        if u < n && cost.is_finite() && cost >= 0.0 && cost <= cutoff && cost < distance[u] {
            if distance[u] == f64::INFINITY {
                touched.push(node);
            }
            distance[u] = cost;
            heap.push(Entry { distance: cost, source: 0, node });
        }
    }
    while let Some(Entry { distance: d, node: u, .. }) = heap.pop() {
        if d != distance[u as usize] {
            continue; // a stale entry
        }
        settled(u, d);
        for (v, len) in graph.neighbours(u) {
            let e = d + len;
            let dv = &mut distance[v as usize];
            if e <= cutoff && e < *dv {
                if *dv == f64::INFINITY {
                    touched.push(v);
                }
                *dv = e;
                heap.push(Entry { distance: e, source: 0, node: v });
            }
        }
    }
    for &u in touched.iter() {
        distance[u as usize] = f64::INFINITY;
    }
    touched.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// A random connected-ish graph: `n` nodes, `m` random edges with lengths at least the straight line.
    fn random_graph(rng: &mut rand_chacha::ChaCha8Rng, n: usize, m: usize) -> Graph {
        let coords: Vec<[f64; 2]> =
            (0..n).map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)]).collect();
        let edges: Vec<(u32, u32, f64)> = (0..m)
            .map(|_| {
                let (u, v) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
                let [a, b] = [coords[u as usize], coords[v as usize]];
                // Whole metres sometimes, so that ties happen.
                let straight = (a[0] - b[0]).hypot(a[1] - b[1]);
                let len = if rng.random_bool(0.3) { straight.ceil() } else { straight * rng.random_range(1.0..1.5) };
                (u, v, len)
            })
            .collect();
        Graph::from_edges(coords, &edges)
    }

    /// The oracle: Bellman–Ford style relaxation of every edge until nothing changes, from every start alone, then
    /// the least (distance, source) per node.
    fn brute_force(graph: &Graph, starts: &[(u32, f64, u32)], cutoff: f64) -> Reach {
        let n = graph.nodes();
        let mut best = Reach { distance: vec![f64::INFINITY; n], source: vec![NO_SOURCE; n] };
        for &(node, cost, s) in starts {
            let mut d = vec![f64::INFINITY; n];
            d[node as usize] = cost;
            crate::network::graph::relax(graph, &mut d);
            for (u, &du) in d.iter().enumerate() {
                if du.is_finite() && du <= cutoff && better(du, s, best.distance[u], best.source[u]) {
                    best.distance[u] = du;
                    best.source[u] = s;
                }
            }
        }
        best
    }

    #[test]
    fn equals_a_brute_force_oracle_on_seeded_random_graphs() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        for case in 0..200 {
            let n = rng.random_range(1..40);
            let m = rng.random_range(0..3 * n);
            let graph = random_graph(&mut rng, n, m);
            let starts: Vec<(u32, f64, u32)> = (0..rng.random_range(0..6))
                .map(|s| {
                    let cost = if rng.random_bool(0.5) { 0.0 } else { rng.random_range(0.0..50.0f64).round() };
                    (rng.random_range(0..n as u32), cost, s)
                })
                .collect();
            let cutoff = if rng.random_bool(0.5) { f64::INFINITY } else { rng.random_range(0.0..1500.0) };
            let got = nearest_sources(&graph, &starts, cutoff);
            let want = brute_force(&graph, &starts, cutoff);
            for u in 0..n {
                assert_eq!(got.source[u], want.source[u], "case {case}, node {u}: {starts:?}, cut-off {cutoff}");
                let (a, b) = (got.distance[u], want.distance[u]);
                assert!(a == b || (a - b).abs() <= 1e-9 * b.abs(), "case {case}, node {u}: {a} vs {b}");
            }
            // Along streets at least as far as in a straight line, when edges are at least their chord.
            for u in 0..n as u32 {
                let Some((s, d)) = got.get(u) else { continue };
                let (node, cost, _) = starts[s as usize];
                let [a, b] = [graph.coords[u as usize], graph.coords[node as usize]];
                assert!(d + 1e-6 >= cost + (a[0] - b[0]).hypot(a[1] - b[1]), "case {case}, node {u}");
            }
        }
    }

    #[test]
    fn a_single_source_search_settles_what_the_multi_source_one_reaches() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for case in 0..150 {
            let n = rng.random_range(1..40);
            let m = rng.random_range(0..3 * n);
            let graph = random_graph(&mut rng, n, m);
            let mut scratch = Scratch::new(n);
            // Several searches on one scratch: each must start clean.
            for _ in 0..3 {
                let starts: Vec<(u32, f64)> = (0..rng.random_range(0..3))
                    .map(|_| (rng.random_range(0..n as u32), rng.random_range(0.0..50.0)))
                    .collect();
                let cutoff = if rng.random_bool(0.5) { f64::INFINITY } else { rng.random_range(0.0..1500.0) };
                let tagged: Vec<(u32, f64, u32)> = starts.iter().map(|&(u, c)| (u, c, 0)).collect();
                let want = nearest_sources(&graph, &tagged, cutoff);
                let mut got = vec![f64::INFINITY; n];
                let mut last = 0.0;
                search(&graph, &starts, cutoff, &mut scratch, |u, d| {
                    assert!(got[u as usize].is_infinite(), "case {case}: node {u} settled twice");
                    assert!(d >= last, "case {case}: nearest first");
                    last = d;
                    got[u as usize] = d;
                });
                assert_eq!(got, want.distance, "case {case}");
            }
        }
    }

    #[test]
    fn ties_go_to_the_lower_source_and_bad_starts_are_left_out() {
        // 0 — 1 — 2, unit edges; sources at both ends: the middle is equally near both.
        let g = Graph::from_edges(vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], &[(0, 1, 1.0), (1, 2, 1.0)]);
        let r = nearest_sources(&g, &[(2, 0.0, 1), (0, 0.0, 3), (9, 0.0, 0), (1, f64::NAN, 0)], f64::INFINITY);
        assert_eq!(r.get(1), Some((1, 1.0)));
        assert_eq!(r.get(0), Some((3, 0.0)));
        let r = nearest_sources(&g, &[(0, 0.5, 0)], 1.0);
        assert_eq!((r.get(0), r.get(1), r.get(2)), (Some((0, 0.5)), None, None), "the cut-off holds");
    }
}
