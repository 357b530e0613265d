//! GeoPackage output: every layer in one `.gpkg` file, in the analysis CRS, with an R-tree spatial index per layer
//! and a default QGIS style per layer in `layer_styles`, so that dragging the file into QGIS shows styled layers.
//!
//! The file follows the OGC GeoPackage 1.3 encoding standard (application id `GPKG`, user version 10300): the
//! `gpkg_spatial_ref_sys`, `gpkg_contents`, `gpkg_geometry_columns` and `gpkg_extensions` tables, feature tables
//! with an integer `fid` primary key and a `geom` column holding GeoPackage binary geometries (the `GP` header
//! followed by ISO WKB), and the `gpkg_rtree_index` extension with the standard maintenance triggers.
//!
//! The WKB encoder is written here rather than taken from a crate: the layers only ever hold points and
//! multipolygons, which are a few lines each, and it keeps the output byte-for-byte under our control.
//!
//! Output is deterministic: rows go in in layer order and feature order, `last_change` is a fixed timestamp
//! ([`LAST_CHANGE`]), never the wall clock, so two runs on the same input give byte-identical files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use geo::{Geometry, MultiPolygon, Polygon};
use rusqlite::types::Null;
use rusqlite::{params, Connection, Statement};

use super::{FieldType, GeometryKind, LayerView, Value};
use crate::error::{Error, Result};

/// The `last_change` and `update_time` written into the file. A fixed value, so that outputs are reproducible.
pub const LAST_CHANGE: &str = "2000-01-01T00:00:00.000Z";

/// `PRAGMA application_id` of a GeoPackage: the ASCII bytes `GPKG`.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of a GeoPackage 1.3 file.
const USER_VERSION: i32 = 10300;

/// The WGS 84 row every GeoPackage must have (the definition GDAL writes).
const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,\
AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],\
UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],\
AUTHORITY[\"EPSG\",\"4326\"]]";

/// The spatial reference system the layers are written in, as it goes into `gpkg_spatial_ref_sys`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SrsDef<'a> {
    /// The EPSG code, also used as `srs_id`.
    pub epsg: u32,
    /// A human name: `SWEREF 99 TM`.
    pub name: &'a str,
    /// The OGC WKT 1 definition with AUTHORITY codes.
    pub wkt: &'a str,
}

/// Writes `layers` into one GeoPackage at `path`, in `crs` (the analysis CRS, which the layers' geometries are in),
/// with `styles` (layer name, QML document) as each layer's default QGIS style.
///
/// The file is written as `<path>.partial` next to `path` and renamed over `path` when complete; on error the
/// partial file is removed and `path` is left as it was.
pub fn write_gpkg(
    path: &Path,
    layers: &[&dyn LayerView],
    crs: crate::crs::Crs,
    styles: &[(&str, String)],
) -> Result<()> {
    let srs = SrsDef { epsg: crs.epsg(), name: crs.name(), wkt: crs.wkt() };
    let styles: Vec<(&str, &str)> = styles.iter().map(|(name, qml)| (*name, qml.as_str())).collect();
    write_gpkg_with_srs(path, layers, &srs, &styles)
}

/// [`write_gpkg`] with the spatial reference system spelled out.
pub(crate) fn write_gpkg_with_srs(
    path: &Path,
    layers: &[&dyn LayerView],
    srs: &SrsDef<'_>,
    styles: &[(&str, &str)],
) -> Result<()> {
    check_layers(layers).map_err(|m| Error::write(path, io::Error::new(io::ErrorKind::InvalidInput, m)))?;
    let partial = partial_path(path);
    remove_if_exists(&partial).map_err(|e| Error::write(&partial, e))?;
    let result = write_file(&partial, layers, srs, styles);
    if let Err(message) = result {
        let _ = fs::remove_file(&partial);
        return Err(Error::write(path, io::Error::other(message)));
    }
    if let Err(e) = fs::rename(&partial, path) {
        let _ = fs::remove_file(&partial);
        return Err(Error::write(path, e));
    }
    Ok(())
}

/// `<path>.partial`, in the same folder as `path` so that the final rename stays on one file system.
fn partial_path(path: &Path) -> PathBuf {
    super::atomic::partial_path(path)
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Names that would clash inside one GeoPackage.
fn check_layers(layers: &[&dyn LayerView]) -> std::result::Result<(), String> {
    let mut seen: Vec<String> = Vec::new();
    for layer in layers {
        let name = layer.name();
        let lower = name.to_lowercase();
        if name.is_empty() || lower.starts_with("gpkg_") || lower.starts_with("rtree_") || lower == "layer_styles" {
            return Err(format!("cannot use {name:?} as a GeoPackage layer name"));
        }
        if seen.contains(&lower) {
            return Err(format!("two layers are named {name:?}"));
        }
        seen.push(lower);
        let mut fields: Vec<String> = vec!["fid".into(), "geom".into()];
        for field in layer.fields() {
            let lower = field.name.to_lowercase();
            if field.name.is_empty() || fields.contains(&lower) {
                return Err(format!("layer {name}: field name {:?} is empty or used twice", field.name));
            }
            fields.push(lower);
        }
    }
    Ok(())
}

/// A failure inside the SQLite work, as text for an [`Error::Write`].
struct Fail(String);

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail(format!("SQLite: {e}"))
    }
}

impl From<Fail> for String {
    fn from(f: Fail) -> String {
        f.0
    }
}

fn write_file(
    partial: &Path,
    layers: &[&dyn LayerView],
    srs: &SrsDef<'_>,
    styles: &[(&str, &str)],
) -> std::result::Result<(), String> {
    let mut conn = Connection::open(partial).map_err(Fail::from)?;
    fill(&mut conn, layers, srs, styles)?;
    conn.close().map_err(|(_, e)| Fail::from(e))?;
    Ok(())
}

/// Double-quotes an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

const SCHEMA: &str = "
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
  description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
";

const LAYER_STYLES: &str = "
CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
  f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30),
  styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
";

