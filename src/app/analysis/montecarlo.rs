//! `fleetcost montecarlo`: draws of the uncertain inputs, summary statistics and the histogram.

use super::{analysis_json, chart, out_dir, progress_bar};
use crate::analysis::metric::Metric;
use crate::analysis::montecarlo;
use crate::app::run::{write, write_provenance};
use crate::app::{load, print, AppError};
use crate::cli::MonteCarloArgs;
use crate::model::Inputs;
use crate::plot::{self, TickFormat};
use crate::report::analysis::{MonteCarloReport, Stat};
use crate::report::{output, Format};
use crate::scenario::Scenario;
use crate::units::format::fmt_thousands;

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

/// The followed metric (`--program`, or `--metric` of a fleet or comparison): the kind of
/// row it is ("program", "fleet", "comparison", "contract"), its id, its key and its label.
struct Followed<'a> {
    kind: &'static str,
    id: &'a str,
    /// What the metric is measured against (a comparison's or a program's baseline).
    baseline: &'a str,
    key: &'static str,
    label: String,
}

fn followed(setup: &montecarlo::Setup) -> Option<Followed<'_>> {
    let x = &setup.base;
    let (m, _) = setup.program.as_ref()?;
    let (kind, id, baseline, key) = match *m {
        Metric::Program { program, key } => (
            "program",
            x.programs[program].id.as_str(),
            x.programs[x.baseline_program].id.as_str(),
            key,
        ),
        Metric::Fleet { fleet, key } => ("fleet", x.fleets[fleet].id.as_str(), "", key),
        Metric::Comparison { candidate, key } => (
            "comparison",
            x.fleets[candidate].id.as_str(),
            x.fleets[x.compare.baseline].id.as_str(),
            key,
        ),
        Metric::Contract { key } => ("contract", "contract", "", key),
    };
    Some(Followed {
        kind,
        id,
        baseline,
        key,
        label: m.label(x),
    })
}

/// The chart (file stem) of the followed metric.
fn followed_stem(f: &Followed) -> String {
    match f.kind {
        "program" => format!("montecarlo_program_{}", f.id),
        _ => format!("montecarlo_metric_{}_{}", f.key, f.id),
    }
}

/// Metrics counted in money (shown in USD in the table and on the chart's axis).
fn is_money(key: &str) -> bool {
    matches!(
        key,
        "nominal_cost"
            | "pv_cost"
            | "payments_pv"
            | "provider_npv"
            | "run_cost"
            | "cost_per_chip_hour"
            | "implied_per_chip_hour"
            | "annual_cost"
            | "capex"
            | "horizon_cost_nominal"
            | "horizon_cost_pv"
    ) || key.starts_with("cost_per")
        || key.starts_with("levelized")
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
    s: &Scenario,
    inputs: &Inputs,
    r: &montecarlo::McResult,
    setup: &montecarlo::Setup,
) -> MonteCarloReport {
    use crate::report::analysis::{Above, ComparisonStat, FleetStat, Followed as Row, Quantiles};
    let above = |ex: &[crate::analysis::stats::Exceedance]| -> Vec<Above> {
        ex.iter()
            .map(|e| Above {
                level: e.level,
                probability: e.probability,
                se: e.se,
            })
            .collect()
    };
    // A program metric under "program" (as before); a fleet's, comparison's or contract's
    // metric under "metric", with its kind.
    let (mut program, mut metric) = (None, None);
    if let (Some(f), Some((s, ex))) = (followed(setup), &r.program) {
        let row = Row {
            kind: (f.kind != "program").then_some(f.kind),
            id: f.id.to_string(),
            baseline: f.baseline.to_string(),
            metric: f.key,
            label: f.label.clone(),
            stat: stat(s),
            above: above(ex),
        };
        if f.kind == "program" {
            program = Some(row);
        } else {
            metric = Some(row);
        }
    }
    MonteCarloReport {
        scenario: s.name.clone(),
        unit: inputs.workload.kind.work_unit().to_string(),
        uncertain_inputs: setup.params.len(),
        n: r.n,
        seed: r.seed,
        quantiles: match r.method {
            crate::analysis::stats::QuantileMethod::Exact => Quantiles::Exact,
            crate::analysis::stats::QuantileMethod::Histogram { max_rel_error } => {
                Quantiles::Histogram { max_rel_error }
            }
        },
        program,
        metric,
        fleets: inputs
            .fleets
            .iter()
            .zip(&r.fleets)
            .map(|(f, s)| FleetStat {
                id: f.id.clone(),
                cost_per_unit: stat(s),
            })
            .collect(),
        comparisons: setup
            .comparisons
            .iter()
            .zip(&r.comparisons)
            .map(|(&(c, b), (s, ex))| ComparisonStat {
                candidate: inputs.fleets[c].id.clone(),
                baseline: inputs.fleets[b].id.clone(),
                rho: stat(s),
                claims: above(ex),
            })
            .collect(),
    }
}

/// The charts among `montecarlo_owns` (what `plot DIR` redraws).
pub(super) fn owns_chart(name: &str) -> bool {
    montecarlo_owns(name) && (name.ends_with(".png") || name.ends_with(".svg"))
}

