//! A gap zone's shape: the ground its uncovered children stand for ([`super::ground`]), less the coverage disc of
//! every arena of the coverage kinds, clipped to the districts. So a zone never takes in ground where a child
//! would count as covered, and never reaches into the sea or the next municipality.
//!
//! Each disc is cut as a polygon circumscribed about its circle: its edges stay [`DISC_MARGIN_M`] outside the
//! circle, so no zone keeps any ground within reach, and its corners reach at most [`DISC_BULGE_M`] beyond it, so a
//! zone loses at most a 10 cm band of unreached ground around each disc (about 200 m² at 1 km; 235 vertices where
//! an inscribed polygon would need 4,793 to keep its sliver under a square metre). An uncovered child inside that
//! band keeps a [`PATCH_M`] square of its ground, so every child still lies inside its zone. The polygon work is
//! [`crate::overlay`] (i_overlay), tile by tile ([`Cutter::shape`]).

use geo::algorithm::orient::{Direction, Orient};
use geo::{Area, Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Rect};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::index::PolygonIndex;
use crate::overlay::{overlay, union_all, Fill, Frame, Op};

/// How far beyond its circle a cut disc's corners reach at most, metres. An uncovered child in that band (between
/// the radius and the corners) keeps a [`PATCH_M`] square of its ground, so it still lies inside its zone.
pub const DISC_BULGE_M: f64 = 0.1;

/// How far outside the circle a cut disc's edges stay everywhere, metres: above the overlay's integer grid (a
/// tenth of a millimetre on a city, a millimetre on a country), so that rounding never brings an edge inside.
pub const DISC_MARGIN_M: f64 = 0.01;

/// The side of the square of ground kept around an uncovered child in the band of [`DISC_BULGE_M`], metres: at
/// most 0.0025 m² of it can lie within the radius.
pub const PATCH_M: f64 = 0.05;

/// Parts of a zone smaller than this (m²) that hold none of its children are dropped: crumbs of the overlays
/// where a cell corner meets a disc or a district edge.
pub const CRUMB_M2: f64 = 1.0;

/// The most vertices a disc gets.
pub const MAX_DISC_VERTICES: usize = 1 << 16;

/// The vertices of a polygon circumscribed about a circle of radius `r`, with its edges `margin` outside the circle
/// and its corners at most `bulge` outside: a corner lies (r + margin)/cos(π/n) from the centre, so
/// n = ⌈π / acos((r + margin)/(r + bulge))⌉ (r = 1000 m: 235 vertices for 1 cm and 10 cm). At least 8, at most
/// [`MAX_DISC_VERTICES`].
pub fn disc_vertices(r: f64, bulge: f64, margin: f64) -> usize {
    let n = (std::f64::consts::PI / ((r + margin) / (r + bulge)).acos()).ceil();
    if n.is_finite() && n > 0.0 {
        (n as usize).clamp(8, MAX_DISC_VERTICES)
    } else {
        MAX_DISC_VERTICES
    }
}

/// The distance from the centre of the corners of a disc of radius `r` cut with `n` vertices
/// ([`disc_vertices`]): the cut polygon's farthest reach.
pub fn disc_reach(r: f64, n: usize) -> f64 {
    (r + DISC_MARGIN_M) / (std::f64::consts::PI / n as f64).cos()
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
    /// How far the cut disc reaches from its centre (its corners): between `radius` and it a child is uncovered
    /// but may lie under the cut disc.
    reach: f64,
    /// The cut disc's vertices around the origin.
    unit: Vec<[f64; 2]>,
}

impl<'a> Cutter<'a> {
    /// Discs of `radius` around `arenas`; land: the districts of `land`.
    pub(super) fn new(arenas: &[[f64; 2]], land: &'a PolygonIndex, radius: f64) -> Self {
        let n = disc_vertices(radius, DISC_BULGE_M, DISC_MARGIN_M);
        let reach = disc_reach(radius, n);
        let unit = disc_polygon([0.0, 0.0], reach, n).exterior().0[..n].iter().map(|c| [c.x, c.y]).collect();
        let arenas = RTree::bulk_load(
            arenas
                .iter()
                .enumerate()
                .filter(|(_, p)| p.iter().all(|v| v.is_finite()))
                .map(|(i, &p)| GeomWithData::new(p, i))
                .collect(),
        );
        Cutter { arenas, land, reach, unit }
    }

