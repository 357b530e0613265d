//! Scenario files: a name, arenas to add and arenas to close, in TOML.
//!
//! ```toml
//! name = "Familjecentral i Billdal"
//! close = ["Biblioteket Frölunda", "bibliotek#4"]   # arena ids or names
//!
//! [[add]]
//! name = "Familjecentralen Billdal"
//! kind = "familjecentral"
//! x = 313200
//! y = 6386400
//! crs = "EPSG:3006"        # optional: the analysis CRS
//! capacity = 2             # optional: the kind's default
//! ```
//!
//! `add` may also be a file of arenas (`add = "nya.geojson"`, any arena format with its kind field), a table with
//! `path` and the keys of an `arenas` entry, or a list mixing files and points. Paths are relative to the scenario
//! file. Each error names the file and the entry (`add 2`, `close 1`).

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::crs::{Crs, Transform};
use crate::error::{Error, Result};
use crate::input::layers::load_arenas;
use crate::input::sources::{ArenaEntry, ArenaSource};
use crate::model::facilities::{Facilities, Facility};
use crate::model::kinds::{KindMap, Kinds};
use crate::model::scenario::{find_arena, Scenario};
use crate::model::Warnings;

/// What a scenario is read against: the run's kinds and kind mapping, its arenas, its CRSs, and how its arena
/// files name their fields.
pub struct ScenarioContext<'a> {
    /// The kinds.
    pub kinds: &'a Kinds,
    /// The mapping of raw kind values, for added arena files.
    pub kind_map: &'a KindMap,
    /// The baseline's arenas.
    pub base: &'a Facilities,
    /// The CRS of files that declare none (`--crs`).
    pub fallback: Option<Crs>,
    /// The analysis CRS.
    pub analysis: Crs,
    /// How added arena files name their fields: an [`ArenaSource`] whose path is replaced by each file's.
    pub arena_fields: ArenaSource,
}

/// The keys of a scenario file that give it another population (the run's children keys): handed back as they
/// are written, for the command to read the children with.
pub const POPULATION_KEYS: [&str; 15] = [
    "children",
    "children-layer",
    "children-count",
    "children-table",
    "children-table-id",
    "children-areas",
    "children-areas-layer",
    "children-areas-id",
    "spread-areas",
    "spread-areas-layer",
    "spread-areas-id",
    "spread-parent",
    "spread-weights",
    "spread-weights-id",
    "spread-weight",
];

/// A scenario file read: its facility changes, and its population keys (empty when it keeps the run's children).
#[derive(Debug)]
pub struct ScenarioFile {
    /// What it changes in the facility set.
    pub scenario: Scenario,
    /// Its children keys, as written (paths relative to the scenario file).
    pub population: toml::Table,
}

/// The facility part of a scenario file as written.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Written {
    name: String,
    #[serde(default)]
    add: Option<toml::Value>,
    #[serde(default)]
    close: Vec<String>,
}

/// One arena added at a point.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AddPoint {
    name: String,
    kind: String,
    x: f64,
    y: f64,
    #[serde(default)]
    crs: Option<String>,
    #[serde(default)]
    capacity: Option<f64>,
    #[serde(default)]
    id: Option<String>,
}

