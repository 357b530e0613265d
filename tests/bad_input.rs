//! Bad input never panics: it gets exit code 2, a message naming the file and the feature or row, and nothing
//! in the output folder. Some oddities are warnings, not errors: those are printed and kept in run.json.

use serde_json::json;

use crate::common::*;

const DISTRICTS: usize = 0;
const CHILDREN: usize = 1;
const ARENAS: usize = 2;

// 1. Missing file.

#[test]
fn missing_file() {
    let s = Scratch::new();
    let missing = s.path().join("barn.geojson");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &missing, &s.out()), "barn.geojson", &s.out());
    assert_says(&stderr, &["does not exist"]);
    assert!(!stderr.contains("os error"), "{stderr}");
}

// 2. Empty files (0 bytes).

#[test]
fn empty_districts_file() {
    let s = Scratch::new();
    let path = s.write("districts.geojson", "");
    let stderr = assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "districts.geojson", &s.out());
    assert_says(&stderr, &["is empty"]);
}

#[test]
fn empty_children_file() {
    let s = Scratch::new();
    let path = s.write("children.csv", "");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.csv", &s.out());
    assert_says(&stderr, &["is empty"]);
}

#[test]
fn empty_arenas_file() {
    let s = Scratch::new();
    let path = s.write("arenas.geojson", "");
    let stderr = assert_bad_input(&mut analyze_demo_with(ARENAS, &path, &s.out()), "arenas.geojson", &s.out());
    assert_says(&stderr, &["is empty"]);
}

// 3. Not the format the extension says.

#[test]
fn geojson_file_holding_csv_text() {
    let s = Scratch::new();
    let path = s.write("children.geojson", "x;y;children\n312000;6390000;3\n");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["is not valid GeoJSON"]);
}

#[test]
fn shapefile_that_is_a_text_file() {
    // The Shapefile reader is being replaced; only the rules every error follows are checked here.
    let s = Scratch::new();
    let path = s.write("districts.shp", "id;name\nD1;Ett\n");
    assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "districts.shp", &s.out());
}

#[test]
fn csv_file_of_binary_garbage() {
    let s = Scratch::new();
    let garbage: Vec<u8> = (0..2048u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = s.write("children.csv", garbage);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.csv", &s.out());
    assert_says(&stderr, &["is not a CSV text file"]);
}

#[test]
fn csv_without_coordinate_columns() {
    let s = Scratch::new();
    let path = s.write("children.csv", "adress;children\nStorgatan 1;3\n");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.csv", &s.out());
    assert_says(&stderr, &["has no coordinate columns", "adress, children"]);
}

// 4. Wrong geometry type for the layer.

#[test]
fn linestring_district() {
    let s = Scratch::new();
    let line = feature(json!({"id": "D2", "name": "Två"}), "LineString", json!([[X0, Y0], [X0 + 2000.0, Y0]]));
    let path = s.write_json("districts.geojson", &collection(Some(3006), vec![square("D1", "Ett", X0, Y0), line]));
    let stderr = assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "districts.geojson", &s.out());
    assert_says(&stderr, &["feature 1", "LineString", "expected a Polygon"]);
}

#[test]
fn polygon_arena() {
    let s = Scratch::new();
    let polygon = feature(
        json!({"name": "Parken", "kind": "Parklek"}),
        "Polygon",
        json!([[[X0, Y0], [X0 + 50.0, Y0], [X0 + 50.0, Y0 + 50.0], [X0, Y0]]]),
    );
    let arenas = collection(Some(3006), vec![arena("Biblioteket", "Bibliotek", X0, Y0), polygon]);
    let path = s.write_json("arenas.geojson", &arenas);
    let stderr = assert_bad_input(&mut analyze_demo_with(ARENAS, &path, &s.out()), "arenas.geojson", &s.out());
    assert_says(&stderr, &["feature 1", "Polygon", "expected a Point"]);
}

