//! The analysis model: districts, children, kinds and facilities in the analysis CRS, checked and ready for the
//! engine, and the prepared [`study::Study`] that holds them. Nothing here reads a file: [`crate::input`] makes
//! these from raw layers.

use geo::{Geometry, MultiPolygon};

pub mod candidates;
pub mod facilities;
pub mod footprint;
pub mod kinds;
pub mod members;
pub mod network;
pub mod scenario;
pub mod shape;
pub mod study;

/// One district.
#[derive(Clone, Debug)]
pub struct District {
    /// Its id (as text, whatever the source type).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its area, in the analysis CRS.
    pub geometry: MultiPolygon<f64>,
}

/// Child points, stored as columns (a million of them must stay small).
#[derive(Clone, Debug, Default)]
pub struct Children {
    /// Positions, in the analysis CRS.
    pub points: Vec<[f64; 2]>,
    /// Children at each position.
    pub counts: Vec<f64>,
    /// The ground each point stands for, when the children come from areas (gap zones are drawn from it).
    pub footprints: Option<footprint::Footprints>,
}

impl Children {
    /// How many points.
    pub fn len(&self) -> usize {
        self.points.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
    /// The total number of children.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
}

/// Warnings collected while loading and analysing: printed on stderr and kept in run.json.
#[derive(Clone, Debug, Default)]
pub struct Warnings(pub Vec<String>);

impl Warnings {
    /// Adds one, unless the same words are already there (a file read for two purposes, e.g. as districts and
    /// as the areas of a child table, is warned about once).
    pub fn push(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.0.contains(&message) {
            self.0.push(message);
        }
    }
}

/// The first `limit` items joined by `separator`, then " and N more" when there are more: a list in a warning.
pub fn list_some(items: &[String], limit: usize, separator: &str) -> String {
    let mut text = items[..items.len().min(limit)].join(separator);
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}

/// A child count for people: whole numbers with a space between thousands (`1 080`), else one decimal.
pub fn format_count(n: f64) -> String {
    let rounded = n.round();
    if (n - rounded).abs() > 0.05 {
        return format!("{n:.1}");
    }
    let digits = format!("{}", rounded.abs() as u64);
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    if rounded < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// The GeoJSON name of a geometry's type.
pub fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// A segment of a ring, for the sweep: which ring it is in and where.
#[derive(Clone, Copy, Debug)]
struct RingSegment {
    line: geo::Line<f64>,
    ring: usize,
    index: usize,
    len: usize,
}

impl geo::algorithm::sweep::Cross for RingSegment {
    type Scalar = f64;
    fn line(&self) -> geo::Line<f64> {
        self.line
    }
}

/// Whether any ring of `geometry` crosses or touches itself or another ring: any two segments meet other than
/// two neighbours of one ring at their shared vertex. A plane sweep (geo's `Intersections`), so a district of
/// thousands of vertices is checked in microseconds, where a full OGC validity check takes a large share of a run.
/// Used only to warn: point-in-polygon works on such polygons either way.
pub fn self_intersects(geometry: &MultiPolygon<f64>) -> bool {
    let mut segments = Vec::new();
    let rings = geometry.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    for (ring, line_string) in rings.enumerate() {
        let lines: Vec<geo::Line<f64>> = line_string.lines().filter(|l| l.start != l.end).collect();
        let len = lines.len();
        segments.extend(lines.into_iter().enumerate().map(|(index, line)| RingSegment { line, ring, index, len }));
    }
    geo::algorithm::sweep::Intersections::from_iter(segments).any(|(a, b, meeting)| {
        let neighbours = a.ring == b.ring && {
            let gap = a.index.abs_diff(b.index);
            gap == 1 || gap + 1 == a.len
        };
        let at_a_vertex = matches!(meeting, geo::LineIntersection::SinglePoint { is_proper: false, .. });
        !(neighbours && at_a_vertex)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_intersection_is_found_and_valid_rings_pass() {
        use geo::{polygon, MultiPolygon};
        let bow_tie =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)];
        assert!(self_intersects(&MultiPolygon(vec![bow_tie])));
        let with_hole = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 4.0, y: 2.0), (x: 4.0, y: 4.0), (x: 2.0, y: 2.0)]],
        );
        assert!(!self_intersects(&MultiPolygon(vec![with_hole.clone()])));
        // A hole crossing the exterior.
        let crossing = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 8.0, y: 2.0), (x: 12.0, y: 2.0), (x: 12.0, y: 4.0), (x: 8.0, y: 2.0)]],
        );
        assert!(self_intersects(&MultiPolygon(vec![crossing])));
    }

    #[test]
    fn self_intersection_agrees_with_ogc_validity_on_random_rings() {
        use geo::{LineString, MultiPolygon, Polygon};
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut invalid = 0;
        for _ in 0..500 {
            // Random vertex order: often self-intersecting; sorted by angle: a simple (star-shaped) ring.
            let n = rng.random_range(3..9);
            let mut pts: Vec<(f64, f64)> =
                (0..n).map(|_| (rng.random_range(0.0..100.0), rng.random_range(0.0..100.0))).collect();
            if rng.random_bool(0.5) {
                let (cx, cy) = (50.0, 50.0);
                pts.sort_by(|a, b| (a.1 - cy).atan2(a.0 - cx).total_cmp(&(b.1 - cy).atan2(b.0 - cx)));
            }
            let polygon = MultiPolygon(vec![Polygon::new(LineString::from(pts), vec![])]);
            let ogc_valid = geo::Validation::is_valid(&polygon);
            invalid += usize::from(!ogc_valid);
            assert_eq!(self_intersects(&polygon), !ogc_valid, "{polygon:?}");
        }
        assert!(invalid > 50, "the oracle saw too few invalid rings to mean much");
    }
}
