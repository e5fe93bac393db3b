//! `sweep`, `tornado`, `montecarlo`, `solve` and `elasticities`: print a summary, and with
//! `--out DIR` write tidy CSV, results.json, the resolved scenario and the chart.

use super::run::{write, write_provenance};
use super::{load, print, AppError};
use crate::analysis::metric::{Metric, FLEET_KEYS};
use crate::analysis::{elasticity, montecarlo, solve, sweep, tornado};
use crate::cli::{ElasticitiesArgs, MonteCarloArgs, OutArgs, SolveArgs, SweepArgs, TornadoArgs};
use crate::model::Inputs;
use crate::plot::{self, ChartOptions, ImageFormat, TickFormat};
use crate::report::{self, output, Format, RunReport};
use crate::scenario::{parse_value, Param, Scenario, SweepAxis};
use crate::units;
use crate::units::format::{fmt_signed, fmt_thousands, Num};
use comfy_table::Table;
use std::path::{Path, PathBuf};

fn out_dir(o: &OutArgs) -> Result<Option<PathBuf>, AppError> {
    o.out
        .as_deref()
        .map(|d| output::prepare_dir(d).map_err(AppError::input))
        .transpose()
}

fn metric_of(s: &Scenario, m: &crate::cli::MetricArgs) -> Result<Metric, AppError> {
    Metric::parse(
        m.metric.as_deref(),
        m.fleet.as_deref(),
        m.candidate.as_deref(),
        &s.inputs,
    )
    .map_err(AppError::input)
}

/// A right-aligned table of the analysis commands: plain text, or GitHub markdown for
/// `--format markdown`.
fn table(md: bool, header: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_preset(if md {
        comfy_table::presets::ASCII_MARKDOWN
    } else {
        "     ──            "
    });
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if i > 0 {
            col.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    format!("{t}\n")
}

fn chart_both(
    dir: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl Fn(&Path, ImageFormat, &ChartOptions) -> Result<(), plot::PlotError>,
) -> Result<(), AppError> {
    let o = ChartOptions {
        width: size.0,
        height: size.1,
    };
    for fmt in [ImageFormat::Png, ImageFormat::Svg] {
        let path = dir.join(format!("{name}.{}", fmt.extension()));
        draw(&path, fmt, &o).map_err(|e| AppError::runtime(e.to_string()))?;
    }
    Ok(())
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
    format!("{} ({})", p.path(&s.inputs), p.spec().unit.name)
}

// ----------------------------------------------------------------------------------- sweep

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
        });
    }
    Ok(axes)
}

/// Long-format CSV: axis columns, then one row per fleet and per comparison with the metrics.
pub fn sweep_csv(axes: &[SweepAxis], points: &[sweep::SweepPoint]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = axes
        .iter()
        .map(|a| format!("{} [{}]", a.path, a.param.spec().unit.name))
        .collect();
    header.extend(["row", "id", "baseline"].map(String::from));
    header.extend(FLEET_KEYS.iter().map(|k| k.to_string()));
    header.extend(["rho", "cost_reduction"].map(String::from));
    w.write_record(&header).expect("in-memory CSV");
    for p in points {
        let lead: Vec<String> = axes
            .iter()
            .zip(&p.values)
            .map(|(a, &v)| Num(count_rounded(a.param, v) / a.param.spec().unit.si).to_string())
            .collect();
        for f in &p.report.fleets {
            let obj = serde_json::to_value(f).expect("row");
            let mut rec = lead.clone();
            rec.extend([String::from("fleet"), f.id.clone(), String::new()]);
            rec.extend(FLEET_KEYS.iter().map(|k| {
                obj.get(*k)
                    .and_then(|v| v.as_f64())
                    .map(|v| Num(v).to_string())
                    .unwrap_or_default()
            }));
            rec.extend([String::new(), String::new()]);
            w.write_record(&rec).expect("in-memory CSV");
        }
        for c in &p.report.comparisons {
            let mut rec = lead.clone();
            rec.extend([
                String::from("comparison"),
                c.candidate.clone(),
                c.baseline.clone(),
            ]);
            rec.extend(FLEET_KEYS.iter().map(|_| String::new()));
            rec.extend([Num(c.rho).to_string(), Num(c.cost_reduction).to_string()]);
            w.write_record(&rec).expect("in-memory CSV");
        }
    }
    report::csv::finish(w)
}

