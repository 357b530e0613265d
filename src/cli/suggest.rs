//! `arenagap suggest`: where `k` new arenas would do most. Load once; build the siting instance through the cost
//! model (demand: the study's children, weighted by need when need weights are configured; candidates: a point
//! file or a grid inside the districts; the existing arenas of the considered kinds kept); solve it to a choice and
//! a proven bound; then write the sites, the record, a scenario file of them, and the comparison of "baseline vs
//! the suggestion" that `compare` would write for that scenario.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cli::compare::{
    baseline_figures, baseline_line, change_caveats, write_scenario, write_scenarios_workbook, SCENARIOS_XLSX,
};
use crate::cli::options::{Options, Settings};
use crate::cli::record::CommandRun;
use crate::cli::truncate;
use crate::cost::CostModel;
use crate::crs::Transform;
use crate::error::{Error, Result};
use crate::measure::compare::{compare, Side};
use crate::measure::{self, rescore};
use crate::model::candidates::Candidates;
use crate::model::facilities::{Facilities, Facility};
use crate::model::kinds::KindId;
use crate::model::scenario::Scenario;
use crate::model::study::{InputInfo, Study};
use crate::output::compare_layers::{ScenarioRow, ScenarioTable};
use crate::output::layers::format_count;
use crate::output::report::change::ChangeReport;
use crate::output::report::Page;
use crate::output::suggestions::{Site, SuggestionLayer};
use crate::output::{self, LayerView};
use crate::siting::{self, instance, Solution};

/// The output folder of `suggest` unless `--out` names one.
pub const DEFAULT_OUT: &str = "arenagap-suggest";

/// The folder, in the output folder, of the comparison of the suggestion with the baseline.
pub const SUGGESTION_FOLDER: &str = "suggestion";

/// The most candidates a grid may make.
const MAX_GRID_CANDIDATES: usize = 20_000;

/// What to optimise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Maximal covering: the most (need-weighted) children within the radius of an arena, existing or new.
    Coverage,
    /// p-median: the least (need-weighted) mean distance from the children to the nearest arena.
    Distance,
}

/// What `suggest` is asked, beyond the run's options.
#[derive(Clone, Debug)]
pub struct Request {
    /// How many new sites.
    pub count: usize,
    /// What to optimise.
    pub objective: Objective,
    /// Candidate sites from a file.
    pub candidates: Option<PathBuf>,
    /// Their id field.
    pub candidate_id: Option<String>,
    /// Their table, in a GeoPackage holding several.
    pub candidate_layer: Option<String>,
    /// Or a grid inside the districts, this many metres apart.
    pub candidate_grid: Option<f64>,
    /// Stop after this long with the best choice and bound so far.
    pub time_limit: Option<f64>,
}

/// What a run of `suggest` found.
#[derive(Debug)]
pub struct Done {
    /// The record written as suggest.json.
    pub record: SuggestRecord,
    /// The sites, by rank.
    pub sites: Vec<Site>,
    /// Every warning.
    pub warnings: Vec<String>,
    /// The files and folders written at the top of the output folder.
    pub outputs: Vec<String>,
}

