//! The pure cost model of MODEL.md sections 2-5: no files, no printing.
//!
//! `evaluate` turns validated [`Inputs`] into per-fleet figures, comparisons and the contract
//! check. `fleet_figures` is the per-fleet kernel the analysis commands call in their loops.

pub mod cashflow;
pub mod compare;
pub mod cost;
pub mod finance;
pub mod inputs;
pub mod program;
pub mod serving;
pub mod sizing;
pub mod work;

pub use inputs::*;

use crate::units::{HOURS_PER_YEAR, SECONDS_PER_YEAR};
use cost::ChipYearCost;
use serving::{ReplicaSize, Requests, Serving, ServingChip, ServingShape};

/// Everything the model says about one fleet. Money in USD, power in W, per chip-year unless
/// the name says otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetFigures {
    pub chips: f64,
    pub nodes: f64,
    pub watts_per_chip: f64,
    pub it_power: f64,
    pub facility_power: f64,
    /// The fleet's effective pue (its own or the site's).
    pub pue: f64,
    pub cost: ChipYearCost,
    pub cost_per_chip_year: f64,
    pub effective_flops: f64,
    /// Training and inference.
    pub tokens_per_s: Option<f64>,
    pub work_per_chip_year: f64,
    pub cost_per_unit: f64,
    pub annual_cost: f64,
    /// Sum of the cash-flow table's totals (section 3): purchases, refreshes, running costs,
    /// the residual credit.
    pub horizon_cost_nominal: f64,
    /// Sum of the table's discounted totals.
    pub horizon_cost_pv: f64,
    /// PV of the cash / PV of the work in the same years: the unit cost levelized over the
    /// horizon (the annualised one is `cost_per_unit`).
    pub levelized_cost_per_unit: f64,
    /// Inference only.
    pub serving: Option<Serving>,
    /// Training with `tokens` only.
    pub run_cost: Option<f64>,
    pub run_seconds: Option<f64>,
    /// Training with `tokens` only: N * run_seconds / 3600.
    pub chip_hours: Option<f64>,
    /// The precision the fleet runs (its own or the workload's).
    pub precision: Precision,
    /// Training only: FLOP per token (6 Pa, plus the attention term with seq_len).
    pub flops_per_token: Option<f64>,
    /// Facility joules per unit of work.
    pub joules_per_unit: f64,
    /// With `site.carbon_intensity` only: kg CO2e per unit of work (kg/kWh * J / 3.6e6).
    pub kg_co2e_per_unit: Option<f64>,
}

/// rho of one candidate against the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub candidate: usize,
    pub baseline: usize,
    pub rho: f64,
}

impl Comparison {
    /// "x % lower cost per unit": 1 - 1/rho.
    pub fn cost_reduction(&self) -> f64 {
        1.0 - 1.0 / self.rho
    }
}

/// The contract check's figures (MODEL.md section 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContractFigures {
    pub fleet: usize,
    pub value: f64,
    pub term_years: f64,
    pub implied_per_chip_hour: f64,
    pub cost_per_chip_hour: f64,
    /// Margin on the price: 1 - cost / implied.
    pub implied_margin: f64,
    /// Markup on the cost: implied / cost - 1.
    pub implied_markup: f64,
    pub term_cost_nominal: f64,
}

/// The model's whole answer for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub fleets: Vec<FleetFigures>,
    pub comparisons: Vec<Comparison>,
    pub contract: Option<ContractFigures>,
    /// `[[program]]`s in file order (section 8).
    pub programs: Vec<program::ProgramFigures>,
    /// (candidate, baseline, rho of levelized costs) for two or more programs.
    pub program_comparisons: Vec<(usize, usize, f64)>,
}

/// The most chips a fleet may have, given or sized from its power budget: about ten thousand
/// times all the data-centre AI accelerators ever made, and exact in f64 and u64.
pub const MAX_FLEET_CHIPS: f64 = 1e12;

