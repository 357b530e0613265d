//! Options: one struct that is both the command line (`--district-id`) and the TOML config file
//! (`district-id = ...`), so the two never drift apart; then [`Options::resolve`] turns it into checked
//! [`Settings`] before any work starts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::input::osm::{OsmArenaRules, WalkRule};
pub use crate::input::sources::ArenaEntry;
use crate::input::sources::{
    ArenaSource, ChildSource, DistrictSource, Exclusions, KindSource, LoadSpec, NeedSource, NetworkSource,
    OsmArenaSource, SpreadSource, TableSource,
};
use crate::measure::Params;
use crate::model::kinds::{KindEdit, KindMap, Kinds, Rgb, Shape};
use crate::output::table::{CsvOptions, CsvStyle};

/// The default coverage radius for "any arena", in metres.
pub const DEFAULT_RADIUS_ANY: f64 = 1000.0;
/// The default minimum number of children for a gap zone to be drawn.
pub const DEFAULT_MIN_ZONE_CHILDREN: f64 = 100.0;
/// The distances (radii, zone link and buffer) the arithmetic holds: a centimetre to 10,000 km. A link of 1e-300 m
/// would overflow the zone grid and make one zone of everything; a buffer of 1e300 m would break the geometry.
pub const METRES: std::ops::RangeInclusive<f64> = 0.01..=1e7;

/// How far a point may be from the nearest street before it is warned of, metres.
pub const DEFAULT_MAX_SNAP: f64 = 500.0;
/// The walking speeds taken, km/h: a slow stroll with a pram to a brisk jog.
pub const WALK_SPEED: std::ops::RangeInclusive<f64> = 0.5..=20.0;

/// The default side of the cells a gap zone takes around child points that stand for no area, in metres (SCB's
/// finest statistical grid).
pub const DEFAULT_ZONE_CELL: f64 = 250.0;

