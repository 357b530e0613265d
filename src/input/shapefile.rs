//! ESRI Shapefile reader: `X.shp` with `X.dbf` (required), `X.prj` and `X.cpg` (optional).
//!
//! * **Sidecars** are found by the .shp's stem with the extension matched case-insensitively (`X.DBF`, `X.PRJ`);
//!   an exact lower-case name wins. The `.shx` index is not needed: records are read in file order.
//! * **Geometry** via the `shapefile` crate, but polygons are assembled here ([`assemble_polygons`]): the crate
//!   attaches each hole to the outer ring read just before it, which is wrong when rings are listed out of order.
//!   Z and M values are dropped.
//! * **Attributes** are decoded here from the raw .dbf bytes ([`Dbf`]), because the `dbase` crate's encoding
//!   detection fails on common Swedish files (`.cpg` names such as `ANSI 1252`, `UTF8` or `latin1`, and a zero
//!   code page byte, all end up decoded as UTF-8, so `å` becomes `�`). The encoding is resolved by
//!   [`resolve_encoding`]: the `.cpg` file, then the code page byte of the .dbf header, then detection (text that
//!   is valid UTF-8 throughout is UTF-8, anything else Windows-1252). How it was decided is kept in
//!   [`DbfEncoding::source`], so that a caller can later warn when the encoding was only guessed.
//! * Records marked deleted in the .dbf are skipped together with their shape, as GDAL and QGIS do.
//!   Memo fields (text kept in a `.dbt`/`.fpt` file) are read as null.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use geo::coordinate_position::{coord_pos_relative_to_ring, CoordPos};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use shapefile::record::traits::HasXY;
use shapefile::{Shape, ShapeReader};

use super::{keeps, Feature, Format, Layer, ReadOptions, Value};
use crate::crs::Crs;
use crate::error::{Error, Result};

/// Reads a Shapefile layer: geometries in the file's own coordinates, the CRS its `.prj` declares.
pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    // A missing .shp is reported as such, not as a missing .dbf.
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let dbf_path = sidecar(path, "dbf").ok_or_else(|| {
        Error::input(
            path,
            format!(
                "has no attribute file {} next to it; a Shapefile is several files with the same name \
                 (.shp, .dbf, .shx, .prj, .cpg): copy them all",
                display_name(&path.with_extension("dbf"))
            ),
        )
    })?;
    let dbf_bytes = std::fs::read(&dbf_path).map_err(|e| Error::io(&dbf_path, e))?;
    let dbf = Dbf::parse(&dbf_path, &dbf_bytes)?;

    let cpg = match sidecar(path, "cpg") {
        Some(cpg_path) => Some(read_sidecar_text(&cpg_path)?),
        None => None,
    };
    let encoding = resolve_encoding(cpg.as_deref(), &dbf);

    let crs = match read_prj_text(path)? {
        Some((prj_path, text)) => Some(crs_from_prj(&prj_path, &text)?),
        None => None,
    };

    let geometries = read_geometries(path)?;
    if geometries.len() != dbf.records {
        return Err(Error::input(
            path,
            format!(
                "has {} shapes but its attribute file {} has {} records; the .shp and .dbf must come from the \
                 same export",
                geometries.len(),
                display_name(&dbf_path),
                dbf.records
            ),
        ));
    }

    let kept: Vec<&DbfField> =
        dbf.fields.iter().filter(|f| f.kind != b'0').filter(|f| keeps(options, &f.name(encoding.encoding))).collect();
    let fields = kept.iter().map(|f| f.name(encoding.encoding).into_owned()).collect();
    let file_fields =
        dbf.fields.iter().filter(|f| f.kind != b'0').map(|f| f.name(encoding.encoding).into_owned()).collect();

    let mut features = Vec::with_capacity(geometries.len());
    for (i, geometry) in geometries.into_iter().enumerate() {
        let record = dbf.record(i);
        if record[0] == b'*' {
            continue;
        }
        let mut values = Vec::with_capacity(kept.len());
        for field in &kept {
            let raw = &record[field.offset..field.offset + field.length];
            let value = decode_value(field, raw, encoding.encoding, dbf.version).map_err(|message| {
                Error::feature(
                    &dbf_path,
                    Format::Shapefile.location(i),
                    format!("field '{}': {message}", field.name(encoding.encoding)),
                )
            })?;
            values.push(value);
        }
        features.push(Feature { geometry, values: values.into() });
    }

    Ok(Layer::single(path, Format::Shapefile, crs, fields, file_fields, features))
}

/// The file name alone, for messages.
fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

// ---------------------------------------------------------------------------------------------------------------
// Sidecar files

/// The sidecar file of `shp` with extension `ext` (lower case, no dot): same stem, extension matched
/// case-insensitively. An exact `stem.ext` wins, then the same stem with another case of extension, then a stem
/// that differs only in case. `None` when there is none.
fn sidecar(shp: &Path, ext: &str) -> Option<PathBuf> {
    let exact = shp.with_extension(ext);
    if exact.is_file() {
        return Some(exact);
    }
    let stem = shp.file_stem()?;
    let dir = match shp.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut best: Option<(u8, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let candidate = entry.path();
        let ext_matches = candidate.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext));
        if !ext_matches || !candidate.is_file() {
            continue;
        }
        let Some(candidate_stem) = candidate.file_stem() else { continue };
        let rank = if candidate_stem == stem {
            0
        } else if candidate_stem.to_str().zip(stem.to_str()).is_some_and(|(a, b)| a.eq_ignore_ascii_case(b)) {
            1
        } else {
            continue;
        };
        if best.as_ref().is_none_or(|(r, p)| (rank, &candidate) < (*r, p)) {
            best = Some((rank, candidate));
        }
    }
    best.map(|(_, p)| p)
}

/// A small text sidecar (.prj, .cpg): UTF-8 (or Windows-1252 when it is not), without BOM and surrounding
/// whitespace.
fn read_sidecar_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes).0,
    };
    Ok(text.trim().trim_start_matches('\u{feff}').trim().to_string())
}

/// Finds and reads the `.prj` next to `shp`: its path and WKT text (BOM and surrounding whitespace removed).
/// `None` when there is no .prj or it is empty, i.e. the file declares no CRS.
pub(crate) fn read_prj_text(shp: &Path) -> Result<Option<(PathBuf, String)>> {
    let Some(prj_path) = sidecar(shp, "prj") else { return Ok(None) };
    let text = read_sidecar_text(&prj_path)?;
    Ok(if text.is_empty() { None } else { Some((prj_path, text)) })
}

