//! Why child points fall outside every district: the usual mistakes tried one by one.
//!
//! Points that all lie outside the districts almost never mean that the children live elsewhere. They mean that
//! one layer's coordinates are read wrongly: x and y swapped (latitude given as longitude), or a CRS declared that
//! is not the one the numbers are in (SWEREF 99 12 00 written as SWEREF 99 TM). Each such mistake is a map from
//! where a point is now to where it would be had the layer been read right, so each is tried on a sample of the
//! child points, which are then located in the districts as they are. A mistake in the districts' layer is tried
//! the same way, as the inverse map applied to the children.

use crate::crs::{Crs, Transform};
use crate::index::PolygonIndex;

/// How many child points the diagnosis tries (evenly spread over the layer).
const SAMPLE: usize = 2000;

/// Which layer a mistake is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The child points' layer.
    Children,
    /// The districts' layer.
    Districts,
}

/// A way a layer may have been read wrongly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mistake {
    /// x and y swapped in the layer's own CRS.
    Swapped(Side),
    /// The layer is in this CRS, not the one it declares.
    OtherCrs(Side, Crs),
}

/// The best explanation found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnosis {
    /// The mistake.
    pub mistake: Mistake,
    /// The share of the sampled child points that would lie in a district, had the layer been read so.
    pub share: f64,
    /// The CRS that layer declared.
    pub declared: Crs,
}

/// What the layers declared, for the diagnosis.
#[derive(Clone, Copy, Debug)]
pub struct Declared {
    /// The CRS the children's layer was read in; `None` when the children were made from an area table (whose
    /// points are interior points of polygons, so only the districts' side is tried).
    pub children: Option<Crs>,
    /// The CRS the districts' layer was read in.
    pub districts: Crs,
    /// The analysis CRS, that both are in now.
    pub analysis: Crs,
}

/// The share of `points` inside some district.
fn share_inside(index: &PolygonIndex, points: &[[f64; 2]]) -> f64 {
    if points.is_empty() {
        return 0.0;
    }
    points.iter().filter(|p| index.locate(**p).is_some()).count() as f64 / points.len() as f64
}

/// An evenly spread sample of `points`, in their order.
fn sample(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let step = points.len().div_ceil(SAMPLE).max(1);
    points.iter().step_by(step).copied().collect()
}

/// A way of reading a layer's numbers again: the numbers a point of the analysis CRS has in the CRS `into` maps
/// to, swapped or not, taken as numbers of the CRS `back` maps from. Built once per mistake, used on every point.
struct Reading {
    into: Transform,
    swap: bool,
    back: Transform,
}

impl Reading {
    /// The reading that tests `mistake` on the side of the layer that declared `declared`. For the children, their
    /// numbers (in `declared`) are read as the mistake says they really are. For the districts the map goes the
    /// other way: a child lies in a district as it should have been read exactly when the inverse map puts it in
    /// the district as it was read, so the child's numbers in the true CRS are read as `declared`.
    fn new(mistake: Mistake, declared: Crs, analysis: Crs) -> Option<Reading> {
        let (from, swap, to) = match mistake {
            Mistake::Swapped(_) => (declared, true, declared),
            Mistake::OtherCrs(Side::Children, truth) => (declared, false, truth),
            Mistake::OtherCrs(Side::Districts, truth) => (truth, false, declared),
        };
        Some(Reading { into: Transform::new(analysis, from).ok()?, swap, back: Transform::new(to, analysis).ok()? })
    }

    /// Where `p` would be, read so; `None` where that reading is impossible (outside the CRS's area, or a
    /// transform that fails).
    fn apply(&self, p: [f64; 2]) -> Option<[f64; 2]> {
        let (x, y) = self.into.apply(p[0], p[1]).ok()?;
        let (x, y) = if self.swap { (y, x) } else { (x, y) };
        let [x0, y0, x1, y1] = self.back.from().bounds();
        if !(x0..=x1).contains(&x) || !(y0..=y1).contains(&y) {
            return None;
        }
        let (x, y) = self.back.apply(x, y).ok()?;
        Some([x, y])
    }
}

/// Tries every mistake on a sample of `points` (in the analysis CRS) and returns the one that puts the most of
/// them in a district, when it puts at least half of them there and clearly more than are there now.
pub fn diagnose(index: &PolygonIndex, points: &[[f64; 2]], declared: Declared) -> Option<Diagnosis> {
    let sample = sample(points);
    let now = share_inside(index, &sample);
    let mut best: Option<Diagnosis> = None;
    let sides = [(Side::Children, declared.children), (Side::Districts, Some(declared.districts))];
    for (side, crs) in sides {
        let Some(crs) = crs else { continue };
        let others = Crs::supported().iter().copied().filter(|c| *c != crs).map(|c| Mistake::OtherCrs(side, c));
        for mistake in std::iter::once(Mistake::Swapped(side)).chain(others) {
            let Some(reading) = Reading::new(mistake, crs, declared.analysis) else { continue };
            let moved: Vec<[f64; 2]> = sample.iter().filter_map(|p| reading.apply(*p)).collect();
            // Points that cannot be reread count as outside.
            let share = share_inside(index, &moved) * moved.len() as f64 / sample.len().max(1) as f64;
            if best.is_none_or(|b| share > b.share) {
                best = Some(Diagnosis { mistake, share, declared: crs });
            }
        }
    }
    best.filter(|b| b.share >= 0.5 && b.share >= now + 0.25)
}

