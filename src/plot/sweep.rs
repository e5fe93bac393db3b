//! A 1-D sweep: one line per series against the swept parameter, claim band shaded.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Frame, TickFormat};
use super::canvas::{measure, Canvas, DASHES, MARKERS};
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{line_sequence, Theme, ACCENT, BAND, BLACK, MUTED, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};

/// A line chart of a sweep: `x` is the swept parameter, each series a metric per x (NaN breaks
/// the line). Values are plain numbers in the units the labels name.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SweepChart {
    /// What is shown, e.g. "Price-performance of trn2 vs h100 as the Trainium2 price varies".
    pub title: String,
    /// Second line: the scenario name (may be empty).
    pub subtitle: String,
    /// The swept parameter with its unit, e.g. "trn2 chip price (USD)".
    pub x_label: String,
    pub x_format: TickFormat,
    #[serde(deserialize_with = "super::spec::nan::list")]
    pub x: Vec<f64>,
    /// (series name, y per x).
    #[serde(deserialize_with = "super::spec::nan::series")]
    pub series: Vec<(String, Vec<f64>)>,
    /// The metric with its unit, e.g. "ρ vs h100 (perf per dollar)".
    pub y_label: String,
    pub y_format: TickFormat,
    /// The claim band (min, max claim level) shaded across the plot; min = max draws a line.
    pub claim_band: Option<(f64, f64)>,
    /// Logarithmic x axis (x must be > 0).
    pub log_x: bool,
    /// The scenario's base value of the parameter, marked with a vertical line.
    pub base_x: Option<f64>,
}

/// Draws a sweep as lines with distinct colours, dashes and markers; where a series crosses the
/// edges of the claim band, the crossing is marked and its x written.
pub fn sweep_line(
    c: &SweepChart,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(c, path, fmt, o)
}

/// x where the polyline (x, y) crosses `level`, by linear interpolation.
fn crossings(x: &[f64], y: &[f64], level: f64, log_x: bool) -> Vec<f64> {
    let mut v = vec![];
    for i in 1..x.len().min(y.len()) {
        let (y0, y1) = (y[i - 1] - level, y[i] - level);
        if !(y0.is_finite() && y1.is_finite()) || y0 == y1 {
            continue;
        }
        if (y0 < 0.0 && y1 >= 0.0) || (y0 >= 0.0 && y1 < 0.0) {
            let t = y0 / (y0 - y1);
            // Along the segment as drawn: straight in ln x on a log axis.
            v.push(if log_x {
                (x[i - 1].ln() + (x[i].ln() - x[i - 1].ln()) * t).exp()
            } else {
                x[i - 1] + (x[i] - x[i - 1]) * t
            });
        }
    }
    v
}

