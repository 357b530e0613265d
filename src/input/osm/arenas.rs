//! Arenas from an OpenStreetMap extract (`--arenas-osm`): every node, way and multipolygon relation that a rule
//! of the tag mapping ([`OsmArenaRules`]) gives a kind becomes an arena, placed at the node, or at an interior
//! point of the way's or relation's area (a point inside it; a centroid may fall outside an L-shaped building).
//!
//! Read in up to three passes: the tagged elements first; then, when multipolygon relations matched, the member
//! ways' node lists; then the coordinates of just the nodes those ways use. A multipolygon's rings are assembled
//! from its member ways by joining ends (ways in any order and direction), holes given to the outer ring that holds
//! them. An element that cannot be placed is left out and counted ([`Skipped`]): a way that is not closed, a node
//! or member way outside the extract (an extract is clipped at its edge), rings that do not close.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{Contains, Coord, InteriorPoint, LineString, MultiPolygon, Polygon};

use super::rules::{OsmArenaRules, NAME_TAGS};
use super::{each_element, no_data};
use crate::error::{Error, Result};
use crate::model::facilities::Facility;
use crate::model::kinds::{KindId, Kinds};

/// What matched but could not be placed, by reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Skipped {
    /// Ways and relations with a node or member way that is not in the extract.
    pub outside_extract: usize,
    /// Ways that are not closed, so have no area.
    pub not_closed: usize,
    /// Multipolygon relations whose member ways do not join into closed rings.
    pub open_rings: usize,
    /// Elements whose position cannot be taken into the analysis CRS, or whose area has no interior point.
    pub no_position: usize,
}

impl Skipped {
    /// How many in all.
    pub fn total(&self) -> usize {
        self.outside_extract + self.not_closed + self.open_rings + self.no_position
    }

    /// The reasons, for a warning: `3 with nodes outside the extract, 1 way not closed`.
    pub fn describe(&self) -> String {
        let parts = [
            (self.outside_extract, "with nodes or member ways outside the extract (clipped at its edge)"),
            (self.not_closed, "way(s) not closed, so with no area"),
            (self.open_rings, "multipolygon(s) whose member ways do not join into closed rings"),
            (self.no_position, "with no position in the analysis CRS"),
        ];
        let said: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        said.join(", ")
    }
}

/// The arenas read from an extract.
#[derive(Clone, Debug)]
pub struct OsmArenas {
    /// The arenas: nodes, then ways, then relations, each by ascending id. Ids are `osm:node/123`,
    /// `osm:way/456`, `osm:relation/789`; capacity is the kind's.
    pub facilities: Vec<Facility>,
    /// Elements in the file.
    pub elements: usize,
    /// Elements a rule gave a kind (placed or not).
    pub matched: usize,
    /// Those that could not be placed.
    pub skipped: Skipped,
}

/// A multipolygon's member ways: each way's id and whether it is an inner ring.
type Members = Vec<(i64, bool)>;

/// A matched element's kind and name.
struct Found {
    kind: KindId,
    name: String,
}

