//! Axes: "nice" ticks, tick labels with one number style per axis (no 1.6000000000000001), and
//! a frame that maps data to pixels and draws grid lines, ticks and axis titles.

use plotters::prelude::DrawingBackend;

use super::canvas::{max_width, measure, Align, Canvas, VAlign};
use super::output::DrawResult;
use super::style::{Theme, AXIS, GRID, TEXT};
use crate::units::format::{
    fmt_short, fmt_si, fmt_sig, fmt_thousands, fmt_usd, si_scale, SCI_BELOW, SCI_FROM,
};

/// How the numbers of an axis (and values written beside data) read.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum TickFormat {
    /// Plain numbers: thousands separators, an SI suffix from a million ("1.5 M").
    #[default]
    Plain,
    /// SI prefix and a unit: `Si("W".into())` gives "20 MW"; `Si(String::new())` gives "20 k".
    Si(String),
    /// US dollars with analysts' suffixes: "$0.25", "$18 k", "$1.5 B".
    Usd,
    /// A fraction shown as a percentage: 0.12 -> "12 %".
    Percent,
    /// A ratio: 1.3 -> "1.3x".
    Times,
}

impl TickFormat {
    /// One value for a label on the data, to 3 significant digits ("$1.23 B", "1.89x").
    pub fn value(&self, v: f64) -> String {
        match self {
            TickFormat::Plain => {
                if v.abs() >= 0.9995e6 {
                    fmt_si(v, "", 3)
                } else if v.abs() >= 1000.0 {
                    fmt_thousands(v, 0)
                } else {
                    sig3(v)
                }
            }
            // "500 MW" (the prefix joins the unit); a bare count keeps "20 k".
            TickFormat::Si(unit) if !unit.is_empty() => fmt_si(v, unit, 3),
            TickFormat::Si(unit) => fmt_si(v, &format!(" {unit}"), 3),
            TickFormat::Usd => usd(v),
            TickFormat::Percent => format!("{} %", sig3(v * 100.0)),
            TickFormat::Times if v.abs() >= SCI_FROM || !v.is_finite() => {
                format!("{}x", fmt_short(v, 3))
            }
            // "1.30x"; a ratio that would show as "0.00x" keeps its digits.
            TickFormat::Times if v != 0.0 && v.abs() < 0.005 => format!("{}x", fmt_sig(v, 3)),
            TickFormat::Times => format!("{:.2}x", v),
        }
    }
}

/// Money for a label: [`fmt_usd`] (3 significant digits below one dollar).
pub(crate) fn usd(v: f64) -> String {
    fmt_usd(v)
}

/// 3 significant digits ([`fmt_sig`]: scientific from 1e15 and below 1e-4).
fn sig3(v: f64) -> String {
    fmt_sig(v, 3)
}

/// Ticks at a "nice" step (1, 2 or 5 times a power of ten) inside [lo, hi], at most
/// about `max_n` of them. Returns (ticks, step).
pub(crate) fn nice_ticks(lo: f64, hi: f64, max_n: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).abs().max(f64::MIN_POSITIVE);
    let raw = span / max_n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            if v.abs() < step * 1e-9 {
                0.0
            } else {
                v
            }
        })
        .collect();
    (ticks, step)
}

/// The nice bounds around [lo, hi] (extended to whole steps).
pub(crate) fn nice_bounds(lo: f64, hi: f64, max_n: usize) -> (f64, f64) {
    let (_, step) = nice_ticks(lo, hi, max_n);
    let a = (lo / step + 1e-9).floor() * step;
    let b = (hi / step - 1e-9).ceil() * step;
    if b > a {
        (a, b)
    } else {
        (a - step, a + step)
    }
}

/// Ticks for a logarithmic axis: 1-2-5 (or denser) multiples of powers of ten.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let sets: [&[f64]; 4] = [
        &[1.0],
        &[1.0, 2.0, 5.0],
        &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0],
        &[1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ];
    let mut best = Vec::new();
    for set in sets {
        let mut t = Vec::new();
        let (e0, e1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        for e in e0..=e1 {
            for m in set {
                let v = m * 10f64.powi(e);
                if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                    t.push(v);
                }
            }
        }
        best = t;
        if best.len() >= 4 {
            break;
        }
    }
    best
}

