//! How a kind of arena is shown: the one place that turns a [`Kind`] of the [`Kinds`] table into a symbol (shape,
//! colour, size) and a legend label. The QGIS arenas style ([`crate::output::qgis`], also stored in the
//! GeoPackage's `layer_styles`) and the map picture ([`crate::output::map`]) both draw from here, so a kind the
//! user adds gets a style class and a legend entry, and the outputs cannot disagree about what a kind looks like.
//!
//! Shapes follow QGIS's SimpleMarker: each is an outline in a square from −1 to 1 (y down, as on screen and in
//! SVG), scaled to half the marker size; the map draws the same outlines, so a star on the map is QGIS's star.
//!
//! The other parts of the one look: the gap-score classes of a run ([`classes`]), how gap zones are drawn
//! ([`zones`]) and the words and numbers every output shows ([`text`]).

pub mod classes;
pub mod text;
pub mod zones;

pub use classes::{ClassEntry, GapClass, GapClasses};

use crate::model::kinds::{Kind, Kinds, Rgb, Shape};

/// How one kind of arena is drawn, in the QGIS style and the map picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindSymbol {
    /// The arenas layer's `kind` value it is for: the kind id (empty for [`KindSymbol::other`]).
    pub id: String,
    /// The Swedish label: `Familjecentral`.
    pub label_sv: String,
    /// The English label: `family centre` (may be empty or the same as the Swedish one).
    pub label_en: String,
    /// The marker's shape.
    pub shape: Shape,
    /// The marker's fill colour.
    pub colour: Rgb,
}

/// The colour of [`KindSymbol::other`]: a grey lighter than the palette's grey for added kinds.
pub const OTHER_COLOUR: Rgb = Rgb([0xa0, 0xa0, 0xa0]);

/// The size of [`KindSymbol::other`]'s marker, millimetres: smaller than any kind's.
const OTHER_SIZE_MM: f64 = 2.4;

impl KindSymbol {
    /// The symbol of a kind.
    pub fn of(kind: &Kind) -> KindSymbol {
        KindSymbol {
            id: kind.id.clone(),
            label_sv: kind.label_sv.clone(),
            label_en: kind.label_en.clone(),
            shape: kind.shape,
            colour: kind.colour,
        }
    }

    /// The fallback for an arena whose `kind` is not in the table: a small grey circle, "Annan arena (other
    /// arena)".
    pub fn other() -> KindSymbol {
        KindSymbol {
            id: String::new(),
            label_sv: "Annan arena".into(),
            label_en: "other arena".into(),
            shape: Shape::Circle,
            colour: OTHER_COLOUR,
        }
    }

    /// Whether this is [`KindSymbol::other`].
    pub fn is_other(&self) -> bool {
        self.id.is_empty()
    }

    /// The English label, when it adds something to the Swedish one (a kind added without labels has its id as
    /// both).
    pub fn gloss(&self) -> Option<&str> {
        let en = self.label_en.trim();
        (!en.is_empty() && !en.eq_ignore_ascii_case(self.label_sv.trim())).then_some(en)
    }

    /// The legend label: `Familjecentral (family centre)`, or just the Swedish label when there is no English one.
    pub fn legend_label(&self) -> String {
        match self.gloss() {
            Some(en) => format!("{} ({en})", self.label_sv.trim()),
            None => self.label_sv.trim().to_string(),
        }
    }

    /// The QGIS SimpleMarker shape name.
    pub fn qgis_marker(&self) -> &'static str {
        qgis_marker_name(self.shape)
    }

    /// The marker size (its diameter, as QGIS measures it), millimetres.
    pub fn size_mm(&self) -> f64 {
        if self.is_other() {
            OTHER_SIZE_MM
        } else {
            marker_size_mm(self.shape)
        }
    }
}

/// The look of one run, handed to every output that draws: its kinds' symbols and its gap-score classes.
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    /// Every kind's symbol, in table order.
    pub kinds: Vec<KindSymbol>,
    /// The gap-score classes, computed once from the districts' scores.
    pub classes: GapClasses,
    /// Each output layer's fields with their Swedish names, (layer, [(field, alias)]), for the QGIS aliases.
    pub aliases: Vec<(String, Vec<(String, String)>)>,
}

impl Look {
    /// The look of a run with these kinds and district scores (`None` for a district without one).
    pub fn new(kinds: &Kinds, scores: impl IntoIterator<Item = Option<f64>>) -> Look {
        Look { kinds: kind_symbols(kinds), classes: GapClasses::from_scores(scores), aliases: Vec::new() }
    }

