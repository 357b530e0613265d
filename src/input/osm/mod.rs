//! OpenStreetMap extracts (`.osm.pbf`): the walking network ([`walk`]) and arenas found by a tag mapping
//! ([`arenas`], with the mapping in [`rules`]). Both read the file in passes with the `osmpbf` crate and refuse a
//! file that is not a PBF, or a cut one, with the file named.

pub mod arenas;
pub mod rules;
pub mod walk;

use std::path::Path;

use crate::error::{Error, Result};

pub use self::arenas::{read_arenas, OsmArenas};
pub use self::rules::{OsmArenaRule, OsmArenaRules, TagCondition};
pub use self::walk::{read_walk_network, OsmNetwork, WalkRule};

/// One pass over every element of `path`, each handed to `visit`: the number of elements read, or an error naming
/// the file when it is not a readable PBF (cut short, not a PBF at all).
pub(crate) fn each_element(path: &Path, visit: impl FnMut(osmpbf::Element)) -> Result<usize> {
    let bad = |e: osmpbf::Error| Error::input(path, format!("not a readable OpenStreetMap PBF file: {e}"));
    let mut visit = visit;
    let mut elements = 0usize;
    osmpbf::ElementReader::from_path(path)
        .map_err(bad)?
        .for_each(|element| {
            elements += 1;
            visit(element);
        })
        .map_err(bad)?;
    Ok(elements)
}

/// The error for a file whose first pass read no element at all.
pub(crate) fn no_data(path: &Path) -> Error {
    Error::input(path, "it holds no OpenStreetMap data (an empty file, or not a PBF file)")
}
