//! Where each area's children go: one point inside the area, or the points of the spread grid; and the ground
//! each point stands for ([`Footprints`], what gap zones are drawn from).

use std::collections::HashMap;
use std::path::Path;

use geo::MultiPolygon;
use rayon::prelude::*;

use super::grid::{check_size, GridLand, GridReport, GridShare};
use super::read::Polygons;
use super::{examples, list};
use crate::error::{Error, Result};
use crate::model::footprint::Footprints;
use crate::model::{Children, Warnings};

/// Which polygon an area is: one of the table's areas or one of the finer polygons of the spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum AreaRef {
    /// The table's area polygon of this index.
    Table(usize),
    /// The finer polygon of this index.
    Finer(usize),
}

/// Children to place in one area.
#[derive(Clone, Copy, Debug)]
pub(super) struct Placement {
    /// The area.
    pub area: AreaRef,
    /// Its children (> 0).
    pub count: f64,
    /// A point inside it: where they go without a grid, or when the area is too small for a grid point.
    pub point: [f64; 2],
    /// Whether to spread them over the grid.
    pub grid: bool,
}

/// The polygons placements refer to.
pub(super) struct Areas<'a> {
    /// The table's area polygons.
    pub table: &'a Polygons,
    /// The finer polygons, when there is a spread.
    pub finer: Option<&'a Polygons>,
}

impl Areas<'_> {
    fn polygons(&self, area: AreaRef) -> (&Polygons, usize) {
        match area {
            AreaRef::Table(i) => (self.table, i),
            AreaRef::Finer(i) => (self.finer.expect("finer polygons are read when a placement refers to one"), i),
        }
    }
    fn polygon(&self, area: AreaRef) -> &MultiPolygon<f64> {
        let (p, i) = self.polygons(area);
        &p.polygons[i]
    }
    fn id(&self, area: AreaRef) -> &str {
        let (p, i) = self.polygons(area);
        &p.ids[i]
    }
    fn error(&self, area: AreaRef, message: String) -> Error {
        let (p, i) = self.polygons(area);
        p.layer.feature_error(i, message)
    }
    /// The file the gridded areas come from: the finest ones.
    fn finest_file(&self) -> &Path {
        &self.finer.unwrap_or(self.table).layer.path
    }
}

/// What one gridded area became.
enum Gridded {
    /// Too small for a grid point: its children at its interior point.
    TooSmall,
    /// Spread over the grid.
    Spread {
        land: f64,
        cells: usize,
        grid_points: usize,
        slivers: usize,
        share: GridShare,
        /// The area made valid, when its rings cross (the points and cells are of this one).
        made_valid: Option<MultiPolygon<f64>>,
    },
}

