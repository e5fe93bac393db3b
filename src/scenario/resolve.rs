//! The resolved scenario: every input explicit (catalog chips inlined, defaults written,
//! `--set` applied), so a run folder can be reproduced from its own files.

use super::params::{
    self, ChipKey, ContractKey, FinanceKey, FleetKey, KeySpec, ProgramContractKey, SiteKey,
    TrancheKey, WorkloadKey,
};
use super::{DistSpec, Scenario};
use crate::model::{Inputs, PowerBasis, Precision};
use crate::units;
use std::fmt::Write;

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A value as the file would write it: bare for dimensionless keys, else a unit string.
fn value(spec: &KeySpec, si: f64) -> String {
    if spec.unit.dim == units::ONE.dim && spec.unit.si == 1.0 {
        format!("{si:?}").trim_end_matches(".0").to_string()
    } else {
        quote(&units::display(si, &spec.unit))
    }
}

fn line(out: &mut String, spec: &KeySpec, si: Option<f64>) {
    if let Some(v) = si {
        let _ = writeln!(out, "{} = {}", spec.name, value(spec, v));
    }
}

/// The `[[program]]` blocks: tranches as inline tables, the contract with its term explicit.
fn programs(o: &mut String, x: &Inputs) {
    use crate::model::{Payments, TrancheSize};
    for p in &x.programs {
        let _ = writeln!(o, "\n[[program]]\nid = {}\ntranches = [", quote(&p.id));
        for t in &p.tranches {
            let size = match t.size {
                TrancheSize::Power(w) => format!("power = {}", value(TrancheKey::Power.spec(), w)),
                TrancheSize::Chips(n) => format!("chips = {}", value(TrancheKey::Chips.spec(), n)),
            };
            let _ = writeln!(
                o,
                "  {{ fleet = {}, start = {}, {size} }},",
                quote(&x.fleets[t.fleet].id),
                value(TrancheKey::Start.spec(), t.start)
            );
        }
        o.push_str("]\n");
        if let Some(c) = &p.contract {
            let _ = writeln!(o, "[program.contract]");
            let _ = writeln!(
                o,
                "value = {}",
                value(ProgramContractKey::Value.spec(), c.value)
            );
            let _ = writeln!(
                o,
                "start = {}",
                value(ProgramContractKey::Start.spec(), c.start)
            );
            match &c.payments {
                Payments::Even => {
                    let _ = writeln!(
                        o,
                        "term = {}",
                        value(ProgramContractKey::Term.spec(), c.term)
                    );
                    o.push_str("payments = \"even\"\n");
                }
                Payments::Yearly(list) => {
                    let amounts: Vec<String> = list
                        .iter()
                        .map(|&v| value(ProgramContractKey::Value.spec(), v))
                        .collect();
                    let _ = writeln!(o, "payments = [{}]", amounts.join(", "));
                }
            }
        }
    }
}

