//! Values in good files that arenagap cannot use: counts, ids and coordinates, and fields that are not there.

use serde_json::{json, Value};

use super::*;

/// A count of children in a GeoJSON feature. Each: the case, the count of feature 2, and what the message says.
#[test]
fn bad_counts_in_geojson() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("1e16", json!(1e16), "is 10000000000000000, more than the 1e15 a count can be"),
        ("1e15-plus-1", json!(1e15 + 1.0), "more than the 1e15 a count can be"),
        ("minus-1", json!(-1), "is negative (-1)"),
        ("minus-3", json!(-3), "is negative (-3)"),
        ("abc", json!("abc"), "is not a number: 'abc'"),
        ("many", json!("many"), "is not a number: 'many'"),
        ("inf-as-text", json!("inf"), "is not a number: 'inf'"),
        ("nan-as-text", json!("NaN"), "is not a number: 'NaN'"),
        ("1e400-as-text", json!("1e400"), "is not a number: '1e400'"),
        ("empty-text", json!(""), "is empty, expected a number"),
        ("null", Value::Null, "is empty, expected a number"),
        ("true", json!(true), "is not a number: 'true'"),
        ("array", json!([3]), "is not a number: '[3]'"),
    ];
    for (case, count, says) in cases {
        let s = Scratch::new();
        let mut children = mini_children();
        children["features"][2]["properties"]["children"] = count;
        let name = format!("children-{case}.geojson");
        let path = s.write_json(&name, &children);
        let stderr = assert_bad_input_at(&mut mini_with(&s, CHILDREN, &path), &name, "feature 2", &s.out());
        assert_says(&stderr, &["field 'children' ", says]);
    }
}

/// A count of children in a CSV row (row 3: the header is row 1).
#[test]
fn bad_counts_in_csv() {
    for (case, count, says) in [
        ("1e16", "1e16", "more than the 1e15 a count can be"),
        ("minus-1", "-1", "is negative (-1)"),
        ("abc", "abc", "is not a number: 'abc'"),
        ("inf", "inf", "is not a number: 'inf'"),
        ("empty", "", "is empty, expected a number"),
        ("decimal-comma-text", "3,5,1", "is not a number: '3,5,1'"),
    ] {
        let s = Scratch::new();
        let name = format!("children-{case}.csv");
        let path = s.write(&name, format!("x;y;children\n310500;6390500;3\n311500;6391500;{count}\n"));
        let stderr = assert_bad_input_at(&mut mini_with(&s, CHILDREN, &path), &name, "row 3", &s.out());
        assert_says(&stderr, &["field 'children' ", says]);
    }
}

/// Found by a hostile test of the landed tool (issue 10): a count of 1e33 made whole-number apportioning loop
/// forever. Such a count in a children table is refused; the timeout catches a loop.
#[test]
fn a_count_too_large_for_exact_sums_is_refused_not_looped_on() {
    let s = Scratch::new();
    let [districts, _, arenas] = mini_city(&s);
    let table = s.write("barn.csv", "id;children\nD1;1e33\nD2;10\nD3;5\n");
    let mut cmd = arenagap();
    cmd.timeout(std::time::Duration::from_secs(60)).args(["analyze", "--quiet"]);
    cmd.arg("--districts").arg(&districts).arg("--children-table").arg(&table);
    cmd.arg("--arenas").arg(&arenas).arg("--out").arg(s.out());
    let stderr = assert_bad_input_at(&mut cmd, "barn.csv", "row 2", &s.out());
    assert_says(&stderr, &["more than the 1e15"]);
}

