//! The analysis model: districts, children and arenas in the analysis CRS, checked and ready for the engine,
//! and the step that makes them from raw [`Layer`]s (CRS resolved, coordinates checked, fields found).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geo::{Geometry, MultiPolygon};

use crate::crs::{Crs, Transform};
use crate::error::{Error, Result};
use crate::input::{read_layer, Format, Layer, ReadOptions};

pub mod kinds;

/// The four kinds of family-centred arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArenaKind {
    /// Family centre: child health care, midwife, open preschool and social services under one roof.
    Familjecentral,
    /// Open preschool: drop-in for parents on leave with children 0–5.
    OppenForskola,
    /// Public library.
    Bibliotek,
    /// Staffed playground (bemannad lekplats, utflyktslekplats, parklek).
    BemannadLekplats,
}

impl ArenaKind {
    /// All kinds, in output order.
    pub const ALL: [ArenaKind; 4] =
        [ArenaKind::Familjecentral, ArenaKind::OppenForskola, ArenaKind::Bibliotek, ArenaKind::BemannadLekplats];

    /// The id used in field names and configs: `familjecentral`, `oppen_forskola`, `bibliotek`,
    /// `bemannad_lekplats`.
    pub fn id(self) -> &'static str {
        match self {
            ArenaKind::Familjecentral => "familjecentral",
            ArenaKind::OppenForskola => "oppen_forskola",
            ArenaKind::Bibliotek => "bibliotek",
            ArenaKind::BemannadLekplats => "bemannad_lekplats",
        }
    }

    /// Position in [`ArenaKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The default coverage radius, metres: a family centre is worth a longer trip (2,500 m), the others
    /// 1,500 m.
    pub fn default_radius(self) -> f64 {
        match self {
            ArenaKind::Familjecentral => 2500.0,
            _ => 1500.0,
        }
    }

    /// The kind for an id.
    pub fn from_id(id: &str) -> Option<ArenaKind> {
        ArenaKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// Maps raw kind values, as sources write them, to arena kinds. Matching ignores case, spaces, hyphens and
/// å/ä/ö versus a/a/o, so `Öppen förskola`, `oppen_forskola` and `öppen-förskola` are one value.
#[derive(Clone, Debug)]
pub struct KindMap {
    map: HashMap<String, Option<ArenaKind>>,
}

impl Default for KindMap {
    fn default() -> Self {
        let mut map = HashMap::new();
        let defaults: [(&str, ArenaKind); 14] = [
            ("familjecentral", ArenaKind::Familjecentral),
            ("family centre", ArenaKind::Familjecentral),
            ("family center", ArenaKind::Familjecentral),
            ("öppen förskola", ArenaKind::OppenForskola),
            ("open preschool", ArenaKind::OppenForskola),
            ("bibliotek", ArenaKind::Bibliotek),
            ("library", ArenaKind::Bibliotek),
            ("folkbibliotek", ArenaKind::Bibliotek),
            ("bemannad lekplats", ArenaKind::BemannadLekplats),
            ("utflyktslekplats", ArenaKind::BemannadLekplats),
            ("parklek", ArenaKind::BemannadLekplats),
            ("staffed playground", ArenaKind::BemannadLekplats),
            ("byggnadslekplats", ArenaKind::BemannadLekplats),
            ("bemannade lekplatser", ArenaKind::BemannadLekplats),
        ];
        for (raw, kind) in defaults {
            map.insert(normalize_kind(raw), Some(kind));
        }
        KindMap { map }
    }
}

impl KindMap {
    /// Maps `raw` to the kind `kind` (an id), or to nothing with `none` or an empty string.
    pub fn set(&mut self, raw: &str, kind: &str) -> std::result::Result<(), String> {
        let target = match kind.trim() {
            "" | "none" | "-" => None,
            k => Some(ArenaKind::from_id(k).ok_or_else(|| {
                format!("'{k}' is not a kind; use familjecentral, oppen_forskola, bibliotek, bemannad_lekplats or none")
            })?),
        };
        self.map.insert(normalize_kind(raw), target);
        Ok(())
    }

    /// The kind of a raw value: `Some(Some(kind))`, `Some(None)` when mapped to nothing, `None` when unmapped.
    pub fn get(&self, raw: &str) -> Option<Option<ArenaKind>> {
        self.map.get(&normalize_kind(raw)).copied()
    }
}

fn normalize_kind(raw: &str) -> String {
    raw.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' => 'o',
            'é' => 'e',
            ' ' | '-' | '\t' => '_',
            c => c,
        })
        .collect()
}

/// One district.
#[derive(Clone, Debug)]
pub struct District {
    /// Its id (as text, whatever the source type).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its area, in the analysis CRS.
    pub geometry: MultiPolygon<f64>,
}

