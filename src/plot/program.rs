//! Program charts (MODEL.md section 8), drawn from the report's program rows: capacity online
//! by tranche over the years (stacked), yearly cost against contract payments with the
//! cumulative net (payback), and the levelized cost of every program side by side.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{usd, Axis, Frame, TickFormat};
use super::canvas::{line_height, measure, Align, Canvas, Marker, VAlign};
use super::fleets::run_subtitle;
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{darker, sequence, text_on, viridis, Theme, ACCENT, MUTED, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::report::rows::{ProgramRow, RunReport};

/// File stems of the program charts: `program_capacity_ID` and `program_cash_ID` (with a
/// contract) per program, and `program_levelized` for all of them.
pub const CAPACITY: &str = "program_capacity_";
pub const CASH: &str = "program_cash_";
pub const LEVELIZED: &str = "program_levelized";

/// Whether `name` (a file name) is a program chart.
pub fn is_program_chart(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".png")
        .or_else(|| name.strip_suffix(".svg"))
    else {
        return false;
    };
    stem == LEVELIZED
        || [CAPACITY, CASH]
            .iter()
            .any(|p| stem.strip_prefix(p).is_some_and(|id| !id.is_empty()))
}

/// The program charts of `r` as (stem, program index or None for the levelized chart).
pub fn program_charts(r: &RunReport) -> Vec<(String, Option<usize>)> {
    let mut out = Vec::new();
    for (i, p) in r.programs.iter().enumerate() {
        out.push((format!("{CAPACITY}{}", p.id), Some(i)));
        if p.contract.is_some() {
            out.push((format!("{CASH}{}", p.id), Some(i)));
        }
    }
    if !r.programs.is_empty() {
        out.push((LEVELIZED.to_string(), None));
    }
    out
}

/// Draws chart `stem` of [`program_charts`].
pub fn draw(
    r: &RunReport,
    stem: &str,
    index: Option<usize>,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    match index {
        None => render(&Levelized { r }, path, fmt, o),
        Some(i) if stem.starts_with(CASH) => render(
            &Cash {
                r,
                p: &r.programs[i],
            },
            path,
            fmt,
            o,
        ),
        Some(i) => render(
            &Capacity {
                r,
                p: &r.programs[i],
            },
            path,
            fmt,
            o,
        ),
    }
}

/// A unit cost with 4 significant digits ("$0.2418"): programs often differ in the third.
fn unit_usd(v: f64) -> String {
    if v.abs() >= 1000.0 || v == 0.0 {
        return usd(v);
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("${v:.digits$}")
}

fn years_text(y: f64) -> String {
    if y.fract() == 0.0 {
        format!("{y:.0}")
    } else {
        format!("{y:.1}")
    }
}

fn tranche_label(t: &crate::report::rows::TrancheRow) -> String {
    format!(
        "{} from year {}: {} chips, {}",
        t.fleet,
        years_text(t.start_years),
        crate::units::format::fmt_thousands(t.chips, 0),
        TickFormat::Si("W".into()).value(t.facility_power_w)
    )
}

fn check_years(p: &ProgramRow) -> Result<(), String> {
    if p.years.is_empty() {
        return Err(format!("program {} has no years", p.id));
    }
    for y in &p.years {
        let v = [y.power_online_w, y.total, y.payments, y.net];
        if v.iter().any(|x| !x.is_finite()) {
            return Err(format!(
                "program {} year {} has a non-finite figure",
                p.id, y.year
            ));
        }
    }
    Ok(())
}

/// A year axis 0..=last, whole years, at most ~16 labels.
fn year_axis(last: u32) -> Axis {
    let x = Axis::linear(
        -0.5,
        last as f64 + 0.5,
        &TickFormat::Plain,
        16,
        "Year (year k covers (k-1, k]; 0 = the first purchases)",
    );
    let every = (last as usize / 16 + 1).max(1);
    let years: Vec<f64> = (0..=last as usize)
        .step_by(every)
        .map(|y| y as f64)
        .collect();
    Axis::at(&x, &years, &TickFormat::Plain)
}

/// Facility power online at the end of each year, stacked by tranche.
struct Capacity<'a> {
    r: &'a RunReport,
    p: &'a ProgramRow,
}

