//! The ground each child point stands for: what a gap zone is drawn from.
//!
//! A child point from an area table stands for its area (a basområde), or, with a spread grid, for the cells of
//! that grid its area's land was shared out by ([`crate::population`]). A child point read as a point stands for
//! no area: a gap zone then takes the cell of the zone grid (`zone-cell`) it lies in.

use geo::{Coord, MultiPolygon, Polygon, Rect};

/// The ground of every child point, when the children come from areas (`None` in [`super::Children`] when they
/// were read as points).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Footprints {
    /// The polygons points stand for (the finest areas of the table: the spread areas when there are some), in
    /// the analysis CRS.
    pub areas: Vec<MultiPolygon<f64>>,
    /// Per point: its area (an index into `areas`).
    pub area_of: Vec<u32>,
    /// The side of the spread grid's cells, metres (`None`: every point stands for its whole area).
    pub grid: Option<f64>,
    /// Per point, CSR: the grid cells of its area it stands for are `cells[cell_start[i]..cell_start[i + 1]]`
    /// (`cell_start` has one entry more than there are points). An empty range: the whole area.
    pub cell_start: Vec<u32>,
    /// Grid cells as `[column, row]`: cell `[i, j]` is the square `[i·M, (i+1)·M] × [j·M, (j+1)·M]` (the grid is
    /// anchored at the CRS origin, as SCB's statistical grid is in SWEREF 99 TM).
    pub cells: Vec<[i32; 2]>,
}

impl Footprints {
    /// The cells point `i` stands for (empty: its whole area).
    pub fn cells_of(&self, i: usize) -> &[[i32; 2]] {
        match (self.cell_start.get(i), self.cell_start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.cells[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The area point `i` stands for.
    pub fn area(&self, i: usize) -> &MultiPolygon<f64> {
        &self.areas[self.area_of[i] as usize]
    }
}

/// The square of grid cell `cell` of a grid of `side` metres.
pub fn cell_rect(cell: [i32; 2], side: f64) -> Rect<f64> {
    let (x, y) = (cell[0] as f64 * side, cell[1] as f64 * side);
    Rect::new(Coord { x, y }, Coord { x: x + side, y: y + side })
}

/// The cell of a grid of `side` metres that `p` lies in (`None` when the grid would not hold it in 32 bits).
pub fn cell_of(p: [f64; 2], side: f64) -> Option<[i32; 2]> {
    let (i, j) = ((p[0] / side).floor(), (p[1] / side).floor());
    let range = i32::MIN as f64..=i32::MAX as f64;
    (range.contains(&i) && range.contains(&j)).then_some([i as i32, j as i32])
}

/// The square of a cell as a polygon (counter-clockwise).
pub fn cell_polygon(cell: [i32; 2], side: f64) -> Polygon<f64> {
    cell_rect(cell, side).to_polygon()
}
