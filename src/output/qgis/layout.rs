//! The print layout in the projects (`Project → Layouts → arenagap` in QGIS): one A4 landscape page with the map,
//! its legend, a title, a scale bar, a north arrow and the sources, ready to export to PDF.
//!
//! `maps/make_maps.py` builds the layout; its items have ids (`title`, `subtitle`, `sources`, `map`, `legend`).
//! This module writes the run's into them: the label texts, the legend's layer headings and the map's extent (the
//! study area, fitted to the map item's shape as QGIS's "zoom to extent" does), and the project's default view.

use super::xml::{set_attribute, start_tag};
use crate::output::map::MAX_TITLE_CHARS;
use crate::output::symbology::text::clip;

/// The texts and area of one run's page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page title (the profile's `title`).
    pub title: String,
    /// The line under it: what the map shows.
    pub subtitle: String,
    /// The small print at the foot: data sources, how distance is measured, the tool. Lines split at `\n`.
    pub sources: String,
    /// The study area in the project CRS, `[xmin, ymin, xmax, ymax]`: the map shows it whole. `None` keeps the
    /// template's.
    pub extent: Option<[f64; 4]>,
}

/// The longest text of the sources label, in characters (the rest is in run.json).
const MAX_SOURCES_CHARS: usize = 600;

/// The share of the study area's larger side added around it on the page's map.
const MARGIN: f64 = 0.03;

/// The least width and height the map shows, in metres: a single point or a line still gets an area.
const MIN_SIDE: f64 = 1000.0;

