//! The QGIS project and layer styles that go into every output folder, so that a planner opens `arenagap.qgs` and
//! sees styled layers: districts coloured by gap score, gap zones outlined, children as a heatmap, arenas by kind.
//!
//! The files are built by `maps/make_maps.py` (PyQGIS) and embedded here. QGIS takes a layer's CRS from the
//! project file, not from the data file, so [`write_project`] sets each layer's CRS to the one the GeoJSON outputs
//! were written in.

use std::fs;
use std::path::Path;

use crate::crs::Crs;
use crate::error::{Error, Result};

/// The project file name in the output folder.
pub const PROJECT_FILE: &str = "arenagap.qgs";

/// The project template: layers `./districts.geojson` etc. in WGS 84, project CRS SWEREF 99 TM.
const PROJECT: &str = include_str!("../../maps/arenagap.qgs");

/// The layer styles, by layer name.
const STYLES: [(&str, &str); 4] = [
    ("districts", include_str!("../../maps/styles/districts.qml")),
    ("gaps", include_str!("../../maps/styles/gaps.qml")),
    ("children", include_str!("../../maps/styles/children.qml")),
    ("arenas", include_str!("../../maps/styles/arenas.qml")),
];

/// The QGIS style (QML) of an output layer: `districts`, `gaps`, `children`, `arenas`.
pub fn style_qml(layer: &str) -> Option<&'static str> {
    STYLES.iter().find(|(name, _)| *name == layer).map(|(_, qml)| *qml)
}

/// Every layer's style, for [`crate::output::gpkg::write_gpkg`].
pub fn styles() -> &'static [(&'static str, &'static str)] {
    &STYLES
}

/// Writes `arenagap.qgs` and `styles/<layer>.qml` into `out_dir`, every layer in `crs` (the CRS the GeoJSON
/// outputs were written in: QGIS takes a layer's CRS from the project, not from the file).
pub fn write_project(out_dir: &Path, crs: Crs) -> Result<()> {
    let epsg = crs.epsg();
    write_files(out_dir, &project_xml(|_| Some(epsg)))
}

fn write_files(out_dir: &Path, project: &str) -> Result<()> {
    let styles_dir = out_dir.join("styles");
    fs::create_dir_all(&styles_dir).map_err(|e| Error::write(&styles_dir, e))?;
    for (name, qml) in STYLES {
        write_atomically(&styles_dir.join(format!("{name}.qml")), qml.as_bytes())?;
    }
    write_atomically(&out_dir.join(PROJECT_FILE), project.as_bytes())
}

/// Writes `path` atomically (temporary file, then rename).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    super::atomic::write_file(path, |out| std::io::Write::write_all(out, bytes))
}

