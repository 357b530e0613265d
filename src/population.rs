//! STUB (being written on another branch).
use crate::config::TableSource;
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::model::{Children, Warnings};

/// Report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableReport {}

/// Children from a table.
pub fn children_from_table(
    source: &TableSource,
    fallback: Option<Crs>,
    analysis: Crs,
    warnings: &mut Warnings,
) -> Result<(Children, TableReport)> {
    let _ = (fallback, analysis, warnings);
    Err(Error::Config(format!("{}: not yet", source.table.display())))
}
