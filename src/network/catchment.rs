//! What an arena reaches along the streets within a distance: the pieces of street a walk from it covers, each
//! the part of an edge nearer than the distance (from either end, or along the arena's own edge).

use super::dijkstra::{search, Scratch};
use super::graph::Graph;
use super::snap::Snap;

/// A piece of street, from one point to another, in the analysis CRS.
pub type Piece = [[f64; 2]; 2];

/// The point `share` of the way from `a` to `b`.
fn lerp(a: [f64; 2], b: [f64; 2], share: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share]
}

/// Every piece of street within `radius` metres (inclusive) of a place that joins `graph` at `snap` (its snap
/// distance counted, as the cost model counts it). An edge's length along the network is shared out evenly along
/// its segment. Pieces from both ends of an edge may overlap.
pub fn reachable(graph: &Graph, snap: &Snap, radius: f64, scratch: &mut Scratch) -> Vec<Piece> {
    let mut pieces = Vec::new();
    if radius.is_nan() || radius < 0.0 {
        return pieces;
    }
    // Along its own edge, both ways from where it joins.
    let left = radius - snap.distance;
    if left >= 0.0 {
        for (end, along) in [(snap.from, snap.t * snap.length), (snap.to, (1.0 - snap.t) * snap.length)] {
            let share = if along > 0.0 { (left / along).min(1.0) } else { 1.0 };
            pieces.push([snap.at, lerp(snap.at, graph.coords[end as usize], share)]);
        }
    }
    search(graph, &snap.entries(), radius, scratch, |u, d| {
        let left = radius - d;
        let a = graph.coords[u as usize];
        for (v, len) in graph.neighbours(u) {
            let share = if len > 0.0 { (left / len).min(1.0) } else { 1.0 };
            pieces.push([a, lerp(a, graph.coords[v as usize], share)]);
        }
    });
    pieces
}

/// The distance from `p` to the segment `s`.
pub fn distance_to(p: [f64; 2], s: &Piece) -> f64 {
    let ([ax, ay], [bx, by]) = (s[0], s[1]);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p[0] - ax) * dx + (p[1] - ay) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (p[0] - ax - t * dx).hypot(p[1] - ay - t * dy)
}

