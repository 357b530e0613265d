//! A map picture for a report: districts coloured by gap score, gap zones hatched and outlined as in QGIS with
//! their child counts, arenas by kind, the three worst districts named, a legend, a scale bar, a north arrow and a title.
//!
//! # How it is drawn
//!
//! The map is first written as one SVG document (a plain string, built in feature order, so the same input
//! always gives the same bytes), then rasterised to PNG with `resvg`. This gives two outputs from one drawing:
//! `map.svg` for a planner who wants to touch it up in Inkscape or Illustrator, and `map.png` to paste into a
//! report. `resvg` is pure Rust and shares `tiny-skia` with the rest of the crate; it is built without system
//! fonts, so text never depends on what happens to be installed: the Noto Sans regular and bold faces are embedded
//! from the `ttf-noto-sans` crate (Apache-2.0) and loaded into `resvg`'s font database. The same faces are read
//! with `ttf-parser` to measure text, so that labels, the legend and the title can be fitted and kept from
//! overlapping. The PNG has no timestamp or other metadata, so it too is deterministic.
//!
//! # Layout
//!
//! Title and subtitle across the top, the map on the left, the legend in a panel on the right, never over the map.
//! Everything is sized from the picture's size (1600 × 1200 px is the reference), so a smaller picture is a scaled
//! copy of the larger one rather than a crowded one.
//!
//! # What is read from the layers
//!
//! Fields are looked up by name; a missing one only leaves its part of the picture out.
//! - `districts` (polygons): `gap_score` (fill class), `gap_rank` (the three lowest ranks are named),
//!   `district_name` (falling back to `district_id`).
//! - `gaps` (polygons): `gap_rank` (the lowest ranks drawn as the largest gaps, [`symbology::zones`]) and
//!   `children`, shown as a boxed label "1 080 barn" in the zone (largest zones first, at most
//!   [`MAX_ZONE_LABELS`], none placed over another label or an arena).
//! - `arenas` (points): `kind`, a kind id of [`MapOptions::kinds`] (its labels also match, ignoring case);
//!   each kind is drawn with its own shape and colour ([`crate::output::symbology`], the same as the QGIS style)
//!   and has a legend row with its count. Anything else is drawn as a small grey "other arena", with a legend row
//!   of its own only when there is one.
//! - `children` (points): `children`, used as the weight in the density grid.
//!
//! Districts are classed by gap score in the run's classes ([`GapClasses`], shared with the QGIS style and the
//! report): `0` is "no gap" (light grey) and the positive scores are split into up to five quantile classes with
//! rounded bounds (a yellow → dark red ramp, ColorBrewer YlOrRd). Child points are drawn
//! as faint dots when there are fewer than [`CHILD_DOT_LIMIT`], otherwise summed into a grid of small cells shaded
//! by density, so that a million children render as fast as a thousand.
//!
//! # The change theme
//!
//! With [`Theme::Change`] (a scenario folder of `compare`) the same frame shows a scenario against the baseline,
//! from the compare layers (see [`change`]): districts filled by `change` (better, worse, unchanged), the child
//! points that changed as coloured dots, and the arenas by kind with the added ones ringed and the closed ones
//! crossed out (`status`). Colours come from [`crate::output::symbology::CHANGE_CLASSES`], as in the QGIS styles.

mod change;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use geo::{BoundingRect, Coord, Geometry, InteriorPoint, MultiPolygon, Point, Polygon, Rect};
use resvg::{tiny_skia, usvg};

use crate::error::{Error, Result};
use crate::model::kinds::Kinds;
use crate::output::symbology::classes::{GapClasses, NO_GAP_COLOUR, RAMP};
use crate::output::symbology::text::{self as words, number_sv};
use crate::output::symbology::zones::{self, ZoneSymbol};
use crate::output::symbology::{self, KindSymbol};
use crate::output::{LayerView, Value};

/// Below this many child points they are drawn one by one as faint dots; at or above it they are aggregated into
/// a density grid.
pub const CHILD_DOT_LIMIT: usize = 50_000;

/// What the map says and how big it is.
#[derive(Clone, Debug, PartialEq)]
pub struct MapOptions {
    /// The title across the top, e.g. `Avstånd till familjearenor – Göteborg`.
    pub title: String,
    /// A line under the title: data sources, radius, date. May be empty.
    pub subtitle: String,
    /// Width of the PNG in pixels (also the SVG's size).
    pub width: u32,
    /// Height of the PNG in pixels.
    pub height: u32,
    /// The kinds of arena, in table order: their symbols and legend rows (default: the four default kinds).
    pub kinds: Vec<KindSymbol>,
    /// What the map shows: gaps (analyze) or a scenario's change (compare).
    pub theme: Theme,
    /// The run's gap-score classes, shared with the other outputs; `None` computes them from the districts layer.
    pub classes: Option<GapClasses>,
}

/// What a map shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Gap scores, gap zones and where children live (`analyze`).
    #[default]
    Gaps,
    /// A scenario against the baseline: better and worse districts and children, added and closed arenas.
    Change,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            title: "Glapp i tillgång till familjearenor (gaps in access to family arenas)".to_string(),
            subtitle: String::new(),
            width: 1600,
            height: 1200,
            kinds: symbology::kind_symbols(&Kinds::defaults()),
            theme: Theme::Gaps,
            classes: None,
        }
    }
}

/// A layer with nothing in it, for a part of the picture a theme does not draw (the change map has no gap zones).
pub struct NoLayer;

impl LayerView for NoLayer {
    fn name(&self) -> &str {
        "none"
    }
    fn geometry_kind(&self) -> crate::output::GeometryKind {
        crate::output::GeometryKind::Point
    }
    fn fields(&self) -> &[crate::output::Field] {
        &[]
    }
    fn len(&self) -> usize {
        0
    }
    fn geometry(&self, _: usize) -> Geometry<f64> {
        Geometry::GeometryCollection(Default::default())
    }
    fn values(&self, _: usize, out: &mut Vec<Value>) {
        out.clear();
    }
}

/// Smallest and largest accepted picture side, in pixels.
const MIN_SIDE: u32 = 320;
const MAX_SIDE: u32 = 12_000;

/// The longest title or subtitle drawn, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Renders the map to `png_path` and, if given, its SVG source to `svg_path`.
///
/// `districts`, `gaps`, `arenas` and `children` are the analysis output layers (see the module docs for the
/// fields used; a missing field only leaves its part of the picture out). Coordinates are taken as metres of a
/// projected CRS with x = easting, as the analysis CRS is. Each file is written to `<path>.partial` and renamed
/// over the final path, so a failed run leaves no half-written picture.
pub fn render_map(
    png_path: &Path,
    svg_path: Option<&Path>,
    districts: &dyn LayerView,
    gaps: &dyn LayerView,
    arenas: &dyn LayerView,
    children: &dyn LayerView,
    options: &MapOptions,
) -> Result<()> {
    let svg = map_svg(districts, gaps, arenas, children, options)?;
    write_map(png_path, svg_path, &svg, options)
}

/// The map's SVG document (what [`render_map`] rasterises), e.g. to put inline in the report. Fails on a picture
/// size outside the accepted range.
pub fn map_svg(
    districts: &dyn LayerView,
    gaps: &dyn LayerView,
    arenas: &dyn LayerView,
    children: &dyn LayerView,
    options: &MapOptions,
) -> Result<String> {
    for (what, v) in [("width", options.width), ("height", options.height)] {
        if !(MIN_SIDE..=MAX_SIDE).contains(&v) {
            return Err(Error::Config(format!("map {what} must be between {MIN_SIDE} and {MAX_SIDE} pixels, not {v}")));
        }
    }
    // Text layout costs grow with the text: a title of hundreds of kilobytes took minutes. A map title longer than
    // a line of print is cut, with an ellipsis.
    let clipped = MapOptions {
        title: words::clip(&options.title, MAX_TITLE_CHARS),
        subtitle: words::clip(&options.subtitle, MAX_TITLE_CHARS),
        ..options.clone()
    };
    Ok(build_svg(districts, gaps, arenas, children, &clipped))
}

/// Rasterises `svg` (from [`map_svg`] with these `options`) to `png_path` and writes it to `svg_path` if given.
pub fn write_map(png_path: &Path, svg_path: Option<&Path>, svg: &str, options: &MapOptions) -> Result<()> {
    let png = rasterize(svg, options.width, options.height)
        .map_err(|msg| Error::write(png_path, std::io::Error::other(msg)))?;
    if let Some(svg_path) = svg_path {
        write_atomically(svg_path, svg.as_bytes())?;
    }
    write_atomically(png_path, &png)
}

/// Writes `bytes` to `<path>.partial`, then renames it over `path`; removes the partial file on failure.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        Error::write(path, e)
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Fonts and text measurement
// ---------------------------------------------------------------------------------------------------------------

/// The family name of the embedded font, as SVG text asks for it.
const FONT_FAMILY: &str = "Noto Sans";

/// The font database `resvg` renders text with: only the embedded faces, loaded once.
fn font_db() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(ttf_noto_sans::REGULAR.to_vec());
        db.load_font_data(ttf_noto_sans::BOLD.to_vec());
        db.set_sans_serif_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Glyph advances of the embedded faces, for measuring text before it is drawn.
struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    fn get() -> Option<&'static Metrics> {
        static M: OnceLock<Option<Metrics>> = OnceLock::new();
        M.get_or_init(|| {
            Some(Metrics {
                regular: ttf_parser::Face::parse(ttf_noto_sans::REGULAR, 0).ok()?,
                bold: ttf_parser::Face::parse(ttf_noto_sans::BOLD, 0).ok()?,
            })
        })
        .as_ref()
    }
}

/// The width in pixels of `text` set in the embedded font at `size` px (no kerning: a slight overestimate).
fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let Some(m) = Metrics::get() else {
        return text.chars().count() as f64 * size * if bold { 0.62 } else { 0.56 };
    };
    let face = if bold { &m.bold } else { &m.regular };
    let upem = f64::from(face.units_per_em());
    let units: f64 = text
        .chars()
        .map(|c| face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).map_or(upem * 0.6, f64::from))
        .sum();
    units / upem * size
}

