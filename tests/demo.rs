//! The bundled demo city end to end: the files written, the output field contract, RFC 7946 GeoJSON, the
//! patterns the demo was built to contain (data/demo/README.md), consistent sums, run.json, the config file and
//! the kind mapping.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::*;

const KINDS: [&str; 4] = ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"];

/// The district fields of the output contract (src/output/layers.rs), in order.
fn district_fields() -> Vec<String> {
    let mut fields: Vec<String> = ["district_id", "district_name", "children", "arenas_total"].map(String::from).into();
    fields.extend(KINDS.map(|k| format!("arenas_{k}")));
    fields.extend(
        ["children_covered", "children_uncovered", "coverage_share", "children_near_radius", "coverage_could_swing"]
            .map(String::from),
    );
    fields.extend(KINDS.map(|k| format!("children_covered_{k}")));
    fields.extend(["mean_distance_m", "p90_distance_m"].map(String::from));
    fields.extend(KINDS.map(|k| format!("mean_distance_{k}_m")));
    fields.extend(
        ["has_familjecentral", "need_weight", "gap_score", "gap_rank", "gap_score_unweighted", "gap_rank_unweighted"]
            .map(String::from),
    );
    fields
}

fn gap_fields() -> Vec<String> {
    ["zone_id", "children", "nearest_arena_m", "nearest_arena_min_m", "districts", "gap_score", "gap_rank", "area_km2"]
        .map(String::from)
        .into()
}

fn child_fields() -> Vec<String> {
    let mut fields: Vec<String> =
        ["children", "district_id", "nearest_any_m", "nearest_any_id", "nearest_any_name"].map(String::from).into();
    for k in KINDS {
        fields.push(format!("nearest_{k}_m"));
        fields.push(format!("nearest_{k}_id"));
    }
    fields.push("covered".into());
    fields
}

fn arena_fields() -> Vec<String> {
    ["arena_id", "name", "kind", "capacity", "district_id", "radius_m", "children_within_radius"]
        .map(String::from)
        .into()
}

/// The demo with default options (no inputs named, only `--out`), run once for all tests that read it.
struct DefaultRun {
    out: PathBuf,
    stdout: String,
}

fn default_run() -> &'static DefaultRun {
    static RUN: OnceLock<DefaultRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = shared_out("demo-default");
        let stdout = run_ok(arenagap().current_dir(repo()).arg("analyze").arg("--out").arg(&out));
        DefaultRun { out, stdout }
    })
}

/// The demo with GeoJSON output in EPSG:3006 (metres), run once.
fn metric_run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = shared_out("demo-3006");
        run_ok(
            arenagap()
                .current_dir(repo())
                .args(["analyze", "--quiet", "--output-crs", "EPSG:3006", "--map", "false", "--gpkg", "false"])
                .arg("--out")
                .arg(&out),
        );
        out
    })
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// Every position of a geometry.
fn positions(coordinates: &Value, out: &mut Vec<[f64; 2]>) {
    let array = coordinates.as_array().expect("coordinates are arrays");
    if array.first().is_some_and(Value::is_number) {
        out.push([number(&array[0]), number(&array[1])]);
    } else {
        for c in array {
            positions(c, out);
        }
    }
}

/// The polygons (each a list of rings) of a Polygon or MultiPolygon geometry; none for other geometries.
fn polygons(geometry: &Value) -> Vec<&Value> {
    match geometry["type"].as_str() {
        Some("Polygon") => vec![&geometry["coordinates"]],
        Some("MultiPolygon") => geometry["coordinates"].as_array().expect("polygons").iter().collect(),
        _ => Vec::new(),
    }
}

/// Twice the signed area of a ring: positive when counter-clockwise.
fn signed_area(ring: &Value) -> f64 {
    let mut points = Vec::new();
    positions(ring, &mut points);
    points.windows(2).map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1]).sum()
}

