//! The serving charts of an inference run: throughput per chip and cost per 1M output tokens
//! against interactivity (tokens/s per user), one curve per fleet, from a sweep of the tpot
//! target with the batch "max" (each point: the largest batch that fits and meets 1 / x).

use std::path::{Path, PathBuf};

use crate::model::{self, Inputs, WorkloadKind};
use crate::plot::{self, ChartOptions, ImageFormat, SweepChart, TickFormat};

/// tpot targets of the sweep: 41 points, log-spaced from 2 ms (500 tokens/s per user) to 200 ms
/// (5 tokens/s per user).
const POINTS: usize = 41;
const TPOT_MIN: f64 = 2e-3;
const TPOT_MAX: f64 = 0.2;

/// The chart files, by stem.
pub const CHARTS: [&str; 2] = ["serving_throughput", "serving_cost"];

/// One fleet's curve: tokens/s per user (the target), output tokens/s per chip and USD per 1M
/// output tokens at each point (NaN where no batch meets the target).
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub x: Vec<f64>,
    /// (fleet id, tokens/s per chip, cost per 1M output tokens) per fleet.
    pub fleets: Vec<(String, Vec<f64>, Vec<f64>)>,
}

/// The interactivity sweep of an inference scenario (None for other workloads).
pub fn curve(x: &Inputs) -> Option<Curve> {
    if x.workload.kind != WorkloadKind::Inference {
        return None;
    }
    let targets: Vec<f64> = (0..POINTS)
        .map(|k| {
            let f = k as f64 / (POINTS - 1) as f64;
            // From the slowest target to the fastest: x = 1 / tpot ascends.
            (TPOT_MAX.ln() + (TPOT_MIN.ln() - TPOT_MAX.ln()) * f).exp()
        })
        .collect();
    let mut fleets: Vec<(String, Vec<f64>, Vec<f64>)> = x
        .fleets
        .iter()
        .map(|f| (f.id.clone(), Vec::new(), Vec::new()))
        .collect();
    let mut y = x.clone();
    y.workload.batch_max = true;
    y.workload.batch = None;
    for &t in &targets {
        y.workload.tpot = Some(t);
        for (i, row) in fleets.iter_mut().enumerate() {
            let (tput, cost) = match model::fleet_figures(&y, i) {
                Ok(g) => (g.tokens_per_s.unwrap_or(f64::NAN), g.cost_per_unit),
                Err(_) => (f64::NAN, f64::NAN),
            };
            row.1.push(tput);
            row.2.push(cost);
        }
    }
    Some(Curve {
        x: targets.iter().map(|t| 1.0 / t).collect(),
        fleets,
    })
}

/// Draws the two serving charts of `c` into `dir` (PNG and SVG); returns the paths written.
pub fn draw(
    dir: &Path,
    name: &str,
    c: &Curve,
    base_tpot: Option<f64>,
    o: &ChartOptions,
) -> Result<Vec<PathBuf>, plot::PlotError> {
    let mut written = Vec::new();
    for (stem, fmt) in CHARTS
        .iter()
        .flat_map(|s| [ImageFormat::Png, ImageFormat::Svg].map(|f| (*s, f)))
    {
        let throughput = stem == "serving_throughput";
        let chart = SweepChart {
            title: if throughput {
                "Output tokens/s per chip against interactivity (batch \"max\" at each tpot target)"
                    .into()
            } else {
                "USD per 1M output tokens against interactivity (batch \"max\" at each tpot target)"
                    .into()
            },
            subtitle: name.to_string(),
            x_label: "tokens/s per user (1 / tpot target)".into(),
            x_format: TickFormat::Plain,
            x: c.x.clone(),
            series: c
                .fleets
                .iter()
                .map(|(id, t, u)| (id.clone(), if throughput { t.clone() } else { u.clone() }))
                .collect(),
            y_label: if throughput {
                "output tokens/s per chip".into()
            } else {
                "USD per 1M output tokens (all costs)".into()
            },
            y_format: if throughput {
                TickFormat::Plain
            } else {
                TickFormat::Usd
            },
            claim_band: None,
            log_x: true,
            base_x: base_tpot.map(|t| 1.0 / t),
        };
        let path = dir.join(format!("{stem}.{}", fmt.extension()));
        plot::sweep_line(&chart, &path, fmt, o)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_is_the_model_at_each_target() {
        let s = crate::scenario::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/llama70b-inference.toml"),
        )
        .unwrap();
        let c = curve(&s.inputs).unwrap();
        assert_eq!(c.x.len(), POINTS);
        assert!((c.x[0] - 5.0).abs() < 1e-9 && (c.x[POINTS - 1] - 500.0).abs() < 1e-9);
        // At the scenario's own target (30 ms) a point of the curve equals a run at that tpot.
        let mut y = s.inputs.clone();
        let t = 1.0 / c.x[20];
        y.workload.tpot = Some(t);
        let g = model::fleet_figures(&y, 0).unwrap();
        assert_eq!(c.fleets[0].1[20], g.tokens_per_s.unwrap());
        assert_eq!(c.fleets[0].2[20], g.cost_per_unit);
        // Faster users cost throughput: tokens/s per chip never rises with x where defined.
        for (_, t, _) in &c.fleets {
            let v: Vec<f64> = t.iter().copied().filter(|v| v.is_finite()).collect();
            assert!(v.len() >= 10);
            assert!(v.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-9)), "{v:?}");
        }
        // Not for other workloads.
        let mut z = s.inputs.clone();
        z.workload.kind = WorkloadKind::Flops;
        assert!(curve(&z).is_none());
    }
}
