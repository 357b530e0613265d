//! GeoJSON reader: RFC 7946 FeatureCollections, and the legacy `crs` member that QGIS and GDAL write
//! (`urn:ogc:def:crs:EPSG::3006`).
//!
//! The file is parsed as a stream: each feature goes straight into a [`Feature`] (its geometry into `geo` types,
//! its properties only as far as they are kept), so no JSON tree of the document is ever built, and two million
//! points take about the memory of their features. The members of an object may come in any order (`crs` and
//! `type` after `features`).
//!
//! What a file is refused for, and which fault wins when it has several, is what it was when the whole file was
//! first parsed into JSON values: not UTF-8 text; then not JSON (with the line and column); then its `crs`; then
//! its `type`; then the first feature that is wrong, by its number. So faults in what the file says are recorded
//! as the parse meets them, the parse reads on to the end, and the faults are weighed when it is through.

mod geometry;
mod json;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Unexpected};
use serde_json::Value as Json;

use self::geometry::GeometryMember;
use self::json::{Decoded, MemberName, Number, Skip, Total, Visit};
use super::{keeps, Feature, Format, Layer, ReadOptions, Value, Values};
use crate::crs::Crs;
use crate::error::{Error, Result};

/// How much of the file is read at a time.
const BUFFER: usize = 1 << 16;

/// Reads a GeoJSON layer.
pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // The buffered reader is handed over whole: serde_json reads a byte at a time, which a `BufReader` serves
    // from its buffer only when it is not behind a reference.
    let mut reader = std::io::BufReader::with_capacity(BUFFER, file);
    skip_bom(&mut reader).map_err(|e| Error::io(path, e))?;
    match parse(serde_json::de::IoRead::new(reader), options) {
        // serde_json checks that every string it parses is UTF-8, and outside strings anything else is a syntax
        // error: a file that parses is text.
        Ok(document) => layer(path, document),
        Err(e) => Err(refusal(path, e)),
    }
}

/// Why a file that does not parse is refused, in the words of the reader that read the whole file first: not
/// being text outranks not being JSON, wherever in the file either is, and a syntax error is placed as serde_json
/// places it in a string (reading from a stream, it may place it a column further on). So on this path only, the
/// file is read whole and parsed again, into nothing.
fn refusal(path: &Path, streamed: serde_json::Error) -> Error {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Error::io(path, e),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Error::input(path, "is not GeoJSON: the file is not UTF-8 text");
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let checked = Visit(Skip).deserialize(&mut deserializer).and_then(|()| deserializer.end());
    match (checked, streamed.io_error_kind()) {
        (Err(e), _) => Error::input(path, format!("is not valid GeoJSON: {e}")),
        // The file is JSON now: it was reading it that failed.
        (Ok(()), Some(kind)) => Error::io(path, std::io::Error::new(kind, streamed)),
        (Ok(()), None) => Error::input(path, format!("is not valid GeoJSON: {streamed}")),
    }
}

/// Skips a UTF-8 byte order mark at the start, as Windows tools write it (RFC 8259 lets a parser ignore one).
fn skip_bom(reader: &mut impl std::io::BufRead) -> std::io::Result<()> {
    let start = reader.fill_buf()?;
    if start.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    Ok(())
}

/// Parses a whole document (and checks that nothing but whitespace follows it).
fn parse<'de, 'o, R: serde_json::de::Read<'de>>(read: R, options: &'o ReadOptions) -> serde_json::Result<Document<'o>> {
    let mut deserializer = serde_json::Deserializer::new(read);
    let document = Visit(DocumentValue { options }).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(document)
}

/// The layer a parsed document makes, or the fault that outranks the others.
fn layer(path: &Path, document: Document<'_>) -> Result<Layer> {
    let Document::Object(root) = document else {
        return Err(Error::input(path, "is not GeoJSON: expected a JSON object with \"type\": \"FeatureCollection\""));
    };
    let crs = match &root.crs {
        Some(crs) => Some(parse_crs_member(path, crs)?),
        None => None,
    };
    let collection = match root.kind.as_deref() {
        Some("FeatureCollection") => match root.features {
            Some(Some(collection)) => collection,
            _ => return Err(Error::input(path, "is not GeoJSON: a FeatureCollection needs a \"features\" array")),
        },
        Some("Feature") => {
            let mut collection = root.single;
            let mut parts = root.parts;
            parts.is_feature = true;
            match parts.finish(&mut collection.fields, &mut collection.scratch) {
                Ok((feature, note)) => {
                    collection.features.push(feature);
                    collection.notes.extend(note.map(|n| (0, n)));
                }
                Err(message) => collection.error = Some((0, message)),
            }
            collection
        }
        Some(other) => {
            return Err(Error::input(
                path,
                format!("is a GeoJSON {other}, expected a FeatureCollection of features with properties"),
            ))
        }
        None => return Err(Error::input(path, "is not GeoJSON: the top-level object has no \"type\"")),
    };
    if let Some((index, message)) = collection.error {
        return Err(Error::feature(path, Format::GeoJson.location(index), message));
    }
    let Collection { fields, mut features, notes, .. } = collection;
    // A field first met after some features were read is null in those, as in features without properties.
    let n = fields.kept.len();
    for feature in features.iter_mut().filter(|f| f.values.len() < n) {
        feature.values.resize(n, Value::Null);
    }
    let mut layer = Layer::single(path, Format::GeoJson, crs, fields.kept, fields.file_fields, features);
    layer.notes = notes;
    Ok(layer)
}

