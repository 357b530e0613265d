//! GeoJSON geometry objects, decoded into `geo` types as the file is parsed.
//!
//! The rules and the words are those of the geojson crate (1.0), through which the reader went before it read
//! as a stream, so that the same geometries are read and the same ones refused, with the same message: which
//! combinations of `type`, `coordinates` and `geometries` make a geometry, how the nesting of `coordinates` is
//! told from its first element, and (the reader's own rule) that every position has at least x and y. A third
//! number (the height) and any further ones are read and dropped.

use std::marker::PhantomData;

use geo::Coord;
use serde::de::{MapAccess, SeqAccess, Unexpected};

use super::json::{
    invalid_type, invalid_value, map_value, missing_field, skip_seq, unexpected, unknown_variant, Decoded, MemberName,
    Number, Skip, Total, Visit,
};

/// A feature's `geometry` member: `null` (no geometry), a geometry, or what is wrong with it.
pub(super) struct GeometryMember;

/// A geometry as read, and how many of its rings were not closed (their last position not their first): RFC 7946
/// requires closed rings; such rings are closed as they are read, and the count is kept for a warning.
pub(super) type Read = (geo::Geometry<f64>, usize);

impl<'de> Total<'de> for GeometryMember {
    type Value = Decoded<Option<Read>>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, EXPECTING))
    }

    fn null(self) -> Self::Value {
        Ok(None)
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(object(map)?.and_then(|geometry| {
            geometry.check_positions()?;
            let unclosed = geometry.unclosed_rings();
            Ok(Some((geometry.into_geo(), unclosed)))
        }))
    }
}

/// What serde says a geometry should have been.
const EXPECTING: &str = "Geometry object";

/// The geometry types, in the order the geojson crate declares them (its messages list them so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
    GeometryCollection,
}

/// The names of [`Kind`], in its order.
const KINDS: &[&str] =
    &["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"];

impl Kind {
    /// The kind a `type` names, or serde's message for an unknown one.
    fn from_name(name: &str) -> Decoded<Kind> {
        Ok(match name {
            "Point" => Kind::Point,
            "LineString" => Kind::LineString,
            "Polygon" => Kind::Polygon,
            "MultiPoint" => Kind::MultiPoint,
            "MultiLineString" => Kind::MultiLineString,
            "MultiPolygon" => Kind::MultiPolygon,
            "GeometryCollection" => Kind::GeometryCollection,
            _ => return Err(unknown_variant(name, KINDS)),
        })
    }

    /// The kind's name.
    fn name(self) -> &'static str {
        KINDS[self as usize]
    }
}

/// The first position of a geometry that has fewer than two numbers: its numbers.
type Short = Option<Vec<f64>>;

/// Coordinates as they nest: a position, a list of positions, of lists, of lists of lists. A position with fewer
/// than two numbers is held as NaN and recorded in `short`: any geometry holding one is refused.
#[derive(Debug)]
struct Coordinates {
    nest: Nest,
    short: Short,
}

#[derive(Debug)]
enum Nest {
    Zero(Coord<f64>),
    One(Vec<Coord<f64>>),
    Two(Vec<Vec<Coord<f64>>>),
    Three(Vec<Vec<Vec<Coord<f64>>>>),
}

impl Nest {
    /// How deep the positions nest, as the geojson crate counts it.
    fn dimensions(&self) -> u8 {
        match self {
            Nest::Zero(_) => 0,
            Nest::One(_) => 1,
            Nest::Two(_) => 2,
            Nest::Three(_) => 3,
        }
    }
}

/// A geometry that passed the checks on its members, and the first short position in it.
#[derive(Debug)]
struct Geometry {
    shape: Shape,
    short: Short,
}

#[derive(Debug)]
enum Shape {
    Point(Coord<f64>),
    MultiPoint(Vec<Coord<f64>>),
    LineString(Vec<Coord<f64>>),
    MultiLineString(Vec<Vec<Coord<f64>>>),
    Polygon(Vec<Vec<Coord<f64>>>),
    MultiPolygon(Vec<Vec<Vec<Coord<f64>>>>),
    Collection(Vec<Geometry>),
}

