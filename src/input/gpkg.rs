//! GeoPackage reader: one feature table (layer) of an OGC GeoPackage, the SQLite file QGIS and GDAL write.
//!
//! The file is opened read-only. Its layers are the tables `gpkg_contents` lists with data type `features`; which
//! one to read is [`ReadOptions::layer`], or the only one there is. The geometry column comes from
//! `gpkg_geometry_columns`, the CRS from the layer's row in `gpkg_spatial_ref_sys`. Every other column except the
//! integer primary key (the fid, which names features in messages as QGIS shows it) is an attribute field.
//!
//! A geometry is a GeoPackage binary blob: an 8-byte header (`GP`, version, flags, srs_id), an optional envelope,
//! then standard or ISO WKB. The header is read here; the WKB is decoded by the `wkb` crate and converted to
//! `geo` types by `geo-traits`. Z and M are dropped.

use std::path::Path;

use geo::HasDimensions;
use geo_traits::to_geo::ToGeoGeometry;
use geo_traits::{
    GeometryCollectionTrait, GeometryTrait, GeometryType, MultiLineStringTrait, MultiPointTrait, MultiPolygonTrait,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use super::{feature_location, keeps, Feature, Format, Layer, ReadOptions, Value};
use crate::crs::Crs;
use crate::error::{Error, Result};

/// One layer as `gpkg_contents` lists it.
struct Table {
    name: String,
    /// The srs_id `gpkg_contents` gives, used when `gpkg_geometry_columns` gives none.
    srs_id: Option<i64>,
}

/// One column of a feature table.
struct Column {
    name: String,
    /// The declared type (`INTEGER`, `TEXT`, `BOOLEAN`, `POINT`, …).
    ty: String,
    /// Its position in the primary key (0 when not part of it).
    pk: i64,
}

pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let conn = open(path)?;
    let tables = feature_tables(path, &conn)?;
    let table = choose(path, &tables, options.layer.as_deref())?;
    let name = table.name.as_str();
    let in_layer = |message: String| Error::input(path, format!("layer '{name}' {message}"));
    let sql_error = |e: rusqlite::Error| in_layer(format!("cannot be read: SQLite: {e}"));

    let (geometry_column, srs_id) = conn
        .query_row(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?1)",
            [name],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)),
        )
        .optional()
        .map_err(sql_error)?
        .ok_or_else(|| in_layer("has no geometry column: gpkg_geometry_columns does not list it".into()))?;
    let crs = layer_crs(path, &conn, name, srs_id.or(table.srs_id))?;

    let columns = columns(&conn, name).map_err(sql_error)?;
    if columns.is_empty() {
        return Err(in_layer("is listed in gpkg_contents but its table is not in the file".into()));
    }
    if !columns.iter().any(|c| c.name.eq_ignore_ascii_case(&geometry_column)) {
        return Err(in_layer(format!("has no column '{geometry_column}', which gpkg_geometry_columns names")));
    }
    // The fid: the table's INTEGER PRIMARY KEY. A view (which a GeoPackage may also list) has none; its features
    // are then named by position.
    let pks: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
    let fid_column = match pks[..] {
        [pk] if pk.ty.eq_ignore_ascii_case("INTEGER") => Some(pk.name.as_str()),
        _ => None,
    };
    let attributes: Vec<&Column> = columns
        .iter()
        .filter(|c| Some(c.name.as_str()) != fid_column && !c.name.eq_ignore_ascii_case(&geometry_column))
        .collect();
    let file_fields: Vec<String> = attributes.iter().map(|c| c.name.clone()).collect();
    let kept: Vec<&Column> = attributes.into_iter().filter(|c| keeps(options, &c.name)).collect();
    let fields: Vec<String> = kept.iter().map(|c| c.name.clone()).collect();
    // BOOLEAN columns (integers 0 and 1 in the file) are read as booleans, as GDAL reads them.
    let booleans: Vec<bool> = kept.iter().map(|c| c.ty.eq_ignore_ascii_case("BOOLEAN")).collect();

    let mut select: Vec<String> = fid_column.into_iter().map(ident).collect();
    select.push(ident(&geometry_column));
    select.extend(fields.iter().map(|f| ident(f)));
    let order = fid_column.map(|fid| format!(" ORDER BY {}", ident(fid))).unwrap_or_default();
    let sql = format!("SELECT {} FROM {}{order}", select.join(", "), ident(name));
    let mut stmt = conn.prepare(&sql).map_err(sql_error)?;
    let mut rows = stmt.query([]).map_err(sql_error)?;
    let first_value = usize::from(fid_column.is_some()) + 1;

    let mut features = Vec::new();
    let mut fids = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let fid = match fid_column {
            Some(_) => Some(row.get::<_, i64>(0).map_err(sql_error)?),
            None => None,
        };
        let location = || feature_location(Format::GeoPackage, Some(name), fid, features.len());
        let geometry = match row.get_ref(first_value - 1).map_err(sql_error)? {
            ValueRef::Null => None,
            ValueRef::Blob(blob) => decode(blob)
                .map_err(|why| Error::feature(path, location(), format!("geometry blob does not decode: {why}")))?,
            other => {
                return Err(Error::feature(
                    path,
                    location(),
                    format!(
                        "column '{geometry_column}' holds {} instead of a GeoPackage geometry blob",
                        type_name(other)
                    ),
                ))
            }
        };
        let mut values = super::Values::with_capacity(fields.len());
        for (j, &boolean) in booleans.iter().enumerate() {
            values.push(value(row.get_ref(first_value + j).map_err(sql_error)?, boolean));
        }
        fids.extend(fid);
        features.push(Feature { geometry, values });
    }
    Ok(Layer {
        path: path.to_path_buf(),
        format: Format::GeoPackage,
        crs,
        fields,
        file_fields,
        features,
        layer_name: Some(name.to_string()),
        fids: fid_column.is_some().then_some(fids),
        notes: Vec::new(),
    })
}

/// Opens `path` read-only and checks that it is a GeoPackage.
fn open(path: &Path) -> Result<Connection> {
    let not_readable = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            Error::input(path, "is not a GeoPackage: it is not an SQLite database, which a .gpkg file is")
        }
        _ => Error::input(path, format!("cannot be read as a GeoPackage: SQLite: {e}")),
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(not_readable)?;
    // The first read of the schema is what tells an SQLite file from anything else.
    let has_contents: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents')",
            [],
            |r| r.get(0),
        )
        .map_err(not_readable)?;
    if !has_contents {
        return Err(Error::input(path, "is an SQLite database but not a GeoPackage: it has no gpkg_contents table"));
    }
    Ok(conn)
}

/// The feature tables (layers), in the order `gpkg_contents` lists them.
fn feature_tables(path: &Path, conn: &Connection) -> Result<Vec<Table>> {
    let read = || -> rusqlite::Result<Vec<Table>> {
        let mut stmt =
            conn.prepare("SELECT table_name, srs_id FROM gpkg_contents WHERE lower(data_type) = 'features'")?;
        let tables = stmt.query_map([], |r| Ok(Table { name: r.get(0)?, srs_id: r.get(1)? }))?;
        tables.collect()
    };
    read().map_err(|e| Error::input(path, format!("is not a valid GeoPackage: cannot read gpkg_contents: {e}")))
}

