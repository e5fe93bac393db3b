//! Golden outputs: tests/golden/<stem>.json is `fleetcost run scenarios/<stem>.toml --format json`
//! as reviewed. Every shipped scenario must have one and every golden file a scenario; the
//! current output must match it within 1e-9 relative (numbers) and exactly (strings, booleans,
//! keys). Regenerate with scripts/regen-golden.sh after an intended change, and review the diff.
//!
//! Hand check of one fleet, scenarios/trainium-vs-gpu-2gw.toml, fleet "trn2" (catalog trainium2:
//! 500 W, 667 bf16 TFLOP/s, 11k USD; 16 per node, 3.5 kW and 53k USD per node, 35 W and
//! 2000 USD of network per chip, 5 yr, maintenance 0.03, power_load 0.8, availability 0.95,
//! mfu 0.40; site 2 GW facility basis, pue 1.15, 0.08 USD/kWh, 11 USD/W over 20 yr,
//! 0.4 USD/W/yr; r = 9 %, H = 5 yr; training a 405e9-parameter model of 126 layers, 128 heads
//! of 128, at seq_len 8192, 15.6e12 tokens):
//!
//!   w        = 500 + 3500 / 16 + 35                 = 753.75 W
//!   P_it     = 2e9 / 1.15                           = 1,739,130,434.8 W
//!   nodes    = floor(1,739,130,434.8 / (16 * 753.75)) = floor(144,206.50) = 144,206
//!   N        = 144,206 * 16                         = 2,307,296 chips
//!   IT power = 2,307,296 * 753.75 = 1,739,124,360 W;  facility = * 1.15 = 1,999,993,014 W
//!   hw       = 11000 + 53000 / 16 + 2000            = 16,312.5 USD
//!   fac      = 11 * 753.75                          = 8,291.25 USD
//!   CRF(9 %, 5)  = 0.09 * 1.538624 / 0.538624       = 0.2570925
//!   CRF(9 %, 20) = 0.09 * 5.604411 / 4.604411       = 0.1095465
//!   capital  = 16312.5 * 0.2570925 + 8291.25 * 0.1095465 = 4193.821 + 908.277 = 5102.098
//!   energy   = 0.75375 kW * 0.8 * 1.15 * 8766 h * 0.08 USD/kWh = 486.3026 USD
//!   upkeep   = 0.03 * 16312.5 + 0 + 0.4 * 753.75    = 489.375 + 301.5 = 790.875 USD
//!   C        = 5102.098 + 486.303 + 790.875         = 6379.276 USD per chip-year (0.72773 /h)
//!   R        = 667e12 * 0.40 * 0.95                 = 253.46e12 FLOP/s
//!   F_tok    = 6 * 405e9 + 12 * 126 * 128 * 128 * 8192 = 2.43e12 + 202,937,204,736
//!                                                   = 2,632,937,204,736 FLOP per token
//!   tokens/s = 253.46e12 / 2,632,937,204,736        = 96.26511
//!   work     = 96.26511 * 31,557,600 / 1e6          = 3037.8960 M tokens per chip-year
//!   cost per unit = 6379.276 / 3037.8960            = 2.099899 USD per 1M tokens
//!   chip-hours of the run = 15.6e12 / 96.26511 / 3600 = 45.0146e6
//!   annual   = 2,307,296 * 6379.276                 = 14.7189e9 USD
//!   PV       = 14.7189e9 * (1 - 1.09^-8) / 0.09 = 14.7189e9 * 5.534819 = 81.4664e9 USD
//!              (the cash-flow table with its residual credit equals N C AF(r, H): lives 5, 20, H 8)
//!   nominal  = the table's sum, per chip: hw at 0 and 5, fac at 0, 8 years of 1277.1776 running,
//!              minus the residual at 8 of the hw bought at 5 (2 of 5 yr left) and the facility
//!              (12 of 20 left), each at AF(9 %, left) / AF(9 %, life), AF(r, m) = (1 - 1.09^-m) / r:
//!              2 * 16312.5 + 8291.25 + 8 * 1277.1776 - 16312.5 * 1.759111 / 3.889651
//!              - 8291.25 * 7.160725 / 9.128546 = 37252.35; * 2,307,296 = 85.9522e9 USD
//! `golden_2gw_trn2_matches_the_hand_check` holds the golden file to these numbers.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    root().join("tests/golden")
}

