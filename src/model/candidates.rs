//! Candidate sites for new arenas: each with an id, a position in the analysis CRS and the attributes it came with
//! (carried to the suggestions layer), from a file or from a regular grid inside the districts.

use crate::index::PolygonIndex;
use crate::input::Value;

/// Candidate sites, in order (a file's feature order, or a grid row by row from the south-west).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Candidates {
    /// Each one's id.
    pub ids: Vec<String>,
    /// Each one's name (its file's name field, else empty).
    pub names: Vec<String>,
    /// Each one's position, in the analysis CRS.
    pub positions: Vec<[f64; 2]>,
    /// The attribute fields carried along.
    pub fields: Vec<String>,
    /// Each one's attribute values, aligned with `fields`.
    pub values: Vec<Vec<Value>>,
}

impl Candidates {
    /// How many.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The points of a grid of `spacing` metres (cell centres) that lie in a polygon of `index`: the grid is laid
    /// over the polygons' extent, row by row from the south-west. Ids are `grid#<n>` in that order. At most
    /// `limit` points: `None` when there would be more.
    pub fn grid(index: &PolygonIndex, spacing: f64, limit: usize) -> Option<Candidates> {
        use geo::BoundingRect;
        let mut bounds = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for r in index.polygons().iter().filter_map(|p| p.bounding_rect()) {
            bounds = [
                bounds[0].min(r.min().x),
                bounds[1].min(r.min().y),
                bounds[2].max(r.max().x),
                bounds[3].max(r.max().y),
            ];
        }
        let mut out = Candidates::default();
        if !bounds.iter().all(|b| b.is_finite()) || spacing.is_nan() || spacing <= 0.0 {
            return Some(out);
        }
        let cols = ((bounds[2] - bounds[0]) / spacing).ceil().max(1.0);
        let rows = ((bounds[3] - bounds[1]) / spacing).ceil().max(1.0);
        if cols * rows > 4.0 * limit as f64 + 1e6 {
            return None;
        }
        for r in 0..rows as usize {
            for c in 0..cols as usize {
                let p = [bounds[0] + (c as f64 + 0.5) * spacing, bounds[1] + (r as f64 + 0.5) * spacing];
                if index.locate(p).is_some() {
                    if out.len() >= limit {
                        return None;
                    }
                    out.ids.push(format!("grid#{}", out.len()));
                    out.names.push(String::new());
                    out.positions.push(p);
                    out.values.push(Vec::new());
                }
            }
        }
        Some(out)
    }

    /// Only the candidates where `keep[i]` holds, in order.
    pub fn retain(&mut self, keep: &[bool]) {
        fn pick<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep.get(i - 1).copied().unwrap_or(false)
            });
        }
        pick(&mut self.ids, keep);
        pick(&mut self.names, keep);
        pick(&mut self.positions, keep);
        pick(&mut self.values, keep);
    }
}

#[cfg(test)]
mod tests {
    use geo::{polygon, MultiPolygon};

    use super::*;

    #[test]
    fn a_grid_keeps_the_cell_centres_inside_the_districts() {
        let square = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1000.0, y: 0.0), (x: 1000.0, y: 1000.0), (x: 0.0, y: 1000.0), (x: 0.0, y: 0.0)],
        ]);
        let triangle = MultiPolygon(vec![
            polygon![(x: 2000.0, y: 0.0), (x: 3000.0, y: 0.0), (x: 2000.0, y: 1000.0), (x: 2000.0, y: 0.0)],
        ]);
        let index = PolygonIndex::new(vec![square, triangle]);
        let grid = Candidates::grid(&index, 250.0, 1000).unwrap();
        // 16 in the square; in the triangle the 6 centres below the diagonal x + y = 3000 and the 4 on it.
        let in_triangle = grid.positions.iter().filter(|p| p[0] > 2000.0).count();
        assert_eq!(grid.len() - in_triangle, 16);
        assert_eq!(in_triangle, 10);
        assert_eq!(grid.ids[0], "grid#0");
        assert_eq!(grid.positions[0], [125.0, 125.0]);
        assert!(Candidates::grid(&index, 250.0, 10).is_none());
        let mut g = grid.clone();
        let keep: Vec<bool> = (0..g.len()).map(|i| i % 2 == 0).collect();
        g.retain(&keep);
        assert_eq!(g.len(), 13);
        assert_eq!(g.ids[1], "grid#2");
    }
}