#[derive(serde::Serialize)]
struct SweepJson<'a> {
    params: Vec<&'a str>,
    units: Vec<&'static str>,
    points: Vec<SweepPointJson<'a>>,
}

#[derive(serde::Serialize)]
struct SweepPointJson<'a> {
    values: Vec<f64>,
    #[serde(flatten)]
    report: &'a RunReport,
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
    let metric = if m.metric.is_none() && m.candidate.is_none() && m.fleet.is_none() {
        Metric::natural_for(axes[0].param, &s.inputs)
    } else {
        metric_of(&s, m)?
    };
    let total: usize = axes.iter().map(|x| x.steps).product();
    // The same limit as a [[sweep]] in the file: each point keeps its full report.
    let max = crate::scenario::parse::MAX_SWEEP_POINTS;
    if total as f64 > max {
        return Err(AppError::input(format!(
            "{}: a sweep of {} points keeps a full report per point; at most {} (lower --steps or the [[sweep]] steps)",
            s.file,
            fmt_thousands(total as f64, 0),
            fmt_thousands(max, 0)
        )));
    }
    let dir = out_dir(&a.out)?;
    let bar = progress_bar(total as u64, 20_000, "grid points", a.out.quiet);
    let points = sweep::run_with_progress(&s.name, &s.inputs, &axes, &|| bar.inc(1));
    bar.finish_and_clear();
    let points = points.map_err(|e| AppError::runtime(format!("{}: sweep {e}", s.file)))?;
    let values: Vec<f64> = points
        .iter()
        .map(|p| metric.read(&p.report).unwrap_or(f64::NAN))
        .collect();
    // Axis values in their keys' units (as the CSV and the scenario write them).
    let sweep_json = || {
        report::to_json(&SweepJson {
            params: axes.iter().map(|x| x.path.as_str()).collect(),
            units: axes.iter().map(|x| x.param.spec().unit.name).collect(),
            points: points
                .iter()
                .map(|p| SweepPointJson {
                    values: axes
                        .iter()
                        .zip(&p.values)
                        .map(|(x, &v)| count_rounded(x.param, v) / x.param.spec().unit.si)
                        .collect(),
                    report: &p.report,
                })
                .collect(),
        })
    };
    let text = match a.out.format {
        Format::Json => sweep_json(),
        Format::Csv => sweep_csv(&axes, &points),
        Format::Table | Format::Markdown => sweep_table(
            &s,
            &axes,
            &points,
            &metric,
            a.out.format == Format::Markdown,
        ),
    };
    if let Some(dir) = dir {
        write(&dir, "sweep.csv", sweep_csv(&axes, &points).as_bytes())?;
        write(&dir, "results.json", sweep_json().as_bytes())?;
        write_provenance(&dir, &s, None)?;
        draw_sweep(&dir, &s, &axes, &points, &metric, &values, a.out.size)?;
        eprintln!(
            "wrote sweep.csv, results.json, provenance and the chart to {}",
            dir.display()
        );
    }
    print(&text)
}

