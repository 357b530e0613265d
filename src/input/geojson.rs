//! GeoJSON reader: RFC 7946 FeatureCollections, and the legacy `crs` member that QGIS and GDAL write
//! (`urn:ogc:def:crs:EPSG::3006`).

use std::path::Path;

use serde_json::Value as Json;

use super::{keeps, Feature, Format, Layer, ReadOptions, Value};
use crate::crs::Crs;
use crate::error::{Error, Result};

pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::input(path, "is not GeoJSON: the file is not UTF-8 text"),
        _ => Error::io(path, e),
    })?;
    let root: Json =
        serde_json::from_str(&text).map_err(|e| Error::input(path, format!("is not valid GeoJSON: {e}")))?;
    drop(text);
    let Json::Object(mut root) = root else {
        return Err(Error::input(path, "is not GeoJSON: expected a JSON object with \"type\": \"FeatureCollection\""));
    };
    let crs = match root.get("crs") {
        Some(crs) => Some(parse_crs_member(path, crs)?),
        None => None,
    };
    let features = match root.get("type").and_then(Json::as_str) {
        Some("FeatureCollection") => match root.remove("features") {
            Some(Json::Array(features)) => features,
            _ => return Err(Error::input(path, "is not GeoJSON: a FeatureCollection needs a \"features\" array")),
        },
        Some("Feature") => vec![Json::Object(root)],
        Some(other) => {
            return Err(Error::input(
                path,
                format!("is a GeoJSON {other}, expected a FeatureCollection of features with properties"),
            ))
        }
        None => return Err(Error::input(path, "is not GeoJSON: the top-level object has no \"type\"")),
    };

    let mut fields: Vec<String> = Vec::new();
    let mut file_fields: Vec<String> = Vec::new();
    type Row = (Option<geo::Geometry<f64>>, serde_json::Map<String, Json>);
    let mut rows: Vec<Row> = Vec::with_capacity(features.len());
    for (i, feature) in features.into_iter().enumerate() {
        let location = Format::GeoJson.location(i);
        let Json::Object(mut feature) = feature else {
            return Err(Error::feature(path, location, "is not a JSON object"));
        };
        if feature.get("type").and_then(Json::as_str) != Some("Feature") {
            return Err(Error::feature(path, location, "is not a GeoJSON Feature (its \"type\" is not \"Feature\")"));
        }
        let geometry = match feature.remove("geometry") {
            None | Some(Json::Null) => None,
            Some(g) => {
                let g = serde_json::from_value::<geojson::Geometry>(g)
                    .map_err(|e| Error::feature(path, location.clone(), format!("invalid geometry: {e}")))?;
                // The geojson crate's conversion indexes positions as [x, y]: check first that each has both.
                check_positions(&g.value)
                    .map_err(|e| Error::feature(path, location.clone(), format!("invalid geometry: {e}")))?;
                let g = geo::Geometry::<f64>::try_from(g)
                    .map_err(|e| Error::feature(path, location.clone(), format!("invalid geometry: {e}")))?;
                Some(g)
            }
        };
        let properties = match feature.remove("properties") {
            None | Some(Json::Null) => serde_json::Map::new(),
            Some(Json::Object(p)) => p,
            Some(_) => return Err(Error::feature(path, location, "\"properties\" is not an object")),
        };
        for key in properties.keys() {
            if !file_fields.iter().any(|f| f == key) {
                file_fields.push(key.clone());
                if keeps(options, key) {
                    fields.push(key.clone());
                }
            }
        }
        rows.push((geometry, properties));
    }
    let features = rows
        .into_iter()
        .map(|(geometry, mut properties)| Feature {
            geometry,
            values: fields.iter().map(|f| properties.remove(f).map(json_value).unwrap_or(Value::Null)).collect(),
        })
        .collect();
    Ok(Layer::single(path, Format::GeoJson, crs, fields, file_fields, features))
}

/// The CRS named by a legacy GeoJSON `crs` member (`{"type":"name","properties":{"name":"..."}}`).
fn parse_crs_member(path: &Path, crs: &Json) -> Result<Crs> {
    let name = crs.get("properties").and_then(|p| p.get("name")).and_then(Json::as_str).ok_or_else(|| Error::Crs {
        path: path.to_path_buf(),
        message: "has a \"crs\" member arenagap cannot read: expected {\"type\":\"name\",\"properties\":\
                      {\"name\":\"urn:ogc:def:crs:EPSG::3006\"}}"
            .into(),
    })?;
    Crs::parse(name).map_err(|e| Error::Crs { path: path.to_path_buf(), message: format!("crs \"{name}\": {e}") })
}

fn json_value(v: Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => n.as_f64().map(Value::Number).unwrap_or(Value::Null),
        Json::String(s) => Value::Text(s.into()),
        other => Value::Text(other.to_string().into()),
    }
}

/// Every position of a geometry has at least two numbers (x and y; a third, the height, is allowed and dropped).
fn check_positions(value: &geojson::GeometryValue) -> std::result::Result<(), String> {
    use geojson::GeometryValue as G;
    fn all<'a>(positions: impl IntoIterator<Item = &'a geojson::Position>) -> std::result::Result<(), String> {
        for p in positions {
            if p.len() < 2 {
                return Err(format!(
                    "a position has {} number(s), [{}]; a position needs at least two, [x, y]",
                    p.len(),
                    p.as_slice().iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        Ok(())
    }
    match value {
        G::Point { coordinates } => all([coordinates]),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => all(coordinates),
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => all(coordinates.iter().flatten()),
        G::MultiPolygon { coordinates } => all(coordinates.iter().flatten().flatten()),
        G::GeometryCollection { geometries } => geometries.iter().try_for_each(|g| check_positions(&g.value)),
    }
}