/// The project with each GeoJSON layer's `<srs>` set to `epsg_of(layer name)` (template unchanged for `None`).
fn project_xml(epsg_of: impl Fn(&str) -> Option<u32>) -> String {
    let mut out = String::with_capacity(PROJECT.len() + 4096);
    let mut rest = PROJECT;
    while let Some(start) = rest.find("<maplayer ") {
        let Some(len) = rest[start..].find("</maplayer>") else { break };
        let end = start + len + "</maplayer>".len();
        out.push_str(&rest[..start]);
        out.push_str(&rewrite_layer_srs(&rest[start..end], &epsg_of));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One `<maplayer>` element with its `<srs>` replaced, when its datasource is `./<layer>.geojson`.
fn rewrite_layer_srs(layer: &str, epsg_of: &impl Fn(&str) -> Option<u32>) -> String {
    let name = between(layer, "<datasource>./", ".geojson</datasource>");
    let epsg = name.and_then(epsg_of);
    let (Some(epsg), Some(srs_start)) = (epsg, layer.find("<srs>")) else { return layer.to_string() };
    let Some(srs_len) = layer[srs_start..].find("</srs>") else { return layer.to_string() };
    let srs_end = srs_start + srs_len + "</srs>".len();
    format!("{}<srs>{}</srs>{}", &layer[..srs_start], spatialrefsys(epsg), &layer[srs_end..])
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// The `<spatialrefsys>` element QGIS writes for `epsg`: the full ones from the template for 4326 and 3006 (the
/// project CRS), just the authority id otherwise (QGIS looks the rest up in its database).
fn spatialrefsys(epsg: u32) -> String {
    let authid = format!("<authid>EPSG:{epsg}</authid>");
    let full = |scope: &str| {
        let body = between(PROJECT, scope, "</spatialrefsys>")?;
        let start = body.find("<spatialrefsys>")?;
        let body = &body[start..];
        body.contains(&authid).then(|| format!("{body}</spatialrefsys>"))
    };
    full("<projectCrs>")
        .or_else(|| full("<datasource>./districts.geojson</datasource>"))
        .unwrap_or_else(|| format!("<spatialrefsys>{authid}</spatialrefsys>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYERS: [&str; 4] = ["districts", "gaps", "children", "arenas"];

    fn layer_srs(project: &str, layer: &str) -> String {
        let datasource = format!("<datasource>./{layer}.geojson</datasource>");
        let at = project.find(&datasource).unwrap();
        between(&project[at..], "<srs>", "</srs>").unwrap().to_string()
    }

    #[test]
    fn template_has_four_relative_layers_in_wgs84_and_a_sweref_project() {
        assert!(PROJECT.contains("<Absolute type=\"bool\">false</Absolute>"));
        assert!(between(PROJECT, "<projectCrs>", "</projectCrs>").unwrap().contains("<authid>EPSG:3006</authid>"));
        for layer in LAYERS {
            assert!(layer_srs(PROJECT, layer).contains("<authid>EPSG:4326</authid>"), "{layer}");
            assert!(style_qml(layer).unwrap().contains("version=\"3.22"), "{layer}");
        }
        assert!(!PROJECT.contains("/tmp/"), "the template must not name the folder it was made in");
        // arenas on top, then gaps, children, districts
        let order: Vec<usize> = LAYERS
            .iter()
            .map(|l| PROJECT.find(&format!("<layer-tree-layer source=\"./{l}.geojson\"")).unwrap())
            .collect();
        assert!(order[3] < order[1] && order[1] < order[2] && order[2] < order[0], "{order:?}");
        assert_eq!(style_qml("nope"), None);
    }

    #[test]
    fn layer_crs_follows_the_output_crs() {
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), Crs::SWEREF99_TM).unwrap();
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        for layer in LAYERS {
            assert!(layer_srs(&project, layer).contains("<authid>EPSG:3006</authid>"), "{layer}");
        }
        assert!(layer_srs(&project, "districts").contains("<wkt>PROJCRS[\"SWEREF99 TM\""));
        assert!(between(&project, "<projectCrs>", "</projectCrs>").unwrap().contains("EPSG:3006"));
        for layer in LAYERS {
            let qml = fs::read_to_string(dir.path().join("styles").join(format!("{layer}.qml"))).unwrap();
            assert_eq!(qml, style_qml(layer).unwrap());
        }
        assert!(fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")));

        write_project(dir.path(), Crs::WGS84).unwrap();
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        for layer in LAYERS {
            assert!(layer_srs(&project, layer).contains("<authid>EPSG:4326</authid>"), "{layer}");
        }
        assert_eq!(spatialrefsys(3007), "<spatialrefsys><authid>EPSG:3007</authid></spatialrefsys>");
    }

    /// Writes the project into an existing output folder: `ARENAGAP_SAMPLE_DIR=/tmp/out cargo test --lib
    /// sample_project -- --ignored`, for `tests/qgis/check_qgis.py`.
    #[test]
    #[ignore = "needs ARENAGAP_SAMPLE_DIR"]
    fn sample_project() {
        match std::env::var_os("ARENAGAP_SAMPLE_DIR") {
            Some(dir) => write_project(Path::new(&dir), Crs::WGS84).unwrap(),
            None => println!("ARENAGAP_SAMPLE_DIR is not set"),
        }
    }
}