fn sweep_table(
    s: &Scenario,
    axes: &[SweepAxis],
    points: &[sweep::SweepPoint],
    metric: &Metric,
    md: bool,
) -> String {
    let x = &s.inputs;
    if axes.len() == 1 {
        let a = &axes[0];
        let mut header = vec![axis_label(s, a.param)];
        header.extend(x.fleets.iter().map(|f| format!("USD/unit {}", f.id)));
        header.extend(
            points[0]
                .report
                .comparisons
                .iter()
                .map(|c| format!("rho {}", c.candidate)),
        );
        // The --metric gets a column of its own unless one above already shows it.
        let shown = matches!(
            metric,
            Metric::Fleet {
                key: "cost_per_unit",
                ..
            } | Metric::Comparison { key: "rho", .. }
        );
        if !shown {
            header.push(metric.label(x));
        }
        let rows = points
            .iter()
            .map(|p| {
                let mut r = vec![units::display_approx(
                    count_rounded(a.param, p.values[0]),
                    &a.param.spec().unit,
                    4,
                )];
                r.extend(
                    p.report
                        .fleets
                        .iter()
                        .map(|f| fmt_thousands(f.cost_per_unit, 4)),
                );
                r.extend(p.report.comparisons.iter().map(|c| fmt_thousands(c.rho, 3)));
                if !shown {
                    let v = metric.read(&p.report).unwrap_or(f64::NAN);
                    r.push(fmt_thousands(v, metric.decimals(4)));
                }
                r
            })
            .collect();
        return format!(
            "{}\nsweep of {}\n{}",
            s.name,
            a.path,
            table(md, header, rows)
        );
    }
    // 2-D: the metric on the grid, at most ~9 x 9 of its points (the CSV has them all).
    let (ax, ay) = (&axes[0], &axes[1]);
    let (nx, ny) = (ax.steps, ay.steps);
    let pick = |n: usize| -> Vec<usize> {
        let k = n.min(9);
        let mut v: Vec<usize> = (0..k).map(|i| i * (n - 1) / (k - 1).max(1)).collect();
        v.dedup();
        v
    };
    let (ix, iy) = (pick(nx), pick(ny));
    let mut header = vec![format!("{} \\ {}", ax.path, ay.path)];
    header.extend(
        iy.iter()
            .map(|&j| units::display_approx(points[j].values[1], &ay.param.spec().unit, 4)),
    );
    let rows = ix
        .iter()
        .map(|&i| {
            let mut r = vec![units::display_approx(
                points[i * ny].values[0],
                &ax.param.spec().unit,
                4,
            )];
            r.extend(iy.iter().map(|&j| {
                fmt_thousands(
                    metric.read(&points[i * ny + j].report).unwrap_or(f64::NAN),
                    metric.decimals(3),
                )
            }));
            r
        })
        .collect();
    let mut out = format!(
        "{}\n{} on a {nx} x {ny} grid (every point in --format csv)\n{}",
        s.name,
        metric.label(x),
        table(md, header, rows)
    );
    if let Metric::Comparison { .. } = metric {
        for &level in &x.compare.claims {
            let held = points
                .iter()
                .filter(|p| metric.read(&p.report).is_some_and(|v| v >= level))
                .count();
            out.push_str(&format!(
                "rho >= {level:.2} on {held} of {} grid points\n",
                points.len()
            ));
        }
    }
    out
}