/// The CRS a `.prj` declares; errors name the .prj.
fn crs_from_prj(prj_path: &Path, wkt: &str) -> Result<Crs> {
    Crs::from_wkt(wkt).map_err(|e| Error::Crs { path: prj_path.to_path_buf(), message: e.to_string() })
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/// How the encoding of a .dbf was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EncodingSource {
    /// Named by the `.cpg` file.
    Cpg,
    /// Given by the code page byte (language driver id) of the .dbf header.
    CodePageByte,
    /// Guessed: all text valid UTF-8 gives UTF-8, anything else Windows-1252.
    Detected,
}

/// The encoding of a .dbf's text and how it was decided.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DbfEncoding {
    /// The encoding text fields and field names are decoded with.
    pub(crate) encoding: &'static Encoding,
    /// How it was decided. Only tests read it so far; it is kept for a later "encoding guessed" warning.
    #[allow(dead_code)]
    pub(crate) source: EncodingSource,
}

/// Decides the encoding of `dbf`: the `.cpg` content when it names an encoding, else the header's code page
/// byte when it names one, else UTF-8 when every text field and field name is valid UTF-8, else Windows-1252
/// (which decodes any byte, and is what Swedish files without a declaration almost always are).
pub(crate) fn resolve_encoding(cpg: Option<&str>, dbf: &Dbf<'_>) -> DbfEncoding {
    if let Some(encoding) = cpg.and_then(encoding_from_cpg) {
        return DbfEncoding { encoding, source: EncodingSource::Cpg };
    }
    if let Some(encoding) = encoding_from_code_page_byte(dbf.code_page) {
        return DbfEncoding { encoding, source: EncodingSource::CodePageByte };
    }
    let encoding = if dbf.text_is_utf8() { encoding_rs::UTF_8 } else { encoding_rs::WINDOWS_1252 };
    DbfEncoding { encoding, source: EncodingSource::Detected }
}

/// The encoding a `.cpg` file names, or `None` when it names none we can use (`SYSTEM`, `OEM`, DOS code pages,
/// nonsense): then the caller falls through to the code page byte and detection.
pub(crate) fn encoding_from_cpg(content: &str) -> Option<&'static Encoding> {
    let text = content.trim_start_matches('\u{feff}').trim();
    let compact: String =
        text.chars().filter(|c| !matches!(c, ' ' | '-' | '_')).map(|c| c.to_ascii_uppercase()).collect();
    match compact.as_str() {
        "UTF8" | "65001" => return Some(encoding_rs::UTF_8),
        // Latin-1 names map to Windows-1252, a superset for every printable character.
        "ANSI1252" | "1252" | "CP1252" | "WINDOWS1252" | "LATIN1" | "ISO88591" | "88591" | "28591" | "L1" => {
            return Some(encoding_rs::WINDOWS_1252)
        }
        "" | "SYSTEM" | "OEM" | "ANSI" => return None,
        _ => {}
    }
    // `ANSI 1251`, `CP1257`, `WINDOWS-1250`, `1253`, `8859-15`, `ISO 8859-2`, `28592`: by code page number.
    let number =
        ["ANSI", "WINDOWS", "CP", "MS"].iter().find_map(|prefix| compact.strip_prefix(prefix)).unwrap_or(&compact);
    if let Some(part) = number.strip_prefix("ISO8859").or_else(|| number.strip_prefix("8859")) {
        return part.parse::<u32>().ok().and_then(|n| usable(&format!("iso-8859-{n}")));
    }
    if let Ok(code_page) = number.parse::<u32>() {
        return encoding_from_code_page(code_page);
    }
    // Any other name the WHATWG encoding standard knows: `koi8-r`, `shift_jis`, `gb2312`, `big5`...
    usable(text)
}

/// The encoding for a WHATWG label, when it is one a .dbf can be in (ASCII-compatible).
fn usable(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.as_bytes()).filter(|e| e.is_ascii_compatible() && *e != encoding_rs::REPLACEMENT)
}

/// The encoding for a Windows code page number, where encoding_rs has it (the DOS code pages 437, 850, 865...
/// it has not).
fn encoding_from_code_page(code_page: u32) -> Option<&'static Encoding> {
    match code_page {
        65001 => Some(encoding_rs::UTF_8),
        1250..=1258 | 874 => usable(&format!("windows-{code_page}")),
        28591 => Some(encoding_rs::WINDOWS_1252),
        28592..=28606 => usable(&format!("iso-8859-{}", code_page - 28590)),
        932 => Some(encoding_rs::SHIFT_JIS),
        936 => Some(encoding_rs::GBK),
        949 => Some(encoding_rs::EUC_KR),
        950 => Some(encoding_rs::BIG5),
        866 => Some(encoding_rs::IBM866),
        20866 => Some(encoding_rs::KOI8_R),
        21866 => Some(encoding_rs::KOI8_U),
        10000 => Some(encoding_rs::MACINTOSH),
        10007 => Some(encoding_rs::X_MAC_CYRILLIC),
        _ => None,
    }
}

/// The encoding the .dbf header's code page byte (language driver id, offset 29) names, or `None` for 0x00
/// ("not specified") and code pages encoding_rs does not have. 0x57 is what ESRI writes for "ANSI", the system
/// code page, which for Swedish data is Windows-1252.
pub(crate) fn encoding_from_code_page_byte(byte: u8) -> Option<&'static Encoding> {
    let code_page = match byte {
        0x03 | 0x57 | 0x58 | 0x59 => 1252,
        0x04 => 10000,
        0x13 | 0x7B => 932,
        0x26 | 0x65 => 866,
        0x4D | 0x7A => 936,
        0x4E | 0x79 => 949,
        0x4F | 0x78 => 950,
        0x50 | 0x7C => 874,
        0x7D => 1255,
        0x7E => 1256,
        0x96 => 10007,
        0xC8 => 1250,
        0xC9 => 1251,
        0xCA => 1254,
        0xCB => 1253,
        0xCC => 1257,
        _ => return None,
    };
    encoding_from_code_page(code_page)
}

// ---------------------------------------------------------------------------------------------------------------
// .dbf

/// A parsed .dbf (dBASE III/IV, FoxPro) file over its bytes: header, field descriptors and raw records.
pub(crate) struct Dbf<'a> {
    /// The version byte (offset 0).
    version: u8,
    /// The code page byte (language driver id, offset 29).
    code_page: u8,
    /// The number of records, deleted ones included.
    records: usize,
    /// Where the records start.
    header_len: usize,
    /// Bytes per record, the deletion flag included.
    record_len: usize,
    /// The field descriptors, in file order.
    fields: Vec<DbfField>,
    data: &'a [u8],
}

