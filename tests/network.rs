//! The walking network from OpenStreetMap (issue 8, first part): central Helsinki's extract read into a graph with
//! the OSMnx walk rule, snapped to and searched; and files that are not a PBF, or a cut one, refused with the file
//! named. Skipped (said) without the shared data.

use arenagap::input::osm::{read_walk_network, WalkRule};
use arenagap::network::{nearest_sources, EdgeIndex};

/// Lon/lat to ETRS-TM35FIN (UTM zone 35 on GRS 80, as EPSG:3067), with proj4rs.
fn tm35fin(p: [f64; 2]) -> Option<[f64; 2]> {
    let from = proj4rs::Proj::from_proj_string("+proj=longlat +ellps=GRS80 +no_defs").ok()?;
    let to = proj4rs::Proj::from_proj_string("+proj=utm +zone=35 +ellps=GRS80 +units=m +no_defs").ok()?;
    let mut point = (p[0].to_radians(), p[1].to_radians(), 0.0);
    proj4rs::transform::transform(&from, &to, &mut point).ok()?;
    Some([point.0, point.1])
}

#[test]
fn helsinki_reads_into_one_walkable_network() {
    let Some(data) = crate::common::shared_data("helsinki_reads_into_one_walkable_network") else { return };
    let path = data.join("osm_helsinki/Helsinki.osm.pbf");
    let net = read_walk_network(&path, &WalkRule::osmnx(), &tm35fin).expect("Helsinki reads");
    let graph = &net.kept.graph;
    eprintln!(
        "Helsinki: {} walkable ways, {} nodes kept, {} nodes in {} components dropped, {} missing node refs",
        net.ways,
        graph.nodes(),
        net.kept.nodes_dropped,
        net.kept.components_dropped,
        net.missing_nodes
    );
    assert!(net.ways > 1_000 && graph.nodes() > 3_000, "{} ways, {} nodes", net.ways, graph.nodes());
    assert!(
        net.kept.nodes_dropped * 10 < graph.nodes(),
        "the largest component is most of it: {:?}",
        net.kept.nodes_dropped
    );
    // In ETRS-TM35FIN, central Helsinki is about (385 000, 6 672 000).
    let (mut xmin, mut ymin, mut xmax, mut ymax) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &[x, y] in &graph.coords {
        (xmin, ymin, xmax, ymax) = (xmin.min(x), ymin.min(y), xmax.max(x), ymax.max(y));
    }
    assert!(
        xmin > 370_000.0 && xmax < 400_000.0 && ymin > 6_660_000.0 && ymax < 6_690_000.0,
        "{xmin} {ymin} {xmax} {ymax}"
    );
    // Snap the railway station and walk from it: every node reached within 3 km is at least its straight distance.
    let station = tm35fin([24.9414, 60.1710]).unwrap();
    let snap = EdgeIndex::new(graph).snap(station).expect("a street near the station");
    assert!(snap.distance < 100.0, "the station is {} m from a street", snap.distance);
    let starts: Vec<(u32, f64, u32)> = snap.entries().iter().map(|&(node, cost)| (node, cost, 0)).collect();
    let reach = nearest_sources(graph, &starts, 3_000.0);
    let mut reached = 0;
    for (u, &[x, y]) in graph.coords.iter().enumerate() {
        if let Some((_, d)) = reach.get(u as u32) {
            reached += 1;
            assert!(d + 1e-6 >= (x - station[0]).hypot(y - station[1]), "node {u}: {d} m on foot");
        }
    }
    assert!(reached * 2 > graph.nodes(), "{reached} of {} nodes within 3 km on foot", graph.nodes());
}