fn draw_sweep(
    dir: &Path,
    s: &Scenario,
    axes: &[SweepAxis],
    points: &[sweep::SweepPoint],
    metric: &Metric,
    values: &[f64],
    size: (u32, u32),
) -> Result<(), AppError> {
    let x = &s.inputs;
    let band = claim_band(&x.compare.claims);
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
        let chart = plot::SweepChart {
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
        return chart_both(dir, "sweep", size, |p, f, o| {
            plot::sweep_line(&chart, p, f, o)
        });
    }
    let (ax, ay) = (&axes[0], &axes[1]);
    let (nx, ny) = (ax.steps, ay.steps);
    // z[iy][ix]: rows follow the second axis (y), columns the first (x).
    let z: Vec<Vec<f64>> = (0..ny)
        .map(|j| (0..nx).map(|i| values[i * ny + j]).collect())
        .collect();
    let chart = plot::HeatmapChart {
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
    chart_both(dir, "sweep_heatmap", size, |p, f, o| {
        plot::heatmap(&chart, p, f, o)
    })
}

fn claim_band(claims: &[f64]) -> Option<(f64, f64)> {
    let lo = claims.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = claims.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo.is_finite().then_some((lo, hi))
}

// --------------------------------------------------------------------------------- tornado

pub fn tornado(a: &TornadoArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let metric = metric_of(&s, &a.metric)?;
    tornado::check(&s).map_err(AppError::input)?;
    let dir = out_dir(&a.out)?;
    let (base, bars) = tornado::tornado(&s, &metric).map_err(AppError::runtime)?;
    let label = metric.label(&s.inputs);
    let csv_text = {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "param",
            "low_p5",
            "high_p95",
            "metric",
            "metric_at_low",
            "metric_at_high",
            "swing",
            "metric_at_base",
        ])
        .expect("csv");
        for b in &bars {
            w.write_record([
                b.param.clone(),
                b.low_text.clone(),
                b.high_text.clone(),
                label.clone(),
                Num(b.metric_low).to_string(),
                Num(b.metric_high).to_string(),
                Num(b.swing).to_string(),
                Num(base).to_string(),
            ])
            .expect("csv");
        }
        report::csv::finish(w)
    };
    let json =
        || report::to_json(&serde_json::json!({ "metric": label, "base": base, "bars": bars }));
    let text = match a.out.format {
        Format::Json => json(),
        Format::Csv => csv_text.clone(),
        _ => {
            let rows = bars
                .iter()
                .map(|b| {
                    vec![
                        b.param.clone(),
                        b.low_text.clone(),
                        b.high_text.clone(),
                        fmt_thousands(b.metric_low, metric.decimals(4)),
                        fmt_thousands(b.metric_high, metric.decimals(4)),
                        fmt_thousands(b.swing, metric.decimals(4)),
                    ]
                })
                .collect();
            format!(
                "{}\n{label}: {} at base; each input at its p5 and p95, the others at base\n{}",
                s.name,
                fmt_thousands(base, metric.decimals(4)),
                table(
                    a.out.format == Format::Markdown,
                    [
                        "input",
                        "p5",
                        "p95",
                        "metric at p5",
                        "metric at p95",
                        "swing"
                    ]
                    .map(String::from)
                    .to_vec(),
                    rows
                )
            )
        }
    };
    if let Some(dir) = dir {
        write(&dir, "tornado.csv", csv_text.as_bytes())?;
        write(&dir, "results.json", json().as_bytes())?;
        write_provenance(&dir, &s, None)?;
        let comparison = matches!(metric, Metric::Comparison { .. });
        let chart = plot::TornadoChart {
            title: format!("{label}: each input from its p5 to its p95"),
            subtitle: format!("{} (the others at base)", s.name),
            metric_label: label.clone(),
            metric_format: if comparison {
                TickFormat::Times
            } else {
                TickFormat::Plain
            },
            base,
            bars: bars
                .iter()
                .map(|b| plot::TornadoBar {
                    param: b.param.clone(),
                    low_label: b.low_text.clone(),
                    high_label: b.high_text.clone(),
                    low_value: b.metric_low,
                    high_value: b.metric_high,
                })
                .collect(),
            claim_levels: if comparison {
                s.inputs.compare.claims.clone()
            } else {
                Vec::new()
            },
            low_high_names: ("p5".into(), "p95".into()),
        };
        chart_both(&dir, "tornado", a.out.size, |p, f, o| {
            plot::tornado(&chart, p, f, o)
        })?;
        eprintln!(
            "wrote tornado.csv, results.json, provenance and the chart to {}",
            dir.display()
        );
    }
    print(&text)
}

// ------------------------------------------------------------------------------ montecarlo

/// `--samples`: CSV streamed into an [`output::OutFile`], committed when complete.
struct FileSink(output::OutFile);

impl montecarlo::SampleSink for FileSink {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        use std::io::Write;
        writeln!(self.0, "{}", columns.join(","))
    }
    fn rows(&mut self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        self.0.write_all(text.as_bytes())
    }
}

