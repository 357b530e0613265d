//! GeoPackages: any bytes as a .gpkg (seeds are real GeoPackages, which the fuzzer mutates).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

fuzz_target!(|data: &[u8]| {
    scratch::read_and_project(&scratch::file("layer.gpkg", data));
});
