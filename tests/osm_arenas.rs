//! Arenas from OpenStreetMap (`--arenas-osm`, issue 8): the tag mapping on a tiny made-up extract
//! (`tests/fixtures/osm/arenas.osm.pbf`, written by `make_arenas.py` beside it) and on central Helsinki's real one;
//! the analysis with them, where ordinary playgrounds are a reference kind that covers no one; and bad input.

use std::path::{Path, PathBuf};

use arenagap::input::osm::{read_arenas, OsmArenaRules};
use arenagap::model::kinds::Kinds;

use crate::common::{analyze_demo_with, arenagap, assert_bad_input, demo, Scratch};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osm/arenas.osm.pbf")
}

/// The fixture's own grid: `make_arenas.py` places nodes at (11.97 + dx/1000, 57.70 + dy/1000); this gives (dx, dy).
fn grid(p: [f64; 2]) -> Option<[f64; 2]> {
    Some([(p[0] - 11.97) * 1000.0, (p[1] - 57.70) * 1000.0])
}

fn kinds_with_playground() -> Kinds {
    let mut kinds = Kinds::defaults();
    kinds.ensure_playground().unwrap();
    kinds
}

#[test]
fn the_fixture_s_nodes_ways_and_multipolygons_are_mapped_placed_and_counted() {
    let kinds = kinds_with_playground();
    let read = read_arenas(&fixture(), &OsmArenaRules::builtin().unwrap(), &kinds, &grid).unwrap();
    let got: Vec<(&str, &str, &str)> =
        read.facilities.iter().map(|f| (f.id.as_str(), kinds.get(f.kind).id.as_str(), f.name.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("osm:node/1", "bibliotek", "Stadsbiblioteket"),
            ("osm:node/2", "bemannad_lekplats", "Plikta"),
            ("osm:node/3", "lekplats", "Lekplats Äppelträdet"),
            ("osm:node/4", "familjecentral", "Familjestöd"),
            ("osm:node/7", "familjecentral", "Familjecentralen Gårdsten"),
            ("osm:node/8", "familjecentral", "Family house"),
            ("osm:way/100", "bibliotek", "Kvartersbiblioteket"),
            ("osm:relation/200", "bemannad_lekplats", "Stora parkleken"),
        ]
    );
    let at = |id: &str| read.facilities.iter().find(|f| f.id == id).unwrap().position;
    let [x, y] = at("osm:node/2");
    assert!((x - 1.0).abs() < 1e-6 && y.abs() < 1e-6, "a node stays where it is: ({x}, {y})");
    let [x, y] = at("osm:way/100");
    assert!(x > 0.0 && x < 1.0 && y > 2.0 && y < 3.0, "inside the library's outline: ({x}, {y})");
    // The multipolygon is the ring between 10..20 and its hole 11..19: its centroid (15, 15) is in the hole.
    let [x, y] = at("osm:relation/200");
    let in_outer = x > 10.0 && x < 20.0 && y > 10.0 && y < 20.0;
    let in_hole = x > 11.0 && x < 19.0 && y > 11.0 && y < 19.0;
    assert!(in_outer && !in_hole, "on the ring, not in its hole: ({x}, {y})");
    assert!(read.facilities.iter().all(|f| f.capacity == 1.0));
    // Way 101 and relation 201 reach outside the extract, way 105 is not closed, relation 202's ring is open.
    assert_eq!(read.matched, 12);
    assert_eq!((read.skipped.outside_extract, read.skipped.not_closed, read.skipped.open_rings), (2, 1, 1));
    assert_eq!(read.skipped.no_position, 0);
}

#[test]
fn a_profile_of_one_s_own_maps_otherwise_and_an_unknown_kind_is_an_error_naming_it() {
    let dir = Scratch::new();
    let rules = dir.write(
        "rules.toml",
        "[[rule]]\nkind = \"none\"\ntags = [\"amenity=library\", \"building=yes\"]\n\
         [[rule]]\nkind = \"oppen_forskola\"\ntags = [\"amenity=library\"]\n",
    );
    let rules = OsmArenaRules::from_file(&rules).unwrap();
    let kinds = Kinds::defaults();
    let read = read_arenas(&fixture(), &rules, &kinds, &grid).unwrap();
    let ids: Vec<&str> = read.facilities.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["osm:node/1"], "the library building is left out by the first rule");
    assert_eq!(kinds.get(read.facilities[0].kind).id, "oppen_forskola");
    // The built-in mapping targets lekplats, which the default table lacks: read alone, that is an error.
    let err = read_arenas(&fixture(), &OsmArenaRules::builtin().unwrap(), &kinds, &grid).unwrap_err().to_string();
    assert!(err.contains("osm-arenas.toml") && err.contains("'lekplats' is not a kind"), "{err}");
}

