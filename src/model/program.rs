//! Programs (MODEL.md section 8): capacity brought online in tranches over the horizon, each
//! tranche a fleet starting at its own time, with falling hardware prices and an optional
//! contract that pays for it. Yearly rows, totals, the levelized cost, and the provider's NPV,
//! IRR and payback.

use super::cashflow::{self, TrancheCash, YearCash};
use super::{
    chip_work, chip_year_cost_memo, sizing, watts_per_chip, CrfMemo, FleetSite, Inputs, ModelError,
    Payments, PowerBasis, Program, ProgramContract, TrancheSize,
};
use crate::units::SECONDS_PER_YEAR;

/// One tranche as sized and costed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrancheFigures {
    /// Index into `Inputs::fleets`.
    pub fleet: usize,
    pub start_years: f64,
    pub chips: f64,
    pub nodes: f64,
    pub it_power_w: f64,
    pub facility_power_w: f64,
}

/// One program-year (year k covers (k-1, k]). Whole-program USD; `work` in the workload's unit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProgramYear {
    pub year: u32,
    /// Facility power of the tranches online at the end of the year (time min(k, H)).
    pub power_online_w: f64,
    pub chips_online: f64,
    pub cash: YearCash,
    /// Contract payments accrued in the year.
    pub payments: f64,
    /// payments - total.
    pub net: f64,
}

/// Why a provider IRR does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoIrr {
    /// Every year's net flow is >= 0: the provider never has money at risk.
    NeverNegative,
    /// Every year's net flow is <= 0: payments never exceed a year's cost.
    NeverPositive,
    /// The net flows change sign but their PV has no zero in (-99 %, 1000 %).
    NoRoot,
}

impl NoIrr {
    pub fn reason(self) -> &'static str {
        match self {
            NoIrr::NeverNegative => {
                "no IRR: the net flow (payments - cost) is never negative, so no rate makes its \
                 present value zero (the provider never has money at risk)"
            }
            NoIrr::NeverPositive => {
                "no IRR: the net flow (payments - cost) is never positive, so no rate makes its \
                 present value zero (the payments never exceed a year's cost)"
            }
            NoIrr::NoRoot => {
                "no IRR: the present value of the net flows (payments - cost) has no zero for \
                 any rate in (-99 %, 1000 %)"
            }
        }
    }
}

/// The provider's side of a program contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContractCash {
    pub value: f64,
    pub start_years: f64,
    pub term_years: f64,
    pub payments_pv: f64,
    /// PV(payments) - PV(every cost from year 0 to the contract's end, residual credited at
    /// its end).
    pub provider_npv: f64,
    pub provider_irr: Result<f64, NoIrr>,
    /// The net flows change sign more than once: the IRR given is the root nearest the
    /// discount rate.
    pub multiple_irr: bool,
    /// First year whose cumulative nominal net is >= 0.
    pub payback_year: Option<u32>,
    /// PV(payments) / PV(work) over the contract.
    pub implied_per_unit: f64,
    /// PV(payments) / PV(chip-hours) over the contract.
    pub implied_per_chip_hour: f64,
    /// provider_npv / payments_pv.
    pub implied_margin: f64,
}

/// Everything the model says about one program.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramFigures {
    pub tranches: Vec<TrancheFigures>,
    pub years: Vec<ProgramYear>,
    pub nominal_cost: f64,
    pub pv_cost: f64,
    pub pv_work: f64,
    /// pv_cost / pv_work.
    pub levelized_cost_per_unit: f64,
    pub peak_power_w: f64,
    pub peak_chips: f64,
    pub contract: Option<ContractCash>,
}

fn program_error(p: &Program, reason: String) -> ModelError {
    ModelError::Program {
        program: p.id.clone(),
        reason,
    }
}

