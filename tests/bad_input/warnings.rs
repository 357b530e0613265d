//! Oddities that are warnings, not errors: the run succeeds, says so on stderr and in run.json, and writes a
//! complete output that replaces an earlier one whole ([`assert_warns`]).

use serde_json::json;

use super::*;

#[test]
fn bow_tie_district() {
    let s = Scratch::new();
    let (x, y) = (X0 + 4000.0, Y0);
    let bow_tie = feature(
        json!({"id": "D3", "name": "Fluga"}),
        "Polygon",
        json!([[[x, y], [x + 2000.0, y + 2000.0], [x + 2000.0, y], [x, y + 2000.0], [x, y]]]),
    );
    let districts =
        collection(Some(3006), vec![square("D1", "Ett", X0, Y0), square("D2", "Två", X0 + 2000.0, Y0), bow_tie]);
    let path = s.write_json("bow-tie.geojson", &districts);
    assert_warns(
        &mut mini_with(&s, DISTRICTS, &path),
        &s.out(),
        &["bow-tie.geojson", "cross or touch themselves", "D3"],
    );
}

/// Rings too short or flat to enclose anything: warned of as self-touching, and used as they are.
#[test]
fn degenerate_rings() {
    let (x, y) = (X0 + 4000.0, Y0);
    for (case, ring) in [
        ("two-positions", json!([[[x, y], [x + 2000.0, y]]])),
        ("three-positions", json!([[[x, y], [x + 2000.0, y], [x, y]]])),
        ("collinear", json!([[[x, y], [x + 1000.0, y], [x + 2000.0, y], [x, y]]])),
    ] {
        let s = Scratch::new();
        let mut districts = mini_districts();
        districts["features"][2]["geometry"]["coordinates"] = ring;
        let name = format!("districts-{case}.geojson");
        let path = s.write_json(&name, &districts);
        let mut cmd = mini_with(&s, DISTRICTS, &path);
        cmd.args(["--gpkg", "false", "--map", "false"]);
        assert_warns(&mut cmd, &s.out(), &[&name, "cross or touch themselves", "D3"]);
    }
}

#[test]
fn unmapped_arena_kind_in_the_demo() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    assert_warns(&mut analyze(&d, &c, &a, &s.out()), &s.out(), &["arenas.geojson", "unmapped kinds", "'Skola' (1)"]);
}

/// Arenas of a field-kind that is entirely unmapped: every arena is left out, and every child is uncovered.
#[test]
fn every_arena_of_an_unmapped_kind() {
    let s = Scratch::new();
    let mut arenas = mini_arenas();
    for a in arenas["features"].as_array_mut().unwrap() {
        a["properties"]["kind"] = json!("Skola");
    }
    let path = s.write_json("skolor.geojson", &arenas);
    let mut cmd = mini_with(&s, ARENAS, &path);
    assert_warns(&mut cmd, &s.out(), &["skolor.geojson", "unmapped kinds", "'Skola' (2)"]);
    let also = "skolor.geojson: no arena of a known kind: every child is uncovered";
    assert!(run_warnings(&s.out()).iter().any(|w| w.contains(also)), "{:?}", run_warnings(&s.out()));
}

#[test]
fn empty_and_megabyte_kind_values() {
    let long = "K".repeat(1_000_000);
    for (case, kind) in [("empty", json!("")), ("null", json!(null)), ("megabyte", json!(long))] {
        let s = Scratch::new();
        let mut arenas = mini_arenas();
        arenas["features"][1]["properties"]["kind"] = kind;
        let name = format!("arenas-kind-{case}.geojson");
        let path = s.write_json(&name, &arenas);
        let mut cmd = mini_with(&s, ARENAS, &path);
        cmd.timeout(std::time::Duration::from_secs(60)).args(["--gpkg", "false"]);
        assert_warns(&mut cmd, &s.out(), &[&name, "unmapped kinds", "(1)"]);
    }
}

#[test]
fn children_outside_every_district() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"].as_array_mut().unwrap().push(child(X0 - 5000.0, Y0 - 5000.0, json!(7)));
    let path = s.write_json("children-outside.geojson", &children);
    assert_warns(
        &mut mini_with(&s, CHILDREN, &path),
        &s.out(),
        &["1 child point(s) with 7 children lie outside every district"],
    );
}

#[test]
fn district_without_children() {
    let s = Scratch::new();
    let [d, c, a] = mini_city(&s);
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.args(["--map", "false"]);
    assert_warns(&mut cmd, &s.out(), &["1 district(s) have no children: Tre"]);
}

/// A GeoPackage arenas layer with no rows.
#[test]
fn geopackage_layer_without_rows() {
    let s = Scratch::new();
    let path = s.path().join("no-arenas.gpkg");
    std::fs::copy(good_output().join("arenagap.gpkg"), &path).expect("copying the GeoPackage");
    rusqlite::Connection::open(&path).expect("opens").execute_batch("DELETE FROM arenas").expect("sql");
    let mut cmd = mini_with(&s, ARENAS, &path);
    cmd.args(["--arenas-layer", "arenas"]);
    assert_warns(&mut cmd, &s.out(), &["no-arenas.gpkg", "no arena of a known kind"]);
}

/// Every child point outside every district (here shifted as if EPSG:3007 were declared as 3006, roughly): an
/// error, with what was tried (tests/wrong_answers.rs checks the diagnosis itself).
#[test]
fn every_child_outside_every_district_is_an_error() {
    let s = Scratch::new();
    let mut children = mini_children();
    for c in children["features"].as_array_mut().unwrap() {
        // SWEREF 99 12 00 (EPSG:3007) coordinates, roughly, declared as SWEREF 99 TM.
        c["geometry"]["coordinates"][0] = json!(c["geometry"]["coordinates"][0].as_f64().unwrap() - 160_000.0);
    }
    let path = s.write_json("children-3007.geojson", &children);
    let stderr = assert_bad_input(&mut mini_with(&s, CHILDREN, &path), "children-3007.geojson", &s.out());
    assert_says(&stderr, &["outside every district", "CRS"]);
}

/// Empty and malformed polygons: a warning naming the file and the district.
#[test]
fn degenerate_district_geometry_is_a_warning() {
    let (x, y) = (X0 + 4000.0, Y0);
    let shell = json!([[x, y], [x + 2000.0, y], [x + 2000.0, y + 2000.0], [x, y + 2000.0], [x, y]]);
    for (case, coordinates) in [
        ("no-rings", json!([])),
        ("empty-ring", json!([[]])),
        ("unclosed-ring", json!([[[x, y], [x + 2000.0, y], [x + 2000.0, y + 2000.0], [x, y + 2000.0]]])),
        ("hole-outside", json!([shell, [[x + 9000.0, y], [x + 9100.0, y], [x + 9100.0, y + 100.0], [x + 9000.0, y]]])),
    ] {
        let s = Scratch::new();
        let mut districts = mini_districts();
        districts["features"][2]["geometry"]["coordinates"] = coordinates;
        let name = format!("districts-{case}.geojson");
        let path = s.write_json(&name, &districts);
        assert_warns(&mut mini_with(&s, DISTRICTS, &path), &s.out(), &[&name, "D3"]);
    }
}
