//! No silent wrong answers (issue 10, item 3): child points that all lie outside the districts are an error that
//! says which mistake would explain it, half of them outside is a warning with the same diagnosis, degenerate
//! polygons and overlapping districts are warnings that name the features.

use serde_json::{json, Value};

use crate::common::*;

/// The demo's children with every position passed through `f` (x, y in the file's CRS), and the CRS declared.
fn demo_children_moved(epsg: Option<u32>, f: impl Fn(f64, f64) -> (f64, f64), share: f64) -> Value {
    let mut children = read_json(&demo()[1]);
    let features = children["features"].as_array_mut().expect("features");
    let n = (features.len() as f64 * share) as usize;
    for feature in features.iter_mut().take(n) {
        let c = &feature["geometry"]["coordinates"];
        let (x, y) = f(c[0].as_f64().expect("x"), c[1].as_f64().expect("y"));
        feature["geometry"]["coordinates"] = json!([x, y]);
    }
    match epsg {
        Some(code) => children["crs"]["properties"]["name"] = json!(format!("urn:ogc:def:crs:EPSG::{code}")),
        None => {
            children.as_object_mut().expect("an object").remove("crs");
        }
    }
    children
}

/// The demo's children in longitude/latitude, as the tool writes them (its children.geojson is RFC 7946), with
/// only their count.
fn demo_children_lonlat(s: &Scratch) -> Value {
    let out = s.path().join("lonlat-run");
    let [d, c, a] = demo();
    let output = analyze(&d, &c, &a, &out).output().expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut children = read_json(&out.join("children.geojson"));
    for feature in children["features"].as_array_mut().expect("features") {
        let count = feature["properties"]["children"].clone();
        feature["properties"] = json!({ "children": count });
    }
    children
}

fn run_demo_children(s: &Scratch, children: &Value) -> std::process::Output {
    let path = s.write_json("barn.geojson", children);
    let [d, _, a] = demo();
    analyze(&d, &path, &a, &s.out()).output().expect("arenagap runs")
}

