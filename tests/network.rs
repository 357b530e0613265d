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