/// Checks a GeoJSON layer's coordinate ranges and ring orientation (outer rings counter-clockwise, holes
/// clockwise), and returns how many outer rings and holes it has.
fn check_geometry(layer: &Value, name: &str, x: (f64, f64), y: (f64, f64)) -> (usize, usize) {
    let (mut outer, mut holes) = (0, 0);
    for f in features(layer) {
        let mut points = Vec::new();
        positions(&f["geometry"]["coordinates"], &mut points);
        assert!(!points.is_empty(), "{name}: a feature without coordinates: {f}");
        for [px, py] in points {
            assert!(x.0 < px && px < x.1 && y.0 < py && py < y.1, "{name}: ({px}, {py}) out of range");
        }
        for polygon in polygons(&f["geometry"]) {
            for (k, ring) in polygon.as_array().expect("rings").iter().enumerate() {
                let area = signed_area(ring);
                if k == 0 {
                    assert!(area > 0.0, "{name}: an outer ring is clockwise: {}", f["properties"]);
                    outer += 1;
                } else {
                    assert!(area < 0.0, "{name}: a hole is counter-clockwise: {}", f["properties"]);
                    holes += 1;
                }
            }
        }
    }
    (outer, holes)
}

#[test]
fn every_output_file_is_written() {
    let out = &default_run().out;
    for name in [
        "districts.geojson",
        "gaps.geojson",
        "children.geojson",
        "arenas.geojson",
        "districts.csv",
        "run.json",
        "arenagap.qgs",
        "arenagap.gpkg",
        "map.png",
        "map.svg",
        "styles/districts.qml",
        "styles/gaps.qml",
        "styles/children.qml",
        "styles/arenas.qml",
    ] {
        let path = out.join(name);
        let len = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{name}: {e}")).len();
        assert!(len > 0, "{name} is empty");
    }
    let partial: Vec<String> = files_in(out).into_iter().filter(|n| n.contains("partial")).collect();
    assert!(partial.is_empty(), "left over: {partial:?}");
}

#[test]
fn output_layers_have_exactly_the_contract_fields() {
    let out = &default_run().out;
    for (file, want, count) in [
        ("districts.geojson", district_fields(), Some(12)),
        ("gaps.geojson", gap_fields(), None),
        ("children.geojson", child_fields(), Some(3601)),
        ("arenas.geojson", arena_fields(), Some(24)),
    ] {
        let layer = read_json(&out.join(file));
        let features = features(&layer);
        assert!(!features.is_empty(), "{file} has no features");
        if let Some(count) = count {
            assert_eq!(features.len(), count, "{file}: features");
        }
        for f in features {
            assert_eq!(keys(f), want, "{file}: fields of {}", f["properties"]);
        }
    }
}

#[test]
fn districts_csv_has_the_districts_fields_and_values() {
    let out = &default_run().out;
    let districts = read_json(&out.join("districts.geojson"));
    let mut csv = csv::Reader::from_path(out.join("districts.csv")).expect("districts.csv opens");
    let header: Vec<String> = csv.headers().expect("a header").iter().map(String::from).collect();
    assert_eq!(header, district_fields());
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), features(&districts).len(), "one row per district");
    for (row, f) in rows.iter().zip(features(&districts)) {
        for (cell, field) in row.iter().zip(&header) {
            let value = &f["properties"][field];
            let same = match value {
                Value::Null => cell.is_empty(),
                Value::String(s) => cell == s,
                Value::Bool(b) => cell == b.to_string(),
                Value::Number(n) => cell.parse::<f64>().ok() == n.as_f64(),
                _ => false,
            };
            assert!(same, "{} {field}: CSV {cell:?}, GeoJSON {value}", f["properties"]["district_id"]);
        }
    }
}

#[test]
fn geojson_is_rfc7946_by_default() {
    let out = &default_run().out;
    for file in ["districts.geojson", "gaps.geojson", "children.geojson", "arenas.geojson"] {
        let layer = read_json(&out.join(file));
        assert!(layer.get("crs").is_none(), "{file} has a crs member");
        check_geometry(&layer, file, (11.0, 13.0), (57.0, 58.0));
    }
    // D07 Sjöbo has a lake and D09 Norra Hamnen an island: 13 outer rings, 1 hole.
    let districts = read_json(&out.join("districts.geojson"));
    assert_eq!(check_geometry(&districts, "districts", (11.0, 13.0), (57.0, 58.0)), (13, 1));
}