/// One .dbf field descriptor.
struct DbfField {
    /// The name's raw bytes (up to the first NUL).
    raw_name: Vec<u8>,
    /// The type letter: `C`, `N`, `F`, `L`, `D`, ...
    kind: u8,
    /// The field's byte offset within a record (after the deletion flag).
    offset: usize,
    /// Its width in bytes.
    length: usize,
}

impl DbfField {
    fn name(&self, encoding: &'static Encoding) -> Cow<'_, str> {
        decode_text(trim_end(&self.raw_name), encoding)
    }
}

impl<'a> Dbf<'a> {
    /// Parses the header of a .dbf and checks the records are all there.
    pub(crate) fn parse(path: &Path, data: &'a [u8]) -> Result<Dbf<'a>> {
        let not_dbf = |why: &str| Error::input(path, format!("is not a dBASE (.dbf) attribute file: {why}"));
        if data.len() < 32 {
            return Err(not_dbf(&format!("it is only {} bytes long", data.len())));
        }
        let version = data[0];
        const VERSIONS: [u8; 17] =
            [0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xB3, 0xCB, 0xE5, 0xF5, 0xFB];
        if !VERSIONS.contains(&version) {
            return Err(not_dbf(&format!("its first byte 0x{version:02X} is no known dBASE version")));
        }
        let records = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
        let header_len = u16::from_le_bytes([data[8], data[9]]) as usize;
        let record_len = u16::from_le_bytes([data[10], data[11]]) as usize;
        if header_len < 33 || header_len > data.len() {
            return Err(not_dbf(&format!(
                "its header length {header_len} does not fit a file of {} bytes",
                data.len()
            )));
        }
        if record_len == 0 {
            return Err(not_dbf("its record length is 0"));
        }

        let mut fields = Vec::new();
        let mut offset = 1;
        let mut pos = 32;
        while pos + 32 <= header_len && data[pos] != 0x0D {
            let d = &data[pos..pos + 32];
            let kind = d[11].to_ascii_uppercase();
            // Character fields wider than 255 use the decimal-count byte as the high byte (Clipper, FoxPro, GDAL).
            let length = if kind == b'C' { d[16] as usize + 256 * d[17] as usize } else { d[16] as usize };
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            fields.push(DbfField { raw_name: d[..name_end].to_vec(), kind, offset, length });
            offset += length;
            pos += 32;
        }
        if offset > record_len {
            return Err(not_dbf(&format!(
                "its fields take {offset} bytes per record but its header says records are {record_len} bytes"
            )));
        }
        let needed = records.checked_mul(record_len).and_then(|n| n.checked_add(header_len));
        if needed.is_none_or(|needed| data.len() < needed) {
            let whole = (data.len() - header_len) / record_len;
            return Err(Error::input(
                path,
                format!(
                    "is truncated: its header announces {records} records but the file holds only {whole}; \
                     export the layer again"
                ),
            ));
        }
        Ok(Dbf { version, code_page: data[29], records, header_len, record_len, fields, data })
    }

    /// Record `i` (`i < records`), the deletion flag byte first.
    fn record(&self, i: usize) -> &'a [u8] {
        let start = self.header_len + i * self.record_len;
        &self.data[start..start + self.record_len]
    }

    /// Whether every field name and every text value is valid UTF-8 (pure ASCII counts). A multi-byte character
    /// cut off at the end of a field (writers that truncate to the field width by bytes) is tolerated.
    fn text_is_utf8(&self) -> bool {
        let text_fields: Vec<&DbfField> = self.fields.iter().filter(|f| is_text(f.kind)).collect();
        self.fields.iter().all(|f| std::str::from_utf8(&f.raw_name).is_ok())
            && (0..self.records).all(|i| {
                let record = self.record(i);
                text_fields.iter().all(|f| is_utf8_field(&record[f.offset..f.offset + f.length]))
            })
    }
}

/// Whether a text field's bytes are valid UTF-8, tolerating an incomplete character at the very end only when
/// the value fills the whole field (no padding), i.e. was cut off at the field width. (A Windows-1252 value
/// ending in `å` followed by padding is not UTF-8.)
fn is_utf8_field(raw: &[u8]) -> bool {
    let text = trim_end(raw);
    match std::str::from_utf8(text) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && text.len() == raw.len(),
    }
}

/// Decodes text; in UTF-8, an incomplete character at the end (cut off by the field width) is dropped.
fn decode_text<'b>(bytes: &'b [u8], encoding: &'static Encoding) -> Cow<'b, str> {
    if encoding == encoding_rs::UTF_8 {
        if let Err(e) = std::str::from_utf8(bytes) {
            if e.error_len().is_none() {
                return encoding.decode_without_bom_handling(&bytes[..e.valid_up_to()]).0;
            }
        }
    }
    encoding.decode_without_bom_handling(bytes).0
}

/// Whether a field type holds encoded text.
fn is_text(kind: u8) -> bool {
    !matches!(kind, b'N' | b'F' | b'L' | b'D' | b'I' | b'+' | b'O' | b'B' | b'Y' | b'T' | b'@' | b'M' | b'G' | b'P')
        && kind != b'0'
}

/// `bytes` without trailing spaces and NULs.
fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != b' ' && b != 0).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// `bytes` without leading and trailing spaces and NULs.
fn trim(bytes: &[u8]) -> &[u8] {
    let bytes = trim_end(bytes);
    let start = bytes.iter().position(|&b| b != b' ' && b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Decodes one field value; the error says what is wrong with it.
fn decode_value(field: &DbfField, raw: &[u8], encoding: &'static Encoding, version: u8) -> Result<Value, String> {
    let visual_foxpro = matches!(version, 0x30..=0x32);
    Ok(match field.kind {
        b'N' | b'F' => {
            let text = trim(raw);
            if text.is_empty() || text.iter().all(|&b| b == b'*') {
                return Ok(Value::Null);
            }
            let text = String::from_utf8_lossy(text);
            match text.parse::<f64>().or_else(|_| text.replace(',', ".").parse::<f64>()) {
                Ok(n) => Value::Number(n),
                Err(_) => return Err(format!("'{text}' is not a number")),
            }
        }
        b'L' => match raw.first() {
            Some(b'T' | b't' | b'Y' | b'y' | b'1') => Value::Bool(true),
            Some(b'F' | b'f' | b'N' | b'n' | b'0') => Value::Bool(false),
            _ => Value::Null,
        },
        b'D' => {
            let text = trim(raw);
            if text.is_empty() || text.iter().all(|&b| b == b'0') {
                Value::Null
            } else if text.len() == 8 && text.iter().all(u8::is_ascii_digit) {
                let t = std::str::from_utf8(text).unwrap_or_default();
                Value::Text(format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]).into())
            } else {
                Value::Text(decode_text(text, encoding).into())
            }
        }
        b'I' | b'+' if raw.len() == 4 => Value::Number(i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as f64),
        b'O' if raw.len() == 8 => Value::Number(f64::from_le_bytes(eight(raw))),
        b'B' if raw.len() == 8 && visual_foxpro => Value::Number(f64::from_le_bytes(eight(raw))),
        // Currency: a 64-bit integer with four implied decimals.
        b'Y' if raw.len() == 8 => Value::Number(i64::from_le_bytes(eight(raw)) as f64 / 10_000.0),
        b'T' if raw.len() == 8 => {
            let day = i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
            let millis = i32::from_le_bytes([raw[4], raw[5], raw[6], raw[7]]);
            julian_date_time(day, millis).map_or(Value::Null, |s| Value::Text(s.into()))
        }
        // Memo-like fields point into a .dbt/.fpt file that is not read; binary types cannot be used.
        b'M' | b'G' | b'P' | b'W' | b'B' | b'I' | b'+' | b'O' | b'Y' | b'T' | b'@' => Value::Null,
        // Character, varchar and unknown types: text.
        _ => {
            let text = trim_end(raw);
            if text.is_empty() {
                Value::Null
            } else {
                Value::Text(decode_text(text, encoding).into())
            }
        }
    })
}

