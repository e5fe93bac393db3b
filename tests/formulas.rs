//! MODEL.md sections 2-5 and the cash-flow view, formula by formula, through the public library
//! API: first the kernels (`finance`, `sizing`, `cost`, `work`, `compare`), then whole scenarios
//! parsed from small TOML strings with `Scenario::from_str` and run through `evaluate`.
//!
//! Every expected number is a hand calculation written in the comment beside it; edge cases are
//! labelled (`// r = 0: CRF = 1/n`). Nothing here was copied from the program's output.
//!
//! Most scenario cases use fleet "a" (see `fleet`): an inline chip of 850 W, 1000 bf16 TFLOP/s,
//! 100 GB at 2 TB/s, 20k USD; 8 chips per node with 800 W and 16k USD of node, 50 W and
//! 1000 USD of network per chip; so
//!     w  = 850 + 800 / 8 + 50       = 1000 W per chip
//!     hw = 20000 + 16000 / 8 + 1000 = 23000 USD per chip
//! and the site `SITE` (8 MW of IT power, pue 1.2, 0.1 USD/kWh, 10 USD/W facility over 20 yr,
//! 0.4 USD/W/yr facility opex), which holds floor(8e6 / (8 * 1000)) = 1000 nodes = 8000 chips.

use fleetcost::model::{
    self, cashflow, compare, cost, finance, sizing, work, ModelError, Outcome, WorkloadKind,
};
use fleetcost::report::run_report;
use fleetcost::scenario::Scenario;

/// 1 yr = 8766 h = 31,557,600 s.
const YEAR_S: f64 = 31_557_600.0;

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-9 * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tol || (got - want).abs() < 1e-12,
        "{what}: got {got}, want {want} (rel {:.2e})",
        (got - want).abs() / want.abs()
    );
}

// ---------------------------------------------------------------------------------------------
// Scenario builders
// ---------------------------------------------------------------------------------------------

/// A TOML table from defaults with overrides: an override replaces the default of the same key
/// (or is appended); an empty override value removes the key. Values are TOML text.
fn table(header: &str, defaults: &[(&str, &str)], over: &[(&str, &str)]) -> String {
    let mut keys: Vec<(String, String)> = defaults
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in over {
        match keys.iter_mut().find(|e| e.0 == *k) {
            Some(e) => e.1 = v.to_string(),
            None => keys.push((k.to_string(), v.to_string())),
        }
    }
    let mut out = format!("\n{header}\n");
    for (k, v) in keys.into_iter().filter(|(_, v)| !v.is_empty()) {
        out.push_str(&format!("{k} = {v}\n"));
    }
    out
}

