//! From raw [`Layer`]s to the model: CRS resolved, coordinates checked and projected, fields found, and each layer
//! turned into districts, children or facilities.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Geometry, MultiPolygon};

use crate::crs::{Crs, Transform};
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::sources::{ArenaSource, DistrictSource, KindSource};
use crate::input::{read_layer, Format, Layer, ReadOptions};
use crate::model::facilities::{Facilities, Facility};
use crate::model::kinds::{KindMap, Kinds};
use crate::model::shape::{overlaps, shape_problems};
use crate::model::study::InputInfo;
use crate::model::{geometry_name, list_some, self_intersects, Children, District, Warnings};

/// A layer read, its CRS resolved and its geometry moved into the analysis CRS.
#[derive(Clone, Debug)]
pub struct ProjectedLayer {
    /// The layer, geometry now in the analysis CRS.
    pub layer: Layer,
    /// The CRS it was in.
    pub source_crs: Crs,
    /// The table read, for a GeoPackage.
    pub table: Option<String>,
}

/// Reads a layer and moves it into `analysis` coordinates. `fallback` is the CRS for files that declare none.
/// Every coordinate is checked: finite, and within the valid area of its CRS.
pub fn read_projected(
    path: &Path,
    options: &ReadOptions,
    fallback: Option<Crs>,
    analysis: Crs,
) -> Result<ProjectedLayer> {
    let mut layer = read_layer(path, options)?;
    let source_crs = resolve_crs(&layer, fallback)?;
    let [x0, y0, x1, y1] = source_crs.bounds();
    for (i, f) in layer.features.iter().enumerate() {
        let Some(g) = &f.geometry else { continue };
        for c in geo::CoordsIter::coords_iter(g) {
            if !(c.x.is_finite() && c.y.is_finite()) {
                return Err(layer.feature_error(i, format!("has a coordinate that is not a number ({}, {})", c.x, c.y)));
            }
            if c.x < x0 || c.x > x1 || c.y < y0 || c.y > y1 {
                return Err(layer.feature_error(
                    i,
                    format!(
                        "coordinate ({}, {}) is outside the valid area of {} ({}); are x and y swapped, or is the \
                         CRS wrong?",
                        c.x,
                        c.y,
                        source_crs.code(),
                        source_crs.name()
                    ),
                ));
            }
        }
    }
    let transform =
        Transform::new(source_crs, analysis).map_err(|e| Error::Crs { path: path.to_path_buf(), message: e.0 })?;
    if !transform.is_identity() {
        for i in 0..layer.features.len() {
            if let Some(g) = layer.features[i].geometry.as_mut() {
                if let Err(e) = transform.apply_geometry(g) {
                    return Err(layer.feature_error(i, format!("cannot transform to {}: {e}", analysis.code())));
                }
            }
        }
    }
    let table = layer.layer_name.clone();
    Ok(ProjectedLayer { layer, source_crs, table })
}

/// The centre (longitude, latitude) of the bounding box of a layer's coordinates, read without its attributes:
/// where the data lies, to choose an analysis CRS. `None` when it has no finite coordinate or its centre cannot
/// be transformed to WGS 84 (garbage, reported when the layer is read for the analysis).
pub fn lonlat_centre(path: &Path, table: Option<String>, fallback: Option<Crs>) -> Result<Option<(f64, f64)>> {
    let options = ReadOptions { keep_fields: Some(Vec::new()), layer: table, ..Default::default() };
    let layer = read_layer(path, &options)?;
    let crs = resolve_crs(&layer, fallback)?;
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for g in layer.features.iter().filter_map(|f| f.geometry.as_ref()) {
        for c in geo::CoordsIter::coords_iter(g).filter(|c| c.x.is_finite() && c.y.is_finite()) {
            b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
        }
    }
    if b[0] > b[2] {
        return Ok(None);
    }
    let centre = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let to_wgs84 = Transform::new(crs, Crs::WGS84).ok();
    let lonlat = to_wgs84.and_then(|t| t.apply(centre.0, centre.1).ok());
    Ok(lonlat.filter(|(lon, lat)| (-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat)))
}