impl Capacity<'_> {
    /// Power of tranche `t` online at the end of year `k` (as the model counts it: a tranche
    /// is online from its start, up to the horizon).
    fn online(&self, t: &crate::report::rows::TrancheRow, k: u32) -> f64 {
        let h = self.r.horizon_years.unwrap_or(f64::INFINITY);
        if t.start_years <= (k as f64).min(h) + 1e-9 {
            t.facility_power_w
        } else {
            0.0
        }
    }
}

impl Chart for Capacity<'_> {
    fn check(&self) -> Result<(), String> {
        check_years(self.p)?;
        if self.p.tranches.is_empty() || self.p.peak_power_w <= 0.0 {
            return Err(format!("program {} has no capacity", self.p.id));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let p = self.p;
        let cv = Canvas::new(root, th);
        let colors = sequence(p.tranches.len());
        let items: Vec<Item> = p
            .tranches
            .iter()
            .zip(&colors)
            .map(|(t, c)| Item::fill(tranche_label(t), *c, false))
            .collect();
        let last = p.years.iter().map(|y| y.year).max().unwrap_or(0);
        let title = format!("Program {}: capacity online by tranche", p.id);
        let notes = vec![format!(
            "Facility power of the tranches online at the end of each year, stacked in tranche order; each tranche is sized from its power (or chips) like a fleet and runs to the horizon. Peak {} and {} chips.",
            TickFormat::Si("W".into()).value(p.peak_power_w),
            crate::units::format::fmt_thousands(p.peak_chips, 0)
        )];
        let region = frame_region(&cv, &title, &run_subtitle(self.r), &items, &notes)?;
        let top = p.peak_power_w * 1.15;
        let y = Axis::nice(
            0.0,
            top,
            &TickFormat::Si("W".into()),
            8,
            "Facility power online",
        );
        let frame = Frame::fit(region, year_axis(last), y, th, (0, 0));
        frame.grid(&cv, false)?;
        let slot = (frame.right - frame.left) as f64 / (last as f64 + 1.0);
        let bar = slot * 0.7;
        for y in &p.years {
            let cx = frame.px(y.year as f64);
            let (x0, x1) = (
                (cx - bar / 2.0).round() as i32,
                (cx + bar / 2.0).round() as i32,
            );
            let mut base = 0.0;
            for (t, c) in p.tranches.iter().zip(&colors) {
                let v = self.online(t, y.year);
                if v <= 0.0 {
                    continue;
                }
                let (ya, yb) = (
                    frame.py(base).round() as i32,
                    frame.py(base + v).round() as i32,
                );
                cv.fill_rect((x0, yb), (x1, ya), c.to_rgba())?;
                cv.stroke_rect((x0, yb), (x1, ya), darker(*c, 0.5), th.lw(1.2))?;
                base += v;
            }
            if base > 0.0 {
                let label = TickFormat::Si("W".into()).value(base);
                if measure(&label, th.value).0 <= slot.round() as i32 {
                    cv.label(
                        &label,
                        (
                            cx.round() as i32,
                            frame.py(base).round() as i32 - th.px(6.0),
                        ),
                        th.value,
                        TEXT,
                        (Align::Center, VAlign::Bottom),
                    )?;
                }
            }
        }
        frame.axes(&cv)?;
        Ok(())
    }
}

/// Yearly cost against contract payments, with the cumulative net and the payback year.
struct Cash<'a> {
    r: &'a RunReport,
    p: &'a ProgramRow,
}

