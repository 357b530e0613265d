//! `districts.xlsx`: the run as a spreadsheet a planner opens directly. One sheet per layer (districts, gap zones,
//! arenas) with typed cells — numbers as numbers with a format (percent, thousands, metres), true/false as
//! booleans — a Swedish header with the field name under it, both rows frozen, rows sorted by gap rank; and a
//! sheet "Om körningen" with what was run (the settings, inputs and warnings of run.json, one row per value).
//!
//! Number formats are Excel's, so the spreadsheet shows them the reader's way (`12 345,6` in a Swedish one). The
//! file is deterministic: a fixed creation date, and `rust_xlsxwriter` writes fixed zip times.

use std::path::Path;

use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::atomic;
use super::symbology::text::{field_alias, split_side};
use super::{FieldType, LayerView, Value};
use crate::error::{Error, Result};

/// One sheet: its name, the layer, and the integer field rows are sorted by (ascending; none keeps layer order).
pub struct Sheet<'a> {
    /// The sheet's name (at most 31 characters, no `[]:*?/\`).
    pub name: &'a str,
    /// The layer whose rows it holds.
    pub layer: &'a dyn LayerView,
    /// The field rows are sorted by, ascending (ties in layer order).
    pub sort_by: Option<&'a str>,
}

/// The workbook's file name in the output folder.
pub const FILE: &str = "districts.xlsx";

/// The name of the sheet about the run.
pub const ABOUT_SHEET: &str = "Om körningen";

/// The longest text a cell holds (Excel's limit is 32 767 characters).
const MAX_CELL_CHARS: usize = 32_000;

/// How a field's numbers are shown: by its name (a comparison's `_before`, `_after` and `_change` as the measure
/// they are of) and type.
fn number_format(field: &str, ty: FieldType) -> &'static str {
    let (field, _) = split_side(field);
    if field.ends_with("_share") {
        "0.0 %"
    } else if field.ends_with("_m") {
        "#,##0 \"m\""
    } else if field.ends_with("_km2") {
        "#,##0.00"
    } else if ty == FieldType::Integer {
        "0"
    } else if field.contains("score") || field.contains("weight") {
        "#,##0.0"
    } else {
        // Counts of children: whole when they are, one decimal shown only when there is one.
        "#,##0"
    }
}

/// Writes the workbook to `path` atomically: `sheets` in order, then [`ABOUT_SHEET`] with `about` (a JSON record,
/// flattened to one row per value). `kinds` are (id, Swedish label), for the headers of per-kind fields.
pub fn write_workbook(path: &Path, sheets: &[Sheet], about: &serde_json::Value, kinds: &[(&str, &str)]) -> Result<()> {
    let bytes = workbook_bytes(sheets, about, kinds).map_err(|e| Error::write(path, std::io::Error::other(e)))?;
    atomic::write_file(path, |out| std::io::Write::write_all(out, &bytes))
}

fn workbook_bytes(
    sheets: &[Sheet],
    about: &serde_json::Value,
    kinds: &[(&str, &str)],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed creation date: the same inputs give the same bytes.
    let properties =
        DocProperties::new().set_title("arenagap").set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    workbook.set_properties(&properties);
    let header = Format::new().set_bold().set_text_wrap().set_background_color(Color::RGB(0xe8_e8_e8));
    let field_row =
        Format::new().set_italic().set_font_color(Color::RGB(0x66_66_66)).set_background_color(Color::RGB(0xf4_f4_f4));
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.name)?;
        write_layer(ws, sheet, kinds, &header, &field_row)?;
    }
    let ws = workbook.add_worksheet();
    ws.set_name(ABOUT_SHEET)?;
    write_about(ws, about, &header)?;
    workbook.save_to_buffer()
}

