//! Scenario files (TOML): parsed and resolved against a small baseline, as `compare` will read them; an added
//! arena file is read from the scratch folder when one is named.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

use arenagap::crs::Crs;
use arenagap::input::scenario::{read_scenario, ScenarioContext};
use arenagap::input::sources::{ArenaSource, KindSource};
use arenagap::model::facilities::{Facilities, Facility};
use arenagap::model::kinds::{KindMap, Kinds};
use arenagap::model::Warnings;

fuzz_target!(|data: &[u8]| {
    let kinds = Kinds::defaults();
    let kind_map = KindMap::new(&kinds);
    let Some(fc) = kinds.find("familjecentral") else { return };
    let base = Facilities::new(vec![Facility {
        id: "a#0".into(),
        name: "Familjecentralen".into(),
        kind: fc,
        position: [310_000.0, 6_390_000.0],
        capacity: 1.0,
    }]);
    let context = ScenarioContext {
        kinds: &kinds,
        kind_map: &kind_map,
        base: &base,
        fallback: Some(Crs::SWEREF99_TM),
        analysis: Crs::SWEREF99_TM,
        arena_fields: ArenaSource {
            path: Default::default(),
            layer: None,
            kind: KindSource::Field("kind".into()),
            name: None,
            id: None,
            capacity: None,
        },
    };
    let path = scratch::file("scenario.toml", data);
    let _ = read_scenario(&path, &context, &mut Warnings::default());
});