/// Reads the arenas of `path` by `rules`, whose kinds must be in `kinds` (an error naming the profile otherwise).
/// Each lon/lat (WGS 84, degrees) is taken into the analysis CRS by `project` (`None`: it cannot be).
pub fn read_arenas(
    path: &Path,
    rules: &OsmArenaRules,
    kinds: &Kinds,
    project: &dyn Fn([f64; 2]) -> Option<[f64; 2]>,
) -> Result<OsmArenas> {
    let ids = rules.kind_ids(kinds)?;
    let classify = |tags: &[(&str, &str)]| -> Option<Found> {
        if tags.is_empty() {
            return None;
        }
        let rule = rules.rules.iter().position(|r| r.matches(tags))?;
        let kind = ids.get(rule).copied().flatten()?;
        let name = NAME_TAGS
            .iter()
            .find_map(|key| tags.iter().find(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim()))
            .unwrap_or_default()
            .to_string();
        Some(Found { kind, name })
    };

    // Pass 1: the matched elements.
    let mut nodes: Vec<(i64, Found, [f64; 2])> = Vec::new();
    let mut ways: Vec<(i64, Found, Vec<i64>)> = Vec::new();
    let mut relations: Vec<(i64, Found, Members)> = Vec::new();
    let mut not_closed = 0usize;
    let mut bad_relation: Option<i64> = None;
    let elements = each_element(path, |element| match element {
        osmpbf::Element::Node(n) => {
            let tags: Vec<(&str, &str)> = n.tags().collect();
            if let Some(found) = classify(&tags) {
                nodes.push((n.id(), found, [n.lon(), n.lat()]));
            }
        }
        osmpbf::Element::DenseNode(n) => {
            let tags: Vec<(&str, &str)> = n.tags().collect();
            if let Some(found) = classify(&tags) {
                nodes.push((n.id(), found, [n.lon(), n.lat()]));
            }
        }
        osmpbf::Element::Way(w) => {
            let tags: Vec<(&str, &str)> = w.tags().collect();
            if let Some(found) = classify(&tags) {
                let refs: Vec<i64> = w.refs().collect();
                if refs.len() >= 4 && refs.first() == refs.last() {
                    ways.push((w.id(), found, refs));
                } else {
                    not_closed += 1;
                }
            }
        }
        osmpbf::Element::Relation(r) => {
            let tags: Vec<(&str, &str)> = r.tags().collect();
            if !tags.contains(&("type", "multipolygon")) {
                return;
            }
            if let Some(found) = classify(&tags) {
                match way_members(&r) {
                    Some(members) => relations.push((r.id(), found, members)),
                    None => bad_relation = bad_relation.or(Some(r.id())),
                }
            }
        }
    })?;
    if elements == 0 {
        return Err(no_data(path));
    }
    if let Some(id) = bad_relation {
        return Err(Error::input(
            path,
            format!("not a readable OpenStreetMap PBF file: relation {id} has a member of no known type"),
        ));
    }
    let matched = nodes.len() + ways.len() + relations.len() + not_closed;

    // Pass 2: the node lists of the multipolygons' member ways.
    let mut member_ways: HashMap<i64, Vec<i64>> = HashMap::new();
    if !relations.is_empty() {
        let wanted: HashSet<i64> = relations.iter().flat_map(|(_, _, m)| m.iter().map(|&(id, _)| id)).collect();
        each_element(path, |element| {
            if let osmpbf::Element::Way(w) = element {
                if wanted.contains(&w.id()) {
                    member_ways.insert(w.id(), w.refs().collect());
                }
            }
        })?;
    }

    // Pass 3: the coordinates of the nodes those ways use, projected (`None`: it cannot be).
    let wanted: HashSet<i64> = ways
        .iter()
        .flat_map(|(_, _, refs)| refs.iter().copied())
        .chain(member_ways.values().flatten().copied())
        .collect();
    let mut coords: HashMap<i64, Option<[f64; 2]>> = HashMap::with_capacity(wanted.len());
    if !wanted.is_empty() {
        each_element(path, |element| {
            let (id, lon, lat) = match element {
                osmpbf::Element::Node(n) => (n.id(), n.lon(), n.lat()),
                osmpbf::Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                _ => return,
            };
            if wanted.contains(&id) {
                coords.insert(id, lonlat(lon, lat).and_then(project));
            }
        })?;
    }

    let mut skipped = Skipped { not_closed, ..Skipped::default() };
    let mut facilities = Vec::with_capacity(matched);
    let mut place = |element: &str, id: i64, found: Found, position: Option<[f64; 2]>| match position {
        Some(position) => facilities.push(Facility {
            id: format!("osm:{element}/{id}"),
            name: found.name,
            capacity: kinds.get(found.kind).capacity,
            kind: found.kind,
            position,
        }),
        None => skipped.no_position += 1,
    };
    let (mut outside, mut open_rings) = (0usize, 0usize);
    nodes.sort_by_key(|(id, _, _)| *id);
    nodes.dedup_by_key(|(id, _, _)| *id);
    for (id, found, [lon, lat]) in nodes {
        place("node", id, found, lonlat(lon, lat).and_then(project));
    }
    ways.sort_by_key(|(id, _, _)| *id);
    ways.dedup_by_key(|(id, _, _)| *id);
    for (id, found, refs) in ways {
        match ring_coords(&refs, &coords) {
            Located::All(ring) => {
                let area = MultiPolygon(vec![Polygon::new(ring, Vec::new())]);
                place("way", id, found, interior_point(&area));
            }
            Located::Outside => outside += 1,
            Located::Unprojectable => place("way", id, found, None),
        }
    }
    relations.sort_by_key(|(id, _, _)| *id);
    relations.dedup_by_key(|(id, _, _)| *id);
    for (id, found, members) in relations {
        let (mut outer, mut inner): (Vec<&[i64]>, Vec<&[i64]>) = (Vec::new(), Vec::new());
        let mut complete = true;
        for (way, is_inner) in &members {
            match member_ways.get(way) {
                Some(refs) if *is_inner => inner.push(refs),
                Some(refs) => outer.push(refs),
                None => complete = false,
            }
        }
        if !complete {
            outside += 1;
            continue;
        }
        let (Some(outer), Some(inner)) = (join_rings(&outer), join_rings(&inner)) else {
            open_rings += 1;
            continue;
        };
        if outer.is_empty() {
            open_rings += 1;
            continue;
        }
        match area_of(&outer, &inner, &coords) {
            Located::All(area) => place("relation", id, found, interior_point(&area)),
            Located::Outside => outside += 1,
            Located::Unprojectable => place("relation", id, found, None),
        }
    }
    skipped.outside_extract = outside;
    skipped.open_rings = open_rings;
    Ok(OsmArenas { facilities, elements, matched, skipped })
}

