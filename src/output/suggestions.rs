//! The suggested sites as a point layer: their rank, what each adds (children newly covered, or metres of mean
//! distance saved), the districts it serves, and the candidate's own fields.

use geo::{Geometry, Point};

use super::{Field, FieldType, GeometryKind, LayerView, Value};

/// One suggested site.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// 1 = the site that adds most on its own, then each the most given those before it.
    pub rank: u32,
    /// The candidate's id.
    pub id: String,
    /// The candidate's name (may be empty).
    pub name: String,
    /// Its position in the analysis CRS.
    pub position: [f64; 2],
    /// What it adds: children newly covered (coverage) or metres of mean distance saved (distance).
    pub adds: f64,
    /// The districts of the children it adds, most children first.
    pub districts: Vec<String>,
    /// The candidate's own values, aligned with the layer's candidate fields.
    pub values: Vec<Value>,
}

/// The suggestions layer.
pub struct SuggestionLayer<'a> {
    sites: &'a [Site],
    kind: String,
    fields: Vec<Field>,
}

impl<'a> SuggestionLayer<'a> {
    /// A view over `sites` of kind `kind`; `adds` names what a site adds (`children_newly_covered` or
    /// `distance_saved_m`); `candidate_fields` the candidates' own fields (a field the layer has already gets a
    /// `candidate_` prefix).
    pub fn new(sites: &'a [Site], kind: &str, adds: &str, candidate_fields: &[String]) -> Self {
        use FieldType::*;
        let mut fields = vec![
            Field::new("rank", Integer),
            Field::new("candidate_id", Text),
            Field::new("name", Text),
            Field::new("kind", Text),
            Field::new(adds, Real),
            Field::new("districts", Text),
        ];
        for f in candidate_fields {
            let name = if fields.iter().any(|x| x.name == *f) { format!("candidate_{f}") } else { f.clone() };
            fields.push(Field::new(name, Text));
        }
        SuggestionLayer { sites, kind: kind.to_string(), fields }
    }
}

impl LayerView for SuggestionLayer<'_> {
    fn name(&self) -> &str {
        "suggestions"
    }
    fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::Point
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.sites.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        let [x, y] = self.sites[i].position;
        Geometry::Point(Point::new(x, y))
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        let s = &self.sites[i];
        out.clear();
        out.extend([
            Value::Number(s.rank as f64),
            Value::Text(s.id.as_str().into()),
            Value::Text(s.name.as_str().into()),
            Value::Text(self.kind.as_str().into()),
            Value::Number((s.adds * 100.0).round() / 100.0),
            Value::Text(s.districts.join(", ").into()),
        ]);
        // Candidate values as text: the file's own types vary from row to row in CSV, and the layer's fields are
        // fixed; a number is written as a planner would type it.
        out.extend(s.values.iter().map(|v| v.to_text().map_or(Value::Null, |t| Value::Text(t.into()))));
    }
}