/// Sizes tranche `t` of `p` and builds its cash inputs.
fn tranche(
    inputs: &Inputs,
    p: &Program,
    j: usize,
    memo: &mut CrfMemo,
) -> Result<(TrancheFigures, TrancheCash), ModelError> {
    let t = &p.tranches[j];
    let f = &inputs.fleets[t.fleet];
    let site = FleetSite::of(f, &inputs.site);
    let w = watts_per_chip(f);
    let (nodes, chips) = match t.size {
        TrancheSize::Chips(n) => sizing::size_to_count(n, f.chips_per_node),
        TrancheSize::Power(power) => {
            let facility = inputs.site.power_basis == PowerBasis::Facility;
            let it = sizing::it_budget(power, site.pue, facility);
            sizing::size_to_power(it, f.chips_per_node, w)
        }
    };
    if chips < 1.0 {
        return Err(program_error(
            p,
            format!(
                "tranche {j} (fleet '{}') holds no whole node: one node needs {} of IT power; \
                 raise program.{}.tranches.{j}.power",
                f.id,
                crate::units::format::fmt_si(f.chips_per_node * w, "W", 3),
                p.id
            ),
        ));
    }
    if chips > super::MAX_FLEET_CHIPS {
        return Err(program_error(
            p,
            format!("tranche {j} (fleet '{}') has more than 1e12 chips", f.id),
        ));
    }
    let cost = chip_year_cost_memo(f, &site, &inputs.finance, w, memo);
    let work = chip_work(&inputs.workload, f)?;
    let start = t.start / SECONDS_PER_YEAR;
    let figures = TrancheFigures {
        fleet: t.fleet,
        start_years: start,
        chips,
        nodes,
        it_power_w: chips * w,
        facility_power_w: chips * w * site.pue,
    };
    let cash = TrancheCash::new(inputs, t.fleet, &cost, work.per_year, chips, start);
    Ok((figures, cash))
}

/// The cash table of every tranche up to `end` years.
fn table(cash: &[TrancheCash], end: f64, r: f64) -> Vec<YearCash> {
    let mut rows = cashflow::empty_rows(end);
    for t in cash {
        cashflow::add_tranche(&mut rows, t, end, r);
    }
    cashflow::finish(&mut rows, r);
    rows
}

/// Payments of contract `c` accrued to years 0..rows (year k covers (k-1, k]).
pub fn payments(c: &ProgramContract, rows: usize) -> Vec<f64> {
    let start = c.start / SECONDS_PER_YEAR;
    let term = c.term / SECONDS_PER_YEAR;
    let mut out = vec![0.0; rows];
    let mut accrue = |a: f64, b: f64, per_year: f64| {
        for (k, slot) in out.iter_mut().enumerate().skip(1) {
            let lo = ((k - 1) as f64).max(a);
            let hi = (k as f64).min(b);
            if hi > lo {
                *slot += per_year * (hi - lo);
            }
        }
    };
    match &c.payments {
        Payments::Even => accrue(start, start + term, c.value / term),
        Payments::Yearly(list) => {
            for (j, &amount) in list.iter().enumerate() {
                let a = start + j as f64;
                accrue(a, a + 1.0, amount);
            }
        }
    }
    out
}

/// PV at `rate` of flows indexed by year: sum flows_k / (1 + rate)^k.
pub fn npv(rate: f64, flows: &[f64]) -> f64 {
    let d = 1.0 / (1.0 + rate);
    let mut v = 1.0;
    let mut sum = 0.0;
    for &x in flows {
        sum += x * v;
        v *= d;
    }
    sum
}

/// How many times the sequence changes sign (zeros skipped).
fn sign_changes(flows: &[f64]) -> usize {
    let mut last = 0.0f64;
    let mut n = 0;
    for &x in flows {
        if x != 0.0 {
            if last != 0.0 && (x > 0.0) != (last > 0.0) {
                n += 1;
            }
            last = x;
        }
    }
    n
}

/// The lowest and highest rates searched: (-0.99, 10).
pub const IRR_RANGE: (f64, f64) = (-0.99, 10.0);

