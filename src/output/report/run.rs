//! The report of `analyze`: headline figures, the map, the districts ranked by gap, the gap zones, a card per
//! district, what to keep in mind, and the run's settings and sources.

use std::fmt::Write as _;
use std::path::Path;

use super::{cell, map_figure, page_foot, page_head, safe, table, write_html, Page, Rows};
use crate::error::Result;
use crate::output::symbology::text::{field_alias, number_sv, SCORE_HEADING};
use crate::output::symbology::Look;
use crate::output::{LayerView, Value};

/// What the report shows beyond the layers.
pub struct Report<'a> {
    /// The title, figures, caveats and record.
    pub page: Page<'a>,
    /// The map, as SVG (the map picture's source).
    pub map_svg: &'a str,
    /// The run's look: the class of each district.
    pub look: &'a Look,
    /// The districts layer.
    pub districts: &'a dyn LayerView,
    /// The gap zones layer.
    pub gaps: &'a dyn LayerView,
}

/// The districts table's columns, those the layer has, in this order.
const DISTRICT_COLUMNS: [&str; 9] = [
    "gap_rank",
    "district_name",
    "children",
    "children_covered",
    "coverage_share",
    "children_uncovered",
    "mean_distance_m",
    "p90_distance_m",
    "gap_score",
];

/// The gap zones table's columns.
const ZONE_COLUMNS: [&str; 7] =
    ["gap_rank", "children", "districts", "nearest_arena_m", "nearest_arena_min_m", "area_km2", "gap_score"];

/// Writes the report to `path` atomically.
pub fn write_report(path: &Path, report: &Report) -> Result<()> {
    write_html(path, &report_html(report))
}

/// The report as HTML.
pub fn report_html(r: &Report) -> String {
    let mut out = String::with_capacity(r.map_svg.len() + 64 * 1024);
    page_head(&mut out, &r.page);
    out.push_str("<h2>Karta <span class=\"field\">(map)</span></h2>\n");
    map_figure(&mut out, r.map_svg, "");

    let districts = Rows::read(r.districts);
    let _ = writeln!(
        out,
        "<h2>Områden efter glapp <span class=\"field\">(districts by gap rank)</span></h2>\n<p>{} {}. \
         Klicka på en kolumnrubrik för att sortera.</p>",
        SCORE_HEADING.0,
        safe(SCORE_HEADING.1)
    );
    out.push_str("<p class=\"legend\">");
    for e in r.look.classes.legend() {
        let _ = write!(
            out,
            "<span class=\"swatch\" style=\"background:{}\">&nbsp;</span>{} &nbsp; ",
            e.colour,
            safe(&e.label)
        );
    }
    out.push_str("</p>\n");
    let class =
        |rows: &Rows, row: &[Value]| r.look.classes.colour(r.look.classes.class_of(rows.number(row, "gap_score")));
    table(&mut out, "districts", &districts, &DISTRICT_COLUMNS, r.page.kinds, Some(&class));

    let zones = Rows::read(r.gaps);
    out.push_str("<h2>Glappzoner <span class=\"field\">(gap zones)</span></h2>\n");
    if zones.is_empty() {
        out.push_str("<p>Inga glappzoner: inga grupper av barn utan en arena inom räckhåll.</p>\n");
    } else {
        out.push_str(
            "<p>Sammanhängande områden där barn bor utan en arena inom räckhåll, med antal barn och avståndet till \
             närmaste arena.</p>\n",
        );
        table(&mut out, "zones", &zones, &ZONE_COLUMNS, r.page.kinds, None);
    }

    out.push_str("<h2>Per område <span class=\"field\">(district cards)</span></h2>\n");
    cards(&mut out, &districts, r.page.kinds, r.look);
    page_foot(&mut out, &r.page, "districts.csv, districts.xlsx och GeoJSON-filerna");
    out
}