fn fill(
    conn: &mut Connection,
    layers: &[&dyn LayerView],
    srs: &SrsDef<'_>,
    styles: &[(&str, &str)],
) -> std::result::Result<(), Fail> {
    // Pragmas first: application_id and user_version live in the file header. The journal is off because a failed
    // write is thrown away as a whole (the partial file is deleted), so there is nothing to roll back to.
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};
         PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -65536;"
    ))?;
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA)?;
    insert_srs(&tx, srs)?;
    let srs_id = srs.epsg as i32;
    for layer in layers {
        write_layer(&tx, *layer, srs_id)?;
    }
    let styled: Vec<(&str, &str)> = layers
        .iter()
        .filter_map(|l| styles.iter().find(|(name, _)| *name == l.name()).map(|(name, qml)| (*name, *qml)))
        .collect();
    if !styled.is_empty() {
        tx.execute_batch(LAYER_STYLES)?;
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
             VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?1, 0)",
            [LAST_CHANGE],
        )?;
        let mut stmt = tx.prepare(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,
               styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)
             VALUES ('', '', ?1, 'geom', ?1, ?2, '', 1, 'arenagap default style', '', NULL, ?3)",
        )?;
        for (name, qml) in styled {
            stmt.execute(params![name, qml, LAST_CHANGE])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn insert_srs(conn: &Connection, srs: &SrsDef<'_>) -> std::result::Result<(), Fail> {
    let mut stmt = conn.prepare(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition,
           description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    stmt.execute(params![
        "Undefined Cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined Cartesian coordinate reference system"
    ])?;
    stmt.execute(params![
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system"
    ])?;
    stmt.execute(params![
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        WGS84_WKT,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
    ])?;
    if srs.epsg != 4326 {
        stmt.execute(params![srs.name, srs.epsg, "EPSG", srs.epsg, srs.wkt, srs.name])?;
    }
    Ok(())
}

/// The SQL type of a field, as GDAL and QGIS map them.
fn sql_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Integer => "INTEGER",
        FieldType::Real => "REAL",
        FieldType::Text => "TEXT",
        FieldType::Bool => "BOOLEAN",
    }
}

fn write_layer(conn: &Connection, layer: &dyn LayerView, srs_id: i32) -> std::result::Result<(), Fail> {
    let name = layer.name();
    let table = ident(name);
    let kind = layer.geometry_kind();
    let type_name = match kind {
        GeometryKind::Point => "POINT",
        GeometryKind::MultiPolygon => "MULTIPOLYGON",
    };
    let fields = layer.fields();
    let mut columns = format!("\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \"geom\" {type_name}");
    for field in fields {
        columns.push_str(&format!(", {} {}", ident(&field.name), sql_type(field.ty)));
    }
    conn.execute_batch(&format!("CREATE TABLE {table} ({columns});"))?;

    let placeholders: String = (0..fields.len() + 2).map(|i| format!("?{}", i + 1)).collect::<Vec<_>>().join(", ");
    let names: String = ["\"fid\"".to_string(), "\"geom\"".to_string()]
        .into_iter()
        .chain(fields.iter().map(|f| ident(&f.name)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut insert = conn.prepare(&format!("INSERT INTO {table} ({names}) VALUES ({placeholders})"))?;

    let mut blob = Vec::with_capacity(256);
    let mut values = Vec::with_capacity(fields.len());
    let mut boxes: Vec<(i64, [f64; 4])> = Vec::with_capacity(layer.len());
    let mut extent: Option<[f64; 4]> = None;
    for i in 0..layer.len() {
        let fid = i as i64 + 1;
        let geometry = layer.geometry(i);
        blob.clear();
        let bbox = encode_geometry(&mut blob, srs_id, kind, &geometry)
            .map_err(|m| Fail(format!("layer {name}, feature {}: {m}", i + 1)))?;
        if let Some(b) = bbox {
            boxes.push((fid, b));
            extent = Some(match extent {
                None => b,
                Some(e) => [e[0].min(b[0]), e[1].max(b[1]), e[2].min(b[2]), e[3].max(b[3])],
            });
        }
        values.clear();
        layer.values(i, &mut values);
        insert.raw_bind_parameter(1, fid)?;
        insert.raw_bind_parameter(2, blob.as_slice())?;
        for (j, field) in fields.iter().enumerate() {
            bind_value(&mut insert, j + 3, field.ty, values.get(j).unwrap_or(&Value::Null))?;
        }
        insert.raw_execute()?;
    }
    drop(insert);

    // The R-tree, filled after the features (no ST_* functions are needed that way), then its triggers, so that
    // edits made later in QGIS or GDAL keep it in step.
    let rtree = ident(&format!("rtree_{name}_geom"));
    conn.execute_batch(&format!("CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy);"))?;
    bulk_load_rtree(conn, &format!("rtree_{name}_geom"), &boxes)?;
    drop(boxes);
    conn.execute_batch(&rtree_triggers(name))?;

    let (min_x, max_x, min_y, max_y) = match extent {
        Some(e) => (Some(e[0]), Some(e[1]), Some(e[2]), Some(e[3])),
        None => (None, None, None, None),
    };
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y,
           max_x, max_y, srs_id) VALUES (?1, 'features', ?1, '', ?2, ?3, ?4, ?5, ?6, ?7)",
        params![name, LAST_CHANGE, min_x, min_y, max_x, max_y, srs_id],
    )?;
    conn.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
         VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![name, type_name, srs_id],
    )?;
    conn.execute(
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
         VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        [name],
    )?;
    Ok(())
}

/// Bytes per cell of a 2-D SQLite R-tree node: an 8-byte id and four 4-byte float coordinates.
const RTREE_CELL_SIZE: usize = 8 + 4 * 4;

/// One cell of an R-tree node: a feature's fid (leaves) or a child's node number (interior nodes), and its box as
/// SQLite stores it (float32 min x, max x, min y, max y).
#[derive(Clone, Copy)]
struct Cell {
    id: i64,
    bbox: [f32; 4],
}