    /// This look with the Swedish names of the fields of `layers` ([`text::field_alias`]).
    pub fn with_fields(mut self, layers: &[&dyn crate::output::LayerView]) -> Look {
        let kinds: Vec<(&str, &str)> = self.kinds.iter().map(|k| (k.id.as_str(), k.label_sv.as_str())).collect();
        self.aliases = layers
            .iter()
            .map(|l| {
                let fields = l.fields().iter().map(|f| (f.name.clone(), text::field_alias(&f.name, &kinds))).collect();
                (l.name().to_string(), fields)
            })
            .collect();
        self
    }

    /// The Swedish names of a layer's fields (empty when not known).
    pub fn aliases_of(&self, layer: &str) -> &[(String, String)] {
        self.aliases.iter().find(|(name, _)| name == layer).map_or(&[], |(_, a)| a.as_slice())
    }
}

/// Every kind's symbol, in table order.
pub fn kind_symbols(kinds: &Kinds) -> Vec<KindSymbol> {
    kinds.as_slice().iter().map(KindSymbol::of).collect()
}

/// The QGIS 3.22 SimpleMarker name of a shape.
pub fn qgis_marker_name(shape: Shape) -> &'static str {
    match shape {
        // QGIS's "cross" is two lines with no fill; the filled plus is "cross_fill".
        Shape::Cross => "cross_fill",
        // The others have QGIS's own names.
        shape => shape.name(),
    }
}

/// The marker size of a shape, millimetres (QGIS's size: the width of the −1…1 square). Chosen so that the
/// shapes look about equally heavy: a thin star or cross is drawn larger than a full square.
pub fn marker_size_mm(shape: Shape) -> f64 {
    match shape {
        Shape::Star => 5.0,
        Shape::Circle => 3.4,
        Shape::Square => 3.2,
        Shape::Triangle => 3.8,
        Shape::Diamond => 3.8,
        Shape::Pentagon => 3.6,
        Shape::Hexagon => 3.5,
        Shape::Cross => 4.4,
    }
}

/// The outline of a shape in the square from −1 to 1, y down, as QGIS 3.22 draws its SimpleMarker (the points of
/// `QgsSimpleMarkerSymbolLayerBase::shapeToPolygon`); `None` for the circle (radius 1).
pub fn unit_outline(shape: Shape) -> Option<Vec<(f64, f64)>> {
    // A point at `deg` degrees clockwise from straight up, at radius `r`.
    let polar = |deg: f64, r: f64| {
        let a = deg.to_radians();
        (r * a.sin(), -r * a.cos())
    };
    let points = match shape {
        Shape::Circle => return None,
        Shape::Square => vec![(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)],
        Shape::Triangle => vec![(-1.0, 1.0), (1.0, 1.0), (0.0, -1.0)],
        Shape::Diamond => vec![(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0), (0.0, -1.0)],
        Shape::Pentagon => (0..5).map(|k| polar(72.0 * k as f64, 1.0)).collect(),
        Shape::Hexagon => (0..6).map(|k| polar(60.0 * k as f64, 1.0)).collect(),
        Shape::Star => {
            // A regular five-pointed star: the inner corners where the points' edges cross.
            let inner = 72f64.to_radians().cos() / 36f64.to_radians().cos();
            (0..10).map(|k| polar(36.0 * k as f64, if k % 2 == 0 { 1.0 } else { inner })).collect()
        }
        Shape::Cross => vec![
            (-1.0, -0.2),
            (-0.2, -0.2),
            (-0.2, -1.0),
            (0.2, -1.0),
            (0.2, -0.2),
            (1.0, -0.2),
            (1.0, 0.2),
            (0.2, 0.2),
            (0.2, 1.0),
            (-0.2, 1.0),
            (-0.2, 0.2),
            (-1.0, 0.2),
        ],
    };
    Some(points)
}

/// How one class of change is shown: districts filled with `fill`, child points drawn in `point`. The compare
/// styles (`maps/make_maps.py`, stored in `maps/styles/*_diff.qml`) and the compare map picture use these; a test
/// checks that the committed styles carry them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeClass {
    /// The value of the `change` field.
    pub value: &'static str,
    /// The Swedish legend label.
    pub label_sv: &'static str,
    /// The English legend label.
    pub label_en: &'static str,
    /// The fill of a district of this class.
    pub fill: &'static str,
    /// The colour of a child point of this class.
    pub point: &'static str,
}

