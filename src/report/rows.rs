//! Result rows: the section-7 output of MODEL.md as plain serde structs.
//!
//! Everything downstream of the model (tables, CSV, JSON, charts) reads these rows, never the
//! model's internals, so a run folder's `results.json` and `cashflow.csv` are enough to redraw
//! its charts.

use serde::{Deserialize, Serialize};

/// The whole result of `fleetcost run` (MODEL.md section 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub schema: u32,
    pub name: String,
    /// "flops", "training" or "inference".
    pub workload: String,
    pub precision: String,
    /// finance.horizon in years: the span of the cash-flow totals and levelized costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_years: Option<f64>,
    pub fleets: Vec<FleetRow>,
    pub comparisons: Vec<ComparisonRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractRow>,
    /// `[[program]]`s (MODEL.md section 8); absent without programs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<ProgramRow>,
    /// rho of levelized costs between programs (two or more programs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub program_comparisons: Vec<ProgramComparisonRow>,
}

/// One fleet's figures. Money in USD, power in W, rates per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetRow {
    pub id: String,
    /// Catalog id, or the inline chip's name.
    pub chip: String,
    /// What charts call the chip: the catalog's name ("NVIDIA H200 SXM"), or the inline chip's.
    #[serde(default)]
    pub chip_name: String,
    pub chips: u64,
    pub nodes: u64,
    pub it_power_w: f64,
    pub facility_power_w: f64,
    pub watts_per_chip: f64,
    pub hw_capex_per_chip: f64,
    pub facility_capex_per_chip: f64,
    pub capital_per_chip_year: f64,
    pub energy_per_chip_year: f64,
    pub upkeep_per_chip_year: f64,
    pub cost_per_chip_year: f64,
    pub cost_per_chip_hour: f64,
    pub effective_flops_per_chip: f64,
    pub work_unit: String,
    pub work_per_chip_year: f64,
    pub cost_per_unit: f64,
    pub annual_cost: f64,
    pub horizon_cost_nominal: f64,
    pub horizon_cost_pv: f64,
    /// PV of the cash / PV of the work over the horizon; `cost_per_unit` is the annualised one.
    #[serde(default)]
    pub levelized_cost_per_unit: f64,
    /// Training and inference only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_s_per_chip: Option<f64>,
    /// Inference only: sequences decoded together per replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
    /// Inference only: chips holding one model replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_chips: Option<u64>,
    /// Inference, disaggregated serving only: chips per prefill replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill_replica_chips: Option<u64>,
    /// Inference only: "compute" or "bandwidth", the larger term of the decode step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    /// Inference only: what set the batch: "given", "hbm", "max_batch" or "tpot".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_limit: Option<String>,
    /// Inference with input tokens only: s to the first token (one request's prefill).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft: Option<f64>,
    /// Inference only: s per output token seen by one user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpot: Option<f64>,
    /// Inference only: 1 / tpot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_s_per_user: Option<f64>,
    /// Inference with input tokens only: USD per 1M input tokens (the prefill's share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_m_input_tokens: Option<f64>,
    /// Inference only: USD per 1M output tokens without the prefill's share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_m_output_tokens: Option<f64>,
    /// Inference only: facility J per output token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joules_per_token: Option<f64>,
    /// Inference only: output tokens/s per MW of provisioned facility power.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_per_s_per_mw: Option<f64>,
    /// Training with `tokens` only: cost of one run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_cost: Option<f64>,
    /// Training with `tokens` only: wall time of one run on the whole fleet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_seconds: Option<f64>,
    /// Training with `tokens` only: chip-hours of one run (N * run_seconds / 3600), the
    /// "GPU hours" of model cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chip_hours: Option<f64>,
    /// Facility joules per unit of work: w * power_load * pue * 8766 h / work per chip-year.
    #[serde(default)]
    pub joules_per_unit: f64,
    /// With `site.carbon_intensity` only: kg CO2e per unit of work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kg_co2e_per_unit: Option<f64>,
    // Added keys (MODEL.md: "more may be added"): the split of capital and the rent, so the
    // cost-breakdown chart can be drawn from the row alone.
    /// "own" or "rent".
    #[serde(default)]
    pub mode: String,
    /// Hardware part of `capital_per_chip_year`: hw * CRF(r, hardware_life).
    #[serde(default)]
    pub hw_capital_per_chip_year: f64,
    /// Facility part of `capital_per_chip_year`: fac * CRF(r, facility_life).
    #[serde(default)]
    pub facility_capital_per_chip_year: f64,
    /// rent * 8766 for a rented fleet, else 0.
    #[serde(default)]
    pub rent_per_chip_year: f64,
    /// `site.power` (W): the budget the fleet was sized to, or, with a fixed `chips`, the one it
    /// must fit in; null when the scenario gives no site power.
    #[serde(default)]
    pub power_budget_w: Option<f64>,
    /// The precision the fleet runs: its own `precision`, or the workload's.
    #[serde(default)]
    pub precision: String,
    /// Training only: FLOP per token, 6 * active_params (+ the attention term with seq_len).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flops_per_token: Option<f64>,
}

