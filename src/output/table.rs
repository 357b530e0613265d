//! CSV output of a layer's attributes (no geometry), for spreadsheets.

use std::path::Path;

use super::{atomic, LayerView, Value};
use crate::error::Result;

/// Writes the attributes of `layer` as a comma-separated UTF-8 table with a header row.
pub fn write_csv(path: &Path, layer: &dyn LayerView) -> Result<()> {
    atomic::write_file(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(layer.fields().iter().map(|f| f.name.as_str())).map_err(std::io::Error::other)?;
        let mut values = Vec::new();
        let mut number = Vec::new();
        for i in 0..layer.len() {
            layer.values(i, &mut values);
            let cells: Vec<String> = values
                .iter()
                .zip(layer.fields())
                .map(|(v, f)| match v {
                    Value::Null => String::new(),
                    Value::Text(s) => s.to_string(),
                    v => {
                        number.clear();
                        super::geojson::write_value(&mut number, v, f.ty);
                        String::from_utf8_lossy(&number).into_owned()
                    }
                })
                .collect();
            w.write_record(&cells).map_err(std::io::Error::other)?;
        }
        w.flush()
    })
}
