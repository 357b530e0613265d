//! The four output layers as [`LayerView`]s over the analysis results. The field lists here are the output
//! contract: styles, scripts and the GeoPackage read these names.

use geo::{Geometry, Point};

use super::{Field, FieldType, GeometryKind, LayerView, Value};
use crate::measure::{DistrictMetrics, Evaluation};
use crate::model::facilities::Facilities;
use crate::model::kinds::Kinds;
use crate::model::study::Study;
use crate::model::{Children, District};
use crate::zones::Zone;

/// Distances and child counts are written to the centimetre / a hundredth of a child.
pub(crate) fn cm(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub use crate::model::format_count;

/// The type of the fields that count children: whole numbers when every input count is whole (INTEGER in the
/// GeoPackage, written without a decimal point in GeoJSON), else real numbers in every format.
pub fn count_type(counts: &[f64]) -> FieldType {
    if counts.iter().all(|c| c.fract() == 0.0 && c.abs() < crate::input::MAX_COUNT) {
        FieldType::Integer
    } else {
        FieldType::Real
    }
}

/// A number as written ([`cm`]), or null.
pub(crate) fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |v| Value::Number(cm(v)))
}

/// A share as written (four decimals), or null.
fn share(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |s| Value::Number((s * 1e4).round() / 1e4))
}

/// A text value.
pub(crate) fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// Districts with their metrics.
pub struct DistrictLayer<'a> {
    districts: &'a [District],
    metrics: &'a [DistrictMetrics],
    fields: Vec<Field>,
    /// Children within the "any" radius in a straight line, per district, when distances are along streets.
    straight: Option<&'a [f64]>,
}

impl<'a> DistrictLayer<'a> {
    /// A view over districts and their metrics.
    pub fn new(study: &'a Study, eval: &'a Evaluation) -> Self {
        use FieldType::*;
        let kinds = &study.kinds;
        let per_kind = |pattern: &str, ty: FieldType| kind_fields(kinds, pattern, ty);
        let count = count_type(&study.children.counts);
        let mut fields = vec![
            Field::new("district_id", Text),
            Field::new("district_name", Text),
            Field::new("children", count),
            Field::new("arenas_total", Integer),
        ];
        fields.extend(per_kind("arenas_{}", Integer));
        fields.extend([
            Field::new("children_covered", count),
            Field::new("children_uncovered", count),
            Field::new("coverage_share", Real),
            Field::new("children_near_radius", count),
            Field::new("coverage_could_swing", Bool),
        ]);
        fields.extend(per_kind("children_covered_{}", count));
        fields.extend([Field::new("mean_distance_m", Real), Field::new("p90_distance_m", Real)]);
        fields.extend(per_kind("mean_distance_{}_m", Real));
        fields.extend([
            Field::new("has_familjecentral", Bool),
            Field::new("need_weight", Real),
            Field::new("gap_score", Real),
            Field::new("gap_rank", Integer),
            Field::new("gap_score_unweighted", Real),
            Field::new("gap_rank_unweighted", Integer),
        ]);
        DistrictLayer { districts: &study.districts, metrics: &eval.districts, fields, straight: None }
    }

    /// With `coverage_share_straight` (after `coverage_share`): each district's share of children within the "any"
    /// radius in a straight line, from `covered` (its children so near), when distances are along streets.
    pub fn with_straight(mut self, covered: Option<&'a [f64]>) -> Self {
        if let Some(covered) = covered {
            let at = self.fields.iter().position(|f| f.name == "coverage_share").map_or(self.fields.len(), |i| i + 1);
            self.fields.insert(at, Field::new("coverage_share_straight", FieldType::Real));
            self.straight = Some(covered);
        }
        self
    }
}