/// One card per district, in rank order: its class, children and coverage, and each kind's arenas and distance.
fn cards(out: &mut String, rows: &Rows, kinds: &[(&str, &str)], look: &Look) {
    out.push_str("<div class=\"cards\">\n");
    for row in &rows.rows {
        let name = rows.get(row, "district_name").map(|v| cell("district_name", Some(v)).0).unwrap_or_default();
        let rank = rows.number(row, "gap_rank").map_or("–".into(), |r| number_sv(r, 0));
        let class = look.classes.class_of(rows.number(row, "gap_score"));
        let _ = write!(
            out,
            "<article class=\"card\"><h3><span class=\"swatch\" style=\"background:{}\">&nbsp;</span>{name} \
             <span class=\"rank\">glapp nr {rank}</span></h3><dl>",
            look.classes.colour(class)
        );
        for field in ["children", "coverage_share", "children_uncovered", "mean_distance_m", "gap_score"] {
            if rows.index(field).is_some() {
                let _ = write!(
                    out,
                    "<dt>{}</dt><dd>{}</dd>",
                    safe(&field_alias(field, kinds)),
                    cell(field, rows.get(row, field)).0
                );
            }
        }
        out.push_str(
            "</dl><table class=\"kinds\"><tr><th scope=\"col\">Slag</th><th scope=\"col\" class=\"num\">Arenor</th>\
                      <th scope=\"col\" class=\"num\">Medelavstånd</th></tr>",
        );
        for (id, label) in kinds {
            let count = cell("count", rows.get(row, &format!("arenas_{id}"))).0;
            let field = format!("mean_distance_{id}_m");
            let distance = cell(&field, rows.get(row, &field)).0;
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{count}</td><td class=\"num\">{distance}</td></tr>",
                safe(label)
            );
        }
        out.push_str("</table></article>\n");
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::Kinds;
    use crate::output::testing::TestLayer;
    use crate::output::{Field, FieldType};

    fn report_of(name: &str, title: &str) -> String {
        let fields = vec![
            Field::new("district_name", FieldType::Text),
            Field::new("children", FieldType::Real),
            Field::new("coverage_share", FieldType::Real),
            Field::new("gap_score", FieldType::Real),
            Field::new("gap_rank", FieldType::Integer),
        ];
        let districts = TestLayer::values_only(
            "districts",
            fields,
            vec![
                vec![
                    Value::Text(name.into()),
                    Value::Number(1200.0),
                    Value::Number(0.5),
                    Value::Number(10.0),
                    Value::Number(2.0),
                ],
                vec![
                    Value::Text("Sjöviken".into()),
                    Value::Number(80.0),
                    Value::Number(0.0),
                    Value::Number(99.5),
                    Value::Number(1.0),
                ],
            ],
        );
        let gaps = TestLayer::values_only("gaps", vec![Field::new("children", FieldType::Real)], vec![]);
        let look = Look::new(&Kinds::defaults(), [Some(10.0), Some(99.5)]);
        let about = serde_json::json!({"resolved": {"radius_any_m": 1000}, "inputs": [{"path": "a<b>.geojson"}]});
        report_html(&Report {
            page: Page {
                title,
                subtitle: "8 761 barn",
                headline: vec![("Barn".into(), "8 761".into())],
                kinds: &[("familjecentral", "Familjecentral")],
                caveats: vec!["Fågelvägen".into()],
                about: &about,
            },
            map_svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"5\" height=\"5\"/></svg>\n",
            look: &look,
            districts: &districts,
            gaps: &gaps,
        })
    }

    #[test]
    fn the_report_is_self_contained_ranked_and_escaped() {
        let html = report_of("Åker<script>alert(1)</script>\u{1}", "Glapp & gap");
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
        assert!(!html.contains("<script>alert"), "data is escaped");
        assert!(html.contains("Åker&lt;script&gt;"));
        assert!(!html.contains('\u{1}'));
        assert!(html.contains("<title>Glapp &amp; gap</title>"));
        assert!(
            !html.contains("http://")
                || html.matches("http://").count() == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
            "no link out"
        );
        assert!(!html.contains("src=") && !html.contains("<link"), "nothing loaded from elsewhere");
        // Ranked: Sjöviken (rank 1) before the other.
        assert!(html.find("data-v=\"sjöviken\"").unwrap() < html.find("data-v=\"åker").unwrap());
        assert!(html.contains("50 %") && html.contains("1\u{a0}200") && html.contains("99,5"));
        assert!(html.contains("a&lt;b&gt;.geojson"), "sources listed");
        assert!(html.contains("Inga glappzoner"));
        assert_eq!(html, report_of("Åker<script>alert(1)</script>\u{1}", "Glapp & gap"), "deterministic");
        let long = report_of(&"x".repeat(100_000), "t");
        assert!(long.len() < 40_000, "long names are cut: {}", long.len());
    }
}