/// Renders the SVG document to PNG bytes.
fn rasterize(svg: &str, width: u32, height: u32) -> std::result::Result<Vec<u8>, String> {
    let options = usvg::Options { font_family: FONT_FAMILY.to_string(), fontdb: font_db(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("cannot draw the map: {e}"))?;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("cannot draw a {width} × {height} map: out of memory"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode the map as PNG: {e}"))
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the layers
// ---------------------------------------------------------------------------------------------------------------

/// The index of field `name` in `layer`, if it has one.
fn field_index(layer: &dyn LayerView, name: &str) -> Option<usize> {
    layer.fields().iter().position(|f| f.name == name)
}

fn number(values: &[Value], idx: Option<usize>) -> Option<f64> {
    match values.get(idx?)? {
        Value::Number(n) if n.is_finite() => Some(*n),
        Value::Text(t) => t.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn text(values: &[Value], idx: Option<usize>) -> Option<String> {
    values.get(idx?)?.to_text().filter(|t| !t.trim().is_empty())
}

/// The polygons of a (multi)polygon geometry; anything else is empty.
fn polygons(geometry: Geometry<f64>) -> MultiPolygon<f64> {
    match geometry {
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        Geometry::MultiPolygon(mp) => mp,
        Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]),
        Geometry::GeometryCollection(gc) => MultiPolygon(gc.0.into_iter().flat_map(|g| polygons(g).0).collect()),
        _ => MultiPolygon(vec![]),
    }
}

/// The points of a point geometry; anything else is empty.
/// The finite points of a point layer's geometry: no allocation for a single point (a million children).
fn points(geometry: Geometry<f64>) -> smallvec::SmallVec<[Point<f64>; 1]> {
    let finite = |p: &Point<f64>| p.x().is_finite() && p.y().is_finite();
    match geometry {
        Geometry::Point(p) => finite(&p).then_some(p).into_iter().collect(),
        Geometry::MultiPoint(mp) => mp.0.into_iter().filter(finite).collect(),
        _ => smallvec::SmallVec::new(),
    }
}

struct District {
    shape: MultiPolygon<f64>,
    name: Option<String>,
    score: Option<f64>,
    rank: Option<f64>,
    /// The `change` value (compare layers).
    change: Option<String>,
    /// `gap_score_change` (compare layers).
    score_change: Option<f64>,
}

struct Zone {
    shape: MultiPolygon<f64>,
    children: Option<f64>,
    /// Its `gap_rank`: the lowest ranks are drawn as the largest gaps ([`zones::zone_symbol`]).
    rank: Option<f64>,
}

struct Arena {
    at: Point<f64>,
    /// The index of its kind in [`Scene::kinds`]; `None` for a kind not in the table.
    kind: Option<usize>,
    /// The `status` value (compare layers): added, closed, existing.
    status: Option<String>,
}

/// Everything the picture needs, read once from the layers.
struct Scene {
    districts: Vec<District>,
    zones: Vec<Zone>,
    arenas: Vec<Arena>,
    /// The kinds' symbols, in table order.
    kinds: Vec<KindSymbol>,
    /// The symbol of an arena whose kind is not in the table.
    other: KindSymbol,
}

/// A kind value or label as the map matches it: trimmed, lower case, spaces and hyphens as `_`.
fn kind_key(text: &str) -> String {
    text.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect()
}

impl Scene {
    fn read(districts: &dyn LayerView, gaps: &dyn LayerView, arenas: &dyn LayerView, kinds: &[KindSymbol]) -> Scene {
        let mut values = Vec::new();
        let (name_i, id_i) = (field_index(districts, "district_name"), field_index(districts, "district_id"));
        let (score_i, rank_i) = (field_index(districts, "gap_score"), field_index(districts, "gap_rank"));
        let (change_i, score_change_i) = (field_index(districts, "change"), field_index(districts, "gap_score_change"));
        let district_rows = (0..districts.len())
            .map(|i| {
                districts.values(i, &mut values);
                District {
                    shape: polygons(districts.geometry(i)),
                    name: text(&values, name_i).or_else(|| text(&values, id_i)),
                    score: number(&values, score_i),
                    rank: number(&values, rank_i),
                    change: text(&values, change_i),
                    score_change: number(&values, score_change_i),
                }
            })
            .collect();
        let (zone_children_i, zone_rank_i) = (field_index(gaps, "children"), field_index(gaps, "gap_rank"));
        let zones = (0..gaps.len())
            .map(|i| {
                gaps.values(i, &mut values);
                Zone {
                    shape: polygons(gaps.geometry(i)),
                    children: number(&values, zone_children_i),
                    rank: number(&values, zone_rank_i),
                }
            })
            .collect();
        // A kind's id first, then its labels; an earlier kind keeps a value a later one also has.
        let mut kind_of: HashMap<String, usize> = HashMap::new();
        for (k, kind) in kinds.iter().enumerate() {
            kind_of.entry(kind_key(&kind.id)).or_insert(k);
        }
        for (k, kind) in kinds.iter().enumerate() {
            for label in [&kind.label_sv, &kind.label_en] {
                kind_of.entry(kind_key(label)).or_insert(k);
            }
        }
        kind_of.remove("");
        let (kind_i, status_i) = (field_index(arenas, "kind"), field_index(arenas, "status"));
        let arena_rows = (0..arenas.len())
            .flat_map(|i| {
                arenas.values(i, &mut values);
                let kind = text(&values, kind_i).and_then(|t| kind_of.get(&kind_key(&t)).copied());
                let status = text(&values, status_i);
                points(arenas.geometry(i)).into_iter().map(move |at| Arena { at, kind, status: status.clone() })
            })
            .collect();
        Scene { districts: district_rows, zones, arenas: arena_rows, kinds: kinds.to_vec(), other: KindSymbol::other() }
    }

    /// The symbol of an arena's kind.
    fn symbol(&self, kind: Option<usize>) -> &KindSymbol {
        kind.and_then(|k| self.kinds.get(k)).unwrap_or(&self.other)
    }

    /// The extent to show: the districts and gap zones, or, if there are none, the arenas.
    fn extent(&self) -> Option<Rect<f64>> {
        let polys = self.districts.iter().map(|d| &d.shape).chain(self.zones.iter().map(|z| &z.shape));
        let mut rect = polys.filter_map(|mp| mp.bounding_rect()).filter(rect_is_finite).reduce(union);
        if rect.is_none() {
            rect = self.arenas.iter().map(|a| Rect::new(a.at.0, a.at.0)).reduce(union);
        }
        rect
    }
}

fn rect_is_finite(r: &Rect<f64>) -> bool {
    [r.min().x, r.min().y, r.max().x, r.max().y].iter().all(|v| v.is_finite())
}

fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

// ---------------------------------------------------------------------------------------------------------------
// Classes and number formatting
// ---------------------------------------------------------------------------------------------------------------

/// A coordinate in pixels, to 0.1 px, without trailing `.0` (and never `-0`).
struct Px(f64);

impl std::fmt::Display for Px {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let (sign, a) = if tenths < 0 { ("-", -tenths) } else { ("", tenths) };
        if a % 10 == 0 {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------------------

/// Where things go on the canvas, in pixels.
struct Layout {
    w: f64,
    /// Size factor relative to the 1600 × 1200 reference.
    s: f64,
    margin: f64,
    /// The map area.
    map: PxRect,
    /// The legend panel.
    panel: PxRect,
}

#[derive(Clone, Copy, Debug)]
struct PxRect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl PxRect {
    fn w(&self) -> f64 {
        self.x1 - self.x0
    }
    fn h(&self) -> f64 {
        self.y1 - self.y0
    }
    fn overlaps(&self, o: &PxRect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    fn contains(&self, o: &PxRect) -> bool {
        o.x0 >= self.x0 && o.x1 <= self.x1 && o.y0 >= self.y0 && o.y1 <= self.y1
    }
}

/// The transform from map metres to canvas pixels (y flipped: north up).
struct Frame {
    min_x: f64,
    max_y: f64,
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Frame {
    fn fit(extent: Rect<f64>, area: PxRect, pad: f64) -> Frame {
        let (ew, eh) = (extent.width().max(1.0), extent.height().max(1.0));
        let (aw, ah) = ((area.w() - 2.0 * pad).max(1.0), (area.h() - 2.0 * pad).max(1.0));
        let scale = (aw / ew).min(ah / eh);
        Frame {
            min_x: extent.min().x,
            max_y: extent.max().y,
            scale,
            ox: area.x0 + pad + (aw - ew * scale) / 2.0,
            oy: area.y0 + pad + (ah - eh * scale) / 2.0,
        }
    }

    fn px(&self, c: Coord<f64>) -> (f64, f64) {
        (self.ox + (c.x - self.min_x) * self.scale, self.oy + (self.max_y - c.y) * self.scale)
    }
}

/// Vertices closer than this (in pixels) to the previous kept one are dropped: a detailed coastline has many
/// more vertices than pixels, and each costs SVG bytes and rendering time without changing the picture.
const SIMPLIFY_PX: f64 = 0.5;

/// SVG path data of a (multi)polygon, holes included (draw with `fill-rule="evenodd"`), in tenths of a pixel,
/// lightly simplified (see [`SIMPLIFY_PX`]).
fn path_data(mp: &MultiPolygon<f64>, frame: &Frame) -> String {
    let min_d2 = ((SIMPLIFY_PX * 10.0) as i64).pow(2);
    let mut d = String::new();
    for polygon in &mp.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let mut pts: Vec<(i64, i64)> = Vec::with_capacity(ring.0.len());
            let n = ring.0.len();
            for (k, c) in ring.0.iter().enumerate() {
                if !(c.x.is_finite() && c.y.is_finite()) {
                    continue;
                }
                let (x, y) = frame.px(*c);
                let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
                let keep = match pts.last() {
                    None => true,
                    Some(last) if k + 1 == n => *last != p,
                    Some(last) => (p.0 - last.0).pow(2) + (p.1 - last.1).pow(2) >= min_d2,
                };
                if keep {
                    pts.push(p);
                }
            }
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            if pts.len() < 3 {
                continue;
            }
            for (k, (x, y)) in pts.iter().enumerate() {
                let cmd = if k == 0 { 'M' } else { 'L' };
                let _ = write!(d, "{cmd}{} {}", Px(*x as f64 / 10.0), Px(*y as f64 / 10.0));
            }
            d.push('Z');
        }
    }
    d
}

/// A point well inside a (multi)polygon for its label: the interior point of its largest part.
fn label_point(mp: &MultiPolygon<f64>) -> Option<Point<f64>> {
    use geo::Area;
    let largest: &Polygon<f64> = mp.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    largest.interior_point()
}

// ---------------------------------------------------------------------------------------------------------------
// The SVG document
// ---------------------------------------------------------------------------------------------------------------

/// Builds the whole SVG document.
fn build_svg(
    districts: &dyn LayerView,
    gaps: &dyn LayerView,
    arenas: &dyn LayerView,
    children: &dyn LayerView,
    options: &MapOptions,
) -> String {
    let scene = Scene::read(districts, gaps, arenas, &options.kinds);
    let (w, h) = (f64::from(options.width), f64::from(options.height));
    let s = (w / 1600.0).min(h / 1200.0);
    let margin = (24.0 * s).max(8.0);
    let has_subtitle = !options.subtitle.trim().is_empty();
    let header = margin + 44.0 * s + if has_subtitle { 34.0 * s } else { 0.0 } + 8.0 * s;
    let panel_w = (400.0 * s).min(w * 0.4);
    let panel = PxRect { x0: w - margin - panel_w, y0: header, x1: w - margin, y1: h - margin };
    let map = PxRect { x0: margin, y0: header, x1: panel.x0 - margin * 0.75, y1: h - margin };
    let layout = Layout { w, s, margin, map, panel };

    let mut svg = String::with_capacity(256 * 1024);
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" \
         style=\"font-family: {FONT_FAMILY}, DejaVu Sans, Arial, sans-serif\">",
        W = options.width,
        H = options.height,
    );
    let _ = writeln!(svg, "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>", Px(w), Px(h));
    if options.theme == Theme::Gaps {
        hatch_defs(&mut svg, mm_px(s));
    }

    let computed;
    let classes = match &options.classes {
        Some(classes) => classes,
        None => {
            computed = GapClasses::from_scores(scene.districts.iter().map(|d| d.score));
            &computed
        }
    };
    let child_mode = match scene.extent() {
        Some(extent) => {
            let frame = Frame::fit(extent, map, 16.0 * s);
            // No clip path (it would cost a full-canvas layer): everything is fitted or filtered to the map area.
            svg.push_str("<g id=\"map\">\n");
            let mode = match options.theme {
                Theme::Gaps => {
                    draw_districts(&mut svg, &scene, classes, &frame, s);
                    draw_children(&mut svg, children, &frame, &layout)
                }
                Theme::Change => {
                    change::draw_districts(&mut svg, &scene, &frame, s);
                    change::draw_children(&mut svg, children, &frame, &layout);
                    ChildMode::None
                }
            };
            draw_zones(&mut svg, &scene, &frame, s);
            // Where the arenas are drawn (shared points on a ring), once for the symbols, marks and labels.
            let placed = place_arenas(&scene, &frame, arena_size(s).0);
            draw_arenas(&mut svg, &scene, &placed, map, s);
            if options.theme == Theme::Change {
                change::draw_status(&mut svg, &scene, &placed, map, s);
            }
            draw_labels(&mut svg, &scene, &placed, &frame, &layout, options.theme);
            svg.push_str("</g>\n");
            draw_scale_bar(&mut svg, &frame, &layout);
            draw_north_arrow(&mut svg, &layout);
            mode
        }
        None => {
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#666666\" text-anchor=\"middle\">\
                 Inga kartdata (no map data)</text>",
                Px((map.x0 + map.x1) / 2.0),
                Px((map.y0 + map.y1) / 2.0),
                Px(24.0 * s)
            );
            ChildMode::None
        }
    };
    let _ = writeln!(
        svg,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#b0b0b0\" stroke-width=\"{}\"/>",
        Px(map.x0),
        Px(map.y0),
        Px(map.w()),
        Px(map.h()),
        Px((1.0 * s).max(0.5))
    );
    draw_title(&mut svg, options, &layout);
    let sections = match options.theme {
        Theme::Gaps => gap_sections(&scene, classes, child_mode),
        Theme::Change => change::sections(&scene, children),
    };
    draw_legend(&mut svg, &sections, &layout);
    svg.push_str("</svg>\n");
    svg
}

fn draw_districts(svg: &mut String, scene: &Scene, classes: &GapClasses, frame: &Frame, s: f64) {
    draw_district_fills(svg, scene, frame, s, |d| classes.colour(classes.class_of(d.score)));
}

/// Every district's outline, filled with `fill(district)`.
fn draw_district_fills(
    svg: &mut String,
    scene: &Scene,
    frame: &Frame,
    s: f64,
    fill: impl Fn(&District) -> &'static str,
) {
    svg.push_str("<g id=\"districts\" fill-rule=\"evenodd\" stroke=\"#8c8c8c\"");
    let _ = writeln!(svg, " stroke-width=\"{}\">", Px((0.9 * s).max(0.4)));
    for d in &scene.districts {
        let data = path_data(&d.shape, frame);
        if data.is_empty() {
            continue;
        }
        let _ = writeln!(svg, "<path fill=\"{}\" d=\"{data}\"/>", fill(d));
    }
    svg.push_str("</g>\n");
}

/// How the children were drawn, for the legend.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ChildMode {
    None,
    Dots,
    Grid,
}

const CHILD_DOT_COLOUR: &str = "#2b2b2b";
/// Side of the tiles child dots are grouped by, in pixels.
const DOT_TILE_PX: f64 = 64.0;

fn draw_children(svg: &mut String, children: &dyn LayerView, frame: &Frame, layout: &Layout) -> ChildMode {
    let n = children.len();
    if n == 0 {
        return ChildMode::None;
    }
    let s = layout.s;
    let map = layout.map;
    let inside = |x: f64, y: f64| x >= map.x0 && x <= map.x1 && y >= map.y0 && y <= map.y1;
    if n < CHILD_DOT_LIMIT {
        // Small squares in feature order. They are grouped into one path per tile
        // of the map: a single path of tens of thousands of squares is much slower to fill (every scanline
        // crosses all of them).
        let size = (2.6 * s).max(1.2);
        let tile = DOT_TILE_PX;
        let cols = (map.w() / tile).ceil().max(1.0) as usize;
        let rows = (map.h() / tile).ceil().max(1.0) as usize;
        let mut tiles = vec![String::new(); cols * rows];
        let mut seen = HashSet::new();
        for i in 0..n {
            for p in points(children.geometry(i)) {
                let (x, y) = frame.px(p.0);
                // Snap to a grid of dot size: dots never overlap, and a block of flats is one dot, not fifty.
                let key = ((x / size).round() as i64, (y / size).round() as i64);
                if !inside(x, y) || !seen.insert(key) {
                    continue;
                }
                let (x, y) = (key.0 as f64 * size, key.1 as f64 * size);
                let c = (((x - map.x0) / tile) as usize).min(cols - 1);
                let r = (((y - map.y0) / tile) as usize).min(rows - 1);
                let _ = write!(
                    tiles[r * cols + c],
                    "M{} {}h{}v{}h-{}z",
                    Px(x - size / 2.0),
                    Px(y - size / 2.0),
                    Px(size),
                    Px(size),
                    Px(size)
                );
            }
        }
        if tiles.iter().all(String::is_empty) {
            return ChildMode::None;
        }
        let _ = writeln!(svg, "<g id=\"children\" fill=\"{CHILD_DOT_COLOUR}\" fill-opacity=\"0.35\">");
        for d in tiles.iter().filter(|d| !d.is_empty()) {
            let _ = writeln!(svg, "<path d=\"{d}\"/>");
        }
        svg.push_str("</g>\n");
        return ChildMode::Dots;
    }
    // Too many to draw one by one: sum the children in square cells and shade four density classes.
    let cell = (6.0 * s).max(3.0);
    let cols = (map.w() / cell).ceil().max(1.0) as usize;
    let rows = (map.h() / cell).ceil().max(1.0) as usize;
    let mut grid = vec![0.0f64; cols * rows];
    let weight_i = field_index(children, "children");
    for i in 0..n {
        let pts = points(children.geometry(i));
        if pts.is_empty() {
            continue;
        }
        // One field of the row, not the whole row: the layer answers it without building the others.
        let weight = match weight_i.map(|k| children.value(i, k)) {
            Some(Value::Number(w)) if w.is_finite() => w.max(0.0),
            _ => 1.0,
        };
        for p in pts {
            let (x, y) = frame.px(p.0);
            if !inside(x, y) {
                continue;
            }
            let c = (((x - map.x0) / cell) as usize).min(cols - 1);
            let r = (((y - map.y0) / cell) as usize).min(rows - 1);
            grid[r * cols + c] += weight;
        }
    }
    let mut filled: Vec<f64> = grid.iter().copied().filter(|v| *v > 0.0).collect();
    if filled.is_empty() {
        return ChildMode::None;
    }
    // Shade by the share of a dense cell (the 95th percentile), so that an evenly spread population gives an
    // even tint rather than quantile noise.
    filled.sort_by(f64::total_cmp);
    let dense = filled[((filled.len() - 1) as f64 * 0.95) as usize];
    let breaks = [dense * 0.25, dense * 0.5, dense * 0.75];
    let mut paths = [String::new(), String::new(), String::new(), String::new()];
    let class = |v: f64| (v > 0.0).then(|| breaks.iter().position(|b| v <= *b).unwrap_or(3));
    for r in 0..rows {
        // One rectangle per run of cells of the same class along the row.
        let mut c = 0;
        while c < cols {
            let Some(k) = class(grid[r * cols + c]) else {
                c += 1;
                continue;
            };
            let start = c;
            while c < cols && class(grid[r * cols + c]) == Some(k) {
                c += 1;
            }
            let run = (c - start) as f64 * cell;
            let _ = write!(
                paths[k],
                "M{} {}h{}v{}h-{}z",
                Px(map.x0 + start as f64 * cell),
                Px(map.y0 + r as f64 * cell),
                Px(run),
                Px(cell),
                Px(run)
            );
        }
    }
    svg.push_str("<g id=\"children\">\n");
    for (k, d) in paths.iter().enumerate() {
        if !d.is_empty() {
            let _ = writeln!(svg, "<path fill=\"{CHILD_DOT_COLOUR}\" fill-opacity=\"{}\" d=\"{d}\"/>", GRID_OPACITY[k]);
        }
    }
    svg.push_str("</g>\n");
    ChildMode::Grid
}

const GRID_OPACITY: [&str; 4] = ["0.07", "0.14", "0.23", "0.34"];

/// The id of a zone class's hatch pattern in the picture.
fn hatch_id(symbol: &ZoneSymbol) -> &'static str {
    if *symbol == zones::LARGEST {
        "zone-hatch-largest"
    } else {
        "zone-hatch-other"
    }
}

/// The hatch patterns of the zone classes, as QGIS's gaps style draws them (a white wash under lines
/// [`zones::HATCH_SPACING_MM`] apart at [`zones::HATCH_ANGLE`]), `mm` pixels to the millimetre.
fn hatch_defs(svg: &mut String, mm: f64) {
    let d = zones::HATCH_SPACING_MM * mm;
    svg.push_str("<defs>\n");
    for symbol in &zones::ZONE_CLASSES {
        let _ = writeln!(
            svg,
            "<pattern id=\"{}\" patternUnits=\"userSpaceOnUse\" width=\"{d}\" height=\"{d}\" \
             patternTransform=\"rotate({})\"><rect width=\"{d}\" height=\"{d}\" fill=\"#ffffff\" fill-opacity=\"{}\"/>\
             <line x1=\"0\" y1=\"{h}\" x2=\"{d}\" y2=\"{h}\" stroke=\"{}\" stroke-width=\"{}\"/></pattern>",
            hatch_id(symbol),
            -zones::HATCH_ANGLE,
            Px(f64::from(zones::WASH_ALPHA) / 255.0),
            symbol.hatch.hex(),
            Px(symbol.hatch_mm * mm),
            d = Px(d),
            h = Px(d / 2.0),
        );
    }
    svg.push_str("</defs>\n");
}

/// The gap zones in layer order, each hatched and outlined by its class ([`zones::zone_symbol`]).
fn draw_zones(svg: &mut String, scene: &Scene, frame: &Frame, s: f64) {
    if scene.zones.is_empty() {
        return;
    }
    let mm = mm_px(s);
    svg.push_str("<g id=\"gaps\" fill-rule=\"evenodd\" stroke-linejoin=\"round\">\n");
    for z in &scene.zones {
        let d = path_data(&z.shape, frame);
        if d.is_empty() {
            continue;
        }
        let symbol = zones::zone_symbol(z.rank);
        let _ = writeln!(
            svg,
            "<path fill=\"url(#{})\" stroke=\"{}\" stroke-width=\"{}\" d=\"{d}\"/>",
            hatch_id(symbol),
            symbol.outline.hex(),
            Px(symbol.outline_mm * mm)
        );
    }
    svg.push_str("</g>\n");
}

/// One arena symbol centred on (x, y): its kind's shape (QGIS's outline) and colour, `mm` pixels to the
/// millimetre of the symbol's QGIS size, with a white outline `stroke_w` wide.
fn arena_symbol(svg: &mut String, symbol: &KindSymbol, x: f64, y: f64, mm: f64, stroke_w: f64) {
    let fill = symbol.colour.hex();
    let half = symbol_half(symbol, mm);
    let stroke = format!("stroke=\"#ffffff\" stroke-width=\"{}\"", Px(stroke_w));
    let _ = match symbology::unit_outline(symbol.shape) {
        None => {
            writeln!(svg, "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" {stroke}/>", Px(x), Px(y), Px(half))
        }
        Some(outline) => {
            let mut d = String::new();
            for (k, (ux, uy)) in outline.iter().enumerate() {
                let _ = write!(d, "{}{} {}", if k == 0 { 'M' } else { 'L' }, Px(x + ux * half), Px(y + uy * half));
            }
            writeln!(svg, "<path d=\"{d}Z\" fill=\"{fill}\" stroke-linejoin=\"round\" {stroke}/>")
        }
    };
}

/// Half the size of a symbol, in pixels, at `mm` pixels to the millimetre.
fn symbol_half(symbol: &KindSymbol, mm: f64) -> f64 {
    symbol.size_mm() / 2.0 * mm
}

/// Pixels to the millimetre of a symbol's QGIS size (a 3.4 mm circle is 7 px across the radius at the reference
/// size), and the width of the symbols' white outline.
/// Pixels to a millimetre of QGIS's symbol sizes, at the picture's scale `s`.
fn mm_px(s: f64) -> f64 {
    (7.0 * s).max(3.0) / 1.7
}

fn arena_size(s: f64) -> (f64, f64) {
    (mm_px(s), (1.5 * s).max(0.75))
}

/// Where each arena of the scene is drawn, in pixels, and the rings of the arenas that share a point. Arenas at
/// one point are set side by side on a ring around it, as QGIS's point displacement renderer does with ring
/// placement (the arenas style, `maps/make_maps.py`): the ring's radius is the larger of half the largest
/// symbol's diagonal and what fits the symbols around, the k-th of n at the angle 2πk/n from straight down.
pub(super) struct Placed {
    /// Each arena's position, in [`Scene::arenas`] order.
    pub(super) at: Vec<(f64, f64)>,
    /// (x, y, radius) of each shared point's ring.
    rings: Vec<(f64, f64, f64)>,
}

fn place_arenas(scene: &Scene, frame: &Frame, mm: f64) -> Placed {
    let mut at: Vec<(f64, f64)> = scene.arenas.iter().map(|a| frame.px(a.at.0)).collect();
    let mut groups: HashMap<(u64, u64), Vec<usize>> = HashMap::new();
    for (i, a) in scene.arenas.iter().enumerate() {
        groups.entry((a.at.x().to_bits(), a.at.y().to_bits())).or_default().push(i);
    }
    let mut shared: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    shared.sort();
    let mut rings = Vec::new();
    for group in shared {
        let (cx, cy) = at[group[0]];
        let diagonal =
            group.iter().map(|&i| 2.0 * symbol_half(scene.symbol(scene.arenas[i].kind), mm)).fold(0.0, f64::max)
                * std::f64::consts::SQRT_2;
        let n = group.len() as f64;
        let radius = (diagonal / 2.0).max(n * diagonal / (2.0 * std::f64::consts::PI));
        for (k, &i) in group.iter().enumerate() {
            let angle = 2.0 * std::f64::consts::PI * k as f64 / n;
            at[i] = (cx + radius * angle.sin(), cy + radius * angle.cos());
        }
        rings.push((cx, cy, radius + diagonal / 2.0));
    }
    Placed { at, rings }
}

fn draw_arenas(svg: &mut String, scene: &Scene, placed: &Placed, map: PxRect, s: f64) {
    let (mm, sw) = arena_size(s);
    svg.push_str("<g id=\"arenas\">\n");
    // The rings of shared points first, with a dot where the arenas really are.
    for (x, y, r) in &placed.rings {
        let _ = writeln!(
            svg,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke=\"{RING_COLOUR}\" stroke-width=\"{}\"/>\n\
             <circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{RING_COLOUR}\"/>",
            Px(*x),
            Px(*y),
            Px(*r),
            Px(0.3 * mm),
            Px(*x),
            Px(*y),
            Px(0.6 * mm)
        );
    }
    // Arenas of unknown kind at the bottom, then the kinds in reverse table order, so that the first kinds (the
    // rarer, more important family centres) are drawn on top.
    let mut order: Vec<usize> = (0..scene.arenas.len()).collect();
    order.sort_by_key(|&i| scene.arenas[i].kind.map_or(0, |k| scene.kinds.len() - k));
    for i in order {
        let symbol = scene.symbol(scene.arenas[i].kind);
        let r = symbol_half(symbol, mm);
        let (x, y) = placed.at[i];
        if x < map.x0 + r || x > map.x1 - r || y < map.y0 + r || y > map.y1 - r {
            continue; // Outside the districts' extent: off the map.
        }
        arena_symbol(svg, symbol, x, y, mm, sw);
    }
    svg.push_str("</g>\n");
}

/// The ring and dot of arenas that share a point (QGIS's displacement circle and centre symbol).
const RING_COLOUR: &str = "#5a5a5a";

/// A text with a white halo, so it reads on any fill.
#[allow(clippy::too_many_arguments)]
fn halo_text(svg: &mut String, x: f64, y: f64, size: f64, bold: bool, anchor: &str, fill: &str, t: &str) {
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{} text-anchor=\"{anchor}\" fill=\"{fill}\" stroke=\"#ffffff\" \
         stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-opacity=\"0.9\" paint-order=\"stroke\">{}</text>",
        Px(x),
        Px(y),
        Px(size),
        if bold { " font-weight=\"bold\"" } else { "" },
        Px(size * 0.28),
        super::xml_escape(t)
    );
}

/// Places a centred label near `(x, y)`, trying a few offsets; returns false if every place was taken.
fn place_label(taken: &mut Vec<PxRect>, area: PxRect, x: f64, y: f64, width: f64, size: f64) -> Option<(f64, f64)> {
    let h = size * 1.25;
    let offsets = [
        (0.0, 0.0),
        (0.0, -h),
        (0.0, h),
        (0.0, -2.0 * h),
        (0.0, 2.0 * h),
        (width * 0.6, 0.0),
        (-width * 0.6, 0.0),
        (0.0, -3.0 * h),
        (0.0, 3.0 * h),
    ];
    for (dx, dy) in offsets {
        let (cx, cy) = (x + dx, y + dy);
        let rect =
            PxRect { x0: cx - width / 2.0 - 3.0, y0: cy - h / 2.0, x1: cx + width / 2.0 + 3.0, y1: cy + h / 2.0 };
        if area.contains(&rect) && !taken.iter().any(|t| t.overlaps(&rect)) {
            taken.push(rect);
            // Baseline of text whose box is centred on cy.
            return Some((cx, cy + size * 0.35));
        }
    }
    None
}

/// At most this many gap zones get a child-count label (the largest first).
pub const MAX_ZONE_LABELS: usize = 25;

fn draw_labels(svg: &mut String, scene: &Scene, placed: &Placed, frame: &Frame, layout: &Layout, theme: Theme) {
    let s = layout.s;
    let area = PxRect {
        x0: layout.map.x0 + 4.0 * s,
        y0: layout.map.y0 + 4.0 * s,
        x1: layout.map.x1 - 4.0 * s,
        y1: layout.map.y1 - 4.0 * s,
    };
    let mut taken: Vec<PxRect> = Vec::new();
    // Keep the scale bar and north arrow corners free.
    taken.push(scale_bar_box(layout));
    taken.push(north_arrow_box(layout));
    // And the arena symbols: a label must not hide one.
    let (mm, _) = arena_size(s);
    for (a, &(x, y)) in scene.arenas.iter().zip(&placed.at) {
        let r = symbol_half(scene.symbol(a.kind), mm);
        taken.push(PxRect { x0: x - r * 1.3, y0: y - r * 1.3, x1: x + r * 1.3, y1: y + r * 1.3 });
    }

    // The three worst districts, by name (or the three that change most).
    let named: Vec<(&District, String)> = match theme {
        Theme::Gaps => {
            let mut worst: Vec<&District> =
                scene.districts.iter().filter(|d| d.rank.is_some() && d.score.is_none_or(|s| s > 0.0)).collect();
            worst.sort_by(|a, b| a.rank.unwrap_or(f64::MAX).total_cmp(&b.rank.unwrap_or(f64::MAX)));
            worst
                .into_iter()
                .take(words::WORST_NAMED)
                .enumerate()
                .filter_map(|(k, d)| Some((d, words::worst_label(k + 1, d.name.as_ref()?))))
                .collect()
        }
        Theme::Change => change::labelled(scene),
    };
    let size = 19.0 * s;
    for (d, label) in named {
        let Some(p) = label_point(&d.shape) else { continue };
        let (x, y) = frame.px(p.0);
        let width = text_width(&label, size, true);
        if let Some((lx, ly)) = place_label(&mut taken, area, x, y, width, size) {
            halo_text(svg, lx, ly, size, true, "middle", "#000000", &label);
        }
    }

    // Child counts of the gap zones, largest first.
    let mut zones: Vec<(&Zone, f64)> =
        scene.zones.iter().filter_map(|z| Some((z, z.children?))).filter(|(_, c)| c.round() >= 1.0).collect();
    zones.sort_by(|a, b| b.1.total_cmp(&a.1));
    let size = 16.0 * s;
    for (z, count) in zones.into_iter().take(MAX_ZONE_LABELS) {
        let Some(p) = label_point(&z.shape) else { continue };
        let label = words::children_label(count);
        let (x, y) = frame.px(p.0);
        let width = text_width(&label, size, true);
        // A boxed label, so a zone's count reads differently from a district's name.
        let pad = 5.0 * s;
        if let Some((lx, ly)) = place_label(&mut taken, area, x, y, width + 2.0 * pad, size * 1.15) {
            let (bw, bh) = (width + 2.0 * pad, size * 1.45);
            let _ = writeln!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"#ffffff\" fill-opacity=\"0.92\" \
                 stroke=\"#1a1a1a\" stroke-width=\"{}\"/>",
                Px(lx - bw / 2.0),
                Px(ly - size * 0.35 * 1.15 - bh / 2.0),
                Px(bw),
                Px(bh),
                Px(3.0 * s),
                Px((1.2 * s).max(0.6))
            );
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" text-anchor=\"middle\" \
                 fill=\"#1a1a1a\">{}</text>",
                Px(lx),
                Px(ly - size * 0.35 * 1.15 + size * 0.36),
                Px(size),
                super::xml_escape(&label)
            );
        }
    }
}

