// Shared by the fuzz targets: a per-process scratch folder in memory (/dev/shm when there is one), because the
// readers take paths.
use std::path::PathBuf;

pub fn scratch() -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let dir = base.join(format!("arenagap-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Writes `bytes` to `name` in the scratch folder and returns the path.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("the scratch folder is writable");
    path
}

/// Reads a layer and, when it reads, resolves its CRS and projects it, as a run would; then checks its polygons'
/// shapes and overlaps, as a districts layer is checked.
#[allow(dead_code)] // not every target reads layers
pub fn read_and_project(path: &std::path::Path) {
    use arenagap::crs::Crs;
    use arenagap::input::{layers::read_projected, read_layer, ReadOptions};
    let options = ReadOptions::default();
    if read_layer(path, &options).is_ok() {
        if let Ok(projected) = read_projected(path, &options, Some(Crs::SWEREF99_TM), Crs::SWEREF99_TM) {
            check_polygons(&projected.layer);
        }
        let _ = read_projected(path, &options, None, Crs::SWEREF99_TM);
    }
}

/// The checks a districts layer gets: degenerate shapes, crossing rings, overlaps.
fn check_polygons(layer: &arenagap::input::Layer) {
    use arenagap::model::shape::{overlaps, shape_problems};
    let polygons: Vec<geo::MultiPolygon<f64>> = layer
        .features
        .iter()
        .filter_map(|f| match &f.geometry {
            Some(geo::Geometry::Polygon(p)) => Some(geo::MultiPolygon(vec![p.clone()])),
            Some(geo::Geometry::MultiPolygon(m)) => Some(m.clone()),
            _ => None,
        })
        .collect();
    for p in &polygons {
        let _ = shape_problems(p);
        let _ = arenagap::model::self_intersects(p);
    }
    let _ = overlaps(&arenagap::index::PolygonIndex::new(polygons), 0.001);
}
