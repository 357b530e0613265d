//! Child points from a table of counts per area, as statistics offices publish them (Göteborg: children 0–5
//! per mellanområde).
//!
//! Without a spread, each area's children are placed at one point guaranteed to lie inside the area
//! (point-on-surface, not the centroid, which can fall outside a concave area). With a spread, each area's
//! count is shared out over finer polygons (basområden) in proportion to a weight (their total population),
//! by the largest-remainder method, so that every share is a whole number and the shares add up exactly to the
//! table value.
//!
//! With a spread grid (`spread-grid = M`), the children of each finest area (each finer polygon's share, or
//! each table area's count without a spread) are spread once more, over the points of a regular M-metre grid
//! inside it, in proportion to the land each point stands for ([`grid`]). Coverage then becomes the share of
//! an area's ground within reach, not all or nothing at one point: a point moved a few metres no longer moves
//! a whole basområde's children across the radius. An area too small for a grid point keeps its one interior
//! point.
//!
//! The parts: `read` reads the polygons and tables, [`apportion`] shares a count out in whole numbers,
//! [`spread`] reads the finer polygons and their weights, [`grid`] spreads an area over the grid, `place` puts
//! each area's children at points and records the ground each stands for, [`table`] turns the table into child
//! points and the report.

use geo::{InteriorPoint, MultiPolygon};

pub mod apportion;
pub mod grid;
mod place;
mod read;
pub mod spread;
pub mod table;
#[cfg(test)]
mod testing;

pub use apportion::{apportion, apportion_systematic};
pub use grid::GridReport;
pub use spread::SpreadReport;
pub use table::{children_from_table, AreaPlaced, Fallback, TableReport};

/// How many example ids a report or warning lists.
const EXAMPLES: usize = 10;

/// An id as a join key: trimmed, and `52.0` (a whole number as a spreadsheet may export it) read as `52`.
fn join_key(raw: &str) -> String {
    let s = raw.trim();
    if let Some((int, frac)) = s.split_once('.') {
        if !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b == b'0')
        {
            return int.to_string();
        }
    }
    s.to_string()
}

fn examples(ids: &[String]) -> Vec<String> {
    ids.iter().take(EXAMPLES).cloned().collect()
}

fn list(ids: &[String]) -> String {
    crate::model::list_some(ids, EXAMPLES, ", ")
}

/// A point guaranteed to lie in the polygon (point-on-surface), or `None` for an empty geometry.
pub fn interior_point(polygon: &MultiPolygon<f64>) -> Option<[f64; 2]> {
    polygon.interior_point().map(|p| [p.x(), p.y()]).filter(|p| p[0].is_finite() && p[1].is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keys() {
        assert_eq!(join_key(" 52 "), "52");
        assert_eq!(join_key("52.0"), "52");
        assert_eq!(join_key("52.000"), "52");
        assert_eq!(join_key("052"), "052");
        assert_eq!(join_key("5.20"), "5.20");
        assert_eq!(join_key("1480C1622"), "1480C1622");
        assert_eq!(join_key(".0"), ".0");
    }
}