/// The CRS of a layer: what it declares; else RFC 7946 WGS 84 for GeoJSON with lon/lat coordinates; else the
/// fallback (`--crs`); else WGS 84 when the coordinates are plainly lon/lat, or are all small enough to be degrees
/// (so that a stray latitude of 123 is reported with its feature, by the range check); else an error saying how to
/// declare it.
pub fn resolve_crs(layer: &Layer, fallback: Option<Crs>) -> Result<Crs> {
    if let Some(crs) = layer.crs {
        return Ok(crs);
    }
    let all_coords = |test: fn(geo::Coord<f64>) -> bool| {
        layer.features.iter().filter_map(|f| f.geometry.as_ref()).all(|g| geo::CoordsIter::coords_iter(g).all(test))
    };
    let lonlat = all_coords(|c| (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y));
    // Projected coordinates in metres are far larger than 360 anywhere near Sweden (x from -700 000, y from
    // 5 500 000). NaN passes, to be reported with its feature by the check that every coordinate is finite.
    let degrees = all_coords(|c| !(c.x.abs() > 360.0 || c.y.abs() > 360.0));
    match (layer.format, fallback) {
        (Format::GeoJson, _) if lonlat => Ok(Crs::WGS84),
        (_, Some(crs)) => Ok(crs),
        (_, None) if lonlat || degrees => Ok(Crs::WGS84),
        (format, None) => {
            let how = match format {
                Format::GeoJson => "add a \"crs\" member (as QGIS writes it) or ",
                Format::Shapefile => "add a .prj file or ",
                Format::Csv => "",
                Format::GeoPackage => "set the layer's CRS in the GeoPackage (e.g. with ogr2ogr -a_srs) or ",
            };
            Err(Error::Crs {
                path: layer.path.clone(),
                message: format!(
                    "declares no coordinate system and its coordinates are not longitude/latitude; {how}give \
                     --crs EPSG:3006 (or crs = \"EPSG:3006\" in the config) for the CRS it is in"
                ),
            })
        }
    }
}

/// A point geometry as a position, or an error naming the feature.
pub fn point_of(layer: &Layer, i: usize, what: &str) -> Result<[f64; 2]> {
    match &layer.features[i].geometry {
        Some(Geometry::Point(p)) => Ok([p.x(), p.y()]),
        Some(Geometry::MultiPoint(mp)) if mp.0.len() == 1 => Ok([mp.0[0].x(), mp.0[0].y()]),
        Some(g) => {
            Err(layer.feature_error(i, format!("geometry is a {}, expected a Point ({what})", geometry_name(g))))
        }
        None => Err(layer.feature_error(i, format!("has no geometry, expected a Point ({what})"))),
    }
}

/// A polygonal geometry as a MultiPolygon, or an error naming the feature.
pub fn polygon_of(layer: &Layer, i: usize, what: &str) -> Result<MultiPolygon<f64>> {
    match &layer.features[i].geometry {
        Some(Geometry::Polygon(p)) => Ok(MultiPolygon(vec![p.clone()])),
        Some(Geometry::MultiPolygon(mp)) => Ok(mp.clone()),
        Some(g) => Err(layer.feature_error(
            i,
            format!("geometry is a {}, expected a Polygon or MultiPolygon ({what})", geometry_name(g)),
        )),
        None => Err(layer.feature_error(i, format!("has no geometry, expected a Polygon ({what})"))),
    }
}

/// A field's value as an id: text as it is, numbers without a trailing `.0`; an error when null.
pub fn id_of(layer: &Layer, i: usize, field: usize) -> Result<String> {
    layer.features[i].values[field].to_text().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
        layer.feature_error(i, format!("field '{}' is empty; every feature needs an id", layer.fields[field]))
    })
}

/// A field's value as a count (a number ≥ 0), or an error naming the feature.
pub fn count_of(layer: &Layer, i: usize, field: usize) -> Result<f64> {
    layer.features[i].values[field].to_count(&layer.fields[field]).map_err(|m| layer.feature_error(i, m))
}

impl ProjectedLayer {
    /// What this layer was, for run.json.
    pub fn info(&self, layer: &str, features: usize) -> InputInfo {
        InputInfo {
            layer: layer.into(),
            path: self.layer.path.clone(),
            table: self.table.clone(),
            format: self.layer.format.name().into(),
            crs: self.source_crs.code(),
            features,
        }
    }
}

