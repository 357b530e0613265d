//! An area's children spread over a regular grid of points inside it, in proportion to land (`spread-grid`).
//!
//! The grid is anchored at the CRS origin, like SCB's statistical grid in SWEREF 99 TM: cell `[i, j]` is the
//! square `[i·M, (i+1)·M] × [j·M, (j+1)·M]` ([`crate::model::footprint`]). Every cell whose centre lies inside
//! the area makes a point there. The land of a cell the area covers but whose centre lies outside it (a sliver
//! at the edge) goes to the nearest point of the same area, so the area's land is shared out among its points
//! without gap or overlap, and each point's weight is the exact land of its cells ([`cover`]).
//!
//! The children are shared out in whole numbers by systematic rounding along a Hilbert curve over the points
//! ([`crate::population::apportion::apportion_systematic`]): exact per area, each point within 1 of its exact
//! share, and a few children over many cells spread evenly over the area rather than piled into one corner.
//! Points left without a whole child are not child points; their ground goes to the nearest point of the area
//! that has children, so the points with children stand for all its land (the footprints gap zones are drawn
//! from).

use std::path::Path;

use geo::{Area, MultiPolygon};
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::format_count;

pub mod cover;
pub mod hilbert;
#[cfg(test)]
pub(crate) mod testing;

pub use cover::{cover, Cover, GridError};
use hilbert::{curve_side, hilbert_index};

use super::apportion::apportion_systematic;

/// The most points a grid may make, and the most pieces its areas' boundaries may be cut into.
pub const MAX_POINTS: f64 = 20_000_000.0;

/// One area's land on the grid: its cells, its points and each point's weight.
#[derive(Clone, Debug, Default)]
pub struct GridLand {
    /// The side of the cells, metres.
    pub side: f64,
    /// The cells the area covers, by row then column.
    pub cells: Vec<[i32; 2]>,
    /// The land of each: the exact area of cell ∩ area, m².
    pub land: Vec<f64>,
    /// The points: the cells (indices into `cells`) whose centre lies inside the area, in Hilbert-curve order.
    pub points: Vec<u32>,
    /// Per cell: the point (an index into `points`) its land goes to: its own point, or for a sliver the
    /// nearest point (ties: the first in `points`). Empty when there are no points.
    pub owner: Vec<u32>,
    /// Per point: its weight, the land of the cells it owns, m².
    pub weight: Vec<f64>,
}

/// An area's children on its grid points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GridShare {
    /// The points given children (indices into [`GridLand::points`]), in the order of the points.
    pub points: Vec<u32>,
    /// Their positions: the centres of their cells.
    pub positions: Vec<[f64; 2]>,
    /// Their children.
    pub counts: Vec<f64>,
    /// Per point given children, CSR: the cells it stands for are `cells[cell_start[k]..cell_start[k + 1]]`,
    /// its own cell first, then the others in row order. Together they are every cell of the area.
    pub cell_start: Vec<u32>,
    /// The cells.
    pub cells: Vec<[i32; 2]>,
}

impl GridLand {
    /// The land of `area` on the grid of `side` metres. The work and memory follow the cells the area covers;
    /// the caller bounds those first ([`check_size`]).
    pub fn new(area: &MultiPolygon<f64>, side: f64) -> Result<GridLand, GridError> {
        let Cover { cells, land, centre_inside } = cover(area, side)?;
        let mut points: Vec<u32> = (0..cells.len()).filter(|&k| centre_inside[k]).map(|k| k as u32).collect();
        if points.is_empty() {
            return Ok(GridLand { side, cells, land, ..Default::default() });
        }
        let (mut lo, mut hi) = ([i32::MAX; 2], [i32::MIN; 2]);
        for &k in &points {
            let c = cells[k as usize];
            for d in 0..2 {
                lo[d] = lo[d].min(c[d]);
                hi[d] = hi[d].max(c[d]);
            }
        }
        let span = |d: usize| (i64::from(hi[d]) - i64::from(lo[d]) + 1) as u64;
        let n = curve_side(span(0), span(1));
        let offset = |c: [i32; 2], d: usize| (i64::from(c[d]) - i64::from(lo[d])) as u64;
        points.sort_by_cached_key(|&k| {
            let c = cells[k as usize];
            hilbert_index(n, offset(c, 0), offset(c, 1))
        });

        let mut owner = vec![u32::MAX; cells.len()];
        for (p, &k) in points.iter().enumerate() {
            owner[k as usize] = p as u32;
        }
        if points.len() < cells.len() {
            let tree = point_tree(&cells, &points, lo, 0..points.len());
            for k in 0..cells.len() {
                if owner[k] == u32::MAX {
                    owner[k] = nearest(&tree, cells[k], lo);
                }
            }
        }
        let mut weight = vec![0.0; points.len()];
        for (k, &p) in owner.iter().enumerate() {
            weight[p as usize] += land[k];
        }
        Ok(GridLand { side, cells, land, points, owner, weight })
    }

