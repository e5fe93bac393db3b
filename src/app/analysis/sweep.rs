//! `fleetcost sweep`: one- or two-parameter grids of the run report, as a table, tidy CSV, JSON
//! and line or contour charts.

use super::{
    analysis_json, axis_label, axis_value, chart, count_rounded, finish, metric_of, out_dir,
    progress_bar, tick_format,
};
use crate::analysis::metric::{Metric, FLEET_KEYS};
use crate::analysis::sweep;
use crate::app::run::{write, write_provenance};
use crate::app::{load, print, AppError};
use crate::cli::SweepArgs;
use crate::plot::{self, TickFormat};
use crate::report::{self, Format};
use crate::scenario::{parse_value, Param, Scenario, SweepAxis};
use crate::units::format::fmt_thousands;
use std::path::Path;

fn axes_from_flags(s: &Scenario, a: &SweepArgs) -> Result<Vec<SweepAxis>, AppError> {
    let k = a.param.len();
    if a.from.len() != k
        || a.to.len() != k
        || a.steps.len() != k
        || (!a.scale.is_empty() && a.scale.len() != k)
    {
        return Err(AppError::input(format!(
            "give --from, --to and --steps once for each --param ({k} --param given; {} --from, {} --to, {} --steps)",
            a.from.len(), a.to.len(), a.steps.len()
        )));
    }
    if k > 2 {
        return Err(AppError::input(
            "at most two --param: one gives a line, two a grid",
        ));
    }
    let mut axes = Vec::new();
    for i in 0..k {
        let param = Param::parse(&a.param[i], &s.inputs)
            .map_err(|e| AppError::input(format!("--param: {e}")))?;
        if param.is_category() {
            return Err(AppError::input(format!(
                "--param {}: a precision is a category, swept over a list of names in the \
                 file: [[sweep]] param = \"{}\", values = [\"bf16\", \"fp8\"]",
                a.param[i], a.param[i]
            )));
        }
        let from = parse_value(param, &a.from[i])
            .map_err(|e| AppError::input(format!("--from {}: {e}", a.from[i])))?;
        let to = parse_value(param, &a.to[i])
            .map_err(|e| AppError::input(format!("--to {}: {e}", a.to[i])))?;
        if a.steps[i] < 2 {
            return Err(AppError::input(format!(
                "--steps {}: a sweep needs at least 2 points (both ends)",
                a.steps[i]
            )));
        }
        let log = match a.scale.get(i).map(String::as_str) {
            None | Some("linear") => false,
            Some("log") => true,
            Some(other) => {
                return Err(AppError::input(format!(
                    "--scale {other}: use linear or log"
                )))
            }
        };
        if log && (from <= 0.0 || to <= 0.0) {
            return Err(AppError::input("--scale log needs --from and --to > 0"));
        }
        if axes.iter().any(|x: &SweepAxis| x.param == param) {
            return Err(AppError::input(format!(
                "--param {} is given twice; a grid needs two different parameters",
                a.param[i]
            )));
        }
        axes.push(SweepAxis {
            path: a.param[i].clone(),
            param,
            from,
            to,
            steps: a.steps[i],
            log,
            span: 0..0,
            categories: None,
        });
    }
    Ok(axes)
}

/// What `sweep --out` writes: a 1-D sweep's chart and a 2-D sweep's heat map are both its
/// own, so one does not stay beside the other's data.
fn sweep_owns(name: &str) -> bool {
    super::common_output(name)
        || name == "sweep.csv"
        || super::is_chart(name, "sweep")
        || super::is_chart(name, "sweep_heatmap")
}

/// The charts among them (what `plot DIR` redraws).
pub(super) fn owns_chart(name: &str) -> bool {
    sweep_owns(name) && (name.ends_with(".png") || name.ends_with(".svg"))
}

