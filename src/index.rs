//! Spatial indexes: R-trees over district bounding boxes (then exact point-in-polygon) and over arena points, and
//! a uniform grid over many points. Plain positions and ids: nothing here knows what a district or an arena is.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Finds which polygon a point lies in: R-tree over bounding boxes, then exact tests.
#[derive(Debug)]
pub struct PolygonIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    polygons: Vec<MultiPolygon<f64>>,
}

impl PolygonIndex {
    /// An index over `polygons` (their order gives the ids returned).
    pub fn new(polygons: Vec<MultiPolygon<f64>>) -> Self {
        let boxes = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = geo::BoundingRect::bounding_rect(p)?;
                Some(GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i))
            })
            .collect();
        PolygonIndex { tree: RTree::bulk_load(boxes), polygons }
    }

    /// The polygon containing `p`. A point strictly inside wins; a point on a shared boundary goes to the polygon
    /// that comes first, so the answer never depends on the order of the R-tree.
    pub fn locate(&self, p: [f64; 2]) -> Option<usize> {
        let mut candidates: Vec<u32> = self.tree.locate_all_at_point(&p).map(|g| g.data as u32).collect();
        candidates.sort_unstable();
        self.first_holding(&candidates, p).map(|i| i as usize)
    }

    /// Among `candidates` (ascending), the first whose interior holds `p`, else the first whose boundary does.
    /// One position test per candidate (inside, on the boundary or outside), which for districts of thousands of
    /// vertices is the whole cost of a lookup.
    fn first_holding(&self, candidates: &[u32], p: [f64; 2]) -> Option<u32> {
        let coord = Coord { x: p[0], y: p[1] };
        let mut on_boundary = None;
        for &i in candidates {
            match self.polygons[i as usize].coordinate_position(&coord) {
                CoordPos::Inside => return Some(i),
                CoordPos::OnBoundary if on_boundary.is_none() => on_boundary = Some(i),
                _ => {}
            }
        }
        on_boundary
    }

    /// [`PolygonIndex::locate`] for many points at once, in parallel. The points' extent is cut into a grid; each
    /// cell keeps the polygons whose box meets it, and a cell lying wholly inside the first of them (not touching
    /// its boundary) answers every point in it without a test. Same answers as `locate`, point by point.
    pub fn locate_all(&self, points: &[[f64; 2]]) -> Vec<Option<u32>> {
        use geo::ContainsProperly;
        use rayon::prelude::*;
        let Some(grid) = PointGrid::for_nearest(points) else { return Vec::new() };
        let half = grid.cell_size() / 2.0;
        let cells: Vec<(Vec<u32>, bool)> = (0..grid.cells())
            .into_par_iter()
            .map(|cell| {
                let [cx, cy] = grid.centre(cell);
                let (min, max) = (Coord { x: cx - half, y: cy - half }, Coord { x: cx + half, y: cy + half });
                let mut candidates: Vec<u32> = self.candidates(min, max).map(|i| i as u32).collect();
                candidates.sort_unstable();
                let whole = candidates
                    .first()
                    .is_some_and(|&i| self.polygons[i as usize].contains_properly(&geo::Rect::new(min, max)));
                (candidates, whole)
            })
            .collect();
        points
            .par_iter()
            .with_min_len(4096)
            .map(|&p| {
                let (candidates, whole) = &cells[grid.cell_of(p)];
                if *whole {
                    return candidates.first().copied();
                }
                self.first_holding(candidates, p)
            })
            .collect()
    }

    /// The polygons.
    pub fn polygons(&self) -> &[MultiPolygon<f64>] {
        &self.polygons
    }

    /// Indexes of polygons whose bounding box meets the given box.
    pub fn candidates(&self, min: Coord<f64>, max: Coord<f64>) -> impl Iterator<Item = usize> + '_ {
        self.tree.locate_in_envelope_intersecting(&AABB::from_corners([min.x, min.y], [max.x, max.y])).map(|g| g.data)
    }
}

type Indexed = GeomWithData<[f64; 2], usize>;

/// R-trees over sites (arena points): one per group (a kind), ids being positions in the site list. Sites whose
/// group is `None` are left out.
#[derive(Debug)]
pub struct SiteIndex {
    by_group: Vec<RTree<Indexed>>,
    positions: Vec<[f64; 2]>,
}