/// Every option of `arenagap analyze`. Each one is a flag (`--district-id FIELD`) and a key of the config file
/// (`district-id = "FIELD"`); a flag wins over the file. Relative input paths are resolved against `--data-dir` when
/// given, else against the config file's folder (for keys in the file) or the current folder (for flags).
#[derive(Clone, Debug, Default, clap::Args, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// District polygons (GeoJSON, Shapefile, GeoPackage, or CSV with a WKT column).
    #[arg(long, value_name = "PATH", help_heading = "Inputs")]
    pub districts: Option<PathBuf>,
    /// The table of --districts, when it is a GeoPackage holding several.
    #[arg(long, value_name = "NAME", help_heading = "Inputs")]
    pub districts_layer: Option<String>,
    /// District id field [default: id].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub district_id: Option<String>,
    /// District name field [default: name].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub district_name: Option<String>,
    /// Child points (GeoJSON, Shapefile, GeoPackage, or CSV with x/y or lon/lat columns).
    #[arg(long, value_name = "PATH", help_heading = "Inputs")]
    pub children: Option<PathBuf>,
    /// The table of --children, when it is a GeoPackage holding several.
    #[arg(long, value_name = "NAME", help_heading = "Inputs")]
    pub children_layer: Option<String>,
    /// Field with the number of children at each point (or in each area, with --children-table) [default: each
    /// point counts 1; with a table: children].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub children_count: Option<String>,
    /// Arena points; repeatable, one file each (in the config file: a path, or a list of paths and tables such as
    /// { path = "bibliotek.csv", kind = "bibliotek" }, which may also set arena-kind, arena-name, arena-id,
    /// arena-capacity and layer for that file).
    #[arg(long = "arenas", value_name = "PATH", value_parser = parse_arena_path, help_heading = "Inputs")]
    #[serde(default, with = "arena_entries", skip_serializing_if = "Vec::is_empty")]
    pub arenas: Vec<ArenaEntry>,
    /// The table of each --arenas GeoPackage holding several.
    #[arg(long, value_name = "NAME", help_heading = "Inputs")]
    pub arenas_layer: Option<String>,
    /// Arenas from an OpenStreetMap extract (.osm.pbf), found by the tag mapping of --arenas-osm-rules and added
    /// after those of the --arenas files: nodes, ways and multipolygons (an area at a point inside it).
    #[arg(long, value_name = "FILE.osm.pbf", help_heading = "Inputs")]
    pub arenas_osm: Option<PathBuf>,
    /// The tag mapping of --arenas-osm, a TOML file of [[rule]]s [default: data/osm-arenas.toml, built in:
    /// libraries, staffed playgrounds, family centres, and other playgrounds as the reference kind lekplats].
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub arenas_osm_rules: Option<PathBuf>,
    /// Arena kind field [default: kind].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub arena_kind: Option<String>,
    /// Arena name field [default: name, namn, or none].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub arena_name: Option<String>,
    /// Arena id field, unique across all arena files [default: <file stem>#<feature number>].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub arena_id: Option<String>,
    /// Arena capacity field (a number ≥ 0: places, staff, …) [default: the kind's capacity, 1].
    #[arg(long, value_name = "FIELD", help_heading = "Inputs")]
    pub arena_capacity: Option<String>,
    /// Leave out one arena of the arena files, by id (else by a name no other arena has); repeatable. In the config
    /// file: a list, `arena-exclude = ["Actionparken (lekplats 469)"]`, best with a comment saying why. An entry
    /// that matches no arena is an error.
    #[arg(long, value_name = "ID|NAME", help_heading = "Inputs")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arena_exclude: Vec<String>,
    /// Map a raw kind value to a kind id (familjecentral, oppen_forskola, bibliotek, bemannad_lekplats, or one of
    /// [kinds]) or to `none` to leave such arenas out; repeatable: --kind "Parklek=bemannad_lekplats". In the
    /// config file: a table `[kind]`. For suggest, a kind id alone (--kind familjecentral) is a kind the new
    /// sites are sited for.
    #[arg(long = "kind", value_name = "RAW=KIND", value_parser = parse_kind_entry, help_heading = "Inputs")]
    #[serde(default, rename = "kind", with = "key_values")]
    pub kind: Vec<(String, String)>,
    /// Kinds of arena beyond (or changing) the four defaults: in the config file only, a table per kind:
    /// [kinds.lekplats] with label-sv, label-en, radius, symbol (circle, square, triangle, diamond, star,
    /// pentagon, hexagon, cross), colour ("#rrggbb") and capacity.
    #[arg(skip)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<String, KindTable>,
    /// The kinds that count for "covered by any arena", gap scores and zones, comma-separated [default:
    /// familjecentral,oppen_forskola,bibliotek,bemannad_lekplats]. Other kinds are reported, not counted.
    #[arg(long, value_name = "IDS", value_delimiter = ',', help_heading = "Coverage")]
    pub coverage_kinds: Option<Vec<String>>,
    /// The CRS of any input that does not declare one (e.g. a CSV), such as EPSG:3006.
    #[arg(long, value_name = "EPSG:N", help_heading = "Coordinates")]
    pub crs: Option<String>,
    /// The metric CRS all distances are measured in, any projected EPSG code in metres [default: EPSG:3006 for
    /// data in Sweden, else the data's UTM zone].
    #[arg(long, value_name = "EPSG:N", help_heading = "Coordinates")]
    pub analysis_crs: Option<String>,
    /// The CRS of the GeoJSON outputs [default: EPSG:4326, as RFC 7946 requires].
    #[arg(long, value_name = "EPSG:N", help_heading = "Coordinates")]
    pub output_crs: Option<String>,

    /// Coverage radius for "any arena", metres [default: 1000]. For suggest, when given: the siting radius (else the
    /// one kind's own radius, else this default).
    #[arg(long, value_name = "M", help_heading = "Coverage")]
    pub radius: Option<f64>,
    /// Coverage radius for family centres, metres [default: 2500].
    #[arg(long, value_name = "M", help_heading = "Coverage")]
    pub radius_familjecentral: Option<f64>,
    /// Coverage radius for open preschools, metres [default: 1500].
    #[arg(long, value_name = "M", help_heading = "Coverage")]
    pub radius_oppen_forskola: Option<f64>,
    /// Coverage radius for libraries, metres [default: 1500].
    #[arg(long, value_name = "M", help_heading = "Coverage")]
    pub radius_bibliotek: Option<f64>,
    /// Coverage radius for staffed playgrounds, metres [default: 1500].
    #[arg(long, value_name = "M", help_heading = "Coverage")]
    pub radius_bemannad_lekplats: Option<f64>,

    /// Gap zones with fewer children are left out of gaps.geojson (but counted) [default: 100].
    #[arg(long, value_name = "N", help_heading = "Gap zones")]
    pub min_zone_children: Option<f64>,
    /// Uncovered children within this distance of each other join one zone, metres [default: the "any" radius].
    #[arg(long, value_name = "M", help_heading = "Gap zones")]
    pub zone_link: Option<f64>,
    /// The side of the square cells a zone takes around child points that stand for no area (children read as
    /// points), metres; the cells are anchored at the CRS origin, as SCB's 250 m grid is in SWEREF 99 TM
    /// [default: 250]. Children from an area table stand for their areas (or their --spread-grid cells) instead.
    #[arg(long, value_name = "M", help_heading = "Gap zones")]
    pub zone_cell: Option<f64>,
    /// No longer used: zones are the ground their children stand for (see --zone-cell), not a hull with a margin.
    /// Accepted, with a warning, so that older profiles still run.
    #[arg(long, value_name = "M", help_heading = "Gap zones", hide = true)]
    pub zone_buffer: Option<f64>,

    /// Need weight from a numeric field of the districts layer.
    #[arg(long, value_name = "FIELD", help_heading = "Need weights")]
    pub need_weight_field: Option<String>,
    /// Need weight from a table: district id → weight (CSV).
    #[arg(long, value_name = "PATH", help_heading = "Need weights")]
    pub need_weights: Option<PathBuf>,
    /// The district id column of --need-weights [default: its first column].
    #[arg(long, value_name = "FIELD", help_heading = "Need weights")]
    pub need_weights_id: Option<String>,
    /// The weight column of --need-weights [default: its second column].
    #[arg(long, value_name = "FIELD", help_heading = "Need weights")]
    pub need_weights_value: Option<String>,
    /// Need weight from a classification: the class field (on the districts, or on --need-classes polygons).
    #[arg(long, value_name = "FIELD", help_heading = "Need weights")]
    pub need_class_field: Option<String>,
    /// Polygons that carry the class (e.g. socio-economic areas); a district's weight is then the child-weighted
    /// mean of the weights of the classes its children live in.
    #[arg(long, value_name = "PATH", help_heading = "Need weights")]
    pub need_classes: Option<PathBuf>,
    /// The table of --need-classes, when it is a GeoPackage holding several.
    #[arg(long, value_name = "NAME", help_heading = "Need weights")]
    pub need_classes_layer: Option<String>,
    /// The weight of a class; repeatable: --need-class-weight 1=1.5. In the config file: a table
    /// `[need-class-weight]`. Classes not listed weigh 1.
    #[arg(long, value_name = "CLASS=W", value_parser = parse_key_value, help_heading = "Need weights")]
    #[serde(default, with = "key_values")]
    pub need_class_weight: Vec<(String, String)>,

    /// Child counts as a table per area (CSV), joined to area polygons by id (instead of child points).
    #[arg(long, value_name = "PATH", help_heading = "Children from area tables")]
    pub children_table: Option<PathBuf>,
    /// The area id column of --children-table [default: the --children-areas-id name].
    #[arg(long, value_name = "FIELD", help_heading = "Children from area tables")]
    pub children_table_id: Option<String>,
    /// The area polygons the table counts refer to [default: the districts].
    #[arg(long, value_name = "PATH", help_heading = "Children from area tables")]
    pub children_areas: Option<PathBuf>,
    /// The table of --children-areas, when it is a GeoPackage holding several.
    #[arg(long, value_name = "NAME", help_heading = "Children from area tables")]
    pub children_areas_layer: Option<String>,
    /// The id field of --children-areas [default: the district id field].
    #[arg(long, value_name = "FIELD", help_heading = "Children from area tables")]
    pub children_areas_id: Option<String>,
    /// Finer polygons to spread each area's children onto, in proportion to a weight (dasymetric).
    #[arg(long, value_name = "PATH", help_heading = "Children from area tables")]
    pub spread_areas: Option<PathBuf>,
    /// The table of --spread-areas, when it is a GeoPackage holding several.
    #[arg(long, value_name = "NAME", help_heading = "Children from area tables")]
    pub spread_areas_layer: Option<String>,
    /// The id field of --spread-areas [default: id].
    #[arg(long, value_name = "FIELD", help_heading = "Children from area tables")]
    pub spread_areas_id: Option<String>,
    /// The field of --spread-areas naming the coarse area each lies in [default: found by location].
    #[arg(long, value_name = "FIELD", help_heading = "Children from area tables")]
    pub spread_parent: Option<String>,
    /// A table of weights per finer polygon (CSV) [default: --spread-weight read from --spread-areas itself].
    #[arg(long, value_name = "PATH", help_heading = "Children from area tables")]
    pub spread_weights: Option<PathBuf>,
    /// The id column of --spread-weights [default: the --spread-areas-id name].
    #[arg(long, value_name = "FIELD", help_heading = "Children from area tables")]
    pub spread_weights_id: Option<String>,
    /// The weight field (in --spread-weights, or on --spread-areas) [default: equal weights].
    #[arg(long, value_name = "FIELD", help_heading = "Children from area tables")]
    pub spread_weight: Option<String>,
    /// Spread each area's children (after --spread-areas, each finer polygon's) over a regular grid of points this
    /// many metres apart inside it, in proportion to the land each point stands for, so that coverage becomes the
    /// share of an area's ground within reach; 0 keeps one interior point per area [default: 0].
    #[arg(long, value_name = "M", help_heading = "Children from area tables")]
    pub spread_grid: Option<f64>,

    /// Measure every distance along the streets of this OpenStreetMap extract (.osm.pbf) instead of in a straight
    /// line: each child point and arena joins the nearest street, and the snap is walked too. The walkable ways are
    /// OSMnx's `walk` network; only the largest connected part is kept [default: straight line].
    #[arg(long, value_name = "FILE.osm.pbf", help_heading = "Walking network")]
    pub network: Option<PathBuf>,
    /// A point farther than this from the nearest street is warned of (its distance still counts the walk to the
    /// street), metres [default: 500].
    #[arg(long, value_name = "M", help_heading = "Walking network")]
    pub max_snap: Option<f64>,
    /// Walking speed: with it, every distance also gets minutes (`nearest_any_min` …), km/h (e.g. 4.5).
    #[arg(long, value_name = "KMH", help_heading = "Walking network")]
    pub walk_speed: Option<f64>,

    /// Output folder, replaced whole when the run is complete: it must be new, empty or an earlier arenagap output
    /// [default: arenagap-out]; in a config file, relative to the file.
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: Option<PathBuf>,
    /// Also write arenagap.gpkg (GeoPackage with styles) [default: true].
    #[arg(long, value_name = "BOOL", help_heading = "Output")]
    pub gpkg: Option<bool>,
    /// Also write map.png and map.svg [default: true] (report.html has the map either way).
    #[arg(long, value_name = "BOOL", help_heading = "Output")]
    pub map: Option<bool>,
    /// Write text cells of CSV outputs exactly as they are, even ones a spreadsheet would run as a formula (by
    /// default such a cell, starting with =, +, -, @, a tab or a carriage return, gets a leading ') [default: false].
    #[arg(long, value_name = "BOOL", help_heading = "Output")]
    pub csv_raw: Option<bool>,
    /// How CSV outputs are written: `rfc` (RFC 4180: commas, decimal points, for programs) or `sv` (semicolons,
    /// decimal commas and a UTF-8 byte order mark, for a Swedish spreadsheet that opens the file directly)
    /// [default: rfc].
    #[arg(long, value_name = "STYLE", help_heading = "Output")]
    pub csv_style: Option<String>,
    /// A title for the map picture and report.html.
    #[arg(long, value_name = "TEXT", help_heading = "Output")]
    pub title: Option<String>,
    /// Which config file set each key (`crs`, and `kind.RAW` for an entry of a table), so that a value found wrong
    /// after the merge is reported with its file. Keys set by a flag are not here.
    #[arg(skip)]
    #[serde(skip)]
    pub origin: BTreeMap<String, PathBuf>,
}