/// The CRS named by a legacy GeoJSON `crs` member (`{"type":"name","properties":{"name":"..."}}`).
fn parse_crs_member(path: &Path, crs: &Json) -> Result<Crs> {
    let name = crs.get("properties").and_then(|p| p.get("name")).and_then(Json::as_str).ok_or_else(|| Error::Crs {
        path: path.to_path_buf(),
        message: "has a \"crs\" member arenagap cannot read: expected {\"type\":\"name\",\"properties\":\
                      {\"name\":\"urn:ogc:def:crs:EPSG::3006\"}}"
            .into(),
    })?;
    Crs::parse(name).map_err(|e| Error::Crs { path: path.to_path_buf(), message: format!("crs \"{name}\": {e}") })
}

/// The top level of a file, as parsed.
enum Document<'o> {
    /// Not an object (an array, a string, ...).
    NotObject,
    /// An object.
    Object(Box<Root<'o>>),
}

/// The top-level object. A member given twice counts with its last value, as in a JSON value.
struct Root<'o> {
    /// The `type` member, when it is a string.
    kind: Option<String>,
    /// The `crs` member.
    crs: Option<Json>,
    /// The `features` member: the features, or `None` when it is not an array.
    features: Option<Option<Collection<'o>>>,
    /// The object's own `geometry` and `properties`, for a document that is a single Feature.
    parts: Parts,
    /// The fields of those properties.
    single: Collection<'o>,
}

/// The members of an object that the reader looks at (in the top-level object and in a feature).
#[derive(Clone, Copy)]
enum Member {
    Type,
    Crs,
    Features,
    Geometry,
    Properties,
    Other,
}

/// The members of an object that the reader looks at, by name.
const MEMBERS: MemberName<Member> = MemberName {
    names: &[
        ("type", Member::Type),
        ("crs", Member::Crs),
        ("features", Member::Features),
        ("geometry", Member::Geometry),
        ("properties", Member::Properties),
    ],
    other: Member::Other,
};

/// The whole document.
struct DocumentValue<'o> {
    options: &'o ReadOptions,
}

impl<'de, 'o> Total<'de> for DocumentValue<'o> {
    type Value = Document<'o>;

    fn wrong(self, _: Unexpected<'_>) -> Document<'o> {
        Document::NotObject
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Document<'o>, A::Error> {
        let mut root = Root {
            kind: None,
            crs: None,
            features: None,
            parts: Parts::default(),
            single: Collection::new(self.options),
        };
        while let Some(member) = map.next_key_seed(Visit(MEMBERS))? {
            match member {
                Member::Type => root.kind = map.next_value_seed(Visit(TypeName))?,
                Member::Crs => root.crs = Some(map.next_value::<Json>()?),
                Member::Features => {
                    root.features = Some(map.next_value_seed(Visit(FeaturesValue { options: self.options }))?)
                }
                Member::Geometry => root.parts.geometry = Some(map.next_value_seed(Visit(GeometryMember))?),
                Member::Properties => {
                    let single = &mut root.single;
                    single.scratch.clear();
                    let properties = PropertiesValue { fields: &single.fields, scratch: &mut single.scratch };
                    root.parts.properties = Some(map.next_value_seed(Visit(properties))?);
                }
                Member::Other => map.next_value_seed(Visit(Skip))?,
            }
        }
        Ok(Document::Object(Box::new(root)))
    }
}

/// A `type` member: its text, `None` when it is not a string.
struct TypeName;

impl<'de> Total<'de> for TypeName {
    type Value = Option<String>;

    fn wrong(self, _: Unexpected<'_>) -> Option<String> {
        None
    }

    fn text(self, name: &str) -> Option<String> {
        Some(name.to_owned())
    }
}

/// Features as they are read, with the fields of their properties.
struct Collection<'o> {
    fields: Fields<'o>,
    scratch: Scratch,
    features: Vec<Feature>,
    /// The first feature that is wrong: its position, and what is wrong with it. The features after it are only
    /// parsed.
    error: Option<(usize, String)>,
    /// What was repaired in features as they were read, by position.
    notes: Vec<(usize, String)>,
}