fn scale_bar_box(layout: &Layout) -> PxRect {
    let s = layout.s;
    let x0 = layout.map.x0 + 12.0 * s;
    let y1 = layout.map.y1 - 12.0 * s;
    PxRect { x0, y0: y1 - 56.0 * s, x1: x0 + layout.map.w() * 0.25 + 50.0 * s, y1 }
}

fn north_arrow_box(layout: &Layout) -> PxRect {
    let s = layout.s;
    let x1 = layout.map.x1 - 12.0 * s;
    let y0 = layout.map.y0 + 12.0 * s;
    PxRect { x0: x1 - 44.0 * s, y0, x1, y1: y0 + 70.0 * s }
}

/// The longest 1, 2 or 5 × 10ⁿ metres not longer than `max_m`.
fn nice_length(max_m: f64) -> f64 {
    if max_m <= 0.0 || !max_m.is_finite() {
        return 1.0;
    }
    let p = 10f64.powi(max_m.log10().floor() as i32);
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|l| *l <= max_m).unwrap_or(p)
}

fn length_label(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        let decimals = if km.fract().abs() < 1e-9 { 0 } else { 1 };
        format!("{} km", number_sv(km, decimals))
    } else {
        format!("{} m", number_sv(m, 0))
    }
}

fn draw_scale_bar(svg: &mut String, frame: &Frame, layout: &Layout) {
    let s = layout.s;
    let b = scale_bar_box(layout);
    let metres = nice_length(layout.map.w() * 0.25 / frame.scale);
    let len = metres * frame.scale;
    let (x0, bar_h, size) = (b.x0 + 14.0 * s, 8.0 * s, 15.0 * s);
    let label = length_label(metres);
    let box_w = len + 28.0 * s + text_width(&label, size, false) / 2.0;
    let bar_y = b.y1 - 16.0 * s - bar_h;
    let _ = writeln!(
        svg,
        "<g id=\"scale-bar\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"#ffffff\" \
         fill-opacity=\"0.85\" stroke=\"#b0b0b0\" stroke-width=\"{}\"/>",
        Px(b.x0),
        Px(b.y0),
        Px(box_w),
        Px(b.h()),
        Px(4.0 * s),
        Px(s.max(0.5))
    );
    for k in 0..4 {
        let fill = if k % 2 == 0 { "#1a1a1a" } else { "#ffffff" };
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#1a1a1a\" stroke-width=\"{}\"/>",
            Px(x0 + len * k as f64 / 4.0),
            Px(bar_y),
            Px(len / 4.0),
            Px(bar_h),
            Px((0.8 * s).max(0.5))
        );
    }
    let ty = bar_y - 7.0 * s;
    for (x, t) in [(x0, "0".to_string()), (x0 + len, label)] {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
            Px(x),
            Px(ty),
            Px(size),
            super::xml_escape(&t)
        );
    }
    svg.push_str("</g>\n");
}