/// Child points, stored as columns (a million of them must stay small).
#[derive(Clone, Debug, Default)]
pub struct Children {
    /// Positions, in the analysis CRS.
    pub points: Vec<[f64; 2]>,
    /// Children at each position.
    pub counts: Vec<f64>,
}

impl Children {
    /// How many points.
    pub fn len(&self) -> usize {
        self.points.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
    /// The total number of children.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
}

/// One arena.
#[derive(Clone, Debug)]
pub struct Arena {
    /// Its name (may be empty).
    pub name: String,
    /// Its kind.
    pub kind: ArenaKind,
    /// Its position, in the analysis CRS.
    pub position: [f64; 2],
}

/// Warnings collected while loading and analysing: printed on stderr and kept in run.json.
#[derive(Clone, Debug, Default)]
pub struct Warnings(pub Vec<String>);

impl Warnings {
    /// Adds one.
    pub fn push(&mut self, message: impl Into<String>) {
        self.0.push(message.into());
    }
}

/// A layer read, its CRS resolved and its geometry moved into the analysis CRS.
#[derive(Clone, Debug)]
pub struct ProjectedLayer {
    /// The layer, geometry now in the analysis CRS.
    pub layer: Layer,
    /// The CRS it was in.
    pub source_crs: Crs,
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
    Ok(ProjectedLayer { layer, source_crs })
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

/// The GeoJSON name of a geometry's type.
pub fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
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

/// Reads district polygons: ids unique and non-empty, geometry polygonal. Invalid polygons (self-intersections)
/// are kept, since point-in-polygon tolerates them, with a warning.
pub fn load_districts(
    path: &Path,
    id_field: &str,
    name_field: &str,
    extra_fields: &[String],
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Vec<District>, ProjectedLayer)> {
    let mut keep = vec![id_field.to_string(), name_field.to_string()];
    keep.extend(extra_fields.iter().cloned());
    let projected =
        read_projected(path, &ReadOptions { keep_fields: Some(keep), ..Default::default() }, fallback, analysis)?;
    let layer = &projected.layer;
    if layer.features.is_empty() {
        return Err(Error::input(path, "has no features: a districts layer needs at least one polygon"));
    }
    let id = layer.field_index(id_field)?;
    let name = layer.field_index(name_field)?;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut districts = Vec::with_capacity(layer.features.len());
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
    Ok((districts, projected))
}

/// A segment of a ring, for the sweep: which ring it is in and where.
#[derive(Clone, Copy, Debug)]
struct RingSegment {
    line: geo::Line<f64>,
    ring: usize,
    index: usize,
    len: usize,
}

impl geo::algorithm::sweep::Cross for RingSegment {
    type Scalar = f64;
    fn line(&self) -> geo::Line<f64> {
        self.line
    }
}

/// Whether any ring of `geometry` crosses or touches itself or another ring: any two segments meet other than
/// two neighbours of one ring at their shared vertex. A plane sweep (geo's `Intersections`), so a district of
/// thousands of vertices is checked in microseconds, where a full OGC validity check takes a large share of a run.
/// Used only to warn: point-in-polygon works on such polygons either way.
pub fn self_intersects(geometry: &MultiPolygon<f64>) -> bool {
    let mut segments = Vec::new();
    let rings = geometry.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    for (ring, line_string) in rings.enumerate() {
        let lines: Vec<geo::Line<f64>> = line_string.lines().filter(|l| l.start != l.end).collect();
        let len = lines.len();
        segments.extend(lines.into_iter().enumerate().map(|(index, line)| RingSegment { line, ring, index, len }));
    }
    geo::algorithm::sweep::Intersections::from_iter(segments).any(|(a, b, meeting)| {
        let neighbours = a.ring == b.ring && {
            let gap = a.index.abs_diff(b.index);
            gap == 1 || gap + 1 == a.len
        };
        let at_a_vertex = matches!(meeting, geo::LineIntersection::SinglePoint { is_proper: false, .. });
        !(neighbours && at_a_vertex)
    })
}

/// Reads child points with an optional count field (1 per point without one).
pub fn load_children(
    path: &Path,
    count_field: Option<&str>,
    fallback: Option<Crs>,
    analysis: Crs,
) -> Result<(Children, ProjectedLayer)> {
    let keep = count_field.map(|c| vec![c.to_string()]).unwrap_or_default();
    let mut projected =
        read_projected(path, &ReadOptions { keep_fields: Some(keep), ..Default::default() }, fallback, analysis)?;
    let layer = &projected.layer;
    if layer.features.is_empty() {
        return Err(Error::input(path, "has no features: a children layer needs at least one point"));
    }
    let count = count_field.map(|c| layer.field_index(c)).transpose()?;
    let mut children =
        Children { points: Vec::with_capacity(layer.features.len()), counts: Vec::with_capacity(layer.features.len()) };
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

/// Reads arena points and maps their kinds. Unmapped kinds are reported (with counts) and left out; arenas
/// mapped to `none` are left out quietly.
pub fn load_arenas(
    path: &Path,
    kind_field: &str,
    name_field: Option<&str>,
    kinds: &KindMap,
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Vec<Arena>, ProjectedLayer)> {
    let projected = read_projected(path, &ReadOptions::default(), fallback, analysis)?;
    let layer = &projected.layer;
    let kind = layer.field_index(kind_field)?;
    let name = match name_field {
        Some(n) => Some(layer.field_index(n)?),
        None => ["name", "namn", "NAME", "Name", "NAMN", "Namn"].iter().find_map(|n| layer.field_index(n).ok()),
    };
    let mut arenas = Vec::with_capacity(layer.features.len());
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    for i in 0..layer.features.len() {
        let position = point_of(layer, i, "an arena")?;
        let raw = layer.features[i].values[kind].to_text().unwrap_or_default();
        match kinds.get(&raw) {
            Some(Some(k)) => arenas.push(Arena {
                name: name.and_then(|n| layer.features[i].values[n].to_text()).unwrap_or_default(),
                kind: k,
                position,
            }),
            Some(None) => {}
            None => *unmapped.entry(raw).or_default() += 1,
        }
    }
    if !unmapped.is_empty() {
        let list: Vec<String> = unmapped.iter().map(|(k, n)| format!("'{k}' ({n})")).collect();
        warnings.push(format!(
            "{}: arenas with unmapped kinds were left out: {}; map them with --kind \"RAW=KIND\" (a kind, or none)",
            path.display(),
            list.join(", ")
        ));
    }
    Ok((arenas, projected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_intersection_is_found_and_valid_rings_pass() {
        use geo::{polygon, MultiPolygon};
        let bow_tie =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)];
        assert!(self_intersects(&MultiPolygon(vec![bow_tie])));
        let with_hole = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 4.0, y: 2.0), (x: 4.0, y: 4.0), (x: 2.0, y: 2.0)]],
        );
        assert!(!self_intersects(&MultiPolygon(vec![with_hole.clone()])));
        // A hole crossing the exterior.
        let crossing = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 8.0, y: 2.0), (x: 12.0, y: 2.0), (x: 12.0, y: 4.0), (x: 8.0, y: 2.0)]],
        );
        assert!(self_intersects(&MultiPolygon(vec![crossing])));
    }

    #[test]
    fn self_intersection_agrees_with_ogc_validity_on_random_rings() {
        use geo::{LineString, MultiPolygon, Polygon};
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut invalid = 0;
        for _ in 0..500 {
            // Random vertex order: often self-intersecting; sorted by angle: a simple (star-shaped) ring.
            let n = rng.random_range(3..9);
            let mut pts: Vec<(f64, f64)> =
                (0..n).map(|_| (rng.random_range(0.0..100.0), rng.random_range(0.0..100.0))).collect();
            if rng.random_bool(0.5) {
                let (cx, cy) = (50.0, 50.0);
                pts.sort_by(|a, b| (a.1 - cy).atan2(a.0 - cx).total_cmp(&(b.1 - cy).atan2(b.0 - cx)));
            }
            let polygon = MultiPolygon(vec![Polygon::new(LineString::from(pts), vec![])]);
            let ogc_valid = geo::Validation::is_valid(&polygon);
            invalid += usize::from(!ogc_valid);
            assert_eq!(self_intersects(&polygon), !ogc_valid, "{polygon:?}");
        }
        assert!(invalid > 50, "the oracle saw too few invalid rings to mean much");
    }

    #[test]
    fn kind_values_are_matched_loosely() {
        let map = KindMap::default();
        assert_eq!(map.get("Öppen förskola"), Some(Some(ArenaKind::OppenForskola)));
        assert_eq!(map.get("oppen_forskola"), Some(Some(ArenaKind::OppenForskola)));
        assert_eq!(map.get(" BIBLIOTEK "), Some(Some(ArenaKind::Bibliotek)));
        assert_eq!(map.get("Bemannad lekplats"), Some(Some(ArenaKind::BemannadLekplats)));
        assert_eq!(map.get("Skola"), None);
    }

    #[test]
    fn kind_mapping_can_exclude_and_add() {
        let mut map = KindMap::default();
        map.set("Skola", "none").unwrap();
        map.set("Lekotek", "oppen_forskola").unwrap();
        assert_eq!(map.get("skola"), Some(None));
        assert_eq!(map.get("lekotek"), Some(Some(ArenaKind::OppenForskola)));
        assert!(map.set("x", "school").is_err());
    }
}
