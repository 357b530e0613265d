//! `arenagap suggest` on the demo city and on demand points alone: where the site goes, the record's bound, the
//! scenario file it writes (which `compare` reads back to the same numbers), and the distance objective.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

fn suggest(args: &[&str], out: &Path) -> Value {
    let output = arenagap()
        .current_dir(repo())
        .arg("suggest")
        .args(["--quiet", "--map", "false", "--gpkg", "false"])
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "suggest {args:?} failed:\n{stderr}");
    read_json(&out.join("suggest.json"))
}

#[test]
fn one_family_centre_goes_to_the_suburb_without_one_and_compare_reads_it_back() {
    let s = Scratch::new();
    let out = s.out();
    let record = suggest(&["--count", "1", "--kind", "familjecentral", "--candidate-grid", "500"], &out);
    assert_eq!(record["objective"], "coverage");
    assert_eq!(record["gap_percent"], 0.0, "{record}");
    assert_eq!(record["value"], record["bound"]);
    assert_eq!(record["radius_m"], 2500.0, "the family centre's own radius");
    assert_eq!(record["kinds"], serde_json::json!(["familjecentral"]));
    // All 1,149 children of Sjöviken, the demo's suburb without an arena, come within reach.
    let sites = feature_properties(&out.join("suggestions.geojson"));
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0]["rank"], 1.0);
    assert_eq!(sites[0]["districts"], "Sjöviken", "{:?}", sites[0]);
    assert_eq!(sites[0]["children_newly_covered"], 1149.0);
    let covered =
        record["children_covered_after"].as_f64().unwrap() - record["children_covered_before"].as_f64().unwrap();
    assert_eq!(covered, 1149.0);
    // The site lies in Sjöviken, and the comparison says so.
    let arenas = feature_properties(&out.join("suggestion/arenas.geojson"));
    let added: Vec<_> = arenas.iter().filter(|a| a["status"] == "added").collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["district_id"], "D01");
    // suggested.toml is a scenario compare accepts, and gives the same numbers as the suggestion's folder.
    let again = s.path().join("again");
    arenagap()
        .current_dir(repo())
        .args(["compare", "--quiet", "--map", "false", "--scenario"])
        .arg(out.join("suggested.toml"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    let folder = std::fs::read_dir(&again)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.path().is_dir())
        .expect("a scenario folder")
        .path();
    assert_eq!(
        feature_properties(&folder.join("districts_diff.geojson")),
        feature_properties(&out.join("suggestion/districts_diff.geojson"))
    );
}

#[test]
fn the_distance_objective_reports_a_lower_bound_within_half_a_percent() {
    let s = Scratch::new();
    let record = suggest(&["--count", "2", "--objective", "distance", "--candidate-grid", "1000"], &s.out());
    assert_eq!(record["objective"], "distance");
    let (value, bound) = (record["value"].as_f64().unwrap(), record["bound"].as_f64().unwrap());
    assert!(bound <= value && record["gap_percent"].as_f64().unwrap() < 0.5, "{record}");
    assert!(value < record["mean_distance_before_m"].as_f64().unwrap(), "{record}");
    let sites = feature_properties(&s.out().join("suggestions.geojson"));
    assert_eq!(sites.len(), 2);
    assert!(sites.iter().all(|p| p["distance_saved_m"].as_f64().unwrap() > 0.0), "{sites:?}");
    assert!(sites[0]["distance_saved_m"].as_f64() >= sites[1]["distance_saved_m"].as_f64());
}

#[test]
fn demand_points_alone_without_districts() {
    let s = Scratch::new();
    let demand = s.write(
        "demand.csv",
        "x;y;children\n310000;6390000;10\n310100;6390050;5\n315000;6390000;7\n320000;6395000;4\n320050;6395000;0\n",
    );
    let candidates = s.write(
        "candidates.csv",
        "id;namn;x;y\nC1;Skolan;310050;6390010\nC2;Förskolan;315100;6390000\nC3;Biblioteket;319900;6395000\n",
    );
    let existing = s.write("existing.csv", "namn;typ;x;y\nBibblan;bibliotek;320000;6395100\n");
    let demand = demand.to_str().unwrap();
    let record = suggest(
        &[
            "--count",
            "1",
            "--children",
            demand,
            "--children-count",
            "children",
            "--crs",
            "EPSG:3006",
            "--arenas",
            existing.to_str().unwrap(),
            "--arena-kind",
            "typ",
            "--candidates",
            candidates.to_str().unwrap(),
            "--candidate-id",
            "id",
            "--radius",
            "500",
        ],
        &s.out(),
    );
    // The existing library covers the 4 at 320000; C1 covers 15, C2 7: C1.
    assert_eq!(record["chosen"], serde_json::json!(["C1"]));
    assert_eq!(record["value"], 19.0);
    assert_eq!(record["children_covered_before"], 4.0);
    assert_eq!(record["children_covered_after"], 19.0);
    let sites = feature_properties(&s.out().join("suggestions.geojson"));
    assert_eq!(sites[0]["name"], "Skolan");
    assert_eq!(sites[0]["namn"], "Skolan", "the candidate's own fields are carried");
    assert_eq!(sites[0]["candidate_id"], "C1");
}

#[test]
fn a_time_limit_still_gives_a_choice_and_a_bound_on_the_right_side() {
    let s = Scratch::new();
    for (objective, k) in [("coverage", "3"), ("distance", "3")] {
        let out = s.path().join(objective);
        let record = suggest(
            &["--count", k, "--objective", objective, "--candidate-grid", "250", "--time-limit", "0.001"],
            &out,
        );
        let (value, bound) = (record["value"].as_f64().unwrap(), record["bound"].as_f64().unwrap());
        match objective {
            "coverage" => assert!(bound >= value, "{record}"),
            _ => assert!(bound <= value, "{record}"),
        }
        assert_eq!(record["chosen"].as_array().unwrap().len(), 3, "{record}");
        assert!(out.join("suggested.toml").is_file());
    }
}