#[test]
fn child_multipoint_of_two_points() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][2]["geometry"] =
        json!({"type": "MultiPoint", "coordinates": [[X0 + 100.0, Y0 + 100.0], [X0 + 200.0, Y0 + 200.0]]});
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["feature 2", "MultiPoint", "expected a Point"]);
}

// 5. Coordinates that are not numbers, or out of range.

#[test]
fn csv_nan_coordinate() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;children\n312000;6390000;3\n312100;6390100;2\nNaN;6390200;1\n");
    let mut cmd = analyze_demo_with(CHILDREN, &path, &s.out());
    cmd.args(["--crs", "EPSG:3006"]);
    let stderr = assert_bad_input(&mut cmd, "children.csv", &s.out());
    assert_says(&stderr, &["row 4", "'x'", "not a number"]);
}

#[test]
fn csv_infinite_coordinate() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;children\n312000;6390000;3\ninf;6390100;2\n");
    let mut cmd = analyze_demo_with(CHILDREN, &path, &s.out());
    cmd.args(["--crs", "EPSG:3006"]);
    let stderr = assert_bad_input(&mut cmd, "children.csv", &s.out());
    assert_says(&stderr, &["row 3", "'x'", "not a number"]);
}

#[test]
fn lonlat_latitude_out_of_range() {
    let s = Scratch::new();
    let children = collection(
        None,
        vec![
            child(11.97, 57.70, json!(1)),
            child(11.98, 57.71, json!(2)),
            child(11.99, 57.72, json!(3)),
            child(11.97, 123.0, json!(1)),
        ],
    );
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["feature 3", "123", "outside the valid area of EPSG:4326"]);
}

#[test]
fn sweref_coordinates_with_x_and_y_swapped() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][1]["geometry"]["coordinates"] = json!([6_400_000.0, 320_000.0]);
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["feature 1", "outside the valid area of EPSG:3006", "swapped"]);
}

// 6. A configured field that the file does not have: the message lists the fields it does have.

#[test]
fn missing_district_id_field() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.args(["--district-id", "nope"]);
    let stderr = assert_bad_input(&mut cmd, "districts.geojson", &s.out());
    assert_says(&stderr, &["no field 'nope'", "id, name"]);
}

#[test]
fn missing_children_count_field() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let mut cmd = analyze_with_count(&d, &c, &a, &s.out(), "nope");
    let stderr = assert_bad_input(&mut cmd, "children.geojson", &s.out());
    assert_says(&stderr, &["no field 'nope'", "fields are: children"]);
}

#[test]
fn missing_children_count_column_in_csv() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;antal\n312000;6390000;3\n");
    let [d, _, a] = demo();
    let mut cmd = analyze_with_count(&d, &path, &a, &s.out(), "nope");
    cmd.args(["--crs", "EPSG:3006"]);
    let stderr = assert_bad_input(&mut cmd, "children.csv", &s.out());
    assert_says(&stderr, &["no field 'nope'", "fields are: antal"]);
}

#[test]
fn missing_arena_kind_field() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.args(["--arena-kind", "nope"]);
    let stderr = assert_bad_input(&mut cmd, "arenas.geojson", &s.out());
    assert_says(&stderr, &["no field 'nope'", "name, kind"]);
}

// 7. Counts that are not numbers.

#[test]
fn non_numeric_count_in_geojson() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][2]["properties"]["children"] = json!("many");
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["feature 2", "'children'", "not a number: 'many'"]);
}

#[test]
fn non_numeric_count_in_csv() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;children\n312000;6390000;3\n312100;6390100;abc\n");
    let mut cmd = analyze_demo_with(CHILDREN, &path, &s.out());
    cmd.args(["--crs", "EPSG:3006"]);
    let stderr = assert_bad_input(&mut cmd, "children.csv", &s.out());
    assert_says(&stderr, &["row 3", "'children'", "not a number: 'abc'"]);
}

