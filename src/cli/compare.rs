//! `arenagap compare`: load once, evaluate the baseline once, then each scenario as a new facility set on the same
//! study (re-scored from the baseline: only what it changes), or, for another population, on a study of the new
//! children. Each scenario's outputs are written as soon as it is evaluated, into its own folder, so that only one
//! scenario's evaluation is held at a time.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::options::{Options, Settings};
use crate::cli::record::CommandRun;
use crate::cli::truncate;
use crate::crs::Transform;
use crate::error::{Error, Result};
use crate::input::scenario::{read_scenario, ScenarioContext, ScenarioFile};
use crate::measure::compare::{compare, Comparison, Side};
use crate::measure::Evaluation;
use crate::measure::{self, rescore};
use crate::model::study::InputInfo;
use crate::model::study::Study;
use crate::model::{list_some, Warnings};
use crate::output::compare_layers::{
    rank_move, ChildDiffLayer, DistrictDiffLayer, ScenarioArenaLayer, ScenarioRow, ScenarioTable,
};
use crate::output::distance::DistanceWords;
use crate::output::layers::format_count;
use crate::output::report::change::{ChangeReport, ScenarioPage};
use crate::output::report::Page;
use crate::output::{self, LayerView};

/// The output folder of `compare` unless `--out` names one (not analyze's, which it would replace).
pub const DEFAULT_OUT: &str = "arenagap-compare";

/// What a comparison runs with: the merged options (a population scenario layers its keys over them), their
/// resolved settings, and `--data-dir`.
pub struct Request<'a> {
    /// The options as merged from flags and config files.
    pub options: &'a Options,
    /// Those options resolved.
    pub settings: &'a Settings,
    /// `--data-dir`, against which a scenario's relative population paths resolve when given.
    pub data_dir: Option<&'a Path>,
}

/// What a comparison wrote and found.
#[derive(Debug)]
pub struct Done {
    /// One row per scenario, in the order given.
    pub rows: Vec<ScenarioRow>,
    /// Every warning: loading, the scenario files, the scenarios' own populations.
    pub warnings: Vec<String>,
    /// The files and folders written at the top of the output folder.
    pub outputs: Vec<String>,
}