/// One field per kind, `pattern` with `{}` for the kind's id.
fn kind_fields(kinds: &Kinds, pattern: &str, ty: FieldType) -> Vec<Field> {
    kinds.iter().map(|(_, k)| Field::new(pattern.replace("{}", &k.id), ty)).collect()
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
        out.extend([text(&d.id), text(&d.name), Value::Number(cm(m.children)), Value::Number(m.arenas_total as f64)]);
        out.extend(m.arenas.iter().map(|&n| Value::Number(n as f64)));
        out.extend([
            Value::Number(cm(m.children_covered)),
            Value::Number(cm(m.children_uncovered())),
            share(m.coverage_share()),
        ]);
        if let Some(straight) = self.straight {
            out.push(share((m.children > 0.0).then(|| straight[i] / m.children)));
        }
        out.extend([Value::Number(cm(m.children_near_radius)), Value::Bool(m.coverage_could_swing())]);
        out.extend(m.children_covered_kind.iter().map(|&c| Value::Number(cm(c))));
        out.extend([opt(m.mean_distance_m), opt(m.p90_distance_m)]);
        out.extend(m.mean_distance_kind.iter().map(|&x| opt(x)));
        out.extend([
            Value::Bool(m.has_policy_kind),
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
    /// A view over the drawn gap zones; `count` is the type of the children counts ([`count_type`]).
    pub fn new(zones: &'a [Zone], districts: &'a [District], count: FieldType) -> Self {
        use FieldType::*;
        let fields = vec![
            Field::new("zone_id", Integer),
            Field::new("children", count),
            Field::new("nearest_arena_m", Real),
            Field::new("nearest_arena_min_m", Real),
            Field::new("districts", Text),
            Field::new("gap_score", Real),
            Field::new("gap_rank", Integer),
            Field::new("area_km2", Real),
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
            // To the hundred square metres: a 250 m cell is 0.0625 km².
            Value::Number((z.area_km2 * 1e4).round() / 1e4),
        ]);
    }
}

/// One copy of some values for each worker thread, so that threads cloning the same shared text (the id of a
/// popular arena, a million times) never fight over one reference count: that traffic between cores was a tenth
/// of writing a million-point layer.
struct PerThread<T> {
    copies: Vec<T>,
}

impl<T> PerThread<T> {
    fn new(make: impl Fn() -> T) -> Self {
        PerThread { copies: (0..rayon::current_num_threads() + 1).map(|_| make()).collect() }
    }

    /// This thread's copy (threads outside the pool share the last one).
    fn get(&self) -> &T {
        let k = rayon::current_thread_index().unwrap_or(self.copies.len() - 1).min(self.copies.len() - 1);
        &self.copies[k]
    }
}

/// The text values of the child layer.
struct ChildTexts {
    district_ids: Vec<Value>,
    facility_ids: Vec<Value>,
    facility_names: Vec<Value>,
}

/// Child points with their district and nearest arenas.
pub struct ChildLayer<'a> {
    children: &'a Children,
    district: &'a [Option<u32>],
    /// The walking network the points are joined to (`snap_m`), when distances are along streets.
    network: Option<&'a crate::network::Walk>,
    /// Minutes per metre at the walking speed, when minutes are written (`nearest_any_min` …).
    minutes: Option<f64>,
    /// Text values per worker thread (see [`PerThread`]).
    texts: PerThread<ChildTexts>,
    eval: &'a Evaluation,
    fields: Vec<Field>,
}

