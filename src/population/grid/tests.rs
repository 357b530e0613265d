//! The grid against brute force: BooleanOps for the land, point-in-polygon for the points, every pair for the
//! nearest point.

use std::path::Path;

use geo::{Area, BooleanOps, Intersects, Point};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::testing::{random_area, square};
use super::*;
use crate::model::footprint::cell_polygon;

fn distance2(a: [i32; 2], b: [i32; 2]) -> i64 {
    let (dx, dy) = (i64::from(a[0]) - i64::from(b[0]), i64::from(a[1]) - i64::from(b[1]));
    dx * dx + dy * dy
}

/// The first of `candidates` nearest `cell`, by brute force.
fn brute_nearest(cell: [i32; 2], candidates: impl Iterator<Item = [i32; 2]>) -> usize {
    let mut best = (i64::MAX, 0);
    for (n, c) in candidates.enumerate() {
        let d = distance2(cell, c);
        if d < best.0 {
            best = (d, n);
        }
    }
    best.1
}

#[test]
fn points_weights_and_shares_agree_with_brute_force_on_random_areas() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let (mut without_points, mut slivers, mut zero_points) = (0, 0, 0);
    for case in 0..300 {
        let (area, side) = random_area(&mut rng);
        let grid = GridLand::new(&area, side).unwrap();
        let exact = area.unsigned_area();
        if grid.points.is_empty() {
            without_points += 1;
            assert!(grid.owner.is_empty() && grid.weight.is_empty());
            assert!(grid.share(5.0) == GridShare::default());
            continue;
        }

        // Every point lies in the area.
        for p in 0..grid.points.len() {
            let at = grid.position(p);
            assert!(area.intersects(&Point::new(at[0], at[1])), "case {case}: point {at:?} is outside");
        }
        // Each cell's land goes to its own point or, for a sliver, to the nearest point (ties: the first).
        let point_cells: Vec<[i32; 2]> = grid.points.iter().map(|&k| grid.cells[k as usize]).collect();
        for (k, &cell) in grid.cells.iter().enumerate() {
            let p = grid.owner[k] as usize;
            match point_cells.iter().position(|c| *c == cell) {
                Some(own) => assert_eq!(p, own, "case {case}: cell {cell:?} is a point's own cell"),
                None => {
                    slivers += 1;
                    assert_eq!(p, brute_nearest(cell, point_cells.iter().copied()), "case {case}: sliver {cell:?}");
                }
            }
        }
        // Weights: the exact land of each point's cells, by BooleanOps (to its precision: i_overlay snaps to a
        // fixed grid of about 10⁻⁸ of the shapes' extent); together the area's land (exactly: the shoelace).
        let mut oracle = vec![0.0; grid.points.len()];
        for (k, &cell) in grid.cells.iter().enumerate() {
            oracle[grid.owner[k] as usize] += cell_polygon(cell, side).intersection(&area).unsigned_area();
        }
        for (w, o) in grid.weight.iter().zip(&oracle) {
            assert!((w - o).abs() <= 1e-6 * side * side, "case {case}: weight {w} vs {o}");
        }
        let total: f64 = grid.weight.iter().sum();
        assert!((total - exact).abs() <= 1e-9 * exact.max(side * side), "case {case}: {total} vs {exact}");

        // Children: exact in all, each point within 1 of its quota; the cells of the points with children are
        // every cell once, and a point without children's ground goes to the nearest point with some.
        let count = if rng.random_bool(0.8) { rng.random_range(1..400) as f64 } else { rng.random_range(0.1..30.0) };
        let share = grid.share(count);
        assert_eq!(share.counts.iter().sum::<f64>(), count, "case {case}");
        assert!(share.counts.iter().all(|&n| n > 0.0));
        let mut counts = vec![0.0; grid.points.len()];
        for (&p, &n) in share.points.iter().zip(&share.counts) {
            counts[p as usize] = n;
        }
        for (n, w) in counts.iter().zip(&grid.weight) {
            let quota = count.floor() * w / total;
            assert!((n.floor() - quota).abs() < 1.0 + 1e-9, "case {case}: {n} for a quota of {quota}");
        }
        assert!(share.points.windows(2).all(|w| w[0] < w[1]), "case {case}: in the order of the points");
        let given_cells: Vec<[i32; 2]> = share.points.iter().map(|&p| point_cells[p as usize]).collect();
        let mut listed: Vec<[i32; 2]> = Vec::new();
        for g in 0..share.points.len() {
            let cells = &share.cells[share.cell_start[g] as usize..share.cell_start[g + 1] as usize];
            assert_eq!(cells[0], given_cells[g], "case {case}: its own cell first");
            assert_eq!(share.positions[g], grid.position(share.points[g] as usize));
            for &cell in cells {
                let k = grid.cells.binary_search_by_key(&(cell[1], cell[0]), |c| (c[1], c[0])).unwrap();
                let p = grid.owner[k] as usize;
                let expected = match share.points.binary_search(&(p as u32)) {
                    Ok(g) => g,
                    Err(_) => {
                        zero_points += 1;
                        brute_nearest(point_cells[p], given_cells.iter().copied())
                    }
                };
                assert_eq!(g, expected, "case {case}: cell {cell:?} of point {p}");
            }
            listed.extend_from_slice(cells);
        }
        listed.sort_by_key(|c| (c[1], c[0]));
        assert_eq!(listed, grid.cells, "case {case}: the cells of the points with children are all cells, once");
    }
    assert!(without_points > 0 && slivers > 1000 && zero_points > 1000, "{without_points} {slivers} {zero_points}");
}

