//! Flag values arenagap refuses: distances out of range or not numbers, unknown CRSs and kinds, malformed
//! mappings. There is no file to name: the flag is named instead.

use super::*;

/// `analyze --quiet --out OUT` on the demo city (run from the repository folder) with `args`.
fn demo_with_flags(args: &[&str], out: &Path) -> Command {
    let mut cmd = arenagap();
    cmd.current_dir(repo()).args(["analyze", "--quiet"]).args(args).arg("--out").arg(out);
    cmd
}

/// Each: the flags, what the message names (in place of a file), and what else it says.
#[test]
fn flag_values_out_of_range() {
    let range = "must be a distance from 0.01 to 10000000 metres";
    let cases: &[(&[&str], &str, &[&str])] = &[
        (&["--radius", "0"], "--radius", &[range, "got 0"]),
        (&["--radius=-5"], "--radius", &[range, "got -5"]),
        (&["--radius", "1e300"], "--radius", &[range]),
        (&["--radius", "nan"], "--radius", &[range, "got NaN"]),
        (&["--radius", "inf"], "--radius", &[range]),
        (&["--radius", "0.001"], "--radius", &[range, "got 0.001"]),
        (&["--radius-bibliotek", "0.001"], "--radius-bibliotek", &[range]),
        (&["--radius-familjecentral", "1e8"], "--radius-familjecentral", &[range]),
        (&["--zone-link", "1e-300"], "--zone-link", &[range]),
        (&["--zone-buffer", "1e300"], "--zone-buffer", &[range]),
        (&["--zone-cell", "0"], "--zone-cell", &[range, "got 0"]),
        (&["--spread-grid=-5"], "--spread-grid", &["must be 0 (one point per area) or a distance", "got -5"]),
        (&["--spread-grid", "nan"], "--spread-grid", &["got NaN"]),
        // The demo's children are points: there are no areas to spread.
        (&["--spread-grid", "100"], "--spread-grid", &["spreads the areas of --children-table"]),
        (
            &["--arena-exclude", "Åkervallens bibliotk"],
            "--arena-exclude \"Åkervallens bibliotk\"",
            &["no arena has the id or name 'Åkervallens bibliotk'", "'Åkervallens bibliotek' (name)"],
        ),
        (&["--min-zone-children=-1"], "--min-zone-children", &["must be 0 or more, got -1"]),
        (&["--min-zone-children", "nan"], "--min-zone-children", &["must be 0 or more, got NaN"]),
        (&["--csv-style", "excel"], "--csv-style excel", &["not a CSV style: use rfc or sv"]),
    ];
    for (args, names, says) in cases {
        let s = Scratch::new();
        let stderr = assert_bad_input(&mut demo_with_flags(args, &s.out()), names, &s.out());
        assert_says(&stderr, says);
    }
}

/// Values the command-line parser refuses (clap's messages, exit code 2 as well).
#[test]
fn flag_values_that_do_not_parse() {
    let cases: &[(&[&str], &str, &[&str])] = &[
        (&["--radius", "abc"], "--radius <M>", &["invalid value 'abc'", "invalid float literal"]),
        (&["--radius="], "--radius <M>", &["invalid value ''"]),
        // A negative number after a space reads as a flag.
        (&["--radius", "-5"], "'-5'", &["unexpected argument"]),
        (&["--map", "maybe"], "--map <BOOL>", &["invalid value 'maybe'", "possible values: true, false"]),
        // A kind alone names what suggest sites for: not a kind, and for analyze not a mapping either.
        (&["--kind", "novalue"], "--kind novalue", &["'novalue' is not a kind"]),
        (&["--kind", ""], "--kind <RAW=KIND>", &["expected RAW=KIND or a kind id, got nothing"]),
        (&["--kind", "bibliotek"], "--kind bibliotek", &["a kind alone names what suggest sites for", "RAW=bibliotek"]),
        (&["--colour", "red"], "'--colour'", &["unexpected argument"]),
    ];
    for (args, names, says) in cases {
        let s = Scratch::new();
        let stderr = assert_bad_input(&mut demo_with_flags(args, &s.out()), names, &s.out());
        assert_says(&stderr, says);
    }
}

#[test]
fn unknown_or_unusable_crs_flags() {
    let cases: &[(&[&str], &str, &[&str])] = &[
        (&["--crs", "EPSG:9999"], "--crs EPSG:9999", &["unsupported CRS EPSG:9999"]),
        (&["--crs", "EPSG:abc"], "--crs EPSG:abc", &["unrecognised CRS \"EPSG:abc\"", "supported CRSs are"]),
        (&["--analysis-crs", "EPSG:4326"], "--analysis-crs EPSG:4326", &["distances need a metric CRS"]),
        (&["--output-crs", "EPSG:9999"], "--output-crs EPSG:9999", &["unsupported CRS EPSG:9999"]),
    ];
    for (args, names, says) in cases {
        let s = Scratch::new();
        let stderr = assert_bad_input(&mut demo_with_flags(args, &s.out()), names, &s.out());
        assert_says(&stderr, says);
    }
}

#[test]
fn unknown_kinds_in_flags() {
    let cases: &[(&[&str], &str, &[&str])] = &[
        (
            &["--kind", "x=nonexistent"],
            "'nonexistent'",
            &["--kind \"x=nonexistent\"", "is not a kind", "bemannad_lekplats"],
        ),
        (&["--coverage-kinds", "familjecentral,lek"], "coverage-kinds", &["'lek' is not a kind"]),
        (&["--coverage-kinds", ""], "coverage-kinds", &["name at least one kind"]),
        (
            &["--need-class-field", "name", "--need-class-weight", "A=x"],
            "--need-class-weight \"A=",
            &["'x' is not a number"],
        ),
        (
            &["--need-class-field", "name", "--need-class-weight", "A=-1"],
            "--need-class-weight \"A=",
            &["'-1' is not a number ≥ 0"],
        ),
    ];
    for (args, names, says) in cases {
        let s = Scratch::new();
        let stderr = assert_bad_input(&mut demo_with_flags(args, &s.out()), names, &s.out());
        assert_says(&stderr, says);
    }
}

/// `--kind RAW=` (nothing after `=`) is an error asking for a kind or `none`: taken as `none`, the arenas of that
/// kind would be left out without a word.
#[test]
fn kind_mapping_to_nothing() {
    let s = Scratch::new();
    let stderr = assert_bad_input(&mut demo_with_flags(&["--kind", "Skola="], &s.out()), "Skola=", &s.out());
    assert_says(&stderr, &["--kind \"Skola=\"", "the kind is empty", "or none"]);
}

#[test]
fn data_dir_that_is_not_a_folder() {
    let s = Scratch::new();
    let file = s.write("data.txt", "not a folder");
    let missing = s.path().join("nodata");
    for dir in [&file, &missing] {
        let mut cmd = demo_with_flags(&[], &s.out());
        cmd.arg("--data-dir").arg(dir);
        let stderr = assert_bad_input(&mut cmd, &dir.display().to_string(), &s.out());
        assert_says(&stderr, &["--data-dir", "no such folder"]);
    }
}
