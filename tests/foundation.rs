//! Open kinds, several arena files and GeoPackage input, end to end: a fifth kind (the demo's playgrounds) gets
//! its own fields, style class and legend row without changing a gap number unless `coverage-kinds` says so;
//! arenas split over two files give the numbers of one merged file; the tool's own GeoPackage (and one written
//! by GDAL) reads back to the same numbers; bad kinds, capacities, ids and GeoPackages are exit-2 errors naming
//! the file; and the bytes written do not depend on the number of threads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Map, Value};

use crate::common::*;

/// The demo's fifth-kind config.
fn lekplatser_toml() -> PathBuf {
    repo().join("data").join("demo").join("lekplatser.toml")
}

/// The fifth-kind example as the config file's comment gives it, writing to `out`.
fn lekplats_run(out: &Path) -> Command {
    let mut cmd = arenagap();
    cmd.current_dir(repo())
        .args(["analyze", "--quiet", "--config"])
        .arg(lekplatser_toml())
        .args(["--kind", "Lekplats=lekplats", "--out"])
        .arg(out);
    cmd
}

/// The default demo run (no inputs named) from the repository folder, without map and GeoPackage.
fn default_demo_run(out: &Path) {
    run_ok(
        arenagap()
            .current_dir(repo())
            .args(["analyze", "--quiet", "--gpkg", "false", "--map", "false"])
            .arg("--out")
            .arg(out),
    );
}

/// `analyze --quiet` with the demo districts and children (counts from `children`), no map, no GeoPackage,
/// writing to `out`; the arenas are for the caller to add.
fn demo_without_arenas(out: &Path) -> Command {
    let [d, c, _] = demo();
    let mut cmd = arenagap();
    cmd.args(["analyze", "--quiet", "--gpkg", "false", "--map", "false", "--districts"])
        .arg(d)
        .arg("--children")
        .arg(c)
        .args(["--children-count", "children", "--out"])
        .arg(out);
    cmd
}

/// The rows of a CSV file, each as header → value.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = reader.headers().expect("a header").iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            header.iter().cloned().zip(r.iter().map(String::from)).collect()
        })
        .collect()
}

/// The header of a CSV file.
fn csv_header(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader.headers().expect("a header").iter().map(String::from).collect()
}

/// The row of `district_id` `id`.
fn row<'a>(rows: &'a [BTreeMap<String, String>], id: &str) -> &'a BTreeMap<String, String> {
    rows.iter().find(|r| r["district_id"] == id).unwrap_or_else(|| panic!("no district {id}"))
}

/// A numeric CSV cell.
fn cell(row: &BTreeMap<String, String>, field: &str) -> f64 {
    let v = row.get(field).unwrap_or_else(|| panic!("no column {field} in {row:?}"));
    v.parse().unwrap_or_else(|_| panic!("{field} = {v:?} is not a number"))
}

/// Asserts that every field of every row of `want` has the same value in the row of `got` with the same
/// district id (`got` may have more columns).
fn assert_rows_contain(got: &[BTreeMap<String, String>], want: &[BTreeMap<String, String>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: districts");
    for w in want {
        let g = row(got, &w["district_id"]);
        for (field, value) in w {
            assert_eq!(g.get(field), Some(value), "{what}: {} {field}", w["district_id"]);
        }
    }
}

/// Every file under `dir` (recursively), by path relative to it, with its bytes.
fn all_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).expect("under the root").to_string_lossy().replace('\\', "/");
                out.insert(name, std::fs::read(&path).expect("an output file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// The column names of a table of a GeoPackage (SQLite), in order.
fn table_columns(gpkg: &Path, table: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(gpkg, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("{}: {e}", gpkg.display()));
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")")).expect("table_info");
    let names = stmt.query_map([], |r| r.get::<_, String>(1)).expect("columns");
    names.map(|n| n.expect("a column name")).collect()
}

/// The demo arenas file, parsed.
fn demo_arenas() -> Value {
    read_json(&demo()[2])
}

/// A copy of the demo arenas collection (keeping its `crs` member) with only `features`.
fn with_features(collection: &Value, features: &[Value]) -> Value {
    let mut copy = collection.clone();
    copy["features"] = Value::Array(features.to_vec());
    copy
}

/// The properties of children.geojson's features, without the `*_id` fields.
fn children_without_ids(out: &Path) -> Vec<Map<String, Value>> {
    feature_properties(&out.join("children.geojson"))
        .into_iter()
        .map(|mut p| {
            p.retain(|k, _| !k.ends_with("_id") || k == "district_id");
            p
        })
        .collect()
}

// 1. A fifth kind, end to end.

