//! Reading the polygons and tables a child table is made from: ids unique and joinable, values numbers ≥ 0.

use std::collections::HashMap;
use std::path::Path;

use geo::MultiPolygon;

use super::join_key;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::input::layers::{id_of, polygon_of, read_projected};
use crate::input::{ReadOptions, Table};

/// Polygons with a unique id each, and the layer's other kept fields.
pub(super) struct Polygons {
    pub ids: Vec<String>,
    pub polygons: Vec<MultiPolygon<f64>>,
    pub layer: crate::input::Layer,
}

pub(super) fn read_polygons(
    path: &Path,
    table: Option<&str>,
    id: &str,
    other_fields: &[&str],
    what: &str,
    fallback: Option<Crs>,
    analysis: Crs,
) -> Result<Polygons> {
    let mut keep = vec![id.to_string()];
    keep.extend(other_fields.iter().map(|s| s.to_string()));
    let options = ReadOptions { keep_fields: Some(keep), layer: table.map(str::to_string), ..Default::default() };
    let projected = read_projected(path, &options, fallback, analysis)?;
    let layer = projected.layer;
    if layer.features.is_empty() {
        return Err(Error::input(path, format!("has no features: {what} need at least one polygon")));
    }
    let id_field = layer.field_index(id)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ids = Vec::with_capacity(layer.features.len());
    let mut polygons = Vec::with_capacity(layer.features.len());
    for i in 0..layer.features.len() {
        let key = join_key(&id_of(&layer, i, id_field)?);
        if let Some(first) = seen.insert(key.clone(), i) {
            return Err(layer.feature_error(i, format!("duplicate id '{key}' (also {})", layer.location(first))));
        }
        polygons.push(polygon_of(&layer, i, what)?);
        ids.push(key);
    }
    Ok(Polygons { ids, polygons, layer })
}

/// Reads a table's id and value columns: ids unique and non-empty, values numbers ≥ 0.
pub(super) fn read_id_values(table: &Table, id: &str, value: &str) -> Result<Vec<(String, f64)>> {
    let id_col = table.column(id)?;
    let value_col = table.column(value)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    for r in 0..table.rows.len() {
        let key = join_key(table.rows[r].get(id_col).map(String::as_str).unwrap_or(""));
        if key.is_empty() {
            return Err(Error::feature(
                &table.path,
                table.location(r),
                format!("'{}' is empty", table.columns[id_col]),
            ));
        }
        if let Some(first) = seen.insert(key.clone(), r) {
            return Err(Error::feature(
                &table.path,
                table.location(r),
                format!("duplicate id '{key}' (also {})", table.location(first)),
            ));
        }
        rows.push((key, table.count(r, value_col)?));
    }
    Ok(rows)
}
