//! Config files (`--config`, TOML): syntax errors, unknown keys, wrong types, values out of range, paths that do
//! not exist, and config files that are not files.

use super::*;

/// `analyze --quiet --config CONFIG --out OUT` on the demo city (run from the repository folder).
fn with_config(config: &Path, out: &Path) -> Command {
    let mut cmd = arenagap();
    cmd.current_dir(repo()).args(["analyze", "--quiet", "--config"]).arg(config).arg("--out").arg(out);
    cmd
}

/// Config files TOML or its schema refuses. Each: the case (its file name), the contents, the line the message
/// names, and what else it says.
#[test]
fn config_files_that_do_not_parse() {
    let cases: &[(&str, &str, usize, &[&str])] = &[
        ("unclosed-string", "radius = 800\ndistricts = \"x\nmap = false\n", 2, &["invalid basic string"]),
        ("unclosed-table-header", "radius = 800\n[kinds\n", 2, &["unclosed table"]),
        ("duplicate-key", "radius = 800\nradius = 900\n", 2, &["duplicate key"]),
        ("unknown-key", "radius = 800\ncolour = \"red\"\n", 2, &["unknown field `colour`"]),
        ("unknown-table", "[foo]\nbar = 1\n", 1, &["unknown field `foo`"]),
        ("data-dir-is-a-flag-only", "data-dir = \"x\"\n", 1, &["unknown field `data-dir`"]),
        (
            "kind-table-unknown-key",
            "[kinds.lek]\nlabel-sv = \"Lek\"\nfarg = 1\n",
            3,
            &["unknown field `farg`", "label-sv"],
        ),
        ("radius-a-string", "radius = \"far\"\n", 1, &["invalid type", "expected f64"]),
        ("map-a-string", "map = \"yes\"\n", 1, &["invalid type", "expected a boolean"]),
        ("title-a-number", "title = 5\n", 1, &["expected a string"]),
        ("out-a-number", "out = 5\n", 1, &["expected path string"]),
        ("kinds-not-a-table", "kinds = 5\n", 1, &["expected a map"]),
        ("arenas-list-of-numbers", "arenas = [5]\n", 1, &["expected a path, or a table"]),
        ("arenas-entry-without-path", "arenas = [{ kind = \"bibliotek\" }]\n", 1, &["missing field `path`"]),
        ("integer-too-large", "min-zone-children = 99999999999999999999\n", 1, &["invalid type"]),
    ];
    for (case, contents, line, says) in cases {
        let s = Scratch::new();
        let name = format!("{case}.toml");
        let config = s.write(&name, contents);
        let stderr = assert_bad_input(&mut with_config(&config, &s.out()), &name, &s.out());
        assert_says(&stderr, &["is not a valid config file", &format!("at line {line}, column")]);
        assert_says(&stderr, says);
    }
}

/// Config files that parse but hold a value arenagap refuses: the message names the file and the key.
#[test]
fn config_values_out_of_range() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("radius-negative", "radius = -5\n", &["radius must be a distance from 0.01 to 10000000 metres, got -5"]),
        ("radius-nan", "radius = nan\n", &["radius must be a distance", "got NaN"]),
        ("radius-inf", "radius = inf\n", &["radius must be a distance", "got inf"]),
        ("zone-link-tiny", "zone-link = 1e-300\n", &["zone-link must be a distance from 0.01"]),
        ("min-zone-children-negative", "min-zone-children = -1\n", &["min-zone-children must be 0 or more, got -1"]),
        ("spread-grid-negative", "spread-grid = -100\n", &["spread-grid must be 0 (one point per area)", "got -100"]),
        ("spread-grid-nan", "spread-grid = nan\n", &["spread-grid must be 0", "got NaN"]),
        ("zone-cell-huge", "zone-cell = 1e9\n", &["zone-cell must be a distance"]),
        ("csv-style", "csv-style = \"semicolon\"\n", &["csv-style = \"semicolon\"", "not a CSV style: use rfc or sv"]),
        (
            "kind-colour",
            "[kinds.lek]\nlabel-sv = \"Lek\"\ncolour = \"reddish\"\n",
            &["[kinds.lek]", "colour 'reddish' is not #rrggbb"],
        ),
        (
            "kind-symbol",
            "[kinds.lek]\nlabel-sv = \"Lek\"\nsymbol = \"octagon\"\n",
            &["[kinds.lek]", "symbol 'octagon' is not one of circle"],
        ),
        (
            "kind-capacity",
            "[kinds.lek]\nlabel-sv = \"Lek\"\ncapacity = -1\n",
            &["[kinds.lek]", "capacity must be a number ≥ 0, got -1"],
        ),
        ("kind-radius", "[kinds.lek]\nlabel-sv = \"Lek\"\nradius = 0\n", &["[kinds.lek]", "radius"]),
        ("kind-id-uppercase", "[kinds.Lek]\nlabel-sv = \"Lek\"\n", &["[kinds.Lek]", "'Lek' is not a usable kind id"]),
        (
            "coverage-kind-unknown",
            "coverage-kinds = [\"familjecentral\", \"lek\"]\n",
            &["coverage-kinds", "'lek' is not a kind"],
        ),
    ];
    assert_config_cases(cases);
}