#[test]
fn not_a_pbf_and_a_cut_pbf_are_refused_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("streets.osm.pbf");
    std::fs::write(&text, "<osm version=\"0.6\"></osm>").unwrap();
    let err = read_walk_network(&text, &WalkRule::osmnx(), &tm35fin).unwrap_err().to_string();
    assert!(err.contains("streets.osm.pbf"), "{err}");
    let empty = dir.path().join("empty.osm.pbf");
    std::fs::write(&empty, b"").unwrap();
    let err = read_walk_network(&empty, &WalkRule::osmnx(), &tm35fin).unwrap_err().to_string();
    assert!(err.contains("empty.osm.pbf") && err.contains("no OpenStreetMap data"), "{err}");
    let Some(data) = crate::common::shared_data("not_a_pbf_and_a_cut_pbf_are_refused_with_the_file_named") else {
        return;
    };
    let whole = std::fs::read(data.join("osm_helsinki/Helsinki.osm.pbf")).unwrap();
    let cut = dir.path().join("cut.osm.pbf");
    std::fs::write(&cut, &whole[..whole.len() / 3]).unwrap();
    let err = read_walk_network(&cut, &WalkRule::osmnx(), &tm35fin).unwrap_err().to_string();
    assert!(err.contains("cut.osm.pbf"), "{err}");
}

/// The demo city's street network (data/demo/streets.osm.pbf, made by data/demo/make_streets.py).
fn demo_streets() -> std::path::PathBuf {
    crate::common::repo().join("data/demo/streets.osm.pbf")
}

/// Each child point's (nearest_any_m, the other fields) of a run, in order.
fn children_of(out: &std::path::Path) -> Vec<serde_json::Value> {
    let layer = crate::common::read_json(&out.join("children.geojson"));
    crate::common::features(&layer).iter().map(|f| f["properties"].clone()).collect()
}