/// Runs the comparison of every scenario file with the baseline and writes everything into `out` (the hidden
/// folder the command swaps in whole).
pub fn run(request: &Request, files: &[PathBuf], out: &Path, progress: &mut dyn FnMut(&str)) -> Result<Done> {
    let settings = request.settings;
    let study = settings.load_study(progress)?;
    let mut warnings = study.warnings.clone();
    progress("reading the scenarios");
    let context = ScenarioContext {
        kinds: &study.kinds,
        kind_map: &settings.load.kind_map,
        base: &study.facilities,
        fallback: settings.load.input_crs,
        analysis: study.analysis_crs,
        arena_fields: request.options.arena_fields(),
    };
    // Every scenario file is read before any work, so that a bad one fails at once.
    let mut scenarios = Vec::with_capacity(files.len());
    for file in files {
        scenarios.push(read_scenario(file, &context, &mut warnings)?);
    }
    let slugs = unique_slugs(scenarios.iter().map(|s| s.scenario.name.as_str()));

    progress("evaluating the baseline");
    let cost = study.cost_model();
    let cost = cost.as_ref();
    let base_eval = measure::evaluate(&study, &study.facilities, cost, &settings.params);
    let before = Side { study: &study, facilities: &study.facilities, eval: &base_eval };
    let mut rows = Vec::with_capacity(scenarios.len());
    let mut records = Vec::with_capacity(scenarios.len());
    let mut pages = Vec::with_capacity(scenarios.len());
    for ((file, ScenarioFile { scenario, population }), slug) in files.iter().zip(scenarios).zip(slugs) {
        progress(&format!("scenario {}", scenario.name));
        let has_population = !population.is_empty();
        let dir = out.join(&slug);
        std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
        // The scenario against the baseline, warned about and written: the same for both kinds of scenario.
        let finish = |after: Side, candidates: Option<&[u32]>, warnings: &mut Warnings| -> Result<_> {
            let comparison = compare(before, after, candidates);
            warn_outside(&scenario.name, file, after, scenario.added.len(), warnings);
            let kept = after.facilities.len() - scenario.added.len();
            let (outputs, page) = write_scenario(
                &dir,
                &scenario.name,
                None,
                before,
                after,
                &comparison,
                kept,
                &scenario.closed,
                settings,
            )?;
            Ok((outputs, page, comparison.summary))
        };
        let (outputs, page, summary, inputs) = if has_population {
            let options = request.options.with_population(population, file, request.data_dir)?;
            let mut quiet = |_: &str| {};
            let other =
                options.resolve().and_then(|own| own.load_study(&mut quiet)).map_err(|e| population_error(file, e))?;
            // What the baseline already said (the districts, the arenas) is not said again.
            for w in other.warnings.0.iter().filter(|w| !study.warnings.0.contains(w)) {
                warnings.push(format!("scenario '{}' ({}): {w}", scenario.name, file.display()));
            }
            let facilities = scenario.facilities(&other.facilities);
            let other_cost = other.cost_model();
            let eval = measure::evaluate(&other, &facilities, other_cost.as_ref(), &settings.params);
            let (outputs, page, summary) =
                finish(Side { study: &other, facilities: &facilities, eval: &eval }, None, &mut warnings)?;
            (outputs, page, summary, other.inputs.clone())
        } else {
            let scored = rescore(&study, &study.facilities, &base_eval, &scenario, cost, &settings.params);
            let after = Side { study: &study, facilities: &scored.facilities, eval: &scored.eval };
            let (outputs, page, summary) = finish(after, Some(&scored.changed), &mut warnings)?;
            (outputs, page, summary, Vec::new())
        };
        pages.push(page);
        let largest_move_district = summary.largest_rank_move.map(|(d, _, _)| study.districts[d].name.clone());
        rows.push(ScenarioRow {
            name: scenario.name.clone(),
            folder: slug.clone(),
            added: scenario.added.len(),
            closed: scenario.closed.len(),
            population: has_population,
            summary,
            largest_move_district,
        });
        records.push(ScenarioRecord {
            name: scenario.name.clone(),
            file: file.clone(),
            folder: slug,
            added: scenario.added.iter().map(|f| f.id.clone()).collect(),
            closed: scenario.closed.iter().map(|&i| study.facilities.get(i).id.clone()).collect(),
            inputs,
            outputs,
        });
    }
    let table_path = out.join("scenarios.csv");
    let table = ScenarioTable::new(&rows, &study.kinds);
    output::table::write_csv(&table_path, &table, settings.csv)?;
    let mut outputs: Vec<String> = records.iter().map(|r| format!("{}/", r.folder)).collect();
    outputs.extend(["scenarios.csv", SCENARIOS_XLSX, output::report::FILE, "run.json"].map(String::from));
    let details = CompareDetails { scenarios: &records };
    let record = CommandRun::new(
        "compare",
        base_eval.cost_model,
        request.options,
        &study.inputs,
        details,
        &warnings.0,
        &outputs,
    );
    let about = serde_json::to_value(&record).map_err(|e| Error::write(out, std::io::Error::other(e)))?;
    write_scenarios_workbook(out, &table, &about, &study)?;
    let title = format!("{}: scenarier mot nuläget (scenarios against the baseline)", settings.title);
    let report = ChangeReport {
        page: Page {
            title: &title,
            subtitle: &baseline_line(&study, &base_eval),
            headline: baseline_figures(&study, &base_eval, rows.len()),
            kinds: &study.kinds.labels_sv(),
            caveats: change_caveats(&study, &base_eval, &warnings.0),
            about: &about,
        },
        scenarios: &table,
        pages: &pages,
    };
    output::report::change::write_change_report(&out.join(output::report::FILE), &report)?;
    output::run::write(&out.join("run.json"), &record)?;
    Ok(Done { rows, warnings: warnings.0, outputs })
}

/// An error reading a scenario's population, said as the scenario's (a failed write stays a write error).
fn population_error(file: &Path, e: Error) -> Error {
    match e {
        Error::Write { .. } => e,
        e => Error::input(file, format!("its population: {e}")),
    }
}

/// A warning for each added arena outside every district: it is evaluated (it serves the children near it) but
/// counts in no district.
fn warn_outside(name: &str, file: &Path, after: Side, added: usize, warnings: &mut Warnings) {
    let first = after.facilities.len() - added;
    let outside: Vec<String> = (first..after.facilities.len())
        .filter(|&i| after.eval.facility_district[i].is_none())
        .map(|i| {
            let f = after.facilities.get(i);
            format!("'{}' ({})", f.name, f.id)
        })
        .collect();
    if !outside.is_empty() {
        warnings.push(format!(
            "{}: scenario '{name}' adds {} arena(s) outside every district: {}; they are evaluated and serve the \
             children near them, but count in no district",
            file.display(),
            outside.len(),
            list_some(&outside, 5, ", ")
        ));
    }
}

