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
    let folder = match &a.out {
        Some(dir) => Some(
            output::RunFolder::open(dir, run_owns, &[("scenario", &a.scenario.scenario)])
                .map_err(AppError::input)?,
        ),
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
    if let Some(folder) = folder {
        write_run_folder(&folder, &s, &outcome, &r)?;
        if !a.no_plots {
            draw_charts(&folder, &r, &report::cashflow_rows(&s, &outcome), a.size)?;
            if let Some(c) = super::serving_charts::curve(&s.inputs) {
                let o = plot::ChartOptions {
                    width: a.size.0,
                    height: a.size.1,
                };
                super::serving_charts::draw(&folder, &s.name, &c, s.inputs.workload.tpot, &o)
                    .map_err(|e| AppError::runtime(e.to_string()))?;
            }
        }
        let (written, removed) = commit(folder)?;
        let charts = removed.iter().filter(|n| !is_run_data(n)).count();
        if a.no_plots && charts > 0 {
            eprintln!("removed {charts} charts of an earlier run (--no-plots)");
        }
        eprintln!(
            "wrote {} files to {}",
            written.len(),
            a.out.as_deref().unwrap_or(Path::new(".")).display()
        );
    }
    print(&text)
}

/// The data files of a run folder.
const RUN_DATA: [&str; 10] = [
    CONTRACT_CSV,
    PROGRAMS_CSV,
    PROGRAM_YEARS_CSV,
    report::workbook::FILE,
    "results.json",
    "fleets.csv",
    "comparisons.csv",
    "cashflow.csv",
    "provenance.json",
    RESOLVED,
];

fn is_run_data(name: &str) -> bool {
    RUN_DATA.contains(&name)
}

/// The files `run --out` writes: its data and its charts.
fn run_owns(name: &str) -> bool {
    is_run_data(name) || is_run_chart(name)
}

fn is_run_chart(name: &str) -> bool {
    is_redrawn_chart(name)
        || super::serving_charts::CHARTS.iter().any(|stem| {
            name.strip_prefix(stem)
                .is_some_and(|ext| ext == ".png" || ext == ".svg")
        })
}

/// The charts `plot DIR` redraws from results.json and cashflow.csv (an inference folder's
/// serving curves too, from its resolved scenario: [`is_run_chart`]).
fn is_redrawn_chart(name: &str) -> bool {
    plot::is_program_chart(name)
        || plot::run_chart_files(Path::new(""))
            .iter()
            .any(|(_, _, p)| p.as_os_str() == name)
}

/// Moves a staged folder into place: the command's outputs change together.
pub fn commit(folder: output::RunFolder) -> Result<(Vec<String>, Vec<String>), AppError> {
    let dir = folder.dir().to_path_buf();
    folder.commit().map_err(|e| {
        AppError::runtime(format!(
            "cannot move the outputs into {}: {e}",
            dir.display()
        ))
    })
}

/// Provenance of a run folder: enough to reproduce it.
#[derive(serde::Serialize)]
pub struct Provenance<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub command: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lossy = args.iter().any(|a| a.to_str().is_none());
    if lossy {
        eprintln!("note: provenance.json records the command line with U+FFFD for bytes that are not UTF-8");
    }
    let prov = Provenance {
        tool: "fleetcost",
        version: env!("CARGO_PKG_VERSION"),
        command: args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        note: lossy.then_some(
            "an argument is not UTF-8 text; it is recorded with U+FFFD for its invalid bytes",
        ),
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
) -> Result<(), AppError> {
    let cash = report::cashflow_rows(s, o);
    write(dir, "results.json", report::to_json(r).as_bytes())?;
    write(dir, "fleets.csv", report::csv::fleets(r).as_bytes())?;
    write(
        dir,
        "comparisons.csv",
        report::csv::comparisons(r).as_bytes(),
    )?;
    write(dir, "cashflow.csv", report::csv::cashflow(&cash).as_bytes())?;
    let book = report::workbook::workbook(s, o, r, &cash).map_err(AppError::runtime)?;
    write(dir, report::workbook::FILE, &book)?;
    if let Some(text) = report::csv::contract(r) {
        write(dir, CONTRACT_CSV, text.as_bytes())?;
    }
    if !r.programs.is_empty() {
        write(dir, PROGRAMS_CSV, report::csv::programs(r).as_bytes())?;
        write(
            dir,
            PROGRAM_YEARS_CSV,
            report::csv::program_years(r).as_bytes(),
        )?;
    }
    // Without a [contract] or [[program]], an earlier run's contract.csv, programs.csv and
    // program_years.csv are removed when the folder is moved into place (run's outputs).
    write_provenance(dir, s, None)
}

