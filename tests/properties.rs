//! Invariants of the model (MODEL.md sections 2-5) over generated valid scenarios: 2-5 fleets,
//! each workload kind, owned and rented fleets, fleets sized to the budget and fixed counts,
//! site overrides, with and without a contract. Inputs are drawn over realistic ranges and built
//! as `model::Inputs` directly; parameters are varied generically through `scenario::Param`.
//!
//! - more of any price (chip, node, network), electricity or pue never lowers an owned fleet's
//!   cost per unit, and leaves a rented fleet's unchanged;
//! - scaling every USD input by k scales every cost by k and leaves rho and the work unchanged;
//! - the cost breakdown sums to the total;
//! - a fleet against an identical copy has rho = 1 exactly;
//! - per-unit figures do not depend on the power budget or the chip count; totals do;
//! - the cash-flow columns sum to the total, year by year and over the horizon.

use fleetcost::model::{
    self, cashflow, Chip, Compare, Contract, Finance, Fleet, FleetFigures, Inputs, Outcome,
    PowerBasis, Precision, Site, Workload, WorkloadKind,
};
use fleetcost::scenario::Param;
use fleetcost::units::{HOURS_PER_YEAR, SECONDS_PER_YEAR};
use proptest::prelude::*;

/// Draws values from a tape of uniforms in [0, 1), so proptest can shrink every input.
struct Draw<'a> {
    tape: &'a [f64],
    at: usize,
}

impl Draw<'_> {
    fn u(&mut self) -> f64 {
        let x = self.tape[self.at % self.tape.len()];
        self.at += 1;
        x
    }
    fn lin(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.u()
    }
    fn log(&mut self, lo: f64, hi: f64) -> f64 {
        lo * (hi / lo).powf(self.u())
    }
    /// A whole number in lo..=hi.
    fn int(&mut self, lo: u64, hi: u64) -> f64 {
        (lo + ((hi - lo + 1) as f64 * self.u()) as u64).min(hi) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.u() < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[((xs.len() as f64 * self.u()) as usize).min(xs.len() - 1)]
    }
}

const USD_PER_KWH: f64 = 1.0 / 3.6e6;

fn gen_fleet(d: &mut Draw, i: usize, kind: WorkloadKind) -> Fleet {
    let price = d.log(1_000.0, 60_000.0);
    let chips_per_node = d.pick(&[1.0, 4.0, 8.0, 16.0, 72.0, 144.0]);
    let mut peak = [None; 5];
    peak[Precision::Bf16.index()] = Some(d.log(100e12, 5000e12));
    let chip = Chip {
        label: format!("chip{i}"),
        tdp: d.lin(100.0, 1500.0),
        hbm: Some(d.lin(16e9, 300e9)),
        hbm_bw: Some(d.lin(1e12, 10e12)),
        peak,
        price: Some(price),
        price_low: None,
        price_high: None,
        scaleup_bw: None,
    };
    let rent = d.chance(0.25).then(|| d.lin(0.5, 10.0) / 3600.0);
    let chips = d.chance(0.2).then(|| d.int(1, 100_000));
    Fleet {
        id: format!("f{i}"),
        chip,
        chips,
        chips_per_node,
        node_power: d.lin(0.0, 300.0) * chips_per_node,
        network_power: d.lin(0.0, 100.0),
        node_price: d.lin(0.0, 0.5) * price * chips_per_node,
        network_price: d.lin(0.0, 8_000.0),
        hardware_life: Some(d.lin(2.0, 8.0) * SECONDS_PER_YEAR),
        maintenance: d.lin(0.0, 0.1),
        software: d.lin(0.0, 5_000.0) / SECONDS_PER_YEAR,
        power_load: d.lin(0.3, 1.0),
        availability: d.lin(0.7, 1.0),
        mfu: d.lin(0.1, 0.7),
        mbu: (kind == WorkloadKind::Inference).then(|| d.lin(0.3, 0.9)),
        prefill_mfu: None,
        step_overhead: if d.chance(0.5) { 0.0 } else { d.lin(0.0, 2e-3) },
        rent,
        price_decline: if d.chance(0.3) { d.lin(0.0, 0.3) } else { 0.0 },
        tensor_parallel: None,
        tensor_parallel_auto: false,
        allreduce_latency: None,
        precision: None,
        pue: d.chance(0.2).then(|| d.lin(1.0, 1.6)),
        electricity: d.chance(0.2).then(|| d.lin(0.02, 0.2) * USD_PER_KWH),
        facility_capex: d.chance(0.2).then(|| d.lin(0.0, 15.0)),
        facility_life: d.chance(0.2).then(|| d.lin(5.0, 30.0) * SECONDS_PER_YEAR),
        facility_opex: d.chance(0.2).then(|| d.lin(0.0, 1.0) / SECONDS_PER_YEAR),
    }
}

