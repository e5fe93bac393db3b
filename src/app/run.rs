//! `fleetcost run` and `fleetcost validate`.

use super::{load, print, AppError};
use crate::cli::{PlotArgs, RunArgs, ValidateArgs};
use crate::model;
use crate::plot;
use crate::report::{self, output, Format, RunReport};
use crate::scenario::{resolve, Param, Scenario};
use crate::units;
use std::path::Path;

/// Evaluates the scenario; a model refusal is bad input (the check reports it with location
/// first, so this is a backstop).
pub fn evaluate(s: &Scenario) -> Result<(model::Outcome, RunReport), AppError> {
    let outcome =
        model::evaluate(&s.inputs).map_err(|e| AppError::input(format!("{}: {e}", s.file)))?;
    let report = report::run_report(s, &outcome);
    Ok((outcome, report))
}

pub fn run(a: &RunArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let out_dir = match &a.out {
        Some(dir) => Some(output::prepare_dir(dir).map_err(AppError::input)?),
        None => None,
    };
    let (outcome, r) = evaluate(&s)?;
    for w in super::warnings::warnings(&s.inputs, &r) {
        eprintln!("{w}");
    }
    let text = match a.format {
        Format::Table => report::table::render_table(&r),
        Format::Json => report::to_json(&r),
        Format::Csv => report::csv::fleets(&r),
        Format::Markdown => report::markdown::run(&r),
    };
    if let Some(dir) = out_dir {
        let mut written = write_run_folder(&dir, &s, &outcome, &r)?;
        if !a.no_plots {
            written += draw_charts(&dir, &r, &report::cashflow_rows(&s, &outcome), a.size)?;
            if let Some(c) = super::serving_charts::curve(&s.inputs) {
                let o = plot::ChartOptions {
                    width: a.size.0,
                    height: a.size.1,
                };
                written +=
                    super::serving_charts::draw(&dir, &s.name, &c, s.inputs.workload.tpot, &o)
                        .map_err(|e| AppError::runtime(e.to_string()))?
                        .len();
            }
        } else {
            // Charts of an earlier run would no longer match the folder's data.
            let serving = super::serving_charts::CHARTS.iter().flat_map(|stem| {
                [plot::ImageFormat::Png, plot::ImageFormat::Svg]
                    .map(|f| dir.join(format!("{stem}.{}", f.extension())))
            });
            let stale: Vec<_> = plot::run_chart_files(&dir)
                .into_iter()
                .map(|(_, _, p)| p)
                .chain(serving)
                .filter(|p| p.is_file())
                .collect();
            for p in &stale {
                std::fs::remove_file(p).map_err(|e| {
                    AppError::runtime(format!("cannot remove the old chart {}: {e}", p.display()))
                })?;
            }
            if !stale.is_empty() {
                eprintln!(
                    "removed {} charts of an earlier run (--no-plots)",
                    stale.len()
                );
            }
        }
        eprintln!("wrote {} files to {}", written, dir.display());
    }
    print(&text)
}

/// Provenance of a run folder: enough to reproduce it.
#[derive(serde::Serialize)]
pub struct Provenance<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub command: Vec<String>,
    pub scenario_file: &'a str,
    pub sets: &'a [String],
    pub resolved_scenario: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// The resolved scenario's file name inside a run folder.
pub const RESOLVED: &str = "scenario.resolved.toml";

/// Writes the provenance and resolved scenario of `s` into `dir`.
pub fn write_provenance(dir: &Path, s: &Scenario, seed: Option<u64>) -> Result<(), AppError> {
    let prov = Provenance {
        tool: "fleetcost",
        version: env!("CARGO_PKG_VERSION"),
        command: std::env::args().collect(),
        scenario_file: &s.file,
        sets: &s.sets,
        resolved_scenario: RESOLVED,
        seed,
    };
    write(dir, "provenance.json", report::to_json(&prov).as_bytes())?;
    write(dir, RESOLVED, resolve::to_toml(s).as_bytes())
}

/// Writes one file of a run folder atomically.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), AppError> {
    let path = dir.join(name);
    output::write_atomic(&path, bytes)
        .map_err(|e| AppError::runtime(format!("cannot write {}: {e}", path.display())))
}

fn write_run_folder(
    dir: &Path,
    s: &Scenario,
    o: &model::Outcome,
    r: &RunReport,
) -> Result<usize, AppError> {
    let cash = report::cashflow_rows(s, o);
    write(dir, "results.json", report::to_json(r).as_bytes())?;
    write(dir, "fleets.csv", report::csv::fleets(r).as_bytes())?;
    write(
        dir,
        "comparisons.csv",
        report::csv::comparisons(r).as_bytes(),
    )?;
    write(dir, "cashflow.csv", report::csv::cashflow(&cash).as_bytes())?;
    let mut n = 6;
    match report::csv::contract(r) {
        Some(text) => {
            write(dir, CONTRACT_CSV, text.as_bytes())?;
            n += 1;
        }
        // An earlier run's contract does not belong to this one.
        None => remove_stale(dir, CONTRACT_CSV)?,
    }
    write_provenance(dir, s, None)?;
    Ok(n)
}

