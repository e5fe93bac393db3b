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

/// "What contract value gives the provider a 9 % IRR?" By hand: the net flows are -Q, V/2, V/2
/// with Q = 1200, so V/2 (1/1.09 + 1/1.09^2) = 1200: V = 2400 / (1/1.09 + 1/1.09^2) =
/// 1364.33 USD.
#[test]
fn solve_the_contract_value_for_a_9_percent_irr() {
    let v = json(&[
        "solve",
        FIXTURE,
        "--param",
        "program.trn-program.contract.value",
        "--target",
        "provider_irr=0.09",
        "--format",
        "json",
    ]);
    let want = 2400.0 / (1.0 / 1.09 + 1.0 / (1.09 * 1.09));
    let got = v["value"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
    assert_eq!(v["metric_label"], "provider_irr (program trn-program)");
}

/// "How fast must GPU prices fall for the claim to fail over the contract?" rho of the trn
/// program against the gpu program = P (2 - d) / Q = (2 - d) / 1.2, which is 1.3 at
/// d = 2 - 1.3 x 1.2 = 0.44; a sweep shows it falling linearly through 1.3 there.
#[test]
fn solve_and_sweep_the_gpu_price_decline_at_which_the_claim_fails() {
    let v = json(&[
        "solve",
        FIXTURE,
        "--param",
        "fleet.gpu.price_decline",
        "--target",
        "rho=1.3",
        "--program",
        "trn-program",
        "--format",
        "json",
    ]);
    let got = v["value"].as_f64().unwrap();
    assert!((got - 0.44).abs() < 1e-9, "{got}");
    let v = json(&[
        "sweep",
        FIXTURE,
        "--param",
        "fleet.gpu.price_decline",
        "--from",
        "0",
        "--to",
        "0.6",
        "--steps",
        "4",
        "--program",
        "trn-program",
        "--format",
        "json",
    ]);
    // d = 0, 0.2, 0.4, 0.6: rho = 2/1.2, 1.8/1.2, 1.6/1.2, 1.4/1.2
    let want = [2.0 / 1.2, 1.5, 1.6 / 1.2, 1.4 / 1.2];
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    for (p, w) in points.iter().zip(want) {
        let c = &p["program_comparisons"][0];
        assert_eq!(c["candidate"], "trn-program");
        let g = c["rho"].as_f64().unwrap();
        assert!((g - w).abs() < 1e-9, "{g} vs {w}");
    }
}

/// "P(provider NPV > 0)": NPV = 1450 - Q at r = 0 with Q uniform on [1000, 1600], so
/// P(NPV >= 0) = P(Q <= 1450) = 450 / 600 = 0.75, mean NPV = 1450 - 1300 = 150 and its sd
/// = 600 / sqrt(12) = 173.2. 200,000 draws: se of the probability ~ 0.001.
#[test]
fn montecarlo_probability_that_the_provider_npv_is_positive() {
    let v = json(&[
        "montecarlo",
        FIXTURE,
        "--program",
        "trn-program",
        "--metric",
        "provider_npv",
        "-n",
        "200000",
        "--quiet",
        "--format",
        "json",
    ]);
    let p = &v["program"];
    assert_eq!(p["metric"], "provider_npv");
    assert_eq!(p["above"][0]["level"].as_f64(), Some(0.0));
    let prob = p["above"][0]["probability"].as_f64().unwrap();
    assert!((prob - 0.75).abs() < 0.006, "{prob}");
    let mean = p["stat"]["mean"].as_f64().unwrap();
    assert!((mean - 150.0).abs() < 2.0, "{mean}");
    let sd = p["stat"]["sd"].as_f64().unwrap();
    assert!((sd - 600.0 / 12f64.sqrt()).abs() < 2.0, "{sd}");
}

/// Tornado over a program metric: the chip price at its p5 and p95 (1030 and 1570 USD, the
/// uniform's 5 % and 95 % points on [1000, 1600]) moves the NPV 1450 - Q to 420 and -120.
#[test]
fn tornado_of_the_provider_npv() {
    let v = json(&[
        "tornado",
        FIXTURE,
        "--program",
        "trn-program",
        "--metric",
        "provider_npv",
        "--format",
        "json",
    ]);
    let text = v.to_string();
    assert!(text.contains("fleet.trn.chip.price"), "{text}");
    let bars = v["bars"].as_array().unwrap_or_else(|| panic!("{text}"));
    let lo = bars[0]["metric_low"].as_f64().unwrap();
    let hi = bars[0]["metric_high"].as_f64().unwrap();
    assert!(
        (lo - 420.0).abs() < 1e-6 && (hi + 120.0).abs() < 1e-6,
        "{text}"
    );
}

/// Program metrics are checked up front: an unknown program, a contract metric of a program
/// without a contract, rho of the baseline program.
#[test]
fn program_metric_mistakes_are_refused() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["tornado", FIXTURE, "--program", "trn-progam"],
            "did you mean 'trn-program'?",
        ),
        (
            &[
                "tornado",
                FIXTURE,
                "--program",
                "gpu-program",
                "--metric",
                "provider_irr",
            ],
            "program 'gpu-program' has no [program.contract]",
        ),
        (
            &[
                "tornado",
                FIXTURE,
                "--program",
                "gpu-program",
                "--metric",
                "rho",
            ],
            "is the baseline program",
        ),
    ];
    for (args, words) in cases {
        let err = refused(&fleetcost(args), 2, words);
        assert!(err.contains(words), "{err}");
    }
}

