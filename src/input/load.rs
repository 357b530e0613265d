//! Settings → Study: the one place files are read. Every layer is read, projected into the analysis CRS and
//! checked; districts are indexed and every child located; need weights are resolved. After this nothing is read.

use std::path::Path;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::index::PolygonIndex;
use crate::input::diagnose::{diagnose, Declared};
use crate::input::layers::{load_arenas, load_children, load_districts, lonlat_centre, warn_overlaps};
use crate::input::sources::{ChildSource, Exclusions, LoadSpec, OsmArenaSource};
use crate::input::walking::load_network;
use crate::model::facilities::{Facilities, Facility};
use crate::model::members::Members;
use crate::model::scenario::find_arena;
use crate::model::study::{InputInfo, Study};
use crate::model::{Children, District, Warnings};
use crate::need;

/// Reads everything `spec` names into a [`Study`]. `progress` is told of each step.
pub fn load(spec: &LoadSpec, progress: &mut dyn FnMut(&str)) -> Result<Study> {
    let mut warnings = Warnings::default();
    let fallback = spec.input_crs;
    let analysis_crs = match spec.analysis_crs {
        Some(crs) => crs,
        None => choose_analysis_crs(spec, &mut warnings)?,
    };
    let mut inputs = Vec::new();

    // Siting can run on demand points alone: then there are no districts, and every point is in none.
    let (districts, district_layer) = match &spec.districts {
        Some(source) => {
            progress("reading districts");
            let fields = need::district_fields(&spec.need);
            let (districts, layer) = load_districts(source, &fields, fallback, analysis_crs, &mut warnings)?;
            inputs.push(layer.info("districts", districts.len()));
            (districts, Some(layer))
        }
        None if !matches!(spec.need, crate::input::sources::NeedSource::None) => {
            return Err(Error::Config("need weights are given per district: give --districts PATH too".into()))
        }
        None => (Vec::new(), None),
    };

    progress("reading children");
    // The children's file (the areas' file for an area table) and the CRS its points were read in.
    let (children, children_table, children_file, children_crs) = match &spec.children {
        ChildSource::Points { path, layer, count } => {
            let (children, projected) =
                load_children(path, layer.as_deref(), count.as_deref(), fallback, analysis_crs)?;
            inputs.push(projected.info("children", children.len()));
            (children, None, path.clone(), Some(projected.source_crs))
        }
        ChildSource::Table(table) => {
            let (children, report) =
                crate::population::children_from_table(table, fallback, analysis_crs, &mut warnings)?;
            let report = serde_json::to_value(&report).map_err(|e| Error::Config(e.to_string()))?;
            (children, Some(report), table.areas.clone(), None)
        }
    };

    progress("reading arenas");
    let (facilities, arena_inputs) =
        load_arenas(&spec.arenas, &spec.kinds, &spec.kind_map, fallback, analysis_crs, &mut warnings)?;
    inputs.extend(arena_inputs);
    let facilities = match &spec.osm_arenas {
        None => facilities,
        Some(osm) => {
            progress("reading arenas from OpenStreetMap");
            let (facilities, info) = with_osm_arenas(facilities, osm, &spec.kinds, analysis_crs, &mut warnings)?;
            inputs.push(info);
            facilities
        }
    };
    let (facilities, excluded) = exclude_arenas(facilities, &spec.arena_exclude)?;
    if facilities.is_empty() && (!spec.arenas.is_empty() || spec.osm_arenas.is_some()) {
        let files: Vec<String> = spec
            .arenas
            .iter()
            .map(|a| &a.path)
            .chain(spec.osm_arenas.as_ref().map(|o| &o.path))
            .map(|p| p.display().to_string())
            .collect();
        warnings.push(format!(
            "{}: no arena of a known kind: every child is uncovered (check --arena-kind and the kind mapping)",
            files.join(", ")
        ));
    }

    // Without districts, the whole study area is one, named after the children's file: a study of an
    // OpenStreetMap extract needs only children and arenas.
    let districts = match (&spec.districts, &spec.children) {
        (None, ChildSource::Points { path, .. }) if !children.is_empty() => {
            vec![whole_area(path, &children.points, &facilities)]
        }
        _ => districts,
    };

    progress("locating children in districts");
    let district_index = PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect());
    let child_district = district_index.locate_all(&children.points);
    let mut need_weight = Vec::new();
    if let (Some(layer), Some(source)) = (&district_layer, &spec.districts) {
        warn_overlaps(&layer.layer, &district_index, &districts, &mut warnings);
        let declared = Declared { children: children_crs, districts: layer.source_crs, analysis: analysis_crs };
        check_outside(
            &children,
            &child_district,
            &district_index,
            declared,
            &children_file,
            &source.path,
            &mut warnings,
        )?;
        need_weight = need::need_weights(
            &spec.need,
            &districts,
            &layer.layer,
            &children,
            &child_district,
            fallback,
            analysis_crs,
            &mut warnings,
        )?;
    }
    drop(district_layer);
    if need_weight.len() != districts.len() {
        need_weight = vec![1.0; districts.len()];
    }
    let members = Members::new(&child_district, districts.len());
    let network = match &spec.network {
        Some(source) => {
            progress("reading the walking network");
            let network = load_network(source, analysis_crs, &children, &facilities, &mut warnings)?;
            inputs.push(crate::model::study::InputInfo {
                layer: "network".into(),
                path: source.path.clone(),
                table: None,
                format: "OpenStreetMap PBF".into(),
                crs: crate::crs::Crs::WGS84.code(),
                features: network.info.ways,
            });
            Some(network)
        }
        None => None,
    };

    Ok(Study {
        districts,
        district_index,
        children,
        child_district,
        members,
        need_weight,
        kinds: spec.kinds.clone(),
        facilities,
        analysis_crs,
        warnings,
        inputs,
        children_table,
        excluded,
        network,
    })
}