fn eight(raw: &[u8]) -> [u8; 8] {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&raw[..8]);
    bytes
}

/// A FoxPro date-time (Julian day number, milliseconds since midnight) as `YYYY-MM-DDTHH:MM:SS`, or `None` when
/// empty or out of range.
fn julian_date_time(day: i32, millis: i32) -> Option<String> {
    // Julian day 1721426 is 0001-01-01, 5373484 is 9999-12-31.
    if !(1_721_426..=5_373_484).contains(&day) || !(0..86_400_000).contains(&millis) {
        return None;
    }
    // Fliegel and Van Flandern's conversion to the Gregorian calendar.
    let mut l = day as i64 + 68_569;
    let n = 4 * l / 146_097;
    l -= (146_097 * n + 3) / 4;
    let i = 4000 * (l + 1) / 1_461_001;
    l = l - 1461 * i / 4 + 31;
    let j = 80 * l / 2447;
    let d = l - 2447 * j / 80;
    l = j / 11;
    let m = j + 2 - 12 * l;
    let y = 100 * (n - 49) + i + l;
    let s = millis / 1000;
    Some(format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60))
}

// ---------------------------------------------------------------------------------------------------------------
// .shp

/// Reads every shape of a .shp in file order (`None` for null shapes).
fn read_geometries(path: &Path) -> Result<Vec<Option<Geometry<f64>>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len < 100 {
        return Err(Error::input(
            path,
            format!("is not a Shapefile (.shp): it is only {len} bytes long, shorter than the 100-byte header"),
        ));
    }
    let mut reader = ShapeReader::new(BufReader::new(file)).map_err(|e| {
        let why = match e {
            shapefile::Error::InvalidFileCode(code) => {
                format!("it does not start with the Shapefile file code 9994 (found {code})")
            }
            shapefile::Error::InvalidShapeType(code) => format!("its header has an unknown shape type {code}"),
            other => other.to_string(),
        };
        Error::input(path, format!("is not a Shapefile (.shp): {why}"))
    })?;
    let declared = reader.header().file_length as u64 * 2;
    if declared > len {
        return Err(Error::input(
            path,
            format!("is truncated: its header says it is {declared} bytes long but it has only {len}; export it again"),
        ));
    }
    let mut geometries = Vec::new();
    for (i, shape) in reader.iter_shapes().enumerate() {
        let location = Format::Shapefile.location(i);
        let shape = shape.map_err(|e| {
            let why = match e {
                shapefile::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                    "the file ends in the middle of this shape: it is truncated or damaged".to_string()
                }
                other => format!("cannot be read, the file is damaged: {other}"),
            };
            Error::feature(path, location.clone(), why)
        })?;
        geometries.push(to_geometry(shape).map_err(|why| Error::feature(path, location, why))?);
    }
    Ok(geometries)
}

fn xy<P: HasXY>(p: &P) -> Coord<f64> {
    Coord { x: p.x(), y: p.y() }
}

fn point<P: HasXY>(p: &P) -> Geometry<f64> {
    Geometry::Point(Point(xy(p)))
}

fn multi_point<P: HasXY>(points: &[P]) -> Geometry<f64> {
    Geometry::MultiPoint(MultiPoint(points.iter().map(|p| Point(xy(p))).collect()))
}

fn multi_line_string<P: HasXY>(parts: &[Vec<P>]) -> Geometry<f64> {
    Geometry::MultiLineString(MultiLineString(
        parts.iter().map(|part| LineString(part.iter().map(xy).collect())).collect(),
    ))
}

fn polygon<P: HasXY>(rings: &[shapefile::PolygonRing<P>]) -> Option<Geometry<f64>> {
    assemble_polygons(rings.iter().map(|ring| ring.points().iter().map(xy).collect()).collect())
}

/// A shape as a 2D geometry (`None` for a null shape).
fn to_geometry(shape: Shape) -> Result<Option<Geometry<f64>>, String> {
    Ok(match shape {
        Shape::NullShape => None,
        Shape::Point(p) => Some(point(&p)),
        Shape::PointM(p) => Some(point(&p)),
        Shape::PointZ(p) => Some(point(&p)),
        Shape::Multipoint(m) => Some(multi_point(m.points())),
        Shape::MultipointM(m) => Some(multi_point(m.points())),
        Shape::MultipointZ(m) => Some(multi_point(m.points())),
        Shape::Polyline(l) => Some(multi_line_string(l.parts())),
        Shape::PolylineM(l) => Some(multi_line_string(l.parts())),
        Shape::PolylineZ(l) => Some(multi_line_string(l.parts())),
        Shape::Polygon(p) => polygon(p.rings()),
        Shape::PolygonM(p) => polygon(p.rings()),
        Shape::PolygonZ(p) => polygon(p.rings()),
        Shape::Multipatch(_) => {
            return Err("is a MultiPatch (a 3D surface), which arenagap cannot use; export it as polygons".into())
        }
    })
}

/// One ring of a polygon shape, with what assembling needs.
struct Ring {
    /// Its position in the shape.
    index: usize,
    /// The ring, closed.
    line: LineString<f64>,
    /// Its area, positive when clockwise (an outer ring in a Shapefile), negative when counter-clockwise (a hole).
    area: f64,
    /// Its bounding box: min x, min y, max x, max y.
    bbox: [f64; 4],
}

