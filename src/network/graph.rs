//! A walking network as a compact graph: nodes with coordinates in the analysis CRS, and edges in compressed
//! sparse row (CSR) form — for node `u`, its neighbours are `targets[offsets[u]..offsets[u + 1]]` with the edge
//! lengths beside them. Every street is walkable both ways, so each edge is stored in both directions.

/// An undirected graph in CSR form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// Each node's position, metres in the analysis CRS.
    pub coords: Vec<[f64; 2]>,
    offsets: Vec<u32>,
    targets: Vec<u32>,
    lengths: Vec<f64>,
}

/// What [`Graph::largest_component`] kept and dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// The graph of the largest connected component.
    pub graph: Graph,
    /// For every node of the original graph, its index in `graph` (`None` when dropped).
    pub node_map: Vec<Option<u32>>,
    /// How many components were dropped.
    pub components_dropped: usize,
    /// How many nodes were dropped.
    pub nodes_dropped: usize,
}

impl Graph {
    /// The graph of `coords` and the undirected `edges` (u, v, length in metres). Self-loops, edges to a node
    /// that does not exist and lengths that are not finite and non-negative are left out; of parallel edges
    /// only the shortest matters to a search, so all are kept as they come.
    pub fn from_edges(coords: Vec<[f64; 2]>, edges: &[(u32, u32, f64)]) -> Graph {
        let n = coords.len();
        let ok = |&&(u, v, len): &&(u32, u32, f64)| {
            u != v && (u as usize) < n && (v as usize) < n && len.is_finite() && len >= 0.0
        };
        let mut degree = vec![0u32; n + 1];
        for &(u, v, _) in edges.iter().filter(ok) {
            degree[u as usize + 1] += 1;
            degree[v as usize + 1] += 1;
        }
        for i in 1..=n {
            degree[i] += degree[i - 1];
        }
        let offsets = degree;
        let m = offsets[n] as usize;
        let mut next: Vec<u32> = offsets[..n].to_vec();
        let (mut targets, mut lengths) = (vec![0u32; m], vec![0.0f64; m]);
        for &(u, v, len) in edges.iter().filter(ok) {
            for (a, b) in [(u, v), (v, u)] {
                let at = next[a as usize] as usize;
                targets[at] = b;
                lengths[at] = len;
                next[a as usize] += 1;
            }
        }
        Graph { coords, offsets, targets, lengths }
    }

    /// How many nodes.
    pub fn nodes(&self) -> usize {
        self.coords.len()
    }

    /// How many directed edges (twice the streets).
    pub fn directed_edges(&self) -> usize {
        self.targets.len()
    }

    /// The neighbours of `u` with the lengths of the edges to them.
    pub fn neighbours(&self, u: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let (a, b) = (self.offsets[u as usize] as usize, self.offsets[u as usize + 1] as usize);
        self.targets[a..b].iter().copied().zip(self.lengths[a..b].iter().copied())
    }

    /// Each node's connected component, numbered from 0 in the order of the components' lowest nodes.
    pub fn components(&self) -> Vec<u32> {
        const UNSEEN: u32 = u32::MAX;
        let mut label = vec![UNSEEN; self.nodes()];
        let mut stack = Vec::new();
        let mut next = 0u32;
        for start in 0..self.nodes() {
            if label[start] != UNSEEN {
                continue;
            }
            label[start] = next;
            stack.push(start as u32);
            while let Some(u) = stack.pop() {
                for (v, _) in self.neighbours(u) {
                    if label[v as usize] == UNSEEN {
                        label[v as usize] = next;
                        stack.push(v);
                    }
                }
            }
            next += 1;
        }
        label
    }

    /// The largest connected component (the one with the lowest node among equally large ones), its nodes in
    /// their original order.
    pub fn largest_component(&self) -> Kept {
        let label = self.components();
        let count = label.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
        let mut size = vec![0usize; count];
        for &c in &label {
            size[c as usize] += 1;
        }
        let best = (0..count).max_by(|&a, &b| size[a].cmp(&size[b]).then(b.cmp(&a))).unwrap_or(0) as u32;
        let mut node_map = vec![None; self.nodes()];
        let mut coords = Vec::new();
        for (u, &c) in label.iter().enumerate() {
            if c == best {
                node_map[u] = Some(coords.len() as u32);
                coords.push(self.coords[u]);
            }
        }
        let mut edges = Vec::new();
        for u in 0..self.nodes() as u32 {
            let Some(a) = node_map[u as usize] else { continue };
            for (v, len) in self.neighbours(u) {
                // Each street once: from its lower end.
                if let Some(b) = node_map[v as usize].filter(|_| u < v) {
                    edges.push((a, b, len));
                }
            }
        }
        let kept = coords.len();
        Kept {
            graph: Graph::from_edges(coords, &edges),
            node_map,
            components_dropped: count.saturating_sub(1),
            nodes_dropped: self.nodes() - kept,
        }
    }
}

/// The oracle of the searches' tests: `distance` (a start's costs, infinite elsewhere) relaxed over every edge
/// until nothing changes (Bellman–Ford).
#[cfg(test)]
pub(crate) fn relax(graph: &Graph, distance: &mut [f64]) {
    loop {
        let mut changed = false;
        for u in 0..graph.nodes() as u32 {
            for (v, len) in graph.neighbours(u) {
                if distance[u as usize] + len < distance[v as usize] {
                    distance[v as usize] = distance[u as usize] + len;
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_go_both_ways_and_bad_ones_are_left_out() {
        let coords = vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [9.0, 9.0]];
        let g = Graph::from_edges(coords, &[(0, 1, 1.0), (1, 2, 1.5), (2, 2, 1.0), (0, 7, 1.0), (1, 3, f64::NAN)]);
        assert_eq!(g.directed_edges(), 4);
        assert_eq!(g.neighbours(1).collect::<Vec<_>>(), [(0, 1.0), (2, 1.5)]);
        assert_eq!(g.neighbours(3).count(), 0);
        assert_eq!(g.components(), [0, 0, 0, 1]);
        let kept = g.largest_component();
        assert_eq!((kept.graph.nodes(), kept.nodes_dropped, kept.components_dropped), (3, 1, 1));
        assert_eq!(kept.node_map, [Some(0), Some(1), Some(2), None]);
        assert_eq!(kept.graph.neighbours(1).collect::<Vec<_>>(), [(0, 1.0), (2, 1.5)]);
        assert_eq!(Graph::from_edges(vec![], &[]).largest_component().graph.nodes(), 0);
    }
}
