//! OpenStreetMap extracts (.osm.pbf): the walking network and the arenas, each read as a run reads them (the
//! network projected into SWEREF 99 TM and its largest component kept; arenas by the built-in tag mapping). Any
//! input must read or be an error, never a panic, an endless loop or an unbounded allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

fuzz_target!(|data: &[u8]| {
    use arenagap::crs::{Crs, Transform};
    use arenagap::input::osm::{read_arenas, read_walk_network, OsmArenaRules, WalkRule};
    let path = scratch::file("extract.osm.pbf", data);
    let Ok(to) = Transform::new(Crs::WGS84, Crs::SWEREF99_TM) else { return };
    let project = |p: [f64; 2]| to.apply(p[0], p[1]).ok().map(|(x, y)| [x, y]);
    let _ = read_walk_network(&path, &WalkRule::osmnx(), &project);
    let mut kinds = arenagap::model::kinds::Kinds::defaults();
    let _ = kinds.ensure_playground();
    if let Ok(rules) = OsmArenaRules::builtin() {
        let _ = read_arenas(&path, &rules, &kinds, &project);
    }
});