/// The programs' files in a run folder (only with `[[program]]`s).
pub const PROGRAMS_CSV: &str = "programs.csv";
pub const PROGRAM_YEARS_CSV: &str = "program_years.csv";

/// The contract check's file in a run folder (only with a `[contract]`).
pub const CONTRACT_CSV: &str = "contract.csv";

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

/// The most `plot DIR` reads of results.json or cashflow.csv (a 1000-year horizon of many
/// fleets is a few MB).
const PLOT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// `fleetcost plot DIR`: redraws a run folder's charts from results.json and cashflow.csv.
pub fn plot(a: &PlotArgs) -> Result<(), AppError> {
    let read = |name: &str| {
        let p = a.dir.join(name);
        crate::files::read_capped(&p, PLOT_MAX_BYTES)
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| {
                    crate::files::ReadError::Io(std::io::Error::other("it is not UTF-8 text"))
                })
            })
            .map_err(|e| {
                AppError::input(format!("{}: cannot read {name} ({e}); give a folder written by `fleetcost run SCENARIO --out DIR`", a.dir.display()))
            })
    };
    let not_run = |e: String| {
        AppError::input(format!(
            "{}: results.json is not a report fleetcost wrote: {e} (a truncated or foreign \
             file? rerun the command that wrote the folder)",
            a.dir.display()
        ))
    };
    let json: serde_json::Value =
        serde_json::from_str(&read("results.json")?).map_err(|e| not_run(e.to_string()))?;
    if let Some(command) = json.get("command").and_then(|c| c.as_str()) {
        return plot_analysis(a, command, &json);
    }
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
                "it was written by `fleetcost {command}` before analysis folders recorded their \
                 charts; rerun `fleetcost {command} ... --out DIR` to write one `plot` can redraw"
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
    check_cashflow(&r, &cash).map_err(|e| {
        AppError::input(format!(
            "{}: cashflow.csv {e}; it is not the cash flow of this results.json (a truncated or \
             foreign file?): rerun `fleetcost run` to write the folder again",
            a.dir.display()
        ))
    })?;
    let o = plot::ChartOptions {
        width: a.size.0,
        height: a.size.1,
    };
    // The serving curves need the model: an inference folder's resolved scenario, checked to
    // give this results.json.
    let serving = if r.workload != "inference" {
        None
    } else if !a.dir.join(RESOLVED).exists() {
        eprintln!(
            "note: {} has no {RESOLVED}, so the serving charts ({}) are left as they are; \
             `fleetcost run SCENARIO --out DIR` writes it",
            a.dir.display(),
            super::serving_charts::CHARTS.join(", ")
        );
        None
    } else {
        Some(serving_scenario(&a.dir, &read(RESOLVED)?, &r)?)
    };
    let owns: fn(&str) -> bool = if serving.is_some() {
        is_run_chart
    } else {
        is_redrawn_chart
    };
    let folder = output::RunFolder::open(&a.dir, owns, &[])
        .map_err(|e| AppError::input(e.replacen("--out ", "", 1)))?;
    // Here the data come from files, so data the charts cannot show is bad input.
    plot::draw_run(&folder, &r, &cash, &o).map_err(|e| match e {
        plot::PlotError::Input { .. } => AppError::input(e.to_string()),
        e => AppError::runtime(e.to_string()),
    })?;
    if let Some(s) = &serving {
        if let Some(c) = super::serving_charts::curve(&s.inputs) {
            super::serving_charts::draw(&folder, &s.name, &c, s.inputs.workload.tpot, &o)
                .map_err(|e| AppError::runtime(e.to_string()))?;
        }
    }
    let (written, _) = commit(folder)?;
    eprintln!("drew {} charts in {}", written.len(), a.dir.display());
    Ok(())
}