#[derive(serde::Serialize)]
struct Stat {
    mean: f64,
    sd: f64,
    p5: f64,
    p50: f64,
    p95: f64,
}

fn stat(s: &crate::analysis::stats::Summary) -> Stat {
    Stat {
        mean: s.mean,
        sd: s.sd,
        p5: s.p5,
        p50: s.p50,
        p95: s.p95,
    }
}

fn mc_json(
    inputs: &Inputs,
    r: &montecarlo::McResult,
    setup: &montecarlo::Setup,
) -> serde_json::Value {
    let method = match r.method {
        crate::analysis::stats::QuantileMethod::Exact => serde_json::json!({"method": "exact"}),
        crate::analysis::stats::QuantileMethod::Histogram { max_rel_error } => {
            serde_json::json!({"method": "histogram", "max_rel_error": max_rel_error})
        }
    };
    serde_json::json!({
        "n": r.n,
        "seed": r.seed,
        "quantiles": method,
        "fleets": inputs.fleets.iter().zip(&r.fleets).map(|(f, s)| serde_json::json!({"id": f.id, "cost_per_unit": stat(s)})).collect::<Vec<_>>(),
        "comparisons": setup.comparisons.iter().zip(&r.comparisons).map(|(&(c, b), (s, ex))| serde_json::json!({
            "candidate": inputs.fleets[c].id,
            "baseline": inputs.fleets[b].id,
            "rho": stat(s),
            "claims": ex.iter().map(|e| serde_json::json!({"level": e.level, "probability": e.probability, "se": e.se})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn montecarlo(a: &MonteCarloArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let dir = out_dir(&a.out)?;
    let setup = montecarlo::Setup::new(&s).map_err(AppError::input)?;
    if let Some(path) = &a.samples {
        crate::files::refuse_same(path, "--samples", &[("scenario", &a.scenario.scenario)])
            .map_err(AppError::input)?;
    }
    let mut sink = match &a.samples {
        Some(path) => Some(FileSink(output::OutFile::create(path).map_err(|e| {
            AppError::input(format!(
                "--samples {}: cannot write it: {e}",
                path.display()
            ))
        })?)),
        None => None,
    };
    let bar = progress_bar(a.n, 5_000_000, "draws", a.out.quiet);
    let result = montecarlo::run(
        &setup,
        a.n,
        a.seed,
        sink.as_mut().map(|s| s as &mut dyn montecarlo::SampleSink),
        &|done| bar.set_position(done),
    );
    bar.finish_and_clear();
    let r = match result {
        Ok(r) => r,
        // Dropping the sink removes its temporary file; an old samples file stays whole.
        Err(e) => return Err(AppError::runtime(format!("{}: {e}", s.file))),
    };
    if let (Some(FileSink(f)), Some(path)) = (sink, &a.samples) {
        f.commit()
            .map_err(|e| AppError::runtime(format!("--samples {}: {e}", path.display())))?;
    }
    let x = &setup.base;
    let json = mc_json(x, &r, &setup);
    let text = match a.out.format {
        Format::Json => report::to_json(&json),
        Format::Csv => mc_csv(x, &r, &setup),
        _ => mc_table(&s, &r, &setup, a.out.format == Format::Markdown),
    };
    if let Some(dir) = dir {
        write(&dir, "montecarlo.csv", mc_csv(x, &r, &setup).as_bytes())?;
        write(&dir, "results.json", report::to_json(&json).as_bytes())?;
        write_provenance(&dir, &s, Some(a.seed))?;
        for (j, &(c, b)) in setup.comparisons.iter().enumerate() {
            let (summary, ex) = &r.comparisons[j];
            let bins = &r.rho_bins[j];
            let w = (bins.hi - bins.lo) / bins.counts.len() as f64;
            let chart = plot::HistogramChart {
                title: format!(
                    "Monte Carlo: rho of {} vs {} ({} draws, seed {})",
                    x.fleets[c].id,
                    x.fleets[b].id,
                    fmt_thousands(r.n as f64, 0),
                    r.seed
                ),
                subtitle: s.name.clone(),
                x_label: format!(
                    "rho: perf per dollar of {} relative to {}",
                    x.fleets[c].id, x.fleets[b].id
                ),
                x_format: TickFormat::Times,
                metric: "rho".into(),
                bins: bins
                    .counts
                    .iter()
                    .enumerate()
                    .map(|(i, &count)| plot::HistBin {
                        lo: bins.lo + i as f64 * w,
                        hi: bins.lo + (i + 1) as f64 * w,
                        count,
                    })
                    .collect(),
                levels: ex.iter().map(|e| (e.level, e.probability)).collect(),
                quantiles: vec![
                    ("p5".into(), summary.p5),
                    ("p50".into(), summary.p50),
                    ("p95".into(), summary.p95),
                ],
            };
            chart_both(
                &dir,
                &format!("montecarlo_rho_{}", x.fleets[c].id),
                a.out.size,
                |p, f, o| plot::histogram(&chart, p, f, o),
            )?;
        }
        eprintln!(
            "wrote montecarlo.csv, results.json, provenance and the charts to {}",
            dir.display()
        );
    }
    print(&text)
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

fn mc_csv(x: &Inputs, r: &montecarlo::McResult, setup: &montecarlo::Setup) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "id",
        "baseline",
        "metric",
        "mean",
        "sd",
        "p5",
        "p50",
        "p95",
        "level",
        "probability",
        "se",
    ])
    .expect("csv");
    for (f, s) in x.fleets.iter().zip(&r.fleets) {
        w.write_record([
            String::from("fleet"),
            f.id.clone(),
            String::new(),
            "cost_per_unit".into(),
            Num(s.mean).to_string(),
            Num(s.sd).to_string(),
            Num(s.p5).to_string(),
            Num(s.p50).to_string(),
            Num(s.p95).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .expect("csv");
    }
    for (&(c, b), (s, ex)) in setup.comparisons.iter().zip(&r.comparisons) {
        let head = [
            String::from("comparison"),
            x.fleets[c].id.clone(),
            x.fleets[b].id.clone(),
            "rho".into(),
            Num(s.mean).to_string(),
            Num(s.sd).to_string(),
            Num(s.p5).to_string(),
            Num(s.p50).to_string(),
            Num(s.p95).to_string(),
        ];
        if ex.is_empty() {
            let mut rec = head.to_vec();
            rec.extend([String::new(), String::new(), String::new()]);
            w.write_record(rec).expect("csv");
        }
        for e in ex {
            let mut rec = head.to_vec();
            rec.extend([
                Num(e.level).to_string(),
                Num(e.probability).to_string(),
                Num(e.se).to_string(),
            ]);
            w.write_record(rec).expect("csv");
        }
    }
    report::csv::finish(w)
}

fn mc_table(s: &Scenario, r: &montecarlo::McResult, setup: &montecarlo::Setup, md: bool) -> String {
    let x = &setup.base;
    let unit = x.workload.kind.work_unit();
    let method = match r.method {
        crate::analysis::stats::QuantileMethod::Exact => "exact order statistics".to_string(),
        crate::analysis::stats::QuantileMethod::Histogram { max_rel_error } => {
            format!("a log histogram, within {max_rel_error:.1e} relative")
        }
    };
    let mut out = format!("{}\nMonte Carlo: {} draws, seed {}; {} uncertain inputs; quantiles by {method}\n\nUSD per {unit}\n",
        s.name, fmt_thousands(r.n as f64, 0), r.seed, setup.params.len());
    let rows = x
        .fleets
        .iter()
        .zip(&r.fleets)
        .map(|(f, m)| {
            vec![
                f.id.clone(),
                fmt_thousands(m.mean, 4),
                fmt_thousands(m.sd, 4),
                fmt_thousands(m.p5, 4),
                fmt_thousands(m.p50, 4),
                fmt_thousands(m.p95, 4),
            ]
        })
        .collect();
    out.push_str(&table(
        md,
        ["fleet", "mean", "sd", "p5", "p50", "p95"]
            .map(String::from)
            .to_vec(),
        rows,
    ));
    if !setup.comparisons.is_empty() {
        out.push_str("\nrho (perf per dollar vs baseline)\n");
        let mut header: Vec<String> = ["candidate", "mean", "sd", "p5", "p50", "p95"]
            .map(String::from)
            .to_vec();
        header.extend(setup.levels.iter().map(|l| format!("P(rho >= {l:.2})")));
        let rows =
            setup
                .comparisons
                .iter()
                .zip(&r.comparisons)
                .map(|(&(c, _), (m, ex))| {
                    let mut row = vec![
                        x.fleets[c].id.clone(),
                        fmt_thousands(m.mean, 3),
                        fmt_thousands(m.sd, 3),
                        fmt_thousands(m.p5, 3),
                        fmt_thousands(m.p50, 3),
                        fmt_thousands(m.p95, 3),
                    ];
                    row.extend(ex.iter().map(|e| {
                        format!("{:.2} % (se {:.2})", e.probability * 100.0, e.se * 100.0)
                    }));
                    row
                })
                .collect();
        out.push_str(&table(md, header, rows));
    }
    out
}

// ----------------------------------------------------------------------------------- solve

pub fn solve(a: &SolveArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let x = &s.inputs;
    let param = Param::parse(&a.param, x).map_err(|e| AppError::input(format!("--param: {e}")))?;
    let Some((key, target_text)) = a.target.split_once('=') else {
        return Err(AppError::input(format!(
            "--target {}: write METRIC=VALUE, e.g. rho=1.30",
            a.target
        )));
    };
    // With neither --candidate nor --fleet, follow the parameter's own fleet when it is a
    // candidate (as sweep does): its rho is the one the parameter moves.
    let natural = match Metric::natural_for(param, x) {
        Metric::Comparison { candidate, .. } if a.candidate.is_none() && a.fleet.is_none() => {
            Some(x.fleets[candidate].id.as_str())
        }
        _ => None,
    };
    let metric = Metric::parse(
        Some(key.trim()),
        a.fleet.as_deref(),
        a.candidate.as_deref().or(natural),
        x,
    )
    .map_err(AppError::input)?;
    let target: f64 = target_text
        .trim()
        .parse()
        .or_else(|_| units::parse_quantity(target_text, &units::ONE))
        .map_err(|_| {
            AppError::input(format!(
                "--target {}: '{}' is not a number",
                a.target,
                target_text.trim()
            ))
        })?;
    if !target.is_finite() {
        return Err(AppError::input(format!(
            "--target {}: the target must be a finite number, e.g. rho=1.30",
            a.target
        )));
    }
    let spec = param.spec();
    let base = param.get(x);
    let (from, to) = match (&a.from, &a.to, base) {
        (Some(f), Some(t), _) => (
            parse_value(param, f).map_err(|e| AppError::input(format!("--from: {e}")))?,
            parse_value(param, t).map_err(|e| AppError::input(format!("--to: {e}")))?,
        ),
        (f, t, Some(b)) if b > 0.0 => {
            let lo = match f {
                Some(f) => {
                    parse_value(param, f).map_err(|e| AppError::input(format!("--from: {e}")))?
                }
                None => (b / 10.0).max(if spec.range.min_open {
                    spec.range.min + 1e-9 * b
                } else {
                    spec.range.min
                }),
            };
            let hi = match t {
                Some(t) => {
                    parse_value(param, t).map_err(|e| AppError::input(format!("--to: {e}")))?
                }
                None => (b * 10.0).min(spec.range.max),
            };
            (lo, hi)
        }
        _ => {
            return Err(AppError::input(format!(
                "{} has no base value to search around; give --from and --to",
                a.param
            )))
        }
    };
    let result = solve::solve(x, param, &metric, target, from, to).map_err(AppError::runtime)?;
    let show = |v: f64| units::display_approx(v, &spec.unit, 7);
    let label = metric.label(x);
    let (value, reason) = match result {
        solve::Solution::Root(v) => (Some(v), format!("{} = {} gives {label} = {target}", a.param, show(v))),
        solve::Solution::NoCrossing { at_from, at_to } => {
            // Widening only helps where the range of the parameter leaves room.
            let r = spec.range;
            let at_min = from <= r.min * (1.0 + 1e-12) + f64::MIN_POSITIVE;
            let at_max = to >= r.max * (1.0 - 1e-12);
            let hint = if at_min && at_max {
                "the whole valid range of the parameter is searched, so no value reaches the target".to_string()
            } else {
                "an even number of crossings cannot be ruled out; widen --from/--to".to_string()
            };
            (None, format!(
                "no crossing in [{}, {}]: {label} is {} at {} and {} at {}, both on the same side of {} ({hint})",
                show(from), show(to), fmt_thousands(at_from, 4), show(from), fmt_thousands(at_to, 4), show(to),
                units::format::Num(target)))
        }
        solve::Solution::Jump { at, left, right } => (None, format!(
            "{label} jumps across {} at {} = {} ({} just below, {} at it): a jump from count rounding, not a root",
            units::format::Num(target), a.param, show(at), fmt_thousands(left, 4), fmt_thousands(right, 4))),
    };
    let text = match a.format {
        Format::Json => report::to_json(&serde_json::json!({
            "param": a.param, "metric": key.trim(), "metric_label": label, "target": target,
            "value": value.map(|v| v / spec.unit.si), "unit": spec.unit.name,
            "reason": if value.is_none() { Some(reason.clone()) } else { None },
            "base": base.map(|b| b / spec.unit.si),
        })),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let num = |v: Option<f64>| {
                v.map(|v| Num(v / spec.unit.si).to_string())
                    .unwrap_or_default()
            };
            w.write_record([
                "param", "unit", "metric", "target", "value", "base", "reason",
            ])
            .expect("in-memory CSV");
            w.write_record([
                a.param.clone(),
                spec.unit.name.to_string(),
                key.trim().to_string(),
                Num(target).to_string(),
                num(value),
                num(base),
                if value.is_none() {
                    reason.clone()
                } else {
                    String::new()
                },
            ])
            .expect("in-memory CSV");
            report::csv::finish(w)
        }
        _ => {
            let base_note = base
                .map(|b| format!(" (base case: {})", show(b)))
                .unwrap_or_default();
            format!("{}\n{reason}{base_note}\n", s.name)
        }
    };
    print(&text)
}

// ---------------------------------------------------------------------------- elasticities

pub fn elasticities(a: &ElasticitiesArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let metric = metric_of(&s, &a.metric)?;
    let (list, skipped) =
        elasticity::elasticities(&s.inputs, &metric).map_err(AppError::runtime)?;
    let label = metric.label(&s.inputs);
    let text = match a.format {
        Format::Json => report::to_json(
            &serde_json::json!({"metric": label, "elasticities": list, "skipped": skipped}),
        ),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["param", "base", "elasticity"])
                .expect("csv");
            for e in &list {
                w.write_record([e.param.clone(), e.value.clone(), e.elasticity.to_string()])
                    .expect("csv");
            }
            report::csv::finish(w)
        }
        _ => {
            let rows = list
                .iter()
                .filter(|e| e.elasticity != 0.0)
                .map(|e| {
                    vec![
                        e.param.clone(),
                        e.value.clone(),
                        fmt_signed(e.elasticity, 4),
                    ]
                })
                .collect();
            let zero = list.iter().filter(|e| e.elasticity == 0.0).count();
            format!("{}\nd ln({label}) / d ln(input) at the base case, largest first\n{}{zero} inputs have no effect; {} skipped (counts, zeros)\n",
                s.name, table(a.format == Format::Markdown, ["input", "base", "elasticity"].map(String::from).to_vec(), rows), skipped.len())
        }
    };
    print(&text)
}
