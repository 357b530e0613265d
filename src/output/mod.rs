//! Writing results: every output format reads the same [`LayerView`]s, so a field added to a layer appears in
//! GeoJSON, CSV and GeoPackage alike.

pub mod map;

pub use crate::input::Value;

/// The type of an output field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A whole number.
    Integer,
    /// A real number.
    Real,
    /// Text.
    Text,
    /// true/false.
    Bool,
}

/// One output field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its name (a contract: scripts and styles use it).
    pub name: String,
    /// Its type.
    pub ty: FieldType,
}

impl Field {
    /// A field.
    pub fn new(name: impl Into<String>, ty: FieldType) -> Self {
        Field { name: name.into(), ty }
    }
}

/// The geometry type of an output layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeometryKind {
    /// Points.
    Point,
    /// (Multi)polygons.
    MultiPolygon,
}

/// A read-only view of one output layer: writers pull geometries and values from it row by row, so that a large
/// layer (a million child points) is never held twice.
pub trait LayerView: Sync {
    /// The layer's name: `districts`, `gaps`, `children`, `arenas`.
    fn name(&self) -> &str;
    /// Its geometry type.
    fn geometry_kind(&self) -> GeometryKind;
    /// Its fields, in output order.
    fn fields(&self) -> &[Field];
    /// How many features it has.
    fn len(&self) -> usize;
    /// Whether it has no features.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Feature `i`'s geometry, in the analysis CRS.
    fn geometry(&self, i: usize) -> geo::Geometry<f64>;
    /// Feature `i`'s values, aligned with [`LayerView::fields`], written into `out` (cleared first).
    fn values(&self, i: usize, out: &mut Vec<Value>);
    /// Feature `i`'s value of field `field` (an index into [`LayerView::fields`]; `Null` beyond them). By default
    /// taken from [`LayerView::values`]; a large layer answers it without building the whole row.
    fn value(&self, i: usize, field: usize) -> Value {
        value_from_row(self, i, field)
    }
}

/// Field `field` of feature `i`, from its whole row: [`LayerView::value`]'s default.
pub fn value_from_row(layer: &(impl LayerView + ?Sized), i: usize, field: usize) -> Value {
    let mut values = Vec::new();
    layer.values(i, &mut values);
    values.into_iter().nth(field).unwrap_or(Value::Null)
}

/// Every row of `layer`, in the order of the number field `by` (ascending, rows without a number last, ties in
/// layer order) or in layer order without one: for the tables that rank districts (the workbook, the report).
pub fn sorted_rows(layer: &dyn LayerView, by: Option<&str>) -> Vec<Vec<Value>> {
    let key = by.and_then(|name| layer.fields().iter().position(|f| f.name == name));
    let mut rows: Vec<Vec<Value>> = (0..layer.len())
        .map(|i| {
            let mut values = Vec::new();
            layer.values(i, &mut values);
            values
        })
        .collect();
    if let Some(k) = key {
        let number = |row: &Vec<Value>| match row.get(k) {
            Some(Value::Number(n)) if n.is_finite() => *n,
            _ => f64::INFINITY,
        };
        // A stable sort: ties keep layer order.
        rows.sort_by(|a, b| number(a).total_cmp(&number(b)));
    }
    rows
}

/// Escapes text for XML (the QGIS styles and project, the SVG map): the five special characters as entities, and
/// control characters as spaces (XML 1.0 cannot hold most of them; a line break inside a label or attribute would
/// only be read as a space).
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold: control characters and the noncharacters U+FFFE, U+FFFF.
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub mod atomic;
pub mod catchments;
pub mod compare_layers;
pub mod distance;
pub mod geojson;
pub mod gpkg;
pub mod layers;
pub mod qgis;
pub mod report;
pub mod run;
pub mod suggestions;
pub mod symbology;
pub mod table;
#[cfg(test)]
pub(crate) mod testing;
pub mod workbook;
