//! Polygon overlays (union, intersection, difference) for every polygon the tool computes: i_overlay 9, called
//! directly with OGC-valid output (outer rings counter-clockwise, holes clockwise, holes never touching their
//! shell along an edge).
//!
//! Not geo's `BooleanOps`: geo 0.33 runs i_overlay 4.5, whose OGC extraction can loop forever on valid input
//! (found on the 10,000-point synthetic city of `../shared/bench/make_synthetic.py`: one gap zone's ground cut to
//! its districts never returned; i_overlay 9 returns it in 7 ms). `tests/synthetic.rs` runs that city.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;
use i_overlay::i_float::float::rect::FloatRect;

/// How overlapping or nested rings of one operand fill the plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// Inside where the rings wind around a point a non-zero number of times: rings wound the same way union,
    /// a ring wound against its shell is a hole (what [`geo::orient`] gives).
    NonZero,
    /// Inside where a point is inside an odd number of rings, whatever their winding.
    EvenOdd,
}

/// The operation of [`overlay`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// In either.
    Union,
    /// In both.
    Intersection,
    /// In the subject and not in the clip.
    Difference,
}

/// `subject` `op` `clip`, each filled by `fill`.
pub fn overlay(subject: &MultiPolygon<f64>, clip: &MultiPolygon<f64>, op: Op, fill: Fill) -> MultiPolygon<f64> {
    run(None, paths(subject.0.iter()), paths(clip.0.iter()), op, fill)
}

/// One integer grid for several overlays of one region: i_overlay snaps every vertex to a grid fitted to its
/// input's extent, so two overlays of neighbouring pieces cut a shared line at points that differ by a fraction
/// of that grid. In one frame they cut it at the same points, and the union of their results is exact.
#[derive(Clone)]
pub struct Frame {
    adapter: FloatPointAdapter<[f64; 2], i32>,
    min: [f64; 2],
    max: [f64; 2],
}

impl Frame {
    /// A frame over the rectangle `min`–`max`; `None` when it is not a finite rectangle.
    pub fn new(min: [f64; 2], max: [f64; 2]) -> Option<Self> {
        if !(min[0] < max[0] && min[1] < max[1]) {
            return None;
        }
        let rect = FloatRect::new(min[0], max[0], min[1], max[1]).ok()?;
        rect.validate().ok()?;
        Some(Frame { adapter: FloatPointAdapter::new(rect), min, max })
    }

    /// As [`overlay`], on this frame's grid; an operand reaching outside the frame is overlaid on its own grid.
    pub fn overlay(
        &self,
        subject: &MultiPolygon<f64>,
        clip: &MultiPolygon<f64>,
        op: Op,
        fill: Fill,
    ) -> MultiPolygon<f64> {
        self.run(paths(subject.0.iter()), paths(clip.0.iter()), op, fill)
    }

    /// As [`union_all`], on this frame's grid.
    pub fn union_all<'a>(&self, polygons: impl IntoIterator<Item = &'a Polygon<f64>>, fill: Fill) -> MultiPolygon<f64> {
        self.run(paths(polygons), Vec::new(), Op::Union, fill)
    }

    /// [`run`] on this frame's grid when every vertex lies in it, else on a grid fitted to the paths.
    fn run(&self, subject: Vec<Vec<[f64; 2]>>, clip: Vec<Vec<[f64; 2]>>, op: Op, fill: Fill) -> MultiPolygon<f64> {
        let inside =
            |p: &[f64; 2]| (self.min[0]..=self.max[0]).contains(&p[0]) && (self.min[1]..=self.max[1]).contains(&p[1]);
        let fits = subject.iter().chain(&clip).flatten().all(inside);
        run(fits.then_some(self), subject, clip, op, fill)
    }
}

/// The overlay of two sets of paths, on `frame`'s grid or on one fitted to them.
fn run(
    frame: Option<&Frame>,
    subject: Vec<Vec<[f64; 2]>>,
    clip: Vec<Vec<[f64; 2]>>,
    op: Op,
    fill: Fill,
) -> MultiPolygon<f64> {
    let rule = match op {
        Op::Union => OverlayRule::Union,
        Op::Intersection => OverlayRule::Intersect,
        Op::Difference => OverlayRule::Difference,
    };
    if subject.is_empty() && (op != Op::Union || clip.is_empty()) {
        return MultiPolygon(Vec::new());
    }
    let mut overlay = match frame {
        Some(frame) => {
            let segments = subject.iter().chain(&clip).map(Vec::len).sum();
            FloatOverlay::new_custom(frame.adapter.clone(), OverlayOptions::ogc(), Default::default(), segments)
                .unsafe_add_source(&subject, ShapeType::Subject)
                .unsafe_add_source(&clip, ShapeType::Clip)
        }
        None => FloatOverlay::with_subj_and_clip_custom(&subject, &clip, OverlayOptions::ogc(), Default::default()),
    };
    multi_polygon(overlay.overlay(rule, fill_rule(fill)))
}

/// The union of `polygons`, filled by `fill` (so with [`Fill::NonZero`] overlapping pieces wound alike merge).
pub fn union_all<'a>(polygons: impl IntoIterator<Item = &'a Polygon<f64>>, fill: Fill) -> MultiPolygon<f64> {
    run(None, paths(polygons), Vec::new(), Op::Union, fill)
}

fn fill_rule(fill: Fill) -> FillRule {
    match fill {
        Fill::NonZero => FillRule::NonZero,
        Fill::EvenOdd => FillRule::EvenOdd,
    }
}

