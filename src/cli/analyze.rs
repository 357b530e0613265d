//! `arenagap analyze`: load → evaluate → zones → write. The one place a run's pieces meet: the study, the
//! baseline evaluation, the gap zones and the resolved settings go to the writers and into run.json.

use std::path::{Path, PathBuf};

use crate::cli::options::Settings;
use crate::cli::record;
use crate::cost::StraightLine;
use crate::crs::Transform;
use crate::error::{Error, Result};
use crate::measure::{self, Evaluation};
use crate::model::study::Study;
use crate::output::catchments::{CatchmentLayer, KindCatchmentLayer};
use crate::output::distance::DistanceWords;
use crate::output::layers::{format_count, ArenaLayer, ChildLayer, DistrictLayer, GapLayer};
use crate::output::symbology::Look;
use crate::output::{self, LayerView};
use crate::zones::{self, ZoneLimits, ZoneSettings, Zones};

/// Everything one analysis found, for the writers and the terminal summary.
#[derive(Debug)]
pub struct Outcome {
    /// The prepared study (its facilities are the baseline).
    pub study: Study,
    /// The baseline evaluation.
    pub eval: Evaluation,
    /// Gap zones.
    pub zones: Zones,
    /// Every warning: the study's, then the evaluation's.
    pub warnings: Vec<String>,
    /// Along streets: the children of each district within the "any" radius of an arena in a straight line, to
    /// show what the streets take away (`None`: distances are straight lines already).
    pub straight_covered: Option<Vec<f64>>,
}

/// Loads, evaluates the arenas as read, and draws the gap zones.
pub fn run(settings: &Settings, progress: &mut dyn FnMut(&str)) -> Result<Outcome> {
    let study = settings.load_study(progress)?;
    progress("measuring distances, summarising districts, drawing gap zones");
    let arenas = coverage_arenas(&study);
    let limits = ZoneLimits { arenas: &arenas, land: &study.district_index };
    // Gap zones need only the per-child results: they are drawn while the districts are summed.
    let (eval, zones) = {
        let cost = study.cost_model();
        measure::evaluate_with(&study, &study.facilities, cost.as_ref(), &settings.params, |eval| {
            zones::gap_zones(
                &study.children,
                &study.child_district,
                &|i| eval.nearest_any_cost(i),
                &study.need_weight,
                limits,
                zone_settings(settings),
            )
        })
    };
    let mut warnings = study.warnings.0.clone();
    warnings.extend(evaluation_warnings(&study, &eval));
    let straight_covered = study.network.as_ref().map(|_| {
        let straight = StraightLine::new(&study.children.points);
        let eval = measure::evaluate(&study, &study.facilities, &straight, &settings.params);
        eval.districts.iter().map(|m| m.children_covered).collect::<Vec<f64>>()
    });
    if let Some(straight) = &straight_covered {
        warnings.extend(barrier_warnings(&study, &eval, straight));
    }
    Ok(Outcome { study, eval, zones, warnings, straight_covered })
}

/// The gap zone settings of a run.
pub fn zone_settings(settings: &Settings) -> ZoneSettings {
    ZoneSettings {
        link: settings.zone_link,
        cell: settings.zone_cell,
        min_children: settings.min_zone_children,
        radius: settings.params.radius_any,
    }
}

/// The positions of the study's arenas of the coverage kinds: those whose reach a gap zone stays out of.
pub fn coverage_arenas(study: &Study) -> Vec<[f64; 2]> {
    // Along streets an arena's reach is no disc: a child inside the disc may still be far on foot, so nothing is
    // cut, and a zone is the ground of its unreached children alone.
    if study.network.is_some() {
        return Vec::new();
    }
    let coverage = study.kinds.coverage_flags();
    study
        .facilities
        .iter()
        .filter(|f| coverage.get(f.kind.index()).copied().unwrap_or(false))
        .map(|f| f.position)
        .collect()
}

/// A district is said to be cut off by a barrier when walking leaves at least this share of its children without
/// an arena that is near in a straight line (detours on an ordinary street grid take 5–15 %).
const BARRIER_SHARE: f64 = 0.2;
/// … and at least this many children.
const BARRIER_CHILDREN: f64 = 50.0;

/// Districts near their arenas in a straight line but not on foot: something the streets do not cross (a
/// motorway, a railway, water) lies between their children and the arenas.
fn barrier_warnings(study: &Study, eval: &Evaluation, straight: &[f64]) -> Vec<String> {
    let mut out = Vec::new();
    for ((d, m), &before) in study.districts.iter().zip(&eval.districts).zip(straight) {
        let lost = before - m.children_covered;
        if m.children > 0.0 && lost >= BARRIER_CHILDREN && lost >= BARRIER_SHARE * m.children {
            out.push(format!(
                "{} ({}): {} % of its children live within {} m of an arena in a straight line but only {} % on \
                 foot: {} children are cut off by something the streets do not cross (a motorway, a railway, water) \
                 or by missing streets; see coverage_share_straight in districts.geojson",
                d.name,
                d.id,
                (100.0 * before / m.children).round(),
                format_count(eval.radius_any),
                (100.0 * m.children_covered / m.children).round(),
                format_count(lost)
            ));
        }
    }
    out
}

