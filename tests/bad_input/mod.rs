//! The bad-input corpus (issue 10): inputs, flags and config files that arenagap cannot use, one module per class.
//!
//! Every error case asserts, through [`assert_bad_input`] (or [`assert_bad_input_at`] where there is a feature,
//! record, fid or row to name):
//!
//! - exit code 2 and no panic (a hang is caught by the timeout of the cases that could loop);
//! - stderr starts with `error: ` and names the file (or the flag or key, when there is no file), and the
//!   feature, record, fid or row where there is one (`districts.geojson, feature 2: `, `barn.csv, row 5: `,
//!   `arenas.gpkg, layer 'arenas', fid 3: `, `districts.shp, record 0: `);
//! - the output folder: run once with it absent (afterwards absent or empty), and once pre-filled with a good
//!   earlier output of the demo city (afterwards byte for byte as it was), with the same message both times, and
//!   nothing left beside it either time (no `.out.partial-PID`, no `.out.old-PID`).
//!
//! Cases whose `--out` is itself the bad input (a file, a folder of other files) run once, with `out` as it is,
//! through [`assert_bad_input_out_as_is`]: it must be untouched. Oddities that are warnings, not errors, go through
//! [`assert_warns`]: exit 0, the warning on stderr and in run.json, a complete output that run.json lists exactly,
//! and, run over a good earlier output, a new output that replaces the old one whole.
//!
//! A case that shows a bug in arenagap (a panic, a hang, a wrong exit code, a message without the file or the
//! location, a silent wrong answer) is `#[ignore = "bug: …"]` with the reason, until src/ is fixed.
//!
//! Each table-driven test names its scratch files after the case, so a failing assertion names the case.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::*;

mod config;
mod csv;
mod flags;
mod geojson;
mod gpkg;
mod output;
mod scenario;
mod shapefile;
mod suggest;
mod text;
mod values;
mod warnings;

/// The layer index of [`analyze_demo_with`] and [`mini_with`]: districts.
const DISTRICTS: usize = 0;
/// The layer index of [`analyze_demo_with`] and [`mini_with`]: children.
const CHILDREN: usize = 1;
/// The layer index of [`analyze_demo_with`] and [`mini_with`]: arenas.
const ARENAS: usize = 2;

/// `analyze --quiet` on the small synthetic city (written to `s`) with one layer replaced by `path`, writing to
/// `s.out()`, with `--crs EPSG:3006` for the inputs that declare no CRS (CSV). Faster than the demo city.
fn mini_with(s: &Scratch, layer: usize, path: &Path) -> Command {
    let mut files = mini_city(s);
    files[layer] = path.to_path_buf();
    let mut cmd = analyze(&files[0], &files[1], &files[2], &s.out());
    cmd.args(["--crs", "EPSG:3006"]);
    cmd
}

/// A file in the repository's tests/fixtures folder.
fn fixture(path: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(path)
}

// Files that are missing, empty, or not the format their extension says.

#[test]
fn missing_file() {
    let s = Scratch::new();
    let missing = s.path().join("barn.geojson");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &missing, &s.out()), "barn.geojson", &s.out());
    assert_says(&stderr, &["does not exist"]);
    assert!(!stderr.contains("os error"), "{stderr}");
}

#[test]
fn empty_files_of_every_layer_and_format() {
    for (layer, name) in [
        (DISTRICTS, "empty-districts.geojson"),
        (CHILDREN, "empty-children.csv"),
        (ARENAS, "empty-arenas.geojson"),
        (DISTRICTS, "empty-districts.shp"),
        (ARENAS, "empty-arenas.gpkg"),
    ] {
        let s = Scratch::new();
        let path = s.write(name, "");
        let stderr = assert_bad_input(&mut mini_with(&s, layer, &path), name, &s.out());
        assert_says(&stderr, &["is empty"]);
    }
}

#[test]
fn geojson_file_holding_csv_text() {
    let s = Scratch::new();
    let path = s.write("children.geojson", "x;y;children\n312000;6390000;3\n");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.geojson", &s.out());
    assert_says(&stderr, &["is not valid GeoJSON", "line 1"]);
}

#[test]
fn an_input_that_is_a_folder() {
    let s = Scratch::new();
    let folder = s.path().join("arenas-folder.geojson");
    std::fs::create_dir(&folder).expect("a folder");
    let stderr = assert_bad_input(&mut mini_with(&s, ARENAS, &folder), "arenas-folder.geojson", &s.out());
    assert_says(&stderr, &["is a folder, not a file"]);
}

#[test]
fn unknown_file_extension() {
    let s = Scratch::new();
    let path = s.write("arenas.xlsx", "PK\u{3}\u{4} not really a workbook");
    let stderr = assert_bad_input(&mut mini_with(&s, ARENAS, &path), "arenas.xlsx", &s.out());
    assert_says(&stderr, &["unknown file type '.xlsx'", "GeoJSON"]);
}