/// How far the one district of a study without districts reaches beyond its outermost child point or arena, metres:
/// more than any gap zone's cell, so that no zone is cut at its edge.
const WHOLE_AREA_MARGIN: f64 = 1000.0;

/// The one district of a study without districts: the convex hull of its child points and arenas, grown by
/// [`WHOLE_AREA_MARGIN`] (the hull of each hull corner's 64-gon), its id and name the children file's stem.
fn whole_area(children_file: &Path, points: &[[f64; 2]], facilities: &Facilities) -> District {
    use geo::ConvexHull;
    let hull_of = |points: Vec<geo::Point<f64>>| geo::MultiPoint::new(points).convex_hull();
    let all = points.iter().chain(facilities.iter().map(|f| &f.position)).map(|&[x, y]| geo::Point::new(x, y));
    let hull = hull_of(all.collect());
    let grown = hull
        .exterior()
        .points()
        .flat_map(|p| {
            (0..64).map(move |k| {
                let a = k as f64 * std::f64::consts::TAU / 64.0;
                geo::Point::new(p.x() + WHOLE_AREA_MARGIN * a.cos(), p.y() + WHOLE_AREA_MARGIN * a.sin())
            })
        })
        .collect();
    let stem = children_file.file_stem().map_or_else(|| "study area".into(), |s| s.to_string_lossy().into_owned());
    District { id: stem.clone(), name: stem, geometry: geo::MultiPolygon::new(vec![hull_of(grown)]) }
}