/// The x-interval of the points of the horizontal line at `y` within `buffer` of the segment `piece` (a capsule, so
/// one interval), or `None`: the union of the line's intervals in the two end discs and in the swept rectangle.
fn row_interval(piece: &Piece, buffer: f64, y: f64) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for end in piece {
        let dy = y - end[1];
        let h2 = buffer * buffer - dy * dy;
        if h2 >= 0.0 {
            let h = h2.sqrt();
            lo = lo.min(end[0] - h);
            hi = hi.max(end[0] + h);
        }
    }
    let ([ax, ay], [bx, by]) = (piece[0], piece[1]);
    let len = (bx - ax).hypot(by - ay);
    if len > 0.0 {
        // The rectangle swept by the segment's normal, as its four corners in order.
        let (nx, ny) = (-(by - ay) / len * buffer, (bx - ax) / len * buffer);
        let corners = [[ax + nx, ay + ny], [bx + nx, by + ny], [bx - nx, by - ny], [ax - nx, ay - ny]];
        for k in 0..4 {
            let (p, q) = (corners[k], corners[(k + 1) % 4]);
            if (p[1] - y) * (q[1] - y) <= 0.0 {
                let x = if p[1] == q[1] { p[0].min(q[0]) } else { p[0] + (y - p[1]) / (q[1] - p[1]) * (q[0] - p[0]) };
                let x2 = if p[1] == q[1] { p[0].max(q[0]) } else { x };
                lo = lo.min(x);
                hi = hi.max(x2);
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// A run of cells in one row: `(row, first column, last column)`.
pub type Run = (i32, i32, i32);

/// The cells (of side `cell`, anchored at the CRS origin) whose centre lies within `buffer` of some piece — the
/// ground along the streets, to be drawn as one polygon — as runs along rows, sorted, disjoint and not touching.
/// Each piece costs one interval per row it spans.
pub fn cells_along(pieces: &[Piece], buffer: f64, cell: f64) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let index = |v: f64| v.clamp(i32::MIN as f64 + 1.0, i32::MAX as f64 - 1.0) as i32;
    for piece in pieces {
        let (y0, y1) = (piece[0][1].min(piece[1][1]) - buffer, piece[0][1].max(piece[1][1]) + buffer);
        if !(y0.is_finite() && y1.is_finite() && piece[0][0].is_finite() && piece[1][0].is_finite()) {
            continue;
        }
        // Rows whose centre line lies within the piece's band.
        for row in index((y0 / cell - 0.5).ceil())..=index((y1 / cell - 0.5).floor()) {
            let y = (row as f64 + 0.5) * cell;
            if let Some((lo, hi)) = row_interval(piece, buffer, y) {
                let (c0, c1) = (index((lo / cell - 0.5).ceil()), index((hi / cell - 0.5).floor()));
                if c0 <= c1 {
                    runs.push((row, c0, c1));
                }
            }
        }
    }
    merge_runs(runs)
}

/// Runs sorted by row and first column, overlapping or touching ones of a row merged.
pub fn merge_runs(mut runs: Vec<Run>) -> Vec<Run> {
    runs.sort_unstable();
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    for r in runs {
        match out.last_mut() {
            Some(last) if last.0 == r.0 && r.1 <= last.2.saturating_add(1) => last.2 = last.2.max(r.2),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::snap::EdgeIndex;
    use rand::{Rng, SeedableRng};

    #[test]
    fn the_pieces_are_exactly_the_streets_within_reach() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        let (mut inside, mut outside) = (0, 0);
        for case in 0..150 {
            let n = rng.random_range(2..25);
            let coords: Vec<[f64; 2]> =
                (0..n).map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)]).collect();
            let edges: Vec<(u32, u32, f64)> = (0..rng.random_range(1..3 * n))
                .map(|_| {
                    let (u, v) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
                    let [a, b] = [coords[u as usize], coords[v as usize]];
                    // Straight streets: a length along the network is a length along the segment.
                    (u, v, (a[0] - b[0]).hypot(a[1] - b[1]))
                })
                .collect();
            let graph = Graph::from_edges(coords, &edges);
            let index = EdgeIndex::new(&graph);
            let Some(snap) = index.snap([rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)]) else {
                continue;
            };
            let radius = rng.random_range(0.0..1200.0);
            let pieces = reachable(&graph, &snap, radius, &mut Scratch::new(graph.nodes()));
            // The oracle: every node's distance from the snap, by relaxing every edge until nothing changes.
            let mut d = vec![f64::INFINITY; graph.nodes()];
            for (node, cost) in snap.entries() {
                d[node as usize] = d[node as usize].min(cost);
            }
            crate::network::graph::relax(&graph, &mut d);
            // The walk to a point of the plane along the streets: the least over the edges it lies on (from
            // either end, or along the snap's own edge).
            let edges: Vec<(u32, u32, f64)> = (0..graph.nodes() as u32)
                .flat_map(|u| graph.neighbours(u).filter(move |&(v, _)| u < v).map(move |(v, len)| (u, v, len)))
                .collect();
            let walk = |p: [f64; 2]| -> f64 {
                let mut best = f64::INFINITY;
                for &(u, v, len) in &edges {
                    let seg = [graph.coords[u as usize], graph.coords[v as usize]];
                    if distance_to(p, &seg) > 1e-9 {
                        continue;
                    }
                    let geometric = (seg[0][0] - seg[1][0]).hypot(seg[0][1] - seg[1][1]);
                    let s = if geometric > 0.0 { (p[0] - seg[0][0]).hypot(p[1] - seg[0][1]) / geometric } else { 0.0 };
                    best = best.min((d[u as usize] + s * len).min(d[v as usize] + (1.0 - s) * len));
                    if (snap.from, snap.to) == (u, v) && snap.length == len {
                        best = best.min(snap.distance + (s - snap.t).abs() * len);
                    }
                }
                best
            };
            for &(u, v, _) in &edges {
                for k in 0..=20 {
                    let p = lerp(graph.coords[u as usize], graph.coords[v as usize], k as f64 / 20.0);
                    let cost = walk(p);
                    let covered = pieces.iter().any(|piece| distance_to(p, piece) <= 1e-7);
                    if cost <= radius - 1e-6 {
                        assert!(covered, "case {case}: {p:?} on {u}–{v}, {cost} m of {radius}, is not covered");
                        inside += 1;
                    } else if cost > radius + 1e-6 {
                        assert!(!covered, "case {case}: {p:?} on {u}–{v}, {cost} m of {radius}, is covered");
                        outside += 1;
                    }
                }
            }
        }
        assert!(inside > 2000 && outside > 2000, "inside {inside}, outside {outside}");
    }

    #[test]
    fn cells_along_streets_are_those_within_the_buffer() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        for case in 0..200 {
            let mut point = || [rng.random_range(-60.0..60.0), rng.random_range(-60.0..60.0)];
            let mut pieces: Vec<Piece> = (0..3).map(|_| [point(), point()]).collect();
            if case % 5 == 0 {
                pieces[0][1] = pieces[0][0]; // a piece of no length: a disc
            }
            if case % 7 == 0 {
                pieces[1][1][1] = pieces[1][0][1]; // a level piece
            }
            let (buffer, cell) = (rng.random_range(0.5..20.0), rng.random_range(0.7..6.0));
            let runs = cells_along(&pieces, buffer, cell);
            let inside = |i: i32, j: i32| runs.iter().any(|&(r, c0, c1)| r == j && c0 <= i && i <= c1);
            let limit = (90.0 / cell) as i32;
            for j in -limit..=limit {
                for i in -limit..=limit {
                    let centre = [(i as f64 + 0.5) * cell, (j as f64 + 0.5) * cell];
                    let d = pieces.iter().map(|p| distance_to(centre, p)).fold(f64::INFINITY, f64::min);
                    if (d - buffer).abs() > 1e-9 {
                        assert_eq!(inside(i, j), d < buffer, "case {case}: cell {i} {j}, {d} m of {buffer}");
                    }
                }
            }
            assert!(runs.windows(2).all(|w| w[0].0 < w[1].0 || w[0].2 + 1 < w[1].1), "sorted, disjoint, apart");
        }
    }
}