/// `plot DIR` on a folder of `sweep`, `tornado` or `montecarlo`: redraws the charts recorded in
/// its results.json ("charts": each one's file and data), after checking that each names a chart
/// that command writes. Nothing is written unless every chart reads and draws.
fn plot_analysis(a: &PlotArgs, command: &str, json: &serde_json::Value) -> Result<(), AppError> {
    let dir = a.dir.display();
    let rerun = format!("rerun `fleetcost {command} ... --out {dir}` to write the folder again");
    let owns = super::analysis::chart_owner(command).ok_or_else(|| {
        AppError::input(format!(
            "{dir}: results.json says it was written by '{command}', which is not a fleetcost \
             command with charts (sweep, tornado, montecarlo); give a folder written by one of \
             them or by `fleetcost run SCENARIO --out DIR`"
        ))
    })?;
    let charts: Vec<plot::DrawnChart> = match json.get("charts") {
        None => {
            return Err(AppError::input(format!(
                "{dir}: results.json of `fleetcost {command}` records no charts; {rerun}"
            )))
        }
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            AppError::input(format!(
                "{dir}: results.json: its charts cannot be read ({e}); a truncated or foreign \
                 file? {rerun}"
            ))
        })?,
    };
    if charts.is_empty() {
        return Err(AppError::input(format!(
            "{dir}: results.json of `fleetcost {command}` records no charts; {rerun}"
        )));
    }
    for c in &charts {
        let safe = !c.file.is_empty()
            && !c.file.contains(['/', '\\'])
            && c.file != ".."
            && owns(&format!("{}.png", c.file));
        if !safe {
            return Err(AppError::input(format!(
                "{dir}: results.json names a chart '{}' that `fleetcost {command}` does not \
                 write; nothing was drawn (a foreign file? {rerun})",
                c.file
            )));
        }
    }
    let folder = output::RunFolder::open(&a.dir, owns, &[])
        .map_err(|e| AppError::input(e.replacen("--out ", "", 1)))?;
    let o = plot::ChartOptions {
        width: a.size.0,
        height: a.size.1,
    };
    for c in &charts {
        c.draw_both(&folder, &o).map_err(|e| match e {
            plot::PlotError::Input { .. } => AppError::input(e.to_string()),
            e => AppError::runtime(e.to_string()),
        })?;
    }
    let (written, _) = commit(folder)?;
    eprintln!("drew {} charts in {dir}", written.len());
    Ok(())
}

/// The resolved scenario of an inference run folder, for its serving charts: refused unless it
/// gives the folder's results.json (the same fleets, and each fleet's tokens/s per chip to 1e-9).
fn serving_scenario(dir: &Path, text: &str, r: &RunReport) -> Result<Scenario, AppError> {
    let file = dir.join(RESOLVED).display().to_string();
    let foreign = |why: String| {
        AppError::input(format!(
            "{file}: {why}; it is not the scenario of this results.json, so the serving charts \
             cannot be redrawn: rerun `fleetcost run SCENARIO --out {}`",
            dir.display()
        ))
    };
    let s = Scenario::from_str(&file, text)?;
    let (_, again) = evaluate(&s)?;
    let ids = |r: &RunReport| r.fleets.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    if ids(&again) != ids(r) {
        return Err(foreign(format!(
            "its fleets are {:?}, results.json's {:?}",
            ids(&again),
            ids(r)
        )));
    }
    for (f, g) in r.fleets.iter().zip(&again.fleets) {
        let (Some(x), Some(y)) = (f.tokens_per_s_per_chip, g.tokens_per_s_per_chip) else {
            continue;
        };
        if (x - y).abs() > 1e-9 * x.abs().max(y.abs()) {
            return Err(foreign(format!(
                "fleet '{}' serves {} tokens/s per chip by it, {} by results.json",
                f.id,
                crate::units::format::Num(y),
                crate::units::format::Num(x)
            )));
        }
    }
    Ok(s)
}