/// suggest.json.
#[derive(Clone, Debug, Serialize)]
pub struct SuggestRecord {
    /// `coverage` or `distance`.
    pub objective: Objective,
    /// Coverage: (need-weighted) children covered in all, existing coverage included; distance: the (need-weighted)
    /// mean distance in metres to the nearest arena.
    pub value: f64,
    /// Coverage: an upper bound on the best value any `k` candidates reach; distance: a lower bound.
    pub bound: f64,
    /// How far the bound is from the value, in per cent: 0 = proven optimal.
    pub gap_percent: f64,
    /// The chosen candidates' ids, by rank.
    pub chosen: Vec<String>,
    /// How many were asked for.
    pub k: usize,
    /// The coverage radius, metres (coverage only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius_m: Option<f64>,
    /// How the choice was found and bounded.
    pub method: String,
    /// Seconds spent building and solving the instance (the one figure that is not the same from run to run).
    pub seconds: f64,
    /// The kinds counted as arenas (existing ones kept), and the kind of the new sites.
    pub kinds: Vec<String>,
    /// The kind of the new sites.
    pub site_kind: String,
    /// Whether the demand was weighted by need.
    pub need_weighted: bool,
    /// Children in the demand, and covered (coverage) before and with the suggestion, unweighted.
    pub children: f64,
    /// Children within the radius of an existing arena of the considered kinds.
    pub children_covered_before: f64,
    /// Children within the radius with the suggestion.
    pub children_covered_after: f64,
    /// Child-weighted mean distance to the nearest arena of the considered kinds, before and after (unweighted).
    pub mean_distance_before_m: Option<f64>,
    /// With the suggestion.
    pub mean_distance_after_m: Option<f64>,
    /// Demand points, candidates used, and (coverage) rows after merging points with the same candidates.
    pub demand_points: usize,
    /// Candidates considered.
    pub candidates: usize,
    /// Rows of the covering programme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

/// Runs `suggest` and writes everything into `out` (the hidden folder the command swaps in whole).
pub fn run(
    request: &Request,
    options: &Options,
    settings: &Settings,
    data_dir: Option<&Path>,
    out: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Done> {
    if request.count == 0 {
        return Err(Error::Config("--count must be 1 or more: how many new sites to choose".into()));
    }
    if let Some(t) = request.time_limit.filter(|t| !(t.is_finite() && *t > 0.0)) {
        return Err(Error::Config(format!("--time-limit must be a number of seconds above 0, got {t}")));
    }
    let study = settings.load_study(progress)?;
    let mut warnings = study.warnings.clone();
    let kinds = &study.kinds;
    // The kinds that count: those named alone with --kind, else the coverage kinds. New sites are of the first
    // named, else of the policy kind when it counts, else the first that counts.
    let considered: Vec<KindId> = if settings.focus_kinds.is_empty() {
        kinds.iter().filter(|(_, k)| k.coverage).map(|(id, _)| id).collect()
    } else {
        settings.focus_kinds.clone()
    };
    let Some(&first) = considered.first() else {
        return Err(Error::Config("no kind to site for: name one with --kind KIND".into()));
    };
    let site_kind = match (settings.focus_kinds.first(), kinds.policy_kind()) {
        (Some(&k), _) => k,
        (None, Some(p)) if considered.contains(&p) => p,
        _ => first,
    };
    // The radius: --radius when given, else the one kind's own radius, else the "any" radius.
    let radius = match (options.radius, considered.as_slice()) {
        (Some(r), _) => r,
        (None, [one]) => kinds.get(*one).radius,
        (None, _) => settings.params.radius_any,
    };

    progress("reading the candidate sites");
    let (mut candidates, candidate_input) = candidates_of(request, &study, settings, data_dir)?;
    if study.districts.is_empty() {
        // No districts: every candidate stands.
    } else {
        let inside: Vec<bool> =
            candidates.positions.iter().map(|&p| study.district_index.locate(p).is_some()).collect();
        let outside = inside.iter().filter(|k| !**k).count();
        if outside == candidates.len() {
            return Err(Error::input(
                candidate_input.as_ref().map_or(Path::new("--candidate-grid"), |i| i.path.as_path()),
                "no candidate site lies inside the districts: check the file's CRS and that it covers the same place",
            ));
        }
        if outside > 0 {
            warnings.push(format!(
                "{}: {outside} of {} candidate sites lie outside every district and are left out",
                candidate_input.as_ref().map_or("--candidate-grid".into(), |i| i.path.display().to_string()),
                candidates.len()
            ));
            candidates.retain(&inside);
        }
    }
    if request.count > candidates.len() {
        return Err(Error::Config(format!(
            "--count {} is more than the {} candidate sites: ask for at most {}",
            request.count,
            candidates.len(),
            candidates.len()
        )));
    }

    // Demand: children, times the need weight of their district when need weights are configured.
    let need_weighted = study.need_weight.iter().any(|&w| w != 1.0);
    let weights: Vec<f64> = (0..study.children.len())
        .map(|i| {
            let need = study.child_district[i].map_or(1.0, |d| study.need_weight[d as usize]);
            study.children.counts[i] * need
        })
        .collect();
    let children_total: f64 = study.children.counts.iter().sum();
    if weights.iter().sum::<f64>().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::input(
            study.inputs.iter().find(|i| i.layer == "children").map_or(Path::new("children"), |i| i.path.as_path()),
            "the demand has no children: every count is 0",
        ));
    }
    let existing = Facilities::new(study.facilities.iter().filter(|f| considered.contains(&f.kind)).cloned().collect());
    let sites = Facilities::new(
        (0..candidates.len())
            .map(|j| Facility {
                id: candidates.ids[j].clone(),
                name: if candidates.names[j].trim().is_empty() {
                    candidates.ids[j].clone()
                } else {
                    candidates.names[j].clone()
                },
                kind: site_kind,
                position: candidates.positions[j],
                capacity: kinds.get(site_kind).capacity,
            })
            .collect(),
    );
    let cost = study.cost_model();
    let cost = cost.as_ref();
    let started = Instant::now();
    let deadline = request.time_limit.map(|t| started + Duration::from_secs_f64(t));
    progress("building the siting instance");
    let mut note = |s: &str| progress(s);
    let (solution, rows, reach) = match request.objective {
        Objective::Coverage => {
            let inst = instance::coverage(cost, &weights, &existing, &sites, radius);
            let rows = inst.problem.rows();
            let solution = siting::coverage::solve(&inst.problem, request.count, deadline, &mut note);
            (solution, Some(rows), Some(inst))
        }
        Objective::Distance => {
            let problem = instance::median(cost, &weights, &existing, &sites).map_err(Error::Config)?;
            let solution = siting::median::solve(&problem, request.count, deadline, &mut note);
            (solution, None, None)
        }
    };
    let seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;

