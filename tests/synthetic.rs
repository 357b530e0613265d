//! The shared benchmark's synthetic city (`../shared/bench/make_synthetic.py`, numpy), at 10,000 points: the
//! input on which geo 0.33's polygon overlay (i_overlay 4) looped forever while cutting a gap zone, so that
//! `analyze` never returned. Now it must finish, and its gap zones must keep every arena outside them.

use std::path::PathBuf;
use std::process::Command as Process;
use std::time::Duration;

use geo::{Contains, MultiPolygon, Point};
use serde_json::Value;

use crate::common::{arenagap, Scratch};

/// The generator script, or `None` (with a message; a failure under CI) when it or numpy is missing.
fn generator(test: &str) -> Option<PathBuf> {
    let script = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/make_synthetic.py"));
    let numpy = Process::new("python3").args(["-c", "import numpy"]).status().is_ok_and(|s| s.success());
    if script.is_file() && numpy {
        return Some(script);
    }
    let why = format!("{test}: needs {} and python3 with numpy", script.display());
    assert!(std::env::var_os("CI").is_none(), "{why}, and CI is set (.ci/run installs python3-numpy)");
    eprintln!("SKIPPED {why}");
    None
}

fn read(path: PathBuf) -> Value {
    serde_json::from_slice(&std::fs::read(&path).expect("output written")).expect("valid JSON")
}

#[test]
fn the_synthetic_city_that_hung_the_overlay_is_cut_into_zones_with_no_arena_inside() {
    let Some(script) = generator("the_synthetic_city_that_hung_the_overlay") else { return };
    let scratch = Scratch::new();
    let city = scratch.path().join("syn10k");
    let made = Process::new("python3")
        .arg(&script)
        .arg(&city)
        .args(["--children", "10000", "--arenas", "200", "--districts", "100", "--seed", "1"])
        .output()
        .expect("python3 runs");
    assert!(made.status.success(), "make_synthetic.py failed: {}", String::from_utf8_lossy(&made.stderr));

    let out = scratch.out();
    arenagap()
        .args(["analyze", "--quiet", "--crs", "EPSG:3006", "--children-count", "children", "--map", "false"])
        .arg("--districts")
        .arg(city.join("districts.geojson"))
        .arg("--children")
        .arg(city.join("children.csv"))
        .arg("--arenas")
        .arg(city.join("arenas.geojson"))
        .arg("--out")
        .arg(&out)
        .timeout(Duration::from_secs(300))
        .assert()
        .success();

    let gaps = read(out.join("gaps.geojson"));
    let zones: Vec<MultiPolygon<f64>> = gaps["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let geometry: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).expect("a geometry");
            match geo::Geometry::<f64>::try_from(geometry).expect("a geo geometry") {
                geo::Geometry::MultiPolygon(mp) => mp,
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                other => panic!("a zone is a polygon, not {other:?}"),
            }
        })
        .collect();
    assert!(!zones.is_empty(), "the synthetic city has gap zones");
    let arenas = read(out.join("arenas.geojson"));
    for arena in arenas["features"].as_array().expect("features") {
        let c = &arena["geometry"]["coordinates"];
        let p = Point::new(c[0].as_f64().expect("x"), c[1].as_f64().expect("y"));
        for (k, zone) in zones.iter().enumerate() {
            assert!(!zone.contains(&p), "zone {k} contains arena {}", arena["properties"]);
        }
    }
}
