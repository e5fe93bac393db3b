//! `sweep`, `tornado`, `montecarlo`, `solve` and `elasticities`, one file each: print a summary,
//! and with `--out DIR` write tidy CSV, results.json, the resolved scenario and the chart. This
//! file holds what they share.

mod elasticities;
mod montecarlo;
mod solve;
mod sweep;
mod tornado;

pub use elasticities::elasticities;
pub use montecarlo::montecarlo;
pub use solve::solve;
pub use sweep::sweep;
pub use tornado::tornado;

use crate::analysis::metric::Metric;
use crate::app::AppError;
use crate::cli::OutArgs;
use crate::plot::{self, ChartOptions, TickFormat};
use crate::report::output;
use crate::scenario::{Param, Scenario};
use crate::units;
use std::path::Path;

/// The `--out` folder, checked, locked and staged before any computing (see
/// [`output::RunFolder`]); `owns` names the command's outputs, which must not include the
/// scenario file.
fn out_dir(
    o: &OutArgs,
    owns: fn(&str) -> bool,
    scenario: &Path,
) -> Result<Option<output::RunFolder>, AppError> {
    o.out
        .as_deref()
        .map(|d| {
            output::RunFolder::open(d, owns, &[("scenario", scenario)]).map_err(AppError::input)
        })
        .transpose()
}

/// The outputs every analysis command writes into its `--out` folder.
fn common_output(name: &str) -> bool {
    ["results.json", "provenance.json", crate::app::run::RESOLVED].contains(&name)
}

/// Is `name` the chart `stem` as PNG or SVG?
fn is_chart(name: &str, stem: &str) -> bool {
    name.strip_prefix(stem)
        .is_some_and(|ext| ext == ".png" || ext == ".svg")
}

/// Moves the staged outputs into place and says what changed.
fn finish(folder: output::RunFolder, what: &str) -> Result<(), AppError> {
    let dir = folder.dir().to_path_buf();
    let (_, removed) = crate::app::run::commit(folder)?;
    eprintln!("wrote {what} to {}", dir.display());
    if !removed.is_empty() {
        eprintln!(
            "removed {} of an earlier run that this one did not write: {}",
            removed.len(),
            removed.join(", ")
        );
    }
    Ok(())
}

fn metric_of(s: &Scenario, m: &crate::cli::MetricArgs) -> Result<Metric, AppError> {
    Metric::parse(
        m.metric.as_deref(),
        m.fleet.as_deref(),
        m.candidate.as_deref(),
        m.program.as_deref(),
        &s.inputs,
    )
    .map_err(AppError::input)
}

/// Draws `chart` as `<dir>/<file>.png` and `.svg` and records it for results.json, from which
/// `fleetcost plot DIR` redraws it.
fn chart(
    dir: &Path,
    file: &str,
    size: (u32, u32),
    chart: plot::ChartSpec,
    drawn: &mut Vec<plot::DrawnChart>,
) -> Result<(), AppError> {
    let o = ChartOptions {
        width: size.0,
        height: size.1,
    };
    let d = plot::DrawnChart {
        file: file.to_string(),
        chart,
    };
    d.draw_both(dir, &o)
        .map_err(|e| AppError::runtime(e.to_string()))?;
    drawn.push(d);
    Ok(())
}

/// An analysis command's JSON (`report::analysis::AnalysisReport`): its name, its report and
/// the charts drawn (none on stdout without --out).
fn analysis_json<T: serde::Serialize>(
    command: &'static str,
    body: &T,
    charts: &[plot::DrawnChart],
) -> String {
    crate::report::analysis::AnalysisReport {
        command,
        body,
        charts,
    }
    .json()
}

/// The charts each analysis command owns in its folder (what `plot DIR` may redraw there).
pub fn chart_owner(command: &str) -> Option<fn(&str) -> bool> {
    match command {
        "sweep" => Some(sweep::owns_chart),
        "tornado" => Some(tornado::owns_chart),
        "montecarlo" => Some(montecarlo::owns_chart),
        _ => None,
    }
}

/// A sweep value as the model used it: counts are rounded to whole numbers.
fn count_rounded(p: Param, v: f64) -> f64 {
    if p.spec().range.integer {
        v.round()
    } else {
        v
    }
}

/// How a parameter's values read on an axis.
fn tick_format(p: Param) -> TickFormat {
    let unit = p.spec().unit;
    if unit == units::USD {
        TickFormat::Usd
    } else if unit.dim == units::ONE.dim && p.spec().range.max == 1.0 {
        TickFormat::Percent
    } else if unit.dim == units::ONE.dim {
        TickFormat::Plain
    } else {
        TickFormat::Si(
            unit.name
                .trim_start_matches(|c: char| "kMGTP".contains(c))
                .to_string(),
        )
    }
}

/// Axis values as shown: USD and fractions in SI, others in the key's unit.
fn axis_value(p: Param, si: f64) -> f64 {
    match tick_format(p) {
        TickFormat::Si(_) => si / p.spec().unit.si * si_prefix_factor(p),
        _ => si,
    }
}

fn si_prefix_factor(p: Param) -> f64 {
    // TFLOP/s, TB/s, GB, kWh-based units: the SI tick formatter adds its own prefix.
    let name = p.spec().unit.name;
    match name.chars().next() {
        Some('k') => 1e3,
        Some('M') => 1e6,
        Some('G') => 1e9,
        Some('T') => 1e12,
        _ => 1.0,
    }
}

fn axis_label(s: &Scenario, p: Param) -> String {
    if p.is_category() {
        // The chart's axis is the precision's index; the label says which is which.
        return format!(
            "{} (0 fp32, 1 tf32, 2 bf16, 3 fp8, 4 fp4)",
            p.path(&s.inputs)
        );
    }
    format!("{} ({})", p.path(&s.inputs), p.spec().unit.name)
}

/// A progress bar on stderr for work of `n` steps, shown only when it takes about a second or
/// more (`n >= threshold`), stderr is a terminal and `--quiet` is not given.
fn progress_bar(n: u64, threshold: u64, what: &str, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() || n < threshold {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(n);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what}, {{per_sec}}, eta {{eta}}"
        ))
        .expect("template"),
    );
    bar
}