impl Geometry {
    /// Every position has at least two numbers (x and y), or the message naming the first that has not.
    fn check_positions(&self) -> Decoded<()> {
        if let Some(p) = &self.short {
            return Err(format!(
                "a position has {} number(s), [{}]; a position needs at least two, [x, y]",
                p.len(),
                p.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
            ));
        }
        match &self.shape {
            Shape::Collection(geometries) => geometries.iter().try_for_each(Geometry::check_positions),
            _ => Ok(()),
        }
    }

    /// How many polygon rings do not end where they start (an empty ring is not counted: it is reported as
    /// empty).
    fn unclosed_rings(&self) -> usize {
        let open = |ring: &Vec<Coord<f64>>| ring.first().is_some_and(|first| ring.last() != Some(first));
        match &self.shape {
            Shape::Polygon(rings) => rings.iter().filter(|r| open(r)).count(),
            Shape::MultiPolygon(polygons) => polygons.iter().flatten().filter(|r| open(r)).count(),
            Shape::Collection(geometries) => geometries.iter().map(Geometry::unclosed_rings).sum(),
            _ => 0,
        }
    }

    /// The `geo` geometry, as the geojson crate converts it (a polygon's first ring is its exterior, rings closed).
    fn into_geo(self) -> geo::Geometry<f64> {
        fn line(coords: Vec<Coord<f64>>) -> geo::LineString<f64> {
            geo::LineString(coords)
        }
        fn polygon(rings: Vec<Vec<Coord<f64>>>) -> geo::Polygon<f64> {
            let mut rings = rings.into_iter().map(line);
            let exterior = rings.next().unwrap_or_else(|| line(Vec::new()));
            geo::Polygon::new(exterior, rings.collect())
        }
        match self.shape {
            Shape::Point(c) => geo::Geometry::Point(geo::Point(c)),
            Shape::MultiPoint(c) => geo::Geometry::MultiPoint(geo::MultiPoint(c.into_iter().map(geo::Point).collect())),
            Shape::LineString(c) => geo::Geometry::LineString(line(c)),
            Shape::MultiLineString(c) => {
                geo::Geometry::MultiLineString(geo::MultiLineString(c.into_iter().map(line).collect()))
            }
            Shape::Polygon(c) => geo::Geometry::Polygon(polygon(c)),
            Shape::MultiPolygon(c) => {
                geo::Geometry::MultiPolygon(geo::MultiPolygon(c.into_iter().map(polygon).collect()))
            }
            Shape::Collection(g) => geo::Geometry::GeometryCollection(geo::GeometryCollection(
                g.into_iter().map(Geometry::into_geo).collect(),
            )),
        }
    }
}

/// The members of a geometry object that mean something.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    Type,
    Coordinates,
    Geometries,
    Bbox,
    Other,
}

/// The members of a geometry object that mean something, by name.
const MEMBERS: MemberName<Member> = MemberName {
    names: &[
        ("type", Member::Type),
        ("coordinates", Member::Coordinates),
        ("geometries", Member::Geometries),
        ("bbox", Member::Bbox),
    ],
    other: Member::Other,
};

