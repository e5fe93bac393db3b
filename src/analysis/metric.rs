//! Which result an analysis command follows: any section-7 metric of a fleet, a comparison or
//! the contract, chosen by its key (`rho`, `cost_per_unit`, `implied_margin`, ...) and, for
//! fleet and comparison keys, the fleet or candidate id.

use crate::model::{self, program, Inputs, ModelError};
use crate::report::{self, RunReport};

/// Section-7 keys of a fleet row that are numbers.
pub const FLEET_KEYS: &[&str] = &[
    "chips",
    "nodes",
    "it_power_w",
    "facility_power_w",
    "watts_per_chip",
    "hw_capex_per_chip",
    "facility_capex_per_chip",
    "capital_per_chip_year",
    "energy_per_chip_year",
    "upkeep_per_chip_year",
    "cost_per_chip_year",
    "cost_per_chip_hour",
    "effective_flops_per_chip",
    "work_per_chip_year",
    "cost_per_unit",
    "annual_cost",
    "horizon_cost_nominal",
    "horizon_cost_pv",
    "levelized_cost_per_unit",
    "tokens_per_s_per_chip",
    "batch",
    "replica_chips",
    "ttft",
    "tpot",
    "tokens_per_s_per_user",
    "cost_per_m_input_tokens",
    "cost_per_m_output_tokens",
    "joules_per_token",
    "tokens_per_s_per_mw",
    "run_cost",
    "run_seconds",
    "chip_hours",
    "flops_per_token",
    "joules_per_unit",
    "kg_co2e_per_unit",
    "hw_capital_per_chip_year",
    "facility_capital_per_chip_year",
    "rent_per_chip_year",
];
/// Section-7 keys of a comparison.
pub const COMPARISON_KEYS: &[&str] = &["rho", "cost_reduction"];
/// Section-7 keys of the contract check.
pub const CONTRACT_KEYS: &[&str] = &[
    "implied_per_chip_hour",
    "cost_per_chip_hour",
    "implied_margin",
    "implied_markup",
    "term_cost_nominal",
];

/// A metric and where to read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    Fleet {
        fleet: usize,
        key: &'static str,
    },
    Comparison {
        candidate: usize,
        key: &'static str,
    },
    Contract {
        key: &'static str,
    },
    /// A program metric (MODEL.md section 8): `model::program::METRIC_KEYS`.
    Program {
        program: usize,
        key: &'static str,
    },
}

