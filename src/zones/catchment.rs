//! Catchments: the ground an arena reaches along the streets within its kind's radius, drawn as the streets
//! reached ([`crate::network::catchment::reachable`]) widened by a buffer, as a polygon of cells (each cell whose
//! centre lies within the buffer of a reached street), so that a planner sees the real shape of "within 1 km".
//! Per kind, the cells of its arenas together give the dissolved catchment.

use geo::MultiPolygon;
use rayon::prelude::*;

use super::ground::stacked;
use crate::model::facilities::Facilities;
use crate::network::catchment::{cells_along, merge_runs, reachable, Run};
use crate::network::Walk;
use crate::overlay::{union_all, Fill};

/// How far either side of a reached street the catchment reaches, metres.
pub const CATCHMENT_BUFFER: f64 = 50.0;
/// The side of the cells catchments are drawn in, metres (anchored at the CRS origin).
pub const CATCHMENT_CELL: f64 = 10.0;

/// One arena's catchment.
#[derive(Clone, Debug)]
pub struct Catchment {
    /// Its cells as runs along rows ([`cells_along`]), for dissolving.
    pub cells: Vec<Run>,
    /// The drawn shape.
    pub shape: MultiPolygon<f64>,
    /// Its area, km².
    pub area_km2: f64,
}

/// The polygon of the cells of `runs`.
pub fn cells_polygon(runs: &[Run], cell: f64) -> MultiPolygon<f64> {
    let rects = stacked(runs.iter().map(|&(row, c0, c1)| (c0, c1, row)).collect(), cell);
    union_all(&rects, Fill::NonZero)
}

fn of_cells(cells: Vec<Run>) -> Catchment {
    let count: i64 = cells.iter().map(|&(_, c0, c1)| c1 as i64 - c0 as i64 + 1).sum();
    let area_km2 = count as f64 * CATCHMENT_CELL * CATCHMENT_CELL / 1e6;
    let shape = cells_polygon(&cells, CATCHMENT_CELL);
    Catchment { cells, shape, area_km2 }
}

/// The catchment of every facility within `radius[f]` along `walk`'s streets (empty where a facility joins no
/// street), in parallel, in facility order.
pub fn catchments(walk: &Walk, facilities: &Facilities, radius: &[f64]) -> Vec<Catchment> {
    facilities
        .as_slice()
        .par_iter()
        .zip(radius)
        .map_init(
            || walk.scratch(),
            |scratch, (f, &r)| {
                let pieces = match walk.snap(f.position) {
                    Some(snap) => reachable(walk.graph(), &snap, r, scratch),
                    None => Vec::new(),
                };
                of_cells(cells_along(&pieces, CATCHMENT_BUFFER, CATCHMENT_CELL))
            },
        )
        .collect()
}

/// The catchments of `members` dissolved into one.
pub fn dissolve<'a>(members: impl IntoIterator<Item = &'a Catchment>) -> Catchment {
    of_cells(merge_runs(members.into_iter().flat_map(|c| c.cells.iter().copied()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facilities::Facility;
    use crate::model::kinds::KindId;
    use crate::network::catchment::distance_to;
    use crate::network::Graph;
    use geo::{Contains, Point};

    #[test]
    fn a_catchment_is_the_reached_street_widened_and_stops_at_the_radius() {
        // One street 0 — 2000 m along y = 0; an arena beside it at x = 500; 300 m of reach: x 200..800.
        let graph = Graph::from_edges(vec![[0.0, 0.0], [2000.0, 0.0]], &[(0, 1, 2000.0)]);
        let walk = Walk::new(graph, &[]);
        let fs = Facilities::new(vec![Facility {
            id: "a".into(),
            name: String::new(),
            kind: KindId(0),
            position: [500.0, 0.0],
            capacity: 1.0,
        }]);
        let c = &catchments(&walk, &fs, &[300.0])[0];
        let street = [[200.0, 0.0], [800.0, 0.0]];
        for x in (0..=2000).step_by(10) {
            for y in (-100..=100).step_by(5) {
                let p = [x as f64 + 0.3, y as f64 + 0.2];
                let near = distance_to(p, &street);
                let inside = c.shape.contains(&Point::new(p[0], p[1]));
                // Cells are drawn whole: within a cell's diagonal of the buffer's edge either may hold.
                let slack = CATCHMENT_CELL * std::f64::consts::SQRT_2;
                if near <= CATCHMENT_BUFFER - slack {
                    assert!(inside, "{p:?}, {near} m from the reached street, is outside");
                }
                if near >= CATCHMENT_BUFFER + slack {
                    assert!(!inside, "{p:?}, {near} m from the reached street, is inside");
                }
            }
        }
        let want = (600.0 * 2.0 * CATCHMENT_BUFFER + std::f64::consts::PI * CATCHMENT_BUFFER.powi(2)) / 1e6;
        assert!((c.area_km2 - want).abs() < 0.05 * want, "{} km² vs {want}", c.area_km2);
        let both = dissolve([c, c]);
        assert_eq!(both.cells, c.cells);
    }
}
