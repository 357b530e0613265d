//! GeoJSON layers: any bytes, read and projected; an error is fine, a panic or a hang is a bug.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

fuzz_target!(|data: &[u8]| {
    scratch::read_and_project(&scratch::file("layer.geojson", data));
});
