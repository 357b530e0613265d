//! Kinds of arena as data: a table of ids with labels, a coverage radius, a symbol and a colour. The defaults are
//! the city's four kinds of family-centred arena; a user adds others (an unstaffed playground, a child health
//! centre) in the config, and every per-kind field, style class and legend entry follows from the table.

use std::collections::HashMap;

/// The position of a kind in its [`Kinds`] table (output order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindId(pub u16);

impl KindId {
    /// The position as an index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The shape of a kind's symbol, the same in the QGIS styles and the map picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A triangle, point up.
    Triangle,
    /// A diamond (a square on its corner).
    Diamond,
    /// A five-pointed star.
    Star,
    /// A pentagon.
    Pentagon,
    /// A hexagon.
    Hexagon,
    /// A cross (plus sign), filled.
    Cross,
}

impl Shape {
    /// Every shape, in the order new kinds are given them.
    pub const ALL: [Shape; 8] = [
        Shape::Circle,
        Shape::Square,
        Shape::Triangle,
        Shape::Diamond,
        Shape::Star,
        Shape::Pentagon,
        Shape::Hexagon,
        Shape::Cross,
    ];

    /// The name used in config files (`symbol = "diamond"`).
    pub fn name(self) -> &'static str {
        match self {
            Shape::Circle => "circle",
            Shape::Square => "square",
            Shape::Triangle => "triangle",
            Shape::Diamond => "diamond",
            Shape::Star => "star",
            Shape::Pentagon => "pentagon",
            Shape::Hexagon => "hexagon",
            Shape::Cross => "cross",
        }
    }

    /// The shape of a name.
    pub fn from_name(name: &str) -> Option<Shape> {
        let name = name.trim().to_ascii_lowercase();
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A colour, red, green, blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// Parses `#rrggbb` (the `#` may be left out).
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().trim_start_matches('#');
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// Colours for kinds the user adds without one (after the defaults' four), from a colour-blind-safe qualitative
/// palette (Okabe–Ito), in order.
const EXTRA_COLOURS: [Rgb; 6] = [
    Rgb([0xd5, 0x5e, 0x00]),
    Rgb([0xcc, 0x79, 0xa7]),
    Rgb([0xe6, 0x9f, 0x00]),
    Rgb([0x56, 0xb4, 0xe9]),
    Rgb([0x00, 0x72, 0xb2]),
    Rgb([0x80, 0x80, 0x80]),
];

/// The default coverage radius of a kind the user adds without one, metres.
pub const DEFAULT_RADIUS: f64 = 1500.0;

/// One kind of arena.
#[derive(Clone, Debug, PartialEq)]
pub struct Kind {
    /// The id in field names and configs: `familjecentral`, `lekplats`.
    pub id: String,
    /// The Swedish label (legend, report): `Familjecentral`.
    pub label_sv: String,
    /// The English label: `family centre`.
    pub label_en: String,
    /// Coverage radius, metres: a child is covered by this kind within it.
    pub radius: f64,
    /// The symbol's shape.
    pub shape: Shape,
    /// The symbol's colour.
    pub colour: Rgb,
    /// The capacity of an arena of this kind when its file gives none.
    pub capacity: f64,
    /// Whether arenas of this kind count for "covered by any arena" (and so for gap scores and zones).
    pub coverage: bool,
    /// Raw values, besides the id and the labels, that mean this kind (`parklek` for a staffed playground).
    pub aliases: Vec<String>,
}

/// The table of kinds, in output order.
#[derive(Clone, Debug, PartialEq)]
pub struct Kinds {
    kinds: Vec<Kind>,
}

impl Default for Kinds {
    fn default() -> Self {
        Kinds::defaults()
    }
}

impl Kinds {
    /// The ids of the four default kinds.
    pub const DEFAULT_IDS: [&'static str; 4] = ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"];
    /// The kind the city's policy names ("a family centre in every district"): `has_familjecentral`.
    pub const POLICY_KIND: &'static str = "familjecentral";

    /// The city's four kinds of family-centred arena, all counting for coverage.
    pub fn defaults() -> Kinds {
        let kind = |id: &str, sv: &str, en: &str, radius: f64, shape: Shape, colour: [u8; 3], aliases: &[&str]| Kind {
            id: id.into(),
            label_sv: sv.into(),
            label_en: en.into(),
            radius,
            shape,
            colour: Rgb(colour),
            capacity: 1.0,
            coverage: true,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        };
        Kinds {
            kinds: vec![
                kind(
                    "familjecentral",
                    "Familjecentral",
                    "family centre",
                    2500.0,
                    Shape::Star,
                    [0x08, 0x51, 0x9c],
                    &["family center"],
                ),
                kind(
                    "oppen_forskola",
                    "Öppen förskola",
                    "open preschool",
                    1500.0,
                    Shape::Circle,
                    [0x23, 0x8b, 0x45],
                    &[],
                ),
                kind(
                    "bibliotek",
                    "Bibliotek",
                    "library",
                    1500.0,
                    Shape::Square,
                    [0x25, 0x25, 0x25],
                    &["folkbibliotek"],
                ),
                kind(
                    "bemannad_lekplats",
                    "Bemannad lekplats",
                    "staffed playground",
                    1500.0,
                    Shape::Triangle,
                    [0x00, 0xa0, 0xb0],
                    &["utflyktslekplats", "parklek", "byggnadslekplats", "bemannade lekplatser"],
                ),
            ],
        }
    }

    /// Adds a kind, or replaces the one with the same id (keeping its place). Fields left `None` keep the existing
    /// kind's values, or take the defaults for a new one: the id as labels, 1,500 m, the next unused shape and
    /// colour, capacity 1, not a coverage kind.
    pub fn upsert(&mut self, id: &str, edit: KindEdit) -> Result<KindId, String> {
        if !valid_id(id) {
            return Err(format!(
                "'{id}' is not a usable kind id: use lower-case letters, digits and _ (it becomes part of field names \
                 such as nearest_{id}_m)"
            ));
        }
        if ["any", "total", "none"].contains(&id) {
            return Err(format!("'{id}' cannot be a kind id: it is a reserved word in field names"));
        }
        let existing = self.kinds.iter().position(|k| k.id == id);
        let mut kind = match existing {
            Some(i) => self.kinds[i].clone(),
            None => Kind {
                id: id.into(),
                label_sv: id.into(),
                label_en: id.into(),
                radius: DEFAULT_RADIUS,
                shape: self.unused_shape(),
                colour: self.unused_colour(),
                capacity: 1.0,
                coverage: false,
                aliases: Vec::new(),
            },
        };
        if let Some(v) = edit.label_sv {
            kind.label_sv = v;
        }
        if let Some(v) = edit.label_en {
            kind.label_en = v;
        }
        if let Some(v) = edit.radius {
            if !(0.01..=1e7).contains(&v) {
                return Err(format!("radius must be a distance from 0.01 to 10000000 metres, got {v}"));
            }
            kind.radius = v;
        }
        if let Some(v) = edit.shape {
            kind.shape = v;
        }
        if let Some(v) = edit.colour {
            kind.colour = v;
        }
        if let Some(v) = edit.capacity {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("capacity must be a number ≥ 0, got {v}"));
            }
            kind.capacity = v;
        }
        match existing {
            Some(i) => {
                self.kinds[i] = kind;
                Ok(KindId(i as u16))
            }
            None => {
                if self.kinds.len() >= u16::MAX as usize {
                    return Err("too many kinds".into());
                }
                self.kinds.push(kind);
                Ok(KindId(self.kinds.len() as u16 - 1))
            }
        }
    }

    /// The id of the reference kind of ordinary (unstaffed) playgrounds, which an OpenStreetMap tag mapping may
    /// target without the kind table listing it.
    pub const PLAYGROUND: &'static str = "lekplats";

    /// Adds [`Kinds::PLAYGROUND`] when the table lacks it: a reference kind (not counting for coverage), labelled
    /// Lekplats / playground, radius 500 m, a diamond. A table that has it (`[kinds.lekplats]`) is left as it is.
    pub fn ensure_playground(&mut self) -> Result<KindId, String> {
        if let Some(k) = self.find(Kinds::PLAYGROUND) {
            return Ok(k);
        }
        let shape = (!self.kinds.iter().any(|k| k.shape == Shape::Diamond)).then_some(Shape::Diamond);
        self.upsert(
            Kinds::PLAYGROUND,
            KindEdit {
                label_sv: Some("Lekplats".into()),
                label_en: Some("playground (unstaffed)".into()),
                radius: Some(500.0),
                shape,
                ..Default::default()
            },
        )
    }

    /// Sets which kinds count for coverage ("covered by any arena"): exactly those listed.
    pub fn set_coverage(&mut self, ids: &[String]) -> Result<(), String> {
        let mut flags = vec![false; self.kinds.len()];
        for id in ids {
            let k = self.find(id).ok_or_else(|| self.unknown(id))?;
            flags[k.index()] = true;
        }
        for (kind, flag) in self.kinds.iter_mut().zip(flags) {
            kind.coverage = flag;
        }
        Ok(())
    }

    /// An error message for an unknown kind id, listing the known ones.
    pub fn unknown(&self, id: &str) -> String {
        let known: Vec<&str> = self.kinds.iter().map(|k| k.id.as_str()).collect();
        format!("'{id}' is not a kind; the kinds are {} (add one with a [kinds.{id}] table)", known.join(", "))
    }

    fn unused_shape(&self) -> Shape {
        Shape::ALL.into_iter().find(|s| self.kinds.iter().all(|k| k.shape != *s)).unwrap_or(Shape::Circle)
    }

    fn unused_colour(&self) -> Rgb {
        let extra = self.kinds.iter().filter(|k| !Kinds::DEFAULT_IDS.contains(&k.id.as_str())).count();
        EXTRA_COLOURS[extra % EXTRA_COLOURS.len()]
    }

    /// The kind with id `id`.
    pub fn find(&self, id: &str) -> Option<KindId> {
        self.kinds.iter().position(|k| k.id == id).map(|i| KindId(i as u16))
    }

    /// Kind `k`.
    pub fn get(&self, k: KindId) -> &Kind {
        &self.kinds[k.index()]
    }

    /// How many kinds.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Every kind, in output order.
    pub fn iter(&self) -> impl Iterator<Item = (KindId, &Kind)> + '_ {
        self.kinds.iter().enumerate().map(|(i, k)| (KindId(i as u16), k))
    }

    /// Each kind as (id, Swedish label), in output order: what names the per-kind fields (`arenas_bibliotek`) in
    /// headers and aliases.
    pub fn labels_sv(&self) -> Vec<(&str, &str)> {
        self.kinds.iter().map(|k| (k.id.as_str(), k.label_sv.as_str())).collect()
    }

    /// The kinds, in output order.
    pub fn as_slice(&self) -> &[Kind] {
        &self.kinds
    }

    /// The kind the city's policy names, when it is in the table.
    pub fn policy_kind(&self) -> Option<KindId> {
        self.find(Kinds::POLICY_KIND)
    }

    /// Each kind's radius, by [`KindId::index`].
    pub fn radii(&self) -> Vec<f64> {
        self.kinds.iter().map(|k| k.radius).collect()
    }

    /// Each kind's coverage flag, by [`KindId::index`].
    pub fn coverage_flags(&self) -> Vec<bool> {
        self.kinds.iter().map(|k| k.coverage).collect()
    }
}