pub fn sweep(a: &SweepArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let axes = if a.param.is_empty() {
        s.sweeps.clone()
    } else {
        axes_from_flags(&s, a)?
    };
    if axes.is_empty() {
        return Err(AppError::input(format!(
            "{}: nothing to sweep: add a [[sweep]] table or give --param PATH --from A --to B --steps N",
            s.file
        )));
    }
    let m = &a.metric;
    let metric = if m.metric.is_none()
        && m.candidate.is_none()
        && m.fleet.is_none()
        && m.program.is_none()
    {
        Metric::natural_for(axes[0].param, &s.inputs)
    } else {
        metric_of(&s, m)?
    };
    // Counted in floating point: two --steps of 2^32 overflow a usize product.
    let total_f: f64 = axes.iter().map(|x| x.steps as f64).product();
    // The same limit as a [[sweep]] in the file: each point keeps its full report.
    let max = crate::scenario::parse::MAX_SWEEP_POINTS;
    if total_f > max {
        return Err(AppError::input(format!(
            "{}: a sweep of {} points keeps a full report per point; at most {} (lower --steps or the [[sweep]] steps)",
            s.file,
            fmt_thousands(total_f, 0),
            fmt_thousands(max, 0)
        )));
    }
    let total = total_f as usize;
    let dir = out_dir(&a.out, sweep_owns, &a.scenario.scenario)?;
    let bar = progress_bar(total as u64, 20_000, "grid points", a.out.quiet);
    let points = sweep::run_with_progress(&s.name, &s.inputs, &axes, &|| bar.inc(1));
    bar.finish_and_clear();
    let points = points.map_err(|e| AppError::runtime(format!("{}: sweep {e}", s.file)))?;
    let values: Vec<f64> = points
        .iter()
        .map(|p| metric.read(&p.report).unwrap_or(f64::NAN))
        .collect();
    // Axis values in their keys' units (as the CSV and the scenario write them).
    let view = {
        use report::analysis::{ClaimNote, SweepView};
        let program_rho = matches!(metric, Metric::Program { key: "rho", .. });
        let claim_note = match (axes.len(), &metric) {
            (1, _) if program_rho => ClaimNote::AlongAxis,
            (1, _) => ClaimNote::None,
            (_, Metric::Comparison { .. }) => ClaimNote::OnGrid,
            _ if program_rho => ClaimNote::OnGrid,
            _ => ClaimNote::None,
        };
        SweepView {
            scenario: s.name.clone(),
            axes: axes
                .iter()
                .map(|x| (x.param, x.path.clone(), axis_label(&s, x.param), x.steps))
                .collect(),
            fleet_keys: FLEET_KEYS,
            metric_label: metric.label(&s.inputs),
            decimals: (metric.decimals(4), metric.decimals(3)),
            // The --metric gets a column of its own unless one already shows it.
            metric_in_columns: matches!(
                metric,
                Metric::Fleet {
                    key: "cost_per_unit",
                    ..
                } | Metric::Comparison { key: "rho", .. }
            ),
            claims: s.inputs.compare.claims.clone(),
            claim_note,
        }
    };
    // Built once: the table, the CSV and the JSON all come from it.
    let body = report::analysis::SweepReport {
        params: axes.iter().map(|x| x.path.as_str()).collect(),
        units: axes.iter().map(|x| x.param.spec().unit.name).collect(),
        points: points
            .iter()
            .zip(&values)
            .map(|(p, &m)| report::analysis::SweepPoint {
                values: axes
                    .iter()
                    .zip(&p.values)
                    .map(|(x, &v)| match x.categories {
                        Some(_) => serde_json::Value::from(x.param.show(v)),
                        None => serde_json::Value::from(
                            count_rounded(x.param, v) / x.param.spec().unit.si,
                        ),
                    })
                    .collect(),
                report: &p.report,
                swept: p.values.clone(),
                metric: m,
            })
            .collect(),
        view,
    };
    let csv_text = (a.out.format == Format::Csv || dir.is_some()).then(|| body.csv());
    // JSON on stdout is results.json (with the charts when --out draws them).
    let mut json_text = String::new();
    let text = match a.out.format {
        Format::Json => String::new(),
        Format::Csv => String::new(),
        Format::Table | Format::Markdown => body.table(a.out.format == Format::Markdown),
    };
    if let Some(dir) = dir {
        write(
            &dir,
            "sweep.csv",
            csv_text.as_deref().unwrap_or_default().as_bytes(),
        )?;
        write_provenance(&dir, &s, None)?;
        let drawn = draw_sweep(&dir, &s, &axes, &points, &metric, &values, a.out.size)?;
        json_text = analysis_json("sweep", &body, &drawn);
        write(&dir, "results.json", json_text.as_bytes())?;
        finish(dir, "sweep.csv, results.json, provenance and the chart")?;
    }
    if a.out.format == Format::Json {
        if json_text.is_empty() {
            json_text = analysis_json("sweep", &body, &[]);
        }
        return print(&json_text);
    }
    if a.out.format == Format::Csv {
        return print(csv_text.as_deref().unwrap_or_default());
    }
    print(&text)
}

