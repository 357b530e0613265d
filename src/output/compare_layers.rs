//! The layers of a scenario comparison, as [`LayerView`]s: districts with before, after and change; the child
//! points that changed; the scenario's arenas with the added and closed ones flagged; and the table of scenarios.
//! The field lists here are the compare output contract (the compare styles read `change` and `status`).

use geo::{Geometry, GeometryCollection, Point};

use super::layers::{cm, opt as number, text, ArenaLayer};
use super::{Field, FieldType, GeometryKind, LayerView, Value};
use crate::measure::compare::{Change, ChildChange, Comparison, Side, Summary};
use crate::measure::DistrictMetrics;
use crate::model::kinds::Kinds;
use crate::model::District;

/// `after − before` as written (both rounded first, so the change is what a reader subtracts); null if either is.
fn change(before: Option<f64>, after: Option<f64>) -> Value {
    match (before, after) {
        (Some(b), Some(a)) => Value::Number(cm(cm(a) - cm(b))),
        _ => Value::Null,
    }
}

/// The type of the children counts of a comparison: whole when both sides' input counts are
/// ([`crate::output::layers::count_type`]), as analyze writes them.
fn both_counts(before: &Side, after: &Side) -> FieldType {
    use crate::output::layers::count_type;
    match (count_type(&before.study.children.counts), count_type(&after.study.children.counts)) {
        (FieldType::Integer, FieldType::Integer) => FieldType::Integer,
        _ => FieldType::Real,
    }
}

/// The compared district numbers: a name and how to read it from the metrics.
type Metric = (&'static str, fn(&DistrictMetrics) -> Option<f64>);

const DISTRICT_METRICS: [Metric; 6] = [
    ("children", |m| Some(m.children)),
    ("children_covered", |m| Some(m.children_covered)),
    ("coverage_share", |m| m.coverage_share().map(|s| (s * 1e4).round() / 1e4)),
    ("mean_distance_m", |m| m.mean_distance_m),
    ("gap_score", |m| Some(m.gap_score)),
    ("gap_rank", |m| Some(m.gap_rank as f64)),
];

/// Districts with each compared number before, after and its change, and `change`: better, worse or unchanged.
pub struct DistrictDiffLayer<'a> {
    districts: &'a [District],
    before: &'a [DistrictMetrics],
    after: &'a [DistrictMetrics],
    change: &'a [Change],
    fields: Vec<Field>,
}

impl<'a> DistrictDiffLayer<'a> {
    /// A view over the districts of a comparison.
    pub fn new(districts: &'a [District], before: Side<'a>, after: Side<'a>, comparison: &'a Comparison) -> Self {
        use FieldType::*;
        let mut fields =
            vec![Field::new("district_id", Text), Field::new("district_name", Text), Field::new("change", Text)];
        let count = both_counts(&before, &after);
        for (name, _) in DISTRICT_METRICS {
            let ty = match name {
                "gap_rank" => Integer,
                "children" | "children_covered" => count,
                _ => Real,
            };
            for side in ["before", "after", "change"] {
                fields.push(Field::new(format!("{name}_{side}"), ty));
            }
        }
        fields.extend([
            Field::new("has_familjecentral_before", Bool),
            Field::new("has_familjecentral_after", Bool),
            Field::new("has_familjecentral_change", Text),
        ]);
        DistrictDiffLayer {
            districts,
            before: &before.eval.districts,
            after: &after.eval.districts,
            change: &comparison.districts,
            fields,
        }
    }
}

impl LayerView for DistrictDiffLayer<'_> {
    fn name(&self) -> &str {
        "districts_diff"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::MultiPolygon
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.districts.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        Geometry::MultiPolygon(self.districts[i].geometry.clone())
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let (d, b, a) = (&self.districts[i], &self.before[i], &self.after[i]);
        out.clear();
        out.extend([text(&d.id), text(&d.name), text(self.change[i].as_str())]);
        for (name, read) in DISTRICT_METRICS {
            let (x, y) = (read(b), read(a));
            if name == "coverage_share" {
                // A share is written to four decimals, not to the hundredth.
                let diff = x.zip(y).map_or(Value::Null, |(x, y)| Value::Number(((y - x) * 1e4).round() / 1e4));
                out.extend([x.map_or(Value::Null, Value::Number), y.map_or(Value::Null, Value::Number), diff]);
            } else {
                out.extend([number(x), number(y), change(x, y)]);
            }
        }
        let policy = match (b.has_policy_kind, a.has_policy_kind) {
            (false, true) => "gained",
            (true, false) => "lost",
            _ => "unchanged",
        };
        out.extend([Value::Bool(b.has_policy_kind), Value::Bool(a.has_policy_kind), text(policy)]);
    }
}

