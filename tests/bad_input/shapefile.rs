//! ESRI Shapefiles: a .shp with its .dbf, .shx, .prj and .cpg, any of which can be missing, damaged or from
//! another export.

use super::*;

/// The demo city's districts as a Shapefile (EPSG:3007, Windows-1252 .dbf; see tests/fixtures/demo_formats),
/// copied into `s` as `STEM.*`, then `damage` done to the copy. Returns the .shp.
fn districts_shapefile(s: &Scratch, stem: &str, damage: impl FnOnce(&Path)) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let from = fixture(&format!("demo_formats/shp/districts.{ext}"));
        std::fs::copy(&from, s.path().join(format!("{stem}.{ext}"))).expect("copying a fixture");
    }
    damage(&s.path().join(stem));
    s.path().join(format!("{stem}.shp"))
}

/// `stem` with `ext`.
fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    stem.with_extension(ext)
}

/// Rewrites a file with `edit` done to its bytes.
fn edit(path: &Path, edit: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).expect("reading a fixture copy");
    edit(&mut bytes);
    std::fs::write(path, bytes).expect("writing a fixture copy");
}

/// The demo districts Shapefile, damaged one way at a time, as the districts of a demo run. Each: the case (the
/// stem of its files), the damage, the file the message names, what it says, and the record it names.
#[test]
fn damaged_district_shapefiles() {
    // The case, the damage, the file named, what it says, the record named.
    type Case = (&'static str, fn(&Path), &'static str, &'static [&'static str], Option<&'static str>);
    let cases: Vec<Case> = vec![
        (
            "no-dbf",
            |p| std::fs::remove_file(with_ext(p, "dbf")).unwrap(),
            "no-dbf.shp",
            &["has no attribute file no-dbf.dbf", "copy them all"],
            None,
        ),
        (
            "dbf-fewer-records",
            // The header counts 11 records and the file holds 11: a whole .dbf, from another export.
            |p| {
                edit(&with_ext(p, "dbf"), |b| {
                    let (header, record) =
                        (u16::from_le_bytes([b[8], b[9]]) as usize, u16::from_le_bytes([b[10], b[11]]) as usize);
                    b[4..8].copy_from_slice(&11u32.to_le_bytes());
                    b.truncate(header + 11 * record);
                    b.push(0x1a);
                })
            },
            "dbf-fewer-records.shp",
            &["has 12 shapes", "dbf-fewer-records.dbf has 11 records", "same export"],
            None,
        ),
        (
            "dbf-truncated",
            // The header still counts 12 records; the file ends after 11.
            |p| {
                edit(&with_ext(p, "dbf"), |b| {
                    let (header, record) =
                        (u16::from_le_bytes([b[8], b[9]]) as usize, u16::from_le_bytes([b[10], b[11]]) as usize);
                    b.truncate(header + 11 * record);
                })
            },
            "dbf-truncated.dbf",
            &["is truncated", "12 records", "only 11"],
            None,
        ),
        (
            "dbf-empty",
            |p| std::fs::write(with_ext(p, "dbf"), "").unwrap(),
            "dbf-empty.dbf",
            &["is not a dBASE (.dbf) attribute file", "0 bytes"],
            None,
        ),
        (
            "dbf-garbage",
            |p| {
                std::fs::write(with_ext(p, "dbf"), "garbage, not a table of attributes, but long enough".repeat(4))
                    .unwrap()
            },
            "dbf-garbage.dbf",
            &["is not a dBASE", "no known dBASE version"],
            None,
        ),
        (
            "shp-truncated",
            |p| edit(&with_ext(p, "shp"), |b| b.truncate(3000)),
            "shp-truncated.shp",
            &["is truncated", "4236 bytes", "only 3000"],
            None,
        ),
        (
            "shp-file-code",
            |p| edit(&with_ext(p, "shp"), |b| b[0..4].fill(0)),
            "shp-file-code.shp",
            &["is not a Shapefile (.shp)", "9994"],
            None,
        ),
        (
            "shp-negative-part-count",
            // Record 0: 8 bytes of record header, the shape type, a 32-byte box, then the part count.
            |p| edit(&with_ext(p, "shp"), |b| b[144..148].copy_from_slice(&(-5i32).to_le_bytes())),
            "shp-negative-part-count.shp",
            &["the file is damaged"],
            Some("record 0"),
        ),
        (
            "prj-garbage",
            |p| std::fs::write(with_ext(p, "prj"), "GARBAGE not wkt").unwrap(),
            "prj-garbage.prj",
            &["could not read the CRS definition", "as WKT", "--crs EPSG:3006"],
            None,
        ),
        (
            "prj-truncated",
            |p| std::fs::write(with_ext(p, "prj"), "PROJCS[\"SWEREF99_12_00\",GEOGCS[").unwrap(),
            "prj-truncated.prj",
            &["as WKT (unexpected end)"],
            None,
        ),
        (
            "prj-empty",
            |p| std::fs::write(with_ext(p, "prj"), "").unwrap(),
            "prj-empty.shp",
            &["declares no coordinate system", "add a .prj file"],
            None,
        ),
        (
            "no-prj",
            |p| std::fs::remove_file(with_ext(p, "prj")).unwrap(),
            "no-prj.shp",
            &["declares no coordinate system"],
            None,
        ),
    ];
    for (case, damage, file, says, location) in cases {
        let s = Scratch::new();
        let path = districts_shapefile(&s, case, damage);
        let mut cmd = analyze_demo_with(DISTRICTS, &path, &s.out());
        let stderr = match location {
            Some(at) => assert_bad_input_at(&mut cmd, file, at, &s.out()),
            None => assert_bad_input(&mut cmd, file, &s.out()),
        };
        assert_says(&stderr, says);
    }
}