impl Ring {
    fn new(index: usize, mut coords: Vec<Coord<f64>>) -> Option<Ring> {
        if coords.first() != coords.last() {
            coords.push(coords[0]);
        }
        if coords.len() < 4 {
            return None;
        }
        // Shoelace, relative to the first vertex so that large projected coordinates keep their precision.
        let o = coords[0];
        let twice_ccw: f64 =
            coords.windows(2).map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y)).sum();
        if twice_ccw == 0.0 || !twice_ccw.is_finite() {
            return None;
        }
        let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for c in &coords {
            bbox = [bbox[0].min(c.x), bbox[1].min(c.y), bbox[2].max(c.x), bbox[3].max(c.y)];
        }
        Some(Ring { index, line: LineString(coords), area: -twice_ccw / 2.0, bbox })
    }

    /// Whether `inner` lies inside this ring: its first vertex not on this ring's boundary decides.
    fn contains(&self, inner: &Ring) -> bool {
        let [x0, y0, x1, y1] = self.bbox;
        let [a0, b0, a1, b1] = inner.bbox;
        if a0 < x0 || b0 < y0 || a1 > x1 || b1 > y1 {
            return false;
        }
        for &c in &inner.line.0 {
            match coord_pos_relative_to_ring(c, &self.line) {
                CoordPos::Inside => return true,
                CoordPos::Outside => return false,
                CoordPos::OnBoundary => {}
            }
        }
        true
    }
}

/// Assembles the rings of one polygon shape into polygons: clockwise rings are outer rings; each
/// counter-clockwise ring (a hole) goes into the smallest outer ring that contains it, whatever the ring order.
/// A hole inside no outer ring becomes an outer ring itself (holes are placed largest first, so in a file written
/// with every ring counter-clockwise, a ring inside such a promoted ring still becomes its hole). Degenerate rings
/// (fewer than three distinct vertices, zero area) are dropped. Rings keep their vertex order as read; polygons
/// and their holes keep file order. A single polygon is returned as a `Polygon`, several as a `MultiPolygon`,
/// none as `None`.
pub(crate) fn assemble_polygons(rings: Vec<Vec<Coord<f64>>>) -> Option<Geometry<f64>> {
    let (mut outers, mut holes): (Vec<Ring>, Vec<Ring>) =
        rings.into_iter().enumerate().filter_map(|(i, coords)| Ring::new(i, coords)).partition(|r| r.area > 0.0);
    holes.sort_by(|a, b| b.area.abs().total_cmp(&a.area.abs()));
    let mut interiors: Vec<Vec<Ring>> = outers.iter().map(|_| Vec::new()).collect();
    for hole in holes {
        let container = outers
            .iter()
            .enumerate()
            .filter(|(_, outer)| outer.area.abs() >= hole.area.abs() && outer.contains(&hole))
            .min_by(|(_, a), (_, b)| a.area.abs().total_cmp(&b.area.abs()))
            .map(|(k, _)| k);
        match container {
            Some(k) => interiors[k].push(hole),
            None => {
                outers.push(hole);
                interiors.push(Vec::new());
            }
        }
    }
    let mut polygons: Vec<(usize, Polygon<f64>)> = outers
        .into_iter()
        .zip(interiors)
        .map(|(outer, mut holes)| {
            holes.sort_by_key(|h| h.index);
            (outer.index, Polygon::new(outer.line, holes.into_iter().map(|h| h.line).collect()))
        })
        .collect();
    polygons.sort_by_key(|(index, _)| *index);
    let mut polygons: Vec<Polygon<f64>> = polygons.into_iter().map(|(_, p)| p).collect();
    match polygons.len() {
        0 => None,
        1 => polygons.pop().map(Geometry::Polygon),
        _ => Some(Geometry::MultiPolygon(MultiPolygon(polygons))),
    }
}