/// A `[kinds.<id>]` table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct KindTable {
    /// Swedish label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_sv: Option<String>,
    /// English label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// Coverage radius, metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius: Option<f64>,
    /// Symbol shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Symbol colour, `#rrggbb`.
    #[serde(default, alias = "color", skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// Default capacity of its arenas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
}

impl KindTable {
    fn edit(&self) -> std::result::Result<KindEdit, String> {
        let shape = match &self.symbol {
            None => None,
            Some(s) => Some(Shape::from_name(s).ok_or_else(|| {
                let names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
                format!("symbol '{s}' is not one of {}", names.join(", "))
            })?),
        };
        let colour = match &self.colour {
            None => None,
            Some(c) => Some(Rgb::parse(c).ok_or_else(|| format!("colour '{c}' is not #rrggbb"))?),
        };
        Ok(KindEdit {
            label_sv: self.label_sv.clone(),
            label_en: self.label_en.clone(),
            radius: self.radius,
            shape,
            colour,
            capacity: self.capacity,
        })
    }
}

fn parse_arena_path(text: &str) -> std::result::Result<ArenaEntry, String> {
    if text.trim().is_empty() {
        return Err("expected a path".into());
    }
    Ok(ArenaEntry { path: PathBuf::from(text), ..Default::default() })
}

