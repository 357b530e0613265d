//! Scenario files of `compare`: arenas to close that do not exist, unknown kinds and keys, NaN or swapped
//! coordinates, a population that cannot be read, a broken arena file to add. Each is an error naming the scenario
//! file and the entry (or the file it names and its feature), exit 2, and the output folder as it was. An added
//! arena outside every district is a warning, and the scenario is still evaluated.

use serde_json::json;

use super::*;

/// `compare --quiet --scenario SCENARIO --out OUT` on the demo city (run from the repository folder).
fn compare(scenario: &Path, out: &Path) -> Command {
    let mut cmd = arenagap();
    cmd.current_dir(repo())
        .args(["compare", "--quiet", "--map", "false", "--gpkg", "false", "--scenario"])
        .arg(scenario)
        .arg("--out")
        .arg(out);
    cmd
}

const ADD: &str = "[[add]]\nname = \"Ny\"\nkind = \"familjecentral\"\n";

/// Scenario files that arenagap refuses. Each: the case (its file name), the contents, the entry the message names
/// (empty: none), and what else it says.
#[test]
fn scenario_files_that_cannot_be_used() {
    let add = |rest: &str| format!("name = \"s\"\n{ADD}{rest}");
    let cases: Vec<(&str, String, &str, Vec<&str>)> = vec![
        (
            "close-unknown",
            "name = \"s\"\nclose = [\"Åkervallens bibliotk\"]\n".into(),
            "close 1",
            vec![
                "no arena has the id or name 'Åkervallens bibliotk'",
                "the closest are 'Åkervallens bibliotek' (name)",
            ],
        ),
        (
            "close-twice",
            "name = \"s\"\nclose = [\"arenas#3\", \"Åkervallens bibliotek\"]\n".into(),
            "close 2",
            vec!["again"],
        ),
        (
            "close-not-a-list",
            "name = \"s\"\nclose = 3\n".into(),
            "",
            vec!["is not a valid scenario file", "invalid type"],
        ),
        ("unknown-key", "name = \"s\"\nradius = 500\n".into(), "", vec!["unknown key 'radius'", "children-count"]),
        ("no-name", "close = [\"arenas#3\"]\n".into(), "", vec!["missing field `name`"]),
        ("syntax", "name = \"s\nclose = []\n".into(), "", vec!["is not a valid scenario file", "line 1"]),
        (
            "unknown-kind",
            "name = \"s\"\n[[add]]\nname = \"Ny\"\nkind = \"skola\"\nx = 311000\ny = 6388800\n".into(),
            "add 1",
            vec!["kind 'skola' is not a kind"],
        ),
        ("nan-x", add("x = nan\ny = 6388800\n"), "add 1", vec!["the position (NaN, 6388800)"]),
        ("swapped", add("x = 6388800\ny = 311000\n"), "add 1", vec!["outside the valid area of EPSG:3006", "swapped"]),
        ("no-y", add("x = 311000\n"), "add 1", vec!["missing field `y`"]),
        ("unknown-point-key", add("x = 311000\ny = 6388800\nradius = 5\n"), "add 1", vec!["unknown field `radius`"]),
        ("bad-crs", add("x = 311000\ny = 6388800\ncrs = \"EPSG:0\"\n"), "add 1", vec!["crs \"EPSG:0\""]),
        ("negative-capacity", add("x = 311000\ny = 6388800\ncapacity = -2\n"), "add 1", vec!["capacity"]),
        (
            "id-taken",
            add("x = 311000\ny = 6388800\nid = \"arenas#3\"\n"),
            "",
            vec!["the id 'arenas#3'", "another arena has already"],
        ),
        ("add-a-number", "name = \"s\"\nadd = 5\n".into(), "add 1", vec!["expected a file of arenas"]),
        (
            "population-unknown-field",
            "name = \"s\"\nchildren-count = \"prognos2030\"\n".into(),
            "",
            vec!["its population", "has no field 'prognos2030'"],
        ),
        (
            "population-wrong-type",
            "name = \"s\"\nchildren-count = 5\n".into(),
            "",
            vec!["is not a valid scenario file", "invalid type"],
        ),
        (
            "population-missing-file",
            "name = \"s\"\nchildren = \"saknas.geojson\"\n".into(),
            "",
            vec!["its population", "saknas.geojson"],
        ),
    ];
    for (case, contents, entry, says) in cases {
        let s = Scratch::new();
        let name = format!("{case}.toml");
        let scenario = s.write(&name, &contents);
        let stderr = if entry.is_empty() {
            assert_bad_input(&mut compare(&scenario, &s.out()), &name, &s.out())
        } else {
            assert_bad_input_at(&mut compare(&scenario, &s.out()), &name, entry, &s.out())
        };
        assert_says(&stderr, &says);
    }
}

/// An added arena file with a broken feature: the error names that file and the feature.
#[test]
fn a_broken_arena_file_to_add_names_its_feature() {
    let s = Scratch::new();
    let features = vec![
        feature(json!({"name": "Ny", "kind": "Familjecentral"}), "Point", json!([311000.0, 6388800.0])),
        feature(json!({"name": "Trasig", "kind": "Familjecentral"}), "Point", json!([311000.0])),
    ];
    s.write_json("nya.geojson", &collection(Some(3006), features));
    let scenario = s.write("scenario.toml", "name = \"s\"\nadd = \"nya.geojson\"\n");
    assert_bad_input_at(&mut compare(&scenario, &s.out()), "nya.geojson", "feature 1", &s.out());
}

/// A scenario file that does not exist, and two scenarios of which the second is bad: nothing is written.
#[test]
fn a_missing_or_later_bad_scenario_writes_nothing() {
    let s = Scratch::new();
    let missing = s.path().join("saknas.toml");
    let stderr = assert_bad_input(&mut compare(&missing, &s.out()), "saknas.toml", &s.out());
    assert_says(&stderr, &["does not exist"]);
    let good = repo().join("data/demo/scenarios/familjecentral-sjoviken.toml");
    let bad = s.write("bad.toml", "name = \"b\"\nclose = [\"nothing\"]\n");
    let mut cmd = compare(&good, &s.out());
    cmd.arg("--scenario").arg(&bad);
    assert_bad_input_at(&mut cmd, "bad.toml", "close 1", &s.out());
}

/// An added arena outside every district: a warning naming the scenario file and the arena; the scenario is
/// evaluated (the arena serves the children near it) and written.
#[test]
fn an_added_arena_outside_every_district_is_a_warning() {
    let s = Scratch::new();
    // West of Sjöviken, beyond the demo's districts, but within reach of its children.
    let scenario = s.write("utanfor.toml", format!("name = \"Utanför\"\n{ADD}x = 305500\ny = 6388800\n"));
    let output = compare(&scenario, &s.out()).output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let warning = "utanfor.toml: scenario 'Utanför' adds 1 arena(s) outside every district: 'Ny' (Utanför#1)";
    assert!(run_warnings(&s.out()).iter().any(|w| w.contains(warning)), "{stderr}");
    let table = std::fs::read_to_string(s.out().join("scenarios.csv")).unwrap();
    let row: Vec<&str> = table.lines().nth(1).unwrap().split(',').collect();
    let change: f64 = row[17].parse().unwrap();
    assert!(change < 0.0, "it brings children nearer an arena: {table}");
}