/// The internal rate of return of `flows` (year-indexed): the rate in (-0.99, 10) at which
/// their PV is 0; when several rates are, the one nearest `near`. Also whether the flows
/// change sign more than once. A grid of 512 rates even in ln(1 + rate) brackets the roots,
/// bisection refines each to 1e-12.
pub fn irr(flows: &[f64], near: f64) -> (Result<f64, NoIrr>, bool) {
    let multiple = sign_changes(flows) > 1;
    if flows.iter().all(|&x| x >= 0.0) {
        return (Err(NoIrr::NeverNegative), multiple);
    }
    if flows.iter().all(|&x| x <= 0.0) {
        return (Err(NoIrr::NeverPositive), multiple);
    }
    let (lo, hi) = ((1.0 + IRR_RANGE.0).ln(), (1.0 + IRR_RANGE.1).ln());
    let f = |u: f64| npv(u.exp_m1(), flows);
    const STEPS: usize = 512;
    let mut best: Option<f64> = None;
    let mut consider = |root: f64| {
        if best.map_or(true, |b| (root - near).abs() < (b - near).abs()) {
            best = Some(root);
        }
    };
    let mut u0 = lo;
    let mut f0 = f(u0);
    for i in 1..=STEPS {
        let u1 = lo + (hi - lo) * i as f64 / STEPS as f64;
        let f1 = f(u1);
        if f0 == 0.0 {
            consider(u0.exp_m1());
        } else if f1 != 0.0 && (f0 > 0.0) != (f1 > 0.0) {
            let (mut a, mut b, mut fa) = (u0, u1, f0);
            for _ in 0..200 {
                let m = 0.5 * (a + b);
                let fm = f(m);
                if fm == 0.0 {
                    a = m;
                    b = m;
                    break;
                }
                if (fm > 0.0) == (fa > 0.0) {
                    a = m;
                    fa = fm;
                } else {
                    b = m;
                }
                if b - a <= 1e-13 {
                    break;
                }
            }
            consider((0.5 * (a + b)).exp_m1());
        }
        u0 = u1;
        f0 = f1;
    }
    if f0 == 0.0 {
        consider(u0.exp_m1());
    }
    (best.ok_or(NoIrr::NoRoot), multiple)
}

/// The provider's figures of contract `c` over the program's tranches; the IRR (a root
/// search, the costliest figure) only when `with_irr`, else `Err(NoIrr::NoRoot)`.
fn contract_cash(
    c: &ProgramContract,
    cash: &[TrancheCash],
    r: f64,
    with_irr: bool,
) -> ContractCash {
    let end = (c.start + c.term) / SECONDS_PER_YEAR;
    let rows = table(cash, end, r);
    let pay = payments(c, rows.len());
    let net: Vec<f64> = rows.iter().zip(&pay).map(|(y, p)| p - y.total).collect();
    let (_, pv_cost, pv_work, pv_hours) = cashflow::totals(&rows, r);
    let payments_pv = npv(r, &pay);
    let provider_npv = payments_pv - pv_cost;
    let (provider_irr, multiple_irr) = if with_irr {
        irr(&net, r)
    } else {
        (Err(NoIrr::NoRoot), sign_changes(&net) > 1)
    };
    let mut cumulative = 0.0;
    let payback_year = net.iter().enumerate().find_map(|(k, x)| {
        cumulative += x;
        (cumulative >= 0.0).then_some(k as u32)
    });
    ContractCash {
        value: c.value,
        start_years: c.start / SECONDS_PER_YEAR,
        term_years: c.term / SECONDS_PER_YEAR,
        payments_pv,
        provider_npv,
        provider_irr,
        multiple_irr,
        payback_year,
        implied_per_unit: payments_pv / pv_work,
        implied_per_chip_hour: payments_pv / pv_hours,
        implied_margin: provider_npv / payments_pv,
    }
}

