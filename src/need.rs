//! Need weights per district (proportional universalism: the same service for all, more where needs are
//! greatest): from a field, from a table, or from a classification such as the city's socio-economic areas.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::layers::{count_of, polygon_of, read_projected};
use crate::input::sources::NeedSource;
use crate::input::{read_table, Layer, ReadOptions};
use crate::model::{Children, District, Warnings};

/// The fields of the districts layer a need source reads (so the reader keeps them).
pub fn district_fields(source: &NeedSource) -> Vec<String> {
    match source {
        NeedSource::Field(f) => vec![f.clone()],
        NeedSource::Classes { field, layer: None, .. } => vec![field.clone()],
        _ => Vec::new(),
    }
}

/// One need weight per district. `layer` is the districts layer as read (with the fields of
/// [`district_fields`]); children and their districts serve the classification-polygon source.
#[allow(clippy::too_many_arguments)]
pub fn need_weights(
    source: &NeedSource,
    districts: &[District],
    layer: &Layer,
    children: &Children,
    child_district: &[Option<u32>],
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<Vec<f64>> {
    let n = districts.len();
    match source {
        NeedSource::None => Ok(vec![1.0; n]),
        NeedSource::Field(field) => {
            let f = layer.field_index(field)?;
            let mut weights = Vec::with_capacity(n);
            for i in 0..n {
                weights.push(count_of(layer, i, f)?);
            }
            Ok(weights)
        }
        NeedSource::Table { path, id, value } => {
            let table = read_table(path)?;
            let id_col = match id {
                Some(c) => table.column(c)?,
                None => 0,
            };
            let value_col = match value {
                Some(c) => table.column(c)?,
                None if table.columns.len() >= 2 => 1,
                None => return Err(Error::input(path, "needs two columns: district id and weight")),
            };
            let mut by_id: HashMap<&str, f64> = HashMap::new();
            for r in 0..table.rows.len() {
                by_id.insert(table.rows[r][id_col].as_str(), table.count(r, value_col)?);
            }
            let mut missing = Vec::new();
            let weights = districts
                .iter()
                .map(|d| {
                    by_id.get(d.id.as_str()).copied().unwrap_or_else(|| {
                        missing.push(d.id.clone());
                        1.0
                    })
                })
                .collect();
            if !missing.is_empty() {
                warnings.push(format!(
                    "{}: no need weight for district(s) {}; they weigh 1",
                    path.display(),
                    missing.join(", ")
                ));
            }
            Ok(weights)
        }
        NeedSource::Classes { field, layer: None, weights, .. } => {
            let f = layer.field_index(field)?;
            let mut unknown = BTreeSet::new();
            let result = (0..n)
                .map(|i| {
                    let class = layer.features[i].values[f].to_text().unwrap_or_default();
                    class_weight(weights, &class, &mut unknown)
                })
                .collect();
            warn_unknown(&layer.path, &unknown, warnings);
            Ok(result)
        }
        NeedSource::Classes { field, layer: Some(path), table, weights } => {
            let options =
                ReadOptions { keep_fields: Some(vec![field.clone()]), layer: table.clone(), ..Default::default() };
            let projected = read_projected(path, &options, fallback, analysis)?;
            let classes = &projected.layer;
            let f = classes.field_index(field)?;
            let mut polygons = Vec::with_capacity(classes.features.len());
            for i in 0..classes.features.len() {
                polygons.push(polygon_of(classes, i, "a class area")?);
            }
            let index = PolygonIndex::new(polygons);
            let mut unknown = BTreeSet::new();
            let class_weights: Vec<f64> = (0..classes.features.len())
                .map(|i| {
                    let class = classes.features[i].values[f].to_text().unwrap_or_default();
                    class_weight(weights, &class, &mut unknown)
                })
                .collect();
            warn_unknown(path, &unknown, warnings);
            // A district's weight: the child-weighted mean of the weights where its children live.
            let mut sum = vec![0.0; n];
            let mut total = vec![0.0; n];
            // Every child point's class area at once (the grid of locate_all: the spread grid makes thousands).
            let class_of = index.locate_all(&children.points);
            for ((&count, d), c) in children.counts.iter().zip(child_district).zip(&class_of) {
                let Some(d) = *d else { continue };
                let w = c.map_or(1.0, |c| class_weights[c as usize]);
                sum[d as usize] += count * w;
                total[d as usize] += count;
            }
            Ok((0..n)
                .map(|d| {
                    if total[d] > 0.0 {
                        sum[d] / total[d]
                    } else {
                        // No children: the class at a point inside the district.
                        geo::InteriorPoint::interior_point(&districts[d].geometry)
                            .and_then(|p| index.locate([p.x(), p.y()]))
                            .map_or(1.0, |c| class_weights[c])
                    }
                })
                .collect())
        }
    }
}

fn class_weight(weights: &BTreeMap<String, f64>, class: &str, unknown: &mut BTreeSet<String>) -> f64 {
    match weights.get(class) {
        Some(w) => *w,
        None => {
            if !weights.is_empty() {
                unknown.insert(class.to_string());
            }
            1.0
        }
    }
}

fn warn_unknown(path: &std::path::Path, unknown: &BTreeSet<String>, warnings: &mut Warnings) {
    if !unknown.is_empty() {
        let list: Vec<&str> = unknown.iter().map(String::as_str).collect();
        warnings.push(format!("{}: classes with no need weight (they weigh 1): {}", path.display(), list.join(", ")));
    }
}
