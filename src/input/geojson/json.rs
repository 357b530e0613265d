//! Serde helpers for reading JSON as a stream: visitors that take any JSON value and say what is wrong with it
//! instead of failing, a skip that checks what it skips as strictly as parsing it into a value would, and serde's
//! wording for a value of the wrong type.
//!
//! A serde error raised inside a visitor carries only a message (and the parser then adds the line and column), so
//! a reader that must name the feature a fault is in cannot raise one. The visitors here never fail for what a
//! value is, only for what the text is (JSON syntax, nesting deeper than serde_json's limit, a number out of range):
//! a wrong value is their result, and the parse reads on.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::Value as Json;

/// A value as decoded, or what is wrong with it: a message without a position.
pub(super) type Decoded<T> = std::result::Result<T, String>;

/// A JSON number as serde_json hands it over: a non-negative integer, a negative one, or any other number.
#[derive(Clone, Copy, Debug)]
pub(super) enum Number {
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// A number with a fraction or an exponent, or an integer too large for 64 bits.
    Float(f64),
}

impl Number {
    /// The number as a double, as `serde_json::Number::as_f64` gives it.
    pub(super) fn as_f64(self) -> f64 {
        match self {
            Number::Unsigned(n) => n as f64,
            Number::Signed(n) => n as f64,
            Number::Float(n) => n,
        }
    }

    /// The number as serde names it in messages (`integer `5``, `floating point `1.5``).
    fn unexpected(self) -> Unexpected<'static> {
        match self {
            Number::Unsigned(n) => Unexpected::Unsigned(n),
            Number::Signed(n) => Unexpected::Signed(n),
            Number::Float(n) => Unexpected::Float(n),
        }
    }
}

/// A visitor of any JSON value, with a result for each kind of value. A kind the visitor does not take goes to
/// [`Total::wrong`] (compound values are first read to their end, as strictly as they would be parsed).
pub(super) trait Total<'de>: Sized {
    /// The result.
    type Value;

    /// The result for a value of a kind this visitor does not take, named as serde names it.
    fn wrong(self, unexpected: Unexpected<'_>) -> Self::Value;

    /// The result for `null`.
    fn null(self) -> Self::Value {
        self.wrong(Unexpected::Unit)
    }

    /// The result for `true` or `false`.
    fn boolean(self, value: bool) -> Self::Value {
        self.wrong(Unexpected::Bool(value))
    }

    /// The result for a number.
    fn number(self, value: Number) -> Self::Value {
        self.wrong(value.unexpected())
    }

    /// The result for a string.
    fn text(self, value: &str) -> Self::Value {
        self.wrong(Unexpected::Str(value))
    }

    /// The result for an array, read from `seq`.
    fn seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq)?;
        Ok(self.wrong(Unexpected::Seq))
    }

    /// The result for an object, read from `map`.
    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map)?;
        Ok(self.wrong(Unexpected::Map))
    }
}

/// A [`Total`] visitor as a serde visitor and seed (it deserializes with `deserialize_any`).
pub(super) struct Visit<T>(pub(super) T);

impl<'de, T: Total<'de>> Visitor<'de> for Visit<T> {
    type Value = T::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<T::Value, E> {
        Ok(self.0.null())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T::Value, E> {
        Ok(self.0.boolean(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T::Value, E> {
        Ok(self.0.number(Number::Unsigned(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T::Value, E> {
        Ok(self.0.number(Number::Signed(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T::Value, E> {
        Ok(self.0.number(Number::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T::Value, E> {
        Ok(self.0.text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T::Value, A::Error> {
        self.0.seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T::Value, A::Error> {
        self.0.map(map)
    }
}

impl<'de, T: Total<'de>> DeserializeSeed<'de> for Visit<T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Any value, read and dropped. Unlike [`serde::de::IgnoredAny`] (which serde_json skips over without parsing),
/// it parses what it drops: numbers out of range and nesting deeper than serde_json's limit (128) are errors, as
/// they were when the whole file was parsed into JSON values.
pub(super) struct Skip;

impl<'de> Total<'de> for Skip {
    type Value = ();

    fn wrong(self, _: Unexpected<'_>) {}
}

/// Reads the rest of an array and drops it.
pub(super) fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element_seed(Visit(Skip))?.is_some() {}
    Ok(())
}

/// Reads the rest of an object and drops it.
pub(super) fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_key_seed(Visit(Skip))?.is_some() {
        map.next_value_seed(Visit(Skip))?;
    }
    Ok(())
}

/// serde_json's message for a value of the wrong type: `invalid type: string "a", expected f64`.
pub(super) fn invalid_type(unexpected: Unexpected<'_>, expected: &str) -> String {
    <serde_json::Error as de::Error>::invalid_type(unexpected, &expected).to_string()
}

/// serde_json's message for a value of the right type that is wrong: `invalid value: map, expected ...`.
pub(super) fn invalid_value(unexpected: Unexpected<'_>, expected: &str) -> String {
    <serde_json::Error as de::Error>::invalid_value(unexpected, &expected).to_string()
}

/// serde's message for a name that is none of `variants`: ``unknown variant `Foo`, expected one of ...``.
pub(super) fn unknown_variant(name: &str, variants: &'static [&'static str]) -> String {
    <serde_json::Error as de::Error>::unknown_variant(name, variants).to_string()
}

/// serde's message for a member that is not there: ``missing field `type` ``.
pub(super) fn missing_field(name: &'static str) -> String {
    <serde_json::Error as de::Error>::missing_field(name).to_string()
}

/// A JSON value as serde names it in messages.
pub(super) fn unexpected(value: &Json) -> Unexpected<'_> {
    match value {
        Json::Null => Unexpected::Unit,
        Json::Bool(b) => Unexpected::Bool(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Unexpected::Str(s),
        Json::Array(_) => Unexpected::Seq,
        Json::Object(_) => Unexpected::Map,
    }
}

/// An array or object read to its end into a JSON value (for values kept as their JSON text).
pub(super) fn seq_value<'de, A: SeqAccess<'de>>(seq: A) -> Result<Json, A::Error> {
    serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))
}

/// An object read to its end into a JSON value.
pub(super) fn map_value<'de, A: MapAccess<'de>>(map: A) -> Result<Json, A::Error> {
    serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))
}

/// A member name of an object, looked up among the names that mean something to the reader (`names`); any other
/// name, and a key that is not a string, is `other`.
pub(super) struct MemberName<M: Copy + 'static> {
    /// The names the reader looks at, with what each is.
    pub names: &'static [(&'static str, M)],
    /// What every other member is.
    pub other: M,
}

impl<'de, M: Copy + 'static> Total<'de> for MemberName<M> {
    type Value = M;

    fn wrong(self, _: Unexpected<'_>) -> M {
        self.other
    }

    fn text(self, name: &str) -> M {
        self.names.iter().find(|(n, _)| *n == name).map_or(self.other, |(_, m)| *m)
    }
}
