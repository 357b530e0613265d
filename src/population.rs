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

use crate::config::{SpreadSource, TableSource};
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::{read_table, ReadOptions, Table};
use crate::model::{count_of, id_of, polygon_of, read_projected, Children, Warnings};

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
    if ids.len() > EXAMPLES {
        format!("{} and {} more", ids[..EXAMPLES].join(", "), ids.len() - EXAMPLES)
    } else {
        ids.join(", ")
    }
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
    id: &str,
    other_fields: &[&str],
    what: &str,
    fallback: Option<Crs>,
    analysis: Crs,
) -> Result<Polygons> {
    let mut keep = vec![id.to_string()];
    keep.extend(other_fields.iter().map(|s| s.to_string()));
    let projected =
        read_projected(path, &ReadOptions { keep_fields: Some(keep), ..Default::default() }, fallback, analysis)?;
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
    while left >= 0.5 {
        for &i in &order {
            if left < 0.5 {
                break;
            }
            shares[i] += 1.0;
            left -= 1.0;
        }
    }
    while left <= -0.5 {
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
    let finer = read_polygons(path, &spread.id, &other, "finer polygons", fallback, analysis)?;
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
pub fn children_from_table(
    source: &TableSource,
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Children, TableReport)> {
    let table = read_table(&source.table)?;
    let rows = read_id_values(&table, &source.table_id, &source.count)?;
    let coarse = read_polygons(&source.areas, &source.areas_id, &[], "areas", fallback, analysis)?;

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
