//! The finer polygons an area's children are spread onto (basområden), and the weight each gets.

use std::collections::HashMap;

use serde::Serialize;

use super::read::{read_id_values, read_polygons, Polygons};
use super::{examples, interior_point, join_key, list};
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::layers::{count_of, warn_shapes};
use crate::input::read_table;
use crate::input::sources::SpreadSource;
use crate::model::Warnings;

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

/// Finer polygons with their area and weight, ready to share each area's children out.
pub(super) struct Spread {
    /// Per coarse polygon: its finer polygons (file order) as (index in `finer`, interior point, weight).
    pub by_area: Vec<Vec<(usize, [f64; 2], f64)>>,
    /// The finer polygons.
    pub finer: Polygons,
    pub report: SpreadReport,
}

pub(super) fn read_spread(
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

    let mut by_area: Vec<Vec<(usize, [f64; 2], f64)>> = vec![Vec::new(); coarse.ids.len()];
    let mut used = 0;
    for i in 0..finer.ids.len() {
        if let (Some(p), Some(a)) = (points[i], parent_of[i]) {
            by_area[a].push((i, p, weights[i]));
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
    Ok(Spread { by_area, finer, report })
}