/// Fills the freshly created, empty R-tree `name` with `boxes` (fid, [min x, max x, min y, max y]) in bulk.
///
/// Inserting a million rows one by one through the virtual table costs seconds: each insert descends the tree
/// (ChooseLeaf), rewrites the nodes on its path and splits full ones. Instead the tree is packed here in memory with
/// Sort-Tile-Recursive (sort by x centre, cut into vertical slices, sort each slice by y centre, cut into nodes; then
/// the same again on the node boxes, level by level) and written straight into the R-tree's shadow tables, as GDAL
/// ≥ 3.7 does. The format is SQLite's (rtree.c): `<name>_node` (nodeno, data) where data is one node blob of the
/// table's node size (the length of the root blob SQLite created), a 2-byte big-endian depth (root only, else 0),
/// a 2-byte big-endian cell count, then cells of a big-endian i64 id and four big-endian float32 coordinates; the
/// root is node 1; `<name>_rowid` (rowid, nodeno) maps every fid to its leaf, `<name>_parent` (nodeno, parentnode)
/// every non-root node to its parent. Coordinates are rounded outward to float32 exactly as SQLite's
/// `rtreeValueDown`/`rtreeValueUp` do, so the stored boxes are those the row-by-row inserts would have stored, and
/// the tree passes `rtreecheck()`. The ordering is a total order (ties broken by id), so the file stays
/// byte-identical across runs. Nodes are filled evenly (never one nearly empty node at the end of a slice), so later
/// edits through the triggers see ordinary, valid nodes.
fn bulk_load_rtree(conn: &Connection, name: &str, boxes: &[(i64, [f64; 4])]) -> std::result::Result<(), Fail> {
    if boxes.is_empty() {
        return Ok(()); // SQLite's own empty root (depth 0, no cells) is already there.
    }
    let node_table = ident(&format!("{name}_node"));
    let node_size: i64 =
        conn.query_row(&format!("SELECT length(data) FROM {node_table} WHERE nodeno = 1"), [], |r| r.get(0))?;
    let node_size = usize::try_from(node_size).unwrap_or(0);
    let capacity = node_size.saturating_sub(4) / RTREE_CELL_SIZE;
    if capacity < 2 {
        return Err(Fail(format!("R-tree {name}: unexpected node size {node_size}")));
    }

    let mut level: Vec<Cell> = boxes
        .iter()
        .map(|&(id, b)| Cell {
            id,
            bbox: [rtree_value_down(b[0]), rtree_value_up(b[1]), rtree_value_down(b[2]), rtree_value_up(b[3])],
        })
        .collect();
    let mut leaf_of: Vec<(i64, i64)> = Vec::with_capacity(boxes.len());
    let mut parent_of: Vec<(i64, i64)> = Vec::new();
    let mut insert_node = conn.prepare(&format!("INSERT INTO {node_table} (nodeno, data) VALUES (?1, ?2)"))?;
    let mut blob = Vec::with_capacity(node_size);
    let mut next_node: i64 = 2;
    let mut depth: u16 = 0;
    while level.len() > capacity {
        let groups = str_groups(&mut level, capacity);
        let mut up = Vec::with_capacity(groups.len());
        for range in groups {
            let cells = &level[range];
            let nodeno = next_node;
            next_node += 1;
            let children = if depth == 0 { &mut leaf_of } else { &mut parent_of };
            children.extend(cells.iter().map(|c| (c.id, nodeno)));
            node_blob(&mut blob, node_size, 0, cells);
            insert_node.execute(params![nodeno, blob.as_slice()])?;
            up.push(Cell { id: nodeno, bbox: union(cells) });
        }
        level = up;
        depth += 1;
    }
    drop(insert_node);
    let children = if depth == 0 { &mut leaf_of } else { &mut parent_of };
    children.extend(level.iter().map(|c| (c.id, 1)));
    node_blob(&mut blob, node_size, depth, &level);
    conn.execute(&format!("UPDATE {node_table} SET data = ?1 WHERE nodeno = 1"), [blob.as_slice()])?;

    // Rows in key order, so that both tables are appended to rather than inserted into.
    for (suffix, mut pairs) in [("rowid", leaf_of), ("parent", parent_of)] {
        pairs.sort_unstable();
        let key = if suffix == "rowid" { "rowid" } else { "nodeno" };
        let value = if suffix == "rowid" { "nodeno" } else { "parentnode" };
        let table = ident(&format!("{name}_{suffix}"));
        let mut stmt = conn.prepare(&format!("INSERT INTO {table} ({key}, {value}) VALUES (?1, ?2)"))?;
        for (k, v) in pairs {
            stmt.execute([k, v])?;
        }
    }
    Ok(())
}

/// Sort-Tile-Recursive grouping of one level: reorders `cells` and returns the ranges that become nodes of at most
/// `capacity` cells, sizes as even as possible.
fn str_groups(cells: &mut [Cell], capacity: usize) -> Vec<std::ops::Range<usize>> {
    // Twice the centre, in f64 so the sum is exact; ties broken by id for a total, reproducible order.
    let centre = |c: &Cell, axis: usize| f64::from(c.bbox[2 * axis]) + f64::from(c.bbox[2 * axis + 1]);
    let by = |axis: usize| move |a: &Cell, b: &Cell| centre(a, axis).total_cmp(&centre(b, axis)).then(a.id.cmp(&b.id));
    let nodes = cells.len().div_ceil(capacity);
    let slices = (nodes as f64).sqrt().ceil() as usize;
    cells.sort_unstable_by(by(0));
    let mut groups = Vec::with_capacity(nodes + slices);
    for slice in even_ranges(cells.len(), slices) {
        let part = &mut cells[slice.clone()];
        part.sort_unstable_by(by(1));
        for r in even_ranges(part.len(), part.len().div_ceil(capacity)) {
            groups.push(slice.start + r.start..slice.start + r.end);
        }
    }
    groups
}

/// `n` items cut into `parts` consecutive ranges whose lengths differ by at most one.
fn even_ranges(n: usize, parts: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..parts).map(move |i| i * n / parts..(i + 1) * n / parts)
}

/// The box around `cells`.
fn union(cells: &[Cell]) -> [f32; 4] {
    cells.iter().skip(1).fold(cells[0].bbox, |b, c| {
        [b[0].min(c.bbox[0]), b[1].max(c.bbox[1]), b[2].min(c.bbox[2]), b[3].max(c.bbox[3])]
    })
}

/// One R-tree node blob into `blob`: depth (root only), cell count, cells, zero padding to `size`.
fn node_blob(blob: &mut Vec<u8>, size: usize, depth: u16, cells: &[Cell]) {
    blob.clear();
    blob.extend_from_slice(&depth.to_be_bytes());
    blob.extend_from_slice(&(cells.len() as u16).to_be_bytes());
    for c in cells {
        blob.extend_from_slice(&c.id.to_be_bytes());
        for v in c.bbox {
            blob.extend_from_slice(&v.to_be_bytes());
        }
    }
    blob.resize(size, 0);
}

/// rtree.c's rounding factors: towards zero and away from zero by one float32 ulp (relative).
const RND_TOWARDS: f64 = 1.0 - 1.0 / 8_388_608.0;
const RND_AWAY: f64 = 1.0 + 1.0 / 8_388_608.0;

/// A lower bound as SQLite's `rtreeValueDown` stores it: the nearest float32, moved down when that is above `d`.
fn rtree_value_down(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) > d {
        (d * if d < 0.0 { RND_AWAY } else { RND_TOWARDS }) as f32
    } else {
        f
    }
}

/// An upper bound as SQLite's `rtreeValueUp` stores it: the nearest float32, moved up when that is below `d`.
fn rtree_value_up(d: f64) -> f32 {
    let f = d as f32;
    if f64::from(f) < d {
        (d * if d < 0.0 { RND_TOWARDS } else { RND_AWAY }) as f32
    } else {
        f
    }
}