/// Children at the placements, in their order, with the ground each point stands for; with a grid of `grid`
/// metres, the placements marked for it are spread over it (refused first when too fine, [`check_size`]).
/// Also returns the points made per placement and, with a grid, its report.
///
/// The areas are put on the grid in parallel, each on its own: the same input gives the same points whatever
/// the number of threads.
pub(super) fn place(
    placements: &[Placement],
    areas: &Areas,
    grid: Option<f64>,
    warnings: &mut Warnings,
) -> Result<(Children, Vec<usize>, Option<GridReport>)> {
    let gridded: Vec<Option<Gridded>> = match grid {
        None => placements.iter().map(|_| None).collect(),
        Some(side) => {
            let to_grid = placements.iter().filter(|p| p.grid).map(|p| areas.polygon(p.area));
            check_size(to_grid, side, areas.finest_file())?;
            let results: Vec<Result<Option<Gridded>>> = placements
                .par_iter()
                .map(|p| if p.grid { put_on_grid(p, areas, side).map(Some) } else { Ok(None) })
                .collect();
            results.into_iter().collect::<Result<_>>()?
        }
    };

    let mut children = Children::default();
    let mut footprints = Footprints { grid, cell_start: vec![0], ..Default::default() };
    let mut area_index: HashMap<AreaRef, u32> = HashMap::new();
    let mut report = grid.map(|side| GridReport { spacing_m: side, ..Default::default() });
    let mut too_small: Vec<String> = Vec::new();
    let mut points = Vec::with_capacity(placements.len());
    for (placement, gridded) in placements.iter().zip(gridded) {
        let before = children.len();
        let mut made_valid_area = None;
        match gridded {
            Some(Gridded::Spread { land, cells, grid_points, slivers, share, made_valid }) => {
                let r = report.as_mut().expect("a report with a grid");
                r.areas_spread += 1;
                r.land_m2 += land;
                r.cells += cells;
                r.grid_points += grid_points;
                r.points_with_children += share.points.len();
                r.sliver_cells += slivers;
                r.areas_made_valid += usize::from(made_valid.is_some());
                made_valid_area = made_valid;
                children.points.extend_from_slice(&share.positions);
                children.counts.extend_from_slice(&share.counts);
                let offset = footprints.cells.len() as u32;
                footprints.cells.extend_from_slice(&share.cells);
                footprints.cell_start.extend(share.cell_start[1..].iter().map(|s| s + offset));
            }
            too_small_or_none => {
                if matches!(too_small_or_none, Some(Gridded::TooSmall)) {
                    let r = report.as_mut().expect("a report with a grid");
                    r.areas_fallback += 1;
                    r.fallback_children += placement.count;
                    too_small.push(areas.id(placement.area).to_string());
                }
                children.points.push(placement.point);
                children.counts.push(placement.count);
                footprints.cell_start.push(footprints.cells.len() as u32);
            }
        }
        let next = footprints.areas.len() as u32;
        let index = *area_index.entry(placement.area).or_insert_with(|| {
            footprints.areas.push(made_valid_area.unwrap_or_else(|| areas.polygon(placement.area).clone()));
            next
        });
        footprints.area_of.resize(children.len(), index);
        points.push(children.len() - before);
    }
    if let Some(r) = report.as_mut() {
        r.fallback_examples = examples(&too_small);
        if !too_small.is_empty() {
            warnings.push(format!(
                "{}: {} area(s) are too small for a point of the {} m spread grid (no cell centre lies inside); \
                 their {} children stay at one point inside each: {}",
                areas.finest_file().display(),
                too_small.len(),
                r.spacing_m,
                crate::input::format_number(r.fallback_children),
                list(&too_small)
            ));
        }
    }
    children.footprints = Some(footprints);
    Ok((children, points, report))
}

