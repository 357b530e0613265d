//! The cells of a regular grid an area covers, the exact land of the area in each, and which cells have their
//! centre inside it.
//!
//! Green's theorem: within one row of cells, the area of the part of a region left of the line x = X is the sum,
//! over the pieces of its boundary in that row, of ∫ min(x, X) dy (rings turned so that the land lies on their
//! left). So each boundary edge is cut where it crosses a grid line; a piece in cell (i, j) adds ∫ (x − xᵢ) dy
//! to that cell and carries M·Δy to every cell left of it in the row. Summing the carries from the right gives
//! every cell of a row, the inside ones (which no boundary crosses) one step each: the work follows the cells
//! the boundary crosses and the cells inside, never the bounding box, so a long thin area costs little.

use std::iter::once;

use geo::{Coord, LineString, MultiPolygon};

use crate::model::footprint::cell_of;

/// Land below this share of a cell is rounding noise (a cell the boundary only touches).
const NOISE: f64 = 1e-9;

/// What an area covers on a grid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cover {
    /// The cells with land, by row (`j`) then column (`i`).
    pub cells: Vec<[i32; 2]>,
    /// The land in each: the area of cell ∩ area, m² (winding-weighted: a part covered twice counts twice).
    pub land: Vec<f64>,
    /// Whether each cell's centre lies inside the area (even–odd rule; a centre exactly on the boundary is
    /// decided by the usual half-open crossing rule).
    pub centre_inside: Vec<bool>,
}

/// Why an area cannot be put on a grid.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GridError {
    /// A coordinate is NaN or infinite.
    #[error("a coordinate ({x}, {y}) is not a finite number")]
    NotFinite {
        /// The x coordinate.
        x: f64,
        /// The y coordinate.
        y: f64,
    },
    /// A coordinate lies more than 2³¹ cells from the origin: grid cells are numbered in 32 bits.
    #[error(
        "the coordinate ({x}, {y}) lies more than 2 147 483 647 cells of {side} m from the origin, beyond the \
         grid's cell numbers (is the analysis CRS metric?)"
    )]
    BeyondIndex {
        /// The x coordinate.
        x: f64,
        /// The y coordinate.
        y: f64,
        /// The side of the cells, metres.
        side: f64,
    },
}

/// A piece of boundary inside one cell: what it adds to the cell, and the height it carries to the cells left
/// of it.
struct Piece {
    j: i32,
    i: i32,
    own: f64,
    carry: f64,
}

/// Where a boundary piece crosses the centre line of its row.
struct Crossing {
    j: i32,
    x: f64,
}

/// The cells `polygon` covers on the grid of `side` metres anchored at the origin (see the module docs).
pub fn cover(polygon: &MultiPolygon<f64>, side: f64) -> Result<Cover, GridError> {
    let mut pieces = Vec::new();
    let mut crossings = Vec::new();
    let mut cuts = Vec::new();
    for part in &polygon.0 {
        for (k, ring) in once(part.exterior()).chain(part.interiors()).enumerate() {
            let coords = &ring.0;
            for c in coords {
                if !(c.x.is_finite() && c.y.is_finite()) {
                    return Err(GridError::NotFinite { x: c.x, y: c.y });
                }
                if cell_of([c.x, c.y], side).is_none() {
                    return Err(GridError::BeyondIndex { x: c.x, y: c.y, side });
                }
            }
            if coords.len() < 3 {
                continue;
            }
            // Exterior rings with the land on their left (counter-clockwise), holes clockwise.
            let area = twice_signed_area(ring);
            let land_left = if k == 0 { area >= 0.0 } else { area <= 0.0 };
            let sign = if land_left { 1.0 } else { -1.0 };
            for w in coords.windows(2) {
                edge(w[0], w[1], side, sign, &mut cuts, &mut pieces, &mut crossings);
            }
            let (first, last) = (coords[0], coords[coords.len() - 1]);
            if first != last {
                edge(last, first, side, sign, &mut cuts, &mut pieces, &mut crossings);
            }
        }
    }
    // Stable sorts: pieces of one cell are summed in boundary order, so the same input gives the same bits.
    pieces.sort_by_key(|p| (p.j, p.i));
    crossings.sort_by(|a, b| a.j.cmp(&b.j).then(a.x.total_cmp(&b.x)));

    let tiny = side * side * NOISE;
    let mut cover = Cover::default();
    let mut row: Vec<(i32, f64, f64)> = Vec::new(); // (column, own, carry), one per cell the boundary crosses
    let mut values: Vec<(i32, f64)> = Vec::new(); // the row's cells with land, right to left
    let (mut p, mut c) = (0, 0);
    while p < pieces.len() {
        let j = pieces[p].j;
        row.clear();
        while p < pieces.len() && pieces[p].j == j {
            let piece = &pieces[p];
            match row.last_mut() {
                Some(last) if last.0 == piece.i => {
                    last.1 += piece.own;
                    last.2 += piece.carry;
                }
                _ => row.push((piece.i, piece.own, piece.carry)),
            }
            p += 1;
        }
        // Right to left: a cell's land is its own part plus M × the heights carried from its right. Nothing lies
        // right of the last crossed cell or left of the first.
        values.clear();
        let mut carried = 0.0;
        for k in (0..row.len()).rev() {
            let (i, own, carry) = row[k];
            if let Some(&(right, _, _)) = row.get(k + 1) {
                let inside = side * carried;
                if inside > tiny {
                    values.extend((i + 1..right).rev().map(|col| (col, inside)));
                }
            }
            let land = own + side * carried;
            if land > tiny {
                values.push((i, land));
            }
            carried += carry;
        }
        // Left to right, with the row's centre-line crossings: a centre is inside after an odd number of them.
        while c < crossings.len() && crossings[c].j < j {
            c += 1;
        }
        let mut crossed = 0usize;
        for &(i, land) in values.iter().rev() {
            let centre = (f64::from(i) + 0.5) * side;
            while c < crossings.len() && crossings[c].j == j && crossings[c].x < centre {
                crossed += 1;
                c += 1;
            }
            cover.cells.push([i, j]);
            cover.land.push(land);
            cover.centre_inside.push(crossed % 2 == 1);
        }
    }
    Ok(cover)
}

