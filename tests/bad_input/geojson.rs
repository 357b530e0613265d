//! GeoJSON that is malformed, of the wrong shape, or not UTF-8 text.

use serde_json::{json, Value};

use super::*;

/// A FeatureCollection of arenas (EPSG:3006): a good one first, then `bad`, so that the bad one is feature 1.
fn arenas_then(bad: Value) -> String {
    let good = arena("Biblioteket", "Bibliotek", X0 + 1000.0, Y0 + 1000.0);
    serde_json::to_string_pretty(&collection(Some(3006), vec![good, bad])).expect("JSON")
}

/// An arena feature whose geometry is `geometry`, as JSON text.
fn arena_with_geometry(geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"name": "Parken", "kind": "Bibliotek"}, "geometry": geometry})
}

/// Arena files that are not GeoJSON, or not of the shape a layer needs. Each: the case (its file name), the
/// contents, what the message says, and the feature it names (`None`: the document as a whole).
#[test]
fn malformed_geojson_documents() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let point = || json!({"type": "Point", "coordinates": [X0 + 500.0, Y0 + 500.0]});
    let cases: Vec<(&str, String, &[&str], Option<&str>)> = vec![
        ("top-level-array", "[{\"type\": \"Feature\"}]".into(), &["is not GeoJSON", "FeatureCollection"], None),
        ("top-level-null", "null".into(), &["is not GeoJSON"], None),
        ("top-level-object-without-type", "{}".into(), &["is not GeoJSON", "no \"type\""], None),
        ("top-level-point", point().to_string(), &["is a GeoJSON Point", "expected a FeatureCollection"], None),
        (
            "features-not-an-array",
            r#"{"type": "FeatureCollection", "features": {}}"#.into(),
            &["\"features\" array"],
            None,
        ),
        ("features-missing", r#"{"type": "FeatureCollection"}"#.into(), &["\"features\" array"], None),
        (
            "truncated",
            arenas_then(arena("Parken", "Bibliotek", X0, Y0))[..200].to_string(),
            &["EOF while parsing", "line"],
            None,
        ),
        (
            "trailing-garbage",
            format!("{} xyz", arenas_then(arena("Parken", "Bibliotek", X0, Y0))),
            &["trailing characters", "line"],
            None,
        ),
        ("whitespace-only", "  \n\t\n  ".into(), &["is not valid GeoJSON", "EOF"], None),
        (
            "nested-10000-deep-coordinates",
            arenas_then(arena_with_geometry(json!("DEEP")))
                .replace("\"DEEP\"", &format!("{{\"type\": \"Point\", \"coordinates\": {}}}", deep(10_000))),
            &["is not valid GeoJSON", "recursion limit"],
            None,
        ),
        (
            "nested-10000-deep-properties",
            arenas_then(
                json!({"type": "Feature", "properties": {"name": "DEEP", "kind": "Bibliotek"}, "geometry": point()}),
            )
            .replace("\"DEEP\"", &deep(10_000)),
            &["is not valid GeoJSON", "recursion limit"],
            None,
        ),
        (
            "nested-100-deep-coordinates",
            arenas_then(arena_with_geometry(json!("DEEP")))
                .replace("\"DEEP\"", &format!("{{\"type\": \"Point\", \"coordinates\": {}}}", deep(100))),
            &["invalid geometry", "nesting too deep"],
            Some("feature 1"),
        ),
        (
            "number-out-of-range",
            arenas_then(arena_with_geometry(json!({"type": "Point", "coordinates": ["NUM", Y0]})))
                .replace("\"NUM\"", "1e400"),
            &["number out of range"],
            None,
        ),
        (
            "feature-without-type",
            arenas_then(json!({"properties": {"name": "P", "kind": "Bibliotek"}, "geometry": point()})),
            &["is not a GeoJSON Feature"],
            Some("feature 1"),
        ),
        ("feature-a-string", arenas_then(json!("Parken")), &["is not a JSON object"], Some("feature 1")),
        (
            "properties-an-array",
            arenas_then(json!({"type": "Feature", "properties": ["P", "Bibliotek"], "geometry": point()})),
            &["\"properties\" is not an object"],
            Some("feature 1"),
        ),
        (
            "geometry-type-circle",
            arenas_then(arena_with_geometry(json!({"type": "Circle", "coordinates": [X0, Y0], "radius": 50}))),
            &["invalid geometry", "unknown variant `Circle`"],
            Some("feature 1"),
        ),
        (
            "geometry-without-type",
            arenas_then(arena_with_geometry(json!({"coordinates": [X0, Y0]}))),
            &["invalid geometry", "missing field `type`"],
            Some("feature 1"),
        ),
        (
            "coordinates-as-strings",
            arenas_then(arena_with_geometry(json!({"type": "Point", "coordinates": ["310000", "6390000"]}))),
            &["invalid geometry", "invalid type: string \"310000\""],
            Some("feature 1"),
        ),
        (
            "coordinates-null",
            arenas_then(arena_with_geometry(json!({"type": "Point", "coordinates": null}))),
            &["invalid geometry", "no `coordinates`"],
            Some("feature 1"),
        ),
        (
            "point-position-empty",
            arenas_then(arena_with_geometry(json!({"type": "Point", "coordinates": []}))),
            &["invalid geometry", "two or more elements"],
            Some("feature 1"),
        ),
        (
            "geometry-null",
            arenas_then(arena_with_geometry(Value::Null)),
            &["has no geometry", "expected a Point"],
            Some("feature 1"),
        ),
        (
            "geometry-collection",
            arenas_then(arena_with_geometry(json!({"type": "GeometryCollection", "geometries": [point()]}))),
            &["GeometryCollection", "expected a Point"],
            Some("feature 1"),
        ),
        (
            "empty-multipoint",
            arenas_then(arena_with_geometry(json!({"type": "MultiPoint", "coordinates": []}))),
            &["MultiPoint", "expected a Point"],
            Some("feature 1"),
        ),
    ];
    for (case, contents, says, location) in cases {
        let s = Scratch::new();
        let name = format!("{case}.geojson");
        let path = s.write(&name, contents);
        let mut cmd = mini_with(&s, ARENAS, &path);
        cmd.timeout(std::time::Duration::from_secs(60));
        let stderr = match location {
            Some(at) => assert_bad_input_at(&mut cmd, &name, at, &s.out()),
            None => assert_bad_input(&mut cmd, &name, &s.out()),
        };
        assert_says(&stderr, says);
    }
}

