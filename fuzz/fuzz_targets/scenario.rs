//! Fuzz target `scenario`: scenario text -> validated scenario -> model -> report, and the
//! resolved scenario back to the same inputs.
//!
//! Invariants: no panic (parsing, checking, rendering problems, evaluating, reporting); a
//! scenario that validates evaluates, and every figure of the outcome is finite; the resolved
//! TOML (`resolve::to_toml`) parses and gives the same inputs, distributions and sweeps.
//! A last line `#set PATH=VALUE` applies that override first (the `--set` path).
#![no_main]

use fleetcost::model::{self, Outcome};
use fleetcost::report;
use fleetcost::scenario::{resolve, Scenario};
use libfuzzer_sys::fuzz_target;

fn finite_outcome(o: &Outcome) -> Result<(), String> {
    for (i, g) in o.fleets.iter().enumerate() {
        let c = &g.cost;
        let figures = [
            ("chips", g.chips),
            ("nodes", g.nodes),
            ("watts_per_chip", g.watts_per_chip),
            ("it_power", g.it_power),
            ("facility_power", g.facility_power),
            ("pue", g.pue),
            ("hw_capex", c.hw_capex),
            ("facility_capex", c.facility_capex),
            ("capital", c.capital()),
            ("energy", c.energy),
            ("upkeep", c.upkeep),
            ("rent", c.rent),
            ("cost_per_chip_year", g.cost_per_chip_year),
            ("effective_flops", g.effective_flops),
            ("work_per_chip_year", g.work_per_chip_year),
            ("cost_per_unit", g.cost_per_unit),
            ("annual_cost", g.annual_cost),
            ("horizon_cost_nominal", g.horizon_cost_nominal),
            ("horizon_cost_pv", g.horizon_cost_pv),
            ("tokens_per_s", g.tokens_per_s.unwrap_or(1.0)),
            ("run_cost", g.run_cost.unwrap_or(1.0)),
            ("run_seconds", g.run_seconds.unwrap_or(1.0)),
        ];
        for (name, v) in figures {
            if !v.is_finite() {
                return Err(format!("fleet {i}: {name} = {v}"));
            }
        }
    }
    for c in &o.comparisons {
        if !(c.rho.is_finite() && c.rho > 0.0) {
            return Err(format!("rho = {}", c.rho));
        }
    }
    if let Some(c) = &o.contract {
        for v in [
            c.implied_per_chip_hour,
            c.cost_per_chip_hour,
            c.implied_margin,
            c.term_cost_nominal,
        ] {
            if !v.is_finite() {
                return Err(format!("contract figure {v}"));
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut s = match Scenario::from_str("fuzz.toml", text) {
        Ok(s) => s,
        Err(e) => {
            let _ = e.render();
            return;
        }
    };
    if let Some(set) = text.lines().last().and_then(|l| l.strip_prefix("#set ")) {
        if let Err(e) = s.apply_sets(&[set.to_string()]) {
            let _ = e.render();
            return;
        }
    }
    let outcome = match model::evaluate(&s.inputs) {
        Ok(o) => o,
        Err(e) if s.sets.is_empty() => panic!("a validated scenario does not evaluate: {e}"),
        Err(_) => unreachable!("apply_sets re-checks the model"),
    };
    if let Err(e) = finite_outcome(&outcome) {
        panic!("a validated scenario gives a figure that is not finite: {e}");
    }
    let _ = report::run_report(&s, &outcome);

    let resolved = resolve::to_toml(&s);
    let again = match Scenario::from_str("resolved.toml", &resolved) {
        Ok(a) => a,
        Err(e) => panic!(
            "the resolved scenario does not parse:\n{}\n--- resolved:\n{resolved}",
            e.render()
        ),
    };
    assert_eq!(again.inputs, s.inputs, "resolved:\n{resolved}");
    assert_eq!(again.name, s.name);
    let dists = |x: &Scenario| -> Vec<_> {
        x.uncertainty
            .iter()
            .map(|u| (u.path.clone(), u.param, u.dist))
            .collect()
    };
    assert_eq!(dists(&again), dists(&s), "resolved:\n{resolved}");
    let corr = |x: &Scenario| -> Vec<_> {
        x.correlations
            .iter()
            .map(|c| (c.a.clone(), c.b.clone(), c.rho))
            .collect()
    };
    assert_eq!(corr(&again), corr(&s), "resolved:\n{resolved}");
    let sweeps = |x: &Scenario| -> Vec<_> {
        x.sweeps
            .iter()
            .map(|a| (a.path.clone(), a.param, a.from, a.to, a.steps, a.log))
            .collect()
    };
    assert_eq!(sweeps(&again), sweeps(&s), "resolved:\n{resolved}");
});