impl<'a> ChildLayer<'a> {
    /// A view over the child points, their nearest arenas being of `facilities`; with `walk_speed` (km/h), each
    /// distance in minutes too.
    pub fn new(study: &'a Study, facilities: &Facilities, eval: &'a Evaluation, walk_speed: Option<f64>) -> Self {
        use FieldType::*;
        let network = study.network.as_ref().map(|n| &n.walk);
        let minutes = walk_speed.map(|kmh| 60.0 / (kmh * 1000.0));
        let mut fields =
            vec![Field::new("children", count_type(&study.children.counts)), Field::new("district_id", Text)];
        if network.is_some() {
            fields.push(Field::new("snap_m", Real));
        }
        fields.push(Field::new("nearest_any_m", Real));
        if minutes.is_some() {
            fields.push(Field::new("nearest_any_min", Real));
        }
        fields.extend([Field::new("nearest_any_id", Text), Field::new("nearest_any_name", Text)]);
        for (_, k) in study.kinds.iter() {
            fields.push(Field::new(format!("nearest_{}_m", k.id), Real));
            if minutes.is_some() {
                fields.push(Field::new(format!("nearest_{}_min", k.id), Real));
            }
            fields.push(Field::new(format!("nearest_{}_id", k.id), Text));
        }
        fields.push(Field::new("covered", Bool));
        ChildLayer {
            children: &study.children,
            district: &study.child_district,
            network,
            minutes,
            texts: PerThread::new(|| ChildTexts {
                district_ids: study.districts.iter().map(|d| text(&d.id)).collect(),
                facility_ids: facilities.iter().map(|f| text(&f.id)).collect(),
                facility_names: facilities.iter().map(|f| text(&f.name)).collect(),
            }),
            eval,
            fields,
        }
    }

    fn facility(&self, names: &[Value], f: Option<u32>) -> Value {
        f.map_or(Value::Null, |f| names[f as usize].clone())
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
        let any = self.eval.nearest_any(i);
        let texts = self.texts.get();
        out.clear();
        out.extend([
            Value::Number(cm(self.children.counts[i])),
            self.district[i].map_or(Value::Null, |d| texts.district_ids[d as usize].clone()),
        ]);
        if let Some(walk) = self.network {
            out.push(opt(walk.snap_distance(i)));
        }
        out.push(opt(any.map(|x| x.1)));
        if let Some(per_m) = self.minutes {
            out.push(opt(any.map(|x| x.1 * per_m)));
        }
        out.extend([
            self.facility(&texts.facility_ids, any.map(|x| x.0)),
            self.facility(&texts.facility_names, any.map(|x| x.0)),
        ]);
        for k in 0..self.eval.nearest.groups() {
            let near = self.eval.nearest.get(i, k);
            out.push(opt(near.map(|x| x.1)));
            if let Some(per_m) = self.minutes {
                out.push(opt(near.map(|x| x.1 * per_m)));
            }
            out.push(self.facility(&texts.facility_ids, near.map(|x| x.0)));
        }
        out.push(Value::Bool(self.eval.covered(i)));
    }
    fn value(&self, i: usize, field: usize) -> Value {
        match field {
            // `children`, the first field: the count alone, for the map's density grid.
            0 => Value::Number(cm(self.children.counts[i])),
            _ => super::value_from_row(self, i, field),
        }
    }
}

/// Arenas with the children within their radius.
pub struct ArenaLayer<'a> {
    facilities: &'a Facilities,
    kinds: &'a Kinds,
    eval: &'a Evaluation,
    districts: &'a [District],
    fields: Vec<Field>,
}

impl<'a> ArenaLayer<'a> {
    /// A view over the arenas of an evaluation.
    pub fn new(study: &'a Study, facilities: &'a Facilities, eval: &'a Evaluation) -> Self {
        use FieldType::*;
        let fields = vec![
            Field::new("arena_id", Text),
            Field::new("name", Text),
            Field::new("kind", Text),
            Field::new("capacity", Real),
            Field::new("district_id", Text),
            Field::new("radius_m", Real),
            Field::new("children_within_radius", count_type(&study.children.counts)),
        ];
        ArenaLayer { facilities, kinds: &study.kinds, eval, districts: &study.districts, fields }
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
        self.facilities.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        let [x, y] = self.facilities.get(i).position;
        Geometry::Point(Point::new(x, y))
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let f = self.facilities.get(i);
        out.clear();
        out.extend([
            text(&f.id),
            text(&f.name),
            text(&self.kinds.get(f.kind).id),
            Value::Number(f.capacity),
            self.eval.facility_district[i].map_or(Value::Null, |d| text(&self.districts[d as usize].id)),
            Value::Number(self.eval.radius[f.kind.index()]),
            Value::Number(cm(self.eval.children_within[i])),
        ]);
    }
}