/// Reads a scenario file: the facility changes it makes, and its population keys.
pub fn read_scenario(path: &Path, context: &ScenarioContext, warnings: &mut Warnings) -> Result<ScenarioFile> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::input(path, "does not exist: check the path"),
        _ => Error::io(path, e),
    })?;
    let mut table: toml::Table =
        text.parse().map_err(|e| Error::input(path, format!("is not a valid scenario file: {e}")))?;
    let mut population = toml::Table::new();
    for key in POPULATION_KEYS {
        if let Some(v) = table.remove(key) {
            population.insert(key.to_string(), v);
        }
    }
    if let Some(key) = table.keys().find(|k| !["name", "add", "close"].contains(&k.as_str())) {
        return Err(Error::input(
            path,
            format!(
                "is not a valid scenario file: unknown key '{key}': a scenario has name, add, close and, for another \
                 population, the children keys ({})",
                POPULATION_KEYS.join(", ")
            ),
        ));
    }
    let file: Written =
        table.try_into().map_err(|e| Error::input(path, format!("is not a valid scenario file: {e}")))?;
    if file.name.trim().is_empty() {
        return Err(Error::input(path, "the scenario's name is empty: give it a name (name = \"...\")"));
    }
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let entries = match file.add {
        None => Vec::new(),
        Some(toml::Value::Array(list)) => list,
        Some(one) => vec![one],
    };
    let mut added: Vec<Facility> = Vec::new();
    for (n, entry) in entries.into_iter().enumerate() {
        let at = format!("add {}", n + 1);
        match entry {
            toml::Value::String(file) => {
                let file = ArenaEntry { path: file.into(), ..Default::default() };
                added.extend(add_file(path, &at, &folder, file, context, warnings)?)
            }
            toml::Value::Table(table) if table.contains_key("path") => {
                let file: ArenaEntry = table.try_into().map_err(|e| Error::feature(path, at.clone(), e.to_string()))?;
                added.extend(add_file(path, &at, &folder, file, context, warnings)?);
            }
            toml::Value::Table(table) => {
                let point: AddPoint = table.try_into().map_err(|e| Error::feature(path, at.clone(), e.to_string()))?;
                added.push(add_point(path, &at, &file.name, added.len(), point, context)?);
            }
            other => {
                return Err(Error::feature(
                    path,
                    at,
                    format!(
                        "expected a file of arenas (\"nya.geojson\") or a table with name, kind, x and y, not a \
                         value of type {}",
                        other.type_str()
                    ),
                ))
            }
        }
    }
    // Ids are unique across the baseline and what is added, as they are across arena files.
    let mut seen: HashSet<&str> = context.base.iter().map(|f| f.id.as_str()).collect();
    for (n, f) in added.iter().enumerate() {
        if !seen.insert(f.id.as_str()) {
            return Err(Error::input(
                path,
                format!("added arena {} has the id '{}', which another arena has already; give it an id", n + 1, f.id),
            ));
        }
    }
    let mut closed = Vec::with_capacity(file.close.len());
    for (n, key) in file.close.iter().enumerate() {
        let i = find_arena(context.base, key).map_err(|e| Error::feature(path, format!("close {}", n + 1), e))?;
        if closed.contains(&i) {
            return Err(Error::feature(
                path,
                format!("close {}", n + 1),
                format!("closes '{}' again", context.base.get(i).id),
            ));
        }
        closed.push(i);
    }
    closed.sort_unstable();
    let scenario = Scenario { name: file.name.trim().to_string(), added, closed };
    Ok(ScenarioFile { scenario, population })
}

/// The arenas of an added file, read as the run's arena files are (kinds mapped, ids checked).
fn add_file(
    scenario: &Path,
    at: &str,
    folder: &Path,
    file: ArenaEntry,
    context: &ScenarioContext,
    warnings: &mut Warnings,
) -> Result<Vec<Facility>> {
    let path = if file.path.is_relative() { folder.join(&file.path) } else { file.path.clone() };
    let source =
        file.source(path, &context.arena_fields, context.kinds).map_err(|m| Error::feature(scenario, at, m))?;
    let (facilities, _) =
        load_arenas(&[source], context.kinds, context.kind_map, context.fallback, context.analysis, warnings)?;
    Ok(facilities.iter().cloned().collect())
}