/// Why the model cannot give an answer for these inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error(
        "fleet '{fleet}': the power budget ({budget}) is below one node: one node of {} needs \
         {node_it} of IT power ({node_facility} at the facility with pue {}); raise \
         site.power or set fleet.{fleet}.chips",
        if *chips_per_node == 1.0 { "1 chip".to_string() } else { format!("{chips_per_node} chips") },
        crate::units::format::fmt_short(*pue, 4)
    )]
    BelowOneNode {
        fleet: String,
        budget: String,
        chips_per_node: f64,
        node_it: String,
        node_facility: String,
        pue: f64,
    },
    /// The serving model refuses the setup; `key` is the workload key to change first.
    #[error("fleet '{fleet}': {reason}")]
    Serving {
        fleet: String,
        key: &'static str,
        reason: String,
    },
    #[error(
        "fleet '{fleet}': {quantity} is {}, not a finite positive number; it comes from {inputs}",
        value_text(*value)
    )]
    NotFinite {
        fleet: String,
        quantity: &'static str,
        value: f64,
        inputs: &'static str,
    },
    #[error(
        "fleet '{fleet}': the power budget ({budget}) holds {} chips, more than the {} a fleet \
         may have; lower site.power or set fleet.{fleet}.chips",
        crate::units::format::fmt_thousands(*chips, 0),
        crate::units::format::fmt_thousands(*max, 0)
    )]
    TooManyChips {
        fleet: String,
        budget: String,
        chips: f64,
        max: f64,
    },
    #[error("program '{program}': {reason}")]
    Program { program: String, reason: String },
    /// One model replica (with its prefill replica when disaggregated) needs more chips than
    /// the fleet has; `key` is the scenario key that sets the fleet's size.
    #[error(
        "fleet '{fleet}': one replica of the model needs {} but the fleet has {}; \
         {fix}",
        chips_text(*needed),
        chips_text(*chips)
    )]
    ReplicaLargerThanFleet {
        fleet: String,
        needed: f64,
        chips: f64,
        key: String,
        fix: String,
    },
    #[error(
        "fleet '{fleet}' costs nothing per unit of work (every price, rent and electricity \
         figure is 0), so no price-performance ratio can be formed with it"
    )]
    FreeFleet { fleet: String },
}

/// A figure in a refusal: "too large to compute (it overflows)", "undefined", or the number
/// by the one number rule (never "inf" or "NaN").
fn value_text(v: f64) -> String {
    if v.is_nan() {
        "undefined (it comes out as 0/0)".into()
    } else if v.is_infinite() {
        "too large to compute (it overflows)".into()
    } else {
        crate::units::format::fmt_short(v, 4)
    }
}

fn chips_text(n: f64) -> String {
    let s = crate::units::format::fmt_thousands(n, 0);
    if n == 1.0 {
        format!("{s} chip")
    } else {
        format!("{s} chips")
    }
}

/// Refuses a fleet of `chips` that cannot hold one replica of the serving setup `d`: a fleet
/// smaller than its replica is not a fleet that serves (the per-chip figures would cost a
/// fraction of a replica).
fn replica_fits(inputs: &Inputs, f: &Fleet, chips: f64, d: &Serving) -> Result<(), ModelError> {
    let needed = if inputs.workload.disaggregated {
        d.replica_chips + d.prefill_chips
    } else {
        d.replica_chips
    };
    if chips >= needed {
        return Ok(());
    }
    let id = &f.id;
    let n = crate::units::format::fmt_thousands(needed, 0);
    let (key, fix) = if f.chips.is_some() {
        (
            format!("fleet.{id}.chips"),
            format!(
                "set fleet.{id}.chips to at least {n}, or a smaller replica \
                 (fleet.{id}.tensor_parallel, workload.batch)"
            ),
        )
    } else {
        (
            "site.power".to_string(),
            format!(
                "raise site.power until the fleet has at least {n} chips, or set a smaller \
                 replica (fleet.{id}.tensor_parallel, workload.batch)"
            ),
        )
    };
    Err(ModelError::ReplicaLargerThanFleet {
        fleet: id.clone(),
        needed,
        chips,
        key,
        fix,
    })
}