// 8. Negative counts.

#[test]
fn negative_count() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][1]["properties"]["children"] = json!(-3);
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["feature 1", "'children'", "negative (-3)"]);
}

// 9. Unknown coordinate systems.

#[test]
fn unknown_crs_flag() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.args(["--crs", "EPSG:9999"]);
    // No file to name: the flag is named instead.
    let stderr = assert_bad_input(&mut cmd, "--crs EPSG:9999", &s.out());
    assert_says(&stderr, &["unsupported CRS EPSG:9999"]);
}

#[test]
fn unknown_crs_member_in_geojson() {
    let s = Scratch::new();
    let path = s.write_json(
        "children.geojson",
        &collection(Some(9999), mini_children()["features"].as_array().unwrap().clone()),
    );
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["urn:ogc:def:crs:EPSG::9999", "unsupported CRS EPSG:9999"]);
}

#[test]
fn csv_metric_coordinates_without_crs() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;children\n312000;6390000;3\n312100;6390100;2\n");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.csv", &s.out());
    assert_says(&stderr, &["declares no coordinate system", "--crs EPSG:3006"]);
}

// 10. Duplicate district ids.

#[test]
fn duplicate_district_ids() {
    let s = Scratch::new();
    let districts = collection(
        Some(3006),
        vec![square("D1", "Ett", X0, Y0), square("D2", "Två", X0 + 2000.0, Y0), square("D1", "Tre", X0 + 4000.0, Y0)],
    );
    let path = s.write_json("districts.geojson", &districts);
    let stderr = assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "districts.geojson", &s.out());
    assert_says(&stderr, &["feature 2", "duplicate district id 'D1'", "feature 0"]);
}

// 11. Invalid polygons are a warning, not an error.

#[test]
fn bow_tie_district_is_a_warning() {
    let s = Scratch::new();
    let [_, children, arenas] = mini_city(&s);
    let (x, y) = (X0 + 4000.0, Y0);
    let bow_tie = feature(
        json!({"id": "D3", "name": "Fluga"}),
        "Polygon",
        json!([[[x, y], [x + 2000.0, y + 2000.0], [x + 2000.0, y], [x, y + 2000.0], [x, y]]]),
    );
    let districts =
        collection(Some(3006), vec![square("D1", "Ett", X0, Y0), square("D2", "Två", X0 + 2000.0, Y0), bow_tie]);
    let districts = s.write_json("districts.geojson", &districts);
    let output = analyze(&districts, &children, &arenas, &s.out()).output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "should succeed:\n{stderr}");
    assert_says(&stderr, &["warning: ", "districts.geojson", "cross or touch themselves", "D3"]);
    let warnings = run_warnings(&s.out());
    assert!(
        warnings.iter().any(|w| w.contains("cross or touch themselves") && w.contains("D3")),
        "run.json warnings: {warnings:?}"
    );
}

// 12. Unmapped arena kinds, children outside every district and districts without children are warnings.

#[test]
fn unmapped_arena_kind_is_a_warning() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let output = analyze(&d, &c, &a, &s.out()).output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "should succeed:\n{stderr}");
    assert_says(&stderr, &["warning: ", "arenas.geojson", "unmapped kinds", "'Skola'"]);
    let warnings = run_warnings(&s.out());
    assert!(warnings.iter().any(|w| w.contains("unmapped kinds") && w.contains("'Skola'")), "{warnings:?}");
}

#[test]
fn children_outside_districts_is_a_warning() {
    let s = Scratch::new();
    let [districts, _, arenas] = mini_city(&s);
    let mut children = mini_children();
    children["features"].as_array_mut().unwrap().push(child(X0 - 5000.0, Y0 - 5000.0, json!(7)));
    let children = s.write_json("children.geojson", &children);
    let output = analyze(&districts, &children, &arenas, &s.out()).output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "should succeed:\n{stderr}");
    assert_says(&stderr, &["warning: 1 child point(s) with 7 children lie outside every district"]);
    let warnings = run_warnings(&s.out());
    assert!(warnings.iter().any(|w| w.contains("outside every district")), "{warnings:?}");
}