/// The child points that changed: children, distance to the nearest arena (of any coverage kind, and of each
/// kind) and coverage, before and after; `change`: better, worse, unchanged (only the count changed, or kinds moved
/// both ways), new, gone.
pub struct ChildDiffLayer<'a> {
    before: Side<'a>,
    after: Side<'a>,
    changes: &'a [ChildChange],
    fields: Vec<Field>,
}

impl<'a> ChildDiffLayer<'a> {
    /// A view over the changed child points of a comparison.
    pub fn new(before: Side<'a>, after: Side<'a>, comparison: &'a Comparison) -> Self {
        use FieldType::*;
        let mut fields = vec![
            Field::new("change", Text),
            Field::new("district_id", Text),
            Field::new("children_before", both_counts(&before, &after)),
            Field::new("children_after", both_counts(&before, &after)),
            Field::new("covered_before", Bool),
            Field::new("covered_after", Bool),
            Field::new("nearest_any_m_before", Real),
            Field::new("nearest_any_m_after", Real),
            Field::new("nearest_any_m_change", Real),
            Field::new("nearest_any_name_before", Text),
            Field::new("nearest_any_name_after", Text),
        ];
        for (_, k) in after.study.kinds.iter() {
            fields.push(Field::new(format!("nearest_{}_m_before", k.id), Real));
            fields.push(Field::new(format!("nearest_{}_m_after", k.id), Real));
        }
        ChildDiffLayer { before, after, changes: &comparison.children, fields }
    }
}

impl LayerView for ChildDiffLayer<'_> {
    fn name(&self) -> &str {
        "children_diff"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::Point
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.changes.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        let c = &self.changes[i];
        let [x, y] = match (c.after, c.before) {
            (Some(a), _) => self.after.study.children.points[a as usize],
            (None, Some(b)) => self.before.study.children.points[b as usize],
            (None, None) => [f64::NAN, f64::NAN],
        };
        Geometry::Point(Point::new(x, y))
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let c = &self.changes[i];
        let (b, a) = (c.before.map(|i| i as usize), c.after.map(|i| i as usize));
        let district = |side: &Side, i: Option<usize>| {
            i.and_then(|i| side.study.child_district[i]).map(|d| text(&side.study.districts[d as usize].id))
        };
        let count = |side: &Side, i: Option<usize>| i.map(|i| side.study.children.counts[i]);
        let covered = |side: &Side, i: Option<usize>| i.map_or(Value::Null, |i| Value::Bool(side.eval.covered(i)));
        let nearest = |side: &Side, i: Option<usize>| i.and_then(|i| side.eval.nearest_any(i));
        let name = |side: &Side, i: Option<usize>| {
            nearest(side, i).map_or(Value::Null, |(f, _)| text(&side.facilities.get(f as usize).name))
        };
        let (xb, xa) = (nearest(&self.before, b).map(|x| x.1), nearest(&self.after, a).map(|x| x.1));
        out.clear();
        out.extend([
            text(c.change.as_str()),
            district(&self.after, a).or_else(|| district(&self.before, b)).unwrap_or(Value::Null),
            number(count(&self.before, b)),
            number(count(&self.after, a)),
            covered(&self.before, b),
            covered(&self.after, a),
            number(xb),
            number(xa),
            change(xb, xa),
            name(&self.before, b),
            name(&self.after, a),
        ]);
        for k in 0..self.after.eval.nearest.groups() {
            out.push(number(b.and_then(|i| self.before.eval.nearest.cost(i, k))));
            out.push(number(a.and_then(|i| self.after.eval.nearest.cost(i, k))));
        }
    }
}

/// Whether an arena of a scenario is one of the baseline's, added, or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArenaStatus {
    /// Open in both.
    Existing,
    /// Added by the scenario.
    Added,
    /// Closed by the scenario.
    Closed,
}

impl ArenaStatus {
    /// The value of the `status` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ArenaStatus::Existing => "existing",
            ArenaStatus::Added => "added",
            ArenaStatus::Closed => "closed",
        }
    }
}

/// The scenario's arenas (the kept ones, then the added ones), then the closed ones of the baseline: the arenas
/// layer's fields and `status`.
pub struct ScenarioArenaLayer<'a> {
    open: ArenaLayer<'a>,
    base: ArenaLayer<'a>,
    /// How many of the scenario's arenas are kept (the rest are added).
    kept: usize,
    closed: &'a [usize],
    fields: Vec<Field>,
}

impl<'a> ScenarioArenaLayer<'a> {
    /// A view over the arenas of `after` (its first `kept` being the baseline's) and the `closed` ones of `before`.
    pub fn new(before: Side<'a>, after: Side<'a>, kept: usize, closed: &'a [usize]) -> Self {
        let open = ArenaLayer::new(after.study, after.facilities, after.eval);
        let base = ArenaLayer::new(before.study, before.facilities, before.eval);
        let mut fields = open.fields().to_vec();
        fields.push(Field::new("status", FieldType::Text));
        ScenarioArenaLayer { open, base, kept, closed, fields }
    }

