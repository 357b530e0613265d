//! Origins (child points) joined to a walking network, asked for their facilities along it.
//!
//! - The nearest facility of each group (kind): one bounded multi-source search per group from the facilities'
//!   snaps, then each origin reads the two ends of its own edge — and any facility on that same edge, which it
//!   reaches directly along it.
//! - Every origin within a cut-off of one facility: one bounded search from the facility; each node it settles
//!   hands on to the origins attached to it (an origin is attached to both ends of its edge), and the origins on
//!   the facility's own edge are reached along it.
//!
//! A walk's cost is the origin's snap distance, the way along the network, and the facility's snap distance, added
//! in that order (facility side first) by both searches, so that they give the same number for the same walk.

use std::collections::HashMap;

use super::dijkstra::{nearest_sources, search, Scratch};
use super::graph::Graph;
use super::snap::{EdgeIndex, Snap};

/// An edge as snaps name it: its ends and its length's bits (parallel streets of one length are the same walk).
type EdgeKey = (u32, u32, u64);

fn key(snap: &Snap) -> EdgeKey {
    (snap.from, snap.to, snap.length.to_bits())
}

/// The cost of walking from a facility at `facility` to an origin at `origin` along their common edge.
fn along(facility: &Snap, origin: &Snap) -> f64 {
    facility.distance + (origin.t - facility.t).abs() * origin.length + origin.distance
}

/// Origins snapped to a network (which it owns: a study holds one, read once).
pub struct Walk {
    graph: Graph,
    index: EdgeIndex,
    origins: Vec<Option<Snap>>,
    /// Per node, the origins attached to it and their cost from it: `attached[starts[u]..starts[u + 1]]`.
    starts: Vec<u32>,
    attached: Vec<(u32, f64)>,
    /// The origins on each edge.
    on_edge: HashMap<EdgeKey, Vec<u32>>,
}

impl std::fmt::Debug for Walk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk").field("nodes", &self.graph.nodes()).field("origins", &self.origins.len()).finish()
    }
}

impl Walk {
    /// `origins` joined to `graph` (an origin that is not finite, or an empty network, joins nowhere).
    pub fn new(graph: Graph, origins: &[[f64; 2]]) -> Walk {
        let index = EdgeIndex::new(&graph);
        let origins: Vec<Option<Snap>> = origins.iter().map(|&p| index.snap(p)).collect();
        let n = graph.nodes();
        let mut counts = vec![0u32; n + 1];
        for s in origins.iter().flatten() {
            counts[s.from as usize + 1] += 1;
            counts[s.to as usize + 1] += 1;
        }
        for u in 1..counts.len() {
            counts[u] += counts[u - 1];
        }
        let mut next = counts.clone();
        let mut attached = vec![(0u32, 0.0); counts[n] as usize];
        let mut on_edge: HashMap<EdgeKey, Vec<u32>> = HashMap::new();
        for (o, s) in origins.iter().enumerate() {
            let Some(s) = s else { continue };
            for (node, cost) in s.entries() {
                attached[next[node as usize] as usize] = (o as u32, cost);
                next[node as usize] += 1;
            }
            on_edge.entry(key(s)).or_default().push(o as u32);
        }
        Walk { graph, index, origins, starts: counts, attached, on_edge }
    }

    /// The network.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// How many origins.
    pub fn origins(&self) -> usize {
        self.origins.len()
    }

    /// Where `point` joins the network.
    pub fn snap(&self, point: [f64; 2]) -> Option<Snap> {
        self.index.snap(point)
    }

    /// How far origin `i` is from the network (its snap distance), metres.
    pub fn snap_distance(&self, i: usize) -> Option<f64> {
        self.origins.get(i).copied().flatten().map(|s| s.distance)
    }

    /// For every origin and group, the nearest facility of that group along the network and its cost, within
    /// `cutoff` metres (inclusive): entry `i * groups + g`. Facility `f` is at `facilities[f]`, of group `group[f]`
    /// (`None`: never nearest). Ties go to the lower facility index.
    pub fn nearest(
        &self,
        facilities: &[[f64; 2]],
        group: &[Option<usize>],
        groups: usize,
        cutoff: f64,
    ) -> Vec<Option<(u32, f64)>> {
        self.nearest_of(None, facilities, group, groups, cutoff)
    }

