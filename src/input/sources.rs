//! What to read: each input layer's file (and table, for a GeoPackage) and fields, resolved and checked by the
//! command line before any file is opened. [`crate::input::load`] reads them into a study.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::crs::Crs;
use crate::model::kinds::{KindMap, Kinds};

/// Where the children come from.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // one per run: boxing would only complicate matching
pub enum ChildSource {
    /// Points with an optional count field (1 per point without one).
    Points {
        /// The file.
        path: PathBuf,
        /// The table, for a GeoPackage that holds several.
        layer: Option<String>,
        /// The count field.
        count: Option<String>,
    },
    /// Counts per area from a table.
    Table(TableSource),
}

/// Child counts per area from a table, optionally spread onto finer polygons.
#[derive(Clone, Debug)]
pub struct TableSource {
    /// The table (CSV) of counts per area id.
    pub table: PathBuf,
    /// Its area id column.
    pub table_id: String,
    /// Its count column.
    pub count: String,
    /// The area polygons.
    pub areas: PathBuf,
    /// Their table, for a GeoPackage that holds several.
    pub areas_layer: Option<String>,
    /// Their id field.
    pub areas_id: String,
    /// Finer polygons to spread onto.
    pub spread: Option<SpreadSource>,
    /// The spacing of the grid each area's (or finer polygon's) children are spread over, metres (`None`: one
    /// interior point per area).
    pub grid: Option<f64>,
}

/// Finer polygons and their weights for a dasymetric spread.
#[derive(Clone, Debug)]
pub struct SpreadSource {
    /// The finer polygons.
    pub areas: PathBuf,
    /// Their table, for a GeoPackage that holds several.
    pub layer: Option<String>,
    /// Their id field.
    pub id: String,
    /// Their field naming the coarse area (else found by location).
    pub parent: Option<String>,
    /// A weights table (CSV), else the weight field is on the polygons.
    pub weights: Option<PathBuf>,
    /// The id column of the weights table.
    pub weights_id: String,
    /// The weight field (equal weights when `None`).
    pub weight: Option<String>,
}

/// Where the need weight per district comes from.
#[derive(Clone, Debug)]
pub enum NeedSource {
    /// Every district weighs 1.
    None,
    /// A numeric field of the districts.
    Field(String),
    /// A table district id → weight.
    Table {
        /// The CSV file.
        path: PathBuf,
        /// Its id column (default: first).
        id: Option<String>,
        /// Its weight column (default: second).
        value: Option<String>,
    },
    /// A class per district (or per class polygon) and a weight per class.
    Classes {
        /// The class field.
        field: String,
        /// Polygons carrying the class; `None`: the field is on the districts.
        layer: Option<PathBuf>,
        /// Their table, for a GeoPackage that holds several.
        table: Option<String>,
        /// Weight per class (others weigh 1).
        weights: BTreeMap<String, f64>,
    },
}

/// The district polygons.
#[derive(Clone, Debug)]
pub struct DistrictSource {
    /// The file.
    pub path: PathBuf,
    /// The table, for a GeoPackage that holds several.
    pub layer: Option<String>,
    /// The id field.
    pub id: String,
    /// The name field.
    pub name: String,
}

/// One file of arenas.
#[derive(Clone, Debug)]
pub struct ArenaSource {
    /// The file.
    pub path: PathBuf,
    /// The table, for a GeoPackage that holds several.
    pub layer: Option<String>,
    /// The kind: from a field (raw values mapped by the kind map), or one kind for every arena of the file.
    pub kind: KindSource,
    /// The name field (found automatically when `None`: name, namn, …).
    pub name: Option<String>,
    /// The id field (`<file stem>#<feature number>` when `None`).
    pub id: Option<String>,
    /// The capacity field (the kind's default capacity when `None`).
    pub capacity: Option<String>,
}

