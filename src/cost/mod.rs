//! The cost model: how far (or how long) each origin — a child point — is from facilities. This is the only way
//! the engine measures distance, so a street network can take the place of straight lines without the engine
//! changing.
//!
//! A model is built over the origins once (a grid for straight lines; snapped network nodes for a street
//! network) and then asked about many facility sets, in bulk: that is what scenarios and siting do, and how both a
//! grid search and a multi-source Dijkstra answer fastest.
//!
//! **Ties.** `nearest` names one facility per origin and group: the one at the smallest cost, and among equally
//! near ones the one that comes first in the facility set. So the answer is the same every run, whatever the
//! number of threads.

mod euclidean;
mod network;

pub use euclidean::StraightLine;
pub use network::Streets;

use crate::model::facilities::Facilities;

/// The unit of a cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Metres (straight line or along streets).
    Metres,
    /// Seconds (travel time).
    Seconds,
}

impl Unit {
    /// The suffix used in field names: `m`, `s`.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Metres => "m",
            Unit::Seconds => "s",
        }
    }
}

/// "No facility" in [`Nearest::facility`].
pub const NONE: u32 = u32::MAX;

/// For every origin and group (kind), the nearest facility and its cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nearest {
    groups: usize,
    cost: Vec<f64>,
    facility: Vec<u32>,
}

impl Nearest {
    /// A table for `origins` × `groups`, every entry "none".
    pub fn empty(origins: usize, groups: usize) -> Self {
        Nearest { groups, cost: vec![f64::NAN; origins * groups], facility: vec![NONE; origins * groups] }
    }

    /// How many groups.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// How many origins.
    pub fn origins(&self) -> usize {
        self.cost.len().checked_div(self.groups).unwrap_or(0)
    }

    /// The nearest facility of group `g` to origin `i` (its index in the facility set) and its cost.
    pub fn get(&self, i: usize, g: usize) -> Option<(u32, f64)> {
        let k = i * self.groups + g;
        let f = self.facility[k];
        (f != NONE).then(|| (f, self.cost[k]))
    }

    /// The cost to the nearest facility of group `g` from origin `i`.
    pub fn cost(&self, i: usize, g: usize) -> Option<f64> {
        self.get(i, g).map(|x| x.1)
    }

    /// The nearest facility among the groups where `include[g]`, by the same rule (smallest cost, then first in
    /// the facility set).
    pub fn nearest_among(&self, i: usize, include: &[bool]) -> Option<(u32, f64)> {
        self.nearest_kind_among(i, include).and_then(|g| self.get(i, g))
    }

    /// The group of [`Nearest::nearest_among`].
    pub fn nearest_kind_among(&self, i: usize, include: &[bool]) -> Option<usize> {
        let row = i * self.groups..(i + 1) * self.groups;
        let (costs, facilities) = (&self.cost[row.clone()], &self.facility[row]);
        let mut best: Option<usize> = None;
        for g in 0..self.groups.min(include.len()) {
            let f = facilities[g];
            if !include[g] || f == NONE {
                continue;
            }
            let better = match best {
                None => true,
                Some(b) => costs[g] < costs[b] || (costs[g] == costs[b] && f < facilities[b]),
            };
            if better {
                best = Some(g);
            }
        }
        best
    }

    /// Sets the nearest facility of group `g` to origin `i`.
    pub fn set(&mut self, i: usize, g: usize, facility: u32, cost: f64) {
        let k = i * self.groups + g;
        self.facility[k] = facility;
        self.cost[k] = cost;
    }

    /// Origin `i`'s row: its cost and facility per group.
    pub fn row(&self, i: usize) -> (&[f64], &[u32]) {
        let r = i * self.groups..(i + 1) * self.groups;
        (&self.cost[r.clone()], &self.facility[r])
    }

    /// Replaces origin `i`'s row.
    pub fn set_row(&mut self, i: usize, cost: &[f64], facility: &[u32]) {
        let r = i * self.groups..(i + 1) * self.groups;
        self.cost[r.clone()].copy_from_slice(cost);
        self.facility[r].copy_from_slice(facility);
    }