/// Every ring of `polygons` as an open path (i_overlay closes paths implicitly); rings of fewer than three
/// vertices (after the closing one is dropped) and rings with a non-finite coordinate left out.
fn paths<'a>(polygons: impl IntoIterator<Item = &'a Polygon<f64>>) -> Vec<Vec<[f64; 2]>> {
    polygons
        .into_iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .filter_map(|ring| {
            let mut path: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
            if path.len() > 1 && path.first() == path.last() {
                path.pop();
            }
            (path.len() >= 3 && path.iter().flatten().all(|v| v.is_finite())).then_some(path)
        })
        .collect()
}

/// i_overlay's shapes (outer contour first, then holes; open) as closed geo polygons.
fn multi_polygon(shapes: Vec<Vec<Vec<[f64; 2]>>>) -> MultiPolygon<f64> {
    let ring = |path: Vec<[f64; 2]>| {
        let mut ring = LineString(path.into_iter().map(|[x, y]| Coord { x, y }).collect());
        ring.close();
        ring
    };
    MultiPolygon(
        shapes
            .into_iter()
            .filter_map(|shape| {
                let mut rings = shape.into_iter().map(ring);
                let exterior = rings.next()?;
                Some(Polygon::new(exterior, rings.collect()))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::algorithm::winding_order::Winding;
    use geo::{Area, BooleanOps};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn square(x0: f64, y0: f64, side: f64) -> Polygon<f64> {
        let ring = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side), (x0, y0)];
        Polygon::new(LineString(ring.iter().map(|&(x, y)| Coord { x, y }).collect()), vec![])
    }

    /// A random star-shaped polygon around `(cx, cy)`.
    fn star(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64) -> Polygon<f64> {
        let n = rng.random_range(3..40);
        let ring: Vec<Coord<f64>> = (0..=n)
            .map(|k| {
                let a = std::f64::consts::TAU * (k % n) as f64 / n as f64;
                let d = r * rng.random_range(0.3..1.0);
                Coord { x: cx + d * a.cos(), y: cy + d * a.sin() }
            })
            .collect();
        let mut ring = ring;
        let last = ring.len() - 1;
        ring[last] = ring[0];
        Polygon::new(LineString(ring), vec![])
    }

    /// The oracle: geo's own overlays (i_overlay 4) on inputs small enough for it, areas to within its snapping.
    #[test]
    fn overlays_agree_with_geo_on_random_polygons() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..200 {
            let a = MultiPolygon((0..rng.random_range(1..4)).map(|_| star(&mut rng, 0.0, 0.0, 1000.0)).collect());
            let b = MultiPolygon(
                (0..rng.random_range(1..4))
                    .map(|_| {
                        let (x, y) = (rng.random_range(-800.0..800.0), rng.random_range(-800.0..800.0));
                        star(&mut rng, x, y, 900.0)
                    })
                    .collect(),
            );
            let (ua, ub) = (union_all(a.0.iter(), Fill::NonZero), union_all(b.0.iter(), Fill::NonZero));
            let (ga, gb) = (geo::unary_union(a.0.iter()), geo::unary_union(b.0.iter()));
            // Both snap to an integer grid fitted to their input: areas agree to about 1e-9 of their size.
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0);
            assert!(close(ua.unsigned_area(), ga.unsigned_area()), "round {round}: union");
            for (op, want) in [
                (Op::Union, ga.union(&gb)),
                (Op::Intersection, ga.intersection(&gb)),
                (Op::Difference, ga.difference(&gb)),
            ] {
                let got = overlay(&ua, &ub, op, Fill::EvenOdd);
                assert!(close(got.unsigned_area(), want.unsigned_area()), "round {round}: {op:?}");
                for p in &got.0 {
                    assert!(p.exterior().is_ccw(), "round {round}: {op:?} outer ring not counter-clockwise");
                    assert!(p.interiors().iter().all(|h| h.is_cw()), "round {round}: {op:?} hole not clockwise");
                }
            }
        }
    }

    #[test]
    fn fill_rules_and_empty_operands() {
        let (a, b) = (square(0.0, 0.0, 10.0), square(5.0, 0.0, 10.0));
        // Alike-wound overlapping squares: non-zero unions them, even-odd leaves the overlap out.
        assert!((union_all([&a, &b], Fill::NonZero).unsigned_area() - 150.0).abs() < 1e-6);
        assert!((union_all([&a, &b], Fill::EvenOdd).unsigned_area() - 100.0).abs() < 1e-6);
        let empty = MultiPolygon(Vec::new());
        let one = MultiPolygon(vec![a.clone()]);
        assert!(overlay(&empty, &one, Op::Intersection, Fill::NonZero).0.is_empty());
        assert!(overlay(&empty, &one, Op::Difference, Fill::NonZero).0.is_empty());
        assert!((overlay(&empty, &one, Op::Union, Fill::NonZero).unsigned_area() - 100.0).abs() < 1e-6);
        assert!((overlay(&one, &empty, Op::Difference, Fill::NonZero).unsigned_area() - 100.0).abs() < 1e-6);
        assert!(union_all(std::iter::empty(), Fill::NonZero).0.is_empty());
        // Rings with a NaN or too few vertices are left out, not fed to the overlay.
        let bad = Polygon::new(LineString(vec![Coord { x: f64::NAN, y: 0.0 }; 4]), vec![]);
        assert!(union_all([&bad], Fill::NonZero).0.is_empty());
    }
}
