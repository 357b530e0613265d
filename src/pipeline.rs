//! One analysis from start to end: read → model → engine → zones → outputs. The command line calls this; so
//! can any program that embeds arenagap.

use std::path::PathBuf;

use serde::Serialize;

use crate::config::{ChildSource, NeedSource, Settings};
use crate::crs::Transform;
use crate::engine::{self, Analysis, Radii};
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::Format;
use crate::metric::{DistanceModel, StraightLine};
use crate::model::kinds::Kinds;
use crate::model::{self, Arena, ArenaKind, Children, District, ProjectedLayer, Warnings};
use crate::need;
use crate::output::layers::{ArenaLayer, ChildLayer, DistrictLayer, GapLayer};
use crate::output::{self, LayerView};
use crate::zones::{self, ZoneSettings, Zones};

/// What one input file was, for run.json.
#[derive(Clone, Debug, Serialize)]
pub struct InputInfo {
    /// Which layer: districts, children, arenas, …
    pub layer: String,
    /// The path as given.
    pub path: PathBuf,
    /// GeoJSON, Shapefile or CSV.
    pub format: String,
    /// The CRS it was read in.
    pub crs: String,
    /// Its features or rows.
    pub features: usize,
}

impl InputInfo {
    fn new(layer: &str, projected: &ProjectedLayer, features: usize) -> Self {
        InputInfo {
            layer: layer.into(),
            path: projected.layer.path.clone(),
            format: match projected.layer.format {
                Format::GeoJson => "GeoJSON",
                Format::Shapefile => "ESRI Shapefile",
                Format::Csv => "CSV",
            }
            .into(),
            crs: projected.source_crs.code(),
            features,
        }
    }
}

/// Everything one analysis found.
#[derive(Debug)]
pub struct Outcome {
    /// The districts.
    pub districts: Vec<District>,
    /// The child points.
    pub children: Children,
    /// The arenas used.
    pub arenas: Vec<Arena>,
    /// Per-child and per-district results.
    pub analysis: Analysis,
    /// Gap zones.
    pub zones: Zones,
    /// Warnings (also printed).
    pub warnings: Warnings,
    /// The input files.
    pub inputs: Vec<InputInfo>,
    /// How the children were made from a table, when they were.
    pub children_table: Option<serde_json::Value>,
    /// The distance model's name.
    pub distance: &'static str,
}

