//! Child points from a table of counts per area, as statistics offices publish them (Göteborg: children 0–5
//! per mellanområde).
//!
//! Without a spread, each area's children are placed at one point guaranteed to lie inside the area
//! (point-on-surface, not the centroid, which can fall outside a concave area). With a spread, each area's
//! count is shared out over finer polygons (basområden) in proportion to a weight (their total population),
//! by the largest-remainder method, so that every share is a whole number and the shares add up exactly to the
//! table value.

use std::collections::HashMap;
use std::path::Path;

use geo::{InteriorPoint, MultiPolygon};
use serde::Serialize;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::layers::{count_of, id_of, polygon_of, read_projected, warn_shapes};
use crate::input::sources::{SpreadSource, TableSource};
use crate::input::{read_table, ReadOptions, Table};
use crate::model::{Children, Warnings};

/// How many example ids a report or warning lists.
const EXAMPLES: usize = 10;

/// What happened when a table of counts per area became child points (kept in run.json).
#[derive(Clone, Debug, Serialize)]
pub struct TableReport {
    /// Rows in the table.
    pub table_rows: usize,
    /// Area polygons read.
    pub areas: usize,
    /// Table rows whose id has an area polygon.
    pub matched: usize,
    /// Table ids with no area polygon, in table order: their children are left out.
    pub table_ids_without_polygon: Vec<String>,
    /// The children in those rows.
    pub children_without_polygon: f64,
    /// Area polygons with no table row, in file order: they get no children.
    pub polygons_without_row: Vec<String>,
    /// The spread onto finer polygons, when there is one.
    pub spread: Option<SpreadReport>,
    /// Areas whose children were placed at the area's own interior point although a spread was asked for.
    pub fallbacks: Vec<Fallback>,
    /// Each matched area, in table order: children in the table, children placed and points emitted.
    pub per_area: Vec<AreaPlaced>,
    /// All children in the table.
    pub children_in_table: f64,
    /// All children placed (the table total less the children without a polygon).
    pub children_placed: f64,
    /// Child points emitted.
    pub points: usize,
}

/// The spread part of a [`TableReport`].
#[derive(Clone, Debug, Serialize)]
pub struct SpreadReport {
    /// How finer polygons were assigned to areas: `field '<name>'` or `location`.
    pub assigned_by: String,
    /// Finer polygons read.
    pub polygons: usize,
    /// Finer polygons assigned to a matched area and with a weight above 0 (the ones children can go to).
    pub polygons_used: usize,
    /// Finer polygons assigned to no area (parent empty or unknown, or interior point in no area).
    pub polygons_unassigned: usize,
    /// Examples of those.
    pub polygons_unassigned_examples: Vec<String>,
    /// Finer polygons with an empty geometry (skipped).
    pub polygons_empty: Vec<String>,
    /// Finer polygons with no row in the weights table (weight 0).
    pub ids_without_weight: usize,
    /// Examples of those.
    pub ids_without_weight_examples: Vec<String>,
    /// Rows of the weights table with no finer polygon.
    pub weight_rows_without_polygon: usize,
    /// Examples of those.
    pub weight_rows_without_polygon_examples: Vec<String>,
    /// The weight in those rows (for population weights: the people living in them).
    pub weight_without_polygon: f64,
}

/// An area placed at its own interior point instead of being spread.
#[derive(Clone, Debug, Serialize)]
pub struct Fallback {
    /// The area id.
    pub id: String,
    /// Its children.
    pub children: f64,
    /// Why: no finer polygon, or all its finer polygons weigh 0.
    pub reason: String,
}

/// The children placed for one area.
#[derive(Clone, Debug, Serialize)]
pub struct AreaPlaced {
    /// The area id.
    pub id: String,
    /// Its children in the table.
    pub children: f64,
    /// Its children placed (equal to `children`).
    pub placed: f64,
    /// The points they were placed at.
    pub points: usize,
}

/// An id as a join key: trimmed, and `52.0` (a whole number as a spreadsheet may export it) read as `52`.
fn join_key(raw: &str) -> String {
    let s = raw.trim();
    if let Some((int, frac)) = s.split_once('.') {
        if !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b == b'0')
        {
            return int.to_string();
        }
    }
    s.to_string()
}

fn examples(ids: &[String]) -> Vec<String> {
    ids.iter().take(EXAMPLES).cloned().collect()
}

fn list(ids: &[String]) -> String {
    crate::model::list_some(ids, EXAMPLES, ", ")
}

/// A point guaranteed to lie in the polygon (point-on-surface), or `None` for an empty geometry.
pub fn interior_point(polygon: &MultiPolygon<f64>) -> Option<[f64; 2]> {
    polygon.interior_point().map(|p| [p.x(), p.y()]).filter(|p| p[0].is_finite() && p[1].is_finite())
}

/// Polygons with a unique id each, and the layer's other kept fields.
struct Polygons {
    ids: Vec<String>,
    polygons: Vec<MultiPolygon<f64>>,
    layer: crate::input::Layer,
}

