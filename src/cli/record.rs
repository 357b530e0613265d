//! The run record (run.json), assembled by the command from the study, the evaluation and the resolved settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::cli::analyze::Outcome;
use crate::cli::options::{Options, Settings};
use crate::input::sources::{ArenaSource, KindSource, NeedSource};
use crate::model::study::InputInfo;

/// run.json.
#[derive(Serialize)]
pub struct Run<'a> {
    tool: &'static str,
    version: &'static str,
    distance: &'static str,
    unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    network: Option<&'a crate::model::network::NetworkInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    walk_speed_kmh: Option<f64>,
    resolved: Resolved<'a>,
    options: &'a Options,
    inputs: &'a [InputInfo],
    #[serde(skip_serializing_if = "Option::is_none")]
    children_table: Option<&'a serde_json::Value>,
    counts: Counts<'a>,
    warnings: &'a [String],
    outputs: &'a [String],
}

#[derive(Serialize)]
struct Resolved<'a> {
    districts: Option<&'a Path>,
    district_id: Option<&'a str>,
    district_name: Option<&'a str>,
    arenas: Vec<ArenaRecord<'a>>,
    kinds: Vec<KindRecord<'a>>,
    coverage_kinds: Vec<&'a str>,
    input_crs: Option<String>,
    analysis_crs: String,
    output_crs: String,
    radius_any_m: f64,
    radius_m: BTreeMap<&'a str, f64>,
    min_zone_children: f64,
    zone_link_m: f64,
    zone_cell_m: f64,
    need_weights: String,
    gap_score: &'static str,
    nearest_ties: &'static str,
}

#[derive(Serialize)]
struct ExcludedRecord<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
}

#[derive(Serialize)]
struct ArenaRecord<'a> {
    path: &'a Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind_field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_field: Option<&'a str>,
    id_field: Option<&'a str>,
    capacity_field: Option<&'a str>,
}

