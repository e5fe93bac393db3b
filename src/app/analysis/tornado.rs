//! `fleetcost tornado`: one-at-a-time swings of a metric between each input's low and high.

use super::{analysis_json, chart, metric_of, out_dir, table};
use crate::analysis::metric::Metric;
use crate::analysis::tornado;
use crate::app::run::{write, write_provenance};
use crate::app::{load, print, AppError};
use crate::cli::TornadoArgs;
use crate::plot::{self, TickFormat};
use crate::report::{self, Format};
use crate::units::format::{fmt_thousands, Num};

/// What `tornado --out` writes.
fn tornado_owns(name: &str) -> bool {
    super::common_output(name) || name == "tornado.csv" || super::is_chart(name, "tornado")
}

/// The charts among them (what `plot DIR` redraws).
pub(super) fn owns_chart(name: &str) -> bool {
    tornado_owns(name) && (name.ends_with(".png") || name.ends_with(".svg"))
}

pub fn tornado(a: &TornadoArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let metric = metric_of(&s, &a.metric)?;
    tornado::check(&s).map_err(AppError::input)?;
    let dir = out_dir(&a.out, tornado_owns, &a.scenario.scenario)?;
    let (base, bars) = tornado::tornado(&s, &metric).map_err(AppError::runtime)?;
    let label = metric.label(&s.inputs);
    // Inputs that do not move the metric stay in the CSV and JSON (swing 0) but not in the
    // table or chart, which name them in a note; if none moves it, all are shown.
    let moves = |b: &&tornado::Bar| b.swing > 1e-12 * base.abs().max(f64::MIN_POSITIVE);
    let shown: Vec<&tornado::Bar> = if bars.iter().any(|b| moves(&b)) {
        bars.iter().filter(moves).collect()
    } else {
        bars.iter().collect()
    };
    let no_effect: Vec<String> = bars
        .iter()
        .filter(|b| !shown.iter().any(|s| s.param == b.param))
        .map(|b| b.param.clone())
        .collect();
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
    let body = report::analysis::TornadoReport {
        metric: label.clone(),
        base,
        bars: bars.clone(),
    };
    // JSON on stdout is results.json (with the charts when --out draws them).
    let mut json_text = analysis_json("tornado", &body, &[]);
    let text = match a.out.format {
        Format::Json => String::new(),
        Format::Csv => csv_text.clone(),
        _ => {
            let rows = shown
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
            ) + &if no_effect.is_empty() {
                String::new()
            } else {
                format!("no effect on {label}: {}\n", no_effect.join(", "))
            }
        }
    };
    if let Some(dir) = dir {
        write(&dir, "tornado.csv", csv_text.as_bytes())?;
        write_provenance(&dir, &s, None)?;
        let comparison = matches!(metric, Metric::Comparison { .. });
        let chart_data = plot::TornadoChart {
            title: format!("{label}: each input from its p5 to its p95"),
            subtitle: format!("{} (the others at base)", s.name),
            metric_label: label.clone(),
            metric_format: if comparison {
                TickFormat::Times
            } else {
                TickFormat::Plain
            },
            base,
            no_effect: no_effect.clone(),
            bars: shown
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
        let mut drawn = Vec::new();
        chart(
            &dir,
            "tornado",
            a.out.size,
            plot::ChartSpec::Tornado(chart_data),
            &mut drawn,
        )?;
        json_text = analysis_json("tornado", &body, &drawn);
        write(&dir, "results.json", json_text.as_bytes())?;
        super::finish(dir, "tornado.csv, results.json, provenance and the chart")?;
    }
    if a.out.format == Format::Json {
        return print(&json_text);
    }
    print(&text)
}