/// Reads district polygons: ids unique and non-empty, geometry polygonal. Invalid polygons (self-intersections)
/// are kept, since point-in-polygon tolerates them, with a warning. `extra_fields` are kept for need weights.
pub fn load_districts(
    source: &DistrictSource,
    extra_fields: &[String],
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Vec<District>, ProjectedLayer)> {
    let path = &source.path;
    let mut keep = vec![source.id.clone(), source.name.clone()];
    keep.extend(extra_fields.iter().cloned());
    let options = ReadOptions { keep_fields: Some(keep), layer: source.layer.clone(), ..Default::default() };
    let projected = read_projected(path, &options, fallback, analysis)?;
    let layer = &projected.layer;
    if layer.features.is_empty() {
        return Err(Error::input(path, "has no features: a districts layer needs at least one polygon"));
    }
    let id = layer.field_index(&source.id)?;
    let name = layer.field_index(&source.name)?;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut districts: Vec<District> = Vec::with_capacity(layer.features.len());
    let mut invalid = Vec::new();
    for i in 0..layer.features.len() {
        let district_id = id_of(layer, i, id)?;
        if let Some(first) = seen.insert(district_id.clone(), i) {
            return Err(layer
                .feature_error(i, format!("duplicate district id '{district_id}' (also {})", layer.location(first))));
        }
        let geometry = polygon_of(layer, i, "a district")?;
        if self_intersects(&geometry) {
            invalid.push(district_id.clone());
        }
        let name = layer.features[i].values[name].to_text().unwrap_or_default();
        districts.push(District { id: district_id, name, geometry });
    }
    if !invalid.is_empty() {
        warnings.push(format!(
            "{}: {} district polygon(s) have rings that cross or touch themselves: {}; they are used as they \
             are, since point-in-polygon tolerates them",
            path.display(),
            invalid.len(),
            invalid.join(", ")
        ));
    }
    warn_shapes(layer, districts.iter().map(|d| (&d.geometry, d.id.as_str())), warnings);
    Ok((districts, projected))
}

/// How many of a list a warning names before it says "and N more".
const LISTED: usize = 20;

/// Warns once for a polygon layer whose features have degenerate shapes (rings that enclose nothing, empty parts,
/// holes outside their shell, and what the reader repaired: rings not closed), naming each feature, its id and
/// what is wrong. `shapes` are each feature's geometry and id, in the layer's order.
pub fn warn_shapes<'a>(
    layer: &Layer,
    shapes: impl Iterator<Item = (&'a MultiPolygon<f64>, &'a str)>,
    warnings: &mut Warnings,
) {
    let mut notes: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (i, note) in &layer.notes {
        notes.entry(*i).or_default().push(note);
    }
    let found: Vec<String> = shapes
        .enumerate()
        .filter_map(|(i, (geometry, id))| {
            let mut problems = shape_problems(geometry);
            problems.extend(notes.get(&i).into_iter().flatten().map(|note| note.to_string()));
            (!problems.is_empty()).then(|| format!("{} ('{id}'): {}", layer.location(i), problems.join("; ")))
        })
        .collect();
    if found.is_empty() {
        return;
    }
    warnings.push(format!(
        "{}: {} polygon(s) have degenerate shapes, used as they are (points in them are located by the \
         rest of the shape): {}",
        layer.path.display(),
        found.len(),
        list_some(&found, LISTED, "; ")
    ));
}

/// Warns once for districts that overlap by more than a sliver (0.1% of the smaller one), naming each pair and
/// the area they share. A point in an overlap is counted in the one that comes first. `index` holds the districts'
/// polygons, in the layer's order.
pub fn warn_overlaps(layer: &Layer, index: &PolygonIndex, districts: &[District], warnings: &mut Warnings) {
    let found = overlaps(index, 0.001);
    if found.is_empty() {
        return;
    }
    let pairs: Vec<String> = found
        .iter()
        .map(|o| {
            format!(
                "'{}' ({}) and '{}' ({}) share {}",
                districts[o.a].id,
                layer.location(o.a),
                districts[o.b].id,
                layer.location(o.b),
                area_text(o.area)
            )
        })
        .collect();
    warnings.push(format!(
        "{}: {} pair(s) of polygons overlap; a point in an overlap is counted in the one that comes first in the file: {}",
        layer.path.display(),
        found.len(),
        list_some(&pairs, LISTED, "; ")
    ));
}

/// An area in square metres for people: `850 m²`, `3.2 ha`, `41.5 km²`.
fn area_text(m2: f64) -> String {
    if m2 >= 1e6 {
        format!("{:.1} km²", m2 / 1e6)
    } else if m2 >= 1e4 {
        format!("{:.1} ha", m2 / 1e4)
    } else {
        format!("{m2:.0} m²")
    }
}

