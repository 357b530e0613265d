//! arenagap: how near every young child lives to a family-centred arena, and where the gaps are.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
pub mod crs;
pub mod engine;
pub mod error;
pub mod index;
pub mod input;
pub mod metric;
pub mod model;
pub mod need;
pub mod output;
pub mod population;
pub mod zones;

pub use error::{Error, Result};