/// A geometry object, checked as the geojson crate checks one (nested geometries of a collection included), but
/// not yet for short positions: the crate's conversion to `geo` checked those over the whole geometry after.
///
/// A member given twice counts once, with its last value, at the place it first had (as in a JSON value); the
/// first member that is wrong, in that order, is what is wrong with the geometry.
fn object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Geometry>, A::Error> {
    let mut kind: Option<Decoded<Kind>> = None;
    let mut coordinates: Option<Decoded<Option<Coordinates>>> = None;
    let mut geometries: Option<Decoded<Option<Vec<Geometry>>>> = None;
    let mut bbox: Option<Decoded<()>> = None;
    // The members that mean something, in the order they first come (each once: there are four).
    let mut order = [Member::Other; 4];
    let mut seen = 0;
    while let Some(member) = map.next_key_seed(Visit(MEMBERS))? {
        match member {
            Member::Type => kind = Some(map.next_value_seed(Visit(KindValue))?),
            Member::Coordinates => coordinates = Some(map.next_value_seed(Visit(CoordinatesValue))?),
            Member::Geometries => geometries = Some(map.next_value_seed(Visit(GeometriesValue))?),
            Member::Bbox => bbox = Some(map.next_value_seed(Visit(BboxValue))?),
            Member::Other => map.next_value_seed(Visit(Skip))?,
        }
        if member != Member::Other && !order[..seen].contains(&member) {
            order[seen] = member;
            seen += 1;
        }
    }
    for &member in &order[..seen] {
        let error = match member {
            Member::Type => kind.as_ref().and_then(|k| k.as_ref().err()),
            Member::Coordinates => coordinates.as_ref().and_then(|c| c.as_ref().err()),
            Member::Geometries => geometries.as_ref().and_then(|g| g.as_ref().err()),
            Member::Bbox => bbox.as_ref().and_then(|b| b.as_ref().err()),
            Member::Other => None,
        };
        if let Some(e) = error {
            return Ok(Err(e.clone()));
        }
    }
    let Some(Ok(kind)) = kind else {
        return Ok(Err(missing_field("type")));
    };
    let coordinates = coordinates.and_then(Result::ok).flatten();
    let geometries = geometries.and_then(Result::ok).flatten();
    Ok(combine(kind, coordinates, geometries))
}

/// The geometry that a type, coordinates and geometries make, or the geojson crate's message for why they make
/// none.
fn combine(kind: Kind, coordinates: Option<Coordinates>, geometries: Option<Vec<Geometry>>) -> Decoded<Geometry> {
    let dimensions = |kind: Kind, nest: &Nest| {
        format!(
            "Encountered geometry type: `{}` with unexpected coordinates dimensions: {}",
            kind.name(),
            nest.dimensions()
        )
    };
    let too_short = |n: usize| format!("A position must contain two or more elements, but got `{n}`");
    match (kind, coordinates, geometries) {
        (Kind::GeometryCollection, _, Some(geometries)) => {
            Ok(Geometry { shape: Shape::Collection(geometries), short: None })
        }
        (Kind::GeometryCollection, _, None) => Err("Encountered GeometryCollection with no `geometries` key".into()),
        (kind, Some(Coordinates { nest, short }), None) => {
            let shape = match (kind, nest) {
                (Kind::Point, Nest::Zero(c)) => match short {
                    Some(p) => return Err(too_short(p.len())),
                    None => Shape::Point(c),
                },
                (Kind::Point, Nest::One(c)) if c.is_empty() => return Err(too_short(0)),
                (Kind::LineString, Nest::One(c)) => Shape::LineString(c),
                (Kind::Polygon, Nest::Two(c)) => Shape::Polygon(c),
                (Kind::Polygon, Nest::One(c)) if c.is_empty() => Shape::Polygon(Vec::new()),
                (Kind::MultiPoint, Nest::One(c)) => Shape::MultiPoint(c),
                (Kind::MultiLineString, Nest::Two(c)) => Shape::MultiLineString(c),
                (Kind::MultiLineString, Nest::One(c)) if c.is_empty() => Shape::MultiLineString(Vec::new()),
                (Kind::MultiPolygon, Nest::Three(c)) => Shape::MultiPolygon(c),
                (Kind::MultiPolygon, Nest::One(c)) if c.is_empty() => Shape::MultiPolygon(Vec::new()),
                // `[[]]`, `[[], []]`: parts without rings, empty as `[]` is for a Polygon (and warned of so).
                (Kind::MultiPolygon, Nest::Two(c)) if c.iter().all(Vec::is_empty) => {
                    Shape::MultiPolygon(c.into_iter().map(|_| Vec::new()).collect())
                }
                (kind, nest) => return Err(dimensions(kind, &nest)),
            };
            Ok(Geometry { shape, short })
        }
        (kind, Some(Coordinates { nest, .. }), Some(_)) => Err(dimensions(kind, &nest)),
        (kind, None, _) => Err(format!("Encountered geometry type: `{}` with no `coordinates` key", kind.name())),
    }
}

/// A geometry's `type`: a name, or (as serde reads an enum from a JSON value) an object with the name as its one
/// key and `null` as its value.
struct KindValue;

