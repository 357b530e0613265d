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