/// District ids that are missing or repeat.
#[test]
fn bad_district_ids() {
    let cases: Vec<(&str, Option<Value>, &str, &str)> = vec![
        ("empty", Some(json!("")), "feature 1", "field 'id' is empty; every feature needs an id"),
        ("blank", Some(json!("   ")), "feature 1", "field 'id' is empty"),
        ("null", Some(Value::Null), "feature 1", "field 'id' is empty"),
        ("missing", None, "feature 1", "field 'id' is empty"),
        ("duplicate", Some(json!("D1")), "feature 1", "duplicate district id 'D1' (also feature 0)"),
        // The number 1 and the text "1" are the same id in every output.
        ("number-and-text", Some(json!(1)), "feature 2", "duplicate district id '1' (also feature 1)"),
    ];
    for (case, id, at, says) in cases {
        let s = Scratch::new();
        let mut districts = mini_districts();
        match id {
            Some(id) => districts["features"][1]["properties"]["id"] = id,
            None => {
                districts["features"][1]["properties"].as_object_mut().unwrap().remove("id");
            }
        }
        if case == "number-and-text" {
            districts["features"][2]["properties"]["id"] = json!("1");
        }
        let name = format!("districts-{case}.geojson");
        let path = s.write_json(&name, &districts);
        let stderr = assert_bad_input_at(&mut mini_with(&s, DISTRICTS, &path), &name, at, &s.out());
        assert_says(&stderr, &[says]);
    }
}

#[test]
fn duplicate_district_ids_in_the_demo() {
    let s = Scratch::new();
    let districts = collection(
        Some(3006),
        vec![square("D1", "Ett", X0, Y0), square("D2", "Två", X0 + 2000.0, Y0), square("D1", "Tre", X0 + 4000.0, Y0)],
    );
    let path = s.write_json("districts.geojson", &districts);
    let stderr = assert_bad_input_at(
        &mut analyze_demo_with(DISTRICTS, &path, &s.out()),
        "districts.geojson",
        "feature 2",
        &s.out(),
    );
    assert_says(&stderr, &["duplicate district id 'D1'", "feature 0"]);
}

/// The same arena id in two arena files: both files are named, each with its feature.
#[test]
fn duplicate_arena_id_across_two_files() {
    let s = Scratch::new();
    let [d, c, _] = mini_city(&s);
    let with_id = |name: &str, id: &str, x: f64| {
        let mut a = arena(name, "Bibliotek", x, Y0 + 1000.0);
        a["properties"]["id"] = json!(id);
        a
    };
    let first = s.write_json("forsta.geojson", &collection(Some(3006), vec![with_id("A", "X-1", X0 + 500.0)]));
    let second = s.write_json(
        "andra.geojson",
        &collection(Some(3006), vec![with_id("B", "X-2", X0 + 900.0), with_id("C", "X-1", X0 + 2500.0)]),
    );
    let mut cmd = analyze(&d, &c, &first, &s.out());
    cmd.arg("--arenas").arg(&second).args(["--arena-id", "id"]);
    let stderr = assert_bad_input_at(&mut cmd, "andra.geojson", "feature 1", &s.out());
    assert_says(&stderr, &["duplicate arena id 'X-1'", "forsta.geojson, feature 0"]);
}

// Coordinates in the wrong place, or a CRS that cannot be right.

#[test]
fn lonlat_latitude_out_of_range() {
    let s = Scratch::new();
    let children = collection(
        None,
        vec![
            child(11.97, 57.70, json!(1)),
            child(11.98, 57.71, json!(2)),
            child(11.99, 57.72, json!(3)),
            child(11.97, 123.0, json!(1)),
        ],
    );
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input_at(
        &mut analyze_demo_with(CHILDREN, &path, &s.out()),
        "children.geojson",
        "feature 3",
        &s.out(),
    );
    assert_says(&stderr, &["123", "outside the valid area of EPSG:4326"]);
}

#[test]
fn sweref_coordinates_with_x_and_y_swapped() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][1]["geometry"]["coordinates"] = json!([6_400_000.0, 320_000.0]);
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input_at(
        &mut analyze_demo_with(CHILDREN, &path, &s.out()),
        "children.geojson",
        "feature 1",
        &s.out(),
    );
    assert_says(&stderr, &["outside the valid area of EPSG:3006", "swapped"]);
}

/// Longitude and latitude in a file that declares SWEREF 99 TM.
#[test]
fn lonlat_coordinates_declared_as_sweref() {
    let s = Scratch::new();
    let children = collection(Some(3006), vec![child(11.97, 57.70, json!(1)), child(11.98, 57.71, json!(2))]);
    let path = s.write_json("children-lonlat.geojson", &children);
    let stderr =
        assert_bad_input_at(&mut mini_with(&s, CHILDREN, &path), "children-lonlat.geojson", "feature 0", &s.out());
    assert_says(&stderr, &["(11.97, 57.7)", "outside the valid area of EPSG:3006", "is the CRS wrong?"]);
}