fn draw_sweep(
    dir: &Path,
    s: &Scenario,
    axes: &[SweepAxis],
    points: &[sweep::SweepPoint],
    metric: &Metric,
    values: &[f64],
    size: (u32, u32),
) -> Result<Vec<plot::DrawnChart>, AppError> {
    let x = &s.inputs;
    let band = claim_band(&x.compare.claims);
    let mut drawn = Vec::new();
    if axes.len() == 1 {
        let a = &axes[0];
        let xs: Vec<f64> = points
            .iter()
            .map(|p| axis_value(a.param, p.values[0]))
            .collect();
        let comparison = matches!(metric, Metric::Comparison { .. });
        let series: Vec<(String, Vec<f64>)> = if comparison {
            points[0]
                .report
                .comparisons
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    (
                        format!("{} vs {}", c.candidate, c.baseline),
                        points.iter().map(|p| p.report.comparisons[j].rho).collect(),
                    )
                })
                .collect()
        } else {
            vec![(metric.label(x), values.to_vec())]
        };
        let base_x = a.param.get(x).map(|v| axis_value(a.param, v));
        let data = plot::SweepChart {
            title: format!(
                "{} as {} varies",
                if comparison {
                    "rho (perf per dollar vs baseline)".to_string()
                } else {
                    metric.label(x)
                },
                a.path
            ),
            subtitle: s.name.clone(),
            x_label: axis_label(s, a.param),
            x_format: tick_format(a.param),
            x: xs,
            series,
            y_label: if comparison {
                "rho: perf per dollar relative to the baseline".into()
            } else {
                metric.label(x)
            },
            y_format: if comparison {
                TickFormat::Times
            } else {
                TickFormat::Plain
            },
            claim_band: if comparison { band } else { None },
            log_x: a.log,
            base_x,
        };
        chart(dir, "sweep", size, plot::ChartSpec::Sweep(data), &mut drawn)?;
        return Ok(drawn);
    }
    let (ax, ay) = (&axes[0], &axes[1]);
    let (nx, ny) = (ax.steps, ay.steps);
    // z[iy][ix]: rows follow the second axis (y), columns the first (x).
    let z: Vec<Vec<f64>> = (0..ny)
        .map(|j| (0..nx).map(|i| values[i * ny + j]).collect())
        .collect();
    let data = plot::HeatmapChart {
        title: format!("{} over {} x {}", metric.label(x), ax.path, ay.path),
        subtitle: s.name.clone(),
        x_label: axis_label(s, ax.param),
        x_format: tick_format(ax.param),
        y_label: axis_label(s, ay.param),
        y_format: tick_format(ay.param),
        x: (0..nx)
            .map(|i| axis_value(ax.param, points[i * ny].values[0]))
            .collect(),
        y: (0..ny)
            .map(|j| axis_value(ay.param, points[j].values[1]))
            .collect(),
        z,
        z_label: metric.label(x),
        z_format: if matches!(metric, Metric::Comparison { .. }) {
            TickFormat::Times
        } else {
            TickFormat::Plain
        },
        contours: if matches!(metric, Metric::Comparison { key: "rho", .. }) {
            x.compare.claims.clone()
        } else {
            Vec::new()
        },
        log_x: ax.log,
        log_y: ay.log,
    };
    chart(
        dir,
        "sweep_heatmap",
        size,
        plot::ChartSpec::Heatmap(data),
        &mut drawn,
    )?;
    Ok(drawn)
}

fn claim_band(claims: &[f64]) -> Option<(f64, f64)> {
    let lo = claims.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = claims.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo.is_finite().then_some((lo, hi))
}
