//! CSV reader for points (coordinate columns) and any geometry (a WKT column), as spreadsheets write them:
//! `,` `;` or tab separated (detected), decimal comma accepted, UTF-8 or Windows-1252 text.

use std::path::Path;

use rayon::prelude::*;

use super::{keeps, Feature, Format, Layer, ReadOptions, Value};
use crate::crs::Crs;
use crate::error::{Error, Result};

/// Column names found automatically as coordinates, as (x, y, whether they are lon/lat).
const COORDINATE_PAIRS: &[(&str, &str, bool)] = &[
    ("x", "y", false),
    ("e", "n", false),
    ("easting", "northing", false),
    ("east", "north", false),
    ("lon", "lat", true),
    ("lng", "lat", true),
    ("long", "lat", true),
    ("longitude", "latitude", true),
];

/// Column names found automatically as a WKT geometry.
const WKT_COLUMNS: &[&str] = &["wkt", "geometry", "geom", "the_geom"];

enum Geometry {
    Point { x: usize, y: usize },
    Wkt(usize),
}

pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let text = read_text(path)?;
    if text.lines().next().unwrap_or("").trim().is_empty() {
        return Err(Error::input(path, "has no header row: the first line should name the columns"));
    }
    let (reader, header, separator) = open(path, &text)?;
    let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));

    let (geometry, lonlat) = match (&options.x_field, &options.y_field) {
        (Some(x), Some(y)) => {
            let xi = find(x).ok_or_else(|| missing_column(path, x, &header))?;
            let yi = find(y).ok_or_else(|| missing_column(path, y, &header))?;
            (Geometry::Point { x: xi, y: yi }, false)
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::Config("give both the x and the y column of a CSV layer, or neither".into()))
        }
        (None, None) => {
            let pair = COORDINATE_PAIRS.iter().find_map(|&(x, y, ll)| Some((find(x)?, find(y)?, ll)));
            match pair {
                Some((x, y, ll)) => (Geometry::Point { x, y }, ll),
                None => match WKT_COLUMNS.iter().find_map(|c| find(c)) {
                    Some(w) => (Geometry::Wkt(w), false),
                    None => {
                        return Err(Error::input(
                            path,
                            format!(
                                "has no coordinate columns: name them x;y (or lon;lat, e;n, easting;northing), or \
                                 give a WKT column named wkt; its columns are: {}",
                                header.join(", ")
                            ),
                        ))
                    }
                },
            }
        }
    };
    let geometry_columns: Vec<usize> = match geometry {
        Geometry::Point { x, y } => vec![x, y],
        Geometry::Wkt(w) => vec![w],
    };
    let kept: Vec<usize> =
        (0..header.len()).filter(|i| !geometry_columns.contains(i) && keeps(options, &header[*i])).collect();

    // The body starts after the header record. A large file with no quotes at all can be cut at line ends and
    // parsed in parallel; anything else is parsed in one piece (quoted cells may hold line breaks).
    let body_start = reader.position().byte() as usize;
    let body = &text[body_start..];
    let pieces = split_at_lines(body);
    let rows = Rows { path, header: &header, geometry: &geometry, kept: &kept, separator };
    let parsed: Vec<Result<Vec<Feature>>> =
        pieces.par_iter().map(|&(piece, first_line)| rows.parse(piece, first_line)).collect();
    let mut parts = Vec::with_capacity(parsed.len());
    for part in parsed {
        parts.push(part?);
    }
    // Reserved once, and each piece freed as it is moved: the features are never held twice.
    let mut features = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        features.extend(part);
    }
    if features.is_empty() {
        return Err(Error::input(path, "has a header but no rows"));
    }
    Ok(Layer::single(
        path,
        Format::Csv,
        lonlat.then_some(Crs::WGS84),
        kept.iter().map(|&i| header[i].clone()).collect(),
        (0..header.len()).filter(|i| !geometry_columns.contains(i)).map(|i| header[i].clone()).collect(),
        features,
    ))
}

/// A plain table (no geometry): a CSV of values per area id, as statistics offices publish them.
#[derive(Clone, Debug)]
pub struct Table {
    /// The file.
    pub path: std::path::PathBuf,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of cells (trimmed), aligned with `columns`.
    pub rows: Vec<Vec<String>>,
    /// The line of the file each row is on (blank lines are skipped, so rows and lines can differ).
    pub lines: Vec<usize>,
}