/// Twice the signed area of a ring (positive: counter-clockwise), from its first vertex for precision.
fn twice_signed_area(ring: &LineString<f64>) -> f64 {
    let Some(&o) = ring.0.first() else { return 0.0 };
    ring.lines().map(|l| (l.start.x - o.x) * (l.end.y - o.y) - (l.end.x - o.x) * (l.start.y - o.y)).sum()
}

/// Cuts edge `a`–`b` where it crosses grid lines and adds its pieces (with `sign`: −1 for a ring turning the
/// wrong way) and its centre-line crossings.
fn edge(
    a: Coord<f64>,
    b: Coord<f64>,
    side: f64,
    sign: f64,
    cuts: &mut Vec<(f64, f64, f64)>,
    pieces: &mut Vec<Piece>,
    crossings: &mut Vec<Crossing>,
) {
    if a == b {
        return;
    }
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    cuts.clear();
    cuts.push((0.0, a.x, a.y));
    // The grid lines strictly between the ends, each crossing put exactly on its line.
    let lines = |lo: f64, hi: f64| ((lo / side).floor() as i64 + 1)..=((hi / side).ceil() as i64 - 1);
    if dx != 0.0 {
        for k in lines(a.x.min(b.x), a.x.max(b.x)) {
            let x = k as f64 * side;
            let t = (x - a.x) / dx;
            if t > 0.0 && t < 1.0 {
                cuts.push((t, x, a.y + t * dy));
            }
        }
    }
    if dy != 0.0 {
        for k in lines(a.y.min(b.y), a.y.max(b.y)) {
            let y = k as f64 * side;
            let t = (y - a.y) / dy;
            if t > 0.0 && t < 1.0 {
                cuts.push((t, a.x + t * dx, y));
            }
        }
    }
    cuts.push((1.0, b.x, b.y));
    cuts.sort_by(|p, q| p.0.total_cmp(&q.0));
    for w in cuts.windows(2) {
        let ((_, px, py), (_, qx, qy)) = (w[0], w[1]);
        let rise = qy - py;
        if rise == 0.0 {
            continue; // a level piece bounds no land of its own: ∫ x dy = 0
        }
        // The cell of the piece, from its midpoint (an end may lie on a grid line). Both ends' cells fit in 32
        // bits (checked), so the midpoint's does.
        let (mx, my) = ((px + qx) * 0.5, (py + qy) * 0.5);
        let (i, j) = ((mx / side).floor() as i32, (my / side).floor() as i32);
        let left = f64::from(i) * side;
        pieces.push(Piece { j, i, own: sign * (mx - left) * rise, carry: sign * rise });
        let centre = (f64::from(j) + 0.5) * side;
        if (py > centre) != (qy > centre) {
            crossings.push(Crossing { j, x: px + (centre - py) * (qx - px) / rise });
        }
    }
}

#[cfg(test)]
mod tests {
    use geo::{Area, BooleanOps, Contains, Intersects, Point};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::model::footprint::cell_polygon;
    use crate::population::grid::testing::{random_area, square};

    #[test]
    fn a_rectangle_on_the_grid_by_hand() {
        // 0.6..2.6 × 0.6..1.6 on a 1 m grid: six part cells, two centres inside.
        let found = cover(&MultiPolygon(vec![square(0.6, 0.6, 2.6, 1.6)]), 1.0).unwrap();
        let cells: Vec<([i32; 2], f64, bool)> = found
            .cells
            .iter()
            .zip(&found.land)
            .zip(&found.centre_inside)
            .map(|((c, l), inside)| (*c, (l * 1e9).round() / 1e9, *inside))
            .collect();
        assert_eq!(
            cells,
            vec![
                ([0, 0], 0.16, false),
                ([1, 0], 0.4, false),
                ([2, 0], 0.24, false),
                ([0, 1], 0.24, false),
                ([1, 1], 0.6, true),
                ([2, 1], 0.36, true),
            ]
        );
        // Shifted by a quarter: centres inside, and whole cells inside.
        let found = cover(&MultiPolygon(vec![square(0.25, 0.25, 3.75, 2.75)]), 1.0).unwrap();
        let whole: Vec<[i32; 2]> =
            found.cells.iter().zip(&found.land).filter(|(_, l)| (**l - 1.0).abs() < 1e-12).map(|(c, _)| *c).collect();
        assert_eq!(whole, vec![[1, 1], [2, 1]]);
        assert_eq!(found.cells.len(), 12);
        assert_eq!(found.centre_inside.iter().filter(|b| **b).count(), 12);
        // Clockwise is the same land.
        let mut cw = square(0.25, 0.25, 3.75, 2.75);
        cw.exterior_mut(|r| r.0.reverse());
        assert_eq!(cover(&MultiPolygon(vec![cw]), 1.0).unwrap(), found);
    }

