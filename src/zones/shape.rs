//! A gap zone's shape: the ground its uncovered children stand for ([`super::ground`]), less the coverage disc of
//! every arena of the coverage kinds, clipped to the districts. So a zone never takes in ground where a child
//! would count as covered, and never reaches into the sea or the next municipality.
//!
//! Each disc is cut as a polygon inscribed in its circle (vertices on it): a child beyond the radius is then always
//! outside what is cut, so every uncovered child keeps its ground; enough vertices keep the sliver of the disc left
//! in the zone at most [`DISC_SLIVER_M2`]. The polygon work is geo's `BooleanOps` (i_overlay), two overlays a zone:
//! ground less discs, then that within the land.

use geo::algorithm::bool_ops::FillRule;
use geo::algorithm::orient::{Direction, Orient};
use geo::{Area, BooleanOps, Coord, Intersects, LineString, MultiPolygon, OpType, Point, Polygon, Rect};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::index::PolygonIndex;

/// The most of one coverage disc a zone may keep, m²: the area between the circle and the polygon cut for it.
/// Set below 1 m² to leave room for the overlay's rounding to its integer grid (well under a millimetre).
pub const DISC_SLIVER_M2: f64 = 0.9;

/// Parts of a zone smaller than this (m²) that hold none of its children are dropped: crumbs of the overlays
/// where a cell corner meets a disc or a district edge.
pub const CRUMB_M2: f64 = 1.0;

/// The most vertices a disc gets. From a radius of about 15 km on, its sliver grows past [`DISC_SLIVER_M2`]
/// (at 50 km about 10 m²), which at that scale is still far below anything a map shows.
pub const MAX_DISC_VERTICES: usize = 1 << 16;

/// The vertices of a polygon inscribed in a circle of radius `r` that leaves at most `sliver` (m²) of the disc
/// outside it. One chord of angle θ = 2π/n leaves r²(θ − sin θ)/2 ≤ r²θ³/12, so n chords at most 2π³r²/(3n²):
/// n = ⌈π·r·√(2π/(3·sliver))⌉ (r = 1000 m: 4,793 vertices for 0.9 m²). At least 8, at most
/// [`MAX_DISC_VERTICES`].
pub fn disc_vertices(r: f64, sliver: f64) -> usize {
    let n = (std::f64::consts::PI * r * (std::f64::consts::TAU / (3.0 * sliver)).sqrt()).ceil();
    if n.is_finite() {
        (n as usize).clamp(8, MAX_DISC_VERTICES)
    } else {
        MAX_DISC_VERTICES
    }
}

/// The polygon inscribed in the circle of `radius` around `centre` with `n` vertices, counter-clockwise.
pub fn disc_polygon(centre: [f64; 2], radius: f64, n: usize) -> Polygon<f64> {
    let ring: Vec<Coord<f64>> = (0..=n)
        .map(|k| {
            let angle = std::f64::consts::TAU * (k % n) as f64 / n as f64;
            Coord { x: centre[0] + radius * angle.cos(), y: centre[1] + radius * angle.sin() }
        })
        .collect();
    Polygon::new(LineString(ring), vec![])
}

/// Cuts zones to shape: the arenas whose discs are taken out and the land zones are kept on.
pub(super) struct Cutter<'a> {
    arenas: RTree<GeomWithData<[f64; 2], usize>>,
    land: &'a PolygonIndex,
    radius: f64,
    /// The disc's vertices around the origin.
    unit: Vec<[f64; 2]>,
}

impl<'a> Cutter<'a> {
    /// Discs of `radius` around `arenas`; land: the districts of `land`.
    pub(super) fn new(arenas: &[[f64; 2]], land: &'a PolygonIndex, radius: f64) -> Self {
        let n = disc_vertices(radius, DISC_SLIVER_M2);
        let unit = disc_polygon([0.0, 0.0], radius, n).exterior().0[..n].iter().map(|c| [c.x, c.y]).collect();
        let arenas = RTree::bulk_load(
            arenas
                .iter()
                .enumerate()
                .filter(|(_, p)| p.iter().all(|v| v.is_finite()))
                .map(|(i, &p)| GeomWithData::new(p, i))
                .collect(),
        );
        Cutter { arenas, land, radius, unit }
    }

    /// The shape of a zone whose ground is `pieces` (counter-clockwise, as [`super::ground::ground`] gives them)
    /// and whose children stand at `points`.
    pub(super) fn shape(&self, pieces: Vec<Polygon<f64>>, points: &[[f64; 2]]) -> MultiPolygon<f64> {
        let ground = MultiPolygon(pieces);
        let Some(area) = bounds(&ground) else { return MultiPolygon(Vec::new()) };
        let discs = self.discs_meeting(area);
        // The pieces' shared edges and overlaps merge, and the discs' overlaps.
        let ground = geo::unary_union(ground.0.iter());
        let off_discs = if discs.0.is_empty() { ground } else { ground.difference(&geo::unary_union(discs.0.iter())) };
        let Some(area) = bounds(&off_discs) else { return MultiPolygon(Vec::new()) };
        let land = self.land_meeting(area);
        // Non-zero needs holes wound against their shells: the overlay's output is not wound so, and a hole of the
        // same winding as its shell would fill the disc back in.
        let zone = off_discs.orient(Direction::Default).boolean_op_with_fill_rule(
            &land,
            OpType::Intersection,
            FillRule::NonZero,
        );
        drop_crumbs(zone, points)
    }

