//! The contract check (MODEL.md section 5): the price per chip-hour a contract implies beside
//! the fleet's cost per chip-hour, and the margin between them.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Frame, TickFormat};
use super::canvas::{line_height, Align, Canvas, VAlign};
use super::fleets::run_subtitle;
use super::legend::frame_region;
use super::output::{render, Chart, DrawResult};
use super::style::{darker, viridis, Theme, ACCENT, MUTED, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::report::rows::{ContractRow, RunReport};

/// Two bars: implied USD per chip-hour and the fleet's cost per chip-hour; the gap is the
/// margin on the price. Needs `r.contract`.
pub fn contract(
    r: &RunReport,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(&ContractChart { r }, path, fmt, o)
}

struct ContractChart<'a> {
    r: &'a RunReport,
}

impl ContractChart<'_> {
    fn row(&self) -> Result<&ContractRow, String> {
        self.r
            .contract
            .as_ref()
            .ok_or_else(|| "the report has no contract".to_string())
    }
}

fn usd_h(v: f64) -> String {
    if v.is_finite() && v.abs() >= 0.001 && v.abs() < 1e4 {
        format!("${v:.3}")
    } else {
        crate::units::format::fmt_usd(v)
    }
}

impl Chart for ContractChart<'_> {
    fn check(&self) -> Result<(), String> {
        let c = self.row()?;
        for (k, v) in [
            ("implied_per_chip_hour", c.implied_per_chip_hour),
            ("cost_per_chip_hour", c.cost_per_chip_hour),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("the contract's {k} is {v}"));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let c = self.row().expect("checked");
        let r = self.r;
        let cv = Canvas::new(root, th);
        let chip = r
            .fleets
            .iter()
            .find(|f| f.id == c.fleet)
            .map(|f| {
                if f.chip_name.is_empty() {
                    f.chip.clone()
                } else {
                    f.chip_name.clone()
                }
            })
            .unwrap_or_default();
        let years = c.term_years;
        let title = format!(
            "Contract: {} over {} years buys fleet {} ({chip})",
            TickFormat::Usd.value(c.value),
            if years.fract() == 0.0 {
                format!("{years:.0}")
            } else {
                format!("{years:.1}")
            },
            c.fleet
        );
        let margin = 1.0 - c.cost_per_chip_hour / c.implied_per_chip_hour;
        let notes = vec![
            "Implied = contract value / (chips × term × 8766 h): the value paid evenly for every chip-hour of the term. Cost = the fleet's annualised cost per chip-hour (capital at the discount rate, energy, upkeep).".to_string(),
            format!(
                "Margin on the price = 1 − cost / implied = {} %{}.",
                crate::units::format::fmt_fixed(margin * 100.0, 1),
                if margin < 0.0 { ": the contract pays less than the fleet costs" } else { "" }
            ),
        ];
        let region = frame_region(&cv, &title, &run_subtitle(r), &[], &notes)?;
        let values = [c.implied_per_chip_hour, c.cost_per_chip_hour];
        let names = ["Implied price per chip-hour", "Fleet cost per chip-hour"];
        let top = values.iter().copied().fold(0.0, f64::max).max(1e-9);
        let y = Axis::nice(0.0, top * 1.45, &TickFormat::Usd, 8, "USD per chip-hour");
        let x = Axis::bare(-0.5, 1.5);
        let frame = Frame::fit(region, x, y, th, (0, line_height(th.tick) + th.px(16.0)));
        frame.grid(&cv, false)?;
        let bar_w = ((frame.right - frame.left) as f64 * 0.22).min(th.px(260.0) as f64);
        let colors = [viridis(0.05), viridis(0.72)];
        for (i, v) in values.iter().enumerate() {
            let cx = frame.px(i as f64);
            let (x0, x1) = (
                (cx - bar_w / 2.0).round() as i32,
                (cx + bar_w / 2.0).round() as i32,
            );
            let (ya, yb) = (frame.py(0.0).round() as i32, frame.py(*v).round() as i32);
            cv.fill_rect((x0, yb), (x1, ya), colors[i].to_rgba())?;
            cv.stroke_rect((x0, yb), (x1, ya), darker(colors[i], 0.5), th.lw(1.5))?;
            cv.label(
                &usd_h(*v),
                (cx.round() as i32, yb - th.px(8.0)),
                th.value.scaled(1.25).bold(),
                TEXT,
                (Align::Center, VAlign::Bottom),
            )?;
            cv.text(
                names[i],
                (cx.round() as i32, frame.bottom + th.px(10.0)),
                th.tick.bold(),
                TEXT,
                (Align::Center, VAlign::Top),
            )?;
        }
        // The margin: a bracket between the two bar tops, labelled.
        let (y_imp, y_cost) = (frame.py(values[0]), frame.py(values[1]));
        let xm = (frame.px(0.0) + frame.px(1.0)) / 2.0;
        cv.polyline(&[(xm, y_imp), (xm, y_cost)], ACCENT, th.lw(3.0), None)?;
        for y in [y_imp, y_cost] {
            cv.polyline(
                &[(xm - th.px(10.0) as f64, y), (xm + th.px(10.0) as f64, y)],
                ACCENT,
                th.lw(3.0),
                None,
            )?;
        }
        // Its label centred over the bracket, above both bars' value labels.
        let top = y_imp.min(y_cost).round() as i32 - th.px(8.0) - 2 * line_height(th.value);
        cv.label(
            &format!(
                "margin {} %",
                crate::units::format::fmt_fixed(margin * 100.0, 1)
            ),
            (xm.round() as i32, top - line_height(th.note)),
            th.value.bold(),
            ACCENT,
            (Align::Center, VAlign::Bottom),
        )?;
        cv.label(
            &format!("difference {} per chip-hour", usd_h(values[0] - values[1])),
            (xm.round() as i32, top),
            th.note,
            MUTED,
            (Align::Center, VAlign::Bottom),
        )?;
        frame.axes(&cv)?;
        Ok(())
    }
}
