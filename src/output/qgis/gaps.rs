//! The gaps style's two rules, written from [`crate::output::symbology::zones`]: the filter of the largest gaps,
//! the legend labels, and each rule symbol's wash, hatch and outline. `maps/make_maps.py` builds the symbols'
//! layers (a SimpleFill wash, a LinePatternFill hatch with its line, a SimpleLine outline); this sets their values,
//! so that the style, the project and the picture draw a zone from one source. The template comes back byte for
//! byte when the two agree (a test), so a change on one side alone is caught.

use super::xml::{attribute, set_attribute};
use crate::output::symbology::zones::{self, ZoneSymbol};
use crate::output::xml_escape;

/// `xml` (the gaps style, or the project's gaps map layer) with its rule renderer's rules and symbols set from
/// [`zones::ZONE_CLASSES`]: rule `symbol="0"` the largest gaps, `symbol="1"` the rest. Unchanged without one.
pub(super) fn with_zone_classes(xml: &str) -> String {
    let Some(renderer) = xml.find("<renderer-v2 type=\"RuleRenderer\"") else { return xml.to_string() };
    let Some(rules_end) = xml[renderer..].find("</rules>").map(|i| renderer + i) else { return xml.to_string() };
    let Some(symbols) = xml[rules_end..].find("<symbols>").map(|i| rules_end + i) else { return xml.to_string() };
    let Some(symbols_end) = xml[symbols..].find("</symbols>").map(|i| symbols + i) else { return xml.to_string() };
    let mut out = String::with_capacity(xml.len() + 256);
    out.push_str(&xml[..renderer]);
    out.push_str(&with_rules(&xml[renderer..rules_end]));
    out.push_str(&xml[rules_end..symbols]);
    out.push_str(&with_symbols(&xml[symbols..symbols_end]));
    out.push_str(&xml[symbols_end..]);
    out
}

/// The rules part of a renderer with each rule's label (and the largest's filter) set.
fn with_rules(rules: &str) -> String {
    let mut out = String::with_capacity(rules.len() + 64);
    let mut rest = rules;
    while let Some(start) = rest.find("<rule ") {
        let Some(len) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + len];
        out.push_str(&rest[..start]);
        let tag = match attribute(tag, "symbol") {
            Some("0") => {
                let tag = set_attribute(tag, "filter", &xml_escape(&zones::largest_filter()));
                set_attribute(&tag, "label", &xml_escape(&zones::legend_label(&zones::LARGEST)))
            }
            Some("1") => set_attribute(tag, "label", &xml_escape(&zones::legend_label(&zones::OTHER))),
            _ => tag.to_string(),
        };
        out.push_str(&tag);
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// The `<symbols>` body with symbols "0" and "1" set to the largest gaps' and the others' look.
fn with_symbols(symbols: &str) -> String {
    let starts: Vec<usize> = symbols.match_indices("<symbol type=\"fill\"").map(|(i, _)| i).collect();
    let mut out = String::with_capacity(symbols.len() + 64);
    let mut done = 0;
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(symbols.len());
        let tag_end = symbols[start..].find('>').map_or(end, |i| start + i);
        let symbol = match attribute(&symbols[start..tag_end], "name") {
            Some("0") => &zones::LARGEST,
            Some("1") => &zones::OTHER,
            _ => continue,
        };
        out.push_str(&symbols[done..start]);
        out.push_str(&with_layers(&symbols[start..end], symbol));
        done = end;
    }
    out.push_str(&symbols[done..]);
    out
}

/// One rule symbol with its layers' values set: the SimpleFill wash, the LinePatternFill hatch and its line, and
/// the last SimpleLine, the outline.
fn with_layers(symbol: &str, zone: &ZoneSymbol) -> String {
    let starts: Vec<(usize, &str)> = symbol
        .match_indices("<layer class=\"")
        .map(|(i, m)| {
            let class = &symbol[i + m.len()..];
            (i, &class[..class.find('"').unwrap_or(0)])
        })
        .collect();
    let wash = format!("255,255,255,{}", zones::WASH_ALPHA);
    let hatch = colour(zone.hatch.0);
    let outline = colour(zone.outline.0);
    let (hatch_mm, outline_mm) = (zone.hatch_mm.to_string(), zone.outline_mm.to_string());
    let (angle, spacing) = (zones::HATCH_ANGLE.to_string(), zones::HATCH_SPACING_MM.to_string());
    let last_line = starts.iter().rposition(|(_, class)| *class == "SimpleLine");
    let mut out = String::with_capacity(symbol.len() + 32);
    out.push_str(&symbol[..starts.first().map_or(symbol.len(), |s| s.0)]);
    for (k, &(start, class)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(symbol.len(), |s| s.0);
        let part = &symbol[start..end];
        let props: Vec<(&str, &str)> = match class {
            "SimpleFill" => vec![("color", &wash)],
            "LinePatternFill" => {
                vec![("angle", &angle), ("color", &hatch), ("distance", &spacing), ("line_width", &hatch_mm)]
            }
            "SimpleLine" if Some(k) == last_line => vec![("line_color", &outline), ("line_width", &outline_mm)],
            "SimpleLine" => vec![("line_color", &hatch), ("line_width", &hatch_mm)],
            _ => vec![],
        };
        out.push_str(&set_props(part, &props));
    }
    out
}

/// `r,g,b,255`, as QGIS writes an opaque colour.
fn colour([r, g, b]: [u8; 3]) -> String {
    format!("{r},{g},{b},255")
}

/// A symbol layer's XML with each property `k` set to `v`, in both the `<Option>` and the `<prop>` form.
fn set_props(part: &str, props: &[(&str, &str)]) -> String {
    let mut out = part.to_string();
    for (k, v) in props {
        for open in [format!("name=\"{k}\" value=\""), format!("<prop k=\"{k}\" v=\"")] {
            if let Some(i) = out.find(&open) {
                let start = i + open.len();
                if let Some(len) = out[start..].find('"') {
                    out.replace_range(start..start + len, &xml_escape(v));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAPS: &str = include_str!("../../../maps/styles/gaps.qml");

    #[test]
    fn the_template_is_what_the_zones_say() {
        assert_eq!(with_zone_classes(GAPS), GAPS, "maps/styles/gaps.qml and symbology::zones disagree");
        let project = include_str!("../../../maps/arenagap.qgs");
        assert_eq!(with_zone_classes(project), project);
    }

    #[test]
    fn every_value_is_set_from_the_zones() {
        let changed = GAPS
            .replace("103,0,13,255", "1,2,3,255")
            .replace("203,24,29,255", "9,9,9,255")
            .replace("255,255,255,40", "0,0,0,0")
            .replace("&quot;gap_rank&quot; &lt;= 3", "&quot;gap_rank&quot; &lt;= 7")
            .replace("label=\"Glappzon (gap zone)\"", "label=\"gap\"")
            .replace("name=\"distance\" value=\"2\"", "name=\"distance\" value=\"5\"");
        assert_ne!(changed, GAPS);
        assert_eq!(with_zone_classes(&changed), GAPS);
        assert_eq!(with_zone_classes("<qgis/>"), "<qgis/>");
    }
}