/// `arenas`: a path, a table, or a list of paths and tables (TOML and the JSON of run.json alike).
mod arena_entries {
    use std::fmt;
    use std::path::PathBuf;

    use serde::de::{self, value::MapAccessDeserializer, DeserializeSeed, MapAccess, SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::ArenaEntry;

    pub fn serialize<S: Serializer>(entries: &[ArenaEntry], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(entries.len()))?;
        for e in entries {
            if *e == (ArenaEntry { path: e.path.clone(), ..Default::default() }) {
                seq.serialize_element(&e.path)?;
            } else {
                seq.serialize_element(e)?;
            }
        }
        seq.end()
    }

    struct One;

    impl<'de> Visitor<'de> for One {
        type Value = ArenaEntry;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a path, or a table such as { path = \"bibliotek.csv\", kind = \"bibliotek\" }")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<ArenaEntry, E> {
            Ok(ArenaEntry { path: PathBuf::from(v), ..Default::default() })
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ArenaEntry, A::Error> {
            ArenaEntry::deserialize(MapAccessDeserializer::new(map))
        }
    }

    impl<'de> DeserializeSeed<'de> for One {
        type Value = ArenaEntry;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ArenaEntry, D::Error> {
            d.deserialize_any(self)
        }
    }

    struct Many;

    impl<'de> Visitor<'de> for Many {
        type Value = Vec<ArenaEntry>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a path, a table { path = ..., kind = ... }, or a list of them")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            One.visit_str(v).map(|e| vec![e])
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            One.visit_map(map).map(|e| vec![e])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(e) = seq.next_element_seed(One)? {
                out.push(e);
            }
            Ok(out)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ArenaEntry>, D::Error> {
        d.deserialize_any(Many)
    }
}

/// `RAW=KIND`, or a bare `KIND` (suggest's kinds to site for), kept as `("", KIND)`.
fn parse_kind_entry(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some(_) => parse_key_value(text),
        None if text.trim().is_empty() => Err("expected RAW=KIND or a kind id, got nothing".into()),
        None => Ok((String::new(), text.trim().to_string())),
    }
}

fn parse_key_value(text: &str) -> std::result::Result<(String, String), String> {
    let (k, v) = text.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, got '{text}'"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// TOML tables ↔ the `KEY=VALUE` pairs of the command line.
mod key_values {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Number(f64),
        Integer(i64),
        Bool(bool),
    }

    pub fn serialize<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        pairs.iter().cloned().collect::<BTreeMap<String, String>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        let map = BTreeMap::<String, Scalar>::deserialize(d)?;
        Ok(map
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Scalar::Text(s) => s,
                    Scalar::Number(n) => n.to_string(),
                    Scalar::Integer(n) => n.to_string(),
                    Scalar::Bool(b) => b.to_string(),
                };
                (k, v)
            })
            .collect())
    }
}

/// The keys `options` sets (not null, not empty), and `table.entry` for each entry of a table.
fn set_keys(options: &Options) -> Result<Vec<String>> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(options) else {
        return Err(Error::Config("internal: options did not serialize".into()));
    };
    let mut keys = Vec::new();
    for (k, v) in map {
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::Array(a) if a.is_empty() => {}
            serde_json::Value::Object(entries) => keys.extend(entries.keys().map(|e| format!("{k}.{e}"))),
            _ => keys.push(k),
        }
    }
    Ok(keys)
}

/// The keys that hold input paths (besides the arena files).
fn input_paths(o: &mut Options) -> [&mut Option<PathBuf>; 9] {
    [
        &mut o.network,
        &mut o.districts,
        &mut o.children,
        &mut o.need_weights,
        &mut o.need_classes,
        &mut o.children_table,
        &mut o.children_areas,
        &mut o.spread_areas,
        &mut o.spread_weights,
    ]
}

impl Options {
    /// Reads a TOML config file; its relative input paths are resolved against `data_dir` when given, else the
    /// file's folder.
    pub fn from_file(path: &Path, data_dir: Option<&Path>) -> Result<Options> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut options: Options =
            toml::from_str(&text).map_err(|e| Error::input(path, format!("is not a valid config file: {e}")))?;
        options.check_numbers().map_err(|e| Error::input(path, e))?;
        let osm = options.arenas_osm.is_some() || options.arenas_osm_rules.is_some();
        options.kind_table_with(osm).map_err(|e| Error::input(path, e))?;
        options.origin = set_keys(&options)?.into_iter().map(|k| (k, path.to_path_buf())).collect();
        let base = match data_dir {
            Some(d) => d.to_path_buf(),
            None => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        options.rebase(&base);
        // The output folder of a config file is relative to the file itself (`--data-dir` is for inputs).
        if let Some(out) = options.out.as_mut().filter(|o| o.is_relative()) {
            *out = path.parent().map(Path::to_path_buf).unwrap_or_default().join(&*out);
        }
        Ok(options)
    }