    // The sites in rank order, each with what it adds given those before it.
    let total_weight: f64 = weights.iter().sum();
    let order = rank_sites(
        &solution,
        &weights,
        &study.children.counts,
        cost,
        &existing,
        &sites,
        reach.as_ref(),
        request.objective,
    );
    let district_names = |counts: &[(usize, f64)]| -> Vec<String> {
        counts.iter().map(|&(d, _)| study.districts[d].name.clone()).collect()
    };
    let ranked: Vec<Site> = order
        .iter()
        .enumerate()
        .map(|(r, step)| Site {
            rank: r as u32 + 1,
            id: candidates.ids[step.site].clone(),
            name: candidates.names[step.site].clone(),
            position: candidates.positions[step.site],
            adds: step.adds,
            districts: district_names(&step.districts(&study)),
            values: candidates.values[step.site].clone(),
        })
        .collect();

    // "Baseline vs the suggestion", as compare writes it.
    progress("comparing the suggestion with the baseline");
    let added: Vec<Facility> = order.iter().map(|s| sites.get(s.site).clone()).collect();
    let scenario_name = format!(
        "Förslag: {} {} ({})",
        request.count,
        kinds.get(site_kind).label_sv.to_lowercase(),
        match request.objective {
            Objective::Coverage => "täckning",
            Objective::Distance => "avstånd",
        }
    );
    let scenario = Scenario { name: scenario_name.clone(), added: added.clone(), closed: Vec::new() };
    let base_eval = measure::evaluate(&study, &study.facilities, cost, &settings.params);
    let scored = rescore(&study, &study.facilities, &base_eval, &scenario, cost, &settings.params);
    let before = Side { study: &study, facilities: &study.facilities, eval: &base_eval };
    let after = Side { study: &study, facilities: &scored.facilities, eval: &scored.eval };
    let comparison = compare(before, after, Some(&scored.changed));
    let dir = out.join(SUGGESTION_FOLDER);
    std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
    let kept = scored.facilities.len() - added.len();
    let label = kinds.get(site_kind).label_sv.to_lowercase();
    let subtitle = match request.objective {
        Objective::Coverage => format!(
            "{} nya {label}: +{} barn inom {r} m (children newly within {r} m); gap {} %",
            request.count,
            format_count(order.iter().map(|s| s.adds).sum::<f64>()),
            (solution.gap_percent() * 100.0).round() / 100.0,
            r = format_count(radius)
        ),
        Objective::Distance => format!(
            "{} nya {label}: medelavstånd −{:.0} m (mean distance saved); gap {} %",
            request.count,
            order.iter().map(|s| s.adds).sum::<f64>(),
            (solution.gap_percent() * 100.0).round() / 100.0
        ),
    };
    let (scenario_outputs, page) =
        write_scenario(&dir, &scenario_name, Some(&subtitle), before, after, &comparison, kept, &[], settings)?;
    let row = ScenarioRow {
        name: scenario_name.clone(),
        folder: SUGGESTION_FOLDER.into(),
        added: added.len(),
        closed: 0,
        population: false,
        largest_move_district: comparison.summary.largest_rank_move.map(|(d, _, _)| study.districts[d].name.clone()),
        summary: comparison.summary,
    };
    let table = ScenarioTable::new(std::slice::from_ref(&row), kinds);
    output::table::write_csv(&out.join("scenarios.csv"), &table, settings.csv)?;

