//! Programs over time (MODEL.md section 8) through the command line: tests/fixtures/program.toml
//! (its header gives the hand calculation).

mod common;
use common::*;

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok_stdout(&fleetcost(args))).expect("JSON")
}

const FIXTURE: &str = "tests/fixtures/program.toml";

/// The fixture by hand: the trn program costs Q = 1200 (one purchase), the gpu program
/// P + P (1 - 0.2) = 1800; rho = 1800 / 1200 = 1.5. The contract: NPV = 1450 - 1200 = 250 at
/// r = 0; IRR solves -1200 + 725 d + 725 d^2 = 0, d = 1 / (1 + irr):
/// d = (-725 + sqrt(725^2 + 4 * 725 * 1200)) / (2 * 725).
#[test]
fn the_fixture_by_hand() {
    let v = json(&["run", FIXTURE, "--format", "json"]);
    let p = &v["programs"];
    assert_eq!(p[0]["nominal_cost"].as_f64(), Some(1200.0));
    assert_eq!(p[1]["nominal_cost"].as_f64(), Some(1800.0));
    let work = 2.0 * 31_557.6;
    let lev = p[0]["levelized_cost_per_unit"].as_f64().unwrap();
    assert!((lev - 1200.0 / work).abs() < 1e-12, "{lev}");
    let rho = v["program_comparisons"][0]["rho"].as_f64().unwrap();
    assert!((rho - 1.5).abs() < 1e-12, "{rho}");
    let c = &p[0]["contract"];
    assert!((c["provider_npv"].as_f64().unwrap() - 250.0).abs() < 1e-9);
    let d = (-725.0 + (725.0f64 * 725.0 + 4.0 * 725.0 * 1200.0).sqrt()) / (2.0 * 725.0);
    let irr = c["provider_irr"].as_f64().unwrap();
    assert!((irr - (1.0 / d - 1.0)).abs() < 1e-9, "{irr}");
    assert_eq!(c["payback_year"].as_u64(), Some(2));
}

/// An IRR that does not exist is null in JSON with the reason: a rented fleet buys nothing, so
/// a contract paying more than the rent is never negative and no rate zeroes its PV.
#[test]
fn an_irr_that_does_not_exist_is_null_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("fleetcost-noirr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join(FIXTURE))
        .unwrap()
        .replace("hardware_life = \"2 yr\"", "rent = \"0.01 USD/h\"");
    let file = dir.join("rented.toml");
    std::fs::write(&file, text).unwrap();
    let v = json(&["run", file.to_str().unwrap(), "--format", "json"]);
    let c = &v["programs"][0]["contract"];
    assert!(c["provider_irr"].is_null(), "{c}");
    let note = c["irr_note"].as_str().unwrap();
    assert!(note.contains("never negative"), "{note}");
    // rent 0.01 USD/h x 8766 h = 87.66 USD a year against 725 a year: NPV = 1450 - 175.32
    assert!((c["provider_npv"].as_f64().unwrap() - (1450.0 - 2.0 * 87.66)).abs() < 1e-9);
    std::fs::remove_dir_all(&dir).ok();
}