/// Better, worse, unchanged, and the points of one population only (`crate::measure::compare::Change`).
pub const CHANGE_CLASSES: [ChangeClass; 5] = [
    ChangeClass { value: "better", label_sv: "Bättre", label_en: "better", fill: "#c7e9c0", point: "#1a9850" },
    ChangeClass { value: "worse", label_sv: "Sämre", label_en: "worse", fill: "#fcbba1", point: "#d73027" },
    ChangeClass {
        value: "unchanged",
        label_sv: "Oförändrad",
        label_en: "unchanged",
        fill: "#f0f0f0",
        point: "#969696",
    },
    ChangeClass {
        value: "new",
        label_sv: "Ny i scenariots befolkning",
        label_en: "new in the scenario's population",
        fill: "#abd9e9",
        point: "#4575b4",
    },
    ChangeClass {
        value: "gone",
        label_sv: "Inte i scenariots befolkning",
        label_en: "not in the scenario's population",
        fill: "#e0e0e0",
        point: "#bababa",
    },
];

/// The class of a `change` value.
pub fn change_class(value: &str) -> Option<&'static ChangeClass> {
    CHANGE_CLASSES.iter().find(|c| c.value == value)
}

/// How an arena of a scenario is marked, by its `status`: (value, Swedish label, English label, QGIS marker,
/// colour, size in mm).
pub const STATUS_MARKS: [(&str, &str, &str, &str, &str, f64); 3] = [
    ("added", "Ny arena", "added", "star", "#6a3d9a", 6.0),
    ("closed", "Stängd arena", "closed", "cross2", "#d73027", 5.0),
    ("existing", "Befintlig arena", "existing", "circle", "#737373", 2.4),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::KindEdit;

    #[test]
    fn the_four_defaults_keep_todays_symbols_and_labels() {
        let symbols = kind_symbols(&Kinds::defaults());
        let got: Vec<(String, &str, f64, String)> =
            symbols.iter().map(|s| (s.legend_label(), s.qgis_marker(), s.size_mm(), s.colour.hex())).collect();
        let want = [
            ("Familjecentral (family centre)", "star", 5.0, "#08519c"),
            ("Öppen förskola (open preschool)", "circle", 3.4, "#238b45"),
            ("Bibliotek (library)", "square", 3.2, "#252525"),
            ("Bemannad lekplats (staffed playground)", "triangle", 3.8, "#00a0b0"),
        ];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0.as_str(), g.1, g.2, g.3.as_str()), w);
        }
        let other = KindSymbol::other();
        assert!(other.is_other() && !symbols.iter().any(KindSymbol::is_other));
        assert_eq!(other.legend_label(), "Annan arena (other arena)");
        assert_eq!((other.qgis_marker(), other.colour.hex()), ("circle", "#a0a0a0".to_string()));
    }

    #[test]
    fn added_kinds_get_a_symbol_and_a_plain_label() {
        let mut kinds = Kinds::defaults();
        kinds.upsert("lekplats", KindEdit::default()).unwrap();
        kinds
            .upsert(
                "bvc",
                KindEdit {
                    label_sv: Some("BVC".into()),
                    label_en: Some("child health centre".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        let symbols = kind_symbols(&kinds);
        assert_eq!(symbols.len(), 6);
        assert_eq!((symbols[4].id.as_str(), symbols[4].legend_label()), ("lekplats", "lekplats".to_string()));
        assert_eq!(symbols[4].gloss(), None);
        assert_eq!(symbols[5].legend_label(), "BVC (child health centre)");
        assert_eq!((symbols[4].qgis_marker(), symbols[5].qgis_marker()), ("diamond", "pentagon"));
    }

    #[test]
    fn every_shape_has_a_distinct_qgis_name_and_an_outline_inside_the_unit_square() {
        let names: std::collections::HashSet<&str> = Shape::ALL.into_iter().map(qgis_marker_name).collect();
        assert_eq!(names.len(), Shape::ALL.len());
        for shape in Shape::ALL {
            assert!((2.0..=6.0).contains(&marker_size_mm(shape)), "{shape:?}");
            match unit_outline(shape) {
                None => assert_eq!(shape, Shape::Circle),
                Some(points) => {
                    assert!(points.len() >= 3, "{shape:?}");
                    assert!(points.iter().all(|(x, y)| x.abs() <= 1.0 + 1e-9 && y.abs() <= 1.0 + 1e-9), "{shape:?}");
                    // Every outline reaches the top of the square (point up), as QGIS's do.
                    let top = points.iter().map(|p| p.1).fold(f64::MAX, f64::min);
                    assert!((top + 1.0).abs() < 1e-9, "{shape:?}");
                }
            }
        }
        let star = unit_outline(Shape::Star).unwrap();
        assert_eq!(star.len(), 10);
        assert!((star[1].0.hypot(star[1].1) - 0.381_966).abs() < 1e-5);
    }
}