/// The site values a fleet sees: its own override or the site's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetSite {
    pub pue: f64,
    /// USD per J (0 when absent: only rented fleets may lack it).
    pub electricity: f64,
    pub facility_capex: f64,
    pub facility_life: f64,
    pub facility_opex: f64,
}

impl FleetSite {
    pub fn of(fleet: &Fleet, site: &Site) -> FleetSite {
        FleetSite {
            pue: fleet.pue.unwrap_or(site.pue),
            electricity: fleet.electricity.or(site.electricity).unwrap_or(0.0),
            facility_capex: fleet.facility_capex.unwrap_or(site.facility_capex),
            facility_life: fleet.facility_life.unwrap_or(site.facility_life),
            facility_opex: fleet.facility_opex.unwrap_or(site.facility_opex),
        }
    }
}

/// Provisioned IT watts per chip of a fleet.
pub fn watts_per_chip(f: &Fleet) -> f64 {
    sizing::watts_per_chip(f.chip.tdp, f.node_power, f.chips_per_node, f.network_power)
}

/// Capital recovery factors already computed for one set of inputs, keyed by (rate, years):
/// fleets with equal lives share them. A few entries on the stack; start a new one whenever
/// the discount rate or a life may have changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct CrfMemo {
    entries: [(f64, f64, f64); 8],
    len: usize,
    next: usize,
    /// The last rate seen and ln(1 + rate).
    log: Option<(f64, f64)>,
}

impl CrfMemo {
    /// CRF(r, years), computed once per distinct (r, years).
    pub fn crf(&mut self, r: f64, years: f64) -> f64 {
        for &(er, ey, v) in &self.entries[..self.len] {
            if er == r && ey == years {
                return v;
            }
        }
        let ln_1p = match self.log {
            Some((lr, l)) if lr == r => l,
            _ => {
                let l = r.ln_1p();
                self.log = Some((r, l));
                l
            }
        };
        let v = finance::crf_from_log(r, ln_1p, years);
        // A ring: a long-lived memo (a sweep's) replaces its oldest entry.
        self.entries[self.next] = (r, years, v);
        self.next = (self.next + 1) % self.entries.len();
        self.len = (self.len + 1).min(self.entries.len());
        v
    }
}

/// The cost of one chip-year of fleet `f` (owned or rented).
pub fn chip_year_cost(f: &Fleet, s: &FleetSite, finance: &Finance, watts: f64) -> ChipYearCost {
    chip_year_cost_memo(f, s, finance, watts, &mut CrfMemo::default())
}

fn chip_year_cost_memo(
    f: &Fleet,
    s: &FleetSite,
    finance: &Finance,
    watts: f64,
    memo: &mut CrfMemo,
) -> ChipYearCost {
    if let Some(rent) = f.rent {
        return cost::rented(rent * 3600.0);
    }
    let i = cost::OwnCostInputs {
        watts,
        hw_capex: cost::hw_capex(
            f.chip.price.unwrap_or(0.0),
            f.node_price,
            f.chips_per_node,
            f.network_price,
        ),
        hardware_life_years: f.hardware_life.unwrap_or(f64::NAN) / SECONDS_PER_YEAR,
        discount_rate: finance.discount_rate,
        facility_capex_per_w: s.facility_capex,
        facility_life_years: s.facility_life / SECONDS_PER_YEAR,
        facility_opex_per_w_year: s.facility_opex * SECONDS_PER_YEAR,
        power_load: f.power_load,
        pue: s.pue,
        electricity: s.electricity,
        maintenance: f.maintenance,
        software_per_year: f.software * SECONDS_PER_YEAR,
    };
    let hw_crf = memo.crf(i.discount_rate, i.hardware_life_years);
    let facility_crf = memo.crf(i.discount_rate, i.facility_life_years);
    cost::owned_with_crf(&i, hw_crf, facility_crf)
}

/// The power budget of a fleet sized to power, as written and as IT watts (`site.power` over
/// the fleet's pue on a facility basis).
fn power_budget(inputs: &Inputs, pue: f64) -> (f64, f64) {
    let power = inputs.site.power.unwrap_or(0.0);
    let facility = inputs.site.power_basis == PowerBasis::Facility;
    (power, sizing::it_budget(power, pue, facility))
}

