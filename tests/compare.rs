//! `arenagap compare` against `analyze` run on the modified inputs: on seeded random scenarios of the demo city
//! (arenas added, closed, both; another population), every "after" number of the comparison is the number analyze
//! gives on the scenario's own files, and every "before" number is the baseline's, exactly as written.

use std::collections::HashMap;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::common::{arenagap, demo, Scratch};

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn features(v: &Value) -> &Vec<Value> {
    v["features"].as_array().expect("a FeatureCollection")
}

/// The inputs of both commands: the demo's districts, `children` (counts from `count`) and `arenas`.
fn inputs(cmd: &mut assert_cmd::Command, children: &Path, count: &str, arenas: &Path) {
    let [districts, _, _] = demo();
    cmd.args(["--quiet", "--map", "false", "--gpkg", "false", "--districts"])
        .arg(districts)
        .arg("--children")
        .arg(children)
        .args(["--children-count", count, "--arenas"])
        .arg(arenas);
}

fn analyze(children: &Path, count: &str, arenas: &Path, out: &Path) {
    let mut cmd = arenagap();
    cmd.arg("analyze");
    inputs(&mut cmd, children, count, arenas);
    cmd.arg("--out").arg(out).assert().success();
}

/// Per district id, its properties.
fn by_district(layer: &Value) -> HashMap<String, Value> {
    features(layer)
        .iter()
        .map(|f| (f["properties"]["district_id"].as_str().unwrap().to_string(), f["properties"].clone()))
        .collect()
}

/// A child point's compared values in children.geojson: coverage, the nearest distance of any kind and of each.
fn child_values(p: &Value) -> Vec<Value> {
    let mut v = vec![p["covered"].clone(), p["nearest_any_m"].clone(), p["children"].clone()];
    for k in ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"] {
        v.push(p[format!("nearest_{k}_m")].clone());
    }
    v
}

/// The same values on one side of children_diff.geojson.
fn diff_values(p: &Value, side: &str) -> Vec<Value> {
    let mut v = vec![p[format!("covered_{side}")].clone(), p[format!("nearest_any_m_{side}")].clone()];
    v.push(p[format!("children_{side}")].clone());
    for k in ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"] {
        v.push(p[format!("nearest_{k}_m_{side}")].clone());
    }
    v
}

/// A child point's values before and after.
type Pair = (Vec<Value>, Vec<Value>);

fn key(f: &Value) -> String {
    f["geometry"]["coordinates"].to_string()
}

/// Checks one scenario's folder against analyze's outputs for the baseline and the scenario.
fn check(folder: &Path, base: &Path, modified: &Path, added: usize, closed: usize, what: &str) {
    let diff = by_district(&read(&folder.join("districts_diff.geojson")));
    let (before, after) =
        (by_district(&read(&base.join("districts.geojson"))), by_district(&read(&modified.join("districts.geojson"))));
    assert_eq!(diff.len(), before.len(), "{what}");
    for (id, d) in &diff {
        for field in ["children", "children_covered", "coverage_share", "mean_distance_m", "gap_score", "gap_rank"] {
            assert_eq!(d[format!("{field}_before")], before[id][field], "{what}: {id} {field} before");
            assert_eq!(d[format!("{field}_after")], after[id][field], "{what}: {id} {field} after");
        }
        assert_eq!(d["has_familjecentral_before"], before[id]["has_familjecentral"], "{what}: {id}");
        assert_eq!(d["has_familjecentral_after"], after[id]["has_familjecentral"], "{what}: {id}");
    }
    // Every child point whose values differ between the two analyze runs is in children_diff with both sides,
    // and nothing else is.
    let (b, a) = (read(&base.join("children.geojson")), read(&modified.join("children.geojson")));
    let (b, a) = (features(&b), features(&a));
    assert_eq!(b.len(), a.len(), "{what}: the same points");
    let mut changed: HashMap<String, Vec<Pair>> = HashMap::new();
    for (x, y) in b.iter().zip(a) {
        assert_eq!(key(x), key(y));
        let (vb, va) = (child_values(&x["properties"]), child_values(&y["properties"]));
        if vb != va {
            changed.entry(key(x)).or_default().push((vb, va));
        }
    }
    let children = read(&folder.join("children_diff.geojson"));
    let listed = features(&children);
    assert_eq!(listed.len(), changed.values().map(Vec::len).sum::<usize>(), "{what}: changed points");
    for f in listed {
        let p = &f["properties"];
        let pair = (diff_values(p, "before"), diff_values(p, "after"));
        let at = changed.get_mut(&key(f)).unwrap_or_else(|| panic!("{what}: {} did not change", key(f)));
        let k = at.iter().position(|x| *x == pair).unwrap_or_else(|| panic!("{what}: {pair:?} not in {at:?}"));
        at.remove(k);
    }
    let arenas = read(&folder.join("arenas.geojson"));
    let status = |s: &str| features(&arenas).iter().filter(|f| f["properties"]["status"] == s).count();
    assert_eq!((status("added"), status("closed")), (added, closed), "{what}");
}

