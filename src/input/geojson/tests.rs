//! Tests of the streaming GeoJSON reader: named cases, and a seeded oracle that reads random (and randomly
//! broken) documents with it and with the reader it replaced, which must agree on every layer and every message.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::read;
use crate::crs::Crs;
use crate::error::Result;
use crate::input::{Layer, ReadOptions, Value};

/// Writes `bytes` to a file in a fresh folder and reads it with `reader`; the folder lives as long as the result.
fn read_bytes_with(
    bytes: &[u8],
    options: &ReadOptions,
    reader: fn(&Path, &ReadOptions) -> Result<Layer>,
) -> (Result<Layer>, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layer.geojson");
    std::fs::write(&path, bytes).unwrap();
    let result = reader(&path, options);
    (result, path)
}

/// Reads a document with the streaming reader (after checking that the old one reads it the same).
fn read_str(text: &str, options: &ReadOptions) -> Result<Layer> {
    assert_agree(text.as_bytes(), options);
    read_bytes_with(text.as_bytes(), options, read).0
}

/// The message of the error a document gives, without the path in front (`feature 2: ...`, or the file-level
/// message).
fn error_of(text: &str) -> String {
    error_of_bytes(text.as_bytes())
}

fn error_of_bytes(bytes: &[u8]) -> String {
    assert_agree(bytes, &ReadOptions::default());
    let (result, path) = read_bytes_with(bytes, &ReadOptions::default(), read);
    let message = result.expect_err("the document is refused").to_string();
    let path = path.display().to_string();
    let rest = message.strip_prefix(&path).expect("the message starts with the path");
    rest.strip_prefix(", ").or_else(|| rest.strip_prefix(": ")).unwrap_or(rest).to_string()
}

/// A FeatureCollection of `features` (JSON texts).
fn collection(features: &[&str]) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

/// A point feature with `properties` (a JSON text).
fn point(x: f64, y: f64, properties: &str) -> String {
    format!(r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{x},{y}]}},"properties":{properties}}}"#)
}

