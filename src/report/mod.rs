//! Outputs: result rows (section 7 of MODEL.md) and their formats. Formatters return text;
//! `output` writes files atomically.

pub mod analysis;
pub mod csv;
pub mod markdown;
pub mod output;
pub mod rows;
pub mod table;
pub mod workbook;

pub use rows::*;

use crate::model::{self, cashflow, Outcome};
use crate::scenario::Scenario;

/// Output formats of `run` and the analysis commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
}

/// The section-7 report of one evaluated scenario.
pub fn run_report(s: &Scenario, o: &Outcome) -> RunReport {
    report_for(&s.name, &s.inputs, o)
}

/// The section-7 report of `inputs` (named `name`) and their outcome.
pub fn report_for(name: &str, x: &crate::model::Inputs, o: &Outcome) -> RunReport {
    let unit = x.workload.kind.work_unit();
    // Input and output tokens per request; a prefill to price when there are input tokens.
    let io = (
        x.workload.input_tokens.unwrap_or(0.0),
        x.workload.output_tokens.unwrap_or(0.0),
    );
    let has_prefill = io.0 > 0.0;
    let fleets = x
        .fleets
        .iter()
        .zip(&o.fleets)
        .map(|(f, g)| FleetRow {
            id: f.id.clone(),
            chip: f.chip.label.clone(),
            chip_name: crate::scenario::Catalog::shipped()
                .get(&f.chip.label)
                .map_or_else(|| f.chip.label.clone(), |c| c.name.clone()),
            chips: g.chips as u64,
            nodes: g.nodes as u64,
            it_power_w: g.it_power,
            facility_power_w: g.facility_power,
            watts_per_chip: g.watts_per_chip,
            hw_capex_per_chip: g.cost.hw_capex,
            facility_capex_per_chip: g.cost.facility_capex,
            capital_per_chip_year: g.cost.capital(),
            energy_per_chip_year: g.cost.energy,
            upkeep_per_chip_year: g.cost.upkeep,
            cost_per_chip_year: g.cost_per_chip_year,
            cost_per_chip_hour: model::per_hour(g.cost_per_chip_year),
            effective_flops_per_chip: g.effective_flops,
            work_unit: unit.to_string(),
            work_per_chip_year: g.work_per_chip_year,
            cost_per_unit: g.cost_per_unit,
            annual_cost: g.annual_cost,
            horizon_cost_nominal: g.horizon_cost_nominal,
            horizon_cost_pv: g.horizon_cost_pv,
            levelized_cost_per_unit: g.levelized_cost_per_unit,
            tokens_per_s_per_chip: g.tokens_per_s,
            batch: g.serving.map(|d| d.batch as u64),
            replica_chips: g.serving.map(|d| d.replica_chips as u64),
            prefill_replica_chips: g
                .serving
                .filter(|_| x.workload.disaggregated)
                .map(|d| d.prefill_chips as u64),
            bound: g.serving.map(|d| d.bound.name().to_string()),
            batch_limit: g.serving.map(|d| d.batch_limit.name().to_string()),
            ttft: g.serving.filter(|_| has_prefill).map(|d| d.ttft),
            tpot: g.serving.map(|d| d.tpot),
            tokens_per_s_per_user: g.serving.map(|d| d.tokens_per_s_per_user),
            cost_per_m_input_tokens: g.serving.filter(|_| has_prefill).map(|d| {
                let (i, o) = io;
                g.cost_per_unit * d.input_share * o / i
            }),
            cost_per_m_output_tokens: g.serving.map(|d| g.cost_per_unit * (1.0 - d.input_share)),
            joules_per_token: g
                .serving
                .map(|d| g.watts_per_chip * f.power_load * g.pue / d.tokens_per_s_per_chip),
            tokens_per_s_per_mw: g
                .serving
                .map(|d| d.tokens_per_s_per_chip / (g.watts_per_chip * g.pue) * 1e6),
            run_cost: g.run_cost,
            run_seconds: g.run_seconds,
            chip_hours: g.chip_hours,
            joules_per_unit: g.joules_per_unit,
            kg_co2e_per_unit: g.kg_co2e_per_unit,
            mode: if f.rent.is_some() { "rent" } else { "own" }.to_string(),
            hw_capital_per_chip_year: g.cost.hw_capital,
            facility_capital_per_chip_year: g.cost.facility_capital,
            rent_per_chip_year: g.cost.rent,
            // Sized fleets fill it; a fixed count may exceed it (run warns, the chart shows it).
            power_budget_w: x.site.power,
            precision: g.precision.name().to_string(),
            flops_per_token: g.flops_per_token,
        })
        .collect();
    let comparisons = o
        .comparisons
        .iter()
        .map(|c| ComparisonRow {
            candidate: x.fleets[c.candidate].id.clone(),
            baseline: x.fleets[c.baseline].id.clone(),
            rho: c.rho,
            cost_reduction: c.cost_reduction(),
            claims: x
                .compare
                .claims
                .iter()
                .map(|&level| {
                    let (holds, margin) = model::compare::claim(c.rho, level);
                    ClaimRow {
                        level,
                        holds,
                        margin,
                    }
                })
                .collect(),
        })
        .collect();
    let contract = o.contract.map(|c| ContractRow {
        fleet: x.fleets[c.fleet].id.clone(),
        value: c.value,
        term_years: c.term_years,
        implied_per_chip_hour: c.implied_per_chip_hour,
        cost_per_chip_hour: c.cost_per_chip_hour,
        implied_margin: c.implied_margin,
        implied_markup: c.implied_markup,
        term_cost_nominal: c.term_cost_nominal,
    });
    let programs = x
        .programs
        .iter()
        .zip(&o.programs)
        .map(|(p, g)| program_row(x, p, g))
        .collect();
    let program_comparisons = o
        .program_comparisons
        .iter()
        .map(|&(c, b, rho)| ProgramComparisonRow {
            candidate: x.programs[c].id.clone(),
            baseline: x.programs[b].id.clone(),
            rho,
        })
        .collect();
    RunReport {
        schema: 1,
        name: name.to_string(),
        workload: x.workload.kind.name().to_string(),
        precision: x.workload.precision.name().to_string(),
        horizon_years: Some(x.finance.horizon / crate::units::SECONDS_PER_YEAR),
        fleets,
        comparisons,
        contract,
        programs,
        program_comparisons,
    }
}