    /// [`Walk::nearest`] for only the listed origins (`None`: all): row `k` is origin `only[k]`'s.
    pub fn nearest_of(
        &self,
        only: Option<&[u32]>,
        facilities: &[[f64; 2]],
        group: &[Option<usize>],
        groups: usize,
        cutoff: f64,
    ) -> Vec<Option<(u32, f64)>> {
        let snaps: Vec<Option<Snap>> = facilities.iter().map(|&p| self.index.snap(p)).collect();
        let rows = only.map_or(self.origins.len(), <[u32]>::len);
        let origin = |k: usize| only.map_or(k, |o| o[k] as usize);
        let mut out = vec![None; rows * groups];
        for g in 0..groups {
            let members: Vec<usize> =
                (0..facilities.len()).filter(|&f| group.get(f).copied().flatten() == Some(g)).collect();
            if members.is_empty() {
                continue;
            }
            let mut starts = Vec::with_capacity(2 * members.len());
            let mut on_edge: HashMap<EdgeKey, Vec<(u32, Snap)>> = HashMap::new();
            for &f in &members {
                let Some(snap) = snaps[f] else { continue };
                for (node, cost) in snap.entries() {
                    starts.push((node, cost, f as u32));
                }
                on_edge.entry(key(&snap)).or_default().push((f as u32, snap));
            }
            let reach = nearest_sources(&self.graph, &starts, cutoff);
            for k in 0..rows {
                let Some(o) = self.origins.get(origin(k)).copied().flatten() else { continue };
                let mut best: Option<(u32, f64)> = None;
                let mut offer = |f: u32, cost: f64| {
                    if cost <= cutoff && best.is_none_or(|(bf, bc)| cost < bc || (cost == bc && f < bf)) {
                        best = Some((f, cost));
                    }
                };
                for (node, cost) in o.entries() {
                    if let Some((f, d)) = reach.get(node) {
                        offer(f, d + cost);
                    }
                }
                for &(f, s) in on_edge.get(&key(&o)).into_iter().flatten() {
                    offer(f, along(&s, &o));
                }
                out[k * groups + g] = best;
            }
        }
        out
    }

    /// Scratch for [`Walk::reach`] (one per thread).
    pub fn scratch(&self) -> Scratch {
        Scratch::new(self.graph.nodes())
    }

