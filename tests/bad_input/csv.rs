//! CSV files (points with x/y or lon/lat columns, districts with a WKT column) that are malformed.

use super::*;

/// Children CSV files (`--crs EPSG:3006`) that cannot be read. Each: the case (its file name), the contents, what
/// the message says, and the row it names (`None`: the file as a whole). Rows are numbered as a spreadsheet shows
/// them: the header is row 1.
#[test]
fn malformed_children_csv_files() {
    let cases: &[(&str, &str, &[&str], Option<&str>)] = &[
        (
            "ragged-short-row",
            "x;y;children\n310500;6390500;3\n311500;6391500\n",
            &["has 2 cells", "names 3 columns"],
            Some("row 3"),
        ),
        (
            "ragged-long-row",
            "x;y;children\n310500;6390500;3\n311500;6391500;2;9\n",
            &["has 4 cells", "names 3 columns"],
            Some("row 3"),
        ),
        ("header-only", "x;y;children\n", &["has a header but no rows"], None),
        ("header-only-no-newline", "x;y;children", &["has a header but no rows"], None),
        // Decimal commas in a comma-separated file: every number splits in two.
        (
            "decimal-comma-with-comma-separator",
            "x,y,children\n310500,5,6390500,5,3\n",
            &["has 5 cells", "names 3 columns"],
            Some("row 2"),
        ),
        // A row written with commas in a semicolon file.
        (
            "comma-row-in-a-semicolon-file",
            "x;y;children\n310500;6390500;3\n311500,6391500,2\n",
            &["has 1 cells", "names 3 columns"],
            Some("row 3"),
        ),
        (
            "nul-byte-in-a-row",
            "x;y;children\n310500;6390500;3\n311500;6391\u{0}500;2\n",
            &["is not a CSV text file", "binary data"],
            None,
        ),
        (
            "coordinate-a-word",
            "x;y;children\n310500;6390500;3\n310500;abc;3\n",
            &["coordinate column 'y'", "'abc' is not a number"],
            Some("row 3"),
        ),
        (
            "coordinate-empty",
            "x;y;children\n310500;6390500;3\n310500;;3\n",
            &["coordinate column 'y' is empty"],
            Some("row 3"),
        ),
        (
            "coordinate-nan",
            "x;y;children\n312000;6390000;3\n312100;6390100;2\nNaN;6390200;1\n",
            &["'x'", "not a number"],
            Some("row 4"),
        ),
        (
            "coordinate-infinite",
            "x;y;children\n312000;6390000;3\ninf;6390100;2\n",
            &["'x'", "not a number"],
            Some("row 3"),
        ),
        (
            "latitude-out-of-range",
            "lon;lat;children\n11.9;57.7;3\n11.9;95.5;3\n",
            &["(11.9, 95.5)", "outside the valid area of EPSG:4326"],
            Some("row 3"),
        ),
        (
            "no-coordinate-columns",
            "adress;children\nStorgatan 1;3\n",
            &["has no coordinate columns", "adress, children"],
            None,
        ),
    ];
    for (case, contents, says, location) in cases {
        let s = Scratch::new();
        let name = format!("{case}.csv");
        let path = s.write(&name, contents);
        let mut cmd = mini_with(&s, CHILDREN, &path);
        let stderr = match location {
            Some(at) => assert_bad_input_at(&mut cmd, &name, at, &s.out()),
            None => assert_bad_input(&mut cmd, &name, &s.out()),
        };
        assert_says(&stderr, says);
    }
}

/// Districts as CSV with a WKT column, one bad row.
#[test]
fn malformed_wkt_in_a_districts_csv() {
    let good = "D1;Ett;\"POLYGON ((310000 6390000, 312000 6390000, 312000 6392000, 310000 6390000))\"";
    for (case, row, says) in [
        ("wkt-unclosed", "D2;Två;\"POLYGON ((312000 6390000, 314000 6390000\"", &["column 'wkt' is not valid WKT"][..]),
        ("wkt-empty-cell", "D2;Två;", &["column 'wkt' is not valid WKT"]),
        ("wkt-a-point", "D2;Två;\"POINT (313000 6391000)\"", &["geometry is a Point", "expected a Polygon"]),
    ] {
        let s = Scratch::new();
        let name = format!("{case}.csv");
        let path = s.write(&name, format!("id;name;wkt\n{good}\n{row}\n"));
        let stderr = assert_bad_input_at(&mut mini_with(&s, DISTRICTS, &path), &name, "row 3", &s.out());
        assert_says(&stderr, says);
    }
}

#[test]
fn csv_file_of_binary_garbage() {
    let s = Scratch::new();
    let garbage: Vec<u8> = (0..2048u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = s.write("children.csv", garbage);
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.csv", &s.out());
    assert_says(&stderr, &["is not a CSV text file"]);
}

#[test]
fn csv_utf16_text() {
    let s = Scratch::new();
    let text = "x;y;children\n310500;6390500;3\n";
    let bytes: Vec<u8> = [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let path = s.write("children-utf16.csv", bytes);
    let stderr = assert_bad_input(&mut mini_with(&s, CHILDREN, &path), "children-utf16.csv", &s.out());
    assert_says(&stderr, &["is not a CSV text file", "UTF-16"]);
}

#[test]
fn csv_metric_coordinates_without_crs() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;children\n312000;6390000;3\n312100;6390100;2\n");
    let stderr = assert_bad_input(&mut analyze_demo_with(CHILDREN, &path, &s.out()), "children.csv", &s.out());
    assert_says(&stderr, &["declares no coordinate system", "--crs EPSG:3006"]);
}

/// Two columns of the same name: which one holds the counts is a guess, and a wrong guess is a silent wrong answer.
#[test]
fn duplicate_column_names_in_csv() {
    let s = Scratch::new();
    let path = s.write("children-dup.csv", "x;y;children;children\n310500;6390500;3;4\n");
    let stderr = assert_bad_input(&mut mini_with(&s, CHILDREN, &path), "children-dup.csv", &s.out());
    assert_says(&stderr, &["two columns named 'children' (columns 3 and 4)"]);
}

/// A quote that is never closed swallows every later row into one cell: rows lost without a word.
#[test]
fn csv_quote_never_closed() {
    let s = Scratch::new();
    let path = s.write("children-quote.csv", "x;y;children;name\n310500;6390500;3;\"abc\n311500;6391500;2;def\n");
    let stderr = assert_bad_input_at(&mut mini_with(&s, CHILDREN, &path), "children-quote.csv", "row 2", &s.out());
    assert_says(&stderr, &["opens a quote", "never closed"]);
    // A quoted cell with a line break, closed, is CSV as spreadsheets write it.
    let path =
        s.write("children-multiline.csv", "x;y;children;name\n310500;6390500;3;\"a\nb\"\n311500;6391500;2;def\n");
    let output = mini_with(&s, CHILDREN, &path).output().expect("arenagap runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
