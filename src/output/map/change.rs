//! The change theme of the map picture: a scenario against the baseline. Districts are filled by their `change`
//! class, the child points that changed are coloured dots, and the scenario's added arenas are ringed and its
//! closed ones crossed out. The colours are [`CHANGE_CLASSES`] and [`STATUS_MARKS`], the same as the QGIS styles.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::{
    arena_rows, arena_size, field_index, number, points, symbol_half, text, District, Frame, Layout, Placed, Px,
    PxRect, Row, Scene, Section, Swatch,
};
use crate::output::symbology::classes::NO_DATA_COLOUR;
use crate::output::symbology::text::number_sv;
use crate::output::symbology::{change_class, CHANGE_CLASSES, STATUS_MARKS};
use crate::output::LayerView;

/// Districts filled by their change class (white when they have none).
pub(super) fn draw_districts(svg: &mut String, scene: &Scene, frame: &Frame, s: f64) {
    super::draw_district_fills(svg, scene, frame, s, |d| {
        d.change.as_deref().and_then(change_class).map_or(NO_DATA_COLOUR, |c| c.fill)
    });
}

/// The classes of changed child points drawn, in drawing order (the worse on top of the better).
const DRAWN: [&str; 4] = ["gone", "new", "better", "worse"];

/// The changed child points as dots coloured by class, one path per class; points at the same pixel are drawn
/// once. Points that are `unchanged` (only another kind's nearest arena moved) are not drawn.
pub(super) fn draw_children(svg: &mut String, children: &dyn LayerView, frame: &Frame, layout: &Layout) {
    let (map, s) = (layout.map, layout.s);
    let r = (2.2 * s).max(1.0);
    let change_i = field_index(children, "change");
    let mut paths = vec![String::new(); DRAWN.len()];
    let mut seen = HashSet::new();
    let mut values = Vec::new();
    for i in 0..children.len() {
        children.values(i, &mut values);
        let Some(class) = text(&values, change_i).and_then(|c| DRAWN.iter().position(|d| *d == c)) else { continue };
        for p in points(children.geometry(i)) {
            let (x, y) = frame.px(p.0);
            let key = (class, (x / r).round() as i64, (y / r).round() as i64);
            if x < map.x0 || x > map.x1 || y < map.y0 || y > map.y1 || !seen.insert(key) {
                continue;
            }
            let _ = write!(paths[class], "M{} {}a{r} {r} 0 1 0 0.01 0z", Px(x), Px(y - r), r = Px(r));
        }
    }
    svg.push_str("<g id=\"changed-children\">\n");
    for (class, d) in DRAWN.iter().zip(&paths).filter(|(_, d)| !d.is_empty()) {
        let colour = change_class(class).map_or("#000000", |c| c.point);
        let _ = writeln!(svg, "<path fill=\"{colour}\" fill-opacity=\"0.85\" d=\"{d}\"/>");
    }
    svg.push_str("</g>\n");
}

/// The colour of a status mark.
fn mark_colour(status: &str) -> &'static str {
    STATUS_MARKS.iter().find(|m| m.0 == status).map_or("#000000", |m| m.4)
}

/// An added arena's ring or a closed one's cross, centred on (x, y), `r` pixels out.
pub(super) fn draw_mark(svg: &mut String, status: &str, x: f64, y: f64, r: f64, stroke_w: f64) {
    let colour = mark_colour(status);
    let w = Px((stroke_w * 1.6).max(1.0));
    let _ = match status {
        "added" => writeln!(
            svg,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{w}\"/>",
            Px(x),
            Px(y),
            Px(r)
        ),
        "closed" => {
            let k = r * std::f64::consts::FRAC_1_SQRT_2;
            writeln!(
                svg,
                "<path d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{colour}\" stroke-width=\"{w}\" \
                 stroke-linecap=\"round\"/>",
                Px(x - k),
                Px(y - k),
                Px(x + k),
                Px(y + k),
                Px(x - k),
                Px(y + k),
                Px(x + k),
                Px(y - k)
            )
        }
        _ => Ok(()),
    };
}