/// Writes one scenario's outputs into `dir`: the district, child and arena layers of the change (GeoJSON in the
/// output CRS), the district table, the QGIS project styled for change and (unless `--map false`) the map picture.
/// The file names written, and the scenario's part of the report.
#[allow(clippy::too_many_arguments)]
pub fn write_scenario(
    dir: &Path,
    name: &str,
    subtitle: Option<&str>,
    before: Side,
    after: Side,
    comparison: &Comparison,
    kept: usize,
    closed: &[usize],
    settings: &Settings,
) -> Result<(Vec<String>, ScenarioPage)> {
    let transform = Transform::new(after.study.analysis_crs, settings.output_crs)
        .map_err(|e| Error::Config(format!("--output-crs: {e}")))?;
    let districts = DistrictDiffLayer::new(&after.study.districts, before, after, comparison);
    let children = ChildDiffLayer::new(before, after, comparison);
    let arenas = ScenarioArenaLayer::new(before, after, kept, closed);
    let layers: [&dyn LayerView; 3] = [&districts, &children, &arenas];
    let mut written = Vec::new();
    for layer in layers {
        let name = format!("{}.geojson", layer.name());
        output::geojson::write(&dir.join(&name), layer, &transform)?;
        written.push(name);
    }
    output::table::write_csv(&dir.join("districts_diff.csv"), &districts, settings.csv)?;
    written.push("districts_diff.csv".into());
    let s = &comparison.summary;
    let radius = after.eval.radius_any;
    let mean = match s.mean_distance {
        (Some(b), Some(a)) => {
            format!("; medelavstånd {} m (mean distance)", output::symbology::text::signed_sv(a - b, 0))
        }
        _ => String::new(),
    };
    let title = format!("{name}: scenario mot nuläget (scenario against the baseline)");
    let subtitle = subtitle.map(str::to_string).unwrap_or_else(|| {
        format!(
            "+{} barn inom {radius} m, −{} barn utanför (children newly within {radius} m, losing it){mean}",
            format_count(s.newly_covered),
            format_count(s.losing_coverage)
        )
    });
    let page = super::analyze::page(after.study, &title, &subtitle);
    let fields = output::symbology::Look::new(&after.study.kinds, []).with_fields(&layers);
    output::qgis::write_compare_project(dir, settings.output_crs, after.study.analysis_crs, &page, &fields)?;
    written.extend([output::qgis::COMPARE_PROJECT_FILE.to_string(), "styles/".to_string()]);
    let options = output::map::MapOptions {
        title,
        subtitle,
        kinds: output::symbology::kind_symbols(&after.study.kinds),
        theme: output::map::Theme::Change,
        ..Default::default()
    };
    // The drawing, for map.png and map.svg and inline in the report.
    let map_svg = output::map::map_svg(&districts, &output::map::NoLayer, &arenas, &children, &options)?;
    if settings.map {
        let (png, svg) = (dir.join("map.png"), dir.join("map.svg"));
        output::map::write_map(&png, Some(&svg), &map_svg, &options)?;
        written.extend(["map.png".to_string(), "map.svg".to_string()]);
    }
    // The spreadsheet of the change: districts by rank after it, the children that changed, the arenas.
    let kinds = after.study.kinds.labels_sv();
    let about = serde_json::json!({ "scenario": name, "summary": &options.subtitle, "run": "../run.json" });
    let sheets = [
        output::workbook::Sheet { name: "Områden", layer: &districts, sort_by: Some("gap_rank_after") },
        output::workbook::Sheet { name: "Barn som ändras", layer: &children, sort_by: None },
        output::workbook::Sheet { name: "Arenor", layer: &arenas, sort_by: None },
    ];
    output::workbook::write_workbook(&dir.join(output::workbook::FILE), &sheets, &about, &kinds)?;
    written.push(output::workbook::FILE.to_string());
    let folder = dir.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let page = ScenarioPage::new(name, &folder, &options.subtitle, map_svg, &districts);
    Ok((written, page))
}

/// The workbook of the scenarios at the top of a comparison's folder.
pub const SCENARIOS_XLSX: &str = "scenarios.xlsx";

/// Writes [`SCENARIOS_XLSX`] into `out`: the scenario table (as `scenarios.csv`) and the run's record.
pub fn write_scenarios_workbook(
    out: &Path,
    table: &ScenarioTable,
    about: &serde_json::Value,
    study: &Study,
) -> Result<()> {
    let sheets = [output::workbook::Sheet { name: "Scenarier", layer: table, sort_by: None }];
    output::workbook::write_workbook(&out.join(SCENARIOS_XLSX), &sheets, about, &study.kinds.labels_sv())
}