    /// How far a cut disc reaches from its arena: an uncovered child nearer than this to an arena is a patch of
    /// [`Cutter::shape`].
    pub(super) fn reach(&self) -> f64 {
        self.reach
    }

    /// The shape of a zone whose ground is `pieces` (counter-clockwise, as [`super::ground::ground`] gives them)
    /// and whose children stand at `points`; `patches` are those of its children within [`Cutter::reach`] of an
    /// arena (beyond the radius, but perhaps under a cut disc's corner): each keeps a [`PATCH_M`] square of ground.
    ///
    /// Cut tile by tile ([`tiles`]), in parallel: in each, the ground within the tile, less the discs cut to the
    /// tile, within the land; then the tiles' pieces unioned. All in one [`Frame`], so that neighbouring tiles cut
    /// their shared edge at the same points and the union closes every seam. The tiles partition the plane, so
    /// the result is the zone's whole ground less the discs on land, as one overlay would give it, at a fraction
    /// of the memory (a city-wide zone meets every disc: 200 discs are a million vertices).
    pub(super) fn shape(
        &self,
        pieces: Vec<Polygon<f64>>,
        points: &[[f64; 2]],
        patches: &[[f64; 2]],
    ) -> MultiPolygon<f64> {
        let ground = MultiPolygon(pieces);
        let Some(area) = bounds(&ground) else { return MultiPolygon(Vec::new()) };
        let land = self.land_meeting(area);
        let r = self.reach;
        let frame_box = bounds(&land).map_or(area, |l| union_rect(area, l));
        let frame = Frame::new(
            [frame_box.min().x - r - 1.0, frame_box.min().y - r - 1.0],
            [frame_box.max().x + r + 1.0, frame_box.max().y + r + 1.0],
        );
        let piece_boxes: Vec<Option<Rect<f64>>> = ground.0.iter().map(geo::BoundingRect::bounding_rect).collect();
        let tiles = tiles(area, (TILE_RADII * r).max(MIN_TILE_M));
        let cut: Vec<MultiPolygon<f64>> = tiles
            .par_iter()
            .map(|&tile| {
                let meets = |b: &Rect<f64>| overlaps(b, &tile);
                let in_tile: Vec<Polygon<f64>> = ground
                    .0
                    .iter()
                    .zip(&piece_boxes)
                    .filter(|(_, b)| b.as_ref().is_some_and(meets))
                    .map(|(p, _)| p.clone())
                    .collect();
                if in_tile.is_empty() {
                    return MultiPolygon(Vec::new());
                }
                let op = |a: &MultiPolygon<f64>, b: &MultiPolygon<f64>, op: Op| match &frame {
                    Some(frame) => frame.overlay(a, b, op, Fill::NonZero),
                    None => overlay(a, b, op, Fill::NonZero),
                };
                // The pieces' shared edges and overlaps merge as they are cut to the tile.
                let ground = op(&MultiPolygon(in_tile), &MultiPolygon(vec![tile.to_polygon()]), Op::Intersection);
                let Some(within) = bounds(&ground) else { return ground };
                let discs = self.discs_meeting(within, tile);
                let half = PATCH_M / 2.0;
                let near: Vec<Polygon<f64>> = patches
                    .iter()
                    .map(|p| {
                        Rect::new(Coord { x: p[0] - half, y: p[1] - half }, Coord { x: p[0] + half, y: p[1] + half })
                    })
                    .filter(|b| overlaps(b, &tile))
                    .map(|b| b.to_polygon())
                    .collect();
                // Within the tile (the seams need each tile's pieces inside it), not within the ground: a child on
                // its cell's edge keeps ground on both sides of it.
                let tile_box = MultiPolygon(vec![tile.to_polygon()]);
                let kept = (!near.is_empty()).then(|| op(&MultiPolygon(near), &tile_box, Op::Intersection));
                let off_discs = if discs.0.is_empty() { ground } else { op(&ground, &discs, Op::Difference) };
                let off_discs = match kept {
                    Some(kept) => op(&off_discs, &kept, Op::Union),
                    None => off_discs,
                };
                if off_discs.0.is_empty() {
                    return off_discs;
                }
                // The overlay's output has its holes wound against their shells, as non-zero filling needs (a hole
                // wound like its shell would fill a disc back in); the land was oriented so.
                op(&off_discs, &land, Op::Intersection)
            })
            .collect();
        let zone = if cut.len() == 1 {
            cut.into_iter().next().unwrap_or_else(|| MultiPolygon(Vec::new()))
        } else {
            stitch(cut, &tiles, area, frame.as_ref())
        };
        drop_crumbs(zone, points)
    }

