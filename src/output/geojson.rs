//! GeoJSON output: RFC 7946 by default (WGS 84 lon/lat, counter-clockwise outer rings, no `crs` member), or a
//! metric CRS with the legacy `crs` member that QGIS and GDAL read. Features are formatted in parallel chunks and
//! written in order, so a million child points take a fraction of a second and the bytes never vary.

use std::io::Write;
use std::path::Path;

use geo::{Geometry, Orient};
use rayon::prelude::*;

use super::{atomic, FieldType, LayerView, Value};
use crate::crs::{Crs, Transform};
use crate::error::Result;

/// Features formatted by one task: a million-point layer is written in about 500 of them.
const CHUNK: usize = 2048;

/// Writes `layer` to `path`, transforming geometry from the analysis CRS with `transform` (whose target is the
/// output CRS).
pub fn write(path: &Path, layer: &dyn LayerView, transform: &Transform) -> Result<()> {
    let out_crs = transform.to();
    let decimals = if out_crs.is_geographic() { 7 } else { 2 };
    // `"name":` for every field, escaped once rather than once per feature.
    let keys: Vec<Vec<u8>> = layer
        .fields()
        .iter()
        .map(|f| {
            let mut k = Vec::new();
            let _ = write_string(&mut k, &f.name);
            k.push(b':');
            k
        })
        .collect();
    let chunks: Vec<usize> = (0..layer.len()).step_by(CHUNK).collect();
    // Formats the chunk starting at feature `start` into `buf` (cleared first).
    let format_chunk = |start: usize, buf: &mut Vec<u8>| -> std::result::Result<(), String> {
        buf.clear();
        let mut values = Vec::new();
        for i in start..(start + CHUNK).min(layer.len()) {
            let mut geometry = layer.geometry(i);
            transform.apply_geometry(&mut geometry).map_err(|e| format!("feature {i}: {e}"))?;
            if i > 0 {
                buf.extend_from_slice(b",\n");
            }
            layer.values(i, &mut values);
            write_feature(buf, layer, &keys, &values, &geometry, decimals);
        }
        Ok(())
    };
    // Formats a batch of chunks in parallel, each into its own reused buffer.
    let format_batch = |batch: &[usize], buffers: &mut [Vec<u8>]| -> std::io::Result<()> {
        batch
            .par_iter()
            .zip(buffers.par_iter_mut())
            .try_for_each(|(&start, buf)| format_chunk(start, buf))
            .map_err(std::io::Error::other)
    };
    let mut header = Vec::new();
    header.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"name\":");
    write_string(&mut header, layer.name()).map_err(|e| crate::error::Error::write(path, e))?;
    if out_crs != Crs::WGS84 {
        let _ = write!(header, ",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"{}\"}}}}", out_crs.urn());
    }
    header.extend_from_slice(b",\"features\":[\n");
    atomic::write_file_at(path, |mut file| {
        file.write_all(&header)?;
        // While one batch is written (the kernel takes one writer per file at a time), the next is formatted in
        // parallel; the buffers are reused, so memory stays bounded and no page is faulted in twice. The bytes
        // are the same whatever the number of threads.
        let batches: Vec<&[usize]> = chunks.chunks(BATCH).collect();
        let new_buffers = || (0..BATCH).map(|_| Vec::with_capacity(CHUNK * 384)).collect::<Vec<Vec<u8>>>();
        let (mut ready, mut spare) = (new_buffers(), new_buffers());
        if let Some(first) = batches.first() {
            format_batch(first, &mut ready)?;
        }
        for (k, batch) in batches.iter().enumerate() {
            let written = batch.len();
            let (write, format) = rayon::join(
                || ready[..written].iter().try_for_each(|part| file.write_all(part)),
                || batches.get(k + 1).map_or(Ok(()), |next| format_batch(next, &mut spare)),
            );
            write?;
            format?;
            std::mem::swap(&mut ready, &mut spare);
        }
        file.write_all(b"\n]}\n")
    })
}

/// Chunks formatted at once: two sets of this many buffers (about 1 MB each for child points) are alive while a
/// layer is written.
const BATCH: usize = 6;

fn write_feature(
    buf: &mut Vec<u8>,
    layer: &dyn LayerView,
    keys: &[Vec<u8>],
    values: &[Value],
    geometry: &Geometry<f64>,
    decimals: i32,
) {
    buf.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
    for (k, ((field, key), value)) in layer.fields().iter().zip(keys).zip(values).enumerate() {
        if k > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(key);
        write_value(buf, value, field.ty);
    }
    buf.extend_from_slice(b"},\"geometry\":");
    write_geometry(buf, geometry, decimals);
    buf.push(b'}');
}