/// What a `[kinds.<id>]` table sets; `None` keeps the current value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindEdit {
    /// Swedish label.
    pub label_sv: Option<String>,
    /// English label.
    pub label_en: Option<String>,
    /// Coverage radius, metres.
    pub radius: Option<f64>,
    /// Symbol shape.
    pub shape: Option<Shape>,
    /// Symbol colour.
    pub colour: Option<Rgb>,
    /// Default capacity.
    pub capacity: Option<f64>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && id.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Maps raw kind values, as sources write them, to kinds. Matching ignores case, spaces, hyphens and å/ä/ö versus
/// a/a/o, so `Öppen förskola`, `oppen_forskola` and `öppen-förskola` are one value. Every kind's id, labels and
/// aliases match it; `[kind]` entries (`--kind RAW=ID`) add or override.
#[derive(Clone, Debug)]
pub struct KindMap {
    map: HashMap<String, Option<KindId>>,
}

impl KindMap {
    /// The map every kind of `kinds` brings: its id, its labels and its aliases.
    pub fn new(kinds: &Kinds) -> Self {
        let mut map = HashMap::new();
        // Later kinds never take a value an earlier kind already has (user kinds come after the defaults).
        for (k, kind) in kinds.iter() {
            let names = [&kind.id, &kind.label_sv, &kind.label_en].into_iter().chain(&kind.aliases);
            for name in names {
                map.entry(normalize_kind(name)).or_insert(Some(k));
            }
        }
        KindMap { map }
    }