/// Rings around the added arenas and crosses over the closed ones (drawn over their kind symbols).
pub(super) fn draw_status(svg: &mut String, scene: &Scene, placed: &Placed, map: PxRect, s: f64) {
    let (mm, sw) = arena_size(s);
    svg.push_str("<g id=\"arena-status\">\n");
    for (a, &(x, y)) in scene.arenas.iter().zip(&placed.at) {
        let Some(status) = a.status.as_deref().filter(|s| *s != "existing") else { continue };
        let r = symbol_half(scene.symbol(a.kind), mm) * 1.7;
        if x < map.x0 + r || x > map.x1 - r || y < map.y0 + r || y > map.y1 - r {
            continue;
        }
        draw_mark(svg, status, x, y, r, sw);
    }
    svg.push_str("</g>\n");
}

/// The districts to name: the three whose gap score changes most (better or worse), by name.
pub(super) fn labelled(scene: &Scene) -> Vec<(&District, String)> {
    let mut moved: Vec<&District> = scene
        .districts
        .iter()
        .filter(|d| matches!(d.change.as_deref(), Some("better" | "worse")) && d.name.is_some())
        .collect();
    moved.sort_by(|a, b| {
        let size = |d: &District| d.score_change.map_or(0.0, f64::abs);
        size(b).total_cmp(&size(a)).then_with(|| a.name.cmp(&b.name))
    });
    moved.into_iter().take(3).filter_map(|d| Some((d, d.name.clone()?))).collect()
}

/// The legend of the change map: districts by class (with counts), the changed children by class (with their
/// children), the arenas by kind and the added and closed ones.
pub(super) fn sections(scene: &Scene, children: &dyn LayerView) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut rows = Vec::new();
    for class in &CHANGE_CLASSES[..3] {
        let n = scene.districts.iter().filter(|d| d.change.as_deref() == Some(class.value)).count();
        if n > 0 || class.value != "unchanged" {
            let gloss = format!("({})", class.label_en);
            rows.push(Row::new(Swatch::Fill(class.fill), format!("{} ({n})", class.label_sv), Some(&gloss)));
        }
    }
    sections.push(("Förändring per stadsdel", "(change per district)", rows));

    let (change_i, after_i, before_i) = (
        field_index(children, "change"),
        field_index(children, "children_after"),
        field_index(children, "children_before"),
    );
    let mut totals = vec![0.0; DRAWN.len()];
    let mut values = Vec::new();
    for i in 0..children.len() {
        children.values(i, &mut values);
        let Some(class) = text(&values, change_i).and_then(|c| DRAWN.iter().position(|d| *d == c)) else { continue };
        totals[class] += number(&values, after_i).or(number(&values, before_i)).unwrap_or(0.0);
    }
    let mut rows = Vec::new();
    for (class, total) in DRAWN.iter().zip(&totals).rev() {
        let Some(c) = change_class(class) else { continue };
        if *total > 0.0 || matches!(*class, "better" | "worse") {
            let gloss = format!("({})", c.label_en);
            let count = number_sv(total.round(), 0);
            rows.push(Row::new(Swatch::Point(c.point), format!("{}: {count} barn", c.label_sv), Some(&gloss)));
        }
    }
    sections.push(("Barn vars närmaste arena ändras", "(children whose nearest arena changes)", rows));

    // The kinds counted as the scenario has them: its closed arenas are not open.
    let mut rows = arena_rows(scene, |a| a.status.as_deref() != Some("closed"));
    for (status, sv, en, ..) in &STATUS_MARKS[..2] {
        let n = scene.arenas.iter().filter(|a| a.status.as_deref() == Some(*status)).count();
        if n > 0 {
            rows.push(Row::new(Swatch::Mark(status), format!("{sv} ({n})"), Some(&format!("({en})"))));
        }
    }
    sections.push(("Arenor", "(arenas)", rows));
    sections
}