/// [site]: 8 MW of IT power (pue does not divide it), pue 1.2, 0.1 USD/kWh, 10 USD/W facility
/// capex over 20 yr, 0.4 USD/W/yr facility opex.
fn site(over: &[(&str, &str)]) -> String {
    table(
        "[site]",
        &[
            ("power", r#""8 MW""#),
            ("power_basis", r#""it""#),
            ("pue", "1.2"),
            ("electricity", r#""0.1 USD/kWh""#),
            ("facility_capex", r#""10 USD/W""#),
            ("facility_life", r#""20 yr""#),
            ("facility_opex", r#""0.4 USD/W/yr""#),
        ],
        over,
    )
}

/// [finance]: r = 0 (so every CRF is 1/n), horizon 5 yr.
fn finance_toml(over: &[(&str, &str)]) -> String {
    table(
        "[finance]",
        &[("discount_rate", "0"), ("horizon", r#""5 yr""#)],
        over,
    )
}

/// [workload]: flops in bf16 unless overridden.
fn workload(over: &[(&str, &str)]) -> String {
    table(
        "[workload]",
        &[("kind", r#""flops""#), ("precision", r#""bf16""#)],
        over,
    )
}

/// The inline chip of fleet "a" at `price`.
fn chip_a(price: &str) -> String {
    format!(
        r#"{{ name = "chip-a", tdp = "850 W", hbm = "100 GB", hbm_bw = "2 TB/s", peak = {{ bf16 = 1000 }}, price = "{price}" }}"#
    )
}

/// A [[fleet]] like "a" (w = 1000 W, hw = 23000 USD), with overrides.
fn fleet(id: &str, over: &[(&str, &str)]) -> String {
    let id = format!("\"{id}\"");
    let chip = chip_a("20k USD");
    table(
        "[[fleet]]",
        &[
            ("id", &id),
            ("chip", &chip),
            ("chips_per_node", "8"),
            ("node_power", r#""800 W""#),
            ("network_power", r#""50 W""#),
            ("node_price", r#""16k USD""#),
            ("network_price", r#""1000 USD""#),
            ("hardware_life", r#""4 yr""#),
            ("maintenance", "0.05"),
            ("software", r#""500 USD/yr""#),
            ("power_load", "0.5"),
            ("availability", "0.9"),
            ("mfu", "0.5"),
            ("mbu", "0.5"),
        ],
        over,
    )
}

fn scenario(parts: &[String]) -> Scenario {
    let text = format!("schema = 1\nname = \"formulas\"\n{}", parts.concat());
    Scenario::from_str("formulas.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(parts: &[String]) -> (Scenario, Outcome) {
    let s = scenario(parts);
    let o = model::evaluate(&s.inputs).expect("the model evaluates");
    (s, o)
}

/// Fleet "a" alone on the default site, finance and workload, with overrides per table.
fn one_fleet(
    site_over: &[(&str, &str)],
    fin_over: &[(&str, &str)],
    wl_over: &[(&str, &str)],
    fleet_over: &[(&str, &str)],
) -> (Scenario, Outcome) {
    run(&[
        site(site_over),
        finance_toml(fin_over),
        workload(wl_over),
        fleet("a", fleet_over),
    ])
}

// ---------------------------------------------------------------------------------------------
// Section 3: CRF and present value
// ---------------------------------------------------------------------------------------------

#[test]
fn crf_table() {
    #[rustfmt::skip]
    let cases: [(f64, f64, f64, &str); 9] = [
        (0.0, 5.0, 0.2, "r = 0: CRF = 1/n = 1/5"),
        (0.0, 20.0, 0.05, "r = 0: 1/20"),
        (0.0, 2.5, 0.4, "r = 0, non-integer life: 1/2.5"),
        (0.08, 1.0, 1.08, "n = 1: principal plus one year's interest, 0.08 * 1.08 / 0.08"),
        // 0.10 * 1.1^2 / (1.1^2 - 1) = 0.121 / 0.21 = 0.576190476
        (0.10, 2.0, 0.121 / 0.21, "r = 10 %, n = 2"),
        // 0.10 * 1.1^4 / (1.1^4 - 1) = 0.14641 / 0.4641 = 0.315470804
        (0.10, 4.0, 0.14641 / 0.4641, "r = 10 %, n = 4"),
        // 1.05^2.5 = 1.1025 * sqrt(1.05) = 1.1025 * 1.0246950766 = 1.1297263220
        // 0.05 * 1.1297263220 / 0.1297263220 = 0.435426791
        (0.05, 2.5, 0.435_426_791, "non-integer life: real exponent"),
        // 1.5^0.5 = 1.2247448714; 0.5 * 1.2247448714 / 0.2247448714 = 1.5 + sqrt(1.5) = 2.7247448714
        (0.5, 0.5, 2.724_744_871_4, "life under a year: CRF above 1 + r"),
        // (1+r)^-n -> 0 as n -> inf: CRF -> r; 1.1^-1000 ~ 1e-42, so 0.1 to 1e-40
        (0.1, 1000.0, 0.1, "very long life: CRF = r"),
    ];
    for (r, n, want, label) in cases {
        let got = finance::crf(r, n);
        assert!(
            (got - want).abs() <= 1e-9 * want,
            "{label}: crf({r}, {n}) = {got}, want {want}"
        );
    }
}

#[test]
fn crf_keeps_its_precision_at_tiny_rates() {
    // r = 1e-12: CRF = r / (1 - (1+r)^-n) ~ (1/n) (1 + (n+1) r / 2) = 0.2 * (1 + 3e-12)
    // = 0.2000000000006. The textbook formula in floating point, 1e-12 * (1+1e-12)^5 /
    // ((1+1e-12)^5 - 1), gives 0.19998 because 1 + 1e-12 keeps only 4 digits of the 1e-12;
    // expm1/ln_1p keep all of them.
    let got = finance::crf(1e-12, 5.0);
    assert!(
        (got - 0.200_000_000_000_6).abs() < 1e-14,
        "crf(1e-12, 5) = {got}"
    );
    // r -> 0 joins r = 0 continuously: |CRF(1e-9, 5) - 1/5| ~ 0.2 * 3e-9 = 6e-10
    assert!((finance::crf(1e-9, 5.0) - 0.2).abs() < 1e-9);
}

#[test]
fn present_value_and_discount_table() {
    // r = 0: PV of 1 USD a year for H years = H
    close(finance::annuity_pv(0.0, 8.0), 8.0, "annuity r = 0");
    // (1 - 1.1^-2) / 0.1 = (1 - 1/1.21) / 0.1 = (0.21 / 1.21) / 0.1 = 2.1 / 1.21 = 1.7355372
    close(
        finance::annuity_pv(0.1, 2.0),
        2.1 / 1.21,
        "annuity r = 10 %, H = 2",
    );
    // 1.1^5 = 1.61051: (1 - 1/1.61051) / 0.1 = 0.61051 / 0.161051 = 3.7907868
    close(
        finance::annuity_pv(0.1, 5.0),
        0.61051 / 0.161051,
        "annuity H = 5",
    );
    // H = 0.5: (1 - 1.21^-0.5) / 0.21 = (1 - 1/1.1) / 0.21 = (0.1/1.1) / 0.21 = 0.4329004
    close(
        finance::annuity_pv(0.21, 0.5),
        0.1 / 1.1 / 0.21,
        "annuity, half a year",
    );
    // CRF and annuity PV are reciprocals: CRF(0.1, 2) * PV(0.1, 2) = (0.121/0.21) * (2.1/1.21) = 1
    close(
        finance::crf(0.1, 2.0) * finance::annuity_pv(0.1, 2.0),
        1.0,
        "CRF * PV",
    );
    // discount factor (1+r)^-t: 1.1^-2 = 1/1.21; r = 0: 1; t = 0: 1
    close(finance::discount(0.1, 2.0), 1.0 / 1.21, "discount 2 yr");
    close(finance::discount(0.0, 7.0), 1.0, "discount r = 0");
    close(finance::discount(0.1, 0.0), 1.0, "discount year 0");
}

// ---------------------------------------------------------------------------------------------
// Section 2: sizing
// ---------------------------------------------------------------------------------------------

#[test]
fn watts_and_it_budget_table() {
    // w = tdp + node_power / chips_per_node + network_power
    close(
        sizing::watts_per_chip(850.0, 800.0, 8.0, 50.0),
        1000.0,
        "850 + 100 + 50",
    );
    close(
        sizing::watts_per_chip(700.0, 0.0, 1.0, 0.0),
        700.0,
        "chip alone",
    );
    // 72 per rack: 1200 + 33600 / 72 + 60 = 1200 + 466.667 + 60 = 1726.667
    close(
        sizing::watts_per_chip(1200.0, 33_600.0, 72.0, 60.0),
        1200.0 + 33_600.0 / 72.0 + 60.0,
        "NVL72-like",
    );
    // facility basis: 2 GW / 1.25 = 1.6 GW of IT; it basis: the budget itself
    close(sizing::it_budget(2e9, 1.25, true), 1.6e9, "facility basis");
    close(
        sizing::it_budget(2e9, 1.25, false),
        2e9,
        "it basis: pue ignored",
    );
}

/// (nodes, chips)
type Sized2 = (f64, f64);

#[test]
fn node_rounding_table() {
    // (IT budget W, chips per node, w) -> (nodes, chips)
    #[rustfmt::skip]
    let cases: [(f64, f64, f64, Sized2, &str); 6] = [
        // 8e6 / (8 * 1000) = 1000 nodes exactly
        (8e6, 8.0, 1000.0, (1000.0, 8000.0), "budget exactly at a node boundary"),
        // 26400 / 1.1 = 23999.999999999996 in floating point: 2.9999999999999996 nodes -> 3
        (26_400.0 / 1.1, 8.0, 1000.0, (3.0, 24.0), "float noise below a boundary: 3 nodes"),
        // 23999 / 8000 = 2.9999 -> 2 nodes
        (23_999.0, 8.0, 1000.0, (2.0, 16.0), "1 W below the boundary: 2 nodes"),
        // a relative 1e-12 below is ~6000 ulps, a real shortfall rather than noise: 2 nodes
        (24_000.0 * (1.0 - 1e-12), 8.0, 1000.0, (2.0, 16.0), "beyond float noise"),
        // 7999 / 8000 < 1: no node (the model refuses this, see below)
        (7_999.0, 8.0, 1000.0, (0.0, 0.0), "below one node"),
        // 1.6e9 / (16 * 690) = 144927.5 -> 144927 nodes = 2318832 chips
        (1.6e9, 16.0, 690.0, (144_927.0, 2_318_832.0), "large fleet"),
    ];
    for (it, cpn, w, want, label) in cases {
        assert_eq!(sizing::size_to_power(it, cpn, w), want, "{label}");
    }
}

#[test]
fn fixed_chip_count_table() {
    // nodes = ceil(N / chips_per_node); the last node may be partly filled
    assert_eq!(sizing::size_to_count(24.0, 8.0), (3.0, 24.0), "full nodes");
    assert_eq!(
        sizing::size_to_count(20.0, 8.0),
        (3.0, 20.0),
        "20 / 8 = 2.5 -> 3 nodes, last half full"
    );
    assert_eq!(
        sizing::size_to_count(1.0, 72.0),
        (1.0, 1.0),
        "one chip in a 72-chip node"
    );
    // tolerant ceil/floor absorb a few ulps (float noise), not a relative 1e-12 (~6000 ulps)
    let ulp_up = f64::from_bits(3f64.to_bits() + 1);
    let ulp_down = f64::from_bits(3f64.to_bits() - 1);
    assert_eq!(sizing::tolerant_ceil(ulp_up), 3.0, "one ulp above 3 is 3");
    assert_eq!(
        sizing::tolerant_floor(ulp_down),
        3.0,
        "one ulp below 3 is 3"
    );
    assert_eq!(
        sizing::tolerant_ceil(3.0 * (1.0 + 1e-12)),
        4.0,
        "3 + 3e-12 is 4"
    );
    assert_eq!(
        sizing::tolerant_floor(3.0 * (1.0 - 1e-12)),
        2.0,
        "3 - 3e-12 is 2"
    );
    close(sizing::tolerant_floor(2.5), 2.0, "plain floor");
}

#[test]
fn scenario_sizing_on_both_power_bases() {
    // it basis, 8 MW: 1000 nodes of 8 x 1000 W = 8000 chips; IT power 8 MW; facility 8 MW * 1.2
    let (_, o) = one_fleet(&[], &[], &[], &[]);
    let g = &o.fleets[0];
    assert_eq!((g.nodes, g.chips), (1000.0, 8000.0));
    close(g.watts_per_chip, 1000.0, "w");
    close(g.it_power, 8e6, "IT power = N * w");
    close(g.facility_power, 9.6e6, "facility power = N * w * pue");

    // facility basis, 26400 W at pue 1.1: P_it = 24000 W (float: 23999.999999999996) = 3 nodes
    let site_fac = [
        ("power", "26400"),
        ("power_basis", r#""facility""#),
        ("pue", "1.1"),
    ];
    let (_, o) = one_fleet(&site_fac, &[], &[], &[]);
    assert_eq!(
        (o.fleets[0].nodes, o.fleets[0].chips),
        (3.0, 24.0),
        "at the boundary"
    );
    close(
        o.fleets[0].facility_power,
        24.0 * 1000.0 * 1.1,
        "facility power 26.4 kW",
    );

    // just below: 26399 / 1.1 = 23999.09 W = 2.9999 nodes -> 2 nodes, 16 chips
    let (_, o) = one_fleet(
        &[
            ("power", "26399"),
            ("power_basis", r#""facility""#),
            ("pue", "1.1"),
        ],
        &[],
        &[],
        &[],
    );
    assert_eq!(
        (o.fleets[0].nodes, o.fleets[0].chips),
        (2.0, 16.0),
        "just below"
    );

    // the same 26400 W on the it basis: 26400 / 8000 = 3.3 -> 3 nodes, pue not applied
    let (_, o) = one_fleet(&[("power", "26400"), ("pue", "1.1")], &[], &[], &[]);
    assert_eq!(o.fleets[0].chips, 24.0, "it basis");
}

#[test]
fn scenario_sizing_of_billions_is_exact() {
    // 16,000 GW of IT, w = 1000 W, 8 per node: 1.6e13 / 8000 = 2e9 nodes exactly = 1.6e10
    // chips (a relative 1e-9 tolerance made this 2e9 + 2 nodes)
    let (_, o) = one_fleet(&[("power", r#""16000 GW""#)], &[], &[], &[]);
    assert_eq!((o.fleets[0].nodes, o.fleets[0].chips), (2e9, 1.6e10));
    // chips = 1,000,000,001 at 8 per node: 8 x 125,000,000 = 1e9, one chip left over, so
    // 125,000,001 nodes (the relative tolerance gave 125,000,000)
    let (_, o) = one_fleet(&[("power", "")], &[], &[], &[("chips", "1000000001")]);
    assert_eq!(
        (o.fleets[0].nodes, o.fleets[0].chips),
        (125_000_001.0, 1_000_000_001.0)
    );
    // one chip per node: 1,000,000,001 nodes
    let (_, o) = one_fleet(
        &[("power", "")],
        &[],
        &[],
        &[
            ("chips", "1000000001"),
            ("chips_per_node", "1"),
            ("node_power", ""),
            ("node_price", ""),
        ],
    );
    assert_eq!(o.fleets[0].nodes, 1_000_000_001.0);
}

#[test]
fn scenario_fixed_chips_need_no_power_budget() {
    // chips = 20 with 8 per node: nodes = ceil(2.5) = 3; IT power = 20 * 1000 W = 20 kW,
    // facility power = 20 kW * 1.2 = 24 kW; site.power may be left out
    let (s, o) = one_fleet(&[("power", "")], &[], &[], &[("chips", "20")]);
    let g = &o.fleets[0];
    assert_eq!((g.nodes, g.chips), (3.0, 20.0));
    close(g.it_power, 20_000.0, "IT power");
    close(g.facility_power, 24_000.0, "facility power");
    // the report says no budget was used for this fleet
    assert_eq!(run_report(&s, &o).fleets[0].power_budget_w, None);
}

#[test]
fn a_budget_below_one_node_is_an_input_error() {
    // 7999 W of IT < one node of 8 x 1000 W = 8 kW: refused, naming the fleet and the node
    let text = format!(
        "schema = 1\n{}{}{}{}",
        site(&[("power", "7999")]),
        finance_toml(&[]),
        workload(&[]),
        fleet("a", &[])
    );
    let err = Scenario::from_str("small.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("fleet 'a'") && err.contains("below one node"),
        "{err}"
    );
    assert!(err.contains("8.00 kW") || err.contains("8 kW"), "{err}");
}

#[test]
fn fleet_overrides_of_site_keys() {
    // facility basis 9.6 MW at the site's pue 1.2: 8 MW of IT -> 1000 nodes (fleet a);
    // fleet b overrides pue = 1.6: 9.6 / 1.6 = 6 MW -> 750 nodes = 6000 chips,
    // and its energy = 1 kW * 0.5 * 1.6 * 8766 h * 0.1 USD/kWh = 701.28 USD (a: 525.96)
    let (_, o) = run(&[
        site(&[("power", r#""9.6 MW""#), ("power_basis", r#""facility""#)]),
        finance_toml(&[]),
        workload(&[]),
        fleet("a", &[]),
        fleet("b", &[("pue", "1.6")]),
        fleet("c", &[("electricity", r#""50 USD/MWh""#)]),
    ]);
    assert_eq!(o.fleets[0].chips, 8000.0);
    assert_eq!(o.fleets[1].chips, 6000.0);
    close(
        o.fleets[1].facility_power,
        6000.0 * 1000.0 * 1.6,
        "b's facility power",
    );
    close(o.fleets[0].cost.energy, 525.96, "a's energy");
    close(o.fleets[1].cost.energy, 701.28, "b's energy at its own pue");
    // c: 50 USD/MWh = 0.05 USD/kWh: 0.6 kW * 8766 h * 0.05 = 262.98 USD; site pue 1.2 sizes it
    close(
        o.fleets[2].cost.energy,
        262.98,
        "c's energy at its own price",
    );
    assert_eq!(o.fleets[2].chips, 8000.0);
}

// ---------------------------------------------------------------------------------------------
// Section 3: cost per chip-year
// ---------------------------------------------------------------------------------------------

fn own_inputs() -> cost::OwnCostInputs {
    cost::OwnCostInputs {
        watts: 1000.0,
        hw_capex: cost::hw_capex(20_000.0, 16_000.0, 8.0, 1000.0),
        hardware_life_years: 4.0,
        discount_rate: 0.0,
        facility_capex_per_w: 10.0,
        facility_life_years: 20.0,
        facility_opex_per_w_year: 0.4,
        power_load: 0.5,
        pue: 1.2,
        electricity: 0.1 / 3.6e6, // 0.1 USD/kWh in USD/J
        maintenance: 0.05,
        software_per_year: 500.0,
    }
}

#[test]
fn energy_table() {
    // energy = w * power_load * pue * 8766 h * electricity
    #[rustfmt::skip]
    let cases: [(f64, f64, f64, f64, f64, &str); 5] = [
        // 1 kW * 0.5 * 1.2 * 8766 h * 0.1 USD/kWh = 0.6 * 876.6 = 525.96
        (1000.0, 0.5, 1.2, 0.1, 525.96, "fleet a"),
        // 1 kW * 1 * 1 * 8766 h * 0.1 = 876.6: full load, no cooling overhead
        (1000.0, 1.0, 1.0, 0.1, 876.6, "full load, pue 1"),
        // 0.7 kW * 0.8 * 1.15 * 8766 * 0.08 = 0.644 * 701.28 = 451.62432
        (700.0, 0.8, 1.15, 0.08, 451.624_32, "H100-like"),
        // free electricity: 0
        (1000.0, 0.5, 1.2, 0.0, 0.0, "electricity 0"),
        // 2.5 kW * 0.25 * 2 * 8766 * 0.2 = 1.25 * 1753.2 = 2191.5
        (2500.0, 0.25, 2.0, 0.2, 2191.5, "pue 2"),
    ];
    for (w, load, pue, usd_per_kwh, want, label) in cases {
        let mut i = own_inputs();
        i.watts = w;
        i.power_load = load;
        i.pue = pue;
        i.electricity = usd_per_kwh / 3.6e6;
        close(cost::owned(&i).energy, want, label);
    }
}

#[test]
fn upkeep_table() {
    // upkeep = maintenance * hw + software + facility_opex * w, hw = 23000, w = 1000
    #[rustfmt::skip]
    let cases: [(f64, f64, f64, f64, &str); 5] = [
        (0.05, 0.0, 0.0, 1150.0, "maintenance only: 0.05 * 23000"),
        (0.0, 500.0, 0.0, 500.0, "software only: 500 USD/yr"),
        (0.0, 0.0, 0.4, 400.0, "facility opex only: 0.4 USD/W/yr * 1000 W"),
        (0.05, 500.0, 0.4, 2050.0, "all three: 1150 + 500 + 400"),
        (0.0, 0.0, 0.0, 0.0, "none"),
    ];
    for (m, sw, fo, want, label) in cases {
        let mut i = own_inputs();
        i.maintenance = m;
        i.software_per_year = sw;
        i.facility_opex_per_w_year = fo;
        close(cost::owned(&i).upkeep, want, label);
    }
}

#[test]
fn owned_chip_year_kernel() {
    let c = cost::owned(&own_inputs());
    close(c.hw_capex, 23_000.0, "hw = 20000 + 16000 / 8 + 1000");
    close(c.facility_capex, 10_000.0, "fac = 10 USD/W * 1000 W");
    // r = 0: capital = 23000 / 4 + 10000 / 20 = 5750 + 500
    close(c.hw_capital, 5750.0, "hw capital");
    close(c.facility_capital, 500.0, "facility capital");
    close(c.capital(), 6250.0, "capital");
    // C = 6250 + 525.96 + 2050 = 8825.96
    close(c.total(), 8825.96, "C");
    assert_eq!(c.rent, 0.0);
}

#[test]
fn rented_chip_year_kernel() {
    // rent * 8766 h and nothing else: 2 USD/h -> 17532 USD
    let c = cost::rented(2.0);
    close(c.total(), 17_532.0, "C = 2 * 8766");
    assert_eq!(
        [
            c.hw_capex,
            c.facility_capex,
            c.hw_capital,
            c.facility_capital,
            c.energy,
            c.upkeep
        ],
        [0.0; 6]
    );
    // rent 0 is allowed: a free chip-year
    assert_eq!(cost::rented(0.0).total(), 0.0);
}

#[test]
fn scenario_owned_fleet_end_to_end() {
    // fleet "a", r = 0, flops workload, 8000 chips (see the file's head)
    let (s, o) = one_fleet(&[], &[], &[], &[]);
    let g = &o.fleets[0];
    close(g.cost.hw_capex, 23_000.0, "hw capex per chip");
    close(g.cost.facility_capex, 10_000.0, "facility capex per chip");
    close(g.cost.capital(), 6250.0, "capital: 23000 / 4 + 10000 / 20");
    close(
        g.cost.energy,
        525.96,
        "energy: 1 kW * 0.5 * 1.2 * 8766 h * 0.1 USD/kWh",
    );
    close(
        g.cost.upkeep,
        2050.0,
        "upkeep: 0.05 * 23000 + 500 + 0.4 * 1000",
    );
    close(g.cost_per_chip_year, 8825.96, "C = 6250 + 525.96 + 2050");
    close(
        model::per_hour(g.cost_per_chip_year),
        8825.96 / 8766.0,
        "per chip-hour 1.00684",
    );
    // R = 1000e12 * 0.5 * 0.9 = 4.5e14 FLOP/s; 4.5e14 * 31557600 / 1e18 = 14200.92 EFLOP
    close(g.effective_flops, 4.5e14, "R");
    close(g.work_per_chip_year, 14_200.92, "EFLOP per chip-year");
    close(
        g.cost_per_unit,
        8825.96 / 14_200.92,
        "USD per EFLOP = 0.621506",
    );
    // totals: annual 8000 * 8825.96 = 70,607,680; nominal over 5 yr 353,038,400; PV at r = 0
    // is the nominal
    close(g.annual_cost, 70_607_680.0, "annual");
    close(g.horizon_cost_nominal, 353_038_400.0, "nominal");
    close(g.horizon_cost_pv, 353_038_400.0, "PV at r = 0 = N C H");
    // the report's added keys
    let r = run_report(&s, &o);
    let row = &r.fleets[0];
    assert_eq!(row.mode, "own");
    assert_eq!(row.chip, "chip-a", "an inline chip's `name` is its label");
    close(row.hw_capital_per_chip_year, 5750.0, "hw capital");
    close(
        row.facility_capital_per_chip_year,
        500.0,
        "facility capital",
    );
    assert_eq!(row.rent_per_chip_year, 0.0);
    assert_eq!(row.power_budget_w, Some(8e6));
    assert_eq!(row.work_unit, "EFLOP");
}

#[test]
fn scenario_discounting() {
    // r = 10 %: CRF(0.1, 4) = 0.14641 / 0.4641 = 0.3154708; CRF(0.1, 20) = 0.1 * 6.7275
    // / 5.7275 = 0.1174596 (1.1^20 = 6.7274999493)
    // capital = 23000 * 0.3154708037 + 10000 * 0.1174596248 = 7255.8285 + 1174.5962 = 8430.4247
    let (_, o) = one_fleet(&[], &[("discount_rate", "0.1")], &[], &[]);
    let g = &o.fleets[0];
    let crf4 = 0.14641 / 0.4641;
    let crf20 = 0.672_749_994_932_56 / 5.727_499_949_325_6;
    close(g.cost.hw_capital, 23_000.0 * crf4, "hw capital");
    close(
        g.cost.facility_capital,
        10_000.0 * crf20,
        "facility capital",
    );
    // C = 8430.4247 + 525.96 + 2050 = 11006.3847
    let c = 23_000.0 * crf4 + 10_000.0 * crf20 + 525.96 + 2050.0;
    close(g.cost_per_chip_year, c, "C");
    // PV over 5 yr = N C (1 - 1.1^-5) / 0.1 = N C * 0.61051 / 0.161051 = N C * 3.7907868: the
    // cash-flow table with its residual credit agrees with the annualised view (lives 4 and 20
    // are whole years).
    close(g.horizon_cost_pv, 8000.0 * c * 0.61051 / 0.161051, "PV");
    // nominal = the table's sum: hardware 23000 at 0 and at 4, facility 10000 at 0, running
    // 5 * (525.96 + 2050); minus the residual at 5 of the hardware bought at 4 (3 of 4 yr left)
    // and of the facility (15 of 20 left), each at AF(r, left) / AF(r, life).
    let af = |m: f64| (1.0 - 1.1f64.powf(-m)) / 0.1;
    let per_chip = 2.0 * 23_000.0 + 10_000.0 + 5.0 * 2575.96
        - 23_000.0 * af(3.0) / af(4.0)
        - 10_000.0 * af(15.0) / af(20.0);
    close(
        g.horizon_cost_nominal,
        8000.0 * per_chip,
        "nominal: the table's sum",
    );
    // a non-integer horizon, 2.5 yr: no refresh; residuals with 1.5 of 4 and 17.5 of 20 left
    let (_, o) = one_fleet(
        &[],
        &[("discount_rate", "0.1"), ("horizon", r#""2.5 yr""#)],
        &[],
        &[],
    );
    let per_chip = 23_000.0 + 10_000.0 + 2.5 * 2575.96
        - 23_000.0 * af(1.5) / af(4.0)
        - 10_000.0 * af(17.5) / af(20.0);
    close(
        o.fleets[0].horizon_cost_nominal,
        8000.0 * per_chip,
        "nominal, H = 2.5",
    );
}

#[test]
fn scenario_rented_fleet() {
    // rent 2 USD/h: C = 2 * 8766 = 17532 USD; every own-cost figure 0; sized like fleet a
    // (8000 chips); availability still scales work: R = 1000e12 * 0.5 * 0.9 = 4.5e14
    let (s, o) = run(&[
        site(&[]),
        finance_toml(&[]),
        workload(&[]),
        fleet("own", &[]),
        fleet("rented", &[("rent", r#""2 USD/h""#)]),
    ]);
    let g = &o.fleets[1];
    assert_eq!((g.nodes, g.chips), (1000.0, 8000.0), "sized like any fleet");
    close(g.it_power, 8e6, "IT power");
    close(g.cost_per_chip_year, 17_532.0, "C = rent * 8766");
    close(g.cost.rent, 17_532.0, "rent per chip-year");
    for (v, what) in [
        (g.cost.hw_capex, "hw capex"),
        (g.cost.facility_capex, "facility capex"),
        (g.cost.capital(), "capital"),
        (g.cost.energy, "energy"),
        (g.cost.upkeep, "upkeep"),
    ] {
        assert_eq!(v, 0.0, "{what} of a rented fleet");
    }
    close(g.effective_flops, 4.5e14, "availability scales work");
    close(
        g.cost_per_unit,
        17_532.0 / 14_200.92,
        "USD per EFLOP = 1.234569",
    );
    close(g.annual_cost, 8000.0 * 17_532.0, "annual = N * rent * 8766");
    // rho (own baseline, rented candidate) = 8825.96 / 17532 = 0.5034200
    close(o.comparisons[0].rho, 8825.96 / 17_532.0, "rho");
    let row = &run_report(&s, &o).fleets[1];
    assert_eq!(row.mode, "rent");
    close(row.rent_per_chip_year, 17_532.0, "report rent");
    assert_eq!(row.capital_per_chip_year, 0.0);
    // availability 0.45 (half of 0.9) halves the rented fleet's work and doubles its cost per unit
    let (_, o) = one_fleet(
        &[],
        &[],
        &[],
        &[("rent", r#""2 USD/h""#), ("availability", "0.45")],
    );
    close(
        o.fleets[0].cost_per_unit,
        2.0 * 17_532.0 / 14_200.92,
        "availability 0.45",
    );
}

// ---------------------------------------------------------------------------------------------
// Section 4: work
// ---------------------------------------------------------------------------------------------

#[test]
fn work_kernels_table() {
    // R = peak * mfu * availability
    close(work::effective_flops(1000e12, 0.5, 0.9), 4.5e14, "R");
    close(
        work::effective_flops(989.4e12, 1.0, 1.0),
        989.4e12,
        "mfu = availability = 1",
    );
    // EFLOP per chip-year: 1e18 FLOP/s * 31557600 s / 1e18 = 31557600; 4.5e14 -> 14200.92
    close(work::eflop_per_year(1e18), YEAR_S, "1 EFLOP/s");
    close(work::eflop_per_year(4.5e14), 14_200.92, "4.5e14 FLOP/s");
    // training tokens/s = R / (6 P): 4.5e14 / (6 * 7.5e9) = 4.5e14 / 4.5e10 = 10000
    close(
        work::training_tokens_per_s(4.5e14, work::training_flops_per_token(7.5e9, None)),
        10_000.0,
        "tokens/s",
    );
    // With the attention term: 32 layers x 32 heads x 128 dims at seq_len 4096:
    // 12 * 32 * 32 * 128 * 4096 = 12 * 1024 = 12,288; * 128 = 1,572,864; * 4096 = 6,442,450,944
    // F_tok = 4.5e10 + 6.442450944e9 = 51,442,450,944; tokens/s = 4.5e14 / 5.1442e10 = 8747.64
    let attention = work::Attention {
        layers: 32.0,
        heads: 32.0,
        head_dim: 128.0,
        seq_len: 4096.0,
    };
    let f_tok = work::training_flops_per_token(7.5e9, Some(attention));
    close(f_tok, 51_442_450_944.0, "F_tok with attention");
    close(
        work::training_tokens_per_s(4.5e14, f_tok),
        4.5e14 / 51_442_450_944.0,
        "tokens/s with attention",
    );
    assert!(
        (4.5e14_f64 / 51_442_450_944.0 - 8_747.639_2).abs() < 1e-3,
        "8747.64 by hand"
    );
    // Chip-hours of 1e12 tokens at 10000 tokens/s per chip: 1e12 / 1e4 / 3600 = 27,777.78,
    // whatever the chip count: on 8000 chips the run takes 12500 s, 8000 * 12500 / 3600.
    close(
        work::chip_hours(8000.0, 12_500.0),
        27_777.777_777_8,
        "chip-hours",
    );
    close(
        work::run_seconds(1e12, 8000.0, 10_000.0),
        12_500.0,
        "run seconds",
    );
    // 1M tokens per chip-year: 10000 * 31557600 / 1e6 = 315576
    close(
        work::mtokens_per_year(10_000.0),
        315_576.0,
        "M tokens per year",
    );
}

#[test]
fn scenario_training_with_tokens() {
    // P = 7.5e9: tokens/s = 4.5e14 / (6 * 7.5e9) = 10000; work = 315576 M tokens per chip-year
    // cost per unit = 8825.96 / 315576 = 0.0279678 USD per 1M tokens
    // tokens = 1e12: run cost = 1e12 / 1e6 * 0.0279678 = 27967.78 USD;
    // run time = 1e12 / (8000 chips * 10000 tokens/s) = 12500 s
    let (s, o) = one_fleet(
        &[],
        &[],
        &[
            ("kind", r#""training""#),
            ("model_params", "7.5e9"),
            ("tokens", "1e12"),
        ],
        &[],
    );
    let g = &o.fleets[0];
    assert_eq!(s.inputs.workload.kind, WorkloadKind::Training);
    close(g.tokens_per_s.unwrap(), 10_000.0, "tokens/s per chip");
    close(g.work_per_chip_year, 315_576.0, "M tokens per chip-year");
    close(g.cost_per_unit, 8825.96 / 315_576.0, "USD per 1M tokens");
    close(
        g.run_cost.unwrap(),
        1e6 * 8825.96 / 315_576.0,
        "run cost 27967.78",
    );
    close(g.run_seconds.unwrap(), 12_500.0, "run time");
    assert_eq!(run_report(&s, &o).fleets[0].work_unit, "1M training tokens");
    // run time scales with 1 / N: half the budget (4 MW) -> 4000 chips -> 25000 s;
    // the run cost does not change (per-unit figures do not depend on N)
    let (_, o) = one_fleet(
        &[("power", r#""4 MW""#)],
        &[],
        &[
            ("kind", r#""training""#),
            ("model_params", "7.5e9"),
            ("tokens", "1e12"),
        ],
        &[],
    );
    close(
        o.fleets[0].run_seconds.unwrap(),
        25_000.0,
        "run time on half the fleet",
    );
    close(
        o.fleets[0].run_cost.unwrap(),
        1e6 * 8825.96 / 315_576.0,
        "run cost",
    );
    // without tokens: no run figures
    let (_, o) = one_fleet(
        &[],
        &[],
        &[("kind", r#""training""#), ("model_params", "7.5e9")],
        &[],
    );
    assert_eq!(
        (o.fleets[0].run_cost, o.fleets[0].run_seconds),
        (None, None)
    );
}

/// Training with the attention term, a mixture of experts, chip-hours, energy and carbon, and
/// a fleet's own precision (MODEL.md section 4), on fleet "a" (R = 1000e12 * 0.5 * 0.9 =
/// 4.5e14 FLOP/s; w = 1000 W, power_load 0.5, pue 1.2: 600 W at the meter per chip):
///   70e9 stored parameters, 7.5e9 active: dense term 6 * 7.5e9 = 4.5e10
///   attention 12 * 32 layers * 32 heads * 128 * 4096 = 6,442,450,944
///   F_tok = 51,442,450,944; tokens/s = 4.5e14 / F_tok = 8747.6392
///   chip-hours of 1e12 tokens = 1e12 / 8747.6392 / 3600 = 31,754.60 (on any chip count)
///   J per 1M tokens = 600 W * 1e6 / 8747.6392 = 68,589.93 J = 0.0190528 kWh
///   kg CO2e per 1M tokens at 0.4 kg/kWh = 0.00762110
/// With the fleet at fp8 (peak 2000 TFLOP/s) every rate doubles: chip-hours and energy halve.
#[test]
fn scenario_training_attention_moe_chip_hours_energy() {
    let wl = [
        ("kind", r#""training""#),
        ("model_params", "70e9"),
        ("active_params", "7.5e9"),
        ("layers", "32"),
        ("heads", "32"),
        ("head_dim", "128"),
        ("seq_len", "4096"),
        ("tokens", "1e12"),
    ];
    let (s, o) = one_fleet(&[("carbon_intensity", "0.4")], &[], &wl, &[]);
    let g = &o.fleets[0];
    let f_tok = 51_442_450_944.0;
    close(s.inputs.workload.training_flops_per_token(), f_tok, "F_tok");
    close(g.flops_per_token.unwrap(), f_tok, "F_tok in the figures");
    close(g.tokens_per_s.unwrap(), 4.5e14 / f_tok, "tokens/s");
    assert!((g.tokens_per_s.unwrap() - 8_747.639_2).abs() < 1e-3);
    close(
        g.chip_hours.unwrap(),
        1e12 / (4.5e14 / f_tok) / 3600.0,
        "chip-hours",
    );
    assert!((g.chip_hours.unwrap() - 31_754.60).abs() < 0.01);
    close(
        g.chip_hours.unwrap(),
        g.chips * g.run_seconds.unwrap() / 3600.0,
        "chip-hours = N * run seconds / 3600",
    );
    close(
        g.joules_per_unit,
        600.0 * 1e6 / (4.5e14 / f_tok),
        "J per unit",
    );
    assert!((g.joules_per_unit / 3.6e6 - 0.019_052_8).abs() < 1e-7);
    close(
        g.kg_co2e_per_unit.unwrap(),
        0.4 * g.joules_per_unit / 3.6e6,
        "kg CO2e per unit",
    );
    assert!((g.kg_co2e_per_unit.unwrap() - 0.007_621_10).abs() < 1e-8);
    let row = &run_report(&s, &o).fleets[0];
    assert_eq!(row.chip_hours, g.chip_hours);
    assert_eq!(row.precision, "bf16");
    // The fleet's own fp8 (its chip has 2000 fp8 TFLOP/s): twice the tokens per second.
    let chip = r#"{ name = "chip-a", tdp = "850 W", hbm = "100 GB", hbm_bw = "2 TB/s", peak = { bf16 = 1000, fp8 = 2000 }, price = "20k USD" }"#;
    let (s8, o8) = one_fleet(
        &[("carbon_intensity", "0.4")],
        &[],
        &wl,
        &[("chip", chip), ("precision", r#""fp8""#)],
    );
    let g8 = &o8.fleets[0];
    close(
        g8.tokens_per_s.unwrap(),
        2.0 * 4.5e14 / f_tok,
        "fp8 tokens/s",
    );
    close(
        g8.chip_hours.unwrap(),
        g.chip_hours.unwrap() / 2.0,
        "fp8 chip-hours",
    );
    close(g8.joules_per_unit, g.joules_per_unit / 2.0, "fp8 energy");
    assert_eq!(run_report(&s8, &o8).fleets[0].precision, "fp8");
    // Without carbon_intensity: no carbon figure; without seq_len: 6 * active_params alone.
    let (_, o) = one_fleet(&[], &[], &wl[..6], &[]);
    assert_eq!(o.fleets[0].kg_co2e_per_unit, None);
    assert_eq!(o.fleets[0].chip_hours, None);
    close(
        o.fleets[0].flops_per_token.unwrap(),
        4.5e10,
        "6 * active_params",
    );
}

/// A 10B decoder in 2-byte weights (20e9 B); 10 layers x 5 KV heads x 100 dims x 2 B:
/// kv_tok = 2 * 10 * 5 * 100 * 2 = 20000 B per token; 1000 tokens of context = 20e6 B per
/// sequence.
fn shape(batch: Option<f64>, tp: Option<f64>) -> work::DecoderShape {
    work::DecoderShape {
        model_params: 10e9,
        layers: 10.0,
        kv_heads: 5.0,
        head_dim: 100.0,
        weight_bytes: 2.0,
        kv_bytes: 2.0,
        context: 1000.0,
        batch,
        tensor_parallel: tp,
    }
}

/// Chip a: 1000 TFLOP/s at mfu 0.5 = 5e14 FLOP/s; 2 TB/s at mbu 0.5 = 1e12 B/s; 100 GB.
fn chip() -> work::DecodeChip {
    work::DecodeChip {
        peak: 1000e12,
        mfu: 0.5,
        hbm: 100e9,
        hbm_bw: 2e12,
        mbu: 0.5,
        step_overhead: 0.0,
        availability: 0.9,
    }
}

/// A decode setup: (batch, tensor_parallel, step_overhead s).
type Setup = (Option<f64>, Option<f64>, f64);
/// Expected decode: (n_r, B, t_step, memory bound, tokens/s per chip).
type Expected = (f64, f64, f64, bool, f64);

// Per replica chip: compute = 2 * 10e9 * B / (n_r * 5e14) = 4e-5 B / n_r s;
// memory = (20e9 + B * 20e6) / (n_r * 1e12) = (0.02 + 2e-5 B) / n_r s.
// Ridge: 4e-5 B = 0.02 + 2e-5 B -> B = 1000. Above it, tokens/s per chip = R / (2 P) * avail
// = 5e14 / 2e10 * 0.9 = 22500, whatever the batch.

#[test]
fn decode_kv_and_weights() {
    let s = shape(Some(1.0), None);
    close(s.kv_bytes_per_token(), 20_000.0, "2 * 10 * 5 * 100 * 2");
    close(s.weight_bytes_total(), 20e9, "10e9 * 2");
}

#[test]
fn decode_roofline_table() {
    // (batch, tp, overhead) -> (n_r, B, t_step, memory bound, tokens/s per chip)
    #[rustfmt::skip]
    let cases: [(Setup, Expected, &str); 8] = [
        // B = 100: n_r = ceil((20e9 + 100 * 20e6) / 100e9) = ceil(0.22) = 1;
        // compute 4 ms, memory 22e9 / 1e12 = 22 ms; 100 / 0.022 * 0.9 = 4090.909
        ((Some(100.0), None, 0.0), (1.0, 100.0, 0.022, true, 100.0 / 0.022 * 0.9), "memory-bound side"),
        // B = 1: compute 0.04 ms, memory (20e9 + 20e6) / 1e12 = 20.02 ms; 1 / 0.02002 * 0.9
        ((Some(1.0), None, 0.0), (1.0, 1.0, 0.020_02, true, 0.9 / 0.020_02), "batch 1"),
        // B = 1000: compute 40 ms = memory (20e9 + 20e9) / 1e12 = 40 ms: the ridge point
        // (counted as memory-bound); 1000 / 0.04 * 0.9 = 22500
        ((Some(1000.0), None, 0.0), (1.0, 1000.0, 0.04, true, 22_500.0), "at the ridge"),
        // B = 2000: KV 40e9, total 60e9 B fits; compute 80 ms > memory 60 ms;
        // 2000 / 0.08 * 0.9 = 22500 = R / (2 P) * availability
        ((Some(2000.0), None, 0.0), (1.0, 2000.0, 0.08, false, 22_500.0), "compute-bound side"),
        // B = 5000: 20e9 + 100e9 = 120e9 B -> n_r = ceil(1.2) = 2; compute 4e-5 * 5000 / 2
        // = 0.1 s > memory (0.02 + 0.1) / 2 = 0.06 s; 5000 / (0.1 * 2) * 0.9 = 22500
        ((Some(5000.0), None, 0.0), (2.0, 5000.0, 0.1, false, 22_500.0), "replica of 2 chips"),
        // tensor_parallel = 4, B = 100: compute 1 ms, memory 22e9 / 4e12 = 5.5 ms;
        // 100 / (0.0055 * 4) * 0.9 = 4090.909: ideal scaling, the same per chip as n_r = 1
        ((Some(100.0), Some(4.0), 0.0), (4.0, 100.0, 0.0055, true, 100.0 / 0.022 * 0.9), "tensor_parallel given"),
        // "max": n_r from B1 = 1: ceil(20.02e9 / 100e9) = 1; B = floor((100e9 - 20e9) / 20e6)
        // = floor(4000) = 4000 (exactly at the HBM boundary); compute 0.16 s > memory 0.1 s
        ((None, None, 0.0), (1.0, 4000.0, 0.16, false, 22_500.0), "batch max"),
        // B = 100 with 1 ms per step: t = 22 + 1 = 23 ms; 100 / 0.023 * 0.9 = 3913.04
        ((Some(100.0), None, 1e-3), (1.0, 100.0, 0.023, true, 100.0 / 0.023 * 0.9), "step overhead"),
    ];
    for ((batch, tp, overhead), (n_r, b, t, mem, tps), label) in cases {
        let mut c = chip();
        c.step_overhead = overhead;
        let d = work::decode(&shape(batch, tp), &c).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(d.replica_chips, n_r, "{label}: n_r");
        assert_eq!(d.batch, b, "{label}: B");
        close(d.step_seconds, t, &format!("{label}: t_step"));
        assert_eq!(d.memory_bound, mem, "{label}: memory bound");
        close(
            d.tokens_per_s_per_chip,
            tps,
            &format!("{label}: tokens/s per chip"),
        );
    }
}

#[test]
fn decode_batch_max_with_tensor_parallel() {
    // tp = 4: B = floor((400e9 - 20e9) / 20e6) = 19000; compute 4e-5 * 19000 / 4 = 0.19 s,
    // memory (20e9 + 380e9) / 4e12 = 0.1 s; 19000 / (0.19 * 4) * 0.9 = 22500
    let d = work::decode(&shape(None, Some(4.0)), &chip()).unwrap();
    assert_eq!((d.replica_chips, d.batch), (4.0, 19_000.0));
    close(d.step_seconds, 0.19, "t_step");
    close(d.tokens_per_s_per_chip, 22_500.0, "tokens/s per chip");
    // context 3000 (60e6 B per sequence): B = floor(80e9 / 60e6) = floor(1333.3) = 1333
    let mut s = shape(None, None);
    s.context = 3000.0;
    assert_eq!(work::decode(&s, &chip()).unwrap().batch, 1333.0);
}

#[test]
fn decode_refusals() {
    // B = 5000 with tp = 1: 120e9 B > 100e9 B; it needs ceil(1.2) = 2 chips
    let err = work::decode(&shape(Some(5000.0), Some(1.0)), &chip()).unwrap_err();
    let work::DecodeError::DoesNotFit { chips_needed, .. } = err.clone();
    assert_eq!(chips_needed, 2.0);
    assert!(err.to_string().contains("at least 2 chips"), "{err}");
    // weights alone (20e9 B) on a 16 GB chip with tp = 1: even "max" has no room (B < 1)
    let mut c = chip();
    c.hbm = 16e9;
    assert!(
        work::decode(&shape(None, Some(1.0)), &c).is_err(),
        "weights do not fit"
    );
    // the same without tp: n_r = ceil(20.02e9 / 16e9) = 2, B = floor((32e9 - 20e9) / 20e6) = 600
    let d = work::decode(&shape(None, None), &c).unwrap();
    assert_eq!((d.replica_chips, d.batch), (2.0, 600.0));
}

fn inference_wl(batch: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", r#""inference""#.to_string()),
        ("model_params", "10e9".into()),
        ("layers", "10".into()),
        ("kv_heads", "5".into()),
        ("head_dim", "100".into()),
        ("weight_bytes", "2".into()),
        ("kv_bytes", "2".into()),
        ("context", "1000".into()),
        ("batch", batch.into()),
    ]
}

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

#[test]
fn scenario_inference() {
    // batch 100 on fleet a (the `chip()` figures): 4090.909 tokens/s per chip (see the table);
    // M tokens per chip-year = 4090.909 * 31557600 / 1e6 = 129099.27;
    // cost per unit = 8825.96 / 129099.27 = 0.0683655 USD per 1M output tokens
    let wl = inference_wl("100");
    let (s, o) = one_fleet(&[], &[], &as_refs(&wl), &[]);
    let g = &o.fleets[0];
    let tps = 100.0 / 0.022 * 0.9;
    close(g.tokens_per_s.unwrap(), tps, "tokens/s per chip");
    close(
        g.work_per_chip_year,
        tps * YEAR_S / 1e6,
        "M tokens per chip-year",
    );
    close(
        g.cost_per_unit,
        8825.96 / (tps * YEAR_S / 1e6),
        "USD per 1M tokens",
    );
    let row = &run_report(&s, &o).fleets[0];
    assert_eq!((row.batch, row.replica_chips), (Some(100), Some(1)));
    assert_eq!(row.work_unit, "1M output tokens");

    // batch "max" with the default memory_reserve 0.10: B = floor((100e9 * 0.9 - 20e9) / 20e6)
    // = 3500; compute 4e-5 * 3500 = 0.14 s > memory 0.02 + 2e-5 * 3500 = 0.09 s:
    // compute-bound, 22500 tokens/s per chip
    let wl = inference_wl(r#""max""#);
    let (_, o) = one_fleet(&[], &[], &as_refs(&wl), &[]);
    assert_eq!(o.fleets[0].serving.unwrap().batch, 3500.0);
    close(o.fleets[0].tokens_per_s.unwrap(), 22_500.0, "max batch");

    // workload tensor_parallel = 4 and a fleet override of 2: B = 100 on 2 chips:
    // memory 22e9 / 2e12 = 11 ms; 100 / (0.011 * 2) * 0.9 = 4090.909 again
    let mut wl = inference_wl("100");
    wl.push(("tensor_parallel", "4".into()));
    let (_, o) = run(&[
        site(&[]),
        finance_toml(&[]),
        workload(&as_refs(&wl)),
        fleet("tp4", &[]),
        fleet("tp2", &[("tensor_parallel", "2")]),
    ]);
    assert_eq!(o.fleets[0].serving.unwrap().replica_chips, 4.0);
    assert_eq!(o.fleets[1].serving.unwrap().replica_chips, 2.0);
    close(
        o.fleets[1].serving.unwrap().decode_step,
        0.011,
        "t_step on 2 chips",
    );
    close(o.fleets[1].tokens_per_s.unwrap(), tps, "ideal scaling");
    // ... and so rho = 1 between them (same cost, same work per chip)
    close(o.comparisons[0].rho, 1.0, "rho tp2 vs tp4");

    // a batch that does not fit in the given tensor_parallel is an input error
    let mut wl = inference_wl("5000");
    wl.push(("tensor_parallel", "1".into()));
    let text = format!(
        "schema = 1\n{}{}{}{}",
        site(&[]),
        finance_toml(&[]),
        workload(&as_refs(&wl)),
        fleet("a", &[])
    );
    let err = Scenario::from_str("big.toml", &text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least 2 chips"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Section 5: price-performance, claims, contract
// ---------------------------------------------------------------------------------------------

#[test]
fn rho_and_claims_table() {
    // rho = cost_per_unit(baseline) / cost_per_unit(candidate)
    close(
        compare::rho(1.5, 1.0),
        1.5,
        "candidate 1/3 cheaper per unit",
    );
    close(compare::rho(1.0, 1.0), 1.0, "equal");
    close(compare::rho(1.0, 2.0), 0.5, "candidate twice as dear");
    #[rustfmt::skip]
    let cases: [(f64, f64, bool, f64, &str); 4] = [
        (1.5, 1.3, true, 0.2, "rho 1.5 >= 1.30 by 0.20"),
        (1.5, 1.4, true, 0.1, "rho 1.5 >= 1.40 by 0.10"),
        (1.3, 1.3, true, 0.0, "exactly at the level holds"),
        (1.2, 1.3, false, -0.1, "rho 1.2 < 1.30 by 0.10"),
    ];
    for (rho, level, holds, margin, label) in cases {
        let (h, m) = compare::claim(rho, level);
        assert_eq!(h, holds, "{label}");
        assert!((m - margin).abs() < 1e-12, "{label}: margin {m}");
    }
}

#[test]
fn scenario_comparisons() {
    // a (baseline by default: first fleet), b = a with an 8k USD chip, c = a at half the mfu.
    // b: hw = 8000 + 2000 + 1000 = 11000; capital = 11000 / 4 + 500 = 3250;
    //    upkeep = 0.05 * 11000 + 500 + 400 = 1450; C = 3250 + 525.96 + 1450 = 5225.96
    //    rho(b) = 8825.96 / 5225.96 = 1.6888686; 1 - 1/rho = 3600 / 8825.96 = 0.4078876
    //    claims [1.3, 1.7]: 1.3 holds by 0.3888686; 1.7 fails by -0.0111314
    // c: same C, half the work: rho = 0.5, 1 - 1/rho = -1
    let chip_b = chip_a("8k USD");
    let (s, o) = run(&[
        site(&[]),
        finance_toml(&[]),
        workload(&[]),
        fleet("a", &[]),
        fleet("b", &[("chip", &chip_b)]),
        fleet("c", &[("mfu", "0.25")]),
        "\n[compare]\nclaim = [1.3, 1.7]\n".to_string(),
    ]);
    close(o.fleets[1].cost_per_chip_year, 5225.96, "b's C");
    let r = run_report(&s, &o);
    assert_eq!(r.comparisons.len(), 2, "every fleet but the baseline");
    let (b, c) = (&r.comparisons[0], &r.comparisons[1]);
    assert_eq!((b.candidate.as_str(), b.baseline.as_str()), ("b", "a"));
    assert_eq!(c.candidate, "c", "file order");
    close(b.rho, 8825.96 / 5225.96, "rho b");
    close(b.cost_reduction, 3600.0 / 8825.96, "1 - 1/rho");
    assert!(b.claims[0].holds && !b.claims[1].holds);
    close(b.claims[0].margin, 8825.96 / 5225.96 - 1.3, "margin 1.3");
    close(b.claims[1].margin, 8825.96 / 5225.96 - 1.7, "margin 1.7");
    close(c.rho, 0.5, "half the work");
    close(c.cost_reduction, -1.0, "1 - 1/0.5");

    // baseline = "b": a's rho is the reciprocal, 5225.96 / 8825.96 = 0.5921
    let (_, o) = run(&[
        site(&[]),
        finance_toml(&[]),
        workload(&[]),
        fleet("a", &[]),
        fleet("b", &[("chip", &chip_b)]),
        "\n[compare]\nbaseline = \"b\"\n".to_string(),
    ]);
    assert_eq!(
        (o.comparisons[0].candidate, o.comparisons[0].baseline),
        (0, 1)
    );
    close(o.comparisons[0].rho, 5225.96 / 8825.96, "reciprocal");
}

#[test]
fn scenario_contract_check() {
    // fleet a: N = 8000, C = 8825.96. value = 8000 * 4 yr * 8766 h * 2 USD = 561,024,000 USD
    // implied = value / (N * term * 8766) = 2 USD per chip-hour exactly
    // cost per chip-hour = 8825.96 / 8766 = 1.0068401; margin on the price = 1 - 8825.96 /
    // (2 * 8766) = 0.4965800; markup on the cost = 2 * 8766 / 8825.96 - 1 = 0.9864128
    // term cost = N * C * term = 8000 * 8825.96 * 4 = 282,430,720 USD
    let (_, o) = run(&[
        site(&[]),
        finance_toml(&[]),
        workload(&[]),
        fleet("a", &[]),
        "\n[contract]\nfleet = \"a\"\nvalue = 561024000\nterm = \"4 yr\"\n".to_string(),
    ]);
    let c = o.contract.expect("a contract check");
    close(c.value, 561_024_000.0, "value");
    close(c.term_years, 4.0, "term");
    close(c.implied_per_chip_hour, 2.0, "implied");
    close(c.cost_per_chip_hour, 8825.96 / 8766.0, "cost per chip-hour");
    close(c.implied_margin, 1.0 - 8825.96 / 17_532.0, "margin");
    close(c.implied_markup, 17_532.0 / 8825.96 - 1.0, "markup");
    close(c.term_cost_nominal, 282_430_720.0, "term cost");
    // availability does not reduce the hours bought: availability 0.45 leaves implied at 2
    let (_, o) = run(&[
        site(&[]),
        finance_toml(&[]),
        workload(&[]),
        fleet("a", &[("availability", "0.45")]),
        "\n[contract]\nfleet = \"a\"\nvalue = 561024000\nterm = \"4 yr\"\n".to_string(),
    ]);
    close(
        o.contract.unwrap().implied_per_chip_hour,
        2.0,
        "implied, availability 0.45",
    );
}

// ---------------------------------------------------------------------------------------------
// The cash-flow view (section 3)
// ---------------------------------------------------------------------------------------------

#[test]
fn cashflow_purchases_refresh_residual_and_partial_year() {
    // 10 chips of fleet a: hw = 10 * 23000 = 230,000; fac = 10 * 10000 = 100,000 USD.
    // hardware_life 2.5 yr, facility_life 4 yr (< H), H = 5.5 yr, r = 10 %; rows 0..=6.
    // hardware bought at 0, 2.5 (booked in year ceil(2.5) = 3), 5 (year 5); 7.5 >= 5.5 not.
    // facility bought at 0 and 4 (year 4); 8 >= 5.5 not.
    // energy per year = 10 * 525.96 = 5259.6; upkeep = 10 * 2050 = 20500; year 6 is half a
    // year (5.5 - 5 = 0.5): 2629.8 and 10250.
    // residual in year 6, the value of the remaining service at r: hardware bought at 5 has
    // 5 + 2.5 - 5.5 = 2 of 2.5 yr left: 230000 * AF(2) / AF(2.5); facility bought at 4 has
    // 4 + 4 - 5.5 = 2.5 of 4 left: 100000 * AF(2.5) / AF(4), AF(m) = (1 - 1.1^-m) / 0.1.
    let (s, o) = one_fleet(
        &[("facility_life", r#""4 yr""#)],
        &[("discount_rate", "0.1"), ("horizon", r#""5.5 yr""#)],
        &[],
        &[("chips", "10"), ("hardware_life", r#""2.5 yr""#)],
    );
    let rows = cashflow::fleet_cashflow(&s.inputs, 0, &o.fleets[0]);
    assert_eq!(rows.len(), 7, "years 0..=6");
    let af = |m: f64| (1.0 - 1.1f64.powf(-m)) / 0.1;
    let res = 230_000.0 * af(2.0) / af(2.5) + 100_000.0 * af(2.5) / af(4.0);
    // (capex, energy, upkeep, residual, total)
    let want: [(f64, f64, f64, f64, f64); 7] = [
        (330_000.0, 0.0, 0.0, 0.0, 330_000.0),  // year 0: hw + facility
        (0.0, 5259.6, 20_500.0, 0.0, 25_759.6), // year 1
        (0.0, 5259.6, 20_500.0, 0.0, 25_759.6), // year 2
        (230_000.0, 5259.6, 20_500.0, 0.0, 255_759.6), // year 3: hw bought at 2.5
        (100_000.0, 5259.6, 20_500.0, 0.0, 125_759.6), // year 4: facility again
        (230_000.0, 5259.6, 20_500.0, 0.0, 255_759.6), // year 5: hw bought at 5
        // year 6: half a year; 2629.8 + 10250 + residual
        (0.0, 2629.8, 10_250.0, -res, 12_879.8 - res),
    ];
    for (row, (capex, energy, upkeep, residual, total)) in rows.iter().zip(want) {
        let y = row.year;
        close(row.capex, capex, &format!("year {y} capex"));
        close(row.energy, energy, &format!("year {y} energy"));
        close(row.upkeep, upkeep, &format!("year {y} upkeep"));
        assert_eq!(row.rent, 0.0);
        close(row.residual, residual, &format!("year {y} residual"));
        close(row.total, total, &format!("year {y} total"));
        // discounted total = total / 1.1^year
        close(
            row.discounted_total,
            total / 1.1f64.powi(y as i32),
            &format!("year {y} discounted"),
        );
    }
    // sums: capex 330000 + 230000 + 100000 + 230000 = 890,000; energy 5.5 * 5259.6 = 28,927.8;
    // upkeep 5.5 * 20500 = 112,750; minus the residual: total 1,031,677.8 - res
    let sum = |f: fn(&cashflow::YearCash) -> f64| rows.iter().map(f).sum::<f64>();
    close(sum(|r| r.capex), 890_000.0, "capex column");
    close(
        sum(|r| r.energy),
        28_927.8,
        "energy column = N * energy * H",
    );
    close(
        sum(|r| r.upkeep),
        112_750.0,
        "upkeep column = N * upkeep * H",
    );
    close(
        sum(|r| r.total),
        1_031_677.8 - res,
        "sum of totals = sum of columns",
    );
}

#[test]
fn cashflow_life_dividing_the_horizon() {
    // hardware_life 4 yr, H = 8 yr: bought at 0 and 4 only (8 is not < 8); fully used at H,
    // so no hardware residual; the facility (20 yr) has 12 of 20 yr left: 0.6 * N * fac.
    // N = 10: capex year 0 = 230000 + 100000; year 4 = 230000; residual = -60000.
    let (s, o) = one_fleet(&[], &[("horizon", r#""8 yr""#)], &[], &[("chips", "10")]);
    let rows = cashflow::fleet_cashflow(&s.inputs, 0, &o.fleets[0]);
    assert_eq!(rows.len(), 9, "years 0..=8");
    let capex: Vec<f64> = rows.iter().map(|r| r.capex).collect();
    assert_eq!(
        capex,
        [330_000.0, 0.0, 0.0, 0.0, 230_000.0, 0.0, 0.0, 0.0, 0.0]
    );
    close(rows[8].residual, -60_000.0, "facility residual only");
    assert!(rows[..8].iter().all(|r| r.residual == 0.0));
    // r = 0: discounted totals are the totals
    assert!(rows.iter().all(|r| r.discounted_total == r.total));
    // full years: energy 5259.6 and upkeep 20500 in each of years 1..=8, none in year 0
    assert_eq!(rows[0].energy + rows[0].upkeep, 0.0);
    close(rows[8].energy, 5259.6, "a whole last year");
}

#[test]
fn cashflow_of_a_rented_fleet() {
    // 10 chips at 2 USD/h: rent = 10 * 17532 = 175,320 per year; no capex, no residual;
    // H = 1.5 yr: year 1 = 175,320, year 2 = 87,660
    let (s, o) = one_fleet(
        &[],
        &[("horizon", r#""1.5 yr""#)],
        &[],
        &[("chips", "10"), ("rent", r#""2 USD/h""#)],
    );
    let rows = cashflow::fleet_cashflow(&s.inputs, 0, &o.fleets[0]);
    assert_eq!(rows.len(), 3);
    for (row, want) in rows.iter().zip([0.0, 175_320.0, 87_660.0]) {
        close(row.rent, want, &format!("year {} rent", row.year));
    }
    for r in &rows {
        assert_eq!(
            (r.capex, r.energy, r.upkeep, r.residual),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(r.total, r.rent);
    }
}

#[test]
fn model_error_is_typed() {
    // The model's refusal, directly: fleet a with a 7999 W budget set after parsing.
    let (mut s, _) = one_fleet(&[], &[], &[], &[]);
    s.inputs.site.power = Some(7999.0);
    match model::evaluate(&s.inputs) {
        Err(ModelError::BelowOneNode {
            fleet,
            chips_per_node,
            ..
        }) => {
            assert_eq!((fleet.as_str(), chips_per_node), ("a", 8.0));
        }
        other => panic!("expected BelowOneNode, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Section 6: sweep grids
// ---------------------------------------------------------------------------------------------

/// A sweep axis over fleet a's chip price.
fn price_axis(from: f64, to: f64, steps: usize, log: bool) -> fleetcost::scenario::SweepAxis {
    let (s, _) = one_fleet(&[], &[], &[], &[]);
    let param = fleetcost::scenario::Param::parse("fleet.a.chip.price", &s.inputs).unwrap();
    fleetcost::scenario::SweepAxis {
        path: "fleet.a.chip.price".into(),
        param,
        from,
        to,
        steps,
        log,
        span: 0..0,
        categories: None,
    }
}

#[test]
fn log_sweep_grid_spans_four_hundred_decades() {
    // 1e-200 to 1e200 USD in 3 geometric steps: the middle is sqrt(1e-200 * 1e200) = 1 USD.
    // (to / from = 1e400 overflows, which made the last points inf.)
    let v = price_axis(1e-200, 1e200, 3, true).values();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0], 1e-200, "the first point is `from` exactly");
    assert_eq!(v[2], 1e200, "the last point is `to` exactly");
    close(v[1], 1.0, "geometric middle");
    // 5 steps: one point per 100 decades.
    let v = price_axis(1e-200, 1e200, 5, true).values();
    for (got, want) in v.iter().zip([1e-200, 1e-100, 1.0, 1e100, 1e200]) {
        close(*got, want, "1e-200..1e200 in 5 steps");
    }
    // An ordinary one: 1 to 1000 in 4 steps is 1, 10, 100, 1000.
    let v = price_axis(1.0, 1000.0, 4, true).values();
    for (got, want) in v.iter().zip([1.0, 10.0, 100.0, 1000.0]) {
        close(*got, want, "1..1000 in 4 steps");
    }
    // Linear grids are unchanged: 0 to 30 in 4 steps is 0, 10, 20, 30.
    assert_eq!(
        price_axis(0.0, 30.0, 4, false).values(),
        vec![0.0, 10.0, 20.0, 30.0]
    );
}