#[test]
fn fifth_kind_end_to_end() {
    let s = Scratch::new();
    let (lek, base) = (s.path().join("lek"), s.path().join("base"));
    run_ok(&mut lekplats_run(&lek));
    default_demo_run(&base);

    // District fields, in the GeoJSON and the CSV.
    let fields = ["arenas_lekplats", "children_covered_lekplats", "mean_distance_lekplats_m"];
    let districts = read_json(&lek.join("districts.geojson"));
    assert_eq!(features(&districts).len(), 12);
    for f in features(&districts) {
        let k = keys(f);
        for field in fields {
            assert!(k.contains(&field), "districts.geojson lacks {field}: {k:?}");
        }
    }
    let header = csv_header(&lek.join("districts.csv"));
    for field in fields {
        assert!(header.iter().any(|h| h == field), "districts.csv lacks {field}: {header:?}");
    }
    // The field sits with its kind's siblings, after bemannad_lekplats.
    let at = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"));
    assert_eq!(at("arenas_lekplats"), at("arenas_bemannad_lekplats") + 1, "{header:?}");

    // Child fields.
    let children = feature_properties(&lek.join("children.geojson"));
    assert_eq!(children.len(), 3601);
    for p in &children {
        assert!(p.contains_key("nearest_lekplats_m") && p.contains_key("nearest_lekplats_id"), "{p:?}");
        assert!(text(p, "nearest_lekplats_id").starts_with("lekplatser#"), "{p:?}");
    }

    // The arenas: 24 mapped demo arenas and 14 playgrounds, with the kind's radius.
    let arenas = feature_properties(&lek.join("arenas.geojson"));
    let playgrounds: Vec<_> = arenas.iter().filter(|p| p["kind"] == "lekplats").collect();
    assert_eq!((arenas.len(), playgrounds.len()), (38, 14));
    assert!(playgrounds.iter().all(|p| number(p, "radius_m") == 500.0), "{playgrounds:?}");

    // The GeoPackage tables.
    let gpkg = lek.join("arenagap.gpkg");
    let district_columns = table_columns(&gpkg, "districts");
    for field in fields {
        assert!(district_columns.iter().any(|c| c == field), "gpkg districts lacks {field}: {district_columns:?}");
    }
    let child_columns = table_columns(&gpkg, "children");
    for field in ["nearest_lekplats_m", "nearest_lekplats_id"] {
        assert!(child_columns.iter().any(|c| c == field), "gpkg children lacks {field}: {child_columns:?}");
    }

    // A style class for the kind: in the QML, the QGIS project and the GeoPackage's layer_styles.
    let qml = std::fs::read_to_string(lek.join("styles").join("arenas.qml")).expect("styles/arenas.qml");
    assert!(qml.contains(r#"value="lekplats""#), "styles/arenas.qml has no lekplats category");
    let qgs = std::fs::read_to_string(lek.join("arenagap.qgs")).expect("arenagap.qgs");
    assert!(qgs.contains(r#"value="lekplats""#), "arenagap.qgs has no lekplats category");
    let conn = rusqlite::Connection::open_with_flags(&gpkg, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the GeoPackage opens");
    let style: String = conn
        .query_row("SELECT styleQML FROM layer_styles WHERE f_table_name = 'arenas'", [], |r| r.get(0))
        .expect("layer_styles has the arenas style");
    assert!(style.contains(r#"value="lekplats""#), "the GeoPackage's arenas style has no lekplats category");

    // A legend row on the map, with the count.
    let svg = std::fs::read_to_string(lek.join("map.svg")).expect("map.svg");
    assert!(svg.contains("Lekplats (14)"), "map.svg has no 'Lekplats (14)' legend row");
    assert!(svg.contains("(playground, unstaffed)"), "map.svg has no English legend label");

    // lekplats is not a coverage kind: no gap number changes. Every default field keeps its value.
    let (lek_rows, base_rows) = (csv_rows(&lek.join("districts.csv")), csv_rows(&base.join("districts.csv")));
    assert_rows_contain(&lek_rows, &base_rows, "lekplats run vs default run");
    assert_eq!(
        std::fs::read(lek.join("gaps.geojson")).expect("gaps.geojson"),
        std::fs::read(base.join("gaps.geojson")).expect("gaps.geojson"),
        "gaps.geojson differs"
    );
    // And every child's default fields too.
    let base_children = feature_properties(&base.join("children.geojson"));
    assert_eq!(base_children.len(), children.len());
    for (b, l) in base_children.iter().zip(&children) {
        for (k, v) in b {
            assert_eq!(l.get(k), Some(v), "child field {k}: {b:?} vs {l:?}");
        }
    }

    // The playgrounds are measured even so: D01 (no arena of a coverage kind) has children near them.
    let d01 = row(&lek_rows, "D01");
    assert_eq!(cell(d01, "children_covered"), 0.0, "{d01:?}");
    assert_eq!(cell(d01, "arenas_lekplats"), 3.0, "{d01:?}");
    assert!(cell(d01, "children_covered_lekplats") > 0.0, "{d01:?}");
    assert!(lek_rows.iter().map(|r| cell(r, "children_covered_lekplats")).sum::<f64>() > 0.0);
}

// 2. coverage-kinds lets the fifth kind count.

#[test]
fn coverage_kinds_changes_the_numbers_when_asked() {
    let s = Scratch::new();
    let (lek, all) = (s.path().join("lek"), s.path().join("all"));
    run_ok(lekplats_run(&lek).args(["--gpkg", "false", "--map", "false"]));
    run_ok(lekplats_run(&all).args([
        "--gpkg",
        "false",
        "--map",
        "false",
        "--coverage-kinds",
        "familjecentral,oppen_forskola,bibliotek,bemannad_lekplats,lekplats",
    ]));
    let (lek_rows, all_rows) = (csv_rows(&lek.join("districts.csv")), csv_rows(&all.join("districts.csv")));

    // D01 has only playgrounds: not covered at all before, mostly covered now, and no longer the worst gap.
    let (before, after) = (row(&lek_rows, "D01"), row(&all_rows, "D01"));
    assert_eq!(cell(before, "children_covered"), 0.0);
    assert_eq!(cell(before, "gap_rank"), 1.0);
    assert!(cell(after, "children_covered") > 0.0, "{after:?}");
    // Within 1000 m ("any") includes within the playgrounds' own 500 m.
    assert!(cell(after, "children_covered") >= cell(after, "children_covered_lekplats"), "{after:?}");
    assert!(cell(after, "children_covered") > cell(after, "children") / 2.0, "{after:?}");
    assert_eq!(cell(after, "arenas_total"), 3.0, "the playgrounds count as arenas now: {after:?}");
    assert!(cell(after, "gap_rank") > 1.0, "{after:?}");
    // The playgrounds are D01's nearest arenas, so the mean distance to any arena is theirs.
    assert_eq!(after["mean_distance_m"], before["mean_distance_lekplats_m"]);

    // More arenas counting never makes anything worse; the per-kind numbers do not move.
    for b in &lek_rows {
        let a = row(&all_rows, &b["district_id"]);
        assert!(cell(a, "children_covered") >= cell(b, "children_covered"), "{b:?} -> {a:?}");
        assert!(cell(a, "mean_distance_m") <= cell(b, "mean_distance_m"), "{b:?} -> {a:?}");
        assert_eq!(cell(a, "arenas_total"), cell(b, "arenas_total") + cell(b, "arenas_lekplats"), "{a:?}");
        // Per-kind fields (arenas_<kind>, children_covered_<kind>, mean_distance_<kind>_m) of all five kinds.
        for kind in ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats", "lekplats"] {
            for field in
                [format!("arenas_{kind}"), format!("children_covered_{kind}"), format!("mean_distance_{kind}_m")]
            {
                assert_eq!(a[&field], b[&field], "{} {field}", b["district_id"]);
            }
        }
    }
    // Some district changed its coverage besides D01 (the playgrounds are spread over the city).
    let changed = lek_rows
        .iter()
        .filter(|b| {
            b["district_id"] != "D01" && row(&all_rows, &b["district_id"])["children_covered"] != b["children_covered"]
        })
        .count();
    assert!(changed > 0);
}

// 3. Several arena files.

#[test]
fn two_arena_files_equal_one_merged_file() {
    let s = Scratch::new();
    let merged = demo_arenas();
    let all = features(&merged).to_vec();
    assert_eq!(all.len(), 25);
    let a = s.write_json("a.geojson", &with_features(&merged, &all[..12]));
    let b = s.write_json("b.geojson", &with_features(&merged, &all[12..]));
    assert!(read_json(&a)["crs"].is_object(), "the split keeps the crs member");

    let (one, two, listed) = (s.path().join("one"), s.path().join("two"), s.path().join("listed"));
    run_ok(demo_without_arenas(&one).arg("--arenas").arg(&demo()[2]));
    run_ok(demo_without_arenas(&two).arg("--arenas").arg(&a).arg("--arenas").arg(&b));
    let config = s.write("arenas.toml", "arenas = [\"a.geojson\", { path = \"b.geojson\" }]\n");
    run_ok(demo_without_arenas(&listed).arg("--config").arg(&config));

    for (out, what) in [(&two, "two files (flags)"), (&listed, "two files (config list)")] {
        for file in ["districts.csv", "gaps.geojson"] {
            assert!(
                std::fs::read(out.join(file)).expect("written") == std::fs::read(one.join(file)).expect("written"),
                "{what}: {file} differs from the merged file's"
            );
        }
        // The children's distances and nearest names are the same; only the ids (file-stem based) differ.
        assert_eq!(children_without_ids(out), children_without_ids(&one), "{what}: children.geojson");
        let ids: Vec<String> = feature_properties(&out.join("children.geojson"))
            .iter()
            .map(|p| text(p, "nearest_any_id").to_string())
            .collect();
        assert!(ids.iter().all(|id| id.starts_with("a#") || id.starts_with("b#")), "{what}: {:?}", &ids[..5]);
        assert!(ids.iter().any(|id| id.starts_with("a#")) && ids.iter().any(|id| id.starts_with("b#")));
        // The arenas of the second file are numbered from 0 in it: the merged file's feature 12 is b#0.
        let arenas = feature_properties(&out.join("arenas.geojson"));
        let one_arenas = feature_properties(&one.join("arenas.geojson"));
        assert_eq!(arenas.len(), one_arenas.len());
        for (got, want) in arenas.iter().zip(&one_arenas) {
            let n: usize = text(want, "arena_id").strip_prefix("arenas#").expect("a default id").parse().expect("n");
            let expected = if n < 12 { format!("a#{n}") } else { format!("b#{}", n - 12) };
            assert_eq!(text(got, "arena_id"), expected, "{what}");
            assert_eq!(got["name"], want["name"], "{what}");
        }
    }

    // Ids from a field: each feature gets a unique id, not in feature order.
    let ids: Vec<String> = (0..all.len()).map(|i| format!("A-{:03}", 500 - 7 * i)).collect();
    let mut with_ids = merged.clone();
    for (f, id) in with_ids["features"].as_array_mut().expect("features").iter_mut().zip(&ids) {
        f["properties"]["id"] = json!(id);
    }
    let file = s.write_json("arenas_with_ids.geojson", &with_ids);
    let named = s.path().join("named");
    run_ok(demo_without_arenas(&named).arg("--arenas").arg(&file).args(["--arena-id", "id"]));
    let id_of_default = |default: &str| -> String {
        let n: usize = default.strip_prefix("arenas#").expect("a default id").parse().expect("a feature number");
        ids[n].clone()
    };
    let (got, want) =
        (feature_properties(&named.join("children.geojson")), feature_properties(&one.join("children.geojson")));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        for (k, v) in w {
            if k.starts_with("nearest_") && k.ends_with("_id") {
                assert_eq!(g[k], json!(id_of_default(v.as_str().expect("an id"))), "{k}: {g:?}");
            } else {
                assert_eq!(&g[k], v, "{k}");
            }
        }
    }
    let (got, want) =
        (feature_properties(&named.join("arenas.geojson")), feature_properties(&one.join("arenas.geojson")));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(text(g, "arena_id"), id_of_default(text(w, "arena_id")), "{g:?}");
    }
}

/// Equally near arenas: the first one (files in order, then features) is the nearest.
#[test]
fn ties_go_to_the_first_file_then_the_first_feature() {
    let s = Scratch::new();
    let [d, c, _] = mini_city(&s);
    let at = (X0 + 1000.0, Y0 + 1000.0);
    let first = s.write_json(
        "first.geojson",
        &collection(
            Some(3006),
            vec![arena("Första A", "Bibliotek", at.0, at.1), arena("Första B", "Bibliotek", at.0, at.1)],
        ),
    );
    let second = s.write_json("second.geojson", &collection(Some(3006), vec![arena("Andra", "Bibliotek", at.0, at.1)]));
    for (files, want) in [([&first, &second], "Första A"), ([&second, &first], "Andra")] {
        let out = s.path().join(format!("out-{want}"));
        let mut cmd = arenagap();
        cmd.args(["analyze", "--quiet", "--gpkg", "false", "--map", "false", "--districts"])
            .arg(&d)
            .arg("--children")
            .arg(&c)
            .args(["--children-count", "children", "--out"])
            .arg(&out);
        for f in files {
            cmd.arg("--arenas").arg(f);
        }
        run_ok(&mut cmd);
        for p in feature_properties(&out.join("children.geojson")) {
            assert_eq!(text(&p, "nearest_any_name"), want, "{p:?}");
            assert_eq!(p["nearest_any_id"], p["nearest_bibliotek_id"], "{p:?}");
        }
    }
}

// 4. GeoPackage input.

#[test]
fn demo_as_geopackage_input() {
    let s = Scratch::new();
    let base = s.path().join("base");
    run_ok(arenagap().current_dir(repo()).args(["analyze", "--quiet", "--map", "false", "--out"]).arg(&base));
    let gpkg = base.join("arenagap.gpkg");

    // (a) The tool's own GeoPackage, read back.
    let again = s.path().join("again");
    run_ok(
        arenagap()
            .args(["analyze", "--quiet", "--gpkg", "false", "--map", "false"])
            .arg("--districts")
            .arg(&gpkg)
            .args([
                "--districts-layer",
                "districts",
                "--district-id",
                "district_id",
                "--district-name",
                "district_name",
            ])
            .arg("--children")
            .arg(&gpkg)
            .args(["--children-layer", "children", "--children-count", "children"])
            .arg("--arenas")
            .arg(&gpkg)
            .args(["--arenas-layer", "arenas", "--arena-id", "arena_id"])
            .arg("--out")
            .arg(&again),
    );
    assert_eq!(csv_rows(&again.join("districts.csv")), csv_rows(&base.join("districts.csv")), "districts.csv");
    let (got, want) =
        (feature_properties(&again.join("children.geojson")), feature_properties(&base.join("children.geojson")));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["nearest_any_id"], w["nearest_any_id"], "{g:?}");
        assert_eq!(g["nearest_any_m"], w["nearest_any_m"], "{g:?}");
    }

    // (b) A GeoPackage written by GDAL, three layers in one file.
    if std::process::Command::new("ogr2ogr").arg("--version").output().is_err() {
        if std::env::var_os("CI").is_some() {
            panic!("ogr2ogr is not installed, and CI is set: CI must install gdal-bin");
        }
        eprintln!("SKIPPED: ogr2ogr not installed (demo_as_geopackage_input part b)");
        return;
    }
    let demo_gpkg = s.path().join("demo.gpkg");
    for (i, (layer, path)) in ["districts", "children", "arenas"].iter().zip(demo()).enumerate() {
        let mut cmd = std::process::Command::new("ogr2ogr");
        cmd.args(["-f", "GPKG"]);
        if i > 0 {
            cmd.arg("-update");
        }
        let status = cmd.arg(&demo_gpkg).arg(&path).args(["-nln", layer]).status().expect("ogr2ogr runs");
        assert!(status.success(), "ogr2ogr {layer}: {status}");
    }
    let gdal = s.path().join("gdal");
    run_ok(
        arenagap()
            .args(["analyze", "--quiet", "--gpkg", "false", "--map", "false"])
            .arg("--districts")
            .arg(&demo_gpkg)
            .args(["--districts-layer", "districts", "--children"])
            .arg(&demo_gpkg)
            .args(["--children-layer", "children", "--children-count", "children", "--arenas"])
            .arg(&demo_gpkg)
            .args(["--arenas-layer", "arenas", "--out"])
            .arg(&gdal),
    );
    assert_eq!(csv_rows(&gdal.join("districts.csv")), csv_rows(&base.join("districts.csv")), "GDAL districts.csv");
    // Default ids are `<file stem>#<fid>`; GDAL numbers fids from 1, the GeoJSON from 0.
    let got = feature_properties(&gdal.join("children.geojson"));
    for (g, w) in got.iter().zip(&want) {
        let n: usize = text(w, "nearest_any_id").strip_prefix("arenas#").expect("a default id").parse().expect("n");
        assert_eq!(text(g, "nearest_any_id"), format!("demo#{}", n + 1), "{g:?}");
    }
}

// 5. Bad input.

#[test]
fn unknown_coverage_kind() {
    let s = Scratch::new();
    let stderr = assert_bad_input(
        arenagap()
            .current_dir(repo())
            .args(["analyze", "--quiet", "--coverage-kinds", "familjecentral,lek"])
            .arg("--out")
            .arg(s.out()),
        "coverage-kinds",
        &s.out(),
    );
    assert_says(&stderr, &["'lek' is not a kind", "familjecentral, oppen_forskola, bibliotek, bemannad_lekplats"]);

    // The same in a config file, which is then named.
    let config = s.write("coverage.toml", "coverage-kinds = [\"familjecentral\", \"lek\"]\n");
    let stderr = assert_bad_input(
        arenagap().current_dir(repo()).args(["analyze", "--quiet", "--config"]).arg(&config).arg("--out").arg(s.out()),
        "coverage.toml",
        &s.out(),
    );
    assert_says(&stderr, &["coverage-kinds", "'lek' is not a kind"]);
}

#[test]
fn kind_mapping_to_an_unknown_kind() {
    let s = Scratch::new();
    let stderr = assert_bad_input(
        arenagap().current_dir(repo()).args(["analyze", "--quiet", "--kind", "X=nope"]).arg("--out").arg(s.out()),
        "'nope'",
        &s.out(),
    );
    assert_says(&stderr, &["--kind \"X=nope\"", "is not a kind", "bemannad_lekplats"]);
}

/// A config in the scratch folder with the demo districts and children, `arenas` (a TOML value) and `extra` TOML,
/// and the command that runs it.
fn demo_config(s: &Scratch, name: &str, arenas: &str, extra: &str) -> Command {
    let [d, c, _] = demo();
    let toml = format!(
        "districts = {:?}\nchildren = {:?}\nchildren-count = \"children\"\narenas = {arenas}\ngpkg = false\n\
         map = false\n{extra}",
        d.display().to_string(),
        c.display().to_string(),
    );
    let config = s.write(name, toml);
    let mut cmd = arenagap();
    cmd.args(["analyze", "--quiet", "--config"]).arg(config).arg("--out").arg(s.out());
    cmd
}

#[test]
fn bad_kind_tables() {
    let s = Scratch::new();
    let a = format!("{:?}", demo()[2].display().to_string());
    // The demo runs with a valid extra kind (the guard against a test that fails for another reason).
    run_ok(&mut demo_config(&s, "ok.toml", &a, "[kinds.lek]\nlabel-sv = \"Lek\"\nradius = 400\n"));
    let _ = std::fs::remove_dir_all(s.out());

    let stderr = assert_bad_input(
        &mut demo_config(&s, "upper.toml", &a, "[kinds.Lek]\nlabel-sv = \"Lek\"\n"),
        "upper.toml",
        &s.out(),
    );
    assert_says(&stderr, &["[kinds.Lek]", "'Lek' is not a usable kind id"]);

    let stderr = assert_bad_input(
        &mut demo_config(&s, "key.toml", &a, "[kinds.lek]\nlabel-sv = \"Lek\"\nfarg = \"#ff0000\"\n"),
        "key.toml",
        &s.out(),
    );
    assert_says(&stderr, &["farg", "label-sv", "colour"]);

    let stderr = assert_bad_input(
        &mut demo_config(&s, "radius.toml", &a, "[kinds.lek]\nlabel-sv = \"Lek\"\nradius = -5\n"),
        "radius.toml",
        &s.out(),
    );
    assert_says(&stderr, &["[kinds.lek]", "radius", "-5"]);
}

#[test]
fn bad_capacities_name_the_file_and_feature() {
    let s = Scratch::new();
    let [d, c, _] = mini_city(&s);
    let arenas_with = |cap: Value| {
        let mut good = arena("Biblioteket", "Bibliotek", X0 + 1000.0, Y0 + 1000.0);
        good["properties"]["cap"] = json!(12);
        let mut bad = arena("Familjecentralen", "Familjecentral", X0 + 3000.0, Y0 + 1000.0);
        bad["properties"]["cap"] = cap;
        collection(Some(3006), vec![good, bad])
    };
    // A good capacity passes, and is written.
    let path = s.write_json("arenas.geojson", &arenas_with(json!(3.5)));
    run_ok(analyze(&d, &c, &path, &s.out()).args(["--arena-capacity", "cap", "--gpkg", "false", "--map", "false"]));
    let caps: Vec<f64> =
        feature_properties(&s.out().join("arenas.geojson")).iter().map(|p| number(p, "capacity")).collect();
    assert_eq!(caps, [12.0, 3.5]);
    let _ = std::fs::remove_dir_all(s.out());

    for (cap, says) in [
        (json!(-1), "field 'cap' is negative (-1)"),
        (json!("NaN"), "field 'cap' is not a number: 'NaN'"),
        (json!("många"), "field 'cap' is not a number: 'många'"),
    ] {
        let path = s.write_json("arenas.geojson", &arenas_with(cap));
        let stderr = assert_bad_input(
            analyze(&d, &c, &path, &s.out()).args(["--arena-capacity", "cap"]),
            "arenas.geojson",
            &s.out(),
        );
        assert_says(&stderr, &["arenas.geojson, feature 1: ", says]);
    }
}

#[test]
fn duplicate_arena_ids() {
    let s = Scratch::new();
    let [d, c, _] = mini_city(&s);
    let with_id = |name: &str, id: &str, x: f64| {
        let mut a = arena(name, "Bibliotek", x, Y0 + 1000.0);
        a["properties"]["id"] = json!(id);
        a
    };
    // Within one file.
    let one = s.write_json(
        "one.geojson",
        &collection(
            Some(3006),
            vec![with_id("A", "B-1", X0 + 500.0), with_id("B", "B-2", X0 + 900.0), with_id("C", "B-1", X0 + 1500.0)],
        ),
    );
    let stderr = assert_bad_input(analyze(&d, &c, &one, &s.out()).args(["--arena-id", "id"]), "one.geojson", &s.out());
    assert_says(&stderr, &["one.geojson, feature 2: duplicate arena id 'B-1'", "one.geojson, feature 0)"]);

    // Across two files: both are named.
    let first = s.write_json("forsta.geojson", &collection(Some(3006), vec![with_id("A", "X-1", X0 + 500.0)]));
    let second = s.write_json(
        "andra.geojson",
        &collection(Some(3006), vec![with_id("B", "X-2", X0 + 900.0), with_id("C", "X-1", X0 + 2500.0)]),
    );
    let stderr = assert_bad_input(
        analyze(&d, &c, &first, &s.out()).arg("--arenas").arg(&second).args(["--arena-id", "id"]),
        "andra.geojson",
        &s.out(),
    );
    assert_says(&stderr, &["andra.geojson, feature 1: duplicate arena id 'X-1'", "forsta.geojson, feature 0)"]);
}

#[test]
fn bad_arenas_list_entries() {
    let s = Scratch::new();
    let a = demo()[2].display().to_string();
    let stderr = assert_bad_input(
        &mut demo_config(&s, "kid.toml", &format!("[{{ path = {a:?}, kid = \"bibliotek\" }}]"), ""),
        "kid.toml",
        &s.out(),
    );
    assert_says(&stderr, &["kid", "arena-kind"]);

    let stderr = assert_bad_input(
        &mut demo_config(&s, "skola.toml", &format!("[{{ path = {a:?}, kind = \"skola\" }}]"), ""),
        "arenas.geojson",
        &s.out(),
    );
    assert_says(&stderr, &["'skola' is not a kind", "bemannad_lekplats"]);
}

/// A copy of `gpkg` with only the feature tables `keep` (the others dropped, with their R-trees and metadata).
fn gpkg_with_only(gpkg: &Path, copy: &Path, keep: &[&str]) {
    std::fs::copy(gpkg, copy).expect("copying the GeoPackage");
    let conn = rusqlite::Connection::open(copy).expect("the copy opens");
    let tables: Vec<String> = {
        let mut stmt = conn.prepare("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").expect("sql");
        stmt.query_map([], |r| r.get(0)).expect("query").map(|t| t.expect("a name")).collect()
    };
    for table in tables.iter().filter(|t| !keep.contains(&t.as_str())) {
        conn.execute_batch(&format!(
            "DELETE FROM layer_styles WHERE f_table_name = '{table}';
             DELETE FROM gpkg_extensions WHERE table_name = '{table}';
             DELETE FROM gpkg_geometry_columns WHERE table_name = '{table}';
             DELETE FROM gpkg_contents WHERE table_name = '{table}';
             DROP TABLE IF EXISTS \"rtree_{table}_geom\"; DROP TABLE \"{table}\";"
        ))
        .unwrap_or_else(|e| panic!("dropping {table}: {e}"));
    }
}

#[test]
fn bad_geopackages() {
    let s = Scratch::new();
    let base = s.path().join("base");
    run_ok(arenagap().current_dir(repo()).args(["analyze", "--quiet", "--map", "false", "--out"]).arg(&base));
    let two = s.path().join("two.gpkg");
    gpkg_with_only(&base.join("arenagap.gpkg"), &two, &["children", "arenas"]);
    // The copy is a good GeoPackage: its arenas table reads.
    run_ok(analyze_demo_with(2, &two, &s.out()).args([
        "--arenas-layer",
        "arenas",
        "--gpkg",
        "false",
        "--map",
        "false",
    ]));
    let _ = std::fs::remove_dir_all(s.out());

    // Two tables, none named.
    let stderr = assert_bad_input(&mut analyze_demo_with(2, &two, &s.out()), "two.gpkg", &s.out());
    assert_says(&stderr, &["has 2 layers (children, arenas)", "--arenas-layer"]);

    // A table that is not there.
    let stderr =
        assert_bad_input(analyze_demo_with(2, &two, &s.out()).args(["--arenas-layer", "nope"]), "two.gpkg", &s.out());
    assert_says(&stderr, &["has no layer 'nope'", "its layers are: children, arenas"]);

    // A corrupt geometry blob in the arenas table.
    let corrupt = s.path().join("corrupt.gpkg");
    std::fs::copy(base.join("arenagap.gpkg"), &corrupt).expect("copying");
    {
        let conn = rusqlite::Connection::open(&corrupt).expect("opens");
        let column: String = conn
            .query_row("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 'arenas'", [], |r| r.get(0))
            .expect("the geometry column");
        // The R-tree triggers call GeoPackage SQL functions plain SQLite does not have.
        let triggers: Vec<String> = {
            let mut stmt = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'arenas'")
                .expect("sql");
            stmt.query_map([], |r| r.get(0)).expect("query").map(|t| t.expect("a name")).collect()
        };
        for t in triggers {
            conn.execute_batch(&format!("DROP TRIGGER \"{t}\"")).expect("drop trigger");
        }
        let changed = conn
            .execute(&format!("UPDATE arenas SET \"{column}\" = X'4750000100000000DEADBEEF' WHERE fid = 3"), [])
            .expect("update");
        assert_eq!(changed, 1);
    }
    let stderr = assert_bad_input_at(
        analyze_demo_with(2, &corrupt, &s.out()).args(["--arenas-layer", "arenas"]),
        "corrupt.gpkg",
        "layer 'arenas', fid 3",
        &s.out(),
    );
    assert_says(&stderr, &["geometry blob does not decode"]);
}

// 6. Threads.

#[test]
fn same_bytes_with_one_and_two_threads() {
    let s = Scratch::new();
    // One output path for both runs (run.json records it); the first run's folder is moved aside.
    run_ok(lekplats_run(&s.out()).env("RAYON_NUM_THREADS", "1"));
    let one = s.path().join("one-thread");
    std::fs::rename(s.out(), &one).expect("moving the first run aside");
    run_ok(lekplats_run(&s.out()).env("RAYON_NUM_THREADS", "2"));
    let (a, b) = (all_files(&one), all_files(&s.out()));
    assert!(a.contains_key("styles/arenas.qml") && a.contains_key("arenagap.gpkg") && a.contains_key("map.png"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between 1 and 2 threads");
    }
}

/// `arena-exclude` leaves single arenas out, by name or id, as if they were not in the file; run.json lists them,
/// and the run equals one on a file without them.
#[test]
fn arena_exclude_leaves_arenas_out_as_if_they_were_not_there() {
    let s = Scratch::new();
    let [districts, children, arenas] = demo();
    let config = s.write(
        "exclude.toml",
        "arena-exclude = [\n  \"Åkervallens bibliotek\",  # by name\n  \"arenas#1\",  # by id: Källbäckens familjecentral\n]\n",
    );
    let (with, without) = (s.path().join("with"), s.path().join("without"));
    run_ok(
        analyze_with_count(&districts, &children, &arenas, &with, "children")
            .args(["--gpkg", "false", "--map", "false", "--config"])
            .arg(&config),
    );
    let run = read_json(&with.join("run.json"));
    let excluded: Vec<(&str, &str)> = run["counts"]["arenas_excluded"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(excluded, [("arenas#3", "Åkervallens bibliotek"), ("arenas#1", "Källbäckens familjecentral")]);
    let layer = read_json(&with.join("arenas.geojson"));
    let names: Vec<&str> = features(&layer).iter().map(|f| f["properties"]["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"Åkervallens bibliotek") && !names.contains(&"Källbäckens familjecentral"));

    // The same run on a copy of the file without the two features (ids kept: the file stem and feature number).
    let mut file = read_json(&arenas);
    let kept: Vec<Value> = features(&file)
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1 && *i != 3)
        .map(|(i, f)| {
            let mut f = f.clone();
            f["properties"]["id"] = json!(format!("arenas#{i}"));
            f
        })
        .collect();
    file["features"] = Value::Array(kept);
    let dir = s.path().join("copy");
    std::fs::create_dir(&dir).expect("a folder");
    let copy = dir.join("arenas.geojson");
    std::fs::write(&copy, serde_json::to_vec(&file).unwrap()).unwrap();
    run_ok(analyze_with_count(&districts, &children, &copy, &without, "children").args([
        "--gpkg",
        "false",
        "--map",
        "false",
        "--arena-id",
        "id",
    ]));
    for layer in ["districts.geojson", "gaps.geojson", "children.geojson", "districts.csv"] {
        assert_eq!(
            std::fs::read(with.join(layer)).unwrap(),
            std::fs::read(without.join(layer)).unwrap(),
            "{layer}: excluding arenas equals leaving them out of the file"
        );
    }
}
