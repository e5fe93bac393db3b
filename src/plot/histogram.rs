//! Distribution of a Monte Carlo metric (rho) from pre-binned counts, with the claim levels.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Frame, TickFormat};
use super::canvas::{measure, Align, Canvas, VAlign};
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{claim_dash, darker, viridis, Theme, ACCENT, MUTED, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::units::format::fmt_thousands;

/// One histogram bin: draws with lo <= value < hi.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HistBin {
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
}

/// A histogram from pre-binned counts (a Monte Carlo of 1e9 draws bins as it goes).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HistogramChart {
    pub title: String,
    /// Second line: the scenario name (may be empty).
    pub subtitle: String,
    /// The metric with its unit, e.g. "ρ of trn2 vs h100 (perf per dollar)".
    pub x_label: String,
    pub x_format: TickFormat,
    /// Symbol used in the legend's probabilities, e.g. "ρ" gives "P(ρ ≥ 1.30) = 62.1 %".
    pub metric: String,
    /// Bins in increasing order, not overlapping.
    pub bins: Vec<HistBin>,
    /// (claim level, P(metric >= level)) as computed over all draws, not from the bins.
    #[serde(deserialize_with = "super::spec::nan::pairs")]
    pub levels: Vec<(f64, f64)>,
    /// Quantiles to mark above the bars, e.g. [("P5", 1.21), ("P50", 1.52), ("P95", 1.88)].
    #[serde(deserialize_with = "super::spec::nan::named")]
    pub quantiles: Vec<(String, f64)>,
}

/// `n` equal-width bins over the finite values' range (for inputs small enough to hold).
pub fn bin_values(values: &[f64], n: usize) -> Vec<HistBin> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = n.max(1);
    let (lo, hi) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
            (a.0.min(*v), a.1.max(*v))
        });
    if finite.is_empty() {
        return vec![];
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let w = (hi - lo) / n as f64;
    let mut bins: Vec<HistBin> = (0..n)
        .map(|i| HistBin {
            lo: lo + w * i as f64,
            hi: if i + 1 == n {
                hi
            } else {
                lo + w * (i + 1) as f64
            },
            count: 0,
        })
        .collect();
    for v in finite {
        let i = (((v - lo) / w).floor() as usize).min(n - 1);
        bins[i].count += 1;
    }
    bins
}

/// Draws the histogram as the share of draws per bin; bins are shaded by the claim levels they
/// reach (darker = higher), with a dashed line at each level and "P(ρ ≥ 1.30) = 62.1 %" in the
/// legend.
pub fn histogram(
    c: &HistogramChart,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(c, path, fmt, o)
}

fn pct(p: f64) -> String {
    let v = p * 100.0;
    if v > 0.0 && v < 0.1 {
        format!("{} %", crate::units::format::fmt_fixed(v, 3))
    } else {
        format!("{} %", crate::units::format::fmt_fixed(v, 1))
    }
}