fn stems(dir: &Path, ext: &str) -> BTreeSet<String> {
    files(dir, ext)
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Keys present in `actual` but not in `expected`, with their JSON paths.
fn extra_keys(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, av) in a {
                match e.get(k) {
                    Some(ev) => extra_keys(ev, av, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: not in the golden file")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                extra_keys(ev, av, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_scenario_has_a_golden_file_and_every_golden_file_a_scenario() {
    let scenarios = stems(&root().join("scenarios"), "toml");
    let goldens = stems(&golden_dir(), "json");
    assert!(!scenarios.is_empty(), "no scenarios/*.toml");
    let missing: Vec<_> = scenarios.difference(&goldens).collect();
    let orphans: Vec<_> = goldens.difference(&scenarios).collect();
    assert!(
        missing.is_empty() && orphans.is_empty(),
        "scenarios without tests/golden/<stem>.json: {missing:?}; golden files without \
         scenarios/<stem>.toml: {orphans:?}; run scripts/regen-golden.sh"
    );
}

#[test]
fn every_scenario_matches_its_golden_output() {
    let mut failures = Vec::new();
    for scenario in files(&root().join("scenarios"), "toml") {
        let stem = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = golden_dir().join(format!("{stem}.json"));
        if !golden.exists() {
            continue; // reported by the test above
        }
        let expected = read_json(&golden);
        let out = fleetcost([
            "run".as_ref(),
            scenario.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let actual: Value = serde_json::from_str(&ok_stdout(&out)).unwrap();
        let mut diffs = json_diff(&expected, &actual, 1e-9);
        extra_keys(&expected, &actual, "$", &mut diffs);
        failures.extend(diffs.into_iter().map(|d| format!("{stem}: {d}")));
    }
    assert!(
        failures.is_empty(),
        "output differs from tests/golden (if intended, run scripts/regen-golden.sh and review \
         the diff):\n{}",
        failures.join("\n")
    );
}

#[test]
fn golden_2gw_trn2_matches_the_hand_check() {
    let g = read_json(&golden_dir().join("trainium-vs-gpu-2gw.json"));
    let fleet = g["fleets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "trn2")
        .expect("fleet trn2");
    let num = |k: &str| {
        fleet[k]
            .as_f64()
            .unwrap_or_else(|| panic!("trn2.{k} is not a number"))
    };
    // Exact integers and exact products.
    assert_eq!(num("chips"), 2_307_296.0);
    assert_eq!(num("nodes"), 144_206.0);
    assert_eq!(num("watts_per_chip"), 753.75);
    assert_eq!(num("hw_capex_per_chip"), 16_312.5);
    // (key, hand value from the head of this file, relative tolerance of the digits written)
    let checks: [(&str, f64, f64); 16] = [
        ("it_power_w", 1_739_124_360.0, 1e-12),
        ("facility_power_w", 1_999_993_014.0, 1e-9),
        ("facility_capex_per_chip", 8_291.25, 1e-12),
        ("hw_capital_per_chip_year", 16_312.5 * 0.257_092_5, 1e-6),
        (
            "facility_capital_per_chip_year",
            8_291.25 * 0.109_546_5,
            1e-6,
        ),
        ("capital_per_chip_year", 5_102.098, 1e-6),
        ("energy_per_chip_year", 486.302_6, 1e-6),
        ("upkeep_per_chip_year", 790.875, 1e-12),
        ("cost_per_chip_year", 6_379.276, 1e-6),
        ("cost_per_chip_hour", 0.727_73, 1e-5),
        ("effective_flops_per_chip", 253.46e12, 1e-12),
        ("flops_per_token", 2_632_937_204_736.0, 1e-15),
        ("tokens_per_s_per_chip", 96.265_11, 1e-6),
        ("work_per_chip_year", 3_037.896_0, 1e-7),
        ("cost_per_unit", 2.099_899, 1e-6),
        ("chip_hours", 45.014_6e6, 1e-6),
    ];
    for (k, want, rel) in checks {
        let got = num(k);
        assert!(
            (got - want).abs() <= rel * want,
            "trn2.{k}: golden {got}, hand {want}"
        );
    }
    for (k, want) in [
        ("annual_cost", 14.7189e9),
        ("horizon_cost_nominal", 85.9522e9),
        ("horizon_cost_pv", 81.4664e9),
    ] {
        let got = num(k);
        assert!(
            (got - want).abs() <= 1e-4 * want,
            "trn2.{k}: golden {got}, hand {want}"
        );
    }
}