    /// The oracle: every cell of the bounding box intersected with the area by geo's BooleanOps (i_overlay), and
    /// each centre tested with geo's Contains / Intersects.
    #[test]
    fn land_per_cell_agrees_with_boolean_ops_on_random_areas() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut holes, mut parts, mut boundary_centres) = (0, 0, 0);
        for case in 0..300 {
            let (area, side) = random_area(&mut rng);
            holes += area.0.iter().map(|p| p.interiors().len()).sum::<usize>();
            parts += area.0.len();
            let found = cover(&area, side).unwrap();
            let total: f64 = found.land.iter().sum();
            let exact = area.unsigned_area();
            assert!((total - exact).abs() <= 1e-9 * exact.max(side * side), "case {case}: {total} vs {exact}");

            let bbox = geo::BoundingRect::bounding_rect(&area).unwrap();
            let (lo, hi) = (
                cell_of([bbox.min().x, bbox.min().y], side).unwrap(),
                cell_of([bbox.max().x, bbox.max().y], side).unwrap(),
            );
            let mut k = 0;
            for j in lo[1]..=hi[1] {
                for i in lo[0]..=hi[0] {
                    let cell = [i, j];
                    let oracle = cell_polygon(cell, side).intersection(&area).unsigned_area();
                    let listed = found.cells.get(k) == Some(&cell);
                    let land = if listed { found.land[k] } else { 0.0 };
                    assert!(
                        (land - oracle).abs() <= 1e-6 * side * side, // i_overlay snaps to ~10⁻⁸ of the extent
                        "case {case}, cell {cell:?} of {side} m: land {land} vs {oracle} by BooleanOps"
                    );
                    let centre = Point::new((f64::from(i) + 0.5) * side, (f64::from(j) + 0.5) * side);
                    if listed {
                        let inside = found.centre_inside[k];
                        if area.contains(&centre) {
                            assert!(inside, "case {case}, cell {cell:?}: the centre is inside");
                        } else if !area.intersects(&centre) {
                            assert!(!inside, "case {case}, cell {cell:?}: the centre is outside");
                        } else {
                            boundary_centres += 1;
                        }
                        k += 1;
                    } else {
                        assert!(!area.contains(&centre) || oracle <= 1e-9 * side * side, "case {case}, cell {cell:?}");
                    }
                }
            }
            assert_eq!(k, found.cells.len(), "case {case}: cells listed outside the bounding box or out of order");
        }
        assert!(holes > 50 && parts > 350, "the random areas had too few holes ({holes}) or parts ({parts})");
        eprintln!("{boundary_centres} centres on a boundary");
    }

    #[test]
    fn a_long_thin_area_costs_its_boundary_not_its_bounding_box() {
        // A diagonal strip 10 km long and 1 m wide on a 0.5 m grid: 4·10⁸ cells in its bounding box.
        let strip = geo::Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (10_001.0, 10_000.0), (10_000.0, 10_000.0), (0.0, 0.0)]),
            vec![],
        );
        let area = MultiPolygon(vec![strip]);
        let found = cover(&area, 0.5).unwrap();
        assert!(found.cells.len() < 200_000, "{} cells", found.cells.len());
        let total: f64 = found.land.iter().sum();
        assert!((total - area.unsigned_area()).abs() < 1e-6, "{total}");
    }

    #[test]
    fn coordinates_beyond_the_cell_numbers_or_not_finite_are_errors() {
        let far = MultiPolygon(vec![square(0.0, 0.0, 1e8, 1.0)]);
        assert!(matches!(cover(&far, 0.01), Err(GridError::BeyondIndex { .. })));
        assert!(cover(&far, 1.0).is_ok());
        let nan = MultiPolygon(vec![square(0.0, 0.0, f64::NAN, 1.0)]);
        assert!(matches!(cover(&nan, 1.0), Err(GridError::NotFinite { .. })));
        let message = cover(&far, 0.01).unwrap_err().to_string();
        assert!(message.contains("2 147 483 647 cells of 0.01 m"), "{message}");
        // Empty and degenerate areas cover nothing.
        assert_eq!(cover(&MultiPolygon(vec![]), 1.0).unwrap(), Cover::default());
        let flat = MultiPolygon(vec![square(0.0, 0.0, 10.0, 0.0)]);
        assert_eq!(cover(&flat, 1.0).unwrap(), Cover::default());
    }
}