fn read_polygons(
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
fn read_id_values(table: &Table, id: &str, value: &str) -> Result<Vec<(String, f64)>> {
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

/// Shares `total` out in proportion to `weights` by the largest-remainder (Hamilton) method: every share is a
/// whole number, the shares add up exactly to `total`, and each differs from its exact proportional share by
/// less than 1. Ties between equal remainders go to the larger weight, then to the earlier position. When
/// `total` has a fraction, its whole part is shared out and the fraction added to the largest share. Weights
/// must be ≥ 0 with a positive, finite sum (else every share is 0).
pub fn apportion(total: f64, weights: &[f64]) -> Vec<f64> {
    let mut shares = vec![0.0; weights.len()];
    let sum: f64 = weights.iter().sum();
    if !(sum > 0.0 && sum.is_finite() && total.is_finite() && total > 0.0) {
        return shares;
    }
    let whole = total.floor();
    let fraction = total - whole;
    let quotas: Vec<f64> = weights.iter().map(|&w| whole * (w / sum)).collect();
    for (s, q) in shares.iter_mut().zip(&quotas) {
        *s = q.floor();
    }
    // Positive weights only, in order of remainder (largest first), then weight, then position.
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
    let remainder = |i: usize| quotas[i] - quotas[i].floor();
    order.sort_by(|&a, &b| {
        remainder(b).total_cmp(&remainder(a)).then(weights[b].total_cmp(&weights[a])).then(a.cmp(&b))
    });
    let mut left = whole - shares.iter().sum::<f64>();
    // Exactly `left` (< the number of shares) units are missing; the loops only guard against rounding.
    // A few passes at most: each hands out up to one unit per share (the bound also keeps a count too large for
    // exact arithmetic from looping forever; such counts are refused when read).
    let mut passes = 0;
    while left >= 0.5 && passes < 4 {
        passes += 1;
        for &i in &order {
            if left < 0.5 {
                break;
            }
            shares[i] += 1.0;
            left -= 1.0;
        }
    }
    let mut passes = 0;
    while left <= -0.5 && passes < 4 {
        passes += 1;
        let mut removed = false;
        for &i in order.iter().rev() {
            if left > -0.5 {
                break;
            }
            if shares[i] >= 1.0 {
                shares[i] -= 1.0;
                left += 1.0;
                removed = true;
            }
        }
        if !removed {
            break;
        }
    }
    if fraction > 0.0 {
        if let Some(&largest) = order
            .iter()
            .min_by(|&&a, &&b| shares[b].total_cmp(&shares[a]).then(weights[b].total_cmp(&weights[a])).then(a.cmp(&b)))
        {
            shares[largest] += fraction;
        }
    }
    shares
}

/// Finer polygons with their area and weight, ready to share each area's children out.
struct Spread {
    /// Per coarse polygon: its finer polygons (file order) as (interior point, weight).
    by_area: Vec<Vec<([f64; 2], f64)>>,
    report: SpreadReport,
}

fn read_spread(
    spread: &SpreadSource,
    coarse: &Polygons,
    used_coarse: &[bool],
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<Spread> {
    let path = &spread.areas;
    let mut other: Vec<&str> = Vec::new();
    if let Some(p) = &spread.parent {
        other.push(p);
    }
    let weight_field = match (&spread.weights, &spread.weight) {
        (None, Some(w)) => Some(w.as_str()),
        _ => None,
    };
    if let Some(w) = weight_field {
        other.push(w);
    }
    let finer = read_polygons(path, spread.layer.as_deref(), &spread.id, &other, "finer polygons", fallback, analysis)?;
    warn_shapes(&finer.layer, finer.polygons.iter().zip(finer.ids.iter().map(String::as_str)), warnings);
    let layer = &finer.layer;

    // Interior points; empty geometries are skipped.
    let points: Vec<Option<[f64; 2]>> = finer.polygons.iter().map(interior_point).collect();
    let empty: Vec<String> =
        points.iter().zip(&finer.ids).filter(|(p, _)| p.is_none()).map(|(_, id)| id.clone()).collect();
    if !empty.is_empty() {
        warnings.push(format!(
            "{}: {} finer polygon(s) have an empty geometry and get no children: {}",
            path.display(),
            empty.len(),
            list(&empty)
        ));
    }

    // The coarse polygon of each finer polygon.
    let coarse_by_id: HashMap<&str, usize> = coarse.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let (assigned_by, parent_of): (String, Vec<Option<usize>>) = match &spread.parent {
        Some(field) => {
            let f = layer.field_index(field)?;
            let parents = (0..layer.features.len())
                .map(|i| {
                    let key = join_key(&layer.features[i].values[f].to_text().unwrap_or_default());
                    coarse_by_id.get(key.as_str()).copied()
                })
                .collect();
            (format!("field '{field}'"), parents)
        }
        None => {
            let index = PolygonIndex::new(coarse.polygons.clone());
            (String::from("location"), points.iter().map(|p| p.and_then(|p| index.locate(p))).collect())
        }
    };
    let unassigned: Vec<String> = (0..finer.ids.len())
        .filter(|&i| points[i].is_some() && parent_of[i].is_none())
        .map(|i| finer.ids[i].clone())
        .collect();
    if !unassigned.is_empty() {
        let why = match &spread.parent {
            Some(field) => format!("their '{field}' is empty or names no area of the areas layer"),
            None => "their interior point lies in no area".to_string(),
        };
        warnings.push(format!(
            "{}: {} finer polygon(s) belong to no area ({why}) and get no children: {}",
            path.display(),
            unassigned.len(),
            list(&unassigned)
        ));
    }

    // Weights.
    let mut weights = vec![0.0; finer.ids.len()];
    let mut without_weight: Vec<String> = Vec::new();
    let mut rows_without_polygon: Vec<String> = Vec::new();
    let mut weight_without_polygon = 0.0;
    match (&spread.weights, &spread.weight) {
        (Some(table_path), Some(column)) => {
            let table = read_table(table_path)?;
            let rows = read_id_values(&table, &spread.weights_id, column)?;
            let finer_ids: HashMap<&str, usize> =
                finer.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
            let mut has_row = vec![false; finer.ids.len()];
            for (id, w) in &rows {
                match finer_ids.get(id.as_str()) {
                    Some(&i) => {
                        weights[i] = *w;
                        has_row[i] = true;
                    }
                    None => {
                        rows_without_polygon.push(id.clone());
                        weight_without_polygon += w;
                    }
                }
            }
            without_weight = (0..finer.ids.len()).filter(|&i| !has_row[i]).map(|i| finer.ids[i].clone()).collect();
            if !without_weight.is_empty() {
                warnings.push(format!(
                    "{}: {} finer polygon(s) have no row in {} and weigh 0: {}",
                    path.display(),
                    without_weight.len(),
                    table_path.display(),
                    list(&without_weight)
                ));
            }
            if !rows_without_polygon.is_empty() {
                warnings.push(format!(
                    "{}: {} row(s) (weight {}) have no polygon in {}: {}",
                    table_path.display(),
                    rows_without_polygon.len(),
                    crate::input::format_number(weight_without_polygon),
                    path.display(),
                    list(&rows_without_polygon)
                ));
            }
        }
        (Some(_), None) => {
            return Err(Error::Config(
                "a spread weights table needs the name of its weight column (--spread-weight)".into(),
            ))
        }
        (None, Some(field)) => {
            let f = layer.field_index(field)?;
            for (i, w) in weights.iter_mut().enumerate() {
                *w = count_of(layer, i, f)?;
            }
        }
        (None, None) => weights.iter_mut().for_each(|w| *w = 1.0),
    }

    let mut by_area: Vec<Vec<([f64; 2], f64)>> = vec![Vec::new(); coarse.ids.len()];
    let mut used = 0;
    for i in 0..finer.ids.len() {
        if let (Some(p), Some(a)) = (points[i], parent_of[i]) {
            by_area[a].push((p, weights[i]));
            if used_coarse[a] && weights[i] > 0.0 {
                used += 1;
            }
        }
    }
    let report = SpreadReport {
        assigned_by,
        polygons: finer.ids.len(),
        polygons_used: used,
        polygons_unassigned: unassigned.len(),
        polygons_unassigned_examples: examples(&unassigned),
        polygons_empty: empty,
        ids_without_weight: without_weight.len(),
        ids_without_weight_examples: examples(&without_weight),
        weight_rows_without_polygon: rows_without_polygon.len(),
        weight_rows_without_polygon_examples: examples(&rows_without_polygon),
        weight_without_polygon,
    };
    Ok(Spread { by_area, report })
}

/// Child points from a table of counts per area (see the module documentation). `fallback` is the CRS for
/// polygon files that declare none; points come out in `analysis` coordinates, in table order (and, within an
/// area, in the file order of the finer polygons).
///
/// Errors (naming the file and the row or feature): a missing column or field, an empty or duplicate id in the
/// table, the weights table or either polygon layer, a count or weight that is not a number ≥ 0, a non-polygon
/// geometry, an area with children but an empty geometry, and a weights table without a weight column name.
/// Mismatched ids are not errors: they are warned about and counted in the [`TableReport`].
pub fn children_from_table(
    source: &TableSource,
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Children, TableReport)> {
    let table = read_table(&source.table)?;
    let rows = read_id_values(&table, &source.table_id, &source.count)?;
    let coarse = read_polygons(
        &source.areas,
        source.areas_layer.as_deref(),
        &source.areas_id,
        &[],
        "areas",
        fallback,
        analysis,
    )?;
    warn_shapes(&coarse.layer, coarse.polygons.iter().zip(coarse.ids.iter().map(String::as_str)), warnings);

    let coarse_by_id: HashMap<&str, usize> = coarse.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut matched: Vec<(usize, usize)> = Vec::new(); // (row, coarse polygon)
    let mut without_polygon: Vec<String> = Vec::new();
    let mut children_without_polygon = 0.0;
    let mut used_coarse = vec![false; coarse.ids.len()];
    for (r, (id, count)) in rows.iter().enumerate() {
        match coarse_by_id.get(id.as_str()) {
            Some(&a) => {
                matched.push((r, a));
                used_coarse[a] = true;
            }
            None => {
                without_polygon.push(id.clone());
                children_without_polygon += count;
            }
        }
    }
    if !without_polygon.is_empty() {
        warnings.push(format!(
            "{}: {} id(s) have no polygon in {}; their {} children are left out: {}",
            source.table.display(),
            without_polygon.len(),
            source.areas.display(),
            crate::input::format_number(children_without_polygon),
            list(&without_polygon)
        ));
    }
    let polygons_without_row: Vec<String> =
        (0..coarse.ids.len()).filter(|&a| !used_coarse[a]).map(|a| coarse.ids[a].clone()).collect();
    if !polygons_without_row.is_empty() {
        warnings.push(format!(
            "{}: {} area(s) have no row in {} and get no children: {}",
            source.areas.display(),
            polygons_without_row.len(),
            source.table.display(),
            list(&polygons_without_row)
        ));
    }

    let spread = match &source.spread {
        Some(s) => Some(read_spread(s, &coarse, &used_coarse, fallback, analysis, warnings)?),
        None => None,
    };

    let mut children = Children::default();
    let mut fallbacks = Vec::new();
    let mut per_area = Vec::with_capacity(matched.len());
    for &(r, a) in &matched {
        let (id, count) = (&rows[r].0, rows[r].1);
        let before = children.len();
        if count > 0.0 {
            let finer = spread.as_ref().map(|s| &s.by_area[a]);
            let total_weight: f64 = finer.map_or(0.0, |f| f.iter().map(|(_, w)| w).sum());
            match finer {
                Some(finer) if total_weight > 0.0 && total_weight.is_finite() => {
                    let weights: Vec<f64> = finer.iter().map(|(_, w)| *w).collect();
                    for ((p, _), share) in finer.iter().zip(apportion(count, &weights)) {
                        if share > 0.0 {
                            children.points.push(*p);
                            children.counts.push(share);
                        }
                    }
                }
                _ => {
                    let point = interior_point(&coarse.polygons[a]).ok_or_else(|| {
                        coarse.layer.feature_error(
                            a,
                            format!("area '{id}' has an empty geometry; its {count} children cannot be placed"),
                        )
                    })?;
                    if let Some(finer) = finer {
                        let reason = if finer.is_empty() {
                            "no finer polygon lies in it".to_string()
                        } else if total_weight > 0.0 {
                            "the weights of its finer polygons are too large to add up".to_string()
                        } else {
                            format!("its {} finer polygon(s) all weigh 0", finer.len())
                        };
                        warnings.push(format!(
                            "area '{id}': {reason}; its {} children are placed at one point inside the area",
                            crate::input::format_number(count)
                        ));
                        fallbacks.push(Fallback { id: id.clone(), children: count, reason });
                    }
                    children.points.push(point);
                    children.counts.push(count);
                }
            }
        }
        let placed: f64 = children.counts[before..].iter().sum();
        per_area.push(AreaPlaced { id: id.clone(), children: count, placed, points: children.len() - before });
    }

    let report = TableReport {
        table_rows: rows.len(),
        areas: coarse.ids.len(),
        matched: matched.len(),
        table_ids_without_polygon: without_polygon,
        children_without_polygon,
        polygons_without_row,
        spread: spread.map(|s| s.report),
        fallbacks,
        per_area,
        children_in_table: rows.iter().map(|(_, c)| c).sum(),
        children_placed: children.total(),
        points: children.len(),
    };
    Ok((children, report))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use geo::{Centroid, Contains, Coord, LineString, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use serde_json::{json, Value as Json};

    use super::*;

    /// Offsets that put test coordinates inside the valid area of SWEREF 99 TM.
    const X0: f64 = 300_000.0;
    const Y0: f64 = 6_400_000.0;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }

    fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
        Polygon::new(LineString(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect()), vec![])
    }

    fn write_geojson(dir: &Path, name: &str, features: &[(Json, Vec<[f64; 2]>)]) -> PathBuf {
        let features: Vec<Json> = features
            .iter()
            .map(|(props, ring)| {
                json!({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}})
            })
            .collect();
        let doc = json!({
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
            "features": features,
        });
        let path = dir.join(name);
        std::fs::write(&path, doc.to_string()).unwrap();
        path
    }

    fn write_text(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn table_source(table: PathBuf, areas: PathBuf, spread: Option<SpreadSource>) -> TableSource {
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

    #[test]
    fn largest_remainder_by_hand() {
        // 10 over 1,1,1: quotas 3⅓ each; the one unit left goes to the first (equal remainders and weights).
        assert_eq!(apportion(10.0, &[1.0, 1.0, 1.0]), vec![4.0, 3.0, 3.0]);
        // 2 over 1,3: quotas 0.5 and 1.5; equal remainders, so the larger weight wins.
        assert_eq!(apportion(2.0, &[1.0, 3.0]), vec![0.0, 2.0]);
        // 5 over 1,2,2,1: quotas ⅚, 1⅔, 1⅔, ⅚; floors 0,1,1,0; three left: the two ⅚ remainders, then the first ⅔.
        assert_eq!(apportion(5.0, &[1.0, 2.0, 2.0, 1.0]), vec![1.0, 2.0, 1.0, 1.0]);
        // Exact quotas stay as they are; zero weights get nothing.
        assert_eq!(apportion(12.0, &[0.0, 1.0, 2.0, 0.0, 3.0]), vec![0.0, 2.0, 4.0, 0.0, 6.0]);
        // A fraction goes to the largest share.
        assert_eq!(apportion(10.5, &[1.0, 1.0, 1.0]), vec![4.5, 3.0, 3.0]);
        assert_eq!(apportion(0.25, &[1.0, 2.0]), vec![0.0, 0.25]);
        // Nothing to share, or nothing to share by.
        assert_eq!(apportion(0.0, &[1.0, 1.0]), vec![0.0, 0.0]);
        assert_eq!(apportion(7.0, &[0.0, 0.0]), vec![0.0, 0.0]);
        assert_eq!(apportion(7.0, &[]), Vec::<f64>::new());
    }

    #[test]
    fn largest_remainder_preserves_totals_on_random_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2000 {
            let n = rng.random_range(1..40);
            let weights: Vec<f64> = (0..n)
                .map(|_| if rng.random_bool(0.2) { 0.0 } else { rng.random_range(0.0..1000.0_f64).round() / 7.0 })
                .collect();
            let sum: f64 = weights.iter().sum();
            let total = rng.random_range(0..5000) as f64;
            let shares = apportion(total, &weights);
            if sum == 0.0 {
                assert!(shares.iter().all(|s| *s == 0.0));
                continue;
            }
            assert_eq!(shares.iter().sum::<f64>(), total);
            for (s, w) in shares.iter().zip(&weights) {
                assert_eq!(s.fract(), 0.0);
                assert!((s - total * w / sum).abs() < 1.0, "share {s} vs {}", total * w / sum);
            }
        }
    }

    #[test]
    fn join_keys() {
        assert_eq!(join_key(" 52 "), "52");
        assert_eq!(join_key("52.0"), "52");
        assert_eq!(join_key("52.000"), "52");
        assert_eq!(join_key("052"), "052");
        assert_eq!(join_key("5.20"), "5.20");
        assert_eq!(join_key("1480C1622"), "1480C1622");
        assert_eq!(join_key(".0"), ".0");
    }

    /// Random coarse rectangles (a grid with random cuts), each cut into a random grid of finer rectangles;
    /// random counts and weights; some areas without finer polygons, some with all weights 0, some finer
    /// polygons without a weight row, some weight rows without a polygon.
    #[test]
    fn mass_is_preserved_on_random_nested_polygons() {
        let (mut fallbacks, mut without_row, mut zero_weight) = (0, 0, 0);
        for seed in 0..12u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let dir = tempfile::tempdir().unwrap();
            let cuts = |rng: &mut ChaCha8Rng, start: f64, n: usize, min: f64, max: f64| {
                let mut v = vec![start];
                for _ in 0..n {
                    let last = *v.last().unwrap();
                    v.push(last + rng.random_range(min..max));
                }
                v
            };
            let nx = rng.random_range(1..=4);
            let ny = rng.random_range(1..=4);
            let xs = cuts(&mut rng, X0, nx, 200.0, 2000.0);
            let ys = cuts(&mut rng, Y0, ny, 200.0, 2000.0);
            let by_parent = seed % 2 == 0;

            let mut coarse = Vec::new(); // (id, ring)
            let mut finer = Vec::new(); // (id, coarse index, ring, weight, has row)
            for i in 0..nx {
                for j in 0..ny {
                    let c = coarse.len();
                    coarse.push((100 + c as i64, rect(xs[i], ys[j], xs[i + 1], ys[j + 1])));
                    if rng.random_bool(0.1) {
                        continue; // no finer polygon
                    }
                    let all_zero = rng.random_bool(0.1);
                    let (kx, ky) = (rng.random_range(1..=4), rng.random_range(1..=4));
                    let w = (xs[i + 1] - xs[i]) / kx as f64;
                    let h = (ys[j + 1] - ys[j]) / ky as f64;
                    let fx = cuts(&mut rng, xs[i], kx - 1, w * 0.5, w * 1.2);
                    let fy = cuts(&mut rng, ys[j], ky - 1, h * 0.5, h * 1.2);
                    let fx: Vec<f64> = fx.into_iter().chain([xs[i + 1]]).collect();
                    let fy: Vec<f64> = fy.into_iter().chain([ys[j + 1]]).collect();
                    for a in 0..kx {
                        for b in 0..ky {
                            if fx[a + 1] <= fx[a] + 1.0 || fy[b + 1] <= fy[b] + 1.0 {
                                continue; // the random cuts overshot the cell
                            }
                            let weight =
                                if all_zero || rng.random_bool(0.15) { 0.0 } else { rng.random_range(1..500) as f64 };
                            let has_row = all_zero || !rng.random_bool(0.1);
                            let weight = if has_row { weight } else { 0.0 };
                            let id = format!("F{}", finer.len());
                            finer.push((id, c, rect(fx[a], fy[b], fx[a + 1], fy[b + 1]), weight, has_row));
                        }
                    }
                }
            }
            let counts: Vec<f64> = coarse.iter().map(|_| rng.random_range(0..3000) as f64).collect();

            // Coarse ids are JSON numbers in the polygons, text in the table (some written as `101.0`).
            let areas = write_geojson(
                dir.path(),
                "coarse.geojson",
                &coarse.iter().map(|(id, ring)| (json!({"id": id}), ring.clone())).collect::<Vec<_>>(),
            );
            let mut table = String::from("id,children\n");
            for ((id, _), n) in coarse.iter().zip(&counts) {
                table += &if id % 3 == 0 { format!("{id}.0,{n}\n") } else { format!("{id},{n}\n") };
            }
            let table = write_text(dir.path(), "table.csv", &table);
            let spread_areas = write_geojson(
                dir.path(),
                "finer.geojson",
                &finer
                    .iter()
                    .map(|(id, c, ring, _, _)| (json!({"fid": id, "parent": coarse[*c].0}), ring.clone()))
                    .collect::<Vec<_>>(),
            );
            let mut weights = String::from("fid;pop\n");
            for (id, _, _, w, has_row) in &finer {
                if *has_row {
                    weights += &format!("{id};{w}\n");
                }
            }
            weights += "X1;17\nX2;4\n";
            let weights = write_text(dir.path(), "weights.csv", &weights);
            let spread = SpreadSource {
                layer: None,
                areas: spread_areas,
                id: "fid".into(),
                parent: by_parent.then(|| "parent".into()),
                weights: Some(weights),
                weights_id: "fid".into(),
                weight: Some("pop".into()),
            };
            let source = table_source(table, areas, Some(spread));
            let mut warnings = Warnings::default();
            let (children, report) = children_from_table(&source, None, Crs::SWEREF99_TM, &mut warnings).unwrap();
            let (again, _) = children_from_table(&source, None, Crs::SWEREF99_TM, &mut Warnings::default()).unwrap();
            assert_eq!(children.points, again.points, "seed {seed}: not deterministic");
            assert_eq!(children.counts, again.counts, "seed {seed}: not deterministic");

            // The oracle: brute-force point in polygon over every coarse and every finer polygon.
            let coarse_polygons: Vec<Polygon<f64>> = coarse.iter().map(|(_, r)| polygon(r)).collect();
            let finer_polygons: Vec<Polygon<f64>> = finer.iter().map(|(_, _, r, _, _)| polygon(r)).collect();
            let mut per_coarse = vec![0.0; coarse.len()];
            let mut per_finer = vec![0.0; finer.len()];
            for (p, n) in children.points.iter().zip(&children.counts) {
                assert!(*n > 0.0 && n.fract() == 0.0, "seed {seed}: count {n} is not a positive whole number");
                let point = Point::new(p[0], p[1]);
                let inside: Vec<usize> = (0..coarse.len()).filter(|&c| coarse_polygons[c].contains(&point)).collect();
                assert_eq!(inside.len(), 1, "seed {seed}: point {p:?} lies in coarse polygons {inside:?}");
                per_coarse[inside[0]] += n;
                if let Some(f) = (0..finer.len()).find(|&f| finer_polygons[f].contains(&point)) {
                    per_finer[f] += n;
                }
            }
            for c in 0..coarse.len() {
                assert_eq!(per_coarse[c], counts[c], "seed {seed}: coarse area {} placed wrong", coarse[c].0);
                let sum: f64 = finer.iter().filter(|f| f.1 == c).map(|f| f.3).sum();
                let is_fallback = report.fallbacks.iter().any(|f| f.id == coarse[c].0.to_string());
                assert_eq!(is_fallback, sum == 0.0 && counts[c] > 0.0, "seed {seed}: fallback of {}", coarse[c].0);
                if sum == 0.0 {
                    continue;
                }
                for (f, fine) in finer.iter().enumerate().filter(|(_, f)| f.1 == c) {
                    let exact = counts[c] * fine.3 / sum;
                    assert!(
                        (per_finer[f] - exact).abs() < 1.0,
                        "seed {seed}: finer {} got {} for an exact share of {exact}",
                        fine.0,
                        per_finer[f]
                    );
                }
            }
            // Every point emitted for a spread area lies inside a finer polygon of that area.
            for (p, _) in children.points.iter().zip(&children.counts) {
                let point = Point::new(p[0], p[1]);
                let c = (0..coarse.len()).find(|&c| coarse_polygons[c].contains(&point)).unwrap();
                if report.fallbacks.iter().any(|f| f.id == coarse[c].0.to_string()) {
                    continue;
                }
                let f = (0..finer.len()).find(|&f| finer_polygons[f].contains(&point));
                assert!(
                    f.is_some_and(|f| finer[f].1 == c),
                    "seed {seed}: point {p:?} is not in a finer polygon of {c}"
                );
            }
            let total: f64 = counts.iter().sum();
            assert_eq!(report.children_in_table, total);
            assert_eq!(report.children_placed, total);
            assert_eq!(children.total(), total);
            assert_eq!(report.matched, coarse.len());
            assert!(report.table_ids_without_polygon.is_empty() && report.polygons_without_row.is_empty());
            let spread = report.spread.as_ref().unwrap();
            assert_eq!(spread.weight_rows_without_polygon, 2);
            assert_eq!(spread.weight_without_polygon, 21.0);
            assert_eq!(spread.ids_without_weight, finer.iter().filter(|f| !f.4).count());
            assert_eq!(spread.polygons_unassigned, 0);
            for a in &report.per_area {
                assert_eq!(a.placed, a.children);
            }
            fallbacks += report.fallbacks.len();
            without_row += spread.ids_without_weight;
            zero_weight += finer.iter().filter(|f| f.4 && f.3 == 0.0).count();
        }
        // The random cases did exercise the awkward paths.
        assert!(fallbacks > 0 && without_row > 0 && zero_weight > 0, "{fallbacks} {without_row} {zero_weight}");
    }

    /// Areas 1, 2 and 4 in the table and the polygons; 9 only in the table, 3 only in the polygons.
    /// Finer polygons: a1 (weight 3) and a2 (weight 1) in 1, b1 (no weight row) in 2, none in 4.
    #[test]
    fn unmatched_ids_and_fallbacks_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &[
                (json!({"id": 1}), rect(X0, Y0, X0 + 1000.0, Y0 + 1000.0)),
                (json!({"id": "2"}), rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)),
                (json!({"id": 3}), rect(X0 + 2000.0, Y0, X0 + 3000.0, Y0 + 1000.0)),
                (json!({"id": 4}), rect(X0 + 3000.0, Y0, X0 + 4000.0, Y0 + 1000.0)),
            ],
        );
        let table = write_text(dir.path(), "table.csv", "id;children\n1;100\n2;50\n9;7\n4;12\n");
        let finer = write_geojson(
            dir.path(),
            "finer.geojson",
            &[
                (json!({"id": "a1"}), rect(X0, Y0, X0 + 500.0, Y0 + 1000.0)),
                (json!({"id": "a2"}), rect(X0 + 500.0, Y0, X0 + 1000.0, Y0 + 1000.0)),
                (json!({"id": "b1"}), rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)),
                (json!({"id": "out"}), rect(X0 + 9000.0, Y0, X0 + 9500.0, Y0 + 500.0)),
            ],
        );
        let weights = write_text(dir.path(), "weights.csv", "id,people\na1,3\na2,1\nzz,40\nout,5\n");
        let spread = SpreadSource {
            layer: None,
            areas: finer,
            id: "id".into(),
            parent: None,
            weights: Some(weights),
            weights_id: "id".into(),
            weight: Some("people".into()),
        };
        let mut warnings = Warnings::default();
        let (children, report) =
            children_from_table(&table_source(table, areas, Some(spread)), None, Crs::SWEREF99_TM, &mut warnings)
                .unwrap();

        assert_eq!(report.table_rows, 4);
        assert_eq!(report.areas, 4);
        assert_eq!(report.matched, 3);
        assert_eq!(report.table_ids_without_polygon, vec!["9"]);
        assert_eq!(report.children_without_polygon, 7.0);
        assert_eq!(report.polygons_without_row, vec!["3"]);
        assert_eq!(report.children_in_table, 169.0);
        assert_eq!(report.children_placed, 162.0);
        let spread = report.spread.as_ref().unwrap();
        assert_eq!(spread.assigned_by, "location");
        assert_eq!(spread.polygons, 4);
        assert_eq!(spread.polygons_used, 2);
        assert_eq!(spread.polygons_unassigned_examples, vec!["out"]);
        assert_eq!(spread.ids_without_weight_examples, vec!["b1"]);
        assert_eq!(spread.weight_rows_without_polygon_examples, vec!["zz"]);
        assert_eq!(spread.weight_without_polygon, 40.0);
        let fallbacks: Vec<(&str, f64)> = report.fallbacks.iter().map(|f| (f.id.as_str(), f.children)).collect();
        assert_eq!(fallbacks, vec![("2", 50.0), ("4", 12.0)]);
        assert!(report.fallbacks[0].reason.contains("weigh 0"));
        assert!(report.fallbacks[1].reason.contains("no finer polygon"));

        // 75 and 25 in a1 and a2, then 50 and 12 at points inside areas 2 and 4.
        assert_eq!(children.counts, vec![75.0, 25.0, 50.0, 12.0]);
        let inside = |p: [f64; 2], r: Vec<[f64; 2]>| polygon(&r).contains(&Point::new(p[0], p[1]));
        assert!(inside(children.points[0], rect(X0, Y0, X0 + 500.0, Y0 + 1000.0)));
        assert!(inside(children.points[1], rect(X0 + 500.0, Y0, X0 + 1000.0, Y0 + 1000.0)));
        assert!(inside(children.points[2], rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)));
        assert!(inside(children.points[3], rect(X0 + 3000.0, Y0, X0 + 4000.0, Y0 + 1000.0)));

        let all = warnings.0.join("\n");
        for expected in [
            "1 id(s) have no polygon",
            "7 children are left out: 9",
            "1 area(s) have no row",
            "area '2': its 1 finer polygon(s) all weigh 0",
            "area '4': no finer polygon lies in it",
            "no row in",
            "(weight 40) have no polygon",
            "belong to no area",
        ] {
            assert!(all.contains(expected), "no warning with '{expected}' in:\n{all}");
        }
    }

    fn u_shape() -> Vec<[f64; 2]> {
        [[0.0, 0.0], [30.0, 0.0], [30.0, 30.0], [20.0, 30.0], [20.0, 10.0], [10.0, 10.0], [10.0, 30.0], [0.0, 30.0]]
            .iter()
            .chain([[0.0, 0.0]].iter())
            .map(|p| [X0 + p[0] * 100.0, Y0 + p[1] * 100.0])
            .collect()
    }

    #[test]
    fn interior_point_is_inside_a_u_shape_whose_centroid_is_not() {
        let u = polygon(&u_shape());
        let centroid = u.centroid().unwrap();
        assert!(!u.contains(&centroid), "the test shape should have its centroid outside");
        let p = interior_point(&MultiPolygon(vec![u.clone()])).unwrap();
        assert!(u.contains(&Point::new(p[0], p[1])));

        // End to end, without a spread: one point per area, inside it.
        let dir = tempfile::tempdir().unwrap();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &[(json!({"id": "U"}), u_shape()), (json!({"id": "0"}), rect(X0 + 5000.0, Y0, X0 + 6000.0, Y0 + 1000.0))],
        );
        let table = write_text(dir.path(), "table.csv", "id,children\nU,\"1 080\"\n0,0\n");
        let mut warnings = Warnings::default();
        let (children, report) =
            children_from_table(&table_source(table, areas, None), None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        assert_eq!(children.counts, vec![1080.0]);
        assert!(u.contains(&Point::new(children.points[0][0], children.points[0][1])));
        assert!(report.spread.is_none() && report.fallbacks.is_empty());
        assert_eq!(report.per_area.len(), 2);
        assert_eq!(report.per_area[1].points, 0);
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
    }

    #[test]
    fn weights_from_a_field_equal_weights_and_parent_field() {
        let dir = tempfile::tempdir().unwrap();
        let areas =
            write_geojson(dir.path(), "areas.geojson", &[(json!({"kod": 52}), rect(X0, Y0, X0 + 900.0, Y0 + 900.0))]);
        let table = write_text(dir.path(), "table.csv", "kod,n\n52,10\n");
        let finer = write_geojson(
            dir.path(),
            "finer.geojson",
            &[
                (json!({"id": 1, "mo": "52", "pop": 2}), rect(X0, Y0, X0 + 300.0, Y0 + 900.0)),
                (json!({"id": 2, "mo": 52.0, "pop": "2"}), rect(X0 + 300.0, Y0, X0 + 600.0, Y0 + 900.0)),
                (json!({"id": 3, "mo": 52, "pop": 1}), rect(X0 + 600.0, Y0, X0 + 900.0, Y0 + 900.0)),
                (json!({"id": 4, "mo": null, "pop": 1}), rect(X0 + 600.0, Y0, X0 + 900.0, Y0 + 900.0)),
            ],
        );
        let source = |weight: Option<&str>| TableSource {
            areas_layer: None,
            table: table.clone(),
            table_id: "kod".into(),
            count: "n".into(),
            areas: areas.clone(),
            areas_id: "kod".into(),
            spread: Some(SpreadSource {
                layer: None,
                areas: finer.clone(),
                id: "id".into(),
                parent: Some("mo".into()),
                weights: None,
                weights_id: "id".into(),
                weight: weight.map(String::from),
            }),
            grid: None,
        };
        let mut warnings = Warnings::default();
        let (by_field, report) =
            children_from_table(&source(Some("pop")), None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        // Quotas 4, 4, 2.
        assert_eq!(by_field.counts, vec![4.0, 4.0, 2.0]);
        let spread = report.spread.unwrap();
        assert_eq!(spread.assigned_by, "field 'mo'");
        assert_eq!(spread.polygons_unassigned_examples, vec!["4"]);
        assert!(warnings.0.iter().any(|w| w.contains("'mo' is empty or names no area")));
        // Equal weights: 3⅓ each, the unit left to the first.
        let (equal, _) = children_from_table(&source(None), None, Crs::SWEREF99_TM, &mut Warnings::default()).unwrap();
        assert_eq!(equal.counts, vec![4.0, 3.0, 3.0]);
    }

    #[test]
    fn bad_tables_are_errors_naming_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let areas =
            write_geojson(dir.path(), "areas.geojson", &[(json!({"id": 1}), rect(X0, Y0, X0 + 10.0, Y0 + 10.0))]);
        let run = |text: &str| {
            let table = write_text(dir.path(), "table.csv", text);
            children_from_table(
                &table_source(table, areas.clone(), None),
                None,
                Crs::SWEREF99_TM,
                &mut Warnings::default(),
            )
            .map(|_| ())
            .unwrap_err()
            .to_string()
        };
        let e = run("id,children\n1,5\n1.0,6\n");
        assert!(e.contains("row 3") && e.contains("duplicate id '1'") && e.contains("row 2"), "{e}");
        let e = run("id,children\n1,many\n");
        assert!(e.contains("row 2") && e.contains("not a number"), "{e}");
        let e = run("id,children\n1,-4\n");
        assert!(e.contains("row 2") && e.contains("negative"), "{e}");
        let e = run("id,kids\n1,4\n");
        assert!(e.contains("no column 'children'"), "{e}");
        let e = run("id,children\n,4\n");
        assert!(e.contains("row 2") && e.contains("empty"), "{e}");
    }

    /// Göteborg: children 0–5 per mellanområde, spread over basområden by total population.
    #[test]
    fn real_goteborg_mellanomraden_over_basomraden() {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
        if !data.is_dir() {
            let message = format!("real data folder {} is missing", data.display());
            if std::env::var_os("CI").is_some() {
                panic!("{message} (CI is set, so this test must run)");
            }
            eprintln!("SKIPPED real_goteborg_mellanomraden_over_basomraden: {message}");
            return;
        }
        let source = TableSource {
            areas_layer: None,
            table: data.join("goteborg_befolkning/mellanomrade_barn_0_5_ar.csv"),
            table_id: "mellanomrade_kod".into(),
            count: "ar2025_alder_0_5".into(),
            areas: data.join("goteborg_omraden/mellanomraden_sweref99tm.geojson"),
            areas_id: "omrade_kod".into(),
            spread: Some(SpreadSource {
                layer: None,
                areas: data.join("goteborg_omraden/basomraden_sweref99tm.geojson"),
                id: "omrade_kod".into(),
                parent: Some("mellanomrade_kod".into()),
                weights: Some(data.join("goteborg_befolkning/basomrade_folkmangd.csv")),
                weights_id: "omrade_kod".into(),
                weight: Some("jan_1".into()),
            }),
            grid: None,
        };
        let mut warnings = Warnings::default();
        let (children, report) = children_from_table(&source, None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        let spread = report.spread.as_ref().unwrap();
        eprintln!(
            "real data: {} table rows, {} areas, {} matched; children in table {}, placed {}, at {} points",
            report.table_rows,
            report.areas,
            report.matched,
            report.children_in_table,
            report.children_placed,
            report.points
        );
        eprintln!(
            "spread: {} basområden, {} used, {} unassigned {:?}, {} without weight {:?}, {} weight rows without \
             polygon (weight {}, e.g. {:?}), fallbacks {:?}",
            spread.polygons,
            spread.polygons_used,
            spread.polygons_unassigned,
            spread.polygons_unassigned_examples,
            spread.ids_without_weight,
            spread.ids_without_weight_examples,
            spread.weight_rows_without_polygon,
            spread.weight_without_polygon,
            spread.weight_rows_without_polygon_examples,
            report.fallbacks
        );
        for w in &warnings.0 {
            eprintln!("warning: {w}");
        }
        assert_eq!(report.table_rows, 36);
        assert_eq!(report.matched, 36);
        assert_eq!(report.children_in_table, 38_260.0);
        assert_eq!(report.children_placed, 38_260.0);
        assert_eq!(children.total(), 38_260.0);
        assert!(children.counts.iter().all(|n| *n > 0.0 && n.fract() == 0.0));
        let billdal = report.per_area.iter().find(|a| a.id == "52").unwrap();
        assert_eq!((billdal.children, billdal.placed), (1080.0, 1080.0));
        assert!((200..=230).contains(&spread.weight_rows_without_polygon), "{}", spread.weight_rows_without_polygon);
        assert_eq!(spread.weight_without_polygon, 2207.0);
        assert_eq!(spread.ids_without_weight, 1);
        assert!(report.fallbacks.is_empty());

        // The oracle for Billdal: the children at points inside mellanområde 52's polygon.
        let layer = read_projected(&source.areas, &ReadOptions::default(), None, Crs::SWEREF99_TM).unwrap().layer;
        let kod = layer.field_index("omrade_kod").unwrap();
        let i = (0..layer.features.len()).find(|&i| id_of(&layer, i, kod).unwrap() == "52").unwrap();
        let billdal_polygon = polygon_of(&layer, i, "test").unwrap();
        let in_billdal: f64 = children
            .points
            .iter()
            .zip(&children.counts)
            .filter(|(p, _)| billdal_polygon.contains(&Point::new(p[0], p[1])))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(in_billdal, 1080.0);

        // Every basområde's interior point lies in it, invalid polygons included.
        let bas =
            read_projected(&source.spread.as_ref().unwrap().areas, &ReadOptions::default(), None, Crs::SWEREF99_TM)
                .unwrap()
                .layer;
        for i in 0..bas.features.len() {
            let mp = polygon_of(&bas, i, "test").unwrap();
            let p = interior_point(&mp).unwrap();
            assert!(geo::Intersects::intersects(&mp, &Point::new(p[0], p[1])), "feature {i}");
        }
    }
}
