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

/// What a failed run printed on stderr, after checking the rules for bad input, twice:
///
/// 1. with `out` absent (removed first if the caller left a folder there): exit code 2, no panic, stderr starts with
///    `error: ` and names `file`, `out` does not exist or is empty, and nothing is left beside it in its parent
///    folder (no `.out.partial-PID` or `.out.old-PID`, nothing else new);
/// 2. with `out` pre-filled by a good earlier run of the demo city ([`good_output`]): the same exit code and the
///    same message, `out` byte for byte as it was (every file, recursively), and nothing left beside it.
///
/// `out` is left absent afterwards. For an `out` that cannot be pre-filled (a file, a folder of other files), use
/// [`assert_bad_input_out_as_is`].
pub fn assert_bad_input(cmd: &mut Command, file: &str, out: &Path) -> String {
    if out.is_dir() {
        std::fs::remove_dir_all(out).unwrap_or_else(|e| panic!("clearing {}: {e}", out.display()));
    }
    assert!(!out.exists(), "{} should not exist before the run", out.display());
    let beside = beside_out(out);
    let stderr = run_bad_input(cmd, file);
    let written = files_in(out);
    assert!(written.is_empty(), "output folder should be absent or empty, has {written:?}");
    assert_eq!(beside_out(out), beside, "nothing should be left beside the output folder");
    // Again, over a good earlier output.
    copy_dir(good_output(), out);
    let before = snapshot(out);
    let again = run_bad_input(cmd, file);
    assert_eq!(again, stderr, "the message should not depend on what the output folder held");
    assert!(snapshot(out) == before, "the earlier output in {} should be untouched, byte for byte", out.display());
    assert_eq!(beside_out(out), beside, "nothing should be left beside the pre-filled output folder");
    std::fs::remove_dir_all(out).unwrap_or_else(|e| panic!("clearing {}: {e}", out.display()));
    stderr
}

/// [`assert_bad_input`], then asserts that the message names `file, location` (e.g. `children.csv, row 5`,
/// `districts.geojson, feature 2`, `arenas.gpkg, layer 'arenas', fid 3`) followed by `: `.
pub fn assert_bad_input_at(cmd: &mut Command, file: &str, location: &str, out: &Path) -> String {
    let stderr = assert_bad_input(cmd, file, out);
    let at = format!("{file}, {location}: ");
    assert!(stderr.contains(&at), "stderr should name the location {at:?}:\n{stderr}");
    stderr
}

/// What a failed run printed on stderr, after checking the rules for bad input once, with `out` as the caller left
/// it (for an `out` that is itself the bad input: a file, a folder of other files, a root): exit code 2, no panic,
/// stderr starts with `error: ` and names `file`, whatever is at `out` is byte for byte as it was, and nothing is
/// left beside it.
pub fn assert_bad_input_out_as_is(cmd: &mut Command, file: &str, out: &Path) -> String {
    let (before, beside) = (snapshot(out), beside_out(out));
    let stderr = run_bad_input(cmd, file);
    assert!(snapshot(out) == before, "{} should be untouched, byte for byte", out.display());
    assert_eq!(beside_out(out), beside, "nothing should be left beside {}", out.display());
    stderr
}

/// Runs a command that should fail on bad input: exit code 2, no panic, `error: ` first, `file` named.
fn run_bad_input(cmd: &mut Command, file: &str) -> String {
    let output = cmd.output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    assert!(stderr.starts_with("error: "), "stderr should start with 'error: ':\n{stderr}");
    assert!(stderr.contains(file), "stderr should name {file}:\n{stderr}");
    stderr
}

/// What a successful run printed on stderr, after checking that it warns, twice:
///
/// 1. with `out` absent (removed first): exit code 0, a warning in run.json holding every fragment, on stderr
///    (unless the command is `--quiet`) one `warning: ` line per warning, each the start of its run.json text, and a
///    complete output ([`assert_complete_output`]);
/// 2. with `out` pre-filled by a good earlier run of the demo city ([`good_output`]): the same warnings, and the
///    new output replaces the old one whole: `out` is byte for byte what the first run wrote, no old file left.
///
/// `out` holds the output afterwards.
pub fn assert_warns(cmd: &mut Command, out: &Path, fragments: &[&str]) -> String {
    if out.is_dir() {
        std::fs::remove_dir_all(out).unwrap_or_else(|e| panic!("clearing {}: {e}", out.display()));
    }
    let beside = beside_out(out);
    let stderr = run_ok_stderr(cmd);
    let warnings = run_warnings(out);
    assert!(
        warnings.iter().any(|w| fragments.iter().all(|f| w.contains(f))),
        "run.json should have a warning with all of {fragments:?}: {warnings:#?}"
    );
    let lines: Vec<&str> = stderr.lines().filter_map(|l| l.strip_prefix("warning: ")).collect();
    for (line, warning) in lines.iter().zip(&warnings) {
        let shown = line.trim_end_matches('…');
        let full = warning.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(full.starts_with(shown) || line.starts_with("… and "), "stderr {line:?} is not run.json's {warning:?}");
    }
    assert_complete_output(out);
    let fresh = snapshot(out);
    assert_eq!(beside_out(out), beside, "nothing should be left beside the output folder");
    // Again, over a good earlier output (the demo city's, with every optional file).
    std::fs::remove_dir_all(out).unwrap_or_else(|e| panic!("clearing {}: {e}", out.display()));
    copy_dir(good_output(), out);
    let again = run_ok_stderr(cmd);
    assert_eq!(again, stderr, "the warnings should not depend on what the output folder held");
    assert!(snapshot(out) == fresh, "the new output should replace the earlier one whole: {:?}", files_in(out));
    assert_eq!(beside_out(out), beside, "nothing should be left beside the replaced output folder");
    stderr
}