fn keep(fields: &[&str]) -> ReadOptions {
    ReadOptions { keep_fields: Some(fields.iter().map(|f| f.to_string()).collect()), ..Default::default() }
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn members_come_in_any_order() {
    let features = format!("[{},{}]", point(1.0, 2.0, r#"{"n":1}"#), point(3.0, 4.0, r#"{"n":2}"#));
    let crs = r#"{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}}"#;
    let usual = read_str(
        &format!(r#"{{"type":"FeatureCollection","crs":{crs},"features":{features}}}"#),
        &ReadOptions::default(),
    )
    .unwrap();
    for doc in [
        format!(r#"{{"features":{features},"crs":{crs},"type":"FeatureCollection"}}"#),
        format!(r#"{{"crs":{crs},"features":{features},"type":"FeatureCollection"}}"#),
        format!(r#"{{"type":"FeatureCollection","features":{features},"crs":{crs}}}"#),
    ] {
        let layer = read_str(&doc, &ReadOptions::default()).unwrap();
        assert_eq!(layer.crs, Some(Crs::SWEREF99_TM), "{doc}");
        assert_eq!(layer.fields, ["n"]);
        assert_eq!(layer.features.len(), 2);
        for (a, b) in layer.features.iter().zip(&usual.features) {
            assert_eq!(a.geometry, b.geometry);
            assert_eq!(a.values, b.values);
        }
    }
    // Inside a feature and a geometry too.
    let layer = read_str(
        &collection(&[r#"{"properties":{"n":5},"geometry":{"coordinates":[7,8],"type":"Point"},"type":"Feature"}"#]),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(layer.features[0].geometry, Some(geo::Geometry::Point(geo::Point::new(7.0, 8.0))));
    assert_eq!(layer.features[0].values.as_slice(), [Value::Number(5.0)]);
}

#[test]
fn a_single_feature_document_is_a_layer_of_one() {
    let layer = read_str(
        r#"{"properties":{"name":"Ett"},"type":"Feature","geometry":{"type":"Point","coordinates":[1.5,2.5]}}"#,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(layer.fields, ["name"]);
    assert_eq!(layer.features.len(), 1);
    assert_eq!(layer.features[0].geometry, Some(geo::Geometry::Point(geo::Point::new(1.5, 2.5))));
    assert_eq!(layer.features[0].values.as_slice(), [text("Ett")]);
    assert_eq!(
        error_of(r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}"#),
        "feature 0: invalid geometry: A position must contain two or more elements, but got `1`"
    );
}

#[test]
fn only_kept_properties_are_read_but_every_name_is_listed() {
    let doc = collection(&[
        &point(0.0, 0.0, r#"{"a":1,"b":"x","c":[1,2]}"#),
        &point(0.0, 0.0, r#"{"c":{"k":true},"b":"y"}"#),
        &point(0.0, 0.0, r#"{"d":null,"b":"z","e":1}"#),
        &point(0.0, 0.0, "null"),
    ]);
    let layer = read_str(&doc, &keep(&["b", "e"])).unwrap();
    assert_eq!(layer.fields, ["b", "e"]);
    assert_eq!(layer.file_fields, ["a", "b", "c", "d", "e"]);
    let values: Vec<Vec<Value>> = layer.features.iter().map(|f| f.values.to_vec()).collect();
    assert_eq!(
        values,
        [
            vec![text("x"), Value::Null],
            vec![text("y"), Value::Null],
            vec![text("z"), Value::Number(1.0)],
            vec![Value::Null, Value::Null],
        ]
    );
    let missing = layer.field_index("f").unwrap_err().to_string();
    assert!(missing.ends_with("has no field 'f'; its fields are: a, b, c, d, e"), "{missing}");

    // Every field kept: arrays and objects as their JSON text, numbers as doubles.
    let layer = read_str(&doc, &ReadOptions::default()).unwrap();
    assert_eq!(layer.fields, ["a", "b", "c", "d", "e"]);
    assert_eq!(
        layer.features[0].values.as_slice(),
        [Value::Number(1.0), text("x"), text("[1,2]"), Value::Null, Value::Null]
    );
    assert_eq!(
        layer.features[1].values.as_slice(),
        [Value::Null, text("y"), text(r#"{"k":true}"#), Value::Null, Value::Null]
    );
}

#[test]
fn errors_name_the_feature() {
    let good = point(1.0, 2.0, "{}");
    let cases = [
        ("5", "feature 1: is not a JSON object"),
        (r#"{"type":"feature"}"#, r#"feature 1: is not a GeoJSON Feature (its "type" is not "Feature")"#),
        (r#"{"geometry":null}"#, r#"feature 1: is not a GeoJSON Feature (its "type" is not "Feature")"#),
        (r#"{"type":"Feature","properties":[1]}"#, r#"feature 1: "properties" is not an object"#),
        (
            r#"{"type":"Feature","geometry":{"type":"Circle","coordinates":[1,2]}}"#,
            "feature 1: invalid geometry: unknown variant `Circle`, expected one of `Point`, `LineString`, `Polygon`, \
             `MultiPoint`, `MultiLineString`, `MultiPolygon`, `GeometryCollection`",
        ),
        (
            r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[1,2],[3,4]]}}"#,
            "feature 1: invalid geometry: Encountered geometry type: `Polygon` with unexpected coordinates dimensions: 1",
        ),
        (
            r#"{"type":"Feature","geometry":{"type":"LineString"}}"#,
            "feature 1: invalid geometry: Encountered geometry type: `LineString` with no `coordinates` key",
        ),
        (
            r#"{"type":"Feature","geometry":{"coordinates":[1,2]}}"#,
            "feature 1: invalid geometry: missing field `type`",
        ),
        (
            r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,"2"]}}"#,
            r#"feature 1: invalid geometry: invalid type: string "2", expected f64"#,
        ),
        (
            r#"{"type":"Feature","geometry":"POINT (1 2)"}"#,
            r#"feature 1: invalid geometry: invalid type: string "POINT (1 2)", expected Geometry object"#,
        ),
        // The type comes last, so the geometry is wrong before the feature is known not to be one.
        (
            r#"{"geometry":{"type":"Circle"},"properties":5,"type":"Feature!"}"#,
            r#"feature 1: is not a GeoJSON Feature (its "type" is not "Feature")"#,
        ),
        (
            r#"{"properties":5,"geometry":{"type":"Circle"},"type":"Feature"}"#,
            "feature 1: invalid geometry: unknown variant `Circle`, expected one of `Point`, `LineString`, `Polygon`, \
             `MultiPoint`, `MultiLineString`, `MultiPolygon`, `GeometryCollection`",
        ),
    ];
    for (bad, want) in cases {
        assert_eq!(error_of(&collection(&[&good, bad, bad, &good])), want, "{bad}");
    }
    // The first wrong feature is the one named.
    let doc = collection(&[&good, &good, &good, r#"{"type":"Feature","properties":1}"#, "null"]);
    assert_eq!(error_of(&doc), r#"feature 3: "properties" is not an object"#);
}

#[test]
fn file_level_faults_keep_their_order_and_words() {
    assert_eq!(error_of("[1, 2]"), r#"is not GeoJSON: expected a JSON object with "type": "FeatureCollection""#);
    assert_eq!(error_of(r#"{"features":[]}"#), r#"is not GeoJSON: the top-level object has no "type""#);
    assert_eq!(error_of(r#"{"type":7,"features":[]}"#), r#"is not GeoJSON: the top-level object has no "type""#);
    assert_eq!(
        error_of(r#"{"type":"Point","coordinates":[1,2]}"#),
        "is a GeoJSON Point, expected a FeatureCollection of features with properties"
    );
    assert_eq!(
        error_of(r#"{"type":"FeatureCollection","features":{}}"#),
        r#"is not GeoJSON: a FeatureCollection needs a "features" array"#
    );
    // A crs member outranks a wrong type and a wrong feature, wherever it comes.
    let crs = r#""crs":{"type":"name","properties":{"name":"EPSG:99999"}}"#;
    let message = error_of(&format!(r#"{{"type":"FeatureCollection","features":[5],{crs}}}"#));
    assert!(message.starts_with(r#"crs "EPSG:99999": "#), "{message}");
    let message = error_of(r#"{"type":"Topology","crs":null}"#);
    assert!(message.starts_with(r#"has a "crs" member arenagap cannot read"#), "{message}");
    // JSON syntax outranks everything said in the JSON; not being text outranks the syntax.
    let broken = r#"{"type":"FeatureCollection","features":[5],"crs":null,}"#;
    assert_eq!(error_of(broken), "is not valid GeoJSON: trailing comma at line 1 column 55");
    assert_eq!(
        error_of("{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\" \"geometry\":null}]}"),
        "is not valid GeoJSON: expected `,` or `}` at line 3 column 19"
    );
    assert_eq!(error_of("{} x"), "is not valid GeoJSON: trailing characters at line 1 column 4");
    let mut bytes = broken.as_bytes().to_vec();
    bytes.extend(b" \xff");
    assert_eq!(error_of_bytes(&bytes), "is not GeoJSON: the file is not UTF-8 text");
    let mut bytes = collection(&[&point(1.0, 2.0, r#"{"name":"Malm"}"#)]).into_bytes();
    let at = bytes.windows(4).position(|w| w == b"Malm").unwrap() + 4;
    bytes.insert(at, 0xF6); // Windows-1252 ö
    assert_eq!(error_of_bytes(&bytes), "is not GeoJSON: the file is not UTF-8 text");
    // A byte order mark is skipped: what follows it is read.
    assert_eq!(error_of_bytes(b"\xef\xbb\xbf{}"), "is not GeoJSON: the top-level object has no \"type\"");
    assert_eq!(error_of_bytes(b"\xef\xbb\xbf{,}"), "is not valid GeoJSON: key must be a string at line 1 column 2");
}

#[test]
fn positions_need_x_and_y_and_may_have_a_height() {
    let geometry = |g: &str| collection(&[&format!(r#"{{"type":"Feature","geometry":{g},"properties":{{}}}}"#)]);
    assert_eq!(
        error_of(&geometry(r#"{"type":"Point","coordinates":[5]}"#)),
        "feature 0: invalid geometry: A position must contain two or more elements, but got `1`"
    );
    assert_eq!(
        error_of(&geometry(r#"{"type":"Point","coordinates":[]}"#)),
        "feature 0: invalid geometry: A position must contain two or more elements, but got `0`"
    );
    assert_eq!(
        error_of(&geometry(r#"{"type":"LineString","coordinates":[[0,0],[5.5]]}"#)),
        "feature 0: invalid geometry: a position has 1 number(s), [5.5]; a position needs at least two, [x, y]"
    );
    assert_eq!(
        error_of(&geometry(
            r#"{"type":"GeometryCollection","geometries":[{"type":"MultiPoint","coordinates":[[1,2],[]]}]}"#
        )),
        "feature 0: invalid geometry: a position has 0 number(s), []; a position needs at least two, [x, y]"
    );
    let layer = read_str(
        &geometry(r#"{"type":"LineString","coordinates":[[1,2,100],[3e0,4.0E0,-7,8],[-5,6]]}"#),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        layer.features[0].geometry,
        Some(geo::Geometry::LineString(geo::LineString::from(vec![(1.0, 2.0), (3.0, 4.0), (-5.0, 6.0)])))
    );
}

#[test]
fn every_geometry_type_and_null() {
    let doc = collection(&[
        r#"{"type":"Feature","geometry":null,"properties":null}"#,
        r#"{"type":"Feature","properties":{"a":1}}"#,
        r#"{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}}"#,
        r#"{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[]]}}"#,
        r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2]]]}}"#,
        r#"{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}}"#,
        r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}"#,
        r#"{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[
            {"type":"Point","coordinates":[1,2,3]},
            {"type":"GeometryCollection","geometries":[{"type":"LineString","coordinates":[[0,0],[1,1]]}]}]}}"#,
    ]);
    let layer = read_str(&doc, &ReadOptions::default()).unwrap();
    use geo::{Geometry as G, LineString, Point, Polygon};
    let g: Vec<Option<G>> = layer.features.iter().map(|f| f.geometry.clone()).collect();
    assert_eq!(g[0], None);
    assert_eq!(g[1], None);
    assert_eq!(layer.features[0].values.as_slice(), [Value::Null]);
    assert_eq!(g[2], Some(G::MultiPoint(vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)].into())));
    assert_eq!(
        g[3],
        Some(G::MultiLineString(geo::MultiLineString(vec![
            LineString::from(vec![(1.0, 2.0), (3.0, 4.0)]),
            LineString(vec![])
        ])))
    );
    assert_eq!(
        g[4],
        Some(G::Polygon(Polygon::new(
            LineString::from(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 0.0)]),
            vec![LineString::from(vec![(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 1.0)])]
        )))
    );
    assert!(matches!(&g[5], Some(G::MultiPolygon(m)) if m.0.len() == 1));
    assert_eq!(g[6], Some(G::Polygon(Polygon::new(LineString(vec![]), vec![]))));
    assert_eq!(
        g[7],
        Some(G::GeometryCollection(geo::GeometryCollection(vec![
            G::Point(Point::new(1.0, 2.0)),
            G::GeometryCollection(geo::GeometryCollection(vec![G::LineString(LineString::from(vec![
                (0.0, 0.0),
                (1.0, 1.0)
            ]))]))
        ])))
    );
}

#[test]
fn numbers_of_any_form_and_out_of_range() {
    let layer = read_str(
        &collection(&[r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1.25e5,-0]},
            "properties":{"big":123456789012345678901234567890,"neg":-5,"e":2E-3}}"#]),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(layer.features[0].geometry, Some(geo::Geometry::Point(geo::Point::new(125000.0, 0.0))));
    assert_eq!(
        layer.features[0].values.as_slice(),
        [Value::Number(1.2345678901234568e29), Value::Number(-5.0), Value::Number(0.002)]
    );
    // Out of range is not JSON serde_json reads, wherever it is: in coordinates, and in what is skipped.
    let huge = collection(&[r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1e400,0]}}"#]);
    assert_eq!(error_of(&huge), "is not valid GeoJSON: number out of range at line 1 column 105");
    let skipped = collection(&[r#"{"type":"Feature","id":1e400,"geometry":null,"properties":{"x":-1e999}}"#]);
    assert_agree(skipped.as_bytes(), &keep(&[]));
    let (result, _) = read_bytes_with(skipped.as_bytes(), &keep(&[]), read);
    let message = result.unwrap_err().to_string();
    assert!(message.ends_with("is not valid GeoJSON: number out of range at line 1 column 68"), "{message}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    for (place, n) in [("coordinates", 100_000), ("properties", 100_000), ("id", 100_000), ("coordinates", 130)] {
        let doc = match place {
            "coordinates" => collection(&[&format!(
                r#"{{"type":"Feature","geometry":{{"type":"Point","coordinates":{}}}}}"#,
                deep(n)
            )]),
            "properties" => {
                collection(&[&format!(r#"{{"type":"Feature","geometry":null,"properties":{{"a":{}}}}}"#, deep(n))])
            }
            _ => collection(&[&format!(r#"{{"type":"Feature","id":{},"geometry":null}}"#, deep(n))]),
        };
        let message = error_of(&doc);
        assert!(
            message.starts_with("is not valid GeoJSON: recursion limit exceeded at line 1 column"),
            "{place}: {message}"
        );
        // Skipped properties are checked as deeply.
        assert_agree(doc.as_bytes(), &keep(&[]));
        let (result, _) = read_bytes_with(doc.as_bytes(), &keep(&[]), read);
        assert!(result.unwrap_err().to_string().contains("recursion limit exceeded"), "{place}");
    }
    let nested = "[[[[[0,0]]]]]";
    assert_eq!(
        error_of(&collection(&[&format!(
            r#"{{"type":"Feature","geometry":{{"type":"MultiPolygon","coordinates":{nested}}}}}"#
        )])),
        "feature 0: invalid geometry: coordinate nesting too deep"
    );
}

#[test]
fn a_member_given_twice_counts_with_its_last_value() {
    let doc = r#"{"type":"Topology","features":5,"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"a":1,"b":2},"properties":{"c":3,"c":4},"geometry":{"type":"Circle"},
         "geometry":{"type":"Point","coordinates":[0,"x"],"coordinates":[1,2]}}]}"#;
    let layer = read_str(doc, &ReadOptions::default()).unwrap();
    assert_eq!(layer.file_fields, ["c"]);
    assert_eq!(layer.features[0].values.as_slice(), [Value::Number(4.0)]);
    assert_eq!(layer.features[0].geometry, Some(geo::Geometry::Point(geo::Point::new(1.0, 2.0))));
}

/// The two readers give the same layer, or the same message.
fn assert_agree(bytes: &[u8], options: &ReadOptions) {
    let (new, _dir) = read_bytes_with(bytes, options, read);
    let (old, _dir2) = read_bytes_with(bytes, options, old::read);
    let shown = || String::from_utf8_lossy(bytes).chars().take(3000).collect::<String>();
    match (new, old) {
        (Ok(new), Ok(old)) => {
            assert_eq!(new.crs, old.crs, "{}", shown());
            assert_eq!(new.fields, old.fields, "{}", shown());
            assert_eq!(new.file_fields, old.file_fields, "{}", shown());
            assert_eq!(new.features.len(), old.features.len(), "{}", shown());
            for (a, b) in new.features.iter().zip(&old.features) {
                assert_eq!(a.geometry, b.geometry, "{}", shown());
                assert_eq!(a.values, b.values, "{}", shown());
            }
        }
        (Err(new), Err(old)) => {
            // The paths differ (two folders): compare what follows them.
            let strip = |e: crate::error::Error| {
                let s = e.to_string();
                s[s.find("layer.geojson").expect("the message names the file")..].to_string()
            };
            assert_eq!(strip(new), strip(old), "{}", shown());
        }
        (new, old) => {
            panic!("new {:?}, old {:?}: {}", new.map(|l| l.features.len()), old.map(|l| l.features.len()), shown())
        }
    }
}

/// A JSON document as a tree that can hold what a `serde_json::Value` cannot: a member twice, a number as
/// written.
#[derive(Clone, Debug)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
    /// Text written as it is (`1e400`, a deep nesting).
    Raw(String),
}

fn obj(members: Vec<(&str, Node)>) -> Node {
    Node::Obj(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Writes `node` as JSON text, with numbers, strings and whitespace written in random ways.
fn write(node: &Node, rng: &mut ChaCha8Rng, out: &mut String) {
    let space = |rng: &mut ChaCha8Rng, out: &mut String| {
        if rng.random_bool(0.05) {
            out.push_str([" ", "\n", "\t", "\r\n  "][rng.random_range(0..4)]);
        }
    };
    space(rng, out);
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => match rng.random_range(0..6) {
            0 => out.push_str(&format!("{i}.0")),
            1 => out.push_str(&format!("{i}e0")),
            2 => out.push_str(&format!("{i}0E-1")),
            _ => out.push_str(&i.to_string()),
        },
        Node::Float(f) => match rng.random_range(0..4) {
            0 => out.push_str(&format!("{f:e}")),
            1 => out.push_str(&format!("{f:E}")),
            _ => out.push_str(&f.to_string()),
        },
        Node::Str(s) => write_str(s, rng, out),
        Node::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, rng, out);
            }
            space(rng, out);
            out.push(']');
        }
        Node::Obj(members) => {
            out.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                space(rng, out);
                write_str(key, rng, out);
                space(rng, out);
                out.push(':');
                write(value, rng, out);
            }
            space(rng, out);
            out.push('}');
        }
        Node::Raw(raw) => out.push_str(raw),
    }
    space(rng, out);
}

/// Writes a JSON string, some characters as `\u` escapes.
fn write_str(s: &str, rng: &mut ChaCha8Rng, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x10000 && rng.random_bool(0.03) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn number(rng: &mut ChaCha8Rng) -> Node {
    match rng.random_range(0..10) {
        0 => Node::Int(rng.random_range(-1000..1000)),
        1 => Node::Int(rng.random_range(200_000..900_000)),
        2 => Node::Raw("123456789012345678901234".into()),
        3 => Node::Float(rng.random_range(-1e-3..1e-3)),
        4 => Node::Float(rng.random_range(-180.0..180.0)),
        _ => Node::Float((rng.random_range(200_000.0..7_000_000.0f64) * 100.0).round() / 100.0),
    }
}

fn position(rng: &mut ChaCha8Rng) -> Node {
    let n = match rng.random_range(0..200) {
        0 => 0,
        1 => 1,
        2..=15 => 3,
        16 => 4,
        _ => 2,
    };
    Node::Arr((0..n).map(|_| number(rng)).collect())
}

/// Coordinates nested `depth` deep (0: a position).
fn coordinates(rng: &mut ChaCha8Rng, depth: usize) -> Node {
    if depth == 0 {
        return position(rng);
    }
    let n = if rng.random_bool(0.05) { 0 } else { rng.random_range(1..5) };
    Node::Arr((0..n).map(|_| coordinates(rng, depth - 1)).collect())
}

const KINDS: [&str; 7] =
    ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"];

fn geometry(rng: &mut ChaCha8Rng, depth: usize) -> Node {
    let kind = KINDS[rng.random_range(0..if depth > 2 { 6 } else { 7 })];
    let mut members = vec![("type", Node::Str(kind.into()))];
    let nesting = match kind {
        "Point" => 0,
        "MultiPoint" | "LineString" => 1,
        "MultiLineString" | "Polygon" => 2,
        "MultiPolygon" => 3,
        _ => 9,
    };
    if nesting == 9 {
        let n = rng.random_range(0..4);
        members.push(("geometries", Node::Arr((0..n).map(|_| geometry(rng, depth + 1)).collect())));
    } else {
        // Now and then the wrong depth for the type.
        let nesting = if rng.random_bool(0.03) { rng.random_range(0..4) } else { nesting };
        members.push(("coordinates", coordinates(rng, nesting)));
    }
    if rng.random_bool(0.1) {
        members.push(("bbox", Node::Arr((0..4).map(|_| number(rng)).collect())));
    }
    if rng.random_bool(0.1) {
        members.push(("extra", value(rng, 0)));
    }
    shuffle(rng, &mut members);
    obj(members)
}

const KEYS: [&str; 8] = ["a", "b", "children", "name", "Åby", "x y", "with \"quotes\"", "typ"];

fn value(rng: &mut ChaCha8Rng, depth: usize) -> Node {
    match rng.random_range(0..if depth > 2 { 6 } else { 8 }) {
        0 => Node::Null,
        1 => Node::Bool(rng.random_bool(0.5)),
        2 | 3 => number(rng),
        4 | 5 => Node::Str(["", "Göteborg", "D0042", "a\\b", "tab\there", "€𝄞"][rng.random_range(0..6)].into()),
        6 => Node::Arr((0..rng.random_range(0..3)).map(|_| value(rng, depth + 1)).collect()),
        _ => Node::Obj(
            (0..rng.random_range(0..3))
                .map(|_| (KEYS[rng.random_range(0..8)].to_string(), value(rng, depth + 1)))
                .collect(),
        ),
    }
}

fn properties(rng: &mut ChaCha8Rng) -> Node {
    let mut keys: Vec<&str> = KEYS.iter().copied().filter(|_| rng.random_bool(0.4)).collect();
    shuffle(rng, &mut keys);
    Node::Obj(keys.into_iter().map(|k| (k.to_string(), value(rng, 0))).collect())
}

fn feature_members(rng: &mut ChaCha8Rng) -> Vec<(&'static str, Node)> {
    let mut members = vec![];
    match rng.random_range(0..20) {
        0 => members.push(("geometry", Node::Null)),
        1 => {}
        _ => members.push(("geometry", geometry(rng, 0))),
    }
    match rng.random_range(0..20) {
        0 => members.push(("properties", Node::Null)),
        1 | 2 => {}
        _ => members.push(("properties", properties(rng))),
    }
    if rng.random_bool(0.2) {
        members.push(("id", value(rng, 0)));
    }
    members
}

fn feature(rng: &mut ChaCha8Rng) -> Node {
    let mut members = feature_members(rng);
    members.push(("type", Node::Str("Feature".into())));
    shuffle(rng, &mut members);
    obj(members)
}

fn crs(rng: &mut ChaCha8Rng) -> Node {
    let name = ["urn:ogc:def:crs:EPSG::3006", "EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:9999"]
        [rng.random_range(0..4)];
    obj(vec![("type", Node::Str("name".into())), ("properties", obj(vec![("name", Node::Str(name.into()))]))])
}

fn document(rng: &mut ChaCha8Rng) -> Node {
    let mut members = if rng.random_bool(0.1) {
        let mut m = feature_members(rng);
        m.push(("type", Node::Str("Feature".into())));
        m
    } else {
        let n = rng.random_range(0..8);
        vec![
            ("type", Node::Str("FeatureCollection".into())),
            ("features", Node::Arr((0..n).map(|_| feature(rng)).collect())),
        ]
    };
    if rng.random_bool(0.3) {
        members.push(("crs", crs(rng)));
    }
    if rng.random_bool(0.1) {
        members.push(("name", Node::Str("children".into())));
    }
    shuffle(rng, &mut members);
    obj(members)
}

fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}

/// How many nodes `node` has (itself included).
fn count(node: &Node) -> usize {
    1 + match node {
        Node::Arr(items) => items.iter().map(count).sum(),
        Node::Obj(members) => members.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

/// The node at `index` in pre-order (`index` counts down to it).
fn nth<'a>(node: &'a mut Node, index: &mut usize) -> Option<&'a mut Node> {
    if *index == 0 {
        return Some(node);
    }
    *index -= 1;
    match node {
        Node::Arr(items) => items.iter_mut().find_map(|i| nth(i, index)),
        Node::Obj(members) => members.iter_mut().find_map(|(_, v)| nth(v, index)),
        _ => None,
    }
}

/// Something to put where a value was.
fn junk(rng: &mut ChaCha8Rng) -> Node {
    match rng.random_range(0..14) {
        0 => Node::Null,
        1 => Node::Bool(true),
        2 => number(rng),
        3 => Node::Str(["Feature", "Point", "FeatureCollection", "x", "Polygon"][rng.random_range(0..5)].into()),
        4 => Node::Arr(vec![]),
        5 => Node::Obj(vec![]),
        6 => Node::Raw("1e400".into()),
        7 => Node::Raw(format!("{}{}", "[".repeat(130), "]".repeat(130))),
        8 => position(rng),
        9 => {
            let depth = rng.random_range(1..5);
            coordinates(rng, depth)
        }
        10 => geometry(rng, 0),
        11 => feature(rng),
        12 => obj(vec![("Point", Node::Null)]),
        _ => crs(rng),
    }
}

/// Breaks the document somewhere: a value replaced, a member added again or removed.
fn mutate(doc: &mut Node, rng: &mut ChaCha8Rng) {
    let mut index = rng.random_range(0..count(doc));
    let node = nth(doc, &mut index).expect("the index is within the tree");
    match rng.random_range(0..3) {
        0 => *node = junk(rng),
        1 => {
            if let Node::Obj(members) = node {
                let key = ["type", "geometry", "properties", "coordinates", "geometries", "crs", "features", "a"]
                    [rng.random_range(0..8)];
                let at = rng.random_range(0..=members.len());
                members.insert(at, (key.to_string(), junk(rng)));
            } else {
                *node = junk(rng);
            }
        }
        _ => match node {
            Node::Obj(members) if !members.is_empty() => {
                members.remove(rng.random_range(0..members.len()));
            }
            Node::Arr(items) if !items.is_empty() => {
                items.remove(rng.random_range(0..items.len()));
            }
            _ => *node = junk(rng),
        },
    }
}

/// Breaks the text: cut off, a byte put in, taken out or replaced (sometimes one that is not UTF-8).
fn mutate_text(bytes: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
    if bytes.is_empty() {
        return;
    }
    let at = rng.random_range(0..bytes.len());
    let bytes_to_put = b",:[]{}\"\\ x0-e\xff\xc3";
    let byte = bytes_to_put[rng.random_range(0..bytes_to_put.len())];
    match rng.random_range(0..4) {
        0 => bytes.truncate(at),
        1 => bytes.insert(at, byte),
        2 => {
            bytes.remove(at);
        }
        _ => bytes[at] = byte,
    }
}

fn options(rng: &mut ChaCha8Rng) -> ReadOptions {
    if rng.random_bool(0.5) {
        return ReadOptions::default();
    }
    let mut kept: Vec<&str> = KEYS.iter().copied().filter(|_| rng.random_bool(0.3)).collect();
    if rng.random_bool(0.2) {
        kept.push("not there");
    }
    keep(&kept)
}

#[test]
fn agrees_with_the_reader_it_replaced_on_random_documents() {
    let mut rng = ChaCha8Rng::seed_from_u64(105);
    let (mut read_ok, mut refused) = (0, 0);
    for _ in 0..1500 {
        let doc = document(&mut rng);
        let mut text = String::new();
        write(&doc, &mut rng, &mut text);
        let options = options(&mut rng);
        assert_agree(text.as_bytes(), &options);
        let ok = read_str(&text, &options).is_ok();
        read_ok += usize::from(ok);
        refused += usize::from(!ok);
    }
    // Mostly readable, so that layers are compared and not only messages.
    assert!(read_ok > 1000 && refused > 50, "{read_ok} read, {refused} refused");
}

#[test]
fn agrees_with_the_reader_it_replaced_on_broken_documents() {
    let mut rng = ChaCha8Rng::seed_from_u64(106);
    let mut messages = std::collections::BTreeSet::new();
    for i in 0..3000 {
        let mut doc = document(&mut rng);
        for _ in 0..rng.random_range(1..4) {
            mutate(&mut doc, &mut rng);
        }
        let mut text = String::new();
        write(&doc, &mut rng, &mut text);
        let mut bytes = text.into_bytes();
        if i % 4 == 0 {
            mutate_text(&mut bytes, &mut rng);
        }
        let options = options(&mut rng);
        assert_agree(&bytes, &options);
        if let Err(e) = read_bytes_with(&bytes, &options, read).0 {
            let e = e.to_string();
            let e = &e[e.find("layer.geojson").unwrap_or(0)..];
            // The kind of message, without positions and values.
            // The kind of message: without numbers, and cut where values are quoted.
            let kind: String = e.chars().filter(|c| !c.is_ascii_digit()).collect();
            messages.insert(kind.split(['`', '"', '[']).next().unwrap_or("").to_string());
        }
    }
    assert!(messages.len() > 15, "the broken documents met too few kinds of fault: {messages:#?}");
}
mod old {
    //! The reader as it was before it streamed (commit 88d5022): the whole file into a `serde_json::Value`, each
    //! feature through the geojson crate into `geo` types. The oracle for the streaming reader, with the two
    //! changes made on purpose since (a byte order mark skipped, MultiPolygon parts without rings read as empty).

    use std::path::Path;

    use serde_json::Value as Json;

    use super::super::parse_crs_member;
    use crate::error::{Error, Result};
    use crate::input::{keeps, Feature, Format, Layer, ReadOptions, Value};

    pub(super) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::input(path, "is not GeoJSON: the file is not UTF-8 text"),
            _ => Error::io(path, e),
        })?;
        // Deliberate change since: a UTF-8 byte order mark at the start is skipped.
        let root: Json = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text))
            .map_err(|e| Error::input(path, format!("is not valid GeoJSON: {e}")))?;
        drop(text);
        let Json::Object(mut root) = root else {
            return Err(Error::input(
                path,
                "is not GeoJSON: expected a JSON object with \"type\": \"FeatureCollection\"",
            ));
        };
        let crs = match root.get("crs") {
            Some(crs) => Some(parse_crs_member(path, crs)?),
            None => None,
        };
        let features = match root.get("type").and_then(Json::as_str) {
            Some("FeatureCollection") => match root.remove("features") {
                Some(Json::Array(features)) => features,
                _ => return Err(Error::input(path, "is not GeoJSON: a FeatureCollection needs a \"features\" array")),
            },
            Some("Feature") => vec![Json::Object(root)],
            Some(other) => {
                return Err(Error::input(
                    path,
                    format!("is a GeoJSON {other}, expected a FeatureCollection of features with properties"),
                ))
            }
            None => return Err(Error::input(path, "is not GeoJSON: the top-level object has no \"type\"")),
        };

        let mut fields: Vec<String> = Vec::new();
        let mut file_fields: Vec<String> = Vec::new();
        type Row = (Option<geo::Geometry<f64>>, serde_json::Map<String, Json>);
        let mut rows: Vec<Row> = Vec::with_capacity(features.len());
        for (i, feature) in features.into_iter().enumerate() {
            let location = Format::GeoJson.location(i);
            let Json::Object(mut feature) = feature else {
                return Err(Error::feature(path, location, "is not a JSON object"));
            };
            if feature.get("type").and_then(Json::as_str) != Some("Feature") {
                return Err(Error::feature(
                    path,
                    location,
                    "is not a GeoJSON Feature (its \"type\" is not \"Feature\")",
                ));
            }
            let geometry = match feature.remove("geometry") {
                None | Some(Json::Null) => None,
                Some(mut g) => {
                    // Deliberate change since: a MultiPolygon's parts without rings (`[[]]`) are empty parts, as
                    // a Polygon's `[]` is; the geojson crate refused them. Written as parts of one empty ring,
                    // which it reads into the same geometry.
                    if g.get("type").and_then(Json::as_str) == Some("MultiPolygon") {
                        if let Some(Json::Array(parts)) = g.get_mut("coordinates") {
                            if !parts.is_empty() && parts.iter().all(|p| p.as_array().is_some_and(Vec::is_empty)) {
                                parts.iter_mut().for_each(|p| *p = Json::Array(vec![Json::Array(vec![])]));
                            }
                        }
                    }
                    let g = serde_json::from_value::<geojson::Geometry>(g)
                        .map_err(|e| Error::feature(path, location.clone(), format!("invalid geometry: {e}")))?;
                    // The geojson crate's conversion indexes positions as [x, y]: check first that each has both.
                    check_positions(&g.value)
                        .map_err(|e| Error::feature(path, location.clone(), format!("invalid geometry: {e}")))?;
                    let g = geo::Geometry::<f64>::try_from(g)
                        .map_err(|e| Error::feature(path, location.clone(), format!("invalid geometry: {e}")))?;
                    Some(g)
                }
            };
            let properties = match feature.remove("properties") {
                None | Some(Json::Null) => serde_json::Map::new(),
                Some(Json::Object(p)) => p,
                Some(_) => return Err(Error::feature(path, location, "\"properties\" is not an object")),
            };
            for key in properties.keys() {
                if !file_fields.iter().any(|f| f == key) {
                    file_fields.push(key.clone());
                    if keeps(options, key) {
                        fields.push(key.clone());
                    }
                }
            }
            rows.push((geometry, properties));
        }
        let features = rows
            .into_iter()
            .map(|(geometry, mut properties)| Feature {
                geometry,
                values: fields.iter().map(|f| properties.remove(f).map(json_value).unwrap_or(Value::Null)).collect(),
            })
            .collect();
        Ok(Layer::single(path, Format::GeoJson, crs, fields, file_fields, features))
    }

    fn json_value(v: Json) -> Value {
        match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => n.as_f64().map(Value::Number).unwrap_or(Value::Null),
            Json::String(s) => Value::Text(s.into()),
            other => Value::Text(other.to_string().into()),
        }
    }

    /// Every position of a geometry has at least two numbers (x and y; a third, the height, is allowed and dropped).
    fn check_positions(value: &geojson::GeometryValue) -> std::result::Result<(), String> {
        use geojson::GeometryValue as G;
        fn all<'a>(positions: impl IntoIterator<Item = &'a geojson::Position>) -> std::result::Result<(), String> {
            for p in positions {
                if p.len() < 2 {
                    return Err(format!(
                        "a position has {} number(s), [{}]; a position needs at least two, [x, y]",
                        p.len(),
                        p.as_slice().iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
            Ok(())
        }
        match value {
            G::Point { coordinates } => all([coordinates]),
            G::MultiPoint { coordinates } | G::LineString { coordinates } => all(coordinates),
            G::MultiLineString { coordinates } | G::Polygon { coordinates } => all(coordinates.iter().flatten()),
            G::MultiPolygon { coordinates } => all(coordinates.iter().flatten().flatten()),
            G::GeometryCollection { geometries } => geometries.iter().try_for_each(|g| check_positions(&g.value)),
        }
    }
}