impl SiteIndex {
    /// Indexes `positions`, site `i` in group `group[i]` (of `groups`).
    pub fn new(positions: &[[f64; 2]], group: &[Option<usize>], groups: usize) -> Self {
        let mut lists: Vec<Vec<Indexed>> = vec![Vec::new(); groups];
        for (i, (&p, g)) in positions.iter().zip(group).enumerate() {
            if let Some(g) = g.filter(|&g| g < groups) {
                lists[g].push(GeomWithData::new(p, i));
            }
        }
        SiteIndex { by_group: lists.into_iter().map(RTree::bulk_load).collect(), positions: positions.to_vec() }
    }

    /// How many groups.
    pub fn groups(&self) -> usize {
        self.by_group.len()
    }

    /// A nearest site of group `g` to `p` and its squared distance (which of several equally near ones is not
    /// specified: callers that need a tie rule look at every site [`SiteIndex::within`] that distance).
    pub fn nearest(&self, p: [f64; 2], g: usize) -> Option<(usize, f64)> {
        self.by_group[g].nearest_neighbor(&p).map(|s| {
            let q = s.geom();
            (s.data, (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2))
        })
    }

    /// Every site of group `g` within `radius` of `p`, with its squared distance.
    pub fn within(&self, p: [f64; 2], g: usize, radius: f64) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.by_group[g].locate_within_distance(p, radius * radius).map(move |s| {
            let q = self.positions[s.data];
            (s.data, (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2))
        })
    }
}

/// A uniform grid over a set of points: cells numbered row by row, and (optionally) the points of each cell in
/// input order, so that walking it visits points in an order that never depends on threads.
#[derive(Clone, Debug)]
pub struct PointGrid {
    origin: [f64; 2],
    size: f64,
    cols: usize,
    rows: usize,
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl PointGrid {
    /// A grid over the extent of `points` with about one cell per 64 points (at most 65,536 cells, at least
    /// 50 m wide); `None` for no points.
    pub fn for_nearest(points: &[[f64; 2]]) -> Option<PointGrid> {
        let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in points {
            for k in 0..2 {
                min[k] = min[k].min(p[k]);
                max[k] = max[k].max(p[k]);
            }
        }
        if points.is_empty() {
            return None;
        }
        let (w, h) = ((max[0] - min[0]).max(1.0), (max[1] - min[1]).max(1.0));
        let cells = (points.len() / 64).clamp(1, 65_536) as f64;
        let size = ((w * h) / cells).sqrt().max(50.0);
        let cols = ((w / size).floor() as usize + 1).max(1);
        let rows = ((h / size).floor() as usize + 1).max(1);
        Some(PointGrid { origin: min, size, cols, rows, starts: Vec::new(), items: Vec::new() })
    }

    /// The same grid holding the indexes of `points` per cell (a counting sort: input order within a cell).
    pub fn with_items(mut self, points: &[[f64; 2]]) -> PointGrid {
        let mut counts = vec![0u32; self.cells() + 1];
        let cells: Vec<usize> = points.iter().map(|&p| self.cell_of(p)).collect();
        for &c in &cells {
            counts[c + 1] += 1;
        }
        for c in 1..counts.len() {
            counts[c] += counts[c - 1];
        }
        let mut next = counts.clone();
        let mut items = vec![0u32; points.len()];
        for (i, &c) in cells.iter().enumerate() {
            items[next[c] as usize] = i as u32;
            next[c] += 1;
        }
        self.starts = counts;
        self.items = items;
        self
    }

    /// How many cells.
    pub fn cells(&self) -> usize {
        self.cols * self.rows
    }

    /// The width of a cell.
    pub fn cell_size(&self) -> f64 {
        self.size
    }

    /// The centre of a cell.
    pub fn centre(&self, cell: usize) -> [f64; 2] {
        let (c, r) = (cell % self.cols, cell / self.cols);
        [self.origin[0] + (c as f64 + 0.5) * self.size, self.origin[1] + (r as f64 + 0.5) * self.size]
    }

    fn col_row(&self, p: [f64; 2]) -> (usize, usize) {
        let c = ((p[0] - self.origin[0]) / self.size).floor().clamp(0.0, (self.cols - 1) as f64) as usize;
        let r = ((p[1] - self.origin[1]) / self.size).floor().clamp(0.0, (self.rows - 1) as f64) as usize;
        (c, r)
    }

    /// The cell a point falls in (points outside the extent go to the nearest edge cell).
    pub fn cell_of(&self, p: [f64; 2]) -> usize {
        let (c, r) = self.col_row(p);
        r * self.cols + c
    }

    /// The cells that overlap a box, row by row.
    pub fn cells_overlapping(&self, min: [f64; 2], max: [f64; 2]) -> impl Iterator<Item = usize> + '_ {
        let (c0, r0) = self.col_row(min);
        let (c1, r1) = self.col_row(max);
        (r0..=r1).flat_map(move |r| (c0..=c1).map(move |c| r * self.cols + c))
    }

