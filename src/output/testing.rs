//! A layer made of plain vectors, for the output writers' tests.

use geo::Geometry;

use super::{Field, GeometryKind, LayerView, Value};

/// A layer whose geometries and values are given directly.
pub(crate) struct TestLayer {
    pub name: &'static str,
    pub kind: GeometryKind,
    pub fields: Vec<Field>,
    pub geometries: Vec<Geometry<f64>>,
    pub rows: Vec<Vec<Value>>,
}

impl TestLayer {
    /// A layer from (geometry, values) pairs.
    pub fn from_rows(
        name: &'static str,
        kind: GeometryKind,
        fields: Vec<Field>,
        rows: Vec<(Geometry<f64>, Vec<Value>)>,
    ) -> Self {
        let (geometries, rows) = rows.into_iter().unzip();
        TestLayer { name, kind, fields, geometries, rows }
    }

    /// A layer of points at the origin with these values, for writers that read only the values.
    pub fn values_only(name: &'static str, fields: Vec<Field>, rows: Vec<Vec<Value>>) -> Self {
        let geometries = rows.iter().map(|_| Geometry::Point(geo::Point::new(0.0, 0.0))).collect();
        TestLayer { name, kind: GeometryKind::Point, fields, geometries, rows }
    }
}

impl LayerView for TestLayer {
    fn name(&self) -> &str {
        self.name
    }
    fn geometry_kind(&self) -> GeometryKind {
        self.kind
    }
    fn fields(&self) -> &[Field] {
        &self.fields
    }
    fn len(&self) -> usize {
        self.geometries.len()
    }
    fn geometry(&self, i: usize) -> Geometry<f64> {
        self.geometries[i].clone()
    }
    fn values(&self, i: usize, out: &mut Vec<Value>) {
        out.clear();
        out.extend(self.rows[i].iter().cloned());
    }
}