#[test]
fn district_without_children_is_a_warning() {
    let s = Scratch::new();
    let [districts, children, arenas] = mini_city(&s);
    let output = analyze(&districts, &children, &arenas, &s.out()).output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "should succeed:\n{stderr}");
    assert_says(&stderr, &["warning: 1 district(s) have no children: Tre"]);
    let warnings = run_warnings(&s.out());
    assert!(warnings.iter().any(|w| w.contains("have no children: Tre")), "{warnings:?}");
}

// 13. Config files with unknown keys or bad values.

#[test]
fn config_with_unknown_key() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let config = s.write("arenagap.toml", "radius = 800\ncolour = \"red\"\n");
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.arg("--config").arg(&config);
    let stderr = assert_bad_input(&mut cmd, "arenagap.toml", &s.out());
    assert_says(&stderr, &["unknown field `colour`"]);
}

#[test]
fn config_with_negative_radius() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let config = s.write("arenagap.toml", "radius = -5\n");
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.arg("--config").arg(&config);
    let stderr = assert_bad_input(&mut cmd, "arenagap.toml", &s.out());
    assert_says(&stderr, &["radius must be a distance from 0.01 to 10000000 metres, got -5"]);
}

#[test]
fn config_with_radius_of_the_wrong_type() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let config = s.write("arenagap.toml", "radius = \"far\"\n");
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.arg("--config").arg(&config);
    let stderr = assert_bad_input(&mut cmd, "arenagap.toml", &s.out());
    assert_says(&stderr, &["radius", "invalid type"]);
}

// 14. An output folder that cannot be written.

#[test]
fn out_is_an_existing_file() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    let out = s.write("out", "not a folder");
    let output = analyze(&d, &c, &a, &out).output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "should fail:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert_says(&stderr, &["error: ", &out.display().to_string(), "is a file, not a folder"]);
    assert_eq!(std::fs::read_to_string(&out).expect("still there"), "not a folder");
    assert_eq!(files_in(s.path()), ["out"], "nothing else written beside it");
}

// A successful run leaves no temporary files, and its bytes do not depend on the number of threads.

#[test]
fn no_partial_files_after_a_successful_run() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    analyze(&d, &c, &a, &s.out()).assert().success();
    let files = files_in(&s.out());
    assert!(files.iter().all(|f| !f.ends_with(".partial") && !f.starts_with('.')), "{files:?}");
    for expected in
        ["districts.geojson", "gaps.geojson", "children.geojson", "arenas.geojson", "districts.csv", "run.json"]
    {
        assert!(files.iter().any(|f| f == expected), "{expected} missing from {files:?}");
    }
}

#[test]
fn outputs_are_identical_with_one_or_two_threads() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    // The same output path both times: run.json records it.
    let run = |threads: &str| {
        let _ = std::fs::remove_dir_all(s.out());
        analyze(&d, &c, &a, &s.out()).env("RAYON_NUM_THREADS", threads).assert().success();
        // The files of the output folder and of its styles/ folder.
        let styles = files_in(&s.out().join("styles")).into_iter().map(|name| format!("styles/{name}"));
        files_in(&s.out())
            .into_iter()
            .filter(|name| s.out().join(name).is_file())
            .chain(styles)
            .map(|name| {
                let bytes = std::fs::read(s.out().join(&name)).expect("an output file");
                (name, bytes)
            })
            .collect::<Vec<_>>()
    };
    let one = run("1");
    let two = run("2");
    assert!(!one.is_empty());
    assert_eq!(one.iter().map(|f| &f.0).collect::<Vec<_>>(), two.iter().map(|f| &f.0).collect::<Vec<_>>());
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
}