    /// The points of a cell (after [`PointGrid::with_items`]).
    pub fn items(&self, cell: usize) -> &[u32] {
        &self.items[self.starts[cell] as usize..self.starts[cell + 1] as usize]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use geo::{Contains, Intersects, LineString, MultiPolygon, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::District;

    /// Random star-shaped (often concave) polygons with a hole in some, scattered over the extent; they may
    /// overlap, which the lowest-index rule must resolve.
    pub(crate) fn random_districts(rng: &mut ChaCha8Rng, n: usize, extent: f64) -> Vec<District> {
        (0..n)
            .map(|i| {
                let (cx, cy) = (rng.random_range(0.0..extent), rng.random_range(0.0..extent));
                let r = rng.random_range(extent / 20.0..extent / 5.0);
                let k = rng.random_range(3..12);
                let ring: Vec<(f64, f64)> = (0..k)
                    .map(|j| {
                        let a = std::f64::consts::TAU * j as f64 / k as f64;
                        let rr = r * rng.random_range(0.3..1.0);
                        (cx + rr * a.cos(), cy + rr * a.sin())
                    })
                    .collect();
                let holes = if rng.random_bool(0.3) {
                    let h = r * 0.15;
                    vec![LineString::from(vec![(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h), (cx - h, cy + h)])]
                } else {
                    vec![]
                };
                District {
                    id: format!("d{i}"),
                    name: format!("District {i}"),
                    geometry: MultiPolygon(vec![Polygon::new(LineString::from(ring), holes)]),
                }
            })
            .collect()
    }

    pub(crate) fn brute_district(districts: &[District], p: [f64; 2]) -> Option<usize> {
        let point = Point::new(p[0], p[1]);
        districts
            .iter()
            .position(|d| d.geometry.contains(&point))
            .or_else(|| districts.iter().position(|d| d.geometry.intersects(&point)))
    }

    #[test]
    fn point_in_district_matches_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..10 {
            let n = rng.random_range(1..40);
            let districts = random_districts(&mut rng, n, 10_000.0);
            let index = PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect());
            let points: Vec<[f64; 2]> =
                (0..5000).map(|_| [rng.random_range(0.0..10_000.0), rng.random_range(0.0..10_000.0)]).collect();
            let all = index.locate_all(&points);
            for (p, got) in points.iter().zip(all) {
                let want = brute_district(&districts, *p);
                assert_eq!(index.locate(*p), want, "{p:?}");
                assert_eq!(got.map(|d| d as usize), want, "{p:?}");
            }
            // Vertices lie on boundaries: the rule must still agree.
            for d in &districts {
                for c in d.geometry.0[0].exterior().coords().take(3) {
                    assert_eq!(index.locate([c.x, c.y]), brute_district(&districts, [c.x, c.y]));
                }
            }
        }
    }

    #[test]
    fn locating_many_points_in_tiled_squares_matches_brute_force() {
        // Square districts sharing edges, as in the synthetic benchmark: most grid cells lie wholly inside one
        // district (the fast path), and many points fall on shared edges and corners (the tie rule).
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let districts: Vec<District> = (0..16)
            .map(|i| {
                let (x, y) = ((i % 4) as f64 * 1000.0, (i / 4) as f64 * 1000.0);
                let ring =
                    LineString::from(vec![(x, y), (x + 1000.0, y), (x + 1000.0, y + 1000.0), (x, y + 1000.0), (x, y)]);
                District {
                    id: format!("d{i}"),
                    name: String::new(),
                    geometry: MultiPolygon(vec![Polygon::new(ring, vec![])]),
                }
            })
            .collect();
        let index = PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect());
        let points: Vec<[f64; 2]> = (0..20_000)
            .map(|k| {
                if k % 10 == 0 {
                    [(rng.random_range(0..5) * 1000) as f64, rng.random_range(-100.0..4100.0)]
                } else {
                    [rng.random_range(-100.0..4100.0), rng.random_range(-100.0..4100.0)]
                }
            })
            .collect();
        for (p, got) in points.iter().zip(index.locate_all(&points)) {
            assert_eq!(got.map(|d| d as usize), brute_district(&districts, *p), "{p:?}");
        }
    }
}