/// The scenario as TOML with every value explicit.
pub fn to_toml(s: &Scenario) -> String {
    let x: &Inputs = &s.inputs;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Resolved by fleetcost {} from {}{}.\n# Every input is explicit: catalog chips are inlined and defaults written out.",
        env!("CARGO_PKG_VERSION"),
        s.file,
        if s.sets.is_empty() {
            String::new()
        } else {
            format!(" with --set {}", s.sets.join(", --set "))
        }
    );
    let _ = writeln!(o, "schema = 1\nname = {}\n", quote(&s.name));
    o.push_str("[site]\n");
    let basis = match x.site.power_basis {
        PowerBasis::Facility => "facility",
        PowerBasis::It => "it",
    };
    let _ = writeln!(o, "power_basis = {}", quote(basis));
    for &k in SiteKey::ALL {
        line(&mut o, k.spec(), k.get(x, 0));
    }
    o.push_str("\n[finance]\n");
    for &k in FinanceKey::ALL {
        line(&mut o, k.spec(), k.get(x, 0));
    }
    o.push_str("\n[workload]\n");
    let _ = writeln!(o, "kind = {}", quote(x.workload.kind.name()));
    let _ = writeln!(o, "precision = {}", quote(x.workload.precision.name()));
    for &k in WorkloadKey::ALL {
        if k == WorkloadKey::Batch && x.workload.batch_max {
            o.push_str("batch = \"max\"\n");
            continue;
        }
        if k == WorkloadKey::TensorParallel && x.workload.tensor_parallel_auto {
            o.push_str("tensor_parallel = \"auto\"\n");
            continue;
        }
        line(&mut o, k.spec(), k.get(x, 0));
    }
    if x.workload.disaggregated {
        o.push_str("serving = \"disaggregated\"\n");
    }
    for (fi, f) in x.fleets.iter().enumerate() {
        let _ = writeln!(o, "\n[[fleet]]\nid = {}", quote(&f.id));
        if f.tensor_parallel_auto && f.tensor_parallel.is_none() {
            o.push_str("tensor_parallel = \"auto\"\n");
        }
        if let Some(p) = f.precision {
            let _ = writeln!(o, "precision = {}", quote(p.name()));
        }
        for &k in FleetKey::ALL {
            // Write only what the fleet itself sets: inherited site values stay inherited.
            line(&mut o, k.spec(), k.own(x, fi));
        }
        let _ = writeln!(o, "[fleet.chip]\nname = {}", quote(&f.chip.label));
        for &k in ChipKey::ALL {
            line(&mut o, k.spec(), k.get(x, fi));
        }
        let peaks: Vec<String> = Precision::ALL
            .into_iter()
            .filter_map(|p| {
                f.chip.peak[p.index()]
                    .map(|v| format!("{} = {}", p.name(), value(&params::PEAK, v)))
            })
            .collect();
        let _ = writeln!(o, "peak = {{ {} }}", peaks.join(", "));
    }
    let _ = writeln!(
        o,
        "\n[compare]\nbaseline = {}",
        quote(&x.fleets[x.compare.baseline].id)
    );
    if !x.compare.claims.is_empty() {
        let claims: Vec<String> = x.compare.claims.iter().map(|c| format!("{c:?}")).collect();
        let _ = writeln!(o, "claim = [{}]", claims.join(", "));
    }
    if !x.programs.is_empty() {
        let _ = writeln!(
            o,
            "baseline_program = {}",
            quote(&x.programs[x.baseline_program].id)
        );
    }
    if let Some(c) = &x.contract {
        let _ = writeln!(o, "\n[contract]\nfleet = {}", quote(&x.fleets[c.fleet].id));
        for &k in ContractKey::ALL {
            line(&mut o, k.spec(), k.get(x, 0));
        }
    }
    programs(&mut o, x);
    if !s.uncertainty.is_empty() {
        o.push_str("\n[uncertainty]\n");
        for u in &s.uncertainty {
            let spec = u.param.spec();
            let v = |x: f64| value(spec, x);
            let body = match u.dist {
                DistSpec::Fixed { value } => format!("value = {}", v(value)),
                DistSpec::Uniform { low, high } => format!("low = {}, high = {}", v(low), v(high)),
                DistSpec::Triangular { low, mode, high } | DistSpec::Pert { low, mode, high } => {
                    format!("low = {}, mode = {}, high = {}", v(low), v(mode), v(high))
                }
                DistSpec::Normal { mean, sd } => format!("mean = {}, sd = {}", v(mean), v(sd)),
                DistSpec::LogNormal { p5, p95 } => format!("p5 = {}, p95 = {}", v(p5), v(p95)),
            };
            let _ = writeln!(
                o,
                "{} = {{ dist = {}, {body} }}",
                quote(&u.path),
                quote(u.dist.name())
            );
        }
        if !s.correlations.is_empty() {
            let pairs: Vec<String> = s
                .correlations
                .iter()
                .map(|c| format!("[{}, {}, {:?}]", quote(&c.a), quote(&c.b), c.rho))
                .collect();
            let _ = writeln!(o, "correlations = [{}]", pairs.join(", "));
        }
    }
    for a in &s.sweeps {
        let spec = a.param.spec();
        let _ = writeln!(
            o,
            "\n[[sweep]]\nparam = {}\nfrom = {}\nto = {}\nsteps = {}\nscale = {}",
            quote(&a.path),
            value(spec, a.from),
            value(spec, a.to),
            a.steps,
            quote(if a.log { "log" } else { "linear" })
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resolved file of every shipped and conformance scenario parses back to the same
    /// inputs, distributions, correlations and sweeps (the fuzz target `scenario` checks the
    /// same on arbitrary scenarios).
    #[test]
    fn resolved_scenarios_read_back_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut n = 0;
        for dir in ["scenarios", "tests/conformance"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let s = Scenario::from_str(&path.display().to_string(), &text)
                    .unwrap_or_else(|e| panic!("{}", e.render()));
                let resolved = to_toml(&s);
                let again = Scenario::from_str("resolved.toml", &resolved)
                    .unwrap_or_else(|e| panic!("{}\n{resolved}", e.render()));
                assert_eq!(again.inputs, s.inputs, "{}:\n{resolved}", path.display());
                assert_eq!(again.name, s.name);
                let dists = |x: &Scenario| -> Vec<(String, DistSpec)> {
                    x.uncertainty
                        .iter()
                        .map(|u| (u.path.clone(), u.dist))
                        .collect()
                };
                assert_eq!(dists(&again), dists(&s), "{}", path.display());
                let corr = |x: &Scenario| -> Vec<(String, String, f64)> {
                    x.correlations
                        .iter()
                        .map(|c| (c.a.clone(), c.b.clone(), c.rho))
                        .collect()
                };
                assert_eq!(corr(&again), corr(&s), "{}", path.display());
                let sweeps = |x: &Scenario| -> Vec<(String, f64, f64, usize, bool)> {
                    x.sweeps
                        .iter()
                        .map(|a| (a.path.clone(), a.from, a.to, a.steps, a.log))
                        .collect()
                };
                assert_eq!(sweeps(&again), sweeps(&s), "{}", path.display());
                n += 1;
            }
        }
        assert!(n >= 5, "only {n} scenarios");
    }
}