/// Nodes and chips of fleet `f`: its fixed `chips`, or whole nodes in the power budget, which
/// must hold at least one node and at most [`MAX_FLEET_CHIPS`] chips.
fn size(inputs: &Inputs, f: &Fleet, pue: f64, w: f64) -> Result<(f64, f64), ModelError> {
    if let Some(n) = f.chips {
        return Ok(sizing::size_to_count(n, f.chips_per_node));
    }
    let (power, it) = power_budget(inputs, pue);
    let (nodes, chips) = sizing::size_to_power(it, f.chips_per_node, w);
    if chips < 1.0 {
        return Err(below_one_node(inputs, f, pue, w, power));
    }
    if chips > MAX_FLEET_CHIPS {
        return Err(ModelError::TooManyChips {
            fleet: f.id.clone(),
            budget: crate::units::format::fmt_si(power, "W", 3),
            chips,
            max: MAX_FLEET_CHIPS,
        });
    }
    Ok((nodes, chips))
}

/// [`size`]'s refusal of a budget below one node without the sizing, for the per-unit kernel
/// (cost per unit does not depend on the fleet's size), to the same few ulps
/// [`sizing::tolerant_floor`] absorbs. A product instead of size's quotient keeps a division
/// off the Monte Carlo's hot path.
#[inline]
fn fits_one_node(inputs: &Inputs, f: &Fleet, pue: f64, w: f64) -> Result<(), ModelError> {
    if f.chips.is_some() {
        return Ok(());
    }
    let (power, it) = power_budget(inputs, pue);
    if it < f.chips_per_node * w * (1.0 - 4.0 * f64::EPSILON) {
        return Err(below_one_node(inputs, f, pue, w, power));
    }
    Ok(())
}

/// What one chip of fleet `f` delivers: effective FLOP/s, tokens/s (training, inference),
/// work per chip-year in the workload's unit, and the decode setup (inference).
struct ChipWork {
    effective_flops: f64,
    flops_per_token: Option<f64>,
    tokens_per_s: Option<f64>,
    per_year: f64,
    serving: Option<Serving>,
}

fn chip_work(wl: &Workload, f: &Fleet) -> Result<ChipWork, ModelError> {
    chip_work_cached(wl, f, None)
}

/// The last serving result of one fleet, keyed by everything it depends on.
type ServingEntry = Option<(ServingShape, ServingChip, Serving)>;

/// [`chip_work`] reusing `cache`'s serving result when the shape and chip are the same as
/// last time (a Monte Carlo draw that moved only prices or power does not change how a chip
/// serves, and the serving search is most of an inference draw's time).
fn chip_work_cached(
    wl: &Workload,
    f: &Fleet,
    cache: Option<&mut ServingEntry>,
) -> Result<ChipWork, ModelError> {
    let peak = f.chip.peak[f.precision(wl).index()].unwrap_or(f64::NAN);
    let effective_flops = work::effective_flops(peak, f.mfu, f.availability);
    let mut flops_per_token = None;
    let (tokens_per_s, per_year, serving) = match wl.kind {
        WorkloadKind::Flops => (None, work::eflop_per_year(effective_flops), None),
        WorkloadKind::Training => {
            let f_tok = wl.training_flops_per_token();
            flops_per_token = Some(f_tok);
            let t = work::training_tokens_per_s(effective_flops, f_tok);
            (Some(t), work::mtokens_per_year(t), None)
        }
        WorkloadKind::Inference => {
            let (shape, chip) = (serving_shape(wl, f), serving_chip(f, peak));
            let d = match cache {
                Some(Some((s0, c0, d))) if *s0 == shape && *c0 == chip => *d,
                cache => {
                    let d = serving::serve(&shape, &chip).map_err(|e| ModelError::Serving {
                        fleet: f.id.clone(),
                        key: e.key(),
                        reason: e.to_string(),
                    })?;
                    if let Some(slot) = cache {
                        *slot = Some((shape, chip, d));
                    }
                    d
                }
            };
            let t = d.tokens_per_s_per_chip;
            (Some(t), work::mtokens_per_year(t), Some(d))
        }
    };
    Ok(ChipWork {
        effective_flops,
        flops_per_token,
        tokens_per_s,
        per_year,
        serving,
    })
}

