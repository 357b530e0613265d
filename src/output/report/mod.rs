//! `report.html`: a run for a committee, in one self-contained file — inline CSS, the maps as inline SVG (the
//! same drawings as `map.png`, so the same classes, symbols and words), no network and no external script (a small
//! inline one sorts the tables). Readable printed on A4 and on a phone.
//!
//! - [`run`]: the report of `analyze` — headline figures, the map, the districts ranked, the gap zones, a card per
//!   district, what to keep in mind, the settings and sources.
//! - [`change`]: the report of `compare` and `suggest` — the scenarios side by side, then per scenario its change
//!   map and the districts that change.
//!
//! Values come from the same output layers as the files (by field name), and numbers and words from
//! [`crate::output::symbology::text`], so the report says what the GeoJSON, the spreadsheet and the map say. This
//! module holds what both share: the page's head and foot, tables, cells, the inline map.

pub mod change;
pub mod run;

use std::fmt::Write as _;
use std::path::Path;

pub use run::{report_html, write_report, Report};

use super::symbology::text::{field_alias, number_sv, split_side};
use super::{atomic, xml_escape, FieldType, LayerView, Value};
use crate::error::Result;

/// The report's file name in the output folder.
pub const FILE: &str = "report.html";

/// What every report has around its own parts: the title and a line under it, the headline figures, the kinds,
/// what to keep in mind, and the run's record.
pub struct Page<'a> {
    /// The title (the map's).
    pub title: &'a str,
    /// A line under it.
    pub subtitle: &'a str,
    /// Headline figures: (label, value), e.g. ("Barn", "8 761").
    pub headline: Vec<(String, String)>,
    /// Kinds as (id, Swedish label), for per-kind fields.
    pub kinds: &'a [(&'a str, &'a str)],
    /// What to keep in mind when reading the figures.
    pub caveats: Vec<String>,
    /// The run's record (run.json), whose settings and inputs are listed.
    pub about: &'a serde_json::Value,
}

/// The longest text put in the report from data (a name, a title), in characters.
const MAX_TEXT_CHARS: usize = 300;

/// Text from data made safe for HTML and cut to a readable length.
fn safe(text: &str) -> String {
    let text: String = if text.chars().count() > MAX_TEXT_CHARS {
        text.chars().take(MAX_TEXT_CHARS - 1).chain(['…']).collect()
    } else {
        text.to_string()
    };
    xml_escape(&text)
}

/// A layer's rows as (field name → value) lookups, sorted ([`super::sorted_rows`]).
pub struct Rows {
    fields: Vec<(String, FieldType)>,
    rows: Vec<Vec<Value>>,
}

impl Rows {
    /// The rows of `layer` sorted by `gap_rank`.
    pub fn read(layer: &dyn LayerView) -> Rows {
        Rows::sorted(layer, Some("gap_rank"))
    }

    /// The rows of `layer` sorted by the field `sort_by` (in layer order without one).
    pub fn sorted(layer: &dyn LayerView, sort_by: Option<&str>) -> Rows {
        let fields = layer.fields().iter().map(|f| (f.name.clone(), f.ty)).collect();
        Rows { fields, rows: super::sorted_rows(layer, sort_by) }
    }

    /// A copy with only the rows that `keep`.
    pub fn filtered(&self, keep: impl Fn(&Rows, &[Value]) -> bool) -> Rows {
        let rows = self.rows.iter().filter(|r| keep(self, r)).cloned().collect();
        Rows { fields: self.fields.clone(), rows }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
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

    fn text<'r>(&self, row: &'r [Value], name: &str) -> Option<&'r str> {
        match self.get(row, name)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A value as the report shows it: shares in per cent, distances in metres or kilometres, scores with one decimal,
/// counts whole, true/false as ja/nej, a change with its sign, a district's `change` in Swedish; and its sort key.
fn cell(field: &str, value: Option<&Value>) -> (String, String) {
    // `gap_rank_after` is shown as `gap_rank` is; a change gets its sign.
    let (field, side) = split_side(field);
    let signed = side == Some("_change");
    match value {
        Some(Value::Number(n)) if n.is_finite() && signed && *n > 0.0 => {
            let (shown, key) = cell(field, value);
            (format!("+{shown}"), key)
        }
        Some(Value::Text(t)) if field == "change" => match super::symbology::change_class(t) {
            Some(class) => (safe(class.label_sv), safe(t)),
            None => (safe(t), safe(t)),
        },
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

/// The colour of a row's swatch in a table (its gap class, its change).
type Swatch<'a> = &'a dyn Fn(&Rows, &[Value]) -> &'static str;

/// A sortable table of `columns` (those `rows` has), each row led by its `swatch`'s colour when given.
fn table(out: &mut String, id: &str, rows: &Rows, columns: &[&str], kinds: &[(&str, &str)], swatch: Option<Swatch>) {
    let columns: Vec<&str> = columns.iter().copied().filter(|c| rows.index(c).is_some()).collect();
    let _ = write!(out, "<div class=\"scroll\"><table id=\"{id}\" class=\"sortable\"><thead><tr>");
    if swatch.is_some() {
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
        if let Some(colour) = swatch {
            let _ =
                write!(out, "<td><span class=\"swatch\" style=\"background:{}\">&nbsp;</span></td>", colour(rows, row));
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

/// The `<svg …>…</svg>` element of an SVG document (without an XML declaration, if any), for inline use, with
/// every id (and reference to one) prefixed by `prefix`, so that several maps on one page keep theirs apart.
fn svg_body(svg: &str, prefix: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let body = svg[start..].trim_end();
    if prefix.is_empty() {
        return body.to_string();
    }
    body.replace(" id=\"", &format!(" id=\"{prefix}")).replace("url(#", &format!("url(#{prefix}"))
}

/// Writes `html` to `path` atomically.
fn write_html(path: &Path, html: &str) -> Result<()> {
    atomic::write_file(path, |out| std::io::Write::write_all(out, html.as_bytes()))
}

/// The page up to and with its header (the title and subtitle) and headline figures.
fn page_head(out: &mut String, page: &Page) {
    let (title, subtitle) = (page.title, page.subtitle);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>\n",
        safe(title),
        safe(title),
        safe(subtitle)
    );
    out.push_str("<section class=\"figures\" aria-label=\"Nyckeltal\">\n");
    for (label, value) in &page.headline {
        let _ = writeln!(out, "<div class=\"figure\"><b>{}</b>{}</div>", safe(value), safe(label));
    }
    out.push_str("</section>\n");
}

/// A map picture's SVG inline, its ids prefixed by `prefix`.
fn map_figure(out: &mut String, svg: &str, prefix: &str) {
    out.push_str("<figure class=\"map\">\n");
    out.push_str(&svg_body(svg, prefix));
    out.push_str("\n</figure>\n");
}

/// What to keep in mind, the run's settings and sources, the footer (naming the `files` the numbers are also in)
/// and the script: the end of the page.
fn page_foot(out: &mut String, page: &Page, files: &str) {
    out.push_str("<h2>Att tänka på <span class=\"field\">(caveats)</span></h2>\n<ul class=\"caveats\">\n");
    for c in &page.caveats {
        let _ = writeln!(out, "<li>{}</li>", safe(c));
    }
    out.push_str("</ul>\n<h2>Inställningar och källor <span class=\"field\">(settings and sources)</span></h2>\n");
    settings(out, page.about);
    let _ = write!(
        out,
        "<footer>arenagap {} · samma siffror som {} i mappen.</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        safe(files)
    );
}
