//! STUB
use std::path::Path;

use super::{Layer, ReadOptions};
use crate::error::Result;

pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let _ = options;
    Err(crate::error::Error::input(path, "not implemented yet"))
}
/// Detects the separator.
pub fn detect_separator(header: &str) -> u8 {
    if header.contains(';') {
        b';'
    } else {
        b','
    }
}
/// Parses a number.
pub fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}