fn find_key(list: &[&'static str], key: &str) -> Option<&'static str> {
    list.iter().copied().find(|k| *k == key)
}

fn fleet_by_id(inputs: &Inputs, id: &str, what: &str) -> Result<usize, String> {
    inputs
        .fleets
        .iter()
        .position(|f| f.id == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = inputs.fleets.iter().map(|f| f.id.as_str()).collect();
            format!(
                "{what} '{id}' is not a fleet of this scenario; fleets: {}",
                ids.join(", ")
            )
        })
}

impl Metric {
    /// The default metric: rho of the first candidate, or cost per unit of the only fleet.
    pub fn default_for(inputs: &Inputs) -> Metric {
        match (0..inputs.fleets.len()).find(|&i| i != inputs.compare.baseline) {
            Some(candidate) => Metric::Comparison {
                candidate,
                key: "rho",
            },
            None => Metric::Fleet {
                fleet: 0,
                key: "cost_per_unit",
            },
        }
    }

    /// The natural metric when `param` is varied: rho of the fleet it belongs to when that
    /// fleet is a candidate, else the default.
    pub fn natural_for(param: crate::scenario::Param, inputs: &Inputs) -> Metric {
        use crate::scenario::Param as P;
        match param {
            P::Fleet(i, _) | P::Chip(i, _) | P::Peak(i, _) if i != inputs.compare.baseline => {
                Metric::Comparison {
                    candidate: i,
                    key: "rho",
                }
            }
            P::Tranche(p, _, _) => Metric::Program {
                program: p,
                key: default_program_key(inputs, p),
            },
            // The contract moves what the provider earns, not the program's cost.
            P::ProgramContract(p, _) => Metric::Program {
                program: p,
                key: "provider_npv",
            },
            _ => Metric::default_for(inputs),
        }
    }

    /// Parses `--metric KEY` with `--fleet ID` / `--candidate ID` / `--program ID`. A target
    /// like `rho=1.30` passes its left side here. With `--program`, the key is a program
    /// metric (`rho` of that program against the baseline program, `levelized_cost_per_unit`,
    /// `provider_irr`, ...); a key only programs have picks the first program (with a contract,
    /// for contract keys) when `--program` is not given.
    pub fn parse(
        key: Option<&str>,
        fleet: Option<&str>,
        candidate: Option<&str>,
        program: Option<&str>,
        inputs: &Inputs,
    ) -> Result<Metric, String> {
        if let Some(id) = program {
            let p = program_by_id(inputs, id)?;
            let key = key.unwrap_or_else(|| default_program_key(inputs, p));
            return program_metric(inputs, p, key);
        }
        let default = Metric::default_for(inputs);
        let Some(key) = key else {
            return match (candidate, fleet, default) {
                (Some(c), _, _) => Ok(Metric::Comparison {
                    candidate: candidate_index(inputs, c)?,
                    key: "rho",
                }),
                (None, Some(f), _) => Ok(Metric::Fleet {
                    fleet: fleet_by_id(inputs, f, "--fleet")?,
                    key: "cost_per_unit",
                }),
                (None, None, d) => Ok(d),
            };
        };
        if let Some(k) = find_key(COMPARISON_KEYS, key) {
            // A comparison is named by its candidate; `--fleet` names it too.
            let candidate = match candidate.or(fleet) {
                Some(c) => candidate_index(inputs, c)?,
                None => match default {
                    Metric::Comparison { candidate, .. } => candidate,
                    _ => {
                        return Err(format!(
                            "'{key}' needs a comparison, and this scenario has one fleet"
                        ))
                    }
                },
            };
            return Ok(Metric::Comparison { candidate, key: k });
        }
        if let Some(k) = find_key(FLEET_KEYS, key) {
            let fleet = match fleet.or(candidate) {
                Some(f) => fleet_by_id(inputs, f, "--fleet")?,
                None => match default {
                    Metric::Comparison { candidate, .. } => candidate,
                    _ => 0,
                },
            };
            defined_for(k, inputs)?;
            return Ok(Metric::Fleet { fleet, key: k });
        }
        if let Some(k) = find_key(CONTRACT_KEYS, key) {
            if inputs.contract.is_none() {
                return Err(format!(
                    "'{key}' is a contract metric and this scenario has no [contract]"
                ));
            }
            return Ok(Metric::Contract { key: k });
        }
        if program::METRIC_KEYS.contains(&key) {
            let contract = program::CONTRACT_METRIC_KEYS.contains(&key);
            let p = inputs
                .programs
                .iter()
                .position(|p| !contract || p.contract.is_some())
                .ok_or_else(|| {
                    format!(
                        "'{key}' is a program metric and this scenario has no [[program]]{}",
                        if contract {
                            " with a [program.contract]"
                        } else {
                            ""
                        }
                    )
                })?;
            return program_metric(inputs, p, key);
        }
        let all: Vec<&str> = COMPARISON_KEYS
            .iter()
            .chain(FLEET_KEYS)
            .chain(CONTRACT_KEYS)
            .chain(program::METRIC_KEYS)
            .copied()
            .collect();
        let mut seen = std::collections::HashSet::new();
        let all: Vec<&str> = all.into_iter().filter(|k| seen.insert(*k)).collect();
        let near = crate::scenario::parse::did_you_mean(key, &all)
            .map(|d| format!("{d} "))
            .unwrap_or_default();
        Err(format!(
            "unknown metric '{key}'; {near}metrics: {}",
            all.join(", ")
        ))
    }

    /// Decimals to show the metric with in tables: none for counts (chips, nodes, batch,
    /// chips per replica), else `default`.
    pub fn decimals(&self, default: usize) -> usize {
        match self {
            Metric::Fleet { key, .. }
                if matches!(*key, "chips" | "nodes" | "batch" | "replica_chips") =>
            {
                0
            }
            Metric::Program { key, .. } if matches!(*key, "peak_chips" | "payback_year") => 0,
            _ => default,
        }
    }

    /// "rho (trn3 vs h200)", "cost_per_unit (trn2, USD per 1M training tokens)".
    pub fn label(&self, inputs: &Inputs) -> String {
        match self {
            Metric::Comparison { candidate, key } => format!(
                "{key} ({} vs {})",
                inputs.fleets[*candidate].id, inputs.fleets[inputs.compare.baseline].id
            ),
            Metric::Fleet { fleet, key } => format!("{key} ({})", inputs.fleets[*fleet].id),
            Metric::Contract { key } => format!("contract {key}"),
            Metric::Program {
                program,
                key: "rho",
            } => format!(
                "rho (program {} vs {})",
                inputs.programs[*program].id, inputs.programs[inputs.baseline_program].id
            ),
            Metric::Program { program, key } => {
                format!("{key} (program {})", inputs.programs[*program].id)
            }
        }
    }

    /// The metric's value for `inputs`. rho and cost per unit take the lean kernel; the rest
    /// evaluate the full model.
    pub fn value(&self, inputs: &Inputs) -> Result<f64, ModelError> {
        match *self {
            Metric::Comparison {
                candidate,
                key: "rho",
            } => {
                let b = model::unit_cost(inputs, inputs.compare.baseline)?;
                Ok(b / model::unit_cost(inputs, candidate)?)
            }
            Metric::Fleet {
                fleet,
                key: "cost_per_unit",
            } => model::unit_cost(inputs, fleet),
            Metric::Program { program, key } => program::metric(inputs, program, key),
            _ => {
                let o = model::evaluate(inputs)?;
                Ok(self
                    .read(&report::report_for("", inputs, &o))
                    .unwrap_or(f64::NAN))
            }
        }
    }

    /// Reads the metric from a report (`None` when the row lacks it, e.g. run_cost without
    /// tokens).
    pub fn read(&self, r: &RunReport) -> Option<f64> {
        let value = match self {
            Metric::Fleet { fleet, key } => serde_json::to_value(&r.fleets[*fleet])
                .ok()?
                .get(*key)
                .cloned(),
            Metric::Comparison { candidate, key } => {
                let id = &r.fleets[*candidate].id;
                let c = r.comparisons.iter().find(|c| &c.candidate == id)?;
                serde_json::to_value(c).ok()?.get(*key).cloned()
            }
            Metric::Contract { key } => serde_json::to_value(r.contract.as_ref()?)
                .ok()?
                .get(*key)
                .cloned(),
            Metric::Program {
                program,
                key: "rho",
            } => {
                let id = &r.programs.get(*program)?.id;
                let c = r.program_comparisons.iter().find(|c| &c.candidate == id)?;
                return Some(c.rho);
            }
            Metric::Program { program, key } => {
                let row = r.programs.get(*program)?;
                if program::CONTRACT_METRIC_KEYS.contains(key) {
                    serde_json::to_value(row.contract.as_ref()?)
                        .ok()?
                        .get(*key)
                        .cloned()
                } else {
                    serde_json::to_value(row).ok()?.get(*key).cloned()
                }
            }
        };
        value?.as_f64()
    }
}

/// The fleet keys that only some workloads have: refused up front rather than read as NaN.
fn defined_for(key: &str, inputs: &Inputs) -> Result<(), String> {
    use crate::model::WorkloadKind;
    let wl = &inputs.workload;
    match key {
        "batch"
        | "replica_chips"
        | "tpot"
        | "tokens_per_s_per_user"
        | "cost_per_m_output_tokens"
        | "joules_per_token"
        | "tokens_per_s_per_mw"
            if wl.kind != WorkloadKind::Inference =>
        {
            Err(format!(
                "metric '{key}' applies to inference workloads only; this scenario's workload is {}",
                wl.kind.name()
            ))
        }
        "ttft" | "cost_per_m_input_tokens"
            if wl.kind != WorkloadKind::Inference || wl.input_tokens.unwrap_or(0.0) <= 0.0 =>
        {
            Err(format!(
                "metric '{key}' needs an inference workload with input tokens (workload.input_tokens > 0):                  without a prefill there is no time to first token and no input to price"
            ))
        }
        "tokens_per_s_per_chip" if wl.kind == WorkloadKind::Flops => Err(format!(
            "metric '{key}' needs a training or inference workload; this scenario's workload \
             is raw FLOPs (flops), which counts no tokens"
        )),
        "flops_per_token" if wl.kind != WorkloadKind::Training => Err(format!(
            "metric '{key}' applies to training workloads only; this scenario's workload is {}",
            wl.kind.name()
        )),
        "kg_co2e_per_unit" if inputs.site.carbon_intensity.is_none() => Err(format!(
            "metric '{key}' needs site.carbon_intensity (kg CO2e per kWh, e.g. \
             carbon_intensity = 0.37), which this scenario does not set"
        )),
        "run_cost" | "run_seconds" | "chip_hours"
            if wl.kind != WorkloadKind::Training || wl.tokens.is_none() =>
        {
            let has = if wl.kind == WorkloadKind::Training {
                "a training workload without tokens".to_string()
            } else {
                match wl.kind {
                    WorkloadKind::Inference => "an inference workload".to_string(),
                    _ => "a raw-FLOPs (flops) workload".to_string(),
                }
            };
            Err(format!(
                "metric '{key}' needs a training workload with workload.tokens (the size of \
                 the run, e.g. tokens = 15.6e12); this scenario has {has}"
            ))
        }
        _ => Ok(()),
    }
}

/// The metric a program follows by default: its rho against the baseline program when there
/// is one to compare with, else its levelized cost per unit.
pub fn default_program_key(inputs: &Inputs, p: usize) -> &'static str {
    if inputs.programs.len() > 1 && p != inputs.baseline_program {
        "rho"
    } else {
        "levelized_cost_per_unit"
    }
}