    // Unweighted before/after, for the record.
    let chosen_sites: Vec<usize> = order.iter().map(|s| s.site).collect();
    let (covered_before, covered_after) = match &reach {
        Some(inst) => {
            let mut before = 0.0;
            let mut after = 0.0;
            for i in 0..study.children.len() {
                let c = study.children.counts[i];
                let new = inst.reach.row(i).0.iter().any(|&j| chosen_sites.contains(&(j as usize)));
                if inst.existing[i] {
                    before += c;
                }
                if inst.existing[i] || new {
                    after += c;
                }
            }
            (before, after)
        }
        None => {
            let within = |fs: &Facilities| -> f64 {
                let near = cost.within(fs, &vec![radius; fs.len()]).by_origin(study.children.len());
                (0..study.children.len()).filter(|&i| !near.row(i).0.is_empty()).map(|i| study.children.counts[i]).sum()
            };
            let mut with = existing.as_slice().to_vec();
            with.extend(added.iter().cloned());
            (within(&existing), within(&Facilities::new(with)))
        }
    };
    let mean = |fs: &Facilities| -> Option<f64> {
        if fs.is_empty() {
            return None;
        }
        let near = cost.nearest(fs, &vec![Some(0); fs.len()], 1);
        let (mut sum, mut w) = (0.0, 0.0);
        for i in 0..study.children.len() {
            if let Some(d) = near.cost(i, 0) {
                sum += study.children.counts[i] * d;
                w += study.children.counts[i];
            }
        }
        (w > 0.0).then(|| sum / w)
    };
    let mut with = existing.as_slice().to_vec();
    with.extend(added.iter().cloned());
    let (value, bound) = match request.objective {
        Objective::Coverage => (solution.value, solution.bound),
        Objective::Distance => (solution.value / total_weight, solution.bound / total_weight),
    };
    let record = SuggestRecord {
        objective: request.objective,
        value: round(value),
        bound: round(bound),
        gap_percent: (solution.gap_percent() * 1e4).round() / 1e4,
        chosen: ranked.iter().map(|s| s.id.clone()).collect(),
        k: request.count,
        radius_m: (request.objective == Objective::Coverage).then_some(radius),
        method: solution.method.clone(),
        seconds,
        kinds: considered.iter().map(|&k| kinds.get(k).id.clone()).collect(),
        site_kind: kinds.get(site_kind).id.clone(),
        need_weighted,
        children: round(children_total),
        children_covered_before: round(covered_before),
        children_covered_after: round(covered_after),
        mean_distance_before_m: mean(&existing).map(round),
        mean_distance_after_m: mean(&Facilities::new(with)).map(round),
        demand_points: study.children.len(),
        candidates: candidates.len(),
        rows,
    };