impl<'a> ArenaRecord<'a> {
    fn new(a: &'a ArenaSource) -> Self {
        let (kind_field, kind) = match &a.kind {
            KindSource::Field(f) => (Some(f.as_str()), None),
            KindSource::Fixed(k) => (None, Some(k.as_str())),
        };
        ArenaRecord {
            path: &a.path,
            layer: a.layer.as_deref(),
            kind_field,
            kind,
            name_field: a.name.as_deref(),
            id_field: a.id.as_deref(),
            capacity_field: a.capacity.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct KindRecord<'a> {
    id: &'a str,
    label_sv: &'a str,
    label_en: &'a str,
    radius_m: f64,
    coverage: bool,
    symbol: &'static str,
    colour: String,
    capacity: f64,
}

#[derive(Serialize)]
struct Counts<'a> {
    districts: usize,
    child_points: usize,
    children: f64,
    arenas: BTreeMap<String, usize>,
    /// Points that two or more arenas share, and the arenas at them (each counts for its own kind).
    arenas_at_shared_points: crate::model::facilities::SharedPoints,
    /// Arenas left out by arena-exclude.
    arenas_excluded: Vec<ExcludedRecord<'a>>,
    child_points_outside_districts: usize,
    children_outside_districts: f64,
    children_covered: f64,
    gap_zones: usize,
    gap_zones_dropped: usize,
    children_in_dropped_zones: f64,
}

impl<'a> Run<'a> {
    /// The record of one run.
    pub fn new(outcome: &'a Outcome, settings: &'a Settings, outputs: &'a [String]) -> Self {
        let Outcome { study, eval, zones, warnings, .. } = outcome;
        let load = &settings.load;
        let kinds = &study.kinds;
        let arena_counts = study.facilities.count_by_kind(kinds.len());
        Run {
            tool: "arenagap",
            version: env!("CARGO_PKG_VERSION"),
            distance: eval.cost_model,
            unit: eval.unit.suffix(),
            network: study.network.as_ref().map(|n| &n.info),
            walk_speed_kmh: settings.walk_speed,
            resolved: Resolved {
                districts: load.districts.as_ref().map(|d| d.path.as_path()),
                district_id: load.districts.as_ref().map(|d| d.id.as_str()),
                district_name: load.districts.as_ref().map(|d| d.name.as_str()),
                arenas: load.arenas.iter().map(ArenaRecord::new).collect(),
                kinds: kinds
                    .iter()
                    .map(|(_, k)| KindRecord {
                        id: &k.id,
                        label_sv: &k.label_sv,
                        label_en: &k.label_en,
                        radius_m: k.radius,
                        coverage: k.coverage,
                        symbol: k.shape.name(),
                        colour: k.colour.hex(),
                        capacity: k.capacity,
                    })
                    .collect(),
                coverage_kinds: kinds.iter().filter(|(_, k)| k.coverage).map(|(_, k)| k.id.as_str()).collect(),
                input_crs: load.input_crs.map(|c| c.code()),
                analysis_crs: study.analysis_crs.code(),
                output_crs: settings.output_crs.code(),
                radius_any_m: settings.params.radius_any,
                radius_m: kinds.iter().map(|(_, k)| (k.id.as_str(), k.radius)).collect(),
                min_zone_children: settings.min_zone_children,
                zone_link_m: settings.zone_link,
                zone_cell_m: settings.zone_cell,
                need_weights: need_label(&load.need),
                gap_score: "sum over uncovered child points of need_weight × children × distance / radius \
                            (distance to the nearest arena of a coverage kind; 10 radii when there is none)",
                nearest_ties: "among equally near arenas, the one that comes first (files in the order given, \
                               features in file order)",
            },
            options: &settings.options,
            inputs: &study.inputs,
            children_table: study.children_table.as_ref(),
            counts: Counts {
                districts: study.districts.len(),
                child_points: study.children.len(),
                children: study.children.total(),
                arenas: kinds.iter().map(|(k, kind)| (kind.id.clone(), arena_counts[k.index()])).collect(),
                arenas_at_shared_points: study.facilities.shared_points(),
                arenas_excluded: study
                    .excluded
                    .iter()
                    .map(|f| ExcludedRecord { id: &f.id, name: &f.name, kind: &kinds.get(f.kind).id })
                    .collect(),
                child_points_outside_districts: eval.outside.0,
                children_outside_districts: eval.outside.1,
                children_covered: eval.children_covered(),
                gap_zones: zones.zones.len(),
                gap_zones_dropped: zones.dropped,
                children_in_dropped_zones: zones.dropped_children,
            },
            warnings,
            outputs,
        }
    }
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

/// run.json of a command beyond `analyze` (`compare`, `suggest`): what every record has, and the command's own
/// `details` in the middle.
#[derive(Serialize)]
pub struct CommandRun<'a, D: Serialize> {
    /// `arenagap`.
    pub tool: &'static str,
    /// The version.
    pub version: &'static str,
    /// The command.
    pub command: &'static str,
    /// The cost model's name.
    pub distance: &'static str,
    /// The options as merged.
    pub options: &'a Options,
    /// The input files.
    pub inputs: &'a [InputInfo],
    /// The command's own part.
    #[serde(flatten)]
    pub details: D,
    /// Every warning.
    pub warnings: &'a [String],
    /// What was written at the top of the output folder.
    pub outputs: &'a [String],
}

impl<'a, D: Serialize> CommandRun<'a, D> {
    /// The record of `command`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        command: &'static str,
        distance: &'static str,
        options: &'a Options,
        inputs: &'a [InputInfo],
        details: D,
        warnings: &'a [String],
        outputs: &'a [String],
    ) -> Self {
        CommandRun {
            tool: "arenagap",
            version: env!("CARGO_PKG_VERSION"),
            command,
            distance,
            options,
            inputs,
            details,
            warnings,
            outputs,
        }
    }
}
