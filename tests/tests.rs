//! The integration tests: one test binary, one module per topic (`autotests = false` in Cargo.toml).

mod bad_input;
mod beyond_sweden;
mod common;
mod compare;
mod demo;
mod formats;
mod foundation;
mod network;
mod osm_arenas;
mod output_folder;
mod qgis;
mod real_data;
mod report;
mod suggest;
mod synthetic;
mod wrong_answers;
