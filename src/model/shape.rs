//! Checks of polygon shape that readers cannot make: rings that enclose nothing, empty parts, holes outside their
//! shell, and polygons of one layer that overlap. Each names what it found so that a warning can say where.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, BoundingRect, MultiPolygon, Polygon};

use crate::overlay::{overlay, Fill, Op};
use rayon::prelude::*;

use crate::index::PolygonIndex;

/// What is wrong with the shape of one (multi)polygon, in words (`hole 1 of part 2 lies outside its shell`); empty
/// when nothing is.
pub fn shape_problems(geometry: &MultiPolygon<f64>) -> Vec<String> {
    let mut problems = Vec::new();
    // POLYGON EMPTY is read as one polygon without rings, MULTIPOLYGON EMPTY as no polygon: the same words for both.
    if geometry.0.iter().all(|p| p.exterior().0.is_empty()) {
        problems.push("the geometry is empty (EMPTY, or no rings): nothing can lie in it".to_string());
        return problems;
    }
    let several = geometry.0.len() > 1;
    for (k, polygon) in geometry.0.iter().enumerate() {
        let part = if several { format!(" {}", k + 1) } else { String::new() };
        polygon_problems(polygon, &part, &mut problems);
    }
    problems
}

/// The problems of one polygon; `part` says which part of a multipolygon it is (empty for a lone polygon).
fn polygon_problems(polygon: &Polygon<f64>, part: &str, problems: &mut Vec<String>) {
    let exterior = polygon.exterior();
    if exterior.0.is_empty() {
        problems.push(format!("part{part} is empty"));
        return;
    }
    if let Some(why) = ring_problem(exterior) {
        problems.push(format!("the outer ring{} {why}", of_part(part)));
    }
    let shell = Polygon::new(exterior.clone(), vec![]);
    for (j, hole) in polygon.interiors().iter().enumerate() {
        let name = format!("hole {}{}", j + 1, of_part(part));
        if hole.0.is_empty() {
            problems.push(format!("{name} is empty"));
            continue;
        }
        if let Some(why) = ring_problem(hole) {
            problems.push(format!("{name} {why}"));
        }
        // A hole that crosses its shell is reported as a crossing ring; one that does not lies wholly inside or
        // wholly outside, touching it perhaps, so its first position off the shell's boundary tells which.
        let position = hole.0.iter().map(|c| shell.coordinate_position(c)).find(|p| *p != CoordPos::OnBoundary);
        if position == Some(CoordPos::Outside) {
            problems.push(format!("{name} lies outside its outer ring, so it cuts nothing out"));
        }
    }
}

/// " of part 2" for part " 2", nothing for a lone polygon.
fn of_part(part: &str) -> String {
    if part.is_empty() {
        String::new()
    } else {
        format!(" of part{part}")
    }
}

/// Why a ring encloses no area, if it does not: fewer than four positions (a closed ring needs three corners and
/// the first again), or positions all on one line.
fn ring_problem(ring: &geo::LineString<f64>) -> Option<String> {
    if ring.0.len() < 4 {
        return Some(format!(
            "has {} position(s); a ring needs at least 4 (three corners and the first again)",
            ring.0.len()
        ));
    }
    (Polygon::new(ring.clone(), vec![]).unsigned_area() == 0.0)
        .then(|| "encloses no area (its positions lie on one line)".to_string())
}

/// A pair of polygons that overlap: their indices (`a < b`) and the area they share, in square units of the CRS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlap {
    /// The first polygon.
    pub a: usize,
    /// The second polygon.
    pub b: usize,
    /// The area they share.
    pub area: f64,
}

