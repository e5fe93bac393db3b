//! A 2-D sweep: heatmap of a metric (rho) with contour lines at the claim levels and a colour bar.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{nice_ticks, tick_labels, Axis, Frame, TickFormat};
use super::canvas::{max_width, measure, Align, Canvas, VAlign, DASHES};
use super::contour::contour_lines;
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{text_on, viridis, Theme, AXIS, BLACK, TEXT, WHITE};
use super::{ChartOptions, ImageFormat, PlotError};

/// A gridded metric over two swept parameters.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HeatmapChart {
    pub title: String,
    /// Second line: the scenario name (may be empty).
    pub subtitle: String,
    /// First parameter with unit.
    pub x_label: String,
    pub x_format: TickFormat,
    /// Second parameter with unit.
    pub y_label: String,
    pub y_format: TickFormat,
    /// Grid values, increasing.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// `z[iy][ix]` is the metric at `(x[ix], y[iy])`; NaN leaves a cell blank (hatched grey).
    #[serde(deserialize_with = "super::spec::nan::grid")]
    pub z: Vec<Vec<f64>>,
    /// The metric with its unit, e.g. "ρ vs h100".
    pub z_label: String,
    pub z_format: TickFormat,
    /// Levels to draw as contour lines (claim levels), each labelled.
    pub contours: Vec<f64>,
    pub log_x: bool,
    pub log_y: bool,
}

/// Draws the heatmap (viridis: lightness rises with the metric, so it reads in grey-scale),
/// contour lines at each level labelled "1.30", and a colour bar with ticks and the levels.
pub fn heatmap(
    c: &HeatmapChart,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(c, path, fmt, o)
}

/// Cell edges around grid values: midpoints (geometric on a log axis), half a step outside.
fn edges(v: &[f64], log: bool) -> Vec<f64> {
    let f = |a: f64| if log { a.ln() } else { a };
    let g = |a: f64| if log { a.exp() } else { a };
    let t: Vec<f64> = v.iter().map(|a| f(*a)).collect();
    let n = t.len();
    let mut e = Vec::with_capacity(n + 1);
    e.push(t[0] - (t[1] - t[0]) / 2.0);
    for i in 1..n {
        e.push((t[i - 1] + t[i]) / 2.0);
    }
    e.push(t[n - 1] + (t[n - 1] - t[n - 2]) / 2.0);
    e.into_iter().map(g).collect()
}

