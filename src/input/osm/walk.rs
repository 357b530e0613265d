//! The walking network from an OpenStreetMap extract (`.osm.pbf`), read in two passes: the walkable ways first,
//! then the coordinates of just the nodes they use. Each stretch of a way between two consecutive nodes is an edge,
//! walkable both ways, its length measured in the analysis CRS; then only the largest connected component is kept
//! and what was dropped is said.
//!
//! Which ways are walkable follows OSMnx's `walk` network, so that distances are comparable with it
//! ([`WalkRule::osmnx`]): every `highway=*` way except `area=yes`, `access=private`, `foot=no`, `service=private`,
//! a sidewalk mapped as its own way (`sidewalk`, `sidewalk:both`, `:left`, `:right` = `separate`), and the highway
//! values that are not for walking (abandoned, bus_guideway, construction, cycleway, motorways, no, planned,
//! platform, proposed, raceway, razed, rest_area, services).

use std::collections::HashMap;
use std::path::Path;

use super::{each_element, no_data};
use crate::error::{Error, Result};
use crate::network::{Graph, Kept};

/// Which `highway=*` ways are walked.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkRule {
    /// `highway` values left out: any value containing one of these (OSMnx's unanchored regular expression).
    pub highway_excluded: Vec<String>,
    /// Any of these (key, value) tags leaves a way out.
    pub tags_excluded: Vec<(String, String)>,
}

impl WalkRule {
    /// OSMnx's `walk` network filter (osmnx 2, `_get_osm_filter("walk")`).
    pub fn osmnx() -> WalkRule {
        let highway = [
            "abandoned",
            "bus_guideway",
            "construction",
            "cycleway",
            "motor",
            "motorway",
            "motorway_link",
            "no",
            "planned",
            "platform",
            "proposed",
            "raceway",
            "razed",
            "rest_area",
            "services",
        ];
        let tags = [
            ("area", "yes"),
            ("access", "private"),
            ("foot", "no"),
            ("service", "private"),
            ("sidewalk", "separate"),
            ("sidewalk:both", "separate"),
            ("sidewalk:left", "separate"),
            ("sidewalk:right", "separate"),
        ];
        WalkRule {
            highway_excluded: highway.iter().map(|s| s.to_string()).collect(),
            tags_excluded: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    /// Whether a way with these tags is walked.
    pub fn walks<'a>(&self, tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
        let mut highway = false;
        for (k, v) in tags {
            if k == "highway" {
                // As OSMnx's Overpass filter `highway!~"…|motor|…"`: an unanchored match, so `motor` leaves out
                // motorway, motorway_link, motorroad and the like.
                if self.highway_excluded.iter().any(|h| v.contains(h.as_str())) {
                    return false;
                }
                highway = true;
            } else if self.tags_excluded.iter().any(|(ek, ev)| ek == k && ev == v) {
                return false;
            }
        }
        highway
    }
}

/// The network read from an extract.
#[derive(Debug)]
pub struct OsmNetwork {
    /// The largest connected component, and what was dropped.
    pub kept: Kept,
    /// Walkable ways read.
    pub ways: usize,
    /// Node references of walkable ways whose node is not in the extract (the way is cut there).
    pub missing_nodes: usize,
}

/// Reads the walking network of `path`, each node's lon/lat (WGS 84, degrees) taken into the analysis CRS by
/// `project` (`None`: it cannot be, and the node is left out).
pub fn read_walk_network(
    path: &Path,
    rule: &WalkRule,
    project: &dyn Fn([f64; 2]) -> Option<[f64; 2]>,
) -> Result<OsmNetwork> {
    // Pass 1: the walkable ways, as one run of node ids with each way's end in `way_ends`.
    let mut refs: Vec<i64> = Vec::new();
    let mut way_ends: Vec<usize> = Vec::new();
    let elements = each_element(path, |element| {
        if let osmpbf::Element::Way(way) = element {
            if rule.walks(way.tags()) {
                refs.extend(way.refs());
                way_ends.push(refs.len());
            }
        }
    })?;
    if elements == 0 {
        return Err(no_data(path));
    }
    if way_ends.is_empty() {
        return Err(Error::input(path, "it has no walkable way (no highway=* way the walk rule keeps)"));
    }
    // Pass 2: the coordinates of the nodes those ways use, numbered in order of first use.
    let mut index: HashMap<i64, u32> = HashMap::with_capacity(refs.len());
    for &id in &refs {
        let next = index.len() as u32;
        index.entry(id).or_insert(next);
    }
    let mut lonlat = vec![[f64::NAN; 2]; index.len()];
    each_element(path, |element| {
        let (id, lon, lat) = match element {
            osmpbf::Element::Node(n) => (n.id(), n.lon(), n.lat()),
            osmpbf::Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
            _ => return,
        };
        if let Some(&i) = index.get(&id) {
            lonlat[i as usize] = [lon, lat];
        }
    })?;
    let coords: Vec<[f64; 2]> = lonlat
        .iter()
        .map(|&p| if p[0].is_finite() && p[1].is_finite() { project(p) } else { None }.unwrap_or([f64::NAN; 2]))
        .collect();
    // Only located nodes are graph nodes: a way is cut where it leaves the extract.
    let mut located: Vec<Option<u32>> = Vec::with_capacity(coords.len());
    let mut nodes = Vec::with_capacity(coords.len());
    for &p in &coords {
        let ok = p[0].is_finite() && p[1].is_finite();
        located.push(ok.then_some(nodes.len() as u32));
        if ok {
            nodes.push(p);
        }
    }
    let mut edges = Vec::with_capacity(refs.len());
    let mut missing = 0usize;
    let mut start = 0;
    for &end in &way_ends {
        let way: Vec<Option<u32>> = refs[start..end].iter().map(|id| located[index[id] as usize]).collect();
        missing += way.iter().filter(|i| i.is_none()).count();
        for pair in way.windows(2) {
            if let [Some(u), Some(v)] = *pair {
                let [a, b] = [nodes[u as usize], nodes[v as usize]];
                edges.push((u, v, (a[0] - b[0]).hypot(a[1] - b[1])));
            }
        }
        start = end;
    }
    let kept = Graph::from_edges(nodes, &edges).largest_component();
    if kept.graph.directed_edges() == 0 {
        return Err(Error::input(path, "its walkable ways have no located nodes: no network to walk"));
    }
    Ok(OsmNetwork { kept, ways: way_ends.len(), missing_nodes: missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_rule_is_osmnx_walk() {
        let rule = WalkRule::osmnx();
        assert!(rule.walks([("highway", "residential")]));
        assert!(rule.walks([("highway", "footway"), ("foot", "yes")]));
        assert!(!rule.walks([("name", "Mannerheimintie")]), "not a highway");
        for value in ["motorway", "motorway_link", "motorroad", "cycleway", "construction", "platform"] {
            assert!(!rule.walks([("highway", value)]), "{value}");
        }
        for (k, v) in [("area", "yes"), ("access", "private"), ("foot", "no"), ("sidewalk:left", "separate")] {
            assert!(!rule.walks([("highway", "service"), (k, v)]), "{k}={v}");
        }
        assert!(rule.walks([("highway", "service"), ("access", "yes")]));
    }
}
