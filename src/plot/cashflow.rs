//! Cash flow per year over the horizon: grouped bars, one per fleet; capex (purchase and
//! refresh) hatched on top of the year's opex, the residual-value credit below zero.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{usd, Axis, Frame, TickFormat};
use super::canvas::{measure, Canvas};
use super::fleets::run_subtitle;
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{darker, sequence, text_on, Theme, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::report::rows::{CashflowRow, RunReport};

/// Yearly whole-fleet cash flow (`cashflow.csv` rows) for every fleet of `r`: year 0 buys
/// hardware and facility, refresh years buy hardware again (hatched), years 1..H pay energy,
/// upkeep or rent, and year H credits the residual value (below zero). The legend gives each
/// fleet's nominal and discounted totals. USD with k/M/B suffixes.
pub fn cashflow(
    r: &RunReport,
    rows: &[CashflowRow],
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(&Cashflow { r, rows }, path, fmt, o)
}

struct Cashflow<'a> {
    r: &'a RunReport,
    rows: &'a [CashflowRow],
}

impl Cashflow<'_> {
    /// Fleet ids: the report's order, then any others found in the rows.
    fn fleets(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.r.fleets.iter().map(|f| f.id.clone()).collect();
        ids.retain(|id| self.rows.iter().any(|row| &row.fleet == id));
        for row in self.rows {
            if !ids.contains(&row.fleet) {
                ids.push(row.fleet.clone());
            }
        }
        ids
    }
}

fn opex(row: &CashflowRow) -> f64 {
    row.energy + row.upkeep + row.rent
}

