//! The ground a zone's children stand for ([`crate::model::footprint`]): for a point of an area table, the cells
//! of its area it was shared out by, cut to that area, or the whole area; for a point read as a point, the cell of
//! the zone grid it lies in. Cells are merged into rectangles before any polygon work (runs along each row, then
//! runs of equal rows stacked), so a zone of ten thousand cells costs the overlay a few hundred rectangles.

use geo::algorithm::orient::{Direction, Orient};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;

use crate::model::footprint::{cell_of, Footprints};
use crate::model::Children;
use crate::overlay::{overlay, Fill, Op};

/// The ground of `members` (indexes of child points), as polygons with counter-clockwise exteriors and clockwise
/// holes. They may share edges, and overlap where the areas of a table do: the caller's next overlay unions them
/// (fill rule non-zero). `zone_cell` is the side of the cell a point that stands for no area takes, metres; a point
/// so far out that its cell would not fit the grid stands for nothing.
pub(super) fn ground(children: &Children, members: &[usize], zone_cell: f64) -> Vec<Polygon<f64>> {
    match &children.footprints {
        Some(footprints) => area_ground(footprints, members),
        None => {
            let cells = members.iter().filter_map(|&i| cell_of(children.points[i], zone_cell)).collect();
            rectangles(cells, zone_cell)
        }
    }
}

/// The ground of members that come from areas: per area, the union of their cells cut to the area, or the whole
/// area when one of them stands for all of it. Areas in parallel, collected in area order.
fn area_ground(footprints: &Footprints, members: &[usize]) -> Vec<Polygon<f64>> {
    let mut by_area: Vec<(u32, usize)> =
        members.iter().filter_map(|&i| footprints.area_of.get(i).map(|&a| (a, i))).collect();
    by_area.sort_unstable();
    let groups: Vec<&[(u32, usize)]> = by_area.chunk_by(|a, b| a.0 == b.0).collect();
    let pieces: Vec<Vec<Polygon<f64>>> =
        groups.par_iter().map(|group| one_area(footprints, group[0].0 as usize, group)).collect();
    pieces.into_iter().flatten().collect()
}

/// The ground of the members of one area (`group`: pairs of area and member).
fn one_area(footprints: &Footprints, area: usize, group: &[(u32, usize)]) -> Vec<Polygon<f64>> {
    let Some(polygon) = footprints.areas.get(area) else { return Vec::new() };
    let polygon = polygon.orient(Direction::Default);
    let side = footprints.grid.filter(|g| g.is_finite() && *g > 0.0);
    let Some(side) = side.filter(|_| group.iter().all(|&(_, i)| !footprints.cells_of(i).is_empty())) else {
        return polygon.0;
    };
    let cells: Vec<[i32; 2]> = group.iter().flat_map(|&(_, i)| footprints.cells_of(i).iter().copied()).collect();
    let cells = MultiPolygon(rectangles(cells, side));
    overlay(&cells, &polygon, Op::Intersection, Fill::NonZero).0
}

/// Grid cells (`[column, row]`, in any order, repeats allowed) of a grid of `side` metres merged into as few
/// rectangles as runs allow: cells side by side in a row make one run, and runs of the same columns in
/// consecutive rows one rectangle. Counter-clockwise; neighbours share their corners exactly.
pub(crate) fn rectangles(mut cells: Vec<[i32; 2]>, side: f64) -> Vec<Polygon<f64>> {
    cells.sort_unstable_by_key(|c| (c[1], c[0]));
    cells.dedup();
    // (first column, last column, row)
    let mut runs: Vec<(i32, i32, i32)> = Vec::new();
    for [column, row] in cells {
        match runs.last_mut() {
            Some(run) if run.2 == row && run.1.checked_add(1) == Some(column) => run.1 = column,
            _ => runs.push((column, column, row)),
        }
    }
    stacked(runs, side)
}

/// Rectangles covering exactly the cells of `runs` (first column, last column, row: disjoint), runs of equal
/// columns in consecutive rows stacked into one.
pub(crate) fn stacked(mut runs: Vec<(i32, i32, i32)>, side: f64) -> Vec<Polygon<f64>> {
    runs.sort_unstable();
    // (first column, last column, first row, last row)
    let mut stacks: Vec<(i32, i32, i32, i32)> = Vec::new();
    for (first, last, row) in runs {
        match stacks.last_mut() {
            Some(s) if (s.0, s.1) == (first, last) && s.3.checked_add(1) == Some(row) => s.3 = row,
            _ => stacks.push((first, last, row, row)),
        }
    }
    // Edges computed from integers the same way for every rectangle, so neighbours meet exactly.
    let at = |k: i64| k as f64 * side;
    stacks
        .into_iter()
        .map(|(c0, c1, r0, r1)| {
            let (x0, x1) = (at(c0 as i64), at(c1 as i64 + 1));
            let (y0, y1) = (at(r0 as i64), at(r1 as i64 + 1));
            let ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
            Polygon::new(LineString(ring.iter().map(|&(x, y)| Coord { x, y }).collect()), vec![])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::footprint::cell_polygon;
    use geo::{unary_union, Area, BooleanOps};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn rectangles_cover_exactly_the_cells_on_random_sets() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for round in 0..60 {
            let side = rng.random_range(10.0..300.0);
            let n = rng.random_range(0..300);
            let spread = rng.random_range(2..30);
            let (ox, oy) = (rng.random_range(-5000..5000), rng.random_range(-5000..5000));
            let cells: Vec<[i32; 2]> =
                (0..n).map(|_| [ox + rng.random_range(0..spread), oy + rng.random_range(0..spread)]).collect();
            let rects = rectangles(cells.clone(), side);
            let mut unique = cells.clone();
            unique.sort_unstable();
            unique.dedup();
            // The oracle: each cell as its own square, unioned.
            let squares: Vec<Polygon<f64>> = unique.iter().map(|&c| cell_polygon(c, side)).collect();
            let want = unary_union(&squares);
            let got = unary_union(&rects);
            // The overlay snaps to an integer grid scaled to the extent: a relative error near 1e-9 of the extent.
            let tolerance = 1e-6 * side * side * (n as f64 + 1.0);
            assert!((got.unsigned_area() - unique.len() as f64 * side * side).abs() < tolerance, "round {round}");
            assert!(got.xor(&want).unsigned_area() < tolerance, "round {round}");
            // No overlaps: the rectangles' areas add up to the cells'.
            let sum: f64 = rects.iter().map(|r| r.unsigned_area()).sum();
            assert!((sum - unique.len() as f64 * side * side).abs() < tolerance, "round {round}");
            assert!(rects.len() <= unique.len());
        }
    }

    #[test]
    fn a_full_block_is_one_rectangle() {
        let cells: Vec<[i32; 2]> = (0..10).flat_map(|i| (0..7).map(move |j| [i, j])).collect();
        assert_eq!(rectangles(cells, 100.0).len(), 1);
        // At the edge of the grid, no overflow.
        assert_eq!(rectangles(vec![[i32::MAX, i32::MAX], [i32::MIN, i32::MIN]], 1.0).len(), 2);
    }
}