/// Per-fleet kernel: sizing, cost, work and totals for fleet `index`.
pub fn fleet_figures(inputs: &Inputs, index: usize) -> Result<FleetFigures, ModelError> {
    let f = &inputs.fleets[index];
    let site = FleetSite::of(f, &inputs.site);
    let w = watts_per_chip(f);
    let (nodes, chips) = size(inputs, f, site.pue, w)?;
    let cost = chip_year_cost(f, &site, &inputs.finance, w);
    let c = cost.total();
    let wl = &inputs.workload;
    let work = chip_work(wl, f)?;
    if let Some(d) = &work.serving {
        replica_fits(inputs, f, chips, d)?;
    }
    let cost_per_unit = c / work.per_year;
    let run = match (wl.kind, wl.tokens, work.tokens_per_s) {
        (WorkloadKind::Training, Some(tokens), Some(t)) => {
            let seconds = work::run_seconds(tokens, chips, t);
            Some((
                tokens / 1e6 * cost_per_unit,
                seconds,
                work::chip_hours(chips, seconds),
            ))
        }
        _ => None,
    };
    let joules_per_unit = work::joules_per_unit(w, f.power_load, site.pue, work.per_year);
    let annual_cost = chips * c;
    let mut figures = FleetFigures {
        chips,
        nodes,
        watts_per_chip: w,
        it_power: chips * w,
        facility_power: chips * w * site.pue,
        pue: site.pue,
        cost,
        cost_per_chip_year: c,
        effective_flops: work.effective_flops,
        tokens_per_s: work.tokens_per_s,
        work_per_chip_year: work.per_year,
        cost_per_unit,
        annual_cost,
        horizon_cost_nominal: f64::NAN,
        horizon_cost_pv: f64::NAN,
        levelized_cost_per_unit: f64::NAN,
        serving: work.serving,
        run_cost: run.map(|x| x.0),
        run_seconds: run.map(|x| x.1),
        chip_hours: run.map(|x| x.2),
        precision: f.precision(wl),
        flops_per_token: work.flops_per_token,
        joules_per_unit,
        kg_co2e_per_unit: inputs
            .site
            .carbon_intensity
            .map(|kg_per_kwh| kg_per_kwh * joules_per_unit / 3.6e6),
    };
    // Totals come from the cash-flow table and nowhere else (section 3).
    let rows = cashflow::fleet_cashflow(inputs, index, &figures);
    let (nominal, pv, pv_work, _) = cashflow::totals(&rows, inputs.finance.discount_rate);
    figures.horizon_cost_nominal = nominal;
    figures.horizon_cost_pv = pv;
    figures.levelized_cost_per_unit = pv / pv_work;
    check_finite(&f.id, &figures)?;
    Ok(figures)
}

/// The lean kernel of the analysis loops: cost per unit of work of fleet `index`, with the
/// same refusals as [`fleet_figures`] (a budget below one node, a batch that does not fit, a
/// result that is not finite) but without totals.
pub fn unit_cost(inputs: &Inputs, index: usize) -> Result<f64, ModelError> {
    unit_cost_memo(inputs, index, &mut CrfMemo::default())
}

/// Cost per unit of every fleet into `out` (one per fleet), sharing capital recovery factors
/// between fleets: the kernel of the Monte Carlo loop.
pub fn unit_costs(inputs: &Inputs, out: &mut [f64]) -> Result<(), ModelError> {
    let mut memo = CrfMemo::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = unit_cost_memo(inputs, i, &mut memo)?;
    }
    Ok(())
}