    /// The cut discs of the arenas whose cut disc may meet `bounds`, in arena order, each cut to `tile` (a convex
    /// polygon cut to a rectangle stays within it).
    fn discs_meeting(&self, bounds: Rect<f64>, tile: Rect<f64>) -> MultiPolygon<f64> {
        let (min, max, r) = (bounds.min(), bounds.max(), self.reach);
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
                .filter_map(|(_, c)| {
                    let ring: Vec<[f64; 2]> = self.unit.iter().map(|u| [c[0] + u[0], c[1] + u[1]]).collect();
                    let mut ring: Vec<Coord<f64>> =
                        clip_convex(ring, tile).into_iter().map(|[x, y]| Coord { x, y }).collect();
                    if ring.len() < 3 {
                        return None;
                    }
                    ring.push(ring[0]);
                    Some(Polygon::new(LineString(ring), vec![]))
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

/// A tile's side, in radii: larger tiles hold more discs whole (a disc clear of the seams is a hole the final
/// union never sees), smaller ones share the work out better.
const TILE_RADII: f64 = 8.0;

/// The smallest tile side, metres: below it a tile's overlays cost more than they save.
const MIN_TILE_M: f64 = 1000.0;

/// The most tiles a zone is cut in; a larger zone gets larger tiles.
const MAX_TILES: usize = 4096;

/// Tiles of about `side` metres covering `area` exactly (the last row and column end at its edge), row by row.
/// Neighbours share their edges exactly: each edge is computed once, from its index.
fn tiles(area: Rect<f64>, side: f64) -> Vec<Rect<f64>> {
    let (w, h) = (area.width(), area.height());
    let count = |extent: f64, side: f64| ((extent / side).ceil() as usize).max(1);
    let mut side = side;
    while count(w, side).saturating_mul(count(h, side)) > MAX_TILES {
        side *= 2.0;
    }
    let (nx, ny) = (count(w, side), count(h, side));
    let edge = |lo: f64, hi: f64, n: usize, k: usize| if k == n { hi } else { lo + side * k as f64 };
    let (min, max) = (area.min(), area.max());
    (0..ny)
        .flat_map(|j| (0..nx).map(move |i| (i, j)))
        .map(|(i, j)| {
            Rect::new(
                Coord { x: edge(min.x, max.x, nx, i), y: edge(min.y, max.y, ny, j) },
                Coord { x: edge(min.x, max.x, nx, i + 1), y: edge(min.y, max.y, ny, j + 1) },
            )
        })
        .collect()
}

/// How near a ring's bounds come to a seam between tiles for the ring to count as touching it, metres: far more
/// than the frame's grid (a tenth of a millimetre on a city), far less than anything drawn.
const SEAM_M: f64 = 0.01;

/// The tiles' pieces (`cut[k]` lies in `tiles[k]`, which cover `area`) as one multipolygon. Only what touches a
/// seam between tiles goes through the union: a piece whose shell is clear of its tile's inner edges is final as it
/// is, and so is a hole clear of them (it lies inside one tile, where no other tile's piece reaches, so it is a
/// hole of whatever its piece becomes); such holes are put back into the merged piece whose shell holds them.
fn stitch(
    cut: Vec<MultiPolygon<f64>>,
    tiles: &[Rect<f64>],
    area: Rect<f64>,
    frame: Option<&Frame>,
) -> MultiPolygon<f64> {
    let Split { mut done, seamed, kept } = split_at_seams(cut, tiles, area);
    let union = |polygons: &[Polygon<f64>]| match frame {
        Some(frame) => frame.union_all(polygons, Fill::NonZero),
        None => union_all(polygons, Fill::NonZero),
    };
    let mut merged = union(&seamed).0;
    match place_holes(&mut merged, kept) {
        Ok(()) => {}
        // Never expected: take the unplaced holes out with one more overlay, which needs no placing.
        Err(unplaced) => merged = cut_out(MultiPolygon(merged), unplaced, frame).0,
    }
    done.append(&mut merged);
    MultiPolygon(done)
}

/// The tiles' pieces sorted for [`stitch`].
struct Split {
    /// Pieces clear of every seam: final as they are.
    done: Vec<Polygon<f64>>,
    /// Pieces touching a seam, with only their holes that touch one too.
    seamed: Vec<Polygon<f64>>,
    /// The holes clear of every seam, taken from the seamed pieces.
    kept: Vec<LineString<f64>>,
}

/// Sorts the pieces of `cut` (`cut[k]` in `tiles[k]`, covering `area`) into a [`Split`].
fn split_at_seams(cut: Vec<MultiPolygon<f64>>, tiles: &[Rect<f64>], area: Rect<f64>) -> Split {
    let (mut done, mut seamed, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for (pieces, tile) in cut.into_iter().zip(tiles) {
        let touches = |ring: &LineString<f64>| {
            let Some(b) = geo::BoundingRect::bounding_rect(ring) else { return false };
            let inner = |edge: f64, outer: f64| (edge - outer).abs() > SEAM_M;
            (inner(tile.min().x, area.min().x) && b.min().x <= tile.min().x + SEAM_M)
                || (inner(tile.max().x, area.max().x) && b.max().x >= tile.max().x - SEAM_M)
                || (inner(tile.min().y, area.min().y) && b.min().y <= tile.min().y + SEAM_M)
                || (inner(tile.max().y, area.max().y) && b.max().y >= tile.max().y - SEAM_M)
        };
        for piece in pieces.0 {
            if !touches(piece.exterior()) {
                done.push(piece);
                continue;
            }
            let (exterior, holes) = piece.into_inner();
            let (near, clear): (Vec<_>, Vec<_>) = holes.into_iter().partition(|h| touches(h));
            kept.extend(clear);
            seamed.push(Polygon::new(exterior, near));
        }
    }
    Split { done, seamed, kept }
}

/// Puts each of `holes` into the polygon of `merged` whose shell holds a point inside it; the holes that find
/// none are handed back (all of them, and `merged` unchanged, if any does not).
fn place_holes(merged: &mut [Polygon<f64>], holes: Vec<LineString<f64>>) -> Result<(), Vec<LineString<f64>>> {
    let shells: Vec<(Polygon<f64>, Option<Rect<f64>>)> = merged
        .iter()
        .map(|p| (Polygon::new(p.exterior().clone(), vec![]), geo::BoundingRect::bounding_rect(p.exterior())))
        .collect();
    let mut homes = Vec::with_capacity(holes.len());
    for hole in &holes {
        let inside = geo::InteriorPoint::interior_point(&Polygon::new(hole.clone(), vec![]));
        let home = inside.and_then(|q| {
            shells.iter().position(|(shell, b)| {
                b.is_some_and(|b| b.min().x <= q.x() && q.x() <= b.max().x && b.min().y <= q.y() && q.y() <= b.max().y)
                    && shell.contains(&q)
            })
        });
        match home {
            Some(k) => homes.push(k),
            None => return Err(holes),
        }
    }
    for (hole, k) in holes.into_iter().zip(homes) {
        merged[k].interiors_push(hole);
    }
    Ok(())
}

/// `zone` less the regions `holes` enclose, in one overlay.
fn cut_out(zone: MultiPolygon<f64>, holes: Vec<LineString<f64>>, frame: Option<&Frame>) -> MultiPolygon<f64> {
    let holes = MultiPolygon(holes.into_iter().map(|h| Polygon::new(h, vec![]).orient(Direction::Default)).collect());
    match frame {
        Some(frame) => frame.overlay(&zone, &holes, Op::Difference, Fill::NonZero),
        None => overlay(&zone, &holes, Op::Difference, Fill::NonZero),
    }
}

/// Whether two rectangles share more than an edge.
fn overlaps(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x < b.max().x && b.min().x < a.max().x && a.min().y < b.max().y && b.min().y < a.max().y
}

/// The smallest rectangle holding both.
fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// A convex ring (open, counter-clockwise) cut to a rectangle, edge by edge (Sutherland–Hodgman). A crossing is
/// computed from the edge's endpoints in the ring's order, so the two tiles either side of a line cut a shared
/// edge at the same point.
fn clip_convex(mut ring: Vec<[f64; 2]>, rect: Rect<f64>) -> Vec<[f64; 2]> {
    let (min, max) = (rect.min(), rect.max());
    // (axis, bound, keep below): the four half-planes of the rectangle.
    for (axis, bound, below) in [(0, min.x, false), (0, max.x, true), (1, min.y, false), (1, max.y, true)] {
        let inside = |p: &[f64; 2]| if below { p[axis] <= bound } else { p[axis] >= bound };
        let mut out = Vec::with_capacity(ring.len() + 4);
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            let (ia, ib) = (inside(&a), inside(&b));
            if ia {
                out.push(a);
            }
            if ia != ib {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                let mut p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                p[axis] = bound;
                out.push(p);
            }
        }
        ring = out;
        if ring.is_empty() {
            break;
        }
    }
    ring
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
    fn the_cut_disc_holds_its_circle_and_reaches_at_most_its_bulge() {
        for r in [1.0, 50.0, 300.0, 1000.0, 2500.0, 10_000.0, 100_000.0] {
            let n = disc_vertices(r, DISC_BULGE_M, DISC_MARGIN_M);
            let reach = disc_reach(r, n);
            assert!(reach <= r + DISC_BULGE_M + 1e-9 * r, "r = {r}: {n} vertices reach {reach}");
            // Its edges' nearest points to the centre (the apothem) stay the margin outside the circle.
            let apothem = reach * (std::f64::consts::PI / n as f64).cos();
            assert!((apothem - (r + DISC_MARGIN_M)).abs() < 1e-9 * r.max(1.0), "r = {r}");
            // Not wastefully many: with two fewer the corners would reach past the bulge.
            if n > 10 {
                assert!(disc_reach(r, n - 2) > r + DISC_BULGE_M, "r = {r}: {n} is more than needed");
            }
            // The polygon holds the whole disc: its area is at least the circle's, and at most the bulge's ring more.
            let area = disc_polygon([3.0e5, 6.4e6], reach, n).unsigned_area();
            let circle = std::f64::consts::PI * r * r;
            assert!(area >= circle, "r = {r}");
            assert!(area - circle <= std::f64::consts::TAU * r * DISC_BULGE_M + 1.0, "r = {r}");
        }
        assert_eq!(disc_vertices(1000.0, DISC_BULGE_M, DISC_MARGIN_M), 235);
        assert_eq!(disc_vertices(f64::INFINITY, 0.1, 0.01), MAX_DISC_VERTICES);
        assert_eq!(disc_vertices(0.01, 0.1, 0.01), 8);
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    /// Stitching two tiles' pieces gives what one overlay of the whole gives: one polygon with its three holes (one
    /// clear of the seam in each tile, put back by placing; one across it, through the union), and the fallback that
    /// cuts unplaced holes out with an overlay gives the same.
    #[test]
    fn stitched_tiles_are_the_whole_and_the_fallback_agrees() {
        let area = rect(0.0, 0.0, 2000.0, 1000.0);
        let tiles = [rect(0.0, 0.0, 1000.0, 1000.0), rect(1000.0, 0.0, 2000.0, 1000.0)];
        let hole = |x: f64| rect(x, 400.0, x + 100.0, 500.0).to_polygon().exterior().clone();
        let ground = MultiPolygon(vec![Polygon::new(
            rect(100.0, 100.0, 1900.0, 900.0).to_polygon().exterior().clone(),
            vec![hole(200.0), hole(950.0), hole(1500.0)],
        )]);
        let frame = Frame::new([-10.0, -10.0], [2010.0, 1010.0]).expect("a frame");
        let cut = |t: &Rect<f64>| {
            frame.overlay(&ground, &MultiPolygon(vec![t.to_polygon()]), Op::Intersection, Fill::EvenOdd)
        };
        let pieces: Vec<MultiPolygon<f64>> = tiles.iter().map(cut).collect();
        let want = 1800.0 * 800.0 - 3.0 * 100.0 * 100.0;

        let whole = stitch(pieces.clone(), &tiles, area, Some(&frame));
        assert_eq!(whole.0.len(), 1, "{whole:?}");
        assert_eq!(whole.0[0].interiors().len(), 3);
        assert!((whole.unsigned_area() - want).abs() < 1e-3, "{}", whole.unsigned_area());

        let Split { done, seamed, kept } = split_at_seams(pieces, &tiles, area);
        assert!(done.is_empty());
        assert_eq!(kept.len(), 2, "the holes clear of the seam are set aside");
        let merged = frame.union_all(&seamed, Fill::NonZero);
        let fallback = cut_out(merged, kept, Some(&frame));
        assert!((fallback.unsigned_area() - want).abs() < 1e-3, "{}", fallback.unsigned_area());
        assert_eq!(fallback.0.len(), 1);
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