    /// The whole table, to fill in place: costs and facilities, `groups` entries per origin.
    pub fn rows_mut(&mut self) -> (&mut [f64], &mut [u32]) {
        (&mut self.cost, &mut self.facility)
    }
}

/// Every origin→facility pair within a cost, as a sparse table with one row per facility (compressed sparse
/// rows): row `f` lists the origins within its cut-off, in ascending order, with their costs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Within {
    starts: Vec<usize>,
    origins: Vec<u32>,
    costs: Vec<f64>,
}

impl Within {
    /// A table from its rows, each sorted by origin.
    pub fn from_rows(rows: Vec<Vec<(u32, f64)>>) -> Self {
        let total = rows.iter().map(Vec::len).sum();
        let mut w = Within {
            starts: Vec::with_capacity(rows.len() + 1),
            origins: Vec::with_capacity(total),
            costs: Vec::with_capacity(total),
        };
        w.starts.push(0);
        for row in rows {
            for (o, c) in row {
                w.origins.push(o);
                w.costs.push(c);
            }
            w.starts.push(w.origins.len());
        }
        w
    }

    /// How many facilities (rows).
    pub fn rows(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// How many pairs in all.
    pub fn pairs(&self) -> usize {
        self.origins.len()
    }

    /// Row `f`: the origins within the cut-off of facility `f`, ascending, and their costs.
    pub fn row(&self, f: usize) -> (&[u32], &[f64]) {
        let r = self.starts[f]..self.starts[f + 1];
        (&self.origins[r.clone()], &self.costs[r])
    }

    /// The same pairs with one row per origin (`origins` of them), each sorted by facility.
    pub fn by_origin(&self, origins: usize) -> Within {
        let mut counts = vec![0usize; origins + 1];
        for &o in &self.origins {
            counts[o as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let mut out_f = vec![0u32; self.origins.len()];
        let mut out_c = vec![0.0; self.origins.len()];
        for f in 0..self.rows() {
            let (os, cs) = self.row(f);
            for (&o, &c) in os.iter().zip(cs) {
                let k = next[o as usize];
                out_f[k] = f as u32;
                out_c[k] = c;
                next[o as usize] += 1;
            }
        }
        Within { starts: counts, origins: out_f, costs: out_c }
    }
}

/// A way of measuring how far facilities are from a fixed set of origins (the child points it was built over).
pub trait CostModel: Sync {
    /// A short name for run.json: `straight-line`.
    fn name(&self) -> &'static str;
    /// The unit of its costs.
    fn unit(&self) -> Unit;
    /// How many origins it was built over.
    fn origins(&self) -> usize;
    /// For every origin, the nearest facility of each of `groups` groups, facility `f` being in group
    /// `group[f]` (`None`: in no group, never nearest). Ties: see the module documentation.
    fn nearest(&self, facilities: &Facilities, group: &[Option<usize>], groups: usize) -> Nearest;
    /// Every origin within `cutoff[f]` of facility `f` (inclusive), one row per facility.
    fn within(&self, facilities: &Facilities, cutoff: &[f64]) -> Within;
    /// [`CostModel::nearest`] for only the listed origins: row `k` of the table is origin `origins[k]`'s, exactly
    /// as the whole table would have it. What re-scoring asks for the origins a closed facility served.
    fn nearest_of(&self, origins: &[u32], facilities: &Facilities, group: &[Option<usize>], groups: usize) -> Nearest;
    /// The origins to which facility `f` of `facilities` is nearer, strictly, than `current(origin)` (a facility
    /// of the same set and its cost, as this model measured it; `None`: no facility yet), with their cost to `f`,
    /// ascending: those whose nearest of `f`'s group becomes `f` when `f` comes after every facility it is compared
    /// with. What re-scoring asks of an added one.
    fn nearer(
        &self,
        facilities: &Facilities,
        f: usize,
        current: &(dyn Fn(usize) -> Option<(u32, f64)> + Sync),
    ) -> Vec<(u32, f64)>;
}
