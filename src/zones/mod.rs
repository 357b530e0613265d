//! Gap zones: uncovered children clustered by proximity (single linkage: children within the link distance of
//! each other join one zone, [`linkage`]), each zone drawn as the ground its children stand for ([`ground`]),
//! less the coverage disc of every arena of the coverage kinds, clipped to the districts ([`shape`]).
//!
//! So a zone shows where uncovered children live and nothing else: it never overlaps the ground within an
//! arena's reach (beyond a few square millimetres around a child just past the radius, [`shape::PATCH_M`]),
//! every child of a drawn zone lies inside it, and it may have several parts. The one exception: a child outside every district
//! loses its ground to the clip, so it counts in its zone but lies outside the drawn shape (such children are
//! warned about when the study is loaded).

use std::collections::BTreeMap;

use geo::MultiPolygon;
use rayon::prelude::*;

use crate::index::PolygonIndex;
use crate::measure::gap_contribution;
use crate::model::Children;

pub mod catchment;
mod ground;
pub mod linkage;
pub mod shape;

pub use linkage::single_linkage;

/// Settings for gap zones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneSettings {
    /// Link distance, metres.
    pub link: f64,
    /// The side of the cells a point that stands for no area takes, metres.
    pub cell: f64,
    /// Zones with fewer children are dropped (and counted).
    pub min_children: f64,
    /// The "any arena" radius, metres (children beyond it are uncovered).
    pub radius: f64,
}

/// One gap zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    /// A stable id: zones numbered by their first child point in input order.
    pub zone_id: u32,
    /// Children in the zone.
    pub children: f64,
    /// Child-weighted mean distance to the nearest arena, metres (`None` when there are no arenas).
    pub nearest_arena_m: Option<f64>,
    /// The shortest distance to an arena from any of its children, metres.
    pub nearest_arena_min_m: Option<f64>,
    /// Districts its children live in, most children first.
    pub districts: Vec<u32>,
    /// Need-weighted gap score, as for districts.
    pub gap_score: f64,
    /// Rank by gap score among drawn zones (1 = most underserved).
    pub gap_rank: u32,
    /// Its shape: the ground its children stand for, outside every coverage disc, on land. Empty only when the
    /// ground of all its children lies outside every district.
    pub polygon: MultiPolygon<f64>,
    /// The area of `polygon`, km² (in the analysis CRS).
    pub area_km2: f64,
}

/// The zones drawn, and what was dropped for being small.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Zones {
    /// Zones with at least the minimum of children, by rank.
    pub zones: Vec<Zone>,
    /// Zones dropped for having fewer children than the minimum.
    pub dropped: usize,
    /// Children in the dropped zones.
    pub dropped_children: f64,
}

/// What a zone's shape must keep out of and stay within.
#[derive(Clone, Copy, Debug)]
pub struct ZoneLimits<'a> {
    /// The positions of the arenas of the coverage kinds: the disc of the "any" radius around each is cut out.
    pub arenas: &'a [[f64; 2]],
    /// The districts: zones are clipped to them (land only).
    pub land: &'a PolygonIndex,
}

