//! Cost per unit of work, stacked by component, one bar per fleet.

use std::path::Path;

use plotters::prelude::*;

use super::axis::{usd, Axis, Frame, TickFormat};
use super::canvas::{measure, Align, Canvas, VAlign};
use super::fleets::{blocks_height, check_fleets, draw_under, fit_blocks, run_subtitle};
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{darker, text_on, viridis, Theme, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::report::rows::{FleetRow, RunReport};

/// Stacked bars of cost per unit of work (the fleets' `work_unit`), split into hardware capital,
/// facility capital, energy, upkeep and rent; the total is written above each bar.
pub fn cost_breakdown(
    r: &RunReport,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(&CostBreakdown { r }, path, fmt, o)
}

struct CostBreakdown<'a> {
    r: &'a RunReport,
}

struct Component {
    name: &'static str,
    color: RGBColor,
    hatch: bool,
    per_chip_year: fn(&FleetRow) -> f64,
}

fn components() -> [Component; 5] {
    [
        Component {
            name: "Hardware capital",
            color: viridis(0.0),
            hatch: false,
            per_chip_year: |f| f.hw_capital_per_chip_year,
        },
        Component {
            name: "Facility capital",
            color: viridis(0.33),
            hatch: false,
            per_chip_year: |f| f.facility_capital_per_chip_year,
        },
        Component {
            name: "Energy",
            color: viridis(0.62),
            hatch: false,
            per_chip_year: |f| f.energy_per_chip_year,
        },
        Component {
            name: "Upkeep (maintenance, software, facility opex)",
            color: viridis(0.9),
            hatch: false,
            per_chip_year: |f| f.upkeep_per_chip_year,
        },
        Component {
            name: "Rent",
            color: RGBColor(0xc9, 0xc9, 0xc9),
            hatch: true,
            per_chip_year: |f| f.rent_per_chip_year,
        },
    ]
}

/// A grey for cost the row does not split (older rows without the capital split).
const OTHER: RGBColor = RGBColor(0x9e, 0x9e, 0x9e);

/// Per-unit segments of one fleet: (component index or 5 for "other", value).
fn segments(f: &FleetRow) -> Vec<(usize, f64)> {
    let mut v: Vec<(usize, f64)> = components()
        .iter()
        .enumerate()
        .map(|(i, c)| (i, (c.per_chip_year)(f) / f.work_per_chip_year))
        .filter(|(_, x)| *x > 0.0)
        .collect();
    let sum: f64 = v.iter().map(|(_, x)| x).sum();
    let rest = f.cost_per_unit - sum;
    if rest > 1e-6 * f.cost_per_unit.abs().max(1e-12) {
        v.push((5, rest));
    }
    v
}

impl Chart for CostBreakdown<'_> {
    fn check(&self) -> Result<(), String> {
        check_fleets(self.r)?;
        for f in &self.r.fleets {
            if !(f.work_per_chip_year.is_finite() && f.work_per_chip_year > 0.0) {
                return Err(format!("fleet {} does no work per chip-year", f.id));
            }
            if !(f.cost_per_unit.is_finite() && f.cost_per_unit >= 0.0) {
                return Err(format!(
                    "fleet {} has cost per unit {}",
                    f.id, f.cost_per_unit
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        th: &Theme,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.r;
        let cv = Canvas::new(root, th);
        let unit = r.fleets[0].work_unit.clone();
        let segs: Vec<Vec<(usize, f64)>> = r.fleets.iter().map(segments).collect();
        let comps = components();
        let mut used = [false; 6];
        for s in segs.iter().flatten() {
            used[s.0] = true;
        }
        let mut items: Vec<Item> = comps
            .iter()
            .enumerate()
            .filter(|(i, _)| used[*i])
            .map(|(_, c)| Item::fill(c.name, c.color, c.hatch))
            .collect();
        if used[5] {
            items.push(Item::fill("Other (not split in the results)", OTHER, false));
        }
        let title = format!("Cost per {unit}, by component");
        let notes = vec![
            "Annualised cost per chip-year (capital recovered over its life at the discount rate) divided by work per chip-year; a rented fleet pays rent only. Totals above the bars.".to_string(),
        ];
        let region = frame_region(&cv, &title, &run_subtitle(r), &items, &notes)?;

        let n = r.fleets.len();
        let max_total = r.fleets.iter().map(|f| f.cost_per_unit).fold(0.0, f64::max);
        let top = if max_total > 0.0 {
            max_total * 1.1
        } else {
            1.0
        };
        let y = Axis::nice(0.0, top, &TickFormat::Usd, 8, &format!("USD per {unit}"));
        let x = Axis::bare(-0.5, n as f64 - 0.5);
        let probe = Frame::fit(region, x.clone(), y.clone(), th, (0, 0));
        let slot = (probe.right - probe.left) / n as i32;
        let fleets: Vec<&FleetRow> = r.fleets.iter().collect();
        let max_h = (region.1 .1 - region.0 .1) / 4;
        let blocks = fit_blocks(&fleets, &[(slot as f64 * 0.9) as i32], max_h, th);
        let frame = Frame::fit(region, x, y, th, (0, blocks_height(&blocks) + th.px(16.0)));
        frame.grid(&cv, false)?;

        let bar_w = ((frame.right - frame.left) as f64 / n as f64 * 0.56).min(th.px(230.0) as f64);
        for (i, (f, segs)) in r.fleets.iter().zip(&segs).enumerate() {
            let cx = frame.px(i as f64);
            let (x0, x1) = (
                (cx - bar_w / 2.0).round() as i32,
                (cx + bar_w / 2.0).round() as i32,
            );
            let mut acc = 0.0;
            for (ci, v) in segs {
                let (color, hatch) = if *ci < 5 {
                    (comps[*ci].color, comps[*ci].hatch)
                } else {
                    (OTHER, false)
                };
                let (ya, yb) = (
                    frame.py(acc).round() as i32,
                    frame.py(acc + v).round() as i32,
                );
                cv.fill_rect((x0, yb), (x1, ya), color.to_rgba())?;
                if hatch {
                    cv.hatch(
                        (x0, yb),
                        (x1, ya),
                        darker(color, 0.55),
                        th.px(14.0),
                        th.lw(2.0),
                    )?;
                }
                cv.stroke_rect((x0, yb), (x1, ya), darker(color, 0.5), th.lw(1.5))?;
                let label = usd(*v);
                let (lw, lh) = measure(&label, th.value);
                if ya - yb >= lh + th.px(8.0) && lw + th.px(10.0) <= x1 - x0 {
                    let c = if hatch { TEXT } else { text_on(color) };
                    let at = (cx.round() as i32, (ya + yb) / 2);
                    if hatch {
                        cv.boxed_text(&label, at, th.value, c, None)?;
                    } else {
                        cv.text(&label, at, th.value, c, (Align::Center, VAlign::Middle))?;
                    }
                }
                acc += v;
            }
            let ytop = frame.py(f.cost_per_unit).round() as i32;
            cv.text(
                &usd(f.cost_per_unit),
                (cx.round() as i32, ytop - th.px(8.0)),
                th.value.scaled(1.1).bold(),
                TEXT,
                (Align::Center, VAlign::Bottom),
            )?;
        }
        frame.axes(&cv)?;
        draw_under(&cv, &frame, &blocks)?;
        Ok(())
    }
}