/// The memos of the per-unit kernel that a Monte Carlo thread keeps across draws: capital
/// recovery factors, and each fleet's last serving result. Both are keyed by what they depend
/// on, so they are always valid and the results are the same bits as without them.
#[derive(Debug, Clone, Default)]
pub struct KernelMemo {
    crf: CrfMemo,
    serving: Vec<ServingEntry>,
}

/// [`unit_costs`] with memos kept across calls (the Monte Carlo's hot path).
pub fn unit_costs_memo(
    inputs: &Inputs,
    out: &mut [f64],
    memo: &mut KernelMemo,
) -> Result<(), ModelError> {
    memo.serving.resize(out.len(), None);
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = unit_cost_kernel(inputs, i, &mut memo.crf, Some(&mut memo.serving[i]))?;
    }
    Ok(())
}

/// [`unit_cost`] with a memo of capital recovery factors that the caller keeps across
/// evaluations (it is keyed by the rate and life themselves, so it is always valid).
pub fn unit_cost_memo(
    inputs: &Inputs,
    index: usize,
    memo: &mut CrfMemo,
) -> Result<f64, ModelError> {
    unit_cost_kernel(inputs, index, memo, None)
}

fn unit_cost_kernel(
    inputs: &Inputs,
    index: usize,
    memo: &mut CrfMemo,
    serving: Option<&mut ServingEntry>,
) -> Result<f64, ModelError> {
    let f = &inputs.fleets[index];
    let site = FleetSite::of(f, &inputs.site);
    let w = watts_per_chip(f);
    fits_one_node(inputs, f, site.pue, w)?;
    let c = chip_year_cost_memo(f, &site, &inputs.finance, w, memo).total();
    let work = chip_work_cached(&inputs.workload, f, serving)?;
    if let Some(d) = &work.serving {
        // The fleet's chips without size's other refusals (fits_one_node made the one that
        // matters here): the per-unit kernel refuses what fleet_figures refuses, no more.
        let chips = match f.chips {
            Some(n) => n,
            None => sizing::size_to_power(power_budget(inputs, site.pue).1, f.chips_per_node, w).1,
        };
        replica_fits(inputs, f, chips, d)?;
    }
    let cost_per_unit = c / work.per_year;
    if cost_per_unit.is_finite() && work.per_year > 0.0 {
        return Ok(cost_per_unit);
    }
    // Rare: let the full kernel name the culprit.
    fleet_figures(inputs, index).map(|g| g.cost_per_unit)
}

fn below_one_node(inputs: &Inputs, f: &Fleet, pue: f64, w: f64, power: f64) -> ModelError {
    use crate::units::format::fmt_si;
    let node_it = f.chips_per_node * w;
    let basis = match inputs.site.power_basis {
        PowerBasis::Facility => "facility",
        PowerBasis::It => "IT",
    };
    ModelError::BelowOneNode {
        fleet: f.id.clone(),
        budget: format!("{} {basis}", fmt_si(power, "W", 3)),
        chips_per_node: f.chips_per_node,
        node_it: fmt_si(node_it, "W", 3),
        node_facility: fmt_si(node_it * pue, "W", 3),
        pue,
    }
}

fn check_finite(fleet: &str, g: &FleetFigures) -> Result<(), ModelError> {
    let checks: [(&'static str, f64, &'static str); 5] = [
        (
            "cost per chip-year",
            g.cost_per_chip_year,
            "prices, lives, discount rate, electricity, rent and overheads",
        ),
        (
            "work per chip-year",
            g.work_per_chip_year,
            "chip peak, mfu, availability and the workload's figures",
        ),
        (
            "fleet IT power",
            g.it_power,
            "site.power, pue, chips and the chip's and node's power",
        ),
        (
            "horizon cost",
            g.horizon_cost_pv + g.horizon_cost_nominal + g.levelized_cost_per_unit,
            "chips, cost per chip-year, discount rate and horizon",
        ),
        (
            // The energy table's figure: a tiny work per chip-year (mfu = 1e-305) left it
            // infinite in a run that validated.
            "energy per unit of work",
            g.joules_per_unit,
            "the chip's and node's power, pue, power_load and work per chip-year",
        ),
    ];
    for (quantity, value, inputs) in checks {
        let bad = !value.is_finite() || (quantity == "work per chip-year" && value <= 0.0);
        if bad {
            return Err(ModelError::NotFinite {
                fleet: fleet.to_string(),
                quantity,
                value,
                inputs,
            });
        }
    }
    Ok(())
}