impl Table {
    /// The position of a column, or an error naming the file and its columns.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .or_else(|| self.columns.iter().position(|c| c.eq_ignore_ascii_case(name)))
            .ok_or_else(|| missing_column(&self.path, name, &self.columns))
    }

    /// How row `index` is named in messages.
    pub fn location(&self, index: usize) -> String {
        format!("row {}", self.lines[index])
    }

    /// A cell as a number ≥ 0, or an error naming the row.
    pub fn count(&self, row: usize, column: usize) -> Result<f64> {
        Value::Text(self.rows[row][column].as_str().into())
            .to_count(&self.columns[column])
            .map_err(|m| Error::feature(&self.path, self.location(row), m))
    }
}

/// Reads a CSV table without geometry (separator detected, UTF-8 or Windows-1252).
pub fn read_table(path: &Path) -> Result<Table> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() == 0 {
        return Err(Error::input(path, "is empty"));
    }
    let text = read_text(path)?;
    let (mut reader, columns, _) = open(path, &text)?;
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        let start = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(Error::feature(path, format!("row {line}"), format!("is not valid CSV: {e}"))),
        }
        if unclosed_quote(&text, (start, reader.position().byte() as usize), &record) {
            return Err(unclosed_quote_error(path, line));
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            return Err(Error::feature(
                path,
                format!("row {line}"),
                format!("has {} cells but the header names {} columns", record.len(), columns.len()),
            ));
        }
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
        lines.push(line);
    }
    if rows.is_empty() {
        return Err(Error::input(path, "has a header but no rows"));
    }
    Ok(Table { path: path.to_path_buf(), columns, rows, lines })
}

/// A cell as a value: plain whole numbers (`3`, `1080`, not `0101`, which is an id) as numbers, which reads a
/// million counts without a million small strings; everything else as text.
fn cell_value(cell: &str) -> Value {
    let digits = cell.len() <= 15 && cell.bytes().all(|b| b.is_ascii_digit());
    if digits && (cell == "0" || !cell.starts_with('0')) {
        if let Ok(n) = cell.parse::<u64>() {
            return Value::Number(n as f64);
        }
    }
    Value::Text(cell.into())
}

/// Cuts `body` into pieces of about a megabyte at line ends when it holds no quote character, with the file line
/// number each piece starts at (the header is line 1).
fn split_at_lines(body: &str) -> Vec<(&str, usize)> {
    const PIECE: usize = 1 << 20;
    if body.len() <= 2 * PIECE || body.contains('"') {
        return vec![(body, 2)];
    }
    let mut pieces = Vec::new();
    let (mut start, mut line) = (0usize, 2usize);
    while start < body.len() {
        let mut end = (start + PIECE).min(body.len());
        match body.as_bytes()[end..].iter().position(|&b| b == b'\n') {
            Some(k) => end += k + 1,
            None => end = body.len(),
        }
        let piece = &body[start..end];
        pieces.push((piece, line));
        line += piece.bytes().filter(|&b| b == b'\n').count();
        start = end;
    }
    pieces
}

/// What is needed to turn CSV records into features.
struct Rows<'a> {
    path: &'a Path,
    header: &'a [String],
    geometry: &'a Geometry,
    kept: &'a [usize],
    separator: u8,
}

