//! GeoPackages (SQLite databases with gpkg_* tables) that are not GeoPackages, lack the layer asked for, or hold
//! damaged rows.

use super::*;

/// A copy, in `s` as `CASE.gpkg`, of the GeoPackage of the good demo output (layers districts, gaps, children and
/// arenas), with `sql` run on it, foreign keys off. The R-tree triggers of the arenas table are dropped first: they call GeoPackage
/// SQL functions that plain SQLite does not have.
fn damaged_gpkg(s: &Scratch, case: &str, sql: &str) -> PathBuf {
    let path = s.path().join(format!("{case}.gpkg"));
    std::fs::copy(good_output().join("arenagap.gpkg"), &path).expect("copying the GeoPackage");
    let conn = rusqlite::Connection::open(&path).expect("the copy opens");
    // Damage that a foreign key would refuse (an srs_id that is not defined) is the point.
    conn.execute_batch("PRAGMA foreign_keys = OFF").expect("pragma");
    let triggers: Vec<String> = {
        let mut stmt =
            conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'arenas'").expect("sql");
        stmt.query_map([], |r| r.get(0)).expect("query").map(|t| t.expect("a name")).collect()
    };
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\"")).expect("drop trigger");
    }
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("{case}: {e}"));
    path
}

/// A GeoPackage point blob (little-endian, no envelope) in EPSG:3006 holding the WKB `wkb` (hex).
fn blob(wkb: &str) -> String {
    format!("X'47500001BE0B0000{wkb}'")
}

/// The demo's arenas GeoPackage (layer 'arenas'), damaged one way at a time. Each: the case, the SQL, what the
/// message says, and the fid it names.
#[test]
fn damaged_geopackage_rows() {
    let cases: Vec<(&str, String, &[&str], &str)> = vec![
        (
            "blob-byte-order",
            format!("UPDATE arenas SET geom = {} WHERE fid = 5", blob("DEADBEEFDEADBEEF")),
            &["geometry blob does not decode", "byte order"],
            "fid 5",
        ),
        (
            "blob-too-short",
            "UPDATE arenas SET geom = X'00' WHERE fid = 2".into(),
            &["geometry blob does not decode", "shorter than the 8-byte GeoPackage header"],
            "fid 2",
        ),
        (
            "blob-text",
            "UPDATE arenas SET geom = 'POINT (311000 6391000)' WHERE fid = 2".into(),
            &["column 'geom' holds text", "instead of a GeoPackage geometry blob"],
            "fid 2",
        ),
        (
            "blob-null",
            "UPDATE arenas SET geom = NULL WHERE fid = 5".into(),
            &["has no geometry", "expected a Point"],
            "fid 5",
        ),
        // A MultiPoint claiming 4 billion points in a 9-byte body.
        (
            "blob-huge-count",
            format!("UPDATE arenas SET geom = {} WHERE fid = 5", blob("01040000000000FFFF")),
            &["geometry blob does not decode", "Invalid buffer length"],
            "fid 5",
        ),
        // Empty (the envelope flag says so): NaN coordinates.
        (
            "blob-empty-point",
            format!("UPDATE arenas SET geom = {} WHERE fid = 7", blob("0101000000000000000000F87F000000000000F87F")),
            &["has no geometry", "expected a Point"],
            "fid 7",
        ),
        (
            "point-at-zero",
            format!("UPDATE arenas SET geom = {} WHERE fid = 4", blob("010100000000000000000000000000000000000000")),
            &["(0, 0) is outside the valid area of EPSG:3006"],
            "fid 4",
        ),
    ];
    for (case, sql, says, fid) in cases {
        let s = Scratch::new();
        let path = damaged_gpkg(&s, case, &sql);
        let name = format!("{case}.gpkg");
        let mut cmd = analyze_demo_with(ARENAS, &path, &s.out());
        cmd.args(["--arenas-layer", "arenas"]);
        let stderr = assert_bad_input_at(&mut cmd, &name, &format!("layer 'arenas', {fid}"), &s.out());
        assert_says(&stderr, says);
    }
}