/// The table `wanted` names, or the only one; else an error listing the layers.
fn choose<'a>(path: &Path, tables: &'a [Table], wanted: Option<&str>) -> Result<&'a Table> {
    let list = || tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
    let Some(wanted) = wanted else {
        return match tables {
            [] => {
                Err(Error::input(path, "has no feature layers: gpkg_contents lists no table of data type 'features'"))
            }
            [table] => Ok(table),
            _ => Err(Error::input(
                path,
                format!(
                    "has {} layers ({}); name one with the layer option, e.g. --arenas-layer NAME",
                    tables.len(),
                    list()
                ),
            )),
        };
    };
    // SQLite table names ignore ASCII case; an exact match wins over one that differs only in case.
    let mut by_case = tables.iter().filter(|t| t.name.eq_ignore_ascii_case(wanted));
    let unique_by_case = match (by_case.next(), by_case.next()) {
        (Some(table), None) => Some(table),
        _ => None,
    };
    tables.iter().find(|t| t.name == wanted).or(unique_by_case).ok_or_else(|| {
        let has =
            if tables.is_empty() { "it has no feature layers".into() } else { format!("its layers are: {}", list()) };
        Error::input(path, format!("has no layer '{wanted}'; {has}"))
    })
}

/// The CRS of layer `table` from its srs_id: `None` for the undefined ones (0 and -1).
fn layer_crs(path: &Path, conn: &Connection, table: &str, srs_id: Option<i64>) -> Result<Option<Crs>> {
    let crs_error =
        |message: String| Error::Crs { path: path.to_path_buf(), message: format!("layer '{table}': {message}") };
    let srs_id = match srs_id {
        None | Some(0 | -1) => return Ok(None),
        Some(id) => id,
    };
    type Srs = (Option<String>, Option<i64>, Option<String>);
    let srs: Option<Srs> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|e| crs_error(format!("cannot read gpkg_spatial_ref_sys: {e}")))?;
    let Some((organization, code, definition)) = srs else {
        return Err(crs_error(format!("its srs_id {srs_id} is not defined in gpkg_spatial_ref_sys")));
    };
    if let (Some(organization), Some(code)) = (&organization, code) {
        if organization.eq_ignore_ascii_case("EPSG") {
            let code = u32::try_from(code).map_err(|_| crs_error(format!("EPSG code {code} is not a valid code")))?;
            return Crs::from_epsg(code).map(Some).map_err(|e| crs_error(e.0));
        }
    }
    match definition.as_deref().map(str::trim) {
        Some(d) if d.eq_ignore_ascii_case("undefined") => Ok(None),
        Some(d) if !d.is_empty() => Crs::from_wkt(d).map(Some).map_err(|e| crs_error(e.0)),
        _ => Err(crs_error(format!(
            "its CRS (srs_id {srs_id}, organization {}) has no EPSG code and no definition",
            organization.as_deref().unwrap_or("none")
        ))),
    }
}

/// The columns of `table`, in table order.
fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Column>> {
    let mut stmt = conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1)")?;
    let columns = stmt.query_map([table], |r| Ok(Column { name: r.get(0)?, ty: r.get(1)?, pk: r.get(2)? }))?;
    columns.collect()
}

/// Double-quotes an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An attribute value: integers and reals as numbers (integers of a BOOLEAN column as booleans), text as text;
/// a blob is no value arenagap can use.
fn value(v: ValueRef<'_>, boolean: bool) -> Value {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
        ValueRef::Integer(i @ (0 | 1)) if boolean => Value::Bool(i == 1),
        ValueRef::Integer(i) => Value::Number(i as f64),
        ValueRef::Real(r) => Value::Number(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).as_ref().into()),
    }
}

fn type_name(v: ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "NULL",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real number",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

/// GeoPackage binary header flags: bits 1–3 the envelope indicator, bit 4 empty geometry, bit 5 extended type.
/// (Bit 0, the byte order of srs_id and envelope, does not matter: neither is needed.)
const FLAG_EMPTY: u8 = 0x10;
const FLAG_EXTENDED: u8 = 0x20;

/// A GeoPackage binary geometry: `None` when empty, else the geometry in 2-D; or why it cannot be read.
fn decode(blob: &[u8]) -> std::result::Result<Option<geo::Geometry<f64>>, String> {
    let Some(&[magic0, magic1, _version, flags, _, _, _, _]) = blob.get(..8) else {
        return Err(format!("it is {} bytes long, shorter than the 8-byte GeoPackage header", blob.len()));
    };
    if [magic0, magic1] != *b"GP" {
        return Err("it does not start with \"GP\", as a GeoPackage geometry does".into());
    }
    if flags & FLAG_EXTENDED != 0 {
        return Err("it is an extended GeoPackage geometry (a non-standard type), which arenagap cannot read".into());
    }
    let envelope = match (flags >> 1) & 0x07 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => return Err(format!("its header has envelope indicator {n}; only 0 to 4 are defined")),
    };
    let Some(wkb) = blob.get(8 + envelope..) else {
        return Err(format!(
            "it is {} bytes long, shorter than its header and the {envelope}-byte envelope the header announces",
            blob.len()
        ));
    };
    if flags & FLAG_EMPTY != 0 {
        return Ok(None);
    }
    // wkb 0.9 reads any type code by its last three bits (a MultiSurface, 12, as a MultiPoint) and does not look at
    // the headers of multi-geometry members; both are checked here, so that nothing is silently misread.
    wkb_header(wkb)?;
    let geometry = wkb::reader::read_wkb(wkb).map_err(|e| format!("invalid WKB: {e}"))?;
    check_members(&geometry)?;
    // An empty point (NaN coordinates), or a collection holding one, has no geo type: no geometry, as is any other
    // empty geometry.
    Ok(geometry.try_to_geometry().filter(|g| !g.is_empty()))
}

/// The EWKB flags in a WKB geometry type code: Z, M and an SRID after the code.
const EWKB_Z_FLAG: u32 = 0x8000_0000;
const EWKB_M_FLAG: u32 = 0x4000_0000;
const EWKB_SRID_FLAG: u32 = 0x2000_0000;

/// One WKB geometry header, read strictly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WkbHeader {
    little_endian: bool,
    /// 1 Point, 2 LineString, 3 Polygon, 4 MultiPoint, 5 MultiLineString, 6 MultiPolygon, 7 GeometryCollection.
    kind: u32,
    /// 0 xy, 1 xyz, 2 xym, 3 xyzm.
    dimension: u32,
    /// An EWKB SRID follows the code.
    srid: bool,
}