#[test]
fn a_few_children_over_many_cells_are_spread_over_the_area() {
    // 64 × 64 cells of 10 m, 4 children: one in each quarter (the Hilbert curve visits the quarters in turn).
    let area = MultiPolygon(vec![square(0.0, 0.0, 640.0, 640.0)]);
    let grid = GridLand::new(&area, 10.0).unwrap();
    assert_eq!(grid.points.len(), 4096);
    assert_eq!(grid.slivers(), 0);
    let share = grid.share(4.0);
    assert_eq!(share.counts, vec![1.0; 4]);
    let mut quarters: Vec<(bool, bool)> = share.positions.iter().map(|p| (p[0] > 320.0, p[1] > 320.0)).collect();
    quarters.sort();
    assert_eq!(quarters, vec![(false, false), (false, true), (true, false), (true, true)]);
    // Each stands for the cells nearer to it than to the others: about a quarter of the land.
    for g in 0..4 {
        let cells = share.cell_start[g + 1] - share.cell_start[g];
        assert!((900..1150).contains(&cells), "{cells}");
    }

    // 100 children over 100 × 100 cells: every block of 20 × 20 cells gets about 4 (largest remainder with ties to
    // the first would put them all in the first row).
    let area = MultiPolygon(vec![square(0.0, 0.0, 1000.0, 1000.0)]);
    let share = GridLand::new(&area, 10.0).unwrap().share(100.0);
    let mut blocks = [0.0; 25];
    for (p, n) in share.positions.iter().zip(&share.counts) {
        blocks[(p[0] / 200.0) as usize * 5 + (p[1] / 200.0) as usize] += n;
    }
    assert!(blocks.iter().all(|&n| (2.0..=6.0).contains(&n)), "{blocks:?}");
}

#[test]
fn an_area_smaller_than_a_cell_makes_no_point() {
    // 30 m × 30 m inside one 100 m cell, its centre outside.
    let area = MultiPolygon(vec![square(10.0, 10.0, 40.0, 40.0)]);
    let grid = GridLand::new(&area, 100.0).unwrap();
    assert_eq!(grid.cells, vec![[0, 0]]);
    assert!((grid.land[0] - 900.0).abs() < 1e-9);
    assert!(grid.points.is_empty());
    assert_eq!(grid.slivers(), 0);
    // Across four cells, centre of none inside.
    let grid = GridLand::new(&MultiPolygon(vec![square(80.0, 80.0, 120.0, 120.0)]), 100.0).unwrap();
    assert_eq!(grid.cells.len(), 4);
    assert!(grid.points.is_empty());
}

