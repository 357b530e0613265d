//! Hostile and very long text: escape sequences, formulas, characters XML cannot hold, and text of a megabyte.

use serde_json::json;

use super::*;

/// Escape sequences in the bad value, and in the file name, are printed escaped in the error message.
#[test]
fn hostile_text_in_error_messages_is_escaped() {
    let esc = "\u{1b}[2J\u{1b}[31m";
    // A count (GeoJSON feature 1), a count (CSV row 3), and a file name.
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][1]["properties"]["children"] = json!(format!("{esc}many"));
    let path = s.write_json("children-escape.geojson", &children);
    let stderr =
        assert_bad_input_at(&mut mini_with(&s, CHILDREN, &path), "children-escape.geojson", "feature 1", &s.out());
    assert_says(&stderr, &["not a number: '\\u{1b}[2J\\u{1b}[31mmany'"]);
    assert!(!stderr.contains('\u{1b}'), "no raw escape in {stderr:?}");

    let path = s.write("children-escape.csv", format!("x;y;children\n310500;6390500;3\n311500;6391500;{esc}x\n"));
    let stderr = assert_bad_input_at(&mut mini_with(&s, CHILDREN, &path), "children-escape.csv", "row 3", &s.out());
    assert_says(&stderr, &["not a number: '\\u{1b}[2J"]);
    assert!(!stderr.contains('\u{1b}'), "no raw escape in {stderr:?}");

    let missing = s.path().join(format!("barn{esc}.geojson"));
    let stderr = assert_bad_input(&mut mini_with(&s, CHILDREN, &missing), "barn\\u{1b}[2J", &s.out());
    assert_says(&stderr, &["does not exist"]);
    assert!(!stderr.contains('\u{1b}'), "no raw escape in {stderr:?}");
}

#[test]
fn hostile_text_is_defused_in_the_terminal_the_csv_and_the_map() {
    let s = Scratch::new();
    let districts = collection(
        Some(3006),
        vec![
            square("D1", "=HYPERLINK(\"http://evil\")", X0, Y0),
            square("D2", "\u{1b}[31mRöd\u{1b}[0m", X0 + 2000.0, Y0),
            square("D3", "Noll\u{0}tecken\u{ffff}", X0 + 4000.0, Y0),
        ],
    );
    let [_, children, arenas] = mini_city(&s);
    let districts = s.write_json("hostile.geojson", &districts);
    let output = arenagap()
        .args(["analyze", "--children-count", "children", "--districts"])
        .arg(&districts)
        .arg("--children")
        .arg(&children)
        .arg("--arenas")
        .arg(&arenas)
        .arg("--out")
        .arg(s.out())
        .output()
        .expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains('\u{1b}'), "no raw escape sequence in the terminal: {stdout}");
    assert!(stdout.contains("\\u{1b}[31mRöd"), "shown escaped: {stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains('\u{1b}'), "no raw escape sequence in the warnings: {stderr}");
    let csv = std::fs::read_to_string(s.out().join("districts.csv")).expect("districts.csv");
    assert!(csv.contains("'=HYPERLINK"), "formula defused: {csv}");
    assert!(!csv.contains('\u{0}'), "no NUL in the CSV");
    // The GeoJSON keeps the names exactly; the map (SVG) holds only characters XML can.
    let geojson = std::fs::read_to_string(s.out().join("districts.geojson")).expect("districts.geojson");
    assert!(geojson.contains("=HYPERLINK"));
    let svg = std::fs::read_to_string(s.out().join("map.svg")).expect("map.svg");
    assert!(!svg.contains('\u{ffff}') && !svg.contains('\u{0}') && !svg.contains('\u{1b}'));
    assert_complete_output(&s.out());
    // --csv-raw writes the cell as it is.
    let raw = s.path().join("raw");
    let output = analyze(&districts, &children, &arenas, &raw).args(["--csv-raw", "true"]).output().expect("runs");
    assert!(output.status.success());
    let csv = std::fs::read_to_string(raw.join("districts.csv")).expect("districts.csv");
    assert!(csv.contains(",\"=HYPERLINK") || csv.contains(",=HYPERLINK"), "{csv}");
}

/// Found by a hostile test of the landed tool (issue 10): a title of hundreds of kilobytes took minutes to lay out.
#[test]
fn a_very_long_title_is_cut_not_laid_out_for_minutes() {
    let s = Scratch::new();
    let [d, c, a] = mini_city(&s);
    // Hundreds of kilobytes: too long for a command line, so in a config file.
    let title: String = "Göteborgs familjecentrerade arenor ".repeat(10_000);
    let config = s.write("title.toml", format!("title = {title:?}\n"));
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.timeout(std::time::Duration::from_secs(60)).arg("--config").arg(&config);
    run_ok(&mut cmd);
    let svg = std::fs::read_to_string(s.out().join("map.svg")).expect("map.svg");
    assert!(svg.contains("…") && svg.len() < 200_000, "the title is cut ({} bytes of SVG)", svg.len());
}

/// A district name and an arena name of a megabyte: written as they are, drawn in a bounded time.
#[test]
fn megabyte_names_are_written_in_a_bounded_time() {
    let s = Scratch::new();
    let mut districts = mini_districts();
    districts["features"][0]["properties"]["name"] = json!("Långt namn ".repeat(100_000));
    let mut arenas = mini_arenas();
    arenas["features"][0]["properties"]["name"] = json!("N\u{202e}".repeat(300_000));
    let d = s.write_json("long-names.geojson", &districts);
    let a = s.write_json("long-arena-names.geojson", &arenas);
    let [_, c, _] = mini_city(&s);
    let mut cmd = analyze(&d, &c, &a, &s.out());
    cmd.timeout(std::time::Duration::from_secs(60));
    run_ok(&mut cmd);
    assert_complete_output(&s.out());
    let rows = std::fs::read_to_string(s.out().join("districts.csv")).expect("districts.csv");
    assert!(rows.contains(&"Långt namn ".repeat(100_000).trim_end().to_string()), "the name is kept whole");
}
