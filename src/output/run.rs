//! run.json: what was run, with which options and inputs, what came out, and every warning. No clock time, so
//! that the same inputs give the same bytes.

use std::path::Path;

use serde::Serialize;

use super::atomic;
use crate::config::Settings;
use crate::error::Result;
use crate::model::ArenaKind;
use crate::pipeline::{self, InputInfo, Outcome};

#[derive(Serialize)]
struct Run<'a> {
    tool: &'static str,
    version: &'static str,
    distance: &'static str,
    resolved: Resolved<'a>,
    options: &'a crate::config::Options,
    inputs: &'a [InputInfo],
    #[serde(skip_serializing_if = "Option::is_none")]
    children_table: Option<&'a serde_json::Value>,
    counts: Counts,
    warnings: &'a [String],
    outputs: &'a [String],
}

#[derive(Serialize)]
struct Resolved<'a> {
    districts: &'a Path,
    district_id: &'a str,
    district_name: &'a str,
    arenas: &'a Path,
    arena_kind: &'a str,
    input_crs: Option<String>,
    analysis_crs: String,
    output_crs: String,
    radius_any_m: f64,
    radius_m: std::collections::BTreeMap<&'static str, f64>,
    min_zone_children: f64,
    zone_link_m: f64,
    zone_buffer_m: f64,
    need_weights: String,
    gap_score: &'static str,
}

#[derive(Serialize)]
struct Counts {
    districts: usize,
    child_points: usize,
    children: f64,
    arenas: std::collections::BTreeMap<&'static str, usize>,
    child_points_outside_districts: usize,
    children_outside_districts: f64,
    children_covered: f64,
    gap_zones: usize,
    gap_zones_dropped: usize,
    children_in_dropped_zones: f64,
}

/// Writes run.json.
pub fn write(path: &Path, outcome: &Outcome, settings: &Settings, outputs: &[String]) -> Result<()> {
    let run = Run {
        tool: "arenagap",
        version: env!("CARGO_PKG_VERSION"),
        distance: outcome.distance,
        resolved: Resolved {
            districts: &settings.districts,
            district_id: &settings.district_id,
            district_name: &settings.district_name,
            arenas: &settings.arenas,
            arena_kind: &settings.arena_kind,
            input_crs: settings.input_crs.map(|c| c.code()),
            analysis_crs: settings.analysis_crs.code(),
            output_crs: settings.output_crs.code(),
            radius_any_m: settings.radius_any,
            radius_m: ArenaKind::ALL.iter().map(|k| (k.id(), settings.radius[k.index()])).collect(),
            min_zone_children: settings.min_zone_children,
            zone_link_m: settings.zone_link,
            zone_buffer_m: settings.zone_buffer,
            need_weights: pipeline::need_label(&settings.need),
            gap_score: "sum over uncovered child points of need_weight × children × distance / radius \
                        (distance to the nearest arena of any kind; 10 radii when there is no arena)",
        },
        options: &settings.options,
        inputs: &outcome.inputs,
        children_table: outcome.children_table.as_ref(),
        counts: Counts {
            districts: outcome.districts.len(),
            child_points: outcome.children.len(),
            children: outcome.children.total(),
            arenas: pipeline::arena_counts(&outcome.arenas).into_iter().collect(),
            child_points_outside_districts: outcome.analysis.outside.0,
            children_outside_districts: outcome.analysis.outside.1,
            children_covered: outcome.analysis.districts.iter().map(|d| d.children_covered).sum(),
            gap_zones: outcome.zones.zones.len(),
            gap_zones_dropped: outcome.zones.dropped,
            children_in_dropped_zones: outcome.zones.dropped_children,
        },
        warnings: &outcome.warnings.0,
        outputs,
    };
    atomic::write_file(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &run).map_err(std::io::Error::other)?;
        std::io::Write::write_all(out, b"\n")
    })
}
