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
    /// Redraw the charts of a run folder from its results, without recomputing.
    Plot(PlotArgs),
    /// Evaluate on a 1-D or 2-D grid of parameter values ([[sweep]] or --param flags).
    Sweep(SweepArgs),
    /// Swing of a metric as each uncertain parameter goes from its p5 to its p95.
    Tornado(TornadoArgs),
    /// Monte Carlo over the [uncertainty] block, with correlations.
    Montecarlo(MonteCarloArgs),
    /// Find the parameter value at which a metric reaches a target (break-even).
    Solve(SolveArgs),
    /// d ln(metric) / d ln(param) at the base case for every numeric input.
    Elasticities(ElasticitiesArgs),
    /// Fit mfu, mbu and a per-step overhead to measured decode/prefill points; print the fit
    /// and a scenario fragment.
    Calibrate(CalibrateArgs),
    /// Print the JSON Schema of the scenario format (for editors), or with --markdown the key
    /// reference docs/scenario.md; both come from the tables the parser reads.
    Schema(SchemaArgs),
    /// Print shell completions: `fleetcost completions bash > /etc/bash_completion.d/fleetcost`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The key reference as Markdown (docs/scenario.md) instead of the JSON Schema.
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Which metric an analysis follows (default: rho of the first candidate).
#[derive(Debug, Args)]
pub struct MetricArgs {
    /// A section-7 key: rho, cost_reduction, cost_per_unit, cost_per_chip_hour, ...
    #[arg(long)]
    pub metric: Option<String>,
    /// The candidate for comparison metrics (default: the first candidate).
    #[arg(long)]
    pub candidate: Option<String>,
    /// The fleet for fleet metrics (default: the first candidate).
    #[arg(long)]
    pub fleet: Option<String>,
    /// A [[program]] id: --metric is then a program metric (rho against the baseline
    /// program, levelized_cost_per_unit, provider_npv, provider_irr, payback_year,
    /// implied_per_chip_hour, ...).
    #[arg(long)]
    pub program: Option<String>,
}

/// Output options shared by the analysis commands.
#[derive(Debug, Args)]
pub struct OutArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the CSV, results.json, the resolved scenario and the chart into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Chart size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1600x1000", value_parser = parse_size)]
    pub size: (u32, u32),
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// "1600x1000" -> (1600, 1000).
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WxH, e.g. 1600x1000"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("bad width in '{s}'"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("bad height in '{s}'"))?;
    let (min_w, min_h) = crate::plot::MIN_SIZE;
    if !(min_w..=10_000).contains(&w) || !(min_h..=10_000).contains(&h) {
        return Err(format!(
            "'{s}': width {min_w}-10000 and height {min_h}-10000 pixels (smaller charts cannot fit their labels)"
        ));
    }
    Ok((w, h))
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A folder written by `fleetcost run --out DIR`.
    pub dir: PathBuf,
    #[arg(long, value_name = "WxH", default_value = "1600x1000", value_parser = parse_size)]
    pub size: (u32, u32),
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Parameter path to vary (repeat for a 2-D grid); replaces the file's [[sweep]].
    #[arg(long)]
    pub param: Vec<String>,
    /// Start of each --param's range (same grammar as the file: "6k USD").
    #[arg(long, allow_hyphen_values = true)]
    pub from: Vec<String>,
    /// End of each --param's range.
    #[arg(long, allow_hyphen_values = true)]
    pub to: Vec<String>,
    /// Points of each --param, both ends included (>= 2).
    #[arg(long)]
    pub steps: Vec<usize>,
    /// Spacing of each --param: linear or log.
    #[arg(long)]
    pub scale: Vec<String>,
    #[command(flatten)]
    pub metric: MetricArgs,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Debug, Args)]
pub struct TornadoArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub metric: MetricArgs,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Debug, Args)]
pub struct MonteCarloArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of draws (at most 1e12: about 55 hours at 5 million a second).
    #[arg(short = 'n', long = "draws", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000))]
    pub n: u64,
    /// Seed of the random streams: same seed and n, same bytes at any thread count.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write every draw (parameters, cost per unit, rho) to this CSV file, streamed.
    #[arg(long, value_name = "FILE")]
    pub samples: Option<PathBuf>,
    /// Also follow a metric of this [[program]] on every draw (--metric, default its rho
    /// against the baseline program, or its levelized cost).
    #[arg(long)]
    pub program: Option<String>,
    /// Also follow this metric on every draw: a section-7 key of a fleet or comparison
    /// (chip_hours, cost_per_chip_hour, run_cost, ...; with --fleet or --candidate), or with
    /// --program a program metric (provider_npv, provider_irr, levelized_cost_per_unit, rho, ...).
    #[arg(long)]
    pub metric: Option<String>,
    /// The fleet of a fleet metric (default: the first candidate).
    #[arg(long, conflicts_with = "program")]
    pub fleet: Option<String>,
    /// The candidate of a comparison metric (default: the first candidate).
    #[arg(long, conflicts_with = "program")]
    pub candidate: Option<String>,
    /// Levels L for P(metric >= L), e.g. --above 0 or --above 0.09,0.12 (default: 0 for
    /// provider_npv and implied_margin, the discount rate for provider_irr, the claim levels
    /// for rho; none for other metrics).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub above: Vec<f64>,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Debug, Args)]
