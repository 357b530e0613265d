//! The four output layers as [`LayerView`]s over the analysis results. The field lists here are the output
//! contract: styles, scripts and the GeoPackage read these names.

use geo::{Geometry, Point};

use super::{Field, FieldType, GeometryKind, LayerView, Value};
use crate::engine::{Analysis, ChildResult, DistrictMetrics};
use crate::model::{Arena, ArenaKind, Children, District};
use crate::zones::Zone;

/// Distances and child counts are written to the centimetre / a hundredth of a child.
fn cm(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A child count for people: whole numbers with a space between thousands (`1 080`), else one decimal.
pub fn format_count(n: f64) -> String {
    let rounded = n.round();
    if (n - rounded).abs() > 0.05 {
        return format!("{n:.1}");
    }
    let digits = format!("{}", rounded.abs() as u64);
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    if rounded < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |v| Value::Number(cm(v)))
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// Districts with their metrics.
pub struct DistrictLayer<'a> {
    districts: &'a [District],
    metrics: &'a [DistrictMetrics],
    fields: Vec<Field>,
}

impl<'a> DistrictLayer<'a> {
    /// A view over districts and their metrics.
    pub fn new(districts: &'a [District], analysis: &'a Analysis) -> Self {
        use FieldType::*;
        let mut fields = vec![
            Field::new("district_id", Text),
            Field::new("district_name", Text),
            Field::new("children", Real),
            Field::new("arenas_total", Integer),
        ];
        fields.extend(ArenaKind::ALL.map(|k| Field::new(format!("arenas_{}", k.id()), Integer)));
        fields.extend([
            Field::new("children_covered", Real),
            Field::new("children_uncovered", Real),
            Field::new("coverage_share", Real),
        ]);
        fields.extend(ArenaKind::ALL.map(|k| Field::new(format!("children_covered_{}", k.id()), Real)));
        fields.extend([
            Field::new("mean_distance_m", Real),
            Field::new("p90_distance_m", Real),
            Field::new("has_familjecentral", Bool),
            Field::new("need_weight", Real),
            Field::new("gap_score", Real),
            Field::new("gap_rank", Integer),
            Field::new("gap_score_unweighted", Real),
            Field::new("gap_rank_unweighted", Integer),
        ]);
        DistrictLayer { districts, metrics: &analysis.districts, fields }
    }
}

impl LayerView for DistrictLayer<'_> {
    fn name(&self) -> &str {
        "districts"
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
        let d = &self.districts[i];
        let m = &self.metrics[i];
        out.clear();
        out.extend([text(&d.id), text(&d.name), Value::Number(cm(m.children)), Value::Number(m.arenas_total() as f64)]);
        out.extend(m.arenas.map(|n| Value::Number(n as f64)));
        out.extend([
            Value::Number(cm(m.children_covered)),
            Value::Number(cm(m.children_uncovered())),
            m.coverage_share().map_or(Value::Null, |s| Value::Number((s * 1e4).round() / 1e4)),
        ]);
        out.extend(m.children_covered_kind.map(|c| Value::Number(cm(c))));
        out.extend([
            opt(m.mean_distance_m),
            opt(m.p90_distance_m),
            Value::Bool(m.has_familjecentral()),
            Value::Number(m.need_weight),
            Value::Number(cm(m.gap_score)),
            Value::Number(m.gap_rank as f64),
            Value::Number(cm(m.gap_score_unweighted)),
            Value::Number(m.gap_rank_unweighted as f64),
        ]);
    }
}

/// Gap zones.
pub struct GapLayer<'a> {
    zones: &'a [Zone],
    districts: &'a [District],
    fields: Vec<Field>,
}

