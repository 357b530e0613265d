//! STUB: ESRI Shapefile reader.
use std::path::Path;

use super::{Layer, ReadOptions};
use crate::error::Result;

pub(crate) fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let _ = options;
    Err(crate::error::Error::input(path, "Shapefile reading is not implemented yet"))
}