#[test]
fn too_fine_a_grid_is_refused_before_any_point_is_made() {
    let file = Path::new("omraden/basomraden.geojson");
    // 21.3 km × 21.3 km at 1 m: about 454 million points.
    let big = MultiPolygon(vec![square(300_000.0, 6_400_000.0, 321_300.0, 6_421_300.0)]);
    let e = check_size([&big], 1.0, file).unwrap_err().to_string();
    assert_eq!(
        e,
        "--spread-grid 1: would make about 454 000 000 points in omraden/basomraden.geojson (its land / 1 m²); \
         the limit is 20 000 000: use a spacing of at least 5 m"
    );
    let e = check_size([&big, &big], 0.01, file).unwrap_err().to_string();
    assert!(e.starts_with("--spread-grid 0.01: would make about 9 070 000 000 000 points"), "{e}");
    assert!(e.contains("(its land / 0.0001 m²)") && e.ends_with("at least 7 m"), "{e}");
    let size = check_size([&big], 5.0, file).unwrap();
    assert!((size.points - 18_147_600.0).abs() < 1.0, "{size:?}");

    // A long thin strip: 12.5 million points, but its boundary crosses 50 million cells of 1 m.
    let strip = MultiPolygon(vec![square(0.0, 0.0, 25_000_000.0, 0.5)]);
    let e = check_size([&strip], 1.0, file).unwrap_err().to_string();
    assert!(
        e.contains(
            "the boundaries would cross about 50 000 000 cells in omraden/basomraden.geojson (their length / 1 m)"
        ),
        "{e}"
    );
    assert!(e.ends_with("use a spacing of at least 3 m"), "{e}");
    // Small spacings are suggested to one figure.
    assert_eq!(nice_up(0.0031), "0.004");
    assert_eq!(nice_up(0.25), "0.3");
    assert_eq!(nice_up(4.75), "5");
    assert_eq!(about(452_345_678.0), "452 000 000");
    assert_eq!(metres(0.25), "0.25");
}

/// Göteborg's basområden at 100 m, if the data are there: land shared out exactly, and quickly.
#[test]
fn real_basomraden_on_a_100_m_grid() {
    let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    let path = data.join("goteborg_omraden/basomraden_sweref99tm.geojson");
    if !path.is_file() {
        if std::env::var_os("CI").is_some() {
            panic!("real data {} is missing (CI is set, so this test must run)", path.display());
        }
        eprintln!("SKIPPED real_basomraden_on_a_100_m_grid: {} is missing", path.display());
        return;
    }
    let layer = crate::input::layers::read_projected(
        &path,
        &crate::input::ReadOptions::default(),
        None,
        crate::crs::Crs::SWEREF99_TM,
    )
    .unwrap()
    .layer;
    let (mut points, mut cells, mut without, mut invalid) = (0, 0, 0, 0);
    for i in 0..layer.features.len() {
        let mut area = crate::input::layers::polygon_of(&layer, i, "test").unwrap();
        if crate::model::self_intersects(&area) {
            invalid += 1;
            area = area.union(&MultiPolygon::new(vec![]));
        }
        let grid = GridLand::new(&area, 100.0).unwrap();
        let land: f64 = grid.land.iter().sum();
        assert!((land - area.unsigned_area()).abs() < 1e-6 * land.max(1.0), "feature {i}");
        points += grid.points.len();
        cells += grid.cells.len();
        without += usize::from(grid.points.is_empty());
    }
    eprintln!("basområden at 100 m: {points} points, {cells} cells, {without} without a point, {invalid} made valid");
    assert!(points > 30_000 && without < 100, "{points} {without}");
}