impl Rows<'_> {
    /// Parses the records of `piece`, whose first line is line `first_line` of the file.
    fn parse(&self, piece: &str, first_line: usize) -> Result<Vec<Feature>> {
        let path = self.path;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(piece.as_bytes());
        let mut features = Vec::with_capacity(piece.bytes().filter(|&b| b == b'\n').count() + 1);
        // Only a piece with a quote in it can hold a quote never closed (pieces are cut only where there is none).
        let quoted = piece.contains('"');
        let mut record = csv::StringRecord::new();
        loop {
            // Rows are named by their line in the file, as a spreadsheet shows them.
            let line = reader.position().line() as usize + first_line - 1;
            let start = reader.position().byte() as usize;
            let location = || format!("row {line}");
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(Error::feature(path, location(), format!("is not valid CSV: {e}"))),
            }
            if quoted && unclosed_quote(piece, (start, reader.position().byte() as usize), &record) {
                return Err(unclosed_quote_error(path, line));
            }
            if record.len() != self.header.len() {
                return Err(Error::feature(
                    path,
                    location(),
                    format!("has {} cells but the header names {} columns", record.len(), self.header.len()),
                ));
            }
            if record.iter().all(|c| c.trim().is_empty()) {
                continue; // a blank row at the end of a spreadsheet export
            }
            let geometry = match *self.geometry {
                Geometry::Point { x, y } => {
                    let coordinate = |i: usize| {
                        let cell = record.get(i).unwrap_or("").trim();
                        parse_number(cell).ok_or_else(|| {
                            let what = if cell.is_empty() {
                                "is empty".to_string()
                            } else {
                                format!("'{cell}' is not a number")
                            };
                            Error::feature(path, location(), format!("coordinate column '{}' {what}", self.header[i]))
                        })
                    };
                    geo::Geometry::Point(geo::Point::new(coordinate(x)?, coordinate(y)?))
                }
                Geometry::Wkt(w) => {
                    use wkt::TryFromWkt;
                    let cell = record.get(w).unwrap_or("").trim();
                    geo::Geometry::<f64>::try_from_wkt_str(cell).map_err(|e| {
                        Error::feature(path, location(), format!("column '{}' is not valid WKT: {e}", self.header[w]))
                    })?
                }
            };
            let values = self
                .kept
                .iter()
                .map(|&i| match record.get(i).map(str::trim) {
                    None | Some("") => Value::Null,
                    Some(s) => cell_value(s),
                })
                .collect();
            features.push(Feature { geometry: Some(geometry), values });
        }
        Ok(features)
    }
}

fn missing_column(path: &Path, name: &str, header: &[String]) -> Error {
    Error::input(path, format!("has no column '{name}'; its columns are: {}", header.join(", ")))
}

/// Whether bytes are plainly not text: a NUL byte in the first 8 KiB (text in any 8-bit encoding has none), as
/// in an `.xlsx`, a zip or random data.
fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

/// A CSV file's text: refused when binary, decoded as UTF-8 or Windows-1252, without a byte-order mark.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if is_binary(&bytes) {
        return Err(Error::input(
            path,
            "is not a CSV text file: it holds binary data (an Excel workbook renamed to .csv, or UTF-16 text?); \
             save it as CSV (UTF-8)",
        ));
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => decode(e.as_bytes()).into_owned(),
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A CSV reader over a file's text, positioned after its header row.
type Opened<'t> = (csv::Reader<&'t [u8]>, Vec<String>, u8);

/// A reader over `text` positioned after its header row, the trimmed column names, and the separator (detected
/// from the header line).
fn open<'t>(path: &Path, text: &'t str) -> Result<Opened<'t>> {
    let separator = detect_separator(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| Error::input(path, format!("is not valid CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<String>>();
    // Columns are found by name, ignoring case: two of one name would leave one of them silently unread.
    for (j, name) in header.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        if let Some(i) = header[..j].iter().position(|h| h.eq_ignore_ascii_case(name)) {
            return Err(Error::input(
                path,
                format!(
                    "has two columns named '{name}' (columns {} and {}); rename one, so that it is clear which is \
                     meant",
                    i + 1,
                    j + 1
                ),
            ));
        }
    }
    Ok((reader, header, separator))
}

/// Whether `record`, which is `text[start..end]`, opened a quote it never closed. The CSV reader takes such a
/// quote as a cell that runs to the end of the file, swallowing every row after it; it shows as a cell with a line
/// break in it and an odd number of quote characters in the record (a closed quoted cell has an even number).
fn unclosed_quote(text: &str, (start, end): (usize, usize), record: &csv::StringRecord) -> bool {
    record.iter().any(|c| c.contains('\n'))
        && text.get(start..end).is_some_and(|raw| raw.bytes().filter(|&b| b == b'"').count() % 2 == 1)
}

/// The error for a quote opened in `row` and never closed.
fn unclosed_quote_error(path: &Path, row: usize) -> Error {
    Error::feature(
        path,
        format!("row {row}"),
        "opens a quote (\") that is never closed, so every row after it would be read into one cell; close the \
         quote or remove it",
    )
}

/// UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what Excel writes as "CSV" on a Swedish Windows).
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The separator of a header line: the most frequent of `;`, tab and `,` outside quotes (`,` on a tie or none).
pub fn detect_separator(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], i == 2)).unwrap_or(2);
    if counts[best] == 0 {
        return b',';
    }
    [b';', b'\t', b','][best]
}