/// Writes a JSON value.
pub(crate) fn write_value(buf: &mut Vec<u8>, value: &Value, ty: FieldType) {
    match value {
        Value::Null => buf.extend_from_slice(b"null"),
        Value::Bool(b) => buf.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) if !n.is_finite() => buf.extend_from_slice(b"null"),
        Value::Number(n) if ty == FieldType::Integer => {
            buf.extend_from_slice(itoa::Buffer::new().format(n.round() as i64).as_bytes());
        }
        // A real field's whole numbers keep a decimal point (`12.0`), so that a reader types the field REAL in
        // every run, not INTEGER in a run whose values happen to be whole.
        Value::Number(n) if ty == FieldType::Real && n.fract() == 0.0 && n.abs() < 1e15 => {
            buf.extend_from_slice(itoa::Buffer::new().format(*n as i64).as_bytes());
            buf.extend_from_slice(b".0");
        }
        Value::Number(n) => write_number(buf, *n),
        Value::Text(s) if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') => {
            buf.push(b'"');
            buf.extend_from_slice(s.as_bytes());
            buf.push(b'"');
        }
        Value::Text(s) => {
            let _ = write_string(buf, s);
        }
    }
}

/// Writes a number in its shortest exact form; whole numbers without a decimal point.
pub(crate) fn write_number(buf: &mut Vec<u8>, n: f64) {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        buf.extend_from_slice(itoa::Buffer::new().format(n as i64).as_bytes());
    } else if n.abs() < 1e12 && (n * 100.0).round() / 100.0 == n {
        write_fixed(buf, n, 2);
    } else {
        buf.extend_from_slice(ryu::Buffer::new().format_finite(n).as_bytes());
    }
}

fn write_string(out: &mut impl Write, s: &str) -> std::io::Result<()> {
    serde_json::to_writer(out, s).map_err(std::io::Error::other)
}

/// Writes `v` rounded to `decimals` places, without trailing zeros (`11.9746`, `6400000.5`, `0`): integer
/// arithmetic, several times faster than shortest-float formatting for the million coordinates of a large run.
pub(crate) fn write_fixed(buf: &mut Vec<u8>, v: f64, decimals: u32) {
    let scale = 10i64.pow(decimals);
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9e15 {
        write_number(buf, v);
        return;
    }
    let scaled = scaled as i64;
    if scaled < 0 {
        buf.push(b'-');
    }
    // One integer formatted once, the decimal point put in its place, trailing zeros of the fraction dropped.
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(scaled.unsigned_abs()).as_bytes();
    let decimals = decimals as usize;
    if digits.len() > decimals {
        let (whole, fraction) = digits.split_at(digits.len() - decimals);
        buf.extend_from_slice(whole);
        let kept = fraction.iter().rposition(|&d| d != b'0').map_or(0, |p| p + 1);
        if kept > 0 {
            buf.push(b'.');
            buf.extend_from_slice(&fraction[..kept]);
        }
    } else {
        // |v| < 1: zero, then the fraction with its leading zeros.
        buf.push(b'0');
        let kept = digits.iter().rposition(|&d| d != b'0').map_or(0, |p| p + 1);
        if kept > 0 {
            buf.push(b'.');
            buf.extend(std::iter::repeat_n(b'0', decimals - digits.len()));
            buf.extend_from_slice(&digits[..kept]);
        }
    }
}

fn write_position(buf: &mut Vec<u8>, c: geo::Coord<f64>, decimals: i32) {
    buf.push(b'[');
    write_fixed(buf, c.x, decimals as u32);
    buf.push(b',');
    write_fixed(buf, c.y, decimals as u32);
    buf.push(b']');
}

/// Writes a ring at `decimals`, leaving out a position that the rounding made equal to the one before it. A ring
/// left with fewer than four positions (three distinct and the closing one) collapsed at this precision: nothing is
/// written and `false` returned (a ring valid at full precision, a centimetre across, is no ring at 7 decimals).
fn write_ring(buf: &mut Vec<u8>, ring: &geo::LineString<f64>, decimals: i32) -> bool {
    let start = buf.len();
    buf.push(b'[');
    let (mut kept, mut last) = (0usize, start + 1..start + 1);
    for c in &ring.0 {
        let at = buf.len();
        if kept > 0 {
            buf.push(b',');
        }
        let position = buf.len();
        write_position(buf, *c, decimals);
        if kept > 0 && buf[position..] == buf[last.clone()] {
            buf.truncate(at);
            continue;
        }
        last = position..buf.len();
        kept += 1;
    }
    if kept < 4 {
        buf.truncate(start);
        return false;
    }
    buf.push(b']');
    true
}

/// Writes a polygon at `decimals`, without the holes that collapse at it; `false` (nothing written) when its
/// exterior collapses.
fn write_polygon(buf: &mut Vec<u8>, polygon: &geo::Polygon<f64>, decimals: i32) -> bool {
    let start = buf.len();
    buf.push(b'[');
    if !write_ring(buf, polygon.exterior(), decimals) {
        buf.truncate(start);
        return false;
    }
    for hole in polygon.interiors() {
        buf.push(b',');
        if !write_ring(buf, hole, decimals) {
            buf.pop();
        }
    }
    buf.push(b']');
    true
}