#[test]
fn output_crs_3006_is_declared_and_metric() {
    let out = metric_run();
    for file in ["districts.geojson", "gaps.geojson", "children.geojson", "arenas.geojson"] {
        let layer = read_json(&out.join(file));
        assert_eq!(layer["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::3006", "{file}");
        check_geometry(&layer, file, (250_000.0, 400_000.0), (6_300_000.0, 6_500_000.0));
    }
}

#[test]
fn sjoviken_is_the_worst_gap() {
    let run = default_run();
    let districts = read_json(&run.out.join("districts.geojson"));
    let d01 = &district(&districts, "D01")["properties"];
    assert_eq!(d01["district_name"], "Sjöviken");
    assert_eq!(d01["gap_rank"], 1);
    assert!(number(&d01["children"]) > 1000.0, "{d01}");
    assert_eq!(number(&d01["children_uncovered"]), number(&d01["children"]), "{d01}");
    assert_eq!(d01["has_familjecentral"], false);

    let gaps = read_json(&run.out.join("gaps.geojson"));
    let first = features(&gaps).iter().find(|f| f["properties"]["gap_rank"] == 1).expect("a zone of rank 1");
    assert_eq!(first["properties"]["districts"], "Sjöviken");
    assert!(number(&first["properties"]["children"]) >= 1000.0, "{}", first["properties"]);

    let d03 = &district(&districts, "D03")["properties"];
    assert_eq!(d03["district_name"], "Åkervallen");
    assert!(number(&d03["arenas_total"]) > 0.0, "{d03}");
    assert_eq!(d03["has_familjecentral"], false);

    // The terminal summary: the first line under the rank header is Sjöviken.
    let mut lines = run.stdout.lines().skip_while(|l| !l.starts_with("Most underserved districts"));
    let header = lines.nth(1).unwrap_or_else(|| panic!("no rank table:\n{}", run.stdout));
    assert!(header.trim_start().starts_with("rank"), "{header}");
    let first = lines.next().expect("a first rank line");
    assert!(first.trim_start().starts_with("1 ") && first.contains("D01 Sjöviken"), "{first}");
}

/// `--top N` lists N districts and at most N zones, in rank order, and a line says what the columns mean.
#[test]
fn the_summary_lists_the_top_n_in_rank_order() {
    let scratch = Scratch::new();
    let stdout = run_ok(arenagap().current_dir(repo()).args(["analyze", "--top", "3", "--out"]).arg(scratch.out()));
    let lines: Vec<&str> = stdout.lines().collect();
    let table = lines.iter().position(|l| l.starts_with("Most underserved districts")).expect("a rank table");
    assert!(lines[table].contains("3 of 12"), "{}", lines[table]);
    let ranks: Vec<u32> = lines[table + 2..]
        .iter()
        .take_while(|l| l.trim_start().chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().next().and_then(|r| r.parse().ok()).expect("a rank"))
        .collect();
    assert_eq!(ranks, [1, 2, 3], "{stdout}");
    assert!(lines[table + 5].starts_with("covered, uncovered:"), "the legend follows the table:\n{stdout}");
    let zones = lines.iter().position(|l| l.starts_with("Gap zones")).expect("a zone list");
    let zone_ranks: Vec<u32> = lines[zones + 1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().and_then(|r| r.parse().ok()).expect("a rank"))
        .collect();
    assert!(!zone_ranks.is_empty() && zone_ranks.len() <= 3, "{stdout}");
    assert!(zone_ranks.windows(2).all(|w| w[0] < w[1]), "zones in rank order: {stdout}");
    assert!(lines[zones + 1].contains("gap score"), "{}", lines[zones + 1]);
    // One number style: thousands grouped with a space, shares with " %".
    assert!(lines[0].contains("8 761 children at 3 601 points") && lines[0].contains("(74.3 %)"), "{}", lines[0]);
}

/// Warnings: one line each on stderr after the run, the full text in run.json; `-q` prints none of them.
#[test]
fn warnings_are_one_line_each_and_quiet_silences_them() {
    let (out, quiet_out) = (shared_out("demo-warnings"), shared_out("demo-warnings-quiet"));
    let run = |quiet: bool, out: &Path| {
        let mut cmd = arenagap();
        cmd.current_dir(repo()).args(["analyze", "--map", "false", "--gpkg", "false", "--out"]).arg(out);
        if quiet {
            cmd.arg("-q");
        }
        let output = cmd.output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    let stderr = run(false, &out);
    let warnings = run_warnings(&out);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(lines.len(), warnings.len(), "{stderr}");
    assert!(lines.iter().any(|l| l.contains("'Skola'")), "{stderr}");
    let quiet = run(true, &quiet_out);
    assert!(quiet.is_empty(), "{quiet}");
    assert_eq!(run_warnings(&quiet_out), warnings, "run.json has them all the same");
}

/// `--csv-style sv`: a byte order mark, semicolons and decimal commas, for a Swedish spreadsheet; the same
/// cells as the default RFC 4180 file, text untouched.
#[test]
fn swedish_csv_for_spreadsheets() {
    let scratch = Scratch::new();
    run_ok(arenagap().current_dir(repo()).args(["analyze", "-q", "--csv-style", "sv", "--out"]).arg(scratch.out()));
    let bytes = std::fs::read(scratch.out().join("districts.csv")).expect("districts.csv");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a UTF-8 byte order mark first");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    let rfc = std::fs::read_to_string(default_run().out.join("districts.csv")).expect("the default districts.csv");
    let read = |text: &str, delimiter: u8| -> Vec<Vec<String>> {
        let mut r = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).from_reader(text.as_bytes());
        r.records().map(|row| row.expect("a row").iter().map(String::from).collect()).collect()
    };
    let (sv, rfc) = (read(&text, b';'), read(&rfc, b','));
    assert_eq!(sv.len(), rfc.len());
    assert_eq!(sv[0], rfc[0], "the same header");
    let share = rfc[0].iter().position(|h| h == "coverage_share").expect("a coverage_share column");
    let name = rfc[0].iter().position(|h| h == "district_name").expect("a district_name column");
    for (a, b) in sv.iter().zip(&rfc).skip(1) {
        assert_eq!(a[name], b[name], "text is as it was");
        assert_eq!(a[share], b[share].replace('.', ","), "a decimal comma");
    }
    assert!(sv.iter().skip(1).any(|row| row[share].contains(',')), "some share has decimals");
}

#[test]
fn sums_are_consistent() {
    let out = &default_run().out;
    let districts = read_json(&out.join("districts.geojson"));
    let children = read_json(&out.join("children.geojson"));
    let run = read_json(&out.join("run.json"));

    let points_total: f64 = features(&children).iter().map(|f| number(&f["properties"]["children"])).sum();
    let districts_total: f64 = features(&districts).iter().map(|f| number(&f["properties"]["children"])).sum();
    let outside = number(&run["counts"]["children_outside_districts"]);
    assert!((districts_total + outside - points_total).abs() < 1e-6, "{districts_total} + {outside} ≠ {points_total}");
    assert!((number(&run["counts"]["children"]) - points_total).abs() < 1e-6);
    assert_eq!(run["counts"]["child_points"], features(&children).len());

    for f in features(&districts) {
        let p = &f["properties"];
        let id = p["district_id"].as_str().expect("an id");
        let (all, covered, uncovered) =
            (number(&p["children"]), number(&p["children_covered"]), number(&p["children_uncovered"]));
        assert!((covered + uncovered - all).abs() < 1e-6, "{id}: {covered} + {uncovered} ≠ {all}");
        let in_points: f64 = features(&children)
            .iter()
            .filter(|c| c["properties"]["district_id"] == id)
            .map(|c| number(&c["properties"]["children"]))
            .sum();
        assert!((in_points - all).abs() < 1e-6, "{id}: {all} children, {in_points} in children.geojson");
    }
}

#[test]
fn arena_children_within_radius_match_brute_force() {
    let out = metric_run();
    let children = read_json(&out.join("children.geojson"));
    let arenas = read_json(&out.join("arenas.geojson"));
    let points: Vec<([f64; 2], f64)> = features(&children)
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            ([number(&c[0]), number(&c[1])], number(&f["properties"]["children"]))
        })
        .collect();
    for a in features(&arenas) {
        let p = &a["properties"];
        let c = &a["geometry"]["coordinates"];
        let (x, y, radius) = (number(&c[0]), number(&c[1]), number(&p["radius_m"]));
        let want: f64 = points.iter().filter(|(q, _)| (q[0] - x).hypot(q[1] - y) <= radius).map(|(_, n)| n).sum();
        assert!((number(&p["children_within_radius"]) - want).abs() < 1e-6, "{p}: brute force {want}");
    }
}

