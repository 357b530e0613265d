//! run.json: what was run, with which options and inputs, what came out, and every warning. The command
//! assembles the record; this writes it. No clock time goes in, so that the same inputs give the same bytes.

use std::path::Path;

use serde::Serialize;

use super::atomic;
use crate::error::Result;

/// Writes `record` as pretty JSON with a final newline, atomically.
pub fn write(path: &Path, record: &impl Serialize) -> Result<()> {
    atomic::write_file(path, |out| {
        serde_json::to_writer_pretty(&mut *out, record).map_err(std::io::Error::other)?;
        std::io::Write::write_all(out, b"\n")
    })
}

/// Every scalar of a record (run.json's value) with its path, `resolved.radius_any_m` or `warnings.0`: objects by
/// key, arrays by index, nulls left out; for the outputs that list a run's settings (the workbook, the report).
pub fn flatten(prefix: &str, value: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    flatten_into(prefix, value, &mut out);
    out
}

fn flatten_into(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match value {
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| flatten_into(&key(k), v, out)),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| flatten_into(&key(&i.to_string()), v, out))
        }
        serde_json::Value::Null => {}
        scalar => out.push((prefix.to_string(), scalar.clone())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_record_flattens_to_paths_and_scalars() {
        let record = serde_json::json!({"a": {"b": 1, "c": null}, "w": ["x", {"d": true}]});
        let rows: Vec<(String, String)> =
            super::flatten("", &record).into_iter().map(|(k, v)| (k, v.to_string())).collect();
        let want = [("a.b", "1"), ("w.0", "\"x\""), ("w.1.d", "true")];
        assert_eq!(rows, want.map(|(k, v)| (k.to_string(), v.to_string())));
        assert_eq!(super::flatten("inputs", &serde_json::json!([2]))[0].0, "inputs.0");
    }
}