fn draw_north_arrow(svg: &mut String, layout: &Layout) {
    let s = layout.s;
    let b = north_arrow_box(layout);
    let cx = (b.x0 + b.x1) / 2.0;
    let (top, bottom) = (b.y0 + 30.0 * s, b.y1 - 4.0 * s);
    let half = 11.0 * s;
    let _ = writeln!(
        svg,
        "<g id=\"north-arrow\">\n<path d=\"M{cx} {top}L{r} {bottom}L{cx} {mid}Z\" fill=\"#1a1a1a\"/>\n\
         <path d=\"M{cx} {top}L{l} {bottom}L{cx} {mid}Z\" fill=\"#ffffff\" stroke=\"#1a1a1a\" stroke-width=\"{sw}\" \
         stroke-linejoin=\"round\"/>\n<path d=\"M{cx} {top}L{r} {bottom}L{cx} {mid}Z\" fill=\"none\" \
         stroke=\"#1a1a1a\" stroke-width=\"{sw}\" stroke-linejoin=\"round\"/>",
        cx = Px(cx),
        top = Px(top),
        bottom = Px(bottom),
        mid = Px(bottom - 9.0 * s),
        l = Px(cx - half),
        r = Px(cx + half),
        sw = Px(s.max(0.5)),
    );
    halo_text(svg, cx, b.y0 + 22.0 * s, 22.0 * s, true, "middle", "#1a1a1a", "N");
    svg.push_str("</g>\n");
}