impl<'de> Total<'de> for KindValue {
    type Value = Decoded<Kind>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, "string or map"))
    }

    fn text(self, name: &str) -> Self::Value {
        Kind::from_name(name)
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let serde_json::Value::Object(object) = map_value(map)? else {
            return Ok(Err(invalid_value(Unexpected::Map, "map with a single key")));
        };
        let mut entries = object.iter();
        Ok(match (entries.next(), entries.next()) {
            (Some((name, value)), None) => Kind::from_name(name).and_then(|kind| match value {
                serde_json::Value::Null => Ok(kind),
                other => Err(invalid_type(unexpected(other), "unit")),
            }),
            _ => Err(invalid_value(Unexpected::Map, "map with a single key")),
        })
    }
}

/// What a coordinate element says about the nesting: a number (a position's), or nested coordinates.
enum Element {
    Number(f64),
    Nested(Coordinates),
}

/// What serde says a coordinate element should have been.
const ELEMENT: &str = "a coordinate element (number or array)";

/// A geometry's `coordinates`: `null` (as if there were none), or coordinates nested as their first elements say.
struct CoordinatesValue;

impl<'de> Total<'de> for CoordinatesValue {
    type Value = Decoded<Option<Coordinates>>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, ELEMENT))
    }

    fn null(self) -> Self::Value {
        Ok(None)
    }

    fn number(self, _: Number) -> Self::Value {
        Err("expected array, got number".into())
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(nested(seq)?.map(Some))
    }
}

/// The first element of an array of coordinates: it decides how deep the array nests.
struct ElementValue;

impl<'de> Total<'de> for ElementValue {
    type Value = Decoded<Element>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, ELEMENT))
    }

    fn number(self, value: Number) -> Self::Value {
        Ok(Element::Number(value.as_f64()))
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(nested(seq)?.map(Element::Nested))
    }
}

/// An array of coordinates: its first element tells a position (a number) from a list of positions (a position)
/// and so on; the rest must then be of the same kind. `[]` is an empty list of positions.
fn nested<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Decoded<Coordinates>, A::Error> {
    let first = match seq.next_element_seed(Visit(ElementValue))? {
        None => return Ok(Ok(Coordinates { nest: Nest::One(Vec::new()), short: None })),
        Some(Err(e)) => {
            skip_seq(seq)?;
            return Ok(Err(e));
        }
        Some(Ok(first)) => first,
    };
    Ok(match first {
        Element::Number(x) => position(seq, Some(x))?.map(|(c, short)| Coordinates { nest: Nest::Zero(c), short }),
        Element::Nested(Coordinates { nest, mut short }) => match nest {
            Nest::Zero(c) => rest::<Position, A>(seq, c, &mut short)?.map(Nest::One),
            Nest::One(c) => rest::<List<Position>, A>(seq, c, &mut short)?.map(Nest::Two),
            Nest::Two(c) => rest::<List<List<Position>>, A>(seq, c, &mut short)?.map(Nest::Three),
            Nest::Three(_) => {
                skip_seq(seq)?;
                Err("coordinate nesting too deep".into())
            }
        }
        .map(|nest| Coordinates { nest, short }),
    })
}

/// The rest of a list whose first item is `first`, every item read as a `L`.
fn rest<'de, L: Level, A: SeqAccess<'de>>(
    mut seq: A,
    first: L::Item,
    short: &mut Short,
) -> Result<Decoded<Vec<L::Item>>, A::Error> {
    let mut items = vec![first];
    loop {
        match seq.next_element_seed(Visit(LevelValue::<L> { short: &mut *short, level: PhantomData }))? {
            None => return Ok(Ok(items)),
            Some(Ok(item)) => items.push(item),
            Some(Err(e)) => {
                skip_seq(seq)?;
                return Ok(Err(e));
            }
        }
    }
}

