//! Spatial indexes: R-trees over district bounding boxes (then exact point-in-polygon) and over arena points.

use geo::{Contains, Coord, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::model::{Arena, ArenaKind, District};

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

    /// An index over district areas.
    pub fn districts(districts: &[District]) -> Self {
        PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect())
    }

    /// The polygon containing `p`. A point strictly inside wins; a point on a shared boundary goes to the polygon
    /// that comes first, so the answer never depends on the order of the R-tree.
    pub fn locate(&self, p: [f64; 2]) -> Option<usize> {
        let point = Point::new(p[0], p[1]);
        let mut inside: Option<usize> = None;
        let mut on_boundary: Option<usize> = None;
        for candidate in self.tree.locate_all_at_point(&p) {
            let i = candidate.data;
            let polygon = &self.polygons[i];
            if polygon.contains(&point) {
                inside = Some(inside.map_or(i, |j| j.min(i)));
            } else if polygon.intersects(&point) {
                on_boundary = Some(on_boundary.map_or(i, |j| j.min(i)));
            }
        }
        inside.or(on_boundary)
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

/// R-trees over arena points: one for all arenas and one per kind. Ids are positions in the arena list.
#[derive(Debug)]
pub struct ArenaIndex {
    any: RTree<Indexed>,
    by_kind: [RTree<Indexed>; 4],
    positions: Vec<[f64; 2]>,
}

impl ArenaIndex {
    /// Indexes `arenas`.
    pub fn new(arenas: &[Arena]) -> Self {
        let all: Vec<Indexed> = arenas.iter().enumerate().map(|(i, a)| GeomWithData::new(a.position, i)).collect();
        let by_kind = ArenaKind::ALL
            .map(|k| RTree::bulk_load(all.iter().filter(|g| arenas[g.data].kind == k).copied().collect::<Vec<_>>()));
        ArenaIndex { any: RTree::bulk_load(all), by_kind, positions: arenas.iter().map(|a| a.position).collect() }
    }

    fn tree(&self, kind: Option<ArenaKind>) -> &RTree<Indexed> {
        match kind {
            None => &self.any,
            Some(k) => &self.by_kind[k.index()],
        }
    }

    /// The nearest arena (of `kind`, or of any kind) to `p` and its squared distance. Among arenas at exactly the
    /// same distance the answer is one of them, the same one every run (the tree is built the same way from the
    /// same input); distances, which are all that reaches the outputs, never depend on it.
    pub fn nearest(&self, p: [f64; 2], kind: Option<ArenaKind>) -> Option<(usize, f64)> {
        self.tree(kind).nearest_neighbor(&p).map(|g| {
            let q = g.geom();
            (g.data, (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2))
        })
    }

    /// Every arena (of `kind`, or of any kind) within `radius` of `p`, with its squared distance.
    pub fn within(&self, p: [f64; 2], kind: Option<ArenaKind>, radius: f64) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.tree(kind).locate_within_distance(p, radius * radius).map(move |g| {
            let q = self.positions[g.data];
            (g.data, (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2))
        })
    }
}