fn write_geometry(buf: &mut Vec<u8>, geometry: &Geometry<f64>, decimals: i32) {
    match geometry {
        Geometry::Point(p) => {
            buf.extend_from_slice(b"{\"type\":\"Point\",\"coordinates\":");
            write_position(buf, p.0, decimals);
            buf.push(b'}');
        }
        Geometry::Polygon(p) => {
            buf.extend_from_slice(b"{\"type\":\"Polygon\",\"coordinates\":");
            // RFC 7946: exterior rings counter-clockwise, holes clockwise. A polygon that collapses at the
            // precision is written as the empty polygon.
            if !write_polygon(buf, &p.orient(geo::orient::Direction::Default), decimals) {
                buf.extend_from_slice(b"[]");
            }
            buf.push(b'}');
        }
        Geometry::MultiPolygon(mp) => {
            buf.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
            let mut written = 0;
            for p in &mp.orient(geo::orient::Direction::Default).0 {
                if written > 0 {
                    buf.push(b',');
                }
                if write_polygon(buf, p, decimals) {
                    written += 1;
                } else if written > 0 {
                    buf.pop();
                }
            }
            buf.extend_from_slice(b"]}");
        }
        _ => buf.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, side: f64) -> geo::LineString<f64> {
        geo::LineString::from(vec![(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)])
    }

    fn written(geometry: &Geometry<f64>, decimals: i32) -> serde_json::Value {
        let mut buf = Vec::new();
        write_geometry(&mut buf, geometry, decimals);
        serde_json::from_slice(&buf).expect("valid JSON")
    }

    /// Rings that collapse at the written precision (a part or a hole a few millimetres across at 7 decimals of a
    /// degree) are left out, so that what is written is still a valid polygon; the rest is written whole.
    #[test]
    fn rings_that_collapse_at_the_precision_are_left_out() {
        let (x, y) = (11.9, 57.6);
        let tiny = square(x + 0.001, y + 0.001, 0.000_000_04); // 4 mm: one position at 7 decimals
        let big = geo::Polygon::new(square(x, y, 0.01), vec![tiny.clone(), square(x + 0.002, y + 0.002, 0.001)]);
        let p = written(&Geometry::Polygon(big.clone()), 7);
        let rings = p["coordinates"].as_array().unwrap();
        assert_eq!(rings.len(), 2, "the tiny hole is left out, the other kept: {p}");
        assert_eq!(rings[0].as_array().unwrap().len(), 5);
        let mp = geo::MultiPolygon(vec![geo::Polygon::new(tiny.clone(), vec![]), big, geo::Polygon::new(tiny, vec![])]);
        let m = written(&Geometry::MultiPolygon(mp), 7);
        assert_eq!(m["coordinates"].as_array().unwrap().len(), 1, "only the big part: {m}");
        // At 2 decimals of a metre nothing of a 4 mm ring survives either, and a collapsed polygon is empty.
        let lone = written(&Geometry::Polygon(geo::Polygon::new(square(0.0, 0.0, 0.004), vec![])), 2);
        assert_eq!(lone["coordinates"], serde_json::json!([]));
        // A position that rounds onto its neighbour is dropped, and the ring stays closed.
        let ring =
            geo::LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.001, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]);
        let r = written(&Geometry::Polygon(geo::Polygon::new(ring, vec![])), 2);
        let positions = r["coordinates"][0].as_array().unwrap();
        assert_eq!(positions.len(), 5, "{r}");
        assert_eq!(positions.first(), positions.last());
    }

    fn fixed(v: f64, d: u32) -> String {
        let mut b = Vec::new();
        write_fixed(&mut b, v, d);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn fixed_decimals_are_shortest_and_exact() {
        assert_eq!(fixed(11.97461234567, 7), "11.9746123");
        assert_eq!(fixed(11.5, 7), "11.5");
        assert_eq!(fixed(-0.00000004, 7), "0");
        assert_eq!(fixed(-0.0000004, 7), "-0.0000004");
        assert_eq!(fixed(6_400_000.0, 2), "6400000");
        assert_eq!(fixed(318_234.05, 2), "318234.05");
        assert_eq!(fixed(57.0000001, 7), "57.0000001");
        assert_eq!(fixed(-12.34, 2), "-12.34");
        assert_eq!(fixed(0.5, 2), "0.5");
        assert_eq!(fixed(-0.05, 2), "-0.05");
        assert_eq!(fixed(0.0, 7), "0");
        assert_eq!(fixed(100.0, 0), "100");
        // Agrees with the shortest representation of the rounded value.
        for v in [1.1, 2.25, 1000.01, 4847.66, 0.07, 10.0, 0.1, 99.99] {
            assert_eq!(fixed(v, 2), ryu::Buffer::new().format(v).trim_end_matches(".0"));
        }
        // And with a slow reference on many values.
        let mut x = 0.123_456_789_f64;
        for k in 0..20_000 {
            x = (x * 7919.0 + 0.2917).fract();
            let v = (x - 0.5) * 10f64.powi(k % 9);
            for d in [0u32, 2, 7] {
                let p = 10f64.powi(d as i32);
                let want = format!("{:.*}", d as usize, (v * p).round() / p);
                let want = if want.contains('.') { want.trim_end_matches('0').trim_end_matches('.') } else { &want };
                let want = if want == "-0" { "0" } else { want };
                assert_eq!(fixed(v, d), want, "{v} {d}");
            }
        }
    }
}
