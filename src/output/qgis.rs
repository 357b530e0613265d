//! The QGIS project and layer styles that go into every output folder, so that a planner opens `arenagap.qgs` and
//! sees styled layers: districts coloured by gap score, gap zones outlined, children as a heatmap, arenas by kind.
//!
//! The files are built by `maps/make_maps.py` (PyQGIS) and embedded here. QGIS takes a layer's CRS from the
//! project file, not from the data file, so [`write_project`] sets each layer's CRS to the one its GeoJSON file
//! declares (WGS 84 when it declares none, as RFC 7946 says).

use std::fs;
use std::io::{Read, Seek, SeekFrom};
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

/// Writes `arenagap.qgs` and `styles/<layer>.qml` into `out_dir`, after the GeoJSON files: each layer gets the CRS
/// its file declares (a legacy `crs` member), WGS 84 when it declares none or the file is missing.
pub fn write_project(out_dir: &Path) -> Result<()> {
    let project = project_xml(|layer| sniff_geojson_epsg(&out_dir.join(format!("{layer}.geojson"))));
    write_files(out_dir, &project)
}

/// [`write_project`] with every layer in `crs`, without looking at the files.
pub fn write_project_with_crs(out_dir: &Path, crs: Crs) -> Result<()> {
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

/// The EPSG code a GeoJSON file declares in a legacy top-level `crs` member (`urn:ogc:def:crs:EPSG::3006`,
/// `EPSG:3006`, `http://www.opengis.net/def/crs/EPSG/0/3006`, `urn:ogc:def:crs:OGC:1.3:CRS84`); 4326 when it has
/// none; `None` when the file cannot be read. Looks at the head of the file (where GDAL and QGIS put `crs`) and
/// at its tail (where a streaming writer may have put it, after the features).
fn sniff_geojson_epsg(path: &Path) -> Option<u32> {
    const HEAD: usize = 64 * 1024;
    const TAIL: u64 = 4096;
    let mut file = fs::File::open(path).ok()?;
    let mut head = Vec::with_capacity(HEAD);
    (&mut file).take(HEAD as u64).read_to_end(&mut head).ok()?;
    let head = String::from_utf8_lossy(&head);
    let before_features = head.find("\"features\"").map_or(&head[..], |i| &head[..i]);
    if let Some(code) = crs_member(before_features) {
        return Some(code);
    }
    let len = file.metadata().ok()?.len();
    if len > HEAD as u64 {
        let mut tail = Vec::new();
        file.seek(SeekFrom::Start(len.saturating_sub(TAIL))).ok()?;
        file.read_to_end(&mut tail).ok()?;
        let tail = String::from_utf8_lossy(&tail);
        let after_features = tail.rfind(']').map_or(&tail[..], |i| &tail[i..]);
        if let Some(code) = crs_member(after_features) {
            return Some(code);
        }
    } else if let Some(i) = head.rfind(']') {
        if let Some(code) = crs_member(&head[i..]) {
            return Some(code);
        }
    }
    Some(4326)
}

/// The EPSG code of a `"crs": {"type": "name", "properties": {"name": "..."}}` member in `text`.
fn crs_member(text: &str) -> Option<u32> {
    let at = text.find("\"crs\"")?;
    let mut after = &text[at..];
    // The key `"name"`, not the value of `"type": "name"`.
    while let Some(i) = after.find("\"name\"") {
        after = &after[i + "\"name\"".len()..];
        if let Some(value) = after.trim_start().strip_prefix(':') {
            let value = value.trim_start().strip_prefix('"')?;
            return epsg_from_name(&value[..value.find('"')?]);
        }
    }
    None
}

fn epsg_from_name(name: &str) -> Option<u32> {
    let upper = name.trim().to_ascii_uppercase();
    if upper.ends_with("CRS84") {
        return Some(4326);
    }
    if !upper.contains("EPSG") {
        return None;
    }
    let digits: String = upper.chars().rev().take_while(|c| c.is_ascii_digit()).collect();
    digits.chars().rev().collect::<String>().parse().ok()
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
    fn layer_crs_follows_the_geojson_files() {
        let dir = tempfile::tempdir().unwrap();
        let crs = r#"{"type":"FeatureCollection","name":"x","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[]}"#;
        fs::write(dir.path().join("districts.geojson"), crs).unwrap();
        fs::write(dir.path().join("gaps.geojson"), r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
        let tail = format!(
            r#"{{"type":"FeatureCollection","features":[{}{{"type":"Feature","properties":{{"crs":1}},"geometry":null}}],"crs":{{"type":"name","properties":{{"name":"EPSG:3006"}}}}}}"#,
            r#"{"type":"Feature","properties":{"name":"a"},"geometry":null},"#.repeat(2000)
        );
        fs::write(dir.path().join("children.geojson"), tail).unwrap();
        write_project(dir.path()).unwrap();
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        assert!(layer_srs(&project, "districts").contains("<authid>EPSG:3006</authid>"));
        assert!(layer_srs(&project, "districts").contains("<wkt>PROJCRS[\"SWEREF99 TM\""));
        assert!(layer_srs(&project, "gaps").contains("<authid>EPSG:4326</authid>"));
        assert!(layer_srs(&project, "children").contains("<authid>EPSG:3006</authid>"));
        assert!(layer_srs(&project, "arenas").contains("<authid>EPSG:4326</authid>"), "missing file: template");
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

        write_project_with_crs(dir.path(), Crs::WGS84).unwrap();
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        for layer in LAYERS {
            assert!(layer_srs(&project, layer).contains("<authid>EPSG:4326</authid>"), "{layer}");
        }
        assert_eq!(spatialrefsys(3007), "<spatialrefsys><authid>EPSG:3007</authid></spatialrefsys>");
    }

    #[test]
    fn crs_names() {
        assert_eq!(epsg_from_name("urn:ogc:def:crs:EPSG::3006"), Some(3006));
        assert_eq!(epsg_from_name("EPSG:3006"), Some(3006));
        assert_eq!(epsg_from_name("http://www.opengis.net/def/crs/EPSG/0/3007"), Some(3007));
        assert_eq!(epsg_from_name("urn:ogc:def:crs:OGC:1.3:CRS84"), Some(4326));
        assert_eq!(epsg_from_name("something"), None);
    }

    /// Writes the project into an existing output folder: `ARENAGAP_SAMPLE_DIR=/tmp/out cargo test --lib
    /// sample_project -- --ignored`, for `tests/qgis/check_qgis.py`.
    #[test]
    #[ignore = "needs ARENAGAP_SAMPLE_DIR"]
    fn sample_project() {
        match std::env::var_os("ARENAGAP_SAMPLE_DIR") {
            Some(dir) => write_project(Path::new(&dir)).unwrap(),
            None => println!("ARENAGAP_SAMPLE_DIR is not set"),
        }
    }
}