/// The section-7 row of one program.
fn program_row(
    x: &crate::model::Inputs,
    p: &crate::model::Program,
    g: &model::program::ProgramFigures,
) -> ProgramRow {
    ProgramRow {
        id: p.id.clone(),
        work_unit: x.workload.kind.work_unit().to_string(),
        nominal_cost: g.nominal_cost,
        pv_cost: g.pv_cost,
        pv_work: g.pv_work,
        levelized_cost_per_unit: g.levelized_cost_per_unit,
        peak_power_w: g.peak_power_w,
        peak_chips: g.peak_chips,
        tranches: g
            .tranches
            .iter()
            .map(|t| TrancheRow {
                fleet: x.fleets[t.fleet].id.clone(),
                start_years: t.start_years,
                chips: t.chips,
                nodes: t.nodes,
                it_power_w: t.it_power_w,
                facility_power_w: t.facility_power_w,
            })
            .collect(),
        years: g
            .years
            .iter()
            .map(|y| ProgramYearRow {
                year: y.year,
                power_online_w: y.power_online_w,
                chips_online: y.chips_online,
                capex: y.cash.capex,
                energy: y.cash.energy,
                upkeep: y.cash.upkeep,
                rent: y.cash.rent,
                residual: y.cash.residual,
                total: y.cash.total,
                discounted_total: y.cash.discounted_total,
                work: y.cash.work,
                payments: y.payments,
                net: y.net,
            })
            .collect(),
        contract: g.contract.map(|c| ProgramContractRow {
            value: c.value,
            start_years: c.start_years,
            term_years: c.term_years,
            payments_pv: c.payments_pv,
            provider_npv: c.provider_npv,
            provider_irr: c.provider_irr.ok(),
            multiple_irr: c.multiple_irr,
            irr_note: match c.provider_irr {
                Err(why) => Some(why.reason().to_string()),
                Ok(_) if c.multiple_irr => Some(
                    "the net flows change sign more than once: the IRR given is the root \
                     nearest the discount rate"
                        .to_string(),
                ),
                Ok(_) => None,
            },
            payback_year: c.payback_year,
            implied_per_unit: c.implied_per_unit,
            implied_per_chip_hour: c.implied_per_chip_hour,
            implied_margin: c.implied_margin,
        }),
    }
}

/// cashflow.csv rows of every fleet.
pub fn cashflow_rows(s: &Scenario, o: &Outcome) -> Vec<CashflowRow> {
    let mut rows = Vec::new();
    for (i, g) in o.fleets.iter().enumerate() {
        for y in cashflow::fleet_cashflow(&s.inputs, i, g) {
            rows.push(CashflowRow {
                fleet: s.inputs.fleets[i].id.clone(),
                year: y.year,
                capex: y.capex,
                energy: y.energy,
                upkeep: y.upkeep,
                rent: y.rent,
                residual: y.residual,
                total: y.total,
                discounted_total: y.discounted_total,
            });
        }
    }
    rows
}

/// The report as pretty JSON (section 7 keys).
/// Characters of a scenario name that titles and headlines show.
pub const NAME_SHOWN: usize = 200;

/// `text` cut to at most `max` characters, ending in "…" when cut: a scenario name where a
/// title shows it (a name may be megabytes long; results.json keeps it whole).
pub fn elide(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", keep.trim_end())
        }
    }
}

pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report rows serialise");
    s.push('\n');
    s
}