    fn row(&self, i: usize) -> (&ArenaLayer<'a>, usize, ArenaStatus) {
        if i < self.kept {
            (&self.open, i, ArenaStatus::Existing)
        } else if i < self.open.len() {
            (&self.open, i, ArenaStatus::Added)
        } else {
            (&self.base, self.closed[i - self.open.len()], ArenaStatus::Closed)
        }
    }
}

impl LayerView for ScenarioArenaLayer<'_> {
    fn name(&self) -> &str {
        "arenas"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::Point
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.open.len() + self.closed.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        let (layer, j, _) = self.row(i);
        layer.geometry(j)
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let (layer, j, status) = self.row(i);
        layer.values(j, out);
        out.push(text(status.as_str()));
    }
}

/// One scenario's row of `scenarios.csv`.
#[derive(Clone, Debug)]
pub struct ScenarioRow {
    /// The scenario's name.
    pub name: String,
    /// Its folder in the output folder.
    pub folder: String,
    /// Arenas added and closed.
    pub added: usize,
    /// Arenas closed.
    pub closed: usize,
    /// Whether it has its own population.
    pub population: bool,
    /// The comparison's headline numbers.
    pub summary: Summary,
    /// The district of the largest rank move, by name.
    pub largest_move_district: Option<String>,
}

/// `scenarios.csv`: one row per scenario (no geometry).
pub struct ScenarioTable<'a> {
    rows: &'a [ScenarioRow],
    fields: Vec<Field>,
}

impl<'a> ScenarioTable<'a> {
    /// The table of `rows`, with a newly-covered column per kind of `kinds`.
    pub fn new(rows: &'a [ScenarioRow], kinds: &Kinds) -> Self {
        use FieldType::*;
        let mut fields = vec![
            Field::new("scenario", Text),
            Field::new("folder", Text),
            Field::new("arenas_added", Integer),
            Field::new("arenas_closed", Integer),
            Field::new("population_changed", Bool),
            Field::new("children_before", Real),
            Field::new("children_after", Real),
            Field::new("children_covered_before", Real),
            Field::new("children_covered_after", Real),
            Field::new("children_newly_covered", Real),
        ];
        fields.extend(kinds.iter().map(|(_, k)| Field::new(format!("children_newly_covered_{}", k.id), Real)));
        fields.extend([
            Field::new("children_losing_coverage", Real),
            Field::new("mean_distance_m_before", Real),
            Field::new("mean_distance_m_after", Real),
            Field::new("mean_distance_m_change", Real),
            Field::new("districts_better", Integer),
            Field::new("districts_worse", Integer),
            Field::new("districts_gaining_familjecentral", Integer),
            Field::new("districts_losing_familjecentral", Integer),
            Field::new("gap_rank_moves", Integer),
            Field::new("largest_gap_rank_move", Text),
        ]);
        ScenarioTable { rows, fields }
    }
}

/// "Billdal 1 → 9": a district's rank before and after.
pub fn rank_move(name: &str, before: u32, after: u32) -> String {
    format!("{name} {before} → {after}")
}

impl LayerView for ScenarioTable<'_> {
    fn name(&self) -> &str {
        "scenarios"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::Point
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
    fn geometry(&self, _: usize) -> Geometry<f64> {
        Geometry::GeometryCollection(GeometryCollection::default())
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let r = &self.rows[i];
        let s = &r.summary;
        out.clear();
        out.extend([
            text(&r.name),
            text(&r.folder),
            Value::Number(r.added as f64),
            Value::Number(r.closed as f64),
            Value::Bool(r.population),
            Value::Number(cm(s.children.0)),
            Value::Number(cm(s.children.1)),
            Value::Number(cm(s.covered.0)),
            Value::Number(cm(s.covered.1)),
            Value::Number(cm(s.newly_covered)),
        ]);
        out.extend(s.newly_covered_kind.iter().map(|&c| Value::Number(cm(c))));
        out.extend([
            Value::Number(cm(s.losing_coverage)),
            number(s.mean_distance.0),
            number(s.mean_distance.1),
            change(s.mean_distance.0, s.mean_distance.1),
            Value::Number(s.districts_better as f64),
            Value::Number(s.districts_worse as f64),
            Value::Number(s.policy_gained as f64),
            Value::Number(s.policy_lost as f64),
            Value::Number(s.rank_moves as f64),
            match (&r.largest_move_district, s.largest_rank_move) {
                (Some(name), Some((_, b, a))) => text(&rank_move(name, b, a)),
                _ => Value::Null,
            },
        ]);
    }
}