/// An arena added at a point: its kind known, its position valid in its CRS and moved into the analysis CRS, its
/// capacity a count, its id given or `<scenario name>#<n>`.
fn add_point(
    scenario: &Path,
    at: &str,
    name: &str,
    number: usize,
    point: AddPoint,
    context: &ScenarioContext,
) -> Result<Facility> {
    let fail = |message: String| Error::feature(scenario, at, message);
    let kind = context
        .kinds
        .find(point.kind.trim())
        .ok_or_else(|| fail(format!("kind {}", context.kinds.unknown(&point.kind))))?;
    let crs = match &point.crs {
        Some(text) => Crs::parse(text).map_err(|e| fail(format!("crs \"{text}\": {e}")))?,
        None => context.analysis,
    };
    let [x0, y0, x1, y1] = crs.bounds();
    // NaN lies in no range.
    if !((x0..=x1).contains(&point.x) && (y0..=y1).contains(&point.y)) {
        return Err(fail(format!(
            "the position ({}, {}) is outside the valid area of {} ({}); are x and y swapped, or is the CRS wrong?",
            point.x,
            point.y,
            crs.code(),
            crs.name()
        )));
    }
    let transform = Transform::new(crs, context.analysis).map_err(|e| fail(e.0))?;
    let (x, y) = transform.apply(point.x, point.y).map_err(|e| fail(e.0))?;
    let capacity = match point.capacity {
        None => context.kinds.get(kind).capacity,
        Some(c) if !c.is_finite() => return Err(fail(format!("capacity is {c}, expected a number ≥ 0"))),
        Some(c) => crate::input::Value::Number(c).to_count("capacity").map_err(fail)?,
    };
    let id = match point.id {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        Some(_) => return Err(fail("the id is empty".into())),
        None => format!("{}#{}", name.trim(), number + 1),
    };
    Ok(Facility { id, name: point.name, kind, position: [x, y], capacity })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::sources::KindSource;
    use std::path::PathBuf;

    fn base(kinds: &Kinds) -> Facilities {
        let fc = kinds.find("familjecentral").unwrap();
        let bib = kinds.find("bibliotek").unwrap();
        let f = |id: &str, name: &str, kind, x: f64| Facility {
            id: id.into(),
            name: name.into(),
            kind,
            position: [x, 6_390_000.0],
            capacity: 1.0,
        };
        Facilities::new(vec![
            f("a#0", "Familjecentralen Väster", fc, 310_000.0),
            f("a#1", "Biblioteket", bib, 312_000.0),
        ])
    }

    fn read(dir: &Path, toml: &str) -> Result<Scenario> {
        read_file(dir, toml).map(|f| f.scenario)
    }

    fn read_file(dir: &Path, toml: &str) -> Result<ScenarioFile> {
        let kinds = Kinds::defaults();
        let kind_map = KindMap::new(&kinds);
        let base = base(&kinds);
        let context = ScenarioContext {
            kinds: &kinds,
            kind_map: &kind_map,
            base: &base,
            fallback: None,
            analysis: Crs::SWEREF99_TM,
            arena_fields: ArenaSource {
                path: PathBuf::new(),
                layer: None,
                kind: KindSource::Field("kind".into()),
                name: None,
                id: None,
                capacity: None,
            },
        };
        let path = dir.join("scenario.toml");
        std::fs::write(&path, toml).unwrap();
        read_scenario(&path, &context, &mut Warnings::default())
    }

    #[test]
    fn points_are_added_and_arenas_closed() {
        let dir = tempfile::tempdir().unwrap();
        let s = read(
            dir.path(),
            "name = \"Billdal\"\nclose = [\"Biblioteket\"]\n[[add]]\nname = \"FC Billdal\"\nkind = \"familjecentral\"\n\
             x = 313200\ny = 6386400\n[[add]]\nname = \"ÖF\"\nkind = \"oppen_forskola\"\nx = 11.95\ny = 57.6\n\
             crs = \"EPSG:4326\"\ncapacity = 3\nid = \"of-1\"\n",
        )
        .unwrap();
        assert_eq!(s.name, "Billdal");
        assert_eq!(s.closed, [1]);
        assert_eq!(s.added.len(), 2);
        assert_eq!(s.added[0].id, "Billdal#1");
        assert_eq!(s.added[0].position, [313_200.0, 6_386_400.0]);
        assert_eq!(s.added[1].id, "of-1");
        assert_eq!(s.added[1].capacity, 3.0);
        // 11.95 E, 57.6 N in SWEREF 99 TM.
        let [x, y] = s.added[1].position;
        assert!((x - 319_000.0).abs() < 2_000.0 && (y - 6_389_000.0).abs() < 2_000.0, "{x} {y}");
    }

    #[test]
    fn population_keys_are_handed_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let f = read_file(dir.path(), "name = \"2030\"\nchildren-count = \"prognos2030_alder_0_5\"\n").unwrap();
        assert_eq!(f.scenario, Scenario { name: "2030".into(), ..Default::default() });
        assert_eq!(f.population.get("children-count").and_then(|v| v.as_str()), Some("prognos2030_alder_0_5"));
        assert!(read_file(dir.path(), "name = \"x\"\n").unwrap().population.is_empty());
    }

    #[test]
    fn an_arena_file_is_added_with_the_run_s_fields() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("nya.geojson"),
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"features":[
               {"type":"Feature","properties":{"kind":"bibliotek","name":"Nytt"},"geometry":{"type":"Point","coordinates":[311000,6391000]}}]}"#,
        )
        .unwrap();
        let s = read(dir.path(), "name = \"Nytt bibliotek\"\nadd = \"nya.geojson\"\n").unwrap();
        assert_eq!(s.added.len(), 1);
        assert_eq!((s.added[0].id.as_str(), s.added[0].name.as_str()), ("nya#0", "Nytt"));
        assert!(s.closed.is_empty());
    }

    #[test]
    fn bad_entries_are_errors_naming_the_file_and_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let add = |rest: &str| format!("name = \"s\"\n[[add]]\nname = \"n\"\nkind = \"familjecentral\"\n{rest}");
        let cases: Vec<(String, &str)> = vec![
            ("name = \"s\"\nclose = [\"Bibliotket\"]\n".into(), "close 1: no arena has the id or name 'Bibliotket'; the closest are 'Biblioteket' (name)"),
            ("name = \"s\"\nclose = [\"a#0\", \"Familjecentralen Väster\"]\n".into(), "close 2: closes 'a#0' again"),
            ("name = \"s\"\nradius = 5\n".into(), "is not a valid scenario file: unknown key 'radius'"),
            ("name = \"s\"\nclose = \"a#0\"\n".into(), "is not a valid scenario file: invalid type"),
            ("name = \"s\"\n[[add]\n".into(), "is not a valid scenario file: TOML parse error at line 2"),
            ("name = \" \"\n".into(), "the scenario's name is empty"),
            (add("x = 5\ny = 6\n"), "add 1: the position (5, 6) is outside the valid area of EPSG:3006"),
            (add("x = nan\ny = 6390000\n"), "add 1: the position (NaN, 6390000)"),
            (add("x = 310000\ny = 6390000\nid = \"a#0\"\n"), "which another arena has already"),
            (add("x = 310000\ny = 6390000\ncapacity = -1\n"), "add 1: field 'capacity' is negative"),
            (add("x = 310000\ny = 6390000\ncapacity = inf\n"), "add 1: capacity is inf"),
            (add("x = 310000\ny = 6390000\ncrs = \"EPSG:9999\"\n"), "add 1: crs \"EPSG:9999\""),
            (add("x = 310000\ny = 6390000\ncolour = 1\n"), "add 1: unknown field `colour`"),
            ("name = \"s\"\n[[add]]\nname = \"n\"\nkind = \"skola\"\nx = 310000\ny = 6390000\n".into(), "add 1: kind 'skola' is not a kind"),
            ("name = \"s\"\nadd = 5\n".into(), "add 1: expected a file of arenas (\"nya.geojson\") or a table with name, kind, x and y, not a value of type integer"),
            ("name = \"s\"\nadd = \"saknas.geojson\"\n".into(), "saknas.geojson: does not exist"),
        ];
        for (toml, says) in cases {
            let message = read(dir.path(), &toml).unwrap_err().to_string();
            assert!(message.contains(says), "{toml}\n{message}");
            if !says.contains("saknas") {
                assert!(message.contains("scenario.toml"), "{message}");
            }
        }
    }
}