/// The largest size ≤ `size` at which `t` fits in `max_w`.
fn fit_size(t: &str, size: f64, bold: bool, max_w: f64) -> f64 {
    let w = text_width(t, size, bold);
    if w > max_w && w > 0.0 {
        (size * max_w / w).max(size * 0.5)
    } else {
        size
    }
}

fn draw_title(svg: &mut String, options: &MapOptions, layout: &Layout) {
    let s = layout.s;
    let max_w = layout.w - 2.0 * layout.margin;
    let size = fit_size(&options.title, 34.0 * s, true, max_w);
    let y = layout.margin + 34.0 * s;
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#111111\">{}</text>",
        Px(layout.margin),
        Px(y),
        Px(size),
        super::xml_escape(&options.title)
    );
    if !options.subtitle.trim().is_empty() {
        let size = fit_size(&options.subtitle, 19.0 * s, false, max_w);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#444444\">{}</text>",
            Px(layout.margin),
            Px(y + 33.0 * s),
            Px(size),
            super::xml_escape(&options.subtitle)
        );
    }
}

/// One legend row: a symbol to draw and one or two lines of text.
enum Swatch {
    Fill(&'static str),
    /// A gap zone of this class.
    Zone(&'static ZoneSymbol),
    Arena(KindSymbol),
    Dots,
    Grid,
    /// A round dot of this colour (changed child points).
    Point(&'static str),
    /// An arena mark of a scenario: `added` (a ring) or `closed` (a cross).
    Mark(&'static str),
}

struct Row {
    swatch: Swatch,
    text: String,
    gloss: Option<String>,
}

impl Row {
    fn new(swatch: Swatch, text: impl Into<String>, gloss: Option<&str>) -> Row {
        Row { swatch, text: text.into(), gloss: gloss.map(str::to_string) }
    }
}

/// A legend section: its heading, the heading's gloss, and its rows.
type Section = (&'static str, &'static str, Vec<Row>);

/// The legend of the gap map: gap score classes, gap zones, arenas and children.
fn gap_sections(scene: &Scene, classes: &GapClasses, child_mode: ChildMode) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();

    // Gap score classes, as every output shows them.
    let rows = classes.legend().into_iter().map(|e| Row::new(Swatch::Fill(e.colour), e.label, e.gloss)).collect();
    sections.push((words::SCORE_HEADING.0, words::SCORE_HEADING.1, rows));

    // Gap zones and labels.
    let mut rows: Vec<Row> =
        zones::ZONE_CLASSES.iter().map(|z| Row::new(Swatch::Zone(z), z.label.0, Some(z.label.1))).collect();
    let zone_children: f64 = scene.zones.iter().filter_map(|z| z.children).sum();
    if !scene.zones.is_empty() {
        rows.push(Row::new(
            Swatch::Fill("none"),
            format!("{} zoner, {}", number_sv(scene.zones.len() as f64, 0), words::children_label(zone_children)),
            Some("(zones, children in them)"),
        ));
    }
    rows.push(Row::new(Swatch::Fill("none"), words::WORST_LABEL.0, Some(words::WORST_LABEL.1)));
    sections.push((words::GAPS_HEADING.0, words::GAPS_HEADING.1, rows));

    let mut rows = arena_rows(scene, |_| true);
    match child_mode {
        ChildMode::Dots => rows.push(Row::new(Swatch::Dots, "Barn, där de bor", Some("(children, where they live)"))),
        ChildMode::Grid => rows.push(Row::new(Swatch::Grid, "Barn, täthet", Some("(children, density)"))),
        ChildMode::None => {}
    }
    sections.push((words::ARENAS_HEADING.0, words::ARENAS_HEADING.1, rows));
    sections
}

/// Every kind in table order with its count of the arenas that `count`; "other" only if there is one.
fn arena_rows(scene: &Scene, count: impl Fn(&Arena) -> bool) -> Vec<Row> {
    let mut counts = vec![0usize; scene.kinds.len()];
    let mut others = 0usize;
    for a in scene.arenas.iter().filter(|a| count(a)) {
        match a.kind {
            Some(k) => counts[k] += 1,
            None => others += 1,
        }
    }
    let mut rows = Vec::new();
    let kind_rows = scene.kinds.iter().zip(counts).chain((others > 0).then_some((&scene.other, others)));
    for (symbol, count) in kind_rows {
        let gloss = symbol.gloss().map(|en| format!("({en})"));
        rows.push(Row::new(
            Swatch::Arena(symbol.clone()),
            format!("{} ({count})", symbol.label_sv.trim()),
            gloss.as_deref(),
        ));
    }
    rows
}

/// Draws the legend panel: `sections`, sized to fit.
fn draw_legend(svg: &mut String, sections: &[Section], layout: &Layout) {
    let p = layout.panel;
    // Size everything to the panel: at the reference size it fits 1200 px high; shrink if the panel is shorter.
    let pad = 20.0;
    let (head, head_gloss, line, gloss_line, gap) = (21.0, 15.0, 19.0, 15.5, 18.0);
    let row_h = |r: &Row| if r.gloss.is_some() { line * 1.25 + gloss_line * 1.25 + 6.0 } else { line * 1.6 };
    let needed: f64 = 2.0 * pad
        + sections
            .iter()
            .map(|(_, _, rows)| head * 1.3 + head_gloss * 1.3 + 8.0 + rows.iter().map(row_h).sum::<f64>() + gap)
            .sum::<f64>();
    let mut k = layout.s;
    if needed * k > p.h() {
        k = p.h() / needed;
    }
    // Also keep the longest line inside the panel.
    let sw_w = 34.0;
    let widest = sections
        .iter()
        .flat_map(|(h, g, rows)| {
            [text_width(h, head, true), text_width(g, head_gloss, false)].into_iter().chain(rows.iter().map(|r| {
                sw_w + 12.0
                    + text_width(&r.text, line, false)
                        .max(r.gloss.as_deref().map_or(0.0, |g| text_width(g, gloss_line, false)))
            }))
        })
        .fold(0.0f64, f64::max);
    if (widest + 2.0 * pad) * k > p.w() {
        k = p.w() / (widest + 2.0 * pad);
    }

    let _ = writeln!(
        svg,
        "<g id=\"legend\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"#b0b0b0\" \
         stroke-width=\"{}\" rx=\"{}\"/>",
        Px(p.x0),
        Px(p.y0),
        Px(p.w()),
        Px(p.h()),
        Px(layout.s.max(0.5)),
        Px(4.0 * layout.s)
    );
    let x = p.x0 + pad * k;
    let mut y = p.y0 + pad * k;
    for (heading, heading_gloss, rows) in sections {
        y += head * 1.1 * k;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" fill=\"#111111\">{}</text>",
            Px(x),
            Px(y),
            Px(head * k),
            super::xml_escape(heading)
        );
        y += head_gloss * 1.3 * k;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#555555\">{}</text>",
            Px(x),
            Px(y),
            Px(head_gloss * k),
            super::xml_escape(heading_gloss)
        );
        y += (8.0 + head * 0.2) * k;
        for row in rows {
            let h = row_h(row) * k;
            let mid = y + (if row.gloss.is_some() { line * 1.25 } else { line * 1.6 }) * k / 2.0;
            draw_swatch(svg, &row.swatch, x, mid, sw_w * k, k, layout.s);
            let tx = x + (sw_w + 12.0) * k;
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#111111\">{}</text>",
                Px(tx),
                Px(mid + line * 0.35 * k),
                Px(line * k),
                super::xml_escape(&row.text)
            );
            if let Some(g) = &row.gloss {
                let _ = writeln!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"#555555\">{}</text>",
                    Px(tx),
                    Px(mid + line * 0.35 * k + gloss_line * 1.25 * k),
                    Px(gloss_line * k),
                    super::xml_escape(g)
                );
            }
            y += h;
        }
        y += gap * k;
    }
    svg.push_str("</g>\n");
}

