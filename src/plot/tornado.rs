//! Tornado: the swing of one metric as each uncertain parameter goes from low to high.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Frame, TickFormat};
use super::canvas::{line_height, measure, wrap, Align, Canvas, VAlign};
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{claim_dash, darker, viridis, Font, Theme, ACCENT, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};

/// One parameter's swing: the metric with the parameter at its low and at its high value.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TornadoBar {
    /// Parameter path or a readable name, e.g. "fleet.trn2.chip.price".
    pub param: String,
    /// The low and high settings as text with units, e.g. "8.2k USD" and "16.9k USD".
    pub low_label: String,
    pub high_label: String,
    /// The metric at those settings.
    #[serde(deserialize_with = "super::spec::nan::one")]
    pub low_value: f64,
    #[serde(deserialize_with = "super::spec::nan::one")]
    pub high_value: f64,
}

/// A tornado chart: bars around the base value of the metric, largest swing on top.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TornadoChart {
    pub title: String,
    /// Second line: the scenario name (may be empty).
    pub subtitle: String,
    /// The metric with its unit, e.g. "ρ of trn2 vs h100".
    pub metric_label: String,
    pub metric_format: TickFormat,
    /// The metric with every parameter at base.
    #[serde(deserialize_with = "super::spec::nan::one")]
    pub base: f64,
    pub bars: Vec<TornadoBar>,
    /// Claim levels drawn as dashed vertical lines (may be empty).
    pub claim_levels: Vec<f64>,
    /// What low and high mean, for the legend, e.g. ("P5", "P95"); empty gives "low", "high".
    pub low_high_names: (String, String),
    /// Parameters left out because they do not move the metric, named in a note.
    pub no_effect: Vec<String>,
}

/// Draws the tornado, sorted by swing (|high - low|), largest on top, at most 20 bars; each bar
/// end is labelled with the setting and the metric value.
pub fn tornado(
    c: &TornadoChart,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(c, path, fmt, o)
}

const MAX_BARS: usize = 20;

impl TornadoChart {
    fn sorted(&self) -> Vec<&TornadoBar> {
        let mut v: Vec<&TornadoBar> = self.bars.iter().collect();
        v.sort_by(|a, b| {
            let sa = (a.high_value - a.low_value).abs();
            let sb = (b.high_value - b.low_value).abs();
            sb.total_cmp(&sa)
        });
        v.truncate(MAX_BARS);
        v
    }

    fn label(&self, setting: &str, v: f64) -> String {
        if setting.is_empty() {
            self.metric_format.value(v)
        } else {
            format!("{setting} → {}", self.metric_format.value(v))
        }
    }
}

/// Parameter names wrapped so each fits its row: wider columns first, then smaller type, and
/// at last one line cut with an ellipsis.
fn fit_names(bars: &[&TornadoBar], width: i32, row_h: i32, th: &Theme) -> (Vec<Vec<String>>, Font) {
    for font in [th.tick, th.note] {
        for f in [0.26, 0.33, 0.4] {
            let w = (width as f64 * f) as i32;
            let names: Vec<Vec<String>> = bars.iter().map(|b| wrap(&b.param, font, w)).collect();
            let tallest = names.iter().map(|n| n.len()).max().unwrap_or(1) as i32;
            if tallest * line_height(font) <= row_h {
                return (names, font);
            }
        }
    }
    let w = (width as f64 * 0.4) as i32;
    let names = bars
        .iter()
        .map(|b| {
            let mut line = wrap(&b.param, th.note, w).remove(0);
            if line != b.param {
                line.push('…');
            }
            vec![line]
        })
        .collect();
    (names, th.note)
}