#[test]
fn compare_equals_analyze_on_the_modified_inputs() {
    let scratch = Scratch::new();
    let [_, children, arenas] = demo();
    let base_arenas = read(&arenas);
    // Another population: the same points with other counts (some zero), as a forecast column would give.
    let mut forecast = read(&children);
    let mut rng = ChaCha8Rng::seed_from_u64(2030);
    for f in forecast["features"].as_array_mut().unwrap() {
        let c = f["properties"]["children"].as_f64().unwrap();
        let factor: f64 = if rng.random_bool(0.1) { 0.0 } else { rng.random_range(0.5..2.0) };
        f["properties"]["children_2030"] = json!((c * factor).round());
    }
    let forecast_path = scratch.write_json("children_2030.geojson", &forecast);
    let children = forecast_path.clone();
    let base_out = scratch.path().join("base");
    analyze(&children, "children", &arenas, &base_out);

    let kinds = ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"];
    let arena_count = features(&base_arenas).len();
    for round in 0..8 {
        let (adds, closes) = match round % 4 {
            0 => (rng.random_range(1..4), 0),
            1 => (0, rng.random_range(1..5)),
            2 => (rng.random_range(1..3), rng.random_range(1..3)),
            _ => (1, 1),
        };
        let population = round >= 6;
        // Feature 0 is the school, which the demo leaves out (no kind): close only real arenas.
        let mut closed: Vec<usize> =
            rand::seq::index::sample(&mut rng, arena_count - 1, closes).iter().map(|i| i + 1).collect();
        closed.sort_unstable();
        let mut toml = format!("name = \"Scenario {round}\"\n");
        if population {
            toml.push_str("children-count = \"children_2030\"\n");
        }
        toml.push_str(&format!(
            "close = [{}]\n",
            closed.iter().map(|i| format!("\"arenas#{i}\"")).collect::<Vec<_>>().join(", ")
        ));
        let mut modified = base_arenas.clone();
        let list = modified["features"].as_array_mut().unwrap();
        for &i in closed.iter().rev() {
            list.remove(i);
        }
        for j in 0..adds {
            // Inside the demo's extent, on a 100 m lattice (ties with existing arenas happen), some beyond it.
            let x = (rng.random_range(306_000.0..333_000.0f64) / 100.0).round() * 100.0;
            let y = (rng.random_range(6_384_000.0..6_411_000.0f64) / 100.0).round() * 100.0;
            let kind = kinds[rng.random_range(0..kinds.len())];
            toml.push_str(&format!("[[add]]\nname = \"Ny {j}\"\nkind = \"{kind}\"\nx = {x}\ny = {y}\n"));
            list.push(json!({"type": "Feature", "properties": {"name": format!("Ny {j}"), "kind": kind},
                             "geometry": {"type": "Point", "coordinates": [x, y]}}));
        }
        let scenario = scratch.write(&format!("scenario{round}.toml"), &toml);
        let modified_path = scratch.write_json(&format!("arenas{round}.geojson"), &modified);
        let modified_out = scratch.path().join(format!("modified{round}"));
        analyze(&children, if population { "children_2030" } else { "children" }, &modified_path, &modified_out);
        let out = scratch.path().join(format!("compare{round}"));
        let mut cmd = arenagap();
        cmd.arg("compare").arg("--scenario").arg(&scenario);
        inputs(&mut cmd, &children, "children", &arenas);
        cmd.arg("--out").arg(&out).assert().success();
        let folder = out.join(format!("scenario-{round}"));
        check(&folder, &base_out, &modified_out, adds, closes, &format!("round {round}:\n{toml}"));
        let table = std::fs::read_to_string(out.join("scenarios.csv")).unwrap();
        assert!(
            table
                .lines()
                .nth(1)
                .unwrap()
                .starts_with(&format!("Scenario {round},scenario-{round},{adds},{closes},{population},")),
            "{table}"
        );
    }
}