/// Parses a number as spreadsheets write it: `1234.5`, `1234,5` (decimal comma), `1 234,5` (space or no-break
/// space as thousands separator). Not finite values (`NaN`, `inf`) are refused.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = match text.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) => {
            let cleaned: String = text
                .chars()
                .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
                .map(|c| if c == ',' { '.' } else { c })
                .collect();
            if text.matches(',').count() > 1 {
                None
            } else {
                cleaned.replace('\u{2212}', "-").parse::<f64>().ok()
            }
        }
    };
    parsed.filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separator_is_detected() {
        assert_eq!(detect_separator("x;y;children"), b';');
        assert_eq!(detect_separator("x,y,children"), b',');
        assert_eq!(detect_separator("x\ty\tchildren"), b'\t');
        assert_eq!(detect_separator("id;\"a,b,c\""), b';');
        assert_eq!(detect_separator("single"), b',');
    }

    #[test]
    fn numbers_as_spreadsheets_write_them() {
        assert_eq!(parse_number("318234.57"), Some(318234.57));
        assert_eq!(parse_number("318234,57"), Some(318234.57));
        assert_eq!(parse_number(" 1 080 "), Some(1080.0));
        assert_eq!(parse_number("1\u{a0}080,5"), Some(1080.5));
        assert_eq!(parse_number("\u{2212}3,5"), Some(-3.5));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1,2,3"), None);
        assert_eq!(parse_number("many"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn binary_data_is_not_text() {
        assert!(is_binary(b"PK\x03\x04\x14\x00\x06\x00"));
        assert!(!is_binary("x;y;namn\n1;2;G\u{f6}teborg\n".as_bytes()));
        assert!(!is_binary(b"namn;x;y\nG\xf6teborg;1;2\n"));
    }

    #[test]
    fn whole_numbers_are_numbers_and_ids_stay_text() {
        assert_eq!(cell_value("3"), Value::Number(3.0));
        assert_eq!(cell_value("0"), Value::Number(0.0));
        assert_eq!(cell_value("0101"), Value::Text("0101".into()));
        assert_eq!(cell_value("3,5"), Value::Text("3,5".into()));
        assert_eq!(cell_value("D01"), Value::Text("D01".into()));
    }

    #[test]
    fn large_files_parse_in_pieces_with_the_right_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let mut text = String::from("x;y;children\n");
        for i in 0..150_000 {
            text.push_str(&format!("{},5;{}.25;{}\n", 300_000 + i, 6_400_000 + i, i % 5));
        }
        std::fs::write(&path, &text).unwrap();
        assert!(split_at_lines(&text[13..]).len() > 2);
        let layer = read(&path, &ReadOptions::default()).unwrap();
        assert_eq!(layer.features.len(), 150_000);
        let last = &layer.features[149_999];
        assert_eq!(last.geometry, Some(geo::Geometry::Point(geo::Point::new(449_999.5, 6_549_999.25))));
        assert_eq!(last.values.as_slice(), [Value::Number(4.0)]);
        // A bad cell deep in the file is named by its line, as a spreadsheet shows it.
        text = text.replacen("449999,5;", "oops;", 1);
        std::fs::write(&path, &text).unwrap();
        let e = read(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("row 150001") && e.contains("'oops' is not a number"), "{e}");
    }

    #[test]
    fn table_rows_are_named_by_their_line_past_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "id;n\na;1\n;\nb;x\n").unwrap();
        let table = read_table(&path).unwrap();
        assert_eq!(table.rows.len(), 2);
        let e = table.count(1, 1).unwrap_err().to_string();
        assert!(e.contains("row 4") && e.contains("'x'"), "{e}");
        std::fs::write(&path, "id;n\na;1\nb\n").unwrap();
        let e = read_table(&path).unwrap_err().to_string();
        assert!(e.contains("row 3") && e.contains("1 cells but the header names 2"), "{e}");
    }

    #[test]
    fn windows_1252_is_decoded() {
        let bytes = b"namn;x;y\nG\xf6teborg;1;2\n";
        assert_eq!(decode(bytes), "namn;x;y\nGöteborg;1;2\n");
    }
}