    /// Every origin within `cutoff` metres (inclusive) of a facility that joins the network at `facility`, with its
    /// cost, ascending by origin.
    pub fn reach(&self, facility: &Snap, cutoff: f64, scratch: &mut Scratch) -> Vec<(u32, f64)> {
        let mut found: Vec<(u32, f64)> = Vec::new();
        if cutoff.is_nan() || cutoff < 0.0 {
            return found;
        }
        search(&self.graph, &facility.entries(), cutoff, scratch, |u, d| {
            let range = self.starts[u as usize] as usize..self.starts[u as usize + 1] as usize;
            for &(o, c) in &self.attached[range] {
                let cost = d + c;
                if cost <= cutoff {
                    found.push((o, cost));
                }
            }
        });
        for &o in self.on_edge.get(&key(facility)).into_iter().flatten() {
            if let Some(s) = &self.origins[o as usize] {
                let cost = along(facility, s);
                if cost <= cutoff {
                    found.push((o, cost));
                }
            }
        }
        // Each origin once, at its least cost.
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        found.dedup_by_key(|x| x.0);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Every pair's shortest distance, by relaxing every edge until nothing changes.
    fn all_pairs(graph: &Graph) -> Vec<Vec<f64>> {
        let n = graph.nodes();
        let mut d = vec![vec![f64::INFINITY; n]; n];
        for (s, row) in d.iter_mut().enumerate() {
            row[s] = 0.0;
            crate::network::graph::relax(graph, row);
        }
        d
    }

    /// The walk from snap `a` to snap `b`: through the ends of both edges, or along their one edge.
    fn walk(d: &[Vec<f64>], a: &Snap, b: &Snap) -> f64 {
        let mut best = f64::INFINITY;
        for (u, cu) in a.entries() {
            for (v, cv) in b.entries() {
                best = best.min(cu + d[u as usize][v as usize] + cv);
            }
        }
        if key(a) == key(b) {
            best = best.min(a.distance + (a.t - b.t).abs() * a.length + b.distance);
        }
        best
    }

    #[test]
    fn equals_a_brute_force_oracle_and_is_never_shorter_than_the_straight_line() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let (mut found, mut same_edge, mut within) = (0, 0, 0);
        for case in 0..120 {
            let n = rng.random_range(2..25);
            let coords: Vec<[f64; 2]> =
                (0..n).map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)]).collect();
            let m = rng.random_range(1..3 * n);
            let edges: Vec<(u32, u32, f64)> = (0..m)
                .map(|_| {
                    let (u, v) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
                    let [a, b] = [coords[u as usize], coords[v as usize]];
                    (u, v, (a[0] - b[0]).hypot(a[1] - b[1]) * rng.random_range(1.0..1.4))
                })
                .collect();
            let graph = Graph::from_edges(coords, &edges);
            let point =
                |rng: &mut rand_chacha::ChaCha8Rng| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)];
            let origins: Vec<[f64; 2]> = (0..15).map(|_| point(&mut rng)).collect();
            let facilities: Vec<[f64; 2]> = (0..rng.random_range(0..8)).map(|_| point(&mut rng)).collect();
            let group: Vec<Option<usize>> =
                (0..facilities.len()).map(|_| [None, Some(0), Some(1)][rng.random_range(0..3)]).collect();
            let cutoff = if rng.random_bool(0.5) { f64::INFINITY } else { rng.random_range(100.0..1500.0) };
            let walk_model = Walk::new(graph.clone(), &origins);
            let got = walk_model.nearest(&facilities, &group, 2, cutoff);
            let d = all_pairs(&graph);
            let index = EdgeIndex::new(&graph);
            // Within a cut-off of each facility: exactly the origins the oracle puts there, at its cost.
            let mut scratch = walk_model.scratch();
            for &p in &facilities {
                let Some(sf) = index.snap(p) else { continue };
                let got = walk_model.reach(&sf, cutoff, &mut scratch);
                let want: Vec<(u32, f64)> = origins
                    .iter()
                    .enumerate()
                    .filter_map(|(i, &o)| Some((i as u32, walk(&d, index.snap(o).as_ref()?, &sf))))
                    .filter(|(_, c)| c.is_finite() && *c <= cutoff)
                    .collect();
                let close = |a: f64| (a - cutoff).abs() <= 1e-9 * cutoff.max(1.0);
                let (g_ids, w_ids): (Vec<u32>, Vec<u32>) = (
                    got.iter().filter(|x| !close(x.1)).map(|x| x.0).collect(),
                    want.iter().filter(|x| !close(x.1)).map(|x| x.0).collect(),
                );
                assert_eq!(g_ids, w_ids, "case {case}: origins within {cutoff} of {p:?}");
                for (o, c) in &got {
                    let w = want.iter().find(|x| x.0 == *o).map_or(f64::NAN, |x| x.1);
                    assert!((c - w).abs() <= 1e-9 * w.max(1.0), "case {case}: origin {o}: {c} vs {w}");
                }
                within += got.len();
            }
            // Some origins only: their rows, as the whole table has them.
            let only: Vec<u32> = (0..origins.len() as u32).filter(|_| rng.random_bool(0.4)).collect();
            let some = walk_model.nearest_of(Some(&only), &facilities, &group, 2, cutoff);
            for (k, &o) in only.iter().enumerate() {
                assert_eq!(some[k * 2..k * 2 + 2], got[o as usize * 2..o as usize * 2 + 2], "case {case}");
            }
            for (i, &o) in origins.iter().enumerate() {
                let so = index.snap(o);
                for g in 0..2 {
                    let mut costs: Vec<(f64, u32)> = (0..facilities.len())
                        .filter(|&f| group[f] == Some(g))
                        .filter_map(|f| Some((walk(&d, so.as_ref()?, index.snap(facilities[f]).as_ref()?), f as u32)))
                        .filter(|(c, _)| c.is_finite() && *c <= cutoff)
                        .collect();
                    costs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    match (got[i * 2 + g], costs.first()) {
                        (None, None) => {}
                        (Some((f, c)), Some(&(want_c, want_f))) => {
                            found += 1;
                            same_edge += usize::from(so.is_some_and(|s| {
                                index.snap(facilities[f as usize]).is_some_and(|t| key(&s) == key(&t))
                            }));
                            assert!(
                                (c - want_c).abs() <= 1e-9 * want_c.max(1.0),
                                "case {case} origin {i}: {c} vs {want_c}"
                            );
                            // The facility, unless another is within rounding of it.
                            let close = costs.get(1).is_some_and(|s| s.0 - want_c <= 1e-9 * want_c.max(1.0));
                            assert!(f == want_f || close, "case {case} origin {i}: {f} vs {want_f}");
                            let [a, b] = [o, facilities[f as usize]];
                            assert!(c + 1e-9 >= (a[0] - b[0]).hypot(a[1] - b[1]), "never below the straight line");
                        }
                        (got, want) => {
                            panic!("case {case} origin {i} group {g}: {got:?} vs {want:?} (cut-off {cutoff})")
                        }
                    }
                }
            }
        }
        assert!(
            found > 500 && same_edge > 10 && within > 500,
            "facilities reached: {found}, on the origin's own edge: {same_edge}, pairs within: {within}"
        );
    }

    #[test]
    fn a_facility_on_the_origins_edge_is_reached_along_it() {
        // One long street 0 — 1; the child and the arena both on it, 100 m apart, 1 km from either end.
        let g = Graph::from_edges(vec![[0.0, 0.0], [2100.0, 0.0]], &[(0, 1, 2100.0)]);
        let walk = Walk::new(g, &[[1000.0, 5.0]]);
        assert_eq!(walk.snap_distance(0), Some(5.0));
        let got = walk.nearest(&[[1100.0, -3.0]], &[Some(0)], 1, 500.0);
        let (f, c) = got[0].unwrap();
        assert_eq!(f, 0);
        assert!((c - 108.0).abs() < 1e-9, "{c}");
        assert_eq!(walk.nearest(&[[1100.0, -3.0]], &[Some(0)], 1, 100.0)[0], None, "beyond the cut-off");
    }
}