/// `run --out` draws the program charts (capacity by tranche per program, cash against
/// payments for the program with a contract, levelized costs), `plot DIR` redraws them from
/// the folder alone, and a later run without programs removes them.
#[test]
fn program_charts_are_drawn_redrawn_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let d = dir.to_str().unwrap();
    ok_stdout(&fleetcost(["run", FIXTURE, "--out", d]));
    let charts = [
        "program_capacity_trn-program",
        "program_capacity_gpu-program",
        "program_cash_trn-program",
        "program_levelized",
    ];
    for c in charts {
        for ext in ["png", "svg"] {
            let p = dir.join(format!("{c}.{ext}"));
            assert!(
                std::fs::metadata(&p)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{c}.{ext}"
            );
        }
    }
    // no contract, no cash chart
    assert!(!dir.join("program_cash_gpu-program.png").exists());
    let svg = std::fs::read_to_string(dir.join("program_cash_trn-program.svg")).unwrap();
    assert!(
        svg.contains("payback: year 2"),
        "the payback year is marked"
    );
    let svg = std::fs::read_to_string(dir.join("program_levelized.svg")).unwrap();
    assert!(
        svg.contains("rho 1.50x"),
        "rho of the trn program against the gpu program"
    );
    std::fs::remove_file(dir.join("program_levelized.png")).unwrap();
    let out = fleetcost(["plot", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("program_levelized.png").exists());
    ok_stdout(&fleetcost([
        "run",
        "tests/fixtures/linear.toml",
        "--out",
        d,
    ]));
    for c in charts {
        assert!(!dir.join(format!("{c}.png")).exists(), "{c} left behind");
    }
}

/// `--samples` carries the program metric beside each draw's inputs: on the fixture every
/// draw's provider NPV is 1450 USD minus its sampled trn chip price (r = 0, nothing else costs).
#[test]
fn montecarlo_samples_carry_the_program_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("draws.csv");
    ok_stdout(&fleetcost([
        "montecarlo",
        FIXTURE,
        "--program",
        "trn-program",
        "--metric",
        "provider_npv",
        "-n",
        "1000",
        "--quiet",
        "--samples",
        samples.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&samples).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let head = rd.headers().unwrap().clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {head:?}"))
    };
    let (price, npv) = (
        col("fleet.trn.chip.price [USD]"),
        col("provider_npv.trn-program"),
    );
    let mut n = 0;
    for rec in rd.records() {
        let rec = rec.unwrap();
        let q: f64 = rec[price].parse().unwrap();
        let v: f64 = rec[npv].parse().unwrap();
        assert!((v - (1450.0 - q)).abs() < 1e-6, "{q} {v}");
        n += 1;
    }
    assert_eq!(n, 1000);
}

/// One source for totals: a program of one tranche from year 0 at the site's whole power is the
/// fleet itself, so its cash totals and levelized cost equal the fleet's horizon figures (the
/// fleet's cash-flow table), for every fleet of the 2 GW scenario.
#[test]
fn a_one_tranche_program_is_its_fleet() {
    let text = std::fs::read_to_string(root().join("scenarios/trainium-vs-gpu-2gw.toml")).unwrap();
    let fleets = ["trn2", "trn3", "h200", "gb200"];
    let mut programs = String::new();
    for f in fleets {
        programs.push_str(&format!(
            "\n[[program]]\nid = \"p-{f}\"\ntranches = [{{ fleet = \"{f}\", start = \"0 yr\", power = \"2 GW\" }}]\n"
        ));
    }
    // Programs go before the first table that is not theirs: after the last [[fleet]].
    let at = text.find("\n[compare]").unwrap();
    let joined = format!("{}{programs}{}", &text[..at], &text[at..]);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("one-tranche.toml");
    std::fs::write(&file, joined).unwrap();
    let v = json(&["run", file.to_str().unwrap(), "--format", "json"]);
    for (i, f) in fleets.iter().enumerate() {
        let fleet = v["fleets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == *f)
            .unwrap();
        let p = &v["programs"][i];
        let close = |a: &serde_json::Value, b: &serde_json::Value, what: &str| {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{f} {what}: {a} vs {b}");
        };
        close(&p["pv_cost"], &fleet["horizon_cost_pv"], "PV");
        close(
            &p["nominal_cost"],
            &fleet["horizon_cost_nominal"],
            "nominal",
        );
        close(
            &p["levelized_cost_per_unit"],
            &fleet["levelized_cost_per_unit"],
            "levelized",
        );
        close(&p["peak_chips"], &fleet["chips"], "chips");
    }
}