#[test]
fn empty_feature_collection_of_districts() {
    let s = Scratch::new();
    let path = s.write_json("no-districts.geojson", &collection(Some(3006), vec![]));
    let stderr = assert_bad_input(&mut mini_with(&s, DISTRICTS, &path), "no-districts.geojson", &s.out());
    assert_says(&stderr, &["has no features", "at least one polygon"]);
}

#[test]
fn text_that_is_not_utf8() {
    let text = serde_json::to_string_pretty(&mini_arenas()).expect("JSON");
    let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    // Latin-1: "Öppna förskolan" with Ö and ö as single bytes.
    let latin1: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    assert!(latin1.contains(&0xd6), "the Latin-1 text holds an Ö");
    for (case, bytes) in [("utf16", utf16), ("latin1", latin1)] {
        let s = Scratch::new();
        let name = format!("arenas-{case}.geojson");
        let path = s.write(&name, bytes);
        let stderr = assert_bad_input(&mut mini_with(&s, ARENAS, &path), &name, &s.out());
        assert_says(&stderr, &["is not GeoJSON", "not UTF-8 text"]);
    }
}

/// A UTF-8 byte order mark, as Windows tools (Notepad, some exports) write it, before an otherwise good file.
/// RFC 8259 lets a parser ignore it, and arenagap does.
#[test]
fn utf8_bom_before_a_good_file_is_read() {
    let s = Scratch::new();
    let mut bytes = vec![0xef, 0xbb, 0xbf];
    bytes.extend(serde_json::to_vec_pretty(&mini_arenas()).expect("JSON"));
    let path = s.write("arenas-bom.geojson", bytes);
    run_ok(&mut mini_with(&s, ARENAS, &path));
    assert_complete_output(&s.out());
}

// Wrong geometry type for the layer.

#[test]
fn linestring_district() {
    let s = Scratch::new();
    let line = feature(json!({"id": "D2", "name": "Två"}), "LineString", json!([[X0, Y0], [X0 + 2000.0, Y0]]));
    let path = s.write_json("districts.geojson", &collection(Some(3006), vec![square("D1", "Ett", X0, Y0), line]));
    let stderr = assert_bad_input_at(
        &mut analyze_demo_with(DISTRICTS, &path, &s.out()),
        "districts.geojson",
        "feature 1",
        &s.out(),
    );
    assert_says(&stderr, &["LineString", "expected a Polygon"]);
}

#[test]
fn polygon_arena() {
    let s = Scratch::new();
    let polygon = feature(
        json!({"name": "Parken", "kind": "Parklek"}),
        "Polygon",
        json!([[[X0, Y0], [X0 + 50.0, Y0], [X0 + 50.0, Y0 + 50.0], [X0, Y0]]]),
    );
    let arenas = collection(Some(3006), vec![arena("Biblioteket", "Bibliotek", X0, Y0), polygon]);
    let path = s.write_json("arenas.geojson", &arenas);
    let stderr =
        assert_bad_input_at(&mut analyze_demo_with(ARENAS, &path, &s.out()), "arenas.geojson", "feature 1", &s.out());
    assert_says(&stderr, &["Polygon", "expected a Point"]);
}

#[test]
fn child_multipoint_of_two_points() {
    let s = Scratch::new();
    let mut children = mini_children();
    children["features"][2]["geometry"] =
        json!({"type": "MultiPoint", "coordinates": [[X0 + 100.0, Y0 + 100.0], [X0 + 200.0, Y0 + 200.0]]});
    let path = s.write_json("children.geojson", &children);
    let stderr = assert_bad_input_at(
        &mut analyze_demo_with(CHILDREN, &path, &s.out()),
        "children.geojson",
        "feature 2",
        &s.out(),
    );
    assert_says(&stderr, &["MultiPoint", "expected a Point"]);
}

/// Found by a hostile test of the landed tool (issue 10): the geojson crate's conversion panicked on these.
#[test]
fn polygon_positions_with_fewer_than_two_numbers_are_errors_not_panics() {
    for (case, position) in [("one-number", json!([312183.87])), ("none", json!([]))] {
        let s = Scratch::new();
        let ring = json!([[[X0, Y0], [X0 + 2000.0, Y0], position, [X0, Y0]]]);
        let bad = feature(json!({"id": "D2", "name": "Två"}), "Polygon", ring);
        let name = format!("districts-{case}.geojson");
        let path = s.write_json(&name, &collection(Some(3006), vec![square("D1", "Ett", X0, Y0), bad]));
        let stderr =
            assert_bad_input_at(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), &name, "feature 1", &s.out());
        assert_says(&stderr, &["invalid geometry", "a position needs at least two"]);
    }
}
