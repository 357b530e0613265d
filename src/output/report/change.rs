//! The report of `compare` and `suggest`: headline figures of the baseline, the scenarios side by side, then per
//! scenario its change map (the scenario folder's `map.png` drawing) and the districts whose numbers change.

use std::fmt::Write as _;
use std::path::Path;

use super::{map_figure, page_foot, page_head, safe, table, write_html, Page, Rows};
use crate::error::Result;
use crate::output::symbology::{change_class, CHANGE_CLASSES};
use crate::output::{LayerView, Value};

/// One scenario's part of the report, made when its folder is written.
pub struct ScenarioPage {
    /// The scenario's name.
    pub name: String,
    /// Its folder in the output folder.
    pub folder: String,
    /// One line on what it changes (the map's subtitle).
    pub summary: String,
    /// Its change map, as SVG.
    pub map_svg: String,
    /// Its districts' before, after and change ([`crate::output::compare_layers::DistrictDiffLayer`]).
    pub districts: Rows,
}

impl ScenarioPage {
    /// The page of a scenario with its districts read from `districts` (the district diff layer), in rank order
    /// after the change.
    pub fn new(name: &str, folder: &str, summary: &str, map_svg: String, districts: &dyn LayerView) -> ScenarioPage {
        ScenarioPage {
            name: name.to_string(),
            folder: folder.to_string(),
            summary: summary.to_string(),
            map_svg,
            districts: Rows::sorted(districts, Some("gap_rank_after")),
        }
    }
}

/// What the report of a comparison shows.
pub struct ChangeReport<'a> {
    /// The title, figures (the baseline's), caveats and record.
    pub page: Page<'a>,
    /// The table of scenarios (`scenarios.csv`).
    pub scenarios: &'a dyn LayerView,
    /// Each scenario's part, in the table's order.
    pub pages: &'a [ScenarioPage],
}

/// The scenario table's columns, those it has, in this order.
const SCENARIO_COLUMNS: [&str; 11] = [
    "scenario",
    "arenas_added",
    "arenas_closed",
    "children_covered_before",
    "children_covered_after",
    "children_newly_covered",
    "children_losing_coverage",
    "mean_distance_m_change",
    "districts_better",
    "districts_worse",
    "largest_gap_rank_move",
];

/// The columns of a scenario's districts that change.
const DISTRICT_COLUMNS: [&str; 10] = [
    "district_name",
    "change",
    "children_covered_before",
    "children_covered_after",
    "children_covered_change",
    "coverage_share_before",
    "coverage_share_after",
    "mean_distance_m_change",
    "gap_rank_before",
    "gap_rank_after",
];

/// Writes the report to `path` atomically.
pub fn write_change_report(path: &Path, report: &ChangeReport) -> Result<()> {
    write_html(path, &change_report_html(report))
}