pub struct SolveArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The parameter to solve for.
    #[arg(long)]
    pub param: String,
    /// METRIC=VALUE, e.g. rho=1.30 or cost_per_unit=0.5.
    #[arg(long)]
    pub target: String,
    /// The candidate for comparison metrics (default: the first candidate).
    #[arg(long)]
    pub candidate: Option<String>,
    /// The fleet for fleet metrics.
    #[arg(long)]
    pub fleet: Option<String>,
    /// A [[program]] id: the target's metric is a program metric (rho, provider_irr, ...).
    #[arg(long)]
    pub program: Option<String>,
    /// Lower end of the search (default: the base value / 10, within the key's range).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Upper end of the search (default: the base value * 10, within the key's range).
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ElasticitiesArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub metric: MetricArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// What every scenario command takes.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override an input by its parameter path, e.g. --set 'fleet.trn2.chip.price=15k USD'.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// The baseline fleet of every comparison (same as --set compare.baseline=ID).
    #[arg(long, value_name = "ID")]
    pub baseline: Option<String>,
    /// Claim levels to test, as rho (same as --set compare.claim=1.3,1.4).
    #[arg(long, value_name = "LEVELS", allow_hyphen_values = true)]
    pub claim: Option<String>,
}

impl ScenarioArgs {
    /// `--set` assignments with --baseline and --claim folded in after them, so the resolved
    /// scenario records them like any other override.
    pub fn all_sets(&self) -> Vec<String> {
        let mut sets = self.sets.clone();
        if let Some(b) = &self.baseline {
            sets.push(format!("compare.baseline={b}"));
        }
        if let Some(c) = &self.claim {
            sets.push(format!("compare.claim={c}"));
        }
        sets
    }
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
    /// Chart size in pixels (with --out).
    #[arg(long, value_name = "WxH", default_value = "1600x1000", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Write the data files only, no charts (charts of an earlier run in the folder are removed).
    #[arg(long)]
    pub no_plots: bool,
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
    /// List the platforms (servers and racks, data/platforms.csv) instead of the chips.
    #[arg(long)]
    pub platforms: bool,
    /// Table format: one line per row and the sources unwrapped, however wide (default: fit
    /// 100 columns).
    #[arg(long)]
    pub wide: bool,
}

/// Fit the decode roofline (mfu, mbu, step_overhead) to measured points by least squares.
///
/// The CSV has a header `metric,value,unit,how measured`; rows used: `decode step, ..., batch
/// N, context C` (s/ms/us), `decode tokens/s, batch N[, context C]` (tokens/s), `prefill T
/// tokens[, batch N]` (s/ms/us), `training model FLOP/s ...` (the fallback mfu); others are
/// listed and skipped. The format is documented in docs/validation.md.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The measurement CSV, e.g. tests/data/h100_sxm_2026-11.csv (the measured H100 shipped with the tests).
    pub measured: PathBuf,
    /// Catalog id of the chip measured (its peak at --precision, hbm_bw and hbm).
    #[arg(long)]
    pub chip: String,
    /// Precision of the measured matmuls: fp32, tf32, bf16, fp8, fp4.
    #[arg(long, default_value = "bf16")]
    pub precision: String,
    /// A model shape preset (llama3-8b); the flags below override its fields.
    #[arg(long)]
    pub model: Option<String>,
    /// Parameters whose weights are read every decode step (e.g. 7.505e9).
    #[arg(long)]
    pub params: Option<f64>,
    #[arg(long)]
    pub layers: Option<f64>,
    #[arg(long)]
    pub kv_heads: Option<f64>,
    #[arg(long)]
    pub head_dim: Option<f64>,
    /// Bytes per weight (2 for bf16).
    #[arg(long)]
    pub weight_bytes: Option<f64>,
    /// Bytes per KV-cache element (2 for bf16).
    #[arg(long)]
    pub kv_bytes: Option<f64>,
    /// Query heads, for the prefill attention FLOPs (not counted without it).
    #[arg(long)]
    pub heads: Option<f64>,
    /// Context (tokens per sequence) of decode rows that do not state one.
    #[arg(long)]
    pub context: Option<f64>,
    /// Fix mfu instead of fitting it.
    #[arg(long)]
    pub mfu: Option<f64>,
    /// Fix mbu instead of fitting it.
    #[arg(long)]
    pub mbu: Option<f64>,
    /// The per-step overhead: auto (kept when it lowers the residual standard error), fit, zero.
    #[arg(long, default_value = "auto", value_parser = ["auto", "fit", "zero"])]
    pub overhead: String,
    /// table (the fit and the fragment), json, or toml (the fragment alone).
    #[arg(long, default_value = "table", value_parser = ["table", "json", "toml"])]
    pub format: String,
    /// Write the scenario fragment to this file (the report still goes to stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