// Hostile values found by a hostile test of the landed tool (issue 10).

#[test]
fn polygon_positions_with_fewer_than_two_numbers_are_errors_not_panics() {
    for (case, position) in [("one number", json!([312183.87])), ("none", json!([]))] {
        let s = Scratch::new();
        let ring = json!([[[X0, Y0], [X0 + 2000.0, Y0], position, [X0, Y0]]]);
        let bad = feature(json!({"id": "D2", "name": "Två"}), "Polygon", ring);
        let path = s.write_json("districts.geojson", &collection(Some(3006), vec![square("D1", "Ett", X0, Y0), bad]));
        let stderr =
            assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "districts.geojson", &s.out());
        assert_says(&stderr, &["feature 1", "invalid geometry", "a position needs at least two"]);
        assert!(!stderr.contains("panicked"), "{case}: {stderr}");
    }
}

#[test]
fn a_count_too_large_for_exact_sums_is_refused_not_looped_on() {
    let s = Scratch::new();
    let [districts, _, arenas] = mini_city(&s);
    let table = s.write("barn.csv", "id;children\nD1;1e33\nD2;10\nD3;5\n");
    let mut cmd = arenagap();
    cmd.timeout(std::time::Duration::from_secs(60)).args(["analyze", "--quiet"]);
    cmd.arg("--districts").arg(&districts).arg("--children-table").arg(&table);
    cmd.arg("--arenas").arg(&arenas).arg("--out").arg(s.out());
    let stderr = assert_bad_input(&mut cmd, "barn.csv", &s.out());
    assert_says(&stderr, &["row 2", "more than the 1e15"]);
}

#[test]
fn out_in_a_config_file_is_relative_to_the_file() {
    let s = Scratch::new();
    let [districts, children, arenas] = mini_city(&s);
    std::fs::create_dir(s.path().join("profiles")).expect("a folder");
    let config = s.write(
        "profiles/city.toml",
        format!(
            "districts = {:?}\nchildren = {:?}\nchildren-count = \"children\"\narenas = {:?}\nout = \"relout\"\n",
            districts, children, arenas
        ),
    );
    let elsewhere = s.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("a folder");
    run_ok(
        arenagap()
            .current_dir(&elsewhere)
            .args(["analyze", "--quiet", "--gpkg", "false", "--map", "false", "--config"])
            .arg(&config),
    );
    assert!(s.path().join("profiles/relout/districts.csv").is_file(), "out resolves against the config file");
    assert!(!elsewhere.join("relout").exists(), "not against the working folder");
}