/// Finds the gap zones. Per child point: `district` (index, `None` outside every district) and `nearest(i)` (the
/// cost to the nearest coverage-kind arena, `None` when there is none); `need_weight` is per district (children
/// outside every district weigh 1). Membership and counts come from the points alone; `limits` shape the drawn
/// zones (the straight-line reach of the arenas: the discs are right for a straight-line cost).
pub fn gap_zones(
    children: &Children,
    district: &[Option<u32>],
    nearest: &dyn Fn(usize) -> Option<f64>,
    need_weight: &[f64],
    limits: ZoneLimits<'_>,
    settings: ZoneSettings,
) -> Zones {
    let near = nearest;
    let uncovered: Vec<usize> = (0..children.len())
        .filter(|&i| children.counts[i] > 0.0 && near(i).is_none_or(|d| d > settings.radius))
        .collect();
    let points: Vec<[f64; 2]> = uncovered.iter().map(|&i| children.points[i]).collect();
    let labels = single_linkage(&points, settings.link);
    let clusters = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); clusters];
    for (k, &label) in labels.iter().enumerate() {
        members[label as usize].push(uncovered[k]);
    }

    let mut result = Zones::default();
    let mut drawn: Vec<Vec<usize>> = Vec::new();
    for (zone_index, members) in members.into_iter().enumerate() {
        let total: f64 = members.iter().map(|&i| children.counts[i]).sum();
        if total < settings.min_children {
            result.dropped += 1;
            result.dropped_children += total;
            continue;
        }
        let mut per_district: BTreeMap<u32, f64> = BTreeMap::new();
        let (mut weighted, mut weight, mut min, mut score) = (0.0, 0.0, f64::INFINITY, 0.0);
        for &i in &members {
            let count = children.counts[i];
            if let Some(d) = district[i] {
                *per_district.entry(d).or_default() += count;
            }
            if let Some(d) = near(i) {
                weighted += count * d;
                weight += count;
                min = min.min(d);
            }
            let need = district[i].map_or(1.0, |d| need_weight[d as usize]);
            score += need * gap_contribution(count, near(i), settings.radius);
        }
        let mut districts: Vec<(u32, f64)> = per_district.into_iter().collect();
        districts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        result.zones.push(Zone {
            zone_id: zone_index as u32 + 1,
            children: total,
            nearest_arena_m: (weight > 0.0).then(|| weighted / weight),
            nearest_arena_min_m: min.is_finite().then_some(min),
            districts: districts.into_iter().map(|d| d.0).collect(),
            gap_score: score,
            gap_rank: 0,
            polygon: MultiPolygon(Vec::new()),
            area_km2: 0.0,
        });
        drawn.push(members);
    }
    // Shapes in parallel, one zone a task, collected in zone order.
    let cutter = shape::Cutter::new(limits.arenas, limits.land, settings.radius);
    // Children that would lie on their zone's edge or outside it without a patch of their own: just past the
    // radius, under a cut disc's corner, or on the edge of the zone cell they stand for (`near` is not shared
    // between threads, so this is done here).
    let on_cell_edge =
        |p: [f64; 2]| children.footprints.is_none() && p.iter().any(|v| (v / settings.cell).fract() == 0.0);
    let patches: Vec<Vec<[f64; 2]>> = drawn
        .iter()
        .map(|members| {
            members
                .iter()
                .filter(|&&i| near(i).is_some_and(|d| d <= cutter.reach()) || on_cell_edge(children.points[i]))
                .map(|&i| children.points[i])
                .collect()
        })
        .collect();
    let shapes: Vec<MultiPolygon<f64>> = drawn
        .par_iter()
        .zip(&patches)
        .map(|(members, patches)| {
            let points: Vec<[f64; 2]> = members.iter().map(|&i| children.points[i]).collect();
            cutter.shape(ground::ground(children, members, settings.cell), &points, patches)
        })
        .collect();
    for (zone, polygon) in result.zones.iter_mut().zip(shapes) {
        zone.area_km2 = geo::Area::unsigned_area(&polygon) / 1e6;
        zone.polygon = polygon;
    }
    result.zones.sort_by(|a, b| {
        b.gap_score.total_cmp(&a.gap_score).then(b.children.total_cmp(&a.children)).then(a.zone_id.cmp(&b.zone_id))
    });
    for (rank, zone) in result.zones.iter_mut().enumerate() {
        zone.gap_rank = rank as u32 + 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::footprint::Footprints;
    use geo::{Area, BooleanOps, Contains, Coord, LineString, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn square(x0: f64, y0: f64, side: f64) -> MultiPolygon<f64> {
        let ring = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side), (x0, y0)];
        MultiPolygon(vec![Polygon::new(LineString(ring.iter().map(|&(x, y)| Coord { x, y }).collect()), vec![])])
    }

    /// A random city of 3 × 3 districts of 3 km: children as points, as areas (whole or on a 200 m grid), arenas.
    fn city(rng: &mut ChaCha8Rng, kind: u32) -> (Vec<MultiPolygon<f64>>, Children, Vec<[f64; 2]>) {
        let (x0, y0, side) = (300_000.0, 6_400_000.0, 3000.0);
        let districts: Vec<MultiPolygon<f64>> =
            (0..9).map(|k| square(x0 + side * (k % 3) as f64, y0 + side * (k / 3) as f64, side)).collect();
        let mut children = Children::default();
        match kind {
            // Points (each takes its 250 m zone cell).
            0 => {
                for _ in 0..rng.random_range(50..400) {
                    children.points.push([x0 + rng.random_range(1.0..8999.0), y0 + rng.random_range(1.0..8999.0)]);
                    children.counts.push(rng.random_range(1..4) as f64);
                }
            }
            // Areas of 600 m, each child point standing for its whole area, or for the 200 m cells of it.
            _ => {
                let grid = 200.0;
                let mut f = Footprints { grid: (kind == 2).then_some(grid), cell_start: vec![0], ..Default::default() };
                for a in 0..225usize {
                    let (ax, ay) = (x0 + 600.0 * (a % 15) as f64, y0 + 600.0 * (a / 15) as f64);
                    if rng.random_bool(0.3) {
                        continue;
                    }
                    f.areas.push(square(ax, ay, 600.0));
                    let area = f.areas.len() as u32 - 1;
                    if kind == 1 {
                        children.points.push([ax + 300.0, ay + 300.0]);
                        children.counts.push(rng.random_range(1..20) as f64);
                        f.area_of.push(area);
                        f.cell_start.push(f.cells.len() as u32);
                    } else {
                        for c in 0..9 {
                            let (i, j) = ((ax / grid) as i32 + c % 3, (ay / grid) as i32 + c / 3);
                            children.points.push([(i as f64 + 0.5) * grid, (j as f64 + 0.5) * grid]);
                            children.counts.push(rng.random_range(0..4) as f64);
                            f.area_of.push(area);
                            f.cells.push([i, j]);
                            f.cell_start.push(f.cells.len() as u32);
                        }
                    }
                }
                children.footprints = Some(f);
            }
        }
        let arenas = (0..rng.random_range(0..7))
            .map(|_| [x0 + rng.random_range(0.0..9000.0), y0 + rng.random_range(0.0..9000.0)])
            .collect();
        (districts, children, arenas)
    }

    /// A child just past the radius, where the cut disc's corner reaches over it, keeps its patch of ground: it lies
    /// inside its zone, and the zone still takes in no more than the patch of the disc.
    #[test]
    fn a_child_under_a_cut_discs_corner_stays_inside_its_zone() {
        let districts = vec![square(300_000.0, 6_400_000.0, 6000.0)];
        let land = PolygonIndex::new(districts.clone());
        let arena = [303_000.0, 6_403_000.0];
        let radius = 1000.0;
        // A corner of the cut disc points along the x axis; the child is 5 cm past the radius under it, with a
        // few more children around it so that the zone is drawn.
        let mut children = Children::default();
        for (dx, dy) in [(radius + 0.05, 0.0), (1400.0, 0.0), (1400.0, 300.0), (1400.0, -300.0)] {
            children.points.push([arena[0] + dx, arena[1] + dy]);
            children.counts.push(5.0);
        }
        let district = land.locate_all(&children.points);
        let nearest = |i: usize| {
            let p = children.points[i];
            Some(((p[0] - arena[0]).powi(2) + (p[1] - arena[1]).powi(2)).sqrt())
        };
        let settings = ZoneSettings { link: 1000.0, cell: 250.0, min_children: 0.0, radius };
        let zones =
            gap_zones(&children, &district, &nearest, &[1.0], ZoneLimits { arenas: &[arena], land: &land }, settings);
        assert_eq!(zones.zones.len(), 1);
        let zone = &zones.zones[0].polygon;
        for p in &children.points {
            assert!(zone.contains(&Point::new(p[0], p[1])), "{p:?} outside its zone");
        }
        let disc = MultiPolygon(vec![shape::disc_polygon(arena, radius, 20_000)]);
        assert!(zone.intersection(&disc).unsigned_area() <= shape::PATCH_M * shape::PATCH_M);
    }

    /// The zone rules against brute force on random cities: no zone overlaps a coverage disc (a 20,000-gon) by
    /// more than 1 m²; every uncovered child lies in a zone (all zones drawn), and each zone holds exactly its
    /// children; zones lie inside the districts.
    #[test]
    fn zones_are_unreached_ground_on_random_cities() {
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        for round in 0..24 {
            let (districts, children, arenas) = city(&mut rng, round % 3);
            let land = PolygonIndex::new(districts.clone());
            let district = land.locate_all(&children.points);
            let radius = 1000.0;
            let nearest = |i: usize| {
                arenas
                    .iter()
                    .map(|a| ((a[0] - children.points[i][0]).powi(2) + (a[1] - children.points[i][1]).powi(2)).sqrt())
                    .min_by(f64::total_cmp)
            };
            let settings = ZoneSettings { link: 1000.0, cell: 250.0, min_children: 0.0, radius };
            let zones = gap_zones(
                &children,
                &district,
                &nearest,
                &[1.0; 9],
                ZoneLimits { arenas: &arenas, land: &land },
                settings,
            );
            let fine: Vec<Polygon<f64>> = arenas.iter().map(|&a| shape::disc_polygon(a, radius, 20_000)).collect();
            let all_land = geo::unary_union(districts.iter().flat_map(|d| d.0.iter()));
            for z in &zones.zones {
                for disc in &fine {
                    let overlap = z.polygon.intersection(&MultiPolygon(vec![disc.clone()])).unsigned_area();
                    assert!(overlap <= 1.0, "round {round}, zone {}: {overlap} m² of a coverage disc", z.zone_id);
                }
                let outside = z.polygon.difference(&all_land).unsigned_area();
                assert!(outside <= 1.0, "round {round}, zone {}: {outside} m² outside the districts", z.zone_id);
                assert!((z.area_km2 - z.polygon.unsigned_area() / 1e6).abs() < 1e-9);
                let inside: f64 = (0..children.len())
                    .filter(|&i| children.counts[i] > 0.0 && nearest(i).is_none_or(|d| d > radius))
                    .filter(|&i| z.polygon.contains(&Point::new(children.points[i][0], children.points[i][1])))
                    .map(|i| children.counts[i])
                    .sum();
                assert_eq!(inside, z.children, "round {round}, zone {}: the uncovered children inside it", z.zone_id);
            }
            let uncovered: f64 = (0..children.len())
                .filter(|&i| nearest(i).is_none_or(|d| d > radius))
                .map(|i| children.counts[i])
                .sum();
            let in_zones: f64 = zones.zones.iter().map(|z| z.children).sum();
            assert_eq!(in_zones, uncovered, "round {round}: every uncovered child is in a drawn zone");
        }
    }
}