impl<'o> Collection<'o> {
    fn new(options: &'o ReadOptions) -> Self {
        Collection {
            fields: Fields { options, file_fields: Vec::new(), positions: Vec::new(), kept: Vec::new() },
            scratch: Scratch::default(),
            features: Vec::new(),
            error: None,
            notes: Vec::new(),
        }
    }
}

/// A `features` member: the features, or `None` when it is not an array.
struct FeaturesValue<'o> {
    options: &'o ReadOptions,
}

impl<'de, 'o> Total<'de> for FeaturesValue<'o> {
    type Value = Option<Collection<'o>>;

    fn wrong(self, _: Unexpected<'_>) -> Self::Value {
        None
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        let mut c = Collection::new(self.options);
        loop {
            if c.error.is_some() {
                if seq.next_element_seed(Visit(Skip))?.is_none() {
                    break;
                }
                continue;
            }
            let index = c.features.len();
            match seq.next_element_seed(Visit(FeatureValue { fields: &mut c.fields, scratch: &mut c.scratch }))? {
                None => break,
                Some(Ok((feature, note))) => {
                    c.features.push(feature);
                    c.notes.extend(note.map(|n| (index, n)));
                }
                Some(Err(message)) => {
                    c.error = Some((index, message));
                    c.features = Vec::new();
                }
            }
        }
        Ok(Some(c))
    }
}

/// One element of `features`: a feature, or what is wrong with it.
struct FeatureValue<'a, 'o> {
    fields: &'a mut Fields<'o>,
    scratch: &'a mut Scratch,
}

impl<'de> Total<'de> for FeatureValue<'_, '_> {
    type Value = Decoded<(Feature, Option<String>)>;

    fn wrong(self, _: Unexpected<'_>) -> Self::Value {
        Err("is not a JSON object".into())
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        self.scratch.clear();
        let mut parts = Parts::default();
        while let Some(member) = map.next_key_seed(Visit(MEMBERS))? {
            match member {
                Member::Type => parts.is_feature = map.next_value_seed(Visit(IsFeature))?,
                Member::Geometry => parts.geometry = Some(map.next_value_seed(Visit(GeometryMember))?),
                Member::Properties => {
                    self.scratch.clear();
                    let properties = PropertiesValue { fields: self.fields, scratch: self.scratch };
                    parts.properties = Some(map.next_value_seed(Visit(properties))?);
                }
                Member::Crs | Member::Features | Member::Other => map.next_value_seed(Visit(Skip))?,
            }
        }
        Ok(parts.finish(self.fields, self.scratch))
    }
}

/// A feature's `type` member: whether it is the string `Feature`.
struct IsFeature;

impl<'de> Total<'de> for IsFeature {
    type Value = bool;

    fn wrong(self, _: Unexpected<'_>) -> bool {
        false
    }

    fn text(self, name: &str) -> bool {
        name == "Feature"
    }
}

/// The members of a feature, as read (each with its last value).
#[derive(Default)]
struct Parts {
    /// Its `type` is `Feature`.
    is_feature: bool,
    /// Its `geometry`, when it has that member, and how many of its rings were not closed.
    geometry: Option<Decoded<Option<geometry::Read>>>,
    /// Its `properties`, when it has that member (the values are in the scratch).
    properties: Option<Properties>,
}

impl Parts {
    /// The feature, or what is wrong with it: checked in the order the reader always checked a feature (its type,
    /// its geometry, its properties). Its property names not met before become fields.
    ///
    /// Also what was repaired in it, for a warning: rings that were not closed.
    fn finish(self, fields: &mut Fields<'_>, scratch: &mut Scratch) -> Decoded<(Feature, Option<String>)> {
        if !self.is_feature {
            return Err("is not a GeoJSON Feature (its \"type\" is not \"Feature\")".into());
        }
        let (geometry, unclosed) = match self.geometry {
            None | Some(Ok(None)) => (None, 0),
            Some(Ok(Some((geometry, unclosed)))) => (Some(geometry), unclosed),
            Some(Err(e)) => return Err(format!("invalid geometry: {e}")),
        };
        let note = (unclosed > 0).then(|| {
            format!("{unclosed} ring(s) do not end where they start (GeoJSON rings must be closed); closed as read")
        });
        let values = match self.properties {
            Some(Properties::NotObject) => return Err("\"properties\" is not an object".into()),
            Some(Properties::Object) => {
                fields.commit(scratch);
                let mut values = Values::from_elem(Value::Null, fields.kept.len());
                for (slot, value) in scratch.values.drain(..) {
                    if let Some(v) = values.get_mut(slot) {
                        *v = value;
                    }
                }
                values
            }
            Some(Properties::Null) | None => Values::new(),
        };
        Ok((Feature { geometry, values }, note))
    }
}