fn gen_workload(d: &mut Draw, kind: WorkloadKind) -> Workload {
    let mut w = Workload::new(kind, Precision::Bf16);
    match kind {
        WorkloadKind::Flops => {}
        WorkloadKind::Training => {
            let p = d.log(1e9, 1e12);
            w.model_params = Some(p);
            w.tokens = d.chance(0.5).then(|| d.log(1e10, 3e13));
            // A mixture of experts (a twentieth to all of the parameters active), and the
            // attention term with its shape.
            w.active_params = d.chance(0.3).then(|| p * d.lin(0.05, 1.0));
            if d.chance(0.5) {
                w.layers = Some(d.int(16, 128));
                w.heads = Some(d.int(8, 128));
                w.head_dim = Some(d.pick(&[64.0, 128.0]));
                w.seq_len = Some(d.pick(&[2048.0, 4096.0, 8192.0, 32_768.0]));
            }
        }
        WorkloadKind::Inference => {
            w.model_params = Some(d.log(1e9, 4e11));
            w.layers = Some(d.int(16, 128));
            w.kv_heads = Some(d.int(1, 16));
            w.head_dim = Some(d.pick(&[64.0, 128.0, 256.0]));
            w.weight_bytes = Some(d.pick(&[0.5, 1.0, 2.0]));
            w.kv_bytes = Some(d.pick(&[1.0, 2.0]));
            // Past kv_heads chips every chip keeps whole KV heads (MODEL.md section 4), so one
            // chip holds 2 layers head_dim kv_bytes context bytes per sequence however large the
            // replica: keep that under 2 GB, and a batch's under 8 GB, so every draw fits
            // some replica of the smallest HBM (16 GB).
            let per_token = 2.0 * w.layers.unwrap() * w.head_dim.unwrap() * w.kv_bytes.unwrap();
            let context = d.int(256, 32_768).min((2e9 / per_token).floor()).max(1.0);
            w.context = Some(context);
            let most = (8e9 / (per_token * context)).floor().max(1.0);
            if d.chance(0.25) {
                w.batch_max = true;
            } else {
                w.batch = Some(d.int(1, 256).min(most));
            }
        }
    }
    w
}

/// A valid scenario: 2-5 fleets of workload `kind`, drawn from `tape`.
fn gen_inputs(kind: usize, n: usize, tape: &[f64]) -> Inputs {
    let d = &mut Draw { tape, at: 0 };
    let kind = [
        WorkloadKind::Flops,
        WorkloadKind::Training,
        WorkloadKind::Inference,
    ][kind];
    let site = Site {
        power: Some(d.log(50e6, 3e9)),
        power_basis: d.pick(&[PowerBasis::Facility, PowerBasis::It]),
        pue: d.lin(1.0, 1.6),
        electricity: Some(d.lin(0.02, 0.2) * USD_PER_KWH),
        facility_capex: d.lin(0.0, 15.0),
        facility_life: d.lin(10.0, 30.0) * SECONDS_PER_YEAR,
        facility_opex: d.lin(0.0, 1.0) / SECONDS_PER_YEAR,
        carbon_intensity: d.chance(0.5).then(|| d.lin(0.0, 0.8)),
    };
    let finance = Finance {
        discount_rate: if d.chance(0.15) {
            0.0
        } else {
            d.lin(0.0, 0.15)
        },
        horizon: d.lin(1.0, 10.0) * SECONDS_PER_YEAR,
    };
    let workload = gen_workload(d, kind);
    let fleets: Vec<Fleet> = (0..n).map(|i| gen_fleet(d, i, kind)).collect();
    let mut x = Inputs {
        site,
        finance,
        workload,
        fleets,
        compare: Compare {
            baseline: 0,
            claims: vec![1.3, 1.4],
        },
        contract: None,
        programs: Vec::new(),
        baseline_program: 0,
    };
    x.compare.baseline = d.int(0, n as u64 - 1) as usize;
    if d.chance(0.5) {
        x.contract = Some(Contract {
            fleet: d.int(0, n as u64 - 1) as usize,
            value: d.log(1e8, 1e11),
            term: d.lin(1.0, 10.0) * SECONDS_PER_YEAR,
        });
    }
    // Some inference fleets get an explicit tensor_parallel: twice the chips they need.
    if kind == WorkloadKind::Inference {
        for i in 0..n {
            if d.chance(0.3) {
                let need = model::fleet_figures(&x, i)
                    .unwrap()
                    .serving
                    .unwrap()
                    .replica_chips;
                x.fleets[i].tensor_parallel = Some(2.0 * need);
            }
        }
        // A fixed count holds at least one replica (the model refuses a fleet smaller than
        // its replica, issue 17): raise it to the replica's size where it is below.
        for i in 0..n {
            if let Some(chips) = x.fleets[i].chips {
                let mut free = x.clone();
                free.fleets[i].chips = None;
                let need = model::fleet_figures(&free, i)
                    .unwrap()
                    .serving
                    .unwrap()
                    .replica_chips;
                x.fleets[i].chips = Some(chips.max(need));
            }
        }
    }
    x
}