#[test]
fn run_json_records_version_options_inputs_and_warnings() {
    let run = read_json(&default_run().out.join("run.json"));
    assert_eq!(run["tool"], "arenagap");
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
    let resolved = &run["resolved"];
    assert_eq!(number(&resolved["radius_any_m"]), 1000.0);
    for (kind, radius) in KINDS.iter().zip([2500.0, 1500.0, 1500.0, 1500.0]) {
        assert_eq!(number(&resolved["radius_m"][kind]), radius, "{kind}");
    }
    assert_eq!(resolved["output_crs"], "EPSG:4326");
    let inputs = run["inputs"].as_array().expect("an inputs list");
    let got: Vec<(&str, u64)> = inputs
        .iter()
        .map(|i| (i["layer"].as_str().expect("a layer"), i["features"].as_u64().expect("a count")))
        .collect();
    assert_eq!(got, [("districts", 12), ("children", 3601), ("arenas", 25)]);
    for i in inputs {
        assert_eq!(i["format"], "GeoJSON");
        assert_eq!(i["crs"], "EPSG:3006");
    }
    let warnings = run_warnings(&default_run().out);
    assert!(warnings.iter().any(|w| w.contains("'Skola'")), "{warnings:?}");
}

/// Options that are not the defaults, once as flags and once as a config file (inputs named separately).
const FLAGS: [&str; 10] = [
    "--radius",
    "800",
    "--radius-familjecentral",
    "2000",
    "--zone-buffer",
    "300",
    "--kind",
    "Skola=none",
    "--map",
    "false",
];
const CONFIG: &str = r#"radius = 800
radius-familjecentral = 2000
zone-buffer = 300
map = false
[kind]
Skola = "none"
"#;