impl Chart for Cashflow<'_> {
    fn check(&self) -> Result<(), String> {
        if self.rows.is_empty() {
            return Err("there are no cash-flow rows".into());
        }
        for row in self.rows {
            let v = [
                row.capex,
                row.energy,
                row.upkeep,
                row.rent,
                row.residual,
                row.total,
            ];
            if v.iter().any(|x| !x.is_finite()) {
                return Err(format!(
                    "fleet {} year {} has a non-finite amount",
                    row.fleet, row.year
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let cv = Canvas::new(root, th);
        let ids = self.fleets();
        let colors = sequence(ids.len());
        let horizon = self.rows.iter().map(|r| r.year).max().unwrap_or(0);
        let mut items: Vec<Item> = ids
            .iter()
            .zip(&colors)
            .map(|(id, c)| {
                let rows = self.rows.iter().filter(|r| &r.fleet == id);
                let (nom, pv) =
                    rows.fold((0.0, 0.0), |a, r| (a.0 + r.total, a.1 + r.discounted_total));
                Item::fill(
                    format!("{id}: {} total, {} PV", usd(nom), usd(pv)),
                    *c,
                    false,
                )
            })
            .collect();
        let any_capex = self.rows.iter().any(|r| r.capex > 0.0);
        // cashflow.csv books the residual credit as a negative cost; it is drawn below zero.
        let any_residual = self.rows.iter().any(|r| r.residual != 0.0);
        if any_capex {
            items.push(Item::fill(
                "Capex: purchase, refresh",
                RGBColor(0xee, 0xee, 0xee),
                true,
            ));
        }
        if any_residual {
            items.push(Item::fill(
                "Residual value credit",
                RGBColor(0xd4, 0xd4, 0xd4),
                false,
            ));
        }
        let title = format!("Cash flow per year over {horizon} years, whole fleet");
        let notes = vec![
            "Nominal USD per year: capex (hatched) on top of energy, upkeep or rent; the residual value of equipment still in service is credited in the last year (below zero). Totals are net of it; PV discounted to year 0.".to_string(),
        ];
        let region = frame_region(&cv, &title, &run_subtitle(self.r), &items, &notes)?;

        let pos_max = self
            .rows
            .iter()
            .map(|r| opex(r) + r.capex)
            .fold(0.0, f64::max);
        let neg_min = self
            .rows
            .iter()
            .map(|r| -r.residual.abs())
            .fold(0.0, f64::min);
        // Room above the tallest bar for its rotated label.
        let label_w = self
            .rows
            .iter()
            .filter(|r| r.capex > 0.0)
            .map(|r| measure(&usd(opex(r) + r.capex), th.value).0)
            .max()
            .unwrap_or(0);
        let probe = Frame::fit(
            region,
            Axis::bare(0.0, 1.0),
            Axis::bare(0.0, 1.0),
            th,
            (0, 0),
        );
        let plot_h = (probe.bottom - probe.top).max(1) as f64;
        let frac = ((label_w + th.px(20.0)) as f64 / plot_h).min(0.4);
        let span0 = (pos_max - neg_min).max(1.0);
        let top = pos_max + span0 * frac / (1.0 - frac);
        let y = Axis::nice(
            neg_min,
            top,
            &TickFormat::Usd,
            8,
            "USD per year (whole fleet)",
        );
        let x = Axis::linear(
            -0.5,
            horizon as f64 + 0.5,
            &TickFormat::Plain,
            16,
            "Year (0 = purchase)",
        );
        // Whole years only: at most ~16 labels, every k-th year on long horizons.
        let every = (horizon as usize / 16 + 1).max(1);
        let years: Vec<f64> = (0..=horizon as usize)
            .step_by(every)
            .map(|y| y as f64)
            .collect();
        let x = Axis::at(&x, &years, &TickFormat::Plain);
        let frame = Frame::fit(region, x, y, th, (0, 0));
        frame.grid(&cv, false)?;

        let n = ids.len().max(1) as f64;
        let slot = (frame.right - frame.left) as f64 / (horizon as f64 + 1.0);
        let bar = slot * 0.84 / n;
        // Narrow bars: only the tallest capex bar of each year is labelled, so labels never touch.
        let label_all = bar >= (measure("$0", th.value).1 + th.px(4.0)) as f64;
        let tallest = |row: &CashflowRow| {
            let top = |r: &CashflowRow| opex(r) + r.capex;
            self.rows
                .iter()
                .filter(|r| r.year == row.year)
                .all(|r| top(r) <= top(row))
        };
        for (k, id) in ids.iter().enumerate() {
            let c = colors[k];
            for row in self.rows.iter().filter(|r| &r.fleet == id) {
                let cx = frame.px(row.year as f64) - slot * 0.42 + bar * (k as f64 + 0.5);
                let (x0, x1) = (
                    (cx - bar / 2.0).round() as i32,
                    (cx + bar / 2.0).round() as i32 - 1,
                );
                let y0 = frame.py(0.0).round() as i32;
                let yo = frame.py(opex(row)).round() as i32;
                let yc = frame.py(opex(row) + row.capex).round() as i32;
                let edge = darker(c, 0.5);
                if row.capex + opex(row) > 0.0 {
                    cv.fill_rect((x0, yc), (x1, y0), c.to_rgba())?;
                    if row.capex > 0.0 {
                        let hc = if text_on(c) == TEXT {
                            darker(c, 0.6)
                        } else {
                            RGBColor(0xff, 0xff, 0xff)
                        };
                        cv.hatch((x0, yc), (x1, yo), hc, th.px(12.0), th.lw(2.0))?;
                    }
                    cv.stroke_rect((x0, yc), (x1, y0), edge, th.lw(1.2))?;
                }
                if row.residual != 0.0 {
                    let yr = frame.py(-row.residual.abs()).round() as i32;
                    cv.fill_rect((x0, y0), (x1, yr), c.mix(0.35))?;
                    cv.stroke_rect((x0, y0), (x1, yr), edge, th.lw(1.2))?;
                }
                if row.capex > 0.0 && (label_all || tallest(row)) {
                    let label = usd(opex(row) + row.capex);
                    let w = measure(&label, th.value).0;
                    cv.text_vertical(
                        &label,
                        (cx.round() as i32, yc - th.px(8.0) - w / 2),
                        th.value,
                        TEXT,
                    )?;
                }
            }
        }
        let y0 = frame.py(0.0).round() as i32;
        cv.line(&[(frame.left, y0), (frame.right, y0)], TEXT, th.lw(1.5))?;
        frame.axes(&cv)?;
        Ok(())
    }
}