pub fn validate(a: &ValidateArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let x = &s.inputs;
    let mut text = format!(
        "ok: {} ({}): {} fleet{}{}, {} workload at {}, {} uncertain input{}, {} sweep ax{}\n",
        s.file,
        crate::report::elide(&s.name, crate::report::NAME_SHOWN),
        x.fleets.len(),
        if x.fleets.len() == 1 { "" } else { "s" },
        match x.programs.len() {
            0 => String::new(),
            1 => ", 1 program".into(),
            n => format!(", {n} programs"),
        },
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

/// Whether `cash` (cashflow.csv) is the cash flow of `r` (results.json): the same fleets, each
/// with years 0, 1, 2, ... once and in order, as many as every other fleet, and totals (nominal
/// and discounted) that sum to the report's horizon cash within 1e-9 relative (the CSV keeps
/// 15 significant digits) and do not overflow. `plot DIR` draws the cash-flow chart from the
/// file, so a truncated or foreign one would draw wrong charts with exit 0.
fn check_cashflow(r: &RunReport, cash: &[report::CashflowRow]) -> Result<(), String> {
    use crate::units::format::fmt_usd;
    if let Some(c) = cash
        .iter()
        .find(|c| !r.fleets.iter().any(|f| f.id == c.fleet))
    {
        let ids: Vec<&str> = r.fleets.iter().map(|f| f.id.as_str()).collect();
        return Err(format!(
            "has fleet '{}', which results.json does not (its fleets: {})",
            c.fleet,
            ids.join(", ")
        ));
    }
    let mut years: Option<(usize, &str)> = None;
    for f in &r.fleets {
        let rows: Vec<&report::CashflowRow> = cash.iter().filter(|c| c.fleet == f.id).collect();
        if rows.is_empty() {
            return Err(format!("has no rows for fleet '{}'", f.id));
        }
        if let Some((k, c)) = rows.iter().enumerate().find(|(k, c)| c.year as usize != *k) {
            return Err(format!(
                "has year {} where fleet '{}' should have year {k} (years run 0, 1, 2, ... once \
                 each)",
                c.year, f.id
            ));
        }
        match years {
            Some((n, other)) if n != rows.len() => {
                return Err(format!(
                    "has {} years for fleet '{}' but {n} for '{other}'",
                    rows.len(),
                    f.id
                ))
            }
            _ => years = Some((rows.len(), &f.id)),
        }
        let nominal: f64 = rows.iter().map(|c| c.total).sum();
        let pv: f64 = rows.iter().map(|c| c.discounted_total).sum();
        for (what, sum, want) in [
            ("nominal", nominal, f.horizon_cost_nominal),
            ("discounted", pv, f.horizon_cost_pv),
        ] {
            if !sum.is_finite() {
                return Err(format!(
                    "rows of fleet '{}' sum to more than floating point holds ({what} total)",
                    f.id
                ));
            }
            let tol = 1e-9 * want.abs().max(sum.abs()) + 1e-6;
            if want.is_finite() && (sum - want).abs() > tol {
                return Err(format!(
                    "rows of fleet '{}' sum to {} ({what}), but results.json says {}",
                    f.id,
                    fmt_usd(sum),
                    fmt_usd(want)
                ));
            }
        }
    }
    Ok(())
}