/// What an evaluation says a planner should know: districts without children. (Children outside every district
/// are the study's warning, made when it is loaded.)
fn evaluation_warnings(study: &Study, eval: &Evaluation) -> Vec<String> {
    let mut warnings = Vec::new();
    let empty: Vec<&str> = study
        .districts
        .iter()
        .zip(&eval.districts)
        .filter(|(_, m)| m.children == 0.0)
        .map(|(d, _)| d.name.as_str())
        .collect();
    if !empty.is_empty() {
        warnings.push(format!("{} district(s) have no children: {}", empty.len(), empty.join(", ")));
    }
    warnings
}

/// Writes every output of one run into `out` (the hidden folder an [`crate::output::atomic::OutputFolder`] swaps
/// in whole); the files written, in order.
pub fn write_outputs(
    outcome: &Outcome,
    settings: &Settings,
    out: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<PathBuf>> {
    let Outcome { study, eval, zones, .. } = outcome;
    let transform = Transform::new(study.analysis_crs, settings.output_crs)
        .map_err(|e| Error::Config(format!("--output-crs: {e}")))?;
    let districts = DistrictLayer::new(study, eval).with_straight(outcome.straight_covered.as_deref());
    let gaps = GapLayer::new(&zones.zones, &study.districts, output::layers::count_type(&study.children.counts));
    let children = ChildLayer::new(study, &study.facilities, eval, settings.walk_speed);
    let arenas = ArenaLayer::new(study, &study.facilities, eval);
    // Along streets, what each arena reaches within its kind's radius, and each kind's together.
    let catchments = study.network.as_ref().map(|n| {
        progress("drawing catchments along the streets");
        let radius: Vec<f64> = study.facilities.iter().map(|f| eval.radius[f.kind.index()]).collect();
        zones::catchment::catchments(&n.walk, &study.facilities, &radius)
    });
    let catchment_layers = catchments.as_deref().map(|c| {
        (
            CatchmentLayer::new(&study.facilities, &study.kinds, &eval.radius, c),
            KindCatchmentLayer::new(&study.facilities, &study.kinds, &eval.radius, c),
        )
    });
    let mut layers: Vec<&dyn LayerView> = vec![&districts, &gaps, &children, &arenas];
    if let Some((each, by_kind)) = &catchment_layers {
        layers.extend([each as &dyn LayerView, by_kind as &dyn LayerView]);
    }
    // One look for every output that draws: the kinds' symbols and the gap-score classes of this run, from the
    // scores as written (rounded), so that QGIS classes a district as the picture does.
    let look = Look::new(&study.kinds, eval.districts.iter().map(|m| Some(output::layers::cm(m.gap_score))))
        .with_fields(&layers);
    let mut written = Vec::new();
    for &layer in &layers {
        progress(&format!("writing {}.geojson", layer.name()));
        let path = out.join(format!("{}.geojson", layer.name()));
        output::geojson::write(&path, layer, &transform)?;
        written.push(path);
    }
    let path = out.join("districts.csv");
    output::table::write_csv(&path, &districts, settings.csv)?;
    written.push(path);
    let total = study.children.total();
    let covered = eval.children_covered();
    let subtitle = format!(
        "{} barn (children), {} % inom {} m från en arena (within {} m of an arena, {})",
        format_count(total),
        if total > 0.0 { (100.0 * covered / total).round() } else { 0.0 },
        format_count(eval.radius_any),
        format_count(eval.radius_any),
        DistanceWords::of(study).en
    );
    progress("writing the QGIS project");
    let page = page(study, &settings.title, &subtitle);
    output::qgis::write_project(out, settings.output_crs, study.analysis_crs, &look, &page)?;
    written.push(out.join(output::qgis::PROJECT_FILE));
    if settings.gpkg {
        progress("writing arenagap.gpkg");
        let path = out.join("arenagap.gpkg");
        output::gpkg::write_gpkg(&path, &layers, study.analysis_crs, &output::qgis::styles(&look))?;
        written.push(path);
    }
    let options = output::map::MapOptions {
        title: settings.title.clone(),
        subtitle: subtitle.clone(),
        kinds: look.kinds.clone(),
        classes: Some(look.classes.clone()),
        ..Default::default()
    };
    // The map's drawing, for map.png and map.svg and inline in the report.
    let map_svg = output::map::map_svg(&districts, &gaps, &arenas, &children, &options)?;
    if settings.map {
        progress("drawing map.png");
        let (png, svg) = (out.join("map.png"), out.join("map.svg"));
        output::map::write_map(&png, Some(&svg), &map_svg, &options)?;
        written.push(png);
        written.push(svg);
    }
    let (xlsx, run_json) = (out.join(output::workbook::FILE), out.join("run.json"));
    let mut names: Vec<String> =
        written.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    names.extend([output::workbook::FILE.to_string(), output::report::FILE.to_string(), "run.json".into()]);
    let record = record::Run::new(outcome, settings, &names);
    progress("writing districts.xlsx");
    let about = serde_json::to_value(&record).map_err(|e| Error::write(&xlsx, std::io::Error::other(e)))?;
    let kinds = study.kinds.labels_sv();
    let sheets = [
        output::workbook::Sheet { name: "Områden", layer: &districts, sort_by: Some("gap_rank") },
        output::workbook::Sheet { name: "Glappzoner", layer: &gaps, sort_by: Some("gap_rank") },
        output::workbook::Sheet { name: "Arenor", layer: &arenas, sort_by: None },
    ];
    output::workbook::write_workbook(&xlsx, &sheets, &about, &kinds)?;
    written.push(xlsx);
    progress("writing report.html");
    let report = out.join(output::report::FILE);
    let report_data = output::report::Report {
        page: output::report::Page {
            title: &settings.title,
            subtitle: &subtitle,
            headline: headline(outcome),
            kinds: &kinds,
            caveats: caveats(outcome),
            about: &about,
        },
        map_svg: &map_svg,
        look: &look,
        districts: &districts,
        gaps: &gaps,
    };
    output::report::write_report(&report, &report_data)?;
    written.push(report);
    output::run::write(&run_json, &record)?;
    written.push(run_json);
    Ok(written)
}

/// The QGIS print layout's page of a run on `study`: `title` and `subtitle` over the map of the study area, the
/// input files and how distance is measured at the foot.
pub(crate) fn page(study: &Study, title: &str, subtitle: &str) -> output::qgis::Page {
    let inputs: Vec<String> = study
        .inputs
        .iter()
        .map(|i| {
            let file = i.path.file_name().map_or_else(|| i.path.display().to_string(), |f| f.to_string_lossy().into());
            let table = i.table.as_deref().map(|t| format!(", {t}")).unwrap_or_default();
            format!("{}: {file}{table} ({} objekt)", i.layer, format_count(i.features as f64))
        })
        .collect();
    let sources = format!(
        "Källor (sources): {}\n{} i {}. Gjord med (made with) arenagap {}; inställningar och varningar i run.json \
         (settings and warnings).",
        if inputs.is_empty() { "–".to_string() } else { inputs.join("; ") },
        DistanceWords::of(study).sources,
        study.analysis_crs,
        env!("CARGO_PKG_VERSION")
    );
    output::qgis::Page { title: title.to_string(), subtitle: subtitle.to_string(), sources, extent: study.extent() }
}

/// The report's headline figures.
fn headline(outcome: &Outcome) -> Vec<(String, String)> {
    let (study, eval) = (&outcome.study, &outcome.eval);
    let total = study.children.total();
    let covered = eval.children_covered();
    let share =
        |part: f64| if total > 0.0 { format!(" ({} %)", (100.0 * part / total).round()) } else { String::new() };
    let zone_children: f64 = outcome.zones.zones.iter().map(|z| z.children).sum();
    vec![
        ("barn (children)".into(), format_count(total)),
        (format!("nära en arena, inom {} m{}", format_count(eval.radius_any), share(covered)), format_count(covered)),
        (format!("utan arena nära{}", share(total - covered)), format_count(total - covered)),
        ("områden (districts)".into(), format_count(study.districts.len() as f64)),
        ("arenor (arenas)".into(), format_count(study.facilities.len() as f64)),
        (
            format!("glappzoner, med {} barn", format_count(zone_children)),
            format_count(outcome.zones.zones.len() as f64),
        ),
    ]
}

/// What a reader of the report should keep in mind: how distance and the gap score are measured, and the run's
/// warnings.
fn caveats(outcome: &Outcome) -> Vec<String> {
    let eval = &outcome.eval;
    let mut out = vec![
        format!(
            "{} Ett barn räknas som nära en arena inom {} m.",
            DistanceWords::of(&outcome.study).caveat,
            eval.radius_any
        ),
        "Glappindex: för varje barn utan arena nära, avståndet till närmaste arena delat med räckvidden (en \
         behovsvikt per område, om den är given), summerat per område. Högre betyder fler barn längre bort."
            .to_string(),
        "Barnens positioner är punkter ur befolkningsdata (eller utspridda i området); en arenas position är den \
         adress den är geokodad till."
            .to_string(),
    ];
    if outcome.zones.dropped > 0 {
        out.push(format!(
            "{} mindre glappzoner med sammanlagt {} barn är inte ritade (under gränsen för antal barn).",
            outcome.zones.dropped,
            format_count(outcome.zones.dropped_children)
        ));
    }
    out.extend(outcome.warnings.iter().map(|w| format!("Varning från körningen: {w}")));
    out
}
