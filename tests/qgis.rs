//! The real client: runs on the demo city (analyze; compare of two scenarios; suggest), opened in headless QGIS
//! (the projects and the GeoPackage, styles applied, rendered) and checked with `ogrinfo`, by
//! `tests/qgis/check_qgis.py`. `.ci/run` installs QGIS and GDAL from Debian's packages; without them these tests
//! fail under CI and say they are skipped elsewhere.

use std::path::Path;
use std::process::Command;

use crate::common::arenagap;

fn have_pyqgis() -> bool {
    Path::new("/usr/bin/python3").exists()
        && Command::new("/usr/bin/python3")
            .args(["-c", "import qgis.core, osgeo.ogr"])
            .output()
            .is_ok_and(|o| o.status.success())
        && Command::new("ogrinfo").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Whether QGIS is here to check with; without it, a failure under CI and a skip message elsewhere.
fn qgis_or_skip() -> bool {
    if have_pyqgis() {
        return true;
    }
    let message = "QGIS (python3-qgis) or GDAL (gdal-bin) is not installed: apt-get install -y qgis python3-qgis \
                   gdal-bin (.ci/run does)";
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// Runs arenagap with `args` from the repository folder, writing to `out`, then check_qgis.py on `out` with
/// `check` flags; asserts that every check passed.
fn run_and_check(args: &[&str], out: &Path, check: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    arenagap().current_dir(root).args(args).arg("--out").arg(out).assert().success();
    let result = Command::new("/usr/bin/python3")
        .arg(root.join("tests/qgis/check_qgis.py"))
        .arg(out)
        .args(check)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .expect("running check_qgis.py");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "check_qgis.py failed:\n{stdout}\n{stderr}");
    assert!(stdout.lines().last().is_some_and(|l| l.ends_with(" 0 failed")), "{stdout}");
}

#[test]
fn qgis_opens_the_project_and_the_geopackage_styled() {
    if !qgis_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    run_and_check(&["analyze", "--quiet"], &out, &["--expect-gpkg", "--zone-rules"]);
    assert!(out.join("qgis_render.png").is_file());
}

/// Göteborg on the city's 2024 register, opened in QGIS: the gap zones contain no arena (no zone overlaps a
/// coverage disc, by QGIS's own geometry engine) and lie inside the districts. Skipped without the shared data.
#[test]
fn qgis_shows_goteborg_gap_zones_that_contain_no_arena() {
    if !qgis_or_skip() {
        return;
    }
    let Some(data) = crate::common::shared_data("qgis_shows_goteborg_gap_zones_that_contain_no_arena") else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    let data = data.to_str().expect("a UTF-8 path").to_string();
    let args = ["analyze", "--quiet", "--map", "false", "--config", "data/goteborg.toml", "--data-dir", &data];
    run_and_check(&args, &out, &["--expect-gpkg", "--zone-rules"]);
}

#[test]
fn qgis_opens_every_scenario_of_compare_styled_for_change() {
    if !qgis_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    let args = [
        "compare",
        "--quiet",
        "--scenario",
        "data/demo/scenarios/familjecentral-sjoviken.toml",
        "--scenario",
        "data/demo/scenarios/stang-bibliotek.toml",
    ];
    run_and_check(&args, &out, &["--compare"]);
    for scenario in ["familjecentral-i-sjoviken", "akervallens-bibliotek-stanger"] {
        assert!(out.join(scenario).join("qgis_render.png").is_file(), "{scenario}");
    }
}

#[test]
fn qgis_opens_the_suggestion_styled_for_change() {
    if !qgis_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    let args = ["suggest", "--quiet", "--count", "2", "--kind", "familjecentral", "--candidate-grid", "500"];
    run_and_check(&args, &out, &["--compare"]);
    assert!(out.join("suggestion").join("qgis_render.png").is_file());
}

#[test]
fn qgis_opens_a_helsinki_run_in_its_utm_zone_and_in_tm35fin() {
    if !qgis_or_skip() {
        return;
    }
    let s = crate::common::Scratch::new();
    let [districts, children, arenas] = crate::beyond_sweden::helsinki(&s);
    let inputs = [districts, children, arenas].map(|p| p.to_string_lossy().into_owned());
    let base = [
        "analyze",
        "--quiet",
        "--districts",
        &inputs[0],
        "--children",
        &inputs[1],
        "--children-count",
        "children",
        "--arenas",
        &inputs[2],
        // The tiny city's gap zones are small: draw them all (QGIS leaves an empty layer out).
        "--min-zone-children",
        "1",
    ];
    // No analysis CRS: the UTM zone; GeoJSON in lon/lat.
    let check = ["--expect-gpkg", "--zone-rules", "--analysis-crs", "EPSG:32635"];
    run_and_check(&base, &s.path().join("auto"), &check);
    // ETRS-TM35FIN for the analysis and the GeoJSON.
    let args = [&base[..], &["--analysis-crs", "EPSG:3067", "--output-crs", "EPSG:3067"]].concat();
    let check = ["--expect-gpkg", "--zone-rules", "--analysis-crs", "EPSG:3067"];
    run_and_check(&args, &s.path().join("tm35fin"), &check);
}