/// SWEREF coordinates without a `crs` member: GeoJSON's default is longitude/latitude, which they cannot be.
#[test]
fn metric_geojson_without_crs_member() {
    let s = Scratch::new();
    let mut children = mini_children();
    children.as_object_mut().unwrap().remove("crs");
    let path = s.write_json("children-nocrs.geojson", &children);
    let [d, _, a] = mini_city(&s);
    let stderr = assert_bad_input(&mut analyze(&d, &path, &a, &s.out()), "children-nocrs.geojson", &s.out());
    assert_says(&stderr, &["declares no coordinate system", "add a \"crs\" member", "--crs EPSG:3006"]);
}

#[test]
fn unknown_crs_members_in_geojson() {
    let features = mini_children()["features"].as_array().unwrap().clone();
    let mut unknown_name = collection(None, features.clone());
    unknown_name["crs"] = json!({"type": "name", "properties": {"name": "foo"}});
    let mut not_an_object = collection(None, features.clone());
    not_an_object["crs"] = json!(5);
    for (case, doc, says) in [
        (
            "epsg-9999",
            collection(Some(9999), features),
            &["urn:ogc:def:crs:EPSG::9999", "unsupported CRS EPSG:9999"][..],
        ),
        ("name-foo", unknown_name, &["crs \"foo\"", "unrecognised CRS"]),
        ("a-number", not_an_object, &["has a \"crs\" member arenagap cannot read"]),
    ] {
        let s = Scratch::new();
        let name = format!("children-crs-{case}.geojson");
        let path = s.write_json(&name, &doc);
        let [d, _, a] = mini_city(&s);
        let stderr = assert_bad_input(&mut analyze(&d, &path, &a, &s.out()), &name, &s.out());
        assert_says(&stderr, says);
    }
}

// A configured field that the file does not have: the message lists the fields it does have.

#[test]
fn missing_fields_list_the_fields_there_are() {
    let cases: &[(&[&str], &str, &[&str])] = &[
        (&["--district-id", "nope"], "districts.geojson", &["no field 'nope'", "id, name"]),
        (&["--district-name", "nope"], "districts.geojson", &["no field 'nope'", "id, name"]),
        (&["--children-count", "nope"], "children.geojson", &["no field 'nope'", "fields are: children"]),
        (&["--arena-kind", "nope"], "arenas.geojson", &["no field 'nope'", "name, kind"]),
        (&["--arena-id", "nope"], "arenas.geojson", &["no field 'nope'", "name, kind"]),
        (&["--arena-capacity", "nope"], "arenas.geojson", &["no field 'nope'", "name, kind"]),
        (&["--need-weight-field", "nope"], "districts.geojson", &["no field 'nope'", "id, name"]),
    ];
    for (args, file, says) in cases {
        let s = Scratch::new();
        let [d, c, a] = demo();
        // The count field is one of the flags tried: given here, it may not be given again.
        let count = if args[0] == "--children-count" { args[1] } else { "children" };
        let mut cmd = analyze_with_count(&d, &c, &a, &s.out(), count);
        cmd.args(if args[0] == "--children-count" { &args[2..] } else { args });
        let stderr = assert_bad_input(&mut cmd, file, &s.out());
        assert_says(&stderr, says);
    }
}

#[test]
fn missing_children_count_column_in_csv() {
    let s = Scratch::new();
    let path = s.write("children.csv", "x;y;antal\n312000;6390000;3\n");
    let [d, _, a] = demo();
    let mut cmd = analyze_with_count(&d, &path, &a, &s.out(), "nope");
    cmd.args(["--crs", "EPSG:3006"]);
    let stderr = assert_bad_input(&mut cmd, "children.csv", &s.out());
    assert_says(&stderr, &["no field 'nope'", "fields are: antal"]);
}

/// An arenas file with no features has no fields at all, so no kind field.
#[test]
fn arenas_file_without_features() {
    let s = Scratch::new();
    let path = s.write_json("arenas-none.geojson", &collection(Some(3006), vec![]));
    let stderr = assert_bad_input(&mut mini_with(&s, ARENAS, &path), "arenas-none.geojson", &s.out());
    assert_says(&stderr, &["has no field 'kind'", "it has no fields"]);
}
