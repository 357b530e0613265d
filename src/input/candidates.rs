//! Candidate sites for `suggest` from a point file (any format arenas come in): an id per site (a field, else
//! `<file stem>#<feature number>`), a name when the file has a name field, and every attribute carried along.

use std::collections::HashMap;
use std::path::Path;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::input::layers::{id_of, point_of, read_projected, NAME_FIELDS};
use crate::input::ReadOptions;
use crate::model::candidates::Candidates;
use crate::model::study::InputInfo;

/// Reads candidate sites (`layer`: the table of a GeoPackage holding several; `id_field`: the id field).
pub fn load_candidates(
    path: &Path,
    layer: Option<&str>,
    id_field: Option<&str>,
    fallback: Option<Crs>,
    analysis: Crs,
) -> Result<(Candidates, InputInfo)> {
    let options = ReadOptions { layer: layer.map(str::to_string), ..Default::default() };
    let projected = read_projected(path, &options, fallback, analysis)?;
    let layer = &projected.layer;
    if layer.features.is_empty() {
        return Err(Error::input(path, "has no features: candidate sites are points, and there are none"));
    }
    let id = id_field.map(|f| layer.field_index(f)).transpose()?;
    let name = NAME_FIELDS.iter().find_map(|f| layer.fields.iter().position(|x| x == f));
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut out = Candidates { fields: layer.fields.clone(), ..Default::default() };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..layer.features.len() {
        let position = point_of(layer, i, "a candidate site")?;
        let site = match id {
            Some(f) => id_of(layer, i, f)?,
            None => format!("{stem}#{}", layer.feature_number(i)),
        };
        if let Some(&first) = seen.get(&site) {
            return Err(layer.feature_error(
                i,
                format!("has the id '{site}', as {} has: candidate ids must be unique", layer.location(first)),
            ));
        }
        seen.insert(site.clone(), i);
        out.names.push(name.and_then(|n| layer.features[i].values[n].to_text()).unwrap_or_default());
        out.ids.push(site);
        out.positions.push(position);
        out.values.push(layer.features[i].values.to_vec());
    }
    let info = projected.info("candidates", out.len());
    Ok((out, info))
}