/// A config line naming a path (a TOML literal string: no escapes).
fn path_key(key: &str, path: &Path) -> String {
    format!("{key} = '{}'\n", path.display())
}

/// The demo's inputs as config lines, and `children-count`.
fn demo_inputs_config(paths: &[PathBuf; 3]) -> String {
    path_key("districts", &paths[0])
        + &path_key("children", &paths[1])
        + &path_key("arenas", &paths[2])
        + "children-count = \"children\"\n"
}

#[test]
fn config_file_gives_the_same_outputs_as_flags() {
    let s = Scratch::new();
    let demo = demo();
    let by_flags = s.path().join("flags");
    run_ok(analyze(&demo[0], &demo[1], &demo[2], &by_flags).args(FLAGS));

    let config = s.write("arenagap.toml", demo_inputs_config(&demo) + CONFIG);
    let by_file = s.path().join("file");
    run_ok(arenagap().args(["analyze", "--quiet", "--config"]).arg(&config).arg("--out").arg(&by_file));

    for file in ["districts.geojson", "gaps.geojson", "children.geojson", "arenas.geojson", "districts.csv"] {
        let (a, b) = (std::fs::read(by_flags.join(file)).unwrap(), std::fs::read(by_file.join(file)).unwrap());
        assert!(a == b, "{file} differs between flags and config file");
    }
    let (a, b) = (read_json(&by_flags.join("run.json")), read_json(&by_file.join("run.json")));
    assert_eq!(a["resolved"], b["resolved"]);
    assert_eq!(number(&b["resolved"]["radius_any_m"]), 800.0);
    assert_eq!(number(&b["resolved"]["radius_m"]["familjecentral"]), 2000.0);
    assert!(!by_file.join("map.png").exists(), "map = false in the config");
}