/// The R-tree maintenance triggers of the GeoPackage spec (as GDAL writes them) for table `name`, column `geom`.
fn rtree_triggers(name: &str) -> String {
    let t = ident(name);
    let r = ident(&format!("rtree_{name}_geom"));
    let trigger = |suffix: &str| ident(&format!("rtree_{name}_geom_{suffix}"));
    let values =
        "NEW.\"fid\", ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"), ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\")";
    format!(
        "CREATE TRIGGER {insert} AFTER INSERT ON {t} WHEN (new.\"geom\" NOT NULL AND NOT ST_IsEmpty(NEW.\"geom\")) \
BEGIN INSERT OR REPLACE INTO {r} VALUES ({values}); END;
CREATE TRIGGER {u1} AFTER UPDATE OF \"geom\" ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND \
(NEW.\"geom\" NOTNULL AND NOT ST_IsEmpty(NEW.\"geom\")) BEGIN INSERT OR REPLACE INTO {r} VALUES ({values}); END;
CREATE TRIGGER {u2} AFTER UPDATE OF \"geom\" ON {t} WHEN OLD.\"fid\" = NEW.\"fid\" AND \
(NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; END;
CREATE TRIGGER {u3} AFTER UPDATE ON {t} WHEN OLD.\"fid\" != NEW.\"fid\" AND \
(NEW.\"geom\" NOTNULL AND NOT ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; \
INSERT OR REPLACE INTO {r} VALUES ({values}); END;
CREATE TRIGGER {u4} AFTER UPDATE ON {t} WHEN OLD.\"fid\" != NEW.\"fid\" AND \
(NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM {r} WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END;
CREATE TRIGGER {delete} AFTER DELETE ON {t} WHEN old.\"geom\" NOT NULL \
BEGIN DELETE FROM {r} WHERE id = OLD.\"fid\"; END;
",
        insert = trigger("insert"),
        u1 = trigger("update1"),
        u2 = trigger("update2"),
        u3 = trigger("update3"),
        u4 = trigger("update4"),
        delete = trigger("delete"),
    )
}

/// Binds one attribute value as the field's SQL type; values that do not fit the type become NULL.
fn bind_value(stmt: &mut Statement<'_>, index: usize, ty: FieldType, value: &Value) -> rusqlite::Result<()> {
    match (ty, value) {
        (_, Value::Null) => stmt.raw_bind_parameter(index, Null),
        (FieldType::Text, Value::Text(s)) => stmt.raw_bind_parameter(index, &**s),
        (FieldType::Text, v) => stmt.raw_bind_parameter(index, v.to_text()),
        (FieldType::Integer, Value::Number(n)) if n.is_finite() => stmt.raw_bind_parameter(index, n.round() as i64),
        (FieldType::Integer | FieldType::Bool, Value::Bool(b)) => stmt.raw_bind_parameter(index, i64::from(*b)),
        (FieldType::Integer, Value::Text(s)) => stmt.raw_bind_parameter(index, s.trim().parse::<i64>().ok()),
        (FieldType::Real, Value::Number(n)) if n.is_finite() => stmt.raw_bind_parameter(index, *n),
        (FieldType::Real, Value::Bool(b)) => stmt.raw_bind_parameter(index, f64::from(u8::from(*b))),
        (FieldType::Real, Value::Text(_)) => {
            stmt.raw_bind_parameter(index, value.to_number().filter(|n| n.is_finite()))
        }
        (FieldType::Bool, Value::Number(n)) if !n.is_nan() => stmt.raw_bind_parameter(index, i64::from(*n != 0.0)),
        (FieldType::Bool, Value::Text(s)) => {
            let b = match s.trim().to_lowercase().as_str() {
                "true" | "1" | "yes" | "ja" => Some(1i64),
                "false" | "0" | "no" | "nej" => Some(0),
                _ => None,
            };
            stmt.raw_bind_parameter(index, b)
        }
        _ => stmt.raw_bind_parameter(index, Null),
    }
}

/// GeoPackage binary header flags: bit 0 little-endian, bits 1–3 the envelope kind (1 = xy), bit 4 empty.
const FLAG_LITTLE_ENDIAN: u8 = 0x01;
const FLAG_ENVELOPE_XY: u8 = 0x02;
const FLAG_EMPTY: u8 = 0x10;

/// Appends the GeoPackage binary of `geometry` as a `kind` to `buf`; returns its bounding box
/// (min x, max x, min y, max y), `None` when empty.
pub(crate) fn encode_geometry(
    buf: &mut Vec<u8>,
    srs_id: i32,
    kind: GeometryKind,
    geometry: &Geometry<f64>,
) -> std::result::Result<Option<[f64; 4]>, String> {
    match kind {
        GeometryKind::Point => {
            let (x, y) = match geometry {
                Geometry::Point(p) => (p.x(), p.y()),
                Geometry::MultiPoint(mp) if mp.0.len() == 1 => (mp.0[0].x(), mp.0[0].y()),
                other => return Err(format!("expected a point, found {}", geometry_name(other))),
            };
            let empty = !(x.is_finite() && y.is_finite());
            header(buf, srs_id, if empty { FLAG_EMPTY } else { 0 }, None);
            let (x, y) = if empty { (f64::NAN, f64::NAN) } else { (x, y) };
            buf.push(1);
            buf.extend_from_slice(&1u32.to_le_bytes());
            buf.extend_from_slice(&x.to_le_bytes());
            buf.extend_from_slice(&y.to_le_bytes());
            Ok((!empty).then_some([x, x, y, y]))
        }
        GeometryKind::MultiPolygon => {
            let single;
            let polygons: &[Polygon<f64>] = match geometry {
                Geometry::MultiPolygon(MultiPolygon(ps)) => ps,
                Geometry::Polygon(p) => {
                    single = [p.clone()];
                    &single
                }
                Geometry::Rect(r) => {
                    single = [r.to_polygon()];
                    &single
                }
                other => return Err(format!("expected a (multi)polygon, found {}", geometry_name(other))),
            };
            let bbox = polygons
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|ring| ring.0.iter())
                .fold(None, |acc: Option<[f64; 4]>, c| {
                    Some(match acc {
                        None => [c.x, c.x, c.y, c.y],
                        Some(b) => [b[0].min(c.x), b[1].max(c.x), b[2].min(c.y), b[3].max(c.y)],
                    })
                });
            match bbox {
                None => header(buf, srs_id, FLAG_EMPTY, None),
                Some(b) => header(buf, srs_id, 0, Some(b)),
            }
            buf.push(1);
            buf.extend_from_slice(&6u32.to_le_bytes());
            buf.extend_from_slice(&(polygons.len() as u32).to_le_bytes());
            for polygon in polygons {
                buf.push(1);
                buf.extend_from_slice(&3u32.to_le_bytes());
                let rings: Vec<_> = std::iter::once(polygon.exterior())
                    .chain(polygon.interiors())
                    .filter(|ring| !ring.0.is_empty())
                    .collect();
                buf.extend_from_slice(&(rings.len() as u32).to_le_bytes());
                for ring in rings {
                    buf.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
                    for c in &ring.0 {
                        buf.extend_from_slice(&c.x.to_le_bytes());
                        buf.extend_from_slice(&c.y.to_le_bytes());
                    }
                }
            }
            Ok(bbox)
        }
    }
}