    progress("writing the suggestions");
    let transform = Transform::new(study.analysis_crs, settings.output_crs)
        .map_err(|e| Error::Config(format!("--output-crs: {e}")))?;
    let adds = match request.objective {
        Objective::Coverage => "children_newly_covered",
        Objective::Distance => "distance_saved_m",
    };
    let layer = SuggestionLayer::new(&ranked, &kinds.get(site_kind).id, adds, &candidates.fields);
    output::geojson::write(&out.join("suggestions.geojson"), &layer as &dyn LayerView, &transform)?;
    output::run::write(&out.join("suggest.json"), &record)?;
    let toml = suggested_toml(&scenario_name, &ranked, &kinds.get(site_kind).id, study.analysis_crs.code(), &record);
    output::atomic::write_file(&out.join("suggested.toml"), |f| std::io::Write::write_all(f, toml.as_bytes()))?;
    let mut outputs: Vec<String> =
        ["suggestions.geojson", "suggest.json", "suggested.toml", "scenarios.csv"].map(String::from).to_vec();
    outputs.push(format!("{SUGGESTION_FOLDER}/"));
    outputs.extend([SCENARIOS_XLSX, output::report::FILE, "run.json"].map(String::from));
    let mut inputs = study.inputs.clone();
    inputs.extend(candidate_input);
    let details = SuggestDetails { suggestion_outputs: &scenario_outputs };
    let run = CommandRun::new("suggest", cost.name(), options, &inputs, details, &warnings.0, &outputs);
    let about = serde_json::to_value(&run).map_err(|e| Error::write(out, std::io::Error::other(e)))?;
    write_scenarios_workbook(out, &table, &about, &study)?;
    let mut headline = baseline_figures(&study, &base_eval, 1);
    headline[0] = (format!("nya {label} föreslagna (suggested)"), format_count(request.count as f64));
    headline.push((
        "optimalitetsgap (optimality gap: 0 = bevisat bäst)".to_string(),
        format!("{} %", ((solution.gap_percent() * 100.0).round() / 100.0).to_string().replace('.', ",")),
    ));
    let mut caveats = change_caveats(&study, &base_eval, &warnings.0);
    caveats.insert(
        1,
        format!(
            "Förslaget är det bästa valet av {} platser bland {} kandidater som lösaren hittade ({}); gapet är hur \
             långt från det bevisade bästa det högst kan vara (suggest.json).",
            request.count,
            format_count(candidates.len() as f64),
            solution.method
        ),
    );
    if request.objective == Objective::Coverage && radius != base_eval.radius_any {
        caveats.insert(
            2,
            format!(
                "Förslagets egen siffra (+{} barn) räknar barn inom {}s räckvidd, {} m; scenariotabellens \
                 \"Barn som får en arena nära\" räknar, som resten av rapporten, inom {} m från en arena av något slag.",
                format_count(order.iter().map(|s| s.adds).sum::<f64>()),
                label,
                format_count(radius),
                format_count(base_eval.radius_any)
            ),
        );
    }
    let title = format!("{}: {scenario_name}", settings.title);
    let report = ChangeReport {
        page: Page {
            title: &title,
            subtitle: &baseline_line(&study, &base_eval),
            headline,
            kinds: &study.kinds.labels_sv(),
            caveats,
            about: &about,
        },
        scenarios: &table,
        pages: std::slice::from_ref(&page),
    };
    output::report::change::write_change_report(&out.join(output::report::FILE), &report)?;
    output::run::write(&out.join("run.json"), &run)?;
    Ok(Done { record, sites: ranked, warnings: warnings.0, outputs })
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The candidates: from the file (its path against `--data-dir` when relative and given) or the grid.
fn candidates_of(
    request: &Request,
    study: &Study,
    settings: &Settings,
    data_dir: Option<&Path>,
) -> Result<(Candidates, Option<InputInfo>)> {
    match (&request.candidates, request.candidate_grid) {
        (Some(_), Some(_)) => {
            Err(Error::Config("give either --candidates FILE or --candidate-grid M, not both".into()))
        }
        (None, None) => Err(Error::Config(
            "no candidate sites: give --candidates FILE (points: e.g. premises that could host an arena) or \
             --candidate-grid M (a grid inside the districts, M metres apart)"
                .into(),
        )),
        (Some(path), None) => {
            let path = match data_dir {
                Some(d) if path.is_relative() => d.join(path),
                _ => path.clone(),
            };
            let (c, info) = crate::input::candidates::load_candidates(
                &path,
                request.candidate_layer.as_deref(),
                request.candidate_id.as_deref(),
                settings.load.input_crs,
                study.analysis_crs,
            )?;
            Ok((c, Some(info)))
        }
        (None, Some(spacing)) => {
            if !(spacing.is_finite() && (10.0..=100_000.0).contains(&spacing)) {
                return Err(Error::Config(format!("--candidate-grid must be from 10 to 100000 metres, got {spacing}")));
            }
            if study.districts.is_empty() {
                return Err(Error::Config(
                    "--candidate-grid lays its grid inside the districts: give --districts".into(),
                ));
            }
            let grid = Candidates::grid(&study.district_index, spacing, MAX_GRID_CANDIDATES).ok_or_else(|| {
                Error::Config(format!(
                    "--candidate-grid {spacing}: more than {MAX_GRID_CANDIDATES} sites; use a coarser grid"
                ))
            })?;
            if grid.is_empty() {
                return Err(Error::Config(format!("--candidate-grid {spacing}: no grid point lies inside a district")));
            }
            Ok((grid, None))
        }
    }
}

/// One ranked site: which candidate, what it adds, and the demand points it adds (their child counts).
struct Step {
    site: usize,
    adds: f64,
    points: Vec<(usize, f64)>,
}

impl Step {
    /// The districts of its points, most children first (ties: district order).
    fn districts(&self, study: &Study) -> Vec<(usize, f64)> {
        let mut by: std::collections::BTreeMap<usize, f64> = Default::default();
        for &(i, c) in &self.points {
            if let Some(d) = study.child_district[i] {
                *by.entry(d as usize).or_default() += c;
            }
        }
        let mut list: Vec<(usize, f64)> = by.into_iter().collect();
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        list
    }
}

/// The chosen sites in rank order: each step the one adding most given those before it (coverage: weight newly
/// covered; distance: weighted distance saved), ties by candidate order. What a site adds is reported unweighted:
/// children newly covered, or metres of the child-weighted mean distance saved.
#[allow(clippy::too_many_arguments)]
fn rank_sites(
    solution: &Solution,
    weights: &[f64],
    counts: &[f64],
    cost: &dyn CostModel,
    existing: &Facilities,
    sites: &Facilities,
    reach: Option<&instance::CoverageInstance>,
    objective: Objective,
) -> Vec<Step> {
    let n = weights.len();
    let mut left: Vec<usize> = solution.chosen.clone();
    let mut steps = Vec::new();
    match (objective, reach) {
        (Objective::Coverage, Some(inst)) => {
            let mut covered = inst.existing.clone();
            // Points each chosen site reaches.
            let mut reaches: std::collections::HashMap<usize, Vec<usize>> = Default::default();
            for i in 0..n {
                for &j in inst.reach.row(i).0 {
                    if left.contains(&(j as usize)) {
                        reaches.entry(j as usize).or_default().push(i);
                    }
                }
            }
            while !left.is_empty() {
                let gain = |j: usize| -> f64 {
                    reaches.get(&j).map_or(0.0, |ps| ps.iter().filter(|&&i| !covered[i]).map(|&i| weights[i]).sum())
                };
                let (k, j, _) = best_of(&left, gain);
                let points: Vec<usize> =
                    reaches.get(&j).map_or(Vec::new(), |ps| ps.iter().copied().filter(|&i| !covered[i]).collect());
                for &i in &points {
                    covered[i] = true;
                }
                let children: Vec<(usize, f64)> = points.iter().map(|&i| (i, counts[i])).collect();
                steps.push(Step { site: j, adds: 0.0, points: children });
                left.remove(k);
            }
        }
        _ => {
            let group = vec![Some(0); existing.len()];
            let near = cost.nearest(existing, &group, 1);
            let mut best: Vec<f64> = (0..n).map(|i| near.cost(i, 0).unwrap_or(f64::INFINITY)).collect();
            let chosen = Facilities::new(solution.chosen.iter().map(|&j| sites.get(j).clone()).collect());
            let table = cost.within(&chosen, &vec![1e7; chosen.len()]).by_origin(n);
            let distance = |i: usize, j: usize| -> f64 {
                let (fs, cs) = table.row(i);
                fs.iter().position(|&f| solution.chosen[f as usize] == j).map_or(f64::INFINITY, |k| cs[k])
            };
            let total: f64 = weights.iter().sum();
            while !left.is_empty() {
                let saving = |j: usize| -> f64 {
                    (0..n)
                        .map(|i| {
                            let d = distance(i, j);
                            if d < best[i] {
                                weights[i] * (best[i].min(1e15) - d)
                            } else {
                                0.0
                            }
                        })
                        .sum()
                };
                let (k, j, saved) = best_of(&left, saving);
                let mut points = Vec::new();
                for (i, b) in best.iter_mut().enumerate() {
                    let d = distance(i, j);
                    if d < *b {
                        *b = d;
                        points.push((i, counts[i]));
                    }
                }
                steps.push(Step { site: j, adds: if total > 0.0 { saved / total } else { 0.0 }, points });
                left.remove(k);
            }
        }
    }
    if objective == Objective::Coverage {
        for s in &mut steps {
            s.adds = s.points.iter().map(|p| p.1).sum();
        }
    }
    steps
}

/// The site of `left` with the largest `score` (each scored once; ties: the lowest candidate index): its place in
/// `left`, the candidate, and its score.
fn best_of(left: &[usize], score: impl Fn(usize) -> f64) -> (usize, usize, f64) {
    let mut best = (0, left[0], f64::NEG_INFINITY);
    for (k, &j) in left.iter().enumerate() {
        let v = score(j);
        if v > best.2 || (v == best.2 && j < best.1) {
            best = (k, j, v);
        }
    }
    best
}

/// suggested.toml: the suggestion as a scenario file that `compare` reads.
fn suggested_toml(name: &str, sites: &[Site], kind: &str, crs: String, record: &SuggestRecord) -> String {
    let mut table = toml::Table::new();
    table.insert("name".into(), toml::Value::String(name.into()));
    let adds: Vec<toml::Value> = sites
        .iter()
        .map(|s| {
            let mut t = toml::Table::new();
            t.insert(
                "name".into(),
                toml::Value::String(if s.name.trim().is_empty() { s.id.clone() } else { s.name.clone() }),
            );
            t.insert("kind".into(), toml::Value::String(kind.into()));
            t.insert("x".into(), toml::Value::Float(round(s.position[0])));
            t.insert("y".into(), toml::Value::Float(round(s.position[1])));
            t.insert("crs".into(), toml::Value::String(crs.clone()));
            t.insert("id".into(), toml::Value::String(s.id.clone()));
            toml::Value::Table(t)
        })
        .collect();
    table.insert("add".into(), toml::Value::Array(adds));
    let body = toml::to_string(&table).unwrap_or_default();
    format!(
        "# Written by arenagap suggest ({} objective, k = {}, gap {} %): the suggested sites as a scenario.\n\
         # Edit it (move a site, drop one, add another) and run:  arenagap compare --scenario suggested.toml …\n{body}",
        match record.objective {
            Objective::Coverage => "coverage",
            Objective::Distance => "distance",
        },
        record.k,
        record.gap_percent
    )
}

/// The terminal summary of a suggestion.
pub fn summary(done: &Done) -> String {
    let r = &done.record;
    let mut out = String::new();
    let weighted = if r.need_weighted { "need-weighted " } else { "" };
    match r.objective {
        Objective::Coverage => out.push_str(&format!(
            "{} new {}: {} of {} children within {} m of a {} (was {})\n\
             objective ({weighted}children covered) {}, bound {}, gap {} %, {} s: {}\n",
            r.k,
            r.site_kind,
            format_count(r.children_covered_after),
            format_count(r.children),
            r.radius_m.unwrap_or_default(),
            r.kinds.join(" or "),
            format_count(r.children_covered_before),
            format_count(r.value),
            format_count(r.bound),
            r.gap_percent,
            r.seconds,
            r.method
        )),
        Objective::Distance => out.push_str(&format!(
            "{} new {}: mean distance to the nearest {} {} m (was {} m)\n\
             objective ({weighted}mean distance) {} m, lower bound {} m, gap {} %, {} s: {}\n",
            r.k,
            r.site_kind,
            r.kinds.join(" or "),
            r.mean_distance_after_m.map_or("-".into(), |m| format!("{m:.0}")),
            r.mean_distance_before_m.map_or("-".into(), |m| format!("{m:.0}")),
            r.value,
            r.bound,
            r.gap_percent,
            r.seconds,
            r.method
        )),
    }
    for s in &done.sites {
        out.push_str(&format!(
            "{:>4}  {:<30} {:>10}  {}\n",
            s.rank,
            truncate(&if s.name.trim().is_empty() { s.id.clone() } else { format!("{} ({})", s.name, s.id) }, 30),
            match r.objective {
                Objective::Coverage => format!("+{}", format_count(s.adds)),
                Objective::Distance => format!("−{:.0} m", s.adds),
            },
            truncate(&s.districts.join(", "), 50)
        ));
    }
    out
}

/// The suggestion's own part of run.json.
#[derive(Serialize)]
struct SuggestDetails<'a> {
    suggestion_outputs: &'a [String],
}