impl Chart for TornadoChart {
    fn check(&self) -> Result<(), String> {
        if self.bars.is_empty() {
            return Err("a tornado needs at least one bar".into());
        }
        if !self.base.is_finite() {
            return Err("the base value is not finite".into());
        }
        for b in &self.bars {
            if !(b.low_value.is_finite() && b.high_value.is_finite()) {
                return Err(format!("parameter {} has a non-finite value", b.param));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let cv = Canvas::new(root, th);
        let bars = self.sorted();
        let (low_c, high_c) = (viridis(0.12), viridis(0.72));
        let (ln, hn) = match &self.low_high_names {
            (l, h) if !l.is_empty() && !h.is_empty() => (l.clone(), h.clone()),
            _ => ("low".to_string(), "high".to_string()),
        };
        let mut items = vec![
            Item::fill(format!("Parameter at its {ln} value"), low_c, false),
            Item::fill(format!("Parameter at its {hn} value"), high_c, true),
            Item::line(
                format!("Base case: {}", self.metric_format.value(self.base)),
                TEXT,
                None,
                None,
            ),
        ];
        for (k, l) in self.claim_levels.iter().enumerate() {
            items.push(Item::line(
                format!("Claim {}", self.metric_format.value(*l)),
                ACCENT,
                claim_dash(k),
                None,
            ));
        }
        let mut notes = vec![];
        if self.bars.len() > MAX_BARS {
            notes.push(format!(
                "{} parameters with smaller swings are not shown.",
                self.bars.len() - MAX_BARS
            ));
        }
        if !self.no_effect.is_empty() {
            notes.push(format!(
                "No effect on {}, not drawn: {}.",
                self.metric_label,
                self.no_effect.join(", ")
            ));
        }
        let region = frame_region(&cv, &self.title, &self.subtitle, &items, &notes)?;
        let ((x0, y0), (x1, y1)) = region;

        // Names column: wrapped to 26 to 40 % of the width, in smaller type if rows are tight.
        let row_guess = (y1 - y0 - th.px(90.0)) / bars.len() as i32;
        let (names, name_font) = fit_names(&bars, x1 - x0, row_guess, th);
        let names_w = names
            .iter()
            .flat_map(|n| n.iter().map(|l| measure(l, name_font).0))
            .max()
            .unwrap_or(0);
        let left0 = x0 + names_w + th.px(20.0);

        // Range with room for the end labels on both sides.
        let pad = th.px(12.0);
        let (mut a, mut b) = (0, 0);
        let (mut lo, mut hi) = (self.base, self.base);
        for bar in &bars {
            for (s, v) in [
                (&bar.low_label, bar.low_value),
                (&bar.high_label, bar.high_value),
            ] {
                let w = measure(&self.label(s, v), th.value).0 + pad * 2;
                if v < self.base {
                    a = a.max(w);
                } else {
                    b = b.max(w);
                }
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        for l in &self.claim_levels {
            lo = lo.min(*l);
            hi = hi.max(*l);
        }
        let probe = Frame::fit(
            ((left0, y0), (x1, y1)),
            Axis::linear(
                lo,
                hi.max(lo + 1e-9),
                &self.metric_format,
                8,
                &self.metric_label,
            ),
            Axis::bare(0.0, 1.0),
            th,
            (0, 0),
        );
        let w = (probe.right - probe.left).max(1) as f64;
        let k = ((a + b) as f64 / w).min(0.8);
        let span = (hi - lo).max(self.base.abs() * 1e-3).max(1e-12) / (1.0 - k);
        let (xlo, xhi) = (lo - a as f64 / w * span, hi + b as f64 / w * span);
        let n = bars.len();
        let x = Axis::linear(xlo, xhi, &self.metric_format, 8, &self.metric_label);
        let y = Axis::bare(n as f64 - 0.5, -0.5);
        let frame = Frame::fit(((left0, y0), (x1, y1)), x, y, th, (0, 0));
        frame.grid(&cv, true)?;

        let row_h = (frame.bottom - frame.top) as f64 / n as f64;
        let bar_h = (row_h * 0.62).min(th.px(70.0) as f64);
        let xb = frame.px(self.base);
        for (k, l) in self.claim_levels.iter().enumerate() {
            let x = frame.px(*l);
            cv.polyline(
                &[(x, frame.top as f64), (x, frame.bottom as f64)],
                ACCENT,
                th.lw(3.0),
                claim_dash(k),
            )?;
        }
        for (i, bar) in bars.iter().enumerate() {
            let cy = frame.py(i as f64);
            let same_side = (bar.low_value - self.base) * (bar.high_value - self.base) > 0.0;
            let parts = [
                (&bar.low_label, bar.low_value, low_c, false),
                (&bar.high_label, bar.high_value, high_c, true),
            ];
            for (k, (s, v, c, hatch)) in parts.iter().enumerate() {
                // Both on one side: two thinner bars, low above high.
                let (ya, yb) = if same_side {
                    let off = if k == 0 { -bar_h / 4.0 } else { bar_h / 4.0 };
                    (cy + off - bar_h / 4.0, cy + off + bar_h / 4.0)
                } else {
                    (cy - bar_h / 2.0, cy + bar_h / 2.0)
                };
                let xv = frame.px(*v);
                let (p, q) = (
                    (xb.round() as i32, ya.round() as i32),
                    (xv.round() as i32, yb.round() as i32),
                );
                cv.fill_rect(p, q, c.to_rgba())?;
                if *hatch {
                    cv.hatch(p, q, darker(*c, 0.55), th.px(12.0), th.lw(2.0))?;
                }
                cv.stroke_rect(p, q, darker(*c, 0.5), th.lw(1.5))?;
                // Both ends on one side: one label for the pair, at the bar's row, past the
                // farther end, so the two never overlap.
                let (label, ly, xv) = if same_side {
                    if k == 0 {
                        continue;
                    }
                    let far =
                        if (bar.low_value - self.base).abs() > (bar.high_value - self.base).abs() {
                            bar.low_value
                        } else {
                            bar.high_value
                        };
                    (
                        format!(
                            "{}; {}",
                            self.label(&bar.low_label, bar.low_value),
                            self.label(&bar.high_label, bar.high_value)
                        ),
                        cy.round() as i32,
                        frame.px(far),
                    )
                } else {
                    (self.label(s, *v), ((ya + yb) / 2.0).round() as i32, xv)
                };
                let (lx, al) = if *v < self.base {
                    (xv.round() as i32 - pad, Align::Right)
                } else {
                    (xv.round() as i32 + pad, Align::Left)
                };
                // On a white ground: the claim lines pass behind the label.
                cv.label(&label, (lx, ly), th.value, TEXT, (al, VAlign::Middle))?;
            }
            let lines = &names[i];
            let h = line_height(name_font) * lines.len() as i32;
            cv.lines(
                lines,
                (left0 - th.px(20.0), cy.round() as i32 - h / 2),
                name_font,
                TEXT,
                (Align::Right, VAlign::Top),
            )?;
        }
        cv.line(
            &[
                (xb.round() as i32, frame.top),
                (xb.round() as i32, frame.bottom),
            ],
            TEXT,
            th.lw(2.5),
        )?;
        frame.axes(&cv)?;
        Ok(())
    }
}
