//! The QGIS project and layer styles that go into every output folder, so that a planner opens `arenagap.qgs` and
//! sees styled layers: districts coloured by gap score, gap zones hatched and outlined ([`gaps`]), children as a
//! heatmap, arenas by kind.
//!
//! The files are built by `maps/make_maps.py` (PyQGIS) and embedded here. QGIS takes a layer's CRS from the
//! project file, not from the data file, so [`write_project`] sets each layer's CRS to the one the GeoJSON outputs
//! were written in. The arenas style is a template: its classes (one per kind of arena, on field `kind`) are made
//! from the [`Kinds`] table through [`crate::output::symbology`], in the style file and in the project alike, so
//! a kind the user adds gets its class; for the four default kinds the template comes back byte for byte.
//!
//! The project also carries a print layout (A4 landscape, "arenagap"): title, subtitle, map, legend, scale bar,
//! north arrow and a sources line. [`layout`] fills in the run's texts and fits the map to the study area, so
//! *Project → Layouts → arenagap → Export as PDF* gives a page a committee can read without further work.

mod gaps;
mod layout;
mod xml;

use std::fs;
use std::path::Path;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::output::symbology::text as words;
use crate::output::symbology::{GapClass, GapClasses, KindSymbol, Look};
pub use layout::Page;

/// The project file name in the output folder.
pub const PROJECT_FILE: &str = "arenagap.qgs";

/// The project template: layers `./districts.geojson` etc. in WGS 84, project CRS SWEREF 99 TM.
const PROJECT: &str = include_str!("../../../maps/arenagap.qgs");

/// The layer styles, by layer name. The arenas style is a template: its classes are made from the kinds (see
/// [`arenas_qml`]).
const STYLES: [(&str, &str); 4] = [
    ("districts", include_str!("../../../maps/styles/districts.qml")),
    ("gaps", include_str!("../../../maps/styles/gaps.qml")),
    ("children", include_str!("../../../maps/styles/children.qml")),
    ("arenas", ARENAS_TEMPLATE),
];

/// The project file name in each scenario folder of `compare`.
pub const COMPARE_PROJECT_FILE: &str = "compare.qgs";

/// The compare project template: `./districts_diff.geojson`, `./children_diff.geojson` and `./arenas.geojson` in
/// WGS 84, styled for change.
const COMPARE_PROJECT: &str = include_str!("../../../maps/compare.qgs");

/// The compare layers' styles, by layer name (the arenas one by `status`, not by kind).
const COMPARE_STYLES: [(&str, &str); 3] = [
    ("districts_diff", include_str!("../../../maps/styles/districts_diff.qml")),
    ("children_diff", include_str!("../../../maps/styles/children_diff.qml")),
    ("arenas", include_str!("../../../maps/styles/arenas_status.qml")),
];

/// The arenas style as `maps/make_maps.py` writes it, for the four default kinds.
const ARENAS_TEMPLATE: &str = include_str!("../../../maps/styles/arenas.qml");

/// The QGIS style (QML) of an output layer: `districts` (the run's gap classes), `gaps`, `children`, `arenas` (one
/// class per kind).
pub fn style_qml(layer: &str, look: &Look) -> Option<String> {
    let (name, qml) = STYLES.iter().find(|(name, _)| *name == layer)?;
    let styled = match *name {
        "arenas" => arenas_qml(&look.kinds),
        "districts" => districts_qml(qml, &look.classes),
        "gaps" => gaps_qml(qml),
        _ => qml.to_string(),
    };
    Some(with_aliases(&styled, look.aliases_of(name)))
}

/// `xml` (a style or a project's map layer) with its fields' aliases set: the `<aliases>` element's body replaced
/// or, in a style without one, an `<aliases>` element added and the Fields category declared. Unchanged for none.
fn with_aliases(xml: &str, aliases: &[(String, String)]) -> String {
    if aliases.is_empty() {
        return xml.to_string();
    }
    let alias = |indent: &str| {
        aliases
            .iter()
            .enumerate()
            .map(|(i, (field, name))| {
                format!(
                    "\n{indent}<alias name=\"{}\" field=\"{}\" index=\"{i}\"/>",
                    super::xml_escape(name),
                    super::xml_escape(field)
                )
            })
            .collect::<String>()
    };
    if let Some(el) = element(xml, 0, "aliases") {
        let inner = format!("{}  ", el.indent);
        return format!("{}{}\n{}{}", &xml[..el.body_start], alias(&inner), el.indent, &xml[el.body_end..]);
    }
    let Some(end) = xml.rfind("</qgis>") else { return xml.to_string() };
    let categories = "styleCategories=\"Symbology|Labeling|Rendering\"";
    let head = xml[..end].replacen(categories, "styleCategories=\"Symbology|Labeling|Fields|Rendering\"", 1);
    format!("{head}  <aliases>{}\n  </aliases>\n{}", alias("    "), &xml[end..])
}

/// Every layer's style (layer name, QML), for [`crate::output::gpkg::write_gpkg`].
pub fn styles(look: &Look) -> Vec<(&'static str, String)> {
    STYLES.iter().filter_map(|(name, _)| Some((*name, style_qml(name, look)?))).collect()
}