impl Diagnosis {
    /// What to tell the planner: what the coordinates look like, and what to change. `whom` names the points
    /// diagnosed ("the child points", "the points outside").
    pub fn explain(&self, children_file: &str, districts_file: &str, whom: &str) -> String {
        let percent = (self.share * 100.0).floor();
        let file = |side: Side| match side {
            Side::Children => children_file,
            Side::Districts => districts_file,
        };
        match self.mistake {
            Mistake::Swapped(side) => format!(
                "the coordinates of {} look like x and y swapped (latitude given as longitude, or northing as \
                 easting): read with x and y swapped, {percent}% of {whom} would lie in a district; \
                 swap the coordinate columns or the axis order where the file is made",
                file(side)
            ),
            Mistake::OtherCrs(side, crs) => format!(
                "the coordinates of {} look like {} ({}) declared as {} ({}): read as {}, {percent}% of {whom} \
                 would lie in a district; declare {} (in the .prj file, the GeoJSON \"crs\" member or the \
                 GeoPackage's srs, or with --crs for a file that declares none)",
                file(side),
                crs.code(),
                crs.name(),
                self.declared.code(),
                self.declared.name(),
                crs.code(),
                crs.code()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};
    use rand::{Rng, SeedableRng};

    /// Random squares around Göteborg (SWEREF 99 TM) and random child points inside them.
    fn city(seed: u64) -> (PolygonIndex, Vec<[f64; 2]>) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut squares = Vec::new();
        let mut points = Vec::new();
        for _ in 0..12 {
            let (x, y) = (rng.random_range(300_000.0..340_000.0), rng.random_range(6_380_000.0..6_420_000.0));
            let s = rng.random_range(1000.0..4000.0);
            squares.push(MultiPolygon(vec![polygon![
                (x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s), (x: x, y: y)
            ]]));
            for _ in 0..50 {
                points.push([rng.random_range(x..x + s), rng.random_range(y..y + s)]);
            }
        }
        (PolygonIndex::new(squares), points)
    }

    /// The points as they would be read had their numbers, in `truth`, been declared `declared` (and swapped).
    fn misread(points: &[[f64; 2]], truth: Crs, declared: Crs, swap: bool) -> Vec<[f64; 2]> {
        let to_truth = Transform::new(Crs::SWEREF99_TM, truth).unwrap();
        let back = Transform::new(declared, Crs::SWEREF99_TM).unwrap();
        points
            .iter()
            .filter_map(|p| {
                let (x, y) = to_truth.apply(p[0], p[1]).unwrap();
                let (x, y) = if swap { (y, x) } else { (x, y) };
                back.apply(x, y).ok().map(|(x, y)| [x, y])
            })
            .collect()
    }

    #[test]
    fn each_mistake_made_is_the_mistake_found() {
        let tm = Crs::SWEREF99_TM;
        for seed in 0..4 {
            let (index, points) = city(seed);
            // Read right: nothing to explain.
            let declared = Declared { children: Some(tm), districts: tm, analysis: tm };
            assert_eq!(diagnose(&index, &points, declared), None);
            // Latitude/longitude swapped.
            let wgs = Declared { children: Some(Crs::WGS84), ..declared };
            let found = diagnose(&index, &misread(&points, Crs::WGS84, Crs::WGS84, true), wgs).unwrap();
            assert_eq!(found.mistake, Mistake::Swapped(Side::Children));
            assert!(found.share > 0.99, "{found:?}");
            // Every other supported CRS, declared as SWEREF 99 TM.
            let mut tried = 0;
            for &truth in Crs::supported().iter().filter(|c| !c.is_geographic() && **c != tm) {
                let moved = misread(&points, truth, tm, false);
                if moved.len() < points.len() {
                    continue; // numbers outside SWEREF 99 TM's area: the range check reports these
                }
                let found = diagnose(&index, &moved, declared).unwrap_or_else(|| panic!("{truth:?} not found"));
                assert_eq!(found.mistake, Mistake::OtherCrs(Side::Children, truth), "seed {seed}");
                assert_eq!(found.declared, tm);
                tried += 1;
            }
            assert!(tried >= 10, "only {tried} CRSs tried");
        }
    }

    #[test]
    fn a_mistake_in_the_districts_is_found_from_the_children() {
        let tm = Crs::SWEREF99_TM;
        let local = Crs::from_epsg(3007).unwrap();
        let (index, points) = city(9);
        // Districts whose numbers are EPSG:3007 were read as EPSG:3006: their polygons moved by the map from 3007
        // numbers read as 3006. The children stay where they are.
        let to_local = Transform::new(tm, local).unwrap();
        let moved_polygons: Vec<MultiPolygon<f64>> = index
            .polygons()
            .iter()
            .map(|p| {
                use geo::MapCoords;
                p.map_coords(|c| {
                    let (x, y) = to_local.apply(c.x, c.y).unwrap();
                    geo::Coord { x, y }
                })
            })
            .collect();
        let misread_index = PolygonIndex::new(moved_polygons);
        let declared = Declared { children: Some(tm), districts: tm, analysis: tm };
        let found = diagnose(&misread_index, &points, declared).unwrap();
        assert_eq!(found.mistake, Mistake::OtherCrs(Side::Districts, local));
        // Children from an area table: only the districts are tried.
        let table = Declared { children: None, ..declared };
        assert_eq!(
            diagnose(&misread_index, &points, table).unwrap().mistake,
            Mistake::OtherCrs(Side::Districts, local)
        );
    }

    #[test]
    fn layers_of_different_places_have_no_explanation() {
        let tm = Crs::SWEREF99_TM;
        let (index, points) = city(3);
        let far: Vec<[f64; 2]> = points.iter().map(|p| [p[0] + 300_000.0, p[1] + 100_000.0]).collect();
        assert_eq!(diagnose(&index, &far, Declared { children: Some(tm), districts: tm, analysis: tm }), None);
    }
}