/// One candidate against the baseline (MODEL.md section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub candidate: String,
    pub baseline: String,
    /// cost_per_unit(baseline) / cost_per_unit(candidate).
    pub rho: f64,
    /// 1 - 1/rho.
    pub cost_reduction: f64,
    pub claims: Vec<ClaimRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRow {
    pub level: f64,
    pub holds: bool,
    /// rho - level.
    pub margin: f64,
}

/// The contract check (MODEL.md section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRow {
    pub fleet: String,
    pub value: f64,
    pub term_years: f64,
    pub implied_per_chip_hour: f64,
    pub cost_per_chip_hour: f64,
    /// Margin on the price: 1 - cost / implied.
    pub implied_margin: f64,
    /// Markup on the cost: implied / cost - 1.
    #[serde(default)]
    pub implied_markup: f64,
    pub term_cost_nominal: f64,
}

/// One row of cashflow.csv: one fleet in one year (MODEL.md section 3). Whole-fleet USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CashflowRow {
    pub fleet: String,
    pub year: u32,
    pub capex: f64,
    pub energy: f64,
    pub upkeep: f64,
    pub rent: f64,
    /// Residual value (remaining service at the cost of capital) credited in the last year
    /// (negative cost).
    pub residual: f64,
    pub total: f64,
    pub discounted_total: f64,
}

/// One program: capacity over time and what it costs (MODEL.md section 8). Whole-program USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramRow {
    pub id: String,
    pub work_unit: String,
    pub nominal_cost: f64,
    pub pv_cost: f64,
    pub pv_work: f64,
    /// pv_cost / pv_work: the unit cost levelized over the horizon.
    pub levelized_cost_per_unit: f64,
    pub peak_power_w: f64,
    pub peak_chips: f64,
    /// Added key: each tranche as sized.
    pub tranches: Vec<TrancheRow>,
    pub years: Vec<ProgramYearRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<ProgramContractRow>,
}

/// One tranche of a program as sized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrancheRow {
    pub fleet: String,
    pub start_years: f64,
    pub chips: f64,
    pub nodes: f64,
    pub it_power_w: f64,
    pub facility_power_w: f64,
}

/// One program-year (year k covers (k-1, k]); also a row of program_years.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramYearRow {
    pub year: u32,
    /// Facility power of the tranches online at the end of the year.
    pub power_online_w: f64,
    pub chips_online: f64,
    pub capex: f64,
    pub energy: f64,
    pub upkeep: f64,
    pub rent: f64,
    /// Residual value credited in the last year (negative cost).
    pub residual: f64,
    pub total: f64,
    pub discounted_total: f64,
    /// Units of work delivered in the year.
    pub work: f64,
    /// Contract payments accrued in the year.
    pub payments: f64,
    /// payments - total.
    pub net: f64,
}

/// The provider's side of a program's contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramContractRow {
    pub value: f64,
    pub start_years: f64,
    pub term_years: f64,
    pub payments_pv: f64,
    pub provider_npv: f64,
    /// null when no rate zeroes the net flows; `irr_note` says why.
    pub provider_irr: Option<f64>,
    pub multiple_irr: bool,
    /// Why provider_irr is null, or which root was taken when there are several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irr_note: Option<String>,
    /// First year with cumulative nominal net >= 0; null when never.
    pub payback_year: Option<u32>,
    pub implied_per_unit: f64,
    pub implied_per_chip_hour: f64,
    /// provider_npv / payments_pv.
    pub implied_margin: f64,
}

/// One program against the baseline program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramComparisonRow {
    pub candidate: String,
    pub baseline: String,
    /// levelized cost per unit of the baseline / of the candidate.
    pub rho: f64,
}