    /// Checks the numbers that are set (radii, gap zone settings), naming the key of the first bad one, so that a
    /// bad value in a config file is reported with the file. [`Options::resolve`] checks them again, with defaults.
    pub fn check_numbers(&self) -> std::result::Result<(), String> {
        let metres = [
            ("radius", self.radius),
            ("radius-familjecentral", self.radius_familjecentral),
            ("radius-oppen-forskola", self.radius_oppen_forskola),
            ("radius-bibliotek", self.radius_bibliotek),
            ("radius-bemannad-lekplats", self.radius_bemannad_lekplats),
            ("zone-link", self.zone_link),
            ("zone-cell", self.zone_cell),
            ("zone-buffer", self.zone_buffer),
            ("max-snap", self.max_snap),
        ];
        for (key, v) in metres {
            if let Some(v) = v.filter(|v| !METRES.contains(v)) {
                return Err(format!(
                    "{key} must be a distance from {} to {} metres, got {v}",
                    METRES.start(),
                    METRES.end()
                ));
            }
        }
        if let Some(v) = self.min_zone_children.filter(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(format!("min-zone-children must be 0 or more, got {v}"));
        }
        if let Some(v) = self.walk_speed.filter(|v| !WALK_SPEED.contains(v)) {
            return Err(format!(
                "walk-speed must be a walking speed from {} to {} km/h, got {v}",
                WALK_SPEED.start(),
                WALK_SPEED.end()
            ));
        }
        if let Some(v) = self.spread_grid.filter(|v| !(*v == 0.0 || METRES.contains(v))) {
            return Err(format!(
                "spread-grid must be 0 (one point per area) or a distance from {} to {} metres, got {v}",
                METRES.start(),
                METRES.end()
            ));
        }
        Ok(())
    }