#[cfg(test)]
mod tests {
    //! Most tests read fixtures from `tests/fixtures/shp` (made by `make_fixtures.py` there). The district
    //! fixtures with a `.prj` are read through [`copy_fixture`] into a temporary folder *without* the .prj, so
    //! that these tests do not depend on the CRS module; `reads_prj_after_merge` reads them with their .prj.
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shp")
    }

    /// Copies the files of fixture `stem` into `dir`, renamed to `new_stem` and leaving out the extensions in
    /// `skip`; returns the new .shp path. Used to read the .prj-bearing fixtures without their .prj.
    fn copy_fixture(stem: &str, dir: &Path, new_stem: &str, skip: &[&str]) -> PathBuf {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            let from = fixtures().join(format!("{stem}.{ext}"));
            if from.exists() && !skip.contains(&ext) {
                std::fs::copy(&from, dir.join(format!("{new_stem}.{ext}"))).unwrap();
            }
        }
        dir.join(format!("{new_stem}.shp"))
    }

    /// Reads fixture `stem` without its .prj.
    fn read_without_prj(stem: &str, options: &ReadOptions) -> Layer {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture(stem, dir.path(), stem, &["prj"]);
        read(&shp, options).unwrap()
    }

    fn names(layer: &Layer) -> Vec<Option<String>> {
        let i = layer.field_index("NAMN").unwrap();
        layer.features.iter().map(|f| f.values[i].to_text()).collect()
    }

    fn district_names() -> Vec<Option<String>> {
        ["Västra Frölunda", "Älvsborg", "Önnered", "Åby", "Södra Skärgården"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect()
    }

    fn encoding_of(stem: &str, cpg: Option<&str>) -> DbfEncoding {
        let path = fixtures().join(format!("{stem}.dbf"));
        let bytes = std::fs::read(&path).unwrap();
        resolve_encoding(cpg, &Dbf::parse(&path, &bytes).unwrap())
    }

    #[test]
    fn cpg_names_map_to_encodings() {
        use encoding_rs::{UTF_8, WINDOWS_1251, WINDOWS_1252};
        for name in ["UTF-8", "utf-8", "UTF8", "utf8", "65001", " UTF-8\r\n", "\u{feff}UTF-8"] {
            assert_eq!(encoding_from_cpg(name), Some(UTF_8), "{name:?}");
        }
        for name in [
            "ANSI 1252",
            "ansi 1252",
            "1252",
            "CP1252",
            "cp1252",
            "WINDOWS-1252",
            "windows-1252",
            "LATIN1",
            "latin1",
            "ISO-8859-1",
            "iso8859-1",
            "88591",
            "8859-1",
            "\u{feff}ANSI 1252\n",
        ] {
            assert_eq!(encoding_from_cpg(name), Some(WINDOWS_1252), "{name:?}");
        }
        assert_eq!(encoding_from_cpg("ANSI 1251"), Some(WINDOWS_1251));
        assert_eq!(encoding_from_cpg("8859-15"), Some(encoding_rs::ISO_8859_15));
        assert_eq!(encoding_from_cpg("koi8-r"), Some(encoding_rs::KOI8_R));
        for name in ["SYSTEM", "system", "OEM", "", "  ", "850", "437", "nonsense", "UTF-16"] {
            assert_eq!(encoding_from_cpg(name), None, "{name:?}");
        }
    }

    #[test]
    fn code_page_bytes_map_to_encodings() {
        assert_eq!(encoding_from_code_page_byte(0x57), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_from_code_page_byte(0x03), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_from_code_page_byte(0xC9), Some(encoding_rs::WINDOWS_1251));
        assert_eq!(encoding_from_code_page_byte(0x00), None);
        assert_eq!(encoding_from_code_page_byte(0x02), None, "DOS 850: not in encoding_rs, detect instead");
    }

    #[test]
    fn encoding_is_resolved_cpg_then_code_page_byte_then_detection() {
        let e = encoding_of("districts_cp1252", Some("ANSI 1252"));
        assert_eq!((e.encoding, e.source), (encoding_rs::WINDOWS_1252, EncodingSource::Cpg));
        // Without the .cpg, its header byte 0x57 decides.
        let e = encoding_of("districts_cp1252", None);
        assert_eq!((e.encoding, e.source), (encoding_rs::WINDOWS_1252, EncodingSource::CodePageByte));
        // A .cpg dbase does not understand still falls through.
        let e = encoding_of("districts_cp1252", Some("SYSTEM"));
        assert_eq!(e.source, EncodingSource::CodePageByte);
        let e = encoding_of("districts_utf8", Some("UTF-8"));
        assert_eq!((e.encoding, e.source), (encoding_rs::UTF_8, EncodingSource::Cpg));
        let e = encoding_of("districts_utf8", None);
        assert_eq!((e.encoding, e.source), (encoding_rs::UTF_8, EncodingSource::Detected));
        let e = encoding_of("districts_nocpg", None);
        assert_eq!((e.encoding, e.source), (encoding_rs::WINDOWS_1252, EncodingSource::Detected));
    }

    #[test]
    fn decodes_swedish_letters_in_windows_1252_with_cpg() {
        let layer = read_without_prj("districts_cp1252", &ReadOptions::default());
        assert_eq!(names(&layer), district_names());
        assert_eq!(layer.format, Format::Shapefile);
        assert!(layer.crs.is_none());
        assert!(layer.path.ends_with("districts_cp1252.shp"));
    }

    #[test]
    fn decodes_swedish_letters_in_utf8_with_cpg() {
        let layer = read_without_prj("districts_utf8", &ReadOptions::default());
        assert_eq!(names(&layer), district_names());
    }

    #[test]
    fn decodes_swedish_letters_in_windows_1252_without_cpg_or_code_page_byte() {
        // This fixture has no .prj, so it is read in place.
        let layer = read(&fixtures().join("districts_nocpg.shp"), &ReadOptions::default()).unwrap();
        assert_eq!(names(&layer), district_names());
        assert!(layer.crs.is_none());
    }

    #[test]
    fn cpg_wins_over_code_page_byte() {
        // A UTF-8 .dbf whose header claims ANSI (0x57): the .cpg saying UTF-8 decides.
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("districts_utf8", dir.path(), "d", &["prj"]);
        let dbf = dir.path().join("d.dbf");
        let mut bytes = std::fs::read(&dbf).unwrap();
        bytes[29] = 0x57;
        std::fs::write(&dbf, bytes).unwrap();
        assert_eq!(names(&read(&shp, &ReadOptions::default()).unwrap()), district_names());
    }

    #[test]
    fn sidecars_match_extension_case_insensitively() {
        let dir = tempfile::tempdir().unwrap();
        for (from, to) in [("shp", "shp"), ("dbf", "DBF"), ("cpg", "CPG"), ("shx", "Shx")] {
            std::fs::copy(fixtures().join(format!("districts_cp1252.{from}")), dir.path().join(format!("d.{to}")))
                .unwrap();
        }
        std::fs::write(dir.path().join("d.PRJ"), "\u{feff}PROJCS[\"x\"]\r\n").unwrap();
        let shp = dir.path().join("d.shp");
        assert_eq!(sidecar(&shp, "dbf"), Some(dir.path().join("d.DBF")));
        assert_eq!(sidecar(&shp, "cpg"), Some(dir.path().join("d.CPG")));
        assert_eq!(read_prj_text(&shp).unwrap(), Some((dir.path().join("d.PRJ"), "PROJCS[\"x\"]".to_string())));
        std::fs::remove_file(dir.path().join("d.PRJ")).unwrap();
        let layer = read(&shp, &ReadOptions::default()).unwrap();
        assert_eq!(names(&layer), district_names());
    }

    #[test]
    fn prj_text_is_read_separately_from_the_crs() {
        let (path, text) = read_prj_text(&fixtures().join("districts_cp1252.shp")).unwrap().unwrap();
        assert!(path.ends_with("districts_cp1252.prj"));
        assert!(text.starts_with("PROJCS[\"SWEREF99_12_00\""), "{text}");
        assert!(text.contains("PARAMETER[\"Central_Meridian\",12.0]"));
        assert_eq!(read_prj_text(&fixtures().join("districts_nocpg.shp")).unwrap(), None);
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &[]);
        std::fs::write(dir.path().join("p.prj"), " \n").unwrap();
        assert_eq!(read_prj_text(&shp).unwrap(), None, "an empty .prj declares nothing");
    }

    /// Needs the real `crate::crs` (a stub that panics before the merge): the fixtures' .prj is ESRI WKT for
    /// SWEREF99 12 00, which must be recognised as EPSG:3007.
    #[test]
    fn reads_prj_after_merge() {
        for stem in ["districts_cp1252", "districts_utf8"] {
            let layer = read(&fixtures().join(format!("{stem}.shp")), &ReadOptions::default()).unwrap();
            assert_eq!(layer.crs.map(|c| c.epsg()), Some(3007), "{stem}");
            assert_eq!(names(&layer), district_names());
        }
    }

    #[test]
    fn holes_go_into_the_outer_ring_that_contains_them() {
        let layer = read_without_prj("districts_utf8", &ReadOptions::default());
        let geometries: Vec<_> = layer.features.iter().map(|f| f.geometry.clone()).collect();
        // Västra Frölunda: one polygon with one hole.
        let Some(Geometry::Polygon(p)) = &geometries[0] else { panic!("{:?}", geometries[0]) };
        assert_eq!(p.interiors().len(), 1);
        assert_eq!(p.exterior().0[0], Coord { x: 142000.0, y: 6392000.0 });
        assert_eq!(p.interiors()[0].0[0], Coord { x: 144000.0, y: 6394000.0 });
        // Älvsborg: two parts, no holes.
        let Some(Geometry::MultiPolygon(m)) = &geometries[1] else { panic!("{:?}", geometries[1]) };
        assert_eq!(m.0.len(), 2);
        assert!(m.0.iter().all(|p| p.interiors().is_empty()));
        // Önnered: outer A, outer B, then a hole inside A. Ring order would give it to B.
        let Some(Geometry::MultiPolygon(m)) = &geometries[2] else { panic!("{:?}", geometries[2]) };
        assert_eq!(m.0.len(), 2);
        assert_eq!(m.0[0].exterior().0[0], Coord { x: 140000.0, y: 6403000.0 });
        assert_eq!(m.0[0].interiors().len(), 1, "the hole belongs to A");
        assert_eq!(m.0[0].interiors()[0].0[0], Coord { x: 141000.0, y: 6404000.0 });
        assert!(m.0[1].interiors().is_empty(), "not to B");
        // Åby: a plain polygon. Södra Skärgården: a null shape.
        assert!(matches!(&geometries[3], Some(Geometry::Polygon(p)) if p.interiors().is_empty()));
        assert!(geometries[4].is_none());
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64, clockwise: bool) -> Vec<Coord<f64>> {
        let mut ring = vec![(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)];
        if !clockwise {
            ring.reverse();
        }
        ring.into_iter().map(|(x, y)| Coord { x, y }).collect()
    }

    fn shape_of(geometry: Option<Geometry<f64>>) -> Vec<usize> {
        match geometry {
            None => vec![],
            Some(Geometry::Polygon(p)) => vec![p.interiors().len()],
            Some(Geometry::MultiPolygon(m)) => m.0.iter().map(|p| p.interiors().len()).collect(),
            Some(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn assembling_polygons_is_tolerant() {
        // A hole inside no outer ring becomes an outer ring.
        let g = assemble_polygons(vec![square(0.0, 0.0, 10.0, 10.0, true), square(20.0, 0.0, 30.0, 10.0, false)]);
        assert_eq!(shape_of(g), vec![0, 0]);
        // An island in a lake is its own polygon; a hole in the island goes to the island, the smallest container.
        let g = assemble_polygons(vec![
            square(0.0, 0.0, 10.0, 10.0, true),
            square(2.0, 2.0, 8.0, 8.0, false),
            square(3.0, 3.0, 7.0, 7.0, true),
            square(4.0, 4.0, 6.0, 6.0, false),
        ]);
        assert_eq!(shape_of(g), vec![1, 1]);
        // Every ring counter-clockwise (a sloppy writer): the larger ring is the outer, the smaller its hole.
        let g = assemble_polygons(vec![square(2.0, 2.0, 8.0, 8.0, false), square(0.0, 0.0, 10.0, 10.0, false)]);
        assert_eq!(shape_of(g), vec![1]);
        // A hole touching its outer ring at a vertex, and an unclosed ring.
        let mut unclosed = square(0.0, 0.0, 10.0, 10.0, true);
        unclosed.pop();
        let g = assemble_polygons(vec![unclosed, square(0.0, 0.0, 5.0, 5.0, false)]);
        assert_eq!(shape_of(g), vec![1]);
        // Degenerate rings are dropped.
        let line = vec![Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 }, Coord { x: 0.0, y: 0.0 }];
        assert_eq!(shape_of(assemble_polygons(vec![line, vec![]])), Vec::<usize>::new());
    }

    #[test]
    fn reads_field_types() {
        let layer = read_without_prj("districts_cp1252", &ReadOptions::default());
        assert_eq!(layer.fields, ["NAMN", "KOD", "AREA_KM2", "AKTIV", "GRUNDAD"]);
        let row = |i: usize| layer.features[i].values.to_vec();
        assert_eq!(
            row(0),
            [
                Value::Text("Västra Frölunda".into()),
                Value::Number(101.0),
                Value::Number(32.0),
                Value::Bool(true),
                Value::Text("1967-01-01".into())
            ]
        );
        assert_eq!(row(1)[3], Value::Bool(false));
        assert_eq!(row(2)[4], Value::Null);
        assert_eq!(row(4)[1..], [Value::Null, Value::Null, Value::Null, Value::Null]);
    }

    #[test]
    fn reads_points_with_numeric_and_text_fields() {
        let layer = read(&fixtures().join("preschools.shp"), &ReadOptions::default()).unwrap();
        assert_eq!(layer.fields, ["NAMN", "PLATSER", "ANDEL"]);
        assert_eq!(layer.features.len(), 3);
        assert_eq!(layer.features[0].geometry, Some(Geometry::Point(Point::new(148120.5, 6396210.25))));
        let values: Vec<_> = layer.features.iter().map(|f| f.values.to_vec()).collect();
        assert_eq!(values[0], [Value::Text("Förskolan Ängen".into()), Value::Number(72.0), Value::Number(0.85)]);
        assert_eq!(values[1], [Value::Text("Solrosen".into()), Value::Number(40.0), Value::Null]);
        assert_eq!(values[2], [Value::Null, Value::Number(18.0), Value::Number(1.0)]);
    }

    #[test]
    fn keeps_only_the_fields_asked_for_in_file_order() {
        let options = ReadOptions { keep_fields: Some(vec!["ANDEL".into(), "NAMN".into()]), ..Default::default() };
        let layer = read(&fixtures().join("preschools.shp"), &options).unwrap();
        assert_eq!(layer.fields, ["NAMN", "ANDEL"]);
        assert_eq!(layer.features[0].values.as_slice(), [Value::Text("Förskolan Ängen".into()), Value::Number(0.85)]);
        let options = ReadOptions { keep_fields: Some(vec![]), ..Default::default() };
        let layer = read(&fixtures().join("preschools.shp"), &options).unwrap();
        assert!(layer.fields.is_empty() && layer.features.iter().all(|f| f.values.is_empty()));
        assert_eq!(layer.features.len(), 3);
    }

    #[test]
    fn skips_deleted_records() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &[]);
        let dbf = dir.path().join("p.dbf");
        let mut bytes = std::fs::read(&dbf).unwrap();
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        bytes[header_len] = b'*';
        std::fs::write(&dbf, bytes).unwrap();
        let layer = read(&shp, &ReadOptions::default()).unwrap();
        assert_eq!(names(&layer), [Some("Solrosen".to_string()), None]);
    }

    /// Reads `p.shp` in `dir` and returns the error message, which must be a whole-file input error.
    fn input_error(shp: &Path) -> String {
        match read(shp, &ReadOptions::default()) {
            Err(e @ Error::Input { .. }) => e.to_string(),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn missing_dbf_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &["dbf"]);
        let message = input_error(&shp);
        assert!(message.contains("p.dbf"), "{message}");
    }

    #[test]
    fn missing_shp_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let result = read(&dir.path().join("nothing.shp"), &ReadOptions::default());
        assert!(matches!(result, Err(Error::Io { .. })), "{result:?}");
    }

    #[test]
    fn a_text_file_renamed_to_shp_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &[]);
        std::fs::write(&shp, "namn;x;y\nSolrosen;151003;6401550\n".repeat(10)).unwrap();
        let message = input_error(&shp);
        assert!(message.contains("is not a Shapefile"), "{message}");
        std::fs::write(&shp, "tiny").unwrap();
        let message = input_error(&shp);
        assert!(message.contains("is not a Shapefile"), "{message}");
    }

    #[test]
    fn a_truncated_shp_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("districts_utf8", dir.path(), "d", &["prj"]);
        let bytes = std::fs::read(&shp).unwrap();
        for len in [bytes.len() - 1, bytes.len() / 2, 150, 100] {
            std::fs::write(&shp, &bytes[..len]).unwrap();
            let message = input_error(&shp);
            assert!(message.contains("truncated"), "{len}: {message}");
        }
    }

    #[test]
    fn a_dbf_that_is_not_a_dbf_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &[]);
        let dbf = dir.path().join("p.dbf");
        std::fs::write(&dbf, "NAMN,PLATSER\nSolrosen,40\n".repeat(5)).unwrap();
        let message = input_error(&shp);
        assert!(message.contains("p.dbf") && message.contains("is not a dBASE"), "{message}");
        std::fs::write(&dbf, [0x03, 1, 2]).unwrap();
        assert!(input_error(&shp).contains("is not a dBASE"));
    }

    #[test]
    fn a_truncated_dbf_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &[]);
        let dbf = dir.path().join("p.dbf");
        let bytes = std::fs::read(&dbf).unwrap();
        std::fs::write(&dbf, &bytes[..bytes.len() - 30]).unwrap();
        let message = input_error(&shp);
        assert!(message.contains("p.dbf") && message.contains("truncated"), "{message}");
    }

    #[test]
    fn record_count_mismatch_names_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("districts_utf8", dir.path(), "d", &["prj", "dbf"]);
        std::fs::copy(fixtures().join("preschools.dbf"), dir.path().join("d.dbf")).unwrap();
        let message = input_error(&shp);
        assert!(message.contains("d.shp") && message.contains("d.dbf"), "{message}");
        assert!(message.contains("5 shapes") && message.contains("3 records"), "{message}");
    }

    #[test]
    fn bad_numbers_name_the_record_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("preschools", dir.path(), "p", &[]);
        let dbf = dir.path().join("p.dbf");
        let mut bytes = std::fs::read(&dbf).unwrap();
        let at = bytes.windows(5).position(|w| w == b"   40").unwrap();
        bytes[at..at + 5].copy_from_slice(b"  4x0");
        std::fs::write(&dbf, bytes).unwrap();
        let message = read(&shp, &ReadOptions::default()).unwrap_err().to_string();
        assert!(message.contains("record 1") && message.contains("PLATSER") && message.contains("4x0"), "{message}");
        // Unread fields are not checked.
        let options = ReadOptions { keep_fields: Some(vec!["NAMN".into()]), ..Default::default() };
        assert!(read(&shp, &options).is_ok());
    }

    #[test]
    fn damaged_files_give_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let shp = copy_fixture("districts_cp1252", dir.path(), "d", &["prj"]);
        let dbf = dir.path().join("d.dbf");
        for path in [&shp, &dbf] {
            let original = std::fs::read(path).unwrap();
            for at in (0..original.len()).step_by(3) {
                for byte in [0xFF, 0x00, 0x7F] {
                    let mut bytes = original.clone();
                    bytes[at] = byte;
                    std::fs::write(path, &bytes).unwrap();
                    let _ = read(&shp, &ReadOptions::default());
                }
            }
            std::fs::write(path, &original).unwrap();
        }
    }

    #[test]
    fn utf8_detection_tolerates_only_characters_cut_at_the_field_width() {
        assert!(is_utf8_field("Åby  ".as_bytes()));
        assert!(is_utf8_field(b"G\xC3"), "'Gå' cut after the first byte of 'å' by a 2-byte field");
        assert!(!is_utf8_field(b"Vr\xE5ng\xE5  "), "Windows-1252 'Vrångå' in a wider field");
        assert!(!is_utf8_field(b"Styrs\xF6"));
        assert_eq!(decode_text(b"G\xC3", encoding_rs::UTF_8), "G");
        assert_eq!(decode_text(b"G\xE5", encoding_rs::WINDOWS_1252), "Gå");
    }

    #[test]
    fn decodes_other_field_types() {
        let field = |kind: u8, length: usize| DbfField { raw_name: b"F".to_vec(), kind, offset: 1, length };
        let w = encoding_rs::WINDOWS_1252;
        assert_eq!(decode_value(&field(b'N', 6), b" 1,5  ", w, 3), Ok(Value::Number(1.5)));
        assert_eq!(decode_value(&field(b'N', 4), b"****", w, 3), Ok(Value::Null));
        assert_eq!(decode_value(&field(b'F', 4), b"-2e3", w, 3), Ok(Value::Number(-2000.0)));
        assert_eq!(decode_value(&field(b'I', 4), &(-7i32).to_le_bytes(), w, 0x30), Ok(Value::Number(-7.0)));
        assert_eq!(decode_value(&field(b'O', 8), &2.5f64.to_le_bytes(), w, 0x30), Ok(Value::Number(2.5)));
        assert_eq!(decode_value(&field(b'Y', 8), &123_4500i64.to_le_bytes(), w, 0x30), Ok(Value::Number(123.45)));
        assert_eq!(decode_value(&field(b'M', 10), b"        12", w, 0x83), Ok(Value::Null));
        assert_eq!(decode_value(&field(b'L', 1), b"?", w, 3), Ok(Value::Null));
        assert_eq!(decode_value(&field(b'D', 8), b"        ", w, 3), Ok(Value::Null));
        assert_eq!(decode_value(&field(b'C', 6), b"  ab\0\0", w, 3), Ok(Value::Text("  ab".into())));
        let mut date_time = 2_451_545i32.to_le_bytes().to_vec(); // 2000-01-01
        date_time.extend_from_slice(&(13 * 3_600_000 + 5 * 60_000 + 9_000i32).to_le_bytes());
        assert_eq!(decode_value(&field(b'T', 8), &date_time, w, 0x30), Ok(Value::Text("2000-01-01T13:05:09".into())));
    }
}