fn scenarios() -> impl Strategy<Value = Inputs> {
    (
        0usize..3,
        2usize..=5,
        prop::collection::vec(0.0f64..1.0, 256),
    )
        .prop_map(|(kind, n, tape)| gen_inputs(kind, n, &tape))
}

fn eval(x: &Inputs) -> Outcome {
    model::evaluate(x).unwrap_or_else(|e| panic!("a generated scenario fails: {e}\n{x:#?}"))
}

fn param(x: &Inputs, path: &str) -> Param {
    Param::parse(path, x).unwrap_or_else(|e| panic!("{e}"))
}

/// Relative closeness for derived figures.
fn near(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) || (a - b).abs() < 1e-300
}

/// Every cost figure of a fleet, in USD.
fn costs(g: &FleetFigures) -> Vec<(&'static str, f64)> {
    let mut v = vec![
        ("hw_capex", g.cost.hw_capex),
        ("facility_capex", g.cost.facility_capex),
        ("hw_capital", g.cost.hw_capital),
        ("facility_capital", g.cost.facility_capital),
        ("energy", g.cost.energy),
        ("upkeep", g.cost.upkeep),
        ("rent", g.cost.rent),
        ("cost_per_chip_year", g.cost_per_chip_year),
        ("cost_per_unit", g.cost_per_unit),
        ("annual_cost", g.annual_cost),
        ("horizon_cost_nominal", g.horizon_cost_nominal),
        ("horizon_cost_pv", g.horizon_cost_pv),
    ];
    if let Some(r) = g.run_cost {
        v.push(("run_cost", r));
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_scenarios_evaluate(x in scenarios()) {
        let o = eval(&x);
        prop_assert_eq!(o.fleets.len(), x.fleets.len());
        prop_assert_eq!(o.comparisons.len(), x.fleets.len() - 1);
        for (i, g) in o.fleets.iter().enumerate() {
            prop_assert!(g.chips >= 1.0 && g.cost_per_unit > 0.0 && g.work_per_chip_year > 0.0);
            // The analysis loops' lean kernel gives the same cost per unit, bit for bit.
            prop_assert_eq!(model::unit_cost(&x, i).unwrap(), g.cost_per_unit);
        }
    }

    /// More of any price, electricity or pue never lowers an owned fleet's cost per unit; a
    /// rented fleet pays none of them.
    #[test]
    fn cost_per_unit_rises_with_prices_electricity_and_pue(
        x in scenarios(),
        factor in 1.0f64..3.0,
        add in 0.0f64..1.0,
    ) {
        let base = eval(&x);
        for (i, f) in x.fleets.iter().enumerate() {
            let id = &f.id;
            let paths = [
                format!("fleet.{id}.chip.price"),
                format!("fleet.{id}.node_price"),
                format!("fleet.{id}.network_price"),
                format!("fleet.{id}.electricity"),
                format!("fleet.{id}.pue"),
                "site.electricity".to_string(),
                "site.pue".to_string(),
            ];
            for path in &paths {
                let p = param(&x, path);
                let v = p.get(&x).expect("present");
                let mut y = x.clone();
                // Multiply and add, so a zero price rises too (pue stays >= 1).
                p.set(&mut y, v * factor + add * v.max(1e-3));
                let after = eval(&y).fleets[i].cost_per_unit;
                let before = base.fleets[i].cost_per_unit;
                if f.rent.is_some() {
                    prop_assert_eq!(after, before, "rented fleet {} moved with {}", id, path);
                } else {
                    prop_assert!(
                        after >= before,
                        "fleet {}: {} from {} to {}: cost per unit {} -> {}",
                        id, path, v, v * factor, before, after
                    );
                }
            }
        }
    }

    /// Scaling every USD input by k scales every cost by k (per chip-year, per unit, totals, run
    /// cost, the contract's implied price) and leaves rho, sizing and work unchanged.
    #[test]
    fn scaling_every_usd_input_scales_every_cost(x in scenarios(), k in 0.01f64..100.0) {
        let money: Vec<(Param, f64)> = Param::all(&x)
            .into_iter()
            .filter(|p| p.spec().unit.dim.usd == 1)
            .filter_map(|p| p.get(&x).map(|v| (p, v)))
            .collect();
        // Values are read first and set after: a fleet's inherited electricity is the site's,
        // which is itself scaled.
        let mut y = x.clone();
        for &(p, v) in &money {
            p.set(&mut y, v * k);
        }
        let (a, b) = (eval(&x), eval(&y));
        const REL: f64 = 1e-12;
        for (i, (ga, gb)) in a.fleets.iter().zip(&b.fleets).enumerate() {
            prop_assert_eq!(ga.chips, gb.chips);
            prop_assert_eq!(ga.work_per_chip_year, gb.work_per_chip_year);
            for ((name, ca), (_, cb)) in costs(ga).into_iter().zip(costs(gb)) {
                prop_assert!(near(cb, k * ca, REL), "fleet {}: {} {} * {} != {}", i, name, ca, k, cb);
            }
        }
        for (ca, cb) in a.comparisons.iter().zip(&b.comparisons) {
            prop_assert!(near(ca.rho, cb.rho, REL), "rho {} -> {}", ca.rho, cb.rho);
        }
        if let (Some(ca), Some(cb)) = (a.contract, b.contract) {
            prop_assert!(near(cb.implied_per_chip_hour, k * ca.implied_per_chip_hour, REL));
            prop_assert!(near(cb.cost_per_chip_hour, k * ca.cost_per_chip_hour, REL));
            prop_assert!(near(cb.term_cost_nominal, k * ca.term_cost_nominal, REL));
            // The margin 1 - cost / implied is a ratio of two scaled figures: equal to rounding,
            // measured against 1 + |margin| (neither relative to 1 + margin, which cancels near
            // a margin of -1, nor to the margin, which may be 0).
            let (ma, mb) = (ca.implied_margin, cb.implied_margin);
            prop_assert!((mb - ma).abs() <= REL * (1.0 + ma.abs()), "margin {} -> {} (k {})", ma, mb, k);
        }
    }

    /// hw capital + facility capital + energy + upkeep + rent = cost per chip-year; capital =
    /// hw + facility capital; the totals follow from C.
    #[test]
    fn the_cost_breakdown_sums_to_the_total(x in scenarios()) {
        let o = eval(&x);
        let h = x.finance.horizon / SECONDS_PER_YEAR;
        for (f, g) in x.fleets.iter().zip(&o.fleets) {
            let c = &g.cost;
            let parts = c.hw_capital + c.facility_capital + c.energy + c.upkeep + c.rent;
            prop_assert!(near(parts, g.cost_per_chip_year, 1e-14), "{} != {}", parts, g.cost_per_chip_year);
            prop_assert_eq!(c.capital(), c.hw_capital + c.facility_capital);
            if f.rent.is_some() {
                prop_assert_eq!(parts, c.rent);
            } else {
                prop_assert_eq!(c.rent, 0.0);
            }
            prop_assert!(near(g.annual_cost, g.chips * g.cost_per_chip_year, 1e-14));
            // Totals are the cash-flow table's sums and nothing else (section 3).
            let i = x.fleets.iter().position(|q| q.id == f.id).unwrap();
            let rows = cashflow::fleet_cashflow(&x, i, g);
            let scale = g.chips * (g.cost.hw_capex + g.cost.facility_capex + g.cost_per_chip_year * h);
            prop_assert!((g.horizon_cost_nominal - rows.iter().map(|r| r.total).sum::<f64>()).abs() <= 1e-12 * scale);
            prop_assert!((g.horizon_cost_pv - rows.iter().map(|r| r.discounted_total).sum::<f64>()).abs() <= 1e-12 * scale);
            prop_assert!(near(g.cost_per_unit * g.work_per_chip_year, g.cost_per_chip_year, 1e-12));
            prop_assert!(near(model::per_hour(g.cost_per_chip_year) * HOURS_PER_YEAR, g.cost_per_chip_year, 1e-14));
        }
    }

    /// A fleet against an identical copy of itself: rho = 1 exactly.
    #[test]
    fn a_fleet_against_its_copy_has_rho_one(x in scenarios(), pick in 0usize..5) {
        let j = pick % x.fleets.len();
        let mut y = x.clone();
        let mut copy = x.fleets[j].clone();
        copy.id = format!("{}-copy", copy.id);
        y.fleets.push(copy);
        y.compare.baseline = j;
        let o = eval(&y);
        let last = y.fleets.len() - 1;
        let c = o.comparisons.iter().find(|c| c.candidate == last).expect("the copy is compared");
        prop_assert_eq!(c.rho, 1.0);
        prop_assert_eq!(c.cost_reduction(), 0.0);
        prop_assert_eq!(o.fleets[last], o.fleets[j]);
    }

    /// The model is linear in chips: per-unit figures do not depend on the power budget or a
    /// fixed chip count; totals scale with the count.
    #[test]
    fn per_unit_figures_do_not_depend_on_the_budget(x in scenarios(), m in 1.5f64..10.0) {
        let mut y = x.clone();
        y.site.power = x.site.power.map(|p| p * m);
        let (a, b) = (eval(&x), eval(&y));
        for (f, (ga, gb)) in x.fleets.iter().zip(a.fleets.iter().zip(&b.fleets)) {
            prop_assert_eq!(ga.cost_per_unit, gb.cost_per_unit);
            prop_assert_eq!(ga.cost_per_chip_year, gb.cost_per_chip_year);
            prop_assert_eq!(ga.work_per_chip_year, gb.work_per_chip_year);
            prop_assert_eq!(ga.run_cost, gb.run_cost);
            if f.chips.is_some() {
                prop_assert_eq!(ga, gb);
            } else {
                // N grows with the budget, up to one node's rounding at each end.
                let slack = f.chips_per_node * (1.0 + m);
                prop_assert!((gb.chips - m * ga.chips).abs() <= slack, "{} vs {} * {}", gb.chips, m, ga.chips);
                prop_assert!(gb.chips > ga.chips);
                prop_assert!(gb.annual_cost > ga.annual_cost);
                prop_assert!(near(gb.annual_cost / gb.chips, ga.annual_cost / ga.chips, 1e-14));
            }
        }
        for (ca, cb) in a.comparisons.iter().zip(&b.comparisons) {
            prop_assert_eq!(ca.rho, cb.rho);
        }
        // Fixed counts: twice the chips, twice every total, the same per-unit figures.
        let mut z = x.clone();
        for f in &mut z.fleets {
            f.chips = Some(1000.0);
        }
        let mut z2 = z.clone();
        for f in &mut z2.fleets {
            f.chips = Some(2000.0);
        }
        let (c1, c2) = (eval(&z), eval(&z2));
        for (g1, g2) in c1.fleets.iter().zip(&c2.fleets) {
            prop_assert_eq!(g1.cost_per_unit, g2.cost_per_unit);
            prop_assert!(near(g2.annual_cost, 2.0 * g1.annual_cost, 1e-14));
            prop_assert!(near(g2.horizon_cost_pv, 2.0 * g1.horizon_cost_pv, 1e-14));
            prop_assert!(near(g2.it_power, 2.0 * g1.it_power, 1e-14));
            if let (Some(t1), Some(t2)) = (g1.run_seconds, g2.run_seconds) {
                prop_assert!(near(t1, 2.0 * t2, 1e-14), "run time halves");
            }
            // Chip-hours of a run and energy per unit do not depend on the fleet's size.
            if let (Some(h1), Some(h2)) = (g1.chip_hours, g2.chip_hours) {
                prop_assert!(near(h1, h2, 1e-14), "chip-hours {} vs {}", h1, h2);
            }
            prop_assert_eq!(g1.joules_per_unit, g2.joules_per_unit);
        }
    }

    /// With whole-year lives and horizon and no price decline, the cash view and the
    /// annualised view agree (section 3): PV of the table = N * C * AF(r, H), and the levelized
    /// cost per unit is the annualised cost per unit.
    #[test]
    fn the_cash_view_agrees_with_the_annualised_view(x in scenarios()) {
        let mut x = x;
        let whole = |s: f64| (s / SECONDS_PER_YEAR).round().max(1.0) * SECONDS_PER_YEAR;
        x.finance.horizon = whole(x.finance.horizon);
        x.site.facility_life = whole(x.site.facility_life);
        for f in &mut x.fleets {
            f.price_decline = 0.0;
            f.hardware_life = f.hardware_life.map(whole);
            f.facility_life = f.facility_life.map(whole);
        }
        let o = eval(&x);
        let h = x.finance.horizon / SECONDS_PER_YEAR;
        let r = x.finance.discount_rate;
        for g in &o.fleets {
            let want = g.annual_cost * model::finance::annuity_pv(r, h);
            prop_assert!(near(g.horizon_cost_pv, want, 1e-9), "{} vs {}", g.horizon_cost_pv, want);
            prop_assert!(near(g.levelized_cost_per_unit, g.cost_per_unit, 1e-9));
        }
    }

    /// Cash flow: each row's total is the sum of its columns, the discounted total is the total
    /// / (1+r)^year; over the horizon the energy, upkeep and rent columns sum to N * x * H, the
    /// year-0 capex is N * (hw + fac), and the residual credit is at most what is bought.
    #[test]
    fn cash_flow_columns_sum_to_the_total(x in scenarios()) {
        let o = eval(&x);
        let h = x.finance.horizon / SECONDS_PER_YEAR;
        let r = x.finance.discount_rate;
        for (i, g) in o.fleets.iter().enumerate() {
            let rows = cashflow::fleet_cashflow(&x, i, g);
            prop_assert_eq!(rows.len() as f64, (h - 1e-9).ceil() + 1.0);
            let scale = g.chips * (g.cost.hw_capex + g.cost.facility_capex + g.cost_per_chip_year * h);
            let mut sum_total = 0.0;
            let mut sum_cols = 0.0;
            for (y, row) in rows.iter().enumerate() {
                prop_assert_eq!(row.year as usize, y);
                let cols = row.capex + row.energy + row.upkeep + row.rent + row.residual;
                prop_assert!((row.total - cols).abs() <= 1e-12 * scale);
                let discounted = row.total * (1.0 + r).powf(-(y as f64));
                prop_assert!((row.discounted_total - discounted).abs() <= 1e-12 * scale);
                prop_assert!(row.residual <= 0.0);
                sum_total += row.total;
                sum_cols += cols;
            }
            prop_assert!((sum_total - sum_cols).abs() <= 1e-12 * scale);
            let col = |f: fn(&cashflow::YearCash) -> f64| rows.iter().map(f).sum::<f64>();
            let n = g.chips;
            prop_assert!((col(|r| r.energy) - n * g.cost.energy * h).abs() <= 1e-9 * scale);
            // Maintenance follows the (declining) price of the hardware in service.
            if x.fleets[i].price_decline == 0.0 {
                prop_assert!((col(|r| r.upkeep) - n * g.cost.upkeep * h).abs() <= 1e-9 * scale);
            } else {
                prop_assert!(col(|r| r.upkeep) <= n * g.cost.upkeep * h + 1e-9 * scale);
            }
            prop_assert!((col(|r| r.rent) - n * g.cost.rent * h).abs() <= 1e-9 * scale);
            prop_assert!(near(rows[0].capex, n * (g.cost.hw_capex + g.cost.facility_capex), 1e-14));
            prop_assert!(-col(|r| r.residual) <= n * (g.cost.hw_capex + g.cost.facility_capex) * (1.0 + 1e-12));
            prop_assert!(col(|r| r.capex) >= rows[0].capex);
        }
    }
}