/// The header at the start of `buf`: ISO type codes (1001 Z, 2001 M, 3001 ZM) or EWKB flags, of the seven simple
/// feature types; anything else (curves, surfaces, garbage) is refused.
fn wkb_header(buf: &[u8]) -> std::result::Result<WkbHeader, String> {
    let Some(&[order, b0, b1, b2, b3]) = buf.get(..5) else {
        return Err(format!("invalid WKB: {} bytes, shorter than a geometry header", buf.len()));
    };
    let little_endian = match order {
        0 => false,
        1 => true,
        other => return Err(format!("invalid WKB: byte order {other}, expected 0 or 1")),
    };
    let code = if little_endian { u32::from_le_bytes([b0, b1, b2, b3]) } else { u32::from_be_bytes([b0, b1, b2, b3]) };
    let base = code & !(EWKB_Z_FLAG | EWKB_M_FLAG | EWKB_SRID_FLAG);
    let (kind, iso_dimension) = (base % 1000, base / 1000);
    let dimension = match (iso_dimension, code & EWKB_Z_FLAG != 0, code & EWKB_M_FLAG != 0) {
        (d @ 0..=3, false, false) => d,
        (0, true, false) => 1,
        (0, false, true) => 2,
        (0, true, true) => 3,
        _ => return Err(format!("invalid WKB: geometry type code {code} is not a valid one")),
    };
    if !(1..=7).contains(&kind) {
        let name = match kind {
            8 => "CircularString",
            9 => "CompoundCurve",
            10 => "CurvePolygon",
            11 => "MultiCurve",
            12 => "MultiSurface",
            13 => "Curve",
            14 => "Surface",
            15 => "PolyhedralSurface",
            16 => "TIN",
            17 => "Triangle",
            _ => return Err(format!("invalid WKB: geometry type code {code} is not a valid one")),
        };
        return Err(format!(
            "it is a {name}, which arenagap does not read: it reads points, lines and polygons (ogr2ogr -nlt \
             CONVERT_TO_LINEAR converts curves to them)"
        ));
    }
    Ok(WkbHeader { little_endian, kind, dimension, srid: code & EWKB_SRID_FLAG != 0 })
}