/// Whether the polyline passes through the rectangle (x0, y0, x1, y1) grown by `m` pixels.
fn touches(line: &[(f64, f64)], r: (i32, i32, i32, i32), m: f64) -> bool {
    let hit = |p: (f64, f64)| {
        p.0 >= r.0 as f64 - m
            && p.0 <= r.2 as f64 + m
            && p.1 >= r.1 as f64 - m
            && p.1 <= r.3 as f64 + m
    };
    line.windows(2).any(|w| {
        let len = (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
        let n = (len / 3.0).ceil().max(1.0) as usize;
        (0..=n).any(|k| {
            let t = k as f64 / n as f64;
            hit((
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            ))
        })
    }) || line.iter().any(|p| hit(*p))
}

impl Chart for SweepChart {
    fn check(&self) -> Result<(), String> {
        if self.x.len() < 2 {
            return Err("a sweep needs at least two x values".into());
        }
        if self.x.iter().any(|v| !v.is_finite()) || (self.log_x && self.x.iter().any(|v| *v <= 0.0))
        {
            return Err("x values must be finite (and > 0 on a log axis)".into());
        }
        if self.series.is_empty() {
            return Err("a sweep needs at least one series".into());
        }
        for (name, ys) in &self.series {
            if ys.len() != self.x.len() {
                return Err(format!(
                    "series {name} has {} values for {} x values",
                    ys.len(),
                    self.x.len()
                ));
            }
        }
        if !self.series.iter().flat_map(|s| &s.1).any(|v| v.is_finite()) {
            return Err("no series has a finite value".into());
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let cv = Canvas::new(root, th);
        let colors = line_sequence(self.series.len());
        let style = |i: usize| {
            (
                colors[i],
                DASHES[i % DASHES.len()],
                MARKERS[i % MARKERS.len()],
            )
        };
        let mut items: Vec<Item> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                let (c, d, m) = style(i);
                Item::line(name.clone(), c, d, Some(m))
            })
            .collect();
        if let Some((lo, hi)) = self.claim_band {
            let l = if lo == hi {
                format!("Claim {}", self.y_format.value(lo))
            } else {
                format!(
                    "Claim band {}–{}",
                    self.y_format.value(lo),
                    self.y_format.value(hi)
                )
            };
            items.push(Item::band(l, BAND));
        }
        // The ring's legend entry only where some series does reach the level.
        let reaches = self.claim_band.is_some_and(|(lo, _)| {
            self.series
                .iter()
                .any(|(_, ys)| !crossings(&self.x, ys, lo, self.log_x).is_empty())
        });
        if let (Some((lo, _)), true) = (self.claim_band, reaches) {
            items.push(Item {
                label: format!("Reaches {} at", self.y_format.value(lo)),
                swatch: super::legend::Swatch::Ring(ACCENT),
            });
        }
        if let Some(b) = self.base_x {
            items.push(Item::line(
                format!("Base case ({})", self.x_format.value(b)),
                MUTED,
                Some((4.0, 6.0)),
                None,
            ));
        }
        let region = frame_region(&cv, &self.title, &self.subtitle, &items, &[])?;

        let (x_lo, x_hi) = self
            .x
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
                (a.0.min(*v), a.1.max(*v))
            });
        let finite = self
            .series
            .iter()
            .flat_map(|s| s.1.iter())
            .copied()
            .filter(|v| v.is_finite());
        let band = self.claim_band.iter().flat_map(|b| [b.0, b.1]);
        let (y_lo, y_hi) = finite
            .chain(band)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
                (a.0.min(v), a.1.max(v))
            });
        let pad = ((y_hi - y_lo) * 0.06).max(y_hi.abs() * 0.02).max(1e-9);
        let x = if self.log_x {
            Axis::log(x_lo, x_hi, &self.x_format, &self.x_label)
        } else {
            Axis::linear(x_lo, x_hi, &self.x_format, 10, &self.x_label)
        };
        // A quantity that is never negative keeps its axis at or above zero.
        let lo = if y_lo >= 0.0 {
            (y_lo - pad).max(0.0)
        } else {
            y_lo - pad
        };
        let y = Axis::nice(lo, y_hi + pad, &self.y_format, 8, &self.y_label);
        let frame = Frame::fit(region, x, y, th, (0, 0));

        if let Some((lo, hi)) = self.claim_band {
            let (ya, yb) = (frame.py(lo).round() as i32, frame.py(hi).round() as i32);
            cv.fill_rect(
                (frame.left, yb.min(ya - 3)),
                (frame.right, ya),
                BAND.mix(0.75),
            )?;
        }
        frame.grid(&cv, true)?;
        if let Some(b) = self.base_x {
            let xb = frame.px(b);
            cv.polyline(
                &[(xb, frame.top as f64), (xb, frame.bottom as f64)],
                MUTED,
                th.lw(2.5),
                Some((4.0, 6.0)),
            )?;
        }
        let mut drawn: Vec<Vec<(f64, f64)>> = vec![];
        for (i, (_, ys)) in self.series.iter().enumerate() {
            let (c, d, m) = style(i);
            // Runs of finite values, each a polyline.
            let mut run: Vec<(f64, f64)> = vec![];
            let pts: Vec<Option<(f64, f64)>> = self
                .x
                .iter()
                .zip(ys)
                .map(|(x, y)| y.is_finite().then(|| (frame.px(*x), frame.py(*y))))
                .collect();
            for p in pts.iter().chain([None].iter()) {
                match p {
                    Some(q) => run.push(*q),
                    None => {
                        cv.polyline(&run, c, th.lw(4.0), d)?;
                        drawn.push(std::mem::take(&mut run));
                    }
                }
            }
            let every = (pts.len() / 16).max(1);
            for (k, p) in pts.iter().enumerate() {
                if let Some((px, py)) = p {
                    if k % every == 0 || k + 1 == pts.len() {
                        cv.marker(
                            m,
                            (px.round() as i32, py.round() as i32),
                            th.px(7.0),
                            c,
                            BLACK,
                        )?;
                    }
                }
            }
        }
        // Where each series reaches the lowest claim level, labelled with x.
        if let Some((lo, _)) = self.claim_band {
            let mut marks = vec![];
            for (_, ys) in &self.series {
                marks.extend(
                    crossings(&self.x, ys, lo, self.log_x)
                        .into_iter()
                        .map(|cx| (cx, lo)),
                );
            }
            let mut placed: Vec<(i32, i32, i32, i32)> = vec![];
            for (cx, l) in marks.iter().take(8) {
                let (px, py) = (frame.px(*cx).round() as i32, frame.py(*l).round() as i32);
                cv.area.draw(&Circle::new(
                    (px, py),
                    th.px(9.0),
                    ACCENT.stroke_width(th.lw(3.0)),
                ))?;
                let s = self.x_format.value(*cx);
                let (w, h) = measure(&s, th.value);
                let (bw, bh) = (w + th.px(16.0), h + th.px(10.0));
                // Below or above the point, nearest first, on no line and no other label.
                let mut spots = vec![];
                for k in 1..=6 {
                    let dy = bh / 2 + th.px(24.0) * k;
                    for dx in [0, bw * 3 / 5, -bw * 3 / 5] {
                        spots.push((px + dx, py + dy));
                        spots.push((px + dx, py - dy));
                    }
                }
                let rect = |(x, y): (i32, i32)| (x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2);
                let inside = |r: (i32, i32, i32, i32)| {
                    r.0 >= frame.left
                        && r.2 <= frame.right
                        && r.1 >= frame.top
                        && r.3 <= frame.bottom
                };
                let apart = |r: (i32, i32, i32, i32)| {
                    placed
                        .iter()
                        .all(|q| r.2 < q.0 || r.0 > q.2 || r.3 < q.1 || r.1 > q.3)
                };
                let clear = |r: (i32, i32, i32, i32)| {
                    !drawn.iter().any(|line| touches(line, r, th.px(6.0) as f64))
                };
                let (tx, ty) = spots
                    .iter()
                    .copied()
                    .find(|p| inside(rect(*p)) && apart(rect(*p)) && clear(rect(*p)))
                    .or_else(|| {
                        spots
                            .iter()
                            .copied()
                            .find(|p| inside(rect(*p)) && apart(rect(*p)))
                    })
                    .unwrap_or(spots[0]);
                placed.push((tx - bw / 2, ty - bh / 2, tx + bw / 2, ty + bh / 2));
                cv.line(&[(px, py), (tx, ty)], ACCENT, th.lw(1.5))?;
                cv.boxed_text(&s, (tx, ty), th.value, TEXT, Some(ACCENT))?;
            }
        }
        frame.axes(&cv)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::crossings;

    #[test]
    fn crossings_follow_the_segment_as_drawn() {
        // y falls from 2 to 0 between x = 1 and x = 100; it is 1 halfway along the segment:
        // x = 50.5 on a linear axis, x = 10 (the geometric mean) on a log axis.
        assert_eq!(crossings(&[1.0, 100.0], &[2.0, 0.0], 1.0, false), [50.5]);
        let c = crossings(&[1.0, 100.0], &[2.0, 0.0], 1.0, true);
        assert!((c[0] - 10.0).abs() < 1e-12, "{c:?}");
    }
}
