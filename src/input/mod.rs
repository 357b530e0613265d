//! Reading layers: GeoJSON, ESRI Shapefile, CSV points and GeoPackage, into one in-memory [`Layer`] shape.
//!
//! Readers only decode: they keep coordinates in the file's own CRS and report the CRS the file declares.
//! Reprojection, field lookup and validation against what a layer is for happen in [`crate::model`].

pub mod candidates;
mod csv;
mod diagnose;
mod geojson;
mod gpkg;
pub mod layers;
pub mod load;
pub mod osm;
pub mod scenario;
mod shapefile;
pub mod sources;
pub mod walking;

use std::path::{Path, PathBuf};

use crate::crs::Crs;
use crate::error::{Error, Result};

pub use self::csv::{detect_separator, parse_number, read_table, Table};
pub use self::load::load;

/// An attribute value, as read from a file.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value (JSON null, an empty CSV cell, a null in a .dbf).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text (shared: cloning a value, as output layers do for every child's district id, allocates nothing).
    Text(std::sync::Arc<str>),
}

impl Value {
    /// The value as text, the way a planner would type it: numbers without a trailing `.0`.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Text(s) => Some(s.to_string()),
        }
    }

    /// The value as a number: numbers as they are, text parsed (decimal comma accepted), else `None`.
    pub fn to_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(s) => parse_number(s),
            _ => None,
        }
    }
}

impl Value {
    /// The value as a count of people (a number ≥ 0), or what is wrong with it, naming `field`.
    pub fn to_count(&self, field: &str) -> std::result::Result<f64, String> {
        match self.to_number() {
            Some(n) if n > MAX_COUNT => Err(format!(
                "field '{field}' is {n}, more than the {MAX_COUNT:e} a count can be (sums of larger numbers lose whole \
                 units)"
            )),
            Some(n) if n >= 0.0 => Ok(n),
            Some(n) => Err(format!("field '{field}' is negative ({n})")),
            None => Err(match self {
                Value::Null => format!("field '{field}' is empty, expected a number"),
                Value::Text(s) if s.trim().is_empty() => format!("field '{field}' is empty, expected a number"),
                v => format!("field '{field}' is not a number: '{}'", v.to_text().unwrap_or_default()),
            }),
        }
    }
}

/// The largest count arenagap takes (children, weights, capacities): beyond it, sums of whole numbers in
/// double precision are no longer exact.
pub const MAX_COUNT: f64 = 1e15;

/// Formats a number the way it would be written as an id: integers without a decimal point.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The file formats arenagap reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GeoJSON (`.geojson`, `.json`).
    GeoJson,
    /// ESRI Shapefile (`.shp` with `.dbf`, `.shx`, `.prj`, `.cpg`).
    Shapefile,
    /// Delimited text with coordinate columns (`.csv`, `.txt`, `.tsv`).
    Csv,
    /// OGC GeoPackage (`.gpkg`): an SQLite file that can hold several layers; one is read at a time.
    GeoPackage,
}

impl Format {
    /// The format from a file's extension.
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" => Ok(Format::GeoJson),
            "shp" => Ok(Format::Shapefile),
            "csv" | "txt" | "tsv" => Ok(Format::Csv),
            "gpkg" => Ok(Format::GeoPackage),
            _ => Err(Error::input(
                path,
                format!(
                    "unknown file type '.{ext}': arenagap reads GeoJSON (.geojson, .json), ESRI Shapefile (.shp), \
                     CSV (.csv) and GeoPackage (.gpkg)"
                ),
            )),
        }
    }

    /// The format's name, as GDAL and QGIS call it: `GeoJSON`, `ESRI Shapefile`, `CSV`, `GeoPackage`.
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Shapefile => "ESRI Shapefile",
            Format::Csv => "CSV",
            Format::GeoPackage => "GeoPackage",
        }
    }

    /// How feature `index` (its position in the file, from 0) of this format is named in messages: `feature 3`,
    /// `record 3`, `row 5`.
    ///
    /// GeoPackage features are named by their fid, which is not their position: [`Layer::location`] names them so
    /// (`layer 'arenas', fid 17`) from [`Layer::fids`]; this position-based name is only its fallback.
    pub fn location(self, index: usize) -> String {
        match self {
            // GeoJSON features and Shapefile records are counted from 0, as QGIS shows their ids;
            // CSV rows by their line number in the file (the header is line 1), as a spreadsheet shows them.
            Format::GeoJson | Format::GeoPackage => format!("feature {index}"),
            Format::Shapefile => format!("record {index}"),
            Format::Csv => format!("row {}", index + 2),
        }
    }
}

/// Options for reading one layer.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Keep only these attribute fields (others are skipped while reading, to save memory on large files).
    /// `None` keeps every field.
    pub keep_fields: Option<Vec<String>>,
    /// CSV only: the x (easting or longitude) column; found automatically when `None`.
    pub x_field: Option<String>,
    /// CSV only: the y (northing or latitude) column; found automatically when `None`.
    pub y_field: Option<String>,
    /// GeoPackage only: the layer (feature table) to read. When `None`, a file with exactly one layer has it read;
    /// a file with several is an error that lists them.
    pub layer: Option<String>,
}