/// Values of a config file that are checked after the merge with the flags (CRSs, the kind mapping, class
/// weights): the message names the config file that set them, and the key.
#[test]
fn config_values_checked_after_the_merge_name_the_config_file() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("crs-unknown", "crs = \"EPSG:9999\"\n", &["unsupported CRS EPSG:9999"]),
        ("analysis-crs-degrees", "analysis-crs = \"EPSG:4326\"\n", &["metric CRS"]),
        ("output-crs-unknown", "output-crs = \"EPSG:9999\"\n", &["unsupported CRS EPSG:9999"]),
        ("kind-mapping-unknown", "[kind]\nSkola = \"nope\"\n", &["'nope' is not a kind"]),
        (
            "arena-exclude-unknown",
            "arena-exclude = [\"Källbäckens familjecentral\", \"Åkervallens bibliotk\"]\n",
            &[
                "arena-exclude entry \"Åkervallens bibliotk\": no arena has the id or name 'Åkervallens bibliotk'",
                "the closest are 'Åkervallens bibliotek' (name)",
            ],
        ),
        (
            "need-class-weight-text",
            "need-class-field = \"name\"\n[need-class-weight]\nA = \"x\"\n",
            &["'x' is not a number"],
        ),
    ];
    assert_config_cases(cases);
}

#[test]
fn config_file_missing_a_folder_or_not_text() {
    let s = Scratch::new();
    std::fs::create_dir(s.path().join("profile-folder.toml")).expect("a folder");
    s.write("binary.toml", [0xff, 0xfe, 0x00, b'r']);
    for (name, says) in [
        ("nothere.toml", "No such file"),
        ("profile-folder.toml", "Is a directory"),
        ("binary.toml", "did not contain valid UTF-8"),
    ] {
        let stderr = assert_bad_input(&mut with_config(&s.path().join(name), &s.out()), name, &s.out());
        assert_says(&stderr, &[says]);
    }
}

/// A relative path in a config file is relative to the file: the message gives the path it looked at.
#[test]
fn relative_input_path_in_a_config_that_does_not_exist() {
    let s = Scratch::new();
    let [_, c, a] = demo();
    std::fs::create_dir(s.path().join("profiles")).expect("a folder");
    let config = s.write(
        "profiles/city.toml",
        format!(
            "districts = \"sub/nothere.geojson\"\nchildren = {c:?}\nchildren-count = \"children\"\narenas = {a:?}\n"
        ),
    );
    let elsewhere = s.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("a folder");
    let mut cmd = arenagap();
    cmd.current_dir(&elsewhere).args(["analyze", "--quiet", "--config"]).arg(&config).arg("--out").arg(s.out());
    let want = s.path().join("profiles").join("sub").join("nothere.geojson");
    let stderr = assert_bad_input(&mut cmd, &want.display().to_string(), &s.out());
    assert_says(&stderr, &["does not exist"]);
}

/// Of two config files, the second one is bad: it is the one named.
#[test]
fn second_of_two_config_files_is_bad() {
    let s = Scratch::new();
    let base = s.write("base.toml", "radius = 800\n");
    let overlay = s.write("overlay.toml", "radius = \"x\"\n");
    let mut cmd = with_config(&base, &s.out());
    cmd.arg("--config").arg(&overlay);
    let stderr = assert_bad_input(&mut cmd, "overlay.toml", &s.out());
    assert_says(&stderr, &["at line 1, column"]);
    assert!(!stderr.contains("base.toml"), "{stderr}");
}

/// `data_dir` resolves the config's relative paths; without it they are looked for next to the config file.
#[test]
fn config_paths_without_data_dir() {
    let s = Scratch::new();
    let config = s.write(
        "arenagap.toml",
        "districts = \"districts.geojson\"\nchildren = \"children.geojson\"\narenas = \"arenas.geojson\"\n\
         children-count = \"children\"\n",
    );
    let stderr = assert_bad_input(&mut with_config(&config, &s.out()), "districts.geojson", &s.out());
    assert_says(&stderr, &[&s.path().join("districts.geojson").display().to_string(), "does not exist"]);
    // --data-dir that is not a folder.
    let mut cmd = with_config(&config, &s.out());
    cmd.arg("--data-dir").arg(s.path().join("nodata"));
    let stderr = assert_bad_input(&mut cmd, "nodata", &s.out());
    assert_says(&stderr, &["--data-dir", "no such folder"]);
}

/// Each case a config file `<case>.toml` holding `contents`: a bad input that names the file and says `says`.
fn assert_config_cases(cases: &[(&str, &str, &[&str])]) {
    for (case, contents, says) in cases {
        let s = Scratch::new();
        let name = format!("{case}.toml");
        let config = s.write(&name, contents);
        let stderr = assert_bad_input(&mut with_config(&config, &s.out()), &name, &s.out());
        assert_says(&stderr, says);
    }
}