#[test]
fn the_demo_on_foot_finds_the_district_its_barrier_cuts_off() {
    use crate::common::*;
    let scratch = Scratch::new();
    let (foot, straight) = (scratch.path().join("foot"), scratch.path().join("straight"));
    let stderr = assert_warns(
        arenagap()
            .current_dir(repo())
            .args(["analyze", "-q", "--walk-speed", "4.5", "--network"])
            .arg(demo_streets())
            .arg("--out")
            .arg(&foot),
        &foot,
        &["Björkåsen (D10)", "94 %", "in a straight line", "39 % on foot"],
    );
    assert!(stderr.is_empty() || stderr.contains("warning"), "{stderr}");
    run_ok(arenagap().current_dir(repo()).args(["analyze", "-q", "--out"]).arg(&straight));
    let run = read_json(&foot.join("run.json"));
    assert_eq!(run["distance"], "network");
    assert_eq!(run["network"]["nodes"], 11_772, "the grid of make_streets.py, nothing dropped: {}", run["network"]);
    assert_eq!(run["network"]["components_dropped"], 0);
    // Björkåsen: near its arenas in a straight line, not on foot; the field says so beside the share.
    let districts = read_json(&foot.join("districts.geojson"));
    let d10 = &district(&districts, "D10")["properties"];
    assert!(d10["coverage_share_straight"].as_f64().unwrap() > 0.9, "{d10}");
    assert!(d10["coverage_share"].as_f64().unwrap() < 0.45, "{d10}");
    // No other district loses a fifth of its children to the streets.
    for f in features(&districts) {
        let p = &f["properties"];
        if p["district_id"] != "D10" && p["children"].as_f64().unwrap() > 0.0 {
            let (a, b) = (p["coverage_share_straight"].as_f64().unwrap(), p["coverage_share"].as_f64().unwrap());
            assert!(a - b < 0.2, "{}: {a} in a straight line, {b} on foot", p["district_id"]);
        }
    }
    // Every walk at least as long as the straight line; the snap said; minutes at 4.5 km/h.
    let (on_foot, crow) = (children_of(&foot), children_of(&straight));
    assert_eq!(on_foot.len(), crow.len());
    for (i, (w, s)) in on_foot.iter().zip(&crow).enumerate() {
        for k in ["any", "familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"] {
            let field = format!("nearest_{k}_m");
            let (w_m, s_m) = (w[&field].as_f64().unwrap(), s[&field].as_f64().unwrap());
            assert!(w_m + 0.02 >= s_m, "child {i}: {field} {w_m} on foot, {s_m} in a straight line");
            let minutes = w[format!("nearest_{k}_min")].as_f64().unwrap();
            assert!((minutes - w_m / 75.0).abs() < 0.01, "child {i}: {minutes} min for {w_m} m");
        }
        let snap = w["snap_m"].as_f64().unwrap();
        assert!((0.0..=180.0).contains(&snap), "child {i}: {snap} m from a street in a 250 m grid");
    }
    assert!(crow[0].get("snap_m").is_none(), "no snap without a network");
    // Catchments: one per arena, holding it, larger for a family centre's 2.5 km; one per kind, dissolved.
    let catchments = read_json(&foot.join("catchments.geojson"));
    let arenas = read_json(&foot.join("arenas.geojson"));
    assert_eq!(features(&catchments).len(), features(&arenas).len());
    for (c, a) in features(&catchments).iter().zip(features(&arenas)) {
        assert_eq!(c["properties"]["arena_id"], a["properties"]["arena_id"]);
        assert_eq!(c["geometry"]["type"], "MultiPolygon");
        let area = c["properties"]["area_km2"].as_f64().unwrap();
        let r_km = c["properties"]["radius_m"].as_f64().unwrap() / 1000.0;
        // More than the streets alone, less than the disc of the radius.
        assert!(area > 0.2 * r_km && area < std::f64::consts::PI * r_km * r_km, "{}", c["properties"]);
    }
    let by_kind = read_json(&foot.join("catchments_by_kind.geojson"));
    let kinds: Vec<&str> = features(&by_kind).iter().map(|f| f["properties"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"]);
    assert!(!straight.join("catchments.geojson").exists(), "no catchments in a straight line");
    // Every output that says how distance was measured says it is on foot.
    let report = std::fs::read_to_string(foot.join("report.html")).unwrap();
    assert!(report.contains("gångväg längs gatorna") && !report.contains("fågelvägen (rak linje)"), "report");
    let project = std::fs::read_to_string(foot.join("arenagap.qgs")).unwrap();
    assert!(project.contains("gångväg längs gatorna") && !project.contains("straight-line distance"), "layout");
}

#[test]
fn compare_and_suggest_walk_the_streets_too() {
    use crate::common::*;
    let scratch = Scratch::new();
    let out = scratch.path().join("compare");
    run_ok(
        arenagap()
            .current_dir(repo())
            .args(["compare", "-q", "--scenario", "data/demo/scenarios/familjecentral-sjoviken.toml", "--network"])
            .arg(demo_streets())
            .arg("--out")
            .arg(&out),
    );
    let run = read_json(&out.join("run.json"));
    assert_eq!(run["distance"], "network", "{}", run["distance"]);
    let out = scratch.path().join("suggest");
    run_ok(
        arenagap()
            .current_dir(repo())
            .args(["suggest", "-q", "--count", "1", "--kind", "familjecentral", "--candidate-grid", "500", "--network"])
            .arg(demo_streets())
            .arg("--out")
            .arg(&out),
    );
    let run = read_json(&out.join("run.json"));
    assert_eq!(run["distance"], "network", "{}", run["distance"]);
}

#[test]
fn a_network_that_is_not_a_pbf_or_not_of_the_place_is_refused() {
    use crate::common::*;
    let scratch = Scratch::new();
    let bad = scratch.write("streets.osm.pbf", "<osm version=\"0.6\"></osm>");
    let stderr = assert_bad_input(
        arenagap().current_dir(repo()).args(["analyze", "-q", "--network"]).arg(&bad).arg("--out").arg(scratch.out()),
        "streets.osm.pbf",
        &scratch.out(),
    );
    assert!(stderr.contains("PBF") || stderr.contains("OpenStreetMap"), "{stderr}");
    // Every child point farther from the streets than --max-snap: not this place's streets (Helsinki's, for the
    // demo city near Göteborg).
    if let Some(data) = shared_data("a_network_that_is_not_a_pbf_or_not_of_the_place_is_refused") {
        let stderr = assert_bad_input(
            arenagap()
                .current_dir(repo())
                .args(["analyze", "-q", "--network"])
                .arg(data.join("osm_helsinki/Helsinki.osm.pbf"))
                .arg("--out")
                .arg(scratch.out()),
            "Helsinki.osm.pbf",
            &scratch.out(),
        );
        assert!(stderr.contains("does not cover the study area"), "{stderr}");
    }
    let output = arenagap()
        .current_dir(repo())
        .args(["analyze", "-q", "--max-snap", "100"])
        .arg("--out")
        .arg(scratch.out())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--network"));
    let output = arenagap()
        .current_dir(repo())
        .args(["analyze", "-q", "--walk-speed", "0"])
        .arg("--out")
        .arg(scratch.out())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("walk-speed"));
}

#[test]
fn without_districts_the_study_area_is_one_district_named_after_the_children() {
    use crate::common::*;
    let scratch = Scratch::new();
    let [_, children, arenas] = demo();
    run_ok(
        arenagap()
            .args(["analyze", "-q", "--children-count", "children", "--children"])
            .arg(&children)
            .arg("--arenas")
            .arg(&arenas)
            .arg("--network")
            .arg(demo_streets())
            .arg("--out")
            .arg(scratch.out()),
    );
    let districts = read_json(&scratch.out().join("districts.geojson"));
    let list = features(&districts);
    assert_eq!(list.len(), 1, "one district");
    let p = &list[0]["properties"];
    assert_eq!((p["district_id"].as_str(), p["district_name"].as_str()), (Some("children"), Some("children")));
    assert_eq!(p["children"], 8761, "every child in it: {p}");
    assert_eq!(p["arenas_total"], 24, "every arena in it: {p}");
    let kids = read_json(&scratch.out().join("children.geojson"));
    assert!(features(&kids).iter().all(|f| f["properties"]["district_id"] == "children"));
}

#[test]
fn helsinki_on_foot_with_arenas_from_openstreetmap() {
    use crate::common::*;
    let Some(data) = shared_data("helsinki_on_foot_with_arenas_from_openstreetmap") else { return };
    let pbf = data.join("osm_helsinki/Helsinki.osm.pbf");
    // Child points near the streets (every 7th node, 40 m off), in ETRS-TM35FIN, as a Finnish CSV would give them.
    let net = read_walk_network(&pbf, &WalkRule::osmnx(), &tm35fin).expect("Helsinki reads");
    let mut csv = String::from("x;y;children\n");
    for (k, p) in net.kept.graph.coords.iter().enumerate().step_by(7) {
        csv.push_str(&format!("{:.1};{:.1};{}\n", p[0] + 40.0, p[1] - 25.0, 1 + k % 5));
    }
    let scratch = Scratch::new();
    let children = scratch.write("helsinki_children.csv", csv);
    let run = |out: &std::path::Path, network: bool| {
        let mut cmd = arenagap();
        cmd.args([
            "analyze",
            "-q",
            "--children-count",
            "children",
            "--crs",
            "EPSG:3067",
            "--analysis-crs",
            "EPSG:3067",
        ])
        .arg("--children")
        .arg(&children)
        .arg("--arenas-osm")
        .arg(&pbf)
        .arg("--out")
        .arg(out);
        if network {
            cmd.arg("--network").arg(&pbf);
        }
        run_ok(&mut cmd);
    };
    let (foot, crow) = (scratch.path().join("foot"), scratch.path().join("crow"));
    run(&foot, true);
    run(&crow, false);
    let record = read_json(&foot.join("run.json"));
    assert_eq!(record["distance"], "network");
    assert_eq!(record["resolved"]["analysis_crs"], "EPSG:3067");
    // One district, named after the children file, with every arena the mapping found (7 libraries, 1 family place,
    // 4 playgrounds as reference).
    let districts = read_json(&foot.join("districts.geojson"));
    let d = &features(&districts)[0]["properties"];
    assert_eq!(d["district_id"], "helsinki_children");
    assert_eq!((d["arenas_bibliotek"].as_u64(), d["arenas_lekplats"].as_u64()), (Some(7), Some(4)), "{d}");
    let (on_foot, straight) = (children_of(&foot), children_of(&crow));
    assert_eq!(on_foot.len(), straight.len());
    let mut longer = 0;
    for (i, (w, s)) in on_foot.iter().zip(&straight).enumerate() {
        let (Some(w), Some(s)) = (w["nearest_bibliotek_m"].as_f64(), s["nearest_bibliotek_m"].as_f64()) else {
            panic!("child {i}: no nearest library")
        };
        assert!(w + 0.02 >= s, "child {i}: {w} m on foot, {s} m in a straight line");
        longer += usize::from(w > 1.05 * s);
    }
    assert!(longer * 4 > on_foot.len(), "streets make most walks longer: {longer} of {}", on_foot.len());
    let catchments = read_json(&foot.join("catchments.geojson"));
    assert_eq!(features(&catchments).len(), 12);
}
