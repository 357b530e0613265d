//! CSV point layers (x/y, lon/lat or WKT columns; `;` and decimal commas) and CSV tables.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::file("layer.csv", data);
    scratch::read_and_project(&path);
    if let Ok(table) = arenagap::input::read_table(&path) {
        for r in 0..table.rows.len().min(50) {
            for c in 0..table.columns.len() {
                let _ = table.count(r, c);
            }
        }
    }
});
