//! `fleetcost tornado`: one-at-a-time swings of a metric between each input's low and high.

use super::{analysis_json, chart, metric_of, out_dir};
use crate::analysis::metric::Metric;
use crate::analysis::tornado;
use crate::app::run::{write, write_provenance};
use crate::app::{load, print, AppError};
use crate::cli::TornadoArgs;
use crate::plot::{self, TickFormat};
use crate::report::{self, Format};

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
    let body = report::analysis::TornadoReport {
        metric: label.clone(),
        base,
        bars,
    };
    // Inputs that do not move the metric stay in the CSV and JSON (swing 0) but not in the
    // table or chart, which name them in a note; if none moves it, all are shown.
    let shown = body.shown();
    let no_effect = body.no_effect();
    let csv_text = body.csv();
    // JSON on stdout is results.json (with the charts when --out draws them).
    let mut json_text = analysis_json("tornado", &body, &[]);
    let text = match a.out.format {
        Format::Json => String::new(),
        Format::Csv => csv_text.clone(),
        _ => body.table(
            &s.name,
            metric.decimals(4),
            a.out.format == Format::Markdown,
        ),
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