#[test]
fn analyze_adds_osm_arenas_after_the_files_and_playgrounds_cover_no_one() {
    let scratch = Scratch::new();
    let [districts, children, arenas] = demo();
    let out = scratch.out();
    let output = analyze_demo_with(2, &arenas, &out).arg("--arenas-osm").arg(fixture()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let geo: serde_json::Value = serde_json::from_str(&read("arenas.geojson")).unwrap();
    let ids: Vec<&str> =
        geo["features"].as_array().unwrap().iter().map(|f| f["properties"]["arena_id"].as_str().unwrap()).collect();
    let first_osm = ids.iter().position(|id| id.starts_with("osm:")).unwrap();
    assert!(
        first_osm > 0 && ids[first_osm..].iter().all(|id| id.starts_with("osm:")),
        "files first, then OSM: {ids:?}"
    );
    assert_eq!(ids.len() - first_osm, 8);
    let csv = read("districts.csv");
    assert!(csv.lines().next().unwrap().contains("arenas_lekplats"), "lekplats is a kind of the run");
    let run: serde_json::Value = serde_json::from_str(&read("run.json")).unwrap();
    let text = run.to_string();
    assert!(text.contains("OpenStreetMap PBF") && text.contains("4 of the 12 OpenStreetMap element"), "{text}");

    // compare closes an OSM arena by its id, and one by its name.
    let scenario = scratch.write("close.toml", "name = \"Stäng\"\nclose = [\"osm:node/1\", \"Familjestöd\"]\n");
    let compared = scratch.path().join("compared");
    let output = arenagap()
        .args(["compare", "--quiet", "--children-count", "children", "--districts"])
        .arg(&districts)
        .arg("--children")
        .arg(&children)
        .arg("--arenas")
        .arg(&arenas)
        .arg("--arenas-osm")
        .arg(fixture())
        .arg("--scenario")
        .arg(&scenario)
        .arg("--out")
        .arg(&compared)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let closed = std::fs::read_to_string(compared.join("stang/arenas.geojson")).unwrap();
    assert_eq!(closed.matches("\"closed\"").count(), 2, "{closed}");

    // Playgrounds alone: every child is uncovered, though each has a nearest playground.
    let only = scratch.write("playgrounds.toml", "[[rule]]\nkind = \"lekplats\"\ntags = [\"leisure=playground\"]\n");
    let out2 = scratch.path().join("out2");
    let output = arenagap()
        .args(["analyze", "--quiet", "--children-count", "children", "--districts"])
        .arg(&districts)
        .arg("--children")
        .arg(&children)
        .arg("--arenas-osm")
        .arg(fixture())
        .arg("--arenas-osm-rules")
        .arg(&only)
        .arg("--out")
        .arg(&out2)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let csv = std::fs::read_to_string(out2.join("districts.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let (covered, lekplats, total) = (col("children_covered"), col("arenas_lekplats"), col("arenas_total"));
    for row in rows.records() {
        let row = row.unwrap();
        assert_eq!(&row[covered], "0", "a playground covers no one: {row:?}");
        assert_eq!(&row[total], "0", "a playground is not an arena of a coverage kind: {row:?}");
        let _ = &row[lekplats];
    }
    let children_layer = std::fs::read_to_string(out2.join("children.geojson")).unwrap();
    assert!(children_layer.contains("\"nearest_lekplats_m\":"), "the reference kind is measured");
}

#[test]
fn config_keys_work_and_a_profile_with_an_unknown_kind_is_refused_naming_it() {
    let scratch = Scratch::new();
    let [districts, children, _] = demo();
    let bad = scratch.write("mapping.toml", "[[rule]]\nkind = \"simhall\"\ntags = [\"leisure=swimming_pool\"]\n");
    let config = scratch.write(
        "run.toml",
        format!(
            "districts = {:?}\nchildren = {:?}\nchildren-count = \"children\"\narenas-osm = {:?}\n\
             arenas-osm-rules = \"mapping.toml\"\n",
            districts,
            children,
            fixture()
        ),
    );
    let out = scratch.out();
    let err = assert_bad_input(
        arenagap().args(["analyze", "--quiet", "--config"]).arg(&config).arg("--out").arg(&out),
        "mapping.toml",
        &out,
    );
    assert!(err.contains("'simhall' is not a kind") && err.contains("bibliotek"), "{err}");
    // Rules without an extract are an error too.
    let output = arenagap()
        .args(["analyze", "--quiet", "--arenas-osm-rules"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("give --arenas-osm"));
}

#[test]
fn garbage_and_cut_extracts_are_errors_naming_the_file() {
    let dir = Scratch::new();
    let rules = OsmArenaRules::builtin().unwrap();
    let kinds = kinds_with_playground();
    let whole = std::fs::read(fixture()).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.osm.pbf", Vec::new()),
        ("text.osm.pbf", b"<osm version=\"0.6\"></osm>".to_vec()),
        ("cut.osm.pbf", whole[..whole.len() / 2].to_vec()),
        ("noise.osm.pbf", (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()),
    ];
    for (name, bytes) in cases {
        let path = dir.write(name, &bytes);
        let err = read_arenas(&path, &rules, &kinds, &grid).unwrap_err().to_string();
        assert!(err.contains(name), "{name}: {err}");
    }
    // Every cut of the fixture is an arena list or an error, never a panic.
    for end in 0..whole.len() {
        let path = dir.write("prefix.osm.pbf", &whole[..end]);
        let _ = read_arenas(&path, &rules, &kinds, &grid);
    }
    // And through the command line: exit code 2, the file named.
    let out = dir.out();
    let cut = dir.write("streets.osm.pbf", &whole[..whole.len() / 3]);
    let [districts, children, arenas] = demo();
    let mut cmd = crate::common::analyze(&districts, &children, &arenas, &out);
    assert_bad_input(cmd.arg("--arenas-osm").arg(&cut), "streets.osm.pbf", &out);
}

/// Central Helsinki's extract, with the built-in mapping. The numbers are pinned against an independent count with
/// pyosmium (`pip install osmium`) of the same file:
///
/// ```python
/// import osmium, collections
/// c = collections.Counter()
/// class H(osmium.SimpleHandler):
///     def tally(self, kind, e):
///         t = e.tags
///         if kind == 'relation' and t.get('type') != 'multipolygon': return
///         if t.get('amenity') == 'library': c[kind, 'library'] += 1
///         if t.get('leisure') == 'playground': c[kind, 'supervised' if t.get('supervised') == 'yes' else 'plain'] += 1
///     def node(self, n): self.tally('node', n)
///     def way(self, w): self.tally('way', w)
///     def relation(self, r): self.tally('relation', r)
/// H().apply_file('../shared/data/osm_helsinki/Helsinki.osm.pbf'); print(c)
/// ```
///
/// gives 5 library nodes and 2 library ways, 5 playground ways (none supervised) and nothing as a multipolygon; of
/// the social facilities and community centres, only LillaLuckan (`community_centre:for=child`) is for families
/// (Hoivanet Kids Park is `social_facility=day_care`, a day care). Checking each way's nodes the same way (collect
/// `[n.ref for n in w.nodes]`, then which of those ids the file has as nodes) finds every way closed and one
/// playground, way 514428397, with 9 of its 15 nodes outside the extract: it is left out and counted.
#[test]
fn helsinki_has_its_libraries_and_playgrounds() {
    let Some(data) = crate::common::shared_data("helsinki_has_its_libraries_and_playgrounds") else { return };
    let path = data.join("osm_helsinki/Helsinki.osm.pbf");
    let to_tm35 = |p: [f64; 2]| -> Option<[f64; 2]> {
        let from = proj4rs::Proj::from_proj_string("+proj=longlat +ellps=GRS80 +no_defs").ok()?;
        let to = proj4rs::Proj::from_proj_string("+proj=utm +zone=35 +ellps=GRS80 +units=m +no_defs").ok()?;
        let mut point = (p[0].to_radians(), p[1].to_radians(), 0.0);
        proj4rs::transform::transform(&from, &to, &mut point).ok()?;
        Some([point.0, point.1])
    };
    let kinds = kinds_with_playground();
    let read = read_arenas(&path, &OsmArenaRules::builtin().unwrap(), &kinds, &to_tm35).expect("Helsinki reads");
    let count = |kind: &str, element: &str| {
        read.facilities
            .iter()
            .filter(|f| kinds.get(f.kind).id == kind && f.id.starts_with(&format!("osm:{element}/")))
            .count()
    };
    assert_eq!((count("bibliotek", "node"), count("bibliotek", "way")), (5, 2), "libraries");
    assert_eq!((count("lekplats", "way"), count("bemannad_lekplats", "way")), (4, 0), "playgrounds");
    assert!(read.facilities.iter().all(|f| f.id != "osm:way/514428397"), "the clipped playground is left out");
    let families: Vec<&str> =
        read.facilities.iter().filter(|f| kinds.get(f.kind).id == "familjecentral").map(|f| f.name.as_str()).collect();
    assert_eq!(families, ["LillaLuckan"]);
    assert_eq!(read.facilities.len(), 12);
    assert_eq!(read.matched, 13);
    assert_eq!((read.skipped.outside_extract, read.skipped.total()), (1, 1), "{:?}", read.skipped);
    // All in central Helsinki, about (385 000, 6 672 000) in ETRS-TM35FIN.
    for f in &read.facilities {
        let [x, y] = f.position;
        assert!(x > 370_000.0 && x < 400_000.0 && y > 6_660_000.0 && y < 6_690_000.0, "{}: {x} {y}", f.id);
    }
}