#[test]
fn distances_the_arithmetic_cannot_hold_are_refused_with_the_range() {
    for (flag, value) in [("--zone-link", "1e-300"), ("--zone-buffer", "1e300"), ("--radius", "inf")] {
        let s = Scratch::new();
        let [d, c, a] = demo();
        let mut cmd = analyze(&d, &c, &a, &s.out());
        cmd.arg(flag).arg(value);
        let output = cmd.output().expect("arenagap runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert_says(&stderr, &[flag, "from 0.01 to 10000000 metres"]);
        assert!(!s.out().exists() || files_in(&s.out()).is_empty(), "{flag}: nothing written");
    }
}

#[test]
fn hostile_text_is_defused_in_the_terminal_the_csv_and_the_map() {
    let s = Scratch::new();
    let districts = collection(
        Some(3006),
        vec![
            square("D1", "=HYPERLINK(\"http://evil\")", X0, Y0),
            square("D2", "\u{1b}[31mRöd\u{1b}[0m", X0 + 2000.0, Y0),
            square("D3", "Noll\u{0}tecken\u{ffff}", X0 + 4000.0, Y0),
        ],
    );
    let [_, children, arenas] = mini_city(&s);
    let districts = s.write_json("hostile.geojson", &districts);
    let output = arenagap()
        .args(["analyze", "--children-count", "children", "--districts"])
        .arg(&districts)
        .arg("--children")
        .arg(&children)
        .arg("--arenas")
        .arg(&arenas)
        .arg("--out")
        .arg(s.out())
        .output()
        .expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains('\u{1b}'), "no raw escape sequence in the terminal: {stdout}");
    assert!(stdout.contains("\\u{1b}[31mRöd"), "shown escaped: {stdout}");
    let csv = std::fs::read_to_string(s.out().join("districts.csv")).expect("districts.csv");
    assert!(csv.contains("'=HYPERLINK"), "formula defused: {csv}");
    assert!(!csv.contains('\u{0}'), "no NUL in the CSV");
    // The GeoJSON keeps the names exactly; the map (SVG) holds only characters XML can.
    let geojson = std::fs::read_to_string(s.out().join("districts.geojson")).expect("districts.geojson");
    assert!(geojson.contains("=HYPERLINK"));
    let svg = std::fs::read_to_string(s.out().join("map.svg")).expect("map.svg");
    assert!(!svg.contains('\u{ffff}') && !svg.contains('\u{0}') && !svg.contains('\u{1b}'));
    // --csv-raw writes the cell as it is.
    let raw = s.path().join("raw");
    let output = analyze(&districts, &children, &arenas, &raw).args(["--csv-raw", "true"]).output().expect("runs");
    assert!(output.status.success());
    let csv = std::fs::read_to_string(raw.join("districts.csv")).expect("districts.csv");
    assert!(csv.contains(",\"=HYPERLINK") || csv.contains(",=HYPERLINK"), "{csv}");
}

#[test]
fn a_very_long_title_is_cut_not_laid_out_for_minutes() {
    let s = Scratch::new();
    let [d, c, a] = mini_city(&s);
    // Hundreds of kilobytes: too long for a command line, so in a config file.
    let title: String = "Göteborgs familjecentrerade arenor ".repeat(10_000);
    let config = s.write("title.toml", format!("title = {title:?}\n"));
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.timeout(std::time::Duration::from_secs(60)).arg("--config").arg(&config);
    run_ok(&mut cmd);
    let svg = std::fs::read_to_string(s.out().join("map.svg")).expect("map.svg");
    assert!(svg.contains("…") && svg.len() < 200_000, "the title is cut ({} bytes of SVG)", svg.len());
}

/// Inputs the fuzzer found (`fuzz/`, target `shapefile`): record headers claiming 13 GB and 34 GB of points. The
/// shapefile crate reserves that before reading a point; the reservation fails or is never touched, and the answer
/// must be an error naming the file, at a few megabytes of memory.
#[test]
fn shapefiles_found_by_the_fuzzer_are_errors() {
    for name in ["shapefile-13gb-points.bin", "shapefile-34gb-points.bin"] {
        let data = std::fs::read(repo().join("tests/fixtures/fuzz").join(name)).expect("a fuzz fixture");
        let s = Scratch::new();
        // Cut as the fuzz target cuts: four 16-bit lengths (.shp, .shx, .dbf, .prj), then the parts, then .cpg.
        let mut rest = &data[8..];
        for (k, ext) in ["shp", "shx", "dbf", "prj"].iter().enumerate() {
            let len = u16::from_le_bytes([data[2 * k], data[2 * k + 1]]) as usize;
            let (part, tail) = rest.split_at(len.min(rest.len()));
            s.write(&format!("d.{ext}"), part);
            rest = tail;
        }
        s.write("d.cpg", rest);
        let path = s.path().join("d.shp");
        let mut cmd = analyze_demo_with(DISTRICTS, &path, &s.out());
        cmd.timeout(std::time::Duration::from_secs(60));
        let stderr = assert_bad_input(&mut cmd, "d.shp", &s.out());
        assert!(stderr.contains("record"), "{name}: {stderr}");
    }
}
