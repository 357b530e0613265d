//! Helpers shared by the integration tests: the `arenagap` binary, scratch files in a temporary folder, the
//! bundled demo city, and a small synthetic city in SWEREF 99 TM (EPSG:3006) to break in controlled ways.

#![allow(dead_code)] // not every test module uses every helper

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

/// A command for the `arenagap` binary built with the tests.
pub fn arenagap() -> Command {
    Command::cargo_bin("arenagap").expect("the arenagap binary is built with the tests")
}

/// The demo city's input files: `[districts, children, arenas]`.
pub fn demo() -> [PathBuf; 3] {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("demo");
    ["districts", "children", "arenas"].map(|layer| root.join(format!("{layer}.geojson")))
}

/// A temporary folder for input files and the output folder; removed when dropped.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new, empty temporary folder.
    pub fn new() -> Self {
        Scratch { dir: tempfile::tempdir().expect("a temporary folder") }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` (GeoJSON, CSV, TOML or any bytes) to `name` in the folder and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("writing a scratch file");
        path
    }

    /// Writes a GeoJSON value to `name`.
    pub fn write_json(&self, name: &str, value: &Value) -> PathBuf {
        self.write(name, serde_json::to_vec_pretty(value).expect("JSON serializes"))
    }

    /// The output folder (not created).
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
}

/// `arenagap analyze --quiet` on the three layers, writing to `out`. Counts are read from the `children` field.
pub fn analyze(districts: &Path, children: &Path, arenas: &Path, out: &Path) -> Command {
    analyze_with_count(districts, children, arenas, out, "children")
}

/// `arenagap analyze --quiet` on the three layers, writing to `out`, with counts from the field `count`.
pub fn analyze_with_count(districts: &Path, children: &Path, arenas: &Path, out: &Path, count: &str) -> Command {
    let mut cmd = arenagap();
    cmd.arg("analyze")
        .arg("--quiet")
        .arg("--districts")
        .arg(districts)
        .arg("--children")
        .arg(children)
        .arg("--children-count")
        .arg(count)
        .arg("--arenas")
        .arg(arenas)
        .arg("--out")
        .arg(out);
    cmd
}

/// `arenagap analyze` on the demo city with one layer replaced (`0` districts, `1` children, `2` arenas).
pub fn analyze_demo_with(layer: usize, path: &Path, out: &Path) -> Command {
    let mut files = demo();
    files[layer] = path.to_path_buf();
    analyze(&files[0], &files[1], &files[2], out)
}

/// The files in a folder (none when it does not exist), sorted by name.
pub fn files_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> =
        entries.map(|e| e.expect("a folder entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// What a failed run printed on stderr, after checking the rules for bad input: exit code 2, no panic, the file
/// named, and nothing written to the output folder (not even `.partial` files).
pub fn assert_bad_input(cmd: &mut Command, file: &str, out: &Path) -> String {
    let output = cmd.output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert!(stderr.starts_with("error: "), "stderr should start with 'error: ':\n{stderr}");
    assert!(stderr.contains(file), "stderr should name {file}:\n{stderr}");
    let written = files_in(out);
    assert!(written.is_empty(), "output folder should be empty, has {written:?}");
    stderr
}

/// Asserts that `stderr` contains every fragment.
pub fn assert_says(stderr: &str, fragments: &[&str]) {
    for fragment in fragments {
        assert!(stderr.contains(fragment), "stderr should contain {fragment:?}:\n{stderr}");
    }
}

/// A GeoJSON FeatureCollection, with the legacy `crs` member when `epsg` is given.
pub fn collection(epsg: Option<u32>, features: Vec<Value>) -> Value {
    match epsg {
        Some(code) => json!({
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": format!("urn:ogc:def:crs:EPSG::{code}")}},
            "features": features,
        }),
        None => json!({"type": "FeatureCollection", "features": features}),
    }
}

/// A GeoJSON Feature.
pub fn feature(properties: Value, geometry_type: &str, coordinates: Value) -> Value {
    json!({"type": "Feature", "properties": properties, "geometry": {"type": geometry_type, "coordinates": coordinates}})
}

/// An axis-aligned square district with its lower left corner at (x, y), 2 km a side, in EPSG:3006.
pub fn square(id: &str, name: &str, x: f64, y: f64) -> Value {
    let s = 2000.0;
    feature(
        json!({"id": id, "name": name}),
        "Polygon",
        json!([[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]),
    )
}

/// A child point with a count.
pub fn child(x: f64, y: f64, children: Value) -> Value {
    feature(json!({ "children": children }), "Point", json!([x, y]))
}

/// An arena point.
pub fn arena(name: &str, kind: &str, x: f64, y: f64) -> Value {
    feature(json!({"name": name, "kind": kind}), "Point", json!([x, y]))
}

/// Origin of the small synthetic city (EPSG:3006, near Göteborg).
pub const X0: f64 = 310_000.0;
/// Origin of the small synthetic city (EPSG:3006, near Göteborg).
pub const Y0: f64 = 6_390_000.0;

/// Three square districts side by side: D1 and D2 with children, D3 with none.
pub fn mini_districts() -> Value {
    collection(
        Some(3006),
        vec![square("D1", "Ett", X0, Y0), square("D2", "Två", X0 + 2000.0, Y0), square("D3", "Tre", X0 + 4000.0, Y0)],
    )
}

/// Children in D1 and D2 only.
pub fn mini_children() -> Value {
    collection(
        Some(3006),
        vec![
            child(X0 + 500.0, Y0 + 500.0, json!(3)),
            child(X0 + 1500.0, Y0 + 1500.0, json!(2)),
            child(X0 + 2500.0, Y0 + 500.0, json!(4)),
            child(X0 + 3500.0, Y0 + 1500.0, json!(1)),
        ],
    )
}

/// One family centre and one open preschool.
pub fn mini_arenas() -> Value {
    collection(
        Some(3006),
        vec![
            arena("Familjecentralen", "Familjecentral", X0 + 1000.0, Y0 + 1000.0),
            arena("Öppna förskolan", "Öppen förskola", X0 + 3000.0, Y0 + 1000.0),
        ],
    )
}

/// The small city written to `scratch`: `[districts, children, arenas]`.
pub fn mini_city(scratch: &Scratch) -> [PathBuf; 3] {
    [
        scratch.write_json("districts.geojson", &mini_districts()),
        scratch.write_json("children.geojson", &mini_children()),
        scratch.write_json("arenas.geojson", &mini_arenas()),
    ]
}

/// The warnings of a run, from its run.json.
pub fn run_warnings(out: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join("run.json")).expect("run.json is written");
    let run: Value = serde_json::from_str(&text).expect("run.json is JSON");
    run["warnings"]
        .as_array()
        .expect("run.json has a warnings list")
        .iter()
        .map(|w| w.as_str().expect("a warning is text").to_string())
        .collect()
}

/// The repository folder (where `data/` and `tests/fixtures/` are).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An output folder for a run that several tests share, under Cargo's scratch folder for integration tests;
/// removed first, kept afterwards for a look.
pub fn shared_out(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A JSON file, parsed.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The features of a GeoJSON FeatureCollection.
pub fn features(collection: &Value) -> &[Value] {
    collection["features"].as_array().expect("a FeatureCollection has a features list")
}

/// The property names of a feature, in order.
pub fn keys(feature: &Value) -> Vec<&str> {
    feature["properties"].as_object().expect("a feature has properties").keys().map(String::as_str).collect()
}

/// The feature of a districts layer with `district_id` `id`.
pub fn district<'a>(districts: &'a Value, id: &str) -> &'a Value {
    features(districts)
        .iter()
        .find(|f| f["properties"]["district_id"] == id)
        .unwrap_or_else(|| panic!("no district {id}"))
}

/// Runs `cmd`, asserts that it succeeded, and returns its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let output = cmd.output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "arenagap failed ({:?}):\n{stderr}", output.status.code());
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// The project's shared folder of real Göteborg data (`../shared/data`, not in the repository), or `None` when it
/// is missing: then the test should return. Under CI (env `CI` set) a missing folder fails the test instead, so
/// that a CI run never passes by skipping the real-data tests.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{test}: the real data folder {} is missing, and CI is set: CI must run the real-data tests. Put the \
             shared data (see PROVENANCE.md) next to the repository, as ../shared/data",
            dir.display()
        );
    }
    eprintln!("SKIPPED {test}: the real data folder {} is missing (set CI to make this a failure)", dir.display());
    None
}

/// A profile (config file) in the repository's `data` folder.
pub fn profile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(name)
}

/// `arenagap analyze --quiet --config PROFILE --data-dir DATA --out OUT` plus `extra` flags; asserts that it
/// succeeds and returns what it printed on stderr (the warnings).
pub fn run_profile(profile: &Path, data: &Path, out: &Path, extra: &[&str]) -> String {
    let output = arenagap()
        .arg("analyze")
        .arg("--quiet")
        .arg("--config")
        .arg(profile)
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{} failed ({:?}); stderr:\n{stderr}", profile.display(), output.status.code());
    stderr
}

/// The `properties` of every feature of a GeoJSON FeatureCollection.
pub fn feature_properties(path: &Path) -> Vec<serde_json::Map<String, Value>> {
    read_json(path)["features"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no features list", path.display()))
        .iter()
        .map(|f| f["properties"].as_object().expect("a feature has properties").clone())
        .collect()
}

/// A numeric property, panicking with the key when it is missing or not a number.
pub fn number(properties: &serde_json::Map<String, Value>, key: &str) -> f64 {
    properties.get(key).and_then(Value::as_f64).unwrap_or_else(|| panic!("no number '{key}' in {properties:?}"))
}

/// A text property.
pub fn text<'a>(properties: &'a serde_json::Map<String, Value>, key: &str) -> &'a str {
    properties.get(key).and_then(Value::as_str).unwrap_or_else(|| panic!("no text '{key}' in {properties:?}"))
}