/// The contract check's file in a run folder (only with a `[contract]`).
pub const CONTRACT_CSV: &str = "contract.csv";

/// Removes `name` from `dir` if an earlier run left it there.
fn remove_stale(dir: &Path, name: &str) -> Result<(), AppError> {
    let path = dir.join(name);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AppError::runtime(format!(
            "cannot remove the stale {}: {e}",
            path.display()
        ))),
    }
}

/// Draws the four run charts into `dir` (PNG and SVG).
fn draw_charts(
    dir: &Path,
    r: &RunReport,
    cash: &[report::CashflowRow],
    size: (u32, u32),
) -> Result<usize, AppError> {
    let o = plot::ChartOptions {
        width: size.0,
        height: size.1,
    };
    let written = plot::draw_run(dir, r, cash, &o).map_err(|e| AppError::runtime(e.to_string()))?;
    Ok(written.len())
}

/// `fleetcost plot DIR`: redraws a run folder's charts from results.json and cashflow.csv.
pub fn plot(a: &PlotArgs) -> Result<(), AppError> {
    let read = |name: &str| {
        let p = a.dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| {
            AppError::input(format!("{}: cannot read {name} ({e}); give a folder written by `fleetcost run SCENARIO --out DIR`", a.dir.display()))
        })
    };
    let not_run = |e: String| {
        AppError::input(format!(
            "{}: results.json is not a run report: {e}",
            a.dir.display()
        ))
    };
    let json: serde_json::Value =
        serde_json::from_str(&read("results.json")?).map_err(|e| not_run(e.to_string()))?;
    if json.get("schema").is_none() {
        let kind = [
            ("points", "sweep"),
            ("bars", "tornado"),
            ("quantiles", "montecarlo"),
        ]
        .into_iter()
        .find(|(k, _)| json.get(k).is_some());
        return Err(not_run(match kind {
            Some((_, command)) => format!(
                "it was written by `fleetcost {command}`, whose --out folder already holds its \
                 charts; `plot` redraws folders written by `fleetcost run SCENARIO --out DIR`"
            ),
            None => {
                "it has no 'schema'; give a folder written by `fleetcost run SCENARIO --out DIR`"
                    .into()
            }
        }));
    }
    let r: RunReport = serde_json::from_value(json).map_err(|e| not_run(e.to_string()))?;
    let cash = report::csv::read_cashflow(&read("cashflow.csv")?)
        .map_err(|e| AppError::input(format!("{}: cashflow.csv: {e}", a.dir.display())))?;
    for (i, c) in cash.iter().enumerate() {
        let figures = [
            ("capex", c.capex),
            ("energy", c.energy),
            ("upkeep", c.upkeep),
            ("rent", c.rent),
            ("residual", c.residual),
            ("total", c.total),
            ("discounted_total", c.discounted_total),
        ];
        if let Some((k, v)) = figures.iter().find(|(_, v)| !v.is_finite()) {
            return Err(AppError::input(format!(
                "{}: cashflow.csv row {} ({} year {}): {k} is {v}; rerun `fleetcost run` to \
                 write the folder again",
                a.dir.display(),
                i + 2,
                c.fleet,
                c.year
            )));
        }
    }
    let o = plot::ChartOptions {
        width: a.size.0,
        height: a.size.1,
    };
    // Here the data come from files, so data the charts cannot show is bad input.
    let n = plot::draw_run(&a.dir, &r, &cash, &o)
        .map_err(|e| match e {
            plot::PlotError::Input { .. } => AppError::input(e.to_string()),
            e => AppError::runtime(e.to_string()),
        })?
        .len();
    eprintln!("drew {n} charts in {}", a.dir.display());
    Ok(())
}

pub fn validate(a: &ValidateArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let x = &s.inputs;
    let mut text = format!(
        "ok: {} ({}): {} fleet{}, {} workload at {}, {} uncertain input{}, {} sweep ax{}\n",
        s.file,
        s.name,
        x.fleets.len(),
        if x.fleets.len() == 1 { "" } else { "s" },
        x.workload.kind.name(),
        x.workload.precision.name(),
        s.uncertainty.len(),
        if s.uncertainty.len() == 1 { "" } else { "s" },
        s.sweeps.len(),
        if s.sweeps.len() == 1 { "is" } else { "es" },
    );
    if a.list_params {
        for p in Param::all(x) {
            let spec = p.spec();
            let value = p
                .get(x)
                .map(|v| units::display(v, &spec.unit))
                .unwrap_or_else(|| "(not set)".into());
            text.push_str(&format!("{:<40} {:<22} {}\n", p.path(x), value, spec.about));
        }
    }
    print(&text)
}