fn write_layer(
    ws: &mut Worksheet,
    sheet: &Sheet,
    kinds: &[(&str, &str)],
    header: &Format,
    field_row: &Format,
) -> std::result::Result<(), XlsxError> {
    let layer = sheet.layer;
    let fields = layer.fields();
    let formats: Vec<Format> = fields
        .iter()
        .map(|f| Format::new().set_num_format(number_format(&f.name, f.ty)).set_align(FormatAlign::Right))
        .collect();
    for (c, f) in fields.iter().enumerate() {
        let col = column(c)?;
        ws.write_string_with_format(0, col, field_alias(&f.name, kinds), header)?;
        ws.write_string_with_format(1, col, &f.name, field_row)?;
        let width = match f.ty {
            FieldType::Text => 24.0,
            _ => 14.0,
        };
        ws.set_column_width(col, width)?;
    }
    ws.set_row_height(0, 45)?;
    ws.set_freeze_panes(2, 0)?;

    for (r, values) in super::sorted_rows(layer, sheet.sort_by).iter().enumerate() {
        let row = u32::try_from(r + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, (value, field)) in values.iter().zip(fields).enumerate() {
            let col = column(c)?;
            match (value, field.ty) {
                (Value::Number(n), _) if n.is_finite() => {
                    ws.write_number_with_format(row, col, *n, &formats[c])?;
                }
                (Value::Bool(b), _) => {
                    ws.write_boolean(row, col, *b)?;
                }
                (Value::Text(t), _) => {
                    ws.write_string(row, col, cell_text(t))?;
                }
                _ => {}
            }
        }
    }
    if !layer.is_empty() && !fields.is_empty() {
        let last_row = u32::try_from(layer.len() + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.autofilter(1, 0, last_row, column(fields.len() - 1)?)?;
    }
    Ok(())
}

/// The "Om körningen" sheet: every value of `about` on a row, its path (`resolved.radius_any_m`) beside it.
fn write_about(ws: &mut Worksheet, about: &serde_json::Value, header: &Format) -> std::result::Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, "Uppgift (key)", header)?;
    ws.write_string_with_format(0, 1, "Värde (value)", header)?;
    ws.set_column_width(0, 48)?;
    ws.set_column_width(1, 90)?;
    ws.set_freeze_panes(1, 0)?;
    let rows = super::run::flatten("", about);
    let wrap = Format::new().set_text_wrap();
    for (r, (key, value)) in rows.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string(row, 0, cell_text(key))?;
        match value {
            serde_json::Value::Number(n) => {
                ws.write_number(row, 1, n.as_f64().unwrap_or(f64::NAN))?;
            }
            serde_json::Value::Bool(b) => {
                ws.write_boolean(row, 1, *b)?;
            }
            serde_json::Value::String(s) => {
                ws.write_string_with_format(row, 1, cell_text(s), &wrap)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Text a cell can hold: control characters (which the XML inside the file cannot) as spaces, cut to Excel's
/// length limit.
fn cell_text(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' || matches!(c, '\u{fffe}' | '\u{ffff}') { ' ' } else { c })
        .collect();
    if clean.chars().count() > MAX_CELL_CHARS {
        clean.chars().take(MAX_CELL_CHARS - 1).chain(['…']).collect()
    } else {
        clean
    }
}

fn column(c: usize) -> std::result::Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::TestLayer;
    use crate::output::Field;
    use calamine::{Data, Reader, Xlsx};

    fn layer() -> TestLayer {
        let fields = vec![
            Field::new("district_name", FieldType::Text),
            Field::new("children", FieldType::Real),
            Field::new("coverage_share", FieldType::Real),
            Field::new("has_familjecentral", FieldType::Bool),
            Field::new("gap_rank", FieldType::Integer),
        ];
        let rows = vec![
            vec![
                Value::Text("Åkervallen\u{1}".into()),
                Value::Number(1200.0),
                Value::Number(0.5),
                Value::Bool(true),
                Value::Number(2.0),
            ],
            vec![
                Value::Text("Sjöviken".into()),
                Value::Number(80.5),
                Value::Number(0.0),
                Value::Bool(false),
                Value::Number(1.0),
            ],
            vec![Value::Text("Tallmyra".into()), Value::Null, Value::Number(1.0), Value::Bool(false), Value::Null],
        ];
        TestLayer::values_only("districts", fields, rows)
    }

    #[test]
    fn the_workbook_reads_back_typed_sorted_and_the_same_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("districts.xlsx");
        let l = layer();
        let about = serde_json::json!({"tool": "arenagap", "resolved": {"radius_any_m": 1000.0, "kinds": ["a", "b"]}, "warnings": ["w1"]});
        let sheets = [Sheet { name: "Områden", layer: &l, sort_by: Some("gap_rank") }];
        write_workbook(&path, &sheets, &about, &[("familjecentral", "Familjecentral")]).unwrap();
        let first = std::fs::read(&path).unwrap();
        write_workbook(&path, &sheets, &about, &[("familjecentral", "Familjecentral")]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), first, "deterministic");

        let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
        assert_eq!(book.sheet_names(), ["Områden", ABOUT_SHEET]);
        let range = book.worksheet_range("Områden").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 0), Data::String("Område".into()));
        assert_eq!(cell(1, 0), Data::String("district_name".into()));
        assert_eq!(cell(0, 3), Data::String("Har familjecentral i området".into()));
        // Sorted by gap rank, the district without one last.
        assert_eq!(cell(2, 0), Data::String("Sjöviken".into()));
        assert_eq!(cell(3, 0), Data::String("Åkervallen ".into()), "control characters replaced");
        assert_eq!(cell(4, 0), Data::String("Tallmyra".into()));
        assert_eq!(cell(2, 1), Data::Float(80.5));
        assert_eq!(cell(3, 1), Data::Float(1200.0));
        assert_eq!(cell(4, 1), Data::Empty, "no value, no cell");
        assert_eq!(cell(3, 2), Data::Float(0.5));
        assert_eq!(cell(3, 3), Data::Bool(true));
        assert_eq!(cell(2, 4), Data::Float(1.0));
        let about = book.worksheet_range(ABOUT_SHEET).unwrap();
        let rows: Vec<(String, String)> = about.rows().skip(1).map(|r| (r[0].to_string(), r[1].to_string())).collect();
        assert!(rows.contains(&("resolved.radius_any_m".into(), "1000".into())), "{rows:?}");
        assert!(rows.contains(&("resolved.kinds.1".into(), "b".into())), "{rows:?}");
        assert!(rows.contains(&("warnings.0".into(), "w1".into())), "{rows:?}");
    }

    #[test]
    fn formats_follow_the_field() {
        assert_eq!(number_format("coverage_share", FieldType::Real), "0.0 %");
        assert_eq!(number_format("mean_distance_m", FieldType::Real), "#,##0 \"m\"");
        assert_eq!(number_format("gap_rank", FieldType::Integer), "0");
        assert_eq!(number_format("gap_score", FieldType::Real), "#,##0.0");
        assert_eq!(number_format("children", FieldType::Real), "#,##0");
        assert_eq!(number_format("coverage_share_after", FieldType::Real), "0.0 %");
        assert_eq!(number_format("mean_distance_m_change", FieldType::Real), "#,##0 \"m\"");
        assert_eq!(cell_text(&"x".repeat(40_000)).chars().count(), MAX_CELL_CHARS);
    }
}
