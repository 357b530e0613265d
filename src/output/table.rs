//! CSV output of a layer's attributes (no geometry), for spreadsheets.

use std::io::Write;
use std::path::Path;

use super::{atomic, LayerView, Value};
use crate::error::Result;

/// How a CSV file is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvStyle {
    /// RFC 4180: commas between cells, decimal points, no byte order mark: for programs.
    #[default]
    Rfc,
    /// For a Swedish spreadsheet that opens the file directly (LibreOffice or Excel with Swedish settings):
    /// semicolons between cells, decimal commas, and a UTF-8 byte order mark so that å, ä and ö are read right.
    Swedish,
}

/// How CSV outputs are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Text cells exactly as they are, even ones a spreadsheet would run as a formula.
    pub raw: bool,
    /// The layout.
    pub style: CsvStyle,
}

/// Writes the attributes of `layer` as a UTF-8 table with a header row, laid out as `options.style` says. Unless
/// `options.raw`, a text cell (a name, an id, a kind: never a number the tool wrote) that a spreadsheet would run as
/// a formula, one starting with `=`, `+`, `-`, `@`, a tab or a carriage return, gets a leading `'`; control
/// characters in text (a NUL stops some spreadsheets) become U+FFFD.
pub fn write_csv(path: &Path, layer: &dyn LayerView, options: CsvOptions) -> Result<()> {
    let (raw, swedish) = (options.raw, options.style == CsvStyle::Swedish);
    atomic::write_file(path, |out| {
        if swedish {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut w = csv::WriterBuilder::new().delimiter(if swedish { b';' } else { b',' }).from_writer(out);
        w.write_record(layer.fields().iter().map(|f| f.name.as_str())).map_err(std::io::Error::other)?;
        let mut values = Vec::new();
        let mut number = Vec::new();
        for i in 0..layer.len() {
            layer.values(i, &mut values);
            let cells: Vec<String> = values
                .iter()
                .zip(layer.fields())
                .map(|(v, f)| match v {
                    Value::Null => String::new(),
                    Value::Text(s) if raw => s.to_string(),
                    Value::Text(s) => spreadsheet_safe(s),
                    v => {
                        number.clear();
                        super::geojson::write_value(&mut number, v, f.ty);
                        let text = String::from_utf8_lossy(&number);
                        // Numbers only (a text cell keeps its points): the decimal point is a comma.
                        if swedish {
                            text.replace('.', ",")
                        } else {
                            text.into_owned()
                        }
                    }
                })
                .collect();
            w.write_record(&cells).map_err(std::io::Error::other)?;
        }
        w.flush()
    })
}

/// Text as a spreadsheet should see it: never a formula, no control characters (tab and line breaks, which CSV
/// quotes, aside).
pub fn spreadsheet_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    out.extend(text.chars().map(|c| if c.is_control() && !matches!(c, '\t' | '\n' | '\r') { '\u{fffd}' } else { c }));
    out
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_and_control_characters_are_defused() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(spreadsheet_safe("+1"), "'+1");
        assert_eq!(spreadsheet_safe("-2"), "'-2");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("a\u{0}b"), "a\u{fffd}b");
        assert_eq!(spreadsheet_safe("Billdal"), "Billdal");
        assert_eq!(spreadsheet_safe("Kålltorp-Torpa"), "Kålltorp-Torpa");
    }
}
