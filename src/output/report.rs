//! `report.html`: the run for a committee, in one self-contained file — inline CSS, the map as inline SVG (the
//! same drawing as `map.png`, so the same classes, symbols and words), no network and no external script (a small
//! inline one sorts the tables). Headline figures, the map, the districts ranked, the gap zones, a card per district,
//! what to keep in mind when reading it, and the run's settings and sources. Readable printed on A4 and on a phone.
//!
//! Values come from the same output layers as the files (by field name), and numbers and words from
//! [`crate::output::symbology::text`], so the report says what the GeoJSON, the spreadsheet and the map say.

use std::fmt::Write as _;
use std::path::Path;

use super::symbology::text::{field_alias, number_sv, SCORE_HEADING};
use super::symbology::Look;
use super::{atomic, xml_escape, FieldType, LayerView, Value};
use crate::error::Result;

/// The report's file name in the output folder.
pub const FILE: &str = "report.html";

/// What the report shows beyond the layers.
pub struct Report<'a> {
    /// The title (the map's).
    pub title: &'a str,
    /// A line under it.
    pub subtitle: &'a str,
    /// Headline figures: (label, value), e.g. ("Barn", "8 761").
    pub headline: Vec<(String, String)>,
    /// The map, as SVG (the map picture's source).
    pub map_svg: &'a str,
    /// The run's look: the class of each district.
    pub look: &'a Look,
    /// The districts layer.
    pub districts: &'a dyn LayerView,
    /// The gap zones layer.
    pub gaps: &'a dyn LayerView,
    /// Kinds as (id, Swedish label), for per-kind fields.
    pub kinds: &'a [(&'a str, &'a str)],
    /// What to keep in mind when reading the figures.
    pub caveats: Vec<String>,
    /// The run's record (run.json), whose settings and inputs are listed.
    pub about: &'a serde_json::Value,
}

/// The longest text put in the report from data (a name, a title), in characters.
const MAX_TEXT_CHARS: usize = 300;

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
    let html = report_html(report);
    atomic::write_file(path, |out| std::io::Write::write_all(out, html.as_bytes()))
}

/// Text from data made safe for HTML and cut to a readable length.
fn safe(text: &str) -> String {
    let text: String = if text.chars().count() > MAX_TEXT_CHARS {
        text.chars().take(MAX_TEXT_CHARS - 1).chain(['…']).collect()
    } else {
        text.to_string()
    };
    xml_escape(&text)
}

/// A layer's rows as (field name → value) lookups, sorted by `gap_rank` ([`super::sorted_rows`]).
struct Rows {
    fields: Vec<(String, FieldType)>,
    rows: Vec<Vec<Value>>,
}

