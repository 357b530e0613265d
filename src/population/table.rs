//! A table of counts per area made into child points, and the report of how (kept in run.json).

use std::collections::HashMap;

use serde::Serialize;

use super::grid::GridReport;
use super::place::{place, AreaRef, Areas, Placement};
use super::read::{read_id_values, read_polygons};
use super::spread::{read_spread, SpreadReport};
use super::{apportion, interior_point, list};
use crate::crs::Crs;
use crate::error::Result;
use crate::input::layers::warn_shapes;
use crate::input::read_table;
use crate::input::sources::TableSource;
use crate::model::{Children, Warnings};

/// What happened when a table of counts per area became child points (kept in run.json).
#[derive(Clone, Debug, Serialize)]
pub struct TableReport {
    /// Rows in the table.
    pub table_rows: usize,
    /// Area polygons read.
    pub areas: usize,
    /// Table rows whose id has an area polygon.
    pub matched: usize,
    /// Table ids with no area polygon, in table order: their children are left out.
    pub table_ids_without_polygon: Vec<String>,
    /// The children in those rows.
    pub children_without_polygon: f64,
    /// Area polygons with no table row, in file order: they get no children.
    pub polygons_without_row: Vec<String>,
    /// The spread onto finer polygons, when there is one.
    pub spread: Option<SpreadReport>,
    /// The spread over a grid, when there is one.
    pub grid: Option<GridReport>,
    /// Areas whose children were placed at the area's own interior point although a spread was asked for.
    pub fallbacks: Vec<Fallback>,
    /// Each matched area, in table order: children in the table, children placed and points emitted.
    pub per_area: Vec<AreaPlaced>,
    /// All children in the table.
    pub children_in_table: f64,
    /// All children placed (the table total less the children without a polygon).
    pub children_placed: f64,
    /// Child points emitted.
    pub points: usize,
}

/// An area placed at its own interior point instead of being spread.
#[derive(Clone, Debug, Serialize)]
pub struct Fallback {
    /// The area id.
    pub id: String,
    /// Its children.
    pub children: f64,
    /// Why: no finer polygon, or all its finer polygons weigh 0.
    pub reason: String,
}

/// The children placed for one area.
#[derive(Clone, Debug, Serialize)]
pub struct AreaPlaced {
    /// The area id.
    pub id: String,
    /// Its children in the table.
    pub children: f64,
    /// Its children placed (equal to `children`).
    pub placed: f64,
    /// The points they were placed at.
    pub points: usize,
}