fn draw_swatch(svg: &mut String, swatch: &Swatch, x: f64, mid: f64, w: f64, k: f64, s: f64) {
    let h = w * 0.62;
    match swatch {
        Swatch::Fill("none") => {}
        Swatch::Fill(colour) => {
            let _ = writeln!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\" stroke=\"#8c8c8c\" \
                 stroke-width=\"{}\"/>",
                Px(x),
                Px(mid - h / 2.0),
                Px(w),
                Px(h),
                Px((0.9 * k).max(0.4))
            );
        }
        Swatch::Zone(symbol) => {
            // On a light district fill, as a zone is seen on the map.
            let line = symbol.outline_mm * mm_px(k);
            let _ = writeln!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n<rect x=\"{x}\" y=\"{y}\" \
                 width=\"{w}\" height=\"{h}\" fill=\"url(#{})\" stroke=\"{}\" stroke-width=\"{line}\"/>",
                RAMP[1],
                hatch_id(symbol),
                symbol.outline.hex(),
                x = Px(x + line / 2.0),
                y = Px(mid - h / 2.0 + line / 2.0),
                w = Px(w - line),
                h = Px(h - line),
                line = Px(line),
            );
        }
        Swatch::Arena(symbol) => {
            let (mm, sw) = arena_size(k);
            let _ = writeln!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{NO_GAP_COLOUR}\"/>",
                Px(x),
                Px(mid - h / 2.0),
                Px(w),
                Px(h)
            );
            arena_symbol(svg, symbol, x + w / 2.0, mid, mm, sw);
        }
        Swatch::Point(colour) => {
            let r = (3.2 * s).max(1.5);
            let _ = writeln!(
                svg,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{colour}\"/>",
                Px(x + w / 2.0),
                Px(mid),
                Px(r)
            );
        }
        Swatch::Mark(status) => {
            let (mm, sw) = arena_size(k);
            change::draw_mark(svg, status, x + w / 2.0, mid, 2.2 * mm, sw);
        }
        Swatch::Dots => {
            let size = (2.6 * s).max(1.2);
            let mut d = String::new();
            for (dx, dy) in [(0.2, 0.3), (0.45, 0.65), (0.7, 0.25), (0.8, 0.7), (0.35, 0.5), (0.6, 0.45)] {
                let _ = write!(
                    d,
                    "M{} {}h{}v{}h-{}z",
                    Px(x + w * dx),
                    Px(mid - h / 2.0 + h * dy),
                    Px(size),
                    Px(size),
                    Px(size)
                );
            }
            let _ = writeln!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n\
                 <path fill=\"{CHILD_DOT_COLOUR}\" fill-opacity=\"0.6\" d=\"{d}\"/>",
                Px(x),
                Px(mid - h / 2.0),
                Px(w),
                Px(h),
                RAMP[0]
            );
        }
        Swatch::Grid => {
            for (i, o) in GRID_OPACITY.iter().enumerate() {
                let _ = writeln!(
                    svg,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{CHILD_DOT_COLOUR}\" fill-opacity=\"{o}\"/>",
                    Px(x + w * i as f64 / 4.0),
                    Px(mid - h / 2.0),
                    Px(w / 4.0),
                    Px(h)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Field, FieldType, GeometryKind};
    use geo::{polygon, Geometry, MultiPolygon};

    use crate::output::testing::TestLayer;

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: y),
            (x: x + size, y: y),
            (x: x + size, y: y + size),
            (x: x, y: y + size),
            (x: x, y: y),
        ]])
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// A small deterministic pseudo-random sequence (no rand dependency needed for the scene).
    fn lcg(state: &mut u64) -> f64 {
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*state >> 11) as f64) / ((1u64 << 53) as f64)
    }

    /// Six 3 km districts in a 3 × 2 grid in SWEREF 99 TM, two gap zones, eight arenas, `n_children` children.
    fn scene(n_children: usize) -> [TestLayer; 4] {
        let (x0, y0, d) = (315_000.0, 6_395_000.0, 3_000.0);
        let names = ["Bergsjön", "Västra Frölunda", "Angered Centrum", "Åby & Kärra", "Hisingen <Öst>", "Majorna"];
        let scores = [0.82, 0.35, 0.0, 0.12, 0.55, 0.04];
        let ranks = [1.0, 3.0, 6.0, 4.0, 2.0, 5.0];
        let district_fields = vec![
            Field::new("district_id", FieldType::Text),
            Field::new("district_name", FieldType::Text),
            Field::new("children", FieldType::Real),
            Field::new("gap_score", FieldType::Real),
            Field::new("gap_rank", FieldType::Integer),
            Field::new("coverage_share", FieldType::Real),
            Field::new("has_familjecentral", FieldType::Bool),
        ];
        let districts = (0..6)
            .map(|i| {
                let (cx, cy) = (x0 + (i % 3) as f64 * d, y0 + (i / 3) as f64 * d);
                (
                    Geometry::MultiPolygon(square(cx, cy, d)),
                    vec![
                        t(&format!("D{i}")),
                        t(names[i]),
                        Value::Number(400.0 + 100.0 * i as f64),
                        Value::Number(scores[i]),
                        Value::Number(ranks[i]),
                        Value::Number(1.0 - scores[i]),
                        Value::Bool(i % 2 == 0),
                    ],
                )
            })
            .collect();
        let gaps = vec![
            (
                Geometry::MultiPolygon(square(x0 + 600.0, y0 + 700.0, 1_600.0)),
                vec![Value::Number(1.0), Value::Number(1080.0), Value::Number(1.0)],
            ),
            (
                Geometry::Polygon(polygon![
                    (x: x0 + 6_400.0, y: y0 + 3_500.0),
                    (x: x0 + 8_200.0, y: y0 + 3_800.0),
                    (x: x0 + 8_000.0, y: y0 + 5_400.0),
                    (x: x0 + 6_700.0, y: y0 + 5_000.0),
                    (x: x0 + 6_400.0, y: y0 + 3_500.0),
                ]),
                vec![Value::Number(2.0), Value::Number(312.4), Value::Number(5.0)],
            ),
        ];
        let kinds = ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"];
        let arenas = (0..8)
            .map(|i| {
                let (x, y) = (x0 + 1_000.0 + (i % 4) as f64 * 2_100.0, y0 + 1_500.0 + (i / 4) as f64 * 3_000.0 + 400.0);
                (Geometry::Point(Point::new(x, y)), vec![t(&format!("Arena {i}")), t(kinds[i % 4])])
            })
            .collect();
        let mut state = 42u64;
        let children = (0..n_children)
            .map(|_| {
                let p = Point::new(x0 + lcg(&mut state) * 3.0 * d, y0 + lcg(&mut state) * 2.0 * d);
                (Geometry::Point(p), vec![Value::Number(1.0 + (lcg(&mut state) * 3.0).floor())])
            })
            .collect();
        [
            TestLayer::from_rows("districts", GeometryKind::MultiPolygon, district_fields, districts),
            TestLayer::from_rows(
                "gaps",
                GeometryKind::MultiPolygon,
                vec![
                    Field::new("zone_id", FieldType::Integer),
                    Field::new("children", FieldType::Real),
                    Field::new("gap_rank", FieldType::Integer),
                ],
                gaps,
            ),
            TestLayer::from_rows(
                "arenas",
                GeometryKind::Point,
                vec![Field::new("name", FieldType::Text), Field::new("kind", FieldType::Text)],
                arenas,
            ),
            TestLayer::from_rows(
                "children",
                GeometryKind::Point,
                vec![Field::new("children", FieldType::Real)],
                children,
            ),
        ]
    }

    fn options() -> MapOptions {
        MapOptions {
            title: "Glapp i tillgång till familjearenor – Göteborg (test)".into(),
            subtitle: "Syntetiska data · radie 1 000 m · SWEREF 99 TM".into(),
            ..MapOptions::default()
        }
    }

    fn render(dir: &Path, layers: &[TestLayer; 4], options: &MapOptions, stem: &str) -> (Vec<u8>, String) {
        let png = dir.join(format!("{stem}.png"));
        let svg = dir.join(format!("{stem}.svg"));
        let [d, g, a, c] = layers;
        render_map(&png, Some(&svg), d, g, a, c, options).unwrap();
        (std::fs::read(&png).unwrap(), std::fs::read_to_string(&svg).unwrap())
    }

    #[test]
    fn map_renders_a_readable_deterministic_png() {
        let dir = tempfile::tempdir().unwrap();
        let layers = scene(500);
        let options = options();
        let (png1, svg1) = render(dir.path(), &layers, &options, "a");
        let (png2, svg2) = render(dir.path(), &layers, &options, "b");
        assert_eq!(png1, png2, "same input, same PNG bytes");
        assert_eq!(svg1, svg2, "same input, same SVG");
        assert!(!dir.path().join("a.png.partial").exists());
        let _ = std::fs::write("/tmp/arenagap-map-test.png", &png1);
        let _ = std::fs::write("/tmp/arenagap-map-test.svg", &svg1);

        let pixmap = tiny_skia::Pixmap::decode_png(&png1).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (options.width, options.height));
        let first = pixmap.pixels()[0];
        assert!(pixmap.pixels().iter().any(|p| *p != first), "not a single colour");
        // The darkest ramp colour (worst district) is on the map.
        assert!(pixmap.pixels().iter().any(|p| (p.red(), p.green(), p.blue()) == (0xbd, 0x00, 0x26)));

        // Everything the legend and labels promise is in the document, escaped.
        for needle in [
            "Familjecentral",
            "(family centre)",
            "Öppen förskola",
            "(open preschool)",
            "Bibliotek",
            "(library)",
            "Bemannad lekplats",
            "(staffed playground)",
            "1. Bergsjön",
            "2. Hisingen &lt;Öst&gt;",
            "3. Västra Frölunda",
            "1\u{a0}080 barn",
            "312 barn",
            "id=\"scale-bar\"",
        ] {
            assert!(svg1.contains(needle), "SVG lacks {needle:?}");
        }
        assert!(!svg1.contains("Angered Centrum"), "only the three worst districts are named");
        assert!(svg1.contains("Familjecentral (2)") && svg1.contains("Bemannad lekplats (2)"), "counts per kind");
        assert!(!svg1.contains("Annan arena"), "no other row when every kind is known");
        // Zones as the QGIS gaps style draws them: rank 1 as a largest gap, rank 5 as another, both hatched.
        let gaps = &svg1[svg1.find("<g id=\"gaps\"").unwrap()..];
        let gaps = &gaps[..gaps.find("</g>").unwrap()];
        let strokes: Vec<&str> =
            gaps.match_indices(" stroke=\"").map(|(i, m)| &gaps[i + m.len()..i + m.len() + 7]).collect();
        assert_eq!(strokes, [zones::LARGEST.outline.hex(), zones::OTHER.outline.hex()]);
        assert!(gaps.contains("url(#zone-hatch-largest)") && gaps.contains("url(#zone-hatch-other)"));
        assert!(
            svg1.contains("<pattern id=\"zone-hatch-largest\"") && svg1.contains("patternTransform=\"rotate(-45)\"")
        );
        for z in zones::ZONE_CLASSES {
            assert!(
                svg1.contains(&crate::output::xml_escape(z.label.0)) && svg1.contains(z.label.1),
                "legend row {:?}",
                z.label
            );
        }
    }

    /// The `<g id="arenas">` group's symbols: (element, fill), in drawing order.
    fn arena_symbols(svg: &str) -> Vec<(String, String)> {
        let group = &svg[svg.find("<g id=\"arenas\">").unwrap()..];
        let group = &group[..group.find("</g>").unwrap()];
        group
            .lines()
            .skip(1)
            .map(|l| {
                let element = l[1..l.find(' ').unwrap()].to_string();
                let fill = l[l.find("fill=\"").unwrap() + 6..].split('"').next().unwrap().to_string();
                (element, fill)
            })
            .collect()
    }

    /// Arenas at one point are set around it on a ring, as QGIS's point displacement renderer does: none hides
    /// another, each one symbol diagonal from its neighbours at least, and the ring is drawn.
    #[test]
    fn arenas_at_one_point_are_drawn_side_by_side() {
        let mut layers = scene(100);
        let (x, y) = (315_000.0 + 3_000.0, 6_395_000.0 + 3_000.0);
        for kind in ["familjecentral", "oppen_forskola", "bibliotek"] {
            layers[2].geometries.push(Geometry::Point(Point::new(x, y)));
            layers[2].rows.push(vec![t("shared"), t(kind)]);
        }
        let kinds = symbology::kind_symbols(&Kinds::defaults());
        let scene = Scene::read(&layers[0], &layers[1], &layers[2], &kinds);
        let area = PxRect { x0: 0.0, y0: 0.0, x1: 1000.0, y1: 1000.0 };
        let frame = Frame::fit(scene.extent().unwrap(), area, 10.0);
        let (mm, _) = arena_size(1.0);
        let placed = place_arenas(&scene, &frame, mm);
        let shared: Vec<(f64, f64)> = placed.at[placed.at.len() - 3..].to_vec();
        let centre = frame.px(Point::new(x, y).0);
        assert_eq!(placed.rings.len(), 1);
        assert_eq!((placed.rings[0].0, placed.rings[0].1), centre);
        let diagonal = 2.0 * symbol_half(&kinds[0], mm) * std::f64::consts::SQRT_2;
        for (i, a) in shared.iter().enumerate() {
            let from_centre = (a.0 - centre.0).hypot(a.1 - centre.1);
            assert!((from_centre - diagonal / 2.0).abs() < 1e-9, "on the ring: {from_centre}");
            for b in &shared[i + 1..] {
                assert!((a.0 - b.0).hypot(a.1 - b.1) >= diagonal / 2.0 * 3f64.sqrt() - 1e-9, "apart");
            }
        }
        // The first straight below the point, as QGIS places it.
        assert!((shared[0].0 - centre.0).abs() < 1e-9 && shared[0].1 > centre.1);
        // Every other arena stays where it is.
        for (a, p) in scene.arenas.iter().zip(&placed.at).take(placed.at.len() - 3) {
            assert_eq!(*p, frame.px(a.at.0));
        }
        let dir = tempfile::tempdir().unwrap();
        let (_, svg) = render(dir.path(), &layers, &options(), "shared");
        assert!(svg.contains(&format!("fill=\"none\" stroke=\"{RING_COLOUR}\"")), "the ring is drawn");
    }

    #[test]
    fn an_added_kind_has_its_symbol_and_legend_row_and_unknown_kinds_are_other() {
        use crate::model::kinds::{KindEdit, Shape};
        let mut kinds = Kinds::defaults();
        let edit =
            KindEdit { label_sv: Some("Lekplats".into()), label_en: Some("playground".into()), ..Default::default() };
        kinds.upsert("lekplats", edit).unwrap();
        for id in ["bvc", "museum", "simhall"] {
            kinds.upsert(id, KindEdit::default()).unwrap();
        }
        let symbols = symbology::kind_symbols(&kinds);
        let shapes: Vec<Shape> = symbols[4..].iter().map(|s| s.shape).collect();
        assert_eq!(shapes, [Shape::Diamond, Shape::Pentagon, Shape::Hexagon, Shape::Cross], "every shape is used");
        let options = MapOptions { kinds: symbols, ..options() };

        let mut layers = scene(500);
        let (x0, y0) = (315_000.0, 6_395_000.0);
        let mut add = |x: f64, y: f64, kind: &str| {
            layers[2].geometries.push(Geometry::Point(Point::new(x0 + x, y0 + y)));
            layers[2].rows.push(vec![t("extra"), t(kind)]);
        };
        add(2_000.0, 2_600.0, "lekplats");
        add(4_400.0, 2_600.0, "LEKPLATS");
        add(5_600.0, 4_900.0, "Lekplats");
        add(7_600.0, 1_000.0, "Öppen förskola"); // a label matches its kind too
        add(3_000.0, 4_200.0, "museum");
        add(4_000.0, 4_200.0, "simhall");
        let dir = tempfile::tempdir().unwrap();
        let (png, svg) = render(dir.path(), &layers, &options, "kinds");
        let _ = std::fs::write("/tmp/arenagap-map-kinds-test.png", &png);
        for needle in
            ["Lekplats (3)", "(playground)", "Öppen förskola (3)", "Familjecentral (2)", "bvc (0)", "simhall (1)"]
        {
            assert!(svg.contains(needle), "SVG lacks {needle:?}");
        }
        assert!(!svg.contains("(bvc)"), "a kind without labels has no gloss");
        assert!(!svg.contains("Annan arena"));
        let drawn = arena_symbols(&svg);
        assert_eq!(drawn.len(), 14);
        // Reverse table order: the added kind at the bottom, family centres (stars, a path) on top.
        assert_eq!(drawn[0], ("path".to_string(), "#56b4e9".to_string()), "the last kind (simhall) first");
        assert_eq!(drawn[2..5], vec![("path".to_string(), "#d55e00".to_string()); 3][..]);
        assert_eq!(drawn[drawn.len() - 1], ("path".to_string(), "#08519c".to_string()));
        assert_eq!(drawn.iter().filter(|d| d.0 == "circle").count(), 3, "open preschools are circles");

        // An arena of a kind not in the table is an "other arena", drawn first (at the bottom) with its own row.
        layers[2].geometries.push(Geometry::Point(Point::new(x0 + 8_000.0, y0 + 2_000.0)));
        layers[2].rows.push(vec![t("Skolan"), t("skola")]);
        let (png, svg) = render(dir.path(), &layers, &options, "other");
        let _ = std::fs::write("/tmp/arenagap-map-other-test.png", &png);
        assert!(svg.contains("Annan arena (1)") && svg.contains("(other arena)"));
        assert_eq!(arena_symbols(&svg)[0], ("circle".to_string(), KindSymbol::other().colour.hex()));
    }

    #[test]
    fn every_shape_is_drawn_within_its_size() {
        for shape in crate::model::kinds::Shape::ALL {
            let symbol = KindSymbol { shape, ..KindSymbol::of(&Kinds::defaults().as_slice()[0]) };
            let mut svg = String::new();
            arena_symbol(&mut svg, &symbol, 100.0, 100.0, 4.0, 1.5);
            let half = symbol.size_mm() / 2.0 * 4.0;
            let geometry = &svg[..svg.find("fill=").unwrap()];
            let numbers: Vec<f64> = geometry
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter_map(|n| n.parse().ok())
                .filter(|n| *n > 10.0)
                .collect();
            assert!(!numbers.is_empty(), "{shape:?}: {svg}");
            if shape != crate::model::kinds::Shape::Circle {
                assert!(svg.starts_with("<path d=\"M"), "{shape:?}: {svg}");
                assert!(numbers.iter().all(|n| (*n - 100.0).abs() <= half + 0.05), "{shape:?}: {svg}");
            }
        }
    }

    #[test]
    fn a_hundred_detailed_districts_render_quickly() {
        // 100 districts of 400 vertices each, 40 zones, 200 arenas, 40 000 children.
        let mut layers = scene(40_000);
        let ring = |cx: f64, cy: f64, r: f64, n: usize| {
            let mut pts: Vec<(f64, f64)> = (0..n)
                .map(|k| {
                    let a = k as f64 / n as f64 * std::f64::consts::TAU;
                    let wobble = 1.0 + 0.08 * (a * 7.0).sin();
                    (cx + r * wobble * a.cos(), cy + r * wobble * a.sin())
                })
                .collect();
            pts.push(pts[0]);
            MultiPolygon(vec![Polygon::new(pts.into(), vec![])])
        };
        let template = layers[0].rows[0].clone();
        let districts: Vec<(Geometry<f64>, Vec<Value>)> = (0..100)
            .map(|i| {
                let (cx, cy) = (315_000.0 + (i % 10) as f64 * 1_000.0, 6_395_000.0 + (i / 10) as f64 * 1_000.0);
                let mut v = template.clone();
                v[3] = Value::Number((i % 7) as f64 * 0.1);
                v[4] = Value::Number(i as f64 + 1.0);
                (Geometry::MultiPolygon(ring(cx, cy, 520.0, 400)), v)
            })
            .collect();
        (layers[0].geometries, layers[0].rows) = districts.into_iter().unzip();
        let zone_template = layers[1].rows[0].clone();
        let zones: Vec<(Geometry<f64>, Vec<Value>)> = (0..40)
            .map(|i| {
                let (cx, cy) = (315_000.0 + (i % 8) as f64 * 1_200.0, 6_395_000.0 + (i / 8) as f64 * 1_900.0);
                (Geometry::MultiPolygon(ring(cx, cy, 300.0, 60)), zone_template.clone())
            })
            .collect();
        (layers[1].geometries, layers[1].rows) = zones.into_iter().unzip();
        let (geometries, rows) = (layers[2].geometries.clone(), layers[2].rows.clone());
        layers[2].geometries = (0..200).map(|i| geometries[i % geometries.len()].clone()).collect();
        layers[2].rows = (0..200).map(|i| rows[i % rows.len()].clone()).collect();
        let dir = tempfile::tempdir().unwrap();
        let start = std::time::Instant::now();
        let (png, _) = render(dir.path(), &layers, &options(), "big");
        let took = start.elapsed();
        eprintln!("100 districts rendered in {took:?} ({} bytes)", png.len());
        // Loose bound: this is an unoptimised test build on a shared machine.
        assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    }

    #[test]
    fn many_children_are_drawn_as_a_density_grid() {
        let dir = tempfile::tempdir().unwrap();
        let layers = scene(CHILD_DOT_LIMIT + 10);
        let options = MapOptions { width: 800, height: 600, ..options() };
        let (png, svg) = render(dir.path(), &layers, &options, "grid");
        assert!(svg.contains("Barn, täthet"));
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (800, 600));
    }

    #[test]
    fn empty_layers_still_give_a_picture_and_bad_sizes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let empty = |name| TestLayer::from_rows(name, GeometryKind::Point, vec![], vec![]);
        let layers = [empty("districts"), empty("gaps"), empty("arenas"), empty("children")];
        let (png, svg) = render(dir.path(), &layers, &MapOptions::default(), "empty");
        assert!(svg.contains("no map data"));
        assert!(tiny_skia::Pixmap::decode_png(&png).is_ok());
        let [d, g, a, c] = &layers;
        let bad = MapOptions { width: 10, ..MapOptions::default() };
        assert!(render_map(&dir.path().join("x.png"), None, d, g, a, c, &bad).is_err());
        assert!(!dir.path().join("x.png").exists());
    }

    #[test]
    fn a_failed_write_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let layers = scene(10);
        let [d, g, a, c] = &layers;
        let png = dir.path().join("no-such-dir").join("map.png");
        let err = render_map(&png, None, d, g, a, c, &options()).unwrap_err();
        assert!(matches!(err, Error::Write { .. }), "{err}");
    }

    #[test]
    fn lengths_are_round() {
        assert_eq!(nice_length(2_700.0), 2_000.0);
        assert_eq!(nice_length(9_999.0), 5_000.0);
        assert_eq!(nice_length(640.0), 500.0);
        assert_eq!(length_label(5_000.0), "5 km");
        assert_eq!(length_label(500.0), "500 m");
        assert_eq!(Px(-0.04).to_string(), "0");
        assert_eq!(Px(12.34).to_string(), "12.3");
        assert_eq!(Px(-3.0).to_string(), "-3");
    }
}