    /// Cells whose land went to a point of another cell (their centre lies outside the area).
    pub fn slivers(&self) -> usize {
        if self.points.is_empty() {
            0
        } else {
            self.cells.len() - self.points.len()
        }
    }

    /// The centre of point `p`'s cell.
    pub fn position(&self, p: usize) -> [f64; 2] {
        let c = self.cells[self.points[p] as usize];
        [(f64::from(c[0]) + 0.5) * self.side, (f64::from(c[1]) + 0.5) * self.side]
    }

    /// `count` children shared out over the points (see the module docs). Empty when there are no points or no
    /// children.
    pub fn share(&self, count: f64) -> GridShare {
        let shares = apportion_systematic(count, &self.weight);
        let given: Vec<u32> = (0..self.points.len()).filter(|&p| shares[p] > 0.0).map(|p| p as u32).collect();
        if given.is_empty() {
            return GridShare::default();
        }
        // Each point to the point with children that stands for its ground: itself, or the nearest.
        let mut to = vec![u32::MAX; self.points.len()];
        for (g, &p) in given.iter().enumerate() {
            to[p as usize] = g as u32;
        }
        if given.len() < self.points.len() {
            let lo = self.cells.iter().fold([i32::MAX; 2], |lo, c| [lo[0].min(c[0]), lo[1].min(c[1])]);
            let given_cells: Vec<u32> = given.iter().map(|&p| self.points[p as usize]).collect();
            let tree = point_tree(&self.cells, &given_cells, lo, 0..given.len());
            for (t, &k) in to.iter_mut().zip(&self.points) {
                if *t == u32::MAX {
                    *t = nearest(&tree, self.cells[k as usize], lo);
                }
            }
        }
        let mut cell_start = vec![0u32; given.len() + 1];
        for &p in &self.owner {
            cell_start[to[p as usize] as usize + 1] += 1;
        }
        for g in 0..given.len() {
            cell_start[g + 1] += cell_start[g];
        }
        let mut cells = vec![[0, 0]; self.cells.len()];
        let mut next: Vec<u32> = cell_start[..given.len()].to_vec();
        let own = |g: usize| self.points[given[g] as usize] as usize;
        for g in 0..given.len() {
            cells[next[g] as usize] = self.cells[own(g)];
            next[g] += 1;
        }
        for (k, &p) in self.owner.iter().enumerate() {
            let g = to[p as usize] as usize;
            if k != own(g) {
                cells[next[g] as usize] = self.cells[k];
                next[g] += 1;
            }
        }
        GridShare {
            positions: given.iter().map(|&p| self.position(p as usize)).collect(),
            counts: given.iter().map(|&p| shares[p as usize]).collect(),
            points: given,
            cell_start,
            cells,
        }
    }
}

type PointTree = RTree<GeomWithData<[i64; 2], u32>>;

/// The cells `points` (indices into `cells`) as an R-tree, numbered by `numbers`, relative to `lo`.
fn point_tree(cells: &[[i32; 2]], points: &[u32], lo: [i32; 2], numbers: std::ops::Range<usize>) -> PointTree {
    let at = |k: u32| relative(cells[k as usize], lo);
    RTree::bulk_load(points.iter().zip(numbers).map(|(&k, n)| GeomWithData::new(at(k), n as u32)).collect())
}

fn relative(cell: [i32; 2], lo: [i32; 2]) -> [i64; 2] {
    [i64::from(cell[0]) - i64::from(lo[0]), i64::from(cell[1]) - i64::from(lo[1])]
}

/// The number of the point nearest `cell` (centre to centre, exact in whole cells; ties: the lowest number).
fn nearest(tree: &PointTree, cell: [i32; 2], lo: [i32; 2]) -> u32 {
    tree.nearest_neighbors(&relative(cell, lo)).iter().map(|p| p.data).min().unwrap_or(0)
}