impl<'a> GapLayer<'a> {
    /// A view over the drawn gap zones.
    pub fn new(zones: &'a [Zone], districts: &'a [District]) -> Self {
        use FieldType::*;
        let fields = vec![
            Field::new("zone_id", Integer),
            Field::new("children", Real),
            Field::new("nearest_arena_m", Real),
            Field::new("nearest_arena_min_m", Real),
            Field::new("districts", Text),
            Field::new("gap_score", Real),
            Field::new("gap_rank", Integer),
        ];
        GapLayer { zones, districts, fields }
    }
}

impl LayerView for GapLayer<'_> {
    fn name(&self) -> &str {
        "gaps"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::MultiPolygon
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.zones.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        Geometry::MultiPolygon(self.zones[i].polygon.clone())
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let z = &self.zones[i];
        let names: Vec<&str> = z.districts.iter().map(|&d| self.districts[d as usize].name.as_str()).collect();
        out.clear();
        out.extend([
            Value::Number(z.zone_id as f64),
            Value::Number(cm(z.children)),
            opt(z.nearest_arena_m),
            opt(z.nearest_arena_min_m),
            text(&names.join(", ")),
            Value::Number(cm(z.gap_score)),
            Value::Number(z.gap_rank as f64),
        ]);
    }
}

/// Child points with their district and nearest distances.
pub struct ChildLayer<'a> {
    children: &'a Children,
    district_ids: Vec<Value>,
    results: &'a [ChildResult],
    radius: f64,
    fields: Vec<Field>,
}

impl<'a> ChildLayer<'a> {
    /// A view over the child points.
    pub fn new(children: &'a Children, districts: &'a [District], analysis: &'a Analysis) -> Self {
        use FieldType::*;
        let mut fields =
            vec![Field::new("children", Real), Field::new("district_id", Text), Field::new("nearest_any_m", Real)];
        fields.extend(ArenaKind::ALL.map(|k| Field::new(format!("nearest_{}_m", k.id()), Real)));
        fields.push(Field::new("covered", Bool));
        let district_ids = districts.iter().map(|d| text(&d.id)).collect();
        ChildLayer { children, district_ids, results: &analysis.children, radius: analysis.radii.any, fields }
    }
}

impl LayerView for ChildLayer<'_> {
    fn name(&self) -> &str {
        "children"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::Point
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.children.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        let [x, y] = self.children.points[i];
        Geometry::Point(Point::new(x, y))
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let r = &self.results[i];
        out.clear();
        out.extend([
            Value::Number(cm(self.children.counts[i])),
            r.district.map_or(Value::Null, |d| self.district_ids[d as usize].clone()),
            opt(r.nearest_any()),
        ]);
        out.extend(ArenaKind::ALL.map(|k| opt(r.nearest(k))));
        out.push(Value::Bool(r.nearest_any().is_some_and(|d| d <= self.radius)));
    }
}

/// Arenas with the children within their radius.
pub struct ArenaLayer<'a> {
    arenas: &'a [Arena],
    analysis: &'a Analysis,
    districts: &'a [District],
    fields: Vec<Field>,
}

impl<'a> ArenaLayer<'a> {
    /// A view over the arenas used.
    pub fn new(arenas: &'a [Arena], districts: &'a [District], analysis: &'a Analysis) -> Self {
        use FieldType::*;
        let fields = vec![
            Field::new("name", Text),
            Field::new("kind", Text),
            Field::new("district_id", Text),
            Field::new("radius_m", Real),
            Field::new("children_within_radius", Real),
        ];
        ArenaLayer { arenas, analysis, districts, fields }
    }
}

impl LayerView for ArenaLayer<'_> {
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
        self.arenas.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        let [x, y] = self.arenas[i].position;
        Geometry::Point(Point::new(x, y))
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let a = &self.arenas[i];
        out.clear();
        out.extend([
            text(&a.name),
            text(a.kind.id()),
            self.analysis.arena_district[i].map_or(Value::Null, |d| text(&self.districts[d as usize].id)),
            Value::Number(self.analysis.radii.kind[a.kind.index()]),
            Value::Number(cm(self.analysis.arena_children_within[i])),
        ]);
    }
}