    /// Resolves relative input paths against `base`.
    pub fn rebase(&mut self, base: &Path) {
        for p in input_paths(self).into_iter().flatten() {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        for e in &mut self.arenas {
            if e.path.is_relative() {
                e.path = base.join(&e.path);
            }
        }
        for p in [&mut self.arenas_osm, &mut self.arenas_osm_rules].into_iter().flatten() {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
    }

    /// Layers `self` (e.g. the command line) over `base` (e.g. the config file): a value set in `self` wins.
    pub fn over(self, base: Options) -> Result<Options> {
        let to_map = |o: &Options| match serde_json::to_value(o) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => Err(Error::Config("internal: options did not serialize".into())),
        };
        let mut origin = base.origin.clone();
        for key in set_keys(&self)? {
            match self.origin.get(&key) {
                Some(file) => origin.insert(key, file.clone()),
                None => origin.remove(&key),
            };
        }
        let mut merged = to_map(&base)?;
        for (k, v) in to_map(&self)? {
            let empty = v.is_null()
                || v.as_object().is_some_and(|m| m.is_empty())
                || v.as_array().is_some_and(|a| a.is_empty());
            if !empty {
                match (merged.get_mut(&k), v) {
                    // Tables (kind mapping, class weights) merge key by key.
                    (Some(serde_json::Value::Object(into)), serde_json::Value::Object(from)) => into.extend(from),
                    (_, v) => {
                        merged.insert(k, v);
                    }
                }
            }
        }
        let mut merged: Options = serde_json::from_value(serde_json::Value::Object(merged))
            .map_err(|e| Error::Config(format!("options: {e}")))?;
        merged.origin = origin;
        Ok(merged)
    }

    /// An error in the value of `key` (`crs`, or `kind.RAW` for an entry of a table): named with the config file
    /// that set it (`profile.toml: crs = "EPSG:9999": …`), else as the flag (`--crs EPSG:9999: …`).
    fn value_error(&self, key: &str, value: &str, message: impl std::fmt::Display) -> Error {
        match (self.origin.get(key), key.split_once('.')) {
            (Some(file), Some((table, entry))) => {
                Error::input(file, format!("[{table}] {entry} = \"{value}\": {message}"))
            }
            (Some(file), None) => Error::input(file, format!("{key} = \"{value}\": {message}")),
            (None, Some((table, entry))) => Error::Config(format!("--{table} \"{entry}={value}\": {message}")),
            (None, None) => Error::Config(format!("--{key} {value}: {message}")),
        }
    }

    /// These options with a scenario's population keys (`table`, as written in the scenario file `path`; its
    /// paths relative to the file, or to `data_dir` when given) layered over them. A scenario that names its own
    /// children layer (`children` or `children-table`) replaces every children key of these options; one that only
    /// changes, say, `children-count` keeps the rest.
    pub fn with_population(&self, table: toml::Table, path: &Path, data_dir: Option<&Path>) -> Result<Options> {
        let mut population: Options = toml::Table::try_into(table)
            .map_err(|e| Error::input(path, format!("is not a valid scenario file: {e}")))?;
        population.origin = set_keys(&population)?.into_iter().map(|k| (k, path.to_path_buf())).collect();
        let base_dir = match data_dir {
            Some(d) => d.to_path_buf(),
            None => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        population.rebase(&base_dir);
        let mut base = self.clone();
        if population.children.is_some() || population.children_table.is_some() {
            for key in crate::input::scenario::POPULATION_KEYS {
                base.origin.remove(key);
            }
            let o = &mut base;
            (o.children, o.children_layer, o.children_count, o.children_table, o.children_table_id) =
                (None, None, None, None, None);
            (o.children_areas, o.children_areas_layer, o.children_areas_id) = (None, None, None);
            (o.spread_areas, o.spread_areas_layer, o.spread_areas_id, o.spread_parent) = (None, None, None, None);
            (o.spread_weights, o.spread_weights_id, o.spread_weight) = (None, None, None);
        }
        population.over(base)
    }

    /// Whether no input layer is named at all (then the demo city is used).
    pub fn names_no_input(&self) -> bool {
        self.districts.is_none()
            && self.children.is_none()
            && self.arenas.is_empty()
            && self.arenas_osm.is_none()
            && self.children_table.is_none()
    }

    /// The bundled demo city's inputs, relative to `root` (the repository folder).
    pub fn demo(root: &Path) -> Options {
        let demo = root.join("data").join("demo");
        Options {
            districts: Some(demo.join("districts.geojson")),
            children: Some(demo.join("children.geojson")),
            children_count: Some("children".into()),
            arenas: vec![ArenaEntry { path: demo.join("arenas.geojson"), ..Default::default() }],
            title: Some("Demo city (synthetic)".into()),
            ..Options::default()
        }
    }

    /// Checks every option and resolves defaults: the configuration the analysis runs with.
    pub fn resolve(self) -> Result<Settings> {
        let crs = |key: &str, v: &Option<String>| -> Result<Option<Crs>> {
            v.as_deref().map(|s| Crs::parse(s).map_err(|e| self.value_error(key, s, e))).transpose()
        };
        let input_crs = crs("crs", &self.crs)?;
        // None: chosen from the data when it is read (SWEREF 99 TM in Sweden, else the data's UTM zone).
        let analysis_crs = crs("analysis-crs", &self.analysis_crs)?;
        if let Some(problem) = analysis_crs.and_then(Crs::analysis_problem) {
            return Err(self.value_error("analysis-crs", self.analysis_crs.as_deref().unwrap_or_default(), problem));
        }
        let output_crs = crs("output-crs", &self.output_crs)?.unwrap_or(Crs::WGS84);
        let csv_style = match self.csv_style.as_deref().map(str::trim) {
            None | Some("rfc") => CsvStyle::Rfc,
            Some("sv") => CsvStyle::Swedish,
            Some(other) => return Err(self.value_error("csv-style", other, "not a CSV style: use rfc or sv")),
        };

        let positive = |key: &str, v: Option<f64>, default: f64| -> Result<f64> {
            let v = v.unwrap_or(default);
            if METRES.contains(&v) {
                Ok(v)
            } else {
                Err(Error::Config(format!(
                    "--{key} must be a distance from {} to {} metres, got {v}",
                    METRES.start(),
                    METRES.end()
                )))
            }
        };
        let radius_any = positive("radius", self.radius, DEFAULT_RADIUS_ANY)?;
        let osm_arenas = self.osm_arena_source()?;
        let playground = osm_arenas.as_ref().is_some_and(|o| o.rules.targets(Kinds::PLAYGROUND));
        let kinds = self.kind_table_with(playground).map_err(Error::Config)?;
        if let Some(osm) = &osm_arenas {
            osm.rules.kind_ids(&kinds)?;
        }
        let min_zone_children = self.min_zone_children.unwrap_or(DEFAULT_MIN_ZONE_CHILDREN);
        if !(min_zone_children.is_finite() && min_zone_children >= 0.0) {
            return Err(Error::Config(format!("--min-zone-children must be 0 or more, got {min_zone_children}")));
        }
        let max_snap = positive("max-snap", self.max_snap, DEFAULT_MAX_SNAP)?;
        if self.max_snap.is_some() && self.network.is_none() {
            return Err(Error::Config("--max-snap is for a walking network: give --network FILE.osm.pbf too".into()));
        }
        let walk_speed = match self.walk_speed {
            Some(v) if !WALK_SPEED.contains(&v) => {
                return Err(Error::Config(format!(
                    "--walk-speed must be a walking speed from {} to {} km/h, got {v}",
                    WALK_SPEED.start(),
                    WALK_SPEED.end()
                )))
            }
            v => v,
        };
        let zone_link = positive("zone-link", self.zone_link, radius_any)?;
        let zone_cell = positive("zone-cell", self.zone_cell, DEFAULT_ZONE_CELL)?;
        let mut warnings = Vec::new();
        if let Some(b) = self.zone_buffer {
            positive("zone-buffer", Some(b), b)?;
            warnings.push(format!(
                "zone-buffer ({b} m) is no longer used: a gap zone is now the ground its uncovered children stand for, \
                 outside every arena's reach (see zone-cell)"
            ));
        }
        let spread_grid = match self.spread_grid {
            None => None,
            Some(0.0) => None,
            Some(v) if METRES.contains(&v) => Some(v),
            Some(v) => {
                return Err(Error::Config(format!(
                    "--spread-grid must be 0 (one point per area) or a distance from {} to {} metres, got {v}",
                    METRES.start(),
                    METRES.end()
                )))
            }
        };
        if spread_grid.is_some() && self.children_table.is_none() {
            return Err(Error::Config(
                "--spread-grid spreads the areas of --children-table; child points (--children) stay where they are"
                    .into(),
            ));
        }

        let mut kind_map = KindMap::new(&kinds);
        let mut focus_kinds = Vec::new();
        for (raw, kind) in &self.kind {
            if raw.is_empty() {
                let id =
                    kinds.find(kind).ok_or_else(|| Error::Config(format!("--kind {kind}: {}", kinds.unknown(kind))))?;
                if !focus_kinds.contains(&id) {
                    focus_kinds.push(id);
                }
                continue;
            }
            kind_map.set(&kinds, raw, kind).map_err(|e| self.value_error(&format!("kind.{raw}"), kind, e))?;
        }
        let arenas = self.arena_sources(&kinds)?;
        let mut class_weights = BTreeMap::new();
        for (class, w) in &self.need_class_weight {
            let w: f64 = crate::input::parse_number(w).filter(|w| *w >= 0.0).ok_or_else(|| {
                self.value_error(&format!("need-class-weight.{class}"), w, format!("'{w}' is not a number ≥ 0"))
            })?;
            class_weights.insert(class.clone(), w);
        }

        let districts = self.districts.clone();
        let district_id = self.district_id.clone().unwrap_or_else(|| "id".into());
        let children = match (&self.children, &self.children_table, &self.spread_areas) {
            (Some(_), Some(_), _) => {
                return Err(Error::Config("give either --children (points) or --children-table, not both".into()))
            }
            (Some(points), None, None) => ChildSource::Points {
                path: points.clone(),
                layer: self.children_layer.clone(),
                count: self.children_count.clone(),
            },
            (Some(_), None, Some(_)) => {
                return Err(Error::Config("--spread-areas goes with --children-table, not with --children".into()))
            }
            (None, Some(table), _) => {
                let areas_id = self.children_areas_id.clone().unwrap_or_else(|| district_id.clone());
                ChildSource::Table(TableSource {
                    table: table.clone(),
                    table_id: self.children_table_id.clone().unwrap_or_else(|| areas_id.clone()),
                    count: self.children_count.clone().unwrap_or_else(|| "children".into()),
                    areas_layer: match &self.children_areas {
                        Some(_) => self.children_areas_layer.clone(),
                        None => self.districts_layer.clone(),
                    },
                    areas: match (&self.children_areas, &districts) {
                        (Some(areas), _) | (None, Some(areas)) => areas.clone(),
                        (None, None) => {
                            return Err(Error::Config(
                                "--children-table needs the areas its counts refer to: give --children-areas PATH \
                                 (or --districts PATH)"
                                    .into(),
                            ))
                        }
                    },
                    areas_id,
                    spread: match &self.spread_areas {
                        None => None,
                        Some(spread) => {
                            let id = self.spread_areas_id.clone().unwrap_or_else(|| "id".into());
                            Some(SpreadSource {
                                areas: spread.clone(),
                                layer: self.spread_areas_layer.clone(),
                                weights_id: self.spread_weights_id.clone().unwrap_or_else(|| id.clone()),
                                id,
                                parent: self.spread_parent.clone(),
                                weights: self.spread_weights.clone(),
                                weight: self.spread_weight.clone(),
                            })
                        }
                    },
                    grid: spread_grid,
                })
            }
            (None, None, _) => {
                return Err(Error::Config(
                    "no children: give --children PATH (points) or --children-table PATH (counts per area)".into(),
                ))
            }
        };
        let need = if let Some(field) = &self.need_weight_field {
            NeedSource::Field(field.clone())
        } else if let Some(path) = &self.need_weights {
            NeedSource::Table {
                path: path.clone(),
                id: self.need_weights_id.clone(),
                value: self.need_weights_value.clone(),
            }
        } else if let Some(field) = &self.need_class_field {
            NeedSource::Classes {
                field: field.clone(),
                layer: self.need_classes.clone(),
                table: self.need_classes_layer.clone(),
                weights: class_weights.clone(),
            }
        } else {
            if self.need_classes.is_some() || !class_weights.is_empty() {
                return Err(Error::Config("need classes need --need-class-field (the class field)".into()));
            }
            NeedSource::None
        };
        let set_count =
            [self.need_weight_field.is_some(), self.need_weights.is_some(), self.need_class_field.is_some()]
                .iter()
                .filter(|b| **b)
                .count();
        if set_count > 1 {
            return Err(Error::Config(
                "give one need-weight source: --need-weight-field, --need-weights or --need-class-field".into(),
            ));
        }

        Ok(Settings {
            load: LoadSpec {
                districts: districts.map(|path| DistrictSource {
                    path,
                    layer: self.districts_layer.clone(),
                    id: district_id,
                    name: self.district_name.clone().unwrap_or_else(|| "name".into()),
                }),
                children,
                arenas,
                osm_arenas,
                kinds,
                kind_map,
                arena_exclude: Exclusions {
                    entries: self.arena_exclude.clone(),
                    file: self.origin.get("arena-exclude").cloned(),
                },
                need,
                input_crs,
                analysis_crs,
                network: self.network.clone().map(|path| NetworkSource { path, rule: WalkRule::osmnx(), max_snap }),
            },
            walk_speed,
            params: Params { radius_any },
            output_crs,
            min_zone_children,
            zone_link,
            zone_cell,
            out: self.out.clone().unwrap_or_else(|| PathBuf::from("arenagap-out")),
            gpkg: self.gpkg.unwrap_or(true),
            map: self.map.unwrap_or(true),
            csv: CsvOptions { raw: self.csv_raw.unwrap_or(false), style: csv_style },
            title: self.title.clone().unwrap_or_else(|| "Family-centred arenas: gaps".into()),
            focus_kinds,
            warnings,
            options: self,
        })
    }

    /// The kind table: the four defaults, then each `[kinds.<id>]` (in id order), the `radius-<kind>` options of
    /// the four defaults (which win over a `[kinds]` radius), and `coverage-kinds`.
    pub fn kind_table(&self) -> std::result::Result<Kinds, String> {
        self.kind_table_with(false)
    }

    /// The kind table, with the reference kind `lekplats` added (unless `[kinds]` has it) before `coverage-kinds`
    /// when `playground` (the OpenStreetMap tag mapping targets it).
    fn kind_table_with(&self, playground: bool) -> std::result::Result<Kinds, String> {
        let mut kinds = Kinds::defaults();
        for (id, table) in &self.kinds {
            let edit = table.edit().map_err(|e| format!("[kinds.{id}]: {e}"))?;
            kinds.upsert(id, edit).map_err(|e| format!("[kinds.{id}]: {e}"))?;
        }
        if playground {
            kinds.ensure_playground()?;
        }
        let flags = [
            ("familjecentral", self.radius_familjecentral),
            ("oppen_forskola", self.radius_oppen_forskola),
            ("bibliotek", self.radius_bibliotek),
            ("bemannad_lekplats", self.radius_bemannad_lekplats),
        ];
        for (id, radius) in flags {
            if let Some(r) = radius {
                kinds
                    .upsert(id, KindEdit { radius: Some(r), ..Default::default() })
                    .map_err(|e| format!("--radius-{}: {e}", id.replace('_', "-")))?;
            }
        }
        if let Some(ids) = &self.coverage_kinds {
            let ids: Vec<String> = ids.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            if ids.is_empty() {
                return Err("coverage-kinds: name at least one kind".into());
            }
            kinds.set_coverage(&ids).map_err(|e| format!("coverage-kinds: {e}"))?;
        }
        Ok(kinds)
    }

    /// The OpenStreetMap extract of `arenas-osm` and its tag mapping (`arenas-osm-rules`, else the built-in one).
    fn osm_arena_source(&self) -> Result<Option<OsmArenaSource>> {
        match (&self.arenas_osm, &self.arenas_osm_rules) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(Error::Config(
                "--arenas-osm-rules is the tag mapping of --arenas-osm: give --arenas-osm FILE.osm.pbf too".into(),
            )),
            (Some(path), rules) => Ok(Some(OsmArenaSource {
                path: path.clone(),
                rules: match rules {
                    Some(file) => OsmArenaRules::from_file(file)?,
                    None => OsmArenaRules::builtin()?,
                },
            })),
        }
    }

    /// The arena files, each with its own settings or the top-level ones.
    fn arena_sources(&self, kinds: &Kinds) -> Result<Vec<ArenaSource>> {
        let defaults = self.arena_fields();
        self.arenas
            .iter()
            .map(|e| {
                e.source(e.path.clone(), &defaults, kinds)
                    .map_err(|m| Error::Config(format!("arenas entry {}: {m}", e.path.display())))
            })
            .collect()
    }

    /// How the run's arena files name their fields (`--arena-kind`, `--arena-name`, …), as an [`ArenaSource`]
    /// without a path: what an entry of `arenas`, or a file a scenario adds, does not set itself.
    pub fn arena_fields(&self) -> ArenaSource {
        ArenaSource {
            path: PathBuf::new(),
            layer: self.arenas_layer.clone(),
            kind: KindSource::Field(self.arena_kind.clone().unwrap_or_else(|| "kind".into())),
            name: self.arena_name.clone(),
            id: self.arena_id.clone(),
            capacity: self.arena_capacity.clone(),
        }
    }
}

impl Settings {
    /// Reads everything into a study ([`crate::input::load`]), with the settings' own warnings added to the
    /// study's.
    pub fn load_study(&self, progress: &mut dyn FnMut(&str)) -> Result<crate::model::study::Study> {
        let mut study = crate::input::load(&self.load, progress)?;
        for w in &self.warnings {
            study.warnings.push(w.clone());
        }
        Ok(study)
    }