    /// The discs of the arenas whose disc meets `bounds`, in arena order.
    fn discs_meeting(&self, bounds: Rect<f64>) -> MultiPolygon<f64> {
        let (min, max, r) = (bounds.min(), bounds.max(), self.radius);
        let envelope = AABB::from_corners([min.x - r, min.y - r], [max.x + r, max.y + r]);
        let mut near: Vec<(usize, [f64; 2])> = self
            .arenas
            .locate_in_envelope(&envelope)
            .filter(|a| {
                let p = a.geom();
                let dx = (min.x - p[0]).max(p[0] - max.x).max(0.0);
                let dy = (min.y - p[1]).max(p[1] - max.y).max(0.0);
                dx * dx + dy * dy <= r * r
            })
            .map(|a| (a.data, *a.geom()))
            .collect();
        near.sort_unstable_by_key(|a| a.0);
        MultiPolygon(
            near.into_iter()
                .map(|(_, c)| {
                    let mut ring: Vec<Coord<f64>> =
                        self.unit.iter().map(|u| Coord { x: c[0] + u[0], y: c[1] + u[1] }).collect();
                    ring.push(ring[0]);
                    Polygon::new(LineString(ring), vec![])
                })
                .collect(),
        )
    }

    /// The districts whose bounding box meets `bounds`, in district order, oriented so that non-zero filling
    /// unions them whatever winding their file gave.
    fn land_meeting(&self, bounds: Rect<f64>) -> MultiPolygon<f64> {
        let mut ids: Vec<usize> = self.land.candidates(bounds.min(), bounds.max()).collect();
        ids.sort_unstable();
        let polygons = self.land.polygons();
        MultiPolygon(ids.into_iter().flat_map(|i| polygons[i].orient(Direction::Default).0).collect())
    }
}

/// The bounding box of a multipolygon's exteriors, `None` when it has no vertex.
fn bounds(mp: &MultiPolygon<f64>) -> Option<Rect<f64>> {
    geo::BoundingRect::bounding_rect(mp)
}

/// `zone` without its parts smaller than [`CRUMB_M2`] that hold none of `points`.
fn drop_crumbs(zone: MultiPolygon<f64>, points: &[[f64; 2]]) -> MultiPolygon<f64> {
    let polygons = zone
        .0
        .into_iter()
        .filter(|p| p.exterior().0.len() >= 4)
        .filter(|p| {
            p.unsigned_area() >= CRUMB_M2 || {
                let Some(b) = geo::BoundingRect::bounding_rect(p) else { return false };
                points.iter().any(|q| {
                    let inside_box = (b.min().x..=b.max().x).contains(&q[0]) && (b.min().y..=b.max().y).contains(&q[1]);
                    inside_box && p.intersects(&Point::new(q[0], q[1]))
                })
            }
        })
        .collect();
    MultiPolygon(polygons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disc_polygon_leaves_at_most_its_sliver() {
        for r in [1.0, 50.0, 300.0, 1000.0, 2500.0, 10_000.0] {
            let n = disc_vertices(r, DISC_SLIVER_M2);
            let lost = std::f64::consts::PI * r * r - disc_polygon([3.0e5, 6.4e6], r, n).unsigned_area();
            assert!(lost <= DISC_SLIVER_M2 + 1e-6 * r * r * 1e-6, "r = {r}: {n} vertices lose {lost} m²");
            // Not wastefully many: half as many would lose more than the sliver.
            if n > 16 {
                let half = std::f64::consts::PI * r * r - disc_polygon([0.0, 0.0], r, n / 2).unsigned_area();
                assert!(half > DISC_SLIVER_M2, "r = {r}");
            }
        }
        assert_eq!(disc_vertices(1000.0, DISC_SLIVER_M2), 4793);
        assert_eq!(disc_vertices(f64::INFINITY, 1.0), MAX_DISC_VERTICES);
        assert_eq!(disc_vertices(0.01, 1.0), 8);
    }

    #[test]
    fn every_vertex_is_on_the_circle_and_the_ring_is_closed() {
        let (c, r) = ([319_602.74, 6_385_488.4], 1000.0);
        let disc = disc_polygon(c, r, 4792);
        let ring = &disc.exterior().0;
        assert_eq!(ring.first(), ring.last());
        for v in ring {
            let d = ((v.x - c[0]).powi(2) + (v.y - c[1]).powi(2)).sqrt();
            assert!((d - r).abs() < 1e-6, "{d}");
        }
    }
}