/// Every tranche of program `index` sized and costed.
fn tranches_of(
    inputs: &Inputs,
    index: usize,
) -> Result<(Vec<TrancheFigures>, Vec<TrancheCash>), ModelError> {
    let p = &inputs.programs[index];
    let mut tranches = Vec::with_capacity(p.tranches.len());
    let mut cash = Vec::with_capacity(p.tranches.len());
    // Tranches of one fleet, or of fleets with the same lives, share their CRFs.
    let mut memo = CrfMemo::default();
    for j in 0..p.tranches.len() {
        let (t, c) = tranche(inputs, p, j, &mut memo)?;
        tranches.push(t);
        cash.push(c);
    }
    Ok((tranches, cash))
}

/// Program metrics by key (section 7 names), for the analysis commands: the horizon totals,
/// the contract's figures and `rho` against the baseline program.
pub const METRIC_KEYS: &[&str] = &[
    "levelized_cost_per_unit",
    "nominal_cost",
    "pv_cost",
    "pv_work",
    "peak_power_w",
    "peak_chips",
    "payments_pv",
    "provider_npv",
    "provider_irr",
    "payback_year",
    "implied_per_unit",
    "implied_per_chip_hour",
    "implied_margin",
    "rho",
];

/// The keys of [`METRIC_KEYS`] that need a `[program.contract]`.
pub const CONTRACT_METRIC_KEYS: &[&str] = &[
    "payments_pv",
    "provider_npv",
    "provider_irr",
    "payback_year",
    "implied_per_unit",
    "implied_per_chip_hour",
    "implied_margin",
];

/// The levelized cost per unit of program `index`: PV of its cash over PV of its work.
pub fn levelized_cost(inputs: &Inputs, index: usize) -> Result<f64, ModelError> {
    let (_, cash) = tranches_of(inputs, index)?;
    let h = inputs.finance.horizon / SECONDS_PER_YEAR;
    let r = inputs.finance.discount_rate;
    let (_, pv_cost, pv_work, _) = cashflow::totals(&table(&cash, h, r), r);
    let v = pv_cost / pv_work;
    if v.is_finite() && pv_work > 0.0 {
        Ok(v)
    } else {
        Err(program_error(
            &inputs.programs[index],
            format!("the levelized cost per unit is {v} (PV of cost {pv_cost} over PV of work {pv_work})"),
        ))
    }
}

/// Metric `key` (one of [`METRIC_KEYS`]) of program `index`, computing only what it needs:
/// the IRR's root search only for `provider_irr`. A figure that does not exist (no IRR, no
/// payback within the contract) is an error that says why.
pub fn metric(inputs: &Inputs, index: usize, key: &str) -> Result<f64, ModelError> {
    let p = &inputs.programs[index];
    let r = inputs.finance.discount_rate;
    if key == "rho" {
        let b = levelized_cost(inputs, inputs.baseline_program)?;
        return Ok(b / levelized_cost(inputs, index)?);
    }
    if key == "levelized_cost_per_unit" {
        return levelized_cost(inputs, index);
    }
    if CONTRACT_METRIC_KEYS.contains(&key) {
        let Some(c) = &p.contract else {
            return Err(program_error(
                p,
                format!("'{key}' needs a [program.contract]"),
            ));
        };
        let (_, cash) = tranches_of(inputs, index)?;
        let k = contract_cash(c, &cash, r, key == "provider_irr");
        return match key {
            "payments_pv" => Ok(k.payments_pv),
            "provider_npv" => Ok(k.provider_npv),
            "provider_irr" => k
                .provider_irr
                .map_err(|why| program_error(p, why.reason().to_string())),
            "payback_year" => k.payback_year.map(f64::from).ok_or_else(|| {
                program_error(
                    p,
                    "no payback: the cumulative net never reaches 0 within the contract".into(),
                )
            }),
            "implied_per_unit" => Ok(k.implied_per_unit),
            "implied_per_chip_hour" => Ok(k.implied_per_chip_hour),
            _ => Ok(k.implied_margin),
        };
    }
    let g = program_figures(inputs, index)?;
    match key {
        "nominal_cost" => Ok(g.nominal_cost),
        "pv_cost" => Ok(g.pv_cost),
        "pv_work" => Ok(g.pv_work),
        "peak_power_w" => Ok(g.peak_power_w),
        "peak_chips" => Ok(g.peak_chips),
        _ => Err(program_error(p, format!("unknown program metric '{key}'"))),
    }
}