    /// The arenas, which `analyze` and `compare` need (`suggest` can do without: demand points alone, no existing
    /// arena), and districts for children from area tables: an error naming the flag when there are none. Child
    /// points without districts make the whole study area one district.
    pub fn require_districts(&self) -> Result<()> {
        if let Some(&k) = self.focus_kinds.first() {
            let id = &self.load.kinds.get(k).id;
            return Err(Error::Config(format!(
                "--kind {id}: a kind alone names what suggest sites for; to map a raw kind value of the arena files, \
                 give --kind \"RAW={id}\""
            )));
        }
        if self.load.arenas.is_empty() && self.load.osm_arenas.is_none() {
            return Err(Error::Config(
                "no arenas layer: give --arenas PATH or --arenas-osm FILE.osm.pbf (or arenas = \"...\" in the config)"
                    .into(),
            ));
        }
        // Without districts the whole study area is one (crate::input::load), unless the children come from a
        // table of areas, which are the districts by default.
        if self.load.districts.is_none() && matches!(self.load.children, ChildSource::Table(_)) {
            return Err(Error::Config(
                "no districts layer: give --districts PATH (or districts = \"...\" in the config)".into(),
            ));
        }
        Ok(())
    }
}

/// The checked configuration one analysis runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// What to read.
    pub load: LoadSpec,
    /// What to evaluate.
    pub params: Params,
    /// The CRS of GeoJSON outputs.
    pub output_crs: Crs,
    /// Minimum children for a drawn gap zone.
    pub min_zone_children: f64,
    /// Link distance of gap zones, metres.
    pub zone_link: f64,
    /// The side of the cells gap zones take around child points that stand for no area, metres.
    pub zone_cell: f64,
    /// Output folder.
    pub out: PathBuf,
    /// Whether to write the GeoPackage.
    pub gpkg: bool,
    /// Whether to write the map picture.
    pub map: bool,
    /// How CSV outputs are written.
    pub csv: CsvOptions,
    /// Map title.
    pub title: String,
    /// The kinds named alone with `--kind KIND`: what `suggest` sites for (empty: not given).
    pub focus_kinds: Vec<crate::model::kinds::KindId>,
    /// Walking speed, km/h: distances are also given in minutes.
    pub walk_speed: Option<f64>,
    /// What the settings themselves warn of (an option no longer used), reported with the loading's warnings.
    pub warnings: Vec<String>,
    /// The options as given (after merging file and flags), for run.json.
    pub options: Options,
}