impl Rows {
    fn read(layer: &dyn LayerView) -> Rows {
        let fields = layer.fields().iter().map(|f| (f.name.clone(), f.ty)).collect();
        Rows { fields, rows: super::sorted_rows(layer, Some("gap_rank")) }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|(n, _)| n == name)
    }

    fn get<'r>(&self, row: &'r [Value], name: &str) -> Option<&'r Value> {
        row.get(self.index(name)?)
    }

    fn number(&self, row: &[Value], name: &str) -> Option<f64> {
        match self.get(row, name)? {
            Value::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

/// A value as the report shows it: shares in per cent, distances in metres or kilometres, scores with one decimal,
/// counts whole, true/false as ja/nej; and its sort key.
fn cell(field: &str, value: Option<&Value>) -> (String, String) {
    match value {
        Some(Value::Number(n)) if n.is_finite() => {
            let shown = if field.ends_with("_share") {
                format!("{} %", number_sv(n * 100.0, 0))
            } else if field.ends_with("_m") {
                if *n >= 10_000.0 {
                    format!("{} km", number_sv(n / 1000.0, 1))
                } else {
                    format!("{} m", number_sv(*n, 0))
                }
            } else if field.ends_with("_km2") {
                format!("{} km²", number_sv(*n, 2))
            } else if field.contains("score") {
                number_sv(*n, 1)
            } else if (n - n.round()).abs() < 0.05 {
                number_sv(*n, 0)
            } else {
                number_sv(*n, 1)
            };
            (shown, ryu::Buffer::new().format(*n).to_string())
        }
        Some(Value::Bool(b)) => ((if *b { "ja" } else { "nej" }).to_string(), (*b as u8).to_string()),
        Some(Value::Text(t)) => (safe(t), safe(&t.to_lowercase())),
        _ => ("–".to_string(), String::new()),
    }
}

/// A sortable table of `columns` (those `rows` has), with the gap class swatch of each row when `swatch` is on.
fn table(out: &mut String, id: &str, rows: &Rows, columns: &[&str], kinds: &[(&str, &str)], look: Option<&Look>) {
    let columns: Vec<&str> = columns.iter().copied().filter(|c| rows.index(c).is_some()).collect();
    let _ = write!(out, "<div class=\"scroll\"><table id=\"{id}\" class=\"sortable\"><thead><tr>");
    if look.is_some() {
        out.push_str("<th scope=\"col\" aria-label=\"klass\"></th>");
    }
    for c in &columns {
        let numeric = rows.index(c).is_some_and(|i| rows.fields[i].1 != FieldType::Text);
        let _ = write!(
            out,
            "<th scope=\"col\"{}>{}<br><span class=\"field\">{}</span></th>",
            if numeric { " class=\"num\"" } else { "" },
            safe(&field_alias(c, kinds)),
            safe(c)
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &rows.rows {
        out.push_str("<tr>");
        if let Some(look) = look {
            let class = look.classes.class_of(rows.number(row, "gap_score"));
            let _ = write!(
                out,
                "<td><span class=\"swatch\" style=\"background:{}\">&nbsp;</span></td>",
                look.classes.colour(class)
            );
        }
        for c in &columns {
            let (shown, key) = cell(c, rows.get(row, c));
            let numeric = rows.index(c).is_some_and(|i| rows.fields[i].1 != FieldType::Text);
            let _ = write!(out, "<td{} data-v=\"{key}\">{shown}</td>", if numeric { " class=\"num\"" } else { "" });
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
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

/// The settings and sources of the run: every scalar of the record's `resolved` and `inputs`, with its path.
fn settings(out: &mut String, about: &serde_json::Value) {
    out.push_str("<div class=\"scroll\"><table class=\"about\"><tbody>\n");
    for section in ["resolved", "inputs", "children_table", "counts"] {
        for (key, value) in super::run::flatten(section, &about[section]) {
            let _ = writeln!(out, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", safe(&key), safe(&scalar(&value)));
        }
    }
    out.push_str("</tbody></table></div>\n");
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const CSS: &str = r#"
:root{--ink:#1a1a1a;--muted:#5a5a5a;--line:#d0d0d0;--band:#f4f4f4}
*{box-sizing:border-box}
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;padding:16px;line-height:1.4}
h1{font-size:1.6rem;margin:.2em 0}h2{font-size:1.25rem;margin-top:1.6em;border-bottom:2px solid var(--ink)}
h3{font-size:1rem;margin:.2em 0}
.sub{color:var(--muted);margin:0 0 1em}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin:1em 0}
.figure{background:var(--band);padding:8px 10px;border-left:4px solid #bd0026}
.figure b{display:block;font-size:1.4rem}
figure.map{margin:0}
.map svg{width:100%;height:auto;border:1px solid var(--line)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--band)}
.sortable th{cursor:pointer}
.num{text-align:right}td.num{white-space:nowrap}
.field{font-weight:normal;color:var(--muted);font-size:.75rem;font-family:monospace}
.swatch{display:inline-block;width:1em;height:1em;line-height:1em;overflow:hidden;border:1px solid #8c8c8c;vertical-align:-.15em;margin-right:.3em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px}
.card{border:1px solid var(--line);padding:8px;break-inside:avoid}
.card dl{display:grid;grid-template-columns:auto auto;gap:0 8px;margin:.4em 0;font-size:.85rem}
.card dt{color:var(--muted)}.card dd{margin:0;text-align:right}
.rank{color:var(--muted);font-weight:normal;font-size:.85rem}
.kinds{font-size:.8rem}
.about th{width:40%;font-weight:normal;font-family:monospace;font-size:.8rem;word-break:break-all}
.about td{word-break:break-word}
ul.caveats li{margin:.3em 0}
footer{margin-top:2em;color:var(--muted);font-size:.8rem}
@media (max-width:600px){body{padding:8px}h1{font-size:1.3rem}table{font-size:.8rem}}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}.map{break-inside:avoid}
.scroll{overflow:visible}tr{break-inside:avoid}.sortable th{cursor:auto}}
"#;

/// Sorts a table by the clicked column (numbers by their value, text alphabetically; again to reverse).
const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function(t){
  t.querySelectorAll("th").forEach(function(th,i){
    th.addEventListener("click",function(){
      var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),dir=th.dataset.dir==="1"?-1:1;
      th.dataset.dir=dir===1?"1":"-1";
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.v||"",y=b.cells[i].dataset.v||"",nx=parseFloat(x),ny=parseFloat(y);
        if(!isNaN(nx)&&!isNaN(ny))return dir*(nx-ny);
        return dir*x.localeCompare(y,"sv");
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
"#;

/// The report as HTML.
pub fn report_html(r: &Report) -> String {
    let mut out = String::with_capacity(r.map_svg.len() + 64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>\n",
        safe(r.title),
        safe(r.title),
        safe(r.subtitle)
    );
    out.push_str("<section class=\"figures\" aria-label=\"Nyckeltal\">\n");
    for (label, value) in &r.headline {
        let _ = writeln!(out, "<div class=\"figure\"><b>{}</b>{}</div>", safe(value), safe(label));
    }
    out.push_str("</section>\n");

    out.push_str("<h2>Karta <span class=\"field\">(map)</span></h2>\n<figure class=\"map\">\n");
    out.push_str(svg_body(r.map_svg));
    out.push_str("\n</figure>\n");

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
    table(&mut out, "districts", &districts, &DISTRICT_COLUMNS, r.kinds, Some(r.look));

    let zones = Rows::read(r.gaps);
    out.push_str("<h2>Glappzoner <span class=\"field\">(gap zones)</span></h2>\n");
    if zones.rows.is_empty() {
        out.push_str("<p>Inga glappzoner: inga grupper av barn utan en arena inom räckhåll.</p>\n");
    } else {
        out.push_str(
            "<p>Sammanhängande områden där barn bor utan en arena inom räckhåll, med antal barn och avståndet till \
             närmaste arena.</p>\n",
        );
        table(&mut out, "zones", &zones, &ZONE_COLUMNS, r.kinds, None);
    }

    out.push_str("<h2>Per område <span class=\"field\">(district cards)</span></h2>\n");
    cards(&mut out, &districts, r.kinds, r.look);

    out.push_str("<h2>Att tänka på <span class=\"field\">(caveats)</span></h2>\n<ul class=\"caveats\">\n");
    for c in &r.caveats {
        let _ = writeln!(out, "<li>{}</li>", safe(c));
    }
    out.push_str("</ul>\n<h2>Inställningar och källor <span class=\"field\">(settings and sources)</span></h2>\n");
    settings(&mut out, r.about);
    let _ = write!(
        out,
        "<footer>arenagap {} · samma siffror som districts.csv, districts.xlsx och GeoJSON-filerna i mappen.</footer>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The `<svg …>…</svg>` element of an SVG document (without an XML declaration, if any), for inline use.
fn svg_body(svg: &str) -> &str {
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::Kinds;
    use crate::output::testing::TestLayer;
    use crate::output::Field;

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
            title,
            subtitle: "8 761 barn",
            headline: vec![("Barn".into(), "8 761".into())],
            map_svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"5\" height=\"5\"/></svg>\n",
            look: &look,
            districts: &districts,
            gaps: &gaps,
            kinds: &[("familjecentral", "Familjecentral")],
            caveats: vec!["Fågelvägen".into()],
            about: &about,
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
