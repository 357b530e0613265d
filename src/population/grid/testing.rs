//! Random areas for the grid's oracle tests: concave star-shaped rings, some with holes, some in several parts,
//! turned either way, some with edges on grid lines, at SWEREF 99 TM magnitudes.

use std::f64::consts::TAU;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Offsets that put test coordinates where Göteborg's are.
const X0: f64 = 319_000.0;
const Y0: f64 = 6_399_000.0;

/// An axis-aligned rectangle.
pub fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    Polygon::new(LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]), vec![])
}

/// A star-shaped ring around `centre`: `n` vertices at jittered even angles (neighbours at most 1.5 steps
/// apart), radii in `radii`, turned either way. Its edges keep outside the circle of radius
/// `radii.start × cos(0.75 × 2π / n)`, so a hole inside that circle fits.
pub fn star(rng: &mut ChaCha8Rng, centre: Coord<f64>, n: usize, radii: std::ops::Range<f64>) -> LineString<f64> {
    let step = TAU / n as f64;
    let mut coords: Vec<Coord<f64>> = (0..n)
        .map(|k| {
            let angle = step * (k as f64 + rng.random_range(-0.25..0.25));
            let r = rng.random_range(radii.clone());
            Coord { x: centre.x + r * angle.cos(), y: centre.y + r * angle.sin() }
        })
        .collect();
    if rng.random_bool(0.5) {
        coords.reverse();
    }
    coords.push(coords[0]);
    LineString(coords)
}

/// A random area and a grid side for it: one to three parts a few cells to a few tens of cells across, often
/// with holes; sometimes a grid-aligned rectangle (edges on grid lines or through cell centres).
pub fn random_area(rng: &mut ChaCha8Rng) -> (MultiPolygon<f64>, f64) {
    let side = [0.37, 1.0, 2.5, 10.0, 100.0][rng.random_range(0..5)];
    let origin = Coord { x: (X0 / side).round() * side, y: (Y0 / side).round() * side };
    if rng.random_bool(0.1) {
        let (w, h) = (rng.random_range(1..8) as f64, rng.random_range(1..8) as f64);
        // On grid lines, or half a cell off them: then centres lie on its edges.
        let half = if rng.random_bool(0.5) { 0.5 * side } else { 0.0 };
        let (x, y) = (origin.x + rng.random_range(-3..3) as f64 * side + half, origin.y + half);
        let mut outer = square(x, y, x + w * side, y + h * side);
        if w > 2.0 && h > 2.0 {
            let hole = square(x + side, y + side, x + 2.0 * side, y + 2.0 * side).exterior().clone();
            outer.interiors_push(hole);
        }
        return (MultiPolygon(vec![outer]), side);
    }
    let parts = rng.random_range(1..=3);
    let mut polygons = Vec::new();
    let mut x = origin.x + rng.random_range(0.0..side);
    for _ in 0..parts {
        // Now and then smaller than a cell: often no centre inside.
        let r_max = side * if rng.random_bool(0.1) { rng.random_range(0.1..0.5) } else { rng.random_range(0.3..12.0) };
        let r_min = r_max * rng.random_range(0.3..0.9);
        let centre = Coord { x: x + r_max, y: origin.y + rng.random_range(0.0..side) };
        x += 2.0 * r_max + side * rng.random_range(0.1..3.0);
        let n = rng.random_range(6..24);
        let exterior = star(rng, centre, n, r_min..r_max);
        let mut holes = Vec::new();
        if rng.random_bool(0.5) {
            // Inside the circle the exterior's edges keep out of (its chords span at most 1.5 steps).
            let safe = r_min * (TAU / n as f64 * 0.75).cos() * 0.9;
            let n = rng.random_range(3..10);
            holes.push(star(rng, centre, n, safe * 0.3..safe));
        }
        polygons.push(Polygon::new(exterior, holes));
    }
    (MultiPolygon(polygons), side)
}