/// Runs `cmd`, asserts that it succeeded without a panic, and returns its stderr.
fn run_ok_stderr(cmd: &mut Command) -> String {
    let output = cmd.output().expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "should succeed; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    stderr
}

/// Asserts that `out` is a complete output: run.json lists exactly the files in it (besides the `styles` folder of
/// QGIS styles), every one of them a non-empty file.
pub fn assert_complete_output(out: &Path) {
    let run = read_json(&out.join("run.json"));
    assert_eq!(run["tool"], "arenagap", "run.json: {run}");
    let mut listed: Vec<String> = run["outputs"]
        .as_array()
        .expect("run.json has an outputs list")
        .iter()
        .map(|v| v.as_str().expect("an output is a name").to_string())
        .collect();
    listed.sort();
    let present: Vec<String> = files_in(out).into_iter().filter(|f| f != "styles").collect();
    assert_eq!(present, listed, "run.json should list exactly the files in {}", out.display());
    for name in &listed {
        let meta = std::fs::metadata(out.join(name)).expect("a listed output");
        assert!(meta.is_file() && meta.len() > 0, "{name} should be a non-empty file");
    }
    if out.join("styles").exists() {
        assert!(!files_in(&out.join("styles")).is_empty(), "styles/ should hold the QGIS styles");
    }
}

/// A good, complete output of the demo city (`arenagap analyze --quiet`, every optional file), made once per test
/// process: the "good earlier run" that bad-input cases are also run over.
pub fn good_output() -> &'static Path {
    static OUT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let out = shared_out("good-demo-output");
        run_ok(arenagap().current_dir(repo()).args(["analyze", "--quiet", "--out"]).arg(&out));
        assert_complete_output(&out);
        for optional in ["arenagap.gpkg", "map.png", "map.svg", "arenagap.qgs"] {
            assert!(out.join(optional).is_file(), "the good output should have {optional}");
        }
        out
    })
}

/// Copies the folder `from` into `to` (created), recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("copying to {}: {e}", target.display()));
        }
    }
}

/// What is at `path`, recursively: relative path → the file's bytes (`None` for a folder). The path itself is
/// `""`; nothing there gives an empty map.
pub fn snapshot(path: &Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
    fn walk(path: &Path, name: String, into: &mut std::collections::BTreeMap<String, Option<Vec<u8>>>) {
        let Ok(meta) = std::fs::symlink_metadata(path) else { return };
        if meta.is_dir() {
            for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
                let entry = entry.expect("a folder entry");
                let child = format!("{name}/{}", entry.file_name().to_string_lossy());
                walk(&entry.path(), child, into);
            }
            into.insert(name, None);
        } else {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            into.insert(name, Some(bytes));
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(path, String::new(), &mut files);
    files
}

/// The entries of `out`'s parent folder other than `out` itself, sorted, after checking that none of them is a
/// folder an output is written into or moved aside to (`.OUT.partial-PID`, `.OUT.old-PID`).
pub fn beside_out(out: &Path) -> Vec<String> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parent = out.parent().unwrap_or(Path::new("."));
    let mut entries: Vec<String> = files_in(parent).into_iter().filter(|f| *f != name).collect();
    // The system's temporary folder is shared with every other test running at the time: there, only what is
    // named after the output folder (its hidden siblings) can be ours.
    if parent == std::env::temp_dir() {
        entries.retain(|f| f.starts_with(&format!(".{name}")));
    }
    let (partial, old) = (format!(".{name}.partial-"), format!(".{name}.old-"));
    let left: Vec<&String> = entries.iter().filter(|f| f.starts_with(&partial) || f.starts_with(&old)).collect();
    assert!(left.is_empty(), "left beside {}: {left:?}", out.display());
    entries
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