/// Checks the member headers of (nested) multi-geometries, which wkb 0.9 reads in the parent's byte order and
/// dimension as the parent's member type without looking at them (and panics on a MultiPoint member with an SRID,
/// which is 4 bytes longer than it allowed for): each must say just that.
fn check_members(geometry: &wkb::reader::Wkb<'_>) -> std::result::Result<(), String> {
    let parent = wkb_header(geometry.buf())?;
    let member = |buf: Option<&[u8]>, kind: u32, [what, of]: [&str; 2], i: usize| {
        let header = wkb_header(buf.unwrap_or_default())?;
        let n = i + 1;
        if header.srid {
            Err(format!("invalid WKB: {what} {n} of a {of} has an SRID of its own"))
        } else if header != (WkbHeader { kind, srid: false, ..parent }) {
            Err(format!("invalid WKB: {what} {n} of a {of} differs from it in type, byte order or dimension"))
        } else {
            Ok(())
        }
    };
    match geometry.as_type() {
        GeometryType::MultiPoint(multipoint) => {
            for i in 0..multipoint.num_points() {
                let at = usize::try_from(multipoint.point_offset(i as u64)).ok();
                member(at.and_then(|at| multipoint.buf().get(at..)), 1, ["point", "multipoint"], i)?;
            }
        }
        GeometryType::MultiLineString(lines) => {
            for (i, line) in lines.line_strings().enumerate() {
                member(Some(line.buf()), 2, ["line string", "multilinestring"], i)?;
            }
        }
        GeometryType::MultiPolygon(polygons) => {
            for (i, polygon) in polygons.polygons().enumerate() {
                member(Some(polygon.buf()), 3, ["polygon", "multipolygon"], i)?;
            }
        }
        GeometryType::GeometryCollection(collection) => {
            for geometry in collection.geometries() {
                check_members(geometry)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use geo::{coord, polygon, Geometry, LineString, MultiPolygon, Point, Polygon};
    use rusqlite::params;

    use super::*;
    use crate::input::read_layer;

    /// A minimal GeoPackage: the three required metadata tables and the srs rows every GeoPackage has.
    fn new_gpkg(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
             CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
               organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
               description TEXT);
             CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
               identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE,
               min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
             CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
               geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
               CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
             INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', '');
             INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', '');",
        )
        .unwrap();
        conn
    }

    /// An EPSG row in `gpkg_spatial_ref_sys`, with the CRS's WKT as definition.
    fn add_epsg(conn: &Connection, code: u32) {
        let wkt = Crs::from_epsg(code).map(|c| c.wkt()).unwrap_or("undefined");
        conn.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, '')",
            params![format!("EPSG:{code}"), code, wkt],
        )
        .unwrap();
    }

    /// A feature table `name` with an integer fid, a `geom` column and `columns` (SQL), registered in srs `srs_id`.
    fn add_layer(conn: &Connection, name: &str, srs_id: i64, columns: &str) {
        let columns = if columns.is_empty() { String::new() } else { format!(", {columns}") };
        conn.execute_batch(&format!(
            "CREATE TABLE \"{name}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom GEOMETRY{columns})"
        ))
        .unwrap();
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES (?1, 'features', ?2)",
            params![name, srs_id],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'GEOMETRY', ?2, 0, 0)",
            params![name, srs_id],
        )
        .unwrap();
    }

    /// Inserts a feature with fid `fid` and geometry blob `geom` into `table`.
    fn insert(conn: &Connection, table: &str, fid: i64, geom: Option<Vec<u8>>) {
        conn.execute(&format!("INSERT INTO \"{table}\" (fid, geom) VALUES (?1, ?2)"), params![fid, geom]).unwrap();
    }

    /// ISO WKB of a geometry (written by the wkb crate), little- or big-endian.
    fn wkb_of(geometry: &Geometry<f64>, little_endian: bool) -> Vec<u8> {
        let endianness = if little_endian { wkb::Endianness::LittleEndian } else { wkb::Endianness::BigEndian };
        let mut out = Vec::new();
        wkb::writer::write_geometry(&mut out, geometry, &wkb::writer::WriteOptions { endianness }).unwrap();
        out
    }

    /// A GeoPackage binary: header with srs_id 3006 and envelope indicator `envelope` (zeros), then `wkb`.
    fn gp(wkb: &[u8], envelope: u8) -> Vec<u8> {
        let mut out = b"GP\0".to_vec();
        out.push(0x01 | (envelope << 1));
        out.extend_from_slice(&3006i32.to_le_bytes());
        out.resize(8 + [0, 32, 48, 48, 64][usize::from(envelope)], 0);
        out.extend_from_slice(wkb);
        out
    }

    fn blob(geometry: &Geometry<f64>) -> Vec<u8> {
        gp(&wkb_of(geometry, true), 1)
    }

    /// An empty geometry as GDAL writes it: the empty flag, no envelope, a point with NaN coordinates.
    fn empty_blob() -> Vec<u8> {
        let mut out = gp(&wkb_of(&Geometry::Point(Point::new(f64::NAN, f64::NAN)), true), 0);
        out[3] |= FLAG_EMPTY;
        out
    }

    fn options(layer: Option<&str>) -> ReadOptions {
        ReadOptions { layer: layer.map(String::from), ..Default::default() }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn square(x: f64, y: f64, size: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size), (x: x, y: y)]
    }

    /// A GeoPackage with one point layer `arenas` in EPSG:3006: attribute columns of every type, fids out of
    /// order and with gaps, a NULL geometry and an empty one.
    fn arenas_gpkg(dir: &Path) -> PathBuf {
        let path = dir.join("arenas.gpkg");
        let conn = new_gpkg(&path);
        add_epsg(&conn, 3006);
        add_layer(
            &conn,
            "arenas",
            3006,
            "name TEXT, kind TEXT, capacity INTEGER, share REAL, open BOOLEAN, photo BLOB",
        );
        let mut stmt = conn
            .prepare("INSERT INTO arenas (fid, geom, name, kind, capacity, share, open, photo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .unwrap();
        let point = |x, y| Some(blob(&Geometry::Point(Point::new(x, y))));
        stmt.execute(params![
            17,
            point(320_000.5, 6_400_000.25),
            "Lekplats Ö",
            "lekplats",
            40,
            0.5,
            true,
            b"\x89PNG".to_vec()
        ])
        .unwrap();
        stmt.execute(params![
            3,
            point(321_000.0, 6_401_000.0),
            "Familjecentralen",
            "familjecentral",
            None::<i64>,
            1.25,
            false,
            None::<Vec<u8>>
        ])
        .unwrap();
        stmt.execute(params![
            8,
            None::<Vec<u8>>,
            "Utan plats",
            "bibliotek",
            2,
            None::<f64>,
            None::<bool>,
            None::<Vec<u8>>
        ])
        .unwrap();
        stmt.execute(params![9, Some(empty_blob()), "Tom", "öppen förskola", 3, 2.0, 2, None::<Vec<u8>>]).unwrap();
        path
    }

    #[test]
    fn reads_a_point_layer_in_fid_order_with_its_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = arenas_gpkg(dir.path());
        let before = std::fs::read(&path).unwrap();
        let layer = read_layer(&path, &ReadOptions::default()).unwrap();
        assert_eq!(layer.format, Format::GeoPackage);
        assert_eq!(layer.crs, Some(Crs::SWEREF99_TM));
        assert_eq!(layer.layer_name.as_deref(), Some("arenas"));
        assert_eq!(layer.fids, Some(vec![3, 8, 9, 17]));
        assert_eq!(layer.fields, ["name", "kind", "capacity", "share", "open", "photo"]);
        assert_eq!(layer.file_fields, layer.fields);
        let geometries: Vec<_> = layer.features.iter().map(|f| f.geometry.clone()).collect();
        assert_eq!(
            geometries,
            [
                Some(Geometry::Point(Point::new(321_000.0, 6_401_000.0))),
                None,
                None,
                Some(Geometry::Point(Point::new(320_000.5, 6_400_000.25))),
            ]
        );
        let values: Vec<Vec<Value>> = layer.features.iter().map(|f| f.values.to_vec()).collect();
        assert_eq!(
            values,
            [
                vec![
                    text("Familjecentralen"),
                    text("familjecentral"),
                    Value::Null,
                    Value::Number(1.25),
                    Value::Bool(false),
                    Value::Null
                ],
                vec![text("Utan plats"), text("bibliotek"), Value::Number(2.0), Value::Null, Value::Null, Value::Null],
                // A BOOLEAN column holding something other than 0 or 1 keeps the number.
                vec![
                    text("Tom"),
                    text("öppen förskola"),
                    Value::Number(3.0),
                    Value::Number(2.0),
                    Value::Number(2.0),
                    Value::Null
                ],
                vec![
                    text("Lekplats Ö"),
                    text("lekplats"),
                    Value::Number(40.0),
                    Value::Number(0.5),
                    Value::Bool(true),
                    Value::Null
                ],
            ]
        );
        // Features are named by fid, after their layer.
        assert_eq!(layer.location(3), "layer 'arenas', fid 17");
        let e = layer.feature_error(1, "has no geometry").to_string();
        assert!(e.ends_with("arenas.gpkg, layer 'arenas', fid 8: has no geometry"), "{e}");
        let e = layer.field_index("typ").unwrap_err().to_string();
        assert!(e.ends_with("arenas.gpkg: layer 'arenas' has no field 'typ'; its fields are: name, kind, capacity, share, open, photo"), "{e}");
        // Reading leaves the file as it was (and makes no journal next to it).
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["arenas.gpkg"]);
    }

    #[test]
    fn keeps_only_the_fields_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = arenas_gpkg(dir.path());
        let options = ReadOptions { keep_fields: Some(vec!["kind".into(), "name".into()]), ..Default::default() };
        let layer = read_layer(&path, &options).unwrap();
        assert_eq!(layer.fields, ["name", "kind"]);
        assert_eq!(layer.file_fields, ["name", "kind", "capacity", "share", "open", "photo"]);
        assert_eq!(layer.features[0].values.to_vec(), [text("Familjecentralen"), text("familjecentral")]);
        let options = ReadOptions { keep_fields: Some(vec![]), ..Default::default() };
        let layer = read_layer(&path, &options).unwrap();
        assert!(layer.fields.is_empty() && layer.features.iter().all(|f| f.values.is_empty()));
        assert_eq!(layer.features.len(), 4);
    }

    #[test]
    fn reads_polygons_with_holes_and_multipolygons() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("districts.gpkg");
        let conn = new_gpkg(&path);
        add_epsg(&conn, 3007);
        add_layer(&conn, "districts", 3007, "district_id TEXT");
        let holed = Polygon::new(
            square(150_000.0, 6_400_000.0, 1000.0).exterior().clone(),
            vec![
                square(150_100.0, 6_400_100.0, 100.0).exterior().clone(),
                square(150_500.0, 6_400_500.0, 200.0).exterior().clone(),
            ],
        );
        let multi = MultiPolygon(vec![square(152_000.0, 6_400_000.0, 500.0), holed.clone()]);
        let geometries =
            [Geometry::Polygon(holed), Geometry::MultiPolygon(multi.clone()), Geometry::MultiPolygon(multi)];
        // Little-endian WKB and an xy envelope; big-endian WKB and an xyzm envelope; no envelope.
        let blobs = [
            gp(&wkb_of(&geometries[0], true), 1),
            gp(&wkb_of(&geometries[1], false), 4),
            gp(&wkb_of(&geometries[2], true), 0),
        ];
        for (i, blob) in blobs.into_iter().enumerate() {
            conn.execute("INSERT INTO districts (geom, district_id) VALUES (?1, ?2)", params![blob, format!("D{i}")])
                .unwrap();
        }
        let layer = read_layer(&path, &ReadOptions::default()).unwrap();
        assert_eq!(layer.crs, Some(Crs::from_epsg(3007).unwrap()));
        assert_eq!(layer.fids, Some(vec![1, 2, 3]));
        let got: Vec<_> = layer.features.iter().map(|f| f.geometry.clone().unwrap()).collect();
        assert_eq!(got, geometries);
        assert_eq!(layer.features[2].values.to_vec(), [text("D2")]);
    }

    /// ISO WKB point of type `code` (1001 Z, 2001 M, 3001 ZM) with `coords`, little-endian.
    fn iso_point(code: u32, coords: &[f64]) -> Vec<u8> {
        let mut out = vec![1];
        out.extend_from_slice(&code.to_le_bytes());
        for c in coords {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out
    }

    #[test]
    fn drops_z_and_m() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("children.gpkg");
        let conn = new_gpkg(&path);
        add_epsg(&conn, 4326);
        add_layer(&conn, "children", 4326, "");
        insert(&conn, "children", 1, Some(gp(&iso_point(1001, &[11.9, 57.7, 12.5]), 2)));
        insert(&conn, "children", 2, Some(gp(&iso_point(2001, &[11.8, 57.6, 3.0]), 3)));
        insert(&conn, "children", 3, Some(gp(&iso_point(3001, &[11.7, 57.5, 12.5, 3.0]), 4)));
        // EWKB's Z flag, as some older writers use.
        insert(&conn, "children", 4, Some(gp(&iso_point(0x8000_0001, &[11.6, 57.4, 1.0]), 0)));
        // A polygon Z.
        let mut polygon_z = vec![1];
        polygon_z.extend_from_slice(&1003u32.to_le_bytes());
        polygon_z.extend_from_slice(&1u32.to_le_bytes());
        polygon_z.extend_from_slice(&4u32.to_le_bytes());
        for [x, y] in [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]] {
            for c in [x, y, 99.0] {
                polygon_z.extend_from_slice(&f64::to_le_bytes(c));
            }
        }
        insert(&conn, "children", 5, Some(gp(&polygon_z, 2)));
        let layer = read_layer(&path, &ReadOptions::default()).unwrap();
        assert_eq!(layer.crs, Some(Crs::WGS84));
        let got: Vec<_> = layer.features.iter().map(|f| f.geometry.clone().unwrap()).collect();
        assert_eq!(
            got,
            [
                Geometry::Point(Point::new(11.9, 57.7)),
                Geometry::Point(Point::new(11.8, 57.6)),
                Geometry::Point(Point::new(11.7, 57.5)),
                Geometry::Point(Point::new(11.6, 57.4)),
                Geometry::Polygon(Polygon::new(
                    LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]),
                    vec![]
                )),
            ]
        );
    }

    #[test]
    fn empty_geometries_are_none() {
        assert_eq!(decode(&empty_blob()), Ok(None));
        // The empty flag alone decides, whatever follows (GDAL writes an empty point; others write nothing).
        let mut flagged = gp(&[], 0);
        flagged[3] |= FLAG_EMPTY;
        assert_eq!(decode(&flagged), Ok(None));
        // Empty WKB without the flag: a NaN point, a polygon without rings, a multipolygon without polygons.
        assert_eq!(decode(&gp(&iso_point(1, &[f64::NAN, f64::NAN]), 0)), Ok(None));
        assert_eq!(decode(&blob(&Geometry::Polygon(Polygon::new(LineString::new(vec![]), vec![])))), Ok(None));
        assert_eq!(decode(&blob(&Geometry::MultiPolygon(MultiPolygon(vec![])))), Ok(None));
    }

    /// A GeoPackage with the layers `districts` and `arenas`.
    fn two_layers(dir: &Path) -> PathBuf {
        let path = dir.join("city.gpkg");
        let conn = new_gpkg(&path);
        add_epsg(&conn, 3006);
        add_layer(&conn, "districts", 3006, "district_id TEXT");
        add_layer(&conn, "arenas", 3006, "name TEXT");
        insert(&conn, "districts", 1, Some(blob(&Geometry::Polygon(square(320_000.0, 6_400_000.0, 10.0)))));
        insert(&conn, "arenas", 5, Some(blob(&Geometry::Point(Point::new(320_005.0, 6_400_005.0)))));
        // Tables that are not feature layers: attributes and tiles.
        conn.execute_batch(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT);
             INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('notes', 'attributes', 0);
             INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('ortofoto', 'tiles', 3006);",
        )
        .unwrap();
        path
    }

    #[test]
    fn several_layers_need_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_layers(dir.path());
        let e = read_layer(&path, &ReadOptions::default()).unwrap_err();
        assert!(matches!(e, Error::Input { .. }), "{e:?}");
        let e = e.to_string();
        assert!(e.starts_with(&path.display().to_string()), "{e}");
        assert!(
            e.ends_with("has 2 layers (districts, arenas); name one with the layer option, e.g. --arenas-layer NAME"),
            "{e}"
        );

        let arenas = read_layer(&path, &options(Some("arenas"))).unwrap();
        assert_eq!((arenas.layer_name.as_deref(), arenas.fids.clone()), (Some("arenas"), Some(vec![5])));
        assert_eq!(arenas.fields, ["name"]);
        assert!(matches!(arenas.features[0].geometry, Some(Geometry::Point(_))));
        // Table names ignore case, as in SQLite; the layer keeps the name the file gives it.
        let districts = read_layer(&path, &options(Some("DISTRICTS"))).unwrap();
        assert_eq!(districts.layer_name.as_deref(), Some("districts"));
        assert!(matches!(districts.features[0].geometry, Some(Geometry::Polygon(_))));

        for missing in ["gaps", "notes", "ortofoto"] {
            let e = read_layer(&path, &options(Some(missing))).unwrap_err();
            assert!(matches!(e, Error::Input { .. }), "{e:?}");
            assert!(
                e.to_string().ends_with(&format!("has no layer '{missing}'; its layers are: districts, arenas")),
                "{e}"
            );
        }
    }

    #[test]
    fn a_file_without_feature_layers_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.gpkg");
        new_gpkg(&path);
        let e = read_layer(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.ends_with("has no feature layers: gpkg_contents lists no table of data type 'features'"), "{e}");
        let e = read_layer(&path, &options(Some("arenas"))).unwrap_err().to_string();
        assert!(e.ends_with("has no layer 'arenas'; it has no feature layers"), "{e}");
    }

    fn srs_file(srs_id: i64, defined: bool) -> String {
        format!("srs{srs_id}-{defined}.gpkg")
    }

    /// A one-layer GeoPackage whose layer is in an srs row `(srs_id, organization, code, definition)`.
    fn layer_in_srs(dir: &Path, srs: Option<(i64, &str, i64, &str)>, srs_id: i64) -> PathBuf {
        let path = dir.join(srs_file(srs_id, srs.is_some()));
        let conn = new_gpkg(&path);
        if let Some((id, organization, code, definition)) = srs {
            conn.execute(
                "INSERT INTO gpkg_spatial_ref_sys VALUES ('x', ?1, ?2, ?3, ?4, '')",
                params![id, organization, code, definition],
            )
            .unwrap();
        }
        add_layer(&conn, "arenas", srs_id, "");
        insert(&conn, "arenas", 1, Some(blob(&Geometry::Point(Point::new(320_000.0, 6_400_000.0)))));
        path
    }

    #[test]
    fn the_crs_comes_from_the_layer_srs() {
        let dir = tempfile::tempdir().unwrap();
        let read = |srs, srs_id| read_layer(&layer_in_srs(dir.path(), srs, srs_id), &ReadOptions::default());
        // Undefined (0 and -1) is no CRS: the fallback (--crs) or the coordinates decide, as for other formats.
        assert_eq!(read(None, 0).unwrap().crs, None);
        assert_eq!(read(None, -1).unwrap().crs, None);
        // An EPSG code, in any case; a srs_id that is not the code.
        assert_eq!(read(Some((3006, "EPSG", 3006, "whatever")), 3006).unwrap().crs, Some(Crs::SWEREF99_TM));
        assert_eq!(read(Some((100_007, "epsg", 3007, "")), 100_007).unwrap().crs, Crs::from_epsg(3007).ok());
        // Any projected EPSG code in metres, Web Mercator too.
        assert_eq!(read(Some((3067, "EPSG", 3067, "")), 3067).unwrap().crs, Crs::from_epsg(3067).ok());
        assert_eq!(read(Some((3857, "EPSG", 3857, "")), 3857).unwrap().crs, Crs::from_epsg(3857).ok());
        // No EPSG code: the WKT definition (here an ESRI .prj-style one, without AUTHORITY codes).
        let esri = "PROJCS[\"SWEREF99_TM\",GEOGCS[\"GCS_SWEREF99\",DATUM[\"D_SWEREF99\",SPHEROID[\"GRS_1980\",\
                    6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],\
                    PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",500000.0],\
                    PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",15.0],\
                    PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
        assert_eq!(read(Some((200_000, "NONE", 1, esri)), 200_000).unwrap().crs, Some(Crs::SWEREF99_TM));
        assert_eq!(read(Some((200_001, "LANTMÄTERIET", 7, Crs::WGS84.wkt())), 200_001).unwrap().crs, Some(Crs::WGS84));
        // A user-defined undefined CRS.
        assert_eq!(read(Some((99_999, "NONE", 99_999, "undefined")), 99_999).unwrap().crs, None);

        // Unsupported or missing: a CRS error naming the file and the layer.
        for (srs, srs_id, says) in [
            (Some((2263, "EPSG", 2263, "")), 2263, "layer 'arenas': unsupported CRS EPSG:2263 (NAD83 / New York"),
            (Some((9999, "EPSG", 9999, "")), 9999, "layer 'arenas': unsupported CRS EPSG:9999"),
            (Some((300_000, "NONE", 0, "PROJCS[\"nonsense\"]")), 300_000, "layer 'arenas': "),
            (
                Some((300_001, "NONE", 0, "")),
                300_001,
                "layer 'arenas': its CRS (srs_id 300001, organization NONE) has no EPSG code and no definition",
            ),
            (None, 3006, "layer 'arenas': its srs_id 3006 is not defined in gpkg_spatial_ref_sys"),
        ] {
            let e = read(srs, srs_id).unwrap_err();
            assert!(matches!(e, Error::Crs { .. }), "{e:?}");
            let e = e.to_string();
            assert!(
                e.starts_with(&format!("{}: {says}", dir.path().join(srs_file(srs_id, srs.is_some())).display())),
                "{e}"
            );
        }
    }

    #[test]
    fn corrupt_blobs_name_the_feature_and_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let point = blob(&Geometry::Point(Point::new(320_000.0, 6_400_000.0)));
        let mut bad_magic = point.clone();
        bad_magic[0] = b'X';
        let mut bad_envelope = point.clone();
        bad_envelope[3] = 0x01 | (5 << 1);
        let mut extended = point.clone();
        extended[3] |= FLAG_EXTENDED;
        let mut bad_type = point.clone();
        bad_type[8 + 32 + 1] = 99;
        let cases: [(&str, Vec<u8>, &str); 7] = [
            ("short", b"GP\0\x01".to_vec(), "it is 4 bytes long, shorter than the 8-byte GeoPackage header"),
            ("magic", bad_magic, "it does not start with \"GP\", as a GeoPackage geometry does"),
            ("envelope", bad_envelope, "its header has envelope indicator 5; only 0 to 4 are defined"),
            (
                "no-envelope",
                point[..20].to_vec(),
                "it is 20 bytes long, shorter than its header and the 32-byte envelope the header announces",
            ),
            ("truncated", point[..point.len() - 3].to_vec(), "invalid WKB: "),
            ("extended", extended, "it is an extended GeoPackage geometry"),
            ("type", bad_type, "invalid WKB: "),
        ];
        for (name, bytes, says) in cases {
            let path = dir.path().join(format!("{name}.gpkg"));
            let conn = new_gpkg(&path);
            add_epsg(&conn, 3006);
            add_layer(&conn, "arenas", 3006, "");
            insert(&conn, "arenas", 1, Some(point.clone()));
            insert(&conn, "arenas", 17, Some(bytes));
            let e = read_layer(&path, &ReadOptions::default()).unwrap_err();
            assert!(matches!(e, Error::Feature { .. }), "{e:?}");
            let want = format!("{}, layer 'arenas', fid 17: geometry blob does not decode: {says}", path.display());
            assert!(e.to_string().starts_with(&want), "{name}: {e}");
        }

        // A geometry column holding something other than a blob.
        let path = dir.path().join("text.gpkg");
        let conn = new_gpkg(&path);
        add_layer(&conn, "arenas", 0, "");
        conn.execute("INSERT INTO arenas (fid, geom) VALUES (4, 'POINT (1 2)')", []).unwrap();
        let e = read_layer(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(
            e.ends_with("layer 'arenas', fid 4: column 'geom' holds text instead of a GeoPackage geometry blob"),
            "{e}"
        );
    }

    /// What wkb 0.9 leaves unchecked is checked: a multipoint member with an EWKB SRID (wkb would panic handing it
    /// out), members whose headers differ from their parent's, curve types and invalid type codes.
    #[test]
    fn wkb_headers_are_checked() {
        for little_endian in [true, false] {
            let u32_bytes = |v: u32| if little_endian { v.to_le_bytes() } else { v.to_be_bytes() };
            let f64_bytes = |v: f64| if little_endian { v.to_le_bytes() } else { v.to_be_bytes() };
            let mut multipoint = vec![u8::from(little_endian)];
            multipoint.extend_from_slice(&u32_bytes(4));
            multipoint.extend_from_slice(&u32_bytes(2));
            for srid_flag in [0, EWKB_SRID_FLAG] {
                multipoint.push(u8::from(little_endian));
                multipoint.extend_from_slice(&u32_bytes(1 | srid_flag));
                multipoint.extend_from_slice(&f64_bytes(1.0));
                multipoint.extend_from_slice(&f64_bytes(2.0));
            }
            let e = decode(&gp(&multipoint, 0)).unwrap_err();
            assert_eq!(e, "invalid WKB: point 2 of a multipoint has an SRID of its own");
            // The same inside a geometry collection.
            let mut collection = vec![u8::from(little_endian)];
            collection.extend_from_slice(&u32_bytes(7));
            collection.extend_from_slice(&u32_bytes(1));
            collection.extend_from_slice(&multipoint);
            assert_eq!(decode(&gp(&collection, 0)).unwrap_err(), e);
        }
        // Members of another type, byte order or dimension than their multi-geometry says.
        let polygon = wkb_of(&Geometry::Polygon(square(0.0, 0.0, 1.0)), true);
        let multi = |member: &[u8]| {
            let mut out = vec![1];
            out.extend_from_slice(&6u32.to_le_bytes());
            out.extend_from_slice(&2u32.to_le_bytes());
            out.extend_from_slice(&polygon);
            out.extend_from_slice(member);
            gp(&out, 0)
        };
        assert!(decode(&multi(&polygon)).unwrap().is_some());
        let mut curve = polygon.clone();
        curve[1] = 10;
        let mut z = polygon.clone();
        z[1..5].copy_from_slice(&1003u32.to_le_bytes());
        let big_endian = wkb_of(&Geometry::Polygon(square(0.0, 0.0, 1.0)), false);
        let e = decode(&multi(&curve)).unwrap_err();
        assert!(e.starts_with("it is a CurvePolygon, which arenagap does not read"), "{e}");
        assert_eq!(
            decode(&multi(&z)).unwrap_err(),
            "invalid WKB: polygon 2 of a multipolygon differs from it in type, byte order or dimension"
        );
        // (Read in the wrong byte order, this one's ring count is already too large for wkb.)
        assert!(decode(&multi(&big_endian)).unwrap_err().starts_with("invalid WKB: "));
        // Curves, at the top or in a collection: named, with the way to convert them.
        let mut multisurface = multi(&polygon);
        multisurface[9..13].copy_from_slice(&12u32.to_le_bytes());
        let e = decode(&multisurface).unwrap_err();
        assert!(e.starts_with("it is a MultiSurface, which arenagap does not read"), "{e}");
        let mut collection = vec![1];
        collection.extend_from_slice(&7u32.to_le_bytes());
        collection.extend_from_slice(&2u32.to_le_bytes());
        collection.extend_from_slice(&polygon);
        collection.extend_from_slice(&curve);
        let e = decode(&gp(&collection, 0)).unwrap_err();
        assert!(e.starts_with("it is a CurvePolygon, which arenagap does not read"), "{e}");
        for code in [0, 8 + 1000, 4001, 1001 | EWKB_Z_FLAG, 99] {
            let mut point = iso_point(1, &[1.0, 2.0]);
            point[1..5].copy_from_slice(&u32::to_le_bytes(code));
            let e = decode(&gp(&point, 0)).unwrap_err();
            assert!(e.starts_with("invalid WKB: geometry type code") || e.contains("CircularString"), "{code}: {e}");
        }

        // Plain multipoints are fine.
        let mp = Geometry::MultiPoint(vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)].into());
        assert_eq!(decode(&gp(&wkb_of(&mp, false), 0)), Ok(Some(mp)));
    }

    /// Every prefix of valid blobs, and many random corruptions of them, decode or fail, never panic.
    #[test]
    fn decoding_random_bytes_never_panics() {
        use rand::{Rng, SeedableRng};
        let holed =
            Polygon::new(square(0.0, 0.0, 10.0).exterior().clone(), vec![square(1.0, 1.0, 1.0).exterior().clone()]);
        let geometries = [
            Geometry::Point(Point::new(1.0, 2.0)),
            Geometry::MultiPoint(vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)].into()),
            Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1.0, 1.0)])),
            Geometry::Polygon(holed.clone()),
            Geometry::MultiPolygon(MultiPolygon(vec![holed.clone(), square(20.0, 0.0, 1.0)])),
            Geometry::GeometryCollection(geo::GeometryCollection(vec![
                Geometry::Point(Point::new(1.0, 2.0)),
                Geometry::MultiPoint(vec![Point::new(5.0, 6.0)].into()),
                Geometry::Polygon(holed),
            ])),
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for geometry in &geometries {
            for little_endian in [true, false] {
                for envelope in 0..=4 {
                    let good = gp(&wkb_of(geometry, little_endian), envelope);
                    assert_eq!(decode(&good).unwrap().as_ref(), Some(geometry));
                    for end in 0..good.len() {
                        let _ = decode(&good[..end]);
                    }
                    for _ in 0..2000 {
                        let mut bytes = good.clone();
                        for _ in 0..rng.random_range(1..4) {
                            let at = rng.random_range(0..bytes.len());
                            bytes[at] = match rng.random_range(0..4) {
                                0 => 0,
                                1 => 0xff,
                                2 => bytes[at] ^ (1 << rng.random_range(0..8)),
                                _ => rng.random(),
                            };
                        }
                        let _ = decode(&bytes);
                    }
                }
            }
        }
        for _ in 0..20_000 {
            let len = rng.random_range(0..120);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            if bytes.len() >= 8 {
                bytes[..3].copy_from_slice(b"GP\0");
                bytes[3] &= 0x07;
            }
            let _ = decode(&bytes);
        }
    }

    #[test]
    fn a_file_that_is_not_a_geopackage_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("arenas.gpkg");
        std::fs::write(&text, "{\"type\": \"FeatureCollection\", \"features\": []}\n".repeat(40)).unwrap();
        let short = dir.path().join("short.gpkg");
        std::fs::write(&short, "GP").unwrap();
        for path in [&text, &short] {
            let e = read_layer(path, &ReadOptions::default()).unwrap_err();
            assert!(matches!(e, Error::Input { .. }), "{e:?}");
            assert_eq!(
                e.to_string(),
                format!("{}: is not a GeoPackage: it is not an SQLite database, which a .gpkg file is", path.display())
            );
        }
        let sqlite = dir.path().join("plain.gpkg");
        Connection::open(&sqlite).unwrap().execute_batch("CREATE TABLE t (x INTEGER);").unwrap();
        let e = read_layer(&sqlite, &ReadOptions::default()).unwrap_err();
        assert!(matches!(e, Error::Input { .. }), "{e:?}");
        assert!(e.to_string().ends_with("is an SQLite database but not a GeoPackage: it has no gpkg_contents table"));
    }

    #[test]
    fn a_view_without_an_integer_key_names_features_by_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = arenas_gpkg(dir.path());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE VIEW playgrounds AS SELECT geom, name FROM arenas WHERE kind = 'lekplats';
             INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('playgrounds', 'features', 3006);
             INSERT INTO gpkg_geometry_columns VALUES ('playgrounds', 'geom', 'POINT', 3006, 0, 0);",
        )
        .unwrap();
        let layer = read_layer(&path, &options(Some("playgrounds"))).unwrap();
        assert_eq!((layer.fids.clone(), layer.fields.clone()), (None, vec!["name".to_string()]));
        assert_eq!(layer.features.len(), 1);
        assert_eq!(layer.location(0), "layer 'playgrounds', feature 0");
    }

    #[test]
    fn reads_while_another_connection_writes() {
        // In the default rollback journal mode and in WAL mode, which QGIS switches a GeoPackage to while editing.
        for wal in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = arenas_gpkg(dir.path());
            let writer = Connection::open(&path).unwrap();
            if wal {
                writer
                    .execute_batch("PRAGMA journal_mode = WAL; INSERT INTO arenas (fid, name) VALUES (50, 'wal');")
                    .unwrap();
            }
            let before = if wal { vec![3, 8, 9, 17, 50] } else { vec![3, 8, 9, 17] };
            writer.execute_batch("BEGIN IMMEDIATE; INSERT INTO arenas (fid, name) VALUES (100, 'ny');").unwrap();
            let layer = read_layer(&path, &ReadOptions::default()).unwrap();
            assert_eq!(layer.fids.as_ref(), Some(&before), "the uncommitted row is not seen");
            writer.execute_batch("COMMIT;").unwrap();
            assert_eq!(read_layer(&path, &ReadOptions::default()).unwrap().features.len(), before.len() + 1);
        }
    }

    #[test]
    fn format_and_name() {
        assert_eq!(Format::from_path(Path::new("a/B.GPKG")).unwrap(), Format::GeoPackage);
        assert_eq!(Format::GeoPackage.name(), "GeoPackage");
        assert_eq!(
            [Format::GeoJson, Format::Shapefile, Format::Csv].map(Format::name),
            ["GeoJSON", "ESRI Shapefile", "CSV"]
        );
        let e = Format::from_path(Path::new("a.sqlite")).unwrap_err().to_string();
        assert!(e.ends_with("CSV (.csv) and GeoPackage (.gpkg)"), "{e}");
    }

    /// What the tool's own GeoPackage writer writes, this reader reads back: the same geometries (polygons as the
    /// multipolygons they are written as) and values (integers and reals as numbers, booleans as booleans).
    #[test]
    fn reads_what_the_writer_writes() {
        use crate::output::testing::TestLayer;
        use crate::output::{Field, FieldType, GeometryKind, LayerView};

        let holed = Polygon::new(
            square(320_000.0, 6_400_000.0, 1000.0).exterior().clone(),
            vec![square(320_100.0, 6_400_100.0, 100.0).exterior().clone()],
        );
        let districts = TestLayer::from_rows(
            "districts",
            GeometryKind::MultiPolygon,
            vec![
                Field::new("district_id", FieldType::Text),
                Field::new("children", FieldType::Real),
                Field::new("arenas_total", FieldType::Integer),
                Field::new("has_familjecentral", FieldType::Bool),
            ],
            vec![
                (
                    Geometry::Polygon(holed.clone()),
                    vec![text("1"), Value::Number(10.5), Value::Number(3.0), Value::Bool(true)],
                ),
                (
                    Geometry::MultiPolygon(MultiPolygon(vec![square(330_000.0, 6_400_000.0, 10.0), holed])),
                    vec![text("Älvsborg"), Value::Null, Value::Number(0.0), Value::Bool(false)],
                ),
            ],
        );
        let children = TestLayer::from_rows(
            "children",
            GeometryKind::Point,
            vec![Field::new("children", FieldType::Real), Field::new("name", FieldType::Text)],
            (0..50)
                .map(|i| {
                    let p = Point::new(320_000.0 + f64::from(i) * 3.25, 6_400_000.0 - f64::from(i) / 8.0);
                    (Geometry::Point(p), vec![Value::Number(f64::from(i) / 4.0), Value::Null])
                })
                .collect(),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("analysis.gpkg");
        let layers: [&dyn LayerView; 2] = [&districts, &children];
        crate::output::gpkg::write_gpkg(&path, &layers, Crs::SWEREF99_TM, &[("districts", "<qgis/>".to_string())])
            .unwrap();

        // layer_styles and the R-tree tables are not layers.
        let e = read_layer(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(
            e.ends_with("has 2 layers (districts, children); name one with the layer option, e.g. --arenas-layer NAME"),
            "{e}"
        );
        for written in layers {
            let layer = read_layer(&path, &options(Some(written.name()))).unwrap();
            assert_eq!(layer.crs, Some(Crs::SWEREF99_TM));
            let names: Vec<&str> = written.fields().iter().map(|f| f.name.as_str()).collect();
            assert_eq!(layer.fields, names);
            assert_eq!(layer.file_fields, names);
            assert_eq!(layer.fids, Some((1..=written.len() as i64).collect()));
            assert_eq!(layer.features.len(), written.len());
            let mut values = Vec::new();
            for (i, feature) in layer.features.iter().enumerate() {
                let want = match written.geometry(i) {
                    Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p])),
                    g => g,
                };
                assert_eq!(feature.geometry.as_ref(), Some(&want), "{} {i}", written.name());
                written.values(i, &mut values);
                assert_eq!(feature.values.to_vec(), values, "{} {i}", written.name());
            }
        }
        let first = read_layer(&path, &options(Some("children"))).unwrap().features[7].geometry.clone();
        assert_eq!(first, Some(Geometry::Point(Point::from(coord! { x: 320_022.75, y: 6_399_999.125 }))));
    }

    /// The demo layers converted by GDAL's ogr2ogr, one per file and all three in one file, read as their GeoJSON
    /// does (GDAL writes the GeoJSON's integers as INTEGER columns: compared as numbers). Needs ogr2ogr (gdal-bin), so
    /// it is not run by default: `cargo test --lib gdal -- --ignored`.
    #[test]
    #[ignore]
    fn reads_geopackages_written_by_gdal() {
        let dir = tempfile::tempdir().unwrap();
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("demo");
        let city = dir.path().join("city.gpkg");
        let ogr2ogr = |args: &[&std::ffi::OsStr]| {
            let status = std::process::Command::new("ogr2ogr").args(args).status().expect("ogr2ogr runs");
            assert!(status.success(), "ogr2ogr {args:?}");
        };
        for name in ["districts", "children", "arenas"] {
            let geojson = demo.join(format!("{name}.geojson"));
            let gpkg = dir.path().join(format!("{name}.gpkg"));
            ogr2ogr(&["-f".as_ref(), "GPKG".as_ref(), gpkg.as_ref(), geojson.as_ref()]);
            let update: &[&std::ffi::OsStr] = if city.exists() { &["-update".as_ref()] } else { &[] };
            ogr2ogr(&[update, &["-f".as_ref(), "GPKG".as_ref(), city.as_ref(), geojson.as_ref()]].concat());
            let want = read_layer(&geojson, &ReadOptions::default()).unwrap();
            for got in
                [read_layer(&gpkg, &ReadOptions::default()).unwrap(), read_layer(&city, &options(Some(name))).unwrap()]
            {
                assert_eq!(got.layer_name.as_deref(), Some(name));
                assert_eq!(got.crs, want.crs);
                assert_eq!(got.fields, want.fields);
                assert_eq!(got.fids, Some((1..=want.features.len() as i64).collect()));
                for (g, w) in got.features.iter().zip(&want.features) {
                    assert_eq!(g.geometry, w.geometry);
                    let numbers = |v: &Value| v.to_number().map(Value::Number).unwrap_or_else(|| v.clone());
                    assert_eq!(
                        g.values.iter().map(numbers).collect::<Vec<_>>(),
                        w.values.iter().map(numbers).collect::<Vec<_>>()
                    );
                }
            }
        }
        let e = read_layer(&city, &ReadOptions::default()).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "has 3 layers (districts, children, arenas); name one with the layer option, e.g. --arenas-layer NAME"
            ),
            "{e}"
        );
    }
}