#[test]
fn latitude_and_longitude_swapped_is_an_error_that_says_so() {
    let s = Scratch::new();
    let mut children = demo_children_lonlat(&s);
    for feature in children["features"].as_array_mut().expect("features") {
        let c = feature["geometry"]["coordinates"].clone();
        feature["geometry"]["coordinates"] = json!([c[1], c[0]]);
    }
    let path = s.write_json("barn.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(1, &path, &s.out()), "barn.geojson", &s.out());
    assert_says(
        &stderr,
        &["every child point (3601, with 8 761 children) lies outside every district", "look like x and y swapped"],
    );
}

#[test]
fn sweref_12_00_declared_as_sweref_tm_is_an_error_that_names_both() {
    let s = Scratch::new();
    // The demo's children in EPSG:3007, as the tool writes them with --output-crs.
    let out = s.path().join("run-3007");
    let [d, c, a] = demo();
    let output = analyze(&d, &c, &a, &out).args(["--output-crs", "EPSG:3007"]).output().expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut children = read_json(&out.join("children.geojson"));
    for feature in children["features"].as_array_mut().expect("features") {
        let count = feature["properties"]["children"].clone();
        feature["properties"] = json!({ "children": count });
    }
    children["crs"] = json!({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}});
    let path = s.write_json("barn.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(1, &path, &s.out()), "barn.geojson", &s.out());
    assert_says(&stderr, &["look like EPSG:3007 (SWEREF99 12 00) declared as EPSG:3006", "declare EPSG:3007"]);
}

#[test]
fn districts_in_another_place_is_an_error_that_gives_both_extents() {
    let s = Scratch::new();
    let children = demo_children_moved(Some(3006), |x, y| (x + 300_000.0, y + 100_000.0), 1.0);
    let path = s.write_json("barn.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(1, &path, &s.out()), "barn.geojson", &s.out());
    assert_says(
        &stderr,
        &["cover different places", "the child points lie at longitude", "the districts at longitude"],
    );
}

#[test]
fn half_the_children_outside_is_a_warning_with_the_diagnosis() {
    let s = Scratch::new();
    let mut children = demo_children_lonlat(&s);
    let features = children["features"].as_array_mut().expect("features");
    let n = features.len() * 3 / 5;
    for feature in features.iter_mut().take(n) {
        let c = feature["geometry"]["coordinates"].clone();
        feature["geometry"]["coordinates"] = json!([c[1], c[0]]);
    }
    let output = run_demo_children(&s, &children);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let warning = run_warnings(&s.out()).into_iter().find(|w| w.contains("outside every district")).expect("a warning");
    assert!(warning.contains("half of them or more") && warning.contains("look like x and y swapped"), "{warning}");
    assert!(warning.contains("barn.geojson"), "{warning}");
    // A few outside is a warning without a diagnosis.
    let children = demo_children_moved(Some(3006), |x, y| (x + 300_000.0, y), 0.1);
    let output = run_demo_children(&s, &children);
    assert!(output.status.success());
    let warning = run_warnings(&s.out()).into_iter().find(|w| w.contains("outside every district")).expect("a warning");
    assert!(!warning.contains("half of them"), "{warning}");
}

/// The demo's districts with feature `i`'s geometry replaced.
fn districts_with(changes: &[(usize, Value)]) -> Value {
    let mut districts = read_json(&demo()[0]);
    for (i, geometry) in changes {
        districts["features"][*i]["geometry"] = geometry.clone();
    }
    districts
}

/// Runs the demo with these districts; the warnings of the run (it must succeed).
fn warnings_with_districts(s: &Scratch, name: &str, districts: &Value) -> Vec<String> {
    let path = s.write_json(name, districts);
    let output = analyze_demo_with(0, &path, &s.out()).output().expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    run_warnings(&s.out())
}

#[test]
fn degenerate_rings_are_warned_alike_in_polygons_and_multipolygons() {
    let s = Scratch::new();
    let districts = read_json(&demo()[0]);
    let ring = |i: usize| districts["features"][i]["geometry"]["coordinates"][0].clone();
    let corner = |i: usize| ring(i)[0].clone();
    let far_square =
        json!([[312000.0, 6370000.0], [312100.0, 6370000.0], [312100.0, 6370100.0], [312000.0, 6370000.0]]);
    let mut open_ring = ring(1);
    open_ring.as_array_mut().expect("a ring").pop();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "ring of one position",
            json!({"type": "Polygon", "coordinates": [[corner(1)]]}),
            "the outer ring has 1 position(s)",
        ),
        ("empty polygon", json!({"type": "Polygon", "coordinates": []}), "the geometry is empty"),
        ("empty ring", json!({"type": "Polygon", "coordinates": [[]]}), "the geometry is empty"),
        (
            "hole outside",
            json!({"type": "Polygon", "coordinates": [ring(1), far_square]}),
            "hole 1 lies outside its outer ring",
        ),
        (
            "flat ring",
            json!({"type": "Polygon", "coordinates": [[corner(1), corner(1), corner(1), corner(1)]]}),
            "encloses no area",
        ),
    ];
    for (what, polygon, words) in cases {
        // The same as a MultiPolygon of one part (`[[]]` for an empty Polygon's `[]`), and for an empty Polygon
        // also a MultiPolygon of no parts.
        let multi = json!({"type": "MultiPolygon", "coordinates": [polygon["coordinates"].clone()]});
        let mut geometries = vec![polygon.clone(), multi];
        if polygon["coordinates"].as_array().is_some_and(|c| c.is_empty()) {
            geometries.push(json!({"type": "MultiPolygon", "coordinates": []}));
        }
        for geometry in geometries {
            let warnings = warnings_with_districts(&s, "omraden.geojson", &districts_with(&[(1, geometry.clone())]));
            let warning =
                warnings.iter().find(|w| w.contains("degenerate")).unwrap_or_else(|| panic!("{what}: {warnings:?}"));
            assert!(warning.contains("omraden.geojson") && warning.contains("feature 1 ('D02')"), "{what}: {warning}");
            assert!(warning.contains(words), "{what} {geometry}: {warning}");
        }
    }
    // Parts of a multipolygon are named by their number.
    let two = json!({"type": "MultiPolygon", "coordinates": [[ring(1)], [[corner(1)]]]});
    let warnings = warnings_with_districts(&s, "omraden.geojson", &districts_with(&[(1, two)]));
    assert!(warnings.iter().any(|w| w.contains("the outer ring of part 2 has 1 position(s)")), "{warnings:?}");
}

#[test]
fn wkt_empty_is_warned_in_a_csv_of_districts() {
    let s = Scratch::new();
    let csv = "id;name;wkt\nD1;Ett;POLYGON EMPTY\nD2;Två;MULTIPOLYGON EMPTY\n\
               D3;Tre;\"POLYGON((300000 6370000,330000 6370000,330000 6400000,300000 6400000,300000 6370000))\"\n";
    let path = s.write("omraden.csv", csv);
    let output = analyze_demo_with(0, &path, &s.out()).args(["--crs", "EPSG:3006"]).output().expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let warnings = run_warnings(&s.out());
    let warning = warnings.iter().find(|w| w.contains("degenerate")).expect("a warning");
    assert_says(
        warning,
        &["omraden.csv", "row 2 ('D1'): the geometry is empty", "row 3 ('D2'): the geometry is empty"],
    );
}

#[test]
fn overlapping_districts_are_warned_by_pair() {
    let s = Scratch::new();
    let mut districts = read_json(&demo()[0]);
    let mut copy = districts["features"][5].clone();
    copy["properties"] = json!({"id": "D99", "name": "Kopia"});
    districts["features"].as_array_mut().expect("features").push(copy);
    let warnings = warnings_with_districts(&s, "omraden.geojson", &districts);
    let warning = warnings.iter().find(|w| w.contains("overlap")).expect("an overlap warning");
    assert_says(warning, &["omraden.geojson", "1 pair(s)", "'D06' (feature 5) and 'D99' (feature 12) share", "km²"]);
    // The demo's own districts touch but do not overlap.
    let warnings = warnings_with_districts(&s, "omraden.geojson", &read_json(&demo()[0]));
    assert!(!warnings.iter().any(|w| w.contains("overlap") || w.contains("degenerate")), "{warnings:?}");
}
