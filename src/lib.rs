//! arenagap: how near every young child lives to a family-centred arena, and where the gaps are.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod crs;
pub mod error;
pub mod input;
pub mod output;

pub use error::{Error, Result};