/// One arena file and what is particular to it, as a config file (`arenas = [...]`) or a scenario (`add`) writes
/// it; what it does not set comes from the run's defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ArenaEntry {
    /// The file.
    pub path: PathBuf,
    /// One kind (an id) for every arena of the file, instead of a kind field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its kind field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arena_kind: Option<String>,
    /// Its name field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arena_name: Option<String>,
    /// Its id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arena_id: Option<String>,
    /// Its capacity field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arena_capacity: Option<String>,
    /// Its table, for a GeoPackage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

impl ArenaEntry {
    /// The file to read, at `path` (the entry's own, resolved), with the entry's keys over `defaults` (the run's
    /// fields, [`ArenaSource`] without a path). A kind for the whole file must be one of `kinds`; giving both `kind`
    /// and `arena-kind` is an error.
    pub fn source(&self, path: PathBuf, defaults: &ArenaSource, kinds: &Kinds) -> Result<ArenaSource, String> {
        let kind = match (&self.kind, &self.arena_kind) {
            (Some(_), Some(_)) => {
                return Err("give kind (one kind for the file) or arena-kind (a field), not both".into())
            }
            (Some(id), None) => {
                if kinds.find(id).is_none() {
                    return Err(format!("kind {}", kinds.unknown(id)));
                }
                KindSource::Fixed(id.clone())
            }
            (None, Some(field)) => KindSource::Field(field.clone()),
            (None, None) => defaults.kind.clone(),
        };
        Ok(ArenaSource {
            path,
            layer: self.layer.clone().or_else(|| defaults.layer.clone()),
            kind,
            name: self.arena_name.clone().or_else(|| defaults.name.clone()),
            id: self.arena_id.clone().or_else(|| defaults.id.clone()),
            capacity: self.arena_capacity.clone().or_else(|| defaults.capacity.clone()),
        })
    }
}

/// Arenas from an OpenStreetMap extract, found by a tag mapping.
#[derive(Clone, Debug)]
pub struct OsmArenaSource {
    /// The `.osm.pbf` file.
    pub path: PathBuf,
    /// The tag mapping (its kinds are in the run's kind table).
    pub rules: crate::input::osm::OsmArenaRules,
}

/// Where an arena's kind comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum KindSource {
    /// A field of raw values, mapped by the kind map.
    Field(String),
    /// One kind (an id of the kind table) for every arena of the file.
    Fixed(String),
}

/// Arenas to leave out after reading, by id or by a name no other arena has; each entry must match one.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    /// The entries, as written.
    pub entries: Vec<String>,
    /// The config file that lists them (`None`: given as flags), for errors.
    pub file: Option<PathBuf>,
}

/// Everything [`crate::input::load`] reads, resolved.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    /// District polygons (`None`: demand points only, for siting).
    pub districts: Option<DistrictSource>,
    /// Where the children come from.
    pub children: ChildSource,
    /// Arena files, in order (their order is the facilities' order).
    pub arenas: Vec<ArenaSource>,
    /// Arenas from an OpenStreetMap extract, after those of the files.
    pub osm_arenas: Option<OsmArenaSource>,
    /// The kinds of arena.
    pub kinds: Kinds,
    /// Raw kind values → kinds.
    pub kind_map: KindMap,
    /// Arenas left out after reading.
    pub arena_exclude: Exclusions,
    /// Need weights.
    pub need: NeedSource,
    /// The CRS of inputs that declare none.
    pub input_crs: Option<Crs>,
    /// The metric CRS of the analysis; `None` to choose it from the data ([`crate::input::load`]).
    pub analysis_crs: Option<Crs>,
    /// The walking network (`None`: straight-line distance).
    pub network: Option<NetworkSource>,
}

/// A walking network to read.
#[derive(Clone, Debug)]
pub struct NetworkSource {
    /// The OpenStreetMap extract (.osm.pbf).
    pub path: PathBuf,
    /// Which ways are walked.
    pub rule: crate::input::osm::WalkRule,
    /// A point farther than this from the nearest street is warned of, metres.
    pub max_snap: f64,
}