/// The arenas of the files followed by those of an OpenStreetMap extract, and the extract's line in run.json. An
/// OSM id that an arena file also uses is an error; elements that matched but could not be placed are a warning.
fn with_osm_arenas(
    facilities: Facilities,
    osm: &OsmArenaSource,
    kinds: &crate::model::kinds::Kinds,
    analysis_crs: crate::crs::Crs,
    warnings: &mut Warnings,
) -> Result<(Facilities, InputInfo)> {
    let path = &osm.path;
    let to_analysis = crate::crs::Transform::new(crate::crs::Crs::WGS84, analysis_crs)
        .map_err(|e| Error::input(path, e.to_string()))?;
    let project = |[lon, lat]: [f64; 2]| to_analysis.apply(lon, lat).ok().map(|(x, y)| [x, y]);
    let read = crate::input::osm::read_arenas(path, &osm.rules, kinds, &project)?;
    let mut list = facilities.as_slice().to_vec();
    let seen: std::collections::HashSet<&str> = list.iter().map(|f| f.id.as_str()).collect();
    if let Some(clash) = read.facilities.iter().find(|f| seen.contains(f.id.as_str())) {
        return Err(Error::input(
            path,
            format!("arena id '{}' is also the id of an arena of the arena files: ids must be unique", clash.id),
        ));
    }
    if read.skipped.total() > 0 {
        warnings.push(format!(
            "{}: {} of the {} OpenStreetMap element(s) the tag mapping made arenas were left out: {}",
            path.display(),
            read.skipped.total(),
            read.matched,
            read.skipped.describe()
        ));
    }
    if read.matched == 0 {
        warnings.push(format!(
            "{}: no OpenStreetMap element matched the tag mapping ({}): no arena from it",
            path.display(),
            osm.rules.source().display()
        ));
    }
    let info = InputInfo {
        layer: "arenas".into(),
        path: path.clone(),
        table: None,
        format: "OpenStreetMap PBF".into(),
        crs: crate::crs::Crs::WGS84.code(),
        features: read.facilities.len(),
    };
    list.extend(read.facilities);
    Ok((Facilities::new(list), info))
}

/// The analysis CRS when none is given, from where the first layer (districts, else children) lies: SWEREF 99 TM
/// in and near Sweden, else the UTM zone of the layer's centre, with a warning that says so ([`Crs::for_area`]).
/// The layer is read twice (here without its attributes).
fn choose_analysis_crs(spec: &LoadSpec, warnings: &mut Warnings) -> Result<Crs> {
    let (path, layer) = match (&spec.districts, &spec.children) {
        (Some(source), _) => (&source.path, &source.layer),
        (None, ChildSource::Points { path, layer, .. }) => (path, layer),
        (None, ChildSource::Table(table)) => (&table.areas, &table.areas_layer),
    };
    // A layer whose centre cannot be had in lon/lat is reported by the reading proper.
    let Some((lon, lat)) = lonlat_centre(path, layer.clone(), spec.input_crs)? else { return Ok(Crs::SWEREF99_TM) };
    let crs = Crs::for_area(lon, lat);
    if crs != Crs::SWEREF99_TM {
        warnings.push(format!(
            "analysis CRS: {crs}, chosen for data at longitude {lon:.2}, latitude {lat:.2} ({}); give \
             --analysis-crs to choose another",
            path.display()
        ));
    }
    Ok(crs)
}

/// The arenas `exclusions` leave out, taken from `facilities`: what stays (in order) and what was left out (in the
/// order of the entries). An entry that matches no arena, or a name several share, is an error naming the entry.
fn exclude_arenas(facilities: Facilities, exclusions: &Exclusions) -> Result<(Facilities, Vec<Facility>)> {
    if exclusions.entries.is_empty() {
        return Ok((facilities, Vec::new()));
    }
    let mut out = vec![false; facilities.len()];
    let mut order = Vec::new();
    for entry in &exclusions.entries {
        let i = find_arena(&facilities, entry).map_err(|e| {
            let message = format!("arena-exclude entry \"{entry}\": {e}");
            match &exclusions.file {
                Some(file) => Error::input(file, message),
                None => Error::Config(format!("--arena-exclude \"{entry}\": {e}")),
            }
        })?;
        if !out[i] {
            out[i] = true;
            order.push(i);
        }
    }
    let excluded = order.iter().map(|&i| facilities.get(i).clone()).collect();
    let kept = facilities.iter().zip(&out).filter(|(_, &o)| !o).map(|(f, _)| f.clone()).collect();
    Ok((Facilities::new(kept), excluded))
}