/// Program `index` of `inputs`: tranches, yearly rows, totals and the contract.
pub fn program_figures(inputs: &Inputs, index: usize) -> Result<ProgramFigures, ModelError> {
    let p = &inputs.programs[index];
    let r = inputs.finance.discount_rate;
    let h = inputs.finance.horizon / SECONDS_PER_YEAR;
    let (tranches, cash) = tranches_of(inputs, index)?;
    let rows = table(&cash, h, r);
    let pay = match &p.contract {
        Some(c) => payments(c, rows.len()),
        None => vec![0.0; rows.len()],
    };
    let years: Vec<ProgramYear> = rows
        .iter()
        .zip(&pay)
        .map(|(y, &payments)| {
            let at = (y.year as f64).min(h);
            let online = tranches.iter().filter(|t| t.start_years <= at + 1e-9);
            let (power, chips) =
                online.fold((0.0, 0.0), |a, t| (a.0 + t.facility_power_w, a.1 + t.chips));
            ProgramYear {
                year: y.year,
                power_online_w: power,
                chips_online: chips,
                cash: *y,
                payments,
                net: payments - y.total,
            }
        })
        .collect();
    let (nominal_cost, pv_cost, pv_work, _) = cashflow::totals(&rows, r);
    let peak_power_w = years.iter().map(|y| y.power_online_w).fold(0.0, f64::max);
    let peak_chips = years.iter().map(|y| y.chips_online).fold(0.0, f64::max);
    let contract = p
        .contract
        .as_ref()
        .map(|c| contract_cash(c, &cash, r, true));
    let figures = ProgramFigures {
        tranches,
        years,
        nominal_cost,
        pv_cost,
        pv_work,
        levelized_cost_per_unit: pv_cost / pv_work,
        peak_power_w,
        peak_chips,
        contract,
    };
    if !(figures.levelized_cost_per_unit.is_finite() && figures.pv_work > 0.0) {
        return Err(program_error(
            p,
            format!(
                "the levelized cost per unit is {} (PV of cost {} over PV of work {}); check the \
                 tranches' fleets, prices and work",
                figures.levelized_cost_per_unit, figures.pv_cost, figures.pv_work
            ),
        ));
    }
    Ok(figures)
}

/// Every program, in file order.
pub fn programs(inputs: &Inputs) -> Result<Vec<ProgramFigures>, ModelError> {
    (0..inputs.programs.len())
        .map(|i| program_figures(inputs, i))
        .collect()
}