/// What a `properties` member is (its values go to the scratch).
enum Properties {
    Object,
    Null,
    NotObject,
}

/// The property fields as they are met: every name, and the kept ones, in the order first met.
struct Fields<'o> {
    options: &'o ReadOptions,
    /// Every field name met.
    file_fields: Vec<String>,
    /// For each of `file_fields`, its position in `kept` when it is kept.
    positions: Vec<Option<usize>>,
    /// The kept field names.
    kept: Vec<String>,
}

impl Fields<'_> {
    /// The position among the kept fields of property `name` of the feature being read, `None` when it is not
    /// kept. A name not met before waits in the scratch until the feature is read through.
    fn slot(&self, name: &str, scratch: &mut Scratch) -> Option<usize> {
        // Features mostly list their properties in the same order: try the field after the last one first.
        let hint = scratch.next_field;
        let found = if self.file_fields.get(hint).is_some_and(|f| f == name) {
            Some(hint)
        } else {
            self.file_fields.iter().position(|f| f == name)
        };
        if let Some(i) = found {
            scratch.next_field = i + 1;
            return self.positions.get(i).copied().flatten();
        }
        if let Some((_, slot)) = scratch.pending.iter().find(|(n, _)| n == name) {
            return *slot;
        }
        let slot = keeps(self.options, name)
            .then(|| self.kept.len() + scratch.pending.iter().filter(|(_, s)| s.is_some()).count());
        scratch.pending.push((name.to_owned(), slot));
        slot
    }

    /// Takes in the names first met in the feature just read.
    fn commit(&mut self, scratch: &mut Scratch) {
        for (name, slot) in scratch.pending.drain(..) {
            if slot.is_some() {
                self.kept.push(name.clone());
            }
            self.positions.push(slot);
            self.file_fields.push(name);
        }
    }
}

/// The properties of the feature being read: the kept values by their field's position, and the names not met
/// before (with their position when kept).
#[derive(Default)]
struct Scratch {
    values: Vec<(usize, Value)>,
    pending: Vec<(String, Option<usize>)>,
    /// Where in the fields to look first for the next name.
    next_field: usize,
}

impl Scratch {
    fn clear(&mut self) {
        self.values.clear();
        self.pending.clear();
        self.next_field = 0;
    }
}

/// A `properties` member: an object whose kept values go to the scratch, `null`, or something else.
struct PropertiesValue<'a, 'o> {
    fields: &'a Fields<'o>,
    scratch: &'a mut Scratch,
}

impl<'de> Total<'de> for PropertiesValue<'_, '_> {
    type Value = Properties;

    fn wrong(self, _: Unexpected<'_>) -> Properties {
        Properties::NotObject
    }

    fn null(self) -> Properties {
        Properties::Null
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Properties, A::Error> {
        while let Some(slot) =
            map.next_key_seed(Visit(FieldName { fields: self.fields, scratch: &mut *self.scratch }))?
        {
            match slot {
                Some(slot) => {
                    let value = map.next_value_seed(Visit(PropertyValue))?;
                    self.scratch.values.push((slot, value));
                }
                None => map.next_value_seed(Visit(Skip))?,
            }
        }
        Ok(Properties::Object)
    }
}

/// A property name: its slot among the kept fields, `None` when it is not kept.
struct FieldName<'a, 'o> {
    fields: &'a Fields<'o>,
    scratch: &'a mut Scratch,
}

impl<'de> Total<'de> for FieldName<'_, '_> {
    type Value = Option<usize>;

    fn wrong(self, _: Unexpected<'_>) -> Option<usize> {
        None
    }

    fn text(self, name: &str) -> Option<usize> {
        self.fields.slot(name, self.scratch)
    }
}

/// A property value: null, a boolean, a number, a text; an array or object as its JSON text.
struct PropertyValue;

impl<'de> Total<'de> for PropertyValue {
    type Value = Value;

    fn wrong(self, _: Unexpected<'_>) -> Value {
        Value::Null
    }

    fn boolean(self, value: bool) -> Value {
        Value::Bool(value)
    }

    fn number(self, value: Number) -> Value {
        Value::Number(value.as_f64())
    }

    fn text(self, value: &str) -> Value {
        Value::Text(value.into())
    }

    fn seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Value, A::Error> {
        Ok(Value::Text(json::seq_value(seq)?.to_string().into()))
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Value, A::Error> {
        Ok(Value::Text(json::map_value(map)?.to_string().into()))
    }
}
