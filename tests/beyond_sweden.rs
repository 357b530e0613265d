//! Beyond Sweden (issue 8): a tiny Helsinki in WGS 84 lon/lat, analysed in EPSG:3067 (ETRS-TM35FIN) when asked
//! and in its UTM zone (EPSG:32635) when no analysis CRS is given; the outputs declare the CRS they are in.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::common::{arenagap, features, read_json, run_warnings, Scratch};

/// Two districts of central Helsinki, children at five points, a family centre and a library; all lon/lat.
pub(crate) fn helsinki(s: &Scratch) -> [PathBuf; 3] {
    let square = |x0: f64, x1: f64| json!([[[x0, 60.15], [x1, 60.15], [x1, 60.19], [x0, 60.19], [x0, 60.15]]]);
    let districts = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "H1", "name": "Kamppi"},
         "geometry": {"type": "Polygon", "coordinates": square(24.90, 24.95)}},
        {"type": "Feature", "properties": {"id": "H2", "name": "Kallio"},
         "geometry": {"type": "Polygon", "coordinates": square(24.95, 25.00)}},
    ]});
    let point = |lon: f64, lat: f64, children: u32| {
        json!({"type": "Feature", "properties": {"children": children},
               "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    };
    let children = json!({"type": "FeatureCollection", "features": [
        // 0.01° of latitude north of the family centre: 1 114.0 m on the WGS 84 meridian at 60.165°.
        point(24.93, 60.175, 12),
        point(24.92, 60.16, 30),
        point(24.94, 60.18, 8),
        point(24.97, 60.17, 25),
        point(24.99, 60.155, 40),
    ]});
    let arena = |name: &str, kind: &str, lon: f64, lat: f64| {
        json!({"type": "Feature", "properties": {"name": name, "kind": kind},
               "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    };
    let arenas = json!({"type": "FeatureCollection", "features": [
        arena("Kampin perhekeskus", "Familjecentral", 24.93, 60.165),
        arena("Kallion kirjasto", "Bibliotek", 24.98, 60.17),
    ]});
    [("districts", districts), ("children", children), ("arenas", arenas)]
        .map(|(name, value)| s.write_json(&format!("{name}.geojson"), &value))
}

/// `arenagap analyze` on the tiny Helsinki, with `extra` flags, into `out`; its stderr.
fn analyze(files: &[PathBuf; 3], out: &Path, extra: &[&str]) -> String {
    let output = arenagap()
        .arg("analyze")
        .arg("--districts")
        .arg(&files[0])
        .arg("--children")
        .arg(&files[1])
        .args(["--children-count", "children"])
        .arg("--arenas")
        .arg(&files[2])
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("arenagap runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "arenagap failed:\n{stderr}");
    stderr
}

/// The `nearest_any_m` of every child point, in file order.
fn nearest(out: &Path) -> Vec<f64> {
    let children = read_json(&out.join("children.geojson"));
    features(&children).iter().map(|f| f["properties"]["nearest_any_m"].as_f64().expect("a distance")).collect()
}

/// The EPSG code of the one spatial reference system the GeoPackage's layers use.
fn gpkg_srs(out: &Path) -> (i64, String) {
    let conn = rusqlite::Connection::open(out.join("arenagap.gpkg")).expect("the GeoPackage opens");
    let codes: Vec<i64> = conn
        .prepare("SELECT DISTINCT srs_id FROM gpkg_geometry_columns")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("gpkg_geometry_columns");
    assert_eq!(codes.len(), 1, "{codes:?}");
    let definition: String = conn
        .query_row("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1", [codes[0]], |r| r.get(0))
        .expect("the layers' srs is defined");
    (codes[0], definition)
}

fn project_crs(out: &Path) -> String {
    let project = std::fs::read_to_string(out.join("arenagap.qgs")).expect("arenagap.qgs");
    let start = project.find("<projectCrs>").expect("a project CRS");
    let end = start + project[start..].find("</projectCrs>").expect("closed");
    project[start..end].to_string()
}

fn resolved_analysis_crs(out: &Path) -> Value {
    read_json(&out.join("run.json"))["resolved"]["analysis_crs"].clone()
}

#[test]
fn helsinki_in_tm35fin_and_in_its_utm_zone() {
    let s = Scratch::new();
    let files = helsinki(&s);

    // Asked for EPSG:3067, output in it too.
    let finland = s.path().join("tm35fin");
    analyze(&files, &finland, &["--quiet", "--analysis-crs", "EPSG:3067", "--output-crs", "EPSG:3067"]);
    assert_eq!(resolved_analysis_crs(&finland), "EPSG:3067");
    assert!(!run_warnings(&finland).iter().any(|w| w.contains("analysis CRS")), "{:?}", run_warnings(&finland));
    for layer in ["districts", "children", "arenas"] {
        let collection = read_json(&finland.join(format!("{layer}.geojson")));
        assert_eq!(collection["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::3067", "{layer}");
    }
    let arenas = read_json(&finland.join("arenas.geojson"));
    let first = &features(&arenas)[0]["geometry"]["coordinates"];
    // pyproj 3.7.2: EPSG:4326 → 3067 of (24.93, 60.165) = (385128.23668304016, 6671587.425307001).
    assert!((first[0].as_f64().unwrap() - 385_128.236_683).abs() < 0.01, "{first}");
    assert!((first[1].as_f64().unwrap() - 6_671_587.425_307).abs() < 0.01, "{first}");
    let (srs, definition) = gpkg_srs(&finland);
    assert_eq!(srs, 3067);
    assert!(definition.starts_with("PROJCS[\"ETRS89 / TM35FIN(E,N)\""), "{definition}");
    assert!(project_crs(&finland).contains("<authid>EPSG:3067</authid>"), "{}", project_crs(&finland));

    // No analysis CRS: the data's UTM zone, said on stderr and in run.json.
    let auto = s.path().join("auto");
    let stderr = analyze(&files, &auto, &[]);
    let notice = "analysis CRS: EPSG:32635 (WGS 84 / UTM zone 35N), chosen for data at longitude 24.95, latitude \
                  60.17";
    assert!(stderr.lines().any(|l| l.starts_with(&format!("warning: {notice}"))), "{stderr}");
    assert!(run_warnings(&auto)
        .iter()
        .any(|w| w.starts_with(notice) && w.ends_with("give --analysis-crs to choose another")));
    assert_eq!(resolved_analysis_crs(&auto), "EPSG:32635");
    assert_eq!(gpkg_srs(&auto).0, 32635);
    assert!(project_crs(&auto).contains("<authid>EPSG:32635</authid>"), "{}", project_crs(&auto));
    // GeoJSON stays RFC 7946 lon/lat by default.
    assert!(read_json(&auto.join("arenas.geojson")).get("crs").is_none());

    // The same distances either way (the two are one projection on two nearly equal ellipsoids), and true: the
    // first child is 1 114.0 m north of the family centre (the WGS 84 meridian arc of 0.01° at 60.165°N).
    let (tm35fin, utm) = (nearest(&finland), nearest(&auto));
    assert_eq!(tm35fin.len(), 5);
    for (a, b) in tm35fin.iter().zip(&utm) {
        assert!((a - b).abs() < 0.01, "{tm35fin:?} vs {utm:?}");
    }
    let phi = 60.165f64.to_radians();
    let e2 = 0.006_694_379_990_14;
    let arc = 6_378_137.0 * (1.0 - e2) / (1.0 - e2 * phi.sin().powi(2)).powf(1.5) * 0.01f64.to_radians();
    assert!((utm[0] / arc - 1.0).abs() < 1e-3, "{} m vs {arc} m", utm[0]);
}

#[test]
fn helsinki_children_in_tm35fin_give_the_same_distances() {
    // The child points in EPSG:3067 (pyproj 3.7.2, EPSG:4326 → 3067 of the lon/lat points), the others lon/lat:
    // read, moved into the UTM zone the districts choose, the same distances as from lon/lat.
    let s = Scratch::new();
    let files = helsinki(&s);
    let tm35fin = [
        (385163.1456046709, 6672700.76431993, 12),
        (384555.8859645418, 6671048.195572446, 30),
        (385735.1633901289, 6673240.086300962, 8),
        (387364.62395746127, 6672075.192422879, 25),
        (388423.259594423, 6670371.207267059, 40),
    ];
    let children = json!({"type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}},
        "features": tm35fin.iter().map(|(x, y, n)| json!({"type": "Feature", "properties": {"children": n},
            "geometry": {"type": "Point", "coordinates": [x, y]}})).collect::<Vec<_>>()});
    let projected = s.write_json("children_3067.geojson", &children);
    let (lonlat, mixed) = (s.path().join("lonlat"), s.path().join("mixed"));
    analyze(&files, &lonlat, &["--quiet"]);
    analyze(&[files[0].clone(), projected, files[2].clone()], &mixed, &["--quiet"]);
    assert_eq!(resolved_analysis_crs(&mixed), "EPSG:32635");
    let run = read_json(&mixed.join("run.json"));
    let crs: Vec<&str> = run["inputs"].as_array().unwrap().iter().map(|i| i["crs"].as_str().unwrap()).collect();
    assert_eq!(crs, ["EPSG:4326", "EPSG:3067", "EPSG:4326"]);
    for (a, b) in nearest(&lonlat).iter().zip(nearest(&mixed)) {
        assert!((a - b).abs() < 0.01, "{a} vs {b}");
    }
}

#[test]
fn unusable_analysis_crs_is_an_error_naming_the_flag() {
    let s = Scratch::new();
    let files = helsinki(&s);
    for (crs, says) in [
        ("EPSG:4258", "--analysis-crs EPSG:4258: distances need a metric CRS such as EPSG:3006, not degrees"),
        ("EPSG:9999", "--analysis-crs EPSG:9999: unsupported CRS EPSG:9999: not a code of arenagap's EPSG table"),
        ("EPSG:3857", "--analysis-crs EPSG:3857: EPSG:3857 (WGS 84 / Pseudo-Mercator) is a Mercator projection"),
        (
            "EPSG:2263",
            "--analysis-crs EPSG:2263: unsupported CRS EPSG:2263 (NAD83 / New York Long Island (ftUS)): it \
                       measures in US survey feet",
        ),
    ] {
        let out = s.path().join("out");
        let output = arenagap()
            .arg("analyze")
            .arg("--districts")
            .arg(&files[0])
            .arg("--children")
            .arg(&files[1])
            .arg("--arenas")
            .arg(&files[2])
            .args(["--analysis-crs", crs])
            .arg("--out")
            .arg(&out)
            .output()
            .expect("arenagap runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(&format!("error: {says}")), "{stderr}");
        assert!(!out.exists());
    }
}
