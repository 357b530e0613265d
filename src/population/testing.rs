//! Helpers for the population tests: polygons and files in SWEREF 99 TM.

use std::path::{Path, PathBuf};

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{json, Value as Json};

use crate::input::sources::{SpreadSource, TableSource};

/// Offsets that put test coordinates inside the valid area of SWEREF 99 TM.
pub const X0: f64 = 300_000.0;
pub const Y0: f64 = 6_400_000.0;

pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

pub fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
    Polygon::new(LineString(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect()), vec![])
}

pub fn write_geojson(dir: &Path, name: &str, features: &[(Json, Vec<[f64; 2]>)]) -> PathBuf {
    let features: Vec<Json> = features
        .iter()
        .map(|(props, ring)| {
            json!({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}})
        })
        .collect();
    write_collection(dir, name, features)
}

/// Writes `features` as a FeatureCollection in SWEREF 99 TM (the legacy `crs` member).
fn write_collection(dir: &Path, name: &str, features: Vec<Json>) -> PathBuf {
    let doc = json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": features,
    });
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

/// Writes (multi)polygons with holes, in SWEREF 99 TM.
pub fn write_areas(dir: &Path, name: &str, features: &[(Json, MultiPolygon<f64>)]) -> PathBuf {
    let ring = |r: &LineString<f64>| r.0.iter().map(|c| vec![c.x, c.y]).collect::<Vec<_>>();
    let features: Vec<Json> = features
        .iter()
        .map(|(props, mp)| {
            let coordinates: Vec<Vec<Vec<Vec<f64>>>> =
                mp.0.iter().map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect()).collect();
            json!({"type": "Feature", "properties": props,
                   "geometry": {"type": "MultiPolygon", "coordinates": coordinates}})
        })
        .collect();
    write_collection(dir, name, features)
}

pub fn write_text(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn table_source(table: PathBuf, areas: PathBuf, spread: Option<SpreadSource>) -> TableSource {
    TableSource {
        table,
        table_id: "id".into(),
        count: "children".into(),
        areas,
        areas_layer: None,
        areas_id: "id".into(),
        spread,
        grid: None,
    }
}