/// Reads child points with an optional count field (1 per point without one).
pub fn load_children(
    path: &Path,
    table: Option<&str>,
    count_field: Option<&str>,
    fallback: Option<Crs>,
    analysis: Crs,
) -> Result<(Children, ProjectedLayer)> {
    let keep = count_field.map(|c| vec![c.to_string()]).unwrap_or_default();
    let options = ReadOptions { keep_fields: Some(keep), layer: table.map(str::to_string), ..Default::default() };
    let mut projected = read_projected(path, &options, fallback, analysis)?;
    let layer = &projected.layer;
    if layer.features.is_empty() {
        return Err(Error::input(path, "has no features: a children layer needs at least one point"));
    }
    let count = count_field.map(|c| layer.field_index(c)).transpose()?;
    let mut children = Children {
        points: Vec::with_capacity(layer.features.len()),
        counts: Vec::with_capacity(layer.features.len()),
        footprints: None,
    };
    for i in 0..layer.features.len() {
        children.points.push(point_of(layer, i, "a child point")?);
        children.counts.push(match count {
            Some(c) => count_of(layer, i, c)?,
            None => 1.0,
        });
    }
    // The points are now in `children`; free the layer's copy before the analysis allocates.
    projected.layer.features = Vec::new();
    Ok((children, projected))
}

/// The name fields looked for when none is given.
pub(crate) const NAME_FIELDS: [&str; 6] = ["name", "namn", "NAME", "Name", "NAMN", "Namn"];

/// Reads every arena file, in order, into one facility set. Each arena gets its kind (from a field through the
/// kind map, or the file's fixed kind), its id (`arena-id` field, else `<file stem>#<feature number>`), its name
/// and its capacity (field, else the kind's default). Unmapped kinds are reported with counts and left out;
/// arenas mapped to `none` are left out quietly. An id used twice, in one file or two, is an error naming both.
pub fn load_arenas(
    sources: &[ArenaSource],
    kinds: &Kinds,
    kind_map: &KindMap,
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Facilities, Vec<InputInfo>)> {
    let mut list = Vec::new();
    let mut infos = Vec::new();
    // id → (file, location) of its first use.
    let mut seen: std::collections::HashMap<String, (std::path::PathBuf, String)> = Default::default();
    for source in sources {
        let path = &source.path;
        let options = ReadOptions { layer: source.layer.clone(), ..Default::default() };
        let projected = read_projected(path, &options, fallback, analysis)?;
        let layer = &projected.layer;
        let kind = match &source.kind {
            KindSource::Field(f) => Ok(layer.field_index(f)?),
            KindSource::Fixed(id) => {
                Err(kinds.find(id).ok_or_else(|| Error::input(path, format!("kind {}", kinds.unknown(id))))?)
            }
        };
        let name = match &source.name {
            Some(n) => Some(layer.field_index(n)?),
            None => NAME_FIELDS.iter().find_map(|n| layer.field_index(n).ok()),
        };
        let id = source.id.as_deref().map(|f| layer.field_index(f)).transpose()?;
        let capacity = source.capacity.as_deref().map(|f| layer.field_index(f)).transpose()?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..layer.features.len() {
            let position = point_of(layer, i, "an arena")?;
            let kind = match kind {
                Err(k) => k,
                Ok(field) => {
                    let raw = layer.features[i].values[field].to_text().unwrap_or_default();
                    match kind_map.get(&raw) {
                        Some(Some(k)) => k,
                        Some(None) => continue,
                        None => {
                            *unmapped.entry(raw).or_default() += 1;
                            continue;
                        }
                    }
                }
            };
            let arena_id = match id {
                Some(f) => id_of(layer, i, f)?,
                None => format!("{stem}#{}", layer.feature_number(i)),
            };
            let capacity = match capacity {
                Some(f) => count_of(layer, i, f)?,
                None => kinds.get(kind).capacity,
            };
            if let Some((first_path, first_at)) = seen.get(&arena_id) {
                let hint = if id.is_none() {
                    "; ids default to <file stem>#<feature number>, so two files of the same name need an arena-id \
                     field (--arena-id, or arena-id in the file's arenas entry)"
                } else {
                    ""
                };
                return Err(layer.feature_error(
                    i,
                    format!("duplicate arena id '{arena_id}' (also {}, {first_at}){hint}", first_path.display()),
                ));
            }
            seen.insert(arena_id.clone(), (path.clone(), layer.location(i)));
            list.push(Facility {
                id: arena_id,
                name: name.and_then(|n| layer.features[i].values[n].to_text()).unwrap_or_default(),
                kind,
                position,
                capacity,
            });
        }
        if !unmapped.is_empty() {
            let list: Vec<String> = unmapped.iter().map(|(k, n)| format!("'{k}' ({n})")).collect();
            warnings.push(format!(
                "{}: arenas with unmapped kinds were left out: {}; map them with --kind \"RAW=KIND\" (a kind, or \
                 none), or add the kind with a [kinds.ID] table",
                path.display(),
                list.join(", ")
            ));
        }
        infos.push(projected.info("arenas", layer.features.len()));
    }
    Ok((Facilities::new(list), infos))
}