#[test]
fn a_flag_wins_over_the_config_file() {
    let s = Scratch::new();
    let config = s.write("arenagap.toml", demo_inputs_config(&demo()) + "radius = 800\nmap = false\ngpkg = false\n");
    run_ok(arenagap().args(["analyze", "-q", "--radius", "1500", "--config"]).arg(&config).arg("--out").arg(s.out()));
    let run = read_json(&s.out().join("run.json"));
    assert_eq!(number(&run["resolved"]["radius_any_m"]), 1500.0);
    assert_eq!(number(&run["resolved"]["zone_link_m"]), 1500.0, "the zone link follows the radius");
    // The analysis used it: a child is covered exactly when its nearest arena is within 1500 m.
    let children = read_json(&s.out().join("children.geojson"));
    for f in features(&children) {
        let p = &f["properties"];
        let within = p["nearest_any_m"].as_f64().is_some_and(|d| d <= 1500.0);
        assert_eq!(p["covered"], within, "{p}");
    }
    assert!(features(&children).iter().any(|f| {
        let d = f["properties"]["nearest_any_m"].as_f64().unwrap_or(0.0);
        d > 800.0 && d <= 1500.0
    }));
}

#[test]
fn config_paths_are_relative_to_the_config_file() {
    let s = Scratch::new();
    let city = s.path().join("city");
    std::fs::create_dir(&city).unwrap();
    for path in demo() {
        std::fs::copy(&path, city.join(path.file_name().unwrap())).unwrap();
    }
    let config = city.join("arenagap.toml");
    std::fs::write(
        &config,
        "districts = \"districts.geojson\"\nchildren = \"children.geojson\"\narenas = \"arenas.geojson\"\n\
         children-count = \"children\"\nmap = false\ngpkg = false\n",
    )
    .unwrap();
    // Run from the scratch folder, where the relative paths name nothing.
    run_ok(arenagap().current_dir(s.path()).args(["analyze", "-q", "--config", "city/arenagap.toml", "--out", "out"]));
    let run = read_json(&s.out().join("run.json"));
    let inputs: Vec<PathBuf> =
        run["inputs"].as_array().unwrap().iter().map(|i| PathBuf::from(i["path"].as_str().unwrap())).collect();
    let want = ["districts", "children", "arenas"].map(|l| Path::new("city").join(format!("{l}.geojson")));
    assert_eq!(inputs, want);
}

#[test]
fn data_dir_is_the_base_of_config_paths() {
    let s = Scratch::new();
    let config = s.write(
        "arenagap.toml",
        "districts = \"districts.geojson\"\nchildren = \"children.geojson\"\narenas = \"arenas.geojson\"\n\
         children-count = \"children\"\nmap = false\ngpkg = false\n",
    );
    let data = repo().join("data").join("demo");

    // Without --data-dir the paths are looked for next to the config file, where there is nothing.
    let mut cmd = arenagap();
    cmd.args(["analyze", "-q", "--config"]).arg(&config).arg("--out").arg(s.out());
    let stderr = assert_bad_input(&mut cmd, "districts.geojson", &s.out());
    assert_says(&stderr, &["does not exist"]);

    run_ok(
        arenagap()
            .args(["analyze", "-q", "--config"])
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .arg("--out")
            .arg(s.out()),
    );
    let run = read_json(&s.out().join("run.json"));
    assert_eq!(run["inputs"][0]["path"], data.join("districts.geojson").to_str().unwrap());
    assert_eq!(run["inputs"][2]["features"], 25);
}

#[test]
fn kind_none_leaves_the_school_out_without_a_warning() {
    let s = Scratch::new();
    let demo = demo();
    run_ok(analyze(&demo[0], &demo[1], &demo[2], &s.out()).args(["--kind", "Skola=none", "--map", "false"]));
    let warnings = run_warnings(&s.out());
    assert!(!warnings.iter().any(|w| w.contains("Skola")), "{warnings:?}");
    assert_eq!(features(&read_json(&s.out().join("arenas.geojson"))).len(), 24);
}