/// The baseline in one line, under a comparison report's title.
pub fn baseline_line(study: &Study, eval: &Evaluation) -> String {
    let total = study.children.total();
    let covered = eval.children_covered();
    format!(
        "Nuläget (baseline): {} barn, {} % inom {} m från en arena (within {} m of an arena, {}), {} arenor",
        format_count(total),
        if total > 0.0 { (100.0 * covered / total).round() } else { 0.0 },
        format_count(eval.radius_any),
        format_count(eval.radius_any),
        DistanceWords::of(study).en,
        format_count(study.facilities.len() as f64)
    )
}

/// A comparison report's headline figures: the baseline, and how many scenarios.
pub fn baseline_figures(study: &Study, eval: &Evaluation, scenarios: usize) -> Vec<(String, String)> {
    let total = study.children.total();
    let covered = eval.children_covered();
    let share = if total > 0.0 { format!(" ({} %)", (100.0 * covered / total).round()) } else { String::new() };
    vec![
        ("scenarier (scenarios)".into(), format_count(scenarios as f64)),
        ("barn (children)".into(), format_count(total)),
        (format!("nära en arena i nuläget, inom {} m{share}", format_count(eval.radius_any)), format_count(covered)),
        ("arenor i nuläget (arenas)".into(), format_count(study.facilities.len() as f64)),
    ]
}

/// What a reader of a comparison report should keep in mind, and the run's warnings.
pub fn change_caveats(study: &Study, eval: &Evaluation, warnings: &[String]) -> Vec<String> {
    let mut out = vec![
        format!("{} Ett barn räknas som nära en arena inom {} m.", DistanceWords::of(study).caveat, eval.radius_any),
        "Ett scenario räknas på samma barn som nuläget (om det inte har en egen befolkning): bara arenorna ändras. \
         Glapprang räknas om i varje scenario."
            .to_string(),
        "Bättre eller sämre för ett område: ett lägre eller högre glappindex, annars fler eller färre barn nära en \
         arena, annars ett kortare eller längre medelavstånd."
            .to_string(),
    ];
    out.extend(warnings.iter().map(|w| format!("Varning från körningen: {w}")));
    out
}

/// The scenarios as a terminal table.
pub fn table(done: &Done) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<32} {:>9} {:>9} {:>11} {:>6} {:>13}  {}\n",
        "scenario", "+covered", "-covered", "mean dist", "FC ±", "better/worse", "largest gap-rank move"
    ));
    for r in &done.rows {
        let s = &r.summary;
        let mean = match s.mean_distance {
            (Some(b), Some(a)) => format!("{:+.0} m", a - b),
            _ => "-".into(),
        };
        let moved = match (&r.largest_move_district, s.largest_rank_move) {
            (Some(name), Some((_, b, a))) => rank_move(name, b, a),
            _ => "none".into(),
        };
        out.push_str(&format!(
            "{:<32} {:>9} {:>9} {:>11} {:>6} {:>13}  {}\n",
            truncate(&r.name, 32),
            format_count(s.newly_covered),
            format_count(s.losing_coverage),
            mean,
            format!("+{}/-{}", s.policy_gained, s.policy_lost),
            format!("{}/{}", s.districts_better, s.districts_worse),
            moved
        ));
    }
    out
}

/// A folder name for each scenario name: lower case ASCII letters and digits joined by `-` (å, ä → a, ö → o,
/// é → e), `scenario` when nothing is left, and `-2`, `-3`, … for a name already taken.
pub fn unique_slugs<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    names
        .map(|name| {
            let base = slug(name);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            candidate
        })
        .collect()
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "scenario".into()
    } else {
        out
    }
}

/// The comparison's own part of run.json.
#[derive(Serialize)]
struct CompareDetails<'a> {
    scenarios: &'a [ScenarioRecord],
}

/// One scenario in run.json.
#[derive(Serialize)]
struct ScenarioRecord {
    name: String,
    file: PathBuf,
    folder: String,
    added: Vec<String>,
    closed: Vec<String>,
    /// The inputs of its own population, when it has one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inputs: Vec<InputInfo>,
    outputs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_unique() {
        let names = ["Familjecentral i Billdal", "Göteborg 2030", "göteborg 2030", "  ", "Å/Ä/Ö: ?"];
        assert_eq!(
            unique_slugs(names.into_iter()),
            ["familjecentral-i-billdal", "goteborg-2030", "goteborg-2030-2", "scenario", "a-a-o"]
        );
    }
}