/// The `GP` header: magic, version 0, flags, srs_id, and the xy envelope when given.
fn header(buf: &mut Vec<u8>, srs_id: i32, flags: u8, envelope: Option<[f64; 4]>) {
    let envelope_flag = if envelope.is_some() { FLAG_ENVELOPE_XY } else { 0 };
    buf.extend_from_slice(b"GP");
    buf.push(0);
    buf.push(flags | envelope_flag | FLAG_LITTLE_ENDIAN);
    buf.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(e) = envelope {
        for v in e {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "a point",
        Geometry::Line(_) => "a line",
        Geometry::LineString(_) => "a line string",
        Geometry::Polygon(_) => "a polygon",
        Geometry::MultiPoint(_) => "a multipoint",
        Geometry::MultiLineString(_) => "a multilinestring",
        Geometry::MultiPolygon(_) => "a multipolygon",
        Geometry::GeometryCollection(_) => "a geometry collection",
        Geometry::Rect(_) => "a rectangle",
        Geometry::Triangle(_) => "a triangle",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Field;
    use geo::{coord, polygon, Point};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::path::PathBuf;

    /// SWEREF 99 TM as the crs module will give it (kept here so the tests do not depend on it).
    const SWEREF99_TM_WKT: &str = "PROJCS[\"SWEREF99 TM\",GEOGCS[\"SWEREF99\",DATUM[\"SWEREF99\",\
SPHEROID[\"GRS 1980\",6378137,298.257222101,AUTHORITY[\"EPSG\",\"7019\"]],AUTHORITY[\"EPSG\",\"6619\"]],\
PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],\
AUTHORITY[\"EPSG\",\"4619\"]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],\
PARAMETER[\"central_meridian\",15],PARAMETER[\"scale_factor\",0.9996],PARAMETER[\"false_easting\",500000],\
PARAMETER[\"false_northing\",0],UNIT[\"metre\",1,AUTHORITY[\"EPSG\",\"9001\"]],AUTHORITY[\"EPSG\",\"3006\"]]";

    const SRS: SrsDef<'static> = SrsDef { epsg: 3006, name: "SWEREF 99 TM", wkt: SWEREF99_TM_WKT };

    use crate::output::testing::TestLayer;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn districts() -> TestLayer {
        let a = polygon![(x: 310_000.0, y: 6_390_000.0), (x: 312_000.0, y: 6_390_000.0), (x: 312_000.0, y: 6_392_000.0),
            (x: 310_000.0, y: 6_392_000.0), (x: 310_000.0, y: 6_390_000.0)];
        let b = polygon!(
            exterior: [(x: 312_000.0, y: 6_390_000.0), (x: 315_000.0, y: 6_390_000.0), (x: 315_000.0, y: 6_393_000.0),
                (x: 312_000.0, y: 6_393_000.0)],
            interiors: [[(x: 313_000.0, y: 6_391_000.0), (x: 314_000.0, y: 6_391_000.0), (x: 314_000.0, y: 6_392_000.0),
                (x: 313_000.0, y: 6_392_000.0)]],
        );
        TestLayer {
            name: "districts",
            kind: GeometryKind::MultiPolygon,
            fields: vec![
                Field::new("district_id", FieldType::Text),
                Field::new("district_name", FieldType::Text),
                Field::new("children", FieldType::Real),
                Field::new("arenas_total", FieldType::Integer),
                Field::new("has_familjecentral", FieldType::Bool),
            ],
            geometries: vec![Geometry::MultiPolygon(MultiPolygon(vec![a])), Geometry::Polygon(b)],
            rows: vec![
                vec![text("1"), text("Billdal"), Value::Number(1043.5), Value::Number(0.0), Value::Bool(false)],
                vec![text("2"), text("Älvsborg"), Value::Null, Value::Number(3.0), Value::Bool(true)],
            ],
        }
    }

    fn children(n: usize) -> TestLayer {
        TestLayer {
            name: "children",
            kind: GeometryKind::Point,
            fields: vec![Field::new("children", FieldType::Real), Field::new("covered", FieldType::Bool)],
            geometries: (0..n)
                .map(|i| {
                    Geometry::Point(Point::new(
                        310_000.0 + (i % 1000) as f64 * 5.5,
                        6_390_000.0 + (i / 1000) as f64 * 7.25,
                    ))
                })
                .collect(),
            rows: (0..n).map(|i| vec![Value::Number(i as f64 / 4.0), Value::Bool(i % 3 == 0)]).collect(),
        }
    }

    fn write(path: &Path, layers: &[&dyn LayerView]) -> Result<()> {
        write_gpkg_with_srs(path, layers, &SRS, &[("districts", "<qgis version=\"3.22.0\"/>")])
    }

    #[test]
    fn writes_a_readable_geopackage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gpkg");
        let (d, c) = (districts(), children(10));
        write(&path, &[&d, &c]).unwrap();
        assert!(!dir.path().join(".out.gpkg.partial").exists());

        let conn = Connection::open(&path).unwrap();
        let pragma = |p: &str| conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(pragma("application_id"), 0x4750_4B47);
        assert_eq!(pragma("user_version"), 10300);
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT count(*) FROM districts"), 2);
        assert_eq!(count("SELECT count(*) FROM children"), 10);
        assert_eq!(count("SELECT count(*) FROM rtree_districts_geom"), 2);
        assert_eq!(count("SELECT count(*) FROM rtree_children_geom"), 10);
        assert_eq!(count("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (-1, 0, 4326, 3006)"), 4);
        let def: String = conn
            .query_row("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 3006", [], |r| r.get(0))
            .unwrap();
        assert_eq!(def, SWEREF99_TM_WKT);
        assert_eq!(count("SELECT count(*) FROM gpkg_geometry_columns WHERE srs_id = 3006"), 2);
        assert_eq!(count("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'"), 2);
        assert_eq!(count("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_%'"), 12);
        let (kind, last_change, bbox): (String, String, [f64; 4]) = conn
            .query_row(
                "SELECT data_type, last_change, min_x, min_y, max_x, max_y FROM gpkg_contents
                 WHERE table_name = 'districts'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?])),
            )
            .unwrap();
        assert_eq!((kind.as_str(), last_change.as_str()), ("features", LAST_CHANGE));
        assert_eq!(bbox, [310_000.0, 6_390_000.0, 315_000.0, 6_393_000.0]);
        assert_eq!(
            count("SELECT count(*) FROM gpkg_contents WHERE table_name = 'layer_styles' AND data_type = 'attributes'"),
            1
        );
        assert_eq!(count("SELECT count(*) FROM layer_styles WHERE f_table_name = 'districts' AND useAsDefault = 1"), 1);

        // Column types and values.
        let types: Vec<(String, String)> = conn
            .prepare("SELECT name, type FROM pragma_table_info('districts')")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let want = [
            ("fid", "INTEGER"),
            ("geom", "MULTIPOLYGON"),
            ("district_id", "TEXT"),
            ("district_name", "TEXT"),
            ("children", "REAL"),
            ("arenas_total", "INTEGER"),
            ("has_familjecentral", "BOOLEAN"),
        ];
        assert_eq!(types, want.map(|(a, b)| (a.to_string(), b.to_string())));
        let row: (i64, String, Option<f64>, i64, i64) = conn
            .query_row(
                "SELECT fid, district_name, children, arenas_total, has_familjecentral FROM districts WHERE fid = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(row, (2, "Älvsborg".to_string(), None, 3, 1));

        // A point blob: GP header without envelope, then ISO WKB.
        let blob: Vec<u8> = conn.query_row("SELECT geom FROM children WHERE fid = 4", [], |r| r.get(0)).unwrap();
        assert_eq!(&blob[..4], b"GP\x00\x01");
        assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 3006);
        assert_eq!(blob[8], 1);
        assert_eq!(u32::from_le_bytes(blob[9..13].try_into().unwrap()), 1);
        let x = f64::from_le_bytes(blob[13..21].try_into().unwrap());
        let y = f64::from_le_bytes(blob[21..29].try_into().unwrap());
        assert_eq!((x, y), (310_000.0 + 3.0 * 5.5, 6_390_000.0));
        assert_eq!(blob.len(), 29);

        // A polygon blob: xy envelope, a multipolygon of one polygon with two rings.
        let blob: Vec<u8> = conn.query_row("SELECT geom FROM districts WHERE fid = 2", [], |r| r.get(0)).unwrap();
        assert_eq!(&blob[..4], b"GP\x00\x03");
        let envelope: Vec<f64> =
            (0..4).map(|k| f64::from_le_bytes(blob[8 + 8 * k..16 + 8 * k].try_into().unwrap())).collect();
        assert_eq!(envelope, [312_000.0, 315_000.0, 6_390_000.0, 6_393_000.0]);
        let wkb = &blob[40..];
        assert_eq!(wkb[0], 1);
        assert_eq!(u32::from_le_bytes(wkb[1..5].try_into().unwrap()), 6);
        assert_eq!(u32::from_le_bytes(wkb[5..9].try_into().unwrap()), 1);
        assert_eq!(u32::from_le_bytes(wkb[10..14].try_into().unwrap()), 3);
        assert_eq!(u32::from_le_bytes(wkb[14..18].try_into().unwrap()), 2);
        assert_eq!(u32::from_le_bytes(wkb[18..22].try_into().unwrap()), 5);
        assert_eq!(wkb.len(), 22 + 5 * 16 + 4 + 5 * 16);
    }

    #[test]
    fn output_is_byte_identical_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let (d, c) = (districts(), children(5000));
        let (a, b) = (dir.path().join("a.gpkg"), dir.path().join("b.gpkg"));
        write(&a, &[&d, &c]).unwrap();
        write(&b, &[&d, &c]).unwrap();
        assert!(fs::read(&a).unwrap() == fs::read(&b).unwrap());
    }

    #[test]
    fn a_failed_write_leaves_no_partial_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gpkg");
        fs::write(&path, b"old").unwrap();
        let mut bad = districts();
        bad.geometries[1] = Geometry::LineString(vec![coord! {x: 0.0, y: 0.0}, coord! {x: 1.0, y: 1.0}].into());
        let err = write(&path, &[&bad]).unwrap_err().to_string();
        assert!(err.contains("districts, feature 2") && err.contains("line string"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert!(!dir.path().join(".out.gpkg.partial").exists());

        let twice = districts();
        let err = write(&path, &[&bad, &twice]).unwrap_err().to_string();
        assert!(err.contains("two layers"), "{err}");
    }

    #[test]
    fn empty_geometries_and_layers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gpkg");
        let mut c = children(2);
        c.geometries[1] = Geometry::Point(Point::new(f64::NAN, f64::NAN));
        let mut d = districts();
        d.geometries.clear();
        d.rows.clear();
        write(&path, &[&d, &c]).unwrap();
        let conn = Connection::open(&path).unwrap();
        let blob: Vec<u8> = conn.query_row("SELECT geom FROM children WHERE fid = 2", [], |r| r.get(0)).unwrap();
        assert_eq!(blob[3], FLAG_EMPTY | FLAG_LITTLE_ENDIAN);
        let rtree: i64 = conn.query_row("SELECT count(*) FROM rtree_children_geom", [], |r| r.get(0)).unwrap();
        assert_eq!(rtree, 1);
        let min_x: Option<f64> =
            conn.query_row("SELECT min_x FROM gpkg_contents WHERE table_name = 'districts'", [], |r| r.get(0)).unwrap();
        assert_eq!(min_x, None);
    }

    #[test]
    fn ogrinfo_reads_it_without_warnings() {
        if std::process::Command::new("ogrinfo").arg("--version").output().is_err() {
            println!("ogrinfo is not installed: skipping the GDAL check");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gpkg");
        let (d, c) = (districts(), children(100));
        write(&path, &[&d, &c]).unwrap();
        let out = std::process::Command::new("ogrinfo")
            .args(["-al", "-so", "--config", "OGR_GPKG_INTEGRITY_CHECK", "YES"])
            .arg(&path)
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{text}");
        assert!(!text.contains("Warning") && !text.contains("ERROR"), "{text}");
        assert!(text.contains("Feature Count: 100") && text.contains("Feature Count: 2"), "{text}");
        assert!(text.contains("SWEREF99 TM") || text.contains("3006"), "{text}");
    }

    /// Seeded random boxes (min x, max x, min y, max y) around Göteborg: points, small and large rectangles,
    /// exact duplicates (ties in the sort) and a few boxes across zero (negative values round the other way).
    fn random_boxes(rng: &mut ChaCha8Rng, n: usize) -> Vec<(i64, [f64; 4])> {
        let mut boxes: Vec<(i64, [f64; 4])> = Vec::with_capacity(n);
        for i in 0..n {
            let b = match rng.random_range(0..10) {
                0 if i > 0 => boxes[rng.random_range(0..i)].1,
                1 => {
                    let (x, y) = (rng.random_range(-5.0..5.0), rng.random_range(-5.0..5.0));
                    [x, x + rng.random_range(0.0..3.0), y, y + rng.random_range(0.0..3.0)]
                }
                2..=4 => {
                    let (x, y) = (rng.random_range(300_000.0..330_000.0), rng.random_range(6_380_000.0..6_410_000.0));
                    let (w, h) = (rng.random_range(0.0..3_000.0), rng.random_range(0.0..3_000.0));
                    [x, x + w, y, y + h]
                }
                _ => {
                    let (x, y) = (rng.random_range(300_000.0..330_000.0), rng.random_range(6_380_000.0..6_410_000.0));
                    [x, x, y, y]
                }
            };
            // Not every fid has a box (empty geometries are left out of the index).
            boxes.push((i as i64 * 2 + 1, b));
        }
        boxes
    }

    fn random_query(rng: &mut ChaCha8Rng) -> [f64; 4] {
        if rng.random_range(0..8) == 0 {
            let (x, y) = (rng.random_range(-6.0..6.0), rng.random_range(-6.0..6.0));
            return [x, x + rng.random_range(0.0..4.0), y, y + rng.random_range(0.0..4.0)];
        }
        let (x, y) = (rng.random_range(299_000.0..331_000.0), rng.random_range(6_379_000.0..6_411_000.0));
        let size = [10.0, 500.0, 5_000.0][rng.random_range(0..3)];
        [x, x + rng.random_range(0.0..size), y, y + rng.random_range(0.0..size)]
    }

    /// The fids of R-tree `table` whose box meets `q`, in order.
    fn rtree_query(conn: &Connection, table: &str, q: [f64; 4]) -> Vec<i64> {
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT id FROM {} WHERE minx <= ?2 AND maxx >= ?1 AND miny <= ?4 AND maxy >= ?3 ORDER BY id",
                ident(table)
            ))
            .unwrap();
        stmt.query_map(params![q[0], q[1], q[2], q[3]], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    /// Every row of R-tree `table` (a full scan walks the whole tree), by id.
    fn rtree_rows(conn: &Connection, table: &str) -> Vec<(i64, [f64; 4])> {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {} ORDER BY id", ident(table))).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn rtreecheck(conn: &Connection, table: &str) -> String {
        conn.query_row("SELECT rtreecheck(?1)", [table], |r| r.get(0)).unwrap()
    }

    fn rtree_depth(conn: &Connection, table: &str) -> u16 {
        let root: Vec<u8> = conn
            .query_row(&format!("SELECT data FROM {} WHERE nodeno = 1", ident(&format!("{table}_node"))), [], |r| {
                r.get(0)
            })
            .unwrap();
        u16::from_be_bytes([root[0], root[1]])
    }

    /// The bulk-built R-tree against one filled by SQLite's own inserts (the oracle): same stored boxes (so the same
    /// float32 rounding), `rtreecheck()` clean, the same answers as a brute-force filter on random query boxes, and
    /// still all of that after SQLite itself has deleted and inserted rows in it (what the triggers do on edits).
    /// Small pages give small nodes (18 cells at 512 bytes) and so trees three levels deep from a few thousand boxes.
    #[test]
    fn bulk_rtree_matches_sqlite_inserts() {
        let mut rng = ChaCha8Rng::seed_from_u64(20_260_101);
        for (page_size, n, depth) in
            [(512, 0, 0), (512, 1, 0), (512, 18, 0), (512, 19, 1), (512, 400, 2), (512, 7_000, 3), (4096, 3_000, 2)]
        {
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch(&format!(
                "PRAGMA page_size = {page_size};
                 CREATE VIRTUAL TABLE bulk USING rtree(id, minx, maxx, miny, maxy);
                 CREATE VIRTUAL TABLE reference USING rtree(id, minx, maxx, miny, maxy);"
            ))
            .unwrap();
            let boxes = random_boxes(&mut rng, n);
            bulk_load_rtree(&conn, "bulk", &boxes).map_err(String::from).unwrap();
            let mut insert = conn.prepare("INSERT INTO reference VALUES (?1, ?2, ?3, ?4, ?5)").unwrap();
            for (id, b) in &boxes {
                insert.execute(params![id, b[0], b[1], b[2], b[3]]).unwrap();
            }
            let case = format!("page size {page_size}, {n} boxes");
            assert_eq!(rtree_depth(&conn, "bulk"), depth, "{case}");
            let check = |conn: &Connection, stage: &str| {
                assert_eq!(rtreecheck(conn, "bulk"), "ok", "{case}, {stage}");
                let rows = rtree_rows(conn, "bulk");
                assert!(rows == rtree_rows(conn, "reference"), "{case}, {stage}: stored boxes differ");
                let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
                for _ in 0..200 {
                    let q = random_query(&mut rng);
                    let brute: Vec<i64> = rows
                        .iter()
                        .filter(|(_, b)| b[0] <= q[1] && b[1] >= q[0] && b[2] <= q[3] && b[3] >= q[2])
                        .map(|(id, _)| *id)
                        .collect();
                    assert_eq!(rtree_query(conn, "bulk", q), brute, "{case}, {stage}, query {q:?}");
                    assert_eq!(rtree_query(conn, "reference", q), brute, "{case}, {stage}, query {q:?}");
                }
            };
            check(&conn, "bulk built");

            // Edits, by SQLite: delete two thirds of the rows, move some, add new ones.
            for table in ["bulk", "reference"] {
                conn.execute(&format!("DELETE FROM {table} WHERE id % 3 != 0"), []).unwrap();
                conn.execute(&format!("UPDATE {table} SET minx = minx - 7, maxx = maxx + 7 WHERE id % 9 = 0"), [])
                    .unwrap();
                let mut insert = conn.prepare(&format!("INSERT INTO {table} VALUES (?1, ?2, ?3, ?4, ?5)")).unwrap();
                let mut rng = ChaCha8Rng::seed_from_u64(7);
                for (id, b) in random_boxes(&mut rng, n / 2) {
                    insert.execute(params![id * 2 + 1_000_000, b[0], b[1], b[2], b[3]]).unwrap();
                }
            }
            check(&conn, "after edits");
        }
    }

    /// Random points and polygons through `write_gpkg`: the R-trees pass `rtreecheck()` and the integrity check, and
    /// answer random box queries with the fids a brute-force filter on the geometries finds (up to the float32
    /// rounding of the stored boxes, which only ever widens them, by well under a metre here).
    #[test]
    fn written_rtrees_answer_like_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(3006);
        let random_point = |rng: &mut ChaCha8Rng| {
            Point::new(rng.random_range(300_000.0..330_000.0), rng.random_range(6_380_000.0..6_410_000.0))
        };
        let points = TestLayer {
            name: "children",
            kind: GeometryKind::Point,
            fields: vec![],
            geometries: (0..6_000)
                .map(|i| {
                    if i % 101 == 7 {
                        Geometry::Point(Point::new(f64::NAN, f64::NAN))
                    } else {
                        Geometry::Point(random_point(&mut rng))
                    }
                })
                .collect(),
            rows: vec![vec![]; 6_000],
        };
        let polygons = TestLayer {
            name: "gaps",
            kind: GeometryKind::MultiPolygon,
            fields: vec![],
            geometries: (0..800)
                .map(|_| {
                    let parts = (0..rng.random_range(1..3))
                        .map(|_| {
                            let p = random_point(&mut rng);
                            let (w, h) = (rng.random_range(1.0..2_000.0), rng.random_range(1.0..2_000.0));
                            polygon![(x: p.x(), y: p.y()), (x: p.x() + w, y: p.y()), (x: p.x() + w / 2.0, y: p.y() + h),
                                (x: p.x(), y: p.y())]
                        })
                        .collect();
                    Geometry::MultiPolygon(MultiPolygon(parts))
                })
                .collect(),
            rows: vec![vec![]; 800],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gpkg");
        write(&path, &[&points, &polygons]).unwrap();
        let conn = Connection::open(&path).unwrap();
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok");
        for layer in [&points, &polygons] {
            let table = format!("rtree_{}_geom", layer.name);
            assert_eq!(rtreecheck(&conn, &table), "ok", "{table}");
            let boxes: Vec<(i64, [f64; 4])> = (0..layer.len())
                .filter_map(|i| {
                    let bbox = encode_geometry(&mut Vec::new(), 3006, layer.kind, &layer.geometries[i]).unwrap()?;
                    Some((i as i64 + 1, bbox))
                })
                .collect();
            assert_eq!(rtree_rows(&conn, &table).len(), boxes.len());
            let meets = |b: &[f64; 4], q: [f64; 4]| b[0] <= q[1] && b[1] >= q[0] && b[2] <= q[3] && b[3] >= q[2];
            for _ in 0..300 {
                let q = random_query(&mut rng);
                let found = rtree_query(&conn, &table, q);
                let exact: Vec<i64> = boxes.iter().filter(|(_, b)| meets(b, q)).map(|(id, _)| *id).collect();
                let wide = [q[0] - 1.0, q[1] + 1.0, q[2] - 1.0, q[3] + 1.0];
                let widened: Vec<i64> = boxes.iter().filter(|(_, b)| meets(b, wide)).map(|(id, _)| *id).collect();
                assert!(exact.iter().all(|id| found.binary_search(id).is_ok()), "{table}, query {q:?}: missed fids");
                assert!(found.iter().all(|id| widened.binary_search(id).is_ok()), "{table}, query {q:?}: extra fids");
            }
        }
    }

    /// Writing a million points must stay fast (measured in the debug build, where SQLite is unoptimised).
    #[test]
    #[ignore = "timing; run with --ignored"]
    fn a_million_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.gpkg");
        let c = children(1_000_000);
        let start = std::time::Instant::now();
        write(&path, &[&c]).unwrap();
        println!("1,000,000 points in {:?}", start.elapsed());
    }

    /// Turns a folder of GeoJSON outputs in EPSG:3006 into a full sample output folder (GeoPackage with styles,
    /// QGIS project), for `tests/qgis/check_qgis.py`:
    /// `ARENAGAP_SAMPLE_DIR=/tmp/out cargo test --lib sample_output_folder -- --ignored`.
    #[test]
    #[ignore = "needs ARENAGAP_SAMPLE_DIR"]
    fn sample_output_folder() {
        let Some(dir) = std::env::var_os("ARENAGAP_SAMPLE_DIR").map(PathBuf::from) else {
            println!("ARENAGAP_SAMPLE_DIR is not set");
            return;
        };
        let integer = |name: &str| name.starts_with("arenas_") || name.starts_with("gap_rank") || name == "zone_id";
        let mut layers = Vec::new();
        for name in ["districts", "gaps", "children", "arenas"] {
            let text = fs::read_to_string(dir.join(format!("{name}.geojson"))).unwrap();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let features = json["features"].as_array().unwrap();
            let props = features[0]["properties"].as_object().unwrap();
            let fields: Vec<Field> = props
                .iter()
                .map(|(k, v)| {
                    let ty = match v {
                        serde_json::Value::Bool(_) => FieldType::Bool,
                        serde_json::Value::Number(_) if integer(k) => FieldType::Integer,
                        serde_json::Value::String(_) => FieldType::Text,
                        _ if k == "district_id" => FieldType::Text,
                        _ => FieldType::Real,
                    };
                    Field::new(k.clone(), ty)
                })
                .collect();
            let geometry = |g: &serde_json::Value| -> Geometry<f64> {
                let c = &g["coordinates"];
                let ring = |r: &serde_json::Value| -> geo::LineString<f64> {
                    r.as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect()
                };
                match g["type"].as_str().unwrap() {
                    "Point" => Geometry::Point(Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap())),
                    _ => Geometry::MultiPolygon(MultiPolygon(
                        c.as_array()
                            .unwrap()
                            .iter()
                            .map(|p| {
                                let rings: Vec<_> = p.as_array().unwrap().iter().map(ring).collect();
                                Polygon::new(rings[0].clone(), rings[1..].to_vec())
                            })
                            .collect(),
                    )),
                }
            };
            let value = |v: &serde_json::Value| match v {
                serde_json::Value::Bool(b) => Value::Bool(*b),
                serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap()),
                serde_json::Value::String(s) => Value::Text(s.as_str().into()),
                _ => Value::Null,
            };
            let name: &'static str = name;
            layers.push(TestLayer {
                name,
                kind: if name == "districts" || name == "gaps" {
                    GeometryKind::MultiPolygon
                } else {
                    GeometryKind::Point
                },
                geometries: features.iter().map(|f| geometry(&f["geometry"])).collect(),
                rows: features
                    .iter()
                    .map(|f| fields.iter().map(|k| value(&f["properties"][&k.name])).collect())
                    .collect(),
                fields,
            });
        }
        let views: Vec<&dyn LayerView> = layers.iter().map(|l| l as &dyn LayerView).collect();
        let look = crate::output::symbology::Look::new(&crate::model::kinds::Kinds::defaults(), [Some(0.5)]);
        let styles = crate::output::qgis::styles(&look);
        let styles: Vec<(&str, &str)> = styles.iter().map(|(name, qml)| (*name, qml.as_str())).collect();
        write_gpkg_with_srs(&dir.join("arenagap.gpkg"), &views, &SRS, &styles).unwrap();
        // The sample GeoJSON files are in SWEREF 99 TM.
        let page = crate::output::qgis::Page {
            title: "GeoPackage test".into(),
            subtitle: String::new(),
            sources: String::new(),
            extent: None,
        };
        let sweref = crate::crs::Crs::SWEREF99_TM;
        crate::output::qgis::write_project(&dir, sweref, sweref, &look, &page).unwrap();
    }
}
