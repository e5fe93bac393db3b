//! fleetcost: the price-performance of AI-accelerator fleets.
//!
//! Scenario files (TOML) describe a site, finance, a workload and fleets of accelerators;
//! [`scenario`] validates them into [`model::Inputs`]; the pure [`model`] sizes each fleet to
//! the power budget and computes cost per chip-year, work per chip-year and cost per unit of
//! work; [`report`] turns the outcome into rows, tables, CSV and JSON.
//! The contract is MODEL.md; docs/model.md maps each formula to the code that computes it.

pub mod analysis;
pub mod app;
pub mod calibrate;
pub mod cli;
pub mod files;
pub mod model;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod suggest;
pub mod units;

/// The crate version, as `fleetcost --version` prints it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