/// rho between programs: levelized cost of the baseline program / levelized cost of each other
/// program, in file order: (candidate, baseline, rho).
pub fn comparisons(inputs: &Inputs, figures: &[ProgramFigures]) -> Vec<(usize, usize, f64)> {
    let b = inputs.baseline_program;
    if figures.len() < 2 {
        return Vec::new();
    }
    (0..figures.len())
        .filter(|&i| i != b)
        .map(|i| {
            (
                i,
                b,
                figures[b].levelized_cost_per_unit / figures[i].levelized_cost_per_unit,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{finance, Chip, Fleet, Precision, Tranche, Workload, WorkloadKind};

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: got {a}, want {b}"
        );
    }

    /// One flops fleet: 1 chip of 1000 W at 1 PFLOP/s bf16 and mfu 1: work per chip-year =
    /// 1e15 * 31,557,600 / 1e18 = 31,557.6 EFLOP. Price 1000 USD, life 2 yr, no facility, no
    /// energy (electricity 0), no upkeep: the cash is the purchases and the residual only.
    fn inputs(r: f64, horizon: f64, decline: f64) -> Inputs {
        let mut chip = Chip::blank("x");
        chip.tdp = 1000.0;
        chip.peak[Precision::Bf16.index()] = Some(1e15);
        chip.price = Some(1000.0);
        let mut f = Fleet::new("a", chip);
        f.mfu = 1.0;
        f.hardware_life = Some(2.0 * SECONDS_PER_YEAR);
        f.price_decline = decline;
        let mut x = Inputs::scaffold(Workload::new(WorkloadKind::Flops, Precision::Bf16), vec![f]);
        x.site.electricity = Some(0.0);
        x.site.facility_life = 20.0 * SECONDS_PER_YEAR;
        x.finance.discount_rate = r;
        x.finance.horizon = horizon * SECONDS_PER_YEAR;
        x
    }

    fn program(tranches: &[(f64, TrancheSize)], contract: Option<ProgramContract>) -> Program {
        Program {
            id: "p".into(),
            tranches: tranches
                .iter()
                .map(|&(start, size)| Tranche {
                    fleet: 0,
                    start: start * SECONDS_PER_YEAR,
                    size,
                })
                .collect(),
            contract,
        }
    }

    /// Two tranches at r = 0, H = 3, 50 % yearly decline: 10 chips at 0 (bought at 0 for
    /// 10,000 and at 2 for 10,000 * 0.25 = 2,500) and 4 kW = 4 chips at 1 (bought at 1 for
    /// 4 * 1000 * 0.5 = 2,000, and at 3? no: 3 is the horizon). Residual at 3 (straight line):
    /// the first tranche's 2,500 bought at 2 has 1 of 2 years left: 1,250; the second's 2,000
    /// bought at 1 is fully used at 3: 0.
    #[test]
    fn a_ramp_by_hand() {
        let mut x = inputs(0.0, 3.0, 0.5);
        x.programs = vec![program(
            &[
                (0.0, TrancheSize::Chips(10.0)),
                (1.0, TrancheSize::Power(4000.0)),
            ],
            None,
        )];
        let g = program_figures(&x, 0).unwrap();
        assert_eq!(g.tranches[1].chips, 4.0);
        let capex: Vec<f64> = g.years.iter().map(|y| y.cash.capex).collect();
        assert_eq!(capex, vec![10_000.0, 2_000.0, 2_500.0, 0.0]);
        close(g.years[3].cash.residual, -1250.0, "residual");
        let chips: Vec<f64> = g.years.iter().map(|y| y.chips_online).collect();
        assert_eq!(chips, vec![10.0, 14.0, 14.0, 14.0]);
        close(g.years[1].power_online_w, 14_000.0, "power online");
        close(g.peak_chips, 14.0, "peak chips");
        // work: year 1 = 10 chips, years 2-3 = 14 chips, 31,557.6 EFLOP each
        close(g.years[1].cash.work, 10.0 * 31_557.6, "work year 1");
        close(g.years[2].cash.work, 14.0 * 31_557.6, "work year 2");
        // totals at r = 0: 10000 + 2000 + 2500 - 1250 = 13,250; work 38 chip-years
        close(g.nominal_cost, 13_250.0, "nominal");
        close(g.pv_cost, 13_250.0, "PV at r = 0");
        close(g.pv_work, 38.0 * 31_557.6, "PV of work");
        close(
            g.levelized_cost_per_unit,
            13_250.0 / (38.0 * 31_557.6),
            "levelized",
        );
    }

    /// One tranche from 0, whole years, no decline: the levelized cost is the annualised cost
    /// per unit (section 8), here at r = 10 %, life 2, H = 4: C = 1000 CRF(0.1, 2).
    #[test]
    fn one_tranche_levelizes_to_the_annualised_cost() {
        let mut x = inputs(0.1, 4.0, 0.0);
        x.programs = vec![program(&[(0.0, TrancheSize::Chips(3.0))], None)];
        let g = program_figures(&x, 0).unwrap();
        let c = 1000.0 * finance::crf(0.1, 2.0);
        close(
            g.levelized_cost_per_unit,
            c / 31_557.6,
            "levelized = C / work",
        );
        close(
            g.pv_cost,
            3.0 * c * finance::annuity_pv(0.1, 4.0),
            "PV = N C AF",
        );
    }

    /// A contract by hand, r = 10 %, H = 2, one chip bought at 0 for 1000 (life 2, nothing
    /// left at 2), paid 600 a year (even, 1200 over 2 years): net = -1000, 600, 600.
    /// NPV = -1000 + 600 / 1.1 + 600 / 1.21 = 41.3223; IRR solves -1000 + 600 d + 600 d^2 = 0:
    /// d = (-600 + sqrt(600^2 + 4 * 600 * 1000)) / 1200 = 0.9342585, IRR = 1/d - 1 = 13.0662 %.
    /// Payback: cumulative -1000, -400, 200: year 2. Implied per chip-hour = PV(payments) /
    /// PV(chip-hours) = 600 AF(2) / (8766 AF(2)) = 600 / 8766.
    #[test]
    fn a_contract_by_hand() {
        let mut x = inputs(0.1, 2.0, 0.0);
        let c = ProgramContract {
            value: 1200.0,
            start: 0.0,
            term: 2.0 * SECONDS_PER_YEAR,
            payments: Payments::Even,
        };
        x.programs = vec![program(&[(0.0, TrancheSize::Chips(1.0))], Some(c))];
        let g = program_figures(&x, 0).unwrap();
        let k = g.contract.unwrap();
        let pay_pv = 600.0 / 1.1 + 600.0 / 1.21;
        close(k.payments_pv, pay_pv, "payments PV");
        close(k.provider_npv, pay_pv - 1000.0, "NPV");
        let d = (-600.0 + (600.0f64 * 600.0 + 4.0 * 600.0 * 1000.0).sqrt()) / 1200.0;
        close(k.provider_irr.unwrap(), 1.0 / d - 1.0, "IRR");
        assert!(!k.multiple_irr);
        assert_eq!(k.payback_year, Some(2));
        close(
            k.implied_per_chip_hour,
            600.0 / 8766.0,
            "implied per chip-hour",
        );
        close(k.implied_per_unit, 600.0 / 31_557.6, "implied per unit");
        close(k.implied_margin, (pay_pv - 1000.0) / pay_pv, "margin");
        let nets: Vec<f64> = g.years.iter().map(|y| y.net).collect();
        assert_eq!(nets, vec![-1000.0, 600.0, 600.0]);
        // the same deal in yearly payments
        let mut y = x.clone();
        y.programs[0].contract.as_mut().unwrap().payments = Payments::Yearly(vec![600.0, 600.0]);
        assert_eq!(program_figures(&y, 0).unwrap().contract, Some(k));
    }

    /// A contract ending before the horizon is costed to its end: r = 0, H = 4, contract over
    /// (0, 1] paying 700. Costs to 1: the chip bought at 0 for 1000 with 1 of 2 yr left:
    /// residual 500; net = -1000, 700 - (-500) = 1200. NPV at r = 0: 700 - 500 = 200.
    #[test]
    fn a_short_contract_credits_the_residual_at_its_end() {
        let mut x = inputs(0.0, 4.0, 0.0);
        let c = ProgramContract {
            value: 700.0,
            start: 0.0,
            term: SECONDS_PER_YEAR,
            payments: Payments::Even,
        };
        x.programs = vec![program(&[(0.0, TrancheSize::Chips(1.0))], Some(c))];
        let k = program_figures(&x, 0).unwrap().contract.unwrap();
        close(k.provider_npv, 200.0, "NPV");
        // IRR: -1000 + 1200 / (1 + i) = 0 -> i = 20 %
        close(k.provider_irr.unwrap(), 0.2, "IRR");
        assert_eq!(k.payback_year, Some(1));
    }

    #[test]
    fn irr_cases() {
        // no negative flow, no positive flow: null with the reason
        assert_eq!(irr(&[0.0, 1.0, 2.0], 0.1).0, Err(NoIrr::NeverNegative));
        assert_eq!(irr(&[-1.0, -2.0], 0.1).0, Err(NoIrr::NeverPositive));
        // -1, +3, -3 changes sign twice and its PV -1 + 3d - 3d^2 < 0 for every d (discriminant
        // 9 - 12 < 0): no root, and multiple_irr is still reported
        let (res, multiple) = irr(&[-1.0, 3.0, -3.0], 0.1);
        assert_eq!(res, Err(NoIrr::NoRoot));
        assert!(multiple);
        // -1, 2.3, -1.32 = -(1 - 1.1 d)(1 - 1.2 d)... roots at 1 + i = 1.1 and 1.2: 10 % and
        // 20 %. Nearest 8 %: 10 %; nearest 30 %: 20 %.
        let flows = [-1.0, 2.3, -1.32];
        let (a, m) = irr(&flows, 0.08);
        close(a.unwrap(), 0.1, "root near 8 %");
        assert!(m);
        close(irr(&flows, 0.3).0.unwrap(), 0.2, "root near 30 %");
        // one sign change: -100, 110 -> 10 %
        close(irr(&[-100.0, 110.0], 0.5).0.unwrap(), 0.1, "simple");
    }

    /// Programs compare by levelized cost: the same program with twice the price has half the
    /// rho.
    #[test]
    fn program_comparisons() {
        let mut x = inputs(0.1, 4.0, 0.0);
        let mut dear = x.fleets[0].clone();
        dear.id = "b".into();
        dear.chip.price = Some(2000.0);
        x.fleets.push(dear);
        let mut p2 = program(&[(0.0, TrancheSize::Chips(3.0))], None);
        p2.tranches[0].fleet = 1;
        p2.id = "q".into();
        x.programs = vec![program(&[(0.0, TrancheSize::Chips(3.0))], None), p2];
        let g = programs(&x).unwrap();
        let c = comparisons(&x, &g);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].0, c[0].1), (1, 0));
        close(c[0].2, 0.5, "rho = 1000 / 2000");
    }

    /// The analysis kernel [`metric`] reads the same figures as [`program_figures`], key by
    /// key, and refuses what does not exist with the reason.
    #[test]
    fn metric_agrees_with_the_figures() {
        let mut x = inputs(0.1, 2.0, 0.0);
        let c = ProgramContract {
            value: 1200.0,
            start: 0.0,
            term: 2.0 * SECONDS_PER_YEAR,
            payments: Payments::Even,
        };
        x.programs = vec![
            program(&[(0.0, TrancheSize::Chips(1.0))], Some(c)),
            program(&[(0.0, TrancheSize::Chips(2.0))], None),
        ];
        x.programs[1].id = "q".into();
        x.baseline_program = 1;
        let g = program_figures(&x, 0).unwrap();
        let k = g.contract.unwrap();
        let want = [
            ("levelized_cost_per_unit", g.levelized_cost_per_unit),
            ("nominal_cost", g.nominal_cost),
            ("pv_cost", g.pv_cost),
            ("pv_work", g.pv_work),
            ("peak_power_w", g.peak_power_w),
            ("peak_chips", g.peak_chips),
            ("payments_pv", k.payments_pv),
            ("provider_npv", k.provider_npv),
            ("provider_irr", k.provider_irr.unwrap()),
            ("payback_year", 2.0),
            ("implied_per_unit", k.implied_per_unit),
            ("implied_per_chip_hour", k.implied_per_chip_hour),
            ("implied_margin", k.implied_margin),
            // the same chip in both programs: equal levelized costs
            ("rho", 1.0),
        ];
        assert_eq!(want.len(), METRIC_KEYS.len());
        for (key, v) in want {
            close(metric(&x, 0, key).unwrap(), v, key);
        }
        // no contract, no contract metric; a contract that never pays back has no payback
        assert!(metric(&x, 1, "provider_npv").is_err());
        x.programs[0].contract.as_mut().unwrap().value = 10.0;
        let e = metric(&x, 0, "payback_year").unwrap_err().to_string();
        assert!(e.contains("no payback"), "{e}");
    }
}