/// The numbers of a position (after `first`, when it was read already): x and y, and the numbers themselves
/// when there are fewer than two.
fn position<'de, A: SeqAccess<'de>>(mut seq: A, first: Option<f64>) -> Result<Decoded<(Coord<f64>, Short)>, A::Error> {
    let mut xy = [f64::NAN; 2];
    let mut n = 0;
    if let Some(x) = first {
        xy[0] = x;
        n = 1;
    }
    loop {
        match seq.next_element_seed(Visit(NumberValue))? {
            None => break,
            Some(Ok(v)) => {
                if let Some(slot) = xy.get_mut(n) {
                    *slot = v;
                }
                n += 1;
            }
            Some(Err(e)) => {
                skip_seq(seq)?;
                return Ok(Err(e));
            }
        }
    }
    let short = (n < 2).then(|| xy[..n].to_vec());
    Ok(Ok((Coord { x: xy[0], y: xy[1] }, short)))
}

/// A level of coordinates read as one fixed type, as the geojson crate reads the elements after the first: a
/// position, a list of positions, a list of lists of positions.
trait Level {
    /// What one item of this level is.
    type Item;

    /// An item, from its array; a short position in it is recorded in `short` unless one was found before.
    fn seq<'de, A: SeqAccess<'de>>(seq: A, short: &mut Short) -> Result<Decoded<Self::Item>, A::Error>;
}

/// A position: `[x, y]`, `[x, y, z]`, ...
struct Position;

impl Level for Position {
    type Item = Coord<f64>;

    fn seq<'de, A: SeqAccess<'de>>(seq: A, short: &mut Short) -> Result<Decoded<Coord<f64>>, A::Error> {
        Ok(position(seq, None)?.map(|(c, s)| {
            if short.is_none() {
                *short = s;
            }
            c
        }))
    }
}

/// A list of `L`.
struct List<L>(PhantomData<L>);

impl<L: Level> Level for List<L> {
    type Item = Vec<L::Item>;

    fn seq<'de, A: SeqAccess<'de>>(mut seq: A, short: &mut Short) -> Result<Decoded<Vec<L::Item>>, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(Visit(LevelValue::<L> { short: &mut *short, level: PhantomData }))? {
                None => return Ok(Ok(items)),
                Some(Ok(item)) => items.push(item),
                Some(Err(e)) => {
                    skip_seq(seq)?;
                    return Ok(Err(e));
                }
            }
        }
    }
}

/// One item of level `L`: an array, or serde's message for what it is instead.
struct LevelValue<'a, L> {
    short: &'a mut Short,
    level: PhantomData<L>,
}

impl<'de, L: Level> Total<'de> for LevelValue<'_, L> {
    type Value = Decoded<L::Item>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, "a sequence"))
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        L::seq(seq, self.short)
    }
}

/// A number (any JSON number: integer, fraction, exponent).
struct NumberValue;

impl<'de> Total<'de> for NumberValue {
    type Value = Decoded<f64>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, "f64"))
    }

    fn number(self, value: Number) -> Self::Value {
        Ok(value.as_f64())
    }
}

/// A geometry's `bbox`: `null`, or an array of numbers (checked, not kept).
struct BboxValue;

impl<'de> Total<'de> for BboxValue {
    type Value = Decoded<()>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, "a sequence"))
    }

    fn null(self) -> Self::Value {
        Ok(())
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(n) = seq.next_element_seed(Visit(NumberValue))? {
            if let Err(e) = n {
                skip_seq(seq)?;
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }
}

/// A collection's `geometries`: `null` (as if there were none), or an array of geometry objects.
struct GeometriesValue;

impl<'de> Total<'de> for GeometriesValue {
    type Value = Decoded<Option<Vec<Geometry>>>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, "a sequence"))
    }

    fn null(self) -> Self::Value {
        Ok(None)
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut geometries = Vec::new();
        loop {
            match seq.next_element_seed(Visit(CollectionMember))? {
                None => return Ok(Ok(Some(geometries))),
                Some(Ok(g)) => geometries.push(g),
                Some(Err(e)) => {
                    skip_seq(seq)?;
                    return Ok(Err(e));
                }
            }
        }
    }
}

/// A geometry inside a collection: an object (`null` is not one here).
struct CollectionMember;

impl<'de> Total<'de> for CollectionMember {
    type Value = Decoded<Geometry>;

    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value {
        Err(invalid_type(unexpected, EXPECTING))
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        object(map)
    }
}