/// How much a grid would make, estimated before making it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GridSize {
    /// The land of the areas, m².
    pub land: f64,
    /// About how many points: the land / M².
    pub points: f64,
    /// At most how many pieces the boundaries are cut into: Σ (|Δx| + |Δy|) / M + 1 over their edges.
    pub pieces: f64,
}

/// Refuses, before any point is made, a grid of `side` metres that would make more than [`MAX_POINTS`] points
/// over `areas` (their land / M²), or cut their boundaries into more pieces than that (the cells the boundary
/// crosses cost work and memory even where no point is made: a long thin area). `file` is the areas' file.
pub fn check_size<'a>(
    areas: impl IntoIterator<Item = &'a MultiPolygon<f64>>,
    side: f64,
    file: &Path,
) -> Result<GridSize> {
    let mut size = GridSize::default();
    for area in areas {
        size.land += area.unsigned_area();
        for part in &area.0 {
            for ring in std::iter::once(part.exterior()).chain(part.interiors()) {
                size.pieces += ring.lines().map(|l| (l.dx().abs() + l.dy().abs()) / side + 1.0).sum::<f64>();
            }
        }
    }
    size.points = size.land / (side * side);
    let refuse = |what: String, why: String, spacing: f64| {
        Error::Config(format!(
            "--spread-grid {side}: {what} in {} ({why}); the limit is {}: use a spacing of at least {} m",
            file.display(),
            format_count(MAX_POINTS),
            nice_up(spacing)
        ))
    };
    if size.points.is_nan() || size.points > MAX_POINTS {
        return Err(refuse(
            format!("would make about {} points", about(size.points)),
            format!("its land / {} m²", metres(side * side)),
            (size.land / MAX_POINTS).sqrt(),
        ));
    }
    if size.pieces.is_nan() || size.pieces > MAX_POINTS {
        return Err(refuse(
            format!("the boundaries would cross about {} cells", about(size.pieces)),
            format!("their length / {} m", metres(side)),
            side * size.pieces / MAX_POINTS,
        ));
    }
    Ok(size)
}

/// A large count to three significant figures, for people: `452 000 000`.
fn about(n: f64) -> String {
    if !n.is_finite() {
        return "infinitely many".into();
    }
    let scale = 10f64.powi((n.max(1.0).log10().floor() as i32 - 2).max(0));
    format_count((n / scale).round() * scale)
}

/// A length or area without trailing noise: `10 000`, `0.25`.
fn metres(x: f64) -> String {
    if x.fract() == 0.0 && x < 1e15 {
        format_count(x)
    } else {
        format!("{}", (x * 1e6).round() / 1e6)
    }
}

/// `x` rounded up: to whole metres from 1 m, else to one significant figure (`0.0031` → `0.004`).
fn nice_up(x: f64) -> String {
    if !x.is_finite() {
        return metres(1e7);
    }
    if x >= 1.0 {
        return metres(x.ceil());
    }
    let digits = (-x.log10().floor()) as usize;
    let unit = 10f64.powi(-(digits as i32));
    format!("{:.*}", digits, (x / unit).ceil() * unit)
}

/// The grid part of a [`crate::population::TableReport`].
#[derive(Clone, Debug, Default, Serialize)]
pub struct GridReport {
    /// The side of the cells (the spacing of the points), metres.
    pub spacing_m: f64,
    /// Areas with children spread over the grid.
    pub areas_spread: usize,
    /// Their land, m².
    pub land_m2: f64,
    /// Cells they cover.
    pub cells: usize,
    /// Grid points made in them (cells with their centre inside).
    pub grid_points: usize,
    /// Of those, the points given children (the child points); the others' ground went to the nearest of these.
    pub points_with_children: usize,
    /// Cells whose centre lies outside their area: their land went to the nearest point of the area.
    pub sliver_cells: usize,
    /// Areas whose rings cross: made valid (even–odd) before they were put on the grid.
    pub areas_made_valid: usize,
    /// Areas with children too small for a grid point (no cell centre inside): their children stay at one
    /// interior point each.
    pub areas_fallback: usize,
    /// Examples of those (ids).
    pub fallback_examples: Vec<String>,
    /// The children in those.
    pub fallback_children: f64,
}

#[cfg(test)]
mod tests;
