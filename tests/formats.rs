//! The same demo city as GeoJSON, as Shapefiles (EPSG:3007, Windows-1252 .dbf, ESRI .prj without EPSG codes) and
//! as Swedish-style CSV (`;`, decimal comma, districts as WKT) gives the same numbers per district: names and
//! counts identical, distances within 0.01 m. The fixtures are described in tests/fixtures/demo_formats/README.md.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::*;

/// A demo layer (`districts`, `children`, `arenas`) in a format (`geojson`, `shp`, `csv`).
fn layer(format: &str, name: &str) -> PathBuf {
    match format {
        "geojson" => repo().join("data").join("demo").join(format!("{name}.geojson")),
        _ => repo().join("tests").join("fixtures").join("demo_formats").join(format).join(format!("{name}.{format}")),
    }
}

/// Runs the demo with each layer in the format given, writing to `out`. `--crs EPSG:3006` is for the CSV files,
/// which declare no CRS (the others do).
fn run_formats(formats: [&str; 3], out: &Path) {
    let [d, c, a] =
        [("districts", formats[0]), ("children", formats[1]), ("arenas", formats[2])].map(|(name, f)| layer(f, name));
    run_ok(analyze(&d, &c, &a, out).args(["--crs", "EPSG:3006", "--map", "false", "--gpkg", "false"]));
}

/// The all-GeoJSON run everything is compared with.
fn reference() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = shared_out("formats-geojson");
        run_formats(["geojson"; 3], &out);
        out
    })
}

/// The all-Shapefile run.
fn shapefile_run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = shared_out("formats-shp");
        run_formats(["shp"; 3], &out);
        out
    })
}

/// Distances and the scores made of them may differ by reprojection round-off, shown to the centimetre.
fn is_distance(field: &str) -> bool {
    field.ends_with("_m") || field.starts_with("gap_score")
}

/// Asserts that two runs give the same per-district numbers and the same gap zones.
fn assert_same_results(got: &Path, want: &Path, what: &str) {
    let (got_d, want_d) = (read_json(&got.join("districts.geojson")), read_json(&want.join("districts.geojson")));
    assert_eq!(features(&got_d).len(), features(&want_d).len(), "{what}: districts");
    for w in features(&want_d) {
        let id = w["properties"]["district_id"].as_str().expect("a district id");
        let g = &district(&got_d, id)["properties"];
        for (field, wv) in w["properties"].as_object().expect("properties") {
            let gv = &g[field];
            let same = match (gv, wv) {
                (Value::Number(a), Value::Number(b)) => {
                    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                    if is_distance(field) {
                        (a - b).abs() <= 0.01 + 1e-9
                    } else {
                        a == b
                    }
                }
                _ => gv == wv,
            };
            assert!(same, "{what}: {id} {field}: {gv}, GeoJSON gives {wv}");
        }
    }

    let zones = |out: &Path| -> Vec<(u64, f64, String)> {
        let gaps = read_json(&out.join("gaps.geojson"));
        let mut zones: Vec<(u64, f64, String)> = features(&gaps)
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (p["gap_rank"].as_u64().unwrap(), p["children"].as_f64().unwrap(), p["districts"].to_string())
            })
            .collect();
        zones.sort_by_key(|z| z.0);
        zones
    };
    assert_eq!(zones(got), zones(want), "{what}: gap zones (rank, children, districts)");

    let counts = |out: &Path| read_json(&out.join("run.json"))["counts"].clone();
    assert_eq!(counts(got), counts(want), "{what}: run.json counts");
}

/// The district names with å, ä and ö come through every format intact.
fn assert_swedish_names(out: &Path) {
    let districts = read_json(&out.join("districts.geojson"));
    for (id, name) in [
        ("D01", "Sjöviken"),
        ("D02", "Källbäcken"),
        ("D03", "Åkervallen"),
        ("D06", "Ängsbacka"),
        ("D08", "Östra Lyckan"),
    ] {
        assert_eq!(district(&districts, id)["properties"]["district_name"], name);
    }
}

#[test]
fn shapefiles_give_the_geojson_numbers() {
    assert_same_results(shapefile_run(), reference(), "Shapefile");
    assert_swedish_names(shapefile_run());
}

#[test]
fn csv_gives_the_geojson_numbers() {
    let s = Scratch::new();
    run_formats(["csv"; 3], &s.out());
    assert_same_results(&s.out(), reference(), "CSV");
    assert_swedish_names(&s.out());
}

#[test]
fn mixed_formats_give_the_geojson_numbers() {
    for formats in [["shp", "csv", "geojson"], ["csv", "shp", "geojson"], ["geojson", "csv", "shp"]] {
        let s = Scratch::new();
        run_formats(formats, &s.out());
        assert_same_results(&s.out(), reference(), &formats.join(" + "));
        assert_swedish_names(&s.out());
    }
}

#[test]
fn esri_prj_without_epsg_code_is_recognised_as_3007() {
    let prj = std::fs::read_to_string(layer("shp", "districts").with_extension("prj")).unwrap();
    assert!(prj.starts_with("PROJCS[") && !prj.contains("EPSG"), "the fixture should have no EPSG code: {prj}");
    let run = read_json(&shapefile_run().join("run.json"));
    let inputs = run["inputs"].as_array().expect("an inputs list");
    assert_eq!(inputs.len(), 3);
    for i in inputs {
        assert_eq!(i["format"], "ESRI Shapefile", "{i}");
        assert_eq!(i["crs"], "EPSG:3007", "{i}");
    }
    let features: Vec<&Value> = inputs.iter().map(|i| &i["features"]).collect();
    assert_eq!(features, [12, 3601, 25]);
}

/// Counts of children are whole numbers (INTEGER in the GeoPackage, no decimal point in GeoJSON) when every input
/// count is whole, and real numbers in both when one is not; shares and weights are real in every run.
#[test]
fn counts_are_integer_when_whole_and_real_when_not_in_every_format() {
    let s = Scratch::new();
    let [districts, children, arenas] = mini_city(&s);
    let mut half = mini_children();
    half["features"][0]["properties"]["children"] = serde_json::json!(2.5);
    let half = s.write_json("half.geojson", &half);
    for (input, whole) in [(&children, true), (&half, false)] {
        let out = s.path().join(if whole { "whole" } else { "half" });
        analyze(&districts, input, &arenas, &out).assert().success();
        let layer: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("districts.geojson")).unwrap()).unwrap();
        for f in layer["features"].as_array().unwrap() {
            let p = &f["properties"];
            for count in ["children", "children_covered", "children_uncovered"] {
                assert_eq!(p[count].is_u64(), whole, "{count} = {} (whole inputs: {whole})", p[count]);
                assert!(p[count].is_number());
            }
            for real in ["coverage_share", "need_weight", "gap_score"] {
                assert!(p[real].is_f64() || p[real].is_null(), "{real} = {} is real in every run", p[real]);
            }
        }
        let db = rusqlite::Connection::open(out.join("arenagap.gpkg")).unwrap();
        let ty: String = db
            .query_row("SELECT type FROM pragma_table_info('districts') WHERE name = 'children'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ty, if whole { "INTEGER" } else { "REAL" });
    }
}