/// A relation's way members, each with whether its role is `inner` (every other role, `outer` or none, is taken as
/// outer); `None` when a member's type is not one the format knows (the `osmpbf` crate panics on it, so it is
/// caught here: a damaged file is an error, not a crash).
fn way_members(relation: &osmpbf::Relation) -> Option<Members> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        relation
            .members()
            .filter(|m| m.member_type == osmpbf::RelMemberType::Way)
            .map(|m| (m.member_id, m.role().is_ok_and(|r| r.trim() == "inner")))
            .collect()
    }))
    .ok()
}

/// Lon/lat as given, when they are coordinates at all.
fn lonlat(lon: f64, lat: f64) -> Option<[f64; 2]> {
    (lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
        .then_some([lon, lat])
}

/// A point inside an area, when it has one (finite).
fn interior_point(area: &MultiPolygon<f64>) -> Option<[f64; 2]> {
    area.interior_point().map(|p| [p.x(), p.y()]).filter(|p| p[0].is_finite() && p[1].is_finite())
}

/// Whether every node of a ring or area was found and projected.
enum Located<T> {
    /// Every node is there, projected.
    All(T),
    /// A node is not in the extract.
    Outside,
    /// A node cannot be taken into the analysis CRS.
    Unprojectable,
}

/// The projected coordinates of a ring of node ids.
fn ring_coords(refs: &[i64], coords: &HashMap<i64, Option<[f64; 2]>>) -> Located<LineString<f64>> {
    let mut ring = Vec::with_capacity(refs.len());
    for id in refs {
        match coords.get(id) {
            None => return Located::Outside,
            Some(None) => return Located::Unprojectable,
            Some(&Some([x, y])) => ring.push(Coord { x, y }),
        }
    }
    Located::All(LineString(ring))
}

/// A multipolygon's area from its rings of node ids: each inner ring becomes a hole of the first outer ring that
/// contains it (one that lies in none is dropped: it takes no ground from any outer ring).
fn area_of(
    outer: &[Vec<i64>],
    inner: &[Vec<i64>],
    coords: &HashMap<i64, Option<[f64; 2]>>,
) -> Located<MultiPolygon<f64>> {
    let rings = |ids: &[Vec<i64>]| -> std::result::Result<Vec<LineString<f64>>, Located<MultiPolygon<f64>>> {
        let mut out = Vec::with_capacity(ids.len());
        for ring in ids {
            match ring_coords(ring, coords) {
                Located::All(r) => out.push(r),
                Located::Outside => return Err(Located::Outside),
                Located::Unprojectable => return Err(Located::Unprojectable),
            }
        }
        Ok(out)
    };
    let (outer, inner) = match (rings(outer), rings(inner)) {
        (Ok(o), Ok(i)) => (o, i),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut polygons: Vec<Polygon<f64>> = outer.into_iter().map(|r| Polygon::new(r, Vec::new())).collect();
    for hole in inner {
        let Some(&first) = hole.0.first() else { continue };
        if let Some(p) = polygons.iter_mut().find(|p| p.contains(&first)) {
            p.interiors_push(hole);
        }
    }
    Located::All(MultiPolygon(polygons))
}

/// Joins ways (node id lists) into closed rings by their end nodes, in any order and direction: `None` when they do
/// not all close. A way that is closed on its own is a ring; the others are chained end to end until the chain
/// comes back to its start.
pub fn join_rings(ways: &[&[i64]]) -> Option<Vec<Vec<i64>>> {
    let mut used = vec![false; ways.len()];
    let mut rings = Vec::new();
    for start in 0..ways.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring: Vec<i64> = ways[start].to_vec();
        if ring.len() < 2 {
            return None;
        }
        while ring.first() != ring.last() {
            let end = *ring.last()?;
            let next = (0..ways.len()).find(|&j| {
                !used[j] && ways[j].len() >= 2 && (ways[j].first() == Some(&end) || ways[j].last() == Some(&end))
            })?;
            used[next] = true;
            if ways[next].first() == Some(&end) {
                ring.extend_from_slice(&ways[next][1..]);
            } else {
                ring.extend(ways[next].iter().rev().skip(1));
            }
        }
        if ring.len() < 4 {
            return None;
        }
        rings.push(ring);
    }
    Some(rings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_join_into_rings_in_any_order_and_direction() {
        // A square 1-2-3-4 cut into three ways, one reversed, given out of order; and a closed way on its own.
        let (a, b, c, closed) = ([1, 2], [4, 3, 2], [4, 1], [7, 8, 9, 7]);
        let rings = join_rings(&[&a, &closed, &b, &c]).unwrap();
        assert_eq!(rings, vec![vec![1, 2, 3, 4, 1], vec![7, 8, 9, 7]]);
        assert_eq!(join_rings(&[]), Some(vec![]));
        assert_eq!(join_rings(&[&[1, 2], &[2, 3]]), None, "an open chain");
        assert_eq!(join_rings(&[&[1, 2, 1]]), None, "a ring of no area");
        assert_eq!(join_rings(&[&[5]]), None, "a way of one node");
    }

    #[test]
    fn a_hole_goes_to_the_outer_ring_that_holds_it_and_the_point_avoids_it() {
        // Outer 0..10 square, a hole 1..9 in it: the centroid (5, 5) is in the hole, the interior point is not.
        let square = |ids: [i64; 4], lo: f64, hi: f64, coords: &mut HashMap<i64, Option<[f64; 2]>>| {
            for (id, p) in ids.iter().zip([[lo, lo], [hi, lo], [hi, hi], [lo, hi]]) {
                coords.insert(*id, Some(p));
            }
            vec![ids[0], ids[1], ids[2], ids[3], ids[0]]
        };
        let mut coords = HashMap::new();
        let outer = square([1, 2, 3, 4], 0.0, 10.0, &mut coords);
        let hole = square([5, 6, 7, 8], 1.0, 9.0, &mut coords);
        let far = square([9, 10, 11, 12], 20.0, 21.0, &mut coords);
        let Located::All(area) = area_of(std::slice::from_ref(&outer), &[hole.clone(), far], &coords) else { panic!() };
        assert_eq!(area.0.len(), 1);
        assert_eq!(area.0[0].interiors().len(), 1, "the far ring is in no outer ring and is dropped");
        let [x, y] = interior_point(&area).unwrap();
        assert!(!(1.0..=9.0).contains(&x) || !(1.0..=9.0).contains(&y), "({x}, {y}) is in the hole");
        assert!((0.0..=10.0).contains(&x) && (0.0..=10.0).contains(&y), "({x}, {y}) is outside");
        coords.remove(&6);
        assert!(matches!(area_of(&[outer], &[hole], &coords), Located::Outside));
    }
}