impl Chart for Cash<'_> {
    fn check(&self) -> Result<(), String> {
        check_years(self.p)?;
        if self.p.contract.is_none() {
            return Err(format!("program {} has no contract", self.p.id));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let p = self.p;
        let c = p.contract.as_ref().expect("checked");
        let cv = Canvas::new(root, th);
        let (cost_c, pay_c, net_c) = (viridis(0.28), viridis(0.78), ACCENT);
        let mut cumulative = Vec::with_capacity(p.years.len());
        let mut sum = 0.0;
        for y in &p.years {
            sum += y.net;
            cumulative.push(sum);
        }
        let payback = p
            .years
            .iter()
            .zip(&cumulative)
            .find(|(_, &s)| s >= 0.0)
            .map(|(y, _)| y.year);
        let items = vec![
            Item::fill(
                "Cost of the year (residual credit below zero)",
                cost_c,
                false,
            ),
            Item::fill("Contract payments", pay_c, false),
            Item::line(
                "Cumulative net (payments − cost), nominal",
                net_c,
                None,
                Some(Marker::Circle),
            ),
        ];
        let irr = match (c.provider_irr, &c.irr_note) {
            (Some(v), _) => format!("IRR {} %", crate::units::format::fmt_fixed(v * 100.0, 1)),
            (None, Some(note)) => format!("IRR none ({note})"),
            (None, None) => "IRR none".into(),
        };
        let last = p.years.iter().map(|y| y.year).max().unwrap_or(0);
        let title = format!(
            "Program {}: cost against {} of payments over {} years",
            p.id,
            usd(c.value),
            years_text(c.term_years)
        );
        let notes = vec![
            format!(
                "Provider's view over the contract (costs to its end, residual credited there): NPV {}, {irr}, payback year {}; implied {} per chip-hour, margin {} % of the payments' PV.",
                usd(c.provider_npv),
                c.payback_year.map(|y| y.to_string()).unwrap_or_else(|| "none".into()),
                usd(c.implied_per_chip_hour),
                crate::units::format::fmt_fixed(c.implied_margin * 100.0, 1)
            ),
            "Bars and line are the program's years over the horizon (nominal USD).".to_string(),
        ];
        let region = frame_region(&cv, &title, &run_subtitle(self.r), &items, &notes)?;
        let hi = p
            .years
            .iter()
            .map(|y| y.total.max(y.payments))
            .chain(cumulative.iter().copied())
            .fold(0.0, f64::max);
        let lo = p
            .years
            .iter()
            .map(|y| y.total.min(0.0))
            .chain(cumulative.iter().copied())
            .fold(0.0, f64::min);
        let span = (hi - lo).max(1.0);
        let y = Axis::nice(
            lo - 0.05 * span,
            hi + 0.12 * span,
            &TickFormat::Usd,
            8,
            "USD per year; cumulative USD",
        );
        let frame = Frame::fit(region, year_axis(last), y, th, (0, 0));
        frame.grid(&cv, false)?;
        let slot = (frame.right - frame.left) as f64 / (last as f64 + 1.0);
        let bar = slot * 0.36;
        let y0 = frame.py(0.0).round() as i32;
        for y in &p.years {
            let cx = frame.px(y.year as f64);
            for (k, (v, col)) in [(y.total, cost_c), (y.payments, pay_c)].iter().enumerate() {
                if *v == 0.0 {
                    continue;
                }
                let left = cx - bar + k as f64 * bar;
                let (x0, x1) = (left.round() as i32, (left + bar).round() as i32 - 1);
                let yv = frame.py(*v).round() as i32;
                cv.fill_rect((x0, yv), (x1, y0), col.to_rgba())?;
                cv.stroke_rect((x0, yv), (x1, y0), darker(*col, 0.5), th.lw(1.2))?;
            }
        }
        cv.line(&[(frame.left, y0), (frame.right, y0)], TEXT, th.lw(1.5))?;
        if let Some(year) = payback {
            let x = frame.px(year as f64).round() as i32;
            cv.polyline(
                &[
                    (x as f64, frame.top as f64),
                    (x as f64, frame.bottom as f64),
                ],
                MUTED,
                th.lw(2.0),
                Some((10.0, 8.0)),
            )?;
            cv.label(
                &format!("payback: year {year}"),
                (x + th.px(8.0), frame.top + th.px(6.0)),
                th.value.bold(),
                MUTED,
                (Align::Left, VAlign::Top),
            )?;
        }
        let pts: Vec<(f64, f64)> = p
            .years
            .iter()
            .zip(&cumulative)
            .map(|(y, &s)| (frame.px(y.year as f64), frame.py(s)))
            .collect();
        cv.polyline(&pts, net_c, th.lw(4.0), None)?;
        for &(x, y) in &pts {
            cv.marker(
                Marker::Circle,
                (x.round() as i32, y.round() as i32),
                th.px(7.0),
                net_c,
                darker(net_c, 0.4),
            )?;
        }
        if let (Some(&(x, y)), Some(&s)) = (pts.last(), cumulative.last()) {
            cv.label(
                &usd(s),
                (
                    x.round() as i32 - th.px(12.0),
                    y.round() as i32 - th.px(10.0),
                ),
                th.value.bold(),
                net_c,
                (Align::Right, VAlign::Bottom),
            )?;
        }
        frame.axes(&cv)?;
        Ok(())
    }
}

