//! The catchment layers, written when distances are along streets: `catchments` (one feature per arena: the
//! ground it reaches within its kind's radius) and `catchments_by_kind` (one per kind, its arenas' dissolved).

use geo::Geometry;

use super::layers::text;
use super::{Field, FieldType, GeometryKind, LayerView, Value};
use crate::model::facilities::Facilities;
use crate::model::kinds::Kinds;
use crate::zones::catchment::Catchment;

fn km2(v: f64) -> Value {
    Value::Number((v * 1e4).round() / 1e4)
}

/// One feature per arena.
pub struct CatchmentLayer<'a> {
    facilities: &'a Facilities,
    kinds: &'a Kinds,
    radius: &'a [f64],
    catchments: &'a [Catchment],
    fields: Vec<Field>,
}

impl<'a> CatchmentLayer<'a> {
    /// The catchments of `facilities` (one each, in order), within `radius` per kind.
    pub fn new(facilities: &'a Facilities, kinds: &'a Kinds, radius: &'a [f64], catchments: &'a [Catchment]) -> Self {
        use FieldType::*;
        let fields = vec![
            Field::new("arena_id", Text),
            Field::new("name", Text),
            Field::new("kind", Text),
            Field::new("radius_m", Real),
            Field::new("area_km2", Real),
        ];
        CatchmentLayer { facilities, kinds, radius, catchments, fields }
    }
}

impl LayerView for CatchmentLayer<'_> {
    fn name(&self) -> &str {
        "catchments"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::MultiPolygon
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.catchments.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        Geometry::MultiPolygon(self.catchments[i].shape.clone())
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let f = self.facilities.get(i);
        out.clear();
        out.extend([
            text(&f.id),
            text(&f.name),
            text(&self.kinds.get(f.kind).id),
            Value::Number(self.radius[f.kind.index()]),
            km2(self.catchments[i].area_km2),
        ]);
    }
}

/// One feature per kind with arenas: their catchments dissolved.
pub struct KindCatchmentLayer<'a> {
    kinds: &'a Kinds,
    radius: &'a [f64],
    /// (kind index, arenas, dissolved catchment)
    rows: Vec<(usize, usize, Catchment)>,
    fields: Vec<Field>,
}

impl<'a> KindCatchmentLayer<'a> {
    /// The catchments of `facilities` (one each, in order) dissolved per kind, in kind order.
    pub fn new(facilities: &Facilities, kinds: &'a Kinds, radius: &'a [f64], catchments: &[Catchment]) -> Self {
        use FieldType::*;
        let rows = (0..kinds.len())
            .filter_map(|k| {
                let members: Vec<&Catchment> =
                    facilities.iter().zip(catchments).filter(|(f, _)| f.kind.index() == k).map(|(_, c)| c).collect();
                (!members.is_empty()).then(|| (k, members.len(), crate::zones::catchment::dissolve(members)))
            })
            .collect();
        let fields = vec![
            Field::new("kind", Text),
            Field::new("label_sv", Text),
            Field::new("radius_m", Real),
            Field::new("arenas", Integer),
            Field::new("area_km2", Real),
        ];
        KindCatchmentLayer { kinds, radius, rows, fields }
    }
}

impl LayerView for KindCatchmentLayer<'_> {
    fn name(&self) -> &str {
        "catchments_by_kind"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::MultiPolygon
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.rows.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        Geometry::MultiPolygon(self.rows[i].2.shape.clone())
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let (k, arenas, c) = &self.rows[i];
        let kind = self.kinds.get(crate::model::kinds::KindId(*k as u16));
        out.clear();
        out.extend([
            text(&kind.id),
            text(&kind.label_sv),
            Value::Number(self.radius[*k]),
            Value::Number(*arenas as f64),
            km2(c.area_km2),
        ]);
    }
}