/// The point at arc length `d` along a polyline.
fn point_at(pts: &[(f64, f64)], d: f64) -> (f64, f64) {
    let mut left = d;
    for w in pts.windows(2) {
        let l = (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
        if left <= l && l > 0.0 {
            let t = left / l;
            return (
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            );
        }
        left -= l;
    }
    pts.last().copied().unwrap_or((0.0, 0.0))
}

fn increasing(v: &[f64]) -> bool {
    v.windows(2).all(|w| w[1] > w[0]) && v.iter().all(|a| a.is_finite())
}

impl Chart for HeatmapChart {
    fn check(&self) -> Result<(), String> {
        if self.x.len() < 2 || self.y.len() < 2 {
            return Err("a heatmap needs at least 2 x 2 grid values".into());
        }
        if !increasing(&self.x) || !increasing(&self.y) {
            return Err("grid values must be finite and increasing".into());
        }
        if (self.log_x && self.x[0] <= 0.0) || (self.log_y && self.y[0] <= 0.0) {
            return Err("a log axis needs values > 0".into());
        }
        if self.z.len() != self.y.len() || self.z.iter().any(|r| r.len() != self.x.len()) {
            return Err(format!(
                "z must be {} rows of {} values",
                self.y.len(),
                self.x.len()
            ));
        }
        if !self.z.iter().flatten().any(|v| v.is_finite()) {
            return Err("z has no finite value".into());
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let cv = Canvas::new(root, th);
        let finite = self.z.iter().flatten().copied().filter(|v| v.is_finite());
        let (zmin, zmax) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
            (a.0.min(v), a.1.max(v))
        });
        let zspan = if zmax > zmin { zmax - zmin } else { 1.0 };
        let t = |v: f64| (v - zmin) / zspan;
        let levels: Vec<f64> = self
            .contours
            .iter()
            .copied()
            .filter(|l| l.is_finite())
            .collect();
        let items: Vec<Item> = levels
            .iter()
            .enumerate()
            .map(|(k, l)| {
                Item::line(
                    format!("Contour {}", self.z_format.value(*l)),
                    BLACK,
                    DASHES[k % DASHES.len()],
                    None,
                )
            })
            .collect();
        let region = frame_region(&cv, &self.title, &self.subtitle, &items, &[])?;

        // Colour bar on the right: bar, tick labels, rotated title.
        let (bar_ticks, step) = nice_ticks(zmin, zmax, 7);
        let bar_labels = tick_labels(&bar_ticks, step, &self.z_format);
        let bar_w = th.px(36.0);
        let lab_w = max_width(&bar_labels, th.tick);
        let title_h = measure(&self.z_label, th.label).1;
        let side = th.px(40.0) + bar_w + th.px(12.0) + lab_w + th.px(16.0) + title_h;
        let ((x0, y0), (x1, y1)) = region;
        let xe = edges(&self.x, self.log_x);
        let ye = edges(&self.y, self.log_y);
        let ax = |lo: f64, hi: f64, log: bool, fmt: &TickFormat, title: &str| {
            if log {
                Axis::log(lo, hi, fmt, title)
            } else {
                Axis::linear(lo, hi, fmt, 10, title)
            }
        };
        let x = ax(
            xe[0],
            xe[xe.len() - 1],
            self.log_x,
            &self.x_format,
            &self.x_label,
        );
        let y = ax(
            ye[0],
            ye[ye.len() - 1],
            self.log_y,
            &self.y_format,
            &self.y_label,
        );
        let region = ((x0, y0), (x1 - side, y1));
        let mut frame = Frame::fit(region, x, y, th, (0, 0));

        // Coarse grids: each cell carries its value, and the ticks sit on the grid values.
        let cell_w = (frame.right - frame.left) / self.x.len() as i32;
        let cell_h = (frame.bottom - frame.top) / self.y.len() as i32;
        let sample = self.z_format.value(zmax);
        let (sw, sh) = measure(&sample, th.note);
        let write_values = cell_w >= sw + th.px(10.0) && cell_h >= sh + th.px(8.0);
        if write_values {
            let x = Axis::at(&frame.x, &self.x, &self.x_format);
            let y = Axis::at(&frame.y, &self.y, &self.y_format);
            frame = Frame::fit(region, x, y, th, (0, 0));
        }
        let cell = |i: usize, j: usize| (frame.pt(xe[i], ye[j + 1]), frame.pt(xe[i + 1], ye[j]));
        for (j, row) in self.z.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                let (a, b) = cell(i, j);
                if v.is_finite() {
                    cv.fill_rect(a, b, viridis(t(*v)).to_rgba())?;
                } else {
                    cv.fill_rect(a, b, RGBColor(0xee, 0xee, 0xee).to_rgba())?;
                    cv.hatch(a, b, RGBColor(0xaa, 0xaa, 0xaa), th.px(10.0), th.lw(1.0))?;
                }
            }
        }
        // Contours: a white casing under a black line, a dash pattern per level.
        let lines: Vec<(usize, Vec<(f64, f64)>)> = levels
            .iter()
            .enumerate()
            .flat_map(|(k, l)| {
                contour_lines(&self.x, &self.y, &self.z, *l)
                    .into_iter()
                    .map(move |c| (k, c.points))
            })
            .map(|(k, pts)| {
                (
                    k,
                    pts.iter()
                        .map(|(x, y)| (frame.px(*x), frame.py(*y)))
                        .collect(),
                )
            })
            .collect();
        for (k, pts) in &lines {
            cv.polyline(pts, WHITE, th.lw(8.0), None)?;
            cv.polyline(pts, BLACK, th.lw(3.5), DASHES[k % DASHES.len()])?;
        }
        // Cell values over the lines; boxes kept free for the contour labels.
        let mut taken: Vec<(i32, i32, i32, i32)> = vec![];
        if write_values {
            for (j, row) in self.z.iter().enumerate() {
                for (i, v) in row.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                    let (a, b) = cell(i, j);
                    let c = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                    let label = self.z_format.value(*v);
                    let (lw, lh) = measure(&label, th.note);
                    let m = th.px(4.0);
                    let bg = viridis(t(*v));
                    cv.fill_rect(
                        (c.0 - lw / 2 - m, c.1 - lh / 2 - m / 2),
                        (c.0 + lw / 2 + m, c.1 + lh / 2 + m / 2),
                        bg.to_rgba(),
                    )?;
                    cv.text(
                        &label,
                        c,
                        th.note,
                        text_on(bg),
                        (Align::Center, VAlign::Middle),
                    )?;
                    taken.push((c.0 - sw / 2, c.1 - sh / 2, c.0 + sw / 2, c.1 + sh / 2));
                }
            }
        }
        // One boxed label per contour line, where it covers no other label or cell value.
        for (k, pts) in &lines {
            let len: f64 = pts
                .windows(2)
                .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                .sum();
            if len < th.px(80.0) as f64 {
                continue;
            }
            let text = self.z_format.value(levels[*k]);
            let (w, h) = measure(&text, th.value.bold());
            let (bw, bh) = (w + th.px(14.0), h + th.px(8.0));
            // Candidate spots by arc length, from the middle outwards.
            let spots: Vec<f64> = (0..17)
                .map(|i| 0.5 + if i % 2 == 0 { 1.0 } else { -1.0 } * 0.05 * ((i + 1) / 2) as f64)
                .collect();
            let boxed = |f: f64| {
                let p = point_at(pts, f * len);
                let (x, y) = (p.0.round() as i32, p.1.round() as i32);
                (x, y, (x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2))
            };
            let free = |r: &(i32, i32, i32, i32)| {
                taken
                    .iter()
                    .all(|q| r.2 < q.0 || r.0 > q.2 || r.3 < q.1 || r.1 > q.3)
            };
            let (x, y, r) = spots
                .iter()
                .map(|f| boxed(*f))
                .find(|(_, _, r)| free(r))
                .unwrap_or_else(|| boxed(0.5));
            cv.boxed_text(&text, (x, y), th.value.bold(), TEXT, Some(BLACK))?;
            taken.push(r);
        }
        frame.axes(&cv)?;
        cv.line(
            &[
                (frame.right, frame.top),
                (frame.right, frame.bottom),
                (frame.left, frame.bottom),
            ],
            AXIS,
            th.lw(2.0),
        )?;
        cv.line(
            &[(frame.left, frame.top), (frame.right, frame.top)],
            AXIS,
            th.lw(2.0),
        )?;

        // The colour bar.
        let bx0 = frame.right + th.px(40.0);
        let (top, bottom) = (frame.top, frame.bottom);
        let steps = (bottom - top).max(1);
        for s in 0..steps {
            let v = zmin + zspan * (1.0 - s as f64 / steps as f64);
            cv.fill_rect(
                (bx0, top + s),
                (bx0 + bar_w, top + s + 1),
                viridis(t(v)).to_rgba(),
            )?;
        }
        cv.stroke_rect((bx0, top), (bx0 + bar_w, bottom), AXIS, th.lw(1.5))?;
        let by = |v: f64| bottom - ((v - zmin) / zspan * (bottom - top) as f64).round() as i32;
        for (v, l) in bar_ticks.iter().zip(&bar_labels) {
            let y = by(*v);
            cv.line(
                &[(bx0 + bar_w, y), (bx0 + bar_w + th.px(8.0), y)],
                AXIS,
                th.lw(2.0),
            )?;
            cv.text(
                l,
                (bx0 + bar_w + th.px(12.0), y),
                th.tick,
                TEXT,
                (Align::Left, VAlign::Middle),
            )?;
        }
        for (k, l) in levels.iter().enumerate() {
            if *l >= zmin && *l <= zmax {
                let y = by(*l) as f64;
                let pts = [
                    (bx0 as f64 - th.px(6.0) as f64, y),
                    ((bx0 + bar_w) as f64, y),
                ];
                cv.polyline(&pts, WHITE, th.lw(7.0), None)?;
                cv.polyline(
                    &pts,
                    BLACK,
                    th.lw(3.0),
                    DASHES[k % DASHES.len()].map(|(a, b)| (a / 2.0, b / 2.0)),
                )?;
            }
        }
        let tx = bx0 + bar_w + th.px(12.0) + lab_w + th.px(16.0) + title_h / 2;
        cv.text_vertical(&self.z_label, (tx, (top + bottom) / 2), th.label, TEXT)?;
        Ok(())
    }
}