/// Pairs of the indexed polygons whose shared area is more than `share` of the smaller one's area (a tolerance for
/// the slivers that digitising leaves between neighbours), in order of `(a, b)`. Only pairs whose bounding boxes
/// meet, found through the index's own R-tree, are intersected.
pub fn overlaps(index: &PolygonIndex, share: f64) -> Vec<Overlap> {
    let polygons = index.polygons();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (a, polygon) in polygons.iter().enumerate() {
        let Some(r) = polygon.bounding_rect() else { continue };
        pairs.extend(index.candidates(r.min(), r.max()).filter(|&j| j > a).map(|j| (a, j)));
    }
    pairs.sort_unstable();
    let areas: Vec<f64> = polygons.par_iter().map(|p| p.unsigned_area()).collect();
    pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let area = overlay(&polygons[a], &polygons[b], Op::Intersection, Fill::EvenOdd).unsigned_area();
            (area > 0.0 && area > share * areas[a].min(areas[b])).then_some(Overlap { a, b, area })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, BooleanOps, LineString};
    use rand::{Rng, SeedableRng};

    fn square(x: f64, y: f64, s: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s), (x: x, y: y)]
    }

    #[test]
    fn degenerate_shapes_are_named_alike_in_polygons_and_multipolygons() {
        assert!(shape_problems(&MultiPolygon(vec![square(0.0, 0.0, 10.0)])).is_empty());
        let empty_geometry = ["the geometry is empty (EMPTY, or no rings): nothing can lie in it"];
        assert_eq!(shape_problems(&MultiPolygon(vec![])), empty_geometry);
        let empty = Polygon::new(LineString::new(vec![]), vec![]);
        assert_eq!(shape_problems(&MultiPolygon(vec![empty.clone()])), empty_geometry);
        let one = Polygon::new(LineString::from(vec![(1.0, 1.0)]), vec![]);
        assert_eq!(
            shape_problems(&MultiPolygon(vec![one])),
            ["the outer ring has 1 position(s); a ring needs at least 4 (three corners and the first again)"]
        );
        let flat = Polygon::new(LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 0.0)]), vec![]);
        assert_eq!(
            shape_problems(&MultiPolygon(vec![flat])),
            ["the outer ring encloses no area (its positions lie on one line)"]
        );
        let outside_hole =
            Polygon::new(square(0.0, 0.0, 10.0).exterior().clone(), vec![square(20.0, 20.0, 2.0).exterior().clone()]);
        let empty_hole = Polygon::new(square(0.0, 0.0, 10.0).exterior().clone(), vec![LineString::new(vec![])]);
        assert_eq!(
            shape_problems(&MultiPolygon(vec![outside_hole.clone()])),
            ["hole 1 lies outside its outer ring, so it cuts nothing out"]
        );
        assert_eq!(shape_problems(&MultiPolygon(vec![empty_hole])), ["hole 1 is empty"]);
        // In a multipolygon, the same words with the part named.
        assert_eq!(
            shape_problems(&MultiPolygon(vec![square(50.0, 50.0, 1.0), outside_hole, empty])),
            ["hole 1 of part 2 lies outside its outer ring, so it cuts nothing out", "part 3 is empty"]
        );
        // A hole inside, touching the shell at a vertex, is fine.
        let inner =
            Polygon::new(square(0.0, 0.0, 10.0).exterior().clone(), vec![square(0.0, 0.0, 2.0).exterior().clone()]);
        assert!(shape_problems(&MultiPolygon(vec![inner])).is_empty());
    }

    #[test]
    fn overlaps_match_brute_force_on_random_squares() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..5 {
            // A grid of tiles (neighbours touch, never overlap) plus a few squares dropped at random.
            let mut polygons: Vec<MultiPolygon<f64>> = Vec::new();
            for i in 0..6 {
                for j in 0..6 {
                    polygons.push(MultiPolygon(vec![square(i as f64 * 100.0, j as f64 * 100.0, 100.0)]));
                }
            }
            for _ in 0..6 {
                let (x, y, s) =
                    (rng.random_range(0.0..600.0), rng.random_range(0.0..600.0), rng.random_range(1.0..150.0));
                polygons.push(MultiPolygon(vec![square(x, y, s)]));
            }
            let share = 0.001;
            let mut expected = Vec::new();
            for a in 0..polygons.len() {
                for b in a + 1..polygons.len() {
                    let area = polygons[a].intersection(&polygons[b]).unsigned_area();
                    let smaller = polygons[a].unsigned_area().min(polygons[b].unsigned_area());
                    if area > 0.0 && area > share * smaller {
                        expected.push((a, b, area));
                    }
                }
            }
            let found: Vec<(usize, usize, f64)> =
                overlaps(&PolygonIndex::new(polygons.clone()), share).iter().map(|o| (o.a, o.b, o.area)).collect();
            // The overlay and the oracle (geo's) snap to integer grids fitted to their input: areas agree to 1e-9.
            assert_eq!(found.len(), expected.len());
            for (f, e) in found.iter().zip(&expected) {
                assert_eq!((f.0, f.1), (e.0, e.1));
                assert!((f.2 - e.2).abs() <= 1e-7 * e.2.max(1.0), "{f:?} vs {e:?}");
            }
            assert!(found.iter().all(|(a, b, _)| *b >= 36 || *a >= 36), "tiles that only touch are not overlaps");
        }
    }
}