/// The levelized cost per unit of every program, with what a contract pays per unit and rho
/// against the baseline program.
struct Levelized<'a> {
    r: &'a RunReport,
}

impl Chart for Levelized<'_> {
    fn check(&self) -> Result<(), String> {
        if self.r.programs.is_empty() {
            return Err("the report has no programs".into());
        }
        for p in &self.r.programs {
            if !(p.levelized_cost_per_unit.is_finite() && p.levelized_cost_per_unit > 0.0) {
                return Err(format!(
                    "program {}'s levelized cost is {}",
                    p.id, p.levelized_cost_per_unit
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.r;
        let cv = Canvas::new(root, th);
        let n = r.programs.len();
        let colors = sequence(n);
        let unit = r.programs[0].work_unit.clone();
        let any_contract = r.programs.iter().any(|p| p.contract.is_some());
        let mut items = vec![];
        if any_contract {
            items.push(Item::line(
                "What the contract pays per unit (PV of payments / PV of work)",
                ACCENT,
                Some((14.0, 8.0)),
                None,
            ));
        }
        let h = r.horizon_years.map(years_text).unwrap_or_default();
        let title = format!("Programs: levelized cost per {unit} over {h} years");
        let baseline = r.program_comparisons.first().map(|c| c.baseline.clone());
        let mut notes = vec![format!(
            "Levelized cost = PV of the program's cash / PV of the work it delivers over the horizon: ramps, refreshes at declining prices and the residual value included. rho = the baseline's levelized cost / the program's{}.",
            baseline.as_ref().map(|b| format!(" (baseline {b})")).unwrap_or_default()
        )];
        if any_contract {
            notes.push("A contract's line is above its bar when it pays more per unit than the program costs (over the contract's own years).".into());
        }
        let region = frame_region(&cv, &title, &run_subtitle(r), &items, &notes)?;
        let top = r
            .programs
            .iter()
            .map(|p| {
                let pay = p.contract.as_ref().map_or(0.0, |c| c.implied_per_unit);
                p.levelized_cost_per_unit
                    .max(if pay.is_finite() { pay } else { 0.0 })
            })
            .fold(0.0, f64::max);
        let y = Axis::nice(
            0.0,
            top * 1.3,
            &TickFormat::Usd,
            8,
            &format!("USD per {unit} (levelized)"),
        );
        let x = Axis::bare(-0.5, n as f64 - 0.5);
        let below = 2 * line_height(th.tick) + th.px(20.0);
        let frame = Frame::fit(region, x, y, th, (0, below));
        frame.grid(&cv, false)?;
        let slot = (frame.right - frame.left) as f64 / n as f64;
        let bar = (slot * 0.5).min(th.px(280.0) as f64);
        let y0 = frame.py(0.0).round() as i32;
        for (i, p) in r.programs.iter().enumerate() {
            let cx = frame.px(i as f64);
            let (x0, x1) = (
                (cx - bar / 2.0).round() as i32,
                (cx + bar / 2.0).round() as i32,
            );
            let v = p.levelized_cost_per_unit;
            let yv = frame.py(v).round() as i32;
            cv.fill_rect((x0, yv), (x1, y0), colors[i].to_rgba())?;
            cv.stroke_rect((x0, yv), (x1, y0), darker(colors[i], 0.5), th.lw(1.5))?;
            if let Some(c) = &p.contract {
                if c.implied_per_unit.is_finite() {
                    let yc = frame.py(c.implied_per_unit);
                    let w = bar * 0.65;
                    cv.polyline(
                        &[(cx - w, yc), (cx + w, yc)],
                        ACCENT,
                        th.lw(4.0),
                        Some((14.0, 8.0)),
                    )?;
                    // Right of the line, or left of it when it would leave the frame.
                    let text = format!("pays {}", unit_usd(c.implied_per_unit));
                    let right = (cx + w).round() as i32 + th.px(8.0);
                    let (x, align) = if right + measure(&text, th.value).0 <= frame.right {
                        (right, Align::Left)
                    } else {
                        ((cx - w).round() as i32 - th.px(8.0), Align::Right)
                    };
                    cv.label(
                        &text,
                        (x, yc.round() as i32),
                        th.value,
                        ACCENT,
                        (align, VAlign::Middle),
                    )?;
                }
            }
            // The bar's value inside its top when it fits, else just above it.
            let font = th.value.scaled(1.2).bold();
            if y0 - yv > 2 * line_height(font) {
                cv.text(
                    &unit_usd(v),
                    (cx.round() as i32, yv + th.px(8.0)),
                    font,
                    text_on(colors[i]),
                    (Align::Center, VAlign::Top),
                )?;
            } else {
                cv.label(
                    &unit_usd(v),
                    (cx.round() as i32, yv - th.px(8.0)),
                    font,
                    TEXT,
                    (Align::Center, VAlign::Bottom),
                )?;
            }
            let rho = r
                .program_comparisons
                .iter()
                .find(|c| c.candidate == p.id)
                .map(|c| format!("rho {}", TickFormat::Times.value(c.rho)))
                .unwrap_or_else(|| {
                    if baseline.as_deref() == Some(p.id.as_str()) {
                        "baseline".into()
                    } else {
                        String::new()
                    }
                });
            cv.lines(
                &[p.id.clone(), rho],
                (cx.round() as i32, frame.bottom + th.px(10.0)),
                th.tick.bold(),
                TEXT,
                (Align::Center, VAlign::Top),
            )?;
        }
        frame.axes(&cv)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_chart_names() {
        assert!(is_program_chart("program_capacity_aws.png"));
        assert!(is_program_chart("program_cash_gpu-1.svg"));
        assert!(is_program_chart("program_levelized.png"));
        assert!(!is_program_chart("program_capacity_.png"));
        assert!(!is_program_chart("program_years.csv"));
        assert!(!is_program_chart("cashflow.png"));
    }

    #[test]
    fn unit_costs_keep_four_digits() {
        assert_eq!(unit_usd(0.241795), "$0.2418");
        assert_eq!(unit_usd(2.9019), "$2.902");
        assert_eq!(unit_usd(31.25), "$31.25");
        assert_eq!(unit_usd(0.0190), "$0.01900");
    }

    /// A power written on the data reads "500 MW", prefix and unit together.
    #[test]
    fn watts_on_the_data() {
        assert_eq!(TickFormat::Si("W".into()).value(5e8), "500 MW");
        assert_eq!(TickFormat::Si("W".into()).value(1.5e9), "1.50 GW");
    }
}