/// GeoPackages that are not GeoPackages, or lack the layer asked for. Each: the case, how it is made, the layer
/// flag, and what the message says.
#[test]
fn geopackages_without_the_layer() {
    type Make = fn(&Scratch, &str) -> PathBuf;
    let cases: Vec<(&str, Make, Option<&str>, &[&str])> = vec![
        (
            "not-sqlite",
            |s, case| s.write(&format!("{case}.gpkg"), "hello, not SQLite"),
            None,
            &["is not a GeoPackage", "not an SQLite database"],
        ),
        (
            "plain-sqlite",
            |s, case| {
                let path = s.path().join(format!("{case}.gpkg"));
                let conn = rusqlite::Connection::open(&path).expect("a new database");
                conn.execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);").expect("sql");
                path
            },
            None,
            &["is an SQLite database but not a GeoPackage", "no gpkg_contents table"],
        ),
        (
            "no-feature-layers",
            |s, case| damaged_gpkg(s, case, "UPDATE gpkg_contents SET data_type = 'attributes'"),
            None,
            &["has no feature layers"],
        ),
        (
            "truncated",
            |s, case| {
                let bytes = std::fs::read(good_output().join("arenagap.gpkg")).expect("the GeoPackage");
                s.write(&format!("{case}.gpkg"), &bytes[..5000])
            },
            Some("arenas"),
            &["cannot be read as a GeoPackage", "malformed"],
        ),
        (
            "four-layers-none-named",
            |s, case| damaged_gpkg(s, case, ""),
            None,
            &["has 4 layers (districts, gaps, children, arenas)", "--arenas-layer NAME"],
        ),
        (
            "layer-not-there",
            |s, case| damaged_gpkg(s, case, ""),
            Some("nope"),
            &["has no layer 'nope'", "its layers are: districts, gaps, children, arenas"],
        ),
        (
            "table-dropped",
            |s, case| damaged_gpkg(s, case, "DROP TABLE arenas"),
            Some("arenas"),
            &["layer 'arenas' is listed in gpkg_contents but its table is not in the file"],
        ),
        (
            "srs-undefined",
            |s, case| {
                damaged_gpkg(
                    s,
                    case,
                    "UPDATE gpkg_contents SET srs_id = 9999 WHERE table_name = 'arenas';
                     UPDATE gpkg_geometry_columns SET srs_id = 9999 WHERE table_name = 'arenas';",
                )
            },
            Some("arenas"),
            &["layer 'arenas'", "srs_id 9999 is not defined in gpkg_spatial_ref_sys"],
        ),
        (
            "no-kind-field",
            |s, case| damaged_gpkg(s, case, ""),
            Some("gaps"),
            &["layer 'gaps' has no field 'kind'", "its fields are: zone_id"],
        ),
    ];
    for (case, make, layer, says) in cases {
        let s = Scratch::new();
        let path = make(&s, case);
        let mut cmd = analyze_demo_with(ARENAS, &path, &s.out());
        if let Some(layer) = layer {
            cmd.args(["--arenas-layer", layer]);
        }
        let stderr = assert_bad_input(&mut cmd, &format!("{case}.gpkg"), &s.out());
        assert_says(&stderr, says);
    }
}

/// The districts layer (polygons) given as the arenas, with a field it has as the kind.
#[test]
fn polygon_layer_given_as_arenas() {
    let s = Scratch::new();
    let path = damaged_gpkg(&s, "districts-as-arenas", "");
    let mut cmd = analyze_demo_with(ARENAS, &path, &s.out());
    cmd.args(["--arenas-layer", "districts", "--arena-kind", "district_name"]);
    let stderr = assert_bad_input_at(&mut cmd, "districts-as-arenas.gpkg", "layer 'districts', fid 1", &s.out());
    assert_says(&stderr, &["geometry is a MultiPolygon", "expected a Point (an arena)"]);
}