/// The report as HTML.
pub fn change_report_html(r: &ChangeReport) -> String {
    let mut out = String::with_capacity(r.pages.iter().map(|p| p.map_svg.len()).sum::<usize>() + 64 * 1024);
    page_head(&mut out, &r.page);
    out.push_str(
        "<h2>Scenarier <span class=\"field\">(scenarios)</span></h2>\n<p>Varje scenario mot nuläget: barn som får \
         eller förlorar en arena nära, medelavståndets förändring och områden som blir bättre eller sämre. Klicka på \
         en kolumnrubrik för att sortera.</p>\n",
    );
    let scenarios = Rows::sorted(r.scenarios, None);
    table(&mut out, "scenarios", &scenarios, &SCENARIO_COLUMNS, r.page.kinds, None);

    out.push_str("<p class=\"legend\">");
    for c in CHANGE_CLASSES.iter().take(3) {
        let _ = write!(
            out,
            "<span class=\"swatch\" style=\"background:{}\">&nbsp;</span>{} ({}) &nbsp; ",
            c.fill,
            safe(c.label_sv),
            safe(c.label_en)
        );
    }
    out.push_str("</p>\n");
    let change =
        |rows: &Rows, row: &[Value]| rows.text(row, "change").and_then(change_class).map_or("#ffffff", |c| c.fill);
    for (k, page) in r.pages.iter().enumerate() {
        let _ = writeln!(
            out,
            "<h2>{} <span class=\"field\">({}/)</span></h2>\n<p>{}</p>",
            safe(&page.name),
            safe(&page.folder),
            safe(&page.summary)
        );
        map_figure(&mut out, &page.map_svg, &format!("s{}-", k + 1));
        let changed = page.districts.filtered(|rows, row| rows.text(row, "change") != Some("unchanged"));
        out.push_str("<h3>Områden som ändras <span class=\"field\">(districts that change)</span></h3>\n");
        if changed.is_empty() {
            out.push_str("<p>Inget område ändras.</p>\n");
        } else {
            table(&mut out, &format!("districts-{}", k + 1), &changed, &DISTRICT_COLUMNS, r.page.kinds, Some(&change));
        }
    }
    page_foot(&mut out, &r.page, "scenarios.csv och scenariomapparnas filer");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::TestLayer;
    use crate::output::{Field, FieldType};

    fn districts() -> TestLayer {
        let fields = vec![
            Field::new("district_name", FieldType::Text),
            Field::new("change", FieldType::Text),
            Field::new("children_covered_change", FieldType::Real),
            Field::new("gap_rank_after", FieldType::Integer),
        ];
        let row = |name: &str, change: &str, d: f64, rank: f64| {
            vec![Value::Text(name.into()), Value::Text(change.into()), Value::Number(d), Value::Number(rank)]
        };
        TestLayer::values_only(
            "districts_diff",
            fields,
            vec![
                row("Åker", "unchanged", 0.0, 1.0),
                row("Sjöviken<b>", "better", 80.0, 3.0),
                row("Ö", "worse", -5.0, 2.0),
            ],
        )
    }

    #[test]
    fn scenarios_side_by_side_and_only_the_districts_that_change() {
        let scenarios = TestLayer::values_only(
            "scenarios",
            vec![Field::new("scenario", FieldType::Text), Field::new("children_newly_covered", FieldType::Real)],
            vec![vec![Value::Text("A & B".into()), Value::Number(80.0)]],
        );
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g id=\"map\"><path fill=\"url(#h)\"/></g></svg>";
        let pages = [
            ScenarioPage::new("A & B", "a-b", "+80 barn", svg.to_string(), &districts()),
            ScenarioPage::new("C", "c", "", svg.to_string(), &districts()),
        ];
        let about = serde_json::json!({});
        let html = change_report_html(&ChangeReport {
            page: Page {
                title: "Scenarier",
                subtitle: "nuläget",
                headline: vec![("scenarier".into(), "2".into())],
                kinds: &[],
                caveats: vec!["Fågelvägen".into()],
                about: &about,
            },
            scenarios: &scenarios,
            pages: &pages,
        });
        assert!(html.contains("<h2>A &amp; B <span class=\"field\">(a-b/)</span></h2>"));
        assert!(html.contains("Barn som får en arena nära"), "Swedish headers");
        assert!(!html.contains("data-v=\"åker\""), "an unchanged district is left out");
        assert!(html.contains("Sjöviken&lt;b&gt;") && html.contains(">Bättre<") && html.contains(">Sämre<"));
        assert!(html.contains(">+80<") && html.contains(">−5<"), "changes are signed");
        // Rank order after the change: Ö (2) before Sjöviken (3).
        assert!(html.find("data-v=\"ö\"").unwrap() < html.find("data-v=\"sjöviken&lt;b&gt;\"").unwrap());
        // Each map keeps its ids apart.
        assert!(html.contains("id=\"s1-map\"") && html.contains("id=\"s2-map\"") && html.contains("url(#s2-h)"));
        assert!(!html.contains("id=\"map\""));
    }
}