/// The serving shape of an inference workload, with the fleet's tensor_parallel override (a
/// fleet's number or "auto" wins over the workload's).
pub fn serving_shape(wl: &Workload, f: &Fleet) -> ServingShape {
    let nan = f64::NAN;
    let model_params = wl.model_params.unwrap_or(nan);
    let requests = match (wl.input_tokens, wl.output_tokens) {
        (None, None) => Requests::DecodeOnly {
            context: wl.context.unwrap_or(nan),
        },
        (i, o) => Requests::Full {
            input: i.unwrap_or(0.0),
            output: o.unwrap_or(nan),
        },
    };
    let replica = if let Some(n) = f.tensor_parallel {
        ReplicaSize::Fixed(n)
    } else if f.tensor_parallel_auto || wl.tensor_parallel_auto {
        ReplicaSize::Auto
    } else if let Some(n) = wl.tensor_parallel {
        ReplicaSize::Fixed(n)
    } else {
        ReplicaSize::Fewest
    };
    ServingShape {
        model_params,
        active_params: wl.active_params.unwrap_or(model_params),
        layers: wl.layers.unwrap_or(nan),
        kv_heads: wl.kv_heads.unwrap_or(nan),
        head_dim: wl.head_dim.unwrap_or(nan),
        heads: wl.heads,
        hidden: wl.hidden,
        weight_bytes: wl.weight_bytes.unwrap_or(nan),
        kv_bytes: wl.kv_bytes.unwrap_or(nan),
        requests,
        batch: if wl.batch_max { None } else { wl.batch },
        replica,
        memory_reserve: wl.memory_reserve,
        max_batch: wl.max_batch,
        prefill_chunk: wl.prefill_chunk,
        tpot: wl.tpot,
        ttft: wl.ttft,
        moe: match (wl.experts, wl.experts_per_token) {
            (Some(experts), Some(per_token)) => Some(serving::Moe { experts, per_token }),
            _ => None,
        },
        speculation: wl.spec_tokens.map(|tokens| serving::Speculation {
            tokens,
            acceptance: wl.acceptance.unwrap_or(nan),
            draft_cost: wl.draft_cost,
        }),
        disaggregated: wl.disaggregated,
        prefill_replica: wl.prefill_tensor_parallel,
        // The refinements of docs/model.md (the request form only).
        refined: true,
    }
}

/// One chip of fleet `f` as the serving model sees it, at dense FLOP/s `peak`.
pub fn serving_chip(f: &Fleet, peak: f64) -> ServingChip {
    ServingChip {
        peak,
        mfu: f.mfu,
        prefill_mfu: f.prefill_mfu.unwrap_or(f.mfu),
        hbm: f.chip.hbm.unwrap_or(f64::NAN),
        hbm_bw: f.chip.hbm_bw.unwrap_or(f64::NAN),
        mbu: f.mbu.unwrap_or(f64::NAN),
        step_overhead: f.step_overhead,
        availability: f.availability,
        scaleup_bw: f.chip.scaleup_bw,
        allreduce_latency: f.allreduce_latency.unwrap_or(DEFAULT_ALLREDUCE_LATENCY),
        chips_per_node: f.chips_per_node,
    }
}

/// The whole model: every fleet, every comparison, the contract check.
pub fn evaluate(inputs: &Inputs) -> Result<Outcome, ModelError> {
    let fleets = (0..inputs.fleets.len())
        .map(|i| fleet_figures(inputs, i))
        .collect::<Result<Vec<_>, _>>()?;
    let comparisons = compare::comparisons(inputs, &fleets)?;
    let contract = inputs.contract.as_ref().map(|c| {
        let g = &fleets[c.fleet];
        compare::contract(c, g)
    });
    let programs = program::programs(inputs)?;
    let program_comparisons = program::comparisons(inputs, &programs);
    Ok(Outcome {
        fleets,
        comparisons,
        contract,
        programs,
        program_comparisons,
    })
}

