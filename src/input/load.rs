//! Settings → Study: the one place files are read. Every layer is read, projected into the analysis CRS and
//! checked; districts are indexed and every child located; need weights are resolved. After this nothing is read.

use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::layers::{load_arenas, load_children, load_districts};
use crate::input::sources::{ChildSource, LoadSpec};
use crate::model::study::Study;
use crate::model::Warnings;
use crate::need;

/// Reads everything `spec` names into a [`Study`]. `progress` is told of each step.
pub fn load(spec: &LoadSpec, progress: &mut dyn FnMut(&str)) -> Result<Study> {
    let mut warnings = Warnings::default();
    let (fallback, analysis_crs) = (spec.input_crs, spec.analysis_crs);
    let mut inputs = Vec::new();

    progress("reading districts");
    let (districts, district_layer) =
        load_districts(&spec.districts, &need::district_fields(&spec.need), fallback, analysis_crs, &mut warnings)?;
    inputs.push(district_layer.info("districts", districts.len()));

    progress("reading children");
    let (children, children_table) = match &spec.children {
        ChildSource::Points { path, layer, count } => {
            let (children, projected) =
                load_children(path, layer.as_deref(), count.as_deref(), fallback, analysis_crs)?;
            inputs.push(projected.info("children", children.len()));
            (children, None)
        }
        ChildSource::Table(table) => {
            let (children, report) =
                crate::population::children_from_table(table, fallback, analysis_crs, &mut warnings)?;
            let report = serde_json::to_value(&report).map_err(|e| Error::Config(e.to_string()))?;
            (children, Some(report))
        }
    };

    progress("reading arenas");
    let (facilities, arena_inputs) =
        load_arenas(&spec.arenas, &spec.kinds, &spec.kind_map, fallback, analysis_crs, &mut warnings)?;
    inputs.extend(arena_inputs);
    if facilities.is_empty() {
        let files: Vec<String> = spec.arenas.iter().map(|a| a.path.display().to_string()).collect();
        warnings.push(format!(
            "{}: no arena of a known kind: every child is uncovered (check --arena-kind and the kind mapping)",
            files.join(", ")
        ));
    }

    progress("locating children in districts");
    let district_index = PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect());
    let child_district = district_index.locate_all(&children.points);
    let need_weight = need::need_weights(
        &spec.need,
        &districts,
        &district_layer.layer,
        &children,
        &child_district,
        fallback,
        analysis_crs,
        &mut warnings,
    )?;
    drop(district_layer);

    Ok(Study {
        districts,
        district_index,
        children,
        child_district,
        need_weight,
        kinds: spec.kinds.clone(),
        facilities,
        analysis_crs,
        warnings,
        inputs,
        children_table,
    })
}