/// Child points outside every district: a warning when some are, with a diagnosis when half or more are; an error
/// with a diagnosis when all are, since then every number would be zero.
fn check_outside(
    children: &Children,
    child_district: &[Option<u32>],
    index: &PolygonIndex,
    declared: Declared,
    children_file: &Path,
    districts_file: &Path,
    warnings: &mut Warnings,
) -> Result<()> {
    let outside: Vec<usize> = (0..children.len()).filter(|&i| child_district[i].is_none()).collect();
    if outside.is_empty() {
        return Ok(());
    }
    let count: f64 = outside.iter().map(|&i| children.counts[i]).sum();
    let (children_name, districts_name) = (children_file.display().to_string(), districts_file.display().to_string());
    let points: Vec<[f64; 2]> = outside.iter().map(|&i| children.points[i]).collect();
    let all = outside.len() == children.len();
    let diagnosis = |whom: &str| match diagnose(index, &points, declared) {
        Some(d) => d.explain(&children_name, &districts_name, whom),
        None => format!(
            "neither x and y swapped nor another supported CRS would put them inside{}: {whom} lie {} and the \
             districts {}",
            if all { ", so the two layers cover different places" } else { "" },
            extent(&points, declared),
            extent_of_polygons(index, declared)
        ),
    };
    if all {
        return Err(Error::input(
            children_file,
            format!(
                "every child point ({}, with {} children) lies outside every district of {districts_name}; {}",
                outside.len(),
                crate::model::format_count(count),
                diagnosis("the child points")
            ),
        ));
    }
    let mut message = format!(
        "{} child point(s) with {} children lie outside every district of {districts_name} ({children_name}): \
         they are in children.geojson with no district_id, and in no district's numbers",
        outside.len(),
        crate::model::format_count(count)
    );
    if 2 * outside.len() >= children.len() {
        message.push_str(&format!("; that is half of them or more: {}", diagnosis("the points outside")));
    }
    warnings.push(message);
    Ok(())
}

/// Where points lie, for a message: their bounding box in longitude/latitude.
fn extent(points: &[[f64; 2]], declared: Declared) -> String {
    let mut bounds = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for p in points {
        bounds = [bounds[0].min(p[0]), bounds[1].min(p[1]), bounds[2].max(p[0]), bounds[3].max(p[1])];
    }
    describe_box(bounds, declared)
}

/// Where the districts lie, for a message: their bounding box in longitude/latitude.
fn extent_of_polygons(index: &PolygonIndex, declared: Declared) -> String {
    use geo::BoundingRect;
    let mut bounds = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for r in index.polygons().iter().filter_map(|p| p.bounding_rect()) {
        bounds =
            [bounds[0].min(r.min().x), bounds[1].min(r.min().y), bounds[2].max(r.max().x), bounds[3].max(r.max().y)];
    }
    describe_box(bounds, declared)
}

/// A box in the analysis CRS as "around longitude 11.9–12.1, latitude 57.6–57.8" (or in the analysis CRS's own
/// units when it cannot be transformed).
fn describe_box(b: [f64; 4], declared: Declared) -> String {
    let to_wgs84 = crate::crs::Transform::new(declared.analysis, crate::crs::Crs::WGS84).ok();
    let corners = to_wgs84.and_then(|t| Some((t.apply(b[0], b[1]).ok()?, t.apply(b[2], b[3]).ok()?)));
    match corners {
        Some(((x0, y0), (x1, y1))) => {
            format!("at longitude {x0:.2} to {x1:.2}, latitude {y0:.2} to {y1:.2}")
        }
        None => {
            format!("at x {:.0} to {:.0}, y {:.0} to {:.0} in {}", b[0], b[2], b[1], b[3], declared.analysis.code())
        }
    }
}