/// The arenas style: the template with one category and marker symbol per kind, in table order, on field `kind`
/// (symbols from [`crate::output::symbology`]). The defaults give the template back unchanged.
pub fn arenas_qml(symbols: &[KindSymbol]) -> String {
    with_kind_classes(ARENAS_TEMPLATE, symbols)
}

/// A districts style or map layer: graduated on `gap_score` by the run's classes, labelled with the shared words.
fn districts_qml(xml: &str, classes: &GapClasses) -> String {
    with_label_expression(&with_gap_classes(xml, classes), &words::district_label_expression())
}

/// A gaps style or map layer: its rules from [`crate::output::symbology::zones`], labelled with the shared words.
fn gaps_qml(xml: &str) -> String {
    with_label_expression(&gaps::with_zone_classes(xml), &words::zone_label_expression())
}

/// Writes `arenagap.qgs` and `styles/<layer>.qml` into `out_dir`, every layer in `crs` (the CRS the GeoJSON
/// outputs were written in: QGIS takes a layer's CRS from the project, not from the file), styled with the run's
/// `look`: one class per kind, the run's gap-score classes; its print layout with the run's `page`. The project
/// CRS is `project_crs`, the CRS `page.extent` is in (the analysis CRS).
pub fn write_project(out_dir: &Path, crs: Crs, project_crs: Crs, look: &Look, page: &Page) -> Result<()> {
    let styles_dir = out_dir.join("styles");
    fs::create_dir_all(&styles_dir).map_err(|e| Error::write(&styles_dir, e))?;
    for (name, qml) in styles(look) {
        write_atomically(&styles_dir.join(format!("{name}.qml")), qml.as_bytes())?;
    }
    let project = project_xml(PROJECT, |_| Some(crs), Some(look));
    let project = with_page(&project, project_crs, page, &words::LAYER_HEADINGS);
    write_atomically(&out_dir.join(PROJECT_FILE), project.as_bytes())
}

/// Writes a scenario folder's `compare.qgs` and `styles/<layer>.qml`, every layer in `crs`: districts and child
/// points by `change` (better, worse, unchanged), arenas by `status` (added, closed, existing); its print layout
/// with `page` (its extent in `project_crs`); each layer's fields with the Swedish names of `fields`
/// ([`Look::aliases_of`]; its kinds and classes are not used: change is styled by the templates).
pub fn write_compare_project(out_dir: &Path, crs: Crs, project_crs: Crs, page: &Page, fields: &Look) -> Result<()> {
    let styles_dir = out_dir.join("styles");
    fs::create_dir_all(&styles_dir).map_err(|e| Error::write(&styles_dir, e))?;
    for (name, qml) in COMPARE_STYLES {
        write_atomically(
            &styles_dir.join(format!("{name}.qml")),
            with_aliases(qml, fields.aliases_of(name)).as_bytes(),
        )?;
    }
    let project = project_xml(COMPARE_PROJECT, |_| Some(crs), None);
    let project = map_layers(&project, |source, layer| match source {
        Some(name) => with_aliases(layer, fields.aliases_of(name)),
        None => layer.to_string(),
    });
    let project = with_page(&project, project_crs, page, &words::CHANGE_HEADINGS);
    write_atomically(&out_dir.join(COMPARE_PROJECT_FILE), project.as_bytes())
}

/// `project` in `project_crs`, its print layout and default view showing `page`, the legend's layer headings from
/// `headings` (layer, heading, gloss).
fn with_page(project: &str, project_crs: Crs, page: &Page, headings: &[(&str, &str, &str)]) -> String {
    let headings: Vec<(&str, String)> = headings.iter().map(|(l, sv, en)| (*l, format!("{sv}\n{en}"))).collect();
    let mut xml = layout::with_page(project, page, &headings);
    // The project CRS, and the CRS of its default view, which the page's extent is in.
    for scope in ["<projectCrs>", "<DefaultViewExtent "] {
        let Some(at) = xml.find(scope) else { continue };
        let Some(start) = xml[at..].find("<spatialrefsys>").map(|i| at + i) else { continue };
        let Some(end) = xml[start..].find("</spatialrefsys>").map(|i| start + i + "</spatialrefsys>".len()) else {
            continue;
        };
        if !xml[start..end].contains(&format!("<authid>EPSG:{}</authid>", project_crs.epsg())) {
            xml.replace_range(start..end, &spatialrefsys(project_crs));
        }
    }
    xml
}

/// Writes `path` atomically (temporary file, then rename).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    super::atomic::write_file(path, |out| std::io::Write::write_all(out, bytes))
}