impl Chart for HistogramChart {
    fn check(&self) -> Result<(), String> {
        if self.bins.is_empty() {
            return Err("a histogram needs at least one bin".into());
        }
        if self
            .bins
            .iter()
            .any(|b| !(b.lo.is_finite() && b.hi.is_finite() && b.hi > b.lo))
        {
            return Err("every bin needs finite lo < hi".into());
        }
        if self
            .bins
            .windows(2)
            .any(|w| w[1].lo < w[0].hi - 1e-12 * w[0].hi.abs())
        {
            return Err("bins must be increasing and not overlap".into());
        }
        if self.bins.iter().map(|b| b.count).sum::<u64>() == 0 {
            return Err("the bins hold no draws".into());
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let cv = Canvas::new(root, th);
        let total: u64 = self.bins.iter().map(|b| b.count).sum();
        let mut levels = self.levels.clone();
        levels.sort_by(|a, b| a.0.total_cmp(&b.0));
        let m = if self.metric.is_empty() {
            "x"
        } else {
            self.metric.as_str()
        };
        // Shade classes: 0 below every level .. k at or above k levels (by bin centre).
        let nl = levels.len();
        let shade = |k: usize| {
            if nl == 0 {
                viridis(0.3)
            } else {
                viridis(0.85 - 0.75 * k as f64 / nl as f64)
            }
        };
        let mut items: Vec<Item> = vec![];
        for (k, (l, p)) in levels.iter().enumerate() {
            let label = format!("P({m} ≥ {}) = {}", self.x_format.value(*l), pct(*p));
            items.push(Item::line(label, ACCENT, claim_dash(k), None));
        }
        if nl > 0 {
            let v = |k: usize| self.x_format.value(levels[k].0);
            items.push(Item::fill(format!("Draws below {}", v(0)), shade(0), false));
            for k in 1..nl {
                items.push(Item::fill(
                    format!("{} to {}", v(k - 1), v(k)),
                    shade(k),
                    false,
                ));
            }
            items.push(Item::fill(
                format!("{} or more", v(nl - 1)),
                shade(nl),
                false,
            ));
        }
        let region = frame_region(&cv, &self.title, &self.subtitle, &items, &[])?;

        let share: Vec<f64> = self
            .bins
            .iter()
            .map(|b| b.count as f64 / total as f64)
            .collect();
        let ymax = share.iter().copied().fold(0.0, f64::max);
        let (lo, hi) = (self.bins[0].lo, self.bins[self.bins.len() - 1].hi);
        let (lo, hi) = levels
            .iter()
            .fold((lo, hi), |a, (l, _)| (a.0.min(*l), a.1.max(*l)));
        let span = hi - lo;
        let head = if self.quantiles.is_empty() { 1.08 } else { 1.2 };
        let y_title = format!(
            "Share of draws per bin (N = {})",
            fmt_thousands(total as f64, 0)
        );
        let y = Axis::nice(0.0, ymax * head, &TickFormat::Percent, 8, &y_title);
        let x = Axis::linear(
            lo - span * 0.02,
            hi + span * 0.02,
            &self.x_format,
            10,
            &self.x_label,
        );
        let frame = Frame::fit(region, x, y, th, (0, 0));
        frame.grid(&cv, false)?;

        for (b, s) in self.bins.iter().zip(&share) {
            let centre = (b.lo + b.hi) / 2.0;
            let k = levels.iter().filter(|(l, _)| centre >= *l).count();
            let c = shade(k);
            let (p, q) = (frame.pt(b.lo, *s), frame.pt(b.hi, 0.0));
            if *s > 0.0 {
                cv.fill_rect(p, q, c.to_rgba())?;
                if q.0 - p.0 >= th.px(6.0) {
                    cv.stroke_rect(p, q, darker(c, 0.5), th.lw(1.0))?;
                }
            }
        }
        // Level lines stop below the band where the quantile labels sit, so they never cross
        // the labels.
        let line_top = if self.quantiles.is_empty() {
            frame.top as f64
        } else {
            frame.py(ymax)
        };
        for (k, (l, _)) in levels.iter().enumerate() {
            let x = frame.px(*l);
            cv.polyline(
                &[(x, line_top), (x, frame.bottom as f64)],
                ACCENT,
                th.lw(3.5),
                claim_dash(k),
            )?;
        }
        // Quantiles: a short tick and a label along the top.
        let qy = frame.py(ymax * head).round() as i32 + th.px(6.0);
        let mut last_right = i32::MIN;
        for (name, v) in &self.quantiles {
            if !v.is_finite() {
                continue;
            }
            let x = frame.px(*v).round() as i32;
            let s = format!("{name} {}", self.x_format.value(*v));
            let w = measure(&s, th.note).0;
            let ytext = if x - w / 2 < last_right + th.px(8.0) {
                qy + th.px(26.0)
            } else {
                qy
            };
            cv.line(
                &[
                    (x, ytext + th.px(24.0)),
                    (x, frame.py(ymax).round() as i32 - th.px(4.0)),
                ],
                MUTED,
                th.lw(2.0),
            )?;
            cv.label(&s, (x, ytext), th.note, TEXT, (Align::Center, VAlign::Top))?;
            last_right = last_right.max(x + w / 2);
        }
        frame.axes(&cv)?;
        Ok(())
    }
}