/// Child points from a table of counts per area (see the module documentation). `fallback` is the CRS for
/// polygon files that declare none; points come out in `analysis` coordinates, in table order (within an area,
/// in the file order of the finer polygons; within a polygon spread over the grid, along its Hilbert curve).
/// The children always carry their footprints: the finest polygon each point stands for and, with a grid, its
/// cells ([`crate::model::footprint::Footprints`]).
///
/// Errors (naming the file and the row or feature): a missing column or field, an empty or duplicate id in the
/// table, the weights table or either polygon layer, a count or weight that is not a number ≥ 0, a non-polygon
/// geometry, an area with children but an empty geometry, a weights table without a weight column name, a grid
/// that would make more than [`crate::population::grid::MAX_POINTS`] points, and coordinates beyond the grid's
/// cell numbers. Mismatched ids are not errors: they are warned about and counted in the [`TableReport`]; nor
/// are areas too small for a grid point (their children stay at one interior point; warned and counted).
pub fn children_from_table(
    source: &TableSource,
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Children, TableReport)> {
    let table = read_table(&source.table)?;
    let rows = read_id_values(&table, &source.table_id, &source.count)?;
    let coarse = read_polygons(
        &source.areas,
        source.areas_layer.as_deref(),
        &source.areas_id,
        &[],
        "areas",
        fallback,
        analysis,
    )?;
    warn_shapes(&coarse.layer, coarse.polygons.iter().zip(coarse.ids.iter().map(String::as_str)), warnings);

    let coarse_by_id: HashMap<&str, usize> = coarse.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut matched: Vec<(usize, usize)> = Vec::new(); // (row, coarse polygon)
    let mut without_polygon: Vec<String> = Vec::new();
    let mut children_without_polygon = 0.0;
    let mut used_coarse = vec![false; coarse.ids.len()];
    for (r, (id, count)) in rows.iter().enumerate() {
        match coarse_by_id.get(id.as_str()) {
            Some(&a) => {
                matched.push((r, a));
                used_coarse[a] = true;
            }
            None => {
                without_polygon.push(id.clone());
                children_without_polygon += count;
            }
        }
    }
    if !without_polygon.is_empty() {
        warnings.push(format!(
            "{}: {} id(s) have no polygon in {}; their {} children are left out: {}",
            source.table.display(),
            without_polygon.len(),
            source.areas.display(),
            crate::input::format_number(children_without_polygon),
            list(&without_polygon)
        ));
    }
    let polygons_without_row: Vec<String> =
        (0..coarse.ids.len()).filter(|&a| !used_coarse[a]).map(|a| coarse.ids[a].clone()).collect();
    if !polygons_without_row.is_empty() {
        warnings.push(format!(
            "{}: {} area(s) have no row in {} and get no children: {}",
            source.areas.display(),
            polygons_without_row.len(),
            source.table.display(),
            list(&polygons_without_row)
        ));
    }

    let spread = match &source.spread {
        Some(s) => Some(read_spread(s, &coarse, &used_coarse, fallback, analysis, warnings)?),
        None => None,
    };

    // Where each row's children go, in table order (and within an area, the file order of its finer polygons).
    let mut placements: Vec<Placement> = Vec::new();
    let mut rows_of: Vec<usize> = Vec::new(); // the matched row of each placement
    let mut fallbacks = Vec::new();
    let gridded = source.grid.is_some();
    for (m, &(r, a)) in matched.iter().enumerate() {
        let (id, count) = (&rows[r].0, rows[r].1);
        if count <= 0.0 {
            continue;
        }
        let finer = spread.as_ref().map(|s| &s.by_area[a]);
        let total_weight: f64 = finer.map_or(0.0, |f| f.iter().map(|(_, _, w)| w).sum());
        match finer {
            Some(finer) if total_weight > 0.0 && total_weight.is_finite() => {
                let weights: Vec<f64> = finer.iter().map(|(_, _, w)| *w).collect();
                for (&(f, point, _), share) in finer.iter().zip(apportion(count, &weights)) {
                    if share > 0.0 {
                        placements.push(Placement { area: AreaRef::Finer(f), count: share, point, grid: gridded });
                        rows_of.push(m);
                    }
                }
            }
            _ => {
                let point = interior_point(&coarse.polygons[a]).ok_or_else(|| {
                    coarse.layer.feature_error(
                        a,
                        format!("area '{id}' has an empty geometry; its {count} children cannot be placed"),
                    )
                })?;
                if let Some(finer) = finer {
                    let reason = if finer.is_empty() {
                        "no finer polygon lies in it".to_string()
                    } else if total_weight > 0.0 {
                        "the weights of its finer polygons are too large to add up".to_string()
                    } else {
                        format!("its {} finer polygon(s) all weigh 0", finer.len())
                    };
                    warnings.push(format!(
                        "area '{id}': {reason}; its {} children are placed at one point inside the area",
                        crate::input::format_number(count)
                    ));
                    fallbacks.push(Fallback { id: id.clone(), children: count, reason });
                }
                // Without a spread, the table's areas are the finest there are: they go on the grid.
                let grid = gridded && spread.is_none();
                placements.push(Placement { area: AreaRef::Table(a), count, point, grid });
                rows_of.push(m);
            }
        }
    }
    let areas = Areas { table: &coarse, finer: spread.as_ref().map(|s| &s.finer) };
    let (children, points, grid) = place(&placements, &areas, source.grid, warnings)?;
    let mut per_area: Vec<AreaPlaced> = matched
        .iter()
        .map(|&(r, _)| AreaPlaced { id: rows[r].0.clone(), children: rows[r].1, placed: 0.0, points: 0 })
        .collect();
    let mut start = 0;
    for ((&m, &n), placement) in rows_of.iter().zip(&points).zip(&placements) {
        per_area[m].points += n;
        per_area[m].placed += children.counts[start..start + n].iter().sum::<f64>();
        debug_assert!((children.counts[start..start + n].iter().sum::<f64>() - placement.count).abs() < 1e-9);
        start += n;
    }

    let report = TableReport {
        table_rows: rows.len(),
        areas: coarse.ids.len(),
        matched: matched.len(),
        table_ids_without_polygon: without_polygon,
        children_without_polygon,
        polygons_without_row,
        spread: spread.map(|s| s.report),
        grid,
        fallbacks,
        per_area,
        children_in_table: rows.iter().map(|(_, c)| c).sum(),
        children_placed: children.total(),
        points: children.len(),
    };
    Ok((children, report))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use geo::{Centroid, Contains, MultiPolygon, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    use super::*;
    use crate::input::layers::{id_of, polygon_of, read_projected};
    use crate::input::sources::SpreadSource;
    use crate::input::ReadOptions;
    use crate::population::testing::*;

    /// Random coarse rectangles (a grid with random cuts), each cut into a random grid of finer rectangles;
    /// random counts and weights; some areas without finer polygons, some with all weights 0, some finer
    /// polygons without a weight row, some weight rows without a polygon.
    #[test]
    fn mass_is_preserved_on_random_nested_polygons() {
        let (mut fallbacks, mut without_row, mut zero_weight) = (0, 0, 0);
        for seed in 0..12u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let dir = tempfile::tempdir().unwrap();
            let cuts = |rng: &mut ChaCha8Rng, start: f64, n: usize, min: f64, max: f64| {
                let mut v = vec![start];
                for _ in 0..n {
                    let last = *v.last().unwrap();
                    v.push(last + rng.random_range(min..max));
                }
                v
            };
            let nx = rng.random_range(1..=4);
            let ny = rng.random_range(1..=4);
            let xs = cuts(&mut rng, X0, nx, 200.0, 2000.0);
            let ys = cuts(&mut rng, Y0, ny, 200.0, 2000.0);
            let by_parent = seed % 2 == 0;

            let mut coarse = Vec::new(); // (id, ring)
            let mut finer = Vec::new(); // (id, coarse index, ring, weight, has row)
            for i in 0..nx {
                for j in 0..ny {
                    let c = coarse.len();
                    coarse.push((100 + c as i64, rect(xs[i], ys[j], xs[i + 1], ys[j + 1])));
                    if rng.random_bool(0.1) {
                        continue; // no finer polygon
                    }
                    let all_zero = rng.random_bool(0.1);
                    let (kx, ky) = (rng.random_range(1..=4), rng.random_range(1..=4));
                    let w = (xs[i + 1] - xs[i]) / kx as f64;
                    let h = (ys[j + 1] - ys[j]) / ky as f64;
                    let fx = cuts(&mut rng, xs[i], kx - 1, w * 0.5, w * 1.2);
                    let fy = cuts(&mut rng, ys[j], ky - 1, h * 0.5, h * 1.2);
                    let fx: Vec<f64> = fx.into_iter().chain([xs[i + 1]]).collect();
                    let fy: Vec<f64> = fy.into_iter().chain([ys[j + 1]]).collect();
                    for a in 0..kx {
                        for b in 0..ky {
                            if fx[a + 1] <= fx[a] + 1.0 || fy[b + 1] <= fy[b] + 1.0 {
                                continue; // the random cuts overshot the cell
                            }
                            let weight =
                                if all_zero || rng.random_bool(0.15) { 0.0 } else { rng.random_range(1..500) as f64 };
                            let has_row = all_zero || !rng.random_bool(0.1);
                            let weight = if has_row { weight } else { 0.0 };
                            let id = format!("F{}", finer.len());
                            finer.push((id, c, rect(fx[a], fy[b], fx[a + 1], fy[b + 1]), weight, has_row));
                        }
                    }
                }
            }
            let counts: Vec<f64> = coarse.iter().map(|_| rng.random_range(0..3000) as f64).collect();

            // Coarse ids are JSON numbers in the polygons, text in the table (some written as `101.0`).
            let areas = write_geojson(
                dir.path(),
                "coarse.geojson",
                &coarse.iter().map(|(id, ring)| (json!({"id": id}), ring.clone())).collect::<Vec<_>>(),
            );
            let mut table = String::from("id,children\n");
            for ((id, _), n) in coarse.iter().zip(&counts) {
                table += &if id % 3 == 0 { format!("{id}.0,{n}\n") } else { format!("{id},{n}\n") };
            }
            let table = write_text(dir.path(), "table.csv", &table);
            let spread_areas = write_geojson(
                dir.path(),
                "finer.geojson",
                &finer
                    .iter()
                    .map(|(id, c, ring, _, _)| (json!({"fid": id, "parent": coarse[*c].0}), ring.clone()))
                    .collect::<Vec<_>>(),
            );
            let mut weights = String::from("fid;pop\n");
            for (id, _, _, w, has_row) in &finer {
                if *has_row {
                    weights += &format!("{id};{w}\n");
                }
            }
            weights += "X1;17\nX2;4\n";
            let weights = write_text(dir.path(), "weights.csv", &weights);
            let spread = SpreadSource {
                layer: None,
                areas: spread_areas,
                id: "fid".into(),
                parent: by_parent.then(|| "parent".into()),
                weights: Some(weights),
                weights_id: "fid".into(),
                weight: Some("pop".into()),
            };
            let source = table_source(table, areas, Some(spread));
            let mut warnings = Warnings::default();
            let (children, report) = children_from_table(&source, None, Crs::SWEREF99_TM, &mut warnings).unwrap();
            let (again, _) = children_from_table(&source, None, Crs::SWEREF99_TM, &mut Warnings::default()).unwrap();
            assert_eq!(children.points, again.points, "seed {seed}: not deterministic");
            assert_eq!(children.counts, again.counts, "seed {seed}: not deterministic");

            // The oracle: brute-force point in polygon over every coarse and every finer polygon.
            let coarse_polygons: Vec<Polygon<f64>> = coarse.iter().map(|(_, r)| polygon(r)).collect();
            let finer_polygons: Vec<Polygon<f64>> = finer.iter().map(|(_, _, r, _, _)| polygon(r)).collect();
            let mut per_coarse = vec![0.0; coarse.len()];
            let mut per_finer = vec![0.0; finer.len()];
            for (p, n) in children.points.iter().zip(&children.counts) {
                assert!(*n > 0.0 && n.fract() == 0.0, "seed {seed}: count {n} is not a positive whole number");
                let point = Point::new(p[0], p[1]);
                let inside: Vec<usize> = (0..coarse.len()).filter(|&c| coarse_polygons[c].contains(&point)).collect();
                assert_eq!(inside.len(), 1, "seed {seed}: point {p:?} lies in coarse polygons {inside:?}");
                per_coarse[inside[0]] += n;
                if let Some(f) = (0..finer.len()).find(|&f| finer_polygons[f].contains(&point)) {
                    per_finer[f] += n;
                }
            }
            for c in 0..coarse.len() {
                assert_eq!(per_coarse[c], counts[c], "seed {seed}: coarse area {} placed wrong", coarse[c].0);
                let sum: f64 = finer.iter().filter(|f| f.1 == c).map(|f| f.3).sum();
                let is_fallback = report.fallbacks.iter().any(|f| f.id == coarse[c].0.to_string());
                assert_eq!(is_fallback, sum == 0.0 && counts[c] > 0.0, "seed {seed}: fallback of {}", coarse[c].0);
                if sum == 0.0 {
                    continue;
                }
                for (f, fine) in finer.iter().enumerate().filter(|(_, f)| f.1 == c) {
                    let exact = counts[c] * fine.3 / sum;
                    assert!(
                        (per_finer[f] - exact).abs() < 1.0,
                        "seed {seed}: finer {} got {} for an exact share of {exact}",
                        fine.0,
                        per_finer[f]
                    );
                }
            }
            // Every point emitted for a spread area lies inside a finer polygon of that area.
            for (p, _) in children.points.iter().zip(&children.counts) {
                let point = Point::new(p[0], p[1]);
                let c = (0..coarse.len()).find(|&c| coarse_polygons[c].contains(&point)).unwrap();
                if report.fallbacks.iter().any(|f| f.id == coarse[c].0.to_string()) {
                    continue;
                }
                let f = (0..finer.len()).find(|&f| finer_polygons[f].contains(&point));
                assert!(
                    f.is_some_and(|f| finer[f].1 == c),
                    "seed {seed}: point {p:?} is not in a finer polygon of {c}"
                );
            }
            let total: f64 = counts.iter().sum();
            assert_eq!(report.children_in_table, total);
            assert_eq!(report.children_placed, total);
            assert_eq!(children.total(), total);
            assert_eq!(report.matched, coarse.len());
            assert!(report.table_ids_without_polygon.is_empty() && report.polygons_without_row.is_empty());
            let spread = report.spread.as_ref().unwrap();
            assert_eq!(spread.weight_rows_without_polygon, 2);
            assert_eq!(spread.weight_without_polygon, 21.0);
            assert_eq!(spread.ids_without_weight, finer.iter().filter(|f| !f.4).count());
            assert_eq!(spread.polygons_unassigned, 0);
            for a in &report.per_area {
                assert_eq!(a.placed, a.children);
            }
            fallbacks += report.fallbacks.len();
            without_row += spread.ids_without_weight;
            zero_weight += finer.iter().filter(|f| f.4 && f.3 == 0.0).count();
        }
        // The random cases did exercise the awkward paths.
        assert!(fallbacks > 0 && without_row > 0 && zero_weight > 0, "{fallbacks} {without_row} {zero_weight}");
    }

    /// Areas 1, 2 and 4 in the table and the polygons; 9 only in the table, 3 only in the polygons.
    /// Finer polygons: a1 (weight 3) and a2 (weight 1) in 1, b1 (no weight row) in 2, none in 4.
    #[test]
    fn unmatched_ids_and_fallbacks_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &[
                (json!({"id": 1}), rect(X0, Y0, X0 + 1000.0, Y0 + 1000.0)),
                (json!({"id": "2"}), rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)),
                (json!({"id": 3}), rect(X0 + 2000.0, Y0, X0 + 3000.0, Y0 + 1000.0)),
                (json!({"id": 4}), rect(X0 + 3000.0, Y0, X0 + 4000.0, Y0 + 1000.0)),
            ],
        );
        let table = write_text(dir.path(), "table.csv", "id;children\n1;100\n2;50\n9;7\n4;12\n");
        let finer = write_geojson(
            dir.path(),
            "finer.geojson",
            &[
                (json!({"id": "a1"}), rect(X0, Y0, X0 + 500.0, Y0 + 1000.0)),
                (json!({"id": "a2"}), rect(X0 + 500.0, Y0, X0 + 1000.0, Y0 + 1000.0)),
                (json!({"id": "b1"}), rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)),
                (json!({"id": "out"}), rect(X0 + 9000.0, Y0, X0 + 9500.0, Y0 + 500.0)),
            ],
        );
        let weights = write_text(dir.path(), "weights.csv", "id,people\na1,3\na2,1\nzz,40\nout,5\n");
        let spread = SpreadSource {
            layer: None,
            areas: finer,
            id: "id".into(),
            parent: None,
            weights: Some(weights),
            weights_id: "id".into(),
            weight: Some("people".into()),
        };
        let mut warnings = Warnings::default();
        let (children, report) =
            children_from_table(&table_source(table, areas, Some(spread)), None, Crs::SWEREF99_TM, &mut warnings)
                .unwrap();

        assert_eq!(report.table_rows, 4);
        assert_eq!(report.areas, 4);
        assert_eq!(report.matched, 3);
        assert_eq!(report.table_ids_without_polygon, vec!["9"]);
        assert_eq!(report.children_without_polygon, 7.0);
        assert_eq!(report.polygons_without_row, vec!["3"]);
        assert_eq!(report.children_in_table, 169.0);
        assert_eq!(report.children_placed, 162.0);
        let spread = report.spread.as_ref().unwrap();
        assert_eq!(spread.assigned_by, "location");
        assert_eq!(spread.polygons, 4);
        assert_eq!(spread.polygons_used, 2);
        assert_eq!(spread.polygons_unassigned_examples, vec!["out"]);
        assert_eq!(spread.ids_without_weight_examples, vec!["b1"]);
        assert_eq!(spread.weight_rows_without_polygon_examples, vec!["zz"]);
        assert_eq!(spread.weight_without_polygon, 40.0);
        let fallbacks: Vec<(&str, f64)> = report.fallbacks.iter().map(|f| (f.id.as_str(), f.children)).collect();
        assert_eq!(fallbacks, vec![("2", 50.0), ("4", 12.0)]);
        assert!(report.fallbacks[0].reason.contains("weigh 0"));
        assert!(report.fallbacks[1].reason.contains("no finer polygon"));

        // 75 and 25 in a1 and a2, then 50 and 12 at points inside areas 2 and 4.
        assert_eq!(children.counts, vec![75.0, 25.0, 50.0, 12.0]);
        let inside = |p: [f64; 2], r: Vec<[f64; 2]>| polygon(&r).contains(&Point::new(p[0], p[1]));
        assert!(inside(children.points[0], rect(X0, Y0, X0 + 500.0, Y0 + 1000.0)));
        assert!(inside(children.points[1], rect(X0 + 500.0, Y0, X0 + 1000.0, Y0 + 1000.0)));
        assert!(inside(children.points[2], rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)));
        assert!(inside(children.points[3], rect(X0 + 3000.0, Y0, X0 + 4000.0, Y0 + 1000.0)));

        let all = warnings.0.join("\n");
        for expected in [
            "1 id(s) have no polygon",
            "7 children are left out: 9",
            "1 area(s) have no row",
            "area '2': its 1 finer polygon(s) all weigh 0",
            "area '4': no finer polygon lies in it",
            "no row in",
            "(weight 40) have no polygon",
            "belong to no area",
        ] {
            assert!(all.contains(expected), "no warning with '{expected}' in:\n{all}");
        }
    }

    fn u_shape() -> Vec<[f64; 2]> {
        [[0.0, 0.0], [30.0, 0.0], [30.0, 30.0], [20.0, 30.0], [20.0, 10.0], [10.0, 10.0], [10.0, 30.0], [0.0, 30.0]]
            .iter()
            .chain([[0.0, 0.0]].iter())
            .map(|p| [X0 + p[0] * 100.0, Y0 + p[1] * 100.0])
            .collect()
    }

    #[test]
    fn interior_point_is_inside_a_u_shape_whose_centroid_is_not() {
        let u = polygon(&u_shape());
        let centroid = u.centroid().unwrap();
        assert!(!u.contains(&centroid), "the test shape should have its centroid outside");
        let p = interior_point(&MultiPolygon(vec![u.clone()])).unwrap();
        assert!(u.contains(&Point::new(p[0], p[1])));

        // End to end, without a spread: one point per area, inside it.
        let dir = tempfile::tempdir().unwrap();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &[(json!({"id": "U"}), u_shape()), (json!({"id": "0"}), rect(X0 + 5000.0, Y0, X0 + 6000.0, Y0 + 1000.0))],
        );
        let table = write_text(dir.path(), "table.csv", "id,children\nU,\"1 080\"\n0,0\n");
        let mut warnings = Warnings::default();
        let (children, report) =
            children_from_table(&table_source(table, areas, None), None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        assert_eq!(children.counts, vec![1080.0]);
        assert!(u.contains(&Point::new(children.points[0][0], children.points[0][1])));
        assert!(report.spread.is_none() && report.fallbacks.is_empty());
        assert_eq!(report.per_area.len(), 2);
        assert_eq!(report.per_area[1].points, 0);
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
    }

    #[test]
    fn weights_from_a_field_equal_weights_and_parent_field() {
        let dir = tempfile::tempdir().unwrap();
        let areas =
            write_geojson(dir.path(), "areas.geojson", &[(json!({"kod": 52}), rect(X0, Y0, X0 + 900.0, Y0 + 900.0))]);
        let table = write_text(dir.path(), "table.csv", "kod,n\n52,10\n");
        let finer = write_geojson(
            dir.path(),
            "finer.geojson",
            &[
                (json!({"id": 1, "mo": "52", "pop": 2}), rect(X0, Y0, X0 + 300.0, Y0 + 900.0)),
                (json!({"id": 2, "mo": 52.0, "pop": "2"}), rect(X0 + 300.0, Y0, X0 + 600.0, Y0 + 900.0)),
                (json!({"id": 3, "mo": 52, "pop": 1}), rect(X0 + 600.0, Y0, X0 + 900.0, Y0 + 900.0)),
                (json!({"id": 4, "mo": null, "pop": 1}), rect(X0 + 600.0, Y0, X0 + 900.0, Y0 + 900.0)),
            ],
        );
        let source = |weight: Option<&str>| TableSource {
            areas_layer: None,
            table: table.clone(),
            table_id: "kod".into(),
            count: "n".into(),
            areas: areas.clone(),
            areas_id: "kod".into(),
            spread: Some(SpreadSource {
                layer: None,
                areas: finer.clone(),
                id: "id".into(),
                parent: Some("mo".into()),
                weights: None,
                weights_id: "id".into(),
                weight: weight.map(String::from),
            }),
            grid: None,
        };
        let mut warnings = Warnings::default();
        let (by_field, report) =
            children_from_table(&source(Some("pop")), None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        // Quotas 4, 4, 2.
        assert_eq!(by_field.counts, vec![4.0, 4.0, 2.0]);
        let spread = report.spread.unwrap();
        assert_eq!(spread.assigned_by, "field 'mo'");
        assert_eq!(spread.polygons_unassigned_examples, vec!["4"]);
        assert!(warnings.0.iter().any(|w| w.contains("'mo' is empty or names no area")));
        // Equal weights: 3⅓ each, the unit left to the first.
        let (equal, _) = children_from_table(&source(None), None, Crs::SWEREF99_TM, &mut Warnings::default()).unwrap();
        assert_eq!(equal.counts, vec![4.0, 3.0, 3.0]);
    }

    #[test]
    fn bad_tables_are_errors_naming_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let areas =
            write_geojson(dir.path(), "areas.geojson", &[(json!({"id": 1}), rect(X0, Y0, X0 + 10.0, Y0 + 10.0))]);
        let run = |text: &str| {
            let table = write_text(dir.path(), "table.csv", text);
            children_from_table(
                &table_source(table, areas.clone(), None),
                None,
                Crs::SWEREF99_TM,
                &mut Warnings::default(),
            )
            .map(|_| ())
            .unwrap_err()
            .to_string()
        };
        let e = run("id,children\n1,5\n1.0,6\n");
        assert!(e.contains("row 3") && e.contains("duplicate id '1'") && e.contains("row 2"), "{e}");
        let e = run("id,children\n1,many\n");
        assert!(e.contains("row 2") && e.contains("not a number"), "{e}");
        let e = run("id,children\n1,-4\n");
        assert!(e.contains("row 2") && e.contains("negative"), "{e}");
        let e = run("id,kids\n1,4\n");
        assert!(e.contains("no column 'children'"), "{e}");
        let e = run("id,children\n,4\n");
        assert!(e.contains("row 2") && e.contains("empty"), "{e}");
    }

    /// Göteborg: children 0–5 per mellanområde, spread over basområden by total population.
    #[test]
    fn real_goteborg_mellanomraden_over_basomraden() {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
        if !data.is_dir() {
            let message = format!("real data folder {} is missing", data.display());
            if std::env::var_os("CI").is_some() {
                panic!("{message} (CI is set, so this test must run)");
            }
            eprintln!("SKIPPED real_goteborg_mellanomraden_over_basomraden: {message}");
            return;
        }
        let source = TableSource {
            areas_layer: None,
            table: data.join("goteborg_befolkning/mellanomrade_barn_0_5_ar.csv"),
            table_id: "mellanomrade_kod".into(),
            count: "ar2025_alder_0_5".into(),
            areas: data.join("goteborg_omraden/mellanomraden_sweref99tm.geojson"),
            areas_id: "omrade_kod".into(),
            spread: Some(SpreadSource {
                layer: None,
                areas: data.join("goteborg_omraden/basomraden_sweref99tm.geojson"),
                id: "omrade_kod".into(),
                parent: Some("mellanomrade_kod".into()),
                weights: Some(data.join("goteborg_befolkning/basomrade_folkmangd.csv")),
                weights_id: "omrade_kod".into(),
                weight: Some("jan_1".into()),
            }),
            grid: None,
        };
        let mut warnings = Warnings::default();
        let (children, report) = children_from_table(&source, None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        let spread = report.spread.as_ref().unwrap();
        eprintln!(
            "real data: {} table rows, {} areas, {} matched; children in table {}, placed {}, at {} points",
            report.table_rows,
            report.areas,
            report.matched,
            report.children_in_table,
            report.children_placed,
            report.points
        );
        eprintln!(
            "spread: {} basområden, {} used, {} unassigned {:?}, {} without weight {:?}, {} weight rows without \
             polygon (weight {}, e.g. {:?}), fallbacks {:?}",
            spread.polygons,
            spread.polygons_used,
            spread.polygons_unassigned,
            spread.polygons_unassigned_examples,
            spread.ids_without_weight,
            spread.ids_without_weight_examples,
            spread.weight_rows_without_polygon,
            spread.weight_without_polygon,
            spread.weight_rows_without_polygon_examples,
            report.fallbacks
        );
        for w in &warnings.0 {
            eprintln!("warning: {w}");
        }
        assert_eq!(report.table_rows, 36);
        assert_eq!(report.matched, 36);
        assert_eq!(report.children_in_table, 38_260.0);
        assert_eq!(report.children_placed, 38_260.0);
        assert_eq!(children.total(), 38_260.0);
        assert!(children.counts.iter().all(|n| *n > 0.0 && n.fract() == 0.0));
        let billdal = report.per_area.iter().find(|a| a.id == "52").unwrap();
        assert_eq!((billdal.children, billdal.placed), (1080.0, 1080.0));
        assert!((200..=230).contains(&spread.weight_rows_without_polygon), "{}", spread.weight_rows_without_polygon);
        assert_eq!(spread.weight_without_polygon, 2207.0);
        assert_eq!(spread.ids_without_weight, 1);
        assert!(report.fallbacks.is_empty());

        // The oracle for Billdal: the children at points inside mellanområde 52's polygon.
        let layer = read_projected(&source.areas, &ReadOptions::default(), None, Crs::SWEREF99_TM).unwrap().layer;
        let kod = layer.field_index("omrade_kod").unwrap();
        let i = (0..layer.features.len()).find(|&i| id_of(&layer, i, kod).unwrap() == "52").unwrap();
        let billdal_polygon = polygon_of(&layer, i, "test").unwrap();
        let in_billdal: f64 = children
            .points
            .iter()
            .zip(&children.counts)
            .filter(|(p, _)| billdal_polygon.contains(&Point::new(p[0], p[1])))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(in_billdal, 1080.0);

        // Every basområde's interior point lies in it, invalid polygons included.
        let bas =
            read_projected(&source.spread.as_ref().unwrap().areas, &ReadOptions::default(), None, Crs::SWEREF99_TM)
                .unwrap()
                .layer;
        for i in 0..bas.features.len() {
            let mp = polygon_of(&bas, i, "test").unwrap();
            let p = interior_point(&mp).unwrap();
            assert!(geo::Intersects::intersects(&mp, &Point::new(p[0], p[1])), "feature {i}");
        }
    }
}