/// Runs the analysis. `progress` is told of each step.
pub fn analyze(settings: &Settings, progress: &mut dyn FnMut(&str)) -> Result<Outcome> {
    let mut warnings = Warnings::default();
    let (fallback, analysis_crs) = (settings.input_crs, settings.analysis_crs);
    let mut inputs = Vec::new();

    progress("reading districts");
    let (districts, district_layer) = model::load_districts(
        &settings.districts,
        &settings.district_id,
        &settings.district_name,
        &need::district_fields(&settings.need),
        fallback,
        analysis_crs,
        &mut warnings,
    )?;
    inputs.push(InputInfo::new("districts", &district_layer, districts.len()));

    progress("reading children");
    let (children, children_table) = match &settings.children {
        ChildSource::Points { path, count } => {
            let (children, layer) = model::load_children(path, count.as_deref(), fallback, analysis_crs)?;
            inputs.push(InputInfo::new("children", &layer, children.len()));
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
    let (arenas, arena_layer) = model::load_arenas(
        &settings.arenas,
        &settings.arena_kind,
        settings.arena_name.as_deref(),
        &settings.kind_map,
        fallback,
        analysis_crs,
        &mut warnings,
    )?;
    inputs.push(InputInfo::new("arenas", &arena_layer, arena_layer.layer.features.len()));
    if arenas.is_empty() {
        warnings.push(format!(
            "{}: no arena of a known kind: every child is uncovered (check --arena-kind and the kind mapping)",
            settings.arenas.display()
        ));
    }

    progress("measuring distances");
    let model = StraightLine::new(&arenas);
    let district_index = PolygonIndex::districts(&districts);
    let results = engine::measure(&children, &district_index, &model);

    let need_weight = need::need_weights(
        &settings.need,
        &districts,
        &district_layer.layer,
        &children,
        &results,
        fallback,
        analysis_crs,
        &mut warnings,
    )?;
    drop(district_layer);

    progress("summarising districts and drawing gap zones");
    let radii = Radii { any: settings.radius_any, kind: settings.radius };
    let zone_settings = ZoneSettings {
        link: settings.zone_link,
        buffer: settings.zone_buffer,
        min_children: settings.min_zone_children,
        radius: settings.radius_any,
    };
    // Zones need only the per-child results, not the district summary: the two run side by side.
    let (zones, summary) = rayon::join(
        || zones::gap_zones(&children, &results, &need_weight, zone_settings),
        || {
            engine::summarize(
                engine::Inputs { districts: &districts, arenas: &arenas, children: &children },
                &district_index,
                &results,
                &model,
                radii,
                &need_weight,
            )
        },
    );
    let analysis = Analysis::new(results, summary, radii);
    if analysis.outside.0 > 0 {
        warnings.push(format!(
            "{} child point(s) with {} children lie outside every district: they are in children.geojson with no \
             district_id, and in no district's numbers",
            analysis.outside.0,
            output::layers::format_count(analysis.outside.1)
        ));
    }
    let empty: Vec<&str> = districts
        .iter()
        .zip(&analysis.districts)
        .filter(|(_, m)| m.children == 0.0)
        .map(|(d, _)| d.name.as_str())
        .collect();
    if !empty.is_empty() {
        warnings.push(format!("{} district(s) have no children: {}", empty.len(), empty.join(", ")));
    }
    Ok(Outcome {
        districts,
        children,
        arenas,
        analysis,
        zones,
        warnings,
        inputs,
        children_table,
        distance: model.name(),
    })
}

/// The output files of one run, in the order they are written.
pub fn write_outputs(outcome: &Outcome, settings: &Settings, progress: &mut dyn FnMut(&str)) -> Result<Vec<PathBuf>> {
    let out = &settings.out;
    std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let transform = Transform::new(settings.analysis_crs, settings.output_crs)
        .map_err(|e| Error::Config(format!("--output-crs: {e}")))?;
    let districts = DistrictLayer::new(&outcome.districts, &outcome.analysis);
    let gaps = GapLayer::new(&outcome.zones.zones, &outcome.districts);
    let children = ChildLayer::new(&outcome.children, &outcome.districts, &outcome.analysis);
    let arenas = ArenaLayer::new(&outcome.arenas, &outcome.districts, &outcome.analysis);
    let layers: [&dyn LayerView; 4] = [&districts, &gaps, &children, &arenas];
    let mut written = Vec::new();
    for layer in layers {
        progress(&format!("writing {}.geojson", layer.name()));
        let path = out.join(format!("{}.geojson", layer.name()));
        output::geojson::write(&path, layer, &transform)?;
        written.push(path);
    }
    let path = out.join("districts.csv");
    output::table::write_csv(&path, &districts)?;
    written.push(path);
    // The kinds of arena the styles and the map legend show (the study's own kinds come with the kinds refactor).
    let kinds = Kinds::defaults();
    progress("writing the QGIS project");
    output::qgis::write_project(out, settings.output_crs, &kinds)?;
    written.push(out.join(output::qgis::PROJECT_FILE));
    if settings.gpkg {
        progress("writing arenagap.gpkg");
        let path = out.join("arenagap.gpkg");
        output::gpkg::write_gpkg(&path, &layers, settings.analysis_crs, &output::qgis::styles(&kinds))?;
        written.push(path);
    }
    if settings.map {
        progress("drawing map.png");
        let (png, svg) = (out.join("map.png"), out.join("map.svg"));
        let total = outcome.children.total();
        let covered: f64 = outcome.analysis.districts.iter().map(|d| d.children_covered).sum();
        let options = output::map::MapOptions {
            title: settings.title.clone(),
            subtitle: format!(
                "{} barn (children), {} % inom {} m från en arena (within {} m of an arena, straight line)",
                output::layers::format_count(total),
                if total > 0.0 { (100.0 * covered / total).round() } else { 0.0 },
                settings.radius_any,
                settings.radius_any
            ),
            kinds: output::symbology::kind_symbols(&kinds),
            ..Default::default()
        };
        output::map::render_map(&png, Some(&svg), &districts, &gaps, &arenas, &children, &options)?;
        written.push(png);
        written.push(svg);
    }
    let run_json = out.join("run.json");
    let mut names: Vec<String> =
        written.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    names.push("run.json".into());
    output::run::write(&run_json, outcome, settings, &names)?;
    written.push(run_json);
    Ok(written)
}

/// A short description of the need source, for run.json and the terminal.
pub fn need_label(source: &NeedSource) -> String {
    match source {
        NeedSource::None => "none (every district weighs 1)".into(),
        NeedSource::Field(f) => format!("field '{f}' of the districts"),
        NeedSource::Table { path, .. } => format!("table {}", path.display()),
        NeedSource::Classes { field, layer: None, .. } => format!("class field '{field}' of the districts"),
        NeedSource::Classes { field, layer: Some(p), .. } => {
            format!("class field '{field}' of {} (child-weighted)", p.display())
        }
    }
}

/// Counts per arena kind, for run.json.
pub fn arena_counts(arenas: &[Arena]) -> Vec<(&'static str, usize)> {
    ArenaKind::ALL.iter().map(|k| (k.id(), arenas.iter().filter(|a| a.kind == *k).count())).collect()
}