/// What `montecarlo --out` writes: one histogram per candidate, so a run with fewer
/// candidates removes the others'.
fn montecarlo_owns(name: &str) -> bool {
    super::common_output(name)
        || name == "montecarlo.csv"
        || name
            .strip_prefix("montecarlo_program_")
            .or_else(|| name.strip_prefix("montecarlo_metric_"))
            .is_some_and(|rest| {
                rest.strip_suffix(".png")
                    .or_else(|| rest.strip_suffix(".svg"))
                    .is_some_and(|id| !id.is_empty())
            })
        || name.strip_prefix("montecarlo_rho_").is_some_and(|rest| {
            rest.strip_suffix(".png")
                .or_else(|| rest.strip_suffix(".svg"))
                .is_some_and(|id| !id.is_empty())
        })
}

pub fn montecarlo(a: &MonteCarloArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let dir = out_dir(&a.out, montecarlo_owns, &a.scenario.scenario)?;
    let mut setup = montecarlo::Setup::new(&s).map_err(AppError::input)?;
    let follows =
        a.program.is_some() || a.metric.is_some() || a.fleet.is_some() || a.candidate.is_some();
    if !a.above.is_empty() && !follows {
        return Err(AppError::input(
            "--above needs a metric to follow: add --metric KEY (with --fleet ID or \
             --candidate ID) or --program ID"
                .to_string(),
        ));
    }
    if follows {
        let metric = Metric::parse(
            a.metric.as_deref(),
            a.fleet.as_deref(),
            a.candidate.as_deref(),
            a.program.as_deref(),
            &s.inputs,
        )
        .map_err(AppError::input)?;
        let levels = if !a.above.is_empty() {
            if let Some(bad) = a.above.iter().find(|v| !v.is_finite()) {
                return Err(AppError::input(format!(
                    "--above {bad}: levels must be finite numbers, e.g. --above 0"
                )));
            }
            a.above.clone()
        } else {
            match metric {
                Metric::Program {
                    key: "provider_npv" | "implied_margin",
                    ..
                } => vec![0.0],
                Metric::Program {
                    key: "provider_irr",
                    ..
                } => {
                    vec![s.inputs.finance.discount_rate]
                }
                Metric::Program { key: "rho", .. } | Metric::Comparison { key: "rho", .. } => {
                    s.inputs.compare.claims.clone()
                }
                _ => Vec::new(),
            }
        };
        setup = setup.with_program(metric, levels);
    }
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
    let json = mc_json(&s, x, &r, &setup);
    let csv_text = (a.out.format == Format::Csv || dir.is_some()).then(|| json.csv());
    // JSON on stdout is results.json (with the charts when --out draws them).
    let mut json_text = analysis_json("montecarlo", &json, &[]);
    let text = match a.out.format {
        Format::Json => String::new(),
        Format::Csv => String::new(),
        _ => json.table(a.out.format == Format::Markdown),
    };
    if let Some(dir) = dir {
        write(
            &dir,
            "montecarlo.csv",
            csv_text.as_deref().unwrap_or_default().as_bytes(),
        )?;
        write_provenance(&dir, &s, Some(a.seed))?;
        let mut drawn = Vec::new();
        if let (Some(f), Some((summary, ex)), Some(bins)) =
            (followed(&setup), &r.program, &r.program_bins)
        {
            let w = (bins.hi - bins.lo) / bins.counts.len() as f64;
            let data = plot::HistogramChart {
                title: format!(
                    "Monte Carlo: {} ({} draws, seed {})",
                    f.label,
                    fmt_thousands(r.n as f64, 0),
                    r.seed
                ),
                subtitle: s.name.clone(),
                x_label: f.label.clone(),
                x_format: match f.key {
                    "provider_irr" | "implied_margin" | "cost_reduction" => TickFormat::Percent,
                    "rho" => TickFormat::Times,
                    k if is_money(k) => TickFormat::Usd,
                    _ => TickFormat::Plain,
                },
                metric: f.key.into(),
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
            chart(
                &dir,
                &followed_stem(&f),
                a.out.size,
                plot::ChartSpec::Histogram(data),
                &mut drawn,
            )?;
        }
        for (j, &(c, b)) in setup.comparisons.iter().enumerate() {
            let (summary, ex) = &r.comparisons[j];
            let bins = &r.rho_bins[j];
            let w = (bins.hi - bins.lo) / bins.counts.len() as f64;
            let data = plot::HistogramChart {
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
            chart(
                &dir,
                &format!("montecarlo_rho_{}", x.fleets[c].id),
                a.out.size,
                plot::ChartSpec::Histogram(data),
                &mut drawn,
            )?;
        }
        json_text = analysis_json("montecarlo", &json, &drawn);
        write(&dir, "results.json", json_text.as_bytes())?;
        super::finish(
            dir,
            "montecarlo.csv, results.json, provenance and the charts",
        )?;
    }
    if a.out.format == Format::Json {
        return print(&json_text);
    }
    if a.out.format == Format::Csv {
        return print(csv_text.as_deref().unwrap_or_default());
    }
    print(&text)
}