/// Cost per chip-hour from cost per chip-year.
pub fn per_hour(per_year: f64) -> f64 {
    per_year / HOURS_PER_YEAR
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Refusals name a figure that is not finite in words, never "inf" or "NaN".
    #[test]
    fn a_figure_that_is_not_finite_is_named_in_words() {
        let e = |value: f64| {
            ModelError::NotFinite {
                fleet: "a".into(),
                quantity: "horizon cost",
                value,
                inputs: "x",
            }
            .to_string()
        };
        assert_eq!(
            e(f64::INFINITY),
            "fleet 'a': horizon cost is too large to compute (it overflows), not a finite \
             positive number; it comes from x"
        );
        assert!(e(f64::NAN).contains("is undefined (it comes out as 0/0)"));
        assert!(e(-1e308).contains("is -1e308,"));
        for v in [f64::INFINITY, f64::NAN, f64::NEG_INFINITY] {
            let t = e(v).to_lowercase();
            assert!(!t.contains("inf,") && !t.contains("nan"), "{t}");
        }
    }

    /// A fleet smaller than one replica is refused by the full kernel and by the per-unit
    /// kernel of the analysis loops alike: Llama-3-70B at fp8 on H100s takes 4-chip replicas
    /// (tensor_parallel = "auto" in the shipped scenario).
    #[test]
    fn both_kernels_refuse_a_replica_larger_than_its_fleet() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/llama70b-inference.toml"
        );
        let mut x = crate::scenario::load(std::path::Path::new(path))
            .unwrap()
            .inputs;
        let i = x.fleets.iter().position(|f| f.id == "h100").unwrap();
        let replica = fleet_figures(&x, i).unwrap().serving.unwrap().replica_chips;
        assert_eq!(replica, 4.0);
        for (chips, fits) in [(1.0, false), (3.0, false), (4.0, true), (5.0, true)] {
            x.fleets[i].chips = Some(chips);
            let full = fleet_figures(&x, i).map(|g| g.cost_per_unit);
            let quick = unit_cost(&x, i);
            assert_eq!(full.is_ok(), fits, "{chips} chips");
            assert_eq!(quick.is_ok(), fits, "{chips} chips");
            if let Err(ModelError::ReplicaLargerThanFleet { needed, key, .. }) = quick {
                assert_eq!((needed, key.as_str()), (4.0, "fleet.h100.chips"));
            } else if !fits {
                panic!("{chips} chips: {quick:?}");
            }
        }
    }

    /// The per-unit kernel's quick check refuses exactly the budgets `size` refuses, at and
    /// around one node (8 chips of 1,000 W, pue 1.1 on a facility basis: one node needs
    /// 8,800 W at the facility), including the float-noise case 8,800 / 1.1 = 7,999.999... W.
    #[test]
    fn the_quick_node_check_agrees_with_sizing() {
        let mut chip = Chip::blank("x");
        chip.tdp = 1000.0;
        let mut f = Fleet::new("a", chip);
        f.chips_per_node = 8.0;
        let mut x = Inputs::scaffold(Workload::new(WorkloadKind::Flops, Precision::Bf16), vec![f]);
        x.site.pue = 1.1;
        let f = &x.fleets[0];
        let w = watts_per_chip(f);
        assert_eq!(w, 1000.0);
        for power in [
            0.0, 1.0, 8_000.0, 8_799.0, 8_799.999, 8_800.0, 8_800.001, 9_000.0, 17_600.0, 1e12,
        ] {
            x.site.power = Some(power);
            let sized = size(&x, &x.fleets[0], 1.1, w).is_ok();
            let quick = fits_one_node(&x, &x.fleets[0], 1.1, w).is_ok();
            assert_eq!(sized, quick, "power {power} W");
            assert_eq!(sized, power >= 8_800.0, "power {power} W");
        }
    }
}