#[test]
fn kind_mapping_makes_the_school_an_arena() {
    let s = Scratch::new();
    let demo = demo();
    run_ok(analyze(&demo[0], &demo[1], &demo[2], &s.out()).args(["--kind", "Skola=oppen_forskola", "--map", "false"]));
    let warnings = run_warnings(&s.out());
    assert!(!warnings.iter().any(|w| w.contains("Skola")), "{warnings:?}");
    let arenas = read_json(&s.out().join("arenas.geojson"));
    assert_eq!(features(&arenas).len(), 25);
    let school = features(&arenas)
        .iter()
        .find(|f| f["properties"]["name"] == "Sjövikens skola")
        .expect("the school is an arena");
    assert_eq!(school["properties"]["kind"], "oppen_forskola");
    assert_eq!(school["properties"]["district_id"], "D01");
    let districts = read_json(&s.out().join("districts.geojson"));
    assert_eq!(district(&districts, "D01")["properties"]["arenas_oppen_forskola"], 1);
}

/// `maps/` keeps the styles and project the tool writes for the demo, so that they can be read and diffed: the
/// demo's output gives them back byte for byte. After changing the symbology (or rerunning `maps/make_maps.py`),
/// `ARENAGAP_UPDATE_MAPS=1 cargo test maps_keeps` writes them anew from the demo run (then rerun to check).
#[test]
fn maps_keeps_the_styles_the_tool_writes_for_the_demo() {
    let out = &default_run().out;
    let files = ["arenagap.qgs", "styles/districts.qml", "styles/gaps.qml", "styles/children.qml", "styles/arenas.qml"];
    let update = std::env::var_os("ARENAGAP_UPDATE_MAPS").is_some();
    let mut stale = Vec::new();
    for file in files {
        let written = std::fs::read_to_string(out.join(file)).unwrap();
        let kept_path = repo().join("maps").join(file);
        let kept = std::fs::read_to_string(&kept_path).unwrap();
        if written != kept {
            if update {
                std::fs::write(&kept_path, &written).unwrap();
            }
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "maps/ differs from what the demo run writes for {stale:?}{}",
        if update { " (rewritten: rebuild and rerun)" } else { "; ARENAGAP_UPDATE_MAPS=1 rewrites it" }
    );
}

/// districts.xlsx: the districts sheet in gap rank order, the same values as districts.csv in typed cells, the
/// Swedish header over the field names; a sheet for gap zones, arenas and the run.
#[test]
fn the_workbook_has_typed_sorted_sheets_matching_the_csv() {
    use calamine::{Data, DataType, Reader, Xlsx};
    let out = &default_run().out;
    let mut book: Xlsx<_> = calamine::open_workbook(out.join("districts.xlsx")).expect("districts.xlsx opens");
    assert_eq!(book.sheet_names(), ["Områden", "Glappzoner", "Arenor", "Om körningen"]);
    let sheet = book.worksheet_range("Områden").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let mut csv = csv::Reader::from_path(out.join("districts.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(rows[1].iter().map(|c| c.to_string()).collect::<Vec<_>>(), header, "field names under the header");
    assert_eq!(
        rows[0][header.iter().position(|h| h == "children_uncovered").unwrap()].to_string(),
        "Barn utan arena nära"
    );
    let records: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len() - 2, records.len());
    let rank = header.iter().position(|h| h == "gap_rank").unwrap();
    let ranks: Vec<f64> = rows[2..].iter().map(|r| r[rank].as_f64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "sorted by gap rank: {ranks:?}");
    for row in &rows[2..] {
        let id = row[0].to_string();
        let record = records.iter().find(|r| r[0] == id).unwrap();
        for (c, field) in header.iter().enumerate() {
            let want = &record[c];
            match &row[c] {
                Data::Float(v) => {
                    assert!((v - want.parse::<f64>().unwrap()).abs() < 1e-9, "{id} {field}: {v} vs {want}")
                }
                Data::Bool(b) => assert_eq!(b.to_string(), want, "{id} {field}"),
                Data::String(t) => assert_eq!(t, want, "{id} {field}"),
                Data::Empty => assert_eq!(want, "", "{id} {field}"),
                other => panic!("{id} {field}: {other:?}"),
            }
        }
    }
    let zones = book.worksheet_range("Glappzoner").unwrap();
    assert!(zones.height() > 2, "the gap zones");
    let about = book.worksheet_range("Om körningen").unwrap();
    assert!(about.rows().any(|r| r[0] == "resolved.radius_any_m"), "the settings of the run");
}