/// The project `template` with each GeoJSON layer's `<srs>` set to `crs_of(layer name)` (unchanged for `None`)
/// and, given a `look`, the arenas, districts and gaps layers styled with it as their style files are.
fn project_xml(template: &str, crs_of: impl Fn(&str) -> Option<Crs>, look: Option<&Look>) -> String {
    map_layers(template, |source, layer| {
        let layer = rewrite_layer_srs(layer, &crs_of);
        let styled = match (source, look) {
            (Some("arenas"), Some(look)) => with_kind_classes(&layer, &look.kinds),
            (Some("districts"), Some(look)) => districts_qml(&layer, &look.classes),
            (Some("gaps"), Some(_)) => gaps_qml(&layer),
            _ => layer,
        };
        match (source, look) {
            (Some(name), Some(look)) => with_aliases(&styled, look.aliases_of(name)),
            _ => styled,
        }
    })
}

/// `project` with each `<maplayer>` element replaced by `f(its GeoJSON layer name, if any, the element)`.
fn map_layers(project: &str, f: impl Fn(Option<&str>, &str) -> String) -> String {
    let mut out = String::with_capacity(project.len() + 4096);
    let mut rest = project;
    while let Some(start) = rest.find("<maplayer ") {
        let Some(len) = rest[start..].find("</maplayer>") else { break };
        let end = start + len + "</maplayer>".len();
        out.push_str(&rest[..start]);
        let layer = &rest[start..end];
        out.push_str(&f(between(layer, "<datasource>./", ".geojson</datasource>"), layer));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `xml` (a style or a project's map layer) with the `<categories>` and `<symbols>` of its first renderer replaced
/// by one category and one marker symbol per kind, indented as the template is. Unchanged if it has none.
fn with_kind_classes(xml: &str, symbols: &[KindSymbol]) -> String {
    let Some(renderer) = xml.find("<renderer-v2 ") else { return xml.to_string() };
    let Some(categories) = element(xml, renderer, "categories") else { return xml.to_string() };
    let Some(markers) = element(xml, categories.end, "symbols") else { return xml.to_string() };
    let mut body = String::new();
    let inner = format!("{}  ", categories.indent);
    for (i, s) in symbols.iter().enumerate() {
        body.push_str(&format!(
            "\n{inner}<category symbol=\"{i}\" value=\"{}\" render=\"true\" label=\"{}\"/>",
            super::xml_escape(&s.id),
            super::xml_escape(&s.legend_label())
        ));
    }
    let mut out = String::with_capacity(xml.len() + symbols.len() * 6000);
    out.push_str(&xml[..categories.body_start]);
    out.push_str(&body);
    out.push('\n');
    out.push_str(categories.indent);
    out.push_str(&xml[categories.body_end..markers.body_start]);
    let body: Vec<String> = symbols.iter().enumerate().map(|(i, s)| marker_symbol(i, s)).collect();
    push_symbols(&mut out, &markers, &body);
    out.push_str(&xml[markers.body_end..]);
    out
}

/// The body of a `<symbols>` element: each symbol's lines indented one step deeper than `<symbols>`, then the
/// indent of `</symbols>`.
fn push_symbols(out: &mut String, symbols: &Element, body: &[String]) {
    let inner = format!("{}  ", symbols.indent);
    for line in body.iter().flat_map(|s| s.lines()) {
        out.push('\n');
        out.push_str(&inner);
        out.push_str(line);
    }
    out.push('\n');
    out.push_str(symbols.indent);
}

/// `xml` (a style or a project's map layer) with its first renderer graduated on `gap_score` by `classes`: one range
/// and one fill symbol per legend entry, in the legend's order (worst first). QGIS gives a value the first range
/// that holds it, bounds included, so each range after the first class starts just above the bound below it, as
/// [`GapClasses::class_of`] does. Unchanged if it has no graduated renderer.
fn with_gap_classes(xml: &str, classes: &GapClasses) -> String {
    let Some(renderer) = xml.find("<renderer-v2 type=\"graduatedSymbol\"") else { return xml.to_string() };
    let Some(ranges) = element(xml, renderer, "ranges") else { return xml.to_string() };
    let Some(fills) = element(xml, ranges.end, "symbols") else { return xml.to_string() };
    let head = &xml[renderer..ranges.body_start];
    let head = match (head.find(" attr=\""), head.find(" graduatedMethod=")) {
        (Some(a), Some(g)) if a < g => format!("{} attr=\"gap_score\"{}", &head[..a], &head[g..]),
        _ => head.to_string(),
    };
    // Only classes a district is in: QGIS draws a district outside every range not at all.
    let legend: Vec<_> = classes.legend().into_iter().filter(|e| e.class != GapClass::NoData).collect();
    let mut out = String::with_capacity(xml.len() + legend.len() * 3000);
    out.push_str(&xml[..renderer]);
    out.push_str(&head);
    let inner = format!("{}  ", ranges.indent);
    for (i, e) in legend.iter().enumerate() {
        let (lower, upper) = match e.class {
            GapClass::Ramp(0) => (f64::MIN_POSITIVE, e.upper),
            GapClass::Ramp(_) => (e.lower.next_up(), e.upper),
            _ => (0.0, 0.0),
        };
        let label = match e.gloss {
            Some(gloss) => format!("{} {gloss}", e.label),
            None => e.label.clone(),
        };
        out.push_str(&format!(
            "\n{inner}<range lower=\"{}\" symbol=\"{i}\" upper=\"{}\" render=\"true\" label=\"{}\"/>",
            ryu::Buffer::new().format(lower),
            ryu::Buffer::new().format(upper),
            super::xml_escape(&label)
        ));
    }
    out.push('\n');
    out.push_str(ranges.indent);
    out.push_str(&xml[ranges.body_end..fills.body_start]);
    let body: Vec<String> = legend.iter().enumerate().map(|(i, e)| fill_symbol(i, e.colour)).collect();
    push_symbols(&mut out, &fills, &body);
    out.push_str(&xml[fills.body_end..]);
    out
}

/// `xml` with the expression of its first label set to `expression`. Unchanged if it has no label.
fn with_label_expression(xml: &str, expression: &str) -> String {
    let open = "<text-style fieldName=\"";
    let Some(start) = xml.find(open).map(|i| i + open.len()) else { return xml.to_string() };
    let Some(len) = xml[start..].find('"') else { return xml.to_string() };
    format!("{}{}{}", &xml[..start], super::xml_escape(expression), &xml[start + len..])
}

/// One gap class's fill symbol, as QGIS 3.22 writes a SimpleFill symbol (grey 0.26 mm outline), unindented.
fn fill_symbol(index: usize, hex: &str) -> String {
    let colour = qgis_colour(hex);
    let props: [(&str, &str); 11] = [
        ("border_width_map_unit_scale", "3x:0,0,0,0,0,0"),
        ("color", &colour),
        ("joinstyle", "bevel"),
        ("offset", "0,0"),
        ("offset_map_unit_scale", "3x:0,0,0,0,0,0"),
        ("offset_unit", "MM"),
        ("outline_color", "90,90,90,255"),
        ("outline_style", "solid"),
        ("outline_width", "0.26"),
        ("outline_width_unit", "MM"),
        ("style", "solid"),
    ];
    symbol_xml("fill", "SimpleFill", index, &props)
}

/// `#rrggbb` as QGIS writes a colour: `r,g,b,255` (black for anything else).
fn qgis_colour(hex: &str) -> String {
    let v = |k: usize| hex.get(k..k + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0);
    format!("{},{},{},255", v(1), v(3), v(5))
}

/// Where an element `<tag>…</tag>` is, found from byte `from` on.
struct Element<'a> {
    /// The spaces before `<tag>` on its line.
    indent: &'a str,
    /// Just after `<tag>`.
    body_start: usize,
    /// At `</tag>`.
    body_end: usize,
    /// Just after `</tag>`.
    end: usize,
}

fn element<'a>(xml: &'a str, from: usize, tag: &str) -> Option<Element<'a>> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let start = from + xml[from..].find(&open)?;
    let body_start = start + open.len();
    let body_end = body_start + xml[body_start..].find(&close)?;
    let line_start = xml[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &xml[line_start..start];
    let indent = if indent.trim().is_empty() { indent } else { "" };
    Some(Element { indent, body_start, body_end, end: body_end + close.len() })
}

/// One kind's marker symbol, as QGIS 3.22 writes a SimpleMarker symbol (white 0.4 mm outline), unindented.
fn marker_symbol(index: usize, symbol: &KindSymbol) -> String {
    let [r, g, b] = symbol.colour.0;
    let colour = format!("{r},{g},{b},255");
    let size = symbol.size_mm().to_string();
    let props: [(&str, &str); 19] = [
        ("angle", "0"),
        ("cap_style", "square"),
        ("color", &colour),
        ("horizontal_anchor_point", "1"),
        ("joinstyle", "bevel"),
        ("name", symbol.qgis_marker()),
        ("offset", "0,0"),
        ("offset_map_unit_scale", "3x:0,0,0,0,0,0"),
        ("offset_unit", "MM"),
        ("outline_color", "255,255,255,255"),
        ("outline_style", "solid"),
        ("outline_width", "0.4"),
        ("outline_width_map_unit_scale", "3x:0,0,0,0,0,0"),
        ("outline_width_unit", "MM"),
        ("scale_method", "diameter"),
        ("size", &size),
        ("size_map_unit_scale", "3x:0,0,0,0,0,0"),
        ("size_unit", "MM"),
        ("vertical_anchor_point", "1"),
    ];
    symbol_xml("marker", "SimpleMarker", index, &props)
}

/// A one-layer symbol as QGIS 3.22 writes it: `<symbol type="{ty}">` with a `{class}` layer of `props`, each as an
/// `<Option>` and a `<prop>`, unindented.
fn symbol_xml(ty: &str, class: &str, index: usize, props: &[(&str, &str)]) -> String {
    let data_defined = |indent: &str| {
        [
            "<data_defined_properties>",
            "  <Option type=\"Map\">",
            "    <Option type=\"QString\" name=\"name\" value=\"\"/>",
            "    <Option name=\"properties\"/>",
            "    <Option type=\"QString\" name=\"type\" value=\"collection\"/>",
            "  </Option>",
            "</data_defined_properties>",
        ]
        .iter()
        .map(|l| format!("{indent}{l}\n"))
        .collect::<String>()
    };
    let mut out = format!("<symbol type=\"{ty}\" force_rhr=\"0\" clip_to_extent=\"1\" alpha=\"1\" name=\"{index}\">\n");
    out.push_str(&data_defined("  "));
    out.push_str(&format!(
        "  <layer class=\"{class}\" enabled=\"1\" locked=\"0\" pass=\"0\">\n    <Option type=\"Map\">\n"
    ));
    for (k, v) in props {
        out.push_str(&format!("      <Option type=\"QString\" name=\"{k}\" value=\"{}\"/>\n", super::xml_escape(v)));
    }
    out.push_str("    </Option>\n");
    for (k, v) in props {
        out.push_str(&format!("    <prop k=\"{k}\" v=\"{}\"/>\n", super::xml_escape(v)));
    }
    out.push_str(&data_defined("    "));
    out.push_str("  </layer>\n</symbol>\n");
    out
}

/// One `<maplayer>` element with its `<srs>` replaced, when its datasource is `./<layer>.geojson`.
fn rewrite_layer_srs(layer: &str, crs_of: &impl Fn(&str) -> Option<Crs>) -> String {
    let name = between(layer, "<datasource>./", ".geojson</datasource>");
    let crs = name.and_then(crs_of);
    let (Some(crs), Some(srs_start)) = (crs, layer.find("<srs>")) else { return layer.to_string() };
    let Some(srs_len) = layer[srs_start..].find("</srs>") else { return layer.to_string() };
    let srs_end = srs_start + srs_len + "</srs>".len();
    format!("{}<srs>{}</srs>{}", &layer[..srs_start], spatialrefsys(crs), &layer[srs_end..])
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// The `<spatialrefsys>` element QGIS writes for `crs`: the full ones from the template for 4326 and 3006 (the
/// project CRS), otherwise one with the CRS's WKT, PROJ string, code and name (QGIS reads the CRS from the WKT;
/// an `<authid>` alone leaves a project CRS invalid, checked with QGIS 3.22 and headless PyQGIS).
fn spatialrefsys(crs: Crs) -> String {
    let authid = format!("<authid>EPSG:{}</authid>", crs.epsg());
    let full = |scope: &str| {
        let body = between(PROJECT, scope, "</spatialrefsys>")?;
        let start = body.find("<spatialrefsys>")?;
        let body = &body[start..];
        body.contains(&authid).then(|| format!("{body}</spatialrefsys>"))
    };
    full("<projectCrs>").or_else(|| full("<datasource>./districts.geojson</datasource>")).unwrap_or_else(|| {
        let escape = super::xml_escape;
        format!(
            "<spatialrefsys><wkt>{}</wkt><proj4>{}</proj4><srid>{}</srid>{authid}<description>{}</description>\
             <geographicflag>{}</geographicflag></spatialrefsys>",
            // Without a null datum shift, which would make it a "bound" CRS QGIS finds no EPSG code for.
            escape(&crs.wkt().replace("TOWGS84[0,0,0,0,0,0,0],", "")),
            escape(&crs.proj4()),
            crs.epsg(),
            escape(crs.name()),
            crs.is_geographic()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::{KindEdit, Kinds, Rgb, Shape};
    use crate::output::symbology;

    /// The look of a run with `kinds` and a few district scores.
    fn look(kinds: &Kinds) -> Look {
        Look::new(kinds, [Some(0.0), Some(12.5), Some(40.0), Some(410.0), Some(1200.0), Some(3.0)])
    }

    const LAYERS: [&str; 4] = ["districts", "gaps", "children", "arenas"];

    fn page() -> Page {
        Page { title: "Test".into(), subtitle: String::new(), sources: String::new(), extent: None }
    }

    fn layer_srs(project: &str, layer: &str) -> String {
        let datasource = format!("<datasource>./{layer}.geojson</datasource>");
        let at = project.find(&datasource).unwrap();
        between(&project[at..], "<srs>", "</srs>").unwrap().to_string()
    }

    /// The symbols of a categorized style, in category order: (value, label, symbol XML).
    fn categories(qml: &str) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for line in qml.lines().filter(|l| l.trim_start().starts_with("<category ")) {
            let value = between(line, "value=\"", "\"").unwrap().to_string();
            let label = between(line, "label=\"", "\"").unwrap().to_string();
            let symbol = between(line, "symbol=\"", "\"").unwrap();
            let start = qml.find(&format!(" name=\"{symbol}\">")).unwrap();
            let end = start + qml[start..].find("</symbol>").unwrap();
            out.push((value, label, qml[start..end].to_string()));
        }
        out
    }

    #[test]
    fn the_compare_styles_carry_the_change_classes_the_map_draws() {
        use crate::output::symbology::{CHANGE_CLASSES, STATUS_MARKS};
        let style = |name: &str| COMPARE_STYLES.iter().find(|(n, _)| *n == name).unwrap().1;
        let districts = categories(style("districts_diff"));
        assert_eq!(districts.len(), 3);
        for (c, (value, label, symbol)) in CHANGE_CLASSES.iter().zip(&districts) {
            assert_eq!((value.as_str(), label.clone()), (c.value, format!("{} ({})", c.label_sv, c.label_en)));
            assert!(symbol.contains(&format!("<prop k=\"color\" v=\"{}\"/>", qgis_colour(c.fill))), "{value}");
        }
        let children = categories(style("children_diff"));
        assert_eq!(children.len(), CHANGE_CLASSES.len());
        for (c, (value, _, symbol)) in CHANGE_CLASSES.iter().zip(&children) {
            assert_eq!(value, c.value);
            assert!(symbol.contains(&format!("<prop k=\"color\" v=\"{}\"/>", qgis_colour(c.point))), "{value}");
        }
        let arenas = categories(style("arenas"));
        assert_eq!(arenas.len(), STATUS_MARKS.len());
        for ((value, sv, en, marker, colour, _), (v, label, symbol)) in STATUS_MARKS.iter().zip(&arenas) {
            assert_eq!((v.as_str(), label.clone()), (*value, format!("{sv} ({en})")));
            assert!(symbol.contains(&format!("<prop k=\"name\" v=\"{marker}\"/>")), "{value}");
            assert!(symbol.contains(&format!("<prop k=\"color\" v=\"{}\"/>", qgis_colour(colour))), "{value}");
        }
        // The project: three layers in relative paths, each in the output CRS it is given.
        let project = project_xml(COMPARE_PROJECT, |_| Some(Crs::SWEREF99_TM), None);
        for layer in ["districts_diff", "children_diff", "arenas"] {
            assert!(project.contains(&format!("<datasource>./{layer}.geojson</datasource>")), "{layer}");
        }
        for layer in ["districts_diff", "children_diff", "arenas"] {
            assert!(layer_srs(&project, layer).contains("<authid>EPSG:3006</authid>"), "{layer}");
            assert!(layer_srs(COMPARE_PROJECT, layer).contains("<authid>EPSG:4326</authid>"), "{layer}");
        }
    }

    #[test]
    fn template_has_four_relative_layers_in_wgs84_and_a_sweref_project() {
        assert!(PROJECT.contains("<Absolute type=\"bool\">false</Absolute>"));
        assert!(between(PROJECT, "<projectCrs>", "</projectCrs>").unwrap().contains("<authid>EPSG:3006</authid>"));
        for layer in LAYERS {
            assert!(layer_srs(PROJECT, layer).contains("<authid>EPSG:4326</authid>"), "{layer}");
            assert!(style_qml(layer, &look(&Kinds::defaults())).unwrap().contains("version=\"3.22"), "{layer}");
        }
        assert!(!PROJECT.contains("/tmp/"), "the template must not name the folder it was made in");
        // arenas on top, then gaps, children, districts
        let order: Vec<usize> = LAYERS
            .iter()
            .map(|l| PROJECT.find(&format!("<layer-tree-layer source=\"./{l}.geojson\"")).unwrap())
            .collect();
        assert!(order[3] < order[1] && order[1] < order[2] && order[2] < order[0], "{order:?}");
        assert_eq!(style_qml("nope", &look(&Kinds::defaults())), None);
    }

    #[test]
    fn layer_crs_follows_the_output_crs() {
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), Crs::SWEREF99_TM, Crs::SWEREF99_TM, &look(&Kinds::defaults()), &page()).unwrap();
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        for layer in LAYERS {
            assert!(layer_srs(&project, layer).contains("<authid>EPSG:3006</authid>"), "{layer}");
        }
        assert!(layer_srs(&project, "districts").contains("<wkt>PROJCRS[\"SWEREF99 TM\""));
        assert!(between(&project, "<projectCrs>", "</projectCrs>").unwrap().contains("EPSG:3006"));
        for layer in LAYERS {
            let qml = fs::read_to_string(dir.path().join("styles").join(format!("{layer}.qml"))).unwrap();
            assert_eq!(qml, style_qml(layer, &look(&Kinds::defaults())).unwrap());
        }
        assert!(fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")));

        write_project(dir.path(), Crs::WGS84, Crs::SWEREF99_TM, &look(&Kinds::defaults()), &page()).unwrap();
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        for layer in LAYERS {
            assert!(layer_srs(&project, layer).contains("<authid>EPSG:4326</authid>"), "{layer}");
        }
        // Other CRSs carry their WKT: an authid alone leaves a QGIS project CRS invalid.
        let local = spatialrefsys(Crs::from_epsg(3007).unwrap());
        assert!(local.starts_with("<spatialrefsys><wkt>PROJCS[&quot;SWEREF99 12 00&quot;"), "{local}");
        assert!(local.contains("<srid>3007</srid><authid>EPSG:3007</authid><description>SWEREF99 12 00</description>"));
        assert!(local.contains("<proj4>+proj=tmerc +lat_0=0 +lon_0=12 "), "{local}");
        assert!(!local.contains("TOWGS84"), "{local}");
        let utm = spatialrefsys(Crs::from_epsg(32635).unwrap());
        assert!(utm.contains("<proj4>+proj=utm +zone=35 +datum=WGS84 +units=m +no_defs</proj4>"), "{utm}");
        assert!(utm.ends_with(
            "<description>WGS 84 / UTM zone 35N</description><geographicflag>false</geographicflag></spatialrefsys>"
        ));
    }

    /// The (value, label) of every category of the first categorized renderer in `xml`, and each symbol's
    /// (name, marker shape, colour, size), in order.
    fn classes(xml: &str) -> (Vec<(String, String)>, Vec<[String; 4]>) {
        let attr = |tag: &str, name: &str| between(tag, &format!(" {name}=\""), "\"").unwrap().to_string();
        let categories = between(xml, "<categories>", "</categories>").unwrap();
        let cats = categories.split("<category ").skip(1).map(|c| (attr(c, "value"), attr(c, "label"))).collect();
        let symbols = between(xml, "<symbols>", "</symbols>").unwrap();
        let syms = symbols
            .split("<symbol ")
            .skip(1)
            .map(|sym| {
                let prop = |k: &str| between(sym, &format!("<prop k=\"{k}\" v=\""), "\"").unwrap().to_string();
                [attr(sym, "name"), prop("name"), prop("color"), prop("size")]
            })
            .collect();
        (cats, syms)
    }

    fn arenas_layer(project: &str) -> &str {
        let at = project.find("<datasource>./arenas.geojson</datasource>").unwrap();
        let start = project[..at].rfind("<maplayer ").unwrap();
        let end = at + project[at..].find("</maplayer>").unwrap();
        &project[start..end]
    }

    #[test]
    fn the_default_kinds_give_the_committed_arenas_style_back() {
        let kinds = Kinds::defaults();
        let symbols = symbology::kind_symbols(&kinds);
        assert_eq!(arenas_qml(&symbols), ARENAS_TEMPLATE, "maps/styles/arenas.qml, byte for byte");
        let project = project_xml(PROJECT, |_| None, Some(&look(&kinds)));
        assert_eq!(arenas_layer(&project), arenas_layer(PROJECT), "maps/arenagap.qgs");
        let styles = styles(&look(&kinds));
        assert_eq!(styles.iter().map(|(n, _)| *n).collect::<Vec<_>>(), LAYERS);
        for (name, qml) in &styles {
            if *name == "arenas" || *name == "children" {
                assert_eq!(qml, STYLES.iter().find(|(n, _)| n == name).unwrap().1, "{name}");
            }
        }
        let (cats, syms) = classes(ARENAS_TEMPLATE);
        assert_eq!(cats.len(), 4);
        assert_eq!(syms[0], ["0", "star", "8,81,156,255", "5"].map(String::from));
    }

    /// The (lower, upper, label, colour) of every range of the first graduated renderer in `xml`, in order.
    fn ranges(xml: &str) -> Vec<(f64, f64, String, String)> {
        let attr = |tag: &str, name: &str| between(tag, &format!(" {name}=\""), "\"").unwrap().to_string();
        let body = between(xml, "<ranges>", "</ranges>").unwrap();
        let symbols = between(xml, "<symbols>", "</symbols>").unwrap();
        body.split("<range ")
            .skip(1)
            .map(|r| {
                let r = &format!(" {r}");
                let name = attr(r, "symbol");
                let sym = &symbols[symbols.find(&format!(" name=\"{name}\">")).unwrap()..];
                let colour = between(sym, "<prop k=\"color\" v=\"", "\"").unwrap().to_string();
                (attr(r, "lower").parse().unwrap(), attr(r, "upper").parse().unwrap(), attr(r, "label"), colour)
            })
            .collect()
    }

    /// QGIS's rule: the first range whose bounds hold the value, bounds included.
    fn qgis_range(ranges: &[(f64, f64, String, String)], v: f64) -> Option<usize> {
        ranges.iter().position(|r| r.0 <= v && v <= r.1)
    }

    /// Brute force on random scores: the style's ranges, read as QGIS reads them, put every district in the
    /// class the picture draws it in, with the same label and colour; the project's districts layer says the same.
    #[test]
    fn the_districts_style_classes_every_score_as_the_picture_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x9e37);
        let mut next = || rng.random::<f64>();
        for round in 0..100i32 {
            let n = 1 + round as usize % 30;
            let scale = 10f64.powi(round % 7 - 2);
            let scores: Vec<f64> =
                (0..n).map(|_| if next() < 0.2 { 0.0 } else { (next() * scale * 10_000.0).round() / 100.0 }).collect();
            let look = Look::new(&Kinds::defaults(), scores.iter().map(|s| Some(*s)));
            let qml = style_qml("districts", &look).unwrap();
            assert!(qml.contains("attr=\"gap_score\""));
            let got = ranges(&qml);
            let legend = look.classes.legend();
            assert_eq!(got.len(), legend.len());
            for (r, e) in got.iter().zip(&legend) {
                let label = match e.gloss {
                    Some(g) => format!("{} {g}", e.label),
                    None => e.label.clone(),
                };
                assert_eq!(
                    (r.2.as_str(), r.3.as_str()),
                    (crate::output::xml_escape(&label).as_str(), qgis_colour(e.colour).as_str())
                );
            }
            for s in &scores {
                let class = look.classes.class_of(Some(*s));
                let want = legend.iter().position(|e| e.class == class);
                assert_eq!(qgis_range(&got, *s), want, "score {s} in {:?}", look.classes.bounds());
            }
            let project = project_xml(PROJECT, |_| None, Some(&look));
            let at = project.find("<datasource>./districts.geojson</datasource>").unwrap();
            let layer = &project[project[..at].rfind("<maplayer ").unwrap()..];
            assert_eq!(ranges(layer), got);
        }
    }

    #[test]
    fn labels_use_the_shared_words() {
        let look = look(&Kinds::defaults());
        let districts = style_qml("districts", &look).unwrap();
        assert!(districts.contains("glapp nr") && !districts.contains("gap #"));
        let gaps = style_qml("gaps", &look).unwrap();
        assert!(gaps.contains(" barn&apos;") && !gaps.contains("format_number"));
        let project = project_xml(PROJECT, |_| None, Some(&look));
        assert!(!project.contains("gap #") && !project.contains("format_number("), "the project says the same");
    }

    #[test]
    fn an_added_kind_gets_a_class_in_the_style_and_the_project() {
        let mut kinds = Kinds::defaults();
        kinds.upsert("lekplats", KindEdit::default()).unwrap();
        kinds
            .upsert(
                "bus",
                KindEdit {
                    label_sv: Some("Lek & bus <ute>".into()),
                    label_en: Some("\"play\"".into()),
                    shape: Some(Shape::Cross),
                    colour: Rgb::parse("#cc79a7"),
                    ..Default::default()
                },
            )
            .unwrap();
        let qml = arenas_qml(&symbology::kind_symbols(&kinds));
        let (cats, syms) = classes(&qml);
        assert_eq!(cats.len(), 6);
        assert_eq!(cats[..4], classes(ARENAS_TEMPLATE).0[..], "the defaults' classes are kept");
        assert_eq!(cats[4], ("lekplats".to_string(), "lekplats".to_string()));
        assert_eq!(cats[5], ("bus".to_string(), "Lek &amp; bus &lt;ute&gt; (&quot;play&quot;)".to_string()));
        assert_eq!(syms[4], ["4", "diamond", "213,94,0,255", "3.8"].map(String::from));
        assert_eq!(syms[5], ["5", "cross_fill", "204,121,167,255", "4.4"].map(String::from));
        // Everything but the classes is the template's: the renderer's field, the labels.
        let tail = |xml: &str| xml[xml.find("</symbols>").unwrap()..].to_string();
        assert_eq!(tail(&qml), tail(ARENAS_TEMPLATE));
        assert!(qml.starts_with(&ARENAS_TEMPLATE[..ARENAS_TEMPLATE.find("<categories>").unwrap()]));
        assert_eq!(style_qml("arenas", &look(&kinds)).unwrap(), qml);
        assert_eq!(styles(&look(&kinds)).iter().find(|(n, _)| *n == "arenas").unwrap().1, qml);

        // The project written with these kinds says the same, and only its arenas layer changed.
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), Crs::SWEREF99_TM, Crs::SWEREF99_TM, &look(&kinds), &page()).unwrap();
        let written = fs::read_to_string(dir.path().join("styles/arenas.qml")).unwrap();
        assert_eq!(written, qml);
        let project = fs::read_to_string(dir.path().join(PROJECT_FILE)).unwrap();
        assert_eq!(classes(arenas_layer(&project)), classes(&qml));
        let plain = project_xml(PROJECT, |_| Some(Crs::SWEREF99_TM), Some(&look(&Kinds::defaults())));
        let plain = with_page(&plain, Crs::SWEREF99_TM, &page(), &words::LAYER_HEADINGS);
        let outside = |p: &str| p.replace(arenas_layer(p), "");
        assert_eq!(outside(&project), outside(&plain));
        // Indented as the template: the project's renderer is four spaces deeper than the style file's.
        assert!(project.contains("\n            <category symbol=\"4\" value=\"lekplats\""));
        assert!(project.contains(
            "\n            <symbol type=\"marker\" force_rhr=\"0\" clip_to_extent=\"1\" alpha=\"1\" name=\"5\">"
        ));
    }

    /// Writes the project into an existing output folder: `ARENAGAP_SAMPLE_DIR=/tmp/out cargo test --lib
    /// sample_project -- --ignored`, for `tests/qgis/check_qgis.py`.
    #[test]
    #[ignore = "needs ARENAGAP_SAMPLE_DIR"]
    fn sample_project() {
        match std::env::var_os("ARENAGAP_SAMPLE_DIR") {
            Some(dir) => {
                write_project(Path::new(&dir), Crs::WGS84, Crs::SWEREF99_TM, &look(&Kinds::defaults()), &page())
                    .unwrap()
            }
            None => println!("ARENAGAP_SAMPLE_DIR is not set"),
        }
    }
}