    /// Maps `raw` to the kind with id `kind`, or to nothing with `none`, `-` or an empty string.
    pub fn set(&mut self, kinds: &Kinds, raw: &str, kind: &str) -> Result<(), String> {
        let target = match kind.trim() {
            "" => return Err("the kind is empty: give a kind id, or none to leave these arenas out".into()),
            "none" | "-" => None,
            k => Some(kinds.find(k).ok_or_else(|| kinds.unknown(k))?),
        };
        self.map.insert(normalize_kind(raw), target);
        Ok(())
    }

    /// The kind of a raw value: `Some(Some(kind))`, `Some(None)` when mapped to nothing, `None` when unmapped.
    pub fn get(&self, raw: &str) -> Option<Option<KindId>> {
        self.map.get(&normalize_kind(raw)).copied()
    }
}

fn normalize_kind(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    // Every run of Unicode white space (a no-break space, a double space), hyphen or underscore is one `_`.
    let mut gap = false;
    for c in raw.trim().to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' => 'o',
            'é' => 'e',
            c if c.is_whitespace() || c == '-' || c == '_' || c == '\u{2010}' || c == '\u{2011}' => {
                gap = true;
                continue;
            }
            c => c,
        };
        if gap && !out.is_empty() {
            out.push('_');
        }
        gap = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_values_are_matched_loosely() {
        let kinds = Kinds::defaults();
        let map = KindMap::new(&kinds);
        let id = |s: &str| kinds.find(s);
        assert_eq!(map.get("Öppen förskola"), Some(id("oppen_forskola")));
        assert_eq!(map.get("oppen_forskola"), Some(id("oppen_forskola")));
        assert_eq!(map.get("open preschool"), Some(id("oppen_forskola")));
        assert_eq!(map.get(" BIBLIOTEK "), Some(id("bibliotek")));
        assert_eq!(map.get("Library"), Some(id("bibliotek")));
        assert_eq!(map.get("Bemannad lekplats"), Some(id("bemannad_lekplats")));
        assert_eq!(map.get("Parklek"), Some(id("bemannad_lekplats")));
        assert_eq!(map.get("Family center"), Some(id("familjecentral")));
        assert_eq!(map.get("Skola"), None);
        // Every Unicode space alike, and runs of them as one.
        assert_eq!(map.get("Öppen\u{a0}förskola"), Some(id("oppen_forskola")));
        assert_eq!(map.get("Öppen  förskola"), Some(id("oppen_forskola")));
        assert_eq!(map.get("bemannad\u{2009}lekplats"), Some(id("bemannad_lekplats")));
        assert_eq!(map.get("\u{3000}Bibliotek\t"), Some(id("bibliotek")));
    }

    #[test]
    fn kind_mapping_can_exclude_and_add() {
        let mut kinds = Kinds::defaults();
        let lek = kinds.upsert("lekplats", KindEdit { radius: Some(500.0), ..Default::default() }).unwrap();
        let mut map = KindMap::new(&kinds);
        map.set(&kinds, "Skola", "none").unwrap();
        map.set(&kinds, "Lekotek", "oppen_forskola").unwrap();
        map.set(&kinds, "Lekplats", "lekplats").unwrap();
        assert_eq!(map.get("skola"), Some(None));
        assert_eq!(map.get("lekotek"), kinds.find("oppen_forskola").map(Some));
        assert_eq!(map.get("LEKPLATS"), Some(Some(lek)));
        let err = map.set(&kinds, "x", "school").unwrap_err();
        assert!(err.contains("'school' is not a kind") && err.contains("lekplats"), "{err}");
    }

    #[test]
    fn the_playground_reference_kind_is_added_once_and_never_counts() {
        let mut kinds = Kinds::defaults();
        let k = kinds.ensure_playground().unwrap();
        assert_eq!(kinds.len(), 5);
        let kind = kinds.get(k);
        assert_eq!((kind.id.as_str(), kind.label_sv.as_str(), kind.radius), ("lekplats", "Lekplats", 500.0));
        assert!(!kind.coverage);
        assert_eq!(kinds.ensure_playground().unwrap(), k);
        let mut own = Kinds::defaults();
        own.upsert("lekplats", KindEdit { radius: Some(300.0), ..Default::default() }).unwrap();
        let k = own.ensure_playground().unwrap();
        assert_eq!(own.get(k).radius, 300.0, "a [kinds.lekplats] table wins");
    }

    #[test]
    fn added_kinds_get_defaults_and_never_count_for_coverage_unless_listed() {
        let mut kinds = Kinds::defaults();
        let lek = kinds.upsert("lekplats", KindEdit::default()).unwrap();
        let bvc = kinds.upsert("bvc", KindEdit::default()).unwrap();
        assert_eq!(lek, KindId(4));
        let (a, b) = (kinds.get(lek), kinds.get(bvc));
        assert!(!a.coverage && !b.coverage);
        assert_eq!(a.radius, DEFAULT_RADIUS);
        assert_ne!(a.shape, b.shape);
        assert_ne!(a.colour, b.colour);
        assert!(kinds.iter().filter(|(_, k)| k.coverage).count() == 4);
        // Editing a default keeps its place and its other values.
        let fc = kinds.upsert("familjecentral", KindEdit { radius: Some(3000.0), ..Default::default() }).unwrap();
        assert_eq!(fc, KindId(0));
        assert_eq!(kinds.get(fc).label_sv, "Familjecentral");
        assert!(kinds.get(fc).coverage);
        kinds.set_coverage(&["lekplats".into(), "bibliotek".into()]).unwrap();
        assert_eq!(kinds.coverage_flags(), vec![false, false, true, false, true, false]);
        assert!(kinds.set_coverage(&["nope".into()]).unwrap_err().contains("'nope' is not a kind"));
    }

    #[test]
    fn bad_kind_ids_and_values_are_refused() {
        let mut kinds = Kinds::defaults();
        for id in ["Lekplats", "lek plats", "", "any", "1abc", "lek-plats"] {
            assert!(kinds.upsert(id, KindEdit::default()).is_err(), "{id}");
        }
        assert!(kinds.upsert("x", KindEdit { radius: Some(-1.0), ..Default::default() }).is_err());
        assert!(kinds.upsert("x", KindEdit { radius: Some(f64::NAN), ..Default::default() }).is_err());
        assert!(kinds.upsert("x", KindEdit { capacity: Some(-2.0), ..Default::default() }).is_err());
    }

    #[test]
    fn colours_and_shapes_parse() {
        assert_eq!(Rgb::parse("#d55e00"), Some(Rgb([0xd5, 0x5e, 0x00])));
        assert_eq!(Rgb::parse("D55E00").map(Rgb::hex), Some("#d55e00".into()));
        assert_eq!(Rgb::parse("#d55e0"), None);
        assert_eq!(Rgb::parse("red"), None);
        assert_eq!(Shape::from_name(" Diamond "), Some(Shape::Diamond));
        assert_eq!(Shape::from_name("blob"), None);
    }
}