/// The demo children (points) as a Shapefile, given as the districts.
#[test]
fn point_shapefile_given_as_districts() {
    let s = Scratch::new();
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let from = fixture(&format!("demo_formats/shp/children.{ext}"));
        std::fs::copy(&from, s.path().join(format!("points.{ext}"))).expect("copying a fixture");
    }
    let path = s.path().join("points.shp");
    // With the default id field, the field is missing; with a field it has, the geometry is wrong.
    let stderr = assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "points.shp", &s.out());
    assert_says(&stderr, &["has no field 'id'", "its fields are: children"]);
    let mut cmd = analyze_demo_with(DISTRICTS, &path, &s.out());
    cmd.args(["--district-id", "children", "--district-name", "children"]);
    let stderr = assert_bad_input_at(&mut cmd, "points.shp", "record 0", &s.out());
    assert_says(&stderr, &["geometry is a Point", "expected a Polygon or MultiPolygon"]);
}

#[test]
fn shapefile_that_is_a_text_file() {
    let s = Scratch::new();
    let path = s.write("districts.shp", "id;name\nD1;Ett\n");
    let stderr = assert_bad_input(&mut analyze_demo_with(DISTRICTS, &path, &s.out()), "districts.shp", &s.out());
    assert_says(&stderr, &["has no attribute file districts.dbf"]);
}

/// Not errors: a .cpg naming an encoding arenagap does not know, or a missing .shx (the .shp is read in order).
/// The names still come out right (the .dbf text is Windows-1252, found by detection).
#[test]
fn unknown_cpg_and_missing_shx_are_tolerated() {
    type Damage = fn(&Path);
    let cases: [(&str, Damage); 3] = [
        ("cpg-unknown", |p| std::fs::write(with_ext(p, "cpg"), "KLINGON-7").unwrap()),
        ("cpg-binary", |p| std::fs::write(with_ext(p, "cpg"), [0xff, 0xfe, 0x00, 0x01]).unwrap()),
        ("no-shx", |p| std::fs::remove_file(with_ext(p, "shx")).unwrap()),
    ];
    for (case, damage) in cases {
        let s = Scratch::new();
        let path = districts_shapefile(&s, case, damage);
        run_ok(analyze_demo_with(DISTRICTS, &path, &s.out()).args(["--gpkg", "false", "--map", "false"]));
        let names: Vec<String> = feature_properties(&s.out().join("districts.geojson"))
            .iter()
            .map(|p| text(p, "district_name").to_string())
            .collect();
        assert_eq!(names.len(), 12, "{case}");
        for name in ["Åkervallen", "Östra Lyckan", "Björkåsen"] {
            assert!(names.iter().any(|n| n == name), "{case}: {name} missing from {names:?}");
        }
    }
}

/// Inputs the fuzzer found (`fuzz/`, target `shapefile`): record headers claiming 13 GB and 34 GB of points. The
/// shapefile crate reserves that before reading a point; the reservation fails or is never touched, and the answer
/// must be an error naming the file and the record, at a few megabytes of memory.
#[test]
fn shapefiles_found_by_the_fuzzer_are_errors() {
    for (name, record) in [("shapefile-13gb-points.bin", "record 2"), ("shapefile-34gb-points.bin", "record 0")] {
        let data = std::fs::read(fixture("fuzz").join(name)).expect("a fuzz fixture");
        let s = Scratch::new();
        // Cut as the fuzz target cuts: four 16-bit lengths (.shp, .shx, .dbf, .prj), then the parts, then .cpg.
        let mut rest = &data[8..];
        for (k, ext) in ["shp", "shx", "dbf", "prj"].iter().enumerate() {
            let len = u16::from_le_bytes([data[2 * k], data[2 * k + 1]]) as usize;
            let (part, tail) = rest.split_at(len.min(rest.len()));
            s.write(&format!("d.{ext}"), part);
            rest = tail;
        }
        s.write("d.cpg", rest);
        let path = s.path().join("d.shp");
        let mut cmd = analyze_demo_with(DISTRICTS, &path, &s.out());
        cmd.timeout(std::time::Duration::from_secs(60));
        assert_bad_input_at(&mut cmd, "d.shp", record, &s.out());
    }
}