#[cfg(test)]
mod tests {
    use geo::{polygon, Geometry, MultiPolygon, Point};

    use crate::output::map::{build_svg, MapOptions, NoLayer, Theme};
    use crate::output::testing::TestLayer;
    use crate::output::{Field, FieldType, GeometryKind, Value};

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn the_change_map_fills_districts_by_class_and_marks_added_and_closed_arenas() {
        let square = |x: f64| {
            Geometry::MultiPolygon(MultiPolygon(vec![polygon![
                (x: x, y: 6_390_000.0), (x: x + 2_000.0, y: 6_390_000.0), (x: x + 2_000.0, y: 6_392_000.0),
                (x: x, y: 6_392_000.0), (x: x, y: 6_390_000.0)
            ]]))
        };
        let fields = |names: &[&str]| names.iter().map(|n| Field::new(*n, FieldType::Text)).collect::<Vec<_>>();
        let districts = TestLayer::from_rows(
            "districts_diff",
            GeometryKind::MultiPolygon,
            fields(&["district_name", "change", "gap_score_change"]),
            vec![
                (square(310_000.0), vec![t("Sjöviken"), t("better"), Value::Number(-4706.0)]),
                (square(312_000.0), vec![t("Åkervallen"), t("worse"), Value::Number(12.0)]),
                (square(314_000.0), vec![t("Furuhöjd"), t("unchanged"), Value::Number(0.0)]),
            ],
        );
        let point = |x: f64| Geometry::Point(Point::new(x, 6_391_000.0));
        let arenas = TestLayer::from_rows(
            "arenas",
            GeometryKind::Point,
            fields(&["kind", "status"]),
            vec![
                (point(311_000.0), vec![t("familjecentral"), t("added")]),
                (point(313_000.0), vec![t("bibliotek"), t("closed")]),
                (point(315_000.0), vec![t("bibliotek"), t("existing")]),
            ],
        );
        let children = TestLayer::from_rows(
            "children_diff",
            GeometryKind::Point,
            fields(&["change", "children_after"]),
            vec![
                (point(310_500.0), vec![t("better"), Value::Number(12.0)]),
                (point(312_500.0), vec![t("worse"), Value::Number(3.0)]),
                (point(314_500.0), vec![t("unchanged"), Value::Number(7.0)]),
            ],
        );
        let options = MapOptions { theme: Theme::Change, ..Default::default() };
        let svg = build_svg(&districts, &NoLayer, &arenas, &children, &options);
        for fill in ["#c7e9c0", "#fcbba1", "#f0f0f0"] {
            assert!(svg.contains(&format!("<path fill=\"{fill}\" d=\"M")), "district fill {fill}");
        }
        // One dot path per drawn class (unchanged points are not drawn), and the legend's counts.
        assert!(svg.contains("<path fill=\"#1a9850\" fill-opacity=\"0.85\""));
        assert!(svg.contains("<path fill=\"#d73027\" fill-opacity=\"0.85\""));
        assert!(!svg.contains("<path fill=\"#969696\" fill-opacity=\"0.85\""));
        for text in ["Bättre: 12 barn", "Sämre: 3 barn", "Ny arena (1)", "Stängd arena (1)", "Bibliotek (1)"] {
            assert!(svg.contains(text), "legend: {text}");
        }
        assert!(svg.contains("<circle") && svg.contains("stroke=\"#6a3d9a\""), "the added arena's ring");
        assert!(svg.contains("stroke=\"#d73027\" stroke-width"), "the closed arena's cross");
        // The districts that change most are named; the unchanged one is not.
        assert!(svg.contains(">Sjöviken<") && svg.contains(">Åkervallen<") && !svg.contains(">Furuhöjd<"));
    }
}
