//! Command-line definitions (clap) only; the work is in `app`.

use crate::report::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Price-performance of AI-accelerator fleets: size fleets to a power budget, cost them over a
/// horizon, and test "x % better price-performance" claims.
#[derive(Debug, Parser)]
#[command(name = "fleetcost", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a scenario: sizing, cost per chip-hour, cost per unit of work, claims.
    Run(RunArgs),
    /// Check a scenario without computing results.
    Validate(ValidateArgs),
    /// List the chip catalog with its figures and sources.
    Catalog(CatalogArgs),
}

/// What every scenario command takes.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override an input by its parameter path, e.g. --set 'fleet.trn2.chip.price=15k USD'.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write results.json, fleets.csv, comparisons.csv, cashflow.csv, the resolved scenario
    /// and the charts into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Also list every parameter path with its value and unit.
    #[arg(long)]
    pub list_params: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: CatalogFormat,
}
