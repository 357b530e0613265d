//! arenagap: how near every young child lives to a family-centred arena, and where the gaps are.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

//!
//! Data flows one way: [`input`] reads files into a prepared [`model::study::Study`]; [`measure::evaluate`]
//! answers questions about a facility set through a [`cost::CostModel`]; [`zones`] draws gap zones; [`output`]
//! writes what the command hands it. [`cli`] is the command line on top.

pub mod cli;
pub mod cost;
pub mod crs;
pub mod error;
pub mod index;
pub mod input;
pub mod measure;
pub mod model;
pub mod need;
pub mod network;
pub mod output;
pub mod overlay;
pub mod population;
pub mod siting;
pub mod zones;

pub use error::{Error, Result};