/// Puts one area on the grid of `side` metres; an area whose rings cross is made valid first (even–odd, as
/// point-in-polygon reads it), so that its land is counted once.
fn put_on_grid(placement: &Placement, areas: &Areas, side: f64) -> Result<Gridded> {
    let polygon = areas.polygon(placement.area);
    let made_valid = crate::model::self_intersects(polygon)
        .then(|| crate::overlay::union_all(&polygon.0, crate::overlay::Fill::EvenOdd));
    let grid = GridLand::new(made_valid.as_ref().unwrap_or(polygon), side).map_err(|e| {
        areas.error(
            placement.area,
            format!("area '{}' cannot be put on the {side} m spread grid: {e}", areas.id(placement.area)),
        )
    })?;
    if grid.points.is_empty() {
        return Ok(Gridded::TooSmall);
    }
    Ok(Gridded::Spread {
        land: grid.land.iter().sum(),
        cells: grid.cells.len(),
        grid_points: grid.points.len(),
        slivers: grid.slivers(),
        share: grid.share(placement.count),
        made_valid,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use geo::{Contains, Coord, Intersects, MultiPolygon, Point, Polygon};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    use crate::crs::Crs;
    use crate::input::sources::{SpreadSource, TableSource};
    use crate::model::footprint::cell_of;
    use crate::model::{Children, Warnings};
    use crate::population::grid::testing::star;
    use crate::population::grid::{cover, GridReport};
    use crate::population::testing::*;
    use crate::population::{apportion, children_from_table, TableReport};

    /// Random table areas (rectangles), each with a few finer polygons side by side (concave, some with holes,
    /// some smaller than a cell, some weighing 0) or none; random counts, a few with a fraction.
    struct Case {
        _dir: tempfile::TempDir,
        source: TableSource,
        side: f64,
        counts: Vec<f64>,
        /// (coarse index, polygon, weight)
        finer: Vec<(usize, MultiPolygon<f64>, f64)>,
        coarse: Vec<Polygon<f64>>,
    }

    fn random_case(seed: u64) -> Case {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let side = [25.0, 50.0, 100.0][rng.random_range(0..3)];
        let dir = tempfile::tempdir().unwrap();
        let (mut coarse, mut finer) = (Vec::new(), Vec::new());
        let mut x = X0;
        for c in 0..4 {
            let (w, h) = (rng.random_range(300.0..1500.0), rng.random_range(300.0..1500.0));
            coarse.push(polygon(&rect(x, Y0, x + w, Y0 + h)));
            let k = if rng.random_bool(0.15) { 0 } else { rng.random_range(1..=4) };
            for s in 0..k {
                let strip = w / k as f64;
                let room = 0.45 * strip.min(h);
                let r_max = if rng.random_bool(0.2) { rng.random_range(0.1..0.45) * side } else { room };
                let centre = Coord { x: x + strip * (s as f64 + 0.5), y: Y0 + h / 2.0 };
                let n = rng.random_range(6..16);
                let exterior = star(&mut rng, centre, n, r_max * 0.5..r_max);
                let holes = if rng.random_bool(0.4) {
                    vec![star(&mut rng, centre, 5, r_max * 0.1..r_max * 0.3)]
                } else {
                    Vec::new()
                };
                let weight = if rng.random_bool(0.1) { 0.0 } else { rng.random_range(1..100) as f64 };
                finer.push((c, MultiPolygon(vec![Polygon::new(exterior, holes)]), weight));
            }
            x += w;
        }
        let counts: Vec<f64> =
            (0..4).map(|_| rng.random_range(0..2000) as f64 + if rng.random_bool(0.15) { 0.5 } else { 0.0 }).collect();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &coarse.iter().enumerate().map(|(c, p)| (json!({"id": c}), ring_of(p))).collect::<Vec<_>>(),
        );
        let mut table = String::from("id,children\n");
        for (c, n) in counts.iter().enumerate() {
            table += &format!("{c},{n}\n");
        }
        let table = write_text(dir.path(), "table.csv", &table);
        let spread_areas = write_areas(
            dir.path(),
            "finer.geojson",
            &finer
                .iter()
                .enumerate()
                .map(|(f, (c, mp, w))| (json!({"fid": f, "parent": c, "w": w}), mp.clone()))
                .collect::<Vec<_>>(),
        );
        let spread = SpreadSource {
            layer: None,
            areas: spread_areas,
            id: "fid".into(),
            parent: Some("parent".into()),
            weights: None,
            weights_id: "fid".into(),
            weight: Some("w".into()),
        };
        let mut source = table_source(table, areas, Some(spread));
        source.grid = Some(side);
        Case { _dir: dir, source, side, counts, finer, coarse }
    }

    fn ring_of(p: &Polygon<f64>) -> Vec<[f64; 2]> {
        p.exterior().0.iter().map(|c| [c.x, c.y]).collect()
    }

    fn run(source: &TableSource) -> (Children, TableReport, Warnings) {
        let mut warnings = Warnings::default();
        let (children, report) = children_from_table(source, None, Crs::SWEREF99_TM, &mut warnings).unwrap();
        (children, report, warnings)
    }

    /// Whether some cell centre of a grid of `side` lies inside `area` (brute force over its bounding box).
    fn has_centre_inside(area: &MultiPolygon<f64>, side: f64) -> bool {
        let bbox = geo::BoundingRect::bounding_rect(area).unwrap();
        let (lo, hi) = (
            cell_of([bbox.min().x, bbox.min().y], side).unwrap(),
            cell_of([bbox.max().x, bbox.max().y], side).unwrap(),
        );
        (lo[0]..=hi[0]).any(|i| {
            (lo[1]..=hi[1])
                .any(|j| area.contains(&Point::new((f64::from(i) + 0.5) * side, (f64::from(j) + 0.5) * side)))
        })
    }

    #[test]
    fn every_area_is_spread_over_its_grid_exactly_on_random_polygons() {
        let (mut fallbacks, mut coarse_fallbacks, mut spread) = (0, 0, 0);
        for seed in 0..20 {
            let case = random_case(seed);
            let (children, report, warnings) = run(&case.source);
            let side = case.side;
            assert_eq!(children.total(), case.counts.iter().sum::<f64>(), "seed {seed}");
            let footprints = children.footprints.as_ref().unwrap();
            assert_eq!(footprints.grid, Some(side));
            assert_eq!(footprints.area_of.len(), children.len());
            assert_eq!(footprints.cell_start.len(), children.len() + 1);
            let grid: &GridReport = report.grid.as_ref().unwrap();

            // Each point lies in the area it stands for; a grid point in its own cell, listed first.
            for (i, p) in children.points.iter().enumerate() {
                let point = Point::new(p[0], p[1]);
                assert!(footprints.area(i).intersects(&point), "seed {seed}: point {i} outside its area");
                if let Some(own) = footprints.cells_of(i).first() {
                    assert_eq!(Some(*own), cell_of(*p, side), "seed {seed}: point {i} is not in its own cell");
                }
            }
            let gridded = (0..children.len()).filter(|&i| !footprints.cells_of(i).is_empty()).count();
            assert_eq!(grid.points_with_children, gridded, "seed {seed}");

            // Per finer polygon: its share of its area's children (the spread's own rule) lies exactly at the
            // points inside it, which stand for every cell it covers, each once.
            let mut expected_fallbacks = Vec::new();
            for (c, &count) in case.counts.iter().enumerate() {
                let finer: Vec<usize> = (0..case.finer.len()).filter(|&f| case.finer[f].0 == c).collect();
                let weights: Vec<f64> = finer.iter().map(|&f| case.finer[f].2).collect();
                if weights.iter().sum::<f64>() == 0.0 {
                    if count > 0.0 {
                        coarse_fallbacks += 1;
                        let inside: Vec<usize> = (0..children.len())
                            .filter(|&i| {
                                case.coarse[c].contains(&Point::new(children.points[i][0], children.points[i][1]))
                            })
                            .collect();
                        assert_eq!(inside.len(), 1, "seed {seed}: one point for area {c}");
                        assert_eq!(children.counts[inside[0]], count);
                        assert!(footprints.cells_of(inside[0]).is_empty(), "it stands for the whole area");
                        assert_eq!(footprints.area(inside[0]), &MultiPolygon(vec![case.coarse[c].clone()]));
                    }
                    continue;
                }
                for (&f, share) in finer.iter().zip(apportion(count, &weights)) {
                    let area = &case.finer[f].1;
                    let at: Vec<usize> = (0..children.len())
                        .filter(|&i| area.intersects(&Point::new(children.points[i][0], children.points[i][1])))
                        .collect();
                    let placed: f64 = at.iter().map(|&i| children.counts[i]).sum();
                    assert_eq!(placed, share, "seed {seed}: finer polygon {f}");
                    if share == 0.0 {
                        continue;
                    }
                    if !has_centre_inside(area, side) {
                        expected_fallbacks.push(f.to_string());
                        assert_eq!(at.len(), 1, "seed {seed}: finer {f} too small: one interior point");
                        assert!(footprints.cells_of(at[0]).is_empty());
                        continue;
                    }
                    spread += 1;
                    let mut cells: Vec<[i32; 2]> = at.iter().flat_map(|&i| footprints.cells_of(i).to_vec()).collect();
                    let unique: HashSet<[i32; 2]> = cells.iter().copied().collect();
                    assert_eq!(unique.len(), cells.len(), "seed {seed}: finer {f}: a cell stands for two points");
                    cells.sort_by_key(|c| (c[1], c[0]));
                    assert_eq!(cells, cover(area, side).unwrap().cells, "seed {seed}: finer {f}: cells");
                    for &i in &at {
                        assert_eq!(footprints.area(i), area);
                    }
                }
            }
            fallbacks += expected_fallbacks.len();
            assert_eq!(grid.areas_fallback, expected_fallbacks.len(), "seed {seed}");
            assert_eq!(grid.fallback_examples, expected_fallbacks.iter().take(10).cloned().collect::<Vec<_>>());
            let warned = warnings.0.iter().any(|w| w.contains("too small for a point of the"));
            assert_eq!(warned, !expected_fallbacks.is_empty(), "seed {seed}: {:?}", warnings.0);
            for a in &report.per_area {
                assert_eq!(a.placed, a.children);
            }
            assert_eq!(report.points, children.len());
        }
        assert!(fallbacks > 3 && coarse_fallbacks > 0 && spread > 50, "{fallbacks} {coarse_fallbacks} {spread}");
    }

    #[test]
    fn the_grid_gives_the_same_points_whatever_the_number_of_threads() {
        for seed in [3, 4] {
            let case = random_case(seed);
            let on = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| run(&case.source).0)
            };
            let (one, four) = (on(1), on(4));
            assert!(one.len() > 10);
            assert_eq!(one.points, four.points);
            assert_eq!(one.counts, four.counts);
            assert_eq!(one.footprints, four.footprints);
        }
    }

    #[test]
    fn without_a_spread_the_table_areas_go_on_the_grid() {
        let dir = tempfile::tempdir().unwrap();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &[
                (json!({"id": "A"}), rect(X0, Y0, X0 + 1000.0, Y0 + 1000.0)),
                (json!({"id": "small"}), rect(X0 + 2010.0, Y0 + 10.0, X0 + 2040.0, Y0 + 40.0)),
                (json!({"id": "none"}), rect(X0 + 3000.0, Y0, X0 + 4000.0, Y0 + 1000.0)),
            ],
        );
        let table = write_text(dir.path(), "table.csv", "id,children\nA,100\nsmall,3\nnone,0\n");
        let mut source = table_source(table, areas, None);
        source.grid = Some(100.0);
        let (children, report, warnings) = run(&source);
        // 100 children over 100 whole cells of A: one each; the small area's 3 at its interior point.
        assert_eq!(children.len(), 101);
        assert!(children.counts[..100].iter().all(|&n| n == 1.0));
        assert_eq!(children.counts[100], 3.0);
        assert_eq!(children.points[100], [X0 + 2025.0, Y0 + 25.0]);
        let footprints = children.footprints.as_ref().unwrap();
        assert_eq!(footprints.areas.len(), 2);
        assert!((0..100).all(|i| footprints.cells_of(i).len() == 1 && footprints.area_of[i] == 0));
        assert!(footprints.cells_of(100).is_empty() && footprints.area_of[100] == 1);
        let grid = report.grid.as_ref().unwrap();
        assert_eq!(
            (grid.areas_spread, grid.grid_points, grid.points_with_children, grid.sliver_cells, grid.cells),
            (1, 100, 100, 0, 100)
        );
        assert_eq!((grid.areas_fallback, grid.fallback_children), (1, 3.0));
        assert_eq!(grid.fallback_examples, vec!["small"]);
        assert!((grid.land_m2 - 1e6).abs() < 1e-6);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["grid"]["spacing_m"], 100.0);
        assert_eq!(json["grid"]["areas_fallback"], 1);
        assert_eq!(report.per_area.iter().map(|a| a.points).collect::<Vec<_>>(), vec![100, 1, 0]);
        let all = warnings.0.join("\n");
        assert!(
            all.contains("areas.geojson: 1 area(s) are too small for a point of the 100 m spread grid")
                && all.contains("their 3 children stay at one point inside each: small"),
            "{all}"
        );
    }

    #[test]
    fn too_fine_a_grid_is_an_error_naming_the_file_and_the_option() {
        let dir = tempfile::tempdir().unwrap();
        let areas =
            write_geojson(dir.path(), "big.geojson", &[(json!({"id": 1}), rect(X0, Y0, X0 + 20_000.0, Y0 + 20_000.0))]);
        let table = write_text(dir.path(), "table.csv", "id,children\n1,5\n");
        let mut source = table_source(table, areas, None);
        source.grid = Some(0.01);
        let e = children_from_table(&source, None, Crs::SWEREF99_TM, &mut Warnings::default()).unwrap_err().to_string();
        assert!(e.starts_with("--spread-grid 0.01: would make about 4 000 000 000 000 points in "), "{e}");
        assert!(e.contains("big.geojson (its land / 0.0001 m²); the limit is 20 000 000"), "{e}");
        assert!(e.ends_with("use a spacing of at least 5 m"), "{e}");
        // No children, nothing to spread: no error.
        let table = write_text(dir.path(), "table.csv", "id,children\n1,0\n");
        source.table = table;
        assert!(children_from_table(&source, None, Crs::SWEREF99_TM, &mut Warnings::default()).is_ok());
    }

    #[test]
    fn an_area_whose_rings_cross_is_made_valid_before_the_grid() {
        // A bow tie: two triangles, 2 × 500 × 500 / 2 m² of land.
        let dir = tempfile::tempdir().unwrap();
        let tie = vec![[X0, Y0], [X0 + 1000.0, Y0 + 1000.0], [X0 + 1000.0, Y0], [X0, Y0 + 1000.0], [X0, Y0]];
        let areas = write_geojson(dir.path(), "tie.geojson", &[(json!({"id": 1}), tie)]);
        let table = write_text(dir.path(), "table.csv", "id,children\n1,50\n");
        let mut source = table_source(table, areas, None);
        source.grid = Some(50.0);
        let (children, report, _) = run(&source);
        assert_eq!(children.total(), 50.0);
        let grid = report.grid.unwrap();
        assert_eq!(grid.areas_made_valid, 1);
        assert!((grid.land_m2 - 500_000.0).abs() < 1e-3, "{}", grid.land_m2);
        let footprints = children.footprints.unwrap();
        // The valid area is the one kept: two triangles meeting at a point.
        assert_eq!(footprints.areas[0].0.len(), 2);
        assert!((geo::Area::unsigned_area(&footprints.areas[0]) - 500_000.0).abs() < 1e-3);
    }

    #[test]
    fn without_a_grid_points_stand_for_their_whole_finest_area() {
        let dir = tempfile::tempdir().unwrap();
        let areas = write_geojson(
            dir.path(),
            "areas.geojson",
            &[
                (json!({"id": 1}), rect(X0, Y0, X0 + 1000.0, Y0 + 1000.0)),
                (json!({"id": 2}), rect(X0 + 1000.0, Y0, X0 + 2000.0, Y0 + 1000.0)),
            ],
        );
        let finer = write_geojson(
            dir.path(),
            "finer.geojson",
            &[
                (json!({"id": "a", "w": 1}), rect(X0, Y0, X0 + 500.0, Y0 + 1000.0)),
                (json!({"id": "b", "w": 3}), rect(X0 + 500.0, Y0, X0 + 1000.0, Y0 + 1000.0)),
            ],
        );
        let table = write_text(dir.path(), "table.csv", "id,children\n1,8\n2,5\n");
        let spread = SpreadSource {
            layer: None,
            areas: finer,
            id: "id".into(),
            parent: None,
            weights: None,
            weights_id: "id".into(),
            weight: Some("w".into()),
        };
        let (children, report, _) = run(&table_source(table, areas, Some(spread)));
        assert!(report.grid.is_none());
        assert_eq!(children.counts, vec![2.0, 6.0, 5.0]);
        let footprints = children.footprints.unwrap();
        assert_eq!(footprints.grid, None);
        assert_eq!(footprints.area_of, vec![0, 1, 2]);
        assert_eq!(footprints.cell_start, vec![0, 0, 0, 0]);
        assert!(footprints.cells.is_empty());
        // The finer polygons, then area 2 (no finer polygon: its children at its own interior point).
        let square = |x0: f64, x1: f64| MultiPolygon(vec![polygon(&rect(x0, Y0, x1, Y0 + 1000.0))]);
        assert_eq!(footprints.areas[0], square(X0, X0 + 500.0));
        assert_eq!(footprints.areas[1], square(X0 + 500.0, X0 + 1000.0));
        assert_eq!(footprints.areas[2], square(X0 + 1000.0, X0 + 2000.0));
    }
}
