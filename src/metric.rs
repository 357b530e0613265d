//! The distance seam: how far a child is from an arena. Straight-line distance in the analysis CRS now;
//! a walking distance along streets can fill the same trait later, and the engine will not change.

use crate::index::ArenaIndex;
use crate::model::{Arena, ArenaKind};

/// A way of measuring how far arenas are from a point, in metres.
pub trait DistanceModel: Sync {
    /// A short name for run.json: `straight-line`.
    fn name(&self) -> &'static str;
    /// The nearest arena of `kind` (or of any kind) to `from`: its id and distance in metres.
    fn nearest(&self, from: [f64; 2], kind: Option<ArenaKind>) -> Option<(usize, f64)>;
    /// Calls `visit(id, metres)` for every arena of `kind` (or any kind) within `radius` metres of `from`.
    fn within(&self, from: [f64; 2], kind: Option<ArenaKind>, radius: f64, visit: &mut dyn FnMut(usize, f64));
}

/// Straight-line (Euclidean) distance in a metric CRS, answered by R-trees.
#[derive(Debug)]
pub struct StraightLine {
    index: ArenaIndex,
}

impl StraightLine {
    /// Indexes the arenas.
    pub fn new(arenas: &[Arena]) -> Self {
        StraightLine { index: ArenaIndex::new(arenas) }
    }
}

impl DistanceModel for StraightLine {
    fn name(&self) -> &'static str {
        "straight-line"
    }

    fn nearest(&self, from: [f64; 2], kind: Option<ArenaKind>) -> Option<(usize, f64)> {
        self.index.nearest(from, kind).map(|(i, d2)| (i, d2.sqrt()))
    }

    fn within(&self, from: [f64; 2], kind: Option<ArenaKind>, radius: f64, visit: &mut dyn FnMut(usize, f64)) {
        for (i, d2) in self.index.within(from, kind, radius) {
            visit(i, d2.sqrt());
        }
    }
}
