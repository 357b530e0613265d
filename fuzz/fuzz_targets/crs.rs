//! Coordinate system text: `.prj` WKT (ESRI and OGC) and CRS codes (`EPSG:3006`, URNs), then a transform.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = [arenagap::crs::Crs::from_wkt(text), arenagap::crs::Crs::parse(text)];
    for crs in parsed.into_iter().flatten() {
        if let Ok(t) = arenagap::crs::Transform::new(crs, arenagap::crs::Crs::WGS84) {
            let [x0, y0, x1, y1] = crs.bounds();
            let _ = t.apply((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        }
    }
});