/// `xml` (a project) with its layout's items and default view set to `page`, and the legend's heading of each
/// layer in `headings` (layer name, heading). Items or layers the project lacks are left alone.
pub(super) fn with_page(xml: &str, page: &Page, headings: &[(&str, String)]) -> String {
    let mut xml = xml.to_string();
    for (id, text, max) in [
        ("title", &page.title, MAX_TITLE_CHARS),
        ("subtitle", &page.subtitle, MAX_TITLE_CHARS),
        ("sources", &page.sources, MAX_SOURCES_CHARS),
    ] {
        xml = set_item_attribute(&xml, id, "labelText", &attribute_text(&clip(text, max)));
    }
    if let Some(legend) = item_span(&xml, "legend") {
        let mut body = xml[legend.clone()].to_string();
        for (layer, heading) in headings {
            body = set_legend_heading(&body, layer, &attribute_text(heading));
        }
        xml.replace_range(legend, &body);
    }
    if let Some(extent) = page.extent.filter(|e| e.iter().all(|v| v.is_finite()) && e[0] <= e[2] && e[1] <= e[3]) {
        xml = set_map_extent(&xml, "map", extent);
        let [xmin, ymin, xmax, ymax] = with_margin(extent, 1.0);
        if let Some(at) = xml.find("<DefaultViewExtent ") {
            let mut tag = start_tag(&xml, at).to_string();
            for (name, v) in [("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)] {
                tag = set_attribute(&tag, name, &number(v));
            }
            xml.replace_range(at..at + start_tag(&xml, at).len(), &tag);
        }
    }
    xml
}

/// `text` escaped for an XML attribute, its line breaks kept as character references (a literal line break in an
/// attribute reads back as a space).
fn attribute_text(text: &str) -> String {
    text.split('\n').map(crate::output::xml_escape).collect::<Vec<_>>().join("&#xa;")
}

/// A coordinate as the project writes it: plain decimal, centimetres.
fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Where the layout item with `id` starts (`<LayoutItem …`), and where its element ends.
fn item_span(xml: &str, id: &str) -> Option<std::ops::Range<usize>> {
    let wanted = format!(" id=\"{id}\"");
    let mut from = 0;
    while let Some(i) = xml[from..].find("<LayoutItem ") {
        let at = from + i;
        let tag = start_tag(xml, at);
        if tag.contains(&wanted) {
            let end = if tag.ends_with("/>") {
                at + tag.len()
            } else {
                at + xml[at..].find("</LayoutItem>")? + "</LayoutItem>".len()
            };
            return Some(at..end);
        }
        from = at + tag.len();
    }
    None
}

/// `xml` with attribute `name` of the layout item `id` set to `value` (already escaped).
fn set_item_attribute(xml: &str, id: &str, name: &str, value: &str) -> String {
    let Some(span) = item_span(xml, id) else { return xml.to_string() };
    let tag = start_tag(xml, span.start);
    let new = set_attribute(tag, name, value);
    format!("{}{new}{}", &xml[..span.start], &xml[span.start + tag.len()..])
}

/// A legend item's XML with the heading of the layer whose source is `./<layer>.geojson` set to `heading`.
fn set_legend_heading(legend: &str, layer: &str, heading: &str) -> String {
    let Some(at) = legend.find(&format!("<layer-tree-layer source=\"./{layer}.geojson\"")) else {
        return legend.to_string();
    };
    let Some(len) = legend[at..].find("</layer-tree-layer>") else { return legend.to_string() };
    let node = &legend[at..at + len];
    let key = "name=\"legend/title-label\" value=\"";
    let Some(i) = node.find(key) else { return legend.to_string() };
    let start = at + i + key.len();
    let Some(value_len) = legend[start..].find('"') else { return legend.to_string() };
    format!("{}{heading}{}", &legend[..start], &legend[start + value_len..])
}

/// `extent` grown by [`MARGIN`] and then, along one axis, to the width-to-height `ratio`, about its centre.
fn with_margin(extent: [f64; 4], ratio: f64) -> [f64; 4] {
    let [xmin, ymin, xmax, ymax] = extent;
    let (cx, cy) = ((xmin + xmax) / 2.0, (ymin + ymax) / 2.0);
    // A single point or a line still gets an area: at least 1 km across either way.
    let (w0, h0) = ((xmax - xmin).max(MIN_SIDE), (ymax - ymin).max(MIN_SIDE));
    let side = w0.max(h0);
    let (mut w, mut h) = (w0 + 2.0 * MARGIN * side, h0 + 2.0 * MARGIN * side);
    if ratio.is_finite() && ratio > 0.0 {
        if w / h < ratio {
            w = h * ratio;
        } else {
            h = w / ratio;
        }
    }
    [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
}

/// `xml` with the map item `id` showing `extent` whole, fitted to the item's shape (its `size` attribute).
fn set_map_extent(xml: &str, id: &str, extent: [f64; 4]) -> String {
    let Some(span) = item_span(xml, id) else { return xml.to_string() };
    let tag = start_tag(xml, span.start);
    let size = tag.find(" size=\"").and_then(|i| {
        let rest = &tag[i + 7..];
        let mut parts = rest[..rest.find('"')?].split(',');
        let w: f64 = parts.next()?.parse().ok()?;
        let h: f64 = parts.next()?.parse().ok()?;
        Some(w / h)
    });
    let [xmin, ymin, xmax, ymax] = with_margin(extent, size.unwrap_or(1.0));
    let item = &xml[span.clone()];
    let Some(i) = item.find("<Extent ") else { return xml.to_string() };
    let Some(len) = item[i..].find("/>") else { return xml.to_string() };
    let new = format!(
        "<Extent xmin=\"{}\" xmax=\"{}\" ymin=\"{}\" ymax=\"{}\"",
        number(xmin),
        number(xmax),
        number(ymin),
        number(ymax)
    );
    let at = span.start + i;
    format!("{}{new}{}", &xml[..at], &xml[at + len..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = r#"<qgis>
  <Layouts>
    <Layout name="arenagap">
      <LayoutItem type="65641" labelText="old" id="title" size="277,10,mm">
      </LayoutItem>
      <LayoutItem type="65641" id="sources" labelText="x">
      </LayoutItem>
      <LayoutItem id="legend" type="65642">
        <layer-tree-group>
          <layer-tree-layer source="./arenas.geojson" name="arenas">
            <customproperties><Option type="Map"><Option type="QString" name="legend/title-label" value="A"/></Option></customproperties>
          </layer-tree-layer>
          <layer-tree-layer source="./gaps.geojson" name="gaps">
            <customproperties><Option type="Map"><Option type="QString" name="legend/title-label" value="G"/></Option></customproperties>
          </layer-tree-layer>
        </layer-tree-group>
      </LayoutItem>
      <LayoutItem type="65639" id="map" size="200,100,mm">
        <Extent xmin="1" xmax="2" ymin="3" ymax="4"/>
      </LayoutItem>
    </Layout>
  </Layouts>
  <ProjectViewSettings><DefaultViewExtent xmin="1" xmax="2" ymin="3" ymax="4"><spatialrefsys/></DefaultViewExtent></ProjectViewSettings>
</qgis>"#;

    fn attr(xml: &str, id: &str, name: &str) -> String {
        let span = item_span(xml, id).unwrap();
        let tag = start_tag(xml, span.start);
        let key = format!(" {name}=\"");
        let start = tag.find(&key).unwrap() + key.len();
        tag[start..start + tag[start..].find('"').unwrap()].to_string()
    }

    fn extent(xml: &str, tag: &str) -> [f64; 4] {
        let at = xml.find(tag).unwrap();
        let t = start_tag(xml, at);
        ["xmin", "ymin", "xmax", "ymax"].map(|n| {
            let key = format!(" {n}=\"");
            let s = t.find(&key).unwrap() + key.len();
            t[s..s + t[s..].find('"').unwrap()].parse().unwrap()
        })
    }

    fn page(title: &str) -> Page {
        Page {
            title: title.into(),
            subtitle: "sub".into(),
            sources: "Källor: a.geojson\nrad två".into(),
            extent: Some([300_000.0, 6_400_000.0, 310_000.0, 6_420_000.0]),
        }
    }

    #[test]
    fn the_page_carries_the_runs_words_and_fits_its_area() {
        let headings = [("arenas", "Arenor (arenas)".to_string()), ("gaps", "Glappzoner <&>".to_string())];
        let xml = with_page(PROJECT, &page("Göteborg \"2024\" <barn>"), &headings);
        assert_eq!(attr(&xml, "title", "labelText"), "Göteborg &quot;2024&quot; &lt;barn&gt;");
        assert_eq!(attr(&xml, "sources", "labelText"), "Källor: a.geojson&#xa;rad två");
        assert!(xml.contains("value=\"Arenor (arenas)\"") && xml.contains("value=\"Glappzoner &lt;&amp;&gt;\""));
        assert!(!xml.contains("value=\"A\"") && !xml.contains("value=\"G\""));
        // The map shows the area whole, in the item's shape (2:1), centred.
        let [x0, y0, x1, y1] = extent(&xml, "<Extent ");
        assert!(x0 <= 300_000.0 && x1 >= 310_000.0 && y0 < 6_400_000.0 && y1 > 6_420_000.0);
        assert!(((x1 - x0) / (y1 - y0) - 2.0).abs() < 1e-6, "{x0} {x1} {y0} {y1}");
        assert!(((x0 + x1) / 2.0 - 305_000.0).abs() < 0.01 && ((y0 + y1) / 2.0 - 6_410_000.0).abs() < 0.01);
        let [v0, w0, v1, w1] = extent(&xml, "<DefaultViewExtent ");
        assert!(v0 < 300_000.0 && v1 > 310_000.0 && w0 < 6_400_000.0 && w1 > 6_420_000.0);
        // Nothing else changed: the same text with the old values put back gives the template.
        assert_eq!(xml.lines().count(), PROJECT.lines().count());
    }

    #[test]
    fn long_texts_are_cut_and_a_bad_area_keeps_the_template() {
        let long = "å".repeat(10_000);
        let mut p = page(&long);
        p.extent = Some([f64::NAN, 0.0, 1.0, 1.0]);
        let xml = with_page(PROJECT, &p, &[]);
        let title = attr(&xml, "title", "labelText");
        assert_eq!(title.chars().count(), MAX_TITLE_CHARS);
        assert!(title.ends_with('…'));
        assert!(xml.contains("<Extent xmin=\"1\" xmax=\"2\" ymin=\"3\" ymax=\"4\"/>"));
        // A project without a layout is left alone; control characters never reach the XML.
        assert_eq!(with_page("<qgis/>", &page("a\u{1}b"), &[]), "<qgis/>");
        let xml = with_page(PROJECT, &page("a\u{1}b\u{7}"), &[]);
        assert_eq!(attr(&xml, "title", "labelText"), "a b ");
        // One point gets an area around it.
        p.extent = Some([5.0, 5.0, 5.0, 5.0]);
        let [x0, _, x1, _] = extent(&with_page(PROJECT, &p, &[]), "<Extent ");
        assert!(x1 - x0 >= 1000.0);
    }
}