/// One layer as read from a file: geometries in the file's own coordinates, attributes by field.
#[derive(Clone, Debug)]
pub struct Layer {
    /// The file it came from.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// The CRS the file declares (GeoJSON `crs` member or RFC 7946, Shapefile `.prj`, CSV lon/lat column names).
    /// `None` when the file says nothing.
    pub crs: Option<Crs>,
    /// Attribute field names, in file order (only the kept ones).
    pub fields: Vec<String>,
    /// Every attribute field the file has, kept or not, for messages about a field that is not there.
    pub file_fields: Vec<String>,
    /// The features, in file order (a GeoPackage layer's in fid order).
    pub features: Vec<Feature>,
    /// The layer read inside the file, for formats that hold several (a GeoPackage table); `None` for the others.
    pub layer_name: Option<String>,
    /// Each feature's id in the file, aligned with `features`, for formats whose features have one that QGIS shows
    /// (a GeoPackage fid); `None` when features are named by their position.
    pub fids: Option<Vec<i64>>,
    /// What the reader repaired, by feature position (a GeoJSON ring that was not closed), for the warning about
    /// the layer's shapes.
    pub notes: Vec<(usize, String)>,
}

/// The attribute values of one feature.
pub type Values = smallvec::SmallVec<[Value; 2]>;

/// One feature of a [`Layer`].
#[derive(Clone, Debug)]
pub struct Feature {
    /// The geometry, or `None` where the file has a null geometry.
    pub geometry: Option<geo::Geometry<f64>>,
    /// Attribute values, aligned with [`Layer::fields`]. Up to two are held inline, so a million-point layer
    /// with a count field makes no million small allocations.
    pub values: Values,
}

impl Layer {
    /// A layer of a format that holds one layer per file (GeoJSON, Shapefile, CSV): no layer name, features named
    /// by their position.
    pub fn single(
        path: &Path,
        format: Format,
        crs: Option<Crs>,
        fields: Vec<String>,
        file_fields: Vec<String>,
        features: Vec<Feature>,
    ) -> Layer {
        Layer {
            path: path.to_path_buf(),
            format,
            crs,
            fields,
            file_fields,
            features,
            layer_name: None,
            fids: None,
            notes: Vec::new(),
        }
    }

    /// The position of a field, or an error naming the file and the fields it does have.
    pub fn field_index(&self, name: &str) -> Result<usize> {
        self.fields.iter().position(|f| f == name).ok_or_else(|| {
            let fields = if self.file_fields.is_empty() {
                "it has no fields".to_string()
            } else {
                format!("its fields are: {}", self.file_fields.join(", "))
            };
            let layer = self.layer_name.as_ref().map(|l| format!("layer '{l}' ")).unwrap_or_default();
            Error::input(&self.path, format!("{layer}has no field '{name}'; {fields}"))
        })
    }

    /// The number feature `index` has in default ids: its fid in a GeoPackage, else its number in
    /// [`Format::location`] (from 0 for GeoJSON and Shapefile, the line number for CSV).
    pub fn feature_number(&self, index: usize) -> i64 {
        if let Some(fid) = self.fids.as_ref().and_then(|f| f.get(index)) {
            return *fid;
        }
        match self.format {
            Format::Csv => index as i64 + 2,
            _ => index as i64,
        }
    }

    /// How feature `index` (its position in [`Layer::features`]) is named in messages: `feature 3`, `row 5`, or in a
    /// GeoPackage `layer 'arenas', fid 17`.
    pub fn location(&self, index: usize) -> String {
        let fid = self.fids.as_ref().and_then(|fids| fids.get(index)).copied();
        feature_location(self.format, self.layer_name.as_deref(), fid, index)
    }

    /// An error in feature `index`.
    pub fn feature_error(&self, index: usize, message: impl Into<String>) -> Error {
        Error::feature(&self.path, self.location(index), message)
    }
}

/// How a feature is named in messages: by its id in the file where it has one (`fid 17`), else by its position
/// `index` (`feature 3`); after its layer in a file that holds several (`layer 'arenas', fid 17`).
fn feature_location(format: Format, layer: Option<&str>, fid: Option<i64>, index: usize) -> String {
    let id = match fid {
        Some(fid) => format!("fid {fid}"),
        None => format.location(index),
    };
    match layer {
        Some(layer) => format!("layer '{layer}', {id}"),
        None => id,
    }
}

/// Reads a layer, choosing the reader by the file's extension.
pub fn read_layer(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let format = Format::from_path(path)?;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::input(path, "does not exist: check the path"),
        _ => Error::io(path, e),
    })?;
    if meta.is_dir() {
        return Err(Error::input(path, "is a folder, not a file"));
    }
    if meta.len() == 0 {
        return Err(Error::input(path, "is empty"));
    }
    match format {
        Format::GeoJson => geojson::read(path, options),
        Format::Shapefile => shapefile::read(path, options),
        Format::Csv => csv::read(path, options),
        Format::GeoPackage => gpkg::read(path, options),
    }
}

/// Whether `options` asks to keep field `name`.
pub(crate) fn keeps(options: &ReadOptions, name: &str) -> bool {
    options.keep_fields.as_ref().is_none_or(|k| k.iter().any(|f| f == name))
}