/// Fewest decimals (<= 6) that show `x` exactly enough.
fn decimals_for(x: f64) -> usize {
    (0..=6)
        .find(|d| {
            let s = x * 10f64.powi(*d as i32);
            (s - s.round()).abs() < 1e-6 * s.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// Labels for `ticks`, one style for the axis: common suffix, common decimals (from `step`).
pub(crate) fn tick_labels(ticks: &[f64], step: f64, fmt: &TickFormat) -> Vec<String> {
    let m = ticks.iter().fold(0.0f64, |a, t| a.max(t.abs()));
    let limit = match fmt {
        TickFormat::Si(_) => 0.9995e21,
        TickFormat::Percent => SCI_FROM / 100.0,
        _ => SCI_FROM,
    };
    if m.is_finite() && (m >= limit || (m > 0.0 && m < SCI_BELOW)) {
        return sci_labels(ticks, step, m, fmt);
    }
    let (scale, suffix): (f64, String) = match fmt {
        TickFormat::Plain if m >= 0.9995e6 => {
            let (s, p) = si_scale(m);
            (m / s, format!(" {p}"))
        }
        TickFormat::Si(unit) => {
            let (s, p) = si_scale(m);
            let scale = if s == 0.0 { 1.0 } else { m / s };
            let u = format!("{p}{unit}");
            (scale, if u.is_empty() { u } else { format!(" {u}") })
        }
        TickFormat::Usd => {
            let (scale, p) = usd_scale(m);
            (scale, p.to_string())
        }
        TickFormat::Percent => (0.01, " %".to_string()),
        TickFormat::Times => (1.0, "x".to_string()),
        TickFormat::Plain => (1.0, String::new()),
    };
    let mut d = decimals_for(step / scale);
    // Ticks off the step's grid (a coarse grid's own values) keep their digits, up to 3.
    for t in ticks {
        d = d.max(decimals_for(t / scale).min(3));
    }
    if matches!(fmt, TickFormat::Usd) && scale == 1.0 && d == 1 {
        d = 2; // cents: "$0.80", not "$0.8"
    }
    ticks
        .iter()
        .map(|t| number(*t, scale, d, &suffix, fmt))
        .collect()
}

/// Labels for logarithmic ticks: one suffix for the axis, each with the decimals it needs.
pub(crate) fn log_labels(ticks: &[f64], fmt: &TickFormat) -> Vec<String> {
    // Each decade with its own prefix ("$1", "$10 k", "$1 M"): one suffix for the axis would
    // print the low ticks as "$0.000 M".
    ticks
        .iter()
        .map(|&t| tick_labels(&[t], t.abs(), fmt).remove(0))
        .collect()
}

/// Labels past the prefixes (an absurd but finite input): one power of ten for the axis,
/// "4.0e306", with the decimals the step needs.
fn sci_labels(ticks: &[f64], step: f64, m: f64, fmt: &TickFormat) -> Vec<String> {
    let (m, step) = match fmt {
        TickFormat::Percent => (m * 100.0, step * 100.0),
        _ => (m, step),
    };
    let e = m.log10().floor() as i32;
    let scale = 10f64.powi(e);
    let d = decimals_for(step / scale).min(3);
    ticks
        .iter()
        .map(|&t| {
            let t = if matches!(fmt, TickFormat::Percent) {
                t * 100.0
            } else {
                t
            };
            if t == 0.0 {
                return zero_label(fmt);
            }
            let sign = if t < 0.0 { "-" } else { "" };
            let body = format!("{:.d$}e{e}", (t / scale).abs());
            match fmt {
                TickFormat::Usd => format!("{sign}${body}"),
                TickFormat::Si(unit) => format!("{sign}{body} {unit}"),
                TickFormat::Percent => format!("{sign}{body} %"),
                TickFormat::Times => format!("{sign}{body}x"),
                TickFormat::Plain => format!("{sign}{body}"),
            }
        })
        .collect()
}

/// The label of a tick at 0: no decimals and no exponent in any style.
fn zero_label(fmt: &TickFormat) -> String {
    match fmt {
        TickFormat::Usd => "$0".into(),
        TickFormat::Percent => "0 %".into(),
        _ => "0".into(),
    }
}

fn usd_scale(m: f64) -> (f64, &'static str) {
    if m >= 0.9995e12 {
        (1e12, " T")
    } else if m >= 0.9995e9 {
        (1e9, " B")
    } else if m >= 0.9995e6 {
        (1e6, " M")
    } else if m >= 0.9995e4 {
        (1e3, " k")
    } else {
        (1.0, "")
    }
}

fn number(v: f64, scale: f64, d: usize, suffix: &str, fmt: &TickFormat) -> String {
    let x = v / scale;
    let body = if scale == 1.0 && matches!(fmt, TickFormat::Plain) {
        fmt_thousands(x, d)
    } else {
        format!("{:.d$}", x.abs())
    };
    let neg = x < 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0');
    let body = body.trim_start_matches('-').to_string();
    let sign = if neg { "-" } else { "" };
    if v == 0.0 {
        return zero_label(fmt);
    }
    match fmt {
        TickFormat::Usd => format!("{sign}${body}{suffix}"),
        _ => format!("{sign}{body}{suffix}"),
    }
}

/// One numeric axis: range, scale, ticks and their labels, and a title (with unit).
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub ticks: Vec<f64>,
    pub labels: Vec<String>,
    pub title: String,
    fmt: TickFormat,
}

impl Axis {
    /// A linear axis over exactly [lo, hi] with nice ticks inside.
    pub fn linear(lo: f64, hi: f64, fmt: &TickFormat, max_ticks: usize, title: &str) -> Axis {
        let (ticks, step) = nice_ticks(lo, hi, max_ticks);
        Axis {
            lo,
            hi,
            log: false,
            labels: tick_labels(&ticks, step, fmt),
            ticks,
            title: title.to_string(),
            fmt: fmt.clone(),
        }
    }

    /// A linear axis widened to nice bounds around [lo, hi].
    pub fn nice(lo: f64, hi: f64, fmt: &TickFormat, max_ticks: usize, title: &str) -> Axis {
        let (a, b) = nice_bounds(lo, hi, max_ticks);
        Axis::linear(a, b, fmt, max_ticks, title)
    }

    /// A logarithmic axis over [lo, hi] (both > 0).
    pub fn log(lo: f64, hi: f64, fmt: &TickFormat, title: &str) -> Axis {
        let ticks = log_ticks(lo, hi);
        Axis {
            lo,
            hi,
            log: true,
            labels: log_labels(&ticks, fmt),
            ticks,
            title: title.to_string(),
            fmt: fmt.clone(),
        }
    }

    /// The same range as `like`, with ticks at the given values (a coarse grid's points).
    pub fn at(like: &Axis, ticks: &[f64], fmt: &TickFormat) -> Axis {
        let step = ticks
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(f64::INFINITY, f64::min);
        let labels = if like.log {
            log_labels(ticks, fmt)
        } else {
            tick_labels(ticks, if step.is_finite() { step } else { 1.0 }, fmt)
        };
        Axis {
            ticks: ticks.to_vec(),
            labels,
            ..like.clone()
        }
    }

    /// An axis with no ticks (categories drawn by the chart itself).
    pub fn bare(lo: f64, hi: f64) -> Axis {
        Axis {
            lo,
            hi,
            log: false,
            ticks: vec![],
            labels: vec![],
            title: String::new(),
            fmt: TickFormat::Plain,
        }
    }

    /// Position of `v` along the axis in [0, 1].
    pub fn frac(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// Keeps every other tick (for labels that would touch), relabelling.
    fn thin(&mut self) {
        let ticks: Vec<f64> = self.ticks.iter().copied().step_by(2).collect();
        self.labels = if self.log {
            log_labels(&ticks, &self.fmt)
        } else {
            let step = if ticks.len() > 1 {
                ticks[1] - ticks[0]
            } else {
                self.hi - self.lo
            };
            tick_labels(&ticks, step, &self.fmt)
        };
        self.ticks = ticks;
    }
}

/// A plot rectangle in canvas pixels with its two axes.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub x: Axis,
    pub y: Axis,
}

impl Frame {
    /// Fits a plot rectangle into the region (x0, y0)-(x1, y1), leaving room for tick labels
    /// and axis titles, plus `extra` = (left, bottom) pixels for the chart's own labels.
    pub fn fit(
        region: ((i32, i32), (i32, i32)),
        x: Axis,
        y: Axis,
        th: &Theme,
        extra: (i32, i32),
    ) -> Frame {
        let ((x0, y0), (x1, y1)) = region;
        let gap = th.px(10.0);
        let (_, lh) = measure("0", th.tick);
        let ylab_w = max_width(&y.labels, th.tick);
        let ytitle = if y.title.is_empty() {
            0
        } else {
            measure(&y.title, th.label).1 + gap
        };
        let left = x0 + ytitle + ylab_w + if ylab_w > 0 { gap * 2 } else { 0 } + extra.0;
        let xtitle = if x.title.is_empty() {
            0
        } else {
            measure(&x.title, th.label).1 + gap
        };
        let xlab_h = if x.labels.is_empty() { 0 } else { lh + gap * 2 };
        let bottom = y1 - xtitle - xlab_h - extra.1;
        let last_half = x.labels.last().map_or(0, |l| measure(l, th.tick).0 / 2);
        let right = x1 - last_half.max(gap);
        let top = y0 + lh / 2 + gap;
        let mut f = Frame {
            left,
            top,
            right,
            bottom,
            x,
            y,
        };
        // Thin x labels that would run into each other.
        while f.x.ticks.len() > 2 {
            let widths: Vec<i32> = f.x.labels.iter().map(|l| measure(l, th.tick).0).collect();
            let pos: Vec<f64> = f.x.ticks.iter().map(|t| f.px(*t)).collect();
            let crowded = (1..pos.len()).any(|i| {
                pos[i] - pos[i - 1] < (widths[i] + widths[i - 1]) as f64 / 2.0 + 1.5 * gap as f64
            });
            if !crowded {
                break;
            }
            f.x.thin();
        }
        while f.y.ticks.len() > 2 {
            let pos: Vec<f64> = f.y.ticks.iter().map(|t| f.py(*t)).collect();
            if (1..pos.len()).all(|i| (pos[i] - pos[i - 1]).abs() > lh as f64 * 1.6) {
                break;
            }
            f.y.thin();
        }
        f
    }

    /// Pixel x of data x.
    pub fn px(&self, v: f64) -> f64 {
        self.left as f64 + self.x.frac(v) * (self.right - self.left) as f64
    }

    /// Pixel y of data y.
    pub fn py(&self, v: f64) -> f64 {
        self.bottom as f64 - self.y.frac(v) * (self.bottom - self.top) as f64
    }

    /// Rounded pixel point.
    pub fn pt(&self, x: f64, y: f64) -> (i32, i32) {
        (self.px(x).round() as i32, self.py(y).round() as i32)
    }

    /// Horizontal grid lines at the y ticks (and vertical ones at x ticks when `vertical`).
    pub fn grid<DB: DrawingBackend>(&self, cv: &Canvas<DB>, vertical: bool) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let w = cv.th.lw(1.0);
        for t in &self.y.ticks {
            let y = self.py(*t).round() as i32;
            cv.line(&[(self.left, y), (self.right, y)], GRID, w)?;
        }
        if vertical {
            for t in &self.x.ticks {
                let x = self.px(*t).round() as i32;
                cv.line(&[(x, self.top), (x, self.bottom)], GRID, w)?;
            }
        }
        Ok(())
    }

    /// Axis lines (left and bottom), tick marks, tick labels and axis titles.
    pub fn axes<DB: DrawingBackend>(&self, cv: &Canvas<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let th = &cv.th;
        let gap = th.px(10.0);
        let tick = th.px(8.0);
        let w = th.lw(2.0);
        cv.line(&[(self.left, self.top), (self.left, self.bottom)], AXIS, w)?;
        cv.line(
            &[(self.left, self.bottom), (self.right, self.bottom)],
            AXIS,
            w,
        )?;
        for (t, l) in self.y.ticks.iter().zip(&self.y.labels) {
            let y = self.py(*t).round() as i32;
            cv.line(&[(self.left - tick, y), (self.left, y)], AXIS, w)?;
            cv.text(
                l,
                (self.left - tick - gap / 2, y),
                th.tick,
                TEXT,
                (Align::Right, VAlign::Middle),
            )?;
        }
        for (t, l) in self.x.ticks.iter().zip(&self.x.labels) {
            let x = self.px(*t).round() as i32;
            cv.line(&[(x, self.bottom), (x, self.bottom + tick)], AXIS, w)?;
            cv.text(
                l,
                (x, self.bottom + tick + gap / 2),
                th.tick,
                TEXT,
                (Align::Center, VAlign::Top),
            )?;
        }
        if !self.y.title.is_empty() {
            let ylab_w = max_width(&self.y.labels, th.tick);
            let h = measure(&self.y.title, th.label).1;
            let x = self.left - tick - gap - ylab_w - gap - h / 2;
            let y = (self.top + self.bottom) / 2;
            cv.text_vertical(&self.y.title, (x, y), th.label, TEXT)?;
        }
        if !self.x.title.is_empty() {
            let (_, lh) = measure("0", th.tick);
            let y = self.bottom + tick + gap + lh + gap;
            let x = (self.left + self.right) / 2;
            cv.text(
                &self.x.title,
                (x, y),
                th.label,
                TEXT,
                (Align::Center, VAlign::Top),
            )?;
        }
        Ok(())
    }
}