fn program_by_id(inputs: &Inputs, id: &str) -> Result<usize, String> {
    inputs
        .programs
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = inputs.programs.iter().map(|p| p.id.as_str()).collect();
            if ids.is_empty() {
                return format!("--program '{id}': this scenario has no [[program]]");
            }
            let near = crate::scenario::parse::did_you_mean(id, &ids)
                .map(|d| format!("{d} "))
                .unwrap_or_default();
            format!(
                "--program '{id}' is not a program of this scenario; {near}programs: {}",
                ids.join(", ")
            )
        })
}

/// Program metric `key` of program `p`, checked: the key exists, a contract key has a
/// contract, rho has a baseline program to compare with.
fn program_metric(inputs: &Inputs, p: usize, key: &str) -> Result<Metric, String> {
    let id = &inputs.programs[p].id;
    let Some(k) = find_key(program::METRIC_KEYS, key) else {
        let near = crate::scenario::parse::did_you_mean(key, program::METRIC_KEYS)
            .map(|d| format!("{d} "))
            .unwrap_or_default();
        return Err(format!(
            "unknown program metric '{key}'; {near}program metrics: {}",
            program::METRIC_KEYS.join(", ")
        ));
    };
    if program::CONTRACT_METRIC_KEYS.contains(&k) && inputs.programs[p].contract.is_none() {
        return Err(format!(
            "'{k}' is a contract metric and program '{id}' has no [program.contract]"
        ));
    }
    if k == "rho" {
        if inputs.programs.len() < 2 {
            return Err(format!(
                "'rho' compares programs, and this scenario has one ('{id}'); try --metric levelized_cost_per_unit"
            ));
        }
        if p == inputs.baseline_program {
            return Err(format!(
                "program '{id}' is the baseline program (compare.baseline_program); pick another with --program"
            ));
        }
    }
    Ok(Metric::Program { program: p, key: k })
}

fn candidate_index(inputs: &Inputs, id: &str) -> Result<usize, String> {
    let i = fleet_by_id(inputs, id, "--candidate")?;
    if i == inputs.compare.baseline {
        return Err(format!("'{id}' is the baseline; pick a candidate"));
    }
    Ok(i)
}
